//! Writing the site: only files whose bytes changed are written, each through a temporary
//! file renamed into place, and nothing in the output changes before the whole build has
//! succeeded.
//!
//! New and changed files are first written to a staging folder beside the output (same file
//! system). When every page and generator succeeded, [`Output::commit`] marks the manifest
//! incomplete (a journal of the files it adds, beside it), renames the staged files into the output one by one, deletes the files the
//! build no longer produces, and saves the new manifest. A build killed in between leaves
//! whole files only (renames are atomic) and an incomplete manifest, so the next build compares
//! bytes on disk instead of trusting hashes, and repairs the output. Unchanged files are never
//! touched, so they keep their modification time and sync tools upload only what changed.

pub mod manifest;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_128;

use crate::error::{Diagnostic, Error};
use manifest::{ArticleSet, BodyLinks, FileRecord, Files, Manifest, ManifestError, PageImages};

/// A page's fingerprint (the hash of its context) and the articles whose cards that context
/// holds (by position): a later build whose model differs only in other articles' cards
/// keeps the page without building its context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub hash: u128,
    pub articles: ArticleSet,
}

/// How the build treats an existing output folder.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutputOptions {
    /// Replace a folder holding files newsgen has no record of writing.
    pub force: bool,
    /// Trust no cache: render every page and compare every file with what is on disk.
    pub no_cache: bool,
}

/// How the output folder is brought up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// No output yet (or an empty folder): the staging folder becomes the output.
    Fresh,
    /// An output of unknown state (`--force`, or a corrupt manifest): replaced as a whole.
    Replace,
    /// newsgen's own output: changed files are moved in, stale ones removed.
    Update,
}

/// What a commit changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Files written (new or changed).
    pub written: usize,
    /// Files left as they were.
    pub unchanged: usize,
    /// Files the build no longer produces, removed.
    pub removed: usize,
    /// The files written or removed, sorted (serve reloads only the tabs showing them).
    pub changed: Vec<String>,
}

/// A build's output in progress.
#[derive(Debug)]
pub struct Output {
    dest: PathBuf,
    cache_dir: PathBuf,
    staging: PathBuf,
    mode: Mode,
    previous: Manifest,
    /// The previous manifest's hashes match the files on disk.
    trust_hashes: bool,
    /// The previous fingerprints were made from the same shared inputs as this build's.
    trust_fingerprints: bool,
    key: u128,
    meta: u128,
    /// The card hash of each article, by position (`Manifest::cards`).
    cards: Vec<u64>,
    /// What [`Output::set_generator`] set: the tag of files written without one of their own.
    generator: Mutex<Option<&'static str>>,
    /// The records this build made (files written, or kept with a new record).
    records: Mutex<Vec<(String, FileRecord)>>,
    /// By position in the previous manifest: the files this build keeps as they were.
    kept: Vec<AtomicBool>,
    /// Files written to the staging folder.
    staged: Mutex<Vec<String>>,
    /// Folders already created, so each file costs one `write` and no `mkdir` calls. Held as
    /// 128-bit hashes of their paths: a cold build creates a folder per page.
    made_dirs: Mutex<rustc_hash::FxHashSet<u128>>,
    /// A discarded cache, said once as a warning.
    pub warnings: Vec<Diagnostic>,
}

/// The output as one generator writes into it: its files are recorded as the generator's
/// (`FileRecord::generator`), whatever else is written into the output meanwhile.
pub struct Generated<'a> {
    out: &'a Output,
    name: &'static str,
}

