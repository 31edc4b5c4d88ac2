//! The tokenizer: splits one paragraph into tokens and classifies each for the sentence rules.
//!
//! Part of the `segment` stage (`newsflow.articles.ingested` → `newsflow.articles.segmented`).
//! Pure and total: any `&str` in, tokens on char boundaries out, never a panic. One pass over the
//! bytes with ASCII fast paths; no allocation except pushing onto the caller's vectors.

use crate::lexicon::{self, AbbrevClass};
use newsflow_proto::Token;

/// What a token is, as far as the sentence rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Letters (and digits, hyphens, inner periods) starting with a letter.
    Word,
    /// Starts with a digit: `8,000`, `3.5`, `10:30`, `5th`, `1996-08-22`.
    Number,
    /// A word with its period attached: `Oct.`, `U.S.`, `J.`.
    Abbrev(AbbrevClass),
    /// A clitic split off a word: `'s`, `n't`, `'ll`.
    Clitic,
    /// A lone period.
    Period,
    /// A run of `!` and `?`.
    Bang,
    /// A three-dot ellipsis: `...`, `…`, `. . .`.
    Ellipsis,
    /// Four or more dots: `....`, `. . . .`.
    LongEllipsis,
    /// An opening quote mark.
    OpenQuote,
    /// A closing quote mark.
    CloseQuote,
    /// `(`, `[`, `{`.
    OpenBracket,
    /// `)`, `]`, `}`.
    CloseBracket,
    /// `,`, `;`, `:`.
    Comma,
    /// A list bullet: `•`, `⁃`, `▪`, …
    Bullet,
    /// A URL or an e-mail address.
    Url,
    /// Anything else: dashes, currency, `%`, `&`, emoji.
    Symbol,
}

/// Per-token facts for the sentence rules; kept beside [`Token`] in a scratch vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Info {
    pub kind: Kind,
    /// Whitespace comes right before the token (or it starts the paragraph).
    pub space_before: bool,
    /// A line break comes right before the token.
    pub newline_before: bool,
    /// The first character is an upper-case letter.
    pub upper: bool,
    /// The first character is a lower-case letter.
    pub lower: bool,
}

/// Whether `c` is whitespace for segmentation purposes (Unicode `White_Space`).
#[inline]
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

#[inline]
fn is_combining(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// A character that belongs inside a word.
#[inline]
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else {
        c.is_alphanumeric() || is_combining(c)
    }
}

#[inline]
fn is_bullet(c: char) -> bool {
    matches!(
        c,
        '•' | '⁃'
            | '‣'
            | '◦'
            | '▪'
            | '▫'
            | '●'
            | '○'
            | '■'
            | '□'
            | '►'
            | '▸'
            | '➢'
            | '➤'
            | '∙'
    )
}

/// Characters that glue onto the symbol before them: variation selectors, joiners, skin tones,
/// keycaps, tags, combining marks.
#[inline]
fn is_symbol_extender(c: char) -> bool {
    matches!(c as u32,
        0xFE00..=0xFE0F | 0x1F3FB..=0x1F3FF | 0x20E3 | 0xE0020..=0xE007F)
        || is_combining(c)
}

#[inline]
fn is_regional_indicator(c: char) -> bool {
    matches!(c as u32, 0x1F1E6..=0x1F1FF)
}

/// A cursor over the paragraph text.
struct Cursor<'a> {
    text: &'a str,
    bytes: &'a [u8],
    end: usize,
}

