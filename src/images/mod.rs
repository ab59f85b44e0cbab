//! Responsive images (docs/images.md): every JPEG, PNG or WebP that a page shows is written
//! in several widths, in its own format and as WebP, plus 3:2 crops for cards and one width
//! for social cards. Lead images are processed before pages render ([`Images::prepare`], in
//! parallel: cards and social images show them everywhere); images of bodies and of
//! `resize_image` on demand while a page renders, which records what it asked for
//! ([`record`]) so that a later build can keep the page and still publish its files. Facts
//! about sources are remembered between builds by stamp ([`sources`]), encoded files in a
//! cache named by content hash ([`cache`]); [`Images::publish`] then writes every file the
//! pages show into the output, keeping those made by the same recipe as last time.

mod cache;
mod encode;
mod metadata;
pub mod plan;
mod record;
mod sources;
pub mod template;
pub mod view;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use xxhash_rust::xxh3::xxh3_128;

use crate::error::Diagnostic;
use crate::load::config::{Config, ImagesConfig};
use crate::model::{Article, Asset, Site};
use crate::output::Output;
use crate::output::manifest::{ImageRequest, PageImages};
use crate::util::url::{ImageUrl, classify_image};
use plan::{Encoding, Spec};
use sources::{SourceIndex, Unusable};
use view::{FileView, PictureView, SetView};

pub use cache::CACHE_DIR;
pub use record::recording;
pub use sources::INDEX_FILE;

/// Width:height of card crops: the default theme shows teaser images at 16:9.
pub const CARD_RATIO: (u32, u32) = (16, 9);

/// A source image as read from its header.
#[derive(Debug)]
pub struct Source {
    /// Output path of the source (`politics/2025/10/30/slug/photo.jpg`).
    pub path: String,
    /// The file, relative to the site.
    file: PathBuf,
    hash: String,
    header: encode::Header,
}

impl Source {
    pub fn width(&self) -> u32 {
        self.header.width
    }
    pub fn height(&self) -> u32 {
        self.header.height
    }
    pub fn encoding(&self) -> Encoding {
        self.header.encoding
    }
}

/// One made file of a source.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Output path (`.../photo.800w.webp`).
    pub path: String,
    pub spec: Spec,
}

/// Everything made of one source for the default theme.
#[derive(Debug)]
pub struct Picture {
    pub source: Arc<Source>,
    /// Scaled copies, ascending width, fallback encoding first.
    pub sizes: Vec<Variant>,
    /// [`CARD_RATIO`] crops for cards.
    pub cards: Vec<Variant>,
    /// The social-card width in the source's own format.
    pub social: Option<Variant>,
}

impl Picture {
    /// Every file of the picture.
    fn files(&self) -> impl Iterator<Item = &Variant> {
        self.sizes.iter().chain(&self.cards).chain(&self.social)
    }
}

/// One file of a source that a page shows.
type SourceFile = (Arc<Source>, Variant);

/// A file to publish: which source, which spec, which cache entry.
#[derive(Debug, Clone)]
struct Made {
    source: Arc<Source>,
    spec: Spec,
    entry: PathBuf,
}

/// Values computed once per key, in parallel, each by one thread.
struct Memo<T>(Mutex<HashMap<String, Arc<OnceLock<T>>>>);

impl<T: Clone> Memo<T> {
    fn new() -> Self {
        Memo(Mutex::new(HashMap::new()))
    }

    fn get(&self, key: &str, make: impl FnOnce() -> T) -> T {
        let cell = self
            .0
            .lock()
            .expect("image memo lock poisoned by a panic elsewhere")
            .entry(key.to_string())
            .or_default()
            .clone();
        cell.get_or_init(make).clone()
    }
}

/// Counts of one build, for reports and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImageStats {
    /// Sources read and measured (the others were known from an earlier build by their
    /// length and modification time).
    pub sources: usize,
    /// Files encoded in this build (the rest came from the cache).
    pub encoded: usize,
    /// Files published into the output.
    pub published: usize,
}

