//! Rebuilding only what an edit touches.
//!
//! A full build of a 10,000-article archive writes ~18,000 pages and takes seconds, too slow
//! for live preview. After every build the [`Engine`] keeps a *fingerprint* of each page: a hash
//! of exactly the model values its template context is made of (the article's card and body,
//! its section neighbours, the cards listed on an index page, pagination counts...), mirroring
//! `render::Renderer::page_context`. When only Markdown files under `content/` changed, the site
//! is loaded again and only pages whose fingerprint changed are rendered and written. Values
//! of Tera's global context (`sections`, `latest`, `top_stories`...) are compared too: when one
//! changes, every page whose template (or any shared partial) mentions it is rendered again.
//! Rendered pages are compared with the file on disk and written only when different.
//! Generators (feeds, sitemaps, search index) always run, into a scratch folder, and their
//! files are copied over when they differ. Pages that left the plan are deleted.
//!
//! Anything else (a theme, `static/`, `site.toml`, a non-Markdown file of `content/`, a change
//! of the asset list) gets a full [`crate::build::build`]. Equality with a full build is tested
//! in `tests/serve.rs` after each kind of edit.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::build::{BuildOptions, LoadedSite, load_site};
use crate::error::{Diagnostic, Error};
use crate::model::Site;
use crate::model::pages::{self, PAGE_TEMPLATES, Page, PageKind, page_slice};
use crate::output::Output;
use crate::render::Renderer;
use crate::render::context::{self, section_json};
use crate::render::theme::Theme;

/// Keys of Tera's global context (see `render::context::global`).
const GLOBAL_KEYS: [&str; 6] = [
    "site",
    "sections",
    "top_stories",
    "front_sections",
    "latest",
    "latest_day",
];

/// What was built last, to compare the next build with.
struct Snapshot {
    /// Output file of each page → fingerprint (`None`: always render).
    pages: HashMap<String, Option<u64>>,
    globals: tera::Context,
    assets: Vec<(PathBuf, String)>,
    /// Files written by the generators.
    generated: BTreeSet<String>,
}

/// How a rebuild went.
#[derive(Debug, Clone)]
pub struct Rebuild {
    /// `false` for a full build.
    pub partial: bool,
    /// Pages rendered (all of them for a full build).
    pub rendered: usize,
    /// Files written or deleted in the output.
    pub changed_files: usize,
    pub articles: usize,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
    /// Time of each step of a partial rebuild, in order.
    pub phases: Vec<(&'static str, Duration)>,
}

/// Records the time of consecutive steps.
struct Clock {
    last: Instant,
    phases: Vec<(&'static str, Duration)>,
}

impl Clock {
    fn new() -> Clock {
        Clock {
            last: Instant::now(),
            phases: Vec::new(),
        }
    }

    fn mark(&mut self, name: &'static str) {
        let now = Instant::now();
        self.phases.push((name, now - self.last));
        self.last = now;
    }
}

/// Builds a site again and again into one output folder, partially when it can.
pub struct Engine {
    pub opts: BuildOptions,
    snapshot: Option<Snapshot>,
    /// The model of the last partial rebuild, whose generators have not run yet.
    pending: Option<(Site, Vec<Page>)>,
}

impl Engine {
    pub fn new(mut opts: BuildOptions) -> Engine {
        // Reparse only the files that changed (see `load::ParseCache`).
        opts.parse_cache.get_or_insert_with(Default::default);
        Engine {
            opts,
            snapshot: None,
            pending: None,
        }
    }

    /// Forgets what was built, so the next rebuild is a full one (inputs changed while the
    /// snapshot was being taken).
    pub fn invalidate(&mut self) {
        self.snapshot = None;
    }

    /// Whether the next rebuild for these changes (paths relative to the site) can be partial:
    /// only Markdown files of `content/` changed. A path that no longer exists and was no
    /// input of the last build (a tool's temporary file, written then renamed) is ignored.
    pub fn can_be_partial(&self, changes: &[PathBuf]) -> bool {
        let Some(snap) = &self.snapshot else {
            return false;
        };
        let site = &self.opts.site_dir;
        !changes.is_empty()
            && changes.iter().all(|p| {
                if !p.starts_with(crate::load::content::CONTENT_DIR) {
                    return false;
                }
                if p.extension().is_some_and(|e| e == "md") {
                    return true;
                }
                !site.join(p).exists() && !snap.assets.iter().any(|(src, _)| src.starts_with(p))
            })
    }

