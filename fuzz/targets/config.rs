//! site.toml text: parsing and validation never panic; every diagnostic names the file.
use std::path::Path;

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let result = newsgen::load::config::Config::parse(text, Path::new("site.toml"));
        let diags = match &result {
            Ok((_, warnings)) => warnings,
            Err(errors) => errors,
        };
        assert!(diags.iter().all(|d| d.path == "site.toml"));
    });
}
