//! `newsgen build` end to end: fixture sites built into temp dirs, output read back with an
//! HTML parser.

mod common;

use common::{Fixture, all_files, all_links, attrs, main_article_links, texts};

fn news_site() -> Fixture {
    let f = Fixture::new(
        "[sections.politics]\ntitle = \"Politics\"\n[sections.sport]\n[sections.empty-one]\n",
    );
    f.article(
        "politics/2025-10-30-cycle-lane.md",
        "title = \"Cycle lane approved\"\ndate = 2025-10-30T18:07:00+13:00\nsource = \"Metro Wire\"\n\
         authors = [\"Aroha Ngata\"]\ntags = [\"transport\", \"Local Government\"]\nfeatured = true\n\
         aliases = [\"/old/lane.html\"]",
        "Councillors voted 9-6.\n\nSecond paragraph.",
    );
    f.article(
        "politics/2025-11-02-budget/index.md",
        "title = \"Budget day\"\ndate = 2025-11-02T09:00:00+13:00\nsource = \"Reuters/ABC\"\n\
         authors = [\"José Álvarez\", \"Aroha Ngata\"]\ntags = [\"economy\", \"local government\", \"local government\"]\n\
         image = \"chart.png\"",
        "# Heading\n\nThe budget ![chart](chart.png) [cycle](/politics/2025/10/30/cycle-lane/).",
    );
    f.write_bytes(
        "content/politics/2025-11-02-budget/chart.png",
        b"\x89PNG fake",
    );
    f.article(
        "sport/2025-11-01-rugby.md",
        "title = \"Rugby final\"\ndate = \"2025-11-01 15:30\"\ntags = [\"local government\"]\nsource = \"metro wire\"",
        "Big win.",
    );
    f.article(
        "living-travel/2025-10-01-trip.md",
        "title = \"A trip\"\ndate = 2025-10-01",
        "Went away.",
    );
    f.write("static/files/guide.txt", "guide");
    f.write("content/politics/report.pdf", "pdf");
    f
}

