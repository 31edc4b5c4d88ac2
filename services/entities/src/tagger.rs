//! The statistical tagger behind `entities`: a greedy averaged-perceptron sequence tagger over
//! BILOU tags for the four CoNLL-2003 types (PER, ORG, LOC, MISC). Features are hashed into a
//! fixed table of weight rows, one weight per tag, so tagging allocates nothing per feature.
//! Pure: no I/O here; the shipped weights are embedded (see [`Model::shipped`]). Writing a model
//! file is training's (`write`, with the `train` feature).

use crate::clusters::Clusters;
use crate::gazetteer::Gazetteer;
use crate::tags::{NTAGS, ORG, PER, POS_B, POS_I, allowed, spans, spans_to_tags, untag};
use crate::word_classes::{UNKNOWN_NEIGHBOURS, WordClass, WordClasses};
use crate::words::{F_ALLCAP, F_ALPHA, F_CAP, F_LOWER, TokInfo, fx, tok_info};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

#[cfg(feature = "train")]
mod write;

/// Splits a tagged organisation, place or other name that runs on through a role into a
/// person's name (`Federal Reserve Governor Lawrence Lindsey`): the name becomes a person, the
/// words before the role keep their type, the role itself is no entity. The greedy tagger,
/// once inside a name, rarely sees where it should stop; the role word and the capitalised
/// words after it say so (eng.testa: three names split, all three right; F1 0.9253 → 0.9259).
pub(crate) fn split_titled_names<S: AsRef<str>>(ws: &[S], spans: &mut Vec<(usize, usize, u8)>) {
    let word = |k: usize| ws[k].as_ref();
    let mut out = Vec::with_capacity(spans.len());
    for &(a, b, ty) in spans.iter() {
        let split = (ty != PER)
            .then(|| {
                (a..b)
                    .rev()
                    .find(|&k| crate::lexicon::ROLE_WORDS.contains(&word(k)))
            })
            .flatten()
            .filter(|&k| {
                (1..=3).contains(&(b - k - 1))
                    && (k + 1..b).all(|j| {
                        let w = word(j);
                        w.starts_with(char::is_uppercase)
                            && !crate::lexicon::is_org_word(w)
                            && !crate::lexicon::TITLES.contains(&w)
                    })
            });
        match split {
            Some(k) => {
                if k > a {
                    out.push((a, k, ty));
                }
                out.push((k + 1, b, PER));
            }
            None => out.push((a, b, ty)),
        }
    }
    *spans = out;
}

/// Whether a word is a month or weekday name, which the greedy tagger lets run into a name
/// beside it (`CNBC Friday`, `September Treasury`). `March` and `May` do not count: names end
/// with them (`Long March`, `Theresa May`).
fn is_date_word(w: &str) -> bool {
    (crate::lexicon::MONTHS.contains(&w) || crate::lexicon::WEEKDAYS.contains(&w))
        && !matches!(w, "March" | "May")
}

/// Trims from a name what is no part of it: lower-case words and punctuation at its end, and,
/// unless it is a person's (`Jan Kroslak`), a month or weekday at either end. (eng.testa F1
/// 0.9259 → 0.9269: 13 names trimmed, 12 of them right.)
pub(crate) fn trim_names<S: AsRef<str>>(ws: &[S], spans: &mut [(usize, usize, u8)]) {
    let word = |k: usize| ws[k].as_ref();
    // A word with letters, all of them lower-case (`region`; not `al-Saadani`, `96` or `'s`,
    // which end names: `Euro 96`, `Lord 's`).
    let lower = |w: &str| {
        w.chars().any(char::is_alphabetic)
            && w.chars().all(|c| !c.is_alphabetic() || c.is_lowercase())
            && !matches!(w, "'s" | "’s")
    };
    for (a, b, ty) in spans.iter_mut() {
        while *b > *a + 1 {
            let w = word(*b - 1);
            let junk =
                lower(w) || matches!(w, "," | "." | ":" | ";") || (*ty != PER && is_date_word(w));
            if !junk {
                break;
            }
            *b -= 1;
        }
        while *ty != PER && *b > *a + 1 && is_date_word(word(*a)) {
            *a += 1;
        }
    }
}

/// Makes an organisation of a person's name of two or more words that ends in a word only
/// organisations' names end in (`Andy Warhol Foundation`, `Apic Yamada Corp`;
/// [`crate::lexicon::ORG_NAME_ENDINGS`]): the tagger had the span right and the type wrong
/// (eng.testa: one name retyped, rightly).
pub(crate) fn retype_organisation_names<S: AsRef<str>>(ws: &[S], spans: &mut [(usize, usize, u8)]) {
    for (a, b, ty) in spans.iter_mut() {
        if *ty == PER
            && *b > *a + 1
            && crate::lexicon::ORG_NAME_ENDINGS.contains(&ws[*b - 1].as_ref())
        {
            *ty = ORG;
        }
    }
}

/// [`split_titled_names`], [`trim_names`] and [`retype_organisation_names`] over the tags of a
/// document given as sentences of words.
pub(crate) fn tidy_names_in_tags<S: AsRef<str>>(doc: &[Vec<S>], tags: &mut [u8]) {
    let mut at = 0;
    for s in doc {
        let t = &mut tags[at..at + s.len()];
        let mut found = spans(t);
        let before = found.clone();
        split_titled_names(s, &mut found);
        trim_names(s, &mut found);
        retype_organisation_names(s, &mut found);
        if found != before {
            t.copy_from_slice(&spans_to_tags(s.len(), &found));
        }
        at += s.len();
    }
}

