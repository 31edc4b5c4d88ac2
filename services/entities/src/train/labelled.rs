//! Labelled text as the learning code takes it: documents of sentences of words, each word with
//! its gold tag ([`crate::tags`]). Files are read elsewhere (the lab reads CoNLL-2003).

/// One labelled document: sentences of words, each with its gold BILOU tag.
#[derive(Debug, Clone, Default)]
pub struct LabelledDoc<'a> {
    /// Sentences in order; each word with its gold tag.
    pub sentences: Vec<Vec<(&'a str, u8)>>,
}

impl<'a> LabelledDoc<'a> {
    /// The words, sentence by sentence.
    pub fn words(&self) -> Vec<Vec<&'a str>> {
        self.sentences
            .iter()
            .map(|s| s.iter().map(|w| w.0).collect())
            .collect()
    }

    /// Gold tags, flat.
    pub fn gold(&self) -> Vec<u8> {
        self.sentences.iter().flatten().map(|w| w.1).collect()
    }
}
