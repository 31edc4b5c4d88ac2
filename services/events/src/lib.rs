//! `events`: consumes `newsflow.articles.quotes`, publishes on `newsflow.events.>`.
//!
//! Turns a fully processed article into what subscribers consume: one `event.article.v1` (the
//! whole record: text, paragraphs, sentences with their text, entities with their mentions,
//! quotes) on `newsflow.events.article`; one `event.quote.v1` per quote on
//! `newsflow.events.quote.<speaker key>` (the key across articles `entities` gave the speaker's
//! group, `antony-blinken`; `unattributed` when no speaker is named, or none that `quotes`
//! could stand behind); one
//! `event.entity.v1` per distinct named entity (person, organisation, place, other name, group;
//! not dates, times and amounts, which stay in the article event) on
//! `newsflow.events.entity.<type>.<key>`. Each event
//! carries the article's `revision` and has a stable `event_id` that names it
//! (`<article id>.r<revision>.article`, `….quote.<n>`, `….entity.<type>.<slug>`), also used as its
//! `Nats-Msg-Id`, so a redelivered article publishes no second copy while a new revision of it
//! publishes new events.
//!
//! Fails with [`EventsError`] (permanent: dead-lettered) when an upstream offset does not point
//! into the text. Pure. Run it with `newsflow run events`.

use newsflow_proto::headers::cloudevents;
use newsflow_proto::{
    ArticleQuotes, Entity, Envelope, EventArticle, EventEntity, EventQuote, SentenceText, Span,
    events::MentionText, schema, slug, subjects,
};

/// Speaker slug of quotes whose speaker the text does not name.
pub const UNATTRIBUTED: &str = "unattributed";

/// Why an article cannot be turned into events.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventsError {
    /// An offset is outside the text or not on a character boundary.
    #[error("{what} {start}..{end} does not point into the article text ({len} bytes)")]
    BadOffset {
        /// What the offset belongs to.
        what: &'static str,
        /// Start offset.
        start: usize,
        /// End offset.
        end: usize,
        /// Length of the text.
        len: usize,
    },
}

/// Everything one article publishes, each with its subject.
#[derive(Debug, Clone, PartialEq)]
pub struct EventBatch {
    /// The article event, for `newsflow.events.article`.
    pub article: EventArticle,
    /// Quote events with their subjects.
    pub quotes: Vec<(String, EventQuote)>,
    /// Entity events with their subjects.
    pub entities: Vec<(String, EventEntity)>,
}

