//! Behaviour of `find_quotes` on small articles built by hand.

use super::*;
use newsflow_proto::{EntityGroup, EntityLabel, Mention, QuoteKind};

/// Entities for the given names: every occurrence of each name is a mention of its own group.
fn entities(text: &str, names: &[(&str, EntityLabel)]) -> Entities {
    let mut out = Entities::default();
    for (id, (name, label)) in names.iter().enumerate() {
        out.groups.push(EntityGroup {
            id,
            label: *label,
            name: name.to_string(),
            slug: name.to_lowercase().replace(' ', "-"),
            key: String::new(),
            mention_count: text.matches(name).count(),
        });
        for (start, m) in text.match_indices(name) {
            out.mentions.push(Mention {
                start,
                end: start + m.len(),
                text: m.to_string(),
                label: *label,
                group: id,
            });
        }
    }
    out.mentions.sort_by_key(|m| m.start);
    out
}

fn run(text: &str, names: &[(&str, EntityLabel)]) -> Vec<Quote> {
    let seg = fallback::segment_text(text);
    find_quotes(text, &seg, &entities(text, names))
}

/// The rules alone (no tagger): the cue patterns are what is under test.
fn rules(text: &str, names: &[(&str, EntityLabel)]) -> Vec<Quote> {
    let seg = fallback::segment_text(text);
    find_quotes_by_rules(text, &seg, &entities(text, names))
}

fn get(text: &str, span: Option<newsflow_proto::Span>) -> &str {
    span.and_then(|s| s.get(text)).unwrap_or("")
}

#[test]
fn quotes_returns_empty_list_when_article_has_no_quotes() {
    assert!(run("The sun rose over the hills. Birds sang.", &[]).is_empty());
}

#[test]
fn direct_quote_with_trailing_attribution_names_its_speaker() {
    let text = "“We will respond,” Blinken said.";
    let q = run(text, &[("Blinken", EntityLabel::Person)]);
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].kind, QuoteKind::Direct);
    assert_eq!(
        q[0].text, "We will respond",
        "the hand-over comma is not part of what was said"
    );
    assert_eq!(get(text, q[0].source), "Blinken");
    assert_eq!(get(text, q[0].cue), "said");
    assert_eq!(q[0].speaker.as_deref(), Some("Blinken"));
    assert_eq!(q[0].speaker_entity, Some(0));
}

#[test]
fn split_quote_in_one_sentence_is_one_quote_with_two_spans() {
    let text = "\"We need time,\" he said, \"and we will take it.\"";
    let q = run(text, &[]);
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].content.len(), 2);
    assert_eq!(q[0].text, "We need time and we will take it.");
}

#[test]
fn following_quote_without_attribution_continues_the_previous_speaker() {
    let text =
        "“We need to see more,” Cho Tae-yul said in the press conference. “So we will watch.”";
    let q = run(text, &[("Cho Tae-yul", EntityLabel::Person)]);
    assert_eq!(q.len(), 2);
    assert_eq!(q[1].speaker.as_deref(), Some("Cho Tae-yul"));
    assert_eq!(q[1].speaker_entity, Some(0));
    assert_eq!(q[1].text, "So we will watch.");
}

#[test]
fn pronoun_source_resolves_to_the_nearest_preceding_person() {
    let text = "Austin spoke first.\n“Make no mistake,” he said.";
    let q = run(text, &[("Austin", EntityLabel::Person)]);
    assert_eq!(q.len(), 1);
    assert_eq!(get(text, q[0].source), "he");
    assert_eq!(q[0].speaker.as_deref(), Some("Austin"));
}

#[test]
fn multi_paragraph_quote_keeps_one_span_per_paragraph() {
    let text = "Smith said:\n“The first part.\n“The second part.”";
    let q = run(text, &[("Smith", EntityLabel::Person)]);
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].content.len(), 2);
    assert_eq!(q[0].speaker.as_deref(), Some("Smith"));
}

#[test]
fn rules_reported_speech_with_leading_source_takes_the_rest_of_the_sentence() {
    let text = "In its estimate, officials said there are some 10,000 troops in Russia.";
    let q = rules(text, &[]);
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].kind, QuoteKind::Indirect);
    assert_eq!(get(text, q[0].source), "officials");
    assert_eq!(q[0].text, "there are some 10,000 troops in Russia");
}

#[test]
fn rules_reported_speech_with_final_attribution_takes_the_clause_before_it() {
    let text = "Moscow could provide help with weapons, the South Korean government has suggested.";
    let q = rules(text, &[]);
    assert_eq!(q.len(), 1);
    assert_eq!(get(text, q[0].source), "the South Korean government");
    assert_eq!(get(text, q[0].cue), "suggested");
    assert_eq!(q[0].text, "Moscow could provide help with weapons");
}

