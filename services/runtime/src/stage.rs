//! A stage: a name, the subject it consumes, and a pure handler from payload to the messages to
//! publish ([`Envelope`]s); or, for a stage whose input comes in revisions (`ingest`), to a
//! message whose revision the runtime decides and stamps on it (see [`crate::revisions`]).

use crate::mirror::Mirror;
use crate::near::Signature;
use newsflow_proto::{ArticleId, Envelope, FIRST_REVISION, HasArticleId, Revisable};
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

/// What a revisioned stage's work found in one payload: the message to publish, and the hash of
/// its content (the same hash as the latest revision's makes a duplicate).
#[derive(Debug)]
pub struct Revisioned<M> {
    /// The message, revision not yet decided.
    pub message: M,
    /// Hash of the content that tells revisions apart.
    pub content_hash: String,
}

/// A message waiting for its revision, type-erased for the runtime: the article it is about,
/// its content hash, and how to publish it once the revision is stamped on it.
pub(crate) struct Pending {
    pub(crate) id: String,
    pub(crate) content_hash: String,
    /// What near-duplicates are told by; `None` for a text too short to tell.
    pub(crate) signature: Option<Signature>,
    /// The earlier article it repeats, once looked up.
    pub(crate) duplicate_of: Option<ArticleId>,
    message: Box<dyn Stamp>,
}

impl Pending {
    /// Stamps `revision` (and the earlier article it repeats) on the message and gives the
    /// envelope to publish.
    pub(crate) fn stamp(self, revision: u32) -> Result<Envelope, StageError> {
        self.message.stamp(revision, self.duplicate_of)
    }
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("id", &self.id)
            .field("content_hash", &self.content_hash)
            .finish_non_exhaustive()
    }
}

trait Stamp: Send {
    fn stamp(
        self: Box<Self>,
        revision: u32,
        duplicate_of: Option<ArticleId>,
    ) -> Result<Envelope, StageError>;
}

/// A typed message and where it goes, before its revision is known.
struct Unstamped<M> {
    message: M,
    stage: &'static str,
    output: &'static str,
    schema: &'static str,
}

impl<M: Serialize + Revisable + Send> Stamp for Unstamped<M> {
    fn stamp(
        mut self: Box<Self>,
        revision: u32,
        duplicate_of: Option<ArticleId>,
    ) -> Result<Envelope, StageError> {
        self.message.set_revision(revision);
        if let Some(earlier) = duplicate_of {
            self.message.set_duplicate_of(earlier);
        }
        outgoing(self.stage, self.output, self.schema, &self.message)
    }
}

/// `message` on `subject` with `Nats-Msg-Id: <article id>.r<revision>.<stage>`: the output of
/// a one-in, one-out stage.
///
/// # Errors
/// [`StageError::Invalid`] when the message cannot be serialised.
pub fn outgoing<M: Serialize + HasArticleId>(
    stage: &str,
    subject: &str,
    schema: &'static str,
    message: &M,
) -> Result<Envelope, StageError> {
    let id = message.article_id();
    Envelope::json(
        subject,
        schema,
        id.message_id(message.revision(), stage),
        Some(id.to_string()),
        message,
    )
    .map_err(|err| StageError::Invalid(format!("cannot serialise output: {err}")))
}

type Work<T> = Arc<dyn Fn(&[u8]) -> Result<T, StageError> + Send + Sync>;

