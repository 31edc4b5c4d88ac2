//! Word classes the tagger reads: what pretrained word vectors say of a word, knowledge from
//! billions of words of news and encyclopedia text that the 200,000 tokens of labelled training
//! news cannot give (that `Kursk` is used like other towns, `Zelenskyy` like other surnames,
//! `Pentagon` like other institutions): its class at three granularities and a code of what its
//! nearest labelled neighbours were tagged as. Keyed by the tagger's lower-case word hash
//! ([`crate::words`]); learned by `newsflow train word-classes` into `model/word-classes.tsv`,
//! which `newsflow train ner` stores in the model file.

use rustc_hash::FxHashMap;

/// [`WordClass::neighbours`] of a word whose neighbours lean nowhere (every neighbour's cosine
/// is zero or less), or whose code was not computed.
pub(crate) const UNKNOWN_NEIGHBOURS: u8 = 0xFF;

/// What the tagger knows of one word from its vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct WordClass {
    /// Class at each level: fine, mid, coarse.
    pub levels: [u16; 3],
    /// What the word's nearest labelled words were tagged as: a code of the leading entity type
    /// and how far it leads, or `0xFF` when they lean nowhere.
    pub neighbours: u8,
}

/// Word → its class, keyed by the tagger's lower-case word hash.
#[derive(Clone, Default)]
pub struct WordClasses {
    pub(crate) map: FxHashMap<u64, WordClass>,
}

impl WordClasses {
    /// The classes of a word hash, if the word is among the classified words.
    #[inline]
    pub(crate) fn get(&self, l: u64) -> Option<WordClass> {
        self.map.get(&l).copied()
    }
}
