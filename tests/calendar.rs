//! Dates through the real binary (`SOURCE_DATE_EPOCH` fixed, so any clock and any `TZ`): a
//! site time zone west of UTC, a year boundary that falls on different years in UTC and in
//! the site's zone, a leap day, and the DST rules (a skipped hour warns, a repeated one takes
//! the earlier instant without a warning).

mod common;

use common::{Fixture, attrs};

/// A fixture whose site.toml has `timezone = tz` (instead of the default Pacific/Auckland).
fn site_in(tz: &str) -> Fixture {
    let f = Fixture::new("");
    let toml = std::fs::read_to_string(f.path().join("site.toml")).unwrap();
    f.write(
        "site.toml",
        &toml.replace(
            "timezone = \"Pacific/Auckland\"",
            &format!("timezone = \"{tz}\""),
        ),
    );
    f
}

/// Runs `newsgen build` (with `args`) and returns its stderr; panics when it fails.
fn build_ok(f: &Fixture, args: &[&str]) -> String {
    let out = f.cli(&[&["build"], args].concat());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    stderr
}

/// The `datetime` of the article's `<time>` on its page.
fn shown_time(f: &Fixture, page: &str) -> String {
    attrs(&f.html(page), "main article time", "datetime")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{page} has no <time datetime>"))
}

#[test]
fn a_site_west_of_utc_buckets_by_its_own_date_across_a_year_boundary() {
    let f = site_in("America/Los_Angeles");
    // 03:00 UTC on 1 January 2025 is still 31 December 2024 (19:00) in Los Angeles.
    f.article(
        "world/new-year.md",
        "title = \"New year\"\ndate = 2025-01-01T03:00:00Z",
        "x",
    );
    // A local time is read in the site's zone (-08:00 in winter, -07:00 in summer).
    f.article(
        "world/winter.md",
        "title = \"Winter\"\ndate = \"2025-01-15 18:00\"",
        "x",
    );
    f.article(
        "world/summer.md",
        "title = \"Summer\"\ndate = \"2025-07-15 18:00\"",
        "x",
    );
    build_ok(&f, &[]);
    assert_eq!(
        shown_time(&f, "world/2024/12/31/new-year/index.html"),
        "2024-12-31T19:00:00-08:00"
    );
    assert!(f.exists("2024/12/31/index.html"));
    assert!(!f.exists("2025/01/01/index.html"));
    // The 2025 archive lists the two 2025 articles and not the new-year one.
    let links = common::main_article_links(&f.html("2025/index.html"));
    assert_eq!(
        links,
        ["/world/2025/07/15/summer/", "/world/2025/01/15/winter/"]
    );
    assert_eq!(
        common::main_article_links(&f.html("2024/index.html")),
        ["/world/2024/12/31/new-year/"]
    );
    assert_eq!(
        shown_time(&f, "world/2025/01/15/winter/index.html"),
        "2025-01-15T18:00:00-08:00"
    );
    assert_eq!(
        shown_time(&f, "world/2025/07/15/summer/index.html"),
        "2025-07-15T18:00:00-07:00"
    );
}

#[test]
fn the_same_instant_is_in_different_years_in_utc_and_in_auckland() {
    let f = Fixture::new("");
    // 12:00 UTC on 31 December 2024 is 01:00 on 1 January 2025 in Auckland (+13:00).
    f.article(
        "world/fireworks.md",
        "title = \"Fireworks\"\ndate = 2024-12-31T12:00:00Z",
        "x",
    );
    build_ok(&f, &[]);
    assert_eq!(
        shown_time(&f, "world/2025/01/01/fireworks/index.html"),
        "2025-01-01T01:00:00+13:00"
    );
    assert!(f.exists("2025/01/01/index.html"));
    assert!(!f.exists("2024/index.html"));
    assert!(!f.exists("world/2024/index.html"));
    let feed = f.read("feed.xml");
    assert!(feed.contains("2025-01-01T01:00:00+13:00"), "{feed}");
}

#[test]
fn a_leap_day_is_a_day_and_a_missing_one_is_an_error() {
    let f = Fixture::new("");
    f.article("world/leap.md", "title = \"Leap\"\ndate = 2024-02-29", "x");
    build_ok(&f, &[]);
    assert!(f.exists("world/2024/02/29/leap/index.html"));
    assert!(f.exists("2024/02/29/index.html"));
    assert_eq!(
        shown_time(&f, "world/2024/02/29/leap/index.html"),
        "2024-02-29T00:00:00+13:00"
    );
    // The month's calendar has a 29th, linked to the day.
    let month = f.html("2024/02/index.html");
    assert!(
        attrs(&month, "a[href]", "href").contains(&"/2024/02/29/".to_string()),
        "no link to 29 February"
    );

    f.article(
        "world/not-leap.md",
        "title = \"Not leap\"\ndate = \"2025-02-29\"",
        "x",
    );
    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("content/world/not-leap.md:3: error: `date` 2025-02-29 is not a real date"),
        "{stderr}"
    );
}

#[test]
fn a_skipped_hour_warns_and_a_repeated_hour_takes_the_earlier_instant() {
    let f = Fixture::new("");
    // Auckland, 28 September 2025: clocks go from 02:00 to 03:00.
    f.article(
        "world/gap.md",
        "title = \"Gap\"\ndate = \"2025-09-28 02:30\"",
        "x",
    );
    // Auckland, 6 April 2025: clocks go back from 03:00 to 02:00, 02:30 happens twice.
    f.article(
        "world/twice.md",
        "title = \"Twice\"\ndate = \"2025-04-06 02:30\"",
        "x",
    );
    let stderr = build_ok(&f, &[]);
    assert!(
        stderr.contains(
            "content/world/gap.md:3: warning: `date` 2025-09-28 02:30 does not exist in \
             Pacific/Auckland (clocks went forward); using 2025-09-28 03:30 +13:00"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("twice.md"), "{stderr}");
    assert_eq!(
        shown_time(&f, "world/2025/09/28/gap/index.html"),
        "2025-09-28T03:30:00+13:00"
    );
    assert_eq!(
        shown_time(&f, "world/2025/04/06/twice/index.html"),
        "2025-04-06T02:30:00+13:00"
    );
    // --strict turns the warning into an error.
    let out = f.cli(&["build", "--strict"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("content/world/gap.md:3: error:"),
        "{stderr}"
    );
}
