//! Sitemaps, the news sitemap and robots.txt, read back with an XML parser (roxmltree), plus
//! the protocol's 50,000-URL split on an in-memory site of more than 50,000 pages.

mod common;
mod seo_fixture;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Duration};
use newsgen::generators::sitemap::{Limits, NEWS_NS, SITEMAP_NS, sitemap_files};
use newsgen::model::Site;
use newsgen::model::pages::{Page, plan};
use roxmltree::{Document, Node};
use seo_fixture::*;

/// Texts of the `name` children (in the sitemap namespace) of every `parent` element.
fn child_texts(doc: &Document, parent: &str, name: &str) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name((SITEMAP_NS, parent)))
        .map(|n| {
            n.children()
                .find(|c| c.has_tag_name((SITEMAP_NS, name)))
                .and_then(|c| c.text())
                .unwrap_or_else(|| panic!("<{parent}> without <{name}>"))
                .to_string()
        })
        .collect()
}

/// Parses a sitemap document, checks its root element and namespace, returns its `loc`s.
fn sitemap_locs(xml: &str, root: &str) -> Vec<String> {
    let doc = Document::parse(xml).unwrap_or_else(|e| panic!("not XML: {e}"));
    let r = doc.root_element();
    assert_eq!(r.tag_name().namespace(), Some(SITEMAP_NS));
    assert_eq!(r.tag_name().name(), root);
    let child = if root == "urlset" { "url" } else { "sitemap" };
    for n in r.children().filter(Node::is_element) {
        assert!(
            n.has_tag_name((SITEMAP_NS, child)),
            "unexpected {:?}",
            n.tag_name()
        );
    }
    for lastmod in doc
        .descendants()
        .filter(|n| n.has_tag_name((SITEMAP_NS, "lastmod")))
    {
        let t = lastmod.text().unwrap_or_default();
        DateTime::parse_from_rfc3339(t).unwrap_or_else(|e| panic!("lastmod {t}: {e}"));
    }
    child_texts(&doc, child, "loc")
}

/// The pages a crawler should index: every HTML file except redirects, 404 and search.
fn indexable_pages(out: &Path) -> BTreeSet<String> {
    files(out)
        .into_iter()
        .filter(|f| f.ends_with("index.html"))
        .filter(|f| !f.starts_with("search/"))
        .filter(|f| !read(&out.join(f)).contains("http-equiv=\"refresh\""))
        .map(|f| format!("{BASE}{}", f.trim_end_matches("index.html")))
        .collect()
}

#[test]
fn sitemap_lists_every_indexable_page_once() {
    let site = news_site("");
    let out = site.build("s");
    let xml = read(&out.join("sitemap.xml"));
    let locs = sitemap_locs(&xml, "urlset");
    let unique: BTreeSet<String> = locs.iter().cloned().collect();
    assert_eq!(unique.len(), locs.len(), "duplicate URLs");
    assert_eq!(unique, indexable_pages(&out));
    assert!(unique.contains("https://example.org/news/2025/page/2/"));
    assert!(
        !unique
            .iter()
            .any(|u| u.contains("/old/") || u.ends_with("page/1/"))
    );
    assert!(!unique.iter().any(|u| u.contains("404")));

    // lastmod: an article's is its `updated`; an index's is its newest article's change.
    let doc = Document::parse(&xml).expect("XML");
    let lastmod = |loc: &str| {
        doc.descendants()
            .filter(|n| n.has_tag_name((SITEMAP_NS, "url")))
            .find(|n| n.children().any(|c| c.text() == Some(loc)))
            .and_then(|n| {
                n.children()
                    .find(|c| c.has_tag_name((SITEMAP_NS, "lastmod")))
            })
            .and_then(|c| c.text())
            .map(str::to_string)
    };
    let lane = format!("{BASE}politics/2025/10/30/cycle-lane/");
    assert_eq!(lastmod(&lane).as_deref(), Some("2025-10-31T09:00:00+13:00"));
    assert_eq!(
        lastmod(&format!("{BASE}2025/10/")).as_deref(),
        Some("2025-10-31T09:00:00+13:00")
    );
    assert_eq!(lastmod(BASE).as_deref(), Some("2025-11-03T08:00:00+13:00"));
    assert_eq!(
        lastmod(&format!("{BASE}empty/")),
        None,
        "an empty section has no lastmod"
    );
}

