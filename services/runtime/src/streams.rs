//! The three streams and the per-stage durable pull consumers, created idempotently so neither
//! tests nor deployments need a setup step.

use crate::Config;
use anyhow::Context as _;
use async_nats::jetstream::{self, consumer, stream};
use newsflow_proto::subjects;
use std::time::Duration;

/// De-duplication window of the work and events streams: a redelivery inside it makes no
/// second output.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(120);

fn work_stream() -> stream::Config {
    stream::Config {
        name: subjects::WORK_STREAM.to_owned(),
        description: Some("newsflow work queue: articles between stages".to_owned()),
        subjects: vec![subjects::WORK_SUBJECTS.to_owned()],
        retention: stream::RetentionPolicy::WorkQueue,
        storage: stream::StorageType::File,
        duplicate_window: DUPLICATE_WINDOW,
        ..Default::default()
    }
}

fn events_stream(config: &Config) -> stream::Config {
    stream::Config {
        name: subjects::EVENTS_STREAM.to_owned(),
        description: Some("newsflow events for subscribers; replayable".to_owned()),
        subjects: vec![subjects::EVENTS_SUBJECTS.to_owned()],
        retention: stream::RetentionPolicy::Limits,
        storage: stream::StorageType::File,
        max_age: config.events_max_age,
        max_bytes: config.events_max_bytes,
        duplicate_window: DUPLICATE_WINDOW,
        ..Default::default()
    }
}

fn dead_letter_stream(config: &Config) -> stream::Config {
    stream::Config {
        name: subjects::DEAD_LETTER_STREAM.to_owned(),
        description: Some(
            "newsflow dead letters: messages a stage gave up on, with the reason".to_owned(),
        ),
        subjects: vec![subjects::DEAD_LETTER_SUBJECTS.to_owned()],
        retention: stream::RetentionPolicy::Limits,
        storage: stream::StorageType::File,
        max_age: config.dlq_max_age,
        duplicate_window: DUPLICATE_WINDOW,
        ..Default::default()
    }
}

/// Creates the work, events and dead-letter streams unless they exist.
///
/// # Errors
/// When JetStream is not enabled on the server or refuses a stream.
pub async fn ensure_streams(js: &jetstream::Context, config: &Config) -> anyhow::Result<()> {
    for stream in [
        work_stream(),
        events_stream(config),
        dead_letter_stream(config),
    ] {
        let name = stream.name.clone();
        js.get_or_create_stream(stream).await.with_context(|| {
            format!("creating JetStream stream {name} (is JetStream enabled? start the server with `-js`)")
        })?;
    }
    Ok(())
}

/// Gets or creates the stage's durable pull consumer on the work stream, filtered on `input`.
///
/// # Errors
/// When the stream is missing or the server refuses the consumer.
pub async fn ensure_consumer(
    js: &jetstream::Context,
    config: &Config,
    name: &str,
    input: &str,
) -> anyhow::Result<consumer::Consumer<consumer::pull::Config>> {
    let stream = js
        .get_stream(subjects::WORK_STREAM)
        .await
        .with_context(|| format!("opening stream {}", subjects::WORK_STREAM))?;
    stream
        .get_or_create_consumer(
            name,
            consumer::pull::Config {
                durable_name: Some(name.to_owned()),
                description: Some(format!("newsflow stage {name}")),
                filter_subject: input.to_owned(),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait: config.ack_wait,
                // One delivery beyond the limit lets the runtime dead-letter a message whose
                // earlier deliveries crashed or timed out without a word.
                max_deliver: i64::from(config.max_deliver) + 1,
                max_ack_pending: i64::from(config.max_in_flight).max(1) * 64,
                ..Default::default()
            },
        )
        .await
        .with_context(|| {
            format!(
                "creating durable consumer {name} on {}",
                subjects::WORK_STREAM
            )
        })
}
