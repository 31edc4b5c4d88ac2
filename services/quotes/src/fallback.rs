//! A small stand-in for the `segment` stage, for the unit tests (the crate does not depend on
//! the stage): paragraphs are lines, sentences end at `.`, `!` or `?` before an upper-case word
//! (news abbreviations and initials excepted), tokens split punctuation and quote marks from
//! words.

use crate::doc::{Doc, split_paragraphs};
use newsflow_proto::{Segmentation, Sentence, Token};

/// Paragraphs, sentences and tokens of `text` by simple rules.
pub fn segment_text(text: &str) -> Segmentation {
    let doc = Doc::new(text, &Segmentation::default());
    let mut seg = Segmentation {
        paragraphs: split_paragraphs(text),
        ..Segmentation::default()
    };
    for (i, t) in doc.toks.iter().enumerate() {
        seg.tokens.push(Token {
            start: t.start,
            end: t.end,
        });
        if t.sent_start || i == 0 {
            seg.sentences.push(Sentence {
                start: t.start,
                end: t.end,
                paragraph: t.para,
                first_token: i,
                token_count: 0,
            });
        }
        if let Some(s) = seg.sentences.last_mut() {
            s.end = t.end;
            s.token_count += 1;
        }
    }
    seg
}
