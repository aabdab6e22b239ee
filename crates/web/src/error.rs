//! One error type for every HTTP answer: a stable snake_case code clients can rely on, a
//! status, a message in Vietnamese and English, and the field at fault when there is one.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use kc_desk::workflow::{FieldError, MergeProblem, WorkflowError};
use kc_store::StoreError;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
    pub message_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    /// Seconds after which the request may succeed (`Retry-After`), for a 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        vi: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                code,
                message: vi.into(),
                message_en: en.into(),
                field: None,
            },
            retry_after: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.body.field = Some(field.into());
        self
    }

    pub fn unauthorized() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Cần đăng nhập hoặc mã truy cập (Authorization: Bearer …).",
            "Authentication required (Authorization: Bearer …).",
        )
    }

    /// A token that was issued but is past its expiry: told apart from an unknown one so a
    /// script's owner knows to renew it (`kiemchung token renew`) rather than hunt for a
    /// typo. `expires_at` is the stored RFC 3339 time.
    pub fn token_expired(expires_at: &str) -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "token_expired",
            format!(
                "Mã truy cập đã hết hạn lúc {}; đề nghị quản trị viên gia hạn (kiemchung token renew) hoặc cấp mã mới.",
                crate::render::local_time(expires_at, "vi")
            ),
            format!(
                "The API token expired at {}; ask an administrator to renew it (kiemchung token renew) or to create a new one.",
                crate::render::local_time(expires_at, "en")
            ),
        )
    }

    /// `what` names the missing thing in Vietnamese and in English.
    pub fn not_found(vi: &str, en: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("Không tìm thấy {vi}."),
            format!("{en} not found."),
        )
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Lỗi hệ thống; thao tác chưa được ghi nhận.",
            "Internal error; nothing was recorded.",
        )
    }

    /// Too many reports from one client; the next one is accepted in `retry_after` seconds.
    pub fn rate_limited(retry_after: u64) -> Self {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Bạn gửi quá nhiều phản ánh trong thời gian ngắn; vui lòng thử lại sau ít phút.",
            "Too many reports in a short time; please try again in a few minutes.",
        );
        e.retry_after = Some(retry_after.max(1));
        e
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            e.message_vi,
            e.message_en,
        )
        .with_field(e.field)
    }
}

impl From<WorkflowError> for ApiError {
    fn from(e: WorkflowError) -> Self {
        match e {
            WorkflowError::OtherAgency => ApiError::new(
                StatusCode::FORBIDDEN,
                "other_agency",
                "Hồ sơ này thuộc cơ quan khác; vai trò của bạn chỉ áp dụng cho cơ quan của bạn.",
                "This case belongs to another agency; your role applies to your agency's cases.",
            ),
            WorkflowError::Forbidden { role } => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("Thao tác này cần vai trò \"{}\".", role.label_vi()),
                format!("This requires the role `{role}`."),
            ),
            WorkflowError::WrongState { action, state } => ApiError::new(
                StatusCode::CONFLICT,
                "wrong_state",
                format!(
                    "Không thể {} khi hồ sơ ở trạng thái \"{}\".",
                    action_vi(action),
                    state.label_vi()
                ),
                format!("Cannot {action} a case in state `{state}`."),
            ),
            WorkflowError::SelfReview => ApiError::new(
                StatusCode::CONFLICT,
                "self_review",
                "Người thẩm định phải khác người đã ra kết luận.",
                "The reviewer must be a different person from the one who decided.",
            ),
            WorkflowError::Invalid(f) => f.into(),
            WorkflowError::MergeTarget {
                target,
                problem: MergeProblem::Merged { into },
            } => ApiError::new(
                StatusCode::CONFLICT,
                "target_merged",
                format!("Hồ sơ #{target} đã được gộp vào hồ sơ #{into}; hãy gộp vào hồ sơ #{into}."),
                format!("Case #{target} was merged into case #{into}; merge into case #{into} instead."),
            )
            .with_field("into"),
            WorkflowError::MergeTarget {
                target,
                problem: MergeProblem::Closed,
            } => ApiError::new(
                StatusCode::CONFLICT,
                "target_closed",
                format!("Hồ sơ #{target} đã đóng mà không có kết luận nên không nhận thêm phản ánh; nếu cùng nội dung, hãy đóng hồ sơ này với cùng lý do."),
                format!("Case #{target} was closed without a verdict and takes no more reports; if it is the same content, close this case for the same reason."),
            )
            .with_field("into"),
        }
    }
}

/// A workflow step in Vietnamese, for messages; an action without a wording here
/// keeps its code.
fn action_vi(action: &str) -> &str {
    match action {
        "assign" => "giao xử lý",
        "decide" => "ra kết luận",
        "review" => "thẩm định",
        "publish" => "công bố",
        "close" => "đóng hồ sơ",
        "answer" => "trả lời bằng tin đã công bố",
        "merge" => "gộp hồ sơ",
        other => other,
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { .. } => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại.",
                "The case was changed by someone else meanwhile; reload it.",
            ),
            // The store names what it missed in English only (`case 3`); say it
            // in general terms in Vietnamese rather than mix the languages.
            StoreError::NotFound(what) => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "Không tìm thấy dữ liệu được yêu cầu.",
                format!("{what} not found."),
            ),
            // Two people acting on the same cases at once (e.g. merging them into each
            // other): the database chose one; the other may simply try again.
            other if other.is_contention() => {
                let mut e = ApiError::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    "Có thao tác khác trên cùng dữ liệu vào đúng lúc này; chưa có gì được ghi, vui lòng thử lại.",
                    "Another change to the same data ran at this very moment; nothing was recorded, please try again.",
                );
                e.retry_after = Some(1);
                e
            }
            other => ApiError::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self.retry_after;
        let mut resp = (self.status, Json(ErrorEnvelope { error: self.body })).into_response();
        with_retry_after(&mut resp, retry_after);
        resp
    }
}

/// Adds `Retry-After` to a refused request's response (API or page alike).
pub fn with_retry_after(resp: &mut Response, secs: Option<u64>) {
    if let Some(secs) = secs {
        resp.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, secs.into());
    }
}
