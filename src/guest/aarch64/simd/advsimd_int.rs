//! AdvSIMD integer "three same" and "two-register miscellaneous" classes, in
//! vector and scalar forms (the scalar forms have bit 28 set and use one lane).

use super::super::cpu::CpuState;
use super::fp_format::fpsr;
use super::int_elem::{count_leading_sign, count_leading_zeros, doubling_mul_high, saturate, shift_by_register, widen};
use super::lanes::{bit, bits, build, datasize, get, mask64, reg, set_scalar, set_vreg, vreg};

/// Fields shared by the register-form AdvSIMD classes.
#[derive(Clone, Copy)]
pub struct Fields {
    pub q: bool,
    pub u: bool,
    pub size: u32,
    pub rm: u8,
    pub rn: u8,
    pub rd: u8,
}

impl Fields {
    pub fn of(word: u32) -> Fields {
        Fields {
            q: bit(word, 30),
            u: bit(word, 29),
            size: bits(word, 23, 22),
            rm: reg(word, 16),
            rn: reg(word, 5),
            rd: reg(word, 0),
        }
    }

    pub fn esize(&self) -> u32 {
        8 << self.size
    }

    /// Lanes of `esize` in the vector (Q selects 64 or 128 bits).
    pub fn lanes(&self) -> usize {
        self.lanes_of(self.esize())
    }

    /// Lanes of `esize` bits in the vector.
    pub fn lanes_of(&self, esize: u32) -> usize {
        (datasize(self.q) / esize) as usize
    }
}

/// Writes `value` as the result of a scalar (one `esize` lane) or vector op.
fn write(cpu: &mut CpuState, f: &Fields, scalar: bool, value: u128) {
    if scalar {
        set_scalar(cpu, f.rd, value as u64, f.esize());
    } else {
        set_vreg(cpu, f.rd, value, f.q);
    }
}

/// One lane of a three-same integer operation. `d` is the old destination
/// lane for the accumulating forms. Returns the lane and whether it saturated.
fn three_same_lane(opcode: u32, u: bool, esize: u32, a: u64, b: u64, d: u64) -> (u64, bool) {
    let m = mask64(esize);
    let (wa, wb) = (widen(a, esize, u), widen(b, esize, u));
    let plain = |v: i128| (v as u64 & m, false);
    match opcode {
        0b00000 => plain((wa + wb) >> 1),
        0b00001 => saturate(wa + wb, esize, u),
        0b00010 => plain((wa + wb + 1) >> 1),
        0b00100 => plain((wa - wb) >> 1),
        0b00101 => saturate(wa - wb, esize, u),
        0b00110 => plain(if wa > wb { -1 } else { 0 }),
        0b00111 => plain(if wa >= wb { -1 } else { 0 }),
        0b01000 => shift_by_register(a, b, esize, u, false, false),
        0b01001 => shift_by_register(a, b, esize, u, false, true),
        0b01010 => shift_by_register(a, b, esize, u, true, false),
        0b01011 => shift_by_register(a, b, esize, u, true, true),
        0b01100 => plain(wa.max(wb)),
        0b01101 => plain(wa.min(wb)),
        0b01110 => plain((wa - wb).abs()),
        0b01111 => plain((d as i128) + (wa - wb).abs()),
        0b10000 => plain(if u { wa - wb } else { wa + wb }),
        0b10001 => {
            let holds = if u { a & m == b & m } else { a & b & m != 0 };
            plain(if holds { -1 } else { 0 })
        }
        0b10010 => plain(if u { d as i128 - wa * wb } else { d as i128 + wa * wb }),
        0b10011 if !u => plain(wa * wb),
        0b10011 => (polynomial_mul(a, b, esize) & m, false),
        0b10110 => doubling_mul_high(a, b, esize, u),
        _ => (0, false),
    }
}

/// Carry-less product of two `esize`-bit values, `2 * esize` bits wide.
pub fn polynomial_mul(a: u64, b: u64, esize: u32) -> u64 {
    let mut out = 0u64;
    for i in 0..esize {
        if (b >> i) & 1 != 0 {
            out ^= (a & mask64(esize)) << i;
        }
    }
    out
}

/// Whether a three-same integer opcode exists for this size / U / form.
fn three_same_allowed(opcode: u32, u: bool, size: u32, q: bool, scalar: bool) -> bool {
    if scalar {
        return match opcode {
            0b00001 | 0b00101 | 0b01001 | 0b01011 => true,
            0b00110 | 0b00111 | 0b01000 | 0b01010 | 0b10000 | 0b10001 => size == 3,
            0b10110 => size == 1 || size == 2,
            _ => false,
        };
    }
    if size == 3 && !q {
        return false;
    }
    match opcode {
        0b00000 | 0b00010 | 0b00100 | 0b01100..=0b01111 | 0b10010 | 0b10100 | 0b10101 => size != 3,
        0b10011 => if u { size == 0 } else { size != 3 },
        0b10110 => size == 1 || size == 2,
        0b10111 => !u,
        _ => true,
    }
}

