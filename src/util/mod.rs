//! Leaf helpers every layer may use: escaping, URLs, XML, RFC 3339, plain text from
//! Markdown, the racy-clean rule of stamp caches and work on a thread of its own. Nothing here
//! imports another module of newsgen (`tests/layering.rs` checks it), so no helper can pull a
//! higher layer into a lower one.

pub mod background;
pub mod digest;
pub mod escape;
pub mod racy;
pub mod text;
pub mod time;
pub mod url;
pub mod xml;
