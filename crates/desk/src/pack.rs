//! The directive pack: the directive as data (agencies, duties, routing, deadlines, the law it
//! cites), so that another district loads its own. Parsing and validation only; the caller
//! reads the file and the store keeps the text it loaded.
//!
//! Every error names the file, the line and the field, for syntax errors as well as for
//! references that do not resolve.

use crate::{HarmCategory, Priority, Remedy, Verdict};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use toml::Spanned;

const SHIPPED_NAME: &str = "packs/ngoc-hoi.toml";
const SHIPPED: &str = include_str!("../../../packs/ngoc-hoi.toml");

/// The pack format this build reads.
pub const FORMAT: u32 = 1;

pub const PURPOSES: &[&str] = &["t/h", "b/c", "p/h", "lưu"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError {
    pub file: String,
    pub line: Option<usize>,
    pub field: String,
    pub message: String,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(
                f,
                "{}:{}: field `{}`: {}",
                self.file, line, self.field, self.message
            ),
            None => write!(f, "{}: field `{}`: {}", self.file, self.field, self.message),
        }
    }
}

impl std::error::Error for PackError {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveMeta {
    pub number: String,
    pub date: String,
    pub issuer: String,
    pub subject: String,
    pub implements: Option<String>,
    pub signer: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duty {
    pub id: String,
    pub clause: String,
    pub agencies: Vec<String>,
    pub kind: String,
    pub recurrence: String,
    pub text_vi: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub name: String,
    /// `t/h`, `b/c`, `p/h` or `lưu`; `None` where the directive gives no purpose.
    pub purpose: Option<String>,
    pub agency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingRule {
    pub category: HarmCategory,
    pub lead: String,
    pub consulted: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineRule {
    pub priority: Priority,
    pub hours: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalInstrument {
    pub id: String,
    pub kind: String,
    pub number: String,
    pub date: String,
    pub title_vi: String,
    pub effective_from: Option<String>,
    pub superseded_by: Option<String>,
    pub amended_by: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalProvision {
    pub id: String,
    pub instrument: String,
    pub article: String,
    pub clause: Option<String>,
    pub title_vi: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalSettings {
    pub site_name_vi: String,
    pub site_name_en: String,
    pub publisher: String,
    pub default_language: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Label {
    pub vi: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pack {
    pub directive: DirectiveMeta,
    pub agencies: Vec<Agency>,
    pub duties: Vec<Duty>,
    pub distribution: Vec<Recipient>,
    pub routing: Vec<RoutingRule>,
    pub default_lead: String,
    pub deadlines: Vec<DeadlineRule>,
    pub instruments: Vec<LegalInstrument>,
    pub provisions: Vec<LegalProvision>,
    pub portal: PortalSettings,
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
    agencies: Vec<RawAgency>,
    #[serde(default)]
    duties: Vec<RawDuty>,
    #[serde(default)]
    distribution: Vec<RawRecipient>,
    routing: RawRouting,
    deadlines: Spanned<BTreeMap<String, Spanned<u32>>>,
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
    agencies: Vec<S>,
    kind: S,
    recurrence: S,
    text_vi: S,
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
    title_vi: S,
    effective_from: Option<S>,
    superseded_by: Option<S>,
    #[serde(default)]
    amended_by: Vec<S>,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPortal {
    site_name_vi: S,
    site_name_en: S,
    publisher: S,
    #[serde(default = "default_language")]
    default_language: String,
}

fn default_language() -> String {
    "vi".to_string()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLabels {
    #[serde(default)]
    verdict: BTreeMap<Spanned<String>, RawLabel>,
    #[serde(default)]
    harm: BTreeMap<Spanned<String>, RawLabel>,
    #[serde(default)]
    remedy: BTreeMap<Spanned<String>, RawLabel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLabel {
    vi: String,
    en: String,
}

const AGENCY_KINDS: &[&str] = &[
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
const DUTY_KINDS: &[&str] = &[
    "propaganda",
    "monitoring",
    "handling",
    "publishing",
    "coordination",
    "training",
    "review",
    "reporting",
];
const RECURRENCES: &[&str] = &["ongoing", "periodic", "per_case"];
const INSTRUMENT_KINDS: &[&str] = &["law", "decree", "decision", "circular", "official_letter"];

/// Collects the context needed to turn a byte span into `file:line`.
struct Ctx<'a> {
    file: &'a str,
    src: &'a str,
}

impl Ctx<'_> {
    fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.src.len());
        self.src.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
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
}

fn syntax_error(file: &str, src: &str, e: &toml::de::Error) -> PackError {
    let ctx = Ctx { file, src };
    let line = e.span().map(|s| ctx.line_of(s.start));
    let message = e.message().trim().to_string();
    // serde names the field in its messages ("missing field `x`", "unknown field `x`"); for a
    // bad value the key is the text before `=` on the offending line.
    let field = message
        .split('`')
        .nth(1)
        .filter(|_| message.contains("field `"))
        .map(str::to_string)
        .or_else(|| {
            let l = line?;
            let text = src.lines().nth(l - 1)?;
            let key = text
                .split('=')
                .next()?
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']');
            (!key.is_empty()).then(|| key.to_string())
        })
        .unwrap_or_else(|| "(document)".to_string());
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

        let d = &raw.directive;
        let directive = DirectiveMeta {
            number: ctx.nonempty(&d.number, "directive.number")?,
            date: ctx.nonempty(&d.date, "directive.date")?,
            issuer: ctx.nonempty(&d.issuer, "directive.issuer")?,
            subject: ctx.nonempty(&d.subject, "directive.subject")?,
            implements: d.implements.as_ref().map(|s| s.get_ref().clone()),
            signer: d.signer.clone(),
            note: d.note.clone(),
        };

        if raw.agencies.is_empty() {
            return Err(PackError {
                file: file.to_string(),
                line: None,
                field: "agencies".into(),
                message: "a pack needs at least one agency".into(),
            });
        }
        let mut agencies = Vec::new();
        let mut codes = HashSet::new();
        for a in &raw.agencies {
            let code = ctx.nonempty(&a.code, "agencies.code")?;
            if !code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(ctx.err(
                    &a.code,
                    "agencies.code",
                    "use lowercase ASCII letters, digits and `-`",
                ));
            }
            if !codes.insert(code.clone()) {
                return Err(ctx.err(
                    &a.code,
                    "agencies.code",
                    format!("duplicate agency code `{code}`"),
                ));
            }
            agencies.push(Agency {
                code,
                name_vi: ctx.nonempty(&a.name_vi, "agencies.name_vi")?,
                name_en: ctx.nonempty(&a.name_en, "agencies.name_en")?,
                kind: ctx.one_of(&a.kind, "agencies.kind", AGENCY_KINDS)?,
            });
        }
        let agency_ref = |s: &S, field: &str| -> Result<String, PackError> {
            if codes.contains(s.get_ref()) {
                Ok(s.get_ref().clone())
            } else {
                Err(ctx.err(s, field, format!("unknown agency `{}`", s.get_ref())))
            }
        };

        let mut duties = Vec::new();
        let mut duty_ids = HashSet::new();
        for du in &raw.duties {
            let id = ctx.nonempty(&du.id, "duties.id")?;
            if !duty_ids.insert(id.clone()) {
                return Err(ctx.err(&du.id, "duties.id", format!("duplicate duty id `{id}`")));
            }
            if du.agencies.is_empty() {
                return Err(ctx.err(
                    &du.id,
                    "duties.agencies",
                    "a duty needs at least one agency",
                ));
            }
            duties.push(Duty {
                id,
                clause: ctx.nonempty(&du.clause, "duties.clause")?,
                agencies: du
                    .agencies
                    .iter()
                    .map(|a| agency_ref(a, "duties.agencies"))
                    .collect::<Result<_, _>>()?,
                kind: ctx.one_of(&du.kind, "duties.kind", DUTY_KINDS)?,
                recurrence: ctx.one_of(&du.recurrence, "duties.recurrence", RECURRENCES)?,
                text_vi: ctx.nonempty(&du.text_vi, "duties.text_vi")?,
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
                    .map(|a| agency_ref(a, "distribution.agency"))
                    .transpose()?,
            });
        }

        let default_lead = agency_ref(&raw.routing.default_lead, "routing.default_lead")?;
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
            routing.push(RoutingRule {
                category,
                lead: agency_ref(&rule.lead, "routing.rules.lead")?,
                consulted: rule
                    .consulted
                    .iter()
                    .map(|c| agency_ref(c, "routing.rules.consulted"))
                    .collect::<Result<_, _>>()?,
            });
        }

        let mut deadlines = Vec::new();
        for (key, hours) in raw.deadlines.get_ref() {
            let priority = Priority::parse(key).ok_or_else(|| {
                ctx.err(
                    hours,
                    &format!("deadlines.{key}"),
                    format!(
                        "unknown priority; expected one of: {}",
                        Priority::expected()
                    ),
                )
            })?;
            if *hours.get_ref() == 0 {
                return Err(ctx.err(
                    hours,
                    &format!("deadlines.{key}"),
                    "a deadline must be at least one hour",
                ));
            }
            deadlines.push(DeadlineRule {
                priority,
                hours: *hours.get_ref(),
            });
        }
        for p in Priority::ALL {
            if !deadlines.iter().any(|d| d.priority == *p) {
                return Err(ctx.err(
                    &raw.deadlines,
                    &format!("deadlines.{p}"),
                    format!("no deadline for priority `{p}`"),
                ));
            }
        }

        let mut instruments = Vec::new();
        let mut instrument_ids = HashSet::new();
        for i in &raw.instruments {
            let id = ctx.nonempty(&i.id, "instruments.id")?;
            if !instrument_ids.insert(id.clone()) {
                return Err(ctx.err(
                    &i.id,
                    "instruments.id",
                    format!("duplicate instrument id `{id}`"),
                ));
            }
        }
        let instrument_ref = |s: &S, field: &str| -> Result<String, PackError> {
            if instrument_ids.contains(s.get_ref()) {
                Ok(s.get_ref().clone())
            } else {
                Err(ctx.err(s, field, format!("unknown instrument `{}`", s.get_ref())))
            }
        };
        for i in &raw.instruments {
            let date_field = |s: &S, field: &str| -> Result<String, PackError> {
                let v = s.get_ref();
                if chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok() {
                    Ok(v.clone())
                } else {
                    Err(ctx.err(s, field, format!("`{v}` is not a date (YYYY-MM-DD)")))
                }
            };
            let superseded_by = i
                .superseded_by
                .as_ref()
                .map(|s| instrument_ref(s, "instruments.superseded_by"))
                .transpose()?;
            if superseded_by.as_deref() == Some(i.id.get_ref().as_str()) {
                return Err(ctx.err(
                    &i.id,
                    "instruments.superseded_by",
                    "an instrument cannot supersede itself",
                ));
            }
            instruments.push(LegalInstrument {
                id: i.id.get_ref().clone(),
                kind: ctx.one_of(&i.kind, "instruments.kind", INSTRUMENT_KINDS)?,
                number: ctx.nonempty(&i.number, "instruments.number")?,
                date: date_field(&i.date, "instruments.date")?,
                title_vi: ctx.nonempty(&i.title_vi, "instruments.title_vi")?,
                effective_from: i
                    .effective_from
                    .as_ref()
                    .map(|s| date_field(s, "instruments.effective_from"))
                    .transpose()?,
                superseded_by,
                amended_by: i
                    .amended_by
                    .iter()
                    .map(|s| instrument_ref(s, "instruments.amended_by"))
                    .collect::<Result<_, _>>()?,
            });
        }

        let mut provisions = Vec::new();
        let mut provision_ids = HashSet::new();
        for p in &raw.provisions {
            let id = ctx.nonempty(&p.id, "provisions.id")?;
            if !provision_ids.insert(id.clone()) {
                return Err(ctx.err(
                    &p.id,
                    "provisions.id",
                    format!("duplicate provision id `{id}`"),
                ));
            }
            provisions.push(LegalProvision {
                id,
                instrument: instrument_ref(&p.instrument, "provisions.instrument")?,
                article: ctx.nonempty(&p.article, "provisions.article")?,
                clause: p.clause.as_ref().map(|c| c.get_ref().clone()),
                title_vi: ctx.nonempty(&p.title_vi, "provisions.title_vi")?,
            });
        }

        let portal = PortalSettings {
            site_name_vi: ctx.nonempty(&raw.portal.site_name_vi, "portal.site_name_vi")?,
            site_name_en: ctx.nonempty(&raw.portal.site_name_en, "portal.site_name_en")?,
            publisher: ctx.nonempty(&raw.portal.publisher, "portal.publisher")?,
            default_language: raw.portal.default_language.clone(),
        };

        let pack = Pack {
            directive,
            agencies,
            duties,
            distribution,
            routing,
            default_lead,
            deadlines,
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
                    return Err(ctx.err(
                        &r.id,
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

    pub fn provision(&self, id: &str) -> Option<&LegalProvision> {
        self.provisions.iter().find(|p| p.id == id)
    }

    pub fn instrument(&self, id: &str) -> Option<&LegalInstrument> {
        self.instruments.iter().find(|i| i.id == id)
    }

    /// The instrument in force that replaces `instrument_id` (itself when not superseded).
    pub fn in_force(&self, instrument_id: &str) -> Option<&LegalInstrument> {
        let mut at = self.instrument(instrument_id)?;
        let mut steps = 0;
        while let Some(next) = at.superseded_by.as_deref().and_then(|n| self.instrument(n)) {
            at = next;
            steps += 1;
            if steps > self.instruments.len() {
                break;
            }
        }
        Some(at)
    }

    /// How a decision cites a provision, flagged when its instrument was superseded or amended
    /// so that officers see the law in force beside the one the directive cites.
    pub fn provision_citation(&self, id: &str) -> Option<String> {
        let p = self.provision(id)?;
        let inst = self.instrument(&p.instrument)?;
        let mut s = match &p.clause {
            Some(c) => format!(
                "Khoản {c} Điều {}, {} {}",
                p.article,
                kind_vi(&inst.kind),
                inst.number
            ),
            None => format!(
                "Điều {}, {} {}",
                p.article,
                kind_vi(&inst.kind),
                inst.number
            ),
        };
        if let Some(now) = self.in_force(&inst.id).filter(|now| now.id != inst.id) {
            s.push_str(&format!(
                " (đã được thay thế bởi {} {})",
                kind_vi(&now.kind),
                now.number
            ));
        } else if !inst.amended_by.is_empty() {
            let by: Vec<&str> = inst
                .amended_by
                .iter()
                .filter_map(|a| self.instrument(a).map(|i| i.number.as_str()))
                .collect();
            s.push_str(&format!(
                " (đã được sửa đổi, bổ sung bởi {})",
                by.join(", ")
            ));
        }
        Some(s)
    }

    /// Whether citing this provision means citing law that is no longer in force.
    pub fn is_superseded(&self, provision_id: &str) -> bool {
        self.provision(provision_id)
            .and_then(|p| self.instrument(&p.instrument))
            .is_some_and(|i| i.superseded_by.is_some())
    }

    pub fn verdict_label(&self, v: Verdict, en: bool) -> String {
        pick(self.verdict_labels.get(&v), v.label_vi(), v.label_en(), en)
    }

    pub fn harm_label(&self, h: HarmCategory, en: bool) -> String {
        pick(self.harm_labels.get(&h), h.label_vi(), h.label_en(), en)
    }
}

fn pick(label: Option<&Label>, vi: &str, en_default: &str, en: bool) -> String {
    match (label, en) {
        (Some(l), false) => l.vi.clone(),
        (Some(l), true) => l.en.clone(),
        (None, false) => vi.to_string(),
        (None, true) => en_default.to_string(),
    }
}

fn kind_vi(kind: &str) -> &'static str {
    match kind {
        "law" => "Luật",
        "decree" => "Nghị định",
        "decision" => "Quyết định",
        "circular" => "Thông tư",
        _ => "Văn bản",
    }
}

fn labels<K: Ord + Copy>(
    ctx: &Ctx<'_>,
    raw: &BTreeMap<Spanned<String>, RawLabel>,
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
        out.insert(
            k,
            Label {
                vi: label.vi.clone(),
                en: label.en.clone(),
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Pack {
        Pack::shipped().expect("the shipped pack validates")
    }

    /// Replaces the first occurrence of `from` in the shipped pack and returns the error.
    fn broken(from: &str, to: &str) -> (PackError, usize) {
        let at = SHIPPED
            .find(from)
            .expect("text to replace is in the shipped pack");
        let line = SHIPPED[..at].matches('\n').count() + 1;
        let src = SHIPPED.replacen(from, to, 1);
        (Pack::parse("test.toml", &src).expect_err("must fail"), line)
    }

    #[test]
    fn shipped_pack_holds_the_directive() {
        let p = shipped();
        assert_eq!(p.directive.issuer, "Ủy ban nhân dân huyện Ngọc Hồi");
        for code in [
            "vhtt",
            "ca",
            "ttvh",
            "cong-ttdt",
            "mttq",
            "doan-the",
            "btg",
            "tt-plei-kan",
        ] {
            assert!(p.agency(code).is_some(), "agency {code}");
        }
        let clauses: HashSet<&str> = p.duties.iter().map(|d| d.clause.as_str()).collect();
        for c in ["1", "2", "3", "4", "5", "6"] {
            assert!(clauses.contains(c), "a duty for clause {c}");
        }
        let purposes: HashSet<&str> = p
            .distribution
            .iter()
            .filter_map(|r| r.purpose.as_deref())
            .collect();
        for purpose in ["b/c", "p/h", "t/h"] {
            assert!(purposes.contains(purpose));
        }
        for h in HarmCategory::ALL {
            let (lead, _) = p.route(Some(*h));
            assert!(p.agency(lead).is_some());
        }
        assert_eq!(p.route(None).0, "vhtt");
        assert_eq!(p.deadline_hours(Priority::Urgent), 24);
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
        assert!(p.is_superseded("nd72-2013-d5"));
        let c = p.provision_citation("nd72-2013-d5").expect("citation");
        assert!(
            c.contains("72/2013/NĐ-CP") && c.contains("thay thế bởi Nghị định 147/2024/NĐ-CP"),
            "{c}"
        );
        let c = p.provision_citation("nd15-2020-d101").expect("citation");
        assert!(c.contains("sửa đổi, bổ sung bởi 14/2022/NĐ-CP"), "{c}");
        assert_eq!(p.in_force("unknown"), None);
    }

    #[test]
    fn syntax_errors_name_file_line_and_field() {
        let (e, line) = broken("code = \"ca\"", "code = \"ca");
        assert_eq!(e.file, "test.toml");
        assert_eq!(e.line, Some(line), "{e}");
        let (e, line) = broken("urgent = 24", "urgent = \"một ngày\"");
        assert_eq!((e.line, e.field.as_str()), (Some(line), "urgent"), "{e}");
        let (e, _) = broken("site_name_vi =", "site_name =");
        assert!(e.field == "site_name" || e.field == "site_name_vi", "{e}");
    }

    #[test]
    fn unresolved_references_name_line_and_field() {
        let (e, line) = broken("lead = \"ca\"", "lead = \"cong-an\"");
        assert_eq!(
            (e.line, e.field.as_str()),
            (Some(line), "routing.rules.lead"),
            "{e}"
        );
        assert!(e.message.contains("unknown agency `cong-an`"));
        let (e, line) = broken("category = \"scam\"", "category = \"political_opinion\"");
        assert_eq!(
            (e.line, e.field.as_str()),
            (Some(line), "routing.rules.category"),
            "{e}"
        );
        let (e, line) = broken(
            "superseded_by = \"nd147-2024\"",
            "superseded_by = \"nd999\"",
        );
        assert_eq!(
            (e.line, e.field.as_str()),
            (Some(line), "instruments.superseded_by"),
            "{e}"
        );
        let (e, line) = broken("instrument = \"nd15-2020\"", "instrument = \"nd16-2020\"");
        assert_eq!(
            (e.line, e.field.as_str()),
            (Some(line), "provisions.instrument"),
            "{e}"
        );
        let (e, line) = broken("code = \"xa-bo-y\"", "code = \"xa-dak-kan\"");
        assert_eq!(
            (e.line, e.field.as_str()),
            (Some(line), "agencies.code"),
            "{e}"
        );
        assert!(e.message.contains("duplicate"));
        let (e, _) = broken("low = 336\n", "");
        assert_eq!(e.field, "deadlines.low", "{e}");
        let rendered = e.to_string();
        assert!(rendered.starts_with("test.toml:"), "{rendered}");
    }
}
