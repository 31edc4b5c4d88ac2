//! Bad input is dead-lettered with a readable reason, and the articles after it still arrive.

use newsflow_e2e::{
    NatsServer, article_events, ensure_streams, json, publish_raw, raw_article, read_at_least,
    start_chain,
};
use newsflow_proto::subjects;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_inputs_land_in_the_dead_letter_stream_and_later_articles_still_come_through() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let _stages = start_chain(&server.url(), &[]);
    let client = server.client().await;
    let js = async_nats::jetstream::new(client.clone());

    publish_raw(&js, &b"{\"body\": \"unterminated"[..])
        .await
        .unwrap();
    publish_raw(&js, &br#"{"id":"empty","body":"  \n\t "}"#[..])
        .await
        .unwrap();
    publish_raw(&js, &b"{\"id\":\"latin1\",\"body\":\"Caf\xe9 opens.\"}"[..])
        .await
        .unwrap();
    publish_raw(&js, raw_article("huge", &"word ".repeat(120_000)))
        .await
        .unwrap();
    let good = "The mayor opened the bridge on Monday. “It is a great day,” she said.";
    publish_raw(&js, raw_article("after-bad", good))
        .await
        .unwrap();

    let letters = read_at_least(
        &client,
        subjects::DEAD_LETTER_STREAM,
        "newsflow.dlq.>",
        4,
        Duration::from_secs(30),
    )
    .await;
    let mut letters: Vec<serde_json::Value> = letters.iter().map(json).collect();
    letters.sort_by_key(|l| l["stream_sequence"].as_u64()); // ingest handles messages concurrently
    assert_eq!(letters.len(), 4, "{letters:#?}");
    let reasons: Vec<&str> = letters
        .iter()
        .map(|l| l["reason"].as_str().unwrap())
        .collect();
    assert!(
        letters.iter().all(|l| l["stage"] == "ingest"),
        "{letters:#?}"
    );
    assert!(
        reasons[0].contains("not an article.raw.v1 JSON object") && reasons[0].contains("EOF"),
        "{}",
        reasons[0]
    );
    assert_eq!(reasons[1], "article body is empty");
    assert_eq!(
        reasons[2],
        "payload is not valid UTF-8 (bad byte at offset 26)"
    );
    assert_eq!(
        letters[2]["payload_encoding"], "base64",
        "a non-UTF-8 payload is kept, base64-encoded"
    );
    assert!(
        reasons[3].contains("the limit is 524288 bytes"),
        "{}",
        reasons[3]
    );
    assert_eq!(letters[0]["error_type"], "decode");
    assert_eq!(letters[1]["error_type"], "invalid");
    assert_eq!(
        letters[0]["payload"], "{\"body\": \"unterminated",
        "the original payload is kept"
    );

    let events = article_events(&client, 1, Duration::from_secs(60)).await;
    assert_eq!(events.len(), 1);
    assert_eq!(json(&events[0])["article_id"], "after-bad");
}

/// `newsflow dead-letters` with the environment of the test server.
fn dead_letters(url: &str, args: &[&str]) -> (bool, String, String) {
    let output = std::process::Command::new(newsflow_e2e::newsflow_bin())
        .arg("dead-letters")
        .args(args)
        .env("NATS_URL", url)
        .output()
        .expect("newsflow runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_are_listed_with_their_reason_and_replayed_once_the_cause_is_fixed() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let client = server.client().await;
    let js = async_nats::jetstream::new(client.clone());
    // An operator keeps events under 64 KiB; a long article's event is larger.
    newsflow_e2e::limit_event_size(&js, 64 * 1024).await;
    let _stages = start_chain(
        &server.url(),
        &[
            ("NEWSFLOW_MAX_DELIVER", "2"),
            ("NEWSFLOW_RETRY_BACKOFF", "100ms"),
        ],
    );
    publish_raw(&js, raw_article("long", &newsflow_e2e::long_article()))
        .await
        .unwrap();
    read_at_least(
        &client,
        subjects::DEAD_LETTER_STREAM,
        &subjects::dead_letter("events"),
        1,
        Duration::from_secs(60),
    )
    .await;

    let url = server.url();
    let (ok, table, stderr) = dead_letters(&url, &[]);
    assert!(ok, "{stderr}");
    assert!(
        table.contains("events") && table.contains("long") && table.contains("gave up after 2"),
        "{table}"
    );
    let (ok, lines, stderr) = dead_letters(&url, &["--json", "--stage", "events"]);
    assert!(ok, "{stderr}");
    let letters: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(letters.len(), 1, "{lines}");
    assert_eq!(letters[0]["article_id"], "long");
    assert!(letters[0]["sequence"].as_u64().is_some(), "{lines}");
    let (ok, none, _) = dead_letters(&url, &["--stage", "ingest"]);
    assert!(ok && none.contains("No dead letters."), "{none}");

    // A letter that is not there is named, and nothing else happens.
    let (ok, _, stderr) = dead_letters(&url, &["--replay", "999"]);
    assert!(!ok);
    assert!(stderr.contains("no dead letter at 999"), "{stderr}");

    // Fixed: the limit goes; the replayed message goes through, and its letter is gone.
    newsflow_e2e::limit_event_size(&js, -1).await;
    let (ok, said, stderr) = dead_letters(&url, &["--replay-all"]);
    assert!(ok, "{said}{stderr}");
    assert!(said.contains("1 of 1 replayed."), "{said}");
    let events = article_events(&client, 1, Duration::from_secs(60)).await;
    assert_eq!(json(&events[0])["article_id"], "long");
    let (ok, empty, _) = dead_letters(&url, &[]);
    assert!(ok && empty.contains("No dead letters."), "{empty}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_letter_goes_back_only_to_the_input_of_the_stage_that_wrote_it() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let client = server.client().await;
    let js = async_nats::jetstream::new(client.clone());
    // Letters are written by the stages' users: one that names another subject (here a
    // JetStream API request) must not be sent there by whoever replays it.
    let forged = serde_json::json!({
        "stage": "ingest",
        "reason": "forged",
        "error_type": "invalid",
        "subject": "$JS.API.STREAM.DELETE.NEWSFLOW_EVENTS",
        "delivery_count": 1,
        "stream_sequence": 1,
        "article_id": null,
        "headers": {},
        "payload": "",
        "payload_encoding": "utf8",
        "failed_at": "2026-12-01T00:00:00Z",
    });
    js.publish(
        subjects::dead_letter("ingest"),
        serde_json::to_vec(&forged).unwrap().into(),
    )
    .await
    .unwrap()
    .await
    .unwrap();
    let (ok, said, stderr) = dead_letters(&server.url(), &["--replay-all"]);
    assert!(!ok, "{said}");
    assert!(
        stderr.contains("which is not that stage's input; not replayed"),
        "{stderr}"
    );
    assert!(
        js.get_stream(subjects::EVENTS_STREAM).await.is_ok(),
        "the events stream is still there"
    );
}
