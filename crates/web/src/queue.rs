//! Which cases a list shows: one rule for the console's queue and `GET /api/v1/cases`,
//! so that an integrator polling for an agency's cases sees what its officers see.

use kc_desk::workflow::FieldError;
use kc_store::CaseSummary;

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

#[cfg(test)]
mod tests {
    use super::is_overdue;

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
}
