//! newsflow-pipeline: the chain `ingest → segment → entities → quotes → events` as one table.
//!
//! Each row of [`STAGES`] names a stage, the subject it consumes, the subject it publishes, the
//! schemas of what it publishes, its default admin port, and its work: the stage crate's own
//! message-level function, wired to the runtime. Everything that needs the list of stages
//! derives it from here: `newsflow run <stage>` ([`find`]), `newsflow up` ([`stages`]),
//! `newsflow status`, `newsflow process` ([`Chain`], the whole chain in this process without a
//! bus) and the end-to-end test harness. Adding a stage is its schema, its crate, one row here
//! and its test.
//!
//! Failure semantics are the runtime's (`newsflow_runtime`): bad input is dead-lettered on
//! `newsflow.dlq.<stage>` with its reason, transient failures are retried.
#![warn(missing_docs)]

pub mod samples;

use newsflow_ingest::{IngestError, Limits};
use newsflow_proto::{Envelope, schema, subjects};
use newsflow_runtime::mirror::Mirror;
use newsflow_runtime::{Revisioned, Stage, StageError, decode, now_rfc3339, outgoing};

/// Admin port of `newsflow up`, which runs every stage in one process.
pub const UP_ADMIN_PORT: u16 = 9100;

/// One stage of the chain.
#[derive(Debug)]
pub struct StageRow {
    /// Stage name: `newsflow run <name>`, its consumer, its dead-letter subject, its metrics.
    pub name: &'static str,
    /// The subject it consumes.
    pub input: &'static str,
    /// The subject it publishes on (a wildcard when it publishes on several).
    pub output: &'static str,
    /// The schemas of what it publishes.
    pub schemas: &'static [&'static str],
    /// The key-value buckets it writes and follows besides its output (entries of schema
    /// `newsflow_runtime::mirror::ENTRY_SCHEMA`).
    pub buckets: &'static [&'static str],
    /// Where it serves `/healthz`, `/readyz` and `/metrics` unless `NEWSFLOW_ADMIN_ADDR` says.
    pub admin_port: u16,
    /// The stage as the runtime runs it.
    work: fn(&StageRow, &Settings) -> Stage,
}

/// The chain, in order: each stage consumes what the one before publishes.
pub static STAGES: &[StageRow] = &[
    StageRow {
        name: "ingest",
        input: subjects::ARTICLES_RAW,
        output: subjects::ARTICLES_INGESTED,
        schemas: &[schema::ARTICLE_INGESTED],
        admin_port: 9101,
        buckets: &[],
        work: ingest,
    },
    StageRow {
        name: "segment",
        input: subjects::ARTICLES_INGESTED,
        output: subjects::ARTICLES_SEGMENTED,
        schemas: &[schema::ARTICLE_SEGMENTED],
        admin_port: 9102,
        buckets: &[],
        work: |row, _| row.typed(newsflow_segment::segment),
    },
    StageRow {
        name: "entities",
        input: subjects::ARTICLES_SEGMENTED,
        output: subjects::ARTICLES_ENTITIES,
        schemas: &[schema::ARTICLE_ENTITIES],
        admin_port: 9103,
        buckets: &[subjects::ENTITY_KEYS_BUCKET],
        work: entities,
    },
    StageRow {
        name: "quotes",
        input: subjects::ARTICLES_ENTITIES,
        output: subjects::ARTICLES_QUOTES,
        schemas: &[schema::ARTICLE_QUOTES],
        admin_port: 9104,
        buckets: &[],
        work: |row, _| row.typed(newsflow_quotes::quotes),
    },
    StageRow {
        name: "events",
        input: subjects::ARTICLES_QUOTES,
        output: subjects::EVENTS_SUBJECTS,
        schemas: &[
            schema::EVENT_ARTICLE,
            schema::EVENT_QUOTE,
            schema::EVENT_ENTITY,
        ],
        admin_port: 9105,
        buckets: &[],
        work: events,
    },
];

/// Settings of particular stages, read once at start like the runtime's.
#[derive(Debug, Clone, Copy, clap::Args)]
#[command(next_help_heading = "Ingest")]
pub struct Settings {
    /// Largest raw article ingest accepts, in bytes; larger ones are rejected with a reason.
    #[arg(long, env = "NEWSFLOW_INGEST_MAX_BYTES", default_value_t = newsflow_ingest::DEFAULT_MAX_BYTES)]
    pub max_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_bytes: newsflow_ingest::DEFAULT_MAX_BYTES,
        }
    }
}

impl Settings {
    /// What ingest enforces.
    pub fn ingest_limits(&self) -> Limits {
        Limits {
            max_bytes: self.max_bytes,
        }
    }
}

/// Stage names in chain order.
pub fn names() -> impl Iterator<Item = &'static str> {
    STAGES.iter().map(|row| row.name)
}

/// The stage called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static StageRow> {
    STAGES.iter().find(|row| row.name == name)
}