impl Generated<'_> {
    /// Writes one file (`feed.xml`, `search/meta.json`) if its bytes changed.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        let rec = FileRecord {
            generator: Some(self.name.to_string()),
            ..FileRecord::default()
        };
        self.out.put(rel, bytes, rec)
    }

    /// Writes the file `make` makes by the recipe `key` (the same key makes the same bytes),
    /// unless the previous build wrote it by the same recipe: then `make` is not called.
    pub fn write_derived(
        &self,
        rel: &str,
        key: u128,
        make: impl FnOnce() -> Vec<u8>,
    ) -> Result<(), Diagnostic> {
        let rec = FileRecord {
            generator: Some(self.name.to_string()),
            ..FileRecord::default()
        };
        self.out.put_derived(rel, key, rec, || Some(make()))
    }

    /// Writes several files; every failure is reported.
    pub fn write_all(&self, files: Vec<(String, Vec<u8>)>) -> Result<(), Vec<Diagnostic>> {
        let errors: Vec<Diagnostic> = files
            .into_iter()
            .filter_map(|(rel, bytes)| self.write(&rel, &bytes).err())
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A build's staging folder beside the output: `.<name>.newsgen-<pid>` ([`sibling`]).
const STAGING: &str = "newsgen-";
/// The previous output, moved aside by a replacing commit: `.<name>.newsgen-old-<pid>`.
const MOVED_ASIDE: &str = "newsgen-old-";

/// The cache folder of an output folder: `.<name>.newsgen` beside it.
pub fn cache_dir(dest: &Path) -> PathBuf {
    sibling(dest, "newsgen")
}

fn sibling(dest: &Path, suffix: &str) -> PathBuf {
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    parent.join(format!(".{name}.{suffix}"))
}

/// What a build finds in its output folder before it writes anything: how the folder is
/// brought up to date and the previous build's manifest. Reading it writes nothing, so it can
/// run while the site loads.
#[derive(Debug)]
pub struct Found {
    mode: Mode,
    previous: Manifest,
    /// A discarded cache, said once as a warning.
    warnings: Vec<Diagnostic>,
}

impl Found {
    /// Reads the output folder `dest` and its manifest; refuses a folder that holds files
    /// newsgen did not write, unless `--force`.
    pub fn read(dest: &Path, opts: OutputOptions) -> Result<Found, Error> {
        let cache_dir = cache_dir(dest);
        let mut warnings = Vec::new();
        let (mode, previous) = match std::fs::symlink_metadata(dest) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                (Mode::Fresh, Manifest::default())
            }
            Err(e) => return Err(Error::io(dest, e)),
            Ok(meta) if meta.is_file() => {
                return Err(Error::Usage(format!(
                    "the output {} is a file, not a folder: choose another --output",
                    dest.display()
                )));
            }
            Ok(_) if is_empty_dir(dest) => (Mode::Fresh, Manifest::default()),
            Ok(meta) => match Manifest::load(&cache_dir) {
                Ok(m) if meta.is_dir() => (Mode::Update, m),
                Err(ManifestError::Foreign(why)) if meta.is_dir() && !opts.force => {
                    warnings.push(Diagnostic::warning(
                        crate::error::display_path(&Manifest::path(&cache_dir)),
                        None,
                        format!("build cache discarded ({why}); the output is rebuilt in full"),
                    ));
                    (Mode::Replace, Manifest::default())
                }
                _ if opts.force => (Mode::Replace, Manifest::default()),
                _ => {
                    return Err(Error::Usage(format!(
                        "the output folder {} holds files newsgen did not write (no record of \
                         an earlier build in {}): choose an empty or new folder, or pass \
                         --force to replace everything in it",
                        dest.display(),
                        cache_dir.display()
                    )));
                }
            },
        };
        Ok(Found {
            mode,
            previous,
            warnings,
        })
    }
}

