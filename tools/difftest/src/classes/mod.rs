//! Instruction classes: encoding tables (fixed bits, random field masks) with
//! per-class constraint functions that make the random words valid, keep
//! the reserved registers intact and keep memory accesses inside the block.
//!
//! Reserved registers: X28 and SP are the only memory base registers (both
//! point into the block), X27 is the only index register; no generated
//! instruction writes X27, X28 or (except through load/store writeback) SP.

mod extensions;
mod fp;
mod int;
mod mem;
mod simd;

pub use extensions::pauth_pair;
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

/// Which qemu judges a class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Oracle {
    /// Debian's qemu-aarch64 (`$QEMU_AARCH64` or on `PATH`; 7.2 on bookworm).
    Debian,
    /// Debian trixie's qemu-aarch64 10 (`$QEMU10_AARCH64`, `--qemu10`), for
    /// the Armv8.6+ extensions, where 7.2 has known deviations.
    Qemu10,
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
    /// The qemu whose results are the reference.
    pub oracle: Oracle,
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
    /// The exclusive monitor: address and size of the outstanding
    /// load-exclusive, if any.
    pub monitor: Option<(u64, u32)>,
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

/// The qemu CPU model of every class: all architecture features (Kestrel's
/// `max` implements everything qemu's offers outside SVE, SME and MTE).
const MAX: &str = "max";

macro_rules! class {
    ($name:expr, $group:ident, $cpu:expr, $mem:expr, $fix:expr, [$(($f:expr, $r:expr)),+], $key:expr) => {
        Class { name: $name, group: Group::$group, forms: &[$(Form { fixed: $f, random: $r }),+], fixup: $fix, qemu_cpu: $cpu, memory: $mem, key: $key, oracle: Oracle::Debian }
    };
    ($name:expr, $group:ident, $cpu:expr, $mem:expr, $fix:expr, [$(($f:expr, $r:expr)),+ $(,)?]) => {
        Class { name: $name, group: Group::$group, forms: &[$(Form { fixed: $f, random: $r }),+], fixup: $fix, qemu_cpu: $cpu, memory: $mem, key: 0, oracle: Oracle::Debian }
    };
}

/// A class of one of the Armv8.2+ extensions, judged by qemu 10.
macro_rules! extension {
    ($name:expr, $fix:expr, [$(($f:expr, $r:expr)),+ $(,)?]) => {
        Class { name: $name, group: Group::Simd, forms: &[$(Form { fixed: $f, random: $r }),+], fixup: $fix, qemu_cpu: MAX, memory: false, key: 0, oracle: Oracle::Qemu10 }
    };
}

