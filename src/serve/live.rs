//! Pages from the model in memory. serve keeps the model, theme and templates of its last
//! build ([`Model`]) on a thread of their own. After an edit that leaves the shape of the site
//! as it was (an article's text or terms, whose place stays: [`crate::model::Article::place_digest`];
//! section titles in site.toml; the theme; static files but images), the model is patched in
//! place and pages are rendered from it on request at once, while the ordinary incremental
//! build writes the same pages into the served folder behind it. Pages
//! are rendered by the build's own [`Renderer`] from the same kind of model, so what is
//! served is what `build` writes (tests/serve.rs compares every file with a cold build).
//!
//! A renderer borrows its model, so the thread owns both: it builds a renderer for the model
//! as it is, answers requests with it, and drops it when a job changes the model.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, SyncSender};

use super::lock;
use super::preview::static_sources;
use crate::build::{Model, Phases};
use crate::load::config::{CONFIG_FILE, Config};
use crate::load::content::{self, CONTENT_DIR, ContentTree};
use crate::load::unsafe_urls::drop_unsafe_urls_all;
use crate::load::walk::STATIC_DIR;
use crate::load::{LoadedArticle, read_article};
use crate::model::pages::{self, Positions};
use crate::model::{ArticleId, BuildFlags, Patched, article_in, retitle_sections};
use crate::render::theme::Theme;
use crate::render::{Renderer, load_templates};

/// A theme's folder of templates.
const TEMPLATES: &str = "templates";

/// Output files and their bytes.
pub type Files = Vec<(String, Vec<u8>)>;

/// The thread that keeps the model: cheap to share, every call blocks until it answers.
pub struct Live {
    jobs: Mutex<Sender<Job>>,
}

/// What the thread is asked.
enum Job {
    /// Keep this model (a build's), in place of the one kept.
    Install(Box<Model>),
    /// The bytes of output file `file`, if it is a page.
    Render {
        file: String,
        reply: SyncSender<Option<Vec<u8>>>,
    },
    /// Apply the edit of these files (relative to the site) to the model, then render
    /// `pages` (those that are pages; others are left out). `None` when it cannot be patched.
    Patch {
        paths: Vec<PathBuf>,
        pages: Vec<String>,
        reply: SyncSender<Option<Files>>,
    },
}

/// What every model is rendered with.
struct Settings {
    site_dir: PathBuf,
    flags: BuildFlags,
    /// The live-reload script, injected as the build injects it.
    script: Option<String>,
}

impl Live {
    /// Starts the thread, with no model until [`Live::install`].
    pub fn start(site_dir: &Path, flags: BuildFlags, script: Option<String>) -> Live {
        let (tx, rx) = std::sync::mpsc::channel();
        let settings = Settings {
            site_dir: site_dir.to_path_buf(),
            flags,
            script,
        };
        std::thread::Builder::new()
            .name("newsgen-live".into())
            .spawn(move || run(&rx, &settings))
            .expect("the live model's thread starts (the system is out of threads otherwise)");
        Live {
            jobs: Mutex::new(tx),
        }
    }

    /// Keeps `model`, the model of the build whose pages are now in the served folder.
    pub fn install(&self, model: Model) {
        let _ = lock(&self.jobs).send(Job::Install(Box::new(model)));
    }

    /// Output file `file` as a page of the kept model, or `None` (not a page, no model).
    pub fn render(&self, file: &str) -> Option<Vec<u8>> {
        self.ask(|reply| Job::Render {
            file: file.to_string(),
            reply,
        })
    }

    /// Applies the edit of the files `paths` (relative to the site) to the kept model and
    /// renders `pages` from it; returns them and the static files the edit changed. `None`
    /// when it cannot be patched in (an article's place in the site changed, it is new or
    /// withheld, a file has warnings or errors, a page failed to render...): the model must
    /// then be built again and installed.
    pub fn patch(&self, paths: Vec<PathBuf>, pages: Vec<String>) -> Option<Files> {
        self.ask(|reply| Job::Patch {
            paths,
            pages,
            reply,
        })
    }

    /// Sends the job `job(reply)` and waits for its answer.
    fn ask<T>(&self, job: impl FnOnce(SyncSender<Option<T>>) -> Job) -> Option<T> {
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        lock(&self.jobs).send(job(reply)).ok()?;
        answer.recv().ok().flatten()
    }
}

/// A kept model with its lookups.
struct Kept {
    model: Model,
    /// Output file → position in the page plan.
    pages: Positions,
    /// Source file → article.
    articles: HashMap<PathBuf, ArticleId>,
}

impl Kept {
    fn new(model: Model) -> Kept {
        let pages = pages::positions(&model.plan);
        let articles = model
            .site
            .articles
            .iter_enumerated()
            .map(|(id, a)| (a.source_path.clone(), id))
            .collect();
        Kept {
            model,
            pages,
            articles,
        }
    }

