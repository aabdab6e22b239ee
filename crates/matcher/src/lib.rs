//! The library of verified claims and the matcher that finds which of them an
//! incoming text repeats.
//!
//! Pipeline (DESIGN.md §5): [`kc_text::normalize`] → features (syllables and
//! syllable bigrams on the accented and folded forms, MinHash over folded
//! bigram shingles) → candidates (exact folded-text hash, LSH buckets, BM25
//! over an in-memory inverted index, optional dense vectors) → one calibrated
//! score in [0, 1] → [`MatchLevel`] and an explanation.
//!
//! The library is live: [`Library::upsert`] and [`Library::remove`] change the
//! index in place, so a claim is matchable as soon as the call returns.
//! Pure: no I/O, no clock (callers pass times as integers).

mod dense;
mod features;
mod minhash;
mod snapshot;
mod terms;
mod walk;

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use smallvec::SmallVec;
use terms::TermTable;

pub use dense::HybridParams;
use features::{Features, FIELDS, F_FUNI, F_UNI};
pub use snapshot::SnapshotError;

/// The form of a text to embed for hybrid matching, claim and report alike:
/// without URLs, invisible characters or emoji ([`kc_text::plain_text`]), in sentence
/// case if it shouts ([`kc_text::unshout`]), with its punctuation spaced as
/// typeset ([`kc_text::typeset`]). The encoder learnt from ordinary typeset
/// text; links, zero-width characters inside words, emoji, capitals throughout and
/// segmented spacing (`đồn :`) all cost it recall (docs/benchmarks.md).
/// Embedding caches are keyed by this form, so ordinary text keeps its
/// cached vector.
pub fn semantic_text(text: &str) -> Cow<'_, str> {
    let words = kc_text::replace_urls(text, |_| String::new());
    let visible = and_then(words, kc_text::plain_text);
    let calm = and_then(visible, kc_text::unshout);
    and_then(calm, kc_text::typeset)
}

/// `text` passed through `step`, allocating only when a step changes it.
fn and_then<'a>(text: Cow<'a, str>, step: impl Fn(&str) -> Cow<'_, str>) -> Cow<'a, str> {
    let changed = match step(&text) {
        Cow::Borrowed(_) => None,
        Cow::Owned(t) => Some(t),
    };
    changed.map_or(text, Cow::Owned)
}

/// A claim's or query's text as the index reads it: each URL made one token
/// ([`features::with_url_tokens`]) before normalising, which would otherwise
/// expand pieces of it (`.vn` → `việt nam`) and collapse its `//`. Snapshots
/// store this form, so a restored library reads its texts the same way.
fn normalize_for_index(text: &str) -> String {
    kc_text::normalize(&features::with_url_tokens(text))
}

/// The fitted curve that turns a candidate's evidence into its score. Fused
/// evidence has its own scale, and so has the fusion of a query typed
/// without diacritics, which weighs the lexical side more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Curve {
    Lexical,
    Hybrid,
    HybridUnaccented,
}

/// Whether a query was typed without diacritics: no letter outside ASCII
/// and no combining mark. Asked of the text as typed, because normalising
/// expands chat abbreviations into accented words (`vn` → `việt nam`), and
/// punctuation does not count, so an unaccented report with curly quotes
/// or an ellipsis is still matched as unaccented.
fn typed_without_diacritics(query: &str) -> bool {
    query.is_ascii()
        || !query
            .chars()
            .any(|c| !c.is_ascii() && (c.is_alphabetic() || ('\u{300}'..='\u{36f}').contains(&c)))
}

/// How sure the matcher is that a text repeats a library claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchLevel {
    /// Safe to answer the reporter with the published verdict at once.
    Confirm,
    /// Show to an officer, who confirms or rejects.
    Suggest,
    None,
}

impl MatchLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchLevel::Confirm => "confirm",
            MatchLevel::Suggest => "suggest",
            MatchLevel::None => "none",
        }
    }
}

/// Which candidate generator proposed a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    /// Same text up to case, diacritics, tone style, spacing and punctuation.
    Exact,
    /// MinHash/LSH over syllable shingles: a lightly edited copy.
    NearDuplicate,
    Bm25,
    /// Dense-vector nearest neighbour (only with vectors supplied).
    Semantic,
}

impl Generator {
    pub fn as_str(self) -> &'static str {
        match self {
            Generator::Exact => "exact",
            Generator::NearDuplicate => "near_duplicate",
            Generator::Bm25 => "bm25",
            Generator::Semantic => "semantic",
        }
    }
}

/// One library claim matched by a query, with its explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub id: String,
    /// In [0, 1]; the same value means the same confidence for every query.
    pub score: f32,
    pub level: MatchLevel,
    pub generators: Vec<Generator>,
    /// Syllables the query and the claim share, rarest first.
    pub shared_terms: Vec<String>,
}

/// A match without its explanation, from [`Library::rank`]: for batch
/// scoring, where only ids and scores are kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked<'a> {
    pub id: &'a str,
    pub score: f32,
    pub level: MatchLevel,
}

/// Index sizes reported by [`Library::stats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LibraryStats {
    pub claims: usize,
    /// Distinct index terms (all four fields).
    pub terms: usize,
    pub postings: usize,
    pub doc_terms: usize,
    /// Estimated heap bytes held by the library (allocator overhead excluded).
    pub heap_bytes: usize,
}

/// Tuning knobs. [`Params::default`] holds the values fitted on the public
/// evaluation half (see docs/benchmarks.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub k1: f32,
    pub b: f32,
    /// BM25 weight of each field (accented syllables, accented bigrams,
    /// folded syllables, folded bigrams) for a query written with diacritics.
    pub field_weights: [f32; FIELDS],
    /// The same for a query typed without any diacritics: only the folded
    /// fields can tell its matches apart.
    pub folded_field_weights: [f32; FIELDS],
    /// Score at or above which a match is [`MatchLevel::Confirm`].
    pub confirm: f32,
    /// Score at or above which a match is [`MatchLevel::Suggest`].
    pub suggest: f32,
    /// Queries shorter than this (in syllables) are never confirmed.
    pub min_confirm_syllables: u32,
    /// A claim verified longer ago than this (seconds) is never confirmed by
    /// [`Library::search_at`].
    pub stale_after_secs: i64,
    /// Terms in more than this share of the library, or in more than
    /// `generate_max_docs` claims, do not generate candidates; they only
    /// rescore the shortlist. The absolute cap keeps query time flat as the
    /// library grows.
    pub generate_max_df: f32,
    pub generate_max_docs: usize,
    /// Candidates per requested match that get exact rescoring.
    pub shortlist_per_k: usize,
    /// Claims whose partial BM25 is under this share of the best one are not
    /// shortlisted.
    pub shortlist_floor: f32,
    /// Evidence floor from claim coverage: a query containing all of a
    /// claim's terms gets at least this much evidence (0 = off). Kept below
    /// the confirm threshold on purpose.
    pub containment: f32,
    /// Weight multiplier of query syllables written with a capital letter
    /// mid-sentence (names).
    pub name_boost: f32,
    /// Weight of the terms that tell the strongest candidates apart (0 = off): a query
    /// term found in `c` of the `local_top` best candidates by BM25 weighs
    /// `1 + local_idf × ln((local_top + 1) / (c + 1))` times its BM25 weight.
    pub local_idf: f32,
    pub local_top: usize,
    /// Calibration: score = logistic(slope × (evidence − midpoint)).
    pub slope: f32,
    pub midpoint: f32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            k1: 0.9,
            b: 0.75,
            field_weights: [1.0, 0.25, 0.0, 0.1],
            folded_field_weights: [0.0, 0.0, 1.0, 0.35],
            confirm: 0.90,
            suggest: 0.27,
            min_confirm_syllables: 8,
            stale_after_secs: 2 * 365 * 24 * 3600,
            generate_max_df: 0.05,
            generate_max_docs: 1024,
            shortlist_per_k: 8,
            shortlist_floor: 0.25,
            name_boost: 1.6,
            containment: 0.5,
            local_idf: 0.3,
            local_top: 20,
            slope: 14.0,
            midpoint: 0.37,
        }
    }
}

/// A term of a prepared claim: key, field, count.
type PreparedTerm = (u64, u8, u16);

/// A claim's normalised text and index keys, computed without touching the
/// library (so in parallel for bulk loads).
struct Prepared {
    normalized: String,
    syllables: u32,
    terms: Vec<PreparedTerm>,
    exact_key: u64,
    bands: Vec<u64>,
}

impl Prepared {
    fn new(normalized: String) -> Prepared {
        let f = features::index_terms(&normalized);
        Prepared {
            syllables: f.syllables,
            terms: f.terms,
            exact_key: f.exact_key,
            bands: minhash::band_keys(&f.shingles),
            normalized,
        }
    }
}