/// The image pipeline of one build.
pub struct Images {
    settings: ImagesConfig,
    site_dir: PathBuf,
    cache_dir: PathBuf,
    base_path: String,
    /// Output path → file (relative to the site) of every content/ asset.
    assets: OnceLock<HashMap<String, PathBuf>>,
    index: SourceIndex,
    sources: Memo<Option<Arc<Source>>>,
    pictures: Memo<Option<Arc<Picture>>>,
    made: Mutex<BTreeMap<String, Made>>,
    warnings: Mutex<Vec<Diagnostic>>,
    encoded: AtomicUsize,
}

impl Default for Images {
    /// A pipeline that processes nothing (a model built without a site folder).
    fn default() -> Self {
        let settings = ImagesConfig {
            enabled: false,
            ..ImagesConfig::default()
        };
        Images::with(PathBuf::new(), settings, "/".into(), SourceIndex::default())
    }
}

impl std::fmt::Debug for Images {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Images")
            .field("settings", &self.settings)
            .field("site_dir", &self.site_dir)
            .finish_non_exhaustive()
    }
}

impl Images {
    /// The pipeline of a build of the site at `site_dir`; `trust_index`: use what earlier
    /// builds learnt of the sources (false with `--no-cache`: every source is read).
    pub fn new(site_dir: &Path, config: &Config, trust_index: bool) -> Images {
        let index = if trust_index {
            SourceIndex::load(site_dir)
        } else {
            SourceIndex::default()
        };
        Images::with(
            site_dir.to_path_buf(),
            config.images.clone(),
            config.base_url.path.clone(),
            index,
        )
    }

    fn with(
        site_dir: PathBuf,
        settings: ImagesConfig,
        base_path: String,
        index: SourceIndex,
    ) -> Images {
        Images {
            cache_dir: site_dir.join(CACHE_DIR),
            site_dir,
            settings,
            base_path,
            assets: OnceLock::new(),
            index,
            sources: Memo::new(),
            pictures: Memo::new(),
            made: Mutex::new(BTreeMap::new()),
            warnings: Mutex::new(Vec::new()),
            encoded: AtomicUsize::new(0),
        }
    }

    pub fn enabled(&self) -> bool {
        self.settings.enabled
    }

    /// Tells where content/ files are published (once the model is built).
    pub fn set_assets(&self, assets: &[Asset]) {
        let map = assets
            .iter()
            .map(|a| (a.dest.clone(), a.source.clone()))
            .collect();
        // A second call would describe the same model; the first one stands.
        let _ = self.assets.set(map);
    }

