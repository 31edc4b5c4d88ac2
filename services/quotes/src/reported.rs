//! Tidying the tagger's reported speech with what the sentence's shape says for certain.
//!
//! - **Content fronted before its attribution** (`Moscow could provide Pyongyang help …, the
//!   South Korean government has suggested.`): when the attribution closes the sentence and
//!   only a comma stands between the content and the source, the content is everything from the
//!   sentence's start to that comma. The tagger sometimes starts it later, at a word it reads as
//!   a name or a verb.
//! - **Nothing said is no quote** (`The U.S. has not said how it plans to respond`): a cue that
//!   is negated (`not`, `n't`, `never` in it or just before it) reports that nothing was said.
//!   PolNeAR annotates these too (about 20 of its 2,192 dev attributions); we depart from it,
//!   since a subscriber reading a speaker's quotes would read what they did not say.
//! - **A date is no content** (`…, the Biden administration said Oct. 31.`): a piece of content
//!   that is nothing but a date or a time is when it was said, not what.

use crate::doc::{Doc, Kind};
use crate::find::Found;
use crate::lexicon::is_negation;
use newsflow_proto::{Entities, EntityLabel, QuoteKind, Span};

/// Widens the content of `found` back to its sentence's start where it is fronted before a
/// closing attribution, unless that would take in a quote mark or another attribution's words.
pub(crate) fn widen_fronted(doc: &Doc, found: &mut Found, taken: &[bool]) {
    if found.kind == QuoteKind::Direct {
        return;
    }
    let (Some(source), Some(cue)) = (found.source, found.cue) else {
        return;
    };
    let Some(&(first_start, _)) = found.content.first() else {
        return;
    };
    let Some(&(_, last_end)) = found.content.last() else {
        return;
    };
    // `content , source cue .`
    let comma_before_source = last_end + 1 == source.0 && doc.is(last_end, ",");
    if !comma_before_source || source.1 > cue.0 || !closes_sentence(doc, cue.1) {
        return;
    }
    let mut start = first_start;
    while start > 0
        && !doc.toks[start].sent_start
        && doc.toks[start - 1].para == doc.toks[start].para
    {
        let before = start - 1;
        if doc.toks[before].kind == Kind::Mark || taken[before] {
            return;
        }
        start = before;
    }
    if start < first_start {
        found.content[0].0 = start;
    }
}

/// Whether the cue of `found` says that nothing was said: a negation inside it or just before
/// it (`has not said`, `didn't say`, `never told`).
pub(crate) fn negated(doc: &Doc, found: &Found) -> bool {
    let Some((a, b)) = found.cue else {
        return false;
    };
    (a.saturating_sub(1)..b).any(|i| {
        let word = doc.lower(i);
        is_negation(word) || word.ends_with("n't") || word.ends_with("n\u{2019}t")
    })
}

/// Whether the sentence ends at token `i` (a final stop, the paragraph's end, or a new sentence).
fn closes_sentence(doc: &Doc, i: usize) -> bool {
    match doc.toks.get(i) {
        None => true,
        Some(t) => {
            t.sent_start
                || (matches!(doc.s(i), "." | "!" | "?")
                    && doc.toks.get(i + 1).is_none_or(|n| n.sent_start))
        }
    }
}

/// The dates and times of an article, to tell content that is only one.
pub(crate) struct Dates(Vec<(usize, usize)>);

/// The byte spans of the mentions of `labels`, in text order.
pub(crate) fn spans_of(entities: &Entities, labels: &[EntityLabel]) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = entities
        .mentions
        .iter()
        .filter(|m| labels.contains(&m.label))
        .map(|m| (m.start, m.end))
        .collect();
    spans.sort_unstable();
    spans
}

impl Dates {
    pub(crate) fn new(entities: &Entities) -> Self {
        Self(spans_of(entities, &[EntityLabel::Date, EntityLabel::Time]))
    }

    /// Whether every letter and digit of `span` is inside a date or a time.
    fn only_when(&self, text: &str, span: Span) -> bool {
        let Some(words) = span.get(text) else {
            return false;
        };
        // Mentions do not overlap, so the ones that can cover `span` are a run.
        let mut k = self.0.partition_point(|&(_, end)| end <= span.start);
        let mut any = false;
        for (i, c) in words.char_indices() {
            if !c.is_alphanumeric() {
                continue;
            }
            let at = span.start + i;
            while k < self.0.len() && self.0[k].1 <= at {
                k += 1;
            }
            if k == self.0.len() || self.0[k].0 > at {
                return false;
            }
            any = true;
        }
        any
    }

    /// `content` (byte spans) without the pieces that are nothing but a date or a time, unless
    /// that is all there is.
    pub(crate) fn dropped_from(&self, text: &str, content: Vec<Span>) -> Vec<Span> {
        if content.len() < 2 {
            return content;
        }
        let kept: Vec<Span> = content
            .iter()
            .filter(|s| !self.only_when(text, **s))
            .copied()
            .collect();
        if kept.is_empty() { content } else { kept }
    }
}
