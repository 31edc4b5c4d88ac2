//! The rules: quote-mark structure for direct quotes, then cue patterns for reported speech.
//! Works on token indices of a [`Doc`]; `resolve` turns the result into `Quote`s.

use crate::doc::{Doc, Facing, Kind, facing};
use crate::lexicon::{
    CueClass, cue_class, hand_cue, invertible, is_aux, is_function_word, is_negation, is_np_stop,
    is_pronoun, is_speaker_noun, is_time_word, is_wh, verb_like,
};
use newsflow_proto::QuoteKind;

/// A half-open range of token indices.
pub(crate) type Range = (usize, usize);

/// A quote or reported statement before speaker resolution.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub kind: QuoteKind,
    /// Content as token ranges (one per fragment or paragraph).
    pub content: Vec<Range>,
    pub source: Option<Range>,
    pub cue: Option<Range>,
    pub confidence: f32,
    /// Index (in the output list) of the quote this one continues without attribution.
    pub continues: Option<usize>,
}

/// A speaker and a cue found next to a quote or inside a sentence.
#[derive(Debug, Clone, Copy)]
struct Attr {
    source: Option<Range>,
    cue: Range,
    /// First token after the attribution.
    end: usize,
}

/// A run of text between a pair of double quotation marks (or until the paragraph ends).
#[derive(Debug, Clone)]
struct Region {
    open: usize,
    /// Content token ranges, one per paragraph.
    parts: Vec<Range>,
    /// First token after the closing mark (or after the last content token when unclosed).
    after: usize,
}

impl Region {
    /// A region opened by the mark at token `i`, with its content starting right after it.
    fn opening_at(i: usize) -> (Self, usize) {
        (
            Self {
                open: i,
                parts: Vec::new(),
                after: i + 1,
            },
            i + 1,
        )
    }

    fn word_count(&self, doc: &Doc) -> usize {
        self.parts
            .iter()
            .map(|&(a, b)| (a..b).filter(|&i| doc.is_word(i)).count())
            .sum()
    }
}

/// For each token, the closing marks minus the opening marks after it in its paragraph. An
/// opening mark inside an open quote opens a nested quote when this is at least 2 (one close for
/// the nested quote, one for the outer).
fn marks_after(doc: &Doc) -> Vec<i32> {
    let n = doc.toks.len();
    let mut out = vec![0; n];
    for &(a, b) in &doc.para_tokens {
        let mut balance = 0;
        for k in (a..b).rev() {
            out[k] = balance;
            if doc.toks[k].kind == Kind::Mark {
                match facing(doc.text, &doc.toks, k) {
                    Facing::Open => balance -= 1,
                    Facing::Close => balance += 1,
                    Facing::Either => {}
                }
            }
        }
    }
    out
}

/// For each token, whether a sentence starts at it (by [`Rules::is_real_sentence_start`]).
pub(crate) fn sentence_starts(doc: &Doc) -> Vec<bool> {
    let rules = Rules::new(doc);
    (0..doc.toks.len())
        .map(|i| rules.is_real_sentence_start(i))
        .collect()
}

/// For each token, whether it lies between double quotation marks (marks included).
pub(crate) fn quoted_tokens(doc: &Doc) -> Vec<bool> {
    let mut out = vec![false; doc.toks.len()];
    for r in regions(doc) {
        for k in r.open..r.after.min(out.len()) {
            out[k] = true;
        }
    }
    out
}

/// Pairs double quotation marks paragraph by paragraph; a quote left open at a paragraph's end
/// continues when the next paragraph opens with a mark (the news style for long quotes).
fn regions(doc: &Doc) -> Vec<Region> {
    let n = doc.toks.len();
    let mut out = Vec::new();
    // (region, start of the current part)
    let mut cur: Option<(Region, usize)> = None;
    let mut depth = 0usize;
    let after = marks_after(doc);
    for i in 0..n {
        let t = doc.toks[i];
        let para_start = i == 0 || doc.toks[i - 1].para != t.para;
        if para_start {
            depth = 0;
        }
        if para_start && let Some((mut r, part_start)) = cur.take() {
            r.parts.push((part_start, i));
            if t.kind == Kind::Mark && facing(doc.text, &doc.toks, i) != Facing::Close {
                cur = Some((r, i + 1));
                continue;
            }
            r.after = i;
            out.push(r);
        }
        if t.kind != Kind::Mark {
            continue;
        }
        let f = facing(doc.text, &doc.toks, i);
        match cur.take() {
            None => {
                if f != Facing::Close {
                    cur = Some(Region::opening_at(i));
                }
            }
            Some((r, part_start)) if f == Facing::Open && after.get(i).is_some_and(|&b| b >= 2) => {
                // `“… what he calls “hell” than …”`: a quote inside the quote.
                depth += 1;
                cur = Some((r, part_start));
            }
            Some((r, part_start)) if f != Facing::Open && depth > 0 => {
                depth -= 1;
                cur = Some((r, part_start));
            }
            Some((mut r, part_start)) => {
                if f == Facing::Open && part_start < i {
                    // An opening mark inside an open quote: the closing one is missing.
                    r.parts.push((part_start, i));
                    r.after = i;
                    out.push(r);
                    cur = Some(Region::opening_at(i));
                } else if f == Facing::Open {
                    cur = Some((r, i + 1)); // doubled mark
                } else {
                    r.parts.push((part_start, i));
                    r.after = i + 1;
                    out.push(r);
                }
            }
        }
    }
    if let Some((mut r, part_start)) = cur {
        r.parts.push((part_start, n));
        r.after = n;
        out.push(r);
    }
    out.retain(|r| r.parts.iter().any(|&(a, b)| b > a));
    for r in &mut out {
        r.parts.retain(|&(a, b)| b > a);
    }
    out
}

