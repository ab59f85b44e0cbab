//! The search tokenizer and stemmer over any text: never a panic, never an empty key.
fn main() {
    let english = newsgen::generators::search::text::Analyzer::for_language("en");
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        newsgen::generators::search::text::keys(text, |k| assert!(!k.is_empty()));
        newsgen::generators::search::text::keys_and_stop_words(text, |k| assert!(!k.is_empty()));
        let _ = english.stems(text);
    });
}
