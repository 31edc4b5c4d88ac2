//! Sentence boundaries: decides, over one paragraph's tokens, where each sentence ends.
//!
//! Part of the `segment` stage (`newsflow.articles.ingested` → `newsflow.articles.segmented`).
//! Pure and total. A boundary is only ever placed between two tokens, so sentences tile the
//! paragraph's tokens by construction; the rules below only choose which gaps are boundaries.
//!
//! The rules, in the order they are tried at each token:
//! 1. A list bullet (`•`, or `-`/`*` at the start of a line) starts a sentence; so does the next
//!    item of a numbered or lettered list the sentence opened with (`1.) … 2.) …`, `a. … b. …`).
//! 2. A line break inside a paragraph ends a sentence when the line before it looks like a
//!    headline: no closing punctuation and clearly shorter than the line after it.
//! 3. A terminator (`.`, `!`, `?`, `…`, an abbreviation's period) ends a sentence depending on
//!    what follows it, after any closing quotes and brackets (which stay with the sentence):
//!    a lower-case word, a comma or a clitic never follows a boundary; a capital, a number or an
//!    opening quote does after a plain period. Abbreviations are judged by their class (see
//!    [`AbbrevClass`]); a three-dot ellipsis ends a sentence only before a capitalised word
//!    other than `I`.

use crate::lexicon::{self, AbbrevClass};
use crate::token::{Info, Kind};
use newsflow_proto::Token;

/// A list item's number or letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListValue {
    Number(u32),
    Letter(u8),
}

impl ListValue {
    fn next(self) -> Self {
        match self {
            Self::Number(n) => Self::Number(n.saturating_add(1)),
            Self::Letter(b) => Self::Letter(b.saturating_add(1)),
        }
    }
}

/// What closes a list marker: `1.`, `1)`, `1.)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delim {
    Dot,
    Paren,
    DotParen,
}

/// One paragraph's tokens and the text they point into.
struct Para<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    tokens: &'a [Token],
    infos: &'a [Info],
}

