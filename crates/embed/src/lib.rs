//! kc_embed: multilingual-e5-small (4-bit) sentence embeddings, read and run by our own code.
//!
//! The caller hands over the bytes of `e5-small-q4.bin` (DESIGN.md §5); this crate opens no
//! file. [`Encoder::embed`] returns 384-d, mean-pooled, L2-normalised vectors, so the dot
//! product of two of them is their cosine.
//!
//! ```no_run
//! # fn demo(bytes: &[u8]) -> Result<(), kc_embed::ModelError> {
//! let enc = kc_embed::Encoder::from_bytes(bytes)?;
//! let q = enc.embed(&["tiêm vắc xin có gây vô sinh không"], kc_embed::Kind::Query);
//! assert_eq!(q[0].len(), enc.dim());
//! # Ok(()) }
//! ```

mod format;
mod model;
mod q4;
mod tokenizer;

use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Which side of a search a text is on: e5 was trained with a prefix on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A short text looked up against the library: "query: ".
    Query,
    /// A library text: "passage: ".
    Passage,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Query => "query: ",
            Kind::Passage => "passage: ",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("không phải tệp mô hình E5S1 (bắt đầu bằng \"{0}\") / not an E5S1 model file (it starts with \"{0}\")", found.escape_ascii())]
    BadMagic { found: Vec<u8> },
    #[error("phiên bản tệp mô hình {found} không được hỗ trợ (cần 1) / unsupported model file version {found} (expected 1)")]
    UnsupportedVersion { found: u32 },
    #[error("tệp mô hình bị cắt cụt: {what} cần {needed} byte, tệp chỉ có {len} / truncated model file: {what} needs {needed} bytes, the file has {len}")]
    Truncated {
        what: &'static str,
        needed: usize,
        len: usize,
    },
    #[error("tệp mô hình thiếu tensor {0} / model file lacks tensor {0}")]
    MissingTensor(String),
    #[error("tệp mô hình không hợp lệ: {0} / invalid model file: {0}")]
    Invalid(String),
}

/// A loaded model: tokenizer and weights, owned (the caller's bytes can go).
pub struct Encoder {
    tok: tokenizer::Tokenizer,
    model: model::Model,
    threads: usize,
}

/// Hex SHA-256 of the model file: the key under which embeddings may be cached.
pub fn model_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Key of `text` embedded as `kind` in an embedding cache: sha256 of a kind tag and the text.
/// Pair it with [`model_hash`], since a vector is only valid for the model that made it.
pub fn cache_key(text: &str, kind: Kind) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(match kind {
        Kind::Query => b"query\0",
        Kind::Passage => b"passg\0",
    });
    h.update(text.as_bytes());
    h.finalize().into()
}

/// Long texts are cut into windows of this many content tokens, overlapping by half, and
/// the windows' embeddings averaged: the model sees at most `max_positions` tokens at once.
fn window_stride(window: usize) -> usize {
    (window / 2).max(1)
}

