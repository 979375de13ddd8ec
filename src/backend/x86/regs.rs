//! Register assignment for the baseline backend: each IR temporary gets a
//! host register from a fixed pool when it is defined and gives it back after
//! its last use. Temporaries live only within a few guest instructions, so
//! the pool never runs dry in practice; if it does, the block is refused and
//! runs in the reference interpreter instead.
//!
//! RAX, RCX and RDX are never assigned: emission uses them as scratch (shift
//! counts, multiply and divide, flags). RBP holds the CPU state and RSP the
//! stack.

use super::encode::{regs::*, Reg};
use crate::ir::{Block, Temp};

/// Assignment order: callee-saved registers first, so that helper calls
/// rarely have live temporaries to save.
const POOL: [Reg; 11] = [RBX, R12, R13, R14, R15, RSI, RDI, R8, R9, R10, R11];

/// True for registers a System V call may clobber.
pub fn caller_saved(r: Reg) -> bool {
    !matches!(r.0, 3 | 5 | 12..=15)
}

/// Which register holds each temporary, and when each dies.
pub struct RegAlloc {
    /// Index of the last operation that reads each temporary (`ops.len()` for
    /// the exit; `None` if nothing reads it).
    last_use: Vec<Option<u32>>,
    loc: Vec<Option<Reg>>,
    /// Temporaries holding a register (at most the pool's size).
    live: Vec<Temp>,
    free: u16,
}

impl Default for RegAlloc {
    fn default() -> RegAlloc {
        RegAlloc { last_use: Vec::new(), loc: Vec::new(), live: Vec::with_capacity(POOL.len()), free: 0 }
    }
}

impl RegAlloc {
    /// Starts over for `block`, computing its lifetimes (the buffers are
    /// reused from block to block).
    pub fn reset(&mut self, block: &Block) {
        let n = block.temps as usize;
        self.last_use.clear();
        self.last_use.resize(n, None);
        self.loc.clear();
        self.loc.resize(n, None);
        self.live.clear();
        self.free = POOL.iter().fold(0u16, |m, r| m | 1 << r.0);
        for (i, op) in block.ops.iter().enumerate() {
            let mut op = *op;
            op.temps_read_mut(|t| self.last_use[t.0 as usize] = Some(i as u32));
        }
        let end = block.ops.len() as u32;
        let mut exit = block.exit;
        exit.temps_read_mut(|t| self.last_use[t.0 as usize] = Some(end));
    }

    /// The register holding `t`.
    pub fn reg(&self, t: Temp) -> Reg {
        self.loc[t.0 as usize].expect("temporary read before it was defined")
    }

    /// Assigns a register to a new temporary; `None` if the pool is empty.
    pub fn define(&mut self, t: Temp) -> Option<Reg> {
        let r = POOL.iter().copied().find(|r| self.free & (1 << r.0) != 0)?;
        self.free &= !(1 << r.0);
        self.loc[t.0 as usize] = Some(r);
        self.live.push(t);
        Some(r)
    }

    /// Frees the registers of temporaries whose last use is operation `i`
    /// (and of `defined`, if nothing ever reads it).
    pub fn release_after(&mut self, i: usize, defined: Option<Temp>) {
        let mut k = 0;
        while k < self.live.len() {
            let t = self.live[k];
            let dead = match self.last_use[t.0 as usize] {
                Some(u) => u as usize <= i,
                None => defined == Some(t),
            };
            if dead {
                let r = self.loc[t.0 as usize].take().expect("live temporaries have a register");
                self.free |= 1 << r.0;
                self.live.swap_remove(k);
            } else {
                k += 1;
            }
        }
    }

    /// Registers of live temporaries a call would clobber.
    pub fn live_caller_saved(&self) -> Vec<Reg> {
        self.live.iter().map(|&t| self.reg(t)).filter(|&r| caller_saved(r)).collect()
    }

    /// True if no temporary is live.
    pub fn all_free(&self) -> bool {
        self.live.is_empty()
    }
}