/// Every class, in report order. `branch` and `mixed` are generated by
/// `gen.rs` from the others.
pub static CLASSES: &[Class] = &[
    class!("add-sub-imm", Integer, MAX, false, int::add_sub_imm, [(0x1100_0000, 0xe07f_ffff)]),
    class!("logical-imm", Integer, MAX, false, int::logical_imm, [(0x1200_0000, 0xe07f_ffff)]),
    class!("move-wide", Integer, MAX, false, int::move_wide, [(0x1280_0000, 0xe07f_ffff)]),
    class!("bitfield", Integer, MAX, false, int::bitfield, [(0x1300_0000, 0xe07f_ffff)]),
    class!("extract", Integer, MAX, false, int::extract, [(0x1380_0000, 0x805f_ffff)]),
    class!("logical-shifted", Integer, MAX, false, int::shifted, [(0x0a00_0000, 0xe0ff_ffff)]),
    class!("add-sub-shifted", Integer, MAX, false, int::shifted, [(0x0b00_0000, 0xe0df_ffff)]),
    class!("add-sub-extended", Integer, MAX, false, int::add_sub_extended, [(0x0b20_0000, 0xe01f_ffff)]),
    class!("add-sub-carry", Integer, MAX, false, int::dest_xzr, [(0x1a00_0000, 0xe01f_03ff)]),
    class!("cond-compare", Integer, MAX, false, no_fixup, [(0x3a40_0000, 0xc01f_fbef)]),
    class!("cond-select", Integer, MAX, false, int::dest_xzr, [(0x1a80_0000, 0xc01f_f7ff)]),
    class!("dp-1src", Integer, MAX, false, int::dp_1src, [(0x5ac0_0000, 0x8000_1fff)]),
    class!("dp-2src", Integer, MAX, false, int::dp_2src, [(0x1ac0_0000, 0x801f_ffff)]),
    class!("dp-3src", Integer, MAX, false, int::dp_3src, [(0x1b00_0000, 0x80ff_ffff)]),
    class!(
        "pc-relative",
        Integer,
        MAX,
        false,
        int::pc_relative,
        [
            (0x1000_0000, 0xe0ff_ffff), // ADR, ADRP
            (0x1800_0000, 0xc4ff_ffff), // LDR (literal), LDRSW, PRFM, SIMD&FP
        ]
    ),
    class!("ldst-uimm", Memory, MAX, true, mem::single_uimm, [(0x3900_0000, 0xc4ff_ffff)]),
    class!("ldst-imm9", Memory, MAX, true, mem::single_imm9, [(0x3800_0000, 0xc4df_ffff)]),
    class!("ldst-regoff", Memory, MAX, true, mem::single_regoff, [(0x3820_0800, 0xc4df_f3ff)]),
    class!("ldst-pair", Memory, MAX, true, mem::pair, [(0x2800_0000, 0xc5ff_ffff)]),
    class!(
        "ldst-exclusive",
        Memory,
        MAX,
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
        MAX,
        true,
        mem::atomic,
        [
            (0x3820_0000, 0xc0df_f3ff), // LDADD..LDUMIN, SWP
            (0x08a0_7c00, 0xc05f_83ff), // CAS
            (0x0820_7c00, 0x405f_83ff), // CASP
        ]
    ),
    class!("ldst-simd-multi", Memory, MAX, true, mem::simd_multi, [(0x0c00_0000, 0x4040_ffff), (0x0c80_0000, 0x405f_ffff)]),
    class!("ldst-simd-single", Memory, MAX, true, mem::simd_single, [(0x0d00_0000, 0x4060_ffff), (0x0d80_0000, 0x407f_ffff)]),
    class!("fp-1src", Fp, MAX, false, fp::one_source, [(0x1e20_4000, 0x00df_83ff)], 0x00df_8000),
    class!("fp-2src", Fp, MAX, false, fp::two_source, [(0x1e20_0800, 0x00df_f3ff)], 0x00c0_f000),
    class!("fp-3src", Fp, MAX, false, no_fixup, [(0x1f00_0000, 0x00ff_ffff)], 0x00e0_8000),
    class!("fp-compare", Fp, MAX, false, no_fixup, [(0x1e20_2000, 0x00df_03f8)], 0x00c0_0018),
    class!("fp-ccmp", Fp, MAX, false, no_fixup, [(0x1e20_0400, 0x00df_f3ff)], 0x00c0_0000),
    class!("fp-csel", Fp, MAX, false, no_fixup, [(0x1e20_0c00, 0x00df_f3ff)], 0x00c0_0000),
    class!("fp-imm", Fp, MAX, false, no_fixup, [(0x1e20_1000, 0x00df_e01f)], 0x00c0_0000),
    class!("fp-int-convert", Fp, MAX, false, fp::int_convert, [(0x1e20_0000, 0x80df_03ff)], 0x80df_0000),
    class!("fp-fixed-convert", Fp, MAX, false, fp::fixed_convert, [(0x1e00_0000, 0x80df_ffff)], 0x80df_8000),
    class!("simd-three-same", Simd, MAX, false, no_fixup, [(0x0e20_0400, 0x60df_fbff)], 0x60c0_f800),
    class!("simd-three-diff", Simd, MAX, false, no_fixup, [(0x0e20_0000, 0x60df_f3ff)], 0x60c0_f000),
    class!("simd-two-misc", Simd, MAX, false, no_fixup, [(0x0e20_0800, 0x60c1_f3ff)], 0x60c1_f000),
    class!("simd-across", Simd, MAX, false, no_fixup, [(0x0e30_0800, 0x60c1_f3ff)], 0x60c1_f000),
    class!("simd-copy", Simd, MAX, false, simd::copy, [(0x0e00_0400, 0x601f_7bff)], 0x601f_7800),
    class!("simd-permute", Simd, MAX, false, no_fixup, [(0x0e00_0800, 0x40df_73ff)], 0x40c0_7000),
    class!("simd-ext", Simd, MAX, false, no_fixup, [(0x2e00_0000, 0x40df_7bff)], 0x40c0_7800),
    class!("simd-table", Simd, MAX, false, no_fixup, [(0x0e00_0000, 0x40df_73ff)], 0x40c0_7000),
    class!("simd-modified-imm", Simd, MAX, false, no_fixup, [(0x0f00_0400, 0x6007_fbff)], 0x6000_f800),
    class!("simd-shift-imm", Simd, MAX, false, simd::shift_imm, [(0x0f00_0400, 0x607f_fbff)], 0x6078_f800),
    class!("simd-by-element", Simd, MAX, false, no_fixup, [(0x0f00_0000, 0x60ff_fbff)], 0x60f0_f800),
    class!("simd-scalar-three-same", Simd, MAX, false, no_fixup, [(0x5e20_0400, 0x20df_fbff)], 0x20c0_f800),
    class!("simd-scalar-three-diff", Simd, MAX, false, no_fixup, [(0x5e20_0000, 0x20df_f3ff)], 0x20c0_f000),
    class!("simd-scalar-two-misc", Simd, MAX, false, no_fixup, [(0x5e20_0800, 0x20c1_f3ff)], 0x20c1_f000),
    class!("simd-scalar-pairwise", Simd, MAX, false, no_fixup, [(0x5e30_0800, 0x20c1_f3ff)], 0x20c1_f000),
    class!("simd-scalar-copy", Simd, MAX, false, no_fixup, [(0x5e00_0400, 0x201f_7bff)], 0x201f_7800),
    class!("simd-scalar-shift-imm", Simd, MAX, false, simd::shift_imm, [(0x5f00_0400, 0x207f_fbff)], 0x2078_f800),
    class!("simd-scalar-by-element", Simd, MAX, false, no_fixup, [(0x5f00_0000, 0x20ff_fbff)], 0x20f0_f800),
    class!("simd-three-same-extra", Simd, MAX, false, simd::three_same_extra, [(0x0e00_8400, 0x60df_7bff)], 0x60c0_7800),
    class!("simd-scalar-three-same-extra", Simd, MAX, false, simd::three_same_extra, [(0x5e00_8400, 0x20df_7bff)], 0x20c0_7800),
    class!("simd-fp16-three-same", Simd, MAX, false, no_fixup, [(0x0e40_0400, 0x609f_3bff)], 0x6080_3800),
    class!("simd-fp16-two-misc", Simd, MAX, false, no_fixup, [(0x0e78_0800, 0x6081_f3ff)], 0x6081_f000),
    class!("simd-scalar-fp16-three-same", Simd, MAX, false, no_fixup, [(0x5e40_0400, 0x209f_3bff)], 0x2080_3800),
    class!("simd-scalar-fp16-two-misc", Simd, MAX, false, no_fixup, [(0x5e78_0800, 0x2081_f3ff)], 0x2081_f000),
    class!("crypto-aes", Simd, MAX, false, no_fixup, [(0x4e28_0800, 0x0001_f3ff)], 0x0001_f000),
    class!(
        "crypto-sha",
        Simd,
        MAX,
        false,
        simd::sha,
        [
            (0x5e00_0000, 0x001f_73ff), // SHA1C/P/M/SU0, SHA256H/H2/SU1
            (0x5e28_0800, 0x0001_f3ff), // SHA1H, SHA1SU1, SHA256SU0
        ]
    ),
    class!(
        "crypto-sha512-sha3",
        Simd,
        MAX,
        false,
        simd::sha512_sha3,
        [
            (0xce60_8000, 0x001f_0fff), // SHA512H/H2/SU1, RAX1
            (0xcec0_8000, 0x0000_03ff), // SHA512SU0
            (0xce00_0000, 0x003f_7fff), // EOR3, BCAX
            (0xce80_0000, 0x001f_ffff), // XAR
        ]
    ),
    // The Armv8.2-8.6 extensions, judged by qemu 10 (see `extensions.rs`).
    extension!(
        "fcma",
        extensions::fcma,
        [
            (0x2e00_c400, 0x40df_3bff), // FCMLA, FCADD (vector)
            (0x2f00_1000, 0x40ff_6bff), // FCMLA (by element)
        ]
    ),
    extension!(
        "fhm",
        extensions::fhm,
        [
            (0x0e20_cc00, 0x609f_23ff), // FMLAL, FMLSL, FMLAL2, FMLSL2 (vector)
            (0x0f80_0000, 0x603f_cbff), // the same, by element
        ]
    ),
    extension!(
        "i8mm",
        extensions::i8mm,
        [
            (0x4e80_a400, 0x201f_0bff), // SMMLA, UMMLA, USMMLA
            (0x0e80_9c00, 0x401f_03ff), // USDOT (vector)
            (0x0f80_f000, 0x403f_0bff), // USDOT (by element)
            (0x0f00_f000, 0x403f_0bff), // SUDOT (by element)
        ]
    ),
    extension!(
        "bf16",
        no_fixup,
        [
            (0x2e40_fc00, 0x401f_03ff), // BFDOT (vector)
            (0x6e40_ec00, 0x001f_03ff), // BFMMLA
            (0x2ec0_fc00, 0x401f_03ff), // BFMLALB, BFMLALT (vector)
            (0x0f40_f000, 0x403f_0bff), // BFDOT (by element)
            (0x0fc0_f000, 0x403f_0bff), // BFMLALB, BFMLALT (by element)
            (0x1e63_4000, 0x0000_03ff), // BFCVT
            (0x0ea1_6800, 0x4000_03ff), // BFCVTN, BFCVTN2
        ]
    ),
    extension!(
        "sm3",
        no_fixup,
        [
            (0xce40_0000, 0x001f_7fff), // SM3SS1
            (0xce40_8000, 0x001f_3fff), // SM3TT1A, SM3TT1B, SM3TT2A, SM3TT2B
            (0xce60_c000, 0x001f_07ff), // SM3PARTW1, SM3PARTW2
        ]
    ),
    extension!(
        "sm4",
        no_fixup,
        [
            (0xce60_c800, 0x001f_03ff), // SM4EKEY
            (0xcec0_8400, 0x0000_03ff), // SM4E
        ]
    ),
    Class {
        group: Group::Integer,
        ..extension!(
            "flagm",
            extensions::flagm,
            [
                (0xd500_401f, 0x0000_0060), // CFINV, XAFLAG, AXFLAG
                (0xba00_0400, 0x001f_83ef), // RMIF
                (0x3a00_080d, 0x0000_43e0), // SETF8, SETF16
            ]
        )
    },
    // Pointer authentication: judged by Debian's qemu 7.2, whose `max` has
    // FEAT_PAuth without FEAT_FPAC, as Kestrel's. The keys are random in
    // both emulators, so gen.rs builds sequences whose results do not depend
    // on them: each PAC is followed by the AUT or XPAC that undoes it.
    Class {
        group: Group::Integer,
        oracle: Oracle::Debian,
        ..extension!("pauth", extensions::pauth_single, [(0xdac1_43e0, 0x0000_041f)]) // XPACI, XPACD
    },
    // Generated in gen.rs: forward branches between integer instructions, and
    // sequences drawn from every other class.
    class!("branch", Control, MAX, false, no_fixup, [(0, 0)]),
    class!("mixed", Control, MAX, true, no_fixup, [(0, 0)]),
];

