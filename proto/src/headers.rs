//! NATS header names newsflow sets. Transport metadata lives here, never in payloads.

/// JetStream de-duplication id: `<article id>.r<revision>.<stage>` on every stage output, the
/// `event_id` on events (both [`ArticleId::message_id`](crate::ArticleId::message_id)),
/// `<article id>.<16 hex digits of the content hash>` on raw articles from feeders
/// ([`ArticleId::raw_message_id`](crate::ArticleId::raw_message_id)), and
/// `dlq.<stage>.<stream sequence>` on dead letters
/// ([`DeadLetter::message_id`](crate::DeadLetter::message_id)).
pub const MSG_ID: &str = "Nats-Msg-Id";
/// Schema name and version of the payload, e.g. `article.ingested.v1`.
pub const SCHEMA: &str = "Newsflow-Schema";
/// The article id, so a message can be routed and traced without decoding it.
pub const ARTICLE_ID: &str = "Newsflow-Article-Id";
/// W3C trace context, carried unchanged through every hop. Events carry it as
/// [`cloudevents::TRACEPARENT`] instead.
pub const TRACEPARENT: &str = "traceparent";

/// The header that carries the trace context of a message on `subject`: [`TRACEPARENT`] between
/// stages, [`cloudevents::TRACEPARENT`] on events. A `traceparent` header makes nats-server
/// (2.11 and later) read every header of the message into a map, to see whether to trace it;
/// on the 40-odd events of an article that was a fifth of the server's work.
pub fn trace_header(subject: &str) -> &'static str {
    if crate::subjects::is_event(subject) {
        cloudevents::TRACEPARENT
    } else {
        TRACEPARENT
    }
}

/// CloudEvents 1.0 attributes of every event, as NATS headers (binary content mode).
pub mod cloudevents {
    /// Always `1.0`.
    pub const SPECVERSION: &str = "ce-specversion";
    /// The event id; the same as `event_id` and `Nats-Msg-Id`.
    pub const ID: &str = "ce-id";
    /// Who produced it: [`SOURCE`].
    pub const SOURCE_HEADER: &str = "ce-source";
    /// `newsflow.event.<kind>.v<N>`: the schema name prefixed with `newsflow.`.
    pub const TYPE: &str = "ce-type";
    /// When the event was produced, RFC 3339.
    pub const TIME: &str = "ce-time";
    /// The article id.
    pub const SUBJECT: &str = "ce-subject";
    /// The schema, `urn:newsflow:schema:<schema name>`.
    pub const DATASCHEMA: &str = "ce-dataschema";
    /// Always `application/json`.
    pub const CONTENT_TYPE: &str = "content-type";
    /// The W3C trace context of the article the event is about: the CloudEvents Distributed
    /// Tracing extension's `traceparent` attribute, in binary content mode.
    pub const TRACEPARENT: &str = "ce-traceparent";
    /// The `ce-source` of every newsflow event.
    pub const SOURCE: &str = "urn:newsflow:events";

    /// The attributes of one event of schema `schema` about article `article_id`, produced at
    /// `time` (RFC 3339), as header names and values.
    pub fn attributes(
        schema: &str,
        event_id: &str,
        article_id: &str,
        time: &str,
    ) -> Vec<(&'static str, String)> {
        vec![
            (SPECVERSION, "1.0".to_owned()),
            (ID, event_id.to_owned()),
            (SOURCE_HEADER, SOURCE.to_owned()),
            (TYPE, format!("newsflow.{schema}")),
            (TIME, time.to_owned()),
            (SUBJECT, article_id.to_owned()),
            (DATASCHEMA, format!("urn:newsflow:schema:{schema}")),
            (CONTENT_TYPE, "application/json".to_owned()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subjects;

    #[test]
    fn events_carry_their_trace_as_the_cloudevents_attribute_and_hops_as_traceparent() {
        assert_eq!(trace_header(subjects::ARTICLES_SEGMENTED), "traceparent");
        assert_eq!(
            trace_header(&subjects::dead_letter("events")),
            "traceparent"
        );
        assert_eq!(trace_header(subjects::EVENTS_ARTICLE), "ce-traceparent");
        assert_eq!(
            trace_header("newsflow.events.quote.antony-j-blinken"),
            "ce-traceparent"
        );
    }
}
