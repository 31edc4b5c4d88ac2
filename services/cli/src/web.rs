//! `newsflow web`: the web console on an address of its own, for a chain that runs elsewhere.

use anyhow::Context as _;
use newsflow_runtime::{Bus, ConnectMode, Connection};
use std::net::SocketAddr;
use tokio_util::sync::CancellationToken;

/// Serves the console on `addr` until Ctrl-C.
///
/// # Errors
/// When the bus cannot be reached or the address cannot be bound.
pub async fn serve(
    connection: &Connection,
    addr: SocketAddr,
    options: newsflow_console::Options,
) -> anyhow::Result<()> {
    let bus = Bus::connect(connection, "newsflow-console", ConnectMode::FailFast).await?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot serve the console on {addr} (choose another with --addr or NEWSFLOW_CONSOLE_ADDR)")
    })?;
    let addr = listener.local_addr()?;
    let read_only = options.replay_token.is_none();
    let stop = CancellationToken::new();
    let app = newsflow_console::router(&bus, options, &stop);
    eprintln!(
        "The newsflow console is at http://{addr}/ ({}). Ctrl-C stops it.",
        if read_only {
            "read-only: set NEWSFLOW_CONSOLE_TOKEN to allow replaying dead letters"
        } else {
            "dead letters can be replayed with the token"
        }
    );
    let stopping = stop.clone();
    axum_serve(listener, app, async move {
        newsflow_runtime::shutdown_signal().await;
        stopping.cancel();
    })
    .await
}

async fn axum_serve(
    listener: tokio::net::TcpListener,
    app: newsflow_console::Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    newsflow_console::serve(listener, app, shutdown)
        .await
        .context("serving the console")
}
