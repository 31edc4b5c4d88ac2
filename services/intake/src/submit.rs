//! One article handed in: checked, its fate read, published.

use newsflow_ingest::{IngestError, Limits};
use newsflow_proto::ArticleId;
use newsflow_runtime::revisions::{self, Decision, Revisions};
use newsflow_runtime::{Bus, PublishOutcome, streams};
use tokio::sync::OnceCell;

/// What ingest will do with an article the stream took, as the revisions bucket said just
/// before it was published (ingest decides the same way; another feed of the same id at the
/// same moment may change it).
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
    /// Opened on first need and kept; until a stage has made it, nothing was ever ingested.
    bucket: OnceCell<Revisions>,
}

impl Intake {
    /// An intake publishing on `bus`. The raw work stream must exist.
    pub fn new(bus: Bus, limits: Limits) -> Self {
        Self {
            bus,
            limits,
            bucket: OnceCell::new(),
        }
    }

    /// The limits articles are checked against.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Checks `payload` (an `article.raw.v1` JSON object) as ingest will, reads what ingest
    /// has of it, and publishes it; returns once the stream has stored it or refused it.
    /// Why the bucket could not be read, when it could not, comes with it.
    pub async fn submit(&self, payload: Vec<u8>) -> (Outcome, Option<String>) {
        let (article, envelope) = match newsflow_ingest::raw_message(payload, self.limits) {
            Ok(checked) => checked,
            Err(err) => return (Outcome::Rejected(err), None),
        };
        let id = article.article_id.clone();
        // Read before publishing: once published, ingest may record it at any moment.
        let hash = newsflow_ingest::content_hash(&article);
        let (decision, undecided) = match self.decision(&id, &hash).await {
            Ok(decision) => (Some(decision), None),
            Err(why) => (None, Some(why)),
        };
        let outcome = match (self.bus.publish(envelope).await, decision) {
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
        (outcome, undecided)
    }

    /// What ingest will decide for content `hash` of `id`: new when nothing was ever ingested
    /// (no bucket yet).
    async fn decision(&self, id: &ArticleId, hash: &str) -> Result<Decision, String> {
        let unreadable = |err: anyhow::Error| {
            format!(
                "the revisions bucket {} could not be read ({err:#})",
                newsflow_proto::subjects::REVISIONS_BUCKET
            )
        };
        let bucket = match self.bucket.get() {
            Some(bucket) => bucket,
            None => match streams::open_revisions(&self.bus)
                .await
                .map_err(unreadable)?
            {
                Some(opened) => self.bucket.get_or_init(|| async { opened }).await,
                None => return Ok(Decision::Reserve(newsflow_proto::FIRST_REVISION)),
            },
        };
        let seen = bucket.get(id.as_str()).await.map_err(unreadable)?;
        Ok(revisions::decide(seen.as_ref(), hash))
    }
}
