//! newsgen: a static site generator for news archives.
//!
//! The pipeline, one module per stage: [`load`] (site.toml, the content walk, front matter) →
//! [`model`] (articles, sections, date and term indexes, the page plan) → [`render`]
//! (Markdown, templates) → [`output`] (atomic writing), orchestrated by [`build`], with
//! [`generators`] for feeds, sitemaps and other non-template files.

pub mod build;
pub mod commands;
pub mod dates;
pub mod error;
pub mod generators;
pub mod images;
pub mod import;
pub mod load;
pub mod model;
pub mod output;
pub mod progress;
pub mod render;
pub mod serve;
pub mod slug;
pub mod suggest;
#[cfg(test)]
mod testing;
pub mod util;

pub use build::{BuildOptions, BuildReport, build};
pub use error::{Diagnostic, Error};
