//! `newsflow bench pipeline` as an operator runs it: a private server, every stage its own
//! process, the bare bus beside it, replicas sharing a stage's work, and every figure the JSON
//! promises. (It checks what the bench reports, not how fast: speed is the bench's own output.)

use newsflow_e2e::{newsflow_bin, server_binary};
use serde_json::Value;

fn number(report: &Value, key: &str) -> f64 {
    report[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number in {report:#}"))
}

#[test]
fn the_bench_measures_the_chain_beside_the_bare_bus_with_replicas() {
    let workdir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(newsflow_bin())
        .args(["bench", "pipeline", "--articles", "300", "--rate", "50"])
        .args([
            "--rate-articles",
            "25",
            "--replicas",
            "entities=2",
            "--json",
        ])
        .env("NATS_SERVER_BIN", server_binary())
        .current_dir(workdir.path())
        .output()
        .expect("newsflow runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("articles out"),
        "no progress line: {stderr}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");

    assert_eq!(report["articles"], 300);
    for key in [
        "articles_per_sec",
        "bare_bus_articles_per_sec",
        "fraction_of_bus",
        "text_bytes_per_article",
        "server_cpu_ms_per_article",
        "p50_ms",
    ] {
        assert!(number(&report, key) > 0.0, "{key} in {report:#}");
    }
    assert!(number(&report, "p50_ms") <= number(&report, "p99_ms"));
    assert!(number(&report, "p99_ms") <= number(&report, "max_ms"));
    assert_eq!(number(&report, "rate"), 50.0);
    // The raw article, four hops, the article event and its quote and entity events.
    assert!(
        number(&report, "bus_messages_per_article") > 6.0,
        "{report:#}"
    );
    assert!(
        number(&report, "bus_bytes_per_article") > number(&report, "text_bytes_per_article"),
        "{report:#}"
    );

    let stages = report["stages"].as_object().expect("stages");
    let names: Vec<&str> = stages.keys().map(String::as_str).collect();
    assert_eq!(names, ["entities", "events", "ingest", "quotes", "segment"]);
    for (name, stage) in stages {
        assert!(number(stage, "settled_per_sec") > 0.0, "{name}: {stage}");
        assert!(number(stage, "cpu_ms_per_article") > 0.0, "{name}: {stage}");
        assert!(number(stage, "peak_rss_mb") > 0.0, "{name}: {stage}");
    }
    let entities = &stages["entities"];
    assert_eq!(entities["replicas"], 2);
    let shares: Vec<f64> = entities["replica_shares"]
        .as_array()
        .expect("shares")
        .iter()
        .map(|s| s.as_f64().unwrap())
        .collect();
    assert_eq!(shares.len(), 2);
    assert!(
        shares.iter().all(|s| *s > 0.0),
        "one replica did nothing: {shares:?}"
    );
    assert!(
        (shares.iter().sum::<f64>() - 1.0).abs() < 1e-6,
        "{shares:?}"
    );
}

#[test]
fn the_bench_refuses_a_stage_that_does_not_exist() {
    let out = std::process::Command::new(newsflow_bin())
        .args(["bench", "pipeline", "--replicas", "entitys=2"])
        .output()
        .expect("newsflow runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("entitys") && stderr.contains("entities"),
        "{stderr}"
    );
}
