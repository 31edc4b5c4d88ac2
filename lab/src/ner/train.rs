//! The drivers of `newsflow train ner` and `newsflow train word-classes`: they read the files
//! (CoNLL-2003, unlabelled news text, the committed word classes, GloVe vectors) and write the
//! results; the learning itself is `newsflow_entities::train`.

use super::conll;
use anyhow::Context;
use newsflow_entities::Model;
use newsflow_entities::train::{EpochReport, Options, word_classes};
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Where the shipped model lives in the source tree (embedded into the binary at build time).
pub const SHIPPED_MODEL_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../services/entities/model/ner.bin"
);

/// Where the committed word classes live in the source tree (an input of `train ner`).
pub const SHIPPED_CLASSES_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../services/entities/model/word-classes.tsv"
);

/// Trains the tagger on the CoNLL-2003 files `train` and `dev` (the dev file chooses the
/// epochs), with word clusters from the training words and the `unlabelled` text
/// ([`read_texts`]) and the word classes in `classes_path`; calls `progress` after every
/// epoch. The defaults of `opts` and [`default_unlabelled`] reproduce the shipped model.
///
/// # Errors
/// When a file cannot be read or a CoNLL file holds no documents, naming it.
pub fn model(
    train: &Path,
    dev: &Path,
    unlabelled: &[PathBuf],
    classes_path: &Path,
    opts: &Options,
    progress: impl FnMut(&EpochReport),
) -> anyhow::Result<Model> {
    let train_docs = conll::read(train)?;
    let dev_docs = conll::read(dev)?;
    anyhow::ensure!(
        !train_docs.is_empty(),
        "no documents in {}",
        train.display()
    );
    anyhow::ensure!(!dev_docs.is_empty(), "no documents in {}", dev.display());
    let texts = read_texts(unlabelled)?;
    let classes = word_classes::read_tsv(classes_path)?;
    Ok(newsflow_entities::train::train(
        &conll::labelled(&train_docs),
        &conll::labelled(&dev_docs),
        &texts,
        classes,
        opts,
        progress,
    ))
}

/// The unlabelled text the shipped model's clusters are learned from: next to the CoNLL folder,
/// the PolNeAR training articles (`../polnear/train/text`), where present. (Adding PolNeAR's
/// dev articles or the article-extraction bodies scored lower on eng.testa.)
pub fn default_unlabelled(train: &Path) -> Vec<PathBuf> {
    let data = train.parent().unwrap_or(Path::new(".")).join("..");
    ["polnear/train/text"]
        .iter()
        .map(|p| data.join(p))
        .filter(|p| p.exists())
        .collect()
}

/// Reads unlabelled text: `.txt` files, folders of them, and JSON objects whose values carry an
/// `articleBody` string.
///
/// # Errors
/// When a file or folder cannot be read or a JSON file parsed, naming it.
pub fn read_texts(paths: &[PathBuf]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("listing {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "txt"))
                .collect();
            files.sort();
            for f in files {
                out.push(
                    std::fs::read_to_string(&f)
                        .with_context(|| format!("reading {}", f.display()))?,
                );
            }
        } else if p.extension().is_some_and(|x| x == "json") {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            let v: serde_json::Value =
                serde_json::from_str(&text).with_context(|| format!("parsing {}", p.display()))?;
            let mut bodies: Vec<(String, String)> = v
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, a)| Some((k.clone(), a.get("articleBody")?.as_str()?.to_string())))
                .collect();
            bodies.sort();
            out.extend(bodies.into_iter().map(|b| b.1));
        } else {
            out.push(
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
            );
        }
    }
    Ok(out)
}

/// Writes a model file.
///
/// # Errors
/// When the file cannot be written, naming it.
pub fn save(model: &Model, path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, model.to_bytes())
        .with_context(|| format!("writing model {}", path.display()))
}

/// Reads vectors in GloVe's text format (`word v1 … vd` per line, most frequent first),
/// keeping the first `limit` words.
///
/// # Errors
/// When the file cannot be read or its rows disagree on the dimension, naming the line.
pub fn read_glove(path: &Path, limit: usize) -> anyhow::Result<(Vec<String>, Vec<f32>, usize)> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("opening word vectors {}", path.display()))?;
    let mut words = Vec::new();
    let mut flat = Vec::new();
    let mut dim = 0;
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        if words.len() == limit {
            break;
        }
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        let mut parts = line.split(' ');
        let word = parts.next().unwrap_or_default();
        let before = flat.len();
        for p in parts {
            flat.push(
                p.parse::<f32>()
                    .with_context(|| format!("{}:{}: bad number {p:?}", path.display(), n + 1))?,
            );
        }
        let d = flat.len() - before;
        if dim == 0 {
            dim = d;
        }
        if d == 0 || d != dim {
            anyhow::bail!(
                "{}:{}: {d} numbers where the first row had {dim}",
                path.display(),
                n + 1
            );
        }
        words.push(word.to_string());
    }
    Ok((words, flat, dim))
}