#[test]
fn every_url_kind_exists_and_links_to_the_right_articles() {
    let f = news_site();
    let report = f.build().unwrap();
    assert_eq!(report.articles, 4);

    let lane = "politics/2025/10/30/cycle-lane/";
    let budget = "politics/2025/11/02/budget/";
    let rugby = "sport/2025/11/01/rugby/";
    for page in [
        "index.html",
        &format!("{lane}index.html"),
        &format!("{budget}index.html"),
        &format!("{rugby}index.html"),
        "politics/index.html",
        "sport/index.html",
        "empty-one/index.html",
        "living-travel/index.html",
        "2025/index.html",
        "2025/10/index.html",
        "2025/10/30/index.html",
        "2025/11/02/index.html",
        "politics/2025/index.html",
        "politics/2025/10/index.html",
        "politics/2025/10/30/index.html",
        "tags/index.html",
        "tags/transport/index.html",
        "tags/local-government/index.html",
        "authors/index.html",
        "authors/aroha-ngata/index.html",
        "authors/jose-alvarez/index.html",
        "sources/index.html",
        "sources/metro-wire/index.html",
        "sources/reuters-abc/index.html",
        "search/index.html",
        "404.html",
        "robots.txt",
        "old/lane.html",
        "style.css",
    ] {
        assert!(f.exists(page), "missing {page}");
    }

    // Section index: its articles, newest first, and nothing else.
    let doc = f.html("politics/index.html");
    let links = main_article_links(&doc);
    assert_eq!(links, vec![format!("/{budget}"), format!("/{lane}")]);

    // Date archive across sections.
    let doc = f.html("2025/11/index.html");
    let links = main_article_links(&doc);
    assert_eq!(links, vec![format!("/{budget}"), format!("/{rugby}")]);

    // Terms that slugify alike are one page, with the most frequent spelling.
    let doc = f.html("tags/local-government/index.html");
    assert!(texts(&doc, "h1")[0].ends_with("local government"));
    assert_eq!(main_article_links(&doc).len(), 3);
    let doc = f.html("sources/metro-wire/index.html");
    assert_eq!(main_article_links(&doc).len(), 2);

    // The term list links every term.
    let doc = f.html("authors/index.html");
    let terms: Vec<String> = all_links(&doc)
        .into_iter()
        .filter(|h| h.starts_with("/authors/") && h.len() > "/authors/".len())
        .collect();
    assert_eq!(
        terms,
        vec!["/authors/aroha-ngata/", "/authors/jose-alvarez/"]
    );

    // Article page elements.
    let doc = f.html(&format!("{budget}index.html"));
    assert_eq!(texts(&doc, "h1"), vec!["Budget day"]);
    assert_eq!(
        texts(&doc, "[aria-label=Breadcrumb] a"),
        vec!["Home", "Politics"]
    );
    assert_eq!(
        attrs(&doc, "main article time", "datetime")[0],
        "2025-11-02T09:00:00+13:00"
    );
    let shown = &texts(&doc, "main article time")[0];
    assert!(shown.contains("2 Nov") && shown.contains("2025"), "{shown}");
    assert!(texts(&doc, "main article time")[0].contains("09:00"));
    let page_text = texts(&doc, "main article").join(" ");
    assert!(page_text.contains("Reuters/ABC"), "{page_text}");
    assert_eq!(
        texts(&doc, "main a[href='/authors/jose-alvarez/']"),
        vec!["José Álvarez"]
    );
    // Body headings are shifted below the page's h1.
    assert_eq!(texts(&doc, "main h1"), vec!["Budget day"]);
    assert_eq!(texts(&doc, "main h2#heading"), vec!["Heading"]);
    // "Other Politics news" and previous/next in the section lead to the other article.
    let all = texts(&doc, "main").join(" ").to_lowercase();
    assert!(all.contains("other politics news"));
    assert!(all_links(&doc).contains(&format!("/{lane}")));
    assert_eq!(
        attrs(&doc, "link[rel=canonical]", "href"),
        vec![format!("https://news.example.org/{budget}")]
    );

    // Bundle files sit beside the article; other files keep their path; static/ at the root.
    assert!(f.exists(&format!("{budget}chart.png")));
    assert!(f.exists("politics/report.pdf"));
    assert_eq!(f.read("files/guide.txt"), "guide");

    // The alias redirects to the article.
    let doc = f.html("old/lane.html");
    assert_eq!(
        attrs(&doc, "link[rel=canonical]", "href"),
        vec![format!("https://news.example.org/{lane}")]
    );
    let refresh = attrs(&doc, "meta[http-equiv=refresh]", "content");
    assert!(refresh[0].ends_with(&format!("url=/{lane}")), "{refresh:?}");

    // Sections: site.toml order, then the others alphabetically; titles from folder names.
    let doc = f.html("index.html");
    let nav: Vec<String> = texts(&doc, "header nav a")
        .into_iter()
        .filter(|t| t != "Home")
        .collect();
    assert_eq!(nav, vec!["Politics", "Sport", "Empty One", "Living Travel"]);
    // Front page: every article is linked (top story, section lists).
    let front = all_links(&doc);
    for a in [lane, budget, rugby] {
        assert!(front.contains(&format!("/{a}")), "front page lacks {a}");
    }
}

#[test]
fn dates_are_bucketed_in_the_site_time_zone() {
    let f = Fixture::new("");
    // 23:30 UTC on 30 Oct is 12:30 on 31 Oct in Auckland.
    f.article(
        "world/late.md",
        "title = \"Late\"\ndate = 2025-10-30T23:30:00Z",
        "x",
    );
    // Spring forward: 02:30 on 28 Sep 2025 does not exist in Auckland; moved to 03:30.
    f.article(
        "world/gap.md",
        "title = \"Gap\"\ndate = \"2025-09-28 02:30\"",
        "x",
    );
    // Fall back: 02:30 on 6 Apr 2025 happens twice; the earlier (+13:00) is taken.
    f.article(
        "world/twice.md",
        "title = \"Twice\"\ndate = \"2025-04-06T02:30:00\"",
        "x",
    );
    // Just before midnight local time stays on its day.
    f.article(
        "world/eve.md",
        "title = \"Eve\"\ndate = 2025-12-31T23:59:00+13:00",
        "x",
    );
    let report = f.build().unwrap();

    assert!(f.exists("world/2025/10/31/late/index.html"));
    assert!(f.exists("2025/10/31/index.html"));
    assert!(!f.exists("2025/10/30/index.html"));
    let doc = f.html("world/2025/10/31/late/index.html");
    assert_eq!(
        attrs(&doc, "main article time", "datetime")[0],
        "2025-10-31T12:30:00+13:00"
    );

    let doc = f.html("world/2025/09/28/gap/index.html");
    assert_eq!(
        attrs(&doc, "main article time", "datetime")[0],
        "2025-09-28T03:30:00+13:00"
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.path == "content/world/gap.md" && w.message.contains("does not exist")),
        "{:?}",
        report.warnings
    );
    let doc = f.html("world/2025/04/06/twice/index.html");
    assert_eq!(
        attrs(&doc, "main article time", "datetime")[0],
        "2025-04-06T02:30:00+13:00"
    );
    assert!(f.exists("2025/12/31/index.html"));
    assert!(!f.exists("2026/index.html"));
}

