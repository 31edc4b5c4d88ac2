//! Malformed and hostile raw articles, each with what must become of it: events out, or a dead
//! letter from a named stage with a readable reason. Built here rather than stored, so the
//! half-megabyte cases cost the repository nothing; every case is deterministic.

use serde_json::json;

/// What must become of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It goes through: its article event comes out.
    Events,
    /// It is dead-lettered by `stage`, the reason containing `reason`.
    DeadLetter {
        /// The stage that refuses it.
        stage: &'static str,
        /// Part of the reason it gives.
        reason: &'static str,
    },
}

/// One hostile input.
#[derive(Debug, Clone)]
pub struct Case {
    /// A short name saying what is hostile about it.
    pub name: &'static str,
    /// The raw message, as published on `newsflow.articles.raw`.
    pub payload: Vec<u8>,
    /// What must become of it.
    pub outcome: Outcome,
}

/// Just under ingest's default size limit (512 KiB), leaving room for the JSON around a body.
const BIG: usize = 500 * 1024;

/// `unit` repeated as often as fits in `BIG` bytes once written as a JSON string (where `"`
/// and a newline take two bytes).
fn big(unit: &str) -> String {
    let written = serde_json::to_string(unit).expect("a string").len() - 2;
    unit.repeat(BIG / written)
}

/// `unit` repeated to `len` bytes (cut on a character boundary).
fn fill(unit: &str, len: usize) -> String {
    let mut s = unit.repeat(len / unit.len() + 1);
    let mut end = len.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    s
}

fn article(id: &str, body: &str) -> Vec<u8> {
    json!({ "id": id, "body": body }).to_string().into_bytes()
}

fn html(id: &str, body: &str) -> Vec<u8> {
    json!({ "id": id, "body": body, "format": "html" })
        .to_string()
        .into_bytes()
}

fn with(id: &str, fields: serde_json::Value) -> Vec<u8> {
    let mut object = json!({ "id": id, "body": "The council met on Monday." });
    for (k, v) in fields.as_object().expect("fields are an object") {
        object[k] = v.clone();
    }
    object.to_string().into_bytes()
}

fn events(name: &'static str, payload: Vec<u8>) -> Case {
    Case {
        name,
        payload,
        outcome: Outcome::Events,
    }
}

fn refused(name: &'static str, payload: impl Into<Vec<u8>>, reason: &'static str) -> Case {
    Case {
        name,
        payload: payload.into(),
        outcome: Outcome::DeadLetter {
            stage: "ingest",
            reason,
        },
    }
}

const NOT_JSON: &str = "not an article.raw.v1 JSON object";

