//! The no-change shortcut (issue 9): a `build` whose inputs are all as the last build left
//! them returns that build's report without loading the site, writes nothing, and reports
//! what a full no-change rebuild reports. Any change of an input, a flag or of what "now"
//! decides builds again and equals a cold build.
//!
//! Input files get modification times long past (`settle`), as files edited well before a
//! build have: files modified within two seconds of a build are never trusted by their stamp.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use common::{Fixture, fixed_now, set_modified};
use newsgen::BuildOptions;

/// A site with what a summary shows: a draft, a scheduled and an expired article, an article
/// that expires later, one in the news sitemap's window, a broken link (a warning), a bundle
/// with a file, a static file and a template override. `fixed_now()` is
/// 2026-01-01T00:00:00Z.
fn site() -> Fixture {
    let f = Fixture::new("[sections.politics]\ntitle = \"Politics\"\n");
    f.article(
        "politics/2025-06-01-old.md",
        "title = \"Old story\"\ndate = 2025-06-01T09:00:00Z\ntags = [\"council\"]",
        "See [the missing page](/nowhere/).",
    );
    f.article(
        "politics/2025-12-31-recent.md",
        "title = \"Recent story\"\ndate = 2025-12-31T12:00:00Z",
        "In the news sitemap for 48 hours.",
    );
    f.article(
        "politics/2025-07-01-fading.md",
        "title = \"Fading story\"\ndate = 2025-07-01T09:00:00Z\nexpires = 2026-01-01T03:00:00Z",
        "Withdrawn at three.",
    );
    f.article(
        "politics/2025-05-01-gone.md",
        "title = \"Gone story\"\ndate = 2025-05-01T09:00:00Z\nexpires = 2025-12-01T00:00:00Z",
        "Already withdrawn.",
    );
    f.article(
        "politics/2026-01-01-later.md",
        "title = \"Later story\"\ndate = 2026-01-01T06:00:00Z",
        "Published at six.",
    );
    f.article(
        "politics/2025-11-01-draft.md",
        "title = \"Draft story\"\ndate = 2025-11-01T09:00:00Z\ndraft = true",
        "Not yet.",
    );
    f.article(
        "politics/2025-10-01-budget/index.md",
        "title = \"Budget\"\ndate = 2025-10-01T09:00:00Z",
        "The [tables](tables.csv).",
    );
    f.write(
        "content/politics/2025-10-01-budget/tables.csv",
        "year,total\n2025,10\n",
    );
    f.write("static/notes.txt", "notes");
    settle(&f);
    f
}

/// The modification time of the files settled in `generation`: ten-minute steps after
/// 2023-11-14, long past.
fn settled(generation: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000 + 600 * generation)
}

/// Gives every input file written since it was last settled (dated after any settled file)
/// the modification time of `generation`; the others keep theirs.
fn settle_at(f: &Fixture, generation: u64) {
    let t = settled(generation);
    let inputs = ["content", "static", "themes"]
        .into_iter()
        .flat_map(|folder| {
            let root = f.path().join(folder);
            common::all_files(&root)
                .into_iter()
                .map(move |p| root.join(p))
        })
        .chain([f.path().join("site.toml")]);
    for file in inputs {
        if modified(&file) > settled(1000) {
            set_modified(&file, t);
        }
    }
}

fn settle(f: &Fixture) {
    settle_at(f, 0);
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

/// The shortcut's record beside the output.
fn record(f: &Fixture) -> PathBuf {
    newsgen::output::cache_dir(&f.out()).join("inputs")
}

/// Every file below `root`: relative path → bytes.
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    common::all_files(root)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(root.join(&rel)).unwrap();
            (rel, bytes)
        })
        .collect()
}

/// Modification time (ns) and inode of every file below `root`.
fn stamps(root: &Path) -> BTreeMap<PathBuf, (i64, i64, u64)> {
    common::all_files(root)
        .into_iter()
        .map(|rel| {
            let m = std::fs::metadata(root.join(&rel)).unwrap();
            (rel, (m.mtime(), m.mtime_nsec(), m.ino()))
        })
        .collect()
}

