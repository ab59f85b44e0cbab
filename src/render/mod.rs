//! Rendering: Markdown bodies and Tera templates, in parallel over the page plan.

pub mod context;
pub mod deps;
pub mod fingerprint;
pub mod fragments;
pub mod links;
pub mod markdown;
pub mod navigation;
pub mod page_context;
pub mod raw_html;
pub mod seo;
pub mod theme;

use std::path::Path;

use chrono::DateTime;
use chrono_tz::Tz;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use rustc_hash::FxHashSet;
use tera::{Kwargs, State, Tera, TeraResult, Value};
use typed_index_collections::TiVec;
use xxhash_rust::xxh3::xxh3_128;

use crate::error::Diagnostic;
use crate::load::config::Config;
use crate::model::pages::{Page, PageKind};
use crate::model::{Archive, ArchiveId, ArticleId, Period, Site};
use crate::output::Fingerprint;
use crate::output::Output;
use crate::output::manifest::{ArticleSet, BodyLinks};
use crate::progress::Counters;
use crate::util::escape::escape_json_for_html;
use context::Shared;
use deps::TemplateDeps;
use fingerprint::ValueHasher;
use markdown::LinkBase;
use page_context::PageContext;
use theme::Theme;

/// The month calendar (months) or twelve-month grid (years) of archive `ar`, registered
/// with `hasher`; none for days.
fn new_period_grid(site: &Site, ar: &Archive, hasher: &ValueHasher) -> Value {
    let grid = match ar.key.period {
        Period::Month(..) => navigation::month_calendar(site, ar),
        Period::Year(_) => navigation::year_months(site, ar),
        Period::Day(..) => Value::none(),
    };
    hasher.register_late(&grid, None);
    grid
}

/// Renders pages of one site with one theme. Holds everything shared between pages.
pub struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    /// The theme's templates, with `cached` ([`fragments`]) bound to this renderer.
    tera: Arc<Tera>,
    shared: Shared<'a>,
    /// Position of each article in its section's list.
    section_pos: TiVec<ArticleId, usize>,
    /// For each archive: (previous, next) archive of the same section and granularity.
    archive_nav: TiVec<ArchiveId, (Option<ArchiveId>, Option<ArchiveId>)>,
    /// For each archive: its child archives (months of a year, days of a month).
    archive_children: TiVec<ArchiveId, Vec<ArchiveId>>,
    /// For each archive: its month calendar (month archives) or twelve-month grid (years);
    /// none for days, which show their month's. Built on first use, like cards.
    period_grids: TiVec<ArchiveId, OnceLock<Value>>,
    /// For each archive: its link `{title, url, count, datetime}` (neighbours, children and
    /// ancestors on other archives' pages), built up front with the cards or on first use.
    archive_links: TiVec<ArchiveId, OnceLock<Value>>,
    /// Structured-data values that are the same on every page.
    seo: seo::Shared,
    /// Hashes page contexts, with the shared values (cards, sections) hashed once.
    hasher: ValueHasher,
    /// What each page template reads of the global context.
    deps: TemplateDeps,
    /// Extra HTML put before `</body>` (the live-reload script while serving).
    pub inject_before_body_end: Option<String>,
    /// Links and element ids of article bodies (rendered or kept), for
    /// [`Renderer::check_links`].
    links: std::sync::Mutex<Vec<(ArticleId, Arc<BodyLinks>)>>,
    /// Pages checked and rendered so far.
    counters: Arc<Counters>,
}

