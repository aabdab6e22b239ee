//! `cargo bench -p kc_match`: normalisation, index build and query speed.
//!
//! No benchmark framework (criterion would double the workspace's build
//! time on two cores): each case runs a few rounds and prints the median.
//! Texts come from `../shared/eval/vietnews` when it is there (the local
//! evaluation data, read in place), otherwise from a deterministic synthetic
//! generator, so the bench also runs on a fresh clone.

use std::hint::black_box;
use std::time::{Duration, Instant};

use kc_match::Library;

fn eval_texts(file: &str) -> Option<Vec<String>> {
    let path = format!(
        "{}/../../../shared/eval/vietnews/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let raw = std::fs::read_to_string(path).ok()?;
    let texts: Vec<String> = raw
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text")?.as_str().map(str::to_owned))
        .collect();
    (!texts.is_empty()).then_some(texts)
}

/// Deterministic pseudo-Vietnamese: syllables drawn by a fixed LCG.
fn synthetic(n: usize, len: usize, seed: u64) -> Vec<String> {
    const SYL: &[&str] = &[
        "người", "dân", "tin", "đồn", "bão", "số", "Đà", "Nẵng", "ngân", "hàng", "tiền", "mới",
        "chữa", "bệnh", "ung", "thư", "nước", "chanh", "vaccine", "gây", "vô", "sinh", "công",
        "an", "khởi", "tố", "lừa", "đảo", "chiếm", "đoạt", "tài", "sản", "học", "sinh", "giáo",
        "viên", "xăng", "tăng", "giá", "điện", "hòa", "thủy", "khỏe", "mạnh", "và", "của", "là",
        "có", "không", "được", "những", "trong", "ngày", "năm", "tỉnh", "huyện", "xã", "mạng",
    ];
    let mut state = seed;
    (0..n)
        .map(|_| {
            (0..len)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    SYL[(state >> 33) as usize % SYL.len()]
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn bench<F: FnMut()>(name: &str, per: usize, rounds: usize, mut f: F) {
    let times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    let m = median(times);
    println!(
        "{name:32} median {:>10.3} ms/round  {:>9.2} µs/op  ({per} ops/round, {rounds} rounds)",
        m.as_secs_f64() * 1e3,
        m.as_secs_f64() * 1e6 / per as f64
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing
    // and should stay quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let (lib_texts, queries, source) =
        match (eval_texts("corpus.jsonl"), eval_texts("queries.jsonl")) {
            (Some(l), Some(q)) => (l, q, "vietnews (../shared/eval)"),
            _ => (
                synthetic(20_000, 38, 1),
                synthetic(1_000, 14, 2),
                "synthetic",
            ),
        };
    let (lib_texts, queries) = if quick {
        (
            lib_texts[..lib_texts.len().min(500)].to_vec(),
            queries[..queries.len().min(50)].to_vec(),
        )
    } else {
        (lib_texts, queries)
    };
    let rounds = if quick { 1 } else { 5 };
    println!(
        "data: {source}, {} library texts, {} queries",
        lib_texts.len(),
        queries.len()
    );

    bench("normalize (library texts)", lib_texts.len(), rounds, || {
        for t in &lib_texts {
            black_box(kc_text::normalize(t));
        }
    });
    let ids: Vec<String> = (0..lib_texts.len()).map(|i| format!("c{i}")).collect();
    let pairs: Vec<(&str, &str)> = ids
        .iter()
        .map(String::as_str)
        .zip(lib_texts.iter().map(String::as_str))
        .collect();
    bench("index build, 1 thread", pairs.len(), rounds, || {
        let mut lib = Library::new();
        lib.bulk_upsert(&pairs, 1);
        black_box(lib.len());
    });
    bench(
        "index build, upsert one by one",
        pairs.len(),
        rounds,
        || {
            let mut lib = Library::new();
            for (id, t) in &pairs {
                lib.upsert(id, t);
            }
            black_box(lib.len());
        },
    );
    let mut lib = Library::new();
    lib.bulk_upsert(&pairs, 2);
    bench("query, top 10, 1 thread", queries.len(), rounds, || {
        for q in &queries {
            black_box(lib.search(q, 10));
        }
    });
    let folded: Vec<String> = queries.iter().map(|q| kc_text::fold(q)).collect();
    bench("query without diacritics", folded.len(), rounds, || {
        for q in &folded {
            black_box(lib.search(q, 10));
        }
    });
    bench("snapshot load", lib.len(), rounds, || {
        let bytes = lib.snapshot();
        black_box(Library::from_snapshot(&bytes).map(|l| l.len()).unwrap_or(0));
    });
}
