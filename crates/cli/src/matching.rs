//! `kiemchung match` and `kiemchung eval`: the claim matcher over JSONL files
//! (contract v1, DESIGN.md §6). Argument parsing, file reading and wiring
//! only; the matching is `kc_match`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use kc_embed::Kind;
use kc_match::{semantic_text, Library, Ranked};

use crate::embed_cmd::{embed_cached, load_model, open_cache};
use crate::progress::Progress;
use kc_store::VectorCache;
use serde::Deserialize;

/// Match queries against a library of claims.
#[derive(Debug, clap::Args)]
pub struct MatchArgs {
    /// Library JSONL, one `{"id","text"}` per line.
    #[arg(long)]
    pub library: PathBuf,
    /// Query JSONL, one `{"id","text"}` per line (extra fields ignored).
    #[arg(long)]
    pub queries: PathBuf,
    /// Matches to keep per query.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Output JSONL (default: stdout).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Semantic model file (e5-small-q4.bin): matches by meaning as well as by words.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// With --model: the data directory whose `embeddings/` folder caches vectors.
    #[arg(long, env = "KIEMCHUNG_DATA_DIR", default_value = "./kiemchung-data")]
    pub data_dir: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Also write each match's explanation: the generators that found it
    /// ("exact", "near_duplicate", "bm25", "semantic") and up to 8 shared
    /// syllables, rarest first.
    #[arg(long)]
    pub explain: bool,
}

/// Measure matching quality on queries with known targets.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Library JSONL, one `{"id","text"}` per line.
    #[arg(long)]
    pub library: PathBuf,
    /// Query JSONL with `{"id","text","target"}`.
    #[arg(long)]
    pub queries: PathBuf,
    /// Queries whose right answer is "no match"; adds the no-match ROC-AUC of
    /// the top-1 score.
    #[arg(long)]
    pub nomatch: Option<PathBuf>,
    /// Semantic model file (e5-small-q4.bin): matches by meaning as well as by words.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// With --model: the data directory whose `embeddings/` folder caches vectors.
    #[arg(long, env = "KIEMCHUNG_DATA_DIR", default_value = "./kiemchung-data")]
    pub data_dir: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the result as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Deserialize)]
struct Line {
    id: String,
    /// Required: a line without it (a typo such as `"txt"`) would otherwise be matched as
    /// an empty text, finding nothing, and the run would end as if it had succeeded.
    text: String,
    #[serde(default)]
    target: Option<String>,
}

fn read_jsonl(path: &Path, threads: usize) -> Result<Vec<Line>> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("không mở được / cannot open {}", path.display()))?;
    // Parsing is a tenth of a large match run's library build: spread it
    // over the cores, then report the first bad line in file order.
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    let parsed = par_map(lines.len(), threads, |i| -> Result<Option<Line>> {
        let n = i + 1;
        let line = std::str::from_utf8(lines[i]).map_err(|e| {
            anyhow::anyhow!(
                "{}:{n}: không phải UTF-8 / not UTF-8 (byte {})",
                path.display(),
                e.valid_up_to() + 1
            )
        })?;
        if line.trim().is_empty() {
            return Ok(None);
        }
        Ok(Some(parse_line(line).map_err(|e| {
            anyhow::anyhow!(
                "{}:{n}: {e} (cần / need {{\"id\",\"text\"}})",
                path.display()
            )
        })?))
    });
    let mut out = Vec::with_capacity(parsed.len());
    for line in parsed {
        if let Some(line) = line? {
            out.push(line);
        }
    }
    Ok(out)
}

/// One JSONL line, or what is wrong with it, naming the field whose value does not fit
/// (serde_json alone says "invalid type: integer `3`, expected a string" and not where).
pub(crate) fn parse_line<T: serde::de::DeserializeOwned>(line: &str) -> Result<T, String> {
    let de = &mut serde_json::Deserializer::from_str(line);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            format!("dòng JSON không hợp lệ / malformed JSON line: {inner}")
        } else if field == "." {
            // A missing field: serde names it ("missing field `text`").
            format!("dòng không hợp lệ / invalid line: {inner}")
        } else {
            format!("trường / field `{field}`: {inner}")
        }
    })
}

