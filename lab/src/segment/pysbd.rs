//! Runs pySBD, the reference rule-based segmenter, through `python3` for the eval and the bench.
//!
//! Not part of the stage's message path (`newsflow.articles.ingested` →
//! `newsflow.articles.segmented`); used only by `newsflow eval segment` and `newsflow bench
//! segment`. When Python or pySBD is missing the run is reported as unavailable, never as an
//! error. The interpreter is `python3`, or `$NEWSFLOW_PYTHON` when set.

use anyhow::{Context, Result};
use serde::Deserialize;

/// The script, embedded so the commands work from any directory.
const SCRIPT: &str = include_str!("../../scripts/pysbd_runner.py");

/// How to get pySBD when it is missing.
pub const INSTALL_HINT: &str = "pip install pysbd";

/// What the script prints.
#[derive(Debug, Deserialize)]
pub(crate) struct Output {
    pub available: bool,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub sentences: Option<serde_json::Value>,
    #[serde(default)]
    pub bytes: Option<u64>,
    #[serde(default)]
    pub seconds: Option<f64>,
}

/// Runs the script in `mode` over `texts`. `Ok(Err(reason))` when pySBD is unavailable.
pub(crate) fn run<'a>(
    mode: &str,
    texts: impl IntoIterator<Item = &'a str>,
) -> Result<std::result::Result<Output, String>> {
    let mut input = String::new();
    for text in texts {
        let line = serde_json::to_string(&serde_json::json!({ "text": text }))
            .context("encoding a text for pySBD")?;
        input.push_str(&line);
        input.push('\n');
    }
    let stdout = match crate::run_python(SCRIPT, &[mode], input, "the pySBD script")? {
        Ok(stdout) => stdout,
        Err(why) => return Ok(Err(why)),
    };
    let parsed: Output = serde_json::from_slice(&stdout)
        .with_context(|| format!("reading pySBD's output in mode {mode}"))?;
    if !parsed.available {
        let reason = parsed
            .error
            .unwrap_or_else(|| "pySBD is unavailable".to_owned());
        return Ok(Err(reason));
    }
    Ok(Ok(parsed))
}
