//! The table is a chain, and the chain runs in-process as it runs on the bus.

use newsflow_pipeline::{Chain, STAGES, Settings};
use newsflow_proto::{EventArticle, QuoteKind, schema};
use newsflow_runtime::StageError;

fn raw(body: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "body": body })).unwrap()
}

#[test]
fn every_stage_consumes_what_the_stage_before_it_publishes() {
    for pair in STAGES.windows(2) {
        assert_eq!(
            pair[1].input, pair[0].output,
            "{} → {}",
            pair[0].name, pair[1].name
        );
    }
    let mut names: Vec<_> = STAGES.iter().map(|s| s.name).collect();
    let mut ports: Vec<_> = STAGES.iter().map(|s| s.admin_port).collect();
    names.sort_unstable();
    names.dedup();
    ports.sort_unstable();
    ports.dedup();
    assert_eq!((names.len(), ports.len()), (STAGES.len(), STAGES.len()));
}

#[test]
fn the_reference_article_resolves_every_direct_quote_to_its_speaker() {
    let text = include_str!("../../../samples/kursk-troops.txt");
    let events = Chain::new(&Settings::default())
        .process(&raw(text))
        .unwrap();
    assert_eq!(events[0].schema, schema::EVENT_ARTICLE);
    let article: EventArticle = serde_json::from_slice(&events[0].payload).unwrap();
    let direct: Vec<_> = article
        .quotes
        .iter()
        .filter(|q| q.kind == QuoteKind::Direct)
        .collect();
    let expected = ["Blinken", "Blinken", "Austin", "Cho Tae-yul", "Cho Tae-yul"];
    assert_eq!(direct.len(), expected.len(), "{direct:#?}");
    for (quote, name) in direct.iter().zip(expected) {
        let speaker = quote.speaker.as_deref().unwrap_or("");
        assert!(speaker.contains(name), "{speaker} is not {name}");
        assert!(quote.speaker_entity.is_some(), "{name} unresolved");
    }
    let quote_events = events.iter().filter(|e| e.schema == schema::EVENT_QUOTE);
    assert_eq!(quote_events.count(), article.quotes.len());
}

#[test]
fn an_article_the_chain_rejects_says_why() {
    let err = Chain::new(&Settings::default())
        .process(&raw("  \n "))
        .unwrap_err();
    assert!(
        matches!(&err, StageError::Invalid(reason) if reason == "article body is empty"),
        "{err}"
    );
}
