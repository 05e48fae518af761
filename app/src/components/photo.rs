//! A photo of a code, read on the server at a bounded cost.
//!
//! The size comes from the file's header, and a photo over [`MAX_PIXELS`] is refused before a
//! single pixel is decoded, so a small file that claims a huge picture (a decompression bomb)
//! costs microseconds. PNG rows stream into a grey picture at most [`WORK_SIDE`] pixels a
//! side; a JPEG decodes straight to grey and is scaled down the same way. What is kept in
//! memory is bounded by [`MAX_DECODE_BYTES`], whatever the file says.

use std::io::Cursor;

/// The most pixels a photo may have: a 12-megapixel phone photo (4032 × 3024) fits; the code
/// needs far fewer.
pub const MAX_PIXELS: u64 = 16_000_000;

/// A progressive JPEG keeps every coefficient until its last scan (about 3 bytes a pixel),
/// so it may have fewer pixels.
pub const MAX_PROGRESSIVE_PIXELS: u64 = 8_000_000;

/// The most bytes a decoder may hold at once (its buffers, not counting the file).
pub const MAX_DECODE_BYTES: usize = 40 * 1024 * 1024;

/// Photos are scaled down to at most this many pixels a side before the search for a code:
/// a code fills enough of the frame anyway.
pub const WORK_SIDE: usize = 1600;

/// Why a photo gave no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoError {
    /// Not a PNG or JPEG, or a broken one.
    NotAPhoto,
    /// More pixels than [`MAX_PIXELS`] (or [`MAX_PROGRESSIVE_PIXELS`]).
    TooLarge { width: u64, height: u64 },
    /// A photo, but no QR code could be read in it.
    NoCode,
    /// Every decoding slot stayed busy for [`SLOT_WAIT`].
    Busy,
}

impl std::fmt::Display for PhotoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotAPhoto => f.write_str("That file is not a photo we can read: upload a JPEG or PNG."),
            Self::TooLarge { width, height } => write!(
                f,
                "That photo is {width} × {height} pixels, more than we read ({} megapixels at most): take it again at a lower resolution, or crop it to the code.",
                MAX_PIXELS / 1_000_000
            ),
            Self::Busy => f.write_str(
                "Many photos are being read right now. Try again in a moment, or type the serial printed under the code.",
            ),
            Self::NoCode => f.write_str(
                "No QR code could be read in the photo. Try again closer, with more light and the code flat, or type the serial printed under it.",
            ),
        }
    }
}

/// A grey picture, one byte a pixel, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grey {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

/// Photos decoded at once, at most: decoding is CPU work, done on blocking threads so the
/// request workers stay free, and bounded so a burst of uploads cannot take every core.
pub const DECODE_SLOTS: usize = 2;

/// How long an upload waits for a decoding slot before it is told to try again.
pub const SLOT_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// [`read_code`] on a blocking thread, when one of the [`DECODE_SLOTS`] is free.
pub async fn read_code_in_background(bytes: Vec<u8>) -> Result<String, PhotoError> {
    static SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(DECODE_SLOTS);
    let permit = match tokio::time::timeout(SLOT_WAIT, SLOTS.acquire()).await {
        Ok(Ok(permit)) => permit,
        _ => return Err(PhotoError::Busy),
    };
    tokio::task::spawn_blocking(move || {
        let _slot = permit;
        read_code(&bytes)
    })
    .await
    .unwrap_or(Err(PhotoError::NotAPhoto))
}

/// The text of the first QR code in a photo (JPEG or PNG).
pub fn read_code(bytes: &[u8]) -> Result<String, PhotoError> {
    let grey = decode_grey(bytes)?;
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(grey.width, grey.height, |x, y| {
            grey.pixels[y * grey.width + x]
        });
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok())
        .map(|(_, text)| text.trim().to_owned())
        .find(|text| !text.is_empty())
        .ok_or(PhotoError::NoCode)
}

