//! Incremental builds (issue 9): a rebuild of a built site must equal a cold build byte for
//! byte, leave unchanged files untouched (mtime and inode), remove stale files, recover from an
//! interrupted commit, refuse foreign or hostile output folders, and survive a corrupt cache.
//!
//! The randomised equivalence test runs a few seeds by default; for a longer run:
//! `NEWSGEN_EQUIV_SEEDS=200 cargo test --release --test incremental equivalence`.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use common::fixed_now;
use common::random_site::{Art, Rng, Site, png, seeds};
use newsgen::output::manifest::Manifest;
use newsgen::{BuildOptions, BuildReport};

/// Building the random site (tests/common/random_site.rs) into its `public/`.
impl Site {
    fn out(&self) -> PathBuf {
        self.path().join("public")
    }

    fn options(&self) -> BuildOptions {
        BuildOptions {
            site_dir: self.path().to_path_buf(),
            now: Some(fixed_now()),
            ..BuildOptions::default()
        }
    }

    fn build(&self) -> Result<BuildReport, newsgen::Error> {
        newsgen::build(&self.options())
    }

    /// A cold build into a fresh folder: its files and warnings (or its error).
    fn cold(&self) -> (Result<Vec<String>, String>, Tree) {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("cold");
        let result = newsgen::build(&BuildOptions {
            output: Some(out.clone()),
            no_cache: true,
            ..self.options()
        });
        let tree = if out.exists() {
            tree(&out)
        } else {
            Tree::new()
        };
        (outcome(result), tree)
    }
}

/// Every file and folder below a root: relative path → bytes (folders end in `/`, no bytes).
type Tree = BTreeMap<String, Vec<u8>>;

/// `path` below `root`, as text.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path
        .strip_prefix(root)
        .expect("walkdir stays below its root");
    rel.to_string_lossy().into_owned()
}

fn tree(root: &Path) -> Tree {
    walkdir::WalkDir::new(root)
        .min_depth(1)
        .into_iter()
        .map(Result::unwrap)
        .map(|e| {
            let rel = relative(root, e.path());
            if e.file_type().is_dir() {
                (format!("{rel}/"), Vec::new())
            } else if e.file_type().is_symlink() {
                let target = std::fs::read_link(e.path()).unwrap();
                (rel, target.to_string_lossy().into_owned().into_bytes())
            } else {
                (rel, std::fs::read(e.path()).unwrap())
            }
        })
        .collect()
}

/// Modification time (ns) and inode of every file below a root.
fn stamps(root: &Path) -> BTreeMap<String, Stamp> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let m = e.metadata().unwrap();
            let rel = relative(root, e.path());
            (rel, (m.mtime(), m.mtime_nsec(), m.ino()))
        })
        .collect()
}

/// A build's warnings as text, or its error.
fn outcome(result: Result<BuildReport, newsgen::Error>) -> Result<Vec<String>, String> {
    result
        .map(|r| r.warnings.iter().map(ToString::to_string).collect())
        .map_err(|e| e.to_string())
}

/// The differences between two trees, for a failure message (empty when equal).
fn diff(got: &Tree, want: &Tree) -> Vec<String> {
    let mut out = Vec::new();
    for (rel, bytes) in want {
        match got.get(rel) {
            None => out.push(format!("missing: {rel}")),
            Some(b) if b != bytes => out.push(format!("differs: {rel}")),
            Some(_) => {}
        }
    }
    for rel in got.keys().filter(|r| !want.contains_key(*r)) {
        out.push(format!("extra: {rel}"));
    }
    out
}

/// Asserts the site's incremental output (and warnings) equal a cold build's.
/// Returns whether the build succeeded.
fn assert_equals_cold(
    site: &Site,
    incremental: Result<Vec<String>, String>,
    context: &str,
) -> bool {
    let (cold, cold_tree) = site.cold();
    assert_eq!(incremental, cold, "warnings or errors differ\n{context}");
    if cold.is_err() {
        return false;
    }
    let got = tree(&site.out());
    assert!(got.len() > 50, "too few files: {}", got.len());
    let d = diff(&got, &cold_tree);
    assert!(
        d.is_empty(),
        "output differs from a cold build:\n{}\n{context}",
        d[..d.len().min(20)].join("\n")
    );
    true
}

