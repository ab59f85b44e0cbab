//! Old URLs: the path an article had on the old site, which becomes a newsgen alias.
//! Jekyll's and Hugo's permalink patterns are filled in here the way those tools fill them.

use chrono::{Datelike, NaiveDateTime, Timelike};

/// The path of `url` on its old site: scheme, host and the site's own base path
/// (`/blog/` of `https://example.org/blog/`) removed, percent-decoded, with a leading `/`.
/// `None` for URLs a static file cannot answer (a query string: `/?p=12`).
pub fn old_path(url: &str, base_path: &str) -> Option<String> {
    let url = url.trim();
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    };
    let path = path.split('#').next().unwrap_or(path);
    if path.contains('?') {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?
        .into_owned();
    let base = base_path.trim_end_matches('/');
    let rest = decoded
        .strip_prefix(base)
        .filter(|r| r.starts_with('/'))
        .unwrap_or(&decoded);
    let rest = if rest.starts_with('/') {
        rest.to_string()
    } else {
        format!("/{rest}")
    };
    (rest != "/").then_some(rest)
}

/// The path part of a base URL (`https://example.org/blog` → `/blog/`).
pub fn base_path(base_url: &str) -> String {
    let path = old_path(base_url, "").unwrap_or_default();
    format!("/{}/", path.trim_matches('/')).replace("//", "/")
}

/// Whether newsgen itself writes a page at `path` (an output path as `alias_path` gives it:
/// `tags/`, `2020/01/`, `news/page/2/`, `feed.xml`), so an alias there would collide.
/// `is_section` says whether a first segment is a section of the site.
pub fn is_generated(path: &str, is_section: impl Fn(&str) -> bool) -> bool {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let first = segs[0];
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let date_tail = |rest: &[&str]| {
        rest.len() <= 3
            && rest.first().is_none_or(|y| digits(y, 4))
            && rest.iter().skip(1).all(|s| digits(s, 2))
    };
    if !path.ends_with('/') {
        return matches!(
            path,
            "feed.xml" | "sitemap.xml" | "news-sitemap.xml" | "404.html" | "robots.txt"
        ) || (segs.len() == 2 && segs[1] == "feed.xml" && is_section(first));
    }
    matches!(first, "tags" | "authors" | "sources" | "search" | "page")
        || date_tail(&segs)
        || (is_section(first) && (segs.get(1) == Some(&"page") || date_tail(&segs[1..])))
}

/// What Jekyll knows about a post when it fills its permalink.
pub struct JekyllPost<'a> {
    /// The post's date in the Jekyll site's time zone.
    pub date: NaiveDateTime,
    /// `slug` from the front matter, else the file name without its date.
    pub title: &'a str,
    pub categories: &'a [String],
}

/// Jekyll's named permalink styles.
fn jekyll_style(pattern: &str) -> &str {
    match pattern {
        "date" => "/:categories/:year/:month/:day/:title:output_ext",
        "pretty" => "/:categories/:year/:month/:day/:title/",
        "ordinal" => "/:categories/:year/:y_day/:title:output_ext",
        "weekdate" => "/:categories/:year/W:week/:short_day/:title:output_ext",
        "none" => "/:categories/:title:output_ext",
        other => other,
    }
}

/// Fills a Jekyll permalink (`_config.yml`'s `permalink`, a style name or a pattern).
pub fn jekyll_permalink(pattern: &str, post: &JekyllPost) -> String {
    let d = post.date;
    let categories: Vec<String> = post.categories.iter().map(|c| c.to_lowercase()).collect();
    let tokens: [(&str, String); 20] = [
        (":categories", categories.join("/")),
        (":output_ext", ".html".into()),
        (":short_year", format!("{:02}", d.year() % 100)),
        (":short_month", d.format("%b").to_string()),
        (":long_month", d.format("%B").to_string()),
        (":short_day", d.format("%a").to_string()),
        (":long_day", d.format("%A").to_string()),
        (":i_month", d.month().to_string()),
        (":i_day", d.day().to_string()),
        (":y_day", format!("{:03}", d.ordinal())),
        (":week", d.format("%V").to_string()),
        (":year", format!("{:04}", d.year())),
        (":month", format!("{:02}", d.month())),
        (":day", format!("{:02}", d.day())),
        (":hour", format!("{:02}", d.hour())),
        (":minute", format!("{:02}", d.minute())),
        (":second", format!("{:02}", d.second())),
        (":title", post.title.to_string()),
        (":slug", jekyll_slug(post.title)),
        (":name", post.title.to_string()),
    ];
    fill(jekyll_style(pattern), &tokens)
}

/// Jekyll's default slugify: lower case, runs of non-alphanumerics become `-`.
fn jekyll_slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// What Hugo knows about a page when it fills its permalink.
pub struct HugoPage<'a> {
    pub date: NaiveDateTime,
    /// The folders below `content/` (`["posts", "2020"]`).
    pub sections: &'a [String],
    pub title: &'a str,
    pub slug: Option<&'a str>,
    /// The file name without extension, or the bundle's folder name.
    pub filename: &'a str,
}

