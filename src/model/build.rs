//! From loaded files to the [`Site`] model: sections, URLs, sorting, indexes.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike};
use chrono_tz::Tz;

use rayon::prelude::*;
use typed_index_collections::{TiSlice, TiVec};

use super::{
    Archive, ArchiveId, ArchiveKey, Article, ArticleId, Asset, LeftOut, Section, SectionId, Site,
    Withheld,
};
use crate::error::Diagnostic;
use crate::load::LoadedArticle;
use crate::load::config::Config;
use crate::load::content::{ArticleSource, AssetSource, CONTENT_DIR};
use crate::load::frontmatter::ArticleFile;
use crate::load::frontmatter::FrontMatter;
use crate::slug::{slugify, title_from_folder};
use crate::util::time::first_change;
use crate::util::url::{ImageUrl, classify_image};

/// What the command line changes about which articles are published (`--drafts`,
/// `--future`, `--expired`: the same for build, check and serve, whose command lines flatten this).
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct BuildFlags {
    /// Include articles with `draft = true`.
    #[arg(long)]
    pub drafts: bool,
    /// Include articles dated after the build time.
    #[arg(long)]
    pub future: bool,
    /// Include articles whose `expires` time has passed.
    #[arg(long)]
    pub expired: bool,
}

impl BuildFlags {
    /// Flags that publish everything except what `rule` withholds (`newsgen list`).
    pub fn all_but(rule: Withheld) -> BuildFlags {
        BuildFlags {
            drafts: rule != Withheld::Draft,
            future: rule != Withheld::Scheduled,
            expired: rule != Withheld::Expired,
        }
    }
}

/// Whether a build with `flags` at `now` leaves the article out, and why (the one rule that
/// the build, its summary and `newsgen list` share).
pub fn withheld(front: &FrontMatter, flags: BuildFlags, now: &DateTime<Tz>) -> Option<Withheld> {
    if front.draft && !flags.drafts {
        Some(Withheld::Draft)
    } else if front.date > *now && !flags.future {
        Some(Withheld::Scheduled)
    } else if front.expires.is_some_and(|x| x <= *now) && !flags.expired {
        Some(Withheld::Expired)
    } else {
        None
    }
}

/// The first instant after `now` at which [`withheld`] decides otherwise for this article
/// (it reads the clock through `date` and `expires` only): until then, a build of the same
/// files publishes the same articles, which the build's no-change shortcut relies on.
pub fn withheld_changes(
    front: &FrontMatter,
    flags: BuildFlags,
    now: &DateTime<Tz>,
) -> Option<DateTime<Tz>> {
    let boundaries = [Some(front.date), front.expires].into_iter().flatten();
    first_change(now, boundaries, |t| withheld(front, flags, t))
}

/// Builds the model. Errors (bad slugs and sections, URL collisions) are all returned together.
pub fn build_site(
    config: Config,
    loaded: Vec<LoadedArticle>,
    asset_sources: Vec<AssetSource>,
    flags: BuildFlags,
    now: DateTime<Tz>,
) -> Result<(Site, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut sections = SectionTable::from_config(&config);
    let mut articles: Vec<Article> = Vec::with_capacity(loaded.len());
    let mut left_out = LeftOut::default();
    let mut unlisted = UnlistedSections::default();
    let mut withheld_until = None;
    // Each file's article is made on any core; section ids, given in order of first use,
    // are settled after, in file order.
    let made: Vec<(Option<DateTime<Tz>>, FromFile, Vec<Diagnostic>)> = loaded
        .into_par_iter()
        .map(|LoadedArticle { source, file, .. }| {
            let changes = withheld_changes(&file.front, flags, &now);
            let mut errors = Vec::new();
            let made = match withheld(&file.front, flags, &now) {
                Some(Withheld::Draft) => FromFile::Draft(source.path),
                Some(Withheld::Scheduled) => FromFile::Scheduled(file.front.date, source.path),
                Some(Withheld::Expired) => {
                    let expires = file.front.expires;
                    let expires = expires.expect("withheld as expired only with `expires`");
                    FromFile::Expired(expires, source.path)
                }
                None => match unplaced(source, file, &config, &mut errors) {
                    Some(a) => FromFile::Article(Box::new(a)),
                    None => FromFile::Refused,
                },
            };
            (changes, made, errors)
        })
        .collect();
    for (changes, made, file_errors) in made {
        withheld_until = [withheld_until, changes].into_iter().flatten().min();
        errors.extend(file_errors);
        match made {
            FromFile::Draft(path) => left_out.drafts.push(path),
            FromFile::Scheduled(date, path) => left_out.scheduled.push((date, path)),
            FromFile::Expired(expires, path) => left_out.expired.push((expires, path)),
            FromFile::Article(a) => articles.push(a.place(&mut sections, &mut unlisted)),
            FromFile::Refused => {}
        }
    }
    warnings.extend(unlisted.warnings(&config));
    left_out.drafts.sort();
    left_out.scheduled.sort();
    let mut sections = sections.into_ordered(&mut articles);

    let mut articles: TiVec<ArticleId, Article> = newest_first(articles).into();
    check_url_collisions(&articles, &mut errors);
    for (id, a) in articles.iter_enumerated() {
        sections[a.section].articles.push(id);
    }
    let taxonomies = super::taxonomy::taxonomies(&mut articles, &mut warnings);
    let archives = build_archives(&articles, &sections);
    let assets = place_assets(asset_sources, &articles, &mut errors);
    check_lead_images(&articles, &assets, &mut errors);

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((
        Site {
            config,
            articles,
            sections,
            taxonomies,
            archives,
            assets,
            now,
            withheld_until,
            left_out,
            images: Default::default(),
        },
        warnings,
    ))
}

