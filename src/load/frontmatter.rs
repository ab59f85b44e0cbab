//! An article file: `+++` TOML front matter, then Markdown (SPEC §2).
//!
//! Pure functions over text, so every rule here is testable without a disk.

use std::path::Path;

use chrono::DateTime;
use chrono_tz::Tz;

use serde::Deserialize;

use crate::dates::{DateError, parse_datetime};
use crate::error::Diagnostic;
use crate::load::config::{KeyLines, line_of_offset};

/// The front matter of one article, typed and checked. Serialisable for the parse cache kept
/// between builds (`load::cache`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FrontMatter {
    pub title: String,
    #[serde(with = "crate::load::cache::instant")]
    pub date: DateTime<Tz>,
    /// `date` was written without a time of day (`2025-10-30`): themes show the day alone.
    pub date_only: bool,
    #[serde(with = "crate::load::cache::optional_instant")]
    pub updated: Option<DateTime<Tz>>,
    /// `updated` was written without a time of day.
    pub updated_date_only: bool,
    /// When the article stops being published (an agency licence running out, an offer
    /// ending): builds at or after this instant leave it out, like a draft.
    #[serde(with = "crate::load::cache::optional_instant")]
    pub expires: Option<DateTime<Tz>>,
    pub section: Option<String>,
    pub source: Option<String>,
    pub source_url: Option<String>,
    pub authors: Vec<String>,
    pub summary: Option<String>,
    pub tags: Vec<String>,
    pub slug: Option<String>,
    pub draft: bool,
    pub featured: bool,
    pub image: Option<String>,
    pub aliases: Vec<String>,
    #[serde(with = "crate::load::cache::toml_text")]
    pub extra: toml::Table,
    /// File line of each top-level key, for messages raised after parsing (bad slug...).
    pub key_lines: KnownKeyLines,
}

impl FrontMatter {
    /// The file line where `key` is set, if it is.
    pub fn line(&self, key: &str) -> Option<usize> {
        self.key_lines.get(key)
    }
}

/// Every front matter key newsgen reads, in reading order: [`Fields::get`] refuses any
/// other, and the key lines of an article name keys by their place in this list.
const FRONT_KEYS: [&str; 16] = [
    "title",
    "date",
    "updated",
    "expires",
    "section",
    "source",
    "source_url",
    "authors",
    "summary",
    "tags",
    "slug",
    "draft",
    "featured",
    "image",
    "aliases",
    "extra",
];

/// The place of `key` in [`FRONT_KEYS`].
fn key_index(key: &str) -> Option<u8> {
    let at = FRONT_KEYS.iter().position(|k| *k == key)?;
    Some(u8::try_from(at).expect("FRONT_KEYS has fewer than 256 keys"))
}

/// The file line of each known key an article sets: a dozen at most, asked for only to
/// place a message, so a list searched in order, of keys by their place in [`FRONT_KEYS`]
/// (read back from the parse cache for every article of a rebuild, a tree map of key names
/// cost more than the rest of its front matter, and a list of names a fifth of it).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KnownKeyLines(Vec<(u8, usize)>);

