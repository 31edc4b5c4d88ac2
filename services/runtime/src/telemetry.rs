//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default `info`), pretty or JSON.

use crate::LogFormat;
use tracing_subscriber::{EnvFilter, fmt};

/// Installs the global subscriber. Calling it again is harmless (the first one stays).
///
/// # Errors
/// When `RUST_LOG` is not a valid filter.
pub fn init(format: LogFormat) -> anyhow::Result<()> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(value) if !value.is_empty() => EnvFilter::try_new(&value)
            .map_err(|err| anyhow::anyhow!("invalid RUST_LOG {value:?}: {err}"))?,
        _ => EnvFilter::new("info,async_nats=warn"),
    };
    let builder = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
    Ok(())
}