/// AdvSIMD (scalar) three same, integer opcodes (15:11 below 11000).
pub fn three_same(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    let f = Fields::of(word);
    let opcode = bits(word, 15, 11);
    if opcode == 0b00011 {
        return if scalar { None } else { logical(cpu, &f) };
    }
    if !three_same_allowed(opcode, f.u, f.size, f.q, scalar) {
        return None;
    }
    let esize = f.esize();
    let (a, b, d) = (vreg(cpu, f.rn), vreg(cpu, f.rm), vreg(cpu, f.rd));
    let lanes = if scalar { 1 } else { f.lanes() };
    let mut saturated = false;
    let result = match opcode {
        0b10100 | 0b10101 | 0b10111 => {
            // Pairwise: lanes of Rn then Rm, adjacent pairs combined.
            let half = lanes / 2;
            build(esize, lanes, |i| {
                let (src, j) = if i < half { (a, 2 * i) } else { (b, 2 * (i - half)) };
                let (x, y) = (widen(get(src, esize, j), esize, f.u), widen(get(src, esize, j + 1), esize, f.u));
                let r = match opcode {
                    0b10100 => x.max(y),
                    0b10101 => x.min(y),
                    _ => x + y,
                };
                r as u64
            })
        }
        _ => build(esize, lanes, |i| {
            let (r, sat) = three_same_lane(opcode, f.u, esize, get(a, esize, i), get(b, esize, i), get(d, esize, i));
            saturated |= sat;
            r
        }),
    };
    if saturated {
        cpu.fpsr |= fpsr::QC;
    }
    write(cpu, &f, scalar, result);
    Some(())
}

/// AND, BIC, ORR, ORN, EOR, BSL, BIT, BIF on whole registers.
fn logical(cpu: &mut CpuState, f: &Fields) -> Option<()> {
    let (n, m, d) = (vreg(cpu, f.rn), vreg(cpu, f.rm), vreg(cpu, f.rd));
    let r = match (f.u, f.size) {
        (false, 0) => n & m,
        (false, 1) => n & !m,
        (false, 2) => n | m,
        (false, 3) => n | !m,
        (true, 0) => n ^ m,
        (true, 1) => (n & d) | (m & !d),
        (true, 2) => (d & !m) | (n & m),
        _ => (d & m) | (n & !m),
    };
    set_vreg(cpu, f.rd, r, f.q);
    Some(())
}

/// AdvSIMD (scalar) two-register miscellaneous, integer opcodes.
pub fn two_reg_misc(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    let f = Fields::of(word);
    let opcode = bits(word, 16, 12);
    if matches!(opcode, 0b10010 | 0b10100) {
        return narrow(cpu, word, scalar);
    }
    let (u, size) = (f.u, f.size);
    let esize = f.esize();
    if !scalar && size == 3 && !f.q {
        return None;
    }
    let n = vreg(cpu, f.rn);
    let d = vreg(cpu, f.rd);
    let lanes = if scalar { 1 } else { f.lanes() };
    let mask = |holds: bool| if holds { u64::MAX } else { 0 };
    // Each lane yields its bits and whether it saturated.
    let lane_op: &dyn Fn(u64, u64) -> (u64, bool) = match (opcode, u) {
        (0b00011, _) => &|x, acc| {
            // SUQADD (signed accumulator) / USQADD (unsigned accumulator).
            saturate(widen(x, esize, !u) + widen(acc, esize, u), esize, u)
        },
        (0b00111, _) => &|x, _| {
            let v = widen(x, esize, false);
            saturate(if u { -v } else { v.abs() }, esize, false)
        },
        (0b01000..=0b01011, _) if scalar && size != 3 => return None,
        (0b01000, _) => &|x, _| (mask(if u { sx(x, esize) >= 0 } else { sx(x, esize) > 0 }), false),
        (0b01001, _) => &|x, _| (mask(if u { sx(x, esize) <= 0 } else { sx(x, esize) == 0 }), false),
        (0b01010, false) => &|x, _| (mask(sx(x, esize) < 0), false),
        (0b01011, _) => &|x, _| {
            let v = sx(x, esize);
            ((if u { v.wrapping_neg() } else { v.wrapping_abs() }) as u64, false)
        },
        _ if scalar => return None,
        (0b00100, _) if size != 3 => {
            if u {
                &|x, _| (count_leading_zeros(x, esize), false)
            } else {
                &|x, _| (count_leading_sign(x, esize), false)
            }
        }
        (0b00101, false) if size == 0 => &|x, _| (x.count_ones() as u64, false),
        (0b00101, true) if size == 0 => &|x, _| (!x, false),
        (0b00101, true) if size == 1 => {
            // RBIT works on bytes; the size field is not an element size here.
            let r = build(8, lanes * 2, |i| (get(n, 8, i) as u8).reverse_bits() as u64);
            set_vreg(cpu, f.rd, r, f.q);
            return Some(());
        }
        (0b00000, _) | (0b00001, false) => return reverse(cpu, &f, opcode),
        (0b00010, _) | (0b00110, _) if size != 3 => return pairwise_long(cpu, &f, opcode == 0b00110),
        (0b10011, true) if size != 3 => return shift_left_long(cpu, &f),
        _ => return None,
    };
    let mut saturated = false;
    let result = build(esize, lanes, |i| {
        let (v, s) = lane_op(get(n, esize, i), get(d, esize, i));
        saturated |= s;
        v
    });
    if saturated {
        cpu.fpsr |= fpsr::QC;
    }
    write(cpu, &f, scalar, result);
    Some(())
}

