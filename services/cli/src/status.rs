//! `newsflow status`: a row per stage (read by `newsflow_runtime::status`) — backlog, in
//! flight, redelivered, what its work stream holds and how much of it is stuck (out of
//! deliveries), settled, dead letters, and the recent rate — as a table for people.

use newsflow_runtime::status::StageStatus;

/// The table, for people.
pub fn render(rows: &[StageStatus]) -> String {
    let mut out = format!(
        "{:<10} {:>9} {:>11} {:>11} {:>9} {:>9} {:>9} {:>12} {:>9}\n",
        "STAGE",
        "PENDING",
        "ACK-PENDING",
        "REDELIVERED",
        "IN-STREAM",
        "STUCK",
        "SETTLED",
        "DEAD-LETTERS",
        "RATE/S"
    );
    for row in rows {
        if row.consumer {
            out.push_str(&format!(
                "{:<10} {:>9} {:>11} {:>11} {:>9} {:>9} {:>9} {:>12} {:>9.1}\n",
                row.stage,
                row.pending,
                row.ack_pending,
                row.redelivered,
                row.in_stream,
                row.stuck,
                row.settled,
                row.dead_letters,
                row.rate_per_sec
            ));
        } else {
            out.push_str(&format!(
                "{:<10} {:>9} (never started; no consumer yet) {:>12}\n",
                row.stage, "-", row.dead_letters
            ));
        }
    }
    out
}
