//! Lowering of the AdvSIMD and FP instructions that real programs run hot
//! in their integer code: glibc's string functions (DUP, CMEQ, CMHS,
//! UMAXP, SHRN, FMOV to a general register), zeroing and constant idioms
//! (MOVI), bitwise vector logic and lane arithmetic; hashing and
//! compression (EXT, XTN, the 32-to-64-bit long multiplies, shifts by an
//! immediate, INS, REV16/32/64), found with `-d stats`, which names the
//! instructions translated code leaves to the reference semantics most
//! often. Those that need no lane arithmetic the halves cannot do are
//! written as scalar operations on the two 8-byte halves, which every
//! backend translates.
//!
//! Moves between general and vector registers are plain `Get`/`Put` of the
//! 8-byte halves of a V register; lane operations are the IR's vector
//! operations. Everything else in the group, and every unallocated
//! encoding, stays an `Op::Interp` of the reference semantics.

use super::{v_field, Lowerer};
use crate::guest::aarch64::simd::advsimd_imm::{modified_immediate_effect, ImmEffect};
use crate::ir::{BinOp, Field, Op, VecOp, Width};

fn bits(word: u32, hi: u32, lo: u32) -> u32 {
    (word >> lo) & ((1 << (hi - lo + 1)) - 1)
}

fn bit(word: u32, at: u32) -> bool {
    (word >> at) & 1 == 1
}

/// The whole 16-byte field of V register `r`.
fn v(r: u32) -> Field {
    v_field(r as u8, 0)
}

impl Lowerer {
    /// Lowers `word` if it is one of the forms this file handles; false
    /// (having emitted nothing) otherwise.
    pub(super) fn lower_simd(&mut self, word: u32) -> bool {
        let rd = bits(word, 4, 0);
        let rn = bits(word, 9, 5);
        // Moves and immediates are plain state accesses; the lane
        // operations need the backends' vector support.
        self.lower_fmov_general(word, rd, rn)
            || self.lower_umov(word, rd, rn)
            || self.lower_dup_general(word, rd, rn)
            || self.lower_modified_immediate(word, rd)
            || self.lower_ext(word, rd, rn)
            || self.lower_xtn(word, rd, rn)
            || self.lower_long_multiply(word, rd, rn)
            || self.lower_shift_immediate(word, rd, rn)
            || self.lower_ins(word, rd, rn)
            || self.lower_rev(word, rd, rn)
            || (crate::ir::vector_ops_available()
                && (self.lower_three_same(word, rd, rn) || self.lower_compare_zero(word, rd, rn) || self.lower_shrn(word, rd, rn)))
    }

    /// Writes `lo` to the low half of V[rd] and zero to the high half.
    fn set_v_low(&mut self, rd: u32, lo: crate::ir::Temp) {
        self.b.put(v_field(rd as u8, 0), lo);
        self.b.put(v_field(rd as u8, 1), 0u64);
    }

    /// FMOV between a general register and a SIMD&FP register (no
    /// conversion): Xd <- Dn, Dn <- Xd, Wd <- Sn, Sd <- Wn, Xd <- Vn.D[1],
    /// Vd.D[1] <- Xn.
    fn lower_fmov_general(&mut self, word: u32, rd: u32, rn: u32) -> bool {
        match word & 0xffff_fc00 {
            0x9e66_0000 => {
                let x = self.b.get(v_field(rn as u8, 0));
                self.set_xr(rd as u8, x);
            }
            0x9eae_0000 => {
                let x = self.b.get(v_field(rn as u8, 1));
                self.set_xr(rd as u8, x);
            }
            0x1e26_0000 => {
                let x = self.b.get(v_field(rn as u8, 0));
                let w = self.b.extend(x, 32, false);
                self.set_xr(rd as u8, w);
            }
            0x9e67_0000 => {
                let x = self.xr(rn as u8);
                self.set_v_low(rd, x);
            }
            0x1e27_0000 => {
                let x = self.xr(rn as u8);
                let w = self.b.extend(x, 32, false);
                self.set_v_low(rd, w);
            }
            0x9eaf_0000 => {
                let x = self.xr(rn as u8);
                self.b.put(v_field(rd as u8, 1), x);
            }
            _ => return false,
        }
        true
    }

