//! A learned attribution tagger: an averaged perceptron that gives each token one PolNeAR role
//! (outside, source, cue, content start, content inside), decoded greedily left to right over
//! a paragraph, then grouped into attributions (content parts joined to the nearest cue, the
//! source nearest that cue). Trained from PolNeAR train by `learn::tagger_model` (the `train`
//! feature); the model ships as `data/attribution.model` (hashed features, quantized weights).

use crate::doc::{Doc, Kind};
use crate::find::{Found, Range, quoted_tokens, sentence_starts};
use crate::lexicon::{cue_info, is_pronoun};
use newsflow_proto::QuoteKind;

pub(crate) const TAGS: usize = 5;
pub(crate) const O: u8 = 0;
pub(crate) const SRC: u8 = 1;
pub(crate) const CUE: u8 = 2;
pub(crate) const CB: u8 = 3;
pub(crate) const CI: u8 = 4;
/// Feature hash space: `1 << BITS` buckets.
pub(crate) const BITS: u32 = 19;
const MAGIC: &[u8; 6] = b"NFQT01";

/// Dense weights, `[bucket * TAGS + tag]`, and the same weights as [`Rows`] for tagging.
pub(crate) struct Model {
    /// Read only to write the model out (`train`) and by the tests; tagging reads `rows`.
    #[cfg_attr(not(feature = "train"), allow(dead_code))]
    pub weights: Vec<f32>,
    rows: Rows,
}

/// The weight rows that are not all `+0.0`, found through a bitmap with running counts: a
/// fraction of the dense table, so lookups mostly hit the cache. A missing row reads as the
/// all-`+0.0` row, exactly what the dense table holds there. When every weight is a 16-bit
/// integer times the model's scale (as read from a model file), rows hold the integers and
/// the weight is recomputed as `f32::from(v) * scale`: the very value the dense table holds,
/// in half the memory.
struct Rows {
    /// Per 64 buckets: which rows are stored (bit `bucket % 64`), and how many before them.
    index: Vec<(u64, u32)>,
    /// The all-zero row, then the stored rows in bucket order, as integers ...
    small: Vec<[i16; TAGS]>,
    scale: f32,
    /// ... or, when some weight is not such an integer times `scale`, as floats.
    wide: Vec<[f32; TAGS]>,
}

impl Rows {
    fn new(weights: &[f32], scale: Option<f32>) -> Rows {
        let mut index = vec![(0u64, 0u32); weights.len().div_ceil(TAGS * 64)];
        let mut wide = vec![[0f32; TAGS]];
        for (b, w) in weights.chunks(TAGS).enumerate() {
            if w.iter().any(|x| x.to_bits() != 0) {
                index[b / 64].0 |= 1 << (b % 64);
                let mut row = [0f32; TAGS];
                row[..w.len()].copy_from_slice(w);
                wide.push(row);
            }
        }
        let mut before = 0u32;
        for e in &mut index {
            e.1 = before;
            before += e.0.count_ones();
        }
        let scale = scale.unwrap_or(f32::NAN);
        let to_small = |x: f32| -> Option<i16> {
            let q = (x / scale).round();
            if !(-32768.0..=32767.0).contains(&q) {
                return None;
            }
            let v = q as i16;
            ((f32::from(v) * scale).to_bits() == x.to_bits()).then_some(v)
        };
        let small: Option<Vec<[i16; TAGS]>> = wide
            .iter()
            .map(|row| {
                let mut out = [0i16; TAGS];
                for (o, &x) in out.iter_mut().zip(row) {
                    *o = to_small(x)?;
                }
                Some(out)
            })
            .collect();
        match small {
            Some(small) => Rows {
                index,
                small,
                scale,
                wide: Vec::new(),
            },
            None => Rows {
                index,
                small: Vec::new(),
                scale,
                wide,
            },
        }
    }

