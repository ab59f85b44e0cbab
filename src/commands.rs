//! `newsgen check`, `new` and `init`: the commands around `build` (SPEC §5).

use std::path::{Path, PathBuf};

use crate::build::{BuildOptions, BuildReport, build, build_time};
use crate::error::{Diagnostic, Error, Severity};
use crate::load::config::{CONFIG_FILE, Config};
use crate::model::{BuildFlags, LeftOut, Withheld, withheld};
use crate::slug::slugify;

/// Validates content, templates and internal links by building into a throwaway folder;
/// broken links and missing images are errors. Nothing is written into the site but the
/// image cache (`.newsgen/`), which the next build then finds filled.
pub fn check(opts: &BuildOptions) -> Result<BuildReport, Error> {
    let scratch = std::env::temp_dir().join(format!("newsgen-check-{}", std::process::id()));
    let mut opts = opts.clone();
    opts.output = Some(scratch.join("public"));
    opts.links_are_errors = true;
    let result = build(&opts);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// How `newsgen new` writes the article.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewOptions {
    /// Write it without `draft = true` (live at the next build).
    pub publish: bool,
    /// Make a bundle folder (`.../<date>-<slug>/index.md`) for an article with pictures.
    pub bundle: bool,
    /// A section missing from site.toml is an error, not a warning.
    pub strict: bool,
}

/// Writes `content/<section>/<YYYY-MM-DD>-<slug>.md` (or `.../index.md` of a bundle) dated
/// now in the site's time zone, as a draft unless `publish`. Returns the new file's path and
/// the warnings (a section site.toml does not list). Never overwrites a file.
pub fn new_article(
    site_dir: &Path,
    headline: &str,
    section: &str,
    opts: NewOptions,
) -> Result<(PathBuf, Vec<Diagnostic>), Error> {
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
    let name = format!("{}-{slug}", now.format("%Y-%m-%d"));
    let dir = PathBuf::from("content").join(&section_slug);
    let rel = if opts.bundle {
        dir.join(&name).join("index.md")
    } else {
        dir.join(format!("{name}.md"))
    };
    let mut warnings = unlisted_section(&config, &section_slug, &rel);
    if opts.strict && !warnings.is_empty() {
        warnings
            .iter_mut()
            .for_each(|w| w.severity = Severity::Error);
        return Err(Error::Site(warnings));
    }
    let path = site_dir.join(&rel);
    if path.exists() {
        return Err(Error::Usage(format!(
            "{} already exists: choose another headline",
            rel.display()
        )));
    }
    let draft = if opts.publish { "" } else { "draft = true\n" };
    let text = format!(
        "+++\ntitle = {}\ndate = {}\n{draft}authors = []\ntags = []\n+++\n\
         Write the story here.\n",
        toml_string(headline),
        now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
    );
    let parent = path.parent().unwrap_or(site_dir);
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    Ok((rel, warnings))
}

/// The warning `new` gives for a section that site.toml does not list (when it lists any),
/// with the nearest listed one: the same rule as the build's.
fn unlisted_section(config: &Config, slug: &str, file: &Path) -> Vec<Diagnostic> {
    let known: Vec<&str> = config.sections.iter().map(|(s, _)| s.as_str()).collect();
    if known.is_empty() || known.contains(&slug) {
        return Vec::new();
    }
    vec![Diagnostic::warning(
        file,
        None,
        crate::model::unlisted_section_message(slug, &known),
    )]
}

/// Which articles `newsgen list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// `draft = true`.
    Drafts,
    /// Dated after now.
    Scheduled,
    /// `expires` at or before now.
    Expired,
}

impl ListKind {
    /// The build rule that withholds these articles.
    fn rule(self) -> Withheld {
        match self {
            ListKind::Drafts => Withheld::Draft,
            ListKind::Scheduled => Withheld::Scheduled,
            ListKind::Expired => Withheld::Expired,
        }
    }
}

