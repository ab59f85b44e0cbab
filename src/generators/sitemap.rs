//! Sitemaps: `/sitemap.xml` per the sitemaps.org protocol and `/news-sitemap.xml` in the
//! Google News format.
//!
//! The sitemap lists every canonical HTML page of the page plan with an absolute `loc` and a
//! `lastmod` (the newest change among the articles the page shows). Above the protocol's
//! limits (50,000 URLs or 50 MiB per file) it is split into `sitemap-1.xml`, `sitemap-2.xml`...
//! and `/sitemap.xml` becomes their sitemap index. The limits are a parameter ([`Limits`]) so
//! tests can exercise the split on small sites.

use chrono::{DateTime, Duration};
use chrono_tz::Tz;

use crate::error::Diagnostic;
use crate::generators::{Generator, Reads};
use crate::model::pages::{Page, PageKind, page_slice};
use crate::model::{ArticleId, Site};
use crate::output::Generated;
use crate::util::time::{first_change, rfc3339};
use crate::util::xml::XmlWriter;

/// The sitemaps.org namespace.
pub const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
/// The Google News sitemap namespace.
pub const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";
/// How far back the news sitemap looks from the build time.
pub const NEWS_WINDOW_HOURS: i64 = 48;
/// Most URLs one news sitemap may hold.
pub const NEWS_MAX_URLS: usize = 1000;

/// Size limits of one sitemap file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most `<url>`s per file.
    pub max_urls: usize,
    /// Most bytes per file, uncompressed.
    pub max_bytes: usize,
}

impl Limits {
    /// The protocol's limits: 50,000 URLs and 50 MiB (52,428,800 bytes) per file.
    pub const PROTOCOL: Limits = Limits {
        max_urls: 50_000,
        max_bytes: 52_428_800,
    };
}

/// Writes `/sitemap.xml` (and its parts when split).
pub struct Sitemap;

impl Generator for Sitemap {
    fn name(&self) -> &'static str {
        "sitemap"
    }

    /// Page URLs and article dates only.
    fn bodies_read(&self, _site: &Site) -> Reads {
        Reads::Only(Vec::new())
    }

    /// Page URLs and article dates only.
    fn cards_read(&self, _site: &Site) -> Reads {
        Reads::Only(Vec::new())
    }

    fn generate(
        &self,
        site: &Site,
        pages: &[Page],
        out: &Generated<'_>,
    ) -> Result<(), Vec<Diagnostic>> {
        out.write_all(sitemap_files(site, pages, Limits::PROTOCOL))
    }
}

/// Writes `/news-sitemap.xml`.
pub struct NewsSitemap;

impl Generator for NewsSitemap {
    fn name(&self) -> &'static str {
        "news-sitemap"
    }

    /// The last 48 hours before the build time.
    fn reads_now(&self) -> bool {
        true
    }

    fn changes_at(&self, site: &Site) -> Option<DateTime<Tz>> {
        news_window_changes(site)
    }

    fn generate(
        &self,
        site: &Site,
        _pages: &[Page],
        out: &Generated<'_>,
    ) -> Result<(), Vec<Diagnostic>> {
        out.write_all(vec![("news-sitemap.xml".into(), news_sitemap(site))])
    }
}

/// One URL of the sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Absolute URL, percent-encoded where needed.
    pub loc: String,
    /// Newest change among the articles shown on the page; None for pages with no articles.
    pub lastmod: Option<DateTime<Tz>>,
}

/// Percent-encodes what may not appear raw in a sitemap URL (non-ASCII, spaces, quotes...);
/// `%` is kept, so an already encoded URL is not encoded twice.
pub fn encode_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b':'
                    | b'/'
                    | b'?'
                    | b'#'
                    | b'['
                    | b']'
                    | b'@'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'%'
            );
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn newest(site: &Site, ids: &[ArticleId]) -> Option<DateTime<Tz>> {
    ids.iter().map(|&i| site.articles[i].modified()).max()
}

