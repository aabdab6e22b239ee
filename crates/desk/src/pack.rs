//! The directive pack: the directive as data (agencies, duties, routing, deadlines, the law it
//! cites), so that another district loads its own. Parsing and validation only; the caller
//! reads the file and the store keeps the text it loaded.
//!
//! Every error names the file, the line and the field, for syntax errors as well as for
//! references that do not resolve, because the person who reads it is editing a TOML file by
//! hand. The format is described in `docs/pack.md`.

use crate::{HarmCategory, Priority, Remedy, Verdict};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use toml::Spanned;

const SHIPPED_NAME: &str = "packs/ngoc-hoi.toml";
const SHIPPED: &str = include_str!("../../../packs/ngoc-hoi.toml");

/// The pack format this build reads.
pub const FORMAT: u32 = 1;

/// Purposes of a recipient in "Nơi nhận": thực hiện, báo cáo, phối hợp, lưu (archive).
pub const PURPOSES: &[&str] = &["t/h", "b/c", "p/h", "lưu"];
pub const AGENCY_KINDS: &[&str] = &[
    "issuer",
    "office",
    "police",
    "media",
    "party",
    "front",
    "mass_orgs",
    "district_agencies",
    "commune",
];
pub const DUTY_KINDS: &[&str] = &[
    "propaganda",
    "monitoring",
    "handling",
    "publishing",
    "coordination",
    "training",
    "review",
    "reporting",
];
pub const RECURRENCES: &[&str] = &["ongoing", "periodic", "per_case"];
/// "instruction" for units the issuer directs (yêu cầu); "request" for bodies outside its
/// command, such as the Fatherland Front and the Party's boards (đề nghị).
pub const DUTY_MODES: &[&str] = &["instruction", "request"];
pub const INSTRUMENT_KINDS: &[&str] = &["law", "decree", "decision", "circular", "official_letter"];
pub const LANGUAGES: &[&str] = &["vi", "en"];

/// A pack that cannot be used, located for the person editing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: field `{field}`: {message}", at_line(.line))]
pub struct PackError {
    pub file: String,
    pub line: Option<usize>,
    pub field: String,
    pub message: String,
}

