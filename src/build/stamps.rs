//! The no-change shortcut: a `build` whose inputs are all as the last build left them returns
//! that build's report at once, without reading the parse cache or building the model (at
//! 50,000 articles that is most of a no-change build).
//!
//! After a successful build, `.<out>.newsgen/inputs` records what its output was made from:
//! the digest of the stamp (length, modification and change time, inode) of every input file
//! (site.toml and the files the build walks under content/, static/ and the theme's folder,
//! by the same walkers), the build key (newsgen build, site.toml, flags) and `--strict`, the
//! output folder and its manifest as the build left them, and the span of "now" over which
//! the same files give the same output (until a scheduled article falls due, one expires or
//! the news sitemap's window moves past an article). It also keeps the build's summary, so the
//! shortcut reports the same counts, left-out articles and warnings (a publisher sees the same
//! warnings on every run until the site is fixed).
//!
//! Under git's racy-clean rule ([`crate::util::racy`]) no record is saved when an input was
//! modified within two seconds of the start of the build: a second edit in the same clock tick
//! could leave its stamp unchanged. Any doubt (no record, a damaged one, another newsgen, an
//! input that cannot be read) means the normal incremental build, which is correct by itself.

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use chrono::{DateTime, TimeZone};
use chrono_tz::Tz;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{Xxh3, xxh3_128};

use super::{BuildOptions, BuildReport, build_key, build_time};
use crate::error::Diagnostic;
use crate::load::content::Scan;
use crate::model::{LeftOut, Site};
use crate::output::manifest::Manifest;
use crate::output::{WriteStats, cache_dir};
use crate::util::racy::{FileStamp, racy_from};

/// The record's file in the output's cache folder.
const RECORD_FILE: &str = "inputs";
const MAGIC: &[u8; 8] = b"NGINPUTS";

/// An instant as (seconds, nanoseconds) since the epoch, time zone aside.
type Moment = (i64, u32);

fn moment<Z: TimeZone>(t: &DateTime<Z>) -> Moment {
    (t.timestamp(), t.timestamp_subsec_nanos())
}

/// What must hold for the record to describe today's build.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Conditions {
    /// [`build_key`] with `--strict` (which turns warnings into errors).
    key: u128,
    /// The site folder, canonical.
    site: PathBuf,
    /// The theme whose folder was walked (site.toml, hence the key, names it).
    theme: String,
    /// The digest of [`Inputs`]: every input file's path and stamp.
    inputs: u128,
    /// The output folder and its manifest as the build left them.
    output: FileStamp,
    manifest: FileStamp,
}

/// A build's summary: what the shortcut reports.
#[derive(Debug, Serialize, Deserialize)]
struct Summary {
    articles: usize,
    pages: usize,
    assets: usize,
    /// Files of the output (all unchanged by a build with no change).
    files: usize,
    warnings: Vec<Diagnostic>,
    link_summary: Option<String>,
    images_published: usize,
    /// The site's time zone, the one of the instants of `left_out`.
    timezone: String,
    drafts: Vec<PathBuf>,
    scheduled: Vec<(Moment, PathBuf)>,
    expired: Vec<(Moment, PathBuf)>,
}

/// The record of the last build.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    conditions: Conditions,
    /// The build's "now", and the first later instant at which its output could change.
    now: Moment,
    until: Option<Moment>,
    summary: Summary,
}

/// The stamps of a site's input files, taken at one moment.
#[derive(Debug, Clone, Copy)]
struct Inputs {
    digest: u128,
    /// The latest modification time of any input (ns), for the racy-clean rule.
    newest_ns: i128,
}

/// content/'s part of [`Inputs`]: its files' paths and stamps hashed in walk order, taken from
/// the scan the load then uses, so content/ is stated once per build whether or not a record
/// was found.
#[derive(Clone)]
struct ContentStamps {
    hasher: Xxh3,
    newest_ns: i128,
}

impl ContentStamps {
    /// `None` when a file of the scan could not be stated (the build will say why).
    fn of(scan: &Scan) -> Option<ContentStamps> {
        let mut hasher = Xxh3::new();
        let mut newest_ns = i128::MIN;
        for (file, stamp) in scan.stamped() {
            let stamp = stamp?;
            hash_stamp(&mut hasher, file, &stamp);
            newest_ns = newest_ns.max(stamp.modified_ns);
        }
        Some(ContentStamps { hasher, newest_ns })
    }
}

fn hash_stamp(h: &mut Xxh3, file: &Path, stamp: &FileStamp) {
    h.update(file.as_os_str().as_encoded_bytes());
    h.update(&[0]);
    stamp.hash_into(h);
}

