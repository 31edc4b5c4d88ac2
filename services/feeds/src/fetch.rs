//! Fetching feeds and pages politely: robots.txt obeyed, one request at a time per host at most
//! every `per_host_delay` (or the host's `Crawl-delay`), conditional GETs, bounded bodies.

use anyhow::{Context as _, bail};
use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, LOCATION,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use texting_robots::Robot;
use tokio::time::Instant;
use url::Url;

/// The name robots.txt rules address newsflow by.
pub const ROBOTS_TOKEN: &str = "newsflow";

/// How long a host's robots.txt is trusted once read.
const ROBOTS_KEPT: Duration = Duration::from_secs(24 * 3600);
/// How long a host whose robots.txt could not be read is left alone before it is asked again.
const ROBOTS_RETRY: Duration = Duration::from_secs(10 * 60);
/// Longest `Crawl-delay` honoured: a longer one would stall every feed of the host for good.
const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);
/// Largest robots.txt read; Google reads 500 KiB.
const ROBOTS_MAX_BYTES: usize = 512 * 1024;

/// What a server said about a resource the last time it was fetched, sent back so that it can
/// answer "not modified".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    /// `ETag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// `Last-Modified`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl Validators {
    /// Whether there is anything to send back.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// What a fetch brought.
#[derive(Debug)]
pub enum Fetched {
    /// The resource, from `url` (after redirects), with its `Content-Type`.
    Body {
        bytes: Vec<u8>,
        url: Url,
        validators: Validators,
        content_type: Option<String>,
    },
    /// Unchanged since the validators sent.
    NotModified,
    /// The host's robots.txt does not let newsflow fetch it, with why.
    Disallowed(String),
    /// Not there and not coming (a 4xx answer other than 408 and 429, or larger than asked
    /// for), with why: asking again will not help.
    Gone(String),
}

/// Redirects followed, each hop checked against its host's robots.txt and turn.
const MAX_REDIRECTS: usize = 10;

/// Fetches over HTTP for every feed followed, keeping each host's robots.txt and turn.
pub struct Fetcher {
    client: reqwest::Client,
    delay: Duration,
    hosts: Mutex<HashMap<String, Host>>,
}

#[derive(Default)]
struct Host {
    /// Held for the whole of a request to this host: one at a time.
    gate: Arc<tokio::sync::Mutex<()>>,
    /// When the next request to this host may start.
    next: Option<Instant>,
    robots: Option<(Instant, Rules)>,
}

/// A host's robots.txt, as read.
#[derive(Clone)]
enum Rules {
    /// None there (a 4xx answer): everything may be fetched (RFC 9309, 2.3.1.3).
    Everything,
    /// Unreachable or a server error: nothing may be fetched until it is read (RFC 9309,
    /// 2.3.1.4), with why.
    Nothing(String),
    Read(Arc<Robot>),
}

/// What robots.txt says of one URL.
enum Verdict {
    Allowed,
    Disallowed(String),
    /// It could not be read: ask again later.
    Unknown(String),
}

impl Rules {
    fn allows(&self, url: &Url) -> Verdict {
        match self {
            Self::Everything => Verdict::Allowed,
            Self::Nothing(why) => Verdict::Unknown(why.clone()),
            Self::Read(robot) if robot.allowed(url.as_str()) => Verdict::Allowed,
            Self::Read(_) => Verdict::Disallowed(format!(
                "the robots.txt of {} disallows {} for {ROBOTS_TOKEN}",
                url.origin().ascii_serialization(),
                url.path()
            )),
        }
    }

    fn crawl_delay(&self) -> Option<Duration> {
        match self {
            Self::Read(robot) => robot
                .delay
                .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
                // Capped before it becomes a duration: a huge one would not fit.
                .map(|seconds| Duration::from_secs_f32(seconds.min(MAX_CRAWL_DELAY.as_secs_f32()))),
            _ => None,
        }
    }
}

impl Fetcher {
    /// A fetcher calling itself `user_agent`, leaving `delay` between two requests to one host.
    ///
    /// # Errors
    /// When the HTTP client cannot be built (no TLS roots on this system).
    pub fn new(user_agent: &str, delay: Duration) -> anyhow::Result<Self> {
        newsflow_runtime::telemetry::install_tls_provider();
        let client = reqwest::Client::builder()
            .user_agent(user_agent)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            // Followed by hand, so that each hop asks its own host's robots.txt and waits its turn.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .context("building the HTTP client")?;
        Ok(Self {
            client,
            delay,
            hosts: Mutex::default(),
        })
    }