    /// Where bucket `b`'s row is (0, the zero row, when it is not stored). Branch-free:
    /// whether a row is stored is unpredictable.
    #[inline]
    fn at(&self, b: u32) -> usize {
        let b = b as usize;
        let (present, before) = self.index[b / 64];
        let stored = ((present >> (b % 64)) & 1) as usize;
        let k = before as usize + 1 + (present & ((1u64 << (b % 64)) - 1)).count_ones() as usize;
        k * stored
    }

    /// [`add_scores`] over these rows.
    #[inline]
    fn add_scores(&self, s: &mut [f32; TAGS], feats: &[u32]) {
        if self.wide.is_empty() {
            for &f in feats {
                let w = &self.small[self.at(f)];
                for (t, v) in s.iter_mut().enumerate() {
                    *v += f32::from(w[t]) * self.scale;
                }
            }
        } else {
            for &f in feats {
                let w = &self.wide[self.at(f)];
                for (t, v) in s.iter_mut().enumerate() {
                    *v += w[t];
                }
            }
        }
    }
}

fn mix(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

/// A fast hash of a byte string (FxHash-style, eight bytes at a time), seeded.
fn hash_bytes(mut h: u64, bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = mix(h, u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
    }
    let rest = chunks.remainder();
    let mut last = [0u8; 8];
    last[..rest.len()].copy_from_slice(rest);
    mix(mix(h, u64::from_le_bytes(last)), bytes.len() as u64)
}

fn bucket(template: u64, parts: &[&[u8]]) -> u32 {
    let mut h = template.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for p in parts {
        h = hash_bytes(h, p);
    }
    // Fold the high bits in: the multiply leaves the low bits weak.
    ((h ^ (h >> 29) ^ (h >> 43)) & ((1u64 << BITS) - 1)) as u32
}

/// Per-token facts the features are built from.
pub(crate) struct Ctx<'a> {
    pub lower: Vec<&'a str>,
    shape: Vec<u8>,
    cue_bucket: Vec<u8>,
    quoted: Vec<bool>,
    pub sent_start: Vec<bool>,
    left_cue: Vec<u8>,
    right_cue: Vec<u8>,
    that_after_cue: Vec<bool>,
    pos: Vec<u8>,
    /// The rules' role for each token (`O`, `SRC`, `CUE`, `CB`, `CI`; +5 inside a direct quote).
    rule: Vec<u8>,
    pub doc: &'a Doc<'a>,
}

fn dist_bucket(d: Option<usize>) -> u8 {
    match d {
        None => 0,
        Some(0..=1) => 1,
        Some(2) => 2,
        Some(3..=5) => 3,
        Some(6..=10) => 4,
        Some(11..=20) => 5,
        Some(_) => 6,
    }
}

