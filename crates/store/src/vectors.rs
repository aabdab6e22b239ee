//! Text embeddings kept on disk, so that a restart of the desk or a repeated
//! `kiemchung match --model` does not recompute what the model already gave.
//!
//! One append-only file per model, `DIR/<model sha256>.e5c`: records of a
//! 32-byte key (the caller's hash of the text and how it was embedded, e.g.
//! `kc_embed::cache_key`) and `dim` little-endian f32. A file from another
//! model is never read, because the model's hash names it. A record cut short
//! by a crash is dropped when the cache is next opened, so that later appends
//! stay aligned. Vectors are stored as soon as each chunk is computed, so an
//! interrupted run resumes where it stopped.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

pub const KEY_BYTES: usize = 32;
pub type Key = [u8; KEY_BYTES];

#[derive(Debug, thiserror::Error)]
pub enum VectorCacheError {
    #[error("bộ nhớ đệm vectơ / vector cache {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("mô hình trả về {got} vectơ cho {asked} văn bản / the model returned {got} vectors for {asked} texts")]
    Count { asked: usize, got: usize },
    #[error("vectơ {got} chiều, bộ nhớ đệm {want} chiều / a {got}-d vector for a {want}-d cache")]
    Dim { want: usize, got: usize },
}

/// Vectors by key, on disk (or only in memory, see [`VectorCache::in_memory`]).
pub struct VectorCache {
    path: Option<PathBuf>,
    dim: usize,
    map: HashMap<Key, Vec<f32>>,
}

