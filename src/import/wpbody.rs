//! A WordPress post body → Markdown: block-editor comments removed, shortcodes handled,
//! WordPress's paragraph rules applied to classic content, then HTML converted to Markdown
//! where Markdown can say it and kept as HTML where it cannot.

use std::collections::BTreeSet;

/// Shortcodes turned into HTML here; every other one is kept as text and reported.
const CONVERTED: &[&str] = &["caption", "wp_caption", "gallery", "embed"];

/// Elements that start a block in WordPress's paragraph rules (`wpautop`).
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "iframe",
    "li",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "audio",
    "video",
    "!--",
    "style",
    "script",
];

/// Attributes that only matter with WordPress's own stylesheets and scripts; dropping them
/// lets plain images, headings and paragraphs become Markdown.
const PRESENTATION_ATTRS: &[&str] = &[
    "class",
    "srcset",
    "sizes",
    "width",
    "height",
    "loading",
    "decoding",
    "fetchpriority",
    "data-id",
    "data-align",
    "rel",
    "target",
];

/// Whether the body was written with the block editor.
pub fn has_blocks(html: &str) -> bool {
    html.contains("<!-- wp:")
}

/// Removes `<!-- wp:name {...} -->` and `<!-- /wp:name -->` markers, keeping their content.
pub fn strip_block_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<!--") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 4..];
        let inner = after.trim_start();
        if inner.starts_with("wp:") || inner.starts_with("/wp:") {
            match after.find("-->") {
                Some(end) => rest = &after[end + 3..],
                None => return out,
            }
        } else {
            out.push_str("<!--");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// A shortcode found in a body: `[name attrs]` with its content up to `[/name]`, if closed.
#[derive(Debug, PartialEq)]
pub struct Shortcode<'a> {
    pub name: &'a str,
    pub attrs: &'a str,
    pub content: Option<&'a str>,
    /// Byte range of the whole shortcode in the text.
    pub span: std::ops::Range<usize>,
}

/// The next shortcode at or after `from`, if any.
pub fn next_shortcode(text: &str, from: usize) -> Option<Shortcode<'_>> {
    let mut at = from;
    while let Some(rel) = text[at..].find('[') {
        let start = at + rel;
        let rest = &text[start + 1..];
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        let after = &rest[name_len..];
        let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
            && after.starts_with([' ', ']', '/']);
        if let (true, Some(close)) = (valid, after.find(']')) {
            let attrs = after[..close].trim().trim_end_matches('/').trim();
            let open_end = start + 1 + name_len + close + 1;
            let closing = format!("[/{name}]");
            let (content, end) = match text[open_end..].find(&closing) {
                Some(c) => (
                    Some(&text[open_end..open_end + c]),
                    open_end + c + closing.len(),
                ),
                None => (None, open_end),
            };
            return Some(Shortcode {
                name,
                attrs,
                content,
                span: start..end,
            });
        }
        at = start + 1;
    }
    None
}

/// The value of `key="..."` (or `key='...'`) in a shortcode's attributes.
pub fn attr<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    let mut rest = attrs;
    while let Some(i) = rest.find(key) {
        let before_ok = i == 0 || rest.as_bytes()[i - 1].is_ascii_whitespace();
        let after = rest[i + key.len()..].trim_start();
        if let (true, Some(v)) = (before_ok, after.strip_prefix('=')) {
            let v = v.trim_start();
            let quote = v.chars().next()?;
            if quote == '"' || quote == '\'' {
                let inner = &v[1..];
                return inner.find(quote).map(|end| &inner[..end]);
            }
            return Some(v.split_whitespace().next().unwrap_or(""));
        }
        rest = &rest[i + key.len()..];
    }
    None
}

