//! One poll of one feed: fetched if changed, its new entries turned into articles (the linked
//! page fetched when the entry holds only a summary) and handed in oldest first, each
//! remembered once the bus has stored it.

use crate::config::{Feed, Pages};
use crate::fetch::{Fetched, Fetcher, page_text};
use crate::seen::{self, Seen};
use chrono::{DateTime, Utc};
use newsflow_intake::{Fate, Intake, Outcome};
use newsflow_proto::{ArticleRaw, BodyFormat};
use url::Url;

/// Largest feed document read.
const FEED_MAX_BYTES: usize = 16 << 20;

/// What one poll of a feed did.
#[derive(Debug, Default)]
pub struct Report {
    /// The feed had not changed since the last poll (304): nothing was read.
    pub not_modified: bool,
    /// Entries in the feed.
    pub entries: usize,
    /// Handed in and new to ingest.
    pub new: usize,
    /// Handed in as a new revision of an article ingest has.
    pub revised: usize,
    /// Handed in but unchanged since ingest's latest revision: nothing comes out.
    pub unchanged: usize,
    /// Dealt with before, or handed in moments ago.
    pub known: usize,
    /// Given up on for good, with the entry's link or id and why (rejected by ingest, disallowed
    /// by robots.txt, nothing to read): remembered, not tried again.
    pub given_up: Vec<(String, String)>,
    /// Not handed in this time, with why (a page or the bus did not answer): tried again at the
    /// next poll.
    pub again: Vec<(String, String)>,
    /// Why the revisions bucket could not be read, when it could not: ingest decides.
    pub undecided: Option<String>,
}

impl Report {
    /// One line for people, and a line per entry given up on or left for later.
    pub fn render(&self, feed: &Url) -> String {
        if self.not_modified {
            return format!("{feed}: not modified since the last poll\n");
        }
        let mut out = format!(
            "{feed}: {} entries: {} new, {} new revision(s), {} unchanged, {} seen before, {} given up, {} left for the next poll\n",
            self.entries,
            self.new,
            self.revised,
            self.unchanged,
            self.known,
            self.given_up.len(),
            self.again.len()
        );
        for (entry, why) in &self.given_up {
            out.push_str(&format!("  given up  {entry}: {why}\n"));
        }
        for (entry, why) in &self.again {
            out.push_str(&format!("  again     {entry}: {why}\n"));
        }
        if let Some(why) = &self.undecided {
            out.push_str(&format!(
                "  whether the articles are new is ingest's to decide: {why}\n"
            ));
        }
        out
    }
}

/// Follows feeds: fetches them, remembers what it has seen, hands articles in.
pub struct Follower {
    fetcher: Fetcher,
    seen: Seen,
    intake: Intake,
}

/// What an entry gives to read, before the page is fetched.
struct EntryText {
    body: String,
    format: BodyFormat,
    words: usize,
}

impl Follower {
    /// A follower fetching with `fetcher`, remembering in `seen`, handing in through `intake`.
    pub fn new(fetcher: Fetcher, seen: Seen, intake: Intake) -> Self {
        Self {
            fetcher,
            seen,
            intake,
        }
    }

    /// Polls `feed` once.
    ///
    /// # Errors
    /// When the feed cannot be fetched or read, robots.txt disallows it, or the bucket cannot be
    /// read: nothing was handed in, and the next poll tries again.
    pub async fn poll(&self, feed: &Feed) -> anyhow::Result<Report> {
        let validators = self.seen.validators(&feed.url).await?;
        let (bytes, url, validators) = match self
            .fetcher
            .get(&feed.url, validators.as_ref(), FEED_MAX_BYTES)
            .await?
        {
            Fetched::NotModified => {
                return Ok(Report {
                    not_modified: true,
                    ..Report::default()
                });
            }
            Fetched::Disallowed(why) | Fetched::Gone(why) => anyhow::bail!("{why}"),
            Fetched::Body {
                bytes,
                url,
                validators,
                ..
            } => (bytes, url, validators),
        };
        let parsed = feed_rs::parser::Builder::new()
            .base_uri(Some(url.as_str()))
            .id_generator(entry_id)
            .build()
            .parse(bytes.as_slice())
            .map_err(|err| anyhow::anyhow!("{url} is not an RSS, Atom or JSON feed: {err}"))?;
        let source = feed
            .source
            .clone()
            .or_else(|| parsed.title.as_ref().map(|title| title.content.clone()))
            .filter(|source| !source.trim().is_empty());
        let mut entries = parsed.entries;
        // Feeds list the newest first; revisions and readers expect the oldest first.
        entries.reverse();
        if entries.iter().all(|entry| when(entry).is_some()) {
            entries.sort_by_key(when);
        }
        let mut report = Report {
            entries: entries.len(),
            ..Report::default()
        };
        let run = self.intake.run();
        for entry in &entries {
            self.hand_in(feed, source.as_deref(), entry, &run, &mut report)
                .await;
        }
        // Sent back next time only once every entry is dealt with: otherwise the server would
        // answer "not modified" and the entries left for later would never be read again.
        if report.again.is_empty()
            && !validators.is_empty()
            && let Err(err) = self.seen.set_validators(&feed.url, &validators).await
        {
            tracing::warn!(feed = %feed.url, "the feed's validators were not remembered: {err:#}");
        }
        Ok(report)
    }

