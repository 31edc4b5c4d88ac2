//! Word lists: the news cue lexicon and the words that bound a speaker's noun phrase.

/// How a cue word can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CueClass {
    /// A speech verb that takes its content directly (`said`, `warned`, `added`).
    Speech,
    /// A speech verb whose first object is the hearer (`told reporters that`, `asked`).
    Tell,
    /// A verb of thought or finding that needs a `that` clause or a final position to count
    /// (`believes`, `thinks`, `found`).
    Weak,
    /// A present participle after a comma: `…, saying …`, `…, adding …`.
    Participle,
}

const SPEECH: &[&str] = &[
    "said",
    "says",
    "say",
    "added",
    "adds",
    "stated",
    "warned",
    "warns",
    "claimed",
    "claims",
    "noted",
    "notes",
    "argued",
    "argues",
    "suggested",
    "suggests",
    "insisted",
    "insists",
    "acknowledged",
    "acknowledges",
    "wrote",
    "writes",
    "explained",
    "explains",
    "declared",
    "declares",
    "tweeted",
    "tweets",
    "announced",
    "announces",
    "replied",
    "replies",
    "responded",
    "responds",
    "admitted",
    "admits",
    "conceded",
    "concedes",
    "contended",
    "contends",
    "maintained",
    "maintains",
    "confirmed",
    "confirms",
    "denied",
    "denies",
    "predicted",
    "predicts",
    "estimated",
    "estimates",
    "concluded",
    "concludes",
    "emphasized",
    "emphasizes",
    "emphasised",
    "stressed",
    "stresses",
    "vowed",
    "vows",
    "promised",
    "promises",
    "pledged",
    "pledges",
    "urged",
    "urges",
    "cautioned",
    "cautions",
    "observed",
    "observes",
    "remarked",
    "complained",
    "complains",
    "alleged",
    "alleges",
    "countered",
    "counters",
    "disclosed",
    "revealed",
    "reveals",
    "testified",
    "speculated",
    "hinted",
    "indicated",
    "indicates",
    "recalled",
    "recalls",
    "reported",
    "reports",
    "asserted",
    "asserts",
    "boasted",
    "boasts",
    "joked",
    "jokes",
    "quipped",
    "mused",
    "wondered",
    "wonders",
    "questioned",
    "charged",
    "accused",
    "accuses",
    "posted",
    "continued",
    "continues",
    "agreed",
    "agrees",
    "demanded",
    "demands",
    "reiterated",
    "reiterates",
    "lamented",
    "laments",
    "blasted",
    "slammed",
    "criticized",
    "criticised",
    "praised",
    "repeated",
    "proclaimed",
    "sings",
    "sang",
    "shouted",
    "yelled",
    "chanted",
    "screamed",
    "tells",
    "assured",
    "assures",
    "reckoned",
    "reasoned",
    "surmised",
    "retorted",
    "opined",
];

const TELL: &[&str] = &[
    "told", "tell", "tells", "asked", "asks", "reminded", "reminds", "informed", "informs",
    "assured", "assures",
];

const WEAK: &[&str] = &[
    "believes",
    "believe",
    "believed",
    "thinks",
    "think",
    "thought",
    "feels",
    "feel",
    "felt",
    "hopes",
    "hope",
    "hoped",
    "fears",
    "fear",
    "feared",
    "expects",
    "expect",
    "expected",
    "knows",
    "know",
    "knew",
    "found",
    "finds",
    "shows",
    "showed",
    "worries",
    "worried",
    "predict",
    "argue",
    "claim",
    "insist",
    "suggest",
    "note",
    "warn",
    "estimate",
    "conclude",
    "acknowledge",
    "admit",
    "agree",
    "deny",
    "add",
    "write",
    "explain",
    "contend",
    "maintain",
    "recognize",
    "recognizes",
    "recognized",
    "understands",
    "understood",
    "suspects",
    "suspected",
    "assume",
    "assumes",
    "assumed",
    "doubt",
    "doubts",
    "doubted",
    "realized",
    "realizes",
    "learned",
    "insisting",
];

