//! Reading CoNLL-2003 files and scoring entity spans the way `conlleval` does (exact span and
//! type). Used by [`crate::train`], [`crate::eval`] and [`crate::bench`]; no part of the stage.

use crate::tags::TYPES;
use crate::train::LabelledDoc;
use anyhow::Context;
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

    /// The document as the learning and scoring code take it.
    pub fn labelled(&self) -> LabelledDoc<'_> {
        LabelledDoc {
            sentences: self
                .sentences
                .iter()
                .map(|s| s.iter().map(|l| (l.word.as_str(), l.gold)).collect())
                .collect(),
        }
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
    use crate::tags::spans;

    const SAMPLE: &str = "-DOCSTART- -X- -X- O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n";

    #[test]
    fn parse_reads_documents_sentences_and_spans() {
        let docs = parse(SAMPLE);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].sentences.len(), 2);
        assert_eq!(spans(&docs[0].labelled().gold()[..2]), vec![(0, 2, 0)]);
    }
}
