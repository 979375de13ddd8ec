//! Constraints of the load/store classes.
//!
//! The generator knows every base register's value (X28 is fixed, SP is
//! tracked through writebacks, X27 is the only index), so each constraint
//! function decodes the addressing form of the random word and picks an
//! offset that keeps the whole access inside the memory block. Forms with
//! writeback use SP as the base, so X28 never changes. Exclusives and atomics
//! get naturally aligned addresses; a store-exclusive usually targets the
//! address of the preceding load-exclusive so that both outcomes occur.

use super::{field, set, Ctx};
use crate::protocol::MEM_SIZE;

const BASE: u32 = 28;
const INDEX: u32 = 27;
const SP: u32 = 31;
const BLOCK: i64 = MEM_SIZE as i64;

fn floor_div(a: i64, b: i64) -> i64 {
    a.div_euclid(b)
}

fn ceil_div(a: i64, b: i64) -> i64 {
    -(-a).div_euclid(b)
}

fn inside(addr: i64, span: i64) -> bool {
    addr >= 0 && addr + span <= BLOCK
}

impl Ctx<'_> {
    fn base_value(&self, reg: u32) -> i64 {
        if reg == SP {
            self.sp as i64
        } else {
            self.regs.x[BASE as usize] as i64
        }
    }

    /// The base registers to try, in random order; only SP for writeback.
    fn bases(&mut self, writeback: bool) -> Vec<u32> {
        if writeback {
            vec![SP]
        } else if self.rng.chance(1, 2) {
            vec![BASE, SP]
        } else {
            vec![SP, BASE]
        }
    }

    /// A random `k` in `lo..=hi` with `[base + k*scale, + span)` inside the
    /// block.
    fn pick_offset(&mut self, base: i64, lo: i64, hi: i64, scale: i64, span: i64) -> Option<i64> {
        if self.faults > 0 && self.rng.chance(1, 3) {
            // Entirely inside the inaccessible page after the block, so that
            // no part of the access can complete.
            let kmin = lo.max(ceil_div(BLOCK - base, scale));
            let kmax = hi.min(floor_div(2 * BLOCK - span - base, scale));
            if kmin <= kmax {
                self.faults -= 1;
                return Some(self.rng.range(kmin, kmax));
            }
        }
        let kmin = lo.max(ceil_div(-base, scale));
        let kmax = hi.min(floor_div(BLOCK - span - base, scale));
        (kmin <= kmax).then(|| self.rng.range(kmin, kmax))
    }

    /// A writeback amount `k` in `lo..=hi` that leaves SP inside the block.
    fn pick_writeback(&mut self, lo: i64, hi: i64, scale: i64) -> Option<i64> {
        let sp = self.sp as i64;
        let kmin = lo.max(ceil_div(-sp, scale));
        let kmax = hi.min(floor_div(BLOCK - sp, scale));
        (kmin <= kmax).then(|| self.rng.range(kmin, kmax))
    }

    /// A base register whose value is a multiple of `align` with room for
    /// `span` bytes.
    fn aligned_base(&mut self, align: i64, span: i64) -> Option<u32> {
        self.bases(false).into_iter().find(|&r| {
            let a = self.base_value(r);
            a % align == 0 && inside(a, span)
        })
    }
}

/// Access size of a single-register load/store and whether it writes a
/// general register; `None` for unallocated combinations. Prefetches
/// report 8 bytes (they access nothing, the offset is just kept similar).
fn single_kind(size: u32, v: u32, opc: u32) -> Option<(i64, bool)> {
    let bytes = 1i64 << size;
    match (v, opc) {
        (0, 0) => Some((bytes, false)),
        (0, 1) => Some((bytes, true)),
        (0, 2) if size == 3 => Some((8, false)), // PRFM
        (0, 2) => Some((bytes, true)),
        (0, 3) if size >= 2 => None,
        (0, 3) => Some((bytes, true)),
        (1, 0) | (1, 1) => Some((bytes, false)),
        (1, _) if size == 0 => Some((16, false)),
        _ => None,
    }
}

fn is_prefetch(size: u32, v: u32, opc: u32) -> bool {
    size == 3 && v == 0 && opc == 2
}

