//! `newsflow eval extract`: HTML to text on the article-extraction benchmark
//! (`../shared/data/article_extraction/`: real news pages with their true article body), scored
//! with the benchmark's own metric. Ingest turns each page into the text of its article, as it
//! does for a feeder's HTML; beside it, trafilatura through `scripts/trafilatura_runner.py` when
//! Python has it (`pip install trafilatura`), on the same pages, scored the same way.
//!
//! The metric (the benchmark's evaluate.py): tokens are `\w+` runs; a page's shingles are the
//! multiset of its token 4-grams; tp, fp and fn are the shared and the excess shingles, divided
//! by their sum so that every page weighs the same; precision is the mean of the per-page
//! precision, recall of the per-page recall, and F1 the harmonic mean of the two means.

use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Read as _;
use std::path::Path;
use std::time::Instant;

const RUNNER: &str = include_str!("../scripts/trafilatura_runner.py");

/// One page of the benchmark.
pub struct Page {
    pub id: String,
    pub html: String,
    pub truth: String,
}

/// Reads `ground-truth.json` and `html/<id>.html.gz` under `data`.
///
/// # Errors
/// When a file is missing or unreadable.
pub fn load(data: &Path) -> Result<Vec<Page>> {
    let truth_path = data.join("ground-truth.json");
    let truth: BTreeMap<String, serde_json::Value> = serde_json::from_slice(
        &std::fs::read(&truth_path).with_context(|| format!("reading {}", truth_path.display()))?,
    )
    .with_context(|| format!("parsing {}", truth_path.display()))?;
    let mut pages = Vec::with_capacity(truth.len());
    for (id, entry) in truth {
        let path = data.join("html").join(format!("{id}.html.gz"));
        let file =
            std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut bytes)
            .with_context(|| format!("unpacking {}", path.display()))?;
        pages.push(Page {
            id,
            html: String::from_utf8_lossy(&bytes).into_owned(),
            truth: entry["articleBody"].as_str().unwrap_or("").to_owned(),
        });
    }
    Ok(pages)
}

/// tp, fp and fn of one page, normalised to sum to 1 (all 0 when both texts are empty).
pub fn shingle_match(truth: &str, predicted: &str) -> [f64; 3] {
    let truth = shingles(truth);
    let predicted = shingles(predicted);
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for (shingle, &t) in &truth {
        let p = predicted.get(shingle).copied().unwrap_or(0);
        tp += f64::from(t.min(p));
        fn_ += f64::from(t.saturating_sub(p));
    }
    for (shingle, &p) in &predicted {
        fp += f64::from(p.saturating_sub(truth.get(shingle).copied().unwrap_or(0)));
    }
    let sum = tp + fp + fn_;
    if sum > 0.0 {
        [tp / sum, fp / sum, fn_ / sum]
    } else {
        [tp, fp, fn_]
    }
}

fn shingles(text: &str) -> HashMap<Vec<&str>, u32> {
    let tokens = tokens(text);
    let mut counts = HashMap::new();
    if tokens.is_empty() {
        return counts;
    }
    let windows = tokens.len().saturating_sub(3).max(1);
    for start in 0..windows {
        let end = (start + 4).min(tokens.len());
        *counts.entry(tokens[start..end].to_vec()).or_insert(0) += 1;
    }
    counts
}

/// `\w+` runs, as Python's `re` reads them: letters, digits, marks and connector punctuation.
fn tokens(text: &str) -> Vec<&str> {
    let word = |c: char| c.is_alphanumeric() || c == '_' || is_mark(c);
    text.split(|c: char| !word(c))
        .filter(|t| !t.is_empty())
        .collect()
}

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x300..=0x36F | 0x483..=0x489 | 0x591..=0x5BD | 0x610..=0x61A | 0x64B..=0x65F | 0x900..=0x903 | 0x93A..=0x94F)
}

/// Precision, recall and F1 over pages, as the benchmark averages them.
pub fn metrics(matches: &[[f64; 3]]) -> (f64, f64, f64) {
    let precision = mean_share(matches, |m| m[1]);
    let recall = mean_share(matches, |m| m[2]);
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    (precision, recall, f1)
}

