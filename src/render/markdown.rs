//! Article bodies: Markdown to HTML with the extensions of SPEC §2 and the text rules of §6.

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd, html};

use super::raw_html;
use crate::util::escape::escape_html;
use crate::util::text::markdown_options;
use crate::util::url::{UrlUse, has_scheme, is_safe_url, is_site_absolute};

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
    /// Every link and image target of the body as written (`/politics/`, `chart.png`,
    /// `#usage`, `https://…`; e-mail autolinks as `mailto:…`), raw HTML `href`/`src` included.
    pub links: Vec<String>,
    /// The ids of the body's elements (headings, footnotes, raw HTML): what a `#fragment`
    /// may point to.
    pub ids: Vec<String>,
}

/// Renders a body: headings shifted so the highest is `<h2>` (the page's `<h1>` is the
/// title) with GitHub-style ids, site-absolute links under the base path, raw HTML kept or
/// escaped per `unsafe_html`.
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
    let mut events: Vec<Event<'_>> = Parser::new_ext(markdown, markdown_options()).collect();
    let mut links = Vec::new();
    let mut raw_html = false;
    assign_heading_ids(&mut events);
    if !unsafe_html {
        drop_unsafe_urls(&mut events);
    }
    for ev in &mut events {
        let is_image = matches!(ev, Event::Start(Tag::Image { .. }));
        match ev {
            // pulldown-cmark writes `mailto:` itself; the address is not a path.
            Event::Start(Tag::Link {
                link_type: LinkType::Email,
                dest_url,
                ..
            }) => links.push(format!("mailto:{dest_url}")),
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                if is_image && let Some(find) = pictures {
                    sets.push(find(dest_url));
                }
                links.push(dest_url.to_string());
                if let Some(new) = rewrite_url(dest_url, base) {
                    *dest_url = CowStr::from(new);
                }
            }
            // `{#id .class key=value}` after a heading: any other attribute than the id and
            // classes is raw HTML (`onerror=...`), which untrusted content may not write.
            Event::Start(Tag::Heading { attrs, .. }) if !unsafe_html => attrs.clear(),
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
    let mut ids = element_ids(&events);
    if raw_html {
        events = rewrite_raw_html(events, base, &mut links, &mut ids);
    }
    shift_headings(&mut events);
    if sets.iter().any(Option::is_some) {
        events = pictures_for_images(events, sets);
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    if raw_html && !raw_html::is_balanced(&out) {
        out = raw_html::balance(&out);
    }
    RenderedBody {
        html: out,
        links,
        ids,
    }
}

/// Rewrites the links of raw HTML like Markdown links (base path, absolute in feeds) and
/// collects its links and ids. The lines of one HTML block are joined first, so a tag that
/// spans lines is seen whole.
fn rewrite_raw_html<'a>(
    events: Vec<Event<'a>>,
    base: &LinkBase<'_>,
    links: &mut Vec<String>,
    ids: &mut Vec<String>,
) -> Vec<Event<'a>> {
    let mut out: Vec<Event<'a>> = Vec::with_capacity(events.len());
    for ev in events {
        match (out.last_mut(), ev) {
            (Some(Event::Html(prev)), Event::Html(raw)) => {
                *prev = CowStr::from(format!("{prev}{raw}"));
            }
            (_, ev) => out.push(ev),
        }
    }
    let rewrite = |url: &str| rewrite_url(url, base);
    for ev in &mut out {
        if let Event::Html(raw) | Event::InlineHtml(raw) = ev {
            let (html, refs) = raw_html::rewrite_links(raw, &rewrite);
            links.extend(refs.links);
            ids.extend(refs.ids);
            *raw = CowStr::from(html);
        }
    }
    out
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