#[test]
fn equivalence_random_edits_equal_a_cold_build() {
    for seed in seeds() {
        let mut site = Site::new(seed);
        let mut rng = Rng(seed ^ 0xA5A5);
        let first = outcome(site.build());
        assert!(assert_equals_cold(
            &site,
            first,
            &format!("seed {seed}, first build")
        ));
        let mut log = Vec::new();
        let (mut built, mut rendered, mut pages) = (0, 0, 0);
        let mut last_built = true;
        let mut shortcuts = 0;
        for round in 0..15 {
            // Sometimes two edits between builds, as when a batch of articles is published;
            // every fifth build has none, and must take the no-change shortcut.
            let batch = match round % 5 {
                4 => 0,
                _ if rng.chance(3) => 2,
                _ => 1,
            };
            let edits: Vec<String> = (0..batch).map(|_| site.edit(&mut rng)).collect();
            log.push(if batch == 0 {
                "(no edit)".to_string()
            } else {
                edits.join(" + ")
            });
            let result = site.build();
            let context = format!("seed {seed}, edits:\n  {}", log.join("\n  "));
            if let Ok(r) = &result {
                (rendered, pages) = (rendered + r.rendered, pages + r.pages);
                assert!(
                    r.no_change || batch > 0 || !last_built,
                    "no shortcut without an edit\n{context}"
                );
                shortcuts += usize::from(r.no_change);
            }
            last_built = assert_equals_cold(&site, outcome(result), &context);
            built += usize::from(last_built);
        }
        assert!(shortcuts >= 1, "seed {seed}: the shortcut never fired");
        // The edits are meant to keep the site valid (a failing build compares errors only),
        // and most of them must leave most pages to be kept, or nothing incremental is tested.
        assert!(
            built >= 12,
            "seed {seed}: only {built} of 15 builds succeeded: {log:?}"
        );
        assert!(
            rendered * 2 < pages,
            "seed {seed}: rendered {rendered} of {pages} pages"
        );
    }
}

/// Asserts every file of `before` but `changed` keeps its modification time and inode.
fn assert_untouched_except(root: &Path, before: &BTreeMap<String, Stamp>, changed: &[&String]) {
    let after = stamps(root);
    for (rel, stamp) in before {
        if !changed.contains(&rel) {
            assert_eq!(after.get(rel), Some(stamp), "{rel} was rewritten");
        }
    }
}

/// The article with this id (panics if the fixture has none).
fn art(site: &mut Site, id: usize) -> &mut Art {
    site.arts
        .iter_mut()
        .find(|a| a.id == id)
        .expect("the fixture has this article")
}

#[test]
fn unchanged_files_keep_mtime_and_inode() {
    let mut site = Site::new(7);
    let cold = site.build().unwrap();
    assert!(cold.files.written > 50);
    let before = stamps(&site.out());
    let bytes_before = tree(&site.out());

    let again = site.build().unwrap();
    assert_eq!((again.files.written, again.rendered), (0, 0));
    assert_eq!(again.files.unchanged, before.len());
    assert_eq!(
        stamps(&site.out()),
        before,
        "a no-change rebuild touched files"
    );

    art(&mut site, 1).body.push_str("\n\nA correction.");
    site.sync();
    let edit = site.build().unwrap();
    assert_eq!(
        edit.rendered, 1,
        "only the edited article's page is rendered"
    );
    let bytes_after = tree(&site.out());
    let changed: Vec<&String> = bytes_after
        .keys()
        .filter(|rel| bytes_before.get(*rel) != bytes_after.get(*rel))
        .collect();
    assert!(
        changed.iter().any(|rel| rel.ends_with("/a1/index.html")),
        "the article page changed: {changed:?}"
    );
    assert_eq!(edit.files.written, changed.len(), "{changed:?}");
    assert_untouched_except(&site.out(), &before, &changed);
    assert_equals_cold(&site, outcome(Ok(edit)), "after a body edit");
}

