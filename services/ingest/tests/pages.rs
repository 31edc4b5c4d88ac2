//! Property tests of HTML pages: whatever markup a page is made of — tags opened and never
//! closed, closed and never opened, furniture classes, scripts, deep nesting — ingest reads it
//! without panicking, and its text is only taken from the page, in the page's order.

use newsflow_ingest::html_text;
use proptest::prelude::*;

/// Pieces pages are made of, in any order.
const PIECES: &[&str] = &[
    "<html>",
    "</html>",
    "<head>",
    "<title>A page</title>",
    "<body>",
    "</body>",
    "<div>",
    "</div>",
    "<p>",
    "</p>",
    "<article>",
    "</article>",
    "<main>",
    "<section class=\"story\">",
    "</section>",
    "<div class=\"related-stories\">",
    "<div class=\"entry-content share\">",
    "<figure>",
    "</figure>",
    "<figcaption>",
    "<nav>",
    "</nav>",
    "<footer>",
    "<script>",
    "</script>",
    "<style>",
    "</style>",
    "<br>",
    "<ul><li>",
    "</li></ul>",
    "<a href=\"/x\">",
    "</a>",
    "<h1>",
    "</h1>",
    "<time datetime=\"2024-01-01\">",
    "</time>",
    "<svg/>",
    "<!-- note -->",
    "<![CDATA[x]]>",
    "&amp;",
    "&nbsp;",
    "&#x1F600;",
    "<",
    ">",
    "\"",
    "By Ann Lee",
    "Updated 5:27 am",
    "The council met on Monday and voted to close the bridge.",
    "“We will reopen it,” the mayor said.",
    "Related stories",
    "© 2024 Site",
    "Ein Satz auf Deutsch.",
    "字",
    "\n",
    "\n\n",
    " ",
];

fn page() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..300).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn any_page_of_these_pieces_is_read_and_its_text_is_taken_from_it(page in page()) {
        let text = html_text(&page);
        // Only taken out, never made up or moved: the text's letters and digits are the page's,
        // in the page's order (entities become no letters or digits).
        let mut source = page.chars().filter(|c| c.is_alphanumeric());
        let kept = text.chars().filter(|c| c.is_alphanumeric()).all(|c| source.any(|s| s == c));
        prop_assert!(kept, "{text:?} is not taken from {page:?}");
    }

    #[test]
    fn any_string_is_read_without_panicking(page in any::<String>()) {
        let _ = html_text(&page);
    }
}
