//! `robots.txt`.

use super::{Generator, Reads};
use crate::error::Diagnostic;
use crate::model::Site;
use crate::model::pages::Page;
use crate::output::Generated;

/// `robots.txt`: allow everything and point crawlers at the sitemap.
pub struct Robots;

impl Generator for Robots {
    fn name(&self) -> &'static str {
        "robots"
    }

    fn bodies_read(&self, _site: &Site) -> Reads {
        Reads::Only(Vec::new())
    }

    fn cards_read(&self, _site: &Site) -> Reads {
        Reads::Only(Vec::new())
    }

    fn generate(
        &self,
        site: &Site,
        _pages: &[Page],
        out: &Generated<'_>,
    ) -> Result<(), Vec<Diagnostic>> {
        let text = format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}\nSitemap: {}\n",
            site.permalink("sitemap.xml"),
            site.permalink("news-sitemap.xml")
        );
        out.write("robots.txt", text.as_bytes())
            .map_err(|d| vec![d])
    }
}
