//! `newsgen serve [--watch]`: build the site into a temporary folder with base_url pointed at
//! the local server, serve it, and (with `--watch`) rebuild on every change of the inputs and
//! reload every open page over Server-Sent Events.
//!
//! - [`http`]: the axum server (files, redirects, 404 page, the event stream);
//! - [`watch`]: notify, filtered and debounced;
//! - [`incremental`]: partial rebuilds of what an edit touches;
//! - [`preview`]: pages of the first build on request, before it is written;
//! - [`live`]: the last build's model in memory, patched after edits, pages on request;
//! - [`patch`]: patching on the watcher's thread, the build behind on its own;
//! - [`reload`]: the injected script and the error overlay.
//!
//! A failed build prints its errors, shows them as an overlay in every open page, and leaves
//! the last good site served; the next good build reloads the pages.

pub mod http;
pub mod incremental;
pub mod live;
pub mod patch;
pub mod preview;
pub mod reload;
pub mod watch;

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use std::sync::mpsc::{Receiver, Sender};

use crate::build::BuildOptions;
use crate::build::BuildReport;
use crate::error::Error;
use crate::load::config::{CONFIG_FILE, Config};
use crate::model::BuildFlags;
use http::ServerState;
use incremental::Engine;

/// The `serve` command line.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub site_dir: PathBuf,
    /// Port to listen on; when taken, the next free one is used. 0: any free port.
    pub port: u16,
    /// Address to listen on (only this one).
    pub bind: IpAddr,
    /// Rebuild and reload on changes.
    pub watch: bool,
    /// Open the served site in the web browser (`--open`).
    pub open: bool,
    /// `--drafts`, `--future`, `--expired`.
    pub flags: BuildFlags,
    /// `--quiet`: errors only, no line per rebuild (the address is still printed).
    pub quiet: bool,
}

/// How many ports after `--port` are tried when it is taken.
const PORT_TRIES: u16 = 50;

/// Runs the server until Ctrl-C (or SIGTERM).
pub fn run(opts: ServeOptions) -> Result<(), Error> {
    if !opts.site_dir.join(CONFIG_FILE).is_file() {
        return Err(Error::Usage(format!(
            "{} is not a newsgen site: no site.toml there (run `newsgen serve` in a site folder \
             or pass its path)",
            opts.site_dir.display()
        )));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Server(format!("cannot start the server's runtime: {e}")))?;
    let result = runtime.block_on(serve(opts));
    // A first build stopped by Ctrl-C is still running on its thread: not waited for.
    runtime.shutdown_background();
    result
}