/// The class called `name`.
pub fn by_name(name: &str) -> Option<&'static Class> {
    CLASSES.iter().find(|c| c.name == name)
}

/// Encodings the architecture leaves unallocated (binutils and LLVM
/// disassemble them as undefined) but that Debian's qemu 7.2 executes,
/// because its A64 decoder ignores a bit in a few FP16 and
/// modified-immediate forms. Kestrel rightly refuses them, so they are not
/// generated. Calibration also drops what binutils' disassembler calls
/// unallocated, but that disassembler (Debian's binutils-aarch64-linux-gnu)
/// may be missing; this list keeps generation the same without it.
pub fn qemu_only_encoding(w: u32) -> Option<&'static str> {
    let u = field(w, 29, 1);
    let o1 = field(w, 23, 1);
    let sz = field(w, 22, 1);
    let opcode = field(w, 12, 5);
    // FMAXNMV, FMINNMV, FMAXV, FMINV (half precision): U = 0, bit 22 is 0.
    if w & 0x9f3e_0c00 == 0x0e30_0800 && u == 0 && sz == 1 && matches!(opcode, 0b01100 | 0b01111) {
        return Some("qemu 7.2 ignores sz of the FP16 across-lanes forms");
    }
    // FMAXNMP, FADDP, FMAXP, FMINNMP, FMINP (scalar, half precision): U = 0,
    // bit 22 is 0.
    if w & 0xdf3e_0c00 == 0x5e30_0800
        && u == 0
        && sz == 1
        && matches!((o1, opcode), (0, 0b01100 | 0b01101 | 0b01111) | (1, 0b01100 | 0b01111))
    {
        return Some("qemu 7.2 ignores sz of the FP16 scalar pairwise forms");
    }
    // FMOV (vector, immediate), half precision: o2 = 1 needs op = 0 and
    // cmode = 1111; qemu takes op = 1 as the double-precision form.
    if w & 0xbff8_fc00 == 0x2f00_fc00 {
        return Some("qemu 7.2 executes modified immediate op = 1, cmode = 1111, o2 = 1");
    }
    // Scalar two-register misc (FP16), U = 1, a = 1, opcode 01111: FNEG has
    // no AdvSIMD scalar form.
    if w & 0xffff_fc00 == 0x7ef8_f800 {
        return Some("qemu 7.2 executes FNEG Hd, Hn in the AdvSIMD scalar space");
    }
    None
}

