//! Fixture sites for integration tests: a site folder in a temp dir, built with the library
//! or the real binary, and its output read back with a real HTML parser.
#![allow(dead_code)]

pub mod random_site;

use std::path::{Path, PathBuf};
use std::process::Output;

use chrono::{DateTime, TimeZone, Utc};
use newsgen::{BuildOptions, BuildReport, Error};
use scraper::{Html, Selector};

/// Sets a file's modification time (tests give inputs past times of their own, far from the
/// two seconds before a build in which newsgen does not trust a file's stamp).
pub fn set_modified(path: &Path, t: std::time::SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

/// The fixed "now" of fixture builds, so future/past decisions do not depend on the clock.
pub fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

/// The "now" of example-site builds: the day after its newest article (2026-11-26), so its
/// front page, news sitemap and future-article checks see the same site on any date.
pub fn example_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap()
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// A site with a basic site.toml (Pacific/Auckland) plus `extra` lines appended.
    pub fn new(extra: &str) -> Fixture {
        let f = Fixture {
            dir: tempfile::tempdir().unwrap(),
        };
        f.write(
            "site.toml",
            &format!(
                "title = \"Test News\"\nbase_url = \"https://news.example.org/\"\n\
                 timezone = \"Pacific/Auckland\"\nper_page = 20\n{extra}"
            ),
        );
        std::fs::create_dir_all(f.path().join("content")).unwrap();
        f
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) {
        self.write_bytes(rel, text.as_bytes());
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }

    /// Writes `content/<rel>` with the given front matter lines and body.
    pub fn article(&self, rel: &str, front: &str, body: &str) {
        self.write(
            &format!("content/{rel}"),
            &format!("+++\n{front}\n+++\n{body}\n"),
        );
    }

    pub fn options(&self) -> BuildOptions {
        BuildOptions {
            site_dir: self.path().to_path_buf(),
            now: Some(fixed_now()),
            ..BuildOptions::default()
        }
    }

    pub fn build(&self) -> Result<BuildReport, Error> {
        newsgen::build(&self.options())
    }

    pub fn build_with(&self, f: impl FnOnce(&mut BuildOptions)) -> Result<BuildReport, Error> {
        let mut opts = self.options();
        f(&mut opts);
        newsgen::build(&opts)
    }

    pub fn out(&self) -> PathBuf {
        self.path().join("public")
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.out().join(rel).is_file()
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out().join(rel))
            .unwrap_or_else(|e| panic!("cannot read output {rel}: {e}"))
    }

    pub fn html(&self, rel: &str) -> Html {
        Html::parse_document(&self.read(rel))
    }

    /// Runs the real binary with `args` in the site folder.
    pub fn cli(&self, args: &[&str]) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_newsgen"))
            .args(args)
            .current_dir(self.path())
            .env("SOURCE_DATE_EPOCH", fixed_now().timestamp().to_string())
            .output()
            .unwrap()
    }
}

/// Attribute `attr` of every element matching `css`.
pub fn attrs(doc: &Html, css: &str, attr: &str) -> Vec<String> {
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

/// Text of every element matching `css`, whitespace-collapsed.
pub fn texts(doc: &Html, css: &str) -> Vec<String> {
    let sel = Selector::parse(css).unwrap();
    doc.select(&sel)
        .map(|e| {
            e.text()
                .collect::<Vec<_>>()
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Every file below `root`, relative, sorted.
pub fn all_files(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(root).unwrap().to_path_buf())
        .collect();
    out.sort();
    out
}

/// True when `href` looks like an article URL of the default permalink (`/s/2025/10/30/slug/`).
pub fn is_article_url(href: &str) -> bool {
    let parts: Vec<&str> = href.trim_matches('/').split('/').collect();
    parts.len() >= 5 && {
        let n = parts.len();
        let (y, m, d) = (parts[n - 4], parts[n - 3], parts[n - 2]);
        y.len() == 4
            && m.len() == 2
            && d.len() == 2
            && [y, m, d]
                .iter()
                .all(|s| s.chars().all(|c| c.is_ascii_digit()))
    }
}

/// Article links of the page's main list, in order, without repeats: links in `<main>` that
/// are not inside an `<aside>` or `<nav>` (so sidebars and navigation do not count).
/// Independent of the theme's class names.
pub fn main_article_links(doc: &Html) -> Vec<String> {
    let sel = Selector::parse("main a[href]").unwrap();
    let mut out: Vec<String> = Vec::new();
    for a in doc.select(&sel) {
        let in_side = a.ancestors().any(|n| {
            n.value()
                .as_element()
                .is_some_and(|e| matches!(e.name(), "aside" | "nav"))
        });
        let href = a.value().attr("href").unwrap_or_default().to_string();
        if !in_side && is_article_url(&href) && !out.contains(&href) {
            out.push(href);
        }
    }
    out
}

/// Every href on the page.
pub fn all_links(doc: &Html) -> Vec<String> {
    attrs(doc, "a[href]", "href")
}
