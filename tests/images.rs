//! Responsive images end to end (docs/images.md): sources made with the `image` crate, built
//! with the real pipeline, outputs decoded again and pages read with an HTML parser.

mod common;

use std::io::Cursor;

use common::{Fixture, attrs};
use image::{DynamicImage, ImageFormat, RgbImage};
use scraper::{Html, Selector};

/// A photo-like gradient, so encoders have real work and sizes are realistic.
fn photo(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x * 255 / w) as u8,
            (y * 255 / h) as u8,
            ((x ^ y) & 0xff) as u8,
        ])
    })
}

fn encoded(img: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    encoded(DynamicImage::ImageRgb8(photo(w, h)), ImageFormat::Jpeg)
}

fn png(w: u32, h: u32) -> Vec<u8> {
    encoded(DynamicImage::ImageRgb8(photo(w, h)), ImageFormat::Png)
}

/// Decodes an output file: (format, width, height).
fn decoded(f: &Fixture, rel: &str) -> (ImageFormat, u32, u32) {
    let bytes = std::fs::read(f.out().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let format = image::guess_format(&bytes).unwrap();
    let img = image::load_from_memory(&bytes).unwrap();
    (format, img.width(), img.height())
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

/// `url 400w, url 800w` → [(output path, width)] (base path `/`).
fn srcset(list: &str) -> Vec<(String, u32)> {
    list.split(", ")
        .map(|item| {
            let (url, w) = item.rsplit_once(' ').unwrap();
            let w = w.strip_suffix('w').unwrap().parse().unwrap();
            (url.trim_start_matches('/').to_string(), w)
        })
        .collect()
}

const ARTICLE: &str = "politics/2025/11/02/budget/";

fn photo_site() -> Fixture {
    // No `[images]`: processing is on by default.
    let f = Fixture::new("[sections.politics]\n");
    f.article(
        "politics/2025-11-02-budget/index.md",
        "title = \"Budget day\"\ndate = 2025-11-02T09:00:00+13:00\nimage = \"lead.jpg\"\nfeatured = true",
        "The numbers:\n\n![A chart of the budget](chart.png \"Budget\")\n\nAnd the hall: ![hall](/img/hall.jpg)",
    );
    f.write_bytes(
        "content/politics/2025-11-02-budget/lead.jpg",
        &jpeg(1700, 1133),
    );
    f.write_bytes(
        "content/politics/2025-11-02-budget/chart.png",
        &png(1000, 600),
    );
    f.write_bytes("static/img/hall.jpg", &jpeg(900, 600));
    f.article(
        "politics/2025-11-01-older.md",
        "title = \"Older story\"\ndate = 2025-11-01T09:00:00+13:00\nimage = \"/img/hall.jpg\"",
        "Text.",
    );
    f
}

#[test]
fn lead_images_come_in_every_width_and_format_with_their_sizes() {
    let f = photo_site();
    let report = f.build().unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let doc = f.html(&format!("{ARTICLE}index.html"));
    let lead = select(&doc, ".lead-image picture");
    assert_eq!(lead.len(), 1);
    let webp = attrs(
        &doc,
        ".lead-image picture source[type=\"image/webp\"]",
        "srcset",
    );
    let jpeg_set = attrs(&doc, ".lead-image picture img", "srcset");
    let expect = [400, 800, 1200, 1600];
    for (list, format, ext) in [
        (&webp[0], ImageFormat::WebP, "webp"),
        (&jpeg_set[0], ImageFormat::Jpeg, "jpg"),
    ] {
        let files = srcset(list);
        assert_eq!(files.iter().map(|(_, w)| *w).collect::<Vec<_>>(), expect);
        for (path, w) in files {
            assert!(path.ends_with(&format!(".{w}w.{ext}")), "{path}");
            let h = (1133 * w + 850) / 1700;
            assert_eq!(decoded(&f, &path), (format, w, h), "{path}");
        }
    }
    let img = select(&doc, ".lead-image img")[0].value();
    assert_eq!(img.attr("width"), Some("800"));
    assert_eq!(img.attr("height"), Some("533"));
    assert_eq!(
        img.attr("loading"),
        None,
        "the lead image is above the fold"
    );
    // The original stays available, unchanged (it has no metadata to remove).
    let original = format!("{ARTICLE}lead.jpg");
    assert_eq!(
        std::fs::read(f.out().join(&original)).unwrap(),
        std::fs::read(f.path().join("content/politics/2025-11-02-budget/lead.jpg")).unwrap()
    );
    // Social cards get 1,200 px in the source's format, with its size.
    let og = attrs(&doc, "meta[property=\"og:image\"]", "content");
    let og_path = og[0].strip_prefix("https://news.example.org/").unwrap();
    assert_eq!(decoded(&f, og_path), (ImageFormat::Jpeg, 1200, 800));
    assert_eq!(
        attrs(&doc, "meta[property=\"og:image:width\"]", "content"),
        ["1200"]
    );
}

#[test]
fn body_images_and_cards_have_sizes_and_every_img_has_width_and_height() {
    let f = photo_site();
    f.build().unwrap();
    let doc = f.html(&format!("{ARTICLE}index.html"));
    let body_imgs = select(&doc, ".article-body picture img");
    assert_eq!(body_imgs.len(), 2, "both body images become <picture>");
    let chart = body_imgs[0].value();
    assert_eq!(chart.attr("alt"), Some("A chart of the budget"));
    assert_eq!(chart.attr("title"), Some("Budget"));
    assert_eq!(chart.attr("loading"), Some("lazy"));
    let chart_sizes = srcset(chart.attr("srcset").unwrap());
    assert_eq!(
        chart_sizes.iter().map(|(_, w)| *w).collect::<Vec<_>>(),
        [400, 800, 1000],
        "never wider than the 1,000 px source"
    );
    assert_eq!(
        decoded(&f, &chart_sizes[2].0),
        (ImageFormat::Png, 1000, 600)
    );
    let hall = body_imgs[1].value();
    assert!(hall.attr("src").unwrap().starts_with("/img/hall."));

    // Cards: 16:9 crops; the lead teaser is eager, the others lazy.
    let front = f.html("index.html");
    let cards = select(&front, ".teaser-img img");
    assert!(cards.len() >= 2, "{}", cards.len());
    let first = cards[0].value();
    assert_eq!(first.attr("loading"), None);
    for card in &cards[1..] {
        assert_eq!(card.value().attr("loading"), Some("lazy"));
    }
    for (path, w) in srcset(first.attr("srcset").unwrap()) {
        let (_, dw, dh) = decoded(&f, &path);
        assert_eq!((dw, dh), (w, (w * 9 + 8) / 16), "{path}");
    }

    // No layout shift anywhere: every <img> of every page states its size.
    let mut seen = 0;
    for file in common::all_files(&f.out()) {
        if file.extension().is_some_and(|e| e == "html") {
            let doc = Html::parse_document(&std::fs::read_to_string(f.out().join(&file)).unwrap());
            for img in select(&doc, "img") {
                seen += 1;
                assert!(
                    img.value().attr("width").is_some() && img.value().attr("height").is_some(),
                    "{}: {}",
                    file.display(),
                    img.html()
                );
            }
        }
    }
    assert!(seen >= 6, "{seen}");
}

/// Names of the files in the cache folder.
fn cache_entries(f: &Fixture) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(f.path().join(".newsgen/images"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Sets a file's modification time to 2023-11-14, far from the two seconds before a build in
/// which newsgen does not trust a file's stamp (docs/images.md, "The cache").
fn backdate(path: &std::path::Path) {
    let t = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    common::set_modified(path, t);
}

#[test]
fn a_rebuild_encodes_only_new_images_and_repairs_a_damaged_cache_entry() {
    let f = photo_site();
    for file in common::all_files(f.path()) {
        if file.extension().is_some_and(|e| e == "jpg" || e == "png") {
            backdate(&f.path().join(file));
        }
    }
    let first = f.build().unwrap();
    assert!(first.images.encoded >= 20, "{:?}", first.images);
    assert_eq!(first.images.sources, 3, "{:?}", first.images);
    let snapshot = |f: &Fixture| -> Vec<(std::path::PathBuf, Vec<u8>)> {
        common::all_files(&f.out())
            .into_iter()
            .map(|p| (p.clone(), std::fs::read(f.out().join(&p)).unwrap()))
            .collect()
    };
    let before = snapshot(&f);
    let again = f.build().unwrap();
    assert_eq!(
        (again.images.sources, again.images.encoded),
        (0, 0),
        "nothing changed: no image read, nothing encoded"
    );
    assert_eq!((again.rendered, again.files.written), (0, 0));
    assert!(again.images.published >= first.images.encoded);
    assert!(before == snapshot(&f), "the output is byte-identical");
    let trusting_nothing = f.build_with(|o| o.no_cache = true).unwrap();
    assert_eq!(
        (
            trusting_nothing.images.sources,
            trusting_nothing.images.encoded
        ),
        (3, 0),
        "--no-cache reads every image; the encoded files are named by content"
    );

    // One new image: only its files are encoded.
    f.article(
        "politics/2025-11-03-new/index.md",
        "title = \"New\"\ndate = 2025-11-03T09:00:00+13:00\nimage = \"new.jpg\"",
        "Text.",
    );
    f.write_bytes("content/politics/2025-11-03-new/new.jpg", &jpeg(640, 480));
    let entries = cache_entries(&f).len();
    let third = f.build().unwrap();
    let added = cache_entries(&f).len() - entries;
    assert!(added >= 4, "{added}");
    assert_eq!(third.images.encoded, added);
    assert_eq!(third.images.sources, 1, "only the new image is read");

    // A damaged entry is never published: the output keeps the file made from it when it
    // was whole, and a build that needs the file again encodes it again.
    let victim = cache_entries(&f)
        .into_iter()
        .find(|n| n.contains("-400x") && n.ends_with(".jpg"))
        .unwrap();
    let path = f.path().join(".newsgen/images").join(&victim);
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&path, &bytes).unwrap();
    let fourth = f.build().unwrap();
    assert_eq!(
        fourth.images.encoded, 0,
        "the output already holds the file"
    );
    let after = snapshot(&f);
    let fresh = f.path().join("fresh");
    let fifth = f.build_with(|o| o.output = Some(fresh.clone())).unwrap();
    assert_eq!(fifth.images.encoded, 1);
    assert!(cache_entries(&f).contains(&victim));
    assert!(
        after.len() >= before.len() + added,
        "the new image's files are published"
    );
    for (p, b) in &before {
        let now = after.iter().find(|(q, _)| q == p);
        if p.extension()
            .is_some_and(|e| e == "jpg" || e == "webp" || e == "png")
        {
            assert_eq!(now.map(|(_, b)| b), Some(b), "{}", p.display());
            assert_eq!(&std::fs::read(fresh.join(p)).unwrap(), b, "{}", p.display());
        }
    }
}

/// A PNG file that declares `w` x `h` pixels and holds none: what a decompression bomb or a
/// giant scan looks like before its pixels are decoded.
fn png_header_only(w: u32, h: u32) -> Vec<u8> {
    fn crc(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in bytes {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (
            &b"IHDR"[..],
            [&w.to_be_bytes()[..], &h.to_be_bytes(), &[8, 2, 0, 0, 0]].concat(),
        ),
        (
            &b"IDAT"[..],
            vec![0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        ),
        (&b"IEND"[..], Vec::new()),
    ] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let chunk = [kind, &data].concat();
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc(&chunk).to_be_bytes());
    }
    out
}

/// A JPEG with an EXIF block saying "turn 90° clockwise" and a GPS block naming a place.
fn rotated_jpeg_with_location(w: u32, h: u32) -> Vec<u8> {
    let plain = jpeg(w, h);
    // Big-endian TIFF: IFD0 = {Orientation 6, GPSInfo → IFD at 38}; GPS IFD = {GPSMapDatum}.
    let mut tiff = vec![b'M', b'M', 0, 42, 0, 0, 0, 8, 0, 2];
    tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
    tiff.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38]);
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    assert_eq!(tiff.len(), 38);
    tiff.extend_from_slice(&[0, 1, 0x00, 0x12, 0, 2, 0, 0, 0, 12, 0, 0, 0, 56, 0, 0, 0, 0]);
    assert_eq!(tiff.len(), 56);
    tiff.extend_from_slice(b"SECRETPLACE\0");
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

fn cmyk_jpeg(w: u16, h: u16) -> Vec<u8> {
    let pixels: Vec<u8> = (0..u32::from(w) * u32::from(h))
        .flat_map(|i| [(i % 200) as u8, 40, 90, 10])
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85)
        .encode(&pixels, w, h, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    out
}

fn animated_gif() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = image::codecs::gif::GifEncoder::new(&mut out);
        enc.set_repeat(image::codecs::gif::Repeat::Infinite)
            .unwrap();
        let frames = (0..2u8).map(|i| {
            image::Frame::new(image::RgbaImage::from_pixel(
                60,
                40,
                image::Rgba([i * 100, 0, 0, 255]),
            ))
        });
        enc.encode_frames(frames).unwrap();
    }
    out
}