#[test]
fn stale_files_and_empty_folders_are_removed() {
    let mut site = Site::new(8);
    site.build().unwrap();
    let page = |site: &Site, id: usize| {
        tree(&site.out())
            .into_keys()
            .find(|rel| rel.ends_with(&format!("/a{id}/index.html")))
    };
    let gone = page(&site, 4).expect("article 4 is built");
    assert!(site.out().join("tags/housing/index.html").is_file());
    site.arts.retain(|a| a.id != 4);
    // Every article tagged "housing" is tagged "renamed-housing" instead.
    for a in &mut site.arts {
        for t in &mut a.tags {
            if t == "housing" {
                *t = "renamed-housing".into();
            }
        }
    }
    site.sync();
    let report = site.build().unwrap();
    assert!(report.files.removed >= 2, "{:?}", report.files);
    assert!(!site.out().join(&gone).exists(), "{gone} was not removed");
    assert!(!site.out().join(&gone).parent().unwrap().exists());
    assert!(!site.out().join("tags/housing").exists());
    assert!(site.out().join("tags/renamed-housing/index.html").is_file());
    let empty: Vec<PathBuf> = walkdir::WalkDir::new(site.out())
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_dir())
        .filter(|e| std::fs::read_dir(e.path()).unwrap().next().is_none())
        .map(|e| e.path().to_path_buf())
        .collect();
    assert!(empty.is_empty(), "empty folders left: {empty:?}");
    assert_equals_cold(
        &site,
        outcome(Ok(report)),
        "after a deletion and a tag rename",
    );
}

/// Modification time (seconds, nanoseconds) and inode of a file.
type Stamp = (i64, i64, u64);

/// Bytes, modification time and inode of every file and folder below a root.
fn snapshot(root: &Path) -> BTreeMap<String, (Vec<u8>, Option<Stamp>)> {
    let stamps = stamps(root);
    tree(root)
        .into_iter()
        .map(|(rel, bytes)| {
            let stamp = stamps.get(&rel).copied();
            (rel, (bytes, stamp))
        })
        .collect()
}

/// The output and its cache folder, for "nothing changed" checks.
fn output_state(site: &Site) -> impl PartialEq + std::fmt::Debug {
    let cache = newsgen::output::cache_dir(&site.out());
    (snapshot(&site.out()), snapshot(&cache))
}

#[test]
fn an_interrupted_commit_is_repaired_by_the_next_build() {
    let mut site = Site::new(9);
    site.build().unwrap();
    art(&mut site, 1).body.push_str("\n\nLate news.");
    art(&mut site, 2).tags = vec!["Common".into()];
    art(&mut site, 3).title = "Retitled".into();
    site.arts.retain(|a| a.id != 4);
    site.sync();

    // What the interrupted build would have produced.
    let tmp = tempfile::tempdir().unwrap();
    let cold_out = tmp.path().join("cold");
    let cold_report = newsgen::build(&BuildOptions {
        output: Some(cold_out.clone()),
        ..site.options()
    })
    .unwrap();
    let cold_tree = tree(&cold_out);
    let cold_manifest = Manifest::load(&newsgen::output::cache_dir(&cold_out)).unwrap();

    // The commit died halfway: interim manifest saved, some new files renamed in, and (worse
    // than a rename can do) some files garbled, truncated or missing, a staging folder left.
    let cache = newsgen::output::cache_dir(&site.out());
    let mut interim = Manifest::load(&cache).unwrap();
    interim.complete = false;
    interim.files.extend(cold_manifest.files);
    interim.save(&cache).unwrap();
    let old_tree = tree(&site.out());
    let differing: Vec<&String> = cold_tree
        .iter()
        .filter(|(rel, bytes)| !rel.ends_with('/') && old_tree.get(*rel) != Some(*bytes))
        .map(|(rel, _)| rel)
        .collect();
    assert!(differing.len() >= 4, "{differing:?}");
    for rel in differing.iter().step_by(2) {
        let to = site.out().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, &cold_tree[*rel]).unwrap();
    }
    let files: Vec<&String> = old_tree.keys().filter(|r| r.ends_with(".html")).collect();
    std::fs::write(site.out().join(files[0]), b"garbage").unwrap();
    let half = &old_tree[files[1]][..old_tree[files[1]].len() / 2];
    std::fs::write(site.out().join(files[1]), half).unwrap();
    std::fs::remove_file(site.out().join(files[2])).unwrap();
    // A staging folder of a killed build (a process that has ended), and one of a build
    // in another process that still runs: only the first is removed.
    let mut ended = std::process::Command::new("true").spawn().unwrap();
    ended.wait().unwrap();
    let staging = site.path().join(format!(".public.newsgen-{}", ended.id()));
    std::fs::create_dir_all(staging.join("x")).unwrap();
    std::fs::write(staging.join("x/index.html"), b"half").unwrap();
    // The previous output a replacing commit moved aside before it was killed.
    let aside = site
        .path()
        .join(format!(".public.newsgen-old-{}", ended.id()));
    std::fs::create_dir_all(aside.join("y")).unwrap();
    let mut other = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    let running = site.path().join(format!(".public.newsgen-{}", other.id()));
    std::fs::create_dir_all(&running).unwrap();

    let report = site.build().unwrap();
    other.kill().unwrap();
    other.wait().unwrap();
    assert!(
        !staging.exists(),
        "the killed build's staging folder is left"
    );
    assert!(
        !aside.exists(),
        "the killed build's previous output is left"
    );
    assert!(
        running.is_dir(),
        "a running build's staging folder is removed"
    );
    assert!(report.files.written >= 3, "{:?}", report.files);
    let warnings: Vec<String> = cold_report
        .warnings
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_equals_cold(&site, outcome(Ok(report)), "after an interrupted commit");
    assert_eq!(outcome(site.build()), Ok(warnings));
    assert_eq!(
        site.build().unwrap().files.written,
        0,
        "the manifest is complete again"
    );
}