impl Para<'_> {
    #[inline]
    fn word(&self, k: usize) -> &str {
        let t = self.tokens[k];
        &self.text[t.start..t.end]
    }

    #[inline]
    fn kind(&self, k: usize) -> Kind {
        self.infos[k].kind
    }

    fn is_close_paren(&self, k: usize) -> bool {
        k < self.tokens.len()
            && self.kind(k) == Kind::CloseBracket
            && !self.infos[k].space_before
            && self.word(k) == ")"
    }

    /// A list marker starting at token `k`: its value, delimiter and token count.
    fn list_marker(&self, k: usize) -> Option<(ListValue, Delim, usize)> {
        let n = self.tokens.len();
        let word = self.word(k);
        let (value, mut len, delim) = match self.kind(k) {
            Kind::Number => {
                // `1.` (the tokenizer keeps a line-opening item number's period) or `1` `.`.
                let digits = word.strip_suffix('.').unwrap_or(word);
                if digits.is_empty()
                    || digits.len() > 3
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                {
                    return None;
                }
                let value = ListValue::Number(digits.parse().ok()?);
                if digits.len() < word.len() {
                    (value, 1, Delim::Dot)
                } else if k + 1 < n
                    && self.kind(k + 1) == Kind::Period
                    && !self.infos[k + 1].space_before
                {
                    (value, 2, Delim::Dot)
                } else if self.is_close_paren(k + 1) {
                    (value, 2, Delim::Paren)
                } else {
                    return None;
                }
            }
            Kind::Abbrev(AbbrevClass::Initial)
                if word.len() == 2 && word.as_bytes()[0].is_ascii_lowercase() =>
            {
                (ListValue::Letter(word.as_bytes()[0]), 1, Delim::Dot)
            }
            Kind::Word
                if word.len() == 1
                    && word.as_bytes()[0].is_ascii_lowercase()
                    && self.is_close_paren(k + 1) =>
            {
                (ListValue::Letter(word.as_bytes()[0]), 2, Delim::Paren)
            }
            _ => return None,
        };
        let delim = if delim == Delim::Dot && self.is_close_paren(k + len) {
            len += 1;
            Delim::DotParen
        } else {
            delim
        };
        // Something must follow the marker on the same line.
        if k + len >= n || self.infos[k + len].newline_before {
            return None;
        }
        Some((value, delim, len))
    }

    /// Whether a line break before token `k` ends the sentence (rule 2).
    fn headline_break(&self, k: usize) -> bool {
        let prev = &self.infos[k - 1];
        let next = &self.infos[k];
        if !matches!(
            prev.kind,
            Kind::Word | Kind::Number | Kind::Clitic | Kind::CloseQuote | Kind::Url
        ) || !(next.upper || next.kind == Kind::Number || next.kind == Kind::OpenQuote)
        {
            return false;
        }
        let bytes = self.text.as_bytes();
        let prev_end = self.tokens[k - 1].end;
        let next_start = self.tokens[k].start;
        let prev_line_start = bytes[self.start..prev_end]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(self.start, |p| self.start + p + 1);
        let next_line_end = bytes[next_start..self.end]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.end, |p| next_start + p);
        let prev_len = prev_end - prev_line_start;
        let next_len = next_line_end - next_start;
        prev_len * 10 < next_len * 7
    }

    /// Whether tokens `s..i` form only an opening phrase of time (`At 5`), so that an `a.m.`
    /// at `i` cannot end the sentence.
    fn time_phrase_only(&self, s: usize, i: usize) -> bool {
        i - s <= 4 && self.kind(s) == Kind::Word && lexicon::opens_time_phrase(self.word(s))
    }

    /// After a plain period, `!`, `?` or a long ellipsis: a boundary unless a lower-case word,
    /// a comma or a clitic follows.
    fn plain_boundary(&self, j: usize) -> bool {
        let next = &self.infos[j];
        match next.kind {
            Kind::Comma | Kind::Clitic => false,
            _ => !next.lower,
        }
    }

    /// After a weak abbreviation: a boundary only before a typical sentence opener.
    fn weak_boundary(&self, j: usize) -> bool {
        let next = &self.infos[j];
        match next.kind {
            Kind::OpenQuote | Kind::Bullet => true,
            Kind::Word => next.upper && lexicon::opens_sentence(self.word(j)),
            _ => false,
        }
    }

    /// If the terminator at `i` ends the sentence that started at `s`, the index of the
    /// sentence's last token (the terminator or a closing quote or bracket after it).
    ///
    /// `content` says whether the sentence has a word, number or symbol before `i`: punctuation
    /// that opens a sentence (`. . . The practice …`, `"...For the sake`) never ends it.
    fn boundary(&self, s: usize, i: usize, content: bool) -> Option<usize> {
        let n = self.tokens.len();
        let kind = self.kind(i);
        let terminator = matches!(
            kind,
            Kind::Period | Kind::Bang | Kind::Ellipsis | Kind::LongEllipsis | Kind::Abbrev(_)
        );
        if !terminator || (!content && !matches!(kind, Kind::Abbrev(_))) {
            return None;
        }
        let mut j = i + 1;
        while j < n && matches!(self.kind(j), Kind::CloseQuote | Kind::CloseBracket) {
            j += 1;
        }
        if j == n {
            return Some(n - 1);
        }
        let next = &self.infos[j];
        // A sentence ends before whitespace (`Ill.-based`, `$.50`, `end.)5` are inside one),
        // except after the CJK full stops, which take no space.
        if !next.space_before && !self.word(j - 1).starts_with(['。', '！', '？']) {
            return None;
        }
        let ends = match kind {
            Kind::Period | Kind::Bang | Kind::LongEllipsis => {
                // A period followed by a spaced ellipsis: the ellipsis opens the next sentence
                // if a capital follows it, else the whole run is inside the sentence.
                if next.kind == Kind::Ellipsis && kind != Kind::Bang {
                    j + 1 < n && self.ellipsis_boundary(j + 1)
                } else {
                    self.plain_boundary(j)
                }
            }
            Kind::Ellipsis => self.ellipsis_boundary(j),
            Kind::Abbrev(AbbrevClass::Title | AbbrevClass::Inner | AbbrevClass::NumberPrefix) => {
                false
            }
            Kind::Abbrev(AbbrevClass::Weak) => self.weak_boundary(j),
            Kind::Abbrev(AbbrevClass::Time) => match next.kind {
                Kind::OpenQuote | Kind::Bullet => true,
                Kind::Word if next.upper => {
                    !lexicon::continues_time(self.word(j)) && !self.time_phrase_only(s, i)
                }
                Kind::Abbrev(AbbrevClass::Title) => !self.time_phrase_only(s, i),
                _ => false,
            },
            Kind::Abbrev(AbbrevClass::Initial) => {
                let prev_is_name = i > s && {
                    let p = &self.infos[i - 1];
                    p.upper
                        && matches!(
                            p.kind,
                            Kind::Word | Kind::Abbrev(AbbrevClass::Initial | AbbrevClass::Title)
                        )
                };
                // After a lower-case word it is a letter (`you and I.`, `vitamin C.`) or the
                // start of a name (`writer L. Ron Hubbard`): judged like a weak abbreviation.
                i > s && !prev_is_name && self.weak_boundary(j)
            }
            _ => false,
        };
        ends.then_some(j - 1)
    }

    /// After a three-dot ellipsis (token `j` follows it): a boundary before a capitalised word
    /// other than `I`, or an opening quote.
    fn ellipsis_boundary(&self, j: usize) -> bool {
        let next = &self.infos[j];
        match next.kind {
            Kind::OpenQuote => true,
            Kind::Word => next.upper && self.word(j) != "I",
            _ => false,
        }
    }
}

