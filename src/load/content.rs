//! Walking `content/`: which files are articles, bundles and assets (SPEC §1, §6).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::Diagnostic;
use crate::util::racy::FileStamp;

/// The folder of articles inside a site.
pub const CONTENT_DIR: &str = "content";

/// An article file found in content/, not yet read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleSource {
    /// Path relative to the site folder (`content/politics/x.md`).
    pub path: PathBuf,
    /// The first folder below content/, as written; None for a file directly in content/.
    pub folder: Option<String>,
    /// For a bundle (`.../name/index.md`), the bundle folder relative to the site.
    pub bundle: Option<PathBuf>,
    /// The file (or bundle folder) name without extension: the default slug's source.
    pub stem: String,
    /// The file's stamp when [`scan`] found it (the one the parse cache compares); `None`
    /// from [`walk`], which takes none, or when the file could not be stated.
    pub stamp: Option<FileStamp>,
}

/// A non-Markdown file in content/, copied to the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetSource {
    /// Path relative to the site folder.
    pub path: PathBuf,
    /// The bundle folder it belongs to (relative to the site), if any.
    pub bundle: Option<PathBuf>,
}

/// Everything found under content/.
#[derive(Debug, Default)]
pub struct ContentTree {
    pub articles: Vec<ArticleSource>,
    pub assets: Vec<AssetSource>,
    pub warnings: Vec<Diagnostic>,
}

/// Files editors and systems leave behind that are never content.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.starts_with("#")
        || name == "Thumbs.db"
}

/// Walks `site/content` in a stable order, under the symlink rule of [`super::walk`].
pub fn walk(site: &Path) -> ContentTree {
    let found = files(site);
    let stamps = vec![None; found.files.len()];
    Scan { found, stamps }.into_tree()
}

/// content/'s files and the stamp each had when walked: taken once per build, by the
/// no-change shortcut when it looked, and compared by the parse cache.
#[derive(Debug, Default)]
pub struct Scan {
    found: super::walk::Walk,
    /// One per file of `found`, `None` when it could not be stated.
    stamps: Vec<Option<FileStamp>>,
}

/// Walks `site/content` and stats every file found (in parallel).
pub fn scan(site: &Path) -> Scan {
    let found = files(site);
    let stamps = found
        .files
        .par_iter()
        .map(|f| FileStamp::read(&site.join(f)))
        .collect();
    Scan { found, stamps }
}

impl Scan {
    /// Each file found (relative to the site) with its stamp, in walk order.
    pub fn stamped(&self) -> impl Iterator<Item = (&Path, Option<FileStamp>)> {
        self.found
            .files
            .iter()
            .map(PathBuf::as_path)
            .zip(self.stamps.iter().copied())
    }

    /// The articles, bundles and assets of the scanned files, articles with their stamps.
    pub fn into_tree(self) -> ContentTree {
        let mut tree = ContentTree {
            warnings: self.found.warnings,
            ..ContentTree::default()
        };
        classify(self.found.files.into_iter().zip(self.stamps), &mut tree);
        tree
    }
}

/// Every file of `site/content` (what [`walk`] sorts into articles and assets), by name.
pub fn files(site: &Path) -> super::walk::Walk {
    super::walk::walk_inside(
        site,
        Path::new(CONTENT_DIR),
        super::walk::Ignore::FilesAndFolders,
    )
}

fn is_markdown(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("md") | Some("markdown")
    )
}

/// Sorts site-relative file paths (with their stamps) into articles, bundles and assets.
/// Pure, for tests.
pub fn classify(
    files: impl IntoIterator<Item = (PathBuf, Option<FileStamp>)>,
    tree: &mut ContentTree,
) {
    let files: Vec<(PathBuf, Option<FileStamp>)> = files.into_iter().collect();
    // A bundle is a folder at least two levels below content/ that holds index.md. Known by
    // its bytes: hashing a `Path` splits it into components (the walk's paths are clean).
    let bundles: rustc_hash::FxHashSet<std::ffi::OsString> = files
        .iter()
        .map(|(p, _)| p)
        .filter(|p| p.file_name().and_then(|n| n.to_str()) == Some("index.md"))
        .filter_map(|p| p.parent())
        .filter(|dir| dir.components().count() >= 3)
        .map(|dir| dir.as_os_str().to_owned())
        .collect();
    for (path, stamp) in files {
        // The first component is content/.
        let mut comps = path.components();
        let folder = (comps.clone().count() > 2)
            .then(|| comps.nth(1))
            .flatten()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        // The innermost bundle folder holding the file, found through its ancestors (not by
        // scanning every bundle: an archive of bundles would take quadratic time).
        let in_bundle = |path: &Path| {
            let mut dirs = path.ancestors().skip(1);
            dirs.find(|dir| bundles.contains(dir.as_os_str()))
                .map(Path::to_path_buf)
        };
        let bundle = if bundles.is_empty() {
            None
        } else {
            in_bundle(&path)
        };
        if is_markdown(&path) {
            let is_bundle_index = bundle
                .as_ref()
                .is_some_and(|b| path.parent() == Some(b.as_path()))
                && path.file_name().and_then(|n| n.to_str()) == Some("index.md");
            let stem = if is_bundle_index {
                bundle
                    .as_ref()
                    .and_then(|b| b.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            } else {
                path.file_stem()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            tree.articles.push(ArticleSource {
                path,
                folder,
                bundle: if is_bundle_index { bundle } else { None },
                stem,
                stamp,
            });
        } else {
            tree.assets.push(AssetSource { path, bundle });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_bundles_and_assets() {
        let files = [
            "content/politics/2025-10-30-lane.md",
            "content/politics/2025-10-31-budget/index.md",
            "content/politics/2025-10-31-budget/chart.png",
            "content/politics/report.pdf",
            "content/about.md",
        ]
        .iter()
        .map(|p| (PathBuf::from(p), None))
        .collect::<Vec<_>>();
        let mut tree = ContentTree::default();
        classify(files, &mut tree);
        assert_eq!(tree.articles.len(), 3);
        let budget = &tree.articles[1];
        assert_eq!(budget.stem, "2025-10-31-budget");
        assert_eq!(
            budget.bundle.as_deref(),
            Some(Path::new("content/politics/2025-10-31-budget"))
        );
        assert_eq!(tree.articles[0].folder.as_deref(), Some("politics"));
        assert_eq!(tree.articles[2].folder, None);
        assert!(tree.assets[0].bundle.is_some());
        assert!(tree.assets[1].bundle.is_none());
    }

    #[test]
    fn a_file_belongs_to_its_innermost_bundle() {
        let files = [
            "content/world/trip/index.md",
            "content/world/trip/day-one/index.md",
            "content/world/trip/day-one/photo.jpg",
            "content/world/trip/map.png",
            "content/world/trip-notes.pdf",
        ]
        .iter()
        .map(|p| (PathBuf::from(p), None))
        .collect::<Vec<_>>();
        let mut tree = ContentTree::default();
        classify(files, &mut tree);
        let bundles: Vec<Option<&Path>> = tree.assets.iter().map(|a| a.bundle.as_deref()).collect();
        assert_eq!(
            bundles,
            [
                Some(Path::new("content/world/trip/day-one")),
                Some(Path::new("content/world/trip")),
                None,
            ]
        );
        assert_eq!(tree.articles[1].stem, "day-one");
    }
}
