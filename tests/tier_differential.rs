//! Differential test between Kestrel's execution tiers.
//!
//! Random instruction sequences (generated per instruction class from the
//! encoding fields, seeded and reproducible) run from the same random initial
//! state in the reference interpreter, in baseline code alone, and in
//! Cranelift-compiled code (straight away, or as a region after a few runs in
//! baseline code); the complete register state, flags and a block of memory
//! must be identical afterwards.

use kestrel::guest::aarch64::cpu::CpuState;
use kestrel::guest::aarch64::decode::{decode, Insn};
use kestrel::jit::{invalidate_range, Engine, EngineConfig, ExitReason};

/// Small deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const CODE_BYTES: usize = 4096;
const DATA_BYTES: usize = 1 << 18;
/// Base register for memory operands (points into the data block).
const BASE_REG: u32 = 28;
/// Index register for register-offset addressing (small values).
const INDEX_REG: u32 = 27;

/// Loop counter register in the loop tests.
const LOOP_REG: u32 = 26;

/// Anonymous RW mapping that stays at one address for the whole test.
struct Mapping {
    ptr: *mut u8,
    len: usize,
}
impl Mapping {
    fn new(len: usize) -> Mapping {
        // SAFETY: anonymous private mapping; checked for failure.
        let ptr = unsafe {
            libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0)
        };
        assert_ne!(ptr, libc::MAP_FAILED);
        Mapping { ptr: ptr as *mut u8, len }
    }
    fn bytes(&mut self) -> &mut [u8] {
        // SAFETY: the mapping is `len` bytes, owned by self.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
    fn addr(&self) -> u64 {
        self.ptr as u64
    }
}
impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mapping.
        unsafe { libc::munmap(self.ptr as *mut libc::c_void, self.len) };
    }
}

/// Instruction classes: (name, fixed bits, mask of bits that are random).
/// Memory classes get their base/index registers patched afterwards.
const CLASSES: &[(&str, u32, u32, bool)] = &[
    ("add/sub imm", 0x1100_0000, 0xe07f_ffff, false),
    ("logical imm", 0x1200_0000, 0xe07f_ffff, false),
    ("move wide", 0x1280_0000, 0xe07f_ffff, false),
    ("bitfield", 0x1300_0000, 0xe07f_ffff, false),
    ("extract", 0x1380_0000, 0x807f_ffff, false),
    ("logical shifted", 0x0a00_0000, 0xe0ff_ffff, false),
    ("add/sub shifted", 0x0b00_0000, 0xe0df_ffff, false),
    ("add/sub extended", 0x0b20_0000, 0xe01f_ffff, false),
    ("add/sub carry", 0x1a00_0000, 0xe01f_03ff, false),
    ("cond compare", 0x3a40_0000, 0xc01f_fc1f, false),
    ("cond select", 0x1a80_0000, 0xc01f_ffff, false),
    ("dp 1-source", 0x5ac0_0000, 0x8000_1fff, false),
    ("dp 2-source", 0x1ac0_0000, 0x801f_ffff, false),
    ("dp 3-source", 0x1b00_0000, 0x80ff_ffff, false),
    ("load/store imm", 0x3900_0000, 0xc4ff_ffff, true),
    ("load/store unscaled/pre/post", 0x3800_0000, 0xc4df_fcff, true),
    ("load/store reg offset", 0x3820_0800, 0xc4df_f3ff, true),
    ("load/store pair", 0x2800_0000, 0xc5ff_ffff, true),
    ("exclusive/ordered", 0x0800_0000, 0xc0ff_ffff, true),
    ("lse atomics", 0x3820_0000, 0xc0df_f0ff, true),
];

