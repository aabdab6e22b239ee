//! Files over HTTP: citizens' screenshots arriving with a report (form or JSON), staff
//! adding evidence files, and serving a stored file to staff. Files are shown to staff only:
//! never on a public page, feed or open data, and never on the receipt page (a receipt code
//! is not secret enough for images).

use crate::api::{ApiJson, CaseId};
use crate::error::{ApiError, ErrorEnvelope};
use crate::pages::{console_action, DecisionForm};
use crate::session::{MaybeStaff, Staff};
use crate::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use kc_desk::attachment::{self, CleanFile, MediaType, MAX_FILE_BYTES, MAX_REPORT_FILES};
use kc_desk::workflow::FieldError;
use kc_store::{CaseFiles, StoredFile};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// Room for a report form with its most and largest images (multipart adds little).
pub const REPORT_FORM_BODY_BYTES: usize = MAX_REPORT_FILES * MAX_FILE_BYTES + 1024 * 1024;
/// Room for a JSON report with its most and largest images in base64 (4 bytes per 3).
pub const REPORT_JSON_BODY_BYTES: usize =
    (MAX_REPORT_FILES * MAX_FILE_BYTES).div_ceil(3) * 4 + 1024 * 1024;
/// Room for one evidence file and its provenance, as a form or as base64 JSON.
pub const EVIDENCE_BODY_BYTES: usize = MAX_FILE_BYTES.div_ceil(3) * 4 + 1024 * 1024;

/// Public posts larger than the general body limit (so carrying files) that one client
/// may send a minute, and that the desk reads at once.
pub const UPLOADS_PER_MINUTE: u32 = 6;
pub const UPLOADS_AT_ONCE: usize = 4;

/// Runs before a public report is read: a post whose declared size is over the general
/// body limit (files, or a chunked body of unknown size) must come from a client under
/// its upload rate, and find one of the few upload slots free; otherwise it is refused
/// before its bytes are read (429, or 503 when the slots are taken), so that many large
/// posts at once cannot fill the memory. Text-only reports pass as before.
pub async fn upload_gate(
    State(state): State<AppState>,
    crate::session::ClientIp(ip): crate::session::ClientIp,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let large = request.method() == axum::http::Method::POST
        && declared.is_none_or(|n| n > state.config.body_limit);
    if !large {
        return next.run(request).await;
    }
    let is_form = request.uri().path() == "/phan-anh";
    let headers = request.headers().clone();
    let refuse = |err: ApiError| -> Response {
        if is_form {
            crate::pages::Page::new(&headers, None).error(&state, &err, "/phan-anh")
        } else {
            err.into_response()
        }
    };
    if let Err(e) = state.upload_limiter.check(ip) {
        return refuse(e);
    }
    let Ok(_permit) = state.uploads.clone().try_acquire_owned() else {
        let mut busy = refuse(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "Máy chủ đang nhận nhiều tệp cùng lúc; vui lòng gửi lại sau ít giây.",
            "The desk is receiving many files at once; please send again in a few seconds.",
        ));
        busy.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return busy;
    };
    next.run(request).await
}

/// A file as it came in a form: the name the sender's device gave it (shown back in an
/// error, never stored) and its bytes.
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A multipart form read to the end: its text fields and the files of `file_field`. A
/// browser sends an empty part for a file input left empty; those are dropped.
#[derive(Default)]
pub struct UploadForm {
    pub fields: std::collections::HashMap<String, String>,
    pub files: Vec<Upload>,
}

