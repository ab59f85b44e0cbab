//! The site as plain data: articles, sections, date archives and term indexes.
//!
//! Built by pure functions from what `load` read, so tests need no disk, and every output is a
//! function of this model. Indexes hold article ids (positions in `Site::articles`, which is
//! sorted newest first), so every list built by walking articles in order is already sorted.

mod build;
mod ids;
pub mod pages;
mod taxonomy;

use crate::util::digest::Digest;
use std::path::PathBuf;

use chrono::{DateTime, Datelike};
use chrono_tz::Tz;
use typed_index_collections::{TiSlice, TiVec};

pub use crate::load::LoadedArticle;
use crate::load::config::Config;

pub use build::{
    BuildFlags, alias_path, article_in, build_site, expand_permalink, retitle_sections,
    unlisted_section_message, withheld, withheld_changes,
};

pub use ids::{ArchiveId, ArticleId, SectionId, TermId};

/// One published article, with everything derived from its file.
#[derive(Debug, Clone)]
pub struct Article {
    /// Source file relative to the site folder.
    pub source_path: PathBuf,
    /// Bundle folder relative to the site, for bundle articles.
    pub bundle: Option<PathBuf>,
    pub title: String,
    pub date: DateTime<Tz>,
    /// `date` had no time of day: shown as the day alone.
    pub date_only: bool,
    pub updated: Option<DateTime<Tz>>,
    pub updated_date_only: bool,
    pub section: SectionId,
    pub source: Option<String>,
    pub source_url: Option<String>,
    pub authors: Vec<String>,
    /// The front matter summary, or the first paragraph as plain text.
    pub summary: String,
    /// `summary` is the body's first paragraph (no `summary` key): the article page shows
    /// it once, in the body.
    pub summary_from_body: bool,
    pub tags: Vec<String>,
    pub slug: String,
    pub featured: bool,
    pub draft: bool,
    /// Lead image as written in front matter.
    pub image: Option<String>,
    /// The front matter line of `image`, for messages.
    pub image_line: Option<usize>,
    /// Output paths of redirect pages pointing here (`old/x.html`, `old/y/`).
    pub aliases: Vec<String>,
    pub extra: toml::Table,
    /// The Markdown body; rendered to HTML when its page is written, so the model stays small.
    /// Shared with the parse cache; read from the file only when needed (`load::body`).
    pub body: crate::load::body::Body,
    /// The file line where the body starts (for messages about links in it).
    pub body_line: usize,
    /// The body's words, counted when it was parsed (a function of the body: pages that show
    /// it hold the body's hash already).
    pub word_count: usize,
    /// URL path below the base path, ending in `/` (`politics/2025/10/30/slug/`).
    pub path: String,
    /// Term ids, in front matter order.
    pub tag_ids: Vec<TermId>,
    pub author_ids: Vec<TermId>,
    pub source_id: Option<TermId>,
}

impl Article {
    /// The last time the article changed: `updated` or `date`.
    pub fn modified(&self) -> DateTime<Tz> {
        self.updated.unwrap_or(self.date)
    }

    /// The file line of the first body line that contains `text` (a link target as written).
    /// `None` too when the body cannot be read back: the file changed during the build, which
    /// the next build sees by its stamp.
    pub fn body_line_of(&self, text: &str) -> Option<usize> {
        self.body
            .text()
            .ok()?
            .lines()
            .position(|l| l.contains(text))
            .map(|i| self.body_line + i)
    }
}

/// A section: a first-level folder of content/ or a `[sections.x]` of site.toml.
#[derive(Debug, Clone)]
pub struct Section {
    pub slug: String,
    pub title: String,
    pub description: Option<String>,
    /// Newest first.
    pub articles: Vec<ArticleId>,
}

/// Which term index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaxonomyKind {
    Tags,
    Authors,
    Sources,
}

impl TaxonomyKind {
    pub const ALL: [TaxonomyKind; 3] = [
        TaxonomyKind::Tags,
        TaxonomyKind::Authors,
        TaxonomyKind::Sources,
    ];

    /// URL segment and template name: `tags`, `authors`, `sources`.
    pub fn slug(self) -> &'static str {
        match self {
            TaxonomyKind::Tags => "tags",
            TaxonomyKind::Authors => "authors",
            TaxonomyKind::Sources => "sources",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            TaxonomyKind::Tags => "Tags",
            TaxonomyKind::Authors => "Authors",
            TaxonomyKind::Sources => "Sources",
        }
    }

    pub fn singular(self) -> &'static str {
        match self {
            TaxonomyKind::Tags => "Tag",
            TaxonomyKind::Authors => "Author",
            TaxonomyKind::Sources => "Source",
        }
    }
}

