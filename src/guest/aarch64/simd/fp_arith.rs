//! Arm floating-point operator semantics on bit patterns of a given format:
//! input flushing, NaN selection and the Arm-specific operators (FMAX/FMIN and
//! their NM forms, FMULX, comparisons). Rounded arithmetic goes to `host_fp`
//! (half precision on to `soft_fp`), so every format is handled here.

use super::fp_format::{fpsr, unpack_raw, Fmt, FpCtx, Value};
use super::host_fp::{self, BinOp};
use std::cmp::Ordering;

fn binary(ctx: &mut FpCtx, fmt: Fmt, op: BinOp, a: u64, b: u64) -> u64 {
    let a = ctx.flush_input(fmt, a);
    let b = ctx.flush_input(fmt, b);
    if let Some(nan) = ctx.process_nans(fmt, a, b) {
        return nan;
    }
    host_fp::binary(ctx, fmt, op, a, b)
}

pub fn add(ctx: &mut FpCtx, fmt: Fmt, a: u64, b: u64) -> u64 {
    binary(ctx, fmt, BinOp::Add, a, b)
}

pub fn sub(ctx: &mut FpCtx, fmt: Fmt, a: u64, b: u64) -> u64 {
    binary(ctx, fmt, BinOp::Sub, a, b)
}

pub fn mul(ctx: &mut FpCtx, fmt: Fmt, a: u64, b: u64) -> u64 {
    binary(ctx, fmt, BinOp::Mul, a, b)
}

pub fn div(ctx: &mut FpCtx, fmt: Fmt, a: u64, b: u64) -> u64 {
    binary(ctx, fmt, BinOp::Div, a, b)
}

/// |a - b| (FABD): the difference rounded once, then the sign cleared.
pub fn abd(ctx: &mut FpCtx, fmt: Fmt, a: u64, b: u64) -> u64 {
    fmt.abs(sub(ctx, fmt, a, b))
}

fn is_zero(fmt: Fmt, x: u64) -> bool {
    fmt.abs(x) == 0
}

fn is_inf(fmt: Fmt, x: u64) -> bool {
    fmt.abs(x) == fmt.exp_mask()
}

/// FMULX: as FMUL, except that infinity times zero is 2.0 with the XOR of
/// the signs instead of an invalid operation.
pub fn mulx(ctx: &mut FpCtx, fmt: Fmt, a: u64, b: u64) -> u64 {
    let fa = ctx.flush_input(fmt, a);
    let fb = ctx.flush_input(fmt, b);
    if let Some(nan) = ctx.process_nans(fmt, fa, fb) {
        return nan;
    }
    if (is_inf(fmt, fa) && is_zero(fmt, fb)) || (is_zero(fmt, fa) && is_inf(fmt, fb)) {
        let two = 1u64 << (fmt.width() - 2); // exponent field 100..0 is 2.0
        return two | ((fa ^ fb) & fmt.sign_bit());
    }
    host_fp::binary(ctx, fmt, BinOp::Mul, fa, fb)
}

pub fn sqrt(ctx: &mut FpCtx, fmt: Fmt, a: u64) -> u64 {
    let a = ctx.flush_input(fmt, a);
    if fmt.is_nan(a) {
        return ctx.process_nan(fmt, a);
    }
    host_fp::sqrt(ctx, fmt, a)
}

/// `addend + a * b` rounded once (FPMulAdd). NaN priority is addend, a, b;
/// a quiet NaN addend does not hide the invalid operation of inf * 0.
pub fn mul_add(ctx: &mut FpCtx, fmt: Fmt, addend: u64, a: u64, b: u64) -> u64 {
    let c = ctx.flush_input(fmt, addend);
    let a = ctx.flush_input(fmt, a);
    let b = ctx.flush_input(fmt, b);
    let invalid_product = (is_inf(fmt, a) && is_zero(fmt, b)) || (is_zero(fmt, a) && is_inf(fmt, b));
    if fmt.is_nan(c) && !fmt.is_snan(c) && invalid_product && !fmt.is_nan(a) && !fmt.is_nan(b) {
        ctx.raise(fpsr::IOC);
        return fmt.default_nan();
    }
    if let Some(nan) = ctx.process_nan_list(fmt, &[c, a, b]) {
        return nan;
    }
    host_fp::fused(ctx, fmt, c, a, b)
}

