//! `kiemchung embed` (contract v1), and embedding through the on-disk vector cache
//! ([`kc_store::VectorCache`], `DATA_DIR/embeddings/<model sha256>.e5c`, keyed by
//! [`kc_embed::cache_key`]) that `match`, `eval` and `serve` share.

use crate::progress::Progress;
use anyhow::{bail, Context, Result};
use kc_embed::{cache_key, model_hash, Encoder, Kind};
use kc_store::VectorCache;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Embed texts with the semantic model (JSONL in, 384 little-endian f32 per line out).
#[derive(Debug, clap::Args)]
pub struct EmbedArgs {
    /// Semantic model file (scripts/fetch-model puts it at models/e5-small-q4.bin).
    #[arg(long)]
    pub model: PathBuf,
    /// Input JSONL, one `{"text": …}` per line (other fields are ignored; blank lines skipped).
    #[arg(long)]
    pub input: PathBuf,
    /// Which e5 prefix the texts get: short lookups are queries, library texts passages.
    #[arg(long, default_value = "passage", value_parser = ["query", "passage"])]
    pub kind: String,
    /// Output file: one row of 384 little-endian f32 per input line, L2-normalised.
    #[arg(long)]
    pub out: PathBuf,
    /// The desk's data directory; the cache lives in its `embeddings/` folder.
    #[arg(long, env = "KIEMCHUNG_DATA_DIR", default_value = "./kiemchung-data")]
    pub data_dir: PathBuf,
    /// Compute every vector afresh and leave the cache alone.
    #[arg(long)]
    pub no_cache: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

pub fn run_embed(args: &EmbedArgs) -> Result<()> {
    let started = Instant::now();
    let kind = match args.kind.as_str() {
        "query" => Kind::Query,
        _ => Kind::Passage,
    };
    let texts = read_texts(&args.input)?;
    let (encoder, hash) = load_model(&args.model, args.threads)?;
    let loaded = started.elapsed().as_secs_f64();

    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let e_started = Instant::now();
    let mut cache = if args.no_cache {
        VectorCache::in_memory(encoder.dim())
    } else {
        open_cache(&args.data_dir, &hash, &encoder)?
    };
    let (vectors, computed) = embed_cached(&mut cache, &encoder, &refs, kind)?;
    let hits = texts.len().saturating_sub(computed);
    let secs = e_started.elapsed().as_secs_f64();

    let file = File::create(&args.out)
        .with_context(|| format!("không ghi được / cannot write {}", args.out.display()))?;
    let mut w = BufWriter::new(file);
    for v in &vectors {
        for x in v {
            w.write_all(&x.to_le_bytes())?;
        }
    }
    w.flush()
        .with_context(|| format!("không ghi được / cannot write {}", args.out.display()))?;
    eprintln!(
        "embed: {} texts ({} from cache) in {:.2} s, {:.1} texts/s; model loaded in {:.2} s",
        texts.len(),
        hits,
        secs,
        texts.len() as f64 / secs.max(1e-9),
        loaded
    );
    Ok(())
}

/// Reads and checks the model; returns it with its hash (the cache key).
pub fn load_model(path: &Path, threads: Option<usize>) -> Result<(Encoder, String)> {
    let bytes = std::fs::read(path).with_context(|| {
        format!(
            "không đọc được mô hình / cannot read the model {} (scripts/fetch-model downloads it)",
            path.display()
        )
    })?;
    let hash = model_hash(&bytes);
    let mut enc = Encoder::from_bytes(&bytes).with_context(|| path.display().to_string())?;
    if let Some(n) = threads {
        enc = enc.with_threads(n);
    }
    Ok((enc, hash))
}

fn read_texts(path: &Path) -> Result<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct Line {
        text: String,
    }
    let raw = std::fs::read(path)
        .with_context(|| format!("không đọc được / cannot read {}", path.display()))?;
    let mut texts = Vec::new();
    for (i, bytes) in raw.split(|&b| b == b'\n').enumerate() {
        // Checked line by line, so that bytes that are not UTF-8 are named by their line
        // like any other mistake.
        let line = std::str::from_utf8(bytes).map_err(|e| {
            anyhow::anyhow!(
                "{}:{}: không phải UTF-8 / not UTF-8 (byte {})",
                path.display(),
                i + 1,
                e.valid_up_to() + 1
            )
        })?;
        if line.trim().is_empty() {
            continue;
        }
        match crate::matching::parse_line::<Line>(line) {
            Ok(l) => texts.push(l.text),
            Err(e) => bail!(
                "{}:{}: {e} (cần / need {{\"text\": …}})",
                path.display(),
                i + 1
            ),
        }
    }
    Ok(texts)
}

/// Opens the vector cache of the model whose hash is `hash` in `DATA_DIR/embeddings`.
pub fn open_cache(data_dir: &Path, hash: &str, encoder: &Encoder) -> Result<VectorCache> {
    Ok(VectorCache::open(
        &data_dir.join("embeddings"),
        hash,
        encoder.dim(),
    )?)
}

/// Texts computed per step: each step's vectors are stored before the next starts, so
/// an interrupted run loses at most one step (a few seconds) of work.
const CHUNK: usize = 128;

