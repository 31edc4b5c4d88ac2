//! What the text stages add to an article: segmentation (`segment`), entities (`entities`) and
//! quotes (`quotes`), and the hop messages that carry them. Offsets are UTF-8 byte offsets into
//! [`ArticleIngested::text`](crate::ArticleIngested::text) (see the crate docs).

use crate::ArticleIngested;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A half-open range `[start, end)` of UTF-8 byte offsets into the article text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset just past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// The text the span covers, or `None` when it is out of range or off a char boundary.
    pub fn get<'a>(&self, text: &'a str) -> Option<&'a str> {
        text.get(self.start..self.end)
    }

    /// Length in bytes.
    pub const fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span covers nothing.
    pub const fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// One token: a word, number, punctuation mark or symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Token {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset just past the last byte.
    pub end: usize,
}

/// One sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Sentence {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset just past the last byte.
    pub end: usize,
    /// Index of the paragraph the sentence is in.
    pub paragraph: usize,
    /// Index of the sentence's first token in `tokens`.
    pub first_token: usize,
    /// How many tokens the sentence has.
    pub token_count: usize,
}

/// Paragraphs, sentences and tokens, each in reading order, covering the text with nothing but
/// whitespace between them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Segmentation {
    /// Paragraph spans.
    pub paragraphs: Vec<Span>,
    /// Sentences, each inside one paragraph.
    pub sentences: Vec<Sentence>,
    /// Tokens, each inside one sentence. Only `entities` reads them, so only
    /// `article.segmented` carries them; in JSON they are packed as two numbers per token, the
    /// bytes between the previous token's end (or the text's start) and its start, then its
    /// length: `Blinken said.` is `[0, 7, 1, 4, 0, 1]`. Objects with `start` and `end` would make
    /// the message six times its text.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "packed_tokens")]
    #[schemars(with = "Vec<u32>")]
    pub tokens: Vec<Token>,
}

/// [`Segmentation::tokens`] as `[gap, length, gap, length, …]`.
mod packed_tokens {
    use super::Token;
    use serde::de::{Error as _, SeqAccess, Visitor};
    use serde::ser::SerializeSeq as _;
    use serde::{Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(tokens: &[Token], out: S) -> Result<S::Ok, S::Error> {
        let mut seq = out.serialize_seq(Some(tokens.len() * 2))?;
        let mut end = 0;
        for token in tokens {
            let gap = token.start.checked_sub(end).ok_or_else(|| {
                serde::ser::Error::custom(format!(
                    "token {}..{} starts before the previous one ends",
                    token.start, token.end
                ))
            })?;
            let len = token.end.checked_sub(token.start).ok_or_else(|| {
                serde::ser::Error::custom(format!(
                    "token {}..{} ends before it starts",
                    token.start, token.end
                ))
            })?;
            seq.serialize_element(&gap)?;
            seq.serialize_element(&len)?;
            end = token.end;
        }
        seq.end()
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Vec<Token>, D::Error> {
        struct Packed;
        impl<'de> Visitor<'de> for Packed {
            type Value = Vec<Token>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an even-length array of token gaps and lengths")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Token>, A::Error> {
                let mut tokens = Vec::with_capacity(seq.size_hint().unwrap_or(0) / 2);
                let mut end = 0usize;
                while let Some(gap) = seq.next_element::<usize>()? {
                    let len: usize = seq.next_element()?.ok_or_else(|| {
                        A::Error::custom(
                            "token gaps and lengths come in pairs: the last length is missing",
                        )
                    })?;
                    let start = end
                        .checked_add(gap)
                        .ok_or_else(|| A::Error::custom("token offset overflows"))?;
                    end = start
                        .checked_add(len)
                        .ok_or_else(|| A::Error::custom("token offset overflows"))?;
                    tokens.push(Token { start, end });
                }
                Ok(tokens)
            }
        }
        input.deserialize_seq(Packed)
    }
}

/// The kind of a named entity or of a value the rules find.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum EntityLabel {
    /// A person.
    Person,
    /// An organisation: company, agency, team, party, government body.
    Org,
    /// A place: country, city, region, geographic feature.
    Loc,
    /// Another named thing: event, work, product, language.
    Misc,
    /// A nationality, religious or political group (`North Korean`, `Ukrainian`).
    Norp,
    /// A date or period (`Oct. 31`, `Thursday`, `last week`).
    Date,
    /// A time of day (`3 p.m.`).
    Time,
    /// An amount of money (`$5 million`).
    Money,
    /// A percentage (`12%`, `12 percent`).
    Percent,
    /// A count (`8,000`, `some 10,000`, `millions`).
    Cardinal,
    /// A measured amount (`1,000 casualties per day`, `5 km`).
    Quantity,
}