/// Runs the real binary in `cwd` with HOME set to `home`.
fn cli(cwd: &Path, home: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_newsgen"))
        .args(args)
        .current_dir(cwd)
        .env("HOME", home)
        .env("SOURCE_DATE_EPOCH", fixed_now().timestamp().to_string())
        .output()
        .unwrap()
}

/// A folder holding a small site (`site/`), a home folder, a file and a link to the site.
fn hostile_root() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    let write = |rel: &str, text: &str| {
        let p = r.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "site/site.toml",
        "title = \"T\"\nbase_url = \"https://news.example.org/\"\n",
    );
    write(
        "site/content/politics/2025-10-30-a.md",
        "+++\ntitle = \"A\"\ndate = 2025-10-30T10:00:00Z\n+++\nBody.\n",
    );
    write("home/notes.txt", "mine");
    write("a-file", "not a folder");
    std::os::unix::fs::symlink(r.join("site"), r.join("link")).unwrap();
    root
}

#[test]
fn a_foreign_output_folder_is_refused_unless_forced() {
    let root = hostile_root();
    let r = root.path().canonicalize().unwrap();
    std::fs::create_dir_all(r.join("foreign/sub")).unwrap();
    std::fs::write(r.join("foreign/keep.txt"), "precious").unwrap();
    std::fs::write(r.join("foreign/sub/x.txt"), "also precious").unwrap();
    let before = snapshot(&r);
    let run = cli(
        &r.join("site"),
        &r.join("home"),
        &["build", "-o", "../foreign"],
    );
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(&r.join("foreign").display().to_string()),
        "{stderr}"
    );
    assert_eq!(snapshot(&r), before, "the refused build changed something");

    let run = cli(
        &r.join("site"),
        &r.join("home"),
        &["build", "-o", "../foreign", "--force"],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(!r.join("foreign/keep.txt").exists());
    assert!(!r.join("foreign/sub").exists());
    assert!(r.join("foreign/index.html").is_file());
}

#[test]
fn hostile_outputs_are_refused_with_nothing_changed() {
    let root = hostile_root();
    let r = root.path().canonicalize().unwrap();
    let home = r.join("home");
    let home_arg = home.display().to_string();
    for (out, named) in [
        (".", r.join("site")),
        ("..", r.clone()),
        ("content", r.join("site/content")),
        ("content/politics/new", r.join("site/content/politics/new")),
        ("/", PathBuf::from("/")),
        (home_arg.as_str(), home.clone()),
        ("../a-file", r.join("a-file")),
        ("../link", r.join("site")),
    ] {
        let before = snapshot(&r);
        let run = cli(&r.join("site"), &home, &["build", "--force", "-o", out]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "--output {out}: {stderr}");
        assert!(
            stderr.contains(&named.display().to_string()),
            "--output {out} does not name {}: {stderr}",
            named.display()
        );
        assert_eq!(snapshot(&r), before, "--output {out} changed something");
    }
    assert!(!Path::new("/index.html").exists());
}

