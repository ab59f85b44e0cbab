//! Typed positions in the model's lists. Each list of [`Site`](super::Site) is a `TiVec`
//! indexed by its own id type, so a section id cannot index articles and every signature
//! says which list an id points into.
//!
//! ```
//! # use newsgen::model::{ArticleId, Site};
//! fn title(site: &Site, id: ArticleId) -> &str {
//!     &site.articles[id].title
//! }
//! ```
//!
//! while the same with a section id does not compile:
//!
//! ```compile_fail,E0277
//! # use newsgen::model::{SectionId, Site};
//! fn title(site: &Site, id: SectionId) -> &str {
//!     &site.articles[id].title
//! }
//! ```

/// Defines each id as a `Copy` newtype over a position; `TiVec` converts positions to ids
/// and back through `From`.
macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(usize);

        impl From<usize> for $name {
            fn from(position: usize) -> $name {
                $name(position)
            }
        }

        impl From<$name> for usize {
            fn from(id: $name) -> usize {
                id.0
            }
        }
    )*};
}

ids! {
    /// Position of an article in `Site::articles`, which is sorted newest first: a smaller
    /// id is a newer article, so lists built by walking articles in order are date-sorted.
    ArticleId;
    /// Position of a section in `Site::sections`: site.toml's order, then alphabetical.
    SectionId;
    /// Position of a term in its taxonomy's `Taxonomy::terms` (sorted by slug): a tag id
    /// and an author id are both term ids, each meaningful in its own taxonomy only.
    TermId;
    /// Position of a date archive in `Site::archives` (sorted by key).
    ArchiveId;
}
