//! Files that come with a report (screenshots) or that staff add to a case as evidence.
//!
//! A photo taken on a phone says where and when it was taken and on which device; a
//! screenshot saved by an editor can carry the editor's name. None of that is the content the
//! desk acts on, and some of it points at the person who reported. So every image is checked
//! and rewritten without its metadata before anything stores it: EXIF (GPS, device, dates),
//! XMP, IPTC, comments and text chunks are removed, and so is anything after the image's end.
//! Only what a viewer needs to draw the picture stays (colour profiles, transparency, the
//! animation loop), plus the EXIF orientation, rewritten alone, so a phone photo is not shown
//! sideways.
//!
//! Images are never decoded here: the checks walk the container (JPEG segments, PNG chunks,
//! the WebP RIFF, GIF blocks) and copy the picture's own bytes unchanged.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::workflow::FieldError;

/// The largest file accepted, before metadata is removed.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// How many files one report may carry.
pub const MAX_REPORT_FILES: usize = 3;

/// The kinds of file the desk accepts, told by their first bytes, never by a name or a
/// declared type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaType {
    Jpeg,
    Png,
    Webp,
    Gif,
    Pdf,
}

impl MediaType {
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Webp => "image/webp",
            MediaType::Gif => "image/gif",
            MediaType::Pdf => "application/pdf",
        }
    }

    /// The name stored with the file.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpeg",
            MediaType::Png => "png",
            MediaType::Webp => "webp",
            MediaType::Gif => "gif",
            MediaType::Pdf => "pdf",
        }
    }

    pub fn parse(s: &str) -> Option<MediaType> {
        [
            MediaType::Jpeg,
            MediaType::Png,
            MediaType::Webp,
            MediaType::Gif,
            MediaType::Pdf,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }

    pub fn is_image(self) -> bool {
        self != MediaType::Pdf
    }

    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpg",
            other => other.as_str(),
        }
    }

    fn label(self) -> &'static str {
        match self {
            MediaType::Jpeg => "JPEG",
            MediaType::Png => "PNG",
            MediaType::Webp => "WebP",
            MediaType::Gif => "GIF",
            MediaType::Pdf => "PDF",
        }
    }
}

/// A file as it will be stored: checked, without metadata, named by the hash of these bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanFile {
    pub media_type: MediaType,
    pub bytes: Vec<u8>,
    /// Lower-case hex SHA-256 of `bytes`: the file's address, and what a notice to a
    /// platform can name it by (`sha256:…`).
    pub sha256: String,
    /// The kinds of metadata that were removed ("EXIF", "XMP", …), for the audit event and
    /// to tell the reporter.
    pub removed: Vec<&'static str>,
}

/// A citizen's file: an image (JPEG, PNG, WebP, GIF), checked, its metadata removed.
/// `field` names the file in errors (`files[1]`).
pub fn accept_report_file(field: &str, bytes: &[u8]) -> Result<CleanFile, FieldError> {
    accept(field, bytes, false)
}

/// A file staff add as evidence: the same images (also without metadata), or a PDF kept as
/// it is (an official document's own metadata is part of the record).
pub fn accept_evidence_file(field: &str, bytes: &[u8]) -> Result<CleanFile, FieldError> {
    accept(field, bytes, true)
}

/// A report carries at most [`MAX_REPORT_FILES`] files.
pub fn check_report_file_count(n: usize) -> Result<(), FieldError> {
    if n > MAX_REPORT_FILES {
        return Err(FieldError::new(
            "files",
            format!("Mỗi phản ánh gửi tối đa {MAX_REPORT_FILES} ảnh (đã chọn {n})."),
            format!("A report can carry at most {MAX_REPORT_FILES} images ({n} chosen)."),
        ));
    }
    Ok(())
}

