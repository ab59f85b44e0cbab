//! SPEC §6: in every input folder (`content/`, `static/`, a theme), a symbolic link is followed
//! only while it stays inside the site; loops and links leading out are skipped with a warning.
#![cfg(unix)]

mod common;

use std::os::unix::fs::symlink;

use common::{Fixture, all_files};

/// A site with one article whose theme is `themes/t/` (empty, so the built-in theme shows).
fn site() -> Fixture {
    let f = Fixture::new("theme = \"t\"");
    f.article(
        "world/2025-05-01-good.md",
        "title = \"Good\"\ndate = 2025-05-01T10:00:00+12:00",
        "Fine.",
    );
    f.write("themes/t/static/theme.css", "body{}");
    f.write("static/robots-extra.txt", "kept");
    f.write("shared/inside.txt", "shared inside the site");
    f
}

/// Builds with the real binary; returns stderr after checking the build succeeded.
fn build_ok(f: &Fixture) -> String {
    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    stderr
}

/// `folder/leak` leads to a folder outside the site, `folder/file-leak` to a file outside it,
/// `folder/loop` to its own parent, `folder/inside` to `shared/` inside the site. Checks the
/// secret is not published, each skipped link is named in a warning, and the inside link is
/// followed to `published/inside.txt`.
fn check_folder(folder: &str, published: &str) {
    let f = site();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "TOP SECRET").unwrap();
    let dir = f.path().join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    symlink(outside.path(), dir.join("leak")).unwrap();
    symlink(outside.path().join("secret.txt"), dir.join("file-leak.txt")).unwrap();
    symlink(&dir, dir.join("loop")).unwrap();
    symlink(f.path().join("shared"), dir.join("inside")).unwrap();

    let stderr = build_ok(&f);
    assert!(
        stderr.contains(&format!(
            "{folder}/leak: warning: symbolic link leads outside the site folder: skipped"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{folder}/file-leak.txt: warning: symbolic link leads outside the site folder"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{folder}/loop: warning: symbolic link loop")),
        "{stderr}"
    );
    let files = all_files(&f.out());
    assert!(files.len() > 10, "{files:?}");
    for file in &files {
        let bytes = std::fs::read(f.out().join(file)).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("TOP SECRET"),
            "{} holds the secret",
            file.display()
        );
    }
    assert_eq!(
        f.read(&format!("{published}/inside/inside.txt")),
        "shared inside the site"
    );
}

#[test]
fn content_links_leading_out_or_looping_are_skipped_inside_links_followed() {
    check_folder("content/world", "world");
}

#[test]
fn static_links_leading_out_or_looping_are_skipped_inside_links_followed() {
    check_folder("static/files", "files");
}

#[test]
fn theme_links_leading_out_or_looping_are_skipped_inside_links_followed() {
    check_folder("themes/t/static/files", "files");
}

#[test]
fn a_static_folder_that_is_itself_a_link_out_is_skipped() {
    let f = site();
    std::fs::remove_dir_all(f.path().join("static")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "TOP SECRET").unwrap();
    symlink(outside.path(), f.path().join("static")).unwrap();
    let stderr = build_ok(&f);
    assert!(
        stderr.contains("static: warning: symbolic link leads outside the site folder"),
        "{stderr}"
    );
    assert!(!f.out().join("secret.txt").exists());
    assert!(
        f.exists("theme.css"),
        "the theme's static files are still copied"
    );
}

#[test]
fn hidden_folders_of_static_are_published() {
    let f = site();
    f.write("static/.well-known/security.txt", "Contact: x");
    f.write("static/.well-known/.draft.swp", "editor junk");
    build_ok(&f);
    assert_eq!(f.read(".well-known/security.txt"), "Contact: x");
    assert!(!f.out().join(".well-known/.draft.swp").exists());
    assert_eq!(f.read("robots-extra.txt"), "kept");
}

#[test]
fn an_output_that_is_a_link_never_empties_the_folder_it_leads_to() {
    // (An empty folder behind a link is built into; see tests/incremental.rs for --force.)
    let f = site();
    let victim = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(victim.path().join("sub")).unwrap();
    std::fs::write(victim.path().join("precious.txt"), "keep").unwrap();
    std::fs::write(victim.path().join("sub/also.txt"), "keep").unwrap();
    let link = f.path().join("out-link");
    symlink(victim.path(), &link).unwrap();
    let out = f.cli(&["build", "--output", "out-link"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        std::fs::read_to_string(victim.path().join("precious.txt"))
            .ok()
            .as_deref(),
        Some("keep"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(victim.path().join("sub/also.txt"))
            .ok()
            .as_deref(),
        Some("keep"),
        "{stderr}"
    );
    // The link is followed to its folder, which holds files newsgen did not write: refused,
    // naming it, and nothing in it changes.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("holds files newsgen did not write"),
        "{stderr}"
    );
    assert!(link.is_symlink());
    assert!(!victim.path().join("index.html").exists());
}
