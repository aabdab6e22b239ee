//! Progress on the directive's duties (kết quả thực hiện nhiệm vụ): what an agency did under
//! a duty the pack gives it, over a day or a period, in words and optionally a count. It
//! feeds the district's report upward ("báo cáo kết quả thực hiện"). An entry is about the
//! agency's work, never about people.
//!
//! Entries are kept as recorded. A mistake is put right by a new entry that names the one it
//! corrects; the corrected entry stays in the history but no longer counts.

use crate::model::{Actor, Role};
use crate::pack::Duty;
use crate::workflow::FieldError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The longest summary taken, in characters: a paragraph or two of a report, not an annex.
pub const MAX_SUMMARY_CHARS: usize = 2000;
/// The longest unit of a count ("buổi", "bài viết", "lượt kiểm tra").
pub const MAX_UNIT_CHARS: usize = 40;
/// At most this many links to public material per entry.
pub const MAX_LINKS: usize = 5;
/// More than any district does in one period: a typing slip, not a result.
const MAX_COUNT: i64 = 1_000_000;
/// An entry covers at most a year: a report upward is monthly, quarterly or yearly.
const MAX_SPAN_DAYS: i64 = 366;

/// Progress as typed in the console or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressDraft {
    pub agency: String,
    /// First day covered, `YYYY-MM-DD`.
    pub from: String,
    /// Last day covered, `YYYY-MM-DD`; the first day when absent (work of one day).
    #[serde(default)]
    pub to: Option<String>,
    pub summary: String,
    #[serde(default)]
    pub count: Option<i64>,
    /// What the count counts; required with a count.
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub links: Vec<String>,
    /// The entry this one corrects (same duty and agency).
    #[serde(default)]
    pub corrects: Option<i64>,
}

/// Progress that passed [`validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidProgress {
    pub duty: String,
    pub agency: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub summary: String,
    pub count: Option<u32>,
    pub unit: Option<String>,
    pub links: Vec<String>,
    pub corrects: Option<i64>,
}

/// A progress entry as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressEntry {
    pub id: i64,
    pub duty: String,
    pub agency: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub summary: String,
    pub count: Option<u32>,
    pub unit: Option<String>,
    pub links: Vec<String>,
    pub corrects: Option<i64>,
    /// The member of staff who recorded it (a user name), for the desk's own accountability.
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

impl ProgressEntry {
    /// Whether the days it covers meet the days `first` to `last`.
    pub fn overlaps(&self, first: NaiveDate, last: NaiveDate) -> bool {
        self.from <= last && first <= self.to
    }
}

/// The entries that stand: those no later entry corrects, in the order given.
pub fn standing(entries: &[ProgressEntry]) -> Vec<&ProgressEntry> {
    let corrected: HashSet<i64> = entries.iter().filter_map(|e| e.corrects).collect();
    entries
        .iter()
        .filter(|e| !corrected.contains(&e.id))
        .collect()
}

/// Why someone may not record progress for an agency.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("only staff of `{agency}` or an administrator record its progress")]
pub struct NotAgencyStaff {
    pub agency: String,
}

/// Who may record progress for an agency: anyone holding a role for that very agency (its
/// lead, verifiers, intake…) except an auditor, whose role is read-only, and an
/// administrator. District-wide staff other than administrators speak for no agency in
/// particular, so they do not.
pub fn may_record(actor: &Actor, agency: &str) -> Result<(), NotAgencyStaff> {
    let allowed = actor.grants.iter().any(|g| {
        (g.role == Role::Admin && g.reaches_case(Some(agency)))
            || (g.role != Role::Auditor && g.agency.as_deref() == Some(agency))
    });
    if allowed {
        Ok(())
    } else {
        Err(NotAgencyStaff {
            agency: agency.to_string(),
        })
    }
}

