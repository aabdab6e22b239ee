//! kc_embed's one integration-test binary. Tests that need the real model read
//! `models/e5-small-q4.bin` (put there by `scripts/fetch-model`, which CI runs) or the file
//! named by `KC_MODEL`, and skip with a message when it is absent.

mod encoder;
mod loader;
mod tokenizer;

use kc_embed::Encoder;
use std::path::PathBuf;
use std::sync::OnceLock;

fn model_path() -> PathBuf {
    std::env::var_os("KC_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/e5-small-q4.bin")
        })
}

fn model_bytes() -> Option<&'static [u8]> {
    static BYTES: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    BYTES
        .get_or_init(|| std::fs::read(model_path()).ok())
        .as_deref()
}

/// The real encoder, loaded once for all tests; `None` (with a message) without the model.
fn encoder(test: &str) -> Option<&'static Encoder> {
    static ENC: OnceLock<Option<Encoder>> = OnceLock::new();
    let enc = ENC
        .get_or_init(|| {
            model_bytes().map(|b| Encoder::from_bytes(b).expect("the fetched model loads"))
        })
        .as_ref();
    if enc.is_none() {
        eprintln!(
            "SKIPPED {test}: no model at {} (run scripts/fetch-model)",
            model_path().display()
        );
    }
    enc
}

fn fixture(name: &str) -> Vec<serde_json::Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path)
        .expect("fixture file")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("fixture line is JSON"))
        .collect()
}
