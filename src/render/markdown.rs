//! Article bodies: Markdown to HTML with the extensions of SPEC §2 and the text rules of §6.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

use std::path::Path;

use rayon::prelude::*;

use crate::error::Diagnostic;
use crate::slug::slugify;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// How links and images in a body are rewritten.
#[derive(Debug, Clone)]
pub struct LinkBase<'a> {
    /// Put before site-absolute links (`/politics/` → `/news/politics/`): the base path
    /// without its trailing `/`, or the full origin + path for feeds.
    pub root: &'a str,
    /// When set, relative links are made absolute against this page URL (for feeds).
    pub page: Option<&'a str>,
}

/// Body HTML plus what the link checker needs.
#[derive(Debug, Clone, Default)]
pub struct RenderedBody {
    pub html: String,
    /// Site-absolute link and image targets as written (`/politics/`), for the link checker.
    pub internal_links: Vec<String>,
    /// Relative link and image targets as written (`chart.png`), for the link checker.
    pub relative_links: Vec<String>,
}

/// Renders a body: headings shifted down one level (the page's `<h1>` is the title) with ids,
/// site-absolute links under the base path, raw HTML kept or escaped per `unsafe_html`.
pub fn render_body(markdown: &str, base: &LinkBase<'_>, unsafe_html: bool) -> RenderedBody {
    let mut events: Vec<Event<'_>> = Parser::new_ext(markdown, options()).collect();
    let mut internal_links = Vec::new();
    let mut relative_links = Vec::new();
    let mut raw_html = false;
    assign_heading_ids(&mut events);
    if !unsafe_html {
        drop_unsafe_urls(&mut events);
    }
    for ev in &mut events {
        match ev {
            Event::Start(Tag::Heading { level, .. }) => *level = shift(*level),
            Event::End(TagEnd::Heading(level)) => *level = shift(*level),
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                if is_site_absolute(dest_url) {
                    internal_links.push(dest_url.to_string());
                } else if !dest_url.is_empty()
                    && !dest_url.starts_with('#')
                    && !dest_url.starts_with("//")
                    && !has_scheme(dest_url)
                {
                    relative_links.push(dest_url.to_string());
                }
                if let Some(new) = rewrite_url(dest_url, base) {
                    *dest_url = CowStr::from(new);
                }
            }
            Event::Html(raw) | Event::InlineHtml(raw) => {
                if unsafe_html {
                    raw_html = true;
                } else {
                    *ev = Event::Text(raw.clone());
                }
            }
            _ => {}
        }
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    if raw_html {
        out = balance_html(&out);
    }
    RenderedBody {
        html: out,
        internal_links,
        relative_links,
    }
}

/// With `unsafe_html = false` (content nobody vetted), removes links and images whose URL a
/// browser could run as script or that leave the safe schemes ([`is_safe_url`]): the link
/// text or image alt text stays, as plain text.
fn drop_unsafe_urls(events: &mut [Event<'_>]) {
    // One entry per open link or image: whether its start was dropped.
    let mut open: Vec<bool> = Vec::new();
    for ev in events.iter_mut() {
        let drop = match ev {
            Event::Start(Tag::Link { dest_url, .. }) => {
                open.push(!is_safe_url(dest_url, UrlUse::Link));
                open[open.len() - 1]
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                open.push(!is_safe_url(dest_url, UrlUse::Image));
                open[open.len() - 1]
            }
            Event::End(TagEnd::Link | TagEnd::Image) => open
                .pop()
                .expect("pulldown-cmark closes every link and image it opens"),
            _ => false,
        };
        if drop {
            *ev = Event::Text(CowStr::Borrowed(""));
        }
    }
}

/// Where a URL is written: an image's `src` may also be a `data:` raster image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UrlUse {
    Link,
    Image,
}

/// Whether `url` may reach an `href` or `src` of unvetted content: http, https, mailto, tel,
/// relative, site-absolute and fragment URLs, and for images `data:` of a raster type.
/// Browsers ignore leading and trailing spaces and control characters and every tab and line
/// break, and schemes are case-insensitive, so the scheme is read the same way. Anything with
/// a colon before the first `/`, `?` or `#` is a scheme (or not a plain relative URL) and must
/// be one of the list.
fn is_safe_url(url: &str, use_: UrlUse) -> bool {
    let url: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let head = url.split(['/', '?', '#']).next().unwrap_or("");
    if !head.contains(':') {
        return true;
    }
    let (scheme, rest) = url
        .split_once(':')
        .expect("the URL's first segment holds a colon");
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" | "mailto" | "tel" => true,
        "data" => use_ == UrlUse::Image && is_raster_data(rest),
        _ => false,
    }
}

