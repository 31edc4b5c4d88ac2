//! Precise rules for the value entities the tagger does not learn: DATE, TIME, MONEY, PERCENT,
//! QUANTITY, CARDINAL, and NORP (nationalities, religious and political groups) from the
//! lexicon. They work on one sentence's tokens and return token spans.

use crate::lexicon::{
    APPROX, APPROX2, CURRENCY_PREFIXES, CURRENCY_WORDS, DATE_WORDS, MONTHS, NATIONALITIES, PERIODS,
    RATE_UNITS, SCALES, SMALL_NUMBERS, UNITS, VAGUE_COUNTS, WEEKDAYS,
};
use newsflow_proto::EntityLabel;
use std::borrow::Cow;

/// A rule match: tokens `start..end` of the sentence, with its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleSpan {
    /// First token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// What was found.
    pub label: EntityLabel,
}

/// `w` with curly single quotes made straight; borrowed when there is none.
fn norm(w: &str) -> Cow<'_, str> {
    if w.contains(['\u{2019}', '\u{2018}']) {
        Cow::Owned(w.replace(['\u{2019}', '\u{2018}'], "'"))
    } else {
        Cow::Borrowed(w)
    }
}

fn is_digits_number(w: &str) -> bool {
    let b = w.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_digit()
        && b.iter()
            .all(|c| c.is_ascii_digit() || *c == b',' || *c == b'.')
        && !w.ends_with(',')
}

fn is_number(w: &str) -> bool {
    // The number words are lower-case ASCII, so this is `contains(w.to_ascii_lowercase())`.
    is_digits_number(w) || in_ci(SMALL_NUMBERS, w) || is_fraction(w)
}

/// `w.to_lowercase()`, borrowed when that changes nothing (ASCII without capitals).
fn lower(w: &str) -> Cow<'_, str> {
    if w.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(w)
    } else {
        Cow::Owned(w.to_lowercase())
    }
}

fn is_fraction(w: &str) -> bool {
    matches!(w.split_once('/'), Some((a, b)) if !a.is_empty() && !b.is_empty()
        && a.bytes().all(|c| c.is_ascii_digit()) && b.bytes().all(|c| c.is_ascii_digit()) && b.len() < 3)
}

fn is_year(w: &str) -> bool {
    w.len() == 4 && w.bytes().all(|c| c.is_ascii_digit()) && matches!(&w[..2], "18" | "19" | "20")
}

fn is_day(w: &str) -> bool {
    // A day starts with a digit; this also rules out an empty `d` below.
    if !w.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    // `trim_end_matches` of each suffix in turn, without building a substring searcher.
    let mut d = w;
    for suffix in ["st", "nd", "rd", "th"] {
        while let Some(rest) = d.strip_suffix(suffix) {
            d = rest;
        }
    }
    !d.is_empty() && d.len() <= 2 && d.bytes().all(|c| c.is_ascii_digit()) && {
        let n: u32 = d.parse().unwrap_or(0);
        (1..=31).contains(&n)
    }
}

fn is_month(w: &str) -> bool {
    MONTHS.contains(&w)
}

fn in_ci(list: &[&str], w: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(w))
}

