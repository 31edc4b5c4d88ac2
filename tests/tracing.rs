//! With `OTEL_EXPORTER_OTLP_ENDPOINT` set, every stage exports its span for each message over
//! OTLP/HTTP, and one article is one trace: the spans of all five stages for it share a trace
//! id, each stage's span the child of the one before. The receiver is a small OTLP/HTTP server
//! in the test.

use axum::body::Bytes;
use axum::routing::post;
use newsflow_e2e::{
    NatsServer, article_events, ensure_streams, publish_raw, raw_article, start_chain,
};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Receives OTLP/HTTP trace exports on a free port; the spans so far.
async fn receiver() -> (String, Arc<Mutex<Vec<Span>>>) {
    let spans: Arc<Mutex<Vec<Span>>> = Arc::default();
    let kept = spans.clone();
    let app = axum::Router::new().route(
        "/v1/traces",
        post(move |body: Bytes| {
            let kept = kept.clone();
            async move {
                let request =
                    ExportTraceServiceRequest::decode(body).expect("an OTLP trace export");
                let mut kept = kept.lock().unwrap();
                for resource in request.resource_spans {
                    for scope in resource.scope_spans {
                        kept.extend(scope.spans);
                    }
                }
                ""
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), spans)
}

/// The attribute's last value (a field recorded later, as ingest records the article id it
/// gives, comes after the first).
fn attribute(span: &Span, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .rev()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref()?.value.as_ref())
        .map(|value| match value {
            Value::StringValue(s) => s.clone(),
            other => format!("{other:?}"),
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_article_is_one_trace_from_ingest_to_events() {
    let (endpoint, spans) = receiver().await;
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let _stages = start_chain(
        &server.url(),
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
            ("OTEL_BSP_SCHEDULE_DELAY", "200"),
        ],
    );
    let client = server.client().await;
    let js = async_nats::jetstream::new(client.clone());
    publish_raw(
        &js,
        raw_article("traced", "The mayor opened the bridge on Monday."),
    )
    .await
    .unwrap();
    article_events(&client, 1, Duration::from_secs(60)).await;

    let stages: Vec<&str> = newsflow_pipeline::names().collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    let traced = loop {
        let traced: Vec<Span> = spans
            .lock()
            .unwrap()
            .iter()
            .filter(|s| {
                s.name == "message" && attribute(s, "article_id").as_deref() == Some("traced")
            })
            .cloned()
            .collect();
        let seen = |stage: &str| {
            traced
                .iter()
                .any(|s| attribute(s, "stage").as_deref() == Some(stage))
        };
        if stages.iter().all(|s| seen(s)) || Instant::now() > deadline {
            break traced;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let by_stage = |stage: &str| {
        traced
            .iter()
            .find(|s| attribute(s, "stage").as_deref() == Some(stage))
            .unwrap_or_else(|| panic!("no span from {stage}: {traced:#?}"))
    };
    let trace_id = &by_stage("ingest").trace_id;
    assert_eq!(trace_id.len(), 16);
    for pair in stages.windows(2) {
        let (before, after) = (by_stage(pair[0]), by_stage(pair[1]));
        assert_eq!(&after.trace_id, trace_id, "{} is in another trace", pair[1]);
        assert_eq!(
            after.parent_span_id, before.span_id,
            "{}'s span is not the child of {}'s",
            pair[1], pair[0]
        );
    }
}