    /// UMOV Wd, Vn.B/H/S[i] and Xd, Vn.D[i] (MOV alias).
    fn lower_umov(&mut self, word: u32, rd: u32, rn: u32) -> bool {
        if word & 0xbfe0_fc00 != 0x0e00_3c00 {
            return false;
        }
        let imm5 = bits(word, 20, 16);
        let esize = imm5.trailing_zeros();
        // Byte, half and word lanes go to Wd (Q 0), doublewords to Xd (Q 1).
        if esize > 3 || bit(word, 30) != (esize == 3) {
            return false;
        }
        let index = imm5 >> (esize + 1);
        let byte = index << esize;
        let half = self.b.get(v_field(rn as u8, (byte / 8) as u8));
        let lane = if esize == 3 {
            half
        } else {
            let shifted = self.b.bin(BinOp::Lshr, Width::W64, half, ((byte % 8) * 8) as u64);
            self.b.extend(shifted, 8 << esize, false)
        };
        self.set_xr(rd as u8, lane);
        true
    }

    /// DUP Vd.T, Rn: the low lane of the general register in every lane.
    fn lower_dup_general(&mut self, word: u32, rd: u32, rn: u32) -> bool {
        if word & 0xbfe0_fc00 != 0x0e00_0c00 {
            return false;
        }
        let q = bit(word, 30);
        let esize = bits(word, 20, 16).trailing_zeros();
        if esize > 3 || (esize == 3 && !q) {
            return false;
        }
        let x = self.xr(rn as u8);
        // The lane times 0x01..01 (for its size) repeats it across 64 bits.
        let repeated = if esize == 3 {
            x
        } else {
            let lane = self.b.extend(x, 8 << esize, false);
            let ones = [0x0101_0101_0101_0101u64, 0x0001_0001_0001_0001, 0x0000_0001_0000_0001][esize as usize];
            self.b.bin(BinOp::Mul, Width::W64, lane, ones)
        };
        self.b.put(v_field(rd as u8, 0), repeated);
        if q {
            self.b.put(v_field(rd as u8, 1), repeated);
        } else {
            self.b.put(v_field(rd as u8, 1), 0u64);
        }
        true
    }

    /// MOVI, MVNI, ORR, BIC (vector, immediate) and FMOV (vector,
    /// immediate), with the immediate expanded at translation time.
    fn lower_modified_immediate(&mut self, word: u32, rd: u32) -> bool {
        if word & 0x9ff8_0400 != 0x0f00_0400 {
            return false;
        }
        let Some((effect, q)) = modified_immediate_effect(word) else { return false };
        for half in 0..2u8 {
            let field = v_field(rd as u8, half);
            if half == 1 && !q {
                self.b.put(field, 0u64);
                continue;
            }
            let part = |v: u128| (v >> (64 * half)) as u64;
            match effect {
                ImmEffect::Set(v) => self.b.put(field, part(v)),
                ImmEffect::Or(v) | ImmEffect::AndNot(v) => {
                    let old = self.b.get(field);
                    let new = match effect {
                        ImmEffect::Or(_) => self.b.bin(BinOp::Or, Width::W64, old, part(v)),
                        _ => self.b.bin(BinOp::And, Width::W64, old, !part(v)),
                    };
                    self.b.put(field, new);
                }
            }
        }
        true
    }

