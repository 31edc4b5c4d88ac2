//! Contract tests: the committed JSON Schemas match the Rust types, and every example validates,
//! round-trips through its type and validates again.
//!
//! After a deliberate change to a message type, `NEWSFLOW_UPDATE_SCHEMAS=1 cargo test -p
//! newsflow-proto` rewrites `proto/schemas/`; review the diff (see proto/README.md on versions).

use newsflow_proto::{
    ArticleEntities, ArticleIngested, ArticleQuotes, ArticleRaw, ArticleSegmented, DeadLetter,
    EventArticle, EventEntity, EventQuote, json_schemas, schema,
};
use serde::{Serialize, de::DeserializeOwned};
use std::path::PathBuf;

fn dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
}

fn committed_schema(name: &str) -> serde_json::Value {
    let path = dir("schemas").join(format!("{name}.json"));
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn committed_schemas_match_the_rust_types() {
    let update = std::env::var_os("NEWSFLOW_UPDATE_SCHEMAS").is_some();
    let mut drifted = Vec::new();
    for (name, generated) in json_schemas() {
        let path = dir("schemas").join(format!("{name}.json"));
        let text = serde_json::to_string_pretty(&generated).unwrap() + "\n";
        if update {
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            drifted.push(name);
        }
    }
    assert!(
        drifted.is_empty(),
        "these committed schemas differ from the Rust types: {drifted:?}; if the change is deliberate, run \
         NEWSFLOW_UPDATE_SCHEMAS=1 cargo test -p newsflow-proto and follow the versioning rules in proto/README.md"
    );
}

fn check_example<T: Serialize + DeserializeOwned>(name: &str) {
    let schema = committed_schema(name);
    let validator = jsonschema::validator_for(&schema)
        .unwrap_or_else(|err| panic!("{name}: bad schema: {err}"));
    let path = dir("examples").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("{name} has no example at {}: {err}", path.display()));
    let example: serde_json::Value = serde_json::from_str(&text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&example)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{name} example is invalid: {errors:#?}");
    let typed: T = serde_json::from_value(example.clone())
        .unwrap_or_else(|err| panic!("{name} example does not decode: {err}"));
    // Through the serialised text, as a subscriber sees it (an f32 widened to a Value would not be).
    let back: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&typed).unwrap()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&back)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "{name} re-serialised is invalid: {errors:#?}"
    );
    assert_eq!(
        back, example,
        "{name} example does not survive a round trip through the Rust type"
    );
}

#[test]
fn every_example_validates_and_round_trips() {
    check_example::<ArticleRaw>(schema::ARTICLE_RAW);
    check_example::<ArticleIngested>(schema::ARTICLE_INGESTED);
    check_example::<ArticleSegmented>(schema::ARTICLE_SEGMENTED);
    check_example::<ArticleEntities>(schema::ARTICLE_ENTITIES);
    check_example::<ArticleQuotes>(schema::ARTICLE_QUOTES);
    check_example::<EventArticle>(schema::EVENT_ARTICLE);
    check_example::<EventQuote>(schema::EVENT_QUOTE);
    check_example::<EventEntity>(schema::EVENT_ENTITY);
    check_example::<DeadLetter>(schema::DEAD_LETTER);
}

#[test]
fn every_schema_has_an_example_and_nothing_else_is_there() {
    let mut examples: Vec<String> = std::fs::read_dir(dir("examples"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".json")
                .to_owned()
        })
        .collect();
    examples.sort();
    let mut names: Vec<String> = schema::ALL.iter().map(|s| (*s).to_owned()).collect();
    names.sort();
    assert_eq!(examples, names);
}

#[test]
fn schemas_reject_what_the_types_reject() {
    let validator = jsonschema::validator_for(&committed_schema(schema::ARTICLE_RAW)).unwrap();
    assert!(!validator.is_valid(&serde_json::json!({ "title": "no body" })));
    assert!(!validator.is_valid(&serde_json::json!({ "body": "x", "format": "pdf" })));
    assert!(
        validator
            .is_valid(&serde_json::json!({ "body": "x", "extra": "unknown fields are allowed" }))
    );
    let validator = jsonschema::validator_for(&committed_schema(schema::DEAD_LETTER)).unwrap();
    assert!(!validator.is_valid(&serde_json::json!({ "stage": "ingest" })));
}