#[test]
fn a_corrupt_or_foreign_manifest_is_discarded_with_a_warning() {
    let mut site = Site::new(11);
    site.build().unwrap();
    let manifest = Manifest::path(&newsgen::output::cache_dir(&site.out()));
    let good = std::fs::read(&manifest).unwrap();
    let truncated = good[..good.len() / 2].to_vec();
    for (what, bytes) in [
        ("garbage", b"\xff\x00garbage bytes".to_vec()),
        ("truncated", truncated),
        ("another format", b"NEWSGEN\0\x09\0\0\0rest".to_vec()),
    ] {
        art(&mut site, 1).title = format!("Title after a {what} manifest");
        site.sync();
        std::fs::write(&manifest, &bytes).unwrap();
        let report = site.build().unwrap();
        let mut warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
        let cache_warning = warnings
            .iter()
            .position(|w| w.contains(".public.newsgen/manifest") && w.contains("discarded"))
            .unwrap_or_else(|| panic!("{what}: no warning names the cache file: {warnings:?}"));
        warnings.remove(cache_warning);
        assert_equals_cold(&site, Ok(warnings), what);
        assert_eq!(
            site.build().unwrap().files.written,
            0,
            "{what}: cache usable again"
        );
    }
}

#[test]
fn no_cache_repairs_a_file_edited_by_hand() {
    let site = Site::new(12);
    site.build().unwrap();
    let page = site.out().join("index.html");
    let mut bytes = std::fs::read(&page).unwrap();
    bytes.extend_from_slice(b"<!-- edited by hand -->");
    std::fs::write(&page, &bytes).unwrap();
    let before = stamps(&site.out());
    let report = newsgen::build(&BuildOptions {
        no_cache: true,
        ..site.options()
    })
    .unwrap();
    assert_eq!(report.files.written, 1, "{:?}", report.files);
    assert_untouched_except(&site.out(), &before, &[&"index.html".to_string()]);
    assert_equals_cold(&site, outcome(Ok(report)), "after --no-cache");
}

/// A build saves the parse cache (before its pages render, then frees it) and the next build
/// trusts it while a file's stamp is unchanged: a rebuild for another reason (a comment added
/// to site.toml) parses nothing again, so no shard of the cache is written again.
#[test]
fn the_parse_cache_is_saved_and_trusted_by_the_next_build() {
    let root = hostile_root();
    let site = root.path().join("site");
    let home = root.path().join("home");
    let file = site.join("content/politics/2025-10-30-a.md");
    let text = "+++\ntitle = \"Alpha headline\"\ndate = 2025-10-30T10:00:00Z\n+++\nBody.\n";
    std::fs::write(&file, text).unwrap();
    // Long before the save: the cache leaves out files modified just before it.
    let then = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    common::set_modified(&file, then);
    let front_page = || std::fs::read_to_string(site.join("public/index.html")).unwrap();
    let build = |args: &[&str]| {
        let run = cli(&site, &home, args);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
    };
    let shards = || -> BTreeMap<String, Stamp> {
        let dir = site.join(".public.newsgen/articles");
        let stamps = stamps(&dir);
        assert!(!stamps.is_empty(), "the build saved no parse cache shard");
        stamps
    };
    build(&["build"]);
    assert!(front_page().contains("Alpha headline"));
    let saved = shards();

    let config = site.join("site.toml");
    let mut toml = std::fs::read_to_string(&config).unwrap();
    toml.push_str("\n# a comment: the build key changes, no article does\n");
    std::fs::write(&config, toml).unwrap();
    build(&["build"]);
    assert!(front_page().contains("Alpha headline"));
    assert_eq!(shards(), saved, "an article was parsed again");
}

#[test]
fn a_template_change_rerenders_pages() {
    let mut site = Site::new(13);
    site.build().unwrap();
    site.template = Some(1);
    site.sync();
    let report = site.build().unwrap();
    assert!(report.rendered >= 20, "rendered {}", report.rendered);
    assert!(site.out().join("index.html").is_file());
    assert_equals_cold(&site, outcome(Ok(report)), "after a template override");
}

