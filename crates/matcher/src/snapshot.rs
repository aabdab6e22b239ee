//! Snapshot format: the library's claims as normalised text, so loading
//! skips normalisation and rebuilds the index in one pass.
//!
//! Layout (little endian): magic `KCML`, u32 version, u32 count, then per
//! claim: u32 id length, id bytes, u32 text length, text bytes as the index
//! reads them (normalised, links made tokens), u8 has-date, i64 date when
//! present, u32 vector length, f32 values.

use thiserror::Error;

use crate::Library;

const MAGIC: &[u8; 4] = b"KCML";
/// 2: links are stored as tokens. A version-1 text holds them normalised,
/// which cut them apart, and would index them differently from a query.
/// 3: bare domains (`tuoitre.vn/…`) are links too.
const VERSION: u32 = 3;

/// Why snapshot bytes could not be loaded.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SnapshotError {
    #[error("không phải ảnh chụp thư viện / not a library snapshot (bad magic)")]
    BadMagic,
    #[error("phiên bản ảnh chụp {0} không hỗ trợ / unsupported snapshot version {0}")]
    Version(u32),
    #[error("ảnh chụp bị cắt cụt / snapshot truncated at byte {0}")]
    Truncated(usize),
    #[error("ảnh chụp có văn bản không hợp lệ / snapshot holds invalid UTF-8 at byte {0}")]
    Utf8(usize),
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(SnapshotError::Truncated(self.pos))?;
        let s = self
            .bytes
            .get(self.pos..end)
            .ok_or(SnapshotError::Truncated(self.pos))?;
        self.pos = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, SnapshotError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn i64(&mut self) -> Result<i64, SnapshotError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(i64::from_le_bytes(a))
    }
    fn str(&mut self) -> Result<&'a str, SnapshotError> {
        let n = self.u32()? as usize;
        let at = self.pos;
        std::str::from_utf8(self.take(n)?).map_err(|_| SnapshotError::Utf8(at))
    }
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

impl Library {
    /// The library as bytes; [`Library::from_snapshot`] restores it (with the
    /// default [`crate::Params`]).
    pub fn snapshot(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.slots.len() * 256);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        put_len(&mut out, self.len());
        // Slot order, so a restored library assigns the same tie-breaks.
        for doc in self.slots.iter().flatten() {
            put_len(&mut out, doc.id.len());
            out.extend_from_slice(doc.id.as_bytes());
            put_len(&mut out, doc.normalized.len());
            out.extend_from_slice(doc.normalized.as_bytes());
            match doc.verified_at {
                Some(t) => {
                    out.push(1);
                    out.extend_from_slice(&t.to_le_bytes());
                }
                None => out.push(0),
            }
            let v = doc.vector.as_deref().unwrap_or(&[]);
            put_len(&mut out, v.len());
            for x in v {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        out
    }

    pub fn from_snapshot(bytes: &[u8]) -> Result<Library, SnapshotError> {
        let mut r = Reader { bytes, pos: 0 };
        if r.take(4)? != MAGIC {
            return Err(SnapshotError::BadMagic);
        }
        let version = r.u32()?;
        if version != VERSION {
            return Err(SnapshotError::Version(version));
        }
        let count = r.u32()?;
        let mut entries: Vec<(&str, &str, Option<i64>, &[u8])> = Vec::new();
        for _ in 0..count {
            let id = r.str()?;
            let text = r.str()?;
            let dated = match r.take(1)?[0] {
                0 => None,
                _ => Some(r.i64()?),
            };
            let n = r.u32()? as usize;
            let raw = r.take(n.checked_mul(4).ok_or(SnapshotError::Truncated(r.pos))?)?;
            entries.push((id, text, dated, raw));
        }
        let mut lib = Library::new();
        // Written by `snapshot`, so already normalised: loading skips the
        // most expensive step of indexing, and extracts features on all cores.
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let items: Vec<(&str, &str, Option<i64>)> =
            entries.iter().map(|e| (e.0, e.1, e.2)).collect();
        lib.bulk_insert(&items, threads, |t| t.to_owned(), |_, _| {});
        for (id, _, _, raw) in entries {
            if !raw.is_empty() {
                let v: Vec<f32> = raw
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect();
                lib.upsert_vector(id, &v);
            }
        }
        Ok(lib)
    }
}
