//! Which cases a list shows: one rule for the console's queue and `GET /api/v1/cases`,
//! so that an integrator polling for an agency's cases sees what its officers see.

use kc_desk::workflow::FieldError;
use kc_desk::{Actor, Grant, Role};
use kc_store::{CaseSummary, Escalation, UserSummary};

/// Which agency's cases a list keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgencyFilter {
    All,
    /// Cases no agency holds yet (still to be routed).
    Unassigned,
    Agency(String),
}

/// The filters of a case list. Each is optional; together they must all hold.
#[derive(Debug, Clone)]
pub struct CaseFilter {
    pub agency: AgencyFilter,
    pub state: Option<kc_desk::CaseState>,
    pub overdue_only: bool,
}

impl CaseFilter {
    /// Reads the filters as typed. `field_*` name the fields in error messages, since the
    /// console's form and the API spell them differently (`co-quan` / `agency`).
    pub fn parse(
        pack: &kc_desk::pack::Pack,
        (field_agency, agency): (&str, &str),
        (field_state, state): (&str, &str),
        overdue_only: bool,
    ) -> Result<CaseFilter, FieldError> {
        let agency = match agency.trim() {
            "" => AgencyFilter::All,
            "none" => AgencyFilter::Unassigned,
            code if pack.agency(code).is_some() => AgencyFilter::Agency(code.to_string()),
            code => {
                return Err(FieldError::new(
                    field_agency,
                    format!(
                        "Không có cơ quan mã `{code}` trong bộ chỉ đạo; dùng mã cơ quan hoặc `none` (chưa giao)."
                    ),
                    format!("Unknown agency code `{code}`; use an agency code or `none` (not yet assigned)."),
                ))
            }
        };
        let state = match state.trim() {
            "" => None,
            s => Some(kc_desk::CaseState::parse(s).ok_or_else(|| {
                FieldError::new(
                    field_state,
                    format!(
                        "Không có trạng thái `{s}`; dùng một trong: {}.",
                        kc_desk::CaseState::expected()
                    ),
                    format!(
                        "Unknown state `{s}`; use one of: {}.",
                        kc_desk::CaseState::expected()
                    ),
                )
            })?),
        };
        Ok(CaseFilter {
            agency,
            state,
            overdue_only,
        })
    }

    /// Whether `case` passes, `now` being the store's time format (ISO 8601, UTC).
    pub fn keeps(&self, case: &CaseSummary, now: &str) -> bool {
        let agency = match &self.agency {
            AgencyFilter::All => true,
            AgencyFilter::Unassigned => case.agency.is_none(),
            AgencyFilter::Agency(code) => case.agency.as_deref() == Some(code.as_str()),
        };
        agency
            && self.state.is_none_or(|s| case.state == s.as_str())
            && (!self.overdue_only || is_overdue(&case.state, case.deadline.as_deref(), now))
    }
}

/// A case is overdue when its deadline (intake to decision) has passed and it still
/// waits for a decision. Times are the store's RFC 3339 UTC strings, which sort as
/// they read.
pub fn is_overdue(state: &str, deadline: Option<&str>, now: &str) -> bool {
    use kc_desk::CaseState as S;
    let waiting = matches!(
        kc_desk::CaseState::parse(state),
        Some(S::New | S::Triaged | S::Assigned | S::Verifying | S::InReview)
    );
    waiting && deadline.is_some_and(|d| d < now)
}

/// When the desk's work on a case ended, by how it ended: a published (or actioned) case at
/// its publication, a closed or answered one at its closure, a merged one at its merger.
/// By state, not by which record exists: a case whose publication was overturned on appeal
/// keeps that publication's record, and may be closed, answered or merged after it.
pub fn finished_at<'d>(
    state: &str,
    published_at: Option<&'d str>,
    closed_at: Option<&'d str>,
    merged_at: Option<&'d str>,
) -> Option<&'d str> {
    use kc_desk::CaseState as S;
    match kc_desk::CaseState::parse(state)? {
        S::Published | S::Actioned => published_at,
        S::Closed | S::Answered => closed_at,
        S::Merged => merged_at,
        _ => None,
    }
}

/// [`finished_at`] for a case as the store reads it.
pub fn case_finished_at(detail: &kc_store::CaseDetail) -> Option<&str> {
    finished_at(
        &detail.case.state,
        detail.publication.as_ref().map(|p| p.published_at.as_str()),
        detail.closure.as_ref().map(|c| c.closed_at.as_str()),
        detail.merge.as_ref().map(|m| m.merged_at.as_str()),
    )
}

