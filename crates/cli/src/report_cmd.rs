//! `kiemchung report`: the periodic report upward, as Markdown (or JSON), from the same
//! figures as the console's statistics page.

use anyhow::{bail, Result};
use chrono::{Datelike, NaiveDate};
use clap::{Args, ValueEnum};
use kc_desk::pack::Pack;
use kc_desk::stats::{Count, Stats, TrendUnit};
use kc_desk::{Channel, CloseReason, HarmCategory, Verdict};
use std::fmt::Write as _;

#[derive(Args)]
pub struct ReportArgs {
    /// First day, YYYY-MM-DD on Vietnam's clock (default: the first of --to's month, or of
    /// this month).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day, included (default: today).
    #[arg(long)]
    pub to: Option<String>,
    /// Markdown to read and send on, or JSON for other tools.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Markdown,
    Json,
}

/// The report's first and last day from the options given, `today` on Vietnam's clock:
/// `--from` alone runs to today, `--to` alone starts on the first of its month, neither is
/// this month to date. An error names the options the user gave.
pub fn period(
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate)> {
    fn given(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|v| !v.is_empty())
    }
    let (from, to) = (given(from), given(to));
    // The web form's parsing, so both say the same about a bad date.
    let day = |field: &str, v: &str| {
        kc_web::desk::report_days(Some(v), Some(v))
            .map(|(d, _)| d)
            .map_err(|e| anyhow::anyhow!("--{field}: {} / {}", e.message_vi, e.message_en))
    };
    let first = from.map(|v| day("from", v)).transpose()?;
    let last = to.map(|v| day("to", v)).transpose()?;
    let month_start = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    match (first, last) {
        (None, None) => Ok((month_start(today), today)),
        (Some(first), None) if first > today => bail!(
            "--from {first}: ngày bắt đầu sau hôm nay ({today}); báo cáo chỉ có số liệu đến hôm nay / \
             the start date is after today ({today}); a report has figures up to today only"
        ),
        (Some(first), None) => Ok((first, today)),
        (None, Some(last)) => Ok((month_start(last), last)),
        (Some(first), Some(last)) if last < first => bail!(
            "--from {first} --to {last}: ngày kết thúc (--to) trước ngày bắt đầu (--from) / \
             the end date (--to) is before the start date (--from)"
        ),
        (Some(first), Some(last)) => Ok((first, last)),
    }
}

pub async fn run_report(args: &ReportArgs, store: &kc_store::Store, pack: &Pack) -> Result<()> {
    let (_, today) = kc_desk::stats::Period::month_to_date(chrono::Utc::now());
    let (first, last) = period(args.from.as_deref(), args.to.as_deref(), today)?;
    let stats = kc_web::desk::period_stats(store, pack, first, last).await?;
    match args.format {
        ReportFormat::Json => out!("{}", serde_json::to_string_pretty(&stats)?),
        ReportFormat::Markdown => out!(
            "{}",
            markdown(&stats, pack, &first.to_string(), &last.to_string())
        ),
    }
    Ok(())
}

