//! Articles handed in: checked, their fate read, published.

use newsflow_ingest::{IngestError, Limits};
use newsflow_proto::ArticleId;
use newsflow_runtime::revisions::{self, Decision, Revisions};
use newsflow_runtime::{Bus, PublishOutcome, streams};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a bucket found unreadable (no answer, no permission: each look may wait for a
/// time-out) is taken as such before it is looked at again. An absent one is looked for each
/// time: the server answers that at once, and ingest may make it any moment.
const LOOK_AGAIN: Duration = Duration::from_secs(10);

/// What ingest will do with an article the stream took, as the revisions bucket said just
/// before it was published (ingest decides the same way; another feeder handing in the same id
/// at the same moment may change it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Never seen: it becomes revision 1.
    New,
    /// Changed since the latest revision: it becomes this one.
    Revision(u32),
    /// The bucket could not be read: ingest decides.
    Undecided,
}

/// What became of one article handed in.
#[derive(Debug)]
pub enum Outcome {
    /// Stored on the raw stream; ingest will process it.
    Accepted { id: ArticleId, fate: Fate },
    /// Ingest has this very content as its latest revision, whether or not the stream took it
    /// again: it counts it as a duplicate and nothing comes out.
    Unchanged { id: ArticleId, revision: u32 },
    /// Handed in moments ago with the same content (inside the stream's two-minute window), not
    /// stored again: the first copy is on its way.
    JustFed { id: ArticleId },
    /// Ingest would never take it: not published.
    Rejected(IngestError),
    /// The bus did not store it: not published; handing it in again is safe.
    Unstored { id: ArticleId, reason: String },
}

/// Hands articles in on one connection, with ingest's limits.
pub struct Intake {
    bus: Bus,
    limits: Limits,
    bucket: Mutex<Bucket>,
}

/// The revisions bucket as last looked at.
#[derive(Clone)]
enum Bucket {
    Open(Box<Revisions>),
    /// No stage has made it yet: nothing was ever ingested.
    Absent,
    Unreadable(Instant, String),
}

impl Intake {
    /// An intake publishing on `bus`. The raw work stream must exist.
    pub fn new(bus: Bus, limits: Limits) -> Self {
        Self {
            bus,
            limits,
            // Looked for on first need, like an absent one.
            bucket: Mutex::new(Bucket::Absent),
        }
    }

    /// The limits articles are checked against.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// A run of articles handed in together (a feed, a batch): versions of one id go out one
    /// after the other, in the order they were handed in, each numbered after the one before.
    pub fn run(&self) -> Run<'_> {
        Run {
            intake: self,
            reading: tokio::sync::Mutex::new(()),
            ids: Mutex::default(),
        }
    }

    /// The bucket, opened on first need; an unreadable one is looked at again after
    /// [`LOOK_AGAIN`].
    async fn bucket(&self) -> Bucket {
        let known = self.bucket.lock().expect("never poisoned").clone();
        match &known {
            Bucket::Open(_) => return known,
            Bucket::Unreadable(at, _) if at.elapsed() < LOOK_AGAIN => {
                return known;
            }
            _ => {}
        }
        let now = match streams::open_revisions(&self.bus).await {
            Ok(Some(bucket)) => Bucket::Open(Box::new(bucket)),
            Ok(None) => Bucket::Absent,
            Err(err) => Bucket::Unreadable(
                Instant::now(),
                format!(
                    "the revisions bucket {} could not be read ({err:#})",
                    newsflow_proto::subjects::REVISIONS_BUCKET
                ),
            ),
        };
        *self.bucket.lock().expect("never poisoned") = now.clone();
        now
    }

    /// What ingest will decide for content `hash` of `id`.
    async fn decision(&self, id: &ArticleId, hash: &str) -> Result<Decision, String> {
        let bucket = match self.bucket().await {
            Bucket::Open(bucket) => bucket,
            Bucket::Absent => {
                return Ok(Decision::Reserve(newsflow_proto::FIRST_REVISION));
            }
            Bucket::Unreadable(_, why) => return Err(why),
        };
        let seen = bucket
            .get(id.as_str())
            .await
            .map_err(|err| format!("reading the revision of {id}: {err:#}"))?;
        Ok(revisions::decide(seen.as_ref(), hash))
    }
}

