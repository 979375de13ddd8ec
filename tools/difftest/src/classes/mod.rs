//! Instruction classes: encoding tables (fixed bits, random field masks) with
//! per-class constraint functions that make the random words valid, keep
//! the reserved registers intact and keep memory accesses inside the block.
//!
//! Reserved registers: X28 and SP are the only memory base registers (both
//! point into the block), X27 is the only index register; no generated
//! instruction writes X27, X28 or (except through load/store writeback) SP.

mod fp;
mod int;
mod mem;
mod simd;

use crate::protocol::Regs;
use crate::rng::Rng;

/// The broad kind of a class (used for grouping in reports).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Integer data processing.
    Integer,
    /// Loads and stores.
    Memory,
    /// Scalar floating point.
    Fp,
    /// Advanced SIMD.
    Simd,
    /// Mixed sequences, forward branches.
    Control,
}

/// One encoding alternative: the bits that are always set, and the bits
/// that are drawn at random.
#[derive(Clone, Copy, Debug)]
pub struct Form {
    /// Bits that are always set.
    pub fixed: u32,
    /// Bits drawn at random (disjoint from `fixed`).
    pub random: u32,
}

/// Makes a random word of the class valid for the test: rewrites fields,
/// may adjust the initial state through the context, or rejects the word
/// (`None`) so that another is drawn.
pub type Fixup = fn(&mut Ctx, u32) -> Option<u32>;

/// An instruction class.
pub struct Class {
    /// Name used on the command line and in reports.
    pub name: &'static str,
    /// Kind of instructions.
    pub group: Group,
    /// Encoding alternatives, drawn uniformly.
    pub forms: &'static [Form],
    /// Constraints.
    pub fixup: Fixup,
    /// qemu CPU model whose features match what Kestrel implements for this
    /// class (Armv8.0 for most; LSE needs an Armv8.1+ model).
    pub qemu_cpu: &'static str,
    /// The tests of this class access the memory block.
    pub memory: bool,
    /// The bits that decide whether a word of this class is allocated
    /// (opcode, size, type fields; not registers or most immediates). When
    /// non-zero, every combination is probed under qemu once per run (see
    /// `calibrate.rs`) and the generator draws only allocated ones.
    pub key: u32,
}

/// State the constraint functions see while a sequence is generated.
pub struct Ctx<'a> {
    /// The test's generator.
    pub rng: &'a mut Rng,
    /// Initial registers (constraint functions may pick initial values, e.g.
    /// the expected value of a compare-and-swap).
    pub regs: &'a mut Regs,
    /// Initial memory of the block.
    pub mem: &'a [u8],
    /// SP (offset into the block) at the current point of the sequence.
    pub sp: u64,
    /// Address and size of the most recent load-exclusive, so that a later
    /// store-exclusive can target it.
    pub last_exclusive: Option<(u64, u32, bool)>,
    /// Accesses that may still be placed entirely in the inaccessible page
    /// next to the block, so that the emulators' fault paths (state at the
    /// faulting instruction, signal delivery) are compared too.
    pub faults: u32,
    /// Index in the sequence of the instruction being generated.
    pub pos: usize,
}

impl Ctx<'_> {
    /// A register number other than X27/X28, including 31 if `allow31`.
    pub fn free_reg(&mut self, allow31: bool) -> u32 {
        loop {
            let r = self.rng.below(32) as u32;
            if r != 27 && r != 28 && (allow31 || r != 31) {
                return r;
            }
        }
    }

    /// Replaces the 5-bit register field at `shift` if it names X27/X28 (or
    /// 31 when that would be SP or is otherwise not allowed).
    pub fn protect(&mut self, w: u32, shift: u32, allow31: bool) -> u32 {
        let r = (w >> shift) & 31;
        if r == 27 || r == 28 || (r == 31 && !allow31) {
            set(w, shift, 5, self.free_reg(allow31))
        } else {
            w
        }
    }

    /// The 64-bit little-endian word of initial memory at `offset`.
    pub fn mem_u64(&self, offset: u64) -> u64 {
        let o = offset as usize;
        if o + 8 > self.mem.len() {
            return 0;
        }
        u64::from_le_bytes(self.mem[o..o + 8].try_into().expect("8 bytes"))
    }
}