impl Cursor<'_> {
    /// The char at byte `i` (which must be a char boundary below `end`), and its length.
    #[inline]
    fn char_at(&self, i: usize) -> Option<(char, usize)> {
        if i >= self.end {
            return None;
        }
        let b = self.bytes[i];
        if b < 0x80 {
            return Some((b as char, 1));
        }
        let c = self.text[i..].chars().next()?;
        Some((c, c.len_utf8()))
    }

    #[inline]
    fn byte(&self, i: usize) -> Option<u8> {
        if i < self.end {
            Some(self.bytes[i])
        } else {
            None
        }
    }

    #[inline]
    fn is_word_at(&self, i: usize) -> bool {
        match self.byte(i) {
            None => false,
            Some(b) if b < 0x80 => b.is_ascii_alphanumeric() || b == b'_',
            Some(_) => self.char_at(i).is_some_and(|(c, _)| is_word_char(c)),
        }
    }

    #[inline]
    fn is_digit_at(&self, i: usize) -> bool {
        self.byte(i).is_some_and(|b| b.is_ascii_digit())
    }

    /// Whether the next non-space character at or after `i` is an ASCII digit.
    fn digit_follows(&self, mut i: usize) -> bool {
        while let Some((c, len)) = self.char_at(i) {
            if !is_space(c) {
                return c.is_ascii_digit();
            }
            i += len;
        }
        false
    }

    /// The end of the run of non-space characters starting at `i`.
    fn run_end(&self, mut i: usize) -> usize {
        while let Some((c, len)) = self.char_at(i) {
            if is_space(c) {
                break;
            }
            i += len;
        }
        i
    }

    /// Whether an apostrophe at `i` (of byte length `alen`) starts a clitic (`'s`, `'m`, `'d`,
    /// `'re`, `'ve`, `'ll`) that ends at a non-word char; returns the clitic's end.
    fn clitic_after_apostrophe(&self, i: usize, alen: usize) -> Option<usize> {
        let s = i + alen;
        let mut e = s;
        while e < self.end && self.bytes[e].is_ascii_alphabetic() && e - s < 3 {
            e += 1;
        }
        if e == s || self.is_word_at(e) {
            return None;
        }
        let piece = &self.bytes[s..e];
        let is_clitic = piece.eq_ignore_ascii_case(b"s")
            || piece.eq_ignore_ascii_case(b"m")
            || piece.eq_ignore_ascii_case(b"d")
            || piece.eq_ignore_ascii_case(b"re")
            || piece.eq_ignore_ascii_case(b"ve")
            || piece.eq_ignore_ascii_case(b"ll");
        is_clitic.then_some(e)
    }

    /// The apostrophe at `i`, if any: `'` or `’`, with its byte length.
    #[inline]
    fn apostrophe_at(&self, i: usize) -> Option<usize> {
        match self.byte(i)? {
            b'\'' => Some(1),
            0xE2 if self.bytes.get(i..i + 3) == Some("’".as_bytes()) && i + 3 <= self.end => {
                Some(3)
            }
            _ => None,
        }
    }
}

/// Trims trailing punctuation off a URL or e-mail run, keeping a `)` that closes a `(` inside.
fn trim_url(text: &str, start: usize, mut end: usize) -> usize {
    let run = &text.as_bytes()[start..end];
    let mut open = run.iter().filter(|&&b| b == b'(').count();
    let mut close = run.iter().filter(|&&b| b == b')').count();
    loop {
        let Some(c) = text[start..end].chars().next_back() else {
            return end;
        };
        let trim = match c {
            '.' | ',' | ';' | ':' | '!' | '?' | '"' | '\'' | '”' | '’' | '»' | ']' | '}' | '>'
            | '…' => true,
            ')' => open < close,
            _ => false,
        };
        if !trim || end - c.len_utf8() <= start {
            return end;
        }
        match c {
            ')' => close -= 1,
            '(' => open -= 1,
            _ => {}
        }
        end -= c.len_utf8();
    }
}

fn starts_url(bytes: &[u8]) -> bool {
    let prefix = |p: &[u8]| bytes.len() > p.len() && bytes[..p.len()].eq_ignore_ascii_case(p);
    prefix(b"http://") || prefix(b"https://") || prefix(b"ftp://") || prefix(b"www.")
}

