//! Complex-number arithmetic (FEAT_FCMA): FCADD and FCMLA in the "three
//! same extra" class and FCMLA by element, on half, single and double
//! precision lanes. Each pair of lanes (2e, 2e+1) holds one complex number,
//! real part first.
//!
//! The rotation only chooses which parts meet and which product or addend
//! is negated; every lane result is one ordinary FPAdd or FPMulAdd under
//! FPCR, so the NaN rules, flushing and flags are those of FADD and FMLA.
//! Negation flips the sign bit before the operation, NaNs included (FPNeg).

use super::super::cpu::CpuState;
use super::advsimd_fp::with_ctx;
use super::fp_arith as arith;
use super::fp_format::Fmt;
use super::lanes::{bit, bits, datasize, get, reg, set, set_vreg, vreg};

/// Lane format of the size field (23:22): half, single or double, where
/// doubles need a 128-bit vector to hold a whole complex number.
fn format(size: u32, q: bool) -> Option<Fmt> {
    match size {
        1 => Some(Fmt::H),
        2 => Some(Fmt::S),
        3 if q => Some(Fmt::D),
        _ => None,
    }
}

/// The two factors FCMLA multiplies by the chosen part of the Rn number,
/// for the real and the imaginary result lane: `(m_re, m_im)` rotated by
/// `rot` * 90 degrees. Returns whether the Rn part is the imaginary one
/// and the two factors.
fn rotate(fmt: Fmt, rot: u32, m_re: u64, m_im: u64) -> (bool, u64, u64) {
    match rot & 3 {
        0 => (false, m_re, m_im),
        1 => (true, fmt.neg(m_im), m_re),
        2 => (false, fmt.neg(m_re), fmt.neg(m_im)),
        _ => (true, m_im, fmt.neg(m_re)),
    }
}

/// FCMLA on every complex number of the vector; `m_pair(e)` gives the
/// (real, imaginary) Rm operand for number `e`.
fn fcmla(cpu: &mut CpuState, word: u32, fmt: Fmt, rot: u32, m_pair: impl Fn(usize) -> (u64, u64)) {
    let (q, rd, rn) = (bit(word, 30), reg(word, 0), reg(word, 5));
    let (n, d) = (vreg(cpu, rn), vreg(cpu, rd));
    let esize = fmt.width();
    let pairs = (datasize(q) / esize / 2) as usize;
    let result = with_ctx(cpu, |ctx| {
        let mut out = 0u128;
        for e in 0..pairs {
            let (m_re, m_im) = m_pair(e);
            let (imaginary, f_re, f_im) = rotate(fmt, rot, m_re, m_im);
            let x = get(n, esize, 2 * e + imaginary as usize);
            let re = arith::mul_add(ctx, fmt, get(d, esize, 2 * e), x, f_re);
            let im = arith::mul_add(ctx, fmt, get(d, esize, 2 * e + 1), x, f_im);
            out = set(set(out, esize, 2 * e, re), esize, 2 * e + 1, im);
        }
        out
    });
    set_vreg(cpu, rd, result, q);
}

/// FCADD: Rn plus Rm rotated by 90 (`rot270` false) or 270 degrees.
fn fcadd(cpu: &mut CpuState, word: u32, fmt: Fmt, rot270: bool) {
    let (q, rd, rn, rm) = (bit(word, 30), reg(word, 0), reg(word, 5), reg(word, 16));
    let (n, m) = (vreg(cpu, rn), vreg(cpu, rm));
    let esize = fmt.width();
    let pairs = (datasize(q) / esize / 2) as usize;
    let result = with_ctx(cpu, |ctx| {
        let mut out = 0u128;
        for e in 0..pairs {
            let (m_re, m_im) = (get(m, esize, 2 * e), get(m, esize, 2 * e + 1));
            let (a_re, a_im) = if rot270 { (m_im, fmt.neg(m_re)) } else { (fmt.neg(m_im), m_re) };
            let re = arith::add(ctx, fmt, get(n, esize, 2 * e), a_re);
            let im = arith::add(ctx, fmt, get(n, esize, 2 * e + 1), a_im);
            out = set(set(out, esize, 2 * e, re), esize, 2 * e + 1, im);
        }
        out
    });
    set_vreg(cpu, rd, result, q);
}

/// Three same extra with U = 1: FCMLA (opcode 10 rot) and FCADD (opcode
/// 11 rot 0). Vector only.
pub fn three_same_extra(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    if scalar || !bit(word, 29) {
        return None;
    }
    let q = bit(word, 30);
    let opcode = bits(word, 14, 11);
    let fmt = format(bits(word, 23, 22), q)?;
    match opcode {
        0b1000..=0b1011 => {
            let m = vreg(cpu, reg(word, 16));
            let esize = fmt.width();
            fcmla(cpu, word, fmt, opcode & 3, |e| (get(m, esize, 2 * e), get(m, esize, 2 * e + 1)));
        }
        0b1100 | 0b1110 => fcadd(cpu, word, fmt, opcode == 0b1110),
        _ => return None,
    }
    Some(())
}

/// FCMLA by element: x Q 1 01111 size L M Rm 0 rot 1 H 0 Rn Rd, with one
/// complex number of Rm (all five register bits) for every lane pair.
/// Half precision indexes H:L (only L for 64-bit vectors), single
/// precision H with L zero and a 128-bit vector.
pub fn indexed(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    if scalar || !bit(word, 29) || bit(word, 15) || !bit(word, 12) {
        return None;
    }
    let (q, h, l) = (bit(word, 30), bit(word, 11) as usize, bit(word, 21) as usize);
    let (fmt, index) = match bits(word, 23, 22) {
        1 if q || h == 0 => (Fmt::H, (h << 1) | l),
        2 if q && l == 0 => (Fmt::S, h),
        _ => return None,
    };
    let esize = fmt.width();
    let m = vreg(cpu, reg(word, 16));
    let pair = (get(m, esize, 2 * index), get(m, esize, 2 * index + 1));
    fcmla(cpu, word, fmt, bits(word, 14, 13), |_| pair);
    Some(())
}
