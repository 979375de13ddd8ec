//! Reductions: AdvSIMD across-lanes (ADDV, [SU]ADDLV, [SU]MAXV/MINV, FMAXV...)
//! and scalar pairwise (ADDP, FADDP, FMAXP...) instructions, the FP ones
//! also in half precision.

use super::super::cpu::CpuState;
use super::advsimd_int::Fields;
use super::fp_arith;
use super::fp_format::{Fmt, FpCtx};
use super::int_elem::widen;
use super::lanes::{bit, bits, get, set_scalar, vreg};

/// The FP reductions, all binary operators on one format.
#[derive(Clone, Copy)]
enum FpReduce {
    Add,
    Max,
    Min,
    MaxNum,
    MinNum,
}

fn fp_apply(ctx: &mut FpCtx, fmt: Fmt, op: FpReduce, a: u64, b: u64) -> u64 {
    match op {
        FpReduce::Add => fp_arith::add(ctx, fmt, a, b),
        FpReduce::Max => fp_arith::max_min(ctx, fmt, a, b, true),
        FpReduce::Min => fp_arith::max_min(ctx, fmt, a, b, false),
        FpReduce::MaxNum => fp_arith::max_min_num(ctx, fmt, a, b, true),
        FpReduce::MinNum => fp_arith::max_min_num(ctx, fmt, a, b, false),
    }
}

/// Arm's Reduce(): the two halves are reduced separately and then combined,
/// which fixes the order in which NaNs and exceptions are seen.
fn fp_tree(ctx: &mut FpCtx, fmt: Fmt, op: FpReduce, lanes: &[u64]) -> u64 {
    if lanes.len() == 1 {
        return lanes[0];
    }
    let (lo, hi) = lanes.split_at(lanes.len() / 2);
    let l = fp_tree(ctx, fmt, op, lo);
    let h = fp_tree(ctx, fmt, op, hi);
    fp_apply(ctx, fmt, op, l, h)
}

/// The FP reduction for an (across-lanes or pairwise) opcode and the a bit.
fn fp_op(opcode: u32, a: bool) -> Option<FpReduce> {
    Some(match (opcode, a) {
        (0b01100, false) => FpReduce::MaxNum,
        (0b01100, true) => FpReduce::MinNum,
        (0b01101, false) => FpReduce::Add,
        (0b01111, false) => FpReduce::Max,
        (0b01111, true) => FpReduce::Min,
        _ => return None,
    })
}

fn fp_reduce(cpu: &mut CpuState, rd: u8, fmt: Fmt, op: FpReduce, lanes: &[u64]) {
    let mut ctx = FpCtx::new(cpu.fpcr);
    let r = fp_tree(&mut ctx, fmt, op, lanes);
    cpu.fpsr |= ctx.flags;
    set_scalar(cpu, rd, r, fmt.width());
}

/// AdvSIMD across lanes.
pub fn across_lanes(cpu: &mut CpuState, word: u32) -> Option<()> {
    let f = Fields::of(word);
    let opcode = bits(word, 16, 12);
    let n = vreg(cpu, f.rn);
    if matches!(opcode, 0b01100 | 0b01111) {
        // U = 1: single precision (4S only); U = 0: half precision (4H, 8H).
        let op = fp_op(opcode, bit(word, 23))?;
        if bit(word, 22) || (f.u && !f.q) {
            return None;
        }
        let fmt = if f.u { Fmt::S } else { Fmt::H };
        let lanes: Vec<u64> = (0..f.lanes_of(fmt.width())).map(|i| get(n, fmt.width(), i)).collect();
        fp_reduce(cpu, f.rd, fmt, op, &lanes);
        return Some(());
    }
    let esize = f.esize();
    if f.size == 3 || (f.size == 2 && !f.q) {
        return None;
    }
    let lanes = f.lanes();
    let vals = (0..lanes).map(|i| widen(get(n, esize, i), esize, f.u));
    let (r, width) = match (opcode, f.u) {
        (0b00011, _) => (vals.sum::<i128>(), esize * 2),
        (0b01010, _) => (vals.max()?, esize),
        (0b11010, _) => (vals.min()?, esize),
        (0b11011, false) => (vals.sum::<i128>(), esize),
        _ => return None,
    };
    set_scalar(cpu, f.rd, r as u64, width);
    Some(())
}

/// AdvSIMD scalar pairwise: the two lanes of a 2-lane vector combined.
pub fn scalar_pairwise(cpu: &mut CpuState, word: u32) -> Option<()> {
    let f = Fields::of(word);
    let opcode = bits(word, 16, 12);
    let n = vreg(cpu, f.rn);
    if !f.u && opcode == 0b11011 {
        if f.size != 3 {
            return None;
        }
        set_scalar(cpu, f.rd, get(n, 64, 0).wrapping_add(get(n, 64, 1)), 64);
        return Some(());
    }
    let op = fp_op(opcode, bit(word, 23))?;
    // U = 0 selects half precision (sz must be 0), U = 1 single or double.
    let fmt = match (f.u, bit(word, 22)) {
        (false, false) => Fmt::H,
        (false, true) => return None,
        (true, false) => Fmt::S,
        (true, true) => Fmt::D,
    };
    let w = fmt.width();
    fp_reduce(cpu, f.rd, fmt, op, &[get(n, w, 0), get(n, w, 1)]);
    Some(())
}
