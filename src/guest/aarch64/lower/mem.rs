//! Loads and stores of general and SIMD&FP registers, DC ZVA, and ADR/ADRP.
//!
//! Every load of an instruction happens before any of its register writes,
//! and the base register's write-back comes last, so a fault in any access
//! leaves the guest state as it was before the instruction. (A SIMD&FP
//! register load writes its register itself; a pair of them writes the first
//! before reading the second, as the reference semantics do.)

use super::{v_field, Lowerer};
use crate::guest::aarch64::decode::{AddrMode, AtomicOp, CacheOp, Insn, LdStKind};
use crate::guest::aarch64::sysregs::DC_ZVA_BYTES;
use crate::ir::{AtomicRmw, BinOp, Op, Temp, Width};

/// A value loaded for a register, written once every access has succeeded.
enum Loaded {
    /// A general register's new value.
    Gpr(u8, Temp),
    /// A vector register load, done last (it writes the register directly):
    /// register, address, offset, size.
    Vec(u8, Temp, i32, u8),
}

impl Lowerer {
    /// An `Op::Atomic`; returns the value found.
    fn atomic(&mut self, rmw: AtomicRmw, size: u8, addr: Temp, src: Temp, expected: Temp) -> Temp {
        let dst = self.b.temp();
        self.b.push(Op::Atomic { rmw, size, dst, addr, src, expected });
        dst
    }

    /// Base address temp, constant offset folded into the access, and the
    /// write-back value, for an addressing mode.
    fn address(&mut self, rn: u8, mode: AddrMode) -> (Temp, i32, Option<Temp>) {
        let base = self.xs(rn);
        match mode {
            AddrMode::Offset(imm) if i32::try_from(imm).is_ok() => (base, imm as i32, None),
            AddrMode::Offset(imm) => (self.b.bin(BinOp::Add, Width::W64, base, imm as u64), 0, None),
            AddrMode::PreIndex(imm) => {
                let a = self.b.bin(BinOp::Add, Width::W64, base, imm as u64);
                (a, 0, Some(a))
            }
            AddrMode::PostIndex(imm) => {
                let wb = self.b.bin(BinOp::Add, Width::W64, base, imm as u64);
                (base, 0, Some(wb))
            }
            AddrMode::Register { rm, extend, shift } => {
                let v = self.xr(rm);
                let size = extend.0 & 3;
                let v = if size == 3 { v } else { self.b.extend(v, 8 << size, extend.0 & 4 != 0) };
                let v = if shift == 0 { v } else { self.b.bin(BinOp::Shl, Width::W64, v, shift as u64) };
                (self.b.bin(BinOp::Add, Width::W64, base, v), 0, None)
            }
        }
    }

    /// Performs the access of one register at `addr + offset`; loads return
    /// the value to write afterwards.
    fn access(&mut self, kind: LdStKind, size: u8, rt: u8, addr: Temp, offset: i32) -> Option<Loaded> {
        match kind {
            LdStKind::Store => {
                let v = self.xr(rt);
                self.b.store(addr, offset, v, size);
                None
            }
            LdStKind::Load => Some(Loaded::Gpr(rt, self.b.load(addr, offset, size, false))),
            LdStKind::LoadSigned64 => Some(Loaded::Gpr(rt, self.b.load(addr, offset, size, true))),
            LdStKind::LoadSigned32 => {
                let v = self.b.load(addr, offset, size, true);
                Some(Loaded::Gpr(rt, self.b.extend(v, 32, false)))
            }
            LdStKind::StoreVec => {
                self.b.push(Op::StoreVec { field: v_field(rt, 0), addr, offset, size });
                None
            }
            LdStKind::LoadVec => Some(Loaded::Vec(rt, addr, offset, size)),
            LdStKind::Prefetch => None,
        }
    }

    /// LD1/ST1 (multiple structures) of one to four whole registers, with
    /// or without post-index writeback: consecutive 8- or 16-byte
    /// accesses, register after register, as LDR/STR of each would do (on a
    /// little-endian guest the element size does not change the bytes).
    /// Vectorised string and memory functions use them in their loops. The
    /// interleaving forms (LD2-LD4, ST2-ST4) and the single-structure forms
    /// stay with the reference semantics: false for them.
    fn lower_ld1_st1(&mut self, word: u32) -> bool {
        // 0 Q 001100 P L 0 Rm opcode size Rn Rt; without post-index (P = 0)
        // Rm is 00000.
        let post = word & (1 << 23) != 0;
        if word & 0xbf20_0000 != 0x0c00_0000 || (!post && word & (0x1f << 16) != 0) {
            return false;
        }
        let count = match (word >> 12) & 0xf {
            0b0111 => 1,
            0b1010 => 2,
            0b0110 => 3,
            0b0010 => 4,
            _ => return false,
        };
        let load = word & (1 << 22) != 0;
        let q = word & (1 << 30) != 0;
        let (bytes, size) = if q { (16, 4) } else { (8, 3) };
        let (rt, rn, rm) = ((word & 0x1f) as u8, ((word >> 5) & 0x1f) as u8, ((word >> 16) & 0x1f) as u8);
        let addr = self.xs(rn);
        for i in 0..count {
            let reg = (rt + i) % 32;
            let offset = (i as i32) * bytes;
            if load {
                self.b.push(Op::LoadVec { field: v_field(reg, 0), addr, offset, size });
            } else {
                self.b.push(Op::StoreVec { field: v_field(reg, 0), addr, offset, size });
            }
        }
        if post {
            let step = if rm == 31 { self.b.constant(count as u64 * bytes as u64) } else { self.xr(rm) };
            let next = self.b.bin(BinOp::Add, Width::W64, addr, step);
            self.set_xs(rn, next);
        }
        true
    }

