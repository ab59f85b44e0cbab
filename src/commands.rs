//! `newsgen check`, `new` and `init`: the commands around `build` (SPEC §5).

use std::path::{Path, PathBuf};

use crate::build::{BuildOptions, BuildReport, build, build_time};
use crate::error::{Diagnostic, Error};
use crate::load::config::{CONFIG_FILE, Config};
use crate::slug::slugify;

/// Validates content, templates and internal links by building into a throwaway folder;
/// broken links and missing images are errors. Nothing is written into the site.
pub fn check(opts: &BuildOptions) -> Result<BuildReport, Error> {
    let scratch = std::env::temp_dir().join(format!("newsgen-check-{}", std::process::id()));
    let mut opts = opts.clone();
    opts.output = Some(scratch.join("public"));
    opts.links_are_errors = true;
    let result = build(&opts);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// Writes `content/<section>/<YYYY-MM-DD>-<slug>.md` dated now in the site's time zone.
/// Returns the new file's path. Never overwrites a file.
pub fn new_article(site_dir: &Path, headline: &str, section: &str) -> Result<PathBuf, Error> {
    let (config, _) = Config::load(site_dir).map_err(Error::Site)?;
    let headline = headline.trim();
    if headline.is_empty() {
        return Err(Error::Usage("the headline must not be empty".into()));
    }
    let section_slug = slugify(section);
    if section.contains(['/', '\\']) || section.contains("..") || section_slug.is_empty() {
        return Err(Error::Usage(format!(
            "section `{section}` must be one name, like `politics`"
        )));
    }
    let slug = slugify(headline);
    if slug.is_empty() {
        return Err(Error::Usage(format!(
            "the headline `{headline}` has no letters or digits to make a file name from"
        )));
    }
    let now = build_time(None).with_timezone(&config.timezone);
    let rel = PathBuf::from("content")
        .join(&section_slug)
        .join(format!("{}-{slug}.md", now.format("%Y-%m-%d")));
    let path = site_dir.join(&rel);
    if path.exists() {
        return Err(Error::Usage(format!(
            "{} already exists: choose another headline",
            rel.display()
        )));
    }
    let text = format!(
        "+++\ntitle = {}\ndate = {}\nauthors = []\nsource = \"\"\nsummary = \"\"\ntags = []\n+++\n\
         Write the story here.\n",
        toml_string(headline),
        now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
    );
    let dir = path.parent().unwrap_or(site_dir);
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    Ok(rel)
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Creates a new site in `dir` with a site.toml and two sample articles.
pub fn init(dir: &Path) -> Result<(), Error> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .next()
            .is_some()
    {
        return Err(Error::Usage(format!(
            "{} exists and is not empty: choose a new folder",
            dir.display()
        )));
    }
    let today = build_time(None);
    let files: [(&str, String); 3] = [
        (
            CONFIG_FILE,
            "title = \"My News\"\nbase_url = \"https://news.example.org/\"\nlanguage = \"en\"\n\
             timezone = \"UTC\"\nper_page = 20\n\n[sections.news]\ntitle = \"News\"\n\n\
             [sections.sport]\ntitle = \"Sport\"\n"
                .to_string(),
        ),
        (
            "content/news/welcome.md",
            format!(
                "+++\ntitle = \"Welcome to your news site\"\ndate = {}\nauthors = [\"The Editor\"]\n\
                 tags = [\"newsgen\"]\nfeatured = true\n+++\nThis site was made by `newsgen init`. \
                 Edit this file, or add articles with `newsgen new \"Headline\" --section news`.\n\n\
                 ## What next\n\n- Set `title`, `base_url` and `timezone` in site.toml.\n\
                 - Run `newsgen serve --watch` and edit content/.\n- Run `newsgen build` and copy \
                 public/ to any static host.\n",
                today.format("%Y-%m-%dT%H:%M:%SZ")
            ),
        ),
        (
            "content/sport/first-match.md",
            format!(
                "+++\ntitle = \"Home side wins the season opener\"\ndate = {}\nsource = \"Newsroom\"\n\
                 tags = [\"newsgen\"]\n+++\nA sample sport story. Delete it when you have your own.\n",
                today.format("%Y-%m-%d")
            ),
        ),
    ];
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
    std::fs::create_dir_all(dir.join("static")).map_err(|e| Error::io(dir.join("static"), e))?;
    Ok(())
}

/// Prints diagnostics the way every command does: one per line on stderr.
pub fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        eprintln!("{d}");
    }
}
