//! Every few seconds each stage in this process reports how it is doing on
//! `newsflow.stats.<stage>` (core NATS, nothing stored): messages finished and the median and
//! 99th-percentile processing time of its last messages. The web console shows each copy of a
//! stage from these.

use crate::Bus;
use newsflow_proto::{StageReport, subjects};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How often a process reports.
pub const EVERY: Duration = Duration::from_secs(1);
/// A copy not heard from for this long is gone.
pub const GONE_AFTER: Duration = Duration::from_secs(5);

/// How many of the latest processing times the percentiles are taken over.
const WINDOW: usize = 1024;

#[derive(Default)]
struct Window {
    finished: u64,
    duplicates: u64,
    recent_ms: VecDeque<f64>,
}

/// The processing times of each stage of this process.
pub(crate) struct Timings {
    stages: Vec<(&'static str, Mutex<Window>)>,
}

impl Timings {
    pub(crate) fn new(stages: &[&'static str]) -> Self {
        Self {
            stages: stages
                .iter()
                .map(|s| (*s, Mutex::new(Window::default())))
                .collect(),
        }
    }

    pub(crate) fn record(&self, stage: &str, took: Duration) {
        if let Some((_, window)) = self.stages.iter().find(|(name, _)| *name == stage) {
            let mut window = window
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            window.finished += 1;
            if window.recent_ms.len() == WINDOW {
                window.recent_ms.pop_front();
            }
            window.recent_ms.push_back(took.as_secs_f64() * 1000.0);
        }
    }

    pub(crate) fn record_duplicate(&self, stage: &str) {
        if let Some((_, window)) = self.stages.iter().find(|(name, _)| *name == stage) {
            window
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .duplicates += 1;
        }
    }

    fn reports(&self, replica: &str) -> Vec<StageReport> {
        self.stages
            .iter()
            .map(|(stage, window)| {
                let window = window
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let mut sorted: Vec<f64> = window.recent_ms.iter().copied().collect();
                sorted.sort_by(f64::total_cmp);
                StageReport {
                    stage: (*stage).to_owned(),
                    replica: replica.to_owned(),
                    finished: window.finished,
                    duplicates: window.duplicates,
                    p50_ms: percentile(&sorted, 0.50),
                    p99_ms: percentile(&sorted, 0.99),
                    every_ms: u64::try_from(EVERY.as_millis()).unwrap_or(u64::MAX),
                }
            })
            .collect()
    }
}

/// The `q` quantile of `sorted` (nearest rank); none of nothing.
fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    // Nearest rank: a small, exact index into a window of at most WINDOW values.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let rank = (q * last as f64).round() as usize;
    sorted.get(rank.min(last)).copied()
}

/// This process among the copies of its stages: host and process id.
fn replica() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{host}/{}", std::process::id())
}

/// Publishes each stage's report every [`EVERY`] until `stop`.
pub(crate) fn spawn(
    bus: Bus,
    timings: std::sync::Arc<Timings>,
    stop: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let replica = replica();
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                _ = tick.tick() => {}
            }
            for report in timings.reports(&replica) {
                let Ok(body) = serde_json::to_vec(&report) else {
                    continue;
                };
                // Best effort: a report lost while the server is away is replaced by the next.
                let _ = bus
                    .nats()
                    .publish(subjects::stats(&report.stage), body.into())
                    .await;
            }
        }
    })
}

/// The latest report of each (stage, copy), and when it came.
type Heard = Arc<Mutex<BTreeMap<(String, String), (StageReport, Instant)>>>;

/// The copies of the stages heard from lately, from their reports on `newsflow.stats.>`:
/// what `newsflow status` and the web console show per copy.
#[derive(Clone)]
pub struct Copies {
    heard: Heard,
    _listening: Arc<tokio_util::sync::DropGuard>,
}

impl Copies {
    /// Starts listening; it stops when the last clone is dropped.
    ///
    /// # Errors
    /// When the subscription cannot be made.
    pub async fn listen(bus: &Bus) -> anyhow::Result<Self> {
        let mut reports = bus
            .nats()
            .subscribe(format!("{}.>", subjects::STATS_PREFIX))
            .await
            .map_err(|err| anyhow::anyhow!("cannot hear the stages' reports: {err}"))?;
        let heard: Heard = Arc::default();
        let stop = CancellationToken::new();
        let keep = heard.clone();
        let stopped = stop.clone();
        tokio::spawn(async move {
            loop {
                let message = tokio::select! {
                    () = stopped.cancelled() => return,
                    message = futures::StreamExt::next(&mut reports) => message,
                };
                let Some(message) = message else { return };
                if let Ok(report) = serde_json::from_slice::<StageReport>(&message.payload) {
                    let key = (report.stage.clone(), report.replica.clone());
                    keep.lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .insert(key, (report, Instant::now()));
                }
            }
        });
        Ok(Self {
            heard,
            _listening: Arc::new(stop.drop_guard()),
        })
    }

    /// The latest report of each copy of `stage` heard within [`GONE_AFTER`].
    pub fn of(&self, stage: &str) -> Vec<StageReport> {
        let mut heard = self
            .heard
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        heard.retain(|_, (_, at)| at.elapsed() < GONE_AFTER);
        heard
            .iter()
            .filter(|((name, _), _)| name == stage)
            .map(|(_, (report, _))| report.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_the_latest_processing_times() {
        let timings = Timings::new(&["segment"]);
        assert_eq!(timings.reports("h/1")[0].p50_ms, None);
        for ms in 1..=100 {
            timings.record("segment", Duration::from_millis(ms));
        }
        let report = &timings.reports("h/1")[0];
        assert_eq!(report.finished, 100);
        assert_eq!(report.p50_ms, Some(51.0));
        assert_eq!(report.p99_ms, Some(99.0));
        for _ in 0..WINDOW {
            timings.record("segment", Duration::from_millis(2));
        }
        assert_eq!(timings.reports("h/1")[0].p99_ms, Some(2.0));
    }
}