impl Output {
    /// Prepares writing into `dest`, as [`Found::read`] found it (a build reads it while the
    /// site loads). `key` is the hash of every input shared by all pages: page fingerprints
    /// of the previous build are trusted only when it is unchanged. `meta` and `cards` are
    /// what the manifest keeps of the model (`Manifest::meta`, `Manifest::cards`).
    pub fn begin(
        found: Found,
        dest: &Path,
        opts: OutputOptions,
        key: u128,
        meta: u128,
        cards: Vec<u64>,
    ) -> Result<Output, Error> {
        let Found {
            mode,
            previous,
            warnings,
        } = found;
        let cache_dir = cache_dir(dest);
        remove_abandoned_staging(dest);
        let staging = sibling(dest, &format!("{STAGING}{}", std::process::id()));
        if staging.exists() {
            remove_tree(&staging).map_err(|e| Error::io(&staging, e))?;
        }
        std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        let trust_hashes = mode == Mode::Update && previous.complete && !opts.no_cache;
        let trust_fingerprints =
            trust_hashes && previous.key == key && previous.version == env!("NEWSGEN_BUILD_ID");
        let expected = previous.files.len();
        Ok(Output {
            dest: dest.to_path_buf(),
            cache_dir,
            staging,
            mode,
            previous,
            trust_hashes,
            trust_fingerprints,
            key,
            meta,
            cards,
            generator: Mutex::new(None),
            // About as many records as last time: a 100,000-record vector is not grown by
            // doubling (each step copying it into fresh pages).
            records: Mutex::new(Vec::with_capacity(expected)),
            kept: (0..expected).map(|_| AtomicBool::new(false)).collect(),
            staged: Mutex::new(Vec::new()),
            made_dirs: Mutex::new(rustc_hash::FxHashSet::default()),
            warnings,
        })
    }

    /// Whether the previous build had the same model structure (and the same shared inputs):
    /// then only what shows a changed body or card can differ (see
    /// [`crate::model::ModelDigest`]).
    pub fn same_meta(&self) -> bool {
        self.trust_fingerprints && self.previous.meta == self.meta
    }

    /// Under [`Output::same_meta`]: the positions of the articles whose card hash differs
    /// from the previous build's (`None` if the previous build recorded other articles).
    pub fn changed_cards(&self) -> Option<Vec<usize>> {
        let before = &self.previous.cards;
        (self.same_meta() && before.len() == self.cards.len()).then(|| {
            let pairs = before.iter().zip(&self.cards).enumerate();
            pairs.filter(|(_, (a, b))| a != b).map(|(i, _)| i).collect()
        })
    }

    /// The articles whose cards the page at `rel` held when the previous build made it.
    pub fn previous_articles(&self, rel: &str) -> Option<&ArticleSet> {
        self.previous
            .files
            .get(rel)
            .and_then(|r| r.articles.as_ref())
    }

    /// Whether the previous build wrote `rel`.
    pub fn has_previous(&self, rel: &str) -> bool {
        self.previous.files.contains_key(rel)
    }

    /// The body hash the previous build recorded for the page at `rel`.
    pub fn previous_body(&self, rel: &str) -> Option<u128> {
        self.previous.files.get(rel).and_then(|r| r.body)
    }

    /// The images the page at `rel` asked for when the previous build rendered it.
    pub fn previous_images(&self, rel: &str) -> Option<&PageImages> {
        self.previous.files.get(rel).and_then(|r| r.images.as_ref())
    }

    /// Keeps the page at `rel` as the previous build wrote it, if it did (only valid under
    /// [`Output::same_meta`] or a matching fingerprint). `Some` holds the body's links.
    pub fn keep(&self, rel: &str) -> Option<Option<Arc<BodyLinks>>> {
        let (at, _, old) = self.previous.files.get_full(rel)?;
        check_inside(rel).ok()?;
        self.keep_at(at);
        Some(old.links.clone())
    }

    /// Keeps the previous build's file at position `at` of its manifest as it was.
    fn keep_at(&self, at: usize) {
        self.kept[at].store(true, Ordering::Relaxed);
    }

    /// Keeps every file the generator `name` wrote last time (its inputs are unchanged).
    pub fn keep_generated(&self, name: &str) {
        for (at, rec) in self.previous.files.values().enumerate() {
            if rec.generator.as_deref() == Some(name) {
                self.keep_at(at);
            }
        }
    }

    /// Keeps every file of the previous build but those of the generators `names` (the
    /// second step of a deferred build, which runs only them).
    pub fn keep_all_but_generated(&self, names: &[&str]) {
        for (at, rec) in self.previous.files.values().enumerate() {
            if !rec.generator.as_deref().is_some_and(|g| names.contains(&g)) {
                self.keep_at(at);
            }
        }
    }

