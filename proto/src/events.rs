//! Events for subscribers, on `newsflow.events.>` (stream `NEWSFLOW_EVENTS`). Published by the
//! `events` stage: one `event.article.v1` per article, one `event.quote.v1` per quote, one
//! `event.entity.v1` per distinct entity.

use crate::article::first_revision;
use crate::{ArticleId, EntityLabel, Quote, Span};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A sentence with its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SentenceText {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset just past the last byte.
    pub end: usize,
    /// Index of the paragraph the sentence is in.
    pub paragraph: usize,
    /// The sentence's text.
    pub text: String,
}

/// One entity of an article with all its mentions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Entity {
    /// Index of the entity within its article; what `Quote::speaker_entity` refers to.
    pub id: usize,
    /// What kind of entity it is.
    pub label: EntityLabel,
    /// Canonical name: the fullest form the article uses.
    pub name: String,
    /// Lower-case ASCII slug of `name`, safe as a NATS subject token.
    pub slug: String,
    /// The entity's key across articles (`antony-blinken`, whichever of `Blinken`, `Antony
    /// Blinken` or `Antony J. Blinken` this article says), what the subjects of its entity event
    /// and its quotes name; `slug` in events from before keys.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// Every mention, in reading order.
    pub mentions: Vec<MentionText>,
}

/// Where a mention is and what it says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MentionText {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset just past the last byte.
    pub end: usize,
    /// The mention's text.
    pub text: String,
}

/// The structured record of one article. Published on `newsflow.events.article`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EventArticle {
    /// Stable id of this event, also its `Nats-Msg-Id` and `ce-id`:
    /// `<article id>.r<revision>.<what>`.
    pub event_id: String,
    /// Stable id of the article.
    pub article_id: ArticleId,
    /// The revision of the article the event comes from (1, then one more each time the article
    /// comes back with changed content); the latest revision supersedes the earlier ones.
    #[serde(default = "first_revision")]
    #[schemars(range(min = 1))]
    pub revision: u32,
    /// Where the article was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The publisher or feed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Publication time, RFC 3339 or a date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// Who wrote it, as its HTML page names its authors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    /// The earlier article this one repeats (`article.ingested.v1`'s `duplicate_of`): the same
    /// story published elsewhere. Absent when it is not one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<ArticleId>,
    /// ISO 639-1 language code.
    pub language: String,
    /// When ingest accepted the article, RFC 3339 UTC.
    pub ingested_at: String,
    /// The normalised text every offset points into.
    pub text: String,
    /// Paragraph spans.
    pub paragraphs: Vec<Span>,
    /// Sentences with their text.
    pub sentences: Vec<SentenceText>,
    /// Distinct entities with their mentions.
    pub entities: Vec<Entity>,
    /// Quotes and reported statements.
    pub quotes: Vec<Quote>,
    /// The work a stage did not do on this article, and why: the English-only stages leave a
    /// text in another language alone rather than find noise in it (`entities: the text is in
    /// pt; the tagger reads English only`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
}

/// One quote. Published on `newsflow.events.quote`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EventQuote {
    /// Stable id of this event, also its `Nats-Msg-Id` and `ce-id`:
    /// `<article id>.r<revision>.<what>`.
    pub event_id: String,
    /// Stable id of the article.
    pub article_id: ArticleId,
    /// The revision of the article the event comes from (1, then one more each time the article
    /// comes back with changed content); the latest revision supersedes the earlier ones.
    #[serde(default = "first_revision")]
    #[schemars(range(min = 1))]
    pub revision: u32,
    /// Position of the quote among the article's quotes.
    pub index: usize,
    /// Where the article was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The article's headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Publication time of the article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// The earlier article this one repeats (`article.ingested.v1`'s `duplicate_of`): the same
    /// story published elsewhere. Absent when it is not one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<ArticleId>,
    /// The quote; offsets point into the article's text.
    pub quote: Quote,
    /// The text of the quote's source span, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_text: Option<String>,
    /// The text of the quote's cue, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue_text: Option<String>,
}

/// One distinct entity of an article. Published on `newsflow.events.entity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EventEntity {
    /// Stable id of this event, also its `Nats-Msg-Id` and `ce-id`:
    /// `<article id>.r<revision>.<what>`.
    pub event_id: String,
    /// Stable id of the article.
    pub article_id: ArticleId,
    /// The revision of the article the event comes from (1, then one more each time the article
    /// comes back with changed content); the latest revision supersedes the earlier ones.
    #[serde(default = "first_revision")]
    #[schemars(range(min = 1))]
    pub revision: u32,
    /// Where the article was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The article's headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Publication time of the article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// The earlier article this one repeats (`article.ingested.v1`'s `duplicate_of`): the same
    /// story published elsewhere. Absent when it is not one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<ArticleId>,
    /// The entity with its mentions.
    pub entity: Entity,
}
