//! W3C `traceparent` values. Ingest starts a trace for an article that arrives without one;
//! every later hop carries the header unchanged.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn random_u64() -> u64 {
    // RandomState is seeded from the OS per process; mixing a counter in makes each call distinct.
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    hasher.finish()
}

/// A new sampled `traceparent`: `00-<32 hex trace id>-<16 hex span id>-01`.
pub fn new_traceparent() -> String {
    format!(
        "00-{:016x}{:016x}-{:016x}-01",
        random_u64(),
        random_u64(),
        random_u64() | 1
    )
}

/// The trace id of a `traceparent`, when it is well formed.
pub(crate) fn trace_id(traceparent: &str) -> Option<&str> {
    let mut parts = traceparent.split('-');
    let (_version, trace, _span) = (parts.next()?, parts.next()?, parts.next()?);
    (trace.len() == 32 && trace.bytes().all(|b| b.is_ascii_hexdigit())).then_some(trace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_traceparents_are_well_formed_and_distinct() {
        let (a, b) = (new_traceparent(), new_traceparent());
        assert_ne!(a, b);
        assert_eq!(a.len(), 55);
        assert!(trace_id(&a).is_some());
    }

    #[test]
    fn malformed_traceparent_has_no_trace_id() {
        assert_eq!(trace_id("garbage"), None);
    }
}
