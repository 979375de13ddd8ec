//! Process-wide translation statistics (`-d stats`).
//!
//! Each engine counts in its own [`EngineStats`](super::EngineStats) and adds
//! what is new to these totals whenever it returns to its front end (at
//! every system call), so the totals are complete whenever the guest can
//! observe anything, including at `exit_group`.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// Totals over every engine of the process.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Blocks decoded.
    pub blocks: u64,
    /// Guest instructions decoded.
    pub insns: u64,
    /// Blocks translated by the baseline backend.
    pub baseline_blocks: u64,
    /// Guest instructions in them.
    pub baseline_insns: u64,
    /// Host code bytes the baseline backend emitted.
    pub baseline_bytes: u64,
    /// Nanoseconds spent decoding, lowering and translating new blocks.
    pub baseline_ns: u64,
    /// Regions compiled by Cranelift.
    pub opt_regions: u64,
    /// Of those, the regions compiled on the compiler thread.
    pub opt_background: u64,
    /// Guest instructions in those regions.
    pub opt_insns: u64,
    /// Nanoseconds spent in Cranelift.
    pub opt_ns: u64,
    /// Code cache flushes (invalidations and full arenas).
    pub flushes: u64,
    /// Times an execution loop looked for the code of a guest pc.
    pub dispatches: u64,
    /// Of those, the times it found it in its thread's own table, without
    /// the code cache's lock.
    pub lockless_dispatches: u64,
}

macro_rules! counters {
    ($($field:ident),*) => {
        $(static $field: AtomicU64 = AtomicU64::new(0);)*
    };
}
counters!(BLOCKS, INSNS, BASELINE_BLOCKS, BASELINE_INSNS, BASELINE_BYTES, BASELINE_NS, OPT_REGIONS, OPT_BACKGROUND, OPT_INSNS, OPT_NS, FLUSHES);
counters!(DISPATCHES, LOCKLESS_DISPATCHES);

/// Adds one thread's execution-loop counts to the process totals (the
/// translation counters are the code cache's, published by it).
pub(super) fn add_dispatches(all: u64, lockless: u64) {
    DISPATCHES.fetch_add(all, Ordering::Relaxed);
    LOCKLESS_DISPATCHES.fetch_add(lockless, Ordering::Relaxed);
}

static STALE_TRANSLATIONS: AtomicU64 = AtomicU64::new(0);

/// Whether translated code's calls into the reference semantics are
/// counted by instruction (with `-d stats`: a map update per call).
static COUNT_REFERENCE_CALLS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Instruction word -> calls into the reference semantics for it.
static REFERENCE_CALLS: std::sync::Mutex<Option<std::collections::HashMap<u32, u64>>> = std::sync::Mutex::new(None);

/// Starts counting, by instruction word, the instructions translated code
/// leaves to the reference semantics (`-d stats`).
pub fn count_reference_calls() {
    COUNT_REFERENCE_CALLS.store(true, Ordering::Relaxed);
}

/// Translated code ran `word` in the reference semantics (a helper call).
#[inline]
pub(super) fn note_reference_call(word: u32) {
    if COUNT_REFERENCE_CALLS.load(Ordering::Relaxed) {
        let mut calls = REFERENCE_CALLS.lock().unwrap_or_else(|e| e.into_inner());
        *calls.get_or_insert_with(Default::default).entry(word).or_default() += 1;
    }
}

/// The instruction words translated code left to the reference semantics
/// most often, with their counts, most frequent first; and the total.
pub fn top_reference_calls(n: usize) -> (u64, Vec<(u32, u64)>) {
    let calls = REFERENCE_CALLS.lock().unwrap_or_else(|e| e.into_inner());
    let Some(map) = calls.as_ref() else { return (0, Vec::new()) };
    let mut all: Vec<(u32, u64)> = map.iter().map(|(&w, &c)| (w, c)).collect();
    all.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let total = all.iter().map(|&(_, c)| c).sum();
    all.truncate(n);
    (total, all)
}

