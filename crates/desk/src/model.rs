//! Domain vocabulary. The wire and database spelling of every enum is its `as_str`, which is
//! also the serde name, so one spelling is used from SQL to JSON to HTML.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares a closed set of domain values with one stable spelling and vi/en labels.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal, $vi:literal, $en:literal;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),* }
            }

            pub fn label_vi(self) -> &'static str {
                match self { $($name::$variant => $vi),* }
            }

            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en),* }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$variant),)* _ => None }
            }

            /// Every accepted spelling, for error messages that tell the user what would work.
            pub fn expected() -> String {
                [$($s),*].join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary! {
    /// The outcome of checking a claim (kết luận).
    Verdict {
        False = "false", "Sai sự thật", "False";
        Misleading = "misleading", "Gây hiểu lầm", "Misleading";
        MissingContext = "missing_context", "Thiếu bối cảnh", "Missing context";
        True = "true", "Chính xác", "True";
        Unverifiable = "unverifiable", "Chưa thể kiểm chứng", "Unverifiable";
        Opinion = "opinion", "Ý kiến, không kiểm chứng được", "Opinion, not checkable";
    }
}

vocabulary! {
    /// What harm the content may do. There is deliberately no political-opinion category:
    /// the desk judges content against the law, not views.
    HarmCategory {
        Scam = "scam", "Lừa đảo", "Scam or fraud";
        Health = "health", "Sức khỏe", "Health";
        Disaster = "disaster", "Thiên tai, khẩn cấp", "Disaster or emergency";
        PublicSafety = "public_safety", "An toàn công cộng", "Public safety";
        Defamation = "defamation", "Xúc phạm danh dự, nhân phẩm", "Defamation or insult";
        Impersonation = "impersonation", "Giả mạo", "Impersonation or fake account";
        ChildSafety = "child_safety", "An toàn trẻ em", "Child safety";
        OtherUnlawful = "other_unlawful", "Nội dung vi phạm khác", "Other unlawful content";
    }
}

vocabulary! {
    /// What the desk does about content once a decision is made.
    Remedy {
        Correction = "correction", "Đính chính", "Correction only";
        ReplyToReporters = "reply", "Trả lời người phản ánh", "Reply to reporters";
        LabelRequest = "label_request", "Đề nghị gắn nhãn", "Label request to the platform";
        Notice = "notice", "Thông báo gỡ bỏ", "Notice to the platform";
        Referral = "referral", "Chuyển cơ quan có thẩm quyền", "Referral to a competent authority";
        NoAction = "no_action", "Không xử lý", "No action";
    }
}

impl Remedy {
    /// Remedies that act on content outside the desk need a stated legal basis.
    pub fn needs_legal_provision(self) -> bool {
        matches!(
            self,
            Remedy::LabelRequest | Remedy::Notice | Remedy::Referral
        )
    }
}

vocabulary! {
    /// A staff role; scoped to an agency unless held district-wide.
    Role {
        Intake = "intake", "Tiếp nhận", "Intake";
        Verifier = "verifier", "Xác minh", "Verifier";
        Reviewer = "reviewer", "Thẩm định", "Reviewer";
        Editor = "editor", "Biên tập", "Editor";
        Lead = "lead", "Lãnh đạo đơn vị", "Agency lead";
        Admin = "admin", "Quản trị", "Administrator";
        Auditor = "auditor", "Kiểm tra", "Auditor";
    }
}

vocabulary! {
    Priority {
        Urgent = "urgent", "Khẩn", "Urgent";
        High = "high", "Cao", "High";
        Normal = "normal", "Bình thường", "Normal";
        Low = "low", "Thấp", "Low";
    }
}

vocabulary! {
    /// Where a report came from.
    Channel {
        Web = "web", "Biểu mẫu công khai", "Public form";
        Api = "api", "API", "API";
        Staff = "staff", "Cán bộ nhập", "Staff";
        Import = "import", "Nhập từ nguồn theo dõi", "Feed import";
    }
}

vocabulary! {
    /// The state of a case (hồ sơ).
    CaseState {
        New = "new", "Mới tiếp nhận", "New";
        Triaged = "triaged", "Đã phân loại", "Triaged";
        Assigned = "assigned", "Đã giao", "Assigned";
        Verifying = "verifying", "Đang xác minh", "Verifying";
        InReview = "in_review", "Chờ thẩm định", "In review";
        Decided = "decided", "Đã kết luận", "Decided";
        Published = "published", "Đã công bố", "Published";
        Actioned = "actioned", "Đã xử lý", "Actioned";
        Closed = "closed", "Đã đóng", "Closed";
        Merged = "merged", "Đã gộp", "Merged";
        Appealed = "appealed", "Có khiếu nại", "Appealed";
        Answered = "answered", "Đã trả lời bằng tin đã công bố", "Answered by a published fact-check";
    }
}

impl CaseState {
    /// States in which the desk's work on a case is over: it has left the open queue and
    /// the matcher's library of open cases, and new reports no longer join it.
    pub const FINISHED: &'static [CaseState] = &[
        CaseState::Published,
        CaseState::Actioned,
        CaseState::Closed,
        CaseState::Merged,
        CaseState::Answered,
    ];

    pub fn is_finished(self) -> bool {
        CaseState::FINISHED.contains(&self)
    }
}