    /// AdvSIMD three same: the bitwise operations, ADD/SUB, the integer
    /// compares, UMAX/UMIN and the byte forms of ADDP/UMAXP/UMINP.
    fn lower_three_same(&mut self, word: u32, rd: u32, rn: u32) -> bool {
        if word & 0x9f20_0400 != 0x0e20_0400 {
            return false;
        }
        let (q, u) = (bit(word, 30), bit(word, 29));
        let size = bits(word, 23, 22) as u8;
        let rm = bits(word, 20, 16);
        let opcode = bits(word, 15, 11);
        let (d, n, m) = (v(rd), v(rn), v(rm));
        if opcode == 0b00011 {
            let op = match (u, size) {
                (false, 0) => VecOp::And,
                (false, 1) => VecOp::AndNot,
                (false, 2) => VecOp::Or,
                (false, _) => VecOp::OrNot,
                (true, 0) => VecOp::Xor,
                (true, sel) => {
                    // BSL: d = d ? n : m; BIT: d = m ? n : d; BIF: d = m ? d : n.
                    let (mask, a, b) = match sel {
                        1 => (d, n, m),
                        2 => (m, n, d),
                        _ => (m, d, n),
                    };
                    self.b.push(Op::VecSelect { q, dst: d, mask, a, b });
                    return true;
                }
            };
            self.b.push(Op::Vec { op, esize: 0, q, dst: d, a: n, b: Some(m) });
            return true;
        }
        // The 64-bit-lane forms of these need Q; some have none at all.
        if size == 3 && !q {
            return false;
        }
        let op = match (opcode, u) {
            (0b10000, false) => VecOp::Add,
            (0b10000, true) => VecOp::Sub,
            (0b10001, true) => VecOp::CmpEq,
            (0b00110, false) => VecOp::CmpGtS,
            (0b00111, false) => VecOp::CmpGeS,
            (0b00110, true) if size < 3 => VecOp::CmpGtU,
            (0b00111, true) if size < 3 => VecOp::CmpGeU,
            (0b01100, true) if size < 3 => VecOp::MaxU,
            (0b01101, true) if size < 3 => VecOp::MinU,
            (0b10111, false) if size == 0 => VecOp::AddPairwise,
            (0b10100, true) if size == 0 => VecOp::MaxUPairwise,
            (0b10101, true) if size == 0 => VecOp::MinUPairwise,
            _ => return false,
        };
        self.b.push(Op::Vec { op, esize: size, q, dst: d, a: n, b: Some(m) });
        true
    }

    /// CMEQ, CMGT and CMGE against zero.
    fn lower_compare_zero(&mut self, word: u32, rd: u32, rn: u32) -> bool {
        if word & 0x9f3e_0c00 != 0x0e20_0800 {
            return false;
        }
        let (q, u) = (bit(word, 30), bit(word, 29));
        let size = bits(word, 23, 22) as u8;
        if size == 3 && !q {
            return false;
        }
        let op = match (bits(word, 16, 12), u) {
            (0b01001, false) => VecOp::CmpEq,
            (0b01000, false) => VecOp::CmpGtS,
            (0b01000, true) => VecOp::CmpGeS,
            _ => return false,
        };
        self.b.push(Op::Vec { op, esize: size, q, dst: v(rd), a: v(rn), b: None });
        true
    }

    /// EXT: bytes `imm4..` of the concatenation Vm:Vn (16 bytes with Q, 8
    /// without). Lowered on the 8-byte halves, as scalar shifts: XXH3 (apt's
    /// cache hash) and memmove-style code run it hot.
    fn lower_ext(&mut self, word: u32, rd: u32, rn: u32) -> bool {
        if word & 0xbfe0_8400 != 0x2e00_0000 {
            return false;
        }
        let q = bit(word, 30);
        let imm4 = bits(word, 14, 11);
        if !q && imm4 >= 8 {
            return false;
        }
        let rm = bits(word, 20, 16);
        // The source as 8-byte halves, low first: n.lo, n.hi, m.lo, m.hi
        // with Q; n.lo, m.lo without.
        let parts: Vec<_> = if q {
            vec![v_field(rn as u8, 0), v_field(rn as u8, 1), v_field(rm as u8, 0), v_field(rm as u8, 1)]
        } else {
            vec![v_field(rn as u8, 0), v_field(rm as u8, 0)]
        };
        let (first, shift) = ((imm4 / 8) as usize, (imm4 % 8) * 8);
        let halves = if q { 2 } else { 1 };
        let mut out = Vec::new();
        for i in 0..halves {
            let lo = self.b.get(parts[first + i]);
            let half = if shift == 0 {
                lo
            } else {
                let hi = self.b.get(parts[first + i + 1]);
                let low_bits = self.b.bin(BinOp::Lshr, Width::W64, lo, shift as u64);
                let high_bits = self.b.bin(BinOp::Shl, Width::W64, hi, 64 - shift as u64);
                self.b.bin(BinOp::Or, Width::W64, low_bits, high_bits)
            };
            out.push(half);
        }
        self.b.put(v_field(rd as u8, 0), out[0]);
        match out.get(1) {
            Some(&hi) => self.b.put(v_field(rd as u8, 1), hi),
            None => self.b.put(v_field(rd as u8, 1), 0u64),
        }
        true
    }