/// Asserts the output equals a cold build with the same options (and the same warnings).
fn assert_equals_cold(opts: &BuildOptions, warnings: &[newsgen::Diagnostic]) {
    let tmp = tempfile::tempdir().unwrap();
    let cold = newsgen::build(&BuildOptions {
        output: Some(tmp.path().join("cold")),
        no_cache: true,
        ..opts.clone()
    })
    .unwrap();
    assert_eq!(warnings, cold.warnings.as_slice(), "warnings differ");
    let (got, want) = (tree(&opts.output_dir()), tree(&tmp.path().join("cold")));
    assert!(want.len() > 20, "too few files: {}", want.len());
    let differ: Vec<_> = want
        .keys()
        .chain(got.keys())
        .filter(|k| got.get(*k) != want.get(*k))
        .collect();
    assert!(differ.is_empty(), "differs from a cold build: {differ:?}");
}

/// Builds with `opts` (the build must succeed); returns whether it took the shortcut, after
/// checking the output equals a cold build.
fn build_and_compare(opts: &BuildOptions) -> bool {
    let report = newsgen::build(opts).unwrap();
    assert_equals_cold(opts, &report.warnings);
    report.no_change
}

/// The stderr of a build without its timings and the build's duration.
fn without_times(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| !l.starts_with("timing: "))
        .map(|l| {
            let at = l
                .find(" ms: ")
                .map(|end| l[..end].rfind(" in ").unwrap() + 4);
            match at {
                Some(at) => format!("{}_{}", &l[..at], &l[l.find(" ms: ").unwrap()..]),
                None => l.to_string(),
            }
        })
        .collect()
}

#[test]
fn a_no_change_rebuild_writes_nothing_and_prints_what_a_full_rebuild_prints() {
    let f = site();
    let first = f.cli(&["build", "--verbose"]);
    assert!(first.status.success(), "{first:?}");
    // A full rebuild with no change: the reference.
    std::fs::remove_file(record(&f)).unwrap();
    let full = f.cli(&["build", "--verbose"]);
    assert!(full.status.success());
    let full_err = String::from_utf8_lossy(&full.stderr);
    assert!(!full_err.contains("inputs unchanged"), "{full_err}");
    assert!(record(&f).is_file(), "the full rebuild saves the record");

    let cache = newsgen::output::cache_dir(&f.out());
    let before = (stamps(&f.out()), stamps(&cache));
    let short = f.cli(&["build", "--verbose"]);
    assert!(short.status.success());
    let short_err = String::from_utf8_lossy(&short.stderr);
    assert!(
        short_err.contains("timing: inputs unchanged since the last build"),
        "{short_err}"
    );
    assert_eq!(without_times(&short.stderr), without_times(&full.stderr));
    // What the reference shows, so the comparison compares something.
    let lines = without_times(&short.stderr).join("\n");
    for shown in [
        "built 4 articles (skipped 1 draft, 1 scheduled: next at 2026-01-01 19:00 Pacific/Auckland, \
         1 expired)",
        "(0 rendered)",
        "in _ ms: 0 files written,",
        "warning: broken link: /nowhere/",
        "  scheduled: content/politics/2026-01-01-later.md (2026-01-01 19:00 NZDT)",
        "  expired: content/politics/2025-05-01-gone.md",
    ] {
        assert!(lines.contains(shown), "missing `{shown}` in:\n{lines}");
    }
    assert_eq!(
        (stamps(&f.out()), stamps(&cache)),
        before,
        "a file was written"
    );
    let quiet = f.cli(&["build"]);
    assert!(String::from_utf8_lossy(&quiet.stderr).contains("0 files written"));
}

