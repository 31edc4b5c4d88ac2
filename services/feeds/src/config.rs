//! The feeds file: which feeds to follow and how often, in TOML or YAML.

use anyhow::{Context as _, bail};
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;
use url::Url;

/// Shortest interval a feed may be polled at: politeness towards its host.
pub const MIN_EVERY: Duration = Duration::from_secs(1);

/// What a feeds file holds, with the defaults applied to every feed.
#[derive(Debug, Clone)]
pub struct FeedsFile {
    /// The feeds, in the order the file gives them.
    pub feeds: Vec<Feed>,
    /// Least time between two requests to one host (robots.txt's `Crawl-delay` when longer).
    pub per_host_delay: Duration,
    /// What the fetches call themselves (`User-Agent`); robots.txt rules for `newsflow` apply.
    pub user_agent: String,
}

/// One feed to follow.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    /// The RSS, Atom or JSON Feed document.
    pub url: Url,
    /// Time between polls.
    pub every: Duration,
    /// The articles' `source`; the feed's own title when not given.
    pub source: Option<String>,
    /// The articles' language (ISO 639-1) when the feed is known to be in one; otherwise ingest
    /// detects it.
    pub language: Option<String>,
    /// When the article's page is fetched instead of using the entry's own text.
    pub pages: Pages,
    /// With [`Pages::Auto`], an entry with fewer words than this is taken for a summary.
    pub min_words: usize,
}

/// When to fetch the page an entry links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pages {
    /// When the entry's text is short (a summary): the usual case.
    Auto,
    /// Always: the feed carries teasers whatever their length.
    Always,
    /// Never: the feed carries whole articles, or the site may not be fetched.
    Never,
}

/// The file as written; every field but a feed's `url` may be left out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    #[serde(default)]
    defaults: WrittenDefaults,
    /// `[[feed]]` tables in TOML, a `feeds:` list in YAML; either name works in both.
    #[serde(alias = "feeds", default)]
    feed: Vec<WrittenFeed>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WrittenDefaults {
    every: Option<String>,
    per_host_delay: Option<String>,
    user_agent: Option<String>,
    pages: Option<Pages>,
    min_words: Option<usize>,
    language: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WrittenFeed {
    url: String,
    every: Option<String>,
    source: Option<String>,
    language: Option<String>,
    pages: Option<Pages>,
    min_words: Option<usize>,
}

/// Defaults of what a file leaves out.
const EVERY: Duration = Duration::from_secs(15 * 60);
const PER_HOST_DELAY: Duration = Duration::from_secs(1);
const MIN_WORDS: usize = 150;

impl FeedsFile {
    /// Reads `path`: TOML unless its name ends in `.yaml` or `.yml`.
    ///
    /// # Errors
    /// When the file cannot be read, is not valid TOML or YAML, names a field it should not, or
    /// a value is wrong (a URL that is not http or https, an interval shorter than [`MIN_EVERY`],
    /// the same feed twice, no feed at all), naming the file and the place.
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let yaml = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml"));
        Self::parse(&text, yaml).with_context(|| format!("in {}", path.display()))
    }

    /// Parses a feeds file's text, as YAML or as TOML.
    ///
    /// # Errors
    /// As [`FeedsFile::read`].
    pub fn parse(text: &str, yaml: bool) -> anyhow::Result<Self> {
        let written: Written = if yaml {
            serde_yaml_ng::from_str(text)?
        } else {
            toml::from_str(text)?
        };
        let defaults = written.defaults;
        let every = duration(defaults.every.as_deref(), "defaults.every")?.unwrap_or(EVERY);
        let per_host_delay = duration(
            defaults.per_host_delay.as_deref(),
            "defaults.per_host_delay",
        )?
        .unwrap_or(PER_HOST_DELAY);
        if written.feed.is_empty() {
            bail!(
                "no feed is listed: add a [[feed]] table with a url (TOML) or a feeds: list (YAML)"
            );
        }
        let mut feeds: Vec<Feed> = Vec::new();
        for (n, feed) in written.feed.into_iter().enumerate() {
            let at = format!("feed {} ({})", n + 1, feed.url);
            let url = Url::parse(&feed.url).with_context(|| format!("{at}: not a URL"))?;
            if !matches!(url.scheme(), "http" | "https") {
                bail!("{at}: only http and https feeds can be followed");
            }
            if feeds.iter().any(|known| known.url == url) {
                bail!("{at}: listed twice");
            }
            let every = duration(feed.every.as_deref(), &format!("{at}: every"))?.unwrap_or(every);
            if every < MIN_EVERY {
                bail!(
                    "{at}: every is {}, shorter than {}",
                    humantime::format_duration(every),
                    humantime::format_duration(MIN_EVERY)
                );
            }
            // Checked as ingest will: a wrong one would have every article rejected.
            let language = feed
                .language
                .or_else(|| defaults.language.clone())
                .map(|language| newsflow_ingest::check_language(&language))
                .transpose()
                .with_context(|| format!("{at}: language"))?;
            feeds.push(Feed {
                url,
                every,
                source: feed.source,
                language,
                pages: feed.pages.or(defaults.pages).unwrap_or(Pages::Auto),
                min_words: feed.min_words.or(defaults.min_words).unwrap_or(MIN_WORDS),
            });
        }
        Ok(Self {
            feeds,
            per_host_delay,
            user_agent: defaults.user_agent.unwrap_or_else(|| {
                format!(
                    "newsflow/{} (feeds; robots.txt token newsflow)",
                    env!("CARGO_PKG_VERSION")
                )
            }),
        })
    }
}

