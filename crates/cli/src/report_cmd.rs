//! `kiemchung report`: the periodic report upward, as Markdown, a Word file (or JSON),
//! from the same figures as the console's statistics page.

use anyhow::{bail, Result};
use chrono::{Datelike, NaiveDate};
use clap::{Args, ValueEnum};
use kc_desk::pack::Pack;

#[derive(Args)]
pub struct ReportArgs {
    /// First day, YYYY-MM-DD on Vietnam's clock (default: the first of --to's month, or of
    /// this month).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day, included (default: today).
    #[arg(long)]
    pub to: Option<String>,
    /// One agency's report (a commune's, an office's) instead of the district's: its own
    /// figures and its duties (agency codes: `kiemchung pack show`).
    #[arg(long)]
    pub agency: Option<String>,
    /// Markdown to read and send on, a Word file (docx) to sign and forward, or JSON for
    /// other tools.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormat,
    /// Write the report to this file instead of standard output (needed for docx on a
    /// terminal).
    #[arg(long, short = 'o')]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Markdown,
    Docx,
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
    let agency = args
        .agency
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let unknown = |code: &str| {
        anyhow::anyhow!(
            "--agency {code}: không có cơ quan mã này trong văn bản chỉ đạo (xem `kiemchung pack show`) / \
             the directive names no agency with this code (see `kiemchung pack show`)"
        )
    };
    let text = |t: String| t.into_bytes();
    let bytes = match (args.format, agency) {
        (ReportFormat::Json, None) => text(serde_json::to_string_pretty(&stats)? + "\n"),
        (ReportFormat::Json, Some(code)) => {
            let row = stats
                .agencies
                .iter()
                .find(|a| a.code == code)
                .ok_or_else(|| unknown(code))?;
            text(
                serde_json::to_string_pretty(&serde_json::json!({
                    "period": stats.period, "agency": row,
                }))? + "\n",
            )
        }
        (ReportFormat::Markdown, None) => {
            text(kc_web::report::markdown(&stats, pack, first, last, today))
        }
        (ReportFormat::Markdown, Some(code)) => text(
            kc_web::report::agency_markdown(&stats, pack, code, (first, last), today)
                .ok_or_else(|| unknown(code))?,
        ),
        (ReportFormat::Docx, None) => kc_web::report::docx(&stats, pack, first, last, today),
        (ReportFormat::Docx, Some(code)) => {
            kc_web::report::agency_docx(&stats, pack, code, (first, last), today)
                .ok_or_else(|| unknown(code))?
        }
    };
    write_report(
        &bytes,
        args.output.as_deref(),
        args.format == ReportFormat::Docx,
    )?;
    Ok(())
}

/// The report to `output`, or to standard output; a Word file is not for a terminal.
fn write_report(bytes: &[u8], output: Option<&std::path::Path>, binary: bool) -> Result<()> {
    use std::io::{IsTerminal, Write};
    match output {
        Some(path) => {
            std::fs::write(path, bytes).map_err(|e| {
                anyhow::anyhow!(
                    "không ghi được {shown} / cannot write {shown}: {e}",
                    shown = path.display()
                )
            })?;
            eprintln!(
                "Đã ghi báo cáo vào {shown} / report written to {shown}",
                shown = path.display()
            );
        }
        None if binary && std::io::stdout().is_terminal() => bail!(
            "--format docx là tệp Word: dùng --output TÊN.docx hoặc chuyển hướng (> TÊN.docx) / \
             --format docx is a Word file: use --output NAME.docx or redirect (> NAME.docx)"
        ),
        None => {
            if let Err(e) = std::io::stdout().lock().write_all(bytes) {
                // `kiemchung report | head` is not a failure.
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    bail!("không ghi được ra màn hình / cannot write the output: {e}");
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
