//! Revisions of content a stage has seen, kept in the JetStream key-value bucket
//! `NEWSFLOW_REVISIONS` (one entry per id, history 1): the hash of the latest revision's content,
//! its number, and whether its outputs are known to be stored. A stage built with
//! [`Stage::revisioned`](crate::Stage::revisioned) (`ingest`) finds a message and its content
//! hash in each payload; [`Revisions::process`] then runs this protocol for it:
//!
//! 1. look the id up; [`decide`]: no entry → revision 1; the same content hash as an entry whose
//!    outputs are stored → a duplicate: nothing is published, the input is acked and counted in
//!    `newsflow_duplicates_total`; the same hash as an entry not yet marked stored → that
//!    revision again (an earlier delivery reserved it and stopped before it was sure its
//!    outputs were stored); another hash → the entry's revision + 1;
//! 2. a new revision is first **reserved**: written with compare-and-set (create when there was
//!    no entry, update from the revision read otherwise) with its content hash, as not yet
//!    stored. So one revision number only ever names one content, whatever crashes;
//! 3. stamp the revision on the message, publish it and await its publish ack;
//! 4. mark the entry stored (compare-and-set again), and ack the input.
//!
//! Within one process, messages of the same id go through 1–4 one after the other (versions of
//! one article fed at once each become their own revision). A crash or a failed bucket write
//! after 2 redelivers the input, which finds its own reservation and publishes the same
//! revision with the same `Nats-Msg-Id`s (de-duplicated by the stream inside its window; after
//! it, the same event ids again, for subscribers to de-duplicate). When a reservation finds the
//! entry changed since it was read (another copy of the stage, in another process, reserved it),
//! the input is nak'ed and its next delivery decides again from the new entry. When marking
//! finds the entry changed, a newer version has already reserved the next revision: the input
//! is acked, its revision being out.

use crate::StageError;
use crate::near::{Claim, Near};
use crate::stage::Pending;
use anyhow::Context as _;
use async_nats::jetstream::kv::{self, CreateErrorKind, UpdateErrorKind};
use bytes::Bytes;
use newsflow_proto::Envelope;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// What the bucket holds for one id: the latest revision seen and what its content was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// Hash of the latest revision's content.
    pub content_hash: String,
    /// Number of the latest revision, from 1.
    pub revision: u32,
    /// Whether the revision's outputs are known to be stored (false while it is reserved).
    /// Entries written before reservations existed were written after publishing: stored.
    #[serde(default = "stored")]
    pub stored: bool,
}

fn stored() -> bool {
    true
}

/// What to do with content, given what was seen before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// New or changed content: reserve this revision for it, then publish it.
    Reserve(u32),
    /// The content of this revision, reserved by an earlier delivery that did not make sure
    /// its outputs were stored: publish it again as this revision.
    Republish(u32),
    /// The same content as this latest, stored revision: publish nothing.
    Duplicate(u32),
}

/// Decides the revision of content with hash `content_hash`, given the latest revision seen.
pub fn decide(previous: Option<&Seen>, content_hash: &str) -> Decision {
    match previous {
        None => Decision::Reserve(newsflow_proto::FIRST_REVISION),
        Some(seen) if seen.content_hash == content_hash && seen.stored => {
            Decision::Duplicate(seen.revision)
        }
        Some(seen) if seen.content_hash == content_hash => Decision::Republish(seen.revision),
        Some(seen) => Decision::Reserve(seen.revision.saturating_add(1)),
    }
}

/// The bucket key of an id. Keys may only hold `-/_=.a-zA-Z0-9` and no empty `.`-separated
/// token, while article ids may hold `:` and any run of `.`; so `=` (never in an id) escapes:
/// `:` is `=3a`, `.` is `=2e`, and any other byte outside `-_a-zA-Z0-9` its two hex digits.
pub fn key(id: &str) -> String {
    let mut key = String::with_capacity(id.len());
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' {
            key.push(char::from(byte));
        } else {
            key.push_str(&format!("={byte:02x}"));
        }
    }
    key
}

