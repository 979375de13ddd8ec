//! The scalar floating-point data-processing classes (bits 30 = 0, 28:25 = 1111):
//! moves, arithmetic, fused multiply-add, compares, conditional compare and
//! select, immediates, and conversions to and from general registers, in
//! half, single and double precision; FRINT32/64 and FJCVTZS.

use super::super::cpu::CpuState;
use super::fp_arith::{self as arith, compare_flags};
use super::fp_bounded_int;
use super::fp_convert;
use super::fp_format::{expand_imm8, Fmt, FpCtx, Rounding};
use super::lanes::{bit, bits, reg, set_scalar};

/// Executes one scalar FP instruction; `None` for unallocated encodings.
pub fn exec(cpu: &mut CpuState, word: u32) -> Option<()> {
    if bit(word, 24) {
        return three_source(cpu, word);
    }
    if !bit(word, 21) {
        return fixed_point_convert(cpu, word);
    }
    let op = bits(word, 15, 10);
    if op == 0 {
        return int_convert(cpu, word);
    }
    // Everything else has M (bit 31) and S (bit 29) zero.
    if bit(word, 31) || bit(word, 29) {
        return None;
    }
    if op & 3 == 1 {
        cond_compare(cpu, word)
    } else if op & 3 == 2 {
        two_source(cpu, word)
    } else if op & 3 == 3 {
        cond_select(cpu, word)
    } else if op & 7 == 4 {
        immediate(cpu, word)
    } else if op & 15 == 8 {
        compare(cpu, word)
    } else if op & 31 == 16 {
        one_source(cpu, word)
    } else {
        None
    }
}

/// The operand format named by the ftype field.
fn format(word: u32) -> Option<Fmt> {
    Fmt::from_ftype(bits(word, 23, 22))
}

fn read(cpu: &CpuState, r: u8, fmt: Fmt) -> u64 {
    cpu.v[r as usize] as u64 & super::lanes::mask64(fmt.width())
}

/// Runs `f` with an FP context for the current FPCR and accumulates its flags.
fn with_ctx<T>(cpu: &mut CpuState, f: impl FnOnce(&mut FpCtx) -> T) -> T {
    let mut ctx = FpCtx::new(cpu.fpcr);
    let out = f(&mut ctx);
    cpu.fpsr |= ctx.flags;
    out
}

fn three_source(cpu: &mut CpuState, word: u32) -> Option<()> {
    if bit(word, 31) || bit(word, 29) {
        return None;
    }
    let fmt = format(word)?;
    let (rd, rn, ra, rm) = (reg(word, 0), reg(word, 5), reg(word, 10), reg(word, 16));
    let (a, n, m) = (read(cpu, ra, fmt), read(cpu, rn, fmt), read(cpu, rm, fmt));
    // o1 negates the addend, o1 != o0 negates the product (via operand n).
    let o1 = bit(word, 21);
    let o0 = bit(word, 15);
    let a = if o1 { fmt.neg(a) } else { a };
    let n = if o1 != o0 { fmt.neg(n) } else { n };
    let r = with_ctx(cpu, |ctx| arith::mul_add(ctx, fmt, a, n, m));
    set_scalar(cpu, rd, r, fmt.width());
    Some(())
}

fn two_source(cpu: &mut CpuState, word: u32) -> Option<()> {
    let fmt = format(word)?;
    let (rd, rn, rm) = (reg(word, 0), reg(word, 5), reg(word, 16));
    let (a, b) = (read(cpu, rn, fmt), read(cpu, rm, fmt));
    let opcode = bits(word, 15, 12);
    if opcode > 8 {
        return None;
    }
    let r = with_ctx(cpu, |ctx| match opcode {
        0 => arith::mul(ctx, fmt, a, b),
        1 => arith::div(ctx, fmt, a, b),
        2 => arith::add(ctx, fmt, a, b),
        3 => arith::sub(ctx, fmt, a, b),
        4 => arith::max_min(ctx, fmt, a, b, true),
        5 => arith::max_min(ctx, fmt, a, b, false),
        6 => arith::max_min_num(ctx, fmt, a, b, true),
        7 => arith::max_min_num(ctx, fmt, a, b, false),
        // FNMUL negates the rounded product, NaNs included.
        _ => fmt.neg(arith::mul(ctx, fmt, a, b)),
    });
    set_scalar(cpu, rd, r, fmt.width());
    Some(())
}

