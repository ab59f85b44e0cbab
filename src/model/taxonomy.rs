//! Term indexes (tags, authors, sources): built from every article, or patched when one
//! article's names change. A patch makes what a build would make (a test compares them over
//! random edits), at the cost of the terms involved: serve patches a tag edit of a
//! 50,000-article site this way.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use typed_index_collections::{TiSlice, TiVec};

use super::{Article, ArticleId, Taxonomy, TaxonomyKind, Term, TermId};
use crate::error::Diagnostic;
use crate::slug::slugify;

/// Every taxonomy of `articles`, in [`TaxonomyKind::ALL`] order; sets each article's term ids.
/// The kinds are counted side by side, then every article takes its ids of all kinds at once.
pub(super) fn taxonomies(
    articles: &mut TiSlice<ArticleId, Article>,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<Taxonomy> {
    let counted: Vec<Counted> = TaxonomyKind::ALL
        .par_iter()
        .map(|&kind| count_taxonomy(kind, articles))
        .collect();
    articles.raw.par_iter_mut().for_each(|a| {
        for c in &counted {
            set_term_ids(a, c.taxonomy.kind, |n| c.term_of.get(n).copied());
        }
    });
    counted
        .into_iter()
        .map(|c| {
            warnings.extend(c.warnings);
            c.taxonomy
        })
        .collect()
}

/// One taxonomy as [`count_taxonomy`] finds it, before the articles take their term ids.
struct Counted {
    taxonomy: Taxonomy,
    /// Each name as written → its term.
    term_of: FxHashMap<String, TermId>,
    /// Names that make no slug, in article order.
    warnings: Vec<Diagnostic>,
}

/// The taxonomy `kind` of `articles` and the term of each name written.
fn count_taxonomy(kind: TaxonomyKind, articles: &TiSlice<ArticleId, Article>) -> Counted {
    let mut names = Names::default();
    let mut warnings = Vec::new();
    for (id, a) in articles.iter_enumerated() {
        for name in a.names(kind) {
            let n = names.index(name);
            names.counts[n] += 1;
            let Some(slug) = names.slug_of[n] else {
                warnings.push(Diagnostic::warning(
                    &a.source_path,
                    None,
                    format!(
                        "{} \"{name}\" has no letters or digits for a URL: left out of the index",
                        kind.singular().to_lowercase()
                    ),
                ));
                continue;
            };
            let list = &mut names.articles[slug];
            if list.last() != Some(&id) {
                list.push(id);
            }
        }
    }
    let (terms, term_of) = names.terms();
    Counted {
        taxonomy: Taxonomy { kind, terms },
        term_of,
        warnings,
    }
}

/// The names of one taxonomy as [`count_taxonomy`] meets them: each name is looked up once
/// per article (one hash), and slugified and placed under its slug once per build.
#[derive(Default)]
struct Names {
    /// Each name as written → its position in the vectors below.
    index: FxHashMap<String, usize>,
    /// Per name: its slug's position (`None`: the name has no letters or digits).
    slug_of: Vec<Option<usize>>,
    /// Per name: how often it is written.
    counts: Vec<usize>,
    /// Each slug → its position; sorted, the terms' order.
    slugs: BTreeMap<String, usize>,
    /// Per slug: its articles, in article order.
    articles: Vec<Vec<ArticleId>>,
}

impl Names {
    /// The position of `name`, met for the first time or not.
    fn index(&mut self, name: &str) -> usize {
        if let Some(&n) = self.index.get(name) {
            return n;
        }
        let slug = slugify(name);
        let slug_of = (!slug.is_empty()).then(|| {
            let next = self.slugs.len();
            let at = *self.slugs.entry(slug).or_insert(next);
            if at == next {
                self.articles.push(Vec::new());
            }
            at
        });
        let n = self.slug_of.len();
        self.slug_of.push(slug_of);
        self.counts.push(0);
        self.index.insert(name.to_string(), n);
        n
    }

    /// The terms, by slug, each named by its most frequent spelling (ties: the first by
    /// name), and the term of each name written.
    fn terms(self) -> (TiVec<TermId, Term>, FxHashMap<String, TermId>) {
        let mut spellings: Vec<Vec<(&str, usize)>> = vec![Vec::new(); self.articles.len()];
        for (name, &n) in &self.index {
            if let Some(slug) = self.slug_of[n] {
                spellings[slug].push((name.as_str(), self.counts[n]));
            }
        }
        let mut term_id = vec![TermId::from(0); self.articles.len()];
        let mut articles: Vec<Option<Vec<ArticleId>>> =
            self.articles.into_iter().map(Some).collect();
        let terms: TiVec<TermId, Term> = self
            .slugs
            .into_iter()
            .enumerate()
            .map(|(t, (slug, at))| {
                term_id[at] = TermId::from(t);
                spellings[at].sort_unstable();
                Term {
                    name: most_frequent(spellings[at].iter().copied()),
                    slug,
                    articles: articles[at].take().expect("each slug is listed once"),
                }
            })
            .collect();
        let term_of = self
            .index
            .into_iter()
            .filter_map(|(name, n)| self.slug_of[n].map(|slug| (name, term_id[slug])))
            .collect();
        (terms, term_of)
    }
}

/// Moves article `id` between the terms of `tax` after its names of that kind changed from
/// `old` to the ones it has now. Terms, names and every article's term ids end as
/// [`taxonomies`] would make them. The article's new names all have slugs (the caller
/// checks: a build would warn otherwise).
pub(super) fn patch_taxonomy(
    tax: &mut Taxonomy,
    articles: &mut TiSlice<ArticleId, Article>,
    id: ArticleId,
    old: &[String],
) {
    let kind = tax.kind;
    let updated = touched_terms(tax, articles, id, old);
    let same_terms = updated
        .iter()
        .all(|(slug, t)| t.is_some() == find(&tax.terms, slug).is_some());
    if same_terms {
        for (slug, term) in updated {
            let at = find(&tax.terms, &slug).expect("a term that stays is found");
            tax.terms[at] = term.expect("a term that stays has articles");
        }
    } else {
        renumber(tax, articles, id, updated);
    }
    let terms = &tax.terms;
    set_term_ids(&mut articles[id], kind, |n| find(terms, &slugify(n)));
}

/// The terms that article `id` left (its names were `old`) or joined, as they are now, by
/// slug; `None` for a term no article has any more.
fn touched_terms(
    tax: &Taxonomy,
    articles: &TiSlice<ArticleId, Article>,
    id: ArticleId,
    old: &[String],
) -> BTreeMap<String, Option<Term>> {
    let new_slugs = slugs_of(articles[id].names(tax.kind));
    let touched: BTreeSet<String> = new_slugs.union(&slugs_of(old)).cloned().collect();
    let mut updated = BTreeMap::new();
    for slug in touched {
        let mut list =
            find(&tax.terms, &slug).map_or_else(Vec::new, |t| tax.terms[t].articles.clone());
        if let Ok(i) = list.binary_search(&id) {
            list.remove(i);
        }
        if new_slugs.contains(&slug) {
            let at = list.binary_search(&id).expect_err("removed just above");
            list.insert(at, id);
        }
        let term = (!list.is_empty()).then(|| Term {
            name: spelling(articles, tax.kind, &slug, &list),
            slug: slug.clone(),
            articles: list,
        });
        updated.insert(slug, term);
    }
    updated
}

/// Merges `updated` into `tax`'s terms (some came, some went) and renumbers every article's
/// term ids of its kind but article `id`'s (the only one in a term that went).
fn renumber(
    tax: &mut Taxonomy,
    articles: &mut TiSlice<ArticleId, Article>,
    id: ArticleId,
    mut updated: BTreeMap<String, Option<Term>>,
) {
    let before = tax.terms.len();
    let mut merged: Vec<(Option<TermId>, Term)> = Vec::with_capacity(before + updated.len());
    for (was, term) in std::mem::take(&mut tax.terms).into_iter_enumerated() {
        match updated.remove(&term.slug) {
            Some(Some(now)) => merged.push((Some(was), now)),
            Some(None) => {}
            None => merged.push((Some(was), term)),
        }
    }
    merged.extend(updated.into_values().flatten().map(|t| (None, t)));
    merged.sort_by(|a, b| a.1.slug.cmp(&b.1.slug));
    let mut now_of: TiVec<TermId, Option<TermId>> = vec![None; before].into();
    for (now, (was, _)) in merged.iter().enumerate() {
        if let Some(was) = was {
            now_of[*was] = Some(TermId::from(now));
        }
    }
    tax.terms = merged.into_iter().map(|(_, t)| t).collect();
    let now =
        |t: &mut TermId| *t = now_of[*t].expect("only the patched article was in a term that went");
    for (a_id, a) in articles.iter_mut_enumerated() {
        if a_id == id {
            continue;
        }
        match tax.kind {
            TaxonomyKind::Tags => a.tag_ids.iter_mut().for_each(now),
            TaxonomyKind::Authors => a.author_ids.iter_mut().for_each(now),
            TaxonomyKind::Sources => a.source_id.iter_mut().for_each(now),
        }
    }
}

/// The slugs of `names` that can make a URL.
fn slugs_of(names: &[String]) -> BTreeSet<String> {
    names
        .iter()
        .map(|n| slugify(n))
        .filter(|s| !s.is_empty())
        .collect()
}

/// The term with this slug (terms are sorted by slug).
fn find(terms: &TiSlice<TermId, Term>, slug: &str) -> Option<TermId> {
    terms.binary_search_by(|t| t.slug.as_str().cmp(slug)).ok()
}

/// The name of term `slug` whose articles are `list`, counted as [`taxonomies`] counts.
fn spelling(
    articles: &TiSlice<ArticleId, Article>,
    kind: TaxonomyKind,
    slug: &str,
    list: &[ArticleId],
) -> String {
    // Names repeat across a term's articles: each is slugified once.
    let mut is_of: FxHashMap<&str, bool> = FxHashMap::default();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for &a in list {
        for name in articles[a].names(kind) {
            let name = name.as_str();
            if *is_of.entry(name).or_insert_with(|| slugify(name) == slug) {
                *counts.entry(name).or_default() += 1;
            }
        }
    }
    most_frequent(counts.into_iter())
}

/// The name a term shows: its most frequent spelling; ties go to the first in sort order.
fn most_frequent<'a>(spellings: impl Iterator<Item = (&'a str, usize)>) -> String {
    let mut best: Option<(&str, usize)> = None;
    for (name, count) in spellings {
        if best.is_none_or(|(_, c)| count > c) {
            best = Some((name, count));
        }
    }
    best.expect("a term has at least one spelling")
        .0
        .to_string()
}

