//! Chaos: articles fed while stages are killed, the server is stopped and killed, a replica is
//! frozen past the ack wait, and a poison article is redelivered until it is dead-lettered; at
//! the end every article's event is counted by article id: none may be missing and none may
//! come out twice. Each scenario prints its row of the table.
//!
//! The short versions run with the other tests. The long ones (thousands of articles, 20 stage
//! kills) are ignored by default:
//!
//! ```sh
//! cargo test -p newsflow-e2e --test chaos -- --ignored --nocapture --test-threads 1
//! ```

use async_nats::jetstream;
use newsflow_e2e::{NatsServer, StageProcess, ensure_streams, publish_raw, start_chain};
use newsflow_pipeline::samples::SAMPLES;
use newsflow_proto::subjects;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long the chain may go without a new event before the count is taken as final.
const QUIET: Duration = Duration::from_secs(60);

/// What came out of one scenario.
struct Tally {
    scenario: &'static str,
    fed: usize,
    out: usize,
    lost: usize,
    twice: usize,
    seconds: f64,
}

impl Tally {
    fn print(&self) {
        println!(
            "| {:<44} | {:>6} | {:>6} | {:>4} | {:>10} | {:>6.1} |",
            self.scenario, self.fed, self.out, self.lost, self.twice, self.seconds
        );
    }

    fn assert_whole(&self) {
        self.print();
        assert_eq!(
            (self.lost, self.twice),
            (0, 0),
            "{}: {} fed, {} out",
            self.scenario,
            self.fed,
            self.out
        );
    }
}

/// A small deterministic generator, so a failing run can be repeated.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Feeds `n` articles with ids `<prefix>-<i>`, retrying each until the stream has it (the
/// server may be down for a moment).
async fn feed(url: String, prefix: &'static str, n: usize) {
    feed_from(url, prefix, 0, n).await;
}

