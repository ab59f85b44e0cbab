//! Hugo (`content/<section>/...`, YAML/TOML/JSON front matter, `hugo.toml`) → articles.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::front::{NewFront, When, push_unique};
use super::generators::{self, Assets, Origin, PagePlace, SourceFile, into_article, pick_date};
use super::report::Report;
use super::urls::{self, HugoPage};
use super::{Article, ImportOptions, SourceSite};
use crate::error::{Diagnostic, Error};

/// A `[permalinks]` entry: a pattern, or (Hugo ≥ 0.120) a table of kinds → patterns.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Permalink {
    Pattern(String),
    Kinds(BTreeMap<String, String>),
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Config {
    title: Option<String>,
    #[serde(rename = "baseURL", alias = "baseurl")]
    base_url: Option<String>,
    permalinks: BTreeMap<String, Permalink>,
    #[serde(rename = "timeZone", alias = "timezone")]
    time_zone: Option<String>,
}

impl Config {
    /// The pattern for pages of `section`, if configured.
    fn permalink(&self, section: &str) -> Option<&str> {
        if let Some(Permalink::Kinds(page)) = self.permalinks.get("page")
            && let Some(p) = page.get(section)
        {
            return Some(p);
        }
        match self.permalinks.get(section) {
            Some(Permalink::Pattern(p)) => Some(p),
            _ => None,
        }
    }
}

const CONFIG_FILES: &[&str] = &[
    "hugo.toml",
    "hugo.yaml",
    "hugo.yml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.yml",
    "config.json",
];

/// Keys for Hugo's templates and menus only.
const IGNORED_KEYS: &[&str] = &[
    "layout", "type", "weight", "menu", "toc", "keywords", "showToc",
];

pub fn import(opts: &ImportOptions, report: &mut Report) -> Result<(), Error> {
    let root = &opts.source;
    let (content, pages) = generators::content_pages(root, "Hugo", report)?;
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
        |path, shown, file, report| page(path, &content, shown, file, &config, &assets, report),
    )?;
    let site = SourceSite {
        title: config.title.clone(),
        base_url: config.base_url.clone(),
        timezone: config.time_zone.clone(),
    };
    generators::finish(opts, &site, articles, errors, report)
}

fn read_config(root: &Path) -> Result<Config, Error> {
    for name in CONFIG_FILES {
        let Ok(text) = std::fs::read_to_string(root.join(name)) else {
            continue;
        };
        let located = |line: Option<usize>, msg: String| {
            Error::Site(vec![Diagnostic::error(
                *name,
                line,
                format!("invalid configuration: {msg}"),
            )])
        };
        return if name.ends_with(".toml") {
            toml::from_str(&text).map_err(|e| {
                located(
                    e.span()
                        .map(|s| crate::load::config::line_of_offset(&text, s.start)),
                    e.message().to_string(),
                )
            })
        } else if name.ends_with(".json") {
            serde_json::from_str(&text).map_err(|e| located(Some(e.line()), e.to_string()))
        } else {
            serde_saphyr::from_str(&text).map_err(|e| {
                located(
                    e.location().map(|l| l.line() as usize),
                    e.to_string().lines().next().unwrap_or("").to_string(),
                )
            })
        };
    }
    Ok(Config::default())
}

fn page(
    path: &Path,
    content: &Path,
    shown: &str,
    file: SourceFile,
    config: &Config,
    assets: &Assets,
    report: &mut Report,
) -> Option<Article> {
    let place = PagePlace::of(path, content, shown, report)?;
    let f = &file.front;
    let date = pick_date(
        f.date.as_ref().or(f.publish_date.as_ref()),
        None,
        shown,
        report,
    )?;
    let title = f.title().unwrap_or_else(|| place.name.clone());
    let slug_value = f.slug.as_ref().map(|s| s.text());
    let slug = slug_value.clone().unwrap_or_else(|| place.name.clone());
    let mut front = NewFront::new(title.clone(), date, slug);
    front.set_updated(
        f.lastmod
            .as_ref()
            .or(f.updated.as_ref())
            .and_then(|d| When::parse(&d.text())),
    );
    front.draft = f.draft == Some(true);
    front.authors = f.authors();
    front.summary = f.summary();
    for t in f
        .tags
        .iter()
        .chain(f.categories.iter())
        .flat_map(|t| t.items())
    {
        push_unique(&mut front.tags, &t);
    }
    let old = match &f.url {
        Some(url) => url.clone(),
        None => {
            let naive = match date {
                When::Instant(d) => d.naive_local(),
                When::Local(n) => n,
            };
            let hp = HugoPage {
                date: naive,
                sections: &place.folders,
                title: &title,
                slug: slug_value.as_deref(),
                filename: &place.name,
            };
            urls::hugo_permalink(config.permalink(&place.folders[0]), &hp)
        }
    };
    if !front.draft {
        front.aliases.push(old.clone());
    }
    // Hugo resolves a relative alias against the page's own folder.
    let dir_of_old = old.rsplit_once('/').map_or("", |(d, _)| d);
    for alias in f.old_aliases() {
        if alias.starts_with('/') {
            front.aliases.push(alias);
        } else {
            front
                .aliases
                .push(format!("{}/{alias}", dir_of_old.trim_end_matches('/')));
        }
    }
    let origin = Origin {
        page_dir: &place.page_dir,
        is_bundle: place.is_bundle,
        section: place.folders[0].clone(),
    };
    Some(into_article(front, &file, origin, assets, shown, report))
}
