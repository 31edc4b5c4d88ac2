//! NATS header names newsflow sets. Transport metadata lives here, never in payloads.

/// JetStream de-duplication id: `<article id>.<stage>` on every stage output.
pub const MSG_ID: &str = "Nats-Msg-Id";
/// Schema name and version of the payload, e.g. `article.ingested.v1`.
pub const SCHEMA: &str = "Newsflow-Schema";
/// The article id, so a message can be routed and traced without decoding it.
pub const ARTICLE_ID: &str = "Newsflow-Article-Id";
/// W3C trace context, carried unchanged through every hop.
pub const TRACEPARENT: &str = "traceparent";
