//! The chain on a three-node NATS cluster, as `deploy/nats/cluster/` lays it out: with
//! `NEWSFLOW_REPLICAS=3` every stream the stages and the feeder create, or find with one
//! replica, is kept by all three servers, and articles go through. On a single server the same
//! setting keeps a stage from binding, with a message that says why.

use async_nats::jetstream::{self, stream};
use newsflow_e2e::{article_events, json, server_binary, start_chain};
use newsflow_pipeline::samples::SAMPLES;
use newsflow_runtime::server::{LocalServer, Options};
use std::time::{Duration, Instant};

const NODES: usize = 3;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Three servers routed to each other, each with its own store under `dir`.
fn cluster(dir: &std::path::Path) -> Vec<LocalServer> {
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
            let options = Options {
                port: None,
                store: dir.join(format!("node-{node}")),
                log: None,
                monitor: false,
                env: Vec::new(),
                config,
            };
            LocalServer::start(&server_binary(), &options).unwrap_or_else(|err| panic!("{err:#}"))
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
            "KV_NEWSFLOW_REVISIONS",
            "NEWSFLOW_DLQ",
            "NEWSFLOW_ENTITIES",
            "NEWSFLOW_EVENTS",
            "NEWSFLOW_INGESTED",
            "NEWSFLOW_QUOTES",
            "NEWSFLOW_RAW",
            "NEWSFLOW_SEGMENTED",
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
