//! Full-text search that runs in the browser from static files (issue 6).
//!
//! [`text`] turns text into index keys the way the browser script turns queries into keys;
//! [`index`] builds the chunked index from the model at build time; [`SearchIndex`] is the
//! [`Generator`] that writes it. The page is themes/default/templates/search.html and the
//! query engine themes/default/static/search.js; docs/search.md explains the design.

pub mod index;
pub mod text;

use crate::error::Diagnostic;
use crate::generators::Generator;
use crate::model::Site;
use crate::model::pages::Page;
use crate::output::Output;

pub use index::{IndexStats, build_index};

/// Writes the search index under `search/` when `[search] enabled` (the default).
pub struct SearchIndex;

impl Generator for SearchIndex {
    fn name(&self) -> &'static str {
        "search"
    }

    fn generate(&self, site: &Site, _pages: &[Page], out: &Output) -> Result<(), Vec<Diagnostic>> {
        if !site.config.search.enabled {
            return Ok(());
        }
        build_index(site, &|path: &str, bytes: &[u8]| out.write(path, bytes)).map(|_| ())
    }
}