/// The pure work of a stage.
#[derive(Clone)]
pub(crate) enum Handler {
    /// Raw payload in, messages to publish out.
    Outputs(Work<Vec<Envelope>>),
    /// Raw payload in, a message whose revision the runtime decides out.
    Revisioned(Work<Pending>),
    /// No work: the input as it came, on this subject (the bare bus `newsflow bench pipeline`
    /// measures the chain against).
    Forward(&'static str),
}

/// What a [`Handler`] made of one payload.
#[derive(Debug)]
pub(crate) enum Handled {
    Outputs(Vec<Envelope>),
    Revisioned(Pending),
}

impl Handler {
    /// The work on one payload. A pass-through has none: the runtime forwards its messages
    /// without calling it.
    pub(crate) fn call(&self, payload: &[u8]) -> Result<Handled, StageError> {
        match self {
            Self::Outputs(work) => work(payload).map(Handled::Outputs),
            Self::Revisioned(work) => work(payload).map(Handled::Revisioned),
            Self::Forward(_) => Err(StageError::Invalid(
                "a pass-through stage forwards messages on the bus and has no work of its own"
                    .to_owned(),
            )),
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
    pub(crate) handler: Handler,
    /// A bucket the work reads, followed in memory from the first bind on.
    pub(crate) mirror: Option<Arc<Mirror>>,
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
    /// The stage, with `mirror` followed from its first bind on: its work reads what every copy
    /// of the stage wrote to the bucket (see [`Mirror`]).
    #[must_use]
    pub fn with_mirror(mut self, mirror: Arc<Mirror>) -> Self {
        self.mirror = Some(mirror);
        self
    }

    /// A stage with a raw handler that may publish any number of messages.
    pub fn new(
        name: &'static str,
        input: &'static str,
        default_admin_port: u16,
        work: impl Fn(&[u8]) -> Result<Vec<Envelope>, StageError> + Send + Sync + 'static,
    ) -> Self {
        Self {
            name,
            input,
            default_admin_port,
            handler: Handler::Outputs(Arc::new(work)),
            mirror: None,
        }
    }

    /// A one-in, one-out stage: decodes `I` from JSON, calls `work`, publishes its result on
    /// `output` with `Nats-Msg-Id: <article id>.r<revision>.<name>`.
    pub fn typed<I, O>(
        name: &'static str,
        input: &'static str,
        output: &'static str,
        schema: &'static str,
        default_admin_port: u16,
        work: impl Fn(I) -> Result<O, StageError> + Send + Sync + 'static,
    ) -> Self
    where
        I: DeserializeOwned + 'static,
        O: Serialize + HasArticleId + 'static,
    {
        Self::new(name, input, default_admin_port, move |payload| {
            let message = work(decode(payload)?)?;
            Ok(vec![outgoing(name, output, schema, &message)?])
        })
    }

    /// A stage that decodes `I` from JSON and publishes what `work` makes of it, each message
    /// with its own subject, schema and id (`events`).
    pub fn fan_out<I: DeserializeOwned + 'static>(
        name: &'static str,
        input: &'static str,
        default_admin_port: u16,
        work: impl Fn(I) -> Result<Vec<Envelope>, StageError> + Send + Sync + 'static,
    ) -> Self {
        Self::new(name, input, default_admin_port, move |payload| {
            work(decode(payload)?)
        })
    }

    /// A stage whose input comes in revisions (`ingest`): `work` reads the raw payload into a
    /// message and its content hash; the runtime keeps the revisions in the bucket
    /// `NEWSFLOW_REVISIONS`, stamps the decided revision on the message and publishes it on
    /// `output` (`Nats-Msg-Id: <article id>.r<revision>.<name>`), or drops unchanged content as
    /// a duplicate (see [`crate::revisions`]).
    pub fn revisioned<M>(
        name: &'static str,
        input: &'static str,
        output: &'static str,
        schema: &'static str,
        default_admin_port: u16,
        work: impl Fn(&[u8]) -> Result<Revisioned<M>, StageError> + Send + Sync + 'static,
    ) -> Self
    where
        M: Serialize + Revisable + Send + 'static,
    {
        let work = move |payload: &[u8]| {
            let found = work(payload)?;
            Ok(Pending {
                id: found.message.article_id().to_string(),
                content_hash: found.content_hash,
                signature: Signature::of(found.message.text()),
                duplicate_of: None,
                message: Box::new(Unstamped {
                    message: found.message,
                    stage: name,
                    output,
                    schema,
                }),
            })
        };
        Self {
            name,
            input,
            default_admin_port,
            handler: Handler::Revisioned(Arc::new(work)),
            mirror: None,
        }
    }

    /// A stage that does no work: it forwards every input unchanged to `output`, with the input's
    /// article id and trace and a de-duplication id of its own. With a pass-through in place of
    /// every stage, the chain measures what the bus itself costs (`newsflow bench pipeline`).
    pub fn pass_through(
        name: &'static str,
        input: &'static str,
        output: &'static str,
        default_admin_port: u16,
    ) -> Self {
        Self {
            name,
            input,
            default_admin_port,
            handler: Handler::Forward(output),
            mirror: None,
        }
    }

    /// Whether the stage keeps revisions (and so needs the revisions bucket).
    pub fn keeps_revisions(&self) -> bool {
        matches!(self.handler, Handler::Revisioned(_))
    }

    /// Runs the stage's work on one payload without a bus (`newsflow process`): what it would
    /// publish, revisioned content as its first revision.
    ///
    /// # Errors
    /// What the work says of the payload.
    pub fn process(&self, payload: &[u8]) -> Result<Vec<Envelope>, StageError> {
        match self.handler.call(payload)? {
            Handled::Outputs(outputs) => Ok(outputs),
            Handled::Revisioned(pending) => Ok(vec![pending.stamp(FIRST_REVISION)?]),
        }
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
