//! The streams (a work stream per hop, the events, the dead letters), the revisions bucket and
//! the per-stage durable pull consumers, created idempotently so neither tests nor deployments
//! need a setup step.

use crate::Bus;
use crate::config::{NearDuplicates, Replication, Retention, StageLoop};
use crate::revisions::Revisions;
use anyhow::Context as _;
use async_nats::jetstream::{self, consumer, kv, stream};
use newsflow_proto::subjects;
use std::time::Duration;
use tracing::{info, warn};

/// De-duplication window of the work and events streams: a redelivery inside it makes no
/// second output.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(120);

/// How long `newsflow feeds` remembers an entry it handed in. An entry still in its feed after
/// that is handed in again, and the intake finds it unchanged: nothing new comes out.
pub const FEEDS_REMEMBER: Duration = Duration::from_secs(90 * 24 * 3600);

fn work_stream(name: &str, subject: &str, replication: Replication) -> stream::Config {
    stream::Config {
        name: name.to_owned(),
        description: Some(format!(
            "newsflow work queue: {subject} until its stage acks it"
        )),
        subjects: vec![subject.to_owned()],
        retention: stream::RetentionPolicy::WorkQueue,
        storage: stream::StorageType::File,
        num_replicas: replication.for_new_streams(),
        duplicate_window: DUPLICATE_WINDOW,
        ..Default::default()
    }
}

fn events_stream(retention: &Retention) -> stream::Config {
    stream::Config {
        name: subjects::EVENTS_STREAM.to_owned(),
        description: Some("newsflow events for subscribers; replayable".to_owned()),
        subjects: vec![subjects::EVENTS_SUBJECTS.to_owned()],
        retention: stream::RetentionPolicy::Limits,
        storage: stream::StorageType::File,
        max_age: retention.events_max_age,
        max_bytes: retention.events_max_bytes,
        num_replicas: retention.replication.for_new_streams(),
        duplicate_window: DUPLICATE_WINDOW,
        ..Default::default()
    }
}

fn dead_letter_stream(retention: &Retention) -> stream::Config {
    stream::Config {
        name: subjects::DEAD_LETTER_STREAM.to_owned(),
        description: Some(
            "newsflow dead letters: messages a stage gave up on, with the reason".to_owned(),
        ),
        subjects: vec![subjects::DEAD_LETTER_SUBJECTS.to_owned()],
        retention: stream::RetentionPolicy::Limits,
        storage: stream::StorageType::File,
        max_age: retention.dlq_max_age,
        num_replicas: retention.replication.for_new_streams(),
        duplicate_window: DUPLICATE_WINDOW,
        ..Default::default()
    }
}

/// Creates the work streams (one per hop), the events stream and the dead-letter stream
/// unless they exist.
///
/// # Errors
/// When JetStream is not enabled on the server or refuses a stream.
pub async fn ensure_streams(bus: &Bus, retention: &Retention) -> anyhow::Result<()> {
    for (name, subject) in subjects::WORK_STREAMS {
        create(
            bus,
            work_stream(name, subject, retention.replication),
            retention.replication,
        )
        .await?;
    }
    create(bus, events_stream(retention), retention.replication).await?;
    create(bus, dead_letter_stream(retention), retention.replication).await
}

/// Creates, in the account this user logs in to, the events stream as a mirror of the chain
/// account's, unless it exists: readers in an account of their own read their copy, and no
/// consumer they make can deliver into the chain's streams (`deploy/README.md`).
///
/// # Errors
/// When JetStream is off in this account or refuses the stream (this user may not create one).
pub async fn ensure_readers_mirror(bus: &Bus, retention: &Retention) -> anyhow::Result<()> {
    let source = stream::Source {
        name: subjects::EVENTS_STREAM.to_owned(),
        external: Some(stream::External {
            api_prefix: subjects::READERS_API_PREFIX.to_owned(),
            delivery_prefix: Some(subjects::READERS_DELIVER_PREFIX.to_owned()),
        }),
        ..Default::default()
    };
    let mirror = stream::Config {
        description: Some(
            "newsflow events for subscribers, mirrored from the chain's account; replayable"
                .to_owned(),
        ),
        subjects: Vec::new(),
        mirror: Some(source),
        duplicate_window: Duration::ZERO,
        ..events_stream(retention)
    };
    let name = mirror.name.clone();
    create(bus, mirror, retention.replication).await?;
    let found = bus.jetstream().get_stream(&name).await?;
    anyhow::ensure!(
        found.cached_info().config.mirror.is_some(),
        "this account's stream {name} is the chain's own, not a mirror: `newsflow setup \
         --readers` is for a readers' account of its own (log in as its admin), beside the \
         account the stages run in"
    );
    Ok(())
}

