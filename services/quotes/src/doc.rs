//! The working view of one article: our own tokens (so quote marks and punctuation are always
//! separate tokens, whatever the `segment` stage did), paragraphs, and sentence starts taken from
//! the `Segmentation` when it is usable, else found here.

use newsflow_proto::{Segmentation, Span};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Letters, digits and the word-internal marks (`U.S.`, `Russia’s`, `10,000`, `Tae-yul`).
    Word,
    /// A double quotation mark: `“`, `”`, `"`, `«`, `»`, `„`.
    Mark,
    /// Any other punctuation mark or symbol, one char each.
    Punct,
}

/// One token of the working view.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Index of the paragraph the token is in.
    pub para: usize,
    /// Whether a sentence starts at this token.
    pub sent_start: bool,
}

/// Which way a double quotation mark faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Facing {
    Open,
    Close,
    Either,
}

pub(crate) struct Doc<'a> {
    pub text: &'a str,
    pub toks: Vec<Tok>,
    /// Per paragraph, its tokens as a range of indices.
    pub para_tokens: Vec<(usize, usize)>,
    /// Every token lower-cased, one after the other; token `i`'s is
    /// `lower[lower_at[i]..lower_at[i + 1]]`.
    lower: String,
    lower_at: Vec<usize>,
}

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "sen", "rep", "reps", "gov", "gen", "st", "jr", "sr", "lt", "col",
    "capt", "sgt", "prof", "inc", "co", "corp", "ltd", "vs", "etc", "no", "jan", "feb", "mar",
    "apr", "aug", "sep", "sept", "oct", "nov", "dec", "adm", "maj", "cmdr", "rev", "hon", "pres",
    "supt", "ft", "mt", "u.s", "u.k", "u.n", "d.c", "a.m", "p.m", "e.g", "i.e",
];

fn is_double_mark(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '«' | '»' | '„' | '‟')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '$' | '%' | '&' | '@' | '#' | '_')
}

/// Whether a char inside a run of word chars keeps the word going when a word char follows it.
fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '.' | ',' | '/' | '‐' | '‑')
}

/// Whether `word` (without its final period) takes a period as part of itself.
fn takes_period(word: &str) -> bool {
    let lower = word.to_lowercase();
    if word.contains('.') {
        return true; // U.S, D.C, a.m
    }
    if let Some((party, state)) = word.split_once('-')
        && party.len() == 1
        && party.chars().all(|c| c.is_ascii_uppercase())
        && state.len() <= 4
    {
        return true; // party tags: R-Ky., D-Mo.
    }
    let mut chars = word.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return c.is_uppercase(); // initials: J.
    }
    ABBREVIATIONS.contains(&lower.as_str())
}

/// Splits `text[from..to]` into tokens, appending to `out`.
pub(crate) fn tokenize_into(text: &str, from: usize, to: usize, para: usize, out: &mut Vec<Tok>) {
    let slice = &text[from..to];
    let chars: Vec<(usize, char)> = slice.char_indices().map(|(i, c)| (i + from, c)).collect();
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if is_word_char(c) {
            let mut j = i + 1;
            while j < chars.len() {
                let cj = chars[j].1;
                if is_word_char(cj) {
                    j += 1;
                } else if is_joiner(cj) && j + 1 < chars.len() && is_word_char(chars[j + 1].1) {
                    // `,` joins digits only (10,000); the others join any word chars.
                    if cj == ','
                        && !(chars[j - 1].1.is_ascii_digit() && chars[j + 1].1.is_ascii_digit())
                    {
                        break;
                    }
                    j += 2;
                } else {
                    break;
                }
            }
            let mut end = if j < chars.len() { chars[j].0 } else { to };
            if j < chars.len() && chars[j].1 == '.' && takes_period(&text[pos..end]) {
                end += 1;
                j += 1;
            }
            out.push(Tok {
                start: pos,
                end,
                kind: Kind::Word,
                para,
                sent_start: false,
            });
            i = j;
            continue;
        }
        let pair = (c == '\'' || c == '`') && chars.get(i + 1).is_some_and(|&(_, n)| n == c);
        if pair {
            // `''` and ``` `` ```: typewriter double quotation marks.
            out.push(Tok {
                start: pos,
                end: pos + 2,
                kind: Kind::Mark,
                para,
                sent_start: false,
            });
            i += 2;
            continue;
        }
        let end = pos + c.len_utf8();
        let kind = if is_double_mark(c) {
            Kind::Mark
        } else {
            Kind::Punct
        };
        out.push(Tok {
            start: pos,
            end,
            kind,
            para,
            sent_start: false,
        });
        i += 1;
    }
}