/// Length of an approximator (`some`, `more than`) ending just before token `i`, if any.
fn approx_before(ws: &[Cow<'_, str>], i: usize) -> usize {
    if i >= 2 {
        let (a, b) = (&ws[i - 2], &ws[i - 1]);
        // The pairs are lower-case ASCII: the same as comparing with `to_ascii_lowercase`.
        if APPROX2
            .iter()
            .any(|&(x, y)| x.eq_ignore_ascii_case(a) && y.eq_ignore_ascii_case(b))
        {
            return 2;
        }
    }
    if i >= 1 && in_ci(APPROX, &ws[i - 1]) {
        return 1;
    }
    0
}

/// Length of a number phrase at `i`: a number and any scale words (`10 million`, `two
/// hundred`), or 0.
fn number_at(ws: &[Cow<'_, str>], i: usize) -> usize {
    if i >= ws.len() || !is_number(&ws[i]) {
        return 0;
    }
    let mut j = i + 1;
    while j < ws.len() && in_ci(SCALES, &ws[j]) {
        j += 1;
    }
    j - i
}

/// Finds value entities in one sentence.
pub fn values(words: &[&str]) -> Vec<RuleSpan> {
    let ws: Vec<Cow<'_, str>> = words.iter().map(|w| norm(w)).collect();
    let lw: Vec<Cow<'_, str>> = ws.iter().map(|w| lower(w)).collect();
    let n = ws.len();
    let mut out: Vec<RuleSpan> = Vec::new();
    let mut i = 0;
    let push = |out: &mut Vec<RuleSpan>, s: usize, e: usize, label| {
        out.push(RuleSpan {
            start: s,
            end: e,
            label,
        });
    };
    while i < n {
        let w: &str = &ws[i];
        let l: &str = &lw[i];
        // Dates: month-led.
        if is_month(w) && (!matches!(w, "May" | "March") || next_is_date_part(&ws, i + 1)) {
            let mut j = i + 1;
            if j < n && is_day(&ws[j]) {
                j += 1;
                if j + 1 < n && ws[j] == "," && is_year(&ws[j + 1]) {
                    j += 2;
                } else if j < n && is_year(&ws[j]) {
                    j += 1;
                }
            } else if j < n && is_year(&ws[j]) {
                j += 1;
            }
            let bare = j == i + 1;
            let abbrev = w.ends_with('.') || w.len() <= 4;
            if !(bare && abbrev) {
                push(&mut out, i, j, EntityLabel::Date);
                i = j;
                continue;
            }
        }
        // Day-led dates: `31 October 2024`.
        if is_day(w) && i + 1 < n && is_month(&ws[i + 1]) {
            let mut j = i + 2;
            if j < n && is_year(&ws[j]) {
                j += 1;
            }
            push(&mut out, i, j, EntityLabel::Date);
            i = j;
            continue;
        }
        if in_ci(WEEKDAYS, w) && w.chars().next().is_some_and(char::is_uppercase) {
            push(&mut out, i, i + 1, EntityLabel::Date);
            i += 1;
            continue;
        }
        if DATE_WORDS.contains(&l) {
            let label = if l == "tonight" {
                EntityLabel::Time
            } else {
                EntityLabel::Date
            };
            push(&mut out, i, i + 1, label);
            i += 1;
            continue;
        }
        // Relative dates: `last week`, `the coming days`, `next Thursday`.
        if matches!(
            l,
            "last" | "next" | "this" | "coming" | "past" | "previous" | "early" | "late"
        ) && i + 1 < n
            && (PERIODS.contains(&&*lw[i + 1]) || in_ci(WEEKDAYS, &ws[i + 1]))
        {
            let start = if i > 0 && lw[i - 1] == "the" {
                i - 1
            } else {
                i
            };
            push(&mut out, start, i + 2, EntityLabel::Date);
            i += 2;
            continue;
        }
        // ISO and slashed dates, decades.
        if is_iso_date(w) || is_decade(w) {
            push(&mut out, i, i + 1, EntityLabel::Date);
            i += 1;
            continue;
        }
        // Times: `3 p.m.`, `10:30`, `noon`.
        if matches!(l, "noon" | "midnight") {
            push(&mut out, i, i + 1, EntityLabel::Time);
            i += 1;
            continue;
        }
        if is_clock(w) || (is_digits_number(w) && i + 1 < n && is_ampm(&lw[i + 1])) {
            let j = if i + 1 < n && is_ampm(&lw[i + 1]) {
                i + 2
            } else {
                i + 1
            };
            push(&mut out, i, j, EntityLabel::Time);
            i = j;
            continue;
        }
        // Money: `$5 million`, `US$ 3`, `5 million dollars`, `$5`.
        if CURRENCY_PREFIXES.contains(&w) && number_at(&ws, i + 1) > 0 {
            let a = approx_before(&ws, i);
            let j = i + 1 + number_at(&ws, i + 1);
            push(&mut out, i - a, j, EntityLabel::Money);
            i = j;
            continue;
        }
        if let Some(rest) = currency_glued(w)
            && is_digits_number(rest)
        {
            let a = approx_before(&ws, i);
            let mut j = i + 1;
            while j < n && in_ci(SCALES, &ws[j]) {
                j += 1;
            }
            push(&mut out, i - a, j, EntityLabel::Money);
            i = j;
            continue;
        }
        let num = number_at(&ws, i);
        if num > 0 {
            let a = approx_before(&ws, i);
            let j = i + num;
            let start = i - a;
            if j < n && CURRENCY_WORDS.contains(&&*lw[j]) {
                push(&mut out, start, j + 1, EntityLabel::Money);
                i = j + 1;
                continue;
            }
            if j < n && (ws[j] == "%" || lw[j] == "percent" || lw[j] == "pct") {
                push(&mut out, start, j + 1, EntityLabel::Percent);
                i = j + 1;
                continue;
            }
            if j + 1 < n && lw[j] == "per" && lw[j + 1] == "cent" {
                push(&mut out, start, j + 2, EntityLabel::Percent);
                i = j + 2;
                continue;
            }
            if j < n && UNITS.contains(&&*ws[j]) {
                push(&mut out, start, j + 1, EntityLabel::Quantity);
                i = j + 1;
                continue;
            }
            // A rate: `1,000 casualties per day`.
            if j + 2 < n
                && is_plain_noun(&ws[j])
                && matches!(&*lw[j + 1], "per" | "a" | "an" | "each")
                && RATE_UNITS.contains(&&*lw[j + 2])
            {
                push(&mut out, start, j + 3, EntityLabel::Quantity);
                i = j + 3;
                continue;
            }
            // `N years ago` is a date.
            if j + 1 < n && PERIODS.contains(&&*lw[j]) && lw[j + 1] == "ago" {
                push(&mut out, start, j + 2, EntityLabel::Date);
                i = j + 2;
                continue;
            }
            // A bare year after a preposition is a date.
            // A bare year is a date unless it counts something (`2000 troops`).
            let counts_next = lw.get(j).is_some_and(|x| {
                x.len() > 3 && x.ends_with('s') && x.chars().all(|c| c.is_ascii_lowercase())
            });
            if num == 1 && is_year(w) && a == 0 && (year_context(&lw, i) || !counts_next) {
                push(&mut out, i, j, EntityLabel::Date);
                i = j;
                continue;
            }
            push(&mut out, start, j, EntityLabel::Cardinal);
            i = j;
            continue;
        }
        if VAGUE_COUNTS.contains(&l) && w.chars().next().is_some_and(char::is_lowercase) {
            push(&mut out, i, i + 1, EntityLabel::Cardinal);
            i += 1;
            continue;
        }
        i += 1;
    }
    out
}

fn next_is_date_part(ws: &[Cow<'_, str>], i: usize) -> bool {
    ws.get(i).is_some_and(|w| is_day(w) || is_year(w))
}

fn year_context(lw: &[Cow<'_, str>], i: usize) -> bool {
    i > 0
        && matches!(
            &*lw[i - 1],
            "in" | "since"
                | "by"
                | "until"
                | "from"
                | "of"
                | "to"
                | "during"
                | "before"
                | "after"
                | "early"
                | "late"
                | "mid"
                | "between"
                | "and"
                | "through"
        )
}

fn is_plain_noun(w: &str) -> bool {
    w.chars().all(|c| c.is_ascii_lowercase()) && w.len() > 2
}

fn currency_glued(w: &str) -> Option<&str> {
    ["US$", "$", "€", "£", "¥"]
        .iter()
        .find_map(|p| w.strip_prefix(p))
        .filter(|r| !r.is_empty())
}

fn is_ampm(l: &str) -> bool {
    matches!(l, "a.m." | "p.m." | "am" | "pm" | "a.m" | "p.m")
}

fn is_clock(w: &str) -> bool {
    match w.split_once(':') {
        Some((h, m)) => {
            !h.is_empty()
                && h.len() <= 2
                && m.len() == 2
                && h.bytes().all(|c| c.is_ascii_digit())
                && m.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

fn is_iso_date(w: &str) -> bool {
    // Three parts need separators; most words have none (and then nothing is allocated).
    if !w.bytes().any(|b| b == b'-' || b == b'/') {
        return false;
    }
    let parts: Vec<&str> = w.split(['-', '/']).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
        && (is_year(parts[0]) || is_year(parts[2]))
}

fn is_decade(w: &str) -> bool {
    let d = w.strip_suffix("s").unwrap_or("");
    (d.len() == 4 && is_year(d) && d.ends_with('0'))
        || (d.len() == 3 && d.starts_with('\'') && d.ends_with('0'))
}

/// Finds nationality and group words (`North Korean`, `Ukrainian`) in one sentence; the
/// longest entry wins.
pub fn norp(words: &[&str]) -> Vec<RuleSpan> {
    static INDEX: std::sync::OnceLock<crate::lexicon::PhraseIndex> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        crate::lexicon::PhraseIndex::new(NATIONALITIES.iter().map(|(name, _)| *name))
    });
    let ws: Vec<Cow<'_, str>> = words.iter().map(|w| norm(w)).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        let best = index.longest(&ws[i..]);
        if best > 0 {
            out.push(RuleSpan {
                start: i,
                end: i + best,
                label: EntityLabel::Norp,
            });
            i += best;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(s: &str) -> Vec<(String, EntityLabel)> {
        let words: Vec<&str> = s.split(' ').collect();
        values(&words)
            .into_iter()
            .map(|r| (words[r.start..r.end].join(" "), r.label))
            .collect()
    }

    #[test]
    fn values_find_dates_with_abbreviated_months_and_weekdays() {
        assert_eq!(
            found("the administration said Oct. 31 and on Thursday ."),
            vec![
                ("Oct. 31".to_string(), EntityLabel::Date),
                ("Thursday".to_string(), EntityLabel::Date)
            ]
        );
        assert_eq!(
            found("it rained last week ."),
            vec![("last week".to_string(), EntityLabel::Date)]
        );
    }

    #[test]
    fn values_keep_approximators_with_counts() {
        assert_eq!(
            found("there are some 10,000 troops and About 8,000 more"),
            vec![
                ("some 10,000".to_string(), EntityLabel::Cardinal),
                ("8,000".to_string(), EntityLabel::Cardinal)
            ]
        );
    }

    #[test]
    fn values_read_rates_as_quantities() {
        assert_eq!(
            found("suffering more than 1,000 casualties per day ,"),
            vec![(
                "more than 1,000 casualties per day".to_string(),
                EntityLabel::Quantity
            )]
        );
    }

    #[test]
    fn values_find_money_percent_time_and_vague_counts() {
        assert_eq!(
            found("$ 5 million , 12 % at 3 p.m. and millions of shells"),
            vec![
                ("$ 5 million".to_string(), EntityLabel::Money),
                ("12 %".to_string(), EntityLabel::Percent),
                ("3 p.m.".to_string(), EntityLabel::Time),
                ("millions".to_string(), EntityLabel::Cardinal)
            ]
        );
    }

    #[test]
    fn values_read_bare_years_as_dates_but_not_counts() {
        assert_eq!(
            found("the 2014 election"),
            vec![("2014".to_string(), EntityLabel::Date)]
        );
        assert_eq!(
            found("sent 2000 troops"),
            vec![("2000".to_string(), EntityLabel::Cardinal)]
        );
    }

    #[test]
    fn values_leave_may_the_verb_alone() {
        assert!(found("They May come").is_empty());
        assert_eq!(found("on May 5").len(), 1);
    }

    #[test]
    fn norp_prefers_the_longest_entry() {
        let w = ["the", "North", "Korean", "and", "Ukrainian", "troops"];
        let r = norp(&w);
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].start, r[0].end), (1, 3));
        assert_eq!((r[1].start, r[1].end), (4, 5));
    }
}
