//! Rebuilding after edits. Each rebuild is an ordinary incremental [`crate::build::build`]
//! into the served folder: the same page fingerprints decide what is rendered, only changed
//! files are replaced (each by a rename, so a request never sees half a file) and stale ones
//! removed. The generators (feeds, sitemaps, search index) and the link check run as a
//! second step after the pages are committed (`BuildOptions::defer_generators`), so open pages
//! reload before them. Parsed articles are kept in memory between rebuilds (`load::ParseCache`), and the
//! watcher's paths are forgotten from it, which covers edits quicker than the file system's
//! clock.

use std::path::PathBuf;

use crate::build::{BuildOptions, BuildReport};
use crate::error::Error;

/// Builds a site again and again into one output folder.
pub struct Engine {
    pub opts: BuildOptions,
}

impl Engine {
    pub fn new(mut opts: BuildOptions) -> Engine {
        opts.parse_cache.get_or_insert_with(Default::default);
        opts.defer_generators = true;
        Engine { opts }
    }

    /// Rebuilds after `changes` (paths relative to the site; `None`: unknown, check
    /// everything). On error the served output is unchanged. Pages and files are committed
    /// when it returns; the generators are left in the report's `deferred`.
    pub fn rebuild(&mut self, changes: Option<&[PathBuf]>) -> Result<BuildReport, Error> {
        if let (Some(cache), Some(changes)) = (&self.opts.parse_cache, changes) {
            cache.forget(changes.iter().map(PathBuf::as_path));
        }
        crate::build::build(&self.opts)
    }
}