/// The vectors of `texts` in order, and how many had to be computed: the cache answers
/// for texts it has seen, the encoder computes the rest a chunk at a time, and progress
/// goes to stderr.
pub fn embed_cached(
    cache: &mut VectorCache,
    encoder: &Encoder,
    texts: &[&str],
    kind: Kind,
) -> Result<(Vec<Vec<f32>>, usize)> {
    let items: Vec<([u8; 32], &str)> = texts.iter().map(|t| (cache_key(t, kind), *t)).collect();
    let what = match kind {
        Kind::Query => "ngữ nghĩa, truy vấn / semantic, queries",
        Kind::Passage => "ngữ nghĩa, văn bản / semantic, passages",
    };
    let mut progress: Option<Progress> = None;
    let mut computed = 0;
    let vectors = cache.get_or_compute(
        &items,
        CHUNK,
        |chunk| encoder.embed(chunk, kind),
        |done, total| {
            computed = done;
            progress
                .get_or_insert_with(|| Progress::new(what, total, 2 * CHUNK))
                .set(done);
        },
    )?;
    Ok((vectors, computed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Option<PathBuf> {
        let p = std::env::var_os("KC_MODEL")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/e5-small-q4.bin")
            });
        if p.exists() {
            Some(p)
        } else {
            eprintln!(
                "SKIPPED: no model at {} (run scripts/fetch-model)",
                p.display()
            );
            None
        }
    }

    fn read_rows(path: &Path) -> Vec<Vec<f32>> {
        let raw = std::fs::read(path).expect("output");
        raw.chunks_exact(4 * 384)
            .map(|r| {
                r.chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect()
            })
            .collect()
    }

    fn args(dir: &Path, input: &Path, model: PathBuf) -> EmbedArgs {
        EmbedArgs {
            model,
            input: input.to_path_buf(),
            kind: "passage".into(),
            out: dir.join("out.f32"),
            data_dir: dir.join("data"),
            no_cache: false,
            threads: Some(2),
        }
    }

    #[test]
    fn a_malformed_line_is_reported_with_file_and_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("in.jsonl");
        std::fs::write(&input, "{\"text\": \"một\"}\n\n{\"id\": 3}\n").expect("write");
        let err = read_texts(&input).expect_err("line 3 has no text");
        let msg = format!("{err:#}");
        assert!(msg.contains("in.jsonl:3:"), "{msg}");
        assert!(msg.contains("`text`"), "the missing field is named: {msg}");
        // A value of the wrong type names its field; bytes that are not UTF-8 their line.
        std::fs::write(&input, "{\"text\": \"một\"}\r\n{\"text\": 5}\n").expect("write");
        let msg = format!("{:#}", read_texts(&input).expect_err("a number"));
        assert!(
            msg.contains("in.jsonl:2:") && msg.contains("`text`"),
            "{msg}"
        );
        std::fs::write(&input, b"{\"text\": \"m\xe9t\"}\n").expect("write");
        let msg = format!("{:#}", read_texts(&input).expect_err("latin-1"));
        assert!(
            msg.contains("in.jsonl:1:") && msg.contains("UTF-8"),
            "{msg}"
        );
        std::fs::write(
            &input,
            "{\"id\": \"a\", \"text\": \"một\", \"x\": 1}\n\n  \n",
        )
        .expect("write");
        assert_eq!(read_texts(&input).expect("valid"), vec!["một".to_string()]);
    }

    #[test]
    fn a_missing_model_says_how_to_get_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = load_model(&dir.path().join("none.bin"), None)
            .err()
            .expect("no model");
        assert!(format!("{err:#}").contains("scripts/fetch-model"));
    }

    #[test]
    fn embed_writes_one_row_per_line_and_reuses_the_cache() {
        let Some(model) = model() else { return };
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("in.jsonl");
        std::fs::write(
            &input,
            "{\"id\":1,\"text\":\"Bộ Y tế bác bỏ tin đồn.\"}\n{\"text\":\"Giá xăng giảm.\"}\n{\"text\":\"Bộ Y tế bác bỏ tin đồn.\"}\n",
        )
        .expect("write");
        let a = args(dir.path(), &input, model);
        run_embed(&a).expect("first run");
        let first = read_rows(&a.out);
        assert_eq!(first.len(), 3);
        assert_eq!(first[0], first[2]);
        let norm: f32 = first[1].iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-4);

        let cache_files: Vec<_> = std::fs::read_dir(dir.path().join("data/embeddings"))
            .expect("cache dir")
            .collect();
        assert_eq!(cache_files.len(), 1);
        let cache_path = cache_files[0].as_ref().expect("entry").path();
        let size = std::fs::metadata(&cache_path).expect("cache").len();
        // Two distinct texts, one record each.
        assert_eq!(size, 2 * (32 + 4 * 384) as u64);

        // A crash mid-append leaves a partial record: it is dropped, the rest still serves.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&cache_path)
            .expect("open");
        f.write_all(&[7u8; 100]).expect("append");
        drop(f);
        run_embed(&a).expect("second run");
        assert_eq!(read_rows(&a.out), first);
        assert_eq!(std::fs::metadata(&cache_path).expect("cache").len(), size);
    }
}
