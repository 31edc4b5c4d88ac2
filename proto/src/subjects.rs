//! NATS subjects and streams of the article chain. One constant per hop; nothing else names a
//! subject.

/// Raw articles from feeders. Consumed by `ingest`.
pub const ARTICLES_RAW: &str = "newsflow.articles.raw";
/// Validated, normalised articles. Published by `ingest`, consumed by `segment`.
pub const ARTICLES_INGESTED: &str = "newsflow.articles.ingested";
/// Articles with paragraphs, sentences and tokens. Published by `segment`, consumed by `entities`.
pub const ARTICLES_SEGMENTED: &str = "newsflow.articles.segmented";
/// Articles with entity mentions and groups. Published by `entities`, consumed by `quotes`.
pub const ARTICLES_ENTITIES: &str = "newsflow.articles.entities";
/// Articles with quotes. Published by `quotes`, consumed by `events`.
pub const ARTICLES_QUOTES: &str = "newsflow.articles.quotes";

/// Every event subject starts with this prefix.
pub const EVENTS_PREFIX: &str = "newsflow.events";
/// One `event.article.v1` per processed article.
pub const EVENTS_ARTICLE: &str = "newsflow.events.article";
/// One `event.quote.v1` per quote.
pub const EVENTS_QUOTE: &str = "newsflow.events.quote";
/// One `event.entity.v1` per distinct entity of an article.
pub const EVENTS_ENTITY: &str = "newsflow.events.entity";

/// Dead letters go to `newsflow.dlq.<stage>`.
pub const DEAD_LETTER_PREFIX: &str = "newsflow.dlq";

/// The work streams, one per hop, each holding its subject's messages until the stage that
/// consumes them acknowledges them (work-queue retention). A stream per hop lets the server work
/// on the hops in parallel, and a cluster place them on different nodes.
pub const WORK_STREAMS: [(&str, &str); 5] = [
    ("NEWSFLOW_RAW", ARTICLES_RAW),
    ("NEWSFLOW_INGESTED", ARTICLES_INGESTED),
    ("NEWSFLOW_SEGMENTED", ARTICLES_SEGMENTED),
    ("NEWSFLOW_ENTITIES", ARTICLES_ENTITIES),
    ("NEWSFLOW_QUOTES", ARTICLES_QUOTES),
];

/// The work stream that holds `subject`, if one does.
pub fn work_stream(subject: &str) -> Option<&'static str> {
    WORK_STREAMS
        .iter()
        .find(|(_, held)| *held == subject)
        .map(|(name, _)| *name)
}
/// Limits-retention stream of events, replayable by subscribers.
pub const EVENTS_STREAM: &str = "NEWSFLOW_EVENTS";
/// Subjects of the events stream.
pub const EVENTS_SUBJECTS: &str = "newsflow.events.>";
/// Each stage process reports on `newsflow.stats.<stage>` (core NATS, not stored).
pub const STATS_PREFIX: &str = "newsflow.stats";

/// The subject `stage` reports on.
pub fn stats(stage: &str) -> String {
    format!("{STATS_PREFIX}.{stage}")
}

/// Where a readers' account reaches the chain account's JetStream API to mirror the events
/// stream: the prefix its import of `$JS.API.CONSUMER.CREATE.NEWSFLOW_EVENTS…` maps to
/// (`deploy/nats/permissions.conf`).
pub const READERS_API_PREFIX: &str = "$JS.newsflow.API";
/// Subject prefix the chain account delivers the readers' mirror on (exported to them as a
/// stream); no stream of the chain holds it.
pub const READERS_DELIVER_PREFIX: &str = "newsflow.readers";
/// Stream of dead letters.
pub const DEAD_LETTER_STREAM: &str = "NEWSFLOW_DLQ";
/// Subjects of the dead-letter stream.
pub const DEAD_LETTER_SUBJECTS: &str = "newsflow.dlq.>";
/// Key-value bucket where `ingest` keeps, per article, the content hash and number of its latest
/// revision (stream `KV_NEWSFLOW_REVISIONS`).
pub const REVISIONS_BUCKET: &str = "NEWSFLOW_REVISIONS";
/// Subject on which `ingest` notes each article's near-duplicate signature once it is published.
pub const SIGNATURES: &str = "newsflow.signatures";
/// Stream of the signatures, kept for the near-duplicate window: what every copy of `ingest`
/// follows to know the articles before it.
pub const SIGNATURES_STREAM: &str = "NEWSFLOW_SIGNATURES";
/// Key-value bucket in which `newsflow feeds` remembers, per feed, the entries it handed in and
/// the validators (ETag, Last-Modified) of the last fetch.
pub const FEEDS_BUCKET: &str = "NEWSFLOW_FEEDS";
/// Key-value bucket of the entities known across articles: `<type>.<name slug>` gives the key
/// of the entity that name stood for (`person.blinken` → `antony-blinken`), or `?` when it stood
/// for more than one. `entities` writes it and follows it.
pub const ENTITY_KEYS_BUCKET: &str = "NEWSFLOW_ENTITY_KEYS";

/// Whether `subject` is an event's (held by [`EVENTS_STREAM`]).
pub fn is_event(subject: &str) -> bool {
    subject
        .strip_prefix(EVENTS_PREFIX)
        .is_some_and(|rest| rest.starts_with('.'))
}

/// The dead-letter subject of a stage: `newsflow.dlq.<stage>`.
pub fn dead_letter(stage: &str) -> String {
    format!("{DEAD_LETTER_PREFIX}.{stage}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_subjects_are_told_from_the_rest() {
        assert!(is_event("newsflow.events.quote.antony-j-blinken"));
        assert!(!is_event("newsflow.eventsx.quote"));
        assert!(!is_event(ARTICLES_QUOTES));
    }

    #[test]
    fn every_hop_has_a_work_stream_of_its_own() {
        assert_eq!(work_stream(ARTICLES_SEGMENTED), Some("NEWSFLOW_SEGMENTED"));
        assert_eq!(work_stream(EVENTS_ARTICLE), None);
        let mut names: Vec<_> = WORK_STREAMS.iter().map(|(n, _)| n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), WORK_STREAMS.len());
    }
}