    /// Root-relative URL of an output path.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.base_path)
    }

    /// The file published at `path`: a content/ asset, else a file of static/.
    fn file_of(&self, path: &str) -> Option<PathBuf> {
        if path.is_empty() || path.split('/').any(|s| s == ".." || s.is_empty()) {
            return None;
        }
        if let Some(file) = self.assets.get().and_then(|m| m.get(path)) {
            return Some(file.clone());
        }
        let file = Path::new("static").join(path);
        self.site_dir.join(&file).is_file().then_some(file)
    }

    fn warn(&self, file: &Path, message: String) {
        self.warnings
            .lock()
            .expect("image warnings lock poisoned by a panic elsewhere")
            .push(Diagnostic::warning(file, None, message));
    }

    /// The source published at `path`, read once per build; `None` (with a warning) when it
    /// cannot be used, and silently when it is no raster image of the site (SVG, a URL).
    pub fn source(&self, path: &str) -> Option<Arc<Source>> {
        if !self.settings.enabled {
            return None;
        }
        let named = Encoding::from_extension(path)?;
        self.sources
            .get(path, || self.read_source(path, named).map(Arc::new))
    }

    fn read_source(&self, path: &str, named: Encoding) -> Option<Source> {
        let file = self.file_of(path)?;
        let facts = match self.index.facts(&self.site_dir, &file) {
            Ok(f) => f,
            Err(Unusable::Read(e)) => {
                self.warn(&file, format!("cannot read the image: {e}"));
                return None;
            }
            Err(Unusable::Image(e)) => {
                self.warn(
                    &file,
                    format!("cannot use the image ({e}): published as it is, no sizes made"),
                );
                return None;
            }
        };
        let header = facts.header;
        if header.encoding != named {
            self.warn(
                &file,
                format!(
                    "the file is a {} image, although its name says {}: its sizes are made as {}",
                    header.encoding.name(),
                    named.name(),
                    header.encoding.name()
                ),
            );
        }
        Some(Source {
            path: path.to_string(),
            file,
            hash: facts.hash,
            header,
        })
    }

    /// The variants of the source at `path` for the default theme, made once per build.
    pub fn picture(&self, path: &str) -> Option<Arc<Picture>> {
        let source = self.source(path)?;
        self.pictures
            .get(path, || self.make_picture(source).map(Arc::new))
    }

    fn make_picture(&self, source: Arc<Source>) -> Option<Picture> {
        let s = &self.settings;
        let (w, h, own) = (source.width(), source.height(), source.encoding());
        if own == Encoding::Gif {
            return Some(Picture {
                source,
                sizes: Vec::new(),
                cards: Vec::new(),
                social: None,
            });
        }
        let encodings = plan::encodings(&s.formats, own);
        let mut sizes = Vec::new();
        let mut cards = Vec::new();
        for &enc in &encodings {
            for width in plan::widths(&s.widths, w) {
                sizes.push(Spec::scaled(w, h, width, enc));
            }
            for &width in &s.card_widths {
                let spec = Spec::filled((w, h), CARD_RATIO, width, enc);
                if !cards.contains(&spec) {
                    cards.push(spec);
                }
            }
        }
        let social = Spec::scaled(w, h, s.social_width, own);
        let mut all: Vec<Spec> = sizes.iter().chain(&cards).copied().collect();
        all.push(social);
        all.sort_unstable();
        all.dedup();
        let made = self.ensure(&source, &all).ok()?;
        let variant = |spec: &Spec| made[spec].clone();
        Some(Picture {
            sizes: sizes.iter().map(variant).collect(),
            cards: cards.iter().map(variant).collect(),
            social: Some(variant(&social)),
            source,
        })
    }

    /// Processes the lead image of every article (cards and social images show them on many
    /// pages) and publishes their files. Returns the digest of what pages are told about
    /// them, for the build's model digest: a replaced lead image of another size changes it.
    pub fn prepare(&self, site: &Site) -> u128 {
        let answers: Vec<u128> = site
            .articles
            .raw
            .par_iter()
            .map(|a| {
                let picture = lead_path(a).and_then(|p| self.picture(&p));
                if let Some(p) = &picture {
                    self.register(&p.source, p.files());
                }
                record::answer_hash(&picture.map(|p| PictureView::of(self, &p)))
            })
            .collect();
        record::digest(answers.into_iter())
    }

    /// The responsive set of the image at `path` in an article body (recorded for the page).
    pub fn body_picture(&self, path: &str) -> Option<SetView> {
        let (set, _) = self.picture_answer(path);
        record::note(
            ImageRequest::Picture(path.to_string()),
            record::answer_hash(&set),
        );
        set
    }

    /// One size of the image at `path` (the `resize_image` template function; recorded for
    /// the page).
    pub fn resize(
        &self,
        path: &str,
        width: u32,
        height: Option<u32>,
        format: Option<&str>,
    ) -> Result<FileView, String> {
        let request = ImageRequest::Resize {
            path: path.to_string(),
            width,
            height,
            format: format.map(str::to_string),
        };
        let (view, _) = self.resize_answer(path, width, height, format);
        record::note(request, record::answer_hash(&view));
        view
    }

    fn picture_answer(&self, path: &str) -> (Option<SetView>, Option<Arc<Picture>>) {
        let picture = self.picture(path);
        let set = picture.as_ref().map(|p| PictureView::of(self, p).full);
        (set, picture)
    }

    fn resize_answer(
        &self,
        path: &str,
        width: u32,
        height: Option<u32>,
        format: Option<&str>,
    ) -> (Result<FileView, String>, Option<SourceFile>) {
        match self.sized(path, width, height, format) {
            Ok((source, v)) => (Ok(FileView::of(self, &v)), Some((source, v))),
            Err(e) => (Err(e), None),
        }
    }

    /// The file of `resize_image(path, width, height, format)`.
    fn sized(
        &self,
        path: &str,
        width: u32,
        height: Option<u32>,
        format: Option<&str>,
    ) -> Result<SourceFile, String> {
        if !(1..=8192).contains(&width) || height.is_some_and(|h| !(1..=8192).contains(&h)) {
            return Err("width and height must be between 1 and 8192".into());
        }
        let wanted = match format.unwrap_or("original") {
            "original" => None,
            "webp" => Some(Encoding::Webp),
            "jpeg" | "jpg" => Some(Encoding::Jpeg),
            "png" => Some(Encoding::Png),
            other => {
                return Err(format!(
                    "unknown format `{other}` (original, webp, jpeg or png)"
                ));
            }
        };
        let Some(source) = self.source(path) else {
            return Err(if self.settings.enabled {
                format!(
                    "`{path}` is not a JPEG, PNG or WebP file of the site that newsgen can read"
                )
            } else {
                "image processing is off (`[images] enabled = false`)".to_string()
            });
        };
        if source.encoding() == Encoding::Gif {
            return Err(format!("`{path}` is a GIF: GIFs are published as they are"));
        }
        let (w, h) = (source.width(), source.height());
        let enc = wanted.unwrap_or(source.encoding());
        let spec = match height {
            Some(bh) => Spec::filled((w, h), (width, bh), width, enc),
            None => Spec::scaled(w, h, width, enc),
        };
        let mut made = self
            .ensure(&source, &[spec])
            .map_err(|()| format!("cannot process `{path}` (see the warning about its file)"))?;
        let variant = made
            .remove(&spec)
            .expect("ensure answers every spec it was given");
        Ok((source, variant))
    }

    /// What a request is answered now (its hash) and the files the answer shows.
    fn answer(&self, request: &ImageRequest) -> (u128, Vec<SourceFile>) {
        match request {
            ImageRequest::Picture(path) => {
                let (set, picture) = self.picture_answer(path);
                let files = picture.map_or_else(Vec::new, |p| {
                    p.files().map(|v| (p.source.clone(), v.clone())).collect()
                });
                (record::answer_hash(&set), files)
            }
            ImageRequest::Resize {
                path,
                width,
                height,
                format,
            } => {
                let (view, file) = self.resize_answer(path, *width, *height, format.as_deref());
                (record::answer_hash(&view), file.into_iter().collect())
            }
        }
    }

    /// Whether a page that asked for `asked` when it was rendered would get the same answers
    /// now (then its HTML is unchanged as far as images go).
    pub fn still_valid(&self, asked: Option<&PageImages>) -> bool {
        asked.is_none_or(|asked| {
            let answers = asked.requests.iter().map(|r| self.answer(r).0);
            record::digest(answers) == asked.digest
        })
    }

    /// Publishes the files that pages (rendered or kept) asked for.
    pub fn register_pages(&self, pages: Vec<PageImages>) {
        let mut requests: Vec<ImageRequest> = pages.into_iter().flat_map(|p| p.requests).collect();
        requests.sort_unstable();
        requests.dedup();
        requests.par_iter().for_each(|r| {
            for (source, v) in self.answer(r).1 {
                self.register(&source, [&v]);
            }
        });
    }

    /// Makes sure every spec of `source` is in the cache (decoding the source once, only
    /// when something is missing).
    fn ensure(&self, source: &Arc<Source>, specs: &[Spec]) -> Result<HashMap<Spec, Variant>, ()> {
        let missing: Vec<(Spec, PathBuf)> = specs
            .iter()
            .map(|s| (*s, self.entry(source, s)))
            .filter(|(_, e)| !e.is_file())
            .collect();
        if !missing.is_empty() {
            let img = self.decode(source)?;
            for (spec, entry) in &missing {
                self.encode_into(source, &img, spec, entry)?;
            }
        }
        Ok(specs
            .iter()
            .map(|&spec| {
                let path = spec.output_path(&source.path);
                (spec, Variant { path, spec })
            })
            .collect())
    }

    /// Records files of `source` for [`Images::publish`].
    fn register<'v>(&self, source: &Arc<Source>, variants: impl IntoIterator<Item = &'v Variant>) {
        let mut made = self
            .made
            .lock()
            .expect("image list lock poisoned by a panic elsewhere");
        for v in variants {
            let entry = self.entry(source, &v.spec);
            if let Some(other) = made.get(&v.path)
                && other.entry != entry
                && other.source.path != source.path
            {
                self.warn(
                    &source.file,
                    format!(
                        "its sizes would be written to /{} like those of /{}: rename one \
                         of the two",
                        v.path, other.source.path
                    ),
                );
            }
            made.insert(
                v.path.clone(),
                Made {
                    source: source.clone(),
                    spec: v.spec,
                    entry,
                },
            );
        }
    }

    fn entry(&self, source: &Source, spec: &Spec) -> PathBuf {
        cache::entry_path(&self.cache_dir, &source.hash, spec, self.settings.quality)
    }

    fn decode(&self, source: &Source) -> Result<image::DynamicImage, ()> {
        let result = std::fs::read(self.site_dir.join(&source.file))
            .map_err(|e| e.to_string())
            .and_then(|bytes| encode::decode(&bytes));
        result.map_err(|e| {
            self.warn(
                &source.file,
                format!("cannot use the image ({e}): published as it is, no sizes made"),
            )
        })
    }

    fn encode_into(
        &self,
        source: &Source,
        img: &image::DynamicImage,
        spec: &Spec,
        entry: &Path,
    ) -> Result<Vec<u8>, ()> {
        let bytes = encode::render(img, spec, self.settings.quality)
            .map_err(|e| self.warn(&source.file, e))?;
        self.encoded.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = cache::write(entry, &bytes) {
            // The build goes on; the next one encodes again.
            self.warn(
                &source.file,
                format!(
                    "cannot store a processed size in {}: {e}",
                    self.cache_dir.display()
                ),
            );
        }
        Ok(bytes)
    }

    /// Every file the pages referred to so far, by output path.
    fn made_files(&self) -> Vec<(String, Made)> {
        self.made
            .lock()
            .expect("image list lock poisoned by a panic elsewhere")
            .iter()
            .map(|(p, m)| (p.clone(), m.clone()))
            .collect()
    }

    /// A made file's bytes: from the cache, or encoded again when the entry is missing or
    /// damaged (`None` when the source cannot be read any more; it was warned about).
    fn bytes_of(&self, m: &Made) -> Option<Vec<u8>> {
        match cache::read(&m.entry) {
            Some(b) => Some(b),
            None => {
                let img = self.decode(&m.source).ok()?;
                self.encode_into(&m.source, &img, &m.spec, &m.entry).ok()
            }
        }
    }

    /// Writes every file the pages show into the output; a file made by the same recipe
    /// (cache entry) as in the last build is kept without reading it.
    pub fn publish(&self, out: &Output) -> Vec<Diagnostic> {
        self.made_files()
            .par_iter()
            .filter_map(|(path, m)| {
                let name = m.entry.file_name().expect("cache entries have names");
                let key = xxh3_128(name.as_encoded_bytes());
                out.write_derived(path, key, || self.bytes_of(m)).err()
            })
            .collect()
    }

    /// Saves what this build learnt of the sources (see [`sources`]).
    pub fn save_index(&self) -> std::io::Result<()> {
        if self.settings.enabled {
            self.index.save(&self.site_dir)?;
        }
        Ok(())
    }

    /// Copies a content/ or static/ file into the output; JPEGs lose their location and
    /// camera metadata on the way ([`metadata`]) when processing is on.
    pub fn copy_file(&self, out: &Output, file: &Path, dest: &str) -> Result<(), Diagnostic> {
        if !self.settings.enabled || Encoding::from_extension(dest) != Some(Encoding::Jpeg) {
            return out.copy(file, dest);
        }
        let rel = file.strip_prefix(&self.site_dir).unwrap_or(file);
        let header = match self.index.facts(&self.site_dir, rel) {
            Ok(f) if f.header.encoding == Encoding::Jpeg => f,
            // Not a JPEG newsgen can read: published as it is (and warned about where used).
            _ => return out.copy(file, dest),
        };
        let recipe = format!(
            "{} strip-v1 {}",
            header.hash,
            header.header.orientation.to_exif()
        );
        let mut unreadable = false;
        out.write_derived(dest, xxh3_128(recipe.as_bytes()), || {
            let Ok(bytes) = std::fs::read(file) else {
                unreadable = true;
                return None;
            };
            let cleaned = metadata::strip_jpeg(&bytes, header.header.orientation);
            Some(cleaned.unwrap_or(bytes))
        })?;
        if unreadable {
            // Reports the error.
            return out.copy(file, dest);
        }
        Ok(())
    }

    /// Warnings of the build so far, sorted, and the counts.
    pub fn finish(&self) -> (Vec<Diagnostic>, ImageStats) {
        let mut warnings = self
            .warnings
            .lock()
            .expect("image warnings lock poisoned by a panic elsewhere")
            .clone();
        warnings.sort();
        warnings.dedup();
        let published = self.made.lock().map(|m| m.len()).unwrap_or(0);
        let stats = ImageStats {
            sources: self.index.reads(),
            encoded: self.encoded.load(Ordering::Relaxed),
            published,
        };
        (warnings, stats)
    }
}

