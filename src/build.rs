//! `newsgen build`: load → model → render → write, reporting every problem together.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use rayon::prelude::*;

use crate::error::{Diagnostic, Diagnostics, Error};
use crate::generators::Generator;
use crate::generators::search::AnalysisCache;
use crate::load::config::{BaseUrl, Config};
use crate::load::{content, read_articles};
use crate::model::{BuildFlags, Site, build_site, pages};
use crate::output::{Found, Output};
use crate::util::background::Background;
use std::sync::Arc;

use rustc_hash::FxHashSet;

use crate::model::ArticleId;
use crate::model::pages::PageKind;
use crate::output::manifest::BodyLinks;
use crate::progress::{Counters, Progress};
use crate::render::deps::texts_digest;
use crate::render::theme::Theme;
use crate::render::{Changed, Keep, Renderer, check_links};

mod stamps;

/// What to build and how (the `build` command line).
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub site_dir: PathBuf,
    /// Output folder; default `SITE/public`.
    pub output: Option<PathBuf>,
    /// `--drafts`, `--future`, `--expired`.
    pub flags: BuildFlags,
    pub strict: bool,
    /// Broken internal links and missing images are errors (`check`), not warnings.
    pub links_are_errors: bool,
    pub base_url: Option<String>,
    /// Replace an output folder that holds files newsgen did not write.
    pub force: bool,
    /// Trust no cache: render every page, compare every file with the one on disk.
    pub no_cache: bool,
    /// "Now" for future articles and the news sitemap; default `SOURCE_DATE_EPOCH` or the clock.
    pub now: Option<DateTime<Utc>>,
    /// HTML injected before `</body>` of every page (live reload while serving).
    pub inject_script: Option<String>,
    /// Parsed articles kept between builds of one process (serve).
    pub parse_cache: Option<std::sync::Arc<crate::load::ParseCache>>,
    /// Commit pages and files first and leave the generators (feeds, sitemaps, search index)
    /// and the link check to [`BuildReport::deferred`] (serve: pages reload sooner).
    pub defer_generators: bool,
    /// Runs beside the rendering of pages with the same model (serve: pages on request
    /// during a long first build).
    pub preview: Option<PreviewHook>,
}

/// What a [`PreviewHook`] renders from: the build's own model, theme and templates.
pub struct PreviewSource<'a> {
    pub site: &'a Site,
    pub theme: &'a Theme,
    pub templates: tera::Tera,
    pub plan: &'a [pages::Page],
    pub opts: &'a BuildOptions,
    /// Disconnected once the build has written every page: the hook returns then.
    pub done: std::sync::mpsc::Receiver<()>,
}

/// Called on a thread of its own while a build renders its pages, and waited for.
#[derive(Clone)]
pub struct PreviewHook(pub Arc<dyn Fn(PreviewSource<'_>) + Send + Sync>);

impl std::fmt::Debug for PreviewHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PreviewHook")
    }
}

impl BuildOptions {
    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.site_dir.join("public"))
    }

    fn output_options(&self) -> crate::output::OutputOptions {
        crate::output::OutputOptions {
            force: self.force,
            no_cache: self.no_cache,
        }
    }
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub articles: usize,
    /// Pages of the site.
    pub pages: usize,
    /// Pages rendered (the others were unchanged since the last build).
    pub rendered: usize,
    /// Pages whose context was built and fingerprinted to learn whether they changed (the
    /// others were known unchanged from the manifest alone).
    pub fingerprinted: usize,
    pub assets: usize,
    /// Files written, left unchanged and removed in the output.
    pub files: crate::output::WriteStats,
    pub warnings: Vec<Diagnostic>,
    /// One line counting the broken links (`342 broken links in 57 articles; ...`), if any.
    pub link_summary: Option<String>,
    pub elapsed: Duration,
    pub output: PathBuf,
    /// Drafts and scheduled articles the build did not publish.
    pub left_out: crate::model::LeftOut,
    pub images: crate::images::ImageStats,
    /// With [`BuildOptions::defer_generators`]: the second step, still to run.
    pub deferred: Option<Deferred>,
    /// Every input was as the last build left it: its report was returned without loading
    /// the site (`build::stamps`).
    pub no_change: bool,
}

/// The generators and the link check of a build whose pages are committed, run as a second
/// step into the same output ([`BuildOptions::defer_generators`]).
#[derive(Debug)]
pub struct Deferred {
    model: Model,
    recorded: RecordedLinks,
    dest: PathBuf,
    output: crate::output::OutputOptions,
    key: u128,
    meta: u128,
    cards: Vec<u64>,
    /// The articles that changed when the model's structure did not (see [`Pass::changed`]).
    changed: Option<Changed>,
    /// The files the generators wrote last time (until they run, these may be stale).
    pub generated: FxHashSet<String>,
    /// The search index's analyses, saved once the index is built.
    search_cache: Arc<AnalysisCache>,
}

/// What a build rendered its pages from, handed to serve after a deferred build: serve keeps
/// it to render pages on request and to patch after an edit (`serve::live`).
pub struct Model {
    pub site: Site,
    pub theme: Theme,
    pub templates: tera::Tera,
    pub plan: Vec<pages::Page>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("articles", &self.site.articles.len())
            .field("pages", &self.plan.len())
            .finish_non_exhaustive()
    }
}

