//! The HTTP side of `newsgen serve`: files of the built site, redirects, the site's 404 page,
//! and the live-reload event stream, on axum/hyper.
//!
//! Only files inside the output folder are ever served: the URL path is percent-decoded,
//! `.`/`..` segments and backslashes are refused, and the file found is canonicalised and must
//! still be inside the (canonicalised) output folder, so symlinks cannot lead out either.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};

use rustc_hash::{FxHashMap, FxHashSet};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::broadcast;

use super::live::Live;
use super::preview::Preview;
use super::reload::{Changed, EVENTS_PATH, Message, error_page};
use crate::util::url::percent_decode;

/// What every request handler shares with the build loop.
pub struct ServerState {
    /// The output folder (swapped as a whole by full builds, so it is resolved per request).
    pub root: PathBuf,
    /// The served sub-path of base_url, `/` or `/news/` (follows site.toml edits).
    pub base_path: RwLock<String>,
    /// The overlay of the last build when it failed.
    pub failure: RwLock<Option<String>>,
    /// Whether a good build exists in `root`.
    pub has_site: AtomicBool,
    /// Messages to open pages.
    pub tx: broadcast::Sender<Message>,
    /// Identifies this server process, so pages notice a restart.
    pub instance: String,
    /// Counts successful builds.
    pub generation: AtomicU64,
    /// While a build's generators still run after its pages were committed: the files they
    /// wrote last time, which may be stale until then (requests for them, and for files not
    /// found, wait: what is served is always what `build` writes).
    pending: Mutex<Option<Arc<FxHashSet<String>>>>,
    generated: Condvar,
    /// During the first build: pages rendered on request from its model.
    pub preview: Mutex<Option<Arc<Preview>>>,
    /// After an edit patched into the model in memory, until the build behind it commits.
    ahead: Mutex<Option<Arc<Ahead>>>,
    /// The output files that open tabs show, with how many tabs show each.
    open: Mutex<FxHashMap<String, usize>>,
}

/// Pages served from the model in memory ahead of the served folder (`serve::live`).
pub struct Ahead {
    live: Arc<Live>,
    /// Files the edit changed, known already (static files, the pages of open tabs).
    files: FxHashMap<String, Vec<u8>>,
}

impl Ahead {
    /// Output file `file` as the edit made it (`None`: not a page nor a changed file).
    fn page(&self, file: &str) -> Option<Vec<u8>> {
        let known = self.files.get(file).cloned();
        known.or_else(|| self.live.render(file))
    }
}

impl ServerState {
    /// A state serving `root` at `base_path`.
    pub fn new(root: PathBuf, base_path: String) -> Arc<ServerState> {
        let (tx, _) = broadcast::channel(64);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        Arc::new(ServerState {
            root,
            base_path: RwLock::new(base_path),
            failure: RwLock::new(None),
            has_site: AtomicBool::new(false),
            tx,
            instance: format!("{:x}-{}", nanos, std::process::id()),
            generation: AtomicU64::new(0),
            pending: Mutex::new(None),
            generated: Condvar::new(),
            preview: Mutex::new(None),
            ahead: Mutex::new(None),
            open: Mutex::new(FxHashMap::default()),
        })
    }

    /// Pages are served from `live` (patched after an edit) until [`Self::caught_up`], and
    /// `files` (the output files the edit changed that are known already) as they are.
    pub fn go_ahead(&self, live: Arc<Live>, files: super::live::Files) {
        *super::lock(&self.ahead) = Some(Arc::new(Ahead {
            live,
            files: files.into_iter().collect(),
        }));
    }

    /// The served folder has the pages of the model in memory again: they are served from it.
    pub fn caught_up(&self) {
        super::lock(&self.ahead).take();
    }

    /// The output files open tabs show.
    pub fn open_pages(&self) -> Vec<String> {
        let mut pages: Vec<String> = super::lock(&self.open).keys().cloned().collect();
        pages.sort();
        pages
    }

