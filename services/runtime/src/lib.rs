//! newsflow-runtime: what every stage of the chain shares, and the one place that talks to NATS.
//!
//! `ingest → segment → entities → quotes → events`: each stage is a pure function wrapped in a
//! [`Stage`]. [`run`] connects (client name = stage name), ensures the streams
//! (a work stream per hop, `NEWSFLOW_EVENTS`, `NEWSFLOW_DLQ`) and the stage's durable pull consumer,
//! then for each message: decode → handle → publish every output with
//! `Nats-Msg-Id: <article id>.r<revision>.<stage>` and await the publish acks (the first of
//! several outputs, an article's event, before the rest are sent) → ack the input.
//! A stage whose input comes in revisions ([`Stage::revisioned`]: `ingest`) also decides each
//! message's revision from the key-value bucket `NEWSFLOW_REVISIONS` and stamps it on the
//! message before publishing, drops unchanged content as a duplicate, and records the revision
//! after the publish ack ([`revisions`]).
//!
//! The chain's services and the `newsflow` command reach NATS only through this crate (Rust
//! subscribers use newsflow-client): stages, streams, the revisions bucket, publishing for
//! feeders ([`Bus::publish`]) and the operator's view ([`status`]) all go through a [`Bus`].
//!
//! Failure semantics: bad input ([`StageError::Invalid`], undecodable payloads, a panicking
//! handler) is terminated and written to `newsflow.dlq.<stage>` with the reason; transient
//! failures ([`StageError::Transient`], a failed publish) are nak'ed with backoff, and dead-lettered
//! once `NEWSFLOW_MAX_DELIVER` deliveries are used up. Nothing is dropped silently. A dead letter
//! that cannot be published leaves the input un-acked so it is redelivered.
//!
//! Each process serves `/healthz`, `/readyz` and `/metrics` on `NEWSFLOW_ADMIN_ADDR`.
#![warn(missing_docs)]

mod admin;
mod bus;
pub mod config;
mod consume;
mod dead_letter;
pub mod dead_letters;
pub mod metrics;
pub mod mirror;
mod near;
pub mod report;
pub mod revisions;
pub mod server;
mod shutdown;
mod stage;
pub mod status;
pub mod streams;
pub mod telemetry;
mod trace;

pub use admin::same_token;
pub use bus::{Bus, ConnectMode, PublishOutcome, last_refusal, without_passwords};
pub use config::{
    Config, Connection, LogFormat, NearDuplicates, Replication, Retention, StageLoop,
};
pub use consume::{ExtraRoutes, MakeRoutes, run, run_many, run_serving};
pub use newsflow_proto::Envelope;
pub use shutdown::shutdown_signal;
pub use stage::{Revisioned, Stage, StageError, decode, outgoing};
pub use trace::new_traceparent;

/// RFC 3339 UTC timestamp of now, for `ingested_at` and `failed_at`.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}
