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
    let sink = TextSink {
        out: RefCell::new(String::with_capacity(body.len() / 2)),
        skipping: Cell::new(None),
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
    /// The skipped element being read, if any: its place in [`SKIP`] and how many of it are
    /// open.
    skipping: Cell<Option<(usize, u32)>>,
}

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::CharacterTokens(text) if self.skipping.get().is_none() => {
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
        if let Some((skipped, open)) = self.skipping.get() {
            let same = SKIP[skipped] == name;
            // `<head>` is closed by `<body>` as much as by `</head>`.
            let body_starts = start && name == "body" && SKIP[skipped] == "head";
            let open = match (same, start) {
                _ if body_starts => 0,
                (true, true) if !tag.self_closing => open + 1,
                (true, false) => open - 1,
                _ => open,
            };
            self.skipping.set((open > 0).then_some((skipped, open)));
            return raw_text(name, start);
        }
        if let Some(k) = SKIP.iter().position(|&s| s == name) {
            if start && !tag.self_closing {
                self.skipping.set(Some((k, 1)));
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
    fn skipped_elements_nest_and_blocks_break_paragraphs() {
        let page = "<nav><nav>menu</nav>still menu</nav><h1>Head</h1>line<br>next";
        assert_eq!(to_text(page), "\n\nHead\n\nline\n\nnext");
    }
}
