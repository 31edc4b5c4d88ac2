//! `quotes`: finds who said what in an article. Consumes `newsflow.articles.entities`
//! (an `ArticleEntities`: the text, its segmentation and its entities), publishes
//! `newsflow.articles.quotes` (an `ArticleQuotes`: the same plus `quotes`).
//!
//! The pure work is [`find_quotes`]:
//! - **direct quotes** come from the structure of double quotation marks (straight and curly,
//!   single marks nested inside are content): split quotes (`“…,” he said, “…”` is one quote with
//!   two content spans), quotes running over paragraphs (the opening mark repeated at each
//!   paragraph start), attributions before (`Cho said: “…”`) or after (`“…,” Cho said.`,
//!   `“…,” said Cho.`) the marks, and a quote with no attribution of its own continuing the
//!   previous speaker;
//! - **reported speech** comes from cue patterns over a broad news cue lexicon:
//!   `officials said there are …`, `…, the government has suggested.`, `according to …`,
//!   `X told reporters that …`, `…, saying …`;
//! - each speaker is resolved to an entity group where the text allows: a name inside the
//!   source, a pronoun to the nearest preceding person, a role through an earlier apposition.
//!
//! Failure: never fails on valid input. `find_quotes` is total: any text, segmentation and
//! entities (even inconsistent ones) give a list, possibly empty; it never panics.
//!
//! [`eval::polnear`] scores the rules on PolNeAR; [`bench::quotes`] measures throughput against
//! textacy. Run the stage with `cargo run -p newsflow-quotes` once its binary is wired.

pub mod bench;
mod brat;
mod doc;
pub mod eval;
pub mod fallback;
mod find;
pub mod learn;
mod lexicon;
mod speaker;

use newsflow_proto::{Entities, Quote, Segmentation};

/// Finds the quotes and reported statements of an article, in reading order.
///
/// `segmentation` and `entities` are the outputs of the `segment` and `entities` stages for
/// `text`. Sentence starts come from `segmentation` when its spans are usable (else from rules
/// here); tokens are always re-derived so quote marks stand alone. Offsets in the result are UTF-8
/// byte offsets into `text`, on char boundaries.
pub fn find_quotes(text: &str, segmentation: &Segmentation, entities: &Entities) -> Vec<Quote> {
    let doc = doc::Doc::new(text, segmentation);
    let found = find::find(&doc);
    speaker::resolve(&doc, &found, entities)
}

#[cfg(test)]
mod tests;
