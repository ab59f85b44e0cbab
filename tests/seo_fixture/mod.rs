//! Shared helpers of the discoverability tests (tests/feeds.rs, tests/sitemap.rs): a fixture
//! news site on disk, builds of it, and in-memory sites of any size for the sitemap limits.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use newsgen::load::config::Config;
use newsgen::load::content::ArticleSource;
use newsgen::load::frontmatter::parse_article;
use newsgen::model::{BuildFlags, LoadedArticle, Site, build_site};
use newsgen::{BuildOptions, build};
use tempfile::TempDir;

/// The base URL of the fixture: a sub-path, so every URL must carry `/news/`.
pub const BASE: &str = "https://example.org/news/";
/// Build time of the fixture (NZDT, +13:00).
pub const NOW: &str = "2025-11-03T12:00:00+13:00";
/// A title that tries to break out of every context it is printed in.
pub const HOSTILE_TITLE: &str = "</script><script>alert(1)</script> & \"quotes\" ]]> Māori";
/// A summary with the same intent, plus a line separator that breaks naive JSON-in-JS.
pub const HOSTILE_SUMMARY: &str = "<b>Not bold</b> & 'single' ]]> \u{2028}<!-- Ōtautahi --> end";
pub const SITE_TITLE: &str = "Harbour City News";

/// A site folder in a temp dir.
pub struct Fixture {
    pub dir: TempDir,
}

/// A TOML basic string for `s` (escapes quotes, backslashes, controls).
pub fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

impl Fixture {
    /// A site with `extra` appended to a standard site.toml.
    pub fn new(extra: &str) -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let toml = format!(
            "title = \"{SITE_TITLE}\"\ndescription = \"News from the harbour city\"\n\
             base_url = \"{BASE}\"\nlanguage = \"en-NZ\"\ntimezone = \"Pacific/Auckland\"\n\
             per_page = 2\n{extra}\n"
        );
        std::fs::write(dir.path().join("site.toml"), toml).expect("site.toml");
        Fixture { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `content/{rel}` with front matter `front` and `body`.
    pub fn article(&self, rel: &str, front: &str, body: &str) {
        self.write(
            &format!("content/{rel}"),
            format!("+++\n{front}\n+++\n{body}\n").as_bytes(),
        );
    }

    pub fn write(&self, rel: &str, bytes: &[u8]) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, bytes).expect("write");
    }

    /// Options building into `SITE/out_{name}` at the fixture's build time.
    pub fn options(&self, name: &str) -> BuildOptions {
        BuildOptions {
            site_dir: self.path().to_path_buf(),
            output: Some(self.path().join(format!("out_{name}"))),
            now: Some(now().with_timezone(&Utc)),
            ..Default::default()
        }
    }

    /// Builds with `options(name)` and returns the output folder.
    pub fn build(&self, name: &str) -> PathBuf {
        let opts = self.options(name);
        build(&opts).unwrap_or_else(|e| panic!("build failed: {e}"));
        opts.output_dir()
    }
}

pub fn now() -> DateTime<Tz> {
    DateTime::parse_from_rfc3339(NOW)
        .expect("NOW")
        .with_timezone(&chrono_tz::Pacific::Auckland)
}

