//! `site.toml`: the site's settings (SPEC §3), validated with file and line.

use std::path::Path;

use chrono_tz::Tz;
use serde::Deserialize;

use crate::error::Diagnostic;
use crate::slug::slugify;

/// The file name of the site configuration inside the site folder.
pub const CONFIG_FILE: &str = "site.toml";

/// Where the output folder is served: `https://example.org/news/` has origin
/// `https://example.org` and path `/news/`. Every link in the output starts with `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    pub origin: String,
    pub path: String,
}

impl BaseUrl {
    /// Accepts `http(s)://host[:port][/path]`; a missing trailing slash is added.
    pub fn parse(input: &str) -> Result<Self, String> {
        let s = input.trim();
        let (scheme, rest) = s
            .split_once("://")
            .ok_or_else(|| format!("base_url `{s}` must be absolute, like https://example.org/"))?;
        if scheme != "http" && scheme != "https" {
            return Err(format!(
                "base_url `{s}` must start with http:// or https://"
            ));
        }
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if host.is_empty() || host.contains(['?', '#', ' ']) {
            return Err(format!("base_url `{s}` has no valid host"));
        }
        if path.contains(['?', '#']) || path.split('/').any(|seg| seg == "..") {
            return Err(format!(
                "base_url `{s}` may have a path but no `..`, query or fragment"
            ));
        }
        let mut path = path.to_string();
        if !path.ends_with('/') {
            path.push('/');
        }
        Ok(BaseUrl {
            origin: format!("{scheme}://{host}"),
            path,
        })
    }

    /// The full base URL, always ending in `/`.
    pub fn full(&self) -> String {
        self.join("")
    }

    /// The absolute URL of `path` below the base, made in one allocation (a build asks for
    /// one per page and per card).
    pub fn join(&self, path: &str) -> String {
        let mut url = String::with_capacity(self.origin.len() + self.path.len() + path.len());
        url.push_str(&self.origin);
        url.push_str(&self.path);
        url.push_str(path);
        url
    }
}

/// A section's settings from `[sections.<name>]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SectionConfig {
    pub title: Option<String>,
    pub description: Option<String>,
}

/// `[search]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    #[serde(default = "yes")]
    pub enabled: bool,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig { enabled: true }
    }
}

/// `[images]`: responsive variants of lead and body images (docs/images.md).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ImagesConfig {
    pub enabled: bool,
    /// Widths of the variants, in pixels; none is wider than its source.
    pub widths: Vec<u32>,
    /// Widths of the 16:9 crops that cards (teasers on index pages) use.
    pub card_widths: Vec<u32>,
    /// Width of the image for OpenGraph and Twitter cards.
    pub social_width: u32,
    /// JPEG and WebP quality, 1-100.
    pub quality: u8,
    pub formats: Vec<ImageFormat>,
}

/// An output format of `[images] formats`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    /// The source's own format (JPEG stays JPEG, PNG stays PNG).
    Original,
    Webp,
}

impl Default for ImagesConfig {
    fn default() -> Self {
        ImagesConfig {
            enabled: true,
            widths: vec![400, 800, 1200, 1600],
            card_widths: vec![320, 640, 960],
            social_width: 1200,
            quality: 80,
            formats: vec![ImageFormat::Original, ImageFormat::Webp],
        }
    }
}

impl ImagesConfig {
    /// Every problem of the settings, as messages.
    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let all = self.widths.iter().chain(&self.card_widths);
        if all
            .chain([&self.social_width])
            .any(|&w| !(16..=8192).contains(&w))
        {
            out.push("[images]: widths must be between 16 and 8192 pixels".to_string());
        }
        if self.widths.is_empty() || self.card_widths.is_empty() {
            out.push("[images]: `widths` and `card_widths` need at least one width".to_string());
        }
        if !(1..=100).contains(&self.quality) {
            out.push("[images]: `quality` must be between 1 and 100".to_string());
        }
        if self.formats.is_empty() {
            out.push("[images]: `formats` needs \"original\", \"webp\" or both".to_string());
        }
        out
    }
}

fn yes() -> bool {
    true
}

/// `[feeds]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    #[serde(default = "default_feed_limit")]
    pub limit: usize,
}

impl Default for FeedConfig {
    fn default() -> Self {
        FeedConfig {
            limit: default_feed_limit(),
        }
    }
}

fn default_feed_limit() -> usize {
    50
}