/// What the second step of a deferred build did.
#[derive(Debug)]
pub struct DeferredReport {
    pub files: crate::output::WriteStats,
    /// The files the generators own now (written or kept).
    pub generated: FxHashSet<String>,
    /// Broken links and missing images, as warnings.
    pub warnings: Vec<Diagnostic>,
    pub link_summary: Option<String>,
}

impl Deferred {
    /// Runs the generators and the link check and commits their files. The model is handed
    /// back whatever the outcome: the pages it rendered are committed either way.
    pub fn finish(mut self) -> (Result<DeferredReport, Error>, Model) {
        let report = self.run();
        (report, self.model)
    }

    fn run(&mut self) -> Result<DeferredReport, Error> {
        let mut phases = Phases::new();
        let names: Vec<&str> = generators(&self.search_cache)
            .iter()
            .map(|g| g.name())
            .collect();
        let cards = std::mem::take(&mut self.cards);
        let found = Found::read(&self.dest, self.output)?;
        let out = Output::begin(found, &self.dest, self.output, self.key, self.meta, cards)?;
        out.keep_all_but_generated(&names);
        let Model { site, plan, .. } = &self.model;
        let errors = run_generators(
            site,
            plan,
            &out,
            &self.search_cache,
            self.changed.as_ref(),
            &mut phases,
        );
        if !errors.is_empty() {
            out.abort();
            return Err(Error::Site(errors));
        }
        let generated = out.generated_files(&names);
        let recorded = std::mem::take(&mut self.recorded);
        let links = check_links(site, recorded, out.files());
        phases.mark("link check");
        let files = out.commit()?;
        if let Err(e) = self.search_cache.save() {
            eprintln!("note: could not save the search cache: {e}");
        }
        Ok(DeferredReport {
            files,
            generated,
            warnings: links.diagnostics,
            link_summary: links.summary,
        })
    }
}

/// The build's "now": explicit, else `SOURCE_DATE_EPOCH` (reproducible builds), else the clock.
pub fn build_time(explicit: Option<DateTime<Utc>>) -> DateTime<Utc> {
    if let Some(t) = explicit {
        return t;
    }
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| Utc.timestamp_opt(secs, 0).single())
        .unwrap_or_else(Utc::now)
}

/// A site read from disk and checked: the model, its theme and templates, and the warnings.
pub struct LoadedSite {
    pub site: Site,
    pub theme: Theme,
    pub templates: tera::Tera,
    pub warnings: Vec<Diagnostic>,
}

/// Loads the site and builds the model, collecting every diagnostic of every stage.
pub fn load_site(opts: &BuildOptions) -> Result<LoadedSite, Error> {
    load_site_timed(opts, None, &mut Phases::new())
}

/// [`load_site`], each stage a mark of the build's one phase timer. `scan` is content/ as
/// the no-change shortcut found and stated it, if it looked.
fn load_site_timed(
    opts: &BuildOptions,
    scan: Option<content::Scan>,
    phases: &mut Phases,
) -> Result<LoadedSite, Error> {
    let site_dir = &opts.site_dir;
    if !site_dir.join(crate::load::config::CONFIG_FILE).is_file() {
        return Err(Error::Usage(format!(
            "{} is not a newsgen site: no site.toml there (run `newsgen build` in a site folder \
             or pass its path)",
            site_dir.display()
        )));
    }
    let mut diags = Diagnostics::new();
    let (mut config, warnings) = Config::load(site_dir).map_err(Error::Site)?;
    diags.extend(warnings);
    if let Some(url) = &opts.base_url {
        config.base_url = BaseUrl::parse(url).map_err(Error::Usage)?;
    }
    let tz = config.timezone;
    let now = build_time(opts.now).with_timezone(&tz);
    let images = std::sync::Arc::new(crate::images::Images::new(
        site_dir,
        &config,
        !opts.no_cache,
    ));

    let mut tree = match scan {
        Some(scan) => scan.into_tree(),
        // The parse cache compares stamps: stat each file once, here.
        None if opts.parse_cache.is_some() => content::scan(site_dir).into_tree(),
        None => content::walk(site_dir),
    };
    phases.mark("walk content");
    diags.extend(tree.warnings.iter().cloned());
    diags.extend(crate::load::walk::static_files(site_dir).1);
    let sources = std::mem::take(&mut tree.articles);
    let (mut loaded, file_diags) =
        read_articles(site_dir, sources, tz, opts.parse_cache.as_deref());
    phases.mark("read and parse articles");
    diags.extend(file_diags);
    if !config.unsafe_html {
        diags.extend(crate::load::unsafe_urls::drop_unsafe_urls_all(&mut loaded));
    }

    let theme = match Theme::resolve(site_dir, &config.theme) {
        Ok(t) => {
            diags.extend(t.warnings.iter().cloned());
            Some(t)
        }
        Err(e) => {
            diags.extend(e);
            None
        }
    };
    let templates = theme.as_ref().and_then(|theme| {
        match crate::render::load_templates(&config, theme, site_dir, &images) {
            Ok(t) => Some(t),
            Err(e) => {
                diags.extend(e);
                None
            }
        }
    });
    let flags = opts.flags;
    phases.mark("load theme and templates");
    let site = match build_site(config, loaded, tree.assets, flags, now) {
        Ok((mut site, w)) => {
            diags.extend(w);
            images.set_assets(&site.assets);
            site.images = images;
            Some(site)
        }
        Err(e) => {
            diags.extend(e);
            None
        }
    };
    phases.mark("build the model");
    if opts.strict {
        diags.make_strict();
    }
    match (site, theme, templates) {
        (Some(site), Some(theme), Some(templates)) if !diags.has_errors() => Ok(LoadedSite {
            site,
            theme,
            templates,
            warnings: diags.into_sorted(),
        }),
        _ => Err(Error::Site(diags.into_sorted())),
    }
}

