//! The runtime's promises, with small stages run in-process against a real server: retries,
//! dead letters, de-duplication, shutdown and the admin endpoints.

use newsflow_e2e::{InProcessStage, NatsServer, ensure_streams, json, publish_raw, read_stream};
use newsflow_proto::subjects;
use newsflow_runtime::{Config, Envelope, Stage, StageError};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const OUT: &str = "newsflow.events.test";

fn config(url: &str) -> Config {
    let mut config = Config::with_url(url);
    config.stage_loop.retry_backoff = Duration::from_millis(100);
    config.stage_loop.ack_wait = Duration::from_secs(2);
    config.stage_loop.max_deliver = 3;
    config
}

/// A stage on the raw subject that echoes its input to `OUT` after `behaviour` decides.
fn echo(
    behaviour: impl Fn(usize, &str) -> Result<(), StageError> + Send + Sync + 'static,
) -> (Stage, Arc<AtomicUsize>) {
    echo_with_admin_port(0, behaviour)
}

/// [`echo`] whose admin endpoints default to `port`.
fn echo_with_admin_port(
    port: u16,
    behaviour: impl Fn(usize, &str) -> Result<(), StageError> + Send + Sync + 'static,
) -> (Stage, Arc<AtomicUsize>) {
    echo_named("echo", port, behaviour)
}

/// [`echo`] named `name` (the metrics' stage label; the tests of one file share a recorder).
fn echo_named(
    name: &'static str,
    port: u16,
    behaviour: impl Fn(usize, &str) -> Result<(), StageError> + Send + Sync + 'static,
) -> (Stage, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let stage = Stage::new(name, subjects::ARTICLES_RAW, port, move |payload| {
        let call = counter.fetch_add(1, Ordering::SeqCst);
        let value: serde_json::Value = newsflow_runtime::decode(payload)?;
        let id = value["id"].as_str().unwrap_or("none").to_owned();
        behaviour(call, &id)?;
        let envelope = Envelope::json(OUT, "test.v1", format!("{id}.echo"), Some(id), &value)
            .map_err(|err| StageError::Invalid(err.to_string()))?;
        Ok(vec![envelope])
    });
    (stage, calls)
}

async fn outputs(
    client: &async_nats::Client,
    at_least: usize,
    within: Duration,
) -> Vec<serde_json::Value> {
    read_stream(client, subjects::EVENTS_STREAM, OUT, within, |m| {
        m.len() >= at_least
    })
    .await
    .unwrap()
    .iter()
    .map(json)
    .collect()
}

async fn dead_letters(client: &async_nats::Client, at_least: usize) -> Vec<serde_json::Value> {
    read_stream(
        client,
        subjects::DEAD_LETTER_STREAM,
        "newsflow.dlq.echo",
        Duration::from_secs(15),
        |m| m.len() >= at_least,
    )
    .await
    .unwrap()
    .iter()
    .map(json)
    .collect()
}

#[tokio::test]
async fn stage_redelivers_after_transient_error() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let (stage, calls) = echo(|call, _| {
        if call == 0 {
            Err(StageError::Transient(anyhow::anyhow!(
                "database briefly away"
            )))
        } else {
            Ok(())
        }
    });
    let running = InProcessStage::start(stage, config(&server.url()));
    let client = server.client().await;
    publish_raw(
        &async_nats::jetstream::new(client.clone()),
        &br#"{"id":"a1"}"#[..],
    )
    .await
    .unwrap();
    let out = outputs(&client, 1, Duration::from_secs(10)).await;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0]["id"], "a1");
    assert_eq!(calls.load(Ordering::SeqCst), 2, "one failure, one success");
    running.stop().await.unwrap();
}

#[tokio::test]
async fn stage_outputs_carry_schema_article_id_dedup_id_and_the_inputs_trace() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let (stage, _) = echo(|_, _| Ok(()));
    let running = InProcessStage::start(stage, config(&server.url()));
    let client = server.client().await;
    let trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(newsflow_proto::headers::TRACEPARENT, trace);
    async_nats::jetstream::new(client.clone())
        .publish_with_headers(subjects::ARTICLES_RAW, headers, r#"{"id":"h1"}"#.into())
        .await
        .unwrap()
        .await
        .unwrap();
    let out = read_stream(
        &client,
        subjects::EVENTS_STREAM,
        OUT,
        Duration::from_secs(10),
        |m| !m.is_empty(),
    )
    .await
    .unwrap();
    let headers = out[0].headers.as_ref().expect("headers");
    let header = |name: &str| headers.get(name).map(|v| v.as_str().to_owned());
    assert_eq!(header("Newsflow-Schema").as_deref(), Some("test.v1"));
    assert_eq!(header("Newsflow-Article-Id").as_deref(), Some("h1"));
    assert_eq!(header("Nats-Msg-Id").as_deref(), Some("h1.echo"));
    // On an event the trace is the CloudEvents attribute, so the server does not read every
    // header of it to decide whether to trace it.
    assert_eq!(header("ce-traceparent").as_deref(), Some(trace));
    assert_eq!(header("traceparent"), None);
    running.stop().await.unwrap();
}

