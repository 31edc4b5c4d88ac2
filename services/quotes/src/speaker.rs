//! Turns found quotes into `Quote`s: byte spans, text, and the speaker resolved to an entity
//! group (a name inside the source, a pronoun to the nearest preceding person, a role through an
//! earlier `role Name` or `Name, the role` apposition).

use crate::doc::Doc;
use crate::find::Found;
use crate::lexicon::{hand_cue, is_function_word, is_person_pronoun, is_pronoun, is_speaker_noun};
use crate::reported;
use newsflow_proto::{Entities, EntityGroup, EntityLabel, Mention, Quote, QuoteKind, Span};

fn group(entities: &Entities, id: usize) -> Option<&EntityGroup> {
    entities
        .groups
        .get(id)
        .filter(|g| g.id == id)
        .or_else(|| entities.groups.iter().find(|g| g.id == id))
}

fn overlaps(a: Span, start: usize, end: usize) -> bool {
    a.start < end && start < a.end
}

/// The mentions in text order, for finding those near a span without reading them all (an
/// article can have tens of thousands of mentions and of quotes).
pub(crate) struct Mentions<'e> {
    by_start: Vec<&'e Mention>,
    /// The longest mention, in bytes: one overlapping `start..` begins at most this far before.
    longest: usize,
}

/// How far back a pronoun or a role looks for its person, in mentions.
const LOOK_BACK: usize = 200;

impl<'e> Mentions<'e> {
    pub(crate) fn new(entities: &'e Entities) -> Self {
        let mut by_start: Vec<&Mention> = entities.mentions.iter().collect();
        by_start.sort_by_key(|m| (m.start, m.end));
        let longest = by_start
            .iter()
            .map(|m| m.end.saturating_sub(m.start))
            .max()
            .unwrap_or(0);
        Self { by_start, longest }
    }

    /// The mentions starting in `from..to`, in text order.
    fn starting_in(&self, from: usize, to: usize) -> &[&'e Mention] {
        let a = self.by_start.partition_point(|m| m.start < from);
        let b = self.by_start.partition_point(|m| m.start < to);
        &self.by_start[a..b.max(a)]
    }

    /// The mentions overlapping `start..end`, in text order.
    fn overlapping(
        &self,
        start: usize,
        end: usize,
    ) -> impl DoubleEndedIterator<Item = &'e Mention> {
        self.starting_in(start.saturating_sub(self.longest), end)
            .iter()
            .copied()
            .filter(move |m| overlaps(Span::new(start, end), m.start, m.end))
    }

    /// The mentions ending at or before `before`, nearest first, at most [`LOOK_BACK`].
    fn before(&self, before: usize) -> impl Iterator<Item = &'e Mention> {
        self.starting_in(0, before)
            .iter()
            .rev()
            .copied()
            .filter(move |m| m.end <= before)
            .take(LOOK_BACK)
    }
}

/// Whether mention `m` only modifies the head of `source` (`the Biden administration`, `Trump
/// aides`, `Clinton's lawyers`): the source goes on after it with lower-case words, none of them
/// a function word or a verb (a source the tagger ran on into `cited examples` is not a role).
/// The speaker is then the phrase, not the name.
fn modifies(text: &str, m: &Mention, source: Span) -> bool {
    let Some(rest) = text.get(m.end.min(source.end)..source.end) else {
        return false;
    };
    let rest = rest
        .strip_prefix("'s")
        .or_else(|| rest.strip_prefix("\u{2019}s"))
        .unwrap_or(rest);
    let Some(rest) = rest.strip_prefix(' ') else {
        return false;
    };
    let mut words = rest
        .split_whitespace()
        .map(|w| w.trim_end_matches(|c: char| !c.is_alphanumeric()))
        .peekable();
    words.peek().is_some()
        && words.all(|word| {
            let lower = word.to_lowercase();
            word.starts_with(|c: char| c.is_lowercase())
                && !is_function_word(&lower)
                && !lower.ends_with("self")
                && !lower.ends_with("selves")
                && ((!lower.ends_with("ed") && !hand_cue(&lower))
                    || is_speaker_noun(&lower)
                    || names_people(&lower))
        })
}

