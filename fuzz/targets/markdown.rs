//! Article bodies with raw HTML, rendered trusted and untrusted, plus the unsafe-URL scan:
//! never a panic, and untrusted output never holds a `<script` element.
use std::path::Path;

use newsgen::load::unsafe_urls::body_warnings;
use newsgen::render::markdown::{LinkBase, render_body};

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
        let _ = body_warnings(text, Path::new("content/a.md"), 4);
    });
}