/// The latest revision of one id as read, with the bucket's own revision of the entry for the
/// compare-and-set write.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// What was seen, if anything.
    pub seen: Option<Seen>,
    /// The entry's revision in the bucket; `None` when there is no entry (or it was deleted).
    entry_revision: Option<u64>,
}

/// Why writing a new revision failed.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// The entry changed since it was read: decide again from the new one.
    #[error("the revision entry changed since it was read (another copy of the stage wrote it)")]
    Conflict,
    /// The bucket could not be written.
    #[error("writing the revision entry: {0:#}")]
    Failed(#[source] anyhow::Error),
}

/// The revisions bucket.
#[derive(Clone)]
pub struct Revisions {
    store: kv::Store,
    deciding: Locks,
    /// Where an article repeating an earlier one is found, when the check is on.
    near: Option<Arc<Near>>,
}

/// Held while the revision of one id is decided, published and recorded: see
/// [`Revisions::deciding`].
#[derive(Debug)]
pub struct Deciding {
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

/// One lock per id in use in this process.
#[derive(Clone, Default)]
struct Locks(Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>);

impl Locks {
    async fn lock(&self, id: &str) -> Deciding {
        let lock = {
            let mut locks = self
                .0
                .lock()
                .expect("the map is never left half-changed by a panic");
            // Forget the locks nobody holds or waits for any more.
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
            locks.entry(id.to_owned()).or_default().clone()
        };
        Deciding {
            _guard: lock.lock_owned().await,
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.lock().map_or(0, |locks| locks.len())
    }
}

impl std::fmt::Debug for Revisions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Revisions").finish_non_exhaustive()
    }
}

impl Revisions {
    /// The bucket behind `store` (see [`crate::streams::ensure_revisions`]).
    pub fn new(store: kv::Store) -> Self {
        Self {
            store,
            deciding: Locks::default(),
            near: None,
        }
    }

    /// What marks near-duplicates, when the check is on.
    pub(crate) fn near(&self) -> Option<Arc<Near>> {
        self.near.clone()
    }

    /// This bucket handle, marking each article that repeats an earlier one of `near`'s
    /// window before it is published, and noting each in `near` once it is.
    #[must_use]
    pub(crate) fn with_near(mut self, near: Option<Arc<Near>>) -> Self {
        self.near = near;
        self
    }

    /// This bucket handle with the per-id locks of `earlier`, so messages in flight through a
    /// re-bind (which opens the bucket again) still wait for one another.
    #[must_use]
    pub fn with_locks_of(mut self, earlier: &Revisions) -> Self {
        self.deciding = earlier.deciding.clone();
        self
    }

    /// Waits until no other message of this process is deciding the revision of `id`, and
    /// keeps others waiting (in arrival order) until the guard is dropped.
    pub async fn deciding(&self, id: &str) -> Deciding {
        self.deciding.lock(id).await
    }

    /// Reads the latest revision of `id`.
    ///
    /// # Errors
    /// When the bucket does not answer, or holds something that is not a revision entry.
    pub async fn lookup(&self, id: &str) -> anyhow::Result<Lookup> {
        let entry = self
            .store
            .entry(key(id))
            .await
            .with_context(|| format!("reading the revision of {id}"))?;
        Ok(match entry {
            Some(entry) if entry.operation == kv::Operation::Put => Lookup {
                seen: Some(serde_json::from_slice(&entry.value).with_context(|| {
                    format!("the revision entry of {id} is not {{content_hash, revision}} JSON")
                })?),
                entry_revision: Some(entry.revision),
            },
            _ => Lookup {
                seen: None,
                entry_revision: None,
            },
        })
    }

    /// The latest revision of `id`, if it was seen.
    ///
    /// # Errors
    /// As [`lookup`](Self::lookup).
    pub async fn get(&self, id: &str) -> anyhow::Result<Option<Seen>> {
        Ok(self.lookup(id).await?.seen)
    }

