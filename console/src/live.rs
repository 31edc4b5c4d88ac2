//! What the console keeps up to date while it runs, each from its own loop: every stage's
//! figures and copies (as `newsflow status` reads them: JetStream, and the copies' reports on
//! `newsflow.stats.>`), the chain's throughput over the last minutes, and the latest articles.
//! Each change goes to the open pages as one JSON message.

use crate::events::Events;
use newsflow_proto::{StageReport, subjects};
use newsflow_runtime::Bus;
use newsflow_runtime::report::Copies;
use newsflow_runtime::status::{self, StageStatus};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

/// How often the stages' figures are read.
const STATUS_EVERY: Duration = Duration::from_secs(2);
/// How often new article events are looked for.
const ARTICLES_EVERY: Duration = Duration::from_secs(1);
/// Throughput samples kept: ten minutes of them.
const HISTORY: usize = 300;
/// Latest articles kept (with their text, for searching it).
pub const RECENT: usize = 200;
/// Most of an article's text kept for searching it.
const SEARCHED_CHARS: usize = 20_000;
/// Events an article takes in the stream, about: how far back to start looking for the latest
/// articles when the console starts.
const EVENTS_PER_ARTICLE: u64 = 60;

/// One of the latest articles.
#[derive(Debug, Clone, Serialize)]
pub struct Recent {
    pub sequence: u64,
    pub article_id: String,
    pub revision: u64,
    pub title: Option<String>,
    pub url: Option<String>,
    pub published_at: Option<String>,
    pub ingested_at: Option<String>,
    pub quotes: usize,
    pub entities: usize,
    #[serde(skip)]
    pub text: String,
}

impl Recent {
    fn of(sequence: u64, event: &Value) -> Self {
        let text = |field: &str| event.get(field).and_then(Value::as_str).map(str::to_owned);
        let count = |field: &str| {
            event
                .get(field)
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
        };
        Self {
            sequence,
            article_id: text("article_id").unwrap_or_default(),
            revision: event.get("revision").and_then(Value::as_u64).unwrap_or(1),
            title: text("title"),
            url: text("url"),
            published_at: text("published_at"),
            ingested_at: text("ingested_at"),
            quotes: count("quotes"),
            entities: count("entities"),
            // Lowercased once, for the text search.
            text: text("text")
                .unwrap_or_default()
                .chars()
                .take(SEARCHED_CHARS)
                .collect::<String>()
                .to_lowercase(),
        }
    }
}

#[derive(Default)]
struct State {
    stages: Vec<StageStatus>,
    /// (unix ms, articles per second out of the chain)
    history: VecDeque<(u64, f64)>,
    copies: Option<Copies>,
    recent: VecDeque<Recent>,
    bus_error: Option<String>,
}

/// The console's view of the chain, shared by the loops and the handlers.
#[derive(Clone)]
pub struct Live {
    state: Arc<Mutex<State>>,
    updates: broadcast::Sender<String>,
}

