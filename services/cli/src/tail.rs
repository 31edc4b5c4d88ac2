//! `newsflow tail`: events as JSON Lines — live, replayed from the start, a time or a sequence,
//! or through a named durable consumer that resumes where it stopped — filtered on the server by
//! subject (kind, speaker, entity type and name).

use anyhow::Context as _;
use async_nats::jetstream::{self, consumer};
use futures::StreamExt as _;
use newsflow_proto::{slug, subjects};
use newsflow_runtime::{Config, ConnectMode, streams};
use std::io::Write as _;
use std::time::Duration;

/// Which events to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// `event.article.v1` on `newsflow.events.article`.
    Article,
    /// `event.quote.v1` on `newsflow.events.quote.<speaker>`.
    Quote,
    /// `event.entity.v1` on `newsflow.events.entity.<type>.<name>`.
    Entity,
}

/// Entity types as they appear in subjects.
pub const ENTITY_TYPES: [&str; 11] = [
    "person", "org", "loc", "misc", "norp", "date", "time", "money", "percent", "cardinal",
    "quantity",
];

/// What to show.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Filter {
    /// Only this kind of event (implied by --speaker, --entity and --type).
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,
    /// Only quotes of this speaker: a name (`Antony J. Blinken`) or its slug (`antony-j-blinken`).
    #[arg(long)]
    pub speaker: Option<String>,
    /// Only this entity: a name (`North Korea`) or its slug.
    #[arg(long)]
    pub entity: Option<String>,
    /// Only entities of this type.
    #[arg(long = "type", value_parser = clap::builder::PossibleValuesParser::new(ENTITY_TYPES))]
    pub entity_type: Option<String>,
}

impl Filter {
    /// The subject filter the server applies.
    ///
    /// # Errors
    /// When the options contradict each other (a speaker with `--kind entity`, …).
    pub fn subject(&self) -> anyhow::Result<String> {
        let entity_wanted = self.entity.is_some() || self.entity_type.is_some();
        if let Some(speaker) = &self.speaker {
            anyhow::ensure!(
                !entity_wanted,
                "--speaker selects quotes; it cannot be combined with --entity or --type"
            );
            anyhow::ensure!(
                self.kind.is_none_or(|k| k == Kind::Quote),
                "--speaker selects quotes, not {:?} events",
                self.kind
            );
            return Ok(format!("{}.{}", subjects::EVENTS_QUOTE, slug(speaker)));
        }
        if entity_wanted {
            anyhow::ensure!(
                self.kind.is_none_or(|k| k == Kind::Entity),
                "--entity and --type select entity events"
            );
            let kind = self.entity_type.as_deref().unwrap_or("*");
            let name = self.entity.as_deref().map_or_else(|| ">".to_owned(), slug);
            return Ok(format!("{}.{kind}.{name}", subjects::EVENTS_ENTITY));
        }
        Ok(match self.kind {
            None => subjects::EVENTS_SUBJECTS.to_owned(),
            Some(Kind::Article) => subjects::EVENTS_ARTICLE.to_owned(),
            Some(Kind::Quote) => format!("{}.>", subjects::EVENTS_QUOTE),
            Some(Kind::Entity) => format!("{}.>", subjects::EVENTS_ENTITY),
        })
    }
}

/// Where to start reading.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Start {
    /// Replay from the first event the stream still holds.
    #[arg(long, conflicts_with_all = ["since", "from_seq"])]
    pub from_start: bool,
    /// Replay events published within this long, e.g. `1h` or `2d`.
    #[arg(long, value_parser = newsflow_runtime::config::parse_duration, conflicts_with = "from_seq")]
    pub since: Option<Duration>,
    /// Replay from this stream sequence number on.
    #[arg(long)]
    pub from_seq: Option<u64>,
}

impl Start {
    fn policy(&self) -> consumer::DeliverPolicy {
        if self.from_start {
            consumer::DeliverPolicy::All
        } else if let Some(since) = self.since {
            consumer::DeliverPolicy::ByStartTime {
                start_time: time::OffsetDateTime::now_utc() - since,
            }
        } else if let Some(seq) = self.from_seq {
            consumer::DeliverPolicy::ByStartSequence {
                start_sequence: seq,
            }
        } else {
            consumer::DeliverPolicy::New
        }
    }
}