/// Fills a Hugo `[permalinks]` pattern, or Hugo's default (`/<folders>/<slug or name>/`)
/// when the section has none. Hugo lower-cases paths unless told not to.
pub fn hugo_permalink(pattern: Option<&str>, page: &HugoPage) -> String {
    let d = page.date;
    let slug = page
        .slug
        .map_or_else(|| hugo_urlize(page.title), hugo_urlize);
    let slug_or_file = page
        .slug
        .map_or_else(|| hugo_urlize(page.filename), hugo_urlize);
    let default = format!("/{}/:slugorfilename/", page.sections.join("/"));
    let pattern = pattern.unwrap_or(&default);
    let tokens: [(&str, String); 15] = [
        (":slugorcontentbasename", slug_or_file.clone()),
        (":slugorfilename", slug_or_file),
        (":contentbasename", hugo_urlize(page.filename)),
        (":filename", hugo_urlize(page.filename)),
        (":monthname", d.format("%B").to_string().to_lowercase()),
        (":weekdayname", d.format("%A").to_string().to_lowercase()),
        (":weekday", d.weekday().num_days_from_sunday().to_string()),
        (":yearday", d.ordinal().to_string()),
        (":sections", page.sections.join("/")),
        (
            ":section",
            page.sections.first().cloned().unwrap_or_default(),
        ),
        (":year", format!("{:04}", d.year())),
        (":month", format!("{:02}", d.month())),
        (":day", format!("{:02}", d.day())),
        (":title", hugo_urlize(page.title)),
        (":slug", slug),
    ];
    fill(pattern, &tokens).to_lowercase()
}

/// Hugo's `urlize`, near enough: spaces to `-`, letters, digits and `-_./` kept.
pub fn hugo_urlize(s: &str) -> String {
    s.trim()
        .chars()
        .filter_map(|c| match c {
            c if c.is_whitespace() => Some('-'),
            c if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/') => Some(c),
            _ => None,
        })
        .collect::<String>()
        .to_lowercase()
}

/// Replaces tokens (longest names first, as listed) and folds doubled slashes.
fn fill(pattern: &str, tokens: &[(&str, String)]) -> String {
    let mut out = pattern.to_string();
    for (name, value) in tokens {
        out = out.replace(name, value);
    }
    while out.contains("//") {
        out = out.replace("//", "/");
    }
    if out.starts_with('/') {
        out
    } else {
        format!("/{out}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(9, 5, 0)
            .unwrap()
    }

    #[test]
    fn old_paths() {
        assert_eq!(
            old_path("https://old.example.com/2020/01/hi/", "/").as_deref(),
            Some("/2020/01/hi/")
        );
        assert_eq!(
            old_path("https://old.example.com/blog/2020/hi/", "/blog/").as_deref(),
            Some("/2020/hi/")
        );
        assert_eq!(
            old_path("https://e.com/%C3%A9t%C3%A9/", "/").as_deref(),
            Some("/été/")
        );
        assert_eq!(old_path("https://e.com/?p=12", "/"), None);
        assert_eq!(old_path("https://e.com/", "/"), None);
        assert_eq!(base_path("https://e.com/blog"), "/blog/");
        assert_eq!(base_path("https://e.com"), "/");
    }

    #[test]
    fn generated_pages() {
        let news = |s: &str| s == "news";
        for p in [
            "tags/",
            "tags/x/",
            "search/",
            "2020/",
            "2020/01/",
            "2020/01/02/",
            "news/",
            "news/page/2/",
            "news/2020/01/",
            "feed.xml",
            "news/feed.xml",
        ] {
            assert!(is_generated(p, news), "{p}");
        }
        for p in [
            "2020/01/hello/",
            "news/2020/01/02/hello/",
            "about/",
            "old/feed.xml",
            "hello.html",
        ] {
            assert!(!is_generated(p, news), "{p}");
        }
    }

    #[test]
    fn jekyll_styles() {
        let cats = vec!["News".to_string(), "Local".to_string()];
        let post = JekyllPost {
            date: at(2020, 3, 7),
            title: "Hello-World",
            categories: &cats,
        };
        assert_eq!(
            jekyll_permalink("date", &post),
            "/news/local/2020/03/07/Hello-World.html"
        );
        assert_eq!(
            jekyll_permalink("pretty", &post),
            "/news/local/2020/03/07/Hello-World/"
        );
        assert_eq!(
            jekyll_permalink("/:year/:slug/", &post),
            "/2020/hello-world/"
        );
        let none: Vec<String> = vec![];
        let post = JekyllPost {
            date: at(2020, 3, 7),
            title: "x",
            categories: &none,
        };
        assert_eq!(jekyll_permalink("none", &post), "/x.html");
        assert_eq!(jekyll_permalink("ordinal", &post), "/2020/067/x.html");
        assert_eq!(jekyll_permalink("weekdate", &post), "/2020/W10/Sat/x.html");
        assert_eq!(
            jekyll_permalink("/:i_month/:y_day/:title", &post),
            "/3/067/x"
        );
    }

    #[test]
    fn hugo_patterns() {
        let sections = vec!["posts".to_string()];
        let page = HugoPage {
            date: at(2021, 12, 1),
            sections: &sections,
            title: "Big News, Today!",
            slug: None,
            filename: "My_File",
        };
        assert_eq!(hugo_permalink(None, &page), "/posts/my_file/");
        assert_eq!(
            hugo_permalink(Some("/:year/:month/:title/"), &page),
            "/2021/12/big-news-today/"
        );
        assert_eq!(
            hugo_permalink(Some("/:section/:monthname/:slug/"), &page),
            "/posts/december/big-news-today/"
        );
    }
}
