//! HTML to text: one paragraph per block element; scripts, styles and page furniture dropped.

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use std::cell::{Cell, RefCell};

/// Whether an untyped body is HTML: it starts with a tag or holds paragraph markup.
pub(crate) fn looks_like_html(body: &str) -> bool {
    let start = body.trim_start();
    let lower: String = start
        .chars()
        .take(15)
        .flat_map(char::to_lowercase)
        .collect();
    lower.starts_with("<!doctype")
        || lower.starts_with("<html")
        || (start.starts_with('<') && start.contains('>') && body.contains("</"))
        || body.contains("<p>")
        || body.contains("</p>")
}

const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "aside", "footer", "form", "button", "svg",
    "iframe", "head", "title",
];
const BLOCK: &[&str] = &[
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "blockquote",
    "section",
    "article",
    "header",
    "main",
    "figure",
    "figcaption",
    "table",
    "tr",
    "pre",
    "dd",
    "dt",
    "hr",
];

/// The text of an HTML document, with a blank line between blocks.
///
/// Read from the tokenizer's stream, without building a tree: what is kept (text outside
/// skipped elements, a break at each block tag) needs no tree, and the tree builder is what
/// made hostile pages expensive (100,000 nested `<div>`s took a minute, each open tag checked
/// against every element still open, then overflowed the stack walking the tree). This is one
/// linear pass at any depth.
pub(crate) fn to_text(body: &str) -> String {
    text_of(body, false)
}

/// [`to_text`] of an article's main content, leaving out what pages put around the story
/// inside it: figures and their captions, and elements whose class or id names page
/// furniture (bylines, timestamps, share bars, related links, galleries, newsletter boxes).
pub(crate) fn main_text(body: &str) -> String {
    text_of(body, true)
}

fn text_of(body: &str, furniture: bool) -> String {
    let sink = TextSink {
        out: RefCell::new(String::with_capacity(body.len() / 2)),
        skipping: RefCell::new(None),
        furniture,
    };
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(body));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.out.into_inner()
}

/// Collects text as the tokenizer finds it.
struct TextSink {
    out: RefCell<String>,
    /// The skipped element being read, if any.
    skipping: RefCell<Option<Skipping>>,
    /// Whether page furniture inside an article is skipped too (see [`main_text`]).
    furniture: bool,
}

/// Where a skipped element ends: at its own end tag (`same` of it open), at the end tag of an
/// element opened before it (`depth` goes below zero: `<div><button>Share</div>` closes the
/// button as a browser does), or, for `<head>`, at the first tag that cannot be in a head.
#[derive(Debug, Clone)]
struct Skipping {
    /// Its name.
    element: html5ever::LocalName,
    /// How many elements of its name are open.
    same: u32,
    /// Elements opened inside it and not closed.
    depth: u32,
}

/// Whether `tag` opens a picture or its caption: beside the story, not in it. A figure that
/// holds a table, an embed or a quote (as WordPress blocks do) is part of the story.
fn is_figure(tag: &Tag) -> bool {
    match &*tag.name {
        "figcaption" | "picture" => true,
        "figure" => !tag
            .attrs
            .iter()
            .filter(|attr| &*attr.name.local == "class")
            .flat_map(|attr| {
                attr.value
                    .split_ascii_whitespace()
                    .flat_map(name_words)
                    .collect::<Vec<_>>()
            })
            .any(|w| matches!(w.as_str(), "table" | "embed" | "quote" | "pullquote")),
        _ => false,
    }
}

/// Words in a class or id that name page furniture whatever else the name says
/// (`related-content`, `comment-body`).
const FURNITURE: &[&str] = &[
    "related",
    "share",
    "sharing",
    "social",
    "newsletter",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "sponsor",
    "sponsored",
    "promo",
    "comment",
    "comments",
    "breadcrumb",
    "breadcrumbs",
];

/// Words that name furniture in a name that does not also name the story (`byline`, not
/// `entry-content-read-more`).
const FURNITURE_UNLESS_STORY: &[&str] = &[
    "caption",
    "credit",
    "credits",
    "gallery",
    "byline",
    "timestamp",
    "dateline",
    "subscribe",
    "signup",
    "recommend",
    "recommended",
    "toolbar",
    "more",
    "visually",
    "sr",
    "screen",
];