/// Sets `a`'s term ids of `kind`: the term of each of its names (`term_of`), once each, in
/// the order written.
fn set_term_ids(a: &mut Article, kind: TaxonomyKind, term_of: impl Fn(&str) -> Option<TermId>) {
    let ids = |names: &[String]| {
        let mut out: Vec<TermId> = Vec::new();
        for n in names {
            if let Some(i) = term_of(n)
                && !out.contains(&i)
            {
                out.push(i);
            }
        }
        out
    };
    match kind {
        TaxonomyKind::Tags => a.tag_ids = ids(&a.tags),
        TaxonomyKind::Authors => a.author_ids = ids(&a.authors),
        TaxonomyKind::Sources => a.source_id = a.source.as_deref().and_then(&term_of),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::build::tests::{config, loaded, now};
    use crate::model::{BuildFlags, Patched, Site, build_site, pages};

    /// Spellings that slugify alike, apart, and to nothing.
    const NAMES: [&str; 10] = [
        "Rust", "rust", "RUST", "Go", "go", "Zig", "Ada", "Élan", "elan", "!!",
    ];

    /// A small random generator, so a failure is reproducible from its seed.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        /// Up to three names: known spellings, sometimes a new one, sometimes repeated.
        fn names(&mut self, fresh: &mut usize) -> Vec<String> {
            (0..self.below(4))
                .map(|_| match self.below(8) {
                    0 => {
                        *fresh += 1;
                        format!("New {fresh}")
                    }
                    _ => NAMES[self.below(NAMES.len())].to_string(),
                })
                .collect()
        }
    }

    fn site(rng: &mut Rng, fresh: &mut usize) -> Site {
        let quoted = |names: Vec<String>| {
            let q: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
            q.join(", ")
        };
        let articles = (0..30)
            .map(|i| {
                let mut front = format!(
                    "title = \"A{i}\"\ndate = 2025-05-{:02}T10:00:00+12:00\ntags = [{}]\n\
                     authors = [{}]",
                    1 + i % 28,
                    quoted(rng.names(fresh)),
                    quoted(rng.names(fresh)),
                );
                if let Some(source) = rng.names(fresh).pop() {
                    front.push_str(&format!("\nsource = {source:?}"));
                }
                loaded(&format!("content/world/a{i}.md"), &front)
            })
            .collect();
        build_site(config(), articles, Vec::new(), BuildFlags::default(), now())
            .expect("the generated site builds")
            .0
    }

    /// Every taxonomy of `site` as a build makes it of its articles, and each article's ids.
    fn rebuilt(site: &Site) -> (Vec<Taxonomy>, Vec<[Vec<TermId>; 3]>) {
        let mut articles = site.articles.clone();
        let taxonomies = taxonomies(&mut articles, &mut Vec::new());
        (taxonomies, articles.iter().map(ids).collect())
    }

    fn ids(a: &Article) -> [Vec<TermId>; 3] {
        let source = a.source_id.into_iter().collect();
        [a.tag_ids.clone(), a.author_ids.clone(), source]
    }

    #[test]
    fn a_patched_taxonomy_and_its_pages_are_what_a_build_makes() {
        let (mut patched_terms, mut came_or_went) = (0, 0);
        for seed in 1..=20u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut fresh = 0;
            let mut site = site(&mut rng, &mut fresh);
            let mut plan = pages::plan(&site).expect("the generated site has no collisions");
            let mut positions = pages::positions(&plan);
            for edit in 0..40 {
                let id = ArticleId::from(rng.below(site.articles.len()));
                let mut new = site.articles[id].clone();
                match rng.below(3) {
                    0 => new.tags = rng.names(&mut fresh),
                    1 => new.authors = rng.names(&mut fresh),
                    _ => new.source = rng.names(&mut fresh).pop(),
                }
                let counts: Vec<usize> = site.taxonomies.iter().map(|t| t.terms.len()).collect();
                match site.patch_article(id, new) {
                    Patched::Terms(kinds) => {
                        patched_terms += 1;
                        for kind in kinds {
                            pages::replan_taxonomy(&site, kind, &mut plan, &mut positions)
                                .expect("no new page collides");
                        }
                    }
                    Patched::Text => continue,
                    // A name without letters: a build warns, serve builds.
                    Patched::Refused => continue,
                }
                let now: Vec<usize> = site.taxonomies.iter().map(|t| t.terms.len()).collect();
                came_or_went += usize::from(counts != now);
                let (taxonomies, term_ids) = rebuilt(&site);
                assert_eq!(site.taxonomies, taxonomies, "seed {seed}, edit {edit}");
                let patched: Vec<[Vec<TermId>; 3]> = site.articles.iter().map(ids).collect();
                assert_eq!(patched, term_ids, "seed {seed}, edit {edit}");
                let planned = pages::plan(&site).expect("the patched site has no collisions");
                assert_eq!(plan, planned, "seed {seed}, edit {edit}");
                assert_eq!(
                    positions,
                    pages::positions(&plan),
                    "seed {seed}, edit {edit}"
                );
            }
        }
        // The edits moved articles between terms, and made and removed terms.
        assert!(patched_terms >= 300, "{patched_terms} term patches");
        assert!(
            came_or_went >= 50,
            "{came_or_went} patches changed the number of terms"
        );
    }
}
