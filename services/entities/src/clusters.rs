//! Word clusters the tagger reads: each word's fine and coarse cluster (words used alike share
//! one: `Tuesday` with `Friday`, `Blinken` with other surnames), keyed by the tagger's
//! lower-case word hash ([`crate::words`]). Learned from unlabelled news text when the model is
//! trained and stored in the model file.

/// Word → (fine, coarse) cluster, keyed by the tagger's lower-case word hash.
#[derive(Clone, Default)]
pub struct Clusters {
    pub(crate) map: rustc_hash::FxHashMap<u64, (u16, u16)>,
}

impl Clusters {
    /// The clusters of a word hash, if the word was frequent enough to be clustered.
    #[inline]
    pub(crate) fn get(&self, l: u64) -> Option<(u16, u16)> {
        self.map.get(&l).copied()
    }
}
