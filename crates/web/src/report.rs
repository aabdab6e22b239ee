//! The periodic report upward, as Markdown or as a Word file: the same figures as the
//! console's statistics page, written as an office sends them to the directive's issuer.
//! `kiemchung report` prints or writes it; the statistics page offers both for download.

use crate::document::{self, Align, Block, Row, Span};
use chrono::{Datelike, NaiveDate};
use kc_desk::duty::ProgressEntry;
use kc_desk::pack::{Duty, Pack};
use kc_desk::stats::{AgencyFigures, Count, Stats, TrendUnit};
use kc_desk::{Channel, CloseReason, HarmCategory, Verdict};
use std::fmt::Write as _;

/// The report in Vietnamese, as an office sends it upward to the directive's issuer: the
/// national heading, the addressee, the period and the directive it answers, then the
/// figures. Dates are written dd/mm/yyyy; `today` is the day it is drawn up.
pub fn markdown(
    s: &Stats,
    pack: &Pack,
    first: NaiveDate,
    last: NaiveDate,
    today: NaiveDate,
) -> String {
    document::markdown(&blocks(s, pack, (first, last), today))
}

/// The same report as a Word file, to sign and forward.
pub fn docx(
    s: &Stats,
    pack: &Pack,
    first: NaiveDate,
    last: NaiveDate,
    today: NaiveDate,
) -> Vec<u8> {
    document::docx(&blocks(s, pack, (first, last), today))
}

