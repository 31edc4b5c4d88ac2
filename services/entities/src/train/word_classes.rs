//! Learning the word classes ([`WordClasses`]) from pretrained word vectors.
//!
//! `newsflow train word-classes` groups the most frequent words of the GloVe 6B vectors
//! (Wikipedia 2014 + Gigaword 5, lower-cased; Open Data Commons PDDL 1.0) by spherical k-means
//! at three granularities, finds what each word's nearest neighbours were tagged as in the
//! labelled training news ([`super::neighbour_types`]), and writes
//! `word\tfine\tmid\tcoarse\tneighbours` lines ([`to_tsv`]) to `model/word-classes.tsv`,
//! committed. `newsflow train ner` reads that file ([`read_tsv`]) and stores the classes in the
//! tagger model, keyed like every other word feature.

pub use crate::word_classes::{WordClass, WordClasses};

use super::neighbour_types::{Labelled, is_code};
use crate::words::lower_hash;
use anyhow::Context;
use rustc_hash::FxHashMap;
use std::path::Path;

/// Options of [`learn`]. The defaults reproduce the shipped file.
#[derive(Debug, Clone)]
pub struct Options {
    /// How many of the most frequent words to classify.
    pub words: usize,
    /// How many of the most frequent words the classes are fitted on; the rarer words then
    /// join their nearest class. (Fitted on all words, the rare ones, being most, draw the
    /// centroids to themselves and lump frequent names together with weekdays.)
    pub fit_words: usize,
    /// Classes at each granularity: fine, mid and coarse (the fine centroids grouped).
    pub levels: [usize; 3],
    /// k-means iterations at the fine level.
    pub iterations: usize,
    /// Labelled words whose tags each word's neighbour code sums (chosen on eng.testa: 20
    /// scored F1 0.9284 before name tidying, 8 and 50 0.9265 and 0.9266).
    pub neighbours: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            words: 250_000,
            fit_words: 40_000,
            levels: [1024, 256, 48],
            iterations: 12,
            neighbours: 20,
        }
    }
}

/// Reads a file written by [`to_tsv`]. When several words share a hash (digits are
/// folded to `0`), the first — the most frequent — wins.
///
/// # Errors
/// When the file cannot be read or a line is not `word\tfine\tmid\tcoarse\tneighbours`,
/// naming the line.
pub fn read_tsv(path: &Path) -> anyhow::Result<WordClasses> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading word classes {}", path.display()))?;
    let mut map = FxHashMap::default();
    let mut buf = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut f = line.split('\t');
        let (Some(word), Some(a), Some(b), Some(c), Some(nb), None) =
            (f.next(), f.next(), f.next(), f.next(), f.next(), f.next())
        else {
            anyhow::bail!(
                "{}:{}: expected word<TAB>fine<TAB>mid<TAB>coarse<TAB>neighbours",
                path.display(),
                n + 1
            );
        };
        let parse = |s: &str| {
            s.parse::<u16>()
                .with_context(|| format!("{}:{}: bad class {s:?}", path.display(), n + 1))
        };
        let class = WordClass {
            levels: [parse(a)?, parse(b)?, parse(c)?],
            neighbours: nb
                .parse::<u8>()
                .ok()
                .filter(|&c| is_code(c))
                .with_context(|| {
                    format!("{}:{}: bad neighbour code {nb:?}", path.display(), n + 1)
                })?,
        };
        map.entry(lower_hash(word, &mut buf)).or_insert(class);
    }
    Ok(WordClasses { map })
}

fn normalise(rows: &mut [f32], dim: usize) {
    for r in rows.chunks_exact_mut(dim) {
        let n = r.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
        r.iter_mut().for_each(|x| *x /= n);
    }
}

fn nearest(row: &[f32], cent: &[f32], dim: usize) -> usize {
    let mut best = (0, f32::MIN);
    for (c, cr) in cent.chunks_exact(dim).enumerate() {
        let s: f32 = row.iter().zip(cr).map(|(a, b)| a * b).sum();
        if s > best.1 {
            best = (c, s);
        }
    }
    best.0
}

/// Spherical k-means over unit rows, seeded with evenly spaced rows; deterministic. The
/// assignment step, the costly one, runs on every core.
fn kmeans(rows: &[f32], dim: usize, k: usize, iterations: usize) -> (Vec<u16>, Vec<f32>) {
    let n = rows.len() / dim;
    let k = k.min(n).max(1);
    let mut cent: Vec<f32> = (0..k)
        .flat_map(|c| rows[c * n / k * dim..(c * n / k + 1) * dim].iter().copied())
        .collect();
    let mut assign = vec![0u16; n];
    for _ in 0..iterations {
        assign = assign_all(rows, &cent, dim);
        let mut sum = vec![0f32; k * dim];
        for (r, &a) in rows.chunks_exact(dim).zip(&assign) {
            sum[a as usize * dim..(a as usize + 1) * dim]
                .iter_mut()
                .zip(r)
                .for_each(|(s, x)| *s += x);
        }
        // An emptied class keeps its old centroid rather than collapsing to zero.
        for (c, s) in sum.chunks_exact(dim).enumerate() {
            if s.iter().any(|&x| x != 0.0) {
                cent[c * dim..(c + 1) * dim].copy_from_slice(s);
            }
        }
        normalise(&mut cent, dim);
    }
    (assign, cent)
}

