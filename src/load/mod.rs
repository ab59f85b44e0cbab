//! Loading a site from disk: site.toml, the content walk, front matter.

pub mod body;
pub mod cache;
pub mod config;
pub mod content;
pub mod frontmatter;
pub mod unsafe_urls;
pub mod walk;

use std::path::Path;

use chrono_tz::Tz;
use rayon::prelude::*;

use crate::error::Diagnostic;
pub use cache::{ParseCache, ParseResult, Stamp};

/// An article file that was read and parsed.
#[derive(Debug, Clone)]
pub struct LoadedArticle {
    pub source: content::ArticleSource,
    pub file: frontmatter::ArticleFile,
}

/// One file's outcome: the article and its warnings, or its errors.
pub type FileResult = Result<(LoadedArticle, Vec<Diagnostic>), Vec<Diagnostic>>;

/// The largest article file read (16 MiB, some hundred times a long feature): a larger one is
/// an error, so one stray file cannot take the memory of a build (rendered HTML, plain text,
/// feeds and search text each hold a copy of the body).
pub const MAX_ARTICLE_BYTES: u64 = 16 * 1024 * 1024;

fn parse_file(full: &Path, rel: &Path, tz: Tz) -> ParseResult {
    let len = std::fs::metadata(full)
        .map_err(|e| vec![Diagnostic::error(rel, None, format!("cannot read: {e}"))])?
        .len();
    if len > MAX_ARTICLE_BYTES {
        return Err(vec![Diagnostic::error(
            rel,
            None,
            format!(
                "the file is {} MiB; articles are limited to {} MiB",
                len.div_ceil(1024 * 1024),
                MAX_ARTICLE_BYTES / 1024 / 1024
            ),
        )]);
    }
    let bytes = std::fs::read(full)
        .map_err(|e| vec![Diagnostic::error(rel, None, format!("cannot read: {e}"))])?;
    frontmatter::parse_article(&bytes, rel, tz)
}

/// Reads and parses every article of `tree` in parallel. Returns the articles that parsed
/// and every diagnostic (errors of broken files, warnings of good ones).
pub fn read_articles(
    site_dir: &Path,
    sources: Vec<content::ArticleSource>,
    tz: Tz,
    cache: Option<&ParseCache>,
) -> (Vec<LoadedArticle>, Vec<Diagnostic>) {
    let results: Vec<FileResult> = sources
        .into_par_iter()
        .map(|src| read_article(site_dir, src, tz, cache))
        .collect();
    let mut articles = Vec::with_capacity(results.len());
    let mut diags = Vec::new();
    for r in results {
        match r {
            Ok((a, w)) => {
                articles.push(a);
                diags.extend(w);
            }
            Err(e) => diags.extend(e),
        }
    }
    (articles, diags)
}

/// Reads and parses one article (from `cache` when its file is as the cache saw it). The stamp
/// compared is the one the walk took ([`content::scan`]): the file is stated once per build.
/// Without one (a plain [`content::walk`], or a file that could not be stated) it is parsed.
pub fn read_article(
    site_dir: &Path,
    src: content::ArticleSource,
    tz: Tz,
    cache: Option<&ParseCache>,
) -> FileResult {
    let full = site_dir.join(&src.path);
    let parsed = match (cache, cache.and(src.stamp)) {
        (Some(c), Some(stamp)) => match c.get(&src.path, stamp, tz) {
            Some(cached) => cached.map(|(mut file, w)| {
                file.body = file.body.located(full, &src.path, stamp);
                (file, w)
            }),
            None => {
                let parsed = parse_file(&full, &src.path, tz);
                c.put(&src.path, stamp, tz, &parsed);
                parsed
            }
        },
        _ => parse_file(&full, &src.path, tz),
    };
    let (file, warnings) = parsed?;
    Ok((LoadedArticle { source: src, file }, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(dir: &Path, cache: &ParseCache) -> Vec<String> {
        let tree = content::scan(dir).into_tree();
        let (articles, _) = read_articles(dir, tree.articles, Tz::UTC, Some(cache));
        articles.into_iter().map(|a| a.file.front.title).collect()
    }

    #[test]
    fn the_cache_reparses_changed_and_forgotten_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("content/world/a.md");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "+++\ntitle = \"AAA\"\ndate = 2025-01-01\n+++\n").unwrap();
        let cache = ParseCache::default();
        assert_eq!(titles(dir.path(), &cache), ["AAA"]);
        let stamp = std::fs::metadata(&file).unwrap().modified().unwrap();

        // Same size, and the old modification time put back (as `touch -r` or an archive
        // tool does): the change time, which no tool can set, still tells.
        std::fs::write(&file, "+++\ntitle = \"BBB\"\ndate = 2025-01-01\n+++\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(stamp)
            .unwrap();
        assert_eq!(titles(dir.path(), &cache), ["BBB"]);
        // A path the watcher reports is parsed again.
        cache.forget([Path::new("content/world/a.md")]);
        assert_eq!(titles(dir.path(), &cache), ["BBB"]);

        // A change of size is seen without being told.
        std::fs::write(&file, "+++\ntitle = \"CCCC\"\ndate = 2025-01-01\n+++\n").unwrap();
        assert_eq!(titles(dir.path(), &cache), ["CCCC"]);
    }
}
