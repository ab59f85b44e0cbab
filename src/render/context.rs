//! What templates see. Every per-article value (a "card") is built once per build and shared
//! by reference (Tera values are reference-counted), so list pages and site-wide lists cost
//! pointer copies, not re-serialisation. docs/templates.md documents every field.

use chrono::DateTime;
use chrono::SecondsFormat;
use chrono_tz::Tz;
use rayon::prelude::*;
use serde_json::{Value as Json, json};
use tera::Value;

use crate::model::{Archive, Article, Site, TaxonomyKind};

/// Display format of a full timestamp: "30 Oct 2025 18:07".
pub const DATETIME_FORMAT: &str = "%-d %b %Y %H:%M";
/// Display format of a day: "30 Oct 2025".
pub const DATE_FORMAT: &str = "%-d %b %Y";

/// RFC 3339 with the site's offset: `2025-10-30T18:07:00+13:00`. RFC 3339 offsets have no
/// seconds, so a time in local mean time (before standard time, `+11:39:04` in Auckland
/// until 1868) is written in UTC, keeping the instant exact.
pub fn rfc3339(d: &DateTime<Tz>) -> String {
    use chrono::Offset;
    if d.offset().fix().local_minus_utc() % 60 != 0 {
        return d.to_utc().to_rfc3339_opts(SecondsFormat::Secs, true);
    }
    d.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// A Tera map from static keys, built directly (no serde round trip: cards are built for
/// every article of every build, and serve rebuilds often).
pub fn obj<const N: usize>(pairs: [(&'static str, Value); N]) -> Value {
    let mut map = tera::Map::with_capacity(N);
    for (key, value) in pairs {
        map.insert(key.into(), value);
    }
    Value::from(map)
}

/// `{iso, display, day, time, ymd}` of a time in the site's zone.
pub fn date_value(d: &DateTime<Tz>) -> Value {
    obj([
        ("iso", rfc3339(d).into()),
        ("display", d.format(DATETIME_FORMAT).to_string().into()),
        ("day", d.format(DATE_FORMAT).to_string().into()),
        ("time", d.format("%H:%M").to_string().into()),
        ("ymd", d.format("%Y-%m-%d").to_string().into()),
    ])
}

/// Links to every term page, `{name, slug, url}`, per taxonomy (in `TaxonomyKind::ALL` order),
/// built once and shared by every card that names the term.
fn term_links(site: &Site) -> Vec<Vec<Value>> {
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

/// A section summary: `{slug, title, description, url, permalink, feed_url, count}`.
pub fn section_json(site: &Site, i: usize) -> Json {
    let s = &site.sections[i];
    json!({
        "slug": s.slug,
        "title": s.title,
        "description": s.description,
        "url": site.link(&format!("{}/", s.slug)),
        "permalink": site.permalink(&format!("{}/", s.slug)),
        "feed_url": site.link(&format!("{}/feed.xml", s.slug)),
        "count": s.articles.len(),
    })
}

/// The lead image's URL: relative images sit beside the article page.
pub fn image_url(site: &Site, a: &Article) -> Option<String> {
    let img = a.image.as_deref()?;
    if img.contains("://") || img.starts_with("//") {
        Some(img.to_string())
    } else if let Some(rest) = img.strip_prefix('/') {
        Some(site.link(rest))
    } else {
        Some(site.link(&format!("{}{}", a.path, img)))
    }
}

/// Everything a list or a page needs to show one article, except its body.
/// `terms` and `sections` are the shared values of [`term_links`] and [`section_brief`].
fn card_value(site: &Site, a: &Article, terms: &[Vec<Value>], sections: &[Value]) -> Value {
    let links = |kind: TaxonomyKind, ids: &[usize]| -> Value {
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
    let extra = if a.extra.is_empty() {
        Value::from(tera::Map::new())
    } else {
        Value::from_serializable(&a.extra)
    };
    obj([
        ("title", a.title.as_str().into()),
        ("slug", a.slug.as_str().into()),
        ("url", site.link(&a.path).into()),
        ("permalink", site.permalink(&a.path).into()),
        ("path", a.path.as_str().into()),
        ("date", date_value(&a.date)),
        ("updated", a.updated.as_ref().map(date_value).into()),
        ("section", sections[a.section].clone()),
        ("summary", a.summary.as_str().into()),
        ("source", source.into()),
        ("authors", links(TaxonomyKind::Authors, &a.author_ids)),
        ("tags", links(TaxonomyKind::Tags, &a.tag_ids)),
        ("featured", a.featured.into()),
        ("draft", a.draft.into()),
        ("image", image_url(site, a).into()),
        ("extra", extra),
    ])
}

/// The `{slug, title, url}` of a section that every card of the section shares.
fn section_brief(site: &Site, i: usize) -> Value {
    let s = &site.sections[i];
    obj([
        ("slug", s.slug.as_str().into()),
        ("title", s.title.as_str().into()),
        ("url", site.link(&format!("{}/", s.slug)).into()),
    ])
}

/// Values shared by every page of one build, built once.
pub struct Shared {
    /// One card per article, by article id.
    pub cards: Vec<Value>,
    /// One summary per section, by section index.
    pub sections: Vec<Value>,
}

impl Shared {
    pub fn build(site: &Site) -> Shared {
        let terms = term_links(site);
        let briefs: Vec<Value> = (0..site.sections.len())
            .map(|i| section_brief(site, i))
            .collect();
        let cards = site
            .articles
            .par_iter()
            .map(|a| card_value(site, a, &terms, &briefs))
            .collect();
        let sections = (0..site.sections.len())
            .map(|i| Value::from_serializable(&section_json(site, i)))
            .collect();
        Shared { cards, sections }
    }

    /// Cards of the given articles, as one list value (pointer copies).
    pub fn list(&self, ids: &[usize]) -> Value {
        Value::from(
            ids.iter()
                .map(|&i| self.cards[i].clone())
                .collect::<Vec<_>>(),
        )
    }
}

/// The site-wide context every template gets (Tera's global context).
pub fn global(site: &Site, shared: &Shared) -> tera::Context {
    let cfg = &site.config;
    let mut ctx = tera::Context::new();
    ctx.insert(
        "site",
        &json!({
            "title": cfg.title,
            "description": cfg.description,
            "base_url": cfg.base_url.full(),
            "base_path": cfg.base_url.path,
            "language": cfg.language,
            "timezone": cfg.timezone.name(),
            "feed_url": site.link("feed.xml"),
            "search_url": if cfg.search.enabled { Some(site.link("search/")) } else { None },
            "extra": cfg.extra,
            "generator": concat!("newsgen ", env!("CARGO_PKG_VERSION")),
        }),
    );
    ctx.insert_value("sections", Value::from(shared.sections.clone()));

    let featured: Vec<usize> = site
        .articles
        .iter()
        .enumerate()
        .filter(|(_, a)| a.featured)
        .map(|(i, _)| i)
        .take(cfg.top_stories)
        .collect();
    ctx.insert_value("top_stories", shared.list(&featured));

    let front_sections: Vec<Value> = site
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let ids = &s.articles[..s.articles.len().min(cfg.front_per_section)];
            let mut m = tera::Map::new();
            m.insert("section".into(), shared.sections[i].clone());
            m.insert("articles".into(), shared.list(ids));
            Value::from(m)
        })
        .collect();
    ctx.insert_value("front_sections", Value::from(front_sections));

    let latest: Vec<usize> = (0..site.articles.len().min(cfg.per_page)).collect();
    ctx.insert_value("latest", shared.list(&latest));

    // "Today's news": every article of the newest day that has any.
    let latest_day = site.articles.first().map(|newest| {
        let day = newest.date.date_naive();
        let ids: Vec<usize> = site
            .articles
            .iter()
            .take_while(|a| a.date.date_naive() == day)
            .enumerate()
            .map(|(i, _)| i)
            .collect();
        let mut m = tera::Map::new();
        m.insert("date".into(), date_value(&newest.date));
        m.insert(
            "url".into(),
            Value::from(site.link(&newest.date.format("%Y/%m/%d/").to_string())),
        );
        m.insert("articles".into(), shared.list(&ids));
        Value::from(m)
    });
    ctx.insert("latest_day", &latest_day);
    ctx
}

/// Title of a date archive: "2025", "October 2025", "30 October 2025".
pub fn archive_title(ar: &Archive) -> String {
    let month_name =
        |m: u32| crate::render::navigation::MONTHS[(m as usize).saturating_sub(1).min(11)];
    match (ar.key.month, ar.key.day) {
        (Some(m), Some(d)) => format!("{d} {} {}", month_name(m), ar.key.year),
        (Some(m), None) => format!("{} {}", month_name(m), ar.key.year),
        _ => format!("{}", ar.key.year),
    }
}