#[test]
fn rules_according_to_names_the_source_after_the_cue() {
    let text = "North Korea has sent shells to Russia, according to U.S. and South Korean officials, but not troops.";
    let q = rules(text, &[]);
    assert_eq!(q.len(), 1);
    assert_eq!(get(text, q[0].source), "U.S. and South Korean officials");
    assert_eq!(get(text, q[0].cue), "according to");
}

#[test]
fn rules_told_skips_the_hearer_before_that() {
    let text = "Smith told reporters on Monday that the talks had failed.";
    let q = rules(text, &[]);
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].text, "that the talks had failed");
}

#[test]
fn rules_negated_cue_reports_nothing() {
    assert!(rules("The U.S. has not said how it plans to respond.", &[]).is_empty());
}

#[test]
fn scare_quote_inside_a_sentence_is_not_a_direct_quote() {
    let q = run(
        "He called the plan a “disaster” for everyone involved in it.",
        &[],
    );
    assert!(q.iter().all(|q| q.kind != QuoteKind::Direct));
}

#[test]
fn role_source_resolves_through_an_earlier_apposition() {
    let text = "South Korea’s foreign minister Cho Tae-yul arrived.\n“We will watch,” the foreign minister said.";
    let q = run(text, &[("Cho Tae-yul", EntityLabel::Person)]);
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].speaker.as_deref(), Some("Cho Tae-yul"));
}

#[test]
fn find_quotes_never_panics_on_inconsistent_input() {
    let text = "“Unclosed quote, he said\n\"\"\" ” “ é “ü”";
    let mut seg = fallback::segment_text(text);
    seg.sentences[0].start = 3; // off a char boundary
    seg.paragraphs.push(newsflow_proto::Span::new(1000, 2000));
    let mut ents = entities(text, &[]);
    ents.mentions.push(Mention {
        start: 7,
        end: 999,
        text: String::new(),
        label: EntityLabel::Person,
        group: 42,
    });
    let _ = find_quotes(text, &seg, &ents);
    let _ = find_quotes("", &Segmentation::default(), &Entities::default());
    for cut in 0..text.len() {
        if let Some(prefix) = text.get(..cut) {
            let _ = find_quotes(prefix, &seg, &ents);
        }
    }
}

#[test]
fn learned_tagger_reports_indirect_speech_with_its_source() {
    let text = "About 8,000 troops are in the region, the Biden administration said Oct. 31. \
                In its estimates, officials said there are some 10,000 troops in all of Russia.";
    let q = run(text, &[]);
    let sources: Vec<&str> = q.iter().map(|q| get(text, q.source)).collect();
    assert!(sources.contains(&"the Biden administration"), "{sources:?}");
    assert!(sources.contains(&"officials"), "{sources:?}");
    assert!(q.iter().all(|q| q.kind != QuoteKind::Direct));
}

