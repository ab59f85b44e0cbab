//! `newsgen import`: bring an archive from WordPress, Jekyll, Hugo or Zola (docs/import.md).
//!
//! Every importer reads and checks its whole source first, so malformed input writes
//! nothing; then it hands articles one at a time to the [`Writer`], which never overwrites a
//! file, turns old URLs into `aliases` and adds new sections to site.toml at the end.

pub mod front;
mod generators;
mod hugo;
mod jekyll;
pub mod report;
pub mod sections;
mod urls;
mod wordpress;
mod wpbody;
mod wxr;
mod zola;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::load::config::{CONFIG_FILE, Config};
use crate::model::{alias_path, expand_permalink};
use crate::slug::slugify;
use front::NewFront;
use report::Report;
use sections::SectionMap;

/// The systems `newsgen import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Wordpress,
    Jekyll,
    Hugo,
    Zola,
}

/// What `newsgen import` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub kind: SourceKind,
    /// The WXR file, or the Jekyll/Hugo/Zola site folder.
    pub source: PathBuf,
    /// The newsgen site to import into (created with a site.toml when it has none).
    pub site_dir: PathBuf,
    /// WordPress's `wp-content/uploads` folder, to copy images from.
    pub uploads: Option<PathBuf>,
    /// `--section-map old=new` pairs.
    pub section_map: Vec<(String, String)>,
}

/// What the old site says about itself, for a site.toml made from scratch.
#[derive(Debug, Default, Clone)]
pub struct SourceSite {
    pub title: Option<String>,
    pub base_url: Option<String>,
    /// The old site's IANA time zone, when its configuration names one.
    pub timezone: Option<String>,
}

/// A file copied beside an article's `index.md` (making the article a bundle).
#[derive(Debug, Clone, PartialEq)]
pub struct BundleFile {
    pub from: PathBuf,
    pub name: String,
}

/// One article ready to be written.
#[derive(Debug, Clone)]
pub struct Article {
    /// Where it came from, for the report (`_posts/a.md`, `export.xml post 12`).
    pub origin: String,
    /// The old section or category name, before `--section-map`.
    pub section: String,
    pub front: NewFront,
    pub body: String,
    pub files: Vec<BundleFile>,
}

/// Runs one import and returns its report.
pub fn run(opts: &ImportOptions) -> Result<Report, Error> {
    let mut report = Report::default();
    match opts.kind {
        SourceKind::Wordpress => wordpress::import(opts, &mut report)?,
        SourceKind::Jekyll => jekyll::import(opts, &mut report)?,
        SourceKind::Hugo => hugo::import(opts, &mut report)?,
        SourceKind::Zola => zola::import(opts, &mut report)?,
    }
    Ok(report)
}

/// Writes imported articles into the site, one at a time.
pub struct Writer {
    site_dir: PathBuf,
    config: Config,
    sections: SectionMap,
    /// Article URLs and file stems used so far in this run.
    taken: HashSet<String>,
    /// Articles written per section slug, with the section's title.
    written: BTreeMap<String, (String, usize)>,
}

impl Writer {
    /// Opens the site, writing a site.toml from `source` when there is none.
    pub fn open(opts: &ImportOptions, source: &SourceSite) -> Result<Writer, Error> {
        let config_path = opts.site_dir.join(CONFIG_FILE);
        if !config_path.exists() {
            std::fs::create_dir_all(&opts.site_dir).map_err(|e| Error::io(&opts.site_dir, e))?;
            std::fs::write(&config_path, new_config(source))
                .map_err(|e| Error::io(&config_path, e))?;
        }
        let (config, _) = Config::load(&opts.site_dir).map_err(Error::Site)?;
        let sections = SectionMap::new(&config.import.section_map, &opts.section_map);
        Ok(Writer {
            site_dir: opts.site_dir.clone(),
            config,
            sections,
            taken: HashSet::new(),
            written: BTreeMap::new(),
        })
    }

    /// Writes one article (and its bundle files), or says in the report why not.
    pub fn write(&mut self, mut article: Article, report: &mut Report) -> Result<(), Error> {
        let (section, section_title) = self.sections.resolve(&article.section);
        if section.is_empty() {
            report.skip(
                &article.origin,
                format!("section `{}` has no usable name", article.section),
            );
            return Ok(());
        }
        let Some((stem, url)) = self.place(&mut article, &section, report) else {
            return Ok(());
        };
        let folder = PathBuf::from("content").join(&section);
        let single = folder.join(format!("{stem}.md"));
        let bundle = folder.join(&stem).join("index.md");
        for existing in [&single, &bundle] {
            if self.site_dir.join(existing).exists() {
                report.skip(
                    &article.origin,
                    format!("already there: {}", slash(existing)),
                );
                return Ok(());
            }
        }
        self.keep_aliases(&mut article, &section, &url, report);
        let rel = if article.files.is_empty() {
            single
        } else {
            bundle
        };
        let path = self.site_dir.join(&rel);
        create_new(&path, article.front.to_file(&article.body).as_bytes())?;
        for file in &article.files {
            let to = path.with_file_name(&file.name);
            let bytes = std::fs::read(&file.from).map_err(|e| Error::io(&file.from, e))?;
            create_new(&to, &bytes)?;
            report.files_copied += 1;
        }
        report.written.push(slash(&rel));
        self.written.entry(section).or_insert((section_title, 0)).1 += 1;
        Ok(())
    }

