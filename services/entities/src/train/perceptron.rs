//! Training the tagger: averaged-perceptron epochs over labelled documents, an ensemble of
//! taggers averaged into one table, the gazetteer, clusters and word classes stored beside it
//! (`newsflow train ner`, whose files the lab reads). Deterministic: the same documents, text
//! and options give the same model bytes as the shipped `model/ner.bin`. Tunes only on the dev
//! documents (the epoch with the best dev F1 wins).

use super::labelled::LabelledDoc;
use super::score::{Prf, Scorer};
use crate::gazetteer::Gazetteer;
use crate::tagger::{self, DocFeatures, Group, Model, Table};
use crate::tags::{NTAGS, spans};
use crate::word_classes::WordClasses;
use serde::Serialize;
use std::time::Instant;

/// Training options. The defaults reproduce the shipped model.
#[derive(Debug, Clone, Serialize)]
pub struct Options {
    /// Passes over the training data.
    pub epochs: usize,
    /// log2 of the number of weight rows in the hashed table.
    pub bits: u32,
    /// Folds for the training-time gazetteer (each document sees entities of the others only).
    pub folds: usize,
    /// Quantised weights below this magnitude are dropped from the model file.
    pub prune: i16,
    /// Seed of the document shuffle.
    pub seed: u64,
    /// 1: one tagger; 2: a second tagger that reads the first one's tags across the document.
    pub stages: usize,
    /// Folds for the first-stage tags the second stage trains on.
    pub jackknife: usize,
    /// First-stage taggers trained with different shuffles and averaged into one table.
    pub ensemble: usize,
    /// Train ensemble members without some feature families (feature bagging), so the
    /// averaged table leans less on the strongest.
    pub feature_bagging: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            epochs: 12,
            bits: 22,
            folds: 10,
            prune: 0,
            seed: 2003,
            stages: 1,
            jackknife: 5,
            ensemble: 8,
            feature_bagging: true,
        }
    }
}

/// The feature families each ensemble member is trained without, in turn (feature bagging,
/// Sutton, Sindelar and McCallum, 2005): the first member sees everything; the others lose
/// the word itself and the gazetteer, the context words and the word classes, the word, the
/// gazetteer; further members cycle through the same. Chosen on eng.testa (five members:
/// F1 0.9225 with these, 0.9206 with no family left out).
const BAGS: [u8; 5] = [
    0,
    (1 << Group::Word as u8) | (1 << Group::Gazetteer as u8),
    (1 << Group::Context as u8) | (1 << Group::Classes as u8),
    1 << Group::Word as u8,
    1 << Group::Gazetteer as u8,
];

/// What happened in one epoch, reported as training goes.
#[derive(Debug, Clone, Serialize)]
pub struct EpochReport {
    /// Which model is training: `stage 1`, `stage 1, fold 2/5` (held-out tags for stage 2's
    /// training data), or `stage 2`.
    pub phase: String,
    /// 1-based epoch number.
    pub epoch: usize,
    /// Total epochs of this phase.
    pub epochs: usize,
    /// Share of training tokens tagged wrongly during the epoch.
    pub train_error: f64,
    /// Entity-level scores on the dev file with the averaged weights (not measured for folds).
    pub dev: Option<Prf>,
    /// Seconds since training started.
    pub elapsed_secs: f64,
    /// Whether this epoch is the best of its phase so far (the one kept).
    pub best: bool,
}

impl EpochReport {
    /// One line of prose.
    pub fn render(&self) -> String {
        let dev = match &self.dev {
            Some(d) => format!(
                "dev P {:.4} R {:.4} F1 {:.4}{}",
                d.precision,
                d.recall,
                d.f1,
                if self.best { " *" } else { "" }
            ),
            None => "dev not scored".to_string(),
        };
        format!(
            "{} epoch {:>2}/{}: train error {:.2}%, {} ({:.1}s)",
            self.phase,
            self.epoch,
            self.epochs,
            100.0 * self.train_error,
            dev,
            self.elapsed_secs
        )
    }
}