    /// Applies an edit of `paths` (relative to the site) to the model: article files and
    /// section titles are patched in, a theme edit loads the theme and templates again.
    /// Returns the static files the edit changed, with their bytes; `None` for any other edit
    /// (the model may then be half changed: a build must install one again).
    fn edit(&mut self, paths: &[PathBuf], settings: &Settings) -> Option<Files> {
        let mut phases = Phases::new();
        let site_dir = &settings.site_dir;
        let theme_dir = Path::new("themes").join(&self.model.site.config.theme);
        let changed = Changed::sort(paths, &theme_dir)?;
        if changed.config {
            let config = self.config_again(site_dir)?;
            retitle_sections(&mut self.model.site, config).then_some(())?;
        }
        let articles = self.articles_of(&changed.articles, settings)?;
        let theme = match changed.theme {
            true => Some(self.theme_again(site_dir)?),
            false => None,
        };
        let files = {
            let theme = theme.as_ref().map_or(&self.model.theme, |(t, _)| t);
            static_bytes(&changed.statics, &theme_dir, theme, &self.pages, site_dir)?
        };
        phases.mark("read the edited files");
        self.put_articles(articles, &mut phases)?;
        if let Some((theme, templates)) = theme {
            self.model.theme = theme;
            self.model.templates = templates;
        }
        Some(files)
    }

    /// Puts articles in place of the ones they were; the pages of the taxonomies whose terms
    /// changed are planned again (term pages come and go).
    fn put_articles(
        &mut self,
        articles: Vec<(ArticleId, crate::model::Article)>,
        phases: &mut Phases,
    ) -> Option<()> {
        let mut kinds = Vec::new();
        for (id, a) in articles {
            match self.model.site.patch_article(id, a) {
                Patched::Refused => return None,
                Patched::Text => {}
                Patched::Terms(changed) => kinds.extend(changed),
            }
        }
        phases.mark("patch the model");
        kinds.sort();
        kinds.dedup();
        for kind in kinds {
            let (site, plan) = (&self.model.site, &mut self.model.plan);
            pages::replan_taxonomy(site, kind, plan, &mut self.pages)?;
        }
        phases.mark("page plan");
        Some(())
    }

    /// The articles that the article files `paths` are now, each in the place of the one it
    /// was; `None` if one is not an article of the model or its place changed.
    fn articles_of(
        &self,
        paths: &[&PathBuf],
        settings: &Settings,
    ) -> Option<Vec<(ArticleId, crate::model::Article)>> {
        let site = &self.model.site;
        let loaded = self.read(paths, &settings.site_dir)?;
        let mut new = Vec::with_capacity(loaded.len());
        for l in loaded {
            let &id = self.articles.get(&l.source.path)?;
            let old = &site.articles[id];
            match article_in(site, old.section, l, settings.flags) {
                Some(a) if a.place_digest() == old.place_digest() => new.push((id, a)),
                _ => return None,
            }
        }
        Some(new)
    }

    /// site.toml read again, with serve's base_url; `None` when it has warnings or errors
    /// (the build reports them) or moves the served sub-path.
    fn config_again(&self, site_dir: &Path) -> Option<Config> {
        let (mut config, warnings) = Config::load(site_dir).ok()?;
        let served = &self.model.site.config.base_url;
        let same_path = config.base_url.path == served.path;
        (warnings.is_empty() && same_path).then(|| {
            config.base_url = served.clone();
            config
        })
    }

    /// The theme and its templates read again; `None` when they have errors (the build
    /// reports them).
    fn theme_again(&self, site_dir: &Path) -> Option<(Theme, tera::Tera)> {
        let site = &self.model.site;
        let theme = Theme::resolve(site_dir, &site.config.theme).ok()?;
        let templates = load_templates(&site.config, &theme, site_dir, &site.images).ok()?;
        theme.warnings.is_empty().then_some((theme, templates))
    }

    /// Reads and parses article files as a build does; `None` if any is not an article
    /// file or has a diagnostic (the build reports those). A path that is gone and was no
    /// file of the model (an editor's temporary file, renamed over an article) is passed over.
    fn read(&self, paths: &[&PathBuf], site_dir: &Path) -> Option<Vec<LoadedArticle>> {
        let config = &self.model.site.config;
        let mut tree = ContentTree::default();
        content::classify(paths.iter().map(|p| (p.to_path_buf(), None)), &mut tree);
        let assets = &self.model.site.assets;
        let passed_over = |a: &content::AssetSource| {
            !site_dir.join(&a.path).exists() && !assets.iter().any(|m| m.source == a.path)
        };
        if !tree.assets.iter().all(passed_over) {
            return None;
        }
        let mut loaded = Vec::with_capacity(paths.len());
        for src in tree.articles {
            match read_article(site_dir, src, config.timezone, None) {
                Ok((article, warnings)) if warnings.is_empty() => loaded.push(article),
                _ => return None,
            }
        }
        let unsafe_urls = !config.unsafe_html && !drop_unsafe_urls_all(&mut loaded).is_empty();
        (!unsafe_urls).then_some(loaded)
    }
}

