//! Structured data and link-preview values for every page's `<head>`: schema.org JSON-LD
//! (`NewsArticle` on articles, `WebSite`/`CollectionPage` and `BreadcrumbList` elsewhere) and
//! the values OpenGraph/Twitter tags need that templates cannot compute (absolute image URL).
//!
//! JSON-LD is built with serde_json, so every string is JSON-escaped, and then made safe for a
//! `<script>` element with [`crate::util::escape::escape_json_for_html`]: a `</script>` in a title
//! cannot end the element. The theme's `partials/head_meta.html` prints it.

use serde_json::{Value as Json, json};
use tera::Value;

use crate::model::pages::{Page, PageKind};
use crate::model::{Article, Site};
use crate::render::context::absolute_image;
use crate::render::page_context::PageInfo;
use crate::util::escape::escape_json_for_html;
use crate::util::time::rfc3339;

/// The parts of structured data that are the same on every page, built once per build.
pub struct Shared {
    website: Json,
    publisher: Json,
    locale: Value,
}

impl Shared {
    pub fn new(site: &Site) -> Shared {
        Shared {
            website: website(site),
            publisher: publisher(site),
            locale: og_locale(&site.config.language)
                .map(Value::from)
                .unwrap_or_else(Value::none),
        }
    }
}

/// The `seo` value of a page's template context:
/// `{json_ld, og_type, image, locale, published, modified}` (see docs/feeds-and-seo.md).
/// `page_info` is the page's `page` context value (title, description, breadcrumb).
pub fn page_values(site: &Site, shared: &Shared, page: &Page, page_info: &PageInfo) -> Value {
    let article = match page.kind {
        PageKind::Article(id) => Some(&site.articles[id]),
        _ => None,
    };
    let json_ld = json_ld(site, shared, page, page_info)
        .map(|ld| escape_json_for_html(&ld.to_string()))
        .unwrap_or_default();
    let mut m = tera::Map::new();
    m.insert("json_ld".into(), Value::safe_string(&json_ld));
    m.insert(
        "og_type".into(),
        Value::from(if article.is_some() {
            "article"
        } else {
            "website"
        }),
    );
    let social = article.and_then(|a| crate::images::social_image(site, a));
    m.insert(
        "image".into(),
        article
            .and_then(|a| social_image_url(site, a))
            .map(Value::from)
            .unwrap_or_else(Value::none),
    );
    for (key, size) in [
        ("image_width", social.as_ref().map(|v| v.width)),
        ("image_height", social.as_ref().map(|v| v.height)),
    ] {
        m.insert(
            key.into(),
            size.map(Value::from).unwrap_or_else(Value::none),
        );
    }
    m.insert("locale".into(), shared.locale.clone());
    for (key, date) in [
        ("published", article.map(|a| a.date)),
        ("modified", article.map(|a| a.modified())),
    ] {
        m.insert(
            key.into(),
            date.map(|d| Value::from(rfc3339(&d)))
                .unwrap_or_else(Value::none),
        );
    }
    Value::from(m)
}

/// OpenGraph's `ll_CC` locale from a BCP 47 language with a region (`en-NZ` → `en_NZ`);
/// None for a bare language, which OpenGraph cannot express.
pub fn og_locale(language: &str) -> Option<String> {
    let mut parts = language.trim().split(['-', '_']);
    let lang = parts.next().filter(|l| (2..=3).contains(&l.len()))?;
    let region = parts.find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))?;
    Some(format!(
        "{}_{}",
        lang.to_ascii_lowercase(),
        region.to_ascii_uppercase()
    ))
}

fn website(site: &Site) -> Json {
    let home = site.permalink("");
    let mut w = json!({
        "@type": "WebSite",
        "@id": format!("{home}#website"),
        "url": home,
        "name": site.config.title,
        "inLanguage": site.config.language,
        "publisher": publisher(site),
    });
    if let Some(d) = &site.config.description {
        w["description"] = json!(d);
    }
    w
}

/// The publisher: the site itself, with `extra.logo` (site.toml) as its logo when set.
fn publisher(site: &Site) -> Json {
    let home = site.permalink("");
    let mut p = json!({
        "@type": "NewsMediaOrganization",
        "@id": format!("{home}#publisher"),
        "name": site.config.title,
        "url": home,
    });
    if let Some(logo) = site.config.extra.get("logo").and_then(|v| v.as_str()) {
        let url = if logo.contains("://") {
            logo.to_string()
        } else {
            site.permalink(logo.trim_start_matches('/'))
        };
        p["logo"] = json!({ "@type": "ImageObject", "url": url });
    }
    p
}

