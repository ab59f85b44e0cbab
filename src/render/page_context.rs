//! What one page's template sees, one function per page kind.
//!
//! The values are built from the model only; the body of an article (its HTML, word count and
//! reading time) is left out here and added when the page is actually rendered, because it is
//! the costly part and a function of the article's Markdown alone (see [`PageContext::body`]).
//! The same [`PageContext`] is what the page's fingerprint hashes, so nothing a template can
//! read escapes invalidation.

use serde::Serialize;
use tera::Value;

use super::Renderer;
use super::context::archive_title;
use super::fingerprint::ValueHasher;
use super::navigation;
use crate::model::pages::{Page, PageKind, page_count, page_path, page_slice};
use crate::model::{Archive, ArchiveId, ArticleId, Period, SectionId, Site, TaxonomyKind, TermId};

/// One step of a breadcrumb.
#[derive(Debug, Clone, Serialize)]
pub struct Crumb {
    pub title: String,
    pub url: String,
    pub permalink: String,
}

/// The `page` value: what every template knows about the page it renders.
#[derive(Debug, Clone, Serialize)]
pub struct PageInfo {
    pub path: String,
    pub url: String,
    pub permalink: String,
    /// `front`, `article`, `section`, `archive`, `terms`, `term`, `search`, `404`, `redirect`.
    pub kind: &'static str,
    pub title: String,
    pub description: Option<String>,
    pub breadcrumb: Vec<Crumb>,
}

/// The `pagination` value of an index page.
#[derive(Debug, Clone, Serialize)]
struct Pagination {
    current: usize,
    total: usize,
    per_page: usize,
    count: usize,
    first_url: String,
    last_url: String,
    prev_url: Option<String>,
    next_url: Option<String>,
    pages: serde_json::Value,
}

/// A link to a date archive (neighbours, children, ancestors).
#[derive(Debug, Clone, Serialize)]
struct ArchiveLink {
    title: String,
    url: String,
    count: usize,
    datetime: String,
}

/// A term of a term list or term page.
#[derive(Debug, Clone, Serialize)]
struct TermInfo<'t> {
    name: &'t str,
    slug: &'t str,
    url: String,
    count: usize,
    /// Tags have a feed (`/tags/{tag}/feed.xml`), on their own page.
    #[serde(skip_serializing_if = "Option::is_none")]
    feed_url: Option<String>,
}

/// A taxonomy (`tags`, `authors`, `sources`).
#[derive(Debug, Clone, Serialize)]
struct TaxonomyInfo {
    slug: &'static str,
    title: &'static str,
    singular: &'static str,
    url: String,
}

/// Where a redirect page sends the browser (`redirect.url`) and search engines
/// (`redirect.permalink`, the canonical link).
#[derive(Debug, Clone, Serialize)]
struct RedirectInfo {
    url: String,
    permalink: String,
}

/// The values of one page's template context, in insertion order.
pub struct PageContext {
    pub values: Vec<(&'static str, Value)>,
    /// The article whose body the page shows: `body`, `word_count` and `reading_minutes` are
    /// added at render time, and its Markdown stands in the fingerprint for them.
    pub body: Option<ArticleId>,
}

impl PageContext {
    fn insert(&mut self, key: &'static str, value: Value) {
        self.values.push((key, value));
    }

    fn insert_ser(&mut self, key: &'static str, value: &impl Serialize) {
        self.values.push((key, Value::from_serializable(value)));
    }
}

/// The link `{title, url, count, datetime}` to archive `ar`, registered with `hasher`: a day's
/// neighbours and its month are linked from many pages, so each link is built once per build.
pub(super) fn new_archive_link(site: &Site, ar: &Archive, hasher: &ValueHasher) -> Value {
    let link = Value::from_serializable(&ArchiveLink {
        title: archive_title(ar),
        url: site.link(&ar.path),
        count: ar.articles.len(),
        datetime: navigation::period_datetime(&ar.key),
    });
    hasher.register_late(&link, None);
    link
}

impl Renderer<'_> {
    fn crumb(&self, title: &str, path: &str) -> Crumb {
        Crumb {
            title: title.to_string(),
            url: self.site.link(path),
            permalink: self.site.permalink(path),
        }
    }

    fn pagination(&self, base: &str, count: usize, n: usize) -> Pagination {
        let per = self.site.config.per_page;
        let total = page_count(count, per);
        let url = |p: usize| self.site.link(&page_path(base, p));
        Pagination {
            current: n,
            total,
            per_page: per,
            count,
            first_url: url(1),
            last_url: url(total),
            prev_url: (n > 1).then(|| url(n - 1)),
            next_url: (n < total).then(|| url(n + 1)),
            pages: navigation::page_links(total, n, url),
        }
    }