/// One line of `newsgen list`: the article's date (for expired articles, when it expired),
/// file and headline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub date: String,
    pub path: String,
    pub title: String,
}

/// The drafts, scheduled or expired articles of the site, by date (soonest first), with the
/// diagnostics of files that could not be read. Uses the build's own rule
/// ([`crate::model::withheld`]).
pub fn list(
    site_dir: &Path,
    kind: ListKind,
    now: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<(Vec<Listed>, Vec<Diagnostic>), Error> {
    let (config, _) = Config::load(site_dir).map_err(Error::Site)?;
    let tz = config.timezone;
    let tree = crate::load::content::walk(site_dir);
    let (loaded, diags) = crate::load::read_articles(site_dir, tree.articles, tz, None);
    let now = build_time(now).with_timezone(&tz);
    // Only the rule in question may withhold: a scheduled draft is listed under both.
    let wanted = kind.rule();
    let flags = BuildFlags::all_but(wanted);
    let shown = |front: &crate::load::frontmatter::FrontMatter| match kind {
        ListKind::Expired => front
            .expires
            .expect("withheld as expired only with `expires`"),
        ListKind::Drafts | ListKind::Scheduled => front.date,
    };
    let mut found: Vec<_> = loaded
        .iter()
        .filter(|l| withheld(&l.file.front, flags, &now) == Some(wanted))
        .map(|l| (shown(&l.file.front), &l.source.path, &l.file.front.title))
        .collect();
    found.sort();
    let listed = found
        .into_iter()
        .map(|(date, path, title)| Listed {
            date: date.format("%Y-%m-%d %H:%M %Z").to_string(),
            path: crate::error::display_path(path),
            title: title.clone(),
        })
        .collect();
    Ok((listed, diags))
}

/// What a build or check left out, for its summary line: `skipped 2 drafts, 1 scheduled:
/// next at 2026-12-01 06:00 Pacific/Auckland`; `None` when it published everything.
pub fn left_out_note(left: &LeftOut) -> Option<String> {
    let mut parts = Vec::new();
    if !left.drafts.is_empty() {
        parts.push(plural(left.drafts.len(), "draft", "drafts"));
    }
    if let Some(next) = left.next_scheduled() {
        parts.push(format!(
            "{} scheduled: next at {} {}",
            left.scheduled.len(),
            next.format("%Y-%m-%d %H:%M"),
            next.timezone().name()
        ));
    }
    if !left.expired.is_empty() {
        parts.push(format!("{} expired", left.expired.len()));
    }
    (!parts.is_empty()).then(|| format!("skipped {}", parts.join(", ")))
}

/// `1 draft`, `2 drafts`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Copies the built-in theme into `SITE/themes/<name>/` to start editing it; refuses to
/// overwrite a theme folder that has files. Returns the folder, relative to the site.
pub fn copy_theme(site_dir: &Path, name: &str) -> Result<PathBuf, Error> {
    if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
        return Err(Error::Usage(format!(
            "theme name `{name}` must be one folder name, like `default` or `mine`"
        )));
    }
    if !site_dir.join(CONFIG_FILE).is_file() {
        return Err(Error::Usage(format!(
            "{} is not a newsgen site: no site.toml there",
            site_dir.display()
        )));
    }
    let rel = PathBuf::from("themes").join(name);
    let root = site_dir.join(&rel);
    if root.is_dir()
        && std::fs::read_dir(&root)
            .map_err(|e| Error::io(&root, e))?
            .next()
            .is_some()
    {
        return Err(Error::Usage(format!(
            "{} already has files: remove it or choose another name",
            rel.display()
        )));
    }
    for (file, bytes) in crate::render::theme::builtin_files() {
        let path = root.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
    }
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
                 Edit this file, or add articles with `newsgen new \"Headline\" --section news` \
                 (a draft until you remove `draft = true`).\n\n\
                 ## What next\n\n- Set `title`, `base_url` and `timezone` in site.toml.\n\
                 - Run `newsgen serve` and edit content/.\n- Run `newsgen build` and copy \
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
