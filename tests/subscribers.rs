//! Subscribers: `newsflow-client` against the running chain — server-side filters, replay from
//! the start by a consumer created after the fact, and durable consumers that resume exactly.

use newsflow_client::{Event, Filter, Start, subscribe};
use newsflow_e2e::{NatsServer, WAIT, chain_with_article};
use std::time::Duration;

const KURSK: &str = include_str!("../samples/kursk-troops.txt");

/// Everything an ephemeral subscription replays from the start, until it has been quiet a second.
async fn replay(client: &async_nats::Client, filter: &Filter) -> Vec<newsflow_client::Delivery> {
    let mut subscription = subscribe(client, filter, Start::First, None).await.unwrap();
    let mut seen = Vec::new();
    while let Ok(Some(delivery)) =
        tokio::time::timeout(Duration::from_secs(1), subscription.next()).await
    {
        seen.push(delivery.expect("a valid event"));
    }
    seen
}

async fn next_quote(subscription: &mut newsflow_client::Subscription) -> newsflow_client::Delivery {
    tokio::time::timeout(WAIT, subscription.next())
        .await
        .expect("an event within 5 s")
        .expect("the subscription is open")
        .expect("a valid event")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_durable_subscriber_created_later_replays_from_the_start_and_resumes_exactly() {
    let server = NatsServer::start();
    let (_stages, client) = chain_with_article(&server, "kursk-troops", KURSK).await;

    // What is on Blinken's subject, replayed by an ephemeral subscription.
    let blinken = Filter {
        speaker: Some("Antony J. Blinken".into()),
        ..Filter::default()
    };
    let mut on_subject = Vec::new();
    for delivery in replay(&client, &blinken).await {
        let Event::Quote(quote) = &delivery.event else {
            panic!("a quote event, got {:?}", delivery.event)
        };
        assert_eq!(quote.quote.speaker.as_deref(), Some("Antony J. Blinken"));
        on_subject.push((delivery.sequence, quote.quote.text.clone()));
    }
    assert!(
        on_subject
            .iter()
            .any(|(_, t)| t.starts_with("We’ve not yet seen these troops")),
        "{on_subject:#?}"
    );
    assert!(
        on_subject
            .iter()
            .any(|(_, t)| t.starts_with("Russia has been training DPRK soldiers")),
        "{on_subject:#?}"
    );

    // A durable subscriber created after the article was processed still starts at the first.
    let mut quotes = subscribe(&client, &blinken, Start::First, Some("blinken"))
        .await
        .unwrap();
    let first = next_quote(&mut quotes).await;
    assert_eq!(first.sequence, on_subject[0].0);
    first.ack().await.unwrap();
    drop(quotes);

    // The same name resumes right after the acknowledged one, and ends where the subject ends.
    let mut quotes = subscribe(&client, &blinken, Start::First, Some("blinken"))
        .await
        .unwrap();
    for (sequence, _) in &on_subject[1..] {
        let delivery = next_quote(&mut quotes).await;
        assert_eq!(delivery.sequence, *sequence);
        delivery.ack().await.unwrap();
    }
    let nothing_more = tokio::time::timeout(Duration::from_secs(2), quotes.next()).await;
    assert!(
        nothing_more.is_err(),
        "nothing but Blinken's quotes, each once"
    );

    // Entity filters are applied by the server too.
    let people = Filter {
        entity_type: Some("person".into()),
        ..Filter::default()
    };
    let mut names = Vec::new();
    for delivery in replay(&client, &people).await {
        let Event::Entity(entity) = delivery.event else {
            panic!("an entity event")
        };
        names.push(entity.entity.name);
    }
    assert!(names.contains(&"Cho Tae-yul".to_owned()), "{names:?}");
    assert!(
        names.iter().all(|n| n != "Russia"),
        "only people: {names:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_started_before_any_stage_waits_for_the_events_and_prints_them() {
    use std::io::{BufRead as _, BufReader, Read as _};
    use std::process::{Command, Stdio};
    let server = NatsServer::start();
    let mut tail = Command::new(newsflow_e2e::newsflow_bin())
        .args(["tail", "--kind", "article", "--from-start", "--limit", "1"])
        .env("NATS_URL", server.url())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("newsflow tail starts");
    let stderr = BufReader::new(tail.stderr.take().expect("stderr is piped"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(stderr.lines().next().and_then(Result::ok));
    });
    let waiting = rx
        .recv_timeout(WAIT)
        .expect("tail says something within 5 s")
        .unwrap_or_default();
    assert!(
        waiting.contains("Waiting for the events stream NEWSFLOW_EVENTS"),
        "{waiting}"
    );

    let (_stages, _client) = chain_with_article(&server, "kursk-troops", KURSK).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while tail.try_wait().unwrap().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "tail did not stop after its one event"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut printed = String::new();
    tail.stdout
        .take()
        .unwrap()
        .read_to_string(&mut printed)
        .unwrap();
    let event: serde_json::Value = serde_json::from_str(printed.trim()).expect("one JSON line");
    assert_eq!(event["article_id"], "kursk-troops");
}

/// `newsflow tail --speaker Blinken` finds the quotes filed under `antony-j-blinken` and says
/// so, `--entity "North Korea"` the events filed under the country's full name; a name that
/// names no one says it is waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_finds_a_speaker_by_part_of_the_name_and_a_country_by_another_name() {
    let server = NatsServer::start();
    let (_stages, _client) = chain_with_article(&server, "kursk-troops", KURSK).await;
    let tail = |args: &[&str]| {
        std::process::Command::new(newsflow_e2e::newsflow_bin())
            .arg("tail")
            .args(args)
            .env("NATS_URL", server.url())
            .output()
            .expect("newsflow tail runs")
    };
    let output = tail(&["--speaker", "Blinken", "--from-start", "--limit", "1"]);
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{said}");
    assert!(
        said.contains("reading newsflow.events.quote.antony-j-blinken"),
        "{said}"
    );
    let quote: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one quote");
    assert_eq!(quote["quote"]["speaker"], "Antony J. Blinken");

    // Another name for the same country: the article files North Korea under its full name.
    let output = tail(&["--entity", "North Korea", "--from-start", "--limit", "1"]);
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{said}");
    let entity: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one entity");
    assert_eq!(
        entity["entity"]["name"]
            .as_str()
            .map(|n| n.replace('’', "'"))
            .as_deref(),
        Some("Democratic People's Republic of Korea"),
        "{said}"
    );

    let mut waiting = std::process::Command::new(newsflow_e2e::newsflow_bin())
        .args(["tail", "--speaker", "Nobody Atall", "--from-start"])
        .env("NATS_URL", server.url())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("newsflow tail starts");
    let mut said = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(waiting.stderr.take().unwrap()),
        &mut said,
    )
    .unwrap();
    let _ = waiting.kill();
    let _ = waiting.wait();
    assert!(
        said.contains("No events name \"Nobody Atall\" yet"),
        "{said}"
    );
}
