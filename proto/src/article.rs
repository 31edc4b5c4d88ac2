//! Articles as feeders send them (`article.raw.v1`) and as `ingest` publishes them
//! (`article.ingested.v1`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An article as a feeder puts it on `newsflow.articles.raw`. Only `body` is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ArticleRaw {
    /// The feeder's own id for the article: 1 to 128 ASCII letters, digits, `-`, `_`, `.` or `:`.
    /// When absent, ingest derives a stable id from the URL, or from the body when there is no
    /// URL, so the same URL fed again with a changed body is a new revision of the same article.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Where the article was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The article text, plain or HTML (see `format`).
    pub body: String,
    /// Whether `body` is plain text or HTML. When absent, ingest treats a body that starts with
    /// an HTML tag as HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<BodyFormat>,
    /// Publication time: RFC 3339 (`2024-10-31T14:00:00Z`) or a date (`2024-10-31`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// The publisher or feed the article came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// ISO 639-1 language code, when the feeder knows it; otherwise ingest detects it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// How the body of a raw article is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BodyFormat {
    /// Plain text; blank lines separate paragraphs.
    Text,
    /// HTML; ingest turns it into text with one paragraph per block element.
    Html,
}

/// A validated, normalised article. Published by `ingest` on `newsflow.articles.ingested`; every
/// later message carries it unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ArticleIngested {
    /// Stable id assigned by `ingest`; the same on every hop.
    pub article_id: ArticleId,
    /// Where the article was published, as the feeder gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The headline, whitespace-normalised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The publisher or feed the article came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Publication time as RFC 3339, or a date when the feeder gave only a date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// Who wrote it, as an HTML page names its authors (its byline, author meta tag or JSON-LD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    /// ISO 639-1 language code, given by the feeder or detected.
    pub language: String,
    /// The normalised body: Unicode NFC, `\n` line ends, paragraphs separated by one blank line,
    /// no trailing spaces. Every offset in later messages points into this string.
    pub text: String,
    /// When ingest accepted the article, RFC 3339 UTC.
    pub ingested_at: String,
    /// Which revision of the article this is: 1 the first time ingest sees the article, one
    /// more each time it comes back with a changed title or text. Absent (read as 1) in
    /// messages from before revisions were counted.
    #[serde(default = "first_revision")]
    #[schemars(range(min = 1))]
    pub revision: u32,
    /// The earlier article this one repeats, when ingest found one within its near-duplicate
    /// window (the same wire story from another outlet: most of their word sequences shared).
    /// It is processed all the same; its events carry the same mark. Optional, added in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<ArticleId>,
}

/// The revision of an article the first time it is seen.
pub const FIRST_REVISION: u32 = 1;

impl ArticleIngested {
    /// Why the English-only stages leave this article's text alone, when they do: its language
    /// is known and is not English (`und`, unknown, is read as English).
    pub fn not_english(&self) -> Option<String> {
        (!matches!(self.language.as_str(), "en" | "und"))
            .then(|| format!("the text is in {}", self.language))
    }
}

/// Serde default of every `revision` field: messages written before revisions existed are the
/// first revision.
pub(crate) const fn first_revision() -> u32 {
    FIRST_REVISION
}

/// The stable id of an article: 1 to 128 ASCII letters, digits, `-`, `_`, `.` or `:`, so it is
/// safe in a `Nats-Msg-Id` and in logs.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(try_from = "String", into = "String")]
#[schemars(
    with = "String",
    description = "1 to 128 ASCII letters, digits, `-`, `_`, `.` or `:`."
)]
pub struct ArticleId(String);

/// Why a string is not an [`ArticleId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidArticleId {
    /// The id is empty.
    #[error("article id is empty")]
    Empty,
    /// The id is longer than 128 bytes.
    #[error("article id is {0} bytes long; at most 128 are allowed")]
    TooLong(usize),
    /// The id has a character outside the allowed set.
    #[error(
        "article id {id:?} has {bad:?}; only ASCII letters, digits, '-', '_', '.' and ':' are allowed"
    )]
    BadChar {
        /// The rejected id.
        id: String,
        /// The first character not allowed.
        bad: char,
    },
}

