//! Building `dead_letter.v1` messages from the input a stage gave up on.

use async_nats::jetstream;
use base64::Engine as _;
use newsflow_proto::{DeadLetter, Envelope, ErrorType, PayloadEncoding, headers, schema, subjects};
use std::collections::BTreeMap;

/// What the runtime knows of a failed message.
pub(crate) struct Failure<'a> {
    pub stage: &'a str,
    pub reason: String,
    pub error_type: ErrorType,
    pub delivery_count: u64,
    pub stream_sequence: u64,
}

pub(crate) fn build(message: &jetstream::Message, failure: Failure<'_>) -> DeadLetter {
    let mut header_map = BTreeMap::new();
    if let Some(hs) = &message.headers {
        for (name, values) in hs.iter() {
            header_map.insert(
                name.to_string(),
                values
                    .iter()
                    .map(|v| v.as_str().to_owned())
                    .collect::<Vec<_>>(),
            );
        }
    }
    let article_id = message
        .headers
        .as_ref()
        .and_then(|h| h.get(headers::ARTICLE_ID))
        .map(|v| v.as_str().to_owned());
    let (payload, payload_encoding) = match std::str::from_utf8(&message.payload) {
        Ok(text) => (text.to_owned(), PayloadEncoding::Utf8),
        Err(_) => (
            base64::engine::general_purpose::STANDARD.encode(&message.payload),
            PayloadEncoding::Base64,
        ),
    };
    DeadLetter {
        stage: failure.stage.to_owned(),
        reason: failure.reason,
        error_type: failure.error_type,
        subject: message.subject.to_string(),
        delivery_count: failure.delivery_count,
        stream_sequence: failure.stream_sequence,
        article_id,
        headers: header_map,
        payload,
        payload_encoding,
        failed_at: crate::now_rfc3339(),
    }
}

/// The letter as published on `newsflow.dlq.<stage>`.
pub(crate) fn envelope(letter: &DeadLetter) -> serde_json::Result<Envelope> {
    Envelope::json(
        subjects::dead_letter(&letter.stage),
        schema::DEAD_LETTER,
        letter.message_id(),
        letter.article_id.clone(),
        letter,
    )
}
