//! Reading articles from files, folders, JSON, JSON Lines and stdin for `feed` and `process`.

use newsflow_proto::{ArticleRaw, BodyFormat};
use serde_json::value::RawValue;
use std::path::{Path, PathBuf};

/// One article read from somewhere, or why it could not be read.
#[derive(Debug)]
pub struct Loaded {
    /// Where it came from: `path`, `path[index]`, `path:line` or `stdin`.
    pub origin: String,
    /// The `article.raw.v1` message as it will be published, byte for byte (JSON input is
    /// passed on as written, so ingest judges exactly what the feeder checked), or the reason it
    /// could not be read.
    pub article: Result<Vec<u8>, String>,
}

impl Loaded {
    /// An article built here (from text or HTML), as its message.
    pub fn built(origin: String, raw: &ArticleRaw) -> Self {
        Self {
            origin,
            article: Ok(serde_json::to_vec(raw).expect("an article has only string fields")),
        }
    }
}

/// Extensions `feed` reads inside folders.
pub const EXTENSIONS: [&str; 6] = ["txt", "html", "htm", "json", "jsonl", "ndjson"];

/// Lists the files under `paths` (folders recursively, sorted), keeping `-` for stdin.
///
/// # Errors
/// When a path does not exist or a folder cannot be read.
pub fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            files.push(path.clone());
        } else if path.is_dir() {
            walk(path, &mut files)?;
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            anyhow::bail!("{}: no such file or folder", path.display());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|err| anyhow::anyhow!("{}: {err}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            walk(&entry, files)?;
        } else if entry
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        {
            files.push(entry);
        }
    }
    Ok(())
}

/// Reads the articles in one file (`-` for stdin), choosing the format by extension; stdin and
/// unknown extensions are JSON Lines when they start with `{` or `[`, else one text article.
pub fn read(path: &Path) -> Vec<Loaded> {
    let origin = if path.as_os_str() == "-" {
        "stdin".to_owned()
    } else {
        path.display().to_string()
    };
    let bytes = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map(|_| buf)
    } else {
        std::fs::read(path)
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(err) => {
            return vec![Loaded {
                origin,
                article: Err(format!("cannot read: {err}")),
            }];
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            return vec![Loaded {
                origin,
                article: Err(format!("not UTF-8 (bad byte at offset {at})")),
            }];
        }
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("txt") => vec![Loaded::built(origin, &from_text(&text))],
        Some("html" | "htm") => vec![Loaded::built(origin, &from_html(&text))],
        Some("json") => from_json(&origin, &text),
        Some("jsonl" | "ndjson") => from_json_lines(&origin, &text),
        _ => {
            let start = text.trim_start();
            if start.starts_with('[') {
                from_json(&origin, &text)
            } else if start.starts_with('{') {
                from_json_lines(&origin, &text)
            } else {
                vec![Loaded::built(origin, &from_text(&text))]
            }
        }
    }
}

/// A plain-text article. When the first line looks like a headline (short, no closing full
/// stop, followed by a blank line) it also becomes the title; the body keeps it.
pub fn from_text(text: &str) -> ArticleRaw {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("").trim();
    let second_blank = lines.next().is_some_and(|l| l.trim().is_empty());
    let headline = second_blank
        && !first.is_empty()
        && first.chars().count() <= 200
        && !first.ends_with(['.', '!', '?', '"', '”', ':']);
    ArticleRaw {
        title: headline.then(|| first.to_owned()),
        body: text.to_owned(),
        format: Some(BodyFormat::Text),
        ..ArticleRaw::default()
    }
}

fn from_html(html: &str) -> ArticleRaw {
    ArticleRaw {
        body: html.to_owned(),
        format: Some(BodyFormat::Html),
        ..ArticleRaw::default()
    }
}

/// One article per item of a JSON array, else the whole file as one article. Items are not
/// parsed here beyond finding where they start and end: ingest's own check judges them.
fn from_json(origin: &str, text: &str) -> Vec<Loaded> {
    if !text.trim_start().starts_with('[') {
        return vec![Loaded {
            origin: origin.to_owned(),
            article: Ok(text.trim().as_bytes().to_vec()),
        }];
    }
    match serde_json::from_str::<Vec<&RawValue>>(text) {
        Ok(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| Loaded {
                origin: format!("{origin}[{i}]"),
                article: Ok(item.get().as_bytes().to_vec()),
            })
            .collect(),
        Err(err) => vec![Loaded {
            origin: origin.to_owned(),
            article: Err(format!("invalid JSON array: {err}")),
        }],
    }
}

/// One article per non-blank line, each passed on as written.
fn from_json_lines(origin: &str, text: &str) -> Vec<Loaded> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| Loaded {
            origin: format!("{origin}:{}", i + 1),
            article: Ok(line.trim().as_bytes().to_vec()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_headline_becomes_title_but_stays_in_body() {
        let raw = from_text("Crane collapses in city\n\nA crane fell.\n");
        assert_eq!(raw.title.as_deref(), Some("Crane collapses in city"));
        assert!(raw.body.starts_with("Crane collapses"));
        assert_eq!(from_text("A sentence.\n\nMore.").title, None);
    }

    #[test]
    fn json_lines_pass_each_line_on_as_written() {
        let loaded = from_json_lines("f.jsonl", "{\"body\":\"a\", \"x\":1}\n\nnot json\n");
        assert_eq!(loaded.len(), 2);
        assert_eq!(
            loaded[0].article.as_deref(),
            Ok(&b"{\"body\":\"a\", \"x\":1}"[..])
        );
        assert_eq!(loaded[1].origin, "f.jsonl:3");
        assert_eq!(loaded[1].article.as_deref(), Ok(&b"not json"[..]));
    }

    #[test]
    fn json_arrays_give_one_article_each_as_written() {
        let loaded = from_json("f.json", r#"[{"body":"a"}, {"title":"no body"}]"#);
        assert_eq!(loaded[0].origin, "f.json[0]");
        assert_eq!(loaded[0].article.as_deref(), Ok(&br#"{"body":"a"}"#[..]));
        assert_eq!(
            loaded[1].article.as_deref(),
            Ok(&br#"{"title":"no body"}"#[..])
        );
        let broken = from_json("f.json", r#"[{"body":"a"}"#);
        assert!(
            broken[0]
                .article
                .as_ref()
                .unwrap_err()
                .contains("invalid JSON array")
        );
        let one = from_json("f.json", " {\"body\":\"a\"}\n");
        assert_eq!(one[0].article.as_deref(), Ok(&br#"{"body":"a"}"#[..]));
    }
}
