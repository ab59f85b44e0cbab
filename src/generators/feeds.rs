//! Feeds: Atom 1.0 (RFC 4287) for the site (`/feed.xml`), every section
//! (`/{section}/feed.xml`) and every tag (`/tags/{tag}/feed.xml`), plus a site-wide JSON
//! Feed 1.1 (`/feed.json`).
//!
//! Entries are the newest `[feeds] limit` articles (default 50). Site and section entries
//! carry full content: each body is rendered again with absolute links and images, so it
//! works outside the site. Tag entries carry the summary and the link only, so tag feeds cost
//! no rendering however many tags an archive has. Entry ids
//! are tag URIs (RFC 4151) that survive a change of `base_url` path, permalink pattern or
//! scheme; see [`entry_id`] and docs/feeds-and-seo.md.

use chrono::DateTime;
use chrono_tz::Tz;
use rayon::prelude::*;
use serde_json::json;
use typed_index_collections::{TiSlice, TiVec};

use crate::error::Diagnostic;
use crate::generators::{Generator, Reads};
use crate::model::pages::Page;
use crate::model::{Article, ArticleId, SectionId, Site, TaxonomyKind, TermId};
use crate::output::Generated;
use crate::render::context::absolute_image;
use crate::render::markdown::{LinkBase, render_body};
use crate::util::escape::escape_html;
use crate::util::time::rfc3339;
use crate::util::xml::XmlWriter;

/// Atom's XML namespace.
pub const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
/// The JSON Feed version this module writes.
pub const JSON_FEED_VERSION: &str = "https://jsonfeed.org/version/1.1";
/// The encoding label of the feeds' XML declaration (sitemaps have always written `UTF-8`;
/// both are kept as published, the label is case-insensitive).
const FEED_ENCODING: &str = "utf-8";

/// Writes `/feed.xml`, `/{section}/feed.xml` for every section and `/feed.json`.
pub struct Feeds;

impl Generator for Feeds {
    fn name(&self) -> &'static str {
        "feeds"
    }

    /// The bodies of the site and section feeds' entries (tag feeds show summaries).
    fn bodies_read(&self, site: &Site) -> Reads {
        let needed = full_text_entries(site, &scopes(site));
        Reads::Only(
            needed
                .iter_enumerated()
                .filter(|&(_, &need)| need)
                .map(|(id, _)| id)
                .collect(),
        )
    }

    /// The entries of every feed (`feed.json` has the site feed's).
    fn cards_read(&self, site: &Site) -> Reads {
        let mut ids: Vec<ArticleId> = scopes(site)
            .into_iter()
            .flat_map(|scope| scope.entries(site))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        Reads::Only(ids)
    }

    fn generate(
        &self,
        site: &Site,
        _pages: &[Page],
        out: &Generated<'_>,
    ) -> Result<(), Vec<Diagnostic>> {
        out.write_all(feed_files(site).map_err(|e| vec![e])?)
    }
}

/// Which articles a feed covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedScope {
    /// Every section.
    Site,
    Section(SectionId),
    Tag(TermId),
}

impl FeedScope {
    /// Output path of the Atom feed: `feed.xml` or `politics/feed.xml`.
    pub fn path(self, site: &Site) -> String {
        match self {
            FeedScope::Site => "feed.xml".into(),
            FeedScope::Section(s) => format!("{}/feed.xml", site.sections[s].slug),
            FeedScope::Tag(t) => format!("{}feed.xml", tag_path(site, t)),
        }
    }

    /// Whether entries carry the article's full content (site and section feeds).
    fn full_text(self) -> bool {
        !matches!(self, FeedScope::Tag(_))
    }

    /// Path of the HTML page the feed mirrors.
    fn page_path(self, site: &Site) -> String {
        match self {
            FeedScope::Site => String::new(),
            FeedScope::Section(s) => format!("{}/", site.sections[s].slug),
            FeedScope::Tag(t) => tag_path(site, t),
        }
    }

    fn title(self, site: &Site) -> String {
        match self {
            FeedScope::Site => site.config.title.clone(),
            FeedScope::Section(s) => format!("{} | {}", site.sections[s].title, site.config.title),
            FeedScope::Tag(t) => format!(
                "{} | {}",
                site.taxonomy(TaxonomyKind::Tags).terms[t].name,
                site.config.title
            ),
        }
    }

    fn subtitle(self, site: &Site) -> Option<&str> {
        match self {
            FeedScope::Site => site.config.description.as_deref(),
            FeedScope::Section(s) => site.sections[s].description.as_deref(),
            FeedScope::Tag(_) => None,
        }
    }

    /// The newest `limit` articles of the scope.
    fn entries(self, site: &Site) -> Vec<ArticleId> {
        let limit = site.config.feeds.limit;
        match self {
            FeedScope::Site => site.articles.keys().take(limit).collect(),
            FeedScope::Section(s) => site.sections[s]
                .articles
                .iter()
                .take(limit)
                .copied()
                .collect(),
            FeedScope::Tag(t) => site.taxonomy(TaxonomyKind::Tags).terms[t]
                .articles
                .iter()
                .take(limit)
                .copied()
                .collect(),
        }
    }
}

