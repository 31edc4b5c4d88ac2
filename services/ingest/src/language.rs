//! Language detection for articles whose feeder did not say.

/// ISO 639-1 code of the text's language (ISO 639-3 where 639-1 has none); `und` when the
/// text is too short or mixed to tell.
pub(crate) fn detect(text: &str) -> String {
    let sample: String = text.chars().take(4000).collect();
    let Some(info) = whatlang::detect(&sample).filter(whatlang::Info::is_reliable) else {
        return "und".to_owned();
    };
    let code = info.lang().code();
    iso_639_1(code).unwrap_or(code).to_owned()
}

/// The ISO 639-1 code of an ISO 639-3 one, for the languages the detector knows.
pub(crate) fn iso_639_1(code: &str) -> Option<&'static str> {
    Some(match code {
        "eng" => "en",
        "fra" => "fr",
        "deu" => "de",
        "spa" => "es",
        "por" => "pt",
        "ita" => "it",
        "nld" => "nl",
        "rus" => "ru",
        "ukr" => "uk",
        "pol" => "pl",
        "ces" => "cs",
        "swe" => "sv",
        "dan" => "da",
        "nob" => "nb",
        "fin" => "fi",
        "tur" => "tr",
        "ara" => "ar",
        "heb" => "he",
        "hin" => "hi",
        "cmn" => "zh",
        "jpn" => "ja",
        "kor" => "ko",
        "ell" => "el",
        "ron" => "ro",
        "hun" => "hu",
        "ind" => "id",
        "vie" => "vi",
        _ => return None,
    })
}