fn numbered(f: &Fixture, section: &str, n: usize) {
    for i in 0..n {
        f.article(
            &format!("{section}/a{i:02}.md"),
            &format!(
                "title = \"Story {i}\"\ndate = 2025-03-{:02}T10:00:00+13:00",
                i + 1
            ),
            "x",
        );
    }
}

#[test]
fn pagination_boundaries() {
    let f = Fixture::new("per_page = 3\n[sections.zero]\n");
    let f = {
        // per_page from the extra line wins over the default written first.
        let text = std::fs::read_to_string(f.path().join("site.toml")).unwrap();
        f.write("site.toml", &text.replace("per_page = 20\n", ""));
        f
    };
    numbered(&f, "one", 1);
    numbered(&f, "three", 3);
    numbered(&f, "four", 4);
    f.build().unwrap();

    // 0 articles: the page exists, empty, with no further pages.
    let doc = f.html("zero/index.html");
    assert!(main_article_links(&doc).is_empty());
    assert!(!f.exists("zero/page/2/index.html"));
    // 1 and per_page articles: one page, no rel=next, and no page/1/ redirect (SPEC §6).
    for s in ["zero", "one", "three"] {
        let doc = f.html(&format!("{s}/index.html"));
        assert!(attrs(&doc, "a[rel=next]", "href").is_empty(), "{s}");
        assert!(!f.exists(&format!("{s}/page/2/index.html")));
        assert!(!f.exists(&format!("{s}/page/1/index.html")), "{s}");
    }
    assert_eq!(main_article_links(&f.html("three/index.html")).len(), 3);
    // per_page + 1: a second page with the oldest article, linked both ways.
    let doc = f.html("four/index.html");
    assert_eq!(main_article_links(&doc).len(), 3);
    assert_eq!(attrs(&doc, "a[rel=next]", "href"), vec!["/four/page/2/"]);
    let doc = f.html("four/page/2/index.html");
    assert_eq!(main_article_links(&doc), vec!["/four/2025/03/01/a00/"]);
    assert_eq!(attrs(&doc, "a[rel=prev]", "href"), vec!["/four/"]);
    assert!(!f.exists("four/page/3/index.html"));
    // With a second page, page/1/ redirects to the index.
    let doc = f.html("four/page/1/index.html");
    assert!(attrs(&doc, "meta[http-equiv=refresh]", "content")[0].ends_with("url=/four/"));
    // Term lists paginate too: 8 articles, no tags, but archives exist and paginate.
    assert!(f.exists("2025/03/page/2/index.html"));
    assert!(f.exists("2025/03/page/3/index.html"));
}

