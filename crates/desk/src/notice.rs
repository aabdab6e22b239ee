//! Notices to platforms (thông báo gỡ bỏ, đề nghị gắn nhãn): what a published decision asks
//! of a platform about a piece of content, and what came of it.
//!
//! A notice names content, never people: its object is one or more locators of the content
//! itself, and an address that only leads to an account or a profile is refused. The desk
//! prepares the notice; a person sends it and records each answer. Nothing here sends
//! anything.

use crate::model::{Actor, CaseState, Remedy, Role, Verdict};
use crate::workflow::{clean_note, clean_text, FieldError, WorkflowError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

vocabulary! {
    /// A step in a notice's life, as staff record it.
    NoticeStep {
        Sent = "sent", "Đã gửi", "Sent";
        Acknowledged = "acknowledged", "Nền tảng đã nhận", "Acknowledged by the platform";
        EffectGiven = "effect_given", "Đã thực hiện", "Effect given";
        Declined = "declined", "Nền tảng từ chối", "Declined by the platform";
        Reinstated = "reinstated", "Khôi phục sau khiếu nại/xem xét lại", "Reinstated after appeal or review";
    }
}

/// The status of a notice no step was recorded for yet.
pub const PREPARED: &str = "prepared";
pub const PREPARED_VI: &str = "Đã soạn, chưa gửi";
pub const PREPARED_EN: &str = "Prepared, not sent yet";

/// Territorial scope when staff give none: the desk acts under Vietnamese law.
pub const DEFAULT_SCOPE: &str = "Việt Nam";
pub const MAX_LOCATORS: usize = 20;
pub const MAX_PLATFORM_CHARS: usize = 100;
pub const MAX_SCOPE_CHARS: usize = 200;

/// Who may prepare a notice and record its steps: the editor who published the decision
/// and the agency's lead, never intake or the verifier alone.
pub const NOTICE_ROLES: &[Role] = &[Role::Editor, Role::Lead];

pub fn authorize(actor: &Actor, agency: Option<&str>) -> Result<(), WorkflowError> {
    if NOTICE_ROLES.iter().any(|r| actor.has_role(*r, agency)) {
        Ok(())
    } else {
        Err(WorkflowError::Forbidden {
            role: NOTICE_ROLES[0],
        })
    }
}

/// Why a notice cannot be prepared for a case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoticeError {
    #[error("a notice follows a published decision; the case is `{0}`")]
    NotPublished(CaseState),
    #[error("the decision's remedy `{0}` does not ask anything of a platform")]
    RemedyWithoutNotice(Remedy),
    #[error("an opinion is never the object of a notice")]
    Opinion,
    #[error("cannot record `{step}` after {}", .last.map_or("preparing the notice", |s| s.as_str()))]
    OutOfOrder {
        step: NoticeStep,
        last: Option<NoticeStep>,
    },
    #[error(transparent)]
    Invalid(#[from] FieldError),
}

/// Whether a case's approved decision can lead to a notice: only once published, only for
/// the remedies that ask something of a platform, and never about an opinion.
pub fn check_case(state: CaseState, verdict: Verdict, remedy: Remedy) -> Result<(), NoticeError> {
    if !matches!(state, CaseState::Published | CaseState::Actioned) {
        return Err(NoticeError::NotPublished(state));
    }
    if verdict == Verdict::Opinion {
        return Err(NoticeError::Opinion);
    }
    match remedy {
        Remedy::Notice | Remedy::LabelRequest => Ok(()),
        other => Err(NoticeError::RemedyWithoutNotice(other)),
    }
}

/// A notice as staff prepared it, after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeInput {
    pub platform: String,
    pub locators: Vec<String>,
    pub territorial_scope: String,
}