    fn write_loaded(&mut self, loaded: Option<Loaded>) {
        match loaded {
            Some(Loaded::Gpr(rt, v)) => self.set_xr(rt, v),
            Some(Loaded::Vec(rt, addr, offset, size)) => {
                self.b.push(Op::LoadVec { field: v_field(rt, 0), addr, offset, size });
            }
            None => {}
        }
    }

    /// Lowers loads, stores and ADR/ADRP; false if `insn` is none of them.
    pub(super) fn lower_mem(&mut self, insn: &Insn, pc: u64) -> bool {
        match *insn {
            Insn::Adr { rd, value_from_pc, page } => {
                let base = if page { pc & !0xfff } else { pc };
                let v = self.b.constant(base.wrapping_add(value_from_pc as u64));
                self.set_xr(rd, v);
            }
            Insn::LdSt { kind, size, rt, rn, mode } => {
                let (addr, offset, wb) = self.address(rn, mode);
                let loaded = self.access(kind, size, rt, addr, offset);
                self.write_loaded(loaded);
                if let Some(wb) = wb {
                    self.set_xs(rn, wb);
                }
            }
            Insn::LdLiteral { kind: LdStKind::Prefetch, .. } => {}
            Insn::LdLiteral { kind, size, rt, offset } => {
                let addr = self.b.constant(pc.wrapping_add(offset as u64));
                let loaded = self.access(kind, size, rt, addr, 0);
                self.write_loaded(loaded);
            }
            Insn::LdStPair { kind, size, rt, rt2, rn, mode } => {
                let (addr, offset, wb) = self.address(rn, mode);
                let Some(offset2) = offset.checked_add(1 << size) else { return false };
                let first = self.access(kind, size, rt, addr, offset);
                let second = self.access(kind, size, rt2, addr, offset2);
                self.write_loaded(first);
                self.write_loaded(second);
                if let Some(wb) = wb {
                    self.set_xs(rn, wb);
                }
            }
            Insn::SimdFp(word) => return self.lower_ld1_st1(word),
            Insn::LoadAcquire { size, rt, rn } => {
                let addr = self.xs(rn);
                let v = self.b.load(addr, 0, size, false);
                self.set_xr(rt, v);
                // Later loads (of memory, of exit requests, of chain slots)
                // must not be answered from before this one.
                self.b.push(Op::Order);
            }
            Insn::StoreRelease { size, rt, rn } => {
                let addr = self.xs(rn);
                let v = self.xr(rt);
                self.b.store(addr, 0, v, size);
                // x86-64 may move a later load before this store; STLR
                // followed by LDAR must not be reordered.
                self.b.push(Op::Fence);
            }
            Insn::Cache { op: CacheOp::DcZva, rt } => {
                // The DCZID-sized block holding the address, in 8-byte
                // stores from its start: a fault in one leaves the earlier
                // ones done, as in the reference semantics.
                let addr = self.xr(rt);
                let start = self.b.bin(BinOp::And, Width::W64, addr, !(DC_ZVA_BYTES - 1));
                let zero = self.b.constant(0);
                for i in 0..(DC_ZVA_BYTES / 8) as i32 {
                    self.b.store(start, 8 * i, zero, 3);
                }
            }
            // CAS: Xs gets the value found; Xt is stored if it matched Xs.
            Insn::Cas { size, rs, rt, rn } => {
                let addr = self.xs(rn);
                let (expected, new) = (self.xr(rs), self.xr(rt));
                let found = self.atomic(AtomicRmw::Cas, size, addr, new, expected);
                self.set_xr(rs, found);
            }
            // SWP and LDADD: Xt gets the value found (XZR: ST forms).
            Insn::Atomic { op: op @ (AtomicOp::Swp | AtomicOp::Add), size, rs, rt, rn } => {
                let addr = self.xs(rn);
                let v = self.xr(rs);
                let rmw = if op == AtomicOp::Swp { AtomicRmw::Swap } else { AtomicRmw::Add };
                let found = self.atomic(rmw, size, addr, v, v);
                self.set_xr(rt, found);
            }
            // No data cache is modelled.
            Insn::Cache { op: CacheOp::DcClean, .. } => {}
            _ => return false,
        }
        true
    }
}