/// See [`Intake::run`].
pub struct Run<'a> {
    intake: &'a Intake,
    /// Held while one article is read and takes its place in its id's queue, in the order
    /// articles were handed in (the lock queues its waiters): reading pages is CPU work, done one
    /// at a time per run; waiting for an id's earlier versions and publishing are not.
    reading: tokio::sync::Mutex<()>,
    /// Per id: held while one version is decided and published; the last one handed in, as
    /// (content hash, revision it was told).
    ids: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Last>>>>,
}

/// The content hash and revision of the version of an id handed in last in a run.
type Last = Option<(String, u32)>;

impl Run<'_> {
    /// Checks `payload` (an `article.raw.v1` JSON object) as ingest will, reads what ingest
    /// has of it, and publishes it; returns once the stream has stored it or refused it, with
    /// why the bucket could not be read when it could not.
    pub async fn submit(&self, payload: Vec<u8>) -> (Outcome, Option<String>) {
        let reading = self.reading.lock().await;
        // Reading a page is CPU work (up to a few tens of milliseconds for a large one): off the
        // threads that serve requests.
        let limits = self.intake.limits;
        let checked =
            tokio::task::spawn_blocking(move || newsflow_ingest::raw_message(payload, limits))
                .await;
        let (article, envelope) = match checked {
            Ok(Ok(checked)) => checked,
            Ok(Err(err)) => return (Outcome::Rejected(err), None),
            Err(failed) => {
                let why = format!("ingest could not read it: {failed}");
                return (Outcome::Rejected(IngestError::Malformed(why)), None);
            }
        };
        let id = article.article_id.clone();
        let hash = newsflow_ingest::content_hash(&article);
        let slot = self
            .ids
            .lock()
            .expect("never poisoned")
            .entry(id.to_string())
            .or_default()
            .clone();
        // Queued on its id in the order the articles were handed in (the lock queues its
        // waiters from their first poll), then the next article may be read while this one
        // waits for the versions before it.
        let mut queued = std::pin::pin!(slot.lock_owned());
        let first = futures::poll!(&mut queued);
        drop(reading);
        let mut last = match first {
            std::task::Poll::Ready(last) => last,
            std::task::Poll::Pending => queued.await,
        };
        // Read before publishing: once published, ingest may record it at any moment.
        let decided = match last.as_ref() {
            Some((last_hash, revision)) if *last_hash != hash => {
                Ok(Decision::Reserve(revision.saturating_add(1)))
            }
            _ => self.intake.decision(&id, &hash).await,
        };
        let (decision, undecided) = match decided {
            Ok(decision) => (Some(decision), None),
            Err(why) => (None, Some(why)),
        };
        let outcome = match (self.intake.bus.publish(envelope).await, decision) {
            (Err(err), _) => Outcome::Unstored {
                id,
                reason: format!("not published: {err:#}"),
            },
            (Ok(_), Some(Decision::Duplicate(revision))) => Outcome::Unchanged { id, revision },
            (Ok(PublishOutcome::Duplicate), _) => Outcome::JustFed { id },
            (Ok(PublishOutcome::Accepted), decision) => {
                let fate = match decision {
                    Some(Decision::Reserve(n) | Decision::Republish(n)) if n > 1 => {
                        Fate::Revision(n)
                    }
                    Some(_) => Fate::New,
                    None => Fate::Undecided,
                };
                Outcome::Accepted { id, fate }
            }
        };
        let told = match &outcome {
            Outcome::Accepted {
                fate: Fate::New, ..
            } => Some(newsflow_proto::FIRST_REVISION),
            Outcome::Accepted {
                fate: Fate::Revision(n),
                ..
            }
            | Outcome::Unchanged { revision: n, .. } => Some(*n),
            _ => None,
        };
        if let Some(revision) = told {
            *last = Some((hash, revision));
        }
        (outcome, undecided)
    }
}
