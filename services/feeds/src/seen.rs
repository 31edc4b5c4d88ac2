//! What `newsflow feeds` remembers between polls and across restarts, in the key-value bucket
//! `NEWSFLOW_FEEDS`: per feed, each entry handed in (or given up on, with why) and the
//! validators of the last fetch whose entries were all dealt with.

use crate::fetch::Validators;
use anyhow::Context as _;
use async_nats::jetstream::kv;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use url::Url;

/// One entry as it was dealt with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The entry's `updated` (or `published`) time then: a later one is handed in again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// What became of it, for people reading the bucket (`nats kv get`).
    pub outcome: String,
}

/// The bucket, as one feed's memory.
pub struct Seen {
    store: kv::Store,
}

impl Seen {
    /// Remembers through `store`, the bucket `NEWSFLOW_FEEDS`.
    pub fn new(store: kv::Store) -> Self {
        Self { store }
    }

    /// What was remembered of entry `key` of `feed`.
    ///
    /// # Errors
    /// When the bucket cannot be read.
    pub async fn entry(&self, feed: &Url, key: &str) -> anyhow::Result<Option<Entry>> {
        self.read(&entry_key(feed, key)).await
    }

    /// Remembers entry `key` of `feed`.
    ///
    /// # Errors
    /// When the bucket cannot be written.
    pub async fn remember(&self, feed: &Url, key: &str, entry: &Entry) -> anyhow::Result<()> {
        self.write(&entry_key(feed, key), entry).await
    }

    /// The validators of `feed`'s last fetch whose entries were all dealt with.
    ///
    /// # Errors
    /// When the bucket cannot be read.
    pub async fn validators(&self, feed: &Url) -> anyhow::Result<Option<Validators>> {
        self.read(&feed_key(feed)).await
    }

    /// Remembers the validators of a fetch of `feed` whose entries were all dealt with.
    ///
    /// # Errors
    /// When the bucket cannot be written.
    pub async fn set_validators(&self, feed: &Url, validators: &Validators) -> anyhow::Result<()> {
        self.write(&feed_key(feed), validators).await
    }

    async fn read<T: serde::de::DeserializeOwned>(&self, key: &str) -> anyhow::Result<Option<T>> {
        let Some(value) = self.store.get(key).await.with_context(|| {
            format!(
                "reading {key} in {}",
                newsflow_proto::subjects::FEEDS_BUCKET
            )
        })?
        else {
            return Ok(None);
        };
        // What cannot be read back (written by another version) counts as never seen: handing
        // an entry in again is safe, the intake finds it unchanged.
        Ok(serde_json::from_slice(&value).ok())
    }

    async fn write<T: Serialize>(&self, key: &str, value: &T) -> anyhow::Result<()> {
        let bytes = serde_json::to_vec(value).expect("plain data serialises");
        self.store.put(key, bytes.into()).await.with_context(|| {
            format!(
                "writing {key} in {}",
                newsflow_proto::subjects::FEEDS_BUCKET
            )
        })?;
        Ok(())
    }
}

/// `feed.<feed>`: key-value keys allow few characters, so URLs and entry ids are hashed.
fn feed_key(feed: &Url) -> String {
    format!("feed.{}", hashed(feed.as_str(), 16))
}

/// `entry.<feed>.<entry>`.
fn entry_key(feed: &Url, key: &str) -> String {
    format!("entry.{}.{}", hashed(feed.as_str(), 16), hashed(key, 32))
}

/// The first `hex` hex digits of the SHA-256 of `text`.
fn hashed(text: &str, hex: usize) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut out: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    out.truncate(hex);
    out
}
