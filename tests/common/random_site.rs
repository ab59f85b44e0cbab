//! A random fixture site and random edits of it, for the equivalence oracles: an incremental
//! build (tests/incremental.rs) and `serve --watch` (tests/serve.rs) after each edit must equal
//! a cold build of the same input.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use super::set_modified;

/// The default theme's article template, the base of the template overrides below.
pub const ARTICLE_TEMPLATE: &str = include_str!("../../themes/default/templates/article.html");

pub const SECTIONS: [&str; 3] = ["politics", "sport", "business"];
pub const TAGS: [&str; 5] = ["common", "economy", "rugby", "election", "housing"];
pub const AUTHORS: [&str; 3] = ["Aroha Ngata", "Ben Li", "Carla Ruiz"];
pub const SOURCES: [&str; 3] = ["Metro Wire", "Reuters/ABC", "Herald"];

/// A small deterministic PRNG (splitmix64): no dependency, same sequence on every machine.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    pub fn subset(&mut self, items: &[&str], max: usize) -> Vec<String> {
        let n = self.below(max + 1);
        let mut out: Vec<String> = Vec::new();
        for _ in 0..n {
            let s = self.pick(items).to_string();
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }
}

/// One article of the fixture, written as a file (or a bundle) from these fields.
#[derive(Debug, Clone)]
pub struct Art {
    pub id: usize,
    /// Folder below content/ (the section folder).
    pub folder: String,
    /// File stem or bundle folder name (`2025-10-03-a3`).
    pub stem: String,
    pub bundle: bool,
    /// Bundle files other than index.md: name → bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    pub title: String,
    pub date: String,
    pub updated: bool,
    pub section: Option<String>,
    pub source: Option<String>,
    pub authors: Vec<String>,
    pub summary: Option<String>,
    pub tags: Vec<String>,
    pub slug: Option<String>,
    pub draft: bool,
    pub featured: bool,
    pub image: Option<String>,
    pub aliases: Vec<String>,
    pub extra: Option<String>,
    pub body: String,
}

/// A small real PNG, `w` x `h` pixels, its colours drawn from `seed`.
pub fn png(w: u32, h: u32, seed: u64) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (seed * 37) as u8,
            (x * 7 + y) as u8,
            (seed >> 3) as u8 ^ y as u8,
        ])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

pub fn toml_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

impl Art {
    pub fn new(id: usize, rng: &mut Rng) -> Art {
        let folder = SECTIONS[id % 3].to_string();
        let future = id % 13 == 7;
        let date = if future {
            format!("2026-02-{:02}T09:00:00+13:00", 1 + id % 27)
        } else {
            random_date(rng)
        };
        let bundle = id.is_multiple_of(4);
        let mut files = BTreeMap::new();
        if bundle {
            files.insert("photo.png".to_string(), png(48, 32, id as u64));
            files.insert("chart.png".to_string(), png(40, 30, id as u64 + 100));
        }
        Art {
            id,
            stem: format!("{}-a{id}", &date[..10]),
            folder,
            bundle,
            files,
            title: format!("Story number {id}"),
            date,
            updated: id % 6 == 2,
            section: None,
            source: id.is_multiple_of(2).then(|| SOURCES[id % 3].to_string()),
            authors: rng.subset(&AUTHORS, 2),
            summary: (id % 3 == 1).then(|| format!("Summary of story {id}.")),
            tags: rng.subset(&TAGS, 3),
            slug: None,
            draft: id % 11 == 5,
            featured: id % 5 == 1,
            image: bundle.then(|| "photo.png".to_string()),
            aliases: if id.is_multiple_of(3) {
                vec![format!("/old/{id}.html")]
            } else {
                Vec::new()
            },
            extra: (id % 4 == 1).then(|| format!("Alt text {id}")),
            body: if bundle {
                format!(
                    "First paragraph of {id}.\n\n![chart](chart.png)\n\nMore on [politics](/politics/)."
                )
            } else {
                format!("First paragraph of {id}.\n\nSecond paragraph of {id}.")
            },
        }
    }

    pub fn dir(&self) -> String {
        if self.bundle {
            format!("content/{}/{}", self.folder, self.stem)
        } else {
            format!("content/{}", self.folder)
        }
    }

