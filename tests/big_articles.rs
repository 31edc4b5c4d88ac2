//! Articles at the edges of what ingest admits go through every stage, each its own process, on
//! a server configured as `newsflow up` configures its own, and nothing queued behind them stalls.

use newsflow_e2e::{
    NatsServer, article_events, ensure_streams, json, publish_raw, raw_article, read_at_least,
    start_chain,
};
use newsflow_pipeline::samples::SAMPLES;
use newsflow_proto::subjects;
use std::time::Duration;

/// An article of `paragraphs` one-line paragraphs, each a direct quote by a named person.
fn quote_per_paragraph(paragraphs: usize) -> String {
    (0..paragraphs)
        .map(|i| format!("“We will see item {i} through,” Smith said."))
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_article_with_ten_thousand_quotes_comes_out_and_so_does_the_next() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let _stages = start_chain(&server.url(), &[]);
    let client = server.client().await;
    let js = async_nats::jetstream::new(client.clone());
    publish_raw(
        &js,
        raw_article("many-quotes", &quote_per_paragraph(10_000)),
    )
    .await
    .unwrap();
    publish_raw(&js, raw_article("after", SAMPLES[0].1))
        .await
        .unwrap();

    let events = article_events(&client, 2, Duration::from_secs(300)).await;
    let ids: Vec<String> = events
        .iter()
        .map(|e| json(e)["article_id"].as_str().unwrap_or("").to_owned())
        .collect();
    assert!(
        ids.contains(&"many-quotes".to_owned()) && ids.contains(&"after".to_owned()),
        "both articles come out, got {ids:?}"
    );
    let quotes = read_at_least(
        &client,
        subjects::EVENTS_STREAM,
        &format!("{}.smith", subjects::EVENTS_QUOTE),
        10_000,
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(quotes.len(), 10_000, "one quote event per quote");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_article_at_the_ingest_size_limit_goes_through_every_stage() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let _stages = start_chain(&server.url(), &[]);
    let client = server.client().await;
    let js = async_nats::jetstream::new(client.clone());
    // News text (the samples, over and over) filling the raw message to the byte.
    let limit = newsflow_ingest::DEFAULT_MAX_BYTES;
    let mut body = String::new();
    for (_, text) in SAMPLES.iter().cycle() {
        if raw_article("at-the-limit", &body).len() + text.len() + 2 > limit {
            break;
        }
        body.push_str(text);
        body.push_str("\n\n");
    }
    while raw_article("at-the-limit", &body).len() < limit {
        body.push('x');
    }
    let raw = raw_article("at-the-limit", &body);
    assert_eq!(raw.len(), limit);
    publish_raw(&js, raw).await.unwrap();

    let events = article_events(&client, 1, Duration::from_secs(300)).await;
    let dead = read_at_least(
        &client,
        subjects::DEAD_LETTER_STREAM,
        &format!("{}.>", subjects::DEAD_LETTER_PREFIX),
        1,
        Duration::from_secs(1),
    )
    .await;
    let reasons: Vec<String> = dead.iter().map(|d| json(d)["reason"].to_string()).collect();
    assert!(reasons.is_empty(), "dead-lettered: {reasons:?}");
    assert_eq!(events.len(), 1, "the article event came out");
    assert_eq!(json(&events[0])["article_id"], "at-the-limit");
}