/// Words that name the story itself, as Readability reads them: an element one of whose names
/// is the story's (`entry-content`) is never furniture.
const STORY: &[&str] = &[
    "article", "body", "column", "content", "main", "entry", "story",
];

/// The words of a class or id: split at `-`, `_` and a lower-case letter before a capital
/// (`relatedLinks`), in lower case.
fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        let boundary = c == '-' || c == '_' || (c.is_ascii_uppercase() && previous_lower);
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c != '-' && c != '_' {
            word.push(c.to_ascii_lowercase());
        }
        previous_lower = c.is_ascii_lowercase();
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Whether `tag`'s class or id names page furniture, and none of its names the story. Names a
/// CMS gives from the article's category or tags (`category-social-affairs`) say nothing.
fn is_furniture(tag: &Tag) -> bool {
    let mut furniture = false;
    for name in tag
        .attrs
        .iter()
        .filter(|attr| matches!(&*attr.name.local, "class" | "id"))
        .flat_map(|attr| attr.value.split_ascii_whitespace())
    {
        let lower = name.to_ascii_lowercase();
        if ["category-", "tag-", "post-", "type-", "format-"]
            .iter()
            .any(|p| lower.starts_with(p))
        {
            continue;
        }
        let words = name_words(name);
        let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
        if has(FURNITURE) {
            furniture = true;
        } else if has(STORY) {
            return false;
        } else if has(FURNITURE_UNLESS_STORY) {
            furniture = true;
        }
    }
    furniture
}

/// Elements without content: never closed, so never counted as open.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// What may stand in a document's head; any other start tag begins the body.
const IN_HEAD: &[&str] = &[
    "base", "basefont", "bgsound", "link", "meta", "title", "style", "script", "noscript",
    "template",
];

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::CharacterTokens(text) if self.skipping.borrow().is_none() => {
                self.out.borrow_mut().push_str(&text);
            }
            Token::TagToken(tag) => return self.tag(&tag),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

impl TextSink {
    fn tag(&self, tag: &Tag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        let start = tag.kind == TagKind::StartTag;
        let opens = opens(tag);
        let skipping = self.skipping.borrow().clone();
        if let Some(mut skipping) = skipping {
            let element: &str = &skipping.element;
            if element == "head" && start && !IN_HEAD.contains(&name) && name != "head" {
                // The body has begun: this tag is read as any other.
                *self.skipping.borrow_mut() = None;
                return self.tag(tag);
            }
            let ended = if name == element {
                if opens {
                    skipping.same += 1;
                } else if !start {
                    skipping.same -= 1;
                }
                skipping.same == 0
            } else if opens {
                skipping.depth += 1;
                false
            } else if !start && !VOID.contains(&name) {
                // An end tag of something opened before the skipped element closes it too.
                match skipping.depth.checked_sub(1) {
                    Some(depth) => {
                        skipping.depth = depth;
                        false
                    }
                    None => true,
                }
            } else {
                false
            };
            *self.skipping.borrow_mut() = (!ended).then_some(skipping);
            return raw_text(name, start);
        }
        let skipped = SKIP.contains(&name)
            || (self.furniture && start && (is_figure(tag) || is_furniture(tag)));
        if skipped {
            if opens {
                *self.skipping.borrow_mut() = Some(Skipping {
                    element: tag.name.clone(),
                    same: 1,
                    depth: 0,
                });
                return raw_text(name, true);
            }
            return TokenSinkResult::Continue;
        }
        if BLOCK.contains(&name) {
            self.out.borrow_mut().push_str("\n\n");
        }
        raw_text(name, start)
    }
}

/// What one linear pass of the tokenizer sees of a page before anything builds its tree:
/// whether the tree would be hostile to build (deep nesting makes tree building slow and
/// walking it recursive; formatting elements left open are re-created in every block after
/// them), and the page's canonical URL.
#[derive(Debug, Default)]
pub(crate) struct Shape {
    /// Why the page's tree would be hostile to build, when it would be.
    pub hostile: Option<&'static str>,
    /// The page's `<link rel="canonical">`, if it has one.
    pub canonical: Option<String>,
}