    /// Every record of this build so far: the files kept as they were, then those recorded.
    fn with_records<T>(
        &self,
        f: impl FnOnce(&mut dyn Iterator<Item = (&str, &FileRecord)>) -> T,
    ) -> T {
        let records = self
            .records
            .lock()
            .expect("no thread panics while holding the output records");
        let kept = self
            .previous
            .files
            .iter()
            .zip(&self.kept)
            .filter(|(_, k)| k.load(Ordering::Relaxed))
            .map(|((rel, rec), _)| (rel.as_str(), rec));
        let made = records.iter().map(|(rel, rec)| (rel.as_str(), rec));
        f(&mut kept.chain(made))
    }

    /// The files recorded so far as written by one of the generators `names`.
    pub fn generated_files(&self, names: &[&str]) -> rustc_hash::FxHashSet<String> {
        self.with_records(|records| {
            records
                .filter(|(_, rec)| rec.generator.as_deref().is_some_and(|g| names.contains(&g)))
                .map(|(rel, _)| rel.to_string())
                .collect()
        })
    }

    /// Tags the files written through [`Output::write`] and the like from now on as the
    /// generator `name`'s (`None`: not generated). For the image pipeline, which runs on the
    /// pages' thread; the generators, which may run beside the pages, write through
    /// [`Output::generated`] instead.
    pub fn set_generator(&self, name: Option<&'static str>) {
        *self
            .generator
            .lock()
            .expect("no thread panics while holding the generator name") = name;
    }

    /// Whether the page at `rel` was rendered from the same fingerprint by the previous build
    /// and can be kept as it is (then it is recorded as kept); `Some` holds its body's links.
    /// Its record takes this build's article set: positions move when articles are added.
    pub fn keep_page(&self, rel: &str, print: &Fingerprint) -> Option<Option<Arc<BodyLinks>>> {
        if !self.trust_fingerprints {
            return None;
        }
        let (at, _, old) = self.previous.files.get_full(rel)?;
        if old.fingerprint != Some(print.hash) {
            return None;
        }
        let links = old.links.clone();
        if old.articles.as_ref() == Some(&print.articles) {
            self.keep_at(at);
        } else {
            let rec = FileRecord {
                articles: Some(print.articles.clone()),
                ..old.clone()
            };
            self.record(rel, rec);
        }
        Some(links)
    }

    fn record(&self, rel: &str, rec: FileRecord) {
        self.records
            .lock()
            .expect("no thread panics while holding the output records")
            .push((rel.to_string(), rec));
    }

    fn target(&self, rel: &str) -> Result<PathBuf, Diagnostic> {
        check_inside(rel)?;
        Ok(self.staging.join(rel))
    }

    /// Creates the folders of `path` inside the staging folder that this build has not made
    /// yet, outermost first: one `mkdir` per folder. (`create_dir_all` tries the innermost
    /// first and climbs on each failure, and checks an existing folder with a `stat`: for a
    /// 10,000-article build, 9,540 failed `mkdir`s and 4,965 `stat`s beside 28,082 folders.)
    fn ensure_parent(&self, path: &Path, rel: &str) -> Result<(), Diagnostic> {
        let known = |dir: &Path| {
            dir == self.staging
                || self
                    .made_dirs
                    .lock()
                    .expect("no thread panics while holding the folder list")
                    .contains(&xxh3_128(dir.as_os_str().as_encoded_bytes()))
        };
        let missing: Vec<&Path> = path
            .ancestors()
            .skip(1)
            .take_while(|dir| dir.starts_with(&self.staging) && !known(dir))
            .collect();
        for dir in missing.into_iter().rev() {
            match std::fs::create_dir(dir) {
                // Another thread may have made it since it was looked up.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => {}
                other => other.map_err(|e| write_error(rel, &e))?,
            }
            self.made_dirs
                .lock()
                .expect("no thread panics while holding the folder list")
                .insert(xxh3_128(dir.as_os_str().as_encoded_bytes()));
        }
        Ok(())
    }

