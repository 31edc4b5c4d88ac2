//! Trains the NER model: `cargo run --release -p newsflow-lab --example ner_train -- TRAIN DEV [OUT]`.
//! The same as `newsflow train ner`, with `NER_*` variables overriding the training options for
//! experiments.

use newsflow_lab::ner::train;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    anyhow::ensure!(args.len() >= 3, "usage: ner_train TRAIN DEV [OUT]");
    let out = args
        .get(3)
        .map_or(train::SHIPPED_MODEL_PATH, String::as_str);
    let mut opts = newsflow_entities::train::Options::default();
    // Overrides for experiments (the defaults reproduce the shipped model).
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    if let Some(v) = env("NER_PRUNE") {
        opts.prune = v as i16;
    }
    if let Some(v) = env("NER_EPOCHS") {
        opts.epochs = v as usize;
    }
    if let Some(v) = env("NER_STAGES") {
        opts.stages = v as usize;
    }
    if let Some(v) = env("NER_ENSEMBLE") {
        opts.ensemble = v as usize;
    }
    if let Some(v) = env("NER_SEED") {
        opts.seed = v;
    }
    if let Some(v) = env("NER_BITS") {
        opts.bits = v as u32;
    }
    let t = std::time::Instant::now();
    let (train_file, dev_file) = (args[1].as_ref(), args[2].as_ref());
    let model = train::model(
        train_file,
        dev_file,
        &train::default_unlabelled(train_file),
        train::SHIPPED_CLASSES_PATH.as_ref(),
        &opts,
        |r| println!("{}", r.render()),
    )?;
    train::save(&model, out.as_ref())?;
    println!("saved {} in {:.1}s", out, t.elapsed().as_secs_f64());
    Ok(())
}