fn threads(requested: Option<usize>) -> usize {
    requested
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .max(1)
}

/// The semantic side of `--model`: the encoder and the on-disk vector cache.
struct Semantic {
    encoder: kc_embed::Encoder,
    cache: VectorCache,
}

impl Semantic {
    fn open(model: &Path, data_dir: &Path, threads: usize) -> Result<Semantic> {
        let (encoder, hash) = load_model(model, Some(threads))?;
        let cache = open_cache(data_dir, &hash, &encoder)?;
        Ok(Semantic { encoder, cache })
    }

    fn embed(&mut self, texts: &[&str], kind: Kind) -> Result<Vec<Vec<f32>>> {
        let started = Instant::now();
        let (v, computed) = embed_cached(&mut self.cache, &self.encoder, texts, kind)?;
        eprintln!(
            "ngữ nghĩa / semantic: {} văn bản / texts ({computed} tính mới / computed) in {:.2}s",
            texts.len(),
            started.elapsed().as_secs_f64()
        );
        Ok(v)
    }

    /// Embeds every library text as a passage and attaches it to its claim.
    fn attach(&mut self, lib: &mut Library, items: &[Line]) -> Result<()> {
        let prepared: Vec<_> = items.iter().map(|l| semantic_text(&l.text)).collect();
        let texts: Vec<&str> = prepared.iter().map(|t| t.as_ref()).collect();
        let vectors = self.embed(&texts, Kind::Passage)?;
        for (l, v) in items.iter().zip(&vectors) {
            lib.upsert_vector(&l.id, v);
        }
        Ok(())
    }

    fn queries(&mut self, queries: &[Line]) -> Result<Vec<Vec<f32>>> {
        let prepared: Vec<_> = queries.iter().map(|l| semantic_text(&l.text)).collect();
        let texts: Vec<&str> = prepared.iter().map(|t| t.as_ref()).collect();
        self.embed(&texts, Kind::Query)
    }
}

/// The library read from `path`, its items, and the seconds it took.
fn build_library(path: &Path, threads: usize) -> Result<(Library, Vec<Line>, f64)> {
    let started = Instant::now();
    let items = read_jsonl(path, threads)?;
    let pairs: Vec<(&str, &str)> = items
        .iter()
        .map(|l| (l.id.as_str(), l.text.as_str()))
        .collect();
    let mut lib = Library::new();
    let progress = Progress::new("thư viện / library", pairs.len(), 200_000);
    lib.bulk_upsert_with_progress(&pairs, threads, |done, _| progress.set(done));
    let secs = started.elapsed().as_secs_f64();
    Ok((lib, items, secs))
}

/// `f(i)` for every `i < n`, spread over `threads` threads, in order of `i`.
/// Threads take small blocks of indexes as they go, so a slow block (long
/// texts) or a thread the OS sets aside does not hold up the rest.
fn par_map<T: Send>(n: usize, threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    par_map_with_progress(n, threads, None, f)
}

/// [`par_map`], advancing `progress` by each finished block.
fn par_map_with_progress<T: Send>(
    n: usize,
    threads: usize,
    progress: Option<&Progress>,
    f: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    const BLOCK: usize = 64;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let blocks = n.div_ceil(BLOCK);
    let run_block = |b: usize| -> Vec<T> {
        let from = (b * BLOCK).min(n);
        let to = (from + BLOCK).min(n);
        let out = (from..to).map(&f).collect();
        if let Some(p) = progress {
            p.add(to - from);
        }
        out
    };
    let mut done: Vec<(usize, Vec<T>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.min(blocks).max(1))
            .map(|_| {
                let (next, run_block) = (&next, &run_block);
                s.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let b = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if b >= blocks {
                            break mine;
                        }
                        mine.push((b, run_block(b)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                Err(e) => std::panic::resume_unwind(e),
            })
            .collect()
    });
    done.sort_unstable_by_key(|(b, _)| *b);
    done.into_iter().flat_map(|(_, r)| r).collect()
}

