//! Bad input: every problem of a build is reported together, by file and line, with a
//! non-zero exit status, no panic, and the previous output left untouched.

mod common;

use common::{Fixture, all_files};

fn good_site() -> Fixture {
    let f = Fixture::new("");
    f.article(
        "world/2025-05-01-good.md",
        "title = \"Good\"\ndate = 2025-05-01T10:00:00+12:00",
        "Fine.",
    );
    f
}

type Snapshot = Vec<(std::path::PathBuf, Vec<u8>)>;

fn snapshot(f: &Fixture) -> Snapshot {
    all_files(&f.out())
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(f.out().join(&p)).unwrap();
            (p, bytes)
        })
        .collect()
}

#[test]
fn every_bad_input_is_reported_together_and_the_old_output_stays() {
    let f = good_site();
    let out = f.cli(&["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = snapshot(&f);
    assert!(before.len() > 10);

    let bad: &[(&str, &str, &str)] = &[
        (
            "broken-toml.md",
            "title = \"x\ndate = 2025-01-01",
            ":2: error: invalid TOML",
        ),
        (
            "missing-title.md",
            "date = 2025-01-01",
            ":1: error: missing `title`",
        ),
        (
            "blank-title.md",
            "title = \"   \"\ndate = 2025-01-01",
            ":2: error: `title` is empty",
        ),
        (
            "missing-date.md",
            "title = \"x\"",
            ":1: error: missing `date`",
        ),
        (
            "impossible-date.md",
            "title = \"x\"\ndate = \"2025-02-30\"",
            ":3: error: `date` 2025-02-30 is not a real date",
        ),
        (
            "updated-before.md",
            "title = \"x\"\ndate = 2025-05-02\nupdated = 2025-05-01",
            ":4: error: `updated`",
        ),
        (
            "tags-string.md",
            "title = \"x\"\ndate = 2025-01-01\ntags = \"x\"",
            ":4: error: `tags` must be a list of strings",
        ),
        (
            "draft-yes.md",
            "title = \"x\"\ndate = 2025-01-01\ndraft = \"yes\"",
            ":4: error: `draft` must be true or false",
        ),
        (
            "bad-slug.md",
            "title = \"x\"\ndate = 2025-01-01\nslug = \"../etc\"",
            ":4: error: `slug` \"../etc\"",
        ),
        (
            "empty-slug.md",
            "title = \"x\"\ndate = 2025-01-01\nslug = \"!!!\"",
            ":4: error: `slug` \"!!!\" has no usable",
        ),
        (
            "slash-section.md",
            "title = \"x\"\ndate = 2025-01-01\nsection = \"a/b\"",
            ":4: error: `section`",
        ),
        (
            "alias-escapes.md",
            "title = \"x\"\ndate = 2025-01-03\naliases = [\"/../../etc/passwd\"]",
            ":4: error: alias \"/../../etc/passwd\" leaves the output folder",
        ),
        (
            "alias-collides.md",
            "title = \"y\"\ndate = 2025-01-04\naliases = [\"/world/2025/05/01/good/\"]",
            "an alias of this article has the URL /world/2025/05/01/good/",
        ),
        (
            "2025-05-01-dup.md",
            "title = \"Dup\"\ndate = 2025-05-01T10:00:00+12:00\nslug = \"good\"",
            "this article has the URL /world/2025/05/01/good/",
        ),
    ];
    for (name, front, _) in bad {
        f.article(&format!("world/{name}"), front, "Body.");
    }
    f.write_bytes(
        "content/world/invalid-utf8.md",
        b"+++\ntitle = \"\xff\xfe\"\ndate = 2025-01-01\n+++\n",
    );
    f.write("content/world/yaml.md", "---\ntitle: x\n---\nbody\n");
    f.write(
        "content/world/unterminated.md",
        "+++\ntitle = \"x\"\ndate = 2025-01-01\n",
    );
    f.write(
        "themes/default/templates/term.html",
        "{% extends \"base.html\" %}\n{% block content %}{{ term.name | no_such_filter }}{% endblock content %}",
    );

    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for (name, _, expected) in bad {
        let line = stderr
            .lines()
            .find(|l| l.starts_with(&format!("content/world/{name}")))
            .unwrap_or_else(|| panic!("no error for {name} in:\n{stderr}"));
        assert!(
            line.contains(expected),
            "{name}: expected `{expected}` in `{line}`"
        );
    }
    for (file, expected) in [
        ("content/world/invalid-utf8.md:2:", "not valid UTF-8"),
        ("content/world/yaml.md:1:", "YAML"),
        (
            "content/world/unterminated.md:1:",
            "unterminated front matter",
        ),
        ("themes/default/templates/term.html:2:", "no_such_filter"),
    ] {
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with(file) && l.contains(expected)),
            "expected {file} ... {expected} in:\n{stderr}"
        );
    }
    assert!(stderr.contains("build failed: 19 errors"), "{stderr}");
    assert_failed_and_untouched(&f, &out, &before);
}

