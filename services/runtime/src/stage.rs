//! A stage: a name, the subject it consumes, and a pure handler from payload to outputs; or, for
//! a stage whose input comes in revisions (`ingest`), from payload to [`Revisioned`] content whose
//! revision the runtime decides (see [`crate::revisions`]).

use bytes::Bytes;
use newsflow_proto::text::HasArticleId;
use serde::{Serialize, de::DeserializeOwned};
use std::sync::Arc;

/// Why a stage could not process a message, and so what the runtime does with it.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The payload is not the message the stage expects. Terminated and dead-lettered.
    #[error("undecodable payload: {0}")]
    Decode(String),
    /// The input can never succeed (bad data). Terminated and dead-lettered.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// May succeed later (dependency down, timeout). Redelivered with backoff.
    #[error("transient failure: {0:#}")]
    Transient(#[source] anyhow::Error),
}

/// One message a stage publishes.
#[derive(Debug, Clone)]
pub struct Output {
    /// Subject to publish on.
    pub subject: String,
    /// Schema name of the payload, sent in the `Newsflow-Schema` header.
    pub schema: &'static str,
    /// `Nats-Msg-Id`: the same output for the same input always gets the same id, so a
    /// redelivered input does not produce a second copy.
    pub msg_id: String,
    /// The article the message is about, sent in the `Newsflow-Article-Id` header.
    pub article_id: String,
    /// JSON payload.
    pub payload: Bytes,
    /// Further headers, e.g. the CloudEvents attributes of events.
    pub headers: Vec<(&'static str, String)>,
}

impl Output {
    /// Serialises `message` as JSON.
    ///
    /// # Errors
    /// [`StageError::Invalid`] when the value cannot be serialised (non-string map keys).
    pub fn json<T: Serialize>(
        subject: impl Into<String>,
        schema: &'static str,
        msg_id: impl Into<String>,
        article_id: impl Into<String>,
        message: &T,
    ) -> Result<Self, StageError> {
        let payload = serde_json::to_vec(message)
            .map_err(|err| StageError::Invalid(format!("cannot serialise output: {err}")))?;
        Ok(Self {
            subject: subject.into(),
            schema,
            msg_id: msg_id.into(),
            article_id: article_id.into(),
            payload: payload.into(),
            headers: Vec::new(),
        })
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// Content that comes in revisions, as a handler found it: the runtime looks `id` up in the
/// revisions bucket, decides the revision (or that it is a duplicate, publishing nothing), calls
/// `outputs` with it, publishes, and records the revision once the outputs are stored.
pub struct Revisioned {
    /// What the revisions are counted for: the article id.
    pub id: String,
    /// Hash of the content: the same hash as the latest revision's makes a duplicate.
    pub content_hash: String,
    /// The messages to publish for the decided revision. Pure and quick: it runs on the
    /// runtime's task.
    pub outputs: Box<dyn FnOnce(u32) -> Result<Vec<Output>, StageError> + Send>,
}

impl std::fmt::Debug for Revisioned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Revisioned")
            .field("id", &self.id)
            .field("content_hash", &self.content_hash)
            .finish_non_exhaustive()
    }
}

/// A pure function from a raw payload to `T`.
pub type Work<T> = Arc<dyn Fn(&[u8]) -> Result<T, StageError> + Send + Sync>;

/// The pure work of a stage.
#[derive(Clone)]
pub enum Handler {
    /// Raw payload in, messages to publish out.
    Outputs(Work<Vec<Output>>),
    /// Raw payload in, content whose revision the runtime decides out.
    Revisioned(Work<Revisioned>),
}

/// What a [`Handler`] made of one payload.
#[derive(Debug)]
pub(crate) enum Handled {
    Outputs(Vec<Output>),
    Revisioned(Revisioned),
}

impl Handler {
    pub(crate) fn call(&self, payload: &[u8]) -> Result<Handled, StageError> {
        match self {
            Self::Outputs(handler) => handler(payload).map(Handled::Outputs),
            Self::Revisioned(handler) => handler(payload).map(Handled::Revisioned),
        }
    }
}

/// A stage of the chain, as the runtime runs it.
#[derive(Clone)]
pub struct Stage {
    /// Stage name: consumer name, client name, dead-letter subject suffix, metric label.
    pub name: &'static str,
    /// The subject it consumes.
    pub input: &'static str,
    /// Admin port when `NEWSFLOW_ADMIN_ADDR` is not set.
    pub default_admin_port: u16,
    /// The work itself.
    pub handler: Handler,
}

impl std::fmt::Debug for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stage")
            .field("name", &self.name)
            .field("input", &self.input)
            .finish_non_exhaustive()
    }
}

