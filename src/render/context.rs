//! What templates see. Every per-article value (a "card") is built once per build and shared
//! by reference (Tera values are reference-counted), so list pages and site-wide lists cost
//! pointer copies, not re-serialisation. docs/templates.md documents every field.

use chrono::DateTime;
use chrono_tz::Tz;
use rayon::prelude::*;
use serde_json::{Value as Json, json};
use tera::Value;

use std::sync::OnceLock;
use typed_index_collections::{TiSlice, TiVec};

use super::fingerprint::ValueHasher;
use crate::model::{Archive, Article, ArticleId, Period, SectionId, Site, TaxonomyKind, TermId};
use crate::util::time::rfc3339;
use crate::util::url::{ImageUrl, absolute, classify_image};

/// Display format of a full timestamp: "30 Oct 2025 18:07".
pub const DATETIME_FORMAT: &str = "%-d %b %Y %H:%M";
/// Display format of a day: "30 Oct 2025".
pub const DATE_FORMAT: &str = "%-d %b %Y";

/// A Tera map from static keys, built directly (no serde round trip: cards are built for
/// every article of every build, and serve rebuilds often). It goes through Tera's struct
/// serializer, which inserts each key once into the map it keeps and passes values through;
/// `Value::from(tera::Map)` would hash every key a second time, copying the map.
pub fn obj<const N: usize>(pairs: [(&'static str, Value); N]) -> Value {
    struct Fields<const N: usize>([(&'static str, Value); N]);
    impl<const N: usize> serde::Serialize for Fields<N> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeStruct;
            let mut map = s.serialize_struct("obj", N)?;
            for (key, value) in &self.0 {
                map.serialize_field(key, value)?;
            }
            map.end()
        }
    }
    Value::try_from_serializable(&Fields(pairs)).expect("Tera values always serialise")
}

/// `{iso, display, day, time, ymd, date_only}` of a time in the site's zone.
pub fn date_value(d: &DateTime<Tz>) -> Value {
    day_or_time_value(d, false)
}

/// [`date_value`] of a front matter date; one written without a time of day has an empty
/// `time` and shows as the day alone (no "00:00").
pub fn day_or_time_value(d: &DateTime<Tz>, date_only: bool) -> Value {
    let (display, time) = if date_only {
        (DATE_FORMAT, String::new())
    } else {
        (DATETIME_FORMAT, d.format("%H:%M").to_string())
    };
    obj([
        ("iso", rfc3339(d).into()),
        ("display", d.format(display).to_string().into()),
        ("day", d.format(DATE_FORMAT).to_string().into()),
        ("time", time.into()),
        ("ymd", d.format("%Y-%m-%d").to_string().into()),
        ("date_only", date_only.into()),
    ])
}

/// Links to every term page, `{name, slug, url}`, per taxonomy (in `TaxonomyKind::ALL` order),
/// built once and shared by every card that names the term.
fn term_links(site: &Site) -> Vec<TiVec<TermId, Value>> {
    TaxonomyKind::ALL
        .iter()
        .map(|&kind| {
            site.taxonomy(kind)
                .terms
                .iter()
                .map(|term| {
                    obj([
                        ("name", term.name.as_str().into()),
                        ("slug", term.slug.as_str().into()),
                        (
                            "url",
                            site.link(&format!("{}/{}/", kind.slug(), term.slug)).into(),
                        ),
                    ])
                })
                .collect()
        })
        .collect()
}

/// A section summary: `{slug, title, description, url, permalink, feed_url}`, and `count`
/// when `with_count`. The navigation lists leave the count out: every page shows them, and a
/// new article would otherwise change every page of the site.
pub fn section_json(site: &Site, i: SectionId, with_count: bool) -> Json {
    let s = &site.sections[i];
    let mut v = json!({
        "slug": s.slug,
        "title": s.title,
        "description": s.description,
        "url": site.link(&format!("{}/", s.slug)),
        "permalink": site.permalink(&format!("{}/", s.slug)),
        "feed_url": site.link(&format!("{}/feed.xml", s.slug)),
    });
    if with_count {
        v["count"] = json!(s.articles.len());
    }
    v
}

/// The built-in theme's icon, used when site.toml sets no `favicon`.
const DEFAULT_FAVICON: &str = "favicon.svg";

/// A site-wide file named in site.toml (`favicon`, `logo`): a full URL as it is, a path
/// relative to the output root under the base path.
fn asset_url(site: &Site, path: &str) -> String {
    if path.contains("://") {
        path.to_string()
    } else {
        site.link(path.trim_start_matches('/'))
    }
}

/// The lead image's URL: relative images sit beside the article page.
pub fn image_url(site: &Site, a: &Article) -> Option<String> {
    let img = a.image.as_deref()?;
    Some(match classify_image(img) {
        ImageUrl::External => img.to_string(),
        ImageUrl::SiteAbsolute(rest) => site.link(rest),
        ImageUrl::Relative(rel) => site.link(&format!("{}{rel}", a.path)),
    })
}

/// The lead image as an absolute URL (for feeds, OpenGraph and JSON-LD).
pub fn absolute_image(site: &Site, a: &Article) -> Option<String> {
    Some(absolute(&site.config.base_url.origin, image_url(site, a)?))
}

/// Everything a list or a page needs to show one article, except its body.
/// `terms` and `sections` are the shared values of [`term_links`] and [`section_brief`].
fn card_value(
    site: &Site,
    a: &Article,
    terms: &[TiVec<TermId, Value>],
    sections: &TiSlice<SectionId, Value>,
) -> Value {
    let links = |kind: TaxonomyKind, ids: &[TermId]| -> Value {
        Value::from(
            ids.iter()
                .map(|&t| terms[kind as usize][t].clone())
                .collect::<Vec<_>>(),
        )
    };
    let source = a.source.as_ref().map(|name| {
        let page = a.source_id.map(|t| {
            let term = &site.taxonomy(TaxonomyKind::Sources).terms[t];
            site.link(&format!("sources/{}/", term.slug))
        });
        obj([
            ("name", name.as_str().into()),
            ("url", page.into()),
            ("link", a.source_url.as_deref().into()),
        ])
    });
    // Most articles have no `extra`: their cards share one empty map (a map each is ~100
    // bytes times every article of the archive).
    static EMPTY: OnceLock<Value> = OnceLock::new();
    let extra = if a.extra.is_empty() {
        EMPTY.get_or_init(|| Value::from(tera::Map::new())).clone()
    } else {
        Value::from_serializable(&a.extra)
    };
    obj([
        ("title", a.title.as_str().into()),
        ("slug", a.slug.as_str().into()),
        ("url", site.link(&a.path).into()),
        ("permalink", site.permalink(&a.path).into()),
        ("path", a.path.as_str().into()),
        ("date", day_or_time_value(&a.date, a.date_only)),
        (
            "updated",
            a.updated
                .as_ref()
                .map(|u| day_or_time_value(u, a.updated_date_only))
                .into(),
        ),
        ("section", sections[a.section].clone()),
        ("summary", a.summary.as_str().into()),
        ("summary_from_body", a.summary_from_body.into()),
        ("source", source.into()),
        ("authors", links(TaxonomyKind::Authors, &a.author_ids)),
        ("tags", links(TaxonomyKind::Tags, &a.tag_ids)),
        ("featured", a.featured.into()),
        ("draft", a.draft.into()),
        ("image", image_url(site, a).into()),
        ("image_path", crate::images::lead_path(a).into()),
        ("picture", crate::images::lead_view(site, a)),
        ("extra", extra),
    ])
}

/// The `{slug, title, url}` of a section that every card of the section shares.
fn section_brief(site: &Site, i: SectionId) -> Value {
    let s = &site.sections[i];
    obj([
        ("slug", s.slug.as_str().into()),
        ("title", s.title.as_str().into()),
        ("url", site.link(&format!("{}/", s.slug)).into()),
    ])
}

/// Values shared by every page of one build, each built at most once.
pub struct Shared<'a> {
    site: &'a Site,
    /// Term links and section briefs that cards point at.
    terms: Vec<TiVec<TermId, Value>>,
    briefs: TiVec<SectionId, Value>,
    /// One card per article, by article id, built on first use (registered with the hasher
    /// then) or all at once by [`Shared::build_all_cards`].
    cards: TiVec<ArticleId, OnceLock<Value>>,
    /// One summary per section with its article count (section pages, the front page's
    /// section blocks).
    pub sections: TiVec<SectionId, Value>,
    /// The same without the count (navigation, article and archive pages).
    pub section_nav: TiVec<SectionId, Value>,
}

impl<'a> Shared<'a> {
    /// The shared values; cards come later (see [`Shared::card`]).
    pub fn new(site: &'a Site) -> Shared<'a> {
        let summaries = |with_count| {
            site.sections
                .keys()
                .map(|i| Value::from_serializable(&section_json(site, i, with_count)))
                .collect()
        };
        Shared {
            site,
            terms: term_links(site),
            briefs: site
                .sections
                .keys()
                .map(|i| section_brief(site, i))
                .collect(),
            cards: (0..site.articles.len()).map(|_| OnceLock::new()).collect(),
            sections: summaries(true),
            section_nav: summaries(false),
        }
    }

    /// Builds every card in parallel (a build that renders most pages needs them all).
    pub fn build_all_cards(&self, hasher: &ValueHasher) {
        (0..self.cards.len())
            .into_par_iter()
            .for_each(|i| drop(self.card(ArticleId::from(i), hasher)));
    }

    /// The card of article `id`, built and registered with `hasher` (as `id`'s card) on
    /// first use.
    pub fn card(&self, id: ArticleId, hasher: &ValueHasher) -> Value {
        self.cards[id]
            .get_or_init(|| {
                let a = &self.site.articles[id];
                let card = card_value(self.site, a, &self.terms, &self.briefs);
                hasher.register_late(&card, Some(id));
                card
            })
            .clone()
    }

    /// Cards of the given articles, as one list value (pointer copies).
    pub fn list(&self, ids: &[ArticleId], hasher: &ValueHasher) -> Value {
        Value::from(
            ids.iter()
                .map(|&i| self.card(i, hasher))
                .collect::<Vec<_>>(),
        )
    }
}

/// The site-wide values every template gets (Tera's global context), in order.
pub fn global(site: &Site, shared: &Shared, hasher: &ValueHasher) -> Vec<(&'static str, Value)> {
    let cfg = &site.config;
    let site_value = Value::from_serializable(&json!({
        "title": cfg.title,
        "description": cfg.description,
        "base_url": cfg.base_url.full(),
        "base_path": cfg.base_url.path,
        "language": cfg.language,
        "timezone": cfg.timezone.name(),
        "feed_url": site.link("feed.xml"),
        "favicon_url": asset_url(site, cfg.favicon.as_deref().unwrap_or(DEFAULT_FAVICON)),
        "logo_url": cfg.logo.as_deref().map(|l| asset_url(site, l)),
        "search_url": if cfg.search.enabled { Some(site.link("search/")) } else { None },
        "extra": cfg.extra,
        "generator": concat!("newsgen ", env!("CARGO_PKG_VERSION")),
    }));

    let featured: Vec<ArticleId> = site
        .articles
        .iter_enumerated()
        .filter(|(_, a)| a.featured)
        .map(|(id, _)| id)
        .take(cfg.top_stories)
        .collect();

    let front_sections: Vec<Value> = site
        .sections
        .iter_enumerated()
        .map(|(i, s)| {
            let ids = &s.articles[..s.articles.len().min(cfg.front_per_section)];
            let mut m = tera::Map::new();
            m.insert("section".into(), shared.sections[i].clone());
            m.insert("articles".into(), shared.list(ids, hasher));
            Value::from(m)
        })
        .collect();

    let latest: Vec<ArticleId> = site.articles.keys().take(cfg.per_page).collect();

    // "Today's news": every article of the newest day that has any.
    let latest_day = site.articles.first().map_or_else(Value::none, |newest| {
        let day = newest.date.date_naive();
        let ids: Vec<ArticleId> = site
            .articles
            .iter_enumerated()
            .take_while(|(_, a)| a.date.date_naive() == day)
            .map(|(id, _)| id)
            .collect();
        let mut m = tera::Map::new();
        m.insert("date".into(), date_value(&newest.date));
        m.insert(
            "url".into(),
            Value::from(site.link(&newest.date.format("%Y/%m/%d/").to_string())),
        );
        m.insert(
            "year_url".into(),
            Value::from(site.link(&newest.date.format("%Y/").to_string())),
        );
        m.insert("articles".into(), shared.list(&ids, hasher));
        Value::from(m)
    });
    vec![
        ("site", site_value),
        ("sections", Value::from(shared.section_nav.raw.clone())),
        ("top_stories", shared.list(&featured, hasher)),
        ("front_sections", Value::from(front_sections)),
        ("latest", shared.list(&latest, hasher)),
        ("latest_day", latest_day),
    ]
}

/// Title of a date archive: "2025", "October 2025", "30 October 2025".
pub fn archive_title(ar: &Archive) -> String {
    let month_name =
        |m: u32| crate::render::navigation::MONTHS[(m as usize).saturating_sub(1).min(11)];
    match ar.key.period {
        Period::Day(y, m, d) => format!("{d} {} {y}", month_name(m)),
        Period::Month(y, m) => format!("{} {y}", month_name(m)),
        Period::Year(y) => format!("{y}"),
    }
}