/// The mention that names the speaker inside `source`: the last person, else the last
/// organisation, else a place or group that is the whole source; never a name that only
/// modifies the source's head ([`modifies`]).
fn named_in(mentions: &Mentions, text: &str, source: Span) -> Option<usize> {
    let inside: Vec<&Mention> = mentions
        .overlapping(source.start, source.end)
        .filter(|m| !modifies(text, m, source))
        .collect();
    if let Some(m) = inside.iter().rev().find(|m| m.label == EntityLabel::Person) {
        return Some(m.group);
    }
    if let Some(m) = inside.iter().rev().find(|m| m.label == EntityLabel::Org) {
        return Some(m.group);
    }
    let bare = source
        .get(text)?
        .trim_start_matches("the ")
        .trim_start_matches("The ");
    inside
        .iter()
        .find(|m| {
            matches!(
                m.label,
                EntityLabel::Loc | EntityLabel::Misc | EntityLabel::Norp
            ) && m.text == bare
        })
        .map(|m| m.group)
}

/// For a relative pronoun source (`Trump, who says …`), the name just before the comma.
fn apposed(mentions: &Mentions, text: &str, source: Span) -> Option<usize> {
    let before = text.get(..source.start)?.trim_end();
    let before = before.strip_suffix(',')?.trim_end();
    let end = before.len();
    mentions
        .overlapping(end.saturating_sub(1), end)
        .find(|m| m.end == end && matches!(m.label, EntityLabel::Person | EntityLabel::Org))
        .map(|m| m.group)
}

/// Spans sorted by start with the furthest end so far, to ask whether any overlaps a range.
struct Covered {
    starts: Vec<usize>,
    furthest_end: Vec<usize>,
}

impl Covered {
    fn new(mut spans: Vec<Span>) -> Self {
        spans.sort_by_key(|s| s.start);
        let mut furthest = 0;
        let furthest_end = spans
            .iter()
            .map(|s| {
                furthest = furthest.max(s.end);
                furthest
            })
            .collect();
        Self {
            starts: spans.iter().map(|s| s.start).collect(),
            furthest_end,
        }
    }

    /// Whether a span overlaps `start..end`.
    fn any_overlap(&self, start: usize, end: usize) -> bool {
        let k = self.starts.partition_point(|&s| s < end);
        k > 0 && self.furthest_end[k - 1] > start
    }
}

/// The nearest person mentioned before `before`, outside direct quotes.
fn previous_person(mentions: &Mentions, before: usize, quoted: &Covered) -> Option<usize> {
    mentions
        .before(before)
        .filter(|m| m.label == EntityLabel::Person)
        .find(|m| !quoted.any_overlap(m.start, m.end))
        .map(|m| m.group)
}

/// A role (`the foreign minister`) resolved through an earlier apposition with a person.
fn role_holder(mentions: &Mentions, text: &str, source: Span) -> Option<usize> {
    let src = source.get(text)?;
    let head = src
        .split_whitespace()
        .last()?
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    if head.len() < 3 || head.ends_with('s') || head.chars().next().is_some_and(char::is_uppercase)
    {
        return None;
    }
    let near = |s: &str| {
        s.split(|c: char| !c.is_alphanumeric())
            .any(|w| w.eq_ignore_ascii_case(&head))
    };
    mentions
        .before(source.start)
        .filter(|m| m.label == EntityLabel::Person)
        .find(|m| {
            let before = text.get(m.start.saturating_sub(40)..m.start).unwrap_or("");
            let before = before.rsplit(['.', ',', '\n']).next().unwrap_or("");
            let after = text.get(m.end..(m.end + 60).min(text.len())).unwrap_or("");
            let after = after
                .strip_prefix(", ")
                .map(|a| a.split([',', '.', '\n']).next().unwrap_or(""));
            near(before) || after.is_some_and(near)
        })
        .map(|m| m.group)
}