/// [`feed`] of the articles `from..to`.
async fn feed_from(url: String, prefix: &'static str, from: usize, to: usize) {
    let client = async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .connect(url)
        .await
        .unwrap();
    let js = jetstream::new(client);
    for i in from..to {
        let (_, text) = SAMPLES[i % SAMPLES.len()];
        let raw = serde_json::json!({ "id": format!("{prefix}-{i}"), "body": format!("{text}\n\nCopy {i}.") });
        let payload = serde_json::to_vec(&raw).unwrap();
        let deadline = Instant::now() + Duration::from_secs(120);
        while publish_raw(&js, payload.clone()).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "{prefix}-{i} could not be fed for 2 minutes"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Article events on the bus now, or `None` while the server does not answer.
async fn events_out(js: &jetstream::Context) -> Option<u64> {
    use futures::TryStreamExt as _;
    let counts: HashMap<String, usize> = js
        .get_stream(subjects::EVENTS_STREAM)
        .await
        .ok()?
        .info_with_subjects(subjects::EVENTS_ARTICLE)
        .await
        .ok()?
        .try_collect()
        .await
        .ok()?;
    Some(counts.values().sum::<usize>() as u64)
}

/// Waits until `fed` events are out (or nothing new came for [`QUIET`]), then a moment for
/// late copies, and counts the article events by article id.
async fn tally(
    url: &str,
    scenario: &'static str,
    prefix: &str,
    fed: usize,
    started: Instant,
) -> Tally {
    let client = async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .connect(url)
        .await
        .unwrap();
    let js = jetstream::new(client.clone());
    let (mut last, mut changed) = (0, Instant::now());
    loop {
        let out = events_out(&js).await.unwrap_or(last);
        if out != last {
            (last, changed) = (out, Instant::now());
        }
        if out >= fed as u64 || changed.elapsed() > QUIET {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    // Copies of an event redelivered late would come now.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let expected = events_out(&js).await.unwrap_or(last) as usize;
    let messages = newsflow_e2e::read_stream(
        &client,
        subjects::EVENTS_STREAM,
        subjects::EVENTS_ARTICLE,
        Duration::from_secs(60),
        |seen| seen.len() >= expected,
    )
    .await
    .unwrap();
    let count = newsflow_e2e::count_by_article(&messages);
    let lost = (0..fed)
        .filter(|i| !count.contains_key(&format!("{prefix}-{i}")))
        .count();
    let twice = count.values().filter(|&&n| n > 1).count();
    Tally {
        scenario,
        fed,
        out: count.len(),
        lost,
        twice,
        seconds,
    }
}

/// Stages are SIGKILLed at random, one at a time, and started again, `kills` times while `n`
/// articles are fed.
async fn stage_kills(scenario: &'static str, n: usize, kills: usize) -> Tally {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let mut stages = start_chain(&server.url(), &[("NEWSFLOW_ACK_WAIT", "2s")]);
    let started = Instant::now();
    let feeder = tokio::spawn(feed(server.url(), "kill", n));
    let mut dice = Dice(20_261_201);
    for _ in 0..kills {
        tokio::time::sleep(Duration::from_millis(150 + dice.below(350))).await;
        let victim = dice.below(stages.len() as u64) as usize;
        stages[victim].kill();
        tokio::time::sleep(Duration::from_millis(dice.below(300))).await;
        stages[victim].restart();
    }
    feeder.await.unwrap();
    tally(&server.url(), scenario, "kill", n, started).await
}

/// The server is stopped `times` times mid-run (SIGTERM, or SIGKILL as a crash) and started
/// again on the same store.
async fn server_restarts(scenario: &'static str, n: usize, times: usize, crash: bool) -> Tally {
    let mut server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let _stages = start_chain(&server.url(), &[("NEWSFLOW_ACK_WAIT", "2s")]);
    let started = Instant::now();
    let prefix = if crash { "crash" } else { "term" };
    let feeder = tokio::spawn(feed(server.url(), prefix, n));
    let client = server.client().await;
    let js = jetstream::new(client);
    for k in 0..times {
        // Mid-run: once some of this stretch's articles are out.
        let target = ((k + 1) * n / (times + 2)) as u64;
        let deadline = Instant::now() + Duration::from_secs(120);
        while events_out(&js).await.unwrap_or(0) < target && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if crash {
            server.restart();
        } else {
            server.restart_gracefully();
        }
    }
    feeder.await.unwrap();
    tally(&server.url(), scenario, prefix, n, started).await
}

/// One of two copies of `entities` is frozen (SIGSTOP) past the ack wait, then thawed: its
/// messages go to the other copy, and what it finishes late must not come out twice.
async fn frozen_replica(scenario: &'static str, n: usize) -> Tally {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let env = [("NEWSFLOW_ACK_WAIT", "2s")];
    let _stages = start_chain(&server.url(), &env);
    let frozen = StageProcess::start("entities", &server.url(), &env);
    let started = Instant::now();
    let feeder = tokio::spawn(feed(server.url(), "frozen", n));
    tokio::time::sleep(Duration::from_secs(1)).await;
    frozen.signal("STOP");
    tokio::time::sleep(Duration::from_secs(6)).await;
    frozen.signal("CONT");
    feeder.await.unwrap();
    tally(&server.url(), scenario, "frozen", n, started).await
}

/// Most bytes the events stream takes in one message in the poison scenario, as an operator
/// may set it (`max_msg_size`): far above any bundled sample's article event, far below the
/// poison article's.
const EVENT_SIZE_LIMIT: i32 = 256 * 1024;

/// One poison article among `n`: its article event is larger than the events stream takes, so
/// every delivery's publish is refused. After `NEWSFLOW_MAX_DELIVER` deliveries `events`
/// dead-letters it with the server's reason and publishes none of its events, while the
/// articles around it come out, each once.
async fn poison(scenario: &'static str, n: usize) -> Tally {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let client = server.client().await;
    let js = jetstream::new(client.clone());
    newsflow_e2e::limit_event_size(&js, EVENT_SIZE_LIMIT).await;
    let _stages = start_chain(
        &server.url(),
        &[
            ("NEWSFLOW_MAX_DELIVER", "3"),
            ("NEWSFLOW_RETRY_BACKOFF", "200ms"),
        ],
    );
    let started = Instant::now();
    let before = tokio::spawn(feed(server.url(), "poison", n / 2));
    // About 110 KB of text: its article event is several times that.
    let body: String = SAMPLES
        .iter()
        .map(|(_, text)| *text)
        .collect::<Vec<_>>()
        .join("\n\n");
    before.await.unwrap();
    publish_raw(&js, newsflow_e2e::raw_article("the-poison", &body))
        .await
        .unwrap();
    feed_from(server.url(), "poison", n / 2, n).await;
    let tally = tally(&server.url(), scenario, "poison", n, started).await;

    let letters = newsflow_e2e::read_at_least(
        &client,
        subjects::DEAD_LETTER_STREAM,
        &subjects::dead_letter("events"),
        1,
        Duration::from_secs(60),
    )
    .await;
    let letter = newsflow_e2e::json(letters.first().expect("the poison is dead-lettered"));
    println!("  the poison's dead letter: {}", letter["reason"]);
    assert_eq!(letter["article_id"], "the-poison", "{letter}");
    assert!(
        letter["reason"]
            .as_str()
            .is_some_and(|r| r.contains("gave up after 3 deliveries")),
        "{letter}"
    );
    let held = newsflow_e2e::messages_in(&js, subjects::EVENTS_STREAM).await;
    let events = newsflow_e2e::read_at_least(
        &client,
        subjects::EVENTS_STREAM,
        subjects::EVENTS_SUBJECTS,
        usize::try_from(held).unwrap(),
        Duration::from_secs(120),
    )
    .await;
    assert_eq!(events.len() as u64, held, "every event was read");
    assert_eq!(
        newsflow_e2e::count_by_article(&events).get("the-poison"),
        None,
        "none of the poison's events went out"
    );
    tally
}

fn header() {
    println!(
        "| scenario                                     |    fed |    out | lost | out twice  |      s |"
    );
    println!("|---|---|---|---|---|---|");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_stage_kills_lose_and_duplicate_nothing() {
    header();
    stage_kills("5 stage SIGKILLs, 300 articles", 300, 5)
        .await
        .assert_whole();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_server_crash_loses_and_duplicates_nothing() {
    header();
    server_restarts("server SIGKILL once, 300 articles", 300, 1, true)
        .await
        .assert_whole();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_poison_article_is_dead_lettered_while_the_rest_flow() {
    header();
    poison("a poison article among 200", 200)
        .await
        .assert_whole();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run with --ignored (see the file's header)"]
async fn chaos_poison_article() {
    header();
    poison("a poison article among 3,000", 3_000)
        .await
        .assert_whole();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run with --ignored (see the file's header)"]
async fn chaos_stage_kills() {
    header();
    stage_kills("20 stage SIGKILLs, 3,000 articles", 3_000, 20)
        .await
        .assert_whole();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run with --ignored (see the file's header)"]
async fn chaos_server_sigterm_three_times() {
    header();
    server_restarts(
        "server SIGTERM 3 times in a row, 3,000 articles",
        3_000,
        3,
        false,
    )
    .await
    .assert_whole();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run with --ignored (see the file's header)"]
async fn chaos_server_sigkill_three_times() {
    header();
    server_restarts(
        "server SIGKILL 3 times in a row, 3,000 articles",
        3_000,
        3,
        true,
    )
    .await
    .assert_whole();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run with --ignored (see the file's header)"]
async fn chaos_frozen_replica() {
    header();
    frozen_replica(
        "an entities copy SIGSTOPped 6 s (ack wait 2 s), 3,000 articles",
        3_000,
    )
    .await
    .assert_whole();
}
