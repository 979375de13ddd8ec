//! AdvSIMD "three different" class: long (widening), wide and narrowing-high
//! operations, in vector form and the scalar saturating-doubling forms.

use super::super::cpu::CpuState;
use super::advsimd_int::{polynomial_mul, Fields};
use super::fp_format::fpsr;
use super::int_elem::{saturate, widen};
use super::lanes::{bits, build, get, mask64, set_scalar, set_vreg, vreg};

/// The half of a source register a long operation reads: the upper half for
/// the "2" forms (Q = 1).
fn half(v: u128, upper: bool) -> u128 {
    if upper {
        v >> 64
    } else {
        v as u64 as u128
    }
}

/// 2 * a * b + acc (acc subtracted when `subtract`) with both saturations
/// of SQDMLAL/SQDMLSL (and SQDMULL with `acc` None).
fn doubling_long(a: i128, b: i128, acc: Option<i128>, subtract: bool, esize: u32, qc: &mut bool) -> u64 {
    let wide = esize * 2;
    let (product, s1) = saturate(2 * a * b, wide, false);
    *qc |= s1;
    match acc {
        None => product,
        Some(d) => {
            let p = super::lanes::sext(product, wide) as i128;
            let (r, s2) = saturate(if subtract { d - p } else { d + p }, wide, false);
            *qc |= s2;
            r
        }
    }
}

pub fn three_different(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    let f = Fields::of(word);
    let opcode = bits(word, 15, 12);
    let u = f.u;
    let doubling = matches!(opcode, 0b1001 | 0b1011 | 0b1101);
    if scalar && (u || !doubling) {
        return None;
    }
    if doubling && (u || !(f.size == 1 || f.size == 2)) {
        return None;
    }
    if opcode == 0b1110 {
        return polynomial_long(cpu, &f);
    }
    if opcode == 0b1111 || f.size == 3 {
        return None;
    }
    let esize = f.esize();
    let wide = esize * 2;
    let (n, m, d) = (vreg(cpu, f.rn), vreg(cpu, f.rm), vreg(cpu, f.rd));
    let lanes = if scalar { 1 } else { (64 / esize) as usize };
    let upper = f.q && !scalar;
    let (nh, mh) = (half(n, upper), half(m, upper));
    let ext = |v: u128, i: usize| widen(get(v, esize, i), esize, u);
    let wide_el = |v: u128, i: usize| widen(get(v, wide, i), wide, u);
    if matches!(opcode, 0b0100 | 0b0110) {
        // [R]ADDHN / [R]SUBHN: high halves of wide sums, narrowed.
        let round = if u { 1i128 << (esize - 1) } else { 0 };
        let narrowed = build(esize, lanes, |i| {
            let (a, b) = (get(n, wide, i) as i128, get(m, wide, i) as i128);
            let s = if opcode == 0b0100 { a + b } else { a - b };
            ((s + round) >> esize) as u64
        }) as u64;
        let r = if f.q { (d as u64 as u128) | ((narrowed as u128) << 64) } else { narrowed as u128 };
        set_vreg(cpu, f.rd, r, f.q);
        return Some(());
    }
    let mut qc = false;
    let result = build(wide, lanes, |i| {
        let acc = get(d, wide, i) as i128;
        let v = match opcode {
            0b0000 => ext(nh, i) + ext(mh, i),
            0b0001 => wide_el(n, i) + ext(mh, i),
            0b0010 => ext(nh, i) - ext(mh, i),
            0b0011 => wide_el(n, i) - ext(mh, i),
            0b0101 => acc + (ext(nh, i) - ext(mh, i)).abs(),
            0b0111 => (ext(nh, i) - ext(mh, i)).abs(),
            0b1000 => acc + ext(nh, i) * ext(mh, i),
            0b1010 => acc - ext(nh, i) * ext(mh, i),
            0b1100 => ext(nh, i) * ext(mh, i),
            _ => {
                let sacc = widen(get(d, wide, i), wide, false);
                let accumulate = match opcode {
                    0b1001 => Some(sacc),
                    0b1011 => Some(sacc),
                    _ => None,
                };
                return doubling_long(ext(nh, i), ext(mh, i), accumulate, opcode == 0b1011, esize, &mut qc);
            }
        };
        v as u64 & mask64(wide)
    });
    if qc {
        cpu.fpsr |= fpsr::QC;
    }
    if scalar {
        set_scalar(cpu, f.rd, result as u64, wide);
    } else {
        set_vreg(cpu, f.rd, result, true);
    }
    Some(())
}

/// PMULL/PMULL2: carry-less multiply of 8-bit lanes to 16 bits, or of the
/// 64-bit lanes to one 128-bit product.
fn polynomial_long(cpu: &mut CpuState, f: &Fields) -> Option<()> {
    if f.u {
        return None;
    }
    let (n, m) = (half(vreg(cpu, f.rn), f.q), half(vreg(cpu, f.rm), f.q));
    let r = match f.size {
        0 => build(16, 8, |i| polynomial_mul(get(n, 8, i), get(m, 8, i), 8)),
        3 => {
            let (a, b) = (n as u64, m as u64);
            let mut out = 0u128;
            for i in 0..64 {
                if (b >> i) & 1 != 0 {
                    out ^= (a as u128) << i;
                }
            }
            out
        }
        _ => return None,
    };
    set_vreg(cpu, f.rd, r, true);
    Some(())
}