const PARTICIPLE: &[&str] = &[
    "saying",
    "adding",
    "noting",
    "arguing",
    "claiming",
    "telling",
    "warning",
    "insisting",
    "explaining",
    "suggesting",
    "calling",
    "writing",
    "declaring",
    "stating",
    "asking",
    "acknowledging",
    "asserting",
    "stressing",
    "citing",
    "describing",
    "predicting",
    "contending",
    "complaining",
    "boasting",
    "promising",
    "vowing",
    "urging",
    "accusing",
    "alleging",
    "tweeting",
];

/// Learned words that count as speech cues.
const LEARNED_STRONG: f32 = 0.5;
/// Learned words that count as cues before `that`.
const LEARNED_WEAK: f32 = 0.3;

/// The class of `lower` as a cue word, if it is one.
pub(crate) fn cue_class(lower: &str) -> Option<CueClass> {
    let info = word_info(lower);
    if let Some(class) = info.hand {
        Some(class)
    } else if is_function_word(lower) || is_aux(lower) || is_np_stop(lower) {
        None
    } else {
        let r = info.learned;
        if r >= LEARNED_STRONG {
            Some(if lower.ends_with("ing") {
                CueClass::Participle
            } else {
                CueClass::Speech
            })
        } else if r >= LEARNED_WEAK {
            Some(CueClass::Weak)
        } else {
            None
        }
    }
}

/// Cues that may come before their source in inverted order (`…,” said Cho.`).
pub(crate) fn invertible(lower: &str) -> bool {
    matches!(
        lower,
        "said"
            | "says"
            | "added"
            | "adds"
            | "asked"
            | "asks"
            | "wrote"
            | "writes"
            | "explained"
            | "continued"
            | "replied"
            | "noted"
            | "declared"
            | "recalled"
            | "tweeted"
            | "warned"
            | "insisted"
            | "argued"
            | "answered"
            | "concluded"
            | "sang"
            | "sings"
    )
}

/// Auxiliaries, adverbs and negations that may sit between a source and its cue.
pub(crate) fn is_aux(lower: &str) -> bool {
    matches!(
        lower,
        "has"
            | "have"
            | "had"
            | "is"
            | "was"
            | "were"
            | "are"
            | "will"
            | "would"
            | "also"
            | "later"
            | "previously"
            | "repeatedly"
            | "recently"
            | "publicly"
            | "privately"
            | "reportedly"
            | "once"
            | "then"
            | "often"
            | "long"
            | "already"
            | "still"
            | "even"
            | "again"
            | "further"
            | "flatly"
            | "openly"
            | "simply"
            | "just"
            | "frequently"
            | "similarly"
            | "likewise"
            | "firmly"
            | "bluntly"
            | "quickly"
            | "angrily"
            | "separately"
            | "correctly"
            | "falsely"
            | "initially"
            | "subsequently"
            | "earlier"
            | "famously"
            | "explicitly"
            | "specifically"
            | "may"
            | "might"
            | "could"
            | "can"
            | "should"
            | "must"
            | "did"
            | "does"
            | "do"
            | "not"
            | "n't"
            | "never"
            | "been"
            | "being"
            | "be"
            | "always"
            | "clearly"
            | "actually"
    )
}

/// Negations: a negated cue reports nothing (`has not said how …`).
pub(crate) fn is_negation(lower: &str) -> bool {
    matches!(
        lower,
        "not" | "never" | "n't" | "didn't" | "hasn't" | "haven't" | "won't" | "wouldn't"
    )
}

