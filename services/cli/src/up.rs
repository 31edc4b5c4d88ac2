//! `newsflow up`: every stage in one process, with a managed local `nats-server` when nothing
//! answers at `NATS_URL`; `--demo` also feeds the bundled samples and prints what comes out.

use crate::{articles, feed};
use anyhow::Context as _;
use newsflow_client::{Event, Filter, Kind, Start};
use newsflow_ingest::Limits;
use newsflow_pipeline::samples;
use newsflow_pipeline::{Settings, UP_ADMIN_PORT};
use newsflow_proto::{EntityLabel, EventArticle};
use newsflow_runtime::server::{self, LocalServer};
use newsflow_runtime::{Bus, Config, ConnectMode, streams};
use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

/// How long the demo waits for the samples to come out before giving up.
const DEMO_TIMEOUT: Duration = Duration::from_secs(300);

/// Runs the pipeline until Ctrl-C (or, with `demo`, until every sample came out).
///
/// # Errors
/// When no server can be reached or started, or a stage fails to start.
pub async fn up(
    mut config: Config,
    demo: bool,
    settings: Settings,
    console: newsflow_console::Options,
    ingest_token: Option<String>,
) -> anyhow::Result<()> {
    let mut server = None;
    let url = &config.connection.nats_url;
    match Bus::connect(&config.connection, "newsflow-up", ConnectMode::FailFast).await {
        Ok(bus) => {
            let info = bus.nats().server_info();
            eprintln!(
                "Using the nats-server {} that answers at {} (\"{}\"): newsflow's streams, consumers and revisions bucket are created there if missing. Set NATS_URL to use another server; with nothing answering on a local URL, newsflow up starts its own.",
                info.version,
                newsflow_runtime::without_passwords(url),
                info.server_name,
            );
        }
        Err(err) => {
            anyhow::ensure!(
                server::is_local(url),
                "{err:#}\n(newsflow up starts a server only for a local NATS_URL)"
            );
            eprintln!(
                "Nothing answers at {}; starting a local nats-server.",
                newsflow_runtime::without_passwords(url)
            );
            let started = start_local_server(url)?;
            config.connection.nats_url = started.url();
            server = Some(started);
        }
    }
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<anyhow::Result<()>>();
    if demo {
        let config = config.clone();
        let own_server = server.is_some();
        tokio::spawn(async move {
            let _ = done_tx.send(run_demo(&config, settings.ingest_limits(), own_server).await);
        });
    }
    let mut demo_result = Ok(());
    let shutdown = async {
        tokio::select! {
            () = newsflow_runtime::shutdown_signal() => {},
            result = done_rx, if demo => {
                demo_result = result.unwrap_or_else(|_| Err(anyhow::anyhow!("the demo stopped unexpectedly")));
            },
        }
    };
    let stages = newsflow_pipeline::stages(&settings);
    let limits = settings.ingest_limits();
    let served = newsflow_runtime::ExtraRoutes {
        said: |addr| {
            format!(
                "The web console is at http://{addr}/, and POST http://{addr}/articles takes articles"
            )
        },
        make: Box::new(move |bus, stop| {
            newsflow_console::router(bus, console, stop).merge(newsflow_intake::http::router(
                newsflow_intake::Intake::new(bus.clone(), limits),
                ingest_token,
            ))
        }),
    };
    let ran =
        newsflow_runtime::run_serving(stages, config, UP_ADMIN_PORT, Some(served), shutdown).await;
    drop(server);
    ran?;
    demo_result
}

/// A nats-server of our own on `url`'s port, its store and log under `./.newsflow/`.
fn start_local_server(url: &str) -> anyhow::Result<LocalServer> {
    let home = Path::new(server::HOME);
    let binary = server::find_or_install(home)?;
    let options = server::Options {
        port: Some(server::port_of(url)),
        store: home.join("jetstream"),
        log: Some(home.join("nats-server.log")),
        monitor: false,
        env: Vec::new(),
        config: String::new(),
    };
    let started = LocalServer::start(&binary, &options)?;
    eprintln!(
        "Started nats-server {} ({}) on {} (JetStream store in {}/jetstream, log in {}/nats-server.log).",
        server::version(&binary).unwrap_or_else(|| "of unknown version".to_owned()),
        binary.display(),
        started.url(),
        server::HOME,
        server::HOME,
    );
    Ok(started)
}

