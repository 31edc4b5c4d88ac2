//! Scoring the shipped tagger on a CoNLL-2003 file: `newsflow eval ner --data FILE`.
//! Entity-level, exact span and type, as `conlleval` counts it, on the file's own tokens.

use super::conll;
use anyhow::Context;
use newsflow_entities::Model;
use newsflow_entities::train::{Prf, Scorer};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Entity-level precision, recall and F1 on one CoNLL file.
#[derive(Debug, Clone, Serialize)]
pub struct NerReport {
    /// The file scored.
    pub data: String,
    /// Tokens in the file.
    pub tokens: usize,
    /// All four types together.
    pub overall: Prf,
    /// `PER`, `ORG`, `LOC`, `MISC`.
    pub per_type: BTreeMap<String, Prf>,
}

impl NerReport {
    /// A small table in prose.
    pub fn render(&self) -> String {
        let mut s = format!(
            "NER on {} ({} tokens), exact span and type\n",
            self.data, self.tokens
        );
        let _ = writeln!(
            s,
            "{:<8} {:>9} {:>9} {:>9} {:>6} {:>6}",
            "type", "precision", "recall", "F1", "gold", "pred"
        );
        let row = |s: &mut String, name: &str, p: &Prf| {
            let _ = writeln!(
                s,
                "{:<8} {:>9.4} {:>9.4} {:>9.4} {:>6} {:>6}",
                name, p.precision, p.recall, p.f1, p.gold, p.predicted
            );
        };
        for (k, p) in &self.per_type {
            row(&mut s, k, p);
        }
        row(&mut s, "overall", &self.overall);
        s
    }
}

/// Scores the shipped model on `path`; with `write_predictions`, writes the file back with a
/// predicted IOB2 tag appended to every token line.
///
/// # Errors
/// When `path` cannot be read or the predictions cannot be written, naming the file.
pub fn conll(path: &Path, write_predictions: Option<&Path>) -> anyhow::Result<NerReport> {
    conll_with(Model::shipped(), path, write_predictions)
}

/// [`conll`] with a given model.
///
/// # Errors
/// As [`conll`].
pub fn conll_with(
    model: &Model,
    path: &Path,
    write_predictions: Option<&Path>,
) -> anyhow::Result<NerReport> {
    let docs = conll::read(path)?;
    let mut sc = Scorer::default();
    let mut out = String::new();
    let mut tokens = 0;
    for d in &docs {
        let pred = model.tag(&d.words());
        sc.add_doc(&d.labelled(), &pred);
        tokens += d.len();
        if write_predictions.is_some() {
            out.push_str("-DOCSTART- -X- -X- O O\n\n");
            let mut at = 0;
            for s in &d.sentences {
                let mut prev = 0u8;
                for l in s {
                    let _ = writeln!(out, "{} {}", l.raw, conll::iob2(pred[at], prev));
                    prev = pred[at];
                    at += 1;
                }
                out.push('\n');
            }
        }
    }
    if let Some(p) = write_predictions {
        std::fs::write(p, out).with_context(|| format!("writing predictions {}", p.display()))?;
    }
    let scores = sc.scores();
    Ok(NerReport {
        data: path.display().to_string(),
        tokens,
        overall: scores.overall,
        per_type: scores.per_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conll_scores_a_file_and_writes_a_predicted_tag_per_token() {
        let dir = std::env::temp_dir().join(format!("newsflow-eval-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let data = dir.join("mini.conll");
        let out = dir.join("pred.conll");
        std::fs::write(
            &data,
            "-DOCSTART- -X- -X- O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\nvisited VBD B-VP O\nBrussels NNP B-NP B-LOC\n. . O O\n",
        )
        .unwrap();
        let r = conll(&data, Some(&out)).unwrap();
        assert_eq!(r.tokens, 5);
        assert_eq!(r.overall.gold, 2);
        let written = std::fs::read_to_string(&out).unwrap();
        let lines: Vec<&str> = written.lines().filter(|l| l.starts_with("Peter")).collect();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].split(' ').count(), 5);
        assert!(r.render().contains("overall"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn conll_names_a_missing_file() {
        let err = conll(Path::new("/nonexistent/eng.testb"), None).unwrap_err();
        assert!(format!("{err:#}").contains("/nonexistent/eng.testb"));
    }
}
