//! Retrains the attribution tagger: `cargo run --release -p newsflow-quotes --example
//! train_tagger -- ../shared/data/polnear/train services/quotes/data/attribution.model [EPOCHS]`.

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let dir = args
        .next()
        .map(std::path::PathBuf::from)
        .ok_or_else(|| anyhow::anyhow!("usage: train_tagger TRAIN_DIR OUT [EPOCHS]"))?;
    let out = args
        .next()
        .map(std::path::PathBuf::from)
        .ok_or_else(|| anyhow::anyhow!("usage: train_tagger TRAIN_DIR OUT [EPOCHS]"))?;
    let epochs = args
        .next()
        .and_then(|e| e.to_str().and_then(|e| e.parse().ok()))
        .unwrap_or(newsflow_quotes::learn::TAGGER_EPOCHS);
    let bytes = newsflow_quotes::learn::tagger_model(&dir, epochs)?;
    std::fs::write(&out, &bytes)?;
    println!("wrote {} ({} bytes)", out.display(), bytes.len());
    Ok(())
}
