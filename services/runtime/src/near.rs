//! Near-duplicates: the same story published again under another id (a wire story from several
//! outlets, a page fed under two URLs). A revisioned stage (`ingest`) computes each article's
//! MinHash [`Signature`] over its five-word shingles; before the article is published, the
//! articles of the last `NEWSFLOW_NEAR_DUPLICATES_WINDOW` whose signatures agree with it in at
//! least `NEWSFLOW_NEAR_DUPLICATES_SIMILARITY` of their hashes (an estimate of the share of
//! shingles the two have in common) are looked up through locality-sensitive hashing, and the
//! earliest of them (or the article it repeats in turn) goes in its `duplicate_of`. Once
//! published, the article's signature goes on `newsflow.signatures` (stream
//! `NEWSFLOW_SIGNATURES`, kept for the window), which every copy of the stage follows into an
//! index in memory: a copy that starts replays the window before it takes work, and the copies
//! of a scaled-out stage know each other's articles. The index holds at most
//! `NEWSFLOW_NEAR_DUPLICATES_MAX` articles (about 600 bytes each), the oldest going first.

use crate::Bus;
use crate::config::{NearDuplicates, Replication};
use anyhow::Context as _;
use async_nats::jetstream::stream;
use futures::StreamExt as _;
use newsflow_proto::{ArticleId, subjects};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// Hashes in a signature: the similarity estimate is within ±0.065 (one standard deviation)
/// around 0.6.
const HASHES: usize = 60;
/// Bands of [`ROWS`] hashes each: two articles become candidates when one band agrees in full.
/// With 20 × 3, articles sharing 60% of their shingles are candidates 99% of the time, 50%
/// 93%, 30% 42% (and those are then left out by the similarity check).
const BANDS: usize = 20;
const ROWS: usize = HASHES / BANDS;
/// Words in a shingle.
const SHINGLE: usize = 5;
/// How long a starting copy may take to read the window back before it takes work anyway.
const CATCH_UP: Duration = Duration::from_secs(30);

/// An article's MinHash signature: per hash function, the least hash of its shingles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature(Vec<u32>);

/// Multipliers and offsets of the hash functions, fixed so that every copy and version agrees.
const SEEDS: [(u64, u64); HASHES] = {
    let mut seeds = [(0, 0); HASHES];
    let mut state: u64 = 0x6e65_7773_666c_6f77; // "newsflow"
    let mut i = 0;
    while i < HASHES {
        state = splitmix(state);
        let a = state | 1;
        state = splitmix(state);
        seeds[i] = (a, state);
        i += 1;
    }
    seeds
};

const fn splitmix(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a of a word, lower-cased.
fn word_hash(word: &str) -> u64 {
    word.chars()
        .flat_map(char::to_lowercase)
        .fold(0xcbf2_9ce4_8422_2325, |hash, c| {
            (hash ^ u64::from(c)).wrapping_mul(0x100_0000_01b3)
        })
}

impl Signature {
    /// The signature of `text`: its words (letters and digits, case ignored) in shingles of
    /// five. `None` for a text of fewer than five words, too short to tell.
    pub fn of(text: &str) -> Option<Self> {
        let words: Vec<u64> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(word_hash)
            .collect();
        if words.len() < SHINGLE {
            return None;
        }
        let mut mins = [u32::MAX; HASHES];
        for shingle in words.windows(SHINGLE) {
            let x = shingle
                .iter()
                .fold(0u64, |hash, word| splitmix(hash ^ word));
            for (min, (a, b)) in mins.iter_mut().zip(SEEDS) {
                let h = (x.wrapping_mul(a).wrapping_add(b) >> 32) as u32;
                *min = (*min).min(h);
            }
        }
        Some(Self(mins.to_vec()))
    }

    /// The estimated share of shingles two texts have in common (Jaccard similarity), 0 to 1.
    pub fn similarity(&self, other: &Self) -> f64 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f64 / HASHES as f64
    }

    /// The keys of its bands.
    fn bands(&self) -> impl Iterator<Item = u64> + '_ {
        self.0.chunks(ROWS).enumerate().map(|(band, rows)| {
            rows.iter().fold(splitmix(band as u64), |hash, row| {
                splitmix(hash ^ u64::from(*row))
            })
        })
    }

    fn is_valid(&self) -> bool {
        self.0.len() == HASHES
    }
}

/// What `newsflow.signatures` carries for one article.
#[derive(Debug, Serialize, Deserialize)]
struct Noted {
    article_id: String,
    /// The article it repeats, or itself: what a later copy of it is marked a duplicate of.
    root: String,
    signature: Signature,
}