/// The best `k` claims for every query, in query order.
fn rank_all<'l>(
    lib: &'l Library,
    queries: &[Line],
    vectors: Option<&[Vec<f32>]>,
    k: usize,
    threads: usize,
) -> Vec<Vec<Ranked<'l>>> {
    par_map(queries.len(), threads, |i| {
        let v = vectors.and_then(|v| v.get(i)).map(Vec::as_slice);
        lib.rank(&queries[i].text, v, k)
    })
}

/// One output line of `match` (contract v1, plus the explanation when asked).
fn match_line(lib: &Library, q: &Line, vector: Option<&[f32]>, k: usize, explain: bool) -> String {
    let mut line = String::with_capacity(64 + 48 * k);
    line.push_str("{\"id\":");
    push_json_str(&mut line, &q.id);
    line.push_str(",\"matches\":[");
    if explain {
        for (i, m) in lib.search_hybrid(&q.text, vector, k).iter().enumerate() {
            push_match(&mut line, i, &m.id, m.score);
            let generators: Vec<&str> = m.generators.iter().map(|g| g.as_str()).collect();
            line.push_str(",\"generators\":");
            line.push_str(&serde_json::to_string(&generators).unwrap_or_default());
            line.push_str(",\"shared_terms\":");
            line.push_str(&serde_json::to_string(&m.shared_terms).unwrap_or_default());
            line.push('}');
        }
    } else {
        for (i, r) in lib.rank(&q.text, vector, k).iter().enumerate() {
            push_match(&mut line, i, r.id, r.score);
            line.push('}');
        }
    }
    line.push_str("]}\n");
    line
}

/// `{"id":…,"score":…` of one match, after a comma unless it is the first.
fn push_match(line: &mut String, i: usize, id: &str, score: f32) {
    if i > 0 {
        line.push(',');
    }
    line.push_str("{\"id\":");
    push_json_str(line, id);
    use std::fmt::Write as _;
    // Writing into a String cannot fail.
    let _ = write!(line, ",\"score\":{score:.6}");
}

/// `s` as a JSON string, without allocating for the usual id that needs no
/// escape (a batch writes one per match).
fn push_json_str(out: &mut String, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    }
}