/// The mean over pages of tp / (tp + `wrong`) — precision with the false positives, recall
/// with the false negatives — a page matched exactly counting 1 and a page with nothing to
/// count left out, as the benchmark's evaluate.py does.
fn mean_share(matches: &[[f64; 3]], wrong: fn(&[f64; 3]) -> f64) -> f64 {
    mean(matches.iter().filter(|m| m[0] + wrong(m) > 0.0).map(|m| {
        if m[1] == 0.0 && m[2] == 0.0 {
            1.0
        } else {
            m[0] / (m[0] + wrong(m))
        }
    }))
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// One extractor's figures.
#[derive(Debug, Serialize)]
pub struct Scores {
    pub pages: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub pages_per_sec: f64,
}

/// What `newsflow eval extract` prints.
#[derive(Debug, Serialize)]
pub struct Report {
    #[serde(flatten)]
    pub newsflow: Scores,
    /// Pages ingest refused (too big, or no text), with the reason.
    pub rejected: Vec<(String, String)>,
    /// trafilatura on the same pages, or why it did not run.
    pub trafilatura: Result<(Scores, String), String>,
}

impl Report {
    pub fn render(&self) -> String {
        let row = |name: &str, s: &Scores| {
            format!(
                "{name:<24} {:>6} {:>9.3} {:>9.3} {:>9.3} {:>10.1}\n",
                s.pages, s.precision, s.recall, s.f1, s.pages_per_sec
            )
        };
        let mut out = format!(
            "HTML to text on the article-extraction benchmark (token 4-gram shingles, per-page means)\n\
             {:<24} {:>6} {:>9} {:>9} {:>9} {:>10}\n",
            "extractor", "pages", "precision", "recall", "F1", "pages/s"
        );
        out.push_str(&row("newsflow ingest", &self.newsflow));
        match &self.trafilatura {
            Ok((scores, version)) => out.push_str(&row(&format!("trafilatura {version}"), scores)),
            Err(why) => out.push_str(&format!("trafilatura: not run ({why})\n")),
        }
        for (id, reason) in &self.rejected {
            out.push_str(&format!("rejected {id}: {reason}\n"));
        }
        out.push_str(
            "pages/s: one core, the page already in memory; for newsflow the whole of ingest (the \
             article.raw.v1 message read, checked, the page's text and metadata, normalised), for \
             trafilatura its extract() alone.\n",
        );
        out
    }
}

/// The text ingest makes of a page, as it does for a feeder's HTML: the page as an
/// `article.raw.v1` message checked against ingest's default limits, so a page ingest would
/// refuse counts as refused here.
fn ingest_page(html: &str) -> Result<String, String> {
    let raw = newsflow_proto::ArticleRaw {
        id: Some("page".into()),
        url: None,
        title: None,
        body: html.to_owned(),
        format: Some(newsflow_proto::BodyFormat::Html),
        published_at: None,
        source: None,
        language: None,
    };
    let payload = serde_json::to_vec(&raw).map_err(|err| err.to_string())?;
    newsflow_ingest::ingest(
        &payload,
        newsflow_ingest::Limits::default(),
        "2026-01-01T00:00:00Z",
    )
    .map(|article| article.text)
    .map_err(|err| err.to_string())
}

/// Runs ingest (and trafilatura when it can) over the pages under `data`.
///
/// # Errors
/// When the data cannot be read or a prediction file cannot be written.
pub fn eval(data: &Path, write_predictions: Option<&Path>) -> Result<Report> {
    let pages = load(data)?;
    let mut predictions = BTreeMap::new();
    let mut rejected = Vec::new();
    let started = Instant::now();
    for page in &pages {
        let text = ingest_page(&page.html).unwrap_or_else(|why| {
            rejected.push((page.id.clone(), why));
            String::new()
        });
        predictions.insert(page.id.clone(), text);
    }
    let seconds = started.elapsed().as_secs_f64();
    let matches: Vec<[f64; 3]> = pages
        .iter()
        .map(|p| shingle_match(&p.truth, &predictions[&p.id]))
        .collect();
    let (precision, recall, f1) = metrics(&matches);
    if let Some(path) = write_predictions {
        let out: BTreeMap<&String, serde_json::Value> = predictions
            .iter()
            .map(|(id, text)| (id, serde_json::json!({ "articleBody": text })))
            .collect();
        std::fs::write(path, serde_json::to_vec_pretty(&out)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(Report {
        newsflow: Scores {
            pages: pages.len(),
            precision,
            recall,
            f1,
            pages_per_sec: pages.len() as f64 / seconds,
        },
        rejected,
        trafilatura: trafilatura(&pages)?,
    })
}

/// trafilatura's scores on `pages`, or why it could not run.
fn trafilatura(pages: &[Page]) -> Result<std::result::Result<(Scores, String), String>> {
    let mut input = String::new();
    for page in pages {
        input.push_str(&serde_json::to_string(
            &serde_json::json!({ "id": page.id, "html": page.html }),
        )?);
        input.push('\n');
    }
    let stdout = match crate::run_python(RUNNER, &[], input, "the trafilatura runner")? {
        Ok(stdout) => stdout,
        Err(why) => return Ok(Err(why)),
    };
    let out: serde_json::Value =
        serde_json::from_slice(&stdout).context("reading the runner's output")?;
    if out["available"] != true {
        return Ok(Err(format!(
            "{}; `pip install trafilatura lxml_html_clean` to compare",
            out["error"]
                .as_str()
                .unwrap_or("trafilatura is not installed")
        )));
    }
    let texts = &out["texts"];
    let matches: Vec<[f64; 3]> = pages
        .iter()
        .map(|p| shingle_match(&p.truth, texts[&p.id].as_str().unwrap_or("")))
        .collect();
    let (precision, recall, f1) = metrics(&matches);
    let seconds = out["seconds"].as_f64().unwrap_or(f64::NAN);
    Ok(Ok((
        Scores {
            pages: pages.len(),
            precision,
            recall,
            f1,
            pages_per_sec: pages.len() as f64 / seconds,
        },
        out["version"].as_str().unwrap_or("?").to_owned(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metric_counts_shared_and_excess_shingles_per_page() {
        let truth = "one two three four five";
        assert_eq!(shingle_match(truth, truth), [1.0, 0.0, 0.0]);
        // Two shingles of the truth, one of them found, and one made up.
        let [tp, fp, fn_] = shingle_match(truth, "one two three four six");
        assert!(
            (tp - 1.0 / 3.0).abs() < 1e-9
                && (fp - 1.0 / 3.0).abs() < 1e-9
                && (fn_ - 1.0 / 3.0).abs() < 1e-9
        );
        // Fewer than four tokens make one shingle.
        assert_eq!(shingle_match("a b", "a b"), [1.0, 0.0, 0.0]);
        assert_eq!(shingle_match("", ""), [0.0, 0.0, 0.0]);
        let (p, r, f1) = metrics(&[[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]]);
        assert!(
            (p - 0.75).abs() < 1e-9
                && (r - 1.0).abs() < 1e-9
                && (f1 - 2.0 * 0.75 / 1.75).abs() < 1e-9
        );
    }
}
