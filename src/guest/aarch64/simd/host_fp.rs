//! Arithmetic on the host SSE unit under the guest's rounding mode and
//! flush-to-zero setting, with the host exception flags translated into FPSR
//! bits.
//!
//! MXCSR is switched around each operation and restored afterwards. The
//! compiler does not know that SSE arithmetic depends on MXCSR, so operands
//! and results are passed through [`Fence::fence`] (an opaque side-effecting
//! asm statement): the operation then cannot move before the switch or after
//! the read-back, because it depends on fenced inputs and feeds a fenced output.

use super::fp_format::{fpsr, Fmt, FpCtx, Rounding};
use std::arch::asm;

/// MXCSR exception flag bits (IE DE ZE OE UE PE).
const MXCSR_FLAGS: u32 = 0x3f;
/// All exceptions masked.
const MXCSR_MASKS: u32 = 0x1f80;
/// Flush-to-zero for results.
const MXCSR_FTZ: u32 = 1 << 15;
const MXCSR_RC_SHIFT: u32 = 13;
const MXCSR_UE: u32 = 1 << 4;

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

/// Loads an MXCSR for `ctx`/`fmt` with the flags cleared; returns the old value.
#[inline(always)]
fn enter(ctx: &FpCtx, fmt: Fmt) -> u32 {
    let rc = match ctx.rounding() {
        Rounding::NegInf => 1,
        Rounding::PosInf => 2,
        Rounding::Zero => 3,
        _ => 0,
    };
    let mut mode = MXCSR_MASKS | (rc << MXCSR_RC_SHIFT);
    if ctx.flush(fmt) {
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
    if flags & 32 != 0 {
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

/// The host-computed binary operators.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

macro_rules! host_binary {
    ($t:ty, $op:expr, $a:expr, $b:expr) => {{
        let (a, b) = ($a.fence(), $b.fence());
        let r: $t = match $op {
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            BinOp::Div => a / b,
        };
        r.fence()
    }};
}

/// `a op b` for non-NaN single or double operands (already flushed).
pub fn binary(ctx: &mut FpCtx, fmt: Fmt, op: BinOp, a: u64, b: u64) -> u64 {
    let saved = enter(ctx, fmt);
    let r = match fmt {
        Fmt::D => host_binary!(f64, op, f64::from_bits(a), f64::from_bits(b)).to_bits(),
        _ => host_binary!(f32, op, f32::from_bits(a as u32), f32::from_bits(b as u32)).to_bits() as u64,
    };
    let flags = leave(saved);
    finish(ctx, fmt, flags, r)
}

/// Square root of a non-NaN single or double operand (already flushed).
pub fn sqrt(ctx: &mut FpCtx, fmt: Fmt, a: u64) -> u64 {
    let saved = enter(ctx, fmt);
    let r = match fmt {
        Fmt::D => f64::from_bits(a).fence().sqrt().fence().to_bits(),
        _ => f32::from_bits(a as u32).fence().sqrt().fence().to_bits() as u64,
    };
    let flags = leave(saved);
    finish(ctx, fmt, flags, r)
}

/// `addend + a * b` with a single rounding, for non-NaN operands.
pub fn fused(ctx: &mut FpCtx, fmt: Fmt, addend: u64, a: u64, b: u64) -> u64 {
    let saved = enter(ctx, fmt);
    let r = match fmt {
        Fmt::D => {
            let (c, x, y) = (f64::from_bits(addend).fence(), f64::from_bits(a).fence(), f64::from_bits(b).fence());
            x.mul_add(y, c).fence().to_bits()
        }
        _ => {
            let c = f32::from_bits(addend as u32).fence();
            let x = f32::from_bits(a as u32).fence();
            let y = f32::from_bits(b as u32).fence();
            x.mul_add(y, c).fence().to_bits() as u64
        }
    };
    let flags = leave(saved);
    finish(ctx, fmt, flags, r)
}