impl<'a> Ctx<'a> {
    /// Facts for `doc`, with `rules` the rules' findings.
    pub(crate) fn new(doc: &'a Doc<'a>, rules: &[Found]) -> Self {
        let n = doc.toks.len();
        let mut rule = vec![O; n];
        for f in rules {
            let extra = if f.kind == QuoteKind::Direct { 5 } else { 0 };
            for &(a, b) in &f.content {
                for (k, r) in rule.iter_mut().enumerate().take(b.min(n)).skip(a) {
                    *r = if k == a { CB } else { CI } + extra;
                }
            }
            for (range, tag) in [(f.source, SRC), (f.cue, CUE)] {
                if let Some((a, b)) = range {
                    rule[a.min(n)..b.min(n)]
                        .iter_mut()
                        .for_each(|r| *r = tag + extra);
                }
            }
        }
        let lower: Vec<&'a str> = (0..n).map(|i| doc.lower(i)).collect();
        let shape = (0..n)
            .map(|i| match doc.toks[i].kind {
                Kind::Mark => b'q',
                Kind::Punct => doc.s(i).as_bytes()[0],
                Kind::Word if doc.capitalised(i) => b'X',
                Kind::Word if doc.s(i).starts_with(|c: char| c.is_ascii_digit()) => b'd',
                Kind::Word => b'x',
            })
            .collect();
        let mut is_cue: Vec<bool> = Vec::with_capacity(n);
        let mut cue_bucket: Vec<u8> = Vec::with_capacity(n);
        for (i, l) in lower.iter().enumerate() {
            let (hand, r) = cue_info(l);
            is_cue.push(doc.is_word(i) && (hand || r >= 0.3));
            cue_bucket.push((r * 5.0).min(4.0) as u8 + if hand { 5 } else { 0 });
        }
        let sent_start = sentence_starts(doc);
        let mut left_cue = vec![0; n];
        let mut that_after_cue = vec![false; n];
        let mut pos = vec![0; n];
        let mut last: Option<usize> = None;
        let mut that = false;
        let mut start = 0;
        for i in 0..n {
            if sent_start[i] {
                last = None;
                that = false;
                start = i;
            }
            left_cue[i] = dist_bucket(last.map(|l| i - l));
            that_after_cue[i] = that;
            pos[i] = dist_bucket(Some(i - start));
            if is_cue[i] {
                last = Some(i);
                that = false;
            } else if last.is_some() && lower[i] == "that" {
                that = true;
            }
        }
        let mut right_cue = vec![0; n];
        let mut next: Option<usize> = None;
        for i in (0..n).rev() {
            right_cue[i] = dist_bucket(next.map(|x| x - i));
            if is_cue[i] {
                next = Some(i);
            }
            if sent_start[i] {
                next = None;
            }
        }
        Self {
            lower,
            shape,
            cue_bucket,
            quoted: quoted_tokens(doc),
            sent_start,
            left_cue,
            right_cue,
            that_after_cue,
            pos,
            rule,
            doc,
        }
    }

    fn w(&self, i: isize) -> &[u8] {
        if i < 0 || i as usize >= self.lower.len() {
            b"<none>"
        } else {
            self.lower[i as usize].as_bytes()
        }
    }

    /// Features that do not depend on earlier tags.
    pub(crate) fn static_features(&self, i: usize, out: &mut Vec<u32>) {
        let j = i as isize;
        let sh = |k: isize| -> u8 {
            if k < 0 || k as usize >= self.shape.len() {
                b'^'
            } else {
                self.shape[k as usize]
            }
        };
        let q = u8::from(self.quoted[i]);
        let qp = if i > 0 {
            u8::from(self.quoted[i - 1])
        } else {
            2
        };
        let cb = |k: isize| -> u8 {
            if k < 0 || k as usize >= self.cue_bucket.len() {
                9
            } else {
                self.cue_bucket[k as usize]
            }
        };
        let lc = self.left_cue[i];
        let rc = self.right_cue[i];
        let th = u8::from(self.that_after_cue[i]);
        let ss = u8::from(self.sent_start[i]);
        let w0 = self.w(j);
        let suffix = &w0[w0.len().saturating_sub(3)..];
        let pron = u8::from(is_pronoun(self.lower[i]));
        out.extend_from_slice(&[
            bucket(0, &[]),
            bucket(1, &[w0]),
            bucket(2, &[self.w(j - 1)]),
            bucket(3, &[self.w(j + 1)]),
            bucket(4, &[self.w(j - 2)]),
            bucket(5, &[self.w(j + 2)]),
            bucket(6, &[self.w(j - 1), w0]),
            bucket(7, &[w0, self.w(j + 1)]),
            bucket(8, &[&[sh(j), q]]),
            bucket(9, &[&[cb(j)]]),
            bucket(10, &[&[cb(j - 1)]]),
            bucket(11, &[&[cb(j + 1)]]),
            bucket(12, &[&[q, qp, sh(j)]]),
            bucket(13, &[&[ss, sh(j), sh(j - 1)]]),
            bucket(14, &[&[lc, th, q]]),
            bucket(15, &[&[rc, q]]),
            bucket(16, &[&[lc, rc, th]]),
            bucket(17, &[suffix]),
            bucket(18, &[&[self.pos[i], lc]]),
            bucket(19, &[&[sh(j - 1), sh(j), sh(j + 1)]]),
            bucket(20, &[&[pron, sh(j), rc]]),
            bucket(21, &[&[cb(j), lc, rc]]),
            bucket(22, &[&[sh(j - 1), cb(j)], w0]),
            bucket(23, &[&[self.rule[i]]]),
            bucket(
                24,
                &[&[self.rule[i], if i > 0 { self.rule[i - 1] } else { 99 }]],
            ),
            bucket(
                25,
                &[&[
                    self.rule[i],
                    if i + 1 < self.rule.len() {
                        self.rule[i + 1]
                    } else {
                        99
                    },
                ]],
            ),
            bucket(26, &[&[self.rule[i], sh(j)], w0]),
        ]);
    }
}