#[test]
fn bad_and_unusual_images_give_warnings_with_the_file_and_never_stop_the_build() {
    let f = Fixture::new("[sections.news]\n[images]\nenabled = true\n");
    let truncated = jpeg(800, 600);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated.jpg", truncated[..truncated.len() / 3].to_vec()),
        ("text.jpg", b"this is not an image".to_vec()),
        ("lies.jpg", png(500, 300)),
        ("huge.png", png_header_only(30_000, 30_000)),
        ("bomb.png", png_header_only(16_000, 16_000)),
        ("cmyk.jpg", cmyk_jpeg(600, 400)),
        ("turned.jpg", rotated_jpeg_with_location(600, 400)),
        ("animated.gif", animated_gif()),
        (
            "logo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>".to_vec(),
        ),
    ];
    for (i, (name, bytes)) in cases.iter().enumerate() {
        let stem = name.split('.').next().unwrap();
        f.article(
            &format!("news/2025-11-{:02}-{stem}/index.md", i + 1),
            &format!(
                "title = \"{stem}\"\ndate = 2025-11-{:02}\nimage = \"{name}\"",
                i + 1
            ),
            &format!("![{stem}]({name})"),
        );
        f.write_bytes(
            &format!("content/news/2025-11-{:02}-{stem}/{name}", i + 1),
            bytes,
        );
    }
    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let warned = |name: &str| {
        stderr
            .lines()
            .any(|l| l.contains("warning") && l.contains(&format!("/{name}:")))
    };
    for name in [
        "truncated.jpg",
        "text.jpg",
        "lies.jpg",
        "huge.png",
        "bomb.png",
    ] {
        assert!(warned(name), "no warning for {name}:\n{stderr}");
    }
    for name in ["cmyk.jpg", "turned.jpg", "animated.gif", "logo.svg"] {
        assert!(!warned(name), "{name} is fine:\n{stderr}");
    }
    assert!(stderr.contains("too large"), "{stderr}");
    assert!(
        stderr.contains("is a PNG image, although its name says JPEG"),
        "{stderr}"
    );
    let page = |stem: &str, i: usize| format!("news/2025/11/{i:02}/{stem}/");
    // The lying file is processed as what it is.
    assert_eq!(
        decoded(&f, &format!("{}lies.400w.png", page("lies", 3))).1,
        400
    );
    // CMYK comes out as RGB JPEG and WebP.
    let cmyk = page("cmyk", 6);
    assert_eq!(
        decoded(&f, &format!("{cmyk}cmyk.400w.jpg")),
        (ImageFormat::Jpeg, 400, 267)
    );
    assert_eq!(
        decoded(&f, &format!("{cmyk}cmyk.400w.webp")),
        (ImageFormat::WebP, 400, 267)
    );
    // EXIF rotation: 600 x 400 stored, 400 x 600 shown; no output carries the location.
    let turned = page("turned", 7);
    assert_eq!(
        decoded(&f, &format!("{turned}turned.400w.jpg")),
        (ImageFormat::Jpeg, 400, 600)
    );
    let doc = f.html(&format!("{turned}index.html"));
    assert_eq!(attrs(&doc, ".lead-image img", "width"), ["400"]);
    assert_eq!(attrs(&doc, ".lead-image img", "height"), ["600"]);
    let dir = f.out().join(&turned);
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(11).any(|w| w == b"SECRETPLACE"));
        files += 1;
    }
    assert!(files >= 8, "{files}");
    // The original keeps its orientation, so it still shows upright.
    let original = std::fs::read(dir.join("turned.jpg")).unwrap();
    let mut decoder = image::ImageReader::new(Cursor::new(&original))
        .with_guessed_format()
        .unwrap()
        .into_decoder()
        .unwrap();
    use image::ImageDecoder;
    assert_eq!(
        decoder.orientation().unwrap(),
        image::metadata::Orientation::Rotate90
    );
    // Animated GIFs and SVGs are published exactly as they are, with no sizes made.
    for (stem, i, name) in [("animated", 8, "animated.gif"), ("logo", 9, "logo.svg")] {
        let dir = f.out().join(page(stem, i));
        assert_eq!(std::fs::read(dir.join(name)).unwrap(), cases[i - 1].1);
        let count = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(count, 2, "{name}: the page and the file only");
    }
    let gif = f.html(&format!("{}index.html", page("animated", 8)));
    assert_eq!(attrs(&gif, ".lead-image img", "width"), ["60"]);
    // `--strict` makes them errors, and the build stops.
    let strict = f.cli(&["build", "--strict"]);
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(!strict.status.success());
    assert!(
        stderr.contains("truncated.jpg: error: cannot use the image (the JPEG is truncated"),
        "{stderr}"
    );
}