/// Every case, in a fixed order. Those that go through carry the id `h-<name>`.
pub fn corpus() -> Vec<Case> {
    let nested =
        |open: &str, close: &str, n: usize| format!("{}{}", open.repeat(n), close.repeat(n));
    let names = "John Smith of Acme Corp. told Reuters in Paris on Monday that \"prices rose\". ";
    let mut cases = vec![
        // Not an article at all.
        refused("empty payload", "", NOT_JSON),
        refused("null", "null", NOT_JSON),
        refused("array", "[]", NOT_JSON),
        refused("number", "42", NOT_JSON),
        refused("string", "\"body\"", NOT_JSON),
        refused("truncated object", "{\"body\": \"unterminated", NOT_JSON),
        refused("body a number", r#"{"body": 5}"#, NOT_JSON),
        refused("body null", r#"{"body": null}"#, NOT_JSON),
        refused("no body", r#"{"title": "Only a title"}"#, "missing field `body`"),
        refused("body twice", r#"{"body": "a", "body": "b"}"#, "duplicate field `body`"),
        refused("latin-1 bytes", &b"{\"body\": \"Caf\xe9 opens.\"}"[..], "not valid UTF-8"),
        refused(
            "UTF-16 with a byte-order mark",
            "{\"body\": \"x\"}".encode_utf16().flat_map(u16::to_le_bytes).fold(
                vec![0xFF, 0xFE],
                |mut v, b| {
                    v.push(b);
                    v
                },
            ),
            "not valid UTF-8",
        ),
        refused("UTF-8 byte-order mark", "\u{feff}{\"body\": \"x\"}", NOT_JSON),
        refused("lone surrogate escape", r#"{"body": "a\ud800b"}"#, NOT_JSON),
        refused(
            "body nested 100,000 arrays deep",
            format!("{{\"body\": {}}}", nested("[", "]", 100_000)),
            NOT_JSON,
        ),
        // Larger than an article but within what an HTML page may be: read, and refused as
        // what it is.
        refused(
            "a million unclosed brackets",
            "[".repeat(1_000_000),
            NOT_JSON,
        ),
        // Its dead letter, base64, would exceed the server's max_payload: it keeps only the start.
        refused(
            "7 MB that is not UTF-8",
            vec![0xFF; 7_000_000],
            "may be at most 6291456 bytes",
        ),
        refused(
            "an HTML page whose article text is over the limit",
            json!({ "id": "h-long-page", "format": "html", "body": format!("<p>{}</p>", fill("word ", 600 * 1024)) })
                .to_string(),
            "the limit is 524288 bytes",
        ),
        refused(
            "over the size limit",
            article("h-too-big", &fill("word ", 600 * 1024)),
            "the limit is 524288 bytes",
        ),
        // Fields that break the rules.
        refused("id with a space", with("a b", json!({})), "bad article id"),
        refused("id of 300 characters", with(&"x".repeat(300), json!({})), "bad article id"),
        refused("id not ASCII", with("статья-1", json!({})), "bad article id"),
        refused(
            "published_at in words",
            with("h-date-words", json!({ "published_at": "yesterday" })),
            "published_at",
        ),
        refused(
            "published_at impossible",
            with("h-date-bad", json!({ "published_at": "2024-13-45" })),
            "published_at",
        ),
        refused(
            "language a word",
            with("h-lang-word", json!({ "language": "english" })),
            "ISO 639",
        ),
        refused(
            "title an object",
            with("h-title-object", json!({ "title": { "a": 1 } })),
            NOT_JSON,
        ),
        // Nothing left to read.
        refused("blank body", article("h-blank", " \n\t "), "article body is empty"),
        refused(
            "body of no-break and ideographic spaces",
            article("h-spaces", "\u{a0}\u{3000}\u{2007}"),
            "article body is empty",
        ),
        refused(
            "body of control characters",
            article("h-controls", "\u{1}\u{2}\u{7f}\u{0}"),
            "article body is empty",
        ),
        refused(
            "HTML without text",
            html("h-html-empty", "<div><span></span><img src=x></div>"),
            "article body is empty",
        ),
        refused(
            "HTML of one unclosed script",
            html("h-script-open", &format!("<script>{}", big("var a = 1; "))),
            "article body is empty",
        ),
        refused(
            "HTML of one unclosed comment",
            html("h-comment-open", &format!("<!-- {}", big("text "))),
            "article body is empty",
        ),
        // Markup built to be expensive.
        events(
            "100,000 nested divs",
            html("h-divs", &format!("{}Deep text.", "<div>".repeat(100_000))),
        ),
        events(
            "100,000 unclosed bold tags",
            html("h-bold", &format!("{}Bold text.", "<b>".repeat(100_000))),
        ),
        events(
            "50,000 nested tables",
            html("h-tables", &format!("{}Cell text.", "<table>".repeat(50_000))),
        ),
        events(
            "100,000 paragraph tags",
            html("h-paragraphs", &format!("{}Last words.", "<p>".repeat(100_000))),
        ),
        events(
            "40,000 nested links",
            html("h-links", &format!("{}Linked.", "<a href=x>".repeat(40_000))),
        ),
        events(
            "an attribute of 400 KB",
            html(
                "h-attribute",
                &format!("<p title=\"{}\">Short text.</p>", fill("a", 400 * 1024)),
            ),
        ),
        events(
            "100,000 character references",
            html("h-references", &big("&amp;&#x41;&#0;&#x110000;&bogus; ")),
        ),
        events(
            "plaintext element",
            html("h-plaintext", "<p>Before.</p><plaintext><p>After, as text.</p>"),
        ),
        events(
            "svg and math inside text",
            html(
                "h-foreign",
                &format!("<p>Text.</p>{}<p>More.</p>", nested("<svg><math>", "</math></svg>", 20_000)),
            ),
        ),
        // Shapes that look shallow to a tag count and are deep or huge as a tree.
        events(
            "50,000 divs each followed by a stray end tag",
            html("h-stray-ends", &format!("<p>Story.</p>{}Deep.", "<div></x>".repeat(50_000))),
        ),
        events(
            "a style inside svg, then 50,000 divs",
            html("h-svg-style", &format!("<p>Story.</p><svg><style>{}Deep.", "<div>".repeat(50_000))),
        ),
        events(
            "250 bold tags left open, then 20,000 paragraphs",
            html(
                "h-reopened",
                &format!("<p>{}</p>{}", "<b id=k>".repeat(250), "<p>Again.</p>".repeat(20_000)),
            ),
        ),
        // Text built to be expensive.
        events("80,000 straight quote marks", article("h-straight", &fill("\"", 80_000))),
        events("opening curly quotes only", article("h-opening", &big("“"))),
        events("alternating curly quotes", article("h-alternating", &big("“”"))),
        events("single quotes only", article("h-single", &big("'a' "))),
        events(
            "one paragraph of short quotes",
            article("h-said-quotes", &big("He said \"a b\" and ")),
        ),
        events("one word of 500 KB", article("h-one-word", &big("a"))),
        events("spaces around one word", article("h-spaced", &format!("{}word{}", fill(" ", BIG / 2), fill(" ", BIG / 2)))),
        events("newlines around one word", article("h-newlines", &format!("{}word", big("\n")))),
        events("100,000 one-word paragraphs", article("h-one-word-paragraphs", &big("Word.\n\n"))),
        events("full stops only", article("h-stops", &big("."))),
        events("abbreviations only", article("h-abbreviations", &big("Mr. "))),
        events("names without end", article("h-names", &big(names))),
        events("capitals without end", article("h-capitals", &big("ALPHA BETA GAMMA "))),
        events("cue words only", article("h-cues", &big("said "))),
        events("according to, repeated", article("h-according", &big("according to "))),
        events("digits only", article("h-digits", &big("1234567890"))),
        events(
            "ten thousand combining accents",
            article("h-zalgo", &format!("Zalgo a{} here.", "\u{301}".repeat(10_000))),
        ),
        events(
            "bidirectional overrides and zero-width joiners",
            article("h-bidi", &fill("\u{202e}text\u{200d}\u{2066}mixed\u{2069} ", 64 * 1024)),
        ),
        events("emoji only", article("h-emoji", &big("😀👍🏽"))),
        events("Chinese without spaces", article("h-chinese", &big("新闻报道说今天下雨。"))),
        events("Arabic", article("h-arabic", &fill("قال الرئيس إن الاقتصاد ينمو. ", 64 * 1024))),
        events(
            "line and paragraph separators",
            article("h-separators", &fill("One.\u{2028}Two.\u{2029}Three.\r\n\rFour.\t", 64 * 1024)),
        ),
        events(
            "2,000 attributed quotes",
            article("h-quotes", &"“It is fine,” the mayor said.\n\n".repeat(2_000)),
        ),
        events(
            "5,000 different names",
            article(
                "h-many-names",
                &(0..5_000)
                    .map(|i| format!("Minister Anna Example{i} met Mr Sample{i} in Town{i}.\n\n"))
                    .collect::<String>(),
            ),
        ),
        events(
            "a 400 KB title and URL",
            with(
                "h-long-fields",
                json!({ "title": fill("Headline ", 200 * 1024), "url": format!("https://example.com/{}", fill("a", 200 * 1024)) }),
            ),
        ),
        events(
            "unknown field nested 100,000 deep",
            format!(
                "{{\"id\": \"h-deep-extra\", \"body\": \"Text after a deep field.\", \"extra\": {}}}",
                nested("[", "]", 100_000)
            )
            .into_bytes(),
        ),
        events(
            "30,000 unknown keys",
            {
                let mut object = serde_json::Map::new();
                object.insert("id".into(), json!("h-many-keys"));
                object.insert("body".into(), json!("Text beside many keys."));
                for i in 0..30_000 {
                    object.insert(format!("k{i}"), json!(i));
                }
                serde_json::Value::Object(object).to_string().into_bytes()
            },
        ),
        events("NUL characters in the text", article("h-nul", "Before\u{0}after. The end.")),
    ];
    cases.sort_by_key(|c| matches!(c.outcome, Outcome::Events));
    cases
}

/// The id a case that goes through carries, read from its payload.
pub fn id_of(case: &Case) -> Option<String> {
    // A struct, not a `Value`: the unknown fields are skipped as ingest skips them, at any depth.
    #[derive(serde::Deserialize)]
    struct Id {
        id: Option<String>,
    }
    serde_json::from_slice::<Id>(&case.payload).ok()?.id
}
