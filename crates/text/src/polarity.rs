//! Negation words, so that a report saying a claim is *not* so is never taken for a copy
//! of the claim. "Điện lực không hoàn tiền điện, đừng bấm link" shares nearly every word
//! with "Điện lực hoàn tiền điện, bấm link để nhận" and means the opposite.
//!
//! Only what negates a statement counts. A negation word that ends a clause is the
//! question particle of "có … không?", "đã … chưa?" (a report asking whether a claim is
//! true repeats it), and a few fixed phrases negate nothing ("không chỉ", "chẳng hạn").

use std::borrow::Cow;

/// Negation words of normalised text. Typed without diacritics, most of them are other
/// words (`chua` is also "sour", `dung` "use", `cho` "give"); only `khong` and `chang` are
/// read as negations then.
const NEGATORS: &[&str] = &["không", "chẳng", "chả", "chưa", "đừng", "chớ", "hông"];
const FOLDED_NEGATORS: &[&str] = &["khong", "chang"];

/// Words after a negation that make it a question's end, not a negation.
const PARTICLES: &[&str] = &[
    "ạ", "à", "vậy", "nhỉ", "nhé", "hả", "hở", "thế", "chứ", "đâu", "nào", "ta", "nha", "hen",
];
const FOLDED_PARTICLES: &[&str] = &[
    "a", "vay", "nhi", "nhe", "ha", "ho", "the", "chu", "nha", "hen",
];

/// (negation, next word) pairs that negate nothing: "not only", "not a few", "for example".
const IDIOMS: &[(&str, &str)] = &[
    ("không", "chỉ"),
    ("không", "những"),
    ("không", "ít"),
    ("chẳng", "hạn"),
    ("chả", "là"),
    ("chưa", "kể"),
];
const FOLDED_IDIOMS: &[(&str, &str)] = &[
    ("khong", "chi"),
    ("khong", "nhung"),
    ("khong", "it"),
    ("chang", "han"),
];

/// The words of normalised text, each with whether a clause ends right after it; folded
/// when `folded`.
fn words<'a>(normalized: &'a str, folded: bool) -> Vec<(Cow<'a, str>, bool)> {
    let word = |w: &'a str| -> Cow<'a, str> {
        if folded && !w.is_ascii() {
            Cow::Owned(crate::fold_normalized(w))
        } else {
            Cow::Borrowed(w)
        }
    };
    let mut out: Vec<(Cow<'a, str>, bool)> = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in normalized.char_indices() {
        if crate::is_word_char(c) {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            out.push((word(&normalized[s..i]), false));
        }
        if matches!(c, '.' | ',' | '!' | '?' | ';' | ':' | '\n' | '…') {
            if let Some(last) = out.last_mut() {
                last.1 = true;
            }
        }
    }
    if let Some(s) = start {
        out.push((word(&normalized[s..]), false));
    }
    out
}

