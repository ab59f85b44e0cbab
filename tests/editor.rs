//! An editor's day (issue 15), through the real binary: safe publishing (`new` drafts, build
//! summaries, `list`), messages that name the fix, and the command-line conveniences.

mod common;

use common::{Fixture, texts};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A site whose site.toml lists two sections, with one published article.
fn newsroom() -> Fixture {
    let f =
        Fixture::new("[sections.news]\ntitle = \"News\"\n[sections.sport]\ntitle = \"Sport\"\n");
    f.article(
        "news/a.md",
        "title = \"Published\"\ndate = 2025-06-01",
        "Body.",
    );
    f
}

#[test]
fn new_writes_a_draft_that_no_build_publishes_until_told() {
    let f = newsroom();
    let out = f.cli(&["new", "Council votes", "-s", "news"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rel = stdout(&out).trim().to_string();
    let text = std::fs::read_to_string(f.path().join(&rel)).unwrap();
    let front: toml::Table = toml::from_str(text.split("+++").nth(1).unwrap()).unwrap();
    assert_eq!(front["draft"].as_bool(), Some(true), "{text}");
    for empty in ["summary", "source"] {
        assert!(
            !front.contains_key(empty),
            "empty `{empty}` written: {text}"
        );
    }
    assert!(stderr(&out).contains("this is a draft"), "{}", stderr(&out));

    let out = f.cli(&["build"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("built 1 articles (skipped 1 draft), "),
        "the summary must say what it left out: {err}"
    );
    let front_page = f.read("index.html");
    assert!(front_page.contains("Published"));
    assert!(
        !front_page.contains("Council votes"),
        "a draft reached the front page"
    );
    assert!(!f.read("feed.xml").contains("Council votes"));

    // --publish writes no draft key; --bundle makes a folder for pictures.
    let out = f.cli(&[
        "new",
        "Harbour pictures",
        "-s",
        "news",
        "--publish",
        "--bundle",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rel = stdout(&out).trim().to_string();
    assert!(rel.ends_with("-harbour-pictures/index.md"), "{rel}");
    let text = std::fs::read_to_string(f.path().join(&rel)).unwrap();
    assert!(!text.contains("draft"), "{text}");
    let out = f.cli(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(f.read("index.html").contains("Harbour pictures"));
}

#[test]
fn a_section_missing_from_site_toml_is_warned_about_with_the_nearest_one() {
    let f = newsroom();
    let out = f.cli(&["new", "Late goal", "--section", "sprot"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: section `sprot` is not in site.toml (known: news, sport): did you mean `sport`?"),
        "{err}"
    );
    let out = f.cli(&["new", "Late goal two", "--section", "sprot", "--strict"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: section `sprot`"),
        "{}",
        stderr(&out)
    );

    // The build says the same about a published article in such a folder, once per section.
    f.article("sprot/b.md", "title = \"B\"\ndate = 2025-06-02", "x");
    f.article("sprot/c.md", "title = \"C\"\ndate = 2025-06-03", "x");
    let out = f.cli(&["build"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("`sprot`")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].starts_with("content/sprot/b.md: warning: section `sprot` is not in site.toml")
            && warnings[0].contains("did you mean `sport`?"),
        "{err}"
    );
    let out = f.cli(&["build", "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    // A site that lists no sections uses folders freely, without warnings.
    let free = Fixture::new("");
    free.article("anything/a.md", "title = \"A\"\ndate = 2025-06-01", "x");
    let out = free.cli(&["build", "--strict"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn scheduled_articles_are_counted_listed_and_dated_in_the_site_zone() {
    let f = newsroom();
    // The fixture's "now" is 2026-01-01 00:00 UTC (13:00 in Auckland).
    f.article(
        "news/later.md",
        "title = \"Later\"\ndate = 2026-12-01T06:00:00",
        "x",
    );
    f.article(
        "news/sooner.md",
        "title = \"Sooner\"\ndate = 2026-03-01T09:30:00",
        "x",
    );
    f.article(
        "news/d.md",
        "title = \"Draft one\"\ndate = 2025-05-01\ndraft = true",
        "x",
    );
    let out = f.cli(&["build"]);
    let err = stderr(&out);
    assert!(
        err.contains(
            "built 1 articles (skipped 1 draft, 2 scheduled: next at 2026-03-01 09:30 \
             Pacific/Auckland), "
        ),
        "{err}"
    );
    let out = f.cli(&["check"]);
    assert!(
        stderr(&out).contains("(skipped 1 draft, 2 scheduled: next at 2026-03-01 09:30"),
        "{}",
        stderr(&out)
    );
    // --verbose names the files.
    let out = f.cli(&["build", "--verbose"]);
    let err = stderr(&out);
    assert!(err.contains("  draft: content/news/d.md"), "{err}");
    assert!(err.contains("  scheduled: content/news/sooner.md"), "{err}");
    assert!(
        err.contains("timing: "),
        "--verbose prints phase timings: {err}"
    );

    let out = f.cli(&["list", "scheduled"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(
        lines,
        [
            "2026-03-01 09:30 NZDT  content/news/sooner.md  Sooner",
            "2026-12-01 06:00 NZDT  content/news/later.md  Later",
        ]
    );
    let out = f.cli(&["list", "drafts"]);
    assert_eq!(
        stdout(&out).trim(),
        "2025-05-01 00:00 NZST  content/news/d.md  Draft one"
    );
    // A scheduled draft is in both lists; a broken file is reported and fails the command.
    f.article(
        "news/fd.md",
        "title = \"Future draft\"\ndate = 2026-02-01\ndraft = true",
        "x",
    );
    f.article("news/broken.md", "title = \"Broken\"", "x");
    let drafts = f.cli(&["list", "drafts"]);
    let scheduled = f.cli(&["list", "scheduled"]);
    for out in [&drafts, &scheduled] {
        assert!(
            stdout(out).contains("content/news/fd.md  Future draft"),
            "{}",
            stdout(out)
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(out).contains("content/news/broken.md:1: error: missing `date`"),
            "{}",
            stderr(out)
        );
    }
    std::fs::remove_file(f.path().join("content/news/fd.md")).unwrap();
    std::fs::remove_file(f.path().join("content/news/broken.md")).unwrap();
    // With everything published, the summary has no note.
    let out = f.cli(&["build", "--drafts", "--future"]);
    let err = stderr(&out);
    assert!(err.contains("built 4 articles, "), "{err}");
}

#[test]
fn quiet_prints_nothing_but_errors() {
    let f = newsroom();
    f.article(
        "news/t.md",
        "title = \"T\"\ndate = 2025-06-01\ntittle = 1",
        "x",
    );
    let out = f.cli(&["build", "--quiet"]);
    assert!(out.status.success());
    assert_eq!(stderr(&out), "", "--quiet printed something");
    let out = f.cli(&["build"]);
    assert!(stderr(&out).contains("warning: unknown front matter key"));
}

#[test]
fn sections_that_differ_in_case_name_both_lines() {
    let f = Fixture::new(
        "[sections.sport]\ntitle = \"Sport\"\n\n[sections.Sport]\ntitle = \"SPORT\"\n",
    );
    f.article("sport/a.md", "title = \"A\"\ndate = 2025-06-01", "x");
    let out = f.cli(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    // The fixture's site.toml has 4 lines before the extra ones.
    assert!(
        err.contains(
            "site.toml:8: error: [sections.Sport] and [sections.sport] (line 5) are one section: \
             both give the URL /sport/ (names that differ only in case or punctuation are the \
             same section)"
        ),
        "{err}"
    );
}

#[test]
fn images_beside_a_one_file_article_get_the_line_and_the_bundle_hint() {
    let f = newsroom();
    f.write("content/news/lead.jpg", "jpeg");
    f.article(
        "news/2025-10-30-story.md",
        "title = \"Story\"\ndate = 2025-10-30",
        "First paragraph.\n\n![Lead](img/lead.jpg)\n",
    );
    let out = f.cli(&["build"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    // Line 1 `+++`, 2-3 front matter, 4 `+++`, 5 first paragraph, 6 blank, 7 the image.
    assert!(
        err.contains(
            "content/news/2025-10-30-story.md:7: warning: broken link: \
             /news/2025/10/30/story/img/lead.jpg is not a page or file of the site (files \
             beside an article are published only from a bundle folder"
        ),
        "{err}"
    );

    // A lead image that does not exist stops the build, at its line, with the fix.
    f.article(
        "news/2025-10-31-lead.md",
        "title = \"Lead\"\ndate = 2025-10-31\nimage = \"lead.jpg\"",
        "x",
    );
    let out = f.cli(&["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "content/news/2025-10-31-lead.md:4: error: lead image `lead.jpg` does not exist: \
             images beside an article need a bundle folder: move the article to \
             content/news/2025-10-31-lead/index.md"
        ),
        "{err}"
    );
    // In a bundle the same image is found.
    std::fs::remove_file(f.path().join("content/news/2025-10-31-lead.md")).unwrap();
    f.article(
        "news/2025-10-31-lead/index.md",
        "title = \"Lead\"\ndate = 2025-10-31\nimage = \"lead.jpg\"",
        "x",
    );
    f.write("content/news/2025-10-31-lead/lead.jpg", "jpeg");
    let out = f.cli(&["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn keys_from_other_generators_and_site_toml_typos_get_hints() {
    let f = newsroom();
    f.article(
        "news/hugo.md",
        "title = \"From Hugo\"\ndate = 2025-06-01\nauthor = \"Ann\"\ndescription = \"d\"\n\
         categories = [\"x\"]\nlastmod = 2025-06-02",
        "x",
    );
    let out = f.cli(&["build"]);
    let err = stderr(&out);
    for (line, key, hint) in [
        (4, "author", "newsgen uses `authors`, a list"),
        (5, "description", "newsgen uses `summary`"),
        (6, "categories", "newsgen uses `section`"),
        (7, "lastmod", "newsgen uses `updated`"),
    ] {
        let want = format!(
            "content/news/hugo.md:{line}: warning: unknown front matter key `{key}`; {hint}"
        );
        assert!(err.contains(&want), "missing `{want}` in:\n{err}");
    }

    let typo = Fixture::new("titel = \"x\"\n");
    let out = typo.cli(&["build"]);
    let err = stderr(&out);
    assert!(
        err.contains("site.toml:5: warning: unknown key `titel`; did you mean `title`?"),
        "{err}"
    );
}

#[test]
fn check_says_check_failed_and_counts_warnings_when_it_passes() {
    let f = newsroom();
    f.article(
        "news/t.md",
        "title = \"T\"\ndate = 2025-06-01\ntittle = 1",
        "x",
    );
    let out = f.cli(&["check"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.ends_with("no errors, 1 warning\n"), "{err}");
    f.article("news/bad.md", "title = \"\"\ndate = 2025-06-01", "x");
    let out = f.cli(&["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.trim_end().ends_with("check failed: 1 error"), "{err}");
    assert!(!err.contains("build failed"), "{err}");
}

#[test]
fn completions_and_theme_copy() {
    let f = newsroom();
    let out = f.cli(&["completions", "bash"]);
    assert!(out.status.success());
    let script = stdout(&out);
    for word in ["newsgen", "serve", "--no-watch", "list", "drafts"] {
        assert!(script.contains(word), "completion lacks {word}");
    }

    let out = f.cli(&["theme", "copy"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "themes/default");
    let article = f.path().join("themes/default/templates/article.html");
    assert!(article.is_file());
    assert!(f.path().join("themes/default/static/style.css").is_file());
    // The copy is what builds use: an edit shows.
    let base = f.path().join("themes/default/templates/base.html");
    let text = std::fs::read_to_string(&base).unwrap();
    std::fs::write(&base, text.replace("Skip to content", "Jump to the news")).unwrap();
    assert!(f.cli(&["build"]).status.success());
    assert!(f.read("index.html").contains("Jump to the news"));
    // It never overwrites.
    let again = f.cli(&["theme", "copy"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("already has files"));
    let doc = f.html("index.html");
    assert_eq!(texts(&doc, "a.skip"), ["Jump to the news"]);
}

#[test]
fn expired_articles_leave_the_site_and_are_listed() {
    let f = newsroom();
    // The fixture's "now" is 2026-01-01 00:00 UTC (13:00 in Auckland).
    f.article(
        "news/licensed.md",
        "title = \"Agency copy\"\ndate = 2025-11-01\nexpires = 2025-12-01T12:00:00",
        "Licensed for a month.",
    );
    f.article(
        "news/running.md",
        "title = \"Still licensed\"\ndate = 2025-11-01\nexpires = 2026-06-01",
        "x",
    );
    let out = f.cli(&["build", "--verbose"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("built 2 articles (skipped 1 expired), "),
        "{err}"
    );
    assert!(
        err.contains("  expired: content/news/licensed.md (2025-12-01 12:00 NZDT)"),
        "{err}"
    );
    assert!(!f.exists("news/2025/11/01/licensed/index.html"));
    assert!(f.exists("news/2025/11/01/running/index.html"));
    for file in ["index.html", "feed.xml", "sitemap.xml"] {
        let text = f.read(file);
        assert!(!text.contains("/licensed/"), "expired article in {file}");
        assert!(text.contains("/running/"), "live article not in {file}");
    }

    let out = f.cli(&["list", "expired"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        "2025-12-01 12:00 NZDT  content/news/licensed.md  Agency copy"
    );
    // --expired publishes it again; an expiry not after the date is an error with its line.
    let out = f.cli(&["build", "--expired"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(f.exists("news/2025/11/01/licensed/index.html"));
    f.article(
        "news/bad.md",
        "title = \"Bad\"\ndate = 2025-11-01\nexpires = 2025-10-01",
        "x",
    );
    let out = f.cli(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("content/news/bad.md:4: error: `expires` (2025-10-01T00:00:00+13:00) is not after `date`"),
        "{}",
        stderr(&out)
    );
}