impl VectorCache {
    /// Opens (or creates) the cache of the model whose hash is `model_hash`
    /// in `dir`.
    pub fn open(dir: &Path, model_hash: &str, dim: usize) -> Result<VectorCache, VectorCacheError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| VectorCacheError::Io { path, source }
        };
        // The vectors stand for report texts: owner-only, like the database.
        crate::private::create_private_dir_all(dir).map_err(io(dir))?;
        let path = dir.join(format!("{model_hash}.e5c"));
        let record = KEY_BYTES + 4 * dim;
        let mut map = HashMap::new();
        match File::open(&path) {
            Ok(mut f) => {
                let mut raw = Vec::new();
                f.read_to_end(&mut raw).map_err(io(&path))?;
                let whole = raw.len() / record * record;
                for rec in raw[..whole].chunks_exact(record) {
                    let (key, floats) = rec.split_at(KEY_BYTES);
                    let mut k = [0u8; KEY_BYTES];
                    k.copy_from_slice(key);
                    let v = floats
                        .chunks_exact(4)
                        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                        .collect();
                    map.insert(k, v);
                }
                if whole != raw.len() {
                    // A write cut short: drop the partial record so appends stay aligned.
                    OpenOptions::new()
                        .write(true)
                        .open(&path)
                        .and_then(|f| f.set_len(whole as u64))
                        .map_err(io(&path))?;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&path)(e)),
        }
        Ok(VectorCache {
            path: Some(path),
            dim,
            map,
        })
    }

    /// A cache that keeps nothing on disk (tests, `--no-cache`).
    pub fn in_memory(dim: usize) -> VectorCache {
        VectorCache {
            path: None,
            dim,
            map: HashMap::new(),
        }
    }

    /// The file behind the cache, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// How many vectors the cache holds.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn get(&self, key: &Key) -> Option<&[f32]> {
        self.map.get(key).map(Vec::as_slice)
    }

    /// Stores vectors: appended to the file first, so what is in memory is
    /// always on disk too.
    pub fn insert(&mut self, records: Vec<(Key, Vec<f32>)>) -> Result<(), VectorCacheError> {
        if let Some(bad) = records.iter().find(|(_, v)| v.len() != self.dim) {
            return Err(VectorCacheError::Dim {
                want: self.dim,
                got: bad.1.len(),
            });
        }
        if let Some(path) = &self.path {
            let mut buf = Vec::with_capacity(records.len() * (KEY_BYTES + 4 * self.dim));
            for (k, v) in &records {
                buf.extend_from_slice(k);
                v.iter()
                    .for_each(|x| buf.extend_from_slice(&x.to_le_bytes()));
            }
            let io = |source| VectorCacheError::Io {
                path: path.clone(),
                source,
            };
            let mut f = crate::private::append_private_file(path).map_err(io)?;
            f.write_all(&buf).map_err(io)?;
        }
        self.map.extend(records);
        Ok(())
    }

    /// The vectors of `items` (key, text) in order. Those not stored yet
    /// are computed by `compute`, `chunk` texts at a time, and each chunk is
    /// stored as soon as it is done; `progress(done, to_compute)` is called
    /// after each. A text that appears twice is computed once.
    pub fn get_or_compute(
        &mut self,
        items: &[(Key, &str)],
        chunk: usize,
        mut compute: impl FnMut(&[&str]) -> Vec<Vec<f32>>,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<Vec<Vec<f32>>, VectorCacheError> {
        let mut seen = std::collections::HashSet::new();
        let missing: Vec<&(Key, &str)> = items
            .iter()
            .filter(|(k, _)| !self.map.contains_key(k) && seen.insert(*k))
            .collect();
        let mut done = 0;
        for part in missing.chunks(chunk.max(1)) {
            let texts: Vec<&str> = part.iter().map(|(_, t)| *t).collect();
            let vectors = compute(&texts);
            if vectors.len() != texts.len() {
                return Err(VectorCacheError::Count {
                    asked: texts.len(),
                    got: vectors.len(),
                });
            }
            self.insert(part.iter().map(|(k, _)| *k).zip(vectors).collect())?;
            done += part.len();
            progress(done, missing.len());
        }
        Ok(items
            .iter()
            .map(|(k, _)| self.map.get(k).cloned().unwrap_or_default())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        use sha2::{Digest, Sha256};
        Sha256::digest(s.as_bytes()).into()
    }

    /// A stand-in model: the vector is the text's length and first byte.
    fn fake_model(calls: &mut Vec<String>) -> impl FnMut(&[&str]) -> Vec<Vec<f32>> + '_ {
        move |texts| {
            calls.extend(texts.iter().map(|t| t.to_string()));
            texts
                .iter()
                .map(|t| vec![t.len() as f32, f32::from(t.bytes().next().unwrap_or(0))])
                .collect()
        }
    }

    #[test]
    fn a_reopened_cache_computes_nothing_again_and_an_interrupted_run_resumes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let texts = ["một", "hai", "ba", "một", "bốn", "năm"];
        let items: Vec<(Key, &str)> = texts.iter().map(|t| (key(t), *t)).collect();
        let mut calls = Vec::new();
        let mut reports = Vec::new();
        let first = {
            let mut cache = VectorCache::open(dir.path(), "m", 2).expect("open");
            cache
                .get_or_compute(&items, 2, fake_model(&mut calls), |d, n| {
                    reports.push((d, n))
                })
                .expect("computes")
        };
        // "một" twice in the input, computed once; progress after each chunk.
        assert_eq!(calls, ["một", "hai", "ba", "bốn", "năm"]);
        assert_eq!(reports, [(2, 5), (4, 5), (5, 5)]);
        assert_eq!(first[0], first[3]);
        assert_eq!(first[2], vec![2.0, f32::from(b'b')]);

        let mut cache = VectorCache::open(dir.path(), "m", 2).expect("reopen");
        assert_eq!(cache.len(), 5);
        calls.clear();
        let again = cache
            .get_or_compute(&items, 2, fake_model(&mut calls), |_, _| {})
            .expect("from disk");
        assert!(calls.is_empty(), "recomputed {calls:?}");
        assert_eq!(again, first);

        // Another model's cache is another file.
        let other = VectorCache::open(dir.path(), "other", 2).expect("open");
        assert!(other.is_empty());

        // A run stopped after its first chunk: the next one computes the rest only.
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cache = VectorCache::open(dir.path(), "m", 2).expect("open");
        let stopped = cache.get_or_compute(&items[..2], 2, fake_model(&mut calls), |_, _| {});
        assert!(stopped.is_ok());
        drop(cache);
        calls.clear();
        let mut cache = VectorCache::open(dir.path(), "m", 2).expect("reopen");
        cache
            .get_or_compute(&items, 2, fake_model(&mut calls), |_, _| {})
            .expect("resumes");
        assert_eq!(calls, ["ba", "bốn", "năm"]);
    }

    #[test]
    fn a_record_cut_short_is_dropped_and_appends_stay_aligned() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cache = VectorCache::open(dir.path(), "m", 2).expect("open");
        cache
            .insert(vec![(key("a"), vec![1.0, 2.0]), (key("b"), vec![3.0, 4.0])])
            .expect("insert");
        let path = cache.path().expect("on disk").to_path_buf();
        drop(cache);
        let len = std::fs::metadata(&path).expect("file").len();
        // A crash in the middle of the second record.
        OpenOptions::new()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_len(len - 3))
            .expect("truncate");
        let mut cache = VectorCache::open(dir.path(), "m", 2).expect("reopen");
        assert_eq!(cache.get(&key("a")), Some(&[1.0, 2.0][..]));
        assert_eq!(cache.get(&key("b")), None);
        cache
            .insert(vec![(key("c"), vec![5.0, 6.0])])
            .expect("append");
        let cache = VectorCache::open(dir.path(), "m", 2).expect("reopen");
        assert_eq!(cache.get(&key("c")), Some(&[5.0, 6.0][..]));
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn wrong_shapes_are_errors_not_corruption() {
        let mut cache = VectorCache::in_memory(2);
        let err = cache.insert(vec![(key("a"), vec![1.0])]).expect_err("1-d");
        assert!(err.to_string().contains("1-d"), "{err}");
        let err = cache
            .get_or_compute(&[(key("a"), "a")], 8, |_| Vec::new(), |_, _| {})
            .expect_err("no vectors");
        assert!(matches!(err, VectorCacheError::Count { asked: 1, got: 0 }));
        assert!(cache.is_empty());
    }

    #[test]
    fn an_unreadable_directory_names_the_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").expect("write");
        let err = VectorCache::open(&file, "m", 2).err().expect("error");
        assert!(err.to_string().contains("not-a-dir"), "{err}");
    }
}
