//! Navigation data the theme would otherwise compute with awkward template logic: the month
//! calendar of date archives, the twelve-month grid of a year archive, numbered pagination
//! links, and the `datetime` values of archive periods. docs/templates.md documents the shapes.

use chrono::{Datelike, NaiveDate};
use serde_json::{Value as Json, json};

use crate::model::{Archive, ArchiveId, ArchiveKey, Period, Site};
use crate::render::context::obj;
use tera::Value;

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
/// a cell being `{day, datetime, url, count}` (`url` is null on days without articles). Built
/// as Tera values directly (keys in byte order, as a serialised map would have them): there is
/// one per month and section, a thousand in a ten-year archive.
pub fn month_calendar(site: &Site, ar: &Archive) -> Value {
    let Period::Month(year, m) = ar.key.period else {
        panic!("month_calendar is called for month archives only");
    };
    let Some(first) = NaiveDate::from_ymd_opt(year, m, 1) else {
        return Value::none();
    };
    let days_in_month = first
        .checked_add_months(chrono::Months::new(1))
        .map_or(31, |next| next.signed_duration_since(first).num_days())
        as u32;
    // The month's own archive is followed, in key order, by its day archives.
    let mut days: Vec<Option<&Archive>> = vec![None; days_in_month as usize + 1];
    if let Some(i) = find_archive(site, &ar.key) {
        for day in site.archives.raw[usize::from(i) + 1..].iter() {
            match day.key.period {
                Period::Day(y, mm, d)
                    if day.key.section == ar.key.section && (y, mm) == (year, m) =>
                {
                    if let Some(slot) = days.get_mut(d as usize) {
                        *slot = Some(day);
                    }
                }
                _ => break,
            }
        }
    }
    let offset = first.weekday().num_days_from_monday() as usize;
    let mut cells: Vec<Value> = vec![Value::none(); offset];
    for d in 1..=days_in_month {
        let link = days[d as usize];
        cells.push(obj([
            (
                "count",
                Value::from(link.map_or(0, |a| a.articles.len()) as u64),
            ),
            ("datetime", format!("{year:04}-{m:02}-{d:02}").into()),
            ("day", Value::from(u64::from(d))),
            (
                "url",
                link.map_or_else(Value::none, |a| site.link(&a.path).into()),
            ),
        ]));
    }
    while !cells.len().is_multiple_of(7) {
        cells.push(Value::none());
    }
    let weeks: Vec<Value> = cells.chunks(7).map(|w| Value::from(w.to_vec())).collect();
    let weekdays: Vec<Value> = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        .into_iter()
        .map(Value::from)
        .collect();
    obj([
        ("datetime", format!("{year:04}-{m:02}").into()),
        (
            "title",
            format!("{} {year}", MONTHS[(m as usize - 1).min(11)]).into(),
        ),
        ("url", site.link(&ar.path).into()),
        ("weekdays", Value::from(weekdays)),
        ("weeks", Value::from(weeks)),
    ])
}

/// All twelve months of the year archive `ar`, each `{name, short, datetime, url, count}` (`url` null
/// for months without articles), so a theme can draw a full year grid.
pub fn year_months(site: &Site, ar: &Archive) -> Value {
    let key = &ar.key;
    let y = key.period.year();
    let months: Vec<Value> = (1..=12u32)
        .map(|m| {
            let found = find_archive(site, &key.with_period(Period::Month(y, m)))
                .map(|i| &site.archives[i]);
            let name = MONTHS[m as usize - 1];
            obj([
                (
                    "count",
                    Value::from(found.map_or(0, |a| a.articles.len()) as u64),
                ),
                ("datetime", format!("{y:04}-{m:02}").into()),
                ("name", name.into()),
                ("short", name[..3].into()),
                (
                    "url",
                    found.map_or_else(Value::none, |a| site.link(&a.path).into()),
                ),
            ])
        })
        .collect();
    Value::from(months)
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
