//! `ingest`: consumes `newsflow.articles.raw`, publishes `newsflow.articles.ingested`.
//!
//! The edge of the chain. Validates what a feeder sent (`article.raw.v1`), turns HTML into
//! text, normalises the text (Unicode NFC, `\n` line ends, one blank line between paragraphs,
//! no control characters), detects the language and assigns a stable article id: the feeder's
//! id when it gave one, else a hash of the URL, else (no URL) a hash of the normalised body. The
//! same URL fed again with a changed body is so the same article; [`content_hash`] tells its
//! revisions apart (the stage wiring counts them, see `newsflow_runtime::Revisioned`).
//!
//! Fails with an [`IngestError`] — always permanent, so the runtime dead-letters the message with
//! the reason — when the payload is not UTF-8, not the expected JSON, larger than the limit, or
//! has an empty body, a bad id or an unreadable `published_at`.
//!
//! Pure: no I/O and no clock; the caller passes the time. Run it with `newsflow run ingest`.

mod html;
mod language;
mod normalise;
pub mod page;

pub use normalise::normalise_text;

/// The text ingest makes of an HTML body: the page's main content ([`page::read`]), one
/// paragraph per block, normalised as every article text is.
pub fn html_text(body: &str) -> String {
    normalise_text(&page::read(body).text)
}

use newsflow_proto::{
    ArticleId, ArticleIngested, ArticleRaw, BodyFormat, Envelope, FIRST_REVISION, schema, subjects,
};
use sha2::{Digest, Sha256};

/// Default largest raw message accepted, in bytes (512 KiB); for an HTML page, the largest
/// article text.
pub const DEFAULT_MAX_BYTES: usize = 512 * 1024;

/// An HTML page may be this many times `NEWSFLOW_INGEST_MAX_BYTES` (6 MiB by default): pages
/// are mostly markup, and what goes on through the chain is the text of their article, held to
/// the limit itself.
pub const HTML_FACTOR: usize = 12;

/// Why a raw article is rejected. Every variant is permanent: retrying cannot help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    /// The message is larger than the configured limit.
    #[error("article is {size} bytes; the limit is {limit} bytes (NEWSFLOW_INGEST_MAX_BYTES)")]
    TooLarge {
        /// Size of the message.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// An HTML page larger than pages may be.
    #[error(
        "the raw article is {size} bytes; even an HTML page may be at most {limit} bytes ({HTML_FACTOR} times NEWSFLOW_INGEST_MAX_BYTES, its article text within that limit)"
    )]
    PageTooLarge {
        /// Size of the message.
        size: usize,
        /// The limit for pages.
        limit: usize,
    },
    /// The message is not UTF-8.
    #[error("payload is not valid UTF-8 (bad byte at offset {0})")]
    NotUtf8(usize),
    /// The message is not `article.raw.v1` JSON.
    #[error("payload is not an article.raw.v1 JSON object: {0}")]
    Malformed(String),
    /// The body has no text (after HTML is stripped).
    #[error("article body is empty")]
    EmptyBody,
    /// The given id breaks the id rules.
    #[error("bad article id: {0}")]
    BadId(#[from] newsflow_proto::InvalidArticleId),
    /// `published_at` is neither RFC 3339 nor a date.
    #[error(
        "published_at {0:?} is neither RFC 3339 (2024-10-31T14:00:00Z) nor a date (2024-10-31)"
    )]
    BadPublishedAt(String),
    /// `language` is not an ISO 639 code.
    #[error("language {0:?} is not a two- or three-letter ISO 639 code")]
    BadLanguage(String),
}

impl IngestError {
    /// The article field at fault, when one is: what an HTTP feeder is told beside the reason.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::TooLarge { .. } | Self::PageTooLarge { .. } | Self::EmptyBody => Some("body"),
            Self::BadId(_) => Some("id"),
            Self::BadPublishedAt(_) => Some("published_at"),
            Self::BadLanguage(_) => Some("language"),
            Self::NotUtf8(_) | Self::Malformed(_) => None,
        }
    }
}

