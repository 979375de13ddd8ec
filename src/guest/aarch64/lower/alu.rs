//! Integer data processing: add/subtract, logic, moves, bitfields,
//! conditional compare and select, and the one-, two- and three-source
//! operations.

use super::{Lowerer, CF, NF, VF, ZF};
use crate::guest::aarch64::cpu::CpuState;
use crate::guest::aarch64::decode::{Dp1Op, Dp2Op, Dp3Op, Extend, Insn, LogicOp, Shift};
use crate::ir::{BinOp, Cond, Op, PureFn, Temp, UnOp, Width};

fn ones(n: u32) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

impl Lowerer {
    /// Register `r` shifted by a constant, at the operation width.
    fn shifted(&mut self, w: Width, r: u8, shift: Shift, amount: u8) -> Temp {
        let v = self.xr(r);
        if amount == 0 {
            return v;
        }
        let op = match shift {
            Shift::Lsl => BinOp::Shl,
            Shift::Lsr => BinOp::Lshr,
            Shift::Asr => BinOp::Ashr,
            Shift::Ror => BinOp::Ror,
        };
        self.b.bin(op, w, v, amount as u64)
    }

    /// Register `r` extended per `extend`, then shifted left by `amount`.
    fn extended(&mut self, r: u8, extend: Extend, amount: u8) -> Temp {
        let v = self.xr(r);
        let size = extend.0 & 3;
        let v = if size == 3 { v } else { self.b.extend(v, 8 << size, extend.0 & 4 != 0) };
        if amount == 0 {
            v
        } else {
            self.b.bin(BinOp::Shl, Width::W64, v, amount as u64)
        }
    }

    /// `a + b` or `a - b`, setting the flags when asked.
    fn add_sub(&mut self, w: Width, sub: bool, set_flags: bool, a: Temp, b: crate::ir::Src) -> Temp {
        if set_flags {
            self.b.add_sub_flags(w, sub, false, a, b)
        } else {
            self.b.bin(if sub { BinOp::Sub } else { BinOp::Add }, w, a, b)
        }
    }

    fn logic(&mut self, w: Width, op: LogicOp, a: Temp, b: crate::ir::Src) -> Temp {
        let bop = match op {
            LogicOp::And | LogicOp::Ands => BinOp::And,
            LogicOp::Orr => BinOp::Or,
            LogicOp::Eor => BinOp::Xor,
        };
        let r = self.b.bin(bop, w, a, b);
        if op == LogicOp::Ands {
            self.b.push(Op::LogicFlags { w, a: r });
        }
        r
    }