/// The output folder, resolved through symbolic links, once it is known to be a place a build
/// may write: not the site or a folder above it, not inside an input folder, not the file
/// system root or the home folder (not even with `--force`).
fn checked_output_dir(site_dir: &Path, out: &Path) -> Result<PathBuf, Error> {
    let resolve = |p: &Path| -> PathBuf {
        let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        // A folder that does not exist yet: resolve its parent.
        match (abs.canonicalize(), abs.parent(), abs.file_name()) {
            (Ok(c), _, _) => c,
            (Err(_), Some(parent), Some(name)) => parent
                .canonicalize()
                .map(|p| p.join(name))
                .unwrap_or_else(|_| abs.clone()),
            _ => abs.components().collect(),
        }
    };
    let site = resolve(site_dir);
    let dest = resolve(out);
    let refuse = |why: String| {
        Err(Error::Usage(format!(
            "refusing to write the site into {}: {why}; choose another --output",
            dest.display()
        )))
    };
    if site.starts_with(&dest) {
        return refuse("it contains the site itself".into());
    }
    for input in ["content", "themes", "static"] {
        if dest.starts_with(site.join(input)) {
            return refuse(format!("it is inside the site's {input}/ folder"));
        }
    }
    if dest.parent().is_none() {
        return refuse("it is the root of the file system".into());
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty())
        && resolve(Path::new(&home)) == dest
    {
        return refuse("it is your home folder".into());
    }
    Ok(dest)
}

/// The hash of every input that all pages share and their contexts do not show: site.toml as
/// written, the command-line flags that change the output, and the script injected while
/// serving. A page's fingerprint is trusted only under the same key.
fn build_key(opts: &BuildOptions) -> Result<u128, Error> {
    let config = opts.site_dir.join(crate::load::config::CONFIG_FILE);
    let bytes = std::fs::read(&config).map_err(|e| Error::io(&config, e))?;
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(env!("NEWSGEN_BUILD_ID").as_bytes());
    h.update(&(bytes.len() as u64).to_le_bytes());
    h.update(&bytes);
    let flags = format!("{:?}", (opts.flags, &opts.base_url, &opts.inject_script));
    h.update(flags.as_bytes());
    Ok(h.digest128())
}

/// Set by `--verbose`: phase timings on stderr, as with `NEWSGEN_TIMINGS`.
pub static VERBOSE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Phase timings on stderr when `NEWSGEN_TIMINGS` is set (for benchmarks and profiling): the
/// wall time of each phase and the CPU time of the whole process meanwhile, which shows
/// whether a phase kept every core busy.
pub struct Phases {
    on: bool,
    last: Instant,
    last_cpu: Duration,
}

impl Phases {
    pub fn new() -> Self {
        let on = std::env::var_os("NEWSGEN_TIMINGS").is_some()
            || VERBOSE.load(std::sync::atomic::Ordering::Relaxed);
        process_start();
        Phases {
            on,
            last: Instant::now(),
            last_cpu: if on {
                process_cpu_time()
            } else {
                Duration::ZERO
            },
        }
    }

    /// Reports the time since the previous mark under `name`.
    pub fn mark(&mut self, name: &str) {
        if self.on {
            let cpu = process_cpu_time();
            eprintln!(
                "timing: {name}: {} ms (cpu {} ms), ends at {} ms",
                self.last.elapsed().as_millis(),
                cpu.saturating_sub(self.last_cpu).as_millis(),
                process_start().elapsed().as_millis()
            );
            self.last_cpu = cpu;
        }
        self.last = Instant::now();
    }
}

/// When the first phase timer of the process started: the timeline of phases that run side by
/// side (the generators beside the pages) reads against it.
fn process_start() -> Instant {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// User and system time of every thread of the process so far (zero where unknown).
fn process_cpu_time() -> Duration {
    #[cfg(unix)]
    {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: getrusage writes a `rusage` into the pointer it is given, nothing else.
        let usage = unsafe {
            if libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) != 0 {
                return Duration::ZERO;
            }
            usage.assume_init()
        };
        let time = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        };
        time(usage.ru_utime) + time(usage.ru_stime)
    }
    #[cfg(not(unix))]
    Duration::ZERO
}

impl Default for Phases {
    fn default() -> Self {
        Self::new()
    }
}

/// Builds the site into its output folder, rendering only pages whose inputs changed and
/// writing only files whose bytes changed. On any error the previous output stays as it was.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Error> {
    let start = Instant::now();
    let mut phases = Phases::new();
    let dest = checked_output_dir(&opts.site_dir, &opts.output_dir())?;
    let mut shortcut = stamps::Shortcut::new(opts, &dest);
    if let Some(report) = shortcut
        .as_mut()
        .and_then(|s| s.unchanged(opts, &dest, start))
    {
        phases.mark("inputs unchanged since the last build: nothing to do");
        return Ok(report);
    }
    if shortcut.is_some() {
        phases.mark("stat the inputs");
    }
    build_changed(opts, &dest, shortcut, start, phases)
}