/// Limits the edge enforces.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest raw message accepted, in bytes.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// Validates and normalises one raw message. `now` is the RFC 3339 time to stamp as
/// `ingested_at`.
///
/// # Errors
/// An [`IngestError`] saying why the article can never be accepted.
pub fn ingest(payload: &[u8], limits: Limits, now: &str) -> Result<ArticleIngested, IngestError> {
    let too_large = |size| IngestError::TooLarge {
        size,
        limit: limits.max_bytes,
    };
    let page_limit = limits.max_bytes.saturating_mul(HTML_FACTOR);
    if payload.len() > page_limit {
        return Err(IngestError::PageTooLarge {
            size: payload.len(),
            limit: page_limit,
        });
    }
    let json =
        std::str::from_utf8(payload).map_err(|err| IngestError::NotUtf8(err.valid_up_to()))?;
    let raw: ArticleRaw =
        serde_json::from_str(json).map_err(|err| IngestError::Malformed(err.to_string()))?;
    if payload.len() > limits.max_bytes && !is_html(&raw) {
        return Err(too_large(payload.len()));
    }
    // Only the page may be larger: what rides along with the text on every hop may not.
    let besides_the_page = payload.len().saturating_sub(raw.body.len());
    if besides_the_page > limits.max_bytes {
        return Err(too_large(besides_the_page));
    }
    let article = ingest_raw(raw, now)?;
    if article.text.len() > limits.max_bytes {
        return Err(too_large(article.text.len()));
    }
    Ok(article)
}

/// Validates and normalises an already decoded article.
///
/// # Errors
/// As [`ingest`], except the size and encoding checks.
pub fn ingest_raw(raw: ArticleRaw, now: &str) -> Result<ArticleIngested, IngestError> {
    let (text, page) = body_text(&raw);
    if text.is_empty() {
        return Err(IngestError::EmptyBody);
    }
    let page = page.unwrap_or_default();
    let given_url = non_empty(raw.url);
    // The id comes from what the feeder gave, never from the page: sites point many pages at
    // one canonical URL (every page of a story at its first, copies at the original).
    let article_id = match raw.id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => ArticleId::parse(id)?,
        _ => derived_id(given_url.as_deref(), &text),
    };
    // What the feeder gave wins; what the page says of itself fills the rest.
    let url = given_url.or(page.url);
    let published_at = match raw.published_at.as_deref() {
        Some(given) => Some(check_published_at(given)?),
        None => page.published.as_deref().and_then(page_time),
    };
    let language = match raw
        .language
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        Some(given) => check_language(given)?,
        // The text itself before the page's `lang`: templates often declare one language for
        // every page of a site.
        None => match language::detect(&text) {
            unknown if unknown == "und" => page
                .language
                .as_deref()
                .and_then(page_language)
                .unwrap_or(unknown),
            detected => detected,
        },
    };
    let line = |value: Option<String>| {
        value
            .map(|v| normalise::normalise_line(&v))
            .filter(|v| !v.is_empty())
    };
    Ok(ArticleIngested {
        article_id,
        url,
        title: line(raw.title).or_else(|| line(page.title)),
        source: non_empty(raw.source).or_else(|| line(page.site_name)),
        published_at,
        byline: line(page.byline),
        language,
        text,
        ingested_at: now.to_owned(),
        revision: FIRST_REVISION,
        // Decided by the runtime against the articles before it (see `newsflow_runtime::near`).
        duplicate_of: None,
    })
}

/// A page's own publication time as RFC 3339 (or its date), when it can be read as one.
fn page_time(value: &str) -> Option<String> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    if let Ok(given) = check_published_at(value) {
        return Some(given);
    }
    // Pages write ISO 8601 forms RFC 3339 does not take (`+0000`, no seconds).
    let parsed = time::OffsetDateTime::parse(value.trim(), &Iso8601::DEFAULT).ok()?;
    parsed.format(&Rfc3339).ok()
}

