//! Responsive images (docs/images.md): every JPEG, PNG or WebP that a page shows is written
//! in several widths, in its own format and as WebP, plus 3:2 crops for cards and one width
//! for social cards. Work is done on demand while pages are rendered (so only images in use
//! are processed, in parallel), remembered per source for the build, and kept between builds
//! in a cache named by content hash ([`cache`]); [`Images::publish`] then copies every file
//! the pages refer to into the output.

mod cache;
mod encode;
mod metadata;
pub mod plan;
pub mod template;
pub mod view;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use crate::error::Diagnostic;
use crate::load::config::{Config, ImagesConfig};
use crate::model::{Article, Asset, Site};
use crate::output::Output;
use crate::util::url::{ImageUrl, classify_image};
use plan::{Encoding, Spec};

pub use cache::CACHE_DIR;

/// Width:height of card crops: the default theme shows teaser images at 16:9.
pub const CARD_RATIO: (u32, u32) = (16, 9);

/// A source image as read from its header.
#[derive(Debug)]
pub struct Source {
    /// Output path of the source (`politics/2025/10/30/slug/photo.jpg`).
    pub path: String,
    /// The file, relative to the site (for messages).
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
    /// Sources processed (read and measured).
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
        Images::with(PathBuf::new(), settings, "/".into())
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
    pub fn new(site_dir: &Path, config: &Config) -> Images {
        Images::with(
            site_dir.to_path_buf(),
            config.images.clone(),
            config.base_url.path.clone(),
        )
    }

    fn with(site_dir: PathBuf, settings: ImagesConfig, base_path: String) -> Images {
        Images {
            cache_dir: site_dir.join(CACHE_DIR),
            site_dir,
            settings,
            base_path,
            assets: OnceLock::new(),
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
        let bytes = match std::fs::read(self.site_dir.join(&file)) {
            Ok(b) => b,
            Err(e) => {
                self.warn(&file, format!("cannot read the image: {e}"));
                return None;
            }
        };
        let header = match encode::header(&bytes) {
            Ok(h) => h,
            Err(e) => {
                self.warn(
                    &file,
                    format!("cannot use the image ({e}): published as it is, no sizes made"),
                );
                return None;
            }
        };
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
            hash: cache::source_hash(&bytes),
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
        let made = self.make(&source, &all).ok()?;
        let variant = |spec: &Spec| made[spec].clone();
        Some(Picture {
            sizes: sizes.iter().map(variant).collect(),
            cards: cards.iter().map(variant).collect(),
            social: Some(variant(&social)),
            source,
        })
    }

    /// One variant of the source at `path` (the `resize_image` template function).
    pub fn variant(
        &self,
        path: &str,
        spec_of: impl Fn(&Source) -> Spec,
    ) -> Result<Variant, String> {
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
        let spec = spec_of(&source);
        let made = self
            .make(&source, &[spec])
            .map_err(|()| format!("cannot process `{path}` (see the warning about its file)"))?;
        Ok(made[&spec].clone())
    }

    /// Makes sure every spec of `source` is in the cache (decoding the source once, only
    /// when something is missing) and records the files for [`Images::publish`].
    fn make(&self, source: &Arc<Source>, specs: &[Spec]) -> Result<HashMap<Spec, Variant>, ()> {
        let entries: Vec<(Spec, PathBuf)> =
            specs.iter().map(|s| (*s, self.entry(source, s))).collect();
        let missing: Vec<&(Spec, PathBuf)> = entries.iter().filter(|(_, e)| !e.is_file()).collect();
        if !missing.is_empty() {
            let img = self.decode(source)?;
            for (spec, entry) in missing {
                self.encode_into(source, &img, spec, entry)?;
            }
        }
        let mut made = self
            .made
            .lock()
            .expect("image list lock poisoned by a panic elsewhere");
        let mut out = HashMap::new();
        for (spec, entry) in entries {
            let path = spec.output_path(&source.path);
            if let Some(other) = made.get(&path)
                && other.entry != entry
                && other.source.path != source.path
            {
                self.warn(
                    &source.file,
                    format!(
                        "its sizes would be written to /{path} like those of /{}: rename one \
                         of the two",
                        other.source.path
                    ),
                );
            }
            made.insert(
                path.clone(),
                Made {
                    source: source.clone(),
                    spec,
                    entry,
                },
            );
            out.insert(spec, Variant { path, spec });
        }
        Ok(out)
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

    /// Writes every file the pages referred to into the output.
    pub fn publish(&self, out: &Output) -> Vec<Diagnostic> {
        self.made_files()
            .par_iter()
            .filter_map(|(path, m)| out.write(path, &self.bytes_of(m)?).err())
            .collect()
    }

    /// Writes the files that are not in the served folder `root` yet (a partial rebuild of
    /// `serve`, where an edited article may show an image in a new size). Returns how many.
    pub fn publish_missing(&self, root: &Path) -> Result<usize, Diagnostic> {
        let missing: Vec<(String, Made)> = self
            .made_files()
            .into_iter()
            .filter(|(path, _)| !root.join(path).is_file())
            .collect();
        for (path, m) in &missing {
            let Some(bytes) = self.bytes_of(m) else {
                continue;
            };
            let file = root.join(path);
            let written = file
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&file, bytes));
            written.map_err(|e| {
                Diagnostic::error(&file, None, format!("cannot write the image: {e}"))
            })?;
        }
        Ok(missing.len())
    }

    /// Copies a content/ or static/ file into the output; JPEGs lose their location and
    /// camera metadata on the way ([`metadata`]) when processing is on.
    pub fn copy_file(&self, out: &Output, file: &Path, dest: &str) -> Result<(), Diagnostic> {
        if !self.settings.enabled || Encoding::from_extension(dest) != Some(Encoding::Jpeg) {
            return out.copy(file, dest);
        }
        let bytes = std::fs::read(file)
            .map_err(|e| Diagnostic::error(file, None, format!("cannot read: {e}")))?;
        let cleaned = encode::header(&bytes)
            .ok()
            .filter(|h| h.encoding == Encoding::Jpeg)
            .and_then(|h| metadata::strip_jpeg(&bytes, h.orientation));
        out.write(dest, cleaned.as_deref().unwrap_or(&bytes))
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
        let sources = self.sources.0.lock().map(|m| m.len()).unwrap_or(0);
        let published = self.made.lock().map(|m| m.len()).unwrap_or(0);
        let stats = ImageStats {
            sources,
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

/// The responsive set of an image of an article's body.
pub fn body_set(site: &Site, a: &Article, url: &str) -> Option<view::SetView> {
    let picture = site.images.picture(&output_path(a, url)?)?;
    Some(view::PictureView::of(&site.images, &picture).full)
}

/// The social-card image of an article, when its lead image was processed.
pub fn social_image(site: &Site, a: &Article) -> Option<view::FileView> {
    let picture = site.images.picture(&lead_path(a)?)?;
    let v = picture.social.as_ref()?;
    Some(view::FileView::of(&site.images, v))
}
