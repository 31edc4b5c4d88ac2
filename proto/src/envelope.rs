//! A message as it goes on the bus: its subject, the newsflow headers and a JSON payload. Stages
//! and feeders describe what they publish as envelopes; the runtime turns each into one NATS
//! publish with these headers (plus `traceparent`).

use serde::Serialize;

/// One outgoing message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Subject to publish on.
    pub subject: String,
    /// Schema name of the payload, sent as `Newsflow-Schema`.
    pub schema: &'static str,
    /// `Nats-Msg-Id`: the same output for the same input always gets the same id, so a
    /// redelivered input does not produce a second copy.
    pub msg_id: String,
    /// The article the message is about, sent as `Newsflow-Article-Id` (a dead letter of a
    /// payload that never became an article has none).
    pub article_id: Option<String>,
    /// Further headers, e.g. the CloudEvents attributes of events.
    pub headers: Vec<(&'static str, String)>,
    /// The JSON payload.
    pub payload: Vec<u8>,
}

impl Envelope {
    /// `payload` on `subject`, with no further headers.
    pub fn new(
        subject: impl Into<String>,
        schema: &'static str,
        msg_id: impl Into<String>,
        article_id: Option<String>,
        payload: Vec<u8>,
    ) -> Self {
        Self {
            subject: subject.into(),
            schema,
            msg_id: msg_id.into(),
            article_id,
            headers: Vec::new(),
            payload,
        }
    }

    /// `message` as JSON on `subject`.
    ///
    /// # Errors
    /// When the value cannot be serialised (a map with non-string keys).
    pub fn json<T: Serialize>(
        subject: impl Into<String>,
        schema: &'static str,
        msg_id: impl Into<String>,
        article_id: Option<String>,
        message: &T,
    ) -> Result<Self, serde_json::Error> {
        let payload = serde_json::to_vec(message)?;
        Ok(Self::new(subject, schema, msg_id, article_id, payload))
    }

    /// Adds headers.
    #[must_use]
    pub fn with_headers(
        mut self,
        headers: impl IntoIterator<Item = (&'static str, String)>,
    ) -> Self {
        self.headers.extend(headers);
        self
    }
}
