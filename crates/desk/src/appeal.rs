//! Appeals (khiếu nại) against a published decision: by an affected party, free, within six
//! months of publication, without any legal citation; decided, with reasons, by a reviewer
//! who had no part in the decision appealed; the outcome is public.

use crate::model::{Actor, AppealRelation, AppealStatus, CaseState, Role};
use crate::workflow::{clean_text, FieldError};
use chrono::{DateTime, FixedOffset, Months, Utc};

/// How long after publication an appeal is accepted.
pub const APPEAL_WINDOW_MONTHS: u32 = 6;
/// Longest appeal or outcome reasons accepted, in characters.
pub const MAX_APPEAL_CHARS: usize = 10_000;

/// Why an appeal step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppealError {
    #[error("the reviewer role is required to decide an appeal")]
    Forbidden,
    /// The person who drafted or approved the decision cannot judge the appeal against it.
    #[error("`{name}` {part} the decision appealed, so cannot decide the appeal")]
    NotIndependent { name: String, part: &'static str },
    #[error("the appeal was already decided ({0})")]
    AlreadyDecided(AppealStatus),
    #[error("appeals are accepted until {deadline}, six months after publication")]
    TooLate { deadline: DateTime<Utc> },
    #[error(transparent)]
    Invalid(#[from] FieldError),
}

/// An appeal as accepted from the public, after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAppeal {
    pub relation: AppealRelation,
    pub reasons: String,
    pub contact: Option<String>,
}

/// The last moment an appeal against a publication is accepted. Months are counted on
/// Vietnam's calendar (UTC+7), the one the publication's date is printed in: a fact-check
/// published at 00:30 on 31 August (17:30 UTC on the 30th) may be appealed until 00:30 on
/// the last day of February, not a day more. A day that does not exist six months on
/// (31 August → 31 February) becomes the last day of that month.
pub fn appeal_deadline(published_at: DateTime<Utc>) -> DateTime<Utc> {
    let vietnam = FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset");
    published_at
        .with_timezone(&vietnam)
        .checked_add_months(Months::new(APPEAL_WINDOW_MONTHS))
        .map_or(DateTime::<Utc>::MAX_UTC, |t| t.with_timezone(&Utc))
}

/// Whether an appeal filed at `now` is in time.
pub fn check_appeal_window(
    published_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), AppealError> {
    let deadline = appeal_deadline(published_at);
    if now > deadline {
        Err(AppealError::TooLate { deadline })
    } else {
        Ok(())
    }
}

fn reasons_field(
    field: &str,
    text: &str,
    vi_empty: &str,
    en_empty: &str,
) -> Result<String, FieldError> {
    let text = clean_text(text);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, vi_empty, en_empty));
    }
    if trimmed.chars().count() > MAX_APPEAL_CHARS {
        return Err(FieldError::new(
            field,
            format!("Nội dung dài quá {MAX_APPEAL_CHARS} ký tự."),
            format!("Longer than {MAX_APPEAL_CHARS} characters."),
        ));
    }
    Ok(trimmed.to_string())
}

/// Checks what a member of the public sent. No legal citation is asked for: an affected
/// person says in their own words why the decision is wrong.
pub fn validate_appeal(
    reasons: &str,
    relation: &str,
    contact: Option<&str>,
) -> Result<NewAppeal, FieldError> {
    let relation = AppealRelation::parse(relation.trim()).ok_or_else(|| {
        FieldError::new(
            "relation",
            format!(
                "Vui lòng chọn bạn liên quan thế nào đến nội dung ({}).",
                AppealRelation::expected()
            ),
            format!(
                "Choose how you relate to the content ({}).",
                AppealRelation::expected()
            ),
        )
    })?;
    let reasons = reasons_field(
        "reasons",
        reasons,
        "Vui lòng nêu lý do khiếu nại.",
        "Please give the reasons for the appeal.",
    )?;
    let contact = contact.map(clean_text);
    let contact = contact.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if let Some(c) = contact {
        if c.chars().count() > crate::workflow::MAX_CONTACT_CHARS {
            return Err(FieldError::new(
                "contact",
                format!(
                    "Thông tin liên hệ dài quá {} ký tự.",
                    crate::workflow::MAX_CONTACT_CHARS
                ),
                format!(
                    "The contact is longer than {} characters.",
                    crate::workflow::MAX_CONTACT_CHARS
                ),
            ));
        }
    }
    Ok(NewAppeal {
        relation,
        reasons,
        contact: contact.map(str::to_string),
    })
}

