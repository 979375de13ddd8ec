//! Mismatch reports: the mismatching test is narrowed down to the first
//! instruction whose prefix differs (and, when possible, to that single
//! instruction run from the state qemu reached before it), then printed
//! with its disassembly, the inputs and both results, differences marked.

use crate::classes::Class;
use crate::driver::{run_on, Config};
use crate::emulator::{Emulator, RunResult};
use crate::protocol::{Memory, Outcome, Regs, TestCase, MEM_ADDR, MEM_SIZE};
use crate::verdict::{judge, Verdict};
use std::fmt::Write;
use std::process::Command;
use std::sync::OnceLock;

/// Disassembly of each word (empty strings if objdump is unavailable).
pub fn disassemble(words: &[u32]) -> Vec<String> {
    static OBJDUMP: OnceLock<bool> = OnceLock::new();
    let tool = "aarch64-linux-gnu-objdump";
    let available = *OBJDUMP.get_or_init(|| Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success()));
    let mut out = vec![String::new(); words.len()];
    if !available || words.is_empty() {
        return out;
    }
    let path = std::env::temp_dir().join(format!("kestrel-difftest-{}-{:x}.bin", std::process::id(), words[0]));
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    if std::fs::write(&path, bytes).is_err() {
        return out;
    }
    let listing = Command::new(tool).args(["-D", "-b", "binary", "-m", "aarch64"]).arg(&path).output();
    let _ = std::fs::remove_file(&path);
    let Ok(listing) = listing else { return out };
    for line in String::from_utf8_lossy(&listing.stdout).lines() {
        // "   4:\t8b020020 \tadd\tx0, x1, x2"
        let mut parts = line.splitn(3, '\t');
        let (Some(addr), Some(_), Some(text)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let Some(addr) = addr.trim().strip_suffix(':').and_then(|a| usize::from_str_radix(a, 16).ok()) else { continue };
        if addr % 4 == 0 && addr / 4 < out.len() {
            out[addr / 4] = text.replace('\t', " ").trim().to_string();
        }
    }
    out
}

/// Whether a disassembly line says the word is unallocated.
pub fn unallocated(text: &str) -> bool {
    text.contains("undefined")
}

/// The state a register dump shows: SP and X28 as guest addresses.
fn shown_x(r: &Regs, i: usize) -> u64 {
    if i == 28 {
        r.x[28].wrapping_add(MEM_ADDR)
    } else {
        r.x[i]
    }
}

/// The initial state of a test.
pub fn inputs(t: &TestCase) -> String {
    let r = &t.regs;
    let mut s = String::new();
    for row in 0..8 {
        s += "   ";
        for i in (row * 4)..(row * 4 + 4).min(31) {
            let _ = write!(s, " x{i:<2} {:#018x}", shown_x(r, i));
        }
        if row == 7 {
            let _ = write!(s, " sp  {:#018x}", r.sp.wrapping_add(MEM_ADDR));
        }
        s += "\n";
    }
    let _ = writeln!(s, "    nzcv {:#x}  fpcr {:#010x}  fpsr {:#010x}", r.nzcv >> 28, r.fpcr, r.fpsr);
    for row in 0..16 {
        let _ = writeln!(s, "    v{:<2} {:#034x}  v{:<2} {:#034x}", 2 * row, r.v[2 * row], 2 * row + 1, r.v[2 * row + 1]);
    }
    match &t.memory {
        Memory::Untouched => s += "    memory: not used\n",
        Memory::Seeded(seed) => {
            let _ = writeln!(s, "    memory: {MEM_SIZE} bytes at {MEM_ADDR:#x} from seed {seed:#x} (splitmix64, see rng.rs)");
        }
        Memory::Explicit(_) => {
            let _ = writeln!(s, "    memory: {MEM_SIZE} bytes at {MEM_ADDR:#x} as qemu left them after the preceding instructions");
        }
    }
    s
}

/// One line (or a few) saying how a test ended.
pub fn describe(r: &RunResult) -> String {
    match r {
        RunResult::Done(o) if o.signal == 0 => "ran to the end".into(),
        RunResult::Done(o) => format!("signal {} at instruction {:?} (si_addr {:#x})", o.signal, o.fault_index, o.fault_addr),
        RunResult::Died { signal, code, index, stderr } => {
            format!(
                "emulator died (signal {signal:?}, exit code {code:?}) at instruction {index:?}; stderr:\n      {}",
                stderr.replace('\n', "\n      ")
            )
        }
        RunResult::Hung => "no result (hung)".into(),
    }
}