impl KnownKeyLines {
    pub fn get(&self, key: &str) -> Option<usize> {
        let at = key_index(key)?;
        self.0.iter().find(|(k, _)| *k == at).map(|&(_, line)| line)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A split and parsed article file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ArticleFile {
    pub front: FrontMatter,
    /// The Markdown body, with LF line endings. Shared, not copied, by the parse cache and the
    /// model: it is most of an article's memory, and read back from the file only when needed
    /// once the parse comes from the parse cache.
    pub body: super::body::Body,
    /// The file line where the body starts, to locate messages about it.
    pub body_line: usize,
    /// Without a `summary` key: the body's first paragraph as plain text, the article's
    /// summary. Read here, once per parse (and kept in the parse cache), not once per build.
    pub body_summary: Option<String>,
    /// The warnings about the body's links and images that `unsafe_html = false` drops
    /// ([`super::unsafe_urls`]), found here while the text is in memory and kept in the parse
    /// cache, so that a rebuild reads no cached body back to scan it. Found whatever
    /// `unsafe_html` says, so a cache entry does not depend on the flag and switching it
    /// parses nothing again: the scan is about 1 % of a cold build's instructions
    /// (docs/benchmarks.md), and an empty list is one byte of the cache.
    pub unsafe_url_warnings: Vec<Diagnostic>,
    /// The body's words (the article page's `word_count`), counted in the same pass.
    pub word_count: usize,
}

/// Keys other generators (Hugo, Jekyll, Zola) use, with what newsgen calls them.
const FOREIGN_KEYS: &[(&str, &str)] = &[
    (
        "author",
        "newsgen uses `authors`, a list: authors = [\"...\"]",
    ),
    ("description", "newsgen uses `summary` for the standfirst"),
    (
        "categories",
        "newsgen uses `section` (one, default: the folder) and `tags`",
    ),
    ("lastmod", "newsgen uses `updated`"),
    ("expirydate", "newsgen uses `expires`"),
    ("keywords", "newsgen uses `tags`"),
];

fn foreign_key_hint(key: &str) -> Option<&'static str> {
    FOREIGN_KEYS
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, hint)| *hint)
}

/// Parses a whole article file. `path` locates diagnostics. On success the warnings
/// (unknown keys, moved DST times) come with the article; on failure, every error found.
pub fn parse_article(
    bytes: &[u8],
    path: &Path,
    tz: Tz,
) -> Result<(ArticleFile, Vec<Diagnostic>), Vec<Diagnostic>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = line_of_offset_bytes(bytes, e.valid_up_to());
            return Err(vec![Diagnostic::error(
                path,
                Some(line),
                "the file is not valid UTF-8: save it as UTF-8",
            )]);
        }
    };
    let text = normalized(text);
    let (front_text, body) = split(&text, path)?;
    let mut warnings = Vec::new();
    let front = parse_front_matter(front_text, path, tz, &mut warnings)?;
    // The opening `+++`, the front matter lines, the closing `+++`.
    let body_line = front_text.matches('\n').count() + 3;
    let scan = super::unsafe_urls::scan_body(body, path, body_line);
    Ok((
        ArticleFile {
            body_summary: front
                .summary
                .is_none()
                .then(|| crate::util::text::first_paragraph_text(body)),
            front,
            body: super::body::Body::parsed(body),
            body_line,
            unsafe_url_warnings: scan.warnings,
            word_count: scan.words,
        },
        warnings,
    ))
}

/// The text as parsed: without a byte order mark, with LF line endings.
fn normalized(text: &str) -> std::borrow::Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The Markdown body of an article file, exactly as [`parse_article`] gives it, without
/// parsing the front matter (a body read back for a parse kept in the parse cache). `None`
/// when the file is no longer an article.
pub fn body_text(bytes: &[u8]) -> Option<String> {
    let text = normalized(std::str::from_utf8(bytes).ok()?);
    split(&text, Path::new(""))
        .ok()
        .map(|(_, body)| body.to_string())
}

fn line_of_offset_bytes(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Splits `+++\n...\n+++\nbody`; the front matter text starts at file line 2.
fn split<'a>(text: &'a str, path: &Path) -> Result<(&'a str, &'a str), Vec<Diagnostic>> {
    let first = text.lines().next().unwrap_or("");
    if first.trim_end() == "---" {
        return Err(vec![Diagnostic::error(
            path,
            Some(1),
            "YAML front matter (`---`) is not supported: use TOML between `+++` lines",
        )]);
    }
    if first.trim_end() != "+++" {
        return Err(vec![Diagnostic::error(
            path,
            Some(1),
            "missing front matter: the file must start with a `+++` line, then TOML keys \
             (title, date...), then a closing `+++` line",
        )]);
    }
    let after_open = &text[first.len()..];
    let after_open = after_open.strip_prefix('\n').unwrap_or(after_open);
    let mut offset = 0;
    for line in after_open.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let front = &after_open[..offset];
            let body = &after_open[offset + line.len()..];
            return Ok((front, body));
        }
        offset += line.len();
    }
    Err(vec![Diagnostic::error(
        path,
        Some(1),
        "unterminated front matter: add a closing `+++` line after the keys",
    )])
}

