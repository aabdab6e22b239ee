//! Negation words, so that a report saying a claim is *not* so is never taken for a copy
//! of the claim. "Điện lực không hoàn tiền điện, đừng bấm link" shares nearly every word
//! with "Điện lực hoàn tiền điện, bấm link để nhận" and means the opposite.
//!
//! Only what negates a statement counts. A negation word that ends a clause is the
//! question particle of "có … không?", "đã … chưa?" (a report asking whether a claim is
//! true repeats it), and a few fixed phrases negate nothing ("không chỉ", "chẳng hạn").
//!
//! Words are compared without diacritics, so a report typed wholly or partly without them
//! meets the claim; but a word is read as a negation, particle or helper only as typed:
//! without diacritics most negations are other words too (`chua` is also "sour", `dung`
//! "use", `cho` "give", `ho` the "hỗ" of "hỗ trợ"), so only `khong` and `chang` count then.

use std::borrow::Cow;

const NEGATORS: &[&str] = &["không", "chẳng", "chả", "chưa", "đừng", "chớ", "hông"];
const ASCII_NEGATORS: &[&str] = &["khong", "chang"];

/// Words that make a negation before them a question's end when they end the clause.
const PARTICLES: &[&str] = &[
    "ạ", "à", "vậy", "nhỉ", "nhé", "hả", "hở", "thế", "chứ", "đâu", "nào", "ta", "nha", "hen",
];
const ASCII_PARTICLES: &[&str] = &[
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
    ("khong", "nhung"),
    ("khong", "it"),
    ("chang", "han"),
];

/// Words between a negation and the statement it negates: before it ("điện lực **sẽ**
/// không hoàn tiền") and after it ("không **hề** hoàn tiền", "**đừng tin** điện lực hoàn
/// tiền"). Both the word itself and the one past it are tried, since some (`được`, `phải`)
/// belong to the statement as often.
const BEFORE: &[&str] = &[
    "sẽ", "đã", "cũng", "vẫn", "đều", "còn", "thì", "là", "hoàn", "toàn", "se", "cung", "van",
    "deu",
];
const AFTER: &[&str] = &[
    "hề", "từng", "bao", "giờ", "hẳn", "tin", "nghe", "đồn", "phải", "được", "thể", "he", "tung",
    "gio",
];

/// One word of normalised text: as typed, folded for comparing, and whether a clause ends
/// right after it.
struct Word<'a> {
    typed: &'a str,
    key: Cow<'a, str>,
    ends: bool,
}

fn words(normalized: &str) -> Vec<Word<'_>> {
    let word = |w| Word {
        typed: w,
        key: if w.is_ascii() {
            Cow::Borrowed(w)
        } else {
            Cow::Owned(crate::fold_normalized(w))
        },
        ends: false,
    };
    let mut out: Vec<Word<'_>> = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in normalized.char_indices() {
        if crate::is_word_char(c) {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            out.push(word(&normalized[s..i]));
        }
        if matches!(c, '.' | ',' | '!' | '?' | ';' | ':' | '\n' | '…') {
            if let Some(last) = out.last_mut() {
                last.ends = true;
            }
        }
    }
    if let Some(s) = start {
        out.push(word(&normalized[s..]));
    }
    out
}

fn is_negation(w: &Word<'_>) -> bool {
    NEGATORS.contains(&w.typed) || ASCII_NEGATORS.contains(&w.typed)
}

/// Verbs that negate what follows them as surely as `không`: "**tránh** bẻ bánh" says what
/// "không được bẻ bánh" says.
const NEGATING_VERBS: &[&str] = &["tránh", "cấm", "ngừng", "thôi", "tranh", "cam"];

/// The same word in two texts: the same letters as typed, or the same letters without
/// diacritics when one of them was typed without any (`đề` and `đệ` are two words).
fn same_word(x: &Word<'_>, y: &Word<'_>) -> bool {
    x.typed == y.typed || ((x.typed.is_ascii() || y.typed.is_ascii()) && x.key == y.key)
}

fn is_particle(w: &Word<'_>) -> bool {
    PARTICLES.contains(&w.typed) || ASCII_PARTICLES.contains(&w.typed)
}

