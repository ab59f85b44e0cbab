//! Rendering: Markdown bodies and Tera templates, in parallel over the page plan.

pub mod context;
pub mod markdown;
pub mod navigation;
pub mod theme;

use chrono::DateTime;
use chrono_tz::Tz;
use rayon::prelude::*;
use serde_json::json;
use tera::{Kwargs, State, Tera, TeraResult, Value};

use crate::error::Diagnostic;
use crate::load::config::Config;
use crate::model::pages::{Page, PageKind, page_count, page_path, page_slice};
use crate::model::{Site, TaxonomyKind};
use crate::output::Output;
use context::{Shared, archive_title};
use markdown::LinkBase;
use theme::Theme;

/// Renders pages of one site with one theme. Holds everything shared between pages.
pub struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    tera: Tera,
    shared: Shared,
    /// Position of each article in its section's list.
    section_pos: Vec<usize>,
    /// For each archive: (previous, next) archive of the same section and granularity.
    archive_nav: Vec<(Option<usize>, Option<usize>)>,
    /// For each archive: its child archives (months of a year, days of a month).
    archive_children: Vec<Vec<usize>>,
    /// For each archive: its month calendar (month archives) or twelve-month grid (years);
    /// none for days, which show their month's.
    period_grids: Vec<Value>,
    /// Structured-data values that are the same on every page.
    seo: crate::seo::Shared,
    /// Extra HTML put before `</body>` (the live-reload script while serving).
    pub inject_before_body_end: Option<String>,
    /// Link targets found in article bodies while rendering, for [`Renderer::check_links`].
    links: std::sync::Mutex<Vec<(usize, Vec<String>)>>,
}

