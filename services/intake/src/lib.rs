//! Where feeders hand articles to newsflow. Each article gets ingest's own check, then the
//! revisions bucket is read the way ingest will read it, then it is published on
//! `newsflow.articles.raw` and its store awaited: so a feeder hears at once, and truthfully,
//! whether it is new, a new revision, unchanged (nothing comes out), or refused and why.
//! `newsflow feed` ([`Intake`]) and `POST /articles` ([`http`]) both go through here.

pub mod http;
mod submit;

pub use submit::{Fate, Intake, Outcome, Run};
