//! `entities`: finds the named entities and values in an article and groups the mentions of
//! each entity. Consumes `newsflow.articles.segmented` ([`ArticleSegmented`]), publishes
//! `newsflow.articles.entities` ([`ArticleEntities`]) through the runtime ([`entities`] is the
//! stage function, [`recognise`] the text work).
//!
//! - PERSON, ORG, LOC and MISC come from a statistical tagger ([`Model`]): a greedy averaged
//!   perceptron over BILOU tags ([`tags`]) with hashed features (words, shapes, affixes,
//!   context, word clusters from news text, word classes from pretrained GloVe vectors, the
//!   types that each word's nearest labelled words in GloVe were tagged with, gazetteers from
//!   the training entities and from public name lists (`lexicon/SOURCES.md`), document-level
//!   evidence and the tags already given to the same word in the article); eight taggers
//!   trained on different shuffles, most of them each without some feature families (feature
//!   bagging), are averaged into one table, so tagging costs one. Trained in pure Rust on
//!   CoNLL-2003 and embedded in the binary (`model/ner.bin`, reproduced byte for byte by
//!   `newsflow train ner --train ../shared/data/conll2003/eng.train --dev
//!   ../shared/data/conll2003/eng.testa`). (A second tagger reading the first one's tags across
//!   the article, `train::Options::stages` = 2, scores higher on eng.testa but halves the
//!   speed, below fifty times spaCy's.)
//! - DATE, TIME, MONEY, PERCENT, CARDINAL, QUANTITY and NORP come from precise rules and word
//!   lists (`rules`, `lexicon`); a few general rules tidy the tagger's spans (titles,
//!   initials, name suffixes, possessives).
//! - Mentions of one entity are grouped: surnames with full names, acronyms with their
//!   expansions, and aliases; each group has a canonical name (the fullest form), a slug and a
//!   mention count.
//! - Each named group gets a key across articles ([`keys`]): what the articles before it called
//!   the same entity, read from a [`keys::Directory`] ([`entities_keyed`]; the runtime keeps one
//!   in the bucket `NEWSFLOW_ENTITY_KEYS`).
//!
//! Pure: no I/O, no clock (the directory is given, and what the article teaches it returned). Failure: never fails on valid input; tokens whose offsets do not
//! index the text are skipped, never a panic. The stage table (newsflow-pipeline) wires
//! [`entities`] into the runtime; it runs as `newsflow run entities`.
//!
//! Inside, dependencies go one way: the tag encoding (`tags`), word hashes (`words`) and word
//! lists (`lexicon`) under the tables the model reads (`gazetteer`, `clusters`,
//! `word_classes`), those under the tagger (`tagger`), the tagger, `rules` and `group` under
//! the stage (this file). The code that learns the tables and the weights is the `train`
//! module, behind the cargo feature `train` (off by default; only newsflow-lab turns it on); it
//! depends on the tables and the tagger, never the reverse. Measuring (`newsflow eval ner`,
//! `bench ner`), the CoNLL-2003 reader and the drivers of `newsflow train ner|word-classes`
//! live in the lab crate (`lab/src/ner/`, newsflow-lab), which reads the model through
//! [`Model`] and [`tags`].

#![warn(missing_docs)]

mod clusters;
mod gazetteer;
mod group;
pub mod keys;
mod lexicon;
mod rules;
mod tagger;
pub mod tags;
#[cfg(feature = "train")]
pub mod train;
mod word_classes;
mod words;

pub use tagger::{Model, ModelError};

use group::Draft;
use newsflow_proto::{ArticleEntities, ArticleSegmented, Entities, EntityLabel, Segmentation};

/// The tagger's four types as proto labels, in tag order.
const TAGGER_LABELS: [EntityLabel; 4] = [
    EntityLabel::Person,
    EntityLabel::Org,
    EntityLabel::Loc,
    EntityLabel::Misc,
];

/// Place names too often something else to add when the tagger did not find them.
const AMBIGUOUS_PLACES: &[&str] = &[
    "Georgia",
    "Jordan",
    "Chad",
    "Niger",
    "Washington",
    "Turkey",
    "Gulf",
];

