//! Semantics of the flag-manipulation instructions (FEAT_FlagM: CFINV, RMIF,
//! SETF8, SETF16; FEAT_FlagM2: AXFLAG, XAFLAG) and of the common short
//! sequence compression instructions (FEAT_CSSC: ABS, CNT, CTZ, SMAX, SMIN,
//! UMAX, UMIN). Every tier runs these through `interp::exec`; CTZ and ABS
//! also have IR lowerings built from other operations.

use super::cpu::CpuState;
use super::decode::{FlagOp, MinMax};

const N: u64 = 1 << 31;
const Z: u64 = 1 << 30;
const C: u64 = 1 << 29;
const V: u64 = 1 << 28;

/// Executes a flag-manipulation instruction.
pub fn flags(cpu: &mut CpuState, op: FlagOp) {
    let old = cpu.nzcv();
    let (z, c, v) = (old & Z != 0, old & C != 0, old & V != 0);
    let bit = |b: bool, flag: u64| if b { flag } else { 0 };
    let new = match op {
        FlagOp::Cfinv => old ^ C,
        // AXFLAG turns FCMP's flags (unordered: C=1 V=1) into the
        // alternative format (unordered: Z=1 C=0, N and V clear); XAFLAG
        // turns them back.
        FlagOp::Xaflag => bit(!c && !z, N) | bit(z && c, Z) | bit(c || z, C) | bit(!c && z, V),
        FlagOp::Axflag => bit(z || v, Z) | bit(c && !v, C),
        FlagOp::Rmif { rn, lsb, mask } => {
            let rotated = cpu.xzr(rn).rotate_right(lsb as u32);
            let select = (mask as u64) << 28;
            (old & !select) | ((rotated << 28) & select)
        }
        FlagOp::Setf { rn, sixteen } => {
            let msb = if sixteen { 15 } else { 7 };
            let x = cpu.xzr(rn);
            let top = (x >> msb) & 1 != 0;
            let above = (x >> (msb + 1)) & 1 != 0;
            let low_zero = x & ((1u64 << (msb + 1)) - 1) == 0;
            (old & C) | bit(top, N) | bit(low_zero, Z) | bit(top != above, V)
        }
    };
    cpu.set_nzcv(new);
}

/// ABS: the absolute value in 32 or 64 bits (the most negative value stays).
pub fn abs(sf: bool, x: u64) -> u64 {
    if sf {
        (x as i64).wrapping_abs() as u64
    } else {
        (x as i32).wrapping_abs() as u32 as u64
    }
}

/// CNT: the number of set bits in 32 or 64 bits.
pub fn cnt(sf: bool, x: u64) -> u64 {
    if sf {
        x.count_ones() as u64
    } else {
        (x as u32).count_ones() as u64
    }
}

/// CTZ: trailing zero bits in 32 or 64 bits (the width for zero).
pub fn ctz(sf: bool, x: u64) -> u64 {
    if sf {
        x.trailing_zeros() as u64
    } else {
        (x as u32).trailing_zeros() as u64
    }
}

/// SMAX/UMAX/SMIN/UMIN of `a` and `b` in 32 or 64 bits.
pub fn min_max(sf: bool, op: MinMax, a: u64, b: u64) -> u64 {
    let (sa, sb, ua, ub) = if sf {
        (a as i64, b as i64, a, b)
    } else {
        (a as i32 as i64, b as i32 as i64, a as u32 as u64, b as u32 as u64)
    };
    let r = match op {
        MinMax::Smax => sa.max(sb) as u64,
        MinMax::Smin => sa.min(sb) as u64,
        MinMax::Umax => ua.max(ub),
        MinMax::Umin => ua.min(ub),
    };
    if sf {
        r
    } else {
        r as u32 as u64
    }
}

#[cfg(test)]
mod tests;