#[test]
fn kursk_sample_yields_the_five_quoted_passages_and_the_reported_statements() {
    let text = include_str!("../../../samples/kursk-troops.txt");
    let names = [
        ("Antony J. Blinken", EntityLabel::Person),
        ("Blinken", EntityLabel::Person),
        ("Lloyd J. Austin III", EntityLabel::Person),
        ("Austin", EntityLabel::Person),
        ("Cho Tae-yul", EntityLabel::Person),
    ];
    let q = run(text, &names);
    let direct: Vec<&str> = q
        .iter()
        .filter(|q| q.kind == QuoteKind::Direct)
        .map(|q| q.speaker.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(
        direct,
        vec!["Blinken", "Blinken", "Austin", "Cho Tae-yul", "Cho Tae-yul"]
    );
    let sources: Vec<&str> = q
        .iter()
        .filter(|q| q.kind != QuoteKind::Direct)
        .map(|q| get(text, q.source))
        .collect();
    for s in [
        "the Biden administration",
        "officials",
        "the South Korean government",
        "U.S. and South Korean officials",
    ] {
        assert!(sources.contains(&s), "{s} missing from {sources:?}");
    }
}

#[test]
fn relative_pronoun_source_resolves_to_the_name_before_it() {
    let text = "Ted Cruz endorses Trump, who says he is honored by the support.";
    let q = rules(
        text,
        &[
            ("Trump", EntityLabel::Person),
            ("Ted Cruz", EntityLabel::Person),
        ],
    );
    let says = q
        .iter()
        .find(|q| get(text, q.cue) == "says")
        .expect("an attribution on says");
    assert_eq!(get(text, says.source), "who");
    assert_eq!(says.speaker.as_deref(), Some("Trump"));
}

#[test]
fn a_source_no_entity_names_is_a_speaker_only_when_it_names_a_role_group_or_name() {
    let speaker = |text: &str| {
        let q = run(text, &[]);
        assert_eq!(q.len(), 1, "{text}");
        q[0].speaker.clone()
    };
    assert_eq!(
        speaker("“We are ready,” the foreign minister said."),
        Some("the foreign minister".to_owned())
    );
    assert_eq!(
        speaker("“We are ready,” U.S. officials said."),
        Some("U.S. officials".to_owned())
    );
    assert_eq!(
        speaker("“We are ready,” the parents said."),
        Some("the parents".to_owned())
    );
    assert_eq!(speaker("“We are ready,” WHO said."), Some("WHO".to_owned()));
    // No person before it to stand for: an unresolved pronoun names no one.
    assert_eq!(speaker("“We are ready,” they said."), None);
    assert_eq!(speaker("“We are ready,” it said."), None);
}

#[test]
fn a_name_that_modifies_the_source_is_not_the_speaker() {
    for (text, speaker) in [
        (
            "“Troops are in Kursk,” the Biden administration said.",
            "the Biden administration",
        ),
        (
            "“That was outrageous,” Obama's former campaign strategist said.",
            "Obama's former campaign strategist",
        ),
    ] {
        let name = if text.contains("Biden") {
            "Biden"
        } else {
            "Obama"
        };
        let q = run(text, &[(name, EntityLabel::Person)]);
        assert_eq!(q.len(), 1, "{text}");
        assert_eq!(q[0].speaker.as_deref(), Some(speaker), "{text}");
        assert_eq!(q[0].speaker_entity, None, "{text}");
    }
    let text = "“We will respond,” Biden said.";
    let q = run(text, &[("Biden", EntityLabel::Person)]);
    assert_eq!(
        q[0].speaker_entity,
        Some(0),
        "the name alone is the speaker"
    );
}

#[test]
fn a_negated_cue_reports_nothing_said() {
    let text = "The ministry has not said how it plans to respond. It did not tell reporters \
                whether talks would resume.";
    let q = run(text, &[]);
    assert!(q.is_empty(), "{q:#?}");
}

#[test]
fn content_fronted_before_a_closing_attribution_starts_with_its_sentence() {
    let text = "It is not clear what Russia offers. Moscow could provide Pyongyang help with \
                weapons technology, the South Korean government has suggested.";
    let q = run(
        text,
        &[
            ("Russia", EntityLabel::Loc),
            ("Moscow", EntityLabel::Loc),
            ("Pyongyang", EntityLabel::Loc),
        ],
    );
    let help = q
        .iter()
        .find(|q| q.text.contains("weapons technology"))
        .expect("the statement is found");
    assert_eq!(
        help.text,
        "Moscow could provide Pyongyang help with weapons technology"
    );
}

#[test]
fn a_transcript_gives_each_paragraph_to_the_speaker_its_label_names() {
    let text = "Partial transcript as follows:\n\n\"WALLACE: Let's start with the debate story \
                tonight.\n\n\"PENCE: Well, look, this is serious business for the country.\n\n\
                Photo: The two men before the interview began.";
    let q = run(text, &[]);
    let said: Vec<(&str, &str)> = q
        .iter()
        .map(|q| (q.speaker.as_deref().unwrap_or(""), q.text.as_str()))
        .collect();
    assert_eq!(
        said,
        [
            ("WALLACE", "Let's start with the debate story tonight."),
            (
                "PENCE",
                "Well, look, this is serious business for the country."
            ),
        ],
        "the photo's caption is no one's statement"
    );
}

#[test]
fn a_headline_opening_with_a_name_and_a_colon_is_that_name_s_statement() {
    let text = "Pat Caddell: Democrat Voters Worried About Clinton's Health\n\n\
                Stealth Over Health: Clinton Team Avoided the Emergency Room\n\n\
                The pollster spoke on Monday.";
    let q = run(text, &[("Pat Caddell", EntityLabel::Person)]);
    let caddell = q
        .iter()
        .find(|q| q.speaker.as_deref() == Some("Pat Caddell"))
        .unwrap_or_else(|| panic!("{q:#?}"));
    assert_eq!(
        caddell.text,
        "Democrat Voters Worried About Clinton's Health"
    );
    assert!(
        !q.iter()
            .any(|q| q.speaker.as_deref() == Some("Stealth Over Health")),
        "a title-case phrase is no speaker: {q:#?}"
    );
}