struct Rules<'d, 'a> {
    doc: &'d Doc<'a>,
    /// Per paragraph: whether it is a short title-case line (a headline).
    title: Vec<bool>,
}

fn is_sentence_punct(s: &str) -> bool {
    matches!(s, "." | "!" | "?" | ";" | "…")
}

impl<'d, 'a> Rules<'d, 'a> {
    fn new(doc: &'d Doc<'a>) -> Self {
        let title = doc
            .para_tokens
            .iter()
            .map(|&(a, b)| {
                let words: Vec<usize> = (a..b)
                    .filter(|&k| doc.is_word(k) && doc.lower(k).len() > 3)
                    .collect();
                words.len() <= 25
                    && words.len() >= 3
                    && words.iter().filter(|&&k| doc.capitalised(k)).count() * 10 >= words.len() * 7
            })
            .collect();
        Self { doc, title }
    }

    fn n(&self) -> usize {
        self.doc.toks.len()
    }

    fn l(&self, i: usize) -> &'d str {
        self.doc.lower(i)
    }

    fn para(&self, i: usize) -> usize {
        self.doc.toks[i].para
    }

    fn para_first(&self, i: usize) -> usize {
        self.doc.para_tokens[self.para(i)].0
    }

    fn para_end(&self, i: usize) -> usize {
        self.doc.para_tokens[self.para(i)].1
    }

    fn cue(&self, i: usize) -> Option<CueClass> {
        if self.doc.is_word(i) {
            cue_class(self.l(i))
        } else {
            None
        }
    }

    /// Whether token `i` can be part of a speaker's noun phrase.
    fn np_tok(&self, i: usize) -> bool {
        if !self.doc.is_word(i) {
            return matches!(self.doc.s(i), "(" | ")" | "-" | "&");
        }
        let w = self.l(i);
        if is_np_stop(w) || hand_cue(w) {
            return false;
        }
        let after_determiner = i > 0
            && matches!(
                self.l(i - 1),
                "the" | "a" | "an" | "his" | "her" | "its" | "their" | "this"
            );
        if !self.doc.capitalised(i)
            && !after_determiner
            && w.len() > 5
            && (w.ends_with("ing") || w.ends_with("ed"))
        {
            return false;
        }
        true
    }

    /// Whether a source names someone: a name, a pronoun or a known kind of speaker.
    fn has_head(&self, (a, b): Range) -> bool {
        (a..b).any(|k| {
            let w = self.l(k);
            (self.doc.capitalised(k) && !is_function_word(w)) || is_pronoun(w) || is_speaker_noun(w)
        })
    }

    fn content_word(&self, i: usize) -> bool {
        self.doc.is_word(i) && !is_function_word(self.l(i))
    }

    /// Trims function words and stray punctuation from both ends of a noun phrase.
    fn trim_np(&self, (mut a, mut b): Range) -> Option<Range> {
        while a < b
            && (!self.doc.is_word(a) || matches!(self.l(a), "and" | "of" | "for" | "at" | "from"))
            && !self.doc.is(a, "(")
        {
            a += 1;
        }
        while b > a
            && (!self.doc.is_word(b - 1)
                || matches!(
                    self.l(b - 1),
                    "and" | "of" | "for" | "at" | "from" | "the" | "a" | "an"
                ))
            && !self.doc.is(b - 1, ")")
        {
            b -= 1;
        }
        ((a..b).any(|i| self.content_word(i))).then_some((a, b))
    }

    /// The noun phrase ending just before `end`, not reaching before `from`.
    fn np_back(&self, from: usize, end: usize) -> Option<Range> {
        let mut a = end;
        while a > from && end - a < 14 {
            let i = a - 1;
            if self.doc.is(i, ")") {
                // A party tag or an aside: jump to its opening bracket.
                let mut k = i;
                while k > from && !self.doc.is(k, "(") && i - k < 8 {
                    k -= 1;
                }
                if self.doc.is(k, "(") {
                    a = k;
                    continue;
                }
                break;
            }
            if self.l(i) == "and" {
                let ok = i > from
                    && self.doc.capitalised(i - 1)
                    && i + 1 < end
                    && self.doc.capitalised(i + 1);
                if !ok {
                    break;
                }
            }
            if !self.np_tok(i) {
                break;
            }
            a -= 1;
        }
        self.trim_np((a, end))
    }

    /// The noun phrase starting at `start`, not reaching `to`.
    fn np_forward(&self, start: usize, to: usize) -> Option<Range> {
        let mut b = start;
        while b < to && b - start < 12 {
            if self.doc.is(b, "(") {
                let mut k = b;
                while k < to && !self.doc.is(k, ")") && k - b < 8 {
                    k += 1;
                }
                if k < to && self.doc.is(k, ")") {
                    b = k + 1;
                    continue;
                }
                break;
            }
            if self.l(b) == "and" {
                let ok = b > start && b + 1 < to && self.doc.capitalised(b + 1);
                if !ok {
                    break;
                }
            }
            if !self.np_tok(b) {
                break;
            }
            b += 1;
        }
        self.trim_np((start, b))
    }

    /// The speaker before a cue at `cue`: skips auxiliaries, handles `X, the …, said`.
    /// Returns `None` for a negated cue.
    fn source_before(&self, from: usize, cue: usize) -> Option<Range> {
        let mut j = cue;
        while j > from && self.doc.is_word(j - 1) && is_aux(self.l(j - 1)) {
            if is_negation(self.l(j - 1)) {
                return None;
            }
            j -= 1;
        }
        if j > from && (self.l(j - 1).ends_with("n't") || self.l(j - 1).ends_with("n’t")) {
            return None;
        }
        // `Wells Fargo just this month announced`, `an arbitration panel in 2001 found`.
        let mut t = j;
        while t > from && self.doc.is_word(t - 1) && is_time_word(self.l(t - 1)) && j - t < 4 {
            t -= 1;
        }
        if t < j && t > from && (self.np_tok(t - 1) || self.doc.is(t - 1, ")")) {
            j = t;
            while j > from && self.doc.is_word(j - 1) && is_aux(self.l(j - 1)) {
                j -= 1;
            }
        }
        if j > from && self.doc.is(j - 1, ",") {
            return self.apposed_source(from, j - 1);
        }
        self.np_back(from, j)
    }

    /// `Smith, a spokesman for the campaign, said`, `Rawlings, 59, of Ashton, Md., who
    /// watched, said`: the source runs from a name chunk to the comma before the cue.
    fn apposed_source(&self, from: usize, comma: usize) -> Option<Range> {
        let mut start = comma;
        while start > from && comma - start < 30 {
            let k = start - 1;
            let ok = self.doc.is_word(k)
                || matches!(self.doc.s(k), "," | "(" | ")" | "-" | "'" | "’" | "&");
            if !ok {
                break;
            }
            start -= 1;
        }
        let mut chunk = start;
        while chunk < comma {
            let next = (chunk..comma)
                .find(|&k| self.doc.is(k, ","))
                .unwrap_or(comma);
            if next == comma {
                return None;
            }
            let mut first = chunk;
            while first < next
                && (!self.doc.is_word(first) || matches!(self.l(first), "but" | "and" | "so"))
            {
                first += 1;
            }
            if let Some(name) = self.np_back(chunk, next)
                && name.0 == first
                && self.has_head(name)
            {
                return Some((name.0, comma));
            }
            chunk = next + 1;
        }
        None
    }

    fn cue_range(&self, i: usize) -> Range {
        if self.l(i) == "according" {
            return (i, i + 2);
        }
        let particle = i + 1 < self.n()
            && matches!(
                (self.l(i), self.l(i + 1)),
                ("pointed", "out") | ("went", "on") | ("points", "out")
            );
        if particle { (i, i + 2) } else { (i, i + 1) }
    }

    /// An attribution right after a closing quotation mark: `, Cho said …`, `, said Cho`,
    /// `, according to …`.
    fn attr_after(&self, from: usize, to: usize) -> Option<Attr> {
        let comma_closed = from >= 2 && self.doc.is(from - 2, ",");
        let mut i = from;
        while i < to && matches!(self.doc.s(i), "," | "—" | "–" | "-" | "―") {
            i += 1;
        }
        // `” ― Name`: a signature after a dash, alone to the end of the sentence.
        if i > from
            && i < to
            && matches!(self.doc.s(i - 1), "―" | "—" | "–")
            && self.doc.capitalised(i)
        {
            let src = self.np_forward(i, to)?;
            let rest = (src.1..to).all(|k| !self.doc.is_word(k));
            return rest.then_some(Attr {
                source: Some(src),
                cue: (i - 1, i),
                end: src.1,
            });
        }
        if i >= to || !self.doc.is_word(i) {
            return None;
        }
        if self.l(i) == "according" && i + 1 < to && self.l(i + 1) == "to" {
            let src = self.np_forward(i + 2, to)?;
            return Some(Attr {
                source: Some(src),
                cue: (i, i + 2),
                end: src.1,
            });
        }
        if invertible(self.l(i)) {
            let src = self.np_forward(i + 1, to)?;
            return Some(Attr {
                source: Some(src),
                cue: (i, i + 1),
                end: src.1,
            });
        }
        // After `,”` an attribution must follow: a verb-like word after the speaker will do.
        for lenient in [false, true] {
            if lenient && !comma_closed {
                break;
            }
            let mut j = i;
            while j < to && j - i < 16 {
                if !self.doc.is_word(j)
                    && (is_sentence_punct(self.doc.s(j)) || self.doc.toks[j].kind == Kind::Mark)
                {
                    break;
                }
                let is_cue = if lenient {
                    self.doc.is_word(j) && !self.doc.capitalised(j) && verb_like(self.l(j))
                } else {
                    self.cue(j).is_some_and(|c| c != CueClass::Participle)
                };
                if j > i && is_cue {
                    if let Some(src) = self.source_before(i, j)
                        && src.0 == i
                    {
                        let cue = self.cue_range(j);
                        return Some(Attr {
                            source: Some(src),
                            cue,
                            end: cue.1,
                        });
                    }
                    if !lenient {
                        break;
                    }
                }
                j += 1;
            }
        }
        None
    }

    /// An attribution just before an opening quotation mark: `Cho said: “`, `he told
    /// reporters, “`, `According to Cho, “`.
    fn attr_before(&self, from: usize, open: usize) -> Option<Attr> {
        let mut e = open;
        let mut introduced = false;
        while e > from && matches!(self.doc.s(e - 1), ":" | "," | "—" | "–" | "-") {
            // A colon or comma introduces a quote; a dash (`the governor - “my friend”`) does not.
            introduced |= matches!(self.doc.s(e - 1), ":" | ",");
            e -= 1;
        }
        if e == from {
            return None;
        }
        let lowest = from.max(e.saturating_sub(10));
        for k in (lowest..e).rev() {
            if !self.doc.is_word(k) && !matches!(self.doc.s(k), "(" | ")" | "," | "-") {
                return None;
            }
            if self.l(k) == "according" && k + 1 < e && self.l(k + 1) == "to" {
                let src = self.np_forward(k + 2, e)?;
                return Some(Attr {
                    source: Some(src),
                    cue: (k, k + 2),
                    end: e,
                });
            }
            let Some(class) = self.cue(k) else { continue };
            // Between the cue and the mark: nothing, or (after `:`/`,`) a hearer or a setting.
            let between = e - k - 1;
            if between > 0 && (!introduced || self.l(k + 1) == "that") {
                return None;
            }
            let cue = self.cue_range(k);
            let source = if class == CueClass::Participle {
                self.subject(from, k)
            } else if let Some(src) = self.source_before(from, k) {
                Some(src)
            } else if k > from && matches!(self.l(k - 1), "and" | "but") {
                // `I laughed and said, “…”`
                self.subject(from, k - 1)
            } else {
                // `Said Ellis: “…”`
                let src = self
                    .np_forward(k + 1, e)
                    .filter(|s| s.1 == e && invertible(self.l(k)))?;
                Some(src)
            };
            return Some(Attr {
                source,
                cue,
                end: e,
            });
        }
        None
    }

    /// Whether token `i` is in a short title-case paragraph (a headline: `Obama Says …`).
    fn title_case(&self, i: usize) -> bool {
        self.title[self.para(i)]
    }

    /// The subject of the clause starting at `from`: its first noun phrase.
    fn subject(&self, from: usize, to: usize) -> Option<Range> {
        let start = |mut a: usize| {
            while a < to
                && (!self.doc.is_word(a)
                    || matches!(
                        self.l(a),
                        "but" | "and" | "so" | "yet" | "still" | "meanwhile"
                    ))
            {
                a += 1;
            }
            a
        };
        let a = start(from);
        if a < to && !is_np_stop(self.l(a)) {
            return self.np_forward(a, to);
        }
        // `During a speech on Monday, Trump attacked …`: after the opening adverbial.
        let comma = (a..to).find(|&k| self.doc.is(k, ","))?;
        self.np_forward(start(comma + 1), to)
    }
    /// Whether a sentence starts at token `i`: a paragraph start, or a token that can open a
    /// sentence after one that ends it (`.`, `!`, `?`, `…`, possibly followed by closing marks).
    /// After an abbreviation (`Jr.`), the segmentation decides.
    fn is_real_sentence_start(&self, i: usize) -> bool {
        let t = self.doc.toks[i];
        if i == 0 || self.para(i - 1) != t.para {
            return true;
        }
        let opens = (t.kind == Kind::Mark
            && facing(self.doc.text, &self.doc.toks, i) != Facing::Close)
            || self.doc.capitalised(i)
            || self.doc.s(i).starts_with(|c: char| c.is_ascii_digit());
        if !opens {
            return false;
        }
        // Back over the closing marks and brackets after the sentence's end, a few at most: a
        // run of thousands of marks would make this walk, once per token, quadratic.
        let mut j = i - 1;
        let stop = i.saturating_sub(MAX_CLOSERS + 1);
        while j > stop
            && self.para(j - 1) == t.para
            && (matches!(self.doc.s(j), ")" | "]" | "’" | "'")
                || (self.doc.toks[j].kind == Kind::Mark
                    && facing(self.doc.text, &self.doc.toks, j) != Facing::Open))
        {
            j -= 1;
        }
        let prev = self.doc.s(j);
        matches!(prev, "." | "!" | "?" | "…")
            || (t.sent_start && self.doc.is_word(j) && prev.ends_with('.'))
    }
}

