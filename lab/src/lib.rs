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

/// Runs the Python `script` (`python -c script args…`, see [`python`]) with `input` on its
/// stdin and returns its stdout; `Ok(Err(why))` when Python cannot be started at all. `what`
/// names the script in errors.
///
/// # Errors
/// When the script fails (its status and stderr say why).
pub(crate) fn run_python(
    script: &str,
    args: &[&str],
    input: String,
    what: &str,
) -> anyhow::Result<Result<Vec<u8>, String>> {
    use anyhow::Context as _;
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let python = python();
    let child = Command::new(&python)
        .arg("-c")
        .arg(script)
        .args(args)
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
    let mut stdin = child
        .stdin
        .take()
        .with_context(|| format!("opening the stdin of {what}"))?;
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .with_context(|| format!("waiting for {what}"))?;
    // A write error means the script exited early; its status and stderr say why.
    let _ = writer.join();
    anyhow::ensure!(
        output.status.success(),
        "{what} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(Ok(output.stdout))
}
