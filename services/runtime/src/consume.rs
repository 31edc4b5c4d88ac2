//! The stage loop: fetch with bounded concurrency, handle, publish, then ack; dead-letter what
//! can never succeed; nak with backoff what may; stop cleanly on shutdown.

use crate::admin::{self, Readiness};
use crate::dead_letter::{self, Failure};
use crate::metrics::{
    DEAD_LETTERED, DUPLICATES, FAILED, LABEL_ERROR_TYPE, LABEL_STAGE, PROCESS_DURATION, PROCESSED,
    RECEIVED,
};
use crate::near::Near;
use crate::revisions::{Published, Revisions, Unpublished};
use crate::stage::{Handled, Handler, Pending};
use crate::{Bus, Config, ConnectMode, Stage, StageError, report, streams};
use async_nats::jetstream::{self, AckKind};
use futures::StreamExt as _;
use newsflow_proto::{Envelope, ErrorType, headers};
use std::collections::VecDeque;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{Instrument as _, debug, error, info, info_span, warn};

/// Longest wait between two redeliveries of a transiently failing message.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Publishes of one input awaiting their ack at once, at most.
const ACKS_PER_INPUT: usize = 128;
/// Publishes awaiting their ack at once in one process, at most: below the client's own limit
/// (5,000), which when full makes every further publish wait, and with every job holding
/// unawaited acks, wait for good.
const ACKS_PER_PROCESS: usize = 4_000;

/// The ack window of one input: [`ACKS_PER_PROCESS`] shared by every message every stage of the
/// process may work on at once.
fn acks_per_input(stages: usize, max_in_flight: u16) -> usize {
    let inputs = stages.max(1) * usize::from(max_in_flight.max(1));
    (ACKS_PER_PROCESS / inputs).clamp(1, ACKS_PER_INPUT)
}
/// How long to wait before re-binding a consumer after the server went away.
const REBIND_DELAY: Duration = Duration::from_secs(1);

/// Runs one stage until `shutdown` resolves: the single entry point of a stage process, and what
/// tests call.
///
/// # Errors
/// When the admin port cannot be bound, or in-flight messages do not finish within
/// `NEWSFLOW_SHUTDOWN_TIMEOUT` (they are redelivered later; nothing is lost).
///
/// # Examples
/// ```no_run
/// # async fn example(stage: newsflow_runtime::Stage) -> anyhow::Result<()> {
/// let config = newsflow_runtime::Config::from_env()?;
/// newsflow_runtime::run(stage, config, newsflow_runtime::shutdown_signal()).await
/// # }
/// ```
pub async fn run(
    stage: Stage,
    config: Config,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let port = stage.default_admin_port;
    run_many(vec![stage], config, port, shutdown).await
}

/// Runs several stages in one process over one connection (`newsflow up`), with one admin
/// listener on `default_admin_port` unless `NEWSFLOW_ADMIN_ADDR` says otherwise.
///
/// # Errors
/// As [`run`].
pub async fn run_many(
    stages: Vec<Stage>,
    config: Config,
    default_admin_port: u16,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    run_serving(stages, config, default_admin_port, None, shutdown).await
}

/// Routes served beside `/healthz`, `/readyz` and `/metrics` on the admin address, made once
/// the bus is connected; their work stops with the token.
pub struct ExtraRoutes {
    /// What they serve, logged with the address once it is bound: `said(addr)`.
    pub said: admin::Said,
    /// Makes them once the bus is connected.
    pub make: MakeRoutes,
}

/// Makes extra routes from the connected bus; their work stops with the token.
pub type MakeRoutes = Box<dyn FnOnce(&Bus, &CancellationToken) -> axum::Router + Send>;

