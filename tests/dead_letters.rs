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