fn gen_insn(rng: &mut Rng, class: usize) -> u32 {
    let (_, fixed, random, memory) = CLASSES[class];
    loop {
        let mut w = fixed | (rng.next() as u32 & random);
        if memory {
            // Base register: BASE_REG or SP (both point into the data block).
            let base = if rng.below(4) == 0 { 31 } else { BASE_REG };
            w = (w & !(0x1f << 5)) | (base << 5);
            // Register offsets use INDEX_REG; never load into base/index.
            if CLASSES[class].0 == "load/store reg offset" {
                w = (w & !(0x1f << 16)) | (INDEX_REG << 16);
            }
            // Register fields that may be written: Rt always, Rt2 for pairs and
            // exclusives, Rs for exclusives' status and atomics' old value.
            let name = CLASSES[class].0;
            let written: &[u32] = match name {
                "load/store pair" => &[0, 10],
                "exclusive/ordered" => &[0, 10, 16],
                "lse atomics" => &[0, 16],
                _ => &[0],
            };
            for &shift in written {
                let r = (w >> shift) & 0x1f;
                if r == BASE_REG || r == INDEX_REG {
                    w = (w & !(0x1f << shift)) | ((rng.below(20) as u32) << shift);
                }
            }
        } else {
            // Keep the memory base registers intact for later instructions.
            let rd = w & 0x1f;
            if rd == BASE_REG || rd == INDEX_REG || rd == LOOP_REG || rd == 31 {
                w = (w & !0x1f) | rng.below(26) as u32;
            }
        }
        match decode(w) {
            Insn::Undefined(_) | Insn::SimdFp(_) => continue,
            i if i.ends_block() => continue,
            _ => return w,
        }
    }
}

fn random_state(rng: &mut Rng, data: u64) -> CpuState {
    let mut cpu = CpuState::default();
    for r in 0..31 {
        cpu.x[r] = match rng.below(6) {
            0 => 0,
            1 => rng.below(64),
            2 => u64::MAX - rng.below(4),
            3 => 0x8000_0000_0000_0000 ^ rng.below(3),
            4 => 0x7fff_ffff ^ rng.below(2) << 31,
            _ => rng.next(),
        };
    }
    cpu.x[BASE_REG as usize] = data + (DATA_BYTES / 2) as u64;
    cpu.x[INDEX_REG as usize] = rng.below(256);
    cpu.x[31] = data + (DATA_BYTES / 2) as u64 + 0x1000;
    cpu.set_nzcv(rng.below(16) << 28);
    for v in 0..32 {
        cpu.v[v] = ((rng.next() as u128) << 64) | rng.next() as u128;
    }
    cpu
}

fn run(engine: &mut Engine, cpu: &mut CpuState) -> ExitReason {
    loop {
        match engine.run(cpu) {
            ExitReason::ExitRequest => continue,
            other => return other,
        }
    }
}

/// Builds a loop: `mov x26, #n; L: body1; cbz xK, skip; body2; skip: subs x26,
/// x26, #1; b.ne L; svc #0` so that compiled regions with internal jumps,
/// backward edges and conditional exits are compared against the interpreter.
fn gen_loop(rng: &mut Rng, class: usize) -> Vec<u32> {
    let iterations = 4 + rng.below(20) as u32;
    let mut w = vec![0xd280_0000 | (iterations << 5) | LOOP_REG]; // movz x26, #n
    let body1: Vec<u32> = (0..1 + rng.below(4)).map(|_| gen_insn(rng, class)).collect();
    let body2: Vec<u32> = (0..1 + rng.below(4)).map(|_| gen_insn(rng, class)).collect();
    w.extend(&body1);
    let test_reg = rng.below(26) as u32;
    // cbz xK, +(len(body2)+1)*4
    w.push(0xb400_0000 | (((body2.len() as u32 + 1) & 0x7ffff) << 5) | test_reg);
    w.extend(&body2);
    w.push(0xf100_0400 | (LOOP_REG << 5) | LOOP_REG); // subs x26, x26, #1
    let back = -((body1.len() + body2.len() + 2) as i32);
    w.push(0x5400_0001 | (((back as u32) & 0x7ffff) << 5)); // b.ne L
    w
}