/// LDR/STR (unsigned scaled 12-bit offset), including SIMD&FP registers and
/// PRFM.
pub fn single_uimm(c: &mut Ctx, mut w: u32) -> Option<u32> {
    let (size, v, opc) = (field(w, 30, 2), field(w, 26, 1), field(w, 22, 2));
    let (bytes, writes_gpr) = single_kind(size, v, opc)?;
    for base in c.bases(false) {
        let b = c.base_value(base);
        if let Some(k) = c.pick_offset(b, 0, 4095, bytes, bytes) {
            w = set(set(w, 5, 5, base), 10, 12, k as u32);
            return Some(if writes_gpr { c.protect(w, 0, true) } else { w });
        }
    }
    None
}

/// LDUR/STUR, pre- and post-indexed forms and LDTR/STTR (9-bit signed
/// offset).
pub fn single_imm9(c: &mut Ctx, mut w: u32) -> Option<u32> {
    let (size, v, opc, kind) = (field(w, 30, 2), field(w, 26, 1), field(w, 22, 2), field(w, 10, 2));
    let (bytes, writes_gpr) = single_kind(size, v, opc)?;
    let prefetch = is_prefetch(size, v, opc);
    if (kind == 2 && (v == 1 || prefetch)) || (kind & 1 == 1 && prefetch) {
        return None;
    }
    let k = match kind {
        1 => {
            // Post-index: access at SP, then SP += k.
            if !inside(c.sp as i64, bytes) {
                return None;
            }
            let k = c.pick_writeback(-256, 255, 1)?;
            w = set(w, 5, 5, SP);
            c.sp = (c.sp as i64 + k) as u64;
            k
        }
        3 => {
            let k = c.pick_offset(c.sp as i64, -256, 255, 1, bytes)?;
            w = set(w, 5, 5, SP);
            c.sp = (c.sp as i64 + k) as u64;
            k
        }
        _ => {
            let mut found = None;
            for base in c.bases(false) {
                let b = c.base_value(base);
                if let Some(k) = c.pick_offset(b, -256, 255, 1, bytes) {
                    found = Some((base, k));
                    break;
                }
            }
            let (base, k) = found?;
            w = set(w, 5, 5, base);
            k
        }
    };
    w = set(w, 12, 9, k as u32);
    Some(if writes_gpr { c.protect(w, 0, true) } else { w })
}

/// LDR/STR (register offset): the index is X27 (or XZR), extended by UXTW,
/// LSL, SXTW or SXTX and optionally scaled.
pub fn single_regoff(c: &mut Ctx, mut w: u32) -> Option<u32> {
    let (size, v, opc) = (field(w, 30, 2), field(w, 26, 1), field(w, 22, 2));
    let (bytes, writes_gpr) = single_kind(size, v, opc)?;
    let index = c.regs.x[INDEX as usize];
    for _ in 0..16 {
        let rm = if c.rng.chance(7, 8) { INDEX } else { 31 };
        let option = c.rng.pick(&[2u32, 3, 6, 7]);
        let scaled = c.rng.below(2) as u32;
        let base = c.bases(false)[0];
        let ext = match (rm, option) {
            (31, _) => 0,
            (_, 2) => index as u32 as u64,
            (_, 6) => index as u32 as i32 as i64 as u64,
            _ => index,
        };
        let shift = if scaled == 1 { bytes.trailing_zeros() } else { 0 };
        let addr = (c.base_value(base) as u64).wrapping_add(ext.wrapping_shl(shift)) as i64;
        if inside(addr, bytes) {
            w = set(w, 16, 5, rm);
            w = set(w, 13, 3, option);
            w = set(w, 12, 1, scaled);
            w = set(w, 5, 5, base);
            return Some(if writes_gpr { c.protect(w, 0, true) } else { w });
        }
    }
    None
}

/// LDP/STP/LDNP/STNP/LDPSW with offset, pre- and post-index, including
/// SIMD&FP registers.
pub fn pair(c: &mut Ctx, mut w: u32) -> Option<u32> {
    let (opc, v, kind, load) = (field(w, 30, 2), field(w, 26, 1), field(w, 23, 2), field(w, 22, 1) == 1);
    let bytes: i64 = match (v, opc) {
        (0, 0) | (1, 0) => 4,
        (0, 1) if load && kind != 0 => 4, // LDPSW
        (0, 2) | (1, 1) => 8,
        (1, 2) => 16,
        _ => return None,
    };
    let span = 2 * bytes;
    let k = match kind {
        1 => {
            if !inside(c.sp as i64, span) {
                return None;
            }
            let k = c.pick_writeback(-64, 63, bytes)?;
            w = set(w, 5, 5, SP);
            c.sp = (c.sp as i64 + k * bytes) as u64;
            k
        }
        3 => {
            let k = c.pick_offset(c.sp as i64, -64, 63, bytes, span)?;
            w = set(w, 5, 5, SP);
            c.sp = (c.sp as i64 + k * bytes) as u64;
            k
        }
        _ => {
            let mut found = None;
            for base in c.bases(false) {
                let b = c.base_value(base);
                if let Some(k) = c.pick_offset(b, -64, 63, bytes, span) {
                    found = Some((base, k));
                    break;
                }
            }
            let (base, k) = found?;
            w = set(w, 5, 5, base);
            k
        }
    };
    w = set(w, 15, 7, k as u32);
    if load {
        if v == 0 {
            w = c.protect(w, 0, true);
            w = c.protect(w, 10, true);
        }
        // LDP to the same register twice is CONSTRAINED UNPREDICTABLE.
        while field(w, 0, 5) == field(w, 10, 5) {
            w = set(w, 10, 5, c.free_reg(true));
        }
    }
    Some(w)
}

