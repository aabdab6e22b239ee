//! The desk service: the steps of the workflow as the portal, console and API share them.
//! Each step asks `kc_desk` whether it is allowed and what it leads to, then has `kc_store`
//! record it with its audit event. Handlers call these methods and never touch SQL.

use crate::error::ApiError;
use axum::http::StatusCode;
use chrono::Utc;
use kc_desk::attachment::CleanFile;
use kc_desk::pack::Pack;
use kc_desk::workflow::{self, CaseAction, FieldError};
use kc_desk::{Actor, CaseState, Channel, CloseReason, DecisionDraft, Priority, Verdict};
use kc_match::{Library, MatchLevel};
use kc_store::VectorCache;
use kc_store::{
    fmt_time, CaseDetail, CaseFiles, CaseSummary, FilesPurged, IntakeTarget, NewEvidenceFile,
    NewFile, NewPublication, NewReportRecord, PublicationRecord, Store, StoredFile,
};
use rand::RngCore;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// How long an optional reporter contact is kept before it is purged. A report's files
/// (screenshots can show people's names) are kept as long after the report was received,
/// and longer only while its case is open or as evidence an officer kept.
pub const CONTACT_RETENTION_DAYS: i64 = 90;
/// The longest claim an editor may publish: a report's own limit.
const MAX_PUBLISHED_CLAIM: usize = 10_000;

/// An officer opening the same file again within this many hours is not logged again.
pub const FILE_VIEW_LOG_HOURS: i64 = 1;

/// A claim as an editor states it for publication: cleaned, not empty, not too long.
fn stated_claim(raw: &str) -> Result<String, ApiError> {
    let claim = workflow::clean_text(raw).trim().to_string();
    if claim.is_empty() {
        return Err(FieldError::new(
            "claim",
            "Vui lòng nhập nội dung được kiểm chứng, không kèm thông tin về người phản ánh.",
            "State the claim checked, without anything about who reported it.",
        )
        .into());
    }
    if claim.chars().count() > MAX_PUBLISHED_CLAIM {
        return Err(FieldError::new(
            "claim",
            format!("Nội dung được kiểm chứng dài quá {MAX_PUBLISHED_CLAIM} ký tự."),
            format!("The claim checked is longer than {MAX_PUBLISHED_CLAIM} characters."),
        )
        .into());
    }
    Ok(claim)
}

/// A SHA-256 as typed in a file's address, in its stored form (lowercase hex), or None when
/// it cannot be one.
pub fn file_hash(typed: &str) -> Option<String> {
    (typed.len() == 64 && typed.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| typed.to_ascii_lowercase())
}

fn new_file(f: &CleanFile) -> NewFile {
    NewFile {
        sha256: f.sha256.clone(),
        media_type: f.media_type.as_str().to_string(),
        bytes: f.bytes.clone(),
    }
}

/// A receipt code as a person types it ("kc ww9e 7s9v", "KCWW9E7S9V", "ww9e-7s9v") in
/// the stored form `KC-XXXX-XXXX` of [`workflow::receipt_code`]: codes are read out on the
/// phone and copied by hand, so separators, case and the prefix may be off. Anything that
/// does not have the code's length comes back cleaned but otherwise as typed (and is not
/// found); only ASCII letters and digits survive, so the result is safe in a URL.
pub fn normalize_receipt(typed: &str) -> String {
    let cleaned: String = typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let body = match cleaned.strip_prefix("KC") {
        Some(rest) if rest.len() == 8 => rest,
        _ if cleaned.len() == 8 => cleaned.as_str(),
        _ => return cleaned,
    };
    format!("KC-{}-{}", &body[..4], &body[4..])
}

/// What the person who triages a case says about it: its harm category and priority,
/// as typed (empty means "leave as it is").
#[derive(Debug, Clone, Copy, Default)]
pub struct Triage<'a> {
    pub harm_category: Option<&'a str>,
    pub priority: Option<&'a str>,
}

impl Triage<'_> {
    fn harm_category(&self) -> Result<Option<kc_desk::HarmCategory>, FieldError> {
        match self.harm_category.map(str::trim).filter(|c| !c.is_empty()) {
            None => Ok(None),
            Some(c) => kc_desk::HarmCategory::parse(c).map(Some).ok_or_else(|| {
                FieldError::new(
                    "harm_category",
                    format!(
                        "Không có loại tác hại `{c}`; dùng một trong: {}.",
                        kc_desk::HarmCategory::expected()
                    ),
                    format!(
                        "Unknown harm category `{c}`; use one of: {}.",
                        kc_desk::HarmCategory::expected()
                    ),
                )
            }),
        }
    }

    fn priority(&self) -> Result<Option<Priority>, FieldError> {
        match self.priority.map(str::trim).filter(|p| !p.is_empty()) {
            None => Ok(None),
            Some(p) => Priority::parse(p).map(Some).ok_or_else(|| {
                FieldError::new(
                    "priority",
                    format!(
                        "Không có mức ưu tiên `{p}`; dùng một trong: {}.",
                        Priority::expected()
                    ),
                    format!(
                        "Unknown priority `{p}`; use one of: {}.",
                        Priority::expected()
                    ),
                )
            }),
        }
    }
}

pub struct Desk {
    pub store: Store,
    pack: RwLock<Arc<Pack>>,
    /// Claims with a published verdict: a confirmed match answers the reporter at once.
    published: RwLock<LiveLibrary>,
    /// Claims of open cases: a confirmed match joins the report to that case.
    open_cases: RwLock<LiveLibrary>,
    /// Claims of cases staff answered with a published fact-check (keyed by case): a
    /// confirmed match gets that fact-check, as a copy of the case's report would.
    answered: RwLock<LiveLibrary>,
    /// The semantic encoder when a model was given; without it matching is lexical.
    semantic: Option<Semantic>,
    /// One re-read of the libraries at a time: the poll and the change feed both refresh,
    /// and a re-read that read the database first must not apply its older rows last.
    refreshing: tokio::sync::Mutex<()>,
}

/// A matcher library and, per claim id, a hash of the text it holds: what lets a refresh
/// apply only what changed in the database instead of rebuilding the index.
#[derive(Default)]
struct LiveLibrary {
    lib: Library,
    texts: std::collections::HashMap<String, u64>,
}

fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

impl LiveLibrary {
    fn upsert(&mut self, id: &str, text: &str, vector: Option<&[f32]>) {
        self.lib.upsert(id, text);
        if let Some(v) = vector {
            self.lib.upsert_vector(id, v);
        }
        self.texts.insert(id.to_string(), text_hash(text));
    }

    fn remove(&mut self, id: &str) {
        self.lib.remove(id);
        self.texts.remove(id);
    }
}

/// What [`Desk::refresh_libraries`] found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LibrarySync {
    /// Claims in each library afterwards.
    pub published: usize,
    pub open_cases: usize,
    /// Claims added or whose text changed, and claims removed, over both libraries.
    pub upserted: usize,
    pub removed: usize,
}

/// The semantic model for matching by meaning, and where its passage vectors are kept.
pub struct SemanticModel {
    pub encoder: Arc<kc_embed::Encoder>,
    /// On disk for `serve` (`DATA_DIR/embeddings`), so a restarted desk reads the vectors
    /// of its claims instead of computing them again (about 30 a second on 2 cores).
    pub cache: VectorCache,
}

/// The encoder, the vector cache, and how many vectors this process had to compute.
struct Semantic {
    encoder: Arc<kc_embed::Encoder>,
    cache: Arc<Mutex<VectorCache>>,
    computed: AtomicUsize,
    /// [`WARMING`], [`FILLING`] or [`READY`]: see [`Desk::warm_up`].
    phase: AtomicU8,
    /// Claim vectors the warm-up has computed, and how many it has to.
    warm_done: AtomicUsize,
    warm_total: AtomicUsize,
    /// What the warm-up has to compute: found when the desk is built, so the console can
    /// say how much from the first request on.
    backlog: Mutex<Vec<([u8; 32], String)>>,
    /// Query encodings run at once. Every public search and report encodes its text on a
    /// blocking thread (up to 512 of them), each holding some 20 MB of activations for a
    /// long text: unbounded, a flood of searches took the memory and shared two cores among
    /// hundreds of threads. Beyond the cores, waiting in line is faster anyway.
    encodes: Arc<tokio::sync::Semaphore>,
}

/// The claims' vectors are being computed in the background: library texts take only the
/// vectors already cached, and reports are matched by their words.
const WARMING: u8 = 0;
/// The vectors are computed; they are being put into the libraries, and new claims get
/// theirs at once. Reports are still matched by their words, since a library holding
/// vectors for only some claims would rank the others too low.
const FILLING: u8 = 1;
/// Every claim has its vector: reports are matched by meaning too.
const READY: u8 = 2;

/// How far semantic matching is, for the console and `serve`'s start message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SemanticStatus {
    /// No model: matching is by words only.
    Off,
    /// Computing the claims' vectors in the background; matching by words meanwhile.
    WarmingUp {
        done: usize,
        total: usize,
    },
    Ready,
}

/// What `Desk::import_item` did with an item.
#[derive(Debug, Clone)]
pub enum Imported {
    /// Taken as a new report now.
    Now(IntakeAnswer),
    /// Taken by an earlier run, as the report with this receipt.
    Before { receipt: String },
}

/// What the reporter is told right after sending.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IntakeAnswer {
    pub receipt: String,
    pub status: &'static str,
    pub answer: Option<PublishedAnswer>,
    /// How many files (images) were stored with the report.
    pub files: usize,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PublishedAnswer {
    pub verdict: String,
    pub title: String,
    /// The published claim the verdict is about: the reporter's own words may deny it, and
    /// the receipt page must not read as a verdict on them.
    pub claim: String,
    pub url: String,
    pub score: f64,
}

/// A published fact-check similar to some text, with the matcher's explanation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SimilarCheck {
    /// The published case, whose page is where a reviewer re-checks the verdict.
    pub case_id: i64,
    pub slug: String,
    pub title: String,
    pub verdict: String,
    /// When it is due for re-checking: when it was last verified, which the pack's
    /// `recheck_after_days` put too far back for it to answer reports on its own.
    pub recheck: Option<String>,
    pub score: f32,
    pub level: &'static str,
    pub generators: Vec<&'static str>,
    pub shared_terms: Vec<String>,
}

