//! The chain as plain functions: what each stage does to its input message, without a bus.
//! The stage wiring (`stages`) and `newsflow process` both call these, so the bus and the
//! in-process path cannot drift apart.

use newsflow_events::EventBatch;
use newsflow_proto::{
    ArticleEntities, ArticleIngested, ArticleQuotes, ArticleRaw, ArticleSegmented,
};

/// `segment`: paragraphs, sentences and tokens.
pub fn segment(article: ArticleIngested) -> ArticleSegmented {
    let segmentation = newsflow_segment::segment_text(&article.text);
    ArticleSegmented {
        article,
        segmentation,
    }
}

/// `entities`: mentions and groups.
pub fn entities(input: ArticleSegmented) -> ArticleEntities {
    let entities = newsflow_entities::recognise(&input.article.text, &input.segmentation);
    ArticleEntities {
        article: input.article,
        segmentation: input.segmentation,
        entities,
    }
}

/// `quotes`: quotes and reported statements with speakers.
pub fn quotes(input: ArticleEntities) -> ArticleQuotes {
    let quotes =
        newsflow_quotes::find_quotes(&input.article.text, &input.segmentation, &input.entities);
    ArticleQuotes {
        article: input.article,
        segmentation: input.segmentation,
        entities: input.entities,
        quotes,
    }
}

/// The whole chain on one raw article: ingest, segment, entities, quotes, events.
///
/// # Errors
/// When ingest rejects the article or an upstream offset is off the text.
pub fn process(raw: ArticleRaw, now: &str) -> anyhow::Result<EventBatch> {
    let article = newsflow_ingest::ingest_raw(raw, now)?;
    Ok(newsflow_events::events(quotes(entities(segment(article))))?)
}