fn accept(field: &str, bytes: &[u8], pdf_allowed: bool) -> Result<CleanFile, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::new(field, "Tệp rỗng.", "The file is empty."));
    }
    if bytes.len() > MAX_FILE_BYTES {
        let mb = |n: usize| format!("{:.1}", n as f64 / (1024.0 * 1024.0));
        return Err(FieldError::new(
            field,
            format!(
                "Tệp lớn {} MB, quá giới hạn {} MB.",
                mb(bytes.len()),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            format!(
                "The file is {} MB, over the {} MB limit.",
                mb(bytes.len()),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let Some(media_type) = sniff(bytes) else {
        return Err(unknown_type(field, bytes, pdf_allowed));
    };
    let cleaned = match media_type {
        MediaType::Jpeg => jpeg::clean(bytes),
        MediaType::Png => png::clean(bytes),
        MediaType::Webp => webp::clean(bytes),
        MediaType::Gif => gif::clean(bytes),
        MediaType::Pdf if pdf_allowed => Ok((bytes.to_vec(), Vec::new())),
        MediaType::Pdf => {
            return Err(FieldError::new(
                field,
                "Phản ánh chỉ nhận ảnh (JPEG, PNG, WebP, GIF), không nhận tệp PDF; hãy chụp màn hình trang cần phản ánh.",
                "Reports take images only (JPEG, PNG, WebP, GIF), not PDF files; send a screenshot of the page instead.",
            ))
        }
    };
    let (bytes, removed) = cleaned.map_err(|damage| {
        FieldError::new(
            field,
            format!(
                "Tệp ảnh {} bị hỏng hoặc không đầy đủ ({}).",
                media_type.label(),
                damage.vi
            ),
            format!(
                "The {} image is damaged or incomplete ({}).",
                media_type.label(),
                damage.en
            ),
        )
    })?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(CleanFile {
        media_type,
        bytes,
        sha256,
        removed,
    })
}

fn sniff(b: &[u8]) -> Option<MediaType> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(MediaType::Jpeg)
    } else if b.starts_with(png::SIGNATURE) {
        Some(MediaType::Png)
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some(MediaType::Webp)
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        Some(MediaType::Gif)
    } else if b.starts_with(b"%PDF-") {
        Some(MediaType::Pdf)
    } else {
        None
    }
}

fn unknown_type(field: &str, b: &[u8], pdf_allowed: bool) -> FieldError {
    // iPhones save photos as HEIC; their screenshots are PNG, and browsers usually convert.
    let heif = b.len() >= 12
        && &b[4..8] == b"ftyp"
        && [
            &b"heic"[..],
            b"heix",
            b"mif1",
            b"msf1",
            b"heim",
            b"hevc",
            b"avif",
        ]
        .contains(&&b[8..12]);
    if heif {
        return FieldError::new(
            field,
            "Ảnh HEIC/AVIF (thường từ iPhone) chưa được nhận; hãy gửi ảnh chụp màn hình, hoặc lưu ảnh dưới dạng JPEG.",
            "HEIC/AVIF images (often from iPhones) are not accepted; send a screenshot, or save the photo as JPEG.",
        );
    }
    if pdf_allowed {
        FieldError::new(
            field,
            "Chỉ nhận ảnh JPEG, PNG, WebP, GIF hoặc tệp PDF; tệp này không phải loại nào trong số đó.",
            "Only JPEG, PNG, WebP or GIF images and PDF files are accepted; this file is none of them.",
        )
    } else {
        FieldError::new(
            field,
            "Chỉ nhận ảnh JPEG, PNG, WebP hoặc GIF; tệp này không phải ảnh loại nào trong số đó.",
            "Only JPEG, PNG, WebP or GIF images are accepted; this file is none of them.",
        )
    }
}

/// What was wrong with a damaged file, in both languages, for the error message.
#[derive(Debug)]
struct Damage {
    vi: &'static str,
    en: &'static str,
}

const NO_IMAGE: Damage = Damage {
    vi: "không có dữ liệu ảnh",
    en: "no image data",
};

const TRUNCATED: Damage = Damage {
    vi: "tệp bị cắt cụt",
    en: "the file is cut short",
};

type Cleaned = Result<(Vec<u8>, Vec<&'static str>), Damage>;

fn note(removed: &mut Vec<&'static str>, kind: &'static str) {
    if !removed.contains(&kind) {
        removed.push(kind);
    }
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]) as usize)
}

fn be32(b: &[u8], at: usize) -> Option<usize> {
    let s = b.get(at..at + 4)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]) as usize)
}

fn le32(b: &[u8], at: usize) -> Option<usize> {
    let s = b.get(at..at + 4)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
}

mod jpeg {
    use super::{be16, note, Cleaned, Damage, NO_IMAGE, TRUNCATED};

    const SOI: u8 = 0xD8;
    const EOI: u8 = 0xD9;
    const SOS: u8 = 0xDA;
    const APP0: u8 = 0xE0;
    const APP1: u8 = 0xE1;
    const APP2: u8 = 0xE2;
    const APP13: u8 = 0xED;
    const APP14: u8 = 0xEE;
    const COM: u8 = 0xFE;