/// The gold entities of a document: their words and type.
fn entities_of<'a>(doc: &LabelledDoc<'a>) -> Vec<(Vec<&'a str>, u8)> {
    let mut out = Vec::new();
    for s in &doc.sentences {
        let tags: Vec<u8> = s.iter().map(|w| w.1).collect();
        for (a, b, ty) in spans(&tags) {
            out.push((s[a..b].iter().map(|w| w.0).collect(), ty));
        }
    }
    out
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Tags featurized documents with one table.
fn tag_all(table: &Table, feats: &[DocFeatures]) -> Vec<Vec<u8>> {
    feats
        .iter()
        .map(|f| {
            let mut t = table;
            tagger::tag_doc(&mut t, f, None)
        })
        .collect()
}

/// Dev scores of the tagger's own output: epochs are chosen for the statistical model, before
/// the name tidying that [`Model::tag`] applies after it (so `eval ner` scores a little higher).
fn score(docs: &[LabelledDoc<'_>], preds: &[Vec<u8>]) -> Prf {
    let mut sc = Scorer::default();
    for (d, p) in docs.iter().zip(preds) {
        sc.add_doc(d, p);
    }
    sc.scores().overall
}

/// Trains one table on `train` (indices into `feats`), keeping the epoch with the best dev F1
/// when `dev` is given, else the last. Returns the table and the epoch kept.
#[allow(clippy::too_many_arguments)]
fn fit(
    phase: &str,
    feats: &[DocFeatures],
    gold: &[Vec<u8>],
    train: &[usize],
    dev: Option<(&[LabelledDoc<'_>], &[DocFeatures])>,
    epochs: usize,
    opts: &Options,
    start: Instant,
    progress: &mut dyn FnMut(&EpochReport),
    seed: u64,
    dropped: u8,
) -> (Table, usize, Vec<f32>) {
    let mut table = TrainTable::new(opts.bits);
    table.dropped = dropped;
    let mut order: Vec<usize> = train.to_vec();
    let mut rng = Rng(seed.max(1));
    let ntok: usize = train.iter().map(|&d| gold[d].len()).sum();
    let mut best: Option<(f64, Table, usize, Vec<f32>)> = None;
    for epoch in 1..=epochs.max(1) {
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut wrong = 0usize;
        for &d in &order {
            let pred = tagger::tag_doc(&mut table, &feats[d], Some(&gold[d]));
            wrong += pred.iter().zip(&gold[d]).filter(|(a, b)| a != b).count();
        }
        let last = epoch == epochs.max(1);
        let (devp, is_best) = match dev {
            Some((docs, dfeats)) => {
                let avg = table.averaged();
                let t = Table::from_float(opts.bits, &avg, opts.prune);
                let p = score(docs, &tag_all(&t, dfeats));
                let is_best = best.as_ref().is_none_or(|(f, _, _, _)| p.f1 > *f);
                if is_best {
                    best = Some((p.f1, t, epoch, avg));
                }
                (Some(p), is_best)
            }
            None => {
                if last {
                    let avg = table.averaged();
                    let t = Table::from_float(opts.bits, &avg, opts.prune);
                    best = Some((0.0, t, epoch, avg));
                }
                (None, last)
            }
        };
        progress(&EpochReport {
            phase: phase.to_string(),
            epoch,
            epochs,
            train_error: wrong as f64 / ntok.max(1) as f64,
            dev: devp,
            elapsed_secs: start.elapsed().as_secs_f64(),
            best: is_best,
        });
    }
    let (_, t, e, avg) = best.expect("at least one epoch ran");
    (t, e, avg)
}

/// Trains a model on `train`, choosing epochs by F1 on `dev`; calls `progress` after every
/// epoch. The word clusters are learned from the training words and the `unlabelled` texts;
/// `classes` are stored in the model as they are. With `opts.stages == 2`, a second tagger reads
/// the first's tags across the document (about twice as slow to tag; its dev F1 gain was within
/// seed-to-seed noise, so it is off by default); its training data is tagged by first-stage
/// models that did not see it (`opts.jackknife` folds).
///
/// # Panics
/// When `train` holds no documents.
pub fn train(
    train: &[LabelledDoc<'_>],
    dev: &[LabelledDoc<'_>],
    unlabelled: &[String],
    classes: WordClasses,
    opts: &Options,
    mut progress: impl FnMut(&EpochReport),
) -> Model {
    assert!(!train.is_empty(), "no training documents");
    let start = Instant::now();
    let ents: Vec<Vec<(Vec<&str>, u8)>> = train.iter().map(entities_of).collect();
    let all = || ents.iter().flatten().map(|(w, t)| (w.as_slice(), *t));
    let full_gaz = super::gazetteer::from_entities(all());
    let folds = opts.folds.max(2);
    let fold_gaz: Vec<Gazetteer> = (0..folds)
        .map(|k| {
            super::gazetteer::from_entities(
                ents.iter()
                    .enumerate()
                    .filter(|(i, _)| i % folds != k)
                    .flat_map(|(_, e)| e.iter().map(|(w, t)| (w.as_slice(), *t))),
            )
        })
        .collect();
    let train_words: Vec<Vec<Vec<&str>>> = train.iter().map(LabelledDoc::words).collect();
    let clusters = super::clusters::learn(
        train_words.iter().flatten().cloned().chain(
            unlabelled
                .iter()
                .map(|t| super::clusters::rough_tokens(t).collect()),
        ),
    );
    let feats: Vec<DocFeatures> = train_words
        .iter()
        .enumerate()
        .map(|(i, w)| tagger::featurize(w, &fold_gaz[i % folds], &clusters, &classes))
        .collect();
    let gold: Vec<Vec<u8>> = train.iter().map(LabelledDoc::gold).collect();
    let dev_feats: Vec<DocFeatures> = dev
        .iter()
        .map(|d| tagger::featurize(&d.words(), &full_gaz, &clusters, &classes))
        .collect();
    let everything: Vec<usize> = (0..train.len()).collect();

    // Stage 1: `opts.ensemble` taggers trained with different shuffles, their averaged weights
    // averaged again (one table, so tagging costs the same as one tagger).
    let members = opts.ensemble.max(1);
    let bags: &[u8] = if opts.feature_bagging { &BAGS } else { &[0] };
    let mut fit_member = |name: &str, seed: u64, m: usize| {
        fit(
            name,
            &feats,
            &gold,
            &everything,
            Some((dev, &dev_feats)),
            opts.epochs,
            opts,
            start,
            &mut progress,
            seed,
            bags[m % bags.len()],
        )
    };
    let first = if members > 1 {
        "stage 1, member 1"
    } else {
        "stage 1"
    };
    let (mut t1, mut e1, mut sum) = fit_member(first, opts.seed, 0);
    for m in 1..members {
        let (_, e, avg) = fit_member(
            &format!("stage 1, member {}", m + 1),
            opts.seed.wrapping_add(7919 * m as u64),
            m,
        );
        e1 = e1.max(e);
        sum.iter_mut().zip(&avg).for_each(|(s, a)| *s += a);
    }
    if members > 1 {
        t1 = Table::from_float(opts.bits, &sum, opts.prune);
        progress(&EpochReport {
            phase: format!("stage 1, {members} members averaged"),
            epoch: 1,
            epochs: 1,
            train_error: 0.0,
            dev: Some(score(dev, &tag_all(&t1, &dev_feats))),
            elapsed_secs: start.elapsed().as_secs_f64(),
            best: true,
        });
    }
    drop(sum);
    if opts.stages < 2 {
        return Model::new(vec![t1], full_gaz, clusters, classes);
    }
    // Held-out first-stage tags for every training document.
    let jk = opts.jackknife.max(2);
    let mut held: Vec<Vec<u8>> = vec![Vec::new(); train.len()];
    for k in 0..jk {
        let (inside, outside): (Vec<usize>, Vec<usize>) =
            everything.iter().partition(|&&d| d % jk != k);
        let (t, _, _) = fit(
            &format!("stage 1, fold {}/{}", k + 1, jk),
            &feats,
            &gold,
            &inside,
            None,
            e1,
            opts,
            start,
            &mut progress,
            opts.seed,
            0,
        );
        for d in outside {
            let mut tt = &t;
            held[d] = tagger::tag_doc(&mut tt, &feats[d], None);
        }
    }
    let feats2: Vec<DocFeatures> = feats
        .iter()
        .zip(&held)
        .map(|(f, p)| tagger::second_stage(f, p))
        .collect();
    let dev_pred1 = tag_all(&t1, &dev_feats);
    let dev_feats2: Vec<DocFeatures> = dev_feats
        .iter()
        .zip(&dev_pred1)
        .map(|(f, p)| tagger::second_stage(f, p))
        .collect();
    let (t2, _, _) = fit(
        "stage 2",
        &feats2,
        &gold,
        &everything,
        Some((dev, &dev_feats2)),
        opts.epochs,
        opts,
        start,
        &mut progress,
        opts.seed,
        0,
    );
    Model::new(vec![t1, t2], full_gaz, clusters, classes)
}

/// Integer perceptron weights with the sums needed for averaging.
struct TrainTable {
    bits: u32,
    w: Vec<i32>,
    u: Vec<i64>,
    /// Update counter (one tick per token seen).
    c: i64,
    /// Feature groups left out while training, one bit per [`Group`].
    dropped: u8,
}

impl tagger::Scorer for TrainTable {
    #[inline]
    fn add(&self, h: u64, acc: &mut [i32; NTAGS]) {
        let row = (h >> (64 - self.bits)) as usize * NTAGS;
        for (a, &w) in acc.iter_mut().zip(&self.w[row..row + NTAGS]) {
            *a += w;
        }
    }

    fn learn(&mut self, feats: &[u64], gold: u8, pred: u8) {
        self.update(feats, gold, pred);
    }

    fn tick(&mut self) {
        self.c += 1;
    }

    fn dropped_groups(&self) -> u8 {
        self.dropped
    }
}

impl TrainTable {
    fn new(bits: u32) -> Self {
        let n = (1usize << bits) * NTAGS;
        TrainTable {
            bits,
            w: vec![0; n],
            u: vec![0; n],
            c: 1,
            dropped: 0,
        }
    }

    fn update(&mut self, feats: &[u64], gold: u8, pred: u8) {
        for &h in feats {
            let row = (h >> (64 - self.bits)) as usize * NTAGS;
            self.w[row + gold as usize] += 1;
            self.u[row + gold as usize] += self.c;
            self.w[row + pred as usize] -= 1;
            self.u[row + pred as usize] -= self.c;
        }
    }

    /// The averaged weights.
    fn averaged(&self) -> Vec<f32> {
        let c = self.c as f64;
        self.w
            .iter()
            .zip(&self.u)
            .map(|(&w, &u)| (w as f64 - u as f64 / c) as f32)
            .collect()
    }
}