/// Front matter lines are file lines + 1 (the opening `+++`).
const FRONT_LINE_OFFSET: usize = 1;

/// The front matter's values read key by key, with the errors found. The keys read are the
/// keys newsgen knows; each must be in [`FRONT_KEYS`], which numbers them (checked at every
/// read, so a read of a new key fails every parse until the list has it).
struct Fields<'a> {
    table: &'a toml::Table,
    lines: KeyLines<'a>,
    path: &'a Path,
    errors: Vec<Diagnostic>,
    /// Every key read so far, by place in [`FRONT_KEYS`], in reading order.
    known: Vec<u8>,
}

impl<'a> Fields<'a> {
    /// The value of `key`, which becomes a known key.
    fn get(&mut self, key: &'static str) -> Option<&'a toml::Value> {
        let at = key_index(key).expect("every front matter key read is in FRONT_KEYS");
        if !self.known.contains(&at) {
            self.known.push(at);
        }
        self.table.get(key)
    }

    fn line(&self, key: &str) -> Option<usize> {
        self.lines.line(&[key]).map(|l| l + FRONT_LINE_OFFSET)
    }

    fn error(&mut self, key: &str, message: String) {
        let line = self.line(key);
        self.errors
            .push(Diagnostic::error(self.path, line, message));
    }

    fn string(&mut self, key: &'static str) -> Option<String> {
        match self.get(key)? {
            toml::Value::String(s) => Some(s.clone()),
            other => {
                let msg = format!(
                    "`{key}` must be a string in quotes, not {}: write {key} = \"...\"",
                    type_name(other)
                );
                self.error(key, msg);
                None
            }
        }
    }

    fn boolean(&mut self, key: &'static str) -> bool {
        match self.get(key) {
            None => false,
            Some(toml::Value::Boolean(b)) => *b,
            Some(other) => {
                let msg = format!(
                    "`{key}` must be true or false (without quotes), not {}",
                    type_name(other)
                );
                self.error(key, msg);
                false
            }
        }
    }

    fn strings(&mut self, key: &'static str) -> Vec<String> {
        match self.get(key) {
            None => Vec::new(),
            Some(toml::Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        toml::Value::String(s) => out.push(s.clone()),
                        other => {
                            let msg = format!(
                                "`{key}` must be a list of strings, but has {}",
                                type_name(other)
                            );
                            self.error(key, msg);
                            return Vec::new();
                        }
                    }
                }
                out
            }
            Some(other) => {
                let msg = format!(
                    "`{key}` must be a list of strings, not {}: write {key} = [\"...\"]",
                    type_name(other)
                );
                self.error(key, msg);
                Vec::new()
            }
        }
    }

    fn datetime(
        &mut self,
        key: &'static str,
        tz: Tz,
        warnings: &mut Vec<Diagnostic>,
    ) -> Option<DateTime<Tz>> {
        let raw = match self.get(key)? {
            toml::Value::Datetime(d) => d.to_string(),
            toml::Value::String(s) => s.clone(),
            other => {
                let msg = format!(
                    "`{key}` must be a date like 2025-10-30T18:07:00+13:00, not {}",
                    type_name(other)
                );
                self.error(key, msg);
                return None;
            }
        };
        match parse_datetime(&raw, tz) {
            Ok(r) => {
                if r.moved_over_gap {
                    warnings.push(Diagnostic::warning(
                        self.path,
                        self.line(key),
                        format!(
                            "`{key}` {raw} does not exist in {tz} (clocks went forward); \
                             using {}",
                            r.instant.format("%Y-%m-%d %H:%M %:z")
                        ),
                    ));
                }
                Some(r.instant)
            }
            Err(DateError::Impossible) => {
                self.error(key, format!("`{key}` {raw} is not a real date or time"));
                None
            }
            Err(DateError::Format) => {
                self.error(
                    key,
                    format!(
                        "`{key}` \"{raw}\" is not a date: use 2025-10-30T18:07:00+13:00, \
                         2025-10-30 18:07 (site time zone) or 2025-10-30"
                    ),
                );
                None
            }
        }
    }
}

