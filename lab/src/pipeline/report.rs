//! The bench's figures for people.

use super::{Drain, Report, StageFigures};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The report as a few tables.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "newsflow bench pipeline: {} articles from {} ({:.0} bytes of text each), nats-server {}, {} cores",
        report.articles,
        report.corpus,
        report.text_bytes_per_article,
        report.nats_server,
        report.cores
    );
    let _ = writeln!(
        out,
        "\n{:<10} {:>11} {:>17} {:>15} {:>15} {:>15}",
        "",
        "articles/s",
        "server ms/article",
        "bus msgs/article",
        "bus KB/article",
        "server in KB/art"
    );
    let row = |out: &mut String, label: &str, rate: f64, run: &RunFigures| {
        let _ = writeln!(
            out,
            "{label:<10} {rate:>11.1} {:>17} {:>15.1} {:>15.1} {:>15}",
            figure(run.server_cpu_ms, 1.0, 2),
            run.messages,
            run.bytes / 1024.0,
            figure(run.server_in_bytes, 1024.0, 1)
        );
    };
    if let Some(bare) = &report.bare_bus {
        row(
            &mut out,
            "bare bus",
            bare.articles_per_sec,
            &RunFigures::of(bare),
        );
    }
    row(
        &mut out,
        "newsflow",
        report.articles_per_sec,
        &RunFigures {
            server_cpu_ms: report.server_cpu_ms_per_article,
            messages: report.bus_messages_per_article,
            bytes: report.bus_bytes_per_article,
            server_in_bytes: report.server_in_bytes_per_article,
        },
    );
    if let Some(fraction) = report.fraction_of_bus {
        let _ = writeln!(
            out,
            "newsflow runs at {:.0}% of the bare bus.",
            fraction * 100.0
        );
    }
    let _ = writeln!(
        out,
        "Bus traffic: {:.1}× the article text.",
        report.bus_bytes_per_text_byte
    );
    let _ = writeln!(
        out,
        "Latency at {}/s ({} articles, {:.1}/s came out): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms.",
        report.rate,
        report.rate_articles,
        report.rate_out_per_sec,
        report.p50_ms,
        report.p99_ms,
        report.max_ms
    );
    stage_table(&mut out, "newsflow", &report.stages);
    if let Some(bare) = &report.bare_bus {
        stage_table(&mut out, "bare bus", &bare.stages);
    }
    if let Some(memory) = &report.memory {
        let _ = writeln!(
            out,
            "\nMemory (resident MB after {} articles → at the end): {}",
            memory.baseline_articles,
            if memory.ok {
                "every stage within 20%"
            } else {
                "GREW MORE THAN 20%"
            }
        );
        for (stage, growth) in &memory.stages {
            let _ = writeln!(
                out,
                "  {stage:<10} {:>7.1} → {:>7.1} ({:+.0}%)",
                growth.rss_after_baseline_mb,
                growth.rss_end_mb,
                (growth.growth - 1.0) * 100.0
            );
        }
    }
    if report.server_cpu_ms_per_article.is_some() {
        out.push_str("(figures are this machine's, with the server and every stage on it)\n");
    } else {
        out.push_str(
            "(figures are this machine's; the server is not the bench's, so its CPU and traffic are not measured)\n",
        );
    }
    out
}

/// `value / unit` with `decimals`, or `-` when it was not measured.
fn figure(value: Option<f64>, unit: f64, decimals: usize) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{:.decimals$}", v / unit))
}

struct RunFigures {
    server_cpu_ms: Option<f64>,
    messages: f64,
    bytes: f64,
    server_in_bytes: Option<f64>,
}

impl RunFigures {
    fn of(run: &Drain) -> Self {
        Self {
            server_cpu_ms: run.server_cpu_ms_per_article,
            messages: run.bus_messages_per_article,
            bytes: run.bus_bytes_per_article,
            server_in_bytes: run.server_in_bytes_per_article,
        }
    }
}

fn stage_table(out: &mut String, label: &str, stages: &BTreeMap<String, StageFigures>) {
    let _ = writeln!(
        out,
        "\n{label:<10} {:>8} {:>10} {:>15} {:>12}  replica shares",
        "replicas", "settled/s", "cpu ms/article", "peak RSS MB"
    );
    for name in newsflow_pipeline::names() {
        let Some(stage) = stages.get(name) else {
            continue;
        };
        let shares: Vec<String> = stage
            .replica_shares
            .iter()
            .map(|s| format!("{:.0}%", s * 100.0))
            .collect();
        let _ = writeln!(
            out,
            "  {name:<8} {:>8} {:>10.1} {:>15.2} {:>12.1}  {}",
            stage.replicas,
            stage.settled_per_sec,
            stage.cpu_ms_per_article,
            stage.peak_rss_mb,
            shares.join(" ")
        );
    }
}
