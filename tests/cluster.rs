//! The chain on a three-node NATS cluster, as `deploy/nats/cluster/` lays it out: with
//! `NEWSFLOW_REPLICAS=3` every stream the stages and the feeder create, or find with one
//! replica, is kept by all three servers, and articles go through. On a single server the same
//! setting keeps a stage from binding, with a message that says why.

use async_nats::jetstream::{self, stream};
use newsflow_e2e::{article_events, free_port, json, server_binary, start_chain};
use newsflow_pipeline::samples::SAMPLES;
use newsflow_proto::{headers, subjects};
use newsflow_runtime::server::{LocalServer, Options};
use std::time::{Duration, Instant};

const NODES: usize = 3;

/// Three servers routed to each other, each with its own store under `dir`.
fn cluster(dir: &std::path::Path) -> Vec<LocalServer> {
    start_nodes(&node_options(dir))
}

fn start_nodes(options: &[Options]) -> Vec<LocalServer> {
    options
        .iter()
        .map(|options| {
            LocalServer::start(&server_binary(), options).unwrap_or_else(|err| panic!("{err:#}"))
        })
        .collect()
}

/// How each of three routed servers is started (again, after a kill: same ports, same store).
fn node_options(dir: &std::path::Path) -> Vec<Options> {
    let routes: Vec<u16> = (0..NODES).map(|_| free_port()).collect();
    let route_list = routes
        .iter()
        .map(|port| format!("nats-route://127.0.0.1:{port}"))
        .collect::<Vec<_>>()
        .join(", ");
    (0..NODES)
        .map(|node| {
            let config = format!(
                "server_name: node-{node}\ncluster {{\n  name: newsflow-test\n  listen: 127.0.0.1:{}\n  routes: [{route_list}]\n}}",
                routes[node]
            );
            Options {
                port: Some(free_port()),
                store: dir.join(format!("node-{node}")),
                log: None,
                monitor: false,
                env: Vec::new(),
                config,
            }
        })
        .collect()
}