/// A hint to load the cache line holding `x`; nothing on other targets.
#[inline]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of the x86_64 baseline, and a prefetch of any
    // address is only a hint: it never faults or changes memory (this one is
    // of a live reference besides).
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            (x as *const T).cast(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// [`prefetch`] of a raw address, which may be anywhere (even past the end
/// of an allocation): a prefetch is only a hint.
#[inline]
fn prefetch_ptr(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of the x86_64 baseline, and a prefetch never faults
    // or changes memory, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Multiplicative hashing for keys that are already good hashes.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
}

const TF_BITS: u32 = 6;
const TF_MAX: u32 = (1 << TF_BITS) - 1;
/// Slots are u32 with `TF_BITS` taken by the term count in postings; term
/// ids likewise in the claims' term lists.
const MAX_SLOTS: usize = 1 << (32 - TF_BITS);
/// Term ids share their u32 with the count too, and hold the field.
const MAX_TERMS_PER_FIELD: u32 = 1 << (32 - TF_BITS - FIELD_BITS);

type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

#[derive(Debug, Default)]
/// One posting list: `slot << TF_BITS | min(tf, TF_MAX)` per claim, so a
/// posting costs 4 bytes. Most terms (syllable pairs above all) are in one to
/// four claims: those lists live inside the 24-byte header, which saves an
/// allocation and a cache miss per term.
struct Postings(SmallVec<[u32; 4]>);

#[derive(Debug)]
struct Doc {
    id: String,
    normalized: String,
    syllables: u32,
    exact_key: u64,
    bands: Vec<u64>,
    verified_at: Option<i64>,
    vector: Option<Vec<f32>>,
}

/// The live, in-memory claim library. `Send + Sync`: share it behind an
/// `RwLock` or `Arc` and search from many threads.
///
/// Memory: about 2.3 KB per claim of news-lead length (≈ 35 syllables):
/// ≈ 130 postings of 4 bytes, the claim's sorted term list (4 bytes a term,
/// in one arena shared by all claims), its normalised text, 8 LSH band keys,
/// the exact key, the id and 16 bytes of cached coverage mass. Shorter
/// claims cost proportionally less; [`Library::stats`] estimates a live
/// library, docs/benchmarks.md has measurements up to 1 million claims.
///
/// Capacity: 67 million claims (2^26 slots), and 16 million distinct terms
/// in each of the four fields; an upsert beyond the first is ignored, terms
/// beyond the second are not indexed.
pub struct Library {
    params: Params,
    slots: Vec<Option<Doc>>,
    free: Vec<u32>,
    by_id: HashMap<String, u32>,
    /// Per field: term key → the term's number within its field. A term id
    /// is `number << FIELD_BITS | field`, so the four fields are independent
    /// indexes that a bulk load fills on separate threads.
    term_ids: [TermTable; FIELDS],
    postings: [Vec<Postings>; FIELDS],
    exact: KeyMap<Bucket>,
    lsh: KeyMap<Bucket>,
    /// Syllable count per slot, dense, for the BM25 inner loop.
    lens: Vec<u32>,
    /// Every claim's term list, `term id << TF_BITS | count` sorted by term
    /// id, one after another: rescoring a shortlist reads one short run per
    /// claim instead of chasing a pointer per claim. `spans[slot]` is the
    /// claim's (start, length); a removed claim's run stays as garbage until
    /// the arena is compacted.
    fwd: Vec<u32>,
    spans: Vec<(u32, u32)>,
    fwd_garbage: usize,
    /// Per slot and weight set (accented, folded query): the claim's
    /// weighted term mass for the coverage floor, which would otherwise read
    /// the posting-list header of every term of every candidate (a third of
    /// a query's time). Kept as `generation << 32 | f32 bits`: the mass
    /// depends on every idf, so any change to the library makes all of them
    /// stale at once, and they are recomputed when next needed.
    coverage_mass: Vec<[AtomicU64; 2]>,
    /// Bumped by every insertion and removal; never 0, which marks an empty
    /// `coverage_mass` entry.
    generation: u32,
    total_syllables: u64,
    live: u32,
    /// 8-bit copies of the claims' vectors for the dense scan.
    dense: dense::DenseIndex,
    hybrid: HybridParams,
}

impl Default for Library {
    fn default() -> Self {
        Library::new()
    }
}

/// One thread's buffers for the BM25 walk of a query, reused across queries.
struct Scratch {
    /// Score accumulator, one slot per claim.
    acc: Vec<f32>,
    /// The claims the walk touched.
    touched: Vec<u32>,
    /// (score, claim) pairs kept for selection.
    kept: Vec<(f32, u32)>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const {
        RefCell::new(Scratch { acc: Vec::new(), touched: Vec::new(), kept: Vec::new() })
    };
}

/// A query term found in the index.
#[derive(Clone)]
struct QTerm<'a> {
    tid: u32,
    key: u64,
    field_weight: f32,
    field: u8,
    qtf: f32,
    /// field weight × idf
    weight: f32,
    df: usize,
    text: Option<&'a str>,
}

/// Query terms weighted for BM25 (weight × query count), sorted by term id.
fn bm25_filter<'q, 'a: 'q>(terms: impl Iterator<Item = &'q QTerm<'a>>) -> TermFilter {
    let mut t: Vec<(u32, f32)> = terms.map(|q| (q.tid, q.weight * q.qtf)).collect();
    t.sort_unstable_by_key(|t| t.0);
    TermFilter::new(t)
}

/// Query terms with a weight each, for looking up every term of a claim.
/// A merge of the two sorted lists takes an unpredictable branch per step; a
/// 4096-bit set over hashed term ids turns away nearly every claim term with
/// a predictable one instead.
struct TermFilter {
    bits: [u64; 64],
    /// (term id, weight), sorted by term id.
    terms: Vec<(u32, f32)>,
}

impl TermFilter {
    /// From (term id, weight) pairs sorted by term id.
    fn new(terms: Vec<(u32, f32)>) -> TermFilter {
        let mut bits = [0u64; 64];
        for &(tid, _) in &terms {
            let b = TermFilter::bit(tid);
            bits[b / 64] |= 1 << (b % 64);
        }
        TermFilter { bits, terms }
    }

    /// The largest term id, for merges that can stop early.
    fn last(&self) -> u32 {
        self.terms.last().map_or(0, |t| t.0)
    }

    fn bit(tid: u32) -> usize {
        (tid.wrapping_mul(0x9e37_79b1) >> 20) as usize
    }

    fn get(&self, tid: u32) -> Option<f32> {
        self.index(tid).map(|i| self.terms[i].1)
    }

    /// Where `tid` is in the filter's terms.
    fn index(&self, tid: u32) -> Option<usize> {
        let b = TermFilter::bit(tid);
        if self.bits[b / 64] & (1 << (b % 64)) == 0 {
            return None;
        }
        self.terms.binary_search_by_key(&tid, |t| t.0).ok()
    }
}

struct Candidate {
    slot: u32,
    bm25: f32,
    evidence: f32,
    generators: Generators,
}

/// The generators that proposed a candidate, in the order they did, without
/// an allocation per candidate (a query weighs dozens).
#[derive(Clone, Copy)]
struct Generators {
    list: [Generator; 4],
    len: u8,
}

impl Generators {
    fn one(g: Generator) -> Generators {
        Generators {
            list: [g; 4],
            len: 1,
        }
    }

    fn as_slice(&self) -> &[Generator] {
        &self.list[..usize::from(self.len)]
    }

    fn contains(&self, g: &Generator) -> bool {
        self.as_slice().contains(g)
    }

    fn push(&mut self, g: Generator) {
        if let Some(slot) = self.list.get_mut(usize::from(self.len)) {
            *slot = g;
            self.len += 1;
        }
    }
}

impl Library {
    pub fn new() -> Library {
        Library::with_params(Params::default())
    }

    pub fn with_params(params: Params) -> Library {
        Library {
            params,
            slots: Vec::new(),
            free: Vec::new(),
            by_id: HashMap::new(),
            term_ids: Default::default(),
            postings: Default::default(),
            exact: KeyMap::default(),
            lsh: KeyMap::default(),
            lens: Vec::new(),
            fwd: Vec::new(),
            spans: Vec::new(),
            fwd_garbage: 0,
            coverage_mass: Vec::new(),
            generation: 1,
            total_syllables: 0,
            live: 0,
            dense: dense::DenseIndex::default(),
            hybrid: HybridParams::default(),
        }
    }