/// Most closing marks and brackets read between a sentence's end and the next sentence
/// (`."’)` has three).
const MAX_CLOSERS: usize = 4;

fn words_in(doc: &Doc, (a, b): Range) -> usize {
    (a..b).filter(|&i| doc.is_word(i)).count()
}

/// Finds all quotes and reported statements as token ranges.
pub(crate) fn find(doc: &Doc) -> Vec<Found> {
    let rules = Rules::new(doc);
    let n = rules.n();
    let regions = regions(doc);
    let mut used = vec![false; n];
    let mut found: Vec<Found> = Vec::new();
    // Index in `found` of the last direct quote and its last paragraph.
    let mut last_direct: Option<(usize, usize)> = None;
    let mut consumed = vec![false; regions.len()];

    for ri in 0..regions.len() {
        if consumed[ri] {
            continue;
        }
        let r = &regions[ri];
        if r.word_count(doc) == 0 {
            continue;
        }
        let para_first = rules.para_first(r.open);
        let prev_after =
            if ri > 0 && rules.para(regions[ri - 1].after.min(n - 1)) == rules.para(r.open) {
                regions[ri - 1].after.min(r.open)
            } else {
                para_first
            };
        let mut pre_from = r.open;
        while pre_from > prev_after.max(para_first) && !rules.is_real_sentence_start(pre_from) {
            pre_from -= 1;
        }
        let pre_from = pre_from.max(prev_after);
        let last_part_end = r.parts.last().map_or(r.after, |p| p.1);
        let para_end = rules.para_end(last_part_end.saturating_sub(1).max(r.open));
        let next_open = regions.get(ri + 1).map_or(n, |q| q.open);
        let mut post_to = r.after;
        while post_to < para_end.min(next_open)
            && (post_to == r.after || !rules.is_real_sentence_start(post_to))
        {
            post_to += 1;
        }
        let pre_words = words_in(doc, (pre_from, r.open));
        let post_words = words_in(doc, (r.after, post_to));
        let post_is_new_sentence =
            r.after < n && r.after < para_end && rules.is_real_sentence_start(r.after);
        let post_empty = post_words == 0 || post_is_new_sentence;
        let post = if post_is_new_sentence {
            // `“…?” Vitter demanded.`: a segmenter may start a sentence after `?”`; an
            // attribution that ends the sentence still belongs to the quote.
            let last = r.parts.last().map_or(r.open, |p| p.1.saturating_sub(1));
            let asks = matches!(doc.s(last), "?" | "!");
            rules
                .attr_after(r.after, post_to)
                .filter(|a| asks || words_in(doc, (a.end, post_to)) <= 3)
        } else {
            rules.attr_after(r.after, post_to)
        };
        let post_empty = post_empty && post.is_none();
        let pre = rules.attr_before(pre_from, r.open);
        let pre_empty = pre_words == 0;
        let pre_colon = !pre_empty && r.open > pre_from && doc.is(r.open - 1, ":");
        if !(pre_empty || pre.is_some() || pre_colon) || !(post_empty || post.is_some()) {
            continue; // a fragment inside a sentence: reported speech may take it
        }
        let mut parts = r.parts.clone();
        let mut region_end = r.after;
        let mut attr = post.or(pre);
        if pre_colon && attr.is_none() {
            attr = rules.subject(pre_from, r.open).map(|s| Attr {
                source: Some(s),
                cue: (s.1, s.1),
                end: r.open,
            });
        }
        // `“…,” he said, “…”`: the second fragment belongs to this quote.
        if let (Some(a), Some(next)) = (post, regions.get(ri + 1))
            && rules.para(next.open) == rules.para(r.open)
            && (a.end..next.open).all(|k| {
                matches!(doc.s(k), "," | "—" | "–" | ":") || matches!(rules.l(k), "but" | "and")
            })
            && next.open > a.end
        {
            let next_post_to = {
                let pe = rules.para_end(next.open);
                let mut k = next.after;
                while k < pe && !rules.is_real_sentence_start(k) && k - next.after < 20 {
                    k += 1;
                }
                k
            };
            if rules.attr_after(next.after, next_post_to).is_none() {
                parts.extend(next.parts.iter().copied());
                region_end = next.after;
                consumed[ri + 1] = true;
            }
        }
        let words: usize = parts.iter().map(|&p| words_in(doc, p)).sum();
        let mut continues = None;
        let mut confidence = 0.9;
        if attr.is_none() {
            // `Cho continued:` closing the previous paragraph.
            if r.open == para_first && r.open > 0 && doc.is(r.open - 1, ":") {
                let prev_first = rules.para_first(r.open - 1);
                let mut from = r.open - 1;
                while from > prev_first && !rules.is_real_sentence_start(from) {
                    from -= 1;
                }
                attr = rules.attr_before(from, r.open);
                if let Some(a) = attr {
                    mark(&mut used, a);
                }
            }
        }
        if attr.is_none() {
            match last_direct {
                Some((idx, last_para)) if rules.para(r.open) <= last_para + 1 => {
                    continues = Some(idx);
                    confidence = 0.7;
                }
                _ if words >= 4 => confidence = 0.4,
                _ => continue,
            }
        }
        used[r.open..region_end].iter_mut().for_each(|u| *u = true);
        if let Some(a) = attr {
            mark(&mut used, a);
        }
        let last_para = rules.para(parts.last().map_or(r.open, |p| p.1 - 1));
        found.push(Found {
            kind: QuoteKind::Direct,
            content: parts,
            source: attr.and_then(|a| a.source),
            cue: attr.map(|a| a.cue).filter(|c| c.1 > c.0),
            confidence: if attr.is_some_and(|a| a.source.is_none()) {
                0.6
            } else {
                confidence
            },
            continues,
        });
        last_direct = Some((found.len() - 1, last_para));
    }

    reported(&rules, &used, &mut found);
    found.sort_by_key(|f| f.content.first().map_or(0, |c| c.0));
    // Continuation indices were into the unsorted list: re-point them.
    fix_continuations(&mut found);
    found
}