/// The registers that differ between the two results, or that either
/// changed from the input; `*` marks the differing ones.
pub fn results(input: &Regs, q: &RunResult, k: &RunResult) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "    qemu:    {}", describe(q));
    let _ = writeln!(s, "    kestrel: {}", describe(k));
    let (RunResult::Done(a), RunResult::Done(b)) = (q, k) else { return s };
    let _ = writeln!(s, "    {:<6} {:<36} {:<36}", "", "qemu", "kestrel");
    let mut row = |name: String, input: String, x: String, y: String| {
        if x != y || x != input {
            let mark = if x != y { "*" } else { " " };
            let _ = writeln!(s, "  {mark} {name:<6} {x:<36} {y:<36}");
        }
    };
    for i in 0..31 {
        let f = |r: &Regs| format!("{:#018x}", shown_x(r, i));
        row(format!("x{i}"), f(input), f(&a.regs), f(&b.regs));
    }
    let f = |v: u64| format!("{:#018x}", v.wrapping_add(MEM_ADDR));
    row("sp".into(), f(input.sp), f(a.regs.sp), f(b.regs.sp));
    let f = |v: u64| format!("{:#x}", v >> 28);
    row("nzcv".into(), f(input.nzcv), f(a.regs.nzcv), f(b.regs.nzcv));
    let f = |v: u64| format!("{v:#010x}");
    row("fpcr".into(), f(input.fpcr), f(a.regs.fpcr), f(b.regs.fpcr));
    row("fpsr".into(), f(input.fpsr), f(a.regs.fpsr), f(b.regs.fpsr));
    for i in 0..32 {
        let f = |r: &Regs| format!("{:#034x}", r.v[i]);
        row(format!("v{i}"), f(input), f(&a.regs), f(&b.regs));
    }
    if a.mem_hash != b.mem_hash {
        s += &memory_diff(a, b);
    }
    s
}

fn memory_diff(a: &Outcome, b: &Outcome) -> String {
    let (Some(ma), Some(mb)) = (&a.memory, &b.memory) else {
        return "  * memory differs (hash only)\n".into();
    };
    let mut s = String::new();
    let mut shown = 0;
    for off in (0..MEM_SIZE).step_by(8) {
        if ma[off..off + 8] != mb[off..off + 8] {
            let word = |m: &[u8]| format!("{:#018x}", u64::from_le_bytes(m[off..off + 8].try_into().expect("8 bytes")));
            let _ = writeln!(s, "  * [{:#x}] {:<36} {:<36}", MEM_ADDR + off as u64, word(ma), word(mb));
            shown += 1;
            if shown == 16 {
                s += "    ... (more memory differs)\n";
                break;
            }
        }
    }
    s
}

fn listing(words: &[u32], mark: Option<usize>) -> String {
    let text = disassemble(words);
    let mut s = String::new();
    for (i, (w, d)) in words.iter().zip(text).enumerate() {
        let m = if Some(i) == mark { ">" } else { " " };
        let _ = writeln!(s, "   {m}{i:>3}  {w:#010x}  {d}");
    }
    s
}

/// Runs one test (with the memory dump) under qemu and `subject`.
fn rerun(cfg: &Config, class: &Class, subject: &Emulator, tests: &[TestCase]) -> Option<(Vec<RunResult>, Vec<RunResult>)> {
    let oracle = cfg.oracle(class).ok()?;
    let (q, mut k) = run_on(cfg, oracle, std::slice::from_ref(subject), class.qemu_cpu, tests).ok()?;
    Some((q, k.pop()?))
}

