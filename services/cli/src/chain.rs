//! The chain as plain functions, without a bus: each stage crate's own message-level function,
//! in chain order. `newsflow process` calls it.

use newsflow_events::EventBatch;
use newsflow_proto::ArticleRaw;

/// The whole chain on one raw article: ingest, segment, entities, quotes, events.
///
/// # Errors
/// When ingest rejects the article or an upstream offset is off the text.
pub fn process(raw: ArticleRaw, now: &str) -> anyhow::Result<EventBatch> {
    let article = newsflow_ingest::ingest_raw(raw, now)?;
    let quotes = newsflow_quotes::quotes(newsflow_entities::entities(newsflow_segment::segment(
        article,
    )));
    Ok(newsflow_events::events(quotes)?)
}