    /// Sizes of the index, for capacity planning (see docs/benchmarks.md).
    pub fn stats(&self) -> LibraryStats {
        let mut heap = 0usize;
        let mut doc_terms = 0usize;
        for (d, span) in self.slots.iter().zip(&self.spans) {
            let Some(d) = d else { continue };
            doc_terms += span.1 as usize;
            heap += d.normalized.capacity()
                + d.id.capacity() * 2
                + d.bands.capacity() * 8
                + d.vector.as_ref().map_or(0, |v| v.capacity() * 4);
        }
        let postings: usize = self.postings.iter().flatten().map(|p| p.0.len()).sum();
        heap += self
            .postings
            .iter()
            .flatten()
            .filter(|p| p.0.spilled())
            .map(|p| p.0.capacity() * 4)
            .sum::<usize>();
        heap += self
            .postings
            .iter()
            .map(|f| f.capacity() * std::mem::size_of::<Postings>())
            .sum::<usize>();
        heap += self.slots.capacity() * std::mem::size_of::<Option<Doc>>();
        heap += self
            .term_ids
            .iter()
            .map(TermTable::heap_bytes)
            .sum::<usize>();
        // hashbrown: key + value + one control byte per bucket, ~7/8 full.
        heap += (self.lsh.capacity() + self.exact.capacity()) * (8 + 16 + 1) * 8 / 7;
        heap += self.by_id.capacity() * (24 + 4 + 1) * 8 / 7;
        heap += self
            .lsh
            .values()
            .chain(self.exact.values())
            .map(|b| match b {
                Bucket::One(_) => 0,
                Bucket::Many(v) => v.capacity() * 4,
            })
            .sum::<usize>();
        heap += self.lens.capacity() * 4;
        heap += self.fwd.capacity() * 4 + self.spans.capacity() * 8;
        heap += self.coverage_mass.capacity() * 16;
        heap += self.dense.heap_bytes();
        LibraryStats {
            claims: self.len(),
            terms: self.postings.iter().map(Vec::len).sum(),
            postings,
            doc_terms,
            heap_bytes: heap,
        }
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    pub fn len(&self) -> usize {
        self.live as usize
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Adds a claim, or replaces the one with the same id. It is matchable as
    /// soon as this returns.
    pub fn upsert(&mut self, id: &str, text: &str) {
        self.upsert_normalized(id, normalize_for_index(text), None);
    }

    /// [`Library::upsert`] with the time (any integer clock, e.g. Unix
    /// seconds) the claim's verdict was last verified, for staleness.
    pub fn upsert_dated(&mut self, id: &str, text: &str, verified_at: i64) {
        self.upsert_normalized(id, normalize_for_index(text), Some(verified_at));
    }

    /// Adds many claims at once, normalising on `threads` threads; the same
    /// result as calling [`Library::upsert`] for each in order.
    pub fn bulk_upsert(&mut self, items: &[(&str, &str)], threads: usize) {
        self.bulk_upsert_with_progress(items, threads, |_, _| {});
    }

    /// [`Library::bulk_upsert`], calling `progress(done, total)` as claims
    /// go in (every 1,024), for a caller that shows a long load advancing.
    pub fn bulk_upsert_with_progress(
        &mut self,
        items: &[(&str, &str)],
        threads: usize,
        progress: impl FnMut(usize, usize),
    ) {
        let items: Vec<(&str, &str, Option<i64>)> =
            items.iter().map(|&(i, t)| (i, t, None)).collect();
        self.bulk_insert(&items, threads, normalize_for_index, progress);
    }

    /// Bulk insertion: `normalize` maps each text to its normalised form
    /// (identity for snapshot texts) on worker threads.
    fn bulk_insert(
        &mut self,
        items: &[(&str, &str, Option<i64>)],
        threads: usize,
        normalize: fn(&str) -> String,
        mut progress: impl FnMut(usize, usize),
    ) {
        let threads = threads.clamp(1, 64);
        // Small batches keep the transient feature lists (about 2 KB a
        // claim) in cache between extraction and insertion, and let the
        // allocator reuse them instead of growing the heap. (256 is 5 %
        // faster on one thread, but 10 % slower on two, where each batch
        // costs a hand-over between threads.)
        let batches: Vec<&[(&str, &str, Option<i64>)]> = items.chunks(1024).collect();
        let prepare = |batch: &[(&str, &str, Option<i64>)]| -> Vec<Prepared> {
            batch
                .iter()
                .map(|(_, t, _)| Prepared::new(normalize(t)))
                .collect()
        };
        let total = items.len();
        let mut done = 0;
        if threads == 1 || batches.len() < 2 {
            for batch in batches {
                self.insert_batch(batch, prepare(batch), threads);
                done += batch.len();
                progress(done, total);
            }
            self.fill_coverage_mass_after(total, threads);
            return;
        }
        // Normalising and feature extraction are per-claim and pure, so
        // workers prepare whole batches while this thread inserts the
        // finished ones in order: the insertion hides behind the
        // preparation instead of following it.
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<Prepared>)>(2 * threads);
            for _ in 0..threads {
                let tx = tx.clone();
                let (next, batches, prepare) = (&next, &batches, &prepare);
                s.spawn(move || loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(batch) = batches.get(i) else { break };
                    if tx.send((i, prepare(batch))).is_err() {
                        break;
                    }
                });
            }
            drop(tx);
            let mut pending: std::collections::BTreeMap<usize, Vec<Prepared>> =
                std::collections::BTreeMap::new();
            let mut want = 0;
            // A worker that panicked drops its sender; the batches it held
            // never arrive and the scope re-raises its panic on exit.
            for (i, prepared) in rx {
                pending.insert(i, prepared);
                while let Some(prepared) = pending.remove(&want) {
                    // All four fields' postings on this thread: the workers
                    // keep both cores busy already, and a second postings
                    // thread per batch (44 at 44.7k claims) cost its start
                    // and left its allocator pages to other threads, 27 MiB
                    // more memory for the kernel to zero (a whole `match` run
                    // takes 3–9 % less CPU: docs/benchmarks.md, tenth round).
                    self.insert_batch(batches[want], prepared, 1);
                    done += batches[want].len();
                    progress(done, total);
                    want += 1;
                }
            }
        });
        self.fill_coverage_mass_after(total, threads);
    }

    /// After a bulk insertion of `added` claims: the sweep costs the whole
    /// library, so only when the batch is a good share of it (a load, not a
    /// few claims added to a large library, whose queries then compute the
    /// few masses they need).
    fn fill_coverage_mass_after(&self, added: usize, threads: usize) {
        if added > 0 && added * 4 >= self.live as usize {
            self.fill_coverage_mass(threads);
        }
    }

    fn upsert_normalized(&mut self, id: &str, normalized: String, verified_at: Option<i64>) {
        self.insert_batch(&[(id, "", verified_at)], vec![Prepared::new(normalized)], 1);
    }

    /// Inserts prepared claims, in order, as if upserted one by one. The
    /// claim-level bookkeeping is sequential; the postings, the expensive part
    /// (a few cache misses per term), go in on two threads when `threads`
    /// allows, one per pair of fields.
    fn insert_batch(
        &mut self,
        items: &[(&str, &str, Option<i64>)],
        prepared: Vec<Prepared>,
        threads: usize,
    ) {
        self.new_generation();
        // (slot, terms) of the claims whose postings are still to insert; a
        // later item of the batch with the same id drops the earlier one.
        let mut pending: Vec<Option<(u32, Vec<PreparedTerm>)>> = Vec::new();
        let mut pending_at: HashMap<u32, usize> = HashMap::new();
        for (&(id, _, verified_at), prep) in items.iter().zip(prepared) {
            let removed = self.remove_slot(id);
            if let Some((old_slot, _)) = &removed {
                if let Some(i) = pending_at.remove(old_slot) {
                    pending[i] = None;
                }
            }
            // A vector describes the old text; it survives only an unchanged one.
            let vector = removed
                .map(|(_, d)| d)
                .filter(|d| d.normalized == prep.normalized)
                .and_then(|d| d.vector);
            if self.free.is_empty() && self.slots.len() >= MAX_SLOTS {
                continue; // beyond capacity (see `Library`): not indexed
            }
            let slot = match self.free.pop() {
                Some(s) => s,
                None => {
                    self.slots.push(None);
                    u32::try_from(self.slots.len() - 1).unwrap_or(u32::MAX)
                }
            };
            for &b in &prep.bands {
                add_to_bucket(&mut self.lsh, b, slot);
            }
            add_to_bucket(&mut self.exact, prep.exact_key, slot);
            self.total_syllables += u64::from(prep.syllables);
            if self.lens.len() <= slot as usize {
                self.lens.resize(slot as usize + 1, 0);
                self.spans.resize(slot as usize + 1, (0, 0));
                self.coverage_mass
                    .resize_with(slot as usize + 1, Default::default);
            }
            self.lens[slot as usize] = prep.syllables;
            self.spans[slot as usize] = (0, 0);
            self.live += 1;
            self.by_id.insert(id.to_owned(), slot);
            if let Some(v) = &vector {
                self.dense.set(slot, v);
            }
            self.slots[slot as usize] = Some(Doc {
                id: id.to_owned(),
                syllables: prep.syllables,
                exact_key: prep.exact_key,
                bands: prep.bands,
                verified_at,
                vector,
                normalized: prep.normalized,
            });
            pending_at.insert(slot, pending.len());
            pending.push(Some((slot, prep.terms)));
        }
        let claims: Vec<(u32, &[PreparedTerm])> = pending
            .iter()
            .flatten()
            .map(|(slot, terms)| (*slot, terms.as_slice()))
            .collect();
        // Terms are sorted by key and a key's top bits are its field, so each
        // claim's terms of one pair of fields are one contiguous run.
        let (ids_lo, ids_hi) = self.term_ids.split_at_mut(2);
        let (post_lo, post_hi) = self.postings.split_at_mut(2);
        let (lo, hi) = if threads > 1 && claims.len() > 1 {
            std::thread::scope(|s| {
                let hi = s.spawn(|| add_postings(&claims, 2, ids_hi, post_hi));
                let lo = add_postings(&claims, 0, ids_lo, post_lo);
                match hi.join() {
                    Ok(hi) => (lo, hi),
                    Err(e) => std::panic::resume_unwind(e),
                }
            })
        } else {
            (
                add_postings(&claims, 0, ids_lo, post_lo),
                add_postings(&claims, 2, ids_hi, post_hi),
            )
        };
        let (mut at_lo, mut at_hi) = (0usize, 0usize);
        for (i, &(slot, _)) in claims.iter().enumerate() {
            let start = self.fwd.len();
            let n_lo = lo.1.get(i).map_or(0, |&n| n as usize);
            let n_hi = hi.1.get(i).map_or(0, |&n| n as usize);
            self.fwd.extend_from_slice(&lo.0[at_lo..at_lo + n_lo]);
            self.fwd.extend_from_slice(&hi.0[at_hi..at_hi + n_hi]);
            at_lo += n_lo;
            at_hi += n_hi;
            self.fwd[start..].sort_unstable();
            self.spans[slot as usize] = (
                u32::try_from(start).unwrap_or(u32::MAX),
                u32::try_from(self.fwd.len() - start).unwrap_or(u32::MAX),
            );
        }
    }

    /// Removes a claim; false when the id was not in the library.
    pub fn remove(&mut self, id: &str) -> bool {
        self.remove_slot(id).is_some()
    }

    fn remove_slot(&mut self, id: &str) -> Option<(u32, Doc)> {
        let slot = self.by_id.remove(id)?;
        let doc = self.slots.get_mut(slot as usize)?.take()?;
        self.new_generation();
        self.dense.clear(slot);
        let (start, len) = self.spans.get(slot as usize).copied().unwrap_or((0, 0));
        let run = start as usize..(start + len) as usize;
        for &packed in self.fwd.get(run).unwrap_or(&[]) {
            let (field, number) = split_tid(packed >> TF_BITS);
            if let Some(p) = self.postings[field].get_mut(number) {
                if let Some(i) = p.0.iter().position(|&d| d >> TF_BITS == slot) {
                    p.0.swap_remove(i);
                }
            }
        }
        if let Some(s) = self.spans.get_mut(slot as usize) {
            *s = (0, 0);
        }
        self.fwd_garbage += len as usize;
        if self.fwd_garbage > 4096 && self.fwd_garbage * 2 > self.fwd.len() {
            self.compact_terms();
        }
        for &key in &doc.bands {
            remove_from_bucket(&mut self.lsh, key, slot);
        }
        remove_from_bucket(&mut self.exact, doc.exact_key, slot);
        self.total_syllables = self
            .total_syllables
            .saturating_sub(u64::from(doc.syllables));
        self.live = self.live.saturating_sub(1);
        self.free.push(slot);
        Some((slot, doc))
    }

    /// Marks every cached coverage mass stale (see `coverage_mass`).
    fn new_generation(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // After 2^32 changes a stale entry could look current: clear them.
            for m in &mut self.coverage_mass {
                *m = Default::default();
            }
            self.generation = 1;
        }
    }

    /// A claim's term list: `term id << TF_BITS | count`, sorted.
    fn doc_terms(&self, slot: u32) -> &[u32] {
        match self.spans.get(slot as usize) {
            Some(&(start, len)) => self
                .fwd
                .get(start as usize..(start + len) as usize)
                .unwrap_or(&[]),
            None => &[],
        }
    }

    /// The id of an indexed term.
    fn term_id(&self, key: u64) -> Option<u32> {
        let field = usize::from(features::field_of(key));
        let number = self.term_ids[field].get(key)?;
        Some(number << FIELD_BITS | field as u32)
    }

    fn posting_list(&self, tid: u32) -> &[u32] {
        let (field, number) = split_tid(tid);
        self.postings[field].get(number).map_or(&[], |p| &p.0)
    }

    /// Number of claims containing the term.
    fn df(&self, tid: u32) -> usize {
        self.posting_list(tid).len()
    }

    /// Rewrites the term-list arena without the runs of removed claims.
    fn compact_terms(&mut self) {
        let live: usize = self.spans.iter().map(|s| s.1 as usize).sum();
        let mut fwd = Vec::with_capacity(live);
        for span in &mut self.spans {
            let (start, len) = *span;
            let begin = fwd.len();
            fwd.extend_from_slice(&self.fwd[start as usize..(start + len) as usize]);
            *span = (u32::try_from(begin).unwrap_or(u32::MAX), len);
        }
        self.fwd = fwd;
        self.fwd_garbage = 0;
    }

    /// The best `k` claims for `query`, best first. An empty query (after
    /// normalisation) matches nothing.
    pub fn search(&self, query: &str, k: usize) -> Vec<Match> {
        self.search_inner(query, k, None, None, Self::explain)
    }

    /// [`Library::search`] at time `now` (same clock as
    /// [`Library::upsert_dated`]): claims verified more than
    /// `stale_after_secs` ago are never confirmed.
    pub fn search_at(&self, query: &str, k: usize, now: i64) -> Vec<Match> {
        self.search_inner(query, k, Some(now), None, Self::explain)
    }

    /// Attaches a dense embedding (e.g. from `kc_embed`) to a claim already in
    /// the library; false when the id is unknown.
    pub fn upsert_vector(&mut self, id: &str, vector: &[f32]) -> bool {
        let Some(&slot) = self.by_id.get(id) else {
            return false;
        };
        match self.slots.get_mut(slot as usize).and_then(Option::as_mut) {
            Some(doc) => {
                doc.vector = Some(vector.to_vec());
                self.dense.set(slot, vector);
                true
            }
            None => false,
        }
    }

    /// Lexical search fused with a brute-force dense search over the vectors
    /// given to [`Library::upsert_vector`]. `query_vector` must come from the
    /// same model (e5: the query embedded as `query`, claims as `passage`,
    /// both in their [`semantic_text`] form). Scores and levels then follow [`HybridParams`]; without a query
    /// vector, or in a library holding no vectors, this is [`Library::search`].
    pub fn search_hybrid(&self, query: &str, query_vector: Option<&[f32]>, k: usize) -> Vec<Match> {
        self.search_inner(query, k, None, query_vector, Self::explain)
    }

    /// [`Library::search_hybrid`] (lexical when `query_vector` is `None`)
    /// without the explanations: the same claims, scores and levels in the
    /// same order, with less work per match. Explaining a match (which
    /// syllables it shares, spelt as the claim spells them) costs about a
    /// fifth of a query; a batch that keeps only ids and scores skips it.
    pub fn rank(&self, query: &str, query_vector: Option<&[f32]>, k: usize) -> Vec<Ranked<'_>> {
        self.search_inner(
            query,
            k,
            None,
            query_vector,
            |lib, c, _, feats, now, curve| {
                let doc = lib.slots.get(c.slot as usize)?.as_ref()?;
                let (score, level) = lib.calibrate(&c, doc, feats, now, curve);
                Some(Ranked {
                    id: &doc.id,
                    score,
                    level,
                })
            },
        )
    }

    /// [`Library::search_hybrid`] at time `now` (see [`Library::search_at`]).
    pub fn search_hybrid_at(
        &self,
        query: &str,
        query_vector: Option<&[f32]>,
        k: usize,
        now: i64,
    ) -> Vec<Match> {
        self.search_inner(query, k, Some(now), query_vector, Self::explain)
    }

    pub fn hybrid_params(&self) -> &HybridParams {
        &self.hybrid
    }

    /// Replaces the fusion and hybrid-mode thresholds (the defaults are
    /// fitted on the public evaluation half).
    pub fn set_hybrid_params(&mut self, params: HybridParams) {
        self.hybrid = params;
    }

    /// Ranks the claims for `query`; `emit` turns each of the best `k`
    /// (with the query's terms and features, the time and the calibration
    /// curve that applies) into the caller's result type.
    fn search_inner<'s, T>(
        &'s self,
        query: &str,
        k: usize,
        now: Option<i64>,
        qvec: Option<&[f32]>,
        emit: impl Fn(&'s Self, Candidate, &[QTerm], &Features, Option<i64>, Curve) -> Option<T>,
    ) -> Vec<T> {
        if k == 0 || self.live == 0 {
            return Vec::new();
        }
        // Without any claim vector there is nothing to fuse: stay lexical,
        // with the lexical calibration.
        let qvec = qvec.filter(|_| !self.dense.is_empty());
        let normalized = normalize_for_index(query);
        let mut feats = features::features_with_text(&normalized);
        if feats.syllables == 0 {
            return Vec::new();
        }
        let caps = if self.params.name_boost == 1.0 {
            Vec::new()
        } else {
            features::capitalized_keys(query)
        };
        let unaccented = typed_without_diacritics(query) || self.typed_mostly_without(&feats);
        let (weights, weight_set) = if unaccented {
            (&self.params.folded_field_weights, 1)
        } else {
            (&self.params.field_weights, 0)
        };
        feats.negation_check = Some(&normalized);
        let curve = match (qvec.is_some(), unaccented) {
            (false, _) => Curve::Lexical,
            (true, false) => Curve::Hybrid,
            (true, true) => Curve::HybridUnaccented,
        };
        let (qterms, absent_self) = self.query_terms(&feats, &caps, weights);
        let mut cands = self.bm25_candidates(&qterms, k);
        let mut all = None;
        self.add_lookup_candidates(&feats, &qterms, &mut all, &mut cands);
        if let Some(v) = qvec {
            self.add_dense_candidates(v, k, &qterms, &mut all, &mut cands);
        }
        // Rescoring a candidate reads its whole term list. Lexically, only the best few
        // can reach the top k, and rescoring only raises scores, so the rest stay below
        // them; fused with vectors, any candidate can.
        let rescored = if qvec.is_some() {
            usize::MAX
        } else {
            (3 * k).max(30)
        };
        let self_score =
            self.discriminate(&qterms, absent_self, feats.syllables, rescored, &mut cands);
        for c in &mut cands {
            c.evidence = self.evidence(c, self_score, qvec, unaccented);
        }
        // The score is a monotone function of the evidence, but saturates;
        // ranking on the evidence keeps near-certain matches apart.
        cands.sort_by(|a, b| {
            b.evidence
                .total_cmp(&a.evidence)
                .then_with(|| a.slot.cmp(&b.slot))
        });
        cands.truncate(k);
        if self.params.containment > 0.0 {
            // A report that quotes a whole claim inside longer text covers
            // little of its own self-score but all of the claim: worth a
            // suggestion, never more (the rest may dispute the claim).
            // The floor is set on the lexical curve; fused evidence has its own
            // scale, so the floor moves to the point scoring the same there.
            // A floor short of a suggestion would change no level, only reorder
            // candidates nobody is shown: it is applied from the suggestion up.
            let mut filter = None;
            let ceiling = self.on_curve(self.params.containment, curve);
            let least = self.params.midpoint + logit(self.params.suggest) / self.params.slope;
            for c in &mut cands {
                // Coverage is at most 1: evidence already at the floor's
                // ceiling cannot rise.
                if c.evidence < ceiling {
                    let filter = filter.get_or_insert_with(|| self.coverage_filter(&qterms));
                    let cov = self.claim_coverage(c.slot, filter, weights, weight_set);
                    let lexical_floor = self.params.containment * cov;
                    if lexical_floor >= least {
                        c.evidence = c.evidence.max(self.on_curve(lexical_floor, curve));
                    }
                }
            }
            cands.sort_by(|a, b| {
                b.evidence
                    .total_cmp(&a.evidence)
                    .then_with(|| a.slot.cmp(&b.slot))
            });
        }
        cands
            .into_iter()
            .filter_map(|c| emit(self, c, &qterms, &feats, now, curve))
            .collect()
    }

    /// Share of a claim's idf-weighted terms that the query contains.
    /// `query` holds the query's terms with their coverage weights;
    /// `weight_set` names `weights` for the cache: 0 accented, 1 folded.
    fn claim_coverage(
        &self,
        slot: u32,
        query: &TermFilter,
        weights: &[f32; FIELDS],
        weight_set: usize,
    ) -> f32 {
        let total = self.claim_mass(slot, weights, weight_set);
        let mut shared = 0.0f32;
        for &packed in self.doc_terms(slot) {
            if let Some(w) = query.get(packed >> TF_BITS) {
                shared += w;
            }
        }
        if total > 0.0 {
            shared / total
        } else {
            0.0
        }
    }

    /// The query's terms weighted for [`Library::claim_coverage`].
    fn coverage_filter(&self, qterms: &[QTerm]) -> TermFilter {
        TermFilter::new(
            qterms
                .iter()
                .map(|q| (q.tid, q.field_weight * self.idf_approx(q.df)))
                .collect(),
        )
    }

    /// Σ field weight × idf over a claim's terms, cached per generation.
    fn claim_mass(&self, slot: u32, weights: &[f32; FIELDS], weight_set: usize) -> f32 {
        let cell = self
            .coverage_mass
            .get(slot as usize)
            .and_then(|c| c.get(weight_set));
        if let Some(cell) = cell {
            let v = cell.load(Ordering::Relaxed);
            if (v >> 32) as u32 == self.generation {
                return f32::from_bits(v as u32);
            }
        }
        let mut total = 0.0f32;
        for &packed in self.doc_terms(slot) {
            let t = packed >> TF_BITS;
            // No branch on the loaded count: it is a cache miss, and without
            // a branch on it the CPU overlaps the misses of successive terms
            // (a zero weight simply adds nothing).
            total += weights[split_tid(t).0] * self.idf_approx(self.df(t));
        }
        // Every thread that races here computes the same value: Relaxed is
        // enough, and the library cannot change while `&self` is borrowed.
        if let Some(cell) = cell {
            cell.store(
                u64::from(self.generation) << 32 | u64::from(total.to_bits()),
                Ordering::Relaxed,
            );
        }
        total
    }

    /// Fills every claim's cached coverage mass for the current generation,
    /// for both weight sets, on `threads` threads. After a bulk load a batch
    /// of queries would otherwise compute them one candidate at a time, a
    /// posting-list header (cache miss) and a logarithm per term: a tenth of
    /// a batch run. One sweep reads each header once.
    fn fill_coverage_mass(&self, threads: usize) {
        let idf: Vec<Vec<f32>> = self
            .postings
            .iter()
            .map(|lists| lists.iter().map(|p| self.idf_approx(p.0.len())).collect())
            .collect();
        let sets = [
            &self.params.field_weights,
            &self.params.folded_field_weights,
        ];
        let fill = |slots: std::ops::Range<usize>| {
            for slot in slots {
                let Some(cells) = self.coverage_mass.get(slot) else {
                    continue;
                };
                if self.slots.get(slot).is_none_or(Option::is_none) {
                    continue;
                }
                let terms = self.doc_terms(slot as u32);
                for (cell, weights) in cells.iter().zip(sets) {
                    // The same sum, in the same order, as `claim_mass`.
                    let mut total = 0.0f32;
                    for &packed in terms {
                        let (field, number) = split_tid(packed >> TF_BITS);
                        let idf = idf[field]
                            .get(number)
                            .copied()
                            .unwrap_or_else(|| self.idf_approx(0));
                        total += weights[field] * idf;
                    }
                    cell.store(
                        u64::from(self.generation) << 32 | u64::from(total.to_bits()),
                        Ordering::Relaxed,
                    );
                }
            }
        };
        let n = self.slots.len();
        let threads = threads.clamp(1, 64);
        if threads == 1 || n < 4096 {
            fill(0..n);
            return;
        }
        let per = n.div_ceil(threads);
        std::thread::scope(|s| {
            for t in 1..threads {
                let fill = &fill;
                s.spawn(move || fill(t * per..((t + 1) * per).min(n)));
            }
            fill(0..per.min(n));
        });
    }

    fn avgdl(&self) -> f32 {
        if self.live == 0 {
            1.0
        } else {
            (self.total_syllables as f32 / self.live as f32).max(1.0)
        }
    }

    fn idf(&self, df: usize) -> f32 {
        let n = self.live as f32;
        let df = df as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// [`Library::idf`] to within 0.1 %, without a logarithm call: the
    /// coverage floor weighs every term of a claim, not just the query's.
    fn idf_approx(&self, df: usize) -> f32 {
        let n = self.live as f32;
        let df = df as f32;
        fast_ln(1.0 + (n - df + 0.5) / (df + 0.5))
    }

    /// Whether a query with some diacritics was still typed mostly without:
    /// a hurried report keeps the accents of a pasted name or of a word the
    /// keyboard corrected, and the rest of its words exist only in their
    /// folded form. Matched on the accented fields it would miss them all.
    /// The sign is a syllable written in ASCII that no claim writes so,
    /// while claims do write its folded form (`nguoi`, not `cho`).
    fn typed_mostly_without(&self, feats: &Features) -> bool {
        feats
            .terms
            .iter()
            .filter(|t| t.field == F_UNI)
            .filter_map(|t| t.text.filter(|s| s.is_ascii()).map(|s| (t.key, s)))
            .any(|(key, s)| {
                s.bytes().any(|b| b.is_ascii_alphabetic())
                    && self.term_id(key).map_or(0, |tid| self.df(tid)) == 0
                    && self
                        .term_id(features::folded_unigram_key(s))
                        .is_some_and(|tid| self.df(tid) > 0)
            })
    }

    fn query_terms<'a>(
        &self,
        feats: &Features<'a>,
        caps: &[u64],
        weights: &[f32; FIELDS],
    ) -> (Vec<QTerm<'a>>, f32) {
        let mut out = Vec::with_capacity(feats.terms.len());
        // Terms no claim has still belong to the query's self-score: a long
        // report must not look like a perfect match because most of its
        // words are new to the library.
        let mut absent_self = 0.0;
        let norm = self.length_norm(feats.syllables);
        // Each lookup is a cache miss or two: start them all before waiting
        // on the first.
        for t in &feats.terms {
            if weights[usize::from(t.field)] > 0.0 {
                self.term_ids[usize::from(t.field)].prefetch(t.key);
            }
        }
        for t in &feats.terms {
            let field_weight = weights[usize::from(t.field)];
            if field_weight <= 0.0 {
                continue;
            }
            let boost = if caps.binary_search(&t.key).is_ok() {
                self.params.name_boost
            } else {
                1.0
            };
            let qtf = t.tf as f32;
            let found = self.term_id(t.key);
            let df = found.map_or(0, |tid| self.df(tid));
            let weight = field_weight * self.idf(df) * boost;
            if weight.is_nan() || weight <= 0.0 {
                // Weighs nothing (a zero name boost): it adds to no score,
                // and walking it would record a claim as touched twice (a
                // claim counts as new while its score is still 0).
                continue;
            }
            let tid = match found {
                Some(tid) if df > 0 => tid,
                _ => {
                    absent_self += weight * qtf * self.tf_part(qtf, norm);
                    continue;
                }
            };
            out.push(QTerm {
                tid,
                key: t.key,
                field_weight,
                field: t.field,
                qtf,
                weight,
                df,
                text: t.text,
            });
        }
        out.sort_unstable_by_key(|q| q.tid);
        (out, absent_self)
    }

    /// Weighs up the query terms that tell the strongest candidates apart, rescores
    /// the candidates with them, and returns the query's self-score on the same
    /// weights: the BM25 of the query against itself, the most a library text of the
    /// query's own length could score, which makes scores of different queries
    /// comparable.
    ///
    /// A report often shares its topic's words with several claims (the same event,
    /// the same scam in other towns); the words only some of them share are the ones
    /// that say which claim it repeats. Library-wide idf cannot see that: the same
    /// word is common among these candidates and rare in the library. On the public
    /// VietNews queries this lifts R@1 and MRR by ≈ 1.3 points out of sample
    /// (docs/benchmarks.md).
    fn discriminate(
        &self,
        qterms: &[QTerm],
        absent_self: f32,
        len: u32,
        rescored: usize,
        cands: &mut [Candidate],
    ) -> f32 {
        let norm = self.length_norm(len);
        let self_part = |q: &QTerm| q.weight * q.qtf * self.tf_part(q.qtf, norm);
        let alpha = self.params.local_idf;
        let mut strongest: Vec<(f32, u32)> = cands
            .iter()
            .filter(|c| c.bm25 > 0.0)
            .map(|c| (c.bm25, c.slot))
            .collect();
        let top = self.params.local_top.min(strongest.len());
        if alpha <= 0.0 || top == 0 {
            let plain: f32 = qterms.iter().map(self_part).sum();
            return (plain + absent_self).max(f32::MIN_POSITIVE);
        }
        let by_score =
            |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1));
        let rescored = rescored.max(top);
        if strongest.len() > rescored {
            strongest.select_nth_unstable_by(rescored - 1, by_score);
            strongest.truncate(rescored);
        }
        if strongest.len() > top {
            strongest.select_nth_unstable_by(top - 1, by_score);
        }
        // One pass over each rescored claim's term list collects which query terms it
        // holds and how often; qterms are sorted by term id, so a term's place in the
        // filter is its place in qterms.
        let all = bm25_filter(qterms.iter());
        let mut hits: Vec<(u32, u32)> = Vec::with_capacity(strongest.len() * 16);
        let mut ends = Vec::with_capacity(strongest.len());
        for &(_, slot) in &strongest {
            for &packed in self.doc_terms(slot) {
                if let Some(i) = all.index(packed >> TF_BITS) {
                    hits.push((i as u32, packed & TF_MAX));
                }
            }
            ends.push(hits.len());
        }
        let mut found_in = vec![0u32; qterms.len()];
        for &(i, _) in &hits[..ends[top - 1]] {
            found_in[i as usize] += 1;
        }
        let boost = |c: u32| 1.0 + alpha * ((top as f32 + 1.0) / (c as f32 + 1.0)).ln();
        let weights: Vec<f32> = all
            .terms
            .iter()
            .zip(&found_in)
            .map(|(&(_, w), &c)| w * boost(c))
            .collect();
        let mut start = 0;
        let mut rescore: Vec<(u32, f32)> = Vec::with_capacity(strongest.len());
        for (&(_, slot), &end) in strongest.iter().zip(&ends) {
            let norm = self.length_norm(self.lens.get(slot as usize).copied().unwrap_or(0));
            let score: f32 = hits[start..end]
                .iter()
                .map(|&(i, tf)| weights[i as usize] * self.tf_part(tf as f32, norm))
                .sum();
            rescore.push((slot, score));
            start = end;
        }
        rescore.sort_unstable_by_key(|r| r.0);
        for c in cands.iter_mut() {
            if let Ok(i) = rescore.binary_search_by_key(&c.slot, |r| r.0) {
                c.bm25 = rescore[i].1;
            }
        }
        // A word no claim has is in none of the candidates either.
        let own: f32 = qterms
            .iter()
            .zip(&found_in)
            .map(|(q, &c)| self_part(q) * boost(c))
            .sum();
        (own + absent_self * boost(0)).max(f32::MIN_POSITIVE)
    }

    fn length_norm(&self, len: u32) -> f32 {
        let p = &self.params;
        p.k1 * (1.0 - p.b + p.b * len as f32 / self.avgdl())
    }

    fn tf_part(&self, tf: f32, norm: f32) -> f32 {
        tf * (self.params.k1 + 1.0) / (tf + norm)
    }

    /// Term-at-a-time BM25 over the selective query terms. Terms frequent in
    /// the library ("của", "và") only rescore the shortlist, which keeps a
    /// query's cost independent of the library's stop-words.
    fn bm25_candidates(&self, qterms: &[QTerm], k: usize) -> Vec<Candidate> {
        let n = self.live as usize;
        let cutoff = ((n as f32 * self.params.generate_max_df) as usize)
            .min(self.params.generate_max_docs)
            .max(64);
        // Frequent terms of a low-weight field (the folded forms of an
        // accented query) are left out: little signal for many postings.
        let max_w = qterms.iter().map(|q| q.field_weight).fold(0.0f32, f32::max);
        let mut order: Vec<&QTerm> = qterms
            .iter()
            .filter(|q| q.df <= cutoff || q.field_weight >= 0.2 * max_w)
            .collect();
        order.sort_unstable_by_key(|q| q.df);
        let mut n_selective = order.iter().take_while(|q| q.df <= cutoff).count();
        if n_selective == 0 {
            n_selective = order.len().min(2);
        }
        let (selective, frequent) = order.split_at(n_selective);
        let frequent = bm25_filter(frequent.iter().copied());
        let p = &self.params;
        // k1 · (1 − b + b · len / avgdl), as a + b · len without a division.
        let norm_a = p.k1 * (1.0 - p.b);
        let norm_b = p.k1 * p.b / self.avgdl();
        SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let Scratch { acc, touched, kept } = &mut *guard;
            touched.clear();
            if acc.len() < self.slots.len() {
                acc.resize(self.slots.len(), 0.0);
            }
            // Room for every posting up front: the first touch of a claim is
            // then recorded without a branch (it is unpredictable, and the
            // loop is otherwise a few loads and one division).
            let walked: usize = selective.iter().map(|q| self.df(q.tid)).sum();
            // The head of each list is a cache miss; ask for them all at once
            // rather than meeting them one list after another.
            for q in selective {
                let list = self.posting_list(q.tid);
                for x in list.first().into_iter().chain(list.get(16)) {
                    prefetch(x);
                }
            }
            touched.resize(walked, 0);
            let mut n_touched = 0usize;
            // Scores only grow, so the best final score is the best update.
            let mut best = 0.0f32;
            let mut w = walk::Walk {
                lens: &self.lens,
                acc,
                touched,
                n_touched,
                best,
            };
            for q in selective {
                let t = walk::Term {
                    w: q.weight * q.qtf * (p.k1 + 1.0),
                    norm_a,
                    norm_b,
                };
                walk::accumulate(&mut w, self.posting_list(q.tid), t);
            }
            (n_touched, best) = (w.n_touched, w.best);
            touched.truncate(n_touched);
            let shortlist = (k * p.shortlist_per_k).max(32);
            // Most touched claims share one mid-frequency syllable and score
            // a small fraction of the best: drop them before selecting, which
            // is most of a query's cost otherwise. (The floor is far below
            // what frequent terms can add back at rescoring.) The same pass
            // clears the accumulator for the next query, and the kept scores
            // travel with their claims, so selecting compares them directly.
            let filtering = touched.len() > 4 * shortlist;
            let floor = best * p.shortlist_floor;
            kept.clear();
            for &d in touched.iter() {
                if let Some(a) = acc.get_mut(d as usize) {
                    let score = std::mem::take(a);
                    if !filtering || score >= floor {
                        kept.push((score, d));
                    }
                }
            }
            if kept.len() > shortlist {
                // Ties go to the lower slot, so the shortlist does not depend
                // on the order of the posting lists (which removals change).
                kept.select_nth_unstable_by(shortlist, |a, b| {
                    b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1))
                });
            }
            let chosen = &kept[..shortlist.min(kept.len())];
            // Each claim's term list is a cache miss; requesting them all
            // before merging overlaps the misses instead of taking them one
            // after another.
            for &(_, d) in chosen {
                self.prefetch_terms(d);
            }
            let mut out = Vec::with_capacity(chosen.len());
            for &(score, d) in chosen {
                let bm25 = score + self.frequent_part(d, &frequent);
                out.push(Candidate {
                    slot: d,
                    bm25,
                    evidence: 0.0,
                    generators: Generators::one(Generator::Bm25),
                });
            }
            out
        })
    }

    /// Asks the CPU to start loading a claim's term list.
    fn prefetch_terms(&self, slot: u32) {
        // Up to eight cache lines, a news lead's whole list: the frequent
        // terms' merge reads half of it on average, and waited on every line
        // past the first two when only those were asked for (query time −5 %
        // against two lines, the same with six, no better with twelve).
        for x in self.doc_terms(slot).iter().step_by(16).take(8) {
            prefetch(x);
        }
    }

    /// BM25 of the frequent query terms (sorted by term id) in one claim.
    /// A term id is its number within its field (in order of first
    /// appearance) above two field bits, so frequent terms have small ids and
    /// sit at the start of the claim's sorted term list: a merge that stops
    /// after the last query term reads only that start.
    fn frequent_part(&self, slot: u32, frequent: &TermFilter) -> f32 {
        let Some(&len) = self.lens.get(slot as usize) else {
            return 0.0;
        };
        let norm = self.length_norm(len);
        let last = frequent.last();
        let mut sum = 0.0;
        for &packed in self.doc_terms(slot) {
            let t = packed >> TF_BITS;
            if t > last {
                break;
            }
            if let Some(w) = frequent.get(t) {
                sum += w * self.tf_part((packed & TF_MAX) as f32, norm);
            }
        }
        sum
    }

    /// Adds `slot` to the candidates as proposed by `g`; `all` (built on
    /// first need) weighs every query term, to score a claim that no
    /// selective term proposed.
    fn add_candidate(
        &self,
        cands: &mut Vec<Candidate>,
        slot: u32,
        g: Generator,
        qterms: &[QTerm],
        all: &mut Option<TermFilter>,
    ) {
        if let Some(c) = cands.iter_mut().find(|c| c.slot == slot) {
            if !c.generators.contains(&g) {
                c.generators.push(g);
            }
        } else {
            let all = all.get_or_insert_with(|| bm25_filter(qterms.iter()));
            let bm25 = self.frequent_part(slot, all);
            cands.push(Candidate {
                slot,
                bm25,
                evidence: 0.0,
                generators: Generators::one(g),
            });
        }
    }

    fn add_lookup_candidates(
        &self,
        feats: &Features,
        qterms: &[QTerm],
        all: &mut Option<TermFilter>,
        cands: &mut Vec<Candidate>,
    ) {
        if let Some(bucket) = self.exact.get(&feats.exact_key) {
            for &s in bucket.slots() {
                self.add_candidate(cands, s, Generator::Exact, qterms, all);
            }
        }
        for key in minhash::band_keys(&feats.shingles) {
            if let Some(bucket) = self.lsh.get(&key) {
                let slots = bucket.slots();
                // A huge bucket is a degenerate band (e.g. one-word texts), not
                // evidence of a near-duplicate.
                if slots.len() > 256 {
                    continue;
                }
                for &s in slots {
                    self.add_candidate(cands, s, Generator::NearDuplicate, qterms, all);
                }
            }
        }
    }

    fn add_dense_candidates(
        &self,
        qvec: &[f32],
        k: usize,
        qterms: &[QTerm],
        all: &mut Option<TermFilter>,
        cands: &mut Vec<Candidate>,
    ) {
        let h = &self.hybrid;
        let keep = (k * h.dense_per_k).max(h.min_dense_candidates);
        for (_, slot) in self.dense.nearest(qvec, keep) {
            self.add_candidate(cands, slot, Generator::Semantic, qterms, all);
        }
    }

    /// The evidence a candidate is ranked and calibrated on: its BM25 as a
    /// share of the query's self-score, exact copies at 1, fused with the
    /// dense cosine ([`HybridParams::fuse`]) when vectors are in play.
    fn evidence(
        &self,
        c: &Candidate,
        self_score: f32,
        qvec: Option<&[f32]>,
        unaccented: bool,
    ) -> f32 {
        let mut evidence = (c.bm25 / self_score).clamp(0.0, 1.0);
        if c.generators.contains(&Generator::Exact) {
            evidence = 1.0;
        }
        if let Some(q) = qvec {
            // A claim without a vector has no semantic evidence, not neutral.
            let dense = match self.slots.get(c.slot as usize) {
                Some(Some(doc)) => doc
                    .vector
                    .as_ref()
                    .filter(|v| v.len() == q.len())
                    .map_or(0.0, |v| dot(q, v).clamp(0.0, 1.0)),
                _ => 0.0,
            };
            if !c.generators.contains(&Generator::Exact) {
                evidence = self.hybrid.fuse(evidence, dense, unaccented);
            }
        }
        evidence
    }

    /// Calibrated score, level and explanation of one ranked candidate.
    fn explain(
        &self,
        c: Candidate,
        qterms: &[QTerm],
        feats: &Features,
        now: Option<i64>,
        curve: Curve,
    ) -> Option<Match> {
        let doc = self.slots.get(c.slot as usize)?.as_ref()?;
        let terms = self.doc_terms(c.slot);
        // A query typed without diacritics is matched on the folded field
        // only; its shared terms are named from that field.
        let folded = !qterms.iter().any(|q| q.field == F_UNI);
        let field = if folded { F_FUNI } else { F_UNI };
        let mut shared: Vec<(f32, u64, &str)> = qterms
            .iter()
            .filter(|q| {
                q.field == field
                    && terms
                        .binary_search_by_key(&q.tid, |&p| p >> TF_BITS)
                        .is_ok()
            })
            .filter_map(|q| Some((q.weight, q.key, q.text?)))
            .filter(|e| !features::is_url_token(e.2))
            .collect();
        if folded && !shared.is_empty() {
            // Show the officer the claim's own spelling of each shared
            // syllable: its first one with the same folded key, an accented
            // one if there is any. (The key also merges i/y, so "qui" may be
            // the claim's "quy".) Hashing is cheap; an index lookup per
            // syllable was a third of such a query's time.
            let mut from_claim = vec![false; shared.len()];
            for s in kc_text::syllables(&doc.normalized) {
                let key = features::folded_unigram_key(s);
                for (e, named) in shared.iter_mut().zip(from_claim.iter_mut()) {
                    if e.1 == key && (!*named || (!s.is_ascii() && e.2.is_ascii())) {
                        e.2 = s;
                        *named = true;
                    }
                }
            }
        }
        let (score, level) = self.calibrate(&c, doc, feats, now, curve);
        shared.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.2.cmp(b.2)));
        let mut shared_terms: Vec<String> = Vec::new();
        for (_, _, t) in shared {
            if shared_terms.len() == 8 {
                break;
            }
            if !shared_terms.iter().any(|s| s == t) {
                shared_terms.push(t.to_owned());
            }
        }
        Some(Match {
            id: doc.id.clone(),
            score,
            level,
            generators: c.generators.as_slice().to_vec(),
            shared_terms,
        })
    }

    /// The evidence on `curve` that scores what `lexical` evidence scores on
    /// the lexical curve.
    fn on_curve(&self, lexical: f32, curve: Curve) -> f32 {
        let (p, h) = (&self.params, &self.hybrid);
        let (slope, midpoint) = match curve {
            Curve::Lexical => return lexical,
            Curve::Hybrid => (h.slope, h.midpoint),
            Curve::HybridUnaccented => (h.unaccented_slope, h.unaccented_midpoint),
        };
        midpoint + p.slope / slope * (lexical - p.midpoint)
    }

    /// Score in [0, 1] and level of a ranked candidate.
    fn calibrate(
        &self,
        c: &Candidate,
        doc: &Doc,
        feats: &Features,
        now: Option<i64>,
        curve: Curve,
    ) -> (f32, MatchLevel) {
        let p = &self.params;
        let h = &self.hybrid;
        let (slope, midpoint, confirm, suggest) = match curve {
            Curve::Lexical => (p.slope, p.midpoint, p.confirm, p.suggest),
            Curve::Hybrid => (h.slope, h.midpoint, h.confirm, h.suggest),
            Curve::HybridUnaccented => (
                h.unaccented_slope,
                h.unaccented_midpoint,
                h.confirm,
                h.suggest,
            ),
        };
        let score = 1.0 / (1.0 + (-slope * (c.evidence - midpoint)).exp());
        let stale = match (now, doc.verified_at) {
            (Some(now), Some(at)) => now.saturating_sub(at) > p.stale_after_secs,
            _ => false,
        };
        // A report that negates the claim ("… không hoàn tiền …") shares its words but
        // says the opposite: an officer reads it, whatever the score.
        let same_polarity = || {
            feats
                .negation_check
                .is_none_or(|query| !kc_text::negation_conflict(query, &doc.normalized))
        };
        let level = if score >= confirm
            && feats.syllables >= p.min_confirm_syllables
            && !stale
            && same_polarity()
        {
            MatchLevel::Confirm
        } else if score >= suggest {
            MatchLevel::Suggest
        } else {
            MatchLevel::None
        };
        (score, level)
    }
}

