//! BRAT standoff as PolNeAR writes it: `T` lines (`Source`, `Cue`, `Content`, `Attribution`)
//! with code-point offsets, discontinuous spans as `start end;start end`, and one `E` line per
//! attribution. Converts between code-point offsets and our UTF-8 byte offsets.

use newsflow_proto::{Quote, Span};
use std::collections::HashMap;
use std::fmt::Write as _;

/// One gold attribution, in code-point offsets.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Attribution {
    pub content: Vec<(usize, usize)>,
    pub source: Vec<(usize, usize)>,
    pub cue: Vec<(usize, usize)>,
}

/// Parses the attributions (events with a `Content`) of a BRAT `.ann` file. Lines that are
/// neither `T` nor `E` lines (continuations of span text with a newline) are skipped.
pub(crate) fn parse(ann: &str) -> Vec<Attribution> {
    let mut spans: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    let mut events: Vec<&str> = Vec::new();
    for line in ann.lines() {
        let mut fields = line.splitn(3, '\t');
        let (Some(id), Some(body)) = (fields.next(), fields.next()) else {
            continue;
        };
        if id.starts_with('T') && id[1..].chars().all(|c| c.is_ascii_digit()) {
            let Some((_, offsets)) = body.split_once(' ') else {
                continue;
            };
            let parsed: Option<Vec<(usize, usize)>> = offsets
                .split(';')
                .map(|p| {
                    let mut it = p.split_whitespace().map(str::parse::<usize>);
                    match (it.next(), it.next()) {
                        (Some(Ok(a)), Some(Ok(b))) => Some((a, b)),
                        _ => None,
                    }
                })
                .collect();
            if let Some(p) = parsed {
                spans.insert(id, p);
            }
        } else if id.starts_with('E') {
            events.push(body);
        }
    }
    let mut out = Vec::new();
    for body in events {
        let mut content = None;
        let mut source = Vec::new();
        let mut cue = Vec::new();
        for arg in body.split_whitespace() {
            let Some((role, id)) = arg.split_once(':') else {
                continue;
            };
            match role {
                "Content" => content = spans.get(id).cloned(),
                "Source" => source = spans.get(id).cloned().unwrap_or_default(),
                "Cue" => cue = spans.get(id).cloned().unwrap_or_default(),
                _ => {}
            }
        }
        if let Some(content) = content {
            out.push(Attribution {
                content,
                source,
                cue,
            });
        }
    }
    out
}

/// Byte offset ↔ code-point offset conversion for one text.
pub(crate) struct Offsets {
    /// Byte offset of each code point, plus the text length at the end.
    char_to_byte: Vec<usize>,
}

impl Offsets {
    pub(crate) fn new(text: &str) -> Self {
        let mut char_to_byte: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        char_to_byte.push(text.len());
        Self { char_to_byte }
    }

    /// The code-point offset of a byte offset (rounded down to a char start).
    pub(crate) fn char_of(&self, byte: usize) -> usize {
        match self.char_to_byte.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// The byte offset of a code-point offset (clamped to the text).
    pub(crate) fn byte_of(&self, ch: usize) -> usize {
        self.char_to_byte[ch.min(self.char_to_byte.len() - 1)]
    }

    /// A byte span as code-point offsets.
    pub(crate) fn span_chars(&self, s: Span) -> (usize, usize) {
        (self.char_of(s.start), self.char_of(s.end))
    }

    /// A code-point span as a byte span.
    pub(crate) fn span_bytes(&self, (start, end): (usize, usize)) -> Span {
        Span::new(self.byte_of(start), self.byte_of(end))
    }
}

fn clean(s: &str) -> String {
    s.replace(['\n', '\r', '\t'], " ")
}

/// Writes quotes as a BRAT `.ann` in PolNeAR's own format.
pub(crate) fn write(text: &str, quotes: &[Quote]) -> String {
    let off = Offsets::new(text);
    let mut out = String::new();
    let mut t = 0;
    let mut line = |label: &str, spans: &[Span], out: &mut String| -> String {
        t += 1;
        let offsets: Vec<String> = spans
            .iter()
            .map(|s| {
                let (a, b) = off.span_chars(*s);
                format!("{a} {b}")
            })
            .collect();
        let texts: Vec<&str> = spans.iter().filter_map(|s| s.get(text)).collect();
        let _ = writeln!(
            out,
            "T{t}\t{label} {}\t{}",
            offsets.join(";"),
            clean(&texts.join(" "))
        );
        format!("T{t}")
    };
    for (e, q) in quotes.iter().enumerate() {
        if q.content.is_empty() {
            continue;
        }
        let source = q.source.map(|s| line("Source", &[s], &mut out));
        let cue = q.cue.map(|c| line("Cue", &[c], &mut out));
        let content = line("Content", &q.content, &mut out);
        let trigger_label = if source.is_some() {
            "Attribution"
        } else {
            "Attribution-no-source"
        };
        let trigger = line(trigger_label, &[q.cue.unwrap_or(q.content[0])], &mut out);
        let mut ev = format!("E{}\t{trigger_label}:{trigger} Content:{content}", e + 1);
        if let Some(c) = cue {
            let _ = write!(ev, " Cue:{c}");
        }
        if let Some(s) = source {
            let _ = write!(ev, " Source:{s}");
        }
        out.push_str(&ev);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsflow_proto::QuoteKind;

    #[test]
    fn offsets_convert_between_bytes_and_code_points_on_non_ascii_text() {
        let off = Offsets::new("“Né” a");
        assert_eq!(off.char_of(3), 1); // after “
        assert_eq!(off.byte_of(3), 6); // the ”
        assert_eq!(off.char_of(10), 5);
        assert_eq!(off.char_of(7), 3); // inside ” rounds down
    }

    #[test]
    fn parse_reads_discontinuous_content_and_skips_continuation_lines() {
        let ann = "T1\tSource 0 2\tHe\nT2\tContent 3 5;7 9\tab\ncd\nT3\tCue 5 6\ts\nE1\tAttribution:T3 Content:T2 Cue:T3 Source:T1\n";
        let a = parse(ann);
        assert_eq!(
            a,
            vec![Attribution {
                content: vec![(3, 5), (7, 9)],
                source: vec![(0, 2)],
                cue: vec![(5, 6)],
            }]
        );
    }

    #[test]
    fn written_ann_parses_back_to_the_same_attributions() {
        let text = "“Oui,” dit-il. “Non.”";
        let q = Quote {
            kind: QuoteKind::Direct,
            content: vec![Span::new(3, 7), Span::new(22, 26)],
            text: String::new(),
            source: None,
            cue: Some(Span::new(11, 14)),
            speaker_entity: None,
            speaker: None,
            confidence: 1.0,
        };
        let ann = write(text, &[q]);
        assert!(ann.contains("Attribution-no-source"));
        assert_eq!(
            parse(&ann),
            vec![Attribution {
                content: vec![(1, 5), (16, 20)],
                source: vec![],
                cue: vec![(7, 10)],
            }]
        );
    }
}