/// Words that end a speaker's noun phrase when walking away from the cue.
pub(crate) fn is_np_stop(lower: &str) -> bool {
    matches!(
        lower,
        "that"
            | "which"
            | "whom"
            | "whose"
            | "but"
            | "because"
            | "when"
            | "while"
            | "if"
            | "as"
            | "so"
            | "than"
            | "since"
            | "after"
            | "before"
            | "although"
            | "though"
            | "where"
            | "then"
            | "in"
            | "on"
            | "to"
            | "with"
            | "by"
            | "during"
            | "into"
            | "onto"
            | "over"
            | "under"
            | "about"
            | "against"
            | "is"
            | "are"
            | "was"
            | "were"
            | "be"
            | "been"
            | "has"
            | "have"
            | "had"
            | "will"
            | "would"
            | "can"
            | "could"
            | "should"
            | "may"
            | "might"
            | "must"
            | "do"
            | "does"
            | "did"
            | "not"
            | "who"
            | "what"
            | "why"
            | "how"
            | "yet"
            | "or"
            | "nor"
            | "until"
            | "unless"
            | "whether"
            | "once"
            | "like"
            | "also"
            | "there"
            | "here"
            | "it's"
            | "it’s"
            | "this"
            | "these"
            | "those"
            | "said"
            | "says"
            | "through"
            | "without"
            | "within"
            | "between"
            | "among"
            | "amid"
            | "despite"
            | "toward"
            | "towards"
            | "upon"
            | "across"
            | "per"
            | "via"
            | "meanwhile"
            | "however"
            | "thus"
            | "therefore"
            | "instead"
            | "indeed"
            | "now"
            | "today"
            | "yesterday"
            | "tonight"
            | "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
            | "week"
            | "month"
            | "year"
            | "ago"
            | "earlier"
            | "last"
    )
}

/// Personal pronouns that can name a speaker.
pub(crate) fn is_pronoun(lower: &str) -> bool {
    matches!(lower, "he" | "she" | "they" | "we" | "i" | "it" | "you")
}

/// Pronouns that refer to one person.
pub(crate) fn is_person_pronoun(lower: &str) -> bool {
    matches!(lower, "he" | "she" | "him" | "her")
}

/// Words that carry no meaning of their own in a noun phrase.
pub(crate) fn is_function_word(lower: &str) -> bool {
    matches!(
        lower,
        "the"
            | "a"
            | "an"
            | "and"
            | "of"
            | "for"
            | "at"
            | "from"
            | "his"
            | "her"
            | "its"
            | "their"
            | "our"
            | "my"
            | "your"
            | "some"
            | "many"
            | "several"
            | "both"
            | "other"
            | "all"
            | "one"
            | "two"
            | "three"
            | "most"
            | "more"
            | "few"
            | "no"
            | "any"
            | "each"
            | "such"
    )
}

/// Words that start a clause that is not content (`said how …`, `said to …`).
pub(crate) fn is_wh(lower: &str) -> bool {
    matches!(
        lower,
        "how" | "whether" | "what" | "when" | "why" | "where" | "who" | "which" | "if"
    )
}

/// The cue lexicon learned from PolNeAR train (`data/cues.tsv`, rebuilt by
/// [`crate::learn::cue_lexicon`]): for each word, how often it is (part of) a cue and how often
/// it occurs.
const LEARNED: &str = include_str!("../data/cues.tsv");

fn learned() -> std::collections::HashMap<&'static str, f32> {
    LEARNED
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.split('\t');
            let (w, c, t) = (
                f.next()?,
                f.next()?.parse::<f32>().ok()?,
                f.next()?.parse::<f32>().ok()?,
            );
            Some((w, c / t.max(1.0)))
        })
        .collect()
}

/// What the cue lexicons say about a word.
#[derive(Clone, Copy, Default)]
struct WordInfo {
    /// The first hand-written list holding it (tell, speech, participle, weak).
    hand: Option<CueClass>,
    /// How often it is a cue in the training data (0 when unseen).
    learned: f32,
}

/// The hand-written lists and the learned lexicon in one map, so a word is looked up once.
fn word_info(lower: &str) -> WordInfo {
    static MAP: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, WordInfo>> =
        std::sync::OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut map = rustc_hash::FxHashMap::<&'static str, WordInfo>::default();
        for (list, class) in [
            (TELL, CueClass::Tell),
            (SPEECH, CueClass::Speech),
            (PARTICIPLE, CueClass::Participle),
            (WEAK, CueClass::Weak),
        ] {
            for &w in list {
                map.entry(w).or_default().hand.get_or_insert(class);
            }
        }
        for (w, r) in learned() {
            map.entry(w).or_default().learned = r;
        }
        map
    });
    map.get(lower).copied().unwrap_or_default()
}

