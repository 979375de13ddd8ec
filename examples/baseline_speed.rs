//! Measures how fast the baseline tier translates real code: decodes,
//! lowers and emits every block of a range of an AArch64 file (normally its
//! `.text`), block after block, and prints the time per block.
//!
//!     readelf -SW prog | grep ' .text'       # offset and size, in hex
//!     cargo run --release --example baseline_speed -- prog OFFSET SIZE [ROUNDS]
//!
//! The blocks are cut where the decoder ends them, as at run time, but cover
//! all of the range rather than the paths a run takes.

use kestrel::backend::x86::{self, Baseline};
use kestrel::guest::aarch64::lower::lower_block_into;
use kestrel::jit::cache::build_block;
use std::time::Instant;

fn parse(s: &str) -> u64 {
    let s = s.trim_start_matches("0x");
    u64::from_str_radix(s, 16).unwrap_or_else(|_| panic!("not a hex number: {s}"))
}

extern "C" fn no_helper(_: *mut u8, _: u64, _: u64) -> i32 {
    0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: baseline_speed FILE OFFSET SIZE [ROUNDS]   (offset and size in hex)");
        std::process::exit(2);
    }
    let bytes = std::fs::read(&args[1]).expect("read the file");
    let (off, size) = (parse(&args[2]) as usize, parse(&args[3]) as usize);
    let rounds: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(5);
    let text = bytes.get(off..off + size).expect("range inside the file").to_vec();
    let start = text.as_ptr() as u64;
    let end = start + text.len() as u64 - 4;
    let layout = kestrel::jit::aarch64_state_layout();
    let none = no_helper as *const () as usize;
    let helpers = x86::emit::Helpers {
        interp_one: none,
        landing_pad: none,
        soft_load: none,
        soft_store: none,
        soft_load_vec: none,
        soft_store_vec: none,
    };
    let mut backend = Baseline::new(layout, helpers, x86::arena::ARENA_BYTES).expect("executable memory");
    for round in 0..rounds {
        // SAFETY: nothing runs the translations; the arena is reused.
        unsafe { backend.reset() };
        let (mut blocks, mut insns, mut pc) = (0u64, 0u64, start);
        let t0 = Instant::now();
        let (mut decode, mut lower) = (0u128, 0u128);
        let mut ir = kestrel::ir::Block::default();
        while pc < end {
            let a = Instant::now();
            let block = build_block(pc, false);
            let b = Instant::now();
            ir = lower_block_into(ir, pc, &block.insns);
            let c = Instant::now();
            if backend.translate(&ir, Some(1000), None).is_err() {
                // SAFETY: as above.
                unsafe { backend.reset() };
            }
            decode += (b - a).as_nanos();
            lower += (c - b).as_nanos();
            blocks += 1;
            insns += block.insns.len() as u64;
            pc = block.end_pc();
        }
        let total = t0.elapsed().as_nanos();
        println!(
            "round {round}: {blocks} blocks, {insns} insns, {:.2} us/block (decode {:.2}, lower {:.2}, emit {:.2})",
            total as f64 / 1000.0 / blocks as f64,
            decode as f64 / 1000.0 / blocks as f64,
            lower as f64 / 1000.0 / blocks as f64,
            (total - decode - lower) as f64 / 1000.0 / blocks as f64
        );
    }
}