fn blocks(
    s: &Stats,
    pack: &Pack,
    (first, last): (NaiveDate, NaiveDate),
    today: NaiveDate,
) -> Vec<Block> {
    let mut out = heading(pack, None, (first, last), today);
    out.push(h2("1. Số liệu chung"));
    let mut general = vec![
        ("Phản ánh nhận được".to_string(), s.reports.to_string()),
        (
            "— trong đó được trả lời ngay bằng tin đã kiểm chứng".to_string(),
            s.answered_at_once.to_string(),
        ),
        ("Hồ sơ mở mới".to_string(), s.cases_opened.to_string()),
    ];
    if s.cases_merged > 0 {
        general.push((
            "Hồ sơ trùng đã gộp vào hồ sơ khác (không tính ở trên)".to_string(),
            s.cases_merged.to_string(),
        ));
    }
    let median = s
        .median_hours_to_publication
        // Vietnamese writes a decimal comma.
        .map_or_else(
            || "—".to_string(),
            |h| format!("{h:.1} giờ").replace('.', ","),
        );
    general.extend([
        ("Kết luận đã công bố".to_string(), s.published.to_string()),
        (
            "— trong đó bị hủy/thay thế sau khiếu nại (tính đến cuối kỳ)".to_string(),
            s.published_overturned.to_string(),
        ),
        (
            "Thời gian trung vị từ tiếp nhận đến công bố lần đầu".to_string(),
            median,
        ),
        (
            "Hồ sơ đang xử lý cuối kỳ".to_string(),
            s.open_at_end.to_string(),
        ),
        (
            "— trong đó quá hạn chưa có kết luận".to_string(),
            s.overdue_at_end.to_string(),
        ),
    ]);
    out.push(two_columns(general));
    section(
        &mut out,
        "2. Phản ánh theo kênh",
        &s.reports_by_channel,
        |c| Channel::parse(c).map_or(c.to_string(), |v| v.label_vi().to_string()),
    );
    section(
        &mut out,
        "3. Hồ sơ mới theo loại tác hại",
        &s.cases_by_category,
        |c| {
            HarmCategory::parse(c).map_or_else(
                || "Chưa phân loại".to_string(),
                |v| v.label_vi().to_string(),
            )
        },
    );
    section(
        &mut out,
        "4. Kết luận đã công bố",
        &s.published_by_verdict,
        |c| Verdict::parse(c).map_or(c.to_string(), |v| pack.verdict_label(v, false).to_string()),
    );
    section(
        &mut out,
        "5. Hồ sơ kết thúc không công bố",
        &s.closed_by_reason,
        |c| {
            CloseReason::parse(c).map_or_else(
                || "Trả lời bằng tin đã công bố".to_string(),
                |v| v.label_vi().to_string(),
            )
        },
    );
    section(
        &mut out,
        &format!(
            "6. Tuyên truyền, tập huấn: {} buổi, {} lượt người tham dự",
            s.outreach_events, s.outreach_attendees
        ),
        &s.outreach_by_kind,
        |c| {
            kc_desk::outreach::OutreachKind::parse(c)
                .map_or(c.to_string(), |v| v.label_vi().to_string())
        },
    );
    out.push(body(format!(
        "Bài viết tuyên truyền, hướng dẫn nhận diện tin giả đăng trên cổng thông tin trong kỳ: {} bài.",
        s.articles_published
    )));
    section(
        &mut out,
        &format!(
            "7. Thông báo gửi nền tảng: {} thông báo soạn mới trong kỳ; các bước ghi nhận trong kỳ",
            s.notices_prepared
        ),
        &s.notice_steps,
        |c| {
            kc_desk::notice::NoticeStep::parse(c)
                .map_or(c.to_string(), |v| v.label_vi().to_string())
        },
    );
    out.push(h2("8. Theo cơ quan"));
    let row = |name: &str, a: &AgencyFigures, bold: bool| Row {
        cells: std::iter::once(name.to_string())
            .chain(a.columns().iter().map(u64::to_string))
            .collect(),
        bold,
    };
    let mut rows: Vec<Row> = s
        .agencies
        .iter()
        .map(|a| {
            let name = pack
                .agency(&a.code)
                .map_or(a.code.clone(), |x| full_name(&x.name_vi));
            row(&name, a, false)
        })
        .collect();
    // Cases nobody has routed belong to no agency; without their row the column totals
    // would fall short of the figures in section 1.
    let u = &s.unassigned;
    if u.opened + u.open + u.overdue > 0 {
        rows.push(row("Chưa giao cơ quan chủ trì", u, false));
    }
    rows.push(row("Tổng cộng", &totals(s), true));
    out.push(Block::Table {
        header: AGENCY_COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows,
    });
    let unit = match s.trend_unit {
        TrendUnit::Day => "ngày",
        TrendUnit::Week => "tuần",
        TrendUnit::Month => "tháng",
        TrendUnit::Year => "năm",
    };
    out.push(h2(&format!("9. Diễn biến theo {unit}")));
    out.push(Block::Table {
        header: ["Thời gian", "Phản ánh", "Hồ sơ mới", "Kết luận công bố"]
            .map(String::from)
            .to_vec(),
        rows: s
            .trend
            .iter()
            .map(|b| {
                let when = if b.first == b.last {
                    vn_date(b.first)
                } else {
                    format!("{} – {}", vn_date(b.first), vn_date(b.last))
                };
                Row {
                    cells: vec![
                        when,
                        b.reports.to_string(),
                        b.cases_opened.to_string(),
                        b.published.to_string(),
                    ],
                    bold: false,
                }
            })
            .collect(),
    });
    out.push(h2(
        "10. Nhiệm vụ theo văn bản chỉ đạo và kết quả thực hiện trong kỳ",
    ));
    for a in &pack.agencies {
        let duties: Vec<_> = pack.duties_of(&a.code).collect();
        if duties.is_empty() {
            continue;
        }
        out.push(Block::para(
            vec![Span::bold(full_name(&a.name_vi))],
            Align::Left,
        ));
        for duty in duties {
            duty_items(&mut out, s, duty, &a.code);
        }
    }
    out.push(Block::para(
        vec![Span::italic(
            "Số liệu về nội dung và hồ sơ; báo cáo không chứa thông tin về người phản ánh. \
             Kết luận đã công bố tính mọi tin kiểm chứng công bố trong kỳ, kể cả tin sau đó bị hủy \
             hoặc thay thế sau khiếu nại (nêu riêng).",
        )],
        Align::Justify,
    ));
    out
}

/// The agency table's columns, after the agency's name: as `AgencyFigures::columns`
/// orders its figures.
const AGENCY_COLUMNS: [&str; 9] = [
    "Cơ quan",
    "Hồ sơ mới (chủ trì)",
    "Đã công bố",
    "Trong đó bị hủy/thay thế sau khiếu nại",
    "Đang xử lý cuối kỳ",
    "Quá hạn chưa có kết luận",
    "Thông báo",
    "Buổi tuyên truyền",
    "Người tham dự",
];

fn h2(text: &str) -> Block {
    Block::Heading {
        level: 2,
        text: text.to_string(),
    }
}

/// A body paragraph of plain text.
fn body(text: String) -> Block {
    Block::para(vec![Span::plain(text)], Align::Justify)
}