    const BAD_MARKER: Damage = Damage {
        vi: "cấu trúc JPEG sai",
        en: "broken JPEG structure",
    };

    pub(super) fn clean(b: &[u8]) -> Cleaned {
        let Walked {
            mut out,
            removed,
            orientation,
        } = walk(b)?;
        if let Some(o) = orientation {
            // Right after SOI (and JFIF, if any): where readers look for it.
            let at = if out.get(3) == Some(&APP0) {
                be16(&out, 4).map_or(2, |l| 4 + l)
            } else {
                2
            };
            out.splice(at..at, super::exif::orientation_segment(o));
        }
        Ok((out, removed))
    }

    struct Walked {
        out: Vec<u8>,
        removed: Vec<&'static str>,
        orientation: Option<u16>,
    }

    /// Walks every segment, scans included, so that metadata placed after the first scan
    /// (progressive files can have several) is found too; stops at the end-of-image marker
    /// and drops whatever a phone or an editor appended after it. Returns the kept bytes, what
    /// was removed, and the EXIF orientation if the photo had one.
    fn walk(b: &[u8]) -> Result<Walked, Damage> {
        let mut out = Vec::with_capacity(b.len());
        let mut removed = Vec::new();
        out.extend_from_slice(&[0xFF, SOI]);
        let mut i = 2;
        let mut frame = false;
        let mut scanned = false;
        let mut orientation = None;
        loop {
            // Fill bytes (0xFF runs) may precede a marker.
            while b.get(i) == Some(&0xFF) && b.get(i + 1) == Some(&0xFF) {
                i += 1;
            }
            let Some(&ff) = b.get(i) else {
                if scanned {
                    // A scan that runs to the end without its end marker still shows; the
                    // marker is put back.
                    out.extend_from_slice(&[0xFF, EOI]);
                    return Ok(Walked {
                        out,
                        removed,
                        orientation,
                    });
                }
                return Err(TRUNCATED);
            };
            if ff != 0xFF {
                return Err(BAD_MARKER);
            }
            let marker = *b.get(i + 1).ok_or(TRUNCATED)?;
            match marker {
                EOI => {
                    if !scanned {
                        return Err(NO_IMAGE);
                    }
                    out.extend_from_slice(&[0xFF, EOI]);
                    if i + 2 < b.len() {
                        note(&mut removed, "data after the image");
                    }
                    return Ok(Walked {
                        out,
                        removed,
                        orientation,
                    });
                }
                SOI | 0x01 | 0xD0..=0xD7 | 0x00 => return Err(BAD_MARKER),
                _ => {}
            }
            let len = be16(b, i + 2).ok_or(TRUNCATED)?;
            if len < 2 {
                return Err(BAD_MARKER);
            }
            let end = i + 2 + len;
            let segment = b.get(i..end).ok_or(TRUNCATED)?;
            let payload = &segment[4..];
            let dropped = match marker {
                // A JFIF header may carry a thumbnail, and a JFXX segment is one: made before
                // an edit, a thumbnail can still show what was cropped out. The header is kept
                // without it.
                APP0 if payload.starts_with(b"JFIF\0") && payload.len() >= 14 => {
                    if payload.len() > 14 || payload[12] != 0 || payload[13] != 0 {
                        out.extend_from_slice(&[0xFF, APP0, 0, 16]);
                        out.extend_from_slice(&payload[..12]);
                        out.extend_from_slice(&[0, 0]);
                        Some("thumbnail")
                    } else {
                        None
                    }
                }
                APP0 if payload.starts_with(b"JFXX\0") => Some("thumbnail"),
                APP2 if payload.starts_with(b"ICC_PROFILE\0") => None,
                // Adobe's colour-transform header is 12 bytes; anything after is not it.
                APP14 if payload.starts_with(b"Adobe") && payload.len() >= 12 => {
                    if payload.len() > 12 {
                        out.extend_from_slice(&[0xFF, APP14, 0, 14]);
                        out.extend_from_slice(&payload[..12]);
                        Some("other metadata")
                    } else {
                        None
                    }
                }
                APP1 if payload.starts_with(b"Exif\0\0") => {
                    let o = super::exif::orientation(&payload[6..]);
                    orientation = orientation.or(o);
                    // The block this module writes holds nothing but the orientation.
                    match o {
                        Some(o) if segment == super::exif::orientation_segment(o) => Some(""),
                        _ => Some("EXIF"),
                    }
                }
                APP1 if payload.starts_with(b"http://ns.adobe.com/") => Some("XMP"),
                APP13 => Some("IPTC"),
                COM => Some("comment"),
                // What draws the picture: frames (SOFn), tables (DHT, DAC, DQT), the restart
                // interval, the line count and the scans. Any other segment (APPn, JPGn, the
                // reserved ones) can carry anything, so it goes.
                0xC0..=0xCF | 0xDA | 0xDB | 0xDC | 0xDD if marker != 0xC8 => None,
                _ => Some("other metadata"),
            };
            match dropped {
                Some("") => {}
                Some(kind) => note(&mut removed, kind),
                None => out.extend_from_slice(segment),
            }
            // Start-of-frame markers: C0–CF but for DHT (C4), JPG (C8) and DAC (CC).
            if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
                frame = true;
            }
            i = end;
            if marker == SOS {
                if !frame {
                    return Err(NO_IMAGE);
                }
                scanned = true;
                // Entropy-coded data runs to the next marker that is neither a stuffed zero
                // nor a restart marker.
                let start = i;
                while i < b.len() {
                    if b[i] == 0xFF {
                        match b.get(i + 1) {
                            Some(0x00) | Some(0xD0..=0xD7) => i += 2,
                            Some(0xFF) | None => i += 1,
                            Some(_) => break,
                        }
                    } else {
                        i += 1;
                    }
                }
                let stop = i.min(b.len());
                out.extend_from_slice(&b[start..stop]);
                i = stop;
            }
        }
    }
}