fn type_name(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "a number",
        toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}

/// Unknown keys reported one by one; past this, one warning gives the count (a file of
/// 50,000 keys would otherwise print 50,000 lines and search each key's line).
const MAX_UNKNOWN_KEY_WARNINGS: usize = 20;

fn parse_front_matter(
    text: &str,
    path: &Path,
    tz: Tz,
    warnings: &mut Vec<Diagnostic>,
) -> Result<FrontMatter, Vec<Diagnostic>> {
    let invalid = |e: toml::de::Error| {
        let line = e
            .span()
            .map(|s| line_of_offset(text, s.start) + FRONT_LINE_OFFSET);
        vec![Diagnostic::error(
            path,
            line,
            format!("invalid TOML in front matter: {}", e.message().trim()),
        )]
    };
    let doc = toml::de::DeTable::parse(text).map_err(invalid)?;
    let table =
        toml::Table::deserialize(toml::de::Deserializer::from(doc.clone())).map_err(invalid)?;
    let mut f = Fields {
        table: &table,
        lines: KeyLines::new(text, doc.get_ref()),
        path,
        errors: Vec::new(),
        known: Vec::new(),
    };
    let front = read_front(&mut f, tz, warnings);
    warnings.extend(unknown_keys(&f));
    if !f.errors.is_empty() {
        return Err(f.errors);
    }
    front.ok_or_else(|| vec![Diagnostic::error(path, None, "missing title or date")])
}

/// Every known key's value, checked; `None` without a title or a date.
fn read_front(f: &mut Fields<'_>, tz: Tz, warnings: &mut Vec<Diagnostic>) -> Option<FrontMatter> {
    let title = title(f);
    let (date, updated) = dates(f, tz, warnings);
    let expires = expires(f, date, tz, warnings);
    let section = section(f);
    let source = f.string("source");
    let source_url = f.string("source_url");
    let authors = f.strings("authors");
    let summary = f.string("summary");
    let tags = f.strings("tags");
    let slug = f.string("slug");
    let draft = f.boolean("draft");
    let featured = f.boolean("featured");
    let image = f.string("image");
    let aliases = f.strings("aliases");
    let extra = extra(f);
    Some(FrontMatter {
        title: title?.trim().to_string(),
        date: date?,
        date_only: is_date_only(f.table.get("date")),
        updated,
        updated_date_only: is_date_only(f.table.get("updated")),
        expires,
        section,
        source: source.filter(|s| !s.trim().is_empty()),
        source_url,
        authors: clean_terms(authors),
        summary: summary.filter(|s| !s.trim().is_empty()),
        tags: clean_terms(tags),
        slug,
        draft,
        featured,
        image: image.filter(|s| !s.trim().is_empty()),
        aliases,
        extra,
        // Known keys only: unknown keys are never asked for.
        key_lines: KnownKeyLines(
            f.known
                .iter()
                .filter_map(|&at| f.line(FRONT_KEYS[usize::from(at)]).map(|l| (at, l)))
                .collect(),
        ),
    })
}

/// `title`: required, not empty.
fn title(f: &mut Fields<'_>) -> Option<String> {
    let title = f.string("title");
    match &title {
        None if !f.table.contains_key("title") => f.errors.push(Diagnostic::error(
            f.path,
            Some(1),
            "missing `title`: add title = \"...\" to the front matter",
        )),
        Some(t) if t.trim().is_empty() => f.error(
            "title",
            "`title` is empty: give the article a headline".into(),
        ),
        _ => {}
    }
    title
}