/// Creates the work stream of `subject` unless it exists: all a feeder needs to put articles on
/// `newsflow.articles.raw` before any stage has started.
///
/// # Errors
/// When no work stream holds `subject`, or JetStream refuses the stream.
pub async fn ensure_work_stream(
    bus: &Bus,
    subject: &str,
    replication: Replication,
) -> anyhow::Result<()> {
    let name = subjects::work_stream(subject)
        .with_context(|| format!("no work stream holds {subject}"))?;
    create(bus, work_stream(name, subject, replication), replication).await
}

/// Attempts to change a stream's replicas before giving up.
const RECONCILE_TRIES: usize = 3;

/// The one work stream of releases before the stream per hop; its subjects overlap theirs.
const LEGACY_WORK_STREAM: &str = "NEWSFLOW_WORK";

async fn create(bus: &Bus, stream: stream::Config, replication: Replication) -> anyhow::Result<()> {
    let name = stream.name.clone();
    let err = match bus.jetstream().get_or_create_stream(stream).await {
        Ok(created) => return reconcile_replicas(bus, &created, replication).await,
        Err(err) => err,
    };
    if let Some(refusal) =
        crate::last_refusal().filter(|r| r.contains(&format!("STREAM.CREATE.{name}")))
    {
        anyhow::bail!(
            "stream {name} does not exist and this user may not create it (permission denied: \
             {refusal}): run `newsflow setup` once as a user that may (an admin), then start \
             this again"
        );
    }
    if exists(bus, LEGACY_WORK_STREAM).await.unwrap_or(false) {
        anyhow::bail!(
            "cannot create stream {name}: the stream {LEGACY_WORK_STREAM} of an earlier newsflow holds its subjects. \
             Stop the feeders, let the old stages drain it (`newsflow status`), then delete it \
             (`nats stream rm {LEGACY_WORK_STREAM}`) and start the stages again ({err})"
        );
    }
    let replicas = replication.for_new_streams();
    Err(err).with_context(|| {
        if replicas > 1 {
            format!(
                "creating JetStream stream {name} with {replicas} replicas (NEWSFLOW_REPLICAS): \
                 a single server keeps one copy, a cluster at most as many as it has servers"
            )
        } else {
            format!(
                "creating JetStream stream {name} (is JetStream enabled? start the server with `-js`)"
            )
        }
    })
}