    /// Fetches `url` once robots.txt allows it and the host's turn has come, sending
    /// `validators` back; reads at most `max_bytes` of it. Redirects are followed, up to
    /// [`MAX_REDIRECTS`], each as a request of its own.
    ///
    /// # Errors
    /// When it may work later: the request fails, the server answers 5xx, 408 or 429, the
    /// host's robots.txt cannot be read, or redirects go on and on.
    pub async fn get(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        max_bytes: usize,
    ) -> anyhow::Result<Fetched> {
        let mut url = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            let origin = url.origin().ascii_serialization();
            let rules = self.rules(&url, &origin).await;
            match rules.allows(&url) {
                Verdict::Allowed => {}
                Verdict::Disallowed(why) => return Ok(Fetched::Disallowed(why)),
                Verdict::Unknown(why) => bail!("{why}"),
            }
            let _gate = self.turn(&origin, rules.crawl_delay()).await;
            let mut request = self.client.get(url.clone());
            if let Some(validators) = validators {
                if let Some(etag) = &validators.etag {
                    request = request.header(IF_NONE_MATCH, etag);
                }
                if let Some(modified) = &validators.last_modified {
                    request = request.header(IF_MODIFIED_SINCE, modified);
                }
            }
            let response = request
                .send()
                .await
                .with_context(|| format!("fetching {url}"))?;
            let status = response.status();
            let header = |name| {
                response
                    .headers()
                    .get(name)
                    .and_then(|value: &reqwest::header::HeaderValue| value.to_str().ok())
                    .map(str::to_owned)
            };
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched::NotModified);
            }
            if status.is_redirection()
                && let Some(next) = header(LOCATION).and_then(|to| url.join(&to).ok())
            {
                url = next;
                continue;
            }
            if status.is_client_error()
                && !matches!(
                    status,
                    StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS
                )
            {
                return Ok(Fetched::Gone(format!("{url} answered {status}")));
            }
            if !status.is_success() {
                bail!("{url} answered {status}");
            }
            let validators = Validators {
                etag: header(ETAG),
                last_modified: header(LAST_MODIFIED),
            };
            let content_type = header(CONTENT_TYPE);
            let (bytes, whole) = read_up_to(response, max_bytes).await?;
            if !whole {
                return Ok(Fetched::Gone(format!(
                    "{url} is larger than {max_bytes} bytes"
                )));
            }
            return Ok(Fetched::Body {
                bytes,
                url,
                validators,
                content_type,
            });
        }
        bail!("{url}: more than {MAX_REDIRECTS} redirects")
    }

    /// Waits until no other request to `origin` runs and its delay since the last one has
    /// passed; the request may go while the returned guard is held.
    async fn turn(
        &self,
        origin: &str,
        crawl_delay: Option<Duration>,
    ) -> tokio::sync::OwnedMutexGuard<()> {
        let delay = crawl_delay.map_or(self.delay, |asked| asked.max(self.delay));
        let gate = self
            .hosts
            .lock()
            .expect("never poisoned")
            .entry(origin.to_owned())
            .or_default()
            .gate
            .clone();
        let held = gate.lock_owned().await;
        let at = {
            let mut hosts = self.hosts.lock().expect("never poisoned");
            let host = hosts.entry(origin.to_owned()).or_default();
            let now = Instant::now();
            let at = host.next.map_or(now, |next| next.max(now));
            host.next = Some(at + delay);
            at
        };
        tokio::time::sleep_until(at).await;
        held
    }

    /// The robots.txt rules of `origin`, read when not known or too old.
    async fn rules(&self, url: &Url, origin: &str) -> Rules {
        if let Some((read_at, rules)) = self
            .hosts
            .lock()
            .expect("never poisoned")
            .get(origin)
            .and_then(|host| host.robots.clone())
        {
            let kept = match rules {
                Rules::Nothing(_) => ROBOTS_RETRY,
                _ => ROBOTS_KEPT,
            };
            if read_at.elapsed() < kept {
                return rules;
            }
        }
        let rules = self.read_robots(url, origin).await;
        self.hosts
            .lock()
            .expect("never poisoned")
            .entry(origin.to_owned())
            .or_default()
            .robots = Some((Instant::now(), rules.clone()));
        rules
    }

    async fn read_robots(&self, url: &Url, origin: &str) -> Rules {
        let Ok(robots_url) = url.join("/robots.txt") else {
            return Rules::Everything;
        };
        let _gate = self.turn(origin, None).await;
        let response = match self.client.get(robots_url.clone()).send().await {
            Ok(response) => response,
            Err(err) => {
                return Rules::Nothing(format!(
                    "{robots_url} could not be read ({err}): nothing is fetched from {origin} until it can"
                ));
            }
        };
        let status = response.status();
        // A robots.txt that is not there allows everything; a host asking us to slow down
        // (429) is not saying that.
        if status.is_client_error() && status != StatusCode::TOO_MANY_REQUESTS {
            return Rules::Everything;
        }
        if !status.is_success() {
            return Rules::Nothing(format!(
                "{robots_url} answered {status}: nothing is fetched from {origin} until it answers"
            ));
        }
        // Past the limit, the rest is left unread (RFC 9309, 2.5).
        match read_up_to(response, ROBOTS_MAX_BYTES).await {
            Ok((text, _)) => match Robot::new(ROBOTS_TOKEN, &text) {
                Ok(robot) => Rules::Read(Arc::new(robot)),
                // Unparseable rules forbid nothing a parser could find.
                Err(_) => Rules::Everything,
            },
            Err(err) => Rules::Nothing(format!(
                "{robots_url} could not be read ({err:#}): nothing is fetched from {origin} until it can"
            )),
        }
    }
}

