//! Watching the site's inputs: `content/`, `themes/`, `static/` and `site.toml`.
//!
//! Editors write a file in several steps (save to a temporary file and rename, vim's swap and
//! `4913` probe files) and `git checkout` touches many files at once, so raw events are
//! filtered (temporary and hidden files, the output folder and anything else outside the
//! inputs are ignored) and coalesced: a batch is handed over once the tree has been quiet for
//! [`QUIET`], or at the latest [`MAX_WAIT`] after its first event.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use super::lock;
use crate::load::config::CONFIG_FILE;
use crate::load::content::is_ignored_name;

/// How long the tree must be quiet before a batch of changes is built.
pub const QUIET: Duration = Duration::from_millis(60);
/// The longest a batch waits for quiet (a file written continuously still gets built).
pub const MAX_WAIT: Duration = Duration::from_millis(1000);

/// The watched input folders, below the site folder.
pub const INPUT_DIRS: [&str; 3] = ["content", "themes", "static"];

/// Whether a path (relative to the site folder) is an input whose change needs a rebuild.
pub fn is_relevant(rel: &Path) -> bool {
    let parts: Vec<String> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_string_lossy().into_owned(),
            _ => String::from(".."),
        })
        .collect();
    let Some(first) = parts.first() else {
        return false;
    };
    if parts.len() == 1 {
        return first == CONFIG_FILE || INPUT_DIRS.contains(&first.as_str());
    }
    INPUT_DIRS.contains(&first.as_str()) && !parts.iter().any(|p| is_editor_noise(p))
}

/// Temporary, backup and hidden files of editors and tools.
pub fn is_editor_noise(name: &str) -> bool {
    is_ignored_name(name)
        || name == "4913"
        || name.ends_with(".swo")
        || name.ends_with(".bak")
        || name.ends_with(".part")
        || name.ends_with(".crdownload")
}

/// A running watcher; dropping it stops watching.
pub struct SiteWatcher {
    _watcher: Arc<Mutex<notify::RecommendedWatcher>>,
}

/// Starts watching `site_dir`; batches of changed paths (relative to the site) go to `batches`.
pub fn watch(site_dir: &Path, batches: Sender<Vec<PathBuf>>) -> notify::Result<SiteWatcher> {
    let site_dir = site_dir
        .canonicalize()
        .unwrap_or_else(|_| site_dir.to_path_buf());
    let (raw_tx, raw_rx) = channel::<PathBuf>();
    let root = site_dir.clone();
    let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let Ok(event) = res else { return };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        for path in event.paths {
            let rel = path.strip_prefix(&root).unwrap_or(&path).to_path_buf();
            if is_relevant(&rel) {
                let _ = raw_tx.send(rel);
            }
        }
    })?;
    let watcher = Arc::new(Mutex::new(watcher));
    {
        let mut w = lock(&watcher);
        // The site folder itself, not recursively: site.toml, and input folders appearing.
        // (Watching it recursively would also watch public/, .git/ or a cargo target/.)
        w.watch(&site_dir, RecursiveMode::NonRecursive)?;
        for dir in INPUT_DIRS {
            let p = site_dir.join(dir);
            if p.is_dir() {
                w.watch(&p, RecursiveMode::Recursive)?;
            }
        }
    }
    let w2 = watcher.clone();
    std::thread::Builder::new()
        .name("newsgen-watch".into())
        .spawn(move || debounce(raw_rx, batches, &site_dir, &w2))
        .map_err(notify::Error::io)?;
    Ok(SiteWatcher { _watcher: watcher })
}

/// Coalesces raw events into batches; starts watching input folders created later.
fn debounce(
    raw: Receiver<PathBuf>,
    batches: Sender<Vec<PathBuf>>,
    site_dir: &Path,
    watcher: &Mutex<notify::RecommendedWatcher>,
) {
    let mut watched: BTreeSet<&str> = INPUT_DIRS
        .iter()
        .copied()
        .filter(|d| site_dir.join(d).is_dir())
        .collect();
    while let Ok(first) = raw.recv() {
        let start = Instant::now();
        let mut batch = BTreeSet::from([first]);
        loop {
            let left = MAX_WAIT.saturating_sub(start.elapsed());
            if left.is_zero() {
                break;
            }
            match raw.recv_timeout(QUIET.min(left)) {
                Ok(p) => {
                    batch.insert(p);
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        for dir in INPUT_DIRS {
            if !watched.contains(dir) && site_dir.join(dir).is_dir() {
                let mut w = lock(watcher);
                if w.watch(&site_dir.join(dir), RecursiveMode::Recursive)
                    .is_ok()
                {
                    watched.insert(dir);
                }
            }
        }
        if batches.send(batch.into_iter().collect()).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relevant_paths() {
        for p in [
            "site.toml",
            "content/politics/a.md",
            "content/politics/bundle/chart.png",
            "themes/default/templates/base.html",
            "static/style.css",
            "content",
        ] {
            assert!(is_relevant(Path::new(p)), "{p}");
        }
        for p in [
            "public/index.html",
            ".git/index",
            "target/debug/x",
            "content/politics/.a.md.swp",
            "content/politics/a.md~",
            "content/politics/4913",
            "content/politics/.#a.md",
            "content/.git/HEAD",
            "site.toml.tmp",
            "README.md",
        ] {
            assert!(!is_relevant(Path::new(p)), "{p}");
        }
    }
}
