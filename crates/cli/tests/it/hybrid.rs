//! `kiemchung match --model`: matching by meaning with the real semantic model.

use super::kiemchung;
use std::path::PathBuf;

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
    let lib = dir.path().join("lib.jsonl");
    let queries = dir.path().join("q.jsonl");
    std::fs::write(&lib, LIBRARY).expect("write");
    std::fs::write(
        &queries,
        "{\"id\":\"q\",\"text\":\"Nghe nói chích vắc xin corona xong thì chị em không thể có con nữa, có đúng không?\"}\n",
    )
    .expect("write");
    let data = dir.path().join("data");
    let run = |with_model: bool| {
        let mut c = kiemchung();
        c.args(["match", "--library"])
            .arg(&lib)
            .arg("--queries")
            .arg(&queries)
            .arg("--data-dir")
            .arg(&data);
        if with_model {
            c.arg("--model").arg(&model);
        }
        let o = c.output().expect("run");
        let (out, err) = super::text(&o);
        assert!(o.status.success(), "{err}");
        out
    };
    let hybrid = run(true);
    let (id, score) = top(&hybrid);
    assert_eq!(id, "vaccine", "{hybrid}");
    let cached = std::fs::read_dir(data.join("embeddings"))
        .expect("cache dir")
        .count();
    assert_eq!(cached, 1, "one cache file for the model");
    // The second run reads the cached vectors and answers the same.
    assert_eq!(run(true), hybrid);
    // Without --model the paraphrase shares few words: a weaker score.
    let (_, lexical_score) = top(&run(false));
    assert!(lexical_score < score, "{lexical_score} vs {score}");
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
    let line =
        |id: &str, text: &str| serde_json::json!({ "id": id, "text": text }).to_string() + "\n";
    let queries = dir.path().join("q.jsonl");
    std::fs::write(
        &queries,
        line("typeset", typeset) + &line("segmented", segmented),
    )
    .expect("write");
    let run = |library: &str| {
        let lib = dir.path().join("lib.jsonl");
        std::fs::write(&lib, library).expect("write");
        let o = kiemchung()
            .args(["match", "--library"])
            .arg(&lib)
            .arg("--queries")
            .arg(&queries)
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--model")
            .arg(&model)
            .output()
            .expect("run");
        let (out, err) = super::text(&o);
        assert!(o.status.success(), "{err}");
        let tops: Vec<(String, f64)> = out.lines().map(top).collect();
        assert_eq!(tops.len(), 2, "{out}");
        tops
    };
    let typeset_library = run(LIBRARY);
    assert_eq!(typeset_library[0].0, "vaccine");
    assert_eq!(typeset_library[0], typeset_library[1], "query side");
    let segmented_library = run(&LIBRARY.replace("phụ nữ, Bộ Y tế", "phụ nữ , Bộ Y tế"));
    assert_eq!(segmented_library, typeset_library, "library side");
}

/// The encoder reads Vietnamese typed without diacritics poorly; a report typed that way
/// is still confirmed with the model loaded, as it is without it.
#[test]
fn a_report_typed_without_diacritics_is_confirmed_with_the_model_too() {
    let Some(model) = model() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let lib = dir.path().join("lib.jsonl");
    let queries = dir.path().join("q.jsonl");
    std::fs::write(&lib, LIBRARY).expect("write");
    std::fs::write(
        &queries,
        "{\"id\":\"q\",\"text\":\"Bao so 5 se do bo vao Da Nang dem nay, nguoi dan can so tan ngay\"}\n",
    )
    .expect("write");
    let run = |with_model: bool| {
        let mut c = kiemchung();
        c.args(["match", "--library"])
            .arg(&lib)
            .arg("--queries")
            .arg(&queries)
            .arg("--data-dir")
            .arg(dir.path().join("data"));
        if with_model {
            c.arg("--model").arg(&model);
        }
        let o = c.output().expect("run");
        let (out, err) = super::text(&o);
        assert!(o.status.success(), "{err}");
        top(&out)
    };
    // 0.90 is the confirm threshold of both calibrations.
    let lexical = run(false);
    assert_eq!(lexical.0, "bao");
    assert!(lexical.1 >= 0.9, "{lexical:?}");
    let hybrid = run(true);
    assert_eq!(hybrid.0, "bao");
    assert!(hybrid.1 >= 0.9, "{hybrid:?}");
}

/// A report typed in capitals throughout (common in forwarded rumours), strewn with emoji, or
/// with invisible characters slipped inside its words to dodge filters, matches as the same
/// report in plain sentence case: the encoder reads that form.
#[test]
fn a_shouting_decorated_or_invisibly_broken_report_matches_as_the_plain_one() {
    let Some(model) = model() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let lib = dir.path().join("lib.jsonl");
    let queries = dir.path().join("q.jsonl");
    std::fs::write(&lib, LIBRARY).expect("write");
    let line =
        |id: &str, text: &str| serde_json::json!({ "id": id, "text": text }).to_string() + "\n";
    std::fs::write(
        &queries,
        line(
            "shouting",
            "CHÍCH VẮC XIN CORONA XONG THÌ CHỊ EM KHÔNG THỂ CÓ CON NỮA, CÓ ĐÚNG KHÔNG?",
        ) + &line(
            "sentence-case",
            "Chích vắc xin corona xong thì chị em không thể có con nữa, có đúng không?",
        ) + &line(
            "emoji",
            "⚠️⚠️ Chích vắc xin corona xong 😱 thì chị em không thể có con nữa, có đúng không?🙏",
        ) + &line(
            "invisible",
            "Chí\u{200b}ch vắc xin co\u{200c}rona xong thì chị em kh\u{ad}ông thể có con nữa, có đúng không?",
        ),
    )
    .expect("write");
    let o = kiemchung()
        .args(["match", "--library"])
        .arg(&lib)
        .arg("--queries")
        .arg(&queries)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--model")
        .arg(&model)
        .output()
        .expect("run");
    let (out, err) = super::text(&o);
    assert!(o.status.success(), "{err}");
    let tops: Vec<(String, f64)> = out.lines().map(top).collect();
    assert_eq!(tops.len(), 4, "{out}");
    assert_eq!(tops[1].0, "vaccine");
    for t in &tops {
        assert_eq!(t, &tops[1], "{out}");
    }
}
