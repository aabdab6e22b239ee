//! Server-rendered pages: minijinja templates compiled into the binary, Vietnamese first
//! with English behind `?lang=en` (remembered in a cookie).

use minijinja::value::Value;
use minijinja::{Environment, State};

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("articles.html", include_str!("../templates/articles.html")),
    ("article.html", include_str!("../templates/article.html")),
    (
        "console_articles.html",
        include_str!("../templates/console_articles.html"),
    ),
    (
        "report_form.html",
        include_str!("../templates/report_form.html"),
    ),
    ("receipt.html", include_str!("../templates/receipt.html")),
    (
        "factchecks.html",
        include_str!("../templates/factchecks.html"),
    ),
    (
        "factcheck.html",
        include_str!("../templates/factcheck.html"),
    ),
    ("search.html", include_str!("../templates/search.html")),
    (
        "open_data.html",
        include_str!("../templates/open_data.html"),
    ),
    ("login.html", include_str!("../templates/login.html")),
    ("console.html", include_str!("../templates/console.html")),
    ("case.html", include_str!("../templates/case.html")),
    ("stats.html", include_str!("../templates/stats.html")),
    ("outreach.html", include_str!("../templates/outreach.html")),
    ("duties.html", include_str!("../templates/duties.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("appeal.html", include_str!("../templates/appeal.html")),
    (
        "audit_log.html",
        include_str!("../templates/audit_log.html"),
    ),
    (
        "staff_bar.html",
        include_str!("../templates/staff_bar.html"),
    ),
    (
        "form_errors.html",
        include_str!("../templates/form_errors.html"),
    ),
];

pub fn template_names() -> impl Iterator<Item = &'static str> {
    TEMPLATES
        .iter()
        .chain(crate::notices::TEMPLATES)
        .map(|(n, _)| *n)
}

#[derive(Debug, thiserror::Error)]
#[error("template {name}: {source}")]
pub struct TemplateError {
    name: &'static str,
    source: minijinja::Error,
}

pub fn environment() -> Result<Environment<'static>, TemplateError> {
    let mut env = Environment::new();
    for (name, src) in TEMPLATES.iter().chain(crate::notices::TEMPLATES) {
        env.add_template(name, src)
            .map_err(|source| TemplateError { name, source })?;
    }
    env.add_function("t", translate);
    crate::notices::register_functions(&mut env);
    env.add_function("verdict_label", |state: &State, code: &str| {
        label(
            state,
            "verdict",
            kc_desk::Verdict::parse(code).map(|v| (v.label_vi(), v.label_en())),
            code,
        )
    });
    env.add_function("state_label", |state: &State, code: &str| {
        label(
            state,
            "state",
            kc_desk::CaseState::parse(code).map(|v| (v.label_vi(), v.label_en())),
            code,
        )
    });
    env.add_function("remedy_label", |state: &State, code: &str| {
        label(
            state,
            "remedy",
            kc_desk::Remedy::parse(code).map(|v| (v.label_vi(), v.label_en())),
            code,
        )
    });
    env.add_function("close_reason_label", |state: &State, code: &str| {
        label(
            state,
            "close_reason",
            kc_desk::CloseReason::parse(code).map(|v| (v.label_vi(), v.label_en())),
            code,
        )
    });
    env.add_function("role_label", |state: &State, code: &str| {
        label(
            state,
            "role",
            kc_desk::Role::parse(code).map(|v| (v.label_vi(), v.label_en())),
            code,
        )
    });
    env.add_function("channel_label", |state: &State, code: &str| {
        label(
            state,
            "channel",
            kc_desk::Channel::parse(code).map(|v| (v.label_vi(), v.label_en())),
            code,
        )
    });
    env.add_function("harm_label", |state: &State, code: &str| {
        label(
            state,
            "harm",
            kc_desk::HarmCategory::parse(code).map(|v| (v.label_vi(), v.label_en())),
            code,
        )
    });
    env.add_function("priority_label", |state: &State, code: &str| {
        label(
            state,
            "priority",
            kc_desk::Priority::parse(code).map(|v| (v.label_vi(), v.label_en())),
            code,
        )
    });
    env.add_function("relation_label", |state: &State, code: &str| {
        label(
            state,
            "relation",
            kc_desk::AppealRelation::parse(code).map(|v| (v.label_vi(), v.label_en())),
            code,
        )
    });
    env.add_function("appeal_status_label", |state: &State, code: &str| {
        label(
            state,
            "appeal_status",
            kc_desk::AppealStatus::parse(code).map(|v| (v.label_vi(), v.label_en())),
            code,
        )
    });
    // What these two write is digits, separators and a fixed label, so it is marked safe:
    // escaped, the day's slashes would reach the page as `&#x2f;`. Anything that is not a
    // stored time or day is returned as it came, and escaped as usual.
    env.add_filter("date", |state: &State, s: &str| {
        if vietnam_time(s).is_some() {
            Value::from_safe_string(local_time(s, if is_en(state) { "en" } else { "vi" }))
        } else {
            Value::from(s)
        }
    });
    // A day without a time (a notice's dates, an awareness event's): dd/mm/yyyy on
    // Vietnamese pages, as the `date` filter writes days with a time.
    env.add_filter(
        "day",
        |state: &State, s: &str| match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) if !is_en(state) => Value::from_safe_string(d.format("%d/%m/%Y").to_string()),
            _ => Value::from(s),
        },
    );
    env.add_filter("truncate", |s: &str, n: usize| {
        if s.chars().count() <= n {
            s.to_string()
        } else {
            format!("{}…", s.chars().take(n).collect::<String>())
        }
    });
    Ok(env)
}

/// Vietnam keeps UTC+7 all year (no daylight saving time).
const VIETNAM_OFFSET_SECONDS: i32 = 7 * 3600;

/// A stored RFC 3339 time as a person at the desk reads it: Vietnam's wall clock, labelled,
/// to the minute. Machine-readable outputs (feeds, JSON, CSV) keep the stored UTC value;
/// this is for pages only. A value that is not RFC 3339 is shown as it is.
/// Vietnamese pages write the day first (`29/11/2026 14:05`), as every Vietnamese document
/// does; English pages keep the unambiguous ISO order.
pub fn local_time(rfc3339: &str, lang: &str) -> String {
    let (format, label) = if lang == "en" {
        ("%Y-%m-%d %H:%M", "Vietnam time, UTC+7")
    } else {
        ("%d/%m/%Y %H:%M", "giờ Việt Nam, UTC+7")
    };
    match vietnam_time(rfc3339) {
        Some(t) => format!("{} ({label})", t.format(format)),
        None => rfc3339.to_string(),
    }
}

fn vietnam_time(rfc3339: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).ok()?;
    let vietnam = chrono::FixedOffset::east_opt(VIETNAM_OFFSET_SECONDS)?;
    Some(t.with_timezone(&vietnam))
}

