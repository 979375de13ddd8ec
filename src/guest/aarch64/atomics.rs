//! Exclusives (LDXR/STXR and pairs) and LSE atomics, mapped onto host atomics.
//!
//! The exclusive monitor is emulated the usual way for a TSO host: LDXR records
//! the address and the value it read; STXR succeeds only if memory still holds
//! that value, checked and written in one host compare-and-swap. (An ABA change
//! between the two is not detected; no correct guest algorithm can tell.)

use super::cpu::CpuState;
use super::decode::AtomicOp;
use super::interp::Exception;
use crate::mem;
use std::sync::atomic::{AtomicI16, AtomicI32, AtomicI64, AtomicI8, AtomicU16, AtomicU32, AtomicU64, AtomicU8, Ordering};

fn check_aligned(addr: u64, bytes: u64) -> Result<(), Exception> {
    if addr & (bytes - 1) != 0 {
        Err(Exception::Alignment(addr))
    } else {
        Ok(())
    }
}

/// Compare-and-swap of `1 << size` bytes; returns the value found in memory.
///
/// # Safety
/// `addr` must be aligned to the size; it may be unmapped (the host faults).
unsafe fn host_cas(addr: u64, size: u8, expected: u64, new: u64) -> u64 {
    let p = mem::host_ptr_rmw(addr, 1 << size);
    // SAFETY: alignment was checked by the caller; atomics on guest memory are
    // how the guest's own atomics are defined to behave.
    unsafe {
        let o = Ordering::SeqCst;
        let found = |r: Result<u64, u64>| match r {
            Ok(v) | Err(v) => v,
        };
        match size {
            0 => found(AtomicU8::from_ptr(p).compare_exchange(expected as u8, new as u8, o, o).map(u64::from).map_err(u64::from)),
            1 => found(
                AtomicU16::from_ptr(p as *mut u16)
                    .compare_exchange(expected as u16, new as u16, o, o)
                    .map(u64::from)
                    .map_err(u64::from),
            ),
            2 => found(
                AtomicU32::from_ptr(p as *mut u32)
                    .compare_exchange(expected as u32, new as u32, o, o)
                    .map(u64::from)
                    .map_err(u64::from),
            ),
            _ => found(AtomicU64::from_ptr(p as *mut u64).compare_exchange(expected, new, o, o)),
        }
    }
}

/// 128-bit compare-and-swap; returns the value found in memory.
///
/// # Safety
/// `addr` must be 16-byte aligned.
unsafe fn host_cas128(addr: u64, expected: u128, new: u128) -> u128 {
    let p = mem::host_ptr_rmw(addr, 16) as *mut u128;
    let (mut lo, mut hi) = (expected as u64, (expected >> 64) as u64);
    // SAFETY: cmpxchg16b on a 16-byte aligned guest address. The instruction
    // takes the new low half in rbx, which Rust does not let asm name as an
    // operand, so it is swapped in and out; the address is pinned to rdi so it
    // cannot be the register that gets swapped.
    unsafe {
        std::arch::asm!(
            "xchg rbx, {new_lo}",
            "lock cmpxchg16b [rdi]",
            "xchg rbx, {new_lo}",
            in("rdi") p,
            new_lo = inout(reg) new as u64 => _,
            in("rcx") (new >> 64) as u64,
            inout("rax") lo,
            inout("rdx") hi,
        );
    }
    ((hi as u128) << 64) | lo as u128
}

/// LDXR/LDAXR/LDXP/LDAXP.
pub fn load_exclusive(cpu: &mut CpuState, size: u8, pair: bool, rt: u8, rt2: u8, rn: u8) -> Result<(), Exception> {
    let addr = cpu.xsp(rn);
    let total = if pair { 2u64 << size } else { 1u64 << size };
    check_aligned(addr, total)?;
    // SAFETY: guest memory access; faults become guest signals.
    unsafe {
        if pair {
            let (lo, hi) = if size == 3 {
                // Read both halves in one atomic access so a concurrent STXP is
                // never seen half-done.
                let v = host_cas128(addr, 0, 0);
                (v as u64, (v >> 64) as u64)
            } else {
                let v = mem::read::<u64>(addr);
                (v & 0xffff_ffff, v >> 32)
            };
            cpu.set_xzr(rt, lo);
            cpu.set_xzr(rt2, hi);
            // The monitor remembers the bytes as memory holds them, so a
            // later store of either form (pair or single) of the same size
            // compares the same bytes.
            if size == 3 {
                cpu.excl_value = lo;
                cpu.excl_value_hi = hi;
            } else {
                cpu.excl_value = lo | (hi << 32);
                cpu.excl_value_hi = 0;
            }
        } else {
            let v = super::interp::load_sized(addr, size);
            cpu.set_xzr(rt, v);
            cpu.excl_value = v;
            cpu.excl_value_hi = 0;
        }
    }
    cpu.excl_addr = addr;
    cpu.excl_size = total;
    Ok(())
}