/// A table of what was counted and how many.
fn two_columns(rows: Vec<(String, String)>) -> Block {
    Block::Table {
        header: vec!["Nội dung".to_string(), "Số lượng".to_string()],
        rows: rows
            .into_iter()
            .map(|(label, n)| Row {
                cells: vec![label, n],
                bold: false,
            })
            .collect(),
    }
}

/// The progress `agency` recorded on `duty` that the period's figures hold (covering days
/// of the period, corrected entries left out), in the order recorded.
pub fn progress_of<'a>(s: &'a Stats, duty: &str, agency: &str) -> Vec<&'a ProgressEntry> {
    s.duty_progress
        .iter()
        .filter(|e| e.duty == duty && e.agency == agency)
        .collect()
}

/// The days an entry covers, as Vietnamese documents write them.
pub fn covered_days(e: &ProgressEntry) -> String {
    if e.from == e.to {
        vn_date(e.from)
    } else {
        format!("{} – {}", vn_date(e.from), vn_date(e.to))
    }
}

/// One duty of the report's list, then what the agency did under it in the period: the
/// days, the summary on one line, the count with its unit.
fn duty_items(out: &mut Vec<Block>, s: &Stats, duty: &Duty, agency: &str) {
    out.push(Block::Bullet {
        depth: 0,
        spans: vec![Span::plain(format!("({}) {}", duty.clause, duty.text_vi))],
    });
    let entries = progress_of(s, &duty.id, agency);
    if entries.is_empty() {
        out.push(Block::Bullet {
            depth: 1,
            spans: vec![Span::italic("Chưa có báo cáo kết quả.")],
        });
    }
    for e in entries {
        let summary = e.summary.split_whitespace().collect::<Vec<_>>().join(" ");
        let count = match (e.count, &e.unit) {
            (Some(n), Some(unit)) => format!(" ({n} {unit})"),
            (Some(n), None) => format!(" ({n})"),
            _ => String::new(),
        };
        out.push(Block::Bullet {
            depth: 1,
            spans: vec![Span::plain(format!(
                "{}: {summary}{count}",
                covered_days(e)
            ))],
        });
    }
}

/// The document's head: national heading, place and date, title, period (and, for a
/// period not over yet, the day its figures stop), the reporting unit when one agency
/// reports, the addressee and the directive answered.
fn heading(
    pack: &Pack,
    reporter: Option<&str>,
    (first, last): (NaiveDate, NaiveDate),
    today: NaiveDate,
) -> Vec<Block> {
    let d = &pack.directive;
    let place = d
        .issuer
        .strip_prefix("Ủy ban nhân dân huyện ")
        .map_or(String::new(), |p| format!("{p}, "));
    // A period not over yet is measured as of today: say so, or "cuối kỳ" would claim
    // figures for days still to come.
    let as_of = if last > today {
        format!("; số liệu tính đến ngày {}", vn_date(today))
    } else {
        String::new()
    };
    let mut to_whom = Vec::new();
    if let Some(name) = reporter {
        to_whom.push(vec![Span::plain(format!("Đơn vị báo cáo: {name}."))]);
    }
    to_whom.push(vec![Span::plain(format!("Kính gửi: {}.", d.issuer))]);
    vec![
        Block::Paragraph {
            lines: vec![
                vec![Span::bold("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")],
                vec![Span::bold("Độc lập - Tự do - Hạnh phúc")],
            ],
            align: Align::Center,
        },
        Block::para(
            vec![Span::italic(format!(
                "{place}ngày {:02} tháng {:02} năm {}",
                today.day(),
                today.month(),
                today.year()
            ))],
            Align::Right,
        ),
        Block::Heading {
            level: 1,
            text: "BÁO CÁO".to_string(),
        },
        Block::Paragraph {
            lines: vec![
                vec![Span::bold(
                    "Kết quả xử lý thông tin sai sự thật, xấu, độc trên mạng",
                )],
                vec![Span::plain(format!(
                    "Kỳ báo cáo: từ ngày {} đến ngày {} (giờ Việt Nam{as_of})",
                    vn_date(first),
                    vn_date(last)
                ))],
            ],
            align: Align::Center,
        },
        Block::Paragraph {
            lines: to_whom,
            align: Align::Left,
        },
        body(format!(
            "Thực hiện Văn bản số {} {} của {} {}, kết quả thực hiện trong kỳ như sau:",
            directive_number(&d.number),
            directive_date(&d.date),
            d.issuer,
            d.subject
        )),
    ]
}