/// Replaces the shortcodes WordPress core renders (caption, gallery, embed) by HTML;
/// `gallery_urls` gives the image URLs of a `[gallery]`. Returns the names of the others.
pub fn convert_shortcodes(
    text: &str,
    gallery_urls: &dyn Fn(&str) -> Vec<String>,
) -> (String, BTreeSet<String>) {
    let mut out = String::with_capacity(text.len());
    let mut unknown = BTreeSet::new();
    let mut at = 0;
    while let Some(sc) = next_shortcode(text, at) {
        out.push_str(&text[at..sc.span.start]);
        match sc.name {
            "caption" | "wp_caption" => out.push_str(&caption(&sc)),
            "gallery" => {
                out.push_str("\n\n<figure>");
                for url in gallery_urls(sc.attrs) {
                    out.push_str(&format!("<img src=\"{}\" alt=\"\">", escape_attr(&url)));
                }
                out.push_str("</figure>\n\n");
            }
            "embed" => {
                let url = sc.content.unwrap_or("").trim();
                out.push_str(&format!(
                    "\n\n<p><a href=\"{0}\">{0}</a></p>\n\n",
                    escape_attr(url)
                ));
            }
            other => {
                unknown.insert(other.to_string());
                out.push_str(&text[sc.span.start..sc.span.start + 1]);
                at = sc.span.start + 1;
                continue;
            }
        }
        at = sc.span.end;
    }
    out.push_str(&text[at..]);
    debug_assert!(CONVERTED.iter().all(|n| !unknown.contains(*n)));
    (out, unknown)
}

/// `[caption ...]<img ...> The caption[/caption]` → a figure with a figcaption.
fn caption(sc: &Shortcode) -> String {
    let content = sc.content.unwrap_or("").trim();
    // The caption text follows the image (or the link around it); it may hold links too.
    let split = if content.starts_with("<a") {
        content.find("</a>").map(|i| i + 4)
    } else if content.starts_with("<img") {
        tag_end(content)
    } else {
        None
    }
    .unwrap_or(0);
    let (media, text) = content.split_at(split);
    let text = attr(sc.attrs, "caption").unwrap_or(text).trim();
    format!(
        "\n\n<figure>{}<figcaption>{text}</figcaption></figure>\n\n",
        media.trim()
    )
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;")
}

/// WordPress's paragraph rules for classic content: text separated by blank lines becomes
/// paragraphs, single line breaks become `<br>`; block elements and `<pre>` are left alone.
pub fn autop(html: &str) -> String {
    let html = html.replace("\r\n", "\n");
    let mut out = Vec::new();
    let mut in_pre = 0usize;
    for chunk in html.split("\n\n") {
        let trimmed = chunk.trim();
        if trimmed.is_empty() {
            continue;
        }
        let opens = trimmed.matches("<pre").count();
        let closes = trimmed.matches("</pre>").count();
        if in_pre > 0 || starts_block(trimmed) {
            out.push(chunk.trim_matches('\n').to_string());
        } else {
            out.push(format!("<p>{}</p>", trimmed.replace('\n', "<br />")));
        }
        in_pre = (in_pre + opens).saturating_sub(closes);
    }
    out.join("\n\n")
}

fn starts_block(chunk: &str) -> bool {
    let Some(rest) = chunk.strip_prefix('<') else {
        return false;
    };
    let rest = rest.strip_prefix('/').unwrap_or(rest).to_ascii_lowercase();
    BLOCK_TAGS.iter().any(|tag| {
        rest.starts_with(tag)
            && rest[tag.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_ascii_alphanumeric())
    })
}

/// Removes WordPress presentation attributes (see [`PRESENTATION_ATTRS`]) from every tag.
pub fn strip_presentation(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tag_and_after = &rest[lt..];
        let Some(end) = tag_end(tag_and_after) else {
            out.push_str(tag_and_after);
            return out;
        };
        out.push_str(&clean_tag(&tag_and_after[..end]));
        rest = &tag_and_after[end..];
    }
    out.push_str(rest);
    out
}

/// The end (exclusive) of the tag starting at 0, honouring quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

