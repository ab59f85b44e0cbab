//! The warnings of `unsafe_html = false` (content nobody vetted) about URLs it drops: links
//! and images of a body (which `render::markdown` leaves out of the HTML) and the front matter
//! URLs templates write into `href` and `src` (dropped here).
//!
//! A body's warnings are found when its file is parsed ([`super::frontmatter::parse_article`]),
//! while its text is in memory, and kept with the parse in the parse cache
//! (`ArticleFile::unsafe_url_warnings`): a rebuild reads no cached body back to scan it. The
//! same pass counts the body's words ([`scan_body`]).

use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag};
use rayon::prelude::*;

use super::LoadedArticle;
use crate::error::Diagnostic;
use crate::util::text::{WordCounter, markdown_options};
use crate::util::url::{UrlUse, is_safe_url};

/// What the warnings about dropped URLs say is allowed.
const SAFE_SCHEMES: &str = "with unsafe_html = false only http, https, mailto, tel and \
                            relative URLs (and data: for raster images) are written";

/// A dropped URL as a warning shows it: its first 60 characters, quoted.
fn shown(url: &str) -> String {
    format!("{:?}", url.chars().take(60).collect::<String>())
}

/// What one pass over a body's Markdown finds when its file is parsed.
pub struct BodyScan {
    /// The warnings for the links and images `unsafe_html = false` removes.
    pub warnings: Vec<Diagnostic>,
    /// The words of the body's plain text (the article page's `word_count`).
    pub words: usize,
}

/// Scans `markdown`, a body starting at file line `first_line` of `path`, once: the warnings
/// for the links and images `unsafe_html = false` removes from it, and its words.
pub fn scan_body(markdown: &str, path: &Path, first_line: usize) -> BodyScan {
    let mut warnings = Vec::new();
    let mut words = WordCounter::default();
    for (ev, range) in Parser::new_ext(markdown, markdown_options()).into_offset_iter() {
        words.event(&ev);
        let (kind, url, use_) = match &ev {
            Event::Start(Tag::Link { dest_url, .. }) => ("link", dest_url, UrlUse::Link),
            Event::Start(Tag::Image { dest_url, .. }) => ("image", dest_url, UrlUse::Image),
            _ => continue,
        };
        if is_safe_url(url, use_) {
            continue;
        }
        let line = first_line + markdown[..range.start].matches('\n').count();
        warnings.push(Diagnostic::warning(
            path,
            Some(line),
            format!("{kind} to {} dropped: {SAFE_SCHEMES}", shown(url)),
        ));
    }
    BodyScan {
        warnings,
        words: words.words(),
    }
}

/// The warnings of [`scan_body`] alone.
#[cfg(test)]
pub fn body_warnings(markdown: &str, path: &Path, first_line: usize) -> Vec<Diagnostic> {
    scan_body(markdown, path, first_line).warnings
}

/// For `unsafe_html = false`: the body warnings found at parse time for every article (no
/// body is read), and the front matter URLs that templates write into `href` and `src`
/// (`source_url`, `image`), which are dropped here with a warning when unsafe.
pub fn drop_unsafe_urls_all(articles: &mut [LoadedArticle]) -> Vec<Diagnostic> {
    articles
        .par_iter_mut()
        .flat_map_iter(|a| {
            let path = &a.source.path;
            let mut out = a.file.unsafe_url_warnings.clone();
            let front = &mut a.file.front;
            for (key, value, use_) in [
                ("source_url", &mut front.source_url, UrlUse::Link),
                ("image", &mut front.image, UrlUse::Image),
            ] {
                if let Some(url) = value.take_if(|u| !is_safe_url(u, use_)) {
                    out.push(Diagnostic::warning(
                        path,
                        front.key_lines.get(key),
                        format!("`{key}` {} dropped: {SAFE_SCHEMES}", shown(&url)),
                    ));
                }
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_name_the_line_of_the_link() {
        let md = "Intro.\n\nMore [ok](/a/).\n\nThen [bad](javascript:x) here.\n";
        let w = body_warnings(md, Path::new("content/a.md"), 5);
        let shown: Vec<String> = w.iter().map(ToString::to_string).collect();
        let want =
            format!("content/a.md:9: warning: link to \"javascript:x\" dropped: {SAFE_SCHEMES}");
        assert_eq!(shown, [want]);
    }
}