/// Every stage as the runtime runs it, in chain order.
pub fn stages(settings: &Settings) -> Vec<Stage> {
    STAGES.iter().map(|row| row.stage(settings)).collect()
}

impl StageRow {
    /// The stage as the runtime runs it.
    pub fn stage(&self, settings: &Settings) -> Stage {
        (self.work)(self, settings)
    }

    /// The stage with no work: it forwards every input unchanged, on its output subject (or,
    /// for a stage that publishes on several, on the article events' subject). The chain of
    /// these is the bare bus `newsflow bench pipeline` measures the real chain against.
    pub fn pass_through(&self) -> Stage {
        let output = if self.output.ends_with('>') {
            subjects::EVENTS_ARTICLE
        } else {
            self.output
        };
        Stage::pass_through(self.name, self.input, output, self.admin_port)
    }

    fn typed<I, O>(&self, work: fn(I) -> O) -> Stage
    where
        I: serde::de::DeserializeOwned + 'static,
        O: serde::Serialize + newsflow_proto::HasArticleId + 'static,
    {
        Stage::typed(
            self.name,
            self.input,
            self.output,
            self.schemas[0],
            self.admin_port,
            move |input| Ok(work(input)),
        )
    }
}

/// `ingest`: validates and normalises a raw article, and counts its revisions: unchanged
/// content is a duplicate and publishes nothing; changed content is the next revision.
fn ingest(row: &StageRow, settings: &Settings) -> Stage {
    let limits = settings.ingest_limits();
    Stage::revisioned(
        row.name,
        row.input,
        row.output,
        row.schemas[0],
        row.admin_port,
        move |payload| {
            let article = newsflow_ingest::ingest(payload, limits, &now_rfc3339()).map_err(
                |err| match err {
                    IngestError::NotUtf8(_) | IngestError::Malformed(_) => {
                        StageError::Decode(err.to_string())
                    }
                    _ => StageError::Invalid(err.to_string()),
                },
            )?;
            Ok(Revisioned {
                content_hash: newsflow_ingest::content_hash(&article),
                message: article,
            })
        },
    )
}

/// `entities`: the article with its entities, each keyed across articles by the bucket of
/// entity keys, which it teaches what the article adds (see `newsflow_entities::keys`).
fn entities(row: &StageRow, _: &Settings) -> Stage {
    let keys = Mirror::entity_keys();
    let (name, output, schema) = (row.name, row.output, row.schemas[0]);
    let known = keys.clone();
    Stage::new(row.name, row.input, row.admin_port, move |payload| {
        let (found, learned) = newsflow_entities::entities_keyed(decode(payload)?, &Known(&known));
        let mut out = Vec::with_capacity(1 + learned.len());
        out.push(outgoing(name, output, schema, &found)?);
        let article = &found.article;
        out.extend(learned.iter().filter_map(|(entry, key)| {
            known.write(entry, key, &article.article_id, article.revision)
        }));
        Ok(out)
    })
    .with_mirror(keys)
}

/// The bucket of entity keys, as `entities` reads it.
struct Known<'a>(&'a Mirror);

impl newsflow_entities::keys::Directory for Known<'_> {
    fn key_of(&self, entry: &str) -> Option<String> {
        self.0.get(entry)
    }
}

/// `events`: every event of the article, each on its own subject with its CloudEvents
/// attributes.
fn events(row: &StageRow, _: &Settings) -> Stage {
    Stage::fan_out(row.name, row.input, row.admin_port, |input| {
        let invalid = |err: &dyn std::fmt::Display| StageError::Invalid(err.to_string());
        let batch = newsflow_events::events(input).map_err(|err| invalid(&err))?;
        batch.envelopes(&now_rfc3339()).map_err(|err| invalid(&err))
    })
}

/// The whole chain in this process, without a bus (`newsflow process`): each stage's work from
/// the table, in order, each given what the stage before it published on its input subject.
#[derive(Debug)]
pub struct Chain {
    stages: Vec<Stage>,
}

impl Chain {
    /// The chain with these settings.
    pub fn new(settings: &Settings) -> Self {
        Self {
            stages: stages(settings),
        }
    }

    /// Runs one raw article (`article.raw.v1` JSON) through every stage; returns what the last
    /// stage published (the events, the article event first). The article is its first
    /// revision.
    ///
    /// # Errors
    /// What the first stage to reject the article says of it.
    pub fn process(&self, raw: &[u8]) -> Result<Vec<Envelope>, StageError> {
        let (last, before) = self.stages.split_last().expect("the chain has stages");
        let mut payload = raw.to_vec();
        for (stage, next) in before.iter().zip(&self.stages[1..]) {
            payload = stage
                .process(&payload)?
                .into_iter()
                .find(|envelope| envelope.subject == next.input)
                .ok_or_else(|| {
                    StageError::Invalid(format!(
                        "{} published nothing on {}",
                        stage.name, next.input
                    ))
                })?
                .payload;
        }
        last.process(&payload)
    }
}