fn byte_span(doc: &Doc, (a, b): (usize, usize)) -> Span {
    Span::new(doc.toks[a].start, doc.toks[b - 1].end)
}

pub(crate) fn resolve(doc: &Doc, found: &[Found], entities: &Entities) -> Vec<Quote> {
    let text = doc.text;
    let quoted = Covered::new(
        found
            .iter()
            .filter(|f| f.kind == QuoteKind::Direct)
            .flat_map(|f| f.content.iter().map(|&r| byte_span(doc, r)))
            .collect(),
    );
    let mentions = Mentions::new(entities);
    let dates = reported::Dates::new(entities);
    let mut out: Vec<Quote> = Vec::with_capacity(found.len());
    for f in found {
        let content: Vec<Span> = f
            .content
            .iter()
            .filter(|r| r.1 > r.0)
            .map(|&r| without_trailing_comma(text, byte_span(doc, r)))
            .collect();
        let content = dates.dropped_from(text, content);
        let text_joined = content
            .iter()
            .filter_map(|s| s.get(text))
            .collect::<Vec<_>>()
            .join(" ");
        let source = f.source.filter(|r| r.1 > r.0).map(|r| byte_span(doc, r));
        let cue = f.cue.filter(|r| r.1 > r.0).map(|r| byte_span(doc, r));
        let anchor = content
            .first()
            .map_or(0, |s| s.start)
            .min(source.map_or(usize::MAX, |s| s.start));
        let (speaker_entity, speaker) = match (f.continues.and_then(|i| out.get(i)), source) {
            (Some(prev), None) => (prev.speaker_entity, prev.speaker.clone()),
            (_, Some(src)) => {
                let src_text = src.get(text).unwrap_or("");
                let lower = src_text.to_lowercase();
                let id = named_in(&mentions, text, src)
                    .or_else(|| {
                        if matches!(lower.as_str(), "who" | "which") {
                            apposed(&mentions, text, src)
                        } else {
                            None
                        }
                    })
                    .or_else(|| {
                        if is_person_pronoun(&lower) {
                            previous_person(&mentions, anchor, &quoted)
                        } else {
                            None
                        }
                    })
                    .or_else(|| role_holder(&mentions, text, src));
                let id = id.filter(|&i| group(entities, i).is_some());
                let name = id.and_then(|i| group(entities, i)).map(|g| g.name.clone());
                // A name that modifies the source's head makes it a role or a group.
                let of_a_name = mentions
                    .overlapping(src.start, src.end)
                    .any(|m| modifies(text, m, src));
                (id, name.or_else(|| speaker_phrase(src_text, of_a_name)))
            }
            (None, None) => (None, None),
        };
        out.push(Quote {
            kind: f.kind,
            content,
            text: text_joined,
            source,
            cue,
            speaker_entity,
            speaker,
            confidence: f.confidence,
        });
    }
    out
}