/// `[import]`: settings of `newsgen import` (docs/import.md); the build ignores them.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ImportConfig {
    /// Old section or category name → newsgen section.
    #[serde(default)]
    pub section_map: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPermalinks {
    article: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawConfig {
    title: String,
    base_url: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default = "default_timezone")]
    timezone: String,
    #[serde(default = "default_theme")]
    theme: String,
    #[serde(default = "default_per_page")]
    per_page: usize,
    #[serde(default = "default_top_stories")]
    top_stories: usize,
    #[serde(default = "default_front_per_section")]
    front_per_section: usize,
    #[serde(default = "default_other_news")]
    other_news: usize,
    #[serde(default = "yes")]
    unsafe_html: bool,
    #[serde(default)]
    favicon: Option<String>,
    #[serde(default)]
    logo: Option<String>,
    #[serde(default)]
    sections: toml::Table,
    #[serde(default)]
    permalinks: Option<RawPermalinks>,
    #[serde(default)]
    search: SearchConfig,
    #[serde(default)]
    feeds: FeedConfig,
    #[serde(default)]
    import: ImportConfig,
    #[serde(default)]
    images: ImagesConfig,
    #[serde(default)]
    extra: toml::Table,
}

fn default_language() -> String {
    "en".into()
}
fn default_timezone() -> String {
    "UTC".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_per_page() -> usize {
    20
}
fn default_top_stories() -> usize {
    6
}
fn default_front_per_section() -> usize {
    5
}
fn default_other_news() -> usize {
    5
}

/// The default article permalink of SPEC §3.
pub const DEFAULT_ARTICLE_PERMALINK: &str = "/{section}/{year}/{month}/{day}/{slug}/";

/// The validated site configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub title: String,
    pub description: Option<String>,
    pub base_url: BaseUrl,
    pub language: String,
    pub timezone: Tz,
    pub theme: String,
    pub per_page: usize,
    pub top_stories: usize,
    pub front_per_section: usize,
    /// How many "Other {section} news" links an article page shows.
    pub other_news: usize,
    pub unsafe_html: bool,
    /// Site icon, relative to the output root (a file of static/) or a full URL.
    pub favicon: Option<String>,
    /// Masthead logo, like `favicon`; the site title is its alternative text.
    pub logo: Option<String>,
    /// Sections in site.toml order: (slug, settings).
    pub sections: Vec<(String, SectionConfig)>,
    /// Article URL pattern, without the leading `/`.
    pub article_permalink: String,
    pub search: SearchConfig,
    pub feeds: FeedConfig,
    pub import: ImportConfig,
    pub images: ImagesConfig,
    pub extra: toml::Table,
}

const KNOWN_KEYS: &[&str] = &[
    "title",
    "base_url",
    "description",
    "language",
    "timezone",
    "theme",
    "per_page",
    "top_stories",
    "front_per_section",
    "other_news",
    "unsafe_html",
    "favicon",
    "logo",
    "sections",
    "permalinks",
    "search",
    "feeds",
    "import",
    "images",
    "extra",
];

const PERMALINK_TOKENS: &[&str] = &["section", "year", "month", "day", "slug"];

impl Config {
    /// Parses site.toml's text. `path` is only used to locate diagnostics.
    /// Returns the config with warnings, or every error found.
    pub fn parse(text: &str, path: &Path) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let at = |e: &toml::de::Error| e.span().map(|s| line_of_offset(text, s.start));
        let doc = toml::de::DeTable::parse(text).map_err(|e| {
            vec![Diagnostic::error(
                path,
                at(&e),
                format!("invalid TOML: {}", e.message()),
            )]
        })?;
        let lines = KeyLines::new(text, doc.get_ref());
        let warnings = unknown_keys(doc.get_ref(), &lines, path);
        let raw = RawConfig::deserialize(toml::de::Deserializer::from(doc.clone()))
            .map_err(|e| vec![Diagnostic::error(path, at(&e), e.message().to_string())])?;
        let mut errors = Vec::new();
        let checked = Checked::of(&raw, &lines, path, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok((Config::from_raw(raw, checked), warnings))
    }

    /// The config from its raw form and the values [`Checked`] derived from it.
    fn from_raw(raw: RawConfig, checked: Checked) -> Config {
        Config {
            title: raw.title,
            description: raw.description,
            base_url: checked.base_url,
            language: raw.language,
            timezone: checked.timezone,
            theme: raw.theme,
            per_page: raw.per_page,
            top_stories: raw.top_stories,
            front_per_section: raw.front_per_section,
            other_news: raw.other_news,
            unsafe_html: raw.unsafe_html,
            favicon: raw.favicon,
            logo: raw.logo,
            sections: checked.sections,
            article_permalink: checked.article_permalink,
            search: raw.search,
            feeds: raw.feeds,
            import: raw.import,
            images: raw.images,
            extra: raw.extra,
        }
    }