/// The stage on one article alone: the article with its entities, keyed by the article and
/// the shipped aliases only. The tokens stop here: no later stage reads them, and they were
/// most of what the next hops would carry.
pub fn entities(msg: ArticleSegmented) -> ArticleEntities {
    entities_keyed(msg, &std::collections::HashMap::new()).0
}

/// The stage with keys across articles: the article with its entities, each group keyed by what
/// `directory` knows of the articles before it, and the entries it teaches the directory
/// ([`keys`]).
pub fn entities_keyed(
    msg: ArticleSegmented,
    directory: &dyn keys::Directory,
) -> (ArticleEntities, Vec<(String, String)>) {
    let mut found = entities_unkeyed(msg);
    let learned = keys::assign(&mut found.entities, directory);
    (found, learned)
}

fn entities_unkeyed(mut msg: ArticleSegmented) -> ArticleEntities {
    let mut skipped = Vec::new();
    let entities = match msg.article.not_english() {
        // Trained on English news: on another language it finds noise.
        Some(why) => {
            skipped.push(format!("entities: {why}; the tagger reads English only"));
            Entities::default()
        }
        None => recognise(&msg.article.text, &msg.segmentation),
    };
    msg.segmentation.tokens = Vec::new();
    ArticleEntities {
        article: msg.article,
        segmentation: msg.segmentation,
        entities,
        skipped,
    }
}

/// Finds entity mentions in `text` using its segmentation, and groups them. Pure; never panics.
pub fn recognise(text: &str, segmentation: &Segmentation) -> Entities {
    let sents = sentences(text, segmentation);
    let words: Vec<Vec<&str>> = sents
        .iter()
        .map(|s| s.iter().map(|&(a, b)| &text[a..b]).collect())
        .collect();
    let found = Model::shipped().entities(&words);
    // Acronyms the tagger found (`DPRK`), with its type, to find their expansions.
    let mut acronyms: Vec<(String, u8)> = Vec::new();
    for (ws, spans) in words.iter().zip(&found) {
        for &(a, b, ty) in spans {
            if b == a + 1 && is_acronym(ws[a]) && !acronyms.iter().any(|x| x.0 == ws[a]) {
                acronyms.push((ws[a].to_string(), ty));
            }
        }
    }
    let mut drafts = Vec::new();
    for ((toks, ws), spans) in sents.iter().zip(&words).zip(found) {
        let draft = |a: usize, b: usize, label| Draft {
            start: toks[a].0,
            end: toks[b - 1].1,
            label,
            words: ws[a..b].iter().map(|w| w.to_string()).collect(),
        };
        let mut taken = vec![false; ws.len()];
        let mut mine: Vec<(usize, usize, Draft)> = Vec::new();
        let mut spans = spans;
        expand_acronyms(ws, &mut spans, &acronyms);
        merge_initials(ws, &mut spans);
        for (a, b, ty) in spans {
            let Some((a, b, label)) = refine(ws, a, b, TAGGER_LABELS[ty as usize]) else {
                continue;
            };
            taken[a..b].iter_mut().for_each(|t| *t = true);
            mine.push((a, b, draft(a, b, label)));
        }
        // Nationalities: relabel the tagger's matching span, or add where it found nothing.
        for r in rules::norp(ws) {
            if let Some(m) = mine.iter_mut().find(|m| m.0 == r.start && m.1 == r.end) {
                if matches!(m.2.label, EntityLabel::Misc | EntityLabel::Loc) {
                    m.2.label = EntityLabel::Norp;
                }
            } else if !taken[r.start..r.end].iter().any(|&t| t) {
                taken[r.start..r.end].iter_mut().for_each(|t| *t = true);
                mine.push((r.start, r.end, draft(r.start, r.end, EntityLabel::Norp)));
            }
        }
        // Well-known places the tagger missed.
        for (a, b) in place_matches(ws) {
            if !taken[a..b].iter().any(|&t| t) {
                taken[a..b].iter_mut().for_each(|t| *t = true);
                mine.push((a, b, draft(a, b, EntityLabel::Loc)));
            }
        }
        for r in rules::values(ws) {
            if !taken[r.start..r.end].iter().any(|&t| t) {
                mine.push((r.start, r.end, draft(r.start, r.end, r.label)));
            }
        }
        drafts.extend(mine.into_iter().map(|m| m.2));
    }
    // `American-made`: the nationality inside a hyphenated word.
    for d in &mut drafts {
        if d.label == EntityLabel::Misc
            && d.words.len() == 1
            && let Some((head, tail)) = d.words[0].split_once('-')
            && tail.starts_with(char::is_lowercase)
            && lexicon::NATIONALITIES.iter().any(|(n, _)| *n == head)
        {
            d.end = d.start + head.len();
            d.words[0] = head.to_string();
            d.label = EntityLabel::Norp;
        }
    }
    group::group(text, drafts)
}

