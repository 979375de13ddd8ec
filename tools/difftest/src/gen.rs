//! Test generation: a random initial state and a sequence of instruction
//! words of one class, reproducible from (seed, class, index).

use crate::calibrate::Allowed;
use crate::classes::{self, Class, Ctx, Group, CLASSES};
use crate::protocol::{Memory, TestCase, CHUNK, MAX_INSNS, MEM_SIZE};
use crate::rng::{memory_from_seed, Rng};
use crate::state::random_regs;

/// Draws attempted per instruction before the sequence is cut short.
const TRIES: usize = 500;

/// What the generator must avoid: words of encodings qemu does not
/// execute, and words rejected or unimplemented in an earlier attempt at
/// the same test.
#[derive(Clone, Copy)]
pub struct Avoid<'a> {
    /// Allocated encodings per class (see `calibrate.rs`).
    pub allowed: &'a Allowed,
    /// Words not to draw again.
    pub excluded: &'a [u32],
}

/// Generates test `index` of `class`.
pub fn generate(seed: u64, class: &'static Class, index: u64, max_insns: usize, avoid: Avoid) -> TestCase {
    let mut rng = Rng::for_test(seed, class.name, index);
    let mut regs = random_regs(&mut rng);
    let mem_seed = rng.next_u64();
    let mem = if class.memory { memory_from_seed(mem_seed, MEM_SIZE) } else { Vec::new() };
    regs.x[28] = 16 * rng.range(0, 255) as u64;
    regs.sp = 16 * rng.range(8, 248) as u64;
    regs.x[27] = match rng.below(6) {
        0 => rng.range(0, 64) as u64,
        1 => rng.range(-64, -1) as u64,
        2 => 0xffff_ffff - rng.below(64),
        3 => 0x1_0000_0000 + rng.below(64),
        4 => 8 * rng.range(-32, 32) as u64,
        _ => rng.range(-256, 256) as u64,
    };
    let n = 1 + rng.below(max_insns.clamp(1, MAX_INSNS) as u64) as usize;
    let sp = regs.sp;
    // One memory test in sixteen may end with a faulting access.
    let faults = (class.memory && rng.chance(1, 16)) as u32;
    let mut ctx = Ctx { rng: &mut rng, regs: &mut regs, mem: &mem, sp, monitor: None, faults, pos: 0 };
    let insns = match class.name {
        "branch" => branch_sequence(&mut ctx, n, avoid),
        "pauth" => {
            let mut v = Vec::new();
            while v.len() < n {
                ctx.pos = v.len();
                let pair = classes::pauth_pair(&mut ctx);
                if v.len() + pair.len() > MAX_INSNS {
                    break;
                }
                v.extend(pair);
            }
            v
        }
        "mixed" => {
            // Not the exclusives: whether another store to the marked bytes
            // clears the monitor is IMPLEMENTATION DEFINED.
            // Only classes judged by the same qemu as this one, and not the
            // pointer-authentication pairs (built above, not drawn word by
            // word).
            let pool: Vec<&'static Class> = CLASSES
                .iter()
                .filter(|c| c.group != Group::Control && c.name != "ldst-exclusive" && c.name != "pauth" && c.oracle == class.oracle)
                .collect();
            let mut v = Vec::new();
            for pos in 0..n {
                ctx.pos = pos;
                let c = ctx.rng.pick(&pool);
                match draw(&mut ctx, c, avoid) {
                    Some(w) => v.push(w),
                    None => break,
                }
            }
            v
        }
        _ => (0..n)
            .map_while(|pos| {
                ctx.pos = pos;
                draw(&mut ctx, class, avoid)
            })
            .collect(),
    };
    let memory = if class.memory { Memory::Seeded(mem_seed) } else { Memory::Untouched };
    TestCase { insns, regs, memory, dump_memory: false, slot: (index % CHUNK as u64) as u16 }
}

/// One valid word of `class` in the current context.
pub fn draw(ctx: &mut Ctx, class: &Class, avoid: Avoid) -> Option<u32> {
    let allowed = avoid.allowed.get(class.name);
    for _ in 0..TRIES {
        let form = class.forms[ctx.rng.below(class.forms.len() as u64) as usize];
        let raw = form.fixed | (ctx.rng.u32() & form.random);
        let saved = (ctx.sp, ctx.monitor, ctx.faults);
        match (class.fixup)(ctx, raw) {
            Some(w)
                if !avoid.excluded.contains(&w)
                    && classes::oracle_erratum(w, ctx.regs.fpcr).is_none()
                    && classes::qemu_only_encoding(w).is_none()
                    && allowed.is_none_or(|a| a.contains(&(w & class.key))) =>
            {
                return Some(w)
            }
            _ => (ctx.sp, ctx.monitor, ctx.faults) = saved,
        }
    }
    None
}

/// Integer instructions (many of them flag-setting) with forward branches
/// between them: B.cond, CBZ/CBNZ, TBZ/TBNZ and B, each to a later
/// instruction of the sequence or to its end.
fn branch_sequence(ctx: &mut Ctx, n: usize, avoid: Avoid) -> Vec<u32> {
    let body: Vec<&'static Class> =
        ["add-sub-imm", "add-sub-shifted", "logical-shifted", "cond-compare", "cond-select", "add-sub-carry", "bitfield"]
            .iter()
            .filter_map(|name| classes::by_name(name))
            .collect();
    let mut words = Vec::with_capacity(n);
    for i in 0..n {
        ctx.pos = i;
        let is_branch = i + 1 < n && ctx.rng.chance(1, 3);
        let w = if is_branch {
            // The target (1..=n-i words ahead) is the end of the sequence at most.
            let offset = 1 + ctx.rng.below((n - i) as u64) as u32;
            let reg = ctx.rng.below(32) as u32;
            match ctx.rng.below(5) {
                0 => 0x5400_0000 | (offset << 5) | ctx.rng.below(16) as u32,
                1 => 0x3400_0000 | (ctx.rng.below(2) as u32) << 31 | (ctx.rng.below(2) as u32) << 24 | (offset << 5) | reg,
                2 => {
                    let bit = ctx.rng.below(64) as u32;
                    0x3600_0000 | (bit >> 5) << 31 | (ctx.rng.below(2) as u32) << 24 | (bit & 31) << 19 | (offset << 5) | reg
                }
                3 => 0x5400_0000 | (offset << 5) | ctx.rng.pick(&[0u32, 1, 10, 11, 12, 13]),
                _ => 0x1400_0000 | offset,
            }
        } else {
            let c = ctx.rng.pick(&body);
            match draw(ctx, c, avoid) {
                Some(w) => w,
                None => break,
            }
        };
        words.push(w);
    }
    words
}