    /// Whether the output already holds exactly `bytes` at `rel` (from the manifest when it can
    /// be trusted, else from the file itself).
    fn unchanged(&self, rel: &str, hash: u128, bytes: &[u8]) -> bool {
        match self.mode {
            Mode::Fresh | Mode::Replace => false,
            Mode::Update if self.trust_hashes => self
                .previous
                .files
                .get(rel)
                .is_some_and(|r| r.hash == hash && r.len == bytes.len() as u64),
            Mode::Update => {
                self.previous.files.contains_key(rel)
                    && std::fs::read(self.dest.join(rel)).is_ok_and(|old| old == bytes)
            }
        }
    }

    fn put(&self, rel: &str, bytes: &[u8], mut rec: FileRecord) -> Result<(), Diagnostic> {
        let path = self.target(rel)?;
        rec.hash = xxh3_128(bytes);
        rec.len = bytes.len() as u64;
        if rec.generator.is_none() {
            rec.generator = self
                .generator
                .lock()
                .expect("no thread panics while holding the generator name")
                .map(str::to_string);
        }
        if !self.unchanged(rel, rec.hash, bytes) {
            self.ensure_parent(&path, rel)?;
            std::fs::write(&path, bytes).map_err(|e| write_error(rel, &e))?;
            self.staged
                .lock()
                .expect("no thread panics while holding the staged list")
                .push(rel.to_string());
        }
        self.record(rel, rec);
        Ok(())
    }

