//! Arithmetic on the host SSE unit under the guest's rounding mode and
//! flush-to-zero setting, with the host exception flags translated into FPSR
//! bits. Half precision, which SSE lacks, goes to the exact software
//! arithmetic in `soft_fp` instead.
//!
//! MXCSR is switched around each operation and restored afterwards. The
//! compiler does not know that SSE arithmetic depends on MXCSR, so operands
//! and results are passed through [`Fence::fence`] (an opaque side-effecting
//! asm statement): the operation then cannot move before the switch or after
//! the read-back, because it depends on fenced inputs and feeds a fenced output.

use super::fp_format::{fpsr, Fmt, FpCtx, Rounding};
use super::soft_fp;
use std::arch::asm;

/// MXCSR exception flag bits (IE DE ZE OE UE PE).
const MXCSR_FLAGS: u32 = 0x3f;
/// All exceptions masked.
const MXCSR_MASKS: u32 = 0x1f80;
/// Flush-to-zero for results.
const MXCSR_FTZ: u32 = 1 << 15;
const MXCSR_RC_SHIFT: u32 = 13;
const MXCSR_UE: u32 = 1 << 4;
const MXCSR_PE: u32 = 1 << 5;

/// A value that can be made opaque to the optimiser in an XMM register.
trait Fence: Copy {
    fn fence(self) -> Self;
}

impl Fence for f32 {
    #[inline(always)]
    fn fence(mut self) -> f32 {
        // SAFETY: an empty asm statement; it only claims to modify the register.
        unsafe { asm!("/* {0} */", inout(xmm_reg) self, options(nomem, nostack, preserves_flags)) };
        self
    }
}

impl Fence for f64 {
    #[inline(always)]
    fn fence(mut self) -> f64 {
        // SAFETY: an empty asm statement; it only claims to modify the register.
        unsafe { asm!("/* {0} */", inout(xmm_reg) self, options(nomem, nostack, preserves_flags)) };
        self
    }
}

/// Loads an MXCSR with rounding control `rc` (x86 encoding) and optional
/// flush-to-zero, all exceptions masked and flags clear; returns the old value.
#[inline(always)]
fn enter(rc: u32, ftz: bool) -> u32 {
    let mut mode = MXCSR_MASKS | (rc << MXCSR_RC_SHIFT);
    if ftz {
        mode |= MXCSR_FTZ;
    }
    let mut saved: u32 = 0;
    // SAFETY: stmxcsr writes 4 bytes to a local; ldmxcsr reads a valid control
    // word with every exception masked, so no host trap can follow.
    unsafe {
        asm!("stmxcsr [{}]", in(reg) &mut saved, options(nostack, preserves_flags));
        asm!("ldmxcsr [{}]", in(reg) &mode, options(nostack, preserves_flags, readonly));
    }
    saved
}

/// Reads the flags raised since [`enter`] and restores `saved`.
#[inline(always)]
fn leave(saved: u32) -> u32 {
    let mut now: u32 = 0;
    // SAFETY: as in `enter`; `saved` is the control word that was in force.
    unsafe {
        asm!("stmxcsr [{}]", in(reg) &mut now, options(nostack, preserves_flags));
        asm!("ldmxcsr [{}]", in(reg) &saved, options(nostack, preserves_flags, readonly));
    }
    now & MXCSR_FLAGS
}

/// The host-computed binary operators.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// One host operation on single or double operands.
#[derive(Clone, Copy)]
enum HostOp {
    Binary(BinOp, u64, u64),
    Sqrt(u64),
    /// addend + a * b
    Fused(u64, u64, u64),
}

macro_rules! host_eval {
    ($t:ty, $from:expr, $op:expr) => {{
        let r: $t = match $op {
            HostOp::Binary(op, a, b) => {
                let (a, b) = ($from(a).fence(), $from(b).fence());
                match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                }
            }
            HostOp::Sqrt(a) => $from(a).fence().sqrt(),
            HostOp::Fused(c, a, b) => {
                let (c, a, b) = ($from(c).fence(), $from(a).fence(), $from(b).fence());
                a.mul_add(b, c)
            }
        };
        r.fence().to_bits() as u64
    }};
}

