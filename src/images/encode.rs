//! Pixels: decoding a source within memory limits and upright, resizing, encoding.

use std::io::Cursor;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, ImageReader, Limits, metadata::Orientation};

use super::plan::{Encoding, Spec};

/// Largest width or height of a source newsgen decodes (larger ones are copied as they are).
pub const MAX_SIDE: u32 = 16_384;
/// Most memory one decoded source may take, against decompression bombs.
pub const MAX_DECODED_BYTES: u64 = 512 * 1024 * 1024;
/// Most pixels of a source (100 megapixels: 12,000 x 8,333), checked before decoding, so a
/// small file that claims a huge picture costs nothing.
pub const MAX_PIXELS: u64 = 100_000_000;

/// What the header of a source says, read without decoding its pixels.
#[derive(Debug, Clone, Copy)]
pub struct Header {
    /// The format of the bytes, whatever the file name says.
    pub encoding: Encoding,
    /// Size as displayed (after the EXIF orientation).
    pub width: u32,
    pub height: u32,
    pub orientation: Orientation,
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    limits
}

fn decoder(bytes: &[u8]) -> Result<(Encoding, impl ImageDecoder + '_), String> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let encoding = reader
        .format()
        .and_then(Encoding::from_format)
        .ok_or("not a JPEG, PNG, WebP or GIF image")?;
    reader.limits(limits());
    let decoder = reader.into_decoder().map_err(|e| describe(&e))?;
    Ok((encoding, decoder))
}

/// Reads the header: format, displayed size, orientation.
pub fn header(bytes: &[u8]) -> Result<Header, String> {
    let (encoding, mut decoder) = decoder(bytes)?;
    let (w, h) = decoder.dimensions();
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let (width, height) = if turns(orientation) { (h, w) } else { (w, h) };
    if width == 0 || height == 0 {
        return Err("the image is empty (0 pixels)".into());
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!(
            "{width} x {height} pixels is too large to process (the limit is {} megapixels)",
            MAX_PIXELS / 1_000_000
        ));
    }
    if encoding == Encoding::Jpeg && !has_end_marker(bytes) {
        return Err("the JPEG is truncated (it has no end marker)".into());
    }
    Ok(Header {
        encoding,
        width,
        height,
        orientation,
    })
}

/// Whether a JPEG ends with its end-of-image marker (ignoring padding some tools add).
fn has_end_marker(bytes: &[u8]) -> bool {
    let end = bytes
        .iter()
        .rposition(|&b| !matches!(b, 0 | b'\r' | b'\n' | b' '))
        .map_or(0, |i| i + 1);
    bytes[..end].ends_with(&[0xFF, 0xD9])
}

/// Whether an orientation swaps width and height.
fn turns(o: Orientation) -> bool {
    matches!(
        o,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// Decodes the pixels, turned upright, as 8-bit RGB (or RGBA when the source has alpha).
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, String> {
    let (_, mut decoder) = decoder(bytes)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| describe(&e))?;
    img.apply_orientation(orientation);
    Ok(if img.color().has_alpha() {
        DynamicImage::ImageRgba8(img.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(img.into_rgb8())
    })
}

fn describe(e: &image::ImageError) -> String {
    match e {
        image::ImageError::Limits(_) => format!(
            "too large to process (more than {MAX_SIDE} pixels a side or {} MB decoded)",
            MAX_DECODED_BYTES / (1024 * 1024)
        ),
        other => other.to_string(),
    }
}

/// The file of one spec, from a source decoded by [`decode`].
pub fn render(img: &DynamicImage, spec: &Spec, quality: u8) -> Result<Vec<u8>, String> {
    let mut resized = DynamicImage::new(spec.width, spec.height, img.color());
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
        .fit_into_destination(None);
    Resizer::new()
        .resize(img, &mut resized, &options)
        .map_err(|e| format!("cannot resize: {e}"))?;
    encode(&resized, spec.encoding, quality)
}

fn encode(img: &DynamicImage, encoding: Encoding, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match encoding {
        Encoding::Jpeg => {
            let rgb = img.to_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
                .encode_image(&rgb)
                .map_err(|e| format!("cannot encode JPEG: {e}"))?;
        }
        Encoding::Png => {
            img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
                .map_err(|e| format!("cannot encode PNG: {e}"))?;
        }
        Encoding::Webp => {
            let (w, h) = (img.width(), img.height());
            let encoder = match img {
                DynamicImage::ImageRgba8(buf) => webp::Encoder::from_rgba(buf.as_raw(), w, h),
                DynamicImage::ImageRgb8(buf) => webp::Encoder::from_rgb(buf.as_raw(), w, h),
                _ => unreachable!("decode() yields 8-bit RGB or RGBA only"),
            };
            let mem = encoder
                .encode_simple(false, f32::from(quality))
                .map_err(|e| format!("cannot encode WebP: {e:?}"))?;
            out.extend_from_slice(&mem);
        }
        Encoding::Gif => unreachable!("GIFs are never encoded (plan::encodings)"),
    }
    Ok(out)
}