#[test]
fn template_errors_at_render_time_keep_the_old_output() {
    let f = good_site();
    assert!(f.cli(&["build"]).status.success());
    let before = snapshot(&f);
    f.write(
        "themes/default/templates/article.html",
        "{% extends \"base.html\" %}{% block content %}\n\n{{ article.no_such_field.x }}{% endblock content %}",
    );
    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("themes/default/templates/article.html:3: error: template error"),
        "{stderr}"
    );
    assert_eq!(snapshot(&f), before);
}

/// A site of `n` good world articles titled `{title} {i}`.
fn good_articles(f: &Fixture, n: usize, title: &str) {
    for i in 0..n {
        f.article(
            &format!("world/2025-05-02-story-{i}.md"),
            &format!("title = \"{title} {i}\"\ndate = 2025-05-02T10:{i:02}:00+12:00"),
            "Fine.",
        );
    }
}

/// Asserts the build failed (exit status 1, no panic) and left the output as `before`, with
/// no staging folder behind.
fn assert_failed_and_untouched(f: &Fixture, out: &std::process::Output, before: &Snapshot) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        snapshot(f) == *before,
        "the failed build changed the output"
    );
    let leftovers: Vec<_> = std::fs::read_dir(f.path())
        .unwrap()
        .filter_map(Result::ok)
        // The cache folder `.public.newsgen` stays; staging folders `.public.newsgen-<pid>` go.
        .filter(|e| e.file_name().to_string_lossy().contains("newsgen-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_render_time_error_keeps_the_old_output_though_good_articles_changed() {
    let f = good_site();
    good_articles(&f, 30, "Story");
    assert!(f.cli(&["build"]).status.success());
    let before = snapshot(&f);
    assert!(before.len() > 30, "{} files", before.len());
    // Every good article changes, and one new article fails while the pages are rendered
    // (the template trips only on it), after many changed pages were written.
    good_articles(&f, 30, "Corrected story");
    f.article(
        "world/2025-05-03-boom.md",
        "title = \"Boom\"\ndate = 2025-05-03T10:00:00+12:00",
        "x",
    );
    f.write(
        "themes/default/templates/article.html",
        "{% extends \"base.html\" %}{% block content %}<h1>{{ article.title }}</h1>\n\
         {% if article.title == \"Boom\" %}{{ article.no_such_field.x }}{% endif %}\
         {% endblock content %}",
    );
    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("themes/default/templates/article.html:2: error: template error"),
        "{stderr}"
    );
    assert_failed_and_untouched(&f, &out, &before);
    // Without the failing article the same edit builds and changes the output.
    std::fs::remove_file(f.path().join("content/world/2025-05-03-boom.md")).unwrap();
    assert!(f.cli(&["build"]).status.success());
    assert!(
        f.read("world/2025/05/02/story-7/index.html")
            .contains("Corrected story 7")
    );
}

#[test]
fn a_strict_link_error_keeps_the_old_output_though_a_good_article_changed() {
    let f = good_site();
    assert!(f.cli(&["build"]).status.success());
    let before = snapshot(&f);
    // The link check runs after every page was written to the staging folder.
    f.article(
        "world/2025-05-01-good.md",
        "title = \"Good, corrected\"\ndate = 2025-05-01T10:00:00+12:00",
        "Fine, see [gone](/nowhere/).",
    );
    let out = f.cli(&["build", "--strict"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("content/world/2025-05-01-good.md:5: error: broken link: /nowhere/"),
        "{stderr}"
    );
    assert_failed_and_untouched(&f, &out, &before);
    // Without --strict the same input builds (with a warning) and changes the output.
    assert!(f.cli(&["build"]).status.success());
    assert!(
        f.read("world/2025/05/01/good/index.html")
            .contains("Good, corrected")
    );
}

#[test]
fn unknown_keys_warn_and_strict_makes_them_errors() {
    let f = good_site();
    f.article(
        "world/typo.md",
        "title = \"x\"\ntittle = \"y\"\ndate = 2025-01-01",
        "x",
    );
    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("content/world/typo.md:3: warning: unknown front matter key `tittle`; did you mean `title`?"),
        "{stderr}"
    );
    let out = f.cli(&["build", "--strict"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("content/world/typo.md:3: error: unknown front matter key"),
        "{stderr}"
    );
}

#[test]
fn broken_internal_links_warn_in_build_and_fail_strict() {
    let f = good_site();
    f.article(
        "world/links.md",
        "title = \"Links\"\ndate = 2025-01-01\nimage = \"/missing.png\"",
        "[ok](/world/2025/05/01/good/) [gone](/world/nowhere/) ![pic](nope.jpg)",
    );
    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("warning: broken link"))
        .collect();
    assert_eq!(warnings.len(), 3, "{stderr}");
    assert!(stderr.contains("\n3 broken links in 1 article; --strict makes them errors\n"));
    assert!(stderr.contains("content/world/links.md:6: warning: broken link: /world/nowhere/"));
    assert!(stderr.contains("broken link: /world/2025/01/01/links/nope.jpg"));
    // A site-absolute lead image may come from static/: checked in the output, no line.
    assert!(stderr.contains("content/world/links.md: warning: broken link: /missing.png"));
    assert!(!f.cli(&["build", "--strict"]).status.success());
}

