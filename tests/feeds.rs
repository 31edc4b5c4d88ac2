//! `newsflow feeds` against a local site serving an RSS feed of summaries, an Atom feed of whole
//! articles and a JSON Feed, with news pages around the articles and a robots.txt, the chain as
//! its own processes against a real server: killed in the middle of a poll and started again,
//! every entry comes out once, from the page when the entry held only a summary, nothing the
//! robots.txt disallows is fetched, and once everything is dealt with the feeds are asked for
//! with their validators and answer "not modified".

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use newsflow_e2e::{NatsServer, article_events, ensure_streams, json, start_chain, stream_info};
use std::collections::{BTreeMap, HashMap};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The samples the feeds carry: (slug, text).
const SAMPLES: [(&str, &str); 10] = [
    ("nasa", include_str!("../samples/wikinews-nasa.txt")),
    ("crane", include_str!("../samples/wikinews-crane.txt")),
    ("expo", include_str!("../samples/wikinews-expo.txt")),
    ("iodine", include_str!("../samples/wikinews-iodine.txt")),
    ("soccer", include_str!("../samples/wikinews-soccer.txt")),
    ("lanterns", include_str!("../samples/wikinews-lanterns.txt")),
    ("warhol", include_str!("../samples/wikinews-warhol.txt")),
    ("taxes", include_str!("../samples/wikinews-taxes.txt")),
    ("flag", include_str!("../samples/wikinews-flag.txt")),
    ("clock", include_str!("../samples/wikinews-clock.txt")),
];

/// Words of the site's furniture, on every page and never in an article.
const FURNITURE: &str = "Subscribe to the Daily Wire newsletter";

/// The local site: what its RSS feed lists, and what was asked of it.
#[derive(Default)]
struct Site {
    port: u16,
    /// Slugs of the samples the RSS feed lists, oldest first.
    rss: Mutex<Vec<&'static str>>,
    /// Requests per path.
    asked: Mutex<HashMap<String, usize>>,
    not_modified: AtomicUsize,
}

impl Site {
    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn count(&self, path: &str) {
        *self
            .asked
            .lock()
            .unwrap()
            .entry(path.to_owned())
            .or_default() += 1;
    }

    fn asked(&self, prefix: &str) -> usize {
        let asked = self.asked.lock().unwrap();
        asked
            .iter()
            .filter(|(path, _)| path.starts_with(prefix))
            .map(|(_, n)| n)
            .sum()
    }
}

fn sample(slug: &str) -> &'static str {
    SAMPLES
        .iter()
        .find(|(s, _)| *s == slug)
        .map(|(_, text)| *text)
        .expect("a sample")
}

/// A sample's headline, date line and paragraphs.
fn parts(text: &str) -> (&str, Vec<&str>) {
    let mut blocks = text.split("\n\n").map(str::trim).filter(|b| !b.is_empty());
    let title = blocks.next().expect("a title");
    let _date = blocks.next();
    (title, blocks.collect())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A news page around a sample, with the furniture real sites have.
fn page(slug: &str) -> String {
    let (title, paragraphs) = parts(sample(slug));
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>\n", escape(p)))
        .collect();
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{t} | Daily Wire</title>
<meta property="og:site_name" content="Daily Wire"></head>
<body>
<header class="site-header"><nav class="main-nav"><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a> <a href="/opinion">Opinion</a></nav></header>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies</div>
<main><article class="story"><h1>{t}</h1><p class="byline">By Wire Staff</p>
{body}</article>
<aside class="related"><h2>Related stories</h2><ul><li><a href="/a">Markets rally on rate hopes</a></li><li><a href="/b">Storm warning for the coast</a></li></ul></aside></main>
<footer class="site-footer"><p>{FURNITURE}</p><p>Copyright Daily Wire. All rights reserved.</p></footer>
</body></html>"#,
        t = escape(title)
    )
}

fn rss(site: &Site) -> String {
    let base = site.base();
    let mut items = String::new();
    // Newest first, as feeds list them.
    for (n, slug) in site.rss.lock().unwrap().iter().enumerate().rev() {
        let (title, paragraphs) = parts(sample(slug));
        items.push_str(&format!(
            "<item><title>{}</title><link>{base}/news/{slug}.html</link><guid isPermaLink=\"true\">{base}/news/{slug}.html</guid><pubDate>Wed, {:02} Apr 2011 10:00:00 GMT</pubDate><description>{}</description></item>\n",
            escape(title),
            n + 1,
            escape(&paragraphs[0].chars().take(160).collect::<String>())
        ));
    }
    // A story the site keeps from robots, with no text of its own in the feed.
    items.push_str(&format!(
        "<item><title>Members only</title><link>{base}/private/members.html</link><guid>members-1</guid></item>\n"
    ));
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Daily Wire</title><link>{base}/</link><description>News</description>
{items}</channel></rss>"#
    )
}

