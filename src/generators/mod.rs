//! Output generators: files that are not templated HTML pages (feeds, sitemaps, search index,
//! robots.txt). Each is a function of the model and the page plan, run after the pages.
//!
//! This module holds only the [`Generator`] trait and the implementations; which generators a
//! build runs, and in what order, is the build's decision ([`crate::build`]), so no
//! implementation depends on the list of its peers.

pub mod feeds;
pub mod robots;
pub mod search;
pub mod sitemap;

use chrono::DateTime;
use chrono_tz::Tz;

use crate::error::Diagnostic;
use crate::model::Site;
use crate::model::pages::Page;
use crate::output::Output;

/// One kind of generated output. Implementations must be deterministic.
pub trait Generator: Sync {
    /// Short name for messages and timings (`feeds`, `sitemap`...).
    fn name(&self) -> &'static str;
    /// Whether the output depends on the build time ("now"), not only on the model: such a
    /// generator runs even when the model is the same as the last build's.
    fn reads_now(&self) -> bool {
        false
    }
    /// For a generator that reads "now": the first instant after the build's "now" at which
    /// its output could differ for the same model. Until then the build's no-change shortcut
    /// may keep it (`build::stamps`).
    fn changes_at(&self, _site: &Site) -> Option<DateTime<Tz>> {
        None
    }
    /// Writes this generator's files into `out`.
    fn generate(&self, site: &Site, pages: &[Page], out: &Output) -> Result<(), Vec<Diagnostic>>;
}
