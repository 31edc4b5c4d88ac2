//! Scoring tags against gold tags the way `conlleval` does: entity-level, exact span and type.
//! Training picks its epochs by these scores on the dev file; `newsflow eval ner` and
//! `bench ner` (in the lab) report them.

use super::labelled::LabelledDoc;
use crate::tags::{TYPES, spans};
use serde::Serialize;
use std::collections::BTreeMap;

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

    /// Adds a whole document's flat tags, split at sentence boundaries.
    pub fn add_doc(&mut self, doc: &LabelledDoc<'_>, pred: &[u8]) {
        let mut at = 0;
        for s in &doc.sentences {
            let gold: Vec<u8> = s.iter().map(|w| w.1).collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags::spans_to_tags;

    #[test]
    fn scorer_counts_only_exact_span_and_type_matches() {
        let (peter, eu) = (
            spans_to_tags(2, &[(0, 2, 0)]),
            spans_to_tags(2, &[(0, 1, 1)]),
        );
        let doc = LabelledDoc {
            sentences: vec![
                vec![("Peter", peter[0]), ("Blackburn", peter[1])],
                vec![("EU", eu[0]), ("rejects", eu[1])],
            ],
        };
        let mut s = Scorer::default();
        let mut pred = doc.gold();
        pred[2] = 0; // miss EU
        s.add_doc(&doc, &pred);
        let sc = s.scores();
        assert_eq!(sc.overall.correct, 1);
        assert_eq!(sc.overall.gold, 2);
        assert!((sc.overall.precision - 1.0).abs() < 1e-9);
    }
}
