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

/// Whether `key` is one of [`STOP_WORDS`] (kept sorted for the binary search).
pub fn is_stop_word(key: &str) -> bool {
    key.len() <= 5 && STOP_WORDS.binary_search(&key).is_ok()
}

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
    word_keys_with(word, true, &mut f);
}

/// [`word_keys`], keeping stop words unless `drop_stop_words`.
fn word_keys_with(word: &str, drop_stop_words: bool, mut f: impl FnMut(&str)) {
    let stop = |k: &str| drop_stop_words && is_stop_word(k);
    // Fast path, most words of English text: ASCII letters and digits only, used as they are
    // when in lower case already, else lower-cased on the stack (no allocation).
    if word.bytes().all(|b| b.is_ascii_alphanumeric()) {
        if word.len() > MAX_WORD_CHARS {
            return;
        }
        let mut buf = [0u8; MAX_WORD_CHARS];
        let key = if word.bytes().any(|b| b.is_ascii_uppercase()) {
            let lower = &mut buf[..word.len()];
            lower.copy_from_slice(word.as_bytes());
            lower.make_ascii_lowercase();
            let Ok(key) = std::str::from_utf8(lower) else {
                return;
            };
            key
        } else {
            word
        };
        if (key.len() > 1 || key.bytes().all(|b| b.is_ascii_digit())) && !stop(key) {
            f(key);
        }
        return;
    }
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
        if piece.chars().count() > MAX_WORD_CHARS || stop(piece) {
            continue;
        }
        f(piece);
    }
}

/// Folded keys of every word of `text`, in order (stop words and noise left out).
pub fn keys(text: &str, f: impl FnMut(&str)) {
    keys_with(text, true, f);
}

/// [`keys`] with stop words kept: for the indexer, which drops them through its key cache.
pub fn keys_and_stop_words(text: &str, f: impl FnMut(&str)) {
    keys_with(text, false, f);
}

fn keys_with(text: &str, drop_stop_words: bool, mut f: impl FnMut(&str)) {
    // UAX #29 never joins across white space, so each run between spaces can be segmented on
    // its own: ASCII runs (most of English text) by the fast path, others by the full rules.
    for run in text.split_ascii_whitespace() {
        if run.is_ascii() {
            ascii_words(run, |w| word_keys_with(w, drop_stop_words, &mut f));
        } else {
            for word in run.unicode_words() {
                word_keys_with(word, drop_stop_words, &mut f);
            }
        }
    }
}

/// `unicode_words` for ASCII text without white space: UAX #29's rules restricted to ASCII
/// (letters, digits and `_` join; `:` `.` `'` join letters, `,` `;` `.` `'` join digits).
fn ascii_words(run: &str, mut f: impl FnMut(&str)) {
    let b = run.as_bytes();
    let word_byte = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < b.len() {
        if !word_byte(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        loop {
            if i < b.len() && word_byte(b[i]) {
                i += 1;
                continue;
            }
            if i + 1 < b.len() {
                let (prev, mid, next) = (b[i - 1], b[i], b[i + 1]);
                let letters = prev.is_ascii_alphabetic()
                    && next.is_ascii_alphabetic()
                    && matches!(mid, b':' | b'.' | b'\'');
                let digits = prev.is_ascii_digit()
                    && next.is_ascii_digit()
                    && matches!(mid, b',' | b';' | b'.' | b'\'');
                if letters || digits {
                    i += 2;
                    continue;
                }
            }
            break;
        }
        let word = &run[start..i];
        if word.bytes().any(|c| c.is_ascii_alphanumeric()) {
            f(word);
        }
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
    fn ascii_fast_path_segments_like_unicode_words() {
        let samples = [
            "Hello, world! It's 3.5 o'clock: a.b.c vs a:b, 1,000,000 and 1;2 x_y _z_ a_.b",
            "U.S. e-mail (test) [x] {y} 'quoted' \"dq\" end. 9-6 $480m 18.7% 2,5 a.5 5.a",
            "don't.  ..a.. a''b a'.b 1.'2 __ _1_ x:y:z 3:4 a,b 7'8 #tag @user http://e.org/x?y=1",
        ];
        for s in samples {
            let mut fast = Vec::new();
            for run in s.split_ascii_whitespace() {
                ascii_words(run, |w| fast.push(w.to_string()));
            }
            let slow: Vec<String> = s.unicode_words().map(str::to_string).collect();
            assert_eq!(fast, slow, "{s}");
        }
        // And on every article of the example site.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/content");
        for e in walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
        {
            if e.path().extension().is_some_and(|x| x == "md") {
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                let mut fast = Vec::new();
                keys(&text, |k| fast.push(k.to_string()));
                let mut slow = Vec::new();
                for w in text.unicode_words() {
                    word_keys(w, |k| slow.push(k.to_string()));
                }
                assert_eq!(fast, slow, "{}", e.path().display());
            }
        }
    }

    #[test]
    fn stop_word_list_is_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP_WORDS.iter().all(|w| is_stop_word(w)));
        assert!(!is_stop_word("thee") && !is_stop_word("with2"));
    }

    #[test]
    fn non_english_sites_fold_but_do_not_stem() {
        let a = Analyzer::for_language("mi");
        assert_eq!(a.stemmer_name(), "none");
        assert_eq!(a.stems("Elections Māori"), vec!["elections", "maori"]);
        assert_eq!(Analyzer::for_language("EN").stemmer_name(), "english");
    }
}
