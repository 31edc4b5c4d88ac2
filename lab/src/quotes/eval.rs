//! Scores [`find_quotes`](newsflow_quotes::find_quotes) on PolNeAR (BRAT standoff, code-point
//! offsets), after the pipeline's own `segment` and `entities` functions.
//!
//! A prediction and a gold attribution match one-to-one, greedily by decreasing overlap, when
//! the Jaccard overlap of their content characters is at least 0.5 (quote marks, whitespace and
//! punctuation at the edges of each span ignored). `direct` scores our direct quotes (precision:
//! those matched to any gold attribution) and the gold direct quotes (recall: content, stripped of
//! trailing `.,;:!?`, opens and closes with a quotation mark); `all` scores every attribution.
//! Each F1 is given again with the source required to overlap the gold source (or both to have
//! none). PolNeAR joins a quote that goes on after `he said.` in the same paragraph into one
//! discontinuous content, so before scoring our continuation quotes are folded back into the
//! quote they continue ([`merge_continuations`]); the `.ann` predictions are written after that.
//!
//! Beside these, the figures the published anchors give, to be read next to them: content,
//! source and cue each scored as spans the way Citron reports them (each article's distinct
//! spans of the component, matched one to one, exactly or by any overlap; [`Spans`]), and the
//! speaker accuracy among the attributions matched by content, as the Gender Gap Tracker gives
//! it.

use super::brat::{self, Attribution, Offsets};
use super::polnear::articles;
use anyhow::Context;
use newsflow_proto::{Entities, Quote, QuoteKind, Segmentation};
use serde::Serialize;
use std::path::Path;

/// Precision, recall and F1 of one kind of attribution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Scores {
    /// Share of predictions matched to a gold attribution.
    pub precision: f64,
    /// Share of gold attributions matched by a prediction.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// F1 when a match also needs the sources to overlap (or both to be absent).
    pub f1_with_source: f64,
}

/// Precision, recall and F1 of one way of matching spans.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Prf {
    /// Share of predicted spans matched to a gold span.
    pub precision: f64,
    /// Share of gold spans matched by a predicted span.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

/// One component of the attributions (content, source or cue) scored as spans, the way Citron
/// reports them: each article's distinct spans of that component, predictions matched one to
/// one with gold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SpanScores {
    /// The same characters (quote marks, whitespace and edge punctuation aside).
    pub exact: Prf,
    /// At least one character in common.
    pub overlap: Prf,
}

/// Content, source and cue scored as spans.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Spans {
    /// What was said.
    pub content: SpanScores,
    /// Who said it, as the text names them.
    pub source: SpanScores,
    /// The words that say it was said (`said`, `according to`).
    pub cue: SpanScores,
}

/// The result of [`polnear`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct QuotesReport {
    /// Direct quotes: content wholly inside quote marks.
    pub direct: Scores,
    /// Every attribution: direct, mixed, indirect, thoughts and beliefs.
    pub all: Scores,
    /// Content, source and cue as spans, exact and overlapping.
    pub spans: Spans,
    /// Among the attributions matched by content (`all`), the share whose source overlaps the
    /// gold source (or both have none): the speaker is right.
    pub speaker_accuracy: f64,
    /// How many attributions that share is of.
    pub matched: usize,
}

impl QuotesReport {
    /// A small table for a terminal.
    pub fn render(&self) -> String {
        let row = |name: &str, s: &Scores| {
            format!(
                "{name:<8} {:>9.3} {:>7.3} {:>6.3} {:>15.3}\n",
                s.precision, s.recall, s.f1, s.f1_with_source
            )
        };
        let mut out = format!(
            "{:<8} {:>9} {:>7} {:>6} {:>15}\n",
            "quotes", "precision", "recall", "F1", "F1 with source"
        );
        out.push_str(&row("direct", &self.direct));
        out.push_str(&row("all", &self.all));
        out.push_str(&format!(
            "\n{:<8} {:>23} {:>23}\n{:<8} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}\n",
            "spans", "exact", "overlap", "", "P", "R", "F1", "P", "R", "F1"
        ));
        for (name, s) in [
            ("content", &self.spans.content),
            ("source", &self.spans.source),
            ("cue", &self.spans.cue),
        ] {
            out.push_str(&format!(
                "{name:<8} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>7.3}\n",
                s.exact.precision,
                s.exact.recall,
                s.exact.f1,
                s.overlap.precision,
                s.overlap.recall,
                s.overlap.f1
            ));
        }
        out.push_str(&format!(
            "\nspeaker accuracy {:.3} over the {} attributions matched by content\n\
             (for reading beside them: Citron on PARC 3.0 test, content exact F1 0.567, overlap \
             0.832, source exact 0.820; the Gender Gap Tracker, speaker accuracy 0.86)\n",
            self.speaker_accuracy, self.matched
        ));
        out
    }
}

