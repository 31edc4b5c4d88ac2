//! Subscriptions: an ephemeral ordered consumer, or a durable one that resumes after what was
//! acknowledged.

use crate::Filter;
use anyhow::Context as _;
use async_nats::jetstream::{self, consumer};
use bytes::Bytes;
use futures::{Stream, StreamExt as _};
use newsflow_proto::{EventArticle, EventEntity, EventQuote, headers, schema, subjects};
use std::pin::Pin;
use std::time::Duration;

/// Where a subscription starts. A durable consumer starts there once, when it is created, and
/// afterwards resumes after the last acknowledged event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Only events published from now on.
    New,
    /// The first event the stream still holds.
    First,
    /// Events published at or after this time.
    Time(time::OffsetDateTime),
    /// Events from this stream sequence number on.
    Sequence(u64),
}

impl Start {
    /// Events published within `age` of now.
    pub fn since(age: Duration) -> Self {
        Self::Time(time::OffsetDateTime::now_utc() - age)
    }

    fn policy(self) -> consumer::DeliverPolicy {
        match self {
            Self::New => consumer::DeliverPolicy::New,
            Self::First => consumer::DeliverPolicy::All,
            Self::Time(start_time) => consumer::DeliverPolicy::ByStartTime { start_time },
            Self::Sequence(start_sequence) => {
                consumer::DeliverPolicy::ByStartSequence { start_sequence }
            }
        }
    }
}

/// A decoded event.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The full record of an article.
    Article(Box<EventArticle>),
    /// One quote.
    Quote(Box<EventQuote>),
    /// One entity of an article.
    Entity(Box<EventEntity>),
    /// An event of a schema this client does not know (a newer version); see the raw payload.
    Other {
        /// Its `Newsflow-Schema` header.
        schema: String,
    },
}

/// One event as received.
#[derive(Debug)]
pub struct Delivery {
    /// The subject it was published on.
    pub subject: String,
    /// Its sequence number in `NEWSFLOW_EVENTS`.
    pub sequence: u64,
    /// The JSON exactly as published.
    pub payload: Bytes,
    /// The decoded event.
    pub event: Event,
    ack: Option<(jetstream::Message, async_nats::Client)>,
}

impl Delivery {
    /// Acknowledges a durable delivery, so the consumer never hands it out again (no-op for an
    /// ephemeral subscription). Returns once the acknowledgement has left for the server.
    ///
    /// # Errors
    /// When the connection is gone; the event will then be delivered again later.
    pub async fn ack(&self) -> anyhow::Result<()> {
        if let Some((message, client)) = &self.ack {
            message
                .ack()
                .await
                .map_err(|err| anyhow::anyhow!("acknowledging event {}: {err}", self.sequence))?;
            client
                .flush()
                .await
                .context("flushing the acknowledgement")?;
        }
        Ok(())
    }

    fn decode(
        message: jetstream::Message,
        client: Option<&async_nats::Client>,
    ) -> anyhow::Result<Self> {
        let sequence = message.info().map(|i| i.stream_sequence).unwrap_or(0);
        let subject = message.subject.to_string();
        let schema_name = message
            .headers
            .as_ref()
            .and_then(|h| h.get(headers::SCHEMA))
            .map(|v| v.as_str().to_owned())
            .unwrap_or_else(|| guess_schema(&subject).to_owned());
        let payload = message.payload.clone();
        let decode_error = |err: serde_json::Error| {
            anyhow::anyhow!("event {sequence} on {subject} is not valid {schema_name}: {err}")
        };
        let event = match schema_name.as_str() {
            schema::EVENT_ARTICLE => {
                Event::Article(serde_json::from_slice(&payload).map_err(decode_error)?)
            }
            schema::EVENT_QUOTE => {
                Event::Quote(serde_json::from_slice(&payload).map_err(decode_error)?)
            }
            schema::EVENT_ENTITY => {
                Event::Entity(serde_json::from_slice(&payload).map_err(decode_error)?)
            }
            _ => Event::Other {
                schema: schema_name.clone(),
            },
        };
        Ok(Self {
            subject,
            sequence,
            payload,
            event,
            ack: client.map(|c| (message, c.clone())),
        })
    }
}

