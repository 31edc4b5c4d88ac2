//! The Python subscriber (examples/python/subscriber.py, nats-py) receives the reference
//! article's events from the running pipeline and validates each against proto/schemas/.

use newsflow_e2e::{
    NatsServer, chain_with_article, messages_in, publish_raw, python_subscriber, raw_article,
};
use newsflow_proto::subjects;
use std::io::BufRead as _;
use std::time::Duration;

const KURSK: &str = include_str!("../samples/kursk-troops.txt");
const MORE: [&str; 3] = [
    include_str!("../samples/wikinews-nasa.txt"),
    include_str!("../samples/wikinews-korea.txt"),
    include_str!("../samples/wikinews-election.txt"),
];

fn run_subscriber(url: &str, args: &[&str]) -> (bool, Vec<serde_json::Value>, String) {
    let output = python_subscriber()
        .args(["--url", url, "--from-start", "--timeout", "30"])
        .args(args)
        .output()
        .expect("the subscriber runs");
    let lines = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|err| panic!("not a JSON line ({err}): {l}"))
        })
        .collect();
    (
        output.status.success(),
        lines,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_subscriber_receives_and_validates_the_reference_articles_events() {
    let server = NatsServer::start();
    let (_stages, client) = chain_with_article(&server, "kursk-troops", KURSK).await;
    let js = async_nats::jetstream::new(client.clone());
    tokio::time::sleep(Duration::from_millis(300)).await; // the quote and entity events follow the article's
    let total = usize::try_from(messages_in(&js, subjects::EVENTS_STREAM).await).unwrap();

    let url = server.url();
    let count = total.to_string();
    let (ok, events, stderr) = tokio::task::spawn_blocking(move || {
        run_subscriber(&url, &["--durable", "py-all", "--count", &count])
    })
    .await
    .unwrap();
    assert!(ok, "the subscriber failed: {stderr}");
    assert_eq!(events.len(), total);
    assert!(events.iter().all(|e| e["valid"] == true), "{events:#?}");
    // The reference article was fed once: every event is of its first revision.
    assert!(events.iter().all(|e| e["revision"] == 1), "{events:#?}");
    let of_schema = |name: &str| events.iter().filter(|e| e["schema"] == name).count();
    assert_eq!(of_schema("event.article.v1"), 1);
    assert!(of_schema("event.quote.v1") >= 5, "{events:#?}");
    assert!(of_schema("event.entity.v1") >= 10, "{events:#?}");
    assert!(
        events
            .iter()
            .any(|e| e["subject"] == "newsflow.events.quote.antony-j-blinken")
    );

    // A malformed event is reported, and the subscriber fails.
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Newsflow-Schema", "event.quote.v1");
    let bad = br#"{"event_id":"x.quote.0","article_id":"x"}"#;
    js.publish_with_headers("newsflow.events.quote.nobody", headers, bad[..].into())
        .await
        .unwrap()
        .await
        .unwrap();
    let url = server.url();
    let (ok, events, _) = tokio::task::spawn_blocking(move || {
        run_subscriber(
            &url,
            &[
                "--durable",
                "py-bad",
                "--subject",
                "newsflow.events.quote.nobody",
                "--count",
                "1",
            ],
        )
    })
    .await
    .unwrap();
    assert!(!ok, "an invalid event fails the subscriber");
    assert_eq!(events[0]["valid"], false);
    assert!(
        events[0]["errors"]
            .to_string()
            .contains("'index' is a required property"),
        "{}",
        events[0]
    );
}

/// Without `--count` the subscriber follows the stream for as long as it runs: past its first
/// fetch of 100 events, printing who said what.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_subscriber_follows_the_stream_past_a_hundred_events() {
    let server = NatsServer::start();
    let (_stages, client) = chain_with_article(&server, "kursk-troops", KURSK).await;
    let js = async_nats::jetstream::new(client.clone());
    for (i, body) in MORE.iter().enumerate() {
        publish_raw(&js, raw_article(&format!("more-{i}"), body))
            .await
            .unwrap();
    }
    let wanted = 150;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let held = messages_in(&js, subjects::EVENTS_STREAM).await;
        if held >= wanted {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {held} events came out"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let url = server.url();
    let (lines, still_running) = tokio::task::spawn_blocking(move || {
        let mut child = python_subscriber()
            .args(["--from-start", "--durable", "py-follow"])
            .env("NATS_URL", &url)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("the subscriber runs");
        let stdout = std::io::BufReader::new(child.stdout.take().expect("stdout is piped"));
        let lines: Vec<serde_json::Value> = stdout
            .lines()
            .take(usize::try_from(wanted).unwrap())
            .map(|line| serde_json::from_str(&line.expect("a line")).expect("a JSON line"))
            .collect();
        let still_running = child
            .try_wait()
            .expect("the process can be asked")
            .is_none();
        let _ = child.kill();
        let _ = child.wait();
        (lines, still_running)
    })
    .await
    .unwrap();
    assert_eq!(lines.len(), 150, "it printed every event it was given");
    assert!(still_running, "it was still following the stream");
    assert!(lines.iter().all(|e| e["valid"] == true));
    assert!(
        lines
            .iter()
            .any(|e| e["speaker"] == "Antony J. Blinken" && e["quote"].is_string()),
        "quote events say who said what"
    );
}