/// Links in `<main>` (outside navigation) to single term pages below `/{kind}/`, in order.
fn term_links(doc: &scraper::Html, kind: &str) -> Vec<String> {
    let sel = scraper::Selector::parse("main a[href]").unwrap();
    doc.select(&sel)
        .filter(|a| {
            !a.ancestors()
                .any(|n| n.value().as_element().is_some_and(|e| e.name() == "nav"))
        })
        .filter_map(|a| a.value().attr("href"))
        .filter(|h| {
            h.strip_prefix(&format!("/{kind}/"))
                .is_some_and(|rest| !rest.is_empty() && !rest.starts_with("page/"))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn term_pages_and_term_lists_paginate() {
    let f = Fixture::new("");
    let text = std::fs::read_to_string(f.path().join("site.toml")).unwrap();
    f.write(
        "site.toml",
        &text.replace("per_page = 20\n", "per_page = 3\n"),
    );
    // 7 articles tagged "transport", each with a tag of its own: 8 tags in all.
    for i in 0..7 {
        f.article(
            &format!("world/2025-03-{:02}-s{i}.md", i + 1),
            &format!(
                "title = \"Story {i}\"\ndate = 2025-03-{:02}T10:00:00+13:00\n\
                 tags = [\"transport\", \"topic {i}\"]",
                i + 1
            ),
            "x",
        );
    }
    f.build().unwrap();

    // A term page: 3 + 3 + 1 articles, newest first, linked both ways.
    let pages: Vec<Vec<String>> = [
        "tags/transport/",
        "tags/transport/page/2/",
        "tags/transport/page/3/",
    ]
    .iter()
    .map(|p| main_article_links(&f.html(&format!("{p}index.html"))))
    .collect();
    assert_eq!(
        pages[0],
        [
            "/world/2025/03/07/s6/",
            "/world/2025/03/06/s5/",
            "/world/2025/03/05/s4/"
        ]
    );
    assert_eq!(
        pages[1],
        [
            "/world/2025/03/04/s3/",
            "/world/2025/03/03/s2/",
            "/world/2025/03/02/s1/"
        ]
    );
    assert_eq!(pages[2], ["/world/2025/03/01/s0/"]);
    assert!(!f.exists("tags/transport/page/4/index.html"));
    let middle = f.html("tags/transport/page/2/index.html");
    assert_eq!(attrs(&middle, "a[rel=prev]", "href"), ["/tags/transport/"]);
    assert_eq!(
        attrs(&middle, "a[rel=next]", "href"),
        ["/tags/transport/page/3/"]
    );
    // A single-page term page has no further pages.
    assert!(f.exists("tags/topic-0/index.html"));
    assert!(!f.exists("tags/topic-0/page/2/index.html"));

    // The term list: 8 tags, 3 per page, each tag on exactly one page.
    let mut listed = Vec::new();
    for p in ["tags/", "tags/page/2/", "tags/page/3/"] {
        let links = term_links(&f.html(&format!("{p}index.html")), "tags");
        assert!(!links.is_empty() && links.len() <= 3, "{p}: {links:?}");
        listed.extend(links);
    }
    assert!(!f.exists("tags/page/4/index.html"));
    listed.sort();
    listed.dedup();
    assert_eq!(listed.len(), 8, "{listed:?}");
    assert!(listed.contains(&"/tags/transport/".to_string()));
    let first = f.html("tags/index.html");
    assert_eq!(attrs(&first, "a[rel=next]", "href"), ["/tags/page/2/"]);
}

#[test]
fn sub_path_base_url_prefixes_every_link() {
    let f = news_site();
    let text = std::fs::read_to_string(f.path().join("site.toml")).unwrap();
    f.write(
        "site.toml",
        &text.replace("https://news.example.org/", "https://example.org/archive"),
    );
    f.build().unwrap();
    let mut checked = 0;
    for file in all_files(&f.out()) {
        if file.extension().and_then(|e| e.to_str()) != Some("html") {
            continue;
        }
        let doc = f.html(file.to_str().unwrap());
        for attr in ["href", "src", "action"] {
            for url in attrs(&doc, &format!("[{attr}]"), attr) {
                checked += 1;
                if url.starts_with('/') {
                    assert!(
                        url.starts_with("/archive/"),
                        "{} has {attr}={url} outside the base path",
                        file.display()
                    );
                } else if url.contains("://") && url.contains("example.org") {
                    assert!(url.starts_with("https://example.org/archive/"), "{url}");
                }
            }
        }
        for canonical in attrs(&doc, "link[rel=canonical]", "href") {
            assert!(canonical.starts_with("https://example.org/archive/"));
        }
    }
    assert!(checked > 100);
    // Markdown links to site-absolute paths are rewritten too.
    let doc = f.html("politics/2025/11/02/budget/index.html");
    assert!(all_links(&doc).contains(&"/archive/politics/2025/10/30/cycle-lane/".to_string()));
    // The --base-url flag does the same.
    f.build_with(|o| o.base_url = Some("http://localhost:9999/x/".into()))
        .unwrap();
    let doc = f.html("index.html");
    assert!(
        all_links(&doc)
            .iter()
            .all(|h| !h.starts_with('/') || h.starts_with("/x/"))
    );
    assert!(all_links(&doc).contains(&"/x/politics/".to_string()));
}

#[test]
fn a_site_template_overrides_one_builtin_template() {
    let f = news_site();
    f.write(
        "themes/default/templates/article.html",
        "{% extends \"base.html\" %}{% block content %}<h1 class=\"custom\">{{ article.title | upper }}</h1>{% endblock content %}",
    );
    f.build().unwrap();
    let doc = f.html("sport/2025/11/01/rugby/index.html");
    assert_eq!(texts(&doc, "h1.custom"), vec!["RUGBY FINAL"]);
    // Other templates are still the built-in ones.
    let doc = f.html("sport/index.html");
    assert_eq!(main_article_links(&doc), vec!["/sport/2025/11/01/rugby/"]);
    assert!(texts(&doc, "h1.custom").is_empty());
}

#[test]
fn a_site_theme_by_name_and_missing_theme() {
    let f = news_site();
    let text = std::fs::read_to_string(f.path().join("site.toml")).unwrap();
    f.write(
        "site.toml",
        &text.replace("per_page = 20", "per_page = 20\ntheme = \"paper\""),
    );
    let err = f.build().unwrap_err().to_string();
    assert!(err.contains("theme `paper` not found"), "{err}");
    f.write("themes/paper/templates/404.html", "<p>gone</p>");
    f.write("themes/paper/static/extra.css", "p{}");
    f.build().unwrap();
    assert_eq!(f.read("404.html"), "<p>gone</p>");
    assert!(f.exists("extra.css"));
    assert!(f.exists("style.css"));
}

#[test]
fn drafts_and_future_articles_follow_the_flags() {
    let f = Fixture::new("");
    f.article(
        "world/draft.md",
        "title = \"Draft\"\ndate = 2025-05-01\ndraft = true",
        "x",
    );
    f.article(
        "world/future.md",
        "title = \"Future\"\ndate = 2027-05-01",
        "x",
    );
    f.article("world/now.md", "title = \"Now\"\ndate = 2025-05-01", "x");
    f.write_bytes(
        "content/world/2025-05-02-bundle/index.md",
        b"+++\ntitle = \"B\"\ndate = 2025-05-02\ndraft = true\n+++\n",
    );
    f.write_bytes("content/world/2025-05-02-bundle/pic.png", b"png");

    let r = f.build().unwrap();
    assert_eq!(r.articles, 1);
    assert!(!f.exists("world/2025/05/01/draft/index.html"));
    assert!(!f.exists("world/2027/05/01/future/index.html"));
    assert!(!f.exists("world/2025/05/02/bundle/pic.png"));

    let r = f.build_with(|o| o.flags.drafts = true).unwrap();
    assert_eq!(r.articles, 3);
    assert!(f.exists("world/2025/05/01/draft/index.html"));
    assert!(f.exists("world/2025/05/02/bundle/pic.png"));
    assert!(!f.exists("world/2027/05/01/future/index.html"));

    let r = f.build_with(|o| o.flags.future = true).unwrap();
    assert_eq!(r.articles, 2);
    assert!(f.exists("world/2027/05/01/future/index.html"));
    assert!(f.exists("2027/index.html"));
}

/// Runs `newsgen build --output OUT` on the site in a process of its own with `TZ` set, at
/// the fixture's fixed time (`SOURCE_DATE_EPOCH`).
fn build_in_time_zone(f: &Fixture, out: &std::path::Path, tz: &str) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_newsgen"))
        .arg("build")
        .arg("--output")
        .arg(out)
        .arg(f.path())
        .env("TZ", tz)
        .env(
            "SOURCE_DATE_EPOCH",
            common::fixed_now().timestamp().to_string(),
        )
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// A few hundred articles over three sections and two years (both DST seasons), with tags,
/// authors, sources, summaries and links between them.
fn archive_site(n: usize) -> Fixture {
    let f = Fixture::new("[sections.politics]\n[sections.sport]\n[sections.world]\n");
    let tags = ["transport", "Local Government", "economy", "Māori", "R&D"];
    let authors = ["Aroha Ngata", "José Álvarez", "Mei Chen"];
    for i in 0..n {
        let section = ["politics", "sport", "world"][i % 3];
        let (year, month, day) = (2024 + i % 2, 1 + i % 12, 1 + i % 28);
        f.article(
            &format!("{section}/{year}-{month:02}-{day:02}-story-{i}.md"),
            &format!(
                "title = \"Story {i}: {} and {}\"\ndate = \"{year}-{month:02}-{day:02} {:02}:{:02}\"\n\
                 tags = [\"{}\", \"{}\"]\nauthors = [\"{}\"]\nsource = \"Wire {}\"\n\
                 summary = \"Summary of story {i}.\"\nfeatured = {}",
                tags[i % 5],
                authors[i % 3],
                6 + i % 16,
                i % 60,
                tags[i % 5],
                tags[(i / 5) % 5],
                authors[(i / 3) % 3],
                i % 4,
                i % 10 == 0
            ),
            &format!("Body of story {i} on the harbour, with words to index.\n\n## Detail\n\nMore {i}."),
        );
    }
    f
}

#[test]
fn separate_processes_in_different_time_zones_build_byte_identical_output() {
    let f = archive_site(300);
    let (a, b) = (f.path().join("out-a"), f.path().join("out-b"));
    build_in_time_zone(&f, &a, "America/Los_Angeles");
    build_in_time_zone(&f, &b, "Pacific/Kiritimati");
    let files = all_files(&a);
    assert_eq!(files, all_files(&b));
    assert!(files.len() > 600, "{} files", files.len());
    let search = files.iter().filter(|p| p.starts_with("search")).count();
    assert!(search > 20, "{search} search index files");
    for file in files {
        assert!(
            std::fs::read(a.join(&file)).unwrap() == std::fs::read(b.join(&file)).unwrap(),
            "{} differs",
            file.display()
        );
    }
}

#[test]
fn builds_are_byte_identical() {
    let f = news_site();
    let a = f.path().join("out-a");
    let b = f.path().join("out-b");
    f.build_with(|o| o.output = Some(a.clone())).unwrap();
    f.build_with(|o| o.output = Some(b.clone())).unwrap();
    let files_a = all_files(&a);
    assert_eq!(files_a, all_files(&b));
    assert!(files_a.len() > 40);
    for file in files_a {
        assert_eq!(
            std::fs::read(a.join(&file)).unwrap(),
            std::fs::read(b.join(&file)).unwrap(),
            "{} differs",
            file.display()
        );
    }
}

#[test]
fn bom_crlf_markdown_extensions_and_raw_html() {
    let f = Fixture::new("");
    f.write(
        "content/world/crlf.md",
        "\u{feff}+++\r\ntitle = \"Windows\"\r\ndate = 2025-05-01\r\n+++\r\nFirst para.\r\n\r\n| a | b |\r\n|---|---|\r\n| 1 | 2 |\r\n\r\n<aside>raw</aside>\r\n",
    );
    f.build().unwrap();
    let doc = f.html("world/2025/05/01/crlf/index.html");
    assert_eq!(texts(&doc, "main td"), vec!["1", "2"]);
    assert_eq!(texts(&doc, "main article aside"), vec!["raw"]);
    assert!(
        texts(&doc, "main article p")
            .iter()
            .any(|p| p.contains("First para."))
    );

    let text = std::fs::read_to_string(f.path().join("site.toml")).unwrap();
    f.write("site.toml", &format!("unsafe_html = false\n{text}"));
    f.build().unwrap();
    let doc = f.html("world/2025/05/01/crlf/index.html");
    assert!(texts(&doc, "main article aside").is_empty());
    assert!(
        texts(&doc, "main article")
            .join(" ")
            .contains("<aside>raw</aside>")
    );
}

#[test]
fn hostile_titles_are_escaped() {
    let f = Fixture::new("");
    f.article(
        "world/x.md",
        "title = \"</title><script>alert(1)</script> & \\\"q\\\"\"\ndate = 2025-05-01\nsummary = \"<b>bold</b>\"",
        "x",
    );
    f.build().unwrap();
    let doc = f.html("world/2025/05/01/x/index.html");
    assert_eq!(
        texts(&doc, "h1"),
        vec!["</title><script>alert(1)</script> & \"q\""]
    );
    assert!(texts(&doc, "main article p").contains(&"<b>bold</b>".to_string()));
    assert!(texts(&doc, "main b").is_empty());
    // No script element was injected (JSON-LD may carry the title, escaped, as data).
    assert!(texts(&doc, "script").iter().all(|s| s.trim() != "alert(1)"));
    assert!(
        !f.read("world/2025/05/01/x/index.html")
            .contains("<script>alert(1)")
    );
}

/// Found by fuzzing (`fuzz/run.sh dates`): a time in local mean time (Auckland was +11:39:04
/// until 1868) lost its offset's seconds in RFC 3339 and so moved the instant. It is written
/// in UTC instead, exactly.
#[test]
fn a_date_in_local_mean_time_keeps_its_instant_in_feeds() {
    let f = Fixture::new("");
    f.article(
        "world/1860-05-01-old.md",
        "title = \"Old news\"\ndate = 1860-05-01",
        "From the archive.",
    );
    f.build().expect("the build succeeds");
    let bytes = std::fs::read(f.out().join("feed.xml")).expect("feed.xml is written");
    let feed = feed_rs::parser::parse(&bytes[..]).expect("feed-rs reads the feed");
    let published = feed.entries[0].published.expect("a published time");
    assert_eq!(published.to_rfc3339(), "1860-04-30T12:20:56+00:00");
}