    /// Writes one file (`feed.xml`, `politics/index.html`) if its bytes changed.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.put(rel, bytes, FileRecord::default())
    }

    /// Writes a rendered page, remembering what it was rendered from and the links it holds.
    pub fn write_page(
        &self,
        rel: &str,
        bytes: &[u8],
        print: Fingerprint,
        body: Option<u128>,
        links: Option<Arc<BodyLinks>>,
        images: Option<PageImages>,
    ) -> Result<(), Diagnostic> {
        let rec = FileRecord {
            fingerprint: Some(print.hash),
            articles: Some(print.articles),
            body,
            links,
            images,
            ..FileRecord::default()
        };
        self.put(rel, bytes, rec)
    }

    /// Writes the file `make` makes by the recipe `key`, unless the previous build wrote it by
    /// the same recipe (then it is kept without calling `make`). When `make` makes nothing (it
    /// reported why), nothing is written.
    pub fn write_derived(
        &self,
        rel: &str,
        key: u128,
        make: impl FnOnce() -> Option<Vec<u8>>,
    ) -> Result<(), Diagnostic> {
        self.put_derived(rel, key, FileRecord::default(), make)
    }

    /// [`Output::write_derived`] with the rest of the file's record (its generator) in `rec`;
    /// a file kept keeps the record the previous build made.
    fn put_derived(
        &self,
        rel: &str,
        key: u128,
        rec: FileRecord,
        make: impl FnOnce() -> Option<Vec<u8>>,
    ) -> Result<(), Diagnostic> {
        let rec = FileRecord {
            derived: Some(key),
            ..rec
        };
        if self.trust_hashes
            && let Some((at, _, old)) = self.previous.files.get_full(rel)
            && old.derived == rec.derived
        {
            check_inside(rel)?;
            self.keep_at(at);
            return Ok(());
        }
        let Some(bytes) = make() else {
            return Ok(());
        };
        self.put(rel, &bytes, rec)
    }

    /// The output as the generator `name` writes into it.
    pub fn generated(&self, name: &'static str) -> Generated<'_> {
        Generated { out: self, name }
    }

    /// Copies a file of the site into the output; a source whose length and modification
    /// time are as they were at the last copy is not read again.
    pub fn copy(&self, src: &Path, rel: &str) -> Result<(), Diagnostic> {
        let stamp = std::fs::metadata(src)
            .ok()
            .and_then(|m| Some((m.len(), crate::util::racy::nanos(m.modified().ok()?))));
        if self.trust_hashes
            && let Some((at, _, old)) = self.previous.files.get_full(rel)
            && stamp.is_some()
            && old.source_stamp == stamp
        {
            check_inside(rel)?;
            self.keep_at(at);
            return Ok(());
        }
        let bytes = std::fs::read(src).map_err(|e| {
            Diagnostic::error(
                crate::error::display_path(src),
                None,
                format!("cannot read: {e}"),
            )
        })?;
        let rec = FileRecord {
            source_stamp: stamp,
            ..FileRecord::default()
        };
        self.put(rel, &bytes, rec)
    }

    /// The images every page of this build so far asked for (rendered or kept).
    pub fn page_images(&self) -> Vec<PageImages> {
        self.with_records(|records| records.filter_map(|(_, rec)| rec.images.clone()).collect())
    }

    /// Every file this build produces so far (written or kept).
    pub fn files(&self) -> rustc_hash::FxHashSet<String> {
        self.with_records(|records| records.map(|(rel, _)| rel.to_string()).collect())
    }

    /// Makes the output what this build produced. On error the output may hold some new
    /// files, never a half-written one, and the next build repairs it.
    pub fn commit(mut self) -> Result<WriteStats, Error> {
        let kept: Vec<bool> = std::mem::take(&mut self.kept)
            .into_iter()
            .map(AtomicBool::into_inner)
            .collect();
        let records = self
            .records
            .into_inner()
            .expect("no thread panics while holding the output records");
        let previous = std::mem::take(&mut self.previous.files);
        let Merged { files, stale, same } = merge(previous, kept, records);
        let staged = self
            .staged
            .into_inner()
            .expect("no thread panics while holding the staged list");
        let mut stats = WriteStats {
            written: staged.len(),
            unchanged: files.len() - staged.len(),
            removed: 0,
            changed: staged.clone(),
        };
        match self.mode {
            Mode::Fresh => {
                if self.dest.is_dir() {
                    std::fs::remove_dir(&self.dest).map_err(|e| Error::io(&self.dest, e))?;
                }
                std::fs::rename(&self.staging, &self.dest).map_err(|e| Error::io(&self.dest, e))?;
            }
            Mode::Replace => {
                let old = sibling(&self.dest, &format!("{MOVED_ASIDE}{}", std::process::id()));
                std::fs::rename(&self.dest, &old).map_err(|e| Error::io(&self.dest, e))?;
                if let Err(e) = std::fs::rename(&self.staging, &self.dest) {
                    // Put the previous output back before reporting.
                    let _ = std::fs::rename(&old, &self.dest);
                    return Err(Error::io(&self.dest, e));
                }
                remove_tree(&old).map_err(|e| Error::io(&old, e))?;
            }
            Mode::Update if staged.is_empty() && same => {
                // Nothing changed in the output: not even the manifest is written again
                // unless what it says about the inputs changed.
                remove_tree(&self.staging).map_err(|e| Error::io(&self.staging, e))?;
                let same = self.previous.complete
                    && self.previous.key == self.key
                    && self.previous.meta == self.meta
                    && self.previous.cards == self.cards
                    && self.previous.version == env!("NEWSGEN_BUILD_ID");
                if same {
                    return Ok(stats);
                }
            }
            Mode::Update => {
                // Until the new manifest is saved, the old one and the journal of the files
                // moved in own the union of old and new files, and hashes are not trusted.
                Manifest::begin_commit(&self.cache_dir, &staged)
                    .map_err(|e| Error::io(&self.cache_dir, e))?;
                stats.removed = stale.len();
                stats.changed.extend(stale.iter().cloned());
                for rel in &stale {
                    remove_output_file(&self.dest, rel)
                        .map_err(|e| Error::io(self.dest.join(rel), e))?;
                }
                move_into(&self.staging, &self.dest, &staged)?;
                remove_tree(&self.staging).map_err(|e| Error::io(&self.staging, e))?;
            }
        }
        let manifest = Manifest {
            version: env!("NEWSGEN_BUILD_ID").to_string(),
            key: self.key,
            meta: self.meta,
            cards: self.cards.clone(),
            complete: true,
            files,
        };
        manifest
            .save(&self.cache_dir)
            .map_err(|e| Error::io(&self.cache_dir, e))?;
        // Two maps of 100,000 records each: nothing waits for them to be freed.
        crate::util::background::drop_in_background((manifest, self.previous));
        stats.changed.sort_unstable();
        Ok(stats)
    }

    /// Throws the staging folder away after a failed build; the output is untouched.
    pub fn abort(self) {
        let _ = remove_tree(&self.staging);
    }
}