fn usable_spans(text: &str, spans: &[Span]) -> bool {
    let mut last = 0;
    for s in spans {
        if s.start < last || s.end < s.start || s.end > text.len() {
            return false;
        }
        if !text.is_char_boundary(s.start) || !text.is_char_boundary(s.end) {
            return false;
        }
        last = s.end;
    }
    !spans.is_empty()
}

/// Paragraphs as runs of non-empty lines separated by line breaks.
pub(crate) fn split_paragraphs(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            let lead = line.len() - line.trim_start().len();
            out.push(Span::new(offset + lead, offset + lead + trimmed.len()));
        }
        offset += line.len();
    }
    out
}

/// Marks sentence starts by rule: after `.`, `!` or `?` (and any closing marks) when the next
/// token opens a quote or starts with an upper-case letter or a digit.
fn mark_sentences_by_rule(text: &str, toks: &mut [Tok]) {
    for i in 0..toks.len() {
        let first_in_para = i == 0 || toks[i - 1].para != toks[i].para;
        if first_in_para {
            toks[i].sent_start = true;
            continue;
        }
        // Find the last non-closing token before i.
        let mut j = i - 1;
        loop {
            let t = &text[toks[j].start..toks[j].end];
            let closing = matches!(t, ")" | "]" | "’" | "'")
                || (toks[j].kind == Kind::Mark && facing(text, toks, j) != Facing::Open);
            if closing && j > 0 && toks[j - 1].para == toks[i].para {
                j -= 1;
            } else {
                break;
            }
        }
        let prev = &text[toks[j].start..toks[j].end];
        let ends = matches!(prev, "." | "!" | "?" | "…");
        let next = text[toks[i].start..].chars().next().unwrap_or(' ');
        let starts = next.is_uppercase()
            || next.is_ascii_digit()
            || (toks[i].kind == Kind::Mark && facing(text, toks, i) != Facing::Close);
        if ends && starts {
            toks[i].sent_start = true;
        }
    }
}

/// Which way the double mark at token `i` faces, from the chars around it.
pub(crate) fn facing(text: &str, toks: &[Tok], i: usize) -> Facing {
    let t = &text[toks[i].start..toks[i].end];
    let before = text[..toks[i].start].chars().next_back();
    let after = text[toks[i].end..].chars().next();
    let space_before = before.is_none_or(|c| c.is_whitespace() || "([{—–-/―".contains(c));
    let space_after = after.is_none_or(|c| c.is_whitespace() || ",.;:!?)]}—–―".contains(c));
    match (space_before, space_after) {
        // The context wins over the glyph: `”Fear.` opens, `word“ ` closes.
        (true, false) => Facing::Open,
        (false, true) => Facing::Close,
        _ => match t {
            "“" | "«" | "„" | "‟" | "``" => Facing::Open,
            "”" | "»" => Facing::Close,
            _ => Facing::Either,
        },
    }
}

