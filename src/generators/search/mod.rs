//! Full-text search that runs in the browser from static files (issue 6).
//!
//! [`text`] turns text into index keys the way the browser script turns queries into keys;
//! [`analysis`] is what one article contributes, [`cache`] keeps it between builds; [`index`]
//! builds the chunked index from the model at build time; [`SearchIndex`] is the
//! [`Generator`] that writes it. The page is themes/default/templates/search.html and the
//! query engine themes/default/static/search.js; docs/search.md explains the design.

pub mod analysis;
pub mod cache;
pub mod index;
pub mod text;

use std::sync::Arc;

use crate::error::Diagnostic;
use crate::generators::Generator;
use crate::model::Site;
use crate::model::pages::Page;
use crate::output::Generated;

pub use cache::AnalysisCache;
pub use index::{IndexStats, build_index, build_index_cached};

/// Writes the search index under `search/` when `[search] enabled` (the default), analysing
/// only the articles its cache does not hold.
pub struct SearchIndex {
    pub cache: Arc<AnalysisCache>,
}

impl Generator for SearchIndex {
    fn name(&self) -> &'static str {
        "search"
    }

    fn generate(
        &self,
        site: &Site,
        _pages: &[Page],
        out: &Generated<'_>,
    ) -> Result<(), Vec<Diagnostic>> {
        if !site.config.search.enabled {
            return Ok(());
        }
        build_index_cached(site, &self.cache, out).map(|_| ())
    }
}