/// The report in Vietnamese, as an office sends it upward.
pub fn markdown(s: &Stats, pack: &Pack, first: &str, last: &str) -> String {
    let mut out = String::new();
    let d = &pack.directive;
    // Writing into a String cannot fail.
    let _ = writeln!(
        out,
        "# Báo cáo kết quả xử lý thông tin sai sự thật, xấu, độc trên mạng\n\n\
         Kỳ báo cáo: từ {first} đến {last} (giờ Việt Nam). Thực hiện {} {} của {}: {}.\n",
        d.number, d.date, d.issuer, d.subject
    );
    let _ = writeln!(out, "## 1. Số liệu chung\n");
    let _ = writeln!(out, "| Nội dung | Số lượng |\n|---|---|");
    let _ = writeln!(out, "| Phản ánh nhận được | {} |", s.reports);
    let _ = writeln!(
        out,
        "| — trong đó được trả lời ngay bằng tin đã kiểm chứng | {} |",
        s.answered_at_once
    );
    let _ = writeln!(out, "| Hồ sơ mở mới | {} |", s.cases_opened);
    if s.cases_merged > 0 {
        let _ = writeln!(
            out,
            "| Hồ sơ trùng đã gộp vào hồ sơ khác (không tính ở trên) | {} |",
            s.cases_merged
        );
    }
    let _ = writeln!(out, "| Kết luận đã công bố | {} |", s.published);
    let _ = writeln!(
        out,
        "| — trong đó bị hủy/thay thế sau khiếu nại (tính đến cuối kỳ) | {} |",
        s.published_overturned
    );
    let median = s
        .median_hours_to_publication
        // Vietnamese writes a decimal comma.
        .map_or_else(
            || "—".to_string(),
            |h| format!("{h:.1} giờ").replace('.', ","),
        );
    let _ = writeln!(
        out,
        "| Thời gian trung vị từ tiếp nhận đến công bố lần đầu | {median} |"
    );
    let _ = writeln!(out, "| Hồ sơ đang xử lý cuối kỳ | {} |", s.open_at_end);
    let _ = writeln!(out, "| — trong đó quá hạn | {} |\n", s.overdue_at_end);
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
    section(
        &mut out,
        &format!(
            "7. Thông báo gửi nền tảng: {} thông báo mới",
            s.notices_prepared
        ),
        &s.notice_steps,
        |c| {
            kc_desk::notice::NoticeStep::parse(c)
                .map_or(c.to_string(), |v| v.label_vi().to_string())
        },
    );
    let _ = writeln!(out, "## 8. Theo cơ quan\n");
    let _ = writeln!(
        out,
        "| Cơ quan | Hồ sơ mới (chủ trì) | Đã công bố | Đang xử lý | Quá hạn | Thông báo | Buổi tuyên truyền | Người tham dự |\n|---|---|---|---|---|---|---|---|"
    );
    for a in &s.agencies {
        let name = pack
            .agency(&a.code)
            .map_or(a.code.as_str(), |x| x.name_vi.as_str());
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} | {} |",
            a.opened,
            a.published,
            a.open,
            a.overdue,
            a.notices_prepared,
            a.outreach_events,
            a.outreach_attendees
        );
    }
    let unit = match s.trend_unit {
        TrendUnit::Day => "ngày",
        TrendUnit::Week => "tuần",
        TrendUnit::Month => "tháng",
        TrendUnit::Year => "năm",
    };
    let _ = writeln!(out, "\n## 9. Diễn biến theo {unit}\n");
    let _ = writeln!(
        out,
        "| Thời gian | Phản ánh | Hồ sơ mới | Kết luận công bố |\n|---|---|---|---|"
    );
    for b in &s.trend {
        let when = if b.first == b.last {
            b.first.to_string()
        } else {
            format!("{} – {}", b.first, b.last)
        };
        let _ = writeln!(
            out,
            "| {when} | {} | {} | {} |",
            b.reports, b.cases_opened, b.published
        );
    }
    let _ = writeln!(out, "\n## 10. Nhiệm vụ theo văn bản chỉ đạo\n");
    for a in &pack.agencies {
        let duties: Vec<_> = pack.duties_of(&a.code).collect();
        if duties.is_empty() {
            continue;
        }
        let _ = writeln!(out, "**{}**\n", a.name_vi);
        for duty in duties {
            let _ = writeln!(out, "- ({}) {}", duty.clause, duty.text_vi);
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "_Số liệu về nội dung và hồ sơ; báo cáo không chứa thông tin về người phản ánh._"
    );
    out
}