fn assign_all(rows: &[f32], cent: &[f32], dim: usize) -> Vec<u16> {
    let n = rows.len() / dim;
    let mut assign = vec![0u16; n];
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let chunk = n.div_ceil(threads).max(1);
    std::thread::scope(|s| {
        for (rows, out) in rows.chunks(chunk * dim).zip(assign.chunks_mut(chunk)) {
            s.spawn(move || {
                for (r, a) in rows.chunks_exact(dim).zip(out) {
                    *a = nearest(r, cent, dim) as u16;
                }
            });
        }
    });
    assign
}

/// Classifies the words: fine classes by k-means over the word vectors, then the mid and
/// coarse classes by k-means over the fine centroids, so the levels nest; and each word's
/// neighbour code from the `labelled` words.
pub fn learn(
    words: &[String],
    vectors: &[f32],
    dim: usize,
    labelled: &Labelled,
    opts: &Options,
) -> Vec<(String, WordClass)> {
    let n = words.len().min(opts.words);
    let mut rows = vectors[..n * dim].to_vec();
    // Centred first: every GloVe vector shares a common direction that would dominate cosines.
    let mut mean = vec![0f64; dim];
    for r in rows.chunks_exact(dim) {
        mean.iter_mut().zip(r).for_each(|(m, &x)| *m += x as f64);
    }
    for r in rows.chunks_exact_mut(dim) {
        r.iter_mut()
            .zip(&mean)
            .for_each(|(x, m)| *x -= (m / n as f64) as f32);
    }
    normalise(&mut rows, dim);
    let fit = n.min(opts.fit_words.max(1));
    let (_, cent) = kmeans(&rows[..fit * dim], dim, opts.levels[0], opts.iterations);
    let fine = assign_all(&rows, &cent, dim);
    let (mid, _) = kmeans(&cent, dim, opts.levels[1], 50);
    let (coarse, _) = kmeans(&cent, dim, opts.levels[2], 50);
    let near = super::neighbour_types::learn(&words[..n], &rows, dim, labelled, opts.neighbours);
    words[..n]
        .iter()
        .zip(&fine)
        .zip(near)
        .map(|((w, &f), neighbours)| {
            let levels = [f, mid[f as usize], coarse[f as usize]];
            (w.clone(), WordClass { levels, neighbours })
        })
        .collect()
}

/// The lines of the classes file.
pub fn to_tsv(classes: &[(String, WordClass)]) -> String {
    let mut out = String::with_capacity(classes.len() * 20);
    for (w, c) in classes {
        // A word with a tab or newline would break the format; GloVe has none, but be sure.
        if w.contains(['\t', '\n', '\r']) || w.is_empty() {
            continue;
        }
        let [a, b, l] = c.levels;
        let nb = c.neighbours;
        out.push_str(&format!("{w}\t{a}\t{b}\t{l}\t{nb}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kmeans_separates_two_directions_and_levels_nest() {
        // Two tight bundles of directions in 3-d.
        let mut words = Vec::new();
        let mut vecs = Vec::new();
        for i in 0..40 {
            let e = i as f32 * 0.001;
            words.push(format!("w{i}"));
            if i % 2 == 0 {
                vecs.extend([1.0, e, 0.0]);
            } else {
                vecs.extend([0.0, e, 1.0]);
            }
        }
        let c = learn(
            &words,
            &vecs,
            3,
            &Default::default(),
            &Options {
                words: 40,
                fit_words: 20,
                levels: [4, 2, 2],
                iterations: 5,
                neighbours: 3,
            },
        );
        assert_eq!(c.len(), 40);
        let even = c[0].1.levels[2];
        let odd = c[1].1.levels[2];
        assert_ne!(even, odd);
        assert!(c.iter().step_by(2).all(|(_, l)| l.levels[2] == even));
        assert!(c.iter().skip(1).step_by(2).all(|(_, l)| l.levels[2] == odd));
        // Words in one fine class share their mid and coarse classes.
        for (_, a) in &c {
            for (_, b) in &c {
                if a.levels[0] == b.levels[0] {
                    assert_eq!(a.levels[1..], b.levels[1..]);
                }
            }
        }
    }

    #[test]
    fn tsv_round_trips_and_the_most_frequent_spelling_wins() {
        let dir = std::env::temp_dir().join(format!("wc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.tsv");
        let class = |a, b, c| WordClass {
            levels: [a, b, c],
            neighbours: c as u8,
        };
        let tsv = to_tsv(&[
            ("paris".into(), class(3, 2, 1)),
            ("1990".into(), class(7, 6, 5)),
            ("1991".into(), class(9, 9, 9)),
        ]);
        std::fs::write(&path, tsv).unwrap();
        let c = read_tsv(&path).unwrap();
        let mut buf = Vec::new();
        let h = |w: &str, buf: &mut Vec<char>| lower_hash(w, buf);
        assert_eq!(c.get(h("Paris", &mut buf)), Some(class(3, 2, 1)));
        assert_eq!(c.get(h("2024", &mut buf)), Some(class(7, 6, 5)));
        std::fs::write(&path, "paris\t1\t2\t3\n").unwrap();
        let err = read_tsv(&path).err().unwrap().to_string();
        assert!(err.contains("c.tsv:1"), "{err}");
        std::fs::write(&path, "paris\t1\t2\t3\t4\nrome\t1\t2\t3\t80\n").unwrap();
        let err = format!("{:#}", read_tsv(&path).err().unwrap());
        assert!(err.contains("c.tsv:2: bad neighbour code"), "{err}");
    }
}
