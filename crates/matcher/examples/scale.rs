//! Scale benchmark: a synthetic library of N claims (default 1,000,000)
//! built from the public evaluation texts, then single-threaded query
//! latency. Run through `bench/scale.sh`, which documents the recipe.
//!
//! Claims: for i in 0..N, the first half of lead paragraph `a = i mod L` and
//! the second half of paragraph `b = (i · 7919 + i / L) mod L`, where L is the
//! 44.7k VietNews leads (corpus + distractors). Every claim is a distinct,
//! realistic-looking Vietnamese text of about 35 syllables; the vocabulary is
//! that of real news.
//! Queries: the VietNews headlines and the vnPara sentences as they are, and
//! every 500th synthetic claim with one syllable dropped (a lightly edited
//! forward, which must come back first).

use std::time::Instant;

use kc_match::Library;

fn texts(path: &str) -> Vec<String> {
    let raw = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    raw.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text")?.as_str().map(str::to_owned))
        .collect()
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_owned())
}

fn main() {
    let eval = arg("--eval", "../shared/eval");
    let n: usize = arg("--n", "1000000").parse().expect("--n is a number");
    let threads: usize = arg("--threads", "2")
        .parse()
        .expect("--threads is a number");
    let mut leads = texts(&format!("{eval}/vietnews/corpus.jsonl"));
    leads.extend(texts(&format!("{eval}/vietnews/distractors.jsonl")));
    let halves: Vec<(String, String)> = leads
        .iter()
        .map(|t| {
            let w: Vec<&str> = t.split_whitespace().collect();
            let mid = w.len() / 2;
            (w[..mid].join(" "), w[mid..].join(" "))
        })
        .collect();
    let l = halves.len();
    let t = Instant::now();
    let claims: Vec<String> = (0..n)
        .map(|i| {
            let a = i % l;
            let b = (i.wrapping_mul(7919) + i / l) % l;
            format!("{} {}", halves[a].0, halves[b].1)
        })
        .collect();
    let ids: Vec<String> = (0..n).map(|i| format!("c{i:07}")).collect();
    eprintln!("generated {n} claims in {:.1}s", t.elapsed().as_secs_f64());

    let rss0 = rss_mib();
    let t = Instant::now();
    let mut lib = Library::new();
    let pairs: Vec<(&str, &str)> = ids
        .iter()
        .map(String::as_str)
        .zip(claims.iter().map(String::as_str))
        .collect();
    lib.bulk_upsert(&pairs, threads);
    let build = t.elapsed().as_secs_f64();
    let rss1 = rss_mib();

    let mut queries = texts(&format!("{eval}/vietnews/queries.jsonl"));
    queries.extend(texts(&format!("{eval}/vnpara/queries.jsonl")));
    let mut edited: Vec<(String, String)> = Vec::new();
    for i in (0..n).step_by(500) {
        let mut w: Vec<&str> = claims[i].split_whitespace().collect();
        if w.len() > 4 {
            w.remove(w.len() / 3);
        }
        edited.push((ids[i].clone(), w.join(" ")));
    }
    let mut lat: Vec<f64> = Vec::new();
    for q in &queries {
        let t = Instant::now();
        std::hint::black_box(lib.search(q, 10));
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mut found = 0usize;
    for (id, q) in &edited {
        let t = Instant::now();
        let ms = lib.search(q, 10);
        lat.push(t.elapsed().as_secs_f64() * 1e3);
        if ms.first().is_some_and(|m| &m.id == id) {
            found += 1;
        }
    }
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p) as usize];
    let t = Instant::now();
    lib.upsert(
        "new-claim",
        "Tin đồn thất thiệt về việc đổi tiền mới lan truyền trên mạng xã hội",
    );
    let upsert_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let hit = lib.search("tin đồn đổi tiền mới lan truyền trên mạng xã hội", 1);
    let fresh_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    lib.remove("new-claim");
    let remove_ms = t.elapsed().as_secs_f64() * 1e3;
    println!("claims            {n}");
    println!(
        "build             {build:.1} s ({threads} threads, {:.1} µs/claim)",
        build * 1e6 / n as f64
    );
    println!(
        "memory            {:.0} MiB for the library ({:.0} bytes/claim; RSS {rss1:.0} MiB)",
        rss1 - rss0,
        (rss1 - rss0) * 1048576.0 / n as f64
    );
    let st = lib.stats();
    println!(
        "index             {} terms, {} postings, estimated heap {:.0} MiB ({:.0} bytes/claim)",
        st.terms,
        st.postings,
        st.heap_bytes as f64 / 1048576.0,
        st.heap_bytes as f64 / n as f64
    );
    println!("queries           {} (1 thread)", lat.len());
    println!("latency p50       {:.3} ms", pct(0.5));
    println!("latency p90       {:.3} ms", pct(0.9));
    println!("latency p99       {:.3} ms", pct(0.99));
    println!("edited copies     {found}/{} found first", edited.len());
    println!(
        "live upsert       {upsert_ms:.3} ms, then matchable: {} ({fresh_ms:.3} ms)",
        hit.first().is_some_and(|m| m.id == "new-claim")
    );
    println!("live remove       {remove_ms:.3} ms");
}