    /// Hands one entry in unless it was dealt with, and remembers what became of it.
    async fn hand_in(
        &self,
        feed: &Feed,
        source: Option<&str>,
        entry: &feed_rs::model::Entry,
        run: &newsflow_intake::Run<'_>,
        report: &mut Report,
    ) {
        let link = entry.links.first().map(|link| link.href.clone());
        // An entry with no id, link or title is known by its text.
        let key = if entry.id.is_empty() {
            entry_text(entry).map_or_else(String::new, |text| format!("text:{}", text.body))
        } else {
            entry.id.clone()
        };
        let name = link.clone().unwrap_or_else(|| entry.id.clone());
        let updated = changed(entry).map(|at| at.to_rfc3339());
        match self.seen.entry(&feed.url, &key).await {
            Ok(Some(seen)) if seen.updated >= updated => {
                report.known += 1;
                return;
            }
            Ok(_) => {}
            Err(err) => {
                report.again.push((name, format!("{err:#}")));
                return;
            }
        }
        let article = match self.article(feed, source, entry, link.as_deref()).await {
            Ok(Ok(article)) => article,
            Ok(Err(why)) => {
                self.remember(feed, &key, updated, &why, report).await;
                report.given_up.push((name, why));
                return;
            }
            Err(why) => {
                report.again.push((name, why));
                return;
            }
        };
        let payload = serde_json::to_vec(&article).expect("plain data serialises");
        let (outcome, undecided) = run.submit(payload).await;
        if let Some(why) = undecided {
            report.undecided.get_or_insert(why);
        }
        let said = match outcome {
            Outcome::Accepted { id, fate } => match fate {
                Fate::Revision(n) => {
                    report.revised += 1;
                    format!("handed in as article {id}, revision {n}")
                }
                Fate::New | Fate::Undecided => {
                    report.new += 1;
                    format!("handed in as article {id}")
                }
            },
            Outcome::Unchanged { id, revision } => {
                report.unchanged += 1;
                format!("unchanged: article {id} revision {revision}")
            }
            Outcome::JustFed { id } => {
                report.known += 1;
                format!("handed in as article {id}")
            }
            Outcome::Rejected(err) => {
                let why = format!("rejected: {err}");
                report.given_up.push((name, why.clone()));
                why
            }
            Outcome::Unstored { reason, .. } => {
                report.again.push((name, reason));
                return;
            }
        };
        self.remember(feed, &key, updated, &said, report).await;
    }

    /// Remembers an entry dealt with; when the bucket refuses, it is handed in again at the next
    /// poll, which the intake finds unchanged.
    async fn remember(
        &self,
        feed: &Feed,
        key: &str,
        updated: Option<String>,
        outcome: &str,
        report: &mut Report,
    ) {
        let seen = seen::Entry {
            updated,
            outcome: outcome.to_owned(),
        };
        if let Err(err) = self.seen.remember(&feed.url, key, &seen).await {
            report.again.push((key.to_owned(), format!("{err:#}")));
        }
    }

    /// The article an entry gives: `Ok(Err(why))` when it never will (robots.txt, nothing to
    /// read), `Err(why)` when it may later (the page did not answer).
    async fn article(
        &self,
        feed: &Feed,
        source: Option<&str>,
        entry: &feed_rs::model::Entry,
        link: Option<&str>,
    ) -> Result<Result<ArticleRaw, String>, String> {
        let own = entry_text(entry);
        let short = own.as_ref().is_none_or(|text| text.words < feed.min_words);
        let fetch_page = match feed.pages {
            Pages::Always => true,
            Pages::Auto => short,
            Pages::Never => false,
        };
        let page = match (fetch_page, link.map(Url::parse)) {
            (true, Some(Ok(page_url))) => {
                let max_bytes = self
                    .intake
                    .limits()
                    .max_bytes
                    .saturating_mul(newsflow_ingest::HTML_FACTOR);
                match self.fetcher.get(&page_url, None, max_bytes).await {
                    Ok(Fetched::Body {
                        bytes,
                        content_type,
                        ..
                    }) => Some(Ok(page_text(&bytes, content_type.as_deref()))),
                    // For good: the entry's own text, if it has any, is all there is.
                    Ok(Fetched::Disallowed(why) | Fetched::Gone(why)) => Some(Err(why)),
                    Ok(Fetched::NotModified) => None,
                    Err(err) => return Err(format!("{err:#}")),
                }
            }
            _ => None,
        };
        let (body, format) = match (page, own) {
            (Some(Ok(page)), _) => (page, BodyFormat::Html),
            // A page robots.txt keeps us from, or that is gone: the entry's own text.
            (Some(Err(_)), Some(own)) | (None, Some(own)) => (own.body, own.format),
            (Some(Err(why)), None) => return Ok(Err(why)),
            (None, None) => {
                let why = if link.is_some() && feed.pages == Pages::Never {
                    "the entry has no text, and its page is not fetched (pages = \"never\")"
                } else {
                    "the entry has no text and no page to read it from"
                };
                return Ok(Err(why.to_owned()));
            }
        };
        Ok(Ok(ArticleRaw {
            id: None,
            url: link.map(str::to_owned),
            title: entry
                .title
                .as_ref()
                .map(|title| title.content.clone())
                .filter(|title| !title.trim().is_empty()),
            body,
            format: Some(format),
            published_at: entry.published.or(entry.updated).map(|at| at.to_rfc3339()),
            source: source.map(str::to_owned),
            language: feed.language.clone(),
        }))
    }
}