/// The sitemap's URLs: every canonical page of the plan, in plan order.
pub fn entries(site: &Site, pages: &[Page]) -> Vec<Entry> {
    let per = site.config.per_page;
    let site_newest = site.articles.iter().map(|a| a.modified()).max();
    pages
        .iter()
        .filter(|p| p.kind.is_canonical())
        .map(|p| {
            let lastmod = match &p.kind {
                PageKind::Front => site_newest,
                PageKind::Article(id) => Some(site.articles[*id].modified()),
                PageKind::Section { section, page } => newest(
                    site,
                    page_slice(&site.sections[*section].articles, per, *page),
                ),
                PageKind::Archive { archive, page } => newest(
                    site,
                    page_slice(&site.archives[*archive].articles, per, *page),
                ),
                PageKind::TermList { kind, page } => {
                    page_slice(&site.taxonomy(*kind).terms.raw, per, *page)
                        .iter()
                        .filter_map(|t| newest(site, &t.articles))
                        .max()
                }
                PageKind::Term { kind, term, page } => newest(
                    site,
                    page_slice(&site.taxonomy(*kind).terms[*term].articles, per, *page),
                ),
                PageKind::Search | PageKind::NotFound | PageKind::Redirect { .. } => None,
            };
            Entry {
                loc: encode_url(&site.permalink(&p.path)),
                lastmod,
            }
        })
        .collect()
}

/// The encoding label of the sitemaps' XML declaration (feeds write `utf-8`; both kept as
/// published).
const SITEMAP_ENCODING: &str = "UTF-8";

fn write_url(x: &mut XmlWriter, e: &Entry) {
    x.start("url", &[]);
    x.text("loc", &[], &e.loc);
    if let Some(t) = &e.lastmod {
        x.text("lastmod", &[], &rfc3339(t));
    }
    x.end("url");
}

/// Bytes a document still needs after its last `<url>`: `\n</urlset>\n`.
const URLSET_END_LEN: usize = "\n</urlset>\n".len();

fn urlset() -> XmlWriter {
    let mut x = XmlWriter::new(SITEMAP_ENCODING);
    x.start("urlset", &[("xmlns", SITEMAP_NS)]);
    x
}

fn finish_urlset(mut x: XmlWriter) -> Vec<u8> {
    x.end("urlset");
    x.finish()
}

/// The sitemap files as (output path, bytes): one `sitemap.xml` when everything fits in
/// `limits`, else numbered parts plus `sitemap.xml` as their index.
pub fn sitemap_files(site: &Site, pages: &[Page], limits: Limits) -> Vec<(String, Vec<u8>)> {
    // Parts: (document, newest lastmod of the part).
    let mut parts: Vec<(Vec<u8>, Option<DateTime<Tz>>)> = Vec::new();
    let mut doc = urlset();
    let mut count = 0;
    let mut part_newest: Option<DateTime<Tz>> = None;
    for e in entries(site, pages) {
        let before = doc.len();
        write_url(&mut doc, &e);
        let full = count >= limits.max_urls.max(1) || doc.len() + URLSET_END_LEN > limits.max_bytes;
        if full && count > 0 {
            doc.truncate(before);
            let done = std::mem::replace(&mut doc, urlset());
            parts.push((finish_urlset(done), part_newest.take()));
            write_url(&mut doc, &e);
            count = 0;
        }
        count += 1;
        part_newest = part_newest.max(e.lastmod);
    }
    parts.push((finish_urlset(doc), part_newest));

    if parts.len() == 1 {
        let (doc, _) = parts.remove(0);
        return vec![("sitemap.xml".into(), doc)];
    }
    let mut index = XmlWriter::new(SITEMAP_ENCODING);
    index.start("sitemapindex", &[("xmlns", SITEMAP_NS)]);
    let mut files = Vec::with_capacity(parts.len() + 1);
    for (i, (doc, newest)) in parts.into_iter().enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        index.start("sitemap", &[]);
        index.text("loc", &[], &encode_url(&site.permalink(&name)));
        if let Some(t) = newest {
            index.text("lastmod", &[], &rfc3339(&t));
        }
        index.end("sitemap");
        files.push((name, doc));
    }
    index.end("sitemapindex");
    files.insert(0, ("sitemap.xml".into(), index.finish()));
    files
}

