//! Emission of the vector IR operations with SSE (up to SSE4.2; the
//! frontend lowers to them only on hosts that have it, see
//! `ir::vector_ops_available`).
//!
//! Operands are loaded from the CPU state into XMM0-XMM4 for each
//! operation and the result stored back: nothing stays in an XMM register
//! between operations, so helper calls need not save any.

use super::super::encode::sse::{op, Xmm};
use super::super::encode::regs::RBP;
use super::Emitter;
use crate::ir::{Field, VecOp};

const STATE: super::super::encode::Reg = RBP;

impl Emitter<'_> {
    /// Loads `f`, or zeros for `None`, into `x`.
    fn vec_operand(&mut self, x: Xmm, f: Option<Field>) {
        match f {
            Some(f) => self.a.movdqu_load(x, STATE, f.0),
            None => self.a.sse(op::PXOR, x, x),
        }
    }

    /// Sets every bit of `x`.
    fn all_ones(&mut self, x: Xmm) {
        self.a.sse(op::PCMPEQ[0], x, x);
    }

    /// `Op::Vec`.
    pub(super) fn vec(&mut self, vop: VecOp, esize: u8, q: bool, dst: Field, a: Field, b: Option<Field>) {
        let e = esize as usize;
        self.a.movdqu_load(0, STATE, a.0);
        self.vec_operand(1, b);
        let result = match vop {
            VecOp::And => self.two(op::PAND),
            VecOp::Or => self.two(op::POR),
            VecOp::Xor => self.two(op::PXOR),
            VecOp::Add => self.two(op::PADD[e]),
            VecOp::Sub => self.two(op::PSUB[e]),
            VecOp::CmpEq => self.two(op::PCMPEQ[e]),
            VecOp::CmpGtS => self.two(op::PCMPGT[e]),
            VecOp::MaxU => self.two(op::PMAXU[e]),
            VecOp::MinU => self.two(op::PMINU[e]),
            VecOp::AndNot => {
                // PANDN complements its destination: !b & a.
                self.a.sse(op::PANDN, 1, 0);
                1
            }
            VecOp::OrNot => {
                self.all_ones(2);
                self.a.sse(op::PXOR, 1, 2);
                self.two(op::POR)
            }
            VecOp::CmpGeS => {
                // a >= b is not (b > a).
                self.a.sse(op::PCMPGT[e], 1, 0);
                self.all_ones(2);
                self.a.sse(op::PXOR, 1, 2);
                1
            }
            VecOp::CmpGeU => {
                // a >= b exactly when max(a, b) == a.
                self.a.movdqa(2, 0);
                self.a.sse(op::PMAXU[e], 2, 1);
                self.a.sse(op::PCMPEQ[e], 2, 0);
                2
            }
            VecOp::CmpGtU => {
                // a > b is not (max(a, b) == b).
                self.a.movdqa(2, 0);
                self.a.sse(op::PMAXU[e], 2, 1);
                self.a.sse(op::PCMPEQ[e], 2, 1);
                self.all_ones(3);
                self.a.sse(op::PXOR, 2, 3);
                2
            }
            VecOp::AddPairwise | VecOp::MaxUPairwise | VecOp::MinUPairwise => {
                let pair_op = match vop {
                    VecOp::AddPairwise => op::PADD[0],
                    VecOp::MaxUPairwise => op::PMAXU[0],
                    _ => op::PMINU[0],
                };
                self.pairwise_bytes(q, pair_op)
            }
        };
        if !q {
            self.a.movq_zero_high(result);
        }
        self.a.movdqu_store(STATE, dst.0, result);
    }

    /// `xmm0 = xmm0 op xmm1`; returns 0.
    fn two(&mut self, o: &[u8]) -> Xmm {
        self.a.sse(o, 0, 1);
        0
    }

    /// Pairwise byte operation `o` over the concatenation of XMM1 (high)
    /// and XMM0 (low), or of their low halves without `q`; returns the
    /// register with the result.
    fn pairwise_bytes(&mut self, q: bool, o: &[u8]) -> Xmm {
        if !q {
            // The 16 bytes b.low:a.low, paired with nothing above them.
            self.a.sse(op::PUNPCKLQDQ, 0, 1);
            self.a.sse(op::PXOR, 1, 1);
        }
        // Even bytes (each word's low byte) of a then b, and odd bytes, by
        // masking or shifting each word to 0..255 and packing.
        self.a.movdqa(2, 0);
        self.a.movdqa(3, 1);
        self.all_ones(4);
        self.a.psrl_imm(1, 4, 8);
        self.a.sse(op::PAND, 0, 4);
        self.a.sse(op::PAND, 1, 4);
        self.a.sse(op::PACKUSWB, 0, 1);
        self.a.psrl_imm(1, 2, 8);
        self.a.psrl_imm(1, 3, 8);
        self.a.sse(op::PACKUSWB, 2, 3);
        self.a.sse(o, 0, 2);
        0
    }

    /// `Op::VecSelect`.
    pub(super) fn vec_select(&mut self, q: bool, dst: Field, mask: Field, a: Field, b: Field) {
        self.a.movdqu_load(0, STATE, mask.0);
        self.a.movdqu_load(1, STATE, a.0);
        self.a.movdqu_load(2, STATE, b.0);
        self.a.sse(op::PAND, 1, 0);
        self.a.sse(op::PANDN, 0, 2);
        self.a.sse(op::POR, 0, 1);
        if !q {
            self.a.movq_zero_high(0);
        }
        self.a.movdqu_store(STATE, dst.0, 0);
    }

    /// `Op::VecShrn`.
    pub(super) fn vec_shrn(&mut self, esize: u8, shift: u8, dst: Field, a: Field) {
        self.a.movdqu_load(0, STATE, a.0);
        self.a.psrl_imm(esize, 0, shift);
        match esize {
            // Keep each lane's low half (the packs saturate, so mask first),
            // then pack the halves into the low 8 bytes.
            1 | 2 => {
                self.all_ones(1);
                self.a.psrl_imm(esize, 1, 4 << esize);
                self.a.sse(op::PAND, 0, 1);
                self.a.sse(op::PXOR, 1, 1);
                self.a.sse(if esize == 1 { op::PACKUSWB } else { op::PACKUSDW }, 0, 1);
            }
            // Doublewords 0 and 2 are the quadwords' low halves.
            _ => {
                self.a.pshufd(0, 0, 0b1000);
                self.a.movq_zero_high(0);
            }
        }
        self.a.movdqu_store(STATE, dst.0, 0);
    }
}