// ---------------------------------------------------------------------------------------------
// Feature hashing

const K1: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xC2B2_AE3D_27D4_EB4F;

#[inline]
fn fmix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    x ^= x >> 33;
    x = x.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    x ^ (x >> 33)
}

#[inline]
fn h1(template: u64, a: u64) -> u64 {
    fmix(template.wrapping_mul(K1) ^ a)
}

#[inline]
fn h2(template: u64, a: u64, b: u64) -> u64 {
    fmix(h1(template, a) ^ b.wrapping_mul(K2))
}

/// A feature hash: the table row comes from its high bits; its low three bits name the
/// template's [`Group`], which training can leave out (feature bagging).
#[inline]
fn grouped(h: u64, template: u64) -> u64 {
    (h & !7) | group(template) as u64
}

#[inline]
fn f1(template: u64, a: u64) -> u64 {
    grouped(h1(template, a), template)
}

#[inline]
fn f2(template: u64, a: u64, b: u64) -> u64 {
    grouped(h2(template, a, b), template)
}

#[inline]
fn f3(template: u64, a: u64, b: u64, c: u64) -> u64 {
    grouped(
        fmix(h2(template, a, b) ^ c.wrapping_mul(K1).rotate_left(17)),
        template,
    )
}

// ---------------------------------------------------------------------------------------------
// Features

// Template ids (any distinct constants).
const T_BIAS: u64 = 1;
const T_W: u64 = 2;
const T_L: u64 = 3;
const T_SHAPE: u64 = 4;
const T_SSHAPE: u64 = 5;
const T_PRE: u64 = 6;
const T_SUF: u64 = 10;
const T_LM1: u64 = 14;
const T_LP1: u64 = 15;
const T_LM2: u64 = 16;
const T_LP2: u64 = 17;
const T_WM1: u64 = 18;
const T_WP1: u64 = 19;
const T_SSM1: u64 = 20;
const T_SSP1: u64 = 21;
const T_SS_M1_0: u64 = 22;
const T_SS_0_P1: u64 = 23;
const T_SS_M1_0_P1: u64 = 24;
const T_BI_M1_0: u64 = 25;
const T_BI_0_P1: u64 = 26;
const T_FIRST_SS: u64 = 27;
const T_HEAD_SS: u64 = 28;
const T_LEN: u64 = 29;
const T_GAZ: u64 = 30;
const T_DOC_LC: u64 = 31;
const T_DOC_CAPMID: u64 = 32;
const T_FIRST_W: u64 = 33;
const T_GAZ_M1: u64 = 34;
const T_GAZ_P1: u64 = 35;
const T_SUF3_M1: u64 = 36;
const T_PREV: u64 = 40;
const T_PREV2: u64 = 41;
const T_PREV_L: u64 = 42;
const T_PREV_SS: u64 = 43;
const T_HIST: u64 = 44;
const T_HIST_SS: u64 = 45;
const T_HEAD_DOCCAP: u64 = 46;
const T_AGG_PREV: u64 = 47;
const T_AGG_NEXT: u64 = 48;
const T_WW_0_P1: u64 = 70;
const T_WW_M1_0: u64 = 71;
const T_SUF3_P1: u64 = 72;
const T_CM2F: u64 = 73;
const T_CP2F: u64 = 74;
const T_C0F: u64 = 50;
const T_C0C: u64 = 51;
const T_CM1F: u64 = 52;
const T_CP1F: u64 = 53;
const T_C0C_SS: u64 = 54;
const T_G0_FINE: u64 = 80;
const T_G0_MID: u64 = 81;
const T_G0_COARSE: u64 = 82;
const T_G0_MID_SS: u64 = 83;
const T_GM1_MID: u64 = 84;
const T_GP1_MID: u64 = 85;
const T_GM1_FINE: u64 = 86;
const T_GP1_FINE: u64 = 87;
const T_GM2_MID: u64 = 100;
const T_GP2_MID: u64 = 101;
const T_NB: u64 = 102;
const T_NB_SS: u64 = 103;
const T_NB_M1: u64 = 104;
const T_NB_P1: u64 = 105;
const T_CM1C_C0C: u64 = 55;
const T_C0C_CP1C: u64 = 56;

/// Families of feature templates, for feature bagging: an ensemble member trained without one
/// family must lean on the others, so the averaged table does not leave them undertrained
/// behind the strongest (Sutton, Sindelar and McCallum, 2005).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Group {
    /// Bias, shapes, affixes, lengths and the like.
    Form = 0,
    /// The word itself, alone or with a neighbour.
    Word = 1,
    /// The neighbouring words.
    Context = 2,
    /// Word clusters and word classes.
    Classes = 3,
    /// Gazetteer matches.
    Gazetteer = 4,
    /// Evidence from the rest of the document.
    Document = 5,
    /// The tags already given.
    Tags = 6,
}