/// Whole articles in the feed itself: no page to fetch.
fn atom(site: &Site) -> String {
    let base = site.base();
    let entries: String = ["warhol", "taxes"]
        .iter()
        .enumerate()
        .map(|(n, slug)| {
            let (title, paragraphs) = parts(sample(slug));
            let html: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
            format!(
                "<entry><title>{}</title><link href=\"{base}/long/{slug}.html\"/><id>urn:wire:{slug}</id><updated>2011-05-0{}T10:00:00Z</updated><content type=\"html\">{}</content></entry>\n",
                escape(title),
                n + 1,
                escape(&html)
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire Longreads</title><id>urn:wire</id><updated>2011-05-02T10:00:00Z</updated>
{entries}</feed>"#
    )
}

fn json_feed(site: &Site) -> String {
    let base = site.base();
    let items: Vec<serde_json::Value> = ["iodine", "soccer"]
        .iter()
        .map(|slug| {
            let (title, paragraphs) = parts(sample(slug));
            serde_json::json!({
                "id": format!("json-{slug}"),
                "url": format!("{base}/news/{slug}.html"),
                "title": title,
                "summary": paragraphs[0].chars().take(120).collect::<String>(),
                "date_published": "2011-06-01T10:00:00Z",
            })
        })
        .collect();
    serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Wire JSON",
        "items": items,
    })
    .to_string()
}

/// Answers a feed with an ETag, or 304 when the client sends it back.
fn conditional(site: &Site, headers: &HeaderMap, content_type: &str, body: String) -> Response {
    let etag = format!("\"{:x}\"", fxhash(&body));
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|sent| sent.as_bytes() == etag.as_bytes())
    {
        site.not_modified.fetch_add(1, Ordering::SeqCst);
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [(header::CONTENT_TYPE, content_type), (header::ETAG, &etag)],
        body,
    )
        .into_response()
}

fn fxhash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
    })
}

/// A feed at `path`, counted, made by `render` and answered conditionally.
fn feed_route(
    path: &'static str,
    content_type: &'static str,
    render: fn(&Site) -> String,
) -> axum::routing::MethodRouter<Arc<Site>> {
    get(
        move |State(site): State<Arc<Site>>, headers: HeaderMap| async move {
            site.count(path);
            conditional(&site, &headers, content_type, render(&site))
        },
    )
}

async fn serve(site: Arc<Site>, listener: tokio::net::TcpListener) {
    let app =
        axum::Router::new()
            .route(
                "/robots.txt",
                get(|State(site): State<Arc<Site>>| async move {
                    site.count("/robots.txt");
                    "User-agent: *\nDisallow: /private/\n"
                }),
            )
            .route(
                "/rss.xml",
                feed_route("/rss.xml", "application/rss+xml", rss),
            )
            .route(
                "/atom.xml",
                feed_route("/atom.xml", "application/atom+xml", atom),
            )
            .route(
                "/feed.json",
                feed_route("/feed.json", "application/feed+json", json_feed),
            )
            .route(
                "/{section}/{file}",
                get(
                    |State(site): State<Arc<Site>>,
                     Path((section, file)): Path<(String, String)>| async move {
                        site.count(&format!("/{section}/{file}"));
                        // Slow enough that the follower is killed in the middle of a poll.
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        let slug = file.trim_end_matches(".html");
                        match SAMPLES.iter().find(|(s, _)| *s == slug) {
                            Some(_) => (
                                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                                page(slug),
                            )
                                .into_response(),
                            None => StatusCode::NOT_FOUND.into_response(),
                        }
                    },
                ),
            )
            .with_state(site);
    axum::serve(listener, app).await.expect("the site serves");
}

