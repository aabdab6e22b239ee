//! Figures of a period, for the desk's statistics page and the periodic report upward: what
//! came in, how it ended, how fast, and where each agency stands. Pure: the store hands over
//! one plain fact per case and per report, the caller the period and the clock.

use crate::{CaseState, Channel, CloseReason, HarmCategory, Verdict};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use serde::Serialize;

/// What the statistics need to know of one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFact {
    pub state: CaseState,
    pub agency: Option<String>,
    pub harm_category: Option<HarmCategory>,
    pub opened_at: DateTime<Utc>,
    pub deadline: Option<DateTime<Utc>>,
    /// Every fact-check published for the case, oldest first: more than one when an appeal
    /// overturned a verdict and the case was decided and published again.
    pub publications: Vec<PublicationFact>,
    /// When the decision that stands was approved; none while the case waits for one (never
    /// decided, or its verdict overturned on appeal since). A case past its deadline is
    /// overdue only while it waits for a decision, as the console counts it.
    pub decided_at: Option<DateTime<Utc>>,
    /// How a case ended without its own publication: the reason (none when it was answered
    /// with an existing fact-check), and when.
    pub closed: Option<(Option<CloseReason>, DateTime<Utc>)>,
}

/// One fact-check made public: its verdict, when, and when it stopped standing (an appeal
/// overturned it, or a later publication of the case replaced it), if it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicationFact {
    pub verdict: Verdict,
    pub at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl PublicationFact {
    /// Whether it was published before `t` and still stood then.
    fn stands_at(&self, t: DateTime<Utc>) -> bool {
        self.at < t && self.withdrawn_at.is_none_or(|w| w >= t)
    }
}

/// What the statistics need to know of one report. Nothing about who sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportFact {
    pub channel: Channel,
    pub received_at: DateTime<Utc>,
    /// Answered at once with a published fact-check.
    pub answered_at_once: bool,
}

/// What the statistics need to know of one awareness event: a count of people, no names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutreachFact {
    pub agency: String,
    pub kind: crate::outreach::OutreachKind,
    /// On Vietnam's calendar.
    pub held_on: NaiveDate,
    pub attendees: u32,
}

/// What the statistics need to know of one notice to a platform: who issued it, when it
/// was prepared, and the steps recorded since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeFact {
    pub agency: String,
    pub prepared_at: DateTime<Utc>,
    pub steps: Vec<(crate::notice::NoticeStep, NaiveDate)>,
}

/// Everything the figures are counted from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts<'a> {
    pub cases: &'a [CaseFact],
    pub reports: &'a [ReportFact],
    pub outreach: &'a [OutreachFact],
    pub notices: &'a [NoticeFact],
    /// When each awareness article (the portal's `/nhan-dien`) was first published.
    pub articles: &'a [DateTime<Utc>],
    /// Progress recorded on the directive's duties, corrected entries included.
    pub progress: &'a [crate::duty::ProgressEntry],
}

/// `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Period {
    fn contains(&self, t: DateTime<Utc>) -> bool {
        self.from <= t && t < self.to
    }

    /// Whether a day on Vietnam's calendar falls in the period.
    fn contains_day(&self, day: NaiveDate) -> bool {
        self.contains(Period::vietnam_days(day, day).from)
    }

    /// The days `first` to `last`, both included, on Vietnam's clock (UTC+7, no daylight
    /// saving): the days a district reports on.
    pub fn vietnam_days(first: NaiveDate, last: NaiveDate) -> Period {
        let start = |d: NaiveDate| {
            DateTime::<Utc>::from_naive_utc_and_offset(d.and_time(NaiveTime::MIN), Utc)
                - Duration::hours(VIETNAM_OFFSET_HOURS)
        };
        Period {
            from: start(first),
            to: start(last + Duration::days(1)),
        }
    }

    /// From the first of this month to today, on Vietnam's clock.
    pub fn month_to_date(now: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
        let today = (now + Duration::hours(VIETNAM_OFFSET_HOURS)).date_naive();
        (today.with_day(1).unwrap_or(today), today)
    }
}

const VIETNAM_OFFSET_HOURS: i64 = 7;

/// A count per value, in the vocabulary's order, zeros left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub code: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgencyFigures {
    pub code: String,
    /// Cases it leads that were opened in the period.
    pub opened: usize,
    /// Fact-checks of cases it leads published in the period.
    pub published: usize,
    /// Of those, overturned on appeal or replaced by a later publication by the end of the
    /// period (or now, if earlier).
    pub published_overturned: usize,
    /// Cases it leads still open at the end of the period (or now, if earlier).
    pub open: usize,
    /// Of those, past their deadline and still without a decision.
    pub overdue: usize,
    /// Awareness events it held in the period, and how many attended them.
    pub outreach_events: usize,
    pub outreach_attendees: u64,
    /// Notices to platforms it prepared in the period.
    pub notices_prepared: usize,
}