const fn group(template: u64) -> Group {
    match template {
        T_W | T_L | T_FIRST_W | T_BI_M1_0 | T_BI_0_P1 | T_WW_0_P1 | T_WW_M1_0 => Group::Word,
        T_LM1 | T_LP1 | T_LM2 | T_LP2 | T_WM1 | T_WP1 => Group::Context,
        T_C0F | T_C0C | T_CM1F | T_CP1F | T_C0C_SS | T_CM2F | T_CP2F | T_CM1C_C0C | T_C0C_CP1C
        | T_G0_FINE | T_G0_MID | T_G0_COARSE | T_G0_MID_SS | T_GM1_MID | T_GP1_MID | T_GM1_FINE
        | T_GP1_FINE | T_GM2_MID | T_GP2_MID | T_NB | T_NB_SS | T_NB_M1 | T_NB_P1 => Group::Classes,
        T_GAZ | T_GAZ_M1 | T_GAZ_P1 => Group::Gazetteer,
        T_DOC_LC | T_DOC_CAPMID | T_HEAD_DOCCAP | T_AGG_PREV | T_AGG_NEXT | T_S1 | T_S1_M1
        | T_S1_P1 | T_S1_AGG | T_S1_AGG_W | T_S1_ENT | T_S1_LONGER => Group::Document,
        T_PREV | T_PREV2 | T_PREV_L | T_PREV_SS | T_HIST | T_HIST_SS => Group::Tags,
        _ => Group::Form,
    }
}

/// Number of dynamic (tag-history) features per token.
const N_DYN: usize = 6;

/// Static features for one document, ready for scoring.
pub(crate) struct DocFeatures {
    /// Flat feature hashes; token `i`'s are `feats[offs[i]..offs[i + 1]]`.
    feats: Vec<u64>,
    offs: Vec<usize>,
    toks: Vec<TokInfo>,
    /// Start token index of each sentence, plus the total at the end.
    sent_starts: Vec<usize>,
}

