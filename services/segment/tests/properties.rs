//! Property tests of the `segment` stage's text work: for any text, paragraphs, sentences and
//! tokens tile it (only whitespace between and around them), every offset is on a char boundary,
//! and nothing panics. `newsflow_segment::verify` states the invariants.

use newsflow_segment::{segment_text, verify};
use proptest::prelude::*;

/// Pieces that exercise the rules: abbreviations, quotes, ellipses, lists, URLs, clitics,
/// non-ASCII letters, emoji and joiners, odd whitespace and line breaks.
const PIECES: &[&str] = &[
    "The",
    "officials",
    "said",
    "Oct.",
    "31",
    "U.S.",
    "J.",
    "Mr.",
    "Inc.",
    "No.",
    "p.m.",
    "a.m",
    "8,000",
    "3.5",
    "can't",
    "Russia’s",
    "O'Brien",
    "long-range",
    ".",
    ". ",
    "!",
    "?",
    "?!",
    "...",
    "…",
    ". . .",
    "....",
    ",",
    ";",
    ":",
    "—",
    "-",
    "--",
    "*",
    "•",
    "⁃",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "'",
    "“",
    "”",
    "‘",
    "’",
    "«",
    "»",
    "1.",
    "2)",
    "a.",
    "b)",
    "www.example.com/a.b",
    "https://x.y/(z)",
    "jane.doe@example.com",
    "N°",
    "°",
    "@",
    "#",
    "$",
    "%",
    "&",
    "AT&T",
    "é",
    "e\u{301}",
    "\u{301}",
    "Ça",
    "Да",
    "東京",
    "。",
    "😀",
    "👍🏽",
    "👨\u{200D}👩",
    "\u{200D}",
    "\u{FE0F}",
    "🇺",
    "🇺🇦",
    " ",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    " \n \n",
    "\u{a0}",
    "\u{2029}",
    "\u{2028}",
    "\u{3000}",
    "\u{200B}",
    "\u{0}",
    "\u{feff}",
    "'s",
    "n't",
    "I",
    "It",
    "KYIV",
    "(AP)",
];

fn pieced_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..120).prop_map(|pieces| {
        // Join with nothing or a space, decided by the piece itself, to get glued forms too.
        let mut text = String::new();
        for (k, piece) in pieces.iter().enumerate() {
            if k % 3 == 0 {
                text.push(' ');
            }
            text.push_str(piece);
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn segmentation_of_news_like_text_tiles_it(text in pieced_text()) {
        let seg = segment_text(&text);
        prop_assert_eq!(verify(&text, &seg), Ok(()));
    }

    #[test]
    fn segmentation_of_arbitrary_text_tiles_it(text in any::<String>()) {
        let seg = segment_text(&text);
        prop_assert_eq!(verify(&text, &seg), Ok(()));
    }

    #[test]
    fn segmentation_is_deterministic(text in pieced_text()) {
        prop_assert_eq!(segment_text(&text), segment_text(&text));
    }
}

#[test]
fn every_sample_article_is_tiled() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).expect("the repository has samples/") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt") {
            let text = std::fs::read_to_string(&path).unwrap();
            let seg = segment_text(&text);
            assert_eq!(verify(&text, &seg), Ok(()), "{}", path.display());
            checked += 1;
        }
    }
    assert!(checked > 0);
}