/// The article that `loaded` is in a model like `site` (same site.toml, same sections, same
/// "now"), for a patch after an edit of its file: `None` when it would not be published, has
/// errors, or is in another section than `section` (then the model must be built again).
pub fn article_in(
    site: &Site,
    section: SectionId,
    loaded: LoadedArticle,
    flags: BuildFlags,
) -> Option<Article> {
    let LoadedArticle { source, file, .. } = loaded;
    if withheld(&file.front, flags, &site.now).is_some() {
        return None;
    }
    let mut sections = SectionTable::from_config(&site.config);
    let (mut unlisted, mut errors) = (UnlistedSections::default(), Vec::new());
    let config = &site.config;
    let mut a = article(
        source,
        file,
        config,
        &mut sections,
        &mut unlisted,
        &mut errors,
    )?;
    if !errors.is_empty() || sections.sections[a.section].slug != site.sections[section].slug {
        return None;
    }
    a.section = section;
    Some(a)
}

/// Takes `config` into `site` when it differs from the site's only in the titles and
/// descriptions of its sections (the same sections in the same order), so the model stays
/// what a build from it would make; returns false and changes nothing otherwise.
pub fn retitle_sections(site: &mut Site, config: Config) -> bool {
    let mut rest = config.clone();
    rest.sections.clone_from(&site.config.sections);
    let slugs = |c: &Config| {
        c.sections
            .iter()
            .map(|(slug, _)| slug.clone())
            .collect::<Vec<_>>()
    };
    if rest != site.config || slugs(&config) != slugs(&site.config) {
        return false;
    }
    let table = SectionTable::from_config(&config);
    for section in site.sections.iter_mut() {
        if let Some(&id) = table.index.get(&section.slug) {
            let configured = &table.sections[id];
            section.title.clone_from(&configured.title);
            section.description.clone_from(&configured.description);
        }
    }
    site.config = config;
    true
}

/// The sections while articles are read: site.toml's first, then each new folder or
/// `section` as it is met.
struct SectionTable {
    sections: TiVec<SectionId, Section>,
    index: FxHashMap<String, SectionId>,
    /// How many come from site.toml.
    configured: usize,
}

impl SectionTable {
    fn from_config(config: &Config) -> SectionTable {
        let sections: TiVec<SectionId, Section> = config
            .sections
            .iter()
            .map(|(slug, cfg)| Section {
                slug: slug.clone(),
                title: cfg.title.clone().unwrap_or_else(|| title_from_folder(slug)),
                description: cfg.description.clone(),
                articles: Vec::new(),
            })
            .collect();
        let index = sections
            .iter_enumerated()
            .map(|(i, s)| (s.slug.clone(), i))
            .collect();
        SectionTable {
            configured: sections.len(),
            sections,
            index,
        }
    }

    /// The id of the section `slug` (named `name` where written), added when new.
    fn resolve(&mut self, slug: &str, name: &str) -> SectionId {
        if let Some(&i) = self.index.get(slug) {
            return i;
        }
        let id = self.sections.push_and_get_key(Section {
            slug: slug.to_string(),
            title: title_from_folder(name),
            description: None,
            articles: Vec::new(),
        });
        self.index.insert(slug.to_string(), id);
        id
    }