/// `w` with the `width`-bit field at `shift` replaced by `value`.
pub fn set(w: u32, shift: u32, width: u32, value: u32) -> u32 {
    let mask = ((1u64 << width) - 1) as u32;
    (w & !(mask << shift)) | ((value & mask) << shift)
}

/// The `width`-bit field at `shift`.
pub fn field(w: u32, shift: u32, width: u32) -> u32 {
    (w >> shift) & ((1u64 << width) - 1) as u32
}

fn no_fixup(_: &mut Ctx, w: u32) -> Option<u32> {
    Some(w)
}

const V80: &str = "cortex-a57";
const V82: &str = "neoverse-n1";

macro_rules! class {
    ($name:expr, $group:ident, $cpu:expr, $mem:expr, $fix:expr, [$(($f:expr, $r:expr)),+], $key:expr) => {
        Class { name: $name, group: Group::$group, forms: &[$(Form { fixed: $f, random: $r }),+], fixup: $fix, qemu_cpu: $cpu, memory: $mem, key: $key }
    };
    ($name:expr, $group:ident, $cpu:expr, $mem:expr, $fix:expr, [$(($f:expr, $r:expr)),+ $(,)?]) => {
        Class { name: $name, group: Group::$group, forms: &[$(Form { fixed: $f, random: $r }),+], fixup: $fix, qemu_cpu: $cpu, memory: $mem, key: 0 }
    };
}