/// Raises an existing stream to the replicas `NEWSFLOW_REPLICAS` asks for, when it is set and
/// the stream has fewer; never lowers them.
async fn reconcile_replicas(
    bus: &Bus,
    stream: &jetstream::stream::Stream,
    replication: Replication,
) -> anyhow::Result<()> {
    let Some(wanted) = replication.replicas.map(usize::from) else {
        return Ok(());
    };
    let mut config = stream.cached_info().config.clone();
    let has = config.num_replicas.max(1);
    if has == wanted {
        return Ok(());
    }
    let name = config.name.clone();
    if wanted < has {
        // One process started with a lower number (a debugging run, a feeder) must not take a
        // cluster's copies away; lowering is for an operator to do on purpose.
        warn!(
            stream = %name,
            replicas = has,
            NEWSFLOW_REPLICAS = wanted,
            "The stream keeps more replicas than NEWSFLOW_REPLICAS asks for; left as it is (lower it with `nats stream edit {name} --replicas {wanted}`)."
        );
        return Ok(());
    }
    config.num_replicas = wanted;
    let mut last_error = None;
    for _ in 0..RECONCILE_TRIES {
        match bus.jetstream().update_stream(config.clone()).await {
            Ok(_) => {
                info!(stream = %name, from = has, to = wanted, "Changed the stream's replicas (NEWSFLOW_REPLICAS).");
                return Ok(());
            }
            Err(err) => last_error = Some(err),
        }
        // Another copy of a stage may be changing it at the same moment.
        if let Ok(mut stream) = bus.jetstream().get_stream(&name).await
            && let Ok(info) = stream.info().await
            && info.config.num_replicas.max(1) == wanted
        {
            return Ok(());
        }
    }
    let err = last_error.map_or_else(|| "no answer".to_owned(), |err| err.to_string());
    anyhow::bail!(
        "stream {name} has {has} replica(s) and NEWSFLOW_REPLICAS asks for {wanted}, but it could not \
         be changed ({err}). A single server keeps one copy, a cluster at most as many as it has \
         servers: set NEWSFLOW_REPLICAS to what the servers can keep, or unset it to leave the \
         streams as they are"
    )
}

/// Whether the stream `name` exists (the events stream exists once a stage has started).
///
/// # Errors
/// When JetStream does not answer.
pub async fn exists(bus: &Bus, name: &str) -> anyhow::Result<bool> {
    match bus.jetstream().get_stream(name).await {
        Ok(_) => Ok(true),
        Err(err) if is_stream_not_found(&err) => Ok(false),
        Err(err) => Err(err).with_context(|| format!("looking up stream {name}")),
    }
}

/// Whether a lookup failed because the stream does not exist.
/// Whether looking a stream up failed because there is no such stream (not because the server
/// did not answer).
pub fn is_stream_not_found(err: &jetstream::context::GetStreamError) -> bool {
    use jetstream::ErrorCode;
    use jetstream::context::GetStreamErrorKind;
    matches!(err.kind(), GetStreamErrorKind::JetStream(js) if js.error_code() == ErrorCode::STREAM_NOT_FOUND)
}

/// Whether the durable consumer `name` exists on `stream`.
///
/// # Errors
/// When JetStream does not answer.
pub async fn consumer_exists(bus: &Bus, stream: &str, name: &str) -> anyhow::Result<bool> {
    let Ok(stream) = bus.jetstream().get_stream(stream).await else {
        return Ok(false);
    };
    match stream.consumer_info(name).await {
        Ok(_) => Ok(true),
        Err(err) if err.to_string().contains("consumer not found") => Ok(false),
        Err(err) => Err(anyhow::Error::new(err).context(format!("looking up consumer {name}"))),
    }
}

/// How many messages `stream` holds on `subject` (0 when the stream does not exist yet).
///
/// # Errors
/// When JetStream does not answer.
pub async fn count(bus: &Bus, stream: &str, subject: &str) -> anyhow::Result<u64> {
    let counts = subject_counts(bus, stream, subject).await?;
    Ok(counts.values().map(|&n| n as u64).sum())
}

/// The subjects `stream` holds messages on under the filter `subject`, each with how many
/// (none when the stream does not exist yet).
///
/// # Errors
/// When JetStream does not answer.
pub async fn subject_counts(
    bus: &Bus,
    stream: &str,
    subject: &str,
) -> anyhow::Result<std::collections::HashMap<String, usize>> {
    use futures::TryStreamExt as _;
    if !exists(bus, stream).await? {
        return Ok(std::collections::HashMap::new());
    }
    bus.jetstream()
        .get_stream(stream)
        .await
        .with_context(|| format!("opening stream {stream}"))?
        .info_with_subjects(subject)
        .await
        .with_context(|| format!("counting {subject} in {stream}"))?
        .try_collect()
        .await
        .with_context(|| format!("counting {subject} in {stream}"))
}