impl<'a> Renderer<'a> {
    /// `tera` comes from [`load_templates`] for the same site configuration.
    pub fn new(site: &'a Site, theme: &'a Theme, mut tera: Tera) -> Self {
        let shared = Shared::build(site);
        *tera.global_context() = context::global(site, &shared);

        let mut section_pos = vec![0; site.articles.len()];
        for s in &site.sections {
            for (pos, &id) in s.articles.iter().enumerate() {
                section_pos[id] = pos;
            }
        }
        let n = site.archives.len();
        let mut archive_nav = vec![(None, None); n];
        let mut archive_children = vec![Vec::new(); n];
        let group = |i: usize| {
            let k = &site.archives[i].key;
            (k.section, k.month.is_some(), k.day.is_some())
        };
        // Archives are sorted by key, so same-group neighbours in order are prev/next in time.
        let mut last_in_group: std::collections::HashMap<(Option<usize>, bool, bool), usize> =
            std::collections::HashMap::new();
        let mut parent_of: std::collections::HashMap<crate::model::ArchiveKey, usize> =
            std::collections::HashMap::new();
        for i in 0..n {
            let g = group(i);
            if let Some(&prev) = last_in_group.get(&g) {
                archive_nav[i].0 = Some(prev);
                archive_nav[prev].1 = Some(i);
            }
            last_in_group.insert(g, i);
            let k = &site.archives[i].key;
            let parent = match (k.month, k.day) {
                (Some(_), Some(_)) => Some(crate::model::ArchiveKey {
                    day: None,
                    ..k.clone()
                }),
                (Some(_), None) => Some(crate::model::ArchiveKey {
                    month: None,
                    day: None,
                    ..k.clone()
                }),
                _ => None,
            };
            if let Some(p) = parent.and_then(|p| parent_of.get(&p).copied()) {
                archive_children[p].push(i);
            }
            parent_of.insert(k.clone(), i);
        }
        let period_grids = (0..n)
            .into_par_iter()
            .map(
                |i| match (site.archives[i].key.month, site.archives[i].key.day) {
                    (Some(_), None) => {
                        Value::from_serializable(&navigation::month_calendar(site, i))
                    }
                    (None, _) => Value::from_serializable(&navigation::year_months(site, i)),
                    _ => Value::none(),
                },
            )
            .collect();
        Renderer {
            site,
            theme,
            tera,
            shared,
            section_pos,
            archive_nav,
            archive_children,
            period_grids,
            seo: crate::seo::Shared::new(site),
            inject_before_body_end: None,
            links: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// The values shared by every page (article cards, sections): `serve` compares them with
    /// the previous build's to find the pages an edit touches.
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Renders every page into `out`, in parallel. Returns all template errors.
    pub fn render_all(&self, pages: &[Page], out: &Output) -> Vec<Diagnostic> {
        let mut errors: Vec<Diagnostic> = pages
            .par_iter()
            .filter_map(|page| {
                let html = match self.render_page(page) {
                    Ok(h) => h,
                    Err(d) => return Some(d),
                };
                out.write(&page.file(), html.as_bytes()).err()
            })
            .collect();
        errors.sort();
        errors.dedup();
        errors
    }

    /// Renders one page to HTML.
    pub fn render_page(&self, page: &Page) -> Result<String, Diagnostic> {
        let ctx = self.page_context(page);
        let template = page.kind.template();
        let mut html = self
            .tera
            .render(template, &ctx)
            .map_err(|e| self.theme.template_error(&e))?;
        if let Some(script) = &self.inject_before_body_end {
            match html.rfind("</body>") {
                Some(i) => html.insert_str(i, script),
                None => html.push_str(script),
            }
        }
        Ok(html)
    }

    fn record_links(&self, id: usize, body: &markdown::RenderedBody) {
        let a = &self.site.articles[id];
        let mut targets: Vec<String> = body
            .internal_links
            .iter()
            .map(|l| l.trim_start_matches('/').to_string())
            .collect();
        targets.extend(body.relative_links.iter().map(|l| format!("{}{l}", a.path)));
        if let Some(img) = &a.image
            && !img.contains("://")
            && !img.starts_with("//")
        {
            targets.push(match img.strip_prefix('/') {
                Some(abs) => abs.to_string(),
                None => format!("{}{img}", a.path),
            });
        }
        if !targets.is_empty()
            && let Ok(mut links) = self.links.lock()
        {
            links.push((id, targets));
        }
    }

    /// Internal links and images of article bodies that lead to no file of the finished
    /// output in `root`: one diagnostic per broken target (warnings in `build`).
    pub fn check_links(&self, root: &std::path::Path) -> Vec<Diagnostic> {
        let mut links = match self.links.lock() {
            Ok(l) => l.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        links.sort();
        let mut out = Vec::new();
        for (id, targets) in links {
            let a = &self.site.articles[id];
            for t in targets {
                let clean = t.split(['#', '?']).next().unwrap_or("");
                let decoded = percent_decode(clean);
                let exists = if decoded.is_empty() {
                    true
                } else if decoded.ends_with('/') {
                    root.join(&decoded).join("index.html").is_file()
                } else {
                    let p = root.join(&decoded);
                    p.is_file() || p.join("index.html").is_file()
                };
                let escapes = decoded.split('/').any(|s| s == "..");
                if escapes || !exists {
                    out.push(Diagnostic::warning(
                        &a.source_path,
                        None,
                        format!("broken link: /{decoded} is not a page or file of the site"),
                    ));
                }
            }
        }
        out
    }

    fn crumb(&self, title: &str, path: &str) -> serde_json::Value {
        json!({ "title": title, "url": self.site.link(path), "permalink": self.site.permalink(path) })
    }

    fn pagination(&self, base: &str, count: usize, n: usize) -> serde_json::Value {
        let per = self.site.config.per_page;
        let total = page_count(count, per);
        let url = |p: usize| self.site.link(&page_path(base, p));
        json!({
            "current": n,
            "total": total,
            "per_page": per,
            "count": count,
            "first_url": url(1),
            "last_url": url(total),
            "prev_url": if n > 1 { Some(url(n - 1)) } else { None },
            "next_url": if n < total { Some(url(n + 1)) } else { None },
            "pages": navigation::page_links(total, n, url),
        })
    }

    fn page_context(&self, page: &Page) -> tera::Context {
        let site = self.site;
        let mut ctx = tera::Context::new();
        let home = self.crumb("Home", "");
        let mut page_info = json!({
            "path": page.path,
            "url": site.link(&page.path),
            "permalink": site.permalink(&page.path),
            "kind": "",
            "title": site.config.title,
            "description": site.config.description,
            "breadcrumb": [home],
        });
        let set = |p: &mut serde_json::Value,
                   kind: &str,
                   title: String,
                   crumbs: Vec<serde_json::Value>| {
            p["kind"] = json!(kind);
            p["title"] = json!(title);
            p["breadcrumb"] = json!(crumbs);
        };
        let per = site.config.per_page;
        match &page.kind {
            PageKind::Front => {
                page_info["kind"] = json!("front");
            }
            PageKind::Article(id) => {
                let a = &site.articles[*id];
                let s = &site.sections[a.section];
                set(
                    &mut page_info,
                    "article",
                    a.title.clone(),
                    vec![home, self.crumb(&s.title, &format!("{}/", s.slug))],
                );
                page_info["description"] = json!(a.summary);
                let pictures = |url: &str| crate::images::body_set(site, a, url);
                let body = markdown::render_body_with_images(
                    &a.body,
                    &LinkBase {
                        root: site.config.base_url.path.trim_end_matches('/'),
                        page: None,
                    },
                    site.config.unsafe_html,
                    Some(&pictures),
                );
                self.record_links(*id, &body);
                let words = markdown::plain_text(&a.body).split_whitespace().count();
                ctx.insert_value("article", self.shared.cards[*id].clone());
                ctx.insert_value("body", Value::safe_string(&body.html));
                ctx.insert("word_count", &words);
                ctx.insert("reading_minutes", &words.div_ceil(230).max(1));
                ctx.insert_value("section", self.shared.sections[a.section].clone());
                let (newer, older) = site.section_neighbours(a.section, self.section_pos[*id]);
                ctx.insert_value(
                    "newer",
                    newer
                        .map(|i| self.shared.cards[i].clone())
                        .unwrap_or_else(Value::none),
                );
                ctx.insert_value(
                    "older",
                    older
                        .map(|i| self.shared.cards[i].clone())
                        .unwrap_or_else(Value::none),
                );
                let others = site.other_news(*id);
                ctx.insert_value("other_news", self.shared.list(&others));
            }
            PageKind::Section { section, page: n } => {
                let s = &site.sections[*section];
                let base = format!("{}/", s.slug);
                set(
                    &mut page_info,
                    "section",
                    s.title.clone(),
                    vec![home, self.crumb(&s.title, &base)],
                );
                page_info["description"] = json!(s.description);
                ctx.insert_value("section", self.shared.sections[*section].clone());
                ctx.insert_value(
                    "articles",
                    self.shared.list(page_slice(&s.articles, per, *n)),
                );
                ctx.insert("pagination", &self.pagination(&base, s.articles.len(), *n));
            }
            PageKind::Archive { archive, page: n } => {
                let ar = &site.archives[*archive];
                let title = archive_title(ar);
                let mut crumbs = vec![home];
                if let Some(s) = ar.key.section {
                    let sec = &site.sections[s];
                    crumbs.push(self.crumb(&sec.title, &format!("{}/", sec.slug)));
                    ctx.insert_value("section", self.shared.sections[s].clone());
                }
                crumbs.push(self.crumb(&title, &ar.path));
                let full_title = match ar.key.section {
                    Some(s) => format!("{}: {title}", site.sections[s].title),
                    None => title.clone(),
                };
                set(&mut page_info, "archive", full_title, crumbs);
                let link = |i: usize| {
                    let a = &site.archives[i];
                    json!({ "title": archive_title(a), "url": site.link(&a.path), "count": a.articles.len(), "datetime": navigation::period_datetime(&a.key) })
                };
                let (prev, next) = self.archive_nav[*archive];
                // Year and month above this archive; the month calendar; a year's 12 months.
                let up = navigation::ancestors(site, &ar.key);
                // Month calendars and year grids are built once per build (`Renderer::new`).
                let calendar = match (ar.key.month, ar.key.day) {
                    (Some(_), Some(_)) => up.last().map(|&m| self.period_grids[m].clone()),
                    (Some(_), None) => Some(self.period_grids[*archive].clone()),
                    _ => None,
                };
                let months = ar
                    .key
                    .month
                    .is_none()
                    .then(|| self.period_grids[*archive].clone());
                let children: Vec<_> = self.archive_children[*archive]
                    .iter()
                    .map(|&i| link(i))
                    .collect();
                let archive_json = json!({
                        "title": title,
                        "granularity": match (ar.key.month, ar.key.day) {
                            (Some(_), Some(_)) => "day",
                            (Some(_), None) => "month",
                            _ => "year",
                        },
                        "year": ar.key.year,
                        "month": ar.key.month,
                        "day": ar.key.day,
                        "prev": prev.map(link),
                        "next": next.map(link),
                        "children": children,
                        "count": ar.articles.len(),
                        "datetime": navigation::period_datetime(&ar.key),
                        "up": up.iter().map(|&i| link(i)).collect::<Vec<_>>(),
                });
                let mut archive_map = Value::from_serializable(&archive_json)
                    .into_map()
                    .unwrap_or_default();
                archive_map.insert("calendar".into(), calendar.unwrap_or_else(Value::none));
                archive_map.insert("months".into(), months.unwrap_or_else(Value::none));
                ctx.insert_value("archive", Value::from(archive_map));
                ctx.insert_value(
                    "articles",
                    self.shared.list(page_slice(&ar.articles, per, *n)),
                );
                ctx.insert(
                    "pagination",
                    &self.pagination(&ar.path, ar.articles.len(), *n),
                );
            }
            PageKind::TermList { kind, page: n } => {
                let tax = site.taxonomy(*kind);
                let base = format!("{}/", kind.slug());
                set(
                    &mut page_info,
                    "terms",
                    kind.title().to_string(),
                    vec![home, self.crumb(kind.title(), &base)],
                );
                let terms: Vec<_> = page_slice(&tax.terms, per, *n)
                    .iter()
                    .map(|t| {
                        json!({
                            "name": t.name,
                            "slug": t.slug,
                            "url": site.link(&format!("{base}{}/", t.slug)),
                            "count": t.articles.len(),
                        })
                    })
                    .collect();
                ctx.insert("taxonomy", &taxonomy_json(site, *kind));
                ctx.insert("terms", &terms);
                ctx.insert("pagination", &self.pagination(&base, tax.terms.len(), *n));
            }
            PageKind::Term {
                kind,
                term,
                page: n,
            } => {
                let t = &site.taxonomy(*kind).terms[*term];
                let list = format!("{}/", kind.slug());
                let base = format!("{list}{}/", t.slug);
                set(
                    &mut page_info,
                    "term",
                    t.name.clone(),
                    vec![
                        home,
                        self.crumb(kind.title(), &list),
                        self.crumb(&t.name, &base),
                    ],
                );
                ctx.insert("taxonomy", &taxonomy_json(site, *kind));
                ctx.insert(
                    "term",
                    &json!({
                        "name": t.name,
                        "slug": t.slug,
                        "url": site.link(&base),
                        "count": t.articles.len(),
                    }),
                );
                ctx.insert_value(
                    "articles",
                    self.shared.list(page_slice(&t.articles, per, *n)),
                );
                ctx.insert("pagination", &self.pagination(&base, t.articles.len(), *n));
            }
            PageKind::Search => {
                set(
                    &mut page_info,
                    "search",
                    "Search".into(),
                    vec![home, self.crumb("Search", "search/")],
                );
            }
            PageKind::NotFound => {
                set(&mut page_info, "404", "Page not found".into(), vec![home]);
            }
            PageKind::Redirect { to } => {
                page_info["kind"] = json!("redirect");
                ctx.insert(
                    "redirect",
                    &json!({ "url": site.link(to), "permalink": site.permalink(to) }),
                );
            }
        }
        ctx.insert_value(
            "seo",
            crate::seo::page_values(site, &self.seo, page, &page_info),
        );
        ctx.insert("page", &page_info);
        ctx
    }
}

fn taxonomy_json(site: &Site, kind: TaxonomyKind) -> serde_json::Value {
    json!({
        "slug": kind.slug(),
        "title": kind.title(),
        "singular": kind.singular(),
        "url": site.link(&format!("{}/", kind.slug())),
    })
}

/// Loads the theme's templates with newsgen's filters and functions. Separate from
/// [`Renderer::new`] so template errors are found together with content errors.
pub fn load_templates(
    config: &Config,
    theme: &Theme,
    site_dir: &std::path::Path,
    images: &std::sync::Arc<crate::images::Images>,
) -> Result<Tera, Vec<Diagnostic>> {
    let mut tera = Tera::new();
    register_helpers(&mut tera, config);
    crate::images::template::register(&mut tera, images.clone());
    theme.load_templates(site_dir, tera)
}

/// Filters and functions newsgen adds to Tera (documented in docs/templates.md).
fn register_helpers(tera: &mut Tera, config: &Config) {
    let tz = config.timezone;
    tera.register_filter(
        "date",
        move |value: &str, kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let format = kwargs
                .get::<&str>("format")?
                .unwrap_or(context::DATETIME_FORMAT)
                .to_string();
            // Any form front matter accepts: RFC 3339, a local datetime or a bare date.
            let parsed = crate::dates::parse_datetime(value, tz).map_err(|_| {
                tera::Error::message(format!(
                    "`date` filter: `{value}` is not a date (use an RFC 3339 string such as \
                     article.date.iso)"
                ))
            })?;
            let local: DateTime<Tz> = parsed.instant;
            let mut out = String::new();
            use std::fmt::Write as _;
            write!(out, "{}", local.format(&format)).map_err(|_| {
                tera::Error::message(format!("`date` filter: bad format `{format}`"))
            })?;
            Ok(out)
        },
    );
    let base_path = config.base_url.path.clone();
    tera.register_function(
        "url",
        move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let path: &str = kwargs.must_get("path")?;
            Ok(format!("{base_path}{}", path.trim_start_matches('/')))
        },
    );
    let base_full = config.base_url.full();
    tera.register_function(
        "abs_url",
        move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let path: &str = kwargs.must_get("path")?;
            Ok(format!("{base_full}{}", path.trim_start_matches('/')))
        },
    );
    tera.register_filter(
        "json",
        |value: Value, _: Kwargs, _: &State| -> TeraResult<Value> {
            let text = serde_json::to_string(&value)
                .map_err(|e| tera::Error::message(format!("`json` filter: {e}")))?;
            Ok(Value::safe_string(&escape_json_for_html(&text)))
        },
    );
}

