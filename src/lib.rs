//! Kestrel's translator core.
//!
//! Guest CPU state, instruction decoding, semantics and lowering to the IR
//! (`guest`), the IR every frontend lowers to (`ir`), the baseline x86-64
//! backend (`backend`), how guest code reaches guest memory (`mem`), and the
//! execution tiers with their code cache and execution loop (`jit`). The core knows nothing of system calls or
//! devices: front ends (linux-user, system) receive an [`jit::ExitReason`] and act on it.

pub mod backend;
pub mod gdb;
pub mod guard;
pub mod guest;
pub mod ir;
pub mod jit;
pub mod mem;
