//! Table-driven tests: each case is an instruction word (with its assembly
//! text, checked against a reference assembler), the registers it starts with,
//! and the registers it must leave.

use super::super::cpu::CpuState;
use super::exec;

mod advsimd_dot;
mod advsimd_fp;
mod advsimd_int;
mod advsimd_permute;
mod advsimd_shift_imm;
mod advsimd_widen_reduce;
mod crypto;
mod crypto_known_answers;
mod differential;
mod fcma_fhm_bf16;
mod fp16;
mod fp16_known_answers;
mod fp_bounded_int;
mod i8mm_sm3_sm4;
mod ldst_structure;
mod no_panic;
mod scalar_fp;

/// A register value before or after the instruction.
#[derive(Clone, Copy, Debug)]
pub enum R {
    V(u8, u128),
    X(u8, u64),
    Fpcr(u64),
    Fpsr(u64),
    /// Flags in bits 31..28.
    Nzcv(u64),
}

/// One table row: assembly text, encoding, initial state, expected state.
pub type Case = (&'static str, u32, &'static [R], &'static [R]);

pub fn run_one(word: u32, init: &[R]) -> CpuState {
    let mut cpu = CpuState::default();
    for r in init {
        match *r {
            R::V(n, v) => cpu.v[n as usize] = v,
            R::X(n, v) => cpu.x[n as usize] = v,
            R::Fpcr(v) => cpu.fpcr = v,
            R::Fpsr(v) => cpu.fpsr = v,
            R::Nzcv(v) => cpu.set_nzcv(v),
        }
    }
    exec(&mut cpu, word).unwrap_or_else(|e| panic!("{word:#010x} raised {e:?}"));
    cpu
}

/// Runs each case and compares every expected register. FPSR is checked
/// only when a case names it.
pub fn check(cases: &[Case]) {
    let mut failures = Vec::new();
    for &(asm, word, init, expect) in cases {
        let cpu = run_one(word, init);
        for e in expect {
            let (what, got, want) = match *e {
                R::V(n, v) => (format!("v{n}"), cpu.v[n as usize], v),
                R::X(n, v) => (format!("x{n}"), cpu.x[n as usize] as u128, v as u128),
                R::Fpcr(v) => ("fpcr".into(), cpu.fpcr as u128, v as u128),
                R::Fpsr(v) => ("fpsr".into(), cpu.fpsr as u128, v as u128),
                R::Nzcv(v) => ("nzcv".into(), cpu.nzcv() as u128, v as u128),
            };
            if got != want {
                failures.push(format!("{asm} ({word:#010x}): {what} = {got:#x}, want {want:#x}"));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Words that must be rejected without changing state.
pub fn check_undefined(words: &[u32]) {
    for &w in words {
        let mut cpu = CpuState::default();
        cpu.v[1] = 0x1234;
        assert_eq!(exec(&mut cpu, w), Err(super::Exception::Undefined(w)), "{w:#010x}");
        assert_eq!(cpu.v[1], 0x1234);
    }
}
