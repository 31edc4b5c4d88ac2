//! `newsflow feed`: put articles on `newsflow.articles.raw`, with a progress bar on a terminal
//! and a closing summary of what will become of each: new, a new revision, unchanged (ingest
//! counts it as a duplicate), just fed (the stream dropped it), or rejected.

use crate::articles::Loaded;
use futures::StreamExt as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use newsflow_ingest::Limits;
use newsflow_proto::{ArticleId, Envelope, subjects};
use newsflow_runtime::revisions::{self, Decision, Revisions};
use newsflow_runtime::{Bus, PublishOutcome, streams};
use std::io::IsTerminal as _;

/// Publishes at most this many articles at once.
const PIPELINE_DEPTH: usize = 64;

/// What ingest will do with an article the stream took, as the revisions bucket said just
/// before it was published (ingest decides the same way; another feed of the same id at the
/// same moment may change it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Never seen: it becomes revision 1.
    New,
    /// Changed since the latest revision: it becomes this one.
    Revision(u32),
    /// The same content as this stored revision: ingest counts it as a duplicate and nothing
    /// comes out.
    Unchanged(u32),
    /// The bucket could not be read: ingest decides (`Summary::undecided` says why).
    Undecided,
}

/// What happened to each article fed.
#[derive(Debug, Default)]
pub struct Summary {
    /// Articles stored for processing, with where they came from and what ingest will do; and
    /// those ingest already has unchanged, whether the stream took them again or not.
    pub accepted: Vec<(String, ArticleId, Fate)>,
    /// Articles the stream already had and ingest has not yet seen: the same id and content
    /// fed inside the stream's duplicate window, not taken again, on their way.
    pub duplicates: Vec<(String, ArticleId)>,
    /// Articles refused, with the reason.
    pub rejected: Vec<(String, String)>,
    /// Why the revisions bucket could not be read, when it could not.
    pub undecided: Option<String>,
}

impl Summary {
    fn count(&self, wanted: impl Fn(Fate) -> bool) -> usize {
        self.accepted.iter().filter(|(_, _, f)| wanted(*f)).count()
    }

    /// The articles ingest will not count as duplicates: something comes out for each.
    pub fn coming(&self) -> impl Iterator<Item = &ArticleId> {
        self.accepted
            .iter()
            .filter(|(_, _, fate)| !matches!(fate, Fate::Unchanged(_)))
            .map(|(_, id, _)| id)
    }

    /// The closing summary, for people.
    pub fn render(&self) -> String {
        let fed = self.accepted.len() + self.duplicates.len() + self.rejected.len();
        let mut out = match &self.undecided {
            None => format!(
                "Fed {fed} article(s): {} new, {} new revision(s), {} unchanged, {} duplicate(s), {} rejected.\n",
                self.count(|f| f == Fate::New),
                self.count(|f| matches!(f, Fate::Revision(_))),
                self.count(|f| matches!(f, Fate::Unchanged(_))),
                self.duplicates.len(),
                self.rejected.len()
            ),
            Some(why) => format!(
                "Fed {fed} article(s): {} accepted, {} duplicate(s), {} rejected.\n\
                 Whether the accepted are new is ingest's to decide: {why}. \
                 Ingest counts the unchanged ones as duplicates (`newsflow status`, DUPS).\n",
                self.accepted.len(),
                self.duplicates.len(),
                self.rejected.len()
            ),
        };
        for (origin, id, fate) in &self.accepted {
            match fate {
                Fate::Revision(n) => out.push_str(&format!(
                    "  revised    {origin} (article {id} changed: it becomes revision {n})\n"
                )),
                Fate::Unchanged(n) => out.push_str(&format!(
                    "  unchanged  {origin} (article {id} is revision {n} again: ingest counts it as a duplicate, nothing new comes out)\n"
                )),
                Fate::New | Fate::Undecided => {}
            }
        }
        for (origin, id) in &self.duplicates {
            out.push_str(&format!(
                "  duplicate  {origin} (article {id} was just fed with the same content and is on its way)\n"
            ));
        }
        for (origin, reason) in &self.rejected {
            out.push_str(&format!("  rejected   {origin}: {reason}\n"));
        }
        out
    }
}

