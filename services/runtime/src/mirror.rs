//! A key-value bucket followed in memory, for a stage whose work reads what the articles
//! before it taught (`entities`' keys across articles, [`subjects::ENTITY_KEYS_BUCKET`]).
//!
//! The stage reads the mirror while it works, without a round trip per lookup, and writes by
//! returning [`Mirror::write`] envelopes among its outputs: they are stored before its input is
//! acknowledged, like every other output, and every copy of the stage (this one too) hears them.
//! On start the bucket is followed on its subjects and read back with direct gets, so the
//! stage's user needs no right to make consumers (which could deliver anywhere). Two copies
//! that learn opposite things of one name at the same moment both write; the later write stands.

use crate::Bus;
use crate::config::Replication;
use anyhow::Context as _;
use async_nats::jetstream::stream;
use futures::StreamExt as _;
use newsflow_proto::{ArticleId, Envelope, subjects};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::info;

/// How long the entity keys bucket keeps a name after it was last written.
pub const ENTITY_KEYS_REMEMBER: Duration = Duration::from_secs(365 * 24 * 3600);

/// Longest a start waits for the bucket to be read back before the stage takes messages.
const CATCH_UP: Duration = Duration::from_secs(10);

/// Schema of the entries the stages write: a plain UTF-8 value.
pub const ENTRY_SCHEMA: &str = "kv.entry.v1";

/// One process's copy of a bucket.
pub struct Mirror {
    bucket: &'static str,
    description: &'static str,
    max_age: Duration,
    entries: RwLock<HashMap<String, String>>,
    started: AtomicBool,
    reading: AtomicBool,
    /// Stops the listener when the mirror goes.
    listening: CancellationToken,
}

impl std::fmt::Debug for Mirror {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mirror")
            .field("bucket", &self.bucket)
            .finish_non_exhaustive()
    }
}

impl Drop for Mirror {
    fn drop(&mut self) {
        self.listening.cancel();
    }
}

impl Mirror {
    /// The bucket of entity keys, not yet followed (the runtime starts it when the stage binds;
    /// without a bus, as in `newsflow process`, it holds what this process wrote).
    pub fn entity_keys() -> Arc<Self> {
        Arc::new(Self {
            bucket: subjects::ENTITY_KEYS_BUCKET,
            description: "newsflow entity keys: per entity type and name, the key of the entity it stood for",
            max_age: ENTITY_KEYS_REMEMBER,
            entries: RwLock::new(HashMap::new()),
            started: AtomicBool::new(false),
            reading: AtomicBool::new(false),
            listening: CancellationToken::new(),
        })
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &'static str {
        self.bucket
    }

    /// The value of `key`, as this process last heard or wrote it.
    pub fn get(&self, key: &str) -> Option<String> {
        self.entries
            .read()
            .expect("never poisoned")
            .get(key)
            .cloned()
    }

