//! The page plan: every HTML page of the site, by URL, decided from the model alone.
//!
//! Listing pages before rendering lets the build find URL collisions up front, gives the
//! sitemap its list of canonical pages, and lets rendering run in parallel over a flat list.

use rustc_hash::{FxHashMap, FxHashSet};

use super::{ArchiveId, ArticleId, SectionId, Site, Taxonomy, TaxonomyKind, TermId};
use crate::error::Diagnostic;

/// What a page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageKind {
    Front,
    Article(ArticleId),
    /// Page `page` (1-based) of a section index.
    Section {
        section: SectionId,
        page: usize,
    },
    /// Page `page` of a date archive (`Site::archives[archive]`).
    Archive {
        archive: ArchiveId,
        page: usize,
    },
    /// Page `page` of the list of all terms of a taxonomy.
    TermList {
        kind: TaxonomyKind,
        page: usize,
    },
    /// Page `page` of one term's articles.
    Term {
        kind: TaxonomyKind,
        term: TermId,
        page: usize,
    },
    Search,
    NotFound,
    /// A redirect to another path below the base (aliases, `page/1/`).
    Redirect {
        to: String,
    },
}

/// The template of every page kind, as [`PageKind::template`] maps them.
pub const PAGE_TEMPLATES: [&str; 9] = [
    "index.html",
    "article.html",
    "section.html",
    "archive.html",
    "terms.html",
    "term.html",
    "search.html",
    "404.html",
    "redirect.html",
];

impl PageKind {
    /// The theme template that renders this kind of page.
    pub fn template(&self) -> &'static str {
        match self {
            PageKind::Front => "index.html",
            PageKind::Article(_) => "article.html",
            PageKind::Section { .. } => "section.html",
            PageKind::Archive { .. } => "archive.html",
            PageKind::TermList { .. } => "terms.html",
            PageKind::Term { .. } => "term.html",
            PageKind::Search => "search.html",
            PageKind::NotFound => "404.html",
            PageKind::Redirect { .. } => "redirect.html",
        }
    }

    /// Canonical pages go in the sitemap; redirects and the 404 page do not.
    pub fn is_canonical(&self) -> bool {
        !matches!(
            self,
            PageKind::Redirect { .. } | PageKind::NotFound | PageKind::Search
        )
    }
}

/// One HTML file of the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// URL path below the base: `politics/` for folders, `old/x.html` for files, `` for home.
    pub path: String,
    pub kind: PageKind,
}

impl Page {
    /// The file to write, relative to the output root.
    pub fn file(&self) -> String {
        if self.path.is_empty() {
            "index.html".to_string()
        } else if self.path.ends_with('/') {
            format!("{}index.html", self.path)
        } else {
            self.path.clone()
        }
    }
}

/// Pages needed to show `count` items `per_page` at a time (at least one, even when empty).
pub fn page_count(count: usize, per_page: usize) -> usize {
    count.div_ceil(per_page.max(1)).max(1)
}