/// One term (a tag, an author, a source); spellings that slugify alike are one term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub slug: String,
    /// The most frequent spelling (ties: the first in sort order).
    pub name: String,
    pub articles: Vec<ArticleId>,
}

/// A term index, terms sorted by slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taxonomy {
    pub kind: TaxonomyKind,
    pub terms: TiVec<TermId, Term>,
}

/// The period of a date archive. A day always has its month, so no day-without-month key
/// can exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Year(i32),
    Month(i32, u32),
    Day(i32, u32, u32),
}

impl Period {
    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) | Period::Month(y, _) | Period::Day(y, _, _) => y,
        }
    }

    pub fn month(self) -> Option<u32> {
        match self {
            Period::Year(_) => None,
            Period::Month(_, m) | Period::Day(_, m, _) => Some(m),
        }
    }

    pub fn day(self) -> Option<u32> {
        match self {
            Period::Day(_, _, d) => Some(d),
            _ => None,
        }
    }

    /// The period one step up: a day's month, a month's year; none above a year.
    pub fn parent(self) -> Option<Period> {
        match self {
            Period::Year(_) => None,
            Period::Month(y, _) => Some(Period::Year(y)),
            Period::Day(y, m, _) => Some(Period::Month(y, m)),
        }
    }
}

/// Chronological, a year before its months and a month before its days (2025, 2025-01,
/// 2025-01-01, …, 2025-02): the order of `Site::archives`.
impl Ord for Period {
    fn cmp(&self, other: &Period) -> std::cmp::Ordering {
        let key = |p: &Period| (p.year(), p.month(), p.day());
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Period) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A date archive: a year, month or day, site-wide or of one section.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ArchiveKey {
    pub section: Option<SectionId>,
    pub period: Period,
}

impl ArchiveKey {
    /// The archive's URL path: `2025/`, `2025/03/`, `politics/2025/03/07/`.
    pub fn path(&self, sections: &TiSlice<SectionId, Section>) -> String {
        let mut p = String::new();
        if let Some(s) = self.section {
            p.push_str(&sections[s].slug);
            p.push('/');
        }
        p.push_str(&match self.period {
            Period::Year(y) => format!("{y:04}/"),
            Period::Month(y, m) => format!("{y:04}/{m:02}/"),
            Period::Day(y, m, d) => format!("{y:04}/{m:02}/{d:02}/"),
        });
        p
    }

    /// The same scope (site or section) over another period.
    pub fn with_period(&self, period: Period) -> ArchiveKey {
        ArchiveKey {
            section: self.section,
            period,
        }
    }

    /// The archive one step up (see [`Period::parent`]).
    pub fn parent(&self) -> Option<ArchiveKey> {
        Some(self.with_period(self.period.parent()?))
    }

    /// The keys of every archive an article dated `date` belongs to (section-wide and site-wide).
    pub fn for_date(date: &DateTime<Tz>, section: SectionId) -> [ArchiveKey; 6] {
        let (y, m, d) = (date.year(), date.month(), date.day());
        let periods = [Period::Year(y), Period::Month(y, m), Period::Day(y, m, d)];
        let k = |section, i: usize| ArchiveKey {
            section,
            period: periods[i],
        };
        [
            k(None, 0),
            k(None, 1),
            k(None, 2),
            k(Some(section), 0),
            k(Some(section), 1),
            k(Some(section), 2),
        ]
    }
}

#[derive(Debug, Clone)]
pub struct Archive {
    pub key: ArchiveKey,
    pub path: String,
    pub articles: Vec<ArticleId>,
}

/// A non-Markdown file of content/ and where it goes in the output.
#[derive(Debug, Clone)]
pub struct Asset {
    pub source: PathBuf,
    /// Output path relative to the output root.
    pub dest: String,
}

/// The whole site, ready to render.
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    /// Newest first; equal instants ordered by URL.
    pub articles: TiVec<ArticleId, Article>,
    /// site.toml order, then alphabetical.
    pub sections: TiVec<SectionId, Section>,
    pub taxonomies: Vec<Taxonomy>,
    /// Sorted by key: site-wide first, then per section; years, months, days ascending.
    pub archives: TiVec<ArchiveId, Archive>,
    pub assets: Vec<Asset>,
    /// The build's notion of "now" (for future articles and the news sitemap).
    pub now: DateTime<Tz>,
    /// The first instant after `now` at which the same files would publish other articles
    /// (a scheduled one falls due, one expires): [`withheld_changes`].
    pub withheld_until: Option<DateTime<Tz>>,
    /// Responsive image processing (set by `build::load_site`; off in a bare model).
    pub images: std::sync::Arc<crate::images::Images>,
    /// Articles this build left out (drafts, scheduled), for the build summary.
    pub left_out: LeftOut,
}