#[test]
fn images_settings_choose_widths_and_formats_or_switch_processing_off() {
    let f = photo_site();
    f.write(
        "site.toml",
        &format!(
            "{}[images]\nwidths = [300]\ncard_widths = [200]\nformats = [\"webp\"]\nquality = 60\n",
            std::fs::read_to_string(f.path().join("site.toml")).unwrap()
        ),
    );
    f.build().unwrap();
    let doc = f.html(&format!("{ARTICLE}index.html"));
    let img = select(&doc, ".lead-image img")[0].value();
    assert_eq!(img.attr("src"), Some(&*format!("/{ARTICLE}lead.300w.webp")));
    assert_eq!(
        select(&doc, ".lead-image source").len(),
        0,
        "one format: no <source>"
    );
    assert!(!f.exists(&format!("{ARTICLE}lead.400w.jpg")));

    let off = photo_site();
    off.write(
        "site.toml",
        &format!(
            "{}[images]\nenabled = false\n",
            std::fs::read_to_string(off.path().join("site.toml")).unwrap()
        ),
    );
    off.build().unwrap();
    let doc = off.html(&format!("{ARTICLE}index.html"));
    assert_eq!(
        attrs(&doc, ".lead-image img", "src"),
        [format!("/{ARTICLE}lead.jpg")]
    );
    assert!(select(&doc, "picture").is_empty());
    assert!(!off.path().join(".newsgen").exists());

    let bad = Fixture::new("[images]\nenabled = true\nquality = 0\nwidths = [10]\n");
    let out = bad.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("site.toml:5: error: [images]: `quality` must be between 1 and 100"),
        "{stderr}"
    );
    assert!(
        stderr.contains("widths must be between 16 and 8192"),
        "{stderr}"
    );
}

