//! Lowering of decoded A64 instructions to Kestrel IR: the semantics every
//! backend compiles, written once per instruction.
//!
//! `lower_block` turns a decoded guest block into one IR block. Integer
//! arithmetic, logic, moves, bitfields, loads and stores (general and
//! SIMD&FP registers), SWP/LDADD/CAS, DC ZVA, branches, system calls and
//! the common integer AdvSIMD instructions (`simd`) are lowered to IR
//! operations; rarer instructions (other FP/AdvSIMD data processing,
//! exclusives and the other atomics, system registers other than
//! TPIDR_EL0, CRC32) lower to
//! [`Op::Interp`], a call into the reference semantics of `interp`, which
//! keeps one definition of each of them.
//!
//! Register 31 is XZR or SP depending on the operand (`xr`/`xs` read,
//! `set_xr`/`set_xs` write), as the decoder documents per variant.

mod alu;
mod mem;
mod simd;

use super::bti;
use super::cpu::{offsets, CpuState};
use super::decode::{BranchRegKind, Insn};
use super::sysregs;
use crate::ir::{Builder, Cond, Exit, Field, JumpKind, Op, Temp, Width};

/// Field of general register `r` (31 is SP's slot).
pub fn x_field(r: u8) -> Field {
    Field(CpuState::offset_of_x(r as usize))
}

/// Field of the low (`half` 0) or high (`half` 1) 64 bits of V register `r`.
pub fn v_field(r: u8, half: u8) -> Field {
    Field(CpuState::offset_of_v(r as usize) + 8 * half as i32)
}

/// The flag carrier fields (see `CpuState`).
pub const NF: Field = Field(offsets::NF);
/// Zero flag carrier.
pub const ZF: Field = Field(offsets::ZF);
/// Carry flag (0 or 1).
pub const CF: Field = Field(offsets::CF);
/// Overflow flag carrier.
pub const VF: Field = Field(offsets::VF);
/// The guest program counter.
pub const PC: Field = Field(offsets::PC);

/// Lowers a decoded guest block starting at `pc` (instruction words with
/// their decodings, ending at the first instruction that ends a block or
/// wherever the decoder stopped) to IR.
pub fn lower_block(pc: u64, insns: &[(u32, Insn)]) -> crate::ir::Block {
    lower_block_into(crate::ir::Block::default(), pc, insns)
}

/// [`lower_block`] into the allocation of an earlier block.
pub fn lower_block_into(reuse: crate::ir::Block, pc: u64, insns: &[(u32, Insn)]) -> crate::ir::Block {
    let mut l = Lowerer { b: Builder::reuse(reuse, pc) };
    for (i, &(word, insn)) in insns.iter().enumerate() {
        let at = pc + 4 * i as u64;
        l.b.insn(at);
        if i == 0 && bti::active() {
            // Only an indirect branch sets BTYPE, and it ends a block.
            let accepted = bti::accepted_btypes(word, bti::is_guarded(pc));
            l.b.push(Op::LandingPad { field: Field(offsets::BTYPE), accepted, pc });
        }
        if crate::guest::aarch64::decode::is_unprivileged_load_store(word) {
            l.b.push(Op::Unprivileged);
        }
        if let Some(exit) = l.lower(at, word, insn) {
            return l.b.finish(exit);
        }
    }
    l.b.finish(Exit::Goto(pc + 4 * insns.len() as u64))
}

/// Builds the IR of one block.
pub(crate) struct Lowerer {
    pub(crate) b: Builder,
}

impl Lowerer {
    /// Reads X[r], 31 meaning XZR.
    pub(crate) fn xr(&mut self, r: u8) -> Temp {
        if r == 31 {
            self.b.constant(0)
        } else {
            self.b.get(x_field(r))
        }
    }

    /// Reads X[r], 31 meaning SP.
    pub(crate) fn xs(&mut self, r: u8) -> Temp {
        self.b.get(x_field(r))
    }

    /// Writes X[r], 31 meaning XZR (the write is dropped).
    pub(crate) fn set_xr(&mut self, r: u8, v: Temp) {
        if r != 31 {
            self.b.put(x_field(r), v);
        }
    }

    /// Writes X[r], 31 meaning SP.
    pub(crate) fn set_xs(&mut self, r: u8, v: Temp) {
        self.b.put(x_field(r), v);
    }

