//! The pixel work of Marquee's pictures: decoding an upload within limits, flattening it onto
//! white, encoding JPEG, and drawing the demo data's pictures. The rules (which files are
//! taken, the sizes and shapes, the sentences a form shows) stay in the app's
//! `services::pictures`.
//!
//! A crate of its own so that the dev profile can build it optimised (`Cargo.toml`): the image
//! crate's decoders and JPEG encoder are generic, so their code is compiled in the crate that
//! calls them, and called from the app crate it was compiled unoptimised there. Drawing and
//! encoding pictures was most of a seed's time in the test build, and the tests seed hundreds
//! of times. Every function here is therefore not generic, so that nothing of it is compiled
//! in the caller.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageFormat, ImageReader, ImageResult, Limits, Rgb, RgbImage};

/// Decodes `bytes` as a picture in `format`, within `limits`.
pub fn decode(bytes: &[u8], format: ImageFormat, limits: Limits) -> ImageResult<DynamicImage> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    reader.decode()
}

/// `image` as RGB: over a white background when it has an alpha channel (JPEG has no
/// transparency), as it is otherwise.
pub fn flatten(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let alpha = u32::from(a);
        let over = |c: u8| {
            let mixed = (u32::from(c) * alpha + 255 * (255 - alpha)) / 255;
            u8::try_from(mixed).unwrap_or(u8::MAX)
        };
        Rgb([over(r), over(g), over(b)])
    })
}

/// `image` encoded as a baseline JPEG of `quality` (1–100).
pub fn jpeg(image: &RgbImage, quality: u8) -> ImageResult<Vec<u8>> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, quality).encode_image(image)?;
    Ok(bytes)
}

/// The colours and the stripe count of a drawn picture.
#[derive(Clone, Copy, Debug)]
pub struct Drawing {
    /// The background's colour at the top, blending into `bottom` downwards.
    pub top: [u8; 3],
    pub bottom: [u8; 3],
    /// The disc's and the stripes' colour.
    pub accent: [u8; 3],
    /// How many diagonal stripes fit in the picture's height (at least 1).
    pub bands: u32,
}

/// A `width` × `height` picture: a vertical gradient, a disc above the middle and diagonal
/// stripes.
pub fn draw(drawing: Drawing, width: u32, height: u32) -> RgbImage {
    let Drawing {
        top,
        bottom,
        accent,
        bands,
    } = drawing;
    RgbImage::from_fn(width, height, |x, y| {
        let mix = |a: u8, b: u8| {
            let t = y * 255 / height.max(1);
            let mixed = (u32::from(a) * (255 - t) + u32::from(b) * t) / 255;
            u8::try_from(mixed).unwrap_or(u8::MAX)
        };
        let (dx, dy) = (x.abs_diff(width / 2), y.abs_diff(height * 2 / 5));
        let radius = width / 4;
        let stripe = (x + y) / (height / bands.max(1)).max(1);
        if dx * dx + dy * dy < radius * radius || stripe.is_multiple_of(4) {
            Rgb(accent)
        } else {
            Rgb([
                mix(top[0], bottom[0]),
                mix(top[1], bottom[1]),
                mix(top[2], bottom[2]),
            ])
        }
    })
}
