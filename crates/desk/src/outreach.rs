//! Awareness talks, trainings and campaigns (tuyên truyền, tập huấn, nói chuyện chuyên đề):
//! the directive asks every agency for them (clauses 1, 5 and 6), and the periodic report
//! counts them. An event records who held it, what and for whom, and how many attended —
//! a count, never a list of people.

use crate::model::{Actor, Role};
use crate::pack::Pack;
use crate::workflow::{FieldError, WorkflowError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

crate::model::vocabulary! {
    /// What kind of event.
    OutreachKind {
        Talk = "talk", "Nói chuyện chuyên đề", "Talk";
        Training = "training", "Tập huấn", "Training";
        Campaign = "campaign", "Đợt tuyên truyền", "Awareness campaign";
        Other = "other", "Hình thức khác", "Other";
    }
}

crate::model::vocabulary! {
    /// Who it was for, as a group.
    Audience {
        Staff = "staff", "Cán bộ, công chức, viên chức", "Public servants";
        Speakers = "speakers", "Báo cáo viên", "Official speakers";
        Members = "members", "Đoàn viên, hội viên", "Members of mass organisations";
        Youth = "youth", "Thanh thiếu niên, học sinh", "Young people and pupils";
        Public = "public", "Nhân dân", "The public";
    }
}

/// An event as typed in the console or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutreachDraft {
    pub agency: String,
    pub kind: String,
    pub audience: String,
    /// `YYYY-MM-DD`.
    pub held_on: String,
    pub topic: String,
    pub attendees: i64,
    #[serde(default)]
    pub materials_url: Option<String>,
}

/// An event that passed [`validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidOutreach {
    pub agency: String,
    pub kind: OutreachKind,
    pub audience: Audience,
    pub held_on: NaiveDate,
    pub topic: String,
    pub attendees: u32,
    pub materials_url: Option<String>,
}

const MAX_TOPIC_CHARS: usize = 300;
/// More than a district holds: a typing slip, not an event.
const MAX_ATTENDEES: i64 = 100_000;

/// Who may record an event for an agency: its lead, or an editor (who runs the portal's
/// awareness material); district-wide holders of either for any agency.
pub fn may_record(actor: &Actor, agency: &str) -> Result<(), WorkflowError> {
    if [Role::Lead, Role::Editor]
        .iter()
        .any(|r| actor.has_role(*r, Some(agency)))
    {
        Ok(())
    } else {
        Err(WorkflowError::Forbidden { role: Role::Lead })
    }
}