    /// Reads and parses `SITE/site.toml`.
    pub fn load(site_dir: &Path) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
        let path = site_dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            vec![Diagnostic::error(
                CONFIG_FILE,
                None,
                format!("cannot read the site configuration: {e}"),
            )]
        })?;
        Config::parse(&text, Path::new(CONFIG_FILE))
    }

    /// The configured settings of a section, by slug.
    pub fn section(&self, slug: &str) -> Option<&SectionConfig> {
        self.sections
            .iter()
            .find(|(s, _)| s == slug)
            .map(|(_, cfg)| cfg)
    }
}

/// A warning for each top-level key newsgen does not know, with the nearest known one.
fn unknown_keys(doc: &toml::de::DeTable<'_>, lines: &KeyLines<'_>, path: &Path) -> Vec<Diagnostic> {
    doc.keys()
        .map(|k| k.get_ref().as_ref())
        .filter(|key| !KNOWN_KEYS.contains(key))
        .map(|key| {
            Diagnostic::warning(
                path,
                lines.line(&[key]),
                format!(
                    "unknown key `{key}`{} (known keys: {})",
                    crate::suggest::did_you_mean(key, KNOWN_KEYS.iter().copied()),
                    KNOWN_KEYS.join(", ")
                ),
            )
        })
        .collect()
}

/// The values of site.toml that need more than deserialising, each checked with its line.
struct Checked {
    base_url: BaseUrl,
    timezone: Tz,
    sections: Vec<(String, SectionConfig)>,
    /// Without the leading `/`.
    article_permalink: String,
}

impl Checked {
    /// Checks everything, pushing every problem to `errors` (the values are then stand-ins).
    fn of(
        raw: &RawConfig,
        lines: &KeyLines<'_>,
        path: &Path,
        errors: &mut Vec<Diagnostic>,
    ) -> Checked {
        let mut error =
            |key: &[&str], msg: String| errors.push(Diagnostic::error(path, lines.line(key), msg));
        let base_url = BaseUrl::parse(&raw.base_url).unwrap_or_else(|msg| {
            error(&["base_url"], msg);
            BaseUrl {
                origin: "http://localhost".into(),
                path: "/".into(),
            }
        });
        let timezone: Tz = raw.timezone.parse().unwrap_or_else(|_| {
            error(
                &["timezone"],
                format!(
                    "unknown time zone `{}`: use an IANA name such as `Pacific/Auckland` or `UTC`",
                    raw.timezone
                ),
            );
            Tz::UTC
        });
        if raw.title.trim().is_empty() {
            error(&["title"], "`title` must not be empty".into());
        }
        if raw.per_page == 0 {
            error(&["per_page"], "`per_page` must be at least 1".into());
        }
        let article_permalink = raw
            .permalinks
            .as_ref()
            .and_then(|p| p.article.clone())
            .unwrap_or_else(|| DEFAULT_ARTICLE_PERMALINK.to_string());
        if let Err(msg) = check_permalink(&article_permalink) {
            error(&["permalinks", "article"], msg);
        }
        for msg in raw.images.problems() {
            error(&["images"], msg);
        }
        Checked {
            base_url,
            timezone,
            sections: sections(&raw.sections, lines, path, errors),
            article_permalink: article_permalink.trim_start_matches('/').to_string(),
        }
    }
}

/// `[sections.*]` in site.toml order, by slug; two names with one slug are an error.
fn sections(
    table: &toml::Table,
    lines: &KeyLines<'_>,
    path: &Path,
    errors: &mut Vec<Diagnostic>,
) -> Vec<(String, SectionConfig)> {
    let line = |name: &str| lines.line(&["sections", name]);
    let mut sections = Vec::new();
    let mut first_name: std::collections::HashMap<String, &str> = Default::default();
    for (name, value) in table {
        let slug = slugify(name);
        if slug.is_empty() {
            errors.push(Diagnostic::error(
                path,
                line(name),
                format!("section name `{name}` has no usable characters for a URL"),
            ));
            continue;
        }
        if let Some(first) = first_name.get(&slug) {
            errors.push(Diagnostic::error(
                path,
                line(name),
                format!(
                    "[sections.{name}] and [sections.{first}] (line {}) are one section: both \
                     give the URL /{slug}/ (names that differ only in case or punctuation \
                     are the same section); keep one of them",
                    line(first).unwrap_or(0)
                ),
            ));
            continue;
        }
        first_name.insert(slug.clone(), name);
        match value.clone().try_into::<SectionConfig>() {
            Ok(cfg) => sections.push((slug, cfg)),
            Err(e) => errors.push(Diagnostic::error(
                path,
                line(name),
                format!("[sections.{name}]: {}", e.message()),
            )),
        }
    }
    sections
}