    /// Lowers the integer data-processing instructions; false if `insn` is not one.
    pub(super) fn lower_alu(&mut self, insn: &Insn) -> bool {
        match *insn {
            Insn::AddSubImm { sf, sub, set_flags, rd, rn, imm } => {
                let w = Width::from_sf(sf);
                let a = self.xs(rn);
                let r = self.add_sub(w, sub, set_flags, a, crate::ir::Src::Imm(imm));
                if set_flags {
                    self.set_xr(rd, r)
                } else {
                    self.set_xs(rd, r)
                }
            }
            Insn::AddSubShifted { sf, sub, set_flags, rd, rn, rm, shift, amount } => {
                let w = Width::from_sf(sf);
                let a = self.xr(rn);
                let b = self.shifted(w, rm, shift, amount);
                let r = self.add_sub(w, sub, set_flags, a, b.into());
                self.set_xr(rd, r);
            }
            Insn::AddSubExt { sf, sub, set_flags, rd, rn, rm, extend, amount } => {
                let w = Width::from_sf(sf);
                let a = self.xs(rn);
                let b = self.extended(rm, extend, amount);
                let r = self.add_sub(w, sub, set_flags, a, b.into());
                if set_flags {
                    self.set_xr(rd, r)
                } else {
                    self.set_xs(rd, r)
                }
            }
            Insn::AddSubCarry { sf, sub, set_flags, rd, rn, rm } => {
                let w = Width::from_sf(sf);
                let a = self.xr(rn);
                let b = self.xr(rm);
                let r = if set_flags {
                    self.b.add_sub_flags(w, sub, true, a, b)
                } else {
                    // a + b + C, or a - b - !C = a + !b + C.
                    let b = if sub { self.b.un(UnOp::Not, w, b) } else { b };
                    let c = self.b.get(CF);
                    let s = self.b.bin(BinOp::Add, w, a, b);
                    self.b.bin(BinOp::Add, w, s, c)
                };
                self.set_xr(rd, r);
            }
            Insn::LogicImm { sf, op, rd, rn, imm } => {
                let a = self.xr(rn);
                let r = self.logic(Width::from_sf(sf), op, a, crate::ir::Src::Imm(imm));
                if op == LogicOp::Ands {
                    self.set_xr(rd, r)
                } else {
                    self.set_xs(rd, r)
                }
            }
            Insn::LogicShifted { sf, op, invert, rd, rn, rm, shift, amount } => {
                let w = Width::from_sf(sf);
                // MOV Xd, Xm (ORR Xd, XZR, Xm) is the commonest of all.
                if op == LogicOp::Orr && rn == 31 && !invert && amount == 0 {
                    let v = self.xr(rm);
                    let v = if sf { v } else { self.b.extend(v, 32, false) };
                    self.set_xr(rd, v);
                    return true;
                }
                let a = self.xr(rn);
                let mut b = self.shifted(w, rm, shift, amount);
                if invert {
                    b = self.b.un(UnOp::Not, w, b);
                }
                let r = self.logic(w, op, a, b.into());
                self.set_xr(rd, r);
            }
            Insn::MovWide { sf, opc, rd, imm16, shift } => {
                let imm = (imm16 as u64) << shift;
                let w = Width::from_sf(sf);
                let r = match opc {
                    0 => self.b.constant(if sf { !imm } else { !imm & 0xffff_ffff }),
                    2 => self.b.constant(imm),
                    _ => {
                        let old = self.xr(rd);
                        let kept = self.b.bin(BinOp::And, w, old, !(0xffffu64 << shift));
                        self.b.bin(BinOp::Or, w, kept, imm)
                    }
                };
                self.set_xr(rd, r);
            }
            Insn::Adr { .. } => return false,
            Insn::Bitfield { sf, opc, rd, rn, immr, imms } => self.bitfield(sf, opc, rd, rn, immr, imms),
            Insn::Extr { sf, rd, rn, rm, lsb } => {
                let w = Width::from_sf(sf);
                let lo = self.xr(rm);
                let r = if lsb == 0 {
                    if sf {
                        lo
                    } else {
                        self.b.extend(lo, 32, false)
                    }
                } else if rn == rm {
                    self.b.bin(BinOp::Ror, w, lo, lsb as u64)
                } else {
                    let hi = self.xr(rn);
                    let l = self.b.bin(BinOp::Lshr, w, lo, lsb as u64);
                    let h = self.b.bin(BinOp::Shl, w, hi, (w.bits() - lsb as u32) as u64);
                    self.b.bin(BinOp::Or, w, l, h)
                };
                self.set_xr(rd, r);
            }
            Insn::CondCompare { sf, sub, rn, rm_or_imm, is_imm, nzcv, cond } => {
                let w = Width::from_sf(sf);
                let holds = self.b.set(Cond::Flags(cond));
                let a = self.xr(rn);
                let b = if is_imm { crate::ir::Src::Imm(rm_or_imm as u64) } else { self.xr(rm_or_imm).into() };
                self.b.add_sub_flags(w, sub, false, a, b);
                // Where the condition fails the flags are the immediate ones.
                let mut fixed = CpuState::default();
                fixed.set_nzcv((nzcv as u64) << 28);
                for (field, value) in [(NF, fixed.nf), (ZF, fixed.zf), (CF, fixed.cf), (VF, fixed.vf)] {
                    let computed = self.b.get(field);
                    let imm = self.b.constant(value);
                    let v = self.b.select(Cond::NonZero(holds), computed, imm);
                    self.b.put(field, v);
                }
            }
            Insn::CondSelect { sf, invert, increment, rd, rn, rm, cond } => {
                let w = Width::from_sf(sf);
                let a = self.xr(rn);
                let mut b = self.xr(rm);
                if invert {
                    b = self.b.un(UnOp::Not, w, b);
                }
                if increment {
                    b = self.b.bin(BinOp::Add, w, b, 1u64);
                }
                let r = self.b.select(Cond::Flags(cond), a, b);
                let r = if sf { r } else { self.b.extend(r, 32, false) };
                self.set_xr(rd, r);
            }
            Insn::Dp1 { sf, op, rd, rn } => {
                let w = Width::from_sf(sf);
                let a = self.xr(rn);
                let r = match op {
                    Dp1Op::Rev => self.b.un(UnOp::Bswap, w, a),
                    Dp1Op::Rev32 => {
                        let s = self.b.un(UnOp::Bswap, Width::W64, a);
                        self.b.bin(BinOp::Ror, Width::W64, s, 32u64)
                    }
                    Dp1Op::Rev16 => {
                        let m = if sf { 0x00ff_00ff_00ff_00ffu64 } else { 0x00ff_00ff };
                        let lo = self.b.bin(BinOp::And, w, a, m);
                        let lo = self.b.bin(BinOp::Shl, w, lo, 8u64);
                        let hi = self.b.bin(BinOp::Lshr, w, a, 8u64);
                        let hi = self.b.bin(BinOp::And, w, hi, m);
                        self.b.bin(BinOp::Or, w, lo, hi)
                    }
                    Dp1Op::Clz => self.b.un(UnOp::Clz, w, a),
                    Dp1Op::Rbit => self.b.call_pure(PureFn::ReverseBits, a, w.bits() as u64),
                    Dp1Op::Cls => self.b.call_pure(PureFn::LeadingSignBits, a, w.bits() as u64),
                    Dp1Op::Ctz => {
                        let reversed = self.b.call_pure(PureFn::ReverseBits, a, w.bits() as u64);
                        self.b.un(UnOp::Clz, w, reversed)
                    }
                    Dp1Op::Abs => {
                        // (a ^ s) - s with s the sign replicated: a or -a.
                        let s = self.b.bin(BinOp::Ashr, w, a, w.bits() as u64 - 1);
                        let x = self.b.bin(BinOp::Xor, w, a, s);
                        self.b.bin(BinOp::Sub, w, x, s)
                    }
                    Dp1Op::Cnt => return false,
                };
                self.set_xr(rd, r);
            }
            Insn::Dp2 { sf, op, rd, rn, rm } => {
                let w = Width::from_sf(sf);
                let bop = match op {
                    Dp2Op::Udiv => BinOp::UDiv,
                    Dp2Op::Sdiv => BinOp::SDiv,
                    Dp2Op::Lslv => BinOp::Shl,
                    Dp2Op::Lsrv => BinOp::Lshr,
                    Dp2Op::Asrv => BinOp::Ashr,
                    Dp2Op::Rorv => BinOp::Ror,
                    Dp2Op::Crc32 { .. } | Dp2Op::Crc32c { .. } | Dp2Op::MinMax(_) | Dp2Op::Pacga => return false,
                };
                let a = self.xr(rn);
                let b = self.xr(rm);
                let r = self.b.bin(bop, w, a, b);
                self.set_xr(rd, r);
            }
            Insn::Dp3 { sf, op, rd, rn, rm, ra } => {
                let w = Width::from_sf(sf);
                let r = match op {
                    Dp3Op::Madd | Dp3Op::Msub => {
                        let n = self.xr(rn);
                        let m = self.xr(rm);
                        let p = self.b.bin(BinOp::Mul, w, n, m);
                        if ra == 31 && op == Dp3Op::Madd {
                            p
                        } else {
                            let a = self.xr(ra);
                            self.b.bin(if op == Dp3Op::Madd { BinOp::Add } else { BinOp::Sub }, w, a, p)
                        }
                    }
                    Dp3Op::Smaddl | Dp3Op::Smsubl | Dp3Op::Umaddl | Dp3Op::Umsubl => {
                        let signed = matches!(op, Dp3Op::Smaddl | Dp3Op::Smsubl);
                        let n = self.xr(rn);
                        let n = self.b.extend(n, 32, signed);
                        let m = self.xr(rm);
                        let m = self.b.extend(m, 32, signed);
                        let p = self.b.bin(BinOp::Mul, Width::W64, n, m);
                        let a = self.xr(ra);
                        let add = matches!(op, Dp3Op::Smaddl | Dp3Op::Umaddl);
                        self.b.bin(if add { BinOp::Add } else { BinOp::Sub }, Width::W64, a, p)
                    }
                    Dp3Op::Smulh | Dp3Op::Umulh => {
                        let n = self.xr(rn);
                        let m = self.xr(rm);
                        self.b.bin(if op == Dp3Op::Smulh { BinOp::SMulHi } else { BinOp::UMulHi }, Width::W64, n, m)
                    }
                };
                self.set_xr(rd, r);
            }
            _ => return false,
        }
        true
    }