/// Decodes `%XX` escapes of a URL path (invalid sequences are kept as written).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Escapes text for HTML element content and attribute values (outside templates: feed
/// content, the serve error overlay).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Makes JSON safe inside `<script>`: no `</script>`, `<!--` or U+2028/9 can break out.
pub fn escape_json_for_html(json: &str) -> String {
    let bytes = json.as_bytes();
    let mut out = String::with_capacity(json.len() + 16);
    let mut done = 0;
    let mut i = 0;
    while i < bytes.len() {
        let replacement = match bytes[i] {
            b'<' => Some(("\\u003c", 1)),
            b'>' => Some(("\\u003e", 1)),
            b'&' => Some(("\\u0026", 1)),
            // U+2028 and U+2029 are E2 80 A8 / E2 80 A9 in UTF-8.
            0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA8) => {
                Some(("\\u2028", 3))
            }
            0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA9) => {
                Some(("\\u2029", 3))
            }
            _ => None,
        };
        match replacement {
            Some((text, len)) => {
                out.push_str(&json[done..i]);
                out.push_str(text);
                i += len;
                done = i;
            }
            None => i += 1,
        }
    }
    out.push_str(&json[done..]);
    out
}

#[cfg(test)]
mod escape_tests {
    use super::escape_json_for_html;

    #[test]
    fn json_cannot_close_a_script() {
        let raw = "{\"t\":\"</script><!-- & \u{2028}\u{2029} Māori\"}";
        let safe = escape_json_for_html(raw);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        assert!(!safe.contains('\u{2028}') && !safe.contains('\u{2029}'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["t"], "</script><!-- & \u{2028}\u{2029} Māori");
    }
}