/// Checks progress on `duty`; `today` is Vietnam's date (work not started yet is not
/// reported).
pub fn validate(
    duty: &Duty,
    draft: &ProgressDraft,
    today: NaiveDate,
) -> Result<ValidProgress, FieldError> {
    let agency = draft.agency.trim();
    if !duty.agencies.iter().any(|a| a == agency) {
        return Err(FieldError::new(
            "agency",
            format!(
                "Nhiệm vụ {} không giao cho cơ quan `{agency}`; chỉ các cơ quan được giao mới báo cáo kết quả.",
                duty.id
            ),
            format!(
                "Duty {} is not given to agency `{agency}`; only the agencies it names report on it.",
                duty.id
            ),
        ));
    }
    let day = |field: &str, value: &str| {
        NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
            FieldError::new(
                field,
                "Ngày phải có dạng NNNN-TT-NN, ví dụ 2026-11-20.",
                "The date must be YYYY-MM-DD, e.g. 2026-11-20.",
            )
        })
    };
    let from = day("from", &draft.from)?;
    let to = match draft.to.as_deref().map(str::trim) {
        None | Some("") => from,
        Some(t) => day("to", t)?,
    };
    if from > today {
        return Err(FieldError::new(
            "from",
            "Chỉ báo cáo kết quả đã thực hiện; ngày bắt đầu chưa đến.",
            "Only work already done is reported; the first day is still ahead.",
        ));
    }
    if to < from {
        return Err(FieldError::new(
            "to",
            "Ngày kết thúc trước ngày bắt đầu.",
            "The last day is before the first day.",
        ));
    }
    // Work reported ahead of time would reach a later period's report as done.
    if to > today {
        return Err(FieldError::new(
            "to",
            "Chỉ báo cáo kết quả đã thực hiện; ngày kết thúc chưa đến.",
            "Only work already done is reported; the last day is still ahead.",
        ));
    }
    if (to - from).num_days() >= MAX_SPAN_DAYS {
        return Err(FieldError::new(
            "to",
            "Một mục báo cáo tối đa một năm; hãy chia thành nhiều kỳ.",
            "One entry covers at most a year; split it into periods.",
        ));
    }
    let summary = crate::workflow::clean_text(&draft.summary);
    let summary = summary.trim();
    if kc_text::syllables(&kc_text::normalize(summary)).is_empty() {
        return Err(FieldError::new(
            "summary",
            "Cần nêu kết quả đã thực hiện.",
            "A summary of what was done is required.",
        ));
    }
    let n = summary.chars().count();
    if n > MAX_SUMMARY_CHARS {
        return Err(FieldError::new(
            "summary",
            format!("Nội dung kết quả dài {n} ký tự, quá giới hạn {MAX_SUMMARY_CHARS} ký tự."),
            format!("The summary is {n} characters long, over the {MAX_SUMMARY_CHARS} limit."),
        ));
    }
    let unit = draft
        .unit
        .as_deref()
        .map(|u| crate::workflow::clean_text(u).trim().to_string())
        .filter(|u| !u.is_empty());
    let count = match (draft.count, &unit) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(FieldError::new(
                "count",
                "Đã nêu đơn vị tính nhưng chưa nêu số lượng.",
                "A unit was given without a count.",
            ))
        }
        (Some(_), None) => {
            return Err(FieldError::new(
                "unit",
                "Cần nêu đơn vị tính của số lượng (ví dụ: buổi, bài viết).",
                "A count needs its unit (e.g. talks, posts).",
            ))
        }
        (Some(c), Some(_)) => Some(
            u32::try_from(c)
                .ok()
                .filter(|c| i64::from(*c) <= MAX_COUNT)
                .ok_or_else(|| {
                    FieldError::new(
                        "count",
                        format!("Số lượng phải từ 0 đến {MAX_COUNT}."),
                        format!("The count must be between 0 and {MAX_COUNT}."),
                    )
                })?,
        ),
    };
    if let Some(u) = &unit {
        if u.chars().count() > MAX_UNIT_CHARS {
            return Err(FieldError::new(
                "unit",
                format!("Đơn vị tính dài quá {MAX_UNIT_CHARS} ký tự."),
                format!("The unit is longer than {MAX_UNIT_CHARS} characters."),
            ));
        }
    }
    let mut links = Vec::new();
    for l in draft
        .links
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
    {
        let url = kc_text::canonical_url(l).map_err(|e| {
            FieldError::new(
                "links",
                format!("Đường dẫn không hợp lệ: {l} ({})", e.reason_vi()),
                format!("Invalid link: {l} ({})", e.reason_en()),
            )
        })?;
        if !links.contains(&url) {
            links.push(url);
        }
    }
    if links.len() > MAX_LINKS {
        return Err(FieldError::new(
            "links",
            format!("Tối đa {MAX_LINKS} đường dẫn."),
            format!("At most {MAX_LINKS} links."),
        ));
    }
    if draft.corrects.is_some_and(|c| c <= 0) {
        return Err(FieldError::new(
            "corrects",
            "Số mục được sửa không hợp lệ.",
            "The number of the corrected entry is invalid.",
        ));
    }
    Ok(ValidProgress {
        duty: duty.id.clone(),
        agency: agency.to_string(),
        from,
        to,
        summary: summary.to_string(),
        count,
        unit: count.and(unit),
        links,
        corrects: draft.corrects,
    })
}