vocabulary! {
    /// Why a case was closed without a verdict: a human decision, with a note kept in the
    /// audit log. A case that repeats a published claim is not closed but answered with
    /// that fact-check.
    CloseReason {
        Spam = "spam", "Không phải phản ánh", "Not a report";
        OutOfScope = "out_of_scope", "Ngoài phạm vi", "Outside the desk's remit";
        NoAction = "no_action", "Không cần xử lý", "Nothing to act on";
    }
}

impl CloseReason {
    /// What a reporter reads on the receipt page, in plain words and without any verdict:
    /// (Vietnamese, English).
    pub fn public_message(self) -> (&'static str, &'static str) {
        match self {
            CloseReason::Spam => (
                "Hồ sơ đã được đóng: nội dung gửi đến không phải là phản ánh về một thông tin trên mạng.",
                "The case was closed: what was sent is not a report about information online.",
            ),
            CloseReason::OutOfScope => (
                "Hồ sơ đã được đóng: nội dung này nằm ngoài phạm vi xử lý của bộ phận, nên không được kiểm chứng tại đây.",
                "The case was closed: this is outside the desk's remit, so it is not checked here.",
            ),
            CloseReason::NoAction => (
                "Hồ sơ đã được đóng: sau khi xem xét, nội dung này không cần xử lý.",
                "The case was closed: after review, there is nothing to act on.",
            ),
        }
    }
}

/// A member of staff as the rules see them: a name and the roles they hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
    pub grants: Vec<Grant>,
}

/// One role, either district-wide (`agency: None`) or for one agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub agency: Option<String>,
}

impl Grant {
    /// Whether this grant reaches a case held by `agency`, strictly: a district-wide grant
    /// reaches every case, an agency's grant only that agency's, and a case no agency holds
    /// yet (it could be any commune's) only district-wide grants.
    pub fn reaches_case(&self, agency: Option<&str>) -> bool {
        match (&self.agency, agency) {
            (None, _) => true,
            (Some(mine), Some(case)) => mine == case,
            (Some(_), None) => false,
        }
    }
}

impl Actor {
    /// Whether the actor holds `role` for `agency` (a district-wide grant covers every agency;
    /// `agency: None` asks for a district-wide grant or any agency grant).
    pub fn has_role(&self, role: Role, agency: Option<&str>) -> bool {
        self.grants.iter().any(|g| {
            g.role == role
                && match (&g.agency, agency) {
                    (None, _) => true,
                    (Some(_), None) => true,
                    (Some(mine), Some(wanted)) => mine == wanted,
                }
        })
    }

    pub fn is_staff(&self) -> bool {
        !self.grants.is_empty()
    }
}

/// Evidence offered with a decision: a source link, a note, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EvidenceInput {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A verifier's draft decision, before validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionDraft {
    pub verdict: Verdict,
    pub summary: String,
    pub reasons: String,
    #[serde(default)]
    pub evidence: Vec<EvidenceInput>,
    #[serde(default)]
    pub legal_provisions: Vec<String>,
    #[serde(default)]
    pub remedy: Option<Remedy>,
}

vocabulary! {
    /// How the person who appeals stands to the content: a closed list, never an identity.
    AppealRelation {
        Author = "author", "Người đăng hoặc tác giả nội dung", "Author or publisher of the content";
        Concerned = "concerned", "Người được nhắc đến trong nội dung", "Person the content is about";
        Other = "other", "Khác", "Other";
    }
}

vocabulary! {
    /// Where an appeal stands (khiếu nại): waiting, or decided one way or the other.
    AppealStatus {
        Pending = "pending", "Đang xem xét", "Under consideration";
        Upheld = "upheld", "Kết luận giữ nguyên", "Decision upheld";
        Overturned = "overturned", "Kết luận được sửa hoặc huỷ", "Decision overturned";
    }
}
