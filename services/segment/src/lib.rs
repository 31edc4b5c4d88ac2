//! `segment`: the second stage of the article chain. Consumes `newsflow.articles.ingested`,
//! publishes `newsflow.articles.segmented`.
//!
//! Splits an article's normalised text into paragraphs, sentences and tokens, each with UTF-8
//! byte offsets into the text, always on char boundaries. Pure: no I/O, no clock, no globals.
//! Fails with nothing beyond what ingest already rejects: [`segment_text`] is total (any
//! `&str`, including empty, gives a valid [`Segmentation`]) and never panics, which a property
//! test and a cargo-fuzz target (`services/segment/fuzz`) check.
//!
//! # Paragraphs
//! Paragraphs are separated by one or more blank lines (a line holding only whitespace is
//! blank). When the text has no blank line at all, each non-empty line is a paragraph, as in
//! plain-text news that puts one paragraph per line.
//!
//! # Sentences
//! Rules plus an abbreviation lexicon (see `sentence.rs` and `lexicon.rs`), built for news:
//! abbreviations and initials (`Oct. 31`, `Lloyd J. Austin III`, `U.S. officials`, `Gen.`,
//! `Inc.`, `No. 10`), quotes that end a sentence or do not (`…,” Blinken said.` /
//! `…” she said.`), decimals, times (`5 a.m.`), ellipses, numbered and bulleted lists, URLs and
//! e-mail addresses, parentheses, all-caps datelines and headlines without a full stop. A
//! sentence never spans two paragraphs.
//!
//! # Tokens
//! Penn-Treebank-like, as a tagger trained on news wants them:
//! - punctuation and quote marks are tokens of their own (`“`, `,`, `”`, `—`, `(`);
//! - clitics split off: `can't` → `ca` `n't`, `don’t` → `do` `n’t`, `Russia’s` → `Russia` `’s`,
//!   `we've` → `we` `'ve` (the apostrophe is kept as written, straight or curly);
//! - hyphenated words stay whole (`long-range`, `Tae-yul`, `F-16`), as do numbers (`8,000`,
//!   `3.5`, `10:30`, `1996-08-22`), names with apostrophes (`O'Brien`), URLs and e-mail
//!   addresses;
//! - abbreviations keep their period (`Oct.`, `U.S.`, `J.`); an ordinary word's final period is
//!   a token of its own;
//! - `$` and `%` are split from numbers, but a country's currency sign stays whole (`US$`,
//!   `C$`), as do signed numbers (`+44`, `-0.05`), decimals without a zero (`.576`) and
//!   `U.S.-led`; a list item's number opening a line keeps its period (`1.`);
//! - ellipses (`...`, `…`, `. . .`) are one token; `!!` and `?!` are one token; an emoji
//!   sequence (skin tone, joiner, flag) is one token.
//!
//! On CoNLL-2003's Reuters text (detokenised), 99.9% of these tokens match CoNLL's own.
//!
//! Sentences and tokens cover every non-whitespace character of a paragraph, in order, without
//! overlap.
//!
//! # Evaluation and speed
//! Measuring is not part of this crate. The English Golden Rules score (beside pySBD) and the
//! MB/s over CoNLL-2003 news text live in newsflow-lab (`lab/src/segment/`), run as
//! `newsflow eval segment` and `newsflow bench segment`, or without the CLI as
//! `cargo run --release -p newsflow-lab --example segment_report -- eval|bench`. Here:
//!
//! ```text
//! cargo test -p newsflow-segment                      # unit and property tests
//! cd services/segment/fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run segment_text -- -max_total_time=600
//! ```

mod lexicon;
mod sentence;
mod token;

use newsflow_proto::{ArticleIngested, ArticleSegmented, Segmentation, Sentence, Span};