struct Entry {
    id: String,
    root: String,
    signature: Signature,
    /// When it was noted, in Unix seconds.
    at: i64,
}

/// The articles of the window, by band.
struct Index {
    window: i64,
    max: usize,
    next: u64,
    order: VecDeque<u64>,
    entries: HashMap<u64, Entry>,
    by_band: HashMap<u64, Seqs>,
    by_id: HashMap<String, u64>,
}

/// The articles of one band key: almost always one, so kept without an allocation of its own
/// (the few shared keys are rebuilt when they change).
enum Seqs {
    One(u64),
    Many(Box<[u64]>),
}

impl Seqs {
    fn as_slice(&self) -> &[u64] {
        match self {
            Self::One(seq) => std::slice::from_ref(seq),
            Self::Many(seqs) => seqs,
        }
    }

    fn push(&mut self, seq: u64) {
        let mut seqs = self.as_slice().to_vec();
        seqs.push(seq);
        *self = Self::Many(seqs.into_boxed_slice());
    }

    /// Takes `seq` out; `false` when none is left.
    fn remove(&mut self, seq: u64) -> bool {
        if let Self::One(only) = self {
            return *only != seq;
        }
        let left: Vec<u64> = self
            .as_slice()
            .iter()
            .copied()
            .filter(|s| *s != seq)
            .collect();
        *self = match left[..] {
            [] => return false,
            [only] => Self::One(only),
            _ => Self::Many(left.into_boxed_slice()),
        };
        true
    }
}

impl Index {
    fn new(window: Duration, max: usize) -> Self {
        Self {
            window: i64::try_from(window.as_secs()).unwrap_or(i64::MAX),
            max,
            next: 0,
            order: VecDeque::new(),
            entries: HashMap::new(),
            by_band: HashMap::new(),
            by_id: HashMap::new(),
        }
    }

    /// The root of the earliest article of the window (at `now`) at least `threshold` alike,
    /// other than `id` and the copies of `id`.
    fn find(&self, id: &str, signature: &Signature, threshold: f64, now: i64) -> Option<String> {
        let oldest_kept = now.saturating_sub(self.window);
        let mut candidates: Vec<u64> = signature
            .bands()
            .filter_map(|band| self.by_band.get(&band))
            .flat_map(Seqs::as_slice)
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .filter_map(|seq| self.entries.get(&seq))
            .find(|entry| {
                entry.id != id
                    && entry.root != id
                    && entry.at >= oldest_kept
                    && entry.signature.similarity(signature) >= threshold
            })
            .map(|entry| entry.root.clone())
    }

    /// What article `id` repeats, decided and entered at once, so that copies worked on at the
    /// same moment see each other: a new revision of an article in the window keeps what its
    /// article was (a copy of the same one, or no one's copy); another is looked up. Returns the
    /// root and the entry's place, for [`Index::release`].
    fn claim(
        &mut self,
        id: &str,
        signature: Signature,
        threshold: f64,
        now: i64,
    ) -> (Option<String>, Option<u64>) {
        let known = self
            .by_id
            .get(id)
            .and_then(|seq| self.entries.get(seq))
            .map(|entry| entry.root.clone());
        let root = match known {
            Some(root) => (root != id).then_some(root),
            None => self.find(id, &signature, threshold, now),
        };
        let noted = Noted {
            article_id: id.to_owned(),
            root: root.clone().unwrap_or_else(|| id.to_owned()),
            signature,
        };
        (root, self.insert(noted, now))
    }

    /// Takes back the entry a claim made, unless something replaced it since.
    fn release(&mut self, id: &str, seq: u64) {
        if self.by_id.get(id) == Some(&seq) {
            self.remove(seq);
        }
    }

