//! Runs the Golden Rules eval or the speed bench without the `newsflow` CLI.
//!
//! `cargo run --release -p newsflow-segment --example segment_report -- eval [DATA] [--json]`
//! `cargo run --release -p newsflow-segment --example segment_report -- bench [DATA] [--json]`
//!
//! DATA defaults to `../shared/data/golden_rules_en` (eval) or `../shared/data/conll2003`
//! (bench), relative to the repository root.

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let mut positional = args.iter().filter(|a| !a.starts_with("--"));
    let mode = positional.next().map(String::as_str).unwrap_or("eval");
    let data = positional.next().map(PathBuf::from);
    match mode {
        "eval" => {
            let data = data.unwrap_or_else(|| "../shared/data/golden_rules_en".into());
            let report = newsflow_segment::eval::golden_rules(&data)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.render());
            }
        }
        "bench" => {
            let data = data.unwrap_or_else(|| "../shared/data/conll2003".into());
            let report = newsflow_segment::bench::run(&data)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.render());
            }
        }
        other => anyhow::bail!("unknown mode {other:?}; expected eval or bench"),
    }
    Ok(())
}
