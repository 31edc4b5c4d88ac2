//! Measuring and training the `entities` stage: the CoNLL-2003 reader, `newsflow eval ner`,
//! `bench ner` (beside spaCy) and the drivers of `train ner` and `train word-classes`.

pub mod train;