fn guess_schema(subject: &str) -> &'static str {
    if subject == subjects::EVENTS_ARTICLE {
        schema::EVENT_ARTICLE
    } else if subject.starts_with(subjects::EVENTS_QUOTE) {
        schema::EVENT_QUOTE
    } else if subject.starts_with(subjects::EVENTS_ENTITY) {
        schema::EVENT_ENTITY
    } else {
        "unknown"
    }
}

type Messages = Pin<Box<dyn Stream<Item = anyhow::Result<jetstream::Message>> + Send>>;

/// A stream of deliveries; see [`subscribe`].
pub struct Subscription {
    inner: Inner,
}

enum Inner {
    Ordered(Messages),
    Durable(Box<Durable>),
}

struct Durable {
    consumer: consumer::PullConsumer,
    client: async_nats::Client,
    batch: Option<Messages>,
    batch_size: usize,
}

impl Subscription {
    /// How many events a durable subscription fetches per request (default 1, so that stopping
    /// leaves nothing fetched-but-unhandled to come back after the ack wait; raise it for speed).
    #[must_use]
    pub fn batch_size(mut self, size: usize) -> Self {
        if let Inner::Durable(durable) = &mut self.inner {
            durable.batch_size = size.max(1);
        }
        self
    }

    /// The next event; waits for one to be published. `None` when the subscription ends.
    pub async fn next(&mut self) -> Option<anyhow::Result<Delivery>> {
        match &mut self.inner {
            Inner::Ordered(messages) => {
                let message = messages.next().await?;
                Some(message.and_then(|m| Delivery::decode(m, None)))
            }
            Inner::Durable(durable) => loop {
                let Durable {
                    consumer,
                    client,
                    batch,
                    batch_size,
                } = durable.as_mut();
                if let Some(messages) = batch {
                    match messages.next().await {
                        Some(message) => {
                            return Some(message.and_then(|m| Delivery::decode(m, Some(client))));
                        }
                        None => *batch = None,
                    }
                }
                let fetched = consumer
                    .fetch()
                    .max_messages(*batch_size)
                    .expires(Duration::from_secs(5))
                    .messages()
                    .await
                    .context("fetching events");
                match fetched {
                    Ok(messages) => {
                        *batch = Some(
                            messages
                                .map(|m| m.map_err(|err| anyhow::anyhow!("reading events: {err}")))
                                .boxed(),
                        )
                    }
                    Err(err) => return Some(Err(err)),
                }
            },
        }
    }
}

/// Subscribes to the events `filter` selects, from `start`. With a `durable` name the consumer
/// is kept on the server: deliveries must be acknowledged, and a later subscription with the same
/// name resumes after the last acknowledged one (its `start` is then ignored).
///
/// # Errors
/// When the filter is contradictory, the events stream does not exist (start the pipeline
/// first), or a durable consumer of that name follows another filter.
pub async fn subscribe(
    client: &async_nats::Client,
    filter: &Filter,
    start: Start,
    durable: Option<&str>,
) -> anyhow::Result<Subscription> {
    let subject = filter.subject()?;
    let js = jetstream::new(client.clone());
    let stream = js
        .get_stream(subjects::EVENTS_STREAM)
        .await
        .with_context(|| {
            format!(
                "opening the events stream {} (does the pipeline run? `newsflow up` creates it)",
                subjects::EVENTS_STREAM
            )
        })?;
    let inner = match durable {
        None => {
            let consumer = stream
                .create_consumer(consumer::pull::OrderedConfig {
                    filter_subject: subject,
                    deliver_policy: start.policy(),
                    ..Default::default()
                })
                .await
                .context("creating an ordered consumer on the events stream")?;
            let messages = consumer.messages().await.context("reading events")?;
            Inner::Ordered(
                messages
                    .map(|m| m.map_err(|err| anyhow::anyhow!("reading events: {err}")))
                    .boxed(),
            )
        }
        Some(name) => {
            let consumer: consumer::PullConsumer = stream
                .get_or_create_consumer(
                    name,
                    consumer::pull::Config {
                        durable_name: Some(name.to_owned()),
                        description: Some("newsflow subscriber".to_owned()),
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
            Inner::Durable(Box::new(Durable {
                consumer,
                client: client.clone(),
                batch: None,
                batch_size: 1,
            }))
        }
    };
    Ok(Subscription { inner })
}
