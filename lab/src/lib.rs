//! newsflow-lab: the figures behind the text stages and the commands that rebuild their models.
//!
//! Measuring is not the product: evaluation on labelled data, speed benchmarks beside the
//! reference tools (pySBD, spaCy, textacy), the readers of the corpora they use, and the drivers
//! that train the shipped models all live here, beside the `newsflow` command that exposes them
//! as `newsflow eval|bench|train` ([`commands`]). No stage depends on this crate; it depends on
//! the stages it measures. The labelled data lives in `../shared/data/` next to a checkout (not
//! shipped); every command takes the path to it and says so when it is absent.

pub mod commands;
pub mod extract;
pub mod ner;
pub mod pipeline;
pub mod quotes;
pub mod segment;
pub mod sizes;

/// The Python that runs the reference tools (pySBD, spaCy, textacy): `$NEWSFLOW_PYTHON`, else
/// `python3`.
pub fn python() -> std::ffi::OsString {
    std::env::var_os("NEWSFLOW_PYTHON").unwrap_or_else(|| "python3".into())
}
