//! The first page fast: during serve's first build, a request for a page is answered by
//! rendering that one page from the build's own model (a [`PreviewHook`]), instead of after
//! every page of the archive is written. Static files (theme and `static/`, but JPEGs, which a
//! build cleans) are read from their source. Everything else waits for the build.
//!
//! The preview renders with the build's model, templates, base_url, clock and reload script,
//! so a page served early is the page the build writes (checked by tests/serve.rs).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::lock;
use crate::build::{PreviewHook, PreviewSource};
use crate::render::Renderer;
use crate::render::theme::{Theme, ThemeFile};

/// A request to the preview: an output file, and where its bytes go (`None`: not one the
/// preview answers).
struct Request {
    file: String,
    reply: SyncSender<Option<Vec<u8>>>,
}

/// Pages on request while the first build runs.
pub struct Preview {
    requests: Mutex<Option<Sender<Request>>>,
    /// Taken by the hook when the build reaches its pages.
    incoming: Mutex<Option<Receiver<Request>>>,
}

/// How often the preview checks whether the build has written every page.
const POLL: Duration = Duration::from_millis(20);

impl Preview {
    pub fn new() -> Arc<Preview> {
        let (tx, rx) = std::sync::mpsc::channel();
        Arc::new(Preview {
            requests: Mutex::new(Some(tx)),
            incoming: Mutex::new(Some(rx)),
        })
    }

    /// The hook to put in the first build's options.
    pub fn hook(self: &Arc<Preview>) -> PreviewHook {
        let me = self.clone();
        PreviewHook(Arc::new(move |source| {
            let incoming = lock(&me.incoming).take();
            if let Some(rx) = incoming {
                answer(source, &rx);
            }
        }))
    }

    /// The bytes of output file `file` (`politics/index.html`) as the running build will
    /// write it, once its model is loaded; `None` when the preview does not answer for it, or
    /// is closed. Blocks: call it off the async runtime.
    pub fn fetch(&self, file: &str) -> Option<Vec<u8>> {
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        let sender = lock(&self.requests).clone()?;
        sender
            .send(Request {
                file: file.to_string(),
                reply,
            })
            .ok()?;
        drop(sender);
        answer.recv().ok().flatten()
    }

    /// The first build is over: requests that were waiting for the model get `None`.
    pub fn close(&self) {
        lock(&self.requests).take();
        lock(&self.incoming).take();
    }
}

/// Answers requests until the build has written every page.
fn answer(source: PreviewSource<'_>, requests: &Receiver<Request>) {
    let PreviewSource {
        site,
        theme,
        templates,
        plan,
        opts,
        done,
    } = source;
    let pages = crate::model::pages::positions(plan);
    let statics = static_sources(&opts.site_dir, theme, &pages);
    let mut renderer = None;
    loop {
        let request = match requests.recv_timeout(POLL) {
            Ok(r) => r,
            Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {
                if matches!(done.try_recv(), Err(TryRecvError::Disconnected)) && !held() {
                    return;
                }
                continue;
            }
        };
        let bytes = if let Some(&i) = pages.get(&request.file) {
            let r = renderer.get_or_insert_with(|| {
                let mut r = Renderer::new(site, theme, templates.clone(), &opts.site_dir, false);
                r.inject_before_body_end = opts.inject_script.clone();
                r
            });
            r.render_page(&plan[i]).ok().map(String::into_bytes)
        } else {
            statics
                .get(&request.file)
                .and_then(|s| s.read(&opts.site_dir).ok())
        };
        let _ = request.reply.send(bytes);
    }
}

/// Tests keep the preview answering (and so the first build from committing) until the file
/// named by `NEWSGEN_TEST_PREVIEW_UNTIL` exists.
fn held() -> bool {
    std::env::var_os("NEWSGEN_TEST_PREVIEW_UNTIL").is_some_and(|f| !Path::new(&f).exists())
}

/// Where a static file's bytes come from.
pub(super) enum Source<'a> {
    Theme(&'a ThemeFile),
    Static(PathBuf),
}

impl Source<'_> {
    pub(super) fn read(&self, site_dir: &Path) -> std::io::Result<Vec<u8>> {
        match self {
            Source::Theme(file) => file.read(site_dir),
            Source::Static(path) => std::fs::read(path),
        }
    }
}

/// Output file → source of the static files a build copies verbatim: the theme's, then the
/// site's `static/` (which wins). JPEGs (cleaned by the build) and files that are also pages
/// are left to the build.
pub(super) fn static_sources<'a>(
    site_dir: &Path,
    theme: &'a Theme,
    pages: &crate::model::pages::Positions,
) -> HashMap<String, Source<'a>> {
    let mut files: HashMap<String, Source<'a>> = theme
        .static_files()
        .map(|(name, file)| (name.to_string(), Source::Theme(file)))
        .collect();
    let (tree, _) = crate::load::walk::static_files(site_dir);
    files.extend(
        tree.into_iter()
            .map(|(src, rel)| (rel, Source::Static(site_dir.join(src)))),
    );
    files.retain(|rel, _| {
        let lower = rel.to_ascii_lowercase();
        !pages.contains_key(rel) && !lower.ends_with(".jpg") && !lower.ends_with(".jpeg")
    });
    files
}
