//! What Jekyll, Hugo and Zola share: front matter in YAML, TOML or JSON read into one typed
//! struct, template syntax found in bodies, images copied into bundles, and the run itself
//! (read everything, stop on any malformed file, then write).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::front::{NewFront, When};
use super::report::Report;
use super::{Article, BundleFile, ImportOptions, SourceSite, Writer, add_bundle_file};
use crate::error::{Diagnostic, Error};

/// A scalar front matter value of any type, read as text (`title: 2020` is a title).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    pub fn text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

/// A value written either as one item or as a list (`tags: news` or `tags: [a, b]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(Scalar),
    Many(Vec<Scalar>),
}

impl OneOrMany {
    pub fn items(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.text()],
            OneOrMany::Many(v) => v.iter().map(Scalar::text).collect(),
        }
    }
}

/// An image given as a path or as a table with a `path`/`src` (Jekyll themes do both).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ImageValue {
    Path(String),
    List(Vec<String>),
    Table {
        path: Option<String>,
        src: Option<String>,
        feature: Option<String>,
    },
}

impl ImageValue {
    pub fn path(&self) -> Option<String> {
        match self {
            ImageValue::Path(p) => Some(p.clone()),
            ImageValue::List(v) => v.first().cloned(),
            ImageValue::Table { path, src, feature } => path
                .clone()
                .or_else(|| src.clone())
                .or_else(|| feature.clone()),
        }
    }
}

/// The front matter keys of Jekyll, Hugo and Zola that newsgen has a place for; the rest
/// are counted by name for the report.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SourceFront {
    pub title: Option<Scalar>,
    pub date: Option<Scalar>,
    #[serde(rename = "publishDate", alias = "publishdate", alias = "pubDate")]
    pub publish_date: Option<Scalar>,
    pub updated: Option<Scalar>,
    pub lastmod: Option<Scalar>,
    pub last_modified_at: Option<Scalar>,
    pub draft: Option<bool>,
    pub published: Option<bool>,
    pub tags: Option<OneOrMany>,
    pub categories: Option<OneOrMany>,
    pub category: Option<Scalar>,
    pub author: Option<OneOrMany>,
    pub authors: Option<OneOrMany>,
    pub slug: Option<Scalar>,
    pub permalink: Option<String>,
    pub url: Option<String>,
    pub path: Option<String>,
    pub summary: Option<String>,
    pub excerpt: Option<String>,
    pub description: Option<String>,
    pub image: Option<ImageValue>,
    pub images: Option<ImageValue>,
    pub featured_image: Option<String>,
    pub aliases: Option<OneOrMany>,
    pub redirect_from: Option<OneOrMany>,
    pub taxonomies: BTreeMap<String, OneOrMany>,
    #[serde(flatten)]
    pub rest: BTreeMap<String, serde::de::IgnoredAny>,
}

impl SourceFront {
    pub fn title(&self) -> Option<String> {
        self.title
            .as_ref()
            .map(Scalar::text)
            .filter(|t| !t.trim().is_empty())
    }

    pub fn summary(&self) -> Option<String> {
        [&self.summary, &self.excerpt, &self.description]
            .into_iter()
            .flatten()
            .map(|s| s.trim().to_string())
            .find(|s| !s.is_empty())
    }

    pub fn authors(&self) -> Vec<String> {
        let mut out = Vec::new();
        for list in [&self.authors, &self.author].into_iter().flatten() {
            for a in list.items() {
                super::front::push_unique(&mut out, &a);
            }
        }
        out
    }

    pub fn image(&self) -> Option<String> {
        self.image
            .as_ref()
            .and_then(ImageValue::path)
            .or_else(|| self.images.as_ref().and_then(ImageValue::path))
            .or_else(|| self.featured_image.clone())
    }

    /// `aliases` and Jekyll's `redirect_from`.
    pub fn old_aliases(&self) -> Vec<String> {
        [&self.aliases, &self.redirect_from]
            .into_iter()
            .flatten()
            .flat_map(OneOrMany::items)
            .collect()
    }
}

/// The front matter and body of one source file.
pub struct SourceFile {
    pub front: SourceFront,
    pub body: String,
    /// File line of the body's first line, for locating template syntax.
    pub body_line: usize,
}