/// One agency's report upward (a commune's, an office's): its own row of the figures and
/// its duties under the directive. `None` when the pack has no such agency.
pub fn agency_markdown(
    s: &Stats,
    pack: &Pack,
    code: &str,
    period: (NaiveDate, NaiveDate),
    today: NaiveDate,
) -> Option<String> {
    agency_blocks(s, pack, code, period, today).map(|b| document::markdown(&b))
}

/// The same as a Word file.
pub fn agency_docx(
    s: &Stats,
    pack: &Pack,
    code: &str,
    period: (NaiveDate, NaiveDate),
    today: NaiveDate,
) -> Option<Vec<u8>> {
    agency_blocks(s, pack, code, period, today).map(|b| document::docx(&b))
}

fn agency_blocks(
    s: &Stats,
    pack: &Pack,
    code: &str,
    period: (NaiveDate, NaiveDate),
    today: NaiveDate,
) -> Option<Vec<Block>> {
    let agency = pack.agency(code)?;
    let a = s.agencies.iter().find(|a| a.code == code)?;
    let mut out = heading(pack, Some(&full_name(&agency.name_vi)), period, today);
    out.push(h2("1. Kết quả xử lý hồ sơ do đơn vị chủ trì"));
    out.push(two_columns(
        [
            ("Hồ sơ mới được giao chủ trì", a.opened as u64),
            ("Kết luận đã công bố", a.published as u64),
            (
                "— trong đó bị hủy/thay thế sau khiếu nại (tính đến cuối kỳ)",
                a.published_overturned as u64,
            ),
            ("Hồ sơ đang xử lý cuối kỳ", a.open as u64),
            ("— trong đó quá hạn chưa có kết luận", a.overdue as u64),
            (
                "Thông báo gửi nền tảng soạn mới trong kỳ",
                a.notices_prepared as u64,
            ),
        ]
        .into_iter()
        .map(|(label, n)| (label.to_string(), n.to_string()))
        .collect(),
    ));
    out.push(h2(&format!(
        "2. Tuyên truyền, tập huấn: {} buổi, {} lượt người tham dự",
        a.outreach_events, a.outreach_attendees
    )));
    out.push(h2(
        "3. Nhiệm vụ theo văn bản chỉ đạo và kết quả thực hiện trong kỳ",
    ));
    let mut any = false;
    for duty in pack.duties_of(code) {
        any = true;
        duty_items(&mut out, s, duty, code);
    }
    if !any {
        out.push(body(
            "Văn bản không giao nhiệm vụ riêng cho đơn vị.".to_string(),
        ));
    }
    out.push(Block::para(
        vec![Span::italic(
            "Số liệu về nội dung và hồ sơ; báo cáo không chứa thông tin về người phản ánh.",
        )],
        Align::Justify,
    ));
    Some(out)
}

/// The agency table of the report as CSV for a spreadsheet: a byte-order mark so Excel reads
/// the Vietnamese as UTF-8, Vietnamese headers, agency names in full, then the row for cases
/// no agency leads (when there are any) and the total row.
pub fn agencies_csv(s: &Stats, pack: &Pack) -> String {
    let mut out = String::from(
        "\u{feff}Cơ quan,Hồ sơ mới (chủ trì),Đã công bố,Trong đó bị hủy/thay thế sau khiếu nại,\
         Đang xử lý cuối kỳ,Quá hạn chưa có kết luận,Thông báo gửi nền tảng,Buổi tuyên truyền,Người tham dự\r\n",
    );
    let mut row = |name: &str, a: &AgencyFigures| {
        let cells: Vec<String> = a.columns().iter().map(u64::to_string).collect();
        let _ = write!(
            out,
            "{},{}\r\n",
            crate::feeds::csv_field(name),
            cells.join(",")
        );
    };
    for a in &s.agencies {
        let name = pack
            .agency(&a.code)
            .map_or(a.code.clone(), |x| full_name(&x.name_vi));
        row(&name, a);
    }
    let u = &s.unassigned;
    if u.opened + u.open + u.overdue > 0 {
        row("Chưa giao cơ quan chủ trì", u);
    }
    row("Tổng cộng", &totals(s));
    out
}

/// The totals of the agency table: the period's own figures, which its rows add up to.
fn totals(s: &Stats) -> AgencyFigures {
    AgencyFigures {
        code: String::new(),
        opened: s.cases_opened,
        published: s.published,
        published_overturned: s.published_overturned,
        open: s.open_at_end,
        overdue: s.overdue_at_end,
        notices_prepared: s.notices_prepared,
        outreach_events: s.outreach_events,
        outreach_attendees: s.outreach_attendees,
    }
}

