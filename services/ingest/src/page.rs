//! A web page as an article: its main content as text (navigation, related links, comments,
//! ads and footers left out) and what the page says of itself — title, byline, date, canonical
//! URL, site name, language — read from its meta tags, JSON-LD and markup.
//!
//! The main content is chosen by Readability's scoring (the `dom_smoothie` crate) over the
//! page's tree. A page whose tree would be hostile to build (nesting deeper than any real page,
//! or more elements than one holds) is read by the streaming [`html::to_text`] instead: every
//! block's text, in one linear pass.

use crate::html;
use dom_smoothie::{CandidateSelectMode, Config, Readability, TextMode};

fn is_absolute(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// What ingest reads from a page.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Page {
    /// The main content, one paragraph per block, not yet normalised.
    pub text: String,
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
    pub site_name: Option<String>,
    pub language: Option<String>,
}

/// Reads `body`, an HTML page or fragment.
pub fn read(body: &str) -> Page {
    let shape = html::shape(body);
    let canonical = shape
        .canonical
        .filter(|url| is_absolute(url) && url.len() <= 2_048);
    let everything = || Page {
        text: html::to_text(body),
        url: canonical.clone(),
        ..Page::default()
    };
    if shape.hostile.is_some() {
        return everything();
    }
    let config = Config {
        // Classes tell the furniture inside the content apart (see `html::main_text`).
        keep_classes: true,
        max_elements_to_parse: html::MAX_ELEMENTS,
        text_mode: TextMode::Formatted,
        candidate_select_mode: CandidateSelectMode::Readability,
        ..Config::default()
    };
    let Ok(mut readability) = Readability::new(body, None, Some(config)) else {
        return everything();
    };
    let Ok(article) = readability.parse() else {
        return everything();
    };
    let text = without_furniture(&html::main_text(&article.content));
    if text.trim().is_empty() {
        return everything();
    }
    // A page's own words about itself, each at most as long as any real one: they ride on
    // every hop with the text.
    let given = |value: Option<String>, at_most: usize| {
        value
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty() && v.chars().count() <= at_most)
    };
    Page {
        text,
        title: given(Some(article.title), 1_000),
        byline: given(article.byline.map(|byline| without_by(&byline)), 500),
        published: given(article.published_time, 100),
        url: canonical.or_else(|| given(article.url, 2_048).filter(|url| is_absolute(url))),
        site_name: given(article.site_name, 200),
        language: given(article.lang, 35),
    }
}

/// A byline's names without the "By" pages put before them (Readability keeps it when the
/// byline is the element's whole text).
fn without_by(byline: &str) -> String {
    let trimmed = byline.trim();
    match trimmed.get(..3) {
        Some(by) if by.eq_ignore_ascii_case("by ") => trimmed[3..].trim().to_owned(),
        _ => trimmed.to_owned(),
    }
}

/// `text` without the paragraphs that are page furniture by their words (a byline, a time
/// stamp, a photo credit, a copyright line, a pointer to more stories) and without a
/// paragraph's second copy. A pointer to more stories in the second half of the text ends the
/// story there: what follows it is the list.
fn without_furniture(text: &str) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    // After a pointer to more stories, the headlines it points to (lines that are no sentence).
    let mut listing = false;
    for paragraph in text.split("\n\n") {
        at += paragraph.len() + 2;
        let line = paragraph.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(more) = more_stories(line) {
            if more == More::EndsTheStory && at * 10 > text.len() * 7 {
                break;
            }
            listing = true;
            continue;
        }
        if listing && !is_sentence(line) {
            continue;
        }
        listing = false;
        // A short line may come back in a story ("No." in an interview); a long one not.
        let repeated = line.split_whitespace().count() >= 6 && !seen.insert(line);
        if is_furniture_line(line) || repeated {
            continue;
        }
        out.push_str(line);
        out.push_str("\n\n");
    }
    out
}

/// The words a line of page furniture starts with, once its leading marks are off, when the
/// line is no sentence (`By Paul Takahashi`, not `By noon the road was open.`).
const FURNITURE_LABELS: &[&str] = &[
    "by",
    "updated",
    "published",
    "posted",
    "photo",
    "image",
    "caption",
    "close",
    "advert",
    "advertisement",
    "comments",
    "follow us",
    "share this",
    "sign up",
    "subscribe",
    "copyright",
    "tags",
    "tell us what you think",
];

/// The words a line of page furniture starts with, sentence or not.
const FURNITURE_STARTS: &[&str] = &[
    "photo:",
    "photos:",
    "(image",
    "(photo",
    "(credit",
    "related:",
    "read more",
    "see more",
    "continue reading",
    "this slideshow requires",
];