/// Prints events as JSON Lines until interrupted, or until `limit` events were printed. With a
/// `durable` name the consumer is kept on the server and every printed event acknowledged, so
/// the next `tail --durable NAME` continues after it.
///
/// # Errors
/// When NATS cannot be reached, the options contradict each other, or the durable consumer
/// exists with another filter.
pub async fn tail(
    config: &Config,
    filter: &Filter,
    start: &Start,
    durable: Option<&str>,
    limit: Option<usize>,
) -> anyhow::Result<()> {
    let subject = filter.subject()?;
    let client = newsflow_runtime::connect(config, "newsflow-tail", ConnectMode::FailFast).await?;
    let js = jetstream::new(client.clone());
    streams::ensure_streams(&js, config).await?;
    let stream = js
        .get_stream(subjects::EVENTS_STREAM)
        .await
        .context("opening the events stream")?;
    let printer = Printer { limit, printed: 0 };
    match durable {
        None => {
            let consumer = stream
                .create_consumer(consumer::pull::OrderedConfig {
                    filter_subject: subject,
                    deliver_policy: start.policy(),
                    ..Default::default()
                })
                .await
                .context("creating an ordered consumer on the events stream")?;
            let mut messages = consumer.messages().await.context("reading events")?;
            let mut printer = printer;
            while !printer.done() {
                let next = tokio::select! {
                    next = messages.next() => next,
                    () = newsflow_runtime::shutdown_signal() => break,
                };
                let Some(message) = next else { break };
                if !printer.print(&message.context("reading events")?.payload) {
                    break;
                }
            }
        }
        Some(name) => {
            let consumer = stream
                .get_or_create_consumer(
                    name,
                    consumer::pull::Config {
                        durable_name: Some(name.to_owned()),
                        description: Some("newsflow tail --durable".to_owned()),
                        filter_subject: subject.clone(),
                        deliver_policy: start.policy(),
                        ack_policy: consumer::AckPolicy::Explicit,
                        ..Default::default()
                    },
                )
                .await
                .with_context(|| format!("creating the durable consumer {name}"))?;
            let existing = &consumer.cached_info().config.filter_subject;
            anyhow::ensure!(
                *existing == subject,
                "the durable consumer {name} already follows {existing}, not {subject}; pick another name or delete it with `nats consumer rm {} {name}`",
                subjects::EVENTS_STREAM
            );
            read_durable(&consumer, printer).await?;
            // Send the last acks before exiting, so the next run starts after them.
            client.flush().await.context("flushing acknowledgements")?;
        }
    }
    Ok(())
}

/// Pulls in batches no larger than what is left to print, acknowledging each printed event, so
/// that stopping at `--limit` leaves nothing delivered-but-unprinted to come back later.
async fn read_durable(
    consumer: &consumer::PullConsumer,
    mut printer: Printer,
) -> anyhow::Result<()> {
    const BATCH: usize = 100;
    while !printer.done() {
        let wanted = printer
            .limit
            .map_or(BATCH, |l| (l - printer.printed).min(BATCH));
        let batch = consumer
            .fetch()
            .max_messages(wanted)
            .expires(Duration::from_secs(5))
            .messages();
        let mut batch = tokio::select! {
            batch = batch => batch.context("reading events")?,
            () = newsflow_runtime::shutdown_signal() => return Ok(()),
        };
        loop {
            let next = tokio::select! {
                next = batch.next() => next,
                () = newsflow_runtime::shutdown_signal() => return Ok(()),
            };
            let Some(message) = next else { break };
            let message = message.map_err(|err| anyhow::anyhow!("reading events: {err}"))?;
            if !printer.print(&message.payload) {
                return Ok(());
            }
            message
                .ack()
                .await
                .map_err(|err| anyhow::anyhow!("acknowledging an event: {err}"))?;
        }
    }
    Ok(())
}

/// Writes events as JSON Lines and counts them against the limit.
struct Printer {
    limit: Option<usize>,
    printed: usize,
}

impl Printer {
    fn done(&self) -> bool {
        self.limit.is_some_and(|l| self.printed >= l)
    }

    /// Prints one event; `false` when the reader went away (`| head`).
    fn print(&mut self, payload: &[u8]) -> bool {
        let mut out = std::io::stdout().lock();
        let written = out
            .write_all(payload)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
        self.printed += 1;
        written.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(
        kind: Option<Kind>,
        speaker: Option<&str>,
        entity: Option<&str>,
        kind_of: Option<&str>,
    ) -> Filter {
        Filter {
            kind,
            speaker: speaker.map(str::to_owned),
            entity: entity.map(str::to_owned),
            entity_type: kind_of.map(str::to_owned),
        }
    }

    #[test]
    fn filters_become_server_side_subjects() {
        assert_eq!(
            filter(None, None, None, None).subject().unwrap(),
            "newsflow.events.>"
        );
        assert_eq!(
            filter(Some(Kind::Quote), None, None, None)
                .subject()
                .unwrap(),
            "newsflow.events.quote.>"
        );
        assert_eq!(
            filter(None, Some("Antony J. Blinken"), None, None)
                .subject()
                .unwrap(),
            "newsflow.events.quote.antony-j-blinken"
        );
        assert_eq!(
            filter(None, None, None, Some("person")).subject().unwrap(),
            "newsflow.events.entity.person.>"
        );
        assert_eq!(
            filter(None, None, Some("North Korea"), None)
                .subject()
                .unwrap(),
            "newsflow.events.entity.*.north-korea"
        );
        assert_eq!(
            filter(None, None, Some("north-korea"), Some("loc"))
                .subject()
                .unwrap(),
            "newsflow.events.entity.loc.north-korea"
        );
    }

    #[test]
    fn contradictory_filters_are_refused() {
        assert!(
            filter(Some(Kind::Entity), Some("Blinken"), None, None)
                .subject()
                .is_err()
        );
        assert!(
            filter(None, Some("Blinken"), Some("Russia"), None)
                .subject()
                .is_err()
        );
        assert!(
            filter(Some(Kind::Quote), None, None, Some("person"))
                .subject()
                .is_err()
        );
    }
}
