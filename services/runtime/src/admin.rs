//! `/healthz`, `/readyz` and `/metrics` for operators. Stages never open ports of their own.

use axum::{Router, extract::State, http::StatusCode, routing::get};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio_util::sync::CancellationToken;

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

/// Binds `addr` and serves until `stop` is cancelled.
pub(crate) async fn serve(
    addr: SocketAddr,
    readiness: Readiness,
    stop: CancellationToken,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .with_state(readiness);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|err| {
        anyhow::anyhow!("cannot serve admin endpoints on {addr}: {err} (set NEWSFLOW_ADMIN_ADDR to another host:port, or `off`)")
    })?;
    // Install the recorder now: counted before it exists is counted nowhere.
    crate::metrics::handle();
    tracing::info!(%addr, "Serving /healthz, /readyz and /metrics.");
    Ok(tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await;
        if let Err(err) = served {
            tracing::error!(%err, "Admin server failed.");
        }
    }))
}