/// The standard fixture: four sections (one empty), an updated article with an alias, a bundle
/// with a lead image, a hostile title, an old and a future article.
pub fn news_site(extra: &str) -> Fixture {
    let f = Fixture::new(&format!(
        "[sections.politics]\ntitle = \"Politics\"\ndescription = \"Politics & power\"\n\
         [sections.sport]\n[sections.world]\n[sections.empty]\n{extra}"
    ));
    f.article(
        "politics/2025-10-30-cycle-lane.md",
        "title = \"Council approves cycle lane\"\ndate = 2025-10-30T18:07:00+13:00\n\
         updated = 2025-10-31T09:00:00+13:00\nauthors = [\"Aroha Ngata\"]\n\
         tags = [\"transport\"]\naliases = [\"/old/lane.html\"]",
        "Councillors voted 9-6.\n\nSee [politics](/politics/).",
    );
    f.article(
        "politics/2025-11-02-budget/index.md",
        "title = \"Budget day\"\ndate = 2025-11-02T09:00:00+13:00\nsource = \"Reuters/ABC\"\n\
         authors = [\"José Álvarez\", \"Aroha Ngata\"]\ntags = [\"economy\"]\nimage = \"chart.png\"",
        "# Numbers\n\nThe budget ![chart](chart.png) and [sport](/sport/) and [ext](https://e.com/x).",
    );
    f.write(
        "content/politics/2025-11-02-budget/chart.png",
        b"\x89PNG fake",
    );
    f.article(
        "sport/2025-11-01-rugby.md",
        "title = \"Rugby final\"\ndate = \"2025-11-01 15:30\"\ntags = [\"R&D <x>\"]",
        "Big win.",
    );
    f.article(
        "sport/2025-10-01-old-match.md",
        "title = \"An old match\"\ndate = 2025-10-01",
        "Long ago.",
    );
    f.article(
        "world/2025-11-03-hostile.md",
        &format!(
            "title = {}\nsummary = {}\ndate = 2025-11-03T08:00:00+13:00\nauthors = [\"Ngaio & <Co>\"]",
            toml_str(HOSTILE_TITLE),
            toml_str(HOSTILE_SUMMARY)
        ),
        "Body with <em>raw html</em> and a ]]> sequence & more.",
    );
    f.article(
        "world/2025-11-05-future.md",
        "title = \"Tomorrow's news\"\ndate = 2025-11-05T08:00:00+13:00",
        "Not yet.",
    );
    f
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file below `dir`, as paths relative to it with `/` separators, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("prefix");
                out.push(
                    rel.components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/"),
                );
            }
        }
    }
    out.sort();
    out
}

/// The output file an absolute URL under `base` is served from.
pub fn file_of_url(out: &Path, base: &str, url: &str) -> PathBuf {
    let rel = url
        .strip_prefix(base)
        .unwrap_or_else(|| panic!("{url} is not under {base}"));
    if rel.is_empty() || rel.ends_with('/') {
        out.join(rel).join("index.html")
    } else {
        out.join(rel)
    }
}

/// An in-memory site of `n` articles (no disk, no rendering), for sizes the protocol limits
/// are about. `make(i)` gives article i's (section, date, tags).
pub fn memory_site(
    n: usize,
    toml_extra: &str,
    make: impl Fn(usize) -> (String, DateTime<Tz>, Vec<String>),
) -> Site {
    let text = format!(
        "title = \"{SITE_TITLE}\"\nbase_url = \"{BASE}\"\ntimezone = \"Pacific/Auckland\"\n{toml_extra}"
    );
    let (config, _) = Config::parse(&text, Path::new("site.toml")).expect("config");
    let tz = config.timezone;
    // Articles go through the real front matter parser, from text made in memory.
    let loaded: Vec<LoadedArticle> = (0..n)
        .map(|i| {
            let (section, date, tags) = make(i);
            let path = PathBuf::from(format!("content/{section}/a-{i}.md"));
            let text = format!(
                "+++\ntitle = \"Article {i}\"\ndate = {}\nsummary = \"Summary {i}\"\ntags = {}\n+++\n",
                date.to_rfc3339(),
                toml::Value::Array(tags.into_iter().map(toml::Value::String).collect())
            );
            let (file, _) = parse_article(text.as_bytes(), &path, tz)
                .unwrap_or_else(|e| panic!("article {i}: {e:?}"));
            LoadedArticle {
                source: ArticleSource {
                    path,
                    folder: Some(section),
                    bundle: None,
                    stem: format!("a-{i}"),
                    stamp: None,
                },
                file,
            }
        })
        .collect();
    let (site, _) = build_site(config, loaded, Vec::new(), BuildFlags::default(), now())
        .unwrap_or_else(|e| panic!("model: {e:?}"));
    site
}

/// `now` minus `minutes`.
pub fn minutes_ago(minutes: i64) -> DateTime<Tz> {
    now() - Duration::minutes(minutes)
}

/// A fixed instant in UTC, for SOURCE_DATE_EPOCH.
pub fn now_epoch() -> i64 {
    Utc.from_utc_datetime(&now().naive_utc()).timestamp()
}