/// The build of [`build`] once the shortcut found a change (or did not look): `shortcut`
/// holds content/ as it walked and stated it, for the load.
fn build_changed(
    opts: &BuildOptions,
    dest: &Path,
    mut shortcut: Option<stamps::Shortcut>,
    start: Instant,
    mut phases: Phases,
) -> Result<BuildReport, Error> {
    // The output folder and its manifest are read while the site loads.
    let found = {
        let (dest, options) = (dest.to_path_buf(), opts.output_options());
        Background::start(move || Found::read(&dest, options))
    };
    // Search analyses of earlier builds, beside the output, read while the site loads.
    let search_cache = Arc::new(AnalysisCache::on_disk(
        crate::output::cache_dir(dest).join("search"),
        !opts.no_cache,
    ));
    search_cache.read_ahead();
    // Parsed articles of earlier builds, kept beside the output (serve passes its own, kept in
    // memory); written before pages render and kept only if the build succeeds, so a refused
    // or failed build leaves it as it was.
    let disk_cache = (opts.parse_cache.is_none() && !opts.no_cache).then(|| {
        let dir = crate::output::cache_dir(dest).join("articles");
        (Arc::new(crate::load::ParseCache::load(&dir)), dir)
    });
    phases.mark("read the parse cache");
    let with_cache;
    let opts = match &disk_cache {
        Some((cache, _)) => {
            with_cache = BuildOptions {
                parse_cache: Some(cache.clone()),
                ..opts.clone()
            };
            &with_cache
        }
        None => opts,
    };
    let LoadedSite {
        site,
        theme,
        templates,
        mut warnings,
    } = load_site_timed(
        opts,
        shortcut.as_mut().and_then(|s| s.take_scan()),
        &mut phases,
    )?;
    // Two passes over the whole model, each on one core: side by side.
    let (page_plan, digest) = rayon::join(|| pages::plan(&site), || site.model_digest());
    let page_plan = page_plan.map_err(Error::Site)?;
    phases.mark("page plan and model digest");
    let lead_images = site.images.prepare(&site);
    phases.mark("lead images");
    let meta = {
        let mut h = digest.structure.to_le_bytes().to_vec();
        h.extend_from_slice(&texts_digest(&theme, &opts.site_dir).to_le_bytes());
        h.extend_from_slice(&lead_images.to_le_bytes());
        xxhash_rust::xxh3::xxh3_128(&h)
    };
    let key = build_key(opts)?;
    let cards = digest.cards.raw;
    let found = found.join()?;
    let out = Output::begin(found, dest, opts.output_options(), key, meta, cards.clone())?;
    phases.mark("load the manifest");
    // Committed with the output; dropped (deleted) if the build fails.
    let staged_cache = disk_cache.as_ref().and_then(|(cache, dir)| {
        let staged = stage_parse_cache(cache, dir);
        phases.mark("save the parse cache");
        staged.map(|s| (s, dir.as_path()))
    });
    let discarded_cache = !out.warnings.is_empty();
    warnings.extend(out.warnings.iter().cloned());
    let pass = page_pass(&site, &page_plan, &out);
    let counters = Arc::new(Counters::default());
    let progress = Progress::start(page_plan.len(), counters.clone());
    let inputs = Inputs {
        site: &site,
        theme: &theme,
        plan: &page_plan,
        opts,
        search_cache: &search_cache,
    };
    // A deferred (serve) build hands its model on: the templates are cloned before the
    // renderer takes them.
    let kept_templates = opts.defer_generators.then(|| templates.clone());
    let result = with_preview(&inputs, templates, |templates| {
        let writing = Writing {
            pass: &pass,
            out: &out,
            counters: &counters,
        };
        write_site(&inputs, &writing, templates, &mut phases)
    });
    progress.finish();
    let (assets, recorded) = match result {
        Ok(r) => r,
        Err(errors) => {
            out.abort();
            warnings.extend(errors);
            warnings.sort();
            return Err(Error::Site(warnings));
        }
    };
    // The report's counts; `deferred` is set by a serve build.
    let report = |files, warnings, link_summary, images| BuildReport {
        articles: site.articles.len(),
        pages: page_plan.len(),
        rendered: counters.rendered(),
        fingerprinted: counters.fingerprinted(),
        assets,
        files,
        warnings,
        link_summary,
        elapsed: start.elapsed(),
        output: dest.to_path_buf(),
        left_out: site.left_out.clone(),
        images,
        deferred: None,
        no_change: false,
    };
    if opts.defer_generators {
        let generated = out.generated_files(
            &generators(&search_cache)
                .iter()
                .map(|g| g.name())
                .collect::<Vec<_>>(),
        );
        let (image_warnings, images) = site.images.finish();
        warnings.extend(image_warnings);
        warnings.sort();
        let files = out.commit()?;
        commit_parse_cache(staged_cache);
        save_image_index(&site);
        let mut report = report(files, warnings, None, images);
        report.deferred = Some(Deferred {
            changed: pass.changed(),
            key,
            meta,
            cards,
            model: Model {
                site,
                theme,
                templates: kept_templates.expect("cloned for a deferred build"),
                plan: page_plan,
            },
            recorded,
            dest: dest.to_path_buf(),
            output: opts.output_options(),
            generated,
            search_cache,
        });
        return Ok(report);
    }
    let (image_warnings, images) = site.images.finish();
    let (link_summary, written) =
        check_links_and_commit(&site, recorded, out, opts, image_warnings, &mut warnings)?;
    commit_parse_cache(staged_cache);
    phases.mark("link check, write changed files and remove stale ones");
    save_image_index(&site);
    if let Err(e) = search_cache.save() {
        eprintln!("note: could not save the search cache: {e}");
    }
    let report = report(written, warnings, link_summary, images);
    if let Some(shortcut) = shortcut {
        let until = output_changes_at(&site, &search_cache);
        shortcut.save(&site, &report, until, discarded_cache);
    }
    crate::util::background::drop_in_background((site, page_plan, pass, search_cache));
    Ok(report)
}