    /// Settles the article's slug so that its file stem and URL are new in this run
    /// (a second article with the same date and slug gets `-2`); returns (stem, URL).
    fn place(
        &mut self,
        article: &mut Article,
        section: &str,
        report: &mut Report,
    ) -> Option<(String, String)> {
        let mut slug = slugify(&article.front.slug);
        if slug.is_empty() {
            slug = slugify(&article.front.title);
        }
        if slug.is_empty() {
            report.skip(&article.origin, "neither slug nor title gives a file name");
            return None;
        }
        let date = article.front.date.in_zone(self.config.timezone);
        let day = date.format("%Y-%m-%d").to_string();
        let base = slug.clone();
        for n in 2.. {
            let stem = format!("{section}/{day}-{slug}");
            let url = expand_permalink(&self.config.article_permalink, section, &date, &slug);
            if !self.taken.contains(&stem) && !self.taken.contains(&url) {
                if slug != base {
                    report.review(
                        &article.origin,
                        format!(
                            "another article has the slug `{base}` on {day}: written as `{slug}`"
                        ),
                    );
                }
                self.taken.insert(stem);
                self.taken.insert(url.clone());
                article.front.slug = slug.clone();
                return Some((format!("{day}-{slug}"), url));
            }
            slug = format!("{base}-{n}");
        }
        unreachable!("the suffix loop returns once a free slug is found")
    }

    /// Keeps the aliases newsgen can serve: not the new URL itself, no duplicates, only
    /// paths inside the site (others are reported).
    fn keep_aliases(&self, article: &mut Article, section: &str, url: &str, report: &mut Report) {
        let mut seen = HashSet::new();
        let aliases = std::mem::take(&mut article.front.aliases);
        let is_section = |s: &str| {
            s == section || self.config.section(s).is_some() || self.written.contains_key(s)
        };
        for alias in aliases {
            match alias_path(&alias) {
                Ok(p) if p == url => {}
                Ok(p) if urls::is_generated(&p, is_section) => report.unmapped(
                    &article.origin,
                    format!("old URL `{alias}` is a page newsgen writes itself: no redirect there"),
                ),
                Ok(p) => {
                    if seen.insert(p) {
                        article.front.aliases.push(alias);
                    }
                }
                Err(msg) => report.unmapped(&article.origin, msg),
            }
        }
    }

    /// Adds the sections met for the first time to site.toml, most articles first.
    pub fn finish(self, report: &mut Report) -> Result<(), Error> {
        let mut added: Vec<(String, String, usize)> = self
            .written
            .into_iter()
            .filter(|(slug, _)| self.config.section(slug).is_none())
            .map(|(slug, (title, n))| (slug, title, n))
            .collect();
        sections::append_to_config(&self.site_dir.join(CONFIG_FILE), &mut added)?;
        report.sections_added = added.into_iter().map(|(s, _, n)| (s, n)).collect();
        report.written.sort();
        Ok(())
    }
}

/// A minimal site.toml for a site folder that has none.
fn new_config(source: &SourceSite) -> String {
    let title = source.title.as_deref().unwrap_or("Imported archive");
    let base = source
        .base_url
        .as_deref()
        .filter(|u| crate::load::config::BaseUrl::parse(u).is_ok())
        .map_or_else(
            || "https://example.org/".to_string(),
            |u| format!("{}/", u.trim_end_matches('/')),
        );
    let tz = source
        .timezone
        .as_deref()
        .filter(|t| t.parse::<chrono_tz::Tz>().is_ok())
        .unwrap_or("UTC");
    format!(
        "title = {}\nbase_url = {}\ntimezone = {}\n",
        toml::Value::String(title.to_string()),
        toml::Value::String(base.to_string()),
        toml::Value::String(tz.to_string())
    )
}

/// Writes a new file; an existing one is an error, never overwritten.
fn create_new(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    file.write_all(bytes).map_err(|e| Error::io(path, e))
}

/// Adds `from` to an article's bundle files once; returns its name there (the file name,
/// `2-name` when another file already has it).
pub fn add_bundle_file(files: &mut Vec<BundleFile>, from: PathBuf) -> Option<String> {
    if let Some(f) = files.iter().find(|f| f.from == from) {
        return Some(f.name.clone());
    }
    let base = from.file_name()?.to_string_lossy().into_owned();
    let mut name = base.clone();
    let mut n = 2;
    while files.iter().any(|f| f.name == name) || name == "index.md" {
        name = format!("{n}-{base}");
        n += 1;
    }
    files.push(BundleFile {
        from,
        name: name.clone(),
    });
    Some(name)
}

/// A relative path with `/` separators, as the report shows it.
fn slash(path: &Path) -> String {
    crate::error::display_path(path)
}
