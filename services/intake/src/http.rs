//! `POST /articles`: one JSON article, a JSON Lines batch, or a raw `text/html` or `text/plain`
//! body with its metadata in the query or in `Article-*` headers. Each article is answered with
//! what ingest will decide for it, once it is stored in JetStream (see `proto/openapi.yaml`).
//!
//! Who may: with `NEWSFLOW_INGEST_TOKEN` set, whoever gives it as a bearer token; without, only
//! clients on this host. A browser's cross-site request is refused either way, and all of it is
//! decided before the body is read.

use crate::{Fate, Intake, Outcome};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures::StreamExt as _;
use newsflow_ingest::IngestError;
use newsflow_proto::{ArticleRaw, BodyFormat};
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Articles of one batch handed in at once.
const BATCH_DEPTH: usize = 64;
/// A batch body may be this many times the largest article ingest takes.
const BATCH_ARTICLES: usize = 64;
/// Articles one batch may hold.
pub const MAX_BATCH: usize = 1_000;
/// Requests worked on at once; more wait their turn before their body is read.
const REQUESTS_AT_ONCE: usize = 16;

/// Who may hand articles in, and through what.
#[derive(Clone)]
struct Door {
    intake: Arc<Intake>,
    /// When set, a request must carry `Authorization: Bearer <token>`; when not, it must come
    /// from this host.
    token: Option<Arc<str>>,
    turns: Arc<Semaphore>,
}

/// `POST /articles` on `intake`; with `token`, for requests that carry it as a bearer, without
/// it for requests from this host only. The admin server must give the peer's address
/// (`ConnectInfo<SocketAddr>`).
pub fn router(intake: Intake, token: Option<String>) -> Router {
    let limit = intake.limits().max_bytes.saturating_mul(BATCH_ARTICLES);
    let door = Door {
        intake: Arc::new(intake),
        token: token.filter(|t| !t.trim().is_empty()).map(Arc::from),
        turns: Arc::new(Semaphore::new(REQUESTS_AT_ONCE)),
    };
    Router::new()
        .route("/articles", post(articles))
        .route_layer(middleware::from_fn_with_state(door.clone(), guard))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(door)
}

/// Lets a request through to its body only when it may hand articles in, and only so many at
/// once.
async fn guard(
    State(door): State<Door>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return refused(
            StatusCode::FORBIDDEN,
            "cross-site requests may not hand in articles",
        );
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        if origin_host != host {
            return refused(
                StatusCode::FORBIDDEN,
                "cross-site requests may not hand in articles",
            );
        }
    }
    match &door.token {
        Some(token) => {
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, given)| given.trim());
            if !given.is_some_and(|given| newsflow_runtime::same_token(given, token)) {
                let mut answer = refused(
                    StatusCode::UNAUTHORIZED,
                    "a missing or wrong bearer token (NEWSFLOW_INGEST_TOKEN is set)",
                );
                answer
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                return answer;
            }
        }
        None if !peer.ip().is_loopback() => {
            return refused(
                StatusCode::FORBIDDEN,
                "articles are taken from other hosts only with a token: set NEWSFLOW_INGEST_TOKEN \
                 on the service and send it as `Authorization: Bearer <token>`",
            );
        }
        None => {}
    }
    let _turn = door.turns.acquire().await.expect("never closed");
    next.run(request).await
}

/// Metadata of a raw HTML or text body, from the query; `Article-*` headers fill what the
/// query leaves out.
#[derive(Debug, Default, Deserialize)]
struct Meta {
    id: Option<String>,
    url: Option<String>,
    title: Option<String>,
    source: Option<String>,
    published_at: Option<String>,
    language: Option<String>,
}

/// How the body is written, from its `Content-Type`.
enum Body {
    One,
    Lines,
    Raw(BodyFormat),
}

