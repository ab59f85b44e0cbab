//! Published originals without camera metadata. A JPEG's EXIF block can carry the GPS
//! position where a photo was taken (a source's home, say); re-encoded variants never carry
//! it, and the original keeps its pixels byte for byte but loses its EXIF, XMP and Photoshop
//! blocks. When the EXIF said how to turn the picture, a minimal EXIF block carrying only
//! that orientation takes its place, so the original still shows upright.

use image::metadata::Orientation;

/// The JPEG without its metadata blocks, or `None` when its segments cannot be followed
/// (then it is not a JPEG newsgen can clean, and the caller reports it).
pub fn strip_jpeg(bytes: &[u8], orientation: Orientation) -> Option<Vec<u8>> {
    let rest = bytes.strip_prefix(&[0xFF, 0xD8])?;
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let exif = orientation_exif(orientation);
    let mut pos = 0;
    let mut inserted = false;
    loop {
        let marker = *rest.get(pos..pos + 2)?.get(1)?;
        if rest[pos] != 0xFF {
            return None;
        }
        // After APP0 (JFIF must come first), before anything else: the orientation block.
        if !inserted && marker != 0xE0 {
            out.extend_from_slice(&exif);
            inserted = true;
        }
        if marker == 0xDA {
            // Start of scan: the compressed pixels and everything after are kept as they are.
            out.extend_from_slice(&rest[pos..]);
            return Some(out);
        }
        let len = usize::from(u16::from_be_bytes([
            *rest.get(pos + 2)?,
            *rest.get(pos + 3)?,
        ]));
        if len < 2 {
            return None;
        }
        let segment = rest.get(pos..pos + 2 + len)?;
        if !is_metadata(marker, &segment[4..]) {
            out.extend_from_slice(segment);
        }
        pos += 2 + len;
    }
}

/// APP1 EXIF or XMP, APP13 (Photoshop, IPTC): the blocks that hold places and names.
fn is_metadata(marker: u8, payload: &[u8]) -> bool {
    match marker {
        0xE1 => payload.starts_with(b"Exif\0") || payload.starts_with(b"http://ns.adobe.com/"),
        0xED => true,
        _ => false,
    }
}

/// An APP1 segment with a one-entry EXIF block: the orientation (none when upright).
fn orientation_exif(orientation: Orientation) -> Vec<u8> {
    let value: u8 = match orientation {
        Orientation::NoTransforms => return Vec::new(),
        Orientation::FlipHorizontal => 2,
        Orientation::Rotate180 => 3,
        Orientation::FlipVertical => 4,
        Orientation::Rotate90FlipH => 5,
        Orientation::Rotate90 => 6,
        Orientation::Rotate270FlipH => 7,
        Orientation::Rotate270 => 8,
    };
    let mut seg = vec![0xFF, 0xE1, 0x00, 34];
    seg.extend_from_slice(b"Exif\0\0");
    // Big-endian TIFF header, first directory at offset 8, one entry, no next directory.
    seg.extend_from_slice(&[b'M', b'M', 0, 42, 0, 0, 0, 8, 0, 1]);
    seg.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, value, 0, 0]);
    seg.extend_from_slice(&[0, 0, 0, 0]);
    seg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_orientation_block_is_well_formed() {
        let seg = orientation_exif(Orientation::Rotate90);
        assert_eq!(usize::from(seg[3]) + 2, seg.len());
        let exif = exif_orientation_of(&seg[4..]);
        assert_eq!(exif, Some(6));
        assert!(orientation_exif(Orientation::NoTransforms).is_empty());
    }

    /// Reads the orientation back the way `image` does.
    fn exif_orientation_of(payload: &[u8]) -> Option<u8> {
        let tiff = payload.strip_prefix(b"Exif\0\0")?;
        Orientation::from_exif_chunk(tiff).map(|o| match o {
            Orientation::Rotate90 => 6,
            _ => 0,
        })
    }

    #[test]
    fn a_file_that_is_not_a_jpeg_is_refused() {
        assert!(strip_jpeg(b"GIF89a", Orientation::NoTransforms).is_none());
        assert!(strip_jpeg(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00], Orientation::NoTransforms).is_none());
    }
}