fn at_line(line: &Option<usize>) -> String {
    line.map(|l| format!(":{l}")).unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectiveMeta {
    /// As printed; the shipped directive's number is blank ("/UBND-TH").
    pub number: String,
    /// As printed, which may be only a year.
    pub date: String,
    pub issuer: String,
    pub subject: String,
    /// Id of the instrument this directive implements, if any.
    pub implements: Option<String>,
    /// Agency codes of the addressees (Kính gửi).
    pub addressed_to: Vec<String>,
    pub signer: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agency {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duty {
    pub id: String,
    pub clause: String,
    pub agencies: Vec<String>,
    pub kind: String,
    pub recurrence: String,
    pub mode: String,
    pub text_vi: String,
    /// The duty in English, for the English pages; optional (the directive is Vietnamese).
    pub text_en: Option<String>,
}

impl Duty {
    /// The duty's text for a page in English when `en`: the Vietnamese text when the pack
    /// gives no English, and the report upward is always in Vietnamese.
    pub fn text_in(&self, en: bool) -> &str {
        match (&self.text_en, en) {
            (Some(t), true) => t,
            _ => &self.text_vi,
        }
    }

    /// The language of [`Duty::text_in`]'s answer, for the `lang` attribute that tells a
    /// screen reader how to read it: English only when the pack gives the English text.
    pub fn text_lang_in(&self, en: bool) -> &'static str {
        if en && self.text_en.is_some() {
            "en"
        } else {
            "vi"
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient {
    pub name: String,
    /// `t/h`, `b/c`, `p/h` or `lưu`; `None` where the directive gives no purpose.
    pub purpose: Option<String>,
    pub agency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutingRule {
    pub category: HarmCategory,
    pub lead: String,
    pub consulted: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DeadlineRule {
    pub priority: Priority,
    pub hours: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegalInstrument {
    pub id: String,
    pub kind: String,
    pub number: String,
    /// Date of issue, `YYYY-MM-DD`.
    pub date: String,
    pub issuer: Option<String>,
    pub title_vi: String,
    /// The title in English, for a law cited on an English page ("Law on Cybersecurity").
    pub title_en: Option<String>,
    pub effective_from: Option<String>,
    pub superseded_by: Option<String>,
    pub amended_by: Vec<String>,
    /// False for instruments the pack adds because they replaced or amended a cited one.
    pub cited_by_directive: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegalProvision {
    pub id: String,
    pub instrument: String,
    pub article: String,
    pub clause: Option<String>,
    pub title_vi: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortalSettings {
    pub site_name_vi: String,
    pub site_name_en: String,
    pub publisher: String,
    /// The publisher's name on English pages; the Vietnamese one when the pack gives none.
    /// Feeds, ClaimReview and open data carry the Vietnamese name, the authority's own.
    pub publisher_en: Option<String>,
    pub default_language: String,
}

impl PortalSettings {
    /// The publisher's name for a page in English when `en`.
    pub fn publisher_in(&self, en: bool) -> &str {
        match (&self.publisher_en, en) {
            (Some(name), true) => name,
            _ => &self.publisher,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Label {
    pub vi: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pack {
    pub directive: DirectiveMeta,
    pub agencies: Vec<Agency>,
    pub duties: Vec<Duty>,
    pub distribution: Vec<Recipient>,
    pub routing: Vec<RoutingRule>,
    pub default_lead: String,
    pub deadlines: Vec<DeadlineRule>,
    /// Days a published verdict answers matching reports on its own, counted from when it
    /// was last verified; after that a match goes to staff, who check it still holds.
    pub recheck_after_days: u32,
    pub instruments: Vec<LegalInstrument>,
    pub provisions: Vec<LegalProvision>,
    pub portal: PortalSettings,
    /// Overrides of the built-in labels; absent codes use the built-in wording.
    pub verdict_labels: BTreeMap<Verdict, Label>,
    pub harm_labels: BTreeMap<HarmCategory, Label>,
    pub remedy_labels: BTreeMap<Remedy, Label>,
}

// ---- the file as written: spans kept on everything validation may complain about ----

type S = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    format: Spanned<u32>,
    directive: RawDirective,
    agencies: Spanned<Vec<RawAgency>>,
    #[serde(default)]
    duties: Vec<RawDuty>,
    #[serde(default)]
    distribution: Vec<RawRecipient>,
    routing: RawRouting,
    deadlines: Spanned<BTreeMap<S, Spanned<u32>>>,
    #[serde(default)]
    matching: RawMatching,
    #[serde(default)]
    instruments: Vec<RawInstrument>,
    #[serde(default)]
    provisions: Vec<RawProvision>,
    portal: RawPortal,
    #[serde(default)]
    labels: RawLabels,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDirective {
    number: S,
    date: S,
    issuer: S,
    subject: S,
    implements: Option<S>,
    #[serde(default)]
    addressed_to: Vec<S>,
    #[serde(default)]
    signer: String,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgency {
    code: S,
    name_vi: S,
    name_en: S,
    kind: S,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDuty {
    id: S,
    clause: S,
    agencies: Spanned<Vec<S>>,
    kind: S,
    recurrence: S,
    mode: Option<S>,
    text_vi: S,
    text_en: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecipient {
    name: S,
    purpose: Option<S>,
    agency: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRouting {
    default_lead: S,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    category: S,
    lead: S,
    #[serde(default)]
    consulted: Vec<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstrument {
    id: S,
    kind: S,
    number: S,
    date: S,
    issuer: Option<S>,
    title_vi: S,
    title_en: Option<S>,
    effective_from: Option<S>,
    superseded_by: Option<S>,
    #[serde(default)]
    amended_by: Vec<S>,
    cited_by_directive: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvision {
    id: S,
    instrument: S,
    article: S,
    clause: Option<S>,
    title_vi: S,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMatching {
    recheck_after_days: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPortal {
    site_name_vi: S,
    site_name_en: S,
    publisher: S,
    publisher_en: Option<S>,
    default_language: Option<S>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLabels {
    #[serde(default)]
    verdict: BTreeMap<S, RawLabel>,
    #[serde(default)]
    harm: BTreeMap<S, RawLabel>,
    #[serde(default)]
    remedy: BTreeMap<S, RawLabel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLabel {
    vi: S,
    en: S,
}

/// What an error needs to say `file:line`.
struct Ctx<'a> {
    file: &'a str,
    src: &'a str,
}

impl Ctx<'_> {
    fn line_of(&self, offset: usize) -> usize {
        line_of(self.src, offset)
    }

    fn err<T>(&self, value: &Spanned<T>, field: &str, message: impl Into<String>) -> PackError {
        PackError {
            file: self.file.to_string(),
            line: Some(self.line_of(value.span().start)),
            field: field.to_string(),
            message: message.into(),
        }
    }

    fn nonempty(&self, value: &S, field: &str) -> Result<String, PackError> {
        let v = value.get_ref().trim();
        if v.is_empty() {
            Err(self.err(value, field, "must not be empty"))
        } else {
            Ok(v.to_string())
        }
    }

    fn one_of(&self, value: &S, field: &str, allowed: &[&str]) -> Result<String, PackError> {
        let v = value.get_ref().as_str();
        if allowed.contains(&v) {
            Ok(v.to_string())
        } else {
            Err(self.err(
                value,
                field,
                format!("`{v}` is not one of: {}", allowed.join(", ")),
            ))
        }
    }

    fn date(&self, value: &S, field: &str) -> Result<NaiveDate, PackError> {
        NaiveDate::parse_from_str(value.get_ref(), "%Y-%m-%d").map_err(|_| {
            self.err(
                value,
                field,
                format!("`{}` is not a date (YYYY-MM-DD)", value.get_ref()),
            )
        })
    }

    /// Checks that `value` names one of `known`; `what` says what kind of thing it names.
    fn reference(
        &self,
        value: &S,
        field: &str,
        known: &HashSet<String>,
        what: &str,
    ) -> Result<String, PackError> {
        if known.contains(value.get_ref()) {
            Ok(value.get_ref().clone())
        } else {
            Err(self.err(
                value,
                field,
                format!("unknown {what} `{}`", value.get_ref()),
            ))
        }
    }

    /// Records `id` in `seen`, refusing a second use of the same one.
    fn unique(
        &self,
        value: &S,
        field: &str,
        seen: &mut HashSet<String>,
    ) -> Result<String, PackError> {
        let id = self.nonempty(value, field)?;
        if seen.insert(id.clone()) {
            Ok(id)
        } else {
            Err(self.err(value, field, format!("duplicate `{id}`")))
        }
    }
}

fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The name of the table a `[name]` or `[[name]]` header line opens.
fn header_name(line: &str) -> Option<String> {
    let t = line.trim();
    let inner = t
        .strip_prefix("[[")
        .and_then(|r| r.split("]]").next())
        .or_else(|| t.strip_prefix('[').and_then(|r| r.split(']').next()))?;
    let name: String = inner
        .split('.')
        .map(|p| p.trim().trim_matches('"'))
        .collect::<Vec<_>>()
        .join(".");
    (!name.is_empty()).then_some(name)
}

/// Turns a TOML or type error into a located one. toml reports a byte span; the field is the
/// one serde names in its message (missing, unknown, duplicate) or else the key on the offending
/// line, qualified by the table it sits in, so it reads like the fields of semantic errors.
fn syntax_error(file: &str, src: &str, e: &toml::de::Error) -> PackError {
    let line = e.span().map(|s| line_of(src, s.start));
    let message = e.message().trim().to_string();
    let named = ["field `", "key `"]
        .iter()
        .find_map(|marker| message.split_once(marker))
        .and_then(|(_, rest)| rest.split('`').next())
        .map(str::to_string);
    let mut field = String::from("(document)");
    if let Some(l) = line {
        let lines: Vec<&str> = src.lines().collect();
        let here = lines.get(l.saturating_sub(1)).copied().unwrap_or("");
        let table = lines[..l.min(lines.len())]
            .iter()
            .rev()
            .find_map(|t| header_name(t));
        let key = named.clone().or_else(|| {
            if header_name(here).is_some() {
                return None;
            }
            let k = here.split('=').next()?.trim().trim_matches('"');
            (!k.is_empty() && here.contains('=')).then(|| k.to_string())
        });
        field = match (table, key) {
            (Some(t), Some(k)) => format!("{t}.{k}"),
            (Some(t), None) => t,
            (None, Some(k)) => k,
            (None, None) => field,
        };
    } else if let Some(n) = named {
        field = n;
    }
    PackError {
        file: file.to_string(),
        line,
        field,
        message,
    }
}

impl Pack {
    /// The pack shipped with kiemchung, written from the Ngọc Hồi directive.
    pub fn shipped() -> Result<Pack, PackError> {
        Pack::parse(SHIPPED_NAME, SHIPPED)
    }

    /// The exact text of the shipped pack, so the store can keep what it loaded.
    pub fn shipped_source() -> &'static str {
        SHIPPED
    }

    /// Parses and validates a pack. `file` is only used to name the source in errors.
    pub fn parse(file: &str, src: &str) -> Result<Pack, PackError> {
        let raw: RawPack = toml::from_str(src).map_err(|e| syntax_error(file, src, &e))?;
        let ctx = Ctx { file, src };
        if *raw.format.get_ref() != FORMAT {
            return Err(ctx.err(
                &raw.format,
                "format",
                format!(
                    "this kiemchung reads pack format {FORMAT}, not {}",
                    raw.format.get_ref()
                ),
            ));
        }

        let (agencies, codes) = parse_agencies(&ctx, &raw.agencies)?;
        let agency = |s: &S, field: &str| ctx.reference(s, field, &codes, "agency");
        let agency_list = |list: &[S], field: &str| -> Result<Vec<String>, PackError> {
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for s in list {
                let code = agency(s, field)?;
                if !seen.insert(code.clone()) {
                    return Err(ctx.err(s, field, format!("`{code}` is listed twice")));
                }
                out.push(code);
            }
            Ok(out)
        };

        let (instruments, instrument_ids) = parse_instruments(&ctx, &raw.instruments)?;

        let d = &raw.directive;
        let directive = DirectiveMeta {
            number: ctx.nonempty(&d.number, "directive.number")?,
            date: ctx.nonempty(&d.date, "directive.date")?,
            issuer: ctx.nonempty(&d.issuer, "directive.issuer")?,
            subject: ctx.nonempty(&d.subject, "directive.subject")?,
            implements: d
                .implements
                .as_ref()
                .map(|s| ctx.reference(s, "directive.implements", &instrument_ids, "instrument"))
                .transpose()?,
            addressed_to: agency_list(&d.addressed_to, "directive.addressed_to")?,
            signer: d.signer.trim().to_string(),
            note: d.note.clone(),
        };

        let mut duties = Vec::new();
        let mut duty_ids = HashSet::new();
        for du in &raw.duties {
            let id = ctx.unique(&du.id, "duties.id", &mut duty_ids)?;
            if du.agencies.get_ref().is_empty() {
                return Err(ctx.err(
                    &du.agencies,
                    "duties.agencies",
                    "a duty needs at least one agency",
                ));
            }
            duties.push(Duty {
                id,
                clause: ctx.nonempty(&du.clause, "duties.clause")?,
                agencies: agency_list(du.agencies.get_ref(), "duties.agencies")?,
                kind: ctx.one_of(&du.kind, "duties.kind", DUTY_KINDS)?,
                recurrence: ctx.one_of(&du.recurrence, "duties.recurrence", RECURRENCES)?,
                mode: match &du.mode {
                    Some(m) => ctx.one_of(m, "duties.mode", DUTY_MODES)?,
                    None => DUTY_MODES[0].to_string(),
                },
                text_vi: ctx.nonempty(&du.text_vi, "duties.text_vi")?,
                text_en: du
                    .text_en
                    .as_ref()
                    .map(|t| ctx.nonempty(t, "duties.text_en"))
                    .transpose()?,
            });
        }

        let mut distribution = Vec::new();
        for r in &raw.distribution {
            distribution.push(Recipient {
                name: ctx.nonempty(&r.name, "distribution.name")?,
                purpose: r
                    .purpose
                    .as_ref()
                    .map(|p| ctx.one_of(p, "distribution.purpose", PURPOSES))
                    .transpose()?,
                agency: r
                    .agency
                    .as_ref()
                    .map(|a| agency(a, "distribution.agency"))
                    .transpose()?,
            });
        }

        let default_lead = agency(&raw.routing.default_lead, "routing.default_lead")?;
        let mut routing = Vec::new();
        let mut routed = HashSet::new();
        for rule in &raw.routing.rules {
            let category = HarmCategory::parse(rule.category.get_ref()).ok_or_else(|| {
                ctx.err(
                    &rule.category,
                    "routing.rules.category",
                    format!(
                        "unknown harm category `{}`; expected one of: {}",
                        rule.category.get_ref(),
                        HarmCategory::expected()
                    ),
                )
            })?;
            if !routed.insert(category) {
                return Err(ctx.err(
                    &rule.category,
                    "routing.rules.category",
                    format!("`{category}` is routed twice"),
                ));
            }
            let lead = agency(&rule.lead, "routing.rules.lead")?;
            let consulted = agency_list(&rule.consulted, "routing.rules.consulted")?;
            if let Some(c) = rule.consulted.iter().find(|c| *c.get_ref() == lead) {
                return Err(ctx.err(
                    c,
                    "routing.rules.consulted",
                    format!("`{lead}` already leads this category"),
                ));
            }
            routing.push(RoutingRule {
                category,
                lead,
                consulted,
            });
        }

        let deadlines = parse_deadlines(&ctx, &raw.deadlines)?;
        let recheck_after_days = match &raw.matching.recheck_after_days {
            None => DEFAULT_RECHECK_AFTER_DAYS,
            Some(days) if !(1..=MAX_RECHECK_AFTER_DAYS).contains(days.get_ref()) => {
                return Err(ctx.err(
                    days,
                    "matching.recheck_after_days",
                    format!("must be from 1 to {MAX_RECHECK_AFTER_DAYS} days"),
                ))
            }
            Some(days) => *days.get_ref(),
        };
        let provisions = parse_provisions(&ctx, &raw.provisions, &instrument_ids)?;

        let p = &raw.portal;
        let portal = PortalSettings {
            site_name_vi: ctx.nonempty(&p.site_name_vi, "portal.site_name_vi")?,
            site_name_en: ctx.nonempty(&p.site_name_en, "portal.site_name_en")?,
            publisher: ctx.nonempty(&p.publisher, "portal.publisher")?,
            publisher_en: p
                .publisher_en
                .as_ref()
                .map(|n| ctx.nonempty(n, "portal.publisher_en"))
                .transpose()?,
            default_language: match &p.default_language {
                Some(l) => ctx.one_of(l, "portal.default_language", LANGUAGES)?,
                None => "vi".to_string(),
            },
        };

        let pack = Pack {
            directive,
            agencies,
            duties,
            distribution,
            routing,
            default_lead,
            deadlines,
            recheck_after_days,
            instruments,
            provisions,
            portal,
            verdict_labels: labels(
                &ctx,
                &raw.labels.verdict,
                "labels.verdict",
                Verdict::parse,
                Verdict::expected,
            )?,
            harm_labels: labels(
                &ctx,
                &raw.labels.harm,
                "labels.harm",
                HarmCategory::parse,
                HarmCategory::expected,
            )?,
            remedy_labels: labels(
                &ctx,
                &raw.labels.remedy,
                "labels.remedy",
                Remedy::parse,
                Remedy::expected,
            )?,
        };
        pack.check_supersession_cycles(&ctx, &raw.instruments)?;
        Ok(pack)
    }

    /// A chain of replacements that comes back to where it started has no law in force at its
    /// end; refuse it rather than let `in_force` pick an arbitrary member.
    fn check_supersession_cycles(
        &self,
        ctx: &Ctx<'_>,
        raw: &[RawInstrument],
    ) -> Result<(), PackError> {
        for (i, r) in self.instruments.iter().zip(raw) {
            let mut seen = HashSet::from([i.id.as_str()]);
            let mut at = i;
            while let Some(next) = at.superseded_by.as_deref().and_then(|n| self.instrument(n)) {
                if !seen.insert(next.id.as_str()) {
                    let span = r.superseded_by.as_ref().unwrap_or(&r.id);
                    return Err(ctx.err(
                        span,
                        "instruments.superseded_by",
                        "supersession forms a cycle",
                    ));
                }
                at = next;
            }
        }
        Ok(())
    }

    pub fn agency(&self, code: &str) -> Option<&Agency> {
        self.agencies.iter().find(|a| a.code == code)
    }

    /// The lead agency and the agencies to consult for a harm category (the default lead,
    /// consulting nobody, when the category is unknown or unrouted).
    pub fn route(&self, category: Option<HarmCategory>) -> (&str, &[String]) {
        category
            .and_then(|c| self.routing.iter().find(|r| r.category == c))
            .map_or((self.default_lead.as_str(), &[][..]), |r| {
                (r.lead.as_str(), &r.consulted[..])
            })
    }

    pub fn deadline_hours(&self, priority: Priority) -> u32 {
        // Validation guarantees every priority has a rule; a week is the fallback of last resort.
        self.deadlines
            .iter()
            .find(|d| d.priority == priority)
            .map_or(168, |d| d.hours)
    }

    /// The duties of an agency, in the order of the directive's clauses.
    pub fn duties_of<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Duty> {
        self.duties
            .iter()
            .filter(move |d| d.agencies.iter().any(|a| a == code))
    }

    pub fn duty(&self, id: &str) -> Option<&Duty> {
        self.duties.iter().find(|d| d.id == id)
    }

    pub fn provision(&self, id: &str) -> Option<&LegalProvision> {
        self.provisions.iter().find(|p| p.id == id)
    }

    pub fn instrument(&self, id: &str) -> Option<&LegalInstrument> {
        self.instruments.iter().find(|i| i.id == id)
    }

    /// The instrument in force now that replaces `instrument_id` (itself when not superseded);
    /// `None` for an unknown id.
    pub fn in_force(&self, instrument_id: &str) -> Option<&LegalInstrument> {
        self.in_force_where(instrument_id, |_| true)
    }

    /// The instrument that was in force on `date` in the line of `instrument_id`: a replacement
    /// counts only from its `effective_from` (or its date of issue when that is not recorded).
    /// Useful for content published before a replacement took effect.
    pub fn in_force_on(&self, instrument_id: &str, date: NaiveDate) -> Option<&LegalInstrument> {
        self.in_force_where(instrument_id, |next| {
            let from = next.effective_from.as_deref().unwrap_or(&next.date);
            NaiveDate::parse_from_str(from, "%Y-%m-%d").is_ok_and(|from| from <= date)
        })
    }

    fn in_force_where(
        &self,
        id: &str,
        takes_effect: impl Fn(&LegalInstrument) -> bool,
    ) -> Option<&LegalInstrument> {
        let mut at = self.instrument(id)?;
        // Validation refuses cycles; the bound only keeps a hand-built Pack from looping.
        for _ in 0..self.instruments.len() {
            match at.superseded_by.as_deref().and_then(|n| self.instrument(n)) {
                Some(next) if takes_effect(next) => at = next,
                _ => break,
            }
        }
        Some(at)
    }

    /// How a decision cites an instrument: "Nghị định 15/2020/NĐ-CP",
    /// "Luật An ninh mạng số 24/2018/QH14".
    pub fn instrument_citation(&self, id: &str) -> Option<String> {
        self.instrument(id).map(cite_instrument)
    }

    /// How a decision cites a provision, flagged when its instrument was superseded or amended
    /// so that officers see the law in force beside the one the directive cites:
    /// "Điều 101, Nghị định 15/2020/NĐ-CP (đã được sửa đổi, bổ sung bởi Nghị định 14/2022/NĐ-CP)".
    /// Vietnamese: the form the API, open data and notices carry.
    pub fn provision_citation(&self, id: &str) -> Option<String> {
        self.provision_citation_in(id, false)
    }

    /// [`Pack::provision_citation`] for a page in English when `en`: "Article 101, Decree
    /// No. 15/2020/NĐ-CP (amended and supplemented by Decree No. 14/2022/NĐ-CP)". A law keeps
    /// its Vietnamese title (the pack has no other) and every number stays as issued.
    pub fn provision_citation_in(&self, id: &str, en: bool) -> Option<String> {
        let p = self.provision(id)?;
        let inst = self.instrument(&p.instrument)?;
        let cite = |i: &LegalInstrument| cite_instrument_in(i, en);
        let mut s = match (&p.clause, en) {
            (Some(c), false) => format!("Khoản {c} Điều {}, {}", p.article, cite(inst)),
            (None, false) => format!("Điều {}, {}", p.article, cite(inst)),
            (Some(c), true) => format!("Clause {c}, Article {}, {}", p.article, cite(inst)),
            (None, true) => format!("Article {}, {}", p.article, cite(inst)),
        };
        if let Some(now) = self.in_force(&inst.id).filter(|now| now.id != inst.id) {
            let by = cite(now);
            s.push_str(&if en {
                format!(" (superseded by {by})")
            } else {
                format!(" (đã bị thay thế bởi {by})")
            });
        } else if !inst.amended_by.is_empty() {
            let by: Vec<String> = inst
                .amended_by
                .iter()
                .filter_map(|a| self.instrument(a).map(cite))
                .collect();
            let by = by.join(", ");
            s.push_str(&if en {
                format!(" (amended and supplemented by {by})")
            } else {
                format!(" (đã được sửa đổi, bổ sung bởi {by})")
            });
        }
        Some(s)
    }

    /// Whether citing this provision means citing law that is no longer in force.
    pub fn is_superseded(&self, provision_id: &str) -> bool {
        self.provision(provision_id)
            .and_then(|p| self.instrument(&p.instrument))
            .is_some_and(|i| i.superseded_by.is_some())
    }

    /// The label of a verdict in Vietnamese, or English when `en`.
    pub fn verdict_label(&self, v: Verdict, en: bool) -> String {
        pick(self.verdict_labels.get(&v), v.label_vi(), v.label_en(), en)
    }

    pub fn harm_label(&self, h: HarmCategory, en: bool) -> String {
        pick(self.harm_labels.get(&h), h.label_vi(), h.label_en(), en)
    }

    pub fn remedy_label(&self, r: Remedy, en: bool) -> String {
        pick(self.remedy_labels.get(&r), r.label_vi(), r.label_en(), en)
    }
}

fn parse_agencies(
    ctx: &Ctx<'_>,
    raw: &Spanned<Vec<RawAgency>>,
) -> Result<(Vec<Agency>, HashSet<String>), PackError> {
    if raw.get_ref().is_empty() {
        return Err(ctx.err(raw, "agencies", "a pack needs at least one agency"));
    }
    let mut agencies = Vec::new();
    let mut codes = HashSet::new();
    for a in raw.get_ref() {
        // Codes end up in URLs, form values and role grants, so keep them plain.
        if !a
            .code
            .get_ref()
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(ctx.err(
                &a.code,
                "agencies.code",
                "use lowercase ASCII letters, digits and `-`",
            ));
        }
        agencies.push(Agency {
            code: ctx.unique(&a.code, "agencies.code", &mut codes)?,
            name_vi: ctx.nonempty(&a.name_vi, "agencies.name_vi")?,
            name_en: ctx.nonempty(&a.name_en, "agencies.name_en")?,
            kind: ctx.one_of(&a.kind, "agencies.kind", AGENCY_KINDS)?,
        });
    }
    Ok((agencies, codes))
}

fn parse_instruments(
    ctx: &Ctx<'_>,
    raw: &[RawInstrument],
) -> Result<(Vec<LegalInstrument>, HashSet<String>), PackError> {
    // Ids first: an instrument may name its replacement before the replacement is listed.
    let mut ids = HashSet::new();
    for i in raw {
        ctx.unique(&i.id, "instruments.id", &mut ids)?;
    }
    let mut instruments = Vec::new();
    for i in raw {
        let id = i.id.get_ref().trim().to_string();
        let date = ctx.date(&i.date, "instruments.date")?;
        let effective_from = match &i.effective_from {
            Some(e) => {
                let from = ctx.date(e, "instruments.effective_from")?;
                if from < date {
                    return Err(ctx.err(
                        e,
                        "instruments.effective_from",
                        "takes effect before it was issued",
                    ));
                }
                Some(e.get_ref().clone())
            }
            None => None,
        };
        let superseded_by = match &i.superseded_by {
            Some(s) if s.get_ref() == &id => {
                return Err(ctx.err(
                    s,
                    "instruments.superseded_by",
                    "an instrument cannot supersede itself",
                ));
            }
            Some(s) => Some(ctx.reference(s, "instruments.superseded_by", &ids, "instrument")?),
            None => None,
        };
        let mut amended_by = Vec::new();
        for a in &i.amended_by {
            if a.get_ref() == &id {
                return Err(ctx.err(
                    a,
                    "instruments.amended_by",
                    "an instrument cannot amend itself",
                ));
            }
            amended_by.push(ctx.reference(a, "instruments.amended_by", &ids, "instrument")?);
        }
        instruments.push(LegalInstrument {
            kind: ctx.one_of(&i.kind, "instruments.kind", INSTRUMENT_KINDS)?,
            number: ctx.nonempty(&i.number, "instruments.number")?,
            date: i.date.get_ref().clone(),
            issuer: i
                .issuer
                .as_ref()
                .map(|s| ctx.nonempty(s, "instruments.issuer"))
                .transpose()?,
            title_vi: ctx.nonempty(&i.title_vi, "instruments.title_vi")?,
            title_en: i
                .title_en
                .as_ref()
                .map(|t| ctx.nonempty(t, "instruments.title_en"))
                .transpose()?,
            effective_from,
            superseded_by,
            amended_by,
            cited_by_directive: i.cited_by_directive.unwrap_or(true),
            id,
        });
    }
    Ok((instruments, ids))
}

fn parse_provisions(
    ctx: &Ctx<'_>,
    raw: &[RawProvision],
    instruments: &HashSet<String>,
) -> Result<Vec<LegalProvision>, PackError> {
    let mut provisions = Vec::new();
    let mut ids = HashSet::new();
    for p in raw {
        provisions.push(LegalProvision {
            id: ctx.unique(&p.id, "provisions.id", &mut ids)?,
            instrument: ctx.reference(
                &p.instrument,
                "provisions.instrument",
                instruments,
                "instrument",
            )?,
            article: ctx.nonempty(&p.article, "provisions.article")?,
            clause: p
                .clause
                .as_ref()
                .map(|c| ctx.nonempty(c, "provisions.clause"))
                .transpose()?,
            title_vi: ctx.nonempty(&p.title_vi, "provisions.title_vi")?,
        });
    }
    Ok(provisions)
}

/// Two years, as the matcher's own staleness default: long enough for a hoax that returns
/// every flood season to be answered at once, short enough that a verdict on something
/// that changes (a price, a rule, a health advice) is looked at again before it is repeated.
pub const DEFAULT_RECHECK_AFTER_DAYS: u32 = 730;

/// A century: a window is a promise to look again, and one longer than the desk's records
/// will live is none.
pub const MAX_RECHECK_AFTER_DAYS: u32 = 36_500;

fn parse_deadlines(
    ctx: &Ctx<'_>,
    raw: &Spanned<BTreeMap<S, Spanned<u32>>>,
) -> Result<Vec<DeadlineRule>, PackError> {
    let mut deadlines = Vec::new();
    for (key, hours) in raw.get_ref() {
        let field = format!("deadlines.{}", key.get_ref());
        let priority = Priority::parse(key.get_ref()).ok_or_else(|| {
            ctx.err(
                key,
                &field,
                format!(
                    "unknown priority; expected one of: {}",
                    Priority::expected()
                ),
            )
        })?;
        if *hours.get_ref() == 0 {
            return Err(ctx.err(hours, &field, "a deadline must be at least one hour"));
        }
        deadlines.push(DeadlineRule {
            priority,
            hours: *hours.get_ref(),
        });
    }
    for p in Priority::ALL {
        if !deadlines.iter().any(|d| d.priority == *p) {
            return Err(ctx.err(
                raw,
                &format!("deadlines.{p}"),
                format!("no deadline for priority `{p}`"),
            ));
        }
    }
    deadlines.sort_by_key(|d| d.priority);
    Ok(deadlines)
}

fn labels<K: Ord + Copy>(
    ctx: &Ctx<'_>,
    raw: &BTreeMap<S, RawLabel>,
    field: &str,
    parse: fn(&str) -> Option<K>,
    expected: fn() -> String,
) -> Result<BTreeMap<K, Label>, PackError> {
    let mut out = BTreeMap::new();
    for (key, label) in raw {
        let k = parse(key.get_ref()).ok_or_else(|| {
            ctx.err(
                key,
                field,
                format!(
                    "unknown code `{}`; expected one of: {}",
                    key.get_ref(),
                    expected()
                ),
            )
        })?;
        let here = format!("{field}.{}", key.get_ref());
        out.insert(
            k,
            Label {
                vi: ctx.nonempty(&label.vi, &format!("{here}.vi"))?,
                en: ctx.nonempty(&label.en, &format!("{here}.en"))?,
            },
        );
    }
    Ok(out)
}

fn pick(label: Option<&Label>, vi: &str, en_default: &str, en: bool) -> String {
    match (label, en) {
        (Some(l), false) => l.vi.clone(),
        (Some(l), true) => l.en.clone(),
        (None, false) => vi.to_string(),
        (None, true) => en_default.to_string(),
    }
}

/// Laws are cited by their name ("Luật An ninh mạng số 24/2018/QH14"); other instruments by
/// their kind and number, as Vietnamese official writing does.
fn cite_instrument(i: &LegalInstrument) -> String {
    cite_instrument_in(i, false)
}

fn cite_instrument_in(i: &LegalInstrument, en: bool) -> String {
    if en {
        return match i.kind.as_str() {
            // Never the Vietnamese title inside English text (a screen reader set to English
            // would read it with English sounds): the number alone names the law.
            "law" => match &i.title_en {
                Some(title) => format!("{title} No. {}", i.number),
                None => format!("Law No. {}", i.number),
            },
            "decree" => format!("Decree No. {}", i.number),
            "decision" => format!("Decision No. {}", i.number),
            "circular" => format!("Circular No. {}", i.number),
            "official_letter" => format!("Official Letter No. {}", i.number),
            _ => format!("Document No. {}", i.number),
        };
    }
    match i.kind.as_str() {
        "law" => format!("{} số {}", i.title_vi, i.number),
        "decree" => format!("Nghị định {}", i.number),
        "decision" => format!("Quyết định {}", i.number),
        "circular" => format!("Thông tư {}", i.number),
        "official_letter" => format!("Công văn {}", i.number),
        _ => format!("Văn bản {}", i.number),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Pack {
        Pack::shipped().expect("the shipped pack validates")
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    /// Replaces the first occurrence of `from` in the shipped pack, parses the result, and
    /// checks that the error points at the line where `from` was, names `field`, and says
    /// `says`.
    #[track_caller]
    fn check(from: &str, to: &str, field: &str, says: &str) {
        let at = SHIPPED
            .find(from)
            .expect("text to replace is in the shipped pack");
        check_at_line(
            from,
            to,
            SHIPPED[..at].matches('\n').count() + 1,
            field,
            says,
        );
    }

    #[track_caller]
    fn check_at_line(from: &str, to: &str, line: usize, field: &str, says: &str) {
        assert!(SHIPPED.contains(from), "`{from}` is in the shipped pack");
        let src = SHIPPED.replacen(from, to, 1);
        let e = Pack::parse("test.toml", &src).expect_err("the edited pack must be refused");
        assert_eq!(
            (e.file.as_str(), e.line, e.field.as_str()),
            ("test.toml", Some(line), field),
            "{e}"
        );
        assert!(
            e.message.contains(says),
            "`{}` should say `{says}`",
            e.message
        );
        assert!(
            e.to_string()
                .starts_with(&format!("test.toml:{line}: field `{field}`: ")),
            "{e}"
        );
    }

    fn line_containing(needle: &str) -> usize {
        let at = SHIPPED.find(needle).expect("needle is in the shipped pack");
        SHIPPED[..at].matches('\n').count() + 1
    }

    #[test]
    fn shipped_pack_holds_the_directive() {
        let p = shipped();
        assert_eq!(p.directive.issuer, "Ủy ban nhân dân huyện Ngọc Hồi");
        assert_eq!(p.directive.number, "/UBND-TH");
        assert_eq!(p.directive.implements.as_deref(), Some("cv3855-2021"));
        for code in [
            "vhtt",
            "ca",
            "ttvh",
            "cong-ttdt",
            "vp",
            "mttq",
            "doan-the",
            "btg",
            "co-quan-huyen",
        ] {
            assert!(p.agency(code).is_some(), "agency {code}");
        }
        let communes: Vec<&str> = p
            .agencies
            .iter()
            .filter(|a| a.kind == "commune")
            .map(|a| a.code.as_str())
            .collect();
        assert_eq!(
            communes.len(),
            8,
            "one township and seven communes: {communes:?}"
        );
        let clauses: HashSet<&str> = p.duties.iter().map(|d| d.clause.as_str()).collect();
        assert_eq!(clauses, HashSet::from(["1", "2", "3", "4", "5", "6"]));
        // Every duty reads in English on the English pages.
        for d in &p.duties {
            assert!(
                d.text_en.as_deref().is_some_and(|t| !t.is_empty()),
                "{}",
                d.id
            );
            assert_eq!(d.text_in(false), d.text_vi, "{}", d.id);
        }
        // Clause 1 binds every commune; clauses 5 and 6 are requests to bodies the issuer does
        // not command.
        for c in &communes {
            assert!(
                p.duties_of(c).any(|d| d.clause == "1"),
                "{c} has the duties of clause 1"
            );
        }
        assert!(p
            .duties
            .iter()
            .filter(|d| d.clause == "5" || d.clause == "6")
            .all(|d| d.mode == "request"));
        let purposes: HashSet<&str> = p
            .distribution
            .iter()
            .filter_map(|r| r.purpose.as_deref())
            .collect();
        assert_eq!(purposes, HashSet::from(["b/c", "p/h", "t/h", "lưu"]));
        assert_eq!(p.portal.default_language, "vi");
        assert_eq!(
            p.portal.publisher_in(false),
            "Ủy ban nhân dân huyện Ngọc Hồi"
        );
        assert_eq!(
            p.portal.publisher_in(true),
            "People's Committee of Ngọc Hồi district"
        );
    }

    #[test]
    fn every_harm_category_is_routed_to_a_known_agency() {
        let p = shipped();
        for h in HarmCategory::ALL {
            let (lead, consulted) = p.route(Some(*h));
            assert!(p.agency(lead).is_some(), "{h}");
            assert!(
                consulted.iter().all(|c| p.agency(c).is_some() && c != lead),
                "{h}"
            );
        }
        assert_eq!(
            p.route(Some(HarmCategory::Scam)),
            ("ca", &["vhtt".to_string()][..])
        );
        assert_eq!(p.route(Some(HarmCategory::Health)).0, "vhtt");
        assert!(p
            .route(Some(HarmCategory::Disaster))
            .1
            .contains(&"cong-ttdt".to_string()));
        assert_eq!(p.route(None), ("vhtt", &[][..]));
    }

    #[test]
    fn deadlines_follow_priority() {
        let p = shipped();
        let hours: Vec<u32> = Priority::ALL
            .iter()
            .map(|pr| p.deadline_hours(*pr))
            .collect();
        assert_eq!(hours, [24, 72, 168, 336]);
    }

    #[test]
    fn replaced_decrees_point_to_the_law_in_force() {
        let p = shipped();
        assert_eq!(
            p.in_force("nd72-2013").map(|i| i.number.as_str()),
            Some("147/2024/NĐ-CP")
        );
        assert_eq!(
            p.in_force("nd27-2018").map(|i| i.number.as_str()),
            Some("147/2024/NĐ-CP")
        );
        assert_eq!(
            p.in_force("nd15-2020").map(|i| i.id.as_str()),
            Some("nd15-2020")
        );
        assert_eq!(p.in_force("unknown"), None);
        assert!(
            !p.instrument("nd147-2024")
                .expect("147/2024")
                .cited_by_directive
        );
        assert!(
            p.instrument("nd72-2013")
                .expect("72/2013")
                .cited_by_directive
        );

        // The 2025 Cybersecurity Law merged and replaced both laws the letter cites.
        for old in ["luat-anm-2018", "luat-attt-2015"] {
            assert_eq!(
                p.in_force(old).map(|i| i.number.as_str()),
                Some("116/2025/QH15"),
                "{old}"
            );
        }
        assert_eq!(
            p.instrument_citation("luat-anm-2025").as_deref(),
            Some("Luật An ninh mạng số 116/2025/QH15")
        );

        // Before 147/2024 took effect on 25/12/2024, 72/2013 was the law.
        assert_eq!(
            p.in_force_on("nd72-2013", date("2024-12-24"))
                .map(|i| i.id.as_str()),
            Some("nd72-2013")
        );
        assert_eq!(
            p.in_force_on("nd72-2013", date("2024-12-25"))
                .map(|i| i.id.as_str()),
            Some("nd147-2024")
        );
    }

    #[test]
    fn citations_flag_superseded_and_amended_law() {
        let p = shipped();
        assert!(p.is_superseded("nd72-2013-d5"));
        assert_eq!(
            p.provision_citation("nd72-2013-d5").as_deref(),
            Some("Điều 5, Nghị định 72/2013/NĐ-CP (đã bị thay thế bởi Nghị định 147/2024/NĐ-CP)")
        );
        assert!(!p.is_superseded("nd15-2020-d101"));
        assert_eq!(
            p.provision_citation("nd15-2020-d101").as_deref(),
            Some(
                "Điều 101, Nghị định 15/2020/NĐ-CP (đã được sửa đổi, bổ sung bởi Nghị định 14/2022/NĐ-CP)"
            )
        );
        let anm = p
            .provision_citation("luat-anm-2018-d16-k5")
            .expect("citation");
        assert!(
            anm.starts_with("Khoản 5 Điều 16, Luật An ninh mạng số 24/2018/QH14"),
            "{anm}"
        );
        assert_eq!(p.provision_citation("no-such-provision"), None);
        // In English, for the English pages; the numbers stay as issued.
        assert_eq!(
            p.provision_citation_in("nd72-2013-d5", true).as_deref(),
            Some("Article 5, Decree No. 72/2013/NĐ-CP (superseded by Decree No. 147/2024/NĐ-CP)")
        );
        assert_eq!(
            p.provision_citation_in("nd15-2020-d101", true).as_deref(),
            Some(
                "Article 101, Decree No. 15/2020/NĐ-CP (amended and supplemented by Decree No. 14/2022/NĐ-CP)"
            )
        );
        let anm = p
            .provision_citation_in("luat-anm-2018-d16-k5", true)
            .expect("citation");
        assert!(
            anm.starts_with("Clause 5, Article 16, Law on Cybersecurity No. 24/2018/QH14"),
            "{anm}"
        );
        let mut untitled = p.clone();
        for i in &mut untitled.instruments {
            i.title_en = None;
        }
        let anm = untitled
            .provision_citation_in("luat-anm-2018-d16-k5", true)
            .expect("citation");
        assert!(
            anm.starts_with(
                "Clause 5, Article 16, Law No. 24/2018/QH14 (superseded by Law No. 116/2025/QH15)"
            ),
            "{anm}"
        );
    }

    #[test]
    fn labels_override_the_built_in_wording() {
        let src = SHIPPED.replacen(
            "false = { vi = \"Sai sự thật\", en = \"False\" }",
            "false = { vi = \"Tin sai\", en = \"Fake\" }",
            1,
        );
        let p = Pack::parse("test.toml", &src).expect("valid");
        assert_eq!(p.verdict_label(Verdict::False, false), "Tin sai");
        assert_eq!(p.verdict_label(Verdict::False, true), "Fake");
        assert_eq!(
            shipped().verdict_label(Verdict::False, false),
            Verdict::False.label_vi()
        );
        assert_eq!(
            shipped().remedy_label(Remedy::Notice, true),
            Remedy::Notice.label_en()
        );
    }

    #[test]
    fn syntax_and_type_errors_name_line_and_field() {
        check("code = \"ca\"", "code = \"ca", "agencies.code", "");
        check(
            "urgent = 24",
            "urgent = \"một ngày\"",
            "deadlines.urgent",
            "",
        );
        check(
            "site_name_vi =",
            "site_name =",
            "portal.site_name",
            "unknown field",
        );
        // A key given twice is reported where it is given the second time.
        let second = line_containing("kind = \"police\"") + 1;
        check_at_line(
            "kind = \"police\"",
            "kind = \"police\"\nkind = \"media\"",
            second,
            "agencies.kind",
            "duplicate key",
        );
        check_at_line("format = 1\n", "", 1, "format", "missing field");
        check(
            "en = \"False\" }",
            "en = 1 }",
            "labels.verdict.false",
            "invalid type",
        );
        check(
            "agencies = [\"btg\"]",
            "agencies = \"btg\"",
            "duties.agencies",
            "invalid type",
        );
        // A missing key is reported at the table that lacks it.
        let police = line_containing("code = \"ca\"") - 1;
        check_at_line(
            "name_en = \"District Police\"\n",
            "",
            police,
            "agencies.name_en",
            "missing field",
        );
    }

    #[test]
    fn broken_references_name_line_and_field() {
        check(
            "lead = \"ca\"",
            "lead = \"cong-an\"",
            "routing.rules.lead",
            "unknown agency `cong-an`",
        );
        check(
            "default_lead = \"vhtt\"",
            "default_lead = \"phong-vh\"",
            "routing.default_lead",
            "unknown agency",
        );
        check(
            "consulted = [\"vhtt\"]",
            "consulted = [\"vhtt\", \"ca\"]",
            "routing.rules.consulted",
            "already leads",
        );
        // The safeguard itself: a pack cannot route a political-opinion category, because
        // no such harm category exists (the desk judges content, never views).
        check(
            "category = \"scam\"",
            "category = \"political_opinion\"",
            "routing.rules.category",
            "unknown harm category",
        );
        check(
            "category = \"health\"",
            "category = \"scam\"",
            "routing.rules.category",
            "routed twice",
        );
        check(
            "agencies = [\"vhtt\"]",
            "agencies = [\"phong-vhtt\"]",
            "duties.agencies",
            "unknown agency `phong-vhtt`",
        );
        check(
            "agency = \"mttq\"",
            "agency = \"mat-tran\"",
            "distribution.agency",
            "unknown agency",
        );
        check(
            "implements = \"cv3855-2021\"",
            "implements = \"cv3855\"",
            "directive.implements",
            "unknown instrument",
        );
        check(
            "superseded_by = \"nd147-2024\"",
            "superseded_by = \"nd999\"",
            "instruments.superseded_by",
            "unknown instrument",
        );
        check(
            "amended_by = [\"nd14-2022\"]",
            "amended_by = [\"nd14\"]",
            "instruments.amended_by",
            "unknown instrument",
        );
        check(
            "instrument = \"nd15-2020\"",
            "instrument = \"nd16-2020\"",
            "provisions.instrument",
            "unknown instrument",
        );
    }

    #[test]
    fn duplicates_and_bad_values_name_line_and_field() {
        check(
            "code = \"xa-bo-y\"",
            "code = \"xa-dak-kan\"",
            "agencies.code",
            "duplicate `xa-dak-kan`",
        );
        check(
            "code = \"xa-bo-y\"",
            "code = \"Xã Bờ Y\"",
            "agencies.code",
            "lowercase",
        );
        check(
            "id = \"3.2-ra-soat\"",
            "id = \"3.1-phat-hien-xu-ly\"",
            "duties.id",
            "duplicate",
        );
        check(
            "id = \"nd14-2022\"",
            "id = \"nd15-2020\"",
            "instruments.id",
            "duplicate",
        );
        check(
            "id = \"luat-attt-2015-d7\"",
            "id = \"luat-anm-2018-d8\"",
            "provisions.id",
            "duplicate",
        );
        check(
            "kind = \"police\"",
            "kind = \"army\"",
            "agencies.kind",
            "not one of",
        );
        check(
            "recurrence = \"per_case\"",
            "recurrence = \"sometimes\"",
            "duties.recurrence",
            "not one of",
        );
        check(
            "purpose = \"b/c\"",
            "purpose = \"bc\"",
            "distribution.purpose",
            "not one of",
        );
        check(
            "date = \"2013-07-15\"",
            "date = \"15/7/2013\"",
            "instruments.date",
            "not a date",
        );
        check(
            "effective_from = \"2013-09-01\"",
            "effective_from = \"2013-01-01\"",
            "instruments.effective_from",
            "before",
        );
        check(
            "urgent = 24",
            "urgent = 0",
            "deadlines.urgent",
            "at least one hour",
        );
        let soon = line_containing("urgent = 24") + 1;
        check_at_line(
            "urgent = 24",
            "urgent = 24\nsoon = 12",
            soon,
            "deadlines.soon",
            "unknown priority",
        );
        check(
            "misleading = {",
            "misleading_claim = {",
            "labels.verdict",
            "unknown code",
        );
        check("format = 1", "format = 2", "format", "pack format 1");
        check(
            "recheck_after_days = 730",
            "recheck_after_days = 0",
            "matching.recheck_after_days",
            "from 1 to 36500 days",
        );
        check(
            "recheck_after_days = 730",
            "recheck_after_days = 100000000",
            "matching.recheck_after_days",
            "from 1 to 36500 days",
        );
    }

    #[test]
    fn verdicts_are_rechecked_after_the_packs_days_or_two_years() {
        assert_eq!(shipped().recheck_after_days, 730);
        let src = SHIPPED.replacen("recheck_after_days = 730", "recheck_after_days = 90", 1);
        let p = Pack::parse("test.toml", &src).expect("a shorter window is valid");
        assert_eq!(p.recheck_after_days, 90);
        let start = SHIPPED
            .find("[matching]")
            .expect("the shipped pack has [matching]");
        let end = start + SHIPPED[start..].find("\n\n").expect("a blank line ends it");
        let without = format!("{}{}", &SHIPPED[..start], &SHIPPED[end..]);
        let p = Pack::parse("test.toml", &without).expect("[matching] is optional");
        assert_eq!(p.recheck_after_days, DEFAULT_RECHECK_AFTER_DAYS);
    }

    #[test]
    fn a_missing_deadline_points_at_the_deadline_table() {
        check_at_line(
            "low = 336\n",
            "",
            line_containing("[deadlines]"),
            "deadlines.low",
            "no deadline",
        );
    }

    /// docs/pack.md is what another district writes its pack from: every value the parser
    /// accepts must be listed there.
    #[test]
    fn the_format_reference_lists_every_accepted_value() {
        let doc = include_str!("../../../docs/pack.md");
        let lists = [
            AGENCY_KINDS,
            DUTY_KINDS,
            RECURRENCES,
            DUTY_MODES,
            INSTRUMENT_KINDS,
            LANGUAGES,
            PURPOSES,
        ];
        let codes = HarmCategory::ALL
            .iter()
            .map(|h| h.as_str())
            .chain(Verdict::ALL.iter().map(|v| v.as_str()))
            .chain(Remedy::ALL.iter().map(|r| r.as_str()))
            .chain(Priority::ALL.iter().map(|p| p.as_str()));
        for value in lists.iter().flat_map(|l| l.iter().copied()).chain(codes) {
            assert!(
                doc.contains(&format!("`{value}`")),
                "docs/pack.md does not mention `{value}`"
            );
        }
        assert!(doc.contains(&format!("format = {FORMAT}")));
    }

    #[test]
    fn supersession_cycles_are_refused() {
        let src = SHIPPED.replacen(
            "title_vi = \"Nghị định về quản lý, cung cấp, sử dụng dịch vụ Internet và thông tin trên mạng\"\neffective_from = \"2024-12-25\"",
            "title_vi = \"Nghị định về quản lý, cung cấp, sử dụng dịch vụ Internet và thông tin trên mạng\"\neffective_from = \"2024-12-25\"\nsuperseded_by = \"nd72-2013\"",
            1,
        );
        assert_ne!(src, SHIPPED, "the 147/2024 entry was found");
        let e = Pack::parse("test.toml", &src).expect_err("cycle");
        assert_eq!(e.field, "instruments.superseded_by", "{e}");
        assert!(e.message.contains("cycle"), "{e}");
    }
}