impl AgencyFigures {
    /// The figures in the order of the report's agency table and its CSV: opened,
    /// published, of those overturned, open, overdue, notices, awareness events, attendees.
    pub fn columns(&self) -> [u64; 8] {
        [
            self.opened as u64,
            self.published as u64,
            self.published_overturned as u64,
            self.open as u64,
            self.overdue as u64,
            self.notices_prepared as u64,
            self.outreach_events as u64,
            self.outreach_attendees,
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub period: Period,
    pub reports: usize,
    pub reports_by_channel: Vec<Count>,
    /// Reports answered at once with a published fact-check.
    pub answered_at_once: usize,
    /// Cases opened in the period that were then merged into another as duplicates (not
    /// in `cases_opened`).
    pub cases_merged: usize,
    pub cases_opened: usize,
    /// By harm category; `uncategorised` for cases nobody has categorised.
    pub cases_by_category: Vec<Count>,
    /// Fact-checks published in the period, each publication once: a case published,
    /// overturned on appeal and published again in the period counts twice.
    pub published: usize,
    /// Of those, overturned on appeal or replaced by a later publication of their case by
    /// the end of the period (or now, if earlier).
    pub published_overturned: usize,
    /// The published fact-checks by the verdict they published; adds up to `published`.
    pub published_by_verdict: Vec<Count>,
    /// Cases ended without their own publication, by reason; `answered` for those answered
    /// with an existing fact-check.
    pub closed_by_reason: Vec<Count>,
    /// Median hours from a case being opened to its first publication, over cases first
    /// published in the period.
    pub median_hours_to_publication: Option<f64>,
    pub open_at_end: usize,
    pub overdue_at_end: usize,
    /// Awareness talks, trainings and campaigns held in the period, by kind.
    pub outreach_events: usize,
    pub outreach_attendees: u64,
    pub outreach_by_kind: Vec<Count>,
    /// Awareness articles published on the portal in the period.
    pub articles_published: usize,
    /// Notices to platforms prepared in the period, and the steps recorded in it by kind
    /// (sent, acknowledged, effect given, declined, reinstated).
    pub notices_prepared: usize,
    pub notice_steps: Vec<Count>,
    pub agencies: Vec<AgencyFigures>,
    /// The same figures for cases no agency leads yet (code `unassigned`), so the rows of
    /// `agencies` and this one add up to the totals.
    pub unassigned: AgencyFigures,
    /// How the period is cut for [`Stats::trend`]: `day`, `week` or `month`.
    pub trend_unit: TrendUnit,
    /// Reports, cases opened and publications per day, week or month of the period.
    pub trend: Vec<TrendBucket>,
    /// Progress on the directive's duties covering days of the period, corrected entries
    /// left out, by duty and agency in the order recorded.
    pub duty_progress: Vec<crate::duty::ProgressEntry>,
}

/// The unit of a trend: days for a period of up to 45 days, calendar weeks (from Monday)
/// up to about a year, calendar months up to five years, calendar years beyond: a chart of
/// at most about 60 bars for any period under 60 years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendUnit {
    Day,
    Week,
    Month,
    Year,
}

/// One bar of a trend: the days `first` to `last` (Vietnam's calendar, both included;
/// the first and last buckets may be cut by the period).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendBucket {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub reports: usize,
    pub cases_opened: usize,
    pub published: usize,
}

/// The day on Vietnam's calendar of a moment.
fn vietnam_day(t: DateTime<Utc>) -> NaiveDate {
    (t + Duration::hours(VIETNAM_OFFSET_HOURS)).date_naive()
}