async fn articles(
    State(door): State<Door>,
    headers: HeaderMap,
    query: Result<Query<Meta>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return refused(rejection.status(), &rejection.body_text()),
    };
    let Ok(Query(meta)) = query else {
        return refused(
            StatusCode::BAD_REQUEST,
            "the query is not id, url, title, source, published_at and language",
        );
    };
    let kind = match body_kind(&headers) {
        Ok(kind) => kind,
        Err(message) => return refused(StatusCode::UNSUPPORTED_MEDIA_TYPE, &message),
    };
    match kind {
        Body::One => one(&door.intake, body.to_vec()).await,
        Body::Raw(format) => match raw_article(&body, format, meta, &headers) {
            Ok(payload) => one(&door.intake, payload).await,
            Err(Unreadable::Body(err)) => answer(&Outcome::Rejected(err), None),
            Err(Unreadable::Header(name)) => refused(
                StatusCode::BAD_REQUEST,
                &format!("header {name} is not ASCII: put the value in the query instead"),
            ),
        },
        Body::Lines => batch(&door.intake, &body).await,
    }
}

fn body_kind(headers: &HeaderMap) -> Result<Body, String> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(Body::One);
    };
    let value = value.to_str().unwrap_or("").to_ascii_lowercase();
    let mut parts = value.split(';').map(str::trim);
    let essence = parts.next().unwrap_or("");
    let charset = parts
        .filter_map(|p| p.strip_prefix("charset="))
        .map(|c| c.trim_matches('"'))
        .next();
    if let Some(charset) = charset
        && !matches!(charset, "utf-8" | "utf8" | "us-ascii")
    {
        return Err(format!(
            "charset {charset} is not taken: send the body as UTF-8 (charset=utf-8)"
        ));
    }
    match essence {
        "application/json" => Ok(Body::One),
        "application/x-ndjson"
        | "application/jsonl"
        | "application/json-lines"
        | "application/jsonlines" => Ok(Body::Lines),
        "text/html" | "application/xhtml+xml" => Ok(Body::Raw(BodyFormat::Html)),
        "text/plain" => Ok(Body::Raw(BodyFormat::Text)),
        other => Err(format!(
            "Content-Type {other:?} is not one article (application/json), a batch \
             (application/x-ndjson, one article per line) or a raw body (text/html, text/plain)"
        )),
    }
}

/// Why a raw body and its metadata make no article.
enum Unreadable {
    /// The body is not UTF-8: ingest's own rejection.
    Body(IngestError),
    /// A metadata header that is not ASCII.
    Header(&'static str),
}

/// The `article.raw.v1` JSON of a raw body and its metadata.
fn raw_article(
    body: &[u8],
    format: BodyFormat,
    meta: Meta,
    headers: &HeaderMap,
) -> Result<Vec<u8>, Unreadable> {
    let text = std::str::from_utf8(body)
        .map_err(|err| Unreadable::Body(IngestError::NotUtf8(err.valid_up_to())))?;
    let pick =
        |given: Option<String>, name: &'static str| match given.filter(|v| !v.trim().is_empty()) {
            Some(value) => Ok(Some(value)),
            None => headers
                .get(name)
                .map(|value| value.to_str().map(str::to_owned))
                .transpose()
                .map_err(|_| Unreadable::Header(name)),
        };
    let raw = ArticleRaw {
        id: pick(meta.id, "Article-Id")?,
        url: pick(meta.url, "Article-Url")?,
        title: pick(meta.title, "Article-Title")?,
        body: text.to_owned(),
        format: Some(format),
        published_at: pick(meta.published_at, "Article-Published-At")?,
        source: pick(meta.source, "Article-Source")?,
        language: pick(meta.language, "Article-Language")?,
    };
    Ok(serde_json::to_vec(&raw).expect("an article always serialises"))
}

async fn one(intake: &Intake, payload: Vec<u8>) -> Response {
    let (outcome, undecided) = intake.run().submit(payload).await;
    answer(&outcome, undecided.as_deref())
}

fn answer(outcome: &Outcome, undecided: Option<&str>) -> Response {
    (status_of(outcome), axum::Json(describe(outcome, undecided))).into_response()
}

