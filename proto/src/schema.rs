//! Schema names: `<noun>.<verb>.v<N>`. Each has a JSON Schema at `proto/schemas/<name>.json`.

/// What feeders send.
pub const ARTICLE_RAW: &str = "article.raw.v1";
/// Published by `ingest`.
pub const ARTICLE_INGESTED: &str = "article.ingested.v1";
/// Published by `segment`.
pub const ARTICLE_SEGMENTED: &str = "article.segmented.v2";
/// Published by `entities`.
pub const ARTICLE_ENTITIES: &str = "article.entities.v2";
/// Published by `quotes`.
pub const ARTICLE_QUOTES: &str = "article.quotes.v2";
/// Published by `events`, one per article.
pub const EVENT_ARTICLE: &str = "event.article.v1";
/// Published by `events`, one per quote.
pub const EVENT_QUOTE: &str = "event.quote.v1";
/// Published by `events`, one per distinct entity.
pub const EVENT_ENTITY: &str = "event.entity.v1";
/// Published by any stage that gives up on a message.
pub const DEAD_LETTER: &str = "dead_letter.v1";

/// Every schema name, in chain order.
pub const ALL: [&str; 9] = [
    ARTICLE_RAW,
    ARTICLE_INGESTED,
    ARTICLE_SEGMENTED,
    ARTICLE_ENTITIES,
    ARTICLE_QUOTES,
    EVENT_ARTICLE,
    EVENT_QUOTE,
    EVENT_ENTITY,
    DEAD_LETTER,
];
