//! `newsflow bench pipeline`: the whole chain on the bus, every stage its own `newsflow run`
//! process (with as many replicas as asked), against a private nats-server started for the run.
//!
//! It measures, in one invocation:
//! - **throughput**: N articles pre-loaded on `newsflow.articles.raw`, then the stages started and
//!   timed until every one of them has settled its backlog (articles/s end to end), with each
//!   stage's own settled/s, CPU ms per article, peak resident memory and each replica's share;
//!   the server's CPU ms per article; the messages and bytes (payload and headers) the stages and
//!   the feeder published per article;
//! - the same for the **bare bus**: the same streams, stages, replicas and runtime, each stage a
//!   pass-through that forwards its input unchanged, so the text work is the only difference;
//! - **latency** at a fixed rate: articles fed at `--rate` per second and the time from each
//!   publish to its article event (p50, p99, max);
//! - with `--check-memory`, whether every stage's resident memory at the end stays within 20% of
//!   what it was after the first 10,000 articles.
//!
//! With `--nats-url` the runs use that server instead of a private one; it must hold no newsflow
//! streams (the bench creates them and deletes them after each run), and the server's CPU and
//! traffic are then not measured (its process is not this machine's to read).
//!
//! The processes are this machine's: the figures depend on its cores and on what else runs.

mod procs;
mod report;

use anyhow::Context as _;
use futures::{StreamExt as _, TryStreamExt as _};
use newsflow_client::{Event, Filter, Kind, Start};
use newsflow_proto::{Envelope, schema, subjects};
use newsflow_runtime::server::{self, LocalServer};
use newsflow_runtime::{Bus, ConnectMode, Connection, Replication, status, streams};
use procs::Replica;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use report::render;

/// Articles after which `--check-memory` takes its first reading.
const MEMORY_BASELINE_ARTICLES: usize = 10_000;
/// How much resident memory may grow between that reading and the end.
const MEMORY_GROWTH_LIMIT: f64 = 1.2;
/// A run fails when no stage settles anything for this long.
const STALL: Duration = Duration::from_secs(60);
/// Raw articles in flight while pre-loading.
const FEED_DEPTH: usize = 256;
/// How long the latency run waits for the last article after feeding it.
const LATENCY_GRACE: Duration = Duration::from_secs(30);

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Articles pre-loaded for the throughput runs.
    pub articles: usize,
    /// Replicas per stage (1 for a stage not named).
    pub replicas: BTreeMap<String, usize>,
    /// Articles to feed: `.txt` files of a folder or a JSON Lines file of `article.raw.v1`;
    /// `None` for the bundled samples.
    pub corpus: Option<PathBuf>,
    /// Articles per second of the latency run.
    pub rate: f64,
    /// Articles of the latency run.
    pub rate_articles: usize,
    /// Also run the bare bus.
    pub bare_bus: bool,
    /// Compare each stage's memory after 10,000 articles with the end.
    pub check_memory: bool,
    /// Show progress on stderr.
    pub progress: bool,
    /// The `newsflow` binary that runs the stages.
    pub newsflow: PathBuf,
    /// A server to run against instead of a private one per run.
    pub nats_url: Option<String>,
}

/// Everything one invocation measured.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Articles per throughput run.
    pub articles: usize,
    /// Where they came from.
    pub corpus: String,
    /// Mean bytes of article text per article.
    pub text_bytes_per_article: f64,
    /// The nats-server release the runs used.
    pub nats_server: String,
    /// Cores of this machine.
    pub cores: usize,
    /// End-to-end articles/s of the chain, backlog drained.
    pub articles_per_sec: f64,
    /// The same for the bare bus.
    pub bare_bus_articles_per_sec: Option<f64>,
    /// `articles_per_sec / bare_bus_articles_per_sec`.
    pub fraction_of_bus: Option<f64>,
    /// Messages published per article (stages' outputs, events, dead letters, the raw article).
    pub bus_messages_per_article: f64,
    /// Bytes published per article, payload and headers.
    pub bus_bytes_per_article: f64,
    /// `bus_bytes_per_article / text_bytes_per_article`.
    pub bus_bytes_per_text_byte: f64,
    /// The server's CPU time per article (`None` with `--nats-url`, as are the next two).
    pub server_cpu_ms_per_article: Option<f64>,
    /// Every message the server received per article, acks and requests included.
    pub server_in_msgs_per_article: Option<f64>,
    /// Every byte the server received per article.
    pub server_in_bytes_per_article: Option<f64>,
    /// Articles per second fed in the latency run.
    pub rate: f64,
    /// Articles the latency run fed.
    pub rate_articles: usize,
    /// Article events per second that came out during it.
    pub rate_out_per_sec: f64,
    /// Median time from publishing an article to its article event.
    pub p50_ms: f64,
    /// 99th percentile of that time.
    pub p99_ms: f64,
    /// Longest of that time.
    pub max_ms: f64,
    /// Per stage.
    pub stages: BTreeMap<String, StageFigures>,
    /// The bare bus run, when measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bare_bus: Option<Drain>,
    /// The memory check, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<MemoryCheck>,
}

