//! Publishing onto the bus from outside a stage: feeders (`newsflow feed`, the ingest edge) put
//! raw articles on `newsflow.articles.raw` through this.

use anyhow::Context as _;
use async_nats::jetstream::{self, message::PublishMessage as Publish};
use bytes::Bytes;
use newsflow_proto::headers;

/// What the server said about one publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishOutcome {
    /// Stored.
    Accepted,
    /// A message with the same id was stored inside the duplicate window; not stored again.
    Duplicate,
}

/// Publishes to JetStream with de-duplication ids and awaits the server's ack.
#[derive(Clone)]
pub struct Publisher {
    js: jetstream::Context,
}

impl Publisher {
    /// A publisher on `client`.
    pub fn new(client: async_nats::Client) -> Self {
        Self {
            js: jetstream::new(client),
        }
    }

    /// Publishes `payload` on `subject` with `Nats-Msg-Id: msg_id`, the schema header and a new
    /// `traceparent`, and waits until the stream has stored it.
    ///
    /// # Errors
    /// When no stream takes the subject or the server does not answer in time.
    pub async fn publish(
        &self,
        subject: &str,
        schema: &str,
        msg_id: &str,
        payload: Bytes,
    ) -> anyhow::Result<PublishOutcome> {
        let publish = Publish::build()
            .payload(payload)
            .message_id(msg_id)
            .header(headers::SCHEMA, schema)
            .header(headers::TRACEPARENT, crate::new_traceparent().as_str());
        let ack = self
            .js
            .send_publish(subject.to_owned(), publish)
            .await
            .with_context(|| format!("publishing to {subject}"))?
            .await
            .with_context(|| format!("waiting for the stream to store the message on {subject}"))?;
        Ok(if ack.duplicate {
            PublishOutcome::Duplicate
        } else {
            PublishOutcome::Accepted
        })
    }
}
