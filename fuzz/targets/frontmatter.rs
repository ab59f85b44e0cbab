//! A whole article file (front matter and body) as bytes: parsing never panics.
use std::path::Path;

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let tz = chrono_tz::Pacific::Auckland;
        let _ = newsgen::load::frontmatter::parse_article(data, Path::new("content/a.md"), tz);
    });
}