impl Inputs {
    /// Adds to `content` the stamps of every other file a build of the site with `theme`
    /// reads (site.toml, static/, the theme's folder), found by the build's own walkers.
    fn finish(content: ContentStamps, site_dir: &Path, theme: &str) -> Option<Inputs> {
        let mut files = vec![PathBuf::from(crate::load::config::CONFIG_FILE)];
        files.extend(
            crate::load::walk::static_files(site_dir)
                .0
                .into_iter()
                .map(|f| f.0),
        );
        let theme = crate::render::theme::Theme::resolve(site_dir, theme).ok()?;
        files.extend(theme.files.into_values().filter_map(|f| match f.source {
            crate::render::theme::ThemeSource::Site(path) => Some(path),
            crate::render::theme::ThemeSource::BuiltIn(_) => None,
        }));
        let others: Vec<FileStamp> = files
            .par_iter()
            .map(|f| FileStamp::read(&site_dir.join(f)))
            .collect::<Option<_>>()?;
        let ContentStamps {
            mut hasher,
            mut newest_ns,
        } = content;
        for (file, stamp) in files.iter().zip(&others) {
            hash_stamp(&mut hasher, file, stamp);
            newest_ns = newest_ns.max(stamp.modified_ns);
        }
        Some(Inputs {
            digest: hasher.digest128(),
            newest_ns,
        })
    }
}

/// The shortcut of one build: looked for at its start, saved at its end.
pub(super) struct Shortcut {
    file: PathBuf,
    /// When the build started: inputs modified after `racy_from(started)` are not trusted.
    started: SystemTime,
    key: u128,
    site: PathBuf,
    /// The stamps taken at the start, when a record of the same theme was found.
    inputs: Option<(String, Inputs)>,
    /// content/'s stamps as walked at the start (`None`: a file could not be stated).
    content: Option<ContentStamps>,
    /// content/ as walked and stated then, until the load takes it.
    scan: Option<Scan>,
}

impl Shortcut {
    /// The shortcut of a `build` into `dest`; `None` for builds that neither use nor save one
    /// (serve, which keeps its own caches, and check). Those remove the record, since the
    /// output they write may no longer be the one it describes.
    pub(super) fn new(opts: &BuildOptions, dest: &Path) -> Option<Shortcut> {
        let started = SystemTime::now();
        let file = cache_dir(dest).join(RECORD_FILE);
        let eligible =
            opts.parse_cache.is_none() && !opts.defer_generators && !opts.links_are_errors;
        if !eligible {
            forget(&file);
            return None;
        }
        let mut key = build_key(opts).ok()?.to_le_bytes().to_vec();
        key.push(u8::from(opts.strict));
        let site = opts.site_dir.canonicalize().ok()?;
        // Walked and stated once per build: the load uses this scan, and the record its stamps.
        let scan = crate::load::content::scan(&site);
        Some(Shortcut {
            file,
            started,
            key: xxh3_128(&key),
            content: ContentStamps::of(&scan),
            scan: Some(scan),
            site,
            inputs: None,
        })
    }

    /// The last build's report, when nothing it was made from has changed (not with
    /// `--no-cache`, which trusts no record).
    pub(super) fn unchanged(
        &mut self,
        opts: &BuildOptions,
        dest: &Path,
        start: Instant,
    ) -> Option<BuildReport> {
        if opts.no_cache {
            return None;
        }
        let record = load(&self.file)?;
        let c = &record.conditions;
        if c.key != self.key || c.site != self.site {
            return None;
        }
        let now = moment(&build_time(opts.now));
        let in_span = record.now <= now && record.until.is_none_or(|until| now < until);
        let output_same = FileStamp::read(dest) == Some(c.output)
            && FileStamp::read(&Manifest::path(&cache_dir(dest))) == Some(c.manifest);
        if !in_span || !output_same {
            return None;
        }
        let inputs = Inputs::finish(self.content.clone()?, &self.site, &c.theme)?;
        self.inputs = Some((c.theme.clone(), inputs));
        (inputs.digest == c.inputs)
            .then(|| report(record.summary, dest, start))
            .flatten()
    }

    /// content/ as [`Shortcut::new`] walked and stated it, for the load: the stamps the
    /// parse cache compares are the ones the record digests.
    pub(super) fn take_scan(&mut self) -> Option<Scan> {
        self.scan.take()
    }