/// LDXR/STXR/LDAXR/STLXR, the pair forms, LDAR/STLR.
///
/// Only sequences whose outcome the architecture defines: while a
/// load-exclusive is outstanding, a store-exclusive targets exactly its
/// address with the same size (and succeeds unless the value changed; an
/// LDXP of two words may be followed by an STXR of a doubleword), and
/// STLR stays clear of the marked bytes (whether a plain store clears the
/// monitor is IMPLEMENTATION DEFINED). Without an outstanding load-exclusive a
/// store-exclusive fails. Either way the monitor is then open again.
pub fn exclusive(c: &mut Ctx, mut w: u32) -> Option<u32> {
    let ordered = field(w, 23, 1) == 1;
    let load = field(w, 22, 1) == 1;
    let is_pair = field(w, 21, 1) == 1;
    if !ordered && !load {
        if let Some((addr, span)) = c.monitor {
            // Same address and size; a pair of words and a doubleword are
            // both 8-byte transactions.
            w = match (is_pair, span) {
                (true, 8 | 16) => set(w, 30, 1, (span == 16) as u32),
                (false, 1..=8) => set(w, 30, 2, span.trailing_zeros()),
                _ => return None,
            };
            let base = [BASE, SP].into_iter().find(|&r| c.base_value(r) == addr as i64)?;
            c.monitor = None;
            return exclusive_regs(c, set(w, 5, 5, base), is_pair, load, ordered);
        }
    }
    let span: i64 = if is_pair { 2 << (2 + field(w, 30, 1)) } else { 1 << field(w, 30, 2) };
    let base = c.aligned_base(span, span)?;
    let addr = c.base_value(base) as u64;
    if ordered && !load {
        if let Some((marked, size)) = c.monitor {
            if addr < marked + size as u64 && marked < addr + span as u64 {
                return None;
            }
        }
    }
    if load && !ordered {
        c.monitor = Some((addr, span as u32));
    }
    exclusive_regs(c, set(w, 5, 5, base), is_pair, load, ordered)
}

fn exclusive_regs(c: &mut Ctx, mut w: u32, is_pair: bool, load: bool, ordered: bool) -> Option<u32> {
    if load {
        w = c.protect(w, 0, true);
        if is_pair {
            w = c.protect(w, 10, true);
            while field(w, 0, 5) == field(w, 10, 5) {
                w = set(w, 10, 5, c.free_reg(true));
            }
        }
    } else if !ordered {
        // The status register must differ from the data registers.
        w = c.protect(w, 16, true);
        while field(w, 16, 5) == field(w, 0, 5) || (is_pair && field(w, 16, 5) == field(w, 10, 5)) {
            w = set(w, 16, 5, c.free_reg(true));
        }
    }
    Some(w)
}

