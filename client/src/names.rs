//! Finding speakers and entities by part of their name: a subject names them by the slug of
//! their full name (`antony-j-blinken`), and a subscriber often knows only part of it.

use crate::Kind;
use newsflow_proto::{slug, subjects};

/// Of the event subjects `known` (with how many events each holds), those of quotes (`kind`
/// [`Kind::Quote`]) or entities ([`Kind::Entity`]) whose speaker's or entity's name holds the
/// words of `query` as whole words in a row, the most used first: "Blinken" finds
/// `newsflow.events.quote.antony-j-blinken`, not `…quote.blinkenson`.
pub fn subjects_named(query: &str, kind: Kind, known: &[(String, usize)]) -> Vec<String> {
    let wanted = slug(query);
    if wanted.is_empty() {
        return Vec::new();
    }
    let width = wanted.split('-').count();
    let mut found: Vec<&(String, usize)> = known
        .iter()
        .filter(|(subject, _)| {
            let name = match kind {
                Kind::Quote => subject.strip_prefix(&format!("{}.", subjects::EVENTS_QUOTE)),
                // newsflow.events.entity.<type>.<name>
                Kind::Entity => subject
                    .strip_prefix(&format!("{}.", subjects::EVENTS_ENTITY))
                    .and_then(|rest| rest.split_once('.'))
                    .map(|(_, name)| name),
                Kind::Article => None,
            };
            name.is_some_and(|name| {
                name == wanted
                    || name
                        .split('-')
                        .collect::<Vec<_>>()
                        .windows(width)
                        .any(|w| w.join("-") == wanted)
            })
        })
        .collect();
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    found.into_iter().map(|(s, _)| s.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speakers_and_entities_are_found_by_any_whole_part_of_their_name() {
        let known = vec![
            ("newsflow.events.quote.antony-j-blinken".to_owned(), 3),
            ("newsflow.events.quote.blinkenson".to_owned(), 9),
            ("newsflow.events.quote.donald-blinken-jr".to_owned(), 5),
            ("newsflow.events.entity.loc.north-korea".to_owned(), 2),
        ];
        assert_eq!(
            subjects_named("Blinken", Kind::Quote, &known),
            [
                "newsflow.events.quote.donald-blinken-jr",
                "newsflow.events.quote.antony-j-blinken"
            ]
        );
        assert_eq!(
            subjects_named("north korea", Kind::Entity, &known),
            ["newsflow.events.entity.loc.north-korea"]
        );
        assert!(subjects_named("Korea", Kind::Quote, &known).is_empty());
        assert!(subjects_named("  ", Kind::Quote, &known).is_empty());
    }
}