fn clean_tag(tag: &str) -> String {
    let is_element = tag[1..].starts_with(|c: char| c.is_ascii_alphabetic());
    if !is_element {
        return tag.to_string();
    }
    let mut out = String::with_capacity(tag.len());
    let mut rest = tag;
    loop {
        let Some(i) = rest.find(|c: char| c.is_ascii_whitespace()) else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i]);
        let after = rest[i..].trim_start();
        let name_len = after
            .find(|c: char| c == '=' || c == '>' || c == '/' || c.is_ascii_whitespace())
            .unwrap_or(after.len());
        let name = after[..name_len].to_ascii_lowercase();
        let attr_len = attribute_len(after, name_len);
        if !PRESENTATION_ATTRS.contains(&name.as_str()) || name.is_empty() {
            out.push(' ');
            out.push_str(&after[..attr_len.max(1).min(after.len())]);
        }
        rest = &after[attr_len.max(1).min(after.len())..];
        if rest.is_empty() || rest.starts_with('>') || rest.starts_with("/>") {
            out.push_str(rest);
            return out;
        }
    }
}

/// Length of `name[=value]` at the start of `s` (the name is `name_len` long).
fn attribute_len(s: &str, name_len: usize) -> usize {
    let after_name = &s[name_len..];
    let trimmed = after_name.trim_start();
    let Some(value) = trimmed.strip_prefix('=') else {
        return name_len;
    };
    let value = value.trim_start();
    let value_start = s.len() - value.len();
    match value.chars().next() {
        Some(q @ ('"' | '\'')) => value[1..]
            .find(q)
            .map_or(s.len(), |end| value_start + 1 + end + 1),
        _ => {
            value_start
                + value
                    .find(|c: char| c.is_ascii_whitespace() || c == '>')
                    .unwrap_or(value.len())
        }
    }
}

/// HTML → Markdown; elements Markdown cannot express (figures, tables with spans, iframes,
/// styled elements) stay HTML.
pub fn to_markdown(html: &str) -> String {
    let converter = htmd::HtmlToMarkdown::builder()
        .options(htmd::options::Options {
            translation_mode: htmd::options::TranslationMode::Faithful,
            ..Default::default()
        })
        .build();
    match converter.convert(html) {
        Ok(md) => md,
        Err(_) => html.to_string(),
    }
}