/// Builds the events of one article.
///
/// # Errors
/// [`EventsError::BadOffset`] when an upstream stage produced an offset off the text.
pub fn events(input: ArticleQuotes) -> Result<EventBatch, EventsError> {
    let ArticleQuotes {
        article,
        segmentation,
        entities,
        quotes,
        skipped,
    } = input;
    let text = &article.text;
    let slice = |what: &'static str, start: usize, end: usize| {
        text.get(start..end)
            .map(str::to_owned)
            .ok_or(EventsError::BadOffset {
                what,
                start,
                end,
                len: text.len(),
            })
    };
    let sentences = segmentation
        .sentences
        .iter()
        .map(|s| {
            Ok(SentenceText {
                start: s.start,
                end: s.end,
                paragraph: s.paragraph,
                text: slice("sentence", s.start, s.end)?,
            })
        })
        .collect::<Result<Vec<_>, EventsError>>()?;
    let mut grouped: Vec<Entity> = entities
        .groups
        .iter()
        .map(|g| Entity {
            id: g.id,
            label: g.label,
            name: g.name.clone(),
            slug: g.slug.clone(),
            key: if g.key.is_empty() {
                g.slug.clone()
            } else {
                g.key.clone()
            },
            mentions: Vec::new(),
        })
        .collect();
    for mention in &entities.mentions {
        let text = slice("mention", mention.start, mention.end)?;
        if let Some(entity) = grouped.get_mut(mention.group) {
            entity.mentions.push(MentionText {
                start: mention.start,
                end: mention.end,
                text,
            });
        }
    }
    let revision = article.revision;
    let id = &article.article_id;
    let mut quote_events = Vec::with_capacity(quotes.len());
    for (index, quote) in quotes.iter().enumerate() {
        for span in &quote.content {
            slice("quote content", span.start, span.end)?;
        }
        let source_text = quote
            .source
            .map(|s| slice("quote source", s.start, s.end))
            .transpose()?;
        let cue_text = quote
            .cue
            .map(|s| slice("quote cue", s.start, s.end))
            .transpose()?;
        let speaker_slug = quote
            .speaker_entity
            .and_then(|e| grouped.get(e))
            .map(|e| e.key.clone())
            .or_else(|| quote.speaker.as_deref().map(slug))
            .unwrap_or_else(|| UNATTRIBUTED.to_owned());
        let event = EventQuote {
            event_id: id.message_id(revision, format_args!("quote.{index}")),
            article_id: article.article_id.clone(),
            revision,
            index,
            url: article.url.clone(),
            title: article.title.clone(),
            published_at: article.published_at.clone(),
            duplicate_of: article.duplicate_of.clone(),
            quote: quote.clone(),
            source_text,
            cue_text,
        };
        quote_events.push((format!("{}.{speaker_slug}", subjects::EVENTS_QUOTE), event));
    }
    let entity_events = grouped
        .iter()
        .filter(|entity| entity.label.is_named())
        .map(|entity| {
            let label = entity.label.as_str().to_ascii_lowercase();
            let event = EventEntity {
                event_id: id.message_id(revision, format_args!("entity.{label}.{}", entity.slug)),
                article_id: article.article_id.clone(),
                revision,
                url: article.url.clone(),
                title: article.title.clone(),
                published_at: article.published_at.clone(),
                duplicate_of: article.duplicate_of.clone(),
                entity: entity.clone(),
            };
            (
                format!("{}.{label}.{}", subjects::EVENTS_ENTITY, entity.key),
                event,
            )
        })
        .collect();
    let article_event = EventArticle {
        event_id: id.message_id(revision, "article"),
        article_id: article.article_id.clone(),
        revision,
        url: article.url,
        title: article.title,
        source: article.source,
        published_at: article.published_at,
        byline: article.byline,
        duplicate_of: article.duplicate_of,
        language: article.language,
        ingested_at: article.ingested_at,
        paragraphs: segmentation
            .paragraphs
            .iter()
            .map(|p| Span::new(p.start, p.end))
            .collect(),
        text: article.text,
        sentences,
        entities: grouped,
        quotes,
        skipped,
    };
    Ok(EventBatch {
        article: article_event,
        quotes: quote_events,
        entities: entity_events,
    })
}

impl EventBatch {
    /// Every event as it is published: the article event first, then the quotes and the
    /// entities, each on its subject with its `event_id` as `Nats-Msg-Id` and its CloudEvents
    /// attributes (binary content mode, `ce-time` = `time`) as headers.
    ///
    /// # Errors
    /// When an event cannot be serialised (never for these types: their maps have string keys).
    pub fn envelopes(&self, time: &str) -> Result<Vec<Envelope>, serde_json::Error> {
        let article_id = self.article.article_id.as_str();
        let mut out = Vec::with_capacity(1 + self.quotes.len() + self.entities.len());
        out.push(envelope(
            subjects::EVENTS_ARTICLE,
            schema::EVENT_ARTICLE,
            &self.article.event_id,
            article_id,
            time,
            &self.article,
        )?);
        for (subject, quote) in &self.quotes {
            let id = &quote.event_id;
            out.push(envelope(
                subject,
                schema::EVENT_QUOTE,
                id,
                article_id,
                time,
                quote,
            )?);
        }
        for (subject, entity) in &self.entities {
            let id = &entity.event_id;
            out.push(envelope(
                subject,
                schema::EVENT_ENTITY,
                id,
                article_id,
                time,
                entity,
            )?);
        }
        Ok(out)
    }
}