/// Nesting no real page reaches.
pub(crate) const MAX_DEPTH: usize = 256;
/// Elements no real page holds.
pub(crate) const MAX_ELEMENTS: usize = 200_000;
/// Formatting elements (`<b>`, `<a>`, …) opened and not yet closed: a tree builder re-creates
/// each of them in every block that follows, so a few hundred of them make millions of nodes.
const MAX_OPEN_FORMATTING: usize = 32;

/// Elements a tree builder re-creates when they were left open across blocks.
const FORMATTING: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

/// Elements a start tag of the same name closes when one is the current element.
const CLOSED_BY_SIBLING: &[&str] = &[
    "p", "li", "option", "optgroup", "dt", "dd", "tr", "td", "th", "rb", "rt", "rp",
];

pub(crate) fn shape(body: &str) -> Shape {
    let sink = ShapeSink::default();
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(body));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let sink = tokenizer.sink;
    Shape {
        hostile: sink.hostile.get(),
        canonical: sink.canonical.into_inner(),
    }
}

/// Follows the elements a tree builder would hold open, as closely as matters for the limits
/// and never more loosely: an end tag closes only an element it names (a stray one closes
/// nothing, as in a browser), a start tag of a `<p>` or `<li>` closes the one it follows, and
/// inside SVG or MathML `<style>` and `<script>` hold markup, not text. Past a limit it stops
/// following: the answer is known.
#[derive(Default)]
struct ShapeSink {
    open: RefCell<Vec<html5ever::LocalName>>,
    elements: Cell<usize>,
    open_formatting: Cell<usize>,
    foreign: Cell<usize>,
    hostile: Cell<Option<&'static str>>,
    canonical: RefCell<Option<String>>,
}

impl TokenSink for ShapeSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if self.hostile.get().is_some() {
            return self.raw_text(&tag);
        }
        let name: &str = &tag.name;
        if tag.kind == TagKind::EndTag {
            if FORMATTING.contains(&name) {
                self.open_formatting
                    .set(self.open_formatting.get().saturating_sub(1));
            }
            let mut open = self.open.borrow_mut();
            if let Some(at) = open.iter().rposition(|n| n == &tag.name) {
                let closed = open.split_off(at);
                let foreign = closed.iter().filter(|n| is_foreign(n)).count();
                self.foreign.set(self.foreign.get().saturating_sub(foreign));
            }
            return TokenSinkResult::Continue;
        }
        self.elements.set(self.elements.get() + 1);
        if self.elements.get() > MAX_ELEMENTS {
            self.hostile
                .set(Some("more elements than any real page holds"));
        }
        if FORMATTING.contains(&name) {
            self.open_formatting.set(self.open_formatting.get() + 1);
            if self.open_formatting.get() > MAX_OPEN_FORMATTING {
                self.hostile
                    .set(Some("hundreds of formatting elements left open"));
            }
        }
        if opens(&tag) {
            let mut open = self.open.borrow_mut();
            if CLOSED_BY_SIBLING.contains(&name) && open.last() == Some(&tag.name) {
                open.pop();
            }
            open.push(tag.name.clone());
            if is_foreign(name) {
                self.foreign.set(self.foreign.get() + 1);
            }
            if open.len() > MAX_DEPTH {
                self.hostile.set(Some("nesting deeper than any real page"));
            }
        }
        if name == "link" && self.canonical.borrow().is_none() {
            let attr = |wanted: &str| {
                tag.attrs
                    .iter()
                    .find(|a| &*a.name.local == wanted)
                    .map(|a| a.value.trim().to_owned())
            };
            if attr("rel").is_some_and(|rel| rel.eq_ignore_ascii_case("canonical")) {
                *self.canonical.borrow_mut() = attr("href").filter(|h| !h.is_empty());
            }
        }
        self.raw_text(&tag)
    }
}

impl ShapeSink {
    /// As [`raw_text`], except inside SVG or MathML, where no element holds raw text.
    fn raw_text(&self, tag: &Tag) -> TokenSinkResult<()> {
        if self.foreign.get() > 0 {
            return TokenSinkResult::Continue;
        }
        raw_text(&tag.name, tag.kind == TagKind::StartTag)
    }
}

