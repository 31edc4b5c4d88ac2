//! Tokens per second of a model file on a CoNLL file:
//! `cargo run --release -p newsflow-entities --example speed -- MODEL DATA`.

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    anyhow::ensure!(args.len() >= 3, "usage: speed MODEL DATA");
    let model = newsflow_entities::tagger::Model::from_bytes(&std::fs::read(&args[1])?)?;
    let docs = newsflow_entities::conll::read(args[2].as_ref())?;
    let words: Vec<Vec<Vec<&str>>> = docs.iter().map(|d| d.words()).collect();
    let tps =
        newsflow_entities::bench::tokens_per_sec(&model, &words, std::time::Duration::from_secs(3));
    println!(
        "{:.0} tokens/s of CPU time, {:.0} per wall second",
        tps.cpu, tps.wall
    );
    Ok(())
}
