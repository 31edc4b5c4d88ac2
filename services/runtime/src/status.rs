//! What operators ask of a running chain: per stage, its consumer's backlog, in flight,
//! redelivered and settled messages, its dead letters, and the recent rate, read from JetStream.

use crate::{Bus, streams};
use anyhow::Context as _;
use async_nats::jetstream;
use futures::TryStreamExt as _;
use newsflow_proto::subjects;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// One stage's figures.
#[derive(Debug, Clone, Serialize)]
pub struct StageStatus {
    /// Stage name.
    pub stage: String,
    /// Whether its consumer exists (the stage has run at least once).
    pub consumer: bool,
    /// Messages waiting to be delivered.
    pub pending: u64,
    /// Delivered, not yet acked.
    pub ack_pending: usize,
    /// Delivered more than once and not yet acked.
    pub redelivered: usize,
    /// Messages this stage has settled (acked or dead-lettered) since its input stream was
    /// created: they left the work stream, so the count never goes back, whatever restarts.
    pub settled: u64,
    /// Messages in its input's work stream now.
    pub in_stream: u64,
    /// Of those, messages neither waiting nor in flight: out of deliveries, or otherwise never
    /// to be delivered again; they need an operator (`nats stream view`).
    pub stuck: u64,
    /// Messages in the dead-letter stream from this stage.
    pub dead_letters: usize,
    /// Messages settled per second over the sampling interval.
    pub rate_per_sec: f64,
    /// Copies of the stage heard from during the sampling (each reports every second).
    pub copies: usize,
    /// The slowest copy's median processing time over its last messages, in milliseconds.
    pub p50_ms: Option<f64>,
    /// The slowest copy's 99th percentile of the same.
    pub p99_ms: Option<f64>,
    /// Inputs the copies found already published unchanged since each started (ingest's
    /// duplicates).
    pub duplicates: u64,
    /// Why the newest of its dead letters was given up on.
    pub newest_dead_letter: Option<String>,
}

/// Reads every stage's consumer twice, `interval` apart, and the dead letters; the copies'
/// figures from what `copies` heard. `stages` are `(name, input subject)` pairs.
///
/// # Errors
/// When JetStream does not answer.
pub async fn read(
    bus: &Bus,
    stages: &[(&str, &str)],
    interval: Duration,
    copies: &crate::report::Copies,
) -> anyhow::Result<Vec<StageStatus>> {
    let first = snapshot(bus, stages).await?;
    let started = Instant::now();
    tokio::time::sleep(interval).await;
    let second = snapshot(bus, stages).await?;
    let elapsed = started.elapsed().as_secs_f64().max(0.001);
    let dead = answered("the dead-letter stream", dead_letters(bus)).await?;
    let mut newest = BTreeMap::new();
    for (stage, _) in stages {
        let subject = subjects::dead_letter(stage);
        if dead.get(&subject).copied().unwrap_or(0) > 0 {
            let reason = answered("the dead-letter stream", newest_reason(bus, &subject)).await?;
            newest.insert(*stage, reason);
        }
    }
    Ok(stages
        .iter()
        .map(|(stage, _)| {
            let before = first.get(*stage);
            let now = second.get(*stage);
            let settled = now.map_or(0, Sample::settled);
            let rate =
                settled.saturating_sub(before.map_or(settled, Sample::settled)) as f64 / elapsed;
            let consumer = now.and_then(|s| s.consumer.as_ref());
            let pending = consumer.map_or(0, |c| c.num_pending);
            let ack_pending = consumer.map_or(0, |c| c.num_ack_pending);
            let in_stream = now.map_or(0, |s| s.stream.messages);
            let heard = copies.of(stage);
            let slowest = |pick: fn(&newsflow_proto::StageReport) -> Option<f64>| {
                heard.iter().filter_map(pick).reduce(f64::max)
            };
            StageStatus {
                stage: (*stage).to_owned(),
                consumer: consumer.is_some(),
                pending,
                ack_pending,
                redelivered: consumer.map_or(0, |c| c.num_redelivered),
                settled,
                in_stream,
                stuck: in_stream.saturating_sub(pending + ack_pending as u64),
                dead_letters: dead
                    .get(&subjects::dead_letter(stage))
                    .copied()
                    .unwrap_or(0),
                rate_per_sec: rate,
                copies: heard.len(),
                p50_ms: slowest(|r| r.p50_ms),
                p99_ms: slowest(|r| r.p99_ms),
                duplicates: heard.iter().map(|r| r.duplicates).sum(),
                newest_dead_letter: newest.get(stage).cloned().flatten(),
            }
        })
        .collect())
}

