//! `newsflow dead-letters`: the messages the stages gave up on, with why (read by
//! `newsflow_runtime::dead_letters`), as a table for people or JSON Lines for scripts; and, once
//! the cause is fixed, `--replay` puts them back where they came from.

use newsflow_runtime::dead_letters::Stored;

/// Longest reason shown in the table; `--json` has the whole of it.
const REASON_CHARS: usize = 100;

/// The table, for people.
pub fn render(letters: &[Stored]) -> String {
    if letters.is_empty() {
        return "No dead letters.\n".to_owned();
    }
    let mut out = format!(
        "{:>6}  {:<9} {:<20} {:<24} {:>4}  {}\n",
        "SEQ", "STAGE", "FAILED AT", "ARTICLE", "DLV", "REASON"
    );
    for Stored { sequence, letter } in letters {
        let mut reason: String = letter.reason.chars().take(REASON_CHARS).collect();
        if letter.reason.chars().count() > REASON_CHARS {
            reason.push('…');
        }
        out.push_str(&format!(
            "{sequence:>6}  {:<9} {:<20} {:<24} {:>4}  {reason}\n",
            letter.stage,
            letter.failed_at,
            letter.article_id.as_deref().unwrap_or("-"),
            letter.delivery_count,
        ));
    }
    out.push_str(&format!(
        "{} dead letter(s). `--json` prints them whole (payload included); after fixing the cause, \
         `--replay SEQ` or `--replay-all` puts them back on their subjects.\n",
        letters.len()
    ));
    out
}

/// One JSON object per letter: its sequence and the `dead_letter.v1` fields.
pub fn json_lines(letters: &[Stored]) -> anyhow::Result<String> {
    let mut out = String::new();
    for Stored { sequence, letter } in letters {
        let mut value = serde_json::to_value(letter)?;
        value["sequence"] = (*sequence).into();
        out.push_str(&serde_json::to_string(&value)?);
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsflow_proto::{DeadLetter, ErrorType, PayloadEncoding};

    fn stored(reason: &str) -> Stored {
        Stored {
            sequence: 7,
            letter: DeadLetter {
                stage: "events".to_owned(),
                reason: reason.to_owned(),
                error_type: ErrorType::MaxDeliveries,
                subject: "newsflow.articles.quotes".to_owned(),
                delivery_count: 3,
                stream_sequence: 42,
                article_id: Some("kursk".to_owned()),
                headers: Default::default(),
                payload: "{}".to_owned(),
                payload_encoding: PayloadEncoding::Utf8,
                payload_truncated: None,
                failed_at: "2026-12-01T10:00:00Z".to_owned(),
            },
        }
    }

    #[test]
    fn the_table_shows_each_letter_on_one_line_with_a_shortened_reason() {
        let table = render(&[stored(&"x".repeat(300))]);
        let row = table.lines().nth(1).unwrap();
        assert!(row.starts_with("     7  events"), "{row}");
        assert!(
            row.contains("kursk") && row.contains("2026-12-01T10:00:00Z"),
            "{row}"
        );
        assert!(
            row.ends_with(&format!("{}…", "x".repeat(REASON_CHARS))),
            "{row}"
        );
        assert!(table.contains("--replay SEQ"), "{table}");
    }

    #[test]
    fn json_lines_keep_the_whole_letter_and_its_sequence() {
        let line = json_lines(&[stored("why")]).unwrap();
        let value: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        assert_eq!(value["sequence"], 7);
        assert_eq!(value["reason"], "why");
        assert_eq!(value["payload"], "{}");
    }
}
