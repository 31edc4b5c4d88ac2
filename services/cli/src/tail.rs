//! `newsflow tail`: events as JSON Lines, live or replayed from the start of the stream.

use anyhow::Context as _;
use async_nats::jetstream::{self, consumer};
use futures::StreamExt as _;
use newsflow_proto::subjects;
use newsflow_runtime::{Config, ConnectMode, streams};
use std::io::Write as _;

/// Which events to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// `event.article.v1` on `newsflow.events.article`.
    Article,
    /// `event.quote.v1` on `newsflow.events.quote.>`.
    Quote,
    /// `event.entity.v1` on `newsflow.events.entity.>`.
    Entity,
}

/// The subject filter for `kind` (all events when `None`).
pub fn filter(kind: Option<Kind>) -> String {
    match kind {
        None => subjects::EVENTS_SUBJECTS.to_owned(),
        Some(Kind::Article) => subjects::EVENTS_ARTICLE.to_owned(),
        Some(Kind::Quote) => format!("{}.>", subjects::EVENTS_QUOTE),
        Some(Kind::Entity) => format!("{}.>", subjects::EVENTS_ENTITY),
    }
}

/// Prints events as JSON Lines until interrupted, or until `limit` events were printed.
///
/// # Errors
/// When NATS cannot be reached.
pub async fn tail(
    config: &Config,
    kind: Option<Kind>,
    from_start: bool,
    limit: Option<usize>,
) -> anyhow::Result<()> {
    let client = newsflow_runtime::connect(config, "newsflow-tail", ConnectMode::FailFast).await?;
    let js = jetstream::new(client);
    streams::ensure_streams(&js, config).await?;
    let stream = js
        .get_stream(subjects::EVENTS_STREAM)
        .await
        .context("opening the events stream")?;
    let consumer = stream
        .create_consumer(consumer::pull::OrderedConfig {
            filter_subject: filter(kind),
            deliver_policy: if from_start {
                consumer::DeliverPolicy::All
            } else {
                consumer::DeliverPolicy::New
            },
            ..Default::default()
        })
        .await
        .context("creating an ordered consumer on the events stream")?;
    let mut messages = consumer.messages().await.context("reading events")?;
    let mut printed = 0usize;
    let stdout = std::io::stdout();
    while limit.is_none_or(|l| printed < l) {
        let next = tokio::select! {
            next = messages.next() => next,
            () = newsflow_runtime::shutdown_signal() => break,
        };
        let Some(message) = next else { break };
        let message = message.context("reading events")?;
        let mut out = stdout.lock();
        let written = out
            .write_all(&message.payload)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
        if written.is_err() {
            break; // the reader went away (`| head`): nothing more to do
        }
        printed += 1;
    }
    Ok(())
}