const FIELD_BITS: u32 = 2;

/// (field, number within the field) of a term id.
fn split_tid(tid: u32) -> (usize, usize) {
    ((tid & 3) as usize, (tid >> FIELD_BITS) as usize)
}

/// Adds the postings of `claims` for the two fields starting at `first`, whose
/// term tables and posting lists are `ids` and `postings`. Returns the claims'
/// term-list entries (`term id << TF_BITS | count`), claim after claim, and
/// how many each claim has.
///
/// Each posting costs up to three dependent cache misses: the term's table
/// slot, its list header, the end of its list. Both passes below ask for
/// them a few postings ahead, so that they overlap.
fn add_postings(
    claims: &[(u32, &[PreparedTerm])],
    first: u8,
    ids: &mut [TermTable],
    postings: &mut [Vec<Postings>],
) -> (Vec<u32>, Vec<u32>) {
    const AHEAD: usize = 16;
    let mut counts = Vec::with_capacity(claims.len());
    // (key, posting) in insertion order.
    let mut flat: Vec<(u64, u32)> = Vec::with_capacity(claims.len() * 64);
    for (c, &(slot, terms)) in claims.iter().enumerate() {
        // Prepared on another thread a while ago: likely out of this cache.
        if let Some((_, next)) = claims.get(c + 1) {
            for x in next.iter().step_by(4).take(16) {
                prefetch(x);
            }
        }
        let from = terms.partition_point(|t| t.1 < first);
        let to = terms.partition_point(|t| t.1 < first + 2);
        for &(key, _, tf) in &terms[from..to] {
            flat.push((key, slot << TF_BITS | u32::from(tf).min(TF_MAX)));
        }
        counts.push(u32::try_from(to - from).unwrap_or(u32::MAX));
    }
    let field = |key: u64| usize::from(features::field_of(key) - first);
    // Pass 1: term numbers, new terms numbered in order of first appearance.
    const SKIP: u32 = u32::MAX;
    let mut numbers = Vec::with_capacity(flat.len());
    for (i, &(key, _)) in flat.iter().enumerate() {
        if let Some(&(ahead, _)) = flat.get(i + AHEAD) {
            if let Some(t) = ids.get(field(ahead)) {
                t.prefetch(ahead);
            }
        }
        let f = field(key);
        let (Some(table), Some(lists)) = (ids.get_mut(f), postings.get_mut(f)) else {
            numbers.push(SKIP);
            continue;
        };
        let next = u32::try_from(lists.len()).unwrap_or(u32::MAX);
        if next >= MAX_TERMS_PER_FIELD {
            // Beyond term capacity (see `Library`): new terms are not indexed.
            numbers.push(table.get(key).unwrap_or(SKIP));
            continue;
        }
        let (number, new) = table.get_or_insert(key, next);
        if new {
            lists.push(Postings::default());
        }
        numbers.push(number);
    }
    // Pass 2: the postings and the claims' term-list entries.
    let mut entries = Vec::with_capacity(flat.len());
    fn list_at<'p>(
        postings: &'p [Vec<Postings>],
        first: u8,
        flat: &[(u64, u32)],
        numbers: &[u32],
        i: usize,
    ) -> Option<&'p SmallVec<[u32; 4]>> {
        let &(key, _) = flat.get(i)?;
        let f = usize::from(features::field_of(key) - first);
        Some(&postings.get(f)?.get(*numbers.get(i)? as usize)?.0)
    }
    let mut skipped = false;
    for (i, &(key, posting)) in flat.iter().enumerate() {
        if let Some(list) = list_at(postings, first, &flat, &numbers, i + 2 * AHEAD) {
            prefetch(list);
        }
        if let Some(list) = list_at(postings, first, &flat, &numbers, i + AHEAD) {
            if list.spilled() {
                prefetch_ptr(list.as_ptr().wrapping_add(list.len()).cast());
            }
        }
        let number = numbers[i];
        let Some(list) = postings
            .get_mut(field(key))
            .and_then(|l| l.get_mut(number as usize))
        else {
            skipped = true;
            entries.push(SKIP);
            continue;
        };
        list.0.push(posting);
        let tid = number << FIELD_BITS | u32::from(features::field_of(key));
        entries.push(tid << TF_BITS | (posting & TF_MAX));
    }
    if skipped {
        // Terms past capacity: drop their entries from the claims' lists.
        // (By their numbers: a real entry can be all ones too.)
        let mut kept = Vec::with_capacity(entries.len());
        let mut at = 0usize;
        for c in &mut counts {
            let n = *c as usize;
            let before = kept.len();
            kept.extend(
                entries[at..at + n]
                    .iter()
                    .zip(&numbers[at..at + n])
                    .filter(|&(_, &number)| number != SKIP)
                    .map(|(&e, _)| e),
            );
            at += n;
            *c = u32::try_from(kept.len() - before).unwrap_or(u32::MAX);
        }
        entries = kept;
    }
    (entries, counts)
}