    fn taxonomy_info(&self, kind: TaxonomyKind) -> TaxonomyInfo {
        TaxonomyInfo {
            slug: kind.slug(),
            title: kind.title(),
            singular: kind.singular(),
            url: self.site.link(&format!("{}/", kind.slug())),
        }
    }

    /// The page's context, without the body of an article (see [`PageContext::body`]).
    pub fn page_context(&self, page: &Page) -> PageContext {
        let site = self.site;
        let mut info = PageInfo {
            path: page.path.clone(),
            url: site.link(&page.path),
            permalink: site.permalink(&page.path),
            kind: "",
            title: site.config.title.clone(),
            description: site.config.description.clone(),
            breadcrumb: vec![self.crumb("Home", "")],
        };
        let mut ctx = PageContext {
            values: Vec::with_capacity(12),
            body: None,
        };
        match &page.kind {
            PageKind::Front => info.kind = "front",
            PageKind::Article(id) => self.article_context(*id, &mut info, &mut ctx),
            PageKind::Section { section, page: n } => {
                self.section_context(*section, *n, &mut info, &mut ctx)
            }
            PageKind::Archive { archive, page: n } => {
                self.archive_context(*archive, *n, &mut info, &mut ctx)
            }
            PageKind::TermList { kind, page: n } => {
                self.term_list_context(*kind, *n, &mut info, &mut ctx)
            }
            PageKind::Term {
                kind,
                term,
                page: n,
            } => self.term_context(*kind, *term, *n, &mut info, &mut ctx),
            PageKind::Search => {
                info.kind = "search";
                info.title = "Search".into();
                info.breadcrumb.push(self.crumb("Search", "search/"));
            }
            PageKind::NotFound => {
                info.kind = "404";
                info.title = "Page not found".into();
            }
            PageKind::Redirect { to } => {
                info.kind = "redirect";
                ctx.insert_ser(
                    "redirect",
                    &RedirectInfo {
                        url: site.link(to),
                        permalink: site.permalink(to),
                    },
                );
            }
        }
        ctx.insert("seo", super::seo::page_values(site, &self.seo, page, &info));
        ctx.insert_ser("page", &info);
        ctx
    }

    fn article_context(&self, id: ArticleId, info: &mut PageInfo, ctx: &mut PageContext) {
        let site = self.site;
        let a = &site.articles[id];
        let s = &site.sections[a.section];
        info.kind = "article";
        info.title = a.title.clone();
        info.description = Some(a.summary.clone());
        info.breadcrumb
            .push(self.crumb(&s.title, &format!("{}/", s.slug)));
        ctx.body = Some(id);
        let card = |i: Option<ArticleId>| {
            i.map_or_else(Value::none, |i| self.shared.card(i, &self.hasher))
        };
        ctx.insert("article", self.shared.card(id, &self.hasher));
        ctx.insert("section", self.shared.section_nav[a.section].clone());
        let (newer, older) = site.section_neighbours(a.section, self.section_pos[id]);
        ctx.insert("newer", card(newer));
        ctx.insert("older", card(older));
        ctx.insert(
            "other_news",
            self.shared.list(&site.other_news(id), &self.hasher),
        );
    }

    fn section_context(
        &self,
        section: SectionId,
        n: usize,
        info: &mut PageInfo,
        ctx: &mut PageContext,
    ) {
        let site = self.site;
        let s = &site.sections[section];
        let base = format!("{}/", s.slug);
        info.kind = "section";
        info.title = s.title.clone();
        info.description = s.description.clone();
        info.breadcrumb.push(self.crumb(&s.title, &base));
        ctx.insert("section", self.shared.sections[section].clone());
        let per = site.config.per_page;
        ctx.insert(
            "articles",
            self.shared
                .list(page_slice(&s.articles, per, n), &self.hasher),
        );
        ctx.insert_ser("pagination", &self.pagination(&base, s.articles.len(), n));
    }

    /// The link to archive `i` (see `Renderer::archive_links`).
    fn archive_link(&self, i: ArchiveId) -> Value {
        self.archive_links[i]
            .get_or_init(|| new_archive_link(self.site, &self.site.archives[i], &self.hasher))
            .clone()
    }

