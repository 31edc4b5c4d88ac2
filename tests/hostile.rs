//! Hostile input cannot crash, stall or multiply work: every case of the corpus
//! (`support/hostile.rs`, 60-odd malformed payloads, markup and text built to be expensive) fed
//! through the real chain ends as its article event or as a dead letter from the stage and with
//! the reason the corpus names; no stage process dies, no message is delivered twice (so none
//! is worked on by two copies at once), and an ordinary article fed after them comes out.

use async_nats::jetstream;
use newsflow_e2e::hostile::{self, Outcome};
use newsflow_e2e::{
    NatsServer, StageProcess, article_events, ensure_streams, json, publish_raw, raw_article,
    read_at_least, start_chain,
};
use newsflow_proto::{headers, schema, subjects};
use std::collections::{HashMap, HashSet};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_input_ends_as_events_or_a_readable_dead_letter_and_nothing_stalls() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let mut stages = start_chain(&server.url(), &[]);
    let client = server.client().await;
    let js = jetstream::new(client.clone());

    let cases = hostile::corpus();
    assert!(cases.len() >= 60, "the corpus has {} cases", cases.len());
    let mut case_at: HashMap<u64, usize> = HashMap::new();
    let last = raw_article(
        "after-hostile",
        "The bridge opened on Monday, the mayor said.",
    );
    for (k, payload) in cases.iter().map(|c| &c.payload).chain([&last]).enumerate() {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(headers::SCHEMA, schema::ARTICLE_RAW);
        let ack = js
            .publish_with_headers(subjects::ARTICLES_RAW, headers, payload.clone().into())
            .await
            .unwrap()
            .await
            .unwrap_or_else(|err| panic!("case {k} was not stored: {err}"));
        case_at.insert(ack.sequence, k);
    }

    let going_through: Vec<String> = cases
        .iter()
        .filter(|c| c.outcome == Outcome::Events)
        .map(|c| hostile::id_of(c).unwrap_or_else(|| panic!("{} has no id", c.name)))
        .chain(["after-hostile".to_owned()])
        .collect();
    let refused = cases.len() + 1 - going_through.len();

    let events = article_events(&client, going_through.len(), Duration::from_secs(240)).await;
    let out: HashSet<String> = events
        .iter()
        .map(|m| {
            json(m)["article_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let missing: Vec<&String> = going_through
        .iter()
        .filter(|id| !out.contains(*id))
        .collect();

    let letters = read_at_least(
        &client,
        subjects::DEAD_LETTER_STREAM,
        "newsflow.dlq.>",
        refused,
        Duration::from_secs(30),
    )
    .await;
    let mut wrong = Vec::new();
    for letter in letters.iter().map(json) {
        let (stage, reason) = (
            letter["stage"].as_str().unwrap(),
            letter["reason"].as_str().unwrap(),
        );
        let case = (stage == "ingest")
            .then(|| letter["stream_sequence"].as_u64())
            .flatten()
            .and_then(|sequence| case_at.get(&sequence))
            .and_then(|&k| cases.get(k));
        match case.map(|c| (c.name, &c.outcome)) {
            Some((
                _,
                Outcome::DeadLetter {
                    stage: want,
                    reason: part,
                },
            )) if *want == stage && reason.contains(part) => {}
            Some((name, want)) => {
                wrong.push(format!("{name}: wanted {want:?}, got {stage}: {reason}"))
            }
            None => wrong.push(format!(
                "an unexpected dead letter from {stage}: {reason} ({})",
                letter["article_id"]
            )),
        }
    }

    assert!(missing.is_empty(), "no article event for {missing:?}");
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(letters.len(), refused, "one dead letter per refused case");
    for stage in &mut stages {
        assert!(stage.is_running(), "{} exited", stage.stage());
    }
    for row in newsflow_pipeline::STAGES {
        let stream = subjects::work_stream(row.input).expect("every input has a work stream");
        let mut consumer: jetstream::consumer::PullConsumer = js
            .get_stream(stream)
            .await
            .unwrap()
            .get_consumer(row.name)
            .await
            .unwrap();
        // The last event is out a moment before its input's ack reaches the server.
        let mut info = consumer.info().await.unwrap().clone();
        for _ in 0..50 {
            if info.num_ack_pending == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            info = consumer.info().await.unwrap().clone();
        }
        assert_eq!(
            info.num_redelivered, 0,
            "{} redelivered work: a message was worked on more than once",
            row.name
        );
        assert_eq!(info.num_ack_pending, 0, "{} left work unfinished", row.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_over_the_budget_is_dead_lettered_at_once_with_the_reason_and_the_stage_goes_on() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let _ingest = StageProcess::start("ingest", &server.url(), &[]);
    // Splitting half a megabyte into sentences takes milliseconds; a microsecond is too little.
    let mut segment =
        StageProcess::start("segment", &server.url(), &[("NEWSFLOW_WORK_BUDGET", "1us")]);
    let client = server.client().await;
    let js = jetstream::new(client.clone());
    let body = "A sentence of words. ".repeat(24_000);
    for id in ["over-budget-1", "over-budget-2"] {
        publish_raw(&js, raw_article(id, &body)).await.unwrap();
    }
    let letters = read_at_least(
        &client,
        subjects::DEAD_LETTER_STREAM,
        "newsflow.dlq.>",
        2,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(letters.len(), 2, "both articles were dead-lettered");
    for letter in letters.iter().map(json) {
        assert_eq!(letter["stage"], "segment", "{letter:#}");
        assert_eq!(
            letter["delivery_count"], 1,
            "not redelivered first: {letter:#}"
        );
        assert!(
            letter["reason"]
                .as_str()
                .is_some_and(|r| r.contains("longer than NEWSFLOW_WORK_BUDGET (1us)")),
            "{letter:#}"
        );
    }
    assert!(
        segment.is_running(),
        "segment goes on after abandoning work"
    );
}
