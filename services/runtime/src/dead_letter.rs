//! Building `dead_letter.v1` messages from the input a stage gave up on.

use async_nats::jetstream;
use base64::Engine as _;
use newsflow_proto::{
    DeadLetter, Envelope, ErrorType, PayloadEncoding, TruncatedPayload, headers, schema, subjects,
};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;

/// What the runtime knows of a failed message.
pub(crate) struct Failure<'a> {
    pub stage: &'a str,
    pub reason: String,
    pub error_type: ErrorType,
    pub delivery_count: u64,
    pub stream_sequence: u64,
}

/// The article id a payload names, when it is JSON with one: a raw article published without
/// the id header (by a feeder of another language) still has its id in the letter. Unknown
/// fields are skipped without recursion, as ingest skips them.
fn id_in(payload: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Named {
        #[serde(default)]
        id: Option<String>,
        #[serde(default)]
        article_id: Option<String>,
    }
    let named: Named = serde_json::from_slice(payload).ok()?;
    named
        .article_id
        .or(named.id)
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty() && id.len() <= 128)
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
        .map(|v| v.as_str().to_owned())
        .or_else(|| id_in(&message.payload));
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
        payload_truncated: None,
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

/// The letter as published, at most `limit` bytes: when the whole original payload does not
/// fit, the letter keeps its start with the original's size and SHA-256, so a letter about an
/// input near the server's limit can still be stored instead of failing on every delivery.
pub(crate) fn envelope_within(
    mut letter: DeadLetter,
    limit: usize,
    original: &[u8],
) -> serde_json::Result<Envelope> {
    let mut out = envelope(&letter)?;
    if out.payload.len() <= limit {
        return Ok(out);
    }
    letter.payload_truncated = Some(TruncatedPayload {
        original_bytes: original.len() as u64,
        original_sha256: Sha256::digest(original)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    });
    // Cut in proportion to what the payload's JSON (escapes included) may take; every round
    // cuts at least one byte, and a second round mends an uneven spread of escapes.
    while out.payload.len() > limit && !letter.payload.is_empty() {
        let as_json = serde_json::to_string(&letter.payload)?.len();
        let room = limit.saturating_sub(out.payload.len().saturating_sub(as_json));
        let proportional = letter.payload.len() as u128 * room as u128 / as_json.max(1) as u128;
        let mut keep = usize::try_from(proportional)
            .unwrap_or(usize::MAX)
            .min(letter.payload.len() - 1);
        while !letter.payload.is_char_boundary(keep) {
            keep -= 1;
        }
        letter.payload.truncate(keep);
        out = envelope(&letter)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(payload: &str) -> DeadLetter {
        DeadLetter {
            stage: "quotes".into(),
            reason: "too big".into(),
            error_type: ErrorType::Invalid,
            subject: "newsflow.articles.entities".into(),
            delivery_count: 1,
            stream_sequence: 7,
            article_id: Some("a".into()),
            headers: BTreeMap::new(),
            payload: payload.into(),
            payload_encoding: PayloadEncoding::Utf8,
            payload_truncated: None,
            failed_at: "2026-12-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn a_letter_too_big_for_the_bus_keeps_the_start_with_size_and_hash() {
        // Quote marks double when written as JSON; `é` is two bytes that must not be split.
        let original = "\"é".repeat(5_000);
        let out = envelope_within(letter(&original), 4_000, original.as_bytes()).unwrap();
        assert!(out.payload.len() <= 4_000, "{}", out.payload.len());
        let back: DeadLetter = serde_json::from_slice(&out.payload).unwrap();
        assert!(original.starts_with(&back.payload) && !back.payload.is_empty());
        let truncated = back.payload_truncated.expect("marked truncated");
        assert_eq!(truncated.original_bytes, original.len() as u64);
        assert_eq!(truncated.original_sha256.len(), 64);
    }

    #[test]
    fn the_article_id_is_read_from_a_json_payload_without_the_header() {
        assert_eq!(
            id_in(br#"{"id":" ap-1 ","body":"x"}"#).as_deref(),
            Some("ap-1")
        );
        assert_eq!(
            id_in(br#"{"article_id":"a-2","text":"x"}"#).as_deref(),
            Some("a-2")
        );
        let deep = format!(
            r#"{{"x":{}{}, "id":"deep"}}"#,
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert_eq!(id_in(deep.as_bytes()).as_deref(), Some("deep"));
        assert_eq!(id_in(b"not json"), None);
        assert_eq!(id_in(br#"{"id":5}"#), None);
        assert_eq!(id_in(br#"{"body":"no id"}"#), None);
    }

    #[test]
    fn a_letter_that_fits_is_whole() {
        let out = envelope_within(letter("{}"), 4_000, b"{}").unwrap();
        let back: DeadLetter = serde_json::from_slice(&out.payload).unwrap();
        assert_eq!(back.payload, "{}");
        assert_eq!(back.payload_truncated, None);
    }
}
