//! Feeds, head tags and JSON-LD of built fixture sites, read back with independent parsers:
//! feed-rs (feeds), roxmltree (XML), scraper (HTML) and serde_json (JSON-LD, JSON Feed).

mod seo_fixture;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::DateTime;
use feed_rs::model::{Entry, Feed, FeedType};
use scraper::{Html, Selector};
use seo_fixture::*;

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

fn parse_feed(path: &Path) -> Feed {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn alternate(e: &Entry) -> String {
    e.links
        .iter()
        .find(|l| l.rel.as_deref() == Some("alternate"))
        .map(|l| l.href.clone())
        .unwrap_or_else(|| panic!("entry {} has no alternate link", e.id))
}

fn entry<'a>(feed: &'a Feed, url_part: &str) -> &'a Entry {
    feed.entries
        .iter()
        .find(|e| alternate(e).contains(url_part))
        .unwrap_or_else(|| panic!("no entry for {url_part}"))
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("selector")
}

fn meta(doc: &Html, selector: &str) -> Option<String> {
    doc.select(&sel(selector))
        .next()
        .and_then(|e| e.value().attr("content").map(str::to_string))
}

/// Every JSON-LD block of a page, parsed.
fn json_ld(doc: &Html) -> Vec<serde_json::Value> {
    doc.select(&sel(r#"script[type="application/ld+json"]"#))
        .map(|s| {
            let text: String = s.text().collect();
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON-LD {e}: {text}"))
        })
        .collect()
}

/// The node of `@graph` with the given type.
fn node<'a>(ld: &'a serde_json::Value, ty: &str) -> &'a serde_json::Value {
    ld["@graph"]
        .as_array()
        .expect("@graph")
        .iter()
        .find(|n| n["@type"] == ty)
        .unwrap_or_else(|| panic!("no {ty} in {ld}"))
}

#[test]
fn site_and_section_feeds_are_atom_with_newest_entries() {
    let site = news_site("");
    let out = site.build("a");
    let feed = parse_feed(&out.join("feed.xml"));
    assert_eq!(feed.feed_type, FeedType::Atom);
    assert_eq!(
        feed.title.as_ref().map(|t| t.content.as_str()),
        Some(SITE_TITLE)
    );
    let self_link = feed.links.iter().find(|l| l.rel.as_deref() == Some("self"));
    assert_eq!(
        self_link.map(|l| l.href.as_str()),
        Some("https://example.org/news/feed.xml")
    );
    assert!(feed.updated.is_some());
    // Five published articles (the future one is left out), newest first.
    assert_eq!(feed.entries.len(), 5);
    let published: Vec<_> = feed
        .entries
        .iter()
        .map(|e| e.published.expect("published"))
        .collect();
    assert!(published.windows(2).all(|w| w[0] >= w[1]), "{published:?}");
    for e in &feed.entries {
        assert!(e.id.starts_with("tag:example.org,2025-"), "{}", e.id);
        let link = alternate(e);
        assert!(
            file_of_url(&out, BASE, &link).is_file(),
            "{link} has no page"
        );
        assert!(e.updated.is_some() && e.title.is_some() && e.summary.is_some());
        assert!(e.content.as_ref().and_then(|c| c.body.as_ref()).is_some());
    }
    let budget = entry(&feed, "/budget/");
    let names: Vec<_> = budget
        .authors
        .iter()
        .filter_map(|p| p.name.clone())
        .collect();
    assert_eq!(names, ["José Álvarez", "Aroha Ngata"]);

    let expected = [("politics", 2), ("sport", 2), ("world", 1), ("empty", 0)];
    for (section, count) in expected {
        let f = parse_feed(&out.join(section).join("feed.xml"));
        assert_eq!(f.feed_type, FeedType::Atom);
        assert_eq!(f.entries.len(), count, "{section}");
        assert!(f.updated.is_some(), "{section} feed needs <updated>");
        let prefix = format!("{BASE}{section}/");
        for e in &f.entries {
            assert!(
                alternate(e).starts_with(&prefix),
                "{} in {section}",
                alternate(e)
            );
        }
        let self_link = f.links.iter().find(|l| l.rel.as_deref() == Some("self"));
        assert_eq!(
            self_link.map(|l| l.href.clone()),
            Some(format!("{prefix}feed.xml"))
        );
    }
}

