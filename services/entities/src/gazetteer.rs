//! The gazetteer the tagger reads: entity strings seen in training, plus built-in place and
//! nationality lists and public name lists (`lexicon/SOURCES.md`), keyed by the hashes of their
//! lower-cased words ([`crate::words`]); built when the model is trained and stored in the model
//! file. Also which names are places of the built-in lists.

use crate::tags::{POS_B, POS_I, POS_L, POS_U};
use crate::words::{F_CAP, F_DIGIT, TokInfo, fx};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Known entity strings, by type, matched on lower-cased token sequences.
#[derive(Clone, Default)]
pub struct Gazetteer {
    /// Hash of a token sequence → bit mask of types (0 = only a prefix of a longer entry).
    pub(crate) map: HashMap<u64, u8>,
}

const GAZ_MAX: usize = 6;

impl Gazetteer {
    /// For each token, a bit mask of `type * 4 + position` for every match covering it
    /// (types 0–3: entities seen in training and the built-in lists; 4–7: the public name lists of
    /// `lexicon/`).
    pub(crate) fn mark(&self, toks: &[TokInfo], out: &mut [u32]) {
        for (i, t) in toks.iter().enumerate() {
            if t.flags & (F_CAP | F_DIGIT) == 0 {
                continue;
            }
            let mut h = 7u64;
            for (j, tj) in toks.iter().enumerate().take(i + GAZ_MAX).skip(i) {
                h = fx(h, tj.l);
                let Some(&mask) = self.map.get(&h) else { break };
                for ty in 0..8u8 {
                    if mask & (1 << ty) == 0 {
                        continue;
                    }
                    for (k, o) in out.iter_mut().enumerate().take(j + 1).skip(i) {
                        let pos = if i == j {
                            POS_U
                        } else if k == i {
                            POS_B
                        } else if k == j {
                            POS_L
                        } else {
                            POS_I
                        };
                        *o |= 1 << (ty * 4 + pos);
                    }
                }
            }
        }
    }

    /// Adds `mask` to the types of `key`, as read from a model file.
    pub(crate) fn insert_raw(&mut self, key: u64, mask: u8) {
        *self.map.entry(key).or_insert(0) |= mask;
    }
}

/// Building (training only): the keys written here are the ones [`Gazetteer::mark`] looks up.
#[cfg(feature = "train")]
impl Gazetteer {
    /// Adds an entry of `ty` made of tokens with lower-case hashes `lowers`.
    fn add_hashes(&mut self, lowers: &[u64], ty: u8) {
        if lowers.is_empty() || lowers.len() > GAZ_MAX {
            return;
        }
        let mut h = 7u64;
        for (k, &l) in lowers.iter().enumerate() {
            h = fx(h, l);
            let e = self.map.entry(h).or_insert(0);
            if k + 1 == lowers.len() {
                *e |= 1 << ty;
            }
        }
    }

    /// Adds the entry `words` of type `ty`.
    pub fn add(&mut self, words: &[&str], ty: u8) {
        let mut buf = Vec::new();
        let hs: Vec<u64> = words
            .iter()
            .map(|w| crate::words::lower_hash(w, &mut buf))
            .collect();
        self.add_hashes(&hs, ty);
    }
}

/// The public list of places (GeoNames; see `lexicon/SOURCES.md`).
pub(crate) const PLACES_LIST: &str = include_str!("../lexicon/places.txt");

/// Whether a name is a place of the built-in lists (`Kansas`, `Mexico`; not `North`).
pub(crate) fn is_listed_place(name: &str) -> bool {
    static SET: std::sync::OnceLock<HashSet<&'static str>> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        PLACES_LIST
            .lines()
            .chain(crate::lexicon::PLACES.iter().copied())
            .collect()
    })
    .contains(name)
}