/// Splits and parses `---` YAML, `+++` TOML or `{...}` JSON front matter (a file without
/// any has an empty one). Malformed front matter is an error with file and line.
pub fn read_source(text: &str, shown: &Path) -> Result<SourceFile, Diagnostic> {
    let text = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .replace("\r\n", "\n");
    let first = text.lines().next().unwrap_or("").trim_end();
    let fence = match first {
        "---" => "---",
        "+++" => "+++",
        _ if text.starts_with('{') => return read_json(&text, shown),
        _ => {
            return Ok(SourceFile {
                front: SourceFront::default(),
                body: text.clone(),
                body_line: 1,
            });
        }
    };
    let after = &text[first.len()..].trim_start_matches([' ', '\t']);
    let after = after.strip_prefix('\n').unwrap_or(after);
    let mut offset = 0;
    for line in after.split_inclusive('\n') {
        let l = line.trim_end();
        if l == fence || (fence == "---" && l == "...") {
            let front_text = &after[..offset];
            let body = after[offset + line.len()..].to_string();
            let body_line = 3 + front_text.lines().count();
            let front = if fence == "---" {
                parse_yaml(front_text, shown)?
            } else {
                parse_toml(front_text, shown)?
            };
            return Ok(SourceFile {
                front,
                body,
                body_line,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(
        shown,
        Some(1),
        format!("unterminated front matter: no closing `{fence}` line"),
    ))
}

fn parse_yaml(text: &str, shown: &Path) -> Result<SourceFront, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(SourceFront::default());
    }
    serde_saphyr::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line() as usize + 1);
        let message = e.to_string();
        let first = message.lines().next().unwrap_or("").to_string();
        Diagnostic::error(shown, line, format!("invalid YAML front matter: {first}"))
    })
}

fn parse_toml(text: &str, shown: &Path) -> Result<SourceFront, Diagnostic> {
    let located = |e: toml::de::Error| {
        let line = e
            .span()
            .map(|s| crate::load::config::line_of_offset(text, s.start) + 1);
        Diagnostic::error(
            shown,
            line,
            format!("invalid TOML front matter: {}", e.message()),
        )
    };
    let mut table: toml::Table = toml::from_str(text).map_err(located)?;
    dates_as_strings(&mut table);
    toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| {
            Diagnostic::error(shown, None, format!("front matter: {}", e.message()))
        })
}

/// TOML datetimes become strings, the form the shared struct reads dates in.
fn dates_as_strings(table: &mut toml::Table) {
    for (_, value) in table.iter_mut() {
        match value {
            toml::Value::Datetime(d) => *value = toml::Value::String(d.to_string()),
            toml::Value::Table(t) => dates_as_strings(t),
            _ => {}
        }
    }
}

fn read_json(text: &str, shown: &Path) -> Result<SourceFile, Diagnostic> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<SourceFront>();
    match stream.next() {
        Some(Ok(front)) => {
            let end = stream.byte_offset();
            let body_line = text[..end].lines().count() + 1;
            let body = text[end..]
                .trim_start_matches([' ', '\t'])
                .strip_prefix('\n')
                .unwrap_or(&text[end..]);
            Ok(SourceFile {
                front,
                body: body.to_string(),
                body_line,
            })
        }
        Some(Err(e)) => Err(Diagnostic::error(
            shown,
            Some(e.line()),
            format!("invalid JSON front matter: {e}"),
        )),
        None => Ok(SourceFile {
            front: SourceFront::default(),
            body: text.to_string(),
            body_line: 1,
        }),
    }
}

/// Lists template syntax left in a body (Liquid `{% %}`/`{{ }}`, Hugo `{{< >}}`/`{{% %}}`,
/// Zola `{{ f() }}`/`{% f() %}`) for review, by file and line; the text is kept.
pub fn report_templates(body: &str, body_line: usize, shown: &str, report: &mut Report) {
    for (i, line) in body.lines().enumerate() {
        let Some(at) = line.find("{{").or_else(|| line.find("{%")) else {
            continue;
        };
        let snippet: String = line[at..].chars().take(60).collect();
        report.review(
            format!("{shown}:{}", body_line + i),
            format!("template syntax kept as text: {}", snippet.trim()),
        );
    }
}

/// Where a generator's site keeps files that pages link site-absolutely (`/images/x.png`).
pub struct Assets {
    /// Site-absolute paths resolve below this folder (Jekyll: the site; Hugo, Zola: static/).
    pub root: PathBuf,
    /// Strip this prefix (Jekyll's `baseurl`) from site-absolute paths first.
    pub base_path: String,
}

