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
        stderr.contains("content/world/a.md: error: broken link: /nowhere/"),
        "{stderr}"
    );
    // build only warns.
    assert!(f.cli(&["build"]).status.success());
}
