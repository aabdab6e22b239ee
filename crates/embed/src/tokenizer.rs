//! SentencePiece-unigram tokenizer over the pieces and scores stored in the model file.
//!
//! Normalisation follows what the model was fine-tuned with (the Hugging Face tokenizer of
//! XLM-R, which the reference implementation also follows): canonical composition (NFC), the
//! file's character map (NFKC folds, control characters dropped, odd spaces made plain), runs
//! of spaces collapsed into one, leading spaces dropped but one trailing space kept, and a "▁"
//! put before the text and in place of every space. Then Viterbi picks the segmentation whose
//! piece scores (log-probabilities) sum highest.
//!
//! NFC first is our one departure from the reference, which leaves decomposed input (as some
//! Vietnamese keyboards type it) decomposed, so that "a\u{301}" splits into two pieces; with
//! NFC it is the "á" the model knows. Composed input, the usual case, is unaffected.

use crate::format::Vocab;
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

const SPACE: char = '▁';
/// SentencePiece scores a character no piece covers at the lowest piece score minus this.
const UNK_PENALTY: f32 = 10.0;

pub(crate) struct Tokenizer {
    /// Piece text → (id, score). Control pieces (`<s>`, `</s>`, `<pad>`, `<unk>`, `<mask>`) are
    /// left out so that typed text never turns into them.
    pieces: HashMap<Box<str>, (u32, f32)>,
    max_piece_chars: usize,
    unk_score: f32,
    norm: HashMap<char, Vec<char>>,
    pub bos: u32,
    pub eos: u32,
    pub unk: u32,
}

fn is_control_piece(piece: &str) -> bool {
    piece.len() > 2 && piece.starts_with('<') && piece.ends_with('>')
}

impl Tokenizer {
    pub(crate) fn new(vocab: Vocab) -> Tokenizer {
        let mut pieces = HashMap::with_capacity(vocab.pieces.len());
        let mut max_piece_chars = 1;
        let mut min_score = f32::INFINITY;
        for (id, (piece, score)) in vocab.pieces.into_iter().zip(vocab.scores).enumerate() {
            let id = id as u32;
            if piece.is_empty()
                || id == vocab.bos
                || id == vocab.eos
                || id == vocab.unk
                || (score == 0.0 && is_control_piece(&piece))
            {
                continue;
            }
            min_score = min_score.min(score);
            max_piece_chars = max_piece_chars.max(piece.chars().count());
            pieces.insert(piece.into_boxed_str(), (id, score));
        }
        let unk_score = if min_score.is_finite() {
            min_score - UNK_PENALTY
        } else {
            -UNK_PENALTY
        };
        Tokenizer {
            pieces,
            max_piece_chars,
            unk_score,
            norm: vocab.norm,
            bos: vocab.bos,
            eos: vocab.eos,
            unk: vocab.unk,
        }
    }

    /// The normalised text the pieces are matched against ("▁Hà▁Nội").
    pub(crate) fn normalize(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 8);
        // True when the last thing written was a space, or nothing was written yet: leading
        // spaces vanish and runs of spaces collapse into one.
        let mut pending_space = false;
        let mut push = |c: char, out: &mut String| {
            if c == ' ' {
                pending_space = true;
            } else {
                if pending_space || out.is_empty() {
                    out.push(SPACE);
                }
                pending_space = false;
                out.push(c);
            }
        };
        for c in text.nfc() {
            match self.norm.get(&c) {
                Some(rep) => rep.iter().for_each(|&r| push(r, &mut out)),
                None => push(c, &mut out),
            }
        }
        // "text " ends with a lone "▁" piece in the model's own tokenizer.
        if pending_space && !out.is_empty() {
            out.push(SPACE);
        }
        out
    }

    /// Token ids of `text`, without the `<s>` / `</s>` around them.
    pub(crate) fn encode(&self, text: &str) -> Vec<u32> {
        let norm = self.normalize(text);
        // Char boundaries, so that pieces are matched on whole characters.
        let bounds: Vec<usize> = norm
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(norm.len()))
            .collect();
        let n = bounds.len() - 1;
        if n == 0 {
            return Vec::new();
        }
        // best[i] = (score of the best segmentation of the first i chars, start char, piece id).
        let mut best: Vec<(f32, usize, u32)> = vec![(f32::NEG_INFINITY, 0, 0); n + 1];
        best[0].0 = 0.0;
        for start in 0..n {
            let base = best[start].0;
            if base == f32::NEG_INFINITY {
                continue;
            }
            let mut covered = false;
            let last = (start + self.max_piece_chars).min(n);
            for end in start + 1..=last {
                if let Some(&(id, score)) = self.pieces.get(&norm[bounds[start]..bounds[end]]) {
                    if end == start + 1 {
                        covered = true;
                    }
                    let s = base + score;
                    if s > best[end].0 {
                        best[end] = (s, start, id);
                    }
                }
            }
            if !covered {
                let s = base + self.unk_score;
                if s > best[start + 1].0 {
                    best[start + 1] = (s, start, self.unk);
                }
            }
        }
        let mut ids = Vec::new();
        let mut at = n;
        while at > 0 {
            let (_, start, id) = best[at];
            // A run of uncovered characters becomes one <unk>, as SentencePiece emits it.
            if !(id == self.unk && ids.last() == Some(&self.unk)) {
                ids.push(id);
            }
            at = start;
        }
        ids.reverse();
        ids
    }
}