    pub fn text(&self) -> String {
        let mut f = vec![
            format!("title = {:?}", self.title),
            format!("date = {}", self.date),
        ];
        if self.updated {
            f.push("updated = 2026-06-01T00:00:00Z".into());
        }
        let opt = |key: &str, v: &Option<String>| v.as_ref().map(|v| format!("{key} = {v:?}"));
        f.extend(opt("section", &self.section));
        f.extend(opt("source", &self.source));
        if !self.authors.is_empty() {
            f.push(format!("authors = {}", toml_list(&self.authors)));
        }
        f.extend(opt("summary", &self.summary));
        if !self.tags.is_empty() {
            f.push(format!("tags = {}", toml_list(&self.tags)));
        }
        f.extend(opt("slug", &self.slug));
        if self.draft {
            f.push("draft = true".into());
        }
        if self.featured {
            f.push("featured = true".into());
        }
        f.extend(opt("image", &self.image));
        if !self.aliases.is_empty() {
            f.push(format!("aliases = {}", toml_list(&self.aliases)));
        }
        if let Some(alt) = &self.extra {
            f.push(format!("\n[extra]\nimage_alt = {alt:?}"));
        }
        format!("+++\n{}\n+++\n{}\n", f.join("\n"), self.body)
    }

    /// The site files of this article: path relative to the site → bytes.
    pub fn site_files(&self, into: &mut BTreeMap<String, Vec<u8>>) {
        if self.bundle {
            into.insert(format!("{}/index.md", self.dir()), self.text().into_bytes());
            for (name, bytes) in &self.files {
                into.insert(format!("{}/{name}", self.dir()), bytes.clone());
            }
        } else {
            into.insert(
                format!("{}/{}.md", self.dir(), self.stem),
                self.text().into_bytes(),
            );
        }
    }
}

pub fn random_date(rng: &mut Rng) -> String {
    format!(
        "2025-{:02}-{:02}T{:02}:{:02}:00+13:00",
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60)
    )
}

/// The whole fixture site as data; [`Site::sync`] writes the files that changed.
pub struct Site {
    pub dir: tempfile::TempDir,
    pub arts: Vec<Art>,
    pub next_id: usize,
    pub section_titles: BTreeMap<String, String>,
    /// site.toml's `language`: English articles are stemmed for search, French ones not.
    pub language: &'static str,
    pub template: Option<usize>,
    pub statics: BTreeMap<String, String>,
    /// `static/img/logo.png`: a lead image of some articles, and `resize_image`'s source in
    /// the template override.
    pub logo: Vec<u8>,
    pub written: BTreeMap<String, Vec<u8>>,
    /// The files the last [`Site::sync`] wrote or deleted (relative to the site).
    pub changed: Vec<String>,
    /// How many times [`Site::sync`] wrote files: the modification time it gives them.
    generation: u64,
}

impl Site {
    pub fn new(seed: u64) -> Site {
        let mut rng = Rng(seed);
        let arts = (0..30).map(|id| Art::new(id, &mut rng)).collect();
        let mut site = Site {
            dir: tempfile::tempdir().unwrap(),
            arts,
            next_id: 30,
            section_titles: SECTIONS
                .iter()
                .map(|s| (s.to_string(), format!("{} desk", s.to_uppercase())))
                .collect(),
            language: "en",
            template: None,
            statics: BTreeMap::from([("notes/a.txt".to_string(), "note a".to_string())]),
            logo: png(32, 32, 7),
            written: BTreeMap::new(),
            changed: Vec::new(),
            generation: 0,
        };
        site.sync();
        site
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn site_files(&self) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        let mut toml = "title = \"Incremental News\"\nbase_url = \"https://news.example.org/\"\n\
                        timezone = \"Pacific/Auckland\"\nper_page = 5\n"
            .to_string();
        toml.push_str(&format!("language = {:?}\n", self.language));
        for (name, title) in &self.section_titles {
            toml.push_str(&format!("\n[sections.{name}]\ntitle = {title:?}\n"));
        }
        files.insert("site.toml".to_string(), toml.into_bytes());
        for a in &self.arts {
            a.site_files(&mut files);
        }
        for (name, text) in &self.statics {
            files.insert(format!("static/{name}"), text.clone().into_bytes());
        }
        files.insert("static/img/logo.png".into(), self.logo.clone());
        if let Some(n) = self.template {
            let marker = format!(
                "{{% block content %}}\n<p class=\"variant\">v{n} {{{{ article.title | length }}}}</p>\
                 {{% set logo = resize_image(path=\"img/logo.png\", width=24) %}}\
                 <img src=\"{{{{ logo.url }}}}\" width=\"{{{{ logo.width }}}}\" height=\"{{{{ logo.height }}}}\" alt=\"\">"
            );
            files.insert(
                "themes/default/templates/article.html".into(),
                ARTICLE_TEMPLATE
                    .replacen("{% block content %}", &marker, 1)
                    .into_bytes(),
            );
        }
        files
    }