/// Media types of `data:` images that cannot carry script (not SVG).
const RASTER_TYPES: [&str; 6] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/bmp",
];

/// Whether the part of a `data:` URL after the colon starts with a raster image type.
fn is_raster_data(after_colon: &str) -> bool {
    let media = after_colon
        .split([';', ','])
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    RASTER_TYPES.contains(&media.as_str())
}

/// What the warnings about dropped URLs say is allowed.
const SAFE_SCHEMES: &str = "with unsafe_html = false only http, https, mailto, tel and \
                            relative URLs (and data: for raster images) are written";

/// The warnings for links and images [`drop_unsafe_urls`] will remove from `markdown`, a
/// body starting at file line `first_line` of `path`. Only called with `unsafe_html = false`.
pub fn unsafe_url_warnings(markdown: &str, path: &Path, first_line: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (ev, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        let (kind, url, use_) = match &ev {
            Event::Start(Tag::Link { dest_url, .. }) => ("link", dest_url, UrlUse::Link),
            Event::Start(Tag::Image { dest_url, .. }) => ("image", dest_url, UrlUse::Image),
            _ => continue,
        };
        if is_safe_url(url, use_) {
            continue;
        }
        let line = first_line + markdown[..range.start].matches('\n').count();
        let shown: String = url.chars().take(60).collect();
        out.push(Diagnostic::warning(
            path,
            Some(line),
            format!("{kind} to {shown:?} dropped: {SAFE_SCHEMES}"),
        ));
    }
    out
}

/// For `unsafe_html = false`: the warnings of [`unsafe_url_warnings`] for every body, and
/// the front matter URLs that templates write into `href` and `src` (`source_url`, `image`),
/// which are dropped here with a warning when unsafe.
pub fn drop_unsafe_urls_all(articles: &mut [crate::model::LoadedArticle]) -> Vec<Diagnostic> {
    articles
        .par_iter_mut()
        .flat_map_iter(|a| {
            let path = &a.source.path;
            let mut out = unsafe_url_warnings(&a.file.body, path, a.file.body_line);
            let front = &mut a.file.front;
            for (key, value, use_) in [
                ("source_url", &mut front.source_url, UrlUse::Link),
                ("image", &mut front.image, UrlUse::Image),
            ] {
                if let Some(url) = value.take_if(|u| !is_safe_url(u, use_)) {
                    let shown: String = url.chars().take(60).collect();
                    out.push(Diagnostic::warning(
                        path,
                        front.key_lines.get(key).copied(),
                        format!("`{key}` {shown:?} dropped: {SAFE_SCHEMES}"),
                    ));
                }
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod url_tests {
    //! Script schemes in every spelling a browser accepts never reach `href` or `src`.
    use super::*;

    const BASE: LinkBase<'static> = LinkBase {
        root: "",
        page: None,
    };

    /// Every `href` and `src` of the rendered body, read back with an HTML parser.
    fn urls(markdown: &str, unsafe_html: bool) -> Vec<String> {
        let html = render_body(markdown, &BASE, unsafe_html).html;
        let doc = scraper::Html::parse_fragment(&html);
        let sel = scraper::Selector::parse("[href], [src]").expect("a valid selector");
        doc.select(&sel)
            .flat_map(|e| [e.value().attr("href"), e.value().attr("src")])
            .flatten()
            .map(str::to_string)
            .collect()
    }

    const HOSTILE: [&str; 16] = [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](< javascript:alert(1)>)",
        "[x](<\u{1}\u{1f}javascript:alert(1)>)",
        "[x](<java\tscript:alert(1)>)",
        "[x](javascript&colon;alert(1))",
        "[x](javascript&#58;alert(1))",
        "[x](javascript&#x3A;alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](data:image/png;base64,AAAA)",
        "![x](data:image/svg+xml;base64,PHN2Zz4=)",
        "![x](javascript:alert(1))",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "[x](file:///etc/passwd)",
    ];

    #[test]
    fn script_and_unknown_schemes_are_dropped() {
        for md in HOSTILE {
            assert_eq!(urls(md, false), Vec::<String>::new(), "{md:?}");
            let warnings = unsafe_url_warnings(md, Path::new("content/a.md"), 7);
            assert_eq!(warnings.len(), 1, "{md:?}");
            assert_eq!(warnings[0].line, Some(7), "{md:?}");
        }
        // The link text stays, as text.
        let html = render_body("[click me](javascript:x)", &BASE, false).html;
        assert_eq!(html, "<p>click me</p>\n");
    }

    #[test]
    fn safe_schemes_are_kept() {
        let md = "[a](https://e.org/) [b](HTTP://E.ORG) [c](mailto:a@e.org) [d](tel:+6421) \
                  [e](/politics/) [f](chart.png) [g](#top) [h](//cdn.e.org/x) [i](?q=a:b) \
                  ![j](data:image/png;base64,AAAA) ![k](dir/a:b.png)";
        assert_eq!(
            urls(md, false),
            [
                "https://e.org/",
                "HTTP://E.ORG",
                "mailto:a@e.org",
                "tel:+6421",
                "/politics/",
                "chart.png",
                "#top",
                "//cdn.e.org/x",
                "?q=a:b",
                "data:image/png;base64,AAAA",
                "dir/a:b.png",
            ]
        );
        assert!(unsafe_url_warnings(md, Path::new("a.md"), 1).is_empty());
    }

    #[test]
    fn trusted_content_keeps_every_url() {
        assert_eq!(
            urls("[x](javascript:alert(1))", true),
            ["javascript:alert(1)"]
        );
    }

    #[test]
    fn warnings_name_the_line_of_the_link() {
        let md = "Intro.\n\nMore [ok](/a/).\n\nThen [bad](javascript:x) here.\n";
        let w = unsafe_url_warnings(md, Path::new("content/a.md"), 5);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].line, Some(9));
        assert!(
            w[0].message.contains("\"javascript:x\""),
            "{}",
            w[0].message
        );
    }
}