/// One drained backlog.
#[derive(Debug, Clone, Serialize)]
pub struct Drain {
    /// End-to-end articles/s.
    pub articles_per_sec: f64,
    /// Seconds from starting the stages to the last one settling its backlog.
    pub seconds: f64,
    /// Messages published per article.
    pub bus_messages_per_article: f64,
    /// Bytes published per article, payload and headers.
    pub bus_bytes_per_article: f64,
    /// The server's CPU time per article.
    pub server_cpu_ms_per_article: Option<f64>,
    /// Every message the server received per article.
    pub server_in_msgs_per_article: Option<f64>,
    /// Every byte the server received per article.
    pub server_in_bytes_per_article: Option<f64>,
    /// Per stage.
    pub stages: BTreeMap<String, StageFigures>,
    #[serde(skip)]
    memory_at_baseline: Option<BTreeMap<String, f64>>,
    #[serde(skip)]
    memory_at_end: BTreeMap<String, f64>,
}

/// One stage's figures in one run.
#[derive(Debug, Clone, Serialize)]
pub struct StageFigures {
    /// Copies of the stage, each its own process.
    pub replicas: usize,
    /// Messages it settled per second, from the start until its backlog was done.
    pub settled_per_sec: f64,
    /// CPU time of all its replicas per article.
    pub cpu_ms_per_article: f64,
    /// The largest peak resident memory of its replicas.
    pub peak_rss_mb: f64,
    /// Each replica's share of the messages the stage processed.
    pub replica_shares: Vec<f64>,
}

/// What `--check-memory` found.
#[derive(Debug, Clone, Serialize)]
pub struct MemoryCheck {
    /// Articles after which the first reading was taken.
    pub baseline_articles: usize,
    /// Per stage: resident MB (summed over replicas) then, at the end, and the ratio.
    pub stages: BTreeMap<String, MemoryGrowth>,
    /// Whether every stage stayed within 20%.
    pub ok: bool,
}

/// One stage's memory in the check.
#[derive(Debug, Clone, Serialize)]
pub struct MemoryGrowth {
    /// Resident MB after the baseline articles.
    pub rss_after_baseline_mb: f64,
    /// Resident MB at the end.
    pub rss_end_mb: f64,
    /// End over baseline.
    pub growth: f64,
}

/// Runs the bench (its own Tokio runtime on a thread of its own, so any caller may call it).
///
/// # Errors
/// When the server or a stage cannot start, a stage dies or stalls, or the corpus is unreadable.
pub fn run(options: &Options) -> anyhow::Result<Report> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .context("starting the bench's runtime")?
                    .block_on(run_async(options))
            })
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the bench panicked")))
    })
}

