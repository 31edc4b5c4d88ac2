//! `newsflow setup`: creates everything the chain keeps on the bus (the streams, the revisions
//! bucket, `newsflow feeds`' bucket, ingest's near-duplicate signatures, the bucket of entity
//! keys and every stage's
//! durable consumer) as a user allowed to, so the stages and feeders
//! can run as users that may only use them (`deploy/nats/permissions.conf`).

use newsflow_proto::subjects;
use newsflow_runtime::mirror::Mirror;
use newsflow_runtime::{Bus, Config, streams};

/// Creates what is missing and says, per stream and consumer, whether it was there.
///
/// # Errors
/// When the server refuses (this user may not create streams, or JetStream is off).
pub async fn setup(bus: &Bus, config: &Config) -> anyhow::Result<String> {
    let mut names: Vec<String> = subjects::WORK_STREAMS
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect();
    names.extend([
        subjects::EVENTS_STREAM.to_owned(),
        subjects::DEAD_LETTER_STREAM.to_owned(),
        format!("KV_{}", subjects::REVISIONS_BUCKET),
        format!("KV_{}", subjects::FEEDS_BUCKET),
        subjects::SIGNATURES_STREAM.to_owned(),
        format!("KV_{}", subjects::ENTITY_KEYS_BUCKET),
    ]);
    let mut there = Vec::new();
    for name in &names {
        there.push(streams::exists(bus, name).await?);
    }
    streams::ensure_streams(bus, &config.retention).await?;
    streams::ensure_revisions(bus, &config.retention).await?;
    streams::ensure_feeds_bucket(bus, config.retention.replication).await?;
    streams::ensure_signatures(bus, config.near, config.retention.replication).await?;
    Mirror::entity_keys()
        .ensure(bus, config.retention.replication)
        .await?;
    let mut out = String::new();
    for (name, was) in names.iter().zip(there) {
        out.push_str(&format!("stream   {name:<30} {}\n", said(was)));
    }
    for row in newsflow_pipeline::STAGES {
        let stream = subjects::work_stream(row.input).unwrap_or("?");
        let was = streams::consumer_exists(bus, stream, row.name).await?;
        let (_, lifted) =
            streams::ensure_consumer(bus, &config.stage_loop, row.name, row.input).await?;
        out.push_str(&format!(
            "consumer {:<30} {}\n",
            format!("{stream}/{}", row.name),
            if lifted {
                "was there; delivery limit lifted (the runtime counts deliveries now)"
            } else {
                said(was)
            }
        ));
    }
    Ok(out)
}

/// Creates the readers' mirror of the events in this user's account unless it is there, and
/// says which.
///
/// # Errors
/// When the server refuses (JetStream is off in this account, or this user may not create
/// streams).
pub async fn readers(bus: &Bus, config: &Config) -> anyhow::Result<String> {
    let name = subjects::EVENTS_STREAM;
    let was = streams::exists(bus, name).await?;
    streams::ensure_readers_mirror(bus, &config.retention).await?;
    Ok(format!(
        "stream   {:<30} {}\n",
        format!("{name} (mirror)"),
        said(was)
    ))
}

fn said(was_there: bool) -> &'static str {
    if was_there { "was there" } else { "created" }
}
