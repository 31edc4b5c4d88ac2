//! Keys across articles, every stage its own process against a real server: one article names
//! `Antony J. Blinken`, a later one only `Blinken`; both article events give him one key, and
//! his quotes and entity events of both articles are on the subjects of that key, so a
//! subscriber follows him with one filter. `entities` is killed and started again between the
//! two: what it learned lives in the bucket `NEWSFLOW_ENTITY_KEYS`, not in the process. Names on
//! the shipped alias list take its preferred name (`DPRK` is `north-korea`).

use newsflow_e2e::{
    NatsServer, StageProcess, article_event_of, ensure_streams, feed_article, json, read_at_least,
    start_chain,
};
use newsflow_proto::subjects;
use std::time::Duration;

const FIRST: &str = "Blinken arrives in Seoul for talks on North Korea

Antony J. Blinken, the U.S. secretary of state, arrived in Seoul on Monday for two days of talks \
with South Korean officials about North Korea's missile launches.

\"We are watching this very closely, and we are ready to act with our allies,\" Blinken told \
reporters at the airport.
";

const SECOND: &str = "Blinken meets Japan's foreign minister in Tokyo

Blinken met Japan's foreign minister in Tokyo on Tuesday, a day after talks in Seoul.

\"Our partnership has never been closer,\" Blinken said after the meeting, adding that the \
DPRK's launches threatened the whole region.
";

/// The key of the entity of `label` the article event calls `name`.
fn key_of(article: &serde_json::Value, label: &str, name: &str) -> String {
    article["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["label"] == label && e["name"] == name)
        .unwrap_or_else(|| panic!("{label} {name} in {}", article["entities"]))["key"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_person_named_two_ways_in_two_articles_has_one_key() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let mut stages = start_chain(&server.url(), &[]);
    let client = server.client().await;

    feed_article(&client, "seoul-1", FIRST).await;
    let first = article_event_of(&client, 1, "seoul-1").await;
    assert_eq!(
        key_of(&first, "PERSON", "Antony J. Blinken"),
        "antony-j-blinken"
    );
    assert_eq!(
        key_of(&first, "LOC", "U.S."),
        "united-states",
        "the alias list's preferred name"
    );

    // What entities learned is in the bucket, so a new process knows it.
    let entities: &mut StageProcess = stages.iter_mut().find(|s| s.stage() == "entities").unwrap();
    entities.kill();
    entities.restart();

    feed_article(&client, "tokyo-2", SECOND).await;
    let second = article_event_of(&client, 2, "tokyo-2").await;
    assert_eq!(
        key_of(&second, "PERSON", "Blinken"),
        "antony-j-blinken",
        "the surname alone is the person the first article named in full"
    );
    assert_eq!(key_of(&second, "ORG", "DPRK"), "north-korea");

    // One filter follows him through both articles.
    let quotes = read_at_least(
        &client,
        subjects::EVENTS_STREAM,
        &format!("{}.antony-j-blinken", subjects::EVENTS_QUOTE),
        2,
        Duration::from_secs(10),
    )
    .await;
    let mut quoted: Vec<String> = quotes
        .iter()
        .map(|q| json(q)["article_id"].as_str().unwrap().to_owned())
        .collect();
    quoted.dedup();
    assert_eq!(
        quoted,
        ["seoul-1", "tokyo-2"],
        "his quotes of both articles"
    );
    let mentioned = read_at_least(
        &client,
        subjects::EVENTS_STREAM,
        &format!("{}.person.antony-j-blinken", subjects::EVENTS_ENTITY),
        2,
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(mentioned.len(), 2, "an entity event in each article");
    let names: Vec<String> = mentioned
        .iter()
        .map(|m| json(m)["entity"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        ["Antony J. Blinken", "Blinken"],
        "each event keeps its article's own name for him"
    );
}
