//! What a word's nearest neighbours in vector space were tagged as in the labelled training
//! news. A word the training text never shows capitalised (`Zelenskyy`, `Kursk`) still has
//! neighbours it does show (other surnames, other towns), and their tags carry over: the
//! tagger gets, for each of the GloVe words, the entity type its neighbours lean to and how
//! strongly. Word classes give the same kind of knowledge in coarser form, one class shared by
//! many words; this is each word's own (eng.testa F1 0.9269 → 0.9301).
//!
//! Computed by `newsflow train word-classes` beside the classes, stored as one code per word
//! in `model/word-classes.tsv`.

use super::labelled::LabelledDoc;
use crate::tags::untag;
use crate::word_classes::UNKNOWN_NEIGHBOURS as UNKNOWN;
use rustc_hash::FxHashMap;

/// Tag counts of the capitalised words of labelled text, lower-cased: how often each was
/// PER, ORG, LOC, MISC or no entity (`O`).
#[derive(Debug, Default, Clone)]
pub struct Labelled {
    counts: FxHashMap<String, [u32; 5]>,
}

impl Labelled {
    /// Counts the capitalised words of labelled documents by their gold type.
    pub fn from_docs(docs: &[LabelledDoc<'_>]) -> Labelled {
        let mut counts: FxHashMap<String, [u32; 5]> = FxHashMap::default();
        for &(word, gold) in docs.iter().flat_map(|d| d.sentences.iter().flatten()) {
            if !word.starts_with(char::is_uppercase) {
                continue;
            }
            let k = untag(gold).map_or(4, |(ty, _)| ty as usize);
            counts.entry(word.to_lowercase()).or_default()[k] += 1;
        }
        Labelled { counts }
    }

    /// Number of distinct words counted.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// How many of the counted words are among `words` (those with vectors, which alone can
    /// be neighbours).
    pub fn among(&self, words: &[String]) -> usize {
        let words: rustc_hash::FxHashSet<&str> = words.iter().map(String::as_str).collect();
        self.counts
            .keys()
            .filter(|w| words.contains(w.as_str()))
            .count()
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}

/// The code of a distribution over PER, ORG, LOC, MISC, O: the leading kind (0–4, 4 = `O`)
/// times 16, plus how far it leads (its share below 0.5, 0.7, 0.85, or above: 0–3) times 4,
/// plus the share of all four entity types together (below 0.25, 0.5, 0.75, or above: 0–3).
pub(crate) fn code(dist: &[f32; 5]) -> u8 {
    let total: f32 = dist.iter().sum();
    if total <= 0.0 {
        return UNKNOWN;
    }
    // The first of equal maxima: ties break the same way every time.
    let mut lead = 0;
    for k in 1..5 {
        if dist[k] > dist[lead] {
            lead = k;
        }
    }
    let bucket = |x: f32, cuts: [f32; 3]| cuts.iter().filter(|&&c| x >= c).count() as u8;
    let share = bucket(dist[lead] / total, [0.5, 0.7, 0.85]);
    let entity = bucket(dist[..4].iter().sum::<f32>() / total, [0.25, 0.5, 0.75]);
    lead as u8 * 16 + share * 4 + entity
}

/// Whether `c` is a value [`code`] gives.
pub(crate) fn is_code(c: u8) -> bool {
    c == UNKNOWN || (c / 16 < 5)
}

/// For each word (unit rows of `dim` floats in `rows`), the [`code`] of the tag shares of its
/// `k` nearest labelled words by cosine, each weighted by its cosine. A word is never its own
/// neighbour, so a training word's code says what words like it were, not what it was. With
/// `k` zero, or no labelled word among `words`, every code is unknown (`0xFF`).
///
/// # Panics
/// When `rows` does not hold `dim` floats for each word.
pub(crate) fn learn(
    words: &[String],
    rows: &[f32],
    dim: usize,
    labelled: &Labelled,
    k: usize,
) -> Vec<u8> {
    assert!(
        dim > 0 && rows.len() == words.len() * dim,
        "{} floats are not {} rows of {dim}",
        rows.len(),
        words.len()
    );
    if k == 0 {
        return vec![UNKNOWN; words.len()];
    }
    // Reversed, so a repeated word keeps its first, most frequent, row.
    let at: FxHashMap<&str, usize> = words
        .iter()
        .enumerate()
        .map(|(i, w)| (w.as_str(), i))
        .rev()
        .collect();
    // The labelled words that have vectors, in vector order, so the result does not depend
    // on hash order; their vectors transposed, dimension by dimension, for the scoring loop.
    let mut lab: Vec<(usize, [f32; 5])> = labelled
        .counts
        .iter()
        .filter_map(|(w, c)| {
            let total: u32 = c.iter().sum();
            at.get(w.as_str())
                .map(|&i| (i, c.map(|x| x as f32 / total as f32)))
        })
        .collect();
    lab.sort_unstable_by_key(|x| x.0);
    let m = lab.len();
    let mut columns = vec![0f32; dim * m];
    for (j, &(i, _)) in lab.iter().enumerate() {
        for d in 0..dim {
            columns[d * m + j] = rows[i * dim + d];
        }
    }
    let n = words.len();
    let mut out = vec![UNKNOWN; n];
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let chunk = n.div_ceil(threads).max(1);
    let (lab, columns) = (&lab, &columns);
    std::thread::scope(|s| {
        for (c, out) in out.chunks_mut(chunk).enumerate() {
            s.spawn(move || {
                let mut sims = vec![0f32; m];
                let mut top: Vec<(f32, usize)> = Vec::with_capacity(k + 1);
                for (r, slot) in out.iter_mut().enumerate() {
                    let i = c * chunk + r;
                    let row = &rows[i * dim..(i + 1) * dim];
                    sims.iter_mut().for_each(|x| *x = 0.0);
                    // Column by column (a multiply-add over contiguous slices vectorises).
                    for (d, &x) in row.iter().enumerate() {
                        let col = &columns[d * m..(d + 1) * m];
                        sims.iter_mut().zip(col).for_each(|(s, &y)| *s += x * y);
                    }
                    top.clear();
                    let mut floor = f32::MIN;
                    for (j, &sim) in sims.iter().enumerate() {
                        if sim <= floor || lab[j].0 == i {
                            continue;
                        }
                        let pos = top.partition_point(|&(t, _)| t >= sim);
                        top.insert(pos, (sim, j));
                        top.truncate(k);
                        if top.len() == k {
                            floor = top[k - 1].0;
                        }
                    }
                    let mut dist = [0f32; 5];
                    for &(sim, j) in &top {
                        let w = sim.max(0.0);
                        dist.iter_mut()
                            .zip(&lab[j].1)
                            .for_each(|(d, &p)| *d += w * p);
                    }
                    *slot = code(&dist);
                }
            });
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc<'a>(words: &[(&'a str, u8)]) -> LabelledDoc<'a> {
        LabelledDoc {
            sentences: vec![words.to_vec()],
        }
    }

    #[test]
    fn code_names_the_leading_kind_and_how_far_it_leads() {
        // PER with 90%, nearly all entity.
        assert_eq!(code(&[9.0, 1.0, 0.0, 0.0, 0.0]), 3 * 4 + 3);
        // O leading at 60%, entities 40%.
        assert_eq!(code(&[0.4, 0.0, 0.0, 0.0, 0.6]), 4 * 16 + 4 + 1);
        assert_eq!(code(&[0.0; 5]), UNKNOWN);
    }

    #[test]
    fn an_unseen_word_takes_the_type_of_its_neighbours_and_a_word_never_its_own() {
        const U_PER: u8 = crate::tags::tag(0, 3);
        const U_LOC: u8 = crate::tags::tag(2, 3);
        let labelled = Labelled::from_docs(&[doc(&[
            ("Smith", U_PER),
            ("Jones", U_PER),
            ("Paris", U_LOC),
            ("smith", 0),
        ])]);
        // Lower-case `smith` does not count: only capitalised words say what a name is.
        assert_eq!(labelled.counts["smith"], [1, 0, 0, 0, 0]);
        let words: Vec<String> = ["smith", "jones", "paris", "kursk", "zelenskyy"]
            .map(String::from)
            .to_vec();
        // Surnames along one axis, towns along the other.
        let rows = [
            1.0, 0.0, //
            0.96, 0.28, //
            0.0, 1.0, //
            0.28, 0.96, //
            0.8, 0.6,
        ];
        let codes = learn(&words, &rows, 2, &labelled, 1);
        let lead = |c: u8| c / 16;
        assert_eq!(lead(codes[3]), 2, "Kursk is near Paris");
        assert_eq!(lead(codes[4]), 0, "Zelenskyy is near Smith and Jones");
        // Paris's nearest other labelled word is Jones, a person: itself does not count.
        assert_eq!(lead(codes[2]), 0);
        assert_eq!(learn(&words, &rows, 2, &labelled, 0), vec![UNKNOWN; 5]);
        assert_eq!(labelled.among(&words), 3);
    }

    #[test]
    fn the_nearest_k_vote_weighted_by_cosine() {
        const U_PER: u8 = crate::tags::tag(0, 3);
        const U_ORG: u8 = crate::tags::tag(1, 3);
        let labelled = Labelled::from_docs(&[doc(&[
            ("Ann", U_PER),
            ("Bob", U_PER),
            ("Acme", U_ORG),
            ("Zeta", U_ORG),
        ])]);
        let words: Vec<String> = ["ann", "bob", "acme", "zeta", "new"]
            .map(String::from)
            .to_vec();
        // `new` lies nearest Acme, then Ann and Bob; Zeta points away from it.
        let rows = [
            0.6, 0.8, //
            0.8, 0.6, //
            0.0, 1.0, //
            -1.0, 0.0, //
            0.28, 0.96,
        ];
        let codes = learn(&words, &rows, 2, &labelled, 3);
        // Acme 0.96 against Ann 0.936 + Bob 0.8: the two people outvote the one company.
        assert_eq!(codes[4] / 16, 0);
        // With only the nearest one, the company wins.
        assert_eq!(learn(&words, &rows, 2, &labelled, 1)[4] / 16, 1);
        // Zeta's cosines are all zero or less: nothing leans anywhere.
        assert_eq!(codes[3], UNKNOWN);
        assert!(codes.iter().all(|&c| is_code(c)));
    }
}