/// The whole body pipeline. `gallery_urls` resolves `[gallery]` attributes to image URLs.
pub fn convert(
    html: &str,
    gallery_urls: &dyn Fn(&str) -> Vec<String>,
) -> (String, BTreeSet<String>) {
    let blocks = has_blocks(html);
    let html = strip_block_comments(html);
    let (html, unknown) = convert_shortcodes(&html, gallery_urls);
    let html = if blocks { html } else { autop(&html) };
    (to_markdown(&strip_presentation(&html)), unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_gallery(_: &str) -> Vec<String> {
        Vec::new()
    }

    #[test]
    fn block_comments_go_content_stays() {
        let html = "<!-- wp:paragraph -->\n<p>Hi</p>\n<!-- /wp:paragraph --><!-- note -->";
        assert_eq!(strip_block_comments(html), "\n<p>Hi</p>\n<!-- note -->");
    }

    #[test]
    fn classic_paragraph_rules() {
        let html = "First line\nsame paragraph\n\nSecond\n\n<h2>Head</h2>\n\n<pre>a\n\nb</pre>";
        assert_eq!(
            autop(html),
            "<p>First line<br />same paragraph</p>\n\n<p>Second</p>\n\n<h2>Head</h2>\n\n<pre>a\n\nb</pre>"
        );
    }

    #[test]
    fn shortcodes() {
        let text = "[caption id=\"a\" width=\"300\"]<img src=\"x.jpg\" /> The harbour[/caption] [sic] [foo bar=\"1\"] [1]";
        let (out, unknown) = convert_shortcodes(text, &no_gallery);
        assert!(
            out.contains(
                "<figure><img src=\"x.jpg\" /><figcaption>The harbour</figcaption></figure>"
            ),
            "{out}"
        );
        assert_eq!(unknown.into_iter().collect::<Vec<_>>(), vec!["foo", "sic"]);
        let (out, _) = convert_shortcodes(
            "[caption]<img src=\"a.jpg\" alt=\"x>y\"> Some <a href=\"/x\">linked</a> words[/caption]",
            &no_gallery,
        );
        assert!(
            out.contains("<figure><img src=\"a.jpg\" alt=\"x>y\"><figcaption>Some <a href=\"/x\">linked</a> words</figcaption>"),
            "{out}"
        );
        let (out, _) = convert_shortcodes("[embed]https://video.example/1[/embed]", &no_gallery);
        assert!(
            out.contains("<a href=\"https://video.example/1\">https://video.example/1</a>"),
            "{out}"
        );
        let (out, _) = convert_shortcodes("[gallery ids=\"1,2\"]", &|a: &str| {
            attr(a, "ids")
                .unwrap()
                .split(',')
                .map(|i| format!("/{i}.jpg"))
                .collect()
        });
        assert!(
            out.contains("<img src=\"/1.jpg\" alt=\"\"><img src=\"/2.jpg\" alt=\"\">"),
            "{out}"
        );
    }

    #[test]
    fn presentation_attributes_go() {
        assert_eq!(
            strip_presentation(
                "<img class=\"wp-image-5\" src=\"a.jpg\" width=300 alt='x > y'/> a > b"
            ),
            "<img src=\"a.jpg\" alt='x > y'/> a > b"
        );
        assert_eq!(
            strip_presentation("<h2 class=\"wp-block-heading\">T</h2>"),
            "<h2>T</h2>"
        );
    }

    #[test]
    fn clean_html_becomes_markdown_the_rest_stays() {
        let (md, _) = convert(
            "<!-- wp:heading --><h2 class=\"wp-block-heading\">Head</h2><!-- /wp:heading -->\
             <p>Some <strong>bold</strong> text.</p><figure><img src=\"a.jpg\" alt=\"A\"><figcaption>Cap</figcaption></figure>",
            &no_gallery,
        );
        assert!(md.contains("## Head"), "{md}");
        assert!(md.contains("Some **bold** text."), "{md}");
        assert!(md.contains("<figure>"), "{md}");
    }
}

#[cfg(test)]
mod garbage {
    //! Hostile bodies never panic: random strings of HTML, shortcode and block fragments.
    use super::*;

    const PIECES: &[&str] = &[
        "<p>",
        "</p>",
        "<img src=\"a.jpg\" class='x'>",
        "<a href=",
        "\"",
        "'",
        ">",
        "<",
        "/>",
        "[caption",
        "[/caption]",
        "[gallery ids=\"1,2\"]",
        "[embed]",
        "[/embed]",
        "[",
        "]",
        "=",
        "<!-- wp:paragraph -->",
        "<!-- /wp:",
        "-->",
        "<!--",
        "\n",
        "\n\n",
        "<pre>",
        "</pre>",
        "é",
        "🦀",
        " ",
        "class",
        "width=3",
        "<figure>",
        "</figure>",
        "<br />",
        "&amp;",
        "&",
        "<table><tr><td>",
        "</td></tr></table>",
        "<script>",
        "x",
    ];

    #[test]
    fn random_bodies_never_panic() {
        let mut next = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15);
        let gallery = |_: &str| vec!["https://e.org/wp-content/uploads/a.jpg".to_string()];
        for _ in 0..1500 {
            let n = (next() % 30) as usize;
            let text: String = (0..n)
                .map(|_| PIECES[(next() as usize) % PIECES.len()])
                .collect();
            let _ = convert(&text, &gallery);
            let _ = strip_presentation(&text);
            let _ = attr(&text, "ids");
        }
    }
}