/// The tag page's path: `tags/{slug}/`.
fn tag_path(site: &Site, t: TermId) -> String {
    let kind = TaxonomyKind::Tags;
    format!("{}/{}/", kind.slug(), site.taxonomy(kind).terms[t].slug)
}

/// Every feed file of the site as (output path, bytes), in a stable order.
/// An error when a body cannot be read back (its file changed during the build).
pub fn feed_files(site: &Site) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let scopes = scopes(site);
    let contents = entry_contents(site, &scopes)?;
    let mut files: Vec<(String, Vec<u8>)> = scopes
        .par_iter()
        .map(|&scope| (scope.path(site), atom_feed(site, scope, &contents)))
        .collect();
    files.push(("feed.json".into(), json_feed(site, &contents)));
    Ok(files)
}

/// Every feed of the site: the site's, each section's, each tag's.
fn scopes(site: &Site) -> Vec<FeedScope> {
    let tags = &site.taxonomy(TaxonomyKind::Tags).terms;
    std::iter::once(FeedScope::Site)
        .chain(site.sections.keys().map(FeedScope::Section))
        .chain(tags.keys().map(FeedScope::Tag))
        .collect()
}

/// By article id: whether the article is an entry of a full-content feed among `scopes`.
fn full_text_entries(site: &Site, scopes: &[FeedScope]) -> TiVec<ArticleId, bool> {
    let mut needed: TiVec<ArticleId, bool> = vec![false; site.articles.len()].into();
    for scope in scopes.iter().filter(|s| s.full_text()) {
        for id in scope.entries(site) {
            needed[id] = true;
        }
    }
    needed
}

/// The full-content HTML of every article that appears in some feed, by article id: rendered
/// once even when an article is in both the site and its section feed.
fn entry_contents(
    site: &Site,
    scopes: &[FeedScope],
) -> Result<TiVec<ArticleId, Option<String>>, Diagnostic> {
    let needed = full_text_entries(site, scopes);
    let root = format!(
        "{}{}",
        site.config.base_url.origin,
        site.config.base_url.path.trim_end_matches('/')
    );
    let contents: Vec<Option<String>> = site
        .articles
        .raw
        .par_iter()
        .zip(&needed.raw)
        .map(|(a, &need)| need.then(|| content_html(site, a, &root)).transpose())
        .collect::<Result<_, _>>()?;
    Ok(contents.into())
}

/// An article's body for feed readers: lead image first, every URL absolute.
fn content_html(site: &Site, a: &Article, root: &str) -> Result<String, Diagnostic> {
    let page = site.permalink(&a.path);
    let body = render_body(
        a.body.text()?,
        &LinkBase {
            root,
            page: Some(&page),
        },
        site.config.unsafe_html,
    );
    Ok(match absolute_image(site, a) {
        Some(src) => {
            let alt = a
                .extra
                .get("image_alt")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            format!(
                "<figure><img src=\"{}\" alt=\"{}\"></figure>\n{}",
                escape_html(&src),
                escape_html(alt),
                body.html
            )
        }
        None => body.html,
    })
}

