//! Guest instruction sets. AArch64 is the first; each ISA lives in its own module.

pub mod aarch64;
