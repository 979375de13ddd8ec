//! The binary records exchanged with the guest harness; the layout is defined
//! in `guest/protocol.h` and mirrored here offset by offset.

/// Most instructions in one test.
pub const MAX_INSNS: usize = 16;
/// Size of the memory block the tests may access.
pub const MEM_SIZE: usize = 4096;
/// Guest address of the memory block (fixed, the same under every emulator).
pub const MEM_ADDR: u64 = 0x7e00_0000;
/// Guest address of the code region: the exit stub page, then the slots.
pub const CODE_ADDR: u64 = 0x7d00_0000;
/// Guest address of the first test slot.
pub const SLOTS_ADDR: u64 = CODE_ADDR + 4096;
/// Bytes per test slot.
pub const SLOT_BYTES: u64 = 128;
/// Tests the harness loads (and whose code it writes) at a time.
pub const CHUNK: usize = 512;

const IN_MAGIC: u32 = 0x4954_444b;
const OUT_MAGIC: u32 = 0x4f54_444b;
/// Size of a `test_in` record.
pub const IN_SIZE: usize = 896;
/// Size of a `test_out` record.
pub const OUT_SIZE: usize = 832;

const FLAG_DUMP_MEM: u32 = 1;
const FLAG_EXPLICIT_MEM: u32 = 2;
const FLAG_NO_MEM: u32 = 4;

/// Architectural register state of a test. `sp` and `x[28]` are offsets into
/// the memory block (the harness relocates them to `MEM_ADDR`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Regs {
    /// Stack pointer (offset into the block).
    pub sp: u64,
    /// NZCV in bits 31:28.
    pub nzcv: u64,
    /// FPCR.
    pub fpcr: u64,
    /// FPSR.
    pub fpsr: u64,
    /// X0-X30 (X28 as an offset into the block).
    pub x: [u64; 31],
    /// V0-V31.
    pub v: [u128; 32],
}

/// Where a test's initial memory comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Memory {
    /// The test touches no memory: the harness neither fills nor hashes it.
    Untouched,
    /// Filled by the harness from this seed (see [`crate::rng::memory_from_seed`]).
    Seeded(u64),
    /// These exact bytes.
    Explicit(Vec<u8>),
}

impl Memory {
    /// The initial bytes of the block, when the test uses it.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        match self {
            Memory::Untouched => None,
            Memory::Seeded(s) => Some(crate::rng::memory_from_seed(*s, MEM_SIZE)),
            Memory::Explicit(b) => Some(b.clone()),
        }
    }
}

/// One test: a straight instruction sequence and its initial state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestCase {
    /// Instruction words.
    pub insns: Vec<u32>,
    /// Initial registers.
    pub regs: Regs,
    /// Initial memory.
    pub memory: Memory,
    /// Ask the harness for the final memory contents, not just their hash.
    pub dump_memory: bool,
    /// Code slot (`0..CHUNK`): fixes the instructions' addresses, which
    /// PC-relative instructions see.
    pub slot: u16,
}

/// A test's result as reported by the harness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// 0 if the sequence ran to its end, else the signal it raised.
    pub signal: u32,
    /// Index of the faulting instruction (`None` if none, or outside the test).
    pub fault_index: Option<usize>,
    /// The signal's `si_addr`.
    pub fault_addr: u64,
    /// Hash of the final memory block (0 if untouched).
    pub mem_hash: u64,
    /// Final registers, or the registers at the fault.
    pub regs: Regs,
    /// Final memory, when requested.
    pub memory: Option<Vec<u8>>,
}

fn put_regs(out: &mut Vec<u8>, r: &Regs) {
    for v in [r.sp, r.nzcv, r.fpcr, r.fpsr] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in r.x {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&0u64.to_le_bytes()); // `code`, set by the harness
    for v in r.v {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().expect("8 bytes"))
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().expect("4 bytes"))
}

fn get_regs(b: &[u8]) -> Regs {
    let mut r = Regs { sp: u64_at(b, 0), nzcv: u64_at(b, 8), fpcr: u64_at(b, 16), fpsr: u64_at(b, 24), ..Regs::default() };
    for (i, x) in r.x.iter_mut().enumerate() {
        *x = u64_at(b, 32 + 8 * i);
    }
    for (i, v) in r.v.iter_mut().enumerate() {
        *v = u128::from_le_bytes(b[288 + 16 * i..304 + 16 * i].try_into().expect("16 bytes"));
    }
    r
}

impl TestCase {
    /// Appends the test's input record (and explicit memory) to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        assert!(self.insns.len() <= MAX_INSNS, "too many instructions");
        let mut flags = 0;
        let mut seed = 0;
        match &self.memory {
            Memory::Untouched => flags |= FLAG_NO_MEM,
            Memory::Seeded(s) => seed = *s,
            Memory::Explicit(_) => flags |= FLAG_EXPLICIT_MEM,
        }
        if self.dump_memory {
            flags |= FLAG_DUMP_MEM;
        }
        let start = out.len();
        for v in [IN_MAGIC, self.insns.len() as u32, flags, self.slot as u32 % CHUNK as u32] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&seed.to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes());
        put_regs(out, &self.regs);
        for i in 0..MAX_INSNS {
            out.extend_from_slice(&self.insns.get(i).copied().unwrap_or(0).to_le_bytes());
        }
        debug_assert_eq!(out.len() - start, IN_SIZE);
        if let Memory::Explicit(m) = &self.memory {
            assert_eq!(m.len(), MEM_SIZE);
            out.extend_from_slice(m);
        }
    }

    /// Bytes of the result record the harness writes for this test.
    pub fn output_size(&self) -> usize {
        OUT_SIZE + if self.dump_memory { MEM_SIZE } else { 0 }
    }
}

impl Outcome {
    /// Parses a result record (with the memory dump if `b` is long enough).
    pub fn decode(b: &[u8]) -> Result<Outcome, String> {
        if b.len() < OUT_SIZE || u32_at(b, 0) != OUT_MAGIC {
            return Err("malformed result record from the harness".into());
        }
        let index = u32_at(b, 8) as i32;
        Ok(Outcome {
            signal: u32_at(b, 4),
            fault_index: usize::try_from(index).ok(),
            fault_addr: u64_at(b, 16),
            mem_hash: u64_at(b, 24),
            regs: get_regs(&b[32..OUT_SIZE]),
            memory: (b.len() >= OUT_SIZE + MEM_SIZE).then(|| b[OUT_SIZE..OUT_SIZE + MEM_SIZE].to_vec()),
        })
    }
}

/// Index within its test of the instruction at guest address `pc`, if `pc`
/// is inside a test slot (the slot's first word loads X30 and is not part
/// of the test).
pub fn insn_index_of_pc(pc: u64) -> Option<usize> {
    if pc < SLOTS_ADDR || pc >= SLOTS_ADDR + CHUNK as u64 * SLOT_BYTES {
        return None;
    }
    let word = ((pc - SLOTS_ADDR) % SLOT_BYTES) / 4;
    (1..=MAX_INSNS as u64).contains(&word).then(|| word as usize - 1)
}