/// Exact value of a non-NaN operand as an f64 (all formats here fit).
fn to_f64(fmt: Fmt, x: u64) -> f64 {
    match fmt {
        Fmt::D => f64::from_bits(x),
        Fmt::S => f32::from_bits(x as u32) as f64,
        Fmt::H => {
            let (neg, v) = unpack_raw(fmt, x);
            let mag = match v {
                Value::Zero => 0.0,
                Value::Inf => f64::INFINITY,
                Value::Finite { mant, exp } => mant as f64 * 2f64.powi(exp),
                Value::NaN => f64::NAN,
            };
            if neg {
                -mag
            } else {
                mag
            }
        }
    }
}

/// Orders two flushed operands; `None` when either is a NaN. Raises IOC for
/// signalling NaNs, or for any NaN when `signalling` (FCMPE, FCMGT, ...).
pub fn compare(ctx: &mut FpCtx, fmt: Fmt, a: u64, b: u64, signalling: bool) -> Option<Ordering> {
    let a = ctx.flush_input(fmt, a);
    let b = ctx.flush_input(fmt, b);
    if fmt.is_nan(a) || fmt.is_nan(b) {
        if signalling || fmt.is_snan(a) || fmt.is_snan(b) {
            ctx.raise(fpsr::IOC);
        }
        return None;
    }
    to_f64(fmt, a).partial_cmp(&to_f64(fmt, b))
}

/// NZCV (bits 31..28) for FCMP/FCMPE.
pub fn compare_flags(order: Option<Ordering>) -> u64 {
    match order {
        None => 0x3 << 28,
        Some(Ordering::Equal) => 0x6 << 28,
        Some(Ordering::Less) => 0x8 << 28,
        Some(Ordering::Greater) => 0x2 << 28,
    }
}

/// FMAX (`want_max`) or FMIN: NaNs propagate; +0 is above -0.
pub fn max_min(ctx: &mut FpCtx, fmt: Fmt, a: u64, b: u64, want_max: bool) -> u64 {
    let a = ctx.flush_input(fmt, a);
    let b = ctx.flush_input(fmt, b);
    if let Some(nan) = ctx.process_nans(fmt, a, b) {
        return nan;
    }
    if is_zero(fmt, a) && is_zero(fmt, b) {
        let neg = if want_max {
            fmt.is_negative(a) && fmt.is_negative(b)
        } else {
            fmt.is_negative(a) || fmt.is_negative(b)
        };
        return fmt.zero(neg);
    }
    let a_greater = to_f64(fmt, a) > to_f64(fmt, b);
    if a_greater == want_max {
        a
    } else {
        b
    }
}

/// FMAXNM/FMINNM: a single quiet NaN operand loses to a number.
pub fn max_min_num(ctx: &mut FpCtx, fmt: Fmt, a: u64, b: u64, want_max: bool) -> u64 {
    let a = ctx.flush_input(fmt, a);
    let b = ctx.flush_input(fmt, b);
    let quiet = |x: u64| fmt.is_nan(x) && !fmt.is_snan(x);
    // The NaN is replaced by the infinity that can never win.
    let loser = fmt.infinity(want_max);
    let (a, b) = match (quiet(a), quiet(b)) {
        (true, false) if !fmt.is_nan(b) => (loser, b),
        (false, true) if !fmt.is_nan(a) => (a, loser),
        _ => (a, b),
    };
    max_min(ctx, fmt, a, b, want_max)
}

/// The comparison family of AdvSIMD FP compares.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CmpOp {
    Eq,
    Ge,
    Gt,
    Le,
    Lt,
}

/// An FCMxx/FACxx lane result: all ones when the relation holds.
pub fn compare_mask(ctx: &mut FpCtx, fmt: Fmt, op: CmpOp, a: u64, b: u64, absolute: bool) -> u64 {
    let (a, b) = if absolute { (fmt.abs(a), fmt.abs(b)) } else { (a, b) };
    let signalling = op != CmpOp::Eq;
    let holds = match compare(ctx, fmt, a, b, signalling) {
        None => false,
        Some(o) => match op {
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ge => o != Ordering::Less,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Lt => o == Ordering::Less,
        },
    };
    if holds {
        u64::MAX >> (64 - fmt.width())
    } else {
        0
    }
}