async fn batch(intake: &Intake, body: &[u8]) -> Response {
    let lines: Vec<(usize, Vec<u8>)> = body
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, line)| !line.trim_ascii().is_empty())
        .map(|(n, line)| (n + 1, line.to_vec()))
        .collect();
    if lines.is_empty() {
        return refused(
            StatusCode::BAD_REQUEST,
            "the batch holds no article: one JSON object per line",
        );
    }
    if lines.len() > MAX_BATCH {
        return refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "the batch holds {} articles; at most {MAX_BATCH} go in one request",
                lines.len()
            ),
        );
    }
    let run = intake.run();
    let run = &run;
    let outcomes: Vec<(usize, Outcome, Option<String>)> = futures::stream::iter(lines)
        .map(|(line, payload)| async move {
            let (outcome, undecided) = run.submit(payload).await;
            (line, outcome, undecided)
        })
        .buffered(BATCH_DEPTH)
        .collect()
        .await;
    let count =
        |wanted: fn(&Outcome) -> bool| outcomes.iter().filter(|(_, o, _)| wanted(o)).count();
    let accepted = count(|o| matches!(o, Outcome::Accepted { .. }));
    let duplicates = count(|o| matches!(o, Outcome::Unchanged { .. } | Outcome::JustFed { .. }));
    let rejected = count(|o| matches!(o, Outcome::Rejected(_)));
    let unavailable = count(|o| matches!(o, Outcome::Unstored { .. }));
    // The worst of what happened, so a client that reads only the status misses nothing;
    // handing the batch in again is safe either way (what was stored is then a duplicate).
    let status = if unavailable > 0 {
        StatusCode::SERVICE_UNAVAILABLE
    } else if rejected > 0 {
        StatusCode::BAD_REQUEST
    } else if accepted > 0 {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    let results: Vec<Value> = outcomes
        .iter()
        .map(|(line, outcome, undecided)| {
            let mut result = describe(outcome, undecided.as_deref());
            result["line"] = json!(line);
            result
        })
        .collect();
    (
        status,
        axum::Json(json!({
            "accepted": accepted,
            "duplicates": duplicates,
            "rejected": rejected,
            "unavailable": unavailable,
            "results": results,
        })),
    )
        .into_response()
}

fn status_of(outcome: &Outcome) -> StatusCode {
    match outcome {
        Outcome::Accepted { .. } => StatusCode::ACCEPTED,
        Outcome::Unchanged { .. } | Outcome::JustFed { .. } => StatusCode::OK,
        Outcome::Rejected(IngestError::TooLarge { .. } | IngestError::PageTooLarge { .. }) => {
            StatusCode::PAYLOAD_TOO_LARGE
        }
        Outcome::Rejected(_) => StatusCode::BAD_REQUEST,
        Outcome::Unstored { .. } => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// One article's answer, as `proto/openapi.yaml` describes it.
fn describe(outcome: &Outcome, undecided: Option<&str>) -> Value {
    match outcome {
        Outcome::Accepted { id, fate } => {
            let mut answer = json!({ "status": "accepted", "article_id": id });
            match fate {
                Fate::New => answer["revision"] = json!(newsflow_proto::FIRST_REVISION),
                Fate::Revision(n) => answer["revision"] = json!(n),
                Fate::Undecided => {
                    answer["note"] = json!(format!(
                        "whether it is new is ingest's to decide: {}",
                        undecided.unwrap_or("the revisions bucket could not be read")
                    ));
                }
            }
            answer
        }
        Outcome::Unchanged { id, revision } => json!({
            "status": "duplicate",
            "article_id": id,
            "revision": revision,
            "reason": format!("unchanged since revision {revision}: ingest counts it as a duplicate and nothing new comes out"),
        }),
        Outcome::JustFed { id } => json!({
            "status": "duplicate",
            "article_id": id,
            "reason": "handed in moments ago with the same content: that copy is on its way",
        }),
        Outcome::Rejected(err) => json!({
            "status": "rejected",
            "errors": [{ "field": err.field(), "message": err.to_string() }],
        }),
        Outcome::Unstored { id, reason } => json!({
            "status": "unavailable",
            "article_id": id,
            "reason": reason,
        }),
    }
}

/// A request refused as a whole, with the reason.
fn refused(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "status": "refused", "error": message })),
    )
        .into_response()
}