    /// Lowers one instruction; `Some` when it ends the block.
    fn lower(&mut self, pc: u64, word: u32, insn: Insn) -> Option<Exit> {
        match insn {
            Insn::Branch { offset, link } => {
                if link {
                    let ret = self.b.constant(pc + 4);
                    self.set_xr(30, ret);
                }
                Some(Exit::Goto(pc.wrapping_add(offset as u64)))
            }
            Insn::BranchCond { cond, offset } => {
                let target = pc.wrapping_add(offset as u64);
                Some(match cond {
                    14 | 15 => Exit::Goto(target),
                    _ => Exit::Branch { cond: Cond::Flags(cond), taken: target, fallthrough: pc + 4 },
                })
            }
            Insn::CompareBranch { sf, nonzero, rt, offset } => {
                let v = self.xr(rt);
                let v = if sf { v } else { self.b.extend(v, 32, false) };
                let cond = if nonzero { Cond::NonZero(v) } else { Cond::Zero(v) };
                Some(Exit::Branch { cond, taken: pc.wrapping_add(offset as u64), fallthrough: pc + 4 })
            }
            Insn::TestBranch { nonzero, bit, rt, offset } => {
                let v = self.xr(rt);
                let t = self.b.bin(crate::ir::BinOp::And, Width::W64, v, 1u64 << bit);
                let cond = if nonzero { Cond::NonZero(t) } else { Cond::Zero(t) };
                Some(Exit::Branch { cond, taken: pc.wrapping_add(offset as u64), fallthrough: pc + 4 })
            }
            Insn::BranchReg { kind, rn } => {
                let target = self.xr(rn);
                if kind == BranchRegKind::Blr {
                    let ret = self.b.constant(pc + 4);
                    self.set_xr(30, ret);
                }
                if bti::active() {
                    let btype = self.b.constant(bti::btype_after(kind, rn, bti::is_guarded(pc)));
                    self.b.put(Field(offsets::BTYPE), btype);
                }
                let kind = match kind {
                    BranchRegKind::Br => JumpKind::Jump,
                    BranchRegKind::Blr => JumpKind::Call,
                    BranchRegKind::Ret => JumpKind::Return,
                };
                Some(Exit::Indirect { target, kind })
            }
            Insn::BranchRegPac { kind, .. } => {
                // The reference semantics authenticates the target (and links
                // for BLRAA, and sets BTYPE) and leaves it in `branch_target`.
                self.b.push(Op::Interp { word, pc });
                let target = self.b.get(Field(offsets::BRANCH_TARGET));
                let kind = match kind {
                    BranchRegKind::Br => JumpKind::Jump,
                    BranchRegKind::Blr => JumpKind::Call,
                    BranchRegKind::Ret => JumpKind::Return,
                };
                Some(Exit::Indirect { target, kind })
            }
            Insn::Svc { .. } => Some(Exit::Syscall { next: pc + 4 }),
            Insn::Brk { .. } | Insn::Undefined(_) => Some(Exit::Raise { pc }),
            Insn::Nop => None,
            // The front end's meaning, if it has one (system mode's DAIF).
            Insn::MsrImm { .. } => {
                self.b.push(Op::Interp { word, pc });
                None
            }
            Insn::Barrier { full } => {
                self.b.push(if full { Op::Fence } else { Op::Order });
                None
            }
            Insn::Mrs { rt, sysreg: sysregs::TPIDR_EL0 } => {
                let v = self.b.get(Field(offsets::TPIDR_EL0));
                self.set_xr(rt, v);
                None
            }
            Insn::Msr { rt, sysreg: sysregs::TPIDR_EL0 } => {
                let v = self.xr(rt);
                self.b.put(Field(offsets::TPIDR_EL0), v);
                None
            }
            insn => {
                if self.lower_alu(&insn) || self.lower_mem(&insn, pc) || (matches!(insn, Insn::SimdFp(_)) && self.lower_simd(word)) {
                    return None;
                }
                self.b.push(Op::Interp { word, pc });
                // An instruction that ends a block without branching (IC IVAU)
                // continues after itself.
                insn.ends_block().then_some(Exit::Goto(pc + 4))
            }
        }
    }
}

#[cfg(test)]
mod tests;
