//! Scores sentence segmentation on the English Golden Rules, with pySBD measured in the same run.
//!
//! Not on the stage's message path (`newsflow.articles.ingested` →
//! `newsflow.articles.segmented`): `newsflow eval segment` calls [`golden_rules`]. Fails only when
//! the data file is missing or malformed; a missing pySBD is reported, not an error.
//!
//! Data: `golden_rules_en.jsonl` (48 cases from pySBD's `benchmarks/english_golden_rules.py`,
//! MIT; originally Kevin Dias's pragmatic_segmenter), one JSON object per line with `id`,
//! `name`, `text` and the expected `sentences`. A case is right when the produced sentences,
//! stripped and without empties, equal the expected list exactly (pySBD's own convention).

use super::pysbd;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The file name inside the data folder.
pub const GOLDEN_RULES_FILE: &str = "golden_rules_en.jsonl";

/// One Golden Rules case as stored in the data file.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldenCase {
    /// `golden-N`.
    pub id: String,
    /// The rule's title.
    #[serde(default)]
    pub name: String,
    /// The input text.
    pub text: String,
    /// The expected sentences.
    pub sentences: Vec<String>,
}

/// A case a segmenter got wrong.
#[derive(Debug, Clone, Serialize)]
pub struct CaseFailure {
    /// `golden-N`.
    pub id: String,
    /// The rule's title.
    pub name: String,
    /// The input text.
    pub text: String,
    /// The expected sentences.
    pub expected: Vec<String>,
    /// What the segmenter produced.
    pub got: Vec<String>,
}

/// pySBD's score on the same cases, or why it could not be measured.
#[derive(Debug, Clone, Serialize)]
pub struct PysbdScore {
    /// Whether pySBD ran.
    pub available: bool,
    /// pySBD's version, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// How many cases pySBD got exactly right, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correct: Option<usize>,
    /// The ids of the cases pySBD got wrong.
    pub failed: Vec<String>,
    /// Why pySBD did not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How to install pySBD, when it did not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub install_hint: Option<String>,
}

/// The result of [`golden_rules`]. With `--json` it serialises as
/// `{"cases", "correct", "failed": [ids], "failures": [...], "pysbd": {...}, "data"}`.
#[derive(Debug, Clone, Serialize)]
pub struct GoldenReport {
    /// How many cases the file holds.
    pub cases: usize,
    /// How many newsflow-segment got exactly right.
    pub correct: usize,
    /// The ids of the cases newsflow-segment got wrong.
    pub failed: Vec<String>,
    /// What went wrong in each failed case.
    pub failures: Vec<CaseFailure>,
    /// pySBD on the same cases, in the same run.
    pub pysbd: PysbdScore,
    /// The file that was read.
    pub data: PathBuf,
}

impl GoldenReport {
    /// The report as prose for a terminal.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Golden Rules (English), {} cases, from {}",
            self.cases,
            self.data.display()
        );
        let _ = writeln!(
            out,
            "  newsflow-segment: {}/{} right{}",
            self.correct,
            self.cases,
            failed_suffix(&self.failed)
        );
        match (&self.pysbd.correct, &self.pysbd.error) {
            (Some(correct), _) => {
                let version = self.pysbd.version.as_deref().unwrap_or("?");
                let _ = writeln!(
                    out,
                    "  pySBD {version}: {correct}/{} right{}",
                    self.cases,
                    failed_suffix(&self.pysbd.failed)
                );
            }
            (None, error) => {
                let _ = writeln!(
                    out,
                    "  pySBD: unavailable ({}); install with `{}`",
                    error.as_deref().unwrap_or("not run"),
                    pysbd::INSTALL_HINT
                );
            }
        }
        for failure in &self.failures {
            let _ = writeln!(out, "\n{} ({})", failure.id, failure.name);
            let _ = writeln!(out, "  text:     {:?}", failure.text);
            let _ = writeln!(out, "  expected: {:?}", failure.expected);
            let _ = writeln!(out, "  got:      {:?}", failure.got);
        }
        out
    }
}

fn failed_suffix(failed: &[String]) -> String {
    if failed.is_empty() {
        String::new()
    } else {
        format!(" (wrong: {})", failed.join(", "))
    }
}

/// Resolves `path` to the data file: the file itself, or `golden_rules_en.jsonl` inside it when
/// it is a folder.
pub fn data_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join(GOLDEN_RULES_FILE)
    } else {
        path.to_path_buf()
    }
}

