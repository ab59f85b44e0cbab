//! Jekyll (`_posts/YYYY-MM-DD-title.md`, YAML front matter, `_config.yml`) → articles.

use std::path::Path;

use chrono_tz::Tz;
use serde::Deserialize;

use super::front::{NewFront, When, push_unique};
use super::generators::{self, Assets, Origin, SourceFile, into_article, pick_date};
use super::report::Report;
use super::urls::{self, JekyllPost};
use super::{Article, ImportOptions, SourceSite};
use crate::error::{Diagnostic, Error};
use crate::slug::title_from_folder;

/// The `_config.yml` settings that decide old URLs and dates.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Config {
    title: Option<String>,
    name: Option<String>,
    url: Option<String>,
    baseurl: Option<String>,
    permalink: Option<String>,
    timezone: Option<String>,
    collections: std::collections::BTreeMap<String, Collection>,
}

/// `collections.posts.permalink` overrides the site's `permalink` for posts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Collection {
    permalink: Option<String>,
}

impl Config {
    fn post_permalink(&self) -> Option<&str> {
        self.collections
            .get("posts")
            .and_then(|c| c.permalink.as_deref())
            .or(self.permalink.as_deref())
    }
}

/// Keys Jekyll uses for layout and rendering only: not worth a report line.
const IGNORED_KEYS: &[&str] = &["layout", "comments", "share", "toc", "sitemap"];

pub fn import(opts: &ImportOptions, report: &mut Report) -> Result<(), Error> {
    let root = &opts.source;
    if !root.is_dir() {
        return Err(Error::Usage(format!(
            "{}: not a folder (give the Jekyll site's folder)",
            root.display()
        )));
    }
    let config = read_config(root)?;
    let tz: Option<Tz> = config.timezone.as_deref().and_then(|t| t.parse().ok());
    let assets = Assets {
        root: root.clone(),
        base_path: config.baseurl.clone().unwrap_or_default(),
    };
    let posts: Vec<_> =
        generators::content_files(root, &["_site", "node_modules", "vendor", ".jekyll-cache"])
            .into_iter()
            .filter(|p| post_folder(p).is_some())
            .collect();
    let (articles, errors) = generators::read_all(
        posts,
        root,
        IGNORED_KEYS,
        report,
        |path, shown, file, report| {
            let ctx = PostContext {
                root,
                config: &config,
                tz,
                assets: &assets,
                draft_folder: post_folder(path) == Some(true),
            };
            post(path, shown, file, &ctx, report)
        },
    )?;
    let site = SourceSite {
        title: config.title.clone().or_else(|| config.name.clone()),
        timezone: config.timezone.clone(),
        base_url: config.url.as_ref().map(|u| {
            format!(
                "{}{}",
                u.trim_end_matches('/'),
                config.baseurl.as_deref().unwrap_or("/")
            )
        }),
    };
    generators::finish(opts, &site, articles, errors, report)
}

fn read_config(root: &Path) -> Result<Config, Error> {
    let path = root.join("_config.yml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Config::default());
    };
    serde_saphyr::from_str(&text).map_err(|e| {
        let line = e.location().map(|l| l.line() as usize);
        let first = e.to_string().lines().next().unwrap_or("").to_string();
        Error::Site(vec![Diagnostic::error(
            "_config.yml",
            line,
            format!("invalid YAML: {first}"),
        )])
    })
}

struct PostContext<'a> {
    root: &'a Path,
    config: &'a Config,
    tz: Option<Tz>,
    assets: &'a Assets,
    draft_folder: bool,
}

/// Whether `path` is a post (in `_posts/`: `Some(false)`) or a draft (`_drafts/`: `Some(true)`).
fn post_folder(path: &Path) -> Option<bool> {
    match path.parent()?.file_name()?.to_str()? {
        "_posts" => Some(false),
        "_drafts" => Some(true),
        _ => None,
    }
}

/// `2020-01-31-hello-world` → (date, `hello-world`).
fn split_name(stem: &str) -> Option<(When, &str)> {
    let date = When::parse(stem.get(..10)?)?;
    Some((date, stem.get(11..).filter(|s| !s.is_empty())?))
}

fn post(
    path: &Path,
    shown: &str,
    file: SourceFile,
    ctx: &PostContext,
    report: &mut Report,
) -> Option<Article> {
    let stem = path.file_stem()?.to_string_lossy().into_owned();
    let f = &file.front;
    let (name_date, name_title) = match split_name(&stem) {
        Some((d, t)) => (Some(d), t.to_string()),
        None if ctx.draft_folder => (None, stem.clone()),
        None => {
            report.skip(shown, "the file name does not start with YYYY-MM-DD-");
            return None;
        }
    };
    let date = pick_date(f.date.as_ref(), name_date, shown, report)?.fixed_in(ctx.tz);
    let title_part = f.slug.as_ref().map_or(name_title.clone(), |s| s.text());
    let title = f.title().unwrap_or_else(|| title_from_folder(&name_title));
    let mut front = NewFront::new(title, date, title_part.clone());
    front.set_updated(
        f.last_modified_at
            .as_ref()
            .or(f.updated.as_ref())
            .and_then(|d| When::parse(&d.text()))
            .map(|d| d.fixed_in(ctx.tz)),
    );
    front.draft = ctx.draft_folder || f.published == Some(false) || f.draft == Some(true);
    front.authors = f.authors();
    front.summary = f.summary();
    let categories = categories(path, ctx.root, f);
    let section = categories
        .first()
        .cloned()
        .unwrap_or_else(|| "posts".to_string());
    for c in categories.iter().skip(1) {
        push_unique(&mut front.tags, c);
    }
    for t in f.tags.iter().flat_map(jekyll_list) {
        push_unique(&mut front.tags, &t);
    }
    if !front.draft {
        let naive = match date {
            When::Instant(d) => d.with_timezone(&ctx.tz.unwrap_or(Tz::UTC)).naive_local(),
            When::Local(n) => n,
        };
        let post = JekyllPost {
            date: naive,
            title: &title_part,
            categories: &categories,
        };
        let pattern = f
            .permalink
            .as_deref()
            .or(ctx.config.post_permalink())
            .unwrap_or("date");
        front.aliases.push(urls::jekyll_permalink(pattern, &post));
    }
    front.aliases.extend(f.old_aliases());
    let origin = Origin {
        page_dir: path.parent()?,
        is_bundle: false,
        section,
    };
    Some(into_article(
        front, &file, origin, ctx.assets, shown, report,
    ))
}

/// Categories from the folders above `_posts` and from the front matter, in that order.
fn categories(path: &Path, root: &Path, f: &generators::SourceFront) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(rel) = path.strip_prefix(root) {
        for c in rel.components() {
            let c = c.as_os_str().to_string_lossy();
            if c == "_posts" || c == "_drafts" {
                break;
            }
            push_unique(&mut out, &c);
        }
    }
    let listed = f
        .categories
        .iter()
        .flat_map(jekyll_list)
        .chain(f.category.iter().map(|c| c.text()));
    for c in listed {
        push_unique(&mut out, &c);
    }
    out
}

/// Jekyll splits a category or tag string on spaces (`categories: news local`); list items
/// are kept whole.
fn jekyll_list(value: &generators::OneOrMany) -> Vec<String> {
    match value {
        generators::OneOrMany::One(s) => s.text().split_whitespace().map(str::to_string).collect(),
        many => many.items(),
    }
}