/// System mode: a translation found by virtual address came from another
/// physical page than the one the address maps to now.
pub(super) fn note_stale_translation() {
    STALE_TRANSLATIONS.fetch_add(1, Ordering::Relaxed);
}

/// How many translations [`note_stale_translation`] counted.
pub fn stale_translations() -> u64 {
    STALE_TRANSLATIONS.load(Ordering::Relaxed)
}

impl Totals {
    fn fields(&self) -> [(&'static AtomicU64, u64); 11] {
        [
            (&BLOCKS, self.blocks),
            (&INSNS, self.insns),
            (&BASELINE_BLOCKS, self.baseline_blocks),
            (&BASELINE_INSNS, self.baseline_insns),
            (&BASELINE_BYTES, self.baseline_bytes),
            (&BASELINE_NS, self.baseline_ns),
            (&OPT_REGIONS, self.opt_regions),
            (&OPT_BACKGROUND, self.opt_background),
            (&OPT_INSNS, self.opt_insns),
            (&OPT_NS, self.opt_ns),
            (&FLUSHES, self.flushes),
        ]
    }

    /// Adds `self - before` to the process totals.
    pub(super) fn publish_since(&self, before: &Totals) {
        for ((counter, now), (_, then)) in self.fields().iter().zip(before.fields().iter()) {
            if now > then {
                counter.fetch_add(now - then, Ordering::Relaxed);
            }
        }
    }

    /// The process totals so far.
    pub fn current() -> Totals {
        let l = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Totals {
            blocks: l(&BLOCKS),
            insns: l(&INSNS),
            baseline_blocks: l(&BASELINE_BLOCKS),
            baseline_insns: l(&BASELINE_INSNS),
            baseline_bytes: l(&BASELINE_BYTES),
            baseline_ns: l(&BASELINE_NS),
            opt_regions: l(&OPT_REGIONS),
            opt_background: l(&OPT_BACKGROUND),
            opt_insns: l(&OPT_INSNS),
            opt_ns: l(&OPT_NS),
            flushes: l(&FLUSHES),
            dispatches: l(&DISPATCHES),
            lockless_dispatches: l(&LOCKLESS_DISPATCHES),
        }
    }
}

fn per(total_ns: u64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else {
        total_ns as f64 / 1000.0 / n as f64
    }
}

impl fmt::Display for Totals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "kestrel stats: {} blocks ({} guest instructions) decoded, {} code cache flushes", self.blocks, self.insns, self.flushes)?;
        writeln!(
            f,
            "  baseline:   {} blocks, {} insns, {} KiB code, {:.1} ms translating ({:.2} us/block, decode + lower + emit)",
            self.baseline_blocks,
            self.baseline_insns,
            self.baseline_bytes / 1024,
            self.baseline_ns as f64 / 1e6,
            per(self.baseline_ns, self.baseline_blocks)
        )?;
        if super::persist::enabled() {
            writeln!(
                f,
                "  persistent cache: {} hits (installed), {} misses (translated and kept)",
                super::persist::HITS.load(std::sync::atomic::Ordering::Relaxed),
                super::persist::MISSES.load(std::sync::atomic::Ordering::Relaxed)
            )?;
        }
        writeln!(
            f,
            "  optimising: {} regions ({} on the compiler thread), {} insns, {:.1} ms compiling ({:.1} us/region)",
            self.opt_regions,
            self.opt_background,
            self.opt_insns,
            self.opt_ns as f64 / 1e6,
            per(self.opt_ns, self.opt_regions)
        )?;
        let lockless_share = if self.dispatches == 0 { 0.0 } else { 100.0 * self.lockless_dispatches as f64 / self.dispatches as f64 };
        write!(
            f,
            "  execution loop: {} dispatches, {:.1}% from the thread's own table without the code cache's lock",
            self.dispatches, lockless_share
        )?;
        let (total, top) = top_reference_calls(8);
        if total > 0 {
            write!(f, "\n  reference semantics called from translated code: {total} times; most often:")?;
            for (word, count) in top {
                write!(f, "\n    {count:>12}  {word:08x}")?;
            }
        }
        Ok(())
    }
}