#[test]
fn themes_ask_for_any_size_with_resize_image() {
    let f = photo_site();
    let toml = std::fs::read_to_string(f.path().join("site.toml")).unwrap();
    f.write("site.toml", &format!("theme = \"mine\"\n{toml}"));
    f.write(
        "themes/mine/templates/404.html",
        "{% set t = resize_image(path=\"/img/hall.jpg\", width=120, height=120, format=\"webp\") %}\
         <img src=\"{{ t.url }}\" width=\"{{ t.width }}\" height=\"{{ t.height }}\" alt=\"\">\
         {% set s = resize_image(path=\"img/hall.jpg\", width=5000) %}<p id=s>{{ s.path }} {{ s.width }}x{{ s.height }} {{ s.type }}</p>",
    );
    f.build().unwrap();
    let doc = f.html("404.html");
    assert_eq!(attrs(&doc, "img", "src"), ["/img/hall.120x120.webp"]);
    assert_eq!(
        decoded(&f, "img/hall.120x120.webp"),
        (ImageFormat::WebP, 120, 120)
    );
    assert_eq!(
        common::texts(&doc, "#s"),
        ["img/hall.900w.jpg 900x600 image/jpeg"]
    );

    f.write(
        "themes/mine/templates/404.html",
        "{% set t = resize_image(path=\"img/missing.jpg\", width=100) %}{{ t.url }}",
    );
    let out = f.cli(&["build"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("404.html") && stderr.contains("img/missing.jpg"),
        "{stderr}"
    );
}

#[test]
fn check_writes_only_the_image_cache_into_the_site_and_build_reuses_it() {
    let f = Fixture::new("[sections.news]\n");
    f.article(
        "news/2025-11-02-pic/index.md",
        "title = \"Pictured\"\ndate = 2025-11-02T09:00:00+13:00\nimage = \"pic.png\"",
        "Text.",
    );
    f.write_bytes("content/news/2025-11-02-pic/pic.png", &png(120, 80));
    let before = common::all_files(f.path());
    let out = f.cli(&["check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let new: Vec<_> = common::all_files(f.path())
        .into_iter()
        .filter(|p| !before.contains(p))
        .collect();
    assert!(new.len() >= 4, "{new:?}");
    assert!(new.iter().all(|p| p.starts_with(".newsgen")), "{new:?}");
    let built = f.build().unwrap();
    assert_eq!(built.images.encoded, 0, "check filled the cache");
    assert!(built.images.published >= 4, "{:?}", built.images);
}