/// The source's own words as the speaker when no entity names one: a role or group (`the
/// foreign minister`, `U.S. officials`, any head a name modifies when `of_a_name`: `Obama's
/// former campaign strategist`) or a name the tagger missed (`Wikinews`). Never an unresolved
/// pronoun, a lone function word, a number or a fragment cut at a comma: such a quote has no
/// speaker (subscribers find it under `unattributed`, its source text beside it), since a wrong
/// speaker on a speaker's subject is worse than none.
fn speaker_phrase(source: &str, of_a_name: bool) -> Option<String> {
    let phrase = source.trim();
    let last = phrase.split_whitespace().last()?;
    let abbreviation = last.len() > 1 && last.chars().all(|c| c.is_ascii_uppercase() || c == '.');
    if !phrase.ends_with(char::is_alphanumeric) && !abbreviation {
        return None;
    }
    if phrase.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // `Malaysia's` is the start of a phrase the source was cut from.
    if last.ends_with("'s") || last.ends_with('\u{2019}') || last.ends_with("\u{2019}s") {
        return None;
    }
    let word = last.trim_matches(|c: char| !c.is_alphanumeric());
    let head = word.to_lowercase();
    // `WHO` is the World Health Organization, `who` a pronoun.
    let acronym = word.len() > 1 && word.chars().all(|c| c.is_ascii_uppercase());
    let unresolved = |w: &str| {
        is_pronoun(w) || is_person_pronoun(w) || matches!(w, "who" | "which" | "them" | "us" | "me")
    };
    if head.is_empty() || (!acronym && (unresolved(&head) || is_function_word(&head))) {
        return None;
    }
    let named = word.starts_with(char::is_uppercase);
    (is_speaker_noun(&head) || names_people(&head) || named || of_a_name).then(|| phrase.to_owned())
}

/// Nouns for people and the bodies they speak through, beyond the speech-cue lexicon's:
/// `the parents`, `an Australian woman`, `the M5S party`.
fn names_people(lower: &str) -> bool {
    matches!(
        lower,
        "person"
            | "persons"
            | "individual"
            | "individuals"
            | "man"
            | "men"
            | "woman"
            | "women"
            | "child"
            | "children"
            | "parent"
            | "parents"
            | "mother"
            | "father"
            | "son"
            | "daughter"
            | "wife"
            | "husband"
            | "brother"
            | "sister"
            | "family"
            | "families"
            | "friend"
            | "friends"
            | "neighbour"
            | "neighbours"
            | "neighbor"
            | "neighbors"
            | "student"
            | "students"
            | "teacher"
            | "teachers"
            | "doctor"
            | "doctors"
            | "nurse"
            | "nurses"
            | "patient"
            | "patients"
            | "worker"
            | "workers"
            | "employee"
            | "employees"
            | "staff"
            | "user"
            | "users"
            | "fan"
            | "fans"
            | "vendor"
            | "vendors"
            | "poster"
            | "posters"
            | "activist"
            | "activists"
            | "protester"
            | "protesters"
            | "journalist"
            | "journalists"
            | "reporter"
            | "reporters"
            | "lawyer"
            | "lawyers"
            | "judge"
            | "judges"
            | "citizen"
            | "citizens"
            | "villager"
            | "villagers"
            | "farmer"
            | "farmers"
            | "soldier"
            | "soldiers"
            | "troops"
            | "commander"
            | "general"
            | "coach"
            | "player"
            | "players"
            | "manager"
            | "owner"
            | "owners"
            | "founder"
            | "chief"
            | "professor"
            | "historian"
            | "author"
            | "writer"
            | "artist"
            | "organiser"
            | "organisers"
            | "organizer"
            | "organizers"
            | "representative"
            | "representatives"
            | "victim"
            | "victims"
            | "survivor"
            | "survivors"
            | "passenger"
            | "passengers"
            | "driver"
            | "drivers"
            | "pilot"
            | "engineer"
            | "engineers"
            | "party"
            | "group"
            | "groups"
            | "team"
            | "company"
            | "firm"
            | "city"
            | "council"
            | "court"
            | "ministry"
            | "agency"
            | "department"
            | "union"
            | "board"
            | "organisation"
            | "organization"
            | "army"
            | "military"
            | "navy"
            | "embassy"
            | "club"
    )
}

/// A quote's content ends at its last word or full stop: the comma that hands over to the
/// attribution (`“We need …,” he said`) belongs to the sentence, not to what was said.
fn without_trailing_comma(text: &str, span: Span) -> Span {
    let Some(content) = span.get(text) else {
        return span;
    };
    let kept = content.trim_end_matches([',', ';', ':', ' ', '\u{a0}']);
    if kept.is_empty() {
        span
    } else {
        Span::new(span.start, span.start + kept.len())
    }
}
