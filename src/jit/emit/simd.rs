//! Native translation of the FP and AdvSIMD instructions that dominate real
//! programs' hot loops: glibc's string routines (CMEQ, UMAXP, FMOV to a general
//! register), bitwise vector operations, and vectorised or scalar FP arithmetic.
//!
//! Everything else in the FP/SIMD group runs through the interpreter helper.
//! FP arithmetic is compiled to host SSE/AVX operations only on the path where
//! they agree bit for bit with the Arm rules: FPCR is 0 (round to nearest, no
//! flush-to-zero, no default-NaN) and every result is a normal number at least
//! twice the smallest normal. NaNs, infinities, zeros and subnormals (where the
//! NaN-propagation, default-NaN and tininess rules of the two architectures
//! differ) take the slow path, which re-runs the instruction in the interpreter
//! from the unchanged guest state. The host's inexact flag accumulates in MXCSR
//! and is folded into FPSR.IXC when the guest reads FPSR (see `sysregs`).

use super::BlockTranslator;
use crate::guest::aarch64::cpu::{offsets, CpuState};
use cranelift_codegen::ir::{self, condcodes::IntCC, types, ConstantData, InstBuilder, MemFlagsData, Type, Value};

fn bits(word: u32, hi: u32, lo: u32) -> u32 {
    (word >> lo) & ((1 << (hi - lo + 1)) - 1)
}

/// Little-endian lane order for bitcasts between vector types.
fn lanes() -> MemFlagsData {
    MemFlagsData::new().with_endianness(ir::Endianness::Little)
}

impl BlockTranslator<'_, '_> {
    /// Loads the whole of V[r] as a vector of `ty`.
    fn vload(&mut self, ty: Type, r: u32) -> Value {
        self.load_state(ty, CpuState::offset_of_v(r as usize))
    }

    /// Stores a 128-bit vector to V[r]; with `q` false only the low 64 bits are
    /// kept and the upper half is zeroed, as 64-bit vector operations require.
    fn vstore(&mut self, r: u32, v: Value, q: bool) {
        let off = CpuState::offset_of_v(r as usize);
        let v = if q {
            v
        } else {
            let as64 = self.b.ins().bitcast(types::I64X2, lanes(), v);
            let lo = self.b.ins().extractlane(as64, 0);
            let zero = self.iconst(0);
            let wide = self.b.ins().scalar_to_vector(types::I64X2, lo);
            self.b.ins().insertlane(wide, zero, 1)
        };
        let ty = self.b.func.dfg.value_type(v);
        let v = if ty == types::I8X16 { v } else { self.b.ins().bitcast(types::I8X16, lanes(), v) };
        self.store_state(v, off);
    }

    fn vector_type(size: u32) -> Type {
        [types::I8X16, types::I16X8, types::I32X4, types::I64X2][size as usize]
    }

    fn shuffle_const(&mut self, mask: [u8; 16]) -> ir::Immediate {
        self.b.func.dfg.immediates.push(ConstantData::from(mask.to_vec()))
    }