/// When an entry was first published, as the feed says: the order entries are handed in.
fn when(entry: &feed_rs::model::Entry) -> Option<DateTime<Utc>> {
    entry.published.or(entry.updated)
}

/// When an entry was last changed, as the feed says: a later change is handed in again.
fn changed(entry: &feed_rs::model::Entry) -> Option<DateTime<Utc>> {
    entry.updated.or(entry.published)
}

/// An entry's id when the feed gives none: its link, else its title (feed-rs's own would mix
/// in the title, so a corrected headline would look like a new entry).
fn entry_id(
    links: &[feed_rs::model::Link],
    title: &Option<feed_rs::model::Text>,
    _uri: Option<&str>,
) -> String {
    links.first().map_or_else(
        || {
            title
                .as_ref()
                .map_or_else(String::new, |title| format!("title:{}", title.content))
        },
        |link| link.href.clone(),
    )
}

/// The entry's own text, its content or else its summary.
fn entry_text(entry: &feed_rs::model::Entry) -> Option<EntryText> {
    let (body, plain) = match (&entry.content, &entry.summary) {
        (Some(content), _) if content.body.as_ref().is_some_and(|b| !b.trim().is_empty()) => (
            content.body.clone().unwrap_or_default(),
            content.content_type.to_string().starts_with("text/plain"),
        ),
        (_, Some(summary)) if !summary.content.trim().is_empty() => (
            summary.content.clone(),
            summary.content_type.to_string().starts_with("text/plain"),
        ),
        _ => return None,
    };
    let words = if plain {
        body.split_whitespace().count()
    } else {
        words_of_html(&body)
    };
    Some(EntryText {
        body,
        format: if plain {
            BodyFormat::Text
        } else {
            BodyFormat::Html
        },
        words,
    })
}

/// Words outside tags: enough to tell a summary from an article.
fn words_of_html(html: &str) -> usize {
    let mut words = 0;
    let mut in_tag = false;
    let mut in_word = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                in_word = false;
            }
            '>' => in_tag = false,
            _ if in_tag => {}
            c if c.is_whitespace() => in_word = false,
            _ => {
                if !in_word {
                    words += 1;
                }
                in_word = true;
            }
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(feed: &str) -> Vec<feed_rs::model::Entry> {
        feed_rs::parser::Builder::new()
            .id_generator(entry_id)
            .build()
            .parse(feed.as_bytes())
            .unwrap()
            .entries
    }

    #[test]
    fn an_entry_without_an_id_is_known_by_its_link_whatever_its_headline_becomes() {
        let item = |title: &str| {
            format!(
                "<rss version=\"2.0\"><channel><title>T</title><item><title>{title}</title>\
                 <link>https://example.org/a</link><description>Short.</description></item></channel></rss>"
            )
        };
        let first = parsed(&item("Storm nears"));
        let corrected = parsed(&item("Storm nears the coast"));
        assert_eq!(first[0].id, "https://example.org/a");
        assert_eq!(first[0].id, corrected[0].id);
    }

    #[test]
    fn an_entry_s_own_text_is_its_content_else_its_summary_counted_in_words_outside_tags() {
        let entries = parsed(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>f</id><updated>2024-01-01T00:00:00Z</updated>
            <entry><id>a</id><title>A</title><updated>2024-01-01T00:00:00Z</updated>
              <summary>Just a teaser.</summary><content type="html">&lt;p&gt;One two &lt;b&gt;three&lt;/b&gt; four.&lt;/p&gt;</content></entry>
            <entry><id>b</id><title>B</title><updated>2024-01-01T00:00:00Z</updated><summary>Only a teaser here.</summary></entry>
            <entry><id>c</id><title>C</title><updated>2024-01-01T00:00:00Z</updated></entry>
            </feed>"#,
        );
        let a = entry_text(&entries[0]).unwrap();
        assert_eq!((a.words, a.format), (4, BodyFormat::Html));
        let b = entry_text(&entries[1]).unwrap();
        assert_eq!((b.body.as_str(), b.words), ("Only a teaser here.", 4));
        assert!(entry_text(&entries[2]).is_none());
    }
}
