//! Reading CoNLL-2003 files into documents, their IOB tags as the tagger's BILOU tags
//! (`newsflow_entities::tags`), and writing tags back as IOB2. Used by `eval ner`, `bench ner`
//! and the training drivers.

use anyhow::Context;
use newsflow_entities::tags::{TYPES, spans_to_tags, untag};
use newsflow_entities::train::LabelledDoc;
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

/// Documents as the learning and scoring code take them.
pub fn labelled(docs: &[Doc]) -> Vec<LabelledDoc<'_>> {
    docs.iter().map(Doc::labelled).collect()
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
        let tags = iob_to_bilou(&sent.iter().map(|l| l.2.as_str()).collect::<Vec<_>>());
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

/// BILOU tag ids of IOB tags (IOB1 or IOB2: `B-PER`, `I-PER`, `O`); a tag of a type other than
/// the four CoNLL-2003 types counts as `O`.
pub fn iob_to_bilou(tags: &[&str]) -> Vec<u8> {
    let mut spans = Vec::new();
    let mut open: Option<(usize, u8)> = None;
    for (i, t) in tags.iter().enumerate() {
        let (pre, ty) = match t.split_once('-') {
            Some((p, ty)) => (p, TYPES.iter().position(|&x| x == ty).map(|k| k as u8)),
            None => ("O", None),
        };
        let continues = pre == "I" && ty.is_some() && open.map(|o| o.1) == ty;
        if !continues {
            if let Some((s, oty)) = open.take() {
                spans.push((s, i, oty));
            }
            if let Some(ty) = ty {
                open = Some((i, ty));
            }
        }
    }
    if let Some((s, ty)) = open {
        spans.push((s, tags.len(), ty));
    }
    spans_to_tags(tags.len(), &spans)
}

/// The IOB2 tag name for a BILOU tag id.
pub fn iob2(tag: u8, prev: u8) -> String {
    match untag(tag) {
        None => "O".to_string(),
        Some((ty, pos)) => {
            let cont = matches!(pos, 1 | 2) && untag(prev).is_some_and(|(pty, _)| pty == ty);
            format!("{}-{}", if cont { "I" } else { "B" }, TYPES[ty as usize])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsflow_entities::tags::spans;

    const SAMPLE: &str = "-DOCSTART- -X- -X- O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n";

    #[test]
    fn parse_reads_documents_sentences_and_spans() {
        let docs = parse(SAMPLE);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].sentences.len(), 2);
        assert_eq!(spans(&docs[0].labelled().gold()[..2]), vec![(0, 2, 0)]);
    }

    #[test]
    fn iob_to_bilou_reads_iob1_and_iob2() {
        let iob2 = iob_to_bilou(&["B-PER", "I-PER", "O", "B-LOC"]);
        assert_eq!(spans(&iob2), vec![(0, 2, 0), (3, 4, 2)]);
        // IOB1: `I-` opens a span too; `B-` only parts two of one type.
        let iob1 = iob_to_bilou(&["I-ORG", "I-ORG", "B-ORG", "I-MISC", "I-DATE"]);
        assert_eq!(spans(&iob1), vec![(0, 2, 1), (2, 3, 1), (3, 4, 3)]);
    }
}