    /// Emits `word` natively if it is one of the supported forms; returns
    /// false (having emitted nothing) otherwise.
    pub(super) fn emit_simd(&mut self, word: u32, pc: u64) -> bool {
        let rd = bits(word, 4, 0);
        let rn = bits(word, 9, 5);
        let rm = bits(word, 20, 16);
        let q = bits(word, 30, 30) == 1;
        let u = bits(word, 29, 29) == 1;
        let size = bits(word, 23, 22);

        // FMOV Xd, Dn / FMOV Dd, Xn / FMOV Wd, Sn / FMOV Sd, Wn.
        match word & 0xffff_fc00 {
            0x9e66_0000 => {
                let v = self.load_state(types::I64, CpuState::offset_of_v(rn as usize));
                self.set_xr(rd as u8, v);
                return true;
            }
            0x1e26_0000 => {
                let v = self.load_state(types::I32, CpuState::offset_of_v(rn as usize));
                let v = self.b.ins().uextend(types::I64, v);
                self.set_xr(rd as u8, v);
                return true;
            }
            0x9e67_0000 | 0x1e27_0000 => {
                let x = self.xr(rn as u8);
                let x = if word & 0x8000_0000 == 0 {
                    let w = self.b.ins().ireduce(types::I32, x);
                    self.b.ins().uextend(types::I64, w)
                } else {
                    x
                };
                let v = self.b.ins().scalar_to_vector(types::I64X2, x);
                let zero = self.iconst(0);
                let v = self.b.ins().insertlane(v, zero, 1);
                self.vstore(rd, v, true);
                return true;
            }
            _ => {}
        }

        // REV16, REV32, REV64 (vector): one byte shuffle. Byte-swapping
        // loads (SHA-256's message schedule, big-endian data) are hot.
        if word & 0x9f3e_0c00 == 0x0e20_0800 && bits(word, 16, 13) == 0 {
            let opcode = bits(word, 12, 12);
            if opcode == 1 && u {
                return false;
            }
            let container = (64 >> (2 * opcode + u as u32)) / 8;
            let element = 1 << size;
            if element >= container {
                return false;
            }
            let mut mask = [0u8; 16];
            for (i, m) in mask.iter_mut().enumerate() {
                let i = i as u32;
                let (base, at) = (i - i % container, i % container);
                let reversed = container / element - 1 - at / element;
                *m = (base + reversed * element + at % element) as u8;
            }
            let v = self.vload(types::I8X16, rn);
            let mask = self.shuffle_const(mask);
            let r = self.b.ins().shuffle(v, v, mask);
            self.vstore(rd, r, q);
            return true;
        }

        // UMOV Xd, Vn.D[i] / Wd, Vn.S[i] (MOV alias).
        if word & 0xbfe0_fc00 == 0x0e00_3c00 {
            let imm5 = bits(word, 20, 16);
            if imm5 & 0xf == 0b1000 && q {
                let idx = (imm5 >> 4) as i32;
                let v = self.vload(types::I64X2, rn);
                let lane = self.b.ins().extractlane(v, idx as u8);
                self.set_xr(rd as u8, lane);
                return true;
            }
            if imm5 & 0x7 == 0b100 && !q {
                let idx = (imm5 >> 3) as u8;
                let v = self.vload(types::I32X4, rn);
                let lane = self.b.ins().extractlane(v, idx);
                let lane = self.b.ins().uextend(types::I64, lane);
                self.set_xr(rd as u8, lane);
                return true;
            }
            return false;
        }

        // DUP Vd.T, Rn (general register).
        if word & 0xbfe0_fc00 == 0x0e00_0c00 {
            let imm5 = bits(word, 20, 16);
            let esize = imm5.trailing_zeros();
            if esize > 3 || (esize == 3 && !q) {
                return false;
            }
            let x = self.xr(rn as u8);
            let lane_ty = [types::I8, types::I16, types::I32, types::I64][esize as usize];
            let x = if esize == 3 { x } else { self.b.ins().ireduce(lane_ty, x) };
            let v = self.b.ins().splat(Self::vector_type(esize), x);
            self.vstore(rd, v, q);
            return true;
        }

        // MOVI Vd.2D, #0 and MOVI Vd.16B/8B, #0 (zeroing idioms).
        if word & 0xffff_ffe0 == 0x6f00_e400 || word & 0xbfff_ffe0 == 0x0f00_e400 {
            let zero = self.b.ins().iconst(types::I64, 0);
            let v = self.b.ins().splat(types::I64X2, zero);
            self.vstore(rd, v, true);
            return true;
        }

        // AdvSIMD three same.
        if word & 0x9f20_0400 == 0x0e20_0400 {
            let opcode = bits(word, 15, 11);
            return self.three_same(word, pc, opcode, u, size, q, rd, rn, rm);
        }
        // AdvSIMD two-register miscellaneous: compares against zero.
        if word & 0x9f3e_0c00 == 0x0e20_0800 {
            let opcode = bits(word, 16, 12);
            if size == 3 && !q {
                return false;
            }
            let cc = match (opcode, u) {
                (0b01001, false) => IntCC::Equal,
                (0b01000, false) => IntCC::SignedGreaterThan,
                (0b01000, true) => IntCC::SignedGreaterThanOrEqual,
                (0b01001, true) => IntCC::SignedLessThanOrEqual,
                (0b01010, false) => IntCC::SignedLessThan,
                _ => return false,
            };
            let ty = Self::vector_type(size);
            let a = self.vload(ty, rn);
            let zero_lane = self.b.ins().iconst(ty.lane_type(), 0);
            let zero = self.b.ins().splat(ty, zero_lane);
            let r = self.b.ins().icmp(cc, a, zero);
            self.vstore(rd, r, q);
            return true;
        }

        // Scalar FP data processing, 2 sources: FMUL, FDIV, FADD, FSUB.
        if word & 0xff20_0c00 == 0x1e20_0800 && size < 2 {
            let op = bits(word, 15, 12);
            if op > 3 {
                return false;
            }
            let ty = if size == 1 { types::F64 } else { types::F32 };
            let done = self.fp_mode_guard(word, pc);
            let a = self.load_state(ty, CpuState::offset_of_v(rn as usize));
            let b = self.load_state(ty, CpuState::offset_of_v(rm as usize));
            let r = match op {
                0 => self.b.ins().fmul(a, b),
                1 => self.b.ins().fdiv(a, b),
                2 => self.b.ins().fadd(a, b),
                _ => self.b.ins().fsub(a, b),
            };
            self.finish_fp(word, pc, rd, r, true, done);
            return true;
        }
        // FMADD, FMSUB, FNMADD, FNMSUB.
        if word & 0xff00_0000 == 0x1f00_0000 && size < 2 && self.host_has_fma {
            let ra = bits(word, 14, 10);
            let ty = if size == 1 { types::F64 } else { types::F32 };
            let done = self.fp_mode_guard(word, pc);
            let n = self.load_state(ty, CpuState::offset_of_v(rn as usize));
            let m = self.load_state(ty, CpuState::offset_of_v(rm as usize));
            let a = self.load_state(ty, CpuState::offset_of_v(ra as usize));
            let (o1, o0) = (bits(word, 21, 21), bits(word, 15, 15));
            let r = match (o1, o0) {
                (0, 0) => self.b.ins().fma(n, m, a),
                (0, _) => {
                    let nn = self.b.ins().fneg(n);
                    self.b.ins().fma(nn, m, a)
                }
                (_, 0) => {
                    let nn = self.b.ins().fneg(n);
                    let na = self.b.ins().fneg(a);
                    self.b.ins().fma(nn, m, na)
                }
                _ => {
                    let na = self.b.ins().fneg(a);
                    self.b.ins().fma(n, m, na)
                }
            };
            self.finish_fp(word, pc, rd, r, true, done);
            return true;
        }
        false
    }

