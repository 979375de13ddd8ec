//! AdvSIMD (scalar) shift by immediate: shifts with accumulate, insert,
//! rounding and saturation, narrowing and widening shifts, and the
//! fixed-point conversions that share the encoding.

use super::super::cpu::CpuState;
use super::advsimd_fp::with_ctx;
use super::fp_convert;
use super::fp_format::{fpsr, Fmt, Rounding};
use super::int_elem::{saturate, widen};
use super::lanes::{bit, bits, build, datasize, get, mask64, reg, set_scalar, set_vreg, vreg};

/// Decoded operands of the class.
struct Shift {
    q: bool,
    u: bool,
    scalar: bool,
    /// Element size named by immh (the narrow size for narrowing forms).
    esize: u32,
    /// immh:immb.
    immhb: u32,
    rn: u8,
    rd: u8,
}

impl Shift {
    fn right(&self) -> u32 {
        2 * self.esize - self.immhb
    }

    fn left(&self) -> u32 {
        self.immhb - self.esize
    }

    fn lanes(&self, esize: u32) -> usize {
        if self.scalar {
            1
        } else {
            (datasize(self.q) / esize) as usize
        }
    }

    fn write(&self, cpu: &mut CpuState, value: u128, esize: u32) {
        if self.scalar {
            set_scalar(cpu, self.rd, value as u64, esize);
        } else {
            set_vreg(cpu, self.rd, value, self.q);
        }
    }
}

pub fn shift_immediate(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    let immh = bits(word, 22, 19);
    if immh == 0 {
        return None;
    }
    let esize = 8 << (31 - immh.leading_zeros());
    let s = Shift {
        q: bit(word, 30),
        u: bit(word, 29),
        scalar,
        esize,
        immhb: bits(word, 22, 16),
        rn: reg(word, 5),
        rd: reg(word, 0),
    };
    let opcode = bits(word, 15, 11);
    match opcode {
        0b10000..=0b10011 => return narrowing(cpu, &s, opcode),
        0b10100 => return if scalar { None } else { widening(cpu, &s) },
        0b11100 | 0b11111 => return fixed_point(cpu, &s, opcode == 0b11100),
        _ => {}
    }
    // Same-width forms: 64-bit elements need a 128-bit vector; the
    // non-saturating scalar forms exist only for 64-bit elements.
    let saturating = matches!(opcode, 0b01100 | 0b01110);
    if (!scalar && esize == 64 && !s.q) || (scalar && !saturating && esize != 64) {
        return None;
    }
    let (n, d) = (vreg(cpu, s.rn), vreg(cpu, s.rd));
    let u = s.u;
    let mut qc = false;
    let lane = |x: u64, old: u64, qc: &mut bool| -> Option<u64> {
        let wide = widen(x, esize, u);
        let right = s.right();
        // Right shifts by esize are allowed; i128 keeps them exact.
        let shifted = |round: bool| {
            let r = if round { 1i128 << (right - 1) } else { 0 };
            (wide + r) >> right
        };
        Some(match (opcode, u) {
            (0b00000, _) => shifted(false) as u64,
            (0b00010, _) => (old as i128 + shifted(false)) as u64,
            (0b00100, _) => shifted(true) as u64,
            (0b00110, _) => (old as i128 + shifted(true)) as u64,
            (0b01000, true) => {
                let keep = if right >= esize { mask64(esize) } else { !(mask64(esize) >> right) };
                let ins = if right >= esize { 0 } else { (x & mask64(esize)) >> right };
                (old & keep) | ins
            }
            (0b01010, false) => x << s.left(),
            (0b01010, true) => {
                let ins = (x << s.left()) & mask64(esize);
                (old & !(mask64(esize) << s.left())) | ins
            }
            (0b01100, true) | (0b01110, _) => {
                // SQSHLU reads signed and saturates unsigned.
                let src_unsigned = opcode == 0b01110 && u;
                let (v, sat) = saturate(widen(x, esize, src_unsigned) << s.left(), esize, u);
                *qc |= sat;
                v
            }
            _ => return None,
        })
    };
    let lanes = s.lanes(esize);
    let mut ok = true;
    let result = build(esize, lanes, |i| {
        lane(get(n, esize, i), get(d, esize, i), &mut qc).unwrap_or_else(|| {
            ok = false;
            0
        })
    });
    if !ok {
        return None;
    }
    if qc {
        cpu.fpsr |= fpsr::QC;
    }
    s.write(cpu, result, esize);
    Some(())
}

