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