/// Where normalised text negates a statement: the index of each negation that is not a
/// question's end, part of an idiom or an alternative ("hay không").
fn negation_positions(words: &[Word<'_>]) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let Some(next) = words.get(i + 1) else {
            continue;
        };
        // "đâu có", "đâu phải" deny as "không" does; "đâu" alone asks where.
        let colloquial = w.typed == "đâu" && matches!(next.typed, "có" | "phải");
        if !(is_negation(w) || colloquial) || w.ends {
            continue;
        }
        let question_end = is_particle(next) && (next.ends || i + 2 == words.len());
        if question_end
            || IDIOMS
                .iter()
                .any(|(a, b)| *a == w.typed && *b == next.typed)
            || (i > 0 && matches!(words[i - 1].typed, "hay" | "hoặc" | "hoac"))
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
/// Helper words on either side of the negation ([`BEFORE`], [`AFTER`]) may be passed over.
fn negation_dropped(a: &[Word<'_>], b: &[Word<'_>], negs: &[usize]) -> bool {
    // Whether a negation (or a negating verb) stands in the two words before `b[j]`, in
    // its clause: "**đừng** nghĩ là quá sớm" negates "là quá sớm" too.
    let negated_at = |j: usize| {
        (1..=2).any(|back| {
            j.checked_sub(back).is_some_and(|k| {
                !b[k..j].iter().any(|w| w.ends)
                    && (is_negation(&b[k]) || NEGATING_VERBS.contains(&b[k].typed))
            })
        })
    };
    // `run` as consecutive words of one clause of `b`; when `unnegated`, not negated there.
    let in_b = |run: &[&Word<'_>], unnegated: bool| {
        b.windows(run.len()).enumerate().any(|(j, w)| {
            w.iter().zip(run).all(|(x, y)| same_word(x, y))
                && w[..w.len() - 1].iter().all(|x| !x.ends)
                && (!unnegated || !negated_at(j))
        })
    };
    negs.iter().any(|&i| {
        // What follows: the next word, and the first word past the helpers.
        let mut nexts = vec![i + 1];
        let mut n = i + 1;
        // "không có chuyện …" ("there is no such thing as …") passes over two words, "đâu
        // có …" over one.
        let helper = |n: usize| {
            AFTER.contains(&a[n].typed)
                || (a[n].typed == "có" && n == i + 1 && a[i].typed == "đâu")
                || (a[n].typed == "có" && a.get(n + 1).is_some_and(|w| w.typed == "chuyện"))
                || (a[n].typed == "chuyện" && n > 0 && a[n - 1].typed == "có")
        };
        while n + 1 < a.len() && !a[n].ends && helper(n) {
            n += 1;
        }
        if n != i + 1 {
            nexts.push(n);
        }
        // What precedes within the clause: the word before, and the first word before the
        // helpers; none when the negation (after its helpers) opens the clause.
        let mut prevs = Vec::new();
        let mut p = i;
        while p > 0 && !a[p - 1].ends {
            p -= 1;
            prevs.push(p);
            if !BEFORE.contains(&a[p].typed) {
                break;
            }
        }
        let opens_clause = prevs.last().is_none_or(|&p| BEFORE.contains(&a[p].typed));
        let opens = || {
            nexts.iter().any(|&n| match a.get(n..n + 3) {
                Some([x, y, z]) if !x.ends && !y.ends => in_b(&[x, y, z], true),
                _ => false,
            })
        };
        // `x` then `y` in one clause of `b`, with at most helper words between them
        // ("hồi **sẽ** cắt" holds "hồi … cắt").
        let pair_in_b = |x: &Word<'_>, y: &Word<'_>| {
            (0..b.len()).any(|j| {
                if b[j].ends || !same_word(&b[j], x) {
                    return false;
                }
                let mut k = j + 1;
                while k < b.len()
                    && !b[k - 1].ends
                    && !same_word(&b[k], y)
                    && (BEFORE.contains(&b[k].typed) || AFTER.contains(&b[k].typed))
                {
                    k += 1;
                }
                k < b.len() && !b[k - 1].ends && same_word(&b[k], y)
            })
        };
        let between = || {
            prevs
                .iter()
                .any(|&p| nexts.iter().any(|&n| pair_in_b(&a[p], &a[n])))
        };
        (opens_clause && opens()) || between()
    })
}

/// Whether one text negates what the other asserts: it is the other with a negation put
/// in, or taken out. "Điện lực không hoàn tiền" and "Điện lực hoàn tiền" conflict;
/// "khó chịu" and "không hề dễ chịu", or "mất liên lạc" and "không thể liên lạc", do not:
/// a paraphrase moves its negations, a denial inserts one.
pub fn negation_conflict(a: &str, b: &str) -> bool {
    let (wa, wb) = (words(a), words(b));
    let (na, nb) = (negation_positions(&wa), negation_positions(&wb));
    (!na.is_empty() && negation_dropped(&wa, &wb, &na))
        || (!nb.is_empty() && negation_dropped(&wb, &wa, &nb))
}

#[cfg(test)]
mod tests {
    use super::negation_conflict;
    use crate::normalize;

    fn conflict(a: &str, b: &str) -> bool {
        let (a, b) = (normalize(a), normalize(b));
        let both = negation_conflict(&a, &b);
        assert_eq!(both, negation_conflict(&b, &a), "symmetric");
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
        // Helper words around the negation.
        let claim = "Điện lực miền Bắc hoàn tiền điện tháng 11 cho mọi hộ gia đình";
        for denial in [
            "Điện lực miền Bắc không hề hoàn tiền điện tháng 11 cho mọi hộ gia đình",
            "Điện lực miền Bắc sẽ không hoàn tiền điện tháng 11 cho mọi hộ gia đình",
            "Điện lực miền Bắc chưa từng hoàn tiền điện tháng 11 cho mọi hộ gia đình",
            "Đừng tin điện lực miền Bắc hoàn tiền điện tháng 11 cho mọi hộ gia đình",
            "Điện lực miền Bắc hoàn toàn không hoàn tiền điện tháng 11",
        ] {
            assert!(conflict(claim, denial), "{denial}");
        }
        let claim = "Điện lực Ngọc Hồi sẽ cắt điện toàn huyện liên tục 3 ngày từ 5/12";
        for denial in [
            "Điện lực Ngọc Hồi không cắt điện toàn huyện liên tục 3 ngày từ 5/12",
            "Dien luc Ngoc Hoi khong cat dien toan huyen lien tuc 3 ngay tu 5/12",
            "Không có chuyện Điện lực Ngọc Hồi cắt điện toàn huyện liên tục 3 ngày",
            "Đừng tin tin đồn Điện lực Ngọc Hồi cắt điện toàn huyện 3 ngày",
            "Điện lực Ngọc Hồi đâu có cắt điện toàn huyện liên tục 3 ngày",
        ] {
            assert!(conflict(claim, denial), "{denial}");
        }
        assert!(!conflict(
            claim,
            "Điện lực Ngọc Hồi cắt điện toàn huyện đâu, mọi người?"
        ));
        assert!(!conflict(claim, "Điện lực Ngọc Hồi sẽ cắt điện ở đâu?"));
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
            "dien luc hoan tien dien thang 11 co that khong a"
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
    fn without_diacritics_only_khong_and_chang_are_read_as_negations() {
        let claim = "Ngân hàng Vietcombank hỗ trợ hoàn tiền cho khách hàng bị lừa đảo qua tin nhắn";
        // `ho` is the "hỗ" of "hỗ trợ" here, not a question's particle.
        assert!(conflict(
            claim,
            "ngan hang vietcombank khong ho tro hoan tien cho khach hang"
        ));
        assert!(conflict(
            claim,
            "Ngân hàng Vietcombank không hỗ trợ hoàn tiền cho khách hàng bị lua dao qua tin nhắn"
        ));
        assert!(conflict(
            "Nhà nước chi tiền hỗ trợ cho người dân",
            "nha nuoc khong chi tien ho tro cho nguoi dan"
        ));
        assert!(conflict(
            "dien luc hoan tien dien thang 11",
            "Điện lực không hoàn tiền điện tháng 11"
        ));
        // `chua` may be "sour", `dung` "use": not negations when typed so.
        assert!(!conflict(
            "nuoc chanh chua lam hong rang",
            "nuoc chanh lam hong rang"
        ));
        assert!(!conflict(
            "khong nen dung dien thoai",
            "khong nen dien thoai"
        ));
        // Accented text with one word typed without marks still reads it.
        assert!(conflict("Điện lực khong hoàn tiền", "Điện lực hoàn tiền"));
        // "chàng" (a young man) is no "chẳng".
        assert!(!conflict("Chàng trai cứu người", "Chàng trai cứu người"));
    }
}