/// Checks the links of every article body and commits the output. Under `--strict` (which
/// makes image warnings errors too) or `check`, broken links are errors, found before anything
/// is written; otherwise they are warnings, checked while the files move in.
fn check_links_and_commit(
    site: &Site,
    recorded: RecordedLinks,
    out: Output,
    opts: &BuildOptions,
    image_warnings: Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(Option<String>, crate::output::WriteStats), Error> {
    let files = out.files();
    if !(opts.strict || opts.links_are_errors) {
        warnings.extend(image_warnings);
        let (links, written) = std::thread::scope(|s| {
            let check = s.spawn(|| check_links(site, recorded, files));
            let written = out.commit();
            let links = check
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (links, written)
        });
        warnings.extend(links.diagnostics);
        warnings.sort();
        return Ok((links.summary, written?));
    }
    let links = check_links(site, recorded, files);
    let mut errors = links.diagnostics;
    if opts.strict {
        errors.extend(image_warnings);
    } else {
        warnings.extend(image_warnings);
    }
    if !errors.is_empty() {
        for e in &mut errors {
            e.severity = crate::error::Severity::Error;
        }
        out.abort();
        warnings.extend(errors);
        warnings.sort();
        return Err(Error::Site(std::mem::take(warnings)));
    }
    warnings.sort();
    Ok((links.summary, out.commit()?))
}

/// The first instant after the build's "now" at which the same inputs could give another
/// output: an article published or withdrawn, a generator that reads the clock.
fn output_changes_at(
    site: &Site,
    search_cache: &Arc<AnalysisCache>,
) -> Option<chrono::DateTime<chrono_tz::Tz>> {
    let generators = generators(search_cache);
    let from_generators = generators.iter().filter_map(|g| g.changes_at(site));
    from_generators.chain(site.withheld_until).min()
}

/// Writes the parse cache's shards before pages render, then empties it: nothing reads it
/// again in this build, and held while pages render it would be a second copy of every
/// article's front matter (and, after a cold build, a hash table as large as the archive).
/// Only speed is lost if it cannot be saved.
fn stage_parse_cache(
    cache: &crate::load::ParseCache,
    dir: &Path,
) -> Option<crate::load::cache::Staged> {
    let staged = cache.stage(dir);
    cache.release();
    staged.map_err(|e| parse_cache_note(dir, &e)).ok()
}

/// Renames the staged parse cache into place once the build succeeded.
fn commit_parse_cache(staged: Option<(crate::load::cache::Staged, &Path)>) {
    if let Some((staged, dir)) = staged
        && let Err(e) = staged.commit()
    {
        parse_cache_note(dir, &e);
    }
}

/// The parse cache could not be saved: the next build parses again.
fn parse_cache_note(dir: &Path, e: &std::io::Error) {
    eprintln!(
        "note: could not save the parse cache in {}: {e}",
        dir.display()
    );
}

/// Saves what this build learnt of the image sources; only speed is lost if it cannot.
fn save_image_index(site: &Site) {
    if let Err(e) = site.images.save_index() {
        eprintln!("note: could not save what this build learnt of the images: {e}");
    }
}

/// Runs `write` with the options' preview hook (if any) beside it, on the same model.
fn with_preview<T>(
    inputs: &Inputs<'_>,
    templates: tera::Tera,
    write: impl FnOnce(tera::Tera) -> T,
) -> T {
    let Some(hook) = &inputs.opts.preview else {
        return write(templates);
    };
    let (written, done) = std::sync::mpsc::channel();
    let source = PreviewSource {
        site: inputs.site,
        theme: inputs.theme,
        templates: templates.clone(),
        plan: inputs.plan,
        opts: inputs.opts,
        done,
    };
    std::thread::scope(|s| {
        s.spawn(|| (hook.0)(source));
        let result = write(templates);
        drop(written);
        result
    })
}

/// Which pages a build renders.
enum Pass {
    /// Compare every page's fingerprint with the last build's; render those that changed.
    Fingerprints,
    /// The model's structure is the last build's and only these articles' bodies or cards
    /// changed: check only the pages that show them, keep every other page without building
    /// its context.
    Articles(Changed),
    /// The model is the last build's: keep every page and every generated file that does not
    /// depend on the build time.
    Nothing,
}

impl Pass {
    /// The articles whose body or card changed when the model's structure did not (none for
    /// [`Pass::Nothing`]); `None` when anything may have changed.
    fn changed(&self) -> Option<Changed> {
        match self {
            Pass::Fingerprints => None,
            Pass::Articles(changed) => Some(changed.clone()),
            Pass::Nothing => Some(Changed::default()),
        }
    }
}

/// Which pages to render, from what the manifest says of the last build.
fn page_pass(site: &Site, plan: &[pages::Page], out: &Output) -> Pass {
    let Some(cards) = out.changed_cards() else {
        return Pass::Fingerprints;
    };
    let cards: FxHashSet<ArticleId> = cards.into_iter().map(ArticleId::from).collect();
    let mut changed = FxHashSet::default();
    for page in plan {
        let file = page.file();
        let previous = out.previous_body(&file);
        // A page whose images (of its body, or of `resize_image`) changed renders again.
        let images_same = site.images.still_valid(out.previous_images(&file));
        match page.kind {
            PageKind::Article(id)
                if previous != Some(site.articles[id].body_hash()) || !images_same =>
            {
                changed.insert(id);
            }
            PageKind::Article(_) => {}
            _ if !out.has_previous(&file) || !images_same => return Pass::Fingerprints,
            _ => {}
        }
    }
    if changed.is_empty() && cards.is_empty() {
        Pass::Nothing
    } else {
        Pass::Articles(Changed {
            bodies: changed,
            cards,
        })
    }
}

/// What a build writes from.
struct Inputs<'a> {
    site: &'a Site,
    theme: &'a Theme,
    plan: &'a [pages::Page],
    opts: &'a BuildOptions,
    search_cache: &'a Arc<AnalysisCache>,
}

