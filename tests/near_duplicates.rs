//! Near-duplicates, every stage its own process against a real server: the same story published
//! again under another id (its own headline, a paragraph cut, a word changed) is processed all
//! the same and marked `duplicate_of` the first, in its article event and in its quote and entity
//! events; another story is not marked, nor is a new revision of the first; and ingest killed
//! and started again still knows the window, from the stream of signatures.

use newsflow_e2e::{
    NatsServer, StageProcess, article_event_of, ensure_streams, feed_article, json, read_at_least,
    start_chain,
};
use newsflow_proto::subjects;
use std::time::Duration;

const KURSK: &str = include_str!("../samples/kursk-troops.txt");
const NASA: &str = include_str!("../samples/wikinews-nasa.txt");

/// The reference article as another outlet runs it.
fn republished(headline: &str) -> String {
    let paragraphs: Vec<&str> = KURSK.lines().filter(|l| !l.trim().is_empty()).collect();
    let kept = paragraphs[..paragraphs.len() - 1].join("\n\n");
    format!("{headline}\n\n{kept}").replacen("said", "told reporters", 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_story_published_again_under_another_id_is_marked_with_the_first() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let mut stages = start_chain(&server.url(), &[]);
    let client = server.client().await;

    feed_article(&client, "wire-1", KURSK).await;
    let first = article_event_of(&client, 1, "wire-1").await;
    assert!(
        first.get("duplicate_of").is_none(),
        "the first is no one's copy"
    );

    feed_article(
        &client,
        "outlet-2",
        &republished("Pyongyang's soldiers reach Russia"),
    )
    .await;
    let copy = article_event_of(&client, 2, "outlet-2").await;
    assert_eq!(copy["duplicate_of"], "wire-1", "marked with the first");
    assert!(
        copy["quotes"].as_array().is_some_and(|q| !q.is_empty())
            && copy["entities"].as_array().is_some_and(|e| !e.is_empty()),
        "and processed all the same"
    );
    let quotes = read_at_least(
        &client,
        subjects::EVENTS_STREAM,
        &format!("{}.>", subjects::EVENTS_QUOTE),
        usize::MAX,
        Duration::from_secs(2),
    )
    .await;
    let of_copy: Vec<_> = quotes
        .iter()
        .map(json)
        .filter(|q| q["article_id"] == "outlet-2")
        .collect();
    assert!(!of_copy.is_empty());
    assert!(
        of_copy.iter().all(|q| q["duplicate_of"] == "wire-1"),
        "its quote events say so too"
    );

    feed_article(&client, "other-3", NASA).await;
    let other = article_event_of(&client, 3, "other-3").await;
    assert!(
        other.get("duplicate_of").is_none(),
        "another story is not a copy"
    );

    // The first, revised: a new revision of itself, not a copy of its copy.
    feed_article(
        &client,
        "wire-1",
        &format!("{KURSK}\n\nThis story has been updated."),
    )
    .await;
    let revised = article_event_of(&client, 4, "wire-1").await;
    assert_eq!(revised["revision"], 2);
    assert!(
        revised.get("duplicate_of").is_none(),
        "{}",
        revised["duplicate_of"]
    );

    // Ingest, killed and started again, reads the window back from the stream.
    let ingest: &mut StageProcess = stages.iter_mut().find(|s| s.stage() == "ingest").unwrap();
    ingest.kill();
    ingest.restart();
    feed_article(
        &client,
        "outlet-4",
        &republished("North Korean troops in Kursk, US says"),
    )
    .await;
    let later = article_event_of(&client, 5, "outlet-4").await;
    assert_eq!(
        later["duplicate_of"], "wire-1",
        "still known after a restart"
    );
}
