//! `newsflow feed`: hand articles in through the intake, with a progress bar on a terminal and
//! a closing summary of what will become of each: new, a new revision, unchanged (ingest counts
//! it as a duplicate), just fed (on its way), or rejected.

use crate::articles::Loaded;
use futures::StreamExt as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use newsflow_intake::{Fate, Intake, Outcome};
use newsflow_proto::ArticleId;
use std::io::IsTerminal as _;

/// Publishes at most this many articles at once.
const PIPELINE_DEPTH: usize = 64;

/// What happened to each article fed.
#[derive(Debug, Default)]
pub struct Summary {
    /// Articles stored for processing, with where they came from and what ingest will do.
    pub accepted: Vec<(String, ArticleId, Fate)>,
    /// Articles ingest has unchanged as this revision: nothing comes out for them.
    pub unchanged: Vec<(String, ArticleId, u32)>,
    /// Articles fed moments ago with the same content, not stored again: on their way.
    pub duplicates: Vec<(String, ArticleId)>,
    /// Articles refused or not stored, with the reason.
    pub rejected: Vec<(String, String)>,
    /// Why the revisions bucket could not be read, when it could not.
    pub undecided: Option<String>,
}

impl Summary {
    fn add(&mut self, origin: String, outcome: Outcome, undecided: Option<String>) {
        if let Some(why) = undecided {
            self.undecided.get_or_insert(why);
        }
        match outcome {
            Outcome::Accepted { id, fate } => self.accepted.push((origin, id, fate)),
            Outcome::Unchanged { id, revision } => self.unchanged.push((origin, id, revision)),
            Outcome::JustFed { id } => self.duplicates.push((origin, id)),
            Outcome::Rejected(err) => self.rejected.push((origin, err.to_string())),
            Outcome::Unstored { reason, .. } => self.rejected.push((origin, reason)),
        }
    }

    /// The articles something will come out for.
    pub fn coming(&self) -> impl Iterator<Item = &ArticleId> {
        self.accepted.iter().map(|(_, id, _)| id)
    }

    /// The closing summary, for people.
    pub fn render(&self) -> String {
        let fed = self.accepted.len()
            + self.unchanged.len()
            + self.duplicates.len()
            + self.rejected.len();
        let revised = |(_, _, fate): &&(String, ArticleId, Fate)| matches!(fate, Fate::Revision(_));
        let mut out = match &self.undecided {
            None => format!(
                "Fed {fed} article(s): {} new, {} new revision(s), {} unchanged, {} duplicate(s), {} rejected.\n",
                self.accepted.len() - self.accepted.iter().filter(revised).count(),
                self.accepted.iter().filter(revised).count(),
                self.unchanged.len(),
                self.duplicates.len(),
                self.rejected.len()
            ),
            Some(why) => format!(
                "Fed {fed} article(s): {} accepted, {} unchanged, {} duplicate(s), {} rejected.\n\
                 Whether the accepted are new is ingest's to decide: {why}. \
                 Ingest counts the unchanged ones as duplicates (`newsflow status`, DUPS).\n",
                self.accepted.len(),
                self.unchanged.len(),
                self.duplicates.len(),
                self.rejected.len()
            ),
        };
        for (origin, id, fate) in &self.accepted {
            if let Fate::Revision(n) = fate {
                out.push_str(&format!(
                    "  revised    {origin} (article {id} changed: it becomes revision {n})\n"
                ));
            }
        }
        for (origin, id, revision) in &self.unchanged {
            out.push_str(&format!(
                "  unchanged  {origin} (article {id} is revision {revision} again: ingest counts it as a duplicate, nothing new comes out)\n"
            ));
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

/// Hands every article in as one run (see [`newsflow_intake`]; versions of one id go out in the
/// order given): ingest's own check first, so the feeder hears about bad input at once, then
/// the revisions bucket read as ingest will read it, then published with `Nats-Msg-Id: <article id>.<first 16 hex digits of its content hash>`. The
/// caller must have ensured the work stream exists.
pub async fn feed(intake: &Intake, loaded: Vec<Loaded>, show_progress: bool) -> Summary {
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
    let run = intake.run();
    let run = &run;
    let mut results = futures::stream::iter(loaded)
        .map(|item| async move {
            match item.article {
                Ok(payload) => {
                    let (outcome, undecided) = run.submit(payload).await;
                    (item.origin, Ok((outcome, undecided)))
                }
                Err(reason) => (item.origin, Err(reason)),
            }
        })
        .buffer_unordered(PIPELINE_DEPTH);
    while let Some((origin, result)) = results.next().await {
        match result {
            Ok((outcome, undecided)) => summary.add(origin, outcome, undecided),
            Err(reason) => summary.rejected.push((origin, reason)),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    summary
}
