//! Walking an input folder (`content/`, `static/`, a theme) under SPEC §6's symlink rule:
//! a link is followed only while it stays inside the site; loops and links leading out are
//! skipped with a warning. Every input folder walks through here, so the rule is written once.

use std::path::{Path, PathBuf};

use rayon::slice::ParallelSliceMut;
use walkdir::WalkDir;

use crate::error::Diagnostic;
use crate::load::content::is_ignored_name;

/// The files found under one input folder, and what was skipped.
#[derive(Debug, Default)]
pub struct Walk {
    /// Regular files, relative to the site folder, in file name order.
    pub files: Vec<PathBuf>,
    pub warnings: Vec<Diagnostic>,
}

/// Which names of [`is_ignored_name`] a walk leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignore {
    /// Files and whole folders (`content/.git/`, a theme's `.cache/`).
    FilesAndFolders,
    /// Files only: `static/.well-known/` is published as it is.
    Files,
}

/// Walks `site/folder` (`folder` relative to the site) in a stable order, leaving out the
/// names editors leave behind. A missing folder is empty.
pub fn walk_inside(site: &Path, folder: &Path, ignore: Ignore) -> Walk {
    let mut walk = Walk::default();
    let root = site.join(folder);
    if !root.is_dir() {
        return walk;
    }
    let site_canon = site.canonicalize().unwrap_or_else(|_| site.to_path_buf());
    // Unsorted: the files are sorted once at the end (cheaper than sorting every folder's
    // entries by name, which walkdir does by parsing each path again per comparison).
    let walker = WalkDir::new(&root)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || (ignore == Ignore::Files && e.file_type().is_dir())
                || !is_ignored_name(&e.file_name().to_string_lossy())
        });
    let mut escaped_links: Vec<PathBuf> = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| relative(site, p))
                    .unwrap_or_else(|| folder.to_path_buf());
                let msg = if err.loop_ancestor().is_some() {
                    "symbolic link loop: skipped".to_string()
                } else {
                    format!("cannot read: {err}; skipped")
                };
                walk.warnings.push(Diagnostic::warning(path, None, msg));
                continue;
            }
        };
        let path = entry.path();
        if escaped_links.iter().any(|p| path.starts_with(p)) {
            continue;
        }
        if entry.path_is_symlink() && !stays_inside(path, &site_canon) {
            walk.warnings.push(Diagnostic::warning(
                relative(site, path),
                None,
                "symbolic link leads outside the site folder: skipped",
            ));
            escaped_links.push(path.to_path_buf());
            continue;
        }
        if entry.file_type().is_file() {
            walk.files.push(relative(site, path));
        }
    }
    // Component by component: the order of a walk that visits each folder's entries by name.
    walk.files
        .par_sort_unstable_by(|a, b| by_components(a.as_os_str(), b.as_os_str()));
    walk
}

/// The order of `Path`'s `Ord` (component by component) for the clean relative paths a walk
/// yields, from their bytes: a separator sorts before any byte of a name, so comparing the
/// bytes up to the first difference is enough. `Path`'s own comparison splits both paths into
/// components on every call (a third of a 10,000-article rebuild's instructions went there).
fn by_components(a: &std::ffi::OsStr, b: &std::ffi::OsStr) -> std::cmp::Ordering {
    let (a, b) = (a.as_encoded_bytes(), b.as_encoded_bytes());
    let same = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let rank = |c: u8| {
        if std::path::is_separator(char::from(c)) {
            0
        } else {
            u16::from(c) + 1
        }
    };
    match (a.get(same), b.get(same)) {
        (Some(&x), Some(&y)) => rank(x).cmp(&rank(y)),
        _ => a.len().cmp(&b.len()),
    }
}

/// Whether `path`, with every link resolved, lies inside the (canonical) site folder.
fn stays_inside(path: &Path, site_canon: &Path) -> bool {
    path.canonicalize()
        .map(|c| c.starts_with(site_canon))
        .unwrap_or(false)
}

