//! The case workflow: who may do what, in which state, and what a valid input is.

use crate::model::{
    Actor, CaseState, CloseReason, DecisionDraft, EvidenceInput, Priority, Remedy, Role, Verdict,
};
use crate::pack::Pack;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// Longest report text accepted, in characters: long enough for a forwarded article, short
/// enough that one report cannot fill the disk.
pub const MAX_REPORT_CHARS: usize = 10_000;
pub const MAX_REPORT_URLS: usize = 20;
pub const MAX_CONTACT_CHARS: usize = 200;
pub const MAX_FIELD_CHARS: usize = 20_000;

/// An input problem tied to the field that caused it, in both UI languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {message_en}")]
pub struct FieldError {
    pub field: String,
    pub message_vi: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, vi: impl Into<String>, en: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message_vi: vi.into(),
            message_en: en.into(),
        }
    }
}

/// Why a workflow step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("role `{role}` is required")]
    Forbidden { role: Role },
    /// The actor holds a role for this step, but for other agencies than the case's.
    #[error("the case belongs to another agency")]
    OtherAgency,
    #[error("cannot {action} a case in state `{state}`")]
    WrongState {
        action: &'static str,
        state: CaseState,
    },
    #[error("the reviewer must be a different person from the one who decided")]
    SelfReview,
    #[error(transparent)]
    Invalid(#[from] FieldError),
    /// The case named to merge into cannot take the duplicate's reports.
    #[error("cannot merge into case {target}: {problem}")]
    MergeTarget { target: i64, problem: MergeProblem },
}

/// Why a case cannot receive a duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MergeProblem {
    /// It was itself merged: the reports belong where it went. Naming that case lets the
    /// officer merge there instead of building a chain nobody can follow.
    #[error("it was merged into case {into}")]
    Merged { into: i64 },
    /// Closed as spam, out of scope or with nothing to act on: reports of a real claim
    /// would be told "closed" for content that was never checked.
    #[error("it was closed without a verdict")]
    Closed,
}

/// The steps staff take on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAction {
    Assign,
    Decide,
    Review {
        approve: bool,
    },
    Publish,
    /// Ends a case without a verdict, for a stated [`CloseReason`].
    Close,
    /// Ends a case that repeats a published claim by pointing its reports to that
    /// fact-check instead of verifying it again.
    Answer,
    /// Ends a duplicate of another case: its reports join that case and get its answer.
    Merge,
}

impl CaseAction {
    pub fn name(self) -> &'static str {
        match self {
            CaseAction::Assign => "assign",
            CaseAction::Decide => "decide",
            CaseAction::Review { .. } => "review",
            CaseAction::Publish => "publish",
            CaseAction::Close => "close",
            CaseAction::Answer => "answer",
            CaseAction::Merge => "merge",
        }
    }

    /// Roles that may take this step; holding any one is enough.
    pub fn roles(self) -> &'static [Role] {
        match self {
            CaseAction::Assign => &[Role::Intake, Role::Lead],
            CaseAction::Decide => &[Role::Verifier],
            CaseAction::Review { .. } => &[Role::Reviewer],
            CaseAction::Publish => &[Role::Editor],
            // Whoever triages sees the spam and the repeats first; the lead and the
            // administrator can clear what intake left.
            // Merging is the same triage judgement (same claim, work done once).
            CaseAction::Close | CaseAction::Answer | CaseAction::Merge => {
                &[Role::Intake, Role::Lead, Role::Admin]
            }
        }
    }
}

/// Whether `actor` may take `action` on a case led by `agency` (None while unassigned).
/// Assigning is judged against the target agency by the caller passing it here.
pub fn authorize(
    actor: &Actor,
    action: CaseAction,
    agency: Option<&str>,
) -> Result<(), WorkflowError> {
    let roles = action.roles();
    if roles.iter().any(|r| actor.has_role(*r, agency)) {
        Ok(())
    } else if roles
        .iter()
        .any(|r| actor.grants.iter().any(|g| g.role == *r))
    {
        // Saying "requires intake" to a lead of another agency would send them looking
        // for the wrong thing.
        Err(WorkflowError::OtherAgency)
    } else {
        Err(WorkflowError::Forbidden { role: roles[0] })
    }
}

/// The state a case moves to when `action` is taken in `state`.
pub fn next_state(state: CaseState, action: CaseAction) -> Result<CaseState, WorkflowError> {
    use CaseState::*;
    let next = match (action, state) {
        // Re-assigning before a decision is drafted is routine (wrong agency, workload).
        (CaseAction::Assign, New | Triaged | Assigned | Verifying) => Assigned,
        (CaseAction::Decide, Assigned | Verifying) => InReview,
        (CaseAction::Review { approve: true }, InReview) => Decided,
        (CaseAction::Review { approve: false }, InReview) => Verifying,
        (CaseAction::Publish, Decided) => Published,
        // Only before a decision is drafted: once one awaits review or was approved, the
        // four-eyes path decides the case, and a closure would bury a reviewed verdict.
        (CaseAction::Close, New | Triaged | Assigned | Verifying) => Closed,
        (CaseAction::Answer, New | Triaged | Assigned | Verifying) => Answered,
        // The same boundary as closing: a drafted decision is reviewed, not folded away.
        (CaseAction::Merge, New | Triaged | Assigned | Verifying) => Merged,
        _ => {
            return Err(WorkflowError::WrongState {
                action: action.name(),
                state,
            })
        }
    };
    Ok(next)
}

