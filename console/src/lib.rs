//! newsflow-console: the web console operators and readers open in a browser. It shows the
//! chain live (each stage with its copies, backlog, in flight, rate and processing time, and the
//! throughput of the last minutes), the latest articles with their entities and quotes marked in
//! the text, search by speaker, entity and text, following a speaker or entity as it is quoted,
//! and the dead letters, with replay when a token allows it.
//!
//! Served at `/` by `newsflow up` on its admin address and by `newsflow web` for any deployment.
//! The page is three files compiled into the binary; it reads everything from `/api`. The
//! console only reads the bus (stream and consumer information, messages by sequence, the
//! stages' reports): it makes no consumer, and it changes nothing unless a replay token is set.

mod api;
mod events;
mod live;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use newsflow_runtime::Bus;
use tokio_util::sync::CancellationToken;

pub use axum::Router;
pub use events::Kind;

/// Searches and follows that read the bus at once; more wait their turn.
const SEARCHES: usize = 4;

/// How the console runs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The bearer token that allows replaying dead letters; `None`: read-only.
    pub replay_token: Option<String>,
}

/// The console's routes on `bus`; its loops run until `stop`.
pub fn router(bus: &Bus, options: Options, stop: &CancellationToken) -> Router {
    let events = events::Events::new(bus.nats().clone());
    let live = live::Live::start(bus, events.clone(), stop);
    let api = api::Api {
        bus: bus.clone(),
        events,
        live,
        token: options.replay_token,
        stop: stop.clone(),
        reading: std::sync::Arc::new(tokio::sync::Semaphore::new(SEARCHES)),
    };
    Router::new()
        .route("/", get(index))
        .route(
            "/console.js",
            get(|| {
                page(
                    include_str!("../assets/console.js"),
                    "text/javascript; charset=utf-8",
                )
            }),
        )
        .route(
            "/console.css",
            get(|| {
                page(
                    include_str!("../assets/console.css"),
                    "text/css; charset=utf-8",
                )
            }),
        )
        .route("/api/overview", get(api::overview))
        .route("/api/live", get(api::live))
        .route("/api/articles/{id}", get(api::article))
        .route("/api/search", get(api::search))
        .route("/api/follow", get(api::follow))
        .route("/api/dead-letters", get(api::dead_letters))
        .route("/api/dead-letters/replay", post(api::replay))
        .with_state(api)
}

/// The page, allowed to load nothing but its own files.
async fn index() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
            ),
        ],
        include_str!("../assets/index.html"),
    )
}

async fn page(body: &'static str, content_type: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type)], body)
}

/// Serves `app` on `listener` until `shutdown` resolves.
///
/// # Errors
/// When serving fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
