//! Hugo (`content/<section>/...`, YAML/TOML/JSON front matter, `hugo.toml`) → articles.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::front::{NewFront, When, push_unique};
use super::generators::{self, Assets, SourceFile, UnmappedKeys};
use super::report::Report;
use super::urls::{self, HugoPage};
use super::{Article, BundleFile, ImportOptions, SourceSite};
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
    let content = root.join("content");
    if !content.is_dir() {
        return Err(Error::Usage(format!(
            "{}: no content/ folder (give the Hugo site's folder)",
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
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if stem == "_index" {
            report.count("section list pages (_index)", 1);
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        match generators::read_source(&text, Path::new(&shown)) {
            Ok(file) => {
                keys.add(&file.front, IGNORED_KEYS);
                if let Some(a) = page(&path, &content, &shown, file, &config, &assets, report) {
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
    let filename = parts.pop()?;
    if parts.is_empty() {
        report.skip(shown, "not in a section folder (a page, not a post)");
        return None;
    }
    let Some(date) = f
        .date
        .as_ref()
        .or(f.publish_date.as_ref())
        .map(|d| (d.text(), When::parse(&d.text())))
    else {
        report.skip(shown, "no `date`");
        return None;
    };
    let (raw, Some(date)) = date else {
        report.skip(shown, format!("`date` {} is not a date", date.0));
        return None;
    };
    let _ = raw;
    let title = f.title().unwrap_or_else(|| filename.clone());
    let slug_value = f.slug.as_ref().map(|s| s.text());
    let mut front = NewFront::new(
        title.clone(),
        date,
        slug_value.clone().unwrap_or_else(|| filename.clone()),
    );
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
                sections: &parts,
                title: &title,
                slug: slug_value.as_deref(),
                filename: &filename,
            };
            urls::hugo_permalink(config.permalink(&parts[0]), &hp)
        }
    };
    if !front.draft {
        front.aliases.push(old.clone());
    }
    let dir_of_old = old.rsplit_once('/').map_or("/", |(d, _)| d).to_string();
    for alias in f.old_aliases() {
        let alias = if alias.starts_with('/') {
            alias
        } else {
            format!("{}/{alias}", dir_of_old.trim_end_matches('/'))
        };
        front.aliases.push(alias);
    }
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

/// A leaf bundle's resources (every file beside `index.md` but Markdown), sorted.
pub fn bundle_resources(dir: &Path, files: &mut Vec<BundleFile>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && !matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("md" | "markdown")
                )
        })
        .collect();
    found.sort();
    for from in found {
        let name = from
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !name.starts_with('.') {
            files.push(BundleFile { from, name });
        }
    }
}
