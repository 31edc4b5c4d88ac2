//! Any text: sentences and paragraphs are in order, inside the text, on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let seg = newsflow_segment::segment_text(text);
    let mut last = 0;
    for s in &seg.sentences {
        assert!(s.start <= s.end && s.end <= text.len(), "{s:?}");
        assert!(
            text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
            "{s:?}"
        );
        assert!(s.start >= last, "sentences out of order: {s:?}");
        assert!(s.paragraph < seg.paragraphs.len().max(1), "{s:?}");
        last = s.end;
    }
    for p in &seg.paragraphs {
        assert!(p.start <= p.end && p.end <= text.len(), "{p:?}");
    }
});
