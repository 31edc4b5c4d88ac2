//! Any bytes on `newsflow.articles.raw`: ingest accepts them or says why, never panics, and what
//! it accepts has text and a well-formed id.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsflow_ingest::{Limits, content_hash, ingest};

fuzz_target!(|data: &[u8]| {
    if let Ok(article) = ingest(data, Limits::default(), "2024-11-01T00:00:00Z") {
        assert!(!article.text.is_empty());
        assert!(!article.article_id.as_str().is_empty());
        assert_eq!(content_hash(&article).len(), 64);
    }
});
