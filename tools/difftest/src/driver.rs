//! The test loop: generate a batch of tests of one class, run it under qemu
//! and every Kestrel mode in parallel, judge each test, and regenerate the
//! tests whose words qemu rejected or Kestrel does not implement (without
//! those words) for another round.

use crate::calibrate::{self, Allowed};
use crate::classes::{Class, Group, Oracle, CLASSES};
use crate::emulator::{Emulator, RunResult};
use crate::gen::{generate, Avoid};
use crate::protocol::TestCase;
use crate::report::{self, disassemble, unallocated};
use crate::verdict::{judge, Verdict, SIGILL};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

/// Rounds of regeneration before a test is given up.
const MAX_ROUNDS: usize = 12;

/// Everything a run needs.
pub struct Config {
    /// Seed of the whole run.
    pub seed: u64,
    /// Most instructions per test.
    pub max_insns: usize,
    /// The guest harness binary.
    pub harness: PathBuf,
    /// The oracle: Debian's qemu-aarch64 (7.2 on bookworm).
    pub qemu: Emulator,
    /// The newer oracle for classes whose features the Debian qemu lacks or
    /// gets wrong (Debian trixie's qemu 10; see `classes::Oracle`).
    pub qemu10: Option<Emulator>,
    /// Kestrel in each mode being checked.
    pub subjects: Vec<Emulator>,
    /// Kill an emulator that produces no result for this long.
    pub stall: Duration,
    /// Detailed reports per class (the first mismatches).
    pub show: usize,
    /// Print every test's words and qemu's outcome (to stderr).
    pub verbose: bool,
}

impl Config {
    /// The qemu that judges `class`.
    pub fn oracle(&self, class: &Class) -> Result<&Emulator, String> {
        match class.oracle {
            Oracle::Debian => Ok(&self.qemu),
            Oracle::Qemu10 => self.qemu10.as_ref().ok_or_else(|| {
                format!(
                    "class {} is judged by qemu 10: set QEMU10_AARCH64 or pass --qemu10 (scripts/fetch-qemu10.sh fetches it)",
                    class.name
                )
            }),
        }
    }
}

/// Counters of one class.
#[derive(Clone, Debug, Default)]
pub struct ClassStats {
    /// Tests judged under every mode.
    pub sequences: u64,
    /// Instructions run by those tests (once, not per mode).
    pub insns: u64,
    /// Tests with different results (under at least one mode).
    pub mismatches: u64,
    /// Tests that stopped on an instruction Kestrel does not implement.
    pub unimplemented: u64,
    /// Those instruction words, with how often each was hit.
    pub unimplemented_words: BTreeMap<u32, u64>,
    /// Words qemu rejected, or that Kestrel rightly refused because they are
    /// unallocated (regenerated without them).
    pub rejected: u64,
    /// Tests that raised the same signal at the same place in both.
    pub faulted: u64,
    /// Tests abandoned (empty after removals, or too many rounds).
    pub gave_up: u64,
    /// Tests on which qemu itself died or hung.
    pub oracle_failures: u64,
}

struct Pending {
    index: u64,
    excluded: Vec<u32>,
    test: TestCase,
}

/// Runs batches and accumulates statistics per class.
pub struct Runner {
    /// The configuration.
    pub cfg: Config,
    /// Per-class counters, keyed by class name.
    pub stats: BTreeMap<&'static str, ClassStats>,
    /// Detailed reports of the mismatches shown so far.
    pub reports: Vec<String>,
    /// Allocated encodings of the classes probed so far.
    allowed: Allowed,
    probed: Vec<&'static str>,
}

impl Runner {
    /// A runner with empty statistics.
    pub fn new(cfg: Config) -> Runner {
        Runner { cfg, stats: BTreeMap::new(), reports: Vec::new(), allowed: Allowed::new(), probed: Vec::new() }
    }