/// Why an article is not published by a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withheld {
    /// `draft = true`, built only with `--drafts`.
    Draft,
    /// Dated after the build's "now", built only with `--future`.
    Scheduled,
    /// `expires` at or before the build's "now", built only with `--expired`.
    Expired,
}

/// Articles a build left out, each with its source file, sorted by file.
#[derive(Debug, Clone, Default)]
pub struct LeftOut {
    pub drafts: Vec<PathBuf>,
    /// Scheduled articles with their publication time, soonest first.
    pub scheduled: Vec<(DateTime<Tz>, PathBuf)>,
    /// Expired articles with the instant they expired, earliest first.
    pub expired: Vec<(DateTime<Tz>, PathBuf)>,
}

impl LeftOut {
    /// The soonest scheduled publication time, if any.
    pub fn next_scheduled(&self) -> Option<DateTime<Tz>> {
        self.scheduled.first().map(|(t, _)| *t)
    }
}

impl Site {
    pub fn taxonomy(&self, kind: TaxonomyKind) -> &Taxonomy {
        // Built with all three kinds, in `TaxonomyKind::ALL` order.
        &self.taxonomies[kind as usize]
    }

    /// The newer and older article of the same section as the article at position `pos` of
    /// its section's list (what "previous / next in this section" links show).
    pub fn section_neighbours(
        &self,
        section: SectionId,
        pos: usize,
    ) -> (Option<ArticleId>, Option<ArticleId>) {
        let list = &self.sections[section].articles;
        (
            pos.checked_sub(1).map(|p| list[p]),
            list.get(pos + 1).copied(),
        )
    }

    /// "Other {section} news" on an article: the newest `other_news` articles of its section,
    /// itself left out.
    pub fn other_news(&self, id: ArticleId) -> Vec<ArticleId> {
        self.sections[self.articles[id].section]
            .articles
            .iter()
            .copied()
            .filter(|&i| i != id)
            .take(self.config.other_news)
            .collect()
    }

    /// Absolute URL of a path below the base (`politics/` → `https://e.org/news/politics/`).
    pub fn permalink(&self, path: &str) -> String {
        self.config.base_url.join(path)
    }

    /// Root-relative link of a path below the base (`politics/` → `/news/politics/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.config.base_url.path, path)
    }
}

impl Article {
    /// The hash of the Markdown body.
    pub fn body_hash(&self) -> u128 {
        self.body.hash()
    }

    /// Feeds every field except the body into `place`, `terms` or `card`. The destructuring
    /// names every field, so a new field cannot be forgotten here: it must be put in one of
    /// the three or marked as the body. `card` takes only fields whose change shows in nothing
    /// but this article's card, its own page and the generators (see [`ModelDigest`]), or in
    /// no output at all (file lines, for messages); `terms` its tags, authors and source with
    /// their ids; anything else that decides order, URLs, grouping or images is `place`.
    /// Place and terms are the model's structure.
    fn hash_split(&self, place: &mut Digest, terms: &mut Digest, card: &mut Digest) {
        use std::hash::Hash;
        let Article {
            source_path,
            bundle,
            title,
            date,
            updated,
            section,
            source,
            source_url,
            authors,
            summary,
            tags,
            slug,
            featured,
            draft,
            image,
            aliases,
            extra,
            body: _,
            // Counted from the body: changes with it, and only its page shows it.
            word_count: _,
            path,
            tag_ids,
            author_ids,
            source_id,
            date_only,
            updated_date_only,
            summary_from_body,
            image_line,
            body_line,
        } = self;
        (source_path, bundle, date, updated, section, slug).hash(place);
        (featured, draft, image, aliases, path).hash(place);
        (date_only, updated_date_only).hash(place);
        (source, authors, tags, tag_ids, author_ids, source_id).hash(terms);
        (title, summary, summary_from_body, source_url).hash(card);
        // Lines only place messages; here a front matter line added above the body checks
        // this article's pages again instead of every page.
        (image_line, body_line).hash(card);
        // toml values have no `Hash` (floats); their TOML text stands for them.
        extra.to_string().hash(card);
    }
}

impl Article {
    /// A digest of what decides the article's place in the site apart from its terms:
    /// which sections, archives and pages it is in, in what order, at which URLs, with which
    /// files (the `place` part of [`Article::hash_split`]). The card fields (title, summary,
    /// body...) are shown by pages but move nothing, and the terms ([`Article::names`]) are
    /// compared on their own: an edit of those alone can be patched into a model
    /// ([`Site::patch_article`]).
    pub fn place_digest(&self) -> u128 {
        let [mut place, mut terms, mut card] = [(); 3].map(|_| Digest::default());
        self.hash_split(&mut place, &mut terms, &mut card);
        place.digest128()
    }