/// The full report of a mismatch of `test` (test `index` of `class`).
/// `modes` names every Kestrel mode that differs; `subject` is the first,
/// the one shown.
#[allow(clippy::too_many_arguments)]
pub fn mismatch(
    cfg: &Config,
    class: &Class,
    index: u64,
    test: &TestCase,
    subject: &Emulator,
    modes: &[&str],
    q: &RunResult,
    k: &RunResult,
) -> String {
    let harness = cfg.harness.display().to_string();
    let mut s = String::new();
    let _ = writeln!(s, "MISMATCH in class {} (test {index}, seed {:#x}), Kestrel modes: {}", class.name, cfg.seed, modes.join(", "));
    let _ = writeln!(s, "  oracle:  {}", cfg.oracle(class).map(|q| q.command_line(&harness, class.qemu_cpu)).unwrap_or_else(|e| e));
    let _ = writeln!(s, "  kestrel: {}", subject.command_line(&harness, class.qemu_cpu));
    let _ = writeln!(
        s,
        "  again:   kestrel-difftest --seed {:#x} --class {} --first {index} --count 1 --max-insns {}",
        cfg.seed, class.name, cfg.max_insns
    );

    // Prefixes, each with its final memory.
    let n = test.insns.len();
    let prefixes: Vec<TestCase> =
        (1..=n).map(|p| TestCase { insns: test.insns[..p].to_vec(), dump_memory: true, ..test.clone() }).collect();
    let narrowed = rerun(cfg, class, subject, &prefixes).and_then(|(qs, ks)| {
        let p = (0..n).find(|&p| judge(p + 1, &qs[p], &ks[p]) == Verdict::Mismatch)?;
        Some((p, qs, ks))
    });
    let Some((p, qs, ks)) = narrowed else {
        let _ = writeln!(s, "  sequence (the difference did not reproduce on its prefixes):\n{}", listing(&test.insns, None));
        let _ = writeln!(s, "  inputs:\n{}", inputs(test));
        let _ = writeln!(s, "  results:\n{}", results(&test.regs, q, k));
        return s;
    };
    let _ = writeln!(s, "  sequence; '>' marks the first instruction after which the results differ:\n{}", listing(&test.insns, Some(p)));

    if p == 0 {
        let single = &prefixes[0];
        let _ = writeln!(s, "  reproduced by the first instruction alone:\n{}", listing(&single.insns, Some(0)));
        let _ = writeln!(s, "  inputs:\n{}", inputs(single));
        let _ = writeln!(s, "  results:\n{}", results(&single.regs, &qs[0], &ks[0]));
        return s;
    }
    // The culprit alone, from the state qemu reached just before it.
    {
        if let RunResult::Done(before) = &qs[p - 1] {
            if before.signal == 0 {
                let memory = match (&test.memory, &before.memory) {
                    (Memory::Untouched, _) => Memory::Untouched,
                    (_, Some(m)) => Memory::Explicit(m.clone()),
                    _ => test.memory.clone(),
                };
                let single = TestCase { insns: vec![test.insns[p]], regs: before.regs.clone(), memory, dump_memory: true, slot: test.slot };
                if let Some((q1, k1)) = rerun(cfg, class, subject, std::slice::from_ref(&single)) {
                    if judge(1, &q1[0], &k1[0]) == Verdict::Mismatch {
                        let _ = writeln!(
                            s,
                            "  reproduced by that instruction alone, from the state qemu reached before it:\n{}",
                            listing(&single.insns, Some(0))
                        );
                        let _ = writeln!(s, "  inputs:\n{}", inputs(&single));
                        let _ = writeln!(s, "  results:\n{}", results(&single.regs, &q1[0], &k1[0]));
                        return s;
                    }
                }
            }
        }
    }
    let _ = writeln!(s, "  inputs (of the whole sequence):\n{}", inputs(test));
    let _ = writeln!(s, "  results after instruction {p}:\n{}", results(&test.regs, &qs[p], &ks[p]));
    s
}

/// The summary table.
pub fn summary(stats: &std::collections::BTreeMap<&'static str, crate::driver::ClassStats>, order: &[&'static str]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<30} {:>9} {:>11} {:>9} {:>7} {:>9} {:>8} {:>7}",
        "class", "sequences", "insns", "mismatch", "unimpl", "rejected", "faulted", "gaveup"
    );
    let mut total = crate::driver::ClassStats::default();
    for name in order {
        let Some(c) = stats.get(name) else { continue };
        let _ = writeln!(
            s,
            "{:<30} {:>9} {:>11} {:>9} {:>7} {:>9} {:>8} {:>7}",
            name, c.sequences, c.insns, c.mismatches, c.unimplemented, c.rejected, c.faulted, c.gave_up
        );
        total.sequences += c.sequences;
        total.insns += c.insns;
        total.mismatches += c.mismatches;
        total.unimplemented += c.unimplemented;
        total.rejected += c.rejected;
        total.faulted += c.faulted;
        total.gave_up += c.gave_up;
        total.oracle_failures += c.oracle_failures;
    }
    let _ = writeln!(
        s,
        "{:<30} {:>9} {:>11} {:>9} {:>7} {:>9} {:>8} {:>7}",
        "total", total.sequences, total.insns, total.mismatches, total.unimplemented, total.rejected, total.faulted, total.gave_up
    );
    if total.oracle_failures > 0 {
        let _ = writeln!(s, "qemu failed on {} tests (not compared)", total.oracle_failures);
    }
    for name in order {
        let Some(c) = stats.get(name) else { continue };
        if c.unimplemented_words.is_empty() {
            continue;
        }
        let words: Vec<u32> = c.unimplemented_words.keys().copied().collect();
        let text = disassemble(&words);
        let _ = writeln!(s, "unimplemented in Kestrel, class {name} ({} distinct words):", words.len());
        for (w, d) in words.iter().zip(text).take(40) {
            let _ = writeln!(s, "    {w:#010x}  {d}");
        }
        if words.len() > 40 {
            let _ = writeln!(s, "    ... and {} more", words.len() - 40);
        }
    }
    s
}
