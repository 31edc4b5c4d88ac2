//! Keeps `proto/examples/` honest: the example of each message of the chain is what the chain
//! makes of the example raw article, `article.raw.v1.json`, hop by hop.
//! `NEWSFLOW_UPDATE_EXAMPLES=1` rewrites them from it; otherwise the test checks that ingest's
//! output is its example exactly and that every later example is about the same article (the
//! contract test in `proto/tests/` checks that each validates and round-trips its type).

use newsflow_proto::{ArticleRaw, schema};
use serde::Serialize;
use std::path::PathBuf;

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../proto/examples")
}

fn write<T: Serialize>(name: &str, value: &T) {
    let text = serde_json::to_string_pretty(value).unwrap() + "\n";
    std::fs::write(examples_dir().join(format!("{name}.json")), text).unwrap();
}

#[test]
fn examples_are_the_chain_output_for_the_example_article() {
    let raw: ArticleRaw = serde_json::from_str(
        &std::fs::read_to_string(examples_dir().join(format!("{}.json", schema::ARTICLE_RAW)))
            .unwrap(),
    )
    .unwrap();
    let now = "2024-11-04T09:31:02Z";
    let ingested = newsflow_ingest::ingest_raw(raw.clone(), now).unwrap();
    let segmented = newsflow_segment::segment(ingested.clone());
    let entities = newsflow_entities::entities(segmented.clone());
    let quotes = newsflow_quotes::quotes(entities.clone());
    let batch = newsflow_events::events(quotes.clone()).unwrap();
    let quote = batch
        .quotes
        .iter()
        .map(|(_, q)| q)
        .find(|q| q.quote.speaker.is_some())
        .expect("a quote with a speaker");
    let entity = batch
        .entities
        .iter()
        .map(|(_, e)| e)
        .find(|e| e.entity.mentions.len() > 1)
        .expect("an entity named twice");

    if std::env::var_os("NEWSFLOW_UPDATE_EXAMPLES").is_some() {
        write(schema::ARTICLE_INGESTED, &ingested);
        write(schema::ARTICLE_SEGMENTED, &segmented);
        write(schema::ARTICLE_ENTITIES, &entities);
        write(schema::ARTICLE_QUOTES, &quotes);
        write(schema::EVENT_ARTICLE, &batch.article);
        write(schema::EVENT_QUOTE, quote);
        write(schema::EVENT_ENTITY, entity);
        return;
    }
    let read = |name: &str| -> serde_json::Value {
        let path = examples_dir().join(format!("{name}.json"));
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    };
    let as_json = |value: &dyn erased::Json| -> serde_json::Value {
        serde_json::from_str(&value.json()).unwrap()
    };
    assert_eq!(
        read(schema::ARTICLE_INGESTED),
        as_json(&ingested),
        "ingest changed its output"
    );
    for name in [
        schema::ARTICLE_SEGMENTED,
        schema::ARTICLE_ENTITIES,
        schema::ARTICLE_QUOTES,
        schema::EVENT_ARTICLE,
    ] {
        let example = read(name);
        let article = example.get("article").unwrap_or(&example);
        assert_eq!(
            article["text"],
            ingested.text.as_str(),
            "{name} is about the example article"
        );
    }
}

mod erased {
    /// Serialises any message the way the bus carries it.
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap()
        }
    }
}