/// Appends the tokens of `text[start..end]` to `tokens` and their facts to `infos`.
///
/// `start..end` must be on char boundaries of `text`. Offsets are absolute into `text`.
pub(crate) fn tokenize(
    text: &str,
    start: usize,
    end: usize,
    tokens: &mut Vec<Token>,
    infos: &mut Vec<Info>,
) {
    let cur = Cursor {
        text,
        bytes: text.as_bytes(),
        end,
    };
    let mut i = start;
    let mut space_before = true;
    let mut newline_before = false;
    // End of the previous token, to tell whether an apostrophe is glued to it.
    let mut prev_end = usize::MAX;
    let push = |tokens: &mut Vec<Token>,
                infos: &mut Vec<Info>,
                s: usize,
                e: usize,
                kind: Kind,
                space_before: bool,
                newline_before: bool| {
        let first = text[s..e].chars().next().unwrap_or(' ');
        tokens.push(Token { start: s, end: e });
        infos.push(Info {
            kind,
            space_before,
            newline_before,
            upper: first.is_uppercase(),
            lower: first.is_lowercase(),
        });
    };
    while let Some((c, clen)) = cur.char_at(i) {
        if is_space(c) {
            space_before = true;
            newline_before |= c == '\n';
            i += clen;
            continue;
        }
        let s = i;
        let sb = space_before;
        let nb = newline_before;
        space_before = false;
        newline_before = false;

        if is_word_char(c) {
            // URLs starting with a scheme or `www.`.
            if (c == 'h' || c == 'H' || c == 'w' || c == 'W' || c == 'f' || c == 'F')
                && starts_url(&cur.bytes[s..end])
            {
                let e = trim_url(text, s, cur.run_end(s));
                push(tokens, infos, s, e, Kind::Url, sb, nb);
                prev_end = e;
                i = e;
                continue;
            }
            let w = scan_word(&cur, s);
            match w {
                Scanned::Url(e) => {
                    push(tokens, infos, s, e, Kind::Url, sb, nb);
                    prev_end = e;
                    i = e;
                }
                Scanned::Word { end: e, clitic } => {
                    let numeric = c.is_ascii_digit();
                    let mut kind = if numeric { Kind::Number } else { Kind::Word };
                    let mut e_tok = e;
                    if clitic.is_none()
                        && !numeric
                        && cur.byte(e) == Some(b'.')
                        && let Some(class) = period_attaches(&cur, s, e)
                    {
                        kind = Kind::Abbrev(class);
                        e_tok = e + 1;
                    } else if numeric && (nb || s == start) && is_item_number(&cur, s, e) {
                        // `1.` opening a line: a list item's number keeps its period.
                        e_tok = e + 1;
                    }
                    push(tokens, infos, s, e_tok, kind, sb, nb);
                    prev_end = e_tok;
                    i = e_tok;
                    if let Some((cs, ce)) = clitic {
                        push(tokens, infos, cs, ce, Kind::Clitic, false, false);
                        prev_end = ce;
                        i = ce;
                    }
                }
            }
            continue;
        }

        // Apostrophe glued to the previous token: a clitic (`Jr.'s`) or a closing quote.
        if let Some(alen) = cur.apostrophe_at(s)
            && prev_end == s
            && let Some(e) = cur.clitic_after_apostrophe(s, alen)
        {
            push(tokens, infos, s, e, Kind::Clitic, sb, nb);
            prev_end = e;
            i = e;
            continue;
        }

        let (kind, e) = match c {
            // A signed number: `+44`, `-0.05`, `−3`.
            '+' | '-' | '−' if (sb || prev_opens(text, s, start)) && cur.is_digit_at(s + clen) => {
                let e = match scan_word(&cur, s + clen) {
                    Scanned::Word { end, .. } | Scanned::Url(end) => end,
                };
                (Kind::Number, e)
            }
            // A decimal without its leading zero: `.576`, `.45-caliber`.
            '.' if cur.is_digit_at(s + 1) => {
                let e = match scan_word(&cur, s + 1) {
                    Scanned::Word { end, .. } | Scanned::Url(end) => end,
                };
                (Kind::Number, e)
            }
            '.' => scan_dots(&cur, s, sb),
            '…' => {
                let mut e = s + clen;
                let mut dots = 3;
                while let Some((d, dl)) = cur.char_at(e) {
                    match d {
                        '…' => dots += 3,
                        '.' => dots += 1,
                        _ => break,
                    }
                    e += dl;
                }
                let kind = if dots > 3 {
                    Kind::LongEllipsis
                } else {
                    Kind::Ellipsis
                };
                (kind, e)
            }
            '!' | '?' | '‽' | '¡' | '¿' => {
                let mut e = s + clen;
                while let Some((d, dl)) = cur.char_at(e) {
                    if !matches!(d, '!' | '?' | '‽') {
                        break;
                    }
                    e += dl;
                }
                let kind = if matches!(c, '¡' | '¿') {
                    Kind::Symbol
                } else {
                    Kind::Bang
                };
                (kind, e)
            }
            '。' | '！' | '？' => (Kind::Bang, s + clen),
            '"' | '\'' => {
                let next_space = cur.char_at(s + clen).is_none_or(|(d, _)| is_space(d));
                let opens = (sb || prev_opens(text, s, start)) && !next_space;
                let kind = if opens {
                    Kind::OpenQuote
                } else {
                    Kind::CloseQuote
                };
                (kind, s + clen)
            }
            '“' | '‘' | '«' | '„' | '‚' | '‹' | '「' | '『' => {
                (Kind::OpenQuote, s + clen)
            }
            '”' | '’' | '»' | '›' | '」' | '』' => (Kind::CloseQuote, s + clen),
            '(' | '[' | '{' => (Kind::OpenBracket, s + clen),
            ')' | ']' | '}' => (Kind::CloseBracket, s + clen),
            ',' | ';' | ':' | '،' | '、' | '，' | '；' | '：' => (Kind::Comma, s + clen),
            '-' | '*'
                if (nb || s == start) && cur.char_at(s + 1).is_some_and(|(d, _)| is_space(d)) =>
            {
                (Kind::Bullet, s + clen)
            }
            c if is_bullet(c) => (Kind::Bullet, s + clen),
            '-' => {
                // `--` as a dash.
                let mut e = s + 1;
                while cur.byte(e) == Some(b'-') {
                    e += 1;
                }
                (Kind::Symbol, e)
            }
            c => {
                let mut e = s + clen;
                if is_regional_indicator(c)
                    && let Some((d, dl)) = cur.char_at(e)
                    && is_regional_indicator(d)
                {
                    e += dl;
                }
                while let Some((d, dl)) = cur.char_at(e) {
                    if is_symbol_extender(d) {
                        e += dl;
                    } else if d == '\u{200D}' {
                        e += dl;
                        match cur.char_at(e) {
                            Some((x, xl)) if !is_space(x) => e += xl,
                            _ => {}
                        }
                    } else {
                        break;
                    }
                }
                (Kind::Symbol, e)
            }
        };
        push(tokens, infos, s, e, kind, sb, nb);
        prev_end = e;
        i = e;
    }
}

