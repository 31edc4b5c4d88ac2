//! The table is a chain, and the chain runs in-process as it runs on the bus.

use newsflow_pipeline::{Chain, STAGES, Settings};
use newsflow_proto::{EventArticle, QuoteKind, schema};
use newsflow_runtime::StageError;
use newsflow_runtime::mirror::ENTRY_SCHEMA;

const KURSK: &str = include_str!("../../../samples/kursk-troops.txt");

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

/// Whether `subject` is one `pattern` (a NATS subject, perhaps ending in `>`) covers.
fn covers(pattern: &str, subject: &str) -> bool {
    match pattern.strip_suffix('>') {
        Some(prefix) => subject.starts_with(prefix) && subject.len() > prefix.len(),
        None => subject == pattern,
    }
}

#[test]
fn every_stage_publishes_only_the_subjects_and_schemas_its_row_names() {
    let settings = Settings::default();
    let mut payload = raw(KURSK);
    for row in STAGES {
        let published = row.stage(&settings).process(&payload).unwrap();
        assert!(!published.is_empty(), "{} published nothing", row.name);
        for envelope in &published {
            let output =
                row.schemas.contains(&envelope.schema) && covers(row.output, &envelope.subject);
            let bucket = envelope.schema == ENTRY_SCHEMA
                && row
                    .buckets
                    .iter()
                    .any(|b| covers(&format!("$KV.{b}.>"), &envelope.subject));
            assert!(
                output || bucket,
                "{} published {} on {}",
                row.name,
                envelope.schema,
                envelope.subject
            );
        }
        payload = published[0].payload.clone();
    }
}

#[test]
fn the_reference_article_resolves_every_direct_quote_to_its_speaker() {
    let text = KURSK;
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

/// The reference article's reported statements, each with what was said in full and the
/// speaker a careful reader names: the 8,000 troops are the Biden administration's word (not
/// Biden's), and `when` it said so is not part of it; the South Korean government's suggestion
/// starts at the sentence's start; and the U.S. that "has not said" how it will respond said
/// nothing there.
#[test]
fn the_reference_article_gives_its_reported_statements_whole_and_to_the_right_speaker() {
    let events = Chain::new(&Settings::default())
        .process(&raw(KURSK))
        .unwrap();
    let article: EventArticle = serde_json::from_slice(&events[0].payload).unwrap();
    let said = |start: &str| {
        article
            .quotes
            .iter()
            .find(|q| q.text.starts_with(start))
            .unwrap_or_else(|| panic!("no statement starts {start:?}: {:#?}", article.quotes))
    };
    let troops = said("About 8,000 North Korean troops");
    assert_eq!(troops.speaker.as_deref(), Some("the Biden administration"));
    assert!(!troops.text.contains("Oct. 31"), "{}", troops.text);
    let help = said("Moscow could provide Pyongyang help");
    assert_eq!(help.speaker.as_deref(), Some("the South Korean government"));
    assert!(
        !article
            .quotes
            .iter()
            .any(|q| q.text.contains("how it plans")),
        "{:#?}",
        article.quotes
    );
}

/// A Portuguese article flows through with its language marked; the English-only stages say
/// they left it alone rather than find noise in it. The same article said to be English is
/// read (and finds its speaker), so the skip is the language's doing.
#[test]
fn an_article_in_another_language_is_marked_and_the_english_only_stages_say_they_skipped_it() {
    let text = "O presidente da câmara, João Silva, disse na terça-feira que a ponte será \
                reaberta em março. \u{201c}Estamos orgulhosos das equipas que trabalharam \
                durante dois invernos\u{201d}, afirmou o autarca aos jornalistas em Lisboa.\n\n\
                Cerca de quarenta mil veículos deverão atravessar a ponte todos os dias, \
                segundo as previsões da empresa que gere a travessia.";
    let chain = Chain::new(&Settings::default());
    let events = chain.process(&raw(text)).unwrap();
    let article: EventArticle = serde_json::from_slice(&events[0].payload).unwrap();
    assert_eq!(article.language, "pt");
    assert!(article.entities.is_empty() && article.quotes.is_empty());
    assert_eq!(
        article.skipped,
        [
            "entities: the text is in pt; the tagger reads English only",
            "quotes: the text is in pt; the attribution rules read English only",
        ]
    );
    assert_eq!(events.len(), 1, "no quote or entity events");
    let said_english = serde_json::json!({ "body": text, "language": "en" }).to_string();
    let events = chain.process(said_english.as_bytes()).unwrap();
    let article: EventArticle = serde_json::from_slice(&events[0].payload).unwrap();
    assert!(article.skipped.is_empty());
    assert!(!article.entities.is_empty());
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

/// What a speaker may never be: a word that names no one by itself.
const NOT_SPEAKERS: &[&str] = &[
    "i", "me", "we", "us", "you", "he", "him", "she", "her", "it", "they", "them", "who", "which",
    "this", "that", "these", "those", "the", "a", "an", "of", "in", "on", "at", "for", "from",
    "to", "by", "with", "and", "or", "but", "as", "his", "its", "their", "our", "my", "your",
];

#[test]
fn no_speaker_in_the_bundled_samples_is_a_function_word_a_number_or_a_fragment() {
    let chain = Chain::new(&Settings::default());
    let mut speakers = 0;
    for (name, text) in newsflow_pipeline::samples::SAMPLES {
        let events = chain.process(&raw(text)).unwrap();
        let article: EventArticle = serde_json::from_slice(&events[0].payload).unwrap();
        for speaker in article.quotes.iter().filter_map(|q| q.speaker.as_deref()) {
            speakers += 1;
            let lower = speaker.to_lowercase();
            let last = speaker.split_whitespace().last().unwrap_or("");
            let abbreviation =
                last.len() > 1 && last.chars().all(|c| c.is_ascii_uppercase() || c == '.');
            // `WHO`, the World Health Organization, is not `who`.
            let acronym = speaker.len() > 1 && speaker.chars().all(|c| c.is_ascii_uppercase());
            assert!(
                acronym || !NOT_SPEAKERS.contains(&lower.as_str()),
                "{name}: speaker {speaker:?}"
            );
            assert!(
                !speaker.starts_with(|c: char| c.is_ascii_digit()),
                "{name}: speaker {speaker:?} is a number"
            );
            assert!(
                speaker.ends_with(char::is_alphanumeric) || abbreviation,
                "{name}: speaker {speaker:?} is a fragment"
            );
            assert!(
                !speaker.ends_with("'s") && !speaker.ends_with("\u{2019}s"),
                "{name}: speaker {speaker:?} is cut after a possessive"
            );
        }
    }
    assert!(speakers > 100, "the samples name {speakers} speakers");
}