impl Assets {
    /// Copies the file behind `link` (site-absolute, or relative to `page_dir`) into the
    /// bundle; returns its name there, or `None` for links that are no local file.
    pub fn localize(
        &self,
        link: &str,
        page_dir: &Path,
        files: &mut Vec<BundleFile>,
    ) -> Option<String> {
        let link = link.trim().split(['?', '#']).next()?;
        if link.is_empty() || link.contains("://") || link.starts_with("//") || link.contains("{{")
        {
            return None;
        }
        let decoded = percent_encoding::percent_decode_str(link)
            .decode_utf8()
            .ok()?;
        if decoded.split('/').any(|s| s == "..") {
            return None;
        }
        let from = match decoded.strip_prefix('/') {
            Some(abs) => {
                let base = self.base_path.trim_matches('/');
                let abs = abs
                    .strip_prefix(base)
                    .filter(|_| !base.is_empty())
                    .unwrap_or(abs);
                self.root.join(abs.trim_start_matches('/'))
            }
            None => page_dir.join(decoded.as_ref()),
        };
        if !from.is_file() {
            return None;
        }
        add_bundle_file(files, from)
    }

    /// Copies the local images a Markdown or HTML body links (`![](/x.png)`, `src="/x.png"`)
    /// into the bundle and points the links at the copies.
    pub fn localize_body(
        &self,
        body: &str,
        page_dir: &Path,
        files: &mut Vec<BundleFile>,
    ) -> String {
        let mut out = body.to_string();
        for (open, close) in [("](", ')'), ("src=\"", '"')] {
            let mut found = Vec::new();
            let mut rest = body;
            while let Some(i) = rest.find(open) {
                let value = &rest[i + open.len()..];
                let end = value.find([close, ' ', '\n']).unwrap_or(value.len());
                found.push(value[..end].to_string());
                rest = &value[end..];
            }
            for link in found {
                if let Some(name) = self.localize(&link, page_dir, files) {
                    out = out.replace(
                        &format!("{open}{link}{close}"),
                        &format!("{open}{name}{close}"),
                    );
                }
            }
        }
        out
    }
}

/// Where a Hugo or Zola page sits: `content/<folders>/<name>.md`, or a bundle
/// `content/<folders>/<name>/index.md`.
pub struct PagePlace {
    pub is_bundle: bool,
    /// The folder holding the page file.
    pub page_dir: PathBuf,
    /// Folders below `content/`; the first is the section.
    pub folders: Vec<String>,
    /// The file name without extension, or the bundle's folder name.
    pub name: String,
}

impl PagePlace {
    /// `None` (reported as skipped) for a page directly in `content/`: not in a section.
    pub fn of(path: &Path, content: &Path, shown: &str, report: &mut Report) -> Option<PagePlace> {
        let is_bundle = path.file_stem().is_some_and(|s| s == "index");
        let page_dir = path.parent()?.to_path_buf();
        let named = if is_bundle {
            page_dir.clone()
        } else {
            path.with_extension("")
        };
        let mut folders: Vec<String> = named
            .strip_prefix(content)
            .ok()?
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let name = folders.pop()?;
        if folders.is_empty() {
            report.skip(shown, "not in a section folder (a page, not a post)");
            return None;
        }
        Some(PagePlace {
            is_bundle,
            page_dir,
            folders,
            name,
        })
    }
}

/// The article's date: the front matter's, else the file name's. A front matter date that
/// cannot be read falls back to the file name's (for review), or skips the article.
pub fn pick_date(
    front: Option<&Scalar>,
    from_name: Option<When>,
    shown: &str,
    report: &mut Report,
) -> Option<When> {
    let Some(raw) = front.map(Scalar::text) else {
        if from_name.is_none() {
            report.skip(shown, "no `date` and no date in the file name");
        }
        return from_name;
    };
    if let Some(d) = When::parse(&raw) {
        return Some(d);
    }
    match from_name {
        Some(d) => {
            report.review(
                shown,
                format!("`date` {raw} is not a date: used the file name's date"),
            );
            Some(d)
        }
        None => {
            report.skip(shown, format!("`date` {raw} is not a date"));
            None
        }
    }
}

