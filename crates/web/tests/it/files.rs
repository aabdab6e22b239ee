//! Screenshots with reports and evidence files: what the citizen sends loses its location
//! before it is stored, only staff see it, a refused file leaves nothing behind, officers
//! keep files as evidence with their provenance, and the retention purge spares open cases
//! and kept evidence.

use crate::harness::*;
use base64::Engine;
use kc_desk::Role;
use reqwest::multipart::{Form, Part};
use serde_json::json;

/// What a phone writes into a photo's EXIF: where it was taken and by what.
const GPS_SECRET: &[u8] = b"GPSLatitude 21.0285N 105.8542E Canon EOS Nguyen Van A";
/// The stand-in picture data of the test JPEG (a scan with a stuffed byte and a restart).
const SCAN: &[u8] = &[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0x78, 0x9A];

fn seg(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(
        &u16::try_from(payload.len() + 2)
            .expect("short")
            .to_be_bytes(),
    );
    s.extend_from_slice(payload);
    s
}

/// A small JPEG whose EXIF block holds [`GPS_SECRET`]: an empty little-endian IFD with the
/// text after it, as a camera's GPS strings sit.
fn jpeg_with_gps() -> Vec<u8> {
    let mut exif = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0".to_vec();
    exif.extend_from_slice(GPS_SECRET);
    let mut j = vec![0xFF, 0xD8];
    j.extend(seg(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    j.extend(seg(0xE1, &exif));
    j.extend(seg(0xDB, &[0; 65]));
    j.extend(seg(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
    j.extend(seg(0xC4, &[0; 20]));
    j.extend(seg(0xDA, &[1, 1, 0, 0, 63, 0]));
    j.extend_from_slice(SCAN);
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = u32::try_from(data.len())
        .expect("short")
        .to_be_bytes()
        .to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    c.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    c
}

/// A 1×1 grey PNG, different for each `shade` (so each is its own stored content).
pub(crate) fn png(shade: u8) -> Vec<u8> {
    let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
    p.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
    // zlib, one stored block: filter byte 0, then the pixel.
    let raw = [0u8, shade];
    let mut z = vec![0x78, 0x01, 0x01, 0x02, 0x00, 0xFD, 0xFF];
    z.extend_from_slice(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    p.extend(chunk(b"IDAT", &z));
    p.extend(chunk(b"IEND", &[]));
    p
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A file as a browser sends it: the name it has on the device, and its bytes.
type Named = (&'static str, Vec<u8>);

/// Posts the public form as a browser does, with `files` as (name on the device, bytes).
async fn post_form(s: &TestServer, text: &str, files: &[(&str, Vec<u8>)]) -> (u16, String, String) {
    let csrf = csrf_for(s, "/phan-anh").await;
    let mut form = Form::new()
        .text("csrf", csrf.clone())
        .text("text", text.to_string())
        .text("urls", "")
        .text("contact", "");
    for (name, bytes) in files {
        form = form.part(
            "files",
            Part::bytes(bytes.clone())
                .file_name(name.to_string())
                .mime_str("image/jpeg")
                .expect("mime"),
        );
    }
    let resp = s
        .client
        .post(s.url("/phan-anh"))
        .header("cookie", format!("kc_csrf={csrf}"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    let st = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (st, location, resp.text().await.expect("body"))
}

async fn get_bytes(
    s: &TestServer,
    path: &str,
    token: Option<&str>,
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut req = s.client.get(s.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.expect("get")
}

async fn only_case(s: &TestServer, token: &str) -> i64 {
    let (_, cases) = s.get("/api/v1/cases", Some(token)).await;
    let list = cases.as_array().expect("list");
    assert_eq!(list.len(), 1, "{cases}");
    list[0]["id"].as_i64().expect("id")
}

#[tokio::test]
async fn a_citizens_photo_loses_its_location_and_only_staff_see_it() {
    for kind in backends() {
        let s = start(kind).await;
        let staff = s.user("verifier1", &[(Role::Verifier, None)]).await;
        let photo = jpeg_with_gps();
        assert!(contains(&photo, GPS_SECRET));
        let (st, location, body) = post_form(&s, RUMOUR, &[("IMG_1.jpg", photo)]).await;
        assert_eq!(st, 303, "[{kind}] {body}");
        assert!(location.starts_with("/phan-anh/KC-"), "{location}");
        let (st, receipt_page) = s.get_text(&location).await;
        assert_eq!(st, 200);
        assert!(
            receipt_page.contains(r#"data-testid="files">1<"#),
            "[{kind}] the receipt says one image came: {receipt_page}"
        );
        // The receipt code is not secret enough for images: no picture, no address of one.
        assert!(!receipt_page.contains("/quan-tri/tep/") && !receipt_page.contains("<img"));

        let id = only_case(&s, &staff).await;
        let (st, files) = s
            .get(&format!("/api/v1/cases/{id}/files"), Some(&staff))
            .await;
        assert_eq!(st, 200, "{files}");
        assert_eq!(
            files["reports"].as_array().map(Vec::len),
            Some(1),
            "{files}"
        );
        assert_eq!(files["reports"][0]["position"], 1);
        assert_eq!(files["reports"][0]["media_type"], "jpeg");
        let sha = files["reports"][0]["sha256"]
            .as_str()
            .expect("sha")
            .to_string();

        let resp = get_bytes(&s, &format!("/api/v1/files/{sha}"), Some(&staff), None).await;
        assert_eq!(resp.status().as_u16(), 200);
        let h = resp.headers().clone();
        let header = |n: &str| {
            h.get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        assert_eq!(header("content-type"), "image/jpeg");
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(
            header("content-security-policy"),
            "default-src 'none'; img-src 'self'; sandbox"
        );
        assert_eq!(header("cache-control"), "private, no-store");
        assert_eq!(header("content-disposition"), "inline");
        let stored = resp.bytes().await.expect("bytes");
        assert!(
            !contains(&stored, GPS_SECRET),
            "[{kind}] the location was kept"
        );
        assert!(
            !contains(&stored, b"Exif"),
            "[{kind}] the EXIF block was kept"
        );
        assert!(contains(&stored, SCAN), "[{kind}] the picture was lost");
        assert!(stored.starts_with(&[0xFF, 0xD8]) && stored.ends_with(&[0xFF, 0xD9]));

        // Anonymous: the API says 401, the console sends to the sign-in page.
        let resp = get_bytes(&s, &format!("/api/v1/files/{sha}"), None, None).await;
        assert_eq!(resp.status().as_u16(), 401);
        let resp = get_bytes(&s, &format!("/quan-tri/tep/{sha}"), None, None).await;
        assert_eq!(resp.status().as_u16(), 303);
        assert_eq!(
            resp.headers().get("location").and_then(|v| v.to_str().ok()),
            Some(format!("/quan-tri/dang-nhap?tiep=%2Fquan-tri%2Ftep%2F{sha}").as_str()),
            "[{kind}] to sign in, then back to the file"
        );
        for bad in ["khong-phai-ma".to_string(), "0".repeat(64)] {
            let resp = get_bytes(&s, &format!("/api/v1/files/{bad}"), Some(&staff), None).await;
            assert_eq!(resp.status().as_u16(), 404, "[{kind}] {bad}");
        }

        // The console: the case page shows the thumbnail, its hash and how to use it.
        let (jar, _) = login(&s, "verifier1").await;
        let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{id}")).await;
        assert!(
            page.contains(&format!(r#"<img src="/quan-tri/tep/{sha}""#)),
            "{page}"
        );
        assert!(page.contains(&sha) && page.contains("sha256:"), "[{kind}]");
        assert!(
            !page.contains("IMG_1.jpg"),
            "[{kind}] the device's file name was kept"
        );
        let resp = get_bytes(&s, &format!("/quan-tri/tep/{sha}"), None, Some(&jar)).await;
        assert_eq!(resp.status().as_u16(), 200);
        assert_eq!(resp.bytes().await.expect("bytes"), stored);

        // The public never sees a file.
        for path in [
            "/",
            "/kiem-chung",
            "/du-lieu",
            "/feed.xml",
            "/du-lieu/kiem-chung.json",
        ] {
            let (_, text) = s.get_text(path).await;
            assert!(!text.contains(&sha), "[{kind}] {path}");
        }
    }
}

#[tokio::test]
async fn the_api_takes_images_in_base64_and_says_how_many() {
    for kind in backends() {
        let s = start(kind).await;
        let staff = s.user("lead1", &[(Role::Lead, None)]).await;
        let (st, body) = s
            .post(
                "/api/v1/reports",
                None,
                json!({ "text": RUMOUR, "files": [
                    { "content_base64": b64(&png(10)) },
                    { "content_base64": b64(&jpeg_with_gps()) },
                ] }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        assert_eq!(body["files"], 2, "{body}");
        // Without files the answer says none, as before otherwise.
        let (st, body) = s
            .report("Một tin đồn khác hẳn về lũ lụt ở xã bên cạnh tuần này")
            .await;
        assert_eq!((st, &body["files"]), (201, &json!(0)), "{body}");
        let (_, cases) = s.get("/api/v1/cases", Some(&staff)).await;
        let first = cases
            .as_array()
            .and_then(|l| l.iter().find(|c| c["claim"].as_str() == Some(RUMOUR)))
            .and_then(|c| c["id"].as_i64())
            .expect("case");
        let (_, files) = s
            .get(&format!("/api/v1/cases/{first}/files"), Some(&staff))
            .await;
        let kinds: Vec<&str> = files["reports"]
            .as_array()
            .expect("files")
            .iter()
            .filter_map(|f| f["media_type"].as_str())
            .collect();
        assert_eq!(kinds, ["png", "jpeg"], "[{kind}] in the order sent");
        let sha = files["reports"][1]["sha256"].as_str().expect("sha");
        let resp = get_bytes(&s, &format!("/api/v1/files/{sha}"), Some(&staff), None).await;
        assert!(!contains(&resp.bytes().await.expect("bytes"), GPS_SECRET));
        // The document describes the new field.
        let (_, doc) = s.get("/api/openapi.json", None).await;
        assert!(doc["components"]["schemas"]["ReportIn"]["properties"]["files"].is_object());
        assert!(doc["paths"]["/api/v1/files/{sha256}"].is_object());
    }
}

#[tokio::test]
async fn a_refused_file_is_named_and_nothing_is_stored() {
    for kind in backends() {
        let s = start(kind).await;
        let lead = s.user("lead1", &[(Role::Lead, None)]).await;
        let text_file = b"day khong phai anh, chi la chu".to_vec();
        let huge = {
            let mut j = jpeg_with_gps();
            j.resize(5 * 1024 * 1024 + 10, 0);
            j
        };
        let attempts: [(&[Named], &str); 3] = [
            (
                &[("anh-that.png", png(1)), ("IMG_1.jpg", text_file.clone())],
                "Ảnh 2 (IMG_1.jpg):",
            ),
            (
                &[
                    ("a.png", png(1)),
                    ("b.png", png(2)),
                    ("c.png", png(3)),
                    ("d.png", png(4)),
                ],
                "tối đa 3 ảnh",
            ),
            (&[("to-qua.jpg", huge.clone())], "Ảnh 1 (to-qua.jpg):"),
        ];
        for (files, says) in attempts {
            let (st, _, page) = post_form(&s, RUMOUR, files).await;
            assert_eq!(st, 422, "[{kind}] {says}: {page}");
            assert!(page.contains(says), "[{kind}] {says}: {page}");
            // What the citizen typed is still there to send again.
            assert!(page.contains("Điện lực thông báo hoàn tiền"), "[{kind}]");
        }
        let cases = [
            (
                json!([{ "content_base64": b64(&png(1)) }, { "content_base64": b64(&text_file) }]),
                "files[1]",
            ),
            (
                json!([{ "content_base64": "%%% không phải base64" }]),
                "files[0].content_base64",
            ),
            (json!([{ "content_base64": b64(&huge) }]), "files[0]"),
            (
                json!((1..=4)
                    .map(|i| json!({ "content_base64": b64(&png(i)) }))
                    .collect::<Vec<_>>()),
                "files",
            ),
        ];
        for (files, field) in cases {
            let (st, body) = s
                .post(
                    "/api/v1/reports",
                    None,
                    json!({ "text": RUMOUR, "files": files }),
                )
                .await;
            assert_eq!(
                (st, body["error"]["field"].as_str()),
                (422, Some(field)),
                "[{kind}] {body}"
            );
        }
        let (_, list) = s.get("/api/v1/cases", Some(&lead)).await;
        assert_eq!(
            list.as_array().map(Vec::len),
            Some(0),
            "[{kind}] a refused report was kept"
        );
        assert!(
            s.store.file_hashes().await.expect("hashes").is_empty(),
            "[{kind}]"
        );
        // An old-style form post, with no images at all, still works.
        let csrf = csrf_for(&s, "/phan-anh").await;
        let resp = s
            .client
            .post(s.url("/phan-anh"))
            .header("cookie", format!("kc_csrf={csrf}"))
            .form(&[("csrf", csrf.as_str()), ("text", RUMOUR)])
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status().as_u16(), 303, "[{kind}]");
    }
}

#[tokio::test]
async fn officers_keep_a_screenshot_and_add_evidence_with_its_provenance() {
    for kind in backends() {
        let s = start(kind).await;
        let agency = default_agency();
        let verifier = s
            .user("verifier1", &[(Role::Verifier, Some(agency.as_str()))])
            .await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        let editor = s.user("editor1", &[(Role::Editor, None)]).await;
        let (st, _, _) = post_form(&s, RUMOUR, &[("IMG_9.png", png(7))]).await;
        assert_eq!(st, 303);
        let id = only_case(&s, &intake).await;
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{id}/assign"),
                Some(&intake),
                json!({ "agency": agency }),
            )
            .await;
        assert_eq!(st, 200, "{body}");
        let (_, files) = s
            .get(&format!("/api/v1/cases/{id}/files"), Some(&verifier))
            .await;
        let sha = files["reports"][0]["sha256"]
            .as_str()
            .expect("sha")
            .to_string();
        let report_id = files["reports"][0]["report_id"].as_i64().expect("report");

        // Keep the citizen's screenshot, from the console.
        let (jar, csrf) = login(&s, "verifier1").await;
        let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{id}")).await;
        assert!(page.contains(r#"data-testid="keep-file""#), "[{kind}]");
        let (st, body) = console_post(
            &s,
            &jar,
            &format!("/quan-tri/ho-so/{id}/giu-tep"),
            &[
                ("csrf", &csrf),
                ("report_id", &report_id.to_string()),
                ("sha256", &sha),
            ],
        )
        .await;
        assert_eq!(st, 303, "[{kind}] {body}");

        // Upload a PDF the officer obtained, with where it came from.
        let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
        let form = Form::new()
            .text("csrf", csrf.clone())
            .text("source_url", "https://evn.com.vn/thong-bao-chinh-thuc")
            .text("note", "Văn bản bác bỏ của Điện lực")
            .part("file", Part::bytes(pdf.clone()).file_name("cong-van.pdf"));
        let resp = s
            .client
            .post(s.url(&format!("/quan-tri/ho-so/{id}/tep-chung-cu")))
            .header("cookie", &jar)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        assert_eq!(
            resp.status().as_u16(),
            303,
            "[{kind}] {}",
            resp.text().await.unwrap_or_default()
        );

        let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{id}")).await;
        assert!(page.contains(r#"data-testid="file-kept""#), "[{kind}]");
        assert!(
            page.contains(r#"data-testid="evidence-from-report">KC-"#),
            "[{kind}]"
        );
        assert!(
            // (minijinja escapes `/` in attributes and text alike)
            page.contains(r#"data-testid="evidence-source">https:&#x2f;&#x2f;evn.com.vn&#x2f;thong-bao-chinh-thuc<"#),
            "[{kind}]"
        );
        assert!(page.contains("Văn bản bác bỏ của Điện lực"), "[{kind}]");
        assert_eq!(page.matches(r#"data-testid="evidence-added">"#).count(), 2);
        assert!(page.contains("verifier1"));

        let (_, files) = s
            .get(&format!("/api/v1/cases/{id}/files"), Some(&verifier))
            .await;
        let evidence = files["evidence"].as_array().expect("evidence");
        assert_eq!(evidence.len(), 2, "[{kind}] {files}");
        assert_eq!(evidence[0]["from_report_id"], report_id);
        assert_eq!(evidence[1]["media_type"], "pdf");
        assert_eq!(evidence[1]["added_by"], "verifier1");
        let pdf_sha = evidence[1]["sha256"].as_str().expect("sha");
        let resp = get_bytes(
            &s,
            &format!("/api/v1/files/{pdf_sha}"),
            Some(&verifier),
            None,
        )
        .await;
        assert_eq!(
            resp.headers()
                .get("content-disposition")
                .and_then(|v| v.to_str().ok()),
            Some(format!("attachment; filename=\"{}.pdf\"", &pdf_sha[..12]).as_str())
        );
        assert_eq!(
            resp.bytes().await.expect("bytes").as_ref(),
            pdf.as_slice(),
            "a PDF is kept as is"
        );

        // Over the API: a new image; the same again is refused; others may not add.
        let path = format!("/api/v1/cases/{id}/evidence-files");
        let new = json!({ "content_base64": b64(&jpeg_with_gps()), "source_url": "https://facebook.com/bai-dang/123" });
        let (st, body) = s.post(&path, Some(&verifier), new.clone()).await;
        assert_eq!(st, 201, "[{kind}] {body}");
        let (st, body) = s.post(&path, Some(&verifier), new.clone()).await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (409, Some("already_evidence")),
            "{body}"
        );
        for token in [&editor, &intake] {
            let (st, body) = s.post(&path, Some(token), new.clone()).await;
            assert_eq!(st, 403, "[{kind}] {body}");
        }
        let (st, _) = s.post(&path, None, new).await;
        assert_eq!(st, 401);
        // The audit log names the evidence files by id, never by hash (the log outlives
        // the files, and auditors read it).
        let events = s
            .store
            .audit_events_for("case", &id.to_string())
            .await
            .expect("events");
        assert_eq!(
            events
                .iter()
                .filter(|e| e.action == "evidence.file_add")
                .count(),
            3
        );
        let pdf_sha = pdf_sha.to_string();
        for e in events.iter().filter(|e| e.action == "evidence.file_add") {
            assert!(
                !e.data.contains(&sha) && !e.data.contains(&pdf_sha),
                "[{kind}] {}",
                e.data
            );
            let data: serde_json::Value = serde_json::from_str(&e.data).expect("json");
            assert!(data["evidence_file"].is_i64(), "[{kind}] {data}");
        }
    }
}

/// A refused evidence file is named at the file control, and the source and note the
/// officer typed are given back rather than lost with the page.
#[tokio::test]
async fn a_refused_evidence_file_keeps_its_source_and_note() {
    for kind in backends() {
        let s = start(kind).await;
        let agency = default_agency();
        s.user("verifier1", &[(Role::Verifier, Some(agency.as_str()))])
            .await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        let id = s.assigned_case(&intake, RUMOUR, &agency).await;
        let (jar, csrf) = login(&s, "verifier1").await;
        let send = |source: &'static str, bytes: Vec<u8>| {
            let form = Form::new()
                .text("csrf", csrf.clone())
                .text("source_url", source)
                .text("note", "Bản lưu trang lừa đảo")
                .part("file", Part::bytes(bytes).file_name("trang.txt"));
            s.client
                .post(s.url(&format!("/quan-tri/ho-so/{id}/tep-chung-cu")))
                .header("cookie", &jar)
                .multipart(form)
                .send()
        };
        let resp = send("https://evn.com.vn/ban-luu", b"not an image".to_vec())
            .await
            .expect("upload");
        assert_eq!(resp.status().as_u16(), 422, "[{kind}]");
        let page = resp.text().await.expect("body");
        assert!(
            page.contains(r#"id="evidence-source" name="source_url" value="https:&#x2f;&#x2f;evn.com.vn&#x2f;ban-luu""#),
            "[{kind}] the source is given back"
        );
        assert!(
            page.contains(">Bản lưu trang lừa đảo</textarea>"),
            "[{kind}] the note is given back"
        );
        assert!(
            page.contains(r#"<p class="field-error" id="evidence-file-error">"#)
                && page.contains(r##"href="#evidence-file""##),
            "[{kind}] the error is at the file control"
        );
        // A source that is not a web address is named at its own control.
        let resp = send("javascript:alert(1)", png(3)).await.expect("upload");
        assert_eq!(resp.status().as_u16(), 422, "[{kind}]");
        let page = resp.text().await.expect("body");
        assert!(
            page.contains(r#"id="evidence-source-error""#)
                && page.contains(r#"aria-describedby="evidence-source-error" aria-invalid="true""#),
            "[{kind}] the error is at the source control"
        );
        assert!(
            page.contains(">Bản lưu trang lừa đảo</textarea>"),
            "[{kind}]"
        );
    }
}

#[tokio::test]
async fn the_purge_removes_a_finished_cases_images_but_not_an_open_cases_nor_kept_ones() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        let lead = s.user("lead1", &[(Role::Lead, None)]).await;
        let texts = [
            "Quảng cáo bán thuốc giảm cân thần kỳ, uống một tuần giảm mười cân, liên hệ ngay",
            "Tin đồn cầu Đăk Pxi bị sập sau mưa lớn, mọi người tránh đi qua đường này",
            "Lừa đảo trúng thưởng xe máy từ nhà mạng, nhắn tin mã số để nhận giải ngay hôm nay",
        ];
        let mut shas = Vec::new();
        let mut ids = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let (st, body) = s
                .post(
                    "/api/v1/reports",
                    None,
                    json!({ "text": text, "files": [{ "content_base64": b64(&png(100 + i as u8)) }] }),
                )
                .await;
            assert_eq!(st, 201, "{body}");
        }
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        for text in texts {
            let id = cases
                .as_array()
                .and_then(|l| l.iter().find(|c| c["claim"].as_str() == Some(text)))
                .and_then(|c| c["id"].as_i64())
                .expect("case");
            let (_, files) = s
                .get(&format!("/api/v1/cases/{id}/files"), Some(&intake))
                .await;
            shas.push(
                files["reports"][0]["sha256"]
                    .as_str()
                    .expect("sha")
                    .to_string(),
            );
            ids.push(id);
        }
        let (closed, kept) = (ids[0], ids[2]);
        // The third is kept as evidence by the lead before its case is closed too.
        let (_, files) = s
            .get(&format!("/api/v1/cases/{kept}/files"), Some(&lead))
            .await;
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{kept}/evidence-files"),
                Some(&lead),
                json!({ "from_report_id": files["reports"][0]["report_id"], "sha256": shas[2], "note": "Giữ để gửi nền tảng" }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        for id in [closed, kept] {
            let (st, body) = s
                .post(
                    &format!("/api/v1/cases/{id}/close"),
                    Some(&intake),
                    json!({ "reason": "spam", "note": "Quảng cáo, lừa đảo" }),
                )
                .await;
            assert_eq!(st, 200, "{body}");
        }

        // Within the retention period nothing goes, closed or not.
        let purged = s.state.desk.purge_files().await.expect("purge");
        assert_eq!((purged.report_files, purged.files), (0, 0), "[{kind}]");
        let later =
            chrono::Utc::now() + chrono::Duration::days(kc_web::desk::CONTACT_RETENTION_DAYS + 1);
        let purged = s.state.desk.purge_files_at(later).await.expect("purge");
        assert_eq!((purged.report_files, purged.files), (2, 1), "[{kind}]");
        let status = |sha: String| {
            let s = &s;
            let lead = lead.clone();
            async move {
                get_bytes(s, &format!("/api/v1/files/{sha}"), Some(&lead), None)
                    .await
                    .status()
                    .as_u16()
            }
        };
        assert_eq!(
            status(shas[0].clone()).await,
            404,
            "[{kind}] the finished case's image stayed"
        );
        assert_eq!(
            status(shas[1].clone()).await,
            200,
            "[{kind}] the open case's image went"
        );
        assert_eq!(
            status(shas[2].clone()).await,
            200,
            "[{kind}] the kept image went"
        );
        let (_, files) = s
            .get(&format!("/api/v1/cases/{kept}/files"), Some(&lead))
            .await;
        assert_eq!(
            files["reports"].as_array().map(Vec::len),
            Some(0),
            "{files}"
        );
        assert_eq!(
            files["evidence"].as_array().map(Vec::len),
            Some(1),
            "{files}"
        );
        let events = s
            .store
            .audit_events_for("files", "*")
            .await
            .expect("events");
        assert_eq!(events.len(), 2, "[{kind}] one event per purge");
        s.store.audit_verify().await.expect("chain");
    }
}

#[tokio::test]
async fn only_the_routes_that_take_files_accept_large_bodies() {
    let s = start("sqlite").await;
    let lead = s.user("lead1", &[(Role::Lead, None)]).await;
    let (st, _) = s.report(RUMOUR).await;
    assert_eq!(st, 201);
    let id = only_case(&s, &lead).await;
    // 100 KB is more than any route without files takes, far less than a screenshot.
    let padding = "x".repeat(100 * 1024);
    for path in [
        format!("/api/v1/cases/{id}/assign"),
        format!("/api/v1/cases/{id}/close"),
        "/api/v1/outreach".to_string(),
    ] {
        let (st, body) = s.post(&path, Some(&lead), json!({ "note": padding })).await;
        assert_eq!(st, 413, "{path}: {body}");
    }
    let (st, body) = s
        .post(
            &format!("/api/v1/cases/{id}/evidence-files"),
            Some(&lead),
            json!({ "content_base64": b64(&png(1)), "note": padding }),
        )
        .await;
    // Read, not refused for its size: only the note's own limit answers.
    assert_eq!(
        (st, body["error"]["field"].as_str()),
        (422, Some("note")),
        "an evidence file has room: {body}"
    );
    let (st, _) = s
        .post(
            &format!("/api/v1/cases/{id}/evidence-files"),
            Some(&lead),
            json!({ "content_base64": "A".repeat(kc_web::files::EVIDENCE_BODY_BYTES) }),
        )
        .await;
    assert_eq!(st, 413, "but no more than one file's");
}

/// Large public posts are counted and let in a few at a time before their bytes are read;
/// text-only reports are not held up by them.
#[tokio::test]
async fn a_client_sends_a_few_large_posts_a_minute() {
    let s = start("sqlite").await;
    // A photo of about 100 KB, most of it a text chunk the desk drops.
    let mut big = png(40);
    let iend = big.len() - 12;
    big.splice(iend..iend, chunk(b"tEXt", &vec![b'a'; 100_000]));
    let mut taken = 0;
    let mut refused = None;
    for i in 0..8 {
        let (st, body) = s
            .post(
                "/api/v1/reports",
                None,
                json!({ "text": format!("{} {}", unrelated_rumour(i), RUMOUR), "files": [{ "content_base64": b64(&big) }] }),
            )
            .await;
        match st {
            201 => taken += 1,
            _ => {
                refused = Some((st, body));
                break;
            }
        }
    }
    assert_eq!(taken, 6, "six large posts a minute from one client");
    let (st, body) = refused.expect("the seventh is refused");
    assert_eq!(st, 429, "{body}");
    let (st, body) = s
        .report("Tin đồn ngắn, không có ảnh, về giá xăng tuần sau")
        .await;
    assert_eq!(st, 201, "a text report is not held up: {body}");
}

/// A screenshot can show people: a case's files are seen by staff whose grants reach its
/// agency (or district-wide), not by every account of every agency.
#[tokio::test]
async fn files_are_seen_by_the_cases_agency_and_district_staff_only() {
    for kind in backends() {
        let s = start(kind).await;
        let lead = s.user("lead1", &[(Role::Lead, None)]).await;
        let police = s.user("ca1", &[(Role::Verifier, Some("ca"))]).await;
        let editor = s.user("bt1", &[(Role::Editor, Some("vhtt"))]).await;
        let (st, body) = s
            .post(
                "/api/v1/reports",
                None,
                json!({ "text": RUMOUR, "files": [{ "content_base64": b64(&png(90)) }] }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        let id = only_case(&s, &lead).await;
        let files_path = format!("/api/v1/cases/{id}/files");
        let (_, files) = s.get(&files_path, Some(&lead)).await;
        let sha = files["reports"][0]["sha256"]
            .as_str()
            .expect("sha")
            .to_string();
        let file_path = format!("/api/v1/files/{sha}");
        // Not assigned yet: district-wide staff only.
        let resp = get_bytes(&s, &file_path, Some(&editor), None).await;
        assert_eq!(resp.status().as_u16(), 404, "[{kind}]");
        let (st, _) = s
            .post(
                &format!("/api/v1/cases/{id}/assign"),
                Some(&lead),
                json!({ "agency": "vhtt" }),
            )
            .await;
        assert_eq!(st, 200);
        let resp = get_bytes(&s, &file_path, Some(&editor), None).await;
        assert_eq!(
            resp.status().as_u16(),
            200,
            "[{kind}] the lead agency's editor"
        );
        let resp = get_bytes(&s, &file_path, Some(&police), None).await;
        assert_eq!(
            resp.status().as_u16(),
            404,
            "[{kind}] another agency's verifier"
        );
        let (st, _) = s.get(&files_path, Some(&police)).await;
        assert_eq!(st, 403, "[{kind}]");
        let (jar, _) = login(&s, "ca1").await;
        let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{id}")).await;
        assert!(
            page.contains("data-testid=\"files-other-agency\""),
            "[{kind}]"
        );
        assert!(!page.contains(&sha), "[{kind}] not even its hash");
    }
}