/// `newsflow feeds FILE [args]` against `url`, its stderr kept.
fn feeds(url: &str, file: &std::path::Path, args: &[&str]) -> Child {
    Command::new(newsflow_e2e::newsflow_bin())
        .arg("feeds")
        .arg(file)
        .args(args)
        .env("NATS_URL", url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("newsflow feeds starts")
}

async fn wait_for(what: &str, within: Duration, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done().await {
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_followed_through_a_restart_come_out_once_each_read_from_their_pages() {
    let server = NatsServer::start();
    ensure_streams(&server.url()).await.unwrap();
    let _stages = start_chain(&server.url(), &[]);
    let client = server.client().await;
    let js = async_nats::jetstream::new(client.clone());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let site = Arc::new(Site {
        port: listener.local_addr().unwrap().port(),
        rss: Mutex::new(vec!["nasa", "crane", "expo", "lanterns"]),
        ..Site::default()
    });
    tokio::spawn(serve(site.clone(), listener));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feeds.toml");
    let base = site.base();
    std::fs::write(
        &file,
        format!(
            "[defaults]\nevery = \"1s\"\nper_host_delay = \"50ms\"\n\n\
             [[feed]]\nurl = \"{base}/rss.xml\"\n\n\
             [[feed]]\nurl = \"{base}/atom.xml\"\nsource = \"Wire Longreads\"\n\n\
             [[feed]]\nurl = \"{base}/feed.json\"\n"
        ),
    )
    .unwrap();

    // Killed in the middle of its first poll: four of its six pages asked for.
    let mut follower = feeds(&server.url(), &file, &[]);
    wait_for(
        "newsflow feeds fetched no page within 30 s",
        Duration::from_secs(30),
        async || site.asked("/news/") >= 4,
    )
    .await;
    follower.kill().unwrap();
    follower.wait().unwrap();
    let before_restart = site.asked("/news/");
    assert!(
        before_restart < 6,
        "the follower was to be killed in the middle of its first poll, but it had fetched {before_restart} pages"
    );

    // Two more stories while it is down; then it starts again and polls every second.
    site.rss.lock().unwrap().extend(["flag", "clock"]);
    let expected = 6 + 2 + 2;
    let mut follower = feeds(&server.url(), &file, &[]);
    let events = article_events(&client, expected, Duration::from_secs(90)).await;
    assert_eq!(
        events.len(),
        expected,
        "every entry but the one robots.txt keeps comes out"
    );
    // A few more polls: nothing comes out twice.
    tokio::time::sleep(Duration::from_secs(3)).await;
    follower.kill().unwrap();
    follower.wait().unwrap();
    let events = article_events(&client, expected + 1, Duration::from_secs(2)).await;
    let by_url: BTreeMap<String, serde_json::Value> = events
        .iter()
        .map(json)
        .map(|event| (event["url"].as_str().unwrap_or("").to_owned(), event))
        .collect();
    assert_eq!(events.len(), expected, "no article came out twice");
    assert_eq!(by_url.len(), expected, "one article per entry");

    for slug in [
        "nasa", "crane", "expo", "lanterns", "flag", "clock", "iodine", "soccer",
    ] {
        let url = format!("{base}/news/{slug}.html");
        let event = by_url.get(&url).unwrap_or_else(|| panic!("{url} came out"));
        let (title, paragraphs) = parts(sample(slug));
        assert_eq!(event["title"], title, "the entry's title");
        let text = event["text"].as_str().unwrap();
        assert!(
            text.contains(
                paragraphs
                    .last()
                    .unwrap()
                    .split_whitespace()
                    .next()
                    .unwrap()
            ) && text.len() > paragraphs.iter().map(|p| p.len()).sum::<usize>() / 2,
            "{url}: the whole article was read from its page, not the feed's summary: {text:?}"
        );
        assert!(
            !text.contains(FURNITURE) && !text.contains("Accept all cookies"),
            "{url}: the page's furniture is left out: {text:?}"
        );
        assert_eq!(event["byline"], "Wire Staff", "{url}: the page's byline");
    }
    for (slug, source) in [
        ("nasa", "Daily Wire"),
        ("iodine", "Wire JSON"),
        ("warhol", "Wire Longreads"),
    ] {
        let event = by_url
            .iter()
            .find(|(url, _)| url.contains(&format!("/{slug}.html")))
            .map(|(_, event)| event)
            .unwrap();
        assert_eq!(
            event["source"], source,
            "{slug}: the feed's title or the file's source"
        );
        assert!(
            event["published_at"]
                .as_str()
                .is_some_and(|at| at.starts_with("2011-")),
            "{slug}: the entry's date: {}",
            event["published_at"]
        );
    }
    // What it had handed in before the kill it remembered: only a page being fetched then,
    // and one handed in but not yet remembered, are fetched again.
    let again: Vec<(String, usize)> = site
        .asked
        .lock()
        .unwrap()
        .iter()
        .filter(|(path, n)| path.starts_with("/news/") && **n > 1)
        .map(|(path, n)| (path.clone(), *n))
        .collect();
    assert!(
        again.len() <= 2 && again.iter().all(|(_, n)| *n == 2),
        "pages fetched again after the restart: {again:?} ({before_restart} fetched before it)"
    );
    assert_eq!(site.asked("/private/"), 0, "robots.txt is obeyed");
    assert_eq!(
        site.asked("/long/"),
        0,
        "whole articles in the feed need no page"
    );
    assert!(
        site.not_modified.load(Ordering::SeqCst) > 0,
        "polls after the first send the validators back and hear 304"
    );
    assert_eq!(
        stream_info(&js, "NEWSFLOW_RAW").await.state.last_sequence,
        expected as u64,
        "nothing was handed in twice"
    );

    // Once more, once: every feed is as it was.
    let once = feeds(&server.url(), &file, &["--once"])
        .wait_with_output()
        .unwrap();
    let said = String::from_utf8_lossy(&once.stderr);
    assert!(once.status.success(), "{said}");
    assert_eq!(
        said.matches("not modified since the last poll").count(),
        3,
        "{said}"
    );
}