    /// XTN and XTN2 from 32- and 64-bit lanes: each lane's low half,
    /// packed into the low (XTN, the high half cleared) or high (XTN2) 8
    /// bytes of Vd.
    fn lower_xtn(&mut self, word: u32, rd: u32, rn: u32) -> bool {
        if word & 0xbf3f_fc00 != 0x0e21_2800 {
            return false;
        }
        let q = bit(word, 30);
        let size = bits(word, 23, 22);
        if size != 1 && size != 2 {
            return false;
        }
        let lo = self.b.get(v_field(rn as u8, 0));
        let hi = self.b.get(v_field(rn as u8, 1));
        let packed = if size == 2 {
            let low = self.b.bin(BinOp::And, Width::W64, lo, 0xffff_ffffu64);
            let high = self.b.bin(BinOp::Shl, Width::W64, hi, 32u64);
            self.b.bin(BinOp::Or, Width::W64, low, high)
        } else {
            // Four 32-bit lanes: bits 0-15 and 32-47 of each half.
            let mut packed = None;
            for (i, (half, at)) in [(lo, 0u64), (lo, 32), (hi, 0), (hi, 32)].into_iter().enumerate() {
                let lane = self.b.bin(BinOp::Lshr, Width::W64, half, at);
                let lane = self.b.bin(BinOp::And, Width::W64, lane, 0xffffu64);
                let lane = self.b.bin(BinOp::Shl, Width::W64, lane, 16 * i as u64);
                packed = Some(match packed {
                    None => lane,
                    Some(p) => self.b.bin(BinOp::Or, Width::W64, p, lane),
                });
            }
            packed.expect("four lanes")
        };
        if q {
            self.b.put(v_field(rd as u8, 1), packed);
        } else {
            self.set_v_low(rd, packed);
        }
        true
    }

    /// SMULL, UMULL, SMLAL, UMLAL, SMLSL, UMLSL (and their "2" forms, which
    /// take the high halves of the sources) from 32-bit lanes to 64-bit
    /// ones: two 64-bit multiplications of the extended lanes, exact.
    fn lower_long_multiply(&mut self, word: u32, rd: u32, rn: u32) -> bool {
        if word & 0x9f20_0c00 != 0x0e20_0000 || bits(word, 23, 22) != 2 {
            return false;
        }
        let (q, signed) = (bit(word, 30), !bit(word, 29));
        let accumulate = match bits(word, 15, 12) {
            0b1100 => None,
            0b1000 => Some(BinOp::Add),
            0b1010 => Some(BinOp::Sub),
            _ => return false,
        };
        let rm = bits(word, 20, 16);
        let n = self.b.get(v_field(rn as u8, q as u8));
        let m = self.b.get(v_field(rm as u8, q as u8));
        let mut products = Vec::new();
        for at in [0u64, 32] {
            let a = self.b.bin(BinOp::Lshr, Width::W64, n, at);
            let a = self.b.extend(a, 32, signed);
            let b = self.b.bin(BinOp::Lshr, Width::W64, m, at);
            let b = self.b.extend(b, 32, signed);
            products.push(self.b.bin(BinOp::Mul, Width::W64, a, b));
        }
        for (half, product) in products.into_iter().enumerate() {
            let field = v_field(rd as u8, half as u8);
            let result = match accumulate {
                None => product,
                Some(op) => {
                    let old = self.b.get(field);
                    self.b.bin(op, Width::W64, old, product)
                }
            };
            self.b.put(field, result);
        }
        true
    }

