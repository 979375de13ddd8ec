//! Properties of the lowering that every backend relies on, checked over
//! random instruction words.

use super::lower_block;
use crate::guest::aarch64::decode::decode;
use crate::ir::{Exit, Op};

fn words(seed: u64, n: usize) -> Vec<u32> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u32
        })
        .collect()
}

/// Within one guest instruction, every load comes before every write of
/// guest state, so a faulting load leaves the state as it was.
#[test]
fn loads_precede_state_writes_within_each_instruction() {
    for w in words(0x1234_5678, 200_000) {
        let insn = decode(w);
        let block = lower_block(0x40_0000, &[(w, insn)]);
        let mut wrote = false;
        for op in &block.ops {
            match op {
                Op::Put { .. } | Op::LoadVec { .. } => wrote = true,
                Op::Load { .. } => assert!(!wrote, "{w:#010x} ({insn:?}) loads after writing state:\n{block}"),
                _ => {}
            }
        }
    }
}

/// Temporaries are defined once, and a block of one instruction that does
/// not end a block continues after it.
#[test]
fn temporaries_are_defined_once_before_use() {
    for w in words(0x9e37_79b9, 100_000) {
        let insn = decode(w);
        let block = lower_block(0x40_0000, &[(w, insn)]);
        let mut defined = vec![false; block.temps as usize];
        let mut def = |t: crate::ir::Temp| {
            assert!(!defined[t.0 as usize], "{w:#010x}: t{} defined twice", t.0);
            defined[t.0 as usize] = true;
        };
        for op in &block.ops {
            match *op {
                Op::Const { dst, .. }
                | Op::Get { dst, .. }
                | Op::Bin { dst, .. }
                | Op::Un { dst, .. }
                | Op::Extend { dst, .. }
                | Op::AddSubFlags { dst, .. }
                | Op::Set { dst, .. }
                | Op::Select { dst, .. }
                | Op::CallPure { dst, .. }
                | Op::Load { dst, .. } => def(dst),
                _ => {}
            }
        }
        if !insn.ends_block() {
            assert_eq!(block.exit, Exit::Goto(0x40_0004), "{w:#010x}");
        }
    }
}