/// A page's text: decoded from the charset its `Content-Type` names, else the one a
/// `<meta charset>` near its start names, else UTF-8 (bytes that are not, replaced).
pub fn page_text(bytes: &[u8], content_type: Option<&str>) -> String {
    let named = |text: &str| {
        let lower = text.to_ascii_lowercase();
        let at = lower.find("charset=")? + "charset=".len();
        let label: String = lower[at..]
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
            .collect();
        encoding_rs::Encoding::for_label(label.as_bytes())
    };
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]);
    let encoding = content_type
        .and_then(named)
        .or_else(|| named(&head))
        .unwrap_or(encoding_rs::UTF_8);
    let (text, _, _) = encoding.decode(bytes);
    text.into_owned()
}

/// The body of `response` up to `max_bytes`, and whether that was all of it.
async fn read_up_to(
    mut response: reqwest::Response,
    max_bytes: usize,
) -> anyhow::Result<(Vec<u8>, bool)> {
    let url = response.url().clone();
    if response
        .content_length()
        .is_some_and(|length| length > max_bytes as u64)
    {
        return Ok((Vec::new(), false));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .with_context(|| format!("reading {url}"))?
    {
        if body.len() + chunk.len() > max_bytes {
            body.extend_from_slice(&chunk[..max_bytes - body.len()]);
            return Ok((body, false));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;

    /// A site on a free port whose robots.txt answers `robots`; every other path answers "ok".
    async fn site(robots: (u16, &'static str)) -> Url {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let app = axum::Router::new()
            .route(
                "/robots.txt",
                get(move || async move {
                    (
                        axum::http::StatusCode::from_u16(robots.0).unwrap(),
                        robots.1,
                    )
                }),
            )
            .fallback(|| async { "ok" });
        tokio::spawn(async move { axum::serve(listener, app).await });
        Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap()
    }

    #[tokio::test]
    async fn robots_txt_rules_for_newsflow_are_obeyed_and_one_that_fails_holds_fetches_back() {
        let fetcher = Fetcher::new("test", Duration::ZERO).unwrap();
        let rules = site((200, "User-agent: newsflow\nDisallow: /private/\n")).await;
        let fetched = fetcher
            .get(&rules.join("private/x").unwrap(), None, 100)
            .await;
        assert!(matches!(fetched, Ok(Fetched::Disallowed(why)) if why.contains("/private/x")));
        let fetched = fetcher.get(&rules.join("news/x").unwrap(), None, 100).await;
        assert!(matches!(fetched, Ok(Fetched::Body { bytes, .. }) if bytes == b"ok"));

        let none = site((404, "")).await;
        let fetched = fetcher
            .get(&none.join("private/x").unwrap(), None, 100)
            .await;
        assert!(matches!(fetched, Ok(Fetched::Body { .. })));

        // One that fails to answer: nothing now, asked again later.
        let failing = site((503, "")).await;
        let fetched = fetcher
            .get(&failing.join("news/x").unwrap(), None, 100)
            .await;
        assert!(format!("{:#}", fetched.unwrap_err()).contains("503"));

        // A Crawl-delay too long for a duration is held to a minute, not a crash.
        let huge = site((200, "User-agent: *\nCrawl-delay: 1e30\n")).await;
        let rules = fetcher
            .rules(&huge, &huge.origin().ascii_serialization())
            .await;
        assert_eq!(rules.crawl_delay(), Some(MAX_CRAWL_DELAY));
    }

    #[test]
    fn a_page_is_read_in_the_charset_it_names() {
        let latin1 = b"<p>Caf\xe9 au lait</p>";
        assert_eq!(
            page_text(latin1, Some("text/html; charset=ISO-8859-1")),
            "<p>Caf\u{e9} au lait</p>"
        );
        let meta = [
            &b"<html><head><meta charset=\"windows-1252\"></head>"[..],
            latin1,
        ]
        .concat();
        assert!(page_text(&meta, Some("text/html")).ends_with("<p>Caf\u{e9} au lait</p>"));
        assert_eq!(page_text("<p>Café</p>".as_bytes(), None), "<p>Café</p>");
    }

    #[tokio::test]
    async fn requests_to_one_host_keep_their_distance_and_bodies_their_limit() {
        let delay = Duration::from_millis(300);
        let fetcher = Fetcher::new("test", delay).unwrap();
        let url = site((404, "")).await;
        let started = Instant::now();
        // robots.txt, then three pages: three gaps at least.
        for _ in 0..3 {
            fetcher.get(&url, None, 100).await.unwrap();
        }
        assert!(started.elapsed() >= delay * 3, "{:?}", started.elapsed());
        let fetched = fetcher.get(&url, None, 1).await.unwrap();
        assert!(matches!(fetched, Fetched::Gone(why) if why.contains("larger than 1 bytes")));
    }
}