#[test]
fn bad_site_toml_is_located() {
    let f = good_site();
    f.write(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://e.org/\"\ntimezone = \"Mars/Olympus\"\n",
    );
    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("site.toml:3: error: unknown time zone `Mars/Olympus`"),
        "{stderr}"
    );

    f.write("site.toml", "title = \"T\"\nbase_url = [1]\n");
    let stderr = String::from_utf8_lossy(&f.cli(&["build"]).stderr).into_owned();
    assert!(stderr.starts_with("site.toml:2: error:"), "{stderr}");

    let empty = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_newsgen"))
        .args(["build", empty.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no site.toml"));
}

#[test]
fn files_outside_a_section_and_hostile_paths() {
    let f = good_site();
    f.article("stray.md", "title = \"Stray\"\ndate = 2025-01-01", "x");
    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("content/stray.md: error: the article is not in a section folder"),
        "{stderr}"
    );

    std::fs::remove_file(f.path().join("content/stray.md")).unwrap();
    // A slug that slugifies to a dotted name is kept; a section named `tags` collides.
    f.article("tags/x.md", "title = \"X\"\ndate = 2025-01-01", "x");
    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("tags/index.html"), "{stderr}");
}

#[test]
fn a_content_file_that_would_replace_a_page_is_an_error() {
    let f = good_site();
    f.write("content/world/index.html", "<p>hand-made</p>");
    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "content/world/index.html: error: this file would be copied to world/index.html"
        ),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn symlinks_leading_out_or_looping_are_skipped_with_a_warning() {
    let f = good_site();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.md"),
        "+++\ntitle = \"S\"\ndate = 2025-01-01\n+++\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), f.path().join("content/world/escape")).unwrap();
    std::os::unix::fs::symlink(
        f.path().join("content/world"),
        f.path().join("content/world/again"),
    )
    .unwrap();
    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("content/world/escape: warning: symbolic link leads outside"),
        "{stderr}"
    );
    // The link's name says nothing of loops, so only the message can match.
    assert!(
        stderr.contains("content/world/again: warning: symbolic link loop: skipped"),
        "{stderr}"
    );
    assert!(!f.exists("world/2025/01/01/secret/index.html"));
}

#[test]
fn script_links_of_unvetted_content_are_dropped_with_a_warning_naming_file_and_line() {
    let f = Fixture::new("unsafe_html = false");
    f.article(
        "world/2025-05-01-x.md",
        "title = \"X\"\ndate = 2025-05-01T10:00:00+12:00\nsource = \"Wire\"\n\
         source_url = \" javascript:alert(1)\"\nimage = \"data:image/svg+xml,<svg/>\"",
        "Fine [home](/) and [x](JaVaScRiPt&colon;document.title='owned').\n\n\
         ![pic](data:image/svg+xml;base64,PHN2Zz4=)\n\n[ref][r]\n\n[r]: javascript:x",
    );
    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for (line, what) in [
        (5, "`source_url` \" javascript:"),
        (6, "`image` \"data:image/svg"),
        (8, "link to \"JaVaScRiPt:"),
        (10, "image to \"data:"),
        (12, "link"),
    ] {
        let expected = format!("content/world/2025-05-01-x.md:{line}: warning: {what}");
        assert!(stderr.contains(&expected), "{expected} in {stderr}");
    }
    let page = f.html("world/2025/05/01/x/index.html");
    let urls: Vec<String> = common::attrs(&page, "[href]", "href")
        .into_iter()
        .chain(common::attrs(&page, "[src]", "src"))
        .chain(common::attrs(&page, "meta[content]", "content"))
        .collect();
    assert!(urls.contains(&"/".to_string()), "{urls:?}");
    assert!(
        urls.iter()
            .all(|u| !u.to_lowercase().contains("script") && !u.starts_with("data:")),
        "{urls:?}"
    );
}

#[test]
fn a_server_that_cannot_listen_fails_with_the_address_and_no_panic() {
    // 192.0.2.1 (TEST-NET-1, RFC 5737) is on no interface of this machine.
    let f = good_site();
    let site = f.path().to_str().expect("a UTF-8 path");
    let out = f.cli(&[
        "serve",
        "--no-watch",
        "--bind",
        "192.0.2.1",
        "--port",
        "0",
        site,
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("cannot listen on 192.0.2.1:"), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("(listener)"),
        "{err}"
    );
}
