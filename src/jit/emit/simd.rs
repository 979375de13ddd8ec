//! The IR's vector operations in Cranelift, and native translation of the
//! FP and AdvSIMD instructions the IR lowering leaves to the interpreter but
//! hot loops need: vector byte reversal, and vectorised or scalar FP
//! arithmetic.
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
use crate::ir::{Field, VecOp};
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
        self.vstore_at(CpuState::offset_of_v(r as usize), v, q);
    }

    /// Stores a 128-bit vector to the 16-byte state field at `off`, as
    /// [`Self::vstore`].
    fn vstore_at(&mut self, off: i32, v: Value, q: bool) {
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

        // AdvSIMD three same.
        if word & 0x9f20_0400 == 0x0e20_0400 {
            let opcode = bits(word, 15, 11);
            return self.three_same(word, pc, opcode, u, size, q, rd, rn, rm);
        }
        // AdvSIMD two-register miscellaneous: the compares against zero
        // the IR lowering leaves here.
        if word & 0x9f3e_0c00 == 0x0e20_0800 {
            let opcode = bits(word, 16, 12);
            if size == 3 && !q {
                return false;
            }
            let cc = match (opcode, u) {
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
        // The integer forms are IR vector operations (`guest::aarch64::lower::simd`).
        false
    }

    /// `Op::Vec` (see `ir::VecOp`).
    pub(super) fn vec_op(&mut self, op: VecOp, esize: u8, q: bool, dst: Field, a: Field, b: Option<Field>) {
        let ty = Self::vector_type(esize as u32);
        let va = self.load_state(ty, a.0);
        let vb = match b {
            Some(b) => self.load_state(ty, b.0),
            None => {
                let zero = self.b.ins().iconst(ty.lane_type(), 0);
                self.b.ins().splat(ty, zero)
            }
        };
        let ins = self.b.ins();
        let r = match op {
            VecOp::And => ins.band(va, vb),
            VecOp::AndNot => ins.band_not(va, vb),
            VecOp::Or => ins.bor(va, vb),
            VecOp::OrNot => ins.bor_not(va, vb),
            VecOp::Xor => ins.bxor(va, vb),
            VecOp::Add => ins.iadd(va, vb),
            VecOp::Sub => ins.isub(va, vb),
            VecOp::CmpEq => ins.icmp(IntCC::Equal, va, vb),
            VecOp::CmpGtS => ins.icmp(IntCC::SignedGreaterThan, va, vb),
            VecOp::CmpGeS => ins.icmp(IntCC::SignedGreaterThanOrEqual, va, vb),
            VecOp::CmpGtU => ins.icmp(IntCC::UnsignedGreaterThan, va, vb),
            VecOp::CmpGeU => ins.icmp(IntCC::UnsignedGreaterThanOrEqual, va, vb),
            VecOp::MaxU => ins.umax(va, vb),
            VecOp::MinU => ins.umin(va, vb),
            VecOp::AddPairwise | VecOp::MaxUPairwise | VecOp::MinUPairwise => {
                // Bytes over the concatenation b:a (a gives the low half);
                // without Q, of the low halves, pairs of a's then b's.
                let (even, odd): ([u8; 16], [u8; 16]) = if q {
                    (std::array::from_fn(|i| 2 * i as u8), std::array::from_fn(|i| 2 * i as u8 + 1))
                } else {
                    let pick = |i: usize, first: u8| match i {
                        0..=3 => first + 2 * i as u8,
                        4..=7 => 16 + first + 2 * (i as u8 - 4),
                        _ => 0,
                    };
                    (std::array::from_fn(|i| pick(i, 0)), std::array::from_fn(|i| pick(i, 1)))
                };
                let em = self.shuffle_const(even);
                let om = self.shuffle_const(odd);
                let ev = self.b.ins().shuffle(va, vb, em);
                let od = self.b.ins().shuffle(va, vb, om);
                match op {
                    VecOp::MaxUPairwise => self.b.ins().umax(ev, od),
                    VecOp::MinUPairwise => self.b.ins().umin(ev, od),
                    _ => self.b.ins().iadd(ev, od),
                }
            }
        };
        self.vstore_at(dst.0, r, q);
    }

    /// `Op::VecSelect`.
    pub(super) fn vec_select(&mut self, q: bool, dst: Field, mask: Field, a: Field, b: Field) {
        let m = self.load_state(types::I64X2, mask.0);
        let a = self.load_state(types::I64X2, a.0);
        let b = self.load_state(types::I64X2, b.0);
        let r = self.b.ins().bitselect(m, a, b);
        self.vstore_at(dst.0, r, q);
    }

    /// `Op::VecShrn`: the shift, then a byte shuffle that keeps each lane's
    /// low half, packed into the low 8 bytes above zeros.
    pub(super) fn vec_shrn(&mut self, esize: u8, shift: u8, dst: Field, a: Field) {
        let ty = Self::vector_type(esize as u32);
        let v = self.load_state(ty, a.0);
        let amount = self.b.ins().iconst(types::I32, shift as i64);
        let shifted = self.b.ins().ushr(v, amount);
        let bytes = self.b.ins().bitcast(types::I8X16, lanes(), shifted);
        let (lane, half) = (1u8 << esize, 1u8 << (esize - 1));
        // Indices 16 and up pick from the second operand: zeros.
        let mask: [u8; 16] = std::array::from_fn(|i| {
            let i = i as u8;
            if i < 8 { (i / half) * lane + i % half } else { 16 }
        });
        let zero = self.b.ins().iconst(types::I8, 0);
        let zeros = self.b.ins().splat(types::I8X16, zero);
        let mask = self.shuffle_const(mask);
        let r = self.b.ins().shuffle(bytes, zeros, mask);
        self.vstore_at(dst.0, r, true);
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
