//! `newsgen build`: load → model → render → write, reporting every problem together.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use rayon::prelude::*;

use crate::error::{Diagnostic, Diagnostics, Error};
use crate::load::config::{BaseUrl, Config};
use crate::load::{content, read_articles};
use crate::model::{BuildFlags, Site, build_site, pages};
use crate::output::Output;
use crate::render::Renderer;
use crate::render::theme::Theme;

/// What to build and how (the `build` command line).
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub site_dir: PathBuf,
    /// Output folder; default `SITE/public`.
    pub output: Option<PathBuf>,
    pub drafts: bool,
    pub future: bool,
    pub strict: bool,
    /// Broken internal links and missing images are errors (`check`), not warnings.
    pub links_are_errors: bool,
    pub base_url: Option<String>,
    /// "Now" for future articles and the news sitemap; default `SOURCE_DATE_EPOCH` or the clock.
    pub now: Option<DateTime<Utc>>,
    /// HTML injected before `</body>` of every page (live reload while serving).
    pub inject_script: Option<String>,
    /// Parsed articles kept between builds of one process (serve).
    pub parse_cache: Option<std::sync::Arc<crate::load::ParseCache>>,
}

impl BuildOptions {
    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.site_dir.join("public"))
    }
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub articles: usize,
    pub pages: usize,
    pub assets: usize,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
    pub output: PathBuf,
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

    let mut phases = Phases::new();
    let tree = content::walk(site_dir);
    phases.mark("walk content");
    diags.extend(tree.warnings.iter().cloned());
    diags.extend(crate::load::walk::static_files(site_dir).1);
    let (mut loaded, file_diags) = read_articles(site_dir, &tree, tz, opts.parse_cache.as_deref());
    phases.mark("read and parse articles");
    diags.extend(file_diags);
    if !config.unsafe_html {
        diags.extend(crate::render::markdown::drop_unsafe_urls_all(&mut loaded));
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
        match crate::render::load_templates(&config, theme, site_dir) {
            Ok(t) => Some(t),
            Err(e) => {
                diags.extend(e);
                None
            }
        }
    });
    let flags = BuildFlags {
        drafts: opts.drafts,
        future: opts.future,
    };
    phases.mark("load theme and templates");
    let site = match build_site(config, loaded, tree.assets, flags, now) {
        Ok((site, w)) => {
            diags.extend(w);
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

fn check_output_dir(site_dir: &Path, out: &Path) -> Result<(), Error> {
    let canon = |p: &Path| {
        std::path::absolute(p)
            .unwrap_or_else(|_| p.to_path_buf())
            .components()
            .collect::<PathBuf>()
    };
    let site = canon(site_dir);
    let out = canon(out);
    if site.starts_with(&out) {
        return Err(Error::Usage(format!(
            "the output folder {} contains the site itself: choose another --output",
            out.display()
        )));
    }
    for input in ["content", "themes", "static"] {
        if out.starts_with(site.join(input)) {
            return Err(Error::Usage(format!(
                "the output folder {} is inside the site's {input}/ folder: choose another --output",
                out.display()
            )));
        }
    }
    Ok(())
}

/// Phase timings on stderr when `NEWSGEN_TIMINGS` is set (for benchmarks and profiling).
pub struct Phases {
    on: bool,
    last: Instant,
}

impl Phases {
    pub fn new() -> Self {
        Phases {
            on: std::env::var_os("NEWSGEN_TIMINGS").is_some(),
            last: Instant::now(),
        }
    }

    /// Reports the time since the previous mark under `name`.
    pub fn mark(&mut self, name: &str) {
        if self.on {
            eprintln!("timing: {name}: {} ms", self.last.elapsed().as_millis());
        }
        self.last = Instant::now();
    }
}

impl Default for Phases {
    fn default() -> Self {
        Self::new()
    }
}

/// Builds the site into its output folder. On any error the previous output stays as it was.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Error> {
    let start = Instant::now();
    let mut phases = Phases::new();
    let dest = opts.output_dir();
    check_output_dir(&opts.site_dir, &dest)?;
    let LoadedSite {
        site,
        theme,
        templates,
        warnings,
    } = load_site(opts)?;
    phases.mark("load and model");
    let page_plan = pages::plan(&site).map_err(Error::Site)?;
    phases.mark("page plan");
    let mut renderer = Renderer::new(&site, &theme, templates);
    renderer.inject_before_body_end = opts.inject_script.clone();
    phases.mark("shared values");

    let out = Output::begin(&dest)?;
    let result = write_site(
        &site,
        &theme,
        &renderer,
        &page_plan,
        &out,
        &opts.site_dir,
        &mut phases,
    );
    match result {
        Ok(assets) => {
            let mut warnings = warnings;
            let mut link_warnings = renderer.check_links(out.root());
            if (opts.strict || opts.links_are_errors) && !link_warnings.is_empty() {
                for w in &mut link_warnings {
                    w.severity = crate::error::Severity::Error;
                }
                out.abort();
                warnings.extend(link_warnings);
                warnings.sort();
                return Err(Error::Site(warnings));
            }
            warnings.extend(link_warnings);
            warnings.sort();
            phases.mark("link check");
            out.commit(&dest)?;
            phases.mark("swap in and remove the old output");
            Ok(BuildReport {
                articles: site.articles.len(),
                pages: page_plan.len(),
                assets,
                warnings,
                elapsed: start.elapsed(),
                output: dest,
            })
        }
        Err(errors) => {
            out.abort();
            let mut all = warnings;
            all.extend(errors);
            all.sort();
            Err(Error::Site(all))
        }
    }
}

/// Renders pages, copies files and runs the generators. Returns the number of copied files.
fn write_site(
    site: &Site,
    theme: &Theme,
    renderer: &Renderer<'_>,
    page_plan: &[pages::Page],
    out: &Output,
    site_dir: &Path,
    phases: &mut Phases,
) -> Result<usize, Vec<Diagnostic>> {
    let mut errors = renderer.render_all(page_plan, out);
    if !errors.is_empty() {
        return Err(errors);
    }
    phases.mark("render and write pages");
    let mut copied = 0;
    // Theme static files first, then the site's static/ (copied verbatim to the root),
    // then content assets: later ones win.
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
            .filter_map(|(src, rel)| out.copy(&site_dir.join(src), rel).err())
            .collect::<Vec<_>>(),
    );
    copied += site.assets.len();
    errors.extend(
        site.assets
            .par_iter()
            .filter_map(|a| out.copy(&site_dir.join(&a.source), &a.dest).err())
            .collect::<Vec<_>>(),
    );
    phases.mark("copy files");
    for generator in crate::generators::all() {
        if let Err(e) = generator.generate(site, page_plan, out) {
            errors.extend(e);
        }
        phases.mark(generator.name());
    }
    if errors.is_empty() {
        Ok(copied)
    } else {
        Err(errors)
    }
}
