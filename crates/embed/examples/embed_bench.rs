//! Times kc_embed as `crates/embed/bench/compare.sh` needs it: model load, passage throughput
//! (one batch, all threads) and single-query latency (one text at a time, median), and writes
//! the passage vectors so their agreement with the reference can be measured.
//!
//!   cargo run --release -p kc_embed --example embed_bench -- MODEL PASSAGES.jsonl QUERIES.jsonl OUT.f32
//!
//! Prints one JSON object on stdout.

use kc_embed::{Encoder, Kind};
use std::io::Write;
use std::time::Instant;

fn texts(path: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for line in std::fs::read_to_string(path)?.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)?;
        out.push(v["text"].as_str().ok_or("line without text")?.to_owned());
    }
    Ok(out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, model, passages, queries, out] = args.as_slice() else {
        return Err("usage: embed_bench MODEL PASSAGES.jsonl QUERIES.jsonl OUT.f32".into());
    };
    let t0 = Instant::now();
    let bytes = std::fs::read(model)?;
    let enc = Encoder::from_bytes(&bytes)?;
    let load_s = t0.elapsed().as_secs_f64();
    let passages = texts(passages)?;
    let queries = texts(queries)?;

    let refs: Vec<&str> = passages.iter().map(String::as_str).collect();
    let t1 = Instant::now();
    let vecs = enc.embed(&refs, Kind::Passage);
    let embed_s = t1.elapsed().as_secs_f64();

    let mut lat: Vec<f64> = Vec::with_capacity(queries.len());
    for q in &queries {
        let t = Instant::now();
        let v = enc.embed(&[q.as_str()], Kind::Query);
        lat.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(v);
    }
    lat.sort_by(f64::total_cmp);
    let p50 = lat.get(lat.len() / 2).copied().unwrap_or(f64::NAN);

    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    for v in &vecs {
        for x in v {
            w.write_all(&x.to_le_bytes())?;
        }
    }
    w.flush()?;
    println!(
        "{}",
        serde_json::json!({
            "impl": "kc_embed",
            "load_s": load_s,
            "passages": passages.len(),
            "passages_per_s": passages.len() as f64 / embed_s,
            "query_p50_ms": p50,
            "queries": queries.len(),
        })
    );
    Ok(())
}
