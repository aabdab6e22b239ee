//! Consultations (phối hợp): the directive has agencies work a case together (the culture
//! and information office with the police, the communes with both). The pack names, beside
//! a case's lead agency, the agencies it consults for its kind of harm; each gives its
//! opinion on the case, which the verifier and the reviewer read before the decision. An
//! opinion is about the content and what to do with it, never about who wrote it.

use crate::model::{Actor, CaseState, Role};
use crate::workflow::{FieldError, WorkflowError};

/// The longest opinion taken, in characters: a page of reasoning, not a dossier.
pub const MAX_OPINION_CHARS: usize = 5000;

/// Why an opinion was not taken: what was typed, or who may give it and when.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpinionRefused {
    #[error(transparent)]
    Field(#[from] FieldError),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
}

/// The opinion as it will be kept: trimmed, not empty, within [`MAX_OPINION_CHARS`].
pub fn validate_opinion(text: &str) -> Result<String, FieldError> {
    // Control characters go, as from every other text typed into the desk.
    let text = crate::workflow::clean_text(text);
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(
            "opinion",
            "Vui lòng nhập ý kiến của cơ quan.",
            "The opinion is empty.",
        ));
    }
    let n = text.chars().count();
    if n > MAX_OPINION_CHARS {
        return Err(FieldError::new(
            "opinion",
            format!("Ý kiến dài {n} ký tự, quá giới hạn {MAX_OPINION_CHARS} ký tự."),
            format!("The opinion is {n} characters long, over the {MAX_OPINION_CHARS} limit."),
        ));
    }
    Ok(text.to_string())
}