    /// Adds an article (a later revision of one replaces it), and lets go of what is out of
    /// the window or over the most kept; its place, unless it was not taken.
    fn insert(&mut self, noted: Noted, at: i64) -> Option<u64> {
        if !noted.signature.is_valid() {
            return None;
        }
        if let Some(seq) = self.by_id.get(&noted.article_id).copied() {
            // Its own note coming back from the stream, or another copy's: it keeps its place.
            if self
                .entries
                .get(&seq)
                .is_some_and(|known| known.root == noted.root && known.signature == noted.signature)
            {
                return Some(seq);
            }
            self.remove(seq);
        }
        let seq = self.next;
        self.next += 1;
        for band in noted.signature.bands() {
            match self.by_band.entry(band) {
                std::collections::hash_map::Entry::Occupied(mut seqs) => seqs.get_mut().push(seq),
                std::collections::hash_map::Entry::Vacant(none) => {
                    none.insert(Seqs::One(seq));
                }
            }
        }
        self.by_id.insert(noted.article_id.clone(), seq);
        self.order.push_back(seq);
        self.entries.insert(
            seq,
            Entry {
                id: noted.article_id,
                root: noted.root,
                signature: noted.signature,
                at,
            },
        );
        let oldest_kept = at.saturating_sub(self.window);
        while let Some(&front) = self.order.front() {
            let stale = self
                .entries
                .get(&front)
                .is_none_or(|entry| entry.at < oldest_kept);
            if self.entries.len() <= self.max && !stale {
                break;
            }
            self.order.pop_front();
            self.remove(front);
        }
        self.entries.contains_key(&seq).then_some(seq)
    }

    fn remove(&mut self, seq: u64) {
        let Some(entry) = self.entries.remove(&seq) else {
            return;
        };
        for band in entry.signature.bands() {
            if let Some(seqs) = self.by_band.get_mut(&band)
                && !seqs.remove(seq)
            {
                self.by_band.remove(&band);
            }
        }
        if self.by_id.get(&entry.id) == Some(&seq) {
            self.by_id.remove(&entry.id);
        }
    }
}

/// One stage process's view of the window, kept up to date from `newsflow.signatures`.
pub(crate) struct Near {
    bus: Bus,
    threshold: f64,
    index: Mutex<Index>,
    /// Stops the listener when this view goes.
    listening: CancellationToken,
}

impl Drop for Near {
    fn drop(&mut self) {
        self.listening.cancel();
    }
}

/// An article entered in the window before it is published: what it repeats, and its place.
pub(crate) struct Claim {
    id: String,
    root: Option<String>,
    signature: Signature,
    seq: Option<u64>,
}

impl Claim {
    /// The earlier article it repeats, when it repeats one.
    pub(crate) fn duplicate_of(&self) -> Option<ArticleId> {
        self.root
            .clone()
            .and_then(|root| ArticleId::parse(root).ok())
    }
}

impl Near {
    /// Opens the signatures stream (creating it unless it exists), reads the window back into
    /// memory, and listens for the articles noted from then on until `stop`. `None` when the
    /// window is 0 (the check is off).
    ///
    /// It reads without a consumer (direct gets, then the subject itself), so that a stage's
    /// user needs no right to make consumers, which could deliver anywhere.
    ///
    /// # Errors
    /// When the stream cannot be made or read.
    pub(crate) async fn start(
        bus: &Bus,
        settings: NearDuplicates,
        replication: Replication,
        stop: &CancellationToken,
    ) -> anyhow::Result<Option<Arc<Self>>> {
        if settings.window.is_zero() {
            return Ok(None);
        }
        crate::streams::ensure_signatures(bus, settings, replication).await?;
        let stream = bus
            .jetstream()
            .get_stream(subjects::SIGNATURES_STREAM)
            .await
            .with_context(|| format!("opening {}", subjects::SIGNATURES_STREAM))?;
        let near = Arc::new(Self {
            bus: bus.clone(),
            threshold: settings.similarity,
            index: Mutex::new(Index::new(
                settings.window,
                usize::try_from(settings.max_articles).unwrap_or(usize::MAX),
            )),
            listening: stop.child_token(),
        });
        // Listening first, so that nothing noted while the window is read back is missed (what
        // comes both ways is entered once).
        let live = bus
            .nats()
            .subscribe(subjects::SIGNATURES)
            .await
            .with_context(|| format!("subscribing to {}", subjects::SIGNATURES))?;
        match tokio::time::timeout(CATCH_UP, near.read_back(&stream)).await {
            Ok(read) => read?,
            Err(_) => warn!(
                "Near-duplicates: the window was not read back within {}s; going on with what was.",
                CATCH_UP.as_secs()
            ),
        }
        let known = near.index.lock().expect("never poisoned").entries.len();
        info!(articles = known, "Near-duplicates: the window is read.");
        tokio::spawn(listen(live, Arc::downgrade(&near), near.listening.clone()));
        Ok(Some(near))
    }