async fn run_async(options: &Options) -> anyhow::Result<Report> {
    for name in options.replicas.keys() {
        anyhow::ensure!(
            newsflow_pipeline::find(name).is_some(),
            "--replicas names {name:?}, which is not a stage ({})",
            newsflow_pipeline::names().collect::<Vec<_>>().join(", ")
        );
    }
    let corpus = Corpus::load(options.corpus.as_deref())?;
    let (binary, version) = match &options.nats_url {
        None => {
            let binary = server::find_or_install(std::path::Path::new(server::HOME))?;
            let version = server::version(&binary).unwrap_or_else(|| "unknown".to_owned());
            (Some(binary), version)
        }
        Some(url) => {
            let bus = connect(url).await?;
            refuse_newsflow_streams(&bus, url).await?;
            (None, bus.nats().server_info().version)
        }
    };
    let binary = binary.as_deref();
    // Count what this process publishes (the feeder's share of the bus).
    newsflow_runtime::metrics::handle();
    let bare = if options.bare_bus {
        let (figures, server, _) = drain(options, &corpus, binary, Mode::BareBus).await?;
        server.clear().await?;
        Some(figures)
    } else {
        None
    };
    let (real, server, replicas) = drain(options, &corpus, binary, Mode::Newsflow).await?;
    let latency = latency(options, &corpus, &server).await;
    for replica in replicas {
        replica.stop();
    }
    server.clear().await?;
    let latency = latency?;
    let memory = options.check_memory.then(|| memory_check(&real));
    let text = corpus.text_bytes_per_article();
    Ok(Report {
        articles: options.articles,
        corpus: corpus.name.clone(),
        text_bytes_per_article: text,
        nats_server: version,
        cores: std::thread::available_parallelism().map_or(1, usize::from),
        articles_per_sec: real.articles_per_sec,
        bare_bus_articles_per_sec: bare.as_ref().map(|b| b.articles_per_sec),
        fraction_of_bus: bare
            .as_ref()
            .map(|b| real.articles_per_sec / b.articles_per_sec),
        bus_messages_per_article: real.bus_messages_per_article,
        bus_bytes_per_article: real.bus_bytes_per_article,
        bus_bytes_per_text_byte: real.bus_bytes_per_article / text,
        server_cpu_ms_per_article: real.server_cpu_ms_per_article,
        server_in_msgs_per_article: real.server_in_msgs_per_article,
        server_in_bytes_per_article: real.server_in_bytes_per_article,
        rate: options.rate,
        rate_articles: latency.articles,
        rate_out_per_sec: latency.out_per_sec,
        p50_ms: latency.p50_ms,
        p99_ms: latency.p99_ms,
        max_ms: latency.max_ms,
        stages: real.stages.clone(),
        bare_bus: bare,
        memory,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    BareBus,
    Newsflow,
}

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Self::BareBus => "bare bus",
            Self::Newsflow => "newsflow",
        }
    }
}

/// The server of one run: a private one with its store and logs in a folder of its own, or the
/// one `--nats-url` names (`server` is `None`).
struct RunServer {
    server: Option<LocalServer>,
    bus: Bus,
    _dir: tempfile::TempDir,
}

impl RunServer {
    /// Deletes what the run left on a server that is not the bench's own: every newsflow
    /// stream, so the next run starts from nothing too. A private server goes with its folder.
    async fn clear(&self) -> anyhow::Result<()> {
        if self.server.is_some() {
            return Ok(());
        }
        let js = async_nats::jetstream::new(self.bus.nats().clone());
        for name in newsflow_streams(&self.bus).await? {
            js.delete_stream(&name)
                .await
                .with_context(|| format!("deleting the stream {name} the run made"))?;
        }
        Ok(())
    }
}

async fn connect(url: &str) -> anyhow::Result<Bus> {
    Bus::connect(
        &Connection::with_url(url.to_owned()),
        "newsflow-bench",
        ConnectMode::FailFast,
    )
    .await
}

/// The newsflow streams on the server, the revisions bucket's included.
async fn newsflow_streams(bus: &Bus) -> anyhow::Result<Vec<String>> {
    let js = async_nats::jetstream::new(bus.nats().clone());
    let names: Vec<String> = js
        .stream_names()
        .try_collect()
        .await
        .context("listing the server's streams")?;
    Ok(names
        .into_iter()
        .filter(|name| name.starts_with("NEWSFLOW_") || name.starts_with("KV_NEWSFLOW_"))
        .collect())
}

/// The bench deletes the streams it makes: it must not run where newsflow already keeps some.
async fn refuse_newsflow_streams(bus: &Bus, url: &str) -> anyhow::Result<()> {
    let found = newsflow_streams(bus).await?;
    anyhow::ensure!(
        found.is_empty(),
        "the server at {} already has newsflow streams ({}); the bench creates them and deletes \
         them after each run, so it needs a server without them: point --nats-url at another one, \
         or delete them first (nats stream rm NAME)",
        newsflow_runtime::without_passwords(url),
        found.join(", ")
    );
    Ok(())
}

