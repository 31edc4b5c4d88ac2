//! Any text through segmentation, entities and quotes: every mention and quote span lies inside
//! the text on character boundaries, and every mention's group exists.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let inside = |start: usize, end: usize| {
        start <= end
            && end <= text.len()
            && text.is_char_boundary(start)
            && text.is_char_boundary(end)
    };
    let seg = newsflow_segment::segment_text(text);
    let entities = newsflow_entities::recognise(text, &seg);
    for m in &entities.mentions {
        assert!(inside(m.start, m.end), "{m:?}");
        assert!(m.group < entities.groups.len(), "{m:?}");
    }
    for q in newsflow_quotes::find_quotes(text, &seg, &entities) {
        for span in q.content.iter().chain(q.source.iter()).chain(q.cue.iter()) {
            assert!(inside(span.start, span.end), "{q:?}");
        }
        if let Some(e) = q.speaker_entity {
            assert!(e < entities.groups.len(), "{q:?}");
        }
    }
});