/// `date` (required) and `updated` (not before `date`).
fn dates(
    f: &mut Fields<'_>,
    tz: Tz,
    warnings: &mut Vec<Diagnostic>,
) -> (Option<DateTime<Tz>>, Option<DateTime<Tz>>) {
    let date = f.datetime("date", tz, warnings);
    if !f.table.contains_key("date") {
        f.errors.push(Diagnostic::error(
            f.path,
            Some(1),
            "missing `date`: add date = 2025-10-30T18:07:00+13:00 (or a date like 2025-10-30)",
        ));
    }
    let updated = f.datetime("updated", tz, warnings);
    if let (Some(d), Some(u)) = (date, updated)
        && u < d
    {
        f.error(
            "updated",
            format!(
                "`updated` ({}) is before `date` ({}): an update cannot come before publication",
                u.to_rfc3339(),
                d.to_rfc3339()
            ),
        );
    }
    (date, updated)
}

/// `expires`: after `date`.
fn expires(
    f: &mut Fields<'_>,
    date: Option<DateTime<Tz>>,
    tz: Tz,
    warnings: &mut Vec<Diagnostic>,
) -> Option<DateTime<Tz>> {
    let expires = f.datetime("expires", tz, warnings);
    if let (Some(d), Some(x)) = (date, expires)
        && x <= d
    {
        f.error(
            "expires",
            format!(
                "`expires` ({}) is not after `date` ({}): the article would never be published",
                x.to_rfc3339(),
                d.to_rfc3339()
            ),
        );
    }
    expires
}

/// `section`: one folder name.
fn section(f: &mut Fields<'_>) -> Option<String> {
    let section = f.string("section");
    if let Some(s) = &section
        && (s.contains('/') || s.contains('\\') || s.contains(".."))
    {
        f.error(
            "section",
            format!("`section` \"{s}\" must be one name, without `/` or `..`"),
        );
    }
    section
}

/// `extra`: a table of anything, for templates.
fn extra(f: &mut Fields<'_>) -> toml::Table {
    match f.get("extra") {
        None => toml::Table::new(),
        Some(toml::Value::Table(t)) => t.clone(),
        Some(other) => {
            let msg = format!(
                "`extra` must be a table ([extra] or extra = {{ ... }}), not {}",
                type_name(other)
            );
            f.error("extra", msg);
            toml::Table::new()
        }
    }
}

/// A warning for each key no read asked for (the first [`MAX_UNKNOWN_KEY_WARNINGS`], then a
/// count), with the key other generators use it for or the nearest known key.
fn unknown_keys(f: &Fields<'_>) -> Vec<Diagnostic> {
    let unknown: Vec<&String> = f
        .table
        .keys()
        .filter(|k| key_index(k).is_none_or(|at| !f.known.contains(&at)))
        .collect();
    let mut warnings = Vec::new();
    if unknown.len() > MAX_UNKNOWN_KEY_WARNINGS {
        warnings.push(Diagnostic::warning(
            f.path,
            None,
            format!(
                "{} unknown front matter keys (the first {MAX_UNKNOWN_KEY_WARNINGS} follow; \
                 put free-form data under [extra])",
                unknown.len()
            ),
        ));
    }
    for key in unknown.into_iter().take(MAX_UNKNOWN_KEY_WARNINGS) {
        let hint = match foreign_key_hint(key) {
            Some(h) => format!("; {h}"),
            None => {
                let known = f.known.iter().map(|&at| FRONT_KEYS[usize::from(at)]);
                crate::suggest::did_you_mean(key, known)
            }
        };
        warnings.push(Diagnostic::warning(
            f.path,
            f.line(key),
            format!("unknown front matter key `{key}`{hint} (put free-form data under [extra])"),
        ));
    }
    warnings
}

fn is_date_only(value: Option<&toml::Value>) -> bool {
    match value {
        Some(toml::Value::Datetime(d)) => d.time.is_none(),
        Some(toml::Value::String(s)) => {
            chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").is_ok()
        }
        _ => false,
    }
}

