//! `newsflow up`: every stage in one process, with a managed local `nats-server` when nothing
//! answers at `NATS_URL`; `--demo` also feeds the bundled samples and prints what comes out.

use crate::{articles, feed, local_server, samples, stages};
use anyhow::Context as _;
use async_nats::jetstream::{self, consumer};
use futures::StreamExt as _;
use newsflow_ingest::Limits;
use newsflow_proto::{EntityLabel, EventArticle, subjects};
use newsflow_runtime::revisions::Revisions;
use newsflow_runtime::{Config, ConnectMode, Publisher, streams};
use std::collections::HashSet;
use std::time::Duration;

/// How long the demo waits for the samples to come out before giving up.
const DEMO_TIMEOUT: Duration = Duration::from_secs(300);

/// Runs the pipeline until Ctrl-C (or, with `demo`, until every sample came out).
///
/// # Errors
/// When no server can be reached or started, or a stage fails to start.
pub async fn up(mut config: Config, demo: bool, limits: Limits) -> anyhow::Result<()> {
    let mut server = None;
    if let Err(err) = newsflow_runtime::connect(&config, "newsflow-up", ConnectMode::FailFast).await
    {
        anyhow::ensure!(
            local_server::is_local(&config.nats_url),
            "{err:#}\n(newsflow up starts a server only for a local NATS_URL)"
        );
        eprintln!(
            "Nothing answers at {}; starting a local nats-server.",
            config.nats_url
        );
        let binary = local_server::find_or_install(std::path::Path::new(local_server::HOME))?;
        let started = local_server::start(&binary, &config.nats_url).await?;
        config.nats_url = started.url.clone();
        server = Some(started);
    }
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<anyhow::Result<()>>();
    if demo {
        let config = config.clone();
        tokio::spawn(async move {
            let _ = done_tx.send(run_demo(&config, limits).await);
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
    let ran = newsflow_runtime::run_many(stages::all(limits), config, 9100, shutdown).await;
    if let Some(server) = server {
        server.stop().await;
    }
    ran?;
    demo_result
}

async fn run_demo(config: &Config, limits: Limits) -> anyhow::Result<()> {
    let client = newsflow_runtime::connect(config, "newsflow-demo", ConnectMode::FailFast).await?;
    let js = jetstream::new(client.clone());
    streams::ensure_streams(&js, config).await?;
    let revisions = streams::ensure_revisions(&js, config).await?;
    let events = js
        .get_stream(subjects::EVENTS_STREAM)
        .await?
        .create_consumer(consumer::pull::OrderedConfig {
            filter_subject: subjects::EVENTS_ARTICLE.to_owned(),
            deliver_policy: consumer::DeliverPolicy::New,
            ..Default::default()
        })
        .await
        .context("subscribing to article events")?;
    let mut messages = events.messages().await?;
    let loaded: Vec<articles::Loaded> = samples::SAMPLES
        .iter()
        .map(|(name, text)| {
            let mut raw = articles::from_text(text);
            raw.source = Some(format!("samples/{name}"));
            articles::Loaded {
                origin: (*name).to_owned(),
                article: Ok(raw),
            }
        })
        .collect();
    let unchanged = already_processed(&revisions, &loaded).await?;
    let summary = feed::feed(&Publisher::new(client.clone()), loaded, limits, false).await;
    println!("Demo: fed {} sample articles.", samples::SAMPLES.len());
    print!("{}", summary.render());
    let mut waiting: HashSet<String> = summary
        .accepted
        .iter()
        .map(|(_, id)| id.to_string())
        .filter(|id| !unchanged.contains(id))
        .collect();
    if !unchanged.is_empty() {
        println!(
            "{} sample(s) were processed before and are unchanged: ingest counts them as duplicates and emits nothing again.",
            unchanged.len()
        );
    }
    if waiting.is_empty() {
        println!(
            "Nothing new to process (`newsflow tail --from-start --kind article` replays what came out before)."
        );
        return Ok(());
    }
    let deadline = tokio::time::Instant::now() + DEMO_TIMEOUT;
    while !waiting.is_empty() {
        let next = tokio::time::timeout_at(deadline, messages.next())
            .await
            .map_err(|_| {
                anyhow::anyhow!(
                    "{} sample(s) did not come out within {DEMO_TIMEOUT:?}",
                    waiting.len()
                )
            })?;
        let Some(message) = next else {
            anyhow::bail!("the events stream closed")
        };
        let event: EventArticle =
            serde_json::from_slice(&message?.payload).context("decoding an article event")?;
        if waiting.remove(event.article_id.as_str()) {
            print!("{}", describe(&event));
        }
    }
    println!(
        "\nDone: every sample came out. `newsflow tail --from-start` replays the events; `newsflow up` keeps the pipeline running."
    );
    Ok(())
}

/// The ids of the articles whose latest revision has the content they have now: ingest will
/// count them as duplicates, so no event is coming for them.
async fn already_processed(
    revisions: &Revisions,
    loaded: &[articles::Loaded],
) -> anyhow::Result<HashSet<String>> {
    let mut unchanged = HashSet::new();
    for item in loaded {
        let Ok(raw) = &item.article else { continue };
        let Ok(article) = newsflow_ingest::ingest_raw(raw.clone(), "") else {
            continue;
        };
        let id = article.article_id.as_str();
        let seen = revisions
            .get(id)
            .await
            .context("reading the revisions of the samples")?;
        if seen.is_some_and(|s| s.content_hash == newsflow_ingest::content_hash(&article)) {
            unchanged.insert(id.to_owned());
        }
    }
    Ok(unchanged)
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