/// A failed incremental build leaves output and cache as they were, and the next good build
/// is still incremental.
fn assert_failure_changes_nothing(site: &mut Site, opts: BuildOptions, what: &str) {
    let before = output_state(site);
    let result = newsgen::build(&opts);
    assert!(result.is_err(), "{what}: the build should fail");
    assert_eq!(
        output_state(site),
        before,
        "{what}: the failed build changed the output"
    );
}

#[test]
fn a_failed_incremental_build_leaves_the_output_as_it_was() {
    let mut site = Site::new(14);
    site.build().unwrap();

    let broken = site.path().join("themes/default/templates/article.html");
    std::fs::create_dir_all(broken.parent().unwrap()).unwrap();
    std::fs::write(&broken, "{% if %}").unwrap();
    art(&mut site, 1).body.push_str("\n\nA first correction.");
    site.sync();
    let opts = site.options();
    assert_failure_changes_nothing(&mut site, opts, "a broken template");
    std::fs::remove_file(&broken).unwrap();

    art(&mut site, 1)
        .body
        .push_str("\n\nSee [this](/nowhere/).");
    site.sync();
    let opts = BuildOptions {
        strict: true,
        ..site.options()
    };
    assert_failure_changes_nothing(&mut site, opts, "a --strict broken link");

    art(&mut site, 1).body = "Fixed body.".into();
    site.sync();
    let report = newsgen::build(&BuildOptions {
        strict: true,
        ..site.options()
    })
    .unwrap();
    assert!(
        report.rendered >= 1 && report.rendered < report.pages,
        "the next build is incremental: rendered {} of {}",
        report.rendered,
        report.pages
    );
    assert_equals_cold(&site, outcome(Ok(report)), "after two failed builds");
}

/// The drift issue 9 reported for serve: one article changing `common` to `Common` changes
/// the JSON-LD keywords of its page (and the tag's name elsewhere).
#[test]
fn a_tag_capitalisation_change_equals_a_cold_build() {
    let mut site = Site::new(15);
    site.build().unwrap();
    let a = site
        .arts
        .iter_mut()
        .find(|a| !a.draft && a.tags.iter().any(|t| t == "common"))
        .expect("seed 15 has a public article tagged common");
    for t in &mut a.tags {
        if t == "common" {
            *t = "Common".into();
        }
    }
    site.sync();
    let report = site.build().unwrap();
    assert!(
        report.rendered < report.pages,
        "{} of {}",
        report.rendered,
        report.pages
    );
    assert_equals_cold(&site, outcome(Ok(report)), "after common -> Common");
}

/// The output files whose bytes differ between two trees (new ones included).
fn changed_files(before: &Tree, after: &Tree) -> Vec<String> {
    files_where(after, |rel, bytes| {
        before.get(rel).map(Vec::as_slice) != Some(bytes)
    })
}

/// The files of a tree for which `keep(path, bytes)` holds.
fn files_where(t: &Tree, keep: impl Fn(&str, &[u8]) -> bool) -> Vec<String> {
    t.iter()
        .filter(|(rel, bytes)| keep(rel, bytes))
        .map(|(rel, _)| rel.clone())
        .collect()
}