/// Output path of an article's lead image, when it is a file of the site.
pub fn lead_path(a: &Article) -> Option<String> {
    output_path(a, a.image.as_deref()?)
}

/// Output path of an image URL written in an article (`chart.png` beside the page,
/// `/img/x.jpg` from the root); `None` for other sites' URLs and URLs with a query.
fn output_path(a: &Article, url: &str) -> Option<String> {
    if url.contains(['?', '#', ':']) {
        return None;
    }
    match classify_image(url) {
        ImageUrl::External => None,
        ImageUrl::SiteAbsolute(abs) => Some(abs.to_string()),
        ImageUrl::Relative(rel) => Some(format!("{}{rel}", a.path)),
    }
}

/// The card field `picture` of an article (none without a processed lead image).
pub fn lead_view(site: &Site, a: &Article) -> tera::Value {
    lead_path(a)
        .and_then(|p| site.images.picture(&p))
        .map(|p| tera::Value::from_serializable(&view::PictureView::of(&site.images, &p)))
        .unwrap_or_else(tera::Value::none)
}

/// The responsive set of an image of an article's body (recorded for the page).
pub fn body_set(site: &Site, a: &Article, url: &str) -> Option<view::SetView> {
    site.images.body_picture(&output_path(a, url)?)
}

/// The social-card image of an article, when its lead image was processed.
pub fn social_image(site: &Site, a: &Article) -> Option<view::FileView> {
    let picture = site.images.picture(&lead_path(a)?)?;
    let v = picture.social.as_ref()?;
    Some(view::FileView::of(&site.images, v))
}
