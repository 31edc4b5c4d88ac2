//! Measures segmentation speed on real news text, with pySBD timed on the same text.
//!
//! Not on the stage's message path (`newsflow.articles.ingested` →
//! `newsflow.articles.segmented`): `newsflow bench segment` calls [`run`]. Fails only when the
//! corpus is missing or unreadable; a missing pySBD is reported, not an error.
//!
//! Corpus: CoNLL-2003 English training text (Reuters news, `eng.train`), split into documents at
//! `-DOCSTART-` lines and detokenised ([`conll_documents`]). Each document is segmented with
//! [`newsflow_segment::segment_text`] (paragraphs, sentences and tokens) on the calling thread,
//! repeatedly for at least [`BenchOptions::min_seconds`]; the best pass counts. pySBD segments the
//! same documents once (sentences only). MB are 10^6 bytes of UTF-8 text.

use super::pysbd;
use anyhow::{Context, Result};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The corpus file name inside the data folder.
pub const CONLL_TRAIN_FILE: &str = "eng.train";

/// How to run the benchmark.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Keep timing newsflow-segment for at least this long (seconds); the best pass counts.
    pub min_seconds: f64,
    /// Time pySBD too.
    pub pysbd: bool,
    /// Give pySBD at most this many bytes of the corpus (whole documents, from the start);
    /// `None` for all of it. pySBD is slow; its rate does not depend on the amount.
    pub pysbd_max_bytes: Option<usize>,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self {
            min_seconds: 2.0,
            pysbd: true,
            pysbd_max_bytes: None,
        }
    }
}

/// The result of [`run`]. With `--json` it serialises with `mb_per_sec`, `pysbd_mb_per_sec`
/// (null when pySBD is unavailable) and `ratio` first.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// newsflow-segment: sentences and tokens, MB of text per second on one thread.
    pub mb_per_sec: f64,
    /// pySBD (sentences only) on the same text, MB per second, when it ran.
    pub pysbd_mb_per_sec: Option<f64>,
    /// `mb_per_sec / pysbd_mb_per_sec`, when pySBD ran.
    pub ratio: Option<f64>,
    /// The corpus file.
    pub corpus: PathBuf,
    /// Documents in the corpus.
    pub documents: usize,
    /// Bytes of detokenised text in the corpus.
    pub bytes: usize,
    /// Sentences newsflow-segment found in one pass.
    pub sentences: usize,
    /// Tokens newsflow-segment found in one pass.
    pub tokens: usize,
    /// Timed passes over the corpus.
    pub passes: usize,
    /// Seconds of the best pass.
    pub best_pass_seconds: f64,
    /// Bytes pySBD segmented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pysbd_bytes: Option<u64>,
    /// Seconds pySBD took.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pysbd_seconds: Option<f64>,
    /// pySBD's version, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pysbd_version: Option<String>,
    /// Why pySBD did not run, with the install hint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pysbd_unavailable: Option<String>,
    /// Growth of the process's peak resident memory (kB) over the timed passes, on Linux: how
    /// much memory segmenting the whole corpus needed beyond holding it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_rss_growth_kb: Option<u64>,
}

impl BenchReport {
    /// The report as prose for a terminal.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Segmentation speed over {} ({} documents, {:.2} MB of news text), one thread",
            self.corpus.display(),
            self.documents,
            self.bytes as f64 / 1e6
        );
        let _ = writeln!(
            out,
            "  newsflow-segment: {:.1} MB/s (sentences + tokens; best of {} passes, {} sentences, {} tokens)",
            self.mb_per_sec, self.passes, self.sentences, self.tokens
        );
        match (self.pysbd_mb_per_sec, self.ratio) {
            (Some(rate), Some(ratio)) => {
                let _ = writeln!(
                    out,
                    "  pySBD {}: {:.3} MB/s (sentences only, {:.2} MB in {:.1} s)",
                    self.pysbd_version.as_deref().unwrap_or("?"),
                    rate,
                    self.pysbd_bytes.unwrap_or(0) as f64 / 1e6,
                    self.pysbd_seconds.unwrap_or(0.0)
                );
                let _ = writeln!(out, "  ratio: {ratio:.0}x pySBD");
            }
            _ => {
                let _ = writeln!(
                    out,
                    "  pySBD: {}",
                    self.pysbd_unavailable.as_deref().unwrap_or("not run")
                );
            }
        }
        if let Some(kb) = self.peak_rss_growth_kb {
            let _ = writeln!(out, "  peak memory growth while segmenting: {kb} kB");
        }
        out
    }
}