/// Whether the case `target` (in `state`, and pointing to `merged_into` if it was merged)
/// may receive the duplicate `source`. Any case still worked on may, and so may one that
/// already has its answer (published, actioned, answered, under appeal): the duplicate's
/// reporters then get that answer. A closed or merged case may not.
pub fn check_merge_target(
    source: i64,
    target: i64,
    state: CaseState,
    merged_into: Option<i64>,
) -> Result<(), WorkflowError> {
    if source == target {
        return Err(FieldError::new(
            "into",
            "Không thể gộp hồ sơ vào chính nó; hãy nhập số của hồ sơ kia.",
            "A case cannot be merged into itself; give the other case's number.",
        )
        .into());
    }
    let problem = match (state, merged_into) {
        (CaseState::Merged, Some(into)) => MergeProblem::Merged { into },
        (CaseState::Closed, _) => MergeProblem::Closed,
        // A merged case without a pointer is refused like a closed one: there is no
        // case to send the reports to.
        (CaseState::Merged, None) => MergeProblem::Closed,
        _ => return Ok(()),
    };
    Err(WorkflowError::MergeTarget { target, problem })
}

/// Four eyes: nobody approves their own decision.
pub fn check_reviewer(decided_by: &str, reviewer: &str) -> Result<(), WorkflowError> {
    if decided_by == reviewer {
        Err(WorkflowError::SelfReview)
    } else {
        Ok(())
    }
}

/// Four eyes for a re-check of a published verdict: a fresh look, so neither the person who
/// drafted the decision nor the one who approved it.
pub fn check_rechecker(
    decided_by: &str,
    reviewed_by: Option<&str>,
    rechecker: &str,
) -> Result<(), WorkflowError> {
    if decided_by == rechecker || reviewed_by == Some(rechecker) {
        Err(WorkflowError::SelfReview)
    } else {
        Ok(())
    }
}

/// When a case is due, from the pack's deadline policy.
pub fn deadline(opened_at: DateTime<Utc>, priority: Priority, pack: &Pack) -> DateTime<Utc> {
    opened_at + Duration::hours(i64::from(pack.deadline_hours(priority)))
}

/// When a published verdict last verified at `verified_at` is due to be checked again: from
/// then on a report matching it goes to staff instead of being answered with it at once.
pub fn recheck_due(verified_at: DateTime<Utc>, pack: &Pack) -> DateTime<Utc> {
    verified_at
        .checked_add_signed(Duration::days(i64::from(pack.recheck_after_days)))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The latest "last verified" time whose verdict is due for re-checking by `horizon`: the
/// cutoff a list of verdicts falling due reads the store with.
pub fn verified_by_for_due(horizon: DateTime<Utc>, pack: &Pack) -> DateTime<Utc> {
    horizon
        .checked_sub_signed(Duration::days(i64::from(pack.recheck_after_days)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Whether a verdict last verified at `verified_at` may no longer answer a report on its own
/// at `now`. A stale verdict is never given out without a person looking at it again.
pub fn due_for_recheck(verified_at: DateTime<Utc>, now: DateTime<Utc>, pack: &Pack) -> bool {
    now >= recheck_due(verified_at, pack)
}

/// A report as accepted from the public, after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport {
    pub text: String,
    pub urls: Vec<String>,
    pub contact: Option<String>,
}

/// Free text as the desk keeps it: line ends as `\n` (browsers send `\r\n`),
/// and no control characters but tab and line feed. None of them is content,
/// and PostgreSQL cannot store a NUL in text at all, so one pasted from a
/// binary file used to fail the whole request.
pub fn clean_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push('\n');
            }
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Checks what a member of the public sent. URLs are canonicalised so the same link
/// reported twice is recognised as the same content.
pub fn validate_report(
    text: &str,
    urls: &[String],
    contact: Option<&str>,
) -> Result<NewReport, FieldError> {
    let text = clean_text(text);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(
            "text",
            "Vui lòng nhập nội dung phản ánh.",
            "The report text is empty.",
        ));
    }
    // Zero-width characters, emoji or punctuation alone say nothing to match
    // or to verify.
    if kc_text::syllables(&kc_text::normalize(trimmed)).is_empty() {
        return Err(FieldError::new(
            "text",
            "Nội dung phản ánh không có chữ hay số nào; vui lòng nhập nội dung.",
            "The report text has no letters or digits.",
        ));
    }
    if trimmed.chars().count() > MAX_REPORT_CHARS {
        return Err(FieldError::new(
            "text",
            format!("Nội dung dài quá {MAX_REPORT_CHARS} ký tự."),
            format!("The text is longer than {MAX_REPORT_CHARS} characters."),
        ));
    }
    let urls: Vec<&String> = urls.iter().filter(|u| !u.trim().is_empty()).collect();
    if urls.len() > MAX_REPORT_URLS {
        return Err(FieldError::new(
            "urls",
            format!("Tối đa {MAX_REPORT_URLS} đường dẫn."),
            format!("At most {MAX_REPORT_URLS} links."),
        ));
    }
    let mut canonical = Vec::with_capacity(urls.len());
    for (i, u) in urls.iter().enumerate() {
        match kc_text::canonical_url(u.trim()) {
            Ok(c) => canonical.push(c),
            Err(e) => {
                return Err(FieldError::new(
                    format!("urls[{i}]"),
                    format!("Đường dẫn không hợp lệ: {} ({})", u.trim(), e.reason_vi()),
                    format!("Invalid link: {} ({})", u.trim(), e.reason_en()),
                ))
            }
        }
    }
    let contact = contact.map(clean_text);
    let contact = contact.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if let Some(c) = contact {
        if c.chars().count() > MAX_CONTACT_CHARS {
            return Err(FieldError::new(
                "contact",
                format!("Thông tin liên hệ dài quá {MAX_CONTACT_CHARS} ký tự."),
                format!("The contact is longer than {MAX_CONTACT_CHARS} characters."),
            ));
        }
    }
    Ok(NewReport {
        text: trimmed.to_string(),
        urls: canonical,
        contact: contact.map(str::to_string),
    })
}