/// Which consulted agency `actor` gives an opinion for on a case in `state` that consults
/// `consulted`: the agency `named`, or, when none is named, the one consulted agency the
/// actor holds a verifier or lead role for. A district-wide verifier or lead speaks for any
/// consulted agency but must name it. The case must be open and routed (its consulted
/// agencies are known once it is assigned).
pub fn opinion_agency(
    actor: &Actor,
    state: CaseState,
    consulted: &[String],
    named: Option<&str>,
) -> Result<String, OpinionRefused> {
    if state.is_finished() || matches!(state, CaseState::New | CaseState::Triaged) {
        return Err(WorkflowError::WrongState {
            action: "give an opinion on",
            state,
        }
        .into());
    }
    if consulted.is_empty() {
        return Err(FieldError::new(
            "agency",
            "Hồ sơ này không có cơ quan phối hợp nào theo quy định phân công.",
            "This case consults no agency under the routing rules.",
        )
        .into());
    }
    let roles = [Role::Verifier, Role::Lead];
    let speaks_for = |agency: &str| {
        actor
            .grants
            .iter()
            .any(|g| roles.contains(&g.role) && g.reaches_case(Some(agency)))
    };
    let named = named.map(str::trim).filter(|a| !a.is_empty());
    let agency = match named {
        Some(a) => {
            if !consulted.iter().any(|c| c == a) {
                return Err(FieldError::new(
                    "agency",
                    format!(
                        "Cơ quan `{a}` không được hỏi ý kiến về hồ sơ này; cơ quan phối hợp: {}.",
                        consulted.join(", ")
                    ),
                    format!(
                        "Agency `{a}` is not consulted on this case; consulted: {}.",
                        consulted.join(", ")
                    ),
                )
                .into());
            }
            a.to_string()
        }
        None => {
            let mine: Vec<&String> = consulted
                .iter()
                .filter(|c| {
                    actor
                        .grants
                        .iter()
                        .any(|g| roles.contains(&g.role) && g.agency.as_deref() == Some(c.as_str()))
                })
                .collect();
            let district_wide = actor
                .grants
                .iter()
                .any(|g| roles.contains(&g.role) && g.agency.is_none());
            match mine.as_slice() {
                [one] => (*one).clone(),
                [] if !district_wide => {
                    return Err(if actor.grants.iter().any(|g| roles.contains(&g.role)) {
                        WorkflowError::OtherAgency
                    } else {
                        WorkflowError::Forbidden {
                            role: Role::Verifier,
                        }
                    }
                    .into())
                }
                _ => {
                    return Err(FieldError::new(
                        "agency",
                        format!("Hãy chọn cơ quan cho ý kiến này: {}.", consulted.join(", ")),
                        format!(
                            "Name the agency this opinion is for: {}.",
                            consulted.join(", ")
                        ),
                    )
                    .into())
                }
            }
        }
    };
    if speaks_for(&agency) {
        Ok(agency)
    } else if actor.grants.iter().any(|g| roles.contains(&g.role)) {
        Err(WorkflowError::OtherAgency.into())
    } else {
        Err(WorkflowError::Forbidden {
            role: Role::Verifier,
        }
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Grant;

    fn actor(grants: &[(Role, Option<&str>)]) -> Actor {
        Actor {
            name: "can-bo".into(),
            grants: grants
                .iter()
                .map(|(role, agency)| Grant {
                    role: *role,
                    agency: agency.map(str::to_string),
                })
                .collect(),
        }
    }

    fn consulted() -> Vec<String> {
        vec!["ca".into(), "xa-bo-y".into()]
    }

    #[test]
    fn a_consulted_agencys_verifier_speaks_for_it_without_naming_it() {
        let police = actor(&[(Role::Verifier, Some("ca"))]);
        assert_eq!(
            opinion_agency(&police, CaseState::Assigned, &consulted(), None),
            Ok("ca".to_string())
        );
        assert_eq!(
            opinion_agency(&police, CaseState::InReview, &consulted(), Some("ca")),
            Ok("ca".to_string())
        );
    }

    #[test]
    fn nobody_speaks_for_an_agency_not_consulted_or_not_their_own() {
        let police = actor(&[(Role::Lead, Some("ca"))]);
        let err = opinion_agency(&police, CaseState::Assigned, &consulted(), Some("vhtt"))
            .expect_err("not consulted");
        assert!(
            matches!(&err, OpinionRefused::Field(f) if f.field == "agency" && f.message_en.contains("not consulted")),
            "{err:?}"
        );
        assert_eq!(
            opinion_agency(&police, CaseState::Assigned, &consulted(), Some("xa-bo-y")),
            Err(WorkflowError::OtherAgency.into())
        );
        let culture = actor(&[(Role::Verifier, Some("vhtt"))]);
        assert_eq!(
            opinion_agency(&culture, CaseState::Assigned, &consulted(), None),
            Err(WorkflowError::OtherAgency.into())
        );
        let district = actor(&[(Role::Verifier, None)]);
        assert_eq!(
            opinion_agency(&district, CaseState::Assigned, &consulted(), None),
            Err(OpinionRefused::Field(FieldError::new(
                "agency",
                "Hãy chọn cơ quan cho ý kiến này: ca, xa-bo-y.",
                "Name the agency this opinion is for: ca, xa-bo-y.",
            )))
        );
        let editor = actor(&[(Role::Editor, Some("ca"))]);
        assert_eq!(
            opinion_agency(&editor, CaseState::Assigned, &consulted(), Some("ca")),
            Err(WorkflowError::Forbidden {
                role: Role::Verifier
            }
            .into())
        );
    }

    #[test]
    fn a_district_wide_officer_names_the_agency_and_two_agencies_must_choose() {
        let district = actor(&[(Role::Lead, None)]);
        assert!(opinion_agency(&district, CaseState::Verifying, &consulted(), None).is_err());
        assert_eq!(
            opinion_agency(
                &district,
                CaseState::Verifying,
                &consulted(),
                Some("xa-bo-y")
            ),
            Ok("xa-bo-y".to_string())
        );
        let both = actor(&[
            (Role::Verifier, Some("ca")),
            (Role::Verifier, Some("xa-bo-y")),
        ]);
        assert!(opinion_agency(&both, CaseState::Assigned, &consulted(), None).is_err());
    }

    #[test]
    fn opinions_are_taken_while_the_case_is_open_and_routed() {
        let police = actor(&[(Role::Verifier, Some("ca"))]);
        for state in [CaseState::New, CaseState::Published, CaseState::Closed] {
            assert!(
                matches!(
                    opinion_agency(&police, state, &consulted(), None),
                    Err(OpinionRefused::Workflow(WorkflowError::WrongState { .. }))
                ),
                "{state:?}"
            );
        }
        let err = opinion_agency(&police, CaseState::Assigned, &[], None).expect_err("none");
        assert!(matches!(err, OpinionRefused::Field(f) if f.field == "agency"));
    }

    #[test]
    fn an_opinion_is_trimmed_and_bounded() {
        assert_eq!(validate_opinion("  Đồng ý. \n").as_deref(), Ok("Đồng ý."));
        assert_eq!(
            validate_opinion(" \0 ").expect_err("empty").field,
            "opinion"
        );
        let long = "a".repeat(MAX_OPINION_CHARS + 1);
        assert!(validate_opinion(&long)
            .expect_err("long")
            .message_en
            .contains("5000"));
    }
}
