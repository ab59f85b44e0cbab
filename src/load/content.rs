//! Walking `content/`: which files are articles, bundles and assets (SPEC §1, §6).

use std::path::{Path, PathBuf};

use crate::error::Diagnostic;

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
    let mut tree = ContentTree::default();
    let found = files(site);
    tree.warnings = found.warnings;
    classify(found.files, &mut tree);
    tree
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

/// Sorts site-relative file paths into articles, bundles and assets. Pure, for tests.
pub fn classify(files: Vec<PathBuf>, tree: &mut ContentTree) {
    // A bundle is a folder at least two levels below content/ that holds index.md.
    let bundles: rustc_hash::FxHashSet<PathBuf> = files
        .iter()
        .filter(|p| p.file_name().and_then(|n| n.to_str()) == Some("index.md"))
        .filter_map(|p| p.parent())
        .filter(|dir| dir.components().count() >= 3)
        .map(Path::to_path_buf)
        .collect();
    for path in files {
        // The first component is content/.
        let mut comps = path.components();
        let folder = (comps.clone().count() > 2)
            .then(|| comps.nth(1))
            .flatten()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        // The innermost bundle folder holding the file, found through its ancestors (not by
        // scanning every bundle: an archive of bundles would take quadratic time).
        let bundle = path
            .ancestors()
            .skip(1)
            .find(|dir| bundles.contains(*dir))
            .map(Path::to_path_buf);
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
        .map(PathBuf::from)
        .collect();
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
        .map(PathBuf::from)
        .collect();
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
