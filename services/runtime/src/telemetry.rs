//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default `info`), pretty or JSON. And,
//! when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, the
//! spans exported over OTLP/HTTP: each stage's span for a message continues the trace its
//! `traceparent` names, so one article is one trace from ingest to events.

use crate::LogFormat;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::sync::OnceLock;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _, fmt};

static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// Installs the global subscriber. Calling it again is harmless (the first one stays).
///
/// # Errors
/// When `RUST_LOG` is not a valid filter, or the OTLP exporter cannot be built.
pub fn init(format: LogFormat) -> anyhow::Result<()> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(value) if !value.is_empty() => EnvFilter::try_new(&value)
            .map_err(|err| anyhow::anyhow!("invalid RUST_LOG {value:?}: {err}"))?,
        _ => EnvFilter::new("info,async_nats=warn"),
    };
    let logs = fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let logs = match format {
        LogFormat::Json => logs
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .boxed(),
        LogFormat::Pretty => logs.compact().boxed(),
    };
    let traces = match otlp_endpoint() {
        Some(endpoint) => {
            let provider = provider()?;
            let tracer = provider.tracer("newsflow");
            let _ = PROVIDER.set(provider);
            tracing::debug!(%endpoint, "Exporting traces over OTLP.");
            // Apart from RUST_LOG, which only says what is logged: the stages' spans are
            // exported whatever the log level.
            let spans = tracing_subscriber::filter::Targets::new()
                .with_target(env!("CARGO_CRATE_NAME"), tracing::Level::INFO);
            Some(
                tracing_opentelemetry::layer()
                    .with_tracer(tracer)
                    .with_filter(spans),
            )
        }
        None => None,
    };
    let _ = tracing_subscriber::registry()
        .with(logs.with_filter(filter))
        .with(traces)
        .try_init();
    Ok(())
}

/// Sends the spans not yet exported; call before the process exits.
pub fn shutdown() {
    if let Some(provider) = PROVIDER.get()
        && let Err(err) = provider.shutdown()
    {
        eprintln!("Exporting the last traces failed: {err}");
    }
}

/// Whether spans are exported (and so whether a stage's span can stand for the message in the
/// `traceparent` it sends on).
pub(crate) fn exporting() -> bool {
    PROVIDER.get().is_some()
}

fn otlp_endpoint() -> Option<String> {
    [
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    ]
    .iter()
    .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
}

/// Makes ring the process's TLS crypto provider, the one async-nats already brings: reqwest (the
/// OTLP exporter's client, and `newsflow feeds`') is built without one and cannot make a
/// client until there is one. Installing it again is refused, which is fine.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn provider() -> anyhow::Result<SdkTracerProvider> {
    // The exporter reads the endpoint, headers and timeout from the OTEL_EXPORTER_OTLP_*
    // variables; the resource OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
    install_tls_provider();
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()
        .map_err(|err| anyhow::anyhow!("cannot export traces over OTLP: {err}"))?;
    let mut resource = opentelemetry_sdk::Resource::builder();
    if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
        resource = resource.with_service_name("newsflow");
    }
    let resource = resource.build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}

/// Makes `span` continue the trace of `traceparent` (a stage's span for a message, as a child of
/// the span that sent it), when spans are exported and the header is well formed.
pub(crate) fn continue_trace(span: &tracing::Span, traceparent: Option<&str>) {
    use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId};
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    if !exporting() {
        return;
    }
    let Some(mut parts) = traceparent.map(|t| t.split('-')) else {
        return;
    };
    let (Some(_version), Some(trace), Some(parent)) = (parts.next(), parts.next(), parts.next())
    else {
        return;
    };
    let (Ok(trace), Ok(parent)) = (TraceId::from_hex(trace), SpanId::from_hex(parent)) else {
        return;
    };
    let remote = SpanContext::new(
        trace,
        parent,
        TraceFlags::SAMPLED,
        true,
        opentelemetry::trace::TraceState::default(),
    );
    let _ = span.set_parent(opentelemetry::Context::new().with_remote_span_context(remote));
}

/// The `traceparent` naming `span`, when spans are exported: what a stage sends on, so the next
/// stage's span is its child.
pub(crate) fn traceparent_of(span: &tracing::Span) -> Option<String> {
    use opentelemetry::trace::TraceContextExt as _;
    use tracing_opentelemetry::OpenTelemetrySpanExt as _;
    if !exporting() {
        return None;
    }
    let context = span.context();
    let span_context = context.span().span_context().clone();
    span_context.is_valid().then(|| {
        format!(
            "00-{}-{}-01",
            span_context.trace_id(),
            span_context.span_id()
        )
    })
}