/// A published fact-check whose verdict falls due for re-checking (see [`Desk::rechecks_due`]).
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecheckDue {
    pub publication: PublicationRecord,
    /// When the verdict was last verified: published, or re-checked.
    pub verified_at: String,
    /// From when a matching report is no longer answered with it on its own.
    pub due_at: String,
    /// Whether that is already the case.
    pub is_due: bool,
}

/// A report's public status, looked up by receipt.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReceiptView {
    pub receipt: String,
    pub status: &'static str,
    pub received_at: String,
    pub answer: Option<PublishedAnswer>,
    /// Why the report's case was closed, in plain words; never a verdict.
    pub closed: Option<ClosedNotice>,
    /// How many of the report's images the desk holds (none once they are purged). Only a
    /// count: the receipt code is not secret enough to show images to whoever has it.
    pub files: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ClosedNotice {
    pub reason: &'static str,
    pub message_vi: &'static str,
    pub message_en: &'static str,
}

/// How many finished cases the case lists show (the newest); open cases are all listed.
pub const FINISHED_LISTED: i64 = 200;

pub fn publication_path(slug: &str) -> String {
    format!("/kiem-chung/{slug}")
}

fn lock_poisoned() -> ApiError {
    ApiError::internal("a matcher lock was poisoned by a panic")
}

impl Desk {
    /// Builds the desk over a store, loading the matcher libraries from what is stored.
    /// With an encoder, matching also compares meaning (hybrid); without, it is lexical.
    pub async fn new(
        store: Store,
        pack: Pack,
        semantic: Option<SemanticModel>,
    ) -> Result<Desk, ApiError> {
        Desk::build(store, pack, semantic, READY).await
    }

    /// [`Desk::new`] for a server, which must answer at once: claims whose vector is not in
    /// the cache (the first start with the model, or after a restore) are indexed by their
    /// words only, and [`Desk::warm_up`] computes their vectors in the background (on 2
    /// cores about 30 a second: ten thousand claims take minutes).
    pub async fn new_warming(
        store: Store,
        pack: Pack,
        semantic: Option<SemanticModel>,
    ) -> Result<Desk, ApiError> {
        Desk::build(store, pack, semantic, WARMING).await
    }

    async fn build(
        store: Store,
        pack: Pack,
        semantic: Option<SemanticModel>,
        phase: u8,
    ) -> Result<Desk, ApiError> {
        let desk = Desk {
            store,
            pack: RwLock::new(Arc::new(pack)),
            published: RwLock::new(LiveLibrary::default()),
            open_cases: RwLock::new(LiveLibrary::default()),
            answered: RwLock::new(LiveLibrary::default()),
            refreshing: tokio::sync::Mutex::new(()),
            semantic: semantic.map(|m| Semantic {
                encoder: m.encoder,
                cache: Arc::new(Mutex::new(m.cache)),
                computed: AtomicUsize::new(0),
                phase: AtomicU8::new(phase),
                warm_done: AtomicUsize::new(0),
                warm_total: AtomicUsize::new(0),
                backlog: Mutex::new(Vec::new()),
                encodes: Arc::new(tokio::sync::Semaphore::new(
                    std::thread::available_parallelism().map_or(2, usize::from),
                )),
            }),
        };
        desk.refresh_libraries().await?;
        if let Some(sem) = desk.semantic.as_ref().filter(|_| phase == WARMING) {
            let missing = desk.missing_vectors().await?;
            sem.warm_total.store(missing.len(), Ordering::Relaxed);
            *sem.backlog.lock().map_err(|_| lock_poisoned())? = missing;
        }
        Ok(desk)
    }

    /// The stored claims' texts (in their semantic form, with their cache keys) whose
    /// vector the cache does not hold, each once.
    async fn missing_vectors(&self) -> Result<Vec<([u8; 32], String)>, ApiError> {
        let Some(sem) = &self.semantic else {
            return Ok(Vec::new());
        };
        let claims = self.stored_claims().await?;
        let mut seen = std::collections::HashSet::new();
        let cache = sem.cache.lock().map_err(|_| lock_poisoned())?;
        Ok(claims
            .iter()
            .flat_map(|(_, rows)| rows.iter())
            .map(|(_, text)| kc_match::semantic_text(text).into_owned())
            .map(|t| (kc_embed::cache_key(&t, kc_embed::Kind::Passage), t))
            .filter(|(k, _)| cache.get(k).is_none() && seen.insert(*k))
            .collect())
    }

    /// Whether matching uses the semantic model as well as words.
    pub fn is_semantic(&self) -> bool {
        self.semantic.is_some()
    }

    /// Whether reports are matched by meaning yet, or how far the warm-up is.
    pub fn semantic_status(&self) -> SemanticStatus {
        match &self.semantic {
            None => SemanticStatus::Off,
            Some(sem) if sem.phase.load(Ordering::Acquire) == READY => SemanticStatus::Ready,
            Some(sem) => SemanticStatus::WarmingUp {
                done: sem.warm_done.load(Ordering::Relaxed),
                total: sem.warm_total.load(Ordering::Relaxed),
            },
        }
    }

    /// Computes, in the background, the vectors of the claims a desk started with
    /// [`Desk::new_warming`] found missing from the cache, then puts them into the
    /// libraries and turns matching by meaning on. The vectors are computed a batch at a
    /// time with the cache unlocked, so intake is never held up; progress is logged and
    /// shown in the console. Does nothing on a desk that is ready.
    pub async fn warm_up(&self) -> Result<(), ApiError> {
        let Some(sem) = &self.semantic else {
            return Ok(());
        };
        if sem.phase.load(Ordering::Acquire) != WARMING {
            return Ok(());
        }
        let mut missing = std::mem::take(&mut *sem.backlog.lock().map_err(|_| lock_poisoned())?);
        if missing.is_empty() {
            // A retry after a failed attempt: what is still missing now.
            missing = self.missing_vectors().await?;
            sem.warm_done.store(0, Ordering::Relaxed);
            sem.warm_total.store(missing.len(), Ordering::Relaxed);
        }
        if !missing.is_empty() {
            tracing::info!(
                to_compute = missing.len(),
                "computing claim vectors in the background; reports are matched by their words until done"
            );
        }
        let started = std::time::Instant::now();
        let mut logged = 0;
        for batch in missing.chunks(32) {
            let encoder = Arc::clone(&sem.encoder);
            let texts: Vec<String> = batch.iter().map(|(_, t)| t.clone()).collect();
            let vectors = tokio::task::spawn_blocking(move || {
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                encoder.embed(&refs, kc_embed::Kind::Passage)
            })
            .await
            .map_err(ApiError::internal)?;
            let records = batch.iter().map(|(k, _)| *k).zip(vectors).collect();
            sem.cache
                .lock()
                .map_err(|_| lock_poisoned())?
                .insert(records)
                .map_err(ApiError::internal)?;
            sem.computed.fetch_add(batch.len(), Ordering::Relaxed);
            let done = sem.warm_done.fetch_add(batch.len(), Ordering::Relaxed) + batch.len();
            // A line for every tenth of the way, so a long warm-up shows it is moving.
            if done * 10 / missing.len() > logged {
                logged = done * 10 / missing.len();
                tracing::info!(
                    done,
                    of = missing.len(),
                    secs = started.elapsed().as_secs(),
                    "claim vectors computed"
                );
            }
        }
        sem.phase.store(FILLING, Ordering::Release);
        // Read again: claims added during the warm-up went in without a vector.
        for (which, rows) in self.stored_claims().await? {
            let texts: Vec<String> = rows.iter().map(|(_, t)| t.clone()).collect();
            let vectors = self.passage_vectors(&texts).await?;
            let mut live = which.write().map_err(|_| lock_poisoned())?;
            for ((id, text), v) in rows.iter().zip(vectors) {
                // A claim edited since it was read keeps the vector of its new text.
                if let Some(v) = v.filter(|_| live.texts.get(id) == Some(&text_hash(text))) {
                    live.lib.upsert_vector(id, &v);
                }
            }
        }
        sem.phase.store(READY, Ordering::Release);
        tracing::info!(
            secs = started.elapsed().as_secs(),
            "semantic matching is on: every claim has its vector"
        );
        Ok(())
    }

    /// The claims of the three libraries as stored, each with the library it belongs in.
    async fn stored_claims(
        &self,
    ) -> Result<Vec<(&RwLock<LiveLibrary>, Vec<(String, String)>)>, ApiError> {
        let as_rows = |v: Vec<(i64, String)>| -> Vec<(String, String)> {
            v.into_iter().map(|(id, t)| (id.to_string(), t)).collect()
        };
        Ok(vec![
            (
                &self.published,
                as_rows(self.store.publication_claims().await?),
            ),
            (
                &self.open_cases,
                as_rows(self.store.open_case_claims().await?),
            ),
            (
                &self.answered,
                as_rows(self.store.answered_case_claims().await?),
            ),
        ])
    }

    /// With the model: how many passage vectors the cache holds, and how many this process
    /// has computed (the rest came from the cache).
    pub fn semantic_vectors(&self) -> Option<(usize, usize)> {
        let sem = self.semantic.as_ref()?;
        let stored = sem.cache.lock().map(|c| c.len()).unwrap_or(0);
        Some((stored, sem.computed.load(Ordering::Relaxed)))
    }

    /// Passage vectors for library texts: from the cache, or computed off the async workers
    /// and stored there.
    async fn passage_vectors(&self, texts: &[String]) -> Result<Vec<Option<Vec<f32>>>, ApiError> {
        let Some(sem) = &self.semantic else {
            return Ok(vec![None; texts.len()]);
        };
        if sem.phase.load(Ordering::Acquire) == WARMING {
            // Only what the cache has: the warm-up computes the rest.
            let cache = sem.cache.lock().map_err(|_| lock_poisoned())?;
            return Ok(texts
                .iter()
                .map(|t| {
                    let key =
                        kc_embed::cache_key(&kc_match::semantic_text(t), kc_embed::Kind::Passage);
                    cache.get(&key).map(<[f32]>::to_vec)
                })
                .collect());
        }
        let encoder = Arc::clone(&sem.encoder);
        let cache = Arc::clone(&sem.cache);
        let texts = texts.to_vec();
        let (vectors, computed) = tokio::task::spawn_blocking(move || {
            let prepared: Vec<_> = texts.iter().map(|t| kc_match::semantic_text(t)).collect();
            let items: Vec<([u8; 32], &str)> = prepared
                .iter()
                .map(|t| (kc_embed::cache_key(t, kc_embed::Kind::Passage), t.as_ref()))
                .collect();
            let mut cache = cache.lock().map_err(|_| lock_poisoned())?;
            let mut computed = 0;
            let vectors = cache
                .get_or_compute(
                    &items,
                    128,
                    |chunk| encoder.embed(chunk, kc_embed::Kind::Passage),
                    |done, _| computed = done,
                )
                .map_err(ApiError::internal)?;
            Ok::<_, ApiError>((vectors, computed))
        })
        .await
        .map_err(ApiError::internal)??;
        if computed > 0 {
            sem.computed.fetch_add(computed, Ordering::Relaxed);
            tracing::info!(computed, of = vectors.len(), "passage vectors computed");
        }
        Ok(vectors.into_iter().map(Some).collect())
    }