/// Trimmed, non-empty terms in the order written, each once (a set, so 100,000 tags take
/// linear time).
fn clean_terms(terms: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::with_capacity(terms.len());
    let mut out: Vec<String> = Vec::with_capacity(terms.len());
    for t in terms {
        let t = t.trim().to_string();
        if !t.is_empty() && seen.insert(t.clone()) {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, Timelike};

    const AKL: Tz = chrono_tz::Pacific::Auckland;

    fn parse(text: &str) -> Result<(ArticleFile, Vec<Diagnostic>), Vec<Diagnostic>> {
        parse_article(text.as_bytes(), Path::new("content/x/a.md"), AKL)
    }

    #[test]
    fn key_lines_come_from_the_parser_not_a_text_search() {
        let text = "+++\ntitle = \"T\"\nsummary = \"\"\"\nslug = \"not a key\"\n\"\"\"\n\
                    slug = \"real\"\ndate = 2025-10-30\nsulg = 1\n+++\nBody\n";
        let (file, warnings) = parse_article(text.as_bytes(), Path::new("a.md"), Tz::UTC).unwrap();
        assert_eq!(file.front.line("slug"), Some(6));
        assert_eq!(file.front.line("date"), Some(7));
        assert_eq!(file.front.key_lines.len(), 4, "{:?}", file.front.key_lines);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, Some(8));
        assert!(
            warnings[0].message.contains("`slug`"),
            "{}",
            warnings[0].message
        );
    }

    #[test]
    fn every_key_read_has_its_line_and_survives_the_parse_cache() {
        let text = "+++\ntitle = \"T\"\ndate = 2025-10-30\nupdated = 2025-10-31\n\
                    expires = 2026-10-30\nsection = \"world\"\nsource = \"S\"\n\
                    source_url = \"https://e.org/\"\nauthors = [\"A\"]\nsummary = \"Sum\"\n\
                    tags = [\"t\"]\nslug = \"s\"\ndraft = false\nfeatured = true\n\
                    image = \"i.jpg\"\naliases = [\"/x/\"]\n[extra]\nk = 1\n+++\nBody\n";
        let (file, warnings) = parse_article(text.as_bytes(), Path::new("a.md"), Tz::UTC).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let back: ArticleFile = postcard::from_bytes(&postcard::to_stdvec(&file).unwrap()).unwrap();
        for (i, key) in FRONT_KEYS.iter().enumerate() {
            assert_eq!(file.front.line(key), Some(i + 2), "{key}");
            assert_eq!(back.front.line(key), Some(i + 2), "{key} read back");
        }
    }

    #[test]
    fn full_article() {
        let (a, w) = parse(
            "+++\ntitle = \"Hi\"\ndate = 2025-10-30T18:07:00+13:00\ntags = [\"a\", \"b\"]\n\
             featured = true\n[extra]\nk = 1\n+++\nBody *here*.\n",
        )
        .unwrap();
        assert!(w.is_empty());
        assert_eq!(a.front.title, "Hi");
        assert_eq!(a.front.date.hour(), 18);
        assert_eq!(a.front.tags, vec!["a", "b"]);
        assert!(a.front.featured);
        assert_eq!(a.body.text().unwrap(), "Body *here*.\n");
    }

    #[test]
    fn bom_and_crlf() {
        let (a, _) =
            parse("\u{feff}+++\r\ntitle = \"Hi\"\r\ndate = \"2025-10-30\"\r\n+++\r\nBody\r\n")
                .unwrap();
        assert_eq!(a.front.date.day(), 30);
        assert_eq!(a.body.text().unwrap(), "Body\n");
    }

    #[test]
    fn errors_name_lines() {
        let e = parse("+++\ntitle = \"Hi\"\ndate = \"2025-02-30\"\n+++\n").unwrap_err();
        assert_eq!(e[0].line, Some(3));
        assert!(e[0].message.contains("not a real date"));

        let e =
            parse("+++\ntitle = \"Hi\"\ndate = 2025-01-01\ntags = \"x\"\ndraft = \"yes\"\n+++\n")
                .unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].line, Some(4));
        assert_eq!(e[1].line, Some(5));

        let e = parse("+++\ntitle = \"Hi\"\ndate = 2025-01-01\n").unwrap_err();
        assert!(e[0].message.contains("unterminated"));

        let e = parse("---\ntitle: Hi\n---\n").unwrap_err();
        assert!(e[0].message.contains("YAML"));

        let e = parse("+++\ntitle = \"  \"\n+++\n").unwrap_err();
        assert!(e.iter().any(|d| d.message.contains("empty")));
        assert!(e.iter().any(|d| d.message.contains("missing `date`")));

        // The string opened on line 2 breaks at the end of it: the parser points at line 3.
        let e = parse("+++\ntitle = \"a\nb\"\n+++\n").unwrap_err();
        assert!(e[0].message.contains("invalid TOML"));
        assert_eq!(e[0].line, Some(3));

        let e = parse_article(b"+++\ntitle = \"\xff\"\n+++\n", Path::new("a.md"), AKL).unwrap_err();
        assert!(e[0].message.contains("UTF-8"));
        assert_eq!(e[0].line, Some(2));

        let e = parse("+++\ntitle = \"a\"\ndate = 2025-05-02\nupdated = 2025-05-01\n+++\n")
            .unwrap_err();
        assert_eq!(e[0].line, Some(4));
    }

    #[test]
    fn unknown_keys_warn_with_a_suggestion() {
        let (_, w) =
            parse("+++\ntitle = \"Hi\"\ntittle = \"x\"\ndate = 2025-01-01\n+++\n").unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].line, Some(3));
        assert!(w[0].message.contains("did you mean `title`"));
    }

    #[test]
    fn section_with_slash_is_rejected() {
        let e =
            parse("+++\ntitle = \"a\"\ndate = 2025-05-02\nsection = \"a/b\"\n+++\n").unwrap_err();
        assert!(e[0].message.contains("section"));
    }
}