/// The empty buckets of a period, in order.
fn trend_buckets(period: Period) -> (TrendUnit, Vec<TrendBucket>) {
    let first = vietnam_day(period.from);
    let last = vietnam_day(period.to - Duration::seconds(1));
    let days = (last - first).num_days() + 1;
    let unit = match days {
        ..=45 => TrendUnit::Day,
        46..=400 => TrendUnit::Week,
        401..=1830 => TrendUnit::Month,
        _ => TrendUnit::Year,
    };
    let next_start = |d: NaiveDate| -> Option<NaiveDate> {
        match unit {
            TrendUnit::Day => d.succ_opt(),
            TrendUnit::Week => {
                let to_monday = 7 - i64::from(d.weekday().num_days_from_monday());
                d.checked_add_signed(Duration::days(to_monday))
            }
            TrendUnit::Month => {
                let (y, m) = if d.month() == 12 {
                    (d.year() + 1, 1)
                } else {
                    (d.year(), d.month() + 1)
                };
                NaiveDate::from_ymd_opt(y, m, 1)
            }
            TrendUnit::Year => NaiveDate::from_ymd_opt(d.year() + 1, 1, 1),
        }
    };
    let mut buckets = Vec::new();
    let mut start = first;
    while start <= last {
        let next = next_start(start);
        let end = next
            .and_then(|n| n.pred_opt())
            .map_or(last, |e| e.min(last));
        buckets.push(TrendBucket {
            first: start,
            last: end,
            reports: 0,
            cases_opened: 0,
            published: 0,
        });
        match next {
            Some(n) => start = n,
            None => break,
        }
    }
    (unit, buckets)
}

/// The bucket a moment falls in, if any.
fn bucket_of(buckets: &mut [TrendBucket], t: DateTime<Utc>) -> Option<&mut TrendBucket> {
    let day = vietnam_day(t);
    let i = buckets.partition_point(|b| b.last < day);
    buckets.get_mut(i).filter(|b| b.first <= day)
}

