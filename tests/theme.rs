//! The built-in `default` theme, checked on real output: the example site (the repository
//! root) and small fixture sites are built with the real binary into temp dirs, and every page
//! is read back with an HTML parser. Issue 5: one h1, landmarks, skip link, `lang`, dates in
//! `<time datetime>`, no external asset URLs, one small stylesheet, the article page's SPEC §4
//! elements, the archive calendar and navigation, numbered pagination and sub-path links.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use scraper::{ElementRef, Html, Node, Selector};

mod common;

// ---- helpers -------------------------------------------------------------------------------

/// Runs `newsgen build` on `site` into `out`, with extra arguments; panics with its stderr.
fn build(site: &Path, out: &Path, extra: &[&str]) {
    let result = Command::new(env!("CARGO_BIN_EXE_newsgen"))
        .arg("build")
        .arg("--output")
        .arg(out)
        .args(extra)
        .arg(site)
        .env(
            "SOURCE_DATE_EPOCH",
            common::example_now().timestamp().to_string(),
        )
        .output()
        .expect("run newsgen");
    assert!(
        result.status.success(),
        "newsgen build failed:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
}

/// The example site, built once for all tests of this file.
fn example() -> &'static Path {
    static OUT: OnceLock<Built> = OnceLock::new();
    OUT.get_or_init(|| {
        let out = Built::new();
        build(Path::new(env!("CARGO_MANIFEST_DIR")), out.path(), &[]);
        out
    })
    .path()
}

/// Every `.html` file below `root`, by path relative to it.
fn html_files(root: &Path) -> BTreeMap<String, Html> {
    let mut pages = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "html") {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                pages.insert(
                    rel,
                    Html::parse_document(&std::fs::read_to_string(&p).unwrap()),
                );
            }
        }
    }
    pages
}

fn page(root: &Path, rel: &str) -> Html {
    let p = root.join(rel);
    Html::parse_document(
        &std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    )
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn count(doc: &Html, s: &str) -> usize {
    doc.select(&sel(s)).count()
}

fn first<'a>(doc: &'a Html, s: &str) -> ElementRef<'a> {
    doc.select(&sel(s))
        .next()
        .unwrap_or_else(|| panic!("no `{s}`"))
}

fn text(e: ElementRef) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn attrs<'a>(doc: &'a Html, s: &str, attr: &str) -> Vec<&'a str> {
    doc.select(&sel(s))
        .filter_map(|e| e.value().attr(attr))
        .collect()
}

