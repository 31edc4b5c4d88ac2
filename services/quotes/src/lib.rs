//! `quotes`: finds who said what in an article. Consumes `newsflow.articles.entities`
//! (an `ArticleEntities`: the text, its segmentation and its entities), publishes
//! `newsflow.articles.quotes` (an `ArticleQuotes`: the same plus `quotes`).
//!
//! The pure work is [`find_quotes`]:
//! - **direct quotes** come from rules over the structure of double quotation marks (straight,
//!   curly and typewriter `''`; single marks and nested doubles inside are content): split quotes
//!   (`“…,” he said, “…”` is one quote with two content spans), quotes running over paragraphs
//!   (the opening mark repeated at each paragraph start), attributions before (`Cho said: “…”`),
//!   after (`“…,” Cho said.`, `“…,” said Cho.`, `” ― Name`) or around an apposition
//!   (`“…,” Smith, a spokesman for …, said`), and a quote with no attribution of its own
//!   continuing the previous speaker;
//! - **reported speech** (indirect and mixed: `officials said there are …`, `…, the government
//!   has suggested.`, `according to …`, `X told reporters that …`, thoughts and beliefs) comes
//!   from a learned tagger: an averaged perceptron gives each token a PolNeAR role (source, cue,
//!   content) with the cue rules' own findings among its features, trained on PolNeAR train
//!   (`data/attribution.model`, rebuilt by `newsflow train quotes` through the `learn` module,
//!   compiled only with the `train` feature); the rules alone are [`find_quotes_by_rules`];
//!   what the sentence's shape says for certain then tidies what the tagger found (`reported`:
//!   content fronted before a closing attribution starts with its sentence, a negated cue
//!   reports nothing said, a date is not what was said);
//! - **speaker labels** (`labelled`): a paragraph opening with a name or a capitalised label
//!   and a colon is that speaker's (`PENCE: Well, look, …` in a transcript, quoted whole or
//!   not; `Pat Caddell: Democrats Worried …` in a headline);
//! - each speaker is resolved to an entity group where the text allows: a name inside the
//!   source (not one that only modifies its head: `the Biden administration` is the speaker,
//!   not Biden), a pronoun to the nearest preceding person, a role through an earlier
//!   apposition.
//!
//! Failure: never fails on valid input. `find_quotes` is total: any text, segmentation and
//! entities (even inconsistent ones) give a list, possibly empty; it never panics.
//!
//! Measuring is not part of this crate: the PolNeAR scores (`newsflow eval quotes`), the
//! throughput beside textacy (`newsflow bench quotes`) and the PolNeAR reader live in
//! newsflow-lab (`lab/src/quotes/`). The stage runs as `newsflow run quotes`.

mod doc;
#[cfg(test)]
mod fallback;
mod find;
mod labelled;
#[cfg(feature = "train")]
pub mod learn;
mod lexicon;
mod reported;
mod speaker;
mod tagger;

use newsflow_proto::{
    ArticleEntities, ArticleQuotes, Entities, EntityLabel, Quote, QuoteKind, Segmentation,
};

/// The stage: the article with its quotes and reported statements.
pub fn quotes(input: ArticleEntities) -> ArticleQuotes {
    let mut skipped = input.skipped;
    let quotes = match input.article.not_english() {
        // Its cues and rules are English words and English punctuation habits.
        Some(why) => {
            skipped.push(format!(
                "quotes: {why}; the attribution rules read English only"
            ));
            Vec::new()
        }
        None => find_quotes(&input.article.text, &input.segmentation, &input.entities),
    };
    ArticleQuotes {
        article: input.article,
        segmentation: input.segmentation,
        entities: input.entities,
        quotes,
        skipped,
    }
}