/// Longest wait for one answer from JetStream: a stream whose servers are down gets no answer,
/// and `status` must say so rather than hang.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);

async fn answered<T>(
    what: &str,
    request: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    tokio::time::timeout(ANSWER_WITHIN, request)
        .await
        .map_err(|_| {
            anyhow::anyhow!(
                "{what} did not answer within {}s: are the servers that keep it down?",
                ANSWER_WITHIN.as_secs()
            )
        })?
}

/// A stage's input stream and its consumer, read at one moment.
struct Sample {
    stream: jetstream::stream::State,
    consumer: Option<jetstream::consumer::Info>,
}

impl Sample {
    fn settled(&self) -> u64 {
        // A work stream removes what its one consumer settles: all it ever took, less what it
        // holds.
        self.stream
            .last_sequence
            .saturating_sub(self.stream.messages)
    }
}

/// Each stage's input stream and consumer, where they exist (a stage that never ran has no
/// consumer).
async fn snapshot(bus: &Bus, stages: &[(&str, &str)]) -> anyhow::Result<BTreeMap<String, Sample>> {
    let mut samples = BTreeMap::new();
    for (stage, input) in stages {
        let Some(name) = subjects::work_stream(input) else {
            continue;
        };
        let read = async {
            let stream = match bus.jetstream().get_stream(name).await {
                Ok(stream) => stream,
                Err(err) if streams::is_stream_not_found(&err) => return anyhow::Ok(None),
                Err(err) => return Err(err).with_context(|| format!("reading stream {name}")),
            };
            // The info the lookup brought back is the stream's state now.
            let state = stream.cached_info().state.clone();
            let consumer = match stream.consumer_info(*stage).await {
                Ok(info) => Some(info),
                Err(err) if is_not_found(&err) => None,
                Err(err) => return Err(err).with_context(|| format!("reading consumer {stage}")),
            };
            Ok(Some(Sample {
                stream: state,
                consumer,
            }))
        };
        if let Some(sample) = answered(&format!("stream {name}"), read).await? {
            samples.insert((*stage).to_owned(), sample);
        }
    }
    Ok(samples)
}

fn is_not_found(err: &jetstream::context::ConsumerInfoError) -> bool {
    err.kind() == jetstream::context::ConsumerInfoErrorKind::NotFound
}

/// The reason of the newest dead letter on `subject`, if it can be read.
async fn newest_reason(bus: &Bus, subject: &str) -> anyhow::Result<Option<String>> {
    let stream = bus
        .jetstream()
        .get_stream_no_info(subjects::DEAD_LETTER_STREAM)
        .await?;
    Ok(stream
        .get_last_raw_message_by_subject(subject)
        .await
        .ok()
        .and_then(|m| serde_json::from_slice::<newsflow_proto::DeadLetter>(&m.payload).ok())
        .map(|letter| letter.reason))
}

/// Dead letters held, by subject (`newsflow.dlq.<stage>`); none before the stream exists.
pub(crate) async fn dead_letters(bus: &Bus) -> anyhow::Result<BTreeMap<String, usize>> {
    if !streams::exists(bus, subjects::DEAD_LETTER_STREAM).await? {
        return Ok(BTreeMap::new());
    }
    let stream = bus
        .jetstream()
        .get_stream(subjects::DEAD_LETTER_STREAM)
        .await
        .context("reading the dead-letter stream")?;
    stream
        .info_with_subjects(subjects::DEAD_LETTER_SUBJECTS)
        .await
        .context("reading dead-letter counts")?
        .try_collect()
        .await
        .context("reading dead-letter counts")
}
