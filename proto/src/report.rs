//! What each stage process says about itself every few seconds, for whoever watches the chain
//! (the web console): operator telemetry on core NATS, not stored and not part of the event
//! contract.

use serde::{Deserialize, Serialize};

/// One stage in one process, over the last reporting interval. Published as JSON on
/// `newsflow.stats.<stage>` ([`crate::subjects::stats`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageReport {
    /// The stage.
    pub stage: String,
    /// Which copy: host name and process id (`host/1234`).
    pub replica: String,
    /// Messages this copy has finished since it started (acked or dead-lettered).
    pub finished: u64,
    /// Of those, inputs that were already published unchanged (ingest's duplicates), so
    /// nothing was published for them.
    #[serde(default)]
    pub duplicates: u64,
    /// Median time from fetch to ack over its last messages, in milliseconds; none before the
    /// first.
    pub p50_ms: Option<f64>,
    /// 99th percentile of the same.
    pub p99_ms: Option<f64>,
    /// Milliseconds until the next report; a copy not heard from for a few of these is gone.
    pub every_ms: u64,
}
