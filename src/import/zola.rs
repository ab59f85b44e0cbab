//! Zola (`content/<section>/...`, `+++` TOML front matter, `config.toml`) → articles.

use std::path::Path;

use serde::Deserialize;

use super::front::{NewFront, When, push_unique};
use super::generators::{self, Assets, Origin, PagePlace, SourceFile, into_article, pick_date};
use super::report::Report;
use super::{Article, ImportOptions, SourceSite};
use crate::error::{Diagnostic, Error};
use crate::slug::slugify;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Config {
    title: Option<String>,
    base_url: Option<String>,
}

/// Keys for Zola's templates only.
const IGNORED_KEYS: &[&str] = &[
    "template",
    "weight",
    "in_search_index",
    "render",
    "extra",
    "insert_anchor_links",
];

pub fn import(opts: &ImportOptions, report: &mut Report) -> Result<(), Error> {
    let root = &opts.source;
    let (content, pages) = generators::content_pages(root, "Zola", report)?;
    let config = read_config(root)?;
    let assets = Assets {
        root: root.join("static"),
        base_path: String::new(),
    };
    let (articles, errors) = generators::read_all(
        pages,
        root,
        IGNORED_KEYS,
        report,
        |path, shown, file, report| page(path, &content, shown, file, &assets, report),
    )?;
    let site = SourceSite {
        title: config.title.clone(),
        base_url: config.base_url.clone(),
        timezone: None,
    };
    generators::finish(opts, &site, articles, errors, report)
}

fn read_config(root: &Path) -> Result<Config, Error> {
    let Ok(text) = std::fs::read_to_string(root.join("config.toml")) else {
        return Ok(Config::default());
    };
    toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| crate::load::config::line_of_offset(&text, s.start));
        Error::Site(vec![Diagnostic::error(
            "config.toml",
            line,
            format!("invalid TOML: {}", e.message()),
        )])
    })
}

/// Zola takes a date from a `YYYY-MM-DD-` or `YYYY-MM-DD_` file name prefix.
fn split_name(name: &str) -> (Option<When>, &str) {
    let date = name.get(..10).and_then(When::parse);
    match (date, name.get(10..11)) {
        (Some(d), Some("-" | "_")) if name.len() > 11 => (Some(d), &name[11..]),
        _ => (None, name),
    }
}

/// Zola's path slugs: ASCII, lower case, `-` between words (dots and underscores too).
fn zola_slug(s: &str) -> String {
    slugify(s).replace(['.', '_'], "-")
}

fn page(
    path: &Path,
    content: &Path,
    shown: &str,
    file: SourceFile,
    assets: &Assets,
    report: &mut Report,
) -> Option<Article> {
    let place = PagePlace::of(path, content, shown, report)?;
    let f = &file.front;
    let (name_date, name_slug) = split_name(&place.name);
    let date = pick_date(f.date.as_ref(), name_date, shown, report)?;
    let slug = f
        .slug
        .as_ref()
        .map_or_else(|| name_slug.to_string(), |s| s.text());
    let title = f.title().unwrap_or_else(|| name_slug.to_string());
    let mut front = NewFront::new(title, date, slug.clone());
    front.set_updated(f.updated.as_ref().and_then(|d| When::parse(&d.text())));
    front.draft = f.draft == Some(true);
    front.authors = f.authors();
    front.summary = f.summary();
    for (taxonomy, terms) in &f.taxonomies {
        let list = if taxonomy == "authors" {
            &mut front.authors
        } else {
            if taxonomy != "tags" && taxonomy != "categories" {
                report.unmapped(shown, format!("taxonomy `{taxonomy}` imported as tags"));
            }
            &mut front.tags
        };
        for t in terms.items() {
            push_unique(list, &t);
        }
    }
    let old = match &f.path {
        Some(p) => format!("/{}/", p.trim_matches('/')),
        None => {
            let folders: Vec<String> = place.folders.iter().map(|p| zola_slug(p)).collect();
            format!("/{}/{}/", folders.join("/"), zola_slug(&slug))
        }
    };
    if !front.draft {
        front.aliases.push(old);
    }
    front.aliases.extend(f.old_aliases());
    let origin = Origin {
        page_dir: &place.page_dir,
        is_bundle: place.is_bundle,
        section: place.folders[0].clone(),
    };
    Some(into_article(front, &file, origin, assets, shown, report))
}