    /// SBFM (opc 0), BFM (1) and UBFM (2), with the Arm pseudocode's masks
    /// computed at translation time.
    fn bitfield(&mut self, sf: bool, opc: u8, rd: u8, rn: u8, immr: u8, imms: u8) {
        let w = Width::from_sf(sf);
        let esize = w.bits();
        let (r, s) = (immr as u32, imms as u32);
        let welem = ones(s + 1);
        let wmask = if r == 0 { welem } else { ((welem >> r) | (welem << (esize - r))) & ones(esize) };
        let tmask = ones((s.wrapping_sub(r) & (esize - 1)) + 1);
        let src = self.xr(rn);
        // LSL, LSR and ASR by a constant, and the extensions, are the common forms.
        if opc == 2 && s + 1 == r {
            let res = self.b.bin(BinOp::Shl, w, src, (esize - r) as u64);
            return self.set_xr(rd, res);
        }
        if opc != 1 && s == esize - 1 {
            let res = self.b.bin(if opc == 0 { BinOp::Ashr } else { BinOp::Lshr }, w, src, r as u64);
            return self.set_xr(rd, res);
        }
        if opc != 1 && r == 0 && matches!(s, 7 | 15 | 31) {
            let e = self.b.extend(src, (s + 1) as u8, opc == 0);
            let res = if sf { e } else { self.b.extend(e, 32, false) };
            return self.set_xr(rd, res);
        }
        let rot = if r == 0 { src } else { self.b.bin(BinOp::Ror, w, src, r as u64) };
        let res = match opc {
            2 => self.b.bin(BinOp::And, w, rot, wmask & tmask),
            0 => {
                let bot = self.b.bin(BinOp::And, w, rot, wmask & tmask);
                // Replicate bit S of the source into every bit above the field.
                let up = self.b.bin(BinOp::Shl, w, src, (esize - 1 - s) as u64);
                let top = self.b.bin(BinOp::Ashr, w, up, (esize - 1) as u64);
                let top = self.b.bin(BinOp::And, w, top, !tmask & ones(esize));
                self.b.bin(BinOp::Or, w, top, bot)
            }
            _ => {
                let dst = self.xr(rd);
                let keep = self.b.bin(BinOp::And, w, dst, !(wmask & tmask) & ones(esize));
                let ins = self.b.bin(BinOp::And, w, rot, wmask & tmask);
                self.b.bin(BinOp::Or, w, keep, ins)
            }
        };
        self.set_xr(rd, res);
    }
}