fn mark(used: &mut [bool], a: Attr) {
    if let Some((s, e)) = a.source {
        used[s..e].iter_mut().for_each(|u| *u = true);
    }
    used[a.cue.0..a.cue.1].iter_mut().for_each(|u| *u = true);
}

pub(crate) fn fix_continuations(found: &mut [Found]) {
    // `continues` was set as an index before sorting; direct quotes keep their relative order,
    // so recompute it as "the previous direct quote".
    let mut last_direct = None;
    for (i, f) in found.iter_mut().enumerate() {
        if f.continues.is_some() {
            f.continues = last_direct;
        }
        if f.kind == QuoteKind::Direct {
            last_direct = Some(i);
        }
    }
}

/// Longest run of tokens searched for reported speech at once. News sentences are far shorter;
/// text without sentence ends (a list, a table flattened into a paragraph) is cut into runs of
/// this length, since the cue patterns look across a whole run and would make such text
/// quadratic.
const MAX_RUN: usize = 400;

/// Reported speech in the text left after direct quotes: sentence by sentence, in runs of
/// tokens not used by a direct quote.
fn reported(rules: &Rules, used: &[bool], found: &mut Vec<Found>) {
    let n = rules.n();
    let mut start = 0;
    while start < n {
        // A run: unused tokens up to a real sentence start or a used token.
        if used[start] {
            start += 1;
            continue;
        }
        let mut end = start + 1;
        while end < n
            && end - start < MAX_RUN
            && !used[end]
            && rules.para(end) == rules.para(start)
            && !rules.is_real_sentence_start(end)
        {
            end += 1;
        }
        run(rules, start, end, found);
        start = end;
    }
}