/// Issue 14: pages kept by an incremental build keep their image files, and an image edit
/// renders exactly the pages whose HTML it changes.
#[test]
fn image_edits_render_only_the_pages_that_show_them() {
    let mut site = Site::new(21);
    let first = site.build().unwrap();
    assert!(first.images.encoded > 20, "{:?}", first.images);
    let again = site.build().unwrap();
    assert_eq!(
        (again.rendered, again.files.written, again.images.encoded),
        (0, 0, 0),
        "a rebuild with no change renders, writes and encodes nothing"
    );

    // The chart of article 0's body, new pixels at the same size: no page changes, the
    // chart's files do.
    let before = tree(&site.out());
    art(&mut site, 0)
        .files
        .insert("chart.png".into(), png(40, 30, 999));
    site.sync();
    let same_size = site.build().unwrap();
    assert_eq!(same_size.rendered, 0);
    assert!(same_size.images.encoded >= 2, "{:?}", same_size.images);
    let changed = changed_files(&before, &tree(&site.out()));
    assert!(changed.len() >= 3, "{changed:?}");
    assert!(
        changed.iter().all(|rel| rel.contains("/chart.")),
        "{changed:?}"
    );
    assert_equals_cold(&site, outcome(Ok(same_size)), "chart, same size");

    // Another size: the page showing it (its width and height) renders again, only it.
    let before = tree(&site.out());
    art(&mut site, 0)
        .files
        .insert("chart.png".into(), png(56, 30, 999));
    site.sync();
    let resized = site.build().unwrap();
    assert_eq!(resized.rendered, 1);
    let changed = changed_files(&before, &tree(&site.out()));
    assert!(
        changed.iter().any(|rel| rel.ends_with("/a0/index.html")),
        "{changed:?}"
    );
    assert_equals_cold(&site, outcome(Ok(resized)), "chart, new size");

    // Article 0's lead image at another size: its cards on index pages change too.
    art(&mut site, 0)
        .files
        .insert("photo.png".into(), png(64, 32, 998));
    site.sync();
    let lead = site.build().unwrap();
    assert!(lead.rendered > 3, "rendered {}", lead.rendered);
    assert_equals_cold(&site, outcome(Ok(lead)), "lead image, new size");

    // A template asking for `resize_image` of a static image, then that image at another
    // size: every article page shows the new size, as a cold build does.
    site.template = Some(1);
    site.sync();
    site.build().unwrap();
    site.logo = png(48, 32, 5);
    site.sync();
    let logo = site.build().unwrap();
    assert!(logo.rendered >= 20, "rendered {}", logo.rendered);
    assert_equals_cold(&site, outcome(Ok(logo)), "resize_image source, new size");
}

