//! Article bodies with raw HTML, rendered trusted and untrusted, plus the parse-time scan
//! (unsafe URLs, word count): never a panic, untrusted output never holds a `<script`
//! element, and the scan counts the words of the body's plain text.
use std::path::Path;

use newsgen::load::unsafe_urls::scan_body;
use newsgen::render::markdown::{LinkBase, render_body};
use newsgen::util::text::plain_text;

fn main() {
    let base = LinkBase {
        root: "/news",
        page: Some("https://e.org/news/a/"),
    };
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let _ = render_body(text, &base, true);
        let untrusted = render_body(text, &base, false);
        let doc = scraper::Html::parse_fragment(&untrusted.html);
        let script = scraper::Selector::parse("script, [onerror], [onload]").unwrap();
        assert!(doc.select(&script).next().is_none(), "{}", untrusted.html);
        let scan = scan_body(text, Path::new("content/a.md"), 4);
        assert_eq!(scan.words, plain_text(text).split_whitespace().count());
    });
}
