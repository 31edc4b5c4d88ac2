//! Measures throughput against textacy: `cargo run --release -p newsflow-quotes --example bench
//! -- ../shared/data/polnear/dev`.

fn main() -> anyhow::Result<()> {
    let dir = std::env::args_os()
        .nth(1)
        .map(std::path::PathBuf::from)
        .ok_or_else(|| anyhow::anyhow!("usage: bench DIR"))?;
    print!("{}", newsflow_quotes::bench::quotes(&dir)?.render());
    Ok(())
}