/// REV64 / REV32 / REV16: reverses the elements within each container.
/// Swapping neighbouring groups of `esize`, then `2 * esize`, ... bits up
/// to the container size reverses the elements of every container at once
/// (byte-swapping loops, as in SHA-256's message loads, are hot).
fn reverse(cpu: &mut CpuState, f: &Fields, opcode: u32) -> Option<()> {
    let container = 64 >> (2 * opcode + f.u as u32);
    let esize = f.esize();
    if esize >= container {
        return None;
    }
    let mut r = vreg(cpu, f.rn);
    let mut s = esize;
    while s < container {
        let low = swap_mask(s);
        r = ((r >> s) & low) | ((r & low) << s);
        s *= 2;
    }
    set_vreg(cpu, f.rd, r, f.q);
    Some(())
}

/// The low `s` bits of every `2 * s`-bit group (`s` is 8, 16 or 32).
fn swap_mask(s: u32) -> u128 {
    match s {
        8 => 0x00ff_00ff_00ff_00ff_00ff_00ff_00ff_00ff,
        16 => 0x0000_ffff_0000_ffff_0000_ffff_0000_ffff,
        _ => 0x0000_0000_ffff_ffff_0000_0000_ffff_ffff,
    }
}

/// [SU]ADDLP and, accumulating, [SU]ADALP.
fn pairwise_long(cpu: &mut CpuState, f: &Fields, accumulate: bool) -> Option<()> {
    let esize = f.esize();
    let (n, d) = (vreg(cpu, f.rn), vreg(cpu, f.rd));
    let r = build(esize * 2, f.lanes() / 2, |i| {
        let s = widen(get(n, esize, 2 * i), esize, f.u) + widen(get(n, esize, 2 * i + 1), esize, f.u);
        let base = if accumulate { get(d, esize * 2, i) as i128 } else { 0 };
        (s + base) as u64
    });
    set_vreg(cpu, f.rd, r, f.q);
    Some(())
}

/// SHLL/SHLL2: widens the lower (upper) half and shifts by the element size.
fn shift_left_long(cpu: &mut CpuState, f: &Fields) -> Option<()> {
    let esize = f.esize();
    let n = vreg(cpu, f.rn);
    let half = if f.q { n >> 64 } else { n as u64 as u128 };
    let r = build(esize * 2, (64 / esize) as usize, |i| get(half, esize, i) << esize);
    set_vreg(cpu, f.rd, r, true);
    Some(())
}

fn sx(x: u64, esize: u32) -> i64 {
    super::lanes::sext(x, esize)
}

/// XTN, SQXTN, UQXTN, SQXTUN (and the "2" forms writing the upper half).
fn narrow(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    let f = Fields::of(word);
    let opcode = bits(word, 16, 12);
    if f.size == 3 {
        return None;
    }
    let esize = f.esize(); // destination element size
    let wide = esize * 2;
    let n = vreg(cpu, f.rn);
    // (source signed?, destination unsigned?, saturating?)
    let (src_unsigned, dst_unsigned, saturating) = match (opcode, f.u) {
        (0b10010, false) => (false, false, false),
        (0b10010, true) => (false, true, true),
        (0b10100, false) => (false, false, true),
        _ => (true, true, true),
    };
    if scalar && !saturating {
        return None;
    }
    let lanes = if scalar { 1 } else { (64 / esize) as usize };
    let mut saturated = false;
    let narrowed = build(esize, lanes, |i| {
        let x = widen(get(n, wide, i), wide, src_unsigned);
        if saturating {
            let (v, s) = saturate(x, esize, dst_unsigned);
            saturated |= s;
            v
        } else {
            x as u64
        }
    }) as u64;
    if saturated {
        cpu.fpsr |= fpsr::QC;
    }
    if scalar {
        set_scalar(cpu, f.rd, narrowed, esize);
    } else if f.q {
        let low = vreg(cpu, f.rd) as u64 as u128;
        set_vreg(cpu, f.rd, low | ((narrowed as u128) << 64), true);
    } else {
        set_vreg(cpu, f.rd, narrowed as u128, false);
    }
    Some(())
}