impl Encoder {
    /// Reads and checks the model file. A wrong magic, version or a truncated file is a
    /// clear error, never a panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<Encoder, ModelError> {
        let parsed = format::parse(bytes)?;
        let model = model::Model::load(&parsed)?;
        let tok = tokenizer::Tokenizer::new(parsed.vocab);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Encoder {
            tok,
            model,
            threads,
        })
    }

    /// The same encoder limited to `n` worker threads (at least one).
    pub fn with_threads(mut self, n: usize) -> Encoder {
        self.threads = n.max(1);
        self
    }

    /// The same encoder on the portable code only, even where AVX2 is available: to check
    /// that path on any machine, and to measure what SIMD buys.
    pub fn without_simd(mut self) -> Encoder {
        self.model.simd = false;
        self
    }

    /// Embedding width (384).
    pub fn dim(&self) -> usize {
        self.model.cfg.hidden
    }

    /// Token ids the model sees for `text` (with the prefix of `kind`, `<s>` and `</s>`),
    /// before long texts are windowed.
    pub fn token_ids(&self, text: &str, kind: Kind) -> Vec<u32> {
        let mut ids = vec![self.tok.bos];
        ids.extend(self.tok.encode(&format!("{}{text}", kind.prefix())));
        ids.push(self.tok.eos);
        ids
    }

    /// The prefix's ids and the text's, tokenised as one string (as the model was trained)
    /// and split where the text starts, so that long texts can be windowed.
    fn prefix_and_body(&self, text: &str, kind: Kind, prefix: &[u32]) -> (Vec<u32>, Vec<u32>) {
        let mut all = self.tok.encode(&format!("{}{text}", kind.prefix()));
        // No piece holds "▁" past its first character, so the prefix's pieces never merge
        // with the text's; if they ever did, the whole string is windowed as one body.
        if all.starts_with(prefix) {
            let body = all.split_off(prefix.len());
            (prefix.to_vec(), body)
        } else {
            (Vec::new(), all)
        }
    }

    /// SentencePiece token ids of `text` alone: no prefix, no `<s>` / `</s>`.
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        self.tok.encode(text)
    }

    /// One L2-normalised vector of [`dim`](Self::dim) values per text, in order. Texts are
    /// spread over the encoder's threads.
    pub fn embed(&self, texts: &[&str], kind: Kind) -> Vec<Vec<f32>> {
        // "query:" without its space, which belongs to the text's first piece.
        let prefix_ids = self.tok.encode(kind.prefix().trim_end());
        let mut items: Vec<(usize, Vec<u32>)> = Vec::with_capacity(texts.len());
        for (i, text) in texts.iter().enumerate() {
            let (prefix, body) = self.prefix_and_body(text, kind, &prefix_ids);
            // Room for <s>, </s> and the prefix in every window.
            let window = self
                .model
                .cfg
                .max_positions
                .saturating_sub(2 + prefix.len())
                .max(1);
            let mut start = 0;
            loop {
                let end = (start + window).min(body.len());
                let mut ids = Vec::with_capacity(end - start + prefix.len() + 2);
                ids.push(self.tok.bos);
                ids.extend_from_slice(&prefix);
                ids.extend_from_slice(&body[start..end]);
                ids.push(self.tok.eos);
                items.push((i, ids));
                if end >= body.len() {
                    break;
                }
                start += window_stride(window);
            }
        }
        // Longest first, so that no thread is left with one long text at the end.
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by_key(|&k| std::cmp::Reverse(items[k].1.len()));

        let pooled: Vec<Mutex<Vec<f32>>> = items.iter().map(|_| Mutex::new(Vec::new())).collect();
        let next = AtomicUsize::new(0);
        let work = || {
            let mut scratch = model::Scratch::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(&k) = order.get(n) else { break };
                let v = self.model.forward_mean(&items[k].1, &mut scratch);
                if let Ok(mut slot) = pooled[k].lock() {
                    *slot = v;
                }
            }
        };
        let threads = self.threads.min(items.len()).max(1);
        if items.len() < self.threads {
            // Fewer texts than cores (a single query, typically): split each text's tokens
            // over the cores instead.
            for (k, (_, ids)) in items.iter().enumerate() {
                let v = self.model.forward_mean_split(ids, self.threads);
                if let Ok(mut slot) = pooled[k].lock() {
                    *slot = v;
                }
            }
        } else if threads == 1 {
            work();
        } else {
            std::thread::scope(|s| {
                for _ in 0..threads {
                    s.spawn(work);
                }
            });
        }

        let dim = self.dim();
        let mut out = vec![vec![0.0f32; dim]; texts.len()];
        for ((i, _), v) in items.iter().zip(pooled) {
            let mut v = v.into_inner().unwrap_or_default();
            normalize(&mut v);
            for (o, x) in out[*i].iter_mut().zip(&v) {
                *o += x;
            }
        }
        out.iter_mut().for_each(|v| normalize(v));
        out
    }
}

fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}
