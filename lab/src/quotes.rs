//! Measuring and training the `quotes` stage (`newsflow.articles.entities` →
//! `newsflow.articles.quotes`) from outside it, through its public functions: the PolNeAR scores
//! ([`eval`], `newsflow eval quotes`), the throughput of the text chain up to quotes beside
//! textacy ([`mod@bench`], `newsflow bench quotes`, through `scripts/textacy_quotes.py`), and the
//! reader of PolNeAR ([`polnear`], BRAT standoff in `brat`) that the scores and
//! `newsflow train quotes` share. Training itself is `newsflow_quotes::learn` (its `train`
//! feature), beside the tagger internals it needs; this crate hands it the labelled articles.

pub mod bench;
mod brat;
pub mod eval;
pub mod polnear;