    /// Writes `seen` as the latest revision of `id`, provided the entry is still what `read`
    /// found; returns the entry as written.
    ///
    /// # Errors
    /// [`CommitError::Conflict`] when it changed meanwhile; [`CommitError::Failed`] when the
    /// bucket does not answer.
    pub async fn commit(
        &self,
        id: &str,
        read: &Lookup,
        seen: &Seen,
    ) -> Result<Lookup, CommitError> {
        let value =
            Bytes::from(serde_json::to_vec(seen).expect("a string and a number always serialise"));
        let key = key(id);
        let entry_revision = match read.entry_revision {
            None => self.store.create(&key, value).await.map_err(|err| {
                if err.kind() == CreateErrorKind::AlreadyExists {
                    CommitError::Conflict
                } else {
                    CommitError::Failed(err.into())
                }
            })?,
            Some(revision) => self
                .store
                .update(&key, value, revision)
                .await
                .map_err(|err| {
                    if err.kind() == UpdateErrorKind::WrongLastRevision {
                        CommitError::Conflict
                    } else {
                        CommitError::Failed(err.into())
                    }
                })?,
        };
        Ok(Lookup {
            seen: Some(seen.clone()),
            entry_revision: Some(entry_revision),
        })
    }
}

/// How publishing one message in revisions ended: the input is done with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Published {
    /// The same content as this latest, stored revision: nothing published.
    Duplicate(u32),
    /// Published as this revision and recorded as stored.
    Stored(u32),
    /// Published as this revision, but a newer version reserved the next one meanwhile.
    Superseded(u32),
}

/// Why a message in revisions was not published.
#[derive(Debug)]
pub(crate) enum Unpublished {
    /// It never can be: the stage could not make its message for the decided revision.
    Rejected(StageError),
    /// It may later: the kind of failure (a metric label) and the reason.
    Retry(&'static str, String),
}

impl Revisions {
    /// Decides the revision of `pending`, reserves it, stamps it on the message, hands the
    /// message to `publish` and records the revision as stored once `publish` says it is (the
    /// protocol at the top of this module). Messages of one id wait for each other.
    pub(crate) async fn process<F, Fut>(
        &self,
        pending: Pending,
        publish: F,
    ) -> Result<Published, Unpublished>
    where
        F: FnOnce(Envelope) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        let mut pending = pending;
        let id = pending.id.clone();
        let _deciding = self.deciding(&id).await;
        let read = self
            .lookup(&id)
            .await
            .map_err(|err| Unpublished::Retry("revisions", format!("{err:#}")))?;
        let mut seen = Seen {
            content_hash: pending.content_hash.clone(),
            revision: 0,
            stored: false,
        };
        let decision = decide(read.seen.as_ref(), &seen.content_hash);
        seen.revision = match decision {
            Decision::Duplicate(revision) => return Ok(Published::Duplicate(revision)),
            Decision::Republish(revision) | Decision::Reserve(revision) => revision,
        };
        let claim = self
            .near
            .as_deref()
            .zip(pending.signature.take())
            .map(|(near, signature)| near.claim(&id, signature));
        pending.duplicate_of = claim.as_ref().and_then(Claim::duplicate_of);
        let published = self
            .publish_revision(&id, read, seen, decision, pending, publish)
            .await;
        if let (Some(near), Some(claim)) = (self.near.as_deref(), claim) {
            match &published {
                Ok(Published::Stored(revision) | Published::Superseded(revision)) => {
                    if let Err(err) = near.note(claim, *revision).await {
                        tracing::warn!(%id, error = format!("{err:#}"), "Near-duplicates: the article's signature was not stored; copies of it worked on by other copies of the stage go unmarked.");
                    }
                }
                _ => near.release(claim),
            }
        }
        published
    }