/// Binds `bind:port`, or the next free port when it is taken (never another address).
async fn listen(bind: IpAddr, port: u16) -> Result<tokio::net::TcpListener, Error> {
    let last = if port == 0 {
        0
    } else {
        port.saturating_add(PORT_TRIES)
    };
    let mut p = port;
    loop {
        match tokio::net::TcpListener::bind(SocketAddr::new(bind, p)).await {
            Ok(l) => {
                if p != port {
                    eprintln!("port {port} is in use; using port {p} instead");
                }
                return Ok(l);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && p < last => p += 1,
            Err(e) => {
                return Err(Error::Server(format!(
                    "cannot listen on {}: {e}",
                    SocketAddr::new(bind, p)
                )));
            }
        }
    }
}

/// The configured base_url's sub-path (`/` or `/news/`); `/` while site.toml is broken.
fn configured_base_path(site_dir: &Path) -> String {
    Config::load(site_dir)
        .map(|(c, _)| c.base_url.path)
        .unwrap_or_else(|_| "/".to_string())
}

/// The host to put in URLs for a bound address (an unspecified address is reached locally).
fn url_host(addr: SocketAddr) -> String {
    let ip = addr.ip();
    let ip = if ip.is_unspecified() {
        match ip {
            IpAddr::V4(_) => IpAddr::from([127, 0, 0, 1]),
            IpAddr::V6(_) => IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        }
    } else {
        ip
    };
    match ip {
        IpAddr::V4(v4) => format!("{v4}:{}", addr.port()),
        IpAddr::V6(v6) => format!("[{v6}]:{}", addr.port()),
    }
}

async fn serve(opts: ServeOptions) -> Result<(), Error> {
    let listener = listen(opts.bind, opts.port).await?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Server(format!("cannot read the listening address: {e}")))?;
    let origin = format!("http://{}", url_host(addr));
    let tmp = tempfile::Builder::new()
        .prefix("newsgen-serve-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let out = tmp.path().join("site");
    let base_path = configured_base_path(&opts.site_dir);
    let build_opts = BuildOptions {
        site_dir: opts.site_dir.clone(),
        output: Some(out.clone()),
        flags: opts.flags,
        base_url: Some(format!("{origin}{base_path}")),
        inject_script: Some(reload::script()),
        ..BuildOptions::default()
    };
    let state = ServerState::new(out, base_path.clone());
    let engine = Engine::new(build_opts);

    // Watch before the first build, so no edit made during it is missed.
    let (_watcher, batches) = if opts.watch {
        let (tx, rx) = std::sync::mpsc::channel::<Vec<PathBuf>>();
        let watcher = watch::watch(&opts.site_dir, tx)
            .map_err(|e| Error::Server(format!("cannot watch {}: {e}", opts.site_dir.display())))?;
        (Some(watcher), Some(rx))
    } else {
        (None, None)
    };
    let live = Arc::new(live::Live::start(
        &opts.site_dir,
        opts.flags,
        Some(reload::script()),
    ));
    let gate = Arc::new(patch::Gate::default());
    let patcher = patch::Patcher {
        live: live.clone(),
        state: state.clone(),
        gate: gate.clone(),
        quiet: opts.quiet,
    };
    let mut builder = Builder {
        engine,
        state: state.clone(),
        origin: origin.clone(),
        built: false,
        quiet: opts.quiet,
        live,
        gate,
    };
    // The first build answers page requests from its model while it writes (the first page
    // of a large archive in seconds, not after the whole build).
    let preview = preview::Preview::new();
    *lock(&state.preview) = Some(preview.clone());
    builder.engine.opts.preview = Some(preview.hook());
    let app = http::router(state.clone());
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        let _ = stop_rx.changed().await;
    });
    let mut served = tokio::spawn(async move { server.await });
    if !opts.quiet {
        eprintln!(
            "building the site; pages are served at {origin}{} as they are asked for",
            state.base_path()
        );
    }
    // Ctrl-C is heard from the first build on: stopped during it, serve removes the partial
    // output it wrote (at archive size, gigabytes) instead of leaving it in the temp folder.
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    let first = tokio::task::spawn_blocking(move || {
        builder.build(None, false, Instant::now());
        builder
    });
    builder = tokio::select! {
        built = first => built.map_err(|e| Error::Server(format!("the first build stopped: {e}")))?,
        () = &mut shutdown => {
            eprintln!("\nstopping");
            let _ = stop_tx.send(true);
            remove_while_written(tmp);
            return Ok(());
        }
    };

    println!("Serving {origin}{}", state.base_path());
    let _ = std::io::stdout().flush();
    if opts.open {
        open_browser(&format!("{origin}{}", state.base_path()));
    }
    match batches {
        Some(rx) => {
            if !opts.quiet {
                eprintln!("watching content/, themes/, static/ and site.toml for changes");
            }
            let work = spawn_builder(builder)?;
            std::thread::Builder::new()
                .name("newsgen-patch".into())
                .spawn(move || patch_then_build(&rx, &patcher, &work))
                .map_err(|e| Error::Server(format!("cannot start the watch thread: {e}")))?;
        }
        None if opts.quiet => {}
        None => {
            eprintln!("(not watching for changes: drop --no-watch to rebuild and reload on edits)");
        }
    }

    let result = tokio::select! {
        r = &mut served => Some(r),
        () = &mut shutdown => None,
    };
    let result = match result {
        Some(r) => r,
        None => {
            eprintln!("\nstopping");
            let _ = state.tx.send(reload::Message::Shutdown);
            let _ = stop_tx.send(true);
            // Open connections get a moment to finish, then we go anyway.
            match tokio::time::timeout(Duration::from_secs(2), served).await {
                Ok(r) => r,
                Err(_) => Ok(Ok(())),
            }
        }
    };
    drop(tmp);
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Error::Server(format!("server stopped: {e}"))),
        Err(e) => Err(Error::Server(format!("server stopped: {e}"))),
    }
}