impl EntityLabel {
    /// Whether it names something (a person, organisation, place, other name or group) rather
    /// than giving a value (a date, time, amount, percentage, count or quantity). Only names
    /// have events of their own: a subscriber follows a person or a place across articles,
    /// while `Thursday` or `8,000` mean nothing outside their article, whose event has them.
    pub const fn is_named(self) -> bool {
        matches!(
            self,
            Self::Person | Self::Org | Self::Loc | Self::Misc | Self::Norp
        )
    }

    /// The label as written in JSON, e.g. `PERSON`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Person => "PERSON",
            Self::Org => "ORG",
            Self::Loc => "LOC",
            Self::Misc => "MISC",
            Self::Norp => "NORP",
            Self::Date => "DATE",
            Self::Time => "TIME",
            Self::Money => "MONEY",
            Self::Percent => "PERCENT",
            Self::Cardinal => "CARDINAL",
            Self::Quantity => "QUANTITY",
        }
    }
}

/// One mention of an entity in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Mention {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset just past the last byte.
    pub end: usize,
    /// The mention's text, `text[start..end]`.
    pub text: String,
    /// What kind of entity it is.
    pub label: EntityLabel,
    /// The `id` of the group this mention belongs to.
    pub group: usize,
}

/// The mentions of one entity in one article, grouped (`Antony J. Blinken` … `Blinken`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EntityGroup {
    /// Index of the group in `groups`; what `Mention::group` and quote speakers refer to.
    pub id: usize,
    /// What kind of entity it is.
    pub label: EntityLabel,
    /// Canonical name: the fullest form the article uses.
    pub name: String,
    /// Lower-case ASCII slug of `name` (`antony-j-blinken`), safe as a NATS subject token.
    pub slug: String,
    /// The entity's key across articles, what its events' and its quotes' subjects name: the
    /// slug of the name other articles knew it by (`antony-blinken` for an article that says
    /// only `Blinken`), of the preferred name of a shipped alias (`north-korea` for `DPRK`), or
    /// else `slug`; empty (and left out) when it is `slug`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// How many mentions the group has.
    pub mention_count: usize,
}

/// Everything the `entities` stage found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Entities {
    /// Mentions in reading order.
    pub mentions: Vec<Mention>,
    /// One group per distinct entity, in order of first mention.
    pub groups: Vec<EntityGroup>,
}

/// How a statement is attributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    /// Verbatim, wholly inside quote marks.
    Direct,
    /// Reported speech without quote marks (`officials said there are …`).
    Indirect,
    /// Reported speech with a quoted fragment.
    Mixed,
}

/// One quote or reported statement with who made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Quote {
    /// Direct, indirect or mixed.
    pub kind: QuoteKind,
    /// What was said: one span, or several when the attribution splits the quote. For direct
    /// quotes the spans exclude the quote marks.
    pub content: Vec<Span>,
    /// The content spans' text joined with a space.
    pub text: String,
    /// The words naming the speaker (`Blinken`, `he`, `the South Korean government`), when the
    /// text has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Span>,
    /// The cue (`said`, `according to`), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue: Option<Span>,
    /// The `id` of the entity group the speaker resolves to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker_entity: Option<usize>,
    /// The speaker's canonical name: the entity group's name when resolved, else the source text
    /// when it names a role, a group or a name (`the foreign minister`); absent when the source
    /// is only an unresolved pronoun, a function word, a number or a fragment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// Confidence in the attribution, 0 to 1.
    pub confidence: f32,
}

/// An article split into paragraphs, sentences and tokens. Published by `segment` on
/// `newsflow.articles.segmented`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ArticleSegmented {
    /// The article as ingest published it.
    pub article: ArticleIngested,
    /// Paragraphs, sentences and tokens.
    pub segmentation: Segmentation,
}