/// As [`run_many`], also serving `extra` on the admin address (`newsflow up`'s web console).
///
/// # Errors
/// As [`run`].
pub async fn run_serving(
    stages: Vec<Stage>,
    config: Config,
    default_admin_port: u16,
    extra: Option<ExtraRoutes>,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let client_name = match stages.as_slice() {
        [only] => format!("newsflow-{}", only.name),
        _ => "newsflow-up".to_owned(),
    };
    let names: Vec<&'static str> = stages.iter().map(|s| s.name).collect();
    let bus = Bus::connect(&config.connection, &client_name, ConnectMode::Retry).await?;
    let readiness = Readiness::new(bus.clone(), &names);
    let stop = CancellationToken::new();
    let admin = match config.stage_loop.admin_socket(default_admin_port) {
        Some(socket) => {
            let extra = extra.map(|extra| ((extra.make)(&bus, &stop), extra.said));
            Some(admin::serve(socket, readiness.clone(), extra, stop.clone()).await?)
        }
        None => None,
    };
    for name in &names {
        crate::metrics::register(name);
    }
    let ctx = Arc::new(Ctx {
        bus: bus.clone(),
        config: config.clone(),
        readiness,
        tracker: TaskTracker::new(),
        timings: Arc::new(report::Timings::new(&names)),
        acks_per_input: acks_per_input(names.len(), config.stage_loop.max_in_flight),
    });
    let reporting = report::spawn(bus.clone(), ctx.timings.clone(), stop.clone());
    for stage in stages {
        let ctx2 = ctx.clone();
        let stop = stop.clone();
        ctx.tracker
            .spawn(async move { consume(stage, ctx2, stop).await });
    }

    shutdown.await;
    info!(stages = ?names, "Stopping: no more fetching; finishing in-flight messages.");
    stop.cancel();
    ctx.tracker.close();
    let finished = tokio::select! {
        () = ctx.tracker.wait() => Ok(()),
        () = tokio::time::sleep(config.stage_loop.shutdown_timeout) => Err(anyhow::anyhow!(
            "in-flight messages did not finish within NEWSFLOW_SHUTDOWN_TIMEOUT ({}); they will be redelivered",
            humantime::format_duration(config.stage_loop.shutdown_timeout)
        )),
        () = crate::shutdown_signal() => Err(anyhow::anyhow!(
            "second shutdown signal: stopping now; un-acked messages will be redelivered"
        )),
    };
    let _ = reporting.await;
    if let Err(err) = bus.flush().await {
        warn!(error = format!("{err:#}"), "Flushing NATS failed.");
    }
    if let Err(err) = bus.drain().await {
        warn!(error = format!("{err:#}"), "Draining NATS failed.");
    }
    if let Some(admin) = admin {
        // An open page of the console keeps its connection; it is not waited for long.
        let _ = tokio::time::timeout(Duration::from_secs(5), admin).await;
    }
    finished?;
    info!("Stage stopped.");
    Ok(())
}

struct Ctx {
    bus: Bus,
    config: Config,
    readiness: Readiness,
    tracker: TaskTracker,
    timings: Arc<report::Timings>,
    /// Publishes of one input awaiting their ack at once.
    acks_per_input: usize,
}

