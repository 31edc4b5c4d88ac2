//! Keys across articles: which entity of the articles before it each named group of this one
//! is, so that a subscriber can follow one person from article to article whichever form of
//! the name each article uses.
//!
//! A group's key is, in this order of preference:
//! 1. for a place, organisation or other non-person name on the shipped alias list
//!    ([`newsflow_proto::aliases`]), the slug of the list's preferred name (`DPRK` →
//!    `north-korea`);
//! 2. the key the [`Directory`] gives for a name the article calls the group by: its canonical
//!    name, any longer form of it the article writes, or a person's name without middle initials
//!    (`Antony J. Blinken` → `antony-blinken`; taken only when the known entity is named without
//!    them, so that George H. W. Bush and George W. Bush stay apart, unless a plain `George
//!    Bush` was known first: both then join it);
//! 3. the slug of its canonical name.
//!
//! A one-word name is looked up only when it is all the article calls the group: `Blinken`
//! alone finds `antony-blinken`, but `Lyndon Johnson` is not looked up by `Johnson`, which
//! other Johnsons share. What each group teaches the directory is returned as entries to
//! write: every form of the name for the key (a person's surname among them, whether or not the
//! article writes it alone), where the directory does not know it yet. A
//! written form keeps the entity that first had it, except one-word names and names without
//! their middle initials (weak forms): one that stood for two entities becomes
//! [`AMBIGUOUS`] and is looked up no more, and one that was an entity's own key (an article
//! that only ever said `Blinken`) is handed to the first fuller name that has it, so later
//! articles join the full name; the earlier article's events keep the key they were given.

use newsflow_proto::{Entities, EntityLabel, aliases, slug};
use std::collections::HashMap;

/// The directory's value for a name that stood for more than one entity.
pub const AMBIGUOUS: &str = "?";

/// What the articles before this one taught: the key each name stood for. Entries are named
/// `<type>.<name slug>` (`person.blinken`), type as in the entity events' subjects.
pub trait Directory {
    /// The key `entry` stands for, [`AMBIGUOUS`] when it stood for more than one.
    fn key_of(&self, entry: &str) -> Option<String>;
}

impl Directory for HashMap<String, String> {
    fn key_of(&self, entry: &str) -> Option<String> {
        self.get(entry).cloned()
    }
}

/// The directory entry of a name of type `label`.
pub fn entry(label: EntityLabel, name_slug: &str) -> String {
    format!("{}.{name_slug}", label.as_str().to_ascii_lowercase())
}

/// Sets every group's key in `entities` (left empty where it is the group's own slug) and
/// returns the entries to write into the directory (entry, key), in the order they were
/// learned.
pub fn assign(entities: &mut Entities, directory: &dyn Directory) -> Vec<(String, String)> {
    // This article's own entries come before the directory's: two groups of one article that
    // share a surname make it ambiguous at once.
    let mut written: HashMap<String, String> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let Entities { mentions, groups } = entities;
    let mut by_group: Vec<Vec<&str>> = vec![Vec::new(); groups.len()];
    for mention in mentions.iter() {
        if let Some(names) = by_group.get_mut(mention.group) {
            names.push(&mention.text);
        }
    }
    for group in groups.iter_mut() {
        group.key.clone_from(&group.slug);
        if !group.label.is_named() {
            continue;
        }
        let written_as = by_group.get(group.id);
        let forms = forms(
            &group.slug,
            group.label,
            written_as.map_or(&[][..], Vec::as_slice),
        );
        if group.label != EntityLabel::Person
            && let Some(preferred) = forms.iter().find_map(|f| aliases::preferred(&f.slug))
        {
            preferred.clone_into(&mut group.key);
            continue;
        }
        let known = |written: &HashMap<String, String>, name: &str| {
            let entry = entry(group.label, name);
            written
                .get(&entry)
                .cloned()
                .or_else(|| directory.key_of(&entry))
        };
        let found = forms.iter().find_map(|form| {
            let key = known(&written, &form.slug).filter(|k| k != AMBIGUOUS)?;
            match form.strength {
                Strength::Canonical | Strength::Written => Some(key),
                Strength::WithoutInitials => (key == form.slug).then_some(key),
                Strength::OneWord => None,
            }
        });
        if let Some(key) = found {
            group.key = key;
        }
        for form in &forms {
            let now = known(&written, &form.slug);
            let weak = matches!(form.strength, Strength::OneWord | Strength::WithoutInitials);
            let value = match now.as_deref() {
                None => group.key.clone(),
                Some(key) if key == group.key || key == AMBIGUOUS => continue,
                Some(key) if weak && key == form.slug => group.key.clone(),
                Some(_) if weak => AMBIGUOUS.to_owned(),
                Some(_) => continue,
            };
            let entry = entry(group.label, &form.slug);
            if written.insert(entry.clone(), value).is_none() {
                order.push(entry);
            }
        }
    }
    // A key that is the group's own slug goes unwritten: the hops carry no second copy of it.
    for group in groups.iter_mut().filter(|g| g.key == g.slug) {
        group.key.clear();
    }
    order
        .into_iter()
        .filter_map(|entry| written.remove(&entry).map(|key| (entry, key)))
        .collect()
}