/// Segments `text` into paragraphs, sentences and tokens.
///
/// Total and pure: any input gives a valid segmentation (the empty text gives an empty one);
/// every offset is a UTF-8 byte offset on a char boundary of `text`.
pub fn segment_text(text: &str) -> Segmentation {
    let mut seg = Segmentation {
        paragraphs: Vec::new(),
        sentences: Vec::with_capacity(text.len() / 100 + 1),
        tokens: Vec::with_capacity(text.len() / 5 + 1),
    };
    let Segmentation {
        paragraphs,
        sentences,
        tokens,
    } = &mut seg;
    let mut infos = Vec::new();
    for_each_paragraph(text, |start, end| {
        let first = tokens.len();
        infos.clear();
        token::tokenize(text, start, end, tokens, &mut infos);
        if tokens.len() == first {
            return;
        }
        let paragraph = paragraphs.len();
        paragraphs.push(Span::new(start, end));
        let para_tokens = &tokens[first..];
        sentence::split(text, (start, end), para_tokens, &infos, |a, b| {
            sentences.push(Sentence {
                start: para_tokens[a].start,
                end: para_tokens[b].end,
                paragraph,
                first_token: first + a,
                token_count: b - a + 1,
            });
        });
    });
    seg
}

/// The stage: the ingested article with its paragraphs, sentences and tokens.
pub fn segment(article: ArticleIngested) -> ArticleSegmented {
    let segmentation = segment_text(&article.text);
    ArticleSegmented {
        article,
        segmentation,
    }
}

/// Checks that `seg` is a valid segmentation of `text`: every span in range and on char
/// boundaries, trimmed of whitespace and non-empty; paragraphs, sentences and tokens in order,
/// without overlap, with only whitespace between them and around them; each sentence inside its
/// paragraph and made of exactly its `token_count` tokens from `first_token`, the sentences'
/// tokens covering all tokens in order.
///
/// [`segment_text`] always satisfies it; the property test and the fuzz target call it.
///
/// # Errors
/// A message naming the first broken invariant.
pub fn verify(text: &str, seg: &Segmentation) -> Result<(), String> {
    let spans = |what: &str, list: &mut dyn Iterator<Item = (usize, usize)>| {
        let mut prev_end = 0;
        for (k, (start, end)) in list.enumerate() {
            let Some(inner) = text.get(start..end) else {
                return Err(format!(
                    "{what} {k} ({start}..{end}) is out of range or off a char boundary"
                ));
            };
            if inner.is_empty() || inner.trim() != inner {
                return Err(format!(
                    "{what} {k} ({start}..{end}) is empty or not trimmed: {inner:?}"
                ));
            }
            match text.get(prev_end..start) {
                Some(gap) if gap.trim().is_empty() => {}
                _ => {
                    return Err(format!(
                        "{what} {k} ({start}..{end}) overlaps or leaves text uncovered before it"
                    ));
                }
            }
            prev_end = end;
        }
        match text.get(prev_end..) {
            Some(rest) if rest.trim().is_empty() => Ok(()),
            _ => Err(format!(
                "{what}s leave text uncovered after offset {prev_end}"
            )),
        }
    };
    spans(
        "paragraph",
        &mut seg.paragraphs.iter().map(|p| (p.start, p.end)),
    )?;
    spans(
        "sentence",
        &mut seg.sentences.iter().map(|s| (s.start, s.end)),
    )?;
    spans("token", &mut seg.tokens.iter().map(|t| (t.start, t.end)))?;
    let mut next_token = 0;
    let mut prev_paragraph = 0;
    for (k, s) in seg.sentences.iter().enumerate() {
        let Some(p) = seg.paragraphs.get(s.paragraph) else {
            return Err(format!(
                "sentence {k} names paragraph {} which does not exist",
                s.paragraph
            ));
        };
        if s.paragraph < prev_paragraph || s.start < p.start || s.end > p.end {
            return Err(format!(
                "sentence {k} is not inside paragraph {} or out of order",
                s.paragraph
            ));
        }
        prev_paragraph = s.paragraph;
        if s.first_token != next_token || s.token_count == 0 {
            return Err(format!(
                "sentence {k} starts at token {} with {} tokens; expected token {next_token}",
                s.first_token, s.token_count
            ));
        }
        let last = s.first_token + s.token_count - 1;
        match (seg.tokens.get(s.first_token), seg.tokens.get(last)) {
            (Some(a), Some(b)) if a.start == s.start && b.end == s.end => {}
            _ => {
                return Err(format!(
                    "sentence {k} does not start and end with its tokens"
                ));
            }
        }
        next_token = last + 1;
    }
    if next_token != seg.tokens.len() {
        return Err(format!(
            "sentences hold {next_token} of {} tokens",
            seg.tokens.len()
        ));
    }
    Ok(())
}