    /// Every signature the stream holds, oldest first.
    async fn read_back(&self, stream: &stream::Stream) -> anyhow::Result<()> {
        let mut next = 1;
        loop {
            let message = match stream
                .direct_get_next_for_subject(subjects::SIGNATURES, Some(next))
                .await
            {
                Ok(message) => message,
                Err(err) if err.kind() == stream::DirectGetErrorKind::NotFound => return Ok(()),
                Err(err) => {
                    return Err(err)
                        .with_context(|| format!("reading {} back", subjects::SIGNATURES_STREAM));
                }
            };
            next = message.sequence + 1;
            if let Ok(noted) = serde_json::from_slice::<Noted>(&message.payload) {
                let at = message.time.unix_timestamp();
                self.index.lock().expect("never poisoned").insert(noted, at);
            }
        }
    }

    /// Decides what article `id` repeats and enters it in the window at once (see
    /// [`Index::claim`]); [`Near::note`] once it is published, [`Near::release`] if it is not.
    pub(crate) fn claim(&self, id: &str, signature: Signature) -> Claim {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let (root, seq) = self.index.lock().expect("never poisoned").claim(
            id,
            signature.clone(),
            self.threshold,
            now,
        );
        Claim {
            id: id.to_owned(),
            root,
            signature,
            seq,
        }
    }

    /// Takes back a claim whose article was not published.
    pub(crate) fn release(&self, claim: Claim) {
        if let Some(seq) = claim.seq {
            self.index
                .lock()
                .expect("never poisoned")
                .release(&claim.id, seq);
        }
    }

    /// Tells every copy of the stage about a published article, through the stream.
    ///
    /// # Errors
    /// When the stream does not store it: only later articles repeating this one, worked on
    /// by other copies, go unmarked.
    pub(crate) async fn note(&self, claim: Claim, revision: u32) -> anyhow::Result<()> {
        let noted = Noted {
            root: claim.root.unwrap_or_else(|| claim.id.clone()),
            article_id: claim.id,
            signature: claim.signature,
        };
        let payload = serde_json::to_vec(&noted).expect("plain data serialises");
        let envelope = newsflow_proto::Envelope::new(
            subjects::SIGNATURES,
            "signature",
            format!("{}.r{revision}.signature", noted.article_id),
            Some(noted.article_id.clone()),
            payload,
        );
        self.bus.publish(envelope).await.map(|_| ())
    }
}

/// Enters the articles other copies (and this one) note, as they are noted, until `stop` or
/// the [`Near`] goes.
async fn listen(
    mut live: async_nats::Subscriber,
    near: std::sync::Weak<Near>,
    stop: CancellationToken,
) {
    loop {
        let message = tokio::select! {
            () = stop.cancelled() => return,
            message = live.next() => message,
        };
        let Some(message) = message else { return };
        let Some(near) = near.upgrade() else { return };
        if let Ok(noted) = serde_json::from_slice::<Noted>(&message.payload) {
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            near.index
                .lock()
                .expect("never poisoned")
                .insert(noted, now);
        }
    }
}

