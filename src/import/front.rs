//! The newsgen front matter an importer writes, and the source dates it is made from.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};

use crate::dates::resolve_local;

/// A publication time as the source gave it: an instant, or a wall-clock time without an
/// offset (read in the newsgen site's time zone, as newsgen reads such dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Instant(DateTime<FixedOffset>),
    Local(NaiveDateTime),
}

const OFFSET_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S%.f %z",
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%:z",
    "%Y-%m-%dT%H:%M%:z",
];

const LOCAL_FORMATS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
];

impl When {
    /// Reads the date forms Jekyll, Hugo, Zola and WordPress write: RFC 3339, Jekyll's
    /// `2020-01-31 10:00:00 +0100`, local datetimes and bare dates.
    pub fn parse(input: &str) -> Option<When> {
        let s = input.trim();
        if let Ok(d) = DateTime::parse_from_rfc3339(s) {
            return Some(When::Instant(d));
        }
        if let Some(utc) = s.strip_suffix('Z').or_else(|| s.strip_suffix(" UTC"))
            && let Some(When::Local(naive)) = Self::parse_local(utc)
        {
            return Some(When::Instant(naive.and_utc().fixed_offset()));
        }
        for fmt in OFFSET_FORMATS {
            if let Ok(d) = DateTime::parse_from_str(s, fmt) {
                return Some(When::Instant(d));
            }
        }
        Self::parse_local(s)
    }

    fn parse_local(s: &str) -> Option<When> {
        for fmt in LOCAL_FORMATS {
            if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
                return Some(When::Local(d));
            }
        }
        let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        Some(When::Local(
            day.and_hms_opt(0, 0, 0).expect("midnight exists"),
        ))
    }

    /// The instant in `tz` (local forms resolved by newsgen's own DST rules).
    pub fn in_zone(&self, tz: Tz) -> DateTime<Tz> {
        match self {
            When::Instant(d) => d.with_timezone(&tz),
            When::Local(naive) => resolve_local(*naive, tz).instant,
        }
    }

    /// A local time becomes an instant in `tz` (the source site's zone, when it has one).
    pub fn fixed_in(self, tz: Option<Tz>) -> When {
        match (self, tz) {
            (When::Local(naive), Some(tz)) => {
                When::Instant(resolve_local(naive, tz).instant.fixed_offset())
            }
            (when, _) => when,
        }
    }

    fn to_toml(self) -> toml::value::Datetime {
        let text = match self {
            When::Instant(d) => d.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            When::Local(d) => d.format("%Y-%m-%dT%H:%M:%S").to_string(),
        };
        text.parse()
            .expect("a formatted chrono datetime is a valid TOML datetime")
    }

    /// Whether `self` is after `other`, comparing like with like (local with local).
    pub fn is_after(&self, other: &When) -> bool {
        match (self, other) {
            (When::Instant(a), When::Instant(b)) => a > b,
            (When::Local(a), When::Local(b)) => a > b,
            (When::Instant(a), When::Local(b)) => a.naive_utc() > *b,
            (When::Local(a), When::Instant(b)) => *a > b.naive_utc(),
        }
    }
}

impl Serialize for When {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_toml().serialize(s)
    }
}

/// The front matter of one imported article, in newsgen's keys (docs/content.md).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NewFront {
    pub title: String,
    pub date: When,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<When>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    pub slug: String,
    #[serde(skip_serializing_if = "is_false")]
    pub draft: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub featured: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

fn is_false(b: &bool) -> bool {
    !b
}

impl NewFront {
    /// A front matter with only the required keys; importers fill in the rest.
    pub fn new(title: String, date: When, slug: String) -> NewFront {
        NewFront {
            title,
            date,
            updated: None,
            authors: Vec::new(),
            summary: None,
            tags: Vec::new(),
            slug,
            draft: false,
            featured: false,
            image: None,
            aliases: Vec::new(),
        }
    }

    /// Sets `updated` only when it is later than `date` (newsgen rejects earlier ones).
    pub fn set_updated(&mut self, updated: Option<When>) {
        self.updated = updated.filter(|u| u.is_after(&self.date));
    }

    /// The whole article file: `+++`, the TOML keys, `+++`, the body.
    pub fn to_file(&self, body: &str) -> String {
        let toml = toml::to_string(self).expect("front matter of strings, dates and lists is TOML");
        let body = body.trim_matches('\n');
        format!("+++\n{toml}+++\n{body}\n")
    }
}

/// Adds `value` to `list` unless an equal one is there (keeps the first spelling and order).
pub fn push_unique(list: &mut Vec<String>, value: &str) {
    let value = value.trim();
    if !value.is_empty() && !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::frontmatter::parse_article;
    use std::path::Path;

    #[test]
    fn source_date_forms() {
        let jekyll = When::parse("2020-01-31 10:00:00 +0100").unwrap();
        assert!(matches!(jekyll, When::Instant(d) if d.offset().local_minus_utc() == 3600));
        assert!(matches!(When::parse("2020-01-31"), Some(When::Local(_))));
        assert!(matches!(
            When::parse("2020-01-31T10:00:00Z"),
            Some(When::Instant(_))
        ));
        assert!(matches!(
            When::parse("2020-01-31 10:00"),
            Some(When::Local(_))
        ));
        assert_eq!(When::parse("31/01/2020"), None);
        assert_eq!(When::parse("2020-02-30"), None);
    }

    #[test]
    fn written_front_matter_parses_back() {
        let mut f = NewFront::new(
            "Quote \" and ]]> and Māori".into(),
            When::parse("2020-01-31 10:00:00 +0100").unwrap(),
            "a-slug".into(),
        );
        f.set_updated(When::parse("2020-01-30"));
        assert_eq!(f.updated, None, "an update before the date is dropped");
        f.set_updated(When::parse("2020-02-01T00:00:00Z"));
        f.tags = vec!["x".into()];
        f.featured = true;
        let text = f.to_file("\n\nBody\n\n");
        let (a, warnings) =
            parse_article(text.as_bytes(), Path::new("a.md"), chrono_tz::UTC).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(a.front.title, f.title);
        assert_eq!(a.front.date.to_rfc3339(), "2020-01-31T09:00:00+00:00");
        assert!(a.front.updated.is_some());
        assert!(a.front.featured);
        assert_eq!(a.body.text().unwrap(), "Body\n");
    }
}