/// A page's `lang` (`en-US`, `pt_BR`) as an ISO 639 code, when it is one.
fn page_language(value: &str) -> Option<String> {
    let primary = value.trim().split(['-', '_']).next()?;
    check_language(primary).ok()
}

/// The message a feeder publishes on `newsflow.articles.raw`: `payload` as given, once ingest's
/// own check ([`ingest`], the one validation both run) accepts it, with `Nats-Msg-Id: <article
/// id>.<first 16 hex digits of its content hash>` so the stream drops the same content fed twice
/// inside its window while a changed article gets through as a new revision. Returns the
/// article as ingest will see it too.
///
/// # Errors
/// Why ingest would reject the payload.
pub fn raw_message(
    payload: Vec<u8>,
    limits: Limits,
) -> Result<(ArticleIngested, Envelope), IngestError> {
    let article = ingest(&payload, limits, "")?;
    let msg_id = article.article_id.raw_message_id(&content_hash(&article));
    let envelope = Envelope::new(
        subjects::ARTICLES_RAW,
        schema::ARTICLE_RAW,
        msg_id,
        Some(article.article_id.to_string()),
        payload,
    );
    Ok((article, envelope))
}

/// What tells two revisions of an article apart: the SHA-256 (hex) of its normalised title and
/// text. Whitespace, HTML markup and other fields (`url`, `published_at`, `source`, `language`)
/// do not count, so an article fed again unchanged has the same hash.
pub fn content_hash(article: &ArticleIngested) -> String {
    let mut hash = Sha256::new();
    hash.update(article.title.as_deref().unwrap_or("").as_bytes());
    hash.update([0]);
    hash.update(article.text.as_bytes());
    hex(&hash.finalize())
}

/// The id ingest gives `raw`: its own id when valid, else the hash of its URL, else (no URL)
/// the hash of its normalised body. Feeders use it to de-duplicate before publishing.
///
/// # Errors
/// When the given id is invalid or the body is empty.
pub fn article_id(raw: &ArticleRaw) -> Result<ArticleId, IngestError> {
    match raw.id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => Ok(ArticleId::parse(id)?),
        _ => {
            let (text, _) = body_text(raw);
            if text.is_empty() {
                return Err(IngestError::EmptyBody);
            }
            Ok(derived_id(raw.url.as_deref(), &text))
        }
    }
}

/// Whether `raw`'s body is HTML: as its `format` says, else by its look.
fn is_html(raw: &ArticleRaw) -> bool {
    match raw.format {
        Some(BodyFormat::Html) => true,
        Some(BodyFormat::Text) => false,
        None => html::looks_like_html(&raw.body),
    }
}

/// The article's normalised text, and for an HTML body what its page says of itself.
fn body_text(raw: &ArticleRaw) -> (String, Option<page::Page>) {
    if is_html(raw) {
        let mut page = page::read(&raw.body);
        let text = normalise_text(&std::mem::take(&mut page.text));
        (text, Some(page))
    } else {
        (normalise_text(&raw.body), None)
    }
}