impl Stage {
    /// A stage with a raw handler that may publish any number of outputs.
    pub fn new(
        name: &'static str,
        input: &'static str,
        default_admin_port: u16,
        handler: impl Fn(&[u8]) -> Result<Vec<Output>, StageError> + Send + Sync + 'static,
    ) -> Self {
        Self {
            name,
            input,
            default_admin_port,
            handler: Handler::Outputs(Arc::new(handler)),
        }
    }

    /// A stage whose input comes in revisions: the handler says what the content is and how to
    /// publish a given revision of it; the runtime keeps the revisions in the bucket
    /// `NEWSFLOW_REVISIONS`, publishes new and changed content and drops unchanged content as
    /// a duplicate (see [`crate::revisions`]).
    pub fn revisioned(
        name: &'static str,
        input: &'static str,
        default_admin_port: u16,
        handler: impl Fn(&[u8]) -> Result<Revisioned, StageError> + Send + Sync + 'static,
    ) -> Self {
        Self {
            name,
            input,
            default_admin_port,
            handler: Handler::Revisioned(Arc::new(handler)),
        }
    }

    /// Whether the stage keeps revisions (and so needs the revisions bucket).
    pub fn keeps_revisions(&self) -> bool {
        matches!(self.handler, Handler::Revisioned(_))
    }

    /// A one-in, one-out stage: decodes `I` from JSON, calls `work`, publishes its result on
    /// `output` with `Nats-Msg-Id: <article id>.r<revision>.<name>`.
    pub fn typed<I, O>(
        name: &'static str,
        input: &'static str,
        output: &'static str,
        schema: &'static str,
        default_admin_port: u16,
        work: fn(I) -> Result<O, StageError>,
    ) -> Self
    where
        I: DeserializeOwned + 'static,
        O: Serialize + HasArticleId + 'static,
    {
        Self::new(name, input, default_admin_port, move |payload| {
            let message: I = decode(payload)?;
            let out = work(message)?;
            let msg_id = format!(
                "{}.{name}",
                out.article_id().revision_prefix(out.revision())
            );
            let id = out.article_id().to_string();
            Ok(vec![Output::json(output, schema, msg_id, id, &out)?])
        })
    }
}

/// Decodes a JSON payload, describing what is wrong in words.
///
/// # Errors
/// [`StageError::Decode`] naming the problem and where it is.
pub fn decode<T: DeserializeOwned>(payload: &[u8]) -> Result<T, StageError> {
    if let Err(err) = std::str::from_utf8(payload) {
        return Err(StageError::Decode(format!(
            "payload is not valid UTF-8 (bad byte at offset {})",
            err.valid_up_to()
        )));
    }
    serde_json::from_slice(payload).map_err(|err| {
        StageError::Decode(format!("payload is not valid JSON for this stage: {err}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_names_non_utf8_bytes() {
        let err = decode::<serde_json::Value>(b"{\"body\":\"\xff\"}").unwrap_err();
        assert!(
            err.to_string()
                .contains("not valid UTF-8 (bad byte at offset 9)"),
            "{err}"
        );
    }

    #[test]
    fn decode_explains_bad_json() {
        let err = decode::<serde_json::Value>(b"{not json").unwrap_err();
        assert!(matches!(err, StageError::Decode(_)));
        assert!(err.to_string().contains("line 1 column 2"), "{err}");
    }
}