fn load(site: &Fixture) -> (Site, Vec<Page>) {
    // The model as a build makes it: site.toml, the content walk, front matter, build_site.
    let dir = site.path();
    let (config, _) = newsgen::load::config::Config::load(dir).expect("config");
    let tree = newsgen::load::content::walk(dir);
    let (loaded, _) = newsgen::load::read_articles(dir, tree.articles, config.timezone, None);
    let flags = newsgen::model::BuildFlags::default();
    let (model, _) =
        newsgen::model::build_site(config, loaded, tree.assets, flags, now()).expect("model");
    let pages = plan(&model).expect("plan");
    (model, pages)
}

fn as_text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8")
}

/// Checks a split: `sitemap.xml` is an index of every part, each part within `limits`, and the
/// parts together hold `all` in order.
fn check_split(files: &[(String, Vec<u8>)], limits: Limits, all: &[String]) -> usize {
    assert_eq!(files[0].0, "sitemap.xml");
    let index = sitemap_locs(as_text(&files[0].1), "sitemapindex");
    let names: Vec<String> = files[1..]
        .iter()
        .map(|(n, _)| format!("{BASE}{n}"))
        .collect();
    assert_eq!(index, names, "the index lists every part");
    let mut joined = Vec::new();
    for (name, bytes) in &files[1..] {
        assert!(
            bytes.len() <= limits.max_bytes,
            "{name}: {} bytes",
            bytes.len()
        );
        let locs = sitemap_locs(as_text(bytes), "urlset");
        assert!(
            !locs.is_empty() && locs.len() <= limits.max_urls,
            "{name}: {}",
            locs.len()
        );
        joined.extend(locs);
    }
    assert_eq!(joined, all);
    files.len() - 1
}

#[test]
fn sitemap_splits_into_an_index_at_lowered_limits() {
    let site = news_site("");
    let (model, pages) = load(&site);
    let whole = sitemap_files(&model, &pages, Limits::PROTOCOL);
    assert_eq!(whole.len(), 1, "the fixture fits one file");
    let all = sitemap_locs(as_text(&whole[0].1), "urlset");

    let by_count = Limits {
        max_urls: 7,
        max_bytes: Limits::PROTOCOL.max_bytes,
    };
    let parts = check_split(&sitemap_files(&model, &pages, by_count), by_count, &all);
    assert_eq!(parts, all.len().div_ceil(7));

    let by_size = Limits {
        max_urls: 50_000,
        max_bytes: 1_000,
    };
    let parts = check_split(&sitemap_files(&model, &pages, by_size), by_size, &all);
    assert!(parts > 1);
}

#[test]
fn more_than_50000_urls_make_a_sitemap_index() {
    // 26,000 articles, each with its own tag: an article page and a tag page each, plus
    // sections, archives and term lists: more than 50,000 canonical pages, no rendering.
    let start = Instant::now();
    let site = memory_site(26_000, "per_page = 20\n[sections.a]\n[sections.b]\n", |i| {
        let section = if i % 2 == 0 { "a" } else { "b" };
        (
            section.to_string(),
            minutes_ago(i as i64 * 37),
            vec![format!("tag {i}")],
        )
    });
    let pages = plan(&site).expect("plan");
    let canonical = pages.iter().filter(|p| p.kind.is_canonical()).count();
    assert!(canonical > 50_000, "{canonical}");
    let files = sitemap_files(&site, &pages, Limits::PROTOCOL);
    let all: Vec<String> = pages
        .iter()
        .filter(|p| p.kind.is_canonical())
        .map(|p| site.permalink(&p.path))
        .collect();
    let parts = check_split(&files, Limits::PROTOCOL, &all);
    assert_eq!(parts, canonical.div_ceil(50_000));
    let first = sitemap_locs(as_text(&files[1].1), "urlset");
    assert_eq!(first.len(), 50_000, "parts are filled to the limit");
    eprintln!(
        "{canonical} URLs -> index + {parts} parts ({} bytes) in {:?}",
        files.iter().map(|(_, b)| b.len()).sum::<usize>(),
        start.elapsed()
    );
}