/// Every class, in report order. `branch` and `mixed` are generated by
/// `gen.rs` from the others.
pub static CLASSES: &[Class] = &[
    class!("add-sub-imm", Integer, V80, false, int::add_sub_imm, [(0x1100_0000, 0xe07f_ffff)]),
    class!("logical-imm", Integer, V80, false, int::logical_imm, [(0x1200_0000, 0xe07f_ffff)]),
    class!("move-wide", Integer, V80, false, int::move_wide, [(0x1280_0000, 0xe07f_ffff)]),
    class!("bitfield", Integer, V80, false, int::bitfield, [(0x1300_0000, 0xe07f_ffff)]),
    class!("extract", Integer, V80, false, int::extract, [(0x1380_0000, 0x805f_ffff)]),
    class!("logical-shifted", Integer, V80, false, int::shifted, [(0x0a00_0000, 0xe0ff_ffff)]),
    class!("add-sub-shifted", Integer, V80, false, int::shifted, [(0x0b00_0000, 0xe0df_ffff)]),
    class!("add-sub-extended", Integer, V80, false, int::add_sub_extended, [(0x0b20_0000, 0xe01f_ffff)]),
    class!("add-sub-carry", Integer, V80, false, int::dest_xzr, [(0x1a00_0000, 0xe01f_03ff)]),
    class!("cond-compare", Integer, V80, false, no_fixup, [(0x3a40_0000, 0xc01f_fbef)]),
    class!("cond-select", Integer, V80, false, int::dest_xzr, [(0x1a80_0000, 0xc01f_f7ff)]),
    class!("dp-1src", Integer, V80, false, int::dp_1src, [(0x5ac0_0000, 0x8000_1fff)]),
    class!("dp-2src", Integer, V80, false, int::dp_2src, [(0x1ac0_0000, 0x801f_ffff)]),
    class!("dp-3src", Integer, V80, false, int::dp_3src, [(0x1b00_0000, 0x80ff_ffff)]),
    class!(
        "pc-relative",
        Integer,
        V80,
        false,
        int::pc_relative,
        [
            (0x1000_0000, 0xe0ff_ffff), // ADR, ADRP
            (0x1800_0000, 0xc4ff_ffff), // LDR (literal), LDRSW, PRFM, SIMD&FP
        ]
    ),
    class!("ldst-uimm", Memory, V80, true, mem::single_uimm, [(0x3900_0000, 0xc4ff_ffff)]),
    class!("ldst-imm9", Memory, V80, true, mem::single_imm9, [(0x3800_0000, 0xc4df_ffff)]),
    class!("ldst-regoff", Memory, V80, true, mem::single_regoff, [(0x3820_0800, 0xc4df_f3ff)]),
    class!("ldst-pair", Memory, V80, true, mem::pair, [(0x2800_0000, 0xc5ff_ffff)]),
    class!(
        "ldst-exclusive",
        Memory,
        V80,
        true,
        mem::exclusive,
        [
            (0x085f_7c00, 0xc000_83ff), // LDXR, LDAXR
            (0x0800_7c00, 0xc01f_83ff), // STXR, STLXR
            (0x887f_0000, 0x4000_ffff), // LDXP, LDAXP
            (0x8820_0000, 0x401f_ffff), // STXP, STLXP
            (0x08df_fc00, 0xc000_03ff), // LDAR
            (0x089f_fc00, 0xc000_03ff), // STLR
        ]
    ),
    class!(
        "ldst-atomic",
        Memory,
        V82,
        true,
        mem::atomic,
        [
            (0x3820_0000, 0xc0df_f3ff), // LDADD..LDUMIN, SWP
            (0x08a0_7c00, 0xc05f_83ff), // CAS
            (0x0820_7c00, 0x405f_83ff), // CASP
        ]
    ),
    class!("ldst-simd-multi", Memory, V80, true, mem::simd_multi, [(0x0c00_0000, 0x4040_ffff), (0x0c80_0000, 0x405f_ffff)]),
    class!("ldst-simd-single", Memory, V80, true, mem::simd_single, [(0x0d00_0000, 0x4060_ffff), (0x0d80_0000, 0x407f_ffff)]),
    class!("fp-1src", Fp, V80, false, fp::one_source, [(0x1e20_4000, 0x00df_83ff)], 0x00df_8000),
    class!("fp-2src", Fp, V80, false, fp::two_source, [(0x1e20_0800, 0x00df_f3ff)], 0x00c0_f000),
    class!("fp-3src", Fp, V80, false, no_fixup, [(0x1f00_0000, 0x00ff_ffff)], 0x00e0_8000),
    class!("fp-compare", Fp, V80, false, no_fixup, [(0x1e20_2000, 0x00df_03f8)], 0x00c0_0018),
    class!("fp-ccmp", Fp, V80, false, no_fixup, [(0x1e20_0400, 0x00df_f3ff)], 0x00c0_0000),
    class!("fp-csel", Fp, V80, false, no_fixup, [(0x1e20_0c00, 0x00df_f3ff)], 0x00c0_0000),
    class!("fp-imm", Fp, V80, false, no_fixup, [(0x1e20_1000, 0x00df_e01f)], 0x00c0_0000),
    class!("fp-int-convert", Fp, V80, false, fp::int_convert, [(0x1e20_0000, 0x80df_03ff)], 0x80df_0000),
    class!("fp-fixed-convert", Fp, V80, false, fp::fixed_convert, [(0x1e00_0000, 0x80df_ffff)], 0x80df_8000),
    class!("simd-three-same", Simd, V80, false, no_fixup, [(0x0e20_0400, 0x60df_fbff)], 0x60c0_f800),
    class!("simd-three-diff", Simd, V80, false, no_fixup, [(0x0e20_0000, 0x60df_f3ff)], 0x60c0_f000),
    class!("simd-two-misc", Simd, V80, false, no_fixup, [(0x0e20_0800, 0x60c1_f3ff)], 0x60c1_f000),
    class!("simd-across", Simd, V80, false, no_fixup, [(0x0e30_0800, 0x60c1_f3ff)], 0x60c1_f000),
    class!("simd-copy", Simd, V80, false, simd::copy, [(0x0e00_0400, 0x601f_7bff)], 0x601f_7800),
    class!("simd-permute", Simd, V80, false, no_fixup, [(0x0e00_0800, 0x40df_73ff)], 0x40c0_7000),
    class!("simd-ext", Simd, V80, false, no_fixup, [(0x2e00_0000, 0x40df_7bff)], 0x40c0_7800),
    class!("simd-table", Simd, V80, false, no_fixup, [(0x0e00_0000, 0x40df_73ff)], 0x40c0_7000),
    class!("simd-modified-imm", Simd, V80, false, no_fixup, [(0x0f00_0400, 0x6007_fbff)], 0x6000_f800),
    class!("simd-shift-imm", Simd, V80, false, simd::shift_imm, [(0x0f00_0400, 0x607f_fbff)], 0x6078_f800),
    class!("simd-by-element", Simd, V80, false, no_fixup, [(0x0f00_0000, 0x60ff_fbff)], 0x60f0_f800),
    class!("simd-scalar-three-same", Simd, V80, false, no_fixup, [(0x5e20_0400, 0x20df_fbff)], 0x20c0_f800),
    class!("simd-scalar-three-diff", Simd, V80, false, no_fixup, [(0x5e20_0000, 0x20df_f3ff)], 0x20c0_f000),
    class!("simd-scalar-two-misc", Simd, V80, false, no_fixup, [(0x5e20_0800, 0x20c1_f3ff)], 0x20c1_f000),
    class!("simd-scalar-pairwise", Simd, V80, false, no_fixup, [(0x5e30_0800, 0x20c1_f3ff)], 0x20c1_f000),
    class!("simd-scalar-copy", Simd, V80, false, no_fixup, [(0x5e00_0400, 0x201f_7bff)], 0x201f_7800),
    class!("simd-scalar-shift-imm", Simd, V80, false, simd::shift_imm, [(0x5f00_0400, 0x207f_fbff)], 0x2078_f800),
    class!("simd-scalar-by-element", Simd, V80, false, no_fixup, [(0x5f00_0000, 0x20ff_fbff)], 0x20f0_f800),
    // Generated in gen.rs: forward branches between integer instructions, and
    // sequences drawn from every other class.
    class!("branch", Control, V80, false, no_fixup, [(0, 0)]),
    class!("mixed", Control, V82, true, no_fixup, [(0, 0)]),
];

