//! Benchmarks the shipped model: `cargo run --release -p newsflow-entities --example bench -- DATA [--spacy]`.

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    anyhow::ensure!(args.len() >= 2, "usage: bench DATA [--spacy]");
    let r = newsflow_entities::bench::run(args[1].as_ref(), args.iter().any(|a| a == "--spacy"))?;
    print!("{}", r.render());
    println!("{}", serde_json::to_string(&r)?);
    Ok(())
}