/// The files of an edit, by what they change.
#[derive(Default)]
struct Changed<'p> {
    /// site.toml.
    config: bool,
    /// Files of content/.
    articles: Vec<&'p PathBuf>,
    /// A file of the theme's folder.
    theme: bool,
    /// Files of `static/` and of the theme's `static/`.
    statics: Vec<&'p PathBuf>,
}

impl<'p> Changed<'p> {
    /// `None` for a file no patch covers (another theme's, outside the inputs).
    fn sort(paths: &'p [PathBuf], theme_dir: &Path) -> Option<Changed<'p>> {
        let mut changed = Changed::default();
        for p in paths {
            if p.starts_with(theme_dir) {
                changed.theme = true;
                if !p.starts_with(theme_dir.join(TEMPLATES)) {
                    changed.statics.push(p);
                }
            } else if p.starts_with(STATIC_DIR) {
                changed.statics.push(p);
            } else if p == Path::new(CONFIG_FILE) {
                changed.config = true;
            } else if p.starts_with(CONTENT_DIR) {
                changed.articles.push(p);
            } else {
                return None;
            }
        }
        Some(changed)
    }
}

/// The bytes of the static files at `paths` (in `static/` or the theme's folder
/// `theme_dir`) as a build copies them into the output; `None` when one is gone, is an
/// image (images are processed, and pages name them by content) or is not copied verbatim.
fn static_bytes(
    paths: &[&PathBuf],
    theme_dir: &Path,
    theme: &Theme,
    pages: &Positions,
    site_dir: &Path,
) -> Option<Files> {
    if paths.is_empty() {
        return Some(Files::new());
    }
    let sources = static_sources(site_dir, theme, pages);
    let mut files = Files::new();
    for path in paths {
        let rel = path
            .strip_prefix(STATIC_DIR)
            .or_else(|_| path.strip_prefix(theme_dir.join(STATIC_DIR)))
            .ok()?;
        let rel = crate::error::display_path(rel);
        if crate::images::plan::Encoding::from_extension(&rel).is_some() {
            return None;
        }
        let bytes = sources.get(&rel)?.read(site_dir).ok()?;
        files.push((rel, bytes));
    }
    Some(files)
}

/// The thread: takes jobs until every [`Live`] is dropped.
fn run(jobs: &Receiver<Job>, settings: &Settings) {
    let mut kept: Option<Kept> = None;
    let mut next = jobs.recv().ok();
    while let Some(job) = next {
        next = match (job, kept.as_mut()) {
            (Job::Install(model), _) => {
                kept = Some(Kept::new(*model));
                jobs.recv().ok()
            }
            (Job::Render { file, reply }, Some(k)) => {
                answer(k, Ask::Page(file, reply), jobs, settings)
            }
            (
                Job::Patch {
                    paths,
                    pages,
                    reply,
                },
                Some(k),
            ) => match k.edit(&paths, settings) {
                Some(files) => answer(k, Ask::Pages(pages, files, reply), jobs, settings),
                None => {
                    let _ = reply.send(None);
                    jobs.recv().ok()
                }
            },
            (Job::Patch { reply, .. }, None) => {
                let _ = reply.send(None);
                jobs.recv().ok()
            }
            (Job::Render { reply, .. }, None) => {
                let _ = reply.send(None);
                jobs.recv().ok()
            }
        };
    }
}

/// A request for pages of the model as it is.
enum Ask {
    Page(String, SyncSender<Option<Vec<u8>>>),
    /// All of them after files already known, or `None` if one fails to render.
    Pages(Vec<String>, Files, SyncSender<Option<Files>>),
}

/// Answers `first`, then every request for a page, with one renderer of `kept`'s model,
/// until a job that changes the model comes: returns it (`None`: no more jobs).
fn answer(kept: &Kept, first: Ask, jobs: &Receiver<Job>, settings: &Settings) -> Option<Job> {
    let Model {
        site,
        theme,
        templates,
        plan,
    } = &kept.model;
    let mut phases = Phases::new();
    let mut renderer = Renderer::new(site, theme, templates.clone(), &settings.site_dir, false);
    renderer.inject_before_body_end = settings.script.clone();
    phases.mark("renderer of the model in memory");
    let page = |file: &str| -> Option<Result<Vec<u8>, ()>> {
        let &i = kept.pages.get(file)?;
        Some(
            renderer
                .render_page(&plan[i])
                .map(String::into_bytes)
                .map_err(|_| ()),
        )
    };
    let mut ask = first;
    loop {
        match ask {
            Ask::Page(file, reply) => {
                let _ = reply.send(page(&file).and_then(Result::ok));
            }
            Ask::Pages(files, known, reply) => {
                let rendered: Result<Files, ()> = known
                    .into_iter()
                    .map(Ok)
                    .chain(
                        files
                            .into_iter()
                            .filter_map(|f| page(&f).map(|bytes| Ok((f, bytes?)))),
                    )
                    .collect();
                let _ = reply.send(rendered.ok());
            }
        }
        ask = match jobs.recv().ok()? {
            Job::Render { file, reply } => Ask::Page(file, reply),
            job => return Some(job),
        };
    }
}
