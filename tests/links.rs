//! Links of every kind CommonMark and GFM produce, on a site under a sub-path: the link
//! checker reports exactly the ones that lead nowhere (grouped, with a summary), and the
//! article page, the Atom feed and the JSON Feed all carry the right URLs.

mod common;

use std::collections::BTreeSet;

use common::Fixture;
use scraper::{Html, Selector};

const BASE: &str = "https://example.org/news/";
const LINKS_MD: &str = "content/world/2025-01-02-links/index.md";

/// A site with a guide (GitHub-style headings) and an article linking every way there is.
fn site() -> Fixture {
    let f = Fixture::new("");
    f.article(
        "politics/2025-01-01-vote.md",
        "title = \"Vote\"\ndate = 2025-01-01T09:00:00",
        "Body.",
    );
    f.article(
        "world/2025-01-01-guide.md",
        "title = \"Guide\"\ndate = 2025-01-01T10:00:00",
        "## Building Node.js\n\n## Usage\n\n## Usage\n\n## Custom {#own-id}\n",
    );
    f.write("content/world/2025-01-02-links/chart one.png", "png");
    f.article(
        "world/2025-01-02-links/index.md",
        "title = \"Links\"\ndate = 2025-01-02T10:00:00",
        r#"## Contents

Write to <someone@example.org>, [the desk](mailto:desk@example.org) or [call](tel:+6421000).
Autolink <https://example.com/x>, [protocol-relative](//cdn.example.com/lib.js),
[reference][guide], ![chart](chart%20one.png), [query](/world/?page=2#top),
[feed](/feed.xml), [in page](#contents), [up and over](../../01/guide/#usage-1),
[node](/world/2025/01/01/guide/#building-nodejs), [custom](/world/2025/01/01/guide/#own-id),
[empty]().

Broken: [page](/world/nowhere/), [again](/world/nowhere/), [file](missing.png),
[fragment](#nowhere), [old id](/world/2025/01/01/guide/#building-node.js),
[escape](../../../../../../../etc/passwd).

<p><a href="/politics/">raw, fine</a> <a href="/sport/">raw, broken</a>
<img src="missing-raw.png" alt=""> <a href="mailto:raw@example.org">raw mail</a></p>

[guide]: /world/2025/01/01/guide/
"#,
    );
    f
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("selector")
}

/// Every `href` and `src` in an HTML fragment.
fn urls(html: &str) -> Vec<String> {
    let doc = Html::parse_fragment(html);
    doc.select(&sel("[href], [src]"))
        .flat_map(|e| {
            let v = e.value();
            [v.attr("href"), v.attr("src")]
        })
        .flatten()
        .map(str::to_string)
        .collect()
}

#[test]
fn only_links_that_lead_nowhere_are_reported_grouped_with_a_summary() {
    let f = site();
    let out = f.cli(&["build", "--base-url", BASE]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let warnings: BTreeSet<&str> = stderr.lines().filter(|l| l.contains("warning:")).collect();
    // Each with the file line where the link is written.
    let expected: BTreeSet<String> = [
        (16, "../../../../../../../etc/passwd leads outside the site"),
        (18, "/sport/ is not a page or file of the site"),
        (
            15,
            "/world/2025/01/01/guide/#building-node.js: the page has no element with id `building-node.js`",
        ),
        (
            15,
            "/world/2025/01/02/links/#nowhere: the page has no element with id `nowhere`",
        ),
        (
            19,
            "/world/2025/01/02/links/missing-raw.png is not a page or file of the site",
        ),
        (
            14,
            "/world/2025/01/02/links/missing.png is not a page or file of the site",
        ),
        (14, "/world/nowhere/ is not a page or file of the site (2 times)"),
    ]
    .iter()
    .map(|(line, w)| format!("{LINKS_MD}:{line}: warning: broken link: {w}"))
    .collect();
    assert_eq!(
        warnings,
        expected.iter().map(String::as_str).collect::<BTreeSet<_>>(),
        "{stderr}"
    );
    assert!(
        stderr.contains("\n8 broken links in 1 article; --strict makes them errors\n"),
        "{stderr}"
    );
    let strict = f.cli(&["build", "--strict", "--base-url", BASE]);
    assert!(!strict.status.success());
}

#[test]
fn page_and_feeds_carry_the_same_links() {
    let f = site();
    assert!(f.cli(&["build", "--base-url", BASE]).status.success());
    let page = f.read("world/2025/01/02/links/index.html");
    let doc = Html::parse_document(&page);
    let body: String = doc
        .select(&sel(".article-body"))
        .map(|e| e.inner_html())
        .next()
        .expect("article body");
    let page_urls = urls(&body);
    for want in [
        "mailto:someone@example.org",
        "mailto:desk@example.org",
        "mailto:raw@example.org",
        "tel:+6421000",
        "//cdn.example.com/lib.js",
        "/news/world/2025/01/01/guide/",
        "/news/politics/",
        "/news/world/?page=2#top",
        "#contents",
    ] {
        assert!(
            page_urls.iter().any(|u| u == want),
            "page lacks {want}: {page_urls:?}"
        );
    }
    // Every site-absolute link of the page is under the sub-path.
    for u in &page_urls {
        assert!(
            !u.starts_with('/') || u.starts_with("//") || u.starts_with("/news/"),
            "{u} ignores the base path"
        );
    }

    let atom = feed_rs::parser::parse(f.read("feed.xml").as_bytes()).expect("Atom");
    let json = feed_rs::parser::parse(f.read("feed.json").as_bytes()).expect("JSON Feed");
    for (name, feed) in [("Atom", atom), ("JSON Feed", json)] {
        let entry = feed
            .entries
            .iter()
            .find(|e| e.links.iter().any(|l| l.href.ends_with("/links/")) || e.id.contains("links"))
            .unwrap_or_else(|| panic!("{name}: no entry for the links article"));
        let html = entry
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .unwrap_or_else(|| panic!("{name}: no content"));
        let feed_urls = urls(&html);
        assert!(feed_urls.len() >= 20, "{name}: {feed_urls:?}");
        for want in [
            "mailto:someone@example.org",
            "mailto:desk@example.org",
            "mailto:raw@example.org",
            "tel:+6421000",
            "https://example.org/news/politics/",
            "https://example.org/news/world/2025/01/02/links/chart%20one.png",
            "https://example.org/news/world/2025/01/01/guide/",
        ] {
            assert!(
                feed_urls.iter().any(|u| u == want),
                "{name} lacks {want}: {feed_urls:?}"
            );
        }
        // Nothing relative is left, and no address was taken for a path.
        for u in &feed_urls {
            let absolute = ["https://", "mailto:", "tel:", "//"]
                .iter()
                .any(|p| u.starts_with(p));
            assert!(absolute, "{name}: {u} is not absolute");
            assert!(
                !u.contains('@') || u.starts_with("mailto:"),
                "{name}: {u} takes an address for a path"
            );
        }
    }
}
