//! Connecting to NATS with the configured credentials and TLS.

use crate::Config;
use anyhow::Context as _;
use std::time::Duration;

/// What to do when nothing answers at the configured URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectMode {
    /// Keep trying in the background (long-running stages: the server may start later).
    Retry,
    /// Fail at once with a clear error (commands a person is waiting on).
    FailFast,
}

/// Connects as `name` (the stage or command name, shown by `nats server report connections`).
/// The client reconnects by itself for as long as the process runs.
///
/// # Errors
/// In [`ConnectMode::FailFast`], when the server cannot be reached or refuses the credentials;
/// the message names the URL.
pub async fn connect(
    config: &Config,
    name: &str,
    mode: ConnectMode,
) -> anyhow::Result<async_nats::Client> {
    let mut options = async_nats::ConnectOptions::new()
        .name(name)
        .connection_timeout(Duration::from_secs(5))
        .max_reconnects(None)
        .event_callback(|event| async move {
            match event {
                async_nats::Event::Connected => tracing::info!("Connected to NATS."),
                async_nats::Event::Disconnected => {
                    tracing::warn!("Disconnected from NATS; reconnecting.")
                }
                other => tracing::debug!(event = %other, "NATS client event."),
            }
        });
    if let Some(creds) = &config.nats_creds {
        options = options.credentials_file(creds).await.with_context(|| {
            format!(
                "reading NATS credentials file {} (NATS_CREDS)",
                creds.display()
            )
        })?;
    }
    if let Some(ca) = &config.nats_tls_ca {
        options = options.add_root_certificates(ca.clone()).require_tls(true);
    }
    if let (Some(cert), Some(key)) = (&config.nats_tls_cert, &config.nats_tls_key) {
        options = options
            .add_client_certificate(cert.clone(), key.clone())
            .require_tls(true);
    }
    if config.nats_tls_required {
        options = options.require_tls(true);
    }
    if mode == ConnectMode::Retry {
        options = options.retry_on_initial_connect();
    }
    options.connect(config.nats_url.as_str()).await.with_context(|| {
        format!(
            "connecting to NATS at {} (set NATS_URL, or start a server with `newsflow up` or `nats-server -js`)",
            config.nats_url
        )
    })
}