impl UploadForm {
    pub fn field(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

/// Reads a multipart form. On a broken or oversized body the error comes with what was
/// read before it (the text fields come first in the page's forms), so the page can be
/// shown again with the text kept.
pub async fn read_upload_form(
    mut multipart: Multipart,
    file_field: &str,
) -> (UploadForm, Result<(), ApiError>) {
    let mut form = UploadForm::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return (form, Ok(())),
            Err(e) => return (form, Err(multipart_error(e.status(), file_field))),
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => return (form, Err(multipart_error(e.status(), file_field))),
        };
        if name == file_field {
            let file_name = file_name.unwrap_or_default();
            if file_name.is_empty() && bytes.is_empty() {
                continue;
            }
            form.files.push(Upload {
                name: file_name,
                bytes: bytes.to_vec(),
            });
        } else if file_name.is_none() {
            form.fields
                .insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
}

fn multipart_error(status: StatusCode, file_field: &str) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE && file_field == "file" {
        // The evidence form: one file, an image or a PDF.
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!(
                "Tệp gửi lên quá lớn: tối đa {} MB.",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            format!(
                "The file sent is too large: at most {} MB.",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
        .with_field("file")
    } else if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!(
                "Các tệp gửi lên quá lớn: tối đa {MAX_REPORT_FILES} ảnh, mỗi ảnh {} MB.",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            format!(
                "The files sent are too large: at most {MAX_REPORT_FILES} images of {} MB each.",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
        .with_field("files")
    } else {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_body",
            "Biểu mẫu gửi lên không đọc được; vui lòng gửi lại.",
            "The form sent could not be read; please send it again.",
        )
    }
}

/// A file's name as shown back in a message: short, on one line.
fn shown_name(name: &str) -> String {
    let clean: String = name.chars().filter(|c| !c.is_control()).collect();
    let base = clean.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if base.chars().count() > 60 {
        format!("{}…", base.chars().take(60).collect::<String>())
    } else {
        base.to_string()
    }
}

/// Checks a report form's images, all of them before anything is stored. A refused file
/// is named by its position and the name it had on the sender's device ("Ảnh 2 (IMG_1.jpg):
/// …"); the name goes back to the sender only.
pub fn accept_report_uploads(uploads: &[Upload]) -> Result<Vec<CleanFile>, FieldError> {
    attachment::check_report_file_count(uploads.len())?;
    uploads
        .iter()
        .enumerate()
        .map(|(i, u)| {
            attachment::accept_report_file(&format!("files[{i}]"), &u.bytes).map_err(|e| {
                let name = shown_name(&u.name);
                let named = if name.is_empty() {
                    String::new()
                } else {
                    format!(" ({name})")
                };
                FieldError::new(
                    e.field,
                    format!("Ảnh {}{named}: {}", i + 1, e.message_vi),
                    format!("Image {}{named}: {}", i + 1, e.message_en),
                )
            })
        })
        .collect()
}

/// A file sent in JSON.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileIn {
    /// The file's bytes in standard base64 (RFC 4648, with or without padding).
    pub content_base64: String,
}

fn decode_base64(field: &str, b64: &str) -> Result<Vec<u8>, FieldError> {
    let cleaned: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let cleaned = cleaned.trim_end_matches('=');
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(cleaned)
        .map_err(|_| {
            FieldError::new(
                if field.is_empty() {
                    "content_base64".to_string()
                } else {
                    format!("{field}.content_base64")
                },
                "Nội dung tệp không phải base64 hợp lệ.",
                "The file content is not valid base64.",
            )
        })
}

/// Checks the images of a JSON report, all of them before anything is stored.
pub fn accept_report_json(files: &[FileIn]) -> Result<Vec<CleanFile>, FieldError> {
    attachment::check_report_file_count(files.len())?;
    files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let field = format!("files[{i}]");
            let bytes = decode_base64(&field, &f.content_base64)?;
            attachment::accept_report_file(&field, &bytes)
        })
        .collect()
}

