//! `newsgen init`, `new` and `check`, through the real binary.

mod common;

use std::process::Command;

fn newsgen(args: &[&str], cwd: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_newsgen"))
        .args(args)
        .current_dir(cwd)
        .env(
            "SOURCE_DATE_EPOCH",
            common::fixed_now().timestamp().to_string(),
        )
        .output()
        .unwrap()
}

#[test]
fn init_new_check_build_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let out = newsgen(&["init", "site"], tmp.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let site = tmp.path().join("site");
    assert!(site.join("site.toml").is_file());

    // init refuses a folder that is not empty.
    let again = newsgen(&["init", "site"], tmp.path());
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));

    let out = newsgen(
        &[
            "new",
            "Council \"votes\" on Māori ward",
            "--section",
            "politics",
            "--publish",
        ],
        &site,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rel = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(rel.starts_with("content/politics/"), "{rel}");
    assert!(rel.ends_with("-council-votes-on-maori-ward.md"), "{rel}");
    let text = std::fs::read_to_string(site.join(&rel)).unwrap();
    let front = text.split("+++").nth(1).unwrap();
    let table: toml::Table = toml::from_str(front).unwrap();
    assert_eq!(
        table["title"].as_str(),
        Some("Council \"votes\" on Māori ward")
    );
    // The same headline twice would overwrite: refused.
    let dup = newsgen(
        &["new", "Council \"votes\" on Māori ward", "-s", "politics"],
        &site,
    );
    assert_eq!(dup.status.code(), Some(1));
    let bad = newsgen(&["new", "X", "--section", "../etc"], &site);
    assert_eq!(bad.status.code(), Some(1));

    let out = newsgen(&["check"], &site);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !site.join("public").exists(),
        "check must not build into the site"
    );

    let out = newsgen(&["build"], &site);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = rel
        .trim_start_matches("content/")
        .trim_end_matches(".md")
        .to_string();
    let (section, file) = page.split_once('/').unwrap();
    let (date, slug) = file.split_at(10);
    let url = format!(
        "{section}/{}/{}",
        date.replace('-', "/"),
        slug.trim_start_matches('-')
    );
    assert!(
        site.join("public").join(&url).join("index.html").is_file(),
        "{url}"
    );
}

#[test]
fn check_turns_broken_links_into_errors() {
    let f = common::Fixture::new("");
    f.article(
        "world/a.md",
        "title = \"A\"\ndate = 2025-01-01",
        "[gone](/nowhere/) and [fine](/world/)",
    );
    let out = f.cli(&["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("content/world/a.md:5: error: broken link: /nowhere/"),
        "{stderr}"
    );
    // build only warns.
    assert!(f.cli(&["build"]).status.success());
}

#[test]
fn drafts_and_future_flags_through_the_binary() {
    let f = common::Fixture::new("");
    f.article(
        "world/2025-05-01-now.md",
        "title = \"Now\"\ndate = 2025-05-01",
        "x",
    );
    f.article(
        "world/2025-05-02-draft.md",
        "title = \"Draft\"\ndate = 2025-05-02\ndraft = true",
        "A [broken](/nowhere/) link.",
    );
    // The fixture's build time is 2026-01-01 (SOURCE_DATE_EPOCH): June 2026 is the future.
    f.article(
        "world/2026-06-01-future.md",
        "title = \"Future\"\ndate = 2026-06-01",
        "x",
    );
    let (now, draft, future) = (
        "world/2025/05/01/now/index.html",
        "world/2025/05/02/draft/index.html",
        "world/2026/06/01/future/index.html",
    );
    for (flags, with_draft, with_future) in [
        (&[][..], false, false),
        (&["--drafts"][..], true, false),
        (&["--future"][..], false, true),
        (&["--drafts", "--future"][..], true, true),
    ] {
        let out = f.cli(&[&["build"], flags].concat());
        assert!(
            out.status.success(),
            "{flags:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(f.exists(now), "{flags:?}");
        assert_eq!(f.exists(draft), with_draft, "{flags:?}");
        assert_eq!(f.exists(future), with_future, "{flags:?}");
        assert_eq!(f.exists("2026/index.html"), with_future, "{flags:?}");
    }
    // check takes the same flags: the draft's broken link counts only with --drafts.
    assert!(f.cli(&["check"]).status.success());
    let out = f.cli(&["check", "--drafts"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("content/world/2025-05-02-draft.md:6: error: broken link: /nowhere/"),
        "{stderr}"
    );
}

#[test]
fn new_writes_into_the_site_named_by_site_dir() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(newsgen(&["init", "paper"], tmp.path()).status.success());
    let new_in = |site: &str| {
        newsgen(
            &["new", "Ferry fares rise", "-s", "news", "--site-dir", site],
            tmp.path(),
        )
    };
    let out = new_in("paper");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Dated by SOURCE_DATE_EPOCH (2026-01-01) in the site's zone (UTC for `init`).
    let rel = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(rel, "content/news/2026-01-01-ferry-fares-rise.md");
    let text = std::fs::read_to_string(tmp.path().join("paper").join(&rel)).unwrap();
    assert!(text.contains("date = 2026-01-01T00:00:00+00:00"), "{text}");
    assert!(
        !tmp.path().join("content").exists(),
        "written outside the site"
    );
    // A folder without site.toml is refused, naming the file it looked for.
    let out = new_in("nowhere");
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("site.toml"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_output_folder_holding_the_site_or_inside_its_inputs_is_refused() {
    let f = common::Fixture::new("");
    f.article(
        "world/2025-05-01-a.md",
        "title = \"A\"\ndate = 2025-05-01",
        "x",
    );
    let site = f.path().to_string_lossy().into_owned();
    for (output, expected) in [
        (site.as_str(), "contains the site itself"),
        ("content/out", "inside the site's content/ folder"),
        ("static", "inside the site's static/ folder"),
        ("themes/x", "inside the site's themes/ folder"),
    ] {
        let out = f.cli(&["build", "--output", output]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{output}: {stderr}");
        assert!(stderr.contains(expected), "{output}: {stderr}");
    }
    // Nothing was replaced or deleted.
    assert!(f.path().join("content/world/2025-05-01-a.md").is_file());
    assert!(f.path().join("site.toml").is_file());
    assert!(!f.path().join("content/out").exists());
    // A folder beside the inputs is fine.
    assert!(f.cli(&["build", "--output", "site-out"]).status.success());
    assert!(
        f.path()
            .join("site-out/world/2025/05/01/a/index.html")
            .is_file()
    );
}