/// Pre-loads the articles, starts every stage (pass-throughs for the bare bus) and times them
/// until every stage has settled its backlog. Returns the figures, and the server and the stages
/// still running (for the latency run).
async fn drain(
    options: &Options,
    corpus: &Corpus,
    binary: Option<&std::path::Path>,
    mode: Mode,
) -> anyhow::Result<(Drain, RunServer, Vec<Replica>)> {
    let dir = tempfile::tempdir().context("creating a folder for the run")?;
    let server = match binary {
        Some(binary) => Some(LocalServer::start(
            binary,
            &server::Options {
                port: None,
                store: dir.path().join("store"),
                log: Some(dir.path().join("nats-server.log")),
                monitor: true,
                env: Vec::new(),
                config: String::new(),
            },
        )?),
        None => None,
    };
    let url = match (&server, &options.nats_url) {
        (Some(server), _) => server.url(),
        (None, Some(url)) => url.clone(),
        (None, None) => anyhow::bail!("no server to run against"),
    };
    let bus = connect(&url).await?;
    streams::ensure_work_stream(&bus, subjects::ARTICLES_RAW, Replication::default()).await?;
    let n = options.articles;
    progress(options, &format!("{}: feeding {n} articles", mode.label()));
    let fed_before = feeder_published();
    feed(&bus, corpus, 0..n, "bench").await?;
    let fed = feeder_published().minus(&fed_before);

    let names: Vec<&'static str> = newsflow_pipeline::names().collect();
    let inputs: Vec<(&str, &str)> = newsflow_pipeline::STAGES
        .iter()
        .map(|s| (s.name, s.input))
        .collect();
    let mut replicas = Vec::new();
    let traffic_before = server.as_ref().map(server_traffic).transpose()?;
    let server_cpu_before = server
        .as_ref()
        .map(|server| procs::cpu_seconds(server.pid()))
        .transpose()?;
    let started = Instant::now();
    for name in &names {
        for index in 0..options.replicas.get(*name).copied().unwrap_or(1) {
            replicas.push(Replica::start(
                &options.newsflow,
                name,
                index,
                &url,
                mode == Mode::BareBus,
                dir.path(),
            )?);
        }
    }
    let mut done_at: BTreeMap<&str, f64> = BTreeMap::new();
    let mut memory_at_baseline = None;
    let mut last_progress = Instant::now();
    let (mut last_settled, mut last_change) = (0u64, Instant::now());
    let copies = newsflow_runtime::report::Copies::listen(&bus).await?;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        for replica in &mut replicas {
            replica.check_alive()?;
        }
        let rows = status::read(&bus, &inputs, Duration::ZERO, &copies).await?;
        let elapsed = started.elapsed().as_secs_f64();
        for row in &rows {
            if row.consumer && row.settled >= n as u64 && row.pending == 0 && row.ack_pending == 0 {
                done_at
                    .entry(stage_name(&names, &row.stage))
                    .or_insert(elapsed);
            }
        }
        let settled: u64 = rows.iter().map(|r| r.settled).sum();
        if settled != last_settled {
            (last_settled, last_change) = (settled, Instant::now());
        }
        let out = rows.last().map_or(0, |r| r.settled);
        if options.check_memory
            && memory_at_baseline.is_none()
            && out >= MEMORY_BASELINE_ARTICLES as u64
        {
            memory_at_baseline = Some(resident(&replicas)?);
        }
        if done_at.len() == names.len() {
            break;
        }
        anyhow::ensure!(
            last_change.elapsed() < STALL,
            "{}: nothing settled for {}s; the stages stand at: {}",
            mode.label(),
            STALL.as_secs(),
            rows.iter()
                .map(|r| format!("{} {} settled, {} pending", r.stage, r.settled, r.pending))
                .collect::<Vec<_>>()
                .join("; ")
        );
        if last_progress.elapsed() >= Duration::from_secs(1) {
            last_progress = Instant::now();
            progress(
                options,
                &format!(
                    "{}: {out}/{n} articles out, {:.0}/s, {elapsed:.0}s",
                    mode.label(),
                    out as f64 / elapsed
                ),
            );
        }
    }
    let seconds = done_at.values().copied().fold(0.0, f64::max);
    let server_cpu = match (&server, server_cpu_before) {
        (Some(server), Some(before)) => Some(procs::cpu_seconds(server.pid())? - before),
        _ => None,
    };
    let traffic = match (&server, &traffic_before) {
        (Some(server), Some(before)) => Some(server_traffic(server)?.minus(before)),
        _ => None,
    };
    let mut stages = BTreeMap::new();
    let mut published = fed;
    for name in &names {
        let mine: Vec<&Replica> = replicas.iter().filter(|r| r.stage == *name).collect();
        let mut processed = Vec::new();
        let (mut cpu, mut peak) = (0.0, 0.0_f64);
        for replica in &mine {
            let metrics = replica.metrics()?;
            processed.push(metrics.sum(newsflow_runtime::metrics::PROCESSED));
            published.messages += metrics.sum(newsflow_runtime::metrics::PUBLISHED);
            published.bytes += metrics.sum(newsflow_runtime::metrics::PUBLISHED_BYTES);
            cpu += procs::cpu_seconds(replica.pid())?;
            peak = peak.max(procs::memory_mb(replica.pid())?.1);
        }
        let total: f64 = processed.iter().sum::<f64>().max(1.0);
        stages.insert(
            (*name).to_owned(),
            StageFigures {
                replicas: mine.len(),
                settled_per_sec: n as f64 / done_at[name],
                cpu_ms_per_article: cpu * 1000.0 / n as f64,
                peak_rss_mb: peak,
                replica_shares: processed.iter().map(|p| p / total).collect(),
            },
        );
    }
    let memory_at_end = resident(&replicas)?;
    progress(
        options,
        &format!("{}: {n} articles in {seconds:.1}s", mode.label()),
    );
    let figures = Drain {
        articles_per_sec: n as f64 / seconds,
        seconds,
        bus_messages_per_article: published.messages / n as f64,
        bus_bytes_per_article: published.bytes / n as f64,
        server_cpu_ms_per_article: server_cpu.map(|cpu| cpu * 1000.0 / n as f64),
        server_in_msgs_per_article: traffic.as_ref().map(|t| t.messages / n as f64),
        server_in_bytes_per_article: traffic.as_ref().map(|t| t.bytes / n as f64),
        stages,
        memory_at_baseline,
        memory_at_end,
    };
    if mode == Mode::BareBus {
        for replica in replicas {
            replica.stop();
        }
        return Ok((figures, run_server(server, bus, dir), Vec::new()));
    }
    Ok((figures, run_server(server, bus, dir), replicas))
}

