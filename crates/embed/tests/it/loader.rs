use crate::model_bytes;
use kc_embed::{model_hash, Encoder, ModelError};

fn header(magic: &[u8; 4], version: u32) -> Vec<u8> {
    let mut b = magic.to_vec();
    b.extend_from_slice(&version.to_le_bytes());
    for v in [384u32, 12, 12, 1536, 250_037, 512, 2] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&1e-12f32.to_le_bytes());
    b.extend_from_slice(&32u32.to_le_bytes());
    b
}

fn load_err(bytes: &[u8]) -> ModelError {
    match Encoder::from_bytes(bytes) {
        Ok(_) => panic!("{} bytes loaded as a model", bytes.len()),
        Err(e) => e,
    }
}

#[test]
fn a_file_that_is_not_a_model_is_named_as_such() {
    let e = load_err(b"PK\x03\x04 this is a zip, not a model");
    assert!(e.to_string().contains(r#"starts with "PK\x03\x04""#), "{e}");
    assert!(matches!(e, ModelError::BadMagic { .. }), "{e}");
    assert!(e.to_string().contains("E5S1"), "{e}");
    assert!(matches!(load_err(b""), ModelError::Truncated { .. }));
}

#[test]
fn a_newer_format_version_is_refused_with_its_number() {
    let e = load_err(&header(b"E5S1", 2));
    assert!(
        matches!(e, ModelError::UnsupportedVersion { found: 2 }),
        "{e}"
    );
    assert!(e.to_string().contains("version 2"), "{e}");
}

#[test]
fn a_header_without_its_vocabulary_is_truncated() {
    let e = load_err(&header(b"E5S1", 1));
    match &e {
        ModelError::Truncated { len, .. } => assert_eq!(*len, 44),
        other => panic!("expected Truncated, got {other}"),
    }
    assert!(e.to_string().contains("44"), "{e}");
}

#[test]
fn implausible_dimensions_are_refused() {
    let mut b = header(b"E5S1", 1);
    b[8..12].copy_from_slice(&385u32.to_le_bytes());
    assert!(matches!(load_err(&b), ModelError::Invalid(_)));
}

#[test]
fn a_cut_model_file_is_truncated_wherever_it_is_cut() {
    let Some(bytes) = model_bytes() else {
        eprintln!("SKIPPED a_cut_model_file_is_truncated_wherever_it_is_cut: no model");
        return;
    };
    // Inside the piece offsets, the scores, the text, the map, the directory, the data.
    for cut in [
        0x50,
        0x10_0000,
        0x300_000,
        0x460_000,
        0x46b_000,
        0x100_0000,
        bytes.len() - 1,
    ] {
        let e = load_err(&bytes[..cut]);
        assert!(
            matches!(e, ModelError::Truncated { .. }),
            "cut at {cut:#x}: {e}"
        );
    }
}

#[test]
fn model_hash_is_the_hex_sha256_of_the_bytes() {
    assert_eq!(
        model_hash(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}