pub fn run_match(args: &MatchArgs) -> Result<()> {
    let started = Instant::now();
    let threads = threads(args.threads);
    let (mut lib, items, build_secs) = build_library(&args.library, threads)?;
    let n_lib = items.len();
    let queries = read_jsonl(&args.queries, threads)?;
    let qvecs = match &args.model {
        Some(model) => {
            let mut sem = Semantic::open(model, &args.data_dir, threads)?;
            sem.attach(&mut lib, &items)?;
            Some(sem.queries(&queries)?)
        }
        None => None,
    };
    // The library keeps its own copy of every text; the parsed lines can go.
    drop(items);
    let q_started = Instant::now();
    // Formatting the lines is part of the parallel work.
    let progress = Progress::new("truy vấn / queries", queries.len(), 200_000);
    let lines = par_map_with_progress(queries.len(), threads, Some(&progress), |i| {
        let v = qvecs.as_ref().and_then(|v| v.get(i)).map(Vec::as_slice);
        match_line(&lib, &queries[i], v, args.top, args.explain)
    });
    let q_secs = q_started.elapsed().as_secs_f64();
    let sink: Box<dyn Write> = match &args.out {
        Some(p) => Box::new(
            File::create(p)
                .with_context(|| format!("không ghi được / cannot write {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = BufWriter::new(sink);
    for line in &lines {
        w.write_all(line.as_bytes())?;
    }
    w.flush()?;
    // Freeing a large index is millions of small deallocations; the process
    // exits next and the OS takes the memory back at once.
    std::mem::forget(lib);
    std::mem::forget(lines);
    let total = started.elapsed().as_secs_f64();
    eprintln!(
        "thư viện / library: {n_lib} mục / items, dựng / built in {build_secs:.3}s; \
         truy vấn / queries: {} in {q_secs:.3}s ({:.0} q/s, {threads} threads); tổng / total {total:.3}s",
        queries.len(),
        queries.len() as f64 / q_secs.max(1e-9),
    );
    Ok(())
}

/// Quality figures of one eval run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quality {
    pub r1: f64,
    pub r5: f64,
    pub r10: f64,
    pub mrr: f64,
}

fn quality(queries: &[Line], results: &[Vec<Ranked>]) -> Quality {
    let mut hits = [0usize; 3];
    let mut rr = 0.0;
    let mut n = 0usize;
    for (q, ms) in queries.iter().zip(results) {
        let Some(target) = &q.target else { continue };
        n += 1;
        if let Some(rank) = ms.iter().take(10).position(|m| m.id == target) {
            rr += 1.0 / (rank + 1) as f64;
            for (h, cut) in hits.iter_mut().zip([1, 5, 10]) {
                if rank < cut {
                    *h += 1;
                }
            }
        }
    }
    let n = n.max(1) as f64;
    Quality {
        r1: hits[0] as f64 / n,
        r5: hits[1] as f64 / n,
        r10: hits[2] as f64 / n,
        mrr: rr / n,
    }
}

/// ROC-AUC of "top-1 score" separating matched from no-match queries (ties
/// count one half).
fn auc(positive: &[f32], negative: &[f32]) -> f64 {
    if positive.is_empty() || negative.is_empty() {
        return f64::NAN;
    }
    let mut neg = negative.to_vec();
    neg.sort_by(f32::total_cmp);
    let mut sum = 0.0;
    for &p in positive {
        let below = neg.partition_point(|&x| x < p);
        let equal = neg[below..].partition_point(|&x| x <= p);
        sum += below as f64 + 0.5 * equal as f64;
    }
    sum / (positive.len() as f64 * neg.len() as f64)
}

fn top1(results: &[Vec<Ranked>]) -> Vec<f32> {
    results
        .iter()
        .map(|ms| ms.first().map_or(0.0, |m| m.score))
        .collect()
}

pub fn run_eval(args: &EvalArgs) -> Result<()> {
    let threads = threads(args.threads);
    let (mut lib, items, build_secs) = build_library(&args.library, threads)?;
    let n_lib = items.len();
    let queries = read_jsonl(&args.queries, threads)?;
    if queries.iter().all(|q| q.target.is_none()) {
        bail!(
            "{}: không truy vấn nào có \"target\" / no query has a \"target\"",
            args.queries.display()
        );
    }
    let nomatch = match &args.nomatch {
        Some(path) => Some(read_jsonl(path, threads)?),
        None => None,
    };
    let (qvecs, nvecs) = match &args.model {
        Some(model) => {
            let mut sem = Semantic::open(model, &args.data_dir, threads)?;
            sem.attach(&mut lib, &items)?;
            let q = sem.queries(&queries)?;
            let n = match &nomatch {
                Some(n) => Some(sem.queries(n)?),
                None => None,
            };
            (Some(q), n)
        }
        None => (None, None),
    };
    let hybrid = qvecs.is_some();
    let started = Instant::now();
    let results = rank_all(&lib, &queries, qvecs.as_deref(), 10, threads);
    let q_secs = started.elapsed().as_secs_f64();
    let qual = quality(&queries, &results);
    let mut report = serde_json::json!({
        "library": n_lib, "queries": queries.len(),
        "r1": qual.r1, "r5": qual.r5, "r10": qual.r10, "mrr": qual.mrr,
        "build_secs": build_secs, "queries_per_sec": queries.len() as f64 / q_secs.max(1e-9),
    });
    let mut summary = format!(
        "library {n_lib}  queries {}  R@1 {:.4}  R@5 {:.4}  R@10 {:.4}  MRR {:.4}",
        queries.len(),
        qual.r1,
        qual.r5,
        qual.r10,
        qual.mrr
    );
    report["mode"] = if hybrid { "hybrid" } else { "lexical" }.into();
    if let Some(nomatch) = &nomatch {
        let neg = top1(&rank_all(&lib, nomatch, nvecs.as_deref(), 1, threads));
        let pos: Vec<f32> = queries
            .iter()
            .zip(&results)
            .filter(|(q, _)| q.target.is_some())
            .map(|(_, ms)| ms.first().map_or(0.0, |m| m.score))
            .collect();
        let a = auc(&pos, &neg);
        let (confirm, suggest) = if hybrid {
            (lib.hybrid_params().confirm, lib.hybrid_params().suggest)
        } else {
            (lib.params().confirm, lib.params().suggest)
        };
        let rate = |xs: &[f32], t: f32| {
            xs.iter().filter(|&&x| x >= t).count() as f64 / xs.len().max(1) as f64
        };
        report["nomatch_queries"] = nomatch.len().into();
        report["nomatch_auc"] = a.into();
        report["confirm_rate_match"] = rate(&pos, confirm).into();
        report["confirm_rate_nomatch"] = rate(&neg, confirm).into();
        report["suggest_rate_nomatch"] = rate(&neg, suggest).into();
        summary.push_str(&format!(
            "  no-match AUC {a:.4} (confirm: {:.1}% of matched, {:.1}% of no-match; suggest: {:.1}% of no-match)",
            100.0 * rate(&pos, confirm),
            100.0 * rate(&neg, confirm),
            100.0 * rate(&neg, suggest),
        ));
    }
    if hybrid {
        summary.push_str("  [hybrid]");
    }
    if args.json {
        println!("{report}");
    } else {
        println!("{summary}");
    }
    eprintln!(
        "dựng / built in {build_secs:.3}s; {:.0} q/s on {threads} threads",
        queries.len() as f64 / q_secs.max(1e-9)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, body).expect("write test file");
        p
    }

    #[test]
    fn ids_are_written_as_serde_json_writes_them() {
        for id in [
            "vn-000001",
            "tin đồn",
            "a\"b",
            "a\\b",
            "x\ny",
            "\u{1}",
            "\u{7f}",
            "",
        ] {
            let mut out = String::new();
            push_json_str(&mut out, id);
            assert_eq!(out, serde_json::to_string(id).expect("string"), "{id:?}");
        }
    }

    #[test]
    fn auc_orders_and_ties() {
        assert_eq!(auc(&[0.9, 0.8], &[0.1, 0.2]), 1.0);
        assert_eq!(auc(&[0.1], &[0.9]), 0.0);
        assert_eq!(auc(&[0.5], &[0.5]), 0.5);
    }

    #[test]
    fn malformed_line_names_file_and_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = write(
            dir.path(),
            "lib.jsonl",
            "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\": 3\n",
        );
        let err = read_jsonl(&p, 2).expect_err("malformed").to_string();
        assert!(err.contains(&format!("{}:2", p.display())), "{err}");
        // A value of the wrong type, or a line without its text, names the field.
        for (line, field) in [
            ("{\"id\":3,\"text\":\"x\"}", "`id`"),
            ("{\"id\":\"q\",\"text\":5}", "`text`"),
            ("{\"id\":\"q\",\"txt\":\"x\"}", "`text`"),
        ] {
            let p = write(
                dir.path(),
                "q.jsonl",
                &format!("{{\"id\":\"a\",\"text\":\"x\"}}\n{line}\n"),
            );
            let err = read_jsonl(&p, 2).expect_err(line).to_string();
            assert!(err.contains(&format!("{}:2", p.display())), "{err}");
            assert!(err.contains(field), "{line}: {err}");
        }
        // Bytes that are not UTF-8 too, after lines that are fine, with CRLF
        // line ends accepted.
        let p = dir.path().join("latin1.jsonl");
        std::fs::write(
            &p,
            b"{\"id\":\"a\",\"text\":\"x\"}\r\n\r\n{\"id\":\"b\",\"text\":\"caf\xe9\"}\n",
        )
        .expect("write test file");
        let err = format!("{:#}", read_jsonl(&p, 2).expect_err("not UTF-8"));
        assert!(err.contains(&format!("{}:3", p.display())), "{err}");
        assert!(err.contains("UTF-8"), "{err}");
    }

    #[test]
    fn reads_every_line_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let body: String = (0..1000)
            .map(|i| format!("{{\"id\":\"c{i}\",\"text\":\"dòng {i}\"}}\r\n"))
            .collect();
        let p = write(dir.path(), "many.jsonl", &body);
        let lines = read_jsonl(&p, 2).expect("reads");
        assert_eq!(lines.len(), 1000);
        assert!(lines
            .iter()
            .enumerate()
            .all(|(i, l)| l.id == format!("c{i}") && l.text == format!("dòng {i}")));
    }

    #[test]
    fn match_writes_one_line_per_query_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lib = write(
            dir.path(),
            "lib.jsonl",
            "{\"id\":\"c1\",\"text\":\"Uống nước chanh nóng chữa khỏi ung thư\",\"extra\":1}\n\
             {\"id\":\"c2\",\"text\":\"Bão số 5 đổ bộ Đà Nẵng\"}\n",
        );
        let queries = write(
            dir.path(),
            "q.jsonl",
            "{\"id\":\"q1\",\"text\":\"uong nuoc chanh nong chua khoi ung thu\"}\n\
             {\"id\":\"q2\",\"text\":\"\"}\n{\"id\":\"q3\",\"text\":\"bão đổ bộ Đà Nẵng\"}\n",
        );
        let out = dir.path().join("out.jsonl");
        let args = MatchArgs {
            library: lib,
            queries,
            top: 5,
            out: Some(out.clone()),
            model: None,
            data_dir: dir.path().join("data"),
            threads: Some(2),
            explain: false,
        };
        let read = |out: &Path| -> Vec<serde_json::Value> {
            std::fs::read_to_string(out)
                .expect("output")
                .lines()
                .map(|l| serde_json::from_str(l).expect("JSON line"))
                .collect()
        };
        run_match(&args).expect("match runs");
        let lines = read(&out);
        let ids: Vec<&str> = lines.iter().filter_map(|l| l["id"].as_str()).collect();
        assert_eq!(ids, ["q1", "q2", "q3"]);
        assert_eq!(lines[0]["matches"][0]["id"], "c1");
        assert_eq!(lines[1]["matches"].as_array().map(Vec::len), Some(0));
        assert_eq!(lines[2]["matches"][0]["id"], "c2");
        let score = lines[0]["matches"][0]["score"].as_f64().expect("score");
        assert!((0.0..=1.0).contains(&score));
        assert!(lines[0]["matches"][0].get("shared_terms").is_none());

        // --explain adds why, and changes nothing else.
        let explained = dir.path().join("explained.jsonl");
        run_match(&MatchArgs {
            out: Some(explained.clone()),
            explain: true,
            ..args
        })
        .expect("match --explain runs");
        let with = read(&explained);
        for (plain, with) in lines.iter().zip(&with) {
            assert_eq!(plain["id"], with["id"]);
            let strip = |ms: &serde_json::Value| -> Vec<(String, f64)> {
                ms.as_array()
                    .expect("matches")
                    .iter()
                    .map(|m| (m["id"].to_string(), m["score"].as_f64().unwrap_or(-1.0)))
                    .collect()
            };
            assert_eq!(strip(&plain["matches"]), strip(&with["matches"]));
        }
        let top = &with[0]["matches"][0];
        assert_eq!(top["generators"][0], "bm25");
        let shared: Vec<&str> = top["shared_terms"]
            .as_array()
            .expect("shared_terms")
            .iter()
            .filter_map(|t| t.as_str())
            .collect();
        // Typed without diacritics, named as the claim spells them.
        assert!(
            shared.contains(&"chanh") && shared.contains(&"nước"),
            "{shared:?}"
        );
    }
}
