//! Scores the quote finder on a PolNeAR compartment: `cargo run --release -p newsflow-lab
//! --example quotes_polnear -- ../shared/data/polnear/dev [PREDICTIONS_DIR]`. With `RULES=1`,
//! scores the rules alone (no tagger).

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let dir = args
        .next()
        .map(std::path::PathBuf::from)
        .ok_or_else(|| anyhow::anyhow!("usage: quotes_polnear DIR [PREDICTIONS_DIR]"))?;
    let out = args.next().map(std::path::PathBuf::from);
    let rules_only = std::env::var_os("RULES").is_some();
    let find: newsflow_lab::quotes::eval::FindFn = if rules_only {
        &newsflow_quotes::find_quotes_by_rules
    } else {
        &newsflow_quotes::find_quotes
    };
    let report = newsflow_lab::quotes::eval::polnear_with_finder(&dir, out.as_deref(), find)?;
    print!("{}", report.render());
    Ok(())
}