/// The claims sharing a hash key. Nearly every key has exactly one claim, so
/// that case needs no allocation (an LSH band costs 16 bytes, not 80).
#[derive(Debug)]
enum Bucket {
    One([u32; 1]),
    Many(Vec<u32>),
}

impl Bucket {
    fn slots(&self) -> &[u32] {
        match self {
            Bucket::One(s) => s,
            Bucket::Many(v) => v,
        }
    }
}

fn add_to_bucket(map: &mut KeyMap<Bucket>, key: u64, slot: u32) {
    match map.get_mut(&key) {
        None => {
            map.insert(key, Bucket::One([slot]));
        }
        Some(Bucket::One([first])) => {
            let first = *first;
            map.insert(key, Bucket::Many(vec![first, slot]));
        }
        Some(Bucket::Many(v)) => v.push(slot),
    }
}

fn remove_from_bucket(map: &mut KeyMap<Bucket>, key: u64, slot: u32) {
    let emptied = match map.get_mut(&key) {
        None => false,
        Some(Bucket::One([s])) => *s == slot,
        Some(Bucket::Many(v)) => {
            if let Some(i) = v.iter().position(|&s| s == slot) {
                v.swap_remove(i);
            }
            if let [only] = v.as_slice() {
                let only = *only;
                map.insert(key, Bucket::One([only]));
                false
            } else {
                v.is_empty()
            }
        }
    };
    if emptied {
        map.remove(&key);
    }
}

