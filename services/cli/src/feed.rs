//! `newsflow feed`: put articles on `newsflow.articles.raw`, with a progress bar on a terminal
//! and a closing summary of what was accepted, what was a duplicate and what was rejected.

use crate::articles::Loaded;
use futures::StreamExt as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use newsflow_ingest::Limits;
use newsflow_proto::{ArticleId, Envelope};
use newsflow_runtime::{Bus, PublishOutcome};
use std::io::IsTerminal as _;

/// Publishes at most this many articles at once.
const PIPELINE_DEPTH: usize = 64;

/// What happened to each article fed.
#[derive(Debug, Default)]
pub struct Summary {
    /// Articles stored for processing, with where they came from.
    pub accepted: Vec<(String, ArticleId)>,
    /// Articles the bus already had: the same id and content inside the duplicate window. (Fed
    /// again later, an unchanged article is accepted here and counted as a duplicate by ingest.)
    pub duplicates: Vec<(String, ArticleId)>,
    /// Articles refused, with the reason.
    pub rejected: Vec<(String, String)>,
}

impl Summary {
    /// The closing summary, for people.
    pub fn render(&self) -> String {
        let mut out = format!(
            "Fed {} article(s): {} accepted, {} duplicate(s), {} rejected.\n",
            self.accepted.len() + self.duplicates.len() + self.rejected.len(),
            self.accepted.len(),
            self.duplicates.len(),
            self.rejected.len()
        );
        for (origin, id) in &self.duplicates {
            out.push_str(&format!(
                "  duplicate  {origin} (article {id} was just fed with the same content)\n"
            ));
        }
        for (origin, reason) in &self.rejected {
            out.push_str(&format!("  rejected   {origin}: {reason}\n"));
        }
        out
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
    let mut ready = Vec::with_capacity(loaded.len());
    for item in loaded {
        match check(item.article, limits) {
            Ok((id, envelope)) => ready.push((item.origin, id, envelope)),
            Err(reason) => {
                summary.rejected.push((item.origin, reason));
                bar.inc(1);
            }
        }
    }
    let mut results = futures::stream::iter(ready)
        .map(|(origin, id, envelope)| async move { (origin, id, bus.publish(envelope).await) })
        .buffer_unordered(PIPELINE_DEPTH);
    while let Some((origin, id, outcome)) = results.next().await {
        match outcome {
            Ok(PublishOutcome::Accepted) => summary.accepted.push((origin, id)),
            Ok(PublishOutcome::Duplicate) => summary.duplicates.push((origin, id)),
            Err(err) => summary
                .rejected
                .push((origin, format!("not published: {err:#}"))),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    summary
}

/// Validates an article with ingest's own check, so the feeder hears about bad input at once
/// and accepts exactly what ingest accepts; returns its id and the message to publish.
fn check(
    article: Result<Vec<u8>, String>,
    limits: Limits,
) -> Result<(ArticleId, Envelope), String> {
    let (article, envelope) =
        newsflow_ingest::raw_message(article?, limits).map_err(|err| err.to_string())?;
    Ok((article.article_id, envelope))
}