/// Whether `lower` starts with `words` as whole words.
fn starts_with_words(lower: &str, words: &str) -> bool {
    lower.strip_prefix(words).is_some_and(|rest| {
        rest.chars().next().is_none_or(|c| !c.is_alphanumeric())
            || !words.ends_with(|c: char| c.is_alphanumeric())
    })
}

/// The words of a heading that points to other stories after the story's end.
const STORIES_AFTER: &[&str] = &[
    "you may also like",
    "you might also like",
    "want more stories",
    "more stories",
    "related stories",
    "related articles",
    "related content",
    "read next",
    "most popular",
    "most read",
    "most viewed",
    "top stories",
    "popular stories",
    "latest stories",
    "recommended for you",
    "trending now",
    "around the web",
    "from the web",
    "sponsored stories",
    "promoted stories",
];

/// The words of a heading that points to other stories, inside the story as often as after it.
const STORIES_BESIDE: &[&str] = &["more from", "don't miss", "see also", "related:"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum More {
    /// Near the end, the list of other stories follows and the story is over.
    EndsTheStory,
    /// Headlines follow; the story may go on after them.
    Headlines,
}

fn marks_off(line: &str) -> String {
    line.trim_start_matches(|c: char| "·|•-–—*>»".contains(c) || c.is_whitespace())
        .to_lowercase()
}

fn more_stories(line: &str) -> Option<More> {
    if line.split_whitespace().count() > 6 {
        return None;
    }
    let lower = marks_off(line);
    if STORIES_AFTER.iter().any(|m| lower.starts_with(m)) {
        Some(More::EndsTheStory)
    } else if STORIES_BESIDE.iter().any(|m| lower.starts_with(m)) {
        Some(More::Headlines)
    } else {
        None
    }
}

/// Whether a line ends as a sentence does.
fn is_sentence(line: &str) -> bool {
    line.trim_end()
        .ends_with(['.', '!', '?', '"', '”', '’', '\'', ':', ';', ')'])
}

/// Short lines pages put around a story: bylines, time stamps, credits, copyright lines,
/// labels, newsletter invitations, a lone address.
fn is_furniture_line(line: &str) -> bool {
    let words = line.split_whitespace().count();
    let lower = marks_off(line);
    // An invitation to a newsletter, however it is worded.
    if words <= 20
        && (lower.contains("your inbox")
            || (lower.contains("newsletter")
                && (lower.contains("sign up") || lower.contains("subscrib"))))
    {
        return true;
    }
    if words > 14 {
        return false;
    }
    FURNITURE_STARTS
        .iter()
        .any(|start| starts_with_words(&lower, start))
        || (!is_sentence(line)
            && FURNITURE_LABELS
                .iter()
                .any(|label| starts_with_words(&lower, label)))
        || is_shouted(line)
        || (words <= 12 && (lower.contains('©') || lower.contains("all rights reserved")))
        || (words <= 4 && line.ends_with(['>', '›', '»']) && !line.starts_with(['<', '‹', '«']))
        || (words == 1 && (lower.contains('@') || lower.starts_with("twitter.com/")))
        || (words <= 10 && has_clock_time(line) && !is_sentence(line))
        || is_date_only(line)
}

/// A date and nothing else (`November 1, 2024`, `Wed 13 April 2011`, `2024-11-01`): a page's
/// time stamp, which a story never is.
fn is_date_only(line: &str) -> bool {
    const NAMES: [&str; 19] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "mon", "tue", "wed", "thu", "fri", "sat",
    ];
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    const DAYS: [&str; 8] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "sun",
    ];
    let words: Vec<String> = line
        .split_whitespace()
        .map(|word| word.trim_matches([',', '.']).to_lowercase())
        .filter(|word| !word.is_empty())
        .collect();
    let is_iso = |word: &str| {
        let parts: Vec<&str> = word.split(['-', '/']).collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    let is_number = |word: &str| {
        let digits = ["st", "nd", "rd", "th"]
            .iter()
            .find_map(|suffix| word.strip_suffix(suffix))
            .unwrap_or(word);
        (1..=4).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    };
    let named =
        |word: &str| MONTHS.contains(&word) || NAMES.contains(&word) || DAYS.contains(&word);
    // A lone month could be a word of the story ("March"); a lone ISO date could not.
    (words.len() >= 2 || words.iter().all(|w| is_iso(w)))
        && words.len() <= 5
        && words.iter().all(|w| named(w) || is_number(w) || is_iso(w))
        && words
            .iter()
            .any(|w| is_iso(w) || MONTHS.contains(&w.as_str()) || NAMES[..13].contains(&w.as_str()))
}

