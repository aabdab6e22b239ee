//! `kiemchung match --model`: matching by meaning with the real semantic model.

use super::kiemchung;
use std::path::{Path, PathBuf};

/// The model, or `None` (with a message) when it is absent outside CI; in CI, where the
/// model is fetched first, its absence is a failure.
fn model() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/e5-small-q4.bin");
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must fetch the model first: no {} (scripts/fetch-model)",
        p.display()
    );
    eprintln!(
        "SKIPPED: no semantic model at {} (run scripts/fetch-model)",
        p.display()
    );
    None
}

const LIBRARY: &str = "\
{\"id\":\"gia\",\"text\":\"Giá xăng RON 95 tăng thêm 500 đồng mỗi lít từ chiều nay theo quyết định của liên bộ\"}
{\"id\":\"bao\",\"text\":\"Bão số 5 sẽ đổ bộ vào Đà Nẵng đêm nay, người dân cần sơ tán ngay lập tức\"}
{\"id\":\"vaccine\",\"text\":\"Tiêm vắc xin ngừa Covid-19 không gây vô sinh ở phụ nữ, Bộ Y tế khẳng định\"}
";

fn top(out: &str) -> (String, f64) {
    let line: serde_json::Value =
        serde_json::from_str(out.lines().next().expect("one line")).expect("JSON line");
    // No match at all reads as score 0.
    let m = &line["matches"][0];
    (
        m["id"].as_str().unwrap_or_default().to_owned(),
        m["score"].as_f64().unwrap_or(0.0),
    )
}

#[test]
fn match_with_a_model_finds_a_paraphrase_and_caches_library_vectors() {
    let Some(model) = model() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let report =
        ["Nghe nói chích vắc xin corona xong thì chị em không thể có con nữa, có đúng không?"];
    let hybrid = tops(dir.path(), LIBRARY, &report, Some(&model));
    assert_eq!(hybrid[0].0, "vaccine", "{hybrid:?}");
    let cached = std::fs::read_dir(dir.path().join("data/embeddings"))
        .expect("cache dir")
        .count();
    assert_eq!(cached, 1, "one cache file for the model");
    // The second run reads the cached vectors and answers the same.
    assert_eq!(tops(dir.path(), LIBRARY, &report, Some(&model)), hybrid);
    // Without --model the paraphrase shares few words: a weaker score.
    let lexical = tops(dir.path(), LIBRARY, &report, None);
    assert!(lexical[0].1 < hybrid[0].1, "{lexical:?} vs {hybrid:?}");
}

/// The top match of each query, matching `queries` against `library` (JSONL of `(id, text)`)
/// with the model when one is given; files and vector cache live in `dir`.
fn tops(dir: &Path, library: &str, queries: &[&str], model: Option<&Path>) -> Vec<(String, f64)> {
    let lib = dir.join("lib.jsonl");
    let q = dir.join("q.jsonl");
    std::fs::write(&lib, library).expect("write");
    let lines: String = queries
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::json!({ "id": format!("q{i}"), "text": t }).to_string() + "\n")
        .collect();
    std::fs::write(&q, lines).expect("write");
    let mut c = kiemchung();
    c.args(["match", "--library"])
        .arg(&lib)
        .arg("--queries")
        .arg(&q)
        .arg("--data-dir")
        .arg(dir.join("data"));
    if let Some(model) = model {
        c.arg("--model").arg(model);
    }
    let o = c.output().expect("run");
    let (out, err) = super::text(&o);
    assert!(o.status.success(), "{err}");
    let found: Vec<(String, f64)> = out.lines().map(top).collect();
    assert_eq!(found.len(), queries.len(), "{out}");
    found
}

/// Text spaced as a word segmenter leaves it (`đồn :`, `" sát thủ "`), on either side,
/// matches exactly as its typeset form does: the encoder reads the typeset form.
#[test]
fn segmented_punctuation_spacing_changes_no_hybrid_score() {
    let Some(model) = model() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let typeset = "Tin đồn: \"tiêm vắc xin Covid-19 gây vô sinh\" là sai, Bộ Y tế khẳng định.";
    let segmented =
        "Tin đồn : \" tiêm vắc xin Covid-19 gây vô sinh \" là sai , Bộ Y tế khẳng định .";
    let queries = [typeset, segmented];
    let typeset_library = tops(dir.path(), LIBRARY, &queries, Some(&model));
    assert_eq!(typeset_library[0].0, "vaccine");
    assert_eq!(typeset_library[0], typeset_library[1], "query side");
    let segmented = LIBRARY.replace("phụ nữ, Bộ Y tế", "phụ nữ , Bộ Y tế");
    let segmented_library = tops(dir.path(), &segmented, &queries, Some(&model));
    assert_eq!(segmented_library, typeset_library, "library side");
}

/// The encoder reads Vietnamese typed without diacritics poorly; a report typed that way
/// is still confirmed with the model loaded, as it is without it.
#[test]
fn a_report_typed_without_diacritics_is_confirmed_with_the_model_too() {
    let Some(model) = model() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let report = ["Bao so 5 se do bo vao Da Nang dem nay, nguoi dan can so tan ngay"];
    // 0.90 is the confirm threshold of both calibrations.
    for with_model in [None, Some(model.as_path())] {
        let found = &tops(dir.path(), LIBRARY, &report, with_model)[0];
        assert_eq!(found.0, "bao");
        assert!(found.1 >= 0.9, "{found:?} (model: {with_model:?})");
    }
}

/// A report typed in capitals throughout (common in forwarded rumours), strewn with emoji, or
/// with invisible characters slipped inside its words to dodge filters, matches as the same
/// report in plain sentence case: the encoder reads that form.
#[test]
fn a_shouting_decorated_or_invisibly_broken_report_matches_as_the_plain_one() {
    let Some(model) = model() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let plain = "Chích vắc xin corona xong thì chị em không thể có con nữa, có đúng không?";
    let found = tops(
        dir.path(),
        LIBRARY,
        &[
            plain,
            "CHÍCH VẮC XIN CORONA XONG THÌ CHỊ EM KHÔNG THỂ CÓ CON NỮA, CÓ ĐÚNG KHÔNG?",
            "⚠️⚠️ Chích vắc xin corona xong 😱 thì chị em không thể có con nữa, có đúng không?🙏",
            "Chí\u{200b}ch vắc xin co\u{200c}rona xong thì chị em kh\u{ad}ông thể có con nữa, có đúng không?",
        ],
        Some(&model),
    );
    assert_eq!(found[0].0, "vaccine");
    for f in &found {
        assert_eq!(f, &found[0], "{found:?}");
    }
}