/// A redirect page (aliases, `page/1/`) is a bare document with a meta refresh.
fn is_redirect(doc: &Html) -> bool {
    count(doc, r#"meta[http-equiv="refresh"]"#) > 0
}

/// A site folder in a temp dir.
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new(site_toml: &str) -> Site {
        let s = Site {
            dir: tempfile::tempdir().unwrap(),
        };
        s.write("site.toml", site_toml);
        s
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn article(&self, rel: &str, front: &str, body: &str) {
        self.write(
            &format!("content/{rel}"),
            &format!("+++\n{front}\n+++\n{body}\n"),
        );
    }

    /// Builds into `public/` of a fresh temp dir (so the build cache beside the output
    /// folder goes with it), returned with the site's pages.
    fn build(&self, extra: &[&str]) -> Built {
        let built = Built::new();
        build(self.dir.path(), built.path(), extra);
        built
    }
}

/// An output folder inside a temp dir of its own, removed with it. The temp dirs are made
/// under Cargo's temp folder for tests: a static one is never dropped.
struct Built {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Built {
    fn new() -> Built {
        let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let root = dir.path().join("public");
        Built { _dir: dir, root }
    }

    fn path(&self) -> &Path {
        &self.root
    }
}

const FIXTURE_TOML: &str = r#"title = "Fixture Times"
base_url = "https://fixture.example.org/"
language = "en-NZ"
timezone = "Pacific/Auckland"
per_page = 2
[sections.world]
title = "World"
[sections.sport]
title = "Sport"
"#;

/// A small site: articles on known days of March and April 2025, one with a lead image and
/// alt text, one with an image and none, one updated.
fn fixture() -> Site {
    let s = Site::new(FIXTURE_TOML);
    s.article(
        "world/2025-03-03-a.md",
        "title = \"Alpha\"\ndate = 2025-03-03T09:00:00+13:00\nsummary = \"Alpha summary.\"",
        "Body.",
    );
    s.article(
        "world/2025-03-07-b/index.md",
        "title = \"Bravo\"\ndate = 2025-03-07T10:30:00+13:00\nimage = \"pic.png\"\nfeatured = true\n\
         authors = [\"Ana Lee\", \"Bo Kim\"]\nsource = \"Wire\"\nsource_url = \"https://wire.example.com/b\"\n\
         tags = [\"storms\"]\n[extra]\nimage_alt = \"Flooded street in Alpha Bay\"",
        "Para one.\n\n## Sub\n\n> A quote.\n\n| a | b |\n|---|---|\n| 1 | 2 |",
    );
    s.write("content/world/2025-03-07-b/pic.png", "not really a png");
    s.article(
        "world/2025-03-07-c.md",
        "title = \"Charlie\"\ndate = 2025-03-07T18:05:00+13:00\nimage = \"/deco.png\"\nfeatured = true\n\
         updated = 2025-03-08T08:00:00+13:00",
        "Body.",
    );
    s.article(
        "world/2025-04-01-d.md",
        "title = \"Delta\"\ndate = 2025-04-01T12:00:00+13:00",
        "Body.",
    );
    s.article(
        "sport/2025-04-02-e.md",
        "title = \"Echo\"\ndate = 2025-04-02T12:00:00+13:00",
        "Body.",
    );
    s.write("static/deco.png", "x");
    s
}

/// Classes of elements holding the writer's prose (bodies, summaries): a date there is part
/// of a sentence ("on November 7"), not one the theme shows, and is not checked.
const PROSE: [&str; 4] = ["article-body", "standfirst", "teaser-summary", "summary"];

/// Date-like words the theme shows outside `<time>`: `26 Nov 2026`, `November 2026`, `17:51`.
fn unmarked_dates(doc: &Html) -> Vec<String> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    // A full month name or its three-letter abbreviation.
    let is_month = |w: &str| {
        let w = w.to_lowercase();
        MONTHS
            .iter()
            .any(|m| *m == w || (w.len() == 3 && m.starts_with(&w)))
    };
    let is_num = |w: &str, max: usize| {
        !w.is_empty() && w.len() <= max && w.bytes().all(|b| b.is_ascii_digit())
    };
    let is_clock = |w: &str| {
        let w = w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != ':');
        matches!(w.split_once(':'), Some((h, m)) if is_num(h, 2) && m.len() == 2 && is_num(m, 2))
    };
    let mut found = Vec::new();
    for node in doc.tree.nodes() {
        let Node::Text(t) = node.value() else {
            continue;
        };
        let skip = node.ancestors().any(|a| {
            a.value().as_element().is_some_and(|e| {
                matches!(e.name(), "time" | "script" | "style" | "title")
                    || e.classes().any(|c| PROSE.contains(&c))
            })
        });
        if skip {
            continue;
        }
        let words: Vec<&str> = t
            .split(|c: char| c.is_whitespace())
            .map(|w| w.trim_matches(|c: char| matches!(c, ',' | '.' | '(' | ')' | ':')))
            .filter(|w| !w.is_empty())
            .collect();
        for (i, w) in words.iter().enumerate() {
            let month_with_number = is_month(w)
                && (i > 0 && is_num(words[i - 1], 2)
                    || words
                        .get(i + 1)
                        .is_some_and(|n| n.len() == 4 && is_num(n, 4)));
            if month_with_number || is_clock(w) {
                found.push(t.to_string());
                break;
            }
        }
    }
    found
}

/// A `datetime` value HTML accepts for the periods and instants newsgen shows.
fn valid_datetime(v: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(v).is_ok()
        || chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok()
        || chrono::NaiveDate::parse_from_str(&format!("{v}-01"), "%Y-%m-%d").is_ok() && v.len() == 7
        || v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit())
}

// ---- the example site, every page --------------------------------------------------------------