/// The photo as a grey picture at most [`WORK_SIDE`] pixels a side.
pub fn decode_grey(bytes: &[u8]) -> Result<Grey, PhotoError> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        decode_png(bytes)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        decode_jpeg(bytes)
    } else {
        Err(PhotoError::NotAPhoto)
    }
}

fn check_pixels(width: u64, height: u64, most: u64) -> Result<(), PhotoError> {
    if width == 0 || height == 0 {
        return Err(PhotoError::NotAPhoto);
    }
    if width.saturating_mul(height) > most {
        return Err(PhotoError::TooLarge { width, height });
    }
    Ok(())
}

fn decode_png(bytes: &[u8]) -> Result<Grey, PhotoError> {
    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: MAX_DECODE_BYTES,
        },
    );
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    decoder.set_ignore_text_chunk(true);
    decoder.set_ignore_iccp_chunk(true);
    let header = decoder
        .read_header_info()
        .map_err(|_| PhotoError::NotAPhoto)?;
    check_pixels(header.width.into(), header.height.into(), MAX_PIXELS)?;
    let interlaced = header.interlaced;
    let mut reader = decoder.read_info().map_err(|_| PhotoError::NotAPhoto)?;
    let (colour, _) = reader.output_color_type();
    let channels = colour.samples();
    let info = reader.info();
    let (width, height) = (info.width as usize, info.height as usize);
    let mut out = Shrink::new(width, height);
    let mut row_grey = vec![0u8; width];
    if interlaced {
        // Adam7 rows come pass by pass: the whole frame is needed, within the decode budget.
        let size = reader.output_buffer_size().ok_or(PhotoError::NotAPhoto)?;
        if size > MAX_DECODE_BYTES {
            return Err(PhotoError::TooLarge {
                width: width as u64,
                height: height as u64,
            });
        }
        let mut frame = vec![0u8; size];
        let frame_info = reader
            .next_frame(&mut frame)
            .map_err(|_| PhotoError::NotAPhoto)?;
        for row in frame.chunks_exact(frame_info.line_size).take(height) {
            to_grey(row, channels, &mut row_grey);
            out.push_row(&row_grey);
        }
    } else {
        while let Some(row) = reader.next_row().map_err(|_| PhotoError::NotAPhoto)? {
            to_grey(row.data(), channels, &mut row_grey);
            out.push_row(&row_grey);
        }
    }
    out.finish()
}

fn decode_jpeg(bytes: &[u8]) -> Result<Grey, PhotoError> {
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::Luma)
        .set_strict_mode(false)
        // Every size a JPEG can name is read from its header, so an oversized one is told
        // apart from a broken one; the pixel bound below decides.
        .set_max_width(usize::from(u16::MAX))
        .set_max_height(usize::from(u16::MAX));
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
        zune_jpeg::zune_core::bytestream::ZCursor::new(bytes),
        options,
    );
    decoder
        .decode_headers()
        .map_err(|_| PhotoError::NotAPhoto)?;
    let info = decoder.info().ok_or(PhotoError::NotAPhoto)?;
    let most = if info.sof.is_sequential_dct() {
        MAX_PIXELS
    } else {
        MAX_PROGRESSIVE_PIXELS
    };
    check_pixels(info.width.into(), info.height.into(), most)?;
    let channels = decoder
        .output_colorspace()
        .ok_or(PhotoError::NotAPhoto)?
        .num_components();
    let size = decoder.output_buffer_size().ok_or(PhotoError::NotAPhoto)?;
    if size > MAX_DECODE_BYTES || !(1..=4).contains(&channels) {
        return Err(PhotoError::TooLarge {
            width: info.width.into(),
            height: info.height.into(),
        });
    }
    let mut pixels = vec![0u8; size];
    decoder
        .decode_into(&mut pixels)
        .map_err(|_| PhotoError::NotAPhoto)?;
    let (width, height) = (usize::from(info.width), usize::from(info.height));
    let mut out = Shrink::new(width, height);
    let mut row_grey = vec![0u8; width];
    for row in pixels.chunks_exact(width * channels).take(height) {
        to_grey(row, channels, &mut row_grey);
        out.push_row(&row_grey);
    }
    out.finish()
}

