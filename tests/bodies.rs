//! Bodies out of the parse cache (issue 9): a rebuild keeps each body's hash, not its text,
//! and reads a body back from its file only when a page, feed or search analysis shows it.
//! Whatever is read back must give what a cold build gives, and a damaged cache must be
//! ignored, never trusted.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{Fixture, all_files, set_modified};
use newsgen::BuildOptions;

/// A sentence only the body of `a.md` holds (not its first paragraph, its summary).
const MARKER: &str = "Harbour-bridge tolls rose by eleven cents";

/// Three articles, modified long ago (the parse cache leaves out files modified just before
/// it is saved), with links, a list and CRLF line endings in one body.
fn site() -> Fixture {
    let f = Fixture::new("");
    f.article(
        "politics/a.md",
        "title = \"Alpha headline\"\ndate = 2025-10-30T10:00:00Z",
        &format!(
            "The opening paragraph is the summary.\n\n{MARKER} on Monday.\n\n- one\n- two\n\n\
             See [the other](/politics/b/)."
        ),
    );
    f.write(
        "content/politics/b.md",
        "+++\r\ntitle = \"Beta\"\r\ndate = 2025-10-29T10:00:00Z\r\n+++\r\nBeta body,\r\nin CRLF.\r\n",
    );
    f.article(
        "world/c.md",
        "title = \"Gamma\"\ndate = 2025-10-28T10:00:00Z\nsummary = \"Own summary.\"",
        "Gamma body with *emphasis*.",
    );
    let then = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    let content = f.path().join("content");
    for file in all_files(&content) {
        set_modified(&content.join(file), then);
    }
    f
}

/// Every file below `root`: relative path → bytes.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    all_files(root)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(root.join(&rel)).unwrap();
            (rel.to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

/// The output of a cold build (no cache) of `f` with `base_url`, in a folder of its own.
fn cold(f: &Fixture, base_url: &str) -> BTreeMap<String, Vec<u8>> {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cold");
    f.build_with(|o| {
        o.output = Some(out.clone());
        o.no_cache = true;
        o.base_url = Some(base_url.to_string());
    })
    .unwrap();
    tree(&out)
}

fn build(f: &Fixture, base_url: &str) -> newsgen::BuildReport {
    f.build_with(|o: &mut BuildOptions| o.base_url = Some(base_url.to_string()))
        .unwrap()
}

fn shards(f: &Fixture) -> Vec<std::path::PathBuf> {
    let dir = f.path().join(".public.newsgen/articles");
    let shards: Vec<_> = all_files(&dir).into_iter().map(|p| dir.join(p)).collect();
    assert!(!shards.is_empty(), "the build saved no parse cache shard");
    shards
}

/// The parse cache holds no body text, and a rebuild that renders every page again (another
/// base URL: another build key) reads each body back from its file: byte for byte a cold
/// build, feeds and search index included.
#[test]
fn bodies_read_back_from_their_files_give_a_cold_build() {
    let f = site();
    build(&f, "https://news.example.org/");
    for shard in shards(&f) {
        let bytes = std::fs::read(&shard).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(MARKER), "{} holds a body", shard.display());
    }
    let report = build(&f, "https://mirror.example.net/news/");
    assert!(report.rendered >= 3, "rendered {}", report.rendered);
    let built = tree(&f.out());
    assert_eq!(built, cold(&f, "https://mirror.example.net/news/"));
    let shown = built
        .iter()
        .filter(|(path, bytes)| {
            path.starts_with("politics/") && String::from_utf8_lossy(bytes).contains(MARKER)
        })
        .count();
    assert!(shown >= 1, "no page of politics/ shows the body read back");
}

/// A shard whose bytes were damaged (here, a headline changed in place, which the format
/// alone would accept) is ignored: its articles are parsed again and the build equals a cold
/// one.
#[test]
fn a_damaged_parse_cache_shard_is_ignored() {
    let f = site();
    build(&f, "https://news.example.org/");
    let mut damaged = 0;
    for shard in shards(&f) {
        let mut bytes = std::fs::read(&shard).unwrap();
        let Some(at) = bytes.windows(5).position(|w| w == b"Alpha") else {
            continue;
        };
        bytes[at + 4] = b'x';
        std::fs::write(&shard, bytes).unwrap();
        damaged += 1;
    }
    assert_eq!(damaged, 1, "one shard holds the headline");
    build(&f, "https://mirror.example.net/news/");
    assert_eq!(tree(&f.out()), cold(&f, "https://mirror.example.net/news/"));
}
