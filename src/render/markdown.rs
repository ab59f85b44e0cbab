//! Article bodies: Markdown to HTML with the extensions of SPEC §2 and the text rules of §6.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

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
    render_body_with_images(markdown, base, unsafe_html, None)
}

/// The responsive set of a body image, from its URL as written (`chart.png`, `/img/x.jpg`).
pub type BodyPictures<'a> = &'a (dyn Fn(&str) -> Option<crate::images::view::SetView> + Sync);

/// [`render_body`], with images that `pictures` knows written as `<picture>` with every
/// size, `width`/`height` and lazy loading.
pub fn render_body_with_images(
    markdown: &str,
    base: &LinkBase<'_>,
    unsafe_html: bool,
    pictures: Option<BodyPictures<'_>>,
) -> RenderedBody {
    let mut sets = Vec::new();
    let mut events: Vec<Event<'_>> = Parser::new_ext(markdown, options()).collect();
    let mut internal_links = Vec::new();
    let mut relative_links = Vec::new();
    let mut raw_html = false;
    assign_heading_ids(&mut events);
    for ev in &mut events {
        let is_image = matches!(ev, Event::Start(Tag::Image { .. }));
        match ev {
            Event::Start(Tag::Heading { level, .. }) => *level = shift(*level),
            Event::End(TagEnd::Heading(level)) => *level = shift(*level),
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                if is_image && let Some(find) = pictures {
                    sets.push(find(dest_url));
                }
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
    if sets.iter().any(Option::is_some) {
        events = pictures_for_images(events, sets);
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

/// Replaces each image that has a set (`sets`, one per image in order) with its `<picture>`.
fn pictures_for_images<'a>(
    events: Vec<Event<'a>>,
    sets: Vec<Option<crate::images::view::SetView>>,
) -> Vec<Event<'a>> {
    let mut sets = sets.into_iter();
    let mut out = Vec::with_capacity(events.len());
    // The image being replaced: its set, alt text, title, and depth of images inside its alt.
    let mut open: Option<(crate::images::view::SetView, String, String, usize)> = None;
    for ev in events {
        if let Some((set, alt, title, depth)) = &mut open {
            match ev {
                Event::End(TagEnd::Image) if *depth == 0 => {
                    let html = crate::images::view::body_html(set, alt, title);
                    out.push(Event::InlineHtml(CowStr::from(html)));
                    open = None;
                }
                Event::End(TagEnd::Image) => *depth -= 1,
                Event::Start(Tag::Image { .. }) => {
                    sets.next();
                    *depth += 1;
                }
                Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                _ => {}
            }
            continue;
        }
        if let Event::Start(Tag::Image { title, .. }) = &ev
            && let Some(set) = sets.next().expect("one entry per image of the body")
        {
            open = Some((set, String::new(), title.to_string(), 0));
            continue;
        }
        out.push(ev);
    }
    out
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