/// A stored file as an answer: its type, shown inline if it is an image, saved if a PDF,
/// never sniffed into something else, run or cached.
pub fn file_response(sha256: &str, file: StoredFile) -> Response {
    let media = MediaType::parse(&file.media_type);
    let mime = media.map_or("application/octet-stream", MediaType::mime);
    let disposition = match media {
        Some(m) if m.is_image() => "inline".to_string(),
        m => format!(
            "attachment; filename=\"{}.{}\"",
            sha256.get(..12).unwrap_or(sha256),
            m.map_or("bin", MediaType::extension)
        ),
    };
    let mut resp = file.bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src 'self'; sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// One stored file (staff only): a report's image or an evidence file, by its SHA-256.
#[utoipa::path(get, path = "/api/v1/files/{sha256}", operation_id = "get_file", params(("sha256" = String, Path, description = "lowercase hex SHA-256 of the file")),
    responses((status = 200, description = "The file, with its stored Content-Type"),
              (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn api_file(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Path(sha256): Path<String>,
) -> Result<Response, ApiError> {
    let file = state.desk.file(&actor, &sha256).await?;
    Ok(file_response(&sha256, file))
}

/// The console's address of the same file: the session cookie instead of a token.
pub async fn console_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    Path(sha256): Path<String>,
) -> Response {
    let Some(actor) = staff else {
        return crate::pages::login_redirect();
    };
    match state.desk.file(&actor, &sha256).await {
        Ok(file) => file_response(&sha256, file),
        Err(e) => crate::pages::Page::new(&headers, None).error(&state, &e, "/quan-tri"),
    }
}

/// A case's files as the API lists them.
#[derive(Serialize, ToSchema)]
pub struct CaseFilesOut {
    /// The reports' images (their own and their merged duplicates'), until purged.
    #[schema(value_type = Vec<ReportFileOut>)]
    pub reports: Vec<kc_store::ReportFileRecord>,
    /// Files kept as evidence, with who added them, when and from where.
    #[schema(value_type = Vec<EvidenceFileItem>)]
    pub evidence: Vec<kc_store::EvidenceFileRecord>,
}

/// A report's image as the document shows it ([`kc_store::ReportFileRecord`], which
/// carries no schema; a test checks the API's answers against this).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ReportFileOut {
    report_id: i64,
    /// 1, 2 or 3: the image's place in the report.
    position: i64,
    /// Lowercase hex; `GET /api/v1/files/{sha256}` serves it.
    sha256: String,
    media_type: String,
    /// Bytes.
    size: i64,
}

/// An evidence file as the document shows it ([`kc_store::EvidenceFileRecord`]).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceFileItem {
    id: i64,
    case_id: i64,
    sha256: String,
    media_type: String,
    size: i64,
    /// The page it was taken from, when the officer gave one.
    #[schema(nullable, required)]
    source_url: Option<String>,
    #[schema(nullable, required)]
    note: Option<String>,
    /// The report it was kept from, when it was one of a report's files.
    #[schema(nullable, required)]
    from_report_id: Option<i64>,
    added_by: String,
    added_at: String,
}

impl From<CaseFiles> for CaseFilesOut {
    fn from(f: CaseFiles) -> Self {
        CaseFilesOut {
            reports: f.reports,
            evidence: f.evidence,
        }
    }
}

/// The files of a case's reports and its evidence files, without their bytes (fetch each
/// at `/api/v1/files/{sha256}`). A file's `sha256` can name its content in a notice to a
/// platform (`sha256:HEX`).
#[utoipa::path(get, path = "/api/v1/cases/{id}/files", params(("id" = i64, Path)),
    responses((status = 200, body = CaseFilesOut), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn api_case_files(
    State(state): State<AppState>,
    Staff(actor): Staff,
    CaseId(id): CaseId,
) -> Result<Json<CaseFilesOut>, ApiError> {
    Ok(Json(state.desk.case_files(&actor, id).await?.into()))
}

/// A file added to a case's evidence: new bytes (`content_base64`: an image or a PDF), or
/// one of the case's report images kept past the reports' retention (`from_report_id` and
/// `sha256`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceFileIn {
    #[serde(default)]
    pub content_base64: Option<String>,
    #[serde(default)]
    pub from_report_id: Option<i64>,
    #[serde(default)]
    pub sha256: Option<String>,
    /// The page the file was taken from.
    #[serde(default)]
    pub source_url: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceFileOut {
    pub id: i64,
    pub sha256: String,
}

/// Adds a file to a case's evidence (the case's verifiers and its agency's lead).
#[utoipa::path(post, path = "/api/v1/cases/{id}/evidence-files", params(("id" = i64, Path)), request_body = EvidenceFileIn,
    responses((status = 201, body = EvidenceFileOut), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope)))]
pub async fn api_add_evidence(
    State(state): State<AppState>,
    Staff(actor): Staff,
    CaseId(id): CaseId,
    ApiJson(body): ApiJson<EvidenceFileIn>,
) -> Result<impl IntoResponse, ApiError> {
    let note = body.note.as_deref().unwrap_or("");
    let (eid, sha256) = match (body.content_base64, body.from_report_id, body.sha256) {
        (Some(b64), None, None) => {
            let bytes = decode_base64("", &b64)?;
            let file = attachment::accept_evidence_file("content_base64", &bytes)?;
            let source = body.source_url.as_deref().unwrap_or("");
            let eid = state
                .desk
                .add_evidence_file(&actor, id, &file, source, note)
                .await?;
            (eid, file.sha256)
        }
        (None, Some(report_id), Some(sha256)) => {
            let eid = state
                .desk
                .keep_report_file(&actor, id, report_id, &sha256, note)
                .await?;
            (eid, sha256.to_ascii_lowercase())
        }
        _ => {
            return Err(FieldError::new(
                "content_base64",
                "Gửi nội dung tệp (content_base64), hoặc tệp của một phản ánh (from_report_id và sha256).",
                "Send the file's content (content_base64), or a report's file (from_report_id and sha256).",
            )
            .into())
        }
    };
    Ok((
        StatusCode::CREATED,
        Json(EvidenceFileOut { id: eid, sha256 }),
    ))
}