/// Binds the consumer and feeds messages to handlers until `stop`; re-binds after the server
/// restarts or the consumer disappears.
async fn consume(stage: Stage, ctx: Arc<Ctx>, stop: CancellationToken) {
    let permits = Arc::new(Semaphore::new(usize::from(
        ctx.config.stage_loop.max_in_flight,
    )));
    // Kept across re-binds: messages still in flight from before a re-bind hold its locks.
    let mut earlier: Option<Arc<Revisions>> = None;
    // Made on the first bind that can and kept: its index of the window follows the stream.
    let mut near: Option<Option<Arc<Near>>> = None;
    while !stop.is_cancelled() {
        if let Some(mirror) = stage.mirror.as_ref().filter(|m| !m.is_following()) {
            // The work goes on with what this process learns rather than stop for the bucket.
            if let Err(err) = mirror
                .start(&ctx.bus, ctx.config.retention.replication)
                .await
            {
                warn!(
                    stage = stage.name,
                    bucket = mirror.bucket(),
                    error = format!("{err:#}"),
                    "The bucket cannot be followed; trying again at the next bind (for a user that may not create it, run `newsflow setup` as an admin)."
                );
            }
        }
        let bound = async {
            streams::ensure_streams(&ctx.bus, &ctx.config.retention).await?;
            let revisions = if stage.keeps_revisions() {
                let opened = streams::ensure_revisions(&ctx.bus, &ctx.config.retention).await?;
                let near = match &near {
                    Some(near) => near.clone(),
                    None => {
                        let replication = ctx.config.retention.replication;
                        // The chain goes on without the check rather than stop for it.
                        Near::start(&ctx.bus, ctx.config.near, replication, &stop)
                            .await
                            .unwrap_or_else(|err| {
                                warn!(
                                    stage = stage.name,
                                    error = format!("{err:#}"),
                                    "Near-duplicates are not marked: the stream NEWSFLOW_SIGNATURES cannot be used (for a user that may not create it, run `newsflow setup` as an admin, then restart this stage)."
                                );
                                None
                            })
                    }
                };
                let opened = opened.with_near(near);
                Some(Arc::new(match &earlier {
                    Some(earlier) => opened.with_locks_of(earlier),
                    None => opened,
                }))
            } else {
                None
            };
            let (consumer, _) =
                streams::ensure_consumer(&ctx.bus, &ctx.config.stage_loop, stage.name, stage.input)
                    .await?;
            // The consumer's own, which `newsflow setup` may have set to another value than
            // this process's NEWSFLOW_ACK_WAIT: the server redelivers after it.
            let ack_wait = consumer.cached_info().config.ack_wait;
            let messages = consumer
                .stream()
                .max_messages_per_batch(usize::from(ctx.config.stage_loop.max_in_flight))
                .messages()
                .await?;
            anyhow::Ok((messages, revisions, ack_wait))
        };
        let (mut messages, revisions, ack_wait) = tokio::select! {
            () = stop.cancelled() => break,
            bound = bound => match bound {
                Ok(bound) => bound,
                Err(err) => {
                    warn!(stage = stage.name, error = format!("{err:#}"), "Cannot bind consumer; retrying.");
                    ctx.readiness.set_bound(stage.name, false);
                    sleep_or_stop(REBIND_DELAY, &stop).await;
                    continue;
                }
            },
        };
        // A check that could not start is tried again at the next bind.
        if let Some(started) = revisions.as_ref().and_then(|r| r.near()) {
            near.get_or_insert(Some(started));
        }
        earlier.clone_from(&revisions);
        ctx.readiness.set_bound(stage.name, true);
        info!(stage = stage.name, subject = stage.input, "Consumer bound.");
        loop {
            let permit = tokio::select! {
                () = stop.cancelled() => return,
                permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            };
            let next = tokio::select! {
                () = stop.cancelled() => return,
                next = messages.next() => next,
            };
            match next {
                Some(Ok(message)) => {
                    let (stage, ctx2, revisions) = (stage.clone(), ctx.clone(), revisions.clone());
                    ctx.tracker.spawn(async move {
                        handle(&stage, &ctx2, revisions.as_deref(), ack_wait, message).await;
                        drop(permit);
                    });
                }
                Some(Err(err)) => {
                    warn!(stage = stage.name, %err, "Consumer stream failed; re-binding.");
                    break;
                }
                None => break,
            }
        }
        ctx.readiness.set_bound(stage.name, false);
        sleep_or_stop(REBIND_DELAY, &stop).await;
    }
}

async fn sleep_or_stop(delay: Duration, stop: &CancellationToken) {
    tokio::select! {
        () = stop.cancelled() => {},
        () = tokio::time::sleep(delay) => {},
    }
}

fn header<'a>(message: &'a jetstream::Message, name: &str) -> Option<&'a str> {
    message.headers.as_ref()?.get(name).map(|v| v.as_str())
}