/// The EXIF orientation tag, read from a TIFF structure and written back alone.
mod exif {
    const ORIENTATION: u16 = 0x0112;

    /// Orientation (1–8) from IFD0 of an EXIF TIFF block, if it is there and sane.
    pub(super) fn orientation(tiff: &[u8]) -> Option<u16> {
        let big = match tiff.get(..2)? {
            b"MM" => true,
            b"II" => false,
            _ => return None,
        };
        let u16_at = |at: usize| -> Option<u16> {
            let s = tiff.get(at..at + 2)?;
            Some(if big {
                u16::from_be_bytes([s[0], s[1]])
            } else {
                u16::from_le_bytes([s[0], s[1]])
            })
        };
        let u32_at = |at: usize| -> Option<u32> {
            let s = tiff.get(at..at + 4)?;
            Some(if big {
                u32::from_be_bytes([s[0], s[1], s[2], s[3]])
            } else {
                u32::from_le_bytes([s[0], s[1], s[2], s[3]])
            })
        };
        let ifd = u32_at(4)? as usize;
        let entries = u16_at(ifd)? as usize;
        (0..entries.min(512)).find_map(|k| {
            let e = ifd + 2 + 12 * k;
            if u16_at(e)? != ORIENTATION || u16_at(e + 2)? != 3 {
                return None;
            }
            let v = u16_at(e + 8)?;
            (2..=8).contains(&v).then_some(v)
        })
    }

    /// An APP1 segment holding an EXIF block with the orientation and nothing else.
    pub(super) fn orientation_segment(o: u16) -> Vec<u8> {
        let mut tiff = Vec::with_capacity(26);
        tiff.extend_from_slice(b"MM\0\x2A\0\0\0\x08");
        tiff.extend_from_slice(&1u16.to_be_bytes());
        tiff.extend_from_slice(&ORIENTATION.to_be_bytes());
        tiff.extend_from_slice(&3u16.to_be_bytes());
        tiff.extend_from_slice(&1u32.to_be_bytes());
        tiff.extend_from_slice(&o.to_be_bytes());
        tiff.extend_from_slice(&[0, 0]);
        tiff.extend_from_slice(&0u32.to_be_bytes());
        let mut seg = vec![0xFF, 0xE1];
        let len = 2 + 6 + tiff.len();
        seg.extend_from_slice(&(len as u16).to_be_bytes());
        seg.extend_from_slice(b"Exif\0\0");
        seg.extend_from_slice(&tiff);
        seg
    }
}

mod png {
    use super::{be32, note, Cleaned, Damage, TRUNCATED};

    pub(super) const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