/// A build's files as its manifest will say, from the previous build's.
#[derive(Debug)]
struct Merged {
    files: Files,
    /// The previous build's files this build neither kept nor made, sorted.
    stale: Vec<String>,
    /// The records are the previous build's, file for file.
    same: bool,
}

/// The previous build's `files` with those marked `live` (kept, by position) as they were, the
/// `records` of this build over them (of two records of one file, the later), and the rest
/// gone stale.
fn merge(mut files: Files, mut live: Vec<bool>, records: Vec<(String, FileRecord)>) -> Merged {
    live.resize(files.len(), false);
    let mut same = true;
    for (rel, rec) in records {
        let (at, old) = files.insert_full(rel, rec);
        same &= old.as_ref() == Some(&files[at]);
        match live.get_mut(at) {
            Some(seen) => *seen = true,
            None => same = false,
        }
    }
    let mut stale = Vec::new();
    let mut at = 0;
    files.retain(|rel, _| {
        let keep = live.get(at).is_none_or(|l| *l);
        at += 1;
        if !keep {
            stale.push(rel.clone());
        }
        keep
    });
    same &= stale.is_empty();
    stale.sort_unstable();
    Merged { files, stale, same }
}

/// Refuses an output path that could lead outside the output folder.
fn check_inside(rel: &str) -> Result<(), Diagnostic> {
    // Bytes, not `str::split`: every kept file of a rebuild is checked (100,000 at 50,000
    // articles), and a char searcher per segment cost a tenth of a second.
    let bytes = rel.as_bytes();
    if bytes.is_empty()
        || bytes
            .split(|&b| b == b'/')
            .any(|s| s == b".." || s == b"." || s.is_empty())
        || memchr::memchr(b'\\', bytes).is_some()
    {
        return Err(Diagnostic::error(
            rel,
            None,
            "refusing to write outside the output folder",
        ));
    }
    Ok(())
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none())
}

/// Renames each staged file to its place in `dest`, creating folders as needed.
fn move_into(staging: &Path, dest: &Path, files: &[String]) -> Result<(), Error> {
    files.par_iter().try_for_each(|rel| {
        let to = dest.join(rel);
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::rename(staging.join(rel), &to).map_err(|e| Error::io(&to, e))
    })
}

/// Deletes `dest/rel` and the folders it leaves empty. A file already gone is fine.
fn remove_output_file(dest: &Path, rel: &str) -> std::io::Result<()> {
    let path = dest.join(rel);
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == dest || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    Ok(())
}

/// Removes the staging folders ([`STAGING`]) that builds into `dest` killed before their
/// commit left beside it, those of processes no longer running; without this, a build killed
/// while rendering left its partial output there for good. The previous output moved aside by
/// a replacing commit ([`MOVED_ASIDE`]) goes too, once `dest` is in place again. Only speed
/// and disk space are at stake: what cannot be removed is left.
fn remove_abandoned_staging(dest: &Path) {
    // Named as `Output::begin` and `Output::commit` name their own, less the process id.
    let (staging_path, aside_path) = (sibling(dest, STAGING), sibling(dest, MOVED_ASIDE));
    let (Some(parent), Some(staging), Some(aside)) = (
        staging_path.parent(),
        staging_path.file_name().map(|n| n.to_string_lossy()),
        aside_path.file_name().map(|n| n.to_string_lossy()),
    ) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str() else {
            continue;
        };
        // The longer prefix first: a moved-aside name also starts with the staging one.
        let (pid, moved_aside) = match (name.strip_prefix(&*aside), name.strip_prefix(&*staging)) {
            (Some(pid), _) => (pid, true),
            (None, Some(pid)) => (pid, false),
            (None, None) => continue,
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() || process_runs(pid) || (moved_aside && !dest.is_dir()) {
            continue;
        }
        let _ = remove_tree(&entry.path());
    }
}