/// LSE: LDADD/LDCLR/LDEOR/LDSET/LD{S,U}{MAX,MIN} and their ST aliases, SWP,
/// CAS, CASP; LDAPR (RCpc). Naturally aligned; compare values often equal to memory.
pub fn atomic(c: &mut Ctx, mut w: u32) -> Option<u32> {
    let lse_op = field(w, 24, 6) == 0x38;
    let cas = !lse_op && field(w, 23, 1) == 1;
    let casp = !lse_op && !cas;
    let bytes: i64 = if casp { 4 << field(w, 30, 1) } else { 1 << field(w, 30, 2) };
    let span = if casp { 2 * bytes } else { bytes };
    let base = c.aligned_base(span, span)?;
    w = set(w, 5, 5, base);
    let addr = c.base_value(base) as u64;
    let mask = if bytes == 8 { u64::MAX } else { (1u64 << (8 * bytes)) - 1 };
    if lse_op {
        // o3 = 1: SWP (opc 000) or LDAPR (opc 100, acquire only, Rs = 31).
        if field(w, 15, 1) == 1 {
            match field(w, 12, 3) {
                0 => {}
                4 => w = set(set(set(w, 23, 1, 1), 22, 1, 0), 16, 5, 31),
                _ => return None,
            }
        }
        return Some(c.protect(w, 0, true));
    }
    if cas {
        w = c.protect(w, 16, true);
        let rs = field(w, 16, 5) as usize;
        if rs != 31 && c.rng.chance(1, 2) {
            c.regs.x[rs] = (c.regs.x[rs] & !mask) | (c.mem_u64(addr) & mask);
        }
        return Some(w);
    }
    // CASP: even register pairs; Rs and Rs+1 receive the old value.
    let rs = c.rng.pick(&[0u32, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 30]);
    let rt = 2 * c.rng.below(16) as u32;
    w = set(set(w, 16, 5, rs), 0, 5, rt);
    if c.rng.chance(1, 2) {
        for i in 0..2 {
            let r = rs as usize + i;
            if r < 31 {
                let old = c.mem_u64(addr + i as u64 * bytes as u64);
                c.regs.x[r] = (c.regs.x[r] & !mask) | (old & mask);
            }
        }
    }
    Some(w)
}

/// Registers transferred by each LD1-4/ST1-4 (multiple structures) opcode.
fn multi_regs(opcode: u32) -> Option<(i64, i64)> {
    Some(match opcode {
        0 => (4, 1),
        2 => (1, 4),
        4 => (3, 1),
        6 => (1, 3),
        7 => (1, 1),
        8 => (2, 1),
        10 => (1, 2),
        _ => return None,
    })
}

/// Chooses the base (and for post-index the X27/immediate increment) of a
/// structure load/store of `span` bytes.
fn structure_base(c: &mut Ctx, mut w: u32, post: bool, span: i64) -> Option<u32> {
    if !post {
        let base = c.bases(false).into_iter().find(|&r| inside(c.base_value(r), span))?;
        return Some(set(w, 5, 5, base));
    }
    if !inside(c.sp as i64, span) {
        return None;
    }
    let index = c.regs.x[INDEX as usize] as i64;
    let by_index = c.rng.chance(1, 2) && (0..=BLOCK).contains(&(c.sp as i64 + index));
    let step = if by_index { index } else { span };
    if !(0..=BLOCK).contains(&(c.sp as i64 + step)) {
        return None;
    }
    w = set(w, 16, 5, if by_index { INDEX } else { 31 });
    c.sp = (c.sp as i64 + step) as u64;
    Some(set(w, 5, 5, SP))
}

/// LD1/LD2/LD3/LD4 and ST1-ST4 (multiple structures), with and without
/// post-index.
pub fn simd_multi(c: &mut Ctx, mut w: u32) -> Option<u32> {
    let opcode = c.rng.pick(&[0u32, 2, 4, 6, 7, 8, 10]);
    w = set(w, 12, 4, opcode);
    let (selem, rpt) = multi_regs(opcode)?;
    if selem > 1 && field(w, 10, 2) == 3 {
        w = set(w, 30, 1, 1); // .1D arrangement only exists for LD1/ST1
    }
    let span = selem * rpt * if field(w, 30, 1) == 1 { 16 } else { 8 };
    structure_base(c, w, field(w, 23, 1) == 1, span)
}

/// LD1-LD4/ST1-ST4 (single structure) and LD1R-LD4R, with and without
/// post-index.
pub fn simd_single(c: &mut Ctx, mut w: u32) -> Option<u32> {
    let opcode = field(w, 13, 3);
    let esize: i64 = match opcode >> 1 {
        0 => 1,
        1 => {
            w = set(w, 10, 1, 0);
            2
        }
        2 => {
            w = set(w, 11, 1, 0);
            if field(w, 10, 1) == 1 {
                w = set(w, 12, 1, 0);
                8
            } else {
                4
            }
        }
        _ => {
            w = set(set(w, 22, 1, 1), 12, 1, 0);
            1 << field(w, 10, 2)
        }
    };
    let selem = ((opcode & 1) << 1 | field(w, 21, 1)) as i64 + 1;
    structure_base(c, w, field(w, 23, 1) == 1, selem * esize)
}
