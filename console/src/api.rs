//! The console's JSON and server-sent-event endpoints under `/api`.

use crate::events::{Events, Kind, Stored, matching};
use crate::live::Live;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::{Stream, StreamExt as _};
use newsflow_proto::subjects;
use newsflow_runtime::Bus;
use serde::Deserialize;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

/// Most results a search returns.
const RESULTS: usize = 100;
/// Most events a search reads per subject.
const READ_PER_SUBJECT: usize = 2_000;
/// Most subjects a search reads.
const SUBJECTS: usize = 20;
/// How far before a quote or entity event its article event may be, in events.
const ARTICLE_WITHIN: u64 = 20_000;
/// Most article events read looking for one article.
const ARTICLE_READS: usize = 1_000;
/// How often a followed search looks for new events.
const FOLLOW_EVERY: Duration = Duration::from_secs(1);
/// Longest payload a dead letter shows in the console.
const PAYLOAD_CHARS: usize = 4_000;

/// What the handlers share.
#[derive(Clone)]
pub struct Api {
    pub bus: Bus,
    pub events: Events,
    pub live: Live,
    pub token: Option<String>,
    /// Cancelled when the console stops: its open streams end then.
    pub stop: tokio_util::sync::CancellationToken,
    /// Searches and follows reading the bus at once.
    pub reading: Arc<tokio::sync::Semaphore>,
}

type Answer = Result<Json<Value>, (StatusCode, Json<Value>)>;

fn failed(status: StatusCode, error: impl std::fmt::Display) -> (StatusCode, Json<Value>) {
    (status, Json(json!({ "error": error.to_string() })))
}

fn unavailable(err: &anyhow::Error) -> (StatusCode, Json<Value>) {
    failed(StatusCode::SERVICE_UNAVAILABLE, format!("{err:#}"))
}

pub async fn overview(State(api): State<Api>) -> Json<Value> {
    let mut overview = api.live.overview();
    overview["replay"] = api.token.is_some().into();
    Json(overview)
}