/// Where and how a build writes: which pages it renders, the output, the progress counters.
#[derive(Clone, Copy)]
struct Writing<'a> {
    pass: &'a Pass,
    out: &'a Output,
    counters: &'a Arc<Counters>,
}

/// The links of every article body, rendered or kept, by article.
type RecordedLinks = Vec<(ArticleId, Arc<BodyLinks>)>;

/// Renders (or keeps) pages, copies files and runs (or keeps) the generators. Returns the
/// number of copied files and the links of every article body.
fn write_site(
    inputs: &Inputs<'_>,
    writing: &Writing<'_>,
    templates: tera::Tera,
    phases: &mut Phases,
) -> Result<(usize, RecordedLinks), Vec<Diagnostic>> {
    let Writing { pass, out, .. } = *writing;
    let Inputs {
        site,
        plan,
        opts,
        search_cache,
        ..
    } = *inputs;
    if opts.defer_generators {
        for generator in generators(search_cache) {
            out.keep_generated(generator.name());
        }
        return write_pages_and_files(inputs, writing, templates, phases);
    }
    let changed = pass.changed();
    let generate = |phases: &mut Phases| {
        run_generators(site, plan, out, search_cache, changed.as_ref(), phases)
    };
    let (written, generator_errors) = if matches!(pass, Pass::Fingerprints) {
        // Many pages to render take every core, and the generators' memory on top of the
        // renderer's would raise the peak: they run after the pages.
        let written = write_pages_and_files(inputs, writing, templates, phases);
        (written, generate(phases))
    } else {
        // A few pages to render: the generators (the search index above all) run beside them.
        std::thread::scope(|s| {
            let generated = s.spawn(|| generate(&mut Phases::new()));
            let written = write_pages_and_files(inputs, writing, templates, phases);
            let errors = generated
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (written, errors)
        })
    };
    match written {
        Ok(written) if generator_errors.is_empty() => Ok(written),
        Ok(_) => Err(generator_errors),
        Err(mut errors) => {
            errors.extend(generator_errors);
            Err(errors)
        }
    }
}

/// Renders (or keeps) pages and copies files: [`write_site`] but the generators.
fn write_pages_and_files(
    inputs: &Inputs<'_>,
    writing: &Writing<'_>,
    templates: tera::Tera,
    phases: &mut Phases,
) -> Result<(usize, RecordedLinks), Vec<Diagnostic>> {
    let Writing {
        pass,
        out,
        counters,
    } = *writing;
    let Inputs {
        site,
        theme,
        plan,
        opts,
        ..
    } = *inputs;
    let site_dir = &opts.site_dir;
    let recorded = match pass {
        Pass::Nothing => keep_pages(plan, out, counters),
        Pass::Fingerprints | Pass::Articles(_) => {
            // An article edit renders a few pages: their cards are built as they need them.
            let all_cards = matches!(pass, Pass::Fingerprints);
            let mut renderer = Renderer::new(site, theme, templates, site_dir, all_cards);
            renderer.inject_before_body_end = opts.inject_script.clone();
            renderer.set_counters(counters.clone());
            phases.mark("shared values");
            let keep = match pass {
                Pass::Articles(changed) => Keep::Unless(changed),
                _ => Keep::Unchanged,
            };
            let errors = renderer.render_pages(plan, out, keep);
            if !errors.is_empty() {
                return Err(errors);
            }
            renderer.recorded_links()
        }
    };
    phases.mark("render and write pages");
    let mut errors = Vec::new();
    let copied = copy_files(site, theme, site_dir, out, &mut errors);
    phases.mark("copy files");
    out.set_generator(Some("images"));
    site.images.register_pages(out.page_images());
    errors.extend(site.images.publish(out));
    out.set_generator(None);
    phases.mark("publish images");
    if errors.is_empty() {
        Ok((copied, recorded))
    } else {
        Err(errors)
    }
}

/// Runs the generators into `out`, side by side: the search index keeps both cores busy for
/// most of its run, while the feeds and sitemaps are mostly one thread's work. When only the
/// articles `changed` differ from the last build's model, a generator that reads no clock and
/// none of their bodies and cards keeps its files. Errors come in the generators' order.
fn run_generators(
    site: &Site,
    plan: &[pages::Page],
    out: &Output,
    search_cache: &Arc<AnalysisCache>,
    changed: Option<&Changed>,
    phases: &mut Phases,
) -> Vec<Diagnostic> {
    let errors: Vec<Diagnostic> = generators(search_cache)
        .par_iter()
        .flat_map_iter(|generator| {
            let keep = changed.is_some_and(|changed| {
                !generator.reads_now()
                    && !generator.bodies_read(site).any_of(&changed.bodies)
                    && !generator.cards_read(site).any_of(&changed.cards)
            });
            if keep {
                out.keep_generated(generator.name());
                return Vec::new();
            }
            let generated = out.generated(generator.name());
            generator
                .generate(site, plan, &generated)
                .err()
                .unwrap_or_default()
        })
        .collect();
    phases.mark("generators (feeds, sitemaps, search index)");
    errors
}