/// The signatures stream: one message per article published, kept for the window.
pub(crate) fn stream_config(settings: NearDuplicates, replication: Replication) -> stream::Config {
    stream::Config {
        name: subjects::SIGNATURES_STREAM.to_owned(),
        description: Some(
            "newsflow near-duplicates: each article's MinHash signature, for the window".to_owned(),
        ),
        subjects: vec![subjects::SIGNATURES.to_owned()],
        // A stream made by `newsflow setup` with the check off still lets its notes go.
        max_age: if settings.window.is_zero() {
            Duration::from_secs(48 * 3600)
        } else {
            settings.window
        },
        max_messages: i64::from(settings.max_articles),
        discard: stream::DiscardPolicy::Old,
        allow_direct: true,
        storage: stream::StorageType::File,
        num_replicas: replication.for_new_streams(),
        duplicate_window: crate::streams::DUPLICATE_WINDOW,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KURSK: &str = include_str!("../../../samples/kursk-troops.txt");
    const NASA: &str = include_str!("../../../samples/wikinews-nasa.txt");

    fn noted(id: &str, root: &str, text: &str) -> Noted {
        Noted {
            article_id: id.to_owned(),
            root: root.to_owned(),
            signature: Signature::of(text).unwrap(),
        }
    }

    /// The reference article as another outlet runs it: its own headline, the last paragraph
    /// cut, a sentence reworded.
    fn republished() -> String {
        let paragraphs: Vec<&str> = KURSK.lines().filter(|l| !l.trim().is_empty()).collect();
        let kept = paragraphs[..paragraphs.len() - 1].join("\n\n");
        format!("Pyongyang's soldiers reach Russia, officials say\n\n{kept}").replacen(
            "said",
            "told reporters",
            1,
        )
    }

    #[test]
    fn a_republished_story_is_alike_and_another_story_is_not() {
        let original = Signature::of(KURSK).unwrap();
        let copy = Signature::of(&republished()).unwrap();
        let other = Signature::of(NASA).unwrap();
        assert!(
            original.similarity(&copy) >= 0.8,
            "{}",
            original.similarity(&copy)
        );
        assert!(
            original.similarity(&other) < 0.2,
            "{}",
            original.similarity(&other)
        );
        assert!(Signature::of("Too short to tell").is_none());
    }

    #[test]
    fn a_repeat_is_marked_with_the_earliest_article_and_never_with_itself() {
        let mut index = Index::new(Duration::from_secs(3600), 100);
        assert_eq!(
            index.find("wire-1", &Signature::of(KURSK).unwrap(), 0.8, 2),
            None
        );
        index.insert(noted("wire-1", "wire-1", KURSK), 0);
        index.insert(noted("nasa", "nasa", NASA), 1);
        let copy = Signature::of(&republished()).unwrap();
        assert_eq!(
            index.find("outlet-2", &copy, 0.8, 2).as_deref(),
            Some("wire-1")
        );
        // Its own earlier revision is not an earlier article.
        assert_eq!(index.find("wire-1", &copy, 0.8, 2), None);
        // A third copy is marked with the first, through the second.
        index.insert(noted("outlet-2", "wire-1", &republished()), 2);
        // Nor is a copy of it.
        assert_eq!(index.find("wire-1", &copy, 0.8, 2), None);
        index.remove(index.by_id["wire-1"]);
        assert_eq!(
            index.find("outlet-3", &copy, 0.8, 2).as_deref(),
            Some("wire-1")
        );
    }

    #[test]
    fn copies_claimed_at_the_same_moment_see_each_other_and_a_revision_keeps_its_mark() {
        let mut index = Index::new(Duration::from_secs(3600), 100);
        let sig = |text: &str| Signature::of(text).unwrap();
        // Two copies worked on at once: the second sees the first's claim.
        let (first, _) = index.claim("wire-1", sig(KURSK), 0.6, 0);
        let (second, seq) = index.claim("outlet-2", sig(&republished()), 0.6, 0);
        assert_eq!((first, second.as_deref()), (None, Some("wire-1")));
        // The first revised: still no one's copy, though its copy is in the window.
        let revised = format!("{KURSK}\nThis story has been updated.");
        assert_eq!(index.claim("wire-1", sig(&revised), 0.6, 1).0, None);
        // The copy revised: still a copy of the first.
        assert_eq!(
            index
                .claim("outlet-2", sig(&republished()), 0.6, 1)
                .0
                .as_deref(),
            Some("wire-1")
        );
        // A claim taken back leaves nothing behind.
        let (_, other) = index.claim("nasa", sig(NASA), 0.6, 2);
        index.release("nasa", other.unwrap());
        assert!(!index.by_id.contains_key("nasa"));
        assert!(seq.is_some());
    }

    #[test]
    fn an_article_out_of_the_window_is_no_longer_found() {
        let mut index = Index::new(Duration::from_secs(60), 100);
        index.insert(noted("wire-1", "wire-1", KURSK), 0);
        let copy = Signature::of(&republished()).unwrap();
        assert_eq!(
            index.find("outlet-2", &copy, 0.6, 60).as_deref(),
            Some("wire-1")
        );
        assert_eq!(index.find("outlet-2", &copy, 0.6, 61), None);
    }

    #[test]
    fn the_index_keeps_the_window_and_at_most_its_most() {
        let mut index = Index::new(Duration::from_secs(60), 2);
        index.insert(noted("a", "a", KURSK), 0);
        index.insert(noted("b", "b", NASA), 10);
        index.insert(noted("c", "c", "one two three four five six seven"), 20);
        assert_eq!(index.entries.len(), 2, "at most 2");
        assert!(!index.by_id.contains_key("a"), "the oldest went first");
        index.insert(
            noted("d", "d", "eight nine ten eleven twelve thirteen"),
            100,
        );
        assert_eq!(
            index.by_id.keys().map(String::as_str).collect::<Vec<_>>(),
            ["d"],
            "out of the window"
        );
        assert!(
            index
                .by_band
                .values()
                .flat_map(Seqs::as_slice)
                .all(|seq| index.entries.contains_key(seq)),
            "no band points at an article let go"
        );
    }
}