#[cfg(test)]
mod garbage {
    //! Hostile input never panics: random files made of front matter fragments.
    use super::*;

    const PIECES: &[&str] = &[
        "+++",
        "\n",
        "\r\n",
        "---",
        "title = ",
        "date = ",
        "updated = ",
        "tags = ",
        "slug = ",
        "section = ",
        "aliases = ",
        "draft = ",
        "[extra]",
        "\"",
        "'",
        "[",
        "]",
        "{",
        "}",
        ",",
        "2025-02-30",
        "2025-10-30T18:07:00+13:00",
        "2025-09-28 02:30",
        "9999-99-99",
        "T25:61",
        "Z",
        "+14:00",
        "-12:00",
        "true",
        "yes",
        "../",
        "..",
        "/",
        "Māori",
        "\u{feff}",
        "\u{0}",
        "\u{2028}",
        "é",
        "🦀",
        "=",
        "#",
        "\\",
        "\\u00e9",
        "1e999",
        "-0",
        "xxx",
    ];

    #[test]
    fn random_files_never_panic() {
        let mut next = crate::testing::xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..5000 {
            let n = (next() % 40) as usize;
            let mut text = String::from(if next().is_multiple_of(4) {
                ""
            } else {
                "+++\n"
            });
            for _ in 0..n {
                text.push_str(PIECES[(next() as usize) % PIECES.len()]);
            }
            let mut bytes = text.into_bytes();
            if next().is_multiple_of(10) && !bytes.is_empty() {
                let i = (next() as usize) % bytes.len();
                bytes[i] = 0xff;
            }
            for tz in [
                chrono_tz::Pacific::Auckland,
                chrono_tz::Tz::UTC,
                chrono_tz::Asia::Kathmandu,
            ] {
                let _ = parse_article(&bytes, Path::new("content/x/a.md"), tz);
            }
        }
    }
}
