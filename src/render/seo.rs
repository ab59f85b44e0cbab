//! Structured data and link-preview values for every page's `<head>`: schema.org JSON-LD
//! (`NewsArticle` on articles, `WebSite`/`CollectionPage` and `BreadcrumbList` elsewhere) and
//! the values OpenGraph/Twitter tags need that templates cannot compute (absolute image URL).
//!
//! JSON-LD is built with serde_json, so every string is JSON-escaped, and then made safe for a
//! `<script>` element with [`crate::util::escape::escape_json_for_html`]: a `</script>` in a title
//! cannot end the element. The theme's `partials/head_meta.html` prints it.

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Value as Json, json};
use tera::Value;

use crate::model::pages::{Page, PageKind};
use crate::model::{Article, Site};
use crate::render::context::{absolute_image, obj};
use crate::render::page_context::PageInfo;
use crate::util::escape::escape_json_for_html;
use crate::util::time::rfc3339;

/// The parts of structured data that are the same on every page, built and serialised once
/// per build.
pub struct Shared {
    website: Box<RawValue>,
    website_id: String,
    publisher: Box<RawValue>,
    locale: Value,
}

impl Shared {
    pub fn new(site: &Site) -> Shared {
        let raw = |node: &Json| {
            serde_json::value::to_raw_value(node).expect("a JSON value always serialises")
        };
        let website = website(site);
        Shared {
            website: raw(&website),
            website_id: website["@id"]
                .as_str()
                .expect("the website node is built with an @id")
                .to_string(),
            publisher: raw(&publisher(site)),
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
        .map(|ld| Value::safe_string(&escape_json_for_html(&ld)))
        .unwrap_or_else(|| Value::safe_string(""));
    let social = article.and_then(|a| crate::images::social_image(site, a));
    let size = |v: Option<u32>| v.map(Value::from).unwrap_or_else(Value::none);
    let time = |d: Option<chrono::DateTime<chrono_tz::Tz>>| {
        d.map(|d| Value::from(rfc3339(&d)))
            .unwrap_or_else(Value::none)
    };
    obj([
        ("json_ld", json_ld),
        (
            "og_type",
            Value::from(if article.is_some() {
                "article"
            } else {
                "website"
            }),
        ),
        (
            "image",
            article
                .and_then(|a| social_image_url(site, a))
                .map(Value::from)
                .unwrap_or_else(Value::none),
        ),
        ("image_width", size(social.as_ref().map(|v| v.width))),
        ("image_height", size(social.as_ref().map(|v| v.height))),
        ("locale", shared.locale.clone()),
        ("published", time(article.map(|a| a.date))),
        ("modified", time(article.map(|a| a.modified()))),
    ])
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

/// One node of `@graph`. Every struct below lists its keys in byte order, the order
/// serde_json's maps gave when the graph was built as `serde_json::Value`s (a test in
/// tests/feeds.rs checks the text is serde_json's own form): typed, borrowed fields serialise
/// without building and cloning a tree per page.
#[derive(Serialize)]
#[serde(untagged)]
enum Node<'a> {
    /// A node shared by all pages (the website), serialised as built once per build.
    Shared(&'a RawValue),
    Article(ArticleNode<'a>),
    Collection(CollectionNode<'a>),
    Breadcrumbs(&'a BreadcrumbList<'a>),
}

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@graph")]
    graph: Vec<Node<'a>>,
}

/// `{"@id": ...}`: a reference to a node by its id.
#[derive(Serialize)]
struct IdRef<'a> {
    #[serde(rename = "@id")]
    id: &'a str,
}

#[derive(Serialize)]
struct WebPage<'a> {
    #[serde(rename = "@id")]
    id: &'a str,
    #[serde(rename = "@type")]
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Author<'a> {
    Named {
        #[serde(rename = "@type")]
        kind: &'static str,
        name: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    Publisher(&'a RawValue),
}

#[derive(Serialize)]
struct ArticleNode<'a> {
    #[serde(rename = "@id")]
    id: String,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "articleSection")]
    article_section: &'a str,
    author: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    breadcrumb: Option<IdRef<'a>>,
    #[serde(rename = "dateModified")]
    date_modified: String,
    #[serde(rename = "datePublished")]
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    headline: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<[String; 1]>,
    #[serde(rename = "inLanguage")]
    in_language: &'a str,
    #[serde(rename = "isPartOf")]
    is_part_of: &'a RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    keywords: Option<&'a [String]>,
    #[serde(rename = "mainEntityOfPage")]
    main_entity_of_page: WebPage<'a>,
    publisher: &'a RawValue,
    url: &'a str,
}

#[derive(Serialize)]
struct CollectionNode<'a> {
    #[serde(rename = "@id")]
    id: &'a str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    breadcrumb: Option<IdRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(rename = "inLanguage")]
    in_language: &'a str,
    #[serde(rename = "isPartOf")]
    is_part_of: IdRef<'a>,
    name: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct BreadcrumbList<'a> {
    #[serde(rename = "@id")]
    id: String,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "itemListElement")]
    items: Vec<ListItem<'a>>,
}