/// `path` below `site`. A walk's paths are `site` joined with more, so the prefix is cut as
/// bytes (`Path::strip_prefix` compares component by component: 2,400 instructions a path).
fn relative(site: &Path, path: &Path) -> PathBuf {
    let (site_bytes, bytes) = (
        site.as_os_str().as_encoded_bytes(),
        path.as_os_str().as_encoded_bytes(),
    );
    let sep = std::path::MAIN_SEPARATOR as u8;
    if let Some(rest) = bytes.strip_prefix(site_bytes)
        && let Some(rest) = rest
            .strip_prefix(&[sep])
            .or(site_bytes.ends_with(&[sep]).then_some(rest))
        && !rest.is_empty()
        && rest[0] != sep
        && let Ok(rest) = std::str::from_utf8(rest)
    {
        return PathBuf::from(rest);
    }
    path.strip_prefix(site).unwrap_or(path).to_path_buf()
}

/// The site's `static/` folder, copied verbatim to the output root.
pub const STATIC_DIR: &str = "static";

/// Files of `SITE/static/` as (path relative to the site, output path), with the walk's
/// warnings.
pub fn static_files(site: &Path) -> (Vec<(PathBuf, String)>, Vec<Diagnostic>) {
    let Walk { files, warnings } = walk_inside(site, Path::new(STATIC_DIR), Ignore::Files);
    let files = files
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(STATIC_DIR)
                .expect("the walk of static/ yields paths below static/");
            let out = crate::error::display_path(rel);
            (path, out)
        })
        .collect();
    (files, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_cuts_the_site_as_strip_prefix_would() {
        for (site, path) in [
            ("site", "site/content/a.md"),
            ("./site", "./site/content/b/é.md"),
            (".", "./content/a.md"),
            ("site/", "site/content/a.md"),
            ("/abs/site", "/abs/site/static/x.png"),
            ("site", "sitex/content/a.md"),
            ("site", "other/a.md"),
        ] {
            let (site, path) = (Path::new(site), Path::new(path));
            let want = path.strip_prefix(site).unwrap_or(path);
            assert_eq!(relative(site, path), want, "{site:?} {path:?}");
        }
    }

    #[test]
    fn files_come_in_file_name_order_folder_by_folder() {
        let site = tempfile::tempdir().unwrap();
        // Byte order would put `a-b.md` before `a/x.md` ('-' < '/'); name order does not.
        let names = [
            "b.md",
            "a-b.md",
            "a/x.md",
            "a/c/y.md",
            "a/b.md",
            "a.md",
            ".hidden.md",
        ];
        for name in names {
            let path = site.path().join("content").join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let walk = walk_inside(site.path(), Path::new("content"), Ignore::FilesAndFolders);
        let got: Vec<String> = walk
            .files
            .iter()
            .map(|p| crate::error::display_path(p))
            .collect();
        assert_eq!(
            got,
            [
                "content/a/b.md",
                "content/a/c/y.md",
                "content/a/x.md",
                "content/a-b.md",
                "content/a.md",
                "content/b.md",
            ]
        );
    }

    #[test]
    fn byte_order_with_separators_first_is_path_order() {
        // Clean relative paths over an alphabet with bytes on both sides of '/' (and a
        // multi-byte letter), in a fixed pseudo-random sequence.
        let alphabet = ["a", "b", "-", ".", "0", "é", "~", "/"];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        let mut paths: Vec<String> = Vec::new();
        while paths.len() < 400 {
            let len = 1 + next(7);
            let p: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let clean = !p.starts_with('/') && !p.ends_with('/') && !p.contains("//");
            let no_dot_parts = p.split('/').all(|c| c != ".");
            if clean && no_dot_parts {
                paths.push(p);
            }
        }
        let mut checked = 0;
        for a in &paths {
            for b in &paths {
                let (pa, pb) = (Path::new(a), Path::new(b));
                assert_eq!(
                    by_components(pa.as_os_str(), pb.as_os_str()),
                    pa.cmp(pb),
                    "{a:?} {b:?}"
                );
                checked += 1;
            }
        }
        assert!(checked >= 160_000);
        assert!(paths.iter().any(|p| p.contains('/')));
    }
}