/// Builds features for a document given as sentences of words.
pub(crate) fn featurize<S: AsRef<str>>(
    doc: &[Vec<S>],
    gaz: &Gazetteer,
    clusters: &Clusters,
    classes: &WordClasses,
) -> DocFeatures {
    let mut buf = Vec::with_capacity(32);
    let total: usize = doc.iter().map(Vec::len).sum();
    let mut toks = Vec::with_capacity(total);
    let mut sent_starts = Vec::with_capacity(doc.len() + 1);
    for s in doc {
        sent_starts.push(toks.len());
        for w in s {
            toks.push(tok_info(w.as_ref(), &mut buf));
        }
    }
    sent_starts.push(toks.len());

    // Document-level evidence: words seen lower-case, words seen capitalised mid-sentence in a
    // sentence that is not all capitals.
    let mut seen_lower: HashSet<u64> = HashSet::default();
    let mut seen_capmid: HashSet<u64> = HashSet::default();
    let mut headline = vec![false; doc.len()];
    for (si, win) in sent_starts.windows(2).enumerate() {
        let sent = &toks[win[0]..win[1]];
        let alpha = sent.iter().filter(|t| t.flags & F_ALPHA != 0).count();
        let caps = sent
            .iter()
            .filter(|t| t.flags & F_ALLCAP != 0 && t.flags & F_ALPHA != 0)
            .count();
        headline[si] = alpha >= 2 && caps * 10 >= alpha * 9;
        for (k, t) in sent.iter().enumerate() {
            if t.flags & F_LOWER != 0 {
                seen_lower.insert(t.l);
            } else if k > 0 && !headline[si] && t.flags & F_CAP != 0 {
                seen_capmid.insert(t.l);
            }
        }
    }

    let cl: Vec<(u64, u64)> = toks
        .iter()
        .map(|t| {
            clusters
                .get(t.l)
                .map_or((0xFFFF, 0xFFFF), |(f, c)| (f as u64, c as u64))
        })
        .collect();
    const NO_CLASS: WordClass = WordClass {
        levels: [0xFFFF; 3],
        neighbours: UNKNOWN_NEIGHBOURS,
    };
    const EDGE_CLASS: [u16; 3] = [0xFFFE; 3];
    let wc: Vec<WordClass> = toks
        .iter()
        .map(|t| classes.get(t.l).unwrap_or(NO_CLASS))
        .collect();
    // Where each capitalised word occurs, for context aggregation across the document.
    let mut occ: HashMap<u64, Vec<u32>> = HashMap::default();
    for (i, t) in toks.iter().enumerate() {
        if t.flags & F_CAP != 0 {
            occ.entry(t.l).or_default().push(i as u32);
        }
    }
    let sent_of: Vec<u32> = {
        let mut v = vec![0u32; toks.len()];
        for (si, w) in sent_starts.windows(2).enumerate() {
            v[w[0]..w[1]].iter_mut().for_each(|x| *x = si as u32);
        }
        v
    };
    let mut gazm = vec![0u32; toks.len()];
    for win in sent_starts.windows(2) {
        gaz.mark(&toks[win[0]..win[1]], &mut gazm[win[0]..win[1]]);
    }

    let mut feats = Vec::with_capacity(toks.len() * 48);
    let mut offs = Vec::with_capacity(toks.len() + 1);
    const PAD: TokInfo = TokInfo {
        w: 0xAB,
        l: 0xAB,
        shape: 0xAB,
        sshape: 0xAB,
        pre: [0; 4],
        suf: [0xAB; 4],
        flags: 0,
        len: 0,
    };
    for (si, win) in sent_starts.windows(2).enumerate() {
        let (s, e) = (win[0], win[1]);
        let head = headline[si] as u64;
        for i in s..e {
            offs.push(feats.len());
            let t = &toks[i];
            let get = |k: isize| -> &TokInfo {
                let j = i as isize + k;
                if j < s as isize || j >= e as isize {
                    &PAD
                } else {
                    &toks[j as usize]
                }
            };
            let (m2, m1, p1, p2) = (get(-2), get(-1), get(1), get(2));
            let first = (i == s) as u64;
            feats.push(f1(T_BIAS, 0));
            feats.push(f1(T_W, t.w));
            feats.push(f1(T_L, t.l));
            feats.push(f1(T_SHAPE, t.shape));
            feats.push(f1(T_SSHAPE, t.sshape));
            for k in 0..4 {
                feats.push(f1(T_PRE + k as u64, t.pre[k]));
                feats.push(f1(T_SUF + k as u64, t.suf[k]));
            }
            feats.push(f1(T_LM1, m1.l));
            feats.push(f1(T_LP1, p1.l));
            feats.push(f1(T_LM2, m2.l));
            feats.push(f1(T_LP2, p2.l));
            feats.push(f1(T_WM1, m1.w));
            feats.push(f1(T_WP1, p1.w));
            feats.push(f1(T_SSM1, m1.sshape));
            feats.push(f1(T_SSP1, p1.sshape));
            feats.push(f2(T_SS_M1_0, m1.sshape, t.sshape));
            feats.push(f2(T_SS_0_P1, t.sshape, p1.sshape));
            feats.push(f3(T_SS_M1_0_P1, m1.sshape, t.sshape, p1.sshape));
            feats.push(f2(T_BI_M1_0, m1.l, t.l));
            feats.push(f2(T_BI_0_P1, t.l, p1.l));
            feats.push(f2(T_SUF3_M1, m1.suf[2], t.sshape));
            feats.push(f3(T_FIRST_SS, first, head, t.sshape));
            feats.push(f2(T_FIRST_W, first, t.w));
            feats.push(f2(T_HEAD_SS, head, t.shape));
            feats.push(f2(T_LEN, t.len.min(12) as u64, t.flags as u64));
            let (c0f, c0c) = cl[i];
            let (cm1f, cm1c) = if i > s { cl[i - 1] } else { (0xFFFE, 0xFFFE) };
            let (cp1f, cp1c) = if i + 1 < e {
                cl[i + 1]
            } else {
                (0xFFFE, 0xFFFE)
            };
            feats.push(f1(T_C0F, c0f));
            feats.push(f1(T_C0C, c0c));
            feats.push(f1(T_CM1F, cm1f));
            feats.push(f1(T_CP1F, cp1f));
            feats.push(f2(T_C0C_SS, c0c, t.sshape));
            feats.push(f2(T_WW_0_P1, t.w, p1.w));
            feats.push(f2(T_WW_M1_0, m1.w, t.w));
            feats.push(f2(T_SUF3_P1, p1.suf[2], t.sshape));
            let cm2 = if i >= s + 2 { cl[i - 2].0 } else { 0xFFFE };
            let cp2 = if i + 2 < e { cl[i + 2].0 } else { 0xFFFE };
            feats.push(f1(T_CM2F, cm2));
            feats.push(f1(T_CP2F, cp2));
            feats.push(f2(T_CM1C_C0C, cm1c, c0c));
            feats.push(f2(T_C0C_CP1C, c0c, cp1c));
            let g0 = wc[i].levels;
            let gm1 = if i > s { wc[i - 1].levels } else { EDGE_CLASS };
            let gp1 = if i + 1 < e {
                wc[i + 1].levels
            } else {
                EDGE_CLASS
            };
            feats.push(f1(T_G0_FINE, g0[0] as u64));
            feats.push(f1(T_G0_MID, g0[1] as u64));
            feats.push(f1(T_G0_COARSE, g0[2] as u64));
            feats.push(f2(T_G0_MID_SS, g0[1] as u64, t.sshape));
            feats.push(f1(T_GM1_MID, gm1[1] as u64));
            feats.push(f1(T_GP1_MID, gp1[1] as u64));
            feats.push(f1(T_GM1_FINE, gm1[0] as u64));
            feats.push(f1(T_GP1_FINE, gp1[0] as u64));
            let gm2 = if i >= s + 2 {
                wc[i - 2].levels[1]
            } else {
                0xFFFE
            };
            let gp2 = if i + 2 < e {
                wc[i + 2].levels[1]
            } else {
                0xFFFE
            };
            // What this word's and its neighbours' nearest labelled words were tagged as.
            let nb = |j: usize| wc[j].neighbours as u64;
            let edge = UNKNOWN_NEIGHBOURS as u64 - 1;
            feats.push(f1(T_NB, nb(i)));
            feats.push(f2(T_NB_SS, nb(i), t.sshape));
            feats.push(f1(T_NB_M1, if i > s { nb(i - 1) } else { edge }));
            feats.push(f1(T_NB_P1, if i + 1 < e { nb(i + 1) } else { edge }));
            feats.push(f1(T_GM2_MID, gm2 as u64));
            feats.push(f1(T_GP2_MID, gp2 as u64));
            let g = gazm[i];
            if g == 0 {
                feats.push(f1(T_GAZ, 0xFFFF));
            } else {
                for b in 0..32u64 {
                    if g & (1 << b) != 0 {
                        feats.push(f1(T_GAZ, b));
                    }
                }
            }
            let gm1 = if i > s { gazm[i - 1] } else { 0 };
            let gp1 = if i + 1 < e { gazm[i + 1] } else { 0 };
            feats.push(f1(T_GAZ_M1, gm1 as u64));
            feats.push(f1(T_GAZ_P1, gp1 as u64));
            if t.flags & F_CAP != 0
                && let Some(list) = occ.get(&t.l)
            {
                for &j in list.iter().filter(|&&j| j as usize != i).take(6) {
                    let j = j as usize;
                    let js = sent_of[j] as usize;
                    let (a, b) = (sent_starts[js], sent_starts[js + 1]);
                    let pl = if j > a { toks[j - 1].l } else { 0xAB };
                    let nl = if j + 1 < b { toks[j + 1].l } else { 0xAB };
                    feats.push(f1(T_AGG_PREV, pl));
                    feats.push(f1(T_AGG_NEXT, nl));
                }
            }
            if t.flags & (F_CAP | F_ALLCAP) != 0 {
                let lc = seen_lower.contains(&t.l) as u64;
                let cm = seen_capmid.contains(&t.l) as u64;
                feats.push(f3(T_DOC_LC, lc, first, head));
                feats.push(f3(T_DOC_CAPMID, cm, first, head));
                if head == 1 {
                    feats.push(f2(T_HEAD_DOCCAP, cm, lc));
                }
            }
        }
    }
    offs.push(feats.len());
    DocFeatures {
        feats,
        offs,
        toks,
        sent_starts,
    }
}