/// Checks that the entry `valid` says it corrects may be corrected by it: it exists (the
/// caller looked it up), is about the same duty and agency, and was not corrected already
/// (a second correction would leave two versions standing).
pub fn check_correction(
    valid: &ValidProgress,
    target: Option<&ProgressEntry>,
    already_corrected: bool,
) -> Result<(), FieldError> {
    let Some(id) = valid.corrects else {
        return Ok(());
    };
    let refused = |vi: String, en: String| Err(FieldError::new("corrects", vi, en));
    match target {
        None => refused(
            format!("Không có mục báo cáo số {id}."),
            format!("There is no progress entry {id}."),
        ),
        Some(t) if t.duty != valid.duty || t.agency != valid.agency => refused(
            format!("Mục số {id} thuộc nhiệm vụ hoặc cơ quan khác."),
            format!("Entry {id} is about another duty or agency."),
        ),
        Some(_) if already_corrected => refused(
            format!("Mục số {id} đã được sửa bằng một mục khác; hãy sửa mục mới nhất."),
            format!("Entry {id} was already corrected; correct the latest entry instead."),
        ),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Grant;
    use crate::pack::Pack;

    fn draft() -> ProgressDraft {
        ProgressDraft {
            agency: "ca".into(),
            from: "2026-11-01".into(),
            to: Some("2026-11-20".into()),
            summary: "Rà soát 12 trang mạng xã hội, phát hiện 3 tin sai sự thật".into(),
            count: Some(12),
            unit: Some("trang".into()),
            links: vec!["https://ngochoi.kontum.gov.vn/tin?utm_source=x".into()],
            corrects: None,
        }
    }

    fn duty(pack: &Pack) -> &Duty {
        pack.duties
            .iter()
            .find(|d| d.id == "3.2-ra-soat")
            .expect("the police's monitoring duty")
    }

    #[test]
    fn progress_is_checked_field_by_field() {
        let pack = Pack::shipped().expect("the shipped pack");
        let duty = duty(&pack);
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
        let ok = validate(duty, &draft(), today).expect("valid");
        assert_eq!((ok.count, ok.unit.as_deref()), (Some(12), Some("trang")));
        assert_eq!(ok.links, vec!["https://ngochoi.kontum.gov.vn/tin"]);
        let one_day = validate(
            duty,
            &ProgressDraft {
                to: None,
                count: None,
                unit: Some(" ".into()),
                ..draft()
            },
            today,
        )
        .expect("one day, no count");
        assert_eq!(
            (one_day.from, one_day.to, one_day.count),
            (ok.from, ok.from, None)
        );
        let field = |d: ProgressDraft| validate(duty, &d, today).expect_err("invalid").field;
        let cases = [
            (
                ProgressDraft {
                    agency: "vhtt".into(),
                    ..draft()
                },
                "agency",
            ),
            (
                ProgressDraft {
                    from: "01/11/2026".into(),
                    ..draft()
                },
                "from",
            ),
            (
                ProgressDraft {
                    from: "2026-12-01".into(),
                    to: None,
                    ..draft()
                },
                "from",
            ),
            (
                ProgressDraft {
                    to: Some("2026-10-01".into()),
                    ..draft()
                },
                "to",
            ),
            (
                ProgressDraft {
                    to: Some("2026-11-30".into()),
                    ..draft()
                },
                "to",
            ),
            (
                ProgressDraft {
                    from: "2024-01-01".into(),
                    ..draft()
                },
                "to",
            ),
            (
                ProgressDraft {
                    summary: " \u{200b} ".into(),
                    ..draft()
                },
                "summary",
            ),
            (
                ProgressDraft {
                    summary: "a".repeat(MAX_SUMMARY_CHARS + 1),
                    ..draft()
                },
                "summary",
            ),
            (
                ProgressDraft {
                    unit: None,
                    ..draft()
                },
                "unit",
            ),
            (
                ProgressDraft {
                    count: None,
                    ..draft()
                },
                "count",
            ),
            (
                ProgressDraft {
                    count: Some(-1),
                    ..draft()
                },
                "count",
            ),
            (
                ProgressDraft {
                    links: vec!["ftp://x".into()],
                    ..draft()
                },
                "links",
            ),
            (
                ProgressDraft {
                    corrects: Some(0),
                    ..draft()
                },
                "corrects",
            ),
        ];
        for (d, expected) in cases {
            assert_eq!(field(d.clone()), expected, "{d:?}");
        }
    }

    #[test]
    fn staff_of_the_agency_or_an_administrator_record_its_progress() {
        let actor = |role, agency: Option<&str>| Actor {
            name: "a".into(),
            grants: vec![Grant {
                role,
                agency: agency.map(str::to_string),
            }],
        };
        assert!(may_record(&actor(Role::Lead, Some("ca")), "ca").is_ok());
        assert!(may_record(&actor(Role::Verifier, Some("ca")), "ca").is_ok());
        assert!(may_record(&actor(Role::Admin, None), "ca").is_ok());
        assert!(may_record(&actor(Role::Lead, Some("vhtt")), "ca").is_err());
        assert!(may_record(&actor(Role::Auditor, Some("ca")), "ca").is_err());
        assert!(may_record(&actor(Role::Lead, None), "ca").is_err());
    }

    fn entry(id: i64, corrects: Option<i64>) -> ProgressEntry {
        ProgressEntry {
            id,
            duty: "3.2-ra-soat".into(),
            agency: "ca".into(),
            from: NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
            to: NaiveDate::from_ymd_opt(2026, 11, 20).expect("date"),
            summary: "x".into(),
            count: None,
            unit: None,
            links: vec![],
            corrects,
            recorded_by: "lan".into(),
            recorded_at: DateTime::<Utc>::MIN_UTC,
        }
    }

    #[test]
    fn a_correction_replaces_the_entry_it_names_and_only_once() {
        let entries = [entry(1, None), entry(2, None), entry(3, Some(1))];
        let ids: Vec<i64> = standing(&entries).iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![2, 3]);

        let pack = Pack::shipped().expect("the shipped pack");
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
        let valid = validate(
            duty(&pack),
            &ProgressDraft {
                corrects: Some(2),
                ..draft()
            },
            today,
        )
        .expect("valid");
        assert!(check_correction(&valid, Some(&entries[1]), false).is_ok());
        assert!(check_correction(&valid, None, false).is_err());
        assert!(check_correction(&valid, Some(&entries[1]), true).is_err());
        let other = ProgressEntry {
            agency: "vhtt".into(),
            ..entry(2, None)
        };
        assert_eq!(
            check_correction(&valid, Some(&other), false)
                .expect_err("another agency's")
                .field,
            "corrects"
        );
        let e = entry(9, None);
        let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
        assert!(e.overlaps(d(11, 20), d(11, 30)));
        assert!(e.overlaps(d(10, 1), d(11, 1)));
        assert!(!e.overlaps(d(11, 21), d(11, 30)));
    }
}
