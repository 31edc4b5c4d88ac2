//! Rebuilds the learned cue lexicon: `cargo run --release -p newsflow-quotes --example
//! learn_cues -- ../shared/data/polnear/train > services/quotes/data/cues.tsv`.

fn main() -> anyhow::Result<()> {
    let dir = std::env::args_os()
        .nth(1)
        .map(std::path::PathBuf::from)
        .ok_or_else(|| anyhow::anyhow!("usage: learn_cues TRAIN_DIR"))?;
    print!("{}", newsflow_quotes::learn::cue_lexicon(&dir)?);
    Ok(())
}
