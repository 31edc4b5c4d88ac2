//! Metric names (the runtime is the only place that emits metrics) and the Prometheus recorder.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

/// Messages fetched, by `stage`.
pub const RECEIVED: &str = "newsflow_messages_received_total";
/// Messages processed and acked, by `stage`.
pub const PROCESSED: &str = "newsflow_messages_processed_total";
/// Messages that failed, by `stage` and `error_type` (`decode`, `invalid`, `transient`, `publish`,
/// `panic`, `max_deliveries`, and for stages that count revisions `revisions` and
/// `revision_conflict`).
pub const FAILED: &str = "newsflow_messages_failed_total";
/// Messages written to the dead-letter stream, by `stage`.
pub const DEAD_LETTERED: &str = "newsflow_messages_dead_lettered_total";
/// Messages whose content was already published as the latest revision, so nothing was
/// published for them (acked and counted as processed too), by `stage`.
pub const DUPLICATES: &str = "newsflow_duplicates_total";
/// Messages published, by `stage` (`feed` for feeders): outputs, events and dead letters.
pub const PUBLISHED: &str = "newsflow_published_messages_total";
/// Bytes published, payload and headers as they go on the wire, by `stage` (`feed` for feeders).
pub const PUBLISHED_BYTES: &str = "newsflow_published_bytes_total";
/// Seconds from fetch to ack, by `stage`.
pub const PROCESS_DURATION: &str = "newsflow_process_duration_seconds";

/// Label: the stage.
pub const LABEL_STAGE: &str = "stage";
/// Label: the kind of failure.
pub const LABEL_ERROR_TYPE: &str = "error_type";

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Describes the counters of `stage` and shows each at 0, so `/metrics` lists them from the
/// start rather than from the first message (a scraper sees a stage that has had nothing to do,
/// not a stage with no metrics).
pub fn register(stage: &'static str) {
    for (name, help) in [
        (RECEIVED, "Messages fetched."),
        (PROCESSED, "Messages processed and acked."),
        (DEAD_LETTERED, "Messages written to the dead-letter stream."),
        (
            DUPLICATES,
            "Messages whose content was already published; nothing published for them.",
        ),
        (
            PUBLISHED,
            "Messages published: outputs, events and dead letters.",
        ),
        (PUBLISHED_BYTES, "Bytes published, payload and headers."),
    ] {
        metrics::describe_counter!(name, help);
        metrics::counter!(name, LABEL_STAGE => stage).increment(0);
    }
}

/// The process-wide recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets(&[
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ])
            .expect("the bucket list is not empty");
        // Another recorder may already be installed (an embedding program); ours still renders.
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}