/// Who may decide an appeal: a reviewer for the case's agency who neither drafted nor
/// approved the decision appealed, and only while the appeal waits.
pub fn authorize_appeal_decision(
    actor: &Actor,
    agency: Option<&str>,
    decided_by: &str,
    reviewed_by: Option<&str>,
    status: AppealStatus,
) -> Result<(), AppealError> {
    if !actor.has_role(Role::Reviewer, agency) {
        return Err(AppealError::Forbidden);
    }
    if actor.name == decided_by {
        return Err(AppealError::NotIndependent {
            name: actor.name.clone(),
            part: "drafted",
        });
    }
    if reviewed_by == Some(actor.name.as_str()) {
        return Err(AppealError::NotIndependent {
            name: actor.name.clone(),
            part: "approved",
        });
    }
    if status != AppealStatus::Pending {
        return Err(AppealError::AlreadyDecided(status));
    }
    Ok(())
}

/// Checks an appeal decision: an outcome and the reasons for it, which are published.
pub fn validate_appeal_outcome(
    outcome: &str,
    reasons: &str,
) -> Result<(AppealStatus, String), FieldError> {
    let outcome =
        match AppealStatus::parse(outcome.trim()) {
            Some(o @ (AppealStatus::Upheld | AppealStatus::Overturned)) => o,
            _ => return Err(FieldError::new(
                "outcome",
                "Vui lòng chọn kết quả: giữ nguyên (upheld) hoặc sửa/huỷ kết luận (overturned).",
                "Choose an outcome: upheld or overturned.",
            )),
        };
    let reasons = reasons_field(
        "reasons",
        reasons,
        "Cần nêu lý do của quyết định giải quyết khiếu nại.",
        "Reasons for the appeal decision are required.",
    )?;
    Ok((outcome, reasons))
}