/// Where an article's files come from: its folder, and whether it is a bundle.
pub struct Origin<'a> {
    pub page_dir: &'a Path,
    pub is_bundle: bool,
    /// The old section, before `--section-map`.
    pub section: String,
}

/// Completes an article: gathers its files (a bundle's own files, the lead image, local
/// images of the body, with links pointing at the copies) and lists template syntax.
pub fn into_article(
    mut front: NewFront,
    source: &SourceFile,
    origin: Origin,
    assets: &Assets,
    shown: &str,
    report: &mut Report,
) -> Article {
    let mut files = Vec::new();
    if origin.is_bundle {
        bundle_resources(origin.page_dir, &mut files);
    }
    if let Some(image) = source.front.image() {
        front.image = Some(
            assets
                .localize(&image, origin.page_dir, &mut files)
                .unwrap_or(image),
        );
    }
    report_templates(&source.body, source.body_line, shown, report);
    let body = assets.localize_body(&source.body, origin.page_dir, &mut files);
    Article {
        origin: shown.to_string(),
        section: origin.section,
        front,
        body,
        files,
    }
}

/// A leaf bundle's resources (every file beside `index.md` but Markdown), sorted.
fn bundle_resources(dir: &Path, files: &mut Vec<BundleFile>) {
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
        if !from
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            add_bundle_file(files, from);
        }
    }
}

/// Counts front matter keys newsgen has no place for, across all files.
#[derive(Default)]
struct UnmappedKeys(BTreeMap<String, usize>);

impl UnmappedKeys {
    fn add(&mut self, front: &SourceFront, ignore: &[&str]) {
        for key in front.rest.keys().filter(|k| !ignore.contains(&k.as_str())) {
            *self.0.entry(key.clone()).or_default() += 1;
        }
    }

    fn report(self, origin: &str, report: &mut Report) {
        for (key, n) in self.0 {
            report.unmapped(
                origin,
                format!("key `{key}` ({n} files) has no newsgen equivalent"),
            );
        }
    }
}

/// Reads and converts every file (in order); malformed front matter is collected, one
/// diagnostic per file, for [`finish`] to report. Unknown keys are counted for the report.
pub fn read_all(
    files: Vec<PathBuf>,
    root: &Path,
    ignored_keys: &[&str],
    report: &mut Report,
    mut convert: impl FnMut(&Path, &str, SourceFile, &mut Report) -> Option<Article>,
) -> Result<(Vec<Article>, Vec<Diagnostic>), Error> {
    let mut articles = Vec::new();
    let mut errors = Vec::new();
    let mut keys = UnmappedKeys::default();
    for path in files {
        let shown = shown(&path, root);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        match read_source(&text, Path::new(&shown)) {
            Ok(file) => {
                keys.add(&file.front, ignored_keys);
                articles.extend(convert(&path, &shown, file, report));
            }
            Err(d) => errors.push(d),
        }
    }
    keys.report("front matter", report);
    Ok((articles, errors))
}

/// The `content/` folder of a Hugo or Zola site, and its Markdown files without the
/// section list pages (`_index.md`, counted in the report).
pub fn content_pages(
    root: &Path,
    tool: &str,
    report: &mut Report,
) -> Result<(PathBuf, Vec<PathBuf>), Error> {
    let content = root.join("content");
    if !content.is_dir() {
        return Err(Error::Usage(format!(
            "{}: no content/ folder (give the {tool} site's folder)",
            root.display()
        )));
    }
    let mut pages = Vec::new();
    for path in content_files(&content, &[]) {
        if path.file_stem().is_some_and(|s| s == "_index") {
            report.count("section list pages (_index)", 1);
        } else {
            pages.push(path);
        }
    }
    Ok((content, pages))
}

/// Writes the articles once every file has been read: any malformed file stops the import
/// before anything is written.
pub fn finish(
    opts: &ImportOptions,
    site: &SourceSite,
    articles: Vec<Article>,
    errors: Vec<Diagnostic>,
    report: &mut Report,
) -> Result<(), Error> {
    if !errors.is_empty() {
        let mut errors = errors;
        errors.sort();
        return Err(Error::Site(errors));
    }
    let mut writer = Writer::open(opts, site)?;
    for article in articles {
        writer.write(article, report)?;
    }
    writer.finish(report)
}