    #[allow(clippy::too_many_arguments)]
    fn three_same(&mut self, word: u32, pc: u64, opcode: u32, u: bool, size: u32, q: bool, rd: u32, rn: u32, rm: u32) -> bool {
        // Vector FP arithmetic (bit 23 selects FSUB/FMLS; bit 22 is sz).
        if matches!(opcode, 0b11001 | 0b11010 | 0b11011 | 0b11111) {
            let sz = size & 1;
            // 64-bit vectors stay in the interpreter: the host would compute
            // the unused upper lanes too, and their exceptions would leak.
            if !q {
                return false;
            }
            let minus = size & 2 != 0;
            let supported = match (opcode, u, minus) {
                (0b11010, false, _) | (0b11011, true, false) | (0b11111, true, false) => true,
                (0b11001, false, _) => self.host_has_fma,
                _ => false,
            };
            if !supported {
                return false;
            }
            let ty = if sz == 1 { types::F64X2 } else { types::F32X4 };
            let done = self.fp_mode_guard(word, pc);
            let a = self.vload(ty, rn);
            let b = self.vload(ty, rm);
            let r = match (opcode, minus) {
                (0b11010, false) => self.b.ins().fadd(a, b),
                (0b11010, true) => self.b.ins().fsub(a, b),
                (0b11011, _) => self.b.ins().fmul(a, b),
                (0b11111, _) => self.b.ins().fdiv(a, b),
                _ => {
                    let acc = self.vload(ty, rd);
                    let a = if minus { self.b.ins().fneg(a) } else { a };
                    self.b.ins().fma(a, b, acc)
                }
            };
            self.finish_fp(word, pc, rd, r, q, done);
            return true;
        }
        if size == 3 && opcode != 0b00011 && (!q || opcode != 0b10000) && !(opcode == 0b10001 && q) {
            // 64-bit lanes: only ADD/SUB and CMEQ (x86-64 has no cheap unsigned
            // or signed 64-bit lane compares everywhere).
            return false;
        }
        let ty = Self::vector_type(size);
        let r = match (opcode, u) {
            (0b10000, false) | (0b10000, true) => {
                let a = self.vload(ty, rn);
                let b = self.vload(ty, rm);
                if u {
                    self.b.ins().isub(a, b)
                } else {
                    self.b.ins().iadd(a, b)
                }
            }
            (0b10001, true) | (0b00110, _) | (0b00111, _) => {
                let cc = match (opcode, u) {
                    (0b10001, _) => IntCC::Equal,
                    (0b00110, false) => IntCC::SignedGreaterThan,
                    (0b00110, true) => IntCC::UnsignedGreaterThan,
                    (0b00111, false) => IntCC::SignedGreaterThanOrEqual,
                    _ => IntCC::UnsignedGreaterThanOrEqual,
                };
                let a = self.vload(ty, rn);
                let b = self.vload(ty, rm);
                self.b.ins().icmp(cc, a, b)
            }
            (0b00011, _) => {
                let a = self.vload(types::I64X2, rn);
                let b = self.vload(types::I64X2, rm);
                match (u, size) {
                    (false, 0) => self.b.ins().band(a, b),
                    (false, 1) => self.b.ins().band_not(a, b),
                    (false, 2) => self.b.ins().bor(a, b),
                    (false, _) => self.b.ins().bor_not(a, b),
                    (true, 0) => self.b.ins().bxor(a, b),
                    (true, sel) => {
                        // BSL: d = (d & n) | (~d & m); BIT: d = (m & n) | (~m & d);
                        // BIF: d = (~m & n) | (m & d).
                        let d = self.vload(types::I64X2, rd);
                        let (mask, if_set, if_clear) = match sel {
                            1 => (d, a, b),
                            2 => (b, a, d),
                            _ => (b, d, a),
                        };
                        self.b.ins().bitselect(mask, if_set, if_clear)
                    }
                }
            }
            (0b10100, true) | (0b10101, true) | (0b10111, false) if size == 0 => {
                // Pairwise over the concatenation Vm:Vn (Vn supplies the low half).
                let a = self.vload(types::I8X16, rn);
                let b = self.vload(types::I8X16, rm);
                let (even, odd) = if q {
                    let e: [u8; 16] = std::array::from_fn(|i| 2 * i as u8);
                    let o: [u8; 16] = std::array::from_fn(|i| 2 * i as u8 + 1);
                    (e, o)
                } else {
                    // 64-bit form: pairs of the low 8 bytes of Vn, then of Vm.
                    let e: [u8; 16] = std::array::from_fn(|i| if i < 4 { 2 * i as u8 } else if i < 8 { 16 + 2 * (i as u8 - 4) } else { 0 });
                    let o: [u8; 16] = std::array::from_fn(|i| if i < 4 { 2 * i as u8 + 1 } else if i < 8 { 17 + 2 * (i as u8 - 4) } else { 0 });
                    (e, o)
                };
                let em = self.shuffle_const(even);
                let om = self.shuffle_const(odd);
                let ev = self.b.ins().shuffle(a, b, em);
                let od = self.b.ins().shuffle(a, b, om);
                match opcode {
                    0b10100 => self.b.ins().umax(ev, od),
                    0b10101 => self.b.ins().umin(ev, od),
                    _ => self.b.ins().iadd(ev, od),
                }
            }
            _ => return false,
        };
        self.vstore(rd, r, q);
        true
    }