/// Removes serve's temporary folder while the first build may still be writing into it (its
/// thread cannot be stopped; it ends with the process, right after). The folder is renamed
/// first, so the build's page writes fail instead of filling the folder being removed (the
/// build makes the folders below its staging folder one level at a time, never their
/// parents); anything made again under the old name meanwhile goes with the `TempDir`.
fn remove_while_written(tmp: tempfile::TempDir) {
    let doomed = tmp.path().with_extension("stopping");
    if std::fs::rename(tmp.path(), &doomed).is_ok() {
        let _ = std::fs::remove_dir_all(&doomed);
    }
    drop(tmp);
}

/// `--open`: the system's browser (or `$BROWSER`); failing to open one only costs a message.
fn open_browser(url: &str) {
    if let Err(e) = webbrowser::open(url) {
        eprintln!("could not open a browser ({e}): open {url} yourself");
    }
}

/// Ctrl-C; on Unix also SIGTERM, and SIGHUP (the terminal serve runs in was closed).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::SignalKind;
        let unix = |kind: SignalKind| async move {
            match tokio::signal::unix::signal(kind) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = ctrl_c => {},
            () = unix(SignalKind::terminate()) => {},
            () = unix(SignalKind::hangup()) => {},
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}

/// Runs builds and tells the server about them.
struct Builder {
    engine: Engine,
    state: Arc<ServerState>,
    origin: String,
    /// A build has succeeded, so a good site is being served.
    built: bool,
    /// Print errors only.
    quiet: bool,
    /// The model of the last build, in memory (patched after edits: `patch`).
    live: Arc<live::Live>,
    /// What builds and patches agree through.
    gate: Arc<patch::Gate>,
}

impl Builder {
    /// One rebuild of the served folder after `changes` (`patched`: all of them are served
    /// from the model in memory already): prints the outcome, updates what is served,
    /// notifies the pages.
    fn build(&mut self, changes: Option<&[PathBuf]>, patched: bool, start: Instant) {
        if patched {
            hold_for_tests();
        }
        let since = self.gate.patches();
        // site.toml may have moved the base_url sub-path: follow it.
        let base_path = configured_base_path(&self.engine.opts.site_dir);
        self.engine.opts.base_url = Some(format!("{}{base_path}", self.origin));
        let result = self.engine.rebuild(changes);
        // Pages come from the folder again, unless an edit was patched in meanwhile.
        let current = self.gate.if_current(since, || self.state.caught_up());
        // A preview runs during the first build only.
        let previewed = self.engine.opts.preview.take().is_some();
        if let Some(p) = lock(&self.state.preview).take() {
            p.close();
        }
        match result {
            Ok(mut r) => {
                self.built = true;
                let deferred = r.deferred.take();
                if let Some(d) = &deferred {
                    self.state.generating(Arc::new(d.generated.clone()));
                }
                // Pages served early are the ones this build wrote: open tabs keep them.
                let changed: &[String] = if previewed { &[] } else { &r.files.changed };
                // After a patch, open tabs were reloaded from the model in memory already.
                self.state.succeeded(Some(base_path), changed, !patched);
                if !self.quiet {
                    report(&r, start.elapsed());
                }
                if let Some(d) = deferred {
                    self.generate(d, since);
                }
            }
            Err(e) => {
                // A patched model no longer matches what is served, and the files the patch
                // left waiting for this build are not coming.
                self.gate.spoil();
                self.state.caught_up();
                if patched || !current {
                    self.state.generated(&[]);
                }
                eprintln!("{}", printed(&e, self.quiet));
                if self.built {
                    eprintln!("the last good build is still served; fix the file and save");
                } else {
                    eprintln!("no site has been built yet; fix the file and save to build it");
                }
                self.state.failed(reload::overlay_fragment(&e, self.built));
            }
        }
    }
}

impl Builder {
    /// The second step of a rebuild: generators and link check, after the pages reloaded.
    /// Its model is installed in memory, and requests for the generators' files are
    /// answered, only if no edit was patched in since the build started (`since`): the next
    /// build writes that edit, and they wait for it.
    fn generate(&mut self, deferred: crate::build::Deferred, since: u64) {
        let start = Instant::now();
        // Tests widen the window between the reload and the generators with this.
        if let Some(ms) = std::env::var("NEWSGEN_TEST_GENERATOR_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            std::thread::sleep(Duration::from_millis(ms));
        }
        let (result, model) = deferred.finish();
        let live = &self.live;
        let current = self.gate.if_current(since, || live.install(model));
        match result {
            Ok(g) => {
                self.gate.set_generated(g.generated);
                if current {
                    self.state.generated(&g.files.changed);
                }
                if !self.quiet {
                    for w in &g.warnings {
                        eprintln!("{w}");
                    }
                    eprintln!(
                        "feeds, sitemaps and search index: {} files changed in {} ms",
                        g.files.written + g.files.removed,
                        start.elapsed().as_millis()
                    );
                }
            }
            Err(e) => {
                self.state.generated(&[]);
                eprintln!("{}", printed(&e, self.quiet));
                self.state.failed(reload::overlay_fragment(&e, self.built));
            }
        }
    }
}

