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
use rustc_hash::FxHashSet;

use crate::error::Diagnostic;
use crate::model::pages::Page;
use crate::model::{ArticleId, Site};
use crate::output::Generated;

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
    /// The articles whose Markdown body the output shows. When the rest of the model is the
    /// last build's and none of these bodies changed, the files are kept without running the
    /// generator (a body edit deep in the archive leaves the feeds and sitemaps alone).
    fn bodies_read(&self, _site: &Site) -> Reads {
        Reads::Every
    }
    /// The articles whose card fields (title, summary... see `model::ModelDigest`) the
    /// output shows: when the rest of the model is the last build's and none of these cards
    /// changed, the files are kept (a headline edit deep in the archive leaves the feeds
    /// alone).
    fn cards_read(&self, _site: &Site) -> Reads {
        Reads::Every
    }
    /// Writes this generator's files into `out`.
    fn generate(
        &self,
        site: &Site,
        pages: &[Page],
        out: &Generated<'_>,
    ) -> Result<(), Vec<Diagnostic>>;
}

/// The articles whose bodies ([`Generator::bodies_read`]) or cards
/// ([`Generator::cards_read`]) a generator's output depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reads {
    Every,
    Only(Vec<ArticleId>),
}

impl Reads {
    /// Whether any of the `changed` articles is read.
    pub fn any_of(&self, changed: &FxHashSet<ArticleId>) -> bool {
        match self {
            Reads::Every => !changed.is_empty(),
            Reads::Only(ids) => ids.iter().any(|id| changed.contains(id)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generator_is_affected_only_by_the_bodies_it_reads() {
        let id = ArticleId::from;
        let changed: FxHashSet<ArticleId> = [id(3), id(8)].into_iter().collect();
        assert!(Reads::Every.any_of(&changed));
        assert!(!Reads::Every.any_of(&FxHashSet::default()));
        assert!(Reads::Only(vec![id(1), id(8)]).any_of(&changed));
        assert!(!Reads::Only(vec![id(1), id(2), id(4)]).any_of(&changed));
        assert!(!Reads::Only(Vec::new()).any_of(&changed));
    }
}
