//! One error type for the whole pipeline.
//!
//! Every problem a user can fix is a [`Diagnostic`]: the file (relative to the site folder),
//! the line when known, and a message that says what to change. A build collects all of them
//! and reports them together instead of stopping at the first.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is. Warnings become errors with `--strict`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found in the site, located in a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Path relative to the site folder, with `/` separators (`content/politics/x.md`).
    pub path: String,
    pub line: Option<usize>,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    pub fn error(path: impl AsRef<Path>, line: Option<usize>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, path, line, message)
    }

    pub fn warning(
        path: impl AsRef<Path>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Warning, path, line, message)
    }

    fn new(
        severity: Severity,
        path: impl AsRef<Path>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            path: display_path(path.as_ref()),
            line,
            severity,
            message: message.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Renders a relative path with forward slashes, the same on every platform.
pub fn display_path(path: &Path) -> String {
    let mut out = String::new();
    for (i, part) in path.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    out
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        match self.line {
            Some(line) => write!(f, "{}:{}: {}: {}", self.path, line, kind, self.message),
            None => write!(f, "{}: {}: {}", self.path, kind, self.message),
        }
    }
}

/// Why a command failed.
#[derive(Debug)]
pub enum Error {
    /// The site has problems the user must fix; all of them, sorted by file and line.
    Site(Vec<Diagnostic>),
    /// The machine failed us (disk full, permission denied...), not the content.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Wrong use of the command line or of the site folder as a whole.
    Usage(String),
    /// The preview server could not run: its port, runtime, file watcher or build thread
    /// failed (not the content, and no file to name).
    Server(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Site(diags) => write!(f, "{}", site_report(diags, "build")),
            Error::Io { path, source } => write!(f, "{}: {}", path.display(), source),
            Error::Usage(msg) | Error::Server(msg) => write!(f, "{msg}"),
        }
    }
}

impl Error {
    /// The error as `command` reports it: `check failed: 2 errors` rather than `build failed`.
    pub fn report_for(&self, command: &str) -> String {
        match self {
            Error::Site(diags) => site_report(diags, command),
            other => other.to_string(),
        }
    }
}

/// Every diagnostic on its own line, then `<command> failed: N errors`.
fn site_report(diags: &[Diagnostic], command: &str) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let mut out = String::new();
    for d in diags {
        out.push_str(&format!("{d}\n"));
    }
    out.push_str(&format!(
        "{command} failed: {errors} error{}",
        if errors == 1 { "" } else { "s" }
    ));
    out
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Collects diagnostics from any stage, in any thread order; sorted on output so that
/// reports are deterministic.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(ds);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Turns every warning into an error (`--strict`).
    pub fn make_strict(&mut self) {
        for d in &mut self.items {
            d.severity = Severity::Error;
        }
    }

    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort();
        self.items.dedup();
        self.items
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