    /// The chunks that are the picture.
    const CRITICAL: [&[u8; 4]; 4] = [b"IHDR", b"PLTE", b"IDAT", b"IEND"];

    /// Ancillary chunks a viewer needs to draw the image right; every other chunk (text,
    /// EXIF, time, and any unknown one, even one named as critical) is dropped.
    const KEPT: [&[u8; 4]; 12] = [
        b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"bKGD", b"pHYs", b"acTL", b"fcTL",
        b"fdAT", b"cICP",
    ];

    pub(super) fn clean(b: &[u8]) -> Cleaned {
        let mut out = Vec::with_capacity(b.len());
        let mut removed = Vec::new();
        out.extend_from_slice(SIGNATURE);
        let mut i = SIGNATURE.len();
        let mut first = true;
        loop {
            let len = be32(b, i).ok_or(TRUNCATED)?;
            let end = i
                .checked_add(12)
                .and_then(|e| e.checked_add(len))
                .ok_or(TRUNCATED)?;
            let chunk = b.get(i..end).ok_or(TRUNCATED)?;
            let kind: [u8; 4] = [chunk[4], chunk[5], chunk[6], chunk[7]];
            if !kind.iter().all(u8::is_ascii_alphabetic) {
                return Err(Damage {
                    vi: "cấu trúc PNG sai",
                    en: "broken PNG structure",
                });
            }
            if first && &kind != b"IHDR" {
                return Err(Damage {
                    vi: "thiếu phần đầu IHDR",
                    en: "no IHDR header",
                });
            }
            first = false;
            if CRITICAL.contains(&&kind) || KEPT.contains(&&kind) {
                out.extend_from_slice(chunk);
            } else {
                note(
                    &mut removed,
                    match &kind {
                        b"eXIf" => "EXIF",
                        b"tEXt" | b"zTXt" | b"iTXt" => "text",
                        b"tIME" => "time",
                        _ => "other metadata",
                    },
                );
            }
            i = end;
            if &kind == b"IEND" {
                if i < b.len() {
                    note(&mut removed, "data after the image");
                }
                return Ok((out, removed));
            }
        }
    }
}

mod webp {
    use super::{le32, note, Cleaned, NO_IMAGE, TRUNCATED};

    const EXIF_FLAG: u8 = 0x08;
    const XMP_FLAG: u8 = 0x04;

    /// Keeps the chunks that make up the picture (and its colour profile and animation);
    /// drops EXIF, XMP and unknown chunks, and clears their flags in the VP8X header.
    pub(super) fn clean(b: &[u8]) -> Cleaned {
        let declared = le32(b, 4).ok_or(TRUNCATED)?;
        let end = declared.checked_add(8).ok_or(TRUNCATED)?;
        let body = b.get(12..end).ok_or(TRUNCATED)?;
        let mut removed = Vec::new();
        if end < b.len() {
            note(&mut removed, "data after the image");
        }
        let mut chunks = Vec::with_capacity(body.len());
        let mut i = 0;
        let mut image = false;
        while i < body.len() {
            let size = le32(body, i + 4).ok_or(TRUNCATED)?;
            let padded = size.checked_add(size & 1).ok_or(TRUNCATED)?;
            let stop = (i + 8).checked_add(padded).ok_or(TRUNCATED)?;
            // The last chunk's pad byte is sometimes missing; the data itself must be there.
            let data_end = i + 8 + size;
            if data_end > body.len() {
                return Err(TRUNCATED);
            }
            let fourcc = &body[i..i + 4];
            let chunk = &body[i..stop.min(body.len())];
            let kept = match fourcc {
                b"VP8X" => {
                    if chunk.len() < 9 {
                        return Err(TRUNCATED);
                    }
                    let mut c = chunk.to_vec();
                    c[8] &= !(EXIF_FLAG | XMP_FLAG);
                    Some(c)
                }
                b"VP8 " | b"VP8L" | b"ANMF" => {
                    image = true;
                    Some(chunk.to_vec())
                }
                b"ALPH" | b"ANIM" | b"ICCP" => Some(chunk.to_vec()),
                b"EXIF" => {
                    note(&mut removed, "EXIF");
                    None
                }
                b"XMP " => {
                    note(&mut removed, "XMP");
                    None
                }
                _ => {
                    note(&mut removed, "other metadata");
                    None
                }
            };
            // Only a kept chunk brings its pad byte (restored when the file lacked it).
            if let Some(c) = kept {
                chunks.extend_from_slice(&c);
                if c.len() % 2 == 1 {
                    chunks.push(0);
                }
            }
            i = stop;
        }
        if !image {
            return Err(NO_IMAGE);
        }
        let mut out = Vec::with_capacity(chunks.len() + 12);
        out.extend_from_slice(b"RIFF");
        let size = u32::try_from(chunks.len() + 4).map_err(|_| TRUNCATED)?;
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(b"WEBP");
        out.extend_from_slice(&chunks);
        Ok((out, removed))
    }
}

