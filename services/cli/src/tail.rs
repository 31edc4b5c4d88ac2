//! `newsflow tail`: events as JSON Lines through `newsflow-client` — live, replayed from the
//! start, a time or a sequence, or through a named durable consumer that resumes where it
//! stopped — filtered on the server by kind, speaker, entity type and name.

use newsflow_client::{ENTITY_TYPES, Filter, Start, subscribe};
use newsflow_proto::subjects;
use newsflow_runtime::{Bus, ConnectMode, Connection, streams};
use std::io::Write as _;
use std::time::Duration;

/// How often to look again for the events stream before the first stage has created it.
const STREAM_POLL: Duration = Duration::from_secs(1);

/// Which events to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// `event.article.v1` on `newsflow.events.article`.
    Article,
    /// `event.quote.v1` on `newsflow.events.quote.<speaker>`.
    Quote,
    /// `event.entity.v1` on `newsflow.events.entity.<type>.<name>`.
    Entity,
}

/// What to show, as flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only this kind of event (implied by --speaker, --entity and --type).
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,
    /// Only quotes of this speaker: a name (`Antony J. Blinken`), its slug (`antony-j-blinken`),
    /// or part of it (`Blinken`: the speaker whose name holds it with the most quotes).
    #[arg(long)]
    pub speaker: Option<String>,
    /// Only this entity: a name (`North Korea`), its slug, or part of it (as --speaker).
    #[arg(long)]
    pub entity: Option<String>,
    /// Only entities of this type.
    #[arg(long = "type", value_parser = clap::builder::PossibleValuesParser::new(ENTITY_TYPES))]
    pub entity_type: Option<String>,
}

impl From<FilterArgs> for Filter {
    fn from(args: FilterArgs) -> Self {
        Filter {
            kind: args.kind.map(|k| match k {
                Kind::Article => newsflow_client::Kind::Article,
                Kind::Quote => newsflow_client::Kind::Quote,
                Kind::Entity => newsflow_client::Kind::Entity,
            }),
            speaker: args.speaker,
            entity: args.entity,
            entity_type: args.entity_type,
        }
    }
}

/// Where to start reading, as flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct StartArgs {
    /// Replay from the first event the stream still holds.
    #[arg(long, conflicts_with_all = ["since", "from_seq"])]
    pub from_start: bool,
    /// Replay events published within this long, e.g. `1h` or `2d`.
    #[arg(long, value_parser = newsflow_runtime::config::parse_duration, conflicts_with = "from_seq")]
    pub since: Option<Duration>,
    /// Replay from this stream sequence number on.
    #[arg(long)]
    pub from_seq: Option<u64>,
}

impl From<&StartArgs> for Start {
    fn from(args: &StartArgs) -> Self {
        match (args.from_start, args.since, args.from_seq) {
            (true, _, _) => Start::First,
            (_, Some(age), _) => Start::since(age),
            (_, _, Some(seq)) => Start::Sequence(seq),
            _ => Start::New,
        }
    }
}

/// Prints events as JSON Lines, exactly as published, until interrupted or until `limit` were
/// printed. With a `durable` name every printed event is acknowledged, so the next
/// `tail --durable NAME` continues right after it. Before any stage has run there is no events
/// stream yet: it says so and waits for one.
///
/// # Errors
/// When NATS cannot be reached, the options contradict each other, or the durable consumer
/// exists with another filter.
pub async fn tail(
    connection: &Connection,
    filter: FilterArgs,
    start: &StartArgs,
    durable: Option<&str>,
    limit: Option<usize>,
) -> anyhow::Result<()> {
    let mut filter = Filter::from(filter);
    filter.subject()?;
    let bus = Bus::connect(connection, "newsflow-tail", ConnectMode::FailFast).await?;
    if !wait_for_events_stream(&bus).await? {
        return Ok(());
    }
    by_part_of_the_name(&bus, &mut filter).await?;
    let mut events = subscribe(bus.nats(), &filter, start.into(), durable).await?;
    let mut printed = 0usize;
    while limit.is_none_or(|l| printed < l) {
        let next = tokio::select! {
            next = events.next() => next,
            () = newsflow_runtime::shutdown_signal() => break,
        };
        let Some(delivery) = next else { break };
        let delivery = delivery?;
        let written = {
            let mut out = std::io::stdout().lock();
            out.write_all(&delivery.payload)
                .and_then(|()| out.write_all(b"\n"))
                .and_then(|()| out.flush())
        };
        if written.is_err() {
            break; // the reader went away (`| head`): nothing more to do
        }
        delivery.ack().await?;
        printed += 1;
    }
    Ok(())
}

/// A speaker or entity given by part of its name (`Blinken`) when no events are filed under
/// that name as it is: reads those of the one whose name holds it with the most events
/// (`antony-j-blinken`), saying so and naming the others, so the server still filters.
async fn by_part_of_the_name(bus: &Bus, filter: &mut Filter) -> anyhow::Result<()> {
    let (kind, given) = match (&filter.speaker, &filter.entity) {
        (Some(speaker), _) => (newsflow_client::Kind::Quote, speaker.clone()),
        (None, Some(entity)) => (newsflow_client::Kind::Entity, entity.clone()),
        (None, None) => return Ok(()),
    };
    let exact = filter.subject()?;
    if streams::count(bus, subjects::EVENTS_STREAM, &exact).await? > 0 {
        return Ok(());
    }
    let all = match kind {
        newsflow_client::Kind::Quote => format!("{}.>", subjects::EVENTS_QUOTE),
        _ => match &filter.entity_type {
            Some(entity_type) => format!("{}.{entity_type}.>", subjects::EVENTS_ENTITY),
            None => format!("{}.>", subjects::EVENTS_ENTITY),
        },
    };
    let known: Vec<(String, usize)> = streams::subject_counts(bus, subjects::EVENTS_STREAM, &all)
        .await?
        .into_iter()
        .collect();
    let named = newsflow_client::subjects_named(&given, kind, &known);
    let Some(best) = named.first() else {
        eprintln!(
            "No events name {given:?} yet (nor anyone whose name holds it): waiting for those filed under {exact}."
        );
        return Ok(());
    };
    // newsflow.events.quote.<name> or newsflow.events.entity.<type>.<name>
    let mut parts = best.rsplitn(3, '.');
    let name = parts.next().unwrap_or_default().to_owned();
    if kind == newsflow_client::Kind::Quote {
        filter.speaker = Some(name.clone());
    } else {
        filter.entity_type = parts.next().map(str::to_owned);
        filter.entity = Some(name.clone());
    }
    let others: Vec<&str> = named[1..]
        .iter()
        .filter_map(|s| s.rsplit('.').next())
        .collect();
    eprintln!(
        "No events are filed under {given:?} as it is: reading {best}, the name holding it with the most events{}.",
        if others.is_empty() {
            String::new()
        } else {
            format!(" (also: {}; give one of them to choose)", others.join(", "))
        }
    );
    Ok(())
}

/// Waits until the events stream exists; `false` when interrupted first.
async fn wait_for_events_stream(bus: &Bus) -> anyhow::Result<bool> {
    let mut said = false;
    while !streams::exists(bus, subjects::EVENTS_STREAM).await? {
        if !said {
            eprintln!(
                "Waiting for the events stream {}: no stage has started yet (`newsflow up` or \
                 `newsflow run events` creates it).",
                subjects::EVENTS_STREAM
            );
            said = true;
        }
        tokio::select! {
            () = tokio::time::sleep(STREAM_POLL) => {},
            () = newsflow_runtime::shutdown_signal() => return Ok(false),
        }
    }
    Ok(true)
}