/// A decision that satisfies the invariants: it has a verdict, reasons, evidence and, where
/// the remedy acts on content, a legal basis that exists in the pack.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDecision {
    pub verdict: Verdict,
    pub summary: String,
    pub reasons: String,
    pub evidence: Vec<EvidenceInput>,
    pub legal_provisions: Vec<String>,
    pub remedy: Remedy,
}

pub fn validate_decision(draft: &DecisionDraft, pack: &Pack) -> Result<ValidDecision, FieldError> {
    let (summary, reasons) = (clean_text(&draft.summary), clean_text(&draft.reasons));
    let summary = summary.trim();
    if summary.is_empty() {
        return Err(FieldError::new(
            "summary",
            "Cần có tóm tắt kết luận.",
            "A summary is required.",
        ));
    }
    let reasons = reasons.trim();
    if reasons.is_empty() {
        return Err(FieldError::new(
            "reasons",
            "Cần nêu lý do của kết luận.",
            "Reasons are required.",
        ));
    }
    for (name, value) in [("summary", summary), ("reasons", reasons)] {
        if value.chars().count() > MAX_FIELD_CHARS {
            return Err(FieldError::new(
                name,
                format!("Dài quá {MAX_FIELD_CHARS} ký tự."),
                format!("Longer than {MAX_FIELD_CHARS} characters."),
            ));
        }
    }
    let mut evidence = Vec::new();
    for (i, e) in draft.evidence.iter().enumerate() {
        let url = e.url.as_deref().map(str::trim).filter(|u| !u.is_empty());
        let note = e.note.as_deref().map(clean_text);
        let note = note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        if url.is_none() && note.is_none() {
            continue;
        }
        let url = match url {
            Some(u) => Some(kc_text::canonical_url(u).map_err(|err| {
                FieldError::new(
                    format!("evidence[{i}].url"),
                    format!(
                        "Đường dẫn bằng chứng không hợp lệ: {u} ({})",
                        err.reason_vi()
                    ),
                    format!("Invalid evidence link: {u} ({})", err.reason_en()),
                )
            })?),
            None => None,
        };
        evidence.push(EvidenceInput {
            url,
            note: note.map(str::to_string),
        });
    }
    if evidence.is_empty() {
        return Err(FieldError::new(
            "evidence",
            "Cần ít nhất một bằng chứng (đường dẫn hoặc ghi chú).",
            "At least one evidence item (a link or a note) is required.",
        ));
    }
    let mut provisions = Vec::new();
    for (i, id) in draft.legal_provisions.iter().enumerate() {
        let id = id.trim();
        if pack.provision(id).is_none() {
            return Err(FieldError::new(
                format!("legal_provisions[{i}]"),
                format!("Không có căn cứ pháp lý mã `{id}` trong bộ văn bản."),
                format!("Unknown legal provision id `{id}`."),
            ));
        }
        if !provisions.iter().any(|p: &String| p == id) {
            provisions.push(id.to_string());
        }
    }
    let remedy = draft.remedy.unwrap_or(Remedy::Correction);
    if remedy.needs_legal_provision() && provisions.is_empty() {
        return Err(FieldError::new(
            "legal_provisions",
            format!(
                "Biện pháp \"{}\" cần ít nhất một căn cứ pháp lý.",
                remedy.label_vi()
            ),
            format!("The remedy `{remedy}` requires at least one legal provision."),
        ));
    }
    if draft.verdict == Verdict::Opinion
        && matches!(
            remedy,
            Remedy::Notice | Remedy::LabelRequest | Remedy::Referral
        )
    {
        return Err(FieldError::new(
            "remedy",
            "Ý kiến không thể là căn cứ để gửi thông báo hay chuyển xử lý.",
            "An opinion can never lead to a notice, label request or referral.",
        ));
    }
    Ok(ValidDecision {
        verdict: draft.verdict,
        summary: summary.to_string(),
        reasons: reasons.to_string(),
        evidence,
        legal_provisions: provisions,
        remedy,
    })
}