fn envelope<T: serde::Serialize>(
    subject: &str,
    schema: &'static str,
    event_id: &str,
    article_id: &str,
    time: &str,
    event: &T,
) -> Result<Envelope, serde_json::Error> {
    let attributes = cloudevents::attributes(schema, event_id, article_id, time);
    Ok(Envelope::json(
        subject,
        schema,
        event_id,
        Some(article_id.to_owned()),
        event,
    )?
    .with_headers(attributes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsflow_proto::{
        ArticleId, ArticleIngested, Entities, EntityGroup, EntityLabel, Mention, Quote, QuoteKind,
        Segmentation, Sentence,
    };

    fn article(text: &str) -> ArticleIngested {
        ArticleIngested {
            article_id: ArticleId::parse("t-1").unwrap(),
            url: None,
            title: Some("T".into()),
            source: None,
            published_at: None,
            byline: None,
            language: "en".into(),
            text: text.into(),
            ingested_at: "2024-11-01T00:00:00Z".into(),
            revision: 1,
            duplicate_of: None,
        }
    }

    fn sample() -> ArticleQuotes {
        let text = "“We’ve seen it,” Blinken said. Blinken left.";
        let b1 = text.find("Blinken").unwrap();
        let b2 = text.rfind("Blinken").unwrap();
        let group = EntityGroup {
            id: 0,
            label: EntityLabel::Person,
            name: "Blinken".into(),
            slug: "blinken".into(),
            key: "antony-blinken".into(),
            mention_count: 2,
        };
        let mention = |start: usize| Mention {
            start,
            end: start + 7,
            text: "Blinken".into(),
            label: EntityLabel::Person,
            group: 0,
        };
        let open = "“".len();
        let content = Span::new(open, text.find(",”").unwrap());
        ArticleQuotes {
            article: article(text),
            segmentation: Segmentation {
                paragraphs: vec![Span::new(0, text.len())],
                sentences: vec![Sentence {
                    start: 0,
                    end: b2 - 1,
                    paragraph: 0,
                    first_token: 0,
                    token_count: 0,
                }],
                tokens: vec![],
            },
            entities: Entities {
                mentions: vec![mention(b1), mention(b2)],
                groups: vec![group],
            },
            quotes: vec![Quote {
                kind: QuoteKind::Direct,
                content: vec![content],
                text: "We’ve seen it".into(),
                source: Some(Span::new(b1, b1 + 7)),
                cue: Some(Span::new(b1 + 8, b1 + 12)),
                speaker_entity: Some(0),
                speaker: Some("Blinken".into()),
                confidence: 0.9,
            }],
            skipped: Vec::new(),
        }
    }

    #[test]
    fn events_publish_quotes_under_the_speaker_and_entities_under_type_and_name() {
        let batch = events(sample()).unwrap();
        assert_eq!(batch.quotes.len(), 1);
        assert_eq!(batch.quotes[0].0, "newsflow.events.quote.antony-blinken");
        assert_eq!(batch.quotes[0].1.event_id, "t-1.r1.quote.0");
        assert_eq!(batch.quotes[0].1.cue_text.as_deref(), Some("said"));
        assert_eq!(
            batch.entities[0].0,
            "newsflow.events.entity.person.antony-blinken"
        );
        assert_eq!(batch.entities[0].1.entity.mentions.len(), 2);
        assert_eq!(
            batch.article.sentences[0].text,
            "“We’ve seen it,” Blinken said."
        );
    }

    #[test]
    fn dates_and_numbers_stay_in_the_article_event_without_events_of_their_own() {
        let mut input = sample();
        let text = "Blinken left on Monday.";
        let monday = text.find("Monday").unwrap();
        input.article.text = text.into();
        input.segmentation.paragraphs = vec![Span::new(0, text.len())];
        input.segmentation.sentences[0].end = text.len();
        input.quotes.clear();
        input.entities.mentions = vec![
            Mention {
                start: 0,
                end: 7,
                text: "Blinken".into(),
                label: EntityLabel::Person,
                group: 0,
            },
            Mention {
                start: monday,
                end: monday + 6,
                text: "Monday".into(),
                label: EntityLabel::Date,
                group: 1,
            },
        ];
        input.entities.groups[0].mention_count = 1;
        input.entities.groups.push(EntityGroup {
            id: 1,
            label: EntityLabel::Date,
            name: "Monday".into(),
            slug: "monday".into(),
            key: String::new(),
            mention_count: 1,
        });
        let batch = events(input).unwrap();
        let subjects: Vec<&str> = batch.entities.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(subjects, ["newsflow.events.entity.person.antony-blinken"]);
        let labels: Vec<EntityLabel> = batch.article.entities.iter().map(|e| e.label).collect();
        assert_eq!(labels, [EntityLabel::Person, EntityLabel::Date]);
    }

    #[test]
    fn every_event_carries_the_revision_in_its_field_and_id() {
        let mut input = sample();
        input.article.revision = 2;
        let batch = events(input).unwrap();
        assert_eq!(batch.article.event_id, "t-1.r2.article");
        assert_eq!(batch.article.revision, 2);
        assert_eq!(batch.quotes[0].1.event_id, "t-1.r2.quote.0");
        assert_eq!(batch.quotes[0].1.revision, 2);
        assert_eq!(batch.entities[0].1.event_id, "t-1.r2.entity.person.blinken");
        assert_eq!(batch.entities[0].1.revision, 2);
    }

    #[test]
    fn an_article_repeating_an_earlier_one_says_so_in_every_event() {
        let mut input = sample();
        let earlier = ArticleId::parse("wire-1").unwrap();
        input.article.duplicate_of = Some(earlier.clone());
        let batch = events(input).unwrap();
        assert_eq!(batch.article.duplicate_of.as_ref(), Some(&earlier));
        assert!(
            batch
                .quotes
                .iter()
                .all(|(_, q)| q.duplicate_of.as_ref() == Some(&earlier))
        );
        assert!(
            batch
                .entities
                .iter()
                .all(|(_, e)| e.duplicate_of.as_ref() == Some(&earlier))
        );
        assert_eq!(events(sample()).unwrap().article.duplicate_of, None);
    }

    #[test]
    fn events_reject_offsets_off_a_character_boundary() {
        let mut input = sample();
        input.segmentation.sentences[0].start = 1; // inside the 3-byte opening quote mark
        assert!(matches!(
            events(input),
            Err(EventsError::BadOffset {
                what: "sentence",
                ..
            })
        ));
    }

    #[test]
    fn envelopes_carry_each_event_with_its_id_and_cloudevents_attributes() {
        let batch = events(sample()).unwrap();
        let sent = batch.envelopes("2024-11-01T00:00:05Z").unwrap();
        assert_eq!(sent.len(), 1 + batch.quotes.len() + batch.entities.len());
        assert_eq!(sent[0].subject, subjects::EVENTS_ARTICLE);
        assert_eq!(sent[0].msg_id, "t-1.r1.article");
        assert_eq!(sent[0].payload, serde_json::to_vec(&batch.article).unwrap());
        let quote = &sent[1];
        assert_eq!(quote.subject, "newsflow.events.quote.antony-blinken");
        assert_eq!(quote.article_id.as_deref(), Some("t-1"));
        let header = |name: &str| {
            quote
                .headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header(cloudevents::ID), Some("t-1.r1.quote.0"));
        assert_eq!(header(cloudevents::TYPE), Some("newsflow.event.quote.v1"));
        assert_eq!(header(cloudevents::TIME), Some("2024-11-01T00:00:05Z"));
        assert_eq!(header(cloudevents::SUBJECT), Some("t-1"));
    }
}