/// Reads the Golden Rules cases from `path` (the `.jsonl` file or its folder).
///
/// # Errors
/// When the file is missing (the message names it) or a line is not a valid case.
pub fn read_cases(path: &Path) -> Result<Vec<GoldenCase>> {
    let file = data_file(path);
    if !file.is_file() {
        anyhow::bail!(
            "Golden Rules data not found: {} is missing (expected \
             ../shared/data/golden_rules_en/{GOLDEN_RULES_FILE}; pass its folder with --data)",
            file.display()
        );
    }
    let body =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    body.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line)
                .with_context(|| format!("{}:{}: not a Golden Rules case", file.display(), n + 1))
        })
        .collect()
}

/// The sentences newsflow-segment finds in `text`, as strings.
pub fn sentences(text: &str) -> Vec<String> {
    newsflow_segment::segment_text(text)
        .sentences
        .iter()
        .map(|s| text[s.start..s.end].trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Scores newsflow-segment and pySBD on the Golden Rules file at `path` (the `.jsonl` file or
/// its folder).
///
/// # Errors
/// When the data file is missing or malformed, or the pySBD script crashes. A missing Python or
/// pySBD is not an error: the report says pySBD is unavailable and how to install it.
pub fn golden_rules(path: &Path) -> Result<GoldenReport> {
    let cases = read_cases(path)?;
    let mut failures = Vec::new();
    for case in &cases {
        let got = sentences(&case.text);
        if got != case.sentences {
            failures.push(failure(case, got));
        }
    }
    let pysbd = pysbd_score(&cases)?;
    Ok(GoldenReport {
        cases: cases.len(),
        correct: cases.len() - failures.len(),
        failed: failures.iter().map(|f| f.id.clone()).collect(),
        failures,
        pysbd,
        data: data_file(path),
    })
}

fn failure(case: &GoldenCase, got: Vec<String>) -> CaseFailure {
    CaseFailure {
        id: case.id.clone(),
        name: case.name.clone(),
        text: case.text.clone(),
        expected: case.sentences.clone(),
        got,
    }
}

fn pysbd_score(cases: &[GoldenCase]) -> Result<PysbdScore> {
    let unavailable = |error: String| PysbdScore {
        available: false,
        version: None,
        correct: None,
        failed: Vec::new(),
        error: Some(error),
        install_hint: Some(pysbd::INSTALL_HINT.to_owned()),
    };
    let output = match pysbd::run("golden", cases.iter().map(|c| c.text.as_str()))? {
        Ok(output) => output,
        Err(reason) => return Ok(unavailable(reason)),
    };
    let produced: Vec<Vec<String>> = serde_json::from_value(output.sentences.unwrap_or_default())
        .context("reading pySBD's sentences")?;
    anyhow::ensure!(
        produced.len() == cases.len(),
        "pySBD returned {} results for {} cases",
        produced.len(),
        cases.len()
    );
    let failed: Vec<String> = cases
        .iter()
        .zip(&produced)
        .filter(|(case, got)| **got != case.sentences)
        .map(|(case, _)| case.id.clone())
        .collect();
    Ok(PysbdScore {
        available: true,
        version: output.version,
        correct: Some(cases.len() - failed.len()),
        failed,
        error: None,
        install_hint: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_data_file_error_names_the_file() {
        let err = golden_rules(Path::new("/nonexistent/golden")).unwrap_err();
        let message = format!("{err:#}");
        assert!(message.contains("/nonexistent/golden"), "{message}");
        assert!(message.contains("missing"), "{message}");
    }

    #[test]
    fn report_renders_counts_and_failures() {
        let report = GoldenReport {
            cases: 2,
            correct: 1,
            failed: vec!["golden-2".into()],
            failures: vec![CaseFailure {
                id: "golden-2".into(),
                name: "Two".into(),
                text: "A. B.".into(),
                expected: vec!["A.".into(), "B.".into()],
                got: vec!["A. B.".into()],
            }],
            pysbd: PysbdScore {
                available: false,
                version: None,
                correct: None,
                failed: vec![],
                error: Some("import pysbd failed".into()),
                install_hint: Some(pysbd::INSTALL_HINT.into()),
            },
            data: PathBuf::from("g.jsonl"),
        };
        let prose = report.render();
        assert!(prose.contains("1/2 right (wrong: golden-2)"), "{prose}");
        assert!(prose.contains("pip install pysbd"), "{prose}");
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["cases"], 2);
        assert_eq!(json["correct"], 1);
        assert_eq!(json["failed"][0], "golden-2");
    }
}