    /// Shifts by an immediate on each lane: USHR and SHL for every lane
    /// size, USRA, SSHR and SSRA for 64-bit lanes. Lanes narrower than 64
    /// bits shift the whole half and mask what crossed a lane boundary.
    fn lower_shift_immediate(&mut self, word: u32, rd: u32, rn: u32) -> bool {
        if word & 0x9f80_0400 != 0x0f00_0400 {
            return false;
        }
        let immh = bits(word, 22, 19);
        let (q, unsigned) = (bit(word, 30), bit(word, 29));
        if immh == 0 || (immh >= 8 && !q) {
            return false;
        }
        // Lane size 8 << log2 (from immh's highest set bit).
        let log2 = 31 - immh.leading_zeros();
        let esize = 8u32 << log2;
        let immhb = bits(word, 22, 16);
        enum Shift {
            Right { accumulate: bool },
            Left,
        }
        let kind = match (bits(word, 15, 11), unsigned) {
            (0b00000, _) => Shift::Right { accumulate: false },
            (0b00010, _) => Shift::Right { accumulate: true },
            (0b01010, false) => Shift::Left,
            _ => return false,
        };
        // Signed and accumulating right shifts of narrower lanes would need
        // lane-wise sign fills and carries: left to the reference semantics.
        if esize != 64 && (!unsigned && matches!(kind, Shift::Right { .. }) || matches!(kind, Shift::Right { accumulate: true })) {
            return false;
        }
        // The lane mask repeated across 64 bits.
        let lane_mask = if esize == 64 { u64::MAX } else { (1u64 << esize) - 1 };
        let repeat = |v: u64| (0..64 / esize).fold(0u64, |acc, i| acc | v << (i * esize));
        let halves = if q { 2 } else { 1 };
        let sources: Vec<_> = (0..halves).map(|h| self.b.get(v_field(rn as u8, h))).collect();
        for (h, x) in sources.into_iter().enumerate() {
            let field = v_field(rd as u8, h as u8);
            let shifted = match kind {
                Shift::Left => {
                    let amount = immhb - esize;
                    let s = self.b.bin(BinOp::Shl, Width::W64, x, amount as u64);
                    self.b.bin(BinOp::And, Width::W64, s, repeat((lane_mask << amount) & lane_mask))
                }
                Shift::Right { accumulate } => {
                    let amount = 2 * esize - immhb;
                    let s = match (unsigned, amount == 64) {
                        (true, true) => self.b.bin(BinOp::And, Width::W64, x, 0u64),
                        (true, false) => {
                            let s = self.b.bin(BinOp::Lshr, Width::W64, x, amount as u64);
                            self.b.bin(BinOp::And, Width::W64, s, repeat(lane_mask >> amount))
                        }
                        // 64-bit lanes only: a shift by 64 fills with the sign.
                        (false, _) => self.b.bin(BinOp::Ashr, Width::W64, x, amount.min(63) as u64),
                    };
                    if accumulate {
                        let old = self.b.get(field);
                        self.b.bin(BinOp::Add, Width::W64, old, s)
                    } else {
                        s
                    }
                }
            };
            self.b.put(field, shifted);
        }
        if !q {
            self.b.put(v_field(rd as u8, 1), 0u64);
        }
        true
    }

