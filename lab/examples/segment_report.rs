//! Runs the Golden Rules eval or the speed bench without the `newsflow` CLI.
//!
//! `cargo run --release -p newsflow-lab --example segment_report -- eval [DATA] [--json]`
//! `cargo run --release -p newsflow-lab --example segment_report -- bench [DATA] [--json]`
//!
//! `cargo run --release -p newsflow-lab --example segment_report -- sentences FILE`
//! prints the sentences of FILE as JSON Lines `{"paragraph": N, "text": S}`.
//!
//! `… -- tokens FILE` prints each sentence's tokens separated by ` | `.
//!
//! `… -- jsonl` reads JSON Lines `{"text": ...}` on stdin and prints one JSON array of
//! sentences per line; `… -- jsonl-tokens` prints one JSON array of tokens per line instead.
//!
//! DATA defaults to `../shared/data/golden_rules_en` (eval) or `../shared/data/conll2003`
//! (bench), relative to the repository root.

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let mut positional = args.iter().filter(|a| !a.starts_with("--"));
    let mode = positional.next().map(String::as_str).unwrap_or("eval");
    let data = positional.next().map(PathBuf::from);
    match mode {
        "eval" => {
            let data = data.unwrap_or_else(|| "../shared/data/golden_rules_en".into());
            let report = newsflow_lab::segment::eval::golden_rules(&data)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.render());
            }
        }
        "bench" => {
            let data = data.unwrap_or_else(|| "../shared/data/conll2003".into());
            let report = newsflow_lab::segment::bench::run(&data)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.render());
            }
        }
        "sentences" => {
            let file = data.ok_or_else(|| anyhow::anyhow!("sentences needs a FILE"))?;
            let text = std::fs::read_to_string(&file)?;
            for s in newsflow_segment::segment_text(&text).sentences {
                let line =
                    serde_json::json!({"paragraph": s.paragraph, "text": &text[s.start..s.end]});
                println!("{line}");
            }
        }
        "tokens" => {
            let file = data.ok_or_else(|| anyhow::anyhow!("tokens needs a FILE"))?;
            let text = std::fs::read_to_string(&file)?;
            let seg = newsflow_segment::segment_text(&text);
            for s in &seg.sentences {
                let tokens = &seg.tokens[s.first_token..s.first_token + s.token_count];
                let words: Vec<&str> = tokens.iter().map(|t| &text[t.start..t.end]).collect();
                println!("{}", words.join(" | "));
            }
        }
        "jsonl" | "jsonl-tokens" => {
            let mode_tokens = mode == "jsonl-tokens";
            // JSON Lines `{"text": ...}` on stdin; one JSON array of sentences per line out.
            for line in std::io::stdin().lines() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                let value: serde_json::Value = serde_json::from_str(&line)?;
                let text = value["text"].as_str().unwrap_or_default();
                let out = if mode_tokens {
                    let seg = newsflow_segment::segment_text(text);
                    let tokens: Vec<&str> =
                        seg.tokens.iter().map(|t| &text[t.start..t.end]).collect();
                    serde_json::to_string(&tokens)?
                } else {
                    serde_json::to_string(&newsflow_lab::segment::eval::sentences(text))?
                };
                println!("{out}");
            }
        }
        other => anyhow::bail!(
            "unknown mode {other:?}; expected eval, bench, sentences, tokens, jsonl or jsonl-tokens"
        ),
    }
    Ok(())
}