fn breadcrumbs(page_info: &PageInfo, permalink: &str) -> Option<Json> {
    let crumbs = &page_info.breadcrumb;
    if crumbs.len() < 2 {
        return None;
    }
    let items: Vec<Json> = crumbs
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({
                "@type": "ListItem",
                "position": i + 1,
                "name": c.title,
                "item": c.permalink,
            })
        })
        .collect();
    Some(json!({
        "@type": "BreadcrumbList",
        "@id": format!("{permalink}#breadcrumb"),
        "itemListElement": items,
    }))
}

/// The page's JSON-LD document (`@context` + `@graph`), or None for pages that carry none
/// (redirects, the 404 page).
pub fn json_ld(site: &Site, shared: &Shared, page: &Page, page_info: &PageInfo) -> Option<Json> {
    let permalink = site.permalink(&page.path);
    let web = &shared.website;
    let crumbs = breadcrumbs(page_info, &permalink);
    let mut graph = Vec::new();
    match &page.kind {
        PageKind::Redirect { .. } | PageKind::NotFound => return None,
        PageKind::Article(id) => {
            let a = &site.articles[*id];
            let authors: Vec<Json> = a
                .author_ids
                .iter()
                .map(|&t| {
                    let term = &site.taxonomy(crate::model::TaxonomyKind::Authors).terms[t];
                    json!({
                        "@type": "Person",
                        "name": term.name,
                        "url": site.permalink(&format!("authors/{}/", term.slug)),
                    })
                })
                .collect();
            let author = match (&authors[..], &a.source) {
                ([], Some(source)) => json!([{ "@type": "Organization", "name": source }]),
                ([], None) => json!([shared.publisher]),
                _ => json!(authors),
            };
            let mut node = json!({
                "@type": "NewsArticle",
                "@id": format!("{permalink}#article"),
                "url": permalink,
                "mainEntityOfPage": { "@type": "WebPage", "@id": permalink },
                "headline": a.title,
                "datePublished": rfc3339(&a.date),
                "dateModified": rfc3339(&a.modified()),
                "author": author,
                "publisher": shared.publisher,
                "articleSection": site.sections[a.section].title,
                "isPartOf": web,
                "inLanguage": site.config.language,
            });
            if !a.summary.is_empty() {
                node["description"] = json!(a.summary);
            }
            if let Some(img) = social_image_url(site, a) {
                node["image"] = json!([img]);
            }
            if !a.tags.is_empty() {
                node["keywords"] = json!(a.tags);
            }
            if let Some(c) = &crumbs {
                node["breadcrumb"] = json!({ "@id": c["@id"] });
            }
            graph.push(node);
        }
        kind => {
            let page_type = match kind {
                PageKind::Search => "SearchResultsPage",
                _ => "CollectionPage",
            };
            let mut node = json!({
                "@type": page_type,
                "@id": permalink,
                "url": permalink,
                "name": page_info.title,
                "isPartOf": { "@id": web["@id"] },
                "inLanguage": site.config.language,
            });
            if let Some(d) = &page_info.description {
                node["description"] = json!(d);
            }
            if let Some(c) = &crumbs {
                node["breadcrumb"] = json!({ "@id": c["@id"] });
            }
            graph.push(web.clone());
            graph.push(node);
        }
    }
    graph.extend(crumbs);
    Some(json!({ "@context": "https://schema.org", "@graph": graph }))
}

/// The image for social cards and search results: the processed social width (1,200 px by
/// default) when there is one, else the lead image as written.
fn social_image_url(site: &Site, a: &Article) -> Option<String> {
    match crate::images::social_image(site, a) {
        Some(v) => Some(site.permalink(&v.path)),
        None => absolute_image(site, a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opengraph_locales() {
        assert_eq!(og_locale("en-NZ").as_deref(), Some("en_NZ"));
        assert_eq!(og_locale("mi_nz").as_deref(), Some("mi_NZ"));
        assert_eq!(og_locale("zh-Hant-TW").as_deref(), Some("zh_TW"));
        assert_eq!(og_locale("en"), None);
    }
}