/// Natural logarithm of a positive, finite `x`, within about 1e-4 relative:
/// the exponent from the bits, the mantissa's logarithm from a short series
/// around 1.
/// The evidence at which the logistic curve reaches `p`, as a distance from its midpoint
/// in units of 1 / slope.
fn logit(p: f32) -> f32 {
    (p / (1.0 - p)).ln()
}

fn fast_ln(x: f32) -> f32 {
    let bits = x.to_bits();
    let exp = ((bits >> 23) & 0xff) as i32 - 127;
    // Mantissa in [1, 2), then centred: m in [0.75, 1.5) and the exponent
    // adjusted, so the series argument stays small.
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    let mut e = exp as f32;
    if m > 1.5 {
        m *= 0.5;
        e += 1.0;
    }
    // ln(m) = 2 atanh(z), z = (m − 1)/(m + 1), |z| ≤ 0.2.
    let z = (m - 1.0) / (m + 1.0);
    let z2 = z * z;
    let ln_m = 2.0 * z * (1.0 + z2 * (1.0 / 3.0 + z2 * (1.0 / 5.0 + z2 * (1.0 / 7.0))));
    e * std::f32::consts::LN_2 + ln_m
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Tells a test's reader whether a parity test exercised the vector code
/// (on a CPU without it, the portable code is compared with itself).
#[cfg(all(test, target_arch = "x86_64"))]
fn report_vector_path(test: &str, available: bool) {
    eprintln!(
        "{test}: vector path {}",
        if available {
            "tested (AVX-512)"
        } else {
            "not available on this CPU: portable code compared with itself"
        }
    );
}

#[cfg(test)]
mod tests;