/// How much a form of a name says of whom it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strength {
    /// The group's canonical name.
    Canonical,
    /// Another form of two words or more the article writes.
    Written,
    /// A person's name without its middle initials.
    WithoutInitials,
    /// A one-word form other than the canonical name (a surname, an acronym).
    OneWord,
}

#[derive(Debug)]
struct Form {
    slug: String,
    strength: Strength,
}

/// The slugs a group goes by in the article (its canonical name's, then those of how its
/// mentions are `written`), the canonical name first; for a person also the name without middle
/// initials and the surname alone.
fn forms(canonical: &str, label: EntityLabel, written: &[&str]) -> Vec<Form> {
    let mut forms = vec![Form {
        slug: canonical.to_owned(),
        strength: Strength::Canonical,
    }];
    let mut add = |slug: String, strength| {
        if !slug.is_empty() && !forms.iter().any(|f| f.slug == slug) {
            forms.push(Form { slug, strength });
        }
    };
    let one_word = |slug: &str| !slug.contains('-') || slug.starts_with("x-");
    if label == EntityLabel::Person && !one_word(canonical) {
        let words: Vec<&str> = canonical.split('-').collect();
        if words.len() > 2 {
            let (first, rest) = words.split_first().expect("more than two words");
            let (last, middle) = rest.split_last().expect("more than one word");
            if middle.iter().all(|w| w.len() == 1) {
                add(format!("{first}-{last}"), Strength::WithoutInitials);
            }
        }
    }
    for name in written.iter().map(|w| slug(w)) {
        let strength = if one_word(&name) {
            Strength::OneWord
        } else {
            Strength::Written
        };
        add(name, strength);
    }
    if label == EntityLabel::Person && !one_word(canonical) {
        let surname = canonical.rsplit('-').next().unwrap_or(canonical);
        add(surname.to_owned(), Strength::OneWord);
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsflow_proto::{EntityGroup, Mention};

    /// An article's entities: each group's mentions as written, the first its canonical name.
    fn article(groups: &[(EntityLabel, &[&str])]) -> Entities {
        let mut entities = Entities::default();
        for (id, (label, names)) in groups.iter().enumerate() {
            entities.groups.push(EntityGroup {
                id,
                label: *label,
                name: names[0].to_owned(),
                slug: slug(names[0]),
                key: String::new(),
                mention_count: names.len(),
            });
            for name in *names {
                entities.mentions.push(Mention {
                    start: 0,
                    end: 0,
                    text: (*name).to_owned(),
                    label: *label,
                    group: id,
                });
            }
        }
        entities
    }

    /// Keys the articles in turn, each learning from those before it.
    fn keys(articles: &[&[(EntityLabel, &[&str])]]) -> Vec<Vec<String>> {
        let mut directory = HashMap::new();
        articles
            .iter()
            .map(|groups| {
                let mut entities = article(groups);
                directory.extend(assign(&mut entities, &directory));
                entities
                    .groups
                    .into_iter()
                    .map(|g| if g.key.is_empty() { g.slug } else { g.key })
                    .collect()
            })
            .collect()
    }

    use EntityLabel::{Loc, Org, Person};

    #[test]
    fn a_surname_alone_finds_the_full_name_an_earlier_article_used() {
        let keys = keys(&[
            &[(Person, &["Antony J. Blinken", "Blinken"])],
            &[(Person, &["Blinken"])],
            &[(Person, &["Antony Blinken"])],
        ]);
        assert_eq!(
            keys,
            [
                ["antony-j-blinken"],
                ["antony-j-blinken"],
                ["antony-j-blinken"]
            ]
        );
    }

    #[test]
    fn the_full_name_joins_a_name_without_initials_known_before() {
        let keys = keys(&[
            &[(Person, &["Antony Blinken"])],
            &[(Person, &["Antony J. Blinken"])],
        ]);
        assert_eq!(keys, [["antony-blinken"], ["antony-blinken"]]);
    }

    #[test]
    fn two_people_who_share_a_surname_stay_apart() {
        let keys = keys(&[
            &[(Person, &["Boris Johnson", "Johnson"])],
            &[(Person, &["Lyndon Johnson", "Johnson"])],
            &[(Person, &["Johnson"])],
            &[(Person, &["George H. W. Bush"])],
            &[(Person, &["George W. Bush"])],
        ]);
        assert_eq!(
            keys,
            [
                ["boris-johnson"],
                ["lyndon-johnson"],
                // Two Johnsons are known: the surname alone is not taken for either.
                ["johnson"],
                ["george-h-w-bush"],
                ["george-w-bush"],
            ]
        );
    }

    #[test]
    fn a_surname_first_seen_alone_is_handed_to_the_full_name() {
        let keys = keys(&[
            &[(Person, &["Blinken"])],
            &[(Person, &["Antony Blinken", "Blinken"])],
            &[(Person, &["Blinken"])],
        ]);
        assert_eq!(keys, [["blinken"], ["antony-blinken"], ["antony-blinken"]]);
    }

    #[test]
    fn places_and_organisations_take_the_preferred_name_of_the_alias_list() {
        let keys = keys(&[&[
            (Loc, &["Democratic People's Republic of Korea", "DPRK"]),
            (Org, &["U.N."]),
            (Loc, &["Kursk"]),
        ]]);
        assert_eq!(keys, [["north-korea", "united-nations", "kursk"]]);
    }

    #[test]
    fn one_article_naming_two_johnsons_keeps_them_apart_at_once() {
        let mut entities = article(&[
            (Person, &["Boris Johnson", "Johnson"]),
            (Person, &["Lyndon Johnson"]),
            (Person, &["Dustin Johnson", "Johnson"]),
        ]);
        let learned = assign(&mut entities, &HashMap::new());
        assert!(learned.contains(&("person.johnson".to_owned(), AMBIGUOUS.to_owned())));
        assert!(learned.contains(&(
            "person.boris-johnson".to_owned(),
            "boris-johnson".to_owned()
        )));
    }

    #[test]
    fn a_full_name_alone_teaches_its_surname() {
        let keys = keys(&[
            &[(Person, &["Antony J. Blinken"])],
            &[(Person, &["Blinken"])],
        ]);
        assert_eq!(keys, [["antony-j-blinken"], ["antony-j-blinken"]]);
    }

    #[test]
    fn values_keep_their_slug_and_teach_nothing() {
        let mut entities = article(&[(EntityLabel::Date, &["Monday"])]);
        assert!(assign(&mut entities, &HashMap::new()).is_empty());
        assert_eq!(entities.groups[0].key, "", "its own slug");
    }
}
