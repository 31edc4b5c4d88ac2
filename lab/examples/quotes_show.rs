//! Prints the quotes found in a text file (with the segment and entities stages):
//! `cargo run -p newsflow-lab --example quotes_show -- FILE`.

fn main() -> anyhow::Result<()> {
    let path = std::env::args_os()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: quotes_show FILE"))?;
    let text = std::fs::read_to_string(&path)?;
    let seg = newsflow_segment::segment_text(&text);
    let entities = newsflow_entities::recognise(&text, &seg);
    for q in newsflow_quotes::find_quotes(&text, &seg, &entities) {
        let get = |s: Option<newsflow_proto::Span>| s.and_then(|s| s.get(&text)).unwrap_or("-");
        println!(
            "{:?} [{}] <{}> {:?}: {}",
            q.kind,
            get(q.source),
            get(q.cue),
            q.speaker,
            q.text
        );
    }
    Ok(())
}
