//! Backends: IR to host code.
//!
//! - [`x86`]: the baseline backend. It emits x86-64 machine code straight
//!   from the IR, one guest block at a time, in about a microsecond a block;
//!   it is the tier every block starts in.
//! - The optimising tier (Cranelift, `crate::jit`) compiles hot regions.

pub mod x86;
