//! `newsgen import`: fixture exports of WordPress, Jekyll, Hugo and Zola are imported with the
//! real binary, then built; front matter is checked field by field with newsgen's own parser,
//! bundle files byte by byte, and every old URL must answer with a redirect to the new one.

mod common;

use std::path::{Path, PathBuf};

use chrono::TimeZone;
use common::{Fixture, all_files, attrs};
use newsgen::load::frontmatter::{ArticleFile, parse_article};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import")
}

/// Runs `newsgen import ARGS... .` in the site; returns stdout, panicking on failure.
fn import(f: &Fixture, args: &[&str]) -> String {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    all.push(".");
    let out = f.cli(&all);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "import failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Asserts that the import report has `line` (a whole line or a part of one).
fn has(report: &str, line: &str) {
    assert!(
        report.contains(line),
        "the report lacks `{line}`:\n{report}"
    );
}

fn article(f: &Fixture, rel: &str) -> ArticleFile {
    let bytes = std::fs::read(f.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let (a, warnings) = parse_article(&bytes, Path::new(rel), chrono_tz::Pacific::Auckland)
        .unwrap_or_else(|e| panic!("{rel} does not parse: {e:?}"));
    assert!(warnings.is_empty(), "{rel}: {warnings:?}");
    a
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// Builds the site (no drafts, no future articles) and checks that each `(old, new)` old URL
/// is a redirect page to `new`, and that `new` is a built article page.
fn assert_redirects(f: &Fixture, pairs: &[(&str, &str)]) {
    f.build()
        .unwrap_or_else(|e| panic!("the imported site does not build:\n{e}"));
    assert!(!pairs.is_empty());
    for (old, new) in pairs {
        let last = old.rsplit('/').next().unwrap();
        let file = if old.ends_with('/') || !last.contains('.') {
            format!("{}/index.html", old.trim_matches('/'))
        } else {
            old.trim_start_matches('/').to_string()
        };
        let doc = f.html(&file);
        let refresh = attrs(&doc, "meta[http-equiv=refresh]", "content");
        assert_eq!(
            refresh,
            vec![format!("0; url={new}")],
            "{old} should redirect to {new}"
        );
        let page = f.html(&format!("{}/index.html", new.trim_matches('/')));
        assert_eq!(
            attrs(&page, "link[rel=canonical]", "href"),
            vec![format!("https://news.example.org{new}")]
        );
    }
}

fn wordpress_args() -> Vec<String> {
    let dir = fixtures().join("wordpress");
    vec![
        "wordpress".into(),
        dir.join("export.xml").display().to_string(),
        "--uploads".into(),
        dir.join("uploads").display().to_string(),
    ]
}

fn run_wordpress(f: &Fixture) -> String {
    let args = wordpress_args();
    import(f, &args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn wordpress_export_is_imported_field_by_field() {
    let f = Fixture::new("");
    let report = run_wordpress(&f);
    has(&report, "5 articles written, 1 skipped, 5 files copied");
    has(
        &report,
        "counted, not imported: 4 attachments, 2 comments, 1 menu items, 1 pages",
    );
    has(
        &report,
        "sections added to site.toml: local-news (4), sport (1)",
    );
    has(&report, "post 14 \"Deleted story\": status `trash`");
    has(&report, "unknown shortcode [contact-form-7] kept as text");
    has(&report, "missing upload `2020/01/missing.jpg`");

    // Classic content, sticky, featured image, secondary category as tag, GMT dates.
    let lane = article(
        &f,
        "content/local-news/2020-01-30-harbour-cycle-lane/index.md",
    );
    let fr = &lane.front;
    assert_eq!(fr.title, "Harbour cycle lane approved & funded");
    assert_eq!(fr.date, utc(2020, 1, 30, 5, 7));
    assert_eq!(
        fr.updated,
        Some(utc(2020, 2, 1, 21, 0).with_timezone(&chrono_tz::Pacific::Auckland))
    );
    assert_eq!(fr.authors, vec!["Aroha Ngata"]);
    assert_eq!(
        fr.summary.as_deref(),
        Some("The lane will open in stages, councillors decided 9-6.")
    );
    assert_eq!(fr.tags, vec!["Sport", "Harbour"]);
    assert_eq!(fr.slug.as_deref(), Some("harbour-cycle-lane"));
    assert!(fr.featured && !fr.draft);
    assert_eq!(fr.image.as_deref(), Some("harbour.jpg"));
    assert_eq!(fr.aliases, vec!["/2020/01/harbour-cycle-lane/"]);
    // Paragraph rules, caption → figure, CDATA split around `]]>`, lists to Markdown,
    // styled HTML kept, uploads rewritten to bundle files.
    let body = lane.body.text().expect("a parsed body is in memory");
    assert!(
        body.starts_with(
            "Councillors voted 9-6 shortly before midnight.  \nThe lane opens next winter.\n\n"
        ),
        "{body}"
    );
    assert!(body.contains("<figure><a href=\"harbour.jpg\"><img src=\"harbour-300x200.jpg\" alt=\"The harbour path\"></a><figcaption>The harbour path at dawn</figcaption></figure>"), "{body}");
    assert!(body.contains("a\\]\\]>b"), "{body}");
    assert!(body.contains("*   First stage: 2021"), "{body}");
    assert!(
        body.contains("<p style=\"color: red\">Correction appended.</p>"),
        "{body}"
    );
    let uploads = fixtures().join("wordpress/uploads/2020/01");
    for name in ["harbour.jpg", "harbour-300x200.jpg"] {
        assert_eq!(
            std::fs::read(
                f.path()
                    .join("content/local-news/2020-01-30-harbour-cycle-lane")
                    .join(name)
            )
            .unwrap(),
            std::fs::read(uploads.join(name)).unwrap()
        );
    }

    // Block content, non-ASCII title and percent-encoded slug, Yoast's primary category.
    let cafe = article(&f, "content/local-news/2020-02-14-cafe-reopens/index.md");
    let cafe_body = cafe.body.text().expect("a parsed body is in memory");
    assert_eq!(cafe.front.title, "Café reopens — “at last”");
    assert_eq!(cafe.front.authors, vec!["Tama Rūrū"]);
    assert_eq!(cafe.front.tags, vec!["Sport"]);
    assert_eq!(cafe.front.aliases, vec!["/2020/02/café-reopens/"]);
    assert_eq!(cafe.front.updated, None, "not modified after publication");
    assert!(!cafe_body.contains("<!-- wp:"), "{}", cafe_body);
    assert!(
        cafe_body.starts_with("## Doors open at seven\n\nThe **café** on the wharf"),
        "{}",
        cafe_body
    );
    assert!(
        cafe_body.contains("<figure><img src=\"boat.png\" alt=\"A boat\"><figcaption>"),
        "{}",
        cafe_body
    );
    assert!(
        cafe_body
            .contains("<img src=\"gallery-1.jpg\" alt=\"\"><img src=\"gallery-2.jpg\" alt=\"\">"),
        "{}",
        cafe_body
    );

    // A draft keeps its local date and gets no alias (its link is `?p=12`); a scheduled
    // post keeps its future date.
    let draft = article(&f, "content/local-news/2020-03-01-draft-ferry-timetable.md");
    assert!(draft.front.draft);
    assert!(draft.front.aliases.is_empty());
    // A password-protected post was never public: a draft, without an alias, for review.
    has(
        &report,
        "post 15 \"Members only\": password-protected in WordPress: imported as a draft",
    );
    let members = article(&f, "content/local-news/2020-04-01-members-only.md");
    assert!(members.front.draft);
    assert!(members.front.aliases.is_empty());
    let future = article(&f, "content/sport/2030-01-05-regatta-preview.md");
    assert_eq!(future.front.date, utc(2030, 1, 4, 21, 0));
    assert!(!future.front.draft);
    f.build_with(|o| o.flags.future = true).unwrap();
    assert!(
        f.exists("2030/01/regatta-preview/index.html"),
        "scheduled posts build with --future"
    );

    let toml = std::fs::read_to_string(f.path().join("site.toml")).unwrap();
    assert!(
        toml.ends_with(
            "[sections.local-news]\ntitle = \"Local News\"\n\n[sections.sport]\ntitle = \"Sport\"\n"
        ),
        "{toml}"
    );

    assert_redirects(
        &f,
        &[
            (
                "/2020/01/harbour-cycle-lane/",
                "/local-news/2020/01/30/harbour-cycle-lane/",
            ),
            (
                "/2020/02/café-reopens/",
                "/local-news/2020/02/14/cafe-reopens/",
            ),
        ],
    );
    assert!(f.exists("local-news/2020/01/30/harbour-cycle-lane/harbour.jpg"));
}

#[test]
fn a_second_run_writes_nothing_new() {
    let f = Fixture::new("");
    run_wordpress(&f);
    let before: Vec<(PathBuf, Vec<u8>)> = all_files(f.path())
        .into_iter()
        .map(|p| (p.clone(), std::fs::read(f.path().join(&p)).unwrap()))
        .collect();
    assert!(before.len() >= 10);
    let report = run_wordpress(&f);
    assert!(
        report.starts_with("0 articles written, 6 skipped, 0 files copied"),
        "{report}"
    );
    has(
        &report,
        "already there: content/local-news/2020-01-30-harbour-cycle-lane/index.md",
    );
    let after: Vec<(PathBuf, Vec<u8>)> = all_files(f.path())
        .into_iter()
        .map(|p| (p.clone(), std::fs::read(f.path().join(&p)).unwrap()))
        .collect();
    assert_eq!(before, after);
}

#[test]
fn sections_map_from_the_command_line_and_site_toml() {
    let f = Fixture::new("[import.section_map]\n\"Local News\" = \"city\"\n");
    let mut args = wordpress_args();
    args.extend(["--section-map".to_string(), "sport=games".to_string()]);
    import(&f, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        f.path()
            .join("content/city/2020-01-30-harbour-cycle-lane/index.md")
            .is_file()
    );
    assert!(
        f.path()
            .join("content/games/2030-01-05-regatta-preview.md")
            .is_file()
    );
    let toml = std::fs::read_to_string(f.path().join("site.toml")).unwrap();
    assert!(
        toml.contains("[sections.city]\ntitle = \"City\"\n\n[sections.games]\ntitle = \"Games\""),
        "{toml}"
    );
    f.build().unwrap();
}

#[test]
fn malformed_xml_is_an_error_with_the_line_and_writes_nothing() {
    let f = Fixture::new("");
    let xml = std::fs::read_to_string(fixtures().join("wordpress/export.xml")).unwrap();
    // Break an element near the end: earlier items are fine, yet nothing may be written.
    let broken = xml.replacen(
        "<title><![CDATA[Home]]></title>",
        "<title><![CDATA[Home]]></titel>",
        1,
    );
    let line = broken.lines().position(|l| l.contains("</titel>")).unwrap() + 1;
    f.write("export.xml", &broken);
    let site_toml = std::fs::read_to_string(f.path().join("site.toml")).unwrap();
    let out = f.cli(&["import", "wordpress", "export.xml", "."]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("export.xml:{line}: error: invalid XML")),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("import stopped: nothing was written\n"),
        "{stderr}"
    );
    assert_eq!(all_files(&f.path().join("content")), Vec::<PathBuf>::new());
    assert_eq!(
        std::fs::read_to_string(f.path().join("site.toml")).unwrap(),
        site_toml
    );

    // A file cut short is an error too.
    f.write("cut.xml", &xml[..xml.len() / 2]);
    let out = f.cli(&["import", "wordpress", "cut.xml", "."]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cut.xml"));
}

#[test]
fn jekyll_site_is_imported_with_its_permalinks() {
    let f = Fixture::new("");
    let src = fixtures().join("jekyll");
    let report = import(&f, &["jekyll", &src.display().to_string()]);
    assert!(
        report.starts_with("4 articles written, 1 skipped, 1 files copied"),
        "{report}"
    );
    has(
        &report,
        "_posts/no-date-here.md: the file name does not start with YYYY-MM-DD-",
    );
    has(
        &report,
        "front matter: key `subtitle` (1 files) has no newsgen equivalent",
    );
    assert!(
        !report.contains("`layout`"),
        "layout keys are not worth a line: {report}"
    );
    has(
        &report,
        "_posts/2020-03-07-hello-world.md:17: template syntax kept as text: {% highlight ruby %}",
    );
    has(
        &report,
        "_posts/2020-03-07-hello-world.md:21: template syntax kept as text: {{ site.baseurl }}",
    );

    let hello = article(&f, "content/news/2020-03-07-hello-world/index.md");
    let fr = &hello.front;
    assert_eq!(fr.title, "Hello, Wörld");
    assert_eq!(fr.date, utc(2020, 3, 7, 9, 0));
    assert_eq!(
        fr.updated,
        Some(utc(2020, 3, 9, 8, 0).with_timezone(&chrono_tz::Pacific::Auckland))
    );
    assert_eq!(fr.authors, vec!["Jane Doe"]);
    assert_eq!(fr.summary.as_deref(), Some("The first post of the blog."));
    assert_eq!(fr.tags, vec!["Local", "launch", "local government"]);
    assert_eq!(fr.image.as_deref(), Some("hello.png"));
    assert_eq!(
        fr.aliases,
        vec!["/news/local/2020/03/07/hello-world.html", "/old/hello/"]
    );
    assert!(
        hello
            .body
            .text()
            .unwrap()
            .contains("![The view](hello.png)")
    );
    assert!(
        hello.body.text().unwrap().contains("{% highlight ruby %}"),
        "template syntax is kept"
    );

    // `published: false` is a draft; a title made from the file name; a category string
    // split on spaces.
    let second = article(&f, "content/sport/2020-04-01-second-post.md");
    assert_eq!(second.front.title, "Second Post");
    assert!(second.front.draft);
    assert_eq!(second.front.tags, vec!["rugby", "cricket"]);
    let draft = article(&f, "content/posts/2020-06-01-unfinished.md");
    assert!(draft.front.draft);
    // The folder above _posts is a category; a post's own permalink wins over the site's.
    let folder = article(&f, "content/news/2020-05-01-in-folder.md");
    assert_eq!(folder.front.authors, vec!["Ana", "Bo"]);
    assert_eq!(folder.front.aliases, vec!["/special/in-folder/"]);
    // A date without a time is midnight in _config.yml's time zone (London, summer time).
    assert_eq!(folder.front.date, utc(2020, 4, 30, 23, 0));

    assert_redirects(
        &f,
        &[
            (
                "/news/local/2020/03/07/hello-world.html",
                "/news/2020/03/07/hello-world/",
            ),
            ("/old/hello/", "/news/2020/03/07/hello-world/"),
            ("/special/in-folder/", "/news/2020/05/01/in-folder/"),
        ],
    );
}

#[test]
fn hugo_site_is_imported_from_yaml_toml_and_json() {
    let f = Fixture::new("");
    let src = fixtures().join("hugo");
    let report = import(&f, &["hugo", &src.display().to_string()]);
    assert!(
        report.starts_with("3 articles written, 1 skipped, 2 files copied"),
        "{report}"
    );
    has(&report, "content/about.md: not in a section folder");
    has(
        &report,
        "content/posts/first-post.md:15: template syntax kept as text: {{< figure",
    );
    has(
        &report,
        "content/posts/bundle-post/index.md:10: template syntax kept as text: {{% notice %}}",
    );

    let first = article(&f, "content/posts/2021-05-04-first/index.md");
    let fr = &first.front;
    assert_eq!(fr.title, "First Post: Ünïcode");
    assert_eq!(fr.date, utc(2021, 5, 4, 8, 0));
    assert_eq!(
        fr.updated,
        Some(utc(2021, 5, 6, 8, 0).with_timezone(&chrono_tz::Pacific::Auckland))
    );
    assert_eq!(fr.tags, vec!["hugo", "import", "Release Notes"]);
    assert_eq!(fr.authors, vec!["Kim Lee"]);
    assert_eq!(fr.summary.as_deref(), Some("A first post."));
    assert_eq!(
        fr.aliases,
        vec!["/2021/05/first/", "/old/first/", "/2021/05/first/renamed"]
    );
    assert!(first.body.text().unwrap().contains("![Alt](a.png)"));

    let bundle = article(&f, "content/posts/2021-06-01-bundle-post/index.md");
    assert_eq!(bundle.front.image.as_deref(), Some("cover.jpg"));
    assert_eq!(
        bundle.front.aliases,
        vec!["/legacy/a-bundle.html"],
        "`url` wins"
    );
    assert_eq!(
        std::fs::read(
            f.path()
                .join("content/posts/2021-06-01-bundle-post/cover.jpg")
        )
        .unwrap(),
        std::fs::read(src.join("content/posts/bundle-post/cover.jpg")).unwrap()
    );
    let json = article(&f, "content/news/2021-07-01-json-post.md");
    assert_eq!(json.front.summary.as_deref(), Some("Written as JSON."));
    assert_eq!(
        json.front.aliases,
        vec!["/archive/news/json-post.html"],
        "[permalinks.page]"
    );

    assert_redirects(
        &f,
        &[
            ("/2021/05/first/", "/posts/2021/05/04/first/"),
            ("/old/first/", "/posts/2021/05/04/first/"),
            ("/legacy/a-bundle.html", "/posts/2021/06/01/bundle-post/"),
            (
                "/archive/news/json-post.html",
                "/news/2021/07/01/json-post/",
            ),
        ],
    );
}

#[test]
fn zola_site_is_imported_with_taxonomies_and_colocated_assets() {
    let f = Fixture::new("");
    let src = fixtures().join("zola");
    let report = import(&f, &["zola", &src.display().to_string()]);
    assert!(
        report.starts_with("3 articles written, 0 skipped, 1 files copied"),
        "{report}"
    );
    has(
        &report,
        "content/blog/2022-06-01-first-zola.md:13: template syntax kept as text: {{ youtube(",
    );
    has(
        &report,
        "content/blog/2022-06-01-first-zola.md:15: template syntax kept as text: {% note() %}",
    );

    let first = article(&f, "content/blog/2022-06-01-first-zola.md");
    assert_eq!(first.front.title, "First Zola Post");
    assert_eq!(
        first.front.summary.as_deref(),
        Some("Zola's description is the summary.")
    );
    assert_eq!(first.front.tags, vec!["Releases", "zola", "rust"]);
    assert_eq!(first.front.authors, vec!["Wiremu"]);
    assert_eq!(first.front.aliases, vec!["/blog/first-zola/"]);
    assert!(first.front.updated.is_some());
    let assets = article(&f, "content/blog/2022-07-01-custom-slug/index.md");
    assert_eq!(assets.front.authors, vec!["Mere"]);
    assert_eq!(assets.front.date, utc(2022, 7, 1, 0, 0));
    assert_eq!(
        assets.front.aliases,
        vec!["/blog/custom-slug/", "/old/asset/"]
    );
    assert!(
        f.path()
            .join("content/blog/2022-07-01-custom-slug/photo.jpg")
            .is_file()
    );
    assert!(article(&f, "content/blog/2022-08-01-draft.md").front.draft);

    assert_redirects(
        &f,
        &[
            ("/blog/first-zola/", "/blog/2022/06/01/first-zola/"),
            ("/blog/custom-slug/", "/blog/2022/07/01/custom-slug/"),
            ("/old/asset/", "/blog/2022/07/01/custom-slug/"),
        ],
    );
}

#[test]
fn malformed_yaml_names_file_and_line_and_writes_nothing() {
    let f = Fixture::new("");
    let src = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = src.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "_posts/2020-01-01-good.md",
        "---\ntitle: Good\n---\nFine.\n",
    );
    write(
        "_posts/2020-01-02-bad.md",
        "---\ntitle: Bad\ntags: [a, b\nauthor: x\n---\nBody\n",
    );
    let out = f.cli(&["import", "jekyll", &src.path().display().to_string(), "."]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("_posts/2020-01-02-bad.md:"), "{stderr}");
    assert!(stderr.contains("invalid YAML front matter"), "{stderr}");
    assert!(!stderr.contains("build failed"), "{stderr}");
    assert_eq!(all_files(&f.path().join("content")), Vec::<PathBuf>::new());
}

#[test]
fn an_import_into_an_empty_folder_makes_the_site() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_newsgen"))
        .args(["import", "zola"])
        .arg(fixtures().join("zola"))
        .arg(&site)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let toml = std::fs::read_to_string(site.join("site.toml")).unwrap();
    assert!(
        toml.starts_with("title = \"Zola Site\"\nbase_url = \"https://zola.example.com/\"\n"),
        "{toml}"
    );
    let opts = newsgen::BuildOptions {
        site_dir: site.clone(),
        now: Some(common::fixed_now()),
        ..newsgen::BuildOptions::default()
    };
    let report = newsgen::build(&opts).unwrap();
    assert_eq!(report.articles, 2);
}

#[test]
fn without_uploads_images_stay_on_the_old_site() {
    let f = Fixture::new("");
    let xml = fixtures().join("wordpress/export.xml");
    let report = import(&f, &["wordpress", &xml.display().to_string()]);
    assert!(
        report.starts_with("5 articles written, 1 skipped, 0 files copied"),
        "{report}"
    );
    has(
        &report,
        "7 upload URLs still point at the old site: pass --uploads",
    );
    let lane = article(&f, "content/local-news/2020-01-30-harbour-cycle-lane.md");
    assert_eq!(
        lane.front.image.as_deref(),
        Some("https://old.example.com/blog/wp-content/uploads/2020/01/harbour.jpg")
    );
    f.build().unwrap();
}

/// A Jekyll site in a temp folder, from (path, text) pairs.
fn jekyll_site(files: &[(&str, &str)]) -> tempfile::TempDir {
    let src = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let p = src.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    src
}

#[test]
fn same_slugs_get_a_suffix_and_generated_pages_get_no_alias() {
    let f = Fixture::new("");
    let src = jekyll_site(&[
        ("_posts/2020-01-01-same.md", "---\ntitle: One\n---\nOne.\n"),
        (
            "_posts/2020-01-01-same.markdown",
            "---\ntitle: Two\npermalink: /tags/\n---\nTwo.\n",
        ),
    ]);
    let report = import(&f, &["jekyll", &src.path().display().to_string()]);
    assert!(report.starts_with("2 articles written"), "{report}");
    has(
        &report,
        "another article has the slug `same` on 2020-01-01: written as `same-2`",
    );
    has(&report, "old URL `/tags/` is a page newsgen writes itself");
    // Files are read in name order: `same.markdown` (Two) comes first and keeps the slug.
    assert_eq!(
        article(&f, "content/posts/2020-01-01-same.md").front.title,
        "Two"
    );
    assert!(
        article(&f, "content/posts/2020-01-01-same.md")
            .front
            .aliases
            .is_empty()
    );
    assert_redirects(
        &f,
        &[("/2020/01/01/same.html", "/posts/2020/01/01/same-2/")],
    );
}

#[test]
fn a_new_site_takes_the_old_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_newsgen"))
        .args(["import", "jekyll"])
        .arg(fixtures().join("jekyll"))
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let toml = std::fs::read_to_string(dir.path().join("site.toml")).unwrap();
    assert!(
        toml.starts_with("title = \"Old Jekyll Blog\"\nbase_url = \"https://blog.example.com/\"\ntimezone = \"Europe/London\"\n"),
        "{toml}"
    );
}

/// Runs the binary with `args` and samples its peak resident memory (`VmHWM`, a high-water
/// mark, so the last sample before exit is the peak). Returns (stdout, peak bytes).
#[cfg(target_os = "linux")]
fn run_measuring_memory(args: &[&str]) -> (String, u64) {
    use std::io::Read;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_newsgen"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    let status = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            let hwm = text.lines().find_map(|l| l.strip_prefix("VmHWM:"));
            if let Some(kb) = hwm.and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{stdout}\n{stderr}");
    (stdout, peak_kb * 1024)
}

#[cfg(target_os = "linux")]
#[test]
fn a_large_export_is_streamed_in_bounded_memory() {
    // 120 MB of items (pages with 200 kB bodies, counted but not converted) around one post.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.xml");
    let xml = std::fs::read_to_string(fixtures().join("wordpress/export.xml")).unwrap();
    let (head, tail) = xml.split_at(xml.find("\t<item>").unwrap());
    let body = "<p>Filler paragraph of an old page.</p>\n".repeat(5000);
    let page = format!(
        "\t<item><title>Old page</title><wp:post_id>9</wp:post_id><wp:status>publish</wp:status>\
         <wp:post_type>page</wp:post_type><content:encoded><![CDATA[{body}]]></content:encoded></item>\n"
    );
    {
        use std::io::Write;
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        out.write_all(head.as_bytes()).unwrap();
        for _ in 0..600 {
            out.write_all(page.as_bytes()).unwrap();
        }
        out.write_all(tail.as_bytes()).unwrap();
    }
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 100_000_000, "{size}");
    let f = Fixture::new("");
    let site = f.path().display().to_string();
    let (report, peak) =
        run_measuring_memory(&["import", "wordpress", &path.display().to_string(), &site]);
    has(&report, "601 pages");
    assert!(report.starts_with("5 articles written"), "{report}");
    assert!(
        peak > 1_000_000 && peak < 60_000_000,
        "peak memory {peak} bytes for a {size} byte export"
    );
}