    /// The article's terms of taxonomy `kind` as written (tags, authors, its source).
    pub fn names(&self, kind: TaxonomyKind) -> &[String] {
        match kind {
            TaxonomyKind::Tags => &self.tags,
            TaxonomyKind::Authors => &self.authors,
            TaxonomyKind::Sources => self.source.as_slice(),
        }
    }
}

/// What [`Site::patch_article`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Patched {
    /// Nothing: the article's place in the site changed.
    Refused,
    /// The article, whose terms are the same.
    Text,
    /// The article and these taxonomies, whose terms changed.
    Terms(Vec<TaxonomyKind>),
}

impl Site {
    /// Puts `new` in the place of article `id` when its place in the site is the same
    /// ([`Article::place_digest`]), moving it between terms if its names changed, so every
    /// list, term, archive and page of the model stays right; changes nothing otherwise
    /// (or when a new term has no letters for a URL: the build warns of that). The pages of
    /// the taxonomies named by [`Patched::Terms`] are the caller's to plan again.
    pub fn patch_article(&mut self, id: ArticleId, mut new: Article) -> Patched {
        let old = &mut self.articles[id];
        if old.place_digest() != new.place_digest() {
            return Patched::Refused;
        }
        let changed: Vec<(TaxonomyKind, Vec<String>)> = TaxonomyKind::ALL
            .into_iter()
            .filter(|&k| old.names(k) != new.names(k))
            .map(|k| (k, old.names(k).to_vec()))
            .collect();
        let names = changed.iter().flat_map(|&(k, _)| new.names(k));
        if names.map(|n| crate::slug::slugify(n)).any(|s| s.is_empty()) {
            return Patched::Refused;
        }
        // The term ids stay right for the kinds whose names are the same.
        new.tag_ids = std::mem::take(&mut old.tag_ids);
        new.author_ids = std::mem::take(&mut old.author_ids);
        new.source_id = old.source_id;
        *old = new;
        if changed.is_empty() {
            return Patched::Text;
        }
        for (kind, was) in &changed {
            let taxonomy = self.taxonomies.iter_mut().find(|t| t.kind == *kind);
            let taxonomy = taxonomy.expect("a model has every taxonomy");
            taxonomy::patch_taxonomy(taxonomy, &mut self.articles, id, was);
        }
        Patched::Terms(changed.into_iter().map(|(k, _)| k).collect())
    }
}

/// What a rebuild compares of the model, bodies aside: the `structure` (every article field
/// that decides order, URLs, grouping, pagination or images, and the content files) and each
/// article's `cards` hash (the fields only its card and page show: title, summary...). With
/// the same structure, ids name the same articles in both builds, so pages that hold none of
/// the articles whose card hash changed are the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelDigest {
    pub structure: u128,
    pub cards: TiVec<ArticleId, u64>,
}

impl Site {
    /// The [`ModelDigest`]. Sections, terms and archives are functions of the articles'
    /// structure fields and of site.toml (which the build key covers).
    pub fn model_digest(&self) -> ModelDigest {
        use std::hash::{Hash, Hasher};
        let mut structure = Digest::default();
        self.articles.len().hash(&mut structure);
        let (mut terms, mut card) = (Digest::default(), Digest::default());
        let cards = self
            .articles
            .iter()
            .map(|a| {
                card.clear();
                a.hash_split(&mut structure, &mut terms, &mut card);
                card.finish()
            })
            .collect();
        structure.append(&terms);
        for asset in &self.assets {
            (&asset.source, &asset.dest).hash(&mut structure);
        }
        ModelDigest {
            structure: structure.digest128(),
            cards,
        }
    }
}

#[cfg(test)]
mod period_tests {
    use super::Period::{Day, Month, Year};

    #[test]
    fn a_year_comes_before_its_months_and_a_month_before_its_days() {
        let mut periods = vec![Month(2025, 2), Day(2025, 1, 31), Year(2026), Month(2025, 1)];
        periods.push(Year(2025));
        periods.sort();
        assert_eq!(
            periods,
            [
                Year(2025),
                Month(2025, 1),
                Day(2025, 1, 31),
                Month(2025, 2),
                Year(2026)
            ]
        );
        assert_eq!(Day(2025, 1, 31).parent(), Some(Month(2025, 1)));
        assert_eq!(Month(2025, 1).parent(), Some(Year(2025)));
        assert_eq!(Year(2025).parent(), None);
    }
}