/// Per-document memory of what earlier mentions of a word were tagged as.
#[derive(Default)]
struct History {
    counts: HashMap<u64, [u32; 5]>,
}

impl History {
    fn feature(&self, t: &TokInfo) -> u64 {
        if t.flags & (F_CAP | F_ALLCAP) == 0 {
            return 0;
        }
        match self.counts.get(&t.l) {
            None => 1,
            Some(c) => {
                let best = (0..5).max_by_key(|&k| (c[k], k)).unwrap_or(0);
                2 + best as u64
            }
        }
    }

    fn record(&mut self, t: &TokInfo, tg: u8) {
        if t.flags & (F_CAP | F_ALLCAP) == 0 {
            return;
        }
        let k = untag(tg).map_or(4, |(ty, _)| ty as usize);
        self.counts.entry(t.l).or_insert([0; 5])[k] += 1;
    }
}

#[inline]
fn dyn_feats(t: &TokInfo, p1: u8, p2: u8, hist: u64) -> [u64; N_DYN] {
    [
        f1(T_PREV, p1 as u64),
        f2(T_PREV2, p1 as u64, p2 as u64),
        f2(T_PREV_L, p1 as u64, t.l),
        f2(T_PREV_SS, p1 as u64, t.sshape),
        f1(T_HIST, hist),
        f2(T_HIST_SS, hist, t.sshape),
    ]
}

// ---------------------------------------------------------------------------------------------
// Scoring

/// Something that scores hashed features: the quantised shipped table or the training table.
pub(crate) trait Scorer {
    /// Adds the weights of feature hash `h` to `acc`.
    fn add(&self, h: u64, acc: &mut [i32; NTAGS]);
    /// Every token's summed static-feature weights, when they can be computed before tagging
    /// (weights that do not change meanwhile).
    fn static_scores(&self, _df: &DocFeatures) -> Option<Vec<[i32; NTAGS]>> {
        None
    }
    /// Perceptron update after a mistake (training only), then one tick of the clock.
    fn learn(&mut self, _feats: &[u64], _gold: u8, _pred: u8) {}
    /// One token seen (training only).
    fn tick(&mut self) {}
    /// Feature groups this scorer is trained without, one bit per [`Group`] (training only).
    fn dropped_groups(&self) -> u8 {
        0
    }
}