impl<'a> Doc<'a> {
    pub(crate) fn new(text: &'a str, seg: &Segmentation) -> Self {
        // Lines, not the segmentation's paragraphs: quote structure (a quote running on with
        // the opening mark repeated) follows line starts, and some feeds break paragraphs with
        // single newlines.
        let paras = split_paragraphs(text);
        let mut toks = Vec::new();
        for (p, span) in paras.iter().enumerate() {
            tokenize_into(text, span.start, span.end, p, &mut toks);
        }
        let sent_spans: Vec<Span> = seg
            .sentences
            .iter()
            .map(|s| Span::new(s.start, s.end))
            .collect();
        if usable_spans(text, &sent_spans) {
            let mut k = 0;
            for tok in toks.iter_mut() {
                while k < sent_spans.len() && sent_spans[k].start < tok.start {
                    k += 1;
                }
                tok.sent_start = k < sent_spans.len() && sent_spans[k].start < tok.end;
            }
            // Paragraph starts are always sentence starts.
            let mut last_para = usize::MAX;
            for tok in toks.iter_mut() {
                if tok.para != last_para {
                    tok.sent_start = true;
                    last_para = tok.para;
                }
            }
        } else {
            mark_sentences_by_rule(text, &mut toks);
        }
        let mut para_tokens = vec![(0, 0); paras.len()];
        let mut k = 0;
        for (p, range) in para_tokens.iter_mut().enumerate() {
            let start = k;
            while k < toks.len() && toks[k].para == p {
                k += 1;
            }
            *range = (start, k);
        }
        let mut lower = String::with_capacity(text.len());
        let mut lower_at = Vec::with_capacity(toks.len() + 1);
        lower_at.push(0);
        for t in &toks {
            let s = &text[t.start..t.end];
            if s.is_ascii() {
                lower.extend(s.bytes().map(|b| char::from(b.to_ascii_lowercase())));
            } else {
                lower.push_str(&s.to_lowercase());
            }
            lower_at.push(lower.len());
        }
        Self {
            text,
            toks,
            para_tokens,
            lower,
            lower_at,
        }
    }

    pub(crate) fn s(&self, i: usize) -> &'a str {
        &self.text[self.toks[i].start..self.toks[i].end]
    }

    /// Token `i` lower-cased (`str::to_lowercase` of the token alone).
    pub(crate) fn lower(&self, i: usize) -> &str {
        &self.lower[self.lower_at[i]..self.lower_at[i + 1]]
    }

    pub(crate) fn is_word(&self, i: usize) -> bool {
        self.toks[i].kind == Kind::Word
    }

    pub(crate) fn is(&self, i: usize, s: &str) -> bool {
        self.s(i) == s
    }

    pub(crate) fn capitalised(&self, i: usize) -> bool {
        self.is_word(i) && self.s(i).chars().next().is_some_and(char::is_uppercase)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        tokenize_into(text, 0, text.len(), 0, &mut out);
        out.iter().map(|t| &text[t.start..t.end]).collect()
    }

    #[test]
    fn tokenizer_keeps_abbreviations_and_splits_quote_marks() {
        assert_eq!(
            words("“We’ve seen U.S. troops,” Mr. Cho said. 10,000 men."),
            vec![
                "“", "We’ve", "seen", "U.S.", "troops", ",", "”", "Mr.", "Cho", "said", ".",
                "10,000", "men", "."
            ]
        );
    }

    #[test]
    fn tokenizer_splits_dashes_between_words() {
        assert_eq!(
            words("adversaries—North Korea"),
            vec!["adversaries", "—", "North", "Korea"]
        );
        assert_eq!(words("Cho Tae-yul"), vec!["Cho", "Tae-yul"]);
    }

    #[test]
    fn rule_sentences_do_not_break_after_abbreviations() {
        let text = "Lloyd J. Austin III spoke on Oct. 31. He left.";
        let doc = Doc::new(text, &Segmentation::default());
        let starts: Vec<&str> = (0..doc.toks.len())
            .filter(|&i| doc.toks[i].sent_start)
            .map(|i| doc.s(i))
            .collect();
        assert_eq!(starts, vec!["Lloyd", "He"]);
    }
}
