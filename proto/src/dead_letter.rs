//! `dead_letter.v1`: a message a stage gave up on, published on `newsflow.dlq.<stage>`
//! (stream `NEWSFLOW_DLQ`) with the reason and everything needed to replay it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A message a stage could not process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeadLetter {
    /// The stage that gave up (`ingest`, `segment`, …).
    pub stage: String,
    /// Why, in words a person can act on.
    pub reason: String,
    /// The kind of failure.
    pub error_type: ErrorType,
    /// The subject the message arrived on.
    pub subject: String,
    /// How many times the message had been delivered.
    pub delivery_count: u64,
    /// Its sequence number in the input stream.
    pub stream_sequence: u64,
    /// The article id, when the stage could tell it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_id: Option<String>,
    /// The original message headers.
    #[serde(default)]
    pub headers: BTreeMap<String, Vec<String>>,
    /// The original payload, as text when it was UTF-8, else base64.
    pub payload: String,
    /// How `payload` is encoded.
    pub payload_encoding: PayloadEncoding,
    /// Set when `payload` is only the start of the original: the whole letter would have been
    /// larger than the server takes in one message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_truncated: Option<TruncatedPayload>,
    /// When the stage gave up, RFC 3339 UTC.
    pub failed_at: String,
}

/// What a dead letter keeps of a payload too large to carry whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TruncatedPayload {
    /// Bytes of the original payload.
    pub original_bytes: u64,
    /// SHA-256 of the original payload, lower-case hex.
    pub original_sha256: String,
}

impl DeadLetter {
    /// `dlq.<stage>.<stream sequence>`: its `Nats-Msg-Id`, so one input given up on twice (a
    /// redelivery after a failed term) is stored once.
    pub fn message_id(&self) -> String {
        format!("dlq.{}.{}", self.stage, self.stream_sequence)
    }
}

/// The kind of failure that dead-lettered a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorType {
    /// The payload is not the JSON the stage expects.
    Decode,
    /// The payload decoded but can never be processed (empty, too big, bad encoding, …).
    Invalid,
    /// Transient failures kept happening until the delivery limit.
    MaxDeliveries,
}

impl ErrorType {
    /// The value as written in JSON and used as a metric label.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Decode => "decode",
            Self::Invalid => "invalid",
            Self::MaxDeliveries => "max_deliveries",
        }
    }
}

/// How a dead letter's payload is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PayloadEncoding {
    /// The payload was valid UTF-8 and is kept as is.
    Utf8,
    /// The payload was not UTF-8; standard base64.
    Base64,
}