/// Keeps every page as the last build wrote it; returns the links of their bodies.
fn keep_pages(plan: &[pages::Page], out: &Output, counters: &Counters) -> RecordedLinks {
    let mut recorded = Vec::new();
    for page in plan {
        let links = out
            .keep(&page.file())
            .expect("page_pass checked that the last build wrote every page");
        counters.page_done(false);
        if let (PageKind::Article(id), Some(links)) = (&page.kind, links) {
            recorded.push((*id, links));
        }
    }
    recorded
}

/// Copies the theme's static files, then the site's static/ (verbatim to the root), then
/// content files: later ones win. Returns how many.
fn copy_files(
    site: &Site,
    theme: &Theme,
    site_dir: &Path,
    out: &Output,
    errors: &mut Vec<Diagnostic>,
) -> usize {
    let mut copied = 0;
    for (name, file) in theme.static_files() {
        match file.read(site_dir) {
            Ok(bytes) => {
                if let Err(d) = out.write(name, &bytes) {
                    errors.push(d);
                }
            }
            Err(e) => errors.push(Diagnostic::error(
                file.display(),
                None,
                format!("cannot read: {e}"),
            )),
        }
        copied += 1;
    }
    let (static_tree, _) = crate::load::walk::static_files(site_dir);
    copied += static_tree.len();
    errors.extend(
        static_tree
            .par_iter()
            .filter_map(|(src, rel)| site.images.copy_file(out, &site_dir.join(src), rel).err())
            .collect::<Vec<_>>(),
    );
    copied += site.assets.len();
    errors.extend(
        site.assets
            .par_iter()
            .filter_map(|a| {
                site.images
                    .copy_file(out, &site_dir.join(&a.source), &a.dest)
                    .err()
            })
            .collect::<Vec<_>>(),
    );
    copied
}

