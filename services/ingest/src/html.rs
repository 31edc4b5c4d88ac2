//! HTML to text: one paragraph per block element; scripts, styles and page furniture dropped.

use scraper::{Html, Node};

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
    "iframe", "head",
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
pub(crate) fn to_text(body: &str) -> String {
    let document = Html::parse_document(body);
    let mut out = String::with_capacity(body.len() / 2);
    walk(document.tree.root(), &mut out);
    out
}

fn walk(node: ego_tree::NodeRef<'_, Node>, out: &mut String) {
    for child in node.children() {
        match child.value() {
            Node::Text(text) => out.push_str(text),
            Node::Element(element) => {
                let name = element.name();
                if SKIP.contains(&name) {
                    continue;
                }
                let block = BLOCK.contains(&name);
                if block {
                    out.push_str("\n\n");
                }
                walk(child, out);
                if block {
                    out.push_str("\n\n");
                }
            }
            _ => walk(child, out),
        }
    }
}