/// URL path of page `n` of the index at `base` (page 1 is the index itself).
pub fn page_path(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

/// The items of page `n` (1-based).
pub fn page_slice<T>(items: &[T], per_page: usize, n: usize) -> &[T] {
    let start = (n - 1).saturating_mul(per_page).min(items.len());
    let end = start.saturating_add(per_page).min(items.len());
    &items[start..end]
}

fn paginated(
    pages: &mut Vec<Page>,
    base: &str,
    count: usize,
    per_page: usize,
    kind: impl Fn(usize) -> PageKind,
) {
    let n = page_count(count, per_page);
    for p in 1..=n {
        pages.push(Page {
            path: page_path(base, p),
            kind: kind(p),
        });
    }
    // `page/1/` is where a reader editing the URL of page 2 lands: only indexes with a second
    // page have it (SPEC §6).
    if n > 1 {
        pages.push(Page {
            path: format!("{base}page/1/"),
            kind: PageKind::Redirect {
                to: base.to_string(),
            },
        });
    }
}

/// Lists every page of the site. Two pages with one output file are errors.
pub fn plan(site: &Site) -> Result<Vec<Page>, Vec<Diagnostic>> {
    let per = site.config.per_page;
    let mut pages = Vec::with_capacity(site.articles.len() * 2 + site.archives.len() * 2);
    pages.push(Page {
        path: String::new(),
        kind: PageKind::Front,
    });
    for (id, a) in site.articles.iter_enumerated() {
        pages.push(Page {
            path: a.path.clone(),
            kind: PageKind::Article(id),
        });
        for alias in &a.aliases {
            pages.push(Page {
                path: alias.clone(),
                kind: PageKind::Redirect { to: a.path.clone() },
            });
        }
    }
    for (i, s) in site.sections.iter_enumerated() {
        paginated(
            &mut pages,
            &format!("{}/", s.slug),
            s.articles.len(),
            per,
            |page| PageKind::Section { section: i, page },
        );
    }
    for (i, ar) in site.archives.iter_enumerated() {
        paginated(&mut pages, &ar.path, ar.articles.len(), per, |page| {
            PageKind::Archive { archive: i, page }
        });
    }
    for tax in &site.taxonomies {
        taxonomy_pages(tax, per, &mut pages);
    }
    if site.config.search.enabled {
        pages.push(Page {
            path: "search/".into(),
            kind: PageKind::Search,
        });
    }
    pages.push(Page {
        path: "404.html".into(),
        kind: PageKind::NotFound,
    });
    check_collisions(site, &pages)?;
    Ok(pages)
}

/// The pages of one taxonomy: the list of its terms, then each term's.
fn taxonomy_pages(tax: &Taxonomy, per: usize, pages: &mut Vec<Page>) {
    let kind = tax.kind;
    let base = format!("{}/", kind.slug());
    paginated(pages, &base, tax.terms.len(), per, |page| {
        PageKind::TermList { kind, page }
    });
    for (t, term) in tax.terms.iter_enumerated() {
        paginated(
            pages,
            &format!("{base}{}/", term.slug),
            term.articles.len(),
            per,
            |page| PageKind::Term {
                kind,
                term: t,
                page,
            },
        );
    }
}

/// Each page's output file → its position in the plan.
pub type Positions = FxHashMap<String, usize>;

/// The [`Positions`] of `plan`.
pub fn positions(plan: &[Page]) -> Positions {
    plan.iter()
        .enumerate()
        .map(|(i, p)| (p.file(), i))
        .collect()
}

/// Plans the pages of taxonomy `kind` again in `plan`, after its terms changed, and keeps
/// `positions` in step: the plan is then what [`plan`] makes of `site`, without planning
/// 100,000 pages for a tag edit. `None` when a new page's file is another page's or a
/// content file's ([`plan`] reports it); `plan` and `positions` are then half changed.
pub fn replan_taxonomy(
    site: &Site,
    kind: TaxonomyKind,
    plan: &mut Vec<Page>,
    positions: &mut Positions,
) -> Option<()> {
    // A taxonomy's pages begin with its term list's first page and end where the next
    // taxonomy's, the search page or the 404 page (last) begins.
    let first = |p: &Page| matches!(p.kind, PageKind::TermList { kind: k, page: 1 } if k == kind);
    let start = plan
        .iter()
        .position(first)
        .expect("a plan lists every taxonomy");
    let next = |p: &Page| {
        matches!(
            p.kind,
            PageKind::TermList { page: 1, .. } | PageKind::Search | PageKind::NotFound
        )
    };
    let end = start
        + 1
        + plan[start + 1..]
            .iter()
            .position(next)
            .expect("the 404 page is last");
    let mut now = Vec::with_capacity(end - start);
    taxonomy_pages(site.taxonomy(kind), site.config.per_page, &mut now);
    let was: FxHashSet<String> = plan[start..end].iter().map(Page::file).collect();
    for file in &was {
        positions.remove(file);
    }
    if now.len() != end - start {
        let shift = |i: &mut usize| *i = *i + now.len() - (end - start);
        positions
            .values_mut()
            .filter(|i| **i >= end)
            .for_each(shift);
    }
    for (i, page) in now.iter().enumerate() {
        let file = page.file();
        let taken = positions.contains_key(&file)
            || (!was.contains(&file) && site.assets.iter().any(|a| a.dest == file));
        if taken {
            return None;
        }
        positions.insert(file, start + i);
    }
    plan.splice(start..end, now);
    Some(())
}

fn describe(site: &Site, kind: &PageKind) -> (String, String) {
    match kind {
        PageKind::Article(id) => (
            crate::error::display_path(&site.articles[*id].source_path),
            "this article".into(),
        ),
        PageKind::Redirect { to } => {
            let owner = site
                .articles
                .iter()
                .find(|a| &a.path == to)
                .map(|a| crate::error::display_path(&a.source_path))
                .unwrap_or_else(|| "site.toml".into());
            (owner, "an alias of this article".into())
        }
        PageKind::Section { section, .. } => (
            "site.toml".into(),
            format!("the index of section `{}`", site.sections[*section].slug),
        ),
        other => ("site.toml".into(), format!("the generated page {other:?}")),
    }
}

fn check_collisions(site: &Site, pages: &[Page]) -> Result<(), Vec<Diagnostic>> {
    let mut seen: rustc_hash::FxHashMap<String, usize> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(pages.len(), Default::default());
    let mut errors = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        let file = p.file();
        if let Some(&first) = seen.get(&file) {
            // Article-vs-article and alias collisions were reported by the model already.
            let both_articles = matches!(
                (&pages[first].kind, &p.kind),
                (
                    PageKind::Article(_) | PageKind::Redirect { .. },
                    PageKind::Article(_) | PageKind::Redirect { .. }
                )
            );
            if both_articles {
                continue;
            }
            let (path, what) = describe(site, &p.kind);
            let (_, other) = describe(site, &pages[first].kind);
            errors.push(Diagnostic::error(
                path,
                None,
                format!(
                    "{what} would be written to {file}, which is also {other}: rename the \
                     section or change the slug"
                ),
            ));
        } else {
            seen.insert(file, i);
        }
    }
    // A file of content/ copied over a page would silently replace it.
    for asset in &site.assets {
        if let Some(&page) = seen.get(&asset.dest) {
            let (_, other) = describe(site, &pages[page].kind);
            errors.push(Diagnostic::error(
                &asset.source,
                None,
                format!(
                    "this file would be copied to {}, which is also {other}: rename or move it",
                    asset.dest
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_boundaries() {
        assert_eq!(page_count(0, 20), 1);
        assert_eq!(page_count(1, 20), 1);
        assert_eq!(page_count(20, 20), 1);
        assert_eq!(page_count(21, 20), 2);
        assert_eq!(page_path("politics/", 1), "politics/");
        assert_eq!(page_path("politics/", 3), "politics/page/3/");
        let items: Vec<usize> = (0..21).collect();
        assert_eq!(page_slice(&items, 20, 2), &[20]);
        assert_eq!(page_slice(&items, 20, 1).len(), 20);
    }

    #[test]
    fn page_files() {
        let p = |path: &str| Page {
            path: path.into(),
            kind: PageKind::Front,
        };
        assert_eq!(p("").file(), "index.html");
        assert_eq!(p("a/").file(), "a/index.html");
        assert_eq!(p("old/x.html").file(), "old/x.html");
    }
}