#[test]
fn timestamps_keep_the_site_offset() {
    let site = news_site("");
    let out = site.build("t");
    let text = read(&out.join("feed.xml"));
    let doc = roxmltree::Document::parse(&text).expect("feed.xml is XML");
    assert_eq!(doc.root_element().tag_name().namespace(), Some(ATOM_NS));
    let mut stamps = BTreeMap::new();
    for entry in doc
        .descendants()
        .filter(|n| n.has_tag_name((ATOM_NS, "entry")))
    {
        let child = |name: &str| {
            entry
                .children()
                .find(|n| n.has_tag_name((ATOM_NS, name)))
                .and_then(|n| n.text())
                .unwrap_or_else(|| panic!("entry without {name}"))
                .to_string()
        };
        for stamp in [child("published"), child("updated")] {
            DateTime::parse_from_rfc3339(&stamp).expect("RFC 3339");
            assert!(stamp.ends_with("+13:00"), "{stamp} lost the NZDT offset");
        }
        stamps.insert(child("title"), (child("published"), child("updated")));
    }
    assert_eq!(
        stamps["Council approves cycle lane"],
        (
            "2025-10-30T18:07:00+13:00".to_string(),
            "2025-10-31T09:00:00+13:00".to_string()
        )
    );
}

#[test]
fn entry_content_uses_absolute_urls() {
    let site = news_site("");
    let out = site.build("c");
    let feed = parse_feed(&out.join("feed.xml"));
    let html = entry(&feed, "/budget/")
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .expect("content");
    let frag = Html::parse_fragment(&html);
    let imgs: Vec<_> = frag
        .select(&sel("img"))
        .filter_map(|e| e.value().attr("src"))
        .collect();
    let chart = "https://example.org/news/politics/2025/11/02/budget/chart.png";
    // The lead image first, then the one in the body: both absolute, both served.
    assert_eq!(imgs, [chart, chart]);
    assert!(file_of_url(&out, BASE, chart).is_file());
    let links: Vec<_> = frag
        .select(&sel("a"))
        .filter_map(|e| e.value().attr("href"))
        .collect();
    assert_eq!(
        links,
        ["https://example.org/news/sport/", "https://e.com/x"]
    );
    assert!(frag.select(&sel("h2#numbers")).next().is_some(), "{html}");

    let lane = entry(&feed, "/cycle-lane/")
        .content
        .as_ref()
        .and_then(|c| c.body.clone());
    let frag = Html::parse_fragment(&lane.expect("content"));
    let links: Vec<_> = frag
        .select(&sel("a"))
        .filter_map(|e| e.value().attr("href"))
        .collect();
    assert_eq!(links, ["https://example.org/news/politics/"]);
}

#[test]
fn feed_length_is_configurable() {
    let site = news_site("[feeds]\nlimit = 2");
    let out = site.build("l");
    let feed = parse_feed(&out.join("feed.xml"));
    let titles: Vec<_> = feed
        .entries
        .iter()
        .filter_map(|e| e.title.clone())
        .map(|t| t.content)
        .collect();
    assert_eq!(titles, [HOSTILE_TITLE, "Budget day"]);
    assert_eq!(parse_feed(&out.join("politics/feed.xml")).entries.len(), 2);
    let json: serde_json::Value =
        serde_json::from_str(&read(&out.join("feed.json"))).expect("json");
    assert_eq!(json["items"].as_array().map(Vec::len), Some(2));
}

