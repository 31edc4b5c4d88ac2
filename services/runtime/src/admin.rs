//! `/healthz`, `/readyz` and `/metrics` for operators. Stages never open ports of their own.

use crate::config::AdminSocket;
use axum::{Router, extract::State, http::StatusCode, routing::get};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// What extra routes serve, said with the address they are served on.
pub type Said = fn(SocketAddr) -> String;

/// Whether a token given by a client is the one expected, in a time that does not tell how
/// much of it matched.
pub fn same_token(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

/// Readiness of one process: the NATS connection and each stage's consumer.
#[derive(Clone)]
pub(crate) struct Readiness {
    bus: crate::Bus,
    stages: Arc<Vec<(&'static str, AtomicBool)>>,
}

impl Readiness {
    pub(crate) fn new(bus: crate::Bus, stages: &[&'static str]) -> Self {
        let stages = stages
            .iter()
            .map(|s| (*s, AtomicBool::new(false)))
            .collect();
        Self {
            bus,
            stages: Arc::new(stages),
        }
    }

    pub(crate) fn set_bound(&self, stage: &str, bound: bool) {
        if let Some((_, flag)) = self.stages.iter().find(|(name, _)| *name == stage) {
            flag.store(bound, Ordering::Relaxed);
        }
    }

    fn report(&self) -> (bool, String) {
        let connected = self.bus.is_connected();
        let mut ready = connected;
        let mut body = format!(
            "nats: {}\n",
            if connected {
                "connected"
            } else {
                "disconnected"
            }
        );
        for (name, flag) in self.stages.iter() {
            let bound = flag.load(Ordering::Relaxed);
            ready &= bound;
            body.push_str(&format!(
                "{name}: {}\n",
                if bound { "consumer bound" } else { "not bound" }
            ));
        }
        (ready, body)
    }
}

async fn readyz(State(readiness): State<Readiness>) -> (StatusCode, String) {
    let (ready, body) = readiness.report();
    (
        if ready {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        body,
    )
}

async fn metrics_text() -> String {
    crate::metrics::handle().render()
}

/// Binds `socket` and serves until `stop` is cancelled. The stage's own port, when another
/// process holds it (a second copy of the stage on this host), gives way to a free one.
pub(crate) async fn serve(
    socket: AdminSocket,
    readiness: Readiness,
    extra: Option<(Router, Said)>,
    stop: CancellationToken,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let (extra, said) = extra.unzip();
    let app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .with_state(readiness)
        .merge(extra.unwrap_or_default());
    let cannot = |addr: SocketAddr, err: std::io::Error| {
        anyhow::anyhow!(
            "cannot serve admin endpoints on {addr}: {err} (set NEWSFLOW_ADMIN_ADDR to another host:port, or `off`)"
        )
    };
    let listener = match socket {
        AdminSocket::Given(addr) => TcpListener::bind(addr)
            .await
            .map_err(|err| cannot(addr, err))?,
        AdminSocket::Default(addr) => match TcpListener::bind(addr).await {
            Ok(listener) => listener,
            Err(err) if err.kind() == std::io::ErrorKind::AddrInUse => {
                let free = SocketAddr::new(addr.ip(), 0);
                let listener = TcpListener::bind(free)
                    .await
                    .map_err(|err| cannot(free, err))?;
                tracing::warn!(
                    taken = %addr,
                    "The stage's admin port is taken (another copy of it on this host?): serving on a free port instead; set NEWSFLOW_ADMIN_ADDR to choose one."
                );
                listener
            }
            Err(err) => return Err(cannot(addr, err)),
        },
    };
    let addr = listener.local_addr()?;
    // Install the recorder now: counted before it exists is counted nowhere.
    crate::metrics::handle();
    match said {
        Some(said) => {
            tracing::info!(%addr, "{} (/healthz, /readyz and /metrics beside it).", said(addr))
        }
        None => tracing::info!(%addr, "Serving /healthz, /readyz and /metrics."),
    }
    Ok(tokio::spawn(async move {
        // Routes may ask who is calling (the intake takes tokenless articles from this host only).
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await;
        if let Err(err) = served {
            tracing::error!(%err, "Admin server failed.");
        }
    }))
}