/// The host of `base_url`, lower-cased, without port: the tagging authority of entry ids.
fn authority(site: &Site) -> String {
    let origin = &site.config.base_url.origin;
    let host = origin.split_once("://").map_or(origin.as_str(), |(_, h)| h);
    let host = match host.rsplit_once(':') {
        Some((h, port)) if !h.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    host.to_ascii_lowercase()
}

/// The article's permanent id: `tag:{host},{YYYY-MM-DD}:{section}/{slug}` (RFC 4151), with the
/// publication day in the site's timezone. It does not change when the permalink pattern, the
/// base path or `updated` change; `extra.feed_id = "..."` pins an id explicitly (migrations).
pub fn entry_id(site: &Site, a: &Article) -> String {
    if let Some(id) = a.extra.get("feed_id").and_then(|v| v.as_str()) {
        let id = id.trim();
        if !id.is_empty() {
            return id.to_string();
        }
    }
    format!(
        "tag:{},{}:{}/{}",
        authority(site),
        a.date.format("%Y-%m-%d"),
        site.sections[a.section].slug,
        a.slug
    )
}

/// The feed's `updated`: the newest change among its entries, else the newest change of the
/// site, else the Unix epoch (never the clock, so output stays deterministic).
fn feed_updated(site: &Site, ids: &[ArticleId]) -> String {
    let t = ids
        .iter()
        .map(|&i| site.articles[i].modified())
        .max()
        .or_else(|| site.articles.iter().map(Article::modified).max());
    match t {
        Some(t) => rfc3339(&t),
        None => {
            let epoch: DateTime<Tz> = DateTime::UNIX_EPOCH.with_timezone(&site.config.timezone);
            rfc3339(&epoch)
        }
    }
}

/// One Atom feed document.
pub fn atom_feed(
    site: &Site,
    scope: FeedScope,
    contents: &TiSlice<ArticleId, Option<String>>,
) -> Vec<u8> {
    let ids = scope.entries(site);
    let self_url = site.permalink(&scope.path(site));
    let home = site.permalink("");
    let mut x = XmlWriter::new(FEED_ENCODING);
    x.start(
        "feed",
        &[("xmlns", ATOM_NS), ("xml:lang", &site.config.language)],
    );
    x.text("id", &[], &self_url);
    x.text("title", &[("type", "text")], &scope.title(site));
    if let Some(sub) = scope.subtitle(site) {
        x.text("subtitle", &[("type", "text")], sub);
    }
    x.empty(
        "link",
        &[
            ("rel", "self"),
            ("type", "application/atom+xml"),
            ("href", &self_url),
        ],
    );
    x.empty(
        "link",
        &[
            ("rel", "alternate"),
            ("type", "text/html"),
            ("href", &site.permalink(&scope.page_path(site))),
        ],
    );
    x.text("updated", &[], &feed_updated(site, &ids));
    // Feed-level author: Atom requires one for entries without bylines.
    x.start("author", &[]);
    x.text("name", &[], &site.config.title);
    x.text("uri", &[], &home);
    x.end("author");
    x.text(
        "generator",
        &[("version", env!("CARGO_PKG_VERSION"))],
        "newsgen",
    );
    for &id in &ids {
        let a = &site.articles[id];
        let permalink = site.permalink(&a.path);
        x.start("entry", &[]);
        x.text("id", &[], &entry_id(site, a));
        x.text("title", &[("type", "text")], &a.title);
        x.empty(
            "link",
            &[
                ("rel", "alternate"),
                ("type", "text/html"),
                ("href", &permalink),
            ],
        );
        x.text("published", &[], &rfc3339(&a.date));
        x.text("updated", &[], &rfc3339(&a.modified()));
        for &t in &a.author_ids {
            let term = &site.taxonomy(TaxonomyKind::Authors).terms[t];
            x.start("author", &[]);
            x.text("name", &[], &term.name);
            x.text(
                "uri",
                &[],
                &site.permalink(&format!("authors/{}/", term.slug)),
            );
            x.end("author");
        }
        let s = &site.sections[a.section];
        x.empty(
            "category",
            &[
                ("term", &s.slug),
                ("label", &s.title),
                ("scheme", &site.permalink("")),
            ],
        );
        for &t in &a.tag_ids {
            let term = &site.taxonomy(TaxonomyKind::Tags).terms[t];
            x.empty(
                "category",
                &[
                    ("term", &term.slug),
                    ("label", &term.name),
                    ("scheme", &site.permalink("tags/")),
                ],
            );
        }
        if !a.summary.is_empty() {
            x.text("summary", &[("type", "text")], &a.summary);
        }
        if let Some(Some(html)) = contents.get(id).filter(|_| scope.full_text()) {
            x.text("content", &[("type", "html")], html);
        }
        x.end("entry");
    }
    x.end("feed");
    x.finish()
}

/// The site-wide JSON Feed 1.1 (`/feed.json`), with the same entries and ids as `/feed.xml`.
pub fn json_feed(site: &Site, contents: &TiSlice<ArticleId, Option<String>>) -> Vec<u8> {
    let items: Vec<serde_json::Value> = FeedScope::Site
        .entries(site)
        .into_iter()
        .map(|id| {
            let a = &site.articles[id];
            let authors: Vec<_> = a
                .author_ids
                .iter()
                .map(|&t| {
                    let term = &site.taxonomy(TaxonomyKind::Authors).terms[t];
                    json!({
                        "name": term.name,
                        "url": site.permalink(&format!("authors/{}/", term.slug)),
                    })
                })
                .collect();
            let mut item = json!({
                "id": entry_id(site, a),
                "url": site.permalink(&a.path),
                "title": a.title,
                "content_html": contents.get(id).cloned().flatten().unwrap_or_default(),
                "date_published": rfc3339(&a.date),
                "date_modified": rfc3339(&a.modified()),
                "tags": a.tags,
            });
            if !a.summary.is_empty() {
                item["summary"] = json!(a.summary);
            }
            if let Some(img) = absolute_image(site, a) {
                item["image"] = json!(img);
            }
            if !authors.is_empty() {
                item["authors"] = json!(authors);
            }
            item
        })
        .collect();
    let mut feed = json!({
        "version": JSON_FEED_VERSION,
        "title": site.config.title,
        "home_page_url": site.permalink(""),
        "feed_url": site.permalink("feed.json"),
        "language": site.config.language,
        "authors": [{ "name": site.config.title, "url": site.permalink("") }],
        "items": items,
    });
    if let Some(d) = &site.config.description {
        feed["description"] = json!(d);
    }
    let mut bytes = serde_json::to_vec_pretty(&feed).expect("a serde_json::Value serialises");
    bytes.push(b'\n');
    bytes
}
