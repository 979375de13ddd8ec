//! Pointer authentication (FEAT_PAuth): the arithmetic behind PAC*, AUT*,
//! XPAC* and PACGA, kept free of CPU state so both tiers and a later system
//! mode can call it.
//!
//! A pointer authentication code (PAC) is a keyed hash of a pointer and a
//! 64-bit modifier, stored in the pointer's otherwise unused upper bits. Which
//! bits those are depends on the address layout of the translation regime
//! ([`PacLayout`]); the hash is either the architecture's QARMA5 block cipher
//! or an implementation-defined function ([`PacAlgorithm`]).
//!
//! This implements FEAT_PAuth as first specified (no EPAC, PAuth2 or FPAC):
//! a pointer with bad extension bits gets a deliberately corrupted PAC, and a
//! failed authentication leaves a two-bit error code in the pointer so that
//! using it faults, rather than trapping at the AUT* instruction.
//!
//! The functions follow the Arm ARM pseudocode of the same names
//! (`AddPAC`, `Auth`, `Strip`, `ComputePAC`).

mod impdef;
mod qarma;
#[cfg(test)]
mod tests;

/// Which keyed function computes the PAC.
///
/// The architecture defines QARMA5 but allows an implementation-defined
/// algorithm in its place (ID_AA64ISAR1_EL1.API/GPI instead of APA/GPA).
/// Software cannot tell them apart beyond the ID registers, because keys are
/// private to a process and PACs are only ever compared with PACs made by
/// the same CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PacAlgorithm {
    /// The architected QARMA-64 variant with five rounds each way.
    Qarma5,
    /// Kestrel's own faster function (module `impdef`); what `-cpu max`
    /// uses unless QARMA5 is asked for, as with qemu's `pauth-impdef`.
    ImpDef,
}

/// One 128-bit key, as its two system registers hold it (`AP*KeyLo_EL1`,
/// `AP*KeyHi_EL1`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PacKey {
    /// Bits 63:0 of the key (`AP*KeyLo_EL1`).
    pub lo: u64,
    /// Bits 127:64 of the key (`AP*KeyHi_EL1`).
    pub hi: u64,
}

/// The five keys of one thread: two for instruction addresses, two for data
/// addresses, one for the generic PACGA.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PacKeys {
    /// Instruction key A (PACIA, AUTIA, RETAA, BRAA, ...).
    pub ia: PacKey,
    /// Instruction key B.
    pub ib: PacKey,
    /// Data key A (PACDA, AUTDA, LDRAA).
    pub da: PacKey,
    /// Data key B.
    pub db: PacKey,
    /// Generic key (PACGA).
    pub ga: PacKey,
}

/// The four address keys, as instructions name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyName {
    /// Instruction key A.
    IA,
    /// Instruction key B.
    IB,
    /// Data key A.
    DA,
    /// Data key B.
    DB,
}

impl KeyName {
    /// Data keys authenticate data addresses, whose TBI setting may differ
    /// from instruction addresses' (TCR_ELx.TBIDn).
    pub fn is_data(self) -> bool {
        matches!(self, KeyName::DA | KeyName::DB)
    }

    /// The B keys report a different error code when authentication fails.
    pub fn is_b(self) -> bool {
        matches!(self, KeyName::IB | KeyName::DB)
    }
}

impl PacKeys {
    /// The key an address instruction names.
    pub fn get(&self, name: KeyName) -> PacKey {
        match name {
            KeyName::IA => self.ia,
            KeyName::IB => self.ib,
            KeyName::DA => self.da,
            KeyName::DB => self.db,
        }
    }
}

/// The address-layout parameters of one half of the address space
/// (TCR_ELx.TnSZ, TBIn and TBIDn for the range selected by bit 55).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacRange {
    /// Virtual address size, 64 - TnSZ: the PAC field starts at this bit.
    /// Values outside 16..=52 are clamped, as the architecture's
    /// CalculateBottomPACBit constrains an out-of-range TnSZ.
    pub va_bits: u32,
    /// Top-byte-ignore for data addresses (TBIn).
    pub tbi_data: bool,
    /// Top-byte-ignore for instruction addresses (TBIn and not TBIDn).
    pub tbi_insn: bool,
}

impl PacRange {
    fn tbi(self, data: bool) -> bool {
        if data {
            self.tbi_data
        } else {
            self.tbi_insn
        }
    }

    /// The lowest bit of the PAC field (CalculateBottomPACBit).
    fn bottom_pac_bit(self) -> u32 {
        self.va_bits.clamp(16, 52)
    }
}

/// Address layout the PAC field depends on, for a regime with a lower
/// (bit 55 clear, TTBR0) and an upper (bit 55 set, TTBR1) range. A regime
/// with a single range (EL2 without E2H, EL3) is [`PacLayout::single`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacLayout {
    /// The range of addresses with bit 55 clear.
    pub lower: PacRange,
    /// The range of addresses with bit 55 set.
    pub upper: PacRange,
}

impl PacLayout {
    /// A regime with one translation range: its settings apply whatever
    /// bit 55 says (the pseudocode's `PtrHasUpperAndLowerAddRanges` false
    /// gives the same answers as two equal ranges).
    pub const fn single(range: PacRange) -> Self {
        PacLayout { lower: range, upper: range }
    }

    fn range(&self, upper: bool) -> PacRange {
        if upper {
            self.upper
        } else {
            self.lower
        }
    }

    /// EffectiveTBI: bit 55 picks the range whose TBI applies.
    fn tbi(&self, ptr: u64, data: bool) -> bool {
        self.range(bit(ptr, 55)).tbi(data)
    }
}

