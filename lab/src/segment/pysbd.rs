//! Runs pySBD, the reference rule-based segmenter, through `python3` for the eval and the bench.
//!
//! Not part of the stage's message path (`newsflow.articles.ingested` →
//! `newsflow.articles.segmented`); used only by `newsflow eval segment` and `newsflow bench
//! segment`. When Python or pySBD is missing the run is reported as unavailable, never as an
//! error. The interpreter is `python3`, or `$NEWSFLOW_PYTHON` when set.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::io::Write;
use std::process::{Command, Stdio};

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
    let python = crate::python();
    let child = Command::new(&python)
        .arg("-c")
        .arg(SCRIPT)
        .arg(mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(err) => {
            return Ok(Err(format!(
                "cannot run {}: {err}",
                python.to_string_lossy()
            )));
        }
    };
    let mut stdin = child.stdin.take().context("opening pySBD's stdin")?;
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().context("waiting for pySBD")?;
    // A write error means the script exited early; its status and stderr say why.
    let _ = writer.join();
    if !output.status.success() {
        bail!(
            "pySBD script failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let parsed: Output = serde_json::from_slice(&output.stdout)
        .with_context(|| format!("reading pySBD's output in mode {mode}"))?;
    if !parsed.available {
        let reason = parsed
            .error
            .unwrap_or_else(|| "pySBD is unavailable".to_owned());
        return Ok(Err(reason));
    }
    Ok(Ok(parsed))
}