    /// Starts a natively compiled FP instruction: unless FPCR is all zero
    /// (round to nearest, no flushing, no default NaN), the instruction runs in
    /// the interpreter instead, before the host computes anything, so no host
    /// exception flag from a differently-defined operation can reach FPSR.
    /// Returns the block where both paths continue; emission continues in the
    /// fast path.
    fn fp_mode_guard(&mut self, word: u32, pc: u64) -> ir::Block {
        let fpcr = self.load_state(types::I64, offsets::FPCR);
        let other_mode = self.b.ins().icmp_imm_s(IntCC::NotEqual, fpcr, 0);
        let slow = self.b.create_block();
        let fast = self.b.create_block();
        let done = self.b.create_block();
        self.b.ins().brif(other_mode, slow, &[], fast, &[]);
        self.b.switch_to_block(slow);
        self.b.seal_block(slow);
        self.call_interpreter(word, pc);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(fast);
        self.b.seal_block(fast);
        done
    }

    /// Stores an FP result computed on the host if it is exactly what the Arm
    /// rules give (see the module comment); otherwise re-runs the instruction in
    /// the interpreter. `r` is a scalar F32/F64 or an F32X4/F64X2 vector.
    /// Continues emission in `done`.
    fn finish_fp(&mut self, word: u32, pc: u64, rd: u32, r: Value, q: bool, done: ir::Block) {
        let ty = self.b.func.dfg.value_type(r);
        let slow = self.fp_needs_slow_path(r, ty, q);
        let slow_block = self.b.create_block();
        let fast_block = self.b.create_block();
        self.b.ins().brif(slow, slow_block, &[], fast_block, &[]);

        self.b.switch_to_block(fast_block);
        self.b.seal_block(fast_block);
        if ty.is_vector() {
            self.vstore(rd, r, q);
        } else {
            // A scalar write zeroes the rest of the vector register.
            let int_ty = if ty == types::F64 { types::I64 } else { types::I32 };
            let bits = self.b.ins().bitcast(int_ty, MemFlagsData::new(), r);
            let bits = if int_ty == types::I64 { bits } else { self.b.ins().uextend(types::I64, bits) };
            let v = self.b.ins().scalar_to_vector(types::I64X2, bits);
            let zero = self.iconst(0);
            let v = self.b.ins().insertlane(v, zero, 1);
            self.vstore(rd, v, true);
        }
        self.b.ins().jump(done, &[]);

        self.b.switch_to_block(slow_block);
        self.b.seal_block(slow_block);
        self.call_interpreter(word, pc);
        self.b.ins().jump(done, &[]);

        self.b.switch_to_block(done);
        self.b.seal_block(done);
    }

