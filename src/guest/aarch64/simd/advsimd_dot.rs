//! Dot product (FEAT_DotProd: SDOT, UDOT) and rounding doubling multiply
//! accumulate (FEAT_RDM: SQRDMLAH, SQRDMLSH), in the "three same extra"
//! class (vector and scalar) and the by-element class.

use super::super::cpu::CpuState;
use super::fp_format::fpsr;
use super::int_elem::{saturate, widen};
use super::lanes::{bit, bits, build, datasize, get, reg, set_scalar, set_vreg, vreg};

/// SQRDMLAH (`subtract` false) / SQRDMLSH on one lane: the accumulator
/// joins the doubled product before the single rounding and saturation.
fn rdm_lane(acc: u64, a: u64, b: u64, esize: u32, subtract: bool) -> (u64, bool) {
    let product = 2 * widen(a, esize, false) * widen(b, esize, false);
    let acc = widen(acc, esize, false) << esize;
    let sum = if subtract { acc - product } else { acc + product };
    saturate((sum + (1i128 << (esize - 1))) >> esize, esize, false)
}

/// Four byte products of one 32-bit lane of `n` and the 32-bit value `m`,
/// added to `acc` (wrapping, as the architecture defines).
fn dot_lane(acc: u64, n: u64, m: u64, unsigned: bool) -> u64 {
    let sum: i128 = (0..4)
        .map(|i| {
            let (x, y) = ((n >> (8 * i)) & 0xff, (m >> (8 * i)) & 0xff);
            widen(x, 8, unsigned) * widen(y, 8, unsigned)
        })
        .sum();
    (acc as i128 + sum) as u64 & 0xffff_ffff
}

/// Writes a result lane set, scalar or vector.
fn write(cpu: &mut CpuState, rd: u8, value: u128, esize: u32, scalar: bool, q: bool) {
    if scalar {
        set_scalar(cpu, rd, value as u64, esize);
    } else {
        set_vreg(cpu, rd, value, q);
    }
}

/// SQRDMLAH/SQRDMLSH with every lane of `n` against `m_lane(i)`.
fn rdm(cpu: &mut CpuState, word: u32, scalar: bool, esize: u32, subtract: bool, m_lane: impl Fn(usize) -> u64) {
    let (q, rd, rn) = (bit(word, 30), reg(word, 0), reg(word, 5));
    let (n, d) = (vreg(cpu, rn), vreg(cpu, rd));
    let lanes = if scalar { 1 } else { (datasize(q) / esize) as usize };
    let mut saturated = false;
    let r = build(esize, lanes, |i| {
        let (v, s) = rdm_lane(get(d, esize, i), get(n, esize, i), m_lane(i), esize, subtract);
        saturated |= s;
        v
    });
    if saturated {
        cpu.fpsr |= fpsr::QC;
    }
    write(cpu, rd, r, esize, scalar, q);
}

/// SDOT/UDOT with every 32-bit lane of `n` against `m_lane(i)`.
fn dot(cpu: &mut CpuState, word: u32, m_lane: impl Fn(usize) -> u64) {
    let (q, u, rd, rn) = (bit(word, 30), bit(word, 29), reg(word, 0), reg(word, 5));
    let (n, d) = (vreg(cpu, rn), vreg(cpu, rd));
    let lanes = (datasize(q) / 32) as usize;
    let r = build(32, lanes, |i| dot_lane(get(d, 32, i), get(n, 32, i), m_lane(i), u));
    set_vreg(cpu, rd, r, q);
}

/// AdvSIMD (scalar) three same extra: x Q U 01110 size 0 Rm 1 opcode(4) 1 Rn Rd.
/// Provides SQRDMLAH, SQRDMLSH, SDOT, UDOT, and the int8 matrix forms
/// through `advsimd_i8mm`, the complex forms through `advsimd_complex` and
/// the BF16 forms through `advsimd_bf16`.
pub fn three_same_extra(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    let (u, size, opcode) = (bit(word, 29), bits(word, 23, 22), bits(word, 14, 11));
    let m = vreg(cpu, reg(word, 16));
    match opcode {
        0b0000 | 0b0001 if u && (size == 1 || size == 2) => {
            let esize = 8 << size;
            rdm(cpu, word, scalar, esize, opcode == 1, |i| get(m, esize, i));
        }
        0b0010 if !scalar && size == 2 => dot(cpu, word, |i| get(m, 32, i)),
        // USDOT, SMMLA, UMMLA, USMMLA (FEAT_I8MM).
        0b0011..=0b0101 if size == 2 => return super::advsimd_i8mm::three_same_extra(cpu, word, scalar),
        // FCMLA, FCADD (FEAT_FCMA).
        0b1000..=0b1100 | 0b1110 if u => return super::advsimd_complex::three_same_extra(cpu, word, scalar),
        // BFMMLA, BFDOT, BFMLALB/BFMLALT (FEAT_BF16).
        0b1101 | 0b1111 if u => return super::advsimd_bf16::three_same_extra(cpu, word, scalar),
        _ => return None,
    }
    Some(())
}

/// The by-element forms: SDOT/UDOT (opcode 1110), SQRDMLAH/SQRDMLSH
/// (U = 1, opcodes 1101/1111) and, through `advsimd_i8mm`, SUDOT/USDOT
/// (U = 0, opcode 1111), through `advsimd_bf16` BFDOT/BFMLALB/BFMLALT
/// (U = 0, opcode 1111) and through `advsimd_complex` FCMLA (U = 1,
/// opcode 0xx1). `None` for every other by-element encoding,
/// which the caller then decodes elsewhere.
pub fn indexed(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    let (u, size, opcode) = (bit(word, 29), bits(word, 23, 22), bits(word, 15, 12));
    let (h, l, m_bit) = (bit(word, 11) as usize, bit(word, 21) as usize, bit(word, 20) as usize);
    match opcode {
        0b1110 if !scalar && size == 2 => {
            let m = get(vreg(cpu, reg(word, 16)), 32, (h << 1) | l);
            dot(cpu, word, |_| m);
        }
        0b1101 | 0b1111 if u && (size == 1 || size == 2) => {
            let (index, rm) = if size == 1 {
                ((h << 2) | (l << 1) | m_bit, bits(word, 19, 16) as u8)
            } else {
                ((h << 1) | l, reg(word, 16))
            };
            let esize = 8 << size;
            let m = get(vreg(cpu, rm), esize, index);
            rdm(cpu, word, scalar, esize, opcode == 0b1111, |_| m);
        }
        // SUDOT, USDOT (FEAT_I8MM).
        0b1111 if !u && (size == 0 || size == 2) => return super::advsimd_i8mm::indexed(cpu, word, scalar),
        // BFDOT, BFMLALB/BFMLALT (FEAT_BF16).
        0b1111 if !u && (size == 1 || size == 3) => return super::advsimd_bf16::indexed(cpu, word, scalar),
        // FCMLA (FEAT_FCMA).
        0b0001 | 0b0011 | 0b0101 | 0b0111 if u => return super::advsimd_complex::indexed(cpu, word, scalar),
        _ => return None,
    }
    Some(())
}
