//! AdvSIMD element movement: copy (DUP, INS, UMOV, SMOV), scalar copy (DUP
//! element), permute (UZP, TRN, ZIP), extract (EXT) and table lookup (TBL, TBX).

use super::super::cpu::CpuState;
use super::lanes::{bit, bits, build, datasize, get, reg, sext, set, set_scalar, set_vreg, vreg};

/// Element size and index from imm5: the lowest set bit gives the size.
fn element_of(imm5: u32) -> Option<(u32, usize)> {
    let low = imm5.trailing_zeros();
    if low > 3 {
        return None;
    }
    Some((8 << low, (imm5 >> (low + 1)) as usize))
}

/// AdvSIMD copy (vector forms).
pub fn copy(cpu: &mut CpuState, word: u32) -> Option<()> {
    let q = bit(word, 30);
    let op = bit(word, 29);
    let imm4 = bits(word, 14, 11);
    let (rn, rd) = (reg(word, 5), reg(word, 0));
    let (esize, index) = element_of(bits(word, 20, 16))?;
    let lanes = (datasize(q) / esize) as usize;
    if op {
        // INS (element): imm4 holds the source index, in units of esize.
        if !q {
            return None;
        }
        let src = get(vreg(cpu, rn), esize, (imm4 >> (esize.trailing_zeros() - 3)) as usize);
        let r = set(vreg(cpu, rd), esize, index, src);
        set_vreg(cpu, rd, r, true);
        return Some(());
    }
    match imm4 {
        0b0000 => {
            if esize == 64 && !q {
                return None;
            }
            let e = get(vreg(cpu, rn), esize, index);
            set_vreg(cpu, rd, build(esize, lanes, |_| e), q);
        }
        0b0001 => {
            if esize == 64 && !q {
                return None;
            }
            let e = cpu.xzr(rn);
            set_vreg(cpu, rd, build(esize, lanes, |_| e), q);
        }
        0b0011 if q => {
            let r = set(vreg(cpu, rd), esize, index, cpu.xzr(rn));
            set_vreg(cpu, rd, r, true);
        }
        0b0101 => {
            // SMOV: to W (Q = 0) for 8/16-bit, to X (Q = 1) for 8/16/32-bit.
            if esize == 64 || (esize == 32 && !q) {
                return None;
            }
            let v = sext(get(vreg(cpu, rn), esize, index), esize) as u64;
            cpu.set_xzr(rd, if q { v } else { v as u32 as u64 });
        }
        0b0111 => {
            // UMOV: to W for 8/16/32-bit (Q = 0), to X for 64-bit (Q = 1).
            if (esize == 64) != q {
                return None;
            }
            let v = get(vreg(cpu, rn), esize, index);
            cpu.set_xzr(rd, v);
        }
        _ => return None,
    }
    Some(())
}

/// AdvSIMD scalar copy: DUP (element) to a scalar, e.g. `mov b0, v1.b[3]`.
pub fn scalar_copy(cpu: &mut CpuState, word: u32) -> Option<()> {
    if bit(word, 29) || bits(word, 14, 11) != 0 {
        return None;
    }
    let (esize, index) = element_of(bits(word, 20, 16))?;
    let e = get(vreg(cpu, reg(word, 5)), esize, index);
    set_scalar(cpu, reg(word, 0), e, esize);
    Some(())
}

/// UZP1/2, TRN1/2, ZIP1/2.
pub fn permute(cpu: &mut CpuState, word: u32) -> Option<()> {
    let q = bit(word, 30);
    let size = bits(word, 23, 22);
    let esize = 8 << size;
    if size == 3 && !q {
        return None;
    }
    let opcode = bits(word, 14, 12);
    let (n, m) = (vreg(cpu, reg(word, 5)), vreg(cpu, reg(word, 16)));
    let lanes = (datasize(q) / esize) as usize;
    let half = lanes / 2;
    // Second-half variants start at offset 1 (TRN, UZP) or at the upper half (ZIP).
    let part = (opcode >> 2) as usize;
    // Lane j of the Rn:Rm concatenation (Rn first).
    let cat = |j: usize| if j < lanes { get(n, esize, j) } else { get(m, esize, j - lanes) };
    let r = match opcode & 3 {
        1 => build(esize, lanes, |i| cat(2 * i + part)),
        2 => build(esize, lanes, |i| {
            let base = (i & !1) + part;
            if i & 1 == 0 {
                get(n, esize, base)
            } else {
                get(m, esize, base)
            }
        }),
        3 => build(esize, lanes, |i| {
            let j = part * half + i / 2;
            if i & 1 == 0 {
                get(n, esize, j)
            } else {
                get(m, esize, j)
            }
        }),
        _ => return None,
    };
    set_vreg(cpu, reg(word, 0), r, q);
    Some(())
}

/// EXT: bytes imm4.. of the Rm:Rn concatenation (Rn least significant).
pub fn extract(cpu: &mut CpuState, word: u32) -> Option<()> {
    let q = bit(word, 30);
    let pos = bits(word, 14, 11) as usize;
    if bits(word, 23, 22) != 0 || (!q && pos >= 8) {
        return None;
    }
    let (n, m) = (vreg(cpu, reg(word, 5)), vreg(cpu, reg(word, 16)));
    let bytes = if q { 16 } else { 8 };
    let cat = |j: usize| if j < bytes { get(n, 8, j) } else { get(m, 8, j - bytes) };
    let r = build(8, bytes, |i| cat(i + pos));
    set_vreg(cpu, reg(word, 0), r, q);
    Some(())
}

/// TBL/TBX with 1-4 consecutive table registers (wrapping at V31).
pub fn table_lookup(cpu: &mut CpuState, word: u32) -> Option<()> {
    if bits(word, 23, 22) != 0 {
        return None;
    }
    let q = bit(word, 30);
    let regs = bits(word, 14, 13) as usize + 1;
    let is_tbx = bit(word, 12);
    let (rn, rm, rd) = (reg(word, 5), reg(word, 16), reg(word, 0));
    let table: Vec<u128> = (0..regs).map(|i| vreg(cpu, (rn + i as u8) % 32)).collect();
    let (idx, old) = (vreg(cpu, rm), vreg(cpu, rd));
    let bytes = if q { 16 } else { 8 };
    let r = build(8, bytes, |i| {
        let j = get(idx, 8, i) as usize;
        if j < 16 * regs {
            get(table[j / 16], 8, j % 16)
        } else if is_tbx {
            get(old, 8, i)
        } else {
            0
        }
    });
    set_vreg(cpu, rd, r, q);
    Some(())
}