    /// Writes the files whose bytes changed and deletes the ones no longer there, leaving every
    /// other file (and its modification time) alone; [`Site::changed`] lists them. Written
    /// files get a modification time of their own, minutes apart and long past, as if edited
    /// well before the build: so a rebuild can find every input as the last build left it
    /// (files modified just before a build are never trusted by their stamp,
    /// `a_racy_edit_is_not_missed` in no_change.rs).
    pub fn sync(&mut self) {
        let files = self.site_files();
        self.changed.clear();
        self.generation += 1;
        let modified = UNIX_EPOCH + Duration::from_secs(1_700_000_000 + 600 * self.generation);
        for (rel, bytes) in &files {
            if self.written.get(rel) != Some(bytes) {
                let p = self.path().join(rel);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(&p, bytes).unwrap();
                set_modified(&p, modified);
                self.changed.push(rel.clone());
            }
        }
        for rel in self.written.keys() {
            if !files.contains_key(rel) {
                std::fs::remove_file(self.path().join(rel)).unwrap();
                self.changed.push(rel.clone());
            }
        }
        self.written = files;
    }

    /// One random edit; returns what it did, for the failure message.
    pub fn edit(&mut self, rng: &mut Rng) -> String {
        let i = rng.below(self.arts.len());
        let id = self.arts[i].id;
        let n = rng.next() % 1000;
        let a = &mut self.arts[i];
        // The article edited, when an arm picks another than `a`.
        let mut target = id;
        let what = match rng.below(31) {
            0 => {
                a.title = format!("Story {id} retitled {n}");
                "title"
            }
            1 => {
                a.date = random_date(rng);
                "date"
            }
            2 => {
                // 10:30Z is 23:30 in Auckland (NZDT), 11:30Z is 00:30 the next day there.
                let hour = if a.date.contains("T10:30") { 11 } else { 10 };
                a.date = format!("2025-11-{:02}T{hour}:30:00Z", 10 + id % 15);
                "date across midnight in the site's time zone"
            }
            3 => {
                a.date = format!("2026-01-{:02}T08:00:00+13:00", 2 + id % 20);
                "date in the future"
            }
            4 => {
                a.updated = !a.updated;
                "updated"
            }
            5 => {
                a.section = (!rng.chance(3)).then(|| rng.pick(&SECTIONS).to_string());
                "section"
            }
            6 => {
                a.source = (!rng.chance(3)).then(|| rng.pick(&SOURCES).to_string());
                "source"
            }
            7 => {
                a.authors = rng.subset(&AUTHORS, 2);
                "authors"
            }
            8 => {
                a.summary = (!rng.chance(2)).then(|| format!("New summary {n}."));
                "summary"
            }
            9 => {
                a.tags = rng.subset(&TAGS, 3);
                "tags"
            }
            10 => {
                let cased = if a.tags.iter().any(|t| t == "common") {
                    "Common"
                } else {
                    "common"
                };
                a.tags.retain(|t| !t.eq_ignore_ascii_case("common"));
                a.tags.push(cased.to_string());
                "tag capitalisation common/Common"
            }
            11 => {
                a.slug = (a.slug.is_none()).then(|| format!("custom-{id}-{n}"));
                "slug"
            }
            12 => {
                a.draft = !a.draft;
                "draft toggled"
            }
            13 => {
                a.featured = !a.featured;
                "featured toggled"
            }
            14 => {
                a.image = match (&a.image, a.bundle && a.files.contains_key("photo.png")) {
                    (Some(_), _) => None,
                    (None, true) => Some("photo.png".into()),
                    (None, false) => Some(if rng.chance(2) {
                        "/img/logo.png".into()
                    } else {
                        "https://img.example.com/x.jpg".into()
                    }),
                };
                "image"
            }
            15 => {
                a.aliases = if a.aliases.is_empty() {
                    vec![format!("/old/{id}-{n}.html")]
                } else {
                    Vec::new()
                };
                "aliases"
            }
            16 => {
                a.extra = (a.extra.is_none()).then(|| format!("Alt {n}"));
                "extra"
            }
            17 => {
                if rng.chance(2) {
                    a.body.push_str(&format!("\n\nAppended sentence {n}."));
                    "body appended"
                } else {
                    a.body = a.body.replacen("First paragraph", &format!("Lead {n}"), 1);
                    a.body
                        .push_str(&format!("\n\nA [broken](/nowhere-{n}/) link."));
                    "body first paragraph and a broken link"
                }
            }
            18 => {
                let mut new = Art::new(self.next_id, rng);
                new.stem = format!("{}-added{}", &new.date[..10], self.next_id);
                self.next_id += 1;
                self.arts.push(new);
                "article added"
            }
            19 => {
                self.arts.remove(i);
                "article deleted"
            }
            20 => {
                a.stem = format!("{}-renamed{n}", &a.date[..10]);
                "article renamed"
            }
            21 => {
                if !a.bundle {
                    a.body.push_str("\n\nNo bundle.");
                    "body (bundle edit on a single file)"
                } else {
                    match rng.below(3) {
                        0 => {
                            a.files
                                .insert(format!("extra{n}.txt"), vec![b'x'; n as usize]);
                            "bundle file added"
                        }
                        1 => {
                            a.files.remove("chart.png");
                            "bundle file deleted"
                        }
                        _ => {
                            let bytes = a.files.remove("chart.png").unwrap_or_default();
                            a.files.insert(format!("chart{n}.png"), bytes);
                            "bundle file renamed"
                        }
                    }
                }
            }
            22 if rng.chance(3) => {
                self.language = if self.language == "en" { "fr" } else { "en" };
                "language in site.toml (search stemmer)"
            }
            22 => {
                let s = rng.pick(&SECTIONS);
                self.section_titles
                    .insert(s.to_string(), format!("{s} pages {n}"));
                "section title in site.toml"
            }
            23 => {
                self.template = (!rng.chance(3)).then_some(n as usize);
                "template override"
            }
            24 if !a.bundle => {
                a.image = match a.image {
                    Some(_) => None,
                    None => Some("/img/logo.png".into()),
                };
                "lead image of a single-file article"
            }
            24 | 29 => {
                // Any bundle article: its lead image replaced (maybe at another size), added
                // or removed.
                let bundles: Vec<usize> = (0..self.arts.len())
                    .filter(|&j| self.arts[j].bundle)
                    .collect();
                if bundles.is_empty() {
                    return "no bundle left".into();
                }
                let b = &mut self.arts[bundles[rng.below(bundles.len())]];
                target = b.id;
                match rng.below(3) {
                    0 => {
                        let w = [48, 64][rng.below(2)];
                        b.files.insert("photo.png".into(), png(w, 32, n));
                        b.image = Some("photo.png".into());
                        "lead image replaced"
                    }
                    1 => {
                        b.files.insert(format!("lead{n}.png"), png(36, 24, n));
                        b.image = Some(format!("lead{n}.png"));
                        "lead image added"
                    }
                    _ => {
                        b.image = None;
                        "lead image removed"
                    }
                }
            }
            25..=27 => {
                // Any article whose body shows a chart.
                let charts: Vec<usize> = (0..self.arts.len())
                    .filter(|&j| self.arts[j].files.contains_key("chart.png"))
                    .collect();
                if charts.is_empty() {
                    return "no chart left to change".into();
                }
                let b = &mut self.arts[charts[rng.below(charts.len())]];
                target = b.id;
                let w = [40, 56][rng.below(2)];
                b.files.insert("chart.png".into(), png(w, 30, n));
                "bundle image of a body changed"
            }
            28 => {
                self.logo = png([32, 32, 48][rng.below(3)], 32, n);
                "static image (a lead image, and resize_image in the template) changed"
            }
            _ => {
                match rng.below(3) {
                    0 => self
                        .statics
                        .insert(format!("notes/n{n}.txt"), format!("note {n}")),
                    1 => self
                        .statics
                        .insert("notes/a.txt".into(), format!("note a changed {n}")),
                    _ => self.statics.remove("notes/a.txt"),
                };
                "static file"
            }
        };
        self.sync();
        format!("{what} (article {target}, n {n})")
    }
}

/// The seeds of an oracle run: two by default, 1..=N with `NEWSGEN_EQUIV_SEEDS=N`.
pub fn seeds() -> Vec<u64> {
    match std::env::var("NEWSGEN_EQUIV_SEEDS") {
        Ok(n) => (1..=n.parse::<u64>().expect("NEWSGEN_EQUIV_SEEDS is a number")).collect(),
        Err(_) => vec![1, 2],
    }
}