#[derive(Serialize)]
struct ListItem<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    item: &'a str,
    name: &'a str,
    position: usize,
}

fn breadcrumbs<'a>(page_info: &'a PageInfo, permalink: &str) -> Option<BreadcrumbList<'a>> {
    let crumbs = &page_info.breadcrumb;
    if crumbs.len() < 2 {
        return None;
    }
    let items = crumbs
        .iter()
        .enumerate()
        .map(|(i, c)| ListItem {
            kind: "ListItem",
            item: &c.permalink,
            name: &c.title,
            position: i + 1,
        })
        .collect();
    Some(BreadcrumbList {
        id: format!("{permalink}#breadcrumb"),
        kind: "BreadcrumbList",
        items,
    })
}

/// The page's JSON-LD document (`@context` + `@graph`) as JSON text, or None for pages that
/// carry none (redirects, the 404 page).
pub fn json_ld(site: &Site, shared: &Shared, page: &Page, page_info: &PageInfo) -> Option<String> {
    let permalink = site.permalink(&page.path);
    let web = &shared.website;
    let crumbs = breadcrumbs(page_info, &permalink);
    let crumb_ref = crumbs.as_ref().map(|c| IdRef { id: &c.id });
    let language = site.config.language.as_str();
    let mut graph = Vec::new();
    match &page.kind {
        PageKind::Redirect { .. } | PageKind::NotFound => return None,
        PageKind::Article(id) => {
            let a = &site.articles[*id];
            let authors = site.taxonomy(crate::model::TaxonomyKind::Authors);
            let mut author: Vec<Author> = a
                .author_ids
                .iter()
                .map(|&t| {
                    let term = &authors.terms[t];
                    Author::Named {
                        kind: "Person",
                        name: &term.name,
                        url: Some(site.permalink(&format!("authors/{}/", term.slug))),
                    }
                })
                .collect();
            if author.is_empty() {
                author.push(match &a.source {
                    Some(source) => Author::Named {
                        kind: "Organization",
                        name: source,
                        url: None,
                    },
                    None => Author::Publisher(&shared.publisher),
                });
            }
            graph.push(Node::Article(ArticleNode {
                id: format!("{permalink}#article"),
                kind: "NewsArticle",
                article_section: &site.sections[a.section].title,
                author,
                breadcrumb: crumb_ref,
                date_modified: rfc3339(&a.modified()),
                date_published: rfc3339(&a.date),
                description: (!a.summary.is_empty()).then_some(a.summary.as_str()),
                headline: &a.title,
                image: social_image_url(site, a).map(|img| [img]),
                in_language: language,
                is_part_of: web,
                keywords: (!a.tags.is_empty()).then_some(a.tags.as_slice()),
                main_entity_of_page: WebPage {
                    id: &permalink,
                    kind: "WebPage",
                },
                publisher: &shared.publisher,
                url: &permalink,
            }));
        }
        kind => {
            graph.push(Node::Shared(web));
            graph.push(Node::Collection(CollectionNode {
                id: &permalink,
                kind: match kind {
                    PageKind::Search => "SearchResultsPage",
                    _ => "CollectionPage",
                },
                breadcrumb: crumb_ref,
                description: page_info.description.as_deref(),
                in_language: language,
                is_part_of: IdRef {
                    id: &shared.website_id,
                },
                name: &page_info.title,
                url: &permalink,
            }));
        }
    }
    graph.extend(crumbs.as_ref().map(Node::Breadcrumbs));
    let document = Document {
        context: "https://schema.org",
        graph,
    };
    Some(
        serde_json::to_string(&document)
            .expect("JSON-LD holds only strings, numbers and string-keyed maps"),
    )
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
