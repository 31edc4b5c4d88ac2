//! Scores a model file on a CoNLL file: `cargo run --release -p newsflow-entities --example eval -- MODEL DATA`.

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    anyhow::ensure!(args.len() >= 3, "usage: eval MODEL DATA");
    let model = newsflow_entities::tagger::Model::from_bytes(&std::fs::read(&args[1])?)?;
    let r = newsflow_entities::eval::conll_with(&model, args[2].as_ref(), None)?;
    print!("{}", r.render());
    Ok(())
}