#[test]
fn every_page_has_one_h1_landmarks_skip_link_and_lang() {
    let pages = html_files(example());
    assert!(pages.len() > 100, "only {} pages built", pages.len());
    let mut checked = 0;
    for (path, doc) in &pages {
        assert_eq!(
            first(doc, "html").value().attr("lang"),
            Some("en"),
            "{path}: lang from site.toml"
        );
        if is_redirect(doc) {
            continue;
        }
        checked += 1;
        assert_eq!(count(doc, "h1"), 1, "{path}: exactly one h1");
        assert_eq!(count(doc, "body > header"), 1, "{path}: one banner header");
        assert_eq!(count(doc, "main#main"), 1, "{path}: one main#main");
        assert_eq!(count(doc, "main"), 1, "{path}: one main");
        assert_eq!(
            count(doc, "body > footer"),
            1,
            "{path}: one contentinfo footer"
        );
        assert!(
            count(doc, r#"header nav[aria-label="Sections"]"#) == 1,
            "{path}: section navigation"
        );
        // The skip link is the first link of the page and targets main.
        let first_link = first(doc, "body a");
        assert_eq!(
            first_link.value().attr("href"),
            Some("#main"),
            "{path}: skip link first"
        );
        assert!(first_link.value().classes().any(|c| c == "skip"));
        // Every nav carrying a label has a unique one (screen readers list them).
        let labels = attrs(doc, "nav", "aria-label");
        let unique: std::collections::BTreeSet<_> = labels.iter().collect();
        assert_eq!(
            labels.len(),
            unique.len(),
            "{path}: nav labels unique: {labels:?}"
        );
        // Images have an alt attribute (empty for decorative ones).
        for img in doc.select(&sel("img")) {
            assert!(img.value().attr("alt").is_some(), "{path}: img without alt");
        }
    }
    assert!(checked > 100);
}

#[test]
fn every_date_is_in_a_time_element_with_a_valid_datetime() {
    let pages = html_files(example());
    let mut times = 0;
    for (path, doc) in &pages {
        for t in doc.select(&sel("time")) {
            let v = t.value().attr("datetime");
            assert!(
                v.is_some_and(valid_datetime),
                "{path}: <time> with datetime {v:?} ({})",
                text(t)
            );
            times += 1;
        }
        let loose = unmarked_dates(doc);
        assert!(loose.is_empty(), "{path}: dates outside <time>: {loose:?}");
    }
    assert!(times > 1000, "only {times} time elements");
}

#[test]
fn the_date_check_catches_a_date_outside_time() {
    // The check above must be able to fail.
    let doc = Html::parse_document(
        "<p>Published 26 Nov 2026 at <time datetime=\"2026-11-26T17:51:00+13:00\">17:51</time></p>\
         <p>Back in March 2025.</p><p>Meet at 09:30 sharp</p><p>Mayday, mayhem: 7 apples</p>",
    );
    let found = unmarked_dates(&doc);
    assert_eq!(found.len(), 3, "{found:?}");
}

#[test]
fn no_external_urls_in_assets_and_one_small_stylesheet() {
    let root = example();
    let pages = html_files(root);
    let external = |u: &str| u.starts_with("//") || u.contains("://");
    let mut stylesheets = std::collections::BTreeSet::new();
    for (path, doc) in &pages {
        for (s, a) in [
            ("link[rel~=stylesheet]", "href"),
            ("link[rel~=icon]", "href"),
            ("link[rel=preload]", "href"),
            ("link[rel=modulepreload]", "href"),
            ("script[src]", "src"),
            ("img", "src"),
            ("img[srcset]", "srcset"),
            ("source", "srcset"),
            ("iframe", "src"),
            ("video", "src"),
            ("audio", "src"),
        ] {
            for u in attrs(doc, s, a) {
                assert!(!external(u), "{path}: external asset {s} {a}={u}");
            }
        }
        for st in doc.select(&sel("[style]")) {
            let v = st.value().attr("style").unwrap_or_default();
            assert!(!v.contains("url("), "{path}: inline style loads {v}");
        }
        if !is_redirect(doc) {
            let css = attrs(doc, "link[rel~=stylesheet]", "href");
            assert_eq!(css.len(), 1, "{path}: one stylesheet, got {css:?}");
            stylesheets.insert(css[0].to_string());
            assert_eq!(count(doc, "style"), 0, "{path}: no inline <style>");
        }
    }
    assert_eq!(stylesheets.len(), 1, "{stylesheets:?}");
    let href = stylesheets.into_iter().next().unwrap();
    let css = std::fs::read_to_string(root.join(href.trim_start_matches('/'))).unwrap();
    assert!(css.len() < 20 * 1024, "style.css is {} bytes", css.len());
    for bad in ["@import", "@font-face", "url(http", "url(//"] {
        assert!(!css.contains(bad), "style.css contains {bad}");
    }
    assert!(
        css.contains("@media (prefers-color-scheme:dark)"),
        "dark mode"
    );
    assert!(css.contains("@media print"), "print stylesheet");
    assert!(css.contains(":focus-visible"), "visible focus");
}

#[test]
fn reading_pages_need_no_javascript() {
    let pages = html_files(example());
    for (path, doc) in &pages {
        if path.starts_with("search/") {
            continue;
        }
        for s in doc.select(&sel("script")) {
            let ty = s.value().attr("type").unwrap_or("text/javascript");
            assert!(
                ty.ends_with("json") || ty == "application/ld+json",
                "{path}: script of type {ty}"
            );
        }
    }
}

#[test]
fn navigation_lists_sections_in_site_order_and_marks_the_current_one() {
    let root = example();
    let order = [
        "Home",
        "National",
        "Politics",
        "Business",
        "World",
        "Sport",
        "Entertainment",
        "Technology",
    ];
    for (rel, current) in [
        ("index.html", Some("Home")),
        ("politics/index.html", Some("Politics")),
        (
            "business/2026/11/20/port-expansion/index.html",
            Some("Business"),
        ),
        ("sport/2026/index.html", Some("Sport")),
        ("2026/index.html", None),
        ("tags/index.html", None),
    ] {
        let doc = page(root, rel);
        let nav = first(&doc, r#"nav[aria-label="Sections"]"#);
        let links: Vec<String> = nav.select(&sel("a")).map(text).collect();
        assert_eq!(links, order, "{rel}");
        let marked: Vec<String> = nav.select(&sel("a[aria-current]")).map(text).collect();
        assert_eq!(
            marked,
            current.into_iter().map(String::from).collect::<Vec<_>>(),
            "{rel}"
        );
    }
}

#[test]
fn front_page_has_top_stories_wire_list_and_section_blocks() {
    let doc = page(example(), "index.html");
    assert_eq!(text(first(&doc, "h1")), "Harbour City News");
    // Top stories: featured articles with headline, summary and time.
    let tops: Vec<_> = doc.select(&sel(".top-stories article")).collect();
    assert_eq!(tops.len(), 6);
    for t in &tops {
        assert!(t.select(&sel("h3 a")).next().is_some());
        assert!(t.select(&sel("time[datetime]")).next().is_some());
    }
    assert_eq!(
        text(tops[0].select(&sel("h3")).next().unwrap()),
        "Deputy mayor resigns over undeclared consultancy contracts"
    );
    // Every top story of the example site has a picture: decorative (alt=""), with its size.
    let imgs: Vec<_> = doc.select(&sel(".top-stories picture img")).collect();
    assert_eq!(imgs.len(), tops.len());
    for img in &imgs {
        assert_eq!(img.value().attr("alt"), Some(""));
        assert!(img.value().attr("width").is_some() && img.value().attr("height").is_some());
    }
    // Today's news: `Section: Headline 17:51`, every article of the newest day.
    let wire: Vec<String> = doc.select(&sel(".wire li")).map(text).collect();
    assert_eq!(wire.len(), 7, "{wire:?}");
    assert_eq!(
        wire[0],
        "Technology: Mobile network outage hits 400,000 customers across the lower North Island 15:40"
    );
    // One block per section with articles, in site.toml order.
    let blocks: Vec<String> = doc.select(&sel(".front-section h2")).map(text).collect();
    assert_eq!(
        blocks,
        [
            "National",
            "Politics",
            "Business",
            "World",
            "Sport",
            "Entertainment",
            "Technology"
        ]
    );
}

#[test]
fn article_page_shows_every_spec_element() {
    let root = example();
    let doc = page(root, "business/2026/11/20/port-expansion/index.html");
    let crumbs: Vec<String> = doc
        .select(&sel(r#"nav[aria-label="Breadcrumb"] li"#))
        .map(text)
        .collect();
    assert_eq!(crumbs, ["Home", "Business"]);
    assert_eq!(
        text(first(&doc, "article h1")),
        "Harbour Ports unveils $480m plan to double container terminal"
    );
    assert!(text(first(&doc, ".standfirst")).starts_with("The expansion would lift capacity"));
    let when = first(&doc, ".dateline time");
    assert_eq!(
        when.value().attr("datetime"),
        Some("2026-11-20T12:15:00+13:00")
    );
    assert_eq!(text(when), "Friday 20 November 2026, 12:15 NZDT");
    let authors: Vec<String> = doc.select(&sel(".byline a")).map(text).collect();
    assert_eq!(authors, ["Priya Raman", "Zoë Chen"]);
    assert_eq!(text(first(&doc, ".byline")), "By Priya Raman and Zoë Chen");
    let source = first(&doc, ".source a");
    assert_eq!(
        source.value().attr("href"),
        Some("/sources/harbour-city-news/")
    );
    assert_eq!(
        attrs(&doc, ".source a[rel=external]", "href"),
        ["https://news.example.org/business/harbour-ports-investor-day"]
    );
    assert!(
        count(&doc, ".article-body table") == 1 && count(&doc, ".article-body blockquote") == 1
    );
    let tags: Vec<String> = doc.select(&sel(".tags a")).map(text).collect();
    assert_eq!(tags, ["economy", "trade", "ports", "Māori affairs"]);
    let prev = first(&doc, r#".prev-next a[rel="prev"]"#);
    let next = first(&doc, r#".prev-next a[rel="next"]"#);
    assert!(
        prev.value()
            .attr("href")
            .unwrap()
            .starts_with("/business/2026/11/05/")
    );
    assert!(
        next.value()
            .attr("href")
            .unwrap()
            .starts_with("/business/2026/11/24/")
    );
    assert_eq!(text(first(&doc, ".other-news h2")), "Other Business news");
    let others = attrs(&doc, ".other-news li a", "href");
    assert!(!others.is_empty());
    assert!(
        others
            .iter()
            .all(|h| h.starts_with("/business/") && !h.contains("port-expansion"))
    );

    // "Updated" on the one article that has it.
    let doc = page(
        root,
        "national/2026/11/10/measles-case-at-airport/index.html",
    );
    let updated = first(&doc, ".dateline .updated");
    assert!(text(updated).starts_with("Updated "));
    assert_eq!(
        first(&doc, ".dateline .updated time")
            .value()
            .attr("datetime"),
        Some("2026-11-11T14:05:00+13:00")
    );
    let doc = page(
        root,
        "politics/2026/10/30/council-approves-harbour-cycle-lane/index.html",
    );
    assert_eq!(count(&doc, ".updated"), 0);
}

// ---- fixture sites -------------------------------------------------------------------------

#[test]
fn lead_image_alt_comes_from_front_matter_and_is_empty_otherwise() {
    let site = fixture();
    let out = site.build(&[]);
    let doc = page(out.path(), "world/2025/03/07/b/index.html");
    let img = first(&doc, ".lead-image img");
    assert_eq!(img.value().attr("src"), Some("/world/2025/03/07/b/pic.png"));
    assert_eq!(img.value().attr("alt"), Some("Flooded street in Alpha Bay"));
    let doc = page(out.path(), "world/2025/03/07/c/index.html");
    let img = first(&doc, ".lead-image img");
    assert_eq!(img.value().attr("src"), Some("/deco.png"));
    assert_eq!(img.value().attr("alt"), Some(""));
    assert_eq!(first(&doc, "html").value().attr("lang"), Some("en-NZ"));
}

#[test]
fn day_archive_has_calendar_and_neighbouring_days() {
    let site = fixture();
    let out = site.build(&[]);
    let doc = page(out.path(), "2025/03/07/index.html");
    let h1 = first(&doc, "h1 time");
    assert_eq!(h1.value().attr("datetime"), Some("2025-03-07"));
    assert_eq!(text(h1), "Friday 7 March 2025");
    assert_eq!(
        attrs(&doc, r#".archive-nav a[rel="prev"]"#, "href"),
        ["/2025/03/03/"]
    );
    assert_eq!(
        attrs(&doc, r#".archive-nav a[rel="next"]"#, "href"),
        ["/2025/04/01/"]
    );
    // March 2025 starts on a Saturday: five empty cells, then 31 days.
    let cal = first(&doc, ".calendar table");
    let cells: Vec<ElementRef> = cal.select(&sel("tbody td")).collect();
    assert_eq!(cells.len() % 7, 0);
    assert!(cells[..5].iter().all(|c| text(*c).is_empty()));
    assert_eq!(text(cells[5]), "1");
    let days: Vec<String> = cal.select(&sel("tbody td time")).map(text).collect();
    assert_eq!(days.len(), 31);
    let linked = attrs(&doc, ".calendar tbody a", "href");
    assert_eq!(linked, ["/2025/03/03/", "/2025/03/07/"]);
    assert_eq!(
        attrs(&doc, r#".calendar a[aria-current="page"]"#, "href"),
        ["/2025/03/07/"]
    );
    assert_eq!(
        attrs(&doc, ".calendar td.current a", "href"),
        ["/2025/03/07/"]
    );
    assert_eq!(
        attrs(&doc, ".calendar tbody a", "title"),
        ["1 article", "2 articles"]
    );
    // The month page shows the same calendar with no current day.
    let month = page(out.path(), "2025/03/index.html");
    assert_eq!(count(&month, ".calendar td.current"), 0);
    assert_eq!(count(&month, r#".calendar [aria-current]"#), 0);
    assert_eq!(
        attrs(&month, ".calendar tbody a", "href"),
        ["/2025/03/03/", "/2025/03/07/"]
    );
    // The footer's date archive link is the year of the newest article.
    let footer: Vec<String> = doc
        .select(&sel(".footer-nav a"))
        .filter(|a| text(*a) == "Archive by date")
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert_eq!(footer, ["/2025/"]);
    let headers: Vec<String> = cal.select(&sel("thead th")).map(text).collect();
    assert_eq!(headers, ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]);
    // Up-links to the month and year.
    let up = attrs(&doc, ".page-intro a", "href");
    assert_eq!(up, ["/2025/", "/2025/03/"]);
    // Only times of day in a day's list: the date is in the heading.
    let listed: Vec<String> = doc
        .select(&sel(".story-list .story-date"))
        .map(text)
        .collect();
    assert_eq!(listed, ["18:05", "10:30"]);
}

#[test]
fn month_and_year_archives_navigate_and_show_months() {
    let site = fixture();
    let out = site.build(&[]);
    let doc = page(out.path(), "2025/04/index.html");
    assert_eq!(
        attrs(&doc, r#".archive-nav a[rel="prev"]"#, "href"),
        ["/2025/03/"]
    );
    assert_eq!(count(&doc, r#".archive-nav a[rel="next"]"#), 0);
    assert_eq!(
        attrs(&doc, ".calendar tbody a", "href"),
        ["/2025/04/01/", "/2025/04/02/"]
    );
    let year = page(out.path(), "2025/index.html");
    let months: Vec<ElementRef> = year.select(&sel(".year-months li")).collect();
    assert_eq!(months.len(), 12);
    let linked: Vec<String> = year.select(&sel(".year-months a")).map(text).collect();
    assert_eq!(linked, ["March 3 articles", "April 2 articles"]);
    // A section's archive navigates within the section.
    let doc = page(out.path(), "world/2025/03/index.html");
    assert_eq!(
        attrs(&doc, r#".archive-nav a[rel="next"]"#, "href"),
        ["/world/2025/04/"]
    );
    assert_eq!(text(first(&doc, ".page-header .kicker")), "World");
}

#[test]
fn section_page_leads_with_newest_story_and_paginates_with_numbers() {
    let site = fixture();
    let out = site.build(&[]);
    // World has 4 articles, per_page = 2: two pages.
    let doc = page(out.path(), "world/index.html");
    assert_eq!(text(first(&doc, ".section-lead h2")), "Delta");
    let listed: Vec<String> = doc
        .select(&sel(".story-list .story-title"))
        .map(text)
        .collect();
    assert_eq!(listed, ["Charlie"]);
    assert_eq!(
        count(&doc, ".story-list .kicker"),
        0,
        "no section label on its own page"
    );
    let pages: Vec<String> = doc.select(&sel(".pagination li")).map(text).collect();
    assert_eq!(pages, ["1", "2"]);
    assert_eq!(
        text(first(&doc, r#".pagination [aria-current="page"]"#)),
        "1"
    );
    assert_eq!(
        attrs(&doc, r#".pagination a[rel="next"]"#, "href"),
        ["/world/page/2/"]
    );
    let doc = page(out.path(), "world/page/2/index.html");
    assert_eq!(count(&doc, ".section-lead"), 0);
    let listed: Vec<String> = doc
        .select(&sel(".story-list .story-title"))
        .map(text)
        .collect();
    assert_eq!(listed, ["Bravo", "Alpha"]);
    assert_eq!(
        attrs(&doc, r#".pagination a[rel="prev"]"#, "href"),
        ["/world/"]
    );
    assert_eq!(text(first(&doc, "h1")), "World page 2 of 2");
}

#[test]
fn every_link_honours_a_sub_path_base_url() {
    let site = fixture();
    let out = site.build(&["--base-url", "https://example.org/news/"]);
    let pages = html_files(out.path());
    assert!(!pages.is_empty());
    for (path, doc) in &pages {
        for s in [
            "a[href]",
            "link[href]",
            "img[src]",
            "script[src]",
            "form[action]",
        ] {
            let attr = match s {
                "img[src]" | "script[src]" => "src",
                "form[action]" => "action",
                _ => "href",
            };
            for u in attrs(doc, s, attr) {
                if u.starts_with('/') {
                    assert!(
                        u.starts_with("/news/"),
                        "{path}: {s} {u} ignores the sub-path"
                    );
                }
            }
        }
    }
    let doc = page(out.path(), "index.html");
    assert_eq!(
        attrs(&doc, "link[rel=stylesheet]", "href"),
        ["/news/style.css"]
    );
}

#[test]
fn fixture_pages_are_structurally_sound_too() {
    // The same landmark/h1/time rules on a site with other settings and content.
    let site = fixture();
    let out = site.build(&[]);
    let pages: BTreeMap<String, Html> = html_files(out.path());
    for (path, doc) in &pages {
        if is_redirect(doc) {
            continue;
        }
        assert_eq!(count(doc, "h1"), 1, "{path}");
        assert_eq!(count(doc, "main#main"), 1, "{path}");
        for t in doc.select(&sel("time")) {
            assert!(
                t.value().attr("datetime").is_some_and(valid_datetime),
                "{path}"
            );
        }
        let loose = unmarked_dates(doc);
        assert!(loose.is_empty(), "{path}: {loose:?}");
    }
}

// ---- an editor's day (issue 15) -------------------------------------------------------------

#[test]
fn the_first_paragraph_shows_once_when_there_is_no_summary() {
    let site = fixture();
    site.article(
        "world/2025-04-03-f.md",
        "title = \"Foxtrot\"\ndate = 2025-04-03T09:00:00+13:00",
        "Only paragraph here.\n\nSecond paragraph.",
    );
    let out = site.build(&[]);
    let doc = page(out.path(), "world/2025/04/03/f/index.html");
    assert_eq!(
        count(&doc, ".standfirst"),
        0,
        "the body's first paragraph doubled"
    );
    let body = text(first(&doc, ".article-body"));
    assert_eq!(body.matches("Only paragraph here.").count(), 1);
    // Lists and the description still use it.
    assert_eq!(
        attrs(&doc, "meta[name=description]", "content"),
        ["Only paragraph here."]
    );
    // A written summary is the standfirst.
    let doc = page(out.path(), "world/2025/03/03/a/index.html");
    assert_eq!(text(first(&doc, ".standfirst")), "Alpha summary.");
}

#[test]
fn date_only_articles_show_the_day_without_a_time() {
    let site = fixture();
    site.article(
        "world/2025-04-03-g.md",
        "title = \"Golf\"\ndate = 2025-04-03\nupdated = \"2025-04-04\"",
        "Body.",
    );
    let out = site.build(&[]);
    let doc = page(out.path(), "world/2025/04/03/g/index.html");
    assert_eq!(text(first(&doc, ".dateline time")), "Thursday 3 April 2025");
    assert_eq!(
        text(first(&doc, ".dateline .updated")),
        "Updated 4 April 2025"
    );
    for rel in [
        "world/2025/04/03/g/index.html",
        "world/index.html",
        "2025/04/03/index.html",
        "index.html",
    ] {
        let html = std::fs::read_to_string(out.path().join(rel)).unwrap();
        assert!(!html.contains(">00:00<"), "{rel} shows 00:00");
    }
    // Articles with a time keep it.
    let doc = page(out.path(), "world/2025/04/01/d/index.html");
    assert!(text(first(&doc, ".dateline time")).ends_with("12:00 NZDT"));
}

#[test]
fn later_pages_of_a_list_say_which_page_in_their_title() {
    let out = fixture().build(&[]);
    let title = |rel: &str| text(first(&page(out.path(), rel), "title"));
    assert_eq!(title("world/index.html"), "World | Fixture Times");
    assert_eq!(
        title("world/page/2/index.html"),
        "World (page 2 of 2) | Fixture Times"
    );
    assert_eq!(
        title("2025/page/2/index.html"),
        "2025 (page 2 of 3) | Fixture Times"
    );
}

#[test]
fn a_section_named_news_reads_naturally() {
    let site = Site::new(&FIXTURE_TOML.replace("title = \"World\"", "title = \"News\""));
    site.article("world/a.md", "title = \"A\"\ndate = 2025-03-03", "x");
    site.article("world/b.md", "title = \"B\"\ndate = 2025-03-04", "x");
    site.article("sport/c.md", "title = \"C\"\ndate = 2025-03-04", "x");
    site.article("sport/d.md", "title = \"D\"\ndate = 2025-03-05", "x");
    let out = site.build(&[]);
    for (path, doc) in html_files(out.path()) {
        let all = text(doc.root_element());
        assert!(!all.contains("News news"), "{path}: {all}");
        assert!(!all.contains("time time"), "{path}");
    }
    let doc = page(out.path(), "world/2025/03/03/a/index.html");
    assert_eq!(text(first(&doc, ".other-news h2")), "Other News");
    assert!(
        text(first(&doc, ".colophon"))
            .ends_with("All times are in the Pacific/Auckland time zone.")
    );
    let doc = page(out.path(), "sport/2025/03/04/c/index.html");
    assert_eq!(text(first(&doc, ".other-news h2")), "Other Sport news");
}

/// The value of query parameter `key` in `href`, percent-decoded.
fn query_param(href: &str, key: &str) -> Option<String> {
    let query = href.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8()
                .unwrap()
                .into_owned()
        })
    })
}

#[test]
fn share_links_are_plain_links_carrying_the_article_url() {
    let site = fixture();
    site.article(
        "world/2025-04-03-h.md",
        "title = \"Rates & fees: 50% up?\"\ndate = 2025-04-03T09:00:00+13:00",
        "x",
    );
    let out = site.build(&[]);
    let doc = page(out.path(), "world/2025/04/03/h/index.html");
    let permalink = "https://fixture.example.org/world/2025/04/03/h/";
    let title = "Rates & fees: 50% up?";
    let links: Vec<&str> = attrs(&doc, ".share a", "href");
    let names: Vec<String> = doc.select(&sel(".share a")).map(text).collect();
    assert_eq!(
        names,
        [
            "E-mail", "Mastodon", "Bluesky", "X", "Facebook", "LinkedIn", "WhatsApp"
        ]
    );
    let by_name = |n: &str| links[names.iter().position(|x| x == n).unwrap()];
    assert!(by_name("E-mail").starts_with("mailto:?"));
    assert_eq!(
        query_param(by_name("E-mail"), "subject").as_deref(),
        Some(title)
    );
    assert_eq!(
        query_param(by_name("E-mail"), "body").as_deref(),
        Some(permalink)
    );
    for n in ["Mastodon", "X"] {
        assert_eq!(
            query_param(by_name(n), "url").as_deref(),
            Some(permalink),
            "{n}"
        );
        assert_eq!(
            query_param(by_name(n), "text").as_deref(),
            Some(title),
            "{n}"
        );
    }
    assert_eq!(
        query_param(by_name("Facebook"), "u").as_deref(),
        Some(permalink)
    );
    assert_eq!(
        query_param(by_name("LinkedIn"), "url").as_deref(),
        Some(permalink)
    );
    for n in ["Bluesky", "WhatsApp"] {
        assert_eq!(
            query_param(by_name(n), "text"),
            Some(format!("{title} {permalink}")),
            "{n}"
        );
    }
    // Nothing is loaded from those sites: links only, no scripts, images or frames.
    assert_eq!(count(&doc, ".share script, .share img, .share iframe"), 0);
}

#[test]
fn urlencode_filters_work_in_site_templates() {
    let site = fixture();
    site.write(
        "themes/default/templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"u\">{{ \"a b&c/d~é\" | urlencode }}</p>\
         <p id=\"s\">{{ \"a b&c/d~é\" | urlencode_strict }}</p>{% endblock content %}",
    );
    let out = site.build(&[]);
    let doc = page(out.path(), "404.html");
    assert_eq!(text(first(&doc, "#u")), "a%20b%26c/d~%C3%A9");
    assert_eq!(text(first(&doc, "#s")), "a%20b%26c%2Fd%7E%C3%A9");
}

#[test]
fn section_pages_link_their_feed_and_lists_mark_updates() {
    let out = fixture().build(&[]);
    let doc = page(out.path(), "world/index.html");
    let feed = first(&doc, ".feed-link a");
    assert_eq!(feed.value().attr("href"), Some("/world/feed.xml"));
    assert!(out.path().join("world/feed.xml").is_file());
    // Charlie (updated 8 March) is on the section's first page, in the list below the lead.
    let marks: Vec<&str> = attrs(&doc, ".updated-mark time", "datetime");
    assert_eq!(marks, ["2025-03-08T08:00:00+13:00"]);
    let doc = page(out.path(), "2025/03/index.html");
    assert_eq!(count(&doc, ".story-list .updated-mark"), 1);
}

#[test]
fn every_page_has_an_icon_and_a_logo_can_replace_the_title() {
    let site = fixture();
    let out = site.build(&[]);
    for (path, doc) in html_files(out.path()) {
        if is_redirect(&doc) {
            continue;
        }
        assert_eq!(
            attrs(&doc, "link[rel=icon]", "href"),
            ["/favicon.svg"],
            "{path}"
        );
    }
    assert!(out.path().join("favicon.svg").is_file());

    let site = Site::new(&FIXTURE_TOML.replace(
        "per_page = 2",
        "per_page = 2\nfavicon = \"img/icon.png\"\nlogo = \"/img/logo.svg\"",
    ));
    site.article("world/a.md", "title = \"A\"\ndate = 2025-03-03", "x");
    site.write("static/img/icon.png", "png");
    site.write(
        "static/img/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    let out = site.build(&["--base-url", "https://fixture.example.org/news/"]);
    let doc = page(out.path(), "index.html");
    assert_eq!(
        attrs(&doc, "link[rel=icon]", "href"),
        ["/news/img/icon.png"]
    );
    let logo = first(&doc, ".masthead .brand img");
    assert_eq!(logo.value().attr("src"), Some("/news/img/logo.svg"));
    assert_eq!(logo.value().attr("alt"), Some("Fixture Times"));
}

#[test]
fn phones_wrap_the_section_bar_and_a_lead_without_image_fills_its_row() {
    let out = fixture().build(&[]);
    let css = std::fs::read_to_string(out.path().join("style.css")).unwrap();
    // Below 40em the section links wrap onto more lines instead of scrolling out of sight.
    assert!(
        css.contains("@media (max-width:40em){.sections ul{flex-wrap:wrap;"),
        "section bar does not wrap on phones"
    );
    // Wide screens: a lead story without image spans the whole row (no empty column beside it).
    assert!(css.contains(".top-grid>.teaser-lead:not(.has-image){grid-column:1/-1"));
    // The rule keys on the lead teaser's class, which an imageless lead lacks.
    let site = Site::new(FIXTURE_TOML);
    site.article(
        "world/a.md",
        "title = \"A\"\ndate = 2025-03-03\nfeatured = true",
        "x",
    );
    site.article(
        "world/b.md",
        "title = \"B\"\ndate = 2025-03-02\nfeatured = true",
        "x",
    );
    let out = site.build(&[]);
    let doc = page(out.path(), "index.html");
    let lead = first(&doc, ".top-grid > .teaser-lead");
    assert!(!lead.value().classes().any(|c| c == "has-image"));
}