/// Whether a process `pid` exists (signal 0 checks without sending anything).
fn process_runs(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill with signal 0 sends nothing; it only reports whether `pid` can be signalled.
    let answer = unsafe { libc::kill(pid, 0) };
    answer == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Removes a folder tree, its top-level entries in parallel (an old output can hold
/// hundreds of thousands of files). A symbolic link is removed, never followed.
fn remove_tree(root: &Path) -> std::io::Result<()> {
    if std::fs::symlink_metadata(root)?.is_symlink() {
        return std::fs::remove_file(root);
    }
    let entries: Vec<PathBuf> = std::fs::read_dir(root)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.par_iter().try_for_each(|p| {
        if p.is_dir() && !p.is_symlink() {
            std::fs::remove_dir_all(p)
        } else {
            std::fs::remove_file(p)
        }
    })?;
    std::fs::remove_dir(root)
}

fn write_error(rel: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        format!("(output)/{rel}"),
        None,
        format!("cannot write: {e}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(hash: u128) -> FileRecord {
        FileRecord {
            hash,
            ..FileRecord::default()
        }
    }

    fn files(paths: &[&str], hash: u128) -> Files {
        paths.iter().map(|p| (p.to_string(), rec(hash))).collect()
    }

    #[test]
    fn merged_records_keep_the_later_of_two_records_of_one_file() {
        // Pushed in any order, some files twice (a site's static file over the theme's).
        let mut pushed = Vec::new();
        for i in 0..500u128 {
            let path = format!("p/{}/index.html", (i * 7919) % 300);
            pushed.push((path, rec(i)));
        }
        let merged = merge(Files::default(), Vec::new(), pushed.clone());
        let mut want = Files::default();
        for (path, r) in pushed {
            want.insert(path, r);
        }
        assert_eq!(merged.files.len(), 300);
        assert_eq!(merged.files, want);
        assert!(!merged.same && merged.stale.is_empty());
    }

    #[test]
    fn files_neither_kept_nor_made_again_are_stale() {
        let old = files(&["z", "b/x", "b/y", "c", "d", "a"], 1);
        // Kept: b/y and c; made again: z (same record) and a0, e (new).
        let kept = vec![false, false, true, true, false, false];
        let made = vec![
            ("z".to_string(), rec(1)),
            ("a0".to_string(), rec(2)),
            ("e".to_string(), rec(2)),
        ];
        let merged = merge(old, kept, made);
        assert_eq!(merged.stale, ["a", "b/x", "d"]);
        let mut paths: Vec<&str> = merged.files.keys().map(String::as_str).collect();
        paths.sort_unstable();
        assert_eq!(paths, ["a0", "b/y", "c", "e", "z"]);
        assert!(!merged.same);
    }

    #[test]
    fn a_build_that_keeps_or_remakes_every_file_alike_is_the_same() {
        let old = files(&["a", "b", "c"], 1);
        let remade = vec![("b".to_string(), rec(1))];
        let merged = merge(old.clone(), vec![true, false, true], remade);
        assert!(merged.same && merged.stale.is_empty());
        assert_eq!(merged.files, old);
        // One record changed, or one file left out: not the same.
        let changed = merge(
            old.clone(),
            vec![true, false, true],
            vec![("b".into(), rec(2))],
        );
        assert!(!changed.same);
        assert_eq!(changed.files["b"], rec(2));
        let left_out = merge(old, vec![true, false, true], Vec::new());
        assert!(!left_out.same);
        assert_eq!(left_out.stale, ["b"]);
    }
}