#[test]
fn entry_ids_survive_new_articles_and_a_moved_base_path() {
    let site = news_site("");
    let ids = |out: &Path| -> BTreeMap<String, String> {
        parse_feed(&out.join("feed.xml"))
            .entries
            .iter()
            .map(|e| (e.title.clone().expect("title").content, e.id.clone()))
            .collect()
    };
    let before = ids(&site.build("1"));
    assert_eq!(
        before.values().collect::<BTreeSet<_>>().len(),
        before.len(),
        "ids are unique"
    );
    site.article(
        "sport/2025-11-03-new.md",
        "title = \"Breaking\"\ndate = 2025-11-03T10:00:00+13:00",
        "New.",
    );
    let mut opts = site.options("2");
    opts.base_url = Some("https://example.org/archive/".into());
    newsgen::build(&opts).expect("build");
    let after = ids(&opts.output_dir());
    assert_eq!(after.len(), before.len() + 1);
    for (title, id) in &before {
        assert_eq!(after.get(title), Some(id), "id of {title} changed");
    }
}

#[test]
fn hostile_text_survives_intact_in_html_xml_and_json() {
    let site = news_site("");
    let out = site.build("h");
    // Atom, through a feed parser and through a plain XML parser.
    let feed = parse_feed(&out.join("feed.xml"));
    let e = entry(&feed, "/hostile/");
    assert_eq!(
        e.title.as_ref().map(|t| t.content.as_str()),
        Some(HOSTILE_TITLE)
    );
    assert_eq!(
        e.summary.as_ref().map(|t| t.content.as_str()),
        Some(HOSTILE_SUMMARY)
    );
    assert_eq!(e.authors[0].name.as_deref(), Some("Ngaio & <Co>"));
    let xml = read(&out.join("world/feed.xml"));
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let title = doc
        .descendants()
        .find(|n| n.has_tag_name((ATOM_NS, "entry")))
        .and_then(|e| e.children().find(|n| n.has_tag_name((ATOM_NS, "title"))))
        .and_then(|n| n.text());
    assert_eq!(title, Some(HOSTILE_TITLE));
    let content = doc
        .descendants()
        .find(|n| n.has_tag_name((ATOM_NS, "content")))
        .and_then(|n| n.text())
        .expect("content");
    assert!(
        content.contains("]]&gt; sequence &amp; more") && content.contains("<em>raw html</em>")
    );
    // JSON Feed.
    let json: serde_json::Value =
        serde_json::from_str(&read(&out.join("feed.json"))).expect("json");
    assert_eq!(json["items"][0]["title"], HOSTILE_TITLE);
    assert_eq!(json["items"][0]["summary"], HOSTILE_SUMMARY);

    // The article page: title, meta tags, JSON-LD.
    let raw = read(&out.join("world/2025/11/03/hostile/index.html"));
    assert!(
        !raw.contains("</script><script>alert"),
        "the title broke out of a tag"
    );
    let doc = Html::parse_document(&raw);
    let title: String = doc
        .select(&sel("head > title"))
        .next()
        .expect("title")
        .text()
        .collect();
    assert_eq!(title, format!("{HOSTILE_TITLE} | {SITE_TITLE}"));
    let h1: String = doc.select(&sel("h1")).next().expect("h1").text().collect();
    assert_eq!(h1, HOSTILE_TITLE);
    for tag in [
        r#"meta[property="og:title"]"#,
        r#"meta[name="twitter:title"]"#,
    ] {
        assert_eq!(meta(&doc, tag).as_deref(), Some(HOSTILE_TITLE), "{tag}");
    }
    for tag in [
        r#"meta[name="description"]"#,
        r#"meta[property="og:description"]"#,
        r#"meta[name="twitter:description"]"#,
    ] {
        assert_eq!(meta(&doc, tag).as_deref(), Some(HOSTILE_SUMMARY), "{tag}");
    }
    let ld = json_ld(&doc);
    assert_eq!(ld.len(), 1);
    let article = node(&ld[0], "NewsArticle");
    assert_eq!(article["headline"], HOSTILE_TITLE);
    assert_eq!(article["description"], HOSTILE_SUMMARY);
    assert_eq!(article["author"][0]["name"], "Ngaio & <Co>");
    // No script element runs the title: every script is either JSON-LD (parsed above) or the
    // theme's own code, and none holds the payload.
    for s in doc.select(&sel("script")) {
        let is_ld = s.value().attr("type") == Some("application/ld+json");
        let text: String = s.text().collect();
        assert!(
            is_ld || !text.contains("alert(1)"),
            "injected script: {text}"
        );
    }
}