/// Whether `line` holds only whitespace.
fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b.is_ascii_whitespace()) || line.trim().is_empty()
}

/// Calls `f(start, end)` for each paragraph, trimmed of whitespace, in order.
fn for_each_paragraph(text: &str, mut f: impl FnMut(usize, usize)) {
    // Does a blank line separate two non-blank lines anywhere?
    let mut seen_text = false;
    let mut blank_after_text = false;
    let mut blank_mode = false;
    let mut pos = 0;
    for line in text.split('\n') {
        if is_blank(line) {
            blank_after_text |= seen_text;
        } else if blank_after_text {
            blank_mode = true;
            break;
        } else {
            seen_text = true;
        }
    }
    // Current paragraph's start and end, once it has text.
    let mut current: Option<(usize, usize)> = None;
    for line in text.split('\n') {
        let line_start = pos;
        pos += line.len() + 1;
        let trimmed_start = line.trim_start();
        if trimmed_start.is_empty() {
            if let Some((s, e)) = current.take() {
                f(s, e);
            }
            continue;
        }
        let s = line_start + (line.len() - trimmed_start.len());
        let e = line_start + line.trim_end().len();
        if blank_mode {
            current = Some(current.map_or((s, e), |(ps, _)| (ps, e)));
        } else {
            f(s, e);
        }
    }
    if let Some((s, e)) = current {
        f(s, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        segment_text(text)
            .sentences
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect()
    }

    fn tokens(text: &str) -> Vec<&str> {
        segment_text(text)
            .tokens
            .iter()
            .map(|t| &text[t.start..t.end])
            .collect()
    }

    #[test]
    fn segmentation_of_mixed_text_passes_verification() {
        let text = "Head line\n\n“Yes,” he said. U.S. Sen. Jo Ray (D-Calif.) left at 5 p.m. It's 8,000.\n\n• a 😀 b";
        assert_eq!(verify(text, &segment_text(text)), Ok(()));
    }

    #[test]
    fn verification_rejects_a_token_off_a_char_boundary() {
        let text = "é";
        let mut seg = segment_text(text);
        seg.tokens[0].end = 1;
        assert!(verify(text, &seg).is_err());
    }

    #[test]
    fn empty_text_gives_empty_segmentation() {
        assert_eq!(segment_text(""), Segmentation::default());
        assert_eq!(segment_text(" \n\t\n "), Segmentation::default());
    }

    #[test]
    fn blank_lines_separate_paragraphs() {
        let text = "First line\ncontinues here.\n\n  \nSecond one.";
        let seg = segment_text(text);
        let paras: Vec<_> = seg
            .paragraphs
            .iter()
            .map(|p| &text[p.start..p.end])
            .collect();
        assert_eq!(paras, ["First line\ncontinues here.", "Second one."]);
    }

    #[test]
    fn each_line_is_a_paragraph_when_there_is_no_blank_line() {
        let seg = segment_text("One paragraph here\nAnother one here.\n");
        assert_eq!(seg.paragraphs.len(), 2);
        assert_eq!(seg.sentences.len(), 2);
        assert_eq!(seg.sentences[1].paragraph, 1);
    }

    #[test]
    fn sentence_records_its_paragraph_and_tokens() {
        let text = "Hello there. Bye.";
        let seg = segment_text(text);
        assert_eq!(seg.sentences.len(), 2);
        let second = seg.sentences[1];
        assert_eq!(second.first_token, 3);
        assert_eq!(second.token_count, 2);
        assert_eq!(second.paragraph, 0);
    }

    #[test]
    fn month_abbreviation_before_a_day_does_not_end_the_sentence() {
        assert_eq!(
            sentences("The administration said Oct. 31. In its estimate, officials agreed."),
            [
                "The administration said Oct. 31.",
                "In its estimate, officials agreed."
            ]
        );
    }

    #[test]
    fn initials_and_titles_do_not_end_the_sentence() {
        let text = "Secretary Lloyd J. Austin III met Gen. Mark A. Milley and Dr. Jill Biden.";
        assert_eq!(sentences(text), [text]);
    }

    #[test]
    fn acronym_before_a_noun_does_not_end_the_sentence() {
        let text = "U.S. officials say the U.S. Army and U.N. agencies agree.";
        assert_eq!(sentences(text), [text]);
    }

    #[test]
    fn acronym_before_a_pronoun_ends_the_sentence() {
        assert_eq!(
            sentences("She moved to the U.K. It rained."),
            ["She moved to the U.K.", "It rained."]
        );
    }

    #[test]
    fn quote_ending_in_comma_continues_into_attribution() {
        let text = "“We’ve not yet seen it, but we expect it,” Blinken said. He left.";
        assert_eq!(
            sentences(text),
            [
                "“We’ve not yet seen it, but we expect it,” Blinken said.",
                "He left."
            ]
        );
    }

    #[test]
    fn quote_ending_a_sentence_keeps_its_closing_mark() {
        assert_eq!(
            sentences("He said, “It is over.” Then he left. “Go.” she said."),
            ["He said, “It is over.”", "Then he left.", "“Go.” she said."]
        );
    }

    #[test]
    fn period_before_an_opening_quote_ends_the_sentence() {
        assert_eq!(
            sentences("She spoke at the conference. “So we will wait.”"),
            ["She spoke at the conference.", "“So we will wait.”"]
        );
    }

    #[test]
    fn company_suffix_ends_the_sentence_only_before_an_opener() {
        assert_eq!(
            sentences(
                "He joined Acme Corp. Chief Executive Jo Ray hired him. He sold Acme Inc. It failed."
            ),
            [
                "He joined Acme Corp. Chief Executive Jo Ray hired him.",
                "He sold Acme Inc.",
                "It failed."
            ]
        );
    }

    #[test]
    fn number_prefix_and_decimals_do_not_end_the_sentence() {
        let text = "Downing Street No. 10 paid $3.5 million, up 2.5 percent.";
        assert_eq!(sentences(text), [text]);
    }

    #[test]
    fn number_then_period_before_a_capital_ends_the_sentence() {
        assert_eq!(
            sentences("The toll rose to 1,000. Officials fear more."),
            ["The toll rose to 1,000.", "Officials fear more."]
        );
    }

    #[test]
    fn time_abbreviation_ends_a_sentence_unless_it_opens_it() {
        assert_eq!(
            sentences("By 9 p.m. Mrs. Lee had left. She came back at 6 a.m. Mr. Lee slept."),
            [
                "By 9 p.m. Mrs. Lee had left.",
                "She came back at 6 a.m.",
                "Mr. Lee slept."
            ]
        );
        let text = "The vote closes at 8 p.m. Tuesday in the capital.";
        assert_eq!(sentences(text), [text]);
    }

    #[test]
    fn exclamation_inside_a_name_does_not_end_the_sentence() {
        let text = "She works at Yahoo! in the newsroom.";
        assert_eq!(sentences(text), [text]);
    }

    #[test]
    fn ellipsis_before_a_capital_ends_the_sentence_but_not_before_lower_case() {
        assert_eq!(
            sentences("He paused … and went on. It was late… Nobody spoke."),
            ["He paused … and went on.", "It was late…", "Nobody spoke."]
        );
    }

    #[test]
    fn parenthetical_sentence_inside_a_sentence_stays_inside() {
        let text = "He studied law (He had worked as a clerk.) at the university.";
        assert_eq!(sentences(text), [text]);
    }

    #[test]
    fn urls_and_emails_do_not_end_sentences() {
        assert_eq!(
            sentences("Read www.example.org/a.b.html now. Write to ann.lee@example.com. Thanks."),
            [
                "Read www.example.org/a.b.html now.",
                "Write to ann.lee@example.com.",
                "Thanks."
            ]
        );
    }

    #[test]
    fn numbered_list_items_become_sentences() {
        assert_eq!(
            sentences("1) Check the list 2) Send the file 3) Wait"),
            ["1) Check the list", "2) Send the file", "3) Wait"]
        );
        assert_eq!(
            sentences("x. Apples are red y. Pears are green"),
            ["x. Apples are red", "y. Pears are green"]
        );
    }

    #[test]
    fn bullets_start_sentences() {
        assert_eq!(
            sentences("Key points: • Troops moved • Talks stalled"),
            ["Key points:", "• Troops moved", "• Talks stalled"]
        );
    }

    #[test]
    fn all_caps_dateline_stays_in_the_first_sentence() {
        let text = "KYIV, Ukraine (AP) — Russia launched drones overnight, officials said.";
        assert_eq!(sentences(text), [text]);
    }

    #[test]
    fn headline_line_without_full_stop_is_its_own_sentence() {
        let text = "Troops reach Kursk\nAbout 8,000 North Korean troops are in the Kursk region, officials said on Thursday.";
        assert_eq!(
            sentences(text),
            [
                "Troops reach Kursk",
                "About 8,000 North Korean troops are in the Kursk region, officials said on Thursday."
            ]
        );
    }

    #[test]
    fn hard_wrapped_lines_stay_in_one_sentence() {
        let text = "Secretary of Defense Lloyd J. Austin III and Secretary of State Antony\nJ. Blinken disclosed the troop levels at a press conference.\n\nNext.";
        assert_eq!(
            sentences(text),
            [
                "Secretary of Defense Lloyd J. Austin III and Secretary of State Antony\nJ. Blinken disclosed the troop levels at a press conference.",
                "Next."
            ]
        );
    }

    #[test]
    fn question_inside_quotes_ends_the_sentence_only_before_a_capital() {
        assert_eq!(
            sentences("“Are you sure?” he asked. She said: “Why?” Nobody answered."),
            [
                "“Are you sure?” he asked.",
                "She said: “Why?”",
                "Nobody answered."
            ]
        );
    }

    #[test]
    fn closing_parenthesis_stays_with_the_sentence_it_closes() {
        assert_eq!(
            sentences("(The report came out Monday.) Officials said little."),
            ["(The report came out Monday.)", "Officials said little."]
        );
    }

    #[test]
    fn state_abbreviation_in_a_dateline_does_not_end_the_sentence() {
        let text = "MONTGOMERY, Ala. (AP) — The governor signed the bill.";
        assert_eq!(sentences(text), [text]);
    }

    #[test]
    fn time_with_a_zone_does_not_end_the_sentence() {
        assert_eq!(
            sentences("Polls close at 8 p.m. ET on Tuesday. Results follow."),
            ["Polls close at 8 p.m. ET on Tuesday.", "Results follow."]
        );
    }

    #[test]
    fn dash_and_numbered_lines_are_separate_sentences() {
        assert_eq!(
            sentences("Key points:\n- Troops moved\n- Talks stalled\n1. First\n2. Second"),
            [
                "Key points:",
                "- Troops moved",
                "- Talks stalled",
                "1. First",
                "2. Second"
            ]
        );
    }

    #[test]
    fn period_glued_to_the_next_word_does_not_end_the_sentence() {
        let text = "The Redmond, Wash.-based company paid $.50 a share.";
        assert_eq!(sentences(text), [text]);
    }

    #[test]
    fn ellipsis_opening_a_quote_does_not_end_the_sentence() {
        let text = "He said officials \"...plied the detective with a theory.\"";
        assert_eq!(sentences(text), [text]);
    }

    #[test]
    fn tokens_follow_the_documented_convention() {
        assert_eq!(
            tokens("U.S. officials can't say—yet."),
            ["U.S.", "officials", "ca", "n't", "say", "—", "yet", "."]
        );
    }

    #[test]
    fn non_ascii_text_gets_char_boundary_offsets() {
        let text = "Zelenskyy’s café 🇺🇦 réunion… Ça va? Да. 東京です。次";
        let seg = segment_text(text);
        for t in &seg.tokens {
            assert!(text.get(t.start..t.end).is_some());
        }
        assert_eq!(
            sentences(text),
            [
                "Zelenskyy’s café 🇺🇦 réunion…",
                "Ça va?",
                "Да.",
                "東京です。",
                "次"
            ]
        );
    }

    /// Every sentence of the reference article (samples/kursk-troops.txt), one paragraph per line.
    #[test]
    fn reference_article_sentences_are_all_right() {
        let text = include_str!("../../../samples/kursk-troops.txt");
        let expected = [
            "About 8,000 North Korean troops are in Russia’s Kursk region preparing to join the war against Ukraine, the Biden administration said Oct. 31.",
            "In its most complete estimates of North Korean support for Russia’s war thus far, officials said there are some 10,000 North Korean troops now in all of Russia.",
            "Secretary of Defense Lloyd J. Austin III and Secretary of State Antony J. Blinken disclosed the troop levels at a press conference alongside their South Korean counterparts following annual security talks.",
            "South Korea was the first to cite North Korean troops traveling to Russia and the U.S. eventually confirmed the assessment.",
            "North Korea has provided millions of artillery shells and numerous ballistic missiles to Russia, according to U.S. and South Korean officials, but to this point, it had not provided troops.",
            "Participating in combat marks a major escalation of Pyongyang’s involvement.",
            "It is not yet clear what Russia is offering in return.",
            "Moscow could provide Pyongyang help with conventional and even nuclear weapons technology, the South Korean government has suggested.",
            "“We’ve not yet seen these troops deploy into combat against Ukrainian forces, but we would expect that to happen in the coming days,” Blinken said.",
            "“Russia has been training DPRK soldiers in artillery, UAVs, basic infantry operations, including trench clearing, indicating that they fully intend to use these forces in front-line operations,” Blinken added, using the acronym for the Democratic People’s Republic of Korea.",
            "U.S. officials say the deployment of North Korean troops exposes Russian president Vladimir Putin’s desperate need for manpower.",
            "Russian forces are suffering more than 1,000 casualties per day, according to Western estimates, and the Kremlin wants to avoid the politically unpopular step of mobilizing more troops.",
            "The U.S. has not said how it plans to respond, saying it is consulting with allies.",
            "“Make no mistake, if these North Korean troops engage in combat or combat support operations against Ukraine, they would make themselves legitimate military targets,” Austin said.",
            "Whether that was an indication the U.S. might change its policy on its military support for Ukraine is unclear.",
            "A range of American adversaries—North Korea, Iran, and, to a lesser extent, China—have been providing arms to Russia or assisting Russia’s defense industry.",
            "Ukrainian President Volodymyr Zelenskyy has repeatedly appealed for permission to use American-made long-range weapons to strike inside of Russia.",
            "But the Biden administration has not allowed that, seeking to avoid escalation with Russia and downplaying the military utility of those weapons.",
            "South Korea, meanwhile, has raised the possibility that it could counter the North’s support for Russia by providing Ukraine with weapons made in South Korea.",
            "“We need to see the level of involvement of the DPRK forces in Russia, and we also need to watch what kind of quid pro quo the DPRK will be receiving from Russia,” South Korea’s foreign minister Cho Tae-yul said in the joint press conference.",
            "“So we will have to watch that before making a decision as to the weapons support that we will be providing to Ukraine.”",
        ];
        assert_eq!(sentences(text), expected);
        // The same article as ingest publishes it, paragraphs separated by blank lines.
        let normalised = text.trim_end().replace('\n', "\n\n");
        assert_eq!(sentences(&normalised), expected);
    }
}