    /// The query vector of a report, when the model is loaded.
    async fn query_vector(&self, text: &str) -> Result<Option<Vec<f32>>, ApiError> {
        let Some(sem) = &self.semantic else {
            return Ok(None);
        };
        if sem.phase.load(Ordering::Acquire) != READY {
            return Ok(None);
        }
        let encoder = Arc::clone(&sem.encoder);
        let text = kc_match::semantic_text(text).into_owned();
        let permit = Arc::clone(&sem.encodes)
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        let mut v = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            encoder.embed(&[text.as_str()], kc_embed::Kind::Query)
        })
        .await
        .map_err(ApiError::internal)?;
        Ok(v.pop())
    }

    /// A library of `(id, text)` claims, with vectors when the model is loaded.
    /// Adds one claim to a library, vector included.
    async fn add_to(
        &self,
        which: &RwLock<LiveLibrary>,
        id: &str,
        text: &str,
    ) -> Result<(), ApiError> {
        let v = self
            .passage_vectors(&[text.to_string()])
            .await?
            .pop()
            .flatten();
        {
            let mut live = which.write().map_err(|_| lock_poisoned())?;
            live.upsert(id, text, v.as_deref());
        }
        if v.is_none() {
            self.fill_missed_vectors(which, &[(id.to_string(), text.to_string())])
                .await?;
        }
        Ok(())
    }

    /// Claims upserted without a vector while the warm-up ran, if it has ended since: the
    /// warm-up's last pass may have gone over their library before they were in it, so
    /// they get their vector here (the library is checked to still hold the same text).
    async fn fill_missed_vectors(
        &self,
        which: &RwLock<LiveLibrary>,
        claims: &[(String, String)],
    ) -> Result<(), ApiError> {
        let Some(sem) = &self.semantic else {
            return Ok(());
        };
        if claims.is_empty() || sem.phase.load(Ordering::Acquire) == WARMING {
            return Ok(());
        }
        let texts: Vec<String> = claims.iter().map(|(_, t)| t.clone()).collect();
        let vectors = self.passage_vectors(&texts).await?;
        let mut live = which.write().map_err(|_| lock_poisoned())?;
        for ((id, text), v) in claims.iter().zip(vectors) {
            if let Some(v) = v {
                if live.texts.get(id) == Some(&text_hash(text)) {
                    live.lib.upsert_vector(id, &v);
                }
            }
        }
        Ok(())
    }

    /// Brings one library in line with `rows` (id, text) from the database: claims new or
    /// changed there are upserted, claims gone are removed, the rest is left alone. Returns
    /// (upserted, removed).
    async fn sync(
        &self,
        which: &RwLock<LiveLibrary>,
        rows: Vec<(String, String)>,
    ) -> Result<(usize, usize), ApiError> {
        let (changed, gone): (Vec<(String, String)>, Vec<String>) = {
            let live = which.read().map_err(|_| lock_poisoned())?;
            let ids: std::collections::HashSet<&str> =
                rows.iter().map(|(id, _)| id.as_str()).collect();
            let gone = live
                .texts
                .keys()
                .filter(|id| !ids.contains(id.as_str()))
                .cloned()
                .collect();
            let changed = rows
                .iter()
                .filter(|(id, text)| live.texts.get(id) != Some(&text_hash(text)))
                .cloned()
                .collect();
            (changed, gone)
        };
        if changed.is_empty() && gone.is_empty() {
            return Ok((0, 0));
        }
        let texts: Vec<String> = changed.iter().map(|(_, t)| t.clone()).collect();
        let vectors = self.passage_vectors(&texts).await?;
        let missed: Vec<(String, String)> = match &self.semantic {
            Some(_) => changed
                .iter()
                .zip(&vectors)
                .filter(|(_, v)| v.is_none())
                .map(|(c, _)| c.clone())
                .collect(),
            None => Vec::new(),
        };
        {
            let mut live = which.write().map_err(|_| lock_poisoned())?;
            for id in &gone {
                live.remove(id);
            }
            // A first load (the desk starting) indexes on all cores.
            let bulk = live.lib.is_empty() && changed.len() > 1024;
            if bulk {
                let pairs: Vec<(&str, &str)> = changed
                    .iter()
                    .map(|(id, t)| (id.as_str(), t.as_str()))
                    .collect();
                let threads = std::thread::available_parallelism().map_or(1, usize::from);
                live.lib.bulk_upsert(&pairs, threads);
            }
            for ((id, text), v) in changed.iter().zip(&vectors) {
                let hash = text_hash(text);
                if bulk {
                    if let Some(v) = v {
                        live.lib.upsert_vector(id, v);
                    }
                    live.texts.insert(id.clone(), hash);
                } else if live.texts.get(id) != Some(&hash) {
                    // (Equal when another request put it in since the diff was taken.)
                    live.upsert(id, text, v.as_deref());
                }
            }
        }
        self.fill_missed_vectors(which, &missed).await?;
        Ok((changed.len(), gone.len()))
    }

    fn search_in(
        which: &RwLock<LiveLibrary>,
        text: &str,
        qvec: Option<&[f32]>,
        k: usize,
    ) -> Result<Vec<kc_match::Match>, ApiError> {
        let live = which.read().map_err(|_| lock_poisoned())?;
        let lib = &live.lib;
        let hybrid = lib.search_hybrid(text, qvec, k);
        if qvec.is_none()
            || hybrid
                .first()
                .is_some_and(|m| m.level == MatchLevel::Confirm)
        {
            return Ok(hybrid);
        }
        // The hybrid calibration weighs meaning heavily, so a copy typed without diacritics
        // (which the encoder reads as different text) can fall below confirm there while the
        // lexical side is sure of it. A lexical confirmation stands.
        let lexical = lib.search(text, k);
        if lexical
            .first()
            .is_some_and(|m| m.level == MatchLevel::Confirm)
        {
            Ok(lexical)
        } else {
            Ok(hybrid)
        }
    }

    pub fn pack(&self) -> Arc<Pack> {
        match self.pack.read() {
            Ok(p) => Arc::clone(&p),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    pub fn published_count(&self) -> usize {
        self.published.read().map(|l| l.lib.len()).unwrap_or(0)
    }

    /// Takes a report from the public or staff: validates, matches, records. `files` were
    /// accepted already (`kc_desk::attachment::accept_report_file`, at most
    /// `MAX_REPORT_FILES`); they are stored with the report and never change its matching.
    pub async fn submit_report(
        &self,
        text: &str,
        urls: &[String],
        contact: Option<&str>,
        channel: Channel,
        files: &[CleanFile],
    ) -> Result<IntakeAnswer, ApiError> {
        kc_desk::attachment::check_report_file_count(files.len())?;
        self.take_report(text, urls, contact, channel, None, files)
            .await
    }

    /// A reporter's contact, for replying to them: only to intake or the case's lead, only
    /// while it is kept, and every reading is an audit event.
    pub async fn reveal_contact(
        &self,
        actor: &Actor,
        case_id: i64,
        report_id: i64,
    ) -> Result<String, ApiError> {
        let (case, _) = self.load_case(case_id).await?;
        workflow::may_read_contact(actor, case.agency.as_deref())?;
        let detail = self.case_detail(case_id).await?;
        if !detail.reports.iter().any(|r| r.id == report_id) {
            return Err(ApiError::not_found(
                &format!("phản ánh {report_id} trong hồ sơ {case_id}"),
                &format!("Report {report_id} of case {case_id}"),
            ));
        }
        let contact = self.store.contact_of(report_id).await?.ok_or_else(|| {
            ApiError::not_found(
                "thông tin liên hệ (không được cung cấp hoặc đã xoá khi hết thời hạn lưu)",
                "Contact (never given, or deleted at the end of its retention)",
            )
        })?;
        let mut tx = self.store.begin_write(&actor.name).await?;
        tx.record_contact_view(report_id).await?;
        tx.commit().await?;
        Ok(contact)
    }

    /// The figures of the days `first` to `last` (Vietnam's clock), for the statistics
    /// page and the periodic report.
    pub async fn stats(
        &self,
        first: chrono::NaiveDate,
        last: chrono::NaiveDate,
    ) -> Result<kc_desk::stats::Stats, ApiError> {
        Ok(period_stats(&self.store, &self.pack(), first, last).await?)
    }

    /// Records an awareness talk, training or campaign an agency held.
    pub async fn record_outreach(
        &self,
        actor: &Actor,
        draft: &kc_desk::outreach::OutreachDraft,
    ) -> Result<i64, ApiError> {
        let pack = self.pack();
        let today = crate::notices::today_vn();
        let valid = kc_desk::outreach::validate(draft, &pack, today)?;
        kc_desk::outreach::may_record(actor, &valid.agency)?;
        let mut tx = self.store.begin_write(&actor.name).await?;
        let id = tx.record_outreach(&valid).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records progress on the duty `duty_id` for an agency it names, by that agency's
    /// staff or an administrator; a correction names an entry of the same duty and agency
    /// that nothing corrected yet.
    pub async fn record_duty_progress(
        &self,
        actor: &Actor,
        duty_id: &str,
        draft: &kc_desk::duty::ProgressDraft,
    ) -> Result<i64, ApiError> {
        let pack = self.pack();
        let duty = pack.duty(duty_id).ok_or_else(|| {
            ApiError::not_found(
                &format!("nhiệm vụ `{duty_id}`"),
                &format!("Duty `{duty_id}`"),
            )
        })?;
        let valid = kc_desk::duty::validate(duty, draft, crate::notices::today_vn())?;
        kc_desk::duty::may_record(actor, &valid.agency).map_err(|e| {
            let name = pack
                .agency(&e.agency)
                .map_or(e.agency.clone(), |a| a.name_vi.clone());
            ApiError::new(
                StatusCode::FORBIDDEN,
                "other_agency",
                format!(
                    "Chỉ cán bộ của {name} hoặc quản trị viên được báo cáo kết quả cho đơn vị này."
                ),
                format!(
                    "Only staff of `{}` or an administrator report its progress.",
                    e.agency
                ),
            )
        })?;
        // Checked inside the write transaction, which serialises writers: two corrections of
        // one entry sent at once get one 422, not a unique-index failure.
        let mut tx = self.store.begin_write(&actor.name).await?;
        if let Some(id) = valid.corrects {
            let target = tx.duty_progress_entry(id).await?;
            kc_desk::duty::check_correction(
                &valid,
                target.as_ref().map(|(e, _)| e),
                target.as_ref().is_some_and(|(_, corrected)| *corrected),
            )?;
        }
        let id = tx.record_duty_progress(&valid).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Takes one item of a monitored feed or file (`kiemchung import`) as a report, once:
    /// an item whose `key` was taken before is left alone, so an import can be run again,
    /// or resumed after an interruption, without doubling anything.
    pub async fn import_item(
        &self,
        key: &str,
        text: &str,
        urls: &[String],
    ) -> Result<Imported, ApiError> {
        if let Some(receipt) = self.store.imported_receipt(key).await? {
            return Ok(Imported::Before { receipt });
        }
        let answer = self
            .take_report(text, urls, None, Channel::Import, Some(key), &[])
            .await?;
        Ok(Imported::Now(answer))
    }

    async fn take_report(
        &self,
        text: &str,
        urls: &[String],
        contact: Option<&str>,
        channel: Channel,
        import_key: Option<&str>,
        files: &[CleanFile],
    ) -> Result<IntakeAnswer, ApiError> {
        let report = workflow::validate_report(text, urls, contact)?;
        let content_hash = kc_text::content_hash(&report.text);
        let qvec = self.query_vector(&report.text).await?;
        let (text, qv) = (report.text.as_str(), qvec.as_deref());
        let mut published_hit = self
            .standing(Self::confirmed_hit(&self.published, text, qv)?)
            .await?;
        // Searched at most once: a merged duplicate's wording there may answer the report
        // (its case kept has a verdict) or join it (that case is still open).
        let mut open_hit = None;
        if published_hit.is_none() {
            // A copy of a report whose case staff answered with an existing fact-check gets
            // that fact-check too, though its wording is not the published claim's: the same
            // text exactly, or one the matcher confirms as the case's claim (typed without
            // diacritics, lightly edited).
            let answered = match self.answered_repeat(&content_hash).await? {
                Some(id) => Some((id, 1.0)),
                None => {
                    open_hit = Self::confirmed_hit(&self.open_cases, text, qv)?;
                    let answered_hit = Self::confirmed_hit(&self.answered, text, qv)?;
                    self.answered_like([answered_hit, open_hit]).await?
                }
            };
            published_hit = self.standing(answered).await?;
        }
        let mut answer = None;
        let target = if let Some((id, hit_score)) = published_hit {
            let publication = self.store.publication(id).await?.ok_or_else(|| {
                ApiError::internal(format!("publication {id} is in the matcher but not stored"))
            })?;
            answer = Some(answer_from(&publication, f64::from(hit_score)));
            IntakeTarget::Answered {
                publication_id: id,
                score: f64::from(hit_score),
            }
        } else if let Some(case_id) = self.joinable_case(&content_hash, open_hit).await? {
            IntakeTarget::JoinCase { case_id }
        } else {
            let pack = self.pack();
            let opened = Utc::now();
            IntakeTarget::NewCase {
                priority: Priority::Normal.as_str().to_string(),
                harm_category: None,
                deadline: Some(fmt_time(workflow::deadline(
                    opened,
                    Priority::Normal,
                    &pack,
                ))),
            }
        };
        let mut random = [0u8; 8];
        rand::thread_rng().fill_bytes(&mut random);
        let receipt = workflow::receipt_code(random);
        let record = NewReportRecord {
            receipt: receipt.clone(),
            channel: channel.as_str().to_string(),
            text: report.text.clone(),
            urls: report.urls,
            content_hash,
            contact: report.contact,
            contact_purge_after: fmt_time(
                Utc::now() + chrono::Duration::days(CONTACT_RETENTION_DAYS),
            ),
            target: target.clone(),
            import_key: import_key.map(str::to_string),
            files: files.iter().map(new_file).collect(),
        };
        // The public has no account: the audit chain records the channel, never a person.
        let mut tx = self.store.begin_write(&format!("public:{channel}")).await?;
        let recorded = tx.record_report(&record).await?;
        tx.commit().await?;
        if matches!(target, IntakeTarget::NewCase { .. }) {
            self.add_to(
                &self.open_cases,
                &recorded.case_id.to_string(),
                &report.text,
            )
            .await?;
        }
        let status = if answer.is_some() {
            "answered"
        } else {
            "received"
        };
        tracing::info!(receipt = %receipt, case = recorded.case_id, status, "report received");
        Ok(IntakeAnswer {
            receipt,
            status,
            answer,
            files: files.len(),
        })
    }

    /// The publication an answered case points to, when this exact content was reported on
    /// that case before.
    async fn answered_repeat(&self, content_hash: &str) -> Result<Option<i64>, ApiError> {
        match self.store.case_for_content(content_hash).await? {
            Some(case_id) => self.answering_publication(case_id).await,
            None => Ok(None),
        }
    }

    /// The publication that answers reports of `case_id` though its wording is not the
    /// published claim's: the fact-check staff answered the case with, or, for a duplicate,
    /// the one that answers the case it was merged into.
    async fn answering_publication(&self, case_id: i64) -> Result<Option<i64>, ApiError> {
        let Some(case) = self.answering_case(case_id).await? else {
            return Ok(None);
        };
        let answered = self
            .store
            .closure(case.id)
            .await?
            .and_then(|c| c.publication_id);
        if answered.is_some() {
            return Ok(answered);
        }
        // The published claim is worded as the editor stated it, not as the reports were
        // (they may name the reporter), so the published library does not find a copy of a
        // report: the case's own verdict answers copies of its reports, and the verdict of
        // the case a duplicate was merged into answers copies of the duplicate's.
        Ok(self
            .store
            .case_detail(case.id)
            .await?
            .and_then(|d| d.publication)
            .map(|p| p.id))
    }

    /// The matcher's confirmed top match in `which`, as (id, score); every library of the
    /// desk is keyed by a number (a publication or a case).
    fn confirmed_hit(
        which: &RwLock<LiveLibrary>,
        text: &str,
        qvec: Option<&[f32]>,
    ) -> Result<Option<(i64, f32)>, ApiError> {
        Ok(Self::search_in(which, text, qvec, 1)?
            .into_iter()
            .next()
            .filter(|m| m.level == MatchLevel::Confirm)
            .and_then(|m| Some((m.id.parse().ok()?, m.score))))
    }

    /// When publication `id`'s verdict was last verified and whether it is due for
    /// re-checking now; `None` when it does not stand.
    async fn verification(&self, id: i64) -> Result<Option<(String, bool)>, ApiError> {
        let Some(verified) = self.store.publication_verified_at(id).await? else {
            return Ok(None);
        };
        let at = crate::appeals::parse_time(&verified)?;
        let due = workflow::due_for_recheck(at, Utc::now(), &self.pack());
        Ok(Some((verified, due)))
    }

    /// When publication `id`'s verdict, standing, is due for re-checking: when it was last
    /// verified. `None` when it is not due, or does not stand.
    async fn due_since(&self, id: i64) -> Result<Option<String>, ApiError> {
        Ok(self
            .verification(id)
            .await?
            .and_then(|(verified, due)| due.then_some(verified)))
    }

    /// `hit` if its publication still stands and was verified recently enough to answer a
    /// report on its own. The library may lag an appeal that just overturned a verdict
    /// (another instance refreshes every few seconds): the store says. A verdict due for
    /// re-checking (the pack's `recheck_after_days`) is left to staff: the report opens or
    /// joins a case, and copies are answered again once a reviewer has re-checked it.
    async fn standing(&self, hit: Option<(i64, f32)>) -> Result<Option<(i64, f32)>, ApiError> {
        let Some((id, score)) = hit else {
            return Ok(None);
        };
        match self.verification(id).await? {
            None => Ok(None),
            Some((verified, true)) => {
                tracing::info!(
                    publication = id,
                    verified = %verified,
                    "a report matches a fact-check due for re-checking: left to staff"
                );
                Ok(None)
            }
            Some((_, false)) => Ok(Some((id, score))),
        }
    }

    /// The publication that answers the first of `case_hits` (confirmed matches of case
    /// claims) that has one: a case staff answered with a fact-check, or a duplicate merged
    /// into a case that has one (the duplicate may still sit in the open-case library until
    /// the next refresh).
    async fn answered_like(
        &self,
        case_hits: [Option<(i64, f32)>; 2],
    ) -> Result<Option<(i64, f32)>, ApiError> {
        for (case_id, score) in case_hits.into_iter().flatten() {
            if let Some(pid) = self.answering_publication(case_id).await? {
                return Ok(Some((pid, score)));
            }
        }
        Ok(None)
    }

    /// The open case a report joins: the one already holding this exact content, else the
    /// one whose claim the matcher confirmed it as (`open_hit`, from the open-case library).
    async fn joinable_case(
        &self,
        content_hash: &str,
        open_hit: Option<(i64, f32)>,
    ) -> Result<Option<i64>, ApiError> {
        if let Some(case_id) = self.store.case_for_content(content_hash).await? {
            // A copy of a duplicate's report joins the case it was merged into.
            if let Some(case) = self.answering_case(case_id).await? {
                if is_open(&case.state) {
                    return Ok(Some(case.id));
                }
            }
        }
        // The library may lag a case another instance just finished: the store decides. A
        // merged duplicate's wording joins the case it was merged into.
        let Some((case_id, _)) = open_hit else {
            return Ok(None);
        };
        Ok(self
            .answering_case(case_id)
            .await?
            .filter(|c| is_open(&c.state))
            .map(|c| c.id))
    }

    pub async fn receipt(&self, receipt: &str) -> Result<ReceiptView, ApiError> {
        let code = normalize_receipt(receipt);
        // Naming the code read lets a citizen see a mistyped character.
        let report = self.store.report_by_receipt(&code).await?.ok_or_else(|| {
            ApiError::not_found(&format!("mã tiếp nhận {code}"), &format!("Receipt {code}"))
        })?;
        let mut answer = None;
        if let Some(pid) = report.answered_by {
            if let Some(p) = self.store.publication(pid).await? {
                if self.store.publication_stands(p.id).await? {
                    answer = Some(answer_from(&p, report.match_score.unwrap_or(1.0)));
                }
            }
        }
        let mut state = None;
        let mut closed = None;
        // A report of a duplicate is answered by the case it was merged into.
        let case_id = match report.case_id {
            Some(id) => self.answering_case(id).await?.map(|c| c.id),
            None => None,
        };
        if let Some(case_id) = case_id {
            if let Some(detail) = self.store.case_detail(case_id).await? {
                state = CaseState::parse(&detail.case.state);
                if answer.is_none() {
                    if let Some(p) = detail
                        .publication
                        .as_ref()
                        .or(detail.answered_with.as_ref())
                    {
                        if self.store.publication_stands(p.id).await? {
                            answer = Some(answer_from(p, 1.0));
                        }
                    }
                }
                if state == Some(CaseState::Closed) {
                    closed = detail
                        .closure
                        .and_then(|c| c.reason)
                        .and_then(|r| CloseReason::parse(&r))
                        .map(|r| {
                            let (vi, en) = r.public_message();
                            ClosedNotice {
                                reason: r.as_str(),
                                message_vi: vi,
                                message_en: en,
                            }
                        });
                }
            }
        }
        let files = self.store.report_file_count(report.id).await?;
        Ok(ReceiptView {
            files,
            receipt: report.receipt,
            status: workflow::public_status(state, answer.is_some()),
            received_at: report.received_at,
            answer,
            closed,
        })
    }

    async fn load_case(&self, case_id: i64) -> Result<(CaseSummary, CaseState), ApiError> {
        let case = self.store.case(case_id).await?.ok_or_else(|| {
            ApiError::not_found(&format!("hồ sơ {case_id}"), &format!("Case {case_id}"))
        })?;
        let state = CaseState::parse(&case.state).ok_or_else(|| {
            ApiError::internal(format!("case {case_id} has unknown state {}", case.state))
        })?;
        Ok((case, state))
    }

    pub async fn cases(&self, state: Option<&str>) -> Result<Vec<CaseSummary>, ApiError> {
        Ok(self.store.list_cases(state, FINISHED_LISTED).await?)
    }

    pub async fn case_detail(&self, case_id: i64) -> Result<CaseDetail, ApiError> {
        self.store.case_detail(case_id).await?.ok_or_else(|| {
            ApiError::not_found(&format!("hồ sơ {case_id}"), &format!("Case {case_id}"))
        })
    }

    /// Routes a case to a lead agency; consulted agencies come from the pack's routing
    /// for the case's harm category, and the deadline from its priority. Both are set
    /// here, by the person who triages, when given; otherwise the case keeps what it had.
    pub async fn assign(
        &self,
        actor: &Actor,
        case_id: i64,
        agency: &str,
        assignee: Option<&str>,
        triage: Triage<'_>,
    ) -> Result<(), ApiError> {
        let pack = self.pack();
        let chosen_category = triage.harm_category()?;
        let chosen_priority = triage.priority()?;
        let agency = agency.trim();
        if pack.agency(agency).is_none() {
            return Err(FieldError::new(
                "agency",
                format!("Không có cơ quan mã `{agency}` trong bộ chỉ đạo."),
                format!("Unknown agency code `{agency}`."),
            )
            .into());
        }
        workflow::authorize(actor, CaseAction::Assign, Some(agency))?;
        let (case, state) = self.load_case(case_id).await?;
        let next = workflow::next_state(state, CaseAction::Assign)?;
        let category = chosen_category.or_else(|| {
            case.harm_category
                .as_deref()
                .and_then(kc_desk::HarmCategory::parse)
        });
        // The person may pick another lead than the pack's routing; the routed lead is
        // then consulted, so the agency the directive names is never left out.
        let (routed_lead, consulted) = pack.route(category);
        let consulted: Vec<String> = std::iter::once(routed_lead)
            .chain(consulted.iter().map(String::as_str))
            .filter(|c| *c != agency)
            .fold(Vec::new(), |mut all, c| {
                if !all.iter().any(|a: &String| a == c) {
                    all.push(c.to_string());
                }
                all
            });
        let priority = chosen_priority
            .or_else(|| Priority::parse(&case.priority))
            .unwrap_or(Priority::Normal);
        let opened = chrono::DateTime::parse_from_rfc3339(&case.created_at)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|_| Utc::now());
        let deadline = fmt_time(workflow::deadline(opened, priority, &pack));
        let assignee = assignee.map(str::trim).filter(|a| !a.is_empty());
        if let Some(name) = assignee {
            self.check_assignee(name, agency).await?;
        }
        let mut tx = self.store.begin_write(&actor.name).await?;
        tx.assign_case(
            case_id,
            (state.as_str(), next.as_str()),
            &kc_store::Assignment {
                agency,
                consulted: &consulted,
                assignee,
                harm_category: category.map(|c| c.as_str()),
                priority: priority.as_str(),
                deadline: &deadline,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Restates the claim a case's fact-check published, by an editor: a fact-check
    /// published with the reporter's own words (their name, number, village) has them
    /// taken out. The page, ClaimReview, feed and open data show the new wording at once.
    pub async fn restate_published_claim(
        &self,
        actor: &Actor,
        case_id: i64,
        claim: &str,
    ) -> Result<String, ApiError> {
        let (case, _) = self.load_case(case_id).await?;
        workflow::authorize(actor, CaseAction::Publish, case.agency.as_deref())?;
        let claim = stated_claim(claim)?;
        // Every publication of the case: one replaced after an appeal is still a public page.
        let publications = self.store.case_publications(case_id).await?;
        if publications.is_empty() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "not_published",
                format!("Hồ sơ {case_id} chưa có kết luận được công bố."),
                format!("Case {case_id} has no published fact-check."),
            ));
        }
        // A title the desk made from the claim (the editor gave none) holds the same words,
        // and so does the address made from it: both are made again from the claim as
        // restated, and the old address stops answering.
        let store = &self.store;
        let mut chosen: Vec<String> = Vec::new();
        let mut changes = Vec::with_capacity(publications.len());
        for p in &publications {
            let label = Verdict::parse(&p.verdict)
                .map(|v| self.pack().verdict_label(v, false))
                .unwrap_or_else(|| p.verdict.clone());
            let made = |c: &str| format!("{label}: {}", first_words(c, 14));
            let retitled = if p.title == made(&p.claim_text) {
                let title = made(&claim);
                let taken = chosen.clone();
                let slug = free_slug(&title, |s| {
                    let taken = taken.clone();
                    async move { Ok(taken.contains(&s) || store.slug_taken(&s).await?) }
                })
                .await?;
                chosen.push(slug.clone());
                Some((title, slug))
            } else {
                None
            };
            changes.push((p.id, p.slug.clone(), retitled));
        }
        let mut tx = self.store.begin_write(&actor.name).await?;
        for (id, _, retitled) in &changes {
            tx.restate_claim(
                *id,
                &claim,
                retitled.as_ref().map(|(t, s)| (t.as_str(), s.as_str())),
            )
            .await?;
        }
        tx.commit().await?;
        // The old wording leaves the database file, as a purged contact does.
        let _ = self.store.flush_deleted().await;
        // The latest publication's address.
        let slug = changes
            .pop()
            .map(|(_, old, retitled)| retitled.map_or(old, |(_, s)| s))
            .unwrap_or_default();
        Ok(format!("/kiem-chung/{slug}"))
    }

    /// A reviewer of the case's agency checked its published verdict again and found it
    /// still holds (`note` says what was checked): from now the pack's `recheck_after_days`
    /// count again, and matching reports are answered with it at once. Neither the person
    /// who drafted the decision nor the one who approved it (four eyes, as for appeals).
    /// Returns its address.
    pub async fn recheck_published(
        &self,
        actor: &Actor,
        case_id: i64,
        note: &str,
    ) -> Result<String, ApiError> {
        let (case, _) = self.load_case(case_id).await?;
        workflow::authorize(
            actor,
            CaseAction::Review { approve: true },
            case.agency.as_deref(),
        )?;
        let note = workflow::recheck_note(note)?;
        let not_standing = || {
            ApiError::new(
                StatusCode::CONFLICT,
                "not_published",
                format!("Hồ sơ {case_id} không có kết luận đang được công bố để kiểm tra lại."),
                format!("Case {case_id} has no standing published fact-check to re-check."),
            )
        };
        let publication = self
            .store
            .case_publications(case_id)
            .await?
            .pop()
            .ok_or_else(not_standing)?;
        if !self.store.publication_stands(publication.id).await? {
            return Err(not_standing());
        }
        let decision = self
            .store
            .decision(publication.decision_id)
            .await?
            .ok_or_else(|| {
                ApiError::internal(format!(
                    "publication {} names decision {}, which is not stored",
                    publication.id, publication.decision_id
                ))
            })?;
        workflow::check_rechecker(
            &decision.decided_by,
            decision.reviewed_by.as_deref(),
            &actor.name,
        )?;
        let mut tx = self.store.begin_write(&actor.name).await?;
        tx.record_recheck(case_id, publication.id, &note).await?;
        tx.commit().await?;
        Ok(publication_path(&publication.slug))
    }

    /// Published fact-checks whose verdict is due for re-checking, or will be within `days`,
    /// the longest unverified first.
    pub async fn rechecks_due(&self, days: i64) -> Result<Vec<RecheckDue>, ApiError> {
        let pack = self.pack();
        let now = Utc::now();
        let horizon = now
            .checked_add_signed(chrono::Duration::days(days))
            .unwrap_or(chrono::DateTime::<Utc>::MAX_UTC);
        let cutoff = fmt_time(workflow::verified_by_for_due(horizon, &pack));
        let mut out = Vec::new();
        for (publication, verified_at) in self
            .store
            .standing_publications_verified_by(&cutoff)
            .await?
        {
            let verified = crate::appeals::parse_time(&verified_at)?;
            out.push(RecheckDue {
                publication,
                verified_at,
                due_at: fmt_time(workflow::recheck_due(verified, &pack)),
                is_due: workflow::due_for_recheck(verified, now, &pack),
            });
        }
        Ok(out)
    }

    /// The person a case is assigned to drafts its decision: an active account that holds
    /// the verifier role for the lead agency. A mistyped name, or someone who could not
    /// act on the case, would leave it with nobody working on it.
    async fn check_assignee(&self, name: &str, agency: &str) -> Result<(), ApiError> {
        let refuse =
            |vi: String, en: String| -> ApiError { FieldError::new("assignee", vi, en).into() };
        let Some(user) = self.store.user_by_name(name).await? else {
            return Err(refuse(
                format!("Không có tài khoản `{name}`; nhập tên đăng nhập của người xác minh."),
                format!("No account is named `{name}`; give the user name of a verifier."),
            ));
        };
        let grants = match self.store.actor(user.id).await? {
            Some(a) if !user.disabled => a,
            _ => {
                return Err(refuse(
                    format!("Tài khoản `{name}` đã bị khoá."),
                    format!("The account `{name}` is disabled."),
                ))
            }
        };
        if !grants.has_role(kc_desk::Role::Verifier, Some(agency)) {
            return Err(refuse(
                format!(
                    "`{name}` không có vai trò xác minh (verifier) cho cơ quan `{agency}`, nên không thể ra kết luận cho hồ sơ này."
                ),
                format!(
                    "`{name}` holds no verifier role for agency `{agency}`, so could not draft this case's decision."
                ),
            ));
        }
        Ok(())
    }

    pub async fn decide(
        &self,
        actor: &Actor,
        case_id: i64,
        draft: &DecisionDraft,
    ) -> Result<i64, ApiError> {
        let (case, state) = self.load_case(case_id).await?;
        workflow::authorize(actor, CaseAction::Decide, case.agency.as_deref())?;
        let next = workflow::next_state(state, CaseAction::Decide)?;
        let valid = workflow::validate_decision(draft, &self.pack())?;
        let mut tx = self.store.begin_write(&actor.name).await?;
        let id = tx
            .record_decision(case_id, state.as_str(), next.as_str(), &valid)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn review(
        &self,
        actor: &Actor,
        case_id: i64,
        approve: bool,
        comment: Option<&str>,
    ) -> Result<(), ApiError> {
        let (case, state) = self.load_case(case_id).await?;
        workflow::authorize(
            actor,
            CaseAction::Review { approve },
            case.agency.as_deref(),
        )?;
        let next = workflow::next_state(state, CaseAction::Review { approve })?;
        let pending = self
            .store
            .decisions(case_id)
            .await?
            .into_iter()
            .rev()
            .find(|d| d.status == "pending")
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::CONFLICT,
                    "no_pending_decision",
                    "Không có kết luận chờ thẩm định.",
                    "No decision awaits review.",
                )
            })?;
        workflow::check_reviewer(&pending.decided_by, &actor.name)?;
        let comment = comment.map(workflow::clean_text);
        let comment = comment.as_deref().map(str::trim).filter(|c| !c.is_empty());
        let mut tx = self.store.begin_write(&actor.name).await?;
        tx.review_decision(
            case_id,
            state.as_str(),
            next.as_str(),
            pending.id,
            approve,
            comment,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Publishes the approved decision; from then on matching reports are answered at once.
    pub async fn publish(
        &self,
        actor: &Actor,
        case_id: i64,
        title: Option<&str>,
        body: Option<&str>,
        claim: Option<&str>,
    ) -> Result<PublicationRecord, ApiError> {
        let (case, state) = self.load_case(case_id).await?;
        workflow::authorize(actor, CaseAction::Publish, case.agency.as_deref())?;
        // The case's claim is its first report, in the reporter's words, which may name the
        // reporter ("Tôi là …, số điện thoại …"). What is published is the claim as the
        // editor states it; the case's text only when none is given.
        let claim = match claim {
            None => case.claim.clone(),
            Some(c) => stated_claim(c)?,
        };
        let next = workflow::next_state(state, CaseAction::Publish)?;
        let decision = self
            .store
            .decisions(case_id)
            .await?
            .into_iter()
            .rev()
            .find(|d| d.status == "approved")
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::CONFLICT,
                    "no_approved_decision",
                    "Chưa có kết luận được phê duyệt.",
                    "No approved decision to publish.",
                )
            })?;
        let verdict = Verdict::parse(&decision.verdict)
            .ok_or_else(|| ApiError::internal(format!("unknown verdict {}", decision.verdict)))?;
        let (title, body) = (
            title.map(workflow::clean_text),
            body.map(workflow::clean_text),
        );
        let title = title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| {
                format!(
                    "{}: {}",
                    self.pack().verdict_label(verdict, false),
                    first_words(&claim, 14)
                )
            });
        if title.chars().count() > 300 {
            return Err(FieldError::new(
                "title",
                "Tiêu đề dài quá 300 ký tự.",
                "The title is longer than 300 characters.",
            )
            .into());
        }
        let body = body
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}\n\n{}", decision.summary, decision.reasons));
        let store = &self.store;
        let slug = free_slug(&title, |s| async move { store.slug_taken(&s).await }).await?;
        let new = NewPublication {
            slug,
            title,
            body,
            claim_text: claim,
            verdict: verdict.as_str().to_string(),
            decision_id: decision.id,
        };
        let mut tx = self.store.begin_write(&actor.name).await?;
        let id = tx
            .publish(case_id, state.as_str(), next.as_str(), &new)
            .await?;
        tx.commit().await?;
        // As the libraries are stored (and re-read at each refresh): the published claim as
        // stated, and the case's own wording, which answers copies of its reports.
        self.add_to(&self.published, &id.to_string(), &new.claim_text)
            .await?;
        self.add_to(&self.answered, &case_id.to_string(), &case.claim)
            .await?;
        if let Ok(mut live) = self.open_cases.write() {
            live.remove(&case_id.to_string());
        }
        self.store
            .publication(id)
            .await?
            .ok_or_else(|| ApiError::internal("publication vanished after commit"))
    }

    /// Closes a case without a verdict, for a stated reason and note. It leaves the open
    /// queue and the open-case library at once; its reports' receipts say why.
    pub async fn close(
        &self,
        actor: &Actor,
        case_id: i64,
        reason: &str,
        note: &str,
    ) -> Result<(), ApiError> {
        let (case, state) = self.load_case(case_id).await?;
        workflow::authorize(actor, CaseAction::Close, case.agency.as_deref())?;
        let next = workflow::next_state(state, CaseAction::Close)?;
        let valid = workflow::validate_closure(reason, note)?;
        let mut tx = self.store.begin_write(&actor.name).await?;
        tx.close_case(
            case_id,
            state.as_str(),
            next.as_str(),
            valid.reason.as_str(),
            &valid.note,
        )
        .await?;
        tx.commit().await?;
        self.leave_open_cases(case_id)
    }

    /// Answers a case that repeats a published claim with that fact-check (by its slug, or
    /// its `/kiem-chung/SLUG` path) instead of verifying it again.
    pub async fn answer_with(
        &self,
        actor: &Actor,
        case_id: i64,
        slug: &str,
        note: Option<&str>,
    ) -> Result<PublicationRecord, ApiError> {
        let (case, state) = self.load_case(case_id).await?;
        workflow::authorize(actor, CaseAction::Answer, case.agency.as_deref())?;
        let next = workflow::next_state(state, CaseAction::Answer)?;
        let slug = slug.trim();
        let slug = slug.strip_prefix(&publication_path("")).unwrap_or(slug);
        if slug.is_empty() {
            return Err(FieldError::new(
                "slug",
                "Vui lòng chọn tin đã kiểm chứng để trả lời.",
                "Choose the published fact-check that answers this case.",
            )
            .into());
        }
        let publication = self.store.publication_by_slug(slug).await?.ok_or_else(|| {
            FieldError::new(
                "slug",
                format!("Không có tin đã công bố với địa chỉ `{slug}`."),
                format!("No published fact-check has the slug `{slug}`."),
            )
        })?;
        if !self.store.publication_stands(publication.id).await? {
            return Err(FieldError::new(
                "slug",
                format!("Kết luận `{slug}` không còn hiệu lực (đã bị huỷ hoặc thay thế); hãy chọn kết luận đang có hiệu lực."),
                format!("The fact-check `{slug}` no longer stands (overturned or replaced); choose one that does."),
            )
            .into());
        }
        // Answering hands the verdict to the case's reporters: one due for re-checking waits
        // for a reviewer's second look first, as it would for a report matched on its own.
        if let Some(verified) = self.due_since(publication.id).await? {
            let day = crate::notices::day_vn(&verified);
            let day_vi = day.map_or_else(|| verified.clone(), crate::report::vn_date);
            let day_en = day.map_or(verified, |d| d.to_string());
            return Err(FieldError::new(
                "slug",
                format!(
                    "Kết luận `{slug}` đến hạn kiểm tra lại (kiểm chứng lần cuối ngày {day_vi}): người thẩm định của cơ quan cần ghi nhận kiểm tra lại trên trang hồ sơ số {} trước khi dùng để trả lời.",
                    publication.case_id
                ),
                format!(
                    "The fact-check `{slug}` is due for re-checking (last verified on {day_en}): a reviewer of the agency must record a re-check on the page of case {} before it answers reports.",
                    publication.case_id
                ),
            )
            .into());
        }
        let note = workflow::clean_note(note.unwrap_or(""))?;
        let mut tx = self.store.begin_write(&actor.name).await?;
        tx.answer_case(
            case_id,
            state.as_str(),
            next.as_str(),
            publication.id,
            note.as_deref(),
        )
        .await?;
        tx.commit().await?;
        self.leave_open_cases(case_id)?;
        self.add_to(&self.answered, &case_id.to_string(), &case.claim)
            .await?;
        Ok(publication)
    }

    /// Merges the duplicate `case_id` into the case `into`: its reports join that case, are
    /// counted there and get its answer (a standing published verdict at once), and the
    /// duplicate leaves the queue and stops counting against its deadline. Only before a
    /// decision on the duplicate awaits review, and only into a case that can still answer
    /// (not closed, not itself merged). The actor needs the role for both cases' agencies:
    /// it ends one and adds work to the other.
    pub async fn merge(
        &self,
        actor: &Actor,
        case_id: i64,
        into: i64,
        note: Option<&str>,
    ) -> Result<CaseSummary, ApiError> {
        let (case, state) = self.load_case(case_id).await?;
        workflow::authorize(actor, CaseAction::Merge, case.agency.as_deref())?;
        let next = workflow::next_state(state, CaseAction::Merge)?;
        let target = self.store.case(into).await?.ok_or_else(|| {
            FieldError::new(
                "into",
                format!("Không có hồ sơ số {into}."),
                format!("There is no case no. {into}."),
            )
        })?;
        let target_state = CaseState::parse(&target.state).ok_or_else(|| {
            ApiError::internal(format!("case {into} has unknown state {}", target.state))
        })?;
        workflow::check_merge_target(case_id, into, target_state, target.merged_into)?;
        workflow::authorize(actor, CaseAction::Merge, target.agency.as_deref())?;
        // A case with a verdict hands it to the duplicate's reporters at once: not one due for
        // re-checking, which waits for a reviewer's second look.
        if let Some(pid) = self.answering_publication(into).await? {
            if self.due_since(pid).await?.is_some() {
                return Err(FieldError::new(
                    "into",
                    format!("Kết luận của hồ sơ số {into} đến hạn kiểm tra lại: người thẩm định của cơ quan cần ghi nhận kiểm tra lại trên trang hồ sơ đó trước khi gộp vào."),
                    format!("The verdict of case {into} is due for re-checking: a reviewer of the agency must record a re-check on that case's page before anything is merged into it."),
                )
                .into());
            }
        }
        let note = workflow::clean_note(note.unwrap_or(""))?;
        let mut tx = self.store.begin_write(&actor.name).await?;
        tx.merge_case(
            case_id,
            (state.as_str(), next.as_str()),
            into,
            target_state.as_str(),
            note.as_deref(),
        )
        .await?;
        tx.commit().await?;
        // The duplicate's wording keeps finding the case kept: as an open case while that
        // one is open, else as a case its fact-check answers.
        if !is_open(&target.state) {
            self.leave_open_cases(case_id)?;
            self.add_to(&self.answered, &case_id.to_string(), &case.claim)
                .await?;
        }
        Ok(target)
    }

    /// The case that answers for reports of `case_id` now: the case it was merged into, if
    /// it was (the store keeps that pointer on a case that is not itself merged).
    async fn answering_case(&self, case_id: i64) -> Result<Option<CaseSummary>, ApiError> {
        let Some(case) = self.store.case(case_id).await? else {
            return Ok(None);
        };
        match case.merged_into {
            Some(into) => Ok(self.store.case(into).await?),
            None => Ok(Some(case)),
        }
    }

    /// A finished case no longer takes new reports: out of the open-case library now, not at
    /// the next refresh.
    fn leave_open_cases(&self, case_id: i64) -> Result<(), ApiError> {
        let mut live = self.open_cases.write().map_err(|_| lock_poisoned())?;
        live.remove(&case_id.to_string());
        Ok(())
    }

    /// Brings the matcher libraries in line with the database. Another `serve` instance on the
    /// same PostgreSQL may have published or opened cases; polling keeps every instance
    /// answering alike without a message bus.
    pub async fn refresh_libraries(&self) -> Result<LibrarySync, ApiError> {
        let _one_at_a_time = self.refreshing.lock().await;
        let (mut upserted, mut removed) = (0, 0);
        for (which, rows) in self.stored_claims().await? {
            let (up, gone) = self.sync(which, rows).await?;
            upserted += up;
            removed += gone;
        }
        let len = |w: &RwLock<LiveLibrary>| w.read().map(|l| l.lib.len()).unwrap_or(0);
        let done = LibrarySync {
            published: len(&self.published),
            open_cases: len(&self.open_cases),
            upserted,
            removed,
        };
        if done.upserted + done.removed > 0 {
            tracing::info!(?done, "matcher libraries brought in line with the database");
        }
        Ok(done)
    }

    /// Deletes reporter and appellant contacts past their retention date.
    pub async fn purge_contacts(&self) -> Result<u64, ApiError> {
        let now = fmt_time(Utc::now());
        let mut tx = self.store.begin_write("system:retention").await?;
        let n = tx.purge_contacts(&now).await? + tx.purge_appeal_contacts(&now).await?;
        tx.commit().await?;
        // Until the WAL is emptied, its older frames still hold the rows just deleted (or
        // deleted at an earlier purge whose flush readers held back).
        if !self.store.flush_deleted().await? {
            tracing::warn!(
                "nhật ký WAL chưa được làm trống sau khi xoá liên hệ (đang có người đọc), sẽ thử lại lần xoá sau / \
                 the WAL could not be emptied after the purge (readers busy); the next purge tries again"
            );
        }
        Ok(n)
    }

    /// Deletes the files of reports received more than [`CONTACT_RETENTION_DAYS`] ago whose
    /// case is finished, unless kept as evidence, and every stored content left unused.
    pub async fn purge_files(&self) -> Result<FilesPurged, ApiError> {
        self.purge_files_at(Utc::now()).await
    }

    /// Escalates to their agency's leads the cases overdue at `now` and not yet escalated for
    /// their current deadline: one `case.escalate` event each, which is the record (and what
    /// the console shows the leads). Run by the server's upkeep; a second run at the same
    /// time writes nothing. Returns the cases escalated, by id.
    pub async fn escalate_overdue(&self, now: chrono::DateTime<Utc>) -> Result<Vec<i64>, ApiError> {
        let now = fmt_time(now);
        let open = self.store.list_cases(None, 0).await?;
        let overdue: Vec<CaseSummary> = open
            .into_iter()
            .filter(|c| crate::queue::is_overdue(&c.state, c.deadline.as_deref(), &now))
            .collect();
        let ids: Vec<i64> = overdue.iter().map(|c| c.id).collect();
        // Most ticks find nothing new: answer those without taking the write lock.
        let logged = self.store.escalations(&ids).await?;
        if crate::queue::due_for_escalation(&overdue, &logged, &now).is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.store.begin_write("system:escalation").await?;
        let logged = tx.escalations(&ids).await?;
        let due = crate::queue::due_for_escalation(&overdue, &logged, &now);
        if due.is_empty() {
            // Another instance escalated them meanwhile; dropping the transaction writes nothing.
            return Ok(Vec::new());
        }
        let staff = self.store.users().await?;
        let mut escalated = Vec::with_capacity(due.len());
        for case in due {
            let Some(deadline) = case.deadline.as_deref() else {
                continue;
            };
            tx.record_escalation(case.id, deadline, case.agency.as_deref())
                .await?;
            if crate::queue::escalation_recipients(case.agency.as_deref(), &staff).is_empty() {
                tracing::warn!(
                    case = case.id,
                    agency = case.agency.as_deref().unwrap_or("-"),
                    "hồ sơ quá hạn nhưng đơn vị không có tài khoản lãnh đạo nào / \
                     an overdue case was escalated but its agency has no lead account"
                );
            }
            escalated.push(case.id);
        }
        tx.commit().await?;
        Ok(escalated)
    }

    /// [`Desk::purge_files`] as if it were `now`.
    pub async fn purge_files_at(
        &self,
        now: chrono::DateTime<Utc>,
    ) -> Result<FilesPurged, ApiError> {
        let cutoff = fmt_time(now - chrono::Duration::days(CONTACT_RETENTION_DAYS));
        let mut tx = self.store.begin_write("system:retention").await?;
        let purged = tx.purge_report_files(&cutoff).await?;
        tx.commit().await?;
        // As for contacts: the WAL's older frames still hold what was just deleted.
        if purged.files > 0 && !self.store.flush_deleted().await? {
            tracing::warn!(
                "nhật ký WAL chưa được làm trống sau khi xoá tệp (đang có người đọc), sẽ thử lại lần xoá sau / \
                 the WAL could not be emptied after purging files (readers busy); the next purge tries again"
            );
        }
        Ok(purged)
    }

    /// The files of a case's reports and its evidence files, without their bytes.
    /// A case's files, for staff whose grants reach its agency.
    pub async fn case_files(&self, actor: &Actor, case_id: i64) -> Result<CaseFiles, ApiError> {
        let (case, _) = self.load_case(case_id).await?;
        workflow::may_read_files(actor, case.agency.as_deref())?;
        Ok(self.store.case_files(case_id).await?)
    }

    /// A stored file, by its SHA-256 as typed in its address, for staff who may see one of
    /// the cases it belongs to; for anyone else it does not exist. The opening is logged
    /// against the first such case, at most once an hour per officer and file: a case page
    /// shows its images inline, and an event per reload would bury the openings that matter.
    pub async fn file(&self, actor: &Actor, typed: &str) -> Result<StoredFile, ApiError> {
        let not_found = || ApiError::not_found("tệp", "File");
        let sha256 = file_hash(typed).ok_or_else(not_found)?;
        let uses = self.store.file_uses(&sha256).await?;
        let seen = uses
            .iter()
            .find(|u| workflow::may_read_files(actor, u.agency.as_deref()).is_ok())
            .ok_or_else(not_found)?;
        let file = self.store.file(&sha256).await?.ok_or_else(not_found)?;
        let since = fmt_time(Utc::now() - chrono::Duration::hours(FILE_VIEW_LOG_HOURS));
        if !self
            .store
            .file_view_logged(&actor.name, seen.case_id, seen.place, &since)
            .await?
        {
            let mut tx = self.store.begin_write(&actor.name).await?;
            tx.record_file_view(seen.case_id, seen.place).await?;
            tx.commit().await?;
        }
        Ok(file)
    }

    /// A consulted agency's opinion on a case (kc_desk::consult): the agency named, or the
    /// one consulted agency the officer works for. Returns (opinion id, agency).
    pub async fn give_opinion(
        &self,
        actor: &Actor,
        case_id: i64,
        agency: Option<&str>,
        opinion: &str,
    ) -> Result<(i64, String), ApiError> {
        let (case, state) = self.load_case(case_id).await?;
        let agency = kc_desk::consult::opinion_agency(actor, state, &case.consulted, agency)
            .map_err(|e| match e {
                kc_desk::consult::OpinionRefused::Field(f) => ApiError::from(f),
                kc_desk::consult::OpinionRefused::Workflow(w) => ApiError::from(w),
            })?;
        let opinion = kc_desk::consult::validate_opinion(opinion)?;
        let mut tx = self.store.begin_write(&actor.name).await?;
        let id = tx.record_opinion(case_id, &agency, &opinion).await?;
        tx.commit().await?;
        Ok((id, agency))
    }

    /// Adds a file (already accepted by `kc_desk::attachment::accept_evidence_file`) to a
    /// case's evidence, with where it came from.
    pub async fn add_evidence_file(
        &self,
        actor: &Actor,
        case_id: i64,
        file: &CleanFile,
        source_url: &str,
        note: &str,
    ) -> Result<i64, ApiError> {
        let (case, _) = self.load_case(case_id).await?;
        workflow::may_add_evidence(actor, case.agency.as_deref())?;
        let (source_url, note) = workflow::validate_file_provenance(source_url, note)?;
        let mut tx = self.store.begin_write(&actor.name).await?;
        if tx.has_evidence_file(case_id, &file.sha256).await? {
            return Err(already_evidence());
        }
        let id = tx
            .add_evidence_file(&NewEvidenceFile {
                case_id,
                file: Some(new_file(file)),
                sha256: file.sha256.clone(),
                source_url,
                note,
                from_report_id: None,
            })
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Keeps one of a report's files as evidence of the case, so that it outlives the
    /// reports' retention.
    pub async fn keep_report_file(
        &self,
        actor: &Actor,
        case_id: i64,
        report_id: i64,
        sha256: &str,
        note: &str,
    ) -> Result<i64, ApiError> {
        let (case, _) = self.load_case(case_id).await?;
        workflow::may_add_evidence(actor, case.agency.as_deref())?;
        let note = workflow::clean_note(note)?;
        let missing = || {
            ApiError::not_found(
                &format!("tệp này trong phản ánh {report_id} của hồ sơ {case_id} (có thể đã bị xoá khi hết thời hạn lưu)"),
                &format!("This file of report {report_id} in case {case_id} (it may have been deleted at the end of its retention)"),
            )
        };
        let sha256 = file_hash(sha256).ok_or_else(missing)?;
        let detail = self.case_detail(case_id).await?;
        if !detail.reports.iter().any(|r| r.id == report_id) {
            return Err(missing());
        }
        let mut tx = self.store.begin_write(&actor.name).await?;
        // Checked in the transaction: the purge may have just removed it.
        if !tx.report_holds_file(report_id, &sha256).await? {
            return Err(missing());
        }
        if tx.has_evidence_file(case_id, &sha256).await? {
            return Err(already_evidence());
        }
        let id = tx
            .add_evidence_file(&NewEvidenceFile {
                case_id,
                file: None,
                sha256,
                source_url: None,
                note,
                from_report_id: Some(report_id),
            })
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Published fact-checks similar to a case's claim, with why they matched, for the officer
    /// who decides whether the case is a repeat of something already checked.
    pub async fn similar_published(
        &self,
        text: &str,
        k: usize,
    ) -> Result<Vec<SimilarCheck>, ApiError> {
        let qvec = self.query_vector(text).await?;
        let hits = Self::search_in(&self.published, text, qvec.as_deref(), k)?;
        let mut out = Vec::new();
        for m in hits {
            let Ok(id) = m.id.parse::<i64>() else {
                continue;
            };
            if let Some(p) = self.store.publication(id).await? {
                let recheck = self.due_since(id).await?;
                out.push(SimilarCheck {
                    case_id: p.case_id,
                    slug: p.slug,
                    title: p.title,
                    verdict: p.verdict,
                    recheck,
                    score: m.score,
                    level: m.level.as_str(),
                    generators: m.generators.iter().map(|g| g.as_str()).collect(),
                    shared_terms: m.shared_terms,
                });
            }
        }
        Ok(out)
    }

    /// "Has this been checked?": published fact-checks ranked for a query.
    pub async fn search_published(
        &self,
        q: &str,
        k: usize,
    ) -> Result<Vec<(PublicationRecord, f32)>, ApiError> {
        let qvec = self.query_vector(q).await?;
        let hits = Self::search_in(&self.published, q, qvec.as_deref(), k)?;
        let mut out = Vec::new();
        // Only what the matcher would at least suggest: with the model every claim has
        // some cosine to any text, so "any score" listed every fact-check for "xyz".
        for m in hits.into_iter().filter(|m| m.level != MatchLevel::None) {
            if let Ok(id) = m.id.parse::<i64>() {
                if let Some(p) = self.store.publication(id).await? {
                    out.push((p, m.score));
                }
            }
        }
        Ok(out)
    }
}

/// The slug of `title`, with `-2`, `-3`… added until `taken` says it is free.
pub(crate) async fn free_slug<F, Fut>(title: &str, taken: F) -> Result<String, ApiError>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<bool, kc_store::StoreError>>,
{
    let base = kc_text::slugify(title);
    let mut slug = base.clone();
    let mut n = 2;
    while taken(slug.clone()).await? {
        slug = format!("{base}-{n}");
        n += 1;
    }
    Ok(slug)
}

fn is_open(state: &str) -> bool {
    !CaseState::parse(state).is_some_and(CaseState::is_finished)
}

fn answer_from(p: &PublicationRecord, score: f64) -> PublishedAnswer {
    PublishedAnswer {
        verdict: p.verdict.clone(),
        title: p.title.clone(),
        claim: p.claim_text.clone(),
        url: publication_path(&p.slug),
        score,
    }
}

fn first_words(text: &str, n: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= n {
        words.join(" ")
    } else {
        format!("{}…", words[..n].join(" "))
    }
}

/// The figures of the days `first` to `last` from what `store` holds: the one place the
/// facts are gathered, for the desk's page and API and for `kiemchung report`.
pub async fn period_stats(
    store: &Store,
    pack: &Pack,
    first: chrono::NaiveDate,
    last: chrono::NaiveDate,
) -> Result<kc_desk::stats::Stats, kc_store::StoreError> {
    let (cases, reports) = store.stats_facts().await?;
    let outreach = store.outreach_facts().await?;
    let notices = store.notice_facts().await?;
    let articles = store.article_facts().await?;
    let progress = store.duty_progress(None).await?;
    let codes: Vec<&str> = pack.agencies.iter().map(|a| a.code.as_str()).collect();
    let facts = kc_desk::stats::Facts {
        cases: &cases,
        reports: &reports,
        outreach: &outreach,
        notices: &notices,
        articles: &articles,
        progress: &progress,
    };
    Ok(kc_desk::stats::compute(
        kc_desk::stats::Period::vietnam_days(first, last),
        facts,
        &codes,
        Utc::now(),
    ))
}

/// The days a statistics request asks for: `from` and `to` as `YYYY-MM-DD`, both included,
/// on Vietnam's clock. Errors name the field.
pub fn report_days(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate), FieldError> {
    let (_, today) = kc_desk::stats::Period::month_to_date(Utc::now());
    report_days_on(from, to, today)
}

/// [`report_days`] on the day `today`, as `kiemchung report` reads its options, so that the
/// page, the API and the command give the same period for the same request: `from` alone
/// runs to today, `to` alone starts on the first of its month (the month asked about, not
/// this one), neither is this month to date.
fn report_days_on(
    from: Option<&str>,
    to: Option<&str>,
    today: chrono::NaiveDate,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate), FieldError> {
    let parse = |field: &str, value: Option<&str>| match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => {
            let day = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                FieldError::new(
                    field,
                    format!("Ngày `{v}` không hợp lệ; dùng dạng NNNN-TT-NN, ví dụ 2026-11-01."),
                    format!("Invalid date `{v}`; use YYYY-MM-DD, e.g. 2026-11-01."),
                )
            })?;
            // chrono takes years far outside any report (and overflows on them in date
            // arithmetic).
            let year = chrono::Datelike::year(&day);
            if !(2000..=9999).contains(&year) {
                return Err(FieldError::new(
                    field,
                    format!("Năm {year} nằm ngoài khoảng 2000–9999."),
                    format!("The year {year} is outside 2000–9999."),
                ));
            }
            Ok(Some(day))
        }
    };
    let first = parse("from", from)?;
    let last = parse("to", to)?;
    let month_start = |d: chrono::NaiveDate| chrono::Datelike::with_day(&d, 1).unwrap_or(d);
    match (first, last) {
        (None, None) => Ok((month_start(today), today)),
        (Some(first), None) if first > today => Err(FieldError::new(
            "from",
            "Ngày bắt đầu sau hôm nay; số liệu chỉ có đến hôm nay.",
            "The start date is after today; figures go up to today only.",
        )),
        (Some(first), None) => Ok((first, today)),
        (None, Some(last)) => Ok((month_start(last), last)),
        (Some(first), Some(last)) if last < first => Err(FieldError::new(
            "to",
            "Ngày kết thúc phải sau ngày bắt đầu.",
            "The end date is before the start date.",
        )),
        (Some(first), Some(last)) => Ok((first, last)),
    }
}

