//! Scores a model file on a CoNLL file:
//! `cargo run --release -p newsflow-lab --example ner_eval -- MODEL DATA [PREDICTIONS]`.

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    anyhow::ensure!(args.len() >= 3, "usage: ner_eval MODEL DATA [PREDICTIONS]");
    let model = newsflow_entities::Model::from_bytes(&std::fs::read(&args[1])?)?;
    let out = args.get(3).map(std::path::Path::new);
    let r = newsflow_lab::ner::eval::conll_with(&model, args[2].as_ref(), out)?;
    print!("{}", r.render());
    Ok(())
}
