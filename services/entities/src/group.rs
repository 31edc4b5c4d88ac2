//! Grouping mentions of one entity within an article: the same name, a surname and the full
//! name (`Blinken` … `Antony J. Blinken`), an acronym and its expansion (`DPRK` … `Democratic
//! People's Republic of Korea`), and short aliases from the lexicon (`DPRK` … `North Korea`).
//! Each group gets its fullest form as canonical name and a slug.

use crate::lexicon::ALIASES;
use newsflow_proto::{Entities, EntityGroup, EntityLabel, Mention};
use std::collections::{HashMap, HashSet};

/// A mention before grouping: byte span, label, and its token texts.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub start: usize,
    pub end: usize,
    pub label: EntityLabel,
    pub words: Vec<String>,
}

const NAMED: [EntityLabel; 4] = [
    EntityLabel::Person,
    EntityLabel::Org,
    EntityLabel::Loc,
    EntityLabel::Misc,
];

fn named(l: EntityLabel) -> bool {
    NAMED.contains(&l)
}

fn norm_word(w: &str) -> String {
    w.replace(['\u{2019}', '\u{2018}'], "'")
}

/// The name without periods and spaces: `U.S.` → `US`.
fn bare(words: &[String]) -> String {
    words
        .iter()
        .map(|w| norm_word(w))
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['.', ' '], "")
}

fn alias_row(words: &[String]) -> Option<usize> {
    // Each alias row without periods and spaces, computed once.
    static BARE: std::sync::OnceLock<Vec<Vec<String>>> = std::sync::OnceLock::new();
    let rows = BARE.get_or_init(|| {
        ALIASES
            .iter()
            .map(|row| row.iter().map(|a| a.replace(['.', ' '], "")).collect())
            .collect()
    });
    let b = bare(words);
    rows.iter().position(|row| row.contains(&b))
}

fn is_acronym(words: &[String]) -> Option<String> {
    let b = bare(words);
    (words.len() == 1 && (2..=6).contains(&b.len()) && b.bytes().all(|c| c.is_ascii_uppercase()))
        .then_some(b)
}

/// Initials of the capitalised words of a multi-word name: `Democratic People's Republic of
/// Korea` → `DPRK`.
fn initials(words: &[String]) -> Option<String> {
    if words.len() < 2 {
        return None;
    }
    let s: String = words
        .iter()
        .filter_map(|w| w.chars().next().filter(|c| c.is_uppercase()))
        .collect();
    (s.chars().count() >= 2).then_some(s)
}

/// Name parts that do not identify a person on their own.
fn is_name_suffix(w: &str) -> bool {
    matches!(w, "Jr." | "Jr" | "Sr." | "Sr" | "II" | "III" | "IV")
        || (w.len() == 2 && w.ends_with('.'))
}

struct Sets(Vec<usize>);

impl Sets {
    fn find(&mut self, x: usize) -> usize {
        let mut r = x;
        while self.0[r] != r {
            r = self.0[r];
        }
        let mut y = x;
        while self.0[y] != r {
            let n = self.0[y];
            self.0[y] = r;
            y = n;
        }
        r
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // Keep the earlier mention as root.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.0[hi] = lo;
        }
    }
}

