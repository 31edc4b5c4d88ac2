//! Finding speakers and entities by part of their name: a subject names them by the slug of
//! their full name (`antony-j-blinken`), and a subscriber often knows only part of it.

use crate::Kind;
use newsflow_proto::{aliases, slug, subjects};

/// Of the event subjects `known` (with how many events each holds), those of quotes (`kind`
/// [`Kind::Quote`]) or entities ([`Kind::Entity`]) whose speaker's or entity's name holds the
/// words of `query`, or of another name for the same thing (the shipped alias list), as whole
/// words in a row, the most used first: "Blinken" finds `newsflow.events.quote.antony-j-blinken`, not
/// `…quote.blinkenson`; "DPRK" finds `…entity.loc.north-korea` (events from before keys across
/// articles also `…entity.loc.democratic-peoples-republic-of-korea`).
pub fn subjects_named(query: &str, kind: Kind, known: &[(String, usize)]) -> Vec<String> {
    let names = with_aliases(query);
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
                names
                    .iter()
                    .enumerate()
                    // The name asked for may be part of a longer one; another name for the same
                    // thing only the whole name (`republic-of-korea` is part of the north's).
                    .any(|(i, wanted)| {
                        if i == 0 {
                            holds(name, wanted)
                        } else {
                            name == wanted
                        }
                    })
            })
        })
        .collect();
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    found.into_iter().map(|(s, _)| s.clone()).collect()
}

/// The slugs of `query` (first) and of every other name for what it names
/// ([`newsflow_proto::aliases`]).
fn with_aliases(query: &str) -> Vec<String> {
    let wanted = slug(query);
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut names = vec![wanted.clone()];
    for group in aliases::groups() {
        let group: Vec<String> = group.into_iter().map(slug).collect();
        if group.contains(&wanted) {
            names.extend(group.into_iter().filter(|name| *name != wanted));
        }
    }
    names
}

/// Whether the slug `name` is `wanted` or holds its words as whole words in a row.
fn holds(name: &str, wanted: &str) -> bool {
    let width = wanted.split('-').count();
    name == wanted
        || name
            .split('-')
            .collect::<Vec<_>>()
            .windows(width)
            .any(|w| w.join("-") == wanted)
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
        let dprk = vec![(
            "newsflow.events.entity.loc.democratic-peoples-republic-of-korea".to_owned(),
            4,
        )];
        assert_eq!(subjects_named("North Korea", Kind::Entity, &dprk).len(), 1);
        assert_eq!(subjects_named("DPRK", Kind::Entity, &dprk).len(), 1);
        assert!(subjects_named("South Korea", Kind::Entity, &dprk).is_empty());
        assert!(subjects_named("  ", Kind::Quote, &known).is_empty());
    }
}