/// An agency's name as a document to the district writes it: in full, not the console's
/// short forms (UBND xã Đăk Kan → Ủy ban nhân dân xã Đăk Kan).
pub fn full_name(name: &str) -> String {
    name.replace("HĐND", "Hội đồng nhân dân")
        .replace("UBND", "Ủy ban nhân dân")
        .replace("MTTQ", "Mặt trận Tổ quốc")
}

/// A day as Vietnamese documents write it: dd/mm/yyyy.
pub fn vn_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The directive's number as printed; a number left blank ("/UBND-TH") gets the dots a
/// reader expects in its place.
fn directive_number(number: &str) -> String {
    if number.starts_with('/') {
        format!("…{number}")
    } else {
        number.to_string()
    }
}

/// The directive's date as printed: a full date in dd/mm/yyyy, a bare year as "năm 2021".
fn directive_date(date: &str) -> String {
    if let Ok(d) = NaiveDate::parse_from_str(date, "%Y-%m-%d") {
        format!("ngày {}", vn_date(d))
    } else if date.len() == 4 && date.bytes().all(|b| b.is_ascii_digit()) {
        format!("năm {date}")
    } else {
        date.to_string()
    }
}

fn section(out: &mut Vec<Block>, title: &str, counts: &[Count], label: impl Fn(&str) -> String) {
    out.push(h2(title));
    if counts.is_empty() {
        out.push(body("Không có.".to_string()));
        return;
    }
    out.push(two_columns(
        counts
            .iter()
            .map(|c| (label(&c.code), c.count.to_string()))
            .collect(),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use kc_desk::stats::{compute, CaseFact, Period, ReportFact};
    use kc_desk::CaseState;

    #[test]
    fn the_report_names_the_period_the_figures_and_each_agencys_duties() {
        let pack = Pack::shipped().expect("the shipped pack");
        let at = |d| {
            chrono::Utc
                .with_ymd_and_hms(2026, 11, d, 3, 0, 0)
                .single()
                .expect("time")
        };
        let lead = pack.agencies[0].code.clone();
        let cases = [CaseFact {
            state: CaseState::Published,
            agency: Some(lead.clone()),
            harm_category: Some(HarmCategory::Scam),
            opened_at: at(2),
            deadline: None,
            decided_at: Some(at(3)),
            publications: vec![kc_desk::stats::PublicationFact {
                verdict: Verdict::False,
                at: at(3),
                withdrawn_at: None,
            }],
            closed: None,
        }];
        let reports = [ReportFact {
            channel: Channel::Web,
            received_at: at(2),
            answered_at_once: false,
        }];
        let days = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("date");
        let codes: Vec<&str> = pack.agencies.iter().map(|a| a.code.as_str()).collect();
        let outreach = [kc_desk::stats::OutreachFact {
            agency: lead.clone(),
            kind: kc_desk::outreach::OutreachKind::Training,
            held_on: days(20),
            attendees: 45,
        }];
        let police = pack
            .duties
            .iter()
            .find(|d| d.id == "3.2-ra-soat")
            .expect("the police's monitoring duty");
        let entry = |id, from, to, summary: &str, count| kc_desk::duty::ProgressEntry {
            id,
            duty: police.id.clone(),
            agency: "ca".into(),
            from: days(from),
            to: days(to),
            summary: summary.into(),
            count,
            unit: count.map(|_| "trang".to_string()),
            links: vec![],
            corrects: None,
            recorded_by: "lan".into(),
            recorded_at: at(21),
        };
        let progress = [
            entry(
                1,
                3,
                20,
                "Rà soát các trang\nmạng xã hội trên địa bàn",
                Some(12),
            ),
            entry(2, 25, 25, "Kiểm tra một nhóm Zalo", None),
        ];
        let mut s = compute(
            Period::vietnam_days(days(1), days(30)),
            kc_desk::stats::Facts {
                cases: &cases,
                reports: &reports,
                outreach: &outreach,
                notices: &[],
                articles: &[],
                progress: &progress,
            },
            &codes,
            at(29),
        );
        // A merged duplicate is not one of the cases opened; its row must not read as a
        // share of them, as the "— trong đó" rows above it are.
        s.cases_merged = 2;
        let md = markdown(&s, &pack, days(1), days(30), days(30));
        assert!(
            md.starts_with(
                "**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**  \n**Độc lập - Tự do - Hạnh phúc**"
            ),
            "{md}"
        );
        assert!(md.contains("_Ngọc Hồi, ngày 30 tháng 11 năm 2026_"), "{md}");
        assert!(
            md.contains("Kỳ báo cáo: từ ngày 01/11/2026 đến ngày 30/11/2026 (giờ Việt Nam)"),
            "{md}"
        );
        // Drawn up before the period ends: the figures are as of that day.
        let early = markdown(&s, &pack, days(1), days(30), days(20));
        assert!(
            early.contains("đến ngày 30/11/2026 (giờ Việt Nam; số liệu tính đến ngày 20/11/2026)"),
            "{early}"
        );
        assert!(
            md.contains("Kính gửi: Ủy ban nhân dân huyện Ngọc Hồi."),
            "{md}"
        );
        // The shipped directive's number and day were left blank when it was issued.
        assert!(
            md.contains("Thực hiện Văn bản số …/UBND-TH năm 2021 của Ủy ban nhân dân huyện Ngọc Hồi V/v tăng cường"),
            "{md}"
        );
        assert!(
            md.contains("| Hồ sơ mở mới | 1 |\n| Hồ sơ trùng đã gộp vào hồ sơ khác (không tính ở trên) | 2 |"),
            "{md}"
        );
        assert!(
            md.contains("| Kết luận đã công bố | 1 |\n| — trong đó bị hủy/thay thế sau khiếu nại (tính đến cuối kỳ) | 0 |"),
            "{md}"
        );
        assert!(
            md.contains("| Thời gian trung vị từ tiếp nhận đến công bố lần đầu | 24,0 giờ |"),
            "{md}"
        );
        assert!(md.contains("| Lừa đảo | 1 |"), "{md}");
        assert!(md.contains("| Biểu mẫu công khai | 1 |"), "{md}");
        let name = full_name(&pack.agencies[0].name_vi);
        assert!(
            md.contains(&format!("| {name} | 1 | 1 | 0 | 0 | 0 | 0 | 1 | 45 |")),
            "{md}"
        );
        assert!(
            md.contains("| **Tổng cộng** | 1 | 1 | 0 | 0 | 0 | 0 | 1 | 45 |"),
            "{md}"
        );
        assert!(
            !md.contains("Chưa giao cơ quan chủ trì"),
            "every case was routed: {md}"
        );
        assert!(
            md.contains("Tuyên truyền, tập huấn: 1 buổi, 45 lượt người tham dự"),
            "{md}"
        );
        assert!(md.contains("| Tập huấn | 1 |"), "{md}");
        assert!(
            md.contains("nhận diện tin giả đăng trên cổng thông tin trong kỳ: 0 bài."),
            "{md}"
        );
        assert!(md.contains("## 9. Diễn biến theo ngày"), "{md}");
        // Opened and reported 2 November 10:00 in Vietnam, published the next day.
        assert!(md.contains("| 02/11/2026 | 1 | 1 | 0 |"), "{md}");
        assert!(md.contains("| 03/11/2026 | 0 | 0 | 1 |"), "{md}");
        let duty = pack.duties.first().expect("a duty");
        assert!(md.contains(&duty.text_vi), "{md}");
        // Under each duty, what the agency did in the period, or that nothing was reported.
        let police_item = format!(
            "- ({}) {}\n  - 03/11/2026 – 20/11/2026: Rà soát các trang mạng xã hội trên địa bàn (12 trang)\n  - 25/11/2026: Kiểm tra một nhóm Zalo\n",
            police.clause, police.text_vi
        );
        assert!(md.contains(&police_item), "{md}");
        assert!(
            md.contains(&format!(
                "- ({}) {}\n  - _Chưa có báo cáo kết quả._",
                duty.clause, duty.text_vi
            )),
            "{md}"
        );
        // A commune's own report: its duties, with what it reported.
        let own = agency_markdown(&s, &pack, "ca", (days(1), days(30)), days(30))
            .expect("the police's report");
        assert!(own.contains(&police_item), "{own}");
        let other = agency_markdown(&s, &pack, "vhtt", (days(1), days(30)), days(30))
            .expect("the office's report");
        assert!(!other.contains("Zalo"), "{other}");
        assert!(other.contains("  - _Chưa có báo cáo kết quả._"), "{other}");
    }
}