/// What to do next once the demo is over. The server `up` started stops with it, and its store
/// keeps the events for the next `newsflow up`.
fn after_demo(own_server: bool) -> &'static str {
    if own_server {
        "The nats-server newsflow up started stops now; its store (.newsflow/jetstream) keeps the events: \
         run `newsflow up` to start it and the pipeline again, then `newsflow tail --from-start` in \
         another terminal replays them."
    } else {
        "`newsflow tail --from-start` replays the events; `newsflow up` keeps the pipeline running."
    }
}

async fn run_demo(config: &Config, limits: Limits, own_server: bool) -> anyhow::Result<()> {
    let bus = Bus::connect(&config.connection, "newsflow-demo", ConnectMode::FailFast).await?;
    streams::ensure_streams(&bus, &config.retention).await?;
    let articles_only = Filter {
        kind: Some(Kind::Article),
        ..Filter::default()
    };
    let mut events = newsflow_client::subscribe(bus.nats(), &articles_only, Start::New, None)
        .await
        .context("subscribing to article events")?;
    let loaded: Vec<articles::Loaded> = samples::SAMPLES
        .iter()
        .map(|(name, text)| {
            let mut raw = articles::from_text(text);
            raw.source = Some(format!("samples/{name}"));
            articles::Loaded::built((*name).to_owned(), &raw)
        })
        .collect();
    let intake = newsflow_intake::Intake::new(bus.clone(), limits);
    let summary = feed::feed(&intake, loaded, false).await;
    println!("Demo: fed {} sample articles.", samples::SAMPLES.len());
    print!("{}", summary.render());
    let mut waiting: HashSet<String> = summary.coming().map(ToString::to_string).collect();
    if waiting.is_empty() {
        println!(
            "Nothing new to process: what came out before is still in the events stream.\n{}",
            after_demo(own_server)
        );
        return Ok(());
    }
    let deadline = tokio::time::Instant::now() + DEMO_TIMEOUT;
    while !waiting.is_empty() {
        let next = tokio::time::timeout_at(deadline, events.next())
            .await
            .map_err(|_| {
                anyhow::anyhow!(
                    "{} sample(s) did not come out within {DEMO_TIMEOUT:?}",
                    waiting.len()
                )
            })?;
        let Some(delivery) = next else {
            anyhow::bail!("the events stream closed")
        };
        if let Event::Article(event) = &delivery.context("reading an article event")?.event
            && waiting.remove(event.article_id.as_str())
        {
            print!("{}", describe(event));
        }
    }
    println!("\nDone: every sample came out. {}", after_demo(own_server));
    Ok(())
}

/// A few lines about one article event, for people.
pub fn describe(event: &EventArticle) -> String {
    let names = |label: EntityLabel| -> String {
        let list: Vec<&str> = event
            .entities
            .iter()
            .filter(|e| e.label == label)
            .map(|e| e.name.as_str())
            .collect();
        if list.is_empty() {
            "-".to_owned()
        } else {
            list.join(", ")
        }
    };
    let mut out = format!(
        "\n== {} [{}, revision {}]\n   {} sentences, {} entities, {} quotes\n   people: {}\n   places: {}\n   orgs:   {}\n",
        event.title.as_deref().unwrap_or("(untitled)"),
        event.article_id,
        event.revision,
        event.sentences.len(),
        event.entities.len(),
        event.quotes.len(),
        names(EntityLabel::Person),
        names(EntityLabel::Loc),
        names(EntityLabel::Org),
    );
    for quote in &event.quotes {
        let text: String = quote.text.chars().take(90).collect();
        let more = if quote.text.chars().count() > 90 {
            "…"
        } else {
            ""
        };
        out.push_str(&format!(
            "   {:<8} {}: “{text}{more}”\n",
            format!("{:?}", quote.kind).to_lowercase(),
            quote.speaker.as_deref().unwrap_or("(unattributed)")
        ));
    }
    out
}
