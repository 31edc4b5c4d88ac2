//! Time per stage over a folder of `.txt` articles (one pass, one thread):
//! `cargo run --release -p newsflow-lab --example quotes_stages -- DIR`.
fn main() -> anyhow::Result<()> {
    let dir = std::path::PathBuf::from(
        std::env::args_os()
            .nth(1)
            .ok_or_else(|| anyhow::anyhow!("usage: quotes_stages DIR"))?,
    );
    let files = newsflow_lab::quotes::bench::article_files(&dir)?;
    let texts: Vec<String> = files
        .iter()
        .map(std::fs::read_to_string)
        .collect::<Result<_, _>>()?;
    let t = std::time::Instant::now();
    let segs: Vec<_> = texts
        .iter()
        .map(|t| newsflow_segment::segment_text(t))
        .collect();
    let a = t.elapsed();
    let t = std::time::Instant::now();
    let ents: Vec<_> = texts
        .iter()
        .zip(&segs)
        .map(|(t, s)| newsflow_entities::recognise(t, s))
        .collect();
    let b = t.elapsed();
    for _ in 0..2 {
        let t = std::time::Instant::now();
        let mut n = 0;
        for ((t, s), e) in texts.iter().zip(&segs).zip(&ents) {
            n += newsflow_quotes::find_quotes(t, s, e).len();
        }
        let c = t.elapsed();
        let t = std::time::Instant::now();
        for ((t, s), e) in texts.iter().zip(&segs).zip(&ents) {
            n += newsflow_quotes::find_quotes_by_rules(t, s, e).len();
        }
        let d = t.elapsed();
        println!("segment {a:?} entities {b:?} find_quotes {c:?} rules only {d:?} ({n} quotes)");
    }
    Ok(())
}
