//! The example site at the repository root builds cleanly and shows what the README promises.

mod common;

use common::{all_files, all_links, attrs, main_article_links, texts};
use newsgen::BuildOptions;
use scraper::Html;

#[test]
fn the_example_site_builds_without_warnings() {
    let out = tempfile::tempdir().unwrap();
    let report = newsgen::build(&BuildOptions {
        site_dir: env!("CARGO_MANIFEST_DIR").into(),
        output: Some(out.path().join("public")),
        now: Some(common::fixed_now() + chrono::Duration::days(365)),
        ..BuildOptions::default()
    })
    .unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert!(report.articles >= 40);
    let root = out.path().join("public");
    let read = |rel: &str| Html::parse_document(&std::fs::read_to_string(root.join(rel)).unwrap());

    // Seven sections in site.toml order, each with a page.
    let front = read("index.html");
    let nav: Vec<String> = texts(&front, "header nav a")
        .into_iter()
        .filter(|t| t != "Home")
        .collect();
    assert_eq!(
        nav,
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
    // The front page links many articles, newest first in its lists.
    assert!(
        all_links(&front)
            .iter()
            .filter(|l| common::is_article_url(l))
            .count()
            >= 20
    );

    // The draft is left out, the bundle's image is beside its page, the alias redirects.
    let files = all_files(&root);
    assert!(!files.iter().any(|f| {
        f.to_string_lossy()
            .contains("opposition-bill-on-ferry-fares")
    }));
    assert!(
        root.join("business/2026/11/20/port-expansion/chart.png")
            .is_file()
    );
    let alias = read("old/2026/harbour-story.html");
    assert!(
        attrs(&alias, "meta[http-equiv=refresh]", "content")[0]
            .ends_with("/politics/2026/10/30/council-approves-harbour-cycle-lane/")
    );
    // The explicit slug wins over the file name.
    assert!(
        root.join("technology/2026/10/20/council-ai-pothole-trial/index.html")
            .is_file()
    );
    // A UTC time late on 30 Oct is filed under 31 Oct in Auckland.
    let day = read("sport/2026/10/31/index.html");
    assert_eq!(main_article_links(&day).len(), 1);

    // The updated article shows both times.
    let updated = read("national/2026/11/10/measles-case-at-airport/index.html");
    let times = attrs(&updated, "main article time", "datetime");
    assert!(times.len() >= 2, "{times:?}");
    assert!(times[0] < times[1]);
}
