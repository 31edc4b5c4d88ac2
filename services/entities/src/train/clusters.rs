//! Learning the word clusters ([`Clusters`]) at training time from unlabelled news text: each
//! word is described by the words seen on its left and right, and spherical k-means groups
//! words used alike (`Tuesday` with `Friday`, `Blinken` with other surnames). Two granularities
//! are kept: fine ([`FINE`] clusters) and coarse (the fine centroids clustered again).

use crate::clusters::Clusters;
use crate::words::lower_hash;
use std::collections::HashMap;

/// Number of fine clusters.
pub const FINE: usize = 1024;
/// Number of coarse clusters.
pub const COARSE: usize = 64;
const CONTEXT: usize = 600;
const MIN_FREQ: u32 = 2;
const ITERS: usize = 15;

/// Splits raw text into rough word tokens (enough for counting contexts).
pub fn rough_tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace().flat_map(|w| {
        let start = w.find(|c: char| c.is_alphanumeric()).unwrap_or(w.len());
        let end = w.rfind(|c: char| c.is_alphanumeric()).map_or(start, |i| {
            i + w[i..].chars().next().map_or(1, char::len_utf8)
        });
        let (lead, rest) = w.split_at(start);
        let (core, trail) = rest.split_at(end.saturating_sub(start).min(rest.len()));
        [lead, core, trail].into_iter().filter(|s| !s.is_empty())
    })
}

fn spherical_kmeans(vecs: &[Vec<(u32, f32)>], dim: usize, k: usize) -> Vec<u16> {
    let n = vecs.len();
    let k = k.min(n.max(1));
    // Centroids stored transposed: cent[d * k + c].
    let mut cent = vec![0f32; dim * k];
    for c in 0..k {
        let w = c * n / k;
        for &(d, v) in &vecs[w] {
            cent[d as usize * k + c] = v;
        }
    }
    let mut assign = vec![0u16; n];
    let mut score = vec![0f32; k];
    for _ in 0..ITERS {
        for (i, v) in vecs.iter().enumerate() {
            score.iter_mut().for_each(|s| *s = 0.0);
            for &(d, x) in v {
                let row = &cent[d as usize * k..(d as usize + 1) * k];
                for (s, &c) in score.iter_mut().zip(row) {
                    *s += x * c;
                }
            }
            let mut best = 0;
            for c in 1..k {
                if score[c] > score[best] {
                    best = c;
                }
            }
            assign[i] = best as u16;
        }
        cent.iter_mut().for_each(|x| *x = 0.0);
        for (i, v) in vecs.iter().enumerate() {
            let c = assign[i] as usize;
            for &(d, x) in v {
                cent[d as usize * k + c] += x;
            }
        }
        let mut norms = vec![0f32; k];
        for d in 0..dim {
            for c in 0..k {
                norms[c] += cent[d * k + c] * cent[d * k + c];
            }
        }
        for d in 0..dim {
            for c in 0..k {
                if norms[c] > 0.0 {
                    cent[d * k + c] /= norms[c].sqrt();
                }
            }
        }
    }
    assign
}

/// Learns clusters from word sequences (each item is one document or sentence of words).
pub fn learn<'a>(docs: impl Iterator<Item = Vec<&'a str>>) -> Clusters {
    let mut buf = Vec::new();
    let seqs: Vec<Vec<u64>> = docs
        .map(|d| d.iter().map(|w| lower_hash(w, &mut buf)).collect())
        .collect();
    let mut freq: HashMap<u64, u32> = HashMap::new();
    for s in &seqs {
        for &h in s {
            *freq.entry(h).or_insert(0) += 1;
        }
    }
    let mut by_freq: Vec<(u64, u32)> = freq.iter().map(|(&h, &c)| (h, c)).collect();
    by_freq.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let ctx: HashMap<u64, u32> = by_freq
        .iter()
        .take(CONTEXT)
        .enumerate()
        .map(|(i, &(h, _))| (h, i as u32))
        .collect();
    let vocab: Vec<u64> = by_freq
        .iter()
        .filter(|&&(_, c)| c >= MIN_FREQ)
        .map(|&(h, _)| h)
        .collect();
    let index: HashMap<u64, usize> = vocab.iter().enumerate().map(|(i, &h)| (h, i)).collect();
    let mut counts: Vec<HashMap<u32, f32>> = vec![HashMap::new(); vocab.len()];
    const EDGE: u32 = 2 * CONTEXT as u32;
    for s in &seqs {
        for (i, h) in s.iter().enumerate() {
            let Some(&wi) = index.get(h) else { continue };
            let left = if i == 0 {
                Some(EDGE)
            } else {
                ctx.get(&s[i - 1]).copied()
            };
            let right = match s.get(i + 1) {
                None => Some(EDGE + 1),
                Some(r) => ctx.get(r).map(|&c| c + CONTEXT as u32),
            };
            for c in [left, right].into_iter().flatten() {
                *counts[wi].entry(c).or_insert(0.0) += 1.0;
            }
        }
    }
    let dim = 2 * CONTEXT + 2;
    let vecs: Vec<Vec<(u32, f32)>> = counts
        .into_iter()
        .map(|m| {
            let mut v: Vec<(u32, f32)> = m.into_iter().map(|(d, c)| (d, c.sqrt())).collect();
            v.sort_unstable_by_key(|x| x.0);
            let n = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt().max(1e-9);
            v.iter_mut().for_each(|x| x.1 /= n);
            v
        })
        .collect();
    let fine = spherical_kmeans(&vecs, dim, FINE);
    // Coarse: cluster the fine clusters' mean vectors.
    let mut means: Vec<HashMap<u32, f32>> = vec![HashMap::new(); FINE];
    for (v, &c) in vecs.iter().zip(&fine) {
        for &(d, x) in v {
            *means[c as usize].entry(d).or_insert(0.0) += x;
        }
    }
    let mvecs: Vec<Vec<(u32, f32)>> = means
        .into_iter()
        .map(|m| {
            let mut v: Vec<(u32, f32)> = m.into_iter().collect();
            v.sort_unstable_by_key(|x| x.0);
            let n = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt().max(1e-9);
            v.iter_mut().for_each(|x| x.1 /= n);
            v
        })
        .collect();
    let coarse = spherical_kmeans(&mvecs, dim, COARSE);
    let map = vocab
        .iter()
        .zip(&fine)
        .map(|(&h, &f)| (h, (f, coarse.get(f as usize).copied().unwrap_or(0))))
        .collect();
    Clusters { map }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rough_tokens_splits_punctuation_off_words() {
        let t: Vec<&str> = rough_tokens("Hello, “world” (U.S.)").collect();
        assert_eq!(t, vec!["Hello", ",", "“", "world", "”", "(", "U.S", ".)"]);
    }
}

#[cfg(test)]
mod inspect {
    #[test]
    #[ignore = "needs ../shared; prints cluster samples"]
    fn print_cluster_samples() {
        let text = std::fs::read_dir("/work/shared/data/polnear/train/text")
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect::<Vec<_>>();
        let t = std::time::Instant::now();
        let c = super::learn(text.iter().map(|t| super::rough_tokens(t).collect()));
        eprintln!("{} words in {:?}", c.map.len(), t.elapsed());
        let mut buf = Vec::new();
        for w in [
            "Tuesday",
            "Blinken",
            "Trump",
            "France",
            "Paris",
            "said",
            "Microsoft",
            "American",
        ] {
            let h = super::lower_hash(w, &mut buf);
            eprintln!("{w}: {:?}", c.get(h));
        }
    }
}
