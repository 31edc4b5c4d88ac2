//! placeholder during development
pub mod clusters;
pub mod conll;
pub mod eval;
pub mod lexicon;
pub mod tagger;
pub mod train;
