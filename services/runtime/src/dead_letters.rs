//! Reading and replaying dead letters (`newsflow dead-letters`): each letter in `NEWSFLOW_DLQ`
//! keeps the subject, headers and payload of the message a stage gave up on, so once the cause is
//! fixed (a stream limit raised, a bug mended, a server back) the message can be put back where
//! it came from and the letter removed.

use crate::Bus;
use anyhow::Context as _;
use async_nats::HeaderMap;
use async_nats::jetstream;
use base64::Engine as _;
use newsflow_proto::{DeadLetter, PayloadEncoding, headers, subjects};

/// One dead letter and where it is kept.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Its sequence in `NEWSFLOW_DLQ`: what `replay` takes.
    pub sequence: u64,
    /// The letter.
    pub letter: DeadLetter,
}

/// The dead letters, of `stage` when given, oldest first, at most `limit`; none before the
/// dead-letter stream exists.
///
/// # Errors
/// When the dead-letter stream cannot be read, or a letter is not a `dead_letter.v1`.
pub async fn list(bus: &Bus, stage: Option<&str>, limit: usize) -> anyhow::Result<Vec<Stored>> {
    let filter = stage.map_or_else(
        || subjects::DEAD_LETTER_SUBJECTS.to_owned(),
        subjects::dead_letter,
    );
    // Counted first, so reading stops at the last letter instead of waiting for more.
    let held: usize = crate::status::dead_letters(bus)
        .await?
        .into_iter()
        .filter(|(subject, _)| stage.is_none() || *subject == filter)
        .map(|(_, count)| count)
        .sum();
    let wanted = held.min(limit);
    if wanted == 0 {
        return Ok(Vec::new());
    }
    // Read one by one with the stream's message API, not through a consumer: a user that may
    // create consumers on this stream could have one push its letters onto any subject (a work
    // stream's among them), so whoever only looks at dead letters is given no consumers.
    let stream = bus
        .jetstream()
        .get_stream(subjects::DEAD_LETTER_STREAM)
        .await
        .with_context(|| format!("opening the stream {}", subjects::DEAD_LETTER_STREAM))?;
    let mut letters = Vec::with_capacity(wanted);
    let mut from = 1;
    while letters.len() < wanted {
        let message = match stream
            .raw_message_builder()
            .sequence(from)
            .next_by_subject(filter.clone())
            .send()
            .await
        {
            Ok(message) => message,
            // A letter counted may be gone (replayed, aged out) by the time it would be read.
            Err(err) if err.kind() == jetstream::stream::RawMessageErrorKind::NoMessageFound => {
                break;
            }
            Err(err) => return Err(err).context("reading the dead letters"),
        };
        let sequence = message.sequence;
        let letter = serde_json::from_slice(&message.payload).with_context(|| {
            format!("the message at {sequence} in the dead-letter stream is not a dead letter")
        })?;
        letters.push(Stored { sequence, letter });
        from = sequence + 1;
    }
    Ok(letters)
}

/// What one replay did.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// The letter's sequence.
    pub sequence: u64,
    /// The subject the message went back to.
    pub subject: String,
    /// The article, when the letter named it.
    pub article_id: Option<String>,
}

/// Puts the message of the dead letter at `sequence` back on its subject, as it was (headers and
/// payload; a de-duplication id of its own, so the streams take it again), and removes the letter
/// once the message is stored. `inputs` are the stages' `(name, input subject)`: a letter goes
/// back only to the input of the stage that wrote it, whatever subject it names (a letter is
/// written by a stage's user, a replay is sent by an admin's).
///
/// # Errors
/// When there is no such letter, it names another subject than its stage's input, it keeps only
/// the start of a payload too large for it, or the message cannot be published or the letter
/// removed.
pub async fn replay(bus: &Bus, sequence: u64, inputs: &[(&str, &str)]) -> anyhow::Result<Replayed> {
    let stream = bus
        .jetstream()
        .get_stream(subjects::DEAD_LETTER_STREAM)
        .await
        .with_context(|| format!("opening the stream {}", subjects::DEAD_LETTER_STREAM))?;
    let stored = stream
        .get_raw_message(sequence)
        .await
        .with_context(|| format!("no dead letter at {sequence}"))?;
    let letter: DeadLetter = serde_json::from_slice(&stored.payload)
        .with_context(|| format!("the message at {sequence} is not a dead letter"))?;
    let input = inputs
        .iter()
        .find(|(stage, _)| *stage == letter.stage)
        .map(|(_, input)| *input);
    anyhow::ensure!(
        input == Some(letter.subject.as_str()),
        "dead letter {sequence} says stage {:?} gave up on a message of {:?}, which is not that \
         stage's input; not replayed",
        letter.stage,
        letter.subject
    );
    if let Some(truncated) = &letter.payload_truncated {
        anyhow::bail!(
            "dead letter {sequence} keeps only the start of its payload ({} bytes, SHA-256 {}): \
             feed the article again from its source",
            truncated.original_bytes,
            truncated.original_sha256
        );
    }
    let payload = match letter.payload_encoding {
        PayloadEncoding::Utf8 => letter.payload.clone().into_bytes(),
        PayloadEncoding::Base64 => base64::engine::general_purpose::STANDARD
            .decode(&letter.payload)
            .with_context(|| format!("dead letter {sequence}: the payload is not base64"))?,
    };
    let mut map = HeaderMap::new();
    for (name, values) in &letter.headers {
        if name.eq_ignore_ascii_case(headers::MSG_ID) {
            continue;
        }
        for value in values {
            map.append(name.as_str(), value.as_str());
        }
    }
    let original = letter.headers.get(headers::MSG_ID).and_then(|v| v.first());
    let msg_id = match original {
        Some(id) => format!("{id}.replay-{sequence}"),
        None => format!("replay.{}.{sequence}", letter.stage),
    };
    map.insert(headers::MSG_ID, msg_id.as_str());
    bus.jetstream()
        .send_publish(
            letter.subject.clone(),
            jetstream::message::PublishMessage::build()
                .payload(payload.into())
                .headers(map),
        )
        .await
        .with_context(|| format!("publishing to {}", letter.subject))?
        .await
        .with_context(|| format!("waiting for {} to store the message", letter.subject))?;
    stream.delete_message(sequence).await.with_context(|| {
        format!(
            "the message is back on {}, but dead letter {sequence} could not be removed",
            letter.subject
        )
    })?;
    Ok(Replayed {
        sequence,
        subject: letter.subject,
        article_id: letter.article_id,
    })
}