/// Files of the search analysis cache beside the output.
fn search_cache_files(site: &Site) -> Vec<PathBuf> {
    let dir = site.path().join(".public.newsgen/search");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn the_search_cache_survives_new_words_and_corruption() {
    let mut site = Site::new(3);
    for a in &mut site.arts {
        a.body = format!(
            "Alpha{0} beta{0} gamma{0} delta{0} epsilon{0} zeppelins.",
            a.id
        );
    }
    site.sync();
    assert!(assert_equals_cold(
        &site,
        outcome(site.build()),
        "first build"
    ));
    let vocab = site.path().join(".public.newsgen/search/vocab");
    let before = std::fs::metadata(&vocab).unwrap().len();
    // The words of each article's own gone: most cached words fall out of use and the
    // vocabulary is renumbered when saved; the next build reads the renumbered cache.
    for a in &mut site.arts {
        a.body = "Zeppelins wander over quiet harbours.".into();
    }
    site.sync();
    assert!(assert_equals_cold(
        &site,
        outcome(site.build()),
        "new words"
    ));
    let after = std::fs::metadata(&vocab).unwrap().len();
    assert!(
        after < before,
        "vocabulary not compacted: {before} -> {after} bytes"
    );
    art(&mut site, 0).title = "Retitled over a compacted cache".into();
    site.sync();
    assert!(assert_equals_cold(
        &site,
        outcome(site.build()),
        "after compaction"
    ));
    // A damaged cache file is ignored, never trusted, even when it still decodes: a letter
    // changed in every excerpt and in the vocabulary's words would otherwise be published.
    let files = search_cache_files(&site);
    assert!(files.len() > 10, "too few cache files: {files:?}");
    let mut damaged = 0;
    for f in &files {
        let mut bytes = std::fs::read(f).unwrap();
        for word in [&b"harbours"[..], b"wander"] {
            if let Some(at) = bytes.windows(word.len()).position(|w| w == word) {
                bytes[at + word.len() - 1] = b'z';
                damaged += 1;
            }
        }
        std::fs::write(f, bytes).unwrap();
    }
    assert!(damaged > 10, "only {damaged} words damaged");
    art(&mut site, 1).title = "Retitled over a corrupt cache".into();
    site.sync();
    assert!(assert_equals_cold(
        &site,
        outcome(site.build()),
        "corrupt cache"
    ));
}

#[test]
fn a_body_edit_rewrites_one_search_cache_shard() {
    let mut site = Site::new(5);
    site.build().expect("the fixture builds");
    let cache = site.path().join(".public.newsgen/search");
    let before = stamps(&cache);
    assert!(before.len() > 10, "too few cache files: {before:?}");
    art(&mut site, 2)
        .body
        .push_str("\n\nA paragraph with unheard-of words: quixotry.");
    site.sync();
    site.build().expect("the edit builds");
    let after = stamps(&cache);
    let rewritten: Vec<&String> = after
        .iter()
        .filter(|(name, stamp)| before.get(*name) != Some(stamp))
        .map(|(name, _)| name)
        .collect();
    // The shard that held the old analysis and the one of the new (which may be the same),
    // and the vocabulary, which gained a word: the other articles were not analysed again.
    assert!(
        (2..=3).contains(&rewritten.len()) && rewritten.iter().any(|n| *n == "vocab"),
        "rewritten: {rewritten:?}"
    );
}

/// The recipe key of each result fragment of the search index, from the output's manifest.
fn fragment_recipes(site: &Site) -> BTreeMap<String, u128> {
    let manifest = Manifest::load(&newsgen::output::cache_dir(&site.out())).unwrap();
    manifest
        .files
        .iter()
        .filter(|(rel, _)| rel.starts_with("search/f/"))
        .map(|(rel, rec)| {
            assert_eq!(rec.generator.as_deref(), Some("search"), "{rel}");
            (
                rel.clone(),
                rec.derived.expect("a fragment is made by a recipe"),
            )
        })
        .collect()
}

/// A body edit makes again only the search result fragment that holds the article: the
/// others are kept by their recipe (the keys of their articles), not serialised again.
#[test]
fn a_body_edit_makes_one_search_fragment_again() {
    let mut site = Site::new(5);
    site.build().expect("the fixture builds");
    let before = fragment_recipes(&site);
    assert!(before.len() >= 2, "too few fragments: {before:?}");
    art(&mut site, 2)
        .body
        .push_str("\n\nA paragraph with unheard-of words: quixotry.");
    site.sync();
    let built = outcome(site.build());
    let after = fragment_recipes(&site);
    let remade: Vec<&String> = after
        .iter()
        .filter(|(rel, key)| before.get(*rel) != Some(key))
        .map(|(rel, _)| rel)
        .collect();
    assert_eq!(remade.len(), 1, "remade: {remade:?}");
    assert!(assert_equals_cold(&site, built, "body edit"));
}

/// The HTML pages of a tree whose text contains `needle`.
fn pages_containing(t: &Tree, needle: &str) -> Vec<String> {
    files_where(t, |rel, bytes| {
        rel.ends_with(".html") && String::from_utf8_lossy(bytes).contains(needle)
    })
}

/// Issue 9: a headline edit builds the context of only the pages whose context held the
/// article's card (recorded in the manifest), renders those, and equals a cold build.
#[test]
fn a_title_edit_checks_and_renders_only_the_pages_that_show_it() {
    let mut site = Site::new(9);
    let first = site.build().unwrap();
    let before = tree(&site.out());
    // A published article that is not featured (top stories are on every article page).
    let id = site
        .arts
        .iter()
        .find(|a| {
            let page = format!("/a{}/index.html", a.id);
            !a.featured && before.keys().any(|rel| rel.ends_with(&page))
        })
        .expect("seed 9 has a published article that is not featured")
        .id;
    art(&mut site, id).title = format!("Retitled story number {id}");
    site.sync();
    let edit = site.build().unwrap();
    let after = tree(&site.out());
    let showing = pages_containing(&after, &format!("Retitled story number {id}"));
    let changed: Vec<String> = changed_files(&before, &after)
        .into_iter()
        .filter(|rel| rel.ends_with(".html"))
        .collect();
    // Its page, its section's, archive and term pages, neighbours' "other news"...

    assert!(changed.len() >= 4, "{changed:?}");
    assert!(
        changed.iter().all(|rel| showing.contains(rel)),
        "a page that does not show the article changed: {changed:?}"
    );
    assert!(
        changed.len() <= edit.rendered && edit.rendered <= showing.len(),
        "rendered {} pages; {} changed, {} show the title",
        edit.rendered,
        changed.len(),
        showing.len()
    );
    assert!(
        edit.fingerprinted <= showing.len() && edit.pages == first.pages,
        "{} of {} page contexts built; {} pages show the title",
        edit.fingerprinted,
        edit.pages,
        showing.len()
    );
    assert!(edit.pages > 10 * showing.len(), "{} pages", edit.pages);
    assert_equals_cold(&site, outcome(Ok(edit)), "after a title edit");
}