    fn archive_context(
        &self,
        archive: ArchiveId,
        n: usize,
        info: &mut PageInfo,
        ctx: &mut PageContext,
    ) {
        let site = self.site;
        let ar = &site.archives[archive];
        let title = archive_title(ar);
        if let Some(s) = ar.key.section {
            let sec = &site.sections[s];
            info.breadcrumb
                .push(self.crumb(&sec.title, &format!("{}/", sec.slug)));
            ctx.insert("section", self.shared.section_nav[s].clone());
        }
        info.breadcrumb.push(self.crumb(&title, &ar.path));
        info.kind = "archive";
        info.title = match ar.key.section {
            Some(s) => format!("{}: {title}", site.sections[s].title),
            None => title.clone(),
        };
        let (prev, next) = self.archive_nav[archive];
        // Year and month above this archive; the month calendar; a year's 12 months.
        let up = navigation::ancestors(site, &ar.key);
        // Month calendars and year grids are built once per build (`Renderer::period_grid`).
        let (calendar, months, granularity) = match ar.key.period {
            Period::Day(..) => (up.last().map(|&m| self.period_grid(m)), None, "day"),
            Period::Month(..) => (Some(self.period_grid(archive)), None, "month"),
            Period::Year(_) => (None, Some(self.period_grid(archive)), "year"),
        };
        let links = |ids: &[ArchiveId]| -> Value {
            Value::from(
                ids.iter()
                    .map(|&i| self.archive_link(i))
                    .collect::<Vec<_>>(),
            )
        };
        let link = |i: Option<ArchiveId>| i.map_or_else(Value::none, |i| self.archive_link(i));
        let archive_value = super::context::obj([
            ("title", title.as_str().into()),
            ("granularity", granularity.into()),
            ("year", ar.key.period.year().into()),
            ("month", ar.key.period.month().into()),
            ("day", ar.key.period.day().into()),
            ("prev", link(prev)),
            ("next", link(next)),
            ("children", links(&self.archive_children[archive])),
            ("count", ar.articles.len().into()),
            ("datetime", navigation::period_datetime(&ar.key).into()),
            ("up", links(&up)),
            ("calendar", calendar.unwrap_or_else(Value::none)),
            ("months", months.unwrap_or_else(Value::none)),
        ]);
        ctx.insert("archive", archive_value);
        let per = site.config.per_page;
        ctx.insert(
            "articles",
            self.shared
                .list(page_slice(&ar.articles, per, n), &self.hasher),
        );
        ctx.insert_ser(
            "pagination",
            &self.pagination(&ar.path, ar.articles.len(), n),
        );
    }

    fn term_list_context(
        &self,
        kind: TaxonomyKind,
        n: usize,
        info: &mut PageInfo,
        ctx: &mut PageContext,
    ) {
        let site = self.site;
        let tax = site.taxonomy(kind);
        let base = format!("{}/", kind.slug());
        info.kind = "terms";
        info.title = kind.title().to_string();
        info.breadcrumb.push(self.crumb(kind.title(), &base));
        let per = site.config.per_page;
        let terms: Vec<TermInfo> = page_slice(&tax.terms.raw, per, n)
            .iter()
            .map(|t| TermInfo {
                name: &t.name,
                slug: &t.slug,
                url: site.link(&format!("{base}{}/", t.slug)),
                count: t.articles.len(),
                feed_url: None,
            })
            .collect();
        ctx.insert_ser("taxonomy", &self.taxonomy_info(kind));
        ctx.insert_ser("terms", &terms);
        ctx.insert_ser("pagination", &self.pagination(&base, tax.terms.len(), n));
    }

    fn term_context(
        &self,
        kind: TaxonomyKind,
        term: TermId,
        n: usize,
        info: &mut PageInfo,
        ctx: &mut PageContext,
    ) {
        let site = self.site;
        let t = &site.taxonomy(kind).terms[term];
        let list = format!("{}/", kind.slug());
        let base = format!("{list}{}/", t.slug);
        info.kind = "term";
        info.title = t.name.clone();
        info.breadcrumb.push(self.crumb(kind.title(), &list));
        info.breadcrumb.push(self.crumb(&t.name, &base));
        ctx.insert_ser("taxonomy", &self.taxonomy_info(kind));
        ctx.insert_ser(
            "term",
            &TermInfo {
                name: &t.name,
                slug: &t.slug,
                url: site.link(&base),
                count: t.articles.len(),
                feed_url: (kind == TaxonomyKind::Tags)
                    .then(|| site.link(&format!("{base}feed.xml"))),
            },
        );
        let per = site.config.per_page;
        ctx.insert(
            "articles",
            self.shared
                .list(page_slice(&t.articles, per, n), &self.hasher),
        );
        ctx.insert_ser("pagination", &self.pagination(&base, t.articles.len(), n));
    }
}
