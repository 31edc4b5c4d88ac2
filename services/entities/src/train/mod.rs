//! Learning: the algorithms that build the tables the tagger reads (gazetteer, word clusters,
//! word classes with their neighbour codes) and the tagger's weights, from labelled documents
//! and text already read ([`LabelledDoc`]); and the exact-span scores training tunes on. They
//! depend on the tables and the tagger, never the reverse. The drivers that read the files and
//! write the results (`newsflow train ner|word-classes`) are the lab's.

mod clusters;
mod gazetteer;
mod labelled;
pub mod neighbour_types;
mod perceptron;
mod score;
pub mod word_classes;

pub use labelled::LabelledDoc;
pub use perceptron::{EpochReport, Options, train};
pub use score::{Prf, Scorer, Scores};