    /// Rebuilds after `changes` (`None`: everything). On error the output is unchanged.
    pub fn rebuild(&mut self, changes: Option<&[PathBuf]>) -> Result<Rebuild, Error> {
        if let (Some(cache), Some(changes)) = (&self.opts.parse_cache, changes) {
            cache.forget(changes.iter().map(PathBuf::as_path));
        }
        if let Some(changes) = changes
            && self.can_be_partial(changes)
        {
            // `None`: the asset list changed; fall through to a full build.
            if let Some(r) = self.partial()? {
                return Ok(r);
            }
        }
        self.full()
    }

    /// A full build; the snapshot is taken afterwards by [`Engine::prepare`].
    pub fn full(&mut self) -> Result<Rebuild, Error> {
        let report = crate::build::build(&self.opts)?;
        self.snapshot = None;
        self.pending = None;
        Ok(Rebuild {
            partial: false,
            rendered: report.pages,
            changed_files: report.pages + report.assets,
            articles: report.articles,
            warnings: report.warnings,
            elapsed: report.elapsed,
            phases: Vec::new(),
        })
    }

    /// Takes the snapshot of the current inputs if there is none. Call right after a
    /// successful full build (and check no input changed meanwhile, else [`Engine::invalidate`]).
    pub fn prepare(&mut self) -> Result<(), Error> {
        if self.snapshot.is_some() {
            return Ok(());
        }
        let loaded = load_site(&self.opts)?;
        let plan = pages::plan(&loaded.site).map_err(Error::Site)?;
        let generated = {
            let scratch = Scratch::run(&self.opts, &loaded.site, &plan)?;
            let files = scratch.files.keys().cloned().collect();
            scratch.discard();
            files
        };
        let shared = context::Shared::build(&loaded.site);
        let analysis = Analysis::new(&loaded.site, &shared, &loaded.theme, &self.opts.site_dir);
        self.snapshot = Some(Snapshot {
            pages: analysis.fingerprints(&loaded.site, &plan),
            globals: analysis.globals,
            assets: assets_of(&loaded.site),
            generated,
        });
        Ok(())
    }

    /// Renders and writes only the pages whose inputs changed. `Ok(None)`: not possible.
    fn partial(&mut self) -> Result<Option<Rebuild>, Error> {
        let start = Instant::now();
        let mut clock = Clock::new();
        let Some(old) = self.snapshot.as_ref() else {
            return Ok(None);
        };
        let LoadedSite {
            site,
            theme,
            templates,
            warnings,
        } = load_site(&self.opts)?;
        if assets_of(&site) != old.assets {
            return Ok(None);
        }
        let plan = pages::plan(&site).map_err(Error::Site)?;
        clock.mark("load");

        let (analysis, fingerprints, rendered) = render_changed(
            old,
            &site,
            &theme,
            templates,
            &plan,
            self.opts.inject_script.clone(),
            &self.opts.site_dir,
        );
        let rendered_count = rendered.len();
        let mut errors: Vec<Diagnostic> = Vec::new();
        let mut files = Vec::with_capacity(rendered.len());
        for r in rendered {
            match r {
                Ok(f) => files.push(f),
                Err(d) => errors.push(d),
            }
        }
        if !errors.is_empty() {
            let mut all = warnings;
            all.extend(errors);
            all.sort();
            all.dedup();
            return Err(Error::Site(all));
        }
        clock.mark("render");

        // Everything is ready: now change the served folder.
        let dest = self.opts.output_dir();
        let mut changed: usize = files
            .par_iter()
            .map(|(file, html)| write_if_changed(&dest, file, html.as_bytes()))
            .collect::<Result<Vec<bool>, Error>>()?
            .into_iter()
            .filter(|&c| c)
            .count();
        let keep: HashSet<&str> = fingerprints
            .keys()
            .map(String::as_str)
            .chain(old.generated.iter().map(String::as_str))
            .chain(old.assets.iter().map(|(_, d)| d.as_str()))
            .collect();
        let gone: Vec<&String> = old
            .pages
            .keys()
            .filter(|f| !keep.contains(f.as_str()))
            .collect();
        for file in gone {
            if remove_output_file(&dest, file) {
                changed += 1;
            }
        }
        clock.mark("write");

        let articles = site.articles.len();
        let snapshot = Snapshot {
            pages: fingerprints,
            globals: analysis.globals,
            assets: old.assets.clone(),
            generated: old.generated.clone(),
        };
        self.snapshot = Some(snapshot);
        self.pending = Some((site, plan));
        Ok(Some(Rebuild {
            partial: true,
            rendered: rendered_count,
            changed_files: changed,
            articles,
            warnings,
            elapsed: start.elapsed(),
            phases: clock.phases,
        }))
    }