pub fn validate(
    platform: &str,
    locators: &[String],
    territorial_scope: Option<&str>,
) -> Result<NoticeInput, FieldError> {
    let platform = one_line(platform);
    if platform.is_empty() {
        return Err(FieldError::new(
            "platform",
            "Vui lòng nhập tên nền tảng nhận thông báo (ví dụ: Facebook).",
            "Name the platform the notice is for (e.g. Facebook).",
        ));
    }
    if platform.chars().count() > MAX_PLATFORM_CHARS {
        return Err(FieldError::new(
            "platform",
            format!("Tên nền tảng dài quá {MAX_PLATFORM_CHARS} ký tự."),
            format!("The platform name is longer than {MAX_PLATFORM_CHARS} characters."),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for raw in locators.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
        let url = content_locator(raw)?;
        if !out.contains(&url) {
            out.push(url);
        }
    }
    if out.is_empty() {
        return Err(FieldError::new(
            "locators",
            "Cần ít nhất một địa chỉ (URL) hoặc mã băm của nội dung.",
            "At least one URL or hash of the content is required.",
        ));
    }
    if out.len() > MAX_LOCATORS {
        return Err(FieldError::new(
            "locators",
            format!("Một thông báo nêu tối đa {MAX_LOCATORS} địa chỉ hoặc mã băm."),
            format!("A notice lists at most {MAX_LOCATORS} URLs or hashes."),
        ));
    }
    let scope = one_line(territorial_scope.unwrap_or(""));
    let scope = if scope.is_empty() {
        DEFAULT_SCOPE.to_string()
    } else {
        scope
    };
    if scope.chars().count() > MAX_SCOPE_CHARS {
        return Err(FieldError::new(
            "territorial_scope",
            format!("Phạm vi lãnh thổ dài quá {MAX_SCOPE_CHARS} ký tự."),
            format!("The territorial scope is longer than {MAX_SCOPE_CHARS} characters."),
        ));
    }
    Ok(NoticeInput {
        platform,
        locators: out,
        territorial_scope: scope,
    })
}

fn one_line(s: &str) -> String {
    clean_text(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Hash locators a notice accepts, with their length in hex digits: a file's SHA-256 or
/// MD5 (what platforms' hash-matching programmes take), and a photo's PDQ perceptual hash.
/// They serve content that has no public address, such as an image forwarded in chat
/// groups. A platform's item id is not accepted on its own: nothing tells a post's id from
/// an account's, and the post's URL carries its id anyway.
pub const HASH_LOCATORS: &[(&str, usize)] = &[("sha256", 64), ("md5", 32), ("pdq", 64)];

/// One content locator: an http(s) URL of the content itself, canonicalised so the same
/// post is one locator however it was shared, or a hash of the content (`sha256:…`,
/// `md5:…`, `pdq:…`, in lower case). An address that leads only to an account, a profile,
/// a channel or a group is refused: a notice is about content, not a person.
pub fn content_locator(raw: &str) -> Result<String, FieldError> {
    if let Some(hash) = hash_locator(raw)? {
        return Ok(hash);
    }
    let url = kc_text::canonical_url(raw).map_err(|e| {
        FieldError::new(
            "locators",
            format!(
                "`{raw}` không phải địa chỉ http(s) hợp lệ của một nội dung ({}).",
                e.reason_vi()
            ),
            format!(
                "`{raw}` is not a valid http(s) URL of content ({}).",
                e.reason_en()
            ),
        )
    })?;
    if let Some(host) = short_link(&url) {
        return Err(FieldError::new(
            "locators",
            format!(
                "`{raw}` là đường dẫn rút gọn của {host}: nó có thể dẫn tới một video hay một tài khoản. \
                 Hãy mở nó và dán địa chỉ đầy đủ của chính nội dung (…/video/…)."
            ),
            format!(
                "`{raw}` is a {host} short link: it may lead to a video or to an account. \
                 Open it and give the full URL of the content itself (…/video/…)."
            ),
        ));
    }
    if let Some(host) = profile_only(&url) {
        return Err(FieldError::new(
            "locators",
            format!(
                "`{raw}` chỉ dẫn tới một tài khoản hay trang cá nhân trên {host}, không phải một nội dung cụ thể. \
                 Thông báo chỉ nêu nội dung, không nêu con người: hãy dán địa chỉ của chính bài viết, video hay hình ảnh."
            ),
            format!(
                "`{raw}` leads only to an account or profile on {host}, not to a piece of content. \
                 A notice names content, never people: give the URL of the post, video or image itself."
            ),
        ));
    }
    Ok(url)
}

/// `kind:hex` for a known hash kind, checked and lower-cased; `None` when `raw` names no
/// hash kind (it may be a URL).
fn hash_locator(raw: &str) -> Result<Option<String>, FieldError> {
    let Some((kind, digest)) = raw.split_once(':') else {
        return Ok(None);
    };
    let kind = kind.trim().to_ascii_lowercase();
    let digest = digest.trim();
    let Some(&(kind, len)) = HASH_LOCATORS.iter().find(|(k, _)| *k == kind) else {
        // `sha1:…`, `sha512:…`: meant as a hash, so the answer names the kinds accepted
        // rather than saying it is no http(s) URL.
        let looks_like_hash = !kind.is_empty()
            && kind != "http"
            && kind != "https"
            && kind.bytes().all(|b| b.is_ascii_alphanumeric())
            && digest.len() >= 8
            && digest.bytes().all(|b| b.is_ascii_hexdigit())
            // `id:100004512345678` is an account's number, not a hash.
            && !digest.bytes().all(|b| b.is_ascii_digit());
        if looks_like_hash {
            let kinds = HASH_LOCATORS
                .iter()
                .map(|(k, _)| format!("{k}:"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(FieldError::new(
                "locators",
                format!(
                    "`{raw}`: không nhận mã băm loại `{kind}`. Chỉ nhận mã băm {kinds} hoặc địa chỉ http(s) của chính nội dung."
                ),
                format!(
                    "`{raw}`: `{kind}` hashes are not accepted. Give a {kinds} hash, or the http(s) URL of the content itself."
                ),
            ));
        }
        return Ok(None);
    };
    if digest.len() != len || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(FieldError::new(
            "locators",
            format!("`{raw}`: mã băm {kind} phải gồm đúng {len} chữ số thập lục phân (0-9, a-f)."),
            format!("`{raw}`: a {kind} hash is exactly {len} hexadecimal digits (0-9, a-f)."),
        ));
    }
    Ok(Some(format!("{kind}:{}", digest.to_ascii_lowercase())))
}

/// Hosts where an address of one path segment names an account rather than a post. The
/// `www.` prefix is already gone in canonical form; mobile prefixes are stripped below.
const SOCIAL_HOSTS: &[&str] = &[
    "facebook.com",
    "fb.com",
    "tiktok.com",
    "youtube.com",
    "x.com",
    "twitter.com",
    "instagram.com",
    "threads.net",
    "threads.com",
    "zalo.me",
    "fb.me",
    "t.me",
    "telegram.me",
    "linkedin.com",
];

/// Single segments that are content when they carry a query naming the item
/// (`facebook.com/watch?v=…`, `youtube.com/watch?v=…`, `facebook.com/permalink.php?story_fbid=…`).
const CONTENT_ENDPOINTS: &[&str] = &[
    "watch",
    "permalink.php",
    "story.php",
    "photo.php",
    "photo",
    "video.php",
];

/// First segments that introduce an account, a channel or a group, not an item.
const ACCOUNT_PREFIXES: &[&str] = &[
    "profile.php",
    "people",
    "groups",
    "pages",
    "channel",
    "c",
    "user",
    "g",
    "in",
    "company",
];

/// Second segments that are a tab of an account's page (`facebook.com/NAME/posts`,
/// `youtube.com/@kenh/videos`, `x.com/name/media`), not an item: an item has its id after.
const PROFILE_TABS: &[&str] = &[
    "posts",
    "videos",
    "photos",
    "reels",
    "shorts",
    "streams",
    "live",
    "about",
    "featured",
    "community",
    "playlists",
    "friends",
    "followers",
    "following",
    "media",
    "likes",
    "with_replies",
    "tagged",
    "status",
    "photos_by",
    "photos_albums",
    "videos_by",
    "map",
    "reviews",
];

/// The platform when a canonical URL is one of its short links (`vt.tiktok.com/ZS…`),
/// which redirect to a video or to an account alike: what it names is not known until
/// opened, so a notice cannot name it.
fn short_link(canonical: &str) -> Option<&'static str> {
    let rest = canonical.split_once("://").map_or(canonical, |(_, r)| r);
    let host = rest.split(['/', '?', ':']).next().unwrap_or(rest);
    let path = rest.get(host.len()..).unwrap_or("");
    let short = matches!(host, "vt.tiktok.com" | "vm.tiktok.com")
        || (host.trim_start_matches("m.") == "tiktok.com" && path.starts_with("/t/"));
    short.then_some("TikTok")
}

/// The platform's host when a canonical URL leads only to an account or profile there.
fn profile_only(canonical: &str) -> Option<&str> {
    let rest = canonical.split_once("://").map_or(canonical, |(_, r)| r);
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host = authority.split(':').next().unwrap_or(authority);
    let bare = ["m.", "mobile.", "web.", "mbasic.", "touch.", "vt.", "vm."]
        .iter()
        .find_map(|p| host.strip_prefix(p))
        .unwrap_or(host);
    let social = SOCIAL_HOSTS.iter().find(|h| **h == bare)?;
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let profile = match segments.as_slice() {
        // The platform's front page names nothing at all.
        [] => true,
        [first, ..] if ACCOUNT_PREFIXES.contains(first) => {
            // A post inside a group is content; the group itself is people.
            !(*first == "groups" && segments.len() >= 4)
        }
        [one] => !CONTENT_ENDPOINTS.contains(one) || query.is_empty(),
        [_, tab] if PROFILE_TABS.contains(tab) => true,
        // `tiktok.com/@name/video/ID`: a handle needs an item kind and its id after it.
        [handle, _] if handle.starts_with('@') => true,
        // `tiktok.com/@name/video/…`, `x.com/name/status/…`: the item follows the account.
        _ => false,
    };
    profile.then_some(*social)
}

/// What a person recorded: the step, the day it happened (Vietnam's calendar) and a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepInput {
    pub step: NoticeStep,
    pub on: NaiveDate,
    pub note: Option<String>,
}

/// The steps that may follow `last` (None: the notice is prepared, nothing recorded).
/// A platform may act without acknowledging first; content comes back only after it was
/// taken down or labelled; a refusal and a reinstatement end the notice's life.
pub fn allowed_after(last: Option<NoticeStep>) -> &'static [NoticeStep] {
    use NoticeStep::*;
    match last {
        None => &[Sent],
        Some(Sent) => &[Acknowledged, EffectGiven, Declined],
        Some(Acknowledged) => &[EffectGiven, Declined],
        Some(EffectGiven) => &[Reinstated],
        Some(Declined) | Some(Reinstated) => &[],
    }
}

/// The status a notice is in after its recorded steps, in the order recorded.
pub fn status(steps: &[NoticeStep]) -> Option<NoticeStep> {
    steps.last().copied()
}

/// Checks one step against what was recorded before: its order, its date (not before the
/// notice was prepared or the previous step, not after `today`), and its note, which is
/// required where the platform refused or content came back, since that is what the
/// public register has to explain.
pub fn check_step(
    last: Option<(NoticeStep, NaiveDate)>,
    prepared_on: NaiveDate,
    step: &str,
    on: &str,
    note: Option<&str>,
    today: NaiveDate,
) -> Result<StepInput, NoticeError> {
    let step = NoticeStep::parse(step.trim()).ok_or_else(|| {
        FieldError::new(
            "step",
            format!(
                "Bước không hợp lệ; chọn một trong: {}.",
                NoticeStep::ALL
                    .iter()
                    .map(|s| format!("{} ({})", s.as_str(), s.label_vi()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!("Unknown step; use one of {}.", NoticeStep::expected()),
        )
    })?;
    let on = NaiveDate::parse_from_str(on.trim(), "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            "date",
            "Vui lòng nhập ngày theo dạng YYYY-MM-DD.",
            "Give the date as YYYY-MM-DD.",
        )
    })?;
    let note = clean_note(note.unwrap_or(""))?;
    let last_step = last.map(|(s, _)| s);
    if !allowed_after(last_step).contains(&step) {
        return Err(NoticeError::OutOfOrder {
            step,
            last: last_step,
        });
    }
    let floor = last.map_or(prepared_on, |(_, d)| d.max(prepared_on));
    if on < floor {
        return Err(FieldError::new(
            "date",
            format!("Ngày không được trước {floor} (ngày soạn thông báo hoặc bước trước)."),
            format!("The date cannot be before {floor} (when the notice was prepared or the previous step)."),
        )
        .into());
    }
    if on > today {
        return Err(FieldError::new(
            "date",
            "Ngày không được sau hôm nay.",
            "The date cannot be in the future.",
        )
        .into());
    }
    if matches!(step, NoticeStep::Declined | NoticeStep::Reinstated) && note.is_none() {
        return Err(FieldError::new(
            "note",
            "Cần ghi chú lý do nền tảng từ chối hoặc nội dung được khôi phục.",
            "A note is required: why the platform declined, or why the content was reinstated.",
        )
        .into());
    }
    Ok(StepInput { step, on, note })
}

/// Whether a new notice (`platform`, `locators`, both as [`validate`] left them) repeats
/// an earlier one under the same decision: the same platform, letter case aside, asked
/// about the same set of content. An earlier notice the platform declined is no bar:
/// asking again is a fair retry. Any other is the notice to follow up, not to send twice.
pub fn repeats(
    earlier_platform: &str,
    earlier_locators: &[String],
    earlier_steps: &[NoticeStep],
    platform: &str,
    locators: &[String],
) -> bool {
    if status(earlier_steps) == Some(NoticeStep::Declined) {
        return false;
    }
    let key = |p: &str| {
        p.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let set = |l: &[String]| l.iter().cloned().collect::<std::collections::BTreeSet<_>>();
    key(earlier_platform) == key(platform) && set(earlier_locators) == set(locators)
}

/// The notice's number as printed: the year it was prepared and its id.
pub fn number(id: i64, year: i32) -> String {
    format!("TB-{year}-{id:04}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Grant;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn actor(role: Role, agency: Option<&str>) -> Actor {
        Actor {
            name: "x".into(),
            grants: vec![Grant {
                role,
                agency: agency.map(str::to_string),
            }],
        }
    }

    #[test]
    fn editors_and_leads_prepare_notices_others_do_not() {
        assert!(authorize(&actor(Role::Editor, None), Some("vhtt")).is_ok());
        assert!(authorize(&actor(Role::Lead, Some("vhtt")), Some("vhtt")).is_ok());
        assert!(authorize(&actor(Role::Lead, Some("ca")), Some("vhtt")).is_err());
        for role in [Role::Intake, Role::Verifier, Role::Reviewer, Role::Auditor] {
            assert_eq!(
                authorize(&actor(role, None), Some("vhtt")),
                Err(WorkflowError::Forbidden { role: Role::Editor })
            );
        }
    }

    #[test]
    fn only_published_notice_or_label_decisions_lead_to_a_notice() {
        use CaseState as S;
        assert!(check_case(S::Published, Verdict::False, Remedy::Notice).is_ok());
        assert!(check_case(S::Published, Verdict::Misleading, Remedy::LabelRequest).is_ok());
        assert_eq!(
            check_case(S::Published, Verdict::False, Remedy::Correction),
            Err(NoticeError::RemedyWithoutNotice(Remedy::Correction))
        );
        assert!(check_case(S::Published, Verdict::False, Remedy::Referral).is_err());
        assert!(check_case(S::Published, Verdict::False, Remedy::NoAction).is_err());
        assert_eq!(
            check_case(S::Decided, Verdict::False, Remedy::Notice),
            Err(NoticeError::NotPublished(S::Decided))
        );
        assert_eq!(
            check_case(S::Published, Verdict::Opinion, Remedy::Notice),
            Err(NoticeError::Opinion)
        );
    }

    #[test]
    fn content_urls_are_canonical_and_profiles_are_refused() {
        let ok = |u: &str| content_locator(u).expect(u);
        assert_eq!(
            ok("https://www.facebook.com/somepage/posts/123?fbclid=abc"),
            "https://facebook.com/somepage/posts/123"
        );
        ok("https://www.tiktok.com/@name/video/7300000000");
        ok("https://www.youtube.com/watch?v=abc123");
        ok("https://youtu.be/abc123");
        ok("https://x.com/name/status/42");
        ok("https://t.me/kenhtin/1234");
        ok("https://www.facebook.com/watch?v=42");
        ok("https://www.facebook.com/permalink.php?story_fbid=1&id=2");
        ok("https://www.facebook.com/groups/chotot/posts/99");
        ok("https://www.instagram.com/p/Cx1/");
        ok("https://www.instagram.com/reel/Cx2");
        ok("https://www.facebook.com/NAME/videos/123");
        ok("https://www.tiktok.com/@name/photo/7300000000");
        ok("https://www.youtube.com/shorts/abc");
        ok("https://tin-gia.example.com/");
        ok("https://baomoi.example/bai-viet-123.html");
        for profile in [
            "https://www.facebook.com/NAME",
            "https://m.facebook.com/some.name",
            "https://facebook.com/profile.php?id=1000",
            "https://www.facebook.com/groups/chotot",
            "https://www.tiktok.com/@name",
            "https://www.youtube.com/@channel",
            "https://www.youtube.com/channel/UC123",
            "https://x.com/name",
            "https://www.instagram.com/name/",
            "https://zalo.me/0900000000",
            "https://www.facebook.com/",
            "https://www.facebook.com/watch",
            "https://www.facebook.com/NAME/posts",
            "https://www.youtube.com/@kenh/videos",
            "https://x.com/name/media",
            "https://www.tiktok.com/@name/live",
            "https://t.me/nguyenvana",
            "https://fb.me/nguyenvana",
            "https://touch.facebook.com/nguyenvana",
            "https://www.linkedin.com/in/nguyenvana",
            "https://facebook.com/nguyenvana/status",
            "https://facebook.com/nguyenvana/photos_by",
        ] {
            let e = content_locator(profile).expect_err(profile);
            assert_eq!(e.field, "locators");
            assert!(e.message_en.contains("never people"), "{profile}: {e:?}");
        }
        for short in [
            "https://vt.tiktok.com/ZSabc123/",
            "https://www.tiktok.com/t/ZTabc/",
        ] {
            let e = content_locator(short).expect_err("short link");
            assert!(e.message_vi.contains("đường dẫn rút gọn"), "{short}: {e:?}");
        }
        let e = content_locator("https://vt.tiktok.com/ZSabc123/").expect_err("short link");
        assert!(!e.message_en.contains("account or profile on"), "{e:?}");
        for bad in [
            "ftp://example.com/a",
            "facebook NAME",
            "",
            "javascript:alert(1)",
        ] {
            assert!(content_locator(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn content_without_an_address_is_named_by_its_hash() {
        let sha = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
        assert_eq!(
            content_locator(&format!("SHA256: {sha}")).expect("sha256"),
            format!("sha256:{}", sha.to_ascii_lowercase())
        );
        assert_eq!(
            content_locator("md5:d41d8cd98f00b204e9800998ecf8427e").expect("md5"),
            "md5:d41d8cd98f00b204e9800998ecf8427e"
        );
        content_locator(&format!("pdq:{}", "f".repeat(64))).expect("pdq");
        for bad in [
            "sha256:abc",
            "md5:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "sha256:zz0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ] {
            let e = content_locator(bad).expect_err(bad);
            assert_eq!(e.field, "locators");
            assert!(e.message_en.contains("hexadecimal digits"), "{bad}: {e:?}");
        }
        // An account's number is no hash and no URL of content.
        let e = content_locator("id:100004512345678").expect_err("id");
        assert!(!e.message_en.contains("hashes are not accepted"), "{e:?}");
        // A hash of a kind not taken says which kinds are.
        for other in [
            "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "SHA512: cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce",
        ] {
            let e = content_locator(other).expect_err(other);
            assert_eq!(e.field, "locators");
            for kind in ["sha256:", "md5:", "pdq:"] {
                assert!(e.message_vi.contains(kind), "{other}: {e:?}");
                assert!(e.message_en.contains(kind), "{other}: {e:?}");
            }
            assert!(!e.message_en.contains("not a valid http"), "{e:?}");
        }
        // An address is still judged as an address.
        let e = content_locator("ftp://example.com/a.jpg").expect_err("ftp");
        assert!(!e.message_en.contains("hashes are not accepted"), "{e:?}");
        let v = validate(
            "Zalo",
            &[
                format!("sha256:{sha}"),
                format!("sha256:{}", sha.to_ascii_lowercase()),
            ],
            None,
        )
        .expect("valid");
        assert_eq!(
            v.locators.len(),
            1,
            "the same hash typed twice is one locator"
        );
    }

    #[test]
    fn validation_names_the_field_and_fills_the_scope() {
        let v = validate(
            "  Facebook ",
            &[
                "https://www.facebook.com/a/posts/1".into(),
                "https://facebook.com/a/posts/1/".into(),
                " ".into(),
            ],
            None,
        )
        .expect("valid");
        assert_eq!(v.platform, "Facebook");
        assert_eq!(
            v.locators,
            vec!["https://facebook.com/a/posts/1".to_string()]
        );
        assert_eq!(v.territorial_scope, "Việt Nam");
        assert_eq!(
            validate("", &["https://a.example/x".into()], None)
                .expect_err("no platform")
                .field,
            "platform"
        );
        assert_eq!(
            validate("Facebook", &[], None).expect_err("no url").field,
            "locators"
        );
        let many: Vec<String> = (0..=MAX_LOCATORS)
            .map(|i| format!("https://a.example/{i}"))
            .collect();
        assert_eq!(
            validate("Facebook", &many, None)
                .expect_err("too many")
                .field,
            "locators"
        );
    }

    fn step(
        last: Option<(NoticeStep, &str)>,
        s: &str,
        on: &str,
        note: Option<&str>,
    ) -> Result<StepInput, NoticeError> {
        check_step(
            last.map(|(s, d)| (s, day(d))),
            day("2026-11-01"),
            s,
            on,
            note,
            day("2026-11-29"),
        )
    }

    #[test]
    fn steps_follow_the_lifecycle() {
        use NoticeStep::*;
        assert_eq!(
            step(None, "sent", "2026-11-02", None).map(|s| s.step),
            Ok(Sent)
        );
        assert_eq!(
            step(None, "effect_given", "2026-11-02", None),
            Err(NoticeError::OutOfOrder {
                step: EffectGiven,
                last: None
            })
        );
        assert!(step(
            Some((Sent, "2026-11-02")),
            "effect_given",
            "2026-11-03",
            None
        )
        .is_ok());
        assert!(step(
            Some((Sent, "2026-11-02")),
            "acknowledged",
            "2026-11-03",
            None
        )
        .is_ok());
        assert!(step(
            Some((Acknowledged, "2026-11-03")),
            "declined",
            "2026-11-04",
            Some("không vi phạm chính sách")
        )
        .is_ok());
        assert_eq!(
            step(
                Some((Sent, "2026-11-02")),
                "reinstated",
                "2026-11-03",
                Some("x")
            ),
            Err(NoticeError::OutOfOrder {
                step: Reinstated,
                last: Some(Sent)
            })
        );
        assert!(step(
            Some((EffectGiven, "2026-11-05")),
            "reinstated",
            "2026-11-06",
            Some("khiếu nại được chấp nhận")
        )
        .is_ok());
        assert!(step(
            Some((Declined, "2026-11-05")),
            "effect_given",
            "2026-11-06",
            None
        )
        .is_err());
        assert!(step(Some((Reinstated, "2026-11-05")), "sent", "2026-11-06", None).is_err());
        assert!(step(Some((Sent, "2026-11-02")), "sent", "2026-11-03", None).is_err());
    }

    #[test]
    fn step_dates_and_notes_are_checked() {
        use NoticeStep::*;
        let field = |r: Result<StepInput, NoticeError>| match r {
            Err(NoticeError::Invalid(f)) => f.field,
            other => panic!("expected a field error, got {other:?}"),
        };
        assert_eq!(field(step(None, "sent", "2026-10-31", None)), "date");
        assert_eq!(field(step(None, "sent", "2026-11-30", None)), "date");
        assert_eq!(field(step(None, "sent", "29/11/2026", None)), "date");
        assert_eq!(
            field(step(
                Some((Sent, "2026-11-10")),
                "acknowledged",
                "2026-11-09",
                None
            )),
            "date"
        );
        assert!(step(
            Some((Sent, "2026-11-10")),
            "acknowledged",
            "2026-11-10",
            None
        )
        .is_ok());
        assert_eq!(
            field(step(
                Some((Sent, "2026-11-10")),
                "declined",
                "2026-11-11",
                Some("  ")
            )),
            "note"
        );
        assert_eq!(field(step(None, "removed", "2026-11-02", None)), "step");
        assert_eq!(status(&[Sent, Acknowledged]), Some(Acknowledged));
        assert_eq!(status(&[]), None);
    }

    #[test]
    fn numbers_carry_the_year_and_id() {
        assert_eq!(number(7, 2026), "TB-2026-0007");
    }

    #[test]
    fn the_same_notice_twice_is_a_repeat_unless_the_first_was_declined() {
        let urls = |l: &[&str]| l.iter().map(|u| u.to_string()).collect::<Vec<_>>();
        let first = urls(&["https://a.example/p/1", "https://a.example/p/2"]);
        let reordered = urls(&["https://a.example/p/2", "https://a.example/p/1"]);
        assert!(repeats(
            "Nền tảng Ví Dụ",
            &first,
            &[],
            "nền tảng  ví dụ",
            &reordered
        ));
        assert!(repeats(
            "Zalo",
            &first,
            &[NoticeStep::Sent, NoticeStep::EffectGiven],
            "Zalo",
            &first
        ));
        assert!(!repeats(
            "Zalo",
            &first,
            &[NoticeStep::Sent, NoticeStep::Declined],
            "Zalo",
            &first
        ));
        assert!(!repeats("Zalo", &first, &[], "TikTok", &first));
        assert!(!repeats(
            "Zalo",
            &first,
            &[],
            "Zalo",
            &urls(&["https://a.example/p/1"])
        ));
    }
}
