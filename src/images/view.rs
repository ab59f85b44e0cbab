//! What templates and article bodies get of a [`Picture`]: URLs, sizes and `srcset` lists
//! (docs/templates.md, `picture`).

use serde::Serialize;

use super::plan::Encoding;
use super::{Images, Picture, Variant};

/// `sizes` of body images: the article column (see style.css `.article`).
const BODY_SIZES: &str = "(min-width: 46rem) 44rem, 100vw";

/// One set of files at several widths: `<img src srcset width height>` plus `<source>`s.
#[derive(Debug, Clone, Serialize)]
pub struct SetView {
    /// The fallback file (the source format when it is written).
    pub src: String,
    pub width: u32,
    pub height: u32,
    /// `srcset` of the fallback format (empty when there is one file only).
    pub srcset: String,
    #[serde(rename = "type")]
    pub mime: &'static str,
    /// The other formats (WebP), for `<source type srcset>`.
    pub sources: Vec<SourceView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    #[serde(rename = "type")]
    pub mime: &'static str,
    pub srcset: String,
}

/// A file at one size (`resize_image`, the social card).
#[derive(Debug, Clone, Serialize)]
pub struct FileView {
    pub url: String,
    pub path: String,
    pub width: u32,
    pub height: u32,
    #[serde(rename = "type")]
    pub mime: &'static str,
}

/// The card field `picture`.
#[derive(Debug, Clone, Serialize)]
pub struct PictureView {
    /// Size of the source as displayed.
    pub width: u32,
    pub height: u32,
    /// The whole picture at every width.
    pub full: SetView,
    /// The 16:9 crops for cards.
    pub card: SetView,
    pub social: Option<FileView>,
}

impl FileView {
    pub fn of(images: &Images, v: &Variant) -> FileView {
        FileView {
            url: images.link(&v.path),
            path: v.path.clone(),
            width: v.spec.width,
            height: v.spec.height,
            mime: v.spec.encoding.mime(),
        }
    }
}

impl PictureView {
    pub fn of(images: &Images, p: &Picture) -> PictureView {
        let original = SetView {
            src: images.link(&p.source.path),
            width: p.source.width(),
            height: p.source.height(),
            srcset: String::new(),
            mime: p.source.encoding().mime(),
            sources: Vec::new(),
        };
        PictureView {
            width: p.source.width(),
            height: p.source.height(),
            full: set(images, &p.sizes, 800).unwrap_or_else(|| original.clone()),
            card: set(images, &p.cards, u32::MAX).unwrap_or(original),
            social: p.social.as_ref().map(|v| FileView::of(images, v)),
        }
    }
}

/// The set of `variants` (fallback encoding first); `src` is the narrowest at least
/// `src_width` wide, else the widest.
fn set(images: &Images, variants: &[Variant], src_width: u32) -> Option<SetView> {
    let fallback = variants.first()?.spec.encoding;
    let of = |enc: Encoding| -> Vec<&Variant> {
        variants.iter().filter(|v| v.spec.encoding == enc).collect()
    };
    let srcset = |vs: &[&Variant]| {
        vs.iter()
            .map(|v| format!("{} {}w", images.link(&v.path), v.spec.width))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let main = of(fallback);
    let src = main
        .iter()
        .find(|v| v.spec.width >= src_width)
        .or(main.last())
        .expect("the fallback encoding has at least one variant");
    let mut others: Vec<Encoding> = variants.iter().map(|v| v.spec.encoding).collect();
    others.dedup();
    Some(SetView {
        src: images.link(&src.path),
        width: src.spec.width,
        height: src.spec.height,
        srcset: srcset(&main),
        mime: fallback.mime(),
        sources: others
            .into_iter()
            .filter(|&e| e != fallback)
            .map(|e| SourceView {
                mime: e.mime(),
                srcset: srcset(&of(e)),
            })
            .collect(),
    })
}

/// `<picture>` for an image of an article body, lazily loaded.
pub fn body_html(set: &SetView, alt: &str, title: &str) -> String {
    use crate::util::escape::escape_html as esc;
    let mut html = String::from("<picture>");
    for s in &set.sources {
        html.push_str(&format!(
            "<source type=\"{}\" srcset=\"{}\" sizes=\"{BODY_SIZES}\">",
            s.mime,
            esc(&s.srcset)
        ));
    }
    html.push_str(&format!("<img src=\"{}\"", esc(&set.src)));
    if !set.srcset.is_empty() {
        html.push_str(&format!(
            " srcset=\"{}\" sizes=\"{BODY_SIZES}\"",
            esc(&set.srcset)
        ));
    }
    html.push_str(&format!(
        " width=\"{}\" height=\"{}\" alt=\"{}\"",
        set.width,
        set.height,
        esc(alt)
    ));
    if !title.is_empty() {
        html.push_str(&format!(" title=\"{}\"", esc(title)));
    }
    html.push_str(" loading=\"lazy\" decoding=\"async\"></picture>");
    html
}