#[test]
fn news_sitemap_has_the_last_two_days() {
    let site = news_site("");
    let out = site.build("n");
    let xml = read(&out.join("news-sitemap.xml"));
    let doc = Document::parse(&xml).expect("XML");
    assert_eq!(doc.root_element().tag_name().namespace(), Some(SITEMAP_NS));
    assert_eq!(doc.root_element().tag_name().name(), "urlset");
    let news = |name: &str| -> Vec<String> {
        doc.descendants()
            .filter(|n| n.has_tag_name((NEWS_NS, name)))
            .map(|n| n.text().unwrap_or_default().to_string())
            .collect()
    };
    // now = 3 Nov 12:00: the hostile article (3 Nov 08:00), budget (2 Nov 09:00) and rugby
    // (1 Nov 15:30) are in; 30 Oct, 1 Oct and the future article are not.
    let locs = child_texts(&doc, "url", "loc");
    let want: Vec<String> = [
        "world/2025/11/03/hostile/",
        "politics/2025/11/02/budget/",
        "sport/2025/11/01/rugby/",
    ]
    .iter()
    .map(|p| format!("{BASE}{p}"))
    .collect();
    assert_eq!(locs, want);
    assert_eq!(news("title")[0], HOSTILE_TITLE);
    assert_eq!(news("name"), vec![SITE_TITLE; 3]);
    assert_eq!(
        news("language"),
        vec!["en"; 3],
        "en-NZ becomes ISO 639 `en`"
    );
    assert_eq!(
        news("publication_date"),
        [
            "2025-11-03T08:00:00+13:00",
            "2025-11-02T09:00:00+13:00",
            "2025-11-01T15:30:00+13:00"
        ]
    );
    for loc in &locs {
        assert!(file_of_url(&out, BASE, loc).is_file(), "{loc}");
    }
    // With --future the future article is built, but it is not news yet.
    let mut opts = site.options("f");
    opts.flags.future = true;
    newsgen::build(&opts).expect("build");
    assert!(
        opts.output_dir()
            .join("world/2025/11/05/future/index.html")
            .is_file()
    );
    let doc2 = read(&opts.output_dir().join("news-sitemap.xml"));
    let doc2 = Document::parse(&doc2).expect("XML");
    assert_eq!(child_texts(&doc2, "url", "loc"), locs);
}

#[test]
fn news_sitemap_holds_at_most_1000_articles() {
    let site = memory_site(1_200, "", |i| {
        ("a".into(), minutes_ago(i as i64 + 1), Vec::new())
    });
    let xml = String::from_utf8(newsgen::generators::sitemap::news_sitemap(&site)).expect("UTF-8");
    let doc = Document::parse(&xml).expect("XML");
    let locs = child_texts(&doc, "url", "loc");
    assert_eq!(locs.len(), 1_000);
    assert_eq!(
        locs[0],
        site.permalink(&site.articles.first().expect("articles").path),
        "newest first"
    );
    // An article exactly 48 hours old is in, one a minute older is out.
    let edge = memory_site(2, "", |i| {
        (
            "a".into(),
            now() - Duration::hours(48) - Duration::minutes(i as i64),
            Vec::new(),
        )
    });
    let xml = String::from_utf8(newsgen::generators::sitemap::news_sitemap(&edge)).expect("UTF-8");
    let doc = Document::parse(&xml).expect("XML");
    assert_eq!(
        child_texts(&doc, "url", "loc"),
        [edge.permalink(&edge.articles.first().expect("articles").path)]
    );
}

