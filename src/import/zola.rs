//! Zola (`content/<section>/...`, `+++` TOML front matter, `config.toml`) → articles.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::front::{NewFront, When, push_unique};
use super::generators::{self, Assets, SourceFile, UnmappedKeys};
use super::hugo::bundle_resources;
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
    let content = root.join("content");
    if !content.is_dir() {
        return Err(Error::Usage(format!(
            "{}: no content/ folder (give the Zola site's folder)",
            root.display()
        )));
    }
    let config = read_config(root)?;
    let assets = Assets {
        root: root.join("static"),
        base_path: String::new(),
    };
    let mut articles = Vec::new();
    let mut errors = Vec::new();
    let mut keys = UnmappedKeys::default();
    for path in generators::content_files(&content, &[]) {
        let shown = generators::shown(&path, root);
        if path.file_stem().is_some_and(|s| s == "_index") {
            report.count("section list pages (_index)", 1);
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        match generators::read_source(&text, Path::new(&shown)) {
            Ok(file) => {
                keys.add(&file.front, IGNORED_KEYS);
                if let Some(a) = page(&path, &content, &shown, file, &assets, report) {
                    articles.push(a);
                }
            }
            Err(d) => errors.push(d),
        }
    }
    keys.report("content", report);
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
    let f = &file.front;
    let is_bundle = path.file_stem().is_some_and(|s| s == "index");
    let page_dir = path.parent()?.to_path_buf();
    let name_path: PathBuf = if is_bundle {
        page_dir.clone()
    } else {
        path.with_extension("")
    };
    let rel = name_path.strip_prefix(content).ok()?;
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let name = parts.pop()?;
    if parts.is_empty() {
        report.skip(shown, "not in a section folder (a page, not a post)");
        return None;
    }
    let (name_date, name_slug) = split_name(&name);
    let date = match f.date.as_ref().map(|d| (d.text(), When::parse(&d.text()))) {
        Some((_, Some(d))) => d,
        Some((raw, None)) => {
            report.skip(shown, format!("`date` {raw} is not a date"));
            return None;
        }
        None => match name_date {
            Some(d) => d,
            None => {
                report.skip(shown, "no `date` and no date in the file name");
                return None;
            }
        },
    };
    let slug = f
        .slug
        .as_ref()
        .map_or_else(|| name_slug.to_string(), |s| s.text());
    let title = f.title().unwrap_or_else(|| name_slug.to_string());
    let mut front = NewFront::new(title, date, slug.clone());
    front.set_updated(f.updated.as_ref().and_then(|d| When::parse(&d.text())));
    front.draft = f.draft == Some(true);
    front.authors = f.authors();
    if let Some(a) = f.taxonomies.get("authors") {
        for name in a.items() {
            push_unique(&mut front.authors, &name);
        }
    }
    front.summary = f.summary();
    for (taxonomy, terms) in &f.taxonomies {
        if taxonomy == "authors" {
            continue;
        }
        if taxonomy != "tags" && taxonomy != "categories" {
            report.unmapped(shown, format!("taxonomy `{taxonomy}` imported as tags"));
        }
        for t in terms.items() {
            push_unique(&mut front.tags, &t);
        }
    }
    let old = match &f.path {
        Some(p) => format!("/{}/", p.trim_matches('/')),
        None => {
            let folders: Vec<String> = parts.iter().map(|p| zola_slug(p)).collect();
            format!("/{}/{}/", folders.join("/"), zola_slug(&slug))
        }
    };
    if !front.draft {
        front.aliases.push(old);
    }
    front.aliases.extend(f.old_aliases());
    let mut files = Vec::new();
    if is_bundle {
        bundle_resources(&page_dir, &mut files);
    }
    if let Some(image) = f.image() {
        front.image = Some(
            assets
                .localize(&image, &page_dir, &mut files)
                .unwrap_or(image),
        );
    }
    generators::report_templates(&file.body, file.body_line, shown, report);
    let body = assets.localize_body(&file.body, &page_dir, &mut files);
    Some(Article {
        origin: shown.to_string(),
        section: parts[0].clone(),
        front,
        body,
        files,
    })
}