    /// Site.toml order first, then the sections not in site.toml alphabetically by slug;
    /// the articles' section ids are renumbered to match.
    fn into_ordered(self, articles: &mut [Article]) -> TiVec<SectionId, Section> {
        let SectionTable {
            sections,
            configured,
            ..
        } = self;
        if sections.len() == configured {
            return sections;
        }
        // `placed[new] = old`: sort the unconfigured tail by slug, then renumber articles.
        let mut placed: Vec<SectionId> = sections.keys().collect();
        placed[configured..].sort_by(|&a, &b| sections[a].slug.cmp(&sections[b].slug));
        let mut new_id: TiVec<SectionId, SectionId> = sections.keys().collect();
        for (new, &old) in sections.keys().zip(&placed) {
            new_id[old] = new;
        }
        for a in articles {
            a.section = new_id[a.section];
        }
        let mut slots: TiVec<SectionId, Option<Section>> = sections.into_iter().map(Some).collect();
        placed
            .into_iter()
            .map(|old| slots[old].take().expect("each section is placed once"))
            .collect()
    }
}

/// Newest first; equal instants by URL. Sorted as positions, then moved once: an article is
/// hundreds of bytes, and a sort moves each element many times.
fn newest_first(articles: Vec<Article>) -> Vec<Article> {
    let mut order: Vec<usize> = (0..articles.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&articles[a], &articles[b]);
        b.date.cmp(&a.date).then_with(|| a.path.cmp(&b.path))
    });
    let mut slots: Vec<Option<Article>> = articles.into_iter().map(Some).collect();
    order
        .into_iter()
        .map(|i| slots[i].take().expect("each position is taken once"))
        .collect()
}

/// What one file gives a build: an article, or why it is left out.
enum FromFile {
    Draft(PathBuf),
    Scheduled(DateTime<Tz>, PathBuf),
    Expired(DateTime<Tz>, PathBuf),
    Article(Box<Unplaced>),
    /// Its errors say why.
    Refused,
}

/// A published article whose section is known by slug and name: [`Unplaced::place`] gives it
/// the section's id.
struct Unplaced {
    /// Complete but for `section`, which is [`SectionId`] 0 until placed.
    article: Article,
    section_slug: String,
    section_name: String,
    section_line: Option<usize>,
}

impl Unplaced {
    /// The article with the id of its section (added to `sections` when new, noted in
    /// `unlisted` when site.toml lists sections but not this one).
    fn place(self, sections: &mut SectionTable, unlisted: &mut UnlistedSections) -> Article {
        let Unplaced {
            mut article,
            section_slug,
            section_name,
            section_line,
        } = self;
        if sections.configured > 0 && !sections.index.contains_key(&section_slug) {
            unlisted.note(&section_slug, &article.source_path, section_line);
        }
        article.section = sections.resolve(&section_slug, &section_name);
        article
    }
}

/// One published article of the model from its file, or `None` after pushing why it cannot
/// be one (no section, an unusable section name or slug).
fn article(
    source: ArticleSource,
    file: ArticleFile,
    config: &Config,
    sections: &mut SectionTable,
    unlisted: &mut UnlistedSections,
    errors: &mut Vec<Diagnostic>,
) -> Option<Article> {
    Some(unplaced(source, file, config, errors)?.place(sections, unlisted))
}

