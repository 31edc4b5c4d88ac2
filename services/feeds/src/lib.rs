//! `newsflow feeds`: follows RSS, Atom and JSON feeds listed in a file and hands their articles
//! in through the intake, as `newsflow feed` does with files: politely (robots.txt, one request
//! per host at a time, conditional GETs), fetching the article's page when the entry holds only
//! a summary, and remembering in the key-value bucket `NEWSFLOW_FEEDS` what it has handed in,
//! so that a restart neither feeds an entry again nor loses one.

pub mod config;
pub mod fetch;
pub mod poll;
pub mod seen;

pub use config::{Feed, FeedsFile, Pages};
pub use fetch::Fetcher;
pub use poll::{Follower, Report};
pub use seen::Seen;

/// Polls every feed at its interval until the future is dropped, or each once when `once`;
/// `said` hears each poll's report. Returns how many feeds failed their poll (with `once`).
pub async fn follow(
    follower: &Follower,
    feeds: &[Feed],
    once: bool,
    said: impl Fn(&Feed, &anyhow::Result<Report>),
) -> usize {
    let polls = feeds.iter().map(|feed| {
        let said = &said;
        async move {
            loop {
                let report = follower.poll(feed).await;
                said(feed, &report);
                if once {
                    return report.is_err();
                }
                tokio::time::sleep(feed.every).await;
            }
        }
    });
    futures::future::join_all(polls)
        .await
        .into_iter()
        .filter(|failed| *failed)
        .count()
}
