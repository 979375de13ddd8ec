//! AdvSIMD load/store structures: LD1-LD4/ST1-ST4 (multiple structures,
//! interleaved), LD1-LD4/ST1-ST4 (single structure, one lane), LD1R-LD4R
//! (load and replicate), each with optional post-index writeback.

use super::super::cpu::CpuState;
use super::lanes::{bit, bits, build, get, mask64, reg, set};
use crate::mem;

/// Reads `ebytes` (1, 2, 4 or 8) bytes of guest memory, zero-extended.
fn load(addr: u64, ebytes: u64) -> u64 {
    // SAFETY: guest addresses map one-to-one onto host memory; an unmapped
    // address faults the host thread and the front end turns that into a
    // guest signal. No reference to the memory outlives the read.
    unsafe {
        match ebytes {
            1 => mem::read::<u8>(addr) as u64,
            2 => mem::read::<u16>(addr) as u64,
            4 => mem::read::<u32>(addr) as u64,
            _ => mem::read::<u64>(addr),
        }
    }
}

/// Writes the low `ebytes` bytes of `value` to guest memory.
fn store(addr: u64, ebytes: u64, value: u64) {
    // SAFETY: as for `load`; writes go through the identity mapping and a
    // fault on a read-only or unmapped page is delivered to the guest.
    unsafe {
        match ebytes {
            1 => mem::write::<u8>(addr, value as u8),
            2 => mem::write::<u16>(addr, value as u16),
            4 => mem::write::<u32>(addr, value as u32),
            _ => mem::write::<u64>(addr, value),
        }
    }
}

/// Base register update for the post-indexed forms: Rm, or the transfer
/// size when Rm is 31.
fn writeback(cpu: &mut CpuState, word: u32, base: u64, transfer: u64) {
    if !bit(word, 23) {
        return;
    }
    let rm = reg(word, 16);
    let offset = if rm == 31 { transfer } else { cpu.xzr(rm) };
    cpu.set_xsp(reg(word, 5), base.wrapping_add(offset));
}

/// Entry for the structure load/store encodings (bits 29:25 = 00110).
pub fn exec(cpu: &mut CpuState, word: u32) -> Option<()> {
    if bit(word, 24) {
        single(cpu, word)
    } else {
        multiple(cpu, word)
    }
}

fn multiple(cpu: &mut CpuState, word: u32) -> Option<()> {
    // The no-offset form has Rm = 0; both forms need bit 21 clear.
    if bit(word, 21) || (!bit(word, 23) && bits(word, 20, 16) != 0) {
        return None;
    }
    let q = bit(word, 30);
    let is_load = bit(word, 22);
    let size = bits(word, 11, 10);
    let (rpt, selem) = match bits(word, 15, 12) {
        0b0000 => (1, 4),
        0b0010 => (4, 1),
        0b0100 => (1, 3),
        0b0110 => (3, 1),
        0b0111 => (1, 1),
        0b1000 => (1, 2),
        0b1010 => (2, 1),
        _ => return None,
    };
    if size == 3 && !q && selem != 1 {
        return None;
    }
    let esize = 8 << size;
    let ebytes = (esize / 8) as u64;
    let elements = if q { 128 / esize } else { 64 / esize } as usize;
    let rt = reg(word, 0);
    let base = cpu.xsp(reg(word, 5));
    let nregs = rpt * selem;
    let mut vals = [0u128; 4];
    let mut addr = base;
    for r in 0..rpt {
        for e in 0..elements {
            for s in 0..selem {
                let slot = r + s;
                let tt = ((rt as usize + slot) % 32) as u8;
                if is_load {
                    vals[slot] = set(vals[slot], esize, e, load(addr, ebytes));
                } else {
                    store(addr, ebytes, get(cpu.v[tt as usize], esize, e));
                }
                addr = addr.wrapping_add(ebytes);
            }
        }
    }
    if is_load {
        for (slot, v) in vals.iter().enumerate().take(nregs) {
            let tt = (rt as usize + slot) % 32;
            cpu.v[tt] = if q { *v } else { *v as u64 as u128 };
        }
    }
    writeback(cpu, word, base, addr.wrapping_sub(base));
    Some(())
}

fn single(cpu: &mut CpuState, word: u32) -> Option<()> {
    if !bit(word, 23) && bits(word, 20, 16) != 0 {
        return None;
    }
    let q = bit(word, 30);
    let is_load = bit(word, 22);
    let opcode = bits(word, 15, 13);
    let s_bit = bit(word, 12) as usize;
    let size = bits(word, 11, 10) as usize;
    let selem = (((opcode & 1) << 1) | bit(word, 21) as u32) as usize + 1;
    let qi = q as usize;
    // (element size log2 in bytes, lane index); None lane for replicate.
    let (scale, index) = match opcode >> 1 {
        3 => {
            if !is_load || s_bit == 1 {
                return None;
            }
            (size, None)
        }
        0 => (0, Some((qi << 3) | (s_bit << 2) | size)),
        1 => {
            if size & 1 == 1 {
                return None;
            }
            (1, Some((qi << 2) | (s_bit << 1) | (size >> 1)))
        }
        _ => match size {
            0 => (2, Some((qi << 1) | s_bit)),
            1 if s_bit == 0 => (3, Some(qi)),
            _ => return None,
        },
    };
    let esize = 8u32 << scale;
    let ebytes = 1u64 << scale;
    let rt = reg(word, 0) as usize;
    let base = cpu.xsp(reg(word, 5));
    let mut loaded = [0u64; 4];
    for (s, slot) in loaded.iter_mut().enumerate().take(selem) {
        let addr = base.wrapping_add(s as u64 * ebytes);
        let tt = (rt + s) % 32;
        match index {
            Some(i) if !is_load => store(addr, ebytes, get(cpu.v[tt], esize, i)),
            _ => *slot = load(addr, ebytes),
        }
    }
    if is_load {
        for (s, &value) in loaded.iter().enumerate().take(selem) {
            let tt = (rt + s) % 32;
            cpu.v[tt] = match index {
                Some(i) => set(cpu.v[tt], esize, i, value),
                None => {
                    let lanes = if q { 128 / esize } else { 64 / esize } as usize;
                    build(esize, lanes, |_| value & mask64(esize))
                }
            };
        }
    }
    writeback(cpu, word, base, selem as u64 * ebytes);
    Some(())
}
