//! Reading CoNLL-2003 files and scoring entity spans the way `conlleval` does (exact span and
//! type). Used by [`crate::train`], [`crate::eval`] and [`crate::bench`]; no part of the stage.

use crate::tags::{TYPES, spans};
use anyhow::Context;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One token line of a CoNLL file.
#[derive(Debug, Clone)]
pub struct Line {
    /// The whole line as read (columns separated by spaces).
    pub raw: String,
    /// The token (first column).
    pub word: String,
    /// Gold BILOU tag, converted from the last column.
    pub gold: u8,
}

/// A `-DOCSTART-` block: sentences of token lines.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// Sentences in order.
    pub sentences: Vec<Vec<Line>>,
}

impl Doc {
    /// The words, sentence by sentence.
    pub fn words(&self) -> Vec<Vec<&str>> {
        self.sentences
            .iter()
            .map(|s| s.iter().map(|l| l.word.as_str()).collect())
            .collect()
    }

    /// Gold tags, flat.
    pub fn gold(&self) -> Vec<u8> {
        self.sentences.iter().flatten().map(|l| l.gold).collect()
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.sentences.iter().map(Vec::len).sum()
    }

    /// Whether the document has no tokens.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn type_index(t: &str) -> Option<u8> {
    TYPES.iter().position(|&x| x == t).map(|i| i as u8)
}

/// Reads a CoNLL-2003 file (IOB1 or IOB2 in the last column) into documents.
///
/// # Errors
/// When the file cannot be read, naming it.
pub fn read(path: &Path) -> anyhow::Result<Vec<Doc>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading CoNLL file {}", path.display()))?;
    Ok(parse(&text))
}

/// Parses CoNLL-2003 text into documents.
pub fn parse(text: &str) -> Vec<Doc> {
    let mut docs: Vec<Doc> = Vec::new();
    let mut sent: Vec<(String, String, String)> = Vec::new();
    let mut cur = Doc::default();
    let flush = |sent: &mut Vec<(String, String, String)>, cur: &mut Doc| {
        if sent.is_empty() {
            return;
        }
        // IOB (1 or 2) → spans → BILOU.
        let mut sp = Vec::new();
        let mut open: Option<(usize, u8)> = None;
        for (i, (_, _, t)) in sent.iter().enumerate() {
            let (pre, ty) = match t.split_once('-') {
                Some((p, ty)) => (p, type_index(ty)),
                None => ("O", None),
            };
            let continues = pre == "I" && ty.is_some() && open.map(|o| o.1) == ty;
            if !continues {
                if let Some((s, oty)) = open.take() {
                    sp.push((s, i, oty));
                }
                if let Some(ty) = ty {
                    open = Some((i, ty));
                }
            }
        }
        if let Some((s, ty)) = open {
            sp.push((s, sent.len(), ty));
        }
        let tags = crate::tags::spans_to_tags(sent.len(), &sp);
        cur.sentences.push(
            sent.drain(..)
                .zip(tags)
                .map(|((raw, word, _), gold)| Line { raw, word, gold })
                .collect(),
        );
    };
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            flush(&mut sent, &mut cur);
            continue;
        }
        let mut cols = line.split(' ');
        let word = cols.next().unwrap_or_default().to_string();
        if word == "-DOCSTART-" {
            flush(&mut sent, &mut cur);
            if !cur.sentences.is_empty() {
                docs.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let tag = line.rsplit(' ').next().unwrap_or("O").to_string();
        sent.push((line.to_string(), word, tag));
    }
    flush(&mut sent, &mut cur);
    if !cur.sentences.is_empty() {
        docs.push(cur);
    }
    docs
}

/// Precision, recall and F1 for one type or overall.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Prf {
    /// Correct predicted entities / predicted entities.
    pub precision: f64,
    /// Correct predicted entities / gold entities.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Gold entities.
    pub gold: usize,
    /// Predicted entities.
    pub predicted: usize,
    /// Predicted entities with exactly the gold span and type.
    pub correct: usize,
}

impl Prf {
    fn from_counts(correct: usize, predicted: usize, gold: usize) -> Prf {
        let p = if predicted == 0 {
            0.0
        } else {
            correct as f64 / predicted as f64
        };
        let r = if gold == 0 {
            0.0
        } else {
            correct as f64 / gold as f64
        };
        let f = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        Prf {
            precision: p,
            recall: r,
            f1: f,
            gold,
            predicted,
            correct,
        }
    }
}

/// Entity-level scores: overall and per type.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Scores {
    /// All types together.
    pub overall: Prf,
    /// One entry per type (`PER`, `ORG`, `LOC`, `MISC`).
    pub per_type: BTreeMap<String, Prf>,
}

/// Accumulates exact-match span counts sentence by sentence.
#[derive(Default)]
pub struct Scorer {
    counts: [[usize; 3]; 4],
}

impl Scorer {
    /// Adds one sentence's gold and predicted tags.
    pub fn add(&mut self, gold: &[u8], pred: &[u8]) {
        let g = spans(gold);
        let p = spans(pred);
        for s in &g {
            self.counts[s.2 as usize][2] += 1;
        }
        for s in &p {
            self.counts[s.2 as usize][1] += 1;
            if g.contains(s) {
                self.counts[s.2 as usize][0] += 1;
            }
        }
    }

    /// Adds whole documents' flat tags, split at sentence boundaries.
    pub fn add_doc(&mut self, doc: &Doc, pred: &[u8]) {
        let mut at = 0;
        for s in &doc.sentences {
            let gold: Vec<u8> = s.iter().map(|l| l.gold).collect();
            self.add(&gold, &pred[at..at + s.len()]);
            at += s.len();
        }
    }

    /// The scores so far.
    pub fn scores(&self) -> Scores {
        let mut per_type = BTreeMap::new();
        let mut tot = [0usize; 3];
        for (k, c) in self.counts.iter().enumerate() {
            per_type.insert(TYPES[k].to_string(), Prf::from_counts(c[0], c[1], c[2]));
            for j in 0..3 {
                tot[j] += c[j];
            }
        }
        Scores {
            overall: Prf::from_counts(tot[0], tot[1], tot[2]),
            per_type,
        }
    }
}

/// The IOB2 tag name for a BILOU tag id.
pub fn iob2(tag: u8, prev: u8) -> String {
    match crate::tags::untag(tag) {
        None => "O".to_string(),
        Some((ty, pos)) => {
            let cont =
                matches!(pos, 1 | 2) && crate::tags::untag(prev).is_some_and(|(pty, _)| pty == ty);
            format!("{}-{}", if cont { "I" } else { "B" }, TYPES[ty as usize])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "-DOCSTART- -X- -X- O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n";

    #[test]
    fn parse_reads_documents_sentences_and_spans() {
        let docs = parse(SAMPLE);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].sentences.len(), 2);
        assert_eq!(spans(&docs[0].gold()[..2]), vec![(0, 2, 0)]);
    }

    #[test]
    fn scorer_counts_only_exact_span_and_type_matches() {
        let docs = parse(SAMPLE);
        let mut s = Scorer::default();
        let mut pred = docs[0].gold();
        pred[2] = 0; // miss EU
        s.add_doc(&docs[0], &pred);
        let sc = s.scores();
        assert_eq!(sc.overall.correct, 1);
        assert_eq!(sc.overall.gold, 2);
        assert!((sc.overall.precision - 1.0).abs() < 1e-9);
    }
}
