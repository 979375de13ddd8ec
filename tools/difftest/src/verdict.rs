//! Judging one test: the oracle's (qemu's) result against one Kestrel mode's.

use crate::emulator::RunResult;
use crate::protocol::Outcome;

/// SIGILL.
pub const SIGILL: u32 = 4;

/// The judgement of one test under one Kestrel mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// qemu raised SIGILL on this instruction: not a valid instruction for the
    /// oracle's CPU; the test is regenerated without it.
    Rejected(usize),
    /// Kestrel raised SIGILL (or died of it) on this instruction, which qemu
    /// executes: unimplemented in Kestrel.
    Unimplemented(usize),
    /// Same result; `executed` instructions ran (up to and including a fault
    /// both raised), `faulted` if they both stopped on a signal.
    Match {
        /// Instructions run.
        executed: usize,
        /// Both raised the same signal at the same instruction.
        faulted: bool,
    },
    /// Different results.
    Mismatch,
    /// qemu itself failed (died or hung): nothing to compare against.
    OracleFailed,
}

/// The comparable parts of a result: signal, faulting instruction and,
/// when the harness reported them, registers and the memory hash.
struct Normal<'a> {
    signal: u32,
    index: Option<usize>,
    state: Option<&'a Outcome>,
}

fn normal(r: &RunResult) -> Option<Normal<'_>> {
    match r {
        RunResult::Done(o) => Some(Normal { signal: o.signal, index: o.fault_index, state: Some(o) }),
        RunResult::Died { signal, code, index, .. } => {
            Some(Normal { signal: signal.map(|s| s as u32).unwrap_or(0x100 + code.unwrap_or(0) as u32), index: *index, state: None })
        }
        RunResult::Hung => None,
    }
}

/// Judges a test of `n` instructions.
pub fn judge(n: usize, oracle: &RunResult, subject: &RunResult) -> Verdict {
    let RunResult::Done(q) = oracle else { return Verdict::OracleFailed };
    if q.signal == SIGILL {
        return match q.fault_index {
            Some(i) => Verdict::Rejected(i),
            None => Verdict::OracleFailed,
        };
    }
    let Some(k) = normal(subject) else { return Verdict::Mismatch };
    if k.signal == SIGILL {
        if let Some(j) = k.index {
            // qemu ran instruction j (or faulted on it for another reason).
            if q.signal == 0 || q.fault_index.is_some_and(|i| i >= j) {
                return Verdict::Unimplemented(j);
            }
        }
    }
    if k.signal != q.signal || k.index != q.fault_index {
        return Verdict::Mismatch;
    }
    let executed = if q.signal == 0 { n } else { q.fault_index.map_or(n, |i| i + 1) };
    match k.state {
        // Kestrel ended the process with the right signal at the right
        // instruction: the state at the fault is not observable.
        None => Verdict::Match { executed, faulted: true },
        Some(o) => {
            let same = o.regs == q.regs && o.mem_hash == q.mem_hash && (q.signal == 0 || o.fault_addr == q.fault_addr);
            let same_memory = match (&o.memory, &q.memory) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            };
            if same && same_memory {
                Verdict::Match { executed, faulted: q.signal != 0 }
            } else {
                Verdict::Mismatch
            }
        }
    }
}
