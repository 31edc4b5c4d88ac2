//! Reading the events stream for the console by sequence, with the stream's message API: one
//! request per event, no consumer. The console makes nothing on the server, so it can run as a
//! user that may only look (the monitor of `deploy/nats/permissions.conf`).

use async_nats::jetstream::{self, stream};
use newsflow_proto::{headers, subjects};
use serde_json::Value;

/// One event as stored.
pub struct Stored {
    /// Its sequence in the events stream.
    pub sequence: u64,
    /// Its subject.
    pub subject: String,
    /// The article it belongs to (`Newsflow-Article-Id`).
    pub article_id: String,
    /// The JSON.
    pub event: Value,
}

/// The events stream, read one message at a time.
#[derive(Clone)]
pub struct Events {
    js: jetstream::Context,
}

impl Events {
    pub fn new(client: async_nats::Client) -> Self {
        Self {
            js: jetstream::new(client),
        }
    }

    async fn stream(&self) -> anyhow::Result<stream::Stream<()>> {
        Ok(self.js.get_stream_no_info(subjects::EVENTS_STREAM).await?)
    }

    /// The stream's first and last sequence, and the subjects under `filter` with their counts;
    /// `None` before the events stream exists.
    pub async fn subjects(
        &self,
        filter: &str,
    ) -> anyhow::Result<Option<(u64, u64, Vec<(String, usize)>)>> {
        let stream = match self.js.get_stream(subjects::EVENTS_STREAM).await {
            Ok(stream) => stream,
            Err(err) if newsflow_runtime::streams::is_stream_not_found(&err) => return Ok(None),
            Err(err) => return Err(err.into()),
        };
        let state = stream.cached_info().state.clone();
        let mut info = stream.info_with_subjects(filter).await?;
        let mut found = Vec::new();
        while let Some(page) = futures::TryStreamExt::try_next(&mut info).await? {
            found.push(page);
        }
        Ok(Some((state.first_sequence, state.last_sequence, found)))
    }

    /// The first event on `filter` at or after `from`, if any.
    pub async fn next(&self, filter: &str, from: u64) -> anyhow::Result<Option<Stored>> {
        let found = self
            .stream()
            .await?
            .raw_message_builder()
            .sequence(from.max(1))
            .next_by_subject(filter.to_owned())
            .send()
            .await;
        let message = match found {
            Ok(message) => message,
            Err(err) if err.kind() == stream::RawMessageErrorKind::NoMessageFound => {
                return Ok(None);
            }
            Err(err) => return Err(err.into()),
        };
        let article_id = message
            .headers
            .get(headers::ARTICLE_ID)
            .map(|v| v.as_str().to_owned())
            .unwrap_or_default();
        let event = serde_json::from_slice(&message.payload).unwrap_or(Value::Null);
        Ok(Some(Stored {
            sequence: message.sequence,
            subject: message.subject.to_string(),
            article_id,
            event,
        }))
    }

    /// Events on `filter` from `from` on, at most `limit` of them, oldest first.
    pub async fn walk(&self, filter: &str, from: u64, limit: usize) -> anyhow::Result<Vec<Stored>> {
        let mut out = Vec::new();
        let mut at = from;
        while out.len() < limit {
            let Some(event) = self.next(filter, at).await? else {
                break;
            };
            at = event.sequence + 1;
            out.push(event);
        }
        Ok(out)
    }
}

impl Events {
    /// The newest `want` events on `filter`, newest first, found by reading ever wider windows
    /// back from the end of the stream; at most `budget` events read in the last window.
    pub async fn newest(
        &self,
        filter: &str,
        want: usize,
        budget: usize,
    ) -> anyhow::Result<Vec<Stored>> {
        let Some((first, last, _)) = self.subjects(filter).await? else {
            return Ok(Vec::new());
        };
        let mut span: u64 = 10_000;
        loop {
            let from = last.saturating_sub(span).max(first);
            let mut found = self.walk(filter, from, budget).await?;
            if found.len() >= want || from <= first || found.len() >= budget {
                found.reverse();
                found.truncate(want);
                return Ok(found);
            }
            span = span.saturating_mul(8);
        }
    }
}

/// The event subjects a search for `query` reads: every speaker's (`kind` "speaker") or
/// entity's subject whose name holds the query's words as whole words, so "Blinken" finds
/// `newsflow.events.quote.antony-j-blinken`; the most used first.
pub fn matching(query: &str, kind: Kind, known: &[(String, usize)]) -> Vec<String> {
    let kind = match kind {
        Kind::Speaker => newsflow_client::Kind::Quote,
        Kind::Entity => newsflow_client::Kind::Entity,
    };
    newsflow_client::subjects_named(query, kind, known)
}

/// What a search looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Quotes by a speaker.
    Speaker,
    /// Entities by name.
    Entity,
}

impl Kind {
    /// Every subject of this kind.
    pub fn all(self) -> String {
        match self {
            Self::Speaker => format!("{}.>", subjects::EVENTS_QUOTE),
            Self::Entity => format!("{}.>", subjects::EVENTS_ENTITY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_speaker_search_reads_quote_subjects_and_an_entity_search_entity_subjects() {
        let known = vec![
            ("newsflow.events.quote.antony-j-blinken".to_owned(), 3),
            (
                "newsflow.events.entity.person.antony-j-blinken".to_owned(),
                2,
            ),
        ];
        assert_eq!(
            matching("Blinken", Kind::Speaker, &known),
            ["newsflow.events.quote.antony-j-blinken"]
        );
        assert_eq!(
            matching("Blinken", Kind::Entity, &known),
            ["newsflow.events.entity.person.antony-j-blinken"]
        );
    }
}
