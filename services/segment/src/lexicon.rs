//! The abbreviation lexicon and the small closed word lists the sentence rules consult.
//!
//! Part of the `segment` stage (`newsflow.articles.ingested` → `newsflow.articles.segmented`);
//! pure data, no I/O, cannot fail. Everything here is general English and news style (AP and
//! Reuters conventions), never a list of sample sentences.

/// How an abbreviation behaves in front of the next word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AbbrevClass {
    /// Comes before a name and never ends a sentence: `Mr.`, `Gen.`, `Mt.`.
    Title,
    /// May end a sentence: `Inc.`, `Co.`, `Jr.`, `etc.`, `Oct.`, `Calif.`, `U.S.`. It does when
    /// the next word is one that typically opens a sentence (`It`, `The`, `How`) or a quote opens.
    Weak,
    /// Sits inside a sentence and is never its end: `e.g.`, `i.e.`, `vs.`.
    Inner,
    /// Comes before a number and is only an abbreviation then: `No. 10`, `p. 55`, `Vol. 3`.
    NumberPrefix,
    /// `a.m.` and `p.m.`: ends a sentence before a capitalised word unless the sentence so far
    /// is only an opening phrase of time (`At 5 a.m. Mr. Smith …`) or the word continues the
    /// time (`6 p.m. Monday`, `9 a.m. EST`).
    Time,
    /// One letter and a period: a name's initial (`Lloyd J. Austin`) or a letter that ends a
    /// sentence (`you and I.`).
    Initial,
}

/// Looks up a word (without its period) in the lexicon.
///
/// `word` may contain inner periods (`Ph.D`). Multi-period acronyms made of single letters
/// (`U.S`, `a.m`) and single letters are recognised by shape in the tokenizer, not here, except
/// for the time abbreviations which this function classifies.
pub(crate) fn lookup(word: &str) -> Option<AbbrevClass> {
    let bytes = word.as_bytes();
    if bytes.is_empty() || bytes.len() > 8 {
        return None;
    }
    let mut buf = [0u8; 8];
    for (slot, &b) in buf.iter_mut().zip(bytes) {
        if !b.is_ascii() && b != 0xC2 && b != 0xB0 && b != 0xBA {
            return None;
        }
        *slot = b.to_ascii_lowercase();
    }
    let lower = &buf[..bytes.len()];
    let capitalised = bytes[0].is_ascii_uppercase();
    use AbbrevClass::*;
    let class = match lower {
        // Titles before names. Capitalised only: `gen.` or `col.` in lower case are words.
        b"mr" | b"mrs" | b"ms" | b"messrs" | b"mmes" | b"mme" | b"mlle" | b"dr" | b"prof"
        | b"gen" | b"gens" | b"lt" | b"col" | b"maj" | b"capt" | b"cmdr" | b"cdr" | b"adm"
        | b"sgt" | b"cpl" | b"pvt" | b"spc" | b"gov" | b"govs" | b"sen" | b"sens" | b"rep"
        | b"reps" | b"rev" | b"msgr" | b"hon" | b"pres" | b"supt" | b"det" | b"insp" | b"atty"
        | b"brig" | b"mt" | b"ft" | b"fr" | b"rt" | b"sec" | b"amb" | b"gov't" | b"lieut"
        | b"cmdt" | b"comdr" | b"sr" | b"jr" | b"st" | b"ste"
            if capitalised =>
        {
            match lower {
                // Postpositive or ambiguous (`Main St.` ends sentences; `St. Louis` does not).
                b"sr" | b"jr" | b"st" | b"ste" | b"sec" => Weak,
                _ => Title,
            }
        }
        // Company and address words, name suffixes, Latin: may end a sentence.
        b"inc" | b"co" | b"corp" | b"ltd" | b"llc" | b"plc" | b"bros" | b"jr" | b"sr" | b"etc"
        | b"al" | b"ave" | b"blvd" | b"rd" | b"hwy" | b"sq" | b"dept" | b"govt" | b"univ"
        | b"assn" | b"intl" | b"natl" | b"est" | b"mfg" | b"ph.d" | b"yrs" | b"hrs" | b"mins"
        | b"secs" | b"ft" | b"lbs" | b"oz" | b"pts" => Weak,
        b"e.g" | b"i.e" | b"vs" | b"cf" | b"viz" | b"approx" | b"ca" | b"incl" | b"esp" => Inner,
        b"no" | b"nos" | b"nr" | b"pp" | b"vol" | b"vols" | b"fig" | b"figs" | b"art" | b"ch"
        | b"op" | b"para" | b"pg" | b"n\xc2\xb0" | b"n\xc2\xba" | b"tel" | b"ext" => NumberPrefix,
        // Months and weekdays (capitalised only: `sat.` and `sun.` are words).
        b"jan" | b"feb" | b"mar" | b"apr" | b"jun" | b"jul" | b"aug" | b"sep" | b"sept"
        | b"oct" | b"nov" | b"dec" | b"mon" | b"tue" | b"tues" | b"wed" | b"thu" | b"thur"
        | b"thurs" | b"fri" | b"sat" | b"sun"
            if capitalised =>
        {
            Weak
        }
        // US states in AP style, leaving out those that are also common words (`Ill.`, `Mass.`).
        b"ala" | b"ariz" | b"ark" | b"calif" | b"colo" | b"conn" | b"fla" | b"ga" | b"kan"
        | b"kans" | b"ky" | b"md" | b"mich" | b"minn" | b"mont" | b"neb" | b"nev" | b"okla"
        | b"pa" | b"penn" | b"tenn" | b"tex" | b"va" | b"vt" | b"wis" | b"wyo"
            if capitalised =>
        {
            Weak
        }
        b"a.m" | b"p.m" => Time,
        _ => return None,
    };
    Some(class)
}