/// Whether the char before `s` (inside the paragraph) opens something, so a straight quote after
/// it opens too: `("`, `—"`, `“'`.
fn prev_opens(text: &str, s: usize, para_start: usize) -> bool {
    if s <= para_start {
        return true;
    }
    matches!(
        text[para_start..s].chars().next_back(),
        Some('(' | '[' | '{' | '—' | '–' | '-' | '“' | '‘' | '/')
    )
}

/// Dots starting at `s`: a period, an ellipsis (`...`, `. . .`) or a long ellipsis.
fn scan_dots(cur: &Cursor<'_>, s: usize, space_before: bool) -> (Kind, usize) {
    let mut e = s + 1;
    while cur.byte(e) == Some(b'.') {
        e += 1;
    }
    let mut dots = e - s;
    if dots == 1 && space_before {
        // Spaced ellipsis: `. . .`, each dot after one space.
        let mut j = e;
        while cur.byte(j) == Some(b' ') && cur.byte(j + 1) == Some(b'.') {
            j += 2;
            dots += 1;
        }
        if dots >= 3 {
            e = j;
        } else {
            dots = 1;
        }
    }
    let kind = match dots {
        1 => Kind::Period,
        2 | 3 => Kind::Ellipsis,
        _ => Kind::LongEllipsis,
    };
    (kind, e)
}