    /// Probes the classes `class` draws from, once per run.
    fn calibrate(&mut self, class: &'static Class) -> Result<(), String> {
        let sources: Vec<&'static Class> =
            if class.group == Group::Control { CLASSES.iter().filter(|c| c.group != Group::Control).collect() } else { vec![class] };
        for c in sources {
            if self.probed.contains(&c.name) {
                continue;
            }
            self.probed.push(c.name);
            if let Some(set) = calibrate::probe(&self.cfg, c)? {
                self.allowed.insert(c.name, set);
            }
        }
        Ok(())
    }

    /// Runs tests `first..first + count` of `class`; returns the reports of
    /// mismatches found in this batch (at most `show` per class overall).
    pub fn run_batch(&mut self, class: &'static Class, first: u64, count: u64) -> Result<Vec<String>, String> {
        self.calibrate(class)?;
        let cfg = &self.cfg;
        let allowed = &self.allowed;
        let redo = |p: &mut Pending, word: u32| {
            p.excluded.push(word);
            p.test = generate(cfg.seed, class, p.index, cfg.max_insns, Avoid { allowed, excluded: &p.excluded });
        };
        let mut pending: Vec<Pending> = (first..first + count)
            .map(|index| Pending {
                index,
                excluded: Vec::new(),
                test: generate(cfg.seed, class, index, cfg.max_insns, Avoid { allowed, excluded: &[] }),
            })
            .collect();
        let stats = self.stats.entry(class.name).or_default();
        let mut reports = Vec::new();
        for _ in 0..MAX_ROUNDS {
            stats.gave_up += pending.iter().filter(|p| p.test.insns.is_empty()).count() as u64;
            pending.retain(|p| !p.test.insns.is_empty());
            if pending.is_empty() {
                break;
            }
            let (accepted, mut next) = oracle_pass(cfg, class, pending, stats, &redo)?;
            let tests: Vec<TestCase> = accepted.iter().map(|(p, _)| p.test.clone()).collect();
            let subjects = run_subjects(cfg, &cfg.subjects, class.qemu_cpu, &tests)?;
            let verdicts: Vec<Vec<Verdict>> = accepted
                .iter()
                .enumerate()
                .map(|(i, (p, q))| subjects.iter().map(|s| judge(p.test.insns.len(), q, &s[i])).collect())
                .collect();
            let unallocated_words = refused_unallocated(&accepted, &verdicts);
            for (i, (mut p, q)) in accepted.into_iter().enumerate() {
                let verdicts = &verdicts[i];
                if let Some(j) = refused(verdicts) {
                    let word = p.test.insns[j];
                    if unallocated_words.contains(&word) {
                        stats.rejected += 1;
                    } else {
                        stats.unimplemented += 1;
                        *stats.unimplemented_words.entry(word).or_default() += 1;
                    }
                    redo(&mut p, word);
                    next.push(p);
                    continue;
                }
                if cfg.verbose {
                    eprintln!("{} #{}: {:08x?} qemu: {}", class.name, p.index, p.test.insns, report::describe(&q));
                }
                count_judged(stats, p.test.insns.len(), verdicts);
                let modes: Vec<usize> = (0..verdicts.len()).filter(|&m| verdicts[m] == Verdict::Mismatch).collect();
                if let Some(&m) = modes.first() {
                    stats.mismatches += 1;
                    if stats.mismatches as usize <= cfg.show {
                        let names: Vec<&str> = modes.iter().map(|&m| cfg.subjects[m].name.as_str()).collect();
                        reports.push(report::mismatch(cfg, class, p.index, &p.test, &cfg.subjects[m], &names, &q, &subjects[m][i]));
                    }
                }
            }
            pending = next;
        }
        stats.gave_up += pending.len() as u64;
        self.reports.extend(reports.iter().cloned());
        Ok(reports)
    }

    /// Total mismatches over all classes.
    pub fn total_mismatches(&self) -> u64 {
        self.stats.values().map(|s| s.mismatches).sum()
    }
}