#[test]
fn every_kind_of_input_change_builds_again_and_equals_a_cold_build() {
    let f = site();
    let opts = f.options();
    assert!(!build_and_compare(&opts), "first build");
    assert!(build_and_compare(&opts), "no change");
    let article = f.path().join("content/politics/2025-06-01-old.md");
    let changes: Vec<(&str, Change)> = vec![
        (
            "an article edited, same length, modified in the same second",
            Box::new(|| {
                let was = modified(&article);
                let text = std::fs::read_to_string(&article).unwrap();
                std::fs::write(&article, text.replace("Old story", "Odd story")).unwrap();
                set_modified(&article, was + Duration::from_millis(500));
            }),
        ),
        (
            "an article added",
            Box::new(|| {
                f.article(
                    "politics/2025-09-01-new.md",
                    "title = \"New story\"\ndate = 2025-09-01T09:00:00Z",
                    "New.",
                );
            }),
        ),
        (
            "an article removed",
            Box::new(|| {
                std::fs::remove_file(f.path().join("content/politics/2025-09-01-new.md")).unwrap()
            }),
        ),
        (
            "a bundle file edited",
            Box::new(|| {
                f.write(
                    "content/politics/2025-10-01-budget/tables.csv",
                    "year,total\n2025,11\n",
                )
            }),
        ),
        (
            "a static file edited",
            Box::new(|| f.write("static/notes.txt", "NOTES")),
        ),
        (
            "a template added",
            Box::new(|| {
                f.write(
                    "themes/default/templates/article.html",
                    &include_str!("../themes/default/templates/article.html").replacen(
                        "<article",
                        "<article data-v=\"1\"",
                        1,
                    ),
                )
            }),
        ),
        (
            "a template edited",
            Box::new(|| {
                f.write(
                    "themes/default/templates/article.html",
                    &include_str!("../themes/default/templates/article.html").replacen(
                        "<article",
                        "<article data-v=\"2\"",
                        1,
                    ),
                )
            }),
        ),
        (
            "site.toml edited",
            Box::new(|| {
                let toml = std::fs::read_to_string(f.path().join("site.toml")).unwrap();
                f.write("site.toml", &toml.replace("Test News", "Test Times"));
            }),
        ),
    ];
    for (generation, (what, change)) in (1..).zip(changes) {
        change();
        settle_at(&f, generation);
        assert!(!build_and_compare(&opts), "{what}: took the shortcut");
        assert!(build_and_compare(&opts), "{what}: no shortcut after");
    }
    let flags: Vec<(&str, BuildOptions)> = vec![
        (
            "--drafts",
            BuildOptions {
                flags: newsgen::model::BuildFlags {
                    drafts: true,
                    ..Default::default()
                },
                ..opts.clone()
            },
        ),
        (
            "--base-url",
            BuildOptions {
                base_url: Some("https://elsewhere.example.org/news/".into()),
                ..opts.clone()
            },
        ),
    ];
    for (what, flagged) in flags {
        assert!(!build_and_compare(&flagged), "{what}: took the shortcut");
        assert!(build_and_compare(&flagged), "{what}: no shortcut after");
        assert!(!build_and_compare(&opts), "without {what}");
    }
}

#[test]
fn strict_fails_on_the_warnings_the_last_build_printed() {
    let f = site();
    f.build().unwrap();
    assert!(f.build().unwrap().no_change);
    let err = f.build_with(|o| o.strict = true).unwrap_err().to_string();
    assert!(err.contains("broken link: /nowhere/"), "{err}");
}

/// An edit of the site's files.
type Change<'a> = Box<dyn Fn() + 'a>;