/// A closure that satisfies the rules: a known reason and a note saying why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidClosure {
    pub reason: CloseReason,
    pub note: String,
}

pub fn validate_closure(reason: &str, note: &str) -> Result<ValidClosure, FieldError> {
    let reason = CloseReason::parse(reason.trim()).ok_or_else(|| {
        FieldError::new(
            "reason",
            format!(
                "Vui lòng chọn lý do đóng hồ sơ ({}).",
                CloseReason::ALL
                    .iter()
                    .map(|r| format!("{}: {}", r.as_str(), r.label_vi()))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            format!(
                "Choose why the case is closed ({}).",
                CloseReason::expected()
            ),
        )
    })?;
    // Invisible characters or punctuation alone would satisfy "non-empty" and say nothing.
    let note = clean_note(note)?
        .filter(|n| !kc_text::syllables(&kc_text::normalize(n)).is_empty())
        .ok_or_else(|| {
            FieldError::new(
                "note",
                "Cần ghi chú lý do đóng hồ sơ.",
                "A note on why the case is closed is required.",
            )
        })?;
    Ok(ValidClosure { reason, note })
}

/// What a reviewer checked when confirming that a published verdict still holds: required,
/// since the re-check restarts the time the verdict answers reports on its own, and it must
/// say something (invisible characters or punctuation alone do not).
pub fn recheck_note(note: &str) -> Result<String, FieldError> {
    clean_note(note)?
        .filter(|n| !kc_text::syllables(&kc_text::normalize(n)).is_empty())
        .ok_or_else(|| {
            FieldError::new(
                "note",
                "Cần ghi rõ đã kiểm tra lại những gì.",
                "Say what was checked again.",
            )
        })
}

/// An optional staff note: cleaned, empty as None, and bounded like the decision fields.
pub fn clean_note(note: &str) -> Result<Option<String>, FieldError> {
    let note = clean_text(note);
    let note = note.trim();
    if note.chars().count() > MAX_FIELD_CHARS {
        return Err(FieldError::new(
            "note",
            format!("Ghi chú dài quá {MAX_FIELD_CHARS} ký tự."),
            format!("The note is longer than {MAX_FIELD_CHARS} characters."),
        ));
    }
    Ok((!note.is_empty()).then(|| note.to_string()))
}

/// Who may read a reporter's contact to reply to them: intake and the agency lead, for
/// the case's agency or district-wide. Everyone else works from the content alone.
pub fn may_read_contact(actor: &Actor, agency: Option<&str>) -> Result<(), WorkflowError> {
    // Stricter than `has_role`: a role scoped to one agency does not reach a case no
    // agency holds yet, since that could be any commune's reporter.
    let holds = |role: Role| {
        actor
            .grants
            .iter()
            .any(|g| g.role == role && g.reaches_case(agency))
    };
    if [Role::Intake, Role::Lead].into_iter().any(holds) {
        Ok(())
    } else {
        Err(WorkflowError::Forbidden { role: Role::Intake })
    }
}

/// Who may add a file to a case's evidence (an upload, or a report's screenshot kept past
/// the reports' retention): whoever may decide the case (its agency's verifiers) and the
/// agency's lead. Like a contact, a case no agency holds yet is reached only by
/// district-wide grants: its reporters could be any commune's.
pub fn may_add_evidence(actor: &Actor, agency: Option<&str>) -> Result<(), WorkflowError> {
    let roles = [Role::Verifier, Role::Lead];
    if actor
        .grants
        .iter()
        .any(|g| roles.contains(&g.role) && g.reaches_case(agency))
    {
        Ok(())
    } else if actor.grants.iter().any(|g| roles.contains(&g.role)) {
        Err(WorkflowError::OtherAgency)
    } else {
        Err(WorkflowError::Forbidden {
            role: Role::Verifier,
        })
    }
}

/// Who may see a case's files (reporters' screenshots, evidence): staff whose grants reach
/// the case's agency, whatever their role (the reviewer and the editor need them too);
/// like a contact, a case no agency holds yet only district-wide staff. A screenshot can
/// show people, so not every account of every commune sees every case's.
pub fn may_read_files(actor: &Actor, agency: Option<&str>) -> Result<(), WorkflowError> {
    if actor.grants.iter().any(|g| g.reaches_case(agency)) {
        Ok(())
    } else {
        Err(WorkflowError::OtherAgency)
    }
}

/// Who may read the audit log: a district-wide auditor, or an administrator. The log spans
/// every agency's cases, so an auditor scoped to one agency does not read it whole.
pub fn may_read_audit_log(actor: &Actor) -> Result<(), WorkflowError> {
    let district = |role: Role| {
        actor
            .grants
            .iter()
            .any(|g| g.role == role && g.agency.is_none())
    };
    if district(Role::Auditor) || district(Role::Admin) {
        Ok(())
    } else {
        Err(WorkflowError::Forbidden {
            role: Role::Auditor,
        })
    }
}

/// Where an evidence file came from, as an officer typed it: an optional link to the page
/// it was taken from (canonical http(s)) and an optional note.
pub fn validate_file_provenance(
    source_url: &str,
    note: &str,
) -> Result<(Option<String>, Option<String>), FieldError> {
    let url = source_url.trim();
    let url = if url.is_empty() {
        None
    } else {
        Some(kc_text::canonical_url(url).map_err(|err| {
            FieldError::new(
                "source_url",
                format!("Đường dẫn nguồn không hợp lệ: {url} ({})", err.reason_vi()),
                format!("Invalid source link: {url} ({})", err.reason_en()),
            )
        })?)
    };
    Ok((url, clean_note(note)?))
}

/// A receipt code a citizen can read out on the phone: no 0/O or 1/I/L confusion.
pub fn receipt_code(random: [u8; 8]) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut out = String::from("KC-");
    for (i, b) in random.iter().enumerate() {
        if i == 4 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
    }
    out
}