/// Runs a round under qemu first, so that Kestrel only runs what qemu
/// accepts (it would be restarted for every reserved encoding it rightly
/// refuses otherwise). Returns the accepted tests with qemu's results, and
/// the regenerated ones for the next round.
#[allow(clippy::type_complexity)]
fn oracle_pass(
    cfg: &Config,
    class: &Class,
    pending: Vec<Pending>,
    stats: &mut ClassStats,
    redo: &dyn Fn(&mut Pending, u32),
) -> Result<(Vec<(Pending, RunResult)>, Vec<Pending>), String> {
    let tests: Vec<TestCase> = pending.iter().map(|p| p.test.clone()).collect();
    let oracle = cfg.oracle(class)?.run(&cfg.harness, class.qemu_cpu, &tests, cfg.stall)?;
    let mut next = Vec::new();
    let mut accepted = Vec::new();
    for (mut p, q) in pending.into_iter().zip(oracle) {
        match &q {
            RunResult::Done(o) if o.signal == SIGILL && o.fault_index.is_some() => {
                stats.rejected += 1;
                let word = p.test.insns[o.fault_index.unwrap_or(0)];
                redo(&mut p, word);
                next.push(p);
            }
            RunResult::Done(_) => accepted.push((p, q)),
            _ => stats.oracle_failures += 1,
        }
    }
    Ok((accepted, next))
}

/// The instruction some Kestrel mode refused (SIGILL) although qemu ran it.
fn refused(verdicts: &[Verdict]) -> Option<usize> {
    verdicts.iter().find_map(|v| if let Verdict::Unimplemented(j) = v { Some(*j) } else { None })
}

/// Of the words Kestrel refused, those binutils calls unallocated: qemu 7.2
/// executes a few such encodings, and refusing them is right.
fn refused_unallocated(accepted: &[(Pending, RunResult)], verdicts: &[Vec<Verdict>]) -> HashSet<u32> {
    let words: Vec<u32> = accepted.iter().zip(verdicts).filter_map(|((p, _), v)| refused(v).map(|j| p.test.insns[j])).collect();
    words.iter().zip(disassemble(&words)).filter(|(_, text)| unallocated(text)).map(|(w, _)| *w).collect()
}

/// Counts a test every mode ran to a verdict.
fn count_judged(stats: &mut ClassStats, n: usize, verdicts: &[Verdict]) {
    stats.sequences += 1;
    match verdicts.iter().find(|v| matches!(v, Verdict::Match { .. })) {
        Some(Verdict::Match { executed, faulted }) => {
            stats.insns += *executed as u64;
            stats.faulted += *faulted as u64;
        }
        _ => stats.insns += n as u64,
    }
}

/// Runs `tests` under each subject concurrently.
pub fn run_subjects(cfg: &Config, subjects: &[Emulator], cpu: &str, tests: &[TestCase]) -> Result<Vec<Vec<RunResult>>, String> {
    if tests.is_empty() {
        return Ok(vec![Vec::new(); subjects.len()]);
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = subjects.iter().map(|e| s.spawn(move || e.run(&cfg.harness, cpu, tests, cfg.stall))).collect();
        handles.into_iter().map(|h| h.join().map_err(|_| "emulator thread panicked".to_string())?).collect()
    })
}

/// Runs `tests` under `oracle` and the given subjects concurrently.
pub fn run_on(
    cfg: &Config,
    oracle: &Emulator,
    subjects: &[Emulator],
    cpu: &str,
    tests: &[TestCase],
) -> Result<(Vec<RunResult>, Vec<Vec<RunResult>>), String> {
    std::thread::scope(|s| {
        let oracle = s.spawn(|| oracle.run(&cfg.harness, cpu, tests, cfg.stall));
        let handles: Vec<_> = subjects.iter().map(|e| s.spawn(move || e.run(&cfg.harness, cpu, tests, cfg.stall))).collect();
        let oracle = oracle.join().map_err(|_| "oracle thread panicked".to_string())??;
        let mut results = Vec::new();
        for h in handles {
            results.push(h.join().map_err(|_| "emulator thread panicked".to_string())??);
        }
        Ok((oracle, results))
    })
}