    /// `instance-generation`: what the `hello` event carries.
    pub fn build_id(&self) -> String {
        format!(
            "{}-{}",
            self.instance,
            self.generation.load(Ordering::SeqCst)
        )
    }

    pub fn base_path(&self) -> String {
        match self.base_path.read() {
            Ok(p) => p.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    pub fn failure(&self) -> Option<String> {
        match self.failure.read() {
            Ok(f) => f.clone(),
            Err(f) => f.into_inner().clone(),
        }
    }

    /// Records a successful build that wrote or removed the output files `changed`, and (if
    /// `announce`) tells the pages showing one of them to reload, the others that it is done.
    pub fn succeeded(&self, base_path: Option<String>, changed: &[String], announce: bool) {
        if let Some(p) = base_path
            && let Ok(mut b) = self.base_path.write()
        {
            *b = p;
        }
        if let Ok(mut f) = self.failure.write() {
            *f = None;
        }
        self.has_site.store(true, Ordering::SeqCst);
        if !announce {
            return;
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
        let _ = self.tx.send(Message::Reload {
            build: self.build_id(),
            changed: Arc::new(Changed::new(changed)),
        });
    }

    /// Requests for `files` (and for files not found) wait until [`Self::generated`].
    pub fn generating(&self, files: Arc<FxHashSet<String>>) {
        *self.lock_pending() = Some(files);
    }

    /// The generators of the last build are done (or failed: `changed` is empty); the pages
    /// showing a file they changed reload.
    pub fn generated(&self, changed: &[String]) {
        *self.lock_pending() = None;
        self.generated.notify_all();
        if !changed.is_empty() {
            let _ = self.tx.send(Message::Generated {
                build: self.build_id(),
                changed: Arc::new(Changed::new(changed)),
            });
        }
    }

    fn lock_pending(&self) -> std::sync::MutexGuard<'_, Option<Arc<FxHashSet<String>>>> {
        super::lock(&self.pending)
    }

    /// Waits (at most [`GENERATOR_WAIT`]) while generators run, if `file` is one they write
    /// (`None`: any file). Returns whether it waited.
    fn wait_for_generators(&self, file: Option<&str>) -> bool {
        let pending = self.lock_pending();
        let waits = pending
            .as_ref()
            .is_some_and(|set| file.is_none_or(|f| set.contains(f)));
        if waits {
            let _unused = self
                .generated
                .wait_timeout_while(pending, GENERATOR_WAIT, |p| p.is_some());
        }
        waits
    }

    /// A page or static file at URL `path` from the first build's preview, before that build
    /// is written: the output file it is, and its bytes.
    fn early(&self, path: &str) -> Option<(String, Vec<u8>)> {
        let file = page_file(&self.base_path(), path)?;
        let preview = super::lock(&self.preview).clone()?;
        let bytes = preview.fetch(&file)?;
        Some((file, bytes))
    }

    /// Waits (at most [`GENERATOR_WAIT`]) until the first build succeeded or failed.
    fn wait_for_first_build(&self) {
        let start = std::time::Instant::now();
        while !self.has_site.load(Ordering::SeqCst)
            && self.failure().is_none()
            && start.elapsed() < GENERATOR_WAIT
        {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Records a failed build and shows its errors on every page.
    pub fn failed(&self, fragment: String) {
        if let Ok(mut f) = self.failure.write() {
            *f = Some(fragment.clone());
        }
        let _ = self.tx.send(Message::BuildError(fragment));
    }
}

/// Where a URL path leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A file of the output folder (canonical path).
    File(PathBuf),
    /// A redirect to this location (folder without `/`, root to the base sub-path).
    Redirect(String),
    NotFound,
    /// A malformed or hostile path (bad escapes, `..`, backslashes, NUL).
    BadRequest,
}

/// Maps a request path to a file of `root`, which is served at `base_path` (`/` or `/news/`).
pub fn resolve(root: &Path, base_path: &str, path: &str, query: Option<&str>) -> Resolved {
    let Some(rel) = path.strip_prefix(base_path) else {
        // Outside the sub-path: `/` and `/news` lead to `/news/`.
        if path == "/" || format!("{path}/") == base_path {
            return Resolved::Redirect(base_path.to_string());
        }
        return Resolved::NotFound;
    };
    let Some(decoded) = percent_decode(rel) else {
        return Resolved::BadRequest;
    };
    if decoded.contains(['\\', '\0']) || is_double_encoded(&decoded) {
        return Resolved::BadRequest;
    }
    let mut target = root.to_path_buf();
    for seg in decoded.split('/') {
        match seg {
            "" => {}
            "." | ".." => return Resolved::BadRequest,
            s => target.push(s),
        }
    }
    let Ok(canon_root) = root.canonicalize() else {
        return Resolved::NotFound;
    };
    let inside = |p: &Path| -> Option<PathBuf> {
        let c = p.canonicalize().ok()?;
        c.starts_with(&canon_root).then_some(c)
    };
    let Some(found) = inside(&target) else {
        return Resolved::NotFound;
    };
    if found.is_dir() {
        if !decoded.is_empty() && !decoded.ends_with('/') {
            let mut to = format!("{path}/");
            if let Some(q) = query {
                to.push('?');
                to.push_str(q);
            }
            return Resolved::Redirect(to);
        }
        return match inside(&found.join("index.html")) {
            Some(index) if index.is_file() => Resolved::File(index),
            _ => Resolved::NotFound,
        };
    }
    if found.is_file() {
        Resolved::File(found)
    } else {
        Resolved::NotFound
    }
}

/// Whether a decoded path still holds an escaped dot, slash, backslash or NUL (`%252e` sent
/// for `%2e`): no page of a site is named so, and a server or proxy decoding twice would
/// read it as a traversal.
fn is_double_encoded(decoded: &str) -> bool {
    let lower = decoded.to_ascii_lowercase();
    ["%2e", "%2f", "%5c", "%00"]
        .iter()
        .any(|e| lower.contains(e))
}

/// The `page` parameter of the event stream's query (the URL path of the page listening).
fn page_param(query: &str) -> Option<String> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(percent_decode)
}

/// The output file a page at URL `path` shows (`politics/index.html`), whether or not it
/// exists; `None` outside the served sub-path or for a malformed path.
pub fn page_file(base_path: &str, path: &str) -> Option<String> {
    let decoded = percent_decode(path.strip_prefix(base_path)?)?;
    if decoded.split('/').any(|s| s == "." || s == "..") {
        return None;
    }
    let mut file = decoded.trim_start_matches('/').to_string();
    if file.is_empty() || file.ends_with('/') {
        file.push_str("index.html");
    }
    Some(file)
}

/// The Content-Type of a served file, with a charset for text.
pub fn content_type(path: &Path) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(
            mime.subtype().as_str(),
            "javascript" | "json" | "xml" | "atom+xml" | "rss+xml" | "svg+xml"
        );
    if textual {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

/// The router: the event stream, then every other URL as a file of the site.
pub fn router(state: Arc<ServerState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

async fn handle(State(state): State<Arc<ServerState>>, req: Request) -> Response {
    let method = req.method().clone();
    if method != Method::GET && method != Method::HEAD {
        let mut r = (StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n").into_response();
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let head = method == Method::HEAD;
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    if path == EVENTS_PATH {
        let page = query.as_deref().and_then(page_param);
        return events(state, page).await.into_response();
    }
    if !state.has_site.load(Ordering::SeqCst) && state.failure().is_none() {
        // The first build runs: a page from its preview, or wait for it.
        let (s, p) = (state.clone(), path.clone());
        let early = tokio::task::spawn_blocking(move || {
            let early = s.early(&p);
            if early.is_none() {
                s.wait_for_first_build();
            }
            early
        })
        .await;
        if let Ok(Some((file, bytes))) = early {
            return file_response(StatusCode::OK, Path::new(&file), bytes, head);
        }
    }
    if !state.has_site.load(Ordering::SeqCst) {
        // No good build yet: every page is the error page (or a wait page while building).
        let body = match state.failure() {
            Some(fragment) => error_page(&fragment),
            None => error_page("<p>Building the site…</p>"),
        };
        return html_response(StatusCode::SERVICE_UNAVAILABLE, body, head);
    }
    let root = state.root.clone();
    let base = state.base_path();
    let ahead = super::lock(&state.ahead).clone();
    if let (Some(ahead), Some(file)) = (ahead, page_file(&base, &path)) {
        let page = tokio::task::spawn_blocking(move || ahead.page(&file).map(|b| (file, b)));
        if let Ok(Some((file, bytes))) = page.await {
            return file_response(StatusCode::OK, Path::new(&file), bytes, head);
        }
    }
    let fetched = tokio::task::spawn_blocking(move || {
        state.wait_for_generators(page_file(&base, &path).as_deref());
        match fetch(&root, &base, &path, query.as_deref()) {
            Fetched::NotFound | Fetched::File(StatusCode::NOT_FOUND, ..)
                if state.wait_for_generators(None) =>
            {
                fetch(&root, &base, &path, query.as_deref())
            }
            found => found,
        }
    })
    .await;
    match fetched {
        Ok(Fetched::File(status, file, bytes)) => file_response(status, &file, bytes, head),
        Ok(Fetched::Redirect(to)) => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
            if let Ok(v) = HeaderValue::from_str(&to) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Ok(Fetched::BadRequest) => {
            text_response(StatusCode::BAD_REQUEST, "bad request path\n", head)
        }
        Ok(Fetched::NotFound) => text_response(StatusCode::NOT_FOUND, "not found\n", head),
        Err(e) => panic!("resolving a request path panicked: {e}"),
    }
}

/// What a request gets from the output folder, read from disk.
enum Fetched {
    /// A file's bytes with the status to send: 200, or 404 for the site's `404.html`.
    File(StatusCode, PathBuf, Vec<u8>),
    Redirect(String),
    BadRequest,
    /// Not found, and the site has no `404.html`.
    NotFound,
}

/// The longest a request waits for a build's generators.
const GENERATOR_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// How long a request waits for the output folder while a full rebuild swaps it in.
const SWAP_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Resolves and reads a request path. A full rebuild swaps the output folder in with two
/// renames: a request that falls between them finds no folder, or loses the file it resolved.
/// So "not found" is believed only after the folder is there again and a second try agrees.
fn fetch(root: &Path, base: &str, path: &str, query: Option<&str>) -> Fetched {
    for retry in [false, true] {
        if retry {
            wait_for_folder(root);
        }
        match resolve(root, base, path, query) {
            Resolved::File(file) => {
                if let Ok(bytes) = std::fs::read(&file) {
                    return Fetched::File(StatusCode::OK, file, bytes);
                }
            }
            Resolved::Redirect(to) => return Fetched::Redirect(to),
            Resolved::BadRequest => return Fetched::BadRequest,
            Resolved::NotFound => {}
        }
    }
    let page = root.join("404.html");
    match std::fs::read(&page) {
        Ok(bytes) => Fetched::File(StatusCode::NOT_FOUND, page, bytes),
        Err(_) => Fetched::NotFound,
    }
}

/// Waits (at most [`SWAP_WAIT`]) until `root` is a folder again.
fn wait_for_folder(root: &Path) {
    let start = std::time::Instant::now();
    while !root.is_dir() && start.elapsed() < SWAP_WAIT {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

fn no_store(r: &mut Response) {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn text_response(status: StatusCode, text: &'static str, head: bool) -> Response {
    let body = if head {
        Body::empty()
    } else {
        Body::from(text)
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(text.len()));
    no_store(&mut r);
    r
}

fn html_response(status: StatusCode, html: String, head: bool) -> Response {
    let len = html.len();
    let body = if head {
        Body::empty()
    } else {
        Body::from(html)
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    no_store(&mut r);
    r
}

fn file_response(status: StatusCode, file: &Path, bytes: Vec<u8>, head: bool) -> Response {
    let ctype = content_type(file);
    let len = bytes.len();
    let body = if head {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(&ctype) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    no_store(&mut r);
    r
}

/// The live-reload stream: `hello` with the build id, the current error if any, then every
/// message of the build loop until the server stops. A stream that names its `page` gets
/// `reload` only when a build changed that page (or an asset), `build-ok` otherwise; one
/// that does not gets `reload` after every build.
async fn events(
    state: Arc<ServerState>,
    page: Option<String>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let rx = state.tx.subscribe();
    let mut first = vec![Event::default().event("hello").data(state.build_id())];
    if let Some(fragment) = state.failure() {
        first.push(Event::default().event("build-error").data(fragment));
    }
    let initial = futures_util::stream::iter(first.into_iter().map(Ok));
    let tab = page
        .as_deref()
        .and_then(|p| page_file(&state.base_path(), p))
        .map(|file| OpenTab::new(state.clone(), file));
    let updates = futures_util::stream::unfold((rx, tab), move |(mut rx, tab)| {
        let state = state.clone();
        let page = page.clone();
        async move {
            loop {
                match rx.recv().await {
                    Ok(Message::Reload { build, changed }) => {
                        let name = if reloads(&state, page.as_deref(), &changed) {
                            "reload"
                        } else {
                            "build-ok"
                        };
                        return Some((Ok(Event::default().event(name).data(build)), (rx, tab)));
                    }
                    // The generators' files: only a tab showing one of them reloads.
                    Ok(Message::Generated { build, changed }) => {
                        if page.is_some() && reloads(&state, page.as_deref(), &changed) {
                            let event = Event::default().event("reload").data(build);
                            return Some((Ok(event), (rx, tab)));
                        }
                    }
                    Ok(Message::BuildError(fragment)) => {
                        let event = Event::default().event("build-error").data(fragment);
                        return Some((Ok(event), (rx, tab)));
                    }
                    Ok(Message::Shutdown) | Err(broadcast::error::RecvError::Closed) => {
                        return None;
                    }
                    // Messages were missed: reload to be safe.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let event = Event::default().event("reload").data(state.build_id());
                        return Some((Ok(event), (rx, tab)));
                    }
                }
            }
        }
    });
    use futures_util::StreamExt as _;
    Sse::new(
        initial
            .chain(updates)
            .map(|e| e.map(|ev| ev.retry(std::time::Duration::from_millis(500)))),
    )
    .keep_alive(KeepAlive::default())
}

/// A tab showing output file `file`, counted in [`ServerState::open_pages`] while its
/// event stream is open.
struct OpenTab {
    state: Arc<ServerState>,
    file: String,
}

impl OpenTab {
    fn new(state: Arc<ServerState>, file: String) -> OpenTab {
        *super::lock(&state.open).entry(file.clone()).or_default() += 1;
        OpenTab { state, file }
    }
}

impl Drop for OpenTab {
    fn drop(&mut self) {
        let mut open = super::lock(&self.state.open);
        if let Some(n) = open.get_mut(&self.file) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.file);
            }
        }
    }
}

/// Whether the tab at URL path `page` (`None`: unknown) must reload after a build that
/// changed `changed`.
fn reloads(state: &ServerState, page: Option<&str>, changed: &Changed) -> bool {
    let Some(file) = page.and_then(|p| page_file(&state.base_path(), p)) else {
        return true;
    };
    changed.affects(&file, state.root.join(&file).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_file_is_the_file_a_tab_shows() {
        assert_eq!(page_file("/", "/").as_deref(), Some("index.html"));
        assert_eq!(
            page_file("/news/", "/news/tags/m%C4%81ori/").as_deref(),
            Some("tags/māori/index.html")
        );
        assert_eq!(page_file("/", "/feed.xml").as_deref(), Some("feed.xml"));
        assert_eq!(page_file("/news/", "/other/"), None);
        assert_eq!(page_file("/", "/a/%2e%2e/b/"), None);
        assert_eq!(page_param("x=1&page=%2Fnews%2F").as_deref(), Some("/news/"));
    }

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("out");
        std::fs::create_dir_all(root.join("politics")).unwrap();
        std::fs::write(root.join("index.html"), "home").unwrap();
        std::fs::write(root.join("politics/index.html"), "politics").unwrap();
        std::fs::write(root.join("feed.xml"), "feed").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        dir
    }

    /// A request that falls between the two renames of a full rebuild's swap waits for the
    /// new folder instead of answering 404.
    #[test]
    fn a_request_during_the_output_swap_gets_the_page() {
        let dir = site();
        let root = dir.path().join("out");
        let aside = dir.path().join("out.old");
        std::fs::rename(&root, &aside).unwrap();
        let back = {
            let (aside, root) = (aside.clone(), root.clone());
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(100));
                std::fs::rename(aside, root).unwrap();
            })
        };
        match fetch(&root, "/", "/politics/", None) {
            Fetched::File(status, _, bytes) => {
                assert_eq!(
                    (status, bytes.as_slice()),
                    (StatusCode::OK, &b"politics"[..])
                )
            }
            _ => panic!("no page during the swap"),
        }
        back.join().unwrap();
        // A page that does not exist is still not found (no 404.html here).
        assert!(matches!(
            fetch(&root, "/", "/nope/", None),
            Fetched::NotFound
        ));
        std::fs::write(root.join("404.html"), "custom").unwrap();
        assert!(matches!(
            fetch(&root, "/", "/nope/", None),
            Fetched::File(StatusCode::NOT_FOUND, _, b) if b == b"custom"
        ));
    }

    #[test]
    fn resolves_files_folders_and_redirects() {
        let dir = site();
        let root = dir.path().join("out");
        let canon = root.canonicalize().unwrap();
        assert_eq!(
            resolve(&root, "/", "/", None),
            Resolved::File(canon.join("index.html"))
        );
        assert_eq!(
            resolve(&root, "/", "/politics/", None),
            Resolved::File(canon.join("politics/index.html"))
        );
        assert_eq!(
            resolve(&root, "/", "/politics", Some("a=1")),
            Resolved::Redirect("/politics/?a=1".into())
        );
        assert_eq!(
            resolve(&root, "/", "/feed.xml", None),
            Resolved::File(canon.join("feed.xml"))
        );
        assert_eq!(resolve(&root, "/", "/nope/", None), Resolved::NotFound);
    }

    #[test]
    fn sub_path_base() {
        let dir = site();
        let root = dir.path().join("out");
        let canon = root.canonicalize().unwrap();
        assert_eq!(
            resolve(&root, "/news/", "/", None),
            Resolved::Redirect("/news/".into())
        );
        assert_eq!(
            resolve(&root, "/news/", "/news", None),
            Resolved::Redirect("/news/".into())
        );
        assert_eq!(
            resolve(&root, "/news/", "/news/politics/", None),
            Resolved::File(canon.join("politics/index.html"))
        );
        assert_eq!(
            resolve(&root, "/news/", "/politics/", None),
            Resolved::NotFound
        );
    }

    #[test]
    fn refuses_to_leave_the_output() {
        let dir = site();
        let root = dir.path().join("out");
        for p in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2fsecret.txt",
            "/politics/..%5c..%5csecret.txt",
            "/%00",
            "/%zz",
        ] {
            let r = resolve(&root, "/", p, None);
            assert!(
                r == Resolved::BadRequest || r == Resolved::NotFound,
                "{p}: {r:?}"
            );
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link.txt"))
                .unwrap();
            assert_eq!(resolve(&root, "/", "/link.txt", None), Resolved::NotFound);
        }
    }

    #[test]
    fn content_types() {
        assert_eq!(
            content_type(Path::new("a/index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("x.png")), "image/png");
        assert!(content_type(Path::new("feed.xml")).contains("xml"));
    }
}
