//! Learns the cue lexicon from PolNeAR train: for every word (lower-cased, our tokenizer), how
//! often it lies inside a gold `Cue` span and how often it occurs. The rules use the ratio to
//! extend the hand-written cue lists (`data/cues.tsv`, committed; rebuild with
//! [`cue_lexicon`]).

use crate::brat::{self, Offsets};
use crate::doc::Doc;
use anyhow::Context;
use newsflow_proto::Segmentation;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Words seen fewer times than this as a cue are left out.
const MIN_CUE_COUNT: usize = 5;
/// Words whose cue ratio is below this are left out.
const MIN_RATIO: f64 = 0.25;

/// Builds the cue lexicon TSV (`word<TAB>times in a cue<TAB>times seen`) from a PolNeAR
/// compartment (`dir` holds `text/` and `attributions/`), e.g. `../shared/data/polnear/train`.
/// Write the result to `services/quotes/data/cues.tsv`.
///
/// # Errors
/// When the data is missing or unreadable.
pub fn cue_lexicon(dir: &Path) -> anyhow::Result<String> {
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let articles = crate::eval::articles(dir)?;
    for article in &articles {
        let text = std::fs::read_to_string(&article.text)
            .with_context(|| format!("reading {}", article.text.display()))?;
        let ann = std::fs::read_to_string(&article.ann)
            .with_context(|| format!("reading {}", article.ann.display()))?;
        let off = Offsets::new(&text);
        let cues: Vec<(usize, usize)> = brat::parse(&ann).into_iter().flat_map(|a| a.cue).collect();
        let doc = Doc::new(&text, &Segmentation::default());
        for (i, t) in doc.toks.iter().enumerate() {
            if !doc.is_word(i) {
                continue;
            }
            let (a, b) = (off.char_of(t.start), off.char_of(t.end));
            let entry = counts.entry(doc.lower(i)).or_default();
            entry.1 += 1;
            if cues.iter().any(|&(c, d)| c <= a && b <= d) {
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
    Ok(out)
}