impl<'a> Renderer<'a> {
    /// `tera` comes from [`load_templates`] for the same site configuration; `site_dir` is
    /// where the theme's template files are read for the fingerprints. With `all_cards`, every
    /// article's card is built up front (in parallel); otherwise each is built when a page
    /// first needs it (a build that renders a few pages).
    pub fn new(
        site: &'a Site,
        theme: &'a Theme,
        mut tera: Tera,
        site_dir: &Path,
        all_cards: bool,
    ) -> Self {
        let mut hasher = ValueHasher::new();
        let shared = Shared::new(site);
        if all_cards {
            shared.build_all_cards(&hasher);
        }
        let globals = context::global(site, &shared, &hasher);
        let mut section_pos: TiVec<ArticleId, usize> = vec![0; site.articles.len()].into();
        for s in &site.sections {
            for (pos, &id) in s.articles.iter().enumerate() {
                section_pos[id] = pos;
            }
        }
        let n = site.archives.len();
        let mut archive_nav: TiVec<ArchiveId, _> = vec![(None, None); n].into();
        let mut archive_children: TiVec<ArchiveId, Vec<_>> = vec![Vec::new(); n].into();
        let group = |i: ArchiveId| {
            let k = &site.archives[i].key;
            (k.section, std::mem::discriminant(&k.period))
        };
        // Archives are sorted by key, so same-group neighbours in order are prev/next in time.
        let mut last_in_group: rustc_hash::FxHashMap<_, ArchiveId> = Default::default();
        let mut parent_of: rustc_hash::FxHashMap<crate::model::ArchiveKey, ArchiveId> =
            Default::default();
        for i in site.archives.keys() {
            let g = group(i);
            if let Some(&prev) = last_in_group.get(&g) {
                archive_nav[i].0 = Some(prev);
                archive_nav[prev].1 = Some(i);
            }
            last_in_group.insert(g, i);
            let k = &site.archives[i].key;
            if let Some(p) = k.parent().and_then(|p| parent_of.get(&p).copied()) {
                archive_children[p].push(i);
            }
            parent_of.insert(k.clone(), i);
        }
        let period_grids: TiVec<ArchiveId, OnceLock<Value>> =
            (0..n).map(|_| OnceLock::new()).collect();
        let archive_links: TiVec<ArchiveId, OnceLock<Value>> =
            (0..n).map(|_| OnceLock::new()).collect();
        if all_cards {
            period_grids
                .raw
                .par_iter()
                .zip(&archive_links.raw)
                .zip(&site.archives.raw)
                .for_each(|((grid, link), ar)| {
                    grid.get_or_init(|| new_period_grid(site, ar, &hasher));
                    link.get_or_init(|| page_context::new_archive_link(site, ar, &hasher));
                });
        }
        hasher.seal();
        hasher.register(shared.sections.iter().chain(&shared.section_nav));
        let deps = TemplateDeps::new(theme, site_dir, &globals, &hasher);
        let global_context = tera.global_context();
        for (key, value) in globals {
            global_context.insert_value(key, value);
        }
        let tera = fragments::Fragments::install(tera);

        Renderer {
            site,
            theme,
            tera,
            shared,
            section_pos,
            archive_nav,
            archive_children,
            period_grids,
            archive_links,
            seo: seo::Shared::new(site),
            hasher,
            deps,
            inject_before_body_end: None,
            links: std::sync::Mutex::new(Vec::new()),
            counters: Arc::default(),
        }
    }

    /// The month calendar or year grid of archive `i` (see `period_grids`).
    fn period_grid(&self, i: ArchiveId) -> Value {
        self.period_grids[i]
            .get_or_init(|| new_period_grid(self.site, &self.site.archives[i], &self.hasher))
            .clone()
    }

    /// Renders the pages of `pages` that `keep` does not keep, in parallel, into `out`.
    /// Returns all template errors.
    pub fn render_pages(&self, pages: &[Page], out: &Output, keep: Keep<'_>) -> Vec<Diagnostic> {
        let mut errors: Vec<Diagnostic> = pages
            .par_iter()
            .filter_map(|page| {
                let article = match page.kind {
                    PageKind::Article(id) => Some(id),
                    _ => None,
                };
                let file = page.file();
                if let Keep::Unless(changed) = keep
                    && !self.may_differ(page, &file, out, changed)
                    && let Some(links) = out.keep(&file)
                {
                    self.note_links(article, links);
                    self.counters.page_done(false);
                    return None;
                }
                let ctx = self.page_context(page);
                let fingerprint = self.fingerprint(page, &ctx);
                self.counters.page_fingerprinted();
                if self.site.images.still_valid(out.previous_images(&file))
                    && let Some(links) = out.keep_page(&file, &fingerprint)
                {
                    self.note_links(ctx.body, links);
                    self.counters.page_done(false);
                    return None;
                }
                let shown = ctx.body;
                let body = shown.map(|id| self.site.articles[id].body_hash());
                let (rendered, images) =
                    crate::images::recording(|| self.render_context(page, ctx));
                let result = rendered.and_then(|(html, links)| {
                    self.note_links(shown, links.clone());
                    out.write_page(&file, html.as_bytes(), fingerprint, body, links, images)
                });
                self.counters.page_done(true);
                result.err()
            })
            .collect();
        errors.sort();
        errors.dedup();
        errors
    }