/// [`article`] but for the section's id. The permalink needs only the section's slug: a
/// section's slug is its key in the section table.
fn unplaced(
    source: ArticleSource,
    file: ArticleFile,
    config: &Config,
    errors: &mut Vec<Diagnostic>,
) -> Option<Unplaced> {
    let front = file.front;
    let path = &source.path;
    let section_name = match (&front.section, &source.folder) {
        (Some(s), _) => s.clone(),
        (None, Some(folder)) => folder.clone(),
        (None, None) => {
            errors.push(Diagnostic::error(
                path,
                None,
                "the article is not in a section folder: move it to content/<section>/ \
                 or set `section = \"...\"`",
            ));
            return None;
        }
    };
    let section_slug = slugify(&section_name);
    if section_slug.is_empty() {
        errors.push(Diagnostic::error(
            path,
            front.line("section"),
            format!("section \"{section_name}\" has no usable characters for a URL"),
        ));
        return None;
    }
    let slug = match article_slug(front.slug.as_deref(), &source.stem) {
        Ok(s) => s,
        Err(msg) => {
            errors.push(Diagnostic::error(path, front.line("slug"), msg));
            return None;
        }
    };
    let mut aliases = Vec::new();
    for alias in &front.aliases {
        match alias_path(alias) {
            Ok(p) => aliases.push(p),
            Err(msg) => errors.push(Diagnostic::error(path, front.line("aliases"), msg)),
        }
    }
    let url_path = expand_permalink(&config.article_permalink, &section_slug, &front.date, &slug);
    let image_line = front.line("image");
    let section_line = front.line("section");
    let summary_from_body = front.summary.is_none();
    let summary = front
        .summary
        .clone()
        .or(file.body_summary)
        .expect("parsing reads a summary from the body of every article without one");
    let article = Article {
        source_path: source.path.clone(),
        bundle: source.bundle.clone(),
        title: front.title,
        date: front.date,
        date_only: front.date_only,
        updated: front.updated,
        updated_date_only: front.updated_date_only,
        section: SectionId::from(0),
        source: front.source,
        source_url: front.source_url,
        authors: front.authors,
        summary,
        summary_from_body,
        tags: front.tags,
        slug,
        featured: front.featured,
        draft: front.draft,
        image_line,
        image: front.image,
        aliases,
        extra: front.extra,
        body: file.body,
        body_line: file.body_line,
        word_count: file.word_count,
        path: url_path,
        tag_ids: Vec::new(),
        author_ids: Vec::new(),
        source_id: None,
    };
    Some(Unplaced {
        article,
        section_slug,
        section_name,
        section_line,
    })
}

/// Sections used by articles but missing from site.toml's `[sections]`: each is reported once,
/// at its first file (in path order), with the nearest configured name.
#[derive(Default)]
struct UnlistedSections {
    first_use: BTreeMap<String, (std::path::PathBuf, Option<usize>)>,
}

impl UnlistedSections {
    fn note(&mut self, slug: &str, path: &Path, line: Option<usize>) {
        let entry = self
            .first_use
            .entry(slug.to_string())
            .or_insert_with(|| (path.to_path_buf(), line));
        if path < entry.0.as_path() {
            *entry = (path.to_path_buf(), line);
        }
    }

    fn warnings(self, config: &Config) -> Vec<Diagnostic> {
        let known: Vec<&str> = config.sections.iter().map(|(s, _)| s.as_str()).collect();
        self.first_use
            .into_iter()
            .map(|(slug, (path, line))| {
                Diagnostic::warning(path, line, unlisted_section_message(&slug, &known))
            })
            .collect()
    }
}

/// The warning for a section that site.toml does not list (`new` and `build` give it).
pub fn unlisted_section_message(slug: &str, known: &[&str]) -> String {
    let hint = crate::suggest::nearest(slug, known.iter().copied())
        .map(|near| format!("did you mean `{near}`? "))
        .unwrap_or_default();
    format!(
        "section `{slug}` is not in site.toml (known: {}): {hint}It becomes a new section in \
         the navigation; add [sections.{slug}] to site.toml if that is intended",
        known.join(", ")
    )
}

/// A relative lead `image` must be a file of the article's bundle; anything else would be a
/// broken picture on the front page, so it stops the build.
fn check_lead_images(
    articles: &TiSlice<ArticleId, Article>,
    assets: &[Asset],
    errors: &mut Vec<Diagnostic>,
) {
    let dests: std::collections::HashSet<&str> = assets.iter().map(|a| a.dest.as_str()).collect();
    for a in articles {
        let Some(img) = a.image.as_deref() else {
            continue;
        };
        // URLs (`https://`, `data:`) are not files; site-absolute images may come from
        // static/, and `..` may leave the bundle: the link check of the finished output sees
        // those.
        let ImageUrl::Relative(rel) = classify_image(img) else {
            continue;
        };
        if rel.contains("..") {
            continue;
        }
        let rel = rel.trim_start_matches("./");
        if dests.contains(format!("{}{rel}", a.path).as_str()) {
            continue;
        }
        let fix = match &a.bundle {
            Some(b) => format!("put it in {}/", crate::error::display_path(b)),
            None => format!(
                "images beside an article need a bundle folder: move the article to \
                 {}/index.md and the image into that folder",
                crate::error::display_path(&a.source_path.with_extension(""))
            ),
        };
        errors.push(Diagnostic::error(
            &a.source_path,
            a.image_line,
            format!("lead image `{img}` does not exist: {fix}"),
        ));
    }
}

