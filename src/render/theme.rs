//! Themes: the built-in `default` theme compiled into the binary, overridden one file at a
//! time by `SITE/themes/<name>/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::Tera;

use crate::error::{Diagnostic, display_path};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_theme.rs"));
}

/// Where a theme file comes from, for copying and for error messages.
#[derive(Debug, Clone)]
pub enum ThemeSource {
    BuiltIn(&'static [u8]),
    /// A file of the site, relative to the site folder.
    Site(PathBuf),
}

/// A theme file: its path inside the theme (`templates/article.html`) and origin.
#[derive(Debug, Clone)]
pub struct ThemeFile {
    pub name: String,
    pub source: ThemeSource,
}

impl ThemeFile {
    /// The path to show in messages: the site's file, or the built-in theme's.
    pub fn display(&self) -> String {
        match &self.source {
            ThemeSource::BuiltIn(_) => format!("themes/default/{} (built-in)", self.name),
            ThemeSource::Site(p) => display_path(p),
        }
    }

    pub fn read(&self, site_dir: &Path) -> std::io::Result<Vec<u8>> {
        match &self.source {
            ThemeSource::BuiltIn(bytes) => Ok(bytes.to_vec()),
            ThemeSource::Site(p) => std::fs::read(site_dir.join(p)),
        }
    }
}

/// The resolved theme: built-in files overlaid with the site's, by path.
#[derive(Debug, Clone)]
pub struct Theme {
    pub files: BTreeMap<String, ThemeFile>,
    /// Links of the site's theme folder that were skipped (SPEC §6).
    pub warnings: Vec<Diagnostic>,
}

/// The built-in theme's files: (path inside the theme, bytes), for `newsgen theme copy`.
pub fn builtin_files() -> &'static [(&'static str, &'static [u8])] {
    builtin::FILES
}

/// The built-in theme's name.
pub const BUILTIN_THEME: &str = "default";

impl Theme {
    /// Resolves `theme` for the site in `site_dir`. A non-default theme the site lacks is an error.
    pub fn resolve(site_dir: &Path, theme: &str) -> Result<Theme, Vec<Diagnostic>> {
        let mut files = BTreeMap::new();
        for (name, bytes) in builtin::FILES {
            files.insert(
                name.to_string(),
                ThemeFile {
                    name: name.to_string(),
                    source: ThemeSource::BuiltIn(bytes),
                },
            );
        }
        let rel_root = PathBuf::from("themes").join(theme);
        let root = site_dir.join(&rel_root);
        if !root.is_dir() {
            if theme != BUILTIN_THEME {
                return Err(vec![Diagnostic::error(
                    crate::load::config::CONFIG_FILE,
                    None,
                    format!(
                        "theme `{theme}` not found: create themes/{theme}/templates/ or use \
                         theme = \"default\""
                    ),
                )]);
            }
            return Ok(Theme {
                files,
                warnings: Vec::new(),
            });
        }
        let found = crate::load::walk::walk_inside(
            site_dir,
            &rel_root,
            crate::load::walk::Ignore::FilesAndFolders,
        );
        for path in found.files {
            let rel = path
                .strip_prefix(&rel_root)
                .expect("the walk of a theme yields paths below its folder");
            let name = display_path(rel);
            files.insert(
                name.clone(),
                ThemeFile {
                    name,
                    source: ThemeSource::Site(path.clone()),
                },
            );
        }
        Ok(Theme {
            files,
            warnings: found.warnings,
        })
    }

    /// Template files (`templates/*.html`), by template name (`article.html`).
    pub fn templates(&self) -> impl Iterator<Item = (&str, &ThemeFile)> {
        self.files
            .iter()
            .filter_map(|(k, f)| k.strip_prefix("templates/").map(|name| (name, f)))
    }

    /// Static files (`static/**`), by output path.
    pub fn static_files(&self) -> impl Iterator<Item = (&str, &ThemeFile)> {
        self.files
            .iter()
            .filter_map(|(k, f)| k.strip_prefix("static/").map(|name| (name, f)))
    }

    /// Loads every template into a Tera instance; syntax errors name file and line.
    /// `tera` must already have newsgen's filters and functions: Tera checks them on load.
    pub fn load_templates(&self, site_dir: &Path, mut tera: Tera) -> Result<Tera, Vec<Diagnostic>> {
        let mut sources = Vec::new();
        let mut errors = Vec::new();
        for (name, file) in self.templates() {
            match file.read(site_dir).map(String::from_utf8) {
                Ok(Ok(text)) => sources.push((name.to_string(), text)),
                Ok(Err(_)) => errors.push(Diagnostic::error(
                    file.display(),
                    None,
                    "template is not valid UTF-8",
                )),
                Err(e) => errors.push(Diagnostic::error(
                    file.display(),
                    None,
                    format!("cannot read template: {e}"),
                )),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if let Err(e) =
            tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        {
            return Err(self.template_errors(&e));
        }
        Ok(tera)
    }

    /// Turns a Tera error into a diagnostic naming the template file and line.
    pub fn template_error(&self, e: &tera::Error) -> Diagnostic {
        let mut all = self.template_errors(e);
        all.truncate(1);
        all.pop()
            .unwrap_or_else(|| Diagnostic::error("themes", None, format!("template error: {e}")))
    }

    /// Like [`Theme::template_error`], for errors that carry several reports (Tera checks
    /// every template on load and joins its findings into one message).
    pub fn template_errors(&self, e: &tera::Error) -> Vec<Diagnostic> {
        let found: Vec<(String, Option<usize>, String)> = match e.kind() {
            tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => vec![(
                r.filename().to_string(),
                Some(r.span().start_line),
                r.message().to_string(),
            )],
            tera::ErrorKind::MissingParent { current, parent } => vec![(
                current.clone(),
                None,
                format!("extends `{parent}`, which does not exist"),
            )],
            other => {
                let text = other.to_string();
                let reports = parse_reports(&text);
                if reports.is_empty() {
                    vec![(String::new(), None, text)]
                } else {
                    reports
                }
            }
        };
        found
            .into_iter()
            .map(|(name, line, message)| {
                let path = self
                    .files
                    .get(&format!("templates/{name}"))
                    .map(ThemeFile::display)
                    .unwrap_or_else(|| {
                        if name.is_empty() {
                            "themes".to_string()
                        } else {
                            format!("templates/{name}")
                        }
                    });
                Diagnostic::error(path, line, format!("template error: {message}"))
            })
            .collect()
    }
}

/// Reads Tera's text reports (`error: MESSAGE` then ` --> NAME:LINE:COL`).
fn parse_reports(text: &str) -> Vec<(String, Option<usize>, String)> {
    let mut out = Vec::new();
    let mut message: Option<String> = None;
    for line in text.lines() {
        let l = line.trim();
        if let Some(m) = l.strip_prefix("error: ") {
            message = Some(m.to_string());
        } else if let Some(loc) = l.strip_prefix("--> ")
            && let Some(m) = message.take()
        {
            let mut parts = loc.rsplitn(3, ':');
            let _col = parts.next();
            let line_no = parts.next().and_then(|n| n.parse().ok());
            let name = parts.next().unwrap_or("").to_string();
            out.push((name, line_no, m));
        }
    }
    out
}