/// The stream behind the key-value bucket `bucket`, laid out as JetStream lays out a bucket (what
/// `nats kv` and every client's KV API read) with history 1. Written here rather than through
/// the client's bucket creation, which reads account details that nats-server 2.9 does not send.
fn bucket_stream(
    bucket: &str,
    description: &str,
    max_age: Duration,
    replication: Replication,
) -> stream::Config {
    stream::Config {
        name: format!("KV_{bucket}"),
        description: Some(description.to_owned()),
        subjects: vec![format!("$KV.{bucket}.>")],
        max_messages_per_subject: 1,
        max_age,
        storage: stream::StorageType::File,
        discard: stream::DiscardPolicy::New,
        allow_rollup: true,
        deny_delete: true,
        deny_purge: false,
        allow_direct: true,
        num_replicas: replication.for_new_streams(),
        duplicate_window: DUPLICATE_WINDOW,
        ..Default::default()
    }
}

/// Creates the stream `stream` of the key-value bucket `bucket` unless it exists, with
/// `replication`.
async fn bucket_stream_made(
    bus: &Bus,
    stream: stream::Config,
    bucket: &str,
    replication: Replication,
) -> anyhow::Result<stream::Stream> {
    let name = stream.name.clone();
    let created = bus
        .jetstream()
        .get_or_create_stream(stream)
        .await
        .with_context(|| format!("creating JetStream stream {name} (the bucket {bucket})"))?;
    reconcile_replicas(bus, &created, replication).await?;
    Ok(created)
}

/// Opens the key-value bucket `bucket`, creating its stream `stream` unless it exists.
async fn ensure_bucket(
    bus: &Bus,
    stream: stream::Config,
    bucket: &str,
    replication: Replication,
) -> anyhow::Result<kv::Store> {
    bucket_stream_made(bus, stream, bucket, replication).await?;
    bus.jetstream()
        .get_key_value(bucket)
        .await
        .with_context(|| format!("opening key-value bucket {bucket}"))
}

/// Opens the revisions bucket (`NEWSFLOW_REVISIONS`), creating it unless it exists. Entries
/// never expire unless `NEWSFLOW_REVISIONS_MAX_AGE` was set when it was created.
///
/// # Errors
/// When JetStream is not enabled on the server or refuses the bucket.
pub async fn ensure_revisions(bus: &Bus, retention: &Retention) -> anyhow::Result<Revisions> {
    let bucket = subjects::REVISIONS_BUCKET;
    let stream = bucket_stream(
        bucket,
        "newsflow revisions: per article, the content hash and number of its latest revision",
        retention.revisions_max_age,
        retention.replication,
    );
    let store = ensure_bucket(bus, stream, bucket, retention.replication).await?;
    Ok(Revisions::new(store))
}

/// Creates the stream of near-duplicate signatures (`NEWSFLOW_SIGNATURES`, kept for the window
/// of `near`) unless it exists.
///
/// # Errors
/// When JetStream is not enabled on the server or refuses the stream.
pub async fn ensure_signatures(
    bus: &Bus,
    near: NearDuplicates,
    replication: Replication,
) -> anyhow::Result<()> {
    create(
        bus,
        crate::near::stream_config(near, replication),
        replication,
    )
    .await
}

/// Opens the bucket in which `newsflow feeds` remembers what it has seen
/// (`NEWSFLOW_FEEDS`), creating it unless it exists; its entries go after [`FEEDS_REMEMBER`].
///
/// # Errors
/// When JetStream is not enabled on the server or refuses the bucket.
pub async fn ensure_feeds_bucket(bus: &Bus, replication: Replication) -> anyhow::Result<kv::Store> {
    let bucket = subjects::FEEDS_BUCKET;
    let stream = bucket_stream(
        bucket,
        "newsflow feeds: the entries of each feed handed in, and each feed's validators",
        FEEDS_REMEMBER,
        replication,
    );
    ensure_bucket(bus, stream, bucket, replication).await
}

/// Makes the key-value bucket `bucket` unless it exists (entries kept for `max_age` after they
/// were last written) and gives its stream, to read it back ([`crate::mirror::Mirror`]).
///
/// # Errors
/// When JetStream is not enabled on the server or refuses the bucket.
pub async fn ensure_mirrored_bucket(
    bus: &Bus,
    bucket: &str,
    description: &str,
    max_age: Duration,
    replication: Replication,
) -> anyhow::Result<stream::Stream> {
    let config = bucket_stream(bucket, description, max_age, replication);
    bucket_stream_made(bus, config, bucket, replication).await
}