/// Token byte spans per sentence, dropping tokens that do not index `text`.
fn sentences(text: &str, seg: &Segmentation) -> Vec<Vec<(usize, usize)>> {
    let valid = |t: &newsflow_proto::Token| t.start < t.end && text.get(t.start..t.end).is_some();
    let mut out: Vec<Vec<(usize, usize)>> = Vec::new();
    if seg.sentences.is_empty() {
        out.push(
            seg.tokens
                .iter()
                .filter(|t| valid(t))
                .map(|t| (t.start, t.end))
                .collect(),
        );
    } else {
        for s in &seg.sentences {
            let end = s
                .first_token
                .saturating_add(s.token_count)
                .min(seg.tokens.len());
            let toks = seg
                .tokens
                .get(s.first_token.min(end)..end)
                .unwrap_or_default();
            out.push(
                toks.iter()
                    .filter(|t| valid(t))
                    .map(|t| (t.start, t.end))
                    .collect(),
            );
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Whether a token is an acronym in the plural: capitals, then `s` (`UAVs`).
fn is_plural_acronym(w: &str) -> bool {
    w.strip_suffix('s').is_some_and(is_acronym)
}

/// Whether a token looks like an acronym: 2 to 6 capital ASCII letters.
fn is_acronym(w: &str) -> bool {
    (2..=6).contains(&w.len()) && w.bytes().all(|c| c.is_ascii_uppercase())
}

/// Words an expansion may contain without a letter in the acronym.
const CONNECTORS: &[&str] = &[
    "of",
    "the",
    "and",
    "for",
    "on",
    "in",
    "&",
    "'s",
    "\u{2019}s",
    "de",
];

/// Where the article spells out an acronym it uses (`Democratic People’s Republic of Korea`
/// for `DPRK`), makes the expansion one span of the acronym's type, replacing the pieces the
/// tagger may have cut it into.
fn expand_acronyms(ws: &[&str], spans: &mut Vec<(usize, usize, u8)>, acronyms: &[(String, u8)]) {
    // Two letters match too much by chance (`US` … `Under Secretary`).
    for (acr, ty) in acronyms.iter().filter(|a| a.0.len() >= 3) {
        let letters: Vec<char> = acr.chars().collect();
        let mut i = 0;
        while i < ws.len() {
            let mut k = 0;
            let mut j = i;
            while j < ws.len() && k < letters.len() {
                let w = ws[j];
                if w.starts_with(letters[k]) && w.starts_with(char::is_uppercase) && w != acr {
                    k += 1;
                } else if k == 0 || !CONNECTORS.contains(&w) {
                    break;
                }
                j += 1;
            }
            if k == letters.len() && j - i >= 2 {
                spans.retain(|&(a, b, _)| b <= i || a >= j);
                spans.push((i, j, *ty));
                spans.sort_unstable();
                i = j;
            } else {
                i += 1;
            }
        }
    }
}

/// Whether a token is an initial: one capital letter and a period (`J.`).
fn is_initial(w: &str) -> bool {
    let mut c = w.chars();
    matches!((c.next(), c.next(), c.next()), (Some(l), Some('.'), None) if l.is_uppercase())
}

/// Joins a person's first names and middle initials to the person (`Lloyd` `J.` + `Austin`
/// → `Lloyd J. Austin`), taking them from whatever span the tagger put them in; what is left
/// of that span is kept unless only titles remain.
fn merge_initials(ws: &[&str], spans: &mut Vec<(usize, usize, u8)>) {
    use tags::PER;
    spans.sort_unstable();
    let mut i = 0;
    while i < spans.len() {
        let (a, _, ty) = spans[i];
        if ty != PER {
            i += 1;
            continue;
        }
        let mut k = a;
        let mut saw_initial = is_initial(ws[a]);
        while k > 0 {
            let w = ws[k - 1];
            if is_initial(w) {
                saw_initial = true;
            } else if !(saw_initial
                && w.starts_with(char::is_uppercase)
                && w.chars().any(char::is_lowercase)
                && !lexicon::TITLES.contains(&w))
            {
                break;
            }
            k -= 1;
        }
        if !saw_initial || k == a {
            i += 1;
            continue;
        }
        spans[i].0 = k;
        let mut j = 0;
        while j < spans.len() {
            let (c, d, _) = spans[j];
            if j != i && c < a && d > k {
                if c < k && !ws[c..k].iter().all(|w| lexicon::TITLES.contains(w)) {
                    spans[j].1 = k;
                } else {
                    spans.remove(j);
                    if j < i {
                        i -= 1;
                    }
                    continue;
                }
            }
            j += 1;
        }
        i += 1;
    }
}

/// Tidies one tagger span (the tagger has trimmed lower-case words from its end already, see
/// [`tagger::trim_names`]): a possessive followed by lower-case words ends it (`North’s`
/// `support for Russia`); name suffixes after a person join it (`Lloyd J. Austin` `III`), and
/// leading titles are dropped, which makes a person of `State Antony J. Blinken`. A name just
/// before `administration` is the person who leads it (`the Biden administration`; eng.train
/// tags `Clinton administration` so, four times out of four). An acronym in the plural
/// (`UAVs`, `MPs`) names a kind of thing, not an entity, and is dropped (eng.train tags `MPs`,
/// `GDRs` and `SBPUs` as no entity).
fn refine(
    ws: &[&str],
    a: usize,
    mut b: usize,
    mut label: EntityLabel,
) -> Option<(usize, usize, EntityLabel)> {
    if b == a + 1 && is_plural_acronym(ws[a]) {
        return None;
    }
    if label != EntityLabel::Person
        && ws.get(b) == Some(&"administration")
        && (a + 1..=a + 2).contains(&b)
        && ws[a..b]
            .iter()
            .all(|w| w.starts_with(char::is_uppercase) && !lexicon::is_org_word(w))
        && !lexicon::NATIONALITIES.iter().any(|(n, _)| *n == ws[a])
    {
        label = EntityLabel::Person;
    }
    if let Some(k) = (a + 1..b).find(|&k| {
        matches!(ws[k], "'s" | "’s")
            && ws
                .get(k + 1)
                .is_some_and(|w| w.starts_with(char::is_lowercase))
    }) {
        b = k;
    }
    let mut a2 = a;
    while a2 + 1 < b && lexicon::TITLES.contains(&ws[a2]) {
        a2 += 1;
    }
    if a2 > a {
        let rest = &ws[a2..b];
        let namey = rest.iter().all(|w| w.starts_with(char::is_uppercase))
            && !rest.iter().any(|w| lexicon::is_org_word(w));
        if label == EntityLabel::Person || (namey && (2..=4).contains(&rest.len())) {
            label = EntityLabel::Person;
        } else {
            a2 = a;
        }
    }
    if label == EntityLabel::Person {
        while b < ws.len() && matches!(ws[b], "Jr." | "Sr." | "II" | "III" | "IV") {
            b += 1;
        }
    }
    (a2 < b).then_some((a2, b, label))
}

/// Token spans of lexicon places (longest first) in one sentence.
fn place_matches(ws: &[&str]) -> Vec<(usize, usize)> {
    static INDEX: std::sync::OnceLock<lexicon::PhraseIndex> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        lexicon::PhraseIndex::new(
            lexicon::PLACES
                .iter()
                .copied()
                .filter(|p| !AMBIGUOUS_PLACES.contains(p)),
        )
    });
    let mut out = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        let best = index.longest(&ws[i..]);
        if best > 0 {
            out.push((i, i + best));
            i += best;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use newsflow_proto::{Sentence, Span, Token};

    const ABBREVIATIONS: &[&str] = &[
        "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Jan.", "Feb.", "Aug.", "Sept.", "Oct.", "Nov.",
        "Dec.", "a.m.", "p.m.", "Jr.", "Gen.", "Sen.", "Rep.",
    ];

    /// A small stand-in for the segmenter: punctuation split off, `’s` and `n't` split, periods
    /// kept on abbreviations and initials, numbers like `8,000` whole; a sentence ends at `.`,
    /// `?` or `!` (and a closing quote after it) and at every line break.
    pub(crate) fn segment(text: &str) -> Segmentation {
        let mut tokens = Vec::new();
        let mut sentences = Vec::new();
        let mut first = 0;
        let mut end_sentence = |tokens: &Vec<Token>, first: &mut usize, para: usize| {
            if tokens.len() > *first {
                sentences.push(Sentence {
                    start: tokens[*first].start,
                    end: tokens[tokens.len() - 1].end,
                    paragraph: para,
                    first_token: *first,
                    token_count: tokens.len() - *first,
                });
                *first = tokens.len();
            }
        };
        for (para, line) in text.split_inclusive('\n').enumerate() {
            for (ws, w) in line
                .split_whitespace()
                .map(|w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
            {
                let mut s = ws;
                let mut e = ws + w.len();
                let mut pieces = Vec::new();
                let lead = ['“', '"', '(', '‘', '['];
                while let Some(c) = text[s..e].chars().next().filter(|c| lead.contains(c)) {
                    pieces.push((s, s + c.len_utf8()));
                    s += c.len_utf8();
                }
                let mut tail = Vec::new();
                loop {
                    let word = &text[s..e];
                    let Some(c) = word.chars().last() else { break };
                    let keep_period = c == '.'
                        && (ABBREVIATIONS.contains(&word)
                            || word.len() == 2 && word.starts_with(char::is_uppercase)
                            || word[..word.len() - 1].contains('.'));
                    if e > s + c.len_utf8() && ",.;:!?”\")’]—".contains(c) && !keep_period {
                        tail.push((e - c.len_utf8(), e));
                        e -= c.len_utf8();
                    } else {
                        break;
                    }
                }
                let word = &text[s..e];
                for suffix in ["’s", "'s", "n't", "n’t"] {
                    if word.len() > suffix.len() && word.ends_with(suffix) {
                        tail.push((e - suffix.len(), e));
                        e -= suffix.len();
                        break;
                    }
                }
                if e > s {
                    // Split an em dash inside a word.
                    let word = &text[s..e];
                    match word.find('—') {
                        Some(k) if k > 0 => {
                            pieces.push((s, s + k));
                            pieces.push((s + k, s + k + '—'.len_utf8()));
                            if s + k + 3 < e {
                                pieces.push((s + k + 3, e));
                            }
                        }
                        _ => pieces.push((s, e)),
                    }
                }
                pieces.extend(tail.into_iter().rev());
                for (a, b) in pieces {
                    tokens.push(Token { start: a, end: b });
                    let t = &text[a..b];
                    if matches!(t, "." | "?" | "!") {
                        end_sentence(&tokens, &mut first, para);
                    }
                }
            }
            end_sentence(&tokens, &mut first, para);
        }
        Segmentation {
            paragraphs: vec![Span::new(0, text.len())],
            sentences,
            tokens,
        }
    }

    fn find(e: &Entities, text: &str) -> Option<EntityLabel> {
        e.mentions.iter().find(|m| m.text == text).map(|m| m.label)
    }

    #[test]
    fn recognise_finds_people_places_and_values_in_a_news_paragraph() {
        let text = "Secretary of State Antony J. Blinken met Japanese officials in Tokyo on Tuesday, \
                    the State Department said Oct. 31. About 5,000 troops took part. \
                    “We are ready,” Blinken said.";
        let e = recognise(text, &segment(text));
        assert_eq!(
            find(&e, "Antony J. Blinken"),
            Some(EntityLabel::Person),
            "{e:#?}"
        );
        assert_eq!(find(&e, "Tokyo"), Some(EntityLabel::Loc));
        assert_eq!(find(&e, "Japanese"), Some(EntityLabel::Norp));
        assert_eq!(find(&e, "Tuesday"), Some(EntityLabel::Date));
        assert_eq!(find(&e, "Oct. 31"), Some(EntityLabel::Date));
        assert_eq!(find(&e, "5,000"), Some(EntityLabel::Cardinal));
        let blinken = e
            .mentions
            .iter()
            .filter(|m| m.text.contains("Blinken"))
            .collect::<Vec<_>>();
        assert_eq!(blinken.len(), 2);
        assert_eq!(blinken[0].group, blinken[1].group);
        assert_eq!(e.groups[blinken[0].group].name, "Antony J. Blinken");
        assert_eq!(e.groups[blinken[0].group].mention_count, 2);
    }

    #[test]
    fn refine_drops_plural_acronyms_and_makes_a_person_of_an_administration() {
        let ws = ["training", "in", "artillery", ",", "UAVs", "and", "drones"];
        assert_eq!(refine(&ws, 4, 5, EntityLabel::Loc), None);
        assert_eq!(
            refine(&["NATO", "said"], 0, 1, EntityLabel::Org),
            Some((0, 1, EntityLabel::Org))
        );
        let ws = ["the", "Biden", "administration", "said"];
        assert_eq!(
            refine(&ws, 1, 2, EntityLabel::Org),
            Some((1, 2, EntityLabel::Person))
        );
        let ws = ["the", "American", "administration"];
        assert_eq!(
            refine(&ws, 1, 2, EntityLabel::Misc),
            Some((1, 2, EntityLabel::Misc))
        );
    }

    #[test]
    fn expand_acronyms_joins_the_pieces_of_a_spelled_out_name() {
        let ws = [
            "the",
            "Democratic",
            "People",
            "’s",
            "Republic",
            "of",
            "Korea",
            "said",
        ];
        let mut spans = vec![(1, 2, 3), (4, 5, 3), (6, 7, 2)];
        expand_acronyms(&ws, &mut spans, &[("DPRK".to_string(), 2)]);
        assert_eq!(spans, vec![(1, 7, 2)]);
    }

    #[test]
    fn merge_initials_takes_first_names_from_a_title_span() {
        let ws = [
            "Secretary",
            "of",
            "State",
            "Antony",
            "J.",
            "Blinken",
            "spoke",
        ];
        let mut spans = vec![(2, 4, 1), (5, 6, 0)];
        merge_initials(&ws, &mut spans);
        assert_eq!(spans, vec![(3, 6, 0)]);
    }

    #[test]
    fn recognise_offsets_index_non_ascii_text() {
        let text = "Über alles: François Hollande visited Paris — and Zürich.";
        let e = recognise(text, &segment(text));
        for m in &e.mentions {
            assert_eq!(&text[m.start..m.end], m.text);
        }
        assert!(
            e.groups
                .iter()
                .all(|g| !g.slug.is_empty() && g.slug.is_ascii())
        );
    }

    #[test]
    fn recognise_survives_broken_segmentations() {
        let text = "Short text.";
        let seg = Segmentation {
            paragraphs: vec![],
            sentences: vec![Sentence {
                start: 0,
                end: 99,
                paragraph: 0,
                first_token: 3,
                token_count: 50,
            }],
            tokens: vec![
                Token { start: 0, end: 5 },
                Token { start: 4, end: 400 },
                Token { start: 1, end: 2 },
            ],
        };
        let _ = recognise(text, &seg);
        let _ = recognise("", &Segmentation::default());
        let _ = recognise(
            "é",
            &Segmentation {
                tokens: vec![Token { start: 0, end: 1 }],
                ..Default::default()
            },
        );
    }

    #[test]
    fn recognise_never_panics_on_odd_text_and_tokens() {
        let pieces = [
            "U.S.",
            "Mr.",
            "J.",
            "III",
            "$",
            "5",
            "million",
            "%",
            "’s",
            "DPRK",
            "of",
            "the",
            "Korea",
            "—",
            "Oct.",
            "31",
            ",",
            "some",
            "10,000",
            "per",
            "day",
            "é",
            "北京",
            "",
            "May",
            "\n",
            "American-made",
            "AB",
            "ABC",
            "Secretary",
            "State",
            "1996-08-22",
            "3:30",
            "p.m.",
        ];
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        for _ in 0..300 {
            let words: Vec<&str> = (0..next(40)).map(|_| pieces[next(pieces.len())]).collect();
            let text = words.join(if next(2) == 0 { " " } else { "  " });
            let e = recognise(&text, &segment(&text));
            for m in &e.mentions {
                assert_eq!(&text[m.start..m.end], m.text);
                assert!(m.group < e.groups.len());
            }
            assert!(e.groups.iter().all(|g| !g.slug.is_empty()));
        }
    }

    #[test]
    fn recognise_handles_the_reference_article_when_present() {
        let Ok(text) = std::fs::read_to_string("../../../shared/samples/kursk-troops.txt") else {
            return;
        };
        let e = recognise(&text, &segment(&text));
        let group_of = |name: &str| {
            e.mentions
                .iter()
                .find(|m| m.text == name)
                .map(|m| (&e.groups[m.group].name, m.label))
        };
        for (name, canon, label) in [
            ("Blinken", "Antony J. Blinken", EntityLabel::Person),
            ("Austin", "Lloyd J. Austin III", EntityLabel::Person),
            ("Cho Tae-yul", "Cho Tae-yul", EntityLabel::Person),
            ("Vladimir Putin", "Vladimir Putin", EntityLabel::Person),
            (
                "Volodymyr Zelenskyy",
                "Volodymyr Zelenskyy",
                EntityLabel::Person,
            ),
            ("Kursk", "Kursk", EntityLabel::Loc),
            ("Pyongyang", "Pyongyang", EntityLabel::Loc),
            ("Moscow", "Moscow", EntityLabel::Loc),
            ("Russia", "Russia", EntityLabel::Loc),
            ("Ukraine", "Ukraine", EntityLabel::Loc),
            ("South Korea", "South Korea", EntityLabel::Loc),
            ("North Korean", "North Korean", EntityLabel::Norp),
            ("South Korean", "South Korean", EntityLabel::Norp),
            ("Ukrainian", "Ukrainian", EntityLabel::Norp),
            ("Russian", "Russian", EntityLabel::Norp),
            ("American", "American", EntityLabel::Norp),
            ("Oct. 31", "Oct. 31", EntityLabel::Date),
            ("8,000", "8,000", EntityLabel::Cardinal),
            ("some 10,000", "some 10,000", EntityLabel::Cardinal),
            ("millions", "millions", EntityLabel::Cardinal),
        ] {
            let got = group_of(name);
            assert_eq!(
                got,
                Some((&canon.to_string(), label)),
                "{name}: {:#?}",
                e.mentions
            );
        }
        let nk = e
            .mentions
            .iter()
            .find(|m| m.text == "North Korea")
            .expect("North Korea");
        let dprk = e.mentions.iter().find(|m| m.text == "DPRK").expect("DPRK");
        assert_eq!(nk.group, dprk.group);
    }
}

#[cfg(test)]
mod inspect {
    #[test]
    #[ignore = "prints the mentions of NEWSFLOW_TEXT"]
    fn print_mentions() {
        let path = std::env::var("NEWSFLOW_TEXT").unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let e = super::recognise(&text, &super::tests::segment(&text));
        for m in &e.mentions {
            eprintln!(
                "{:<10} {:<45} -> {}",
                m.label.as_str(),
                m.text,
                e.groups[m.group].name
            );
        }
    }
}