/// [`local_time`] without its label, for a table whose header carries it (`token list`);
/// `None` for a value that is not RFC 3339.
pub fn vietnam_minute(rfc3339: &str) -> Option<String> {
    Some(vietnam_time(rfc3339)?.format("%Y-%m-%d %H:%M").to_string())
}

fn is_en(state: &State) -> bool {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().map(|s| s == "en"))
        .unwrap_or(false)
}

/// A label in the page's language: the pack's wording when it has one, else the built-in.
fn label(
    state: &State,
    kind: &str,
    builtin: Option<(&'static str, &'static str)>,
    code: &str,
) -> String {
    if let Some(from_pack) = state
        .lookup("pack_labels")
        .and_then(|l| l.get_attr(kind).ok())
        .and_then(|m| m.get_attr(code).ok())
        .and_then(|v| v.as_str().map(str::to_string))
    {
        return from_pack;
    }
    match builtin {
        Some((vi, en)) => if is_en(state) { en } else { vi }.to_string(),
        None => code.to_string(),
    }
}

fn translate(state: &State, key: &str) -> Value {
    let en = is_en(state);
    let text = STRINGS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, vi, e)| if en { *e } else { *vi })
        .unwrap_or(key);
    Value::from(text)
}

/// The UI strings: key, Vietnamese, English.
pub(crate) const STRINGS: &[(&str, &str, &str)] = &[
    ("skip", "Bỏ qua, đến nội dung chính", "Skip to main content"),
    ("nav.home", "Trang chủ", "Home"),
    ("nav.main", "Điều hướng chính", "Main navigation"),
    ("nav.report", "Gửi phản ánh", "Report"),
    ("nav.checks", "Tin đã kiểm chứng", "Fact-checks"),
    ("nav.search", "Tra cứu", "Search"),
    ("nav.learn", "Nhận diện tin giả", "Spotting false information"),
    ("nav.data", "Dữ liệu mở", "Open data"),
    ("nav.console", "Quản trị", "Console"),
    ("lang.switch", "English", "Tiếng Việt"),
    ("home.lead", "Phát hiện tin sai sự thật, xấu, độc trên mạng? Hãy gửi phản ánh. Cơ quan chức năng sẽ kiểm chứng và công bố kết quả.", "Seen false or harmful information online? Report it. The competent agencies verify it and publish the result."),
    ("home.latest", "Tin kiểm chứng mới nhất", "Latest fact-checks"),
    ("home.articles", "Bài viết mới về nhận diện tin giả", "New articles on spotting false information"),
    ("articles.title", "Nhận diện tin giả", "Spotting false information"),
    ("articles.lead", "Bài viết của cơ quan chức năng giúp nhận biết thông tin sai sự thật, xấu, độc và cách xử lý khi gặp chúng.", "Articles by the competent agencies on recognising false and harmful information and what to do when you meet it."),
    ("articles.none", "Chưa có bài viết nào.", "No articles yet."),
    ("articles.all", "Tất cả bài viết", "All articles"),
    ("articles.published", "Đăng ngày", "Published"),
    ("articles.updated", "Cập nhật", "Updated"),
    ("articles.console", "Bài viết tuyên truyền", "Awareness articles"),
    ("articles.console_help", "Bài viết được đăng ngay lên cổng thông tin (/nhan-dien) và nguồn tin Atom. Bài viết hướng dẫn nhận diện thông tin, không nêu tên hay thông tin của người đăng tải. Các đoạn cách nhau bằng một dòng trống.", "Articles go on the portal (/nhan-dien) and the Atom feed at once. They teach how to recognise information; they never name or describe whoever posted something. Separate paragraphs with a blank line."),
    ("articles.editor_only", "Chỉ biên tập viên được viết và sửa bài.", "Only editors write and correct articles."),
    ("articles.new", "Viết bài mới", "Write an article"),
    ("articles.edit", "Sửa bài", "Correct the article"),
    ("articles.field_title", "Tiêu đề", "Title"),
    ("articles.field_summary", "Tóm tắt (không bắt buộc; mặc định là đoạn đầu)", "Summary (optional; the first paragraph by default)"),
    ("articles.field_body", "Nội dung", "Body"),
    ("articles.publish", "Đăng bài", "Publish"),
    ("articles.save", "Lưu chỉnh sửa", "Save the correction"),
    ("articles.cancel", "Huỷ, viết bài mới", "Cancel, write a new one"),
    ("articles.listed", "Bài đã đăng", "Published articles"),
    ("home.tips", "Nhận biết tin giả", "Spotting false information"),
    ("home.tip1", "Kiểm tra nguồn tin: trang chính thức của cơ quan nhà nước, báo chí được cấp phép.", "Check the source: official government sites and licensed press."),
    ("home.tip2", "Cảnh giác với tin giật gân, yêu cầu chuyển khoản, đường dẫn lạ.", "Beware of sensational claims, requests for money transfers, and unfamiliar links."),
    ("home.tip3", "Không bình luận, chia sẻ thông tin chưa được kiểm chứng.", "Don't comment on or share information that has not been verified."),
    ("report.title", "Gửi phản ánh thông tin sai sự thật", "Report false information"),
    ("report.intro", "Không cần tài khoản. Bạn sẽ nhận mã tiếp nhận để theo dõi kết quả.", "No account needed. You get a receipt code to follow the result."),
    ("report.text", "Nội dung phản ánh", "What did you see?"),
    ("report.text_help", "Dán hoặc mô tả nội dung bạn thấy (bắt buộc).", "Paste or describe what you saw (required)."),
    ("report.urls", "Đường dẫn", "Links"),
    ("report.urls_help", "Mỗi dòng một đường dẫn (không bắt buộc).", "One link per line (optional)."),
    ("report.contact", "Liên hệ (không bắt buộc)", "Contact (optional)"),
    ("report.contact_help", "Chỉ dùng để trả lời bạn; được lưu riêng và tự xóa sau 90 ngày.", "Used only to reply to you; stored apart and deleted after 90 days."),
    ("report.submit", "Gửi phản ánh", "Send report"),
    ("report.files", "Ảnh chụp màn hình (không bắt buộc)", "Screenshots (optional)"),
    ("report.files_help", "Tối đa 3 ảnh (JPEG, PNG, WebP, GIF), mỗi ảnh tối đa 5 MB. Dữ liệu vị trí và thiết bị trong ảnh được xoá trước khi lưu. Ảnh chỉ cán bộ xử lý xem, không bao giờ được công bố.", "At most 3 images (JPEG, PNG, WebP, GIF), 5 MB each. Location and device data in photos are removed before saving. Images are seen only by staff, never published."),
    ("report.files_again", "Ảnh đã chọn chưa được gửi: hãy chọn lại ảnh trước khi gửi lại.", "The images you chose were not sent: choose them again before you send."),
    ("form.error_title", "Chưa gửi được", "Not sent"),
    ("form.error_label", "Lỗi", "Error"),
    ("form.fix", "Đến ô cần sửa", "Go to the field to correct"),
    ("form.required", "Bắt buộc", "Required"),
    ("receipt.files", "Số ảnh đã nhận", "Images received"),
    ("receipt.files_private", "chỉ cán bộ xử lý xem, không công bố", "seen only by staff, never published"),
    ("receipt.title", "Đã tiếp nhận phản ánh", "Report received"),
    ("receipt.code", "Mã tiếp nhận", "Receipt code"),
    ("receipt.missing", "Vui lòng nhập mã tiếp nhận (dạng KC-XXXX-XXXX).", "Please type a receipt code (like KC-XXXX-XXXX)."),
    ("receipt.keep", "Hãy lưu mã này để tra cứu kết quả.", "Keep this code to look up the result."),
    ("receipt.status", "Trạng thái", "Status"),
    ("receipt.matched", "Phản ánh của bạn khớp với một tin đã được kiểm chứng", "Your report matches a claim already checked"),
    ("receipt.claim", "Tin đã được kiểm chứng", "The claim checked"),
    ("receipt.about", "Kết luận trên là về tin này, không phải về lời phản ánh của bạn.", "The verdict is about this claim, not about what you wrote."),
    ("receipt.read", "Xem kết quả kiểm chứng", "Read the fact-check"),
    ("status.received", "Đã tiếp nhận, đang chờ xử lý", "Received, awaiting handling"),
    ("status.in_progress", "Đang xác minh", "Being verified"),
    ("status.answered", "Đã có kết quả kiểm chứng", "Answered"),
    ("status.closed", "Đã đóng", "Closed"),
    ("checks.title", "Tin đã kiểm chứng", "Fact-checks"),
    ("checks.withdrawn", "Kết luận không còn hiệu lực", "Decision no longer stands"),
    ("checks.none", "Chưa có tin nào được công bố.", "Nothing has been published yet."),
    ("opinion.title", "Ý kiến của cơ quan phối hợp", "Opinions of the consulted agencies"),
    ("opinion.pending", "Chưa có ý kiến.", "No opinion yet."),
    ("opinion.agency", "Ý kiến của cơ quan", "Opinion of"),
    ("opinion.label", "Ý kiến", "Opinion"),
    ("opinion.help", "Về nội dung và cách xử lý; người xác minh và người thẩm định đọc trước khi kết luận. Không nêu tên người đăng hay người phản ánh.", "On the content and how to handle it; the verifier and the reviewer read it before the decision. Name neither the author nor the reporter."),
    ("opinion.submit", "Gửi ý kiến", "Give the opinion"),
    ("checks.pages", "Các trang kết quả kiểm chứng", "Pages of fact-checks"),
    ("checks.page", "Trang", "Page"),
    ("checks.newer", "Mới hơn", "Newer"),
    ("checks.older", "Cũ hơn", "Older"),
    ("check.claim", "Nội dung được kiểm chứng", "Claim checked"),
    ("check.verdict", "Kết luận", "Verdict"),
    ("check.published", "Ngày công bố", "Published"),
    ("check.rechecked", "Kiểm tra lại, vẫn đúng", "Checked again, still holds"),
    ("check.provisions", "Căn cứ pháp lý", "Legal basis"),
    ("check.reasons", "Lý do", "Reasons"),
    ("check.evidence", "Bằng chứng", "Evidence"),
    ("check.appeal", "Nếu bạn bị ảnh hưởng bởi kết luận này, bạn có quyền khiếu nại miễn phí trong vòng 6 tháng.", "If this decision affects you, you may appeal free of charge within 6 months."),
    ("appeal.title", "Khiếu nại", "Appeals"),
    ("appeal.none", "Chưa có khiếu nại nào đối với kết luận này.", "No appeal has been made against this decision."),
    ("appeal.form_title", "Gửi khiếu nại", "Make an appeal"),
    ("appeal.intro", "Miễn phí, không cần tài khoản, không cần nêu căn cứ pháp lý. Khiếu nại do một người thẩm định khác với người đã ra và đã thẩm định kết luận giải quyết; kết quả được công bố trên trang này.", "Free, no account, no legal citation needed. A reviewer who neither made nor approved the decision decides the appeal; the outcome is published on this page."),
    ("appeal.deadline", "Hạn khiếu nại", "Appeals accepted until"),
    ("appeal.not_standing", "Kết luận này không còn hiệu lực nên không nhận thêm khiếu nại.", "This decision no longer stands, so it takes no further appeals."),
    ("appeal.window_over", "Đã hết thời hạn 6 tháng kể từ ngày công bố để khiếu nại kết luận này.", "The 6 months after publication in which this decision could be appealed are over."),
    ("appeal.relation_q", "Bạn liên quan thế nào đến nội dung được kiểm chứng? (bắt buộc)", "How do you relate to the content checked? (required)"),
    ("appeal.relation", "Người khiếu nại", "Appellant"),
    ("appeal.reasons", "Lý do khiếu nại", "Reasons for the appeal"),
    ("appeal.reasons_help", "Vì sao bạn cho rằng kết luận chưa đúng (bắt buộc). Nội dung này không được công bố.", "Why you think the decision is wrong (required). This text is not published."),
    ("appeal.contact_help", "Chỉ dùng để trả lời bạn; không công bố, được lưu riêng và tự xóa sau 90 ngày.", "Used only to answer you; never published, stored apart and deleted after 90 days."),
    ("appeal.submit", "Gửi khiếu nại", "Send appeal"),
    ("appeal.filed", "Ngày khiếu nại", "Filed"),
    ("appeal.decided", "Ngày giải quyết", "Decided"),
    ("appeal.decided_by", "Người giải quyết", "Decided by"),
    ("appeal.against", "Kết luận bị khiếu nại", "Decision appealed"),
    ("appeal.status_title", "Khiếu nại đã được tiếp nhận", "Appeal received"),
    ("appeal.decided_title", "Khiếu nại đã được giải quyết", "Appeal decided"),
    ("appeal.pending_help", "Khiếu nại sẽ do một người thẩm định khác với người đã ra kết luận giải quyết; kết quả và lý do sẽ hiển thị tại đây và trên trang kết luận.", "A reviewer other than those who made the decision will decide the appeal; the outcome and its reasons will show here and on the fact-check page."),
    ("appeal.outcome", "Kết quả giải quyết", "Outcome"),
    ("appeal.outcome_reasons", "Lý do giải quyết", "Reasons for the outcome"),
    ("appeal.outcome_help", "Lý do được công bố cùng kết quả trên trang kết luận.", "The reasons are published with the outcome on the fact-check page."),
    ("appeal.decide", "Giải quyết khiếu nại", "Decide the appeal"),
    ("appeal.contact_staff", "Liên hệ của người khiếu nại (không công bố)", "Appellant's contact (never published)"),
    ("appeal.replaced_by", "Kết luận mới", "The new decision"),
    ("appeal.reveal_contact", "Xem liên hệ để trả lời người khiếu nại", "Show the contact to reply to the appellant"),
    ("appeal.not_independent", "Bạn đã ra hoặc đã thẩm định kết luận bị khiếu nại nên không thể giải quyết khiếu nại này.", "You made or approved the decision under appeal, so you cannot decide this appeal."),
    ("appeal.pending_title", "Khiếu nại chờ giải quyết", "Appeals awaiting a decision"),
    ("appeal.overturned_title", "Kết luận này đã được sửa hoặc huỷ sau khiếu nại", "This decision was overturned on appeal"),
    ("appeal.overturned_text", "Kết luận dưới đây không còn hiệu lực và đang được xem xét lại; kết luận mới sẽ được công bố. Lý do:", "The decision below no longer stands and is being reconsidered; a new decision will be published. Reasons:"),
    ("search.title", "Tin này đã được kiểm chứng chưa?", "Has this been checked?"),
    ("search.q", "Nhập nội dung cần tra cứu", "Text to look up"),
    ("search.go", "Tra cứu", "Search"),
    ("search.none", "Chưa có kết quả kiểm chứng phù hợp. Bạn có thể gửi phản ánh.", "No matching fact-check yet. You can send a report."),
    ("search.receipt", "Tra cứu theo mã tiếp nhận", "Look up a receipt code"),
    ("search.receipt_help", "Mã nhận được khi gửi phản ánh hoặc khiếu nại.", "The code you got when you sent a report or an appeal."),
    ("data.title", "Dữ liệu mở", "Open data"),
    ("data.intro", "Các kết luận đã công bố, theo định dạng máy đọc được. Không chứa dữ liệu cá nhân.", "Published decisions in machine-readable form. No personal data."),
    ("data.appeals", "khiếu nại và kết quả giải quyết", "appeals and their outcomes"),
    ("login.title", "Đăng nhập quản trị", "Staff sign-in"),
    ("unsaved.title", "Nội dung bạn đã nhập (chưa được lưu)", "What you typed (not saved)"),
    ("unsaved.field.claim", "Nội dung được công bố", "Claim as published"),
    ("unsaved.field.title", "Tiêu đề", "Title"),
    ("unsaved.field.summary", "Tóm tắt", "Summary"),
    ("unsaved.field.reasons", "Lý do", "Reasons"),
    ("unsaved.field.body", "Nội dung bài", "Text"),
    ("unsaved.field.opinion", "Ý kiến", "Opinion"),
    ("unsaved.field.comment", "Nhận xét", "Comment"),
    ("unsaved.field.note", "Ghi chú", "Note"),
    ("unsaved.field.evidence_note", "Ghi chú bằng chứng", "Evidence note"),
    ("unsaved.field.evidence_url", "Nguồn bằng chứng (URL)", "Evidence source (URL)"),
    ("unsaved.field.locators", "Địa chỉ nội dung", "Content locations"),
    ("unsaved.field.platform", "Nền tảng", "Platform"),
    ("unsaved.field.territorial_scope", "Phạm vi lãnh thổ", "Territorial scope"),
    ("unsaved.field.topic", "Chủ đề", "Topic"),
    ("unsaved.field.materials_url", "Tài liệu (URL)", "Materials (URL)"),
    ("unsaved.field.links", "Liên kết", "Links"),
    ("login.user", "Tên đăng nhập", "Username"),
    ("login.password", "Mật khẩu", "Password"),
    ("login.submit", "Đăng nhập", "Sign in"),
    ("login.required", "Cả hai ô đều bắt buộc.", "Both fields are required."),
    ("login.failed", "Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password."),
    ("console.title", "Hồ sơ xử lý", "Cases"),
    ("console.logout", "Đăng xuất", "Sign out"),
    ("console.nav", "Bàn làm việc", "Staff console"),
    ("console.signed_in", "Đăng nhập với tên", "Signed in as"),
    ("console.none", "Chưa có hồ sơ.", "No cases yet."),
    ("queue.caption", "Hồ sơ đang mở", "Open cases"),
    ("queue.all", "Tất cả", "All"),
    ("queue.unassigned", "Chưa giao cơ quan", "Not assigned yet"),
    ("queue.overdue_only", "Chỉ hồ sơ quá hạn", "Overdue only"),
    ("queue.show_overdue", "xem các hồ sơ này", "show them"),
    ("queue.filter", "Lọc", "Filter"),
    ("queue.showing", "Hồ sơ", "Cases"),
    ("queue.of_open", "trong tổng số hồ sơ đang xử lý:", "of the open cases:"),
    ("queue.none_match", "Không có hồ sơ nào khớp bộ lọc.", "No case matches the filters."),
    ("queue.clear", "Bỏ lọc", "Clear the filters"),
    ("queue.pages", "Các trang của hàng đợi", "Pages of the queue"),
    ("queue.previous", "Trang trước", "Previous"),
    ("queue.next", "Trang sau", "Next"),
    ("audit.title", "Nhật ký kiểm toán", "Audit log"),
    ("audit.help", "Mọi thay đổi trên bàn làm việc, mỗi lần xem liên hệ và mỗi lần mở tệp (tối đa một lần mỗi giờ cho mỗi người và mỗi tệp), mới nhất trước. Nhật ký chỉ được thêm, không sửa hay xoá; không ghi nội dung liên hệ hay mã băm của tệp.", "Every change made at the desk, every reading of a contact and every opening of a file (at most once an hour per officer and file), newest first. The log is only ever appended to; it holds no contact and no file hash."),
    ("audit.entity", "Đối tượng (case, report, appeal, notice, user…)", "Entity (case, report, appeal, notice, user…)"),
    ("audit.entity_id", "Mã đối tượng", "Entity id"),
    ("audit.case_filter", "Số hồ sơ (cả phản ánh, công bố, khiếu nại, thông báo của hồ sơ)", "Case number (with its reports, publications, appeals and notices)"),
    ("audit.actor", "Người thực hiện", "Actor"),
    ("audit.action", "Thao tác (ví dụ case.decide, hoặc case. cho mọi thao tác về hồ sơ)", "Action (e.g. case.decide, or case. for every case action)"),
    ("audit.from", "Từ ngày", "From"),
    ("audit.to", "Đến ngày", "To"),
    ("audit.at", "Thời điểm", "When"),
    ("audit.data", "Chi tiết", "Details"),
    ("audit.case", "Hồ sơ", "Case"),
    ("audit.showing", "Sự kiện", "Events"),
    ("audit.none", "Không có sự kiện nào khớp bộ lọc.", "No event matches the filters."),
    ("audit.newer", "Mới hơn", "Newer"),
    ("audit.older", "Cũ hơn", "Older"),
    ("audit.case_log", "Nhật ký của hồ sơ này", "This case's audit log"),
    ("audit.verify_help", "Kiểm tra chuỗi băm của toàn bộ nhật ký: kiemchung audit verify.", "To check the whole log's hash chain: kiemchung audit verify."),
    ("console.overdue", "Quá hạn", "Overdue"),
    ("console.stats", "Thống kê, báo cáo", "Statistics and reports"),
    ("stats.title", "Thống kê", "Statistics"),
    ("stats.period", "Kỳ báo cáo", "Period"),
    ("stats.from", "Từ ngày", "From"),
    ("stats.to", "Đến ngày", "To"),
    ("stats.show", "Xem", "Show"),
    ("stats.help", "Ngày theo giờ Việt Nam, tính cả ngày cuối. Chỉ có số liệu về nội dung và hồ sơ, không có thông tin về người phản ánh.", "Days on Vietnam's clock, the last one included. Figures about content and cases only, nothing about who reported."),
    ("stats.reports", "Phản ánh nhận được", "Reports received"),
    ("stats.answered_at_once", "trả lời ngay bằng tin đã kiểm chứng", "answered at once with a published fact-check"),
    ("stats.cases_opened", "Hồ sơ mở mới", "Cases opened"),
    ("stats.merged", "không tính hồ sơ trùng đã gộp vào hồ sơ khác", "not counting duplicates merged into another case"),
    ("stats.published", "Kết luận đã công bố", "Fact-checks published"),
    ("stats.published_overturned", "trong đó bị hủy/thay thế sau khiếu nại (tính đến cuối kỳ)", "of which overturned or replaced after an appeal (by the end of the period)"),
    ("stats.overturned_short", "trong đó bị hủy/thay thế sau khiếu nại", "of which overturned or replaced after an appeal"),
    ("stats.median", "Thời gian trung vị từ tiếp nhận đến công bố lần đầu", "Median time from intake to first publication"),
    ("stats.hours", "giờ", "hours"),
    ("stats.open", "Hồ sơ đang xử lý cuối kỳ", "Cases open at the end"),
    ("stats.overdue", "trong đó quá hạn chưa có kết luận", "of which overdue without a decision"),
    ("stats.by_channel", "Phản ánh theo kênh", "Reports by channel"),
    ("stats.by_category", "Hồ sơ mới theo loại tác hại", "New cases by harm category"),
    ("stats.by_verdict", "Công bố theo kết luận", "Publications by verdict"),
    ("stats.by_reason", "Hồ sơ kết thúc không công bố", "Cases ended without a publication"),
    ("stats.answered", "Trả lời bằng tin đã công bố", "Answered with a published fact-check"),
    ("stats.agencies", "Theo cơ quan chủ trì", "By lead agency"),
    ("stats.agency", "Cơ quan", "Agency"),
    ("stats.unassigned", "Chưa giao cơ quan chủ trì", "No lead agency yet"),
    ("stats.total", "Tổng cộng", "Total"),
    ("stats.agencies_csv", "Tải bảng theo cơ quan (CSV, mở được bằng Excel)", "Download the table by agency (CSV, opens in Excel)"),
    ("stats.when", "Thời gian", "Dates"),
    ("stats.agency_report_download", "Tải báo cáo của đơn vị", "Download your unit's report"),
    ("stats.agency_report", "báo cáo", "report"),
    ("stats.articles", "Bài viết nhận diện tin giả đăng trên cổng", "Awareness articles published on the portal"),
    ("stats.as_of", "Kỳ báo cáo chưa kết thúc: số liệu cuối kỳ tính đến ngày", "The period is not over: end-of-period figures are as of"),
    ("stats.report_download", "Tải báo cáo gửi cấp trên (Markdown)", "Download the report upward (Markdown)"),
    ("stats.report_docx", "Tải báo cáo gửi cấp trên (Word)", "Download the report upward (Word)"),
    ("stats.duties", "Nhiệm vụ theo văn bản chỉ đạo", "Duties under the directive"),
    ("stats.none", "Không có.", "None."),
    ("stats.trend_day", "Diễn biến theo ngày", "Day by day"),
    ("stats.trend_week", "Diễn biến theo tuần", "Week by week"),
    ("stats.trend_month", "Diễn biến theo tháng", "Month by month"),
    ("stats.trend_year", "Diễn biến theo năm", "Year by year"),
    ("stats.trend_label", "Biểu đồ cột: phản ánh nhận được và kết luận công bố", "Column chart: reports received and fact-checks published"),
    ("stats.trend_top", "cột cao nhất", "tallest column"),
    ("stats.trend_table", "Số liệu của biểu đồ", "The chart's figures"),
    ("stats.outreach", "Tuyên truyền, tập huấn", "Awareness talks and trainings"),
    ("stats.notices", "Thông báo mới gửi nền tảng (và các bước trong kỳ)", "New notices to platforms (and steps in the period)"),
    ("stats.events", "buổi", "events"),
    ("stats.attendees", "người tham dự", "attendees"),
    ("outreach.title", "Tuyên truyền, tập huấn", "Awareness talks and trainings"),
    ("outreach.help", "Ghi nhận các buổi nói chuyện chuyên đề, tập huấn, đợt tuyên truyền đã tổ chức theo văn bản chỉ đạo. Chỉ ghi số người tham dự, không ghi danh sách.", "Record the talks, trainings and campaigns held under the directive. Only the number of attendees, never a list of names."),
    ("outreach.record", "Ghi nhận", "Record"),
    ("outreach.kind", "Hình thức", "Kind"),
    ("outreach.audience", "Đối tượng", "Audience"),
    ("outreach.held_on", "Ngày tổ chức", "Date held"),
    ("outreach.topic", "Chủ đề", "Topic"),
    ("outreach.attendees", "Số người tham dự", "Attendees"),
    ("outreach.materials", "Tài liệu (đường dẫn, không bắt buộc)", "Materials (link, optional)"),
    ("outreach.none", "Chưa ghi nhận buổi nào.", "No event recorded yet."),
    ("outreach.recorded", "Các buổi đã ghi nhận", "Events recorded"),
    ("outreach.required", "Bắt buộc: mọi ô, trừ Tài liệu.", "Required: every field but Materials."),
    ("duty.title", "Kết quả thực hiện nhiệm vụ", "Progress on duties"),
    ("duty.help", "Các nhiệm vụ văn bản chỉ đạo giao cho đơn vị và kết quả đã báo cáo. Báo cáo về công việc của đơn vị, không ghi thông tin về cá nhân. Mục đã ghi không sửa, không xoá: nếu có sai sót, ghi mục mới và nêu số mục được sửa.", "The duties the directive gives the agency and the progress reported. Report the agency's work, never information about people. Entries are never edited or deleted: to put a mistake right, record a new entry naming the entry it corrects."),
    ("duty.show", "Xem", "Show"),
    ("duty.clause", "Điểm", "Clause"),
    ("duty.duty", "Nhiệm vụ", "Duty"),
    ("duty.latest", "Kết quả mới nhất", "Latest progress"),
    ("duty.no_progress", "Chưa có báo cáo kết quả", "No progress reported yet"),
    ("duty.history", "Các mục đã báo cáo", "Entries reported"),
    ("duty.link", "Tài liệu", "Material"),
    ("duty.corrects", "sửa mục", "corrects entry"),
    ("duty.corrected_by", "đã được sửa bằng mục", "corrected by entry"),
    ("duty.record_title", "Báo cáo kết quả", "Report progress"),
    ("duty.record", "Ghi nhận kết quả", "Record progress"),
    ("duty.read_only", "Chỉ cán bộ của đơn vị hoặc quản trị viên được báo cáo kết quả cho đơn vị này.", "Only the agency's staff or an administrator report its progress."),
    ("duty.field.agency", "Cơ quan", "Agency"),
    ("duty.field.duty", "Nhiệm vụ", "Duty"),
    ("duty.field.from", "Từ ngày", "From"),
    ("duty.field.to", "Đến ngày (không bắt buộc; bỏ trống nếu trong một ngày)", "To (optional; leave empty for one day)"),
    ("duty.field.summary", "Kết quả đã thực hiện", "What was done"),
    ("duty.field.count", "Số lượng (không bắt buộc)", "Count (optional)"),
    ("duty.field.unit", "Đơn vị tính (ví dụ: buổi, bài viết)", "Unit (e.g. talks, posts)"),
    ("duty.field.links", "Đường dẫn tài liệu công khai (mỗi dòng một đường dẫn, không bắt buộc)", "Links to public material (one a line, optional)"),
    ("duty.field.corrects", "Sửa cho mục số (chỉ khi sửa sai sót)", "Corrects entry no. (only to put a mistake right)"),
    ("duty.list", "Nhiệm vụ và kết quả gần nhất", "Duties and their latest progress"),
    ("stats.duty_progress", "Kết quả thực hiện nhiệm vụ trong kỳ", "Progress on duties in the period"),
    ("escalation.title", "Hồ sơ quá hạn cần chỉ đạo", "Overdue cases for your direction"),
    ("escalation.help", "Hồ sơ của đơn vị do đồng chí phụ trách đã quá hạn xử lý mà chưa có kết luận; hệ thống đã báo lãnh đạo đơn vị.", "Cases of the agencies you lead that are past their deadline without a decision; the system has escalated them to the agency's leads."),
    ("escalation.caption", "Hồ sơ quá hạn thuộc đơn vị đồng chí phụ trách", "Overdue cases of the agencies you lead"),
    ("escalation.escalated_at", "Đã báo lãnh đạo lúc", "Escalated at"),
    ("escalation.not_yet", "Chưa báo (lần kiểm tra tới)", "Not yet (at the next check)"),
    ("escalation.overdue_since", "Quá hạn từ", "Overdue since"),
    ("escalation.reported", "đã báo lãnh đạo đơn vị lúc", "escalated to the agency lead at"),
    ("escalation.not_reported", "sẽ báo lãnh đạo đơn vị ở lần kiểm tra tới", "to be escalated to the agency lead at the next check"),
    ("console.overdue_count", "Hồ sơ quá hạn chưa có kết luận", "Overdue cases without a decision"),
    ("console.mode_lexical", "Đối chiếu theo từ ngữ (chưa có mô hình ngữ nghĩa).", "Lexical matching (no semantic model loaded)."),
    ("console.mode_semantic", "Đối chiếu theo từ ngữ và theo ngữ nghĩa (mô hình ngữ nghĩa đã nạp).", "Lexical and semantic matching (semantic model loaded)."),
    ("console.mode_warming", "Mô hình ngữ nghĩa đang tính vector cho các nhận định đã lưu; trong lúc đó đối chiếu theo từ ngữ. Đã xong", "The semantic model is computing the stored claims' vectors; matching by words meanwhile. Done so far"),
    ("case.title", "Hồ sơ", "Case"),
    ("case.state", "Trạng thái", "State"),
    ("case.agency", "Cơ quan chủ trì", "Lead agency"),
    ("case.consulted", "Cơ quan phối hợp", "Consulted agencies"),
    ("case.deadline", "Hạn xử lý", "Deadline"),
    ("case.reports", "Phản ánh", "Reports"),
    ("case.claim", "Nội dung", "Claim"),
    ("case.assign", "Giao xử lý", "Assign"),
    ("case.assignee", "Người xử lý (không bắt buộc)", "Assignee (optional)"),
    ("case.assignee_help", "Tên đăng nhập của người xác minh thuộc cơ quan chủ trì, người sẽ ra kết luận.", "The user name of a verifier of the lead agency, who will draft the decision."),
    ("case.assigned_to", "Người xử lý", "Assignee"),
    // How the matcher found a similar fact-check, for the case page's "why" column.
    ("match.exact", "trùng nguyên văn", "exact copy"),
    ("match.near_duplicate", "gần như trùng", "near duplicate"),
    ("match.bm25", "chung từ ngữ", "shared words"),
    ("match.semantic", "gần nghĩa", "similar meaning"),
    ("case.harm_category", "Loại tác hại", "Harm category"),
    ("case.reveal_contact", "Xem liên hệ để trả lời người phản ánh", "Show the contact to reply to the reporter"),
    ("case.contact", "Liên hệ của người phản ánh", "Reporter's contact"),
    ("case.contact_logged", "lần xem này đã được ghi vào nhật ký; chỉ dùng để trả lời", "this reading is in the audit log; use it only to reply"),
    ("case.uncategorised", "Chưa phân loại", "Not categorised"),
    ("case.priority", "Mức ưu tiên", "Priority"),
    ("case.triage_help", "Loại tác hại chọn cơ quan phối hợp, mức ưu tiên định hạn xử lý (theo bộ chỉ đạo).", "The harm category picks the consulted agencies and the priority sets the deadline (from the directive pack)."),
    ("case.decide", "Kết luận", "Decision"),
    ("case.verdict", "Kết luận", "Verdict"),
    ("case.summary", "Tóm tắt", "Summary"),
    ("case.finished_on", "xong ngày", "finished"),
    ("case.finished_in_time", "đúng hạn", "on time"),
    ("case.finished_late", "quá hạn", "late"),
    ("case.reasons", "Lý do", "Reasons"),
    ("case.reasons_public", "Tóm tắt và lý do được công bố cùng kết luận (trang kiểm chứng, dữ liệu mở): nêu căn cứ về nội dung, không ghi tên, thông tin cá nhân của người đăng hay người phản ánh.", "The summary and reasons are published with the verdict (fact-check page, open data): state the grounds about the content, never names or personal details of whoever posted or reported it."),
    ("case.evidence_url", "Nguồn bằng chứng (URL)", "Evidence source (URL)"),
    ("case.evidence_note", "Ghi chú bằng chứng", "Evidence note"),
    ("case.provisions", "Căn cứ pháp lý", "Legal provisions"),
    ("case.evidence", "Bằng chứng", "Evidence"),
    ("case.image", "Ảnh", "Image"),
    ("case.sha256_help", "Mã SHA-256 xác định đúng nội dung tệp: có thể ghi vào thông báo gửi nền tảng dưới dạng sha256:MÃ để chỉ nội dung không có đường dẫn công khai.", "The SHA-256 names this exact content: a notice to a platform can cite it as sha256:HEX for content with no public address."),
    ("case.files_retention", "Ảnh của phản ánh được xoá 90 ngày sau khi nhận, trừ khi hồ sơ còn đang xử lý; muốn giữ lâu hơn, hãy giữ làm chứng cứ.", "Report images are deleted 90 days after receipt unless the case is still open; to keep one longer, keep it as evidence."),
    ("case.keep_file", "Giữ làm chứng cứ", "Keep as evidence"),
    ("case.file_kept", "Đã giữ làm chứng cứ", "Kept as evidence"),
    ("case.evidence_files", "Tệp chứng cứ", "Evidence files"),
    ("case.no_evidence_files", "Chưa có tệp chứng cứ.", "No evidence files yet."),
    ("case.add_evidence_file", "Thêm tệp chứng cứ", "Add an evidence file"),
    ("case.evidence_file", "Tệp (ảnh JPEG, PNG, WebP, GIF hoặc PDF, tối đa 5 MB; ảnh được xoá dữ liệu vị trí và thiết bị)", "File (JPEG, PNG, WebP, GIF image or PDF, up to 5 MB; images lose their location and device data)"),
    ("case.source_url", "Nguồn (đường dẫn trang đã lấy tệp)", "Source (link of the page it came from)"),
    ("case.file_note", "Ghi chú", "Note"),
    ("case.from_report", "Giữ từ phản ánh", "Kept from report"),
    ("case.open_file", "Mở tệp", "Open the file"),
    ("case.no_evidence", "Kết luận này không kèm bằng chứng.", "No evidence was recorded with this decision."),
    ("case.added_by", "Người thêm", "Added by"),
    ("case.remedy", "Biện pháp", "Remedy"),
    ("case.submit_decision", "Gửi kết luận", "Submit decision"),
    ("case.review", "Thẩm định", "Review"),
    ("case.comment", "Nhận xét", "Comment"),
    ("case.approve", "Phê duyệt", "Approve"),
    ("case.return", "Trả lại", "Return"),
    ("case.publish", "Công bố", "Publish"),
    ("case.pub_title", "Tiêu đề", "Title"),
    ("case.pub_claim", "Nội dung được kiểm chứng (sẽ công bố)", "The claim checked (to be published)"),
    ("case.pub_claim_help", "Được công bố trên trang kết luận, trong dữ liệu mở và nguồn tin. Viết lại điều được kiểm chứng, không chép tên, số điện thoại, địa chỉ hay chi tiết nào về người phản ánh.", "Published on the fact-check page, in the open data and the feed. State the claim that was checked; copy no name, phone number, address or other detail about the reporter."),
    ("case.files_other_agency", "Ảnh và tệp chứng cứ của hồ sơ này chỉ cán bộ của cơ quan chủ trì (hoặc cấp huyện) xem được.", "This case's images and evidence files are seen only by staff of its lead agency (or district-wide)."),
    ("case.reporter_words", "Lời của người phản ánh (không công bố; có thể có thông tin về họ):", "The reporter's words (not published; they may be about the reporter):"),
    ("case.restate", "Sửa nội dung được kiểm chứng đã công bố", "Restate the published claim"),
    ("case.restate_help", "Dùng khi nội dung đã công bố còn lời của người phản ánh về chính họ (tên, số điện thoại, địa chỉ): sửa ngay trên trang kết luận, dữ liệu mở và nguồn tin; nhật ký chỉ ghi việc sửa, không ghi nội dung.", "For a published claim that still holds the reporter's words about themselves (name, phone, address): the fact-check page, open data and feed change at once; the audit log records the change, not the text."),
    ("case.pub_body", "Nội dung bài đăng (để trống sẽ dùng tóm tắt và lý do)", "Article body (empty: summary and reasons)"),
    ("case.published_at", "Đã công bố tại", "Published at"),
    ("case.decisions", "Các kết luận", "Decisions"),
    ("case.decided_by", "Người kết luận", "Decided by"),
    ("case.reviewed_by", "Người thẩm định", "Reviewed by"),
    ("case.similar", "Tin tương tự đã kiểm chứng", "Similar published fact-checks"),
    (
        "case.recheck",
        "Đến hạn kiểm tra lại, nên không tự động trả lời phản ánh. Kiểm chứng lần cuối:",
        "Due for re-checking, so it answers no report on its own. Last verified:",
    ),
    (
        "case.recheck_how",
        "Nó chỉ được dùng để trả lời sau khi một người thẩm định của cơ quan (không phải người đã soạn hay duyệt kết luận) ghi nhận kiểm tra lại trên trang hồ sơ của nó:",
        "It answers reports again once a reviewer of the agency (not who drafted or approved the decision) records a re-check on its case page:",
    ),
    ("console.rechecks", "Tin đã công bố đến hạn kiểm tra lại", "Fact-checks due for re-checking"),
    ("console.rechecks_help", "Kết luận đã công bố quá thời hạn này thì phản ánh khớp với nó được chuyển cho cán bộ thay vì tự động trả lời. Người thẩm định của cơ quan xem lại và ghi nhận trên trang hồ sơ nếu kết luận vẫn đúng.", "Once past this date, reports matching a published verdict go to staff instead of being answered with it. A reviewer of the agency looks at it again and records on the case page that it still holds."),
    ("console.recheck_from", "Đến hạn từ", "Due from"),
    ("console.recheck_now", "đã đến hạn", "due now"),
    ("case.recheck_title", "Kiểm tra lại kết luận", "Re-checking the verdict"),
    ("case.verified_last", "Kiểm chứng lần cuối", "Last verified"),
    ("case.answers_until", "Tự động trả lời phản ánh khớp với tin này đến", "Answers matching reports on its own until"),
    ("case.recheck_is_due", "Đã đến hạn kiểm tra lại: phản ánh khớp với tin này được chuyển cho cán bộ thay vì tự động trả lời.", "Due for re-checking: reports matching it go to staff instead of being answered with it."),
    ("case.recheck_note", "Đã kiểm tra lại những gì", "What was checked again"),
    ("case.recheck_help", "Nguồn đã đối chiếu lại và những gì nguồn đó nói hiện nay. Chỉ ghi nhận khi kết luận vẫn đúng; việc ghi nhận tính lại thời hạn tự động trả lời.", "The sources looked at again and what they say now. Record it only if the verdict still holds; recording it starts the time it answers reports on its own again."),
    ("case.recheck_submit", "Ghi nhận: kết luận vẫn đúng", "Record: the verdict still holds"),
    ("case.no_similar", "Chưa có tin tương tự đã công bố.", "No similar fact-check has been published."),
    ("case.score", "Mức tương đồng", "Similarity"),
    ("case.why", "Vì sao", "Why"),
    ("level.confirm", "trùng khớp", "confirmed match"),
    ("level.suggest", "gợi ý", "suggestion"),
    ("level.none", "yếu", "weak"),
    ("decision.pending", "chờ thẩm định", "awaiting review"),
    ("decision.approved", "đã phê duyệt", "approved"),
    ("decision.returned", "bị trả lại", "returned"),
    ("decision.superseded", "đã thay thế", "superseded"),
    ("case.close", "Đóng hồ sơ", "Close the case"),
    ("case.close_help", "Chỉ dùng khi không cần kiểm chứng: nội dung không phải phản ánh, ngoài phạm vi, hoặc không cần xử lý. Người phản ánh sẽ thấy lý do, không thấy ghi chú.", "Only when nothing needs checking: not a report, outside the remit, or nothing to act on. Reporters see the reason, not the note."),
    ("case.close_reason", "Lý do đóng", "Reason"),
    ("case.choose_reason", "— Chọn lý do —", "— Choose a reason —"),
    ("case.close_note", "Ghi chú (bắt buộc, lưu trong nhật ký)", "Note (required, kept in the audit log)"),
    ("case.closed_reason", "Lý do đóng hồ sơ", "Why the case was closed"),
    ("case.closed_by", "Người đóng", "Closed by"),
    ("case.answered_with", "Đã trả lời bằng tin đã công bố", "Answered with the published fact-check"),
    ("case.answered_by", "Người thực hiện", "Done by"),
    ("case.note", "Ghi chú", "Note"),
    ("case.answer", "Trả lời bằng tin này", "Answer with this"),
    ("case.action", "Thao tác", "Action"),
    ("case.answer_help", "Nếu hồ sơ lặp lại một tin đã công bố, hãy trả lời bằng tin đó thay vì kiểm chứng lại: các phản ánh của hồ sơ sẽ nhận kết luận và đường dẫn của tin ấy.", "If this case repeats a published claim, answer it with that fact-check instead of verifying again: its reports get that verdict and link."),
    ("case.merge", "Gộp hồ sơ trùng", "Merge a duplicate"),
    ("case.merge_help", "Khi hồ sơ này cùng nội dung với một hồ sơ khác: các phản ánh được chuyển sang hồ sơ kia, tính ở đó và nhận kết luận của hồ sơ kia. Chỉ gộp theo nội dung, không theo người phản ánh.", "When this case is about the same claim as another: its reports move to that case, count there and get its answer. Merge by content, never by who reported."),
    ("case.merge_into", "Gộp vào hồ sơ số", "Merge into case no."),
    ("case.merge_note", "Ghi chú (vì sao cùng nội dung)", "Note (why it is the same claim)"),
    ("case.merge_submit", "Xem hồ sơ sẽ gộp vào", "Show the case to merge into"),
    ("case.merge_confirm", "Gộp hồ sơ này vào hồ sơ", "Merge this case into case"),
    ("case.merge_final", "Các phản ánh của hồ sơ này sẽ chuyển sang hồ sơ trên và nhận kết luận của hồ sơ đó; không thể hoàn tác. Hãy chắc chắn hai hồ sơ cùng một nội dung.", "This case's reports will move to the case above and get its answer; this cannot be undone. Make sure both are about the same claim."),
    ("case.merge_confirm_submit", "Xác nhận gộp", "Confirm the merge"),
    ("case.merge_cancel", "Huỷ", "Cancel"),
    ("case.merged_into", "Đã gộp vào hồ sơ", "Merged into case"),
    ("case.merged_by", "Người gộp", "Merged by"),
    ("case.merged_cases", "Hồ sơ trùng đã gộp vào đây", "Duplicates merged into this case"),
    ("case.from_case", "từ hồ sơ", "from case"),
    ("console.finished", "Hồ sơ đã kết thúc", "Finished cases"),
    ("console.finished_latest", "chỉ hiện những hồ sơ mới nhất; xem số liệu đầy đủ ở trang Thống kê", "only the newest are listed; the Statistics page counts them all"),
    ("receipt.closed", "Hồ sơ đã đóng", "The case was closed"),
    ("case.no_action", "Bạn không có thao tác nào ở bước này.", "No action for you at this step."),
    ("case.own_decision", "Bạn đã ra kết luận này nên không thể tự thẩm định.", "You decided this case, so you cannot review it."),
    ("error.title", "Có lỗi", "Something went wrong"),
    ("error.back", "Quay lại", "Go back"),
    ("error.prefix", "Lỗi: ", "Error: "),
    ("error.not_found", "Không tìm thấy trang", "Page not found"),
    ("footer.safeguards", "Hệ thống xử lý nội dung, không xử lý con người: không định danh tác giả, không lập hồ sơ cá nhân. Mọi biện pháp đều do con người quyết định, có căn cứ pháp lý, lý do công khai và quyền khiếu nại.", "This desk acts on content, never on people: no author identification, no profiles. Every action is a human decision with a legal basis, public reasons and a right of appeal."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_key_is_defined_once() {
        // `translate` takes the first row with a key, so a second row with the same key
        // is text that no page ever shows, however it is edited.
        let mut seen = std::collections::BTreeSet::new();
        for (key, _, _) in STRINGS {
            assert!(seen.insert(*key), "the string key {key:?} is defined twice");
        }
    }

    #[test]
    fn times_show_on_the_vietnam_clock() {
        assert_eq!(
            local_time("2026-11-29T14:09:30.123Z", "vi"),
            "29/11/2026 21:09 (giờ Việt Nam, UTC+7)"
        );
        assert_eq!(
            local_time("2026-11-29T20:30:00.000Z", "vi"),
            "30/11/2026 03:30 (giờ Việt Nam, UTC+7)"
        );
        // A deadline late in the UTC evening falls on the next day in Vietnam.
        assert_eq!(
            local_time("2026-11-29T20:30:00.000Z", "en"),
            "2026-11-30 03:30 (Vietnam time, UTC+7)"
        );
        assert_eq!(local_time("không phải ngày", "vi"), "không phải ngày");
    }
}