/// Markdown files below `dir`, sorted, skipping hidden folders and build output.
pub fn content_files(dir: &Path, skip_dirs: &[&str]) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(name.starts_with('.')
                    || (e.file_type().is_dir() && skip_dirs.contains(&name.as_ref())))
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("md" | "markdown" | "html")
            )
        })
        .collect()
}

/// The path shown in reports: relative to the source folder, with `/`.
pub fn shown(path: &Path, root: &Path) -> String {
    crate::error::display_path(path.strip_prefix(root).unwrap_or(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_formats() {
        let yaml = read_source("---\ntitle: Hi\ntags: [a, b]\ndate: 2020-01-02 10:00:00 +0100\nlayout: post\n---\nBody\n", Path::new("a.md")).unwrap();
        assert_eq!(yaml.front.title().unwrap(), "Hi");
        assert_eq!(yaml.front.tags.unwrap().items(), vec!["a", "b"]);
        assert_eq!(yaml.front.date.unwrap().text(), "2020-01-02 10:00:00 +0100");
        assert!(yaml.front.rest.contains_key("layout"));
        assert_eq!(yaml.body, "Body\n");
        assert_eq!(yaml.body_line, 7);

        let toml = read_source(
            "+++\ntitle = \"Hi\"\ndate = 2020-01-02\n[taxonomies]\ntags = [\"x\"]\n+++\nB\n",
            Path::new("a.md"),
        )
        .unwrap();
        assert_eq!(toml.front.date.unwrap().text(), "2020-01-02");
        assert_eq!(toml.front.taxonomies["tags"].items(), vec!["x"]);

        let json = read_source(
            "{\n\"title\": \"J\",\n\"draft\": true\n}\nBody",
            Path::new("a.md"),
        )
        .unwrap();
        assert_eq!(json.front.title().unwrap(), "J");
        assert_eq!(json.body, "Body");
    }

    #[test]
    fn malformed_yaml_names_the_line() {
        let e = read_source(
            "---\ntitle: Hi\ntags: [a, b\nx: 1\n---\n",
            Path::new("_posts/a.md"),
        )
        .err()
        .unwrap();
        assert!(e.message.contains("YAML"), "{}", e.message);
        assert!(e.line.is_some_and(|l| (3..=5).contains(&l)), "{:?}", e.line);

        let e = read_source("+++\ntitle = \"Hi\"\ndate = = 1\n+++\n", Path::new("a.md"))
            .err()
            .unwrap();
        assert!(e.message.contains("invalid TOML"), "{}", e.message);
        assert_eq!(e.line, Some(3));
        let e = read_source(
            "{\n\"title\": \"J\",\n\"draft\": yes\n}\n",
            Path::new("a.md"),
        )
        .err()
        .unwrap();
        assert!(e.message.contains("invalid JSON"), "{}", e.message);
        assert_eq!(e.line, Some(3));
        let e = read_source("---\ntitle: Hi\n", Path::new("a.md"))
            .err()
            .unwrap();
        assert!(e.message.contains("unterminated"), "{}", e.message);
    }
}

#[cfg(test)]
mod garbage {
    //! Hostile front matter never panics: random files of YAML, TOML and JSON fragments.
    use super::*;

    const PIECES: &[&str] = &[
        "---",
        "+++",
        "...",
        "{",
        "}",
        "\n",
        "title: ",
        "title = ",
        "\"title\": ",
        "date: ",
        "date = ",
        "tags: [",
        "]",
        "[",
        ",",
        "\"",
        "'",
        ":",
        "- ",
        "  ",
        "2020-01-01",
        "2020-13-45 25:61",
        "&anchor",
        "*anchor",
        "!!binary",
        "|",
        ">",
        "é",
        "🦀",
        "\t",
        "[taxonomies]",
        "tags = [\"a\"]",
        "null",
        "~",
        "true",
        "1e999",
        "#",
    ];

    #[test]
    fn random_front_matter_never_panics() {
        let mut next = crate::testing::xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..3000 {
            let n = (next() % 30) as usize;
            let text: String = (0..n)
                .map(|_| PIECES[(next() as usize) % PIECES.len()])
                .collect();
            if let Ok(file) = read_source(&text, Path::new("a.md")) {
                let _ = file.front.date.as_ref().map(|d| When::parse(&d.text()));
                let mut report = Report::default();
                report_templates(&file.body, file.body_line, "a.md", &mut report);
            }
        }
    }
}
