//! The five stages as the runtime runs them: each a pure function from `chain` (or a crate)
//! plus its subjects, schema and default admin port. `newsflow run <stage>` and `newsflow up`
//! run these.

use newsflow_ingest::{IngestError, Limits};
use newsflow_proto::headers::cloudevents as ce;
use newsflow_proto::{schema, subjects};
use newsflow_runtime::{Output, Revisioned, Stage, StageError};

/// Stage names in chain order.
pub const NAMES: [&str; 5] = ["ingest", "segment", "entities", "quotes", "events"];

/// The stage called `name`, if there is one.
pub fn by_name(name: &str, limits: Limits) -> Option<Stage> {
    Some(match name {
        "ingest" => ingest(limits),
        "segment" => segment(),
        "entities" => entities(),
        "quotes" => quotes(),
        "events" => events(),
        _ => return None,
    })
}

/// Every stage, in chain order.
pub fn all(limits: Limits) -> Vec<Stage> {
    vec![ingest(limits), segment(), entities(), quotes(), events()]
}

/// `ingest`: `newsflow.articles.raw` → `newsflow.articles.ingested`, counting revisions: an
/// article whose title and text are unchanged since its latest revision is a duplicate and
/// publishes nothing; a changed one is published as the next revision.
pub fn ingest(limits: Limits) -> Stage {
    Stage::revisioned("ingest", subjects::ARTICLES_RAW, 9101, move |payload| {
        let now = newsflow_runtime::now_rfc3339();
        let article = newsflow_ingest::ingest(payload, limits, &now).map_err(|err| match err {
            IngestError::NotUtf8(_) | IngestError::Malformed(_) => {
                StageError::Decode(err.to_string())
            }
            _ => StageError::Invalid(err.to_string()),
        })?;
        Ok(Revisioned {
            id: article.article_id.to_string(),
            content_hash: newsflow_ingest::content_hash(&article),
            outputs: Box::new(move |revision| {
                let article = newsflow_proto::ArticleIngested {
                    revision,
                    ..article
                };
                let id = article.article_id.to_string();
                Ok(vec![Output::json(
                    subjects::ARTICLES_INGESTED,
                    schema::ARTICLE_INGESTED,
                    format!("{}.ingest", article.article_id.revision_prefix(revision)),
                    id,
                    &article,
                )?])
            }),
        })
    })
}

/// `segment`: `newsflow.articles.ingested` → `newsflow.articles.segmented`.
pub fn segment() -> Stage {
    Stage::typed(
        "segment",
        subjects::ARTICLES_INGESTED,
        subjects::ARTICLES_SEGMENTED,
        schema::ARTICLE_SEGMENTED,
        9102,
        |article| Ok(newsflow_segment::segment(article)),
    )
}

/// `entities`: `newsflow.articles.segmented` → `newsflow.articles.entities`.
pub fn entities() -> Stage {
    Stage::typed(
        "entities",
        subjects::ARTICLES_SEGMENTED,
        subjects::ARTICLES_ENTITIES,
        schema::ARTICLE_ENTITIES,
        9103,
        |article| Ok(newsflow_entities::entities(article)),
    )
}

/// `quotes`: `newsflow.articles.entities` → `newsflow.articles.quotes`.
pub fn quotes() -> Stage {
    Stage::typed(
        "quotes",
        subjects::ARTICLES_ENTITIES,
        subjects::ARTICLES_QUOTES,
        schema::ARTICLE_QUOTES,
        9104,
        |article| Ok(newsflow_quotes::quotes(article)),
    )
}

/// `events`: `newsflow.articles.quotes` → `newsflow.events.{article,quote.*,entity.*}`, each event
/// with its CloudEvents attributes as headers.
pub fn events() -> Stage {
    Stage::new("events", subjects::ARTICLES_QUOTES, 9105, |payload| {
        let input = newsflow_runtime::decode(payload)?;
        let batch =
            newsflow_events::events(input).map_err(|err| StageError::Invalid(err.to_string()))?;
        let id = batch.article.article_id.as_str();
        let time = newsflow_runtime::now_rfc3339();
        let mut outputs = Vec::with_capacity(1 + batch.quotes.len() + batch.entities.len());
        let article = &batch.article;
        outputs.push(event(
            subjects::EVENTS_ARTICLE,
            schema::EVENT_ARTICLE,
            &article.event_id,
            id,
            &time,
            article,
        )?);
        for (subject, quote) in &batch.quotes {
            outputs.push(event(
                subject,
                schema::EVENT_QUOTE,
                &quote.event_id,
                id,
                &time,
                quote,
            )?);
        }
        for (subject, entity) in &batch.entities {
            outputs.push(event(
                subject,
                schema::EVENT_ENTITY,
                &entity.event_id,
                id,
                &time,
                entity,
            )?);
        }
        Ok(outputs)
    })
}

/// One event with its CloudEvents 1.0 attributes (binary content mode) as headers.
fn event<T: serde::Serialize>(
    subject: &str,
    schema: &'static str,
    event_id: &str,
    article_id: &str,
    time: &str,
    message: &T,
) -> Result<Output, StageError> {
    Ok(
        Output::json(subject, schema, event_id, article_id, message)?
            .with_header(ce::SPECVERSION, "1.0")
            .with_header(ce::ID, event_id)
            .with_header(ce::SOURCE_HEADER, ce::SOURCE)
            .with_header(ce::TYPE, format!("newsflow.{schema}"))
            .with_header(ce::TIME, time)
            .with_header(ce::SUBJECT, article_id)
            .with_header(ce::DATASCHEMA, format!("urn:newsflow:schema:{schema}"))
            .with_header(ce::CONTENT_TYPE, "application/json"),
    )
}