    /// Steps 2 to 4 of the protocol for a decided revision.
    async fn publish_revision<F, Fut>(
        &self,
        id: &str,
        read: Lookup,
        mut seen: Seen,
        decision: Decision,
        pending: Pending,
        publish: F,
    ) -> Result<Published, Unpublished>
    where
        F: FnOnce(Envelope) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        // Before reserving, so content the stage rejects never takes a revision number.
        let envelope = pending
            .stamp(seen.revision)
            .map_err(Unpublished::Rejected)?;
        let reserved = match decision {
            Decision::Reserve(_) => self.commit(id, &read, &seen).await.map_err(retry)?,
            _ => read,
        };
        publish(envelope)
            .await
            .map_err(|err| Unpublished::Retry("publish", format!("{err:#}")))?;
        seen.stored = true;
        match self.commit(id, &reserved, &seen).await {
            Ok(_) => Ok(Published::Stored(seen.revision)),
            Err(CommitError::Conflict) => Ok(Published::Superseded(seen.revision)),
            Err(err) => Err(retry(err)),
        }
    }
}

fn retry(err: CommitError) -> Unpublished {
    match err {
        CommitError::Conflict => Unpublished::Retry("revision_conflict", err.to_string()),
        CommitError::Failed(_) => Unpublished::Retry("revisions", format!("{err:#}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn seen(hash: &str, revision: u32) -> Seen {
        Seen {
            content_hash: hash.to_owned(),
            revision,
            stored: true,
        }
    }

    fn reserved(hash: &str, revision: u32) -> Seen {
        Seen {
            stored: false,
            ..seen(hash, revision)
        }
    }

    #[test]
    fn unseen_content_is_the_first_revision() {
        assert_eq!(decide(None, "abc"), Decision::Reserve(1));
    }

    #[test]
    fn the_same_content_again_is_a_duplicate_of_the_latest_revision() {
        assert_eq!(decide(Some(&seen("abc", 3)), "abc"), Decision::Duplicate(3));
    }

    #[test]
    fn changed_content_is_the_next_revision() {
        assert_eq!(decide(Some(&seen("abc", 1)), "abd"), Decision::Reserve(2));
        assert_eq!(decide(Some(&seen("abd", 2)), "abc"), Decision::Reserve(3));
    }

    #[test]
    fn a_reserved_revision_is_published_again_by_its_own_content_and_skipped_by_another() {
        // Its delivery stopped between reserving and marking: the same content publishes the
        // same revision again; other content never reuses the number.
        assert_eq!(
            decide(Some(&reserved("abc", 2)), "abc"),
            Decision::Republish(2)
        );
        assert_eq!(
            decide(Some(&reserved("abc", 2)), "xyz"),
            Decision::Reserve(3)
        );
    }

    #[test]
    fn keys_escape_what_a_bucket_key_cannot_hold_and_stay_distinct() {
        assert_eq!(key("a-1_B"), "a-1_B");
        assert_eq!(key("ap:2024.10"), "ap=3a2024=2e10");
        assert_eq!(key("..x."), "=2e=2ex=2e");
        assert_ne!(key("a:b"), key("a.b"));
        let valid = |k: &str| {
            k.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-/_=.".contains(&b))
        };
        assert!(valid(&key("ap:2024.10_x-y")));
    }

    #[tokio::test]
    async fn one_id_is_decided_by_one_message_at_a_time_and_other_ids_do_not_wait() {
        let locks = Locks::default();
        let first = locks.lock("a").await;
        let waiting = tokio::time::timeout(Duration::from_millis(50), locks.lock("a")).await;
        assert!(waiting.is_err(), "a second message of the same id waits");
        let other = tokio::time::timeout(Duration::from_millis(50), locks.lock("b")).await;
        assert!(other.is_ok(), "another id does not wait");
        drop(first);
        let again = tokio::time::timeout(Duration::from_millis(50), locks.lock("a")).await;
        assert!(again.is_ok(), "the id is free once the first is done");
        drop((other, again));
        let _c = locks.lock("c").await;
        assert_eq!(locks.len(), 1, "locks nobody holds are forgotten");
    }

    #[test]
    fn entries_are_the_documented_json_and_old_entries_read_as_stored() {
        let json = serde_json::to_string(&reserved("abc", 2)).unwrap();
        assert_eq!(
            json,
            r#"{"content_hash":"abc","revision":2,"stored":false}"#
        );
        let old: Seen = serde_json::from_str(r#"{"content_hash":"abc","revision":2}"#).unwrap();
        assert_eq!(old, seen("abc", 2));
    }
}
