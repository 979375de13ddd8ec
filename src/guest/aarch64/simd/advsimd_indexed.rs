//! AdvSIMD (scalar) x indexed element: each lane of Rn combined with one
//! lane of Rm (MUL, MLA, MLS, [SU]MULL, [SU]MLAL, [SU]MLSL, SQDMULH,
//! SQRDMULH, SQDMULL, SQDMLAL, SQDMLSL, FMUL, FMULX, FMLA, FMLS, the FP
//! ones also for half precision). SDOT/UDOT and SQRDMLAH/SQRDMLSH by
//! element are in `advsimd_dot`; FMLAL/FMLSL (FEAT_FHM) are decoded here
//! and run in `advsimd_fhm`.

use super::super::cpu::CpuState;
use super::advsimd_fp::{three_same_lane, with_ctx, FpOp};
use super::fp_format::{fpsr, Fmt};
use super::int_elem::{doubling_mul_high, saturate, widen};
use super::lanes::{bit, bits, build, datasize, get, mask64, reg, sext, set_scalar, set_vreg, vreg};

pub fn indexed(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    let q = bit(word, 30);
    let u = bit(word, 29);
    let size = bits(word, 23, 22);
    let opcode = bits(word, 15, 12);
    let (h, l, m) = (bit(word, 11) as usize, bit(word, 21) as usize, bit(word, 20) as usize);
    let (rn, rd) = (reg(word, 5), reg(word, 0));
    // FMLAL, FMLSL, FMLAL2, FMLSL2 (FEAT_FHM).
    if size == 2 && matches!((opcode, u), (0b0000, false) | (0b0100, false) | (0b1000, true) | (0b1100, true)) {
        return super::advsimd_fhm::indexed(cpu, word, scalar);
    }
    let is_fp = matches!((opcode, u), (0b0001, false) | (0b0101, false) | (0b1001, _));
    if is_fp {
        let fmt = match size {
            0 => Fmt::H,
            2 => Fmt::S,
            3 if l == 0 => Fmt::D,
            _ => return None,
        };
        if !scalar && fmt == Fmt::D && !q {
            return None;
        }
        // Half-precision elements take M as the low index bit, so Rm is
        // limited to V0-V15 as for 16-bit integer elements.
        let (index, rm) = match fmt {
            Fmt::H => ((h << 2) | (l << 1) | m, bits(word, 19, 16) as u8),
            Fmt::S => ((h << 1) | l, reg(word, 16)),
            Fmt::D => (h, reg(word, 16)),
        };
        let op = match opcode {
            0b0001 => FpOp::Mla,
            0b0101 => FpOp::Mls,
            _ if u => FpOp::Mulx,
            _ => FpOp::Mul,
        };
        let esize = fmt.width();
        let e = get(vreg(cpu, rm), esize, index);
        let (n, d) = (vreg(cpu, rn), vreg(cpu, rd));
        let lanes = if scalar { 1 } else { (datasize(q) / esize) as usize };
        let r = with_ctx(cpu, |ctx| build(esize, lanes, |i| three_same_lane(ctx, fmt, op, get(n, esize, i), e, get(d, esize, i))));
        if scalar {
            set_scalar(cpu, rd, r as u64, esize);
        } else {
            set_vreg(cpu, rd, r, q);
        }
        return Some(());
    }
    let (index, rm) = match size {
        1 => ((h << 2) | (l << 1) | m, bits(word, 19, 16) as u8),
        2 => ((h << 1) | l, reg(word, 16)),
        _ => return None,
    };
    let esize = 8 << size;
    let e = get(vreg(cpu, rm), esize, index);
    let (n, d) = (vreg(cpu, rn), vreg(cpu, rd));
    let mut qc = false;
    match (opcode, u) {
        // Same-width: MUL, MLA, MLS, SQDMULH, SQRDMULH.
        (0b1000, false) | (0b0000, true) | (0b0100, true) | (0b1100, false) | (0b1101, false) => {
            let doubling = opcode >= 0b1100;
            if scalar && !doubling {
                return None;
            }
            let lanes = if scalar { 1 } else { (datasize(q) / esize) as usize };
            let r = build(esize, lanes, |i| {
                let (x, acc) = (get(n, esize, i), get(d, esize, i));
                let p = x.wrapping_mul(e);
                match opcode {
                    0b1000 => p,
                    0b0000 => acc.wrapping_add(p),
                    0b0100 => acc.wrapping_sub(p),
                    _ => {
                        let (v, s) = doubling_mul_high(x, e, esize, opcode == 0b1101);
                        qc |= s;
                        v
                    }
                }
            });
            if scalar {
                set_scalar(cpu, rd, r as u64, esize);
            } else {
                set_vreg(cpu, rd, r, q);
            }
        }
        // Long: [SU]MULL, [SU]MLAL, [SU]MLSL, SQDMULL, SQDMLAL, SQDMLSL.
        (0b1010, _) | (0b0010, _) | (0b0110, _) | (0b1011, false) | (0b0011, false) | (0b0111, false) => {
            let doubling = opcode & 1 == 1;
            if scalar && !doubling {
                return None;
            }
            let wide = esize * 2;
            let src = if q && !scalar { n >> 64 } else { n };
            let lanes = if scalar { 1 } else { (64 / esize) as usize };
            let we = widen(e, esize, u);
            let r = build(wide, lanes, |i| {
                let x = widen(get(src, esize, i), esize, u);
                let acc = widen(get(d, wide, i), wide, u);
                if doubling {
                    let (p, s1) = saturate(2 * x * we, wide, false);
                    qc |= s1;
                    let p = sext(p, wide) as i128;
                    let (v, s2) = match opcode {
                        0b1011 => (p as u64 & mask64(wide), false),
                        0b0011 => saturate(acc + p, wide, false),
                        _ => saturate(acc - p, wide, false),
                    };
                    qc |= s2;
                    v
                } else {
                    let v = match opcode {
                        0b1010 => x * we,
                        0b0010 => acc + x * we,
                        _ => acc - x * we,
                    };
                    v as u64
                }
            });
            if scalar {
                set_scalar(cpu, rd, r as u64, wide);
            } else {
                set_vreg(cpu, rd, r, true);
            }
        }
        _ => return None,
    }
    if qc {
        cpu.fpsr |= fpsr::QC;
    }
    Some(())
}
