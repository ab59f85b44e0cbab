//! Resource limits on hostile input: a clear error or a bounded build, never an out-of-memory
//! or a stack overflow. The expensive cases (a 200 MB file, 100,000 tags) are measured by
//! `bench/hostile_inputs.py`; the cheap ones are here.

mod common;

use common::Fixture;

const FRONT: &str = "title = \"Hostile\"\ndate = 2025-05-01T10:00:00Z";

#[test]
fn an_article_over_16_mib_is_an_error_naming_the_file() {
    let f = Fixture::new("");
    f.article("world/2025-05-01-fine.md", FRONT, "Fine.");
    let body = "word ".repeat((17 * 1024 * 1024 - 1000) / 5);
    f.article("world/2025-05-01-huge.md", FRONT, &body);
    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "content/world/2025-05-01-huge.md: error: the file is 17 MiB; articles are limited \
             to 16 MiB"
        ),
        "{stderr}"
    );
}

#[test]
fn fifty_thousand_unknown_keys_give_a_bounded_list_of_warnings() {
    let f = Fixture::new("");
    let keys: String = (0..50_000).map(|i| format!("k{i} = {i}\n")).collect();
    f.article(
        "world/2025-05-01-keys.md",
        &format!("{FRONT}\n{keys}"),
        "Body.",
    );
    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("content/world/2025-05-01-keys.md"))
        .collect();
    assert_eq!(lines.len(), 21, "{stderr}");
    assert!(
        lines[0].ends_with(
            "warning: 50000 unknown front matter keys (the first 20 follow; put \
             free-form data under [extra])"
        ),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("content/world/2025-05-01-keys.md:4: warning: unknown"));
    assert!(f.exists("world/2025/05/01/keys/index.html"));
}

/// 1,000 levels of nesting build (10,000 are measured by `bench/hostile_inputs.py`: too slow
/// for a debug test), and the page holds
/// the innermost text.
#[test]
fn a_thousand_levels_of_nesting_build() {
    let f = Fixture::new("");
    f.article(
        "world/2025-05-01-list.md",
        FRONT,
        &format!("{}deep list", "- ".repeat(1_000)),
    );
    f.article(
        "world/2025-05-02-quote.md",
        "title = \"Q\"\ndate = 2025-05-02T10:00:00Z",
        &format!("{}deep quote", "> ".repeat(1_000)),
    );
    f.article(
        "world/2025-05-03-divs.md",
        "title = \"D\"\ndate = 2025-05-03T10:00:00Z",
        &format!("{}deep divs", "<div>".repeat(1_000)),
    );
    let out = f.cli(&["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (page, text) in [
        ("world/2025/05/01/list/index.html", "deep list"),
        ("world/2025/05/02/quote/index.html", "deep quote"),
        ("world/2025/05/03/divs/index.html", "deep divs"),
    ] {
        assert!(f.read(page).contains(text), "{page}");
    }
}