/// Whether a finished case was finished within its deadline; None when it is not finished
/// or had no deadline. The deadline of a finished case is history: shown alone, it read as
/// a date the case was still waiting for.
pub fn finished_in_time(
    state: &str,
    deadline: Option<&str>,
    finished_at: Option<&str>,
) -> Option<bool> {
    let finished = kc_desk::CaseState::parse(state).is_some_and(kc_desk::CaseState::is_finished);
    match (finished, deadline, finished_at) {
        (true, Some(deadline), Some(at)) => Some(at <= deadline),
        _ => None,
    }
}

/// The cases due for escalation to their agency's leads at `now`: overdue, and not yet
/// escalated for their current deadline (a case re-assigned with a new deadline is escalated
/// again when that one passes too). `escalated` is what the log already holds.
pub fn due_for_escalation<'a>(
    cases: &'a [CaseSummary],
    escalated: &[Escalation],
    now: &str,
) -> Vec<&'a CaseSummary> {
    cases
        .iter()
        .filter(|c| is_overdue(&c.state, c.deadline.as_deref(), now))
        .filter(|c| escalation_for_deadline(c, escalated).is_none())
        .collect()
}

/// The escalation of `case`'s current deadline, if it was escalated.
pub fn escalation_for_deadline<'a>(
    case: &CaseSummary,
    escalated: &'a [Escalation],
) -> Option<&'a Escalation> {
    let deadline = case.deadline.as_deref()?;
    escalated
        .iter()
        .find(|e| e.case_id == case.id && e.deadline == deadline)
}

/// Who an escalation goes to: the leads of the agency holding the case, or, for a case no
/// agency holds, the district-wide leads. Disabled accounts receive nothing.
pub fn escalation_recipients<'a>(
    agency: Option<&str>,
    staff: &'a [UserSummary],
) -> Vec<&'a UserSummary> {
    staff
        .iter()
        .filter(|u| !u.disabled)
        .filter(|u| {
            u.grants
                .iter()
                .any(|g| g.role == Role::Lead && g.agency.as_deref() == agency)
        })
        .collect()
}

