//! `newsflow status`: a row per stage (read by `newsflow_runtime::status`) — backlog, in
//! flight, redelivered, what its work stream holds and how much of it is stuck (out of
//! deliveries), settled, dead letters, and the recent rate — as a table for people.

use newsflow_runtime::status::StageStatus;

/// The table, for people, and below it the newest dead letter's reason of each stage that has
/// some.
pub fn render(rows: &[StageStatus]) -> String {
    let mut out = format!(
        "{:<9} {:>6} {:>8} {:>11} {:>11} {:>9} {:>6} {:>9} {:>8} {:>9} {:>9} {:>6} {:>12}\n",
        "STAGE",
        "COPIES",
        "PENDING",
        "ACK-PENDING",
        "REDELIVERED",
        "IN-STREAM",
        "STUCK",
        "SETTLED",
        "RATE/S",
        "P50",
        "P99",
        "DUPS",
        "DEAD-LETTERS"
    );
    let ms = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}ms"));
    for row in rows {
        if row.consumer {
            out.push_str(&format!(
                "{:<9} {:>6} {:>8} {:>11} {:>11} {:>9} {:>6} {:>9} {:>8.1} {:>9} {:>9} {:>6} {:>12}\n",
                row.stage,
                row.copies,
                row.pending,
                row.ack_pending,
                row.redelivered,
                row.in_stream,
                row.stuck,
                row.settled,
                row.rate_per_sec,
                ms(row.p50_ms),
                ms(row.p99_ms),
                row.duplicates,
                row.dead_letters,
            ));
        } else {
            out.push_str(&format!(
                "{:<9} {:>6} (never started; no consumer yet) {:>12}\n",
                row.stage, row.copies, row.dead_letters
            ));
        }
    }
    for row in rows {
        if let Some(reason) = &row.newest_dead_letter {
            let short: String = reason.chars().take(160).collect();
            out.push_str(&format!("{}: newest dead letter: {short}\n", row.stage));
        }
    }
    out
}

/// What to say when a stage has never run on this bus (no consumer on its input): then the
/// chain cannot be whole, and `status` exits with this.
pub fn never_started(rows: &[StageStatus]) -> Option<String> {
    let missing: Vec<&str> = rows
        .iter()
        .filter(|r| !r.consumer)
        .map(|r| r.stage.as_str())
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "no consumer for {}: never started on this bus (`newsflow run <stage>` for each, or `newsflow up`)",
            missing.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(stage: &str, consumer: bool) -> StageStatus {
        StageStatus {
            stage: stage.to_owned(),
            consumer,
            pending: 3,
            ack_pending: 1,
            redelivered: 0,
            settled: 40,
            in_stream: 4,
            stuck: 0,
            dead_letters: 0,
            rate_per_sec: 12.5,
            copies: 2,
            p50_ms: Some(1.3),
            p99_ms: Some(9.5),
            duplicates: 7,
            newest_dead_letter: None,
        }
    }

    #[test]
    fn the_table_shows_copies_times_duplicates_and_the_newest_dead_letter() {
        let mut ingest = row("ingest", true);
        ingest.dead_letters = 1;
        ingest.newest_dead_letter = Some("article body is empty".to_owned());
        let table = render(&[ingest, row("segment", false)]);
        let ingest_line = table.lines().nth(1).unwrap();
        for figure in ["ingest", " 2 ", "1.3ms", "9.5ms", " 7 ", "12.5"] {
            assert!(
                ingest_line.contains(figure),
                "{figure:?} in {ingest_line:?}"
            );
        }
        assert!(table.contains("segment") && table.contains("never started"));
        assert!(table.contains("ingest: newest dead letter: article body is empty"));
    }

    #[test]
    fn a_stage_without_a_consumer_is_named() {
        assert_eq!(never_started(&[row("ingest", true)]), None);
        let said = never_started(&[row("ingest", false), row("quotes", false)]).unwrap();
        assert!(said.starts_with("no consumer for ingest, quotes"), "{said}");
    }
}
