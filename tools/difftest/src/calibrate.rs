//! Which encodings of a class are allocated, as qemu sees them.
//!
//! Random FP/AdvSIMD words are often unallocated (reserved sizes, unused
//! opcodes); qemu rejects those and the test is regenerated, which costs a
//! round. Writing out every allocation rule would duplicate a decoder, so
//! instead each combination of the class's allocation-deciding bits (its
//! `key`) is run once under qemu at the start, and the generator then draws
//! only combinations qemu executes and binutils' disassembler knows (qemu
//! accepts a few unallocated encodings; `classes::qemu_only_encoding` names
//! them too, for machines without that disassembler). Both are
//! deterministic, so generation stays reproducible.

use crate::classes::Class;
use crate::driver::Config;
use crate::emulator::RunResult;
use crate::protocol::{Memory, Regs, TestCase, CHUNK};
use crate::report::{disassemble, unallocated};
use crate::verdict::SIGILL;
use std::collections::{HashMap, HashSet};

/// Allocated key values per class name; classes without an entry are not
/// filtered.
pub type Allowed = HashMap<&'static str, HashSet<u32>>;

/// Every value of the bits in `mask`.
fn subsets(mask: u32) -> Vec<u32> {
    let mut out = vec![0];
    let mut v = 0u32;
    loop {
        v = v.wrapping_sub(mask) & mask;
        if v == 0 {
            return out;
        }
        out.push(v);
    }
}

/// Probes `class` under qemu; `None` for classes without a key.
pub fn probe(cfg: &Config, class: &Class) -> Result<Option<HashSet<u32>>, String> {
    if class.key == 0 || class.forms.len() != 1 || class.memory {
        return Ok(None);
    }
    let form = class.forms[0];
    // Registers 1, 2 and 3 in the Rd, Rn and Rm fields where those are not
    // part of the key.
    let base = form.fixed | (0x0003_0041 & form.random & !class.key);
    let words: Vec<u32> = subsets(class.key).into_iter().map(|v| base | v).collect();
    let regs = Regs {
        sp: 2048,
        x: {
            let mut x = [0; 31];
            x[28] = 2048;
            x
        },
        ..Regs::default()
    };
    let tests: Vec<TestCase> = words
        .iter()
        .enumerate()
        .map(|(i, &w)| TestCase {
            insns: vec![w],
            regs: regs.clone(),
            memory: Memory::Untouched,
            dump_memory: false,
            slot: (i % CHUNK) as u16,
        })
        .collect();
    let results = cfg.oracle(class)?.run(&cfg.harness, class.qemu_cpu, &tests, cfg.stall)?;
    // qemu 7.2 also executes some unallocated encodings (it ignores a size
    // bit in a few FP16 and modified-immediate forms); binutils knows better.
    let text = disassemble(&words);
    let allowed = words
        .iter()
        .zip(&results)
        .zip(&text)
        .filter(|((_, r), t)| matches!(r, RunResult::Done(o) if o.signal != SIGILL) && !unallocated(t))
        .map(|((w, _), _)| w & class.key)
        .collect();
    Ok(Some(allowed))
}

#[cfg(test)]
mod tests {
    #[test]
    fn enumerates_every_subset() {
        let s = super::subsets(0b1010_0001);
        assert_eq!(s.len(), 8);
        assert!(s.contains(&0b1010_0001) && s.contains(&0b0010_0000));
    }
}
