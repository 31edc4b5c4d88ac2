//! A PolNeAR compartment (`train`, `dev`, `test`): its articles, each a `text/<stem>.txt` with
//! its annotations in `attributions/<stem>_*.ann` (BRAT standoff, code-point offsets). Read by
//! the scores ([`super::eval`]) and, as [`Labelled`] articles in UTF-8 byte offsets, by
//! `newsflow train quotes`. Fails, naming the path, when a folder or file is missing or
//! unreadable.

use super::brat::{self, Attribution, Offsets};
use anyhow::{Context, bail};
use newsflow_proto::Span;
use newsflow_quotes::learn::{self, Labelled};
use std::path::{Path, PathBuf};

/// One article of a PolNeAR compartment: its text file and its chosen annotation file.
#[derive(Debug, Clone)]
pub struct Article {
    /// The article's name: its text file name without `.txt`.
    pub stem: String,
    /// `text/<stem>.txt`.
    pub text: PathBuf,
    /// The alphabetically first `attributions/<stem>_*.ann`.
    pub ann: PathBuf,
}

/// The articles of a compartment (`dir/text/*.txt` with a `dir/attributions/<stem>_*.ann`).
///
/// # Errors
/// When either folder is missing or unreadable, or holds no article.
pub fn articles(dir: &Path) -> anyhow::Result<Vec<Article>> {
    let text_dir = dir.join("text");
    let ann_dir = dir.join("attributions");
    let list = |d: &Path| -> anyhow::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in
            std::fs::read_dir(d).with_context(|| format!("reading folder {}", d.display()))?
        {
            names.push(entry?.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    };
    let anns = list(&ann_dir)?;
    let mut out = Vec::new();
    for name in list(&text_dir)? {
        let Some(stem) = name.strip_suffix(".txt") else {
            continue;
        };
        let prefix = format!("{stem}_");
        if let Some(ann) = anns
            .iter()
            .find(|a| a.starts_with(&prefix) && a.ends_with(".ann"))
        {
            out.push(Article {
                stem: stem.to_string(),
                text: text_dir.join(&name),
                ann: ann_dir.join(ann),
            });
        }
    }
    if out.is_empty() {
        bail!(
            "no article with annotations in {} (expected text/*.txt and attributions/*.ann)",
            dir.display()
        );
    }
    Ok(out)
}

impl Article {
    /// The article's text and its gold attributions (code-point offsets).
    ///
    /// # Errors
    /// When either file cannot be read.
    pub(crate) fn read(&self) -> anyhow::Result<(String, Vec<Attribution>)> {
        let text = std::fs::read_to_string(&self.text)
            .with_context(|| format!("reading {}", self.text.display()))?;
        let ann = std::fs::read_to_string(&self.ann)
            .with_context(|| format!("reading {}", self.ann.display()))?;
        Ok((text, brat::parse(&ann)))
    }
}

/// The articles of a compartment as `newsflow_quotes::learn` takes them: each text with its gold
/// attributions in UTF-8 byte offsets.
///
/// # Errors
/// As [`articles`], and when a file cannot be read.
pub fn labelled(dir: &Path) -> anyhow::Result<Vec<Labelled>> {
    articles(dir)?
        .iter()
        .map(|article| {
            let (text, gold) = article.read()?;
            let off = Offsets::new(&text);
            let bytes = |spans: &[(usize, usize)]| -> Vec<Span> {
                spans.iter().map(|&span| off.span_bytes(span)).collect()
            };
            let attributions = gold
                .iter()
                .map(|g| learn::Attribution {
                    content: bytes(&g.content),
                    source: bytes(&g.source),
                    cue: bytes(&g.cue),
                })
                .collect();
            Ok(Labelled { text, attributions })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labelled_articles_carry_gold_spans_as_byte_ranges_of_their_text() {
        let dir = std::env::temp_dir().join(format!("newsflow-polnear-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("text")).unwrap();
        std::fs::create_dir_all(dir.join("attributions")).unwrap();
        std::fs::write(dir.join("text/a.txt"), "“Né,” Zoë said.").unwrap();
        std::fs::write(
            dir.join("attributions/a_ann1.ann"),
            "T1\tSource 6 9\tZoë\nT2\tCue 10 14\tsaid\nT3\tContent 1 3\tNé\n\
             E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n",
        )
        .unwrap();
        let articles = labelled(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let [article] = articles.as_slice() else {
            panic!("one article expected: {articles:?}");
        };
        let [gold] = article.attributions.as_slice() else {
            panic!("one attribution expected: {article:?}");
        };
        let text = |spans: &[Span]| -> Vec<&str> {
            spans.iter().filter_map(|s| s.get(&article.text)).collect()
        };
        assert_eq!(text(&gold.content), ["Né"]);
        assert_eq!(text(&gold.source), ["Zoë"]);
        assert_eq!(text(&gold.cue), ["said"]);
    }
}