#[cfg(test)]
mod url_tests {
    //! Script schemes in every spelling a browser accepts never reach `href` or `src`.
    use super::*;
    use crate::load::unsafe_urls::body_warnings;
    use std::path::Path;

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
            let warnings = body_warnings(md, Path::new("content/a.md"), 7);
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
        assert!(body_warnings(md, Path::new("a.md"), 1).is_empty());
    }

    #[test]
    fn trusted_content_keeps_every_url() {
        assert_eq!(
            urls("[x](javascript:alert(1))", true),
            ["javascript:alert(1)"]
        );
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

/// The ids Markdown gives elements: headings (after [`assign_heading_ids`]) and footnotes.
fn element_ids(events: &[Event<'_>]) -> Vec<String> {
    events
        .iter()
        .filter_map(|ev| match ev {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            Event::Start(Tag::FootnoteDefinition(name)) => Some(name.to_string()),
            _ => None,
        })
        .collect()
}

/// Shifts heading levels so the body's highest heading is `<h2>`, keeping the distance
/// between levels. Levels past 6 (a body using all six) become
/// `<div role="heading" aria-level="7">`, so they stay distinct from level 6.
fn shift_headings(events: &mut [Event<'_>]) {
    let Some(top) = events
        .iter()
        .filter_map(|ev| match ev {
            Event::Start(Tag::Heading { level, .. }) => Some(*level as usize),
            _ => None,
        })
        .min()
    else {
        return;
    };
    let shifted = |level: HeadingLevel| level as usize + 2 - top;
    for ev in events.iter_mut() {
        match ev {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let new = shifted(*level);
                match HeadingLevel::try_from(new) {
                    Ok(l) => *level = l,
                    Err(_) => *ev = Event::Html(deep_heading_open(new, id, classes, attrs).into()),
                }
            }
            Event::End(TagEnd::Heading(level)) => {
                let new = shifted(*level);
                match HeadingLevel::try_from(new) {
                    Ok(l) => *level = l,
                    Err(_) => *ev = Event::Html("</div>\n".into()),
                }
            }
            _ => {}
        }
    }
}

/// The open tag of a heading below level 6, with the heading's id, classes and attributes.
fn deep_heading_open(
    level: usize,
    id: &Option<CowStr<'_>>,
    classes: &[CowStr<'_>],
    attrs: &[(CowStr<'_>, Option<CowStr<'_>>)],
) -> String {
    let mut tag = format!("<div role=\"heading\" aria-level=\"{level}\"");
    if let Some(id) = id {
        tag.push_str(&format!(" id=\"{}\"", escape_html(id)));
    }
    if !classes.is_empty() {
        let joined: Vec<&str> = classes.iter().map(|c| c.as_ref()).collect();
        tag.push_str(&format!(" class=\"{}\"", escape_html(&joined.join(" "))));
    }
    for (name, value) in attrs {
        let value = value.as_deref().unwrap_or("");
        tag.push_str(&format!(
            " {}=\"{}\"",
            escape_html(name),
            escape_html(value)
        ));
    }
    tag.push('>');
    tag
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

/// Gives every heading without an explicit `{#id}` an id from its text by GitHub's rule,
/// unique in the body: a repeat gets `-1`, `-2`... Explicit ids are kept as written.
fn assign_heading_ids(events: &mut [Event<'_>]) {
    let mut used: std::collections::HashSet<String> = events
        .iter()
        .filter_map(|ev| match ev {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        })
        .collect();
    let mut repeats: std::collections::HashMap<String, usize> = Default::default();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let start = i;
            let mut text = String::new();
            i += 1;
            while i < events.len() && !matches!(events[i], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[i] {
                    text.push_str(t);
                }
                i += 1;
            }
            let mut wanted = github_id(&text);
            if wanted.is_empty() {
                wanted = "section".to_string();
            }
            let mut unique = wanted.clone();
            while used.contains(&unique) {
                let n = repeats.entry(wanted.clone()).or_insert(0);
                *n += 1;
                unique = format!("{wanted}-{n}");
            }
            used.insert(unique.clone());
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[start] {
                *id = Some(CowStr::from(unique));
            }
        }
        i += 1;
    }
}

/// GitHub's heading id (as github-slugger computes it): lower case, every character that is
/// not a letter, digit, mark, `-`, `_` or space dropped, each space turned into `-`.
pub fn github_id(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() || is_mark(c) => Some(c),
            _ => None,
        })
        .collect()
}

/// Combining marks (accents written as separate characters), which GitHub keeps.
fn is_mark(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
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
        assert_eq!(r.links, ["/politics/", "x.png", "https://e.org/"]);
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
    fn untrusted_heading_attributes_keep_only_id_and_classes() {
        let md = "# Title {#own .wide onerror=alert(1) data-x=y}\n\n###### Deep {onload=x}";
        let base = LinkBase {
            root: "/",
            page: None,
        };
        let html = render_body(md, &base, false).html;
        assert!(html.contains("id=\"own\""), "{html}");
        assert!(html.contains("class=\"wide\""), "{html}");
        for attr in ["onerror", "data-x", "onload"] {
            assert!(!html.contains(attr), "{attr} kept: {html}");
        }
        assert!(render_body(md, &base, true).html.contains("data-x"));
    }

    #[test]
    fn raw_html_can_be_disabled() {
        let r = render_body("<script>x</script>\n\nhi <b>b</b>", &BASE, false);
        assert!(!r.html.contains("<script>"));
        assert!(r.html.contains("&lt;b&gt;"));
        let r = render_body("<aside>x</aside>", &BASE, true);
        assert!(r.html.contains("<aside>"));
    }

    /// Headings and the ids GitHub gives them (as its README anchors show).
    #[test]
    fn heading_ids_follow_github() {
        let table = [
            ("Building Node.js", "building-nodejs"),
            ("Hello, World!", "hello-world"),
            ("What's new?", "whats-new"),
            ("C++ & Rust", "c--rust"),
            ("🎉 Release 1.0 🎉", "-release-10-"),
            ("Māori language", "māori-language"),
            ("Über Straße", "über-straße"),
            ("日本語の見出し", "日本語の見出し"),
            ("Use `cargo build`", "use-cargo-build"),
            ("[Docs](https://x.org) link", "docs-link"),
            ("snake_case and kebab-case", "snake_case-and-kebab-case"),
            ("100% done", "100-done"),
            ("Q&A", "qa"),
            ("Usage", "usage"),
            ("Usage", "usage-1"),
            ("Usage", "usage-2"),
            ("Custom {#own-id}", "own-id"),
            ("Install <small>(beta)</small>", "install-beta"),
            ("🎉🎉", "section"),
        ];
        let md: String = table.iter().map(|(h, _)| format!("## {h}\n\n")).collect();
        let r = render_body(&md, &BASE, true);
        let doc = scraper::Html::parse_fragment(&r.html);
        let h2 = scraper::Selector::parse("h2").unwrap();
        let ids: Vec<&str> = doc.select(&h2).filter_map(|h| h.value().id()).collect();
        let want: Vec<&str> = table.iter().map(|(_, id)| *id).collect();
        assert_eq!(ids, want);
        assert_eq!(r.ids, want, "the link checker sees the same ids");
    }

    #[test]
    fn headings_shift_so_the_highest_is_h2_and_levels_stay_distinct() {
        let levels = |md: &str| -> Vec<String> {
            let r = render_body(md, &BASE, false);
            let doc = scraper::Html::parse_fragment(&r.html);
            let any = scraper::Selector::parse("h1, h2, h3, h4, h5, h6, [role=heading]").unwrap();
            doc.select(&any)
                .map(|e| match e.value().attr("aria-level") {
                    Some(l) => format!("aria{l}#{}", e.value().id().unwrap_or("")),
                    None => e.value().name().to_string(),
                })
                .collect()
        };
        assert_eq!(levels("## A\n\n### B\n\n## C"), ["h2", "h3", "h2"]);
        assert_eq!(levels("# A\n\n## B"), ["h2", "h3"]);
        assert_eq!(levels("#### Only\n\n###### Deep"), ["h2", "h4"]);
        assert_eq!(
            levels("# 1\n## 2\n### 3\n#### 4\n##### 5\n###### 6 {#six .x}"),
            ["h2", "h3", "h4", "h5", "h6", "aria7#six"]
        );
        let deep = render_body("# a\n###### b {.x data-k=v}", &BASE, true).html;
        assert!(
            deep.contains(
                "<div role=\"heading\" aria-level=\"7\" id=\"b\" class=\"x\" data-k=\"v\">b</div>"
            ),
            "{deep}"
        );
    }

    /// Valid raw HTML comes out exactly as written (no `<tbody>` added, the first newline of
    /// `<pre>` and `<textarea>` kept, processing instructions and CDATA not turned into
    /// comments, a DOCTYPE kept).
    #[test]
    fn valid_raw_html_is_left_as_written() {
        let fragments = [
            "<table><tr><td>a</td></tr></table>",
            "<pre>\n\nfirst line blank</pre>",
            "<textarea>\n\nkept</textarea>",
            "<!-- a comment <div> -->",
            "<my-widget data-x=\"1\">\n<span>custom</span>\n</my-widget>",
            "<?php echo \"hi\"; ?>",
            "<![CDATA[ x < y ]]>",
            "<!DOCTYPE html>",
            "<ul><li>one<li>two</ul>",
            "<svg viewBox=\"0 0 1 1\"><circle r=\"1\"/></svg>",
        ];
        for raw in fragments {
            let md = format!("Before.\n\n{raw}\n\nAfter.");
            let html = render_body(&md, &BASE, true).html;
            assert!(html.contains(raw), "{raw} became {html}");
        }
    }

    #[test]
    fn broken_raw_html_is_closed_inside_the_article() {
        let page = |body: &str| {
            scraper::Html::parse_document(&format!(
                "<main><div class=body>{body}</div><footer>f</footer></main>"
            ))
        };
        let inside = scraper::Selector::parse(".body footer").unwrap();
        let after = scraper::Selector::parse(".body > p").unwrap();
        for raw in [
            "<div>open",
            "<b><i>x</b></i>",
            "<table><tr><td>x",
            "<section>\n\n<span>s",
        ] {
            let html = render_body(&format!("{raw}\n\nlast para"), &BASE, true).html;
            let doc = page(&html);
            assert_eq!(doc.select(&inside).count(), 0, "{raw}: {html}");
        }
        // A stray end tag would close the article's own wrapper: it is dropped.
        let html = render_body("</div>\n\nlast para", &BASE, true).html;
        assert!(!html.contains("</div>"), "{html}");
        assert_eq!(page(&html).select(&after).count(), 1, "{html}");
    }

    #[test]
    fn raw_html_links_honour_the_base_path_and_are_recorded() {
        let r = render_body(
            "<p><a href=\"/politics/\">p</a> <img src=\"pic.png\" id=\"pic\"></p>\n\nx <a href='/a/' id=i>a</a>",
            &BASE,
            true,
        );
        assert!(r.html.contains("href=\"/news/politics/\""), "{}", r.html);
        assert!(r.html.contains("src=\"pic.png\""), "{}", r.html);
        assert!(r.html.contains("/news/a/"), "{}", r.html);
        assert_eq!(r.links, ["/politics/", "pic.png", "/a/"]);
        assert_eq!(r.ids, ["pic", "i"]);
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
        let mut next = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15);
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
            let _ = crate::util::text::first_paragraph_text(&text);
            let _ = crate::util::text::plain_text(&text);
            let _ = crate::slug::slugify(&text);
        }
    }
}
