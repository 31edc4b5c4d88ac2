//! The five stages as the runtime runs them: each a pure function from `chain` (or a crate)
//! plus its subjects, schema and default admin port. `newsflow run <stage>` and `newsflow up`
//! run these.

use crate::chain;
use newsflow_ingest::{IngestError, Limits};
use newsflow_proto::{schema, subjects};
use newsflow_runtime::{Output, Stage, StageError};

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

/// `ingest`: `newsflow.articles.raw` → `newsflow.articles.ingested`.
pub fn ingest(limits: Limits) -> Stage {
    Stage::new("ingest", subjects::ARTICLES_RAW, 9101, move |payload| {
        let now = newsflow_runtime::now_rfc3339();
        let article = newsflow_ingest::ingest(payload, limits, &now).map_err(|err| match err {
            IngestError::NotUtf8(_) | IngestError::Malformed(_) => {
                StageError::Decode(err.to_string())
            }
            _ => StageError::Invalid(err.to_string()),
        })?;
        let id = article.article_id.to_string();
        Ok(vec![Output::json(
            subjects::ARTICLES_INGESTED,
            schema::ARTICLE_INGESTED,
            format!("{id}.ingest"),
            id,
            &article,
        )?])
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
        |article| Ok(chain::segment(article)),
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
        |article| Ok(chain::entities(article)),
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
        |article| Ok(chain::quotes(article)),
    )
}

/// `events`: `newsflow.articles.quotes` → `newsflow.events.{article,quote.*,entity.*}`.
pub fn events() -> Stage {
    Stage::new("events", subjects::ARTICLES_QUOTES, 9105, |payload| {
        let input = newsflow_runtime::decode(payload)?;
        let batch =
            newsflow_events::events(input).map_err(|err| StageError::Invalid(err.to_string()))?;
        let id = batch.article.article_id.to_string();
        let mut outputs = Vec::with_capacity(1 + batch.quotes.len() + batch.entities.len());
        outputs.push(Output::json(
            subjects::EVENTS_ARTICLE,
            schema::EVENT_ARTICLE,
            batch.article.event_id.clone(),
            id.clone(),
            &batch.article,
        )?);
        for (subject, event) in &batch.quotes {
            outputs.push(Output::json(
                subject.clone(),
                schema::EVENT_QUOTE,
                event.event_id.clone(),
                id.clone(),
                event,
            )?);
        }
        for (subject, event) in &batch.entities {
            outputs.push(Output::json(
                subject.clone(),
                schema::EVENT_ENTITY,
                event.event_id.clone(),
                id.clone(),
                event,
            )?);
        }
        Ok(outputs)
    })
}