mod gif {
    use super::{note, Cleaned, Damage, NO_IMAGE, TRUNCATED};

    const BROKEN: Damage = Damage {
        vi: "cấu trúc GIF sai",
        en: "broken GIF structure",
    };

    /// Length of the data sub-blocks starting at `i`, up to and including the terminator.
    fn sub_blocks(b: &[u8], mut i: usize) -> Result<usize, Damage> {
        let start = i;
        loop {
            let n = *b.get(i).ok_or(TRUNCATED)? as usize;
            i += 1 + n;
            if n == 0 {
                return Ok(i - start);
            }
            if i > b.len() {
                return Err(TRUNCATED);
            }
        }
    }

    /// Keeps the image descriptors, graphic controls and the loop count; drops comments and
    /// other applications' blocks (XMP among them).
    pub(super) fn clean(b: &[u8]) -> Cleaned {
        let mut removed = Vec::new();
        let flags = *b.get(10).ok_or(TRUNCATED)?;
        let mut i = 13;
        if flags & 0x80 != 0 {
            i += 3 << ((flags & 7) + 1);
        }
        let mut out = b.get(..i).ok_or(TRUNCATED)?.to_vec();
        let mut image = false;
        loop {
            match *b.get(i).ok_or(TRUNCATED)? {
                0x3B => {
                    if !image {
                        return Err(NO_IMAGE);
                    }
                    out.push(0x3B);
                    if i + 1 < b.len() {
                        note(&mut removed, "data after the image");
                    }
                    return Ok((out, removed));
                }
                0x2C => {
                    let flags = *b.get(i + 9).ok_or(TRUNCATED)?;
                    let mut j = i + 10;
                    if flags & 0x80 != 0 {
                        j += 3 << ((flags & 7) + 1);
                    }
                    j += 1; // LZW minimum code size
                    let end = j + sub_blocks(b, j)?;
                    out.extend_from_slice(b.get(i..end).ok_or(TRUNCATED)?);
                    image = true;
                    i = end;
                }
                0x21 => {
                    let label = *b.get(i + 1).ok_or(TRUNCATED)?;
                    let end = i + 2 + sub_blocks(b, i + 2)?;
                    let block = b.get(i..end).ok_or(TRUNCATED)?;
                    // Kept blocks are written in their one standard shape, so that no data
                    // can ride in extra sub-blocks behind them.
                    let kept: Option<Vec<u8>> = match label {
                        // Graphic control: 4 bytes (disposal, delay, transparent colour).
                        0xF9 => block.get(3..7).filter(|_| block[2] == 4).map(|d| {
                            let mut g = vec![0x21, 0xF9, 4];
                            g.extend_from_slice(d);
                            g.push(0);
                            g
                        }),
                        // The loop count: `03 01 lo hi`.
                        0xFF => {
                            let app = block.get(3..14).unwrap_or_default();
                            let looped = app == b"NETSCAPE2.0" || app == b"ANIMEXTS1.0";
                            match block.get(14..18) {
                                Some([3, 1, lo, hi]) if looped => {
                                    let mut l = vec![0x21, 0xFF, 11];
                                    l.extend_from_slice(app);
                                    l.extend_from_slice(&[3, 1, *lo, *hi, 0]);
                                    Some(l)
                                }
                                _ => None,
                            }
                        }
                        _ => None,
                    };
                    match kept {
                        Some(k) => out.extend_from_slice(&k),
                        None => note(
                            &mut removed,
                            match label {
                                0xFE => "comment",
                                0x01 => "text",
                                0xFF if block.get(3..11) == Some(&b"XMP Data"[..]) => "XMP",
                                _ => "other metadata",
                            },
                        ),
                    }
                    i = end;
                }
                _ => return Err(BROKEN),
            }
        }
    }
}

#[cfg(test)]
mod tests;