/// Finds the quotes and reported statements of an article, in reading order.
///
/// `segmentation` and `entities` are the outputs of the `segment` and `entities` stages for
/// `text`. Tokens, lines and sentence starts are re-derived here so quote marks stand alone and
/// quote structure follows line starts (the segmentation decides sentence ends after an
/// abbreviation); `entities` resolve speakers. Direct quotes come from the rules (and the tagger
/// where the rules found none); indirect and mixed ones from the tagger. Offsets in the result are
/// UTF-8 byte offsets into `text`, on char boundaries.
pub fn find_quotes(text: &str, segmentation: &Segmentation, entities: &Entities) -> Vec<Quote> {
    let doc = doc::Doc::new(text, segmentation);
    let rules = find::find(&doc);
    let found = match tagger::Model::shipped() {
        Some(model) => combine(&doc, model, rules),
        None => rules,
    };
    speaker::resolve(&doc, &with_labels(&doc, found, entities), entities)
}

/// [`find_quotes`] by the rules alone, without the learned tagger: direct quotes and the
/// cue-pattern reported speech.
pub fn find_quotes_by_rules(
    text: &str,
    segmentation: &Segmentation,
    entities: &Entities,
) -> Vec<Quote> {
    let doc = doc::Doc::new(text, segmentation);
    let found = with_labels(&doc, find::find(&doc), entities);
    speaker::resolve(&doc, &found, entities)
}

/// `found` with the paragraphs a speaker's label opens given to that speaker ([`labelled`]), in
/// reading order.
fn with_labels(
    doc: &doc::Doc,
    mut found: Vec<find::Found>,
    entities: &Entities,
) -> Vec<find::Found> {
    let names = reported::spans_of(entities, &[EntityLabel::Person, EntityLabel::Org]);
    labelled::apply(doc, &mut found, &names);
    found.sort_by_key(|f| f.content.first().map_or(0, |c| c.0));
    find::fix_continuations(&mut found);
    found
}

/// Direct quotes from the rules; every other attribution from the tagger (which sees the rules'
/// findings as features), unless it overlaps a direct quote.
fn combine(doc: &doc::Doc, model: &tagger::Model, rules: Vec<find::Found>) -> Vec<find::Found> {
    let ctx = tagger::Ctx::new(doc, &rules);
    let tags = model.tag(&ctx);
    let mut taken = vec![false; doc.toks.len()];
    // Cues the rules found for reported speech: where the tagger agrees, trust it more.
    let mut rule_cues: Vec<find::Range> = rules
        .iter()
        .filter(|f| f.kind != QuoteKind::Direct)
        .filter_map(|f| f.cue)
        .collect();
    rule_cues.sort_unstable();
    let longest_cue = rule_cues.iter().map(|c| c.1 - c.0).max().unwrap_or(0);
    // The rule cues overlapping `c`: those starting less than the longest cue before it.
    let overlaps_rule_cue = |c: find::Range| {
        let from = rule_cues.partition_point(|r| r.0 + longest_cue < c.0);
        rule_cues[from..]
            .iter()
            .take_while(|r| r.0 < c.1)
            .any(|r| c.0 < r.1)
    };
    let mut found: Vec<find::Found> = rules
        .into_iter()
        .filter(|f| f.kind == QuoteKind::Direct)
        .collect();
    for f in &found {
        for &(a, b) in &f.content {
            taken[a..b].iter_mut().for_each(|t| *t = true);
        }
    }
    for mut f in tagger::decode(&ctx, &tags) {
        if reported::negated(doc, &f) {
            continue;
        }
        if !f
            .content
            .iter()
            .any(|&(a, b)| taken[a..b].iter().any(|&t| t))
        {
            reported::widen_fronted(doc, &mut f, &taken);
            let agreed = f.cue.is_some_and(overlaps_rule_cue);
            f.confidence = match (agreed, f.source.is_some()) {
                (true, true) => 0.8,
                (true, false) | (false, true) => 0.6,
                (false, false) => 0.4,
            };
            found.push(f);
        }
    }
    found.sort_by_key(|f| f.content.first().map_or(0, |c| c.0));
    find::fix_continuations(&mut found);
    found
}

#[cfg(test)]
mod tests;