fn content_range(rules: &Rules, r: Range) -> Option<Range> {
    content_range_min(rules, r, 3)
}

/// The longest reported content, in tokens: a bound on work and memory for run-on text.
const MAX_CONTENT_TOKENS: usize = 120;

fn content_range_min(rules: &Rules, (mut a, mut b): Range, min_words: usize) -> Option<Range> {
    let doc = rules.doc;
    b = b.min(a + MAX_CONTENT_TOKENS);
    // A trailing `, which …` / `, although …` comments on the content rather than belongs to it.
    if let Some(k) = (a + 1..b.saturating_sub(1)).find(|&k| {
        doc.is(k, ",") && matches!(rules.l(k + 1), "which" | "although" | "though" | "whereas")
    }) && words_in(doc, (a, k)) >= min_words
    {
        b = k;
    }
    while a < b && !doc.is_word(a) && doc.toks[a].kind != Kind::Mark {
        a += 1;
    }
    while b > a && !doc.is_word(b - 1) && doc.toks[b - 1].kind != Kind::Mark && !doc.is(b - 1, ")")
    {
        b -= 1;
    }
    (words_in(doc, (a, b)) >= min_words).then_some((a, b))
}

fn push_reported(
    rules: &Rules,
    found: &mut Vec<Found>,
    content: Range,
    source: Option<Range>,
    cue: Range,
    confidence: f32,
) -> bool {
    push_reported_parts(rules, found, &[content], source, cue, confidence)
}