/// Builds at `now` (the build must succeed); returns whether it took the shortcut.
fn build_at(f: &Fixture, now: DateTime<Utc>) -> bool {
    build_and_compare(&BuildOptions {
        now: Some(now),
        ..f.options()
    })
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

#[test]
fn a_scheduled_article_is_published_when_its_date_passes() {
    let f = site();
    let page = "politics/2026/01/01/later/index.html";
    assert!(!build_at(&f, fixed_now()));
    assert!(!f.exists(page));
    assert!(build_at(&f, at(2026, 1, 1, 2, 59, 59)), "nothing falls due");
    // The fading story expires at 03:00, so step past it first.
    assert!(!build_at(&f, at(2026, 1, 1, 3, 0, 0)));
    assert!(build_at(&f, at(2026, 1, 1, 5, 59, 59)));
    assert!(!build_at(&f, at(2026, 1, 1, 6, 0, 0)), "its date has come");
    assert!(f.exists(page));
}

#[test]
fn an_article_is_withdrawn_when_it_expires() {
    let f = site();
    let page = "politics/2025/07/01/fading/index.html";
    assert!(!build_at(&f, fixed_now()));
    assert!(f.exists(page));
    assert!(build_at(&f, at(2026, 1, 1, 2, 59, 59)));
    assert!(f.exists(page));
    assert!(!build_at(&f, at(2026, 1, 1, 3, 0, 0)), "it has expired");
    assert!(!f.exists(page));
}

#[test]
fn an_article_leaves_the_news_sitemap_after_48_hours() {
    let f = site();
    // The recent story (2025-12-31T12:00Z) is in the window until 2026-01-02T12:00Z, included;
    // the later story (06:00) and the fading one's expiry (03:00) pass before.
    let news = || f.read("news-sitemap.xml").contains("/recent/");
    assert!(!build_at(&f, at(2026, 1, 2, 11, 0, 0)));
    assert!(news());
    assert!(
        build_at(&f, at(2026, 1, 2, 12, 0, 0)),
        "the window still holds it"
    );
    assert!(news());
    assert!(
        !build_at(&f, at(2026, 1, 2, 12, 0, 1)),
        "the window has moved on"
    );
    assert!(!news());
    assert!(
        f.read("news-sitemap.xml").contains("<urlset"),
        "an empty news sitemap"
    );
}

#[test]
fn an_earlier_now_builds_again() {
    let f = site();
    assert!(!build_at(&f, fixed_now()));
    assert!(!build_at(&f, fixed_now() - TimeDelta::hours(1)));
}

#[test]
fn a_racy_edit_is_not_missed() {
    let f = site();
    let article = f.path().join("content/politics/2025-06-01-old.md");
    // Just written: the build cannot trust its stamp, as a second edit within the same clock
    // tick would leave it unchanged.
    f.article(
        "politics/2025-06-01-old.md",
        "title = \"Old story\"\ndate = 2025-06-01T09:00:00Z\ntags = [\"council\"]",
        "See [the missing page](/nowhere/).",
    );
    let stamp = modified(&article);
    assert!(!f.build().unwrap().no_change);
    assert!(!record(&f).exists(), "a record trusting a racy input");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, text.replace("Old story", "Odd story")).unwrap();
    set_modified(&article, stamp);
    assert!(!build_and_compare(&f.options()));
    assert!(
        f.read("politics/2025/06/01/old/index.html")
            .contains("Odd story")
    );
    settle(&f);
    assert!(!f.build().unwrap().no_change);
    assert!(f.build().unwrap().no_change, "settled: the shortcut again");
}

#[test]
fn a_corrupt_or_foreign_record_is_ignored() {
    let f = site();
    f.build().unwrap();
    let good = std::fs::read(record(&f)).unwrap();
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    let mut foreign = good.clone();
    foreign[10] ^= 1;
    for (what, bytes) in [
        ("garbage", b"\xff\x00garbage".to_vec()),
        ("empty", Vec::new()),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("one bit flipped", flipped),
        ("another newsgen build", foreign),
    ] {
        std::fs::write(record(&f), &bytes).unwrap();
        assert!(!build_and_compare(&f.options()), "{what}: trusted");
        assert_eq!(
            std::fs::read(record(&f)).unwrap(),
            good,
            "{what}: not saved"
        );
        assert!(f.build().unwrap().no_change, "{what}: no shortcut after");
    }
}

#[test]
fn a_disturbed_output_builds_again() {
    let f = site();
    f.build().unwrap();
    std::fs::remove_dir_all(f.out()).unwrap();
    assert!(!build_and_compare(&f.options()), "output removed");
    let manifest = newsgen::output::manifest::Manifest::path(&newsgen::output::cache_dir(&f.out()));
    let bytes = std::fs::read(&manifest).unwrap();
    std::fs::remove_file(&manifest).unwrap();
    std::fs::write(&manifest, bytes).unwrap();
    assert!(!build_and_compare(&f.options()), "manifest replaced");
    assert!(f.build().unwrap().no_change);
    assert!(
        !f.build_with(|o| o.no_cache = true).unwrap().no_change,
        "--no-cache trusts no record"
    );
}