/// The figures of `period`. `agencies` lists the pack's agency codes in order; `now` caps
/// the end of the period for what is "still open" (a period ending in the future is
/// measured as of now).
pub fn compute(period: Period, facts: Facts<'_>, agencies: &[&str], now: DateTime<Utc>) -> Stats {
    let Facts {
        cases,
        reports,
        outreach,
        notices,
        articles,
        progress,
    } = facts;
    let (first_day, last_day) = (
        vietnam_day(period.from),
        vietnam_day(period.to - Duration::seconds(1)),
    );
    let duty_progress = crate::duty::standing(progress)
        .into_iter()
        .filter(|e| e.overlaps(first_day, last_day))
        .cloned()
        .collect();
    let prepared: Vec<&NoticeFact> = notices
        .iter()
        .filter(|n| period.contains(n.prepared_at))
        .collect();
    let notice_steps = count_in(crate::notice::NoticeStep::ALL, |step| {
        notices
            .iter()
            .flat_map(|n| &n.steps)
            .filter(|(s, day)| s == step && period.contains_day(*day))
            .count()
    });
    let held: Vec<&OutreachFact> = outreach
        .iter()
        .filter(|o| period.contains_day(o.held_on))
        .collect();
    let outreach_by_kind = count_in(crate::outreach::OutreachKind::ALL, |k| {
        held.iter().filter(|o| o.kind == *k).count()
    });
    let attendees = |events: &mut dyn Iterator<Item = &&OutreachFact>| -> u64 {
        events.map(|o| u64::from(o.attendees)).sum()
    };
    let end = period.to.min(now);
    let in_period: Vec<&ReportFact> = reports
        .iter()
        .filter(|r| period.contains(r.received_at))
        .collect();
    let reports_by_channel = count_in(Channel::ALL, |c| {
        in_period.iter().filter(|r| r.channel == *c).count()
    });
    // A duplicate merged into another case is one claim counted twice: it is counted
    // apart, so the cases opened are the claims the desk took up.
    let (opened, merged): (Vec<&CaseFact>, Vec<&CaseFact>) = cases
        .iter()
        .filter(|c| period.contains(c.opened_at))
        .partition(|c| c.state != CaseState::Merged);
    let mut cases_by_category = count_in(HarmCategory::ALL, |h| {
        opened
            .iter()
            .filter(|c| c.harm_category == Some(*h))
            .count()
    });
    let uncategorised = opened.iter().filter(|c| c.harm_category.is_none()).count();
    if uncategorised > 0 {
        cases_by_category.push(Count {
            code: "uncategorised".into(),
            count: uncategorised,
        });
    }
    // Every fact-check published in the period counts, including one an appeal later
    // overturned (the desk did publish it): those are shown apart, so nothing is hidden
    // and the verdicts still add up to the total.
    let published: Vec<(&CaseFact, &PublicationFact)> = cases
        .iter()
        .flat_map(|c| c.publications.iter().map(move |p| (c, p)))
        .filter(|(_, p)| period.contains(p.at))
        .collect();
    let withdrawn = |p: &PublicationFact| p.withdrawn_at.is_some_and(|w| w < end);
    let published_by_verdict = count_in(Verdict::ALL, |v| {
        published.iter().filter(|(_, p)| p.verdict == *v).count()
    });
    let closed: Vec<Option<CloseReason>> = cases
        .iter()
        .filter_map(|c| c.closed)
        .filter(|(_, at)| period.contains(*at))
        .map(|(reason, _)| reason)
        .collect();
    let mut closed_by_reason = count_in(CloseReason::ALL, |r| {
        closed.iter().filter(|c| **c == Some(*r)).count()
    });
    let answered = closed.iter().filter(|c| c.is_none()).count();
    if answered > 0 {
        closed_by_reason.push(Count {
            code: "answered".into(),
            count: answered,
        });
    }
    // How fast the desk first answered a claim: a verdict published again after an appeal
    // would measure the appeal, not the answer.
    let mut hours: Vec<f64> = cases
        .iter()
        .filter_map(|c| c.publications.first().map(|p| (c, p)))
        .filter(|(_, p)| period.contains(p.at))
        .map(|(c, p)| (p.at - c.opened_at).num_seconds() as f64 / 3600.0)
        .collect();
    hours.sort_by(f64::total_cmp);
    let median_hours_to_publication = match hours.len() {
        0 => None,
        n if n % 2 == 1 => Some(hours[n / 2]),
        n => Some((hours[n / 2 - 1] + hours[n / 2]) / 2.0),
    };
    let open_at = |c: &CaseFact| {
        // A case finished some other way (e.g. merged) has no date here: it counts as
        // open only while its state says it is.
        let finished_undated =
            c.state.is_finished() && c.publications.is_empty() && c.closed.is_none();
        // Answered at `end` when a verdict stood then; one overturned on appeal and not yet
        // replaced leaves the case open again.
        c.opened_at < end
            && !c.publications.iter().any(|p| p.stands_at(end))
            && c.closed.is_none_or(|(_, at)| at >= end)
            && !finished_undated
    };
    let overdue_at = |c: &CaseFact| {
        open_at(c) && c.deadline.is_some_and(|d| d < end) && c.decided_at.is_none_or(|d| d >= end)
    };
    let figures = |code: Option<&str>| {
        let led = |c: &CaseFact| c.agency.as_deref() == code;
        let own = |agency: &str| Some(agency) == code;
        AgencyFigures {
            code: code.unwrap_or("unassigned").to_string(),
            opened: opened.iter().filter(|c| led(c)).count(),
            published: published.iter().filter(|(c, _)| led(c)).count(),
            published_overturned: published
                .iter()
                .filter(|(c, p)| led(c) && withdrawn(p))
                .count(),
            open: cases.iter().filter(|c| led(c) && open_at(c)).count(),
            overdue: cases.iter().filter(|c| led(c) && overdue_at(c)).count(),
            outreach_events: held.iter().filter(|o| own(&o.agency)).count(),
            outreach_attendees: attendees(&mut held.iter().filter(|o| own(&o.agency))),
            notices_prepared: prepared.iter().filter(|n| own(&n.agency)).count(),
        }
    };
    let unassigned = figures(None);
    let agencies = agencies.iter().map(|code| figures(Some(code))).collect();
    let (trend_unit, mut trend) = trend_buckets(period);
    for r in &in_period {
        if let Some(b) = bucket_of(&mut trend, r.received_at) {
            b.reports += 1;
        }
    }
    for c in &opened {
        if let Some(b) = bucket_of(&mut trend, c.opened_at) {
            b.cases_opened += 1;
        }
    }
    for (_, p) in &published {
        if let Some(b) = bucket_of(&mut trend, p.at) {
            b.published += 1;
        }
    }
    Stats {
        period,
        trend_unit,
        trend,
        reports: in_period.len(),
        reports_by_channel,
        answered_at_once: in_period.iter().filter(|r| r.answered_at_once).count(),
        cases_opened: opened.len(),
        cases_merged: merged.len(),
        cases_by_category,
        published: published.len(),
        published_overturned: published.iter().filter(|(_, p)| withdrawn(p)).count(),
        published_by_verdict,
        closed_by_reason,
        median_hours_to_publication,
        open_at_end: cases.iter().filter(|c| open_at(c)).count(),
        overdue_at_end: cases.iter().filter(|c| overdue_at(c)).count(),
        outreach_events: held.len(),
        outreach_attendees: attendees(&mut held.iter()),
        outreach_by_kind,
        articles_published: articles.iter().filter(|t| period.contains(**t)).count(),
        notices_prepared: prepared.len(),
        notice_steps,
        agencies,
        unassigned,
        duty_progress,
    }
}