/// The revisions bucket as it is, without making it (a feeder's look): `None` when no stage
/// has made it yet, so nothing was ever ingested.
///
/// # Errors
/// When the server does not answer or refuses the look.
pub async fn open_revisions(bus: &Bus) -> anyhow::Result<Option<Revisions>> {
    let js = bus.jetstream();
    match js
        .get_stream(format!("KV_{}", subjects::REVISIONS_BUCKET))
        .await
    {
        Err(err) if is_stream_not_found(&err) => return Ok(None),
        Err(err) => return Err(err.into()),
        Ok(_) => {}
    }
    let store = js
        .get_key_value(subjects::REVISIONS_BUCKET)
        .await
        .with_context(|| format!("opening key-value bucket {}", subjects::REVISIONS_BUCKET))?;
    Ok(Some(Revisions::new(store)))
}

/// Gets or creates the stage's durable pull consumer on the work stream of `input`; says
/// whether it lifted the delivery limit of a consumer an earlier version made.
///
/// # Errors
/// When the stream is missing or the server refuses the consumer.
pub async fn ensure_consumer(
    bus: &Bus,
    stage_loop: &StageLoop,
    name: &str,
    input: &str,
) -> anyhow::Result<(consumer::Consumer<consumer::pull::Config>, bool)> {
    let stream_name = subjects::work_stream(input)
        .with_context(|| format!("no work stream holds {input}, the input of {name}"))?;
    let stream = bus
        .jetstream()
        .get_stream(stream_name)
        .await
        .with_context(|| format!("opening stream {stream_name}"))?;
    let consumer: consumer::Consumer<consumer::pull::Config> = stream
        .get_or_create_consumer(
            name,
            consumer::pull::Config {
                durable_name: Some(name.to_owned()),
                description: Some(format!("newsflow stage {name}")),
                ack_policy: consumer::AckPolicy::Explicit,
                ack_wait: stage_loop.ack_wait,
                max_deliver: UNLIMITED_DELIVERIES,
                max_ack_pending: i64::from(stage_loop.max_in_flight).max(1) * 64,
                ..Default::default()
            },
        )
        .await
        .with_context(|| format!("creating durable consumer {name} on {stream_name}"))?;
    if consumer.cached_info().config.max_deliver == UNLIMITED_DELIVERIES {
        return Ok((consumer, false));
    }
    // Made by an earlier version with a server-side limit: a message whose last delivery could
    // not be dead-lettered (the dead-letter stream unavailable, a node lost) would stay on its
    // stream, never delivered again. A user that may not change consumers goes on with it as
    // it is: the runtime still dead-letters one delivery before that limit.
    let mut unlimited = consumer.cached_info().config.clone();
    unlimited.max_deliver = UNLIMITED_DELIVERIES;
    if let Err(err) = stream.create_consumer(unlimited).await {
        let why = crate::last_refusal()
            .filter(|r| r.contains("CONSUMER.CREATE"))
            .map_or_else(
                || err.to_string(),
                |refusal| format!("permission denied: {refusal}"),
            );
        tracing::warn!(
            consumer = name,
            stream = stream_name,
            error = why,
            "The consumer has the delivery limit of an earlier newsflow; run `newsflow setup` as an admin to lift it. Going on with it as it is."
        );
        return Ok((consumer, false));
    }
    let lifted = stream.get_consumer(name).await.map_err(|err| {
        anyhow::anyhow!("opening durable consumer {name} on {stream_name}: {err}")
    })?;
    Ok((lifted, true))
}

/// The server redelivers a stage's messages for as long as it takes: the runtime counts the
/// deliveries and dead-letters a message past `NEWSFLOW_MAX_DELIVER`, and until its letter is
/// stored the message stays where it is and comes back.
const UNLIMITED_DELIVERIES: i64 = -1;