/// The revisions bucket as a feeder reads it: no bucket yet means nothing was ever ingested.
pub enum Seen {
    Bucket(Box<Revisions>),
    Nothing,
    Unreadable(String),
}

impl Seen {
    /// Opens the bucket ingest keeps, without making it.
    pub async fn open(bus: &Bus) -> Self {
        match streams::open_revisions(bus).await {
            Ok(Some(bucket)) => Self::Bucket(Box::new(bucket)),
            Ok(None) => Self::Nothing,
            Err(err) => Self::Unreadable(format!(
                "the revisions bucket {} could not be read ({err:#})",
                subjects::REVISIONS_BUCKET
            )),
        }
    }

    async fn fate(&self, id: &ArticleId, content_hash: &str) -> Result<Fate, String> {
        let bucket = match self {
            Self::Bucket(bucket) => bucket,
            Self::Nothing => return Ok(Fate::New),
            Self::Unreadable(_) => return Ok(Fate::Undecided),
        };
        let seen = bucket
            .get(id.as_str())
            .await
            .map_err(|err| format!("{err:#}"))?;
        Ok(match revisions::decide(seen.as_ref(), content_hash) {
            Decision::Reserve(1) => Fate::New,
            Decision::Reserve(n) | Decision::Republish(n) if n > 1 => Fate::Revision(n),
            Decision::Reserve(_) | Decision::Republish(_) => Fate::New,
            Decision::Duplicate(n) => Fate::Unchanged(n),
        })
    }
}

/// Checks each article as ingest will and publishes the good ones with
/// `Nats-Msg-Id: <article id>.<first 16 hex digits of its content hash>`, so the stream drops the
/// same article fed twice within its window while a changed one gets through as a new revision.
/// The caller must have ensured the work stream exists.
pub async fn feed(bus: &Bus, loaded: Vec<Loaded>, limits: Limits, show_progress: bool) -> Summary {
    let bar = ProgressBar::new(loaded.len() as u64);
    if show_progress && std::io::stderr().is_terminal() {
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} feeding [{bar:30}] {pos}/{len} articles, {per_sec} ({eta} left)",
            )
            .expect("the template is valid")
            .progress_chars("=> "),
        );
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let mut summary = Summary::default();
    let seen = Seen::open(bus).await;
    if let Seen::Unreadable(why) = &seen {
        summary.undecided = Some(why.clone());
    }
    let mut ready = Vec::with_capacity(loaded.len());
    for item in loaded {
        match check(item.article, limits) {
            Ok(checked) => ready.push((item.origin, checked)),
            Err(reason) => {
                summary.rejected.push((item.origin, reason));
                bar.inc(1);
            }
        }
    }
    let seen = &seen;
    let mut results = futures::stream::iter(ready)
        .map(|(origin, (id, hash, envelope))| async move {
            // Read before publishing: once published, ingest may record it at any moment.
            let fate = seen.fate(&id, &hash).await;
            (origin, id, fate, bus.publish(envelope).await)
        })
        .buffer_unordered(PIPELINE_DEPTH);
    while let Some((origin, id, fate, outcome)) = results.next().await {
        let fate = fate.unwrap_or_else(|why| {
            summary.undecided.get_or_insert(why);
            Fate::Undecided
        });
        match (outcome, fate) {
            (Err(err), _) => summary
                .rejected
                .push((origin, format!("not published: {err:#}"))),
            // Whether the stream took it again or not, ingest has it already: nothing comes out.
            (Ok(_), Fate::Unchanged(_)) | (Ok(PublishOutcome::Accepted), _) => {
                summary.accepted.push((origin, id, fate));
            }
            (Ok(PublishOutcome::Duplicate), _) => summary.duplicates.push((origin, id)),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    summary
}

/// Validates an article with ingest's own check, so the feeder hears about bad input at once
/// and accepts exactly what ingest accepts; returns its id, its content hash and the message to publish.
fn check(
    article: Result<Vec<u8>, String>,
    limits: Limits,
) -> Result<(ArticleId, String, Envelope), String> {
    let (article, envelope) =
        newsflow_ingest::raw_message(article?, limits).map_err(|err| err.to_string())?;
    let hash = newsflow_ingest::content_hash(&article);
    Ok((article.article_id, hash, envelope))
}