    /// Under [`Keep::Unless`]: whether the page at `file` may differ from the last build's,
    /// so its context must be built: it shows a changed body, or its context (own values, or
    /// the global values its template reads) held a changed card, or that is not known.
    fn may_differ(&self, page: &Page, file: &str, out: &Output, changed: &Changed) -> bool {
        if let PageKind::Article(id) = page.kind
            && changed.bodies.contains(&id)
        {
            return true;
        }
        if changed.cards.is_empty() {
            return false;
        }
        if self
            .deps
            .reads_card_of(page.kind.template(), &changed.cards)
        {
            return true;
        }
        out.previous_articles(file).is_none_or(|held| {
            held.iter()
                .any(|i| changed.cards.contains(&ArticleId::from(i as usize)))
        })
    }

    /// Counts pages into `counters` (shown by the progress line).
    pub fn set_counters(&mut self, counters: Arc<Counters>) {
        self.counters = counters;
    }

    /// Renders one page to HTML (serve's pages on request: its body's links are not kept for
    /// the link check, so a renderer that answers requests for an hour does not grow).
    pub fn render_page(&self, page: &Page) -> Result<String, Diagnostic> {
        self.render_context(page, self.page_context(page))
            .map(|(html, _)| html)
    }

    /// Renders a page from its context, adding the article body; returns the HTML and the
    /// internal links of the body.
    fn render_context(
        &self,
        page: &Page,
        ctx: PageContext,
    ) -> Result<(String, Option<Arc<BodyLinks>>), Diagnostic> {
        let mut tera_ctx = tera::Context::new();
        let body = ctx.body;
        for (key, value) in ctx.values {
            tera_ctx.insert_value(key, value);
        }
        let mut links = None;
        if let Some(id) = body {
            let a = &self.site.articles[id];
            let markdown = a.body.text()?;
            let pictures = |url: &str| crate::images::body_set(self.site, a, url);
            let rendered = markdown::render_body_with_images(
                markdown,
                &LinkBase {
                    root: self.site.config.base_url.path.trim_end_matches('/'),
                    page: None,
                },
                self.site.config.unsafe_html,
                Some(&pictures),
            );
            let mut targets = rendered.links;
            targets.extend(a.image.clone());
            links = Some(Arc::new(BodyLinks {
                targets,
                ids: rendered.ids,
            }));
            let words = a.word_count;
            tera_ctx.insert_value("body", Value::safe_string(&rendered.html));
            tera_ctx.insert("word_count", &words);
            tera_ctx.insert("reading_minutes", &words.div_ceil(230).max(1));
        }
        let mut html = self
            .tera
            .render(page.kind.template(), &tera_ctx)
            .map_err(|e| self.theme.template_error(&e))?;
        if let Some(script) = &self.inject_before_body_end {
            match html.rfind("</body>") {
                Some(i) => html.insert_str(i, script),
                None => html.push_str(script),
            }
        }
        Ok((html, links))
    }

    /// The page's fingerprint: its path, its template's digest (template texts and the global
    /// values it reads), its own context values and the hash of the Markdown body it shows;
    /// with the articles whose cards its own values hold (an article page's own values also
    /// read its article directly: it is always among them).
    pub fn fingerprint(&self, page: &Page, ctx: &PageContext) -> Fingerprint {
        let mut h = Vec::with_capacity(4096);
        h.extend_from_slice(page.path.as_bytes());
        h.push(0);
        let template = page.kind.template();
        h.extend_from_slice(&self.deps.digest(template).to_le_bytes());
        let mut cards = Vec::new();
        for (key, value) in &ctx.values {
            h.extend_from_slice(key.as_bytes());
            self.hasher.hash_noting(value, &mut h, &mut cards);
        }
        if let Some(id) = ctx.body {
            h.push(0xB0);
            h.extend_from_slice(&self.site.articles[id].body_hash().to_le_bytes());
            cards.push(id);
        }
        let positions = cards
            .into_iter()
            .map(|id| u32::try_from(usize::from(id)).expect("fewer than 2^32 articles in a site"));
        Fingerprint {
            hash: xxh3_128(&h),
            articles: ArticleSet::new(positions.collect()),
        }
    }

