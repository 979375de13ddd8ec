//! `kestrel-difftest`: a differential instruction tester for Kestrel.
//!
//! Random AArch64 instruction sequences, generated per instruction class
//! from encoding tables with constraints (`classes`), run from random
//! initial states (`state`) inside a small static guest program (the
//! harness, `guest/`) under qemu-aarch64, the oracle, and under Kestrel in
//! each of its modes. The harness reports every register and the memory
//! block after each test; any difference is a mismatch (`verdict`), which is
//! narrowed down to one instruction and reported with its inputs and both
//! results (`report`). Words qemu rejects are regenerated; words on which
//! Kestrel raises SIGILL while qemu executes them are counted as
//! unimplemented in Kestrel.

pub mod calibrate;
pub mod classes;
pub mod driver;
pub mod emulator;
pub mod gen;
pub mod protocol;
pub mod report;
pub mod rng;
pub mod setup;
pub mod state;
pub mod verdict;
