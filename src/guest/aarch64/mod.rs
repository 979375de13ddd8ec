//! The AArch64 (A64) guest: CPU state, decoder, and instruction semantics.
//!
//! `decode` turns a 32-bit instruction word into a typed [`decode::Insn`];
//! `interp` executes one on a [`cpu::CpuState`] (tier 0 and the reference
//! semantics); the JIT (`crate::jit`) translates the same `Insn`s to Cranelift IR
//! and calls back into `interp` for instruction classes it does not compile itself.
//! `simd` holds the FP and AdvSIMD instructions, which both tiers run through helpers.
//! `flags_cssc` (FlagM, CSSC), `pac_insns` over `pauth` (pointer
//! authentication) and `bti` (branch target checks) hold the Armv8.3+
//! integer extensions. `mmu` (the stage 1 table walk) and `el1` (EL1 registers, exception
//! entry and return) are system mode's.

pub mod cpu;
pub mod decode;
pub mod el1;
pub mod flags_cssc;
pub mod atomics;
pub mod bti;
pub mod interp;
pub mod lower;
pub mod mmu;
pub mod pac_insns;
pub mod pauth;
pub mod simd;
pub mod sysregs;
