//! Scores the quote rules on a PolNeAR compartment: `cargo run --release -p newsflow-quotes
//! --example polnear -- ../shared/data/polnear/dev [PREDICTIONS_DIR]`. With `FALLBACK=1`, uses
//! the crate's fallback segmentation and no entities instead of the `segment` and `entities`
//! stages; with `RULES=1`, scores the rules alone (no tagger).

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let dir = args
        .next()
        .map(std::path::PathBuf::from)
        .ok_or_else(|| anyhow::anyhow!("usage: polnear DIR [PREDICTIONS_DIR]"))?;
    let out = args.next().map(std::path::PathBuf::from);
    let rules_only = std::env::var_os("RULES").is_some();
    let find: newsflow_quotes::eval::FindFn = if rules_only {
        &newsflow_quotes::find_quotes_by_rules
    } else {
        &newsflow_quotes::find_quotes
    };
    let report = if std::env::var_os("FALLBACK").is_some() {
        newsflow_quotes::eval::polnear_with_finder(
            &dir,
            out.as_deref(),
            &newsflow_quotes::fallback::segment_text,
            &|_, _| newsflow_proto::Entities::default(),
            find,
        )?
    } else {
        newsflow_quotes::eval::polnear_with_finder(
            &dir,
            out.as_deref(),
            &newsflow_segment::segment_text,
            &newsflow_entities::recognise,
            find,
        )?
    };
    print!("{}", report.render());
    Ok(())
}