#[tokio::test]
async fn stage_dead_letters_after_max_deliveries() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let (stage, calls) = echo(|_, _| Err(StageError::Transient(anyhow::anyhow!("still down"))));
    let running = InProcessStage::start(stage, config(&server.url()));
    let client = server.client().await;
    publish_raw(
        &async_nats::jetstream::new(client.clone()),
        &br#"{"id":"a2"}"#[..],
    )
    .await
    .unwrap();
    let letters = dead_letters(&client, 1).await;
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["error_type"], "max_deliveries");
    assert_eq!(letters[0]["delivery_count"], 3);
    assert_eq!(
        letters[0]["reason"],
        "gave up after 3 deliveries; last error: still down"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    running.stop().await.unwrap();
}

/// While the dead-letter stream cannot take a letter, the message it is for stays on its work
/// stream and keeps coming back, past `NEWSFLOW_MAX_DELIVER`, until the letter is stored; also
/// through a consumer an earlier version made with a delivery limit on the server.
#[tokio::test]
async fn a_letter_that_cannot_be_stored_is_tried_again_until_it_can() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let client = server.client().await;
    let js = async_nats::jetstream::new(client.clone());
    // As earlier versions made it: the server itself stopped one delivery past the limit.
    let work = subjects::work_stream(subjects::ARTICLES_RAW).unwrap();
    js.get_stream(work)
        .await
        .unwrap()
        .create_consumer(async_nats::jetstream::consumer::pull::Config {
            durable_name: Some("echo".into()),
            ack_policy: async_nats::jetstream::consumer::AckPolicy::Explicit,
            max_deliver: 4,
            ..Default::default()
        })
        .await
        .unwrap();
    let (stage, calls) = echo(|_, id| match id {
        "owed" => Err(StageError::Invalid("never valid".into())),
        _ => Ok(()),
    });
    let running = InProcessStage::start(stage, config(&server.url()));
    // Once the stage is bound (it makes the streams it lacks when it binds), the dead-letter
    // stream goes.
    publish_raw(&js, &br#"{"id":"first"}"#[..]).await.unwrap();
    assert_eq!(outputs(&client, 1, Duration::from_secs(15)).await.len(), 1);
    js.delete_stream(subjects::DEAD_LETTER_STREAM)
        .await
        .unwrap();
    publish_raw(&js, &br#"{"id":"owed"}"#[..]).await.unwrap();
    // Every delivery up to the limit and the one after it (3 + 1) finds no stream for its letter.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while calls.load(Ordering::SeqCst) < 1 + 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "not delivered 3 times"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    ensure_streams(&server.url()).await.unwrap();
    let letters = dead_letters(&client, 1).await;
    assert_eq!(letters.len(), 1, "the letter never came");
    assert_eq!(letters[0]["error_type"], "max_deliveries");
    running.stop().await.unwrap();
}

#[tokio::test]
async fn stage_dead_letters_invalid_payload_and_a_panicking_handler() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let (stage, _) = echo(|_, id| {
        if id == "boom" {
            panic!("index out of range")
        } else {
            Ok(())
        }
    });
    let running = InProcessStage::start(stage, config(&server.url()));
    let client = server.client().await;
    let js = async_nats::jetstream::new(client.clone());
    publish_raw(&js, &b"{oops"[..]).await.unwrap();
    publish_raw(&js, &br#"{"id":"boom"}"#[..]).await.unwrap();
    publish_raw(&js, &br#"{"id":"fine"}"#[..]).await.unwrap();
    let mut letters = dead_letters(&client, 2).await;
    assert_eq!(letters.len(), 2);
    letters.sort_by_key(|l| l["stream_sequence"].as_u64());
    assert_eq!(letters[0]["error_type"], "decode");
    assert!(
        letters[0]["reason"]
            .as_str()
            .unwrap()
            .contains("payload is not valid JSON"),
        "{}",
        letters[0]
    );
    assert_eq!(
        letters[1]["reason"],
        "the stage panicked on this input: index out of range"
    );
    assert_eq!(letters[1]["payload"], r#"{"id":"boom"}"#);
    let out = outputs(&client, 1, Duration::from_secs(5)).await;
    assert_eq!(out.len(), 1, "the stage keeps going after a bad message");
    assert_eq!(out[0]["id"], "fine");
    running.stop().await.unwrap();
}

#[tokio::test]
async fn stage_publishes_one_output_when_the_same_input_arrives_twice() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let (stage, calls) = echo(|_, _| Ok(()));
    let running = InProcessStage::start(stage, config(&server.url()));
    let client = server.client().await;
    let js = async_nats::jetstream::new(client.clone());
    publish_raw(&js, &br#"{"id":"same"}"#[..]).await.unwrap();
    publish_raw(&js, &br#"{"id":"same"}"#[..]).await.unwrap();
    let out = outputs(&client, 2, Duration::from_secs(3)).await;
    assert_eq!(calls.load(Ordering::SeqCst), 2, "both inputs were handled");
    assert_eq!(
        out.len(),
        1,
        "the second output was de-duplicated by its Nats-Msg-Id"
    );
    running.stop().await.unwrap();
}

#[tokio::test]
async fn stage_finishes_in_flight_message_on_shutdown() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let started = Arc::new(AtomicUsize::new(0));
    let flag = started.clone();
    let (stage, _) = echo(move |_, _| {
        flag.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(1500));
        Ok(())
    });
    let running = InProcessStage::start(stage, config(&server.url()));
    let client = server.client().await;
    publish_raw(
        &async_nats::jetstream::new(client.clone()),
        &br#"{"id":"slow"}"#[..],
    )
    .await
    .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while started.load(Ordering::SeqCst) == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the message never reached the handler"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    running.stop().await.unwrap();
    let out = outputs(&client, 1, Duration::from_secs(2)).await;
    assert_eq!(
        out.len(),
        1,
        "the in-flight message was finished and published before stopping"
    );
    let work = async_nats::jetstream::new(client.clone())
        .get_stream("NEWSFLOW_RAW")
        .await
        .unwrap();
    let echo = work.consumer_info("echo").await.unwrap();
    assert_eq!(
        (echo.num_ack_pending, echo.num_pending),
        (0, 0),
        "and acked"
    );
}

async fn http_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

#[tokio::test]
async fn a_second_copy_of_a_stage_serves_its_admin_endpoints_on_a_free_port() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    // The first copy holds the stage's own admin port.
    let first = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = first.local_addr().unwrap();
    let mut second = config(&server.url());
    second.stage_loop.admin_addr = None;
    let (stage, _) = echo_with_admin_port(taken.port(), |_, _| Ok(()));
    let running = InProcessStage::start(stage, second);
    let client = server.client().await;
    publish_raw(
        &async_nats::jetstream::new(client.clone()),
        &br#"{"id":"second"}"#[..],
    )
    .await
    .unwrap();
    outputs(&client, 1, Duration::from_secs(10)).await;
    running
        .stop()
        .await
        .expect("the second copy ran beside the first");

    // An address the operator gave is used or refused, never replaced.
    let mut given = config(&server.url());
    given.stage_loop.admin_addr = Some(newsflow_runtime::config::AdminAddr::At(taken));
    let (stage, _) = echo(|_, _| Ok(()));
    let err = newsflow_runtime::run(stage, given, std::future::pending())
        .await
        .expect_err("the given address is taken");
    assert!(err.to_string().contains("NEWSFLOW_ADMIN_ADDR"), "{err:#}");
}

#[tokio::test]
async fn admin_endpoints_report_health_readiness_and_metrics() {
    let server = NatsServer::start();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut config = config(&server.url());
    config.stage_loop.admin_addr = Some(newsflow_runtime::config::AdminAddr::At(addr));
    let (stage, _) = echo_named("echo-metrics", 0, |_, _| Ok(()));
    let running = InProcessStage::start(stage, config);
    let client = server.client().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_ok()
            && http_get(addr, "/readyz").await.0 == 200
        {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(http_get(addr, "/healthz").await.0, 200);
    let (_, before) = http_get(addr, "/metrics").await;
    assert!(
        before.contains("newsflow_messages_processed_total{stage=\"echo-metrics\"} 0"),
        "the counters are there before the first message: {before}"
    );
    assert!(
        http_get(addr, "/readyz")
            .await
            .1
            .contains("echo-metrics: consumer bound")
    );
    publish_raw(
        &async_nats::jetstream::new(client.clone()),
        &br#"{"id":"m1"}"#[..],
    )
    .await
    .unwrap();
    outputs(&client, 1, Duration::from_secs(5)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (status, body) = http_get(addr, "/metrics").await;
        assert_eq!(status, 200);
        if body.contains("newsflow_messages_processed_total{stage=\"echo-metrics\"} 1") {
            assert!(
                body.contains("newsflow_process_duration_seconds_bucket{stage=\"echo-metrics\""),
                "{body}"
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "processed counter never showed up: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    running.stop().await.unwrap();
}
