//! Turning an upload into what Marquee stores: the type decided by decoding (never by the
//! name or the `Content-Type` sent), hostile files refused with a sentence for the form, and
//! the picture re-encoded as JPEG into the sizes pages show, cropped to their shape. What is
//! stored is only what Marquee encoded, so metadata (EXIF, GPS positions included) and anything
//! hidden in the upload are gone.

use image::imageops::FilterType;
use image::{DynamicImage, ImageError, ImageFormat, Limits, RgbImage};
use sha2::{Digest, Sha256};

use super::trailing::{has_trailing_data, image_end};

/// The largest upload read, in bytes.
pub const MAX_UPLOAD: usize = 5 * 1024 * 1024;
/// The widest and tallest picture decoded, in pixels: a decompression bomb (a few KB that
/// claim 50,000 × 50,000) is refused from its header, before anything is allocated.
pub const MAX_SIDE: u32 = 8_000;
/// The most memory a decoder may allocate.
const MAX_ALLOC: u64 = 512 * 1024 * 1024;
/// JPEG quality of the stored sizes.
const QUALITY: u8 = 82;

/// What a picture is of, which decides the shape and sizes it is stored in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A movie's poster: 2:3.
    Poster,
    /// A person's portrait: 2:3.
    Portrait,
    /// A member's avatar: square.
    Avatar,
    /// A picture in a post's text: its own shape, never enlarged.
    Illustration,
}

/// The sizes a picture is stored in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    Thumb,
    Card,
    Full,
}

impl Size {
    pub const ALL: [Size; 3] = [Size::Thumb, Size::Card, Size::Full];

    pub fn as_str(self) -> &'static str {
        match self {
            Size::Thumb => "thumb",
            Size::Card => "card",
            Size::Full => "full",
        }
    }

    pub fn parse(value: &str) -> Option<Size> {
        Size::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

impl Kind {
    /// Width and height of `size`, in pixels: exact for a kind cropped to its shape, the box
    /// a [`Kind::Illustration`] is fitted into otherwise.
    pub fn dimensions(self, size: Size) -> (u32, u32) {
        match (self, size) {
            (Kind::Poster | Kind::Portrait, Size::Thumb) => (80, 120),
            (Kind::Poster | Kind::Portrait, Size::Card) => (240, 360),
            (Kind::Poster | Kind::Portrait, Size::Full) => (600, 900),
            (Kind::Avatar, Size::Thumb) => (48, 48),
            (Kind::Avatar, Size::Card) => (96, 96),
            (Kind::Avatar, Size::Full) => (256, 256),
            (Kind::Illustration, Size::Thumb) => (160, 160),
            (Kind::Illustration, Size::Card) => (720, 1080),
            (Kind::Illustration, Size::Full) => (1440, 2160),
        }
    }

    /// Whether its pictures are cropped to its shape (or kept in their own).
    fn crops(self) -> bool {
        self != Kind::Illustration
    }
}

/// One stored size of a picture.
#[derive(Clone, Debug)]
pub struct EncodedFile {
    pub size: Size,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

/// A picture ready to store: its hash (SHA-256 of the full size, hex) and its sizes.
#[derive(Clone, Debug)]
pub struct Encoded {
    pub hash: String,
    pub files: Vec<EncodedFile>,
}

impl Encoded {
    /// The picture as a text shows it: its `card` and `full` dimensions.
    pub fn as_shown(&self) -> Option<markup::Picture> {
        let of = |size: Size| self.files.iter().find(|f| f.size == size);
        Some(markup::Picture {
            hash: self.hash.clone(),
            card: of(Size::Card).map(|f| (f.width, f.height))?,
            full_width: of(Size::Full)?.width,
        })
    }
}

const NOT_A_PICTURE: &str = "Upload a JPEG, PNG, WebP or GIF picture: this file is not one.";
const NOT_WHOLE: &str = "This picture could not be read: the file is damaged or cut short.";

/// Decodes `upload`, refuses it with a sentence for the form when it is not a picture Marquee
/// takes, and encodes it as `kind` in every [`Size`]. CPU-bound: call it off the request
/// threads.
pub fn encode(upload: &[u8], kind: Kind) -> Result<Encoded, String> {
    if upload.is_empty() {
        return Err("The file is empty: choose a picture.".into());
    }
    if upload.len() > MAX_UPLOAD {
        return Err(format!(
            "Pictures may be at most {} MiB.",
            MAX_UPLOAD / 1024 / 1024
        ));
    }
    let format = match image::guess_format(upload) {
        Ok(
            format @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP),
        ) => format,
        _ => return Err(NOT_A_PICTURE.into()),
    };
    let end = image_end(format, upload).ok_or_else(|| NOT_WHOLE.to_owned())?;
    if has_trailing_data(upload, end) {
        return Err(
            "This file holds more than a picture (something follows the image): upload the picture alone."
                .into(),
        );
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    let decoded = imaging::decode(upload, format, limits).map_err(|error| match error {
        ImageError::Limits(_) => {
            format!("This picture is too large: at most {MAX_SIDE} × {MAX_SIDE} pixels.")
        }
        _ => NOT_WHOLE.to_owned(),
    })?;
    renditions(&decoded, kind)
}

/// `decoded` cropped to `kind`'s shape (or fitted into its box) and encoded in every
/// [`Size`].
pub fn renditions(decoded: &DynamicImage, kind: Kind) -> Result<Encoded, String> {
    let mut files = Vec::with_capacity(Size::ALL.len());
    for size in Size::ALL {
        let (width, height) = kind.dimensions(size);
        // Cropped to the shape and scaled first, so only the small result is flattened (when
        // it has an alpha channel at all).
        let scaled = if kind.crops() {
            decoded.resize_to_fill(width, height, FilterType::CatmullRom)
        } else if decoded.width() > width || decoded.height() > height {
            decoded.resize(width, height, FilterType::CatmullRom)
        } else {
            // Never enlarged: a small picture stays as sharp as it came.
            decoded.clone()
        };
        files.push(encoded_file(size, &imaging::flatten(&scaled))?);
    }
    Ok(with_hash(files))
}

/// A picture drawn by `draw(width, height)`, encoded in every [`Size`] of `kind`. A kind cropped
/// to its shape is drawn at each size's dimensions (nothing to scale: the drawing does not
/// depend on its size); an illustration keeps its own `shape`, drawn once and fitted into each
/// size's box as an upload is.
pub fn drawn(
    kind: Kind,
    shape: (u32, u32),
    draw: impl Fn(u32, u32) -> RgbImage,
) -> Result<Encoded, String> {
    if !kind.crops() {
        return renditions(&DynamicImage::ImageRgb8(draw(shape.0, shape.1)), kind);
    }
    let mut files = Vec::with_capacity(Size::ALL.len());
    for size in Size::ALL {
        let (width, height) = kind.dimensions(size);
        files.push(encoded_file(size, &draw(width, height))?);
    }
    Ok(with_hash(files))
}

fn encoded_file(size: Size, picture: &RgbImage) -> Result<EncodedFile, String> {
    let bytes = imaging::jpeg(picture, QUALITY).map_err(|_| NOT_WHOLE.to_owned())?;
    Ok(EncodedFile {
        size,
        content_type: "image/jpeg",
        width: picture.width(),
        height: picture.height(),
        bytes,
    })
}

/// The files with the picture's hash: SHA-256 of the full size, in hex.
fn with_hash(files: Vec<EncodedFile>) -> Encoded {
    let full = files.last().map(|f| f.bytes.as_slice()).unwrap_or_default();
    let hash = Sha256::digest(full)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Encoded { hash, files }
}
