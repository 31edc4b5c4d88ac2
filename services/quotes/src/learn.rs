//! What the crate learns from PolNeAR train (both committed under `data/`, both rebuilt here),
//! behind the `train` feature (off for the stage; newsflow-lab turns it on for
//! `newsflow train quotes`, reads the corpus and hands it over as [`Labelled`] articles):
//! - the cue lexicon ([`cue_lexicon`], `data/cues.tsv`): for every word (lower-cased, our
//!   tokenizer), how often it lies inside a gold `Cue` span and how often it occurs; the rules use
//!   the ratio to extend the hand-written cue lists;
//! - the attribution tagger ([`tagger_model`], `data/attribution.model`): an averaged
//!   perceptron giving each token a role (source, cue, content) with the rules' findings among
//!   its features. Rebuild the lexicon first: the tagger's features read it.
//!
//! Both are pure: no I/O, and the same articles give the same bytes.

use crate::doc::Doc;
use crate::tagger::{self, BITS, CB, CI, CUE, Ctx, Model, O, SRC, TAGS};
use newsflow_proto::{Segmentation, Span};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One labelled article: its text and its gold attributions.
#[derive(Debug, Clone, PartialEq)]
pub struct Labelled {
    /// The article's text.
    pub text: String,
    /// Its gold attributions, in the annotators' order.
    pub attributions: Vec<Attribution>,
}

/// One gold attribution; every span a UTF-8 byte range of the article's text, and each part may
/// be discontinuous.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribution {
    /// What was said.
    pub content: Vec<Span>,
    /// Who said it (empty when unattributed).
    pub source: Vec<Span>,
    /// The words that attribute it (`said`, `according to`).
    pub cue: Vec<Span>,
}

/// Tagger weights smaller than this share of the largest are left out of the model file
/// (1.4 MB instead of 2.5 MB, same dev figures).
const PRUNE: f32 = 0.02;
/// Training passes over the data for the shipped tagger.
pub const TAGGER_EPOCHS: usize = 8;

/// Words seen fewer times than this as a cue are left out.
const MIN_CUE_COUNT: usize = 5;
/// Words whose cue ratio is below this are left out.
const MIN_RATIO: f64 = 0.25;

/// Builds the cue lexicon TSV (`word<TAB>times in a cue<TAB>times seen`) from labelled
/// articles, PolNeAR train for the shipped `services/quotes/data/cues.tsv`.
pub fn cue_lexicon(articles: &[Labelled]) -> String {
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for article in articles {
        let cues: Vec<&Span> = article.attributions.iter().flat_map(|a| &a.cue).collect();
        let doc = Doc::new(&article.text, &Segmentation::default());
        for (i, t) in doc.toks.iter().enumerate() {
            if !doc.is_word(i) {
                continue;
            }
            let entry = counts.entry(doc.lower(i).to_string()).or_default();
            entry.1 += 1;
            if cues.iter().any(|c| c.start <= t.start && t.end <= c.end) {
                entry.0 += 1;
            }
        }
    }
    let mut out = format!(
        "# Cue lexicon learned from {} PolNeAR articles by newsflow_quotes::learn::cue_lexicon.\n# word\\ttimes inside a Cue span\\ttimes seen (kept: >= {MIN_CUE_COUNT} as cue, ratio >= {MIN_RATIO})\n",
        articles.len()
    );
    for (w, (c, t)) in counts {
        if c >= MIN_CUE_COUNT && c as f64 / t as f64 >= MIN_RATIO {
            let _ = writeln!(out, "{w}\t{c}\t{t}");
        }
    }
    out
}

/// Gold tags of the document's tokens: cue over source over content.
fn gold_tags(doc: &Doc, gold: &[Attribution]) -> Vec<u8> {
    let n = doc.toks.len();
    let mut tags = vec![O; n];
    let mut paint = |spans: &[Span], tag: u8, begin: Option<u8>| {
        for &Span { start: a, end: b } in spans {
            let mut first = true;
            for (i, t) in doc.toks.iter().enumerate() {
                if t.start >= a && t.end <= b {
                    let new = match begin {
                        Some(bt) if first => bt,
                        _ => tag,
                    };
                    first = false;
                    let rank = |x: u8| match x {
                        CUE => 3,
                        SRC => 2,
                        CB | CI => 1,
                        _ => 0,
                    };
                    if rank(new) > rank(tags[i]) || (rank(new) == rank(tags[i]) && new == CB) {
                        tags[i] = new;
                    }
                }
            }
        }
    };
    for g in gold {
        paint(&g.content, CI, Some(CB));
        paint(&g.source, SRC, None);
        paint(&g.cue, CUE, None);
    }
    tags
}

/// Trains the attribution tagger (an averaged perceptron) on labelled articles and returns the
/// model file, from PolNeAR train for the shipped `services/quotes/data/attribution.model`.
pub fn tagger_model(articles: &[Labelled], epochs: usize) -> Vec<u8> {
    let size = (1usize << BITS) * TAGS;
    let mut w = vec![0f32; size];
    let mut acc = vec![0f64; size];
    let mut stamp = vec![0u32; size];
    let mut clock: u32 = 1;
    let mut order: Vec<usize> = (0..articles.len()).collect();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut feats = Vec::with_capacity(40);
    for _ in 0..epochs {
        for i in (1..order.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            order.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        for &a in &order {
            let article = &articles[a];
            let doc = Doc::new(&article.text, &Segmentation::default());
            let gold = gold_tags(&doc, &article.attributions);
            let rules = crate::find::find(&doc);
            let ctx = Ctx::new(&doc, &rules);
            let n = doc.toks.len();
            let mut pred = vec![O; n];
            for i in 0..n {
                let para_start = i == 0 || doc.toks[i - 1].para != doc.toks[i].para;
                let p1 = if para_start { 9 } else { pred[i - 1] };
                let p2 = if para_start || i < 2 || doc.toks[i - 2].para != doc.toks[i].para {
                    9
                } else {
                    pred[i - 2]
                };
                feats.clear();
                ctx.static_features(i, &mut feats);
                tagger::dynamic_features(&ctx, i, p1, p2, &mut feats);
                let guess = tagger::argmax(&tagger::scores(&w, &feats));
                let truth = gold[i];
                if guess != truth {
                    for &f in &feats {
                        for (t, delta) in [(truth, 1f32), (guess, -1f32)] {
                            let k = f as usize * TAGS + t as usize;
                            acc[k] += f64::from(clock - stamp[k]) * f64::from(w[k]);
                            stamp[k] = clock;
                            w[k] += delta;
                        }
                    }
                }
                pred[i] = guess;
                clock += 1;
            }
        }
    }
    let weights = (0..size)
        .map(|k| {
            let total = acc[k] + f64::from(clock - stamp[k]) * f64::from(w[k]);
            (total / f64::from(clock)) as f32
        })
        .collect();
    Model::new(weights).to_bytes(PRUNE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cue_lexicon_counts_words_inside_gold_cue_spans_given_in_bytes() {
        let text = "Zoë said so. ".repeat(MIN_CUE_COUNT);
        let said = text
            .match_indices("said")
            .map(|(at, _)| Attribution {
                content: Vec::new(),
                source: Vec::new(),
                cue: vec![Span::new(at, at + "said".len())],
            })
            .collect();
        let lexicon = cue_lexicon(&[Labelled {
            text: text.clone(),
            attributions: said,
        }]);
        let rows: Vec<&str> = lexicon.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(rows, [format!("said\t{MIN_CUE_COUNT}\t{MIN_CUE_COUNT}")]);
    }
}
