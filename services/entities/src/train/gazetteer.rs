//! Building the gazetteer ([`Gazetteer`]) at training time: the entity strings of the labelled
//! training documents by type, plus the built-in lists: the public name lists of `lexicon/`
//! (each its own type, so the tagger learns how far to trust it) and the places and
//! nationalities of [`crate::lexicon`].

use crate::gazetteer::{Gazetteer, PLACES_LIST};

/// Name lists from public data (see `lexicon/SOURCES.md`), each its own gazetteer type so the
/// tagger learns how far to trust it apart from the entities seen in training.
#[derive(Clone, Copy, Debug)]
enum ExternalList {
    /// GeoNames cities over 15,000 people, countries, capitals, US states, continents.
    Places = 4,
    /// US Census given names.
    GivenNames = 5,
    /// US Census surnames, the most frequent 30,000.
    Surnames = 6,
    /// Listed companies of the major stock indices.
    Companies = 7,
}

const EXTERNAL: [(ExternalList, &str); 4] = [
    (ExternalList::Places, PLACES_LIST),
    (
        ExternalList::GivenNames,
        include_str!("../../lexicon/given-names.txt"),
    ),
    (
        ExternalList::Surnames,
        include_str!("../../lexicon/surnames.txt"),
    ),
    (
        ExternalList::Companies,
        include_str!("../../lexicon/companies.txt"),
    ),
];

/// Built-in lexicon entries added to every gazetteer: general lists, not sample text.
fn add_builtin(g: &mut Gazetteer) {
    for (list, text) in EXTERNAL {
        for name in text.lines().filter(|l| !l.is_empty()) {
            let words: Vec<&str> = name.split(' ').collect();
            g.add(&words, list as u8);
        }
    }
    for name in crate::lexicon::PLACES {
        let words: Vec<&str> = name.split(' ').collect();
        g.add(&words, 2);
    }
    for (name, _) in crate::lexicon::NATIONALITIES {
        let words: Vec<&str> = name.split(' ').collect();
        g.add(&words, 3);
    }
}

/// A gazetteer of entity strings (their words, and their type) plus the built-in lists.
pub(crate) fn from_entities<'a, 'w: 'a>(
    entities: impl Iterator<Item = (&'a [&'w str], u8)>,
) -> Gazetteer {
    let mut g = Gazetteer::default();
    for (words, ty) in entities {
        g.add(words, ty);
    }
    add_builtin(&mut g);
    g
}