/// The class called `name`.
pub fn by_name(name: &str) -> Option<&'static Class> {
    CLASSES.iter().find(|c| c.name == name)
}

/// Encodings of features Kestrel does not claim (it advertises FP, AdvSIMD,
/// CRC32 and LSE atomics) that fall inside the classes' masks and that the
/// Armv8.2 qemu model would execute: FP16, RDM, dot product, FHM, complex
/// FP multiply-add, PMULL of 64-bit lanes (crypto), LDAPR (RCpc).
pub fn unclaimed_feature(w: u32) -> bool {
    let ftype = field(w, 22, 2);
    // Scalar FP data processing and conversions with ftype = half, except FCVT
    // from half (Armv8.0).
    let fp_dp = w & 0x5f20_0000 == 0x1e20_0000 || w & 0x5f20_0000 == 0x1e00_0000 || w & 0xff00_0000 == 0x1f00_0000;
    let fcvt_from_half = w & 0xfffe_7c00 == 0x1ee2_4000;
    if fp_dp && ftype == 3 && !fcvt_from_half {
        return true;
    }
    // Vector and scalar "by element".
    if w & 0x9f00_0400 == 0x0f00_0000 || w & 0xdf00_0400 == 0x5f00_0000 {
        let u = field(w, 29, 1);
        let opcode = field(w, 12, 4);
        let size = field(w, 22, 2);
        let fp16 = size == 0 && matches!(opcode, 0b0001 | 0b0101 | 0b1001);
        let other = opcode == 0b1110
            || (u == 0 && matches!(opcode, 0b0000 | 0b0100 | 0b1111))
            || (u == 1 && matches!(opcode, 0b1000 | 0b1100 | 0b1101 | 0b1111 | 0b0001 | 0b0011 | 0b0101 | 0b0111 | 0b1011));
        if fp16 || other {
            return true;
        }
    }
    // Across lanes and scalar pairwise FP with U = 0: the half-precision forms.
    if (w & 0x9f3e_0c00 == 0x0e30_0800 || w & 0xdf3e_0c00 == 0x5e30_0800) && field(w, 29, 1) == 0 {
        let opcode = field(w, 12, 5);
        let fp = matches!(opcode, 0x0c | 0x0d | 0x0f);
        let pairwise_scalar = w & 0x1000_0000 != 0;
        if fp && (pairwise_scalar || opcode != 0x0d) {
            return true;
        }
    }
    // PMULL/PMULL2 of 64-bit lanes.
    if w & 0x9f20_fc00 == 0x0e20_e000 && field(w, 22, 2) == 3 {
        return true;
    }
    // LSE space: o3 = 1 is SWP (opc 000) or LDAPR (RCpc).
    if w & 0x3f20_0c00 == 0x3820_0000 && field(w, 15, 1) == 1 && field(w, 12, 3) != 0 {
        return true;
    }
    false
}