/// Features that depend on the two previous tags.
pub(crate) fn dynamic_features(ctx: &Ctx, i: usize, p1: u8, p2: u8, out: &mut Vec<u32>) {
    let w0 = ctx.lower[i].as_bytes();
    out.extend_from_slice(&[
        bucket(30, &[&[p1]]),
        bucket(31, &[&[p1, p2]]),
        bucket(32, &[&[p1], w0]),
        bucket(33, &[&[p1, ctx.left_cue[i], ctx.right_cue[i]]]),
        bucket(34, &[&[p1, ctx.shape[i]]]),
        bucket(35, &[&[p1, ctx.rule[i]]]),
    ]);
}

#[cfg(feature = "train")]
pub(crate) fn scores(weights: &[f32], feats: &[u32]) -> [f32; TAGS] {
    let mut s = [0f32; TAGS];
    add_scores(&mut s, weights, feats);
    s
}

/// Adds the weights of `feats` to `s`, feature after feature.
#[cfg(feature = "train")]
fn add_scores(s: &mut [f32; TAGS], weights: &[f32], feats: &[u32]) {
    for &f in feats {
        let base = f as usize * TAGS;
        for (t, v) in s.iter_mut().enumerate() {
            *v += weights[base + t];
        }
    }
}

pub(crate) fn argmax(s: &[f32; TAGS]) -> u8 {
    let mut best = 0;
    for t in 1..TAGS {
        if s[t] > s[best] {
            best = t;
        }
    }
    best as u8
}

impl Model {
    /// A model with dense `weights` (`(1 << BITS) * TAGS` of them).
    #[cfg(feature = "train")]
    pub(crate) fn new(weights: Vec<f32>) -> Model {
        let rows = Rows::new(&weights, None);
        Model { weights, rows }
    }

