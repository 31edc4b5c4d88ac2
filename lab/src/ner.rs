//! Measuring and training the `entities` stage: the CoNLL-2003 reader ([`conll`]), `newsflow
//! eval ner` ([`eval`]), `bench ner` beside spaCy ([`bench`]) and the drivers of `train ner` and
//! `train word-classes` ([`train`]). The learning code they drive is `newsflow_entities::train`
//! (the crate's `train` feature, which this crate enables).

pub mod bench;
pub mod conll;
pub mod eval;
pub mod train;
