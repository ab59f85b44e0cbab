//! Which newsgen section an old section or category goes to, and adding new sections to
//! site.toml in the order of their article counts.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Error;
use crate::slug::{slugify, title_from_folder};

/// `old=new` pairs from `--section-map` and site.toml's `[import.section_map]`; the command
/// line wins. Old names match by slug, so `Local News` and `local-news` are one.
#[derive(Debug, Default)]
pub struct SectionMap {
    by_old_slug: BTreeMap<String, String>,
}

impl SectionMap {
    pub fn new<'a>(
        config: impl IntoIterator<Item = (&'a String, &'a String)>,
        cli: &'a [(String, String)],
    ) -> SectionMap {
        let mut by_old_slug = BTreeMap::new();
        for (old, new) in config.into_iter().chain(cli.iter().map(|(o, n)| (o, n))) {
            by_old_slug.insert(slugify(old), new.clone());
        }
        SectionMap { by_old_slug }
    }

    /// The section (slug, title) that articles of the old section `old` go to.
    pub fn resolve(&self, old: &str) -> (String, String) {
        let name = self
            .by_old_slug
            .get(&slugify(old))
            .map_or(old, String::as_str);
        (slugify(name), title_from_folder(name.trim()))
    }
}

/// Parses one `--section-map old=new` argument.
pub fn parse_pair(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((old, new)) if !old.trim().is_empty() && !slugify(new).is_empty() => {
            Ok((old.trim().to_string(), new.trim().to_string()))
        }
        _ => Err(format!(
            "`{arg}` is not a section mapping: write OLD=NEW, like `Local News=local`"
        )),
    }
}

/// Appends `[sections.<slug>]` tables for `added` (slug, title, count), most articles
/// first, to the site.toml at `path`, leaving everything already there as it was.
pub fn append_to_config(path: &Path, added: &mut [(String, String, usize)]) -> Result<(), Error> {
    if added.is_empty() {
        return Ok(());
    }
    added.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    let mut text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    for (slug, title, _) in added.iter() {
        let key = if slug.contains('.') {
            toml::Value::String(slug.clone()).to_string()
        } else {
            slug.clone()
        };
        let title = toml::Value::String(title.clone());
        text.push_str(&format!("\n[sections.{key}]\ntitle = {title}\n"));
    }
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_matches_by_slug_and_cli_wins() {
        let config = BTreeMap::from([("Local News".to_string(), "local".to_string())]);
        let cli = vec![("uncategorized".to_string(), "news".to_string())];
        let map = SectionMap::new(&config, &cli);
        assert_eq!(map.resolve("local-news"), ("local".into(), "Local".into()));
        assert_eq!(map.resolve("Uncategorized").0, "news");
        assert_eq!(
            map.resolve("Sport & Leisure"),
            ("sport-leisure".into(), "Sport & Leisure".into())
        );
        let over = SectionMap::new(&config, &[("local news".into(), "city".into())]);
        assert_eq!(over.resolve("Local News").0, "city");
    }

    #[test]
    fn pairs() {
        assert_eq!(parse_pair("a=b").unwrap(), ("a".into(), "b".into()));
        assert!(parse_pair("a").is_err());
        assert!(parse_pair("=b").is_err());
        assert!(parse_pair("a=!!").is_err());
    }

    #[test]
    fn sections_are_appended_by_count() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site.toml");
        std::fs::write(&path, "title = \"T\" # kept\n").unwrap();
        let mut added = vec![
            ("few".to_string(), "Few".to_string(), 1),
            ("v1.2".to_string(), "V1.2".to_string(), 5),
        ];
        append_to_config(&path, &mut added).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "title = \"T\" # kept\n\n[sections.\"v1.2\"]\ntitle = \"V1.2\"\n\n[sections.few]\ntitle = \"Few\"\n"
        );
    }
}