fn push_reported_parts(
    rules: &Rules,
    found: &mut Vec<Found>,
    parts: &[Range],
    source: Option<Range>,
    cue: Range,
    confidence: f32,
) -> bool {
    let Some(first) = parts.first().and_then(|&c| content_range(rules, c)) else {
        return false;
    };
    let mut content = vec![first];
    content.extend(
        parts[1..]
            .iter()
            .filter_map(|&c| content_range_min(rules, c, 2)),
    );
    let mixed = content
        .iter()
        .any(|&(a, b)| (a..b).any(|k| rules.doc.toks[k].kind == Kind::Mark));
    found.push(Found {
        kind: if mixed {
            QuoteKind::Mixed
        } else {
            QuoteKind::Indirect
        },
        content,
        source,
        cue: Some(cue),
        confidence,
        continues: None,
    });
    true
}

/// Ends the content of the run's previous attribution before a new attribution that starts
/// after a clause break (`…, arguing that …`, `… — and he noted that …`).
fn truncate_previous(rules: &Rules, found: &mut [Found], run_start: usize, new_start: usize) {
    let Some(prev) = found.last_mut() else { return };
    if prev.kind == QuoteKind::Direct || prev.content.len() != 1 {
        return;
    }
    let (a, b) = prev.content[0];
    if a < run_start || new_start <= a || new_start >= b {
        return;
    }
    let mut k = new_start;
    while k > a && rules.doc.is_word(k - 1) && matches!(rules.l(k - 1), "and" | "but" | "while") {
        k -= 1;
    }
    let conjunction = k < new_start;
    let punct = k > a && matches!(rules.doc.s(k - 1), "," | "—" | "–" | ";" | "-");
    if (punct || conjunction)
        && let Some(c) = content_range(rules, (a, if punct { k - 1 } else { k }))
    {
        prev.content[0] = c;
    }
}