/// The language code Google News expects: ISO 639 (`en`, `mi`), except `zh-cn` and `zh-tw`.
pub fn news_language(language: &str) -> String {
    let lang = language.trim().to_ascii_lowercase().replace('_', "-");
    match lang.as_str() {
        "zh-cn" | "zh-hans" | "zh-sg" => "zh-cn".into(),
        "zh-tw" | "zh-hant" | "zh-hk" => "zh-tw".into(),
        _ if lang.starts_with("zh-hans") => "zh-cn".into(),
        _ if lang.starts_with("zh-hant") => "zh-tw".into(),
        _ => lang.split('-').next().unwrap_or("").to_string(),
    }
}

/// The articles of the news sitemap: published in the [`NEWS_WINDOW_HOURS`] before
/// `Site::now` (not after it), newest first, at most [`NEWS_MAX_URLS`].
pub fn news_articles(site: &Site) -> Vec<ArticleId> {
    site.articles
        .iter_enumerated()
        .filter(|(_, a)| in_news_window(&a.date, &site.now))
        .map(|(id, _)| id)
        .take(NEWS_MAX_URLS)
        .collect()
}

/// Whether an article of `date` is in the news sitemap of a build at `now`.
fn in_news_window(date: &DateTime<Tz>, now: &DateTime<Tz>) -> bool {
    // In UTC: arithmetic on a zoned time looks the zone's offset up again.
    let (date, now) = (date.to_utc(), now.to_utc());
    date >= now - Duration::hours(NEWS_WINDOW_HOURS) && date <= now
}

/// The first instant after `Site::now` at which an article enters or leaves the news
/// sitemap's window (the window's edges are its only boundaries).
pub fn news_window_changes(site: &Site) -> Option<DateTime<Tz>> {
    site.articles
        .iter()
        .filter_map(|a| {
            let window_end = a.date.to_utc() + Duration::hours(NEWS_WINDOW_HOURS);
            if window_end < site.now.to_utc() {
                // Out of the window for good (most of an archive): no edge lies ahead.
                return None;
            }
            let edges = [a.date, window_end.with_timezone(&a.date.timezone())];
            first_change(&site.now, edges, |t| in_news_window(&a.date, t))
        })
        .min()
}

/// `/news-sitemap.xml`: publication name (site title) and language from site.toml.
pub fn news_sitemap(site: &Site) -> Vec<u8> {
    let lang = news_language(&site.config.language);
    let mut x = XmlWriter::new(SITEMAP_ENCODING);
    x.start("urlset", &[("xmlns", SITEMAP_NS), ("xmlns:news", NEWS_NS)]);
    for id in news_articles(site) {
        let a = &site.articles[id];
        x.start("url", &[]);
        x.text("loc", &[], &encode_url(&site.permalink(&a.path)));
        x.start("news:news", &[]);
        x.start("news:publication", &[]);
        x.text("news:name", &[], &site.config.title);
        x.text("news:language", &[], &lang);
        x.end("news:publication");
        x.text("news:publication_date", &[], &rfc3339(&a.date));
        x.text("news:title", &[], &a.title);
        x.end("news:news");
        x.end("url");
    }
    x.end("urlset");
    x.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_percent_encoded_once() {
        assert_eq!(
            encode_url("https://e.org/a b/é/%20/?x=1&y"),
            "https://e.org/a%20b/%C3%A9/%20/?x=1&y"
        );
    }

    #[test]
    fn google_news_language_codes() {
        assert_eq!(news_language("en"), "en");
        assert_eq!(news_language("en-NZ"), "en");
        assert_eq!(news_language("mi_NZ"), "mi");
        assert_eq!(news_language("zh-Hant-TW"), "zh-tw");
        assert_eq!(news_language("zh-CN"), "zh-cn");
    }
}