#[test]
fn every_page_advertises_feeds_and_a_canonical_url() {
    let site = news_site("");
    let out = site.build("d");
    let mut checked = 0;
    for rel in files(&out).into_iter().filter(|f| f.ends_with(".html")) {
        let doc = Html::parse_document(&read(&out.join(&rel)));
        if doc
            .select(&sel(r#"meta[http-equiv="refresh"]"#))
            .next()
            .is_some()
        {
            continue; // redirect pages point at their target instead
        }
        let feeds: Vec<String> = doc
            .select(&sel(
                r#"head link[rel="alternate"][type="application/atom+xml"]"#,
            ))
            .filter_map(|l| l.value().attr("href").map(str::to_string))
            .collect();
        assert!(
            feeds.contains(&"/news/feed.xml".to_string()),
            "{rel}: {feeds:?}"
        );
        let distinct: BTreeSet<&String> = feeds.iter().collect();
        assert_eq!(
            distinct.len(),
            feeds.len(),
            "{rel} links a feed twice: {feeds:?}"
        );
        for f in &feeds {
            let file = out.join(f.strip_prefix("/news/").expect("under the base path"));
            assert!(file.is_file(), "{rel} links the missing feed {f}");
        }
        let json = doc
            .select(&sel(r#"head link[type="application/feed+json"]"#))
            .next();
        assert_eq!(
            json.and_then(|l| l.value().attr("href")),
            Some("/news/feed.json")
        );
        let section = rel.split('/').next().unwrap_or("");
        if ["politics", "sport", "world", "empty"].contains(&section) {
            let want = format!("/news/{section}/feed.xml");
            assert!(
                feeds.contains(&want),
                "{rel} lacks its section feed: {feeds:?}"
            );
        }
        let canonical = doc
            .select(&sel(r#"link[rel="canonical"]"#))
            .next()
            .and_then(|l| l.value().attr("href").map(str::to_string));
        // Search engines ask sites to keep search result pages and the 404 page out.
        let noindex = ["404.html", "search/index.html"].contains(&rel.as_str());
        let robots = meta(&doc, r#"meta[name="robots"]"#);
        assert_eq!(robots.as_deref(), noindex.then_some("noindex"), "{rel}");
        if rel == "404.html" {
            assert_eq!(canonical, None);
        } else {
            let canonical = canonical.unwrap_or_else(|| panic!("{rel} has no canonical link"));
            assert_eq!(file_of_url(&out, BASE, &canonical), out.join(&rel));
            assert_eq!(meta(&doc, r#"meta[property="og:url"]"#), Some(canonical));
            assert_eq!(json_ld(&doc).len(), 1, "{rel}");
        }
        checked += 1;
    }
    assert!(checked > 30, "only {checked} pages checked");
}

#[test]
fn structured_data_of_articles_sections_and_front_page() {
    let site = news_site("");
    // A third politics article, so that politics has a page 2 (per_page = 2).
    site.article(
        "politics/2025-10-20-ferry.md",
        "title = \"Ferry timetable\"\ndate = 2025-10-20T07:00:00+13:00",
        "Changes.",
    );
    let out = site.build("s");
    let doc = Html::parse_document(&read(
        &out.join("politics/2025/10/30/cycle-lane/index.html"),
    ));
    let ld = json_ld(&doc);
    let a = node(&ld[0], "NewsArticle");
    assert_eq!(a["headline"], "Council approves cycle lane");
    assert_eq!(a["datePublished"], "2025-10-30T18:07:00+13:00");
    assert_eq!(a["dateModified"], "2025-10-31T09:00:00+13:00");
    assert_eq!(a["author"][0]["name"], "Aroha Ngata");
    assert_eq!(
        a["author"][0]["url"],
        "https://example.org/news/authors/aroha-ngata/"
    );
    assert_eq!(a["publisher"]["name"], SITE_TITLE);
    assert_eq!(a["articleSection"], "Politics");
    assert_eq!(a["isPartOf"]["@type"], "WebSite");
    assert_eq!(a["isPartOf"]["url"], BASE);
    assert_eq!(
        a["mainEntityOfPage"]["@id"],
        "https://example.org/news/politics/2025/10/30/cycle-lane/"
    );
    let crumbs = node(&ld[0], "BreadcrumbList");
    let items: Vec<_> = crumbs["itemListElement"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["position"].as_u64(),
                i["name"].as_str(),
                i["item"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            (Some(1), Some("Home"), Some(BASE)),
            (
                Some(2),
                Some("Politics"),
                Some("https://example.org/news/politics/")
            )
        ]
    );
    assert_eq!(
        meta(&doc, r#"meta[property="og:type"]"#).as_deref(),
        Some("article")
    );
    assert_eq!(
        meta(&doc, r#"meta[property="og:locale"]"#).as_deref(),
        Some("en_NZ")
    );
    assert_eq!(
        meta(&doc, r#"meta[property="article:modified_time"]"#).as_deref(),
        Some("2025-10-31T09:00:00+13:00")
    );
    assert_eq!(
        meta(&doc, r#"meta[name="twitter:card"]"#).as_deref(),
        Some("summary")
    );

    // The bundle's lead image: absolute in og:image, twitter:image and JSON-LD.
    let doc = Html::parse_document(&read(&out.join("politics/2025/11/02/budget/index.html")));
    let chart = "https://example.org/news/politics/2025/11/02/budget/chart.png";
    assert_eq!(
        meta(&doc, r#"meta[property="og:image"]"#).as_deref(),
        Some(chart)
    );
    assert_eq!(
        meta(&doc, r#"meta[name="twitter:image"]"#).as_deref(),
        Some(chart)
    );
    assert_eq!(
        meta(&doc, r#"meta[name="twitter:card"]"#).as_deref(),
        Some("summary_large_image")
    );
    assert_eq!(node(&json_ld(&doc)[0], "NewsArticle")["image"][0], chart);

    // A section page (and its page 2): CollectionPage in the WebSite, with breadcrumbs.
    for rel in ["politics/index.html", "politics/page/2/index.html"] {
        let ld = json_ld(&Html::parse_document(&read(&out.join(rel))));
        let page = node(&ld[0], "CollectionPage");
        assert_eq!(page["name"], "Politics");
        assert_eq!(page["description"], "Politics & power");
        assert_eq!(page["isPartOf"]["@id"], node(&ld[0], "WebSite")["@id"]);
        let items = node(&ld[0], "BreadcrumbList")["itemListElement"]
            .as_array()
            .map(Vec::len);
        assert_eq!(items, Some(2));
    }
    // The front page: the WebSite itself.
    let doc = Html::parse_document(&read(&out.join("index.html")));
    let ld = json_ld(&doc);
    let web = node(&ld[0], "WebSite");
    assert_eq!(web["name"], SITE_TITLE);
    assert_eq!(web["url"], BASE);
    assert_eq!(
        meta(&doc, r#"meta[property="og:type"]"#).as_deref(),
        Some("website")
    );
}

#[test]
fn json_feed_follows_version_1_1() {
    let site = news_site("");
    let out = site.build("j");
    let text = read(&out.join("feed.json"));
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["feed_url"], "https://example.org/news/feed.json");
    assert_eq!(json["home_page_url"], BASE);
    let items = json["items"].as_array().expect("items");
    assert_eq!(items.len(), 5);
    let atom = parse_feed(&out.join("feed.xml"));
    for (item, e) in items.iter().zip(&atom.entries) {
        assert_eq!(item["id"], e.id.as_str(), "JSON and Atom ids agree");
        DateTime::parse_from_rfc3339(item["date_published"].as_str().expect("date")).expect("date");
    }
    let parsed = feed_rs::parser::parse(text.as_bytes()).expect("feed-rs reads JSON Feed");
    assert_eq!(parsed.feed_type, FeedType::JSON);
    assert_eq!(parsed.entries.len(), 5);
}

#[test]
fn feeds_are_deterministic() {
    let site = news_site("");
    let (a, b) = (site.build("x"), site.build("y"));
    for f in [
        "feed.xml",
        "politics/feed.xml",
        "feed.json",
        "sitemap.xml",
        "news-sitemap.xml",
    ] {
        let read = |dir: &Path| std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(read(&a), read(&b), "{f}");
    }
}

#[test]
fn every_tag_has_a_summary_feed_linked_from_its_page() {
    let site = news_site("");
    let out = site.build("a");
    let feed = parse_feed(&out.join("tags/economy/feed.xml"));
    assert_eq!(feed.feed_type, FeedType::Atom);
    let self_link = feed.links.iter().find(|l| l.rel.as_deref() == Some("self"));
    assert_eq!(
        self_link.map(|l| l.href.as_str()),
        Some("https://example.org/news/tags/economy/feed.xml")
    );
    assert_eq!(feed.entries.len(), 1);
    let e = &feed.entries[0];
    assert!(alternate(e).contains("/budget/"));
    assert!(e.summary.is_some());
    // Tag entries link to the article instead of carrying its full text.
    assert!(e.content.is_none(), "tag feed entry with content");
    // The same entry id as in the site feed, so readers see one story.
    let site_feed = parse_feed(&out.join("feed.xml"));
    assert_eq!(entry(&site_feed, "/budget/").id, e.id);

    let page = Html::parse_document(
        &std::fs::read_to_string(out.join("tags/economy/index.html")).unwrap(),
    );
    let visible: Vec<_> = page
        .select(&sel("main a[type=\"application/atom+xml\"]"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(visible, ["/news/tags/economy/feed.xml"]);
    let discovered: Vec<_> = page
        .select(&sel("link[rel=alternate][type=\"application/atom+xml\"]"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(
        discovered.contains(&"/news/tags/economy/feed.xml"),
        "{discovered:?}"
    );
    // Authors and sources have no feeds.
    assert!(!out.join("authors/aroha-ngata/feed.xml").exists());
}

/// The JSON-LD text of every page is serde_json's own serialisation of the document it
/// holds (keys in byte order, compact), escaped for `<script>`: the typed nodes of
/// `render::seo` must keep writing exactly what building a `serde_json::Value` wrote.
#[test]
fn json_ld_text_is_serde_jsons_canonical_form() {
    let site = news_site("");
    let out = site.build("a");
    let mut blocks = 0;
    let mut kinds = BTreeSet::new();
    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.expect("walk the output");
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let doc = Html::parse_document(&read(entry.path()));
        for s in doc.select(&sel(r#"script[type="application/ld+json"]"#)) {
            let text: String = s.text().collect();
            let value: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: bad JSON-LD {e}", entry.path().display()));
            let compact = value.to_string();
            let canonical = newsgen::util::escape::escape_json_for_html(&compact);
            assert_eq!(text, canonical, "{}", entry.path().display());
            for n in value["@graph"].as_array().expect("@graph") {
                kinds.insert(n["@type"].as_str().expect("@type").to_string());
            }
            blocks += 1;
        }
    }
    assert!(blocks >= 10, "only {blocks} JSON-LD blocks");
    // Every kind of node was seen, with authors, breadcrumbs and keywords among them.
    for kind in [
        "NewsArticle",
        "CollectionPage",
        "SearchResultsPage",
        "WebSite",
        "BreadcrumbList",
    ] {
        assert!(kinds.contains(kind), "no {kind} node in {kinds:?}");
    }
}
