//! Branch target identification (FEAT_BTI).
//!
//! An indirect branch (BR, BLR and their authenticated forms) sets
//! PSTATE.BTYPE; the next instruction, if it lies on a guarded page (mapped
//! with PROT_BTI, or an ELF segment whose GNU property note asks for BTI),
//! must be a landing pad that accepts that BTYPE, else a Branch Target
//! exception (SIGILL, ILL_ILLOPC) is raised. Any instruction clears BTYPE.
//!
//! Translations keep the cost where it is needed: nothing at all until the
//! process maps its first guarded page ([`active`]); after that, branches
//! store BTYPE, and every block starts with a compare of BTYPE against the
//! set its first instruction accepts ([`accepted_btypes`]), known when the
//! block is translated. Changing which pages are guarded invalidates the
//! translations of those pages (the answer is compiled into them), and the
//! first guarded page invalidates everything translated before.

use super::cpu::CpuState;
use super::decode::BranchRegKind;
use super::interp::Exception;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;

/// Guarded address ranges, `start -> end`, disjoint and page-aligned.
static GUARDED: RwLock<BTreeMap<u64, u64>> = RwLock::new(BTreeMap::new());
/// Some page has been guarded since the process started.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// True once the process has had a guarded page: from then on translations
/// track BTYPE.
pub fn active() -> bool {
    ACTIVE.load(Ordering::Relaxed)
}

/// What [`set_guarded`] changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing: the range already was as asked.
    None,
    /// Pages of the range changed: their translations must go.
    Range,
    /// The process's first guarded page: every translation made so far must
    /// go (they neither set nor check BTYPE).
    First,
}

/// Marks `[start, end)` guarded (`guarded`) or not.
pub fn set_guarded(start: u64, end: u64, guarded: bool) -> Change {
    if start >= end || (!guarded && !active()) {
        return Change::None;
    }
    let mut map = GUARDED.write().unwrap_or_else(|e| e.into_inner());
    let covered: u64 = map.range(..end).filter(|&(_, &e)| e > start).map(|(&s, &e)| e.min(end) - s.max(start)).sum();
    if covered == if guarded { end - start } else { 0 } {
        return Change::None;
    }
    // Cut the overlapping ranges out, keeping the parts outside.
    let overlapping: Vec<(u64, u64)> = map.range(..end).filter(|&(_, &e)| e > start).map(|(&s, &e)| (s, e)).collect();
    for (s, e) in overlapping {
        map.remove(&s);
        if s < start {
            map.insert(s, start);
        }
        if e > end {
            map.insert(end, e);
        }
    }
    if !guarded {
        return Change::Range;
    }
    map.insert(start, end);
    if ACTIVE.swap(true, Ordering::Relaxed) {
        Change::Range
    } else {
        Change::First
    }
}

/// True if the instruction at `pc` is on a guarded page.
pub fn is_guarded(pc: u64) -> bool {
    if !active() {
        return false;
    }
    let map = GUARDED.read().unwrap_or_else(|e| e.into_inner());
    map.range(..=pc).next_back().is_some_and(|(_, &end)| pc < end)
}

/// The BTYPE values (bit n for BTYPE n) the instruction `word` accepts when
/// it is the target of an indirect branch on a page guarded or not. BTYPE 0
/// is always accepted. Linux sets SCTLR_EL1.BT0, so PACIASP and PACIBSP
/// accept what BTI c accepts.
pub fn accepted_btypes(word: u32, guarded: bool) -> u8 {
    const ALL: u8 = 0b1111;
    if !guarded {
        return ALL;
    }
    // HINT #imm: imm = CRm:op2.
    if word & 0xffff_f01f == 0xd503_201f {
        return match (word >> 5) & 0x7f {
            34 => 0b0111,             // BTI c: BR via X16/X17 or unguarded (1), BLR (2)
            36 => 0b1011,             // BTI j: BR (1, 3)
            38 => ALL,                // BTI jc
            25 | 27 => 0b0111,        // PACIASP, PACIBSP (as BTI c)
            _ => 0b0001,
        };
    }
    // BRK and HLT raise their own exceptions first.
    if word & 0xffe0_001f == 0xd420_0000 || word & 0xffe0_001f == 0xd440_0000 {
        return ALL;
    }
    0b0001
}

/// The BTYPE an indirect branch of `kind` through `rn` sets (RET sets 0).
pub fn btype_after(kind: BranchRegKind, rn: u8, from_guarded_page: bool) -> u64 {
    match kind {
        BranchRegKind::Br if from_guarded_page && rn != 16 && rn != 17 => 3,
        BranchRegKind::Br => 1,
        BranchRegKind::Blr => 2,
        BranchRegKind::Ret => 0,
    }
}

/// The check at the instruction `word` at `pc` when BTYPE is non-zero:
/// clears BTYPE, or raises the Branch Target exception (leaving BTYPE for
/// the signal frame).
pub fn check(cpu: &mut CpuState, word: u32, pc: u64) -> Result<(), Exception> {
    let btype = cpu.btype & 3;
    if accepted_btypes(word, is_guarded(pc)) & (1 << btype) == 0 {
        return Err(Exception::BranchTarget);
    }
    cpu.btype = 0;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn landing_pads_accept_what_the_architecture_says() {
        let hint = |imm: u32| 0xd503_201f | imm << 5;
        // BTI, BTI c, BTI j, BTI jc, PACIASP, NOP, ADD, BRK #0.
        assert_eq!(accepted_btypes(hint(32), true), 0b0001);
        assert_eq!(accepted_btypes(hint(34), true), 0b0111);
        assert_eq!(accepted_btypes(hint(36), true), 0b1011);
        assert_eq!(accepted_btypes(hint(38), true), 0b1111);
        assert_eq!(accepted_btypes(hint(25), true), 0b0111);
        assert_eq!(accepted_btypes(hint(0), true), 0b0001);
        assert_eq!(accepted_btypes(0x9100_0400, true), 0b0001);
        assert_eq!(accepted_btypes(0xd420_0000, true), 0b1111);
        assert_eq!(accepted_btypes(0x9100_0400, false), 0b1111);
        assert_eq!(btype_after(BranchRegKind::Br, 16, true), 1);
        assert_eq!(btype_after(BranchRegKind::Br, 3, true), 3);
        assert_eq!(btype_after(BranchRegKind::Br, 3, false), 1);
        assert_eq!(btype_after(BranchRegKind::Blr, 3, true), 2);
    }

    #[test]
    fn guarded_ranges_split_and_merge() {
        // Addresses far from anything another test guards.
        let base = 0x7e00_0000_0000;
        set_guarded(base, base + 0x10000, true);
        set_guarded(base + 0x4000, base + 0x8000, false);
        assert!(is_guarded(base));
        assert!(is_guarded(base + 0x3fff));
        assert!(!is_guarded(base + 0x4000));
        assert!(!is_guarded(base + 0x7fff));
        assert!(is_guarded(base + 0x8000));
        assert!(!is_guarded(base + 0x10000));
        set_guarded(base, base + 0x10000, false);
        assert!(!is_guarded(base + 0x8000));
    }
}