    /// How many keys it holds.
    pub fn len(&self) -> usize {
        self.entries.read().expect("never poisoned").len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Learns that `key` is `value`. Once the whole bucket has been read back, that is the
    /// envelope that stores it, an output of article `article`'s revision `revision`: every copy
    /// (this one too) hears it from the bucket once stored, and a retry of the article writes it
    /// again under the same id. Before (no bus, as in `newsflow process`; a bucket that could not
    /// be followed; the read-back still going on) it is learned here only: writing from a partial
    /// view could undo what the bucket knows (a name marked as two entities' own).
    pub fn write(
        &self,
        key: &str,
        value: &str,
        article: &ArticleId,
        revision: u32,
    ) -> Option<Envelope> {
        if !self.is_started() {
            self.entries
                .write()
                .expect("never poisoned")
                .insert(key.to_owned(), value.to_owned());
            return None;
        }
        Some(Envelope::new(
            format!("$KV.{}.{key}", self.bucket),
            ENTRY_SCHEMA,
            article.message_id(revision, format_args!("kv.{key}={value}")),
            Some(article.to_string()),
            value.as_bytes().to_vec(),
        ))
    }

    /// Whether the whole bucket has been read back and is followed: what is written goes to it.
    pub fn is_started(&self) -> bool {
        self.started.load(Ordering::Acquire)
    }

    /// Makes the bucket unless it exists (`newsflow setup` does, for stages whose user may not)
    /// and gives its stream.
    ///
    /// # Errors
    /// When JetStream is not enabled on the server or refuses the bucket.
    pub async fn ensure(
        &self,
        bus: &Bus,
        replication: Replication,
    ) -> anyhow::Result<stream::Stream> {
        crate::streams::ensure_mirrored_bucket(
            bus,
            self.bucket,
            self.description,
            self.max_age,
            replication,
        )
        .await
    }

    /// Makes the bucket unless it exists and follows it: listens on its subjects, then reads it
    /// back (waiting up to [`CATCH_UP`], then going on in the background); from when the
    /// read-back is complete, [`Mirror::write`] writes to it.
    pub(crate) async fn start(
        self: &Arc<Self>,
        bus: &Bus,
        replication: Replication,
    ) -> anyhow::Result<()> {
        let stream = self.ensure(bus, replication).await?;
        let subject = format!("$KV.{}.>", self.bucket);
        // Listening first, so that nothing written while the bucket is read back is missed.
        let live = bus
            .nats()
            .subscribe(subject.clone())
            .await
            .with_context(|| format!("subscribing to {subject}"))?;
        tokio::spawn(listen(live, Arc::downgrade(self), self.listening.clone()));
        let mirror = Arc::downgrade(self);
        let stop = self.listening.clone();
        let reading = tokio::spawn(async move {
            let read = async {
                let Some(mirror) = mirror.upgrade() else {
                    return;
                };
                match mirror.read_back(&stream, &subject).await {
                    Ok(()) => {
                        mirror.started.store(true, Ordering::Release);
                        info!(bucket = mirror.bucket, keys = mirror.len(), "Bucket read.");
                    }
                    Err(err) => tracing::warn!(
                        bucket = mirror.bucket,
                        error = format!("{err:#}"),
                        "The bucket could not be read back; what this process learns stays in it."
                    ),
                }
            };
            tokio::select! {
                () = stop.cancelled() => {},
                () = read => {},
            }
        });
        self.reading.store(true, Ordering::Release);
        // A small bucket is read before the stage takes its first message; a large one goes on
        // being read while the stage works (with what it has read, writing nothing yet).
        if tokio::time::timeout(CATCH_UP, reading).await.is_err() {
            info!(
                bucket = self.bucket,
                keys = self.len(),
                "Still reading the bucket back; working meanwhile with what is read."
            );
        }
        Ok(())
    }

    /// Whether following the bucket has begun (it is read back, or being read back).
    pub(crate) fn is_following(&self) -> bool {
        self.reading.load(Ordering::Acquire)
    }

    async fn read_back(&self, stream: &stream::Stream, subject: &str) -> anyhow::Result<()> {
        let mut next = 1;
        loop {
            let message = match stream
                .direct_get_next_for_subject(subject, Some(next))
                .await
            {
                Ok(message) => message,
                Err(err) if err.kind() == stream::DirectGetErrorKind::NotFound => return Ok(()),
                Err(err) => {
                    return Err(err).with_context(|| format!("reading {} back", self.bucket));
                }
            };
            next = message.sequence + 1;
            let deleted = message
                .headers
                .get("KV-Operation")
                .is_some_and(|op| op.as_str() != "PUT");
            self.heard(message.subject.as_str(), &message.payload, deleted);
        }
    }

    fn heard(&self, subject: &str, payload: &[u8], deleted: bool) {
        let Some(key) = subject
            .strip_prefix("$KV.")
            .and_then(|rest| rest.strip_prefix(self.bucket))
            .and_then(|rest| rest.strip_prefix('.'))
        else {
            return;
        };
        let mut entries = self.entries.write().expect("never poisoned");
        match std::str::from_utf8(payload) {
            Ok(value) if !deleted => {
                entries.insert(key.to_owned(), value.to_owned());
            }
            _ => {
                entries.remove(key);
            }
        }
    }
}

async fn listen(mut live: async_nats::Subscriber, mirror: Weak<Mirror>, stop: CancellationToken) {
    loop {
        let message = tokio::select! {
            () = stop.cancelled() => return,
            message = live.next() => message,
        };
        let Some(message) = message else { return };
        let Some(mirror) = mirror.upgrade() else {
            return;
        };
        let deleted = message
            .headers
            .as_ref()
            .and_then(|h| h.get("KV-Operation"))
            .is_some_and(|op| op.as_str() != "PUT");
        mirror.heard(message.subject.as_str(), &message.payload, deleted);
    }
}