enum Scanned {
    /// A word or number ending at `end`, maybe followed by a clitic `(start, end)`.
    Word {
        end: usize,
        clitic: Option<(usize, usize)>,
    },
    /// An e-mail address found while scanning, ending at the given offset.
    Url(usize),
}

/// Scans a word or number starting at `s` (a word char).
fn scan_word(cur: &Cursor<'_>, s: usize) -> Scanned {
    let mut i = s;
    loop {
        // The run of word chars.
        while let Some(b) = cur.byte(i) {
            if b < 0x80 {
                if b.is_ascii_alphanumeric() || b == b'_' {
                    i += 1;
                    continue;
                }
                break;
            }
            match cur.char_at(i) {
                Some((c, l)) if is_word_char(c) => i += l,
                _ => break,
            }
        }
        let Some((c, clen)) = cur.char_at(i) else {
            return Scanned::Word {
                end: i,
                clitic: None,
            };
        };
        let after = i + clen;
        let prev_digit = i > s && cur.bytes[i - 1].is_ascii_digit();
        match c {
            '-' | '\u{2010}' | '\u{2011}' if cur.is_word_at(after) => i = after,
            '.' if cur.is_word_at(after) => i = after,
            // `U.S.-led`: an acronym's last period before a hyphenated word.
            '.' if i - s >= 3
                && cur.bytes[i - 2] == b'.'
                && cur.byte(after) == Some(b'-')
                && cur.is_word_at(after + 1) =>
            {
                i = after
            }
            // `US$`, `C$`, `HK$`: a currency sign after a country's letters.
            '$' if i - s <= 3 && cur.bytes[s..i].iter().all(u8::is_ascii_uppercase) => {
                return Scanned::Word {
                    end: after,
                    clitic: None,
                };
            }
            ',' | ':' | '/' if prev_digit && cur.is_digit_at(after) => i = after,
            '&' if cur.bytes[i - 1].is_ascii_uppercase()
                && cur.byte(after).is_some_and(|b| b.is_ascii_uppercase()) =>
            {
                i = after
            }
            '@' if cur.is_word_at(after) => {
                let e = trim_url(cur.text, s, cur.run_end(after));
                return Scanned::Url(e);
            }
            '°' | 'º' if i - s == 1 && matches!(cur.bytes[s], b'N' | b'n') => i = after,
            '\'' | '’' => {
                // `n't`: split before the `n`.
                if i - s >= 2
                    && matches!(cur.bytes[i - 1], b'n' | b'N')
                    && matches!(cur.byte(after), Some(b't' | b'T'))
                    && !cur.is_word_at(after + 1)
                {
                    return Scanned::Word {
                        end: i - 1,
                        clitic: Some((i - 1, after + 1)),
                    };
                }
                if let Some(e) = cur.clitic_after_apostrophe(i, clen) {
                    return Scanned::Word {
                        end: i,
                        clitic: Some((i, e)),
                    };
                }
                if cur.is_word_at(after) {
                    // `O'Brien`, `rock'n'roll`.
                    i = after;
                } else {
                    return Scanned::Word {
                        end: i,
                        clitic: None,
                    };
                }
            }
            _ => {
                return Scanned::Word {
                    end: i,
                    clitic: None,
                };
            }
        }
    }
}