/// Waits until the cluster has elected its JetStream leader and can place a stream on all its
/// servers.
async fn wait_for_jetstream(js: &jetstream::Context) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let probe = stream::Config {
            name: "PROBE".to_owned(),
            subjects: vec!["probe".to_owned()],
            num_replicas: NODES,
            ..Default::default()
        };
        if js.create_stream(probe).await.is_ok() {
            js.delete_stream("PROBE")
                .await
                .expect("the probe stream goes");
            return;
        }
        assert!(Instant::now() < deadline, "the cluster never formed");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_stream_is_kept_by_all_three_servers_and_articles_go_through() {
    let dir = tempfile::tempdir().unwrap();
    let servers = cluster(dir.path());
    // Every process is given all three servers, as NATS_URL documents.
    let url = servers
        .iter()
        .map(LocalServer::url)
        .collect::<Vec<_>>()
        .join(",");
    let client = async_nats::connect(servers[0].url())
        .await
        .expect("connecting");
    let js = jetstream::new(client.clone());
    wait_for_jetstream(&js).await;

    // Streams made before the setting, with one replica each: the stages change them.
    newsflow_e2e::ensure_streams(&url)
        .await
        .expect("streams with one replica");
    let _stages = start_chain(&url, &[("NEWSFLOW_REPLICAS", "3")]);
    // The feeder may come first: `newsflow feed` creates the raw stream with the same setting.
    let articles = dir.path().join("articles");
    std::fs::create_dir(&articles).unwrap();
    for (name, text) in &SAMPLES[..2] {
        std::fs::write(articles.join(name), text).unwrap();
    }
    let feeder = std::process::Command::new(newsflow_e2e::newsflow_bin())
        .arg("feed")
        .arg(&articles)
        .env("NATS_URL", &url)
        .env("NEWSFLOW_REPLICAS", "3")
        .output()
        .expect("newsflow feed runs");
    assert!(
        feeder.status.success(),
        "feed failed: {}",
        String::from_utf8_lossy(&feeder.stderr)
    );

    let events = article_events(&client, 2, Duration::from_secs(120)).await;
    let mut ids: Vec<String> = events
        .iter()
        .map(|event| json(event)["article_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 2, "both articles came out: {ids:?}");

    let mut names: Vec<String> = {
        use futures::TryStreamExt as _;
        js.stream_names().try_collect().await.expect("stream names")
    };
    names.sort();
    assert_eq!(
        names,
        [
            "KV_NEWSFLOW_ENTITY_KEYS",
            "KV_NEWSFLOW_REVISIONS",
            "NEWSFLOW_DLQ",
            "NEWSFLOW_ENTITIES",
            "NEWSFLOW_EVENTS",
            "NEWSFLOW_INGESTED",
            "NEWSFLOW_QUOTES",
            "NEWSFLOW_RAW",
            "NEWSFLOW_SEGMENTED",
            "NEWSFLOW_SIGNATURES",
        ]
    );
    for name in &names {
        let info = js
            .get_stream(name)
            .await
            .expect("the stream")
            .info()
            .await
            .expect("its info")
            .clone();
        assert_eq!(info.config.num_replicas, NODES, "{name}");
        let cluster = info.cluster.expect("cluster info");
        assert_eq!(cluster.replicas.len(), NODES - 1, "{name}: {cluster:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_on_a_single_server_keep_a_stage_unready_saying_why() {
    let server = newsflow_e2e::NatsServer::start();
    let mut stage = std::process::Command::new(newsflow_e2e::newsflow_bin())
        .args(["run", "segment"])
        .env("NATS_URL", server.url())
        .env("NEWSFLOW_REPLICAS", "3")
        .env("NEWSFLOW_ADMIN_ADDR", "off")
        .env("LOG_FORMAT", "json")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("newsflow runs");
    // It keeps retrying (a cluster may be forming), saying why each time.
    let (tx, rx) = std::sync::mpsc::channel();
    let outputs: [Box<dyn std::io::Read + Send>; 2] = [
        Box::new(stage.stdout.take().expect("stdout")),
        Box::new(stage.stderr.take().expect("stderr")),
    ];
    for output in outputs {
        let tx = tx.clone();
        std::thread::spawn(move || {
            use std::io::BufRead as _;
            for line in std::io::BufReader::new(output)
                .lines()
                .map_while(Result::ok)
            {
                let _ = tx.send(line);
            }
        });
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut log = String::new();
    while !(log.contains("NEWSFLOW_REPLICAS") && log.contains("single server")) {
        let wait = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok(line) => log.push_str(&line),
            Err(_) => break,
        }
    }
    stage.kill().expect("the stage stops");
    let _ = stage.wait();
    assert!(
        log.contains("NEWSFLOW_REPLICAS") && log.contains("single server"),
        "{log}"
    );
}

/// A client that may use any of the comma-separated servers of `url`.
async fn connect_any(url: &str) -> async_nats::Client {
    let servers: Vec<async_nats::ServerAddr> = url.split(',').map(|u| u.parse().unwrap()).collect();
    async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .connect(servers)
        .await
        .expect("connecting")
}

/// The server (by index) leading `stream`, once it has a leader.
async fn leader_of(js: &jetstream::Context, stream: &str) -> usize {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(mut found) = js.get_stream(stream).await
            && let Ok(info) = found.info().await
            && let Some(leader) = info.cluster.as_ref().and_then(|c| c.leader.clone())
            && let Some(node) = leader.strip_prefix("node-").and_then(|n| n.parse().ok())
        {
            return node;
        }
        assert!(Instant::now() < deadline, "{stream} has no leader");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Article events out, counted by article id, read through any live server.
async fn events_by_id(
    url: &str,
    at_least: usize,
    within: Duration,
) -> std::collections::HashMap<String, usize> {
    let client = connect_any(url).await;
    let deadline = Instant::now() + within;
    // While a stream elects a new leader it does not answer: try again.
    let messages = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match newsflow_e2e::read_stream(
            &client,
            subjects::EVENTS_STREAM,
            subjects::EVENTS_ARTICLE,
            left,
            |seen| seen.len() >= at_least,
        )
        .await
        {
            Ok(messages) => break messages,
            Err(err) if Instant::now() >= deadline => panic!("reading the events: {err:#}"),
            Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
        }
    };
    newsflow_e2e::count_by_article(&messages)
}

/// The cluster loses the server leading the raw articles' stream mid-run; once it is back, it
/// loses another. With every stream kept three times, the chain goes on through both: every
/// article comes out, once.
async fn losing_nodes(articles: usize) {
    let dir = tempfile::tempdir().unwrap();
    let options = node_options(dir.path());
    let mut servers = start_nodes(&options);
    let url = servers
        .iter()
        .map(LocalServer::url)
        .collect::<Vec<_>>()
        .join(",");
    let client = connect_any(&url).await;
    let js = jetstream::new(client.clone());
    wait_for_jetstream(&js).await;
    // A short ack wait brings back quickly what a lost node held; each delivery sent to a
    // connection that died with its node counts as one, so more deliveries are allowed before a
    // message is given up on than the default 5 (a give-up would be a dead letter, not a loss,
    // which the test prints with its reason when articles are missing).
    let _stages = start_chain(
        &url,
        &[
            ("NEWSFLOW_REPLICAS", "3"),
            ("NEWSFLOW_ACK_WAIT", "2s"),
            ("NEWSFLOW_MAX_DELIVER", "20"),
        ],
    );
    let started = Instant::now();
    let feeder = {
        let url = url.clone();
        tokio::spawn(async move {
            let js = jetstream::new(connect_any(&url).await);
            for i in 0..articles {
                let (_, text) = SAMPLES[i % SAMPLES.len()];
                let raw = serde_json::json!({ "id": format!("node-loss-{i}"), "body": format!("{text}\n\nCopy {i}.") });
                let payload = serde_json::to_vec(&raw).unwrap();
                let deadline = Instant::now() + Duration::from_secs(120);
                // Published with the same id each time: the stream keeps one copy.
                let mut headers = async_nats::HeaderMap::new();
                headers.insert(headers::SCHEMA, newsflow_proto::schema::ARTICLE_RAW);
                headers.insert(headers::MSG_ID, format!("node-loss-{i}").as_str());
                loop {
                    let sent = async {
                        js.publish_with_headers(
                            subjects::ARTICLES_RAW,
                            headers.clone(),
                            payload.clone().into(),
                        )
                        .await?
                        .await
                        .map_err(anyhow::Error::from)
                    };
                    if tokio::time::timeout(Duration::from_secs(5), sent)
                        .await
                        .is_ok_and(|r| r.is_ok())
                    {
                        break;
                    }
                    assert!(
                        Instant::now() < deadline,
                        "node-loss-{i} could not be fed for 2 minutes"
                    );
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        })
    };
    // Wait for the raw stream to exist with its three copies, and for some articles to be out.
    let first = leader_of(&js, subjects::WORK_STREAMS[0].0).await;
    let _ = events_by_id(&url, articles / 4, Duration::from_secs(120)).await;
    servers[first].kill();
    let _ = events_by_id(&url, articles / 2, Duration::from_secs(120)).await;
    servers[first] = LocalServer::start(&server_binary(), &options[first])
        .unwrap_or_else(|err| panic!("{err:#}"));
    // Once it has caught up, another goes: the one leading the raw stream now, if not the same.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let second = match leader_of(&js, subjects::WORK_STREAMS[0].0).await {
        leader if leader != first => leader,
        _ => (first + 1) % NODES,
    };
    servers[second].kill();
    feeder.await.unwrap();
    let _ = events_by_id(&url, articles, Duration::from_secs(180)).await;
    // Then everything there is, copies included: read until nothing more comes.
    let count = events_by_id(&url, usize::MAX, Duration::from_secs(15)).await;
    let lost = (0..articles)
        .filter(|i| !count.contains_key(&format!("node-loss-{i}")))
        .count();
    let twice = count.values().filter(|&&n| n > 1).count();
    println!(
        "| {:<44} | {:>6} | {:>6} | {:>4} | {:>10} | {:>6.1} |",
        format!("cluster: raw leader killed, back, another killed, {articles} articles"),
        articles,
        count.len(),
        lost,
        twice,
        started.elapsed().as_secs_f64()
    );
    if lost > 0 {
        // Where the missing articles are: still in a work stream, waiting or in flight, or
        // dead-lettered (a CI run once ended with 9 of 200 missing after 180 s).
        let js = jetstream::new(connect_any(&url).await);
        for (name, _) in subjects::WORK_STREAMS.iter().chain(&[
            (subjects::DEAD_LETTER_STREAM, ""),
            (subjects::EVENTS_STREAM, ""),
        ]) {
            match js.get_stream(*name).await {
                Ok(stream) => {
                    let state = &stream.cached_info().state;
                    let mut consumers = Vec::new();
                    let mut listed = stream.consumers();
                    use futures::StreamExt as _;
                    while let Ok(Some(Ok(info))) =
                        tokio::time::timeout(Duration::from_secs(5), listed.next()).await
                    {
                        consumers.push(format!(
                            "{}: pending {}, ack pending {}, redelivered {}",
                            info.name, info.num_pending, info.num_ack_pending, info.num_redelivered
                        ));
                    }
                    eprintln!(
                        "{name}: {} messages (seq {}..{}); {consumers:?}",
                        state.messages, state.first_sequence, state.last_sequence
                    );
                }
                Err(err) => eprintln!("{name}: {err}"),
            }
        }
        let client = connect_any(&url).await;
        if let Ok(letters) = newsflow_e2e::read_stream(
            &client,
            subjects::DEAD_LETTER_STREAM,
            "newsflow.dlq.>",
            Duration::from_secs(5),
            |_| false,
        )
        .await
        {
            for letter in letters.iter().map(json) {
                eprintln!("dead letter from {}: {}", letter["stage"], letter["reason"]);
            }
        }
    }
    assert_eq!((lost, twice), (0, 0), "{} of {articles} out", count.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chain_goes_on_through_the_loss_of_two_nodes_one_after_the_other() {
    losing_nodes(200).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run with --ignored (tests/chaos.rs says how)"]
async fn chaos_cluster_node_losses() {
    losing_nodes(2_000).await;
}
