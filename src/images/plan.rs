//! Which files to make from a source: arithmetic on sizes and names, no pixels.

use serde::{Deserialize, Serialize};

use crate::load::config::ImageFormat;

/// A file format newsgen reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Encoding {
    Jpeg,
    Png,
    Webp,
    /// Read for its size only: GIFs (often animated) are published as they are.
    Gif,
}

impl Encoding {
    /// The encoding a file name promises (`.jpg`, `.JPEG`, `.png`...).
    pub fn from_extension(name: &str) -> Option<Encoding> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "jpg" | "jpeg" => Some(Encoding::Jpeg),
            "png" => Some(Encoding::Png),
            "webp" => Some(Encoding::Webp),
            "gif" => Some(Encoding::Gif),
            _ => None,
        }
    }

    /// The encoding of a format the `image` crate recognised in a file's bytes.
    pub fn from_format(format: image::ImageFormat) -> Option<Encoding> {
        match format {
            image::ImageFormat::Jpeg => Some(Encoding::Jpeg),
            image::ImageFormat::Png => Some(Encoding::Png),
            image::ImageFormat::WebP => Some(Encoding::Webp),
            image::ImageFormat::Gif => Some(Encoding::Gif),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Encoding::Jpeg => "jpg",
            Encoding::Png => "png",
            Encoding::Webp => "webp",
            Encoding::Gif => "gif",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Encoding::Jpeg => "image/jpeg",
            Encoding::Png => "image/png",
            Encoding::Webp => "image/webp",
            Encoding::Gif => "image/gif",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Encoding::Jpeg => "JPEG",
            Encoding::Png => "PNG",
            Encoding::Webp => "WebP",
            Encoding::Gif => "GIF",
        }
    }
}

/// One file to make: the source scaled to `width` x `height`, cropped around its centre when
/// `crop` is set (the box's ratio differs from the source's), in `encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Spec {
    pub width: u32,
    pub height: u32,
    pub crop: bool,
    pub encoding: Encoding,
}

impl Spec {
    /// The source (`src_w` x `src_h`) scaled to `width`, keeping its ratio, never enlarged.
    pub fn scaled(src_w: u32, src_h: u32, width: u32, encoding: Encoding) -> Spec {
        let width = width.min(src_w).max(1);
        let height = ((u64::from(src_h) * u64::from(width) + u64::from(src_w) / 2)
            / u64::from(src_w))
        .max(1) as u32;
        Spec {
            width,
            height,
            crop: false,
            encoding,
        }
    }

    /// The largest `ratio_w:ratio_h` box of the source, centred, scaled to at most `width`.
    pub fn filled(
        (src_w, src_h): (u32, u32),
        (ratio_w, ratio_h): (u32, u32),
        width: u32,
        encoding: Encoding,
    ) -> Spec {
        let (src_w, src_h, ratio_w, ratio_h) = (
            u64::from(src_w),
            u64::from(src_h),
            u64::from(ratio_w.max(1)),
            u64::from(ratio_h.max(1)),
        );
        let box_w = if src_w * ratio_h >= src_h * ratio_w {
            src_h * ratio_w / ratio_h
        } else {
            src_w
        };
        let width = u64::from(width).min(box_w).max(1);
        let height = ((width * ratio_h + ratio_w / 2) / ratio_w).max(1);
        Spec {
            width: width as u32,
            height: height as u32,
            crop: true,
            encoding,
        }
    }

    /// Output path of this file for the source published at `source_path`: beside it,
    /// `photo.800w.jpg` for a scaled copy, `photo.640x427.webp` for a crop.
    pub fn output_path(&self, source_path: &str) -> String {
        let (dir, name) = match source_path.rsplit_once('/') {
            Some((dir, name)) => (format!("{dir}/"), name),
            None => (String::new(), source_path),
        };
        let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
        let ext = self.encoding.extension();
        if self.crop {
            format!("{dir}{stem}.{}x{}.{ext}", self.width, self.height)
        } else {
            format!("{dir}{stem}.{}w.{ext}", self.width)
        }
    }
}

/// The widths to make of a source `source_width` pixels wide: the configured ones below it,
/// plus the source's own width when a configured width reaches it (no upscaling).
pub fn widths(wanted: &[u32], source_width: u32) -> Vec<u32> {
    let mut out: Vec<u32> = wanted
        .iter()
        .map(|&w| w.min(source_width))
        .filter(|&w| w > 0)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The encodings to write for a source: its own format when `original` is asked for, WebP
/// when `webp` is; the fallback (`<img src>`) comes first.
pub fn encodings(formats: &[ImageFormat], source: Encoding) -> Vec<Encoding> {
    let mut out = Vec::new();
    if formats.contains(&ImageFormat::Original) {
        out.push(source);
    }
    if formats.contains(&ImageFormat::Webp) && !out.contains(&Encoding::Webp) {
        out.push(Encoding::Webp);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_never_exceed_the_source() {
        assert_eq!(
            widths(&[400, 800, 1200, 1600], 2000),
            [400, 800, 1200, 1600]
        );
        assert_eq!(widths(&[400, 800, 1200, 1600], 1000), [400, 800, 1000]);
        assert_eq!(widths(&[400, 800], 300), [300]);
    }

    #[test]
    fn scaled_keeps_the_ratio_and_crops_fill_the_box() {
        let s = Spec::scaled(2000, 1333, 800, Encoding::Jpeg);
        assert_eq!((s.width, s.height), (800, 533));
        assert_eq!(s.output_path("a/b/photo.JPG"), "a/b/photo.800w.jpg");
        // A tall source: the 3:2 box is the full width.
        let c = Spec::filled((1000, 3000), (3, 2), 640, Encoding::Webp);
        assert_eq!((c.width, c.height), (640, 427));
        assert_eq!(c.output_path("photo.png"), "photo.640x427.webp");
        // A narrow source is never enlarged.
        let small = Spec::filled((300, 200), (3, 2), 640, Encoding::Jpeg);
        assert_eq!((small.width, small.height), (300, 200));
    }

    #[test]
    fn encodings_put_the_fallback_first() {
        let both = [ImageFormat::Webp, ImageFormat::Original];
        assert_eq!(
            encodings(&both, Encoding::Jpeg),
            [Encoding::Jpeg, Encoding::Webp]
        );
        assert_eq!(encodings(&both, Encoding::Webp), [Encoding::Webp]);
        assert_eq!(
            encodings(&[ImageFormat::Webp], Encoding::Png),
            [Encoding::Webp]
        );
    }
}