    /// I8 truth value: some lane of `r` is zero, subnormal, below twice the
    /// smallest normal, infinite or NaN.
    fn fp_needs_slow_path(&mut self, r: Value, ty: Type, q: bool) -> Value {
        let (int_ty, exp_shift, exp_mask) = if ty.lane_type() == types::F64 {
            (types::I64, 52, 0x7ff)
        } else {
            (types::I32, 23, 0xff)
        };
        let lane_count = if ty.is_vector() { if q { ty.lane_count() } else { 2 } } else { 1 };
        let as_int = if ty.is_vector() {
            Some(self.b.ins().bitcast(int_ty.by(ty.lane_count()).expect("vector type"), lanes(), r))
        } else {
            None
        };
        let mut any = self.b.ins().iconst(types::I8, 0);
        for lane in 0..lane_count {
            let bits = match as_int {
                Some(v) => self.b.ins().extractlane(v, lane as u8),
                None => self.b.ins().bitcast(int_ty, MemFlagsData::new(), r),
            };
            let exp = self.b.ins().ushr_imm_s(bits, exp_shift);
            let exp = self.b.ins().band_imm_s(exp, exp_mask);
            // exp in {0, 1, max}: (exp - 2) as unsigned >= max - 2.
            let shifted = self.b.ins().iadd_imm_s(exp, -2);
            let bad = self.b.ins().icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, shifted, exp_mask - 2);
            any = self.b.ins().bor(any, bad);
        }
        any
    }
}
