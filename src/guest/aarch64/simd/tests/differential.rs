//! Differential check against recorded reference executions.
//!
//! `KESTREL_SIMD_RECORDS` names a file of (input, output) record pairs as
//! produced by running `reference_runner.c` (beside this file) on AArch64
//! hardware or a user-mode emulator. Each record is 800 bytes: X0-X30, NZCV,
//! FPCR, FPSR (u64 each), the instruction word and a status (u32 each, status
//! 1 = the word was undefined), 8 bytes of padding, then V0-V31.
//!
//! `KESTREL_SIMD_MEM_RECORDS` names a file in the same format with
//! `MEM_SIZE` bytes of memory after every record (see `RUNNER_MEM` in the
//! runner), for the structure loads and stores; that memory lives at
//! `MEM_BASE` in both processes.
//!
//! Ignored by default; run with `--ignored` when a record file is at hand.

use super::super::super::cpu::CpuState;
use super::super::exec;
use super::super::Exception;

const RECORD: usize = 800;
const MEM_BASE: usize = 0x7e00_0000;
const MEM_SIZE: usize = 256;

struct Record {
    cpu: CpuState,
    word: u32,
    undefined: bool,
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
}

fn parse(b: &[u8]) -> Record {
    let mut cpu = CpuState::default();
    for i in 0..31 {
        cpu.x[i] = u64_at(b, 8 * i);
    }
    cpu.set_nzcv(u64_at(b, 248));
    cpu.fpcr = u64_at(b, 256);
    cpu.fpsr = u64_at(b, 264);
    let word = u32::from_le_bytes(b[272..276].try_into().unwrap());
    let undefined = u32::from_le_bytes(b[276..280].try_into().unwrap()) != 0;
    for i in 0..32 {
        cpu.v[i] = u128::from_le_bytes(b[288 + 16 * i..304 + 16 * i].try_into().unwrap());
    }
    Record { cpu, word, undefined }
}

/// Differences between two states, as text.
fn diff(got: &CpuState, want: &CpuState) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..31 {
        if got.x[i] != want.x[i] {
            out.push(format!("x{i}={:#x} want {:#x}", got.x[i], want.x[i]));
        }
    }
    for i in 0..32 {
        if got.v[i] != want.v[i] {
            out.push(format!("v{i}={:#x} want {:#x}", got.v[i], want.v[i]));
        }
    }
    if got.nzcv() != want.nzcv() {
        out.push(format!("nzcv={:#x} want {:#x}", got.nzcv(), want.nzcv()));
    }
    if got.fpsr != want.fpsr {
        out.push(format!("fpsr={:#x} want {:#x}", got.fpsr, want.fpsr));
    }
    out
}

#[test]
#[ignore]
fn differential_records() {
    if let Ok(path) = std::env::var("KESTREL_SIMD_RECORDS") {
        compare_file(&path, 0);
    }
    if let Ok(path) = std::env::var("KESTREL_SIMD_MEM_RECORDS") {
        // SAFETY: maps a fresh private page at an address the test owns;
        // MAP_FIXED_NOREPLACE fails instead of replacing an existing mapping.
        let p = unsafe {
            libc::mmap(
                MEM_BASE as *mut libc::c_void,
                4096,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED_NOREPLACE,
                -1,
                0,
            )
        };
        assert_eq!(p as usize, MEM_BASE, "could not map the test memory window");
        compare_file(&path, MEM_SIZE);
    }
}

/// The memory window the instructions under test may touch.
fn window() -> &'static mut [u8] {
    // SAFETY: the window was mapped by `differential_records` and only this
    // single-threaded test touches it.
    unsafe { std::slice::from_raw_parts_mut(MEM_BASE as *mut u8, MEM_SIZE) }
}

fn compare_file(path: &str, mem: usize) {
    let data = std::fs::read(path).expect("record file");
    let mut failures = Vec::new();
    let mut unimplemented = Vec::new();
    let one = RECORD + mem;
    let total = data.len() / (2 * one);
    for pair in data.chunks_exact(2 * one) {
        let input = parse(&pair[..RECORD]);
        let want = parse(&pair[one..one + RECORD]);
        if mem != 0 {
            window().copy_from_slice(&pair[RECORD..one]);
        }
        let mut cpu = input.cpu.clone();
        let result = exec(&mut cpu, input.word);
        if mem != 0 && result.is_ok() && window() != &pair[one + RECORD..] {
            failures.push(format!("{:#010x}: memory differs", input.word));
        }
        match (result, want.undefined) {
            (Err(Exception::Undefined(_)), true) => {}
            (Err(Exception::Undefined(_)), false) => unimplemented.push(format!("{:#010x}", input.word)),
            (Err(e), _) => failures.push(format!("{:#010x}: {e:?}", input.word)),
            (Ok(()), true) => failures.push(format!("{:#010x}: executed, reference says undefined", input.word)),
            (Ok(()), false) => {
                let d = diff(&cpu, &want.cpu);
                if !d.is_empty() {
                    failures.push(format!("{:#010x} fpcr={:#x}: {}", input.word, input.cpu.fpcr, d.join(", ")));
                }
            }
        }
    }
    eprintln!("{total} records, {} unimplemented: {}", unimplemented.len(), unimplemented.join(" "));
    assert!(failures.is_empty(), "{} of {total} differ:\n{}", failures.len(), failures.join("\n"));
}
