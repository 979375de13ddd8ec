//! Kestrel's translator core.
//!
//! Guest CPU state, instruction decoding and semantics (`guest`), how guest code
//! reaches guest memory (`mem`), and the two execution tiers with their shared code
//! cache and execution loop (`jit`). The core knows nothing of system calls or
//! devices: front ends (linux-user, system) receive an [`jit::ExitReason`] and act on it.

pub mod guest;
pub mod jit;
pub mod mem;
