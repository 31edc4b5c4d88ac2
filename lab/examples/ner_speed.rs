//! Tokens per second of a model file on a CoNLL file:
//! `cargo run --release -p newsflow-lab --example ner_speed -- MODEL DATA`.

use newsflow_lab::ner::{bench, conll};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    anyhow::ensure!(args.len() >= 3, "usage: ner_speed MODEL DATA");
    let model = newsflow_entities::Model::from_bytes(&std::fs::read(&args[1])?)?;
    let docs = conll::read(args[2].as_ref())?;
    let words: Vec<Vec<Vec<&str>>> = docs.iter().map(conll::Doc::words).collect();
    let tps = bench::tokens_per_sec(&model, &words, std::time::Duration::from_secs(3));
    println!(
        "{:.0} tokens/s of CPU time, {:.0} per wall second",
        tps.cpu, tps.wall
    );
    Ok(())
}
