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
    /// Deliveries settled (acked or dead-lettered) since the consumer was created.
    pub settled: u64,
    /// Messages in the dead-letter stream from this stage.
    pub dead_letters: usize,
    /// Deliveries settled per second over the sampling interval.
    pub rate_per_sec: f64,
}

/// Reads every stage's consumer twice, `interval` apart, and the dead-letter counts. `stages`
/// are `(name, input subject)` pairs.
///
/// # Errors
/// When JetStream does not answer.
pub async fn read(
    bus: &Bus,
    stages: &[(&str, &str)],
    interval: Duration,
) -> anyhow::Result<Vec<StageStatus>> {
    let first = snapshot(bus, stages).await?;
    let started = Instant::now();
    tokio::time::sleep(interval).await;
    let second = snapshot(bus, stages).await?;
    let elapsed = started.elapsed().as_secs_f64().max(0.001);
    let dead = dead_letters(bus).await?;
    Ok(stages
        .iter()
        .map(|(stage, _)| {
            let before = first.get(*stage);
            let now = second.get(*stage);
            let settled = now.map_or(0, |i| i.ack_floor.consumer_sequence);
            let rate = settled
                .saturating_sub(before.map_or(settled, |i| i.ack_floor.consumer_sequence))
                as f64
                / elapsed;
            StageStatus {
                stage: (*stage).to_owned(),
                consumer: now.is_some(),
                pending: now.map_or(0, |i| i.num_pending),
                ack_pending: now.map_or(0, |i| i.num_ack_pending),
                redelivered: now.map_or(0, |i| i.num_redelivered),
                settled,
                dead_letters: dead
                    .get(&subjects::dead_letter(stage))
                    .copied()
                    .unwrap_or(0),
                rate_per_sec: rate,
            }
        })
        .collect())
}

/// Each stage's consumer, where it exists (a stage that never ran has none).
async fn snapshot(
    bus: &Bus,
    stages: &[(&str, &str)],
) -> anyhow::Result<BTreeMap<String, jetstream::consumer::Info>> {
    let mut infos = BTreeMap::new();
    for (stage, input) in stages {
        let Some(name) = subjects::work_stream(input) else {
            continue;
        };
        if !streams::exists(bus, name).await? {
            continue;
        }
        let stream = bus
            .jetstream()
            .get_stream(name)
            .await
            .with_context(|| format!("reading stream {name}"))?;
        match stream.consumer_info(*stage).await {
            Ok(info) => {
                infos.insert((*stage).to_owned(), info);
            }
            Err(err) if is_not_found(&err) => {}
            Err(err) => return Err(err).with_context(|| format!("reading consumer {stage}")),
        }
    }
    Ok(infos)
}

fn is_not_found(err: &jetstream::context::ConsumerInfoError) -> bool {
    err.kind() == jetstream::context::ConsumerInfoErrorKind::NotFound
}

async fn dead_letters(bus: &Bus) -> anyhow::Result<BTreeMap<String, usize>> {
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