/// Tags a featurized document greedily, left to right, with well-formed BILOU output. When
/// `learn` is given, the perceptron update for each token is reported to it.
pub(crate) fn tag_doc<S: Scorer>(scorer: &mut S, df: &DocFeatures, gold: Option<&[u8]>) -> Vec<u8> {
    let n = df.toks.len();
    let mut out = vec![0u8; n];
    let mut hist = History::default();
    let mut all = Vec::with_capacity(64);
    let pre = scorer.static_scores(df);
    let dropped = if gold.is_some() {
        scorer.dropped_groups()
    } else {
        0
    };
    let mut kept = Vec::new();
    for win in df.sent_starts.windows(2) {
        let (s, e) = (win[0], win[1]);
        let (mut p1, mut p2) = (0u8, 0u8);
        for i in s..e {
            let t = &df.toks[i];
            let mut stat = &df.feats[df.offs[i]..df.offs[i + 1]];
            if dropped != 0 {
                kept.clear();
                kept.extend(stat.iter().filter(|&&h| dropped & (1 << (h & 7)) == 0));
                stat = &kept;
            }
            let mut acc = match &pre {
                Some(p) => p[i],
                None => {
                    let mut acc = [0i32; NTAGS];
                    for &h in stat {
                        scorer.add(h, &mut acc);
                    }
                    acc
                }
            };
            let dy = dyn_feats(t, p1, if i > s + 1 { p2 } else { 0xFE }, hist.feature(t));
            let dy = if dropped & (1 << Group::Tags as u8) != 0 {
                &[][..]
            } else {
                &dy[..]
            };
            for &h in dy {
                scorer.add(h, &mut acc);
            }
            let mut best = 0u8;
            let mut best_score = i32::MIN;
            for (k, &sc) in acc.iter().enumerate() {
                let k = k as u8;
                // The last token of a sentence cannot open a span.
                let closes = i + 1 < e || !matches!(untag(k), Some((_, POS_B | POS_I)));
                if sc > best_score && allowed(p1, k) && closes {
                    best = k;
                    best_score = sc;
                }
            }
            if let Some(g) = gold {
                if g[i] != best {
                    all.clear();
                    all.extend_from_slice(stat);
                    all.extend_from_slice(dy);
                    // Train on the model's own history, as at tagging time.
                    scorer.learn(&all, g[i], best);
                }
                scorer.tick();
            }
            out[i] = best;
            hist.record(t, best);
            p2 = p1;
            p1 = best;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Second stage: features from the first stage's tags over the whole document

const T_S1: u64 = 60;
const T_S1_M1: u64 = 61;
const T_S1_P1: u64 = 62;
const T_S1_AGG: u64 = 63;
const T_S1_AGG_W: u64 = 64;
const T_S1_ENT: u64 = 65;
const T_S1_LONGER: u64 = 66;

/// Adds, to first-stage features, what the first stage tagged here, next door, and at the
/// other mentions of the same capitalised word in the document.
pub(crate) fn second_stage(df: &DocFeatures, pred1: &[u8]) -> DocFeatures {
    let n = df.toks.len();
    let ty = |t: u8| untag(t).map_or(4u64, |(ty, _)| ty as u64);
    let mut counts: HashMap<u64, [u32; 5]> = HashMap::default();
    for (t, &p) in df.toks.iter().zip(pred1) {
        if t.flags & (F_CAP | F_ALLCAP) != 0 {
            counts.entry(t.l).or_insert([0; 5])[ty(p) as usize] += 1;
        }
    }
    // Entity-level evidence (Krishnan and Manning, 2006): how the same entity string was typed
    // elsewhere, and the longer entities a word is part of elsewhere (`Leeds` in `Leeds
    // United`, `Clinton` in `Bill Clinton`).
    let found = spans(pred1);
    let key = |a: usize, b: usize| df.toks[a..b].iter().fold(9u64, |h, t| fx(h, t.l));
    let mut by_string: HashMap<u64, [u32; 5]> = HashMap::default();
    let mut longer: HashMap<u64, [u32; 5]> = HashMap::default();
    let mut span_of = vec![usize::MAX; n];
    for (k, &(a, b, ty)) in found.iter().enumerate() {
        by_string.entry(key(a, b)).or_insert([0; 5])[ty as usize] += 1;
        span_of[a..b].iter_mut().for_each(|x| *x = k);
        if b - a >= 2 {
            for t in &df.toks[a..b] {
                if t.flags & (F_CAP | F_ALLCAP) != 0 {
                    longer.entry(t.l).or_insert([0; 5])[ty as usize] += 1;
                }
            }
        }
    }
    let majority = |c: [u32; 5]| {
        if c.iter().all(|&x| x == 0) {
            9
        } else {
            (0..5).max_by_key(|&k| (c[k], k)).unwrap_or(4) as u64
        }
    };
    let mut feats = Vec::with_capacity(df.feats.len() + n * 7);
    let mut offs = Vec::with_capacity(n + 1);
    for win in df.sent_starts.windows(2) {
        let (s, e) = (win[0], win[1]);
        for i in s..e {
            offs.push(feats.len());
            feats.extend_from_slice(&df.feats[df.offs[i]..df.offs[i + 1]]);
            let t = &df.toks[i];
            if let Some(&(a, b, ty)) = found.get(span_of[i]) {
                let mut c = by_string.get(&key(a, b)).copied().unwrap_or([0; 5]);
                c[ty as usize] -= 1;
                feats.push(f2(T_S1_ENT, majority(c), ty as u64));
            }
            if t.flags & (F_CAP | F_ALLCAP) != 0 {
                let mut c = longer.get(&t.l).copied().unwrap_or([0; 5]);
                if let Some(&(a, b, ty)) = found.get(span_of[i])
                    && b - a >= 2
                {
                    c[ty as usize] -= 1;
                }
                feats.push(f2(T_S1_LONGER, majority(c), ty(pred1[i])));
            }
            feats.push(f1(T_S1, pred1[i] as u64));
            let m1 = if i > s { pred1[i - 1] as u64 } else { 0xFE };
            let p1 = if i + 1 < e { pred1[i + 1] as u64 } else { 0xFE };
            feats.push(f2(T_S1_M1, m1, pred1[i] as u64));
            feats.push(f2(T_S1_P1, pred1[i] as u64, p1));
            if t.flags & (F_CAP | F_ALLCAP) != 0 {
                let mut c = counts.get(&t.l).copied().unwrap_or([0; 5]);
                c[ty(pred1[i]) as usize] -= 1;
                let total: u32 = c.iter().sum();
                let agg = if total == 0 {
                    9
                } else {
                    (0..5).max_by_key(|&k| (c[k], k)).unwrap_or(4) as u64
                };
                feats.push(f2(T_S1_AGG, agg, ty(pred1[i])));
                feats.push(f2(T_S1_AGG_W, agg, t.sshape));
            }
        }
    }
    offs.push(feats.len());
    DocFeatures {
        feats,
        offs,
        toks: df.toks.clone(),
        sent_starts: df.sent_starts.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// The shipped model

/// One quantised weight table: `(1 << bits)` rows of `NTAGS` weights, most of them zero. Only
/// the non-zero rows are stored, found through a bitmap with running counts, so the table is a
/// tenth of its dense size and a lookup mostly hits the cache (a missing row adds nothing).
pub(crate) struct Table {
    bits: u32,
    /// Per 64 rows: which are stored (bit `r % 64`), and how many are stored before them.
    index: Vec<RowBlock>,
    /// An all-zero row, then the stored rows in row order.
    rows: Vec<[i16; NTAGS]>,
}

#[derive(Clone, Copy, Default)]
struct RowBlock {
    present: u64,
    before: u32,
}

impl Scorer for &Table {
    #[inline]
    fn add(&self, h: u64, acc: &mut [i32; NTAGS]) {
        let w = self.row((h >> (64 - self.bits)) as usize);
        for k in 0..NTAGS {
            acc[k] += w[k] as i32;
        }
    }

    fn static_scores(&self, df: &DocFeatures) -> Option<Vec<[i32; NTAGS]>> {
        // The weights do not change while tagging, so every token's static features can be
        // summed up front, where the lookups of many tokens overlap in memory.
        let mut out = vec![[0i32; NTAGS]; df.toks.len()];
        for (i, acc) in out.iter_mut().enumerate() {
            for &h in &df.feats[df.offs[i]..df.offs[i + 1]] {
                self.add(h, acc);
            }
        }
        Some(out)
    }
}

impl Table {
    /// Builds a table from `(row, weights)` in increasing row order.
    fn from_rows(bits: u32, rows: impl Iterator<Item = (usize, [i16; NTAGS])>) -> Table {
        let mut index = vec![RowBlock::default(); (1usize << bits).div_ceil(64)];
        let mut stored = vec![[0i16; NTAGS]];
        for (r, w) in rows {
            index[r / 64].present |= 1 << (r % 64);
            stored.push(w);
        }
        let mut before = 0u32;
        for b in &mut index {
            b.before = before;
            before += b.present.count_ones();
        }
        Table {
            bits,
            index,
            rows: stored,
        }
    }

    /// The weights of row `r` (the zero row when it is not stored). Branch-free: whether a row
    /// is stored is unpredictable, and a mispredicted branch would stall the memory pipeline.
    #[inline]
    fn row(&self, r: usize) -> &[i16; NTAGS] {
        let b = self.index[r / 64];
        let bit = 1u64 << (r % 64);
        let stored = ((b.present >> (r % 64)) & 1) as usize;
        let k = b.before as usize + 1 + (b.present & (bit - 1)).count_ones() as usize;
        &self.rows[k * stored]
    }

    fn read(r: &mut Reader<'_>) -> Result<Table, ModelError> {
        let bits = r.u32()?;
        if !(10..=26).contains(&bits) {
            return Err(ModelError::Format("bad table size"));
        }
        let nrows = r.u32()? as usize;
        let size = 1usize << bits;
        let mut idx = Vec::with_capacity(nrows);
        let mut prev = 0usize;
        for _ in 0..nrows {
            prev += r.varint()? as usize;
            if prev >= size {
                return Err(ModelError::Format("row out of range"));
            }
            idx.push(prev);
        }
        let data = r.take(nrows * NTAGS * 2)?;
        // A row listed twice keeps its last weights, as writing them in turn would.
        let mut rows: Vec<(usize, [i16; NTAGS])> = Vec::with_capacity(nrows);
        for (k, &row) in idx.iter().enumerate() {
            let src = &data[k * NTAGS * 2..(k + 1) * NTAGS * 2];
            let mut w = [0i16; NTAGS];
            for (t, c) in src.chunks_exact(2).enumerate() {
                w[t] = i16::from_le_bytes([c[0], c[1]]);
            }
            match rows.last_mut() {
                Some(last) if last.0 == row => last.1 = w,
                _ => rows.push((row, w)),
            }
        }
        Ok(Table::from_rows(bits, rows.into_iter()))
    }
}

/// A trained tagger: one or two quantised weight tables (the second reads the first's tags),
/// a gazetteer and word clusters.
pub struct Model {
    tables: Vec<Table>,
    gaz: Gazetteer,
    clusters: Clusters,
    classes: WordClasses,
}

const MAGIC: &[u8; 8] = b"NFNER\0\0\x04";

static SHIPPED: &[u8] = include_bytes!("../model/ner.bin");

/// Errors reading a model file.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The bytes are not a model this code can read.
    #[error("not a newsflow NER model: {0}")]
    Format(&'static str),
}

struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        if self.b.len() < n {
            return Err(ModelError::Format("truncated"));
        }
        let (a, rest) = self.b.split_at(n);
        self.b = rest;
        Ok(a)
    }
    fn u32(&mut self) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self) -> Result<u64, ModelError> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn varint(&mut self) -> Result<u64, ModelError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.take(1)?[0];
            v |= ((b & 0x7F) as u64) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(ModelError::Format("bad varint"))
    }
}

impl Model {
    /// The model shipped with this crate (embedded in the binary), decoded once.
    pub fn shipped() -> &'static Model {
        static M: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
        M.get_or_init(|| Model::from_bytes(SHIPPED).expect("the embedded model is valid"))
    }

    /// The embedded model file (`model/ner.bin`), as [`Model::from_bytes`] reads it.
    pub fn shipped_bytes() -> &'static [u8] {
        SHIPPED
    }

    /// Reads a model file: `model/ner.bin` ([`Model::shipped_bytes`]) or one written by
    /// `newsflow train ner --out FILE`.
    ///
    /// # Errors
    /// When the bytes are not such a model.
    pub fn from_bytes(b: &[u8]) -> Result<Model, ModelError> {
        let mut r = Reader { b };
        let magic = r.take(8)?;
        if magic[..7] == MAGIC[..7] && magic[7] != MAGIC[7] {
            return Err(ModelError::Format(
                "written in another format version; retrain it with `newsflow train ner`",
            ));
        }
        if magic != MAGIC {
            return Err(ModelError::Format("bad magic"));
        }
        if r.u32()? as usize != NTAGS {
            return Err(ModelError::Format("tag set differs"));
        }
        let ng = r.u32()? as usize;
        let mut gaz = Gazetteer::default();
        gaz.map.reserve(ng);
        for _ in 0..ng {
            let k = r.u64()?;
            let v = r.take(1)?[0];
            gaz.insert_raw(k, v);
        }
        let nc = r.u32()? as usize;
        let mut clusters = Clusters::default();
        clusters.map.reserve(nc);
        for _ in 0..nc {
            let k = r.u64()?;
            let b = r.take(4)?;
            let f = u16::from_le_bytes([b[0], b[1]]);
            let c = u16::from_le_bytes([b[2], b[3]]);
            clusters.map.insert(k, (f, c));
        }
        let nw = r.u32()? as usize;
        let mut classes = WordClasses::default();
        classes.map.reserve(nw);
        for _ in 0..nw {
            let k = r.u64()?;
            let b = r.take(7)?;
            let l = |i: usize| u16::from_le_bytes([b[2 * i], b[2 * i + 1]]);
            let levels = [l(0), l(1), l(2)];
            let neighbours = b[6];
            classes.map.insert(k, WordClass { levels, neighbours });
        }
        let nt = r.u32()? as usize;
        if !(1..=2).contains(&nt) {
            return Err(ModelError::Format("bad stage count"));
        }
        let tables = (0..nt)
            .map(|_| Table::read(&mut r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Model {
            tables,
            gaz,
            clusters,
            classes,
        })
    }

    pub(crate) fn featurize<S: AsRef<str>>(&self, doc: &[Vec<S>]) -> DocFeatures {
        featurize(doc, &self.gaz, &self.clusters, &self.classes)
    }

    /// Tags featurized text with every stage.
    pub(crate) fn tag_features(&self, df: &DocFeatures) -> Vec<u8> {
        let mut first = &self.tables[0];
        let pred = tag_doc(&mut first, df, None);
        match self.tables.get(1) {
            None => pred,
            Some(t) => {
                let mut second = t;
                tag_doc(&mut second, &second_stage(df, &pred), None)
            }
        }
    }

    /// Tags a document (sentences of words) and returns one tag per word ([`crate::tags`]),
    /// sentence after sentence; names that run on through a role are split, what is no part of
    /// a name is trimmed from it, and a person named like an organisation becomes one.
    pub fn tag<S: AsRef<str>>(&self, doc: &[Vec<S>]) -> Vec<u8> {
        let mut tags = self.tag_features(&self.featurize(doc));
        tidy_names_in_tags(doc, &mut tags);
        tags
    }

    /// Tags a document and returns entity spans per sentence: `(start, end, type)` in token
    /// indices within each sentence.
    pub(crate) fn entities<S: AsRef<str>>(&self, doc: &[Vec<S>]) -> Vec<Vec<(usize, usize, u8)>> {
        let tags = self.tag(doc);
        let mut out = Vec::with_capacity(doc.len());
        let mut at = 0;
        for s in doc {
            out.push(spans(&tags[at..at + s.len()]));
            at += s.len();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_titled_names_parts_an_organisation_from_the_person_after_its_role() {
        let ws = [
            "the", "Federal", "Reserve", "Governor", "Lawrence", "Lindsey", "said",
        ];
        let mut s = vec![(1, 6, 1)];
        split_titled_names(&ws, &mut s);
        assert_eq!(s, vec![(1, 3, 1), (4, 6, 0)]);

        // A role with an organisation's words after it, or a person already, stays whole.
        let ws = ["the", "UN", "Secretary", "General", "Office"];
        let mut s = vec![(1, 5, 1)];
        split_titled_names(&ws, &mut s);
        assert_eq!(s, vec![(1, 5, 1)]);
        let ws = ["Prime", "Minister", "John", "Major"];
        let mut s = vec![(0, 4, 0)];
        split_titled_names(&ws, &mut s);
        assert_eq!(s, vec![(0, 4, 0)]);
    }

    #[test]
    fn a_person_named_like_an_organisation_becomes_one() {
        let ws = [
            "the",
            "Andy",
            "Warhol",
            "Foundation",
            "and",
            "Andy",
            "Warhol",
            "beat",
            "Margaret",
            "Court",
            "Society",
        ];
        let mut s = vec![(1, 4, 0), (5, 7, 0), (8, 10, 0), (10, 11, 0)];
        retype_organisation_names(&ws, &mut s);
        // A surname that is also an organisation word (`Court`) and a lone word stay people.
        assert_eq!(s, vec![(1, 4, 1), (5, 7, 0), (8, 10, 0), (10, 11, 0)]);
    }

    #[test]
    fn trim_names_drops_lower_case_words_punctuation_and_dates_at_the_edges() {
        let ws = [
            "the",
            "Biden",
            "administration",
            "said",
            "CNBC",
            "Friday",
            "September",
            "Treasury",
            "Jan",
            "Kroslak",
            "Euro",
            "96",
            "Scientology",
            "website",
            ",",
        ];
        let mut s = vec![
            (1, 3, 1),
            (4, 6, 1),
            (6, 8, 1),
            (8, 10, 0),
            (10, 12, 3),
            (12, 15, 1),
        ];
        trim_names(&ws, &mut s);
        assert_eq!(
            s,
            vec![
                (1, 2, 1),
                (4, 5, 1),
                (7, 8, 1),
                (8, 10, 0),
                (10, 12, 3),
                (12, 13, 1)
            ]
        );
    }
}