/// A duration written as the stages' settings are (`15m`, `1h 30m`, `90s`).
fn duration(written: Option<&str>, what: &str) -> anyhow::Result<Option<Duration>> {
    written
        .map(|text| {
            newsflow_runtime::config::parse_duration(text)
                .map_err(|err| anyhow::anyhow!("{what}: {text:?}: {err}"))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_yaml_say_the_same_and_defaults_fill_what_a_feed_leaves_out() {
        let toml = r#"
            [defaults]
            every = "10m"
            per_host_delay = "2s"

            [[feed]]
            url = "https://example.org/rss.xml"

            [[feed]]
            url = "https://example.net/atom.xml"
            every = "1h"
            source = "Example Net"
            pages = "always"
        "#;
        let yaml = "
defaults:
  every: 10m
  per_host_delay: 2s
feeds:
  - url: https://example.org/rss.xml
  - url: https://example.net/atom.xml
    every: 1h
    source: Example Net
    pages: always
";
        let from_toml = FeedsFile::parse(toml, false).unwrap();
        let from_yaml = FeedsFile::parse(yaml, true).unwrap();
        assert_eq!(from_toml.feeds, from_yaml.feeds);
        assert_eq!(from_toml.per_host_delay, Duration::from_secs(2));
        let [first, second] = &from_toml.feeds[..] else {
            panic!("two feeds")
        };
        assert_eq!(first.every, Duration::from_secs(600));
        assert_eq!(first.pages, Pages::Auto);
        assert_eq!(first.min_words, MIN_WORDS);
        assert_eq!(second.every, Duration::from_secs(3600));
        assert_eq!(second.source.as_deref(), Some("Example Net"));
        assert_eq!(second.pages, Pages::Always);
    }

    #[test]
    fn mistakes_are_named_with_where_they_are() {
        let wrong = |text: &str| format!("{:#}", FeedsFile::parse(text, false).unwrap_err());
        assert!(wrong("").contains("no feed is listed"));
        assert!(wrong("[[feed]]\nurl = \"ftp://example.org/x\"").contains("only http and https"));
        assert!(wrong("[[feed]]\nurl = \"not a url\"").contains("feed 1 (not a url): not a URL"));
        assert!(
            wrong("[[feed]]\nurl = \"https://e.org/a\"\nevery = \"soon\"")
                .contains("every: \"soon\": ")
                && wrong("[[feed]]\nurl = \"https://e.org/a\"\nevery = \"soon\"")
                    .contains("expected a duration")
        );
        assert!(
            wrong("[[feed]]\nurl = \"https://e.org/a\"\nevery = \"100ms\"")
                .contains("shorter than 1s")
        );
        assert!(
            wrong("[[feed]]\nurl = \"https://e.org/a\"\n[[feed]]\nurl = \"https://e.org/a\"")
                .contains("feed 2 (https://e.org/a): listed twice")
        );
        assert!(wrong("[[feed]]\nurl = \"https://e.org/a\"\nevrey = \"1m\"").contains("evrey"));
        assert!(
            wrong("[[feed]]\nurl = \"https://e.org/a\"\nlanguage = \"english\"")
                .contains("feed 1 (https://e.org/a): language")
        );
    }
}
