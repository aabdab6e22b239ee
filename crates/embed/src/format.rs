//! Reader for the `E5S1` model file (multilingual-e5-small, 4-bit).
//!
//! Layout, all little-endian, as found in `e5-small-q4.bin` (see DESIGN.md §5):
//!
//! ```text
//! 0x00  magic "E5S1", u32 version = 1
//! 0x08  u32 hidden, layers, heads, ff, vocab, max_positions, type_vocab; f32 eps; u32 block (32)
//! 0x2c  u32 n_pieces, bos, eos, pad, unk, blob_len, reserved
//! 0x48  u32 offsets[n_pieces + 1]   (byte offsets into the blob; the last is blob_len)
//!       f32 scores[n_pieces]
//!       u8  blob[blob_len]            (UTF-8 pieces, "▁" marks a word start)
//!       u32 map_count, u32 map_bytes; map_count × (u32 codepoint, u8 len, u32 replacement[len])
//!       u32 tensor_count; tensor_count × (u16 name_len, name, u8 dtype, u32 n, u64 offset, u64 nbytes)
//!       tensor data (dtype 0 = f32, dtype 1 = GGML Q4_0 blocks of 32)
//! ```
//!
//! Every read is bounds-checked, so a truncated or corrupt file is an error, never a panic.

use crate::ModelError;
use std::collections::HashMap;

pub(crate) const MAGIC: &[u8; 4] = b"E5S1";
pub(crate) const VERSION: u32 = 1;
/// Values per Q4_0 block, and the bytes a block takes (f16 scale + 16 bytes of nibbles).
pub(crate) const QK: usize = 32;
pub(crate) const Q4_BLOCK_BYTES: usize = 18;

const DTYPE_F32: u8 = 0;
const DTYPE_Q4_0: u8 = 1;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Config {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub ff: usize,
    pub vocab: usize,
    pub max_positions: usize,
    pub type_vocab: usize,
    pub eps: f32,
}

pub(crate) struct Vocab {
    pub pieces: Vec<String>,
    pub scores: Vec<f32>,
    pub bos: u32,
    pub eos: u32,
    pub unk: u32,
    /// Codepoint → replacement (possibly empty: the character is dropped).
    pub norm: HashMap<char, Vec<char>>,
}

pub(crate) enum TensorData<'a> {
    F32(&'a [u8]),
    Q4(&'a [u8]),
}

pub(crate) struct TensorRef<'a> {
    pub n: usize,
    pub data: TensorData<'a>,
}

