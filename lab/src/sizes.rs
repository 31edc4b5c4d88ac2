//! Time per article by size, from 1 KB to ingest's limit, through the whole text chain in this
//! process (ingest → segment → entities → quotes → events, as `newsflow process` runs it): news
//! text, and text shaped to be expensive. Work must grow linearly: the time per kilobyte at the
//! limit is compared with the time per kilobyte at 16 KB.

use newsflow_pipeline::{Chain, Settings, samples};
use serde::Serialize;
use std::time::{Duration, Instant};

/// Sizes measured, in KiB; the last is ingest's default limit.
const SIZES_KB: [usize; 7] = [1, 4, 16, 64, 128, 256, 512];
/// The size whose time per kilobyte the others are compared with.
const BASE_KB: usize = 16;
/// Measure each point for at least this long.
const MIN_MEASURE: Duration = Duration::from_millis(300);
/// The most the time per kilobyte may grow from 16 KB to the limit.
pub const MAX_GROWTH: f64 = 1.5;

/// One kind of text at every size.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// What the text is.
    pub kind: &'static str,
    /// Milliseconds per article at each of [`SIZES_KB`].
    pub ms: Vec<f64>,
    /// Time per kilobyte at the limit ÷ time per kilobyte at 16 KB.
    pub growth: f64,
}

/// The result of [`run`].
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The sizes, in KiB.
    pub sizes_kb: Vec<usize>,
    /// One row per kind of text.
    pub rows: Vec<Row>,
}

/// The kinds of text measured: a unit repeated to the size, as a plain-text or HTML body.
fn kinds() -> Vec<(&'static str, String, bool)> {
    let news: String = samples::SAMPLES
        .iter()
        .map(|(_, text)| format!("{text}\n\n"))
        .collect();
    vec![
        ("news (the bundled samples)", news, false),
        (
            "short quotes in one paragraph",
            "He said \"a b\" and ".into(),
            false,
        ),
        (
            "names in one sentence",
            "John Smith of Acme Corp. told Reuters in Paris on Monday that ".into(),
            false,
        ),
        ("one-word paragraphs", "Word.\n\n".into(), false),
        ("straight quote marks only", "\"".into(), false),
        ("nested <div>s (HTML)", "<div>Deep ".into(), true),
    ]
}

/// A raw article whose JSON is at most `bytes` long, the body `unit` repeated (and cut).
fn article(unit: &str, html: bool, bytes: usize) -> Vec<u8> {
    let room = bytes.saturating_sub(64);
    let mut body = String::with_capacity(room);
    let mut written = 0;
    'fill: loop {
        for c in unit.chars() {
            // As JSON writes it: quotes, backslashes and control characters take more.
            written += match c {
                '"' | '\\' | '\n' | '\r' | '\t' => 2,
                c if c < ' ' => 6,
                c => c.len_utf8(),
            };
            if written > room {
                break 'fill;
            }
            body.push(c);
        }
    }
    let format = if html { "html" } else { "text" };
    serde_json::json!({ "id": "size-bench", "body": body, "format": format })
        .to_string()
        .into_bytes()
}

/// Measures every kind at every size, printing progress to stderr.
///
/// # Errors
/// When the chain rejects an article (none of these should be).
pub fn run() -> anyhow::Result<Report> {
    let chain = Chain::new(&Settings::default());
    let mut rows = Vec::new();
    for (kind, unit, html) in kinds() {
        eprint!("{kind}:");
        let mut ms = Vec::new();
        for kb in SIZES_KB {
            let payload = article(&unit, html, kb * 1024);
            let started = Instant::now();
            let mut runs = 0u32;
            while runs == 0 || started.elapsed() < MIN_MEASURE {
                chain
                    .process(&payload)
                    .map_err(|err| anyhow::anyhow!("{kind} at {kb} KB: {err}"))?;
                runs += 1;
            }
            let each = started.elapsed().as_secs_f64() * 1e3 / f64::from(runs);
            eprint!(" {kb} KB {each:.1} ms;");
            ms.push(each);
        }
        eprintln!();
        let per_kb = |kb: usize| {
            let at = SIZES_KB
                .iter()
                .position(|&s| s == kb)
                .expect("a measured size");
            ms[at] / kb as f64
        };
        let growth = per_kb(*SIZES_KB.last().expect("sizes")) / per_kb(BASE_KB);
        rows.push(Row { kind, ms, growth });
    }
    Ok(Report {
        sizes_kb: SIZES_KB.to_vec(),
        rows,
    })
}

/// The report as a table.
pub fn render(report: &Report) -> String {
    let mut out = format!("{:<32}", "ms per article, by size");
    for kb in &report.sizes_kb {
        out.push_str(&format!("{:>9}", format!("{kb} KB")));
    }
    out.push_str("   growth\n");
    for row in &report.rows {
        out.push_str(&format!("{:<32}", row.kind));
        for ms in &row.ms {
            out.push_str(&format!("{ms:>9.2}"));
        }
        let flag = if row.growth > MAX_GROWTH {
            "  over"
        } else {
            ""
        };
        out.push_str(&format!("{:>8.2}×{flag}\n", row.growth));
    }
    out.push_str(&format!(
        "growth: time per KB at {} KB ÷ time per KB at {BASE_KB} KB (linear within {MAX_GROWTH}× when at most {MAX_GROWTH}).\n",
        report.sizes_kb.last().copied().unwrap_or_default()
    ));
    out
}