fn is_quote_mark(c: char) -> bool {
    matches!(
        c,
        '"' | '“' | '”' | '‘' | '’' | '\'' | '«' | '»' | '„' | '‟'
    )
}

fn is_edge(c: char) -> bool {
    c.is_whitespace()
        || is_quote_mark(c)
        || c.is_ascii_punctuation()
        || matches!(c, '—' | '–' | '…' | '\u{a0}')
}

/// The content characters of spans (code-point offsets): sorted positions, with quote marks and
/// whitespace dropped and punctuation trimmed from each span's edges.
fn chars_of(chars: &[char], spans: &[(usize, usize)]) -> Vec<usize> {
    let mut out = Vec::new();
    for &(a, b) in spans {
        let (mut a, mut b) = (a.min(chars.len()), b.min(chars.len()));
        while a < b && is_edge(chars[a]) {
            a += 1;
        }
        while b > a && is_edge(chars[b - 1]) {
            b -= 1;
        }
        out.extend((a..b).filter(|&i| !chars[i].is_whitespace() && !is_quote_mark(chars[i])));
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn jaccard(a: &[usize], b: &[usize]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 {
        0.0
    } else {
        both as f64 / union as f64
    }
}

fn sources_agree(p: Option<(usize, usize)>, g: &[(usize, usize)]) -> bool {
    match p {
        None => g.is_empty(),
        Some((a, b)) => g.iter().any(|&(c, d)| a < d && c < b),
    }
}

/// Whether a gold content is a direct quote: stripped of trailing `.,;:!?`, it opens and
/// closes with a quotation mark.
fn gold_is_direct(chars: &[char], content: &[(usize, usize)]) -> bool {
    let s: String = content
        .iter()
        .flat_map(|&(a, b)| chars[a.min(chars.len())..b.min(chars.len())].iter())
        .collect();
    let s = s
        .trim()
        .trim_end_matches(['.', ',', ';', ':', '!', '?'])
        .trim_end();
    let marks = ['"', '“', '”'];
    s.starts_with(marks) && s.ends_with(marks) && s.chars().count() >= 2
}

/// Greedy one-to-one matching; returns for each prediction its gold index.
fn greedy(pairs: &mut [(f64, usize, usize)], n_pred: usize, n_gold: usize) -> Vec<Option<usize>> {
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let mut pred = vec![None; n_pred];
    let mut gold_taken = vec![false; n_gold];
    for &(_, p, g) in pairs.iter() {
        if pred[p].is_none() && !gold_taken[g] {
            pred[p] = Some(g);
            gold_taken[g] = true;
        }
    }
    pred
}

/// Counts over a corpus: [matched preds, preds, matched gold, gold] for direct and all,
/// without and with source; for each component (content, source, cue) exact and overlapping;
/// and [right speakers, attributions matched by content].
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    direct: [usize; 4],
    direct_src: [usize; 4],
    all: [usize; 4],
    all_src: [usize; 4],
    spans: [[[usize; 4]; 2]; 3],
    speakers: [usize; 2],
}

/// The distinct non-empty character sets of `spans`.
fn distinct(sets: impl Iterator<Item = Vec<usize>>) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    for set in sets {
        if !set.is_empty() && !out.contains(&set) {
            out.push(set);
        }
    }
    out
}

/// Matches predicted and gold spans one to one, exactly and by overlap, into `counts`
/// ([exact, overlap] × [matched preds, preds, matched gold, gold]).
fn count_spans(preds: &[Vec<usize>], golds: &[Vec<usize>], counts: &mut [[usize; 4]; 2]) {
    let mut exact = Vec::new();
    let mut overlap = Vec::new();
    for (p, pc) in preds.iter().enumerate() {
        for (g, gc) in golds.iter().enumerate() {
            let j = jaccard(pc, gc);
            if j > 0.0 {
                overlap.push((j, p, g));
            }
            if pc == gc {
                exact.push((j, p, g));
            }
        }
    }
    let [exact_counts, overlap_counts] = counts;
    for (pairs, counts) in [(&mut exact, exact_counts), (&mut overlap, overlap_counts)] {
        let matched = greedy(pairs, preds.len(), golds.len())
            .iter()
            .filter(|m| m.is_some())
            .count();
        counts[0] += matched;
        counts[1] += preds.len();
        counts[2] += matched;
        counts[3] += golds.len();
    }
}

/// A prediction's content characters, source (code points) and whether it is direct.
type Pred = (Vec<usize>, Option<(usize, usize)>, bool);