fn one_source(cpu: &mut CpuState, word: u32) -> Option<()> {
    let opcode = bits(word, 20, 15);
    let fmt = format(word)?;
    let (rd, rn) = (reg(word, 0), reg(word, 5));
    let x = read(cpu, rn, fmt);
    let (r, out_fmt) = match opcode {
        0 => (x, fmt),
        1 => (fmt.abs(x), fmt),
        2 => (fmt.neg(x), fmt),
        3 => (with_ctx(cpu, |ctx| arith::sqrt(ctx, fmt, x)), fmt),
        4 | 5 | 7 => {
            let to = Fmt::from_ftype(opcode & 3)?;
            if to == fmt {
                return None;
            }
            (with_ctx(cpu, |ctx| fp_convert::convert(ctx, fmt, to, x)), to)
        }
        8..=15 if opcode != 13 => {
            let r = with_ctx(cpu, |ctx| {
                let mode = match opcode {
                    8 => Rounding::TiesEven,
                    9 => Rounding::PosInf,
                    10 => Rounding::NegInf,
                    11 => Rounding::Zero,
                    12 => Rounding::TiesAway,
                    _ => ctx.rounding(),
                };
                fp_convert::round_to_integral(ctx, fmt, x, mode, opcode == 14)
            });
            (r, fmt)
        }
        // FRINT32Z, FRINT32X, FRINT64Z, FRINT64X: single and double only.
        16..=19 if fmt != Fmt::H => {
            let int_bits = if opcode < 18 { 32 } else { 64 };
            let r = with_ctx(cpu, |ctx| {
                let mode = if opcode & 1 == 1 { ctx.rounding() } else { Rounding::Zero };
                fp_bounded_int::round_to_int_n(ctx, fmt, x, mode, int_bits)
            });
            (r, fmt)
        }
        // BFCVT Hd, Sn (FEAT_BF16): ftype 01, opcode 000110.
        6 if fmt == Fmt::D => return super::advsimd_bf16::convert_scalar(cpu, word),
        _ => return None,
    };
    set_scalar(cpu, rd, r, out_fmt.width());
    Some(())
}

fn compare(cpu: &mut CpuState, word: u32) -> Option<()> {
    if bits(word, 15, 14) != 0 || bits(word, 2, 0) != 0 {
        return None;
    }
    let fmt = format(word)?;
    let a = read(cpu, reg(word, 5), fmt);
    let b = if bit(word, 3) { 0 } else { read(cpu, reg(word, 16), fmt) };
    let signalling = bit(word, 4);
    let order = with_ctx(cpu, |ctx| arith::compare(ctx, fmt, a, b, signalling));
    cpu.set_nzcv(compare_flags(order));
    Some(())
}

fn cond_compare(cpu: &mut CpuState, word: u32) -> Option<()> {
    let fmt = format(word)?;
    let cond = bits(word, 15, 12) as u8;
    let nzcv = if cpu.condition_holds(cond) {
        let a = read(cpu, reg(word, 5), fmt);
        let b = read(cpu, reg(word, 16), fmt);
        let signalling = bit(word, 4);
        compare_flags(with_ctx(cpu, |ctx| arith::compare(ctx, fmt, a, b, signalling)))
    } else {
        (bits(word, 3, 0) as u64) << 28
    };
    cpu.set_nzcv(nzcv);
    Some(())
}

fn cond_select(cpu: &mut CpuState, word: u32) -> Option<()> {
    let fmt = format(word)?;
    let cond = bits(word, 15, 12) as u8;
    let src = if cpu.condition_holds(cond) { reg(word, 5) } else { reg(word, 16) };
    let r = read(cpu, src, fmt);
    set_scalar(cpu, reg(word, 0), r, fmt.width());
    Some(())
}

fn immediate(cpu: &mut CpuState, word: u32) -> Option<()> {
    if bits(word, 9, 5) != 0 {
        return None;
    }
    let fmt = format(word)?;
    let r = expand_imm8(fmt, bits(word, 20, 13));
    set_scalar(cpu, reg(word, 0), r, fmt.width());
    Some(())
}

/// Integer width for the sf bit of conversions.
fn int_width(word: u32) -> u32 {
    if bit(word, 31) {
        64
    } else {
        32
    }
}