fn section(out: &mut String, title: &str, counts: &[Count], label: impl Fn(&str) -> String) {
    let _ = writeln!(out, "## {title}\n");
    if counts.is_empty() {
        let _ = writeln!(out, "Không có.\n");
        return;
    }
    let _ = writeln!(out, "| | Số lượng |\n|---|---|");
    for c in counts {
        let _ = writeln!(out, "| {} | {} |", label(&c.code), c.count);
    }
    let _ = writeln!(out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use kc_desk::stats::{compute, CaseFact, Period, ReportFact};
    use kc_desk::CaseState;

    #[test]
    fn a_period_given_by_one_end_takes_a_sensible_other_end() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let today = d("2026-11-29");
        let ok = |from, to| period(from, to, today).expect("a period");
        let err = |from, to| format!("{:#}", period(from, to, today).expect_err("an error"));
        assert_eq!(ok(None, None), (d("2026-11-01"), today));
        assert_eq!(ok(Some("2026-10-15"), None), (d("2026-10-15"), today));
        assert_eq!(ok(Some("2026-11-29"), None), (today, today));
        assert_eq!(
            ok(None, Some("2025-01-01")),
            (d("2025-01-01"), d("2025-01-01"))
        );
        assert_eq!(
            ok(None, Some("2025-02-20")),
            (d("2025-02-01"), d("2025-02-20"))
        );
        assert_eq!(
            ok(Some("2026-01-01"), Some("2026-03-31")),
            (d("2026-01-01"), d("2026-03-31"))
        );
        let future = err(Some("2026-11-30"), None);
        assert!(
            future.contains("--from") && !future.contains("--to") && future.contains("after today"),
            "{future}"
        );
        let inverted = err(Some("2026-11-20"), Some("2026-11-10"));
        assert!(
            inverted.contains("--from") && inverted.contains("--to"),
            "{inverted}"
        );
        let bad = err(None, Some("2026-13-01"));
        assert!(
            bad.starts_with("--to:") && bad.contains("YYYY-MM-DD"),
            "{bad}"
        );
        let bad = err(Some("1999-12-31"), None);
        assert!(bad.starts_with("--from:") && bad.contains("2000"), "{bad}");
    }

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
        let days = |d| chrono::NaiveDate::from_ymd_opt(2026, 11, d).expect("date");
        let codes: Vec<&str> = pack.agencies.iter().map(|a| a.code.as_str()).collect();
        let outreach = [kc_desk::stats::OutreachFact {
            agency: lead.clone(),
            kind: kc_desk::outreach::OutreachKind::Training,
            held_on: days(20),
            attendees: 45,
        }];
        let mut s = compute(
            Period::vietnam_days(days(1), days(30)),
            kc_desk::stats::Facts {
                cases: &cases,
                reports: &reports,
                outreach: &outreach,
                notices: &[],
            },
            &codes,
            at(29),
        );
        // A merged duplicate is not one of the cases opened; its row must not read as a
        // share of them, as the "— trong đó" rows above it are.
        s.cases_merged = 2;
        let md = markdown(&s, &pack, "2026-11-01", "2026-11-30");
        assert!(md.contains("từ 2026-11-01 đến 2026-11-30"), "{md}");
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
        let name = &pack.agencies[0].name_vi;
        assert!(
            md.contains(&format!("| {name} | 1 | 1 | 0 | 0 | 0 | 1 | 45 |")),
            "{md}"
        );
        assert!(
            md.contains("Tuyên truyền, tập huấn: 1 buổi, 45 lượt người tham dự"),
            "{md}"
        );
        assert!(md.contains("| Tập huấn | 1 |"), "{md}");
        assert!(md.contains("## 9. Diễn biến theo ngày"), "{md}");
        // Opened and reported 2 November 10:00 in Vietnam, published the next day.
        assert!(md.contains("| 2026-11-02 | 1 | 1 | 0 |"), "{md}");
        assert!(md.contains("| 2026-11-03 | 0 | 0 | 1 |"), "{md}");
        let duty = pack.duties.first().expect("a duty");
        assert!(md.contains(&duty.text_vi), "{md}");
    }
}