/// Encodings on which the oracle, Debian's qemu 7.2, is known to deviate from
/// the architecture (under the test's FPCR, which generated code never
/// changes); not generated, so that they can neither hide nor fake Kestrel
/// bugs. Each entry names the deviation.
pub fn oracle_erratum(w: u32, fpcr: u64) -> Option<&'static str> {
    // FCVTZS (scalar, fixed-point) from half precision: qemu writes the
    // 16-bit result sign-extended to 32 bits (Hd's upper bits must be zero).
    if w & 0xff80_fc00 == 0x5f00_fc00 && field(w, 20, 3) == 1 {
        return Some("qemu 7.2 sign-extends FCVTZS Hd, Hn, #fbits to 32 bits");
    }
    // FJCVTZS with FPCR.FZ: a subnormal input flushed to zero must clear Z
    // (FPToFixedJS: "Denormalized input flushed to zero"); qemu sets it.
    if w & 0xffff_fc00 == 0x1e7e_0000 && fpcr & (1 << 24) != 0 {
        return Some("qemu 7.2 sets Z for FJCVTZS of a flushed subnormal");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::qemu_only_encoding;

    /// The words qemu 7.2 runs and binutils calls undefined, and their
    /// allocated neighbours (the same words with the stray bit cleared).
    #[test]
    fn qemu_only_encodings() {
        let unallocated = [0x0e70_c8e7, 0x0ef0_f968, 0x4e70_ca2b, 0x4ef0_f85e, 0x0e70_f800, 0x5e70_c806, 0x5ef0_c8e8, 0x5e70_d81d];
        let unallocated2 = [0x5e70_f800, 0x5ef0_f800, 0x2f00_fc11, 0x2f03_fc26, 0x6f00_fc11, 0x7ef8_f804, 0x7ef8_f83f];
        for w in unallocated.into_iter().chain(unallocated2) {
            assert!(qemu_only_encoding(w).is_some(), "{w:#010x}");
        }
        // fmaxnmv h7, v7.4h; fminv h8, v11.4h; fmaxnmp h6, v0.2h; fminnmp
        // h8, v7.2h; faddp h29, v0.2h; fmov v17.4h, #2.0; fmov v17.8h,
        // #2.0; fmov v0.2d, #31.0; fneg v4.8h, v0.8h; fcmle h4, h0, #0.0;
        // faddp s0, v1.2s; faddp d0, v1.2d.
        let allocated = [0x0e30_c8e7, 0x0eb0_f968, 0x5e30_c806, 0x5eb0_c8e8, 0x5e30_d81d, 0x0f00_fc11, 0x4f00_fc11, 0x6f01_f7e0];
        let allocated2 = [0x6ef8_f804, 0x7ef8_d804, 0x7e30_d820, 0x7e70_d820];
        for w in allocated.into_iter().chain(allocated2) {
            assert!(qemu_only_encoding(w).is_none(), "{w:#010x}");
        }
    }
}