/// The public status of a report, as the citizen sees it on the receipt page.
pub fn public_status(case_state: Option<CaseState>, answered: bool) -> &'static str {
    if answered {
        return "answered";
    }
    match case_state {
        None | Some(CaseState::New | CaseState::Triaged) => "received",
        Some(CaseState::Published | CaseState::Answered) => "answered",
        Some(CaseState::Closed | CaseState::Actioned | CaseState::Merged) => "closed",
        Some(_) => "in_progress",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Grant;
    use crate::pack::MAX_RECHECK_AFTER_DAYS;

    fn actor(name: &str, grants: &[(Role, Option<&str>)]) -> Actor {
        Actor {
            name: name.into(),
            grants: grants
                .iter()
                .map(|(r, a)| Grant {
                    role: *r,
                    agency: a.map(str::to_string),
                })
                .collect(),
        }
    }

    #[test]
    fn a_verdict_answers_on_its_own_until_the_packs_recheck_day() {
        let mut pack = Pack::shipped().expect("the shipped pack validates");
        pack.recheck_after_days = 30;
        let verified = DateTime::parse_from_rfc3339("2026-01-01T08:00:00Z")
            .expect("test time")
            .with_timezone(&Utc);
        assert_eq!(
            recheck_due(verified, &pack).to_rfc3339(),
            "2026-01-31T08:00:00+00:00"
        );
        assert!(!due_for_recheck(verified, verified, &pack));
        assert!(!due_for_recheck(
            verified,
            verified + Duration::days(30) - Duration::seconds(1),
            &pack
        ));
        assert!(due_for_recheck(
            verified,
            verified + Duration::days(30),
            &pack
        ));
        assert!(due_for_recheck(
            verified,
            verified + Duration::days(400),
            &pack
        ));
        // The cutoff a list of those falling due reads with is the same rule turned round.
        let horizon = verified + Duration::days(30);
        assert_eq!(verified_by_for_due(horizon, &pack), verified);
        pack.recheck_after_days = MAX_RECHECK_AFTER_DAYS;
        assert!(!due_for_recheck(
            verified,
            verified + Duration::days(400),
            &pack
        ));
    }

    #[test]
    fn a_recheck_must_say_what_was_checked() {
        for empty in ["", "   ", "\u{200b}", "...", "\r\n"] {
            let e = recheck_note(empty).expect_err(empty);
            assert_eq!(e.field, "note");
        }
        assert_eq!(
            recheck_note("  Đã đối chiếu thông báo mới của EVN.\r\n").as_deref(),
            Ok("Đã đối chiếu thông báo mới của EVN.")
        );
        let long = "a ".repeat(MAX_FIELD_CHARS);
        assert_eq!(recheck_note(&long).expect_err("too long").field, "note");
    }

    #[test]
    fn happy_path_reaches_published() {
        let mut s = CaseState::New;
        for a in [
            CaseAction::Assign,
            CaseAction::Decide,
            CaseAction::Review { approve: true },
            CaseAction::Publish,
        ] {
            s = next_state(s, a).expect("allowed");
        }
        assert_eq!(s, CaseState::Published);
    }

    #[test]
    fn a_returned_decision_goes_back_to_verification() {
        let s = next_state(CaseState::InReview, CaseAction::Review { approve: false });
        assert_eq!(s, Ok(CaseState::Verifying));
        assert_eq!(
            next_state(CaseState::Verifying, CaseAction::Decide),
            Ok(CaseState::InReview)
        );
    }

    #[test]
    fn nothing_is_published_before_review() {
        for s in [
            CaseState::New,
            CaseState::Assigned,
            CaseState::InReview,
            CaseState::Verifying,
        ] {
            assert!(matches!(
                next_state(s, CaseAction::Publish),
                Err(WorkflowError::WrongState { .. })
            ));
        }
    }

    #[test]
    fn role_boundaries() {
        let verifier = actor("v", &[(Role::Verifier, Some("vhtt"))]);
        let editor = actor("e", &[(Role::Editor, None)]);
        assert!(authorize(&verifier, CaseAction::Publish, Some("vhtt")).is_err());
        assert!(authorize(&verifier, CaseAction::Decide, Some("vhtt")).is_ok());
        // The role, but for another agency: said so, not "requires verifier".
        assert_eq!(
            authorize(&verifier, CaseAction::Decide, Some("ca")),
            Err(WorkflowError::OtherAgency)
        );
        assert_eq!(
            authorize(&editor, CaseAction::Decide, Some("vhtt")),
            Err(WorkflowError::Forbidden {
                role: Role::Verifier
            })
        );
        assert!(authorize(&editor, CaseAction::Publish, Some("vhtt")).is_ok());
        assert_eq!(check_reviewer("v", "v"), Err(WorkflowError::SelfReview));
        assert_eq!(
            check_rechecker("v", Some("r"), "v"),
            Err(WorkflowError::SelfReview)
        );
        assert_eq!(
            check_rechecker("v", Some("r"), "r"),
            Err(WorkflowError::SelfReview)
        );
        assert_eq!(check_rechecker("v", Some("r"), "x"), Ok(()));
        assert_eq!(check_rechecker("v", None, "r"), Ok(()));
        assert!(check_reviewer("v", "r").is_ok());
    }

    #[test]
    fn a_case_is_closed_or_answered_only_before_a_decision() {
        for s in [
            CaseState::New,
            CaseState::Triaged,
            CaseState::Assigned,
            CaseState::Verifying,
        ] {
            assert_eq!(next_state(s, CaseAction::Close), Ok(CaseState::Closed));
            assert_eq!(next_state(s, CaseAction::Answer), Ok(CaseState::Answered));
        }
        for s in [
            CaseState::InReview,
            CaseState::Decided,
            CaseState::Published,
            CaseState::Closed,
            CaseState::Answered,
            CaseState::Merged,
            CaseState::Actioned,
        ] {
            for a in [CaseAction::Close, CaseAction::Answer] {
                assert!(
                    matches!(next_state(s, a), Err(WorkflowError::WrongState { .. })),
                    "{a:?} in {s}"
                );
            }
        }
        // Nothing moves a finished case on.
        for a in [
            CaseAction::Assign,
            CaseAction::Decide,
            CaseAction::Review { approve: true },
            CaseAction::Publish,
        ] {
            assert!(next_state(CaseState::Closed, a).is_err());
            assert!(next_state(CaseState::Answered, a).is_err());
        }
        assert!(CaseState::Closed.is_finished() && CaseState::Answered.is_finished());
        assert!(!CaseState::Verifying.is_finished());
    }

    #[test]
    fn who_may_close_or_answer() {
        let intake = actor("i", &[(Role::Intake, Some("vhtt"))]);
        let lead = actor("l", &[(Role::Lead, None)]);
        let admin = actor("a", &[(Role::Admin, None)]);
        let verifier = actor("v", &[(Role::Verifier, None)]);
        let editor = actor("e", &[(Role::Editor, None)]);
        for a in [CaseAction::Close, CaseAction::Answer] {
            assert!(authorize(&intake, a, Some("vhtt")).is_ok());
            assert!(authorize(&intake, a, None).is_ok(), "unassigned: triage");
            assert!(authorize(&intake, a, Some("ca")).is_err(), "another agency");
            assert!(authorize(&lead, a, Some("ca")).is_ok());
            assert!(authorize(&admin, a, Some("ca")).is_ok());
            assert!(authorize(&verifier, a, Some("vhtt")).is_err());
            assert!(authorize(&editor, a, None).is_err());
        }
    }

    #[test]
    fn a_duplicate_is_merged_only_before_a_decision_and_by_triage_roles() {
        for s in [
            CaseState::New,
            CaseState::Triaged,
            CaseState::Assigned,
            CaseState::Verifying,
        ] {
            assert_eq!(next_state(s, CaseAction::Merge), Ok(CaseState::Merged));
        }
        for s in [
            CaseState::InReview,
            CaseState::Decided,
            CaseState::Published,
            CaseState::Actioned,
            CaseState::Closed,
            CaseState::Answered,
            CaseState::Merged,
            CaseState::Appealed,
        ] {
            assert_eq!(
                next_state(s, CaseAction::Merge),
                Err(WorkflowError::WrongState {
                    action: "merge",
                    state: s
                }),
                "{s}"
            );
        }
        // A merged case is finished: it leaves the queue, the open figures and the library.
        assert!(CaseState::Merged.is_finished());
        for a in [
            CaseAction::Assign,
            CaseAction::Decide,
            CaseAction::Publish,
            CaseAction::Close,
        ] {
            assert!(next_state(CaseState::Merged, a).is_err(), "{a:?}");
        }
        let intake = actor("i", &[(Role::Intake, Some("vhtt"))]);
        let lead = actor("l", &[(Role::Lead, Some("ca"))]);
        let verifier = actor("v", &[(Role::Verifier, None)]);
        assert!(authorize(&intake, CaseAction::Merge, Some("vhtt")).is_ok());
        assert!(authorize(&intake, CaseAction::Merge, None).is_ok());
        assert_eq!(
            authorize(&intake, CaseAction::Merge, Some("ca")),
            Err(WorkflowError::OtherAgency)
        );
        assert!(authorize(&lead, CaseAction::Merge, Some("ca")).is_ok());
        assert_eq!(
            authorize(&lead, CaseAction::Merge, Some("vhtt")),
            Err(WorkflowError::OtherAgency)
        );
        assert_eq!(
            authorize(&verifier, CaseAction::Merge, Some("vhtt")),
            Err(WorkflowError::Forbidden { role: Role::Intake })
        );
    }

    #[test]
    fn a_duplicate_goes_to_a_case_that_can_still_answer_its_reporters() {
        // Open, in review, or already answered: the reports get that case's answer.
        for s in [
            CaseState::New,
            CaseState::Assigned,
            CaseState::Verifying,
            CaseState::InReview,
            CaseState::Decided,
            CaseState::Published,
            CaseState::Actioned,
            CaseState::Answered,
            CaseState::Appealed,
        ] {
            assert_eq!(check_merge_target(1, 2, s, None), Ok(()), "{s}");
        }
        assert!(matches!(
            check_merge_target(2, 2, CaseState::New, None),
            Err(WorkflowError::Invalid(FieldError { ref field, .. })) if field == "into"
        ));
        assert_eq!(
            check_merge_target(1, 2, CaseState::Merged, Some(7)),
            Err(WorkflowError::MergeTarget {
                target: 2,
                problem: MergeProblem::Merged { into: 7 }
            })
        );
        assert_eq!(
            check_merge_target(1, 2, CaseState::Closed, None),
            Err(WorkflowError::MergeTarget {
                target: 2,
                problem: MergeProblem::Closed
            })
        );
    }

    #[test]
    fn a_closure_needs_a_known_reason_and_a_note() {
        let ok = validate_closure(" spam ", "  Quảng cáo bán hàng\r\n").expect("valid");
        assert_eq!(ok.reason, CloseReason::Spam);
        assert_eq!(ok.note, "Quảng cáo bán hàng");
        assert_eq!(
            validate_closure("", "ghi chú")
                .expect_err("no reason")
                .field,
            "reason"
        );
        assert_eq!(
            validate_closure("verified", "ghi chú")
                .expect_err("unknown reason")
                .field,
            "reason"
        );
        for note in ["", "  \u{0} ", "\u{200b}", "…!"] {
            assert_eq!(
                validate_closure("no_action", note)
                    .expect_err("no note")
                    .field,
                "note"
            );
        }
        let long = "x".repeat(MAX_FIELD_CHARS + 1);
        assert_eq!(
            validate_closure("out_of_scope", &long)
                .expect_err("long")
                .field,
            "note"
        );
        assert_eq!(clean_note(" ").expect("ok"), None);
    }

    #[test]
    fn a_closed_report_says_closed_and_an_answered_one_answered() {
        assert_eq!(public_status(Some(CaseState::Closed), false), "closed");
        assert_eq!(public_status(Some(CaseState::Answered), false), "answered");
        for r in CloseReason::ALL {
            let (vi, en) = r.public_message();
            assert!(vi.contains("đóng") && en.contains("closed"), "{r}");
        }
    }

    #[test]
    fn report_validation_names_the_field() {
        let err = validate_report("   ", &[], None).expect_err("empty");
        assert_eq!(err.field, "text");
        let long = "a".repeat(MAX_REPORT_CHARS + 1);
        assert_eq!(
            validate_report(&long, &[], None).expect_err("long").field,
            "text"
        );
        let err = validate_report("tin đồn", &["không phải url".into()], None).expect_err("url");
        assert_eq!(err.field, "urls[0]");
        let ok = validate_report(" tin đồn ", &["".into()], Some("  ")).expect("ok");
        assert_eq!(ok.text, "tin đồn");
        assert!(ok.urls.is_empty());
        assert_eq!(ok.contact, None);
        // A link pasted as the address bar shows it, without `https://`.
        let ok = validate_report("tin đồn", &["tin-nong-24h.net/bai-viet".into()], None)
            .expect("a bare link is a link");
        assert_eq!(
            ok.urls,
            vec!["https://tin-nong-24h.net/bai-viet".to_string()]
        );
    }

    #[test]
    fn a_cases_files_are_seen_by_staff_of_its_agency_or_district_wide() {
        let editor = actor("e", &[(Role::Editor, Some("vhtt"))]);
        let police = actor("p", &[(Role::Verifier, Some("ca"))]);
        let district = actor("d", &[(Role::Auditor, None)]);
        assert!(may_read_files(&editor, Some("vhtt")).is_ok());
        assert_eq!(
            may_read_files(&police, Some("vhtt")),
            Err(WorkflowError::OtherAgency)
        );
        assert!(may_read_files(&district, Some("vhtt")).is_ok());
        assert!(
            may_read_files(&editor, None).is_err(),
            "unassigned: district-wide only"
        );
        assert!(may_read_files(&district, None).is_ok());
    }

    #[test]
    fn only_intake_and_the_lead_may_read_a_reporters_contact() {
        let intake = actor("i", &[(Role::Intake, Some("vhtt"))]);
        let lead = actor("l", &[(Role::Lead, None)]);
        let verifier = actor("v", &[(Role::Verifier, None), (Role::Reviewer, None)]);
        assert!(may_read_contact(&intake, Some("vhtt")).is_ok());
        assert!(
            may_read_contact(&intake, Some("ca")).is_err(),
            "another agency's case"
        );
        assert!(may_read_contact(&lead, Some("ca")).is_ok());
        assert!(may_read_contact(&verifier, Some("vhtt")).is_err());
        // A case no agency holds yet: only district-wide intake or leads.
        assert!(may_read_contact(&intake, None).is_err());
        assert!(may_read_contact(&lead, None).is_ok());
    }

    #[test]
    fn control_characters_never_reach_the_store() {
        assert_eq!(
            clean_text("a\u{0}b\r\nc\rd\te\u{7}\u{85}f\u{200b}"),
            "ab\nc\nd\tef\u{200b}"
        );
        let ok = validate_report("tin\u{0} đồn\r\nlan truyền", &[], Some("0912\u{0}345"))
            .expect("a NUL is dropped, not a reason to fail");
        assert_eq!(ok.text, "tin đồn\nlan truyền");
        assert_eq!(ok.contact.as_deref(), Some("0912345"));
        for nothing in ["\u{200b}\u{200b}", "\u{0}\u{0}", "?!… 🔥🔥"] {
            let err = validate_report(nothing, &[], None).expect_err(nothing);
            assert_eq!(err.field, "text", "{nothing:?}");
        }
        let pack = Pack::shipped().expect("the shipped pack");
        let draft = DecisionDraft {
            verdict: Verdict::False,
            summary: "Không\u{0} đúng".into(),
            reasons: "Một.\r\n\r\nHai.".into(),
            evidence: vec![EvidenceInput {
                url: None,
                note: Some("\u{0}".into()),
            }],
            legal_provisions: Vec::new(),
            remedy: None,
        };
        // A note that was only a NUL is no evidence at all.
        let err = validate_decision(&draft, &pack).expect_err("no evidence");
        assert_eq!(err.field, "evidence");
        let draft = DecisionDraft {
            evidence: vec![EvidenceInput {
                url: None,
                note: Some("Công văn\u{0} số 12".into()),
            }],
            ..draft
        };
        let valid = validate_decision(&draft, &pack).expect("valid");
        assert_eq!(
            (valid.summary.as_str(), valid.reasons.as_str()),
            ("Không đúng", "Một.\n\nHai.")
        );
        assert_eq!(valid.evidence[0].note.as_deref(), Some("Công văn số 12"));
    }

    #[test]
    fn evidence_files_are_added_by_the_cases_deciders_and_lead() {
        let verifier = actor("v", &[(Role::Verifier, Some("ca"))]);
        let lead = actor("l", &[(Role::Lead, Some("ca"))]);
        let district = actor("d", &[(Role::Verifier, None)]);
        let other = actor("o", &[(Role::Verifier, Some("vhtt"))]);
        let intake = actor("i", &[(Role::Intake, None)]);
        let editor = actor("e", &[(Role::Editor, None)]);
        assert!(may_add_evidence(&verifier, Some("ca")).is_ok());
        assert!(may_add_evidence(&lead, Some("ca")).is_ok());
        assert!(may_add_evidence(&district, Some("ca")).is_ok());
        assert!(may_add_evidence(&district, None).is_ok());
        assert_eq!(
            may_add_evidence(&other, Some("ca")),
            Err(WorkflowError::OtherAgency)
        );
        // An unassigned case could hold any commune's screenshots.
        assert_eq!(
            may_add_evidence(&verifier, None),
            Err(WorkflowError::OtherAgency)
        );
        for nobody in [&intake, &editor] {
            assert_eq!(
                may_add_evidence(nobody, Some("ca")),
                Err(WorkflowError::Forbidden {
                    role: Role::Verifier
                })
            );
        }
    }

    #[test]
    fn file_provenance_needs_a_real_link_if_any() {
        assert_eq!(validate_file_provenance("  ", " "), Ok((None, None)));
        let (url, note) =
            validate_file_provenance("https://Example.com/bai-viet#top", " Chụp lúc 9h ")
                .expect("valid");
        assert!(url.is_some_and(|u| u.starts_with("https://example.com/bai-viet")));
        assert_eq!(note.as_deref(), Some("Chụp lúc 9h"));
        let err = validate_file_provenance("not a link", "").expect_err("refused");
        assert_eq!(err.field, "source_url");
    }

    #[test]
    fn only_district_auditors_and_administrators_read_the_audit_log() {
        for reader in [
            actor("a", &[(Role::Auditor, None)]),
            actor("b", &[(Role::Admin, None)]),
            actor("c", &[(Role::Verifier, Some("CA")), (Role::Auditor, None)]),
        ] {
            assert_eq!(may_read_audit_log(&reader), Ok(()), "{}", reader.name);
        }
        for other in [Role::Auditor, Role::Admin] {
            assert!(may_read_audit_log(&actor("d", &[(other, Some("CA"))])).is_err());
        }
        for other in [
            Role::Intake,
            Role::Verifier,
            Role::Reviewer,
            Role::Editor,
            Role::Lead,
        ] {
            assert_eq!(
                may_read_audit_log(&actor("e", &[(other, None)])),
                Err(WorkflowError::Forbidden {
                    role: Role::Auditor
                }),
                "{other:?}"
            );
        }
    }

    #[test]
    fn receipt_codes_avoid_confusable_characters() {
        let code = receipt_code([0, 1, 2, 3, 255, 254, 30, 31]);
        assert_eq!(code.len(), "KC-XXXX-XXXX".len());
        assert!(!code[3..].contains(['0', 'O', '1', 'I', 'L']));
    }
}