    /// Runs the generators (feeds, sitemaps, search index) a partial rebuild left pending and
    /// updates their files. Returns how many files changed, or `None` when nothing was
    /// pending. The server calls it right after telling pages to reload: the edited pages are
    /// already in place, the generated files follow a moment later.
    pub fn finish(&mut self) -> Result<Option<usize>, Error> {
        let Some((site, plan)) = self.pending.take() else {
            return Ok(None);
        };
        let scratch = Scratch::run(&self.opts, &site, &plan)?;
        let dest = self.opts.output_dir();
        let synced = scratch.sync(&dest);
        let generated: BTreeSet<String> = scratch.files.keys().cloned().collect();
        scratch.discard();
        let mut changed = synced?;
        if let Some(snap) = &mut self.snapshot {
            for file in snap.generated.difference(&generated) {
                let is_page = snap.pages.contains_key(file);
                let is_asset = snap.assets.iter().any(|(_, d)| d == file);
                if !is_page && !is_asset && remove_output_file(&dest, file) {
                    changed += 1;
                }
            }
            snap.generated = generated;
        }
        Ok(Some(changed))
    }
}

/// Compares the new model with the snapshot and renders the pages that changed.
#[allow(clippy::type_complexity)]
fn render_changed(
    old: &Snapshot,
    site: &Site,
    theme: &Theme,
    templates: tera::Tera,
    plan: &[Page],
    inject: Option<String>,
    site_dir: &Path,
) -> (
    Analysis,
    HashMap<String, Option<u64>>,
    Vec<Result<(String, String), Diagnostic>>,
) {
    let mut renderer = Renderer::new(site, theme, templates);
    renderer.inject_before_body_end = inject;
    let analysis = Analysis::new(site, renderer.shared(), theme, site_dir);
    let fingerprints = analysis.fingerprints(site, plan);
    // Templates to render again because a global value they use changed.
    let changed_globals: Vec<&str> = GLOBAL_KEYS
        .iter()
        .copied()
        .filter(|k| old.globals.get(k) != analysis.globals.get(k))
        .collect();
    let unknown_global_change = changed_globals.is_empty() && old.globals != analysis.globals;
    let stale_templates: HashSet<&str> = PAGE_TEMPLATES
        .iter()
        .copied()
        .filter(|t| {
            unknown_global_change
                || changed_globals
                    .iter()
                    .any(|k| analysis.affected(t, k, old.globals.get(k), analysis.globals.get(k)))
        })
        .collect();
    let dirty: Vec<&Page> = plan
        .iter()
        .filter(|p| {
            let file = p.file();
            let fp = fingerprints.get(&file).copied().flatten();
            stale_templates.contains(p.kind.template())
                || fp.is_none()
                || old.pages.get(&file).copied().flatten() != fp
        })
        .collect();
    let rendered = dirty
        .par_iter()
        .map(|p| renderer.render_page(p).map(|html| (p.file(), html)))
        .collect();
    (analysis, fingerprints, rendered)
}

fn assets_of(site: &Site) -> Vec<(PathBuf, String)> {
    site.assets
        .iter()
        .map(|a| (a.source.clone(), a.dest.clone()))
        .collect()
}

/// Writes `bytes` to `dest/rel` unless the file already holds them; replaces by rename so a
/// request never sees half a file. Returns whether it wrote.
fn write_if_changed(dest: &Path, rel: &str, bytes: &[u8]) -> Result<bool, Error> {
    let path = dest.join(rel);
    if std::fs::read(&path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = path.with_file_name(format!(
        ".{}.newsgen-tmp",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
    Ok(true)
}

/// Deletes `dest/rel` and the folders it leaves empty. Returns whether a file was removed.
fn remove_output_file(dest: &Path, rel: &str) -> bool {
    if rel.split('/').any(|s| s == ".." || s == ".") {
        return false;
    }
    let path = dest.join(rel);
    if std::fs::remove_file(&path).is_err() {
        return false;
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == dest || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    true
}

/// The generators' files of one build, in a scratch folder beside the output.
struct Scratch {
    out: Output,
    /// Output-relative path → absolute path in the scratch folder.
    files: std::collections::BTreeMap<String, PathBuf>,
}

impl Scratch {
    fn run(opts: &BuildOptions, site: &Site, plan: &[Page]) -> Result<Scratch, Error> {
        let dest = opts.output_dir();
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let out = Output::begin(&dest.with_file_name(format!("{name}-generated")))?;
        let mut errors = Vec::new();
        for generator in crate::generators::all() {
            if let Err(e) = generator.generate(site, plan, &out) {
                errors.extend(e);
            }
        }
        if !errors.is_empty() {
            out.abort();
            errors.sort();
            return Err(Error::Site(errors));
        }
        let root = out.root().to_path_buf();
        let files = walkdir::WalkDir::new(&root)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| {
                let rel = e.path().strip_prefix(&root).ok()?;
                Some((crate::error::display_path(rel), e.path().to_path_buf()))
            })
            .collect();
        Ok(Scratch { out, files })
    }

    /// Copies files that differ into `dest`. Returns how many.
    fn sync(&self, dest: &Path) -> Result<usize, Error> {
        let mut n = 0;
        for (rel, path) in &self.files {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            if write_if_changed(dest, rel, &bytes)? {
                n += 1;
            }
        }
        Ok(n)
    }

    fn discard(self) {
        self.out.abort();
    }
}

/// Per-build values the fingerprints are made of.
struct Analysis {
    globals: tera::Context,
    /// Hash of each article's card, by article id.
    cards: Vec<u64>,
    /// Hash of each section's summary, by section index.
    sections: Vec<u64>,
    /// Position of each article in its section's list.
    section_pos: Vec<usize>,
    /// Hash of all date archives' keys, paths and counts (archive pages link their
    /// neighbours and children with counts).
    archives: u64,
    /// Hash of each taxonomy's terms (names, slugs, counts), by kind.
    taxonomies: Vec<u64>,
    /// The text each page template may see: its own, every shared template's, and that of
    /// page templates it names.
    texts: HashMap<&'static str, String>,
}

fn hash_of<T: Hash + ?Sized>(v: &T) -> u64 {
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

/// Feeds serialised bytes straight into a hasher (no intermediate string).
struct HashWriter(DefaultHasher);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn json_hash(v: &serde_json::Value) -> u64 {
    // A JSON value (string keys only) always serialises; hashing "" instead would take a
    // changed page for unchanged.
    hash_of(&serde_json::to_string(v).expect("a serde_json::Value serialises"))
}

impl Analysis {
    fn new(site: &Site, shared: &context::Shared, theme: &Theme, site_dir: &Path) -> Analysis {
        let globals = context::global(site, shared);
        let cards = shared
            .cards
            .par_iter()
            .map(|card| {
                let mut h = HashWriter(DefaultHasher::new());
                match serde_json::to_writer(&mut h, card) {
                    Ok(()) => h.0.finish(),
                    // Not expected for card values; their debug form is as faithful.
                    Err(_) => hash_of(&format!("{card:?}")),
                }
            })
            .collect();
        let sections = (0..site.sections.len())
            .map(|i| json_hash(&section_json(site, i)))
            .collect();
        let mut section_pos = vec![0; site.articles.len()];
        for s in &site.sections {
            for (pos, &id) in s.articles.iter().enumerate() {
                section_pos[id] = pos;
            }
        }
        let mut h = DefaultHasher::new();
        for ar in &site.archives {
            (&ar.key, &ar.path, ar.articles.len()).hash(&mut h);
        }
        let archives = h.finish();
        let taxonomies = site
            .taxonomies
            .iter()
            .map(|t| {
                let mut h = DefaultHasher::new();
                for term in &t.terms {
                    (&term.name, &term.slug, term.articles.len()).hash(&mut h);
                }
                h.finish()
            })
            .collect();
        Analysis {
            globals,
            cards,
            sections,
            section_pos,
            archives,
            taxonomies,
            texts: template_texts(theme, site_dir),
        }
    }

    /// Whether pages of template `t` must be rendered again because the global `key` went
    /// from `old` to `new`: `t` uses the key as a whole, or a part it reads (`key.a.b`, or
    /// only its truthiness in `{% if key %}`) differs.
    fn affected(
        &self,
        t: &str,
        key: &str,
        old: Option<&tera::Value>,
        new: Option<&tera::Value>,
    ) -> bool {
        let Some(text) = self.texts.get(t) else {
            return true;
        };
        let uses = usages(text, key);
        if uses.is_empty() {
            return false;
        }
        let as_json = |v: Option<&tera::Value>| {
            v.map(|v| serde_json::to_value(v).expect("a Tera value built from JSON converts back"))
        };
        let (Some(old), Some(new)) = (as_json(old), as_json(new)) else {
            return true;
        };
        uses.iter().any(|u| match u {
            Use::Whole => true,
            Use::Truthy => truthy(&old) != truthy(&new),
            Use::Path(path) => lookup(&old, path) != lookup(&new, path),
        })
    }

    fn fingerprints(&self, site: &Site, plan: &[Page]) -> HashMap<String, Option<u64>> {
        plan.par_iter()
            .map(|p| (p.file(), self.fingerprint(site, p)))
            .collect()
    }

    /// A hash of everything the page's own context is made of (globals aside).
    fn fingerprint(&self, site: &Site, page: &Page) -> Option<u64> {
        let per = site.config.per_page;
        let mut h = DefaultHasher::new();
        page.path.hash(&mut h);
        page.kind.template().hash(&mut h);
        let cards = |h: &mut DefaultHasher, ids: &[usize]| {
            for &i in ids {
                self.cards[i].hash(h);
            }
        };
        #[allow(unreachable_patterns)]
        match &page.kind {
            PageKind::Front | PageKind::Search | PageKind::NotFound => {}
            PageKind::Article(id) => {
                let a = &site.articles[*id];
                self.cards[*id].hash(&mut h);
                a.body.hash(&mut h);
                self.sections[a.section].hash(&mut h);
                let (newer, older) = site.section_neighbours(a.section, self.section_pos[*id]);
                newer.map(|i| self.cards[i]).hash(&mut h);
                older.map(|i| self.cards[i]).hash(&mut h);
                let others = site.other_news(*id);
                cards(&mut h, &others);
            }
            PageKind::Section { section, page: n } => {
                let s = &site.sections[*section];
                self.sections[*section].hash(&mut h);
                (n, per, s.articles.len()).hash(&mut h);
                cards(&mut h, page_slice(&s.articles, per, *n));
            }
            PageKind::Archive { archive, page: n } => {
                let ar = &site.archives[*archive];
                self.archives.hash(&mut h);
                if let Some(s) = ar.key.section {
                    self.sections[s].hash(&mut h);
                }
                (n, per).hash(&mut h);
                cards(&mut h, page_slice(&ar.articles, per, *n));
            }
            PageKind::TermList { kind, page: n } => {
                (kind, n, per, self.taxonomies[*kind as usize]).hash(&mut h);
            }
            PageKind::Term {
                kind,
                term,
                page: n,
            } => {
                let t = &site.taxonomy(*kind).terms[*term];
                (kind, &t.name, &t.slug, t.articles.len(), n, per).hash(&mut h);
                cards(&mut h, page_slice(&t.articles, per, *n));
            }
            PageKind::Redirect { to } => to.hash(&mut h),
            _ => return None,
        }
        Some(h.finish())
    }
}

/// The text each page template may see: its own, every template that is not a page template
/// (layouts, partials, macros), and page templates it names.
fn template_texts(theme: &Theme, site_dir: &Path) -> HashMap<&'static str, String> {
    let mut texts: HashMap<String, String> = HashMap::new();
    for (name, file) in &theme.files {
        if let Some(t) = name.strip_prefix("templates/")
            && let Ok(bytes) = file.read(site_dir)
        {
            texts.insert(t.to_string(), String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    let mut shared: Vec<(&String, &String)> = texts
        .iter()
        .filter(|(name, _)| !PAGE_TEMPLATES.contains(&name.as_str()))
        .collect();
    shared.sort();
    let shared: String = shared
        .into_iter()
        .map(|(_, t)| t.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    PAGE_TEMPLATES
        .iter()
        .map(|&t| {
            let own = texts.get(t).map(String::as_str).unwrap_or("");
            let mut all = format!("{own}\n{shared}");
            for other in PAGE_TEMPLATES {
                if other != t && own.contains(other) {
                    all.push('\n');
                    all.push_str(texts.get(other).map(String::as_str).unwrap_or(""));
                }
            }
            (t, all)
        })
        .collect()
}

/// How a template reads a global value.
#[derive(Debug, PartialEq, Eq)]
enum Use {
    /// Any way (passed on, iterated, printed...).
    Whole,
    /// Only whether it is truthy: `{% if key %}`.
    Truthy,
    /// One part: `key.a.b`.
    Path(Vec<String>),
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every use of the identifier `key` in a template's text. Conservative: anything that is not
/// plainly `key.a.b` or `{% if key %}` counts as a use of the whole value (also the word in
/// plain HTML text, which only costs some rendering).
fn usages(text: &str, key: &str) -> Vec<Use> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(key).map(|i| i + from) {
        from = i + key.len();
        let before = text[..i].chars().next_back();
        let after = text[from..].chars().next();
        if before.is_some_and(is_ident) || after.is_some_and(is_ident) {
            continue;
        }
        let rest = &text[from..];
        if rest.starts_with('.') {
            let chain: String = rest
                .chars()
                .take_while(|&c| is_ident(c) || c == '.')
                .collect();
            let path: Vec<String> = chain
                .split('.')
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
            let next = rest[chain.len()..].trim_start();
            // `key.a.b[...]` or `key.a.b(`: a computed access; take the whole value.
            if path.is_empty() || next.starts_with('[') || next.starts_with('(') {
                out.push(Use::Whole);
            } else {
                out.push(Use::Path(path));
            }
            continue;
        }
        let head = text[..i].trim_end();
        let is_if = (head.ends_with("{% if")
            || head.ends_with("{%- if")
            || head.ends_with("{% elif")
            || head.ends_with("{%- elif"))
            && (rest.trim_start().starts_with("%}") || rest.trim_start().starts_with("-%}"));
        out.push(if is_if { Use::Truthy } else { Use::Whole });
    }
    out
}

/// Tera's truthiness.
fn truthy(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => false,
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        serde_json::Value::String(s) => !s.is_empty(),
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty(),
    }
}

fn lookup<'v>(v: &'v serde_json::Value, path: &[String]) -> Option<&'v serde_json::Value> {
    path.iter().try_fold(v, |v, seg| match v {
        serde_json::Value::Object(o) => o.get(seg),
        serde_json::Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_how_templates_use_a_global() {
        let t = "{% if latest_day %}<a href=\"{{ latest_day.date.iso | date }}\">{% endif %}\
                 {{ my_latest_day }} {{ latest_dayx }}";
        assert_eq!(
            usages(t, "latest_day"),
            vec![Use::Truthy, Use::Path(vec!["date".into(), "iso".into()])]
        );
        assert_eq!(usages("{% for a in latest %}", "latest"), vec![Use::Whole]);
        assert_eq!(usages("{{ latest[0].title }}", "latest"), vec![Use::Whole]);
        assert_eq!(usages("Latest news", "latest"), vec![]);
        assert_eq!(usages("the latest news", "latest"), vec![Use::Whole]);
    }

    #[test]
    fn truthiness_and_paths() {
        let v = serde_json::json!({"date": {"iso": "x"}, "articles": [1, 2]});
        assert!(truthy(&v));
        assert!(!truthy(&serde_json::json!([])));
        assert_eq!(
            lookup(&v, &["date".into(), "iso".into()]),
            Some(&serde_json::json!("x"))
        );
        assert_eq!(
            lookup(&v, &["articles".into(), "1".into()]),
            Some(&serde_json::json!(2))
        );
        assert_eq!(lookup(&v, &["nope".into()]), None);
    }
}
