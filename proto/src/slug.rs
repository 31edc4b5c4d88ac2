//! Slugs: lower-case ASCII names safe as one NATS subject token, e.g. `antony-j-blinken`.

/// The slug of `name`: Latin letters with accents lose them (`é` → `e`, `ß` → `ss`), ASCII
/// letters are lower-cased, digits kept, apostrophes dropped, and every other run of characters
/// becomes one `-`; no leading or trailing `-`. A name with no Latin letters or digits gives
/// `x-` followed by the hex of its first characters' code points, so it is never empty.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars() {
        if matches!(c, '\'' | '\u{2019}' | '\u{2018}') {
            continue;
        }
        let folded = fold(c);
        if folded.is_empty() {
            dash = true;
            continue;
        }
        if dash && !out.is_empty() {
            out.push('-');
        }
        dash = false;
        out.push_str(folded);
    }
    if out.is_empty() {
        out.push_str("x-");
        for c in name.chars().filter(|c| !c.is_whitespace()).take(8) {
            out.push_str(&format!("{:x}", u32::from(c)));
        }
    }
    out
}

fn fold(c: char) -> &'static str {
    const LOWER: [&str; 36] = [
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r",
        "s", "t", "u", "v", "w", "x", "y", "z", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
    ];
    match c {
        'a'..='z' => LOWER[(c as u8 - b'a') as usize],
        'A'..='Z' => LOWER[(c as u8 - b'A') as usize],
        '0'..='9' => LOWER[26 + (c as u8 - b'0') as usize],
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å'
        | 'Ā' | 'Ă' | 'Ą' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => "c",
        'ď' | 'đ' | 'Ď' | 'Đ' | 'ð' | 'Ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę'
        | 'Ě' => "e",
        'ğ' | 'Ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Į' | 'İ' => {
            "i"
        }
        'ł' | 'ľ' | 'Ł' | 'Ľ' => "l",
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō'
        | 'Ő' => "o",
        'œ' | 'Œ' => "oe",
        'ř' | 'Ř' => "r",
        'ś' | 'š' | 'ş' | 'Ś' | 'Š' | 'Ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'Ť' | 'Ţ' => "t",
        'þ' | 'Þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű'
        | 'Ų' => "u",
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slug_is_lower_case_ascii_with_dashes() {
        assert_eq!(slug("Antony J. Blinken"), "antony-j-blinken");
        assert_eq!(slug("Cho Tae-yul"), "cho-tae-yul");
        assert_eq!(
            slug("Democratic People's Republic of Korea"),
            "democratic-peoples-republic-of-korea"
        );
        assert_eq!(slug("  U.S. "), "u-s");
    }

    #[test]
    fn slug_folds_accents_and_never_is_empty() {
        assert_eq!(
            slug("Volodymyr Zelenskyy — Kyiv"),
            "volodymyr-zelenskyy-kyiv"
        );
        assert_eq!(slug("François Hollande"), "francois-hollande");
        assert_eq!(slug("Straße"), "strasse");
        assert_eq!(slug("北京"), "x-53174eac");
        assert!(!slug("…").is_empty());
    }
}