fn run_server(server: Option<LocalServer>, bus: Bus, dir: tempfile::TempDir) -> RunServer {
    RunServer {
        server,
        bus,
        _dir: dir,
    }
}

/// The table's name for a status row's stage.
fn stage_name(names: &[&'static str], stage: &str) -> &'static str {
    names
        .iter()
        .find(|n| **n == stage)
        .copied()
        .unwrap_or("unknown")
}

/// Resident MB per stage, summed over its replicas.
fn resident(replicas: &[Replica]) -> anyhow::Result<BTreeMap<String, f64>> {
    let mut out = BTreeMap::new();
    for replica in replicas {
        *out.entry(replica.stage.to_owned()).or_insert(0.0) += procs::memory_mb(replica.pid())?.0;
    }
    Ok(out)
}

fn memory_check(run: &Drain) -> MemoryCheck {
    let mut stages = BTreeMap::new();
    let mut ok = run.memory_at_baseline.is_some();
    for (stage, end) in &run.memory_at_end {
        let before = run
            .memory_at_baseline
            .as_ref()
            .and_then(|m| m.get(stage))
            .copied()
            .unwrap_or(0.0);
        let growth = if before > 0.0 { end / before } else { f64::NAN };
        ok &= growth <= MEMORY_GROWTH_LIMIT;
        stages.insert(
            stage.clone(),
            MemoryGrowth {
                rss_after_baseline_mb: before,
                rss_end_mb: *end,
                growth,
            },
        );
    }
    MemoryCheck {
        baseline_articles: MEMORY_BASELINE_ARTICLES,
        stages,
        ok,
    }
}

/// What the latency run measured.
struct Latency {
    articles: usize,
    out_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

/// Feeds `rate_articles` new articles at `rate` per second to the running chain and times each
/// from its publish to its article event.
async fn latency(options: &Options, corpus: &Corpus, run: &RunServer) -> anyhow::Result<Latency> {
    let n = options.rate_articles;
    let filter = Filter {
        kind: Some(Kind::Article),
        ..Filter::default()
    };
    let mut events = newsflow_client::subscribe(run.bus.nats(), &filter, Start::New, None).await?;
    progress(
        options,
        &format!("latency: feeding {n} articles at {}/s", options.rate),
    );
    let sent: std::sync::Arc<std::sync::Mutex<HashMap<String, Instant>>> = Default::default();
    let feeder = {
        let (bus, sent, corpus) = (run.bus.clone(), sent.clone(), corpus.clone());
        let interval = Duration::from_secs_f64(1.0 / options.rate.max(0.001));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            for i in 0..n {
                tick.tick().await;
                let (id, envelope) = corpus.raw("rate", i);
                sent.lock()
                    .expect("never poisoned")
                    .insert(id, Instant::now());
                let bus = bus.clone();
                tokio::spawn(async move { bus.publish(envelope).await });
            }
        })
    };
    let first = Instant::now();
    let mut latencies = Vec::with_capacity(n);
    let mut last = first;
    let mut deadline =
        Instant::now() + Duration::from_secs_f64(n as f64 / options.rate) + LATENCY_GRACE;
    while latencies.len() < n {
        let wait = deadline.saturating_duration_since(Instant::now());
        let Ok(Some(delivery)) = tokio::time::timeout(wait, events.next()).await else {
            break;
        };
        if let Event::Article(article) = delivery?.event {
            let at = sent
                .lock()
                .expect("never poisoned")
                .remove(article.article_id.as_str());
            if let Some(at) = at {
                last = Instant::now();
                latencies.push(last.duration_since(at).as_secs_f64() * 1000.0);
                deadline = deadline.max(last + LATENCY_GRACE);
            }
        }
    }
    feeder.await.context("the latency feeder")?;
    anyhow::ensure!(
        latencies.len() == n,
        "latency run: {} of {n} articles came out within {}s of the last one fed",
        latencies.len(),
        LATENCY_GRACE.as_secs()
    );
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    Ok(Latency {
        articles: n,
        out_per_sec: n as f64 / last.duration_since(first).as_secs_f64().max(1e-9),
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        max_ms: latencies.last().copied().unwrap_or(0.0),
    })
}

/// Publishes articles `range` of the corpus (each with an id of its own), many at a time, and
/// waits until the stream has stored them all.
async fn feed(
    bus: &Bus,
    corpus: &Corpus,
    range: std::ops::Range<usize>,
    tag: &str,
) -> anyhow::Result<()> {
    let mut publishes = futures::stream::iter(range)
        .map(|i| {
            let (_, envelope) = corpus.raw(tag, i);
            bus.publish(envelope)
        })
        .buffer_unordered(FEED_DEPTH);
    while let Some(published) = publishes.next().await {
        published.context("pre-loading articles")?;
    }
    Ok(())
}

/// Messages and bytes.
#[derive(Debug, Clone, Copy, Default)]
struct Traffic {
    messages: f64,
    bytes: f64,
}

impl Traffic {
    fn minus(self, before: &Self) -> Self {
        Self {
            messages: self.messages - before.messages,
            bytes: self.bytes - before.bytes,
        }
    }
}

/// What this process has published so far (the feeder's counters).
fn feeder_published() -> Traffic {
    let page = newsflow_runtime::metrics::handle().render();
    let metrics = procs::Metrics::parse_page(&page);
    Traffic {
        messages: metrics.sum(newsflow_runtime::metrics::PUBLISHED),
        bytes: metrics.sum(newsflow_runtime::metrics::PUBLISHED_BYTES),
    }
}

/// Everything the server has received so far (`/varz`).
fn server_traffic(server: &LocalServer) -> anyhow::Result<Traffic> {
    let port = server
        .monitor_port()
        .context("the bench's server has no monitoring port")?;
    let varz: serde_json::Value = serde_json::from_str(&procs::http_get(
        std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        "/varz",
    )?)
    .context("reading the server's /varz")?;
    let number = |key: &str| {
        varz.get(key)
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(0.0)
    };
    Ok(Traffic {
        messages: number("in_msgs"),
        bytes: number("in_bytes"),
    })
}

fn progress(options: &Options, line: &str) {
    if options.progress {
        eprintln!("bench pipeline: {line}");
    }
}

/// The articles a run feeds, cycled through with ids of their own.
#[derive(Debug, Clone)]
struct Corpus {
    name: String,
    articles: std::sync::Arc<Vec<serde_json::Map<String, serde_json::Value>>>,
}

impl Corpus {
    fn load(path: Option<&std::path::Path>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            let articles = newsflow_pipeline::samples::SAMPLES
                .iter()
                .map(|(_, text)| body(text))
                .collect::<Vec<_>>();
            return Ok(Self {
                name: format!("the {} bundled samples", articles.len()),
                articles: std::sync::Arc::new(articles),
            });
        };
        let mut articles = Vec::new();
        if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("reading {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                .collect();
            files.sort();
            for file in files {
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("reading {}", file.display()))?;
                articles.push(body(&text));
            }
        } else {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let value: serde_json::Value = serde_json::from_str(line)
                    .with_context(|| format!("{}:{}: not JSON", path.display(), i + 1))?;
                let serde_json::Value::Object(map) = value else {
                    anyhow::bail!("{}:{}: not an article.raw.v1 object", path.display(), i + 1);
                };
                anyhow::ensure!(
                    map.get("body").is_some_and(serde_json::Value::is_string),
                    "{}:{}: an article needs a `body`",
                    path.display(),
                    i + 1
                );
                articles.push(map);
            }
        }
        anyhow::ensure!(
            !articles.is_empty(),
            "no articles in {} (a folder of .txt files or a JSON Lines file of article.raw.v1)",
            path.display()
        );
        Ok(Self {
            name: format!("{} ({} articles)", path.display(), articles.len()),
            articles: std::sync::Arc::new(articles),
        })
    }

    fn text_bytes_per_article(&self) -> f64 {
        let total: usize = self
            .articles
            .iter()
            .filter_map(|a| a.get("body").and_then(serde_json::Value::as_str))
            .map(str::len)
            .sum();
        total as f64 / self.articles.len() as f64
    }

    /// The `i`-th article fed, with the id `<tag>-<i>`, as a raw article message.
    fn raw(&self, tag: &str, i: usize) -> (String, Envelope) {
        let mut article = self.articles[i % self.articles.len()].clone();
        let id = format!("{tag}-{i}");
        article.insert("id".to_owned(), serde_json::Value::String(id.clone()));
        let payload = serde_json::to_vec(&article).expect("a JSON object serialises");
        let envelope = Envelope::new(
            subjects::ARTICLES_RAW,
            schema::ARTICLE_RAW,
            format!("{id}.raw"),
            Some(id.clone()),
            payload,
        );
        (id, envelope)
    }
}