/// Where normalised text negates a statement: the index in [`words`] of each negation
/// that is not a question's end, part of an idiom or an alternative ("hay không").
fn negation_positions(words: &[(Cow<'_, str>, bool)], folded: bool) -> Vec<usize> {
    let (negators, particles, idioms) = if folded {
        (FOLDED_NEGATORS, FOLDED_PARTICLES, FOLDED_IDIOMS)
    } else {
        (NEGATORS, PARTICLES, IDIOMS)
    };
    let mut out = Vec::new();
    for (i, (w, clause_ends)) in words.iter().enumerate() {
        let is_negator = negators.contains(&w.as_ref())
            // An unaccented word in accented text is still the negation it spells.
            || (!folded && FOLDED_NEGATORS.contains(&w.as_ref()));
        if !is_negator || *clause_ends {
            continue;
        }
        let Some((next, _)) = words.get(i + 1) else {
            continue;
        };
        if particles.contains(&next.as_ref())
            || idioms.iter().any(|(a, b)| a == w && b == next)
            || (i > 0 && matches!(words[i - 1].0.as_ref(), "hay" | "hoặc" | "hoac"))
        {
            continue;
        }
        out.push(i);
    }
    out
}

/// Whether `b` says without negation what `a` negates: a negation of `a` stands between
/// two words that `b` writes side by side ("điện lực **không** hoàn tiền" against "điện
/// lực hoàn tiền"), or, opening its clause, before three words that `b` writes in a row
/// with no negation before them ("**đừng** bấm link để" against "bấm link để nhận").
fn negation_dropped(
    a: &[(Cow<'_, str>, bool)],
    b: &[(Cow<'_, str>, bool)],
    negs: &[usize],
) -> bool {
    // `run` as consecutive words of one clause of `b`; when `unnegated`, with no negation
    // just before them.
    let in_b = |run: &[&(Cow<'_, str>, bool)], unnegated: bool| {
        b.windows(run.len()).enumerate().any(|(j, w)| {
            w.iter().zip(run).all(|(x, y)| x.0 == y.0)
                && w[..w.len() - 1].iter().all(|x| !x.1)
                && (!unnegated || j == 0 || b[j - 1].1 || !is_negation_word(&b[j - 1].0))
        })
    };
    negs.iter().any(|&i| match i.checked_sub(1).map(|p| &a[p]) {
        Some(prev @ (_, false)) => in_b(&[prev, &a[i + 1]], false),
        _ => match a.get(i + 1..i + 4) {
            Some([x, y, z]) if !x.1 && !y.1 => in_b(&[x, y, z], true),
            _ => false,
        },
    })
}

fn is_negation_word(w: &str) -> bool {
    NEGATORS.contains(&w) || FOLDED_NEGATORS.contains(&w)
}

/// Whether one text negates what the other asserts: it is the other with a negation put
/// in, or taken out. "Điện lực không hoàn tiền" and "Điện lực hoàn tiền" conflict;
/// "khó chịu" and "không hề dễ chịu", or "mất liên lạc" and "không thể liên lạc", do not:
/// a paraphrase moves its negations, a denial inserts one. `folded` reads both as typed
/// without diacritics.
pub fn negation_conflict(a: &str, b: &str, folded: bool) -> bool {
    let (wa, wb) = (words(a, folded), words(b, folded));
    let (na, nb) = (
        negation_positions(&wa, folded),
        negation_positions(&wb, folded),
    );
    (!na.is_empty() && negation_dropped(&wa, &wb, &na))
        || (!nb.is_empty() && negation_dropped(&wb, &wa, &nb))
}

#[cfg(test)]
mod tests {
    use super::negation_conflict;
    use crate::normalize;

    fn conflict(a: &str, b: &str) -> bool {
        let (a, b) = (normalize(a), normalize(b));
        let both = negation_conflict(&a, &b, false);
        assert_eq!(both, negation_conflict(&b, &a, false), "symmetric");
        both
    }

    #[test]
    fn a_denial_conflicts_with_the_claim_it_denies() {
        let claim = "Điện lực hoàn tiền điện tháng 11, bấm link để nhận";
        assert!(conflict(claim, "Điện lực KHÔNG hoàn tiền điện tháng 11"));
        assert!(
            conflict(claim, "Điện lực ko hoàn tiền điện tháng 11"),
            "chat abbreviations"
        );
        assert!(conflict(claim, "Tin nhắn lừa đảo, đừng bấm link để nhận"));
        assert!(conflict(
            "Vắc-xin sởi không được cấp phép tại Việt Nam",
            "Vắc-xin sởi được cấp phép tại Việt Nam"
        ));
        assert!(!conflict(claim, claim));
    }

    #[test]
    fn a_question_or_a_paraphrase_is_no_denial() {
        let claim = "Điện lực hoàn tiền điện tháng 11, bấm link để nhận";
        assert!(!conflict(
            claim,
            "Điện lực hoàn tiền điện tháng 11 có thật không?"
        ));
        assert!(!conflict(
            claim,
            "Điện lực hoàn tiền điện tháng 11 có thật không ạ"
        ));
        assert!(!conflict(
            claim,
            "Điện lực hoàn tiền điện tháng 11 đúng hay không, mọi người?"
        ));
        assert!(!conflict(claim, "Bạn đã nhận tiền điện chưa?"));
        assert!(!conflict(
            "Vắc-xin sởi không được cấp phép tại Việt Nam",
            "Vắc-xin sởi chưa được cấp phép ở Việt Nam"
        ));
        assert!(!conflict(
            "Mùi tỏi sống rất khó chịu",
            "Mùi tỏi sống không hề dễ chịu"
        ));
        assert!(!conflict(
            "Chuyến bay MH17 mất liên lạc trên không phận Ukraine",
            "Chuyến bay MH17 không thể liên lạc trên không phận Ukraine"
        ));
        assert!(!conflict(
            "Vụ việc không quá khó đến mức không có khả năng giải quyết",
            "Vụ việc không khó đến mức không thể giải quyết được"
        ));
        assert!(!conflict(
            "Không chỉ điện lực mà cả nước sạch tăng giá",
            "Điện lực mà cả nước sạch tăng giá"
        ));
        assert!(!conflict(
            "Nhiều loại giấy tờ, chẳng hạn căn cước",
            "Nhiều loại giấy tờ, hạn căn cước"
        ));
    }

    #[test]
    fn typed_without_diacritics_only_khong_and_chang_are_read() {
        let f = |a: &str, b: &str| negation_conflict(&normalize(a), &normalize(b), true);
        assert!(f(
            "dien luc khong hoan tien dien thang 11",
            "Điện lực hoàn tiền điện tháng 11"
        ));
        assert!(!f("co that khong a", "co that"));
        // `chua` may be "sour", `dung` "use": not read as negations without diacritics.
        assert!(!f(
            "nuoc chanh chua lam hong rang",
            "nuoc chanh lam hong rang"
        ));
        // Accented text with one word typed without marks still reads it.
        assert!(conflict("Điện lực khong hoàn tiền", "Điện lực hoàn tiền"));
    }
}