    /// The model shipped in the crate (`data/attribution.model`).
    pub(crate) fn shipped() -> Option<&'static Model> {
        static M: std::sync::OnceLock<Option<Model>> = std::sync::OnceLock::new();
        M.get_or_init(|| Model::from_bytes(include_bytes!("../data/attribution.model")))
            .as_ref()
    }

    /// Reads a model written by `Model::to_bytes`.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Model> {
        let rest = bytes.strip_prefix(MAGIC.as_slice())?;
        let scale = f32::from_le_bytes(rest.get(..4)?.try_into().ok()?);
        let mut weights = vec![0f32; (1usize << BITS) * TAGS];
        let mut k = 4;
        let mut index = 0usize;
        while k < rest.len() {
            // varint delta of the index, then an i16 weight
            let mut delta = 0usize;
            let mut shift = 0;
            loop {
                let b = *rest.get(k)?;
                k += 1;
                delta |= usize::from(b & 0x7f) << shift;
                shift += 7;
                if b & 0x80 == 0 {
                    break;
                }
            }
            index += delta;
            let v = i16::from_le_bytes(rest.get(k..k + 2)?.try_into().ok()?);
            k += 2;
            *weights.get_mut(index)? = f32::from(v) * scale;
        }
        let rows = Rows::new(&weights, Some(scale));
        Some(Model { weights, rows })
    }

    /// Writes the weights quantized to 16 bits; weights under `prune` (relative to the largest)
    /// are dropped.
    #[cfg(feature = "train")]
    pub(crate) fn to_bytes(&self, prune: f32) -> Vec<u8> {
        let max = self
            .weights
            .iter()
            .fold(0f32, |m, w| m.max(w.abs()))
            .max(1e-9);
        let scale = max / 32767.0;
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&scale.to_le_bytes());
        let mut last = 0usize;
        for (i, &w) in self.weights.iter().enumerate() {
            let q = (w / scale).round();
            if q.abs() < 1.0 || w.abs() < prune * max {
                continue;
            }
            let mut delta = i - last;
            last = i;
            loop {
                let b = (delta & 0x7f) as u8;
                delta >>= 7;
                if delta == 0 {
                    out.push(b);
                    break;
                }
                out.push(b | 0x80);
            }
            out.extend_from_slice(&(q as i16).to_le_bytes());
        }
        out
    }

    /// Tags every token of the document, paragraph by paragraph.
    pub(crate) fn tag(&self, ctx: &Ctx) -> Vec<u8> {
        let n = ctx.lower.len();
        let mut tags = vec![O; n];
        let mut feats = Vec::with_capacity(32);
        // The static features' scores first, for every token: they do not depend on the tags,
        // and their lookups overlap in memory when done in one pass. Each token's sum then goes
        // on with its dynamic features, so the additions happen in the same order as before.
        let stat: Vec<[f32; TAGS]> = (0..n)
            .map(|i| {
                feats.clear();
                ctx.static_features(i, &mut feats);
                let mut s = [0f32; TAGS];
                self.rows.add_scores(&mut s, &feats);
                s
            })
            .collect();
        for i in 0..n {
            let para_start = i == 0 || ctx.doc.toks[i - 1].para != ctx.doc.toks[i].para;
            let p1 = if para_start { 9 } else { tags[i - 1] };
            let p2 = if para_start || i < 2 || ctx.doc.toks[i - 2].para != ctx.doc.toks[i].para {
                9
            } else {
                tags[i - 2]
            };
            feats.clear();
            dynamic_features(ctx, i, p1, p2, &mut feats);
            let mut s = stat[i];
            self.rows.add_scores(&mut s, &feats);
            tags[i] = argmax(&s);
        }
        tags
    }
}

fn runs(tags: &[u8], from: usize, to: usize, want: impl Fn(u8) -> bool) -> Vec<Range> {
    let mut out = Vec::new();
    let mut k = from;
    while k < to {
        if want(tags[k]) {
            let s = k;
            k += 1;
            while k < to && want(tags[k]) {
                k += 1;
            }
            out.push((s, k));
        } else {
            k += 1;
        }
    }
    out
}

