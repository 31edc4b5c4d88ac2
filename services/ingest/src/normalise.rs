//! Text normalisation: what every offset downstream points into.

use unicode_normalization::UnicodeNormalization;

/// Normalises an article body: NFC; `\r\n` and `\r` to `\n`; tabs, no-break and other spaces to
/// a plain space; control and zero-width characters removed; runs of spaces collapsed; lines
/// trimmed. Paragraphs: when the text has blank lines, they separate paragraphs and single line
/// breaks inside a paragraph become spaces (hard-wrapped text); otherwise every line is a
/// paragraph. Paragraphs are joined by one blank line.
pub fn normalise_text(text: &str) -> String {
    let nfc: String = text.nfc().collect();
    let unified = nfc.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<String> = unified.split('\n').map(normalise_line).collect();
    let first = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let last = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    let has_blank_line = first < last && lines[first..last].iter().any(String::is_empty);
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in lines {
        if line.is_empty() || !has_blank_line {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
            if !line.is_empty() {
                paragraphs.push(line);
            }
            continue;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&line);
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs.join("\n\n")
}

/// Normalises one line: spaces unified and collapsed, invisible characters dropped, trimmed.
pub(crate) fn normalise_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut pending_space = false;
    for c in line.chars() {
        if c.is_whitespace() {
            pending_space = true;
        } else if c.is_control()
            || matches!(
                c,
                '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
            )
        {
            continue;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_paragraph_per_line_when_there_are_no_blank_lines() {
        assert_eq!(normalise_text("One.\nTwo.\n"), "One.\n\nTwo.");
    }

    #[test]
    fn decomposed_accents_are_composed() {
        assert_eq!(
            normalise_text("Cafe\u{301} \u{2014} \u{201C}ok\u{201D} \u{1F600}"),
            "Caf\u{e9} \u{2014} \u{201C}ok\u{201D} \u{1F600}"
        );
    }

    #[test]
    fn invisible_characters_and_odd_spaces_go() {
        assert_eq!(
            normalise_line("a\u{00A0}\u{00A0}b\u{200B}c\tdx\u{7}"),
            "a bc dx"
        );
    }
}