/// Linux user mode on arm64: EL0 of the EL1&0 regime with a 48-bit VA
/// (T0SZ = T1SZ = 16) and top-byte-ignore on user addresses, for data and
/// instructions alike (TBI0 set, TBID0 clear: the kernel reports PAC masks of
/// bits 54:48 for both). The kernel's own range has no TBI (TBI1 clear unless
/// the kernel uses tagged KASAN or MTE), which only matters for a user
/// pointer with bit 55 set.
pub const LINUX_USER: PacLayout = PacLayout {
    lower: PacRange { va_bits: 48, tbi_data: true, tbi_insn: true },
    upper: PacRange { va_bits: 48, tbi_data: false, tbi_insn: false },
};

/// The architecture's ComputePAC, or the implementation-defined function:
/// a 64-bit keyed hash of `data` tweaked by `modifier`.
pub fn compute_pac(alg: PacAlgorithm, data: u64, modifier: u64, key: PacKey) -> u64 {
    match alg {
        PacAlgorithm::Qarma5 => qarma::compute_pac(data, modifier, key),
        PacAlgorithm::ImpDef => impdef::compute_pac(data, modifier, key),
    }
}

fn bit(x: u64, n: u32) -> bool {
    (x >> n) & 1 != 0
}

/// Bits `hi:lo` set (inclusive).
fn field(hi: u32, lo: u32) -> u64 {
    (u64::MAX >> (63 - hi)) & (u64::MAX << lo)
}

/// The PAC field of a pointer: bits 54:bottom, plus the top byte when the
/// top byte is not ignored. Bit 55 is never part of it: it records which
/// range the pointer belongs to.
fn pac_field(bottom: u32, tbi: bool) -> u64 {
    let top_byte = if tbi { 0 } else { field(63, 56) };
    field(54, bottom) | top_byte
}

/// `ptr` with its PAC field replaced by copies of `ext` (the pointer the PAC
/// was computed over).
fn extend(ptr: u64, ext: bool, bottom: u32, tbi: bool) -> u64 {
    let bits = field(if tbi { 55 } else { 63 }, bottom);
    if ext {
        ptr | bits
    } else {
        ptr & !bits
    }
}

/// AddPAC: inserts a PAC for `ptr` into its upper bits (PACIA, PACDB, ...).
///
/// A pointer whose extension bits are not all equal gets a PAC with one bit
/// inverted, so that authenticating it always fails; bit 55 is kept so the
/// authenticated pointer can still tell which range it belongs to.
pub fn add_pac(alg: PacAlgorithm, layout: PacLayout, ptr: u64, modifier: u64, key: PacKey, data: bool) -> u64 {
    let tbi = layout.tbi(ptr, data);
    // With tagging on in either range, bit 55 decides the range even when
    // the top byte disagrees with it; otherwise bit 63 does.
    let any_tbi = layout.lower.tbi(data) || layout.upper.tbi(data);
    let selbit = if any_tbi { bit(ptr, 55) } else { bit(ptr, 63) };
    let bottom = layout.range(selbit).bottom_pac_bit();
    let top = if tbi { 55 } else { 63 };

    let mut pac = compute_pac(alg, extend(ptr, selbit, bottom, tbi), modifier, key);
    let ext_bits = ptr & field(top, bottom);
    if ext_bits != 0 && ext_bits != field(top, bottom) {
        pac ^= 1 << (top - 1);
    }

    let kept = if tbi { field(63, 56) | field(bottom - 1, 0) } else { field(bottom - 1, 0) };
    (ptr & kept) | (pac & pac_field(bottom, tbi)) | (u64::from(selbit) << 55)
}

/// The pointer a PAC-carrying `ptr` was made from: the PAC field replaced by
/// copies of bit 55, and whether the top byte is ignored.
fn original_ptr(layout: PacLayout, ptr: u64, data: bool) -> (u64, u32, bool) {
    let tbi = layout.tbi(ptr, data);
    let upper = bit(ptr, 55);
    let bottom = layout.range(upper).bottom_pac_bit();
    (extend(ptr, upper, bottom, tbi), bottom, tbi)
}

/// Auth: checks the PAC in `ptr` and returns the pointer without it (AUTIA,
/// RETAA, LDRAA, ...). On failure the pointer gets the error code of the key
/// (01 for A, 10 for B) in bits 54:53, or 62:61 without TBI, which makes it
/// non-canonical so that a later use faults.
pub fn auth(
    alg: PacAlgorithm,
    layout: PacLayout,
    ptr: u64,
    modifier: u64,
    key: PacKey,
    data: bool,
    key_b: bool,
) -> u64 {
    let (original, bottom, tbi) = original_ptr(layout, ptr, data);
    let pac = compute_pac(alg, original, modifier, key);
    if (pac ^ ptr) & pac_field(bottom, tbi) == 0 {
        return original;
    }
    let error_code: u64 = if key_b { 0b10 } else { 0b01 };
    let shift = if tbi { 53 } else { 61 };
    (original & !(0b11 << shift)) | (error_code << shift)
}

/// Strip: removes the PAC without checking it (XPACI, XPACD, XPACLRI).
pub fn strip(layout: PacLayout, ptr: u64, data: bool) -> u64 {
    original_ptr(layout, ptr, data).0
}

/// PACGA: the upper 32 bits of the generic key's PAC of `n` tweaked by `m`,
/// in the upper half of the result.
pub fn pacga(alg: PacAlgorithm, n: u64, m: u64, key: PacKey) -> u64 {
    compute_pac(alg, n, m, key) & field(63, 32)
}
