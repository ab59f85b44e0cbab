//! URL helpers shared by rendering, generators, the link checker and the server.

use percent_encoding::percent_decode_str;

/// Whether a URL starts with a scheme (`https:`, `mailto:`, `tel:`...).
pub fn has_scheme(url: &str) -> bool {
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

/// Whether a URL is a path from the site's root (`/politics/`), not protocol-relative.
pub fn is_site_absolute(url: &str) -> bool {
    url.starts_with('/') && !url.starts_with("//")
}

/// A site-absolute URL made absolute against `origin` (`https://example.org`); other URLs as
/// they are.
pub fn absolute(origin: &str, url: String) -> String {
    if is_site_absolute(&url) {
        format!("{origin}{url}")
    } else {
        url
    }
}

/// Where an image URL written in an article (front matter `image`, a body image) points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageUrl<'a> {
    /// Another site's or a `data:` URL (`https://…`, `//cdn…`, `data:…`): used as written.
    External,
    /// A path from the site's root, given without its leading `/` (`img/x.jpg`).
    SiteAbsolute(&'a str),
    /// A path beside the article's page (`chart.png`, `../other/x.png`).
    Relative(&'a str),
}

/// The one rule for [`ImageUrl`]: a scheme or `//` is external, a leading `/` is the root.
pub fn classify_image(url: &str) -> ImageUrl<'_> {
    if url.starts_with("//") || has_scheme(url) {
        ImageUrl::External
    } else if let Some(rest) = url.strip_prefix('/') {
        ImageUrl::SiteAbsolute(rest)
    } else {
        ImageUrl::Relative(url)
    }
}

/// Decodes `%XX` escapes; `None` for a broken escape or a result that is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let broken = s.match_indices('%').any(|(i, _)| {
        !s.get(i + 1..i + 3)
            .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
    });
    if broken {
        return None;
    }
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|d| d.into_owned())
}

/// Where a URL is written: an image's `src` may also be a `data:` raster image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlUse {
    Link,
    Image,
}

/// Whether `url` may reach an `href` or `src` of unvetted content (`unsafe_html = false`):
/// http, https, mailto, tel, relative, site-absolute and fragment URLs, and for images
/// `data:` of a raster type.
/// Browsers ignore leading and trailing spaces and control characters and every tab and line
/// break, and schemes are case-insensitive, so the scheme is read the same way. Anything with
/// a colon before the first `/`, `?` or `#` is a scheme (or not a plain relative URL) and must
/// be one of the list.
pub fn is_safe_url(url: &str, use_: UrlUse) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert!(has_scheme("https://e.org/") && has_scheme("mailto:a@e.org"));
        assert!(!has_scheme("a/b:c") && !has_scheme(":x") && !has_scheme("/x"));
    }

    #[test]
    fn image_urls() {
        assert_eq!(classify_image("https://e.org/x.png"), ImageUrl::External);
        assert_eq!(classify_image("//cdn.org/x.png"), ImageUrl::External);
        assert_eq!(
            classify_image("data:image/png;base64,AA"),
            ImageUrl::External
        );
        assert_eq!(
            classify_image("/img/x.png"),
            ImageUrl::SiteAbsolute("img/x.png")
        );
        assert_eq!(classify_image("a/x:y.png"), ImageUrl::Relative("a/x:y.png"));
    }

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("a%20b%C4%81").as_deref(), Some("a bā"));
        assert_eq!(percent_decode("%2"), None);
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%+1"), None);
        assert_eq!(percent_decode("%ff"), None);
    }

    #[test]
    fn absolute_urls() {
        assert_eq!(
            absolute("https://e.org", "/a/x.png".into()),
            "https://e.org/a/x.png"
        );
        assert_eq!(
            absolute("https://e.org", "//cdn.org/x.png".into()),
            "//cdn.org/x.png"
        );
    }
}