/// Resolves `path` to the corpus file: the file itself, or `eng.train` inside it when it is a
/// folder.
pub fn corpus_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join(CONLL_TRAIN_FILE)
    } else {
        path.to_path_buf()
    }
}

/// Reads a CoNLL-2003 file and joins it back into documents of plain text.
///
/// Documents start at `-DOCSTART-` lines; a blank line ends a sentence; the first column is the
/// token. Tokens are joined with spaces except before closing punctuation and clitics and after
/// opening brackets, currency signs and opening quotes (straight quotes alternate open/close).
/// A sentence that ends in `.`, `!`, `?` or a quote joins the next with a space; any other (a
/// headline, a dateline, a table row) ends its line.
///
/// # Errors
/// When the file is missing (the message names it) or unreadable.
pub fn conll_documents(path: &Path) -> Result<Vec<String>> {
    let file = corpus_file(path);
    if !file.is_file() {
        anyhow::bail!(
            "CoNLL-2003 corpus not found: {} is missing (expected \
             ../shared/data/conll2003/{CONLL_TRAIN_FILE}; pass its folder with --data)",
            file.display()
        );
    }
    let body =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let mut docs = Vec::new();
    let mut doc = String::new();
    let mut sentence: Vec<&str> = Vec::new();
    let flush_sentence = |sentence: &mut Vec<&str>, doc: &mut String| {
        if sentence.is_empty() {
            return;
        }
        let line = detokenise(sentence);
        if !doc.is_empty() {
            let joins = doc.ends_with(['.', '!', '?', '"']);
            doc.push(if joins { ' ' } else { '\n' });
        }
        doc.push_str(&line);
        sentence.clear();
    };
    for line in body.lines() {
        let token = line.split(' ').next().unwrap_or("");
        if token == "-DOCSTART-" {
            flush_sentence(&mut sentence, &mut doc);
            if !doc.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
        } else if token.is_empty() {
            flush_sentence(&mut sentence, &mut doc);
        } else {
            sentence.push(token);
        }
    }
    flush_sentence(&mut sentence, &mut doc);
    if !doc.is_empty() {
        docs.push(doc);
    }
    Ok(docs)
}

/// Joins Penn-Treebank-style tokens into text.
fn detokenise(tokens: &[&str]) -> String {
    let mut out = String::new();
    let mut quote_open = false;
    let mut glue_next = true;
    for &tok in tokens {
        let closes = matches!(
            tok,
            "," | "."
                | ";"
                | ":"
                | "!"
                | "?"
                | "%"
                | ")"
                | "]"
                | "}"
                | "'s"
                | "'S"
                | "n't"
                | "'re"
                | "'ve"
                | "'ll"
                | "'d"
                | "'m"
                | "'"
        );
        let is_quote = tok == "\"";
        let glue_before = closes || (is_quote && quote_open);
        if !out.is_empty() && !glue_before && !glue_next {
            out.push(' ');
        }
        out.push_str(tok);
        glue_next = matches!(tok, "(" | "[" | "{" | "$") || (is_quote && !quote_open);
        if is_quote {
            quote_open = !quote_open;
        }
    }
    out
}

/// Reads the CoNLL-2003 corpus at `data` (the `eng.train` file or its folder) and measures
/// newsflow-segment and pySBD on it with default options.
///
/// # Errors
/// See [`run_with`].
pub fn run(data: &Path) -> Result<BenchReport> {
    run_with(data, &BenchOptions::default())
}

