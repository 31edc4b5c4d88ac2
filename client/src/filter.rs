//! What to receive, as the one subject filter the server applies.

use newsflow_proto::{slug, subjects};

/// A kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `event.article.v1` on `newsflow.events.article`.
    Article,
    /// `event.quote.v1` on `newsflow.events.quote.<speaker>`.
    Quote,
    /// `event.entity.v1` on `newsflow.events.entity.<type>.<name>`.
    Entity,
}

/// Entity types with events of their own, as they appear in subjects. Dates, times, amounts,
/// percentages, counts and quantities are only in the article event's `entities`.
pub const ENTITY_TYPES: [&str; 5] = ["person", "org", "loc", "misc", "norp"];

/// Which events to receive. Empty: every event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this kind (implied by `speaker`, `entity` and `entity_type`).
    pub kind: Option<Kind>,
    /// Only quotes of this speaker: a name or its slug.
    pub speaker: Option<String>,
    /// Only this entity: a name or its slug.
    pub entity: Option<String>,
    /// Only entities of this type (one of [`ENTITY_TYPES`]).
    pub entity_type: Option<String>,
}

/// Why a filter cannot be turned into a subject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// The fields select different kinds of event.
    #[error("{0}")]
    Contradiction(&'static str),
    /// `entity_type` is not one of [`ENTITY_TYPES`].
    #[error(
        "no entity events of type {0:?}; the types are person, org, loc, misc and norp (dates, times, amounts, percentages, counts and quantities are in each article event's entities)"
    )]
    UnknownType(String),
}

impl Filter {
    /// The subject filter, e.g. `newsflow.events.quote.antony-j-blinken`.
    ///
    /// # Errors
    /// When the fields contradict each other or the entity type is unknown.
    pub fn subject(&self) -> Result<String, FilterError> {
        let entity_wanted = self.entity.is_some() || self.entity_type.is_some();
        if let Some(speaker) = &self.speaker {
            if entity_wanted {
                return Err(FilterError::Contradiction(
                    "a speaker selects quotes; it cannot be combined with an entity or type",
                ));
            }
            if self.kind.is_some_and(|k| k != Kind::Quote) {
                return Err(FilterError::Contradiction(
                    "a speaker selects quotes, not another kind of event",
                ));
            }
            return Ok(format!("{}.{}", subjects::EVENTS_QUOTE, slug(speaker)));
        }
        if entity_wanted {
            if self.kind.is_some_and(|k| k != Kind::Entity) {
                return Err(FilterError::Contradiction(
                    "an entity or type selects entity events",
                ));
            }
            if let Some(kind) = self
                .entity_type
                .as_deref()
                .filter(|t| !ENTITY_TYPES.contains(t))
            {
                return Err(FilterError::UnknownType(kind.to_owned()));
            }
            let kind = self.entity_type.as_deref().unwrap_or("*");
            let name = self.entity.as_deref().map_or_else(|| ">".to_owned(), slug);
            return Ok(format!("{}.{kind}.{name}", subjects::EVENTS_ENTITY));
        }
        Ok(match self.kind {
            None => subjects::EVENTS_SUBJECTS.to_owned(),
            Some(Kind::Article) => subjects::EVENTS_ARTICLE.to_owned(),
            Some(Kind::Quote) => format!("{}.>", subjects::EVENTS_QUOTE),
            Some(Kind::Entity) => format!("{}.>", subjects::EVENTS_ENTITY),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(
        kind: Option<Kind>,
        speaker: Option<&str>,
        entity: Option<&str>,
        of: Option<&str>,
    ) -> Filter {
        Filter {
            kind,
            speaker: speaker.map(str::to_owned),
            entity: entity.map(str::to_owned),
            entity_type: of.map(str::to_owned),
        }
    }

    #[test]
    fn filters_become_server_side_subjects() {
        assert_eq!(
            filter(None, None, None, None).subject().unwrap(),
            "newsflow.events.>"
        );
        assert_eq!(
            filter(Some(Kind::Quote), None, None, None)
                .subject()
                .unwrap(),
            "newsflow.events.quote.>"
        );
        assert_eq!(
            filter(None, Some("Antony J. Blinken"), None, None)
                .subject()
                .unwrap(),
            "newsflow.events.quote.antony-j-blinken"
        );
        assert_eq!(
            filter(None, None, None, Some("person")).subject().unwrap(),
            "newsflow.events.entity.person.>"
        );
        assert_eq!(
            filter(None, None, Some("North Korea"), None)
                .subject()
                .unwrap(),
            "newsflow.events.entity.*.north-korea"
        );
        assert_eq!(
            filter(None, None, Some("north-korea"), Some("loc"))
                .subject()
                .unwrap(),
            "newsflow.events.entity.loc.north-korea"
        );
    }

    #[test]
    fn contradictory_or_unknown_filters_are_refused() {
        assert!(
            filter(Some(Kind::Entity), Some("Blinken"), None, None)
                .subject()
                .is_err()
        );
        assert!(
            filter(None, Some("Blinken"), Some("Russia"), None)
                .subject()
                .is_err()
        );
        assert!(
            filter(Some(Kind::Quote), None, None, Some("person"))
                .subject()
                .is_err()
        );
        assert_eq!(
            filter(None, None, None, Some("people")).subject(),
            Err(FilterError::UnknownType("people".into()))
        );
        let date = filter(None, None, None, Some("date"))
            .subject()
            .unwrap_err();
        assert!(date.to_string().contains("article event"), "{date}");
    }

    #[test]
    fn the_entity_types_are_the_named_labels() {
        use newsflow_proto::EntityLabel::*;
        let named: Vec<String> = [Person, Org, Loc, Misc, Norp, Date, Time, Money, Percent]
            .into_iter()
            .chain([Cardinal, Quantity])
            .filter(|label| label.is_named())
            .map(|label| label.as_str().to_ascii_lowercase())
            .collect();
        assert_eq!(named, ENTITY_TYPES);
    }
}