fn fixed_point_convert(cpu: &mut CpuState, word: u32) -> Option<()> {
    if bit(word, 29) {
        return None;
    }
    let fmt = format(word)?;
    let width = int_width(word);
    let scale = bits(word, 15, 10);
    if width == 32 && scale < 32 {
        return None;
    }
    let fbits = 64 - scale;
    let (rd, rn) = (reg(word, 0), reg(word, 5));
    match (bits(word, 20, 19), bits(word, 18, 16)) {
        (0, op @ (2 | 3)) => {
            let x = cpu.xzr(rn);
            let r = with_ctx(cpu, |ctx| {
                let mode = ctx.rounding();
                fp_convert::from_int(ctx, fmt, x, fbits, mode, op == 3, width)
            });
            set_scalar(cpu, rd, r, fmt.width());
        }
        (3, op @ (0 | 1)) => {
            let x = read(cpu, rn, fmt);
            let r = with_ctx(cpu, |ctx| fp_convert::to_int(ctx, fmt, x, fbits, Rounding::Zero, op == 1, width));
            cpu.set_xzr(rd, r);
        }
        _ => return None,
    }
    Some(())
}

fn int_convert(cpu: &mut CpuState, word: u32) -> Option<()> {
    if bit(word, 29) {
        return None;
    }
    let width = int_width(word);
    let (rd, rn) = (reg(word, 0), reg(word, 5));
    let rmode = bits(word, 20, 19);
    let opcode = bits(word, 18, 16);
    let ftype = bits(word, 23, 22);
    if (width, ftype, rmode, opcode) == (32, 1, 3, 6) {
        return js_convert(cpu, word);
    }
    if opcode >= 6 {
        return fmov_general(cpu, word, width, ftype, rmode);
    }
    let fmt = Fmt::from_ftype(ftype)?;
    let (mode, to_float) = match (opcode, rmode) {
        (0 | 1, r) => (Some(Rounding::from_rmode(r)), false),
        (4 | 5, 0) => (Some(Rounding::TiesAway), false),
        (2 | 3, 0) => (None, true),
        _ => return None,
    };
    let unsigned = opcode & 1 == 1;
    if to_float {
        let x = cpu.xzr(rn);
        let r = with_ctx(cpu, |ctx| {
            let mode = ctx.rounding();
            fp_convert::from_int(ctx, fmt, x, 0, mode, unsigned, width)
        });
        set_scalar(cpu, rd, r, fmt.width());
    } else {
        let x = read(cpu, rn, fmt);
        let mode = mode?;
        let r = with_ctx(cpu, |ctx| fp_convert::to_int(ctx, fmt, x, 0, mode, unsigned, width));
        cpu.set_xzr(rd, r);
    }
    Some(())
}

/// FJCVTZS Wd, Dn: NZCV becomes 0Z00, Z set when the conversion was exact.
fn js_convert(cpu: &mut CpuState, word: u32) -> Option<()> {
    let x = read(cpu, reg(word, 5), Fmt::D);
    let (r, exact) = with_ctx(cpu, |ctx| fp_bounded_int::js_convert(ctx, x));
    cpu.set_xzr(reg(word, 0), r as u64);
    cpu.set_nzcv(if exact { 0x4 << 28 } else { 0 });
    Some(())
}

/// FMOV between a general register and an FP register (or the top half of
/// a vector register). Bits are copied unchanged.
fn fmov_general(cpu: &mut CpuState, word: u32, width: u32, ftype: u32, rmode: u32) -> Option<()> {
    let (rd, rn) = (reg(word, 0), reg(word, 5));
    let to_fp = bit(word, 16);
    let size = match (width, ftype, rmode) {
        (32, 0, 0) => 32,
        (64, 1, 0) => 64,
        (_, 3, 0) => 16,
        (64, 2, 1) => {
            // Xd <-> Vn.D[1]
            if to_fp {
                let v = cpu.v[rd as usize];
                cpu.v[rd as usize] = (v as u64 as u128) | ((cpu.xzr(rn) as u128) << 64);
            } else {
                cpu.set_xzr(rd, (cpu.v[rn as usize] >> 64) as u64);
            }
            return Some(());
        }
        _ => return None,
    };
    if bits(word, 18, 17) != 3 {
        return None;
    }
    if to_fp {
        let x = cpu.xzr(rn);
        set_scalar(cpu, rd, x, size);
    } else {
        let v = read(cpu, rn, Fmt::from_esize(size)?);
        cpu.set_xzr(rd, v);
    }
    Some(())
}