fn score_article(text: &str, quotes: &[Quote], gold: &[Attribution], counts: &mut Counts) {
    let chars: Vec<char> = text.chars().collect();
    let off = Offsets::new(text);
    let preds: Vec<Pred> = quotes
        .iter()
        .map(|q| {
            let spans: Vec<(usize, usize)> = q.content.iter().map(|s| off.span_chars(*s)).collect();
            (
                chars_of(&chars, &spans),
                q.source.map(|s| off.span_chars(s)),
                q.kind == QuoteKind::Direct,
            )
        })
        .collect();
    let golds: Vec<(Vec<usize>, bool)> = gold
        .iter()
        .map(|g| {
            (
                chars_of(&chars, &g.content),
                gold_is_direct(&chars, &g.content),
            )
        })
        .collect();
    let mut pairs = Vec::new();
    let mut pairs_src = Vec::new();
    for (p, (pc, ps, _)) in preds.iter().enumerate() {
        for (g, (gc, _)) in golds.iter().enumerate() {
            let j = jaccard(pc, gc);
            if j >= 0.5 {
                pairs.push((j, p, g));
                if sources_agree(*ps, &gold[g].source) {
                    pairs_src.push((j, p, g));
                }
            }
        }
    }
    let all_matching = greedy(&mut pairs.clone(), preds.len(), golds.len());
    for (p, m) in all_matching.iter().enumerate() {
        if let Some(g) = m {
            counts.speakers[1] += 1;
            counts.speakers[0] += usize::from(sources_agree(preds[p].1, &gold[*g].source));
        }
    }
    let component = |pick: &dyn Fn(&Quote) -> Vec<(usize, usize)>,
                     pick_gold: &dyn Fn(&Attribution) -> Vec<(usize, usize)>| {
        (
            distinct(quotes.iter().map(|q| chars_of(&chars, &pick(q)))),
            distinct(gold.iter().map(|g| chars_of(&chars, &pick_gold(g)))),
        )
    };
    let spans_of = |spans: &[newsflow_proto::Span]| -> Vec<(usize, usize)> {
        spans.iter().map(|s| off.span_chars(*s)).collect()
    };
    let (pc, gc) = component(&|q| spans_of(&q.content), &|g| g.content.clone());
    count_spans(&pc, &gc, &mut counts.spans[0]);
    let (ps, gs) = component(&|q| spans_of(q.source.as_slice()), &|g| g.source.clone());
    count_spans(&ps, &gs, &mut counts.spans[1]);
    let (pq, gq) = component(&|q| spans_of(q.cue.as_slice()), &|g| g.cue.clone());
    count_spans(&pq, &gq, &mut counts.spans[2]);
    for (matching, all, direct) in [
        (all_matching, &mut counts.all, &mut counts.direct),
        (
            greedy(&mut pairs_src, preds.len(), golds.len()),
            &mut counts.all_src,
            &mut counts.direct_src,
        ),
    ] {
        let mut gold_matched = vec![false; golds.len()];
        for (p, m) in matching.iter().enumerate() {
            all[1] += 1;
            if preds[p].2 {
                direct[1] += 1;
            }
            if let Some(g) = m {
                gold_matched[*g] = true;
                all[0] += 1;
                if preds[p].2 {
                    direct[0] += 1;
                }
            }
        }
        for (g, (_, is_direct)) in golds.iter().enumerate() {
            all[3] += 1;
            all[2] += usize::from(gold_matched[g]);
            if *is_direct {
                direct[3] += 1;
                direct[2] += usize::from(gold_matched[g]);
            }
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

fn scores(plain: [usize; 4], with_source: [usize; 4]) -> Scores {
    let (p, r) = (ratio(plain[0], plain[1]), ratio(plain[2], plain[3]));
    let (ps, rs) = (
        ratio(with_source[0], with_source[1]),
        ratio(with_source[2], with_source[3]),
    );
    Scores {
        precision: p,
        recall: r,
        f1: f1(p, r),
        f1_with_source: f1(ps, rs),
    }
}

/// How quotes are found from a text, its segmentation and its entities.
pub type FindFn<'a> = &'a dyn Fn(&str, &Segmentation, &Entities) -> Vec<Quote>;

/// [`polnear`] with a given quote finder, e.g. [`newsflow_quotes::find_quotes_by_rules`] to score
/// the rules without the tagger.
///
/// # Errors
/// When the data is missing or unreadable, or the predictions cannot be written.
pub fn polnear_with_finder(
    dir: &Path,
    write_predictions: Option<&Path>,
    find: FindFn,
) -> anyhow::Result<QuotesReport> {
    let articles = articles(dir)?;
    if let Some(out) = write_predictions {
        std::fs::create_dir_all(out)
            .with_context(|| format!("creating folder {}", out.display()))?;
    }
    let mut counts = Counts::default();
    for article in &articles {
        let (text, gold) = article.read()?;
        let seg = newsflow_segment::segment_text(&text);
        let entities = newsflow_entities::recognise(&text, &seg);
        let quotes = find(&text, &seg, &entities);
        let quotes = merge_continuations(&quotes, &text);
        score_article(&text, &quotes, &gold, &mut counts);
        if let Some(out) = write_predictions {
            let path = out.join(format!("{}.ann", article.stem));
            std::fs::write(&path, brat::write(&text, &quotes))
                .with_context(|| format!("writing {}", path.display()))?;
        }
    }
    let prf = |c: [usize; 4]| {
        let (precision, recall) = (ratio(c[0], c[1]), ratio(c[2], c[3]));
        Prf {
            precision,
            recall,
            f1: f1(precision, recall),
        }
    };
    let span_scores = |c: [[usize; 4]; 2]| SpanScores {
        exact: prf(c[0]),
        overlap: prf(c[1]),
    };
    Ok(QuotesReport {
        direct: scores(counts.direct, counts.direct_src),
        all: scores(counts.all, counts.all_src),
        spans: Spans {
            content: span_scores(counts.spans[0]),
            source: span_scores(counts.spans[1]),
            cue: span_scores(counts.spans[2]),
        },
        speaker_accuracy: ratio(counts.speakers[0], counts.speakers[1]),
        matched: counts.speakers[1],
    })
}

/// PolNeAR joins a quote that goes on after `he said.` in the same paragraph into one
/// discontinuous content; our quotes keep such a continuation as its own quote (with the carried
/// speaker). For scoring, fold it back.
pub fn merge_continuations(quotes: &[Quote], text: &str) -> Vec<Quote> {
    let mut out: Vec<Quote> = Vec::with_capacity(quotes.len());
    for q in quotes {
        let continues = q.kind == QuoteKind::Direct
            && q.source.is_none()
            && q.cue.is_none()
            && q.speaker.is_some();
        if continues && let Some(prev) = out.iter_mut().rev().find(|p| p.kind == QuoteKind::Direct)
        {
            let gap = match (prev.content.last(), q.content.first()) {
                (Some(a), Some(b)) if a.end <= b.start => text.get(a.end..b.start).unwrap_or("\n"),
                _ => "\n",
            };
            if !gap.contains('\n') {
                prev.content.extend(q.content.iter().copied());
                prev.text = format!("{} {}", prev.text, q.text);
                continue;
            }
        }
        out.push(q.clone());
    }
    out
}

/// Scores `find_quotes` over a PolNeAR compartment (`dir` holds `text/` and `attributions/`),
/// with the pipeline's own `segment` and `entities` functions. With `write_predictions`, writes
/// one BRAT `.ann` per article into that folder, named like the article's text file.
///
/// # Errors
/// When the data is missing or unreadable, or the predictions cannot be written.
pub fn polnear(dir: &Path, write_predictions: Option<&Path>) -> anyhow::Result<QuotesReport> {
    polnear_with_finder(dir, write_predictions, &newsflow_quotes::find_quotes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_chars_ignore_quote_marks_spaces_and_edge_punctuation() {
        let chars: Vec<char> = "“Yes, sir,” he".chars().collect();
        assert_eq!(chars_of(&chars, &[(0, 11)]), vec![1, 2, 3, 4, 6, 7, 8]);
    }

    #[test]
    fn gold_direct_is_content_wholly_inside_quote_marks() {
        let chars: Vec<char> = "“Yes.” and “no,” he said".chars().collect();
        assert!(gold_is_direct(&chars, &[(0, 6)]));
        assert!(!gold_is_direct(&chars, &[(0, 10)]));
        assert!(gold_is_direct(&chars, &[(11, 16)]));
    }

    #[test]
    fn greedy_matching_is_one_to_one_by_best_overlap() {
        let mut pairs = vec![(0.6, 0, 0), (0.9, 1, 0), (0.7, 0, 1)];
        assert_eq!(greedy(&mut pairs, 2, 2), vec![Some(1), Some(0)]);
    }

    #[test]
    fn spans_count_exact_only_when_the_same_characters_and_overlap_when_any() {
        let mut counts = [[0; 4]; 2];
        let preds = vec![vec![1, 2, 3], vec![10, 11], vec![20]];
        let golds = vec![vec![1, 2, 3], vec![11, 12, 13], vec![30]];
        count_spans(&preds, &golds, &mut counts);
        assert_eq!(counts[0], [1, 3, 1, 3], "exact: the first only");
        assert_eq!(counts[1], [2, 3, 2, 3], "overlap: the first two");
    }

    #[test]
    fn missing_data_folder_is_a_clear_error() {
        let err = polnear(Path::new("/nonexistent/polnear/dev"), None).unwrap_err();
        assert!(format!("{err:#}").contains("/nonexistent/polnear/dev"));
    }
}
