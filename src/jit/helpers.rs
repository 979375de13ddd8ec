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
    match exec(cpu, &decode(word as u32), pc) {
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