/// Edits as the watcher reports them: each is patched into the model in memory if it can
/// be, then handed to the builder; an edit that cannot be patched waits for its build, so no
/// later edit is patched into a model that lacks it.
fn patch_then_build(
    batches: &Receiver<Vec<PathBuf>>,
    patcher: &patch::Patcher,
    work: &Sender<Work>,
) {
    while let Ok(mut batch) = batches.recv() {
        // Coalesce batches that queued up meanwhile.
        while let Ok(more) = batches.try_recv() {
            batch.extend(more);
        }
        batch.sort();
        batch.dedup();
        let start = Instant::now();
        if !patcher.quiet {
            print_changes(&batch);
        }
        let patched = patcher.patch(&batch, start);
        let (done, built) = std::sync::mpsc::channel();
        let done = (!patched).then_some(done);
        let changes = batch;
        if work
            .send(Work {
                changes,
                patched,
                start,
                done,
            })
            .is_err()
        {
            return;
        }
        if !patched {
            let _ = built.recv();
        }
    }
}

/// Edits for the builder.
struct Work {
    changes: Vec<PathBuf>,
    /// Served from the model in memory already.
    patched: bool,
    start: Instant,
    /// Told when the build is done (an edit that was not patched).
    done: Option<Sender<()>>,
}

/// The builder's thread: builds the served folder after each edit, the edits that queued up
/// during a build together.
fn spawn_builder(mut builder: Builder) -> Result<Sender<Work>, Error> {
    let (tx, rx) = std::sync::mpsc::channel::<Work>();
    std::thread::Builder::new()
        .name("newsgen-build".into())
        .spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut works = vec![first];
                works.extend(rx.try_iter());
                let mut changes: Vec<PathBuf> = works
                    .iter()
                    .flat_map(|w| w.changes.iter().cloned())
                    .collect();
                changes.sort();
                changes.dedup();
                let patched = works.iter().all(|w| w.patched);
                builder.build(Some(&changes), patched, works[0].start);
                for done in works.into_iter().filter_map(|w| w.done) {
                    let _ = done.send(());
                }
            }
        })
        .map_err(|e| Error::Server(format!("cannot start the build thread: {e}")))?;
    Ok(tx)
}

/// The `changed:` line of a rebuild.
fn print_changes(changes: &[PathBuf]) {
    let shown: Vec<String> = changes
        .iter()
        .take(3)
        .map(|p| crate::error::display_path(p))
        .collect();
    let more = changes.len().saturating_sub(shown.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    eprintln!("changed: {}{more}", shown.join(", "));
}

/// Tests hold the build behind a patch until the file named by `NEWSGEN_TEST_HOLD_BEHIND`
/// exists, so that pages are served from the model in memory alone meanwhile.
fn hold_for_tests() {
    if let Some(release) = std::env::var_os("NEWSGEN_TEST_HOLD_BEHIND") {
        while !Path::new(&release).exists() {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Locks a mutex of the server, whose data stays usable even if a holder panicked.
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A failed build as the terminal shows it: with `--quiet`, its warnings are left out.
fn printed(e: &Error, quiet: bool) -> String {
    match e {
        Error::Site(diags) if quiet => {
            Error::Site(diags.iter().filter(|d| d.is_error()).cloned().collect()).to_string()
        }
        other => other.to_string(),
    }
}

fn report(r: &BuildReport, total: Duration) {
    for w in &r.warnings {
        eprintln!("{w}");
    }
    eprintln!(
        "built {} articles: {} of {} pages rendered, {} files changed, {} removed in {} ms",
        r.articles,
        r.rendered,
        r.pages,
        r.files.written,
        r.files.removed,
        total.as_millis()
    );
}