fn count_in<T: Copy + std::fmt::Display>(all: &[T], count: impl Fn(&T) -> usize) -> Vec<Count> {
    all.iter()
        .map(|v| Count {
            code: v.to_string(),
            count: count(v),
        })
        .filter(|c| c.count > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0)
            .single()
            .expect("a valid time")
    }

    fn case(opened: DateTime<Utc>) -> CaseFact {
        CaseFact {
            state: CaseState::New,
            agency: None,
            harm_category: None,
            opened_at: opened,
            deadline: None,
            publications: Vec::new(),
            decided_at: None,
            closed: None,
        }
    }

    fn publication(verdict: Verdict, at: DateTime<Utc>) -> PublicationFact {
        PublicationFact {
            verdict,
            at,
            withdrawn_at: None,
        }
    }

    #[test]
    fn a_merged_duplicate_is_neither_open_nor_overdue() {
        let period = Period {
            from: at(1, 0),
            to: at(15, 0),
        };
        let late = CaseFact {
            agency: Some("vhtt".into()),
            deadline: Some(at(3, 0)),
            ..case(at(2, 0))
        };
        let merged = CaseFact {
            state: CaseState::Merged,
            ..late.clone()
        };
        let figures = |cases: &[CaseFact]| {
            let facts = Facts {
                cases,
                reports: &[],
                outreach: &[],
                notices: &[],
                articles: &[],
                progress: &[],
            };
            let s = compute(period, facts, &["vhtt"], at(29, 0));
            (
                s.cases_opened,
                s.open_at_end,
                s.overdue_at_end,
                s.agencies[0].open,
                s.agencies[0].overdue,
            )
        };
        assert_eq!(figures(std::slice::from_ref(&late)), (1, 1, 1, 1, 1));
        // Counted apart from the cases opened: it is the same claim as the case it went into.
        assert_eq!(figures(std::slice::from_ref(&merged)), (0, 0, 0, 0, 0));
        let facts = Facts {
            cases: &[merged],
            reports: &[],
            outreach: &[],
            notices: &[],
            articles: &[],
            progress: &[],
        };
        assert_eq!(compute(period, facts, &["vhtt"], at(29, 0)).cases_merged, 1);
    }

    #[test]
    fn a_period_counts_what_happened_in_it_and_what_is_left_at_its_end() {
        let period = Period {
            from: at(1, 0),
            to: at(15, 0),
        };
        let cases = [
            // Opened before, published inside: counts as published, not as opened.
            CaseFact {
                state: CaseState::Published,
                agency: Some("ca".into()),
                harm_category: Some(HarmCategory::Scam),
                publications: vec![publication(Verdict::False, at(2, 0))],
                ..case(at(1, 0) - chrono::Duration::hours(12))
            },
            // Opened inside, published inside after 48 hours.
            CaseFact {
                state: CaseState::Published,
                agency: Some("vhtt".into()),
                harm_category: Some(HarmCategory::Health),
                publications: vec![publication(Verdict::Misleading, at(5, 0))],
                ..case(at(3, 0))
            },
            // Opened inside, still open and past its deadline at the end.
            CaseFact {
                agency: Some("vhtt".into()),
                deadline: Some(at(10, 0)),
                ..case(at(4, 0))
            },
            // Opened inside, closed as spam inside.
            CaseFact {
                state: CaseState::Closed,
                closed: Some((Some(CloseReason::Spam), at(6, 0))),
                ..case(at(6, 0))
            },
            // Answered with an existing fact-check.
            CaseFact {
                state: CaseState::Answered,
                closed: Some((None, at(7, 0))),
                ..case(at(7, 0))
            },
            // Opened after the period: nowhere.
            case(at(20, 0)),
        ];
        let reports = [
            ReportFact {
                channel: Channel::Web,
                received_at: at(3, 0),
                answered_at_once: false,
            },
            ReportFact {
                channel: Channel::Web,
                received_at: at(8, 0),
                answered_at_once: true,
            },
            ReportFact {
                channel: Channel::Import,
                received_at: at(9, 0),
                answered_at_once: false,
            },
            ReportFact {
                channel: Channel::Api,
                received_at: at(15, 0),
                answered_at_once: false,
            },
        ];
        let outreach = [
            OutreachFact {
                agency: "vhtt".into(),
                kind: crate::outreach::OutreachKind::Talk,
                held_on: NaiveDate::from_ymd_opt(2026, 11, 14).expect("date"),
                attendees: 80,
            },
            // After the period.
            OutreachFact {
                agency: "vhtt".into(),
                kind: crate::outreach::OutreachKind::Training,
                held_on: NaiveDate::from_ymd_opt(2026, 11, 16).expect("date"),
                attendees: 30,
            },
        ];
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
        let entry = |id, (from, to), corrects| crate::duty::ProgressEntry {
            id,
            duty: "3.2-ra-soat".into(),
            agency: "ca".into(),
            from,
            to,
            summary: "Rà soát".into(),
            count: None,
            unit: None,
            links: vec![],
            corrects,
            recorded_by: "lan".into(),
            recorded_at: at(16, 0),
        };
        let progress = [
            entry(1, (day(11, 10), day(11, 12)), None),
            // After the period, and before it.
            entry(2, (day(11, 16), day(11, 16)), None),
            entry(3, (day(10, 20), day(10, 31)), None),
            // Corrected by 5: only the correction counts.
            entry(4, (day(10, 25), day(11, 1)), None),
            entry(5, (day(10, 25), day(11, 1)), Some(4)),
        ];
        let notices = [NoticeFact {
            agency: "ca".into(),
            prepared_at: at(3, 0),
            steps: vec![
                (
                    crate::notice::NoticeStep::Sent,
                    NaiveDate::from_ymd_opt(2026, 11, 4).expect("date"),
                ),
                (
                    crate::notice::NoticeStep::EffectGiven,
                    NaiveDate::from_ymd_opt(2026, 11, 20).expect("date"),
                ),
            ],
        }];
        let facts = Facts {
            cases: &cases,
            reports: &reports,
            outreach: &outreach,
            notices: &notices,
            // One inside the period, one on its last second's far side.
            articles: &[at(9, 0), at(15, 0)],
            progress: &progress,
        };
        let s = compute(period, facts, &["vhtt", "ca"], at(29, 0));
        assert_eq!(s.notices_prepared, 1);
        // Effect was given after the period.
        assert_eq!(
            s.notice_steps,
            [Count {
                code: "sent".into(),
                count: 1
            }]
        );
        assert_eq!((s.outreach_events, s.outreach_attendees), (1, 80));
        assert_eq!(s.articles_published, 1);
        let ids: Vec<i64> = s.duty_progress.iter().map(|e| e.id).collect();
        assert_eq!(ids, [1, 5]);
        assert_eq!((s.reports, s.answered_at_once), (3, 1));
        let codes = |v: &[Count]| -> Vec<(String, usize)> {
            v.iter().map(|c| (c.code.clone(), c.count)).collect()
        };
        assert_eq!(
            codes(&s.reports_by_channel),
            [("web".into(), 2), ("import".into(), 1)]
        );
        assert_eq!(s.cases_opened, 4);
        assert_eq!(
            codes(&s.cases_by_category),
            [("health".into(), 1), ("uncategorised".into(), 3)]
        );
        assert_eq!(s.published, 2);
        assert_eq!(
            codes(&s.published_by_verdict),
            [("false".into(), 1), ("misleading".into(), 1)]
        );
        assert_eq!(
            codes(&s.closed_by_reason),
            [("spam".into(), 1), ("answered".into(), 1)]
        );
        // 36 h and 48 h.
        assert_eq!(s.median_hours_to_publication, Some(42.0));
        assert_eq!((s.open_at_end, s.overdue_at_end), (1, 1));
        assert_eq!(
            s.agencies,
            [
                AgencyFigures {
                    code: "vhtt".into(),
                    opened: 2,
                    published: 1,
                    published_overturned: 0,
                    open: 1,
                    overdue: 1,
                    outreach_events: 1,
                    outreach_attendees: 80,
                    notices_prepared: 0,
                },
                AgencyFigures {
                    code: "ca".into(),
                    opened: 0,
                    published: 1,
                    published_overturned: 0,
                    open: 0,
                    overdue: 0,
                    outreach_events: 0,
                    outreach_attendees: 0,
                    notices_prepared: 1,
                },
            ]
        );
    }

    #[test]
    fn a_verdict_overturned_on_appeal_counts_as_published_and_is_shown_apart() {
        let period = Period::vietnam_days(
            NaiveDate::from_ymd_opt(2026, 10, 1).expect("date"),
            NaiveDate::from_ymd_opt(2026, 12, 31).expect("date"),
        );
        let standing = CaseFact {
            state: CaseState::Published,
            agency: Some("vhtt".into()),
            publications: vec![publication(Verdict::False, at(3, 0))],
            ..case(at(2, 0))
        };
        // Published on the 5th, overturned on the 8th, decided and published again on the
        // 10th: two fact-checks, one of them overturned.
        let republished = CaseFact {
            state: CaseState::Published,
            agency: Some("vhtt".into()),
            publications: vec![
                PublicationFact {
                    withdrawn_at: Some(at(8, 0)),
                    ..publication(Verdict::False, at(5, 0))
                },
                publication(Verdict::Misleading, at(10, 0)),
            ],
            ..case(at(4, 0))
        };
        // Overturned and not published again yet: open again.
        let reopened = CaseFact {
            state: CaseState::Verifying,
            agency: Some("ca".into()),
            publications: vec![PublicationFact {
                withdrawn_at: Some(at(12, 0)),
                ..publication(Verdict::False, at(6, 0))
            }],
            ..case(at(6, 0))
        };
        let cases = [standing, republished, reopened];
        let figures = |period| {
            compute(
                period,
                Facts {
                    cases: &cases,
                    ..Facts::default()
                },
                &["vhtt", "ca"],
                at(29, 0),
            )
        };
        let s = figures(period);
        assert_eq!((s.published, s.published_overturned), (4, 2));
        let verdicts: usize = s.published_by_verdict.iter().map(|c| c.count).sum();
        assert_eq!(verdicts, s.published, "the verdicts add up to the total");
        let trend: usize = s.trend.iter().map(|b| b.published).sum();
        assert_eq!(trend, s.published, "the trend adds up to the total");
        assert_eq!(
            s.agencies
                .iter()
                .map(|a| (a.published, a.published_overturned, a.open))
                .collect::<Vec<_>>(),
            [(3, 1, 0), (1, 1, 1)]
        );
        assert_eq!(s.open_at_end, 1);
        // The first answers only: 24 h, 24 h and 0 h.
        assert_eq!(s.median_hours_to_publication, Some(24.0));
        // A period ending on the 9th: only the first overturn had happened by its end.
        let early = figures(Period::vietnam_days(
            NaiveDate::from_ymd_opt(2026, 10, 1).expect("date"),
            NaiveDate::from_ymd_opt(2026, 11, 9).expect("date"),
        ));
        assert_eq!((early.published, early.published_overturned), (3, 1));
        assert_eq!(early.open_at_end, 1, "the republished case, waiting again");
    }

    #[test]
    fn the_agency_rows_and_the_unassigned_row_add_up_to_the_totals() {
        let period = Period {
            from: at(1, 0),
            to: at(15, 0),
        };
        let cases = [
            CaseFact {
                agency: Some("vhtt".into()),
                deadline: Some(at(3, 0)),
                ..case(at(2, 0))
            },
            // Nobody has routed these yet; one is late.
            CaseFact {
                deadline: Some(at(4, 0)),
                ..case(at(3, 0))
            },
            case(at(5, 0)),
        ];
        let s = compute(
            period,
            Facts {
                cases: &cases,
                ..Facts::default()
            },
            &["vhtt", "ca"],
            at(29, 0),
        );
        assert_eq!(
            (
                s.unassigned.code.as_str(),
                s.unassigned.opened,
                s.unassigned.open,
                s.unassigned.overdue
            ),
            ("unassigned", 2, 2, 1)
        );
        let sum = |f: fn(&AgencyFigures) -> usize| {
            s.agencies.iter().map(f).sum::<usize>() + f(&s.unassigned)
        };
        assert_eq!(sum(|a| a.opened), s.cases_opened);
        assert_eq!(sum(|a| a.open), s.open_at_end);
        assert_eq!(sum(|a| a.overdue), s.overdue_at_end);
    }

    #[test]
    fn the_trend_counts_each_vietnam_day_week_or_month() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("a valid date");
        let report = |t| ReportFact {
            channel: Channel::Web,
            received_at: t,
            answered_at_once: false,
        };
        // 20:00 UTC on the 3rd is 03:00 on the 4th in Vietnam.
        let reports = [report(at(3, 20)), report(at(4, 1)), report(at(10, 0))];
        let mut published = case(at(2, 0));
        published.publications = vec![publication(Verdict::False, at(4, 2))];
        let cases = [published, case(at(10, 3))];
        let trend = |first, last| {
            let facts = Facts {
                cases: &cases,
                reports: &reports,
                outreach: &[],
                notices: &[],
                articles: &[],
                progress: &[],
            };
            compute(Period::vietnam_days(first, last), facts, &[], at(29, 0))
        };
        let s = trend(d(2026, 11, 1), d(2026, 11, 30));
        assert_eq!(s.trend_unit, TrendUnit::Day);
        assert_eq!(s.trend.len(), 30);
        let day4 = &s.trend[3];
        assert_eq!((day4.first, day4.last), (d(2026, 11, 4), d(2026, 11, 4)));
        assert_eq!((day4.reports, day4.published), (2, 1));
        assert_eq!(s.trend[1].cases_opened, 1);
        assert_eq!(s.trend[9].reports + s.trend[9].cases_opened, 2);
        let total: usize = s.trend.iter().map(|b| b.reports).sum();
        assert_eq!(total, s.reports);

        // 2026-10-01 is a Thursday: the first week is cut to Thursday–Sunday.
        let s = trend(d(2026, 10, 1), d(2026, 12, 31));
        assert_eq!(s.trend_unit, TrendUnit::Week);
        assert_eq!(
            (s.trend[0].first, s.trend[0].last),
            (d(2026, 10, 1), d(2026, 10, 4))
        );
        assert_eq!(
            (s.trend[1].first, s.trend[1].last),
            (d(2026, 10, 5), d(2026, 10, 11))
        );
        assert_eq!(s.trend.last().map(|b| b.last), Some(d(2026, 12, 31)));
        let nov2 = s
            .trend
            .iter()
            .find(|b| b.first == d(2026, 11, 2))
            .expect("the week of 2 November");
        assert_eq!((nov2.reports, nov2.cases_opened, nov2.published), (2, 1, 1));

        let s = trend(d(2025, 1, 15), d(2026, 12, 31));
        assert_eq!(s.trend_unit, TrendUnit::Month);
        assert_eq!(s.trend.len(), 24);
        assert_eq!(
            (s.trend[0].first, s.trend[0].last),
            (d(2025, 1, 15), d(2025, 1, 31))
        );
        assert_eq!(s.trend[22].reports, 3, "November 2026");
        let s = trend(d(2000, 6, 1), d(9999, 12, 31));
        assert_eq!(s.trend_unit, TrendUnit::Year);
        assert_eq!(s.trend.len(), 8000);
        assert_eq!(
            (s.trend[0].first, s.trend[0].last),
            (d(2000, 6, 1), d(2000, 12, 31))
        );
        assert_eq!(s.trend[26].reports, 3, "2026");
    }

    #[test]
    fn report_days_are_vietnam_days() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 11, day).expect("a date");
        let p = Period::vietnam_days(d(1), d(30));
        assert_eq!(p.from, at(1, 0) - chrono::Duration::hours(7));
        assert_eq!(p.to, at(30, 17));
        // 23:30 UTC on the 30th is already 1 December in Vietnam.
        let late = at(30, 23) + chrono::Duration::minutes(30);
        assert_eq!(
            Period::month_to_date(late),
            (
                NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date"),
                NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date"),
            )
        );
        assert_eq!(Period::month_to_date(at(29, 10)), (d(1), d(29)));
    }

    #[test]
    fn a_case_decided_but_not_yet_published_is_open_but_not_overdue() {
        let period = Period {
            from: at(1, 0),
            to: at(15, 0),
        };
        let waiting = CaseFact {
            deadline: Some(at(3, 0)),
            ..case(at(2, 0))
        };
        // Approved on the 10th, after its deadline, and not published yet.
        let decided = CaseFact {
            state: CaseState::Decided,
            decided_at: Some(at(10, 0)),
            ..waiting.clone()
        };
        let figures = |c: &CaseFact, to| {
            let s = compute(
                Period { to, ..period },
                Facts {
                    cases: std::slice::from_ref(c),
                    ..Facts::default()
                },
                &[],
                at(29, 0),
            );
            (s.open_at_end, s.overdue_at_end)
        };
        assert_eq!(figures(&waiting, period.to), (1, 1));
        assert_eq!(figures(&decided, period.to), (1, 0));
        // At the end of the 8th it still waited for its decision.
        assert_eq!(figures(&decided, at(9, 0)), (1, 1));
    }

    #[test]
    fn a_period_not_over_yet_is_measured_as_of_now() {
        let period = Period {
            from: at(1, 0),
            to: at(30, 0),
        };
        let c = CaseFact {
            deadline: Some(at(12, 0)),
            ..case(at(2, 0))
        };
        let before_deadline = compute(
            period,
            Facts {
                cases: std::slice::from_ref(&c),
                ..Facts::default()
            },
            &[],
            at(11, 0),
        );
        assert_eq!(
            (before_deadline.open_at_end, before_deadline.overdue_at_end),
            (1, 0)
        );
        let after = compute(
            period,
            Facts {
                cases: &[c],
                ..Facts::default()
            },
            &[],
            at(13, 0),
        );
        assert_eq!((after.open_at_end, after.overdue_at_end), (1, 1));
    }
}
