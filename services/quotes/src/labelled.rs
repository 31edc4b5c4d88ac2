//! Speaker labels: a paragraph that opens with a name and a colon gives the rest of the
//! paragraph to that name. A transcript's `PENCE: Well, look, …` (the label in capitals:
//! verbatim, so a direct quote) and a headline's `Pat Caddell: Democrat Voters Worried …` (a
//! paraphrase, so reported speech), as PolNeAR annotates both. Labels that are a page's furniture
//! (`Photo:`, `Updated:`, `Editor's Note:`) are not speakers.

use crate::doc::{Doc, Kind};
use crate::find::Found;
use newsflow_proto::QuoteKind;

/// The most words a label has.
const LABEL_WORDS: usize = 4;
/// The fewest words the labelled text needs to be a statement.
const CONTENT_WORDS: usize = 3;

/// First words of labels that introduce no speaker.
const NOT_SPEAKERS: &[&str] = &[
    "advertisement",
    "analysis",
    "breaking",
    "by",
    "caption",
    "clarification",
    "comment",
    "comments",
    "contact",
    "correction",
    "credit",
    "disclaimer",
    "disclosure",
    "editor",
    "editors",
    "email",
    "exclusive",
    "filed",
    "image",
    "images",
    "listen",
    "live",
    "location",
    "more",
    "note",
    "opinion",
    "photo",
    "photos",
    "posted",
    "published",
    "read",
    "related",
    "share",
    "source",
    "sources",
    "subscribe",
    "tags",
    "topics",
    "update",
    "updated",
    "video",
    "warning",
    "watch",
    "when",
    "where",
];

/// Gives the paragraphs a speaker's label opens to that speaker: a direct quote the rules found
/// (a transcript quoted whole, each paragraph opening `"WALLACE:`) is split at each paragraph
/// that starts with a label, that part given to the label; and a paragraph whose label no
/// attribution holds yet becomes one (what other attributions its text holds stay: a headline
/// may report a report). A label is a name of `names` (people and organisations, as byte spans
/// in text order) or written in capitals.
pub(crate) fn apply(doc: &Doc, found: &mut Vec<Found>, names: &[(usize, usize)]) {
    let labelled = |a: usize, b: usize| label(doc, a, b, names);
    let mut out = Vec::with_capacity(found.len());
    for f in found.drain(..) {
        if f.kind != QuoteKind::Direct || !f.content.iter().any(|&(a, b)| labelled(a, b).is_some())
        {
            out.push(f);
            continue;
        }
        let mut part = Found {
            content: Vec::new(),
            ..f.clone()
        };
        for &(a, b) in &f.content {
            match labelled(a, b) {
                Some(colon) => {
                    if !part.content.is_empty() {
                        out.push(part);
                    }
                    part = said_by_label(QuoteKind::Direct, a, colon, b, f.confidence);
                }
                None => part.content.push((a, b)),
            }
        }
        if !part.content.is_empty() {
            out.push(part);
        }
    }
    let mut held = vec![false; doc.toks.len()];
    for f in &out {
        for &(a, b) in f.content.iter().chain(&f.source).chain(&f.cue) {
            held[a..b].iter_mut().for_each(|h| *h = true);
        }
    }
    for &(start, end) in &doc.para_tokens {
        let first = if start < end && doc.toks[start].kind == Kind::Mark {
            start + 1
        } else {
            start
        };
        if let Some(colon) = labelled(first, end)
            && !held[first..=colon].iter().any(|&h| h)
        {
            let shouted = is_shouted(doc, first, colon);
            let kind = if shouted {
                QuoteKind::Direct
            } else {
                QuoteKind::Indirect
            };
            out.push(said_by_label(kind, first, colon, end, 0.6));
        }
    }
    *found = out;
}

/// What the label `first..colon` says in `colon + 1..end`.
fn said_by_label(
    kind: QuoteKind,
    first: usize,
    colon: usize,
    end: usize,
    confidence: f32,
) -> Found {
    Found {
        kind,
        content: vec![(colon + 1, end)],
        source: Some((first, colon)),
        cue: Some((colon, colon + 1)),
        confidence,
        continues: None,
    }
}

/// Whether the label's words are all in capitals.
fn is_shouted(doc: &Doc, first: usize, colon: usize) -> bool {
    (first..colon)
        .filter(|&i| doc.is_word(i))
        .all(|i| !doc.s(i).chars().any(char::is_lowercase))
}

/// The colon of a speaker's label opening the tokens `first..end`, followed by a statement.
fn label(doc: &Doc, first: usize, end: usize, names: &[(usize, usize)]) -> Option<usize> {
    let colon = label_end(doc, first, end)?;
    // `names` is in text order and its spans do not overlap: the one that can overlap the label
    // is the first that ends after the label starts.
    let (from, to) = (doc.toks[first].start, doc.toks[colon - 1].end);
    let named = names
        .get(names.partition_point(|&(_, b)| b <= from))
        .is_some_and(|&(a, _)| a < to);
    let words = (colon + 1..end).filter(|&i| doc.is_word(i)).count();
    ((named || is_shouted(doc, first, colon)) && words >= CONTENT_WORDS).then_some(colon)
}

/// The colon after a paragraph's label: one to [`LABEL_WORDS`] capitalised words (initials'
/// periods between them) opening the paragraph, none of them a word of the page's furniture.
fn label_end(doc: &Doc, start: usize, end: usize) -> Option<usize> {
    let mut words = 0;
    let mut i = start;
    while i < end && !doc.is(i, ":") {
        if doc.capitalised(i) {
            words += 1;
        } else if !doc.is(i, ".") {
            return None;
        }
        if words > LABEL_WORDS {
            return None;
        }
        i += 1;
    }
    if i >= end || words == 0 || doc.s(start).chars().count() < 2 {
        return None;
    }
    let first = doc.lower(start);
    let first = first.split(['\'', '\u{2019}']).next().unwrap_or(first);
    (!NOT_SPEAKERS.contains(&first)).then_some(i)
}