/// Where the case goes when an appeal overturns its decision: back to verification, so a
/// new decision takes the normal path (drafted, reviewed by another person, published).
/// The decision appealed is never edited; the new one supersedes it.
pub fn state_after_overturn(state: CaseState) -> Option<CaseState> {
    match state {
        CaseState::Published | CaseState::Actioned | CaseState::Closed | CaseState::Appealed => {
            Some(CaseState::Verifying)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Grant;
    use chrono::TimeZone;

    fn reviewer(name: &str, agency: Option<&str>) -> Actor {
        Actor {
            name: name.into(),
            grants: vec![Grant {
                role: Role::Reviewer,
                agency: agency.map(str::to_string),
            }],
        }
    }

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0)
            .single()
            .expect("a valid date")
    }

    #[test]
    fn appeals_are_accepted_for_six_months_after_publication() {
        let published = at(2026, 3, 10);
        assert!(check_appeal_window(published, published).is_ok());
        assert!(check_appeal_window(published, at(2026, 9, 10)).is_ok());
        let late = check_appeal_window(published, at(2026, 9, 11)).expect_err("late");
        assert_eq!(
            late,
            AppealError::TooLate {
                deadline: at(2026, 9, 10)
            }
        );
        // 31 August plus six months is the last day of February.
        assert_eq!(appeal_deadline(at(2026, 8, 31)), at(2027, 2, 28));
        // 00:30 on 31 August in Vietnam is 17:30 UTC on the 30th: its six months end on the
        // last day of February on Vietnam's clock, 27 February 17:30 UTC (counted in UTC,
        // from the 30th, they ran a day longer).
        let utc = |y, m, d| {
            Utc.with_ymd_and_hms(y, m, d, 17, 30, 0)
                .single()
                .expect("a valid time")
        };
        assert_eq!(appeal_deadline(utc(2026, 8, 30)), utc(2027, 2, 27));
    }

    #[test]
    fn neither_the_decider_nor_the_approver_decides_the_appeal() {
        let pending = AppealStatus::Pending;
        let err = authorize_appeal_decision(&reviewer("v", None), None, "v", Some("r"), pending);
        assert!(matches!(
            err,
            Err(AppealError::NotIndependent {
                part: "drafted",
                ..
            })
        ));
        let err = authorize_appeal_decision(&reviewer("r", None), None, "v", Some("r"), pending);
        assert!(matches!(
            err,
            Err(AppealError::NotIndependent {
                part: "approved",
                ..
            })
        ));
        assert!(
            authorize_appeal_decision(&reviewer("r2", None), None, "v", Some("r"), pending).is_ok()
        );
        // A reviewer of another agency, or someone without the role, may not.
        assert_eq!(
            authorize_appeal_decision(
                &reviewer("r2", Some("ca")),
                Some("vhtt"),
                "v",
                Some("r"),
                pending
            ),
            Err(AppealError::Forbidden)
        );
        let verifier = Actor {
            name: "x".into(),
            grants: vec![Grant {
                role: Role::Verifier,
                agency: None,
            }],
        };
        assert_eq!(
            authorize_appeal_decision(&verifier, None, "v", Some("r"), pending),
            Err(AppealError::Forbidden)
        );
        // An appeal is decided once.
        assert_eq!(
            authorize_appeal_decision(
                &reviewer("r2", None),
                None,
                "v",
                Some("r"),
                AppealStatus::Upheld
            ),
            Err(AppealError::AlreadyDecided(AppealStatus::Upheld))
        );
    }

    #[test]
    fn an_appeal_needs_reasons_and_a_relation_but_no_citation() {
        let ok = validate_appeal(" Bài của tôi\r\nbị hiểu sai.\u{0} ", "author", Some("  "))
            .expect("ok");
        assert_eq!(ok.reasons, "Bài của tôi\nbị hiểu sai.");
        assert_eq!(ok.relation, AppealRelation::Author);
        assert_eq!(ok.contact, None);
        assert_eq!(
            validate_appeal("  ", "author", None)
                .expect_err("empty")
                .field,
            "reasons"
        );
        assert_eq!(
            validate_appeal("lý do", "", None).expect_err("none").field,
            "relation"
        );
        assert_eq!(
            validate_appeal("lý do", "Nguyễn Văn A", None)
                .expect_err("a name is no relation")
                .field,
            "relation"
        );
        let long = "a".repeat(MAX_APPEAL_CHARS + 1);
        assert_eq!(
            validate_appeal(&long, "other", None)
                .expect_err("long")
                .field,
            "reasons"
        );
        let contact = "x".repeat(crate::workflow::MAX_CONTACT_CHARS + 1);
        assert_eq!(
            validate_appeal("lý do", "other", Some(&contact))
                .expect_err("contact")
                .field,
            "contact"
        );
    }

    #[test]
    fn an_appeal_outcome_is_upheld_or_overturned_with_reasons() {
        assert_eq!(
            validate_appeal_outcome("overturned", "Bằng chứng mới."),
            Ok((AppealStatus::Overturned, "Bằng chứng mới.".to_string()))
        );
        assert_eq!(
            validate_appeal_outcome("pending", "x")
                .expect_err("pending")
                .field,
            "outcome"
        );
        assert_eq!(
            validate_appeal_outcome("upheld", " \n")
                .expect_err("no reasons")
                .field,
            "reasons"
        );
    }

    #[test]
    fn an_overturned_case_goes_back_to_verification() {
        assert_eq!(
            state_after_overturn(CaseState::Published),
            Some(CaseState::Verifying)
        );
        assert_eq!(state_after_overturn(CaseState::InReview), None);
    }
}
