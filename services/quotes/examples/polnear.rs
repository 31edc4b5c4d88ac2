//! Scores the quote rules on a PolNeAR compartment: `cargo run --release -p newsflow-quotes
//! --example polnear -- ../shared/data/polnear/dev [PREDICTIONS_DIR]`.

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let dir = args
        .next()
        .map(std::path::PathBuf::from)
        .ok_or_else(|| anyhow::anyhow!("usage: polnear DIR [PREDICTIONS_DIR]"))?;
    let out = args.next().map(std::path::PathBuf::from);
    let report = newsflow_quotes::eval::polnear(&dir, out.as_deref())?;
    print!("{}", report.render());
    Ok(())
}