fn body(text: &str) -> serde_json::Map<String, serde_json::Value> {
    let mut map = serde_json::Map::new();
    map.insert(
        "body".to_owned(),
        serde_json::Value::String(text.to_owned()),
    );
    map
}

/// Parses `segment=2,entities=4`.
///
/// # Errors
/// When a part is not `stage=count` with a count of at least 1.
pub fn parse_replicas(value: &str) -> Result<BTreeMap<String, usize>, String> {
    let mut out = BTreeMap::new();
    for part in value.split(',').filter(|p| !p.trim().is_empty()) {
        let (stage, count) = part
            .split_once('=')
            .ok_or_else(|| format!("{part:?} is not stage=count, e.g. entities=2"))?;
        let count: usize = count
            .trim()
            .parse()
            .ok()
            .filter(|c| *c >= 1)
            .ok_or_else(|| format!("{part:?}: the count must be a whole number from 1"))?;
        out.insert(stage.trim().to_owned(), count);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_read_as_stage_equals_count() {
        let parsed = parse_replicas("segment=2, entities=4").unwrap();
        assert_eq!(parsed["segment"], 2);
        assert_eq!(parsed["entities"], 4);
        assert!(
            parse_replicas("segment")
                .unwrap_err()
                .contains("stage=count")
        );
        assert!(parse_replicas("segment=0").unwrap_err().contains("from 1"));
    }

    #[test]
    fn the_corpus_gives_each_fed_article_an_id_of_its_own() {
        let corpus = Corpus::load(None).unwrap();
        let (a, first) = corpus.raw("bench", 0);
        let (b, again) = corpus.raw("bench", corpus.articles.len());
        assert_ne!(a, b);
        assert_ne!(first.msg_id, again.msg_id);
        let json: serde_json::Value = serde_json::from_slice(&again.payload).unwrap();
        assert_eq!(json["id"], b.as_str());
        assert!(corpus.text_bytes_per_article() > 500.0);
    }
}