/// Cue patterns inside one run of a sentence.
fn run(rules: &Rules, r0: usize, r1: usize, found: &mut Vec<Found>) {
    let doc = rules.doc;
    // Content ends before a final period.
    let mut i = r0;
    let mut from = r0; // content may not start before this
    let mut last_source: Option<Range> = None;
    while i < r1 {
        if !doc.is_word(i) {
            i += 1;
            continue;
        }
        let w = rules.l(i);
        if w == "according"
            && i + 1 < r1
            && rules.l(i + 1) == "to"
            && let Some(src) = rules.np_forward(i + 2, r1)
        {
            let lead = words_in(doc, (from, i)) == 0
                || (from..i).all(|k| !doc.is_word(k) || matches!(rules.l(k), "but" | "and" | "so"));
            let content = if lead {
                let mut c = src.1;
                while c < r1 && !doc.is(c, ",") {
                    c += 1;
                }
                (c + 1, r1)
            } else {
                (from, i)
            };
            if content.0 <= content.1
                && push_reported(rules, found, content, Some(src), (i, i + 2), 0.7)
            {
                last_source = Some(src);
                from = src.1;
            }
            i = src.1;
            continue;
        }
        let Some(class) = rules.cue(i) else {
            i += 1;
            continue;
        };
        if i > r0 && rules.l(i - 1) == "to" {
            i += 1;
            continue;
        }
        let cue = rules.cue_range(i);
        let progressive =
            i > r0 && matches!(rules.l(i - 1), "is" | "are" | "was" | "were" | "been");
        let class = if class == CueClass::Participle && progressive {
            CueClass::Speech
        } else {
            class
        };
        if class == CueClass::Participle {
            if i > r0 && doc.is(i - 1, ",") {
                let source = last_source.or_else(|| rules.subject(r0, i));
                let mut c = cue.1;
                if rules.l(i) == "telling" {
                    c = skip_hearer(rules, c, r1);
                }
                let before = found.len();
                if push_reported(rules, found, (c, r1), source, cue, 0.5) {
                    truncate_previous(rules, &mut found[..before], r0, i);
                    i = c;
                    continue;
                }
            }
            i += 1;
            continue;
        }
        let learned_only = !hand_cue(w);
        if doc.capitalised(i) && i > r0 && !rules.title_case(i) {
            i += 1;
            continue;
        }
        let mut before_aux = i;
        while before_aux > from && doc.is_word(before_aux - 1) && is_aux(rules.l(before_aux - 1)) {
            before_aux -= 1;
        }
        let coordinated =
            before_aux > r0 && matches!(rules.l(before_aux - 1), "and" | "but") && !learned_only;
        let relative = before_aux > from && matches!(rules.l(before_aux - 1), "who" | "which");
        let source = if relative && !learned_only {
            // `…, who said …`: PolNeAR marks the relative pronoun as the source.
            Some((before_aux - 1, before_aux))
        } else if coordinated {
            // `Cruz exhorted Republicans … and said …`: the clause's subject.
            last_source
                .or_else(|| rules.subject(r0, i))
                .filter(|s| s.1 < i)
        } else {
            rules
                .source_before(from, i)
                .filter(|&src| !learned_only || rules.has_head(src))
        };
        if let Some(src) = source {
            // `CONTENT, SOURCE CUE [setting].` and `CONTENT, SOURCE CUE, CONTENT.`
            // The tail ends where a participle starts another attribution (`…, citing …`).
            let tail_end = (cue.1..r1)
                .find(|&k| {
                    doc.is(k, ",") && k + 1 < r1 && rules.cue(k + 1) == Some(CueClass::Participle)
                })
                .unwrap_or(r1);
            let tail_short = words_in(doc, (cue.1, tail_end)) <= 6
                && !(cue.1..tail_end).any(|k| rules.l(k) == "that" || rules.cue(k).is_some());
            let tail_split = cue.1 < r1 && doc.is(cue.1, ",") && words_in(doc, (cue.1, r1)) >= 2;
            let cut = comma_before(rules, src.0, from).unwrap_or(src.0);
            let parts = if tail_split {
                vec![(from, cut), (cue.1 + 1, r1)]
            } else {
                vec![(from, cut)]
            };
            if !coordinated
                && src.0 > from
                && comma_before(rules, src.0, from).is_some()
                && (tail_short || tail_split)
                && push_reported_parts(rules, found, &parts, Some(src), cue, 0.7)
            {
                last_source = Some(src);
                from = if tail_split { r1 } else { tail_end };
                i = from;
                continue;
            }
            // `SOURCE CUE [hearer] [that] CONTENT`
            let mut c = cue.1;
            if class == CueClass::Tell {
                c = skip_hearer(rules, c, r1);
            }
            if class == CueClass::Weak {
                let that = (c..r1.min(c + 3)).find(|&k| rules.l(k) == "that");
                match that {
                    Some(t) => c = t,
                    None => {
                        i += 1;
                        continue;
                    }
                }
            }
            if c < r1 && (is_wh(rules.l(c)) || rules.l(c) == "to") {
                i += 1;
                continue;
            }
            let before = found.len();
            if c < r1 && push_reported(rules, found, (c, r1), Some(src), cue, 0.6) {
                truncate_previous(
                    rules,
                    &mut found[..before],
                    r0,
                    if coordinated { i } else { src.0 },
                );
                last_source = Some(src);
                from = c;
                i = c;
                continue;
            }
        } else if invertible(w) && i > from && doc.is(i - 1, ",") {
            // `CONTENT, said SOURCE.`
            if let Some(src) = rules.np_forward(cue.1, r1)
                && (words_in(doc, (src.1, r1)) <= 6 || doc.is(src.1, ","))
                && push_reported(rules, found, (from, i - 1), Some(src), cue, 0.6)
            {
                last_source = Some(src);
                from = r1;
                i = r1;
                continue;
            }
        }
        i += 1;
    }
}

/// The comma just before a source (`…, officials said`, `…,” Trump said`), if any.
fn comma_before(rules: &Rules, src_start: usize, from: usize) -> Option<usize> {
    let doc = rules.doc;
    if src_start > from && doc.is(src_start - 1, ",") {
        return Some(src_start - 1);
    }
    if src_start > from + 1
        && doc.toks[src_start - 1].kind == Kind::Mark
        && doc.is(src_start - 2, ",")
    {
        return Some(src_start - 2);
    }
    None
}

/// After `told`/`asked`: skips the hearer and any setting up to `that` or the clause.
fn skip_hearer(rules: &Rules, c: usize, r1: usize) -> usize {
    if let Some(t) = (c..r1.min(c + 9)).find(|&k| rules.l(k) == "that")
        && (c..t).all(|k| rules.doc.is_word(k) || rules.doc.is(k, ","))
    {
        return t;
    }
    let np = rules.np_forward(c, r1).map_or(c, |r| r.1);
    let mut k = np;
    while k < r1 && rules.doc.is(k, ",") {
        k += 1;
    }
    if k < r1 && is_pronoun(rules.l(k)) {
        return k;
    }
    k
}