async fn handle(
    stage: &Stage,
    ctx: &Ctx,
    revisions: Option<&Revisions>,
    ack_wait: Duration,
    message: jetstream::Message,
) {
    let started = Instant::now();
    let (delivered, sequence) = message
        .info()
        .map(|i| (u64::try_from(i.delivered).unwrap_or(1), i.stream_sequence))
        .unwrap_or((1, 0));
    let article_id = header(&message, headers::ARTICLE_ID)
        .unwrap_or("")
        .to_owned();
    let traceparent = header(&message, headers::TRACEPARENT).map(str::to_owned);
    let trace_id = traceparent
        .as_deref()
        .and_then(crate::trace::trace_id)
        .unwrap_or("")
        .to_owned();
    let span = info_span!(
        "message",
        stage = stage.name,
        subject = %message.subject,
        article_id = %article_id,
        trace_id = %trace_id,
        sequence,
        delivery = delivered,
    );
    crate::telemetry::continue_trace(&span, traceparent.as_deref());
    async {
        metrics::counter!(RECEIVED, LABEL_STAGE => stage.name).increment(1);
        let job = Job { stage, ctx, message: &message, delivered, sequence, traceparent: traceparent.as_deref(), ack_wait };
        if delivered > u64::from(ctx.config.stage_loop.max_deliver) {
            let reason = format!(
                "gave up after {} deliveries: none finished (the stage crashed or exceeded NEWSFLOW_ACK_WAIT on this message, or its outcome could not be stored)",
                delivered - 1
            );
            job.dead_letter(ErrorType::MaxDeliveries, reason).await;
        } else {
            let handled = match &stage.handler {
                Handler::Forward(output) => Ok(Ok(Handled::Outputs(vec![job.forwarded(output)]))),
                _ => job.work().await,
            };
            match handled {
                Ok(Ok(Handled::Outputs(outputs))) => job.publish_and_ack(outputs).await,
                Ok(Ok(Handled::Revisioned(pending))) => match revisions {
                    Some(revisions) => job.revisioned(revisions, pending).await,
                    None => job.retry("revisions", "the revisions bucket is not open".to_owned()).await,
                },
                Ok(Err(err)) => job.fail(err).await,
                Err(Unfinished::Panicked(join)) => {
                    let reason = format!("the stage panicked on this input: {}", panic_message(join));
                    job.dead_letter(ErrorType::Invalid, reason).await;
                }
                Err(Unfinished::OverBudget) => {
                    let budget = ctx.config.stage_loop.work_budget;
                    let reason = format!(
                        "the work on this input took longer than NEWSFLOW_WORK_BUDGET ({}) and was abandoned",
                        humantime::format_duration(budget)
                    );
                    job.dead_letter(ErrorType::Invalid, reason).await;
                }
            }
        }
        let took = started.elapsed();
        metrics::histogram!(PROCESS_DURATION, LABEL_STAGE => stage.name).record(took.as_secs_f64());
        ctx.timings.record(stage.name, took);
    }
    .instrument(span)
    .await;
}

/// An error and its causes, as `{:#}` writes them but without a cause its error already
/// spells out (async-nats' publish errors include their source in their own message), so a
/// dead letter's reason says each thing once.
fn causes(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&cause);
        }
    }
    text
}

/// Why the text work on a message gave no result.
enum Unfinished {
    Panicked(tokio::task::JoinError),
    OverBudget,
}

/// Room left in a message for its headers (a trace, ids, the CloudEvents attributes).
const HEADER_ROOM: usize = 4 * 1024;

/// Why `outputs` cannot be published, when one of them is larger than the server takes.
fn oversized(outputs: &[Envelope], max_payload: usize) -> Option<String> {
    let limit = max_payload.saturating_sub(HEADER_ROOM);
    let output = outputs.iter().find(|output| output.payload.len() > limit)?;
    Some(format!(
        "the output on {} would be {} bytes, more than the server takes in one message \
         (max_payload {max_payload} bytes, less {HEADER_ROOM} for headers); \
         raise max_payload or lower the ingest size limit",
        output.subject,
        output.payload.len()
    ))
}