/// Splits one paragraph's tokens into sentences, calling `emit(first, last)` with inclusive
/// token indices (relative to `tokens`) for each sentence in order. Every token lands in exactly
/// one sentence.
pub(crate) fn split(
    text: &str,
    para: (usize, usize),
    tokens: &[Token],
    infos: &[Info],
    mut emit: impl FnMut(usize, usize),
) {
    let n = tokens.len();
    if n == 0 {
        return;
    }
    let p = Para {
        text,
        start: para.0,
        end: para.1,
        tokens,
        infos,
    };
    let mut s = 0;
    // Tokens before `body` belong to the sentence's list marker and are not terminators.
    // The next list item expected, when the sentence opened a list.
    let mut list: Option<(ListValue, Delim)> = None;
    let open = |s: usize, list: &mut Option<(ListValue, Delim)>| -> usize {
        let m = if p.kind(s) == Kind::Bullet && s + 1 < n {
            s + 1
        } else {
            s
        };
        match p.list_marker(m) {
            Some((value, delim, len)) => {
                *list = Some((value.next(), delim));
                m + len
            }
            None => {
                *list = None;
                s
            }
        }
    };
    let mut body = open(s, &mut list);
    // Whether the sentence has a word, number or symbol before token `i`.
    let mut content = false;
    let mut i = 0;
    while i < n {
        if i > s {
            let info = &infos[i];
            let starts = info.kind == Kind::Bullet
                || (info.space_before
                    && list.is_some_and(|(value, delim)| {
                        matches!(p.list_marker(i), Some((v, d, _)) if v == value && d == delim)
                    }))
                || (info.newline_before
                    && (p.list_marker(i).is_some() || p.headline_break(i)));
            if starts {
                emit(s, i - 1);
                s = i;
                body = open(s, &mut list);
                content = false;
                continue;
            }
        }
        if i >= body
            && let Some(last) = p.boundary(s, i, content)
        {
            emit(s, last);
            s = last + 1;
            i = s;
            if s < n {
                body = open(s, &mut list);
            }
            content = false;
            continue;
        }
        content |= matches!(
            infos[i].kind,
            Kind::Word | Kind::Number | Kind::Abbrev(_) | Kind::Clitic | Kind::Url | Kind::Symbol
        );
        i += 1;
    }
    if s < n {
        emit(s, n - 1);
    }
}