/// The slug rule of SPEC §6: explicit `slug` or the file name without `YYYY-MM-DD-`.
pub fn article_slug(explicit: Option<&str>, stem: &str) -> Result<String, String> {
    if let Some(s) = explicit {
        if s.contains('/') || s.contains('\\') || s.trim() == ".." {
            return Err(format!(
                "`slug` \"{s}\" must be one URL segment, without `/` or `..`"
            ));
        }
        let slug = slugify(s);
        if slug.is_empty() {
            return Err(format!(
                "`slug` \"{s}\" has no usable characters: use letters or digits"
            ));
        }
        return Ok(slug);
    }
    let slug = slugify(strip_date_prefix(stem));
    if slug.is_empty() {
        return Err(format!(
            "the file name \"{stem}\" gives an empty slug: rename the file or set `slug = \"...\"`"
        ));
    }
    Ok(slug)
}

fn strip_date_prefix(stem: &str) -> &str {
    let b = stem.as_bytes();
    let is_date = b.len() > 11
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && b[10] == b'-';
    if is_date { &stem[11..] } else { stem }
}

/// Fills the article permalink pattern (already without its leading `/`).
/// One pass over the pattern into one string (a chain of `replace` calls made five strings
/// and three more per article, 5 % of a 10,000-article rebuild); a value put in is not
/// scanned for tokens again.
pub fn expand_permalink(pattern: &str, section: &str, date: &DateTime<Tz>, slug: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + section.len() + slug.len());
    let local = date.naive_local();
    let mut rest = pattern;
    while let Some(start) = memchr::memchr(b'{', rest.as_bytes()) {
        let Some(len) = memchr::memchr(b'}', &rest.as_bytes()[start..]) else {
            break;
        };
        out.push_str(&rest[..start]);
        match &rest[start..=start + len] {
            "{section}" => out.push_str(section),
            "{year}" => push_year(&mut out, local.year()),
            "{month}" => push_two_digits(&mut out, local.month()),
            "{day}" => push_two_digits(&mut out, local.day()),
            "{slug}" => out.push_str(slug),
            other => out.push_str(other),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// A month or day of the month, `01` to `31`.
fn push_two_digits(out: &mut String, n: u32) {
    out.push(char::from(b'0' + (n / 10 % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// A year in at least four digits, as `{:04}` writes it.
fn push_year(out: &mut String, year: i32) {
    match u32::try_from(year) {
        Ok(y) if y <= 9999 => {
            push_two_digits(out, y / 100);
            push_two_digits(out, y % 100);
        }
        _ => {
            use std::fmt::Write;
            // Writing into a String cannot fail.
            let _ = write!(out, "{year:04}");
        }
    }
}

/// Normalises an alias to an output path below the root: `/old/x.html` → `old/x.html`,
/// `/old/y` → `old/y/`. Anything that could leave the output folder is an error.
pub fn alias_path(alias: &str) -> Result<String, String> {
    let a = alias.trim();
    if a.contains("://") || a.starts_with("//") {
        return Err(format!(
            "alias \"{alias}\" must be a path on this site, like /old/story.html"
        ));
    }
    if a.contains('\\') || a.contains('\0') || a.contains(['?', '#']) {
        return Err(format!(
            "alias \"{alias}\" has characters a path cannot hold"
        ));
    }
    let trimmed = a.trim_start_matches('/');
    let segments: Vec<&str> = trimmed.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| *s == ".." || *s == ".") {
        return Err(format!(
            "alias \"{alias}\" leaves the output folder: remove `..` and `.` segments"
        ));
    }
    if segments.is_empty() {
        return Err(format!("alias \"{alias}\" would replace the front page"));
    }
    let joined = segments.join("/");
    let last = segments[segments.len() - 1];
    if a.ends_with('/') || !last.contains('.') {
        Ok(format!("{joined}/"))
    } else {
        Ok(joined)
    }
}

/// Two articles, or an alias and an article, with one URL are errors on every file involved,
/// each naming the others.
fn check_url_collisions(articles: &TiSlice<ArticleId, Article>, errors: &mut Vec<Diagnostic>) {
    let mut claims: FxHashMap<&str, Vec<(&Path, bool)>> =
        FxHashMap::with_capacity_and_hasher(articles.len(), Default::default());
    for a in articles {
        claims
            .entry(a.path.as_str())
            .or_default()
            .push((a.source_path.as_path(), false));
        for alias in &a.aliases {
            claims
                .entry(alias.as_str())
                .or_default()
                .push((a.source_path.as_path(), true));
        }
    }
    let mut clashes: Vec<(&str, Vec<(&Path, bool)>)> =
        claims.into_iter().filter(|(_, v)| v.len() > 1).collect();
    clashes.sort();
    for (url, owners) in clashes {
        for (i, (path, is_alias)) in owners.iter().enumerate() {
            let others: Vec<String> = owners
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, (p, alias))| {
                    let p = crate::error::display_path(p);
                    if *alias {
                        format!("an alias in {p}")
                    } else {
                        p
                    }
                })
                .collect();
            let what = if *is_alias {
                "an alias of this article"
            } else {
                "this article"
            };
            errors.push(Diagnostic::error(
                path,
                None,
                format!(
                    "{what} has the URL /{url}, which {} also {}: change `slug`, `date` or \
                     `aliases` so each URL is used once",
                    others.join(" and "),
                    if others.len() > 1 { "have" } else { "has" }
                ),
            ));
        }
    }
}

fn build_archives(
    articles: &TiSlice<ArticleId, Article>,
    sections: &TiSlice<SectionId, Section>,
) -> TiVec<ArchiveId, Archive> {
    // Hashed, then the distinct keys sorted once: a tree map searched 300,000 times for
    // 50,000 articles cost more than the rest of the archives' making.
    let mut map: FxHashMap<ArchiveKey, Vec<ArticleId>> = FxHashMap::default();
    for (id, a) in articles.iter_enumerated() {
        for key in ArchiveKey::for_date(&a.date, a.section) {
            map.entry(key).or_default().push(id);
        }
    }
    let mut archives: Vec<(ArchiveKey, Vec<ArticleId>)> = map.into_iter().collect();
    archives.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    archives
        .into_iter()
        .map(|(key, articles)| Archive {
            path: key.path(sections),
            key,
            articles,
        })
        .collect()
}

/// Bundle files sit beside their article's page; other files keep their path below content/.
fn place_assets(
    sources: Vec<AssetSource>,
    articles: &TiSlice<ArticleId, Article>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Asset> {
    let bundle_paths: FxHashMap<&Path, &str> = articles
        .iter()
        .filter_map(|a| a.bundle.as_deref().map(|b| (b, a.path.as_str())))
        .collect();
    let mut out = Vec::with_capacity(sources.len());
    for src in sources {
        let dest = match &src.bundle {
            Some(bundle) => {
                let Some(page) = bundle_paths.get(bundle.as_path()) else {
                    continue; // the bundle's article is a draft or in the future
                };
                let rel = src.path.strip_prefix(bundle).unwrap_or(&src.path);
                format!("{page}{}", crate::error::display_path(rel))
            }
            None => {
                let rel = src.path.strip_prefix(CONTENT_DIR).unwrap_or(&src.path);
                crate::error::display_path(rel)
            }
        };
        if dest.split('/').any(|s| s == "..") {
            errors.push(Diagnostic::error(
                &src.path,
                None,
                "this file would be written outside the output folder",
            ));
            continue;
        }
        out.push(Asset {
            source: src.path,
            dest,
        });
    }
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::load::content::ArticleSource;
    use crate::load::frontmatter::parse_article;
    use crate::model::TaxonomyKind;
    use chrono::TimeZone;
    use std::path::PathBuf;

    #[test]
    fn permalinks_fill_every_token_in_one_pass() {
        let date = chrono_tz::UTC
            .with_ymd_and_hms(2025, 3, 7, 9, 0, 0)
            .unwrap();
        let fill = |pattern: &str| expand_permalink(pattern, "world", &date, "a-story");
        assert_eq!(
            fill("{section}/{year}/{month}/{day}/{slug}/"),
            "world/2025/03/07/a-story/"
        );
        assert_eq!(
            fill("news/{slug}-{year}{month}/x/"),
            "news/a-story-202503/x/"
        );
        assert_eq!(fill("{slug}/{slug}/"), "a-story/a-story/");
        assert_eq!(fill("plain/"), "plain/");
        // What the site.toml check refuses is copied as it is, never dropped.
        assert_eq!(fill("{nope}/{slug}/{open"), "{nope}/a-story/{open");
        // Years as `{:04}` writes them, in the date's own zone.
        for (y, want) in [(987, "0987"), (12025, "12025"), (-5, "-005")] {
            let d = chrono_tz::UTC
                .with_ymd_and_hms(y, 12, 31, 12, 0, 0)
                .unwrap();
            let got = expand_permalink("{year}/{month}/{day}", "", &d, "");
            assert_eq!(got, format!("{want}/12/31"));
        }
        let late = chrono_tz::Pacific::Auckland
            .with_ymd_and_hms(2025, 12, 31, 23, 30, 0)
            .unwrap();
        assert_eq!(
            expand_permalink("{year}{month}{day}", "", &late, ""),
            "20251231"
        );
    }

    pub(in crate::model) fn config() -> Config {
        let text = "title = \"T\"\nbase_url = \"https://e.org/\"\ntimezone = \"Pacific/Auckland\"\n\
                    [sections.world]\n[sections.arts]\ntitle = \"The Arts\"\n";
        Config::parse(text, Path::new("site.toml")).unwrap().0
    }

    pub(in crate::model) fn loaded(path: &str, front: &str) -> LoadedArticle {
        let text = format!("+++\n{front}\n+++\nBody text.\n");
        let (file, _) = parse_article(
            text.as_bytes(),
            Path::new(path),
            chrono_tz::Pacific::Auckland,
        )
        .unwrap();
        let p = PathBuf::from(path);
        let comps: Vec<String> = p
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        LoadedArticle {
            source: ArticleSource {
                folder: (comps.len() > 2).then(|| comps[1].clone()),
                bundle: None,
                stem: p.file_stem().unwrap().to_string_lossy().into_owned(),
                path: p,
                stamp: None,
            },
            file,
        }
    }

    /// Typed ids from positions, to compare with the model's lists.
    fn ids<I: From<usize>>(positions: &[usize]) -> Vec<I> {
        positions.iter().map(|&p| I::from(p)).collect()
    }

    pub(in crate::model) fn now() -> DateTime<Tz> {
        chrono_tz::Pacific::Auckland
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .unwrap()
    }

    #[test]
    fn slugs_follow_the_rules() {
        assert_eq!(
            article_slug(None, "2025-10-30-harbour-lane").unwrap(),
            "harbour-lane"
        );
        assert_eq!(article_slug(None, "Harbour Lane").unwrap(), "harbour-lane");
        assert_eq!(article_slug(None, "2025-10-30").unwrap(), "2025-10-30");
        assert_eq!(article_slug(Some("Wëird Name"), "x").unwrap(), "weird-name");
        assert_eq!(article_slug(Some("libc6-2.36"), "x").unwrap(), "libc6-2.36");
        assert!(article_slug(Some("a/b"), "x").is_err());
        assert!(article_slug(Some(".."), "x").is_err());
        assert!(article_slug(Some("!!"), "x").is_err());
        assert!(article_slug(None, "2025-10-30-!!").is_err());
    }

    #[test]
    fn aliases_stay_inside_the_output() {
        assert_eq!(alias_path("/old/story.html").unwrap(), "old/story.html");
        assert_eq!(alias_path("/old/story").unwrap(), "old/story/");
        assert_eq!(alias_path("old/2025/").unwrap(), "old/2025/");
        assert!(alias_path("/../etc/passwd").is_err());
        assert!(alias_path("/a/./b").is_err());
        assert!(alias_path("https://other.org/x").is_err());
        assert!(alias_path("/").is_err());
    }

    #[test]
    fn model_orders_sections_articles_and_terms() {
        let site = build_site(
            config(),
            vec![
                loaded(
                    "content/zeta/a.md",
                    "title = \"A\"\ndate = 2025-05-01T10:00:00+12:00\ntags = [\"UNRELEASED\"]",
                ),
                loaded(
                    "content/world/b.md",
                    "title = \"B\"\ndate = 2025-05-01T10:00:00+12:00\ntags = [\"unreleased\", \"x\"]",
                ),
                loaded(
                    "content/alpha/c.md",
                    "title = \"C\"\ndate = 2025-06-01\ntags = [\"unreleased\"]\nauthors = [\"Zoë\"]",
                ),
            ],
            Vec::new(),
            BuildFlags::default(),
            now(),
        )
        .unwrap()
        .0;
        let slugs: Vec<&str> = site.sections.iter().map(|s| s.slug.as_str()).collect();
        assert_eq!(slugs, ["world", "arts", "alpha", "zeta"]);
        assert_eq!(site.sections[SectionId::from(1)].title, "The Arts");
        assert_eq!(site.sections[SectionId::from(2)].title, "Alpha");
        // Newest first; equal instants ordered by URL.
        let paths: Vec<&str> = site.articles.iter().map(|a| a.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "alpha/2025/06/01/c/",
                "world/2025/05/01/b/",
                "zeta/2025/05/01/a/"
            ]
        );
        assert_eq!(site.sections[SectionId::from(3)].articles, ids(&[2]));
        let tags = &site.taxonomy(TaxonomyKind::Tags).terms.raw;
        assert_eq!(tags[0].slug, "unreleased");
        assert_eq!(tags[0].name, "unreleased");
        assert_eq!(tags[0].articles, ids(&[0, 1, 2]));
        assert_eq!(site.articles[ArticleId::from(1)].tag_ids, ids(&[0, 1]));
        let authors = &site.taxonomy(TaxonomyKind::Authors).terms.raw;
        assert_eq!(authors[0].slug, "zoe");
        // Archives: site-wide and per section, year/month/day.
        let paths: Vec<&str> = site.archives.iter().map(|a| a.path.as_str()).collect();
        assert!(paths.contains(&"2025/05/01/"));
        assert!(paths.contains(&"zeta/2025/05/"));
        assert_eq!(
            site.archives
                .iter()
                .find(|a| a.path == "2025/")
                .unwrap()
                .articles,
            ids(&[0, 1, 2])
        );
    }

    #[test]
    fn spelling_ties_take_the_first_in_sort_order() {
        let site = build_site(
            config(),
            vec![
                loaded(
                    "content/world/a.md",
                    "title = \"A\"\ndate = 2025-05-01\ntags = [\"Climate\"]",
                ),
                loaded(
                    "content/world/b.md",
                    "title = \"B\"\ndate = 2025-05-02\ntags = [\"climate\"]",
                ),
            ],
            Vec::new(),
            BuildFlags::default(),
            now(),
        )
        .unwrap()
        .0;
        assert_eq!(
            site.taxonomy(TaxonomyKind::Tags).terms.raw[0].name,
            "Climate"
        );
    }

    #[test]
    fn collisions_name_every_file() {
        let errs = build_site(
            config(),
            vec![
                loaded(
                    "content/world/2025-05-01-a.md",
                    "title = \"A\"\ndate = 2025-05-01",
                ),
                loaded("content/world/a.md", "title = \"B\"\ndate = 2025-05-01"),
            ],
            Vec::new(),
            BuildFlags::default(),
            now(),
        )
        .unwrap_err();
        assert_eq!(errs.len(), 2);
        assert!(errs[0].message.contains("content/world/a.md"));
        assert!(errs[1].message.contains("content/world/2025-05-01-a.md"));
    }

    #[test]
    fn only_missing_bundle_images_stop_the_build() {
        let image = |img: &str| {
            let mut a = loaded(
                "content/world/b/index.md",
                &format!("title = \"B\"\ndate = 2025-05-01\nimage = \"{img}\""),
            );
            a.source.bundle = Some(PathBuf::from("content/world/b"));
            let pic = AssetSource {
                path: PathBuf::from("content/world/b/pic.png"),
                bundle: Some(PathBuf::from("content/world/b")),
            };
            build_site(config(), vec![a], vec![pic], BuildFlags::default(), now())
        };
        for fine in [
            "pic.png",
            "./pic.png",
            "/static-file.png",
            "https://cdn.example.org/x.png",
            "data:image/png;base64,AAAA",
            "../elsewhere.png",
        ] {
            assert!(image(fine).is_ok(), "{fine}");
        }
        let errs = image("other.png").unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, Some(4));
        assert!(errs[0].message.contains("put it in content/world/b/"));
    }

    #[test]
    fn a_headline_edit_changes_one_card_hash_and_a_date_edit_the_structure() {
        let digest = |b_front: &str| {
            let a = loaded(
                "content/world/2025-05-01-a.md",
                "title = \"A\"\ndate = 2025-05-01",
            );
            let b = loaded("content/world/2025-05-02-b.md", b_front);
            let (site, _) = build_site(config(), vec![a, b], vec![], BuildFlags::default(), now())
                .expect("two valid articles");
            site.model_digest()
        };
        let before = digest("title = \"B\"\ndate = 2025-05-02");
        let retitled = digest("title = \"B2\"\ndate = 2025-05-02\nsummary = \"S\"");
        assert_eq!(retitled.structure, before.structure);
        // B is the newer article: position 0.
        assert_ne!(retitled.cards.raw[0], before.cards.raw[0]);
        assert_eq!(retitled.cards.raw[1], before.cards.raw[1]);
        let redated = digest("title = \"B\"\ndate = 2025-05-03");
        assert_ne!(redated.structure, before.structure);
    }
}