/// Every change of the chain as it happens: `stages` every two seconds, `article` for each
/// new article event.
pub async fn live(State(api): State<Api>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let updates = api.live.subscribe();
    let stream = futures::stream::unfold(updates, |mut updates| async move {
        loop {
            match updates.recv().await {
                Ok(message) => return Some((Ok(Event::default().data(message)), updates)),
                // A slow page missed some: it gets the next ones.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    let stream = stream.take_until(api.stop.cancelled_owned());
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[derive(Deserialize)]
pub struct Near {
    /// The sequence of one of the article's quote or entity events (a search result).
    near: Option<u64>,
}

/// Every revision of one article's event: from the latest articles, or read back from near
/// one of its other events.
pub async fn article(
    State(api): State<Api>,
    Path(article_id): Path<String>,
    Query(Near { near }): Query<Near>,
) -> Answer {
    let mut sequences = api.live.sequences_of(&article_id);
    if let Some(near) = near {
        let from = near.saturating_sub(ARTICLE_WITHIN);
        let found = api
            .events
            .walk(subjects::EVENTS_ARTICLE, from, ARTICLE_READS)
            .await
            .map_err(|err| unavailable(&err))?;
        sequences.extend(
            found
                .iter()
                .take_while(|e| e.sequence <= near)
                .filter(|e| e.article_id == article_id)
                .map(|e| e.sequence),
        );
    }
    sequences.sort_unstable();
    sequences.dedup();
    let mut revisions = Vec::new();
    for sequence in sequences {
        if let Some(stored) = api
            .events
            .next(subjects::EVENTS_ARTICLE, sequence)
            .await
            .map_err(|err| unavailable(&err))?
            .filter(|e| e.sequence == sequence)
        {
            revisions.push(stored.event);
        }
    }
    if revisions.is_empty() {
        return Err(failed(
            StatusCode::NOT_FOUND,
            format!(
                "article {article_id} is not among the latest articles; find it by a speaker or an entity it names"
            ),
        ));
    }
    Ok(Json(
        json!({ "article_id": article_id, "revisions": revisions }),
    ))
}

#[derive(Deserialize, Default)]
pub struct Search {
    speaker: Option<String>,
    entity: Option<String>,
    text: Option<String>,
}

impl Search {
    fn wanted(&self) -> Option<(Kind, &str)> {
        given(self.speaker.as_deref())
            .map(|s| (Kind::Speaker, s))
            .or_else(|| given(self.entity.as_deref()).map(|e| (Kind::Entity, e)))
    }
}

/// A query given and not blank.
fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// Quotes by a speaker or entity events by name, over the whole replayable stream (the server
/// filters by subject), or the latest articles containing some text.
pub async fn search(State(api): State<Api>, Query(search): Query<Search>) -> Answer {
    if let Some(words) = given(search.text.as_deref()) {
        let articles = api.live.search_text(words, RESULTS);
        return Ok(Json(json!({ "kind": "text", "articles": articles })));
    }
    let Some((kind, query)) = search.wanted() else {
        return Err(failed(
            StatusCode::BAD_REQUEST,
            "give speaker, entity or text",
        ));
    };
    let _reading = api
        .reading
        .acquire()
        .await
        .map_err(|err| failed(StatusCode::SERVICE_UNAVAILABLE, err))?;
    let subjects = subjects_for(&api.events, kind, query)
        .await
        .map_err(|err| unavailable(&err))?;
    let mut found: Vec<Stored> = Vec::new();
    for subject in &subjects {
        let mut read = api
            .events
            .newest(subject, RESULTS, READ_PER_SUBJECT)
            .await
            .map_err(|err| unavailable(&err))?;
        found.append(&mut read);
    }
    found.sort_by_key(|e| std::cmp::Reverse(e.sequence));
    found.truncate(RESULTS);
    Ok(Json(json!({
        "kind": match kind { Kind::Speaker => "speaker", Kind::Entity => "entity" },
        "subjects": subjects,
        "events": found.iter().map(result).collect::<Vec<_>>(),
    })))
}

async fn subjects_for(events: &Events, kind: Kind, query: &str) -> anyhow::Result<Vec<String>> {
    let known = events
        .subjects(&kind.all())
        .await?
        .map(|(_, _, known)| known)
        .unwrap_or_default();
    let mut found = matching(query, kind, &known);
    found.truncate(SUBJECTS);
    Ok(found)
}

fn result(stored: &Stored) -> Value {
    json!({
        "sequence": stored.sequence,
        "subject": stored.subject,
        "article_id": stored.article_id,
        "event": stored.event,
    })
}

/// New quotes by a speaker or entity events by name as they are published.
pub async fn follow(
    State(api): State<Api>,
    Query(search): Query<Search>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, (StatusCode, Json<Value>)> {
    let Some((kind, query)) = search.wanted() else {
        return Err(failed(StatusCode::BAD_REQUEST, "give speaker or entity"));
    };
    let query = query.to_owned();
    let start = api
        .events
        .subjects(subjects::EVENTS_SUBJECTS)
        .await
        .map_err(|err| unavailable(&err))?
        .map_or(1, |(_, last, _)| last + 1);
    let stop = api.stop.clone();
    let stream = futures::stream::unfold((api, start), move |(api, from)| {
        let query = query.clone();
        async move {
            loop {
                tokio::time::sleep(FOLLOW_EVERY).await;
                // Looked up again each time: a speaker first quoted now has a subject now.
                let Ok(reading) = api.reading.clone().acquire_owned().await else {
                    return None;
                };
                let Ok(subjects) = subjects_for(&api.events, kind, &query).await else {
                    continue;
                };
                let mut found = Vec::new();
                for subject in &subjects {
                    if let Ok(mut read) = api.events.walk(subject, from, RESULTS).await {
                        found.append(&mut read);
                    }
                }
                drop(reading);
                if let Some(last) = found.iter().map(|e| e.sequence).max() {
                    found.sort_by_key(|e| e.sequence);
                    let events: Vec<Value> = found.iter().map(result).collect();
                    let event = Event::default().data(json!({ "events": events }).to_string());
                    return Some((Ok(event), (api, last + 1)));
                }
            }
        }
    });
    let stream = stream.take_until(stop.cancelled_owned());
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// The dead letters, oldest first, with their payloads (cut to a few thousand characters).
pub async fn dead_letters(State(api): State<Api>) -> Answer {
    let letters = newsflow_runtime::dead_letters::list(&api.bus, None, 500)
        .await
        .map_err(|err| unavailable(&err))?;
    let letters: Vec<Value> = letters
        .into_iter()
        .map(|stored| {
            let mut letter = serde_json::to_value(&stored.letter).unwrap_or(Value::Null);
            if let Some(payload) = letter.get_mut("payload")
                && let Some(text) = payload.as_str()
                && text.chars().count() > PAYLOAD_CHARS
            {
                let cut: String = text.chars().take(PAYLOAD_CHARS).collect();
                *payload = format!("{cut}…").into();
            }
            letter["sequence"] = stored.sequence.into();
            letter
        })
        .collect();
    Ok(Json(
        json!({ "letters": letters, "replay": api.token.is_some() }),
    ))
}

#[derive(Deserialize)]
pub struct Replay {
    sequence: Option<u64>,
    #[serde(default)]
    all: bool,
}

/// Puts one dead letter's message (or every one's) back on its subject: only with the token
/// the console was started with.
pub async fn replay(
    State(api): State<Api>,
    headers: HeaderMap,
    Json(replay): Json<Replay>,
) -> Response {
    let Some(token) = &api.token else {
        return failed(
            StatusCode::FORBIDDEN,
            "this console is read-only: start it with NEWSFLOW_CONSOLE_TOKEN set to replay dead letters",
        )
        .into_response();
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !given.is_some_and(|given| newsflow_runtime::same_token(given, token)) {
        return failed(StatusCode::UNAUTHORIZED, "wrong or missing token").into_response();
    }
    let sequences = match (replay.sequence, replay.all) {
        (Some(sequence), false) => vec![sequence],
        (None, true) => {
            match newsflow_runtime::dead_letters::list(&api.bus, None, usize::MAX).await {
                Ok(letters) => letters.iter().map(|l| l.sequence).collect(),
                Err(err) => return unavailable(&err).into_response(),
            }
        }
        _ => {
            return failed(StatusCode::BAD_REQUEST, "give either sequence or all: true")
                .into_response();
        }
    };
    let mut replayed = Vec::new();
    for sequence in sequences {
        let inputs: Vec<_> = newsflow_pipeline::STAGES
            .iter()
            .map(|s| (s.name, s.input))
            .collect();
        match newsflow_runtime::dead_letters::replay(&api.bus, sequence, &inputs).await {
            Ok(done) => replayed.push(json!({
                "sequence": done.sequence,
                "subject": done.subject,
                "article_id": done.article_id,
            })),
            Err(err) => {
                return (
                    StatusCode::CONFLICT,
                    Json(json!({ "error": format!("{err:#}"), "replayed": replayed })),
                )
                    .into_response();
            }
        }
    }
    Json(json!({ "replayed": replayed })).into_response()
}
