//! Any bytes as a report's or an evidence file: accepting never panics, what is accepted is
//! accepted again unchanged, and nothing removed comes back (crates/desk/src/attachment/tests.rs
//! has the same properties as proptests over built files; this target searches far wider).
#![no_main]

use kc_desk::attachment::{accept_evidence_file, accept_report_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for accept in [accept_report_file, accept_evidence_file] {
        if let Ok(f) = accept("f", data) {
            assert!(f.bytes.len() <= data.len() + 64, "cleaning grew the file");
            let again = accept("f", &f.bytes).expect("an accepted file is accepted again");
            assert_eq!(again.bytes, f.bytes, "cleaning is not idempotent");
            assert_eq!(again.sha256, f.sha256);
            if f.media_type.is_image() {
                assert!(again.removed.is_empty(), "found {:?} again", again.removed);
            }
        }
    }
});