/// Whether `actor` directs the handling of a case held by `agency` as a lead: the agency's
/// own leads, and district-wide leads for every case. This is who the console shows the
/// overdue cases to.
pub fn leads_case(actor: &Actor, agency: Option<&str>) -> bool {
    actor
        .grants
        .iter()
        .any(|g: &Grant| g.role == Role::Lead && g.reaches_case(agency))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cases_still_waiting_for_a_decision_are_overdue() {
        let now = "2026-11-29T14:00:00.000Z";
        let past = Some("2026-11-29T13:59:59.999Z");
        let later = Some("2026-11-30T09:00:00.000Z");
        for waiting in ["new", "assigned", "verifying", "in_review"] {
            assert!(is_overdue(waiting, past, now), "{waiting}");
            assert!(!is_overdue(waiting, later, now), "{waiting}");
            assert!(!is_overdue(waiting, None, now), "{waiting}");
        }
        for done in ["decided", "published", "closed", "merged", "bogus"] {
            assert!(!is_overdue(done, past, now), "{done}");
        }
    }

    #[test]
    fn a_case_ends_when_its_own_way_of_ending_happened() {
        let (p, c, m) = (Some("P"), Some("C"), Some("M"));
        assert_eq!(finished_at("published", p, None, None), p);
        assert_eq!(finished_at("actioned", p, None, None), p);
        assert_eq!(finished_at("closed", None, c, None), c);
        assert_eq!(finished_at("answered", None, c, None), c);
        assert_eq!(finished_at("merged", None, None, m), m);
        // Published, overturned on appeal, then closed, answered or merged: the old
        // publication is still on record and is not the end.
        assert_eq!(finished_at("closed", p, c, None), c);
        assert_eq!(finished_at("answered", p, c, None), c);
        assert_eq!(finished_at("merged", p, None, m), m);
        for open in ["new", "verifying", "decided", "appealed", "bogus"] {
            assert_eq!(finished_at(open, p, c, m), None, "{open}");
        }
    }

    #[test]
    fn a_finished_case_says_whether_it_kept_its_deadline() {
        let deadline = Some("2026-11-29T14:00:00.000Z");
        let before = Some("2026-11-29T13:59:59.999Z");
        let after = Some("2026-11-29T14:00:00.001Z");
        for done in ["published", "actioned", "closed", "merged", "answered"] {
            assert_eq!(
                finished_in_time(done, deadline, before),
                Some(true),
                "{done}"
            );
            assert_eq!(
                finished_in_time(done, deadline, deadline),
                Some(true),
                "{done}"
            );
            assert_eq!(
                finished_in_time(done, deadline, after),
                Some(false),
                "{done}"
            );
            assert_eq!(finished_in_time(done, None, before), None, "{done}");
            assert_eq!(finished_in_time(done, deadline, None), None, "{done}");
        }
        for open in ["new", "verifying", "decided", "appealed", "bogus"] {
            assert_eq!(finished_in_time(open, deadline, before), None, "{open}");
        }
    }

    fn case(id: i64, state: &str, agency: Option<&str>, deadline: Option<&str>) -> CaseSummary {
        CaseSummary {
            id,
            claim_id: id,
            state: state.to_string(),
            agency: agency.map(str::to_string),
            consulted: Vec::new(),
            assignee: None,
            priority: "normal".to_string(),
            harm_category: None,
            claim: format!("claim {id}"),
            reports: 1,
            created_at: "2026-11-01T00:00:00.000Z".to_string(),
            updated_at: "2026-11-01T00:00:00.000Z".to_string(),
            deadline: deadline.map(str::to_string),
            merged_into: None,
        }
    }

    fn escalation(case_id: i64, deadline: &str) -> Escalation {
        Escalation {
            case_id,
            deadline: deadline.to_string(),
            agency: Some("ca".to_string()),
            at: "2026-11-29T10:00:00.000Z".to_string(),
        }
    }

    #[test]
    fn an_overdue_case_escalates_once_per_deadline() {
        let now = "2026-11-29T14:00:00.000Z";
        let past = "2026-11-29T09:00:00.000Z";
        let cases = [
            case(1, "assigned", Some("ca"), Some(past)),
            case(2, "assigned", Some("ca"), Some("2026-12-01T00:00:00.000Z")),
            case(3, "decided", Some("ca"), Some(past)),
            case(4, "new", None, Some(past)),
            case(5, "verifying", Some("ca"), Some(past)),
        ];
        let ids = |due: Vec<&CaseSummary>| due.iter().map(|c| c.id).collect::<Vec<_>>();
        assert_eq!(ids(due_for_escalation(&cases, &[], now)), vec![1, 4, 5]);

        // Escalated for its deadline: not again. Escalated for an earlier deadline (it was
        // re-assigned since): again. Another case's escalation changes nothing.
        let log = [
            escalation(1, past),
            escalation(5, "2026-11-20T00:00:00.000Z"),
            escalation(4, "2026-11-20T00:00:00.000Z"),
        ];
        assert_eq!(ids(due_for_escalation(&cases, &log, now)), vec![4, 5]);
        assert_eq!(
            escalation_for_deadline(&cases[0], &log).map(|e| e.at.as_str()),
            Some("2026-11-29T10:00:00.000Z")
        );
        assert!(escalation_for_deadline(&cases[4], &log).is_none());
    }

    fn grants(list: &[(Role, Option<&str>)]) -> Vec<Grant> {
        list.iter()
            .map(|(role, agency)| Grant {
                role: *role,
                agency: agency.map(str::to_string),
            })
            .collect()
    }

    fn user(name: &str, disabled: bool, list: &[(Role, Option<&str>)]) -> UserSummary {
        UserSummary {
            name: name.to_string(),
            created_at: "2026-11-01T00:00:00.000Z".to_string(),
            disabled,
            grants: grants(list),
        }
    }

    #[test]
    fn an_escalation_goes_to_the_agencys_leads_or_the_districts_for_unrouted_cases() {
        let staff = [
            user("lead-ca", false, &[(Role::Lead, Some("ca"))]),
            user("lead-ca-old", true, &[(Role::Lead, Some("ca"))]),
            user("lead-vhtt", false, &[(Role::Lead, Some("vhtt"))]),
            user("lead-district", false, &[(Role::Lead, None)]),
            user(
                "verifier-ca",
                false,
                &[(Role::Verifier, Some("ca")), (Role::Verifier, None)],
            ),
        ];
        let names = |r: Vec<&UserSummary>| r.iter().map(|u| u.name.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(escalation_recipients(Some("ca"), &staff)),
            ["lead-ca"]
        );
        assert_eq!(
            names(escalation_recipients(None, &staff)),
            ["lead-district"]
        );
        assert!(escalation_recipients(Some("yte"), &staff).is_empty());
    }

    #[test]
    fn the_console_shows_overdue_cases_to_leads_who_reach_them() {
        let actor = |list: &[(Role, Option<&str>)]| Actor {
            name: "x".to_string(),
            grants: grants(list),
        };
        let ca = actor(&[(Role::Lead, Some("ca")), (Role::Verifier, None)]);
        assert!(leads_case(&ca, Some("ca")));
        assert!(!leads_case(&ca, Some("vhtt")));
        assert!(!leads_case(&ca, None));
        let district = actor(&[(Role::Lead, None)]);
        assert!(leads_case(&district, Some("vhtt")) && leads_case(&district, None));
        assert!(!leads_case(&actor(&[(Role::Verifier, None)]), Some("ca")));
    }
}