/// Runs `op` under rounding control `rc` and optional FTZ; result bits and
/// raw MXCSR flags.
fn compute(fmt: Fmt, op: HostOp, rc: u32, ftz: bool) -> (u64, u32) {
    let saved = enter(rc, ftz);
    let r = match fmt {
        Fmt::D => host_eval!(f64, f64::from_bits, op),
        _ => host_eval!(f32, |x: u64| f32::from_bits(x as u32), op),
    };
    (r, leave(saved))
}

/// x86 rounding control for the FPCR rounding mode.
fn rounding_control(ctx: &FpCtx) -> u32 {
    match ctx.rounding() {
        Rounding::NegInf => 1,
        Rounding::PosInf => 2,
        Rounding::Zero => 3,
        _ => 0,
    }
}

/// Runs `op` with Arm semantics for the result and flags. x86 detects
/// tininess after rounding and Arm before it; the two differ only when a
/// result rounds up to the smallest normal, which is rechecked here by
/// truncating instead.
fn run(ctx: &mut FpCtx, fmt: Fmt, op: HostOp) -> u64 {
    let flush = ctx.flush(fmt);
    let (mut r, mut flags) = compute(fmt, op, rounding_control(ctx), flush);
    let min_normal = 1u64 << fmt.fbits();
    if fmt.abs(r) == min_normal && flags & MXCSR_PE != 0 && flags & MXCSR_UE == 0 {
        let (truncated, _) = compute(fmt, op, 3, false);
        if fmt.abs(truncated) < min_normal {
            if flush {
                r &= fmt.sign_bit();
                flags = MXCSR_UE;
            } else {
                flags |= MXCSR_UE;
            }
        }
    }
    finish(ctx, fmt, flags, r)
}

/// Records host flags as FPSR bits and fixes up what differs from Arm:
/// generated NaNs become the Arm default NaN, and a flushed result reports
/// underflow only.
fn finish(ctx: &mut FpCtx, fmt: Fmt, flags: u32, result: u64) -> u64 {
    let mut bits = 0;
    if flags & 1 != 0 {
        bits |= fpsr::IOC;
    }
    if flags & 4 != 0 {
        bits |= fpsr::DZC;
    }
    if flags & 8 != 0 {
        bits |= fpsr::OFC;
    }
    if flags & MXCSR_UE != 0 {
        bits |= fpsr::UFC;
    }
    if flags & MXCSR_PE != 0 {
        bits |= fpsr::IXC;
    }
    if ctx.flush(fmt) && flags & MXCSR_UE != 0 && fmt.abs(result) == 0 {
        bits &= !fpsr::IXC;
    }
    ctx.raise(bits);
    if fmt.is_nan(result) {
        fmt.default_nan()
    } else {
        result
    }
}

/// `a op b` for non-NaN operands (already flushed).
pub fn binary(ctx: &mut FpCtx, fmt: Fmt, op: BinOp, a: u64, b: u64) -> u64 {
    if fmt == Fmt::H {
        return soft_fp::binary(ctx, fmt, op, a, b);
    }
    run(ctx, fmt, HostOp::Binary(op, a, b))
}

/// Square root of a non-NaN operand (already flushed).
pub fn sqrt(ctx: &mut FpCtx, fmt: Fmt, a: u64) -> u64 {
    if fmt == Fmt::H {
        return soft_fp::square_root(ctx, fmt, a);
    }
    run(ctx, fmt, HostOp::Sqrt(a))
}

/// `addend + a * b` with a single rounding, for non-NaN operands.
pub fn fused(ctx: &mut FpCtx, fmt: Fmt, addend: u64, a: u64, b: u64) -> u64 {
    if fmt == Fmt::H {
        return soft_fp::mul_add(ctx, fmt, addend, a, b);
    }
    run(ctx, fmt, HostOp::Fused(addend, a, b))
}