#[test]
fn cli_build_points_robots_and_sitemaps_at_the_base_url() {
    let site = news_site("");
    let out = site.path().join("cli_out");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_newsgen"))
        .args([
            "build",
            "--base-url",
            "https://mirror.example.com/sub",
            "--output",
        ])
        .arg(&out)
        .arg(site.path())
        .env("SOURCE_DATE_EPOCH", now_epoch().to_string())
        .status()
        .expect("run newsgen");
    assert!(status.success());
    let robots = read(&out.join("robots.txt"));
    let sitemaps: Vec<&str> = robots
        .lines()
        .filter_map(|l| l.strip_prefix("Sitemap: "))
        .collect();
    assert_eq!(
        sitemaps,
        [
            "https://mirror.example.com/sub/sitemap.xml",
            "https://mirror.example.com/sub/news-sitemap.xml"
        ]
    );
    let locs = sitemap_locs(&read(&out.join("sitemap.xml")), "urlset");
    assert!(!locs.is_empty());
    assert!(
        locs.iter()
            .all(|l| l.starts_with("https://mirror.example.com/sub/"))
    );
    let news = Document::parse(&read(&out.join("news-sitemap.xml")))
        .map(|d| child_texts(&d, "url", "loc").len());
    assert_eq!(news.ok(), Some(3), "SOURCE_DATE_EPOCH sets the news window");
}

#[test]
fn example_site_feeds_and_sitemaps_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tempdir");
    let opts = newsgen::BuildOptions {
        site_dir: root.to_path_buf(),
        output: Some(tmp.path().join("public")),
        now: Some(common::example_now()),
        ..Default::default()
    };
    let report = newsgen::build(&opts).expect("the example site builds");
    let out = opts.output_dir();
    let mut feeds = 0;
    let mut entries = 0;
    for f in files(&out)
        .into_iter()
        .filter(|f| f.ends_with("feed.xml") || f == "feed.json")
    {
        let feed = feed_rs::parser::parse(&std::fs::read(out.join(&f)).expect("read")[..])
            .unwrap_or_else(|e| panic!("{f}: {e}"));
        if f.ends_with(".xml") {
            Document::parse(&read(&out.join(&f))).unwrap_or_else(|e| panic!("{f}: {e}"));
        }
        assert!(!feed.entries.is_empty() || f != "feed.xml");
        feeds += 1;
        entries += feed.entries.len();
    }
    let locs = sitemap_locs(&read(&out.join("sitemap.xml")), "urlset");
    assert_eq!(locs.iter().collect::<BTreeSet<_>>().len(), locs.len());
    assert!(
        locs.iter()
            .all(|l| l.starts_with("https://news.example.org/"))
    );
    let news_xml = read(&out.join("news-sitemap.xml"));
    let news = Document::parse(&news_xml).expect("news sitemap is XML");
    let mut ld_blocks = 0;
    for f in files(&out).into_iter().filter(|f| f.ends_with(".html")) {
        let html = scraper::Html::parse_document(&read(&out.join(&f)));
        let sel = scraper::Selector::parse(r#"script[type="application/ld+json"]"#).expect("sel");
        for s in html.select(&sel) {
            let text: String = s.text().collect();
            serde_json::from_str::<serde_json::Value>(&text).unwrap_or_else(|e| panic!("{f}: {e}"));
            ld_blocks += 1;
        }
    }
    eprintln!(
        "example site: {} articles; {feeds} feeds ({entries} entries) read by feed-rs; sitemap {} \
         URLs and news sitemap {} URLs read by roxmltree; {ld_blocks} JSON-LD blocks read by serde_json",
        report.articles,
        locs.len(),
        child_texts(&news, "url", "loc").len()
    );
    assert!(feeds >= 3 && ld_blocks > 100);
    assert!(locs.len() > 100, "sitemap: {} URLs", locs.len());
    // The newest example day (2026-11-26) is inside the 48-hour window of `example_now`.
    assert!(
        child_texts(&news, "url", "loc").len() >= 5,
        "news sitemap: {news_xml}"
    );
}
