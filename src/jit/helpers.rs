//! `extern "C"` functions called from translated code.
//!
//! They never unwind (the release profile aborts on panic, and nothing here
//! panics on guest input) and see the guest state exactly, because translated
//! code keeps guest registers in `CpuState` memory.

use crate::guest::aarch64::cpu::CpuState;
use crate::guest::aarch64::decode::decode;
use crate::guest::aarch64::interp::{exec, Flow};

/// Executes the instruction `word` at `pc` in the interpreter. Returns 0 when
/// it completed and execution falls through, 1 when it raised an exception (the
/// engine then re-runs it in the interpreter to learn which).
///
/// # Safety
/// `cpu` must be the CPU state translated code runs on, not used by
/// anything else during the call.
pub unsafe extern "C" fn interp_one(cpu: *mut CpuState, word: u64, pc: u64) -> i32 {
    // SAFETY: translated code passes the CpuState it was entered with, which the
    // engine holds exclusively for the duration of the call.
    let cpu = unsafe { &mut *cpu };
    // Exact pc while the helper runs, in case the instruction faults.
    cpu.pc = pc;
    super::stats::note_reference_call(word as u32);
    // LDTR/STTR forms the backends do not translate still check as EL0's.
    let unprivileged = crate::guest::aarch64::decode::is_unprivileged_load_store(word as u32);
    match crate::mem::with_privilege(unprivileged, || exec(cpu, &decode(word as u32), pc)) {
        Ok(Flow::Next) => 0,
        // Authenticated branches: the generated code jumps to the target.
        Ok(Flow::Branch(target)) => {
            cpu.branch_target = target;
            0
        }
        // SVC is always translated natively, so anything else is handed back
        // to the engine.
        _ => 1,
    }
}

/// The branch-target check at a block start when BTYPE is non-zero (see
/// `Op::LandingPad`): clears BTYPE and returns 0 if bit BTYPE of `accepted`
/// is set; otherwise sets `pc` and returns 1, and the engine re-runs the
/// instruction in the interpreter, which raises the exception.
///
/// # Safety
/// As for [`interp_one`].
pub unsafe extern "C" fn landing_pad(cpu: *mut CpuState, accepted: u64, pc: u64) -> i32 {
    // SAFETY: as for `interp_one`.
    let cpu = unsafe { &mut *cpu };
    if accepted & (1 << (cpu.btype & 3)) != 0 {
        cpu.btype = 0;
        0
    } else {
        cpu.pc = pc;
        1
    }
}

/// In the size argument of the `soft_*` helpers: the access is LDTR/STTR's,
/// checked with EL0's permissions (`crate::ir::Op::Unprivileged`).
pub const UNPRIVILEGED: u64 = 8;

/// Guest memory through the thread's software MMU (system mode), for
/// [`crate::backend::x86::emit::MemoryStrategy::SoftMmu`]. Each records the
/// accessing instruction's `pc` first: a fault abandons the translated code
/// (`crate::guard`) and the front end raises the abort at `cpu.pc`.
///
/// `size_signed` is log2 of the size in bits 1:0, "sign-extend" in bit 2
/// and, in every helper's size argument, [`UNPRIVILEGED`] for LDTR/STTR.
///
/// # Safety
/// As for [`interp_one`]; a system memory must be installed on the thread.
pub unsafe extern "C" fn soft_load(cpu: *mut CpuState, va: u64, size_signed: u64, pc: u64) -> u64 {
    // SAFETY: as for `interp_one`.
    unsafe { (*cpu).pc = pc };
    let size = (size_signed & 3) as u8;
    // SAFETY: a guest access; faults abandon through the software MMU.
    let v = crate::mem::with_privilege(size_signed & UNPRIVILEGED != 0, || unsafe { crate::guest::aarch64::interp::load_sized(va, size) });
    if size_signed & 4 != 0 && size < 3 {
        let shift = 64 - (8u32 << size);
        (((v << shift) as i64) >> shift) as u64
    } else {
        v
    }
}

/// Stores the low `1 << size` bytes of `value` at `va` (see [`soft_load`]).
///
/// # Safety
/// As for [`soft_load`].
pub unsafe extern "C" fn soft_store(cpu: *mut CpuState, va: u64, value: u64, size: u64, pc: u64) {
    // SAFETY: as for `interp_one`.
    unsafe { (*cpu).pc = pc };
    // SAFETY: a guest access; faults abandon through the software MMU.
    crate::mem::with_privilege(size & UNPRIVILEGED != 0, || unsafe { crate::guest::aarch64::interp::store_sized(va, (size & 3) as u8, value) });
}

/// Loads `1 << size` bytes (up to 16) at `va` into the 16-byte state field
/// at byte offset `field` of the CPU state, zeroing the rest of it.
///
/// # Safety
/// As for [`soft_load`]; `field` is a SIMD&FP register's offset.
pub unsafe extern "C" fn soft_load_vec(cpu: *mut CpuState, va: u64, field: u64, size: u64, pc: u64) {
    // SAFETY: as for `interp_one`.
    unsafe { (*cpu).pc = pc };
    let (unprivileged, size) = (size & UNPRIVILEGED != 0, size & 7);
    // SAFETY: guest accesses through the software MMU.
    let value: u128 = crate::mem::with_privilege(unprivileged, || unsafe {
        if size == 4 {
            crate::mem::read::<u128>(va)
        } else {
            crate::guest::aarch64::interp::load_sized(va, size as u8) as u128
        }
    });
    // SAFETY: `field` is the offset of a 16-byte register inside `*cpu`.
    unsafe { std::ptr::write_unaligned((cpu as *mut u8).add(field as usize) as *mut u128, value) };
}

/// Stores the low `1 << size` bytes (up to 16) of the state field at
/// `field` to `va`.
///
/// # Safety
/// As for [`soft_load_vec`].
pub unsafe extern "C" fn soft_store_vec(cpu: *mut CpuState, va: u64, field: u64, size: u64, pc: u64) {
    // SAFETY: as for `interp_one`.
    unsafe { (*cpu).pc = pc };
    // SAFETY: `field` is the offset of a 16-byte register inside `*cpu`.
    let value = unsafe { std::ptr::read_unaligned((cpu as *const u8).add(field as usize) as *const u128) };
    let (unprivileged, size) = (size & UNPRIVILEGED != 0, size & 7);
    // SAFETY: guest accesses through the software MMU.
    crate::mem::with_privilege(unprivileged, || unsafe {
        if size == 4 {
            crate::mem::write::<u128>(va, value);
        } else {
            crate::guest::aarch64::interp::store_sized(va, size as u8, value as u64);
        }
    });
}