pub(crate) struct Parsed<'a> {
    pub config: Config,
    pub vocab: Vocab,
    pub tensors: HashMap<String, TensorRef<'a>>,
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ModelError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        match end {
            Some(end) => {
                let s = &self.bytes[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(ModelError::Truncated {
                what,
                needed: self.pos.saturating_add(n),
                len: self.bytes.len(),
            }),
        }
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, ModelError> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, ModelError> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, ModelError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn usize32(&mut self, what: &'static str) -> Result<usize, ModelError> {
        Ok(self.u32(what)? as usize)
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, ModelError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn f32(&mut self, what: &'static str) -> Result<f32, ModelError> {
        Ok(f32::from_bits(self.u32(what)?))
    }
}

fn invalid(msg: impl Into<String>) -> ModelError {
    ModelError::Invalid(msg.into())
}

pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed<'_>, ModelError> {
    let mut c = Cursor { bytes, pos: 0 };
    let magic = c.take(4, "magic")?;
    if magic != MAGIC {
        return Err(ModelError::BadMagic {
            found: magic.to_vec(),
        });
    }
    let version = c.u32("version")?;
    if version != VERSION {
        return Err(ModelError::UnsupportedVersion { found: version });
    }
    let config = Config {
        hidden: c.usize32("header")?,
        layers: c.usize32("header")?,
        heads: c.usize32("header")?,
        ff: c.usize32("header")?,
        vocab: c.usize32("header")?,
        max_positions: c.usize32("header")?,
        type_vocab: c.usize32("header")?,
        eps: c.f32("header")?,
    };
    let block = c.usize32("header")?;
    if block != QK {
        return Err(invalid(format!(
            "quantisation block of {block} values, expected {QK}"
        )));
    }
    if config.hidden == 0
        || config.heads == 0
        || !config.hidden.is_multiple_of(config.heads)
        || !config.hidden.is_multiple_of(QK)
        || !config.ff.is_multiple_of(QK)
        || config.layers == 0
        || config.max_positions < 3
        || config.type_vocab == 0
        || !(config.eps > 0.0 && config.eps < 1e-2)
    {
        return Err(invalid(format!(
            "implausible dimensions in header: {config:?}"
        )));
    }

    let n_pieces = c.usize32("vocabulary header")?;
    let bos = c.u32("vocabulary header")?;
    let eos = c.u32("vocabulary header")?;
    let _pad = c.u32("vocabulary header")?;
    let unk = c.u32("vocabulary header")?;
    let blob_len = c.usize32("vocabulary header")?;
    let _reserved = c.u32("vocabulary header")?;
    if n_pieces == 0 || n_pieces > config.vocab {
        return Err(invalid(format!(
            "{n_pieces} tokenizer pieces for a vocabulary of {}",
            config.vocab
        )));
    }
    for (name, id) in [("bos", bos), ("eos", eos), ("unk", unk)] {
        if id as usize >= n_pieces {
            return Err(invalid(format!("{name} id {id} outside the vocabulary")));
        }
    }
    let offsets_raw = c.take(
        (n_pieces + 1)
            .checked_mul(4)
            .ok_or_else(|| invalid("piece count overflows"))?,
        "piece offsets",
    )?;
    let scores_raw = c.take(n_pieces * 4, "piece scores")?;
    let blob = c.take(blob_len, "piece text")?;
    let le32 = |raw: &[u8], i: usize| {
        u32::from_le_bytes([raw[4 * i], raw[4 * i + 1], raw[4 * i + 2], raw[4 * i + 3]])
    };
    let mut pieces = Vec::with_capacity(n_pieces);
    let mut scores = Vec::with_capacity(n_pieces);
    for i in 0..n_pieces {
        let (a, b) = (
            le32(offsets_raw, i) as usize,
            le32(offsets_raw, i + 1) as usize,
        );
        let text = blob
            .get(a..b)
            .and_then(|s| std::str::from_utf8(s).ok())
            .ok_or_else(|| invalid(format!("piece {i} has a bad offset or is not UTF-8")))?;
        pieces.push(text.to_owned());
        scores.push(f32::from_bits(le32(scores_raw, i)));
    }

    let map_count = c.usize32("normalisation map")?;
    let map_bytes = c.usize32("normalisation map")?;
    let map_start = c.pos;
    let mut norm = HashMap::with_capacity(map_count);
    for _ in 0..map_count {
        let from = c.u32("normalisation map")?;
        let len = c.u8("normalisation map")? as usize;
        let mut to = Vec::with_capacity(len);
        for _ in 0..len {
            let cp = c.u32("normalisation map")?;
            to.push(char::from_u32(cp).ok_or_else(|| {
                invalid(format!("normalisation map holds a bad codepoint {cp:#x}"))
            })?);
        }
        let from = char::from_u32(from)
            .ok_or_else(|| invalid(format!("normalisation map holds a bad codepoint {from:#x}")))?;
        norm.insert(from, to);
    }
    if c.pos - map_start != map_bytes {
        return Err(invalid(format!(
            "normalisation map is {} bytes, its header says {map_bytes}",
            c.pos - map_start
        )));
    }

    let n_tensors = c.usize32("tensor directory")?;
    let mut tensors = HashMap::with_capacity(n_tensors);
    for _ in 0..n_tensors {
        let name_len = c.u16("tensor directory")? as usize;
        let name = std::str::from_utf8(c.take(name_len, "tensor directory")?)
            .map_err(|_| invalid("a tensor name is not UTF-8"))?
            .to_owned();
        let dtype = c.u8("tensor directory")?;
        let n = c.usize32("tensor directory")?;
        let offset = c.u64("tensor directory")?;
        let nbytes = c.u64("tensor directory")?;
        let expected = match dtype {
            DTYPE_F32 => n as u64 * 4,
            DTYPE_Q4_0 if n.is_multiple_of(QK) => (n / QK) as u64 * Q4_BLOCK_BYTES as u64,
            _ => {
                return Err(invalid(format!(
                    "tensor {name}: dtype {dtype} with {n} values is not supported"
                )))
            }
        };
        if nbytes != expected {
            return Err(invalid(format!(
                "tensor {name}: {nbytes} bytes for {n} values, expected {expected}"
            )));
        }
        let end = offset.saturating_add(nbytes);
        if end > bytes.len() as u64 {
            return Err(ModelError::Truncated {
                what: "tensor data",
                needed: usize::try_from(end).unwrap_or(usize::MAX),
                len: bytes.len(),
            });
        }
        let slice = &bytes[offset as usize..end as usize];
        let data = if dtype == DTYPE_F32 {
            TensorData::F32(slice)
        } else {
            TensorData::Q4(slice)
        };
        tensors.insert(name, TensorRef { n, data });
    }

    Ok(Parsed {
        config,
        vocab: Vocab {
            pieces,
            scores,
            bos,
            eos,
            unk,
            norm,
        },
        tensors,
    })
}
