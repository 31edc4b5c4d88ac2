//! Faults: a stage process killed with SIGKILL mid-stream and restarted loses nothing and
//! duplicates nothing.

use futures::TryStreamExt as _;
use newsflow_e2e::{
    NatsServer, article_events, ensure_streams, json, publish_raw, raw_article, start_chain,
};
use newsflow_pipeline::samples::SAMPLES;
use newsflow_proto::subjects;
use std::collections::HashMap;
use std::time::Duration;

const ARTICLES: usize = 500;

async fn article_event_count(client: &async_nats::Client) -> usize {
    let js = async_nats::jetstream::new(client.clone());
    let stream = js.get_stream(subjects::EVENTS_STREAM).await.unwrap();
    let mut subjects_info = stream
        .info_with_subjects(subjects::EVENTS_ARTICLE)
        .await
        .unwrap();
    let mut total = 0;
    while let Some((_, count)) = subjects_info.try_next().await.unwrap() {
        total += count;
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_stage_mid_stream_loses_and_duplicates_no_article() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let client = server.client().await;
    // A short ack wait so the killed stage's in-flight messages come back quickly.
    let mut stages = start_chain(&server.url(), &[("NEWSFLOW_ACK_WAIT", "2s")]);
    let victim = 2; // entities, the slowest stage, so it has work in flight when it dies
    // Feed while the stage dies and comes back: the articles arrive over several seconds.
    let js = async_nats::jetstream::new(client.clone());
    let feeder = tokio::spawn(async move {
        for i in 0..ARTICLES {
            let (name, text) = SAMPLES[i % SAMPLES.len()];
            let body = format!("{text}\n\nFiled as {name}, copy {i}.");
            publish_raw(&js, raw_article(&format!("kill-{i}"), &body))
                .await
                .unwrap();
            if i % 25 == 24 {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(240);
    while article_event_count(&client).await < ARTICLES / 4 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the first quarter did not come out in time"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stages[victim].kill();
    let at_kill = article_event_count(&client).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stages[victim].restart();
    assert!(
        at_kill < ARTICLES,
        "the stage was killed before the end ({at_kill} out)"
    );
    assert!(
        !feeder.is_finished(),
        "articles were still being fed while the stage was down"
    );
    feeder.await.unwrap();

    while article_event_count(&client).await < ARTICLES {
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {} of {ARTICLES} came out",
            article_event_count(&client).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Let any redelivery of the killed stage's in-flight work happen before counting.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let events = article_events(&client, ARTICLES + 50, Duration::from_secs(10)).await;
    let mut per_article: HashMap<String, usize> = HashMap::new();
    for event in &events {
        *per_article
            .entry(json(event)["article_id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let lost: Vec<usize> = (0..ARTICLES)
        .filter(|i| !per_article.contains_key(&format!("kill-{i}")))
        .collect();
    let twice: Vec<(&String, &usize)> = per_article.iter().filter(|(_, n)| **n > 1).collect();
    assert!(lost.is_empty(), "lost articles: {lost:?}");
    assert!(twice.is_empty(), "articles out more than once: {twice:?}");
    assert_eq!(events.len(), ARTICLES);
    eprintln!("{ARTICLES} articles, stage killed after {at_kill} came out: 0 lost, 0 duplicated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stages_carry_on_after_the_nats_server_restarts() {
    let mut server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let _stages = start_chain(&server.url(), &[("NEWSFLOW_ACK_WAIT", "2s")]);
    let publish = |range: std::ops::Range<usize>, url: String| async move {
        let client = async_nats::connect(url).await.unwrap();
        let js = async_nats::jetstream::new(client);
        for i in range {
            let raw = serde_json::json!({ "id": format!("restart-{i}"), "body": format!("{}\n\nCopy {i}.", SAMPLES[i % SAMPLES.len()].1) });
            publish_raw(&js, serde_json::to_vec(&raw).unwrap())
                .await
                .unwrap();
        }
    };
    publish(0..20, server.url()).await;
    let client = server.client().await;
    let before = article_events(&client, 20, Duration::from_secs(60)).await;
    assert_eq!(before.len(), 20);
    drop(client);

    server.restart();
    publish(20..40, server.url()).await;
    let client = server.client().await;
    let after = article_events(&client, 40, Duration::from_secs(60)).await;
    let ids: std::collections::HashSet<String> = after
        .iter()
        .map(|m| json(m)["article_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        after.len(),
        40,
        "every article published after the restart came out, once"
    );
    assert_eq!(ids.len(), 40);

    // `newsflow status` counts what each stage settled from its stream, so the restart takes
    // nothing off, and nothing is left stuck.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let output = std::process::Command::new(newsflow_e2e::newsflow_bin())
            .args(["status", "--json", "--interval", "0s"])
            .env("NATS_URL", server.url())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
        let settled: Vec<u64> = rows
            .iter()
            .map(|r| r["settled"].as_u64().unwrap())
            .collect();
        let stuck: u64 = rows.iter().map(|r| r["stuck"].as_u64().unwrap()).sum();
        if settled.iter().all(|&n| n == 40) && stuck == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "every stage settled its 40 messages across the restart: {rows:#?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // `--watch` keeps reading: one JSON array per line, every interval, until stopped.
    let mut watch = std::process::Command::new(newsflow_e2e::newsflow_bin())
        .args(["status", "--watch", "--json", "--interval", "100ms"])
        .env("NATS_URL", server.url())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let lines = tokio::task::spawn_blocking({
        let stdout = watch.stdout.take().unwrap();
        move || {
            use std::io::BufRead as _;
            std::io::BufReader::new(stdout)
                .lines()
                .take(3)
                .map(|line| serde_json::from_str::<Vec<serde_json::Value>>(&line.unwrap()))
                .collect::<Result<Vec<_>, _>>()
        }
    })
    .await
    .unwrap()
    .expect("each line is a JSON array");
    assert_eq!(lines.len(), 3, "three readings");
    assert!(lines.iter().all(|rows| rows.len() == 5), "{lines:#?}");
    assert!(
        watch.try_wait().unwrap().is_none(),
        "still watching after three readings"
    );
    let _ = watch.kill();
    let _ = watch.wait();
}
