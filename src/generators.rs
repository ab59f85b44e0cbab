//! Output generators: files that are not templated HTML pages (feeds, sitemaps, search index,
//! robots.txt). Each is a function of the model and the page plan, run after the pages.

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
    /// Writes this generator's files into `out`.
    fn generate(&self, site: &Site, pages: &[Page], out: &Output) -> Result<(), Vec<Diagnostic>>;
}

/// `robots.txt`: allow everything and point crawlers at the sitemap.
pub struct Robots;

impl Generator for Robots {
    fn name(&self) -> &'static str {
        "robots"
    }

    fn generate(&self, site: &Site, _pages: &[Page], out: &Output) -> Result<(), Vec<Diagnostic>> {
        let text = format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}\nSitemap: {}\n",
            site.permalink("sitemap.xml"),
            site.permalink("news-sitemap.xml")
        );
        out.write("robots.txt", text.as_bytes())
            .map_err(|d| vec![d])
    }
}

/// The generators of a build, in the order they run.
pub fn all() -> Vec<Box<dyn Generator>> {
    vec![
        Box::new(Robots),
        Box::new(crate::feeds::Feeds),
        Box::new(crate::sitemap::Sitemap),
        Box::new(crate::sitemap::NewsSitemap),
        Box::new(crate::search::SearchIndex),
    ]
}
