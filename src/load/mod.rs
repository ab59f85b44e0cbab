//! Loading a site from disk: site.toml, the content walk, front matter.

pub mod config;
pub mod content;
pub mod frontmatter;

use std::path::Path;

use chrono_tz::Tz;
use rayon::prelude::*;

use crate::error::Diagnostic;
use crate::model::LoadedArticle;
use content::ContentTree;

/// One file's outcome: the article and its warnings, or its errors.
type FileResult = Result<(LoadedArticle, Vec<Diagnostic>), Vec<Diagnostic>>;

/// Reads and parses every article of `tree` in parallel. Returns the articles that parsed
/// and every diagnostic (errors of broken files, warnings of good ones).
pub fn read_articles(
    site_dir: &Path,
    tree: &ContentTree,
    tz: Tz,
) -> (Vec<LoadedArticle>, Vec<Diagnostic>) {
    let results: Vec<FileResult> = tree
        .articles
        .par_iter()
        .map(|src| {
            let bytes = std::fs::read(site_dir.join(&src.path)).map_err(|e| {
                vec![Diagnostic::error(
                    &src.path,
                    None,
                    format!("cannot read: {e}"),
                )]
            })?;
            let (file, warnings) = frontmatter::parse_article(&bytes, &src.path, tz)?;
            Ok((
                LoadedArticle {
                    source: src.clone(),
                    file,
                },
                warnings,
            ))
        })
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