fn already_evidence() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "already_evidence",
        "Tệp này đã có trong chứng cứ của hồ sơ.",
        "This file is already among the case's evidence.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_receipt_is_its_own_normal_form() {
        for seed in [
            [0u8; 8],
            [1, 2, 3, 4, 5, 6, 7, 8],
            [255, 254, 30, 31, 9, 99, 199, 42],
        ] {
            let code = workflow::receipt_code(seed);
            assert_eq!(normalize_receipt(&code), code);
            assert_eq!(
                normalize_receipt(&code.to_lowercase().replace('-', " ")),
                code
            );
        }
    }

    #[test]
    fn a_period_asked_by_its_last_day_is_that_days_month_as_the_command_reads_it() {
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day");
        let today = day("2026-11-30");
        let on = |from, to| report_days_on(from, to, today);
        assert_eq!(
            on(None, Some("2026-10-15")).expect("October"),
            (day("2026-10-01"), day("2026-10-15")),
            "not 1 November to 15 October"
        );
        assert_eq!(
            on(None, Some("2026-12-31")).expect("December"),
            (day("2026-12-01"), day("2026-12-31"))
        );
        assert_eq!(
            on(Some("2026-11-03"), None).expect("to today"),
            (day("2026-11-03"), today)
        );
        assert_eq!(
            on(None, None).expect("month to date"),
            (day("2026-11-01"), today)
        );
        let field = |from, to| on(from, to).expect_err("refused").field;
        assert_eq!(
            field(Some("2026-12-05"), None),
            "from",
            "the field the user gave"
        );
        assert_eq!(field(Some("2026-11-05"), Some("2026-11-04")), "to");
        assert_eq!(field(None, Some("1999-12-31")), "to");
    }

    #[test]
    fn what_is_not_a_receipt_stays_unmatched() {
        assert_eq!(normalize_receipt(" - "), "");
        assert_eq!(normalize_receipt("kc-abc"), "KCABC");
        assert_eq!(normalize_receipt("<script>"), "SCRIPT");
    }
}