/// Whether `tag` opens an element that stays open until its end tag. A `/>` closes only SVG
/// and MathML elements (and void ones); `<script/>` is open.
fn opens(tag: &Tag) -> bool {
    let name: &str = &tag.name;
    tag.kind == TagKind::StartTag
        && !VOID.contains(&name)
        && !(tag.self_closing && is_foreign(name))
}

fn is_foreign(name: &str) -> bool {
    matches!(name, "svg" | "math")
}

/// Has the tokenizer read the content of `<script>`, `<style>`, `<textarea>` and their kin as
/// text, as a browser does, rather than as markup (a `<` in a script opens no tag).
fn raw_text(name: &str, start: bool) -> TokenSinkResult<()> {
    if !start {
        return TokenSinkResult::Continue;
    }
    match name {
        "script" => TokenSinkResult::RawData(RawKind::ScriptData),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
            TokenSinkResult::RawData(RawKind::Rawtext)
        }
        "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
        "plaintext" => TokenSinkResult::Plaintext,
        _ => TokenSinkResult::Continue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_of_any_depth_is_read_without_recursion() {
        // 100,000 open `<div>`s overflowed the stack of the tree walk this replaced.
        let page = format!(
            "{}deep text{}",
            "<div>".repeat(100_000),
            "<b>".repeat(100_000)
        );
        assert_eq!(to_text(&page).trim(), "deep text");
    }

    #[test]
    fn scripts_and_styles_are_read_as_text_not_markup_and_dropped() {
        let page = "<p>One</p><script>if (a<b) { x = '<p>not text</p>'; }</script>\
                    <style>p > b {}</style><p>Two</p>";
        let text = to_text(page);
        assert!(text.contains("One") && text.contains("Two"), "{text:?}");
        assert!(
            !text.contains("not text") && !text.contains('{'),
            "{text:?}"
        );
    }

    #[test]
    fn an_unclosed_head_ends_where_the_body_starts() {
        let page = "<html><head><title>Site | Page</title><meta charset=utf-8><body><p>Story.</p>";
        assert_eq!(to_text(page).trim(), "Story.");
    }

    #[test]
    fn skipped_elements_end_where_a_browser_ends_them() {
        // `/>` does not close a script: what follows is still script.
        assert_eq!(
            to_text("<p>Story</p><script/>var a=1;</script>").trim(),
            "Story"
        );
        // An unclosed button ends with the element around it.
        assert_eq!(
            to_text("<div><button>Share</div><p>Story</p>").trim(),
            "Story"
        );
        // A head without its end tag ends at the first tag a head cannot hold.
        let page = "<html><head><meta charset=utf-8><title>T</title><h1>Head</h1><p>Story</p>";
        assert_eq!(to_text(page).trim(), "Head\n\n\n\nStory");
        // Inside a skipped element, its own children open and close without ending it.
        assert_eq!(
            to_text("<nav><div>menu</div><br>more</nav><p>Story</p>").trim(),
            "Story"
        );
        assert_eq!(to_text("<p>A</p><svg/><p>B</p>").trim(), "A\n\n\n\nB");
    }

    #[test]
    fn furniture_is_told_by_whole_words_of_its_names() {
        let named = |class: &str| main_text(&format!("<div class=\"{class}\">Words.</div>"));
        for furniture in [
            "related-content",
            "comment-body",
            "byline",
            "screen-reader-text",
            "sr-only",
            "socialShareBar",
        ] {
            assert_eq!(named(furniture).trim(), "", "{furniture}");
        }
        for story in [
            "entry-content entry-content-read-more",
            "article--commentary",
            "story-body__caption-free",
            "category-social-affairs",
            "promotion",
            "loaded",
        ] {
            assert_eq!(named(story).trim(), "Words.", "{story}");
        }
        // A figure holding a table is the story's; a photo's is not.
        let figures = "<figure class=\"wp-block-table\"><table><tr><td>Cell</td></tr></table></figure>\
                       <figure><img src=a.jpg><figcaption>A photo.</figcaption></figure>";
        assert_eq!(main_text(figures).trim(), "Cell");
    }

    #[test]
    fn skipped_elements_nest_and_blocks_break_paragraphs() {
        let page = "<nav><nav>menu</nav>still menu</nav><h1>Head</h1>line<br>next";
        assert_eq!(to_text(page), "\n\nHead\n\nline\n\nnext");
    }
}
