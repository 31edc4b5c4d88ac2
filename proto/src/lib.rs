//! newsflow-proto: the message contracts of the article chain.
//!
//! `raw → ingest → segment → entities → quotes → events`: each hop publishes one JSON message on
//! the subject named in [`subjects`], with its schema name ([`schema`]) in the
//! [`headers::SCHEMA`] header. The committed JSON Schemas in `proto/schemas/` are generated from
//! these types and a test fails when the two drift (`NEWSFLOW_UPDATE_SCHEMAS=1 cargo test -p
//! newsflow-proto` rewrites them after a deliberate change).
//!
//! # Offsets
//! Every `start`/`end` pair is a half-open range of **UTF-8 byte offsets** into the article's
//! normalised `text` (the `text` field of `article.ingested.v1`, NFC, as ingest published it).
//! Both ends always fall on character boundaries. Rust and Go slice with them directly; in
//! Python use `text.encode()[start:end].decode()`, in JavaScript
//! `new TextDecoder().decode(new TextEncoder().encode(text).slice(start, end))`.
//!
//! Message structs accept unknown fields, so an additive schema change never breaks an older
//! consumer.
#![warn(missing_docs)]

pub mod aliases;
pub mod article;
pub mod dead_letter;
mod envelope;
pub mod events;
pub mod headers;
pub mod report;
pub mod schema;
mod slug;
pub mod subjects;
pub mod text;

pub use article::{
    ArticleId, ArticleIngested, ArticleRaw, BodyFormat, FIRST_REVISION, InvalidArticleId,
};
pub use dead_letter::{DeadLetter, ErrorType, PayloadEncoding, TruncatedPayload};
pub use envelope::Envelope;
pub use events::{Entity, EventArticle, EventEntity, EventQuote, SentenceText};
pub use report::StageReport;
pub use slug::slug;
pub use text::{
    ArticleEntities, ArticleQuotes, ArticleSegmented, Entities, EntityGroup, EntityLabel,
    HasArticleId, Mention, Quote, QuoteKind, Revisable, Segmentation, Sentence, Span, Token,
};

/// The JSON Schema of every message, keyed by schema name (see [`schema::ALL`]).
pub fn json_schemas() -> Vec<(&'static str, serde_json::Value)> {
    fn of<T: schemars::JsonSchema>(name: &'static str) -> (&'static str, serde_json::Value) {
        let mut schema = schemars::schema_for!(T).to_value();
        if let Some(object) = schema.as_object_mut() {
            object.insert(
                "$id".to_owned(),
                serde_json::Value::String(format!("urn:newsflow:schema:{name}")),
            );
        }
        (name, schema)
    }
    vec![
        of::<ArticleRaw>(schema::ARTICLE_RAW),
        of::<ArticleIngested>(schema::ARTICLE_INGESTED),
        of::<ArticleSegmented>(schema::ARTICLE_SEGMENTED),
        of::<ArticleEntities>(schema::ARTICLE_ENTITIES),
        of::<ArticleQuotes>(schema::ARTICLE_QUOTES),
        of::<EventArticle>(schema::EVENT_ARTICLE),
        of::<EventQuote>(schema::EVENT_QUOTE),
        of::<EventEntity>(schema::EVENT_ENTITY),
        of::<DeadLetter>(schema::DEAD_LETTER),
    ]
}