/// An article with its entities. Published by `entities` on `newsflow.articles.entities`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ArticleEntities {
    /// The article as ingest published it.
    pub article: ArticleIngested,
    /// Paragraphs, sentences and tokens.
    pub segmentation: Segmentation,
    /// Entity mentions and groups.
    pub entities: Entities,
    /// The work a stage did not do on this article, and why (`entities: the text is in pt; …`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
}

/// An article with its quotes. Published by `quotes` on `newsflow.articles.quotes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ArticleQuotes {
    /// The article as ingest published it.
    pub article: ArticleIngested,
    /// Paragraphs, sentences and tokens.
    pub segmentation: Segmentation,
    /// Entity mentions and groups.
    pub entities: Entities,
    /// Quotes and reported statements in reading order.
    pub quotes: Vec<Quote>,
    /// The work a stage did not do on this article, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
}

/// Lets the runtime name an output's `Nats-Msg-Id` after its article and revision
/// ([`ArticleId::message_id`](crate::ArticleId::message_id)).
pub trait HasArticleId {
    /// The id of the article the message is about.
    fn article_id(&self) -> &crate::ArticleId;
    /// The revision of the article the message is about.
    fn revision(&self) -> u32;
}

macro_rules! has_article_id {
    ($($ty:ty),*) => {$(
        impl HasArticleId for $ty {
            fn article_id(&self) -> &crate::ArticleId { &self.article.article_id }
            fn revision(&self) -> u32 { self.article.revision }
        }
    )*};
}
has_article_id!(ArticleSegmented, ArticleEntities, ArticleQuotes);

impl HasArticleId for ArticleIngested {
    fn article_id(&self) -> &crate::ArticleId {
        &self.article_id
    }
    fn revision(&self) -> u32 {
        self.revision
    }
}

/// A message whose revision the runtime decides and stamps on it: the article as ingest
/// publishes it (see `newsflow_runtime::revisions`).
pub trait Revisable: HasArticleId {
    /// Sets the revision of the article the message is about.
    fn set_revision(&mut self, revision: u32);
    /// The text near-duplicates are told by.
    fn text(&self) -> &str;
    /// Marks the article as repeating the earlier article `earlier`.
    fn set_duplicate_of(&mut self, earlier: crate::ArticleId);
}

impl Revisable for ArticleIngested {
    fn set_revision(&mut self, revision: u32) {
        self.revision = revision;
    }

    fn text(&self) -> &str {
        &self.text
    }

    fn set_duplicate_of(&mut self, earlier: crate::ArticleId) {
        self.duplicate_of = Some(earlier);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_travel_as_gaps_and_lengths() {
        let segmentation = Segmentation {
            tokens: vec![
                Token { start: 0, end: 7 },
                Token { start: 8, end: 12 },
                Token { start: 12, end: 13 },
            ],
            ..Segmentation::default()
        };
        let json = serde_json::to_value(&segmentation).unwrap();
        assert_eq!(json["tokens"], serde_json::json!([0, 7, 1, 4, 0, 1]));
        let back: Segmentation = serde_json::from_value(json).unwrap();
        assert_eq!(back, segmentation);
    }

    #[test]
    fn a_segmentation_without_tokens_leaves_them_out() {
        let json = serde_json::to_value(Segmentation::default()).unwrap();
        assert!(json.get("tokens").is_none());
        let back: Segmentation =
            serde_json::from_str(r#"{"paragraphs":[],"sentences":[]}"#).unwrap();
        assert!(back.tokens.is_empty());
    }

    #[test]
    fn packed_tokens_reject_a_missing_length_and_overlaps() {
        let odd = serde_json::from_str::<Segmentation>(
            r#"{"paragraphs":[],"sentences":[],"tokens":[0,7,1]}"#,
        );
        assert!(odd.unwrap_err().to_string().contains("pairs"));
        let overlapping = Segmentation {
            tokens: vec![Token { start: 0, end: 7 }, Token { start: 5, end: 9 }],
            ..Segmentation::default()
        };
        assert!(serde_json::to_string(&overlapping).is_err());
        let backwards = Segmentation {
            tokens: vec![Token { start: 5, end: 3 }],
            ..Segmentation::default()
        };
        assert!(serde_json::to_string(&backwards).is_err());
    }
}
