//! The reference article through the whole chain, every stage its own process.

use newsflow_e2e::{
    NatsServer, article_events, ensure_streams, json, publish_raw, read_at_least, start_chain,
};
use newsflow_proto::subjects;
use std::time::Duration;

const KURSK: &str = include_str!("../samples/kursk-troops.txt");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipeline_publishes_reference_article_with_sentences_entities_and_quotes() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let _stages = start_chain(&server.url(), &[]);
    let client = server.client().await;
    let js = async_nats::jetstream::new(client.clone());
    let raw = serde_json::json!({ "id": "kursk-troops", "body": KURSK, "url": "https://example.com/kursk" });
    publish_raw(&js, serde_json::to_vec(&raw).unwrap())
        .await
        .unwrap();

    let events = article_events(&client, 1, Duration::from_secs(60)).await;
    assert_eq!(events.len(), 1, "one article event within 60 s");
    let event = json(&events[0]);
    assert_eq!(event["article_id"], "kursk-troops");

    let sentences: Vec<&str> = event["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert_eq!(sentences.len(), 21, "{sentences:#?}");
    for expected in [
        "About 8,000 North Korean troops are in Russia’s Kursk region preparing to join the war against Ukraine, the Biden administration said Oct. 31.",
        "Secretary of Defense Lloyd J. Austin III and Secretary of State Antony J. Blinken disclosed the troop levels at a press conference alongside their South Korean counterparts following annual security talks.",
        "South Korea was the first to cite North Korean troops traveling to Russia and the U.S. eventually confirmed the assessment.",
        "“We’ve not yet seen these troops deploy into combat against Ukrainian forces, but we would expect that to happen in the coming days,” Blinken said.",
    ] {
        assert!(
            sentences.contains(&expected),
            "missing sentence {expected:?} in {sentences:#?}"
        );
    }

    let names = |label: &str| -> Vec<String> {
        event["entities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["label"] == label)
            .map(|e| e["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let people = names("PERSON");
    for person in ["Antony J. Blinken", "Lloyd J. Austin III", "Cho Tae-yul"] {
        assert!(
            people.iter().any(|p| p == person),
            "{person} not among people {people:?}"
        );
    }
    let places = names("LOC");
    for place in ["Russia", "Ukraine", "Kursk"] {
        assert!(
            places.iter().any(|p| p == place),
            "{place} not among places {places:?}"
        );
    }
    let blinken = event["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Antony J. Blinken")
        .unwrap();
    assert!(
        blinken["mentions"].as_array().unwrap().len() >= 3,
        "Blinken's mentions are grouped: {blinken}"
    );

    let quotes = event["quotes"].as_array().unwrap();
    let quote = quotes
        .iter()
        .find(|q| {
            q["text"]
                .as_str()
                .unwrap()
                .starts_with("We’ve not yet seen these troops")
        })
        .unwrap_or_else(|| panic!("the Blinken quote is missing from {quotes:#?}"));
    assert_eq!(quote["kind"], "direct");
    assert_eq!(quote["speaker"], "Antony J. Blinken");
    assert_eq!(quote["speaker_entity"], blinken["id"]);

    // Everything on Blinken's subject, not just the first few: nobody else's quotes are there.
    let quote_events = read_at_least(
        &client,
        subjects::EVENTS_STREAM,
        "newsflow.events.quote.antony-j-blinken",
        usize::MAX,
        Duration::from_secs(3),
    )
    .await;
    let on_subject: Vec<serde_json::Value> = quote_events.iter().map(json).collect();
    assert!(
        on_subject
            .iter()
            .all(|q| q["quote"]["speaker"] == "Antony J. Blinken"),
        "{on_subject:#?}"
    );
    let direct = on_subject
        .iter()
        .filter(|q| q["quote"]["kind"] == "direct")
        .count();
    assert_eq!(
        direct, 2,
        "both of Blinken's direct quotes, under his own subject"
    );
    let headers = quote_events[0]
        .headers
        .as_ref()
        .expect("events carry headers");
    let header = |name: &str| headers.get(name).map(|v| v.as_str().to_owned());
    assert_eq!(header("ce-specversion").as_deref(), Some("1.0"));
    assert_eq!(
        header("ce-type").as_deref(),
        Some("newsflow.event.quote.v1")
    );
    assert_eq!(header("ce-subject").as_deref(), Some("kursk-troops"));
    assert_eq!(header("content-type").as_deref(), Some("application/json"));
    assert_eq!(
        header("ce-id"),
        header("Nats-Msg-Id"),
        "the CloudEvents id is the de-duplication id"
    );
    assert_eq!(
        header("ce-id").as_deref(),
        json(&quote_events[0])["event_id"].as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn articles_fed_before_any_stage_starts_wait_in_the_work_stream_and_come_out() {
    let server = NatsServer::start();
    let feed = || {
        std::process::Command::new(newsflow_e2e::newsflow_bin())
            .args([
                "feed",
                "samples/kursk-troops.txt",
                "samples/wikinews-nasa.txt",
            ])
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .env("NATS_URL", server.url())
            .output()
            .expect("newsflow feed runs")
    };
    let fed = feed();
    let said = String::from_utf8_lossy(&fed.stderr);
    assert!(fed.status.success(), "{said}");
    assert!(
        said.contains("2 new, 0 new revision(s), 0 unchanged, 0 duplicate(s), 0 rejected"),
        "{said}"
    );
    let again = feed();
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(
        said.contains("0 new, 0 new revision(s), 0 unchanged, 2 duplicate(s)"),
        "{said}"
    );

    // The feeder made only the work stream: the events stream is the stages' to create, with
    // their retention settings.
    let client = server.client().await;
    let js = async_nats::jetstream::new(client.clone());
    assert!(js.get_stream("NEWSFLOW_RAW").await.is_ok());
    assert!(js.get_stream(subjects::EVENTS_STREAM).await.is_err());

    let _stages = start_chain(&server.url(), &[]);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while js.get_stream(subjects::EVENTS_STREAM).await.is_err() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no stage created the events stream"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let events = article_events(&client, 2, Duration::from_secs(60)).await;
    let titles: Vec<String> = events
        .iter()
        .map(|e| {
            json(e)["text"]
                .as_str()
                .unwrap_or("")
                .lines()
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(events.len(), 2, "{titles:?}");
    assert_ne!(titles[0], titles[1], "two different articles");
}