#[derive(Deserialize)]
pub struct KeepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    report_id: i64,
    #[serde(default)]
    sha256: String,
}

/// "Giữ làm chứng cứ": keeps one of a report's images as evidence of the case.
pub async fn console_keep(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    crate::pages::PageId(id): crate::pages::PageId,
    axum::Form(form): axum::Form<KeepForm>,
) -> Response {
    let actor = staff.clone();
    let desk = &state.desk;
    console_action(
        &state,
        &headers,
        staff,
        id,
        &form.csrf,
        DecisionForm::default(),
        async {
            let actor = actor.ok_or_else(ApiError::unauthorized)?;
            desk.keep_report_file(&actor, id, form.report_id, &form.sha256, "")
                .await
                .map(|_| ())
        },
    )
    .await
}

/// The console's evidence upload: a file, the page it came from, a note.
pub async fn console_add_evidence(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    crate::pages::PageId(id): crate::pages::PageId,
    multipart: Multipart,
) -> Response {
    // Nothing of the file is read for someone not signed in.
    if staff.is_none() {
        return crate::pages::session_ended_redirect();
    }
    let (form, read) = read_upload_form(multipart, "file").await;
    let actor = staff.clone();
    let desk = &state.desk;
    let csrf = form.field("csrf");
    console_action(
        &state,
        &headers,
        staff,
        id,
        &csrf,
        DecisionForm::evidence_file(&form.field("source_url"), &form.field("note")),
        async {
            let actor = actor.ok_or_else(ApiError::unauthorized)?;
            read?;
            let upload = match form.files.as_slice() {
                [one] => one,
                _ => {
                    return Err(FieldError::new(
                        "file",
                        "Hãy chọn một tệp (ảnh hoặc PDF).",
                        "Choose one file (an image or a PDF).",
                    )
                    .into())
                }
            };
            let file = attachment::accept_evidence_file("file", &upload.bytes)?;
            desk.add_evidence_file(
                &actor,
                id,
                &file,
                &form.field("source_url"),
                &form.field("note"),
            )
            .await
            .map(|_| ())
        },
    )
    .await
}

/// A size as staff read it.
pub fn size_label(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{bytes} B")
    }
}

#[derive(OpenApi)]
#[openapi(
    paths(api_file, api_case_files, api_add_evidence),
    components(schemas(FileIn, CaseFilesOut, EvidenceFileIn, EvidenceFileOut))
)]
pub struct FileDoc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_file_name_is_shown_short_and_without_its_folders() {
        assert_eq!(
            shown_name("C:\\Users\\Lan\\Pictures\\IMG_1.jpg"),
            "IMG_1.jpg"
        );
        assert_eq!(shown_name("/home/lan/anh\n1.png"), "anh1.png");
        let long = format!("{}.jpg", "a".repeat(100));
        assert_eq!(shown_name(&long).chars().count(), 61);
    }

    #[test]
    fn only_a_sha256_is_a_file_address() {
        let hex = "AB".repeat(32);
        assert_eq!(crate::desk::file_hash(&hex), Some("ab".repeat(32)));
        assert_eq!(crate::desk::file_hash(&"ab".repeat(31)), None);
        assert_eq!(
            crate::desk::file_hash(&format!("{}zz", "ab".repeat(31))),
            None
        );
        assert_eq!(crate::desk::file_hash("../../etc/passwd"), None);
    }

    #[test]
    fn sizes_read_as_staff_expect() {
        assert_eq!(size_label(85), "85 B");
        assert_eq!(size_label(1025), "2 KB");
        assert_eq!(size_label(5 * 1024 * 1024), "5.0 MB");
    }

    #[test]
    fn base64_is_taken_with_or_without_padding_and_line_breaks() {
        assert_eq!(decode_base64("f", "aGk=").ok(), Some(b"hi".to_vec()));
        assert_eq!(decode_base64("f", "aG\nk").ok(), Some(b"hi".to_vec()));
        let err = decode_base64("files[2]", "***").expect_err("refused");
        assert_eq!(err.field, "files[2].content_base64");
    }
}