    fn note_links(&self, article: Option<ArticleId>, links: Option<Arc<BodyLinks>>) {
        if let (Some(id), Some(links)) = (article, links) {
            self.links
                .lock()
                .expect("no thread panics while holding the link list")
                .push((id, links));
        }
    }

    /// The links of every article body rendered or kept (the renderer's last use: they are
    /// moved out, not copied).
    pub fn recorded_links(self) -> Vec<(ArticleId, Arc<BodyLinks>)> {
        self.links
            .into_inner()
            .expect("no thread panics while holding the link list")
    }
}

/// Which pages [`Renderer::render_pages`] may keep as the last build wrote them.
#[derive(Clone, Copy)]
pub enum Keep<'a> {
    /// Those whose fingerprint is unchanged.
    Unchanged,
    /// The model's structure is the last build's ([`Output::same_meta`]) and only these
    /// articles changed: every page that may not differ ([`Renderer::may_differ`]) without
    /// building its context, the others if their fingerprint is unchanged.
    Unless(&'a Changed),
}

/// The articles whose body or card changed since the last build of the same structure.
#[derive(Debug, Clone, Default)]
pub struct Changed {
    pub bodies: FxHashSet<ArticleId>,
    pub cards: FxHashSet<ArticleId>,
}

/// Checks the links of every article body (rendered now or kept from the last build) against
/// the build's output `files`, and the ids of every article page.
pub fn check_links(
    site: &Site,
    mut recorded: Vec<(ArticleId, Arc<BodyLinks>)>,
    files: rustc_hash::FxHashSet<String>,
) -> links::LinkReport {
    recorded.sort_by_key(|(id, _)| *id);
    let mut index = links::SiteIndex::of_files(files);
    for (id, body) in &recorded {
        index.add_ids(&site.articles[*id].path, &body.ids);
    }
    // Finding a link's line reads the body: done only for articles with a broken link.
    let articles: Vec<links::ArticleLinks> = recorded
        .par_iter()
        .map(|(id, body)| (&site.articles[*id], &body.targets))
        .filter(|(a, targets)| links::any_broken(targets, &a.path, &index))
        .map(|(a, targets)| links::ArticleLinks {
            source: crate::error::display_path(&a.source_path),
            page: a.path.clone(),
            lines: targets.iter().map(|t| a.body_line_of(t)).collect(),
            targets: targets.clone(),
            bundle: a.bundle.is_some(),
        })
        .collect();
    links::check(&articles, &index)
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
    tera.register_function(fragments::FUNCTION, fragments::unavailable);
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
    tera.register_filter("urlencode", |value: &str, _: Kwargs, _: &State| {
        url_encode(value, URLENCODE_KEEP)
    });
    tera.register_filter("urlencode_strict", |value: &str, _: Kwargs, _: &State| {
        url_encode(value, percent_encoding::NON_ALPHANUMERIC)
    });
    tera.register_filter(
        "json",
        |value: Value, _: Kwargs, _: &State| -> TeraResult<Value> {
            let text = serde_json::to_string(&value)
                .map_err(|e| tera::Error::message(format!("`json` filter: {e}")))?;
            Ok(Value::safe_string(&escape_json_for_html(&text)))
        },
    );
}

/// What `urlencode` leaves as it is (as Tera 1 and Zola did): letters, digits, `/` and
/// `-_.~`; `urlencode_strict` encodes everything but letters and digits.
const URLENCODE_KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn url_encode(value: &str, set: &'static percent_encoding::AsciiSet) -> String {
    percent_encoding::utf8_percent_encode(value, set).to_string()
}
