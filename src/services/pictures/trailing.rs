//! Where an image's own bytes end, by its container's structure: a file that goes on after
//! that (a ZIP, a script or a page glued to a picture: a polyglot) is refused, and one whose
//! structure stops short (truncated) is not a whole picture. Zero bytes of padding after the
//! end are allowed: some cameras write them.

use image::ImageFormat;

/// `Some(end)`: the image's structure ends at byte `end`; `None`: it is cut short or broken.
pub fn image_end(format: ImageFormat, bytes: &[u8]) -> Option<usize> {
    match format {
        ImageFormat::Png => png_end(bytes),
        ImageFormat::Jpeg => jpeg_end(bytes),
        ImageFormat::Gif => gif_end(bytes),
        ImageFormat::WebP => webp_end(bytes),
        _ => None,
    }
}

/// Whether anything but zero padding follows the image's end.
pub fn has_trailing_data(bytes: &[u8], end: usize) -> bool {
    bytes
        .get(end..)
        .is_some_and(|rest| rest.iter().any(|b| *b != 0))
}

fn be32(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    usize::try_from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])).ok()
}

fn png_end(bytes: &[u8]) -> Option<usize> {
    let mut at = 8;
    loop {
        let length = be32(bytes, at)?;
        let kind = bytes.get(at.checked_add(4)?..at.checked_add(8)?)?;
        // Length, type, data, CRC.
        let end = at.checked_add(12)?.checked_add(length)?;
        if end > bytes.len() {
            return None;
        }
        if kind == b"IEND" {
            return Some(end);
        }
        at = end;
    }
}

fn webp_end(bytes: &[u8]) -> Option<usize> {
    let b = bytes.get(4..8)?;
    let size = usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok()?;
    // The RIFF size counts from byte 8; a chunk of odd size is padded to even.
    let end = size.checked_add(8)?.checked_add(size % 2)?;
    (end <= bytes.len()).then_some(end)
}

/// Skips GIF data sub-blocks from `at`; returns the offset after the terminator.
fn gif_blocks(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let length = usize::from(*bytes.get(at)?);
        at = at.checked_add(1)?;
        if length == 0 {
            return Some(at);
        }
        at = at.checked_add(length)?;
    }
}

fn gif_table(flags: u8) -> usize {
    if flags & 0x80 == 0 {
        0
    } else {
        // 2 to 256 colours of 3 bytes.
        3usize << (u32::from(flags & 0x07) + 1)
    }
}

fn gif_end(bytes: &[u8]) -> Option<usize> {
    // Header (6) and logical screen descriptor (7), then the global colour table.
    let mut at = 13usize.checked_add(gif_table(*bytes.get(10)?))?;
    loop {
        match *bytes.get(at)? {
            0x3B => return at.checked_add(1),
            0x21 => at = gif_blocks(bytes, at.checked_add(2)?)?,
            0x2C => {
                let flags = *bytes.get(at.checked_add(9)?)?;
                // Descriptor (10), local colour table, LZW minimum code size (1), data.
                let data = at.checked_add(10)?.checked_add(gif_table(flags))?;
                at = gif_blocks(bytes, data.checked_add(1)?)?;
            }
            _ => return None,
        }
    }
}

fn jpeg_end(bytes: &[u8]) -> Option<usize> {
    let mut at: usize = 2;
    loop {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        while *bytes.get(at)? == 0xFF {
            at = at.checked_add(1)?;
        }
        let marker = *bytes.get(at)?;
        at = at.checked_add(1)?;
        match marker {
            0xD9 => return Some(at),
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let b = bytes.get(at..at.checked_add(2)?)?;
        at = at.checked_add(usize::from(u16::from_be_bytes([b[0], b[1]])))?;
        if marker == 0xDA {
            // Entropy-coded data: up to the next marker that is not a stuffed 0xFF00 or a
            // restart marker.
            loop {
                if *bytes.get(at)? == 0xFF {
                    let next = *bytes.get(at.checked_add(1)?)?;
                    if next != 0x00 && !(0xD0..=0xD7).contains(&next) {
                        break;
                    }
                    at = at.checked_add(2)?;
                } else {
                    at = at.checked_add(1)?;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png() -> Vec<u8> {
        let mut bytes = std::io::Cursor::new(Vec::new());
        image::RgbImage::new(4, 4)
            .write_to(&mut bytes, ImageFormat::Png)
            .unwrap();
        bytes.into_inner()
    }

    #[test]
    fn an_image_ends_where_its_structure_says_and_padding_is_no_payload() {
        for format in [
            ImageFormat::Png,
            ImageFormat::Jpeg,
            ImageFormat::Gif,
            ImageFormat::WebP,
        ] {
            let mut bytes = std::io::Cursor::new(Vec::new());
            image::RgbImage::from_fn(16, 16, |x, y| image::Rgb([x as u8 * 9, y as u8 * 9, 7]))
                .write_to(&mut bytes, format)
                .unwrap();
            let bytes = bytes.into_inner();
            assert_eq!(image_end(format, &bytes), Some(bytes.len()), "{format:?}");
            let mut padded = bytes.clone();
            padded.extend_from_slice(&[0, 0, 0]);
            assert!(!has_trailing_data(&padded, bytes.len()), "{format:?}");
            let mut glued = bytes.clone();
            glued.extend_from_slice(b"PK\x03\x04");
            assert!(has_trailing_data(&glued, bytes.len()), "{format:?}");
            assert_eq!(
                image_end(format, &bytes[..bytes.len() - 1]),
                None,
                "{format:?} cut short"
            );
        }
    }

    #[test]
    fn a_png_glued_to_a_zip_ends_at_its_iend() {
        let png = png();
        let mut polyglot = png.clone();
        polyglot.extend_from_slice(b"PK\x03\x04 and a zip");
        assert_eq!(image_end(ImageFormat::Png, &polyglot), Some(png.len()));
    }
}