    /// INS (element) and INS (general): one lane of Vd replaced by a lane
    /// of Vn or the low bits of a general register, the rest kept (bzip2's
    /// inner loop moves lanes this way).
    fn lower_ins(&mut self, word: u32, rd: u32, rn: u32) -> bool {
        let from_vector = word & 0xffe0_8400 == 0x6e00_0400;
        if !from_vector && word & 0xffe0_fc00 != 0x4e00_1c00 {
            return false;
        }
        let imm5 = bits(word, 20, 16);
        let esize = imm5.trailing_zeros();
        if esize > 3 {
            return false;
        }
        let bytes = 1u32 << esize;
        let lane_mask = if esize == 3 { u64::MAX } else { (1u64 << (8 * bytes)) - 1 };
        let value = if from_vector {
            let index = bits(word, 14, 11) >> esize;
            let at = index * bytes;
            let half = self.b.get(v_field(rn as u8, (at / 8) as u8));
            let shifted = self.b.bin(BinOp::Lshr, Width::W64, half, ((at % 8) * 8) as u64);
            self.b.bin(BinOp::And, Width::W64, shifted, lane_mask)
        } else {
            let x = self.xr(rn as u8);
            self.b.bin(BinOp::And, Width::W64, x, lane_mask)
        };
        let at = (imm5 >> (esize + 1)) * bytes;
        let field = v_field(rd as u8, (at / 8) as u8);
        let offset = ((at % 8) * 8) as u64;
        let new = if esize == 3 {
            value
        } else {
            let old = self.b.get(field);
            let kept = self.b.bin(BinOp::And, Width::W64, old, !(lane_mask << offset));
            let placed = self.b.bin(BinOp::Shl, Width::W64, value, offset);
            self.b.bin(BinOp::Or, Width::W64, kept, placed)
        };
        self.b.put(field, new);
        true
    }

    /// REV16, REV32 and REV64 (vector): the order of the elements reversed
    /// within each 16-, 32- or 64-bit container (sha256sum byte-swaps its
    /// input words with REV32).
    fn lower_rev(&mut self, word: u32, rd: u32, rn: u32) -> bool {
        if word & 0x9f3f_ec00 != 0x0e20_0800 {
            return false;
        }
        let (q, u) = (bit(word, 30), bit(word, 29));
        let size = bits(word, 23, 22);
        // Container: 64 bits (REV64), 32 (REV32), 16 (REV16); the element
        // must be smaller.
        let container = match (bit(word, 12), u) {
            (false, false) => 64,
            (false, true) => 32,
            (true, false) => 16,
            (true, true) => return false,
        };
        if 8 << size >= container {
            return false;
        }
        let halves = if q { 2 } else { 1 };
        let sources: Vec<_> = (0..halves).map(|h| self.b.get(v_field(rn as u8, h))).collect();
        for (h, x) in sources.into_iter().enumerate() {
            // Swap adjacent groups of `width` bits, for each width from the
            // container's half down to the element: that reverses the
            // elements within each container.
            let mut r = x;
            let mut width = container / 2;
            while width >= 8 << size {
                let mask = (0..64 / (2 * width)).fold(0u64, |m, i| m | ((1u64 << width) - 1) << (2 * width * i));
                let low = self.b.bin(BinOp::And, Width::W64, r, mask);
                let low = self.b.bin(BinOp::Shl, Width::W64, low, width as u64);
                let high = self.b.bin(BinOp::Lshr, Width::W64, r, width as u64);
                let high = self.b.bin(BinOp::And, Width::W64, high, mask);
                r = self.b.bin(BinOp::Or, Width::W64, low, high);
                width /= 2;
            }
            self.b.put(v_field(rd as u8, h as u8), r);
        }
        if !q {
            self.b.put(v_field(rd as u8, 1), 0u64);
        }
        true
    }

    /// SHRN (the 64-bit form; SHRN2 writes the upper half and stays with
    /// the reference semantics).
    fn lower_shrn(&mut self, word: u32, rd: u32, rn: u32) -> bool {
        if word & 0xff80_fc00 != 0x0f00_8400 {
            return false;
        }
        let immh = bits(word, 22, 19);
        if immh == 0 || immh >= 8 {
            return false;
        }
        // The source lanes are twice the result's: 16 bits for immh 0001,
        // 32 for 001x, 64 for 01xx.
        let esize = (32 - immh.leading_zeros()) as u8;
        let shift = (16u32 << (esize - 1)) - bits(word, 22, 16);
        self.b.push(Op::VecShrn { esize, shift: shift as u8, dst: v(rd), a: v(rn) });
        true
    }
}