/// Groups drafts (in reading order) into mentions and groups.
pub(crate) fn group(text: &str, mut drafts: Vec<Draft>) -> Entities {
    drafts.sort_by_key(|d| (d.start, d.end));
    let n = drafts.len();
    let mut sets = Sets((0..n).collect());
    let keys: Vec<String> = drafts
        .iter()
        .map(|d| {
            d.words
                .iter()
                .map(|w| norm_word(w))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();

    // Every pass below is linear in the mentions (hash maps, not pairs): a long article can
    // have tens of thousands of them.

    // A single word that is a known person's surname is that person, whatever the tagger said.
    let surnames: HashSet<String> = drafts
        .iter()
        .filter(|d| d.label == EntityLabel::Person && d.words.len() >= 2)
        .filter_map(|d| d.words.iter().rev().find(|w| !is_name_suffix(w)).cloned())
        .collect();
    for d in &mut drafts {
        if named(d.label)
            && d.label != EntityLabel::Person
            && d.words.len() == 1
            && surnames.contains(&d.words[0])
        {
            d.label = EntityLabel::Person;
        }
    }

    // The same name: among names whatever their label, else with the same label.
    let mut first_with: HashMap<(Option<EntityLabel>, &str), usize> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        let label = (!named(d.label)).then_some(d.label);
        let first = *first_with.entry((label, &keys[i])).or_insert(i);
        sets.union(i, first);
    }

    // Aliases and acronyms among named entities.
    let mut first_in_row: HashMap<usize, usize> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        if named(d.label)
            && let Some(row) = alias_row(&d.words)
        {
            let first = *first_in_row.entry(row).or_insert(i);
            sets.union(i, first);
        }
    }
    let not_person = |d: &Draft| named(d.label) && d.label != EntityLabel::Person;
    let mut expansions: HashMap<String, Vec<usize>> = HashMap::new();
    for (j, d) in drafts.iter().enumerate() {
        if not_person(d)
            && let Some(initials) = initials(&d.words)
        {
            expansions.entry(initials).or_default().push(j);
        }
    }
    for (i, d) in drafts.iter().enumerate() {
        if !not_person(d) {
            continue;
        }
        let Some(matches) = is_acronym(&d.words).and_then(|acr| expansions.get_mut(&acr)) else {
            continue;
        };
        // The first acronym joins every expansion; later ones need only join one of them.
        let first = matches[0];
        for j in matches.drain(1..) {
            sets.union(first, j);
        }
        sets.union(i, first);
    }

    // A lone word that is not a place of its own, naming the place whose name it begins:
    // `the North` after `North Korea` (whatever the tagger typed it as). Only when every such
    // place is one group (`South` stays alone beside both `South Korea` and `South Africa`).
    let mut fuller_places: HashMap<&str, Vec<usize>> = HashMap::new();
    for (j, d) in drafts.iter().enumerate() {
        if d.label == EntityLabel::Loc && d.words.len() >= 2 {
            fuller_places.entry(&d.words[0]).or_default().push(j);
        }
    }
    let mut the_one_place: HashMap<&str, Option<usize>> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        if !not_person(d) || d.words.len() != 1 || crate::gazetteer::is_listed_place(&keys[i]) {
            continue;
        }
        let place = *the_one_place.entry(&d.words[0]).or_insert_with(|| {
            let mut roots: Vec<usize> = fuller_places
                .get(d.words[0].as_str())?
                .iter()
                .map(|&j| sets.find(j))
                .collect();
            roots.dedup();
            match roots[..] {
                [root] => Some(root),
                _ => None,
            }
        });
        if let Some(root) = place {
            sets.union(i, root);
        }
    }

    // People: a shorter name whose words all appear in a fuller one (`Blinken`, `Austin`),
    // joined to the nearest fuller name before it, else after it.
    let mut person_forms: HashMap<&[String], Vec<usize>> = HashMap::new();
    for (j, d) in drafts.iter().enumerate() {
        if d.label == EntityLabel::Person {
            person_forms.entry(&d.words).or_default().push(j);
        }
    }
    let mut forms_with_word: HashMap<&str, Vec<&[String]>> = HashMap::new();
    for &form in person_forms.keys() {
        let mut words: Vec<&str> = form.iter().map(String::as_str).collect();
        words.sort_unstable();
        words.dedup();
        for w in words {
            forms_with_word.entry(w).or_default().push(form);
        }
    }
    // Per shorter form: where the fuller forms it fits are, in reading order.
    let mut fuller_at: HashMap<&[String], Vec<usize>> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        if d.label != EntityLabel::Person {
            continue;
        }
        let core: Vec<&String> = d.words.iter().filter(|w| !is_name_suffix(w)).collect();
        if core.is_empty() {
            continue;
        }
        let at = fuller_at.entry(&d.words).or_insert_with(|| {
            let rarest = core
                .iter()
                .map(|w| {
                    forms_with_word
                        .get(w.as_str())
                        .map_or(&[][..], Vec::as_slice)
                })
                .min_by_key(|forms| forms.len())
                .unwrap_or_default();
            let mut at: Vec<usize> = rarest
                .iter()
                .filter(|f| f.len() > d.words.len() && core.iter().all(|w| f.contains(w)))
                .flat_map(|f| person_forms[f].iter().copied())
                .collect();
            at.sort_unstable();
            at
        });
        // Fuller forms are longer, so `i` itself is not among them.
        let k = at.partition_point(|&j| j < i);
        let chosen = k
            .checked_sub(1)
            .or((k < at.len()).then_some(k))
            .map(|k| at[k]);
        if let Some(j) = chosen {
            sets.union(i, j);
        }
    }

    // Build groups in order of first mention.
    let mut group_of = vec![usize::MAX; n];
    let mut roots: Vec<usize> = Vec::new();
    for i in 0..n {
        let r = sets.find(i);
        if group_of[r] == usize::MAX {
            group_of[r] = roots.len();
            roots.push(r);
        }
        group_of[i] = group_of[r];
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); roots.len()];
    for i in 0..n {
        members[group_of[i]].push(i);
    }
    let mut groups = Vec::with_capacity(roots.len());
    let mut labels = vec![EntityLabel::Misc; n];
    for (g, m) in members.iter().enumerate() {
        let canon = *m
            .iter()
            .max_by_key(|&&i| {
                let d = &drafts[i];
                let caps = d
                    .words
                    .iter()
                    .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
                    .count();
                (d.words.len(), caps, d.end - d.start, std::cmp::Reverse(i))
            })
            .expect("groups are not empty");
        let label = if m.iter().any(|&i| drafts[i].label == EntityLabel::Person) {
            EntityLabel::Person
        } else if m
            .iter()
            .any(|&i| named(drafts[i].label) && crate::lexicon::PLACES.contains(&keys[i].as_str()))
        {
            EntityLabel::Loc
        } else {
            let votes = |l: EntityLabel| m.iter().filter(|&&i| drafts[i].label == l).count();
            let canon_label = drafts[canon].label;
            NAMED
                .iter()
                .copied()
                .max_by_key(|&l| (votes(l), l == canon_label))
                .filter(|_| named(canon_label))
                .unwrap_or(canon_label)
        };
        for &i in m {
            labels[i] = if named(drafts[i].label) {
                label
            } else {
                drafts[i].label
            };
        }
        let name = text
            .get(drafts[canon].start..drafts[canon].end)
            .map_or_else(|| keys[canon].clone(), str::to_string);
        groups.push(EntityGroup {
            id: g,
            label,
            slug: newsflow_proto::slug(&name),
            key: String::new(),
            name,
            mention_count: m.len(),
        });
    }
    let mentions = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| Mention {
            start: d.start,
            end: d.end,
            text: text.get(d.start..d.end).unwrap_or_default().to_string(),
            label: labels[i],
            group: group_of[i],
        })
        .collect();
    Entities { mentions, groups }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(text: &str, at: &str, label: EntityLabel) -> Draft {
        let start = text.find(at).unwrap();
        Draft {
            start,
            end: start + at.len(),
            label,
            words: at
                .replace("’s", " ’s")
                .split(' ')
                .map(str::to_string)
                .collect(),
        }
    }

    #[test]
    fn group_joins_surnames_to_full_names_and_picks_the_fullest() {
        let t = "Secretary Antony J. Blinken spoke. Blinken said so.";
        let e = group(
            t,
            vec![
                draft(t, "Antony J. Blinken", EntityLabel::Person),
                draft(t, "Blinken said", EntityLabel::Person),
            ]
            .into_iter()
            .map(|mut d| {
                if d.words.len() == 2 {
                    d.words.pop();
                    d.end = d.start + "Blinken".len();
                }
                d
            })
            .collect(),
        );
        assert_eq!(e.groups.len(), 1);
        assert_eq!(e.groups[0].name, "Antony J. Blinken");
        assert_eq!(e.groups[0].slug, "antony-j-blinken");
        assert_eq!(e.groups[0].mention_count, 2);
    }

    #[test]
    fn group_joins_acronyms_expansions_and_aliases() {
        let t = "DPRK troops. The Democratic People’s Republic of Korea and North Korea.";
        let e = group(
            t,
            vec![
                draft(t, "DPRK", EntityLabel::Org),
                draft(t, "Democratic People’s Republic of Korea", EntityLabel::Loc),
                draft(t, "North Korea", EntityLabel::Loc),
            ],
        );
        assert_eq!(e.groups.len(), 1, "{e:?}");
        assert_eq!(e.groups[0].name, "Democratic People’s Republic of Korea");
        assert!(e.mentions.iter().all(|m| m.label == EntityLabel::Loc));
    }

    #[test]
    fn group_turns_a_lone_surname_into_the_person() {
        let t = "Lloyd J. Austin III spoke. Austin said.";
        let mut a = draft(t, "Austin said", EntityLabel::Loc);
        a.words.pop();
        a.end = a.start + "Austin".len();
        let e = group(
            t,
            vec![draft(t, "Lloyd J. Austin III", EntityLabel::Person), a],
        );
        assert_eq!(e.groups.len(), 1);
        assert_eq!(e.mentions[1].label, EntityLabel::Person);
    }

    #[test]
    fn group_joins_the_north_to_north_korea_only_when_it_is_the_one_place() {
        let last = |t: &str, w: &str| {
            let start = t.rfind(w).unwrap();
            Draft {
                start,
                end: start + w.len(),
                label: EntityLabel::Loc,
                words: vec![w.to_string()],
            }
        };
        // (text, places named in full, the lone word, groups expected)
        let cases: [(&str, &[&str], &str, usize); 3] = [
            (
                "North Korea sent troops. The North denied it.",
                &["North Korea"],
                "North",
                1,
            ),
            (
                "South Korea and South Africa met. The South won.",
                &["South Korea", "South Africa"],
                "South",
                3,
            ),
            // A place of its own stays apart.
            (
                "Kansas City is in Missouri, not Kansas.",
                &["Kansas City", "Missouri"],
                "Kansas",
                3,
            ),
        ];
        for (t, places, lone, groups) in cases {
            let mut drafts: Vec<Draft> = places
                .iter()
                .map(|p| draft(t, p, EntityLabel::Loc))
                .collect();
            drafts.push(last(t, lone));
            let e = group(t, drafts);
            assert_eq!(e.groups.len(), groups, "{t}: {e:?}");
            assert_eq!(e.groups[0].name, places[0]);
        }
    }

    #[test]
    fn group_keeps_different_people_apart() {
        let t = "John Smith met Mary Jones.";
        let e = group(
            t,
            vec![
                draft(t, "John Smith", EntityLabel::Person),
                draft(t, "Mary Jones", EntityLabel::Person),
            ],
        );
        assert_eq!(e.groups.len(), 2);
    }
}
