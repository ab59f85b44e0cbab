//! Text analysis for search: words → folded keys → stems.
//!
//! The browser script (themes/default/static/search.js) runs the same pipeline on queries, so
//! every step here is chosen to be reproducible in plain JavaScript: UAX #29 words
//! (`unicode-segmentation` here, `Intl.Segmenter` there), NFKD with combining marks removed and
//! lower case (so "Māori" and "Maori" meet), apostrophes dropped, the word split at anything
//! that is not a letter or digit, a short stop-word list, then the Snowball English stemmer
//! (`rust-stemmers` here, a port checked against it word for word by tests/search.rs).

use std::borrow::Cow;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_segmentation::UnicodeSegmentation;

/// Words too common to help find anything, left out of the index and of queries. This is the
/// classic Lucene English list; the browser gets it from the index's meta.json.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// Longer pieces are URLs, hashes or garbage, not words anyone types.
pub const MAX_WORD_CHARS: usize = 40;

const APOSTROPHES: [char; 4] = ['\'', '\u{2019}', '\u{2018}', '\u{02bc}'];

/// Folds case and diacritics: NFKD, combining marks removed, lower case.
pub fn fold(word: &str) -> Cow<'_, str> {
    if word.is_ascii() {
        if word.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(word.to_ascii_lowercase())
        } else {
            Cow::Borrowed(word)
        }
    } else {
        let stripped: String = word.nfkd().filter(|c| !is_combining_mark(*c)).collect();
        Cow::Owned(stripped.to_lowercase())
    }
}

/// Whether `c` belongs inside an index key (a letter or a digit of any script).
fn is_key_char(c: char) -> bool {
    c.is_alphabetic() || c.is_numeric()
}

/// The index keys (folded, unstemmed) of one UAX #29 word: "Māori's" → `maori`,
/// "1,000" → `1`, `000`; single ASCII letters ("U.S." → `u`, `s`) and stop words are dropped.
pub fn word_keys(word: &str, mut f: impl FnMut(&str)) {
    let folded = fold(word);
    let mut w: &str = &folded;
    // Possessive: drop a final apostrophe + s.
    for a in APOSTROPHES {
        if let Some(rest) = w.strip_suffix('s').and_then(|r| r.strip_suffix(a)) {
            w = rest;
            break;
        }
    }
    let joined: Cow<'_, str> = if w.contains(APOSTROPHES) {
        Cow::Owned(w.chars().filter(|c| !APOSTROPHES.contains(c)).collect())
    } else {
        Cow::Borrowed(w)
    };
    for piece in joined.split(|c: char| !is_key_char(c)) {
        if piece.is_empty() {
            continue;
        }
        let mut chars = piece.chars();
        let first = chars.next();
        let single = chars.next().is_none();
        if single && first.is_some_and(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        if piece.chars().count() > MAX_WORD_CHARS || STOP_WORDS.contains(&piece) {
            continue;
        }
        f(piece);
    }
}

/// Folded keys of every word of `text`, in order (stop words and noise left out).
pub fn keys(text: &str, mut f: impl FnMut(&str)) {
    for word in text.unicode_words() {
        word_keys(word, &mut f);
    }
}

/// Stemming for the site's language: Snowball English for `en*`, none otherwise (the browser
/// has only the English stemmer; other languages still get folding and prefix search).
pub struct Analyzer {
    stemmer: Option<Stemmer>,
}

impl Analyzer {
    /// The analyzer for a site language tag (`en`, `en-NZ`, `mi`...).
    pub fn for_language(language: &str) -> Analyzer {
        let lang = language.to_ascii_lowercase();
        let english = lang == "en" || lang.starts_with("en-") || lang.starts_with("en_");
        Analyzer {
            stemmer: english.then(|| Stemmer::create(Algorithm::English)),
        }
    }

    /// The stemmer's name as written into meta.json (`english` or `none`).
    pub fn stemmer_name(&self) -> &'static str {
        if self.stemmer.is_some() {
            "english"
        } else {
            "none"
        }
    }

    /// The stem of a folded key.
    pub fn stem<'a>(&self, key: &'a str) -> Cow<'a, str> {
        match &self.stemmer {
            Some(s) => s.stem(key),
            None => Cow::Borrowed(key),
        }
    }

    /// Stems of every word of `text`, in order: what the index stores and queries look up.
    pub fn stems(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        keys(text, |k| out.push(self.stem(k).into_owned()));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en(text: &str) -> Vec<String> {
        Analyzer::for_language("en-NZ").stems(text)
    }

    fn folded(text: &str) -> Vec<String> {
        let mut v = Vec::new();
        keys(text, |k| v.push(k.to_string()));
        v
    }

    #[test]
    fn diacritics_and_case_fold_both_ways() {
        assert_eq!(folded("Māori"), folded("MAORI"));
        assert_eq!(folded("Māori"), vec!["maori"]);
        assert_eq!(folded("Crème Brûlée"), vec!["creme", "brulee"]);
        // Compatibility forms fold too: the "ﬁ" ligature and full-width letters.
        assert_eq!(folded("ﬁnance ＡＢＣ"), vec!["finance", "abc"]);
    }

    #[test]
    fn stems_meet_across_inflections() {
        assert_eq!(en("elections"), en("election"));
        assert_eq!(en("Councillors voted"), en("councillor vote"));
        assert_eq!(en("running"), vec!["run"]);
        assert_eq!(en("cities"), en("city"));
        assert_ne!(en("election"), en("electricity"));
    }

    #[test]
    fn apostrophes_and_possessives() {
        assert_eq!(en("Māori's"), vec!["maori"]);
        assert_eq!(en("Harbour’s"), en("harbour"));
        assert_eq!(folded("O'Brien"), vec!["obrien"]);
        assert_eq!(folded("don't"), vec!["dont"]);
    }

    #[test]
    fn stop_words_single_letters_and_noise_are_dropped() {
        assert_eq!(folded("The state of the nation"), vec!["state", "nation"]);
        assert_eq!(folded("U.S. and 5 others"), vec!["5", "others"]);
        assert_eq!(folded("1,000 people"), vec!["1", "000", "people"]);
        let long = "x".repeat(MAX_WORD_CHARS + 1);
        assert!(folded(&long).is_empty());
        assert!(folded("— … !!").is_empty());
    }

    #[test]
    fn non_english_sites_fold_but_do_not_stem() {
        let a = Analyzer::for_language("mi");
        assert_eq!(a.stemmer_name(), "none");
        assert_eq!(a.stems("Elections Māori"), vec!["elections", "maori"]);
        assert_eq!(Analyzer::for_language("EN").stemmer_name(), "english");
    }
}
