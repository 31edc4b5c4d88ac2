//! The processes a bench run watches: each stage replica as its own `newsflow run`, and the
//! server; what they cost (CPU time and memory from `/proc`) and what they counted (their
//! Prometheus metrics).

use anyhow::Context as _;
use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Clock ticks per second of `/proc/<pid>/stat` (USER_HZ, 100 on every Linux we run on).
const TICKS_PER_SEC: f64 = 100.0;

/// One stage replica running as `newsflow run <stage>`.
pub(super) struct Replica {
    pub stage: &'static str,
    pub admin: SocketAddr,
    pub log: PathBuf,
    child: Child,
}

impl Replica {
    /// Starts `newsflow run <stage>` (a pass-through with `pass_through`) against `url`, its
    /// admin endpoints on a free local port and its log in `logs`.
    pub fn start(
        newsflow: &Path,
        stage: &'static str,
        index: usize,
        url: &str,
        pass_through: bool,
        logs: &Path,
    ) -> anyhow::Result<Self> {
        let admin = free_port()?;
        let log = logs.join(format!("{stage}-{index}.log"));
        let mut command = Command::new(newsflow);
        command.args(["run", stage]);
        if pass_through {
            command.arg("--pass-through");
        }
        let child = command
            .env("NATS_URL", url)
            .env("NEWSFLOW_ADMIN_ADDR", admin.to_string())
            .env("RUST_LOG", "warn,async_nats=error")
            .env("LOG_FORMAT", "pretty")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).context("creating a stage log")?)
            .spawn()
            .with_context(|| format!("starting `{} run {stage}`", newsflow.display()))?;
        Ok(Self {
            stage,
            admin,
            log,
            child,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `Err` with the end of its log when the process has exited.
    pub fn check_alive(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait()? {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(5).collect();
            anyhow::bail!(
                "`newsflow run {}` exited ({status}); its log ({}) ends:\n{}",
                self.stage,
                self.log.display(),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        Ok(())
    }

    /// Its `/metrics`, parsed.
    pub fn metrics(&self) -> anyhow::Result<Metrics> {
        Ok(Metrics::parse_page(&http_get(self.admin, "/metrics")?))
    }

    /// Stops it with SIGTERM-like grace, else kills it.
    pub fn stop(self) {
        // Dropping stops it.
    }
}

impl Drop for Replica {
    /// A bench that fails half-way leaves no stage running (against `--nats-url`, one would
    /// keep consuming and recreating streams on the user's server).
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free local TCP port, for a replica's admin endpoints.
fn free_port() -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?)
}

/// `GET path` over HTTP/1.0; the body.
pub(super) fn http_get(addr: SocketAddr, path: &str) -> anyhow::Result<String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body)
        .with_context(|| format!("no HTTP response from {addr}{path}"))?;
    Ok(body.to_owned())
}

/// Counters from a Prometheus text page, by name and label set.
#[derive(Debug, Default)]
pub(super) struct Metrics(BTreeMap<String, f64>);

impl Metrics {
    pub fn parse_page(text: &str) -> Self {
        let mut values = BTreeMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            if let Some((key, value)) = line.rsplit_once(' ')
                && let Ok(value) = value.parse::<f64>()
            {
                values.insert(key.to_owned(), value);
            }
        }
        Self(values)
    }

    /// The sum of every series of `name` (whatever its labels).
    pub fn sum(&self, name: &str) -> f64 {
        self.0
            .iter()
            .filter(|(key, _)| key.split('{').next() == Some(name))
            .map(|(_, v)| v)
            .sum()
    }
}

/// CPU seconds a process has used so far (user and system, all threads).
pub(super) fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
    Ok((ticks(11) + ticks(12)) / TICKS_PER_SEC)
}

/// Resident memory now and at its peak, in MB.
pub(super) fn memory_mb(pid: u32) -> anyhow::Result<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    Ok((kb("VmRSS:") / 1024.0, kb("VmHWM:") / 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_sum_over_their_labels() {
        let page = "# TYPE x counter\nnewsflow_published_bytes_total{stage=\"segment\"} 120\n\
                    newsflow_published_bytes_total{stage=\"feed\"} 30\nother 5\n";
        let metrics = Metrics::parse_page(page);
        assert_eq!(metrics.sum("newsflow_published_bytes_total"), 150.0);
        assert_eq!(metrics.sum("other"), 5.0);
        assert_eq!(metrics.sum("missing"), 0.0);
    }

    #[test]
    fn this_process_uses_cpu_and_memory() {
        let pid = std::process::id();
        let (rss, peak) = memory_mb(pid).unwrap();
        assert!(rss > 0.0 && peak >= rss);
        assert!(cpu_seconds(pid).unwrap() >= 0.0);
    }
}