/// Whether `line` holds a time of day such as `5:27` or `17:19`.
fn has_clock_time(line: &str) -> bool {
    let bytes = line.as_bytes();
    bytes.windows(4).enumerate().any(|(i, w)| {
        w[0].is_ascii_digit()
            && w[1] == b':'
            && w[2].is_ascii_digit()
            && w[3].is_ascii_digit()
            && bytes.get(i + 4).is_none_or(|b| !b.is_ascii_digit())
    })
}

/// A long line in capitals that is no sentence: a link to another story or an app, set in
/// capitals to stand out from the story (`CLICK HERE TO GET THE FOX NEWS APP`).
fn is_shouted(line: &str) -> bool {
    let letters = line.chars().filter(|c| c.is_alphabetic());
    let (upper, lower) = letters.fold((0, 0), |(u, l), c| {
        if c.is_uppercase() {
            (u + 1, l)
        } else if c.is_lowercase() {
            (u, l + 1)
        } else {
            (u, l)
        }
    });
    // Section headings are set in capitals too, and are shorter.
    line.split_whitespace().count() >= 8 && lower * 10 < upper && !is_sentence(line)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A news page as sites write them: the story between navigation, a share bar, a photo with
    /// its caption, a related-stories list, a newsletter box and a footer.
    pub(crate) const PAGE: &str = r##"<!doctype html><html lang="en-GB"><head>
<title>Harbour bridge reopens | The Coast Herald</title>
<meta property="og:title" content="Harbour bridge reopens after two years">
<meta property="og:site_name" content="The Coast Herald">
<meta name="author" content="Maria Lopez">
<link rel="canonical" href="https://herald.example/news/harbour-bridge">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Harbour bridge reopens after two years","datePublished":"2024-03-05T09:30:00+00:00","author":{"@type":"Person","name":"Maria Lopez"}}</script>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<header class="site-header"><a href="/">The Coast Herald</a></header>
<main><article class="story">
<h1>Harbour bridge reopens after two years</h1>
<div class="byline">By Maria Lopez</div>
<time datetime="2024-03-05T09:30:00Z">Updated 9:30 am GMT, March 5, 2024</time>
<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<figure><img src="bridge.jpg"><figcaption>The bridge at dawn. Photo: Sam Reed</figcaption></figure>
<div class="story-body">
<p>The harbour bridge reopened to traffic on Tuesday morning after two years of repairs, the city council said.</p>
<p>"We are proud of the crews who worked through two winters," the mayor, Ana Ruiz, told reporters at the ceremony.</p>
<p>About 40,000 vehicles are expected to cross the bridge each day once the ferry service winds down next month.</p>
<p>Engineers replaced the deck, the cables and both approach ramps, and added a lane for bicycles along the eastern side.</p>
</div>
<div class="related-stories"><h3>Related stories</h3><ul>
<li><a href="/a">Ferry fares to rise in spring</a></li><li><a href="/b">Council approves new budget</a></li></ul></div>
<div class="newsletter-signup"><p>Get the morning briefing in your inbox every day.</p></div>
</article></main>
<aside><h3>Most read</h3><ol><li><a href="/c">Storm warning for the weekend</a></li></ol></aside>
<footer><p>© 2024 The Coast Herald. All rights reserved.</p><p>12 Quay Street, Port Town</p></footer>
</body></html>"##;

    #[test]
    fn a_news_page_gives_its_story_and_what_it_says_of_itself() {
        let page = read(PAGE);
        let paragraphs: Vec<&str> = page
            .text
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        assert_eq!(paragraphs.len(), 4, "{:#?}", page.text);
        assert!(paragraphs[0].starts_with("The harbour bridge reopened"));
        assert!(paragraphs[3].starts_with("Engineers replaced the deck"));
        for furniture in [
            "Home",
            "Share on",
            "Photo: Sam Reed",
            "Ferry fares",
            "morning briefing",
            "Storm warning",
            "©",
            "Quay Street",
            "By Maria",
        ] {
            assert!(
                !page.text.contains(furniture),
                "{furniture} in {:?}",
                page.text
            );
        }
        assert_eq!(
            page.title.as_deref(),
            Some("Harbour bridge reopens after two years")
        );
        assert_eq!(page.byline.as_deref(), Some("Maria Lopez"));
        assert_eq!(without_by("By Wire Staff"), "Wire Staff");
        assert_eq!(without_by("BY  Ann Lee "), "Ann Lee");
        assert_eq!(without_by("Byron Hale"), "Byron Hale");
        assert_eq!(page.published.as_deref(), Some("2024-03-05T09:30:00+00:00"));
        assert_eq!(
            page.url.as_deref(),
            Some("https://herald.example/news/harbour-bridge")
        );
        assert_eq!(page.site_name.as_deref(), Some("The Coast Herald"));
        assert_eq!(page.language.as_deref(), Some("en-GB"));
    }

    #[test]
    fn trees_hostile_to_build_are_told_from_real_pages_before_they_are_built() {
        let story = "<p>The council met on Monday.</p>";
        let hostile = [
            // Stray end tags close nothing: the divs nest.
            format!("{story}{}", "<div></x>".repeat(2_000)),
            // Inside SVG a <style> holds markup, not text.
            format!("{story}<svg><style>{}", "<div>".repeat(2_000)),
            // Formatting left open is re-created in every block after it.
            format!(
                "<p>{}</p>{}",
                "<b id=k>".repeat(250),
                "<p>x</p>".repeat(2_000)
            ),
            "<i>".repeat(300),
        ];
        for page in &hostile {
            assert!(html::shape(page).hostile.is_some(), "{}", &page[..80]);
        }
        let real = [
            // Paragraphs and list items left unclosed, as old pages write them.
            format!("<body>{}</body>", "<p>A paragraph.".repeat(400)),
            format!("<ul>{}</ul>", "<li>An item".repeat(400)),
            format!("<select>{}</select>", "<option>A country".repeat(300)),
            PAGE.to_owned(),
        ];
        for page in &real {
            assert_eq!(html::shape(page).hostile, None, "{}", &page[..60]);
        }
    }

    #[test]
    fn a_page_too_deep_for_a_tree_is_read_block_by_block() {
        let page = format!(
            "<div><p>Kept.</p>{}deep{}</div>",
            "<div>".repeat(10_000),
            "</div>".repeat(10_000)
        );
        let page = format!("<link rel=canonical href=\"https://x.example/a\">{page}");
        let read = read(&page);
        assert!(
            read.text.contains("Kept.") && read.text.contains("deep"),
            "{:?}",
            read.text
        );
        assert_eq!(read.title, None);
        assert_eq!(
            read.url.as_deref(),
            Some("https://x.example/a"),
            "the canonical URL is kept"
        );
    }

    #[test]
    fn lines_of_furniture_go_and_the_story_stays() {
        for line in [
            "By Paul Takahashi",
            "Updated 5:27 am CST, Wednesday, November 20, 2019",
            "PUBLISHED: 10:48, Tue, Nov 19, 2019",
            "· Updated: Nov 18, 2019 @17:26 PM",
            "Photo: Hau Dinh, AP",
            "Image 1 of 8",
            "© 2019 Capitol Hill Publishing Corp.",
            "News >",
            "paul.takahashi@chron.com",
            "CLICK HERE TO GET THE FOX NEWS APP ON YOUR PHONE",
            "November 1, 2024",
            "Wednesday, April 13, 2011",
            "13 Apr. 2011",
            "2024-11-01",
        ] {
            assert!(is_furniture_line(line), "{line}");
        }
        for line in [
            "By the time the crews arrived, the fire had spread to the second floor.",
            "WHAT YOU NEED TO MAKE JAM",
            "The meeting started at 10:30 and ended after midnight.",
            "Updated figures from the ministry show a 4% rise.",
            "Closer to home, the council faces a deficit.",
            "Subscribers will pay $2 more from July.",
            "Copyright holders sued in March.",
            "Comments by the minister drew criticism.",
            "Bystanders filmed the arrest",
            "The newsletter, sent to 40,000 readers, stopped in May.",
            "May 2024 was the wettest on record.",
            "March",
            "1,200",
        ] {
            assert!(!is_furniture_line(line), "{line}");
        }
    }

    #[test]
    fn a_list_of_other_stories_ends_the_story_near_its_end_and_is_left_out_inside_it() {
        let story =
            "One sentence of the story.\n\nAnother sentence of it.\n\nA third one here.\n\n";
        let text = format!("{story}You may also like\n\nFerry fares to rise\n\nBudget approved.");
        assert_eq!(without_furniture(&text), story);
        let text = format!(
            "A first sentence.\n\nDon't miss\n\nFerry fares to rise\n\nThe story goes on.\n\n{story}"
        );
        assert_eq!(
            without_furniture(&text),
            format!("A first sentence.\n\nThe story goes on.\n\n{story}")
        );
    }
}
