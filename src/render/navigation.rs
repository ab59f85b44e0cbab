//! Navigation data the theme would otherwise compute with awkward template logic: the month
//! calendar of date archives, the twelve-month grid of a year archive, numbered pagination
//! links, and the `datetime` values of archive periods. docs/templates.md documents the shapes.

use chrono::{Datelike, NaiveDate};
use serde_json::{Value as Json, json};

use crate::model::{Archive, ArchiveId, ArchiveKey, Period, Site};

/// English month names, for archive titles and calendars.
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The HTML `datetime` value of an archive period: `2025`, `2025-03`, `2025-03-07`.
pub fn period_datetime(key: &ArchiveKey) -> String {
    match key.period {
        Period::Day(y, m, d) => format!("{y:04}-{m:02}-{d:02}"),
        Period::Month(y, m) => format!("{y:04}-{m:02}"),
        Period::Year(y) => format!("{y:04}"),
    }
}

/// The archive with exactly this key (archives are sorted by key).
pub fn find_archive(site: &Site, key: &ArchiveKey) -> Option<ArchiveId> {
    site.archives.binary_search_by(|a| a.key.cmp(key)).ok()
}

/// The archives above a day or month archive, outermost first (year, then month), as links.
pub fn ancestors(site: &Site, key: &ArchiveKey) -> Vec<ArchiveId> {
    let keys: Vec<ArchiveKey> = std::iter::successors(key.parent(), ArchiveKey::parent).collect();
    keys.iter()
        .rev()
        .filter_map(|k| find_archive(site, k))
        .collect()
}

/// The calendar of the month archive `ar` (Monday first), with a link on each day that has
/// articles. The same value serves the month page and each of its day pages (built once per
/// build), so it does not mark a current day: templates compare `cell.day` with `archive.day`.
///
/// Shape: `{title, url, datetime, weekdays: [..7 short names], weeks: [[cell or null; 7]]}`,
/// a cell being `{day, datetime, url, count}` (`url` is null on days without articles).
pub fn month_calendar(site: &Site, ar: &Archive) -> Json {
    let Period::Month(year, m) = ar.key.period else {
        panic!("month_calendar is called for month archives only");
    };
    let Some(first) = NaiveDate::from_ymd_opt(year, m, 1) else {
        return Json::Null;
    };
    let next_first = if m == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, m + 1, 1)
    };
    let days_in_month = next_first
        .map(|n| n.signed_duration_since(first).num_days())
        .unwrap_or(31) as u32;
    // Days of this month that have an archive, with their article counts.
    let mut with_articles = std::collections::HashMap::new();
    for d in 1..=days_in_month {
        let key = ar.key.with_period(Period::Day(year, m, d));
        if let Some(i) = find_archive(site, &key) {
            with_articles.insert(d, i);
        }
    }
    let offset = first.weekday().num_days_from_monday() as usize;
    let mut cells: Vec<Json> = vec![Json::Null; offset];
    for d in 1..=days_in_month {
        let link = with_articles.get(&d).map(|&i| &site.archives[i]);
        cells.push(json!({
            "day": d,
            "datetime": format!("{year:04}-{m:02}-{d:02}"),
            "url": link.map(|a| site.link(&a.path)),
            "count": link.map_or(0, |a| a.articles.len()),
        }));
    }
    while !cells.len().is_multiple_of(7) {
        cells.push(Json::Null);
    }
    let weeks: Vec<Json> = cells.chunks(7).map(|w| Json::from(w.to_vec())).collect();
    json!({
        "title": format!("{} {year}", MONTHS[(m as usize - 1).min(11)]),
        "url": site.link(&ar.path),
        "datetime": format!("{year:04}-{m:02}"),
        "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        "weeks": weeks,
    })
}

/// All twelve months of the year archive `ar`, each `{name, short, datetime, url, count}` (`url` null
/// for months without articles), so a theme can draw a full year grid.
pub fn year_months(site: &Site, ar: &Archive) -> Json {
    let key = &ar.key;
    let y = key.period.year();
    let months: Vec<Json> = (1..=12u32)
        .map(|m| {
            let found = find_archive(site, &key.with_period(Period::Month(y, m)))
                .map(|i| &site.archives[i]);
            let name = MONTHS[m as usize - 1];
            json!({
                "name": name,
                "short": &name[..3],
                "datetime": format!("{y:04}-{m:02}"),
                "url": found.map(|a| site.link(&a.path)),
                "count": found.map_or(0, |a| a.articles.len()),
            })
        })
        .collect();
    Json::from(months)
}

/// Numbered page links for pagination: every page when there are at most 7, else the first,
/// the last, and the two around `current`, with `{gap: true}` entries between runs.
/// Each entry is `{number, url, current, gap}`.
pub fn page_links(total: usize, current: usize, url: impl Fn(usize) -> String) -> Json {
    let show = |p: usize| total <= 7 || p == 1 || p == total || p.abs_diff(current) <= 2;
    let mut out = Vec::new();
    let mut gap = false;
    for p in 1..=total {
        if show(p) {
            out.push(json!({ "number": p, "url": url(p), "current": p == current, "gap": false }));
            gap = false;
        } else if !gap {
            out.push(json!({ "number": null, "url": null, "current": false, "gap": true }));
            gap = true;
        }
    }
    Json::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_window_has_gaps() {
        let links = page_links(20, 10, |p| format!("/p/{p}/"));
        let numbers: Vec<Option<u64>> = links
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["number"].as_u64())
            .collect();
        assert_eq!(
            numbers,
            vec![
                Some(1),
                None,
                Some(8),
                Some(9),
                Some(10),
                Some(11),
                Some(12),
                None,
                Some(20)
            ]
        );
        assert_eq!(links[4]["current"], json!(true));
        assert_eq!(links[4]["url"], json!("/p/10/"));
    }

    #[test]
    fn page_links_small_totals_list_every_page() {
        let links = page_links(5, 1, |p| p.to_string());
        assert_eq!(links.as_array().unwrap().len(), 5);
        assert!(
            links
                .as_array()
                .unwrap()
                .iter()
                .all(|l| l["gap"] == json!(false))
        );
    }

    #[test]
    fn period_datetime_is_zero_padded() {
        let k = ArchiveKey {
            section: None,
            period: Period::Day(2025, 3, 7),
        };
        assert_eq!(period_datetime(&k), "2025-03-07");
        assert_eq!(period_datetime(&k.parent().unwrap()), "2025-03");
        assert_eq!(period_datetime(&k.with_period(Period::Year(2025))), "2025");
    }
}