impl ArticleId {
    /// Longest id accepted, in bytes.
    pub const MAX_LEN: usize = 128;

    /// Checks `id` against the rules above.
    ///
    /// # Errors
    /// [`InvalidArticleId`] naming what is wrong.
    pub fn parse(id: impl Into<String>) -> Result<Self, InvalidArticleId> {
        let id = id.into();
        if id.is_empty() {
            return Err(InvalidArticleId::Empty);
        }
        if id.len() > Self::MAX_LEN {
            return Err(InvalidArticleId::TooLong(id.len()));
        }
        if let Some(bad) = id
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))
        {
            return Err(InvalidArticleId::BadChar { id, bad });
        }
        Ok(Self(id))
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `<article id>.r<revision>.<what>`: the one format of the ids one revision of the article
    /// gives its messages — a stage output's `Nats-Msg-Id` (`what` is the stage:
    /// `….r2.segment`) and an event's `event_id` (`….r2.article`, `….r2.quote.0`,
    /// `….r2.entity.person.blinken`).
    pub fn message_id(&self, revision: u32, what: impl fmt::Display) -> String {
        format!("{}.r{revision}.{what}", self.0)
    }

    /// `<article id>.<first 16 hex digits of the content hash>`: the `Nats-Msg-Id` a feeder gives
    /// a raw article, so the same content fed twice inside the duplicate window is stored once
    /// while a changed one gets through.
    pub fn raw_message_id(&self, content_hash: &str) -> String {
        let digits = content_hash.get(..16).unwrap_or(content_hash);
        format!("{}.{digits}", self.0)
    }
}

impl TryFrom<String> for ArticleId {
    type Error = InvalidArticleId;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<ArticleId> for String {
    fn from(value: ArticleId) -> Self {
        value.0
    }
}

impl fmt::Display for ArticleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_id_accepts_the_documented_characters() {
        assert_eq!(
            ArticleId::parse("ap-2024:10.31_x").unwrap().as_str(),
            "ap-2024:10.31_x"
        );
    }

    #[test]
    fn article_id_rejects_spaces_slashes_and_empty() {
        assert_eq!(ArticleId::parse(""), Err(InvalidArticleId::Empty));
        assert!(matches!(
            ArticleId::parse("a b"),
            Err(InvalidArticleId::BadChar { bad: ' ', .. })
        ));
        assert!(matches!(
            ArticleId::parse("a/b"),
            Err(InvalidArticleId::BadChar { bad: '/', .. })
        ));
        assert_eq!(
            ArticleId::parse("x".repeat(129)),
            Err(InvalidArticleId::TooLong(129))
        );
    }

    #[test]
    fn an_ingested_article_without_a_revision_is_the_first() {
        let article: ArticleIngested = serde_json::from_str(
            r#"{"article_id":"x","language":"en","text":"T.","ingested_at":"2024-11-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(article.revision, 1);
    }

    #[test]
    fn message_ids_put_the_revision_after_the_id() {
        let id = ArticleId::parse("ap:2024.7").unwrap();
        assert_eq!(id.message_id(3, "segment"), "ap:2024.7.r3.segment");
        assert_eq!(
            id.message_id(1, format_args!("quote.{}", 4)),
            "ap:2024.7.r1.quote.4"
        );
        assert_eq!(
            id.raw_message_id(&"ab".repeat(32)),
            "ap:2024.7.abababababababab"
        );
    }

    #[test]
    fn article_id_is_checked_when_deserialised() {
        let err = serde_json::from_str::<ArticleId>("\"a b\"").unwrap_err();
        assert!(err.to_string().contains("only ASCII letters"), "{err}");
    }
}