/// Like [`run`], with options.
///
/// # Errors
/// When the corpus is missing (the message names the file) or unreadable, or the pySBD script
/// crashes. A missing Python or pySBD is not an error: the report says so.
pub fn run_with(data: &Path, options: &BenchOptions) -> Result<BenchReport> {
    let docs = conll_documents(data)?;
    let bytes: usize = docs.iter().map(String::len).sum();
    anyhow::ensure!(bytes > 0, "{} holds no text", corpus_file(data).display());

    let rss_before = peak_rss_kb();
    let mut sentences = 0;
    let mut tokens = 0;
    let mut best = f64::INFINITY;
    let mut passes = 0;
    let started = Instant::now();
    while passes < 3 || started.elapsed().as_secs_f64() < options.min_seconds {
        let (mut s, mut t) = (0, 0);
        let pass = Instant::now();
        for doc in &docs {
            let seg = newsflow_segment::segment_text(std::hint::black_box(doc));
            s += seg.sentences.len();
            t += seg.tokens.len();
        }
        best = best.min(pass.elapsed().as_secs_f64());
        (sentences, tokens) = (s, t);
        passes += 1;
    }
    let peak_rss_growth_kb = match (rss_before, peak_rss_kb()) {
        (Some(before), Some(after)) => Some(after.saturating_sub(before)),
        _ => None,
    };
    let mb_per_sec = bytes as f64 / 1e6 / best;

    let mut report = BenchReport {
        mb_per_sec,
        pysbd_mb_per_sec: None,
        ratio: None,
        corpus: corpus_file(data),
        documents: docs.len(),
        bytes,
        sentences,
        tokens,
        passes,
        best_pass_seconds: best,
        pysbd_bytes: None,
        pysbd_seconds: None,
        pysbd_version: None,
        pysbd_unavailable: None,
        peak_rss_growth_kb,
    };
    if !options.pysbd {
        report.pysbd_unavailable = Some("not run (disabled)".to_owned());
        return Ok(report);
    }
    let mut budget = options.pysbd_max_bytes.unwrap_or(usize::MAX);
    let sample = docs.iter().take_while(|doc| {
        let fits = budget > 0;
        budget = budget.saturating_sub(doc.len());
        fits
    });
    match pysbd::run("bench", sample.map(String::as_str))? {
        Ok(output) => {
            let pysbd_bytes = output.bytes.unwrap_or(0);
            let seconds = output.seconds.unwrap_or(0.0);
            if pysbd_bytes > 0 && seconds > 0.0 {
                let rate = pysbd_bytes as f64 / 1e6 / seconds;
                report.pysbd_mb_per_sec = Some(rate);
                report.ratio = Some(mb_per_sec / rate);
            }
            report.pysbd_bytes = Some(pysbd_bytes);
            report.pysbd_seconds = Some(seconds);
            report.pysbd_version = output.version;
        }
        Err(reason) => {
            report.pysbd_unavailable = Some(format!(
                "unavailable ({reason}); install with `{}`",
                pysbd::INSTALL_HINT
            ));
        }
    }
    Ok(report)
}

/// The process's peak resident memory in kB (`VmHWM`), on Linux.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detokenise_glues_punctuation_quotes_and_clitics() {
        let tokens = [
            "He", "said", "\"", "it", "is", "n't", "over", "\"", "(", "for", "$", "5", ")", ".",
        ];
        assert_eq!(detokenise(&tokens), "He said \"it isn't over\" (for $5).");
    }

    #[test]
    fn conll_file_is_joined_into_documents() {
        let dir = std::env::temp_dir().join(format!("segment-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(CONLL_TRAIN_FILE);
        std::fs::write(
            &file,
            "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nBRUSSELS NNP B-NP B-LOC\n\nIt PRP B-NP O\nsaid VBD B-VP O\n. . O O\n\nNo DT B-NP O\n. . O O\n\n-DOCSTART- -X- -X- O\n\nSecond NN B-NP O\n",
        )
        .unwrap();
        let docs = conll_documents(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(docs, ["EU rejects\nBRUSSELS\nIt said. No.", "Second"]);
    }

    #[test]
    fn missing_corpus_error_names_the_file() {
        let err = run(Path::new("/nonexistent/conll2003")).unwrap_err();
        let message = format!("{err:#}");
        assert!(message.contains("/nonexistent/conll2003"), "{message}");
        assert!(message.contains("missing"), "{message}");
    }
}
