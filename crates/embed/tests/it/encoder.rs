use crate::{encoder, fixture};
use kc_embed::Kind;

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn vectors_agree_with_the_reference_implementation() {
    let Some(enc) = encoder("vectors_agree_with_the_reference_implementation") else {
        return;
    };
    let cases = fixture("reference_vectors.jsonl");
    assert!(cases.len() >= 10);
    for case in cases {
        let text = case["text"].as_str().expect("text");
        let kind = match case["kind"].as_str() {
            Some("query") => Kind::Query,
            _ => Kind::Passage,
        };
        let want: Vec<f32> = case["vector"]
            .as_array()
            .expect("vector")
            .iter()
            .map(|v| v.as_f64().expect("float") as f32)
            .collect();
        let got = enc.embed(&[text], kind).remove(0);
        assert_eq!(got.len(), 384);
        let cos = dot(&got, &want);
        assert!(cos >= 0.995, "cosine {cos} for {kind:?} {text:?}");
    }
}

#[test]
fn the_portable_path_agrees_with_the_reference_too() {
    let Some(bytes) = crate::model_bytes() else {
        eprintln!("SKIPPED the_portable_path_agrees_with_the_reference_too: no model");
        return;
    };
    let enc = kc_embed::Encoder::from_bytes(bytes)
        .expect("model loads")
        .without_simd();
    let simd = encoder("the_portable_path_agrees_with_the_reference_too").expect("loaded");
    for case in fixture("reference_vectors.jsonl").iter().take(3) {
        let text = case["text"].as_str().expect("text");
        let want: Vec<f32> = case["vector"]
            .as_array()
            .expect("vector")
            .iter()
            .map(|v| v.as_f64().expect("float") as f32)
            .collect();
        let kind = if case["kind"] == "query" {
            Kind::Query
        } else {
            Kind::Passage
        };
        let got = enc.embed(&[text], kind).remove(0);
        assert!(dot(&got, &want) >= 0.995, "portable path on {text:?}");
        let fast = simd.embed(&[text], kind).remove(0);
        assert!(dot(&got, &fast) > 0.9999, "portable vs SIMD on {text:?}");
    }
}

#[test]
fn the_encoder_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<kc_embed::Encoder>();
}

#[test]
fn batches_give_each_text_its_own_unit_vector_in_order() {
    let Some(enc) = encoder("batches_give_each_text_its_own_unit_vector_in_order") else {
        return;
    };
    let texts = [
        "Bộ Y tế bác bỏ tin đồn về dịch bệnh lạ.",
        "",
        "Giá xăng giảm từ chiều nay.",
        "Bộ Y tế bác bỏ tin đồn về dịch bệnh lạ.",
    ];
    let batch = enc.embed(&texts, Kind::Passage);
    assert_eq!(batch.len(), 4);
    for (t, v) in texts.iter().zip(&batch) {
        assert!((dot(v, v) - 1.0).abs() < 1e-4, "norm of {t:?}");
        let alone = enc.embed(&[t], Kind::Passage).remove(0);
        assert!(dot(v, &alone) > 0.9999, "batch vs alone for {t:?}");
    }
    assert!(dot(&batch[0], &batch[3]) > 0.9999);
    assert!(dot(&batch[0], &batch[2]) < 0.95);
    assert!(enc.embed(&[], Kind::Query).is_empty());
}

#[test]
fn paraphrases_are_nearer_than_unrelated_claims() {
    let Some(enc) = encoder("paraphrases_are_nearer_than_unrelated_claims") else {
        return;
    };
    let q = enc.embed(&["uống nước chanh nóng chữa khỏi ung thư"], Kind::Query);
    let p = enc.embed(
        &[
            "Các bác sĩ khẳng định nước chanh ấm không thể điều trị bệnh ung thư.",
            "Giá xăng giảm 500 đồng mỗi lít từ 15 giờ chiều nay.",
        ],
        Kind::Passage,
    );
    assert!(dot(&q[0], &p[0]) > dot(&q[0], &p[1]) + 0.05);
}

#[test]
fn long_texts_are_windowed_not_cut() {
    let Some(enc) = encoder("long_texts_are_windowed_not_cut") else {
        return;
    };
    let head = "Mưa lũ gây sạt lở nghiêm trọng ở các tỉnh miền núi phía Bắc. ".repeat(40);
    let tail = "Giá vàng trong nước tăng mạnh theo giá thế giới. ".repeat(40);
    let long = format!("{head}{tail}");
    assert!(enc.token_ids(&long, Kind::Passage).len() > 600);
    let v = enc.embed(&[&long, &head, &tail], Kind::Passage);
    assert!((dot(&v[0], &v[0]) - 1.0).abs() < 1e-4);
    // Both halves count: the text is close to each, which a cut at 512 tokens would not give.
    let (to_head, to_tail) = (dot(&v[0], &v[1]), dot(&v[0], &v[2]));
    assert!(to_head > 0.85 && to_tail > 0.85, "{to_head} {to_tail}");
}