/// The generators of a build, in the order they run.
fn generators(search_cache: &Arc<AnalysisCache>) -> Vec<Box<dyn Generator>> {
    use crate::generators::{feeds, robots, search, sitemap};
    vec![
        Box::new(robots::Robots),
        Box::new(feeds::Feeds),
        Box::new(sitemap::Sitemap),
        Box::new(sitemap::NewsSitemap),
        Box::new(search::SearchIndex {
            cache: search_cache.clone(),
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::walk::Ignore;
    use std::time::{Duration, UNIX_EPOCH};

    /// Writes `rel` under `site` with a modification time long past (`minutes` after a fixed
    /// instant), as an editor that keeps modification times leaves it.
    fn write_old(site: &Path, rel: &str, text: &str, minutes: u64) {
        let path = site.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000 + 60 * minutes);
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(t).unwrap();
    }

    /// An article with a summary of its own (a body edit changes no card).
    fn article(title: &str, date: &str) -> String {
        format!(
            "+++\ntitle = \"{title}\"\ndate = {date}\nsummary = \"S\"\n+++\nThe body of {date}.\n"
        )
    }

    /// Every file below `root` (by the build's own walker) with its bytes, in walk order.
    fn files(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let walk = crate::load::walk::walk_inside(root, Path::new(""), Ignore::Files);
        let read = |rel: PathBuf| (root.join(&rel), rel);
        walk.files
            .into_iter()
            .map(read)
            .map(|(full, rel)| (rel, std::fs::read(full).unwrap()))
            .collect()
    }

    /// A site.toml of one section with `extra` lines. One full-text feed entry (the newest
    /// article): older bodies are never read by the feed.
    fn site_toml(extra: &str) -> String {
        format!(
            "title = \"T\"\nbase_url = \"https://t.example/\"\n{extra}\
             [sections.politics]\ntitle = \"Politics\"\n[feeds]\nlimit = 1\n"
        )
    }

    /// `dir/site`: a site of one section with `extra` site.toml lines and the articles
    /// `(path, text)`, all written long ago (minute 0).
    fn old_site(dir: &Path, extra: &str, articles: &[(&str, String)]) -> PathBuf {
        let site = dir.join("site");
        write_old(&site, "site.toml", &site_toml(extra), 0);
        for (rel, text) in articles {
            write_old(&site, rel, text, 0);
        }
        site
    }

    /// Building `site` into `dir/out` at a fixed "now".
    fn options(dir: &Path, site: &Path) -> BuildOptions {
        BuildOptions {
            site_dir: site.to_path_buf(),
            output: Some(dir.join("out")),
            now: Some(chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 1, 1, 0, 0, 0).unwrap()),
            ..BuildOptions::default()
        }
    }

    /// A build whose no-change shortcut walks and stats content/ (and finds a change), then
    /// `between` runs, then the load uses the walk's stamps.
    fn walk_then(opts: &BuildOptions, between: impl FnOnce()) -> Result<BuildReport, Error> {
        let dest = checked_output_dir(&opts.site_dir, &opts.output_dir()).unwrap();
        let start = Instant::now();
        let mut shortcut = stamps::Shortcut::new(opts, &dest).unwrap();
        assert!(shortcut.unchanged(opts, &dest, start).is_none());
        between();
        build_changed(opts, &dest, Some(shortcut), start, Phases::new())
    }

    /// The load takes content/'s stamps from the no-change shortcut's walk. A file changed
    /// after that walk (its modification time put back) is built as the walk saw it, and the
    /// record of the build says so: the next build sees the change and equals a cold build.
    #[test]
    fn a_file_changed_after_the_shortcuts_walk_is_seen_by_the_next_build() {
        let dir = tempfile::tempdir().unwrap();
        let site = old_site(
            dir.path(),
            "",
            &[
                ("content/politics/old.md", article("First", "2025-01-01")),
                ("content/politics/new.md", article("News", "2025-06-01")),
            ],
        );
        let opts = options(dir.path(), &site);
        build(&opts).unwrap();
        assert!(build(&opts).unwrap().no_change, "the record was saved");

        // A body edit of the newest article, then the shortcut walks and stats, and the older
        // article changes before the load, its modification time put back.
        let edited = article("News", "2025-06-01").replace("body", "new body");
        write_old(&site, "content/politics/new.md", &edited, 1);
        let report = walk_then(&opts, || {
            write_old(
                &site,
                "content/politics/old.md",
                &article("Second", "2025-01-01"),
                0,
            )
        })
        .unwrap();
        assert_eq!(report.articles, 2);

        let next = build(&opts).unwrap();
        assert!(!next.no_change, "the change after the walk is seen");
        let cold = BuildOptions {
            output: Some(dir.path().join("cold")),
            no_cache: true,
            ..opts.clone()
        };
        build(&cold).unwrap();
        let (got, want) = (files(&opts.output_dir()), files(&dir.path().join("cold")));
        assert!(want.len() >= 5, "{} files", want.len());
        assert_eq!(got, want);
    }

    /// With `unsafe_html = false`, a rebuild after a one-article edit warns about the unsafe
    /// links and images of the untouched articles as the first build did, without reading
    /// their bodies back: they come from the parse cache. The untouched files change after
    /// the walk (modification times put back), so a body read back would fail the build as
    /// "changed while the site was being built"; their new bodies have no unsafe URL.
    #[test]
    fn unsafe_url_warnings_of_untouched_articles_come_from_the_parse_cache() {
        let dir = tempfile::tempdir().unwrap();
        let unsafe_body = |date: &str| {
            format!(
                "+++\ntitle = \"Old\"\ndate = {date}\nsummary = \"S\"\n+++\nIntro.\n\n\
                 See [this](javascript:alert(1)) and ![a chart](vbscript:x).\n"
            )
        };
        let untouched = ["content/politics/a.md", "content/politics/b.md"];
        let site = old_site(
            dir.path(),
            "unsafe_html = false\n",
            &[
                (untouched[0], unsafe_body("2025-01-01")),
                (untouched[1], unsafe_body("2025-01-02")),
                ("content/politics/new.md", article("News", "2025-06-01")),
            ],
        );
        let opts = options(dir.path(), &site);
        let first = build(&opts).unwrap().warnings;
        let shown: Vec<String> = first.iter().map(ToString::to_string).collect();
        for rel in untouched {
            for what in ["link to \"javascript:alert(1)\"", "image to \"vbscript:x\""] {
                let want = format!("{rel}:8: warning: {what} dropped: with unsafe_html = false");
                assert!(
                    shown.iter().any(|s| s.starts_with(&want)),
                    "{want}: {shown:?}"
                );
            }
        }

        let edited = article("News", "2025-06-01").replace("body", "new body");
        write_old(&site, "content/politics/new.md", &edited, 1);
        let report = walk_then(&opts, || {
            for rel in untouched {
                write_old(&site, rel, &article("Old", "2025-01-01"), 0);
            }
        })
        .unwrap();
        assert_eq!(report.rendered, 1, "the edited article's page only");
        assert_eq!(report.warnings, first);
    }

    #[test]
    fn the_search_cache_loads_while_every_rayon_worker_waits() {
        // The index generator, on a rayon worker, waits for the cache that `read_ahead`
        // loads on a thread of its own: a load that needed a worker could hang the build.
        let dir = tempfile::tempdir().unwrap();
        let a = (
            "content/politics/a.md",
            article("Budget vote", "2025-01-01"),
        );
        let site = old_site(dir.path(), "", &[a]);
        let opts = options(dir.path(), &site);
        build(&opts).unwrap();
        let saved = crate::output::cache_dir(&dir.path().join("out")).join("search");
        assert!(
            saved.join("vocab").is_file(),
            "the first build saves the search cache"
        );

        let workers = rayon::current_num_threads();
        let (started, all_started) = std::sync::mpsc::channel();
        let release = Arc::new(std::sync::Barrier::new(workers + 1));
        for _ in 0..workers {
            let (started, release) = (started.clone(), Arc::clone(&release));
            rayon::spawn(move || {
                started.send(()).unwrap();
                release.wait();
            });
        }
        for _ in 0..workers {
            all_started.recv().unwrap();
        }
        let (done, loaded) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let cache = AnalysisCache::on_disk(saved, true);
            done.send(cache.lock().docs_len()).unwrap();
        });
        let docs = loaded.recv_timeout(Duration::from_secs(60));
        release.wait();
        assert_eq!(docs, Ok(1), "the cache loads without a rayon worker");
    }
}