/// One row of 8-bit samples (grey, grey + alpha, RGB or RGBA) as grey, transparent parts
/// white (a code printed on a transparent background reads as on paper).
fn to_grey(row: &[u8], channels: usize, grey: &mut [u8]) {
    for (pixel, out) in row.chunks_exact(channels).zip(grey.iter_mut()) {
        let (value, alpha) = match *pixel {
            [v] => (u32::from(v), 255),
            [v, a] => (u32::from(v), u32::from(a)),
            [r, g, b] => (luma(r, g, b), 255),
            [r, g, b, a] => (luma(r, g, b), u32::from(a)),
            _ => (255, 255),
        };
        *out = ((value * alpha + 255 * (255 - alpha)) / 255) as u8;
    }
}

/// ITU-R BT.601 luma, in integers.
fn luma(r: u8, g: u8, b: u8) -> u32 {
    (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000
}

/// Scales rows down by a whole factor (each output pixel the mean of a factor × factor box) so
/// neither side exceeds [`WORK_SIDE`], holding only one band of sums.
struct Shrink {
    factor: usize,
    width: usize,
    out_width: usize,
    sums: Vec<u32>,
    rows_in_band: usize,
    pixels: Vec<u8>,
}

impl Shrink {
    fn new(width: usize, height: usize) -> Self {
        let factor = width.max(height).div_ceil(WORK_SIDE).max(1);
        let out_width = width.div_ceil(factor);
        Self {
            factor,
            width,
            out_width,
            sums: vec![0; out_width],
            rows_in_band: 0,
            pixels: Vec::with_capacity(out_width * height.div_ceil(factor)),
        }
    }

    fn push_row(&mut self, row: &[u8]) {
        for (x, &value) in row.iter().take(self.width).enumerate() {
            self.sums[x / self.factor] += u32::from(value);
        }
        self.rows_in_band += 1;
        if self.rows_in_band == self.factor {
            self.flush_band();
        }
    }

    fn flush_band(&mut self) {
        for (x, sum) in self.sums.iter_mut().enumerate() {
            let columns = self.factor.min(self.width - x * self.factor);
            let count = (columns * self.rows_in_band) as u32;
            self.pixels.push((*sum / count) as u8);
            *sum = 0;
        }
        self.rows_in_band = 0;
    }

    fn finish(mut self) -> Result<Grey, PhotoError> {
        if self.rows_in_band > 0 {
            self.flush_band();
        }
        if self.pixels.is_empty() {
            return Err(PhotoError::NotAPhoto);
        }
        Ok(Grey {
            width: self.out_width,
            height: self.pixels.len() / self.out_width,
            pixels: self.pixels,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, colour: png::ColorType, pixels: &[u8]) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(colour);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(pixels).unwrap();
        writer.finish().unwrap();
        bytes
    }

    /// A PNG whose header claims `width` × `height` and whose data is one deflated run of
    /// zero rows: a few hundred kilobytes that would decode to gigabytes.
    fn png_bomb(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::High);
        let mut header = encoder.write_header().unwrap();
        let mut writer = header.stream_writer().unwrap();
        let row = vec![0u8; width as usize * 4];
        use std::io::Write;
        for _ in 0..64 {
            writer.write_all(&row).unwrap();
        }
        drop(writer);
        drop(header);
        bytes
    }

    #[test]
    fn a_picture_that_claims_too_many_pixels_is_refused_from_its_header() {
        let bomb = png_bomb(20_000, 20_000);
        assert_eq!(
            decode_grey(&bomb),
            Err(PhotoError::TooLarge {
                width: 20_000,
                height: 20_000
            })
        );
        let message = PhotoError::TooLarge {
            width: 20_000,
            height: 20_000,
        }
        .to_string();
        assert!(
            message.contains("20000 × 20000 pixels") && message.contains("16 megapixels"),
            "{message}"
        );
    }

    #[test]
    fn colour_and_transparency_become_grey_on_white() {
        // Red, black, transparent, half-transparent black.
        let rgba = [255, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128];
        let grey = decode_grey(&png(4, 1, png::ColorType::Rgba, &rgba)).unwrap();
        assert_eq!((grey.width, grey.height), (4, 1));
        assert_eq!(grey.pixels, vec![76, 0, 255, 127]);
    }

    #[test]
    fn a_large_photo_is_scaled_down_by_averaging() {
        // 3200 × 2, columns alternating black and white: halved to 1600 × 1 mid-grey pixels.
        let width = 3200u32;
        let pixels: Vec<u8> = (0..2 * width)
            .map(|i| if i % 2 == 0 { 0 } else { 255 })
            .collect();
        let grey = decode_grey(&png(width, 2, png::ColorType::Grayscale, &pixels)).unwrap();
        assert_eq!((grey.width, grey.height), (1600, 1));
        assert!(
            grey.pixels.iter().all(|&p| p == 127),
            "{:?}",
            &grey.pixels[..4]
        );
    }

    #[test]
    fn odd_sizes_average_the_partial_boxes_at_the_edges() {
        // 1601 × 3 white with a black last column: factor 2, the last box one column wide.
        let mut pixels = vec![255u8; 1601 * 3];
        for y in 0..3 {
            pixels[y * 1601 + 1600] = 0;
        }
        let grey = decode_grey(&png(1601, 3, png::ColorType::Grayscale, &pixels)).unwrap();
        assert_eq!((grey.width, grey.height), (801, 2));
        assert_eq!(grey.pixels[800], 0);
        assert_eq!(grey.pixels[0], 255);
    }

    #[test]
    fn files_that_are_not_photos_are_named_so() {
        assert_eq!(decode_grey(b"not a photo"), Err(PhotoError::NotAPhoto));
        assert_eq!(
            decode_grey(b"\x89PNG\r\n\x1a\n broken"),
            Err(PhotoError::NotAPhoto)
        );
        assert_eq!(
            decode_grey(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Err(PhotoError::NotAPhoto)
        );
        let mut cut = png(10, 10, png::ColorType::Grayscale, &[0; 100]);
        cut.truncate(cut.len() - 30);
        assert_eq!(decode_grey(&cut), Err(PhotoError::NotAPhoto));
    }

    const BASELINE: &[u8] = include_bytes!("../../tests/fixtures/qr-baseline.jpg");
    const PROGRESSIVE: &[u8] = include_bytes!("../../tests/fixtures/qr-progressive.jpg");
    const LINK: &str = "https://id.example.org/01/09506000134352/21/SN-JPEG-1";

    /// The JPEG with its frame header's height and width replaced.
    fn jpeg_claiming(jpeg: &[u8], width: u16, height: u16) -> Vec<u8> {
        let mut bytes = jpeg.to_vec();
        let sof = bytes
            .windows(2)
            .position(|pair| pair[0] == 0xFF && matches!(pair[1], 0xC0 | 0xC2))
            .expect("a frame header");
        bytes[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
        bytes[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
        bytes
    }

    #[test]
    fn codes_are_read_from_baseline_and_progressive_jpegs() {
        assert_eq!(read_code(BASELINE).as_deref(), Ok(LINK));
        assert_eq!(read_code(PROGRESSIVE).as_deref(), Ok(LINK));
    }

    #[test]
    fn a_jpeg_that_claims_too_many_pixels_is_refused_from_its_header() {
        assert_eq!(
            decode_grey(&jpeg_claiming(BASELINE, 65_000, 65_000)),
            Err(PhotoError::TooLarge {
                width: 65_000,
                height: 65_000
            })
        );
        // Progressive JPEGs hold every coefficient: their bound is lower.
        assert_eq!(
            decode_grey(&jpeg_claiming(PROGRESSIVE, 4_000, 3_000)),
            Err(PhotoError::TooLarge {
                width: 4_000,
                height: 3_000
            })
        );
    }
}