/// Capitalised words that typically open an English sentence: pronouns, determiners,
/// conjunctions, auxiliaries, wh-words and common sentence adverbs. After a [`AbbrevClass::Weak`]
/// abbreviation, such a word means the abbreviation ended the sentence (`… & Co. It closed`),
/// while a name or noun means it did not (`U.S. Government`, `Microsoft Corp. Chief`).
pub(crate) fn opens_sentence(word: &str) -> bool {
    matches!(
        word,
        "A" | "An"
            | "The"
            | "This"
            | "That"
            | "These"
            | "Those"
            | "It"
            | "Its"
            | "He"
            | "She"
            | "They"
            | "We"
            | "You"
            | "I"
            | "His"
            | "Her"
            | "Their"
            | "Our"
            | "My"
            | "Your"
            | "There"
            | "Here"
            | "But"
            | "And"
            | "Or"
            | "So"
            | "Yet"
            | "If"
            | "When"
            | "While"
            | "After"
            | "Before"
            | "As"
            | "Since"
            | "Although"
            | "Though"
            | "Because"
            | "How"
            | "What"
            | "Why"
            | "Where"
            | "Which"
            | "Whether"
            | "Do"
            | "Does"
            | "Did"
            | "Is"
            | "Are"
            | "Was"
            | "Were"
            | "Has"
            | "Have"
            | "Had"
            | "Will"
            | "Would"
            | "Can"
            | "Could"
            | "Should"
            | "Might"
            | "Must"
            | "Not"
            | "Yes"
            | "Some"
            | "Many"
            | "Most"
            | "All"
            | "Both"
            | "Each"
            | "Every"
            | "Such"
            | "Then"
            | "Now"
            | "However"
            | "Meanwhile"
            | "Still"
            | "Also"
            | "In"
            | "On"
            | "At"
            | "For"
            | "With"
            | "From"
            | "By"
            | "To"
            | "Of"
            | "According"
            | "Despite"
            | "During"
            | "Last"
            | "Earlier"
            | "Later"
            | "Officials"
    )
}

/// Words that continue a time of day after `a.m.`/`p.m.`: weekdays, months, zones.
pub(crate) fn continues_time(word: &str) -> bool {
    matches!(
        word,
        "Monday"
            | "Tuesday"
            | "Wednesday"
            | "Thursday"
            | "Friday"
            | "Saturday"
            | "Sunday"
            | "Mon"
            | "Tue"
            | "Wed"
            | "Thu"
            | "Fri"
            | "Sat"
            | "Sun"
            | "January"
            | "February"
            | "March"
            | "April"
            | "May"
            | "June"
            | "July"
            | "August"
            | "September"
            | "October"
            | "November"
            | "December"
            | "Jan"
            | "Feb"
            | "Mar"
            | "Apr"
            | "Jun"
            | "Jul"
            | "Aug"
            | "Sep"
            | "Sept"
            | "Oct"
            | "Nov"
            | "Dec"
            | "ET"
            | "EST"
            | "EDT"
            | "CT"
            | "CST"
            | "CDT"
            | "MT"
            | "MST"
            | "MDT"
            | "PT"
            | "PST"
            | "PDT"
            | "GMT"
            | "UTC"
            | "BST"
            | "CET"
            | "CEST"
            | "Eastern"
            | "Central"
            | "Pacific"
            | "Mountain"
            | "local"
    )
}

/// Prepositions that open a phrase of time at the start of a sentence (`At 5 a.m. …`).
pub(crate) fn opens_time_phrase(word: &str) -> bool {
    matches!(
        word,
        "At" | "By"
            | "Before"
            | "After"
            | "Until"
            | "Till"
            | "From"
            | "Since"
            | "Around"
            | "About"
            | "Shortly"
            | "Just"
            | "Then"
            | "Today"
            | "Yesterday"
            | "Tomorrow"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_recognised_only_when_capitalised() {
        assert_eq!(lookup("Gen"), Some(AbbrevClass::Title));
        assert_eq!(lookup("gen"), None);
        assert_eq!(lookup("Mr"), Some(AbbrevClass::Title));
    }

    #[test]
    fn company_suffixes_are_weak_in_either_case() {
        assert_eq!(lookup("Co"), Some(AbbrevClass::Weak));
        assert_eq!(lookup("co"), Some(AbbrevClass::Weak));
        assert_eq!(lookup("Inc"), Some(AbbrevClass::Weak));
    }

    #[test]
    fn months_need_a_capital_and_weekday_words_stay_words() {
        assert_eq!(lookup("Oct"), Some(AbbrevClass::Weak));
        assert_eq!(lookup("sat"), None);
    }

    #[test]
    fn number_prefixes_include_the_degree_sign_form() {
        assert_eq!(lookup("No"), Some(AbbrevClass::NumberPrefix));
        assert_eq!(lookup("N°"), Some(AbbrevClass::NumberPrefix));
    }

    #[test]
    fn long_or_non_ascii_words_are_not_abbreviations() {
        assert_eq!(lookup("internationally"), None);
        assert_eq!(lookup("été"), None);
        assert_eq!(lookup(""), None);
    }
}