fn check_permalink(pattern: &str) -> Result<(), String> {
    if !pattern.starts_with('/') || !pattern.ends_with('/') {
        return Err(format!(
            "permalink `{pattern}` must start and end with `/`, like `{DEFAULT_ARTICLE_PERMALINK}`"
        ));
    }
    if !pattern.contains("{slug}") {
        return Err(format!("permalink `{pattern}` must contain `{{slug}}`"));
    }
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            return Err(format!("permalink `{pattern}` has an unclosed `{{`"));
        };
        let token = &rest[start + 1..start + end];
        if !PERMALINK_TOKENS.contains(&token) {
            return Err(format!(
                "permalink `{pattern}` uses unknown `{{{token}}}` (known: {})",
                PERMALINK_TOKENS.join(", ")
            ));
        }
        rest = &rest[start + end + 1..];
    }
    if pattern.split('/').any(|s| s == ".." || s == ".") {
        return Err(format!(
            "permalink `{pattern}` must not contain `.` or `..`"
        ));
    }
    Ok(())
}

/// 1-based line of a byte offset.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Where the keys of a parsed TOML document are written, from the parser's spans (the text
/// is not searched again, so a key is found at its real place, nested or not).
pub struct KeyLines<'a> {
    text: &'a str,
    root: &'a toml::de::DeTable<'a>,
}

impl<'a> KeyLines<'a> {
    pub fn new(text: &'a str, root: &'a toml::de::DeTable<'a>) -> KeyLines<'a> {
        KeyLines { text, root }
    }

    /// 1-based line of the key at `path` (`["permalinks", "article"]`), if it is set.
    pub fn line(&self, path: &[&str]) -> Option<usize> {
        let (last, parents) = path.split_last()?;
        let mut table = self.root;
        for p in parents {
            match table.get(*p)?.get_ref() {
                toml::de::DeValue::Table(t) => table = t,
                _ => return None,
            }
        }
        let (key, _) = table.get_key_value(*last)?;
        Some(line_of_offset(self.text, key.span().start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_with_sub_path() {
        let b = BaseUrl::parse("https://example.org/archive").unwrap();
        assert_eq!(b.origin, "https://example.org");
        assert_eq!(b.path, "/archive/");
        assert_eq!(b.full(), "https://example.org/archive/");
        assert!(BaseUrl::parse("example.org").is_err());
        assert!(BaseUrl::parse("https://example.org/../x/").is_err());
    }

    #[test]
    fn parses_sections_in_order_and_reports_bad_values() {
        let text = "title = \"T\"\nbase_url = \"https://e.org/\"\ntimezone = \"Pacific/Auckland\"\n\
                    tittle = 1\n[sections.zeta]\ntitle = \"Z\"\n[sections.alpha]\n";
        let (cfg, warnings) = Config::parse(text, Path::new("site.toml")).unwrap();
        assert_eq!(cfg.sections[0].0, "zeta");
        assert_eq!(cfg.sections[1].0, "alpha");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, Some(4));

        let bad = "title = \"T\"\nbase_url = \"https://e.org/\"\ntimezone = \"Mars/Base\"\n";
        let errs = Config::parse(bad, Path::new("site.toml")).unwrap_err();
        assert_eq!(errs[0].line, Some(3));
        assert!(errs[0].message.contains("Mars/Base"));
    }

    #[test]
    fn lines_come_from_where_the_parser_found_the_key() {
        // A text search for `article =` would stop at [extra]'s key on line 4.
        let text = "title = \"T\"\nbase_url = \"https://e.org/\"\n[extra]\narticle = \"x\"\n\
                    [permalinks]\narticle = \"/no-slug/\"\n[sections.\"a b\"]\n[sections.a-b]\n";
        let errs = Config::parse(text, Path::new("site.toml")).unwrap_err();
        let lines: Vec<_> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, [Some(6), Some(8)], "{errs:?}");
        assert!(errs[1].message.contains("(line 7)"), "{}", errs[1].message);
    }

    #[test]
    fn permalink_checks() {
        assert!(check_permalink(DEFAULT_ARTICLE_PERMALINK).is_ok());
        assert!(check_permalink("/{section}/{slug}").is_err());
        assert!(check_permalink("/{section}/{hour}/{slug}/").is_err());
        assert!(check_permalink("/{section}/").is_err());
    }
}