impl Live {
    /// Starts the loops on `bus`; they stop with `stop`.
    pub fn start(bus: &Bus, events: Events, stop: &CancellationToken) -> Self {
        let (updates, _) = broadcast::channel(256);
        let live = Self {
            state: Arc::default(),
            updates,
        };
        tokio::spawn(stopping(
            stop.clone(),
            live.clone().watch_stages(bus.clone()),
        ));
        tokio::spawn(stopping(stop.clone(), live.clone().watch_articles(events)));
        live
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// A receiver of every change, as JSON messages.
    pub fn subscribe(&self) -> broadcast::Receiver<String> {
        self.updates.subscribe()
    }

    fn send(&self, message: &Value) {
        // No page open: nobody to tell.
        let _ = self.updates.send(message.to_string());
    }

    /// Every stage with its figures and copies, the throughput history and the latest
    /// articles: what a page shows when it opens.
    pub fn overview(&self) -> Value {
        self.with(|state| {
            json!({
                "type": "overview",
                "stages": stages_json(state),
                "history": state.history,
                "articles": state.recent.iter().collect::<Vec<_>>(),
                "bus_error": state.bus_error,
            })
        })
    }

    /// The latest articles whose title or text contains `words` (case ignored), newest first.
    pub fn search_text(&self, words: &str, limit: usize) -> Vec<Recent> {
        let wanted = words.to_lowercase();
        self.with(|state| {
            state
                .recent
                .iter()
                .filter(|r| {
                    r.text.contains(&wanted)
                        || r.title
                            .as_deref()
                            .is_some_and(|t| t.to_lowercase().contains(&wanted))
                })
                .take(limit)
                .cloned()
                .collect()
        })
    }

    /// Sequences of the article events of `article_id` among the latest articles.
    pub fn sequences_of(&self, article_id: &str) -> Vec<u64> {
        self.with(|state| {
            state
                .recent
                .iter()
                .filter(|r| r.article_id == article_id)
                .map(|r| r.sequence)
                .collect()
        })
    }

    async fn watch_stages(self, bus: Bus) {
        let stages: Vec<(&str, &str)> = newsflow_pipeline::STAGES
            .iter()
            .map(|s| (s.name, s.input))
            .collect();
        let copies = loop {
            match Copies::listen(&bus).await {
                Ok(copies) => break copies,
                Err(err) => {
                    self.with(|state| state.bus_error = Some(format!("{err:#}")));
                    tokio::time::sleep(STATUS_EVERY).await;
                }
            }
        };
        self.with(|state| state.copies = Some(copies.clone()));
        loop {
            match status::read(&bus, &stages, STATUS_EVERY, &copies).await {
                Ok(rows) => {
                    let message = self.with(|state| {
                        // The last stage settles one message per article: the chain's output.
                        let out = rows.last().map_or(0.0, |r| r.rate_per_sec);
                        let now = unix_ms();
                        if state.history.len() == HISTORY {
                            state.history.pop_front();
                        }
                        state.history.push_back((now, out));
                        state.stages = rows;
                        state.bus_error = None;
                        json!({
                            "type": "stages",
                            "stages": stages_json(state),
                            "sample": [now, out],
                        })
                    });
                    self.send(&message);
                }
                Err(err) => {
                    let error = format!("{err:#}");
                    self.with(|state| state.bus_error = Some(error.clone()));
                    self.send(&json!({"type": "bus_error", "error": error}));
                    tokio::time::sleep(STATUS_EVERY).await;
                }
            }
        }
    }

    async fn watch_articles(self, events: Events) {
        let mut next = None;
        loop {
            match self.read_articles(&events, next).await {
                Ok(after) => next = after.or(next),
                Err(err) => tracing::debug!(error = %err, "Reading article events failed."),
            }
            tokio::time::sleep(ARTICLES_EVERY).await;
        }
    }

    /// Reads the article events from `from` (at start: from about [`RECENT`] articles back),
    /// keeps them and tells the pages; the sequence to go on from.
    async fn read_articles(
        &self,
        events: &Events,
        from: Option<u64>,
    ) -> anyhow::Result<Option<u64>> {
        let Some((first, last, _)) = events.subjects(subjects::EVENTS_ARTICLE).await? else {
            return Ok(None);
        };
        // At start, and whenever the chain runs far ahead of one read a second (a bench), go
        // on from about the latest articles rather than read every one.
        let recent_start = last
            .saturating_sub(RECENT as u64 * EVENTS_PER_ARTICLE)
            .max(first);
        let from = match from {
            Some(from) if from >= recent_start => from,
            _ => recent_start,
        };
        let found = events.walk(subjects::EVENTS_ARTICLE, from, RECENT).await?;
        let Some(last) = found.last().map(|e| e.sequence) else {
            return Ok(Some(from));
        };
        for stored in found {
            let recent = Recent::of(stored.sequence, &stored.event);
            let message = json!({"type": "article", "article": &recent});
            self.with(|state| {
                if state.recent.len() == RECENT {
                    state.recent.pop_back();
                }
                state.recent.push_front(recent);
            });
            self.send(&message);
        }
        Ok(Some(last + 1))
    }
}

async fn stopping(stop: CancellationToken, work: impl Future<Output = ()>) {
    tokio::select! {
        () = stop.cancelled() => {}
        () = work => {}
    }
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Each stage of the chain, in order, with its figures (none before its consumer exists) and
/// the copies heard from lately.
fn stages_json(state: &State) -> Vec<Value> {
    newsflow_pipeline::STAGES
        .iter()
        .map(|row| {
            let figures = state.stages.iter().find(|s| s.stage == row.name);
            let replicas: Vec<StageReport> = state
                .copies
                .as_ref()
                .map(|copies| copies.of(row.name))
                .unwrap_or_default();
            json!({
                "name": row.name,
                "input": row.input,
                "output": row.output,
                "figures": figures,
                "replicas": replicas,
            })
        })
        .collect()
}
