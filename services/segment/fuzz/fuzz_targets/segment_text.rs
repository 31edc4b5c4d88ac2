//! Fuzz target: `segment_text` never panics and always tiles its input (see
//! `newsflow_segment::verify`). Bytes that are not UTF-8 are decoded lossily first, so every
//! input exercises the segmenter.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let seg = newsflow_segment::segment_text(&text);
    if let Err(broken) = newsflow_segment::verify(&text, &seg) {
        panic!("invalid segmentation: {broken}");
    }
});
