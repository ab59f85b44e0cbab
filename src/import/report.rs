//! What an import did, for the person who ran it: written, skipped, not mapped, to review.

use std::collections::BTreeMap;
use std::fmt;

/// One remark about one place in the source (`_posts/x.md:12`, `export.xml item 7`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    pub origin: String,
    pub message: String,
}

/// The outcome of `newsgen import`, printed at the end of the run.
#[derive(Debug, Default)]
pub struct Report {
    /// Article files written, relative to the site folder.
    pub written: Vec<String>,
    /// Articles not written, with why (`already there`, `status trash`...).
    pub skipped: Vec<Note>,
    /// Source data that has no place in newsgen's front matter or could not be converted.
    pub unmapped: Vec<Note>,
    /// Things imported as they were that a person should look at (template syntax,
    /// unknown shortcodes, missing images).
    pub review: Vec<Note>,
    /// Source items counted but not imported, by kind (`pages`, `comments`...).
    pub not_imported: BTreeMap<&'static str, usize>,
    /// Files copied into bundles.
    pub files_copied: usize,
    /// Sections added to site.toml, with their article counts.
    pub sections_added: Vec<(String, usize)>,
}

impl Report {
    pub fn skip(&mut self, origin: impl Into<String>, why: impl Into<String>) {
        self.skipped.push(note(origin, why));
    }

    pub fn unmapped(&mut self, origin: impl Into<String>, what: impl Into<String>) {
        self.unmapped.push(note(origin, what));
    }

    pub fn review(&mut self, origin: impl Into<String>, what: impl Into<String>) {
        self.review.push(note(origin, what));
    }

    pub fn count(&mut self, kind: &'static str, n: usize) {
        if n > 0 {
            *self.not_imported.entry(kind).or_default() += n;
        }
    }
}

fn note(origin: impl Into<String>, message: impl Into<String>) -> Note {
    Note {
        origin: origin.into(),
        message: message.into(),
    }
}

fn write_notes(f: &mut fmt::Formatter<'_>, heading: &str, notes: &[Note]) -> fmt::Result {
    if notes.is_empty() {
        return Ok(());
    }
    writeln!(f, "{heading} ({}):", notes.len())?;
    for n in notes {
        writeln!(f, "  {}: {}", n.origin, n.message)?;
    }
    Ok(())
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} articles written, {} skipped, {} files copied",
            self.written.len(),
            self.skipped.len(),
            self.files_copied
        )?;
        if !self.not_imported.is_empty() {
            let parts: Vec<String> = self
                .not_imported
                .iter()
                .map(|(kind, n)| format!("{n} {kind}"))
                .collect();
            writeln!(f, "counted, not imported: {}", parts.join(", "))?;
        }
        if !self.sections_added.is_empty() {
            let parts: Vec<String> = self
                .sections_added
                .iter()
                .map(|(s, n)| format!("{s} ({n})"))
                .collect();
            writeln!(f, "sections added to site.toml: {}", parts.join(", "))?;
        }
        write_notes(f, "skipped", &self.skipped)?;
        write_notes(f, "not mapped", &self.unmapped)?;
        write_notes(f, "needs review", &self.review)
    }
}