/// Whether `lower` is in the hand-written cue lists.
pub(crate) fn hand_cue(lower: &str) -> bool {
    word_info(lower).hand.is_some()
}

/// [`hand_cue`] of `lower`, and how often it is a cue in the training data, 0 to 1 (0 when
/// unseen).
pub(crate) fn cue_info(lower: &str) -> (bool, f32) {
    let info = word_info(lower);
    (info.hand.is_some(), info.learned)
}

/// Whether a lower-case word looks like a finite verb (`reads`, `wrote`, `put`).
pub(crate) fn verb_like(lower: &str) -> bool {
    (lower.len() > 3 && (lower.ends_with("ed") || lower.ends_with('s')) && !lower.ends_with("ss"))
        || matches!(
            lower,
            "read"
                | "wrote"
                | "put"
                | "told"
                | "said"
                | "sang"
                | "spoke"
                | "thought"
                | "felt"
                | "knew"
                | "began"
                | "went"
                | "cried"
                | "shot"
                | "fired"
        )
        || hand_cue(lower)
}

/// Common nouns that name speakers (`officials said`, `the spokesman added`).
pub(crate) fn is_speaker_noun(lower: &str) -> bool {
    matches!(
        lower,
        "official"
            | "officials"
            | "source"
            | "sources"
            | "spokesman"
            | "spokeswoman"
            | "spokesperson"
            | "aide"
            | "aides"
            | "analyst"
            | "analysts"
            | "expert"
            | "experts"
            | "critic"
            | "critics"
            | "lawmakers"
            | "lawmaker"
            | "administration"
            | "government"
            | "president"
            | "minister"
            | "secretary"
            | "senator"
            | "governor"
            | "mayor"
            | "report"
            | "reports"
            | "study"
            | "poll"
            | "polls"
            | "survey"
            | "statement"
            | "campaign"
            | "committee"
            | "officer"
            | "police"
            | "authorities"
            | "prosecutors"
            | "investigators"
            | "researchers"
            | "scientists"
            | "economists"
            | "economist"
            | "supporters"
            | "opponents"
            | "voters"
            | "leaders"
            | "leader"
            | "director"
            | "chairman"
            | "chairwoman"
            | "candidate"
            | "nominee"
            | "people"
            | "residents"
            | "witnesses"
            | "advocates"
            | "democrats"
            | "republicans"
            | "members"
            | "member"
            | "spokespeople"
            | "representatives"
            | "diplomats"
            | "ministry"
            | "department"
            | "agency"
            | "judge"
            | "court"
            | "lawyer"
            | "lawyers"
            | "attorney"
            | "attorneys"
            | "staff"
            | "team"
            | "article"
            | "letter"
            | "ad"
            | "documents"
            | "data"
            | "estimates"
            | "figures"
            | "group"
            | "groups"
            | "organization"
            | "company"
            | "firm"
            | "doctor"
            | "doctors"
            | "adviser"
            | "advisers"
            | "advisor"
            | "advisors"
            | "observers"
            | "activists"
            | "protesters"
            | "commentators"
            | "reporters"
            | "journalists"
            | "media"
            | "press"
            | "speaker"
            | "host"
            | "narrator"
            | "announcer"
            | "professor"
            | "author"
            | "authors"
            | "editor"
            | "editorial"
    )
}

/// Words of a short time phrase between a source and its cue (`just this month`, `in 2001`).
pub(crate) fn is_time_word(lower: &str) -> bool {
    matches!(
        lower,
        "this"
            | "last"
            | "next"
            | "week"
            | "month"
            | "year"
            | "earlier"
            | "just"
            | "on"
            | "in"
            | "early"
            | "late"
            | "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
            | "today"
            | "yesterday"
            | "tonight"
            | "weekend"
            | "morning"
            | "afternoon"
            | "evening"
            | "night"
    ) || (lower.len() == 4 && lower.chars().all(|c| c.is_ascii_digit()))
}