fn compare_class(class: usize, sequences: usize, seed: u64) {
    let mut code = Mapping::new(CODE_BYTES);
    let mut data = Mapping::new(DATA_BYTES);
    let mut rng = Rng(seed);
    let mut interp = Engine::new(EngineConfig { interpret_only: true, ..Default::default() });
    let mut jit = Engine::new(EngineConfig { jit_threshold: 1, ..Default::default() });
    // Compiled in the execution loop, so that every loop really runs as a region.
    let mut jit_regions = Engine::new(EngineConfig { jit_threshold: 3, background: false, ..Default::default() });
    let mut baseline = Engine::new(EngineConfig { optimizing: false, ..Default::default() });
    let memory_class = CLASSES[class].3;
    for seq in 0..sequences {
        let looping = !memory_class && seq % 2 == 1;
        let words: Vec<u32> = if looping {
            gen_loop(&mut rng, class)
        } else {
            let n = 1 + rng.below(8) as usize;
            (0..n).map(|_| gen_insn(&mut rng, class)).collect()
        };
        let bytes = code.bytes();
        for (i, w) in words.iter().chain(std::iter::once(&0xd400_0001u32)).enumerate() {
            bytes[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
        invalidate_range(code.addr(), CODE_BYTES as u64);
        let init_data: Vec<u8> = (0..DATA_BYTES).map(|_| rng.next() as u8).collect();
        let start = random_state(&mut rng, data.addr());

        if std::env::var_os("KESTREL_DIFF_VERBOSE").is_some() {
            eprintln!("{} #{seq}: {:x?}", CLASSES[class].0, words.iter().map(|w| decode(*w)).collect::<Vec<_>>());
        }
        let mut results = Vec::new();
        let second = if looping { &mut jit_regions } else { &mut jit };
        for engine in [&mut interp, second, &mut baseline] {
            data.bytes().copy_from_slice(&init_data);
            let mut cpu = start.clone();
            cpu.pc = code.addr();
            let exit = run(engine, &mut cpu);
            results.push((exit, cpu.x, cpu.nzcv(), cpu.v, cpu.pc, data.bytes().to_vec()));
        }
        for (b, tier) in [(&results[1], "jit"), (&results[2], "baseline")] {
        let a = &results[0];
        if a != b {
            let listing: Vec<String> = words.iter().map(|w| format!("{w:#010x} {:?}", decode(*w))).collect();
            let mut diff = String::new();
            for r in 0..32 {
                if a.1[r] != b.1[r] {
                    diff += &format!("  x{r}: interp {:#x} {tier} {:#x}\n", a.1[r], b.1[r]);
                }
            }
            if a.2 != b.2 {
                diff += &format!("  nzcv: interp {:#x} {tier} {:#x}\n", a.2, b.2);
            }
            if a.0 != b.0 || a.4 != b.4 {
                diff += &format!("  exit: interp {:?}@{:#x} {tier} {:?}@{:#x}\n", a.0, a.4, b.0, b.4);
            }
            if a.3 != b.3 {
                diff += "  vector registers differ\n";
            }
            if a.5 != b.5 {
                diff += "  memory differs\n";
            }
            panic!(
                "class {} seq {seq} (seed {seed:#x}) differs:\n{}\ninitial state:\n{:?}\n{diff}",
                CLASSES[class].0,
                listing.join("\n"),
                start
            );
        }
        }
    }
    // Every sequence must really have run as compiled code in the second engine.
    assert!(
        jit.stats().blocks_compiled + jit_regions.stats().blocks_compiled >= sequences as u64,
        "only {} of {sequences} blocks compiled for {}",
        jit.stats().blocks_compiled + jit_regions.stats().blocks_compiled,
        CLASSES[class].0
    );
    assert_eq!(interp.stats().blocks_compiled, 0);
    // And in baseline code in the third.
    let translated = baseline.baseline_stats().expect("the baseline backend runs").blocks;
    assert!(translated >= sequences as u64, "only {translated} of {sequences} blocks in baseline code for {}", CLASSES[class].0);
    assert_eq!(baseline.stats().blocks_compiled, 0);
}

#[test]
fn tiers_agree_on_random_sequences() {
    let per_class: usize = std::env::var("KESTREL_DIFF_SEQUENCES").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    let seed: u64 = std::env::var("KESTREL_DIFF_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x6b65_7374_7265_6c);
    for class in 0..CLASSES.len() {
        compare_class(class, per_class, seed ^ (class as u64 * 0x9e37_79b9));
    }
}