/// Checks an event; `today` is Vietnam's date (an event not held yet is not recorded).
pub fn validate(
    draft: &OutreachDraft,
    pack: &Pack,
    today: NaiveDate,
) -> Result<ValidOutreach, FieldError> {
    let agency = draft.agency.trim();
    if pack.agency(agency).is_none() {
        return Err(FieldError::new(
            "agency",
            format!("Không có cơ quan mã `{agency}` trong bộ chỉ đạo."),
            format!("Unknown agency code `{agency}`."),
        ));
    }
    let kind = OutreachKind::parse(draft.kind.trim()).ok_or_else(|| {
        FieldError::new(
            "kind",
            format!(
                "Hình thức không hợp lệ; dùng một trong: {}.",
                OutreachKind::expected()
            ),
            format!("Unknown kind; use one of: {}.", OutreachKind::expected()),
        )
    })?;
    let audience = Audience::parse(draft.audience.trim()).ok_or_else(|| {
        FieldError::new(
            "audience",
            format!(
                "Đối tượng không hợp lệ; dùng một trong: {}.",
                Audience::expected()
            ),
            format!("Unknown audience; use one of: {}.", Audience::expected()),
        )
    })?;
    let held_on = NaiveDate::parse_from_str(draft.held_on.trim(), "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            "held_on",
            "Ngày tổ chức phải có dạng NNNN-TT-NN, ví dụ 2026-11-20.",
            "The date must be YYYY-MM-DD, e.g. 2026-11-20.",
        )
    })?;
    if held_on > today {
        return Err(FieldError::new(
            "held_on",
            "Chỉ ghi nhận buổi đã tổ chức; ngày này chưa đến.",
            "Only events already held are recorded; this date is still ahead.",
        ));
    }
    let topic = crate::workflow::clean_text(&draft.topic);
    let topic = topic.trim();
    if kc_text::syllables(&kc_text::normalize(topic)).is_empty() {
        return Err(FieldError::new(
            "topic",
            "Cần nêu chủ đề.",
            "A topic is required.",
        ));
    }
    if topic.chars().count() > MAX_TOPIC_CHARS {
        return Err(FieldError::new(
            "topic",
            format!("Chủ đề dài quá {MAX_TOPIC_CHARS} ký tự."),
            format!("The topic is longer than {MAX_TOPIC_CHARS} characters."),
        ));
    }
    if !(0..=MAX_ATTENDEES).contains(&draft.attendees) {
        return Err(FieldError::new(
            "attendees",
            format!("Số người tham dự phải từ 0 đến {MAX_ATTENDEES}."),
            format!("Attendees must be between 0 and {MAX_ATTENDEES}."),
        ));
    }
    let materials_url = match draft.materials_url.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(u) => Some(kc_text::canonical_url(u).map_err(|e| {
            FieldError::new(
                "materials_url",
                format!("Đường dẫn tài liệu không hợp lệ: {u} ({})", e.reason_vi()),
                format!("Invalid materials link: {u} ({})", e.reason_en()),
            )
        })?),
    };
    Ok(ValidOutreach {
        agency: agency.to_string(),
        kind,
        audience,
        held_on,
        topic: topic.to_string(),
        attendees: u32::try_from(draft.attendees).unwrap_or(0),
        materials_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Grant;

    fn draft() -> OutreachDraft {
        OutreachDraft {
            agency: "vhtt".into(),
            kind: "talk".into(),
            audience: "youth".into(),
            held_on: "2026-11-20".into(),
            topic: "Nhận diện tin giả trên mạng xã hội".into(),
            attendees: 120,
            materials_url: Some("https://ngochoi.kontum.gov.vn/tai-lieu?utm_source=x".into()),
        }
    }

    #[test]
    fn an_event_is_checked_field_by_field() {
        let pack = Pack::shipped().expect("the shipped pack");
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
        let ok = validate(&draft(), &pack, today).expect("valid");
        assert_eq!(
            (ok.kind, ok.audience, ok.attendees),
            (OutreachKind::Talk, Audience::Youth, 120)
        );
        assert_eq!(
            ok.materials_url.as_deref(),
            Some("https://ngochoi.kontum.gov.vn/tai-lieu")
        );
        let field = |d: OutreachDraft| validate(&d, &pack, today).expect_err("invalid").field;
        assert_eq!(
            field(OutreachDraft {
                agency: "x".into(),
                ..draft()
            }),
            "agency"
        );
        assert_eq!(
            field(OutreachDraft {
                kind: "rally".into(),
                ..draft()
            }),
            "kind"
        );
        assert_eq!(
            field(OutreachDraft {
                audience: "voters".into(),
                ..draft()
            }),
            "audience"
        );
        assert_eq!(
            field(OutreachDraft {
                held_on: "20/11/2026".into(),
                ..draft()
            }),
            "held_on"
        );
        assert_eq!(
            field(OutreachDraft {
                held_on: "2026-12-01".into(),
                ..draft()
            }),
            "held_on"
        );
        assert_eq!(
            field(OutreachDraft {
                topic: " \u{200b} ".into(),
                ..draft()
            }),
            "topic"
        );
        assert_eq!(
            field(OutreachDraft {
                attendees: -1,
                ..draft()
            }),
            "attendees"
        );
        assert_eq!(
            field(OutreachDraft {
                materials_url: Some("ftp://x".into()),
                ..draft()
            }),
            "materials_url"
        );
    }

    #[test]
    fn an_agencys_lead_or_an_editor_records_its_events() {
        let actor = |role, agency: Option<&str>| Actor {
            name: "a".into(),
            grants: vec![Grant {
                role,
                agency: agency.map(str::to_string),
            }],
        };
        assert!(may_record(&actor(Role::Lead, Some("vhtt")), "vhtt").is_ok());
        assert!(may_record(&actor(Role::Lead, Some("ca")), "vhtt").is_err());
        assert!(may_record(&actor(Role::Editor, None), "vhtt").is_ok());
        assert!(may_record(&actor(Role::Verifier, None), "vhtt").is_err());
    }
}