fn panic_message(join: tokio::task::JoinError) -> String {
    match join.try_into_panic() {
        Ok(panic) => panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned()),
        Err(err) => err.to_string(),
    }
}

/// One delivery of one message, and the ways it can end.
struct Job<'a> {
    stage: &'a Stage,
    ctx: &'a Ctx,
    message: &'a jetstream::Message,
    delivered: u64,
    sequence: u64,
    traceparent: Option<&'a str>,
    /// The consumer's ack wait: the server redelivers the message when it passes unheard.
    ack_wait: Duration,
}

impl Job<'_> {
    /// Runs the stage's text work off the async threads. While it runs the server hears every
    /// third of the ack wait that the message is in progress, so slow work is not redelivered
    /// and done again alongside; past the work budget the work is abandoned (its thread finishes
    /// on its own, its result unread).
    async fn work(&self) -> Result<Result<Handled, StageError>, Unfinished> {
        let handler = self.stage.handler.clone();
        let payload = self.message.payload.clone();
        let mut task = tokio::task::spawn_blocking(move || handler.call(&payload));
        let budget = tokio::time::sleep(self.ctx.config.stage_loop.work_budget);
        tokio::pin!(budget);
        let period = (self.ack_wait / 3).max(Duration::from_millis(100));
        let mut progress = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        loop {
            tokio::select! {
                // Finished work wins over a budget that ran out at the same moment.
                biased;
                done = &mut task => return done.map_err(Unfinished::Panicked),
                () = &mut budget => return Err(Unfinished::OverBudget),
                _ = progress.tick() => {
                    if let Err(err) = self.message.ack_with(AckKind::Progress).await {
                        warn!(error = %err, "Could not tell the server this message is in progress.");
                    }
                }
            }
        }
    }

    async fn publish_and_ack(&self, outputs: Vec<Envelope>) {
        if let Some(reason) = oversized(&outputs, self.ctx.bus.max_payload()) {
            // The server would refuse it on every delivery: give up now, with the reason.
            self.dead_letter(ErrorType::Invalid, reason).await;
            return;
        }
        match self.publish(outputs).await {
            Ok(()) => self.ack().await,
            Err(err) => self.retry("publish", causes(&err)).await,
        }
    }

    /// A message in revisions: the revisions bucket decides and records its revision (see
    /// [`crate::revisions`]); ack once it is published or known to be a duplicate.
    async fn revisioned(&self, revisions: &Revisions, pending: Pending) {
        let id = pending.id.clone();
        let published = revisions
            .process(pending, |envelope| self.publish(vec![envelope]))
            .await;
        match published {
            Ok(Published::Duplicate(revision)) => {
                metrics::counter!(DUPLICATES, LABEL_STAGE => self.stage.name).increment(1);
                self.ctx.timings.record_duplicate(self.stage.name);
                info!(
                    %id,
                    revision,
                    "Unchanged content: a duplicate of the latest revision; nothing published."
                );
                self.ack().await;
            }
            Ok(Published::Stored(revision)) => {
                debug!(%id, revision, "Revision recorded.");
                self.ack().await;
            }
            Ok(Published::Superseded(revision)) => {
                debug!(%id, revision, "Revision out; a newer one is already reserved.");
                self.ack().await;
            }
            Err(Unpublished::Rejected(err)) => self.fail(err).await,
            Err(Unpublished::Retry(error_type, reason)) => self.retry(error_type, reason).await,
        }
    }

    async fn fail(&self, err: StageError) {
        match err {
            StageError::Decode(reason) => self.dead_letter(ErrorType::Decode, reason).await,
            StageError::Invalid(reason) => self.dead_letter(ErrorType::Invalid, reason).await,
            StageError::Transient(err) => self.retry("transient", causes(&err)).await,
        }
    }

    /// The input unchanged on `output`, for a pass-through stage.
    fn forwarded(&self, output: &str) -> Envelope {
        let message = self.message;
        let msg_id = header(message, headers::MSG_ID).unwrap_or("");
        Envelope::new(
            output,
            "pass-through",
            format!("{msg_id}.{}", self.stage.name),
            header(message, headers::ARTICLE_ID).map(str::to_owned),
            message.payload.to_vec(),
        )
    }

    /// The input's trace, carried on to what it makes; a new one when it came without.
    fn traceparent(&self) -> String {
        if let Some(own) = crate::telemetry::traceparent_of(&tracing::Span::current()) {
            return own;
        }
        self.traceparent
            .map_or_else(crate::new_traceparent, str::to_owned)
    }

    /// Publishes every output, carrying the input's trace, and waits for all their acks before
    /// returning (so the input is acked only once everything it made is stored); the first is
    /// stored before the others are sent. At most
    /// [`acks_per_input`] publishes await their ack at once: an article that fans out into
    /// thousands of events never fills the client's pending-ack limit.
    async fn publish(&self, outputs: Vec<Envelope>) -> anyhow::Result<()> {
        // A raw article has no id until ingest gives it one: its span and logs get it now.
        if let Some(id) = outputs.first().and_then(|o| o.article_id.as_deref()) {
            tracing::Span::current().record("article_id", id);
        }
        let traceparent = self.traceparent();
        let window = self.ctx.acks_per_input;
        let mut outputs = outputs.into_iter();
        // The first of several outputs (an article's event) is stored before the rest (its quote
        // and entity events) go out: when the stream refuses it, none of them is published.
        if outputs.len() > 1
            && let Some(first) = outputs.next()
        {
            self.ctx
                .bus
                .send(self.stage.name, first, &traceparent)
                .await?
                .await?;
        }
        let mut acks = VecDeque::with_capacity(outputs.len().min(window));
        for output in outputs {
            if acks.len() >= window
                && let Some(oldest) = acks.pop_front()
            {
                oldest.await?;
            }
            acks.push_back(
                self.ctx
                    .bus
                    .send(self.stage.name, output, &traceparent)
                    .await?,
            );
        }
        for ack in acks {
            ack.await?;
        }
        Ok(())
    }

    async fn ack(&self) {
        match self.message.ack().await {
            Ok(()) => {
                metrics::counter!(PROCESSED, LABEL_STAGE => self.stage.name).increment(1);
                debug!("Processed.");
            }
            // The output is already stored; the redelivery will be de-duplicated downstream.
            Err(err) => {
                warn!(%err, "Ack failed; the message will be redelivered and de-duplicated.")
            }
        }
    }

    async fn retry(&self, error_type: &'static str, reason: String) {
        metrics::counter!(FAILED, LABEL_STAGE => self.stage.name, LABEL_ERROR_TYPE => error_type)
            .increment(1);
        if self.delivered >= u64::from(self.ctx.config.stage_loop.max_deliver) {
            let reason = format!(
                "gave up after {} deliveries; last error: {reason}",
                self.delivered
            );
            self.dead_letter(ErrorType::MaxDeliveries, reason).await;
            return;
        }
        let delay = self.backoff();
        warn!(error = %reason, retry_in = ?delay, "Transient failure; redelivering.");
        if let Err(err) = self.message.ack_with(AckKind::Nak(Some(delay))).await {
            warn!(%err, "Nak failed; the message will be redelivered after the ack wait.");
        }
    }

    /// The wait before this message's next delivery: `NEWSFLOW_RETRY_BACKOFF`, doubled for each
    /// delivery before this one, at most [`MAX_BACKOFF`].
    fn backoff(&self) -> Duration {
        let exponent = u32::try_from(self.delivered.saturating_sub(1))
            .unwrap_or(u32::MAX)
            .min(16);
        self.ctx
            .config
            .stage_loop
            .retry_backoff
            .saturating_mul(1 << exponent)
            .min(MAX_BACKOFF)
    }

    async fn dead_letter(&self, error_type: ErrorType, reason: String) {
        if error_type != ErrorType::MaxDeliveries {
            metrics::counter!(FAILED, LABEL_STAGE => self.stage.name, LABEL_ERROR_TYPE => error_type.as_str())
                .increment(1);
        }
        let letter = dead_letter::build(
            self.message,
            Failure {
                stage: self.stage.name,
                reason: reason.clone(),
                error_type,
                delivery_count: self.delivered,
                stream_sequence: self.sequence,
            },
        );
        let published = async {
            self.ctx
                .bus
                .send(
                    self.stage.name,
                    dead_letter::envelope_within(
                        letter,
                        self.ctx.bus.max_payload().saturating_sub(HEADER_ROOM),
                        &self.message.payload,
                    )?,
                    &self.traceparent(),
                )
                .await?
                .await?;
            anyhow::Ok(())
        }
        .await;
        match published {
            Ok(()) => {
                metrics::counter!(DEAD_LETTERED, LABEL_STAGE => self.stage.name).increment(1);
                if error_type == ErrorType::MaxDeliveries {
                    error!(%reason, "Max deliveries reached; dead-lettered.");
                } else {
                    warn!(%reason, error_type = error_type.as_str(), "Dead-lettered.");
                }
                if let Err(err) = self.message.ack_with(AckKind::Term).await {
                    warn!(%err, "Term failed; the message will come back and be dead-lettered again (de-duplicated).");
                }
            }
            Err(err) => {
                // The input stays on its stream and comes back (the server's deliveries are not
                // limited) until its letter can be stored.
                let delay = self.backoff();
                error!(error = format!("{err:#}"), %reason, retry_in = ?delay, "Dead-letter publish failed; redelivering the input.");
                let _ = self.message.ack_with(AckKind::Nak(Some(delay))).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(subject: &str, bytes: usize) -> Envelope {
        Envelope::new(
            subject,
            "article.quotes.v2",
            "a.r1.quotes",
            Some("a".into()),
            vec![b' '; bytes],
        )
    }

    #[test]
    fn a_reason_names_each_cause_once() {
        let err = anyhow::anyhow!("message size exceeds maximum allowed (code 400)")
            .context("publish failed: message size exceeds maximum allowed (code 400)")
            .context("waiting for the stream to store the message");
        assert_eq!(
            causes(&err),
            "waiting for the stream to store the message: publish failed: message size exceeds \
             maximum allowed (code 400)"
        );
    }

    #[test]
    fn every_publish_a_process_may_await_fits_under_the_clients_limit() {
        assert_eq!(acks_per_input(1, 16), 128);
        assert_eq!(acks_per_input(5, 16), 50);
        assert_eq!(acks_per_input(1, 1000), 4);
        // NEWSFLOW_MAX_IN_FLIGHT goes up to 500; `up` runs five stages.
        for (stages, in_flight) in [(1, 16), (5, 16), (1, 40), (5, 100), (5, 500)] {
            let most = stages * usize::from(in_flight) * acks_per_input(stages, in_flight);
            assert!(most <= ACKS_PER_PROCESS, "{stages} × {in_flight}: {most}");
        }
    }

    #[test]
    fn an_output_the_server_would_refuse_is_named_with_its_size() {
        let outputs = [
            output("newsflow.articles.quotes", 10),
            output("newsflow.events.article", 9_000),
        ];
        let reason = oversized(&outputs, 8_192).expect("too large");
        assert!(reason.contains("newsflow.events.article"), "{reason}");
        assert!(reason.contains("9000 bytes"), "{reason}");
        assert!(reason.contains("max_payload 8192"), "{reason}");
        assert_eq!(oversized(&outputs[..1], 8_192), None);
    }
}