/// `a-` and 32 hex digits of the SHA-256 of the URL (trimmed) when there is one; else of a zero
/// byte and the normalised text (the ids articles without a URL had before URLs alone counted).
fn derived_id(url: Option<&str>, text: &str) -> ArticleId {
    let mut hash = Sha256::new();
    match url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => hash.update(url.as_bytes()),
        None => {
            hash.update([0]);
            hash.update(text.as_bytes());
        }
    }
    let digest = hash.finalize();
    ArticleId::parse(format!("a-{}", hex(&digest[..16])))
        .expect("hex digits are valid id characters")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn check_published_at(value: &str) -> Result<String, IngestError> {
    use time::format_description::well_known::Rfc3339;
    let value = value.trim();
    if time::OffsetDateTime::parse(value, &Rfc3339).is_ok() {
        return Ok(value.to_owned());
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    if time::Date::parse(value, &date_format).is_ok() {
        return Ok(value.to_owned());
    }
    Err(IngestError::BadPublishedAt(value.to_owned()))
}

/// A feeder's `language` as ingest keeps it: a two- or three-letter code, ISO 639-1 where the
/// language has one.
///
/// # Errors
/// [`IngestError::BadLanguage`] for anything else.
pub fn check_language(value: &str) -> Result<String, IngestError> {
    let lower = value.to_ascii_lowercase();
    if (2..=3).contains(&lower.len()) && lower.bytes().all(|b| b.is_ascii_lowercase()) {
        // One code per language: ISO 639-1 where it has one (`eng` is `en`).
        Ok(language::iso_639_1(&lower).map_or(lower, str::to_owned))
    } else {
        Err(IngestError::BadLanguage(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2024-11-01T00:00:00Z";

    fn ingest_json(json: &str) -> Result<ArticleIngested, IngestError> {
        ingest(json.as_bytes(), Limits::default(), NOW)
    }

    #[test]
    fn a_page_fills_what_the_feeder_left_out_and_the_feeder_wins_where_it_gave() {
        let raw = |extra: serde_json::Value| {
            let mut raw = serde_json::json!({ "body": crate::page::tests::PAGE, "format": "html" });
            raw.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            ingest_json(&raw.to_string()).unwrap()
        };
        let article = raw(serde_json::json!({}));
        assert_eq!(
            article.title.as_deref(),
            Some("Harbour bridge reopens after two years")
        );
        assert_eq!(
            article.url.as_deref(),
            Some("https://herald.example/news/harbour-bridge")
        );
        assert_eq!(article.source.as_deref(), Some("The Coast Herald"));
        assert_eq!(article.byline.as_deref(), Some("Maria Lopez"));
        assert_eq!(
            article.published_at.as_deref(),
            Some("2024-03-05T09:30:00+00:00")
        );
        assert_eq!(article.language, "en");
        assert!(article.text.starts_with("The harbour bridge reopened"));
        // The id comes from what the feeder gave (here the text), never from the page's URL.
        let derived = article.article_id.clone();
        let text_only = serde_json::json!({ "body": article.text }).to_string();
        assert_eq!(ingest_json(&text_only).unwrap().article_id, derived);
        let given = raw(serde_json::json!({
            "title": "Bridge open", "url": "https://feeder.example/1", "source": "Wire",
            "published_at": "2024-03-06", "language": "de",
        }));
        assert_eq!(given.title.as_deref(), Some("Bridge open"));
        assert_eq!(given.url.as_deref(), Some("https://feeder.example/1"));
        assert_eq!(given.source.as_deref(), Some("Wire"));
        assert_eq!(given.published_at.as_deref(), Some("2024-03-06"));
        assert_eq!(given.language, "de");
        assert_ne!(given.article_id, derived);
    }

    #[test]
    fn a_page_may_be_larger_than_the_limit_as_long_as_its_text_is_not() {
        let limits = Limits { max_bytes: 10_000 };
        let json = |body: &str, format: &str| {
            serde_json::json!({ "id": "big", "body": body, "format": format }).to_string()
        };
        // 50 KB of markup around one paragraph: taken.
        let markup = "<div class=\"x\"><span></span></div>".repeat(1_500);
        let page = format!("<html><body>{markup}<p>The story, short.</p>{markup}</body></html>");
        let article = ingest(json(&page, "html").as_bytes(), limits, NOW).unwrap();
        assert_eq!(article.text, "The story, short.");
        // The same size of plain text: refused.
        let text = "word ".repeat(10_000);
        assert!(matches!(
            ingest(json(&text, "text").as_bytes(), limits, NOW),
            Err(IngestError::TooLarge { .. })
        ));
        // A page whose article text is over the limit: refused, the text's size given.
        let long = format!("<p>{}</p>", "A sentence of the story. ".repeat(1_000));
        match ingest(json(&long, "html").as_bytes(), limits, NOW) {
            Err(IngestError::TooLarge { size, limit }) => {
                assert!(size > limit && size < 30_000, "{size}");
            }
            other => panic!("{other:?}"),
        }
        // A page over twelve times the limit: refused before it is read.
        let huge = "<p>x</p>".repeat(20_000);
        assert!(matches!(
            ingest(json(&huge, "html").as_bytes(), limits, NOW),
            Err(IngestError::PageTooLarge { limit: 120_000, .. })
        ));
    }

    #[test]
    fn a_page_time_in_iso_8601_but_not_rfc_3339_is_read() {
        assert_eq!(
            page_time("2019-11-19T10:48:00+0000").as_deref(),
            Some("2019-11-19T10:48:00Z")
        );
        assert_eq!(page_time("2019-11-19").as_deref(), Some("2019-11-19"));
        assert_eq!(page_time("Tuesday"), None);
        assert_eq!(page_language("pt_BR").as_deref(), Some("pt"));
        assert_eq!(page_language("english"), None);
        assert_eq!(check_language("eng").unwrap(), "en");
        assert_eq!(check_language("haw").unwrap(), "haw");
    }

    #[test]
    fn ingest_normalises_text_and_detects_english() {
        let article = ingest_json(
            r#"{"title":"  Troops   in Kursk ","body":"The officials said on Thursday that the\r\ntroops were moving.\n\n\n  They   would arrive in the coming days, according to the report. ","url":"https://example.com/a"}"#,
        )
        .unwrap();
        assert_eq!(
            article.text,
            "The officials said on Thursday that the troops were moving.\n\nThey would arrive in the coming days, according to the report."
        );
        assert_eq!(article.title.as_deref(), Some("Troops in Kursk"));
        assert_eq!(article.language, "en");
        assert!(article.article_id.as_str().starts_with("a-"));
    }

    #[test]
    fn the_url_alone_makes_the_id_so_a_changed_body_keeps_it() {
        let a = ingest_json(r#"{"url":"u","body":"Hello world."}"#).unwrap();
        let b = ingest_json(r#"{"url":" u ","body":"Hello there."}"#).unwrap();
        let c = ingest_json(r#"{"url":"v","body":"Hello world."}"#).unwrap();
        assert_eq!(a.article_id, b.article_id);
        assert_ne!(a.article_id, c.article_id);
        let raw: ArticleRaw = serde_json::from_str(r#"{"url":"u","body":"Other."}"#).unwrap();
        assert_eq!(article_id(&raw).unwrap(), a.article_id);
    }

    #[test]
    fn without_a_url_the_normalised_body_makes_the_id() {
        let a = ingest_json(r#"{"body":"Hello world."}"#).unwrap();
        let b = ingest_json(r#"{"body":"Hello   world.\n","url":" "}"#).unwrap();
        let c = ingest_json(r#"{"body":"Hello there."}"#).unwrap();
        assert_eq!(a.article_id, b.article_id);
        assert_ne!(a.article_id, c.article_id);
        // The same id as before URLs alone counted: a zero byte, then the text.
        assert_eq!(a.article_id.as_str(), "a-65e97736487043901edfde90a8f5971f");
    }

    #[test]
    fn content_hash_ignores_whitespace_and_metadata_but_not_title_or_text() {
        let a = ingest_json(r#"{"url":"u","title":"T","body":"Hello world."}"#).unwrap();
        let same = ingest_json(
            r#"{"body":"<p>Hello   world.</p>","title":" T ","url":"u","source":"x","published_at":"2024-10-31"}"#,
        )
        .unwrap();
        let retitled = ingest_json(r#"{"url":"u","title":"U","body":"Hello world."}"#).unwrap();
        let edited = ingest_json(r#"{"url":"u","title":"T","body":"Hello world!"}"#).unwrap();
        assert_eq!(content_hash(&a), content_hash(&same));
        assert_ne!(content_hash(&a), content_hash(&retitled));
        assert_ne!(content_hash(&a), content_hash(&edited));
        assert_eq!(content_hash(&a).len(), 64);
        assert_eq!(a.revision, 1);
    }

    #[test]
    fn a_fed_article_is_named_by_its_id_and_content_and_checked_as_ingest_will() {
        let payload = br#"{"url":"u","title":"T","body":"Hello world."}"#.to_vec();
        let (article, message) = raw_message(payload.clone(), Limits::default()).unwrap();
        assert_eq!(message.payload, payload, "published as given");
        let ingested = ingest(&message.payload, Limits::default(), NOW).unwrap();
        assert_eq!(ingested.article_id, article.article_id);
        assert_eq!(message.subject, "newsflow.articles.raw");
        assert_eq!(
            message.msg_id,
            format!("{}.{}", article.article_id, &content_hash(&ingested)[..16])
        );
        let tiny = Limits { max_bytes: 10 };
        assert!(matches!(
            raw_message(payload, tiny),
            Err(IngestError::TooLarge { .. })
        ));
        assert_eq!(
            raw_message(br#"{"body":" "}"#.to_vec(), Limits::default()).unwrap_err(),
            IngestError::EmptyBody
        );
        // A key twice is refused by ingest, so by the feeder too (it once re-serialised such a
        // payload, keeping one of the two, and published what ingest would never have seen).
        assert!(matches!(
            raw_message(br#"{"body":"a","body":"b"}"#.to_vec(), Limits::default()),
            Err(IngestError::Malformed(m)) if m.contains("duplicate field")
        ));
    }

    #[test]
    fn given_id_is_kept() {
        let a = ingest_json(r#"{"id":"ap-123","body":"Text."}"#).unwrap();
        assert_eq!(a.article_id.as_str(), "ap-123");
    }

    #[test]
    fn html_body_becomes_paragraphs_without_scripts() {
        let a = ingest_json(
            r#"{"body":"<html><head><script>var x=1;</script><style>p{}</style></head><body><h1>Title</h1><p>One &amp; <b>two</b>.</p><p>Three.</p></body></html>"}"#,
        )
        .unwrap();
        assert_eq!(a.text, "Title\n\nOne & two.\n\nThree.");
    }

    #[test]
    fn bad_inputs_are_rejected_with_reasons() {
        assert_eq!(
            ingest_json(r#"{"body":"   "}"#),
            Err(IngestError::EmptyBody)
        );
        assert!(matches!(
            ingest_json("{not json"),
            Err(IngestError::Malformed(_))
        ));
        assert!(
            matches!(ingest_json(r#"{"title":"x"}"#), Err(IngestError::Malformed(m)) if m.contains("missing field `body`"))
        );
        assert_eq!(
            ingest(b"{\"body\":\"\xff\"}", Limits::default(), NOW),
            Err(IngestError::NotUtf8(9))
        );
        assert_eq!(
            ingest(b"{\"body\":\"12345\"}", Limits { max_bytes: 10 }, NOW),
            Err(IngestError::TooLarge {
                size: 16,
                limit: 10
            })
        );
        assert!(matches!(
            ingest_json(r#"{"id":"a b","body":"x"}"#),
            Err(IngestError::BadId(_))
        ));
        assert!(matches!(
            ingest_json(r#"{"body":"x","published_at":"yesterday"}"#),
            Err(IngestError::BadPublishedAt(_))
        ));
    }

    #[test]
    fn published_at_accepts_rfc3339_and_dates() {
        let a = ingest_json(r#"{"body":"x","published_at":"2024-10-31T14:00:00Z"}"#).unwrap();
        assert_eq!(a.published_at.as_deref(), Some("2024-10-31T14:00:00Z"));
        let b = ingest_json(r#"{"body":"x","published_at":"2024-10-31"}"#).unwrap();
        assert_eq!(b.published_at.as_deref(), Some("2024-10-31"));
    }
}