    /// Records what the successful build `report` of `site` was made from, or removes the
    /// record when an input is too recent to be trusted by its stamp (or the build said a
    /// cache was discarded: the next build, repeating no such warning, saves the record).
    /// Stamps taken now rather than at the start are as safe: a file modified since the
    /// start is racy by the start's measure.
    pub(super) fn save(
        self,
        site: &Site,
        report: &BuildReport,
        until: Option<DateTime<Tz>>,
        one_off_warnings: bool,
    ) {
        let theme = &site.config.theme;
        let inputs = match self.inputs {
            Some((t, inputs)) if t == *theme => Some(inputs),
            _ => self
                .content
                .and_then(|content| Inputs::finish(content, &self.site, theme)),
        };
        let dest = &report.output;
        let output = FileStamp::read(dest);
        let manifest = FileStamp::read(&Manifest::path(&cache_dir(dest)));
        let (Some(inputs), Some(output), Some(manifest), false) =
            (inputs, output, manifest, one_off_warnings)
        else {
            return forget(&self.file);
        };
        if inputs.newest_ns >= racy_from(self.started) {
            return forget(&self.file);
        }
        let record = Record {
            conditions: Conditions {
                key: self.key,
                site: self.site,
                theme: theme.clone(),
                inputs: inputs.digest,
                output,
                manifest,
            },
            now: moment(&site.now),
            until: until.as_ref().map(moment),
            summary: summary(report, site.config.timezone),
        };
        if let Err(e) = store(&self.file, &record) {
            // Only speed is lost: the next build runs in full.
            eprintln!("note: could not save {}: {e}", self.file.display());
            forget(&self.file);
        }
    }
}

/// What the shortcut will report of `report`'s build.
fn summary(report: &BuildReport, timezone: Tz) -> Summary {
    let left = &report.left_out;
    let moments = |v: &[(DateTime<Tz>, PathBuf)]| -> Vec<(Moment, PathBuf)> {
        v.iter().map(|(t, p)| (moment(t), p.clone())).collect()
    };
    Summary {
        articles: report.articles,
        pages: report.pages,
        assets: report.assets,
        files: report.files.written + report.files.unchanged,
        warnings: report.warnings.clone(),
        link_summary: report.link_summary.clone(),
        images_published: report.images.published,
        timezone: timezone.name().to_string(),
        drafts: left.drafts.clone(),
        scheduled: moments(&left.scheduled),
        expired: moments(&left.expired),
    }
}

/// The report of a build that found nothing to do: the last build's counts, nothing
/// rendered, read or written.
fn report(s: Summary, dest: &Path, start: Instant) -> Option<BuildReport> {
    let tz: Tz = s.timezone.parse().ok()?;
    let instants = |v: Vec<(Moment, PathBuf)>| -> Option<Vec<(DateTime<Tz>, PathBuf)>> {
        v.into_iter()
            .map(|((secs, ns), p)| Some((tz.timestamp_opt(secs, ns).single()?, p)))
            .collect()
    };
    Some(BuildReport {
        articles: s.articles,
        pages: s.pages,
        rendered: 0,
        fingerprinted: 0,
        assets: s.assets,
        files: WriteStats {
            unchanged: s.files,
            ..WriteStats::default()
        },
        warnings: s.warnings,
        link_summary: s.link_summary,
        elapsed: start.elapsed(),
        output: dest.to_path_buf(),
        left_out: LeftOut {
            drafts: s.drafts,
            scheduled: instants(s.scheduled)?,
            expired: instants(s.expired)?,
        },
        images: crate::images::ImageStats {
            published: s.images_published,
            ..Default::default()
        },
        deferred: None,
        no_change: true,
    })
}

/// The record in `file`, if it is whole and of this newsgen build.
fn load(file: &Path) -> Option<Record> {
    let bytes = std::fs::read(file).ok()?;
    let rest = bytes
        .strip_prefix(MAGIC.as_slice())?
        .strip_prefix(env!("NEWSGEN_BUILD_ID").as_bytes())?;
    let (sum, body) = rest.split_first_chunk::<16>()?;
    if u128::from_le_bytes(*sum) != xxh3_128(body) {
        return None;
    }
    postcard::from_bytes(body).ok()
}

/// Writes the record atomically; an unchanged record is left as it is.
fn store(file: &Path, record: &Record) -> std::io::Result<()> {
    let body = postcard::to_stdvec(record).map_err(std::io::Error::other)?;
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(env!("NEWSGEN_BUILD_ID").as_bytes());
    bytes.extend_from_slice(&xxh3_128(&body).to_le_bytes());
    bytes.extend_from_slice(&body);
    if std::fs::read(file).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    let dir = file.parent().expect("the record lives in the cache folder");
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, &bytes)?;
    tmp.persist(file).map_err(|e| e.error)?;
    Ok(())
}

/// Removes the record (a missing one is fine).
fn forget(file: &Path) {
    let _ = std::fs::remove_file(file);
}