/// Groups tagged tokens into attributions, paragraph by paragraph.
pub(crate) fn decode(ctx: &Ctx, tags: &[u8]) -> Vec<Found> {
    let doc = ctx.doc;
    let n = tags.len();
    let mut out = Vec::new();
    let mut sent_index = Vec::with_capacity(n);
    let mut count = 0usize;
    for &start in &ctx.sent_start {
        count += usize::from(start);
        sent_index.push(count);
    }
    let mut p = 0;
    while p < n {
        let para = doc.toks[p].para;
        let mut e = p;
        while e < n && doc.toks[e].para == para {
            e += 1;
        }
        let cues = runs(tags, p, e, |t| t == CUE);
        let sources = runs(tags, p, e, |t| t == SRC);
        // Content parts: a CB starts a part; CI continues one (or starts it after other tags).
        let mut parts: Vec<Range> = Vec::new();
        let mut k = p;
        while k < e {
            if tags[k] == CB || tags[k] == CI {
                let s = k;
                k += 1;
                while k < e && tags[k] == CI {
                    k += 1;
                }
                parts.push((s, k));
            } else {
                k += 1;
            }
        }
        let sent_of = |i: usize| sent_index[i];
        let mut groups: Vec<(usize, Vec<Range>)> = Vec::new();
        let mut group_of_cue: Vec<Option<usize>> = vec![None; cues.len()];
        for part in parts {
            let words = (part.0..part.1).filter(|&k| doc.is_word(k)).count();
            if words < 2 {
                continue;
            }
            // The nearest cue in the part's own sentence(s): content is not carried across
            // sentences to a cue elsewhere.
            let (ps, pe) = (sent_of(part.0), sent_of(part.1 - 1));
            let lo = cues.partition_point(|c| sent_of(c.0) < ps);
            let hi = cues.partition_point(|c| sent_of(c.0) <= pe);
            let window = &cues[lo..hi];
            let at = window.partition_point(|c| c.0 < part.0);
            let distance = |c: &Range| {
                if c.1 <= part.0 {
                    part.0 - c.1
                } else {
                    c.0.saturating_sub(part.1)
                }
            };
            let best = [at.checked_sub(1), Some(at)]
                .into_iter()
                .flatten()
                .filter(|&k| k < window.len())
                .min_by_key(|&k| distance(&window[k]));
            let Some(k) = best else { continue };
            let ci = lo + k;
            match group_of_cue[ci] {
                Some(g) => groups[g].1.push(part),
                None => {
                    group_of_cue[ci] = Some(groups.len());
                    groups.push((ci, vec![part]));
                }
            }
        }
        for (ci, content) in groups {
            let cue = cues[ci];
            // The nearest source in the cue's sentence (or right before the cue).
            let cs = sent_of(cue.0);
            let at = sources.partition_point(|s| s.0 < cue.0);
            let source = [at.checked_sub(1), Some(at)]
                .into_iter()
                .flatten()
                .filter_map(|k| sources.get(k).copied())
                .filter(|s| sent_of(s.0) == cs || s.1 == cue.0)
                .min_by_key(|s| {
                    if s.1 <= cue.0 {
                        cue.0 - s.1
                    } else {
                        s.0.saturating_sub(cue.1)
                    }
                });
            let f = found_from(doc, content, source, cue);
            if !f.content.is_empty() {
                out.push(f);
            }
        }
        p = e;
    }
    out
}

fn found_from(doc: &Doc, mut content: Vec<Range>, source: Option<Range>, cue: Range) -> Found {
    let first = content[0].0;
    let last = content[content.len() - 1].1;
    let mark = |k: usize| doc.toks[k].kind == Kind::Mark;
    let mut end = last;
    while end > first && !doc.is_word(end - 1) && !mark(end - 1) {
        end -= 1;
    }
    let direct = mark(first) && end > first && mark(end - 1);
    let kind = if direct {
        QuoteKind::Direct
    } else if content.iter().any(|&(a, b)| (a..b).any(mark)) {
        QuoteKind::Mixed
    } else {
        QuoteKind::Indirect
    };
    if direct {
        // Our direct quotes leave the marks out.
        for part in &mut content {
            while part.0 < part.1 && (mark(part.0) || !doc.is_word(part.0)) {
                part.0 += 1;
            }
            while part.1 > part.0 && (mark(part.1 - 1) || matches!(doc.s(part.1 - 1), "," | ".")) {
                part.1 -= 1;
            }
        }
        content.retain(|p| p.1 > p.0);
    }
    Found {
        kind,
        content,
        source,
        cue: Some(cue),
        confidence: 0.5,
        continues: None,
    }
}

#[cfg(test)]
mod row_tests {
    use super::*;

    #[test]
    fn shipped_model_rows_are_integers_and_read_as_the_dense_weights() {
        let m = Model::shipped().expect("the shipped model reads");
        assert!(m.rows.wide.is_empty(), "the shipped rows fit in 16 bits");
        for b in (0..1u32 << BITS).step_by(97) {
            let mut s = [0f32; TAGS];
            m.rows.add_scores(&mut s, &[b]);
            let dense = &m.weights[b as usize * TAGS..(b as usize + 1) * TAGS];
            let want: Vec<u32> = dense.iter().map(|x| (0f32 + x).to_bits()).collect();
            let got: Vec<u32> = s.iter().map(|x| x.to_bits()).collect();
            assert_eq!(got, want, "bucket {b}");
        }
    }
}