/// Raw HTML from many hands leaves tags open (`<div>` without `</div>`), which would swallow
/// the rest of the page into the article. Parsing the body as an HTML fragment, the way a
/// browser would, and writing it back closes every element inside the body.
fn balance_html(html: &str) -> String {
    let fragment = scraper::Html::parse_fragment(html);
    fragment.root_element().inner_html()
}

fn shift(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        HeadingLevel::H5 | HeadingLevel::H6 => HeadingLevel::H6,
    }
}

fn is_site_absolute(url: &str) -> bool {
    url.starts_with('/') && !url.starts_with("//")
}

fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(i) => {
            let scheme = &url[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !url[..i].contains('/')
        }
        None => false,
    }
}

fn rewrite_url(url: &str, base: &LinkBase<'_>) -> Option<String> {
    if is_site_absolute(url) {
        return Some(format!("{}{}", base.root, url));
    }
    let page = base.page?;
    if url.starts_with("//") || has_scheme(url) {
        return None;
    }
    Some(format!("{page}{url}"))
}

/// Gives every heading without an explicit `{#id}` an id from its text, unique in the body.
fn assign_heading_ids(events: &mut [Event<'_>]) {
    let mut used: Vec<String> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id, .. }) = &events[i] {
            let start = i;
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j] {
                    text.push_str(t);
                }
                j += 1;
            }
            let wanted = match id {
                Some(explicit) => explicit.to_string(),
                None => {
                    let s = slugify(&text);
                    if s.is_empty() {
                        "section".to_string()
                    } else {
                        s
                    }
                }
            };
            let mut unique = wanted.clone();
            let mut n = 1;
            while used.contains(&unique) {
                unique = format!("{wanted}-{n}");
                n += 1;
            }
            used.push(unique.clone());
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[start] {
                *id = Some(CowStr::from(unique));
            }
            i = j;
        }
        i += 1;
    }
}