/// Whether `s..e` is a list item's number (one to three digits) followed by a period and a space.
fn is_item_number(cur: &Cursor<'_>, s: usize, e: usize) -> bool {
    e - s <= 3
        && cur.bytes[s..e].iter().all(u8::is_ascii_digit)
        && cur.byte(e) == Some(b'.')
        && cur.char_at(e + 1).is_some_and(|(c, _)| is_space(c))
}

/// Whether the period right after the word `s..e` belongs to it, and as what.
fn period_attaches(cur: &Cursor<'_>, s: usize, e: usize) -> Option<AbbrevClass> {
    // A period followed by more dots is an ellipsis, not an abbreviation's.
    if cur.byte(e + 1) == Some(b'.') {
        return None;
    }
    let word = &cur.text[s..e];
    let wb = word.as_bytes();
    // One letter: an initial.
    let mut chars = word.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return c.is_alphabetic().then_some(AbbrevClass::Initial);
    }
    if let Some(class) = lexicon::lookup(word) {
        if class == AbbrevClass::NumberPrefix && !cur.digit_follows(e + 1) {
            return None;
        }
        return Some(class);
    }
    // Single letters joined by periods: `U.S`, `E.U`, `D.C`.
    let acronym = wb.len() >= 3
        && wb.len() % 2 == 1
        && wb.iter().enumerate().all(|(k, &b)| {
            if k % 2 == 0 {
                b.is_ascii_alphabetic()
            } else {
                b == b'.'
            }
        });
    acronym.then_some(AbbrevClass::Weak)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<&str> {
        let mut tokens = Vec::new();
        let mut infos = Vec::new();
        tokenize(text, 0, text.len(), &mut tokens, &mut infos);
        tokens.iter().map(|t| &text[t.start..t.end]).collect()
    }

    fn kinds(text: &str) -> Vec<Kind> {
        let mut tokens = Vec::new();
        let mut infos = Vec::new();
        tokenize(text, 0, text.len(), &mut tokens, &mut infos);
        infos.iter().map(|i| i.kind).collect()
    }

    #[test]
    fn punctuation_and_quotes_split_off_words() {
        assert_eq!(
            toks("“Hello, world!” she said."),
            ["“", "Hello", ",", "world", "!", "”", "she", "said", "."]
        );
    }

    #[test]
    fn negation_clitic_splits_before_the_n() {
        assert_eq!(toks("I can't go"), ["I", "ca", "n't", "go"]);
        assert_eq!(toks("They don’t."), ["They", "do", "n’t", "."]);
    }

    #[test]
    fn possessive_and_verb_clitics_split_off() {
        assert_eq!(toks("Russia’s war"), ["Russia", "’s", "war"]);
        assert_eq!(toks("We've won"), ["We", "'ve", "won"]);
        assert_eq!(toks("JFK Jr.'s book"), ["JFK", "Jr.", "'s", "book"]);
    }

    #[test]
    fn names_with_apostrophes_stay_whole() {
        assert_eq!(toks("O'Brien left"), ["O'Brien", "left"]);
    }

    #[test]
    fn hyphenated_words_and_numbers_stay_whole() {
        assert_eq!(
            toks("long-range 8,000 3.5 10:30 1996-08-22 Tae-yul"),
            [
                "long-range",
                "8,000",
                "3.5",
                "10:30",
                "1996-08-22",
                "Tae-yul"
            ]
        );
    }

    #[test]
    fn abbreviations_keep_their_period() {
        assert_eq!(
            toks("Lloyd J. Austin III in the U.S. on Oct. 31."),
            [
                "Lloyd", "J.", "Austin", "III", "in", "the", "U.S.", "on", "Oct.", "31", "."
            ]
        );
    }

    #[test]
    fn ordinary_words_lose_their_final_period() {
        assert_eq!(toks("It rained."), ["It", "rained", "."]);
    }

    #[test]
    fn number_prefix_keeps_period_only_before_a_number() {
        assert_eq!(toks("No. 10"), ["No.", "10"]);
        assert_eq!(toks("said no. Then"), ["said", "no", ".", "Then"]);
    }

    #[test]
    fn currency_and_percent_split_from_numbers() {
        assert_eq!(toks("$100.00 and 12%"), ["$", "100.00", "and", "12", "%"]);
    }

    #[test]
    fn urls_and_emails_are_single_tokens_without_final_period() {
        assert_eq!(
            toks("See https://example.com/a_b.html. Mail jane.doe@example.com."),
            [
                "See",
                "https://example.com/a_b.html",
                ".",
                "Mail",
                "jane.doe@example.com",
                "."
            ]
        );
    }

    #[test]
    fn decimal_without_leading_zero_is_a_number() {
        assert_eq!(
            toks("NEW YORK 72 53 .576 -"),
            ["NEW", "YORK", "72", "53", ".576", "-"]
        );
        assert_eq!(kinds(".45"), [Kind::Number]);
        assert_eq!(toks("paid $.8787"), ["paid", "$", ".8787"]);
    }

    #[test]
    fn url_keeps_a_balanced_closing_parenthesis() {
        assert_eq!(
            toks("(see https://en.wikipedia.org/wiki/Kursk_(city))."),
            [
                "(",
                "see",
                "https://en.wikipedia.org/wiki/Kursk_(city)",
                ")",
                "."
            ]
        );
    }

    #[test]
    fn signed_numbers_and_currency_prefixes_stay_whole() {
        assert_eq!(
            toks("Call +44 171 or (-0.05) for US$ 5 and C$10 at -3"),
            [
                "Call", "+44", "171", "or", "(", "-0.05", ")", "for", "US$", "5", "and", "C$",
                "10", "at", "-3"
            ]
        );
    }

    #[test]
    fn acronym_before_a_hyphen_stays_in_the_word() {
        assert_eq!(toks("U.S.-led forces"), ["U.S.-led", "forces"]);
    }

    #[test]
    fn list_number_opening_a_line_keeps_its_period() {
        assert_eq!(
            toks("1. Ann Lee\n2. Bo Li 3. Cy"),
            ["1.", "Ann", "Lee", "2.", "Bo", "Li", "3", ".", "Cy"]
        );
    }

    #[test]
    fn ellipses_are_single_tokens() {
        assert_eq!(
            toks("wait... so … and . . . then"),
            ["wait", "...", "so", "…", "and", ". . .", "then"]
        );
        assert_eq!(
            kinds("end. . . ."),
            [Kind::Word, Kind::Period, Kind::Ellipsis]
        );
        assert_eq!(kinds("end . . . ."), [Kind::Word, Kind::LongEllipsis]);
    }

    #[test]
    fn straight_quotes_open_after_space_and_close_after_text() {
        assert_eq!(
            kinds("\"Yes.\" "),
            [Kind::OpenQuote, Kind::Word, Kind::Period, Kind::CloseQuote]
        );
    }

    #[test]
    fn em_dash_splits_words() {
        assert_eq!(
            toks("adversaries—North Korea"),
            ["adversaries", "—", "North", "Korea"]
        );
    }

    #[test]
    fn emoji_sequences_stay_one_token() {
        assert_eq!(toks("ok 👍🏽 👨‍👩‍👧 🇺🇦!"), ["ok", "👍🏽", "👨‍👩‍👧", "🇺🇦", "!"]);
    }

    #[test]
    fn decomposed_accents_stay_inside_words() {
        assert_eq!(toks("cafe\u{301} ok"), ["cafe\u{301}", "ok"]);
    }

    #[test]
    fn degree_sign_number_abbreviation_is_one_token() {
        assert_eq!(toks("N°. 1026.253.553."), ["N°.", "1026.253.553", "."]);
    }
}