/// SHRN, RSHRN, SQSHRUN, SQRSHRUN, [SU]QSHRN, [SU]QRSHRN (and "2" forms).
fn narrowing(cpu: &mut CpuState, s: &Shift, opcode: u32) -> Option<()> {
    let esize = s.esize;
    if esize == 64 {
        return None;
    }
    let wide = esize * 2;
    let round = opcode & 1 == 1;
    // (source unsigned, destination unsigned, saturating)
    let (src_u, dst_u, sat) = match (opcode >> 1 & 1, s.u) {
        (0, false) => (false, false, false),
        (0, true) => (false, true, true),
        (_, u) => (u, u, true),
    };
    if s.scalar && !sat {
        return None;
    }
    let n = vreg(cpu, s.rn);
    let shift = s.right();
    let lanes = if s.scalar { 1 } else { (64 / esize) as usize };
    let mut qc = false;
    let narrowed = build(esize, lanes, |i| {
        let x = widen(get(n, wide, i), wide, src_u);
        let r = if round { 1i128 << (shift - 1) } else { 0 };
        let v = (x + r) >> shift;
        if sat {
            let (out, q) = saturate(v, esize, dst_u);
            qc |= q;
            out
        } else {
            v as u64
        }
    }) as u64;
    if qc {
        cpu.fpsr |= fpsr::QC;
    }
    if s.scalar {
        set_scalar(cpu, s.rd, narrowed, esize);
    } else if s.q {
        let low = vreg(cpu, s.rd) as u64 as u128;
        set_vreg(cpu, s.rd, low | ((narrowed as u128) << 64), true);
    } else {
        set_vreg(cpu, s.rd, narrowed as u128, false);
    }
    Some(())
}

/// SSHLL/USHLL (SXTL/UXTL) and the "2" forms reading the upper half.
fn widening(cpu: &mut CpuState, s: &Shift) -> Option<()> {
    let esize = s.esize;
    if esize == 64 {
        return None;
    }
    let n = vreg(cpu, s.rn);
    let src = if s.q { n >> 64 } else { n };
    let shift = s.left();
    let r = build(esize * 2, (64 / esize) as usize, |i| (widen(get(src, esize, i), esize, s.u) << shift) as u64);
    set_vreg(cpu, s.rd, r, true);
    Some(())
}

/// SCVTF/UCVTF and FCVTZS/FCVTZU with a fraction-bit count.
fn fixed_point(cpu: &mut CpuState, s: &Shift, to_float: bool) -> Option<()> {
    let fmt = match s.esize {
        16 => Fmt::H,
        32 => Fmt::S,
        64 => Fmt::D,
        _ => return None,
    };
    if !s.scalar && fmt == Fmt::D && !s.q {
        return None;
    }
    let esize = s.esize;
    let fbits = s.right();
    let n = vreg(cpu, s.rn);
    let lanes = s.lanes(esize);
    let u = s.u;
    let r = with_ctx(cpu, |ctx| {
        build(esize, lanes, |i| {
            let x = get(n, esize, i);
            if to_float {
                let mode = ctx.rounding();
                fp_convert::from_int(ctx, fmt, x, fbits, mode, u, esize)
            } else {
                fp_convert::to_int(ctx, fmt, x, fbits, Rounding::Zero, u, esize)
            }
        })
    });
    s.write(cpu, r, esize);
    Some(())
}