/// The first paragraph of a body as plain text: the default summary (SPEC §6).
pub fn first_paragraph_text(markdown: &str) -> String {
    let mut out = String::new();
    let mut in_para = false;
    for ev in Parser::new_ext(markdown, options()) {
        match ev {
            Event::Start(Tag::Paragraph) => in_para = true,
            Event::End(TagEnd::Paragraph) if in_para => break,
            Event::Text(t) | Event::Code(t) if in_para => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak if in_para => out.push(' '),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// The whole body as plain text, for search and word counts.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for ev in Parser::new_ext(markdown, options()) {
        match ev {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => out.push('\n'),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: LinkBase<'static> = LinkBase {
        root: "/news",
        page: None,
    };

    #[test]
    fn headings_shift_and_get_ids() {
        let r = render_body("# Top\n\n## Sub\n\n## Sub\n\n### C {#own}\n", &BASE, true);
        assert!(r.html.contains("<h2 id=\"top\">Top</h2>"), "{}", r.html);
        assert!(r.html.contains("<h3 id=\"sub\">Sub</h3>"));
        assert!(r.html.contains("<h3 id=\"sub-1\">Sub</h3>"));
        assert!(r.html.contains("<h4 id=\"own\">C</h4>"));
    }

    #[test]
    fn extensions_are_on() {
        let md = "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ \"quoted\"\n\n- [x] done\n\nNote[^1]\n\n[^1]: foot\n";
        let r = render_body(md, &BASE, true);
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>old</del>"));
        assert!(r.html.contains('\u{201c}'));
        assert!(r.html.contains("checkbox"));
        assert!(r.html.contains("footnote"));
    }

    #[test]
    fn links_honour_the_base_path() {
        let r = render_body(
            "[a](/politics/) [b](x.png) [c](https://e.org/)",
            &BASE,
            true,
        );
        assert!(r.html.contains("href=\"/news/politics/\""));
        assert!(r.html.contains("href=\"x.png\""));
        assert_eq!(r.internal_links, vec!["/politics/"]);
        let feed = LinkBase {
            root: "https://e.org/news",
            page: Some("https://e.org/news/a/"),
        };
        let r = render_body("[a](/p/) ![b](x.png) [c](https://o.org/)", &feed, true);
        assert!(r.html.contains("href=\"https://e.org/news/p/\""));
        assert!(r.html.contains("src=\"https://e.org/news/a/x.png\""));
        assert!(r.html.contains("href=\"https://o.org/\""));
    }

    #[test]
    fn unclosed_raw_html_is_closed_inside_the_body() {
        let r = render_body(
            "<div class=\"box\">\n\nOpen *box*\n\n<table><tr><td>x",
            &BASE,
            true,
        );
        let doc =
            scraper::Html::parse_fragment(&format!("<main>{}</main><footer>f</footer>", r.html));
        let footer = scraper::Selector::parse("main footer").unwrap();
        assert_eq!(doc.select(&footer).count(), 0, "{}", r.html);
        assert!(r.html.ends_with("</div>"), "{}", r.html);
        // Bodies without raw HTML are left exactly as pulldown-cmark wrote them.
        let plain = render_body("A \"quote\" & <b>", &BASE, false);
        assert_eq!(plain.html, "<p>A “quote” &amp; &lt;b&gt;</p>\n");
    }

    #[test]
    fn raw_html_can_be_disabled() {
        let r = render_body("<script>x</script>\n\nhi <b>b</b>", &BASE, false);
        assert!(!r.html.contains("<script>"));
        assert!(r.html.contains("&lt;b&gt;"));
        let r = render_body("<aside>x</aside>", &BASE, true);
        assert!(r.html.contains("<aside>"));
    }

    #[test]
    fn summaries() {
        assert_eq!(
            first_paragraph_text("## Head\n\nFirst *para*\nline two.\n\nSecond."),
            "First para line two."
        );
        assert_eq!(first_paragraph_text(""), "");
    }
}

#[cfg(test)]
mod garbage {
    //! Hostile Markdown never panics, with or without raw HTML.
    use super::*;

    const PIECES: &[&str] = &[
        "# ", "## ", "\n", "\n\n", "[", "]", "(", ")", "![", "/", "../", "http://x", "//x", "#",
        "{#id}", "`", "```", "|", "---", "- [ ] ", "~~", "[^1]", "[^1]: ", "<script>", "</div>",
        "<!--", "&amp;", "Māori", "🦀", "%", "%2e%2e", "\u{0}", "> ", "* ", "1. ", "    ", "\t",
        "\\", "*", "_", "<", ">", "\"", "'",
    ];

    #[test]
    fn random_bodies_never_panic() {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let bases = [
            LinkBase {
                root: "/news",
                page: None,
            },
            LinkBase {
                root: "https://e.org/news",
                page: Some("https://e.org/news/a/"),
            },
        ];
        for i in 0..3000 {
            let n = (next() % 60) as usize;
            let mut text = String::new();
            for _ in 0..n {
                text.push_str(PIECES[(next() as usize) % PIECES.len()]);
            }
            let body = render_body(&text, &bases[i % 2], i % 3 != 0);
            assert!(i % 3 != 0 || !body.html.contains("<script>"));
            let _ = first_paragraph_text(&text);
            let _ = plain_text(&text);
            let _ = crate::slug::slugify(&text);
        }
    }
}