/// STXR/STLXR/STXP/STLXP: Rs = 0 on success, 1 on failure.
pub fn store_exclusive(cpu: &mut CpuState, size: u8, pair: bool, rs: u8, rt: u8, rt2: u8, rn: u8) -> Result<(), Exception> {
    let addr = cpu.xsp(rn);
    let total = if pair { 2u64 << size } else { 1u64 << size };
    check_aligned(addr, total)?;
    let ok = if cpu.excl_addr != addr || cpu.excl_size != total {
        false
    } else {
        // The bytes to store, as memory will hold them.
        let (new_lo, new_hi) = if pair && size == 3 {
            (cpu.xzr(rt), cpu.xzr(rt2))
        } else if pair {
            ((cpu.xzr(rt2) << 32) | (cpu.xzr(rt) & 0xffff_ffff), 0)
        } else {
            (cpu.xzr(rt), 0)
        };
        // SAFETY: aligned guest address (checked above).
        unsafe {
            match total {
                16 => {
                    let expected = ((cpu.excl_value_hi as u128) << 64) | cpu.excl_value as u128;
                    let new = ((new_hi as u128) << 64) | new_lo as u128;
                    host_cas128(addr, expected, new) == expected
                }
                8 => host_cas(addr, 3, cpu.excl_value, new_lo) == cpu.excl_value,
                _ => host_cas(addr, size, cpu.excl_value, new_lo) == cpu.excl_value,
            }
        }
    };
    cpu.excl_addr = u64::MAX;
    cpu.set_xzr(rs, (!ok) as u64);
    Ok(())
}

fn size_mask(size: u8) -> u64 {
    if size == 3 {
        u64::MAX
    } else {
        (1u64 << (8 << size)) - 1
    }
}

/// CAS/CASA/CASL/CASAL (all sizes).
pub fn cas(cpu: &mut CpuState, size: u8, rs: u8, rt: u8, rn: u8) -> Result<(), Exception> {
    let addr = cpu.xsp(rn);
    check_aligned(addr, 1 << size)?;
    let m = size_mask(size);
    // SAFETY: aligned guest address.
    let old = unsafe { host_cas(addr, size, cpu.xzr(rs) & m, cpu.xzr(rt) & m) };
    cpu.set_xzr(rs, old);
    Ok(())
}

/// CASP family: `size` is 2 (two words) or 3 (two doublewords).
pub fn casp(cpu: &mut CpuState, size: u8, rs: u8, rt: u8, rn: u8) -> Result<(), Exception> {
    if rs & 1 != 0 || rt & 1 != 0 {
        return Err(Exception::Undefined(0));
    }
    let addr = cpu.xsp(rn);
    check_aligned(addr, 2 << size)?;
    if size == 3 {
        let expected = ((cpu.xzr(rs + 1) as u128) << 64) | cpu.xzr(rs) as u128;
        let new = ((cpu.xzr(rt + 1) as u128) << 64) | cpu.xzr(rt) as u128;
        // SAFETY: 16-byte aligned guest address.
        let old = unsafe { host_cas128(addr, expected, new) };
        cpu.set_xzr(rs, old as u64);
        cpu.set_xzr(rs + 1, (old >> 64) as u64);
    } else {
        let expected = (cpu.xzr(rs + 1) << 32) | (cpu.xzr(rs) & 0xffff_ffff);
        let new = (cpu.xzr(rt + 1) << 32) | (cpu.xzr(rt) & 0xffff_ffff);
        // SAFETY: 8-byte aligned guest address.
        let old = unsafe { host_cas(addr, 3, expected, new) };
        cpu.set_xzr(rs, old & 0xffff_ffff);
        cpu.set_xzr(rs + 1, old >> 32);
    }
    Ok(())
}

macro_rules! rmw_sized {
    ($p:expr, $op:expr, $v:expr, $u:ty, $i:ty, $au:ty, $ai:ty) => {{
        let v = $v as $u;
        let sv = v as $i;
        let o = Ordering::SeqCst;
        // SAFETY: the caller checked alignment.
        let (au, ai) = unsafe { (<$au>::from_ptr($p as *mut $u), <$ai>::from_ptr($p as *mut $i)) };
        let old: $u = match $op {
            AtomicOp::Add => au.fetch_add(v, o),
            AtomicOp::Clr => au.fetch_and(!v, o),
            AtomicOp::Eor => au.fetch_xor(v, o),
            AtomicOp::Set => au.fetch_or(v, o),
            AtomicOp::Smax => ai.fetch_max(sv, o) as $u,
            AtomicOp::Smin => ai.fetch_min(sv, o) as $u,
            AtomicOp::Umax => au.fetch_max(v, o),
            AtomicOp::Umin => au.fetch_min(v, o),
            AtomicOp::Swp => au.swap(v, o),
        };
        old as u64
    }};
}

/// LDADD/LDCLR/LDEOR/LDSET/LD{S,U}{MAX,MIN}/SWP (all sizes and orderings).
pub fn rmw(cpu: &mut CpuState, op: AtomicOp, size: u8, rs: u8, rt: u8, rn: u8) -> Result<(), Exception> {
    let addr = cpu.xsp(rn);
    check_aligned(addr, 1 << size)?;
    let p = mem::host_ptr_rmw(addr, 1 << size);
    let v = cpu.xzr(rs);
    let old = match size {
        0 => rmw_sized!(p, op, v, u8, i8, AtomicU8, AtomicI8),
        1 => rmw_sized!(p, op, v, u16, i16, AtomicU16, AtomicI16),
        2 => rmw_sized!(p, op, v, u32, i32, AtomicU32, AtomicI32),
        _ => rmw_sized!(p, op, v, u64, i64, AtomicU64, AtomicI64),
    };
    cpu.set_xzr(rt, old);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::decode::decode;
    use super::super::interp::{exec, Flow};
    use super::*;

    #[test]
    fn ldaddal_word() {
        let mut mem = [0u32; 4];
        let mut cpu = CpuState::default();
        cpu.x[1] = 5;
        cpu.x[2] = mem.as_mut_ptr() as u64;
        mem[0] = 7;
        let r = exec(&mut cpu, &decode(0xb8e10040), 0);
        assert_eq!(r, Ok(Flow::Next));
        assert_eq!(cpu.x[0], 7);
        assert_eq!(mem[0], 12);
    }
}
