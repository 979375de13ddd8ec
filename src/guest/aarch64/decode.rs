//! A64 decoder: one 32-bit instruction word to a typed [`Insn`].
//!
//! The decoder follows the Arm ARM's top-level encoding groups (bits 28:25) and
//! then each group's own table. Register fields keep the architectural number;
//! whether 31 means SP or XZR is fixed per variant and written in its doc.
//! FP/AdvSIMD data processing and structure loads/stores are passed through as
//! [`Insn::SimdFp`] and handled by `super::simd`.

/// Shift applied to a register operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shift {
    /// Logical shift left.
    Lsl,
    /// Logical shift right.
    Lsr,
    /// Arithmetic shift right.
    Asr,
    /// Rotate right (logical instructions only).
    Ror,
}

/// Extension applied to a register operand (`UXTB` .. `SXTX`), by the 3-bit
/// `option` field: bit 2 = signed, bits 1:0 = log2 of the source width in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extend(pub u8);

impl Extend {
    /// Applies the extension and left shift to `value`.
    #[inline(always)]
    pub fn apply(self, value: u64, shift: u8) -> u64 {
        let bits = 8u32 << (self.0 & 3);
        let v = if bits == 64 {
            value
        } else if self.0 & 4 != 0 {
            (((value << (64 - bits)) as i64) >> (64 - bits)) as u64
        } else {
            value & ((1u64 << bits) - 1)
        };
        v << shift
    }
}

/// Operation of a data-processing instruction on two registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogicOp {
    /// AND / BIC.
    And,
    /// ORR / ORN.
    Orr,
    /// EOR / EON.
    Eor,
    /// ANDS / BICS (sets flags).
    Ands,
}

/// One-source data processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dp1Op {
    /// Reverse bits.
    Rbit,
    /// Reverse bytes in each halfword.
    Rev16,
    /// Reverse bytes in each word (64-bit only).
    Rev32,
    /// Reverse all bytes.
    Rev,
    /// Count leading zeros.
    Clz,
    /// Count leading sign bits.
    Cls,
    /// Count trailing zeros (FEAT_CSSC).
    Ctz,
    /// Count set bits (FEAT_CSSC).
    Cnt,
    /// Absolute value (FEAT_CSSC).
    Abs,
}

/// Two-source data processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dp2Op {
    /// Unsigned divide.
    Udiv,
    /// Signed divide.
    Sdiv,
    /// Variable shift left.
    Lslv,
    /// Variable logical shift right.
    Lsrv,
    /// Variable arithmetic shift right.
    Asrv,
    /// Variable rotate right.
    Rorv,
    /// CRC32 (polynomial 0x04C11DB7) over `1 << size` bytes of Rm.
    Crc32 { size: u8 },
    /// CRC32C (polynomial 0x1EDC6F41) over `1 << size` bytes of Rm.
    Crc32c { size: u8 },
    /// Maximum or minimum (FEAT_CSSC).
    MinMax(MinMax),
    /// PACGA: a 32-bit code for Rn with modifier Rm|SP (FEAT_PAuth).
    Pacga,
}

/// The FEAT_CSSC maximum and minimum operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinMax {
    /// Signed maximum.
    Smax,
    /// Unsigned maximum.
    Umax,
    /// Signed minimum.
    Smin,
    /// Unsigned minimum.
    Umin,
}

impl MinMax {
    /// The operation numbered as in the encodings (opc<1:0>: U, then min).
    fn from_bits(b: u32) -> MinMax {
        [MinMax::Smax, MinMax::Umax, MinMax::Smin, MinMax::Umin][b as usize & 3]
    }
}

/// The flag-manipulation instructions (FEAT_FlagM, FEAT_FlagM2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagOp {
    /// CFINV: C = !C.
    Cfinv,
    /// XAFLAG: converts FCMP-style flags from the "external" format.
    Xaflag,
    /// AXFLAG: converts FCMP flags to the "external" format.
    Axflag,
    /// RMIF: rotates Xn right by `lsb` and moves the bits selected by `mask`
    /// (N, Z, C, V = bits 3..0) into the flags.
    Rmif { rn: u8, lsb: u8, mask: u8 },
    /// SETF8/SETF16: N, Z, V from the low 8 or 16 bits of Wn.
    Setf { rn: u8, sixteen: bool },
}

/// Which pointer-authentication key an instruction uses.
pub use super::pauth::KeyName as PacKeyName;

/// The key numbered as in the encodings: IA, IB, DA, DB.
fn pac_key(b: u32) -> PacKeyName {
    [PacKeyName::IA, PacKeyName::IB, PacKeyName::DA, PacKeyName::DB][b as usize & 3]
}

/// The modifier of a pointer-authentication operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacModifier {
    /// A general register; 31 is SP.
    Reg(u8),
    /// Zero (the Z forms).
    Zero,
}

/// What a pointer-authentication instruction does to its register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacOp {
    /// PAC*: inserts a code.
    Sign(PacKeyName),
    /// AUT*: checks and removes a code.
    Auth(PacKeyName),
    /// XPACI/XPACD/XPACLRI: removes a code without checking it.
    Strip { data: bool },
}

/// Three-source data processing (multiplies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dp3Op {
    /// Rd = Ra + Rn * Rm.
    Madd,
    /// Rd = Ra - Rn * Rm.
    Msub,
    /// Rd = Ra + sext(Wn) * sext(Wm).
    Smaddl,
    /// Rd = Ra - sext(Wn) * sext(Wm).
    Smsubl,
    /// Rd = Ra + zext(Wn) * zext(Wm).
    Umaddl,
    /// Rd = Ra - zext(Wn) * zext(Wm).
    Umsubl,
    /// High 64 bits of the signed 128-bit product.
    Smulh,
    /// High 64 bits of the unsigned 128-bit product.
    Umulh,
}

/// What a single-register load or store does with the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LdStKind {
    /// Store the low `size` bytes of a general register (31 = XZR).
    Store,
    /// Load and zero-extend into a general register.
    Load,
    /// Load and sign-extend to 64 bits.
    LoadSigned64,
    /// Load and sign-extend to 32 bits (upper half zeroed).
    LoadSigned32,
    /// Store the low `size` bytes of a SIMD&FP register.
    StoreVec,
    /// Load into a SIMD&FP register, zeroing the rest of it.
    LoadVec,
    /// Prefetch: no architectural effect.
    Prefetch,
}

/// How a load/store forms its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrMode {
    /// [Xn|SP, #imm]
    Offset(i64),
    /// [Xn|SP, #imm]! (base updated before the access)
    PreIndex(i64),
    /// [Xn|SP], #imm (base updated after the access)
    PostIndex(i64),
    /// [Xn|SP, Xm/Wm, extend #shift]
    Register {
        /// Offset register (31 = XZR).
        rm: u8,
        /// Extension of the offset register.
        extend: Extend,
        /// Left shift applied after extension.
        shift: u8,
    },
}

/// Read-modify-write operation of an LSE atomic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtomicOp {
    /// Add.
    Add,
    /// Bit clear (AND NOT).
    Clr,
    /// Exclusive OR.
    Eor,
    /// Bit set (OR).
    Set,
    /// Signed maximum.
    Smax,
    /// Signed minimum.
    Smin,
    /// Unsigned maximum.
    Umax,
    /// Unsigned minimum.
    Umin,
    /// Swap.
    Swp,
}

/// Kind of branch through a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BranchRegKind {
    /// BR.
    Br,
    /// BLR (writes X30).
    Blr,
    /// RET.
    Ret,
}

/// Cache maintenance operations allowed at EL0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOp {
    /// DC ZVA: zero a block of `DCZID`-given size.
    DcZva,
    /// IC IVAU: invalidate instruction cache for an address (drops translations).
    IcIvau,
    /// DC CVAU/CVAC/CIVAC/CVAP/CVADP: no effect on emulated memory.
    DcClean,
}

/// ERET.
pub const ERET: u32 = 0xd69f_03e0;

/// Whether `word` is in the space whose meaning depends on the exception
/// level and the system registers: system instructions (hints, barriers,
/// MSR/MRS, SYS), exception generation (SVC, HVC, SMC, BRK, ...) and ERET.
/// In system mode these run outside translated code.
#[inline(always)]
pub fn is_system_space(word: u32) -> bool {
    word & 0xffc0_0000 == 0xd500_0000 || word & 0xff00_0000 == 0xd400_0000 || word == ERET
}

/// LDTR/STTR and their byte, halfword and signed forms: at EL1 their data
/// accesses are checked with EL0's permissions.
#[inline(always)]
pub fn is_unprivileged_load_store(word: u32) -> bool {
    word & 0x3f20_0c00 == 0x3800_0800
}

/// A decoded A64 instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insn {
    /// ADD/SUB(S) immediate. Rn is SP-capable; Rd is SP-capable unless `set_flags`.
    AddSubImm { sf: bool, sub: bool, set_flags: bool, rd: u8, rn: u8, imm: u64 },
    /// AND/ORR/EOR/ANDS immediate. Rd is SP-capable unless ANDS; Rn is XZR-capable.
    LogicImm { sf: bool, op: LogicOp, rd: u8, rn: u8, imm: u64 },
    /// MOVN/MOVZ/MOVK (`opc`: 0 MOVN, 2 MOVZ, 3 MOVK).
    MovWide { sf: bool, opc: u8, rd: u8, imm16: u16, shift: u8 },
    /// ADR/ADRP: Rd = base + imm where base is PC (ADR) or its 4 KiB page (ADRP).
    Adr { rd: u8, value_from_pc: i64, page: bool },
    /// SBFM/BFM/UBFM (`opc`: 0 SBFM, 1 BFM, 2 UBFM).
    Bitfield { sf: bool, opc: u8, rd: u8, rn: u8, immr: u8, imms: u8 },
    /// EXTR: Rd = (Rn:Rm) >> lsb.
    Extr { sf: bool, rd: u8, rn: u8, rm: u8, lsb: u8 },
    /// ADD/SUB(S) shifted register (31 = XZR everywhere).
    AddSubShifted { sf: bool, sub: bool, set_flags: bool, rd: u8, rn: u8, rm: u8, shift: Shift, amount: u8 },
    /// ADD/SUB(S) extended register. Rn SP-capable; Rd SP-capable unless `set_flags`.
    AddSubExt { sf: bool, sub: bool, set_flags: bool, rd: u8, rn: u8, rm: u8, extend: Extend, amount: u8 },
    /// Logical shifted register, `invert` for BIC/ORN/EON/BICS.
    LogicShifted { sf: bool, op: LogicOp, invert: bool, rd: u8, rn: u8, rm: u8, shift: Shift, amount: u8 },
    /// ADC/SBC(S).
    AddSubCarry { sf: bool, sub: bool, set_flags: bool, rd: u8, rn: u8, rm: u8 },
    /// CCMP/CCMN with register or 5-bit immediate second operand.
    CondCompare { sf: bool, sub: bool, rn: u8, rm_or_imm: u8, is_imm: bool, nzcv: u8, cond: u8 },
    /// CSEL/CSINC/CSINV/CSNEG: Rd = cond ? Rn : f(Rm) with `invert`/`increment`.
    CondSelect { sf: bool, invert: bool, increment: bool, rd: u8, rn: u8, rm: u8, cond: u8 },
    /// One-source data processing.
    Dp1 { sf: bool, op: Dp1Op, rd: u8, rn: u8 },
    /// Two-source data processing.
    Dp2 { sf: bool, op: Dp2Op, rd: u8, rn: u8, rm: u8 },
    /// Multiply-add family.
    Dp3 { sf: bool, op: Dp3Op, rd: u8, rn: u8, rm: u8, ra: u8 },

    /// B/BL to pc + offset.
    Branch { offset: i64, link: bool },
    /// B.cond.
    BranchCond { cond: u8, offset: i64 },
    /// CBZ/CBNZ.
    CompareBranch { sf: bool, nonzero: bool, rt: u8, offset: i64 },
    /// TBZ/TBNZ.
    TestBranch { nonzero: bool, bit: u8, rt: u8, offset: i64 },
    /// BR/BLR/RET.
    BranchReg { kind: BranchRegKind, rn: u8 },
    /// SVC #imm.
    Svc { imm: u16 },
    /// BRK #imm.
    Brk { imm: u16 },
    /// Hints (NOP, YIELD, BTI, PAC hint space, ...) and barriers: no effect here.
    Nop,
    /// DMB, DSB (`full`: orders earlier stores before later loads too) and
    /// ISB (`full` false).
    Barrier { full: bool },
    /// CLREX: clears the exclusive monitor.
    Clrex,
    /// MRS Xt, sysreg (`sysreg` = op0:op1:CRn:CRm:op2 as 16 bits).
    Mrs { rt: u8, sysreg: u16 },
    /// MSR sysreg, Xt.
    Msr { rt: u8, sysreg: u16 },
    /// MSR PSTATE field, #imm with op1 = 3 (DAIFSet, DAIFClr, DIT, SSBS,
    /// TCO): in user mode accepted with no effect; a system-mode front end
    /// gives it its meaning (`interp::set_msr_hook`, `sysregs::pstate_field`).
    MsrImm { op2: u8, imm: u8 },
    /// DC/IC operations permitted at EL0.
    Cache { op: CacheOp, rt: u8 },

    /// Single-register load/store. Rn is SP-capable.
    LdSt { kind: LdStKind, size: u8, rt: u8, rn: u8, mode: AddrMode },
    /// PC-relative literal load.
    LdLiteral { kind: LdStKind, size: u8, rt: u8, offset: i64 },
    /// Load/store pair. `size` is log2 bytes per register.
    LdStPair { kind: LdStKind, size: u8, rt: u8, rt2: u8, rn: u8, mode: AddrMode },
    /// LDXR/LDAXR (and pair forms when `pair`).
    LoadExclusive { size: u8, pair: bool, rt: u8, rt2: u8, rn: u8 },
    /// STXR/STLXR (and pair forms): Rs receives 0 on success, 1 on failure.
    StoreExclusive { size: u8, pair: bool, rs: u8, rt: u8, rt2: u8, rn: u8 },
    /// LDAR/LDAPR/LDLAR: ordered loads (x86-64 loads already acquire).
    LoadAcquire { size: u8, rt: u8, rn: u8 },
    /// STLR/STLLR: ordered stores (needs a fence after on x86-64 for SC).
    StoreRelease { size: u8, rt: u8, rn: u8 },
    /// CAS family: compare Rs with memory, store Rt if equal; Rs gets the old value.
    Cas { size: u8, rs: u8, rt: u8, rn: u8 },
    /// CASP family: pair compare-and-swap on Rs:Rs+1 / Rt:Rt+1.
    Casp { size: u8, rs: u8, rt: u8, rn: u8 },
    /// LD<op>/SWP: Rt gets the old value, memory gets op(old, Rs).
    Atomic { op: AtomicOp, size: u8, rs: u8, rt: u8, rn: u8 },

    /// SMAX/UMAX/SMIN/UMIN with an 8-bit immediate (FEAT_CSSC; signed
    /// forms sign-extend it).
    MinMaxImm { sf: bool, op: MinMax, rd: u8, rn: u8, imm: u64 },
    /// CFINV, XAFLAG, AXFLAG, RMIF, SETF8, SETF16.
    Flags(FlagOp),
    /// PAC*, AUT*, XPAC* on Rd (the data-processing forms and the hint
    /// forms, which name X30 or X17 and SP, zero or X16 as modifier).
    Pac { op: PacOp, rd: u8, modifier: PacModifier },
    /// BRAA/BRAB/BLRAA/BLRAB/RETAA/RETAB and the Z forms: authenticates Rn
    /// with an instruction key, then branches like BR/BLR/RET.
    BranchRegPac { kind: BranchRegKind, rn: u8, key_b: bool, modifier: PacModifier },
    /// LDRAA/LDRAB: authenticates Rn with a data key and zero modifier, then
    /// loads 64 bits from it plus `offset` (written back when `writeback`).
    LoadPac { key_b: bool, rt: u8, rn: u8, offset: i64, writeback: bool },

    /// FP/AdvSIMD data processing or structure load/store (see `simd`).
    SimdFp(u32),
    /// Unallocated or not implemented: SIGILL.
    Undefined(u32),
}

impl Insn {
    /// True if this instruction ends a translation block (changes control flow or
    /// needs the front end).
    pub fn ends_block(&self) -> bool {
        matches!(
            self,
            Insn::Branch { .. }
                | Insn::BranchCond { .. }
                | Insn::CompareBranch { .. }
                | Insn::TestBranch { .. }
                | Insn::BranchReg { .. }
                | Insn::BranchRegPac { .. }
                | Insn::Svc { .. }
                | Insn::Brk { .. }
                | Insn::Undefined(_)
                | Insn::Cache { op: CacheOp::IcIvau, .. }
        )
    }
}

#[inline(always)]
fn bits(word: u32, hi: u32, lo: u32) -> u32 {
    (word >> lo) & ((1u32 << (hi - lo + 1)) - 1)
}

#[inline(always)]
fn bit(word: u32, n: u32) -> bool {
    (word >> n) & 1 != 0
}

/// Sign-extends the low `width` bits of `value`.
#[inline(always)]
pub fn sign_extend(value: u64, width: u32) -> i64 {
    ((value << (64 - width)) as i64) >> (64 - width)
}

#[inline(always)]
fn reg(word: u32, lo: u32) -> u8 {
    bits(word, lo + 4, lo) as u8
}

/// Decodes one instruction word.
pub fn decode(word: u32) -> Insn {
    let op0 = bits(word, 28, 25);
    let decoded = match op0 {
        0b1000 | 0b1001 => decode_dp_imm(word),
        0b1010 | 0b1011 => decode_branch_sys(word),
        0b0100 | 0b0110 | 0b1100 | 0b1110 => decode_ldst(word),
        0b0101 | 0b1101 => decode_dp_reg(word),
        0b0111 | 0b1111 => Some(Insn::SimdFp(word)),
        _ => None,
    };
    decoded.unwrap_or(Insn::Undefined(word))
}

fn decode_dp_imm(word: u32) -> Option<Insn> {
    let sf = bit(word, 31);
    let rd = reg(word, 0);
    let rn = reg(word, 5);
    match bits(word, 25, 23) {
        0b000 | 0b001 => {
            let immlo = bits(word, 30, 29) as u64;
            let immhi = bits(word, 23, 5) as u64;
            let imm = sign_extend((immhi << 2) | immlo, 21);
            let page = bit(word, 31);
            Some(Insn::Adr { rd, value_from_pc: if page { imm << 12 } else { imm }, page })
        }
        0b010 => {
            let mut imm = bits(word, 21, 10) as u64;
            if bit(word, 22) {
                imm <<= 12;
            }
            Some(Insn::AddSubImm { sf, sub: bit(word, 30), set_flags: bit(word, 29), rd, rn, imm })
        }
        0b011 if bit(word, 22) => {
            // Min/max (immediate), FEAT_CSSC: sf 0 0 100011 1 opc imm8 Rn Rd.
            let opc = bits(word, 21, 18);
            if bits(word, 30, 29) != 0 || opc > 3 {
                return None;
            }
            let op = MinMax::from_bits(opc);
            let imm8 = bits(word, 17, 10) as u64;
            let imm = if matches!(op, MinMax::Smax | MinMax::Smin) { sign_extend(imm8, 8) as u64 } else { imm8 };
            Some(Insn::MinMaxImm { sf, op, rd, rn, imm })
        }
        0b100 => {
            let n = bit(word, 22);
            if !sf && n {
                return None;
            }
            let imm = decode_bit_masks(n, bits(word, 15, 10), bits(word, 21, 16), sf)?;
            let op = [LogicOp::And, LogicOp::Orr, LogicOp::Eor, LogicOp::Ands][bits(word, 30, 29) as usize];
            Some(Insn::LogicImm { sf, op, rd, rn, imm })
        }
        0b101 => {
            let opc = bits(word, 30, 29) as u8;
            let hw = bits(word, 22, 21) as u8;
            if opc == 1 || (!sf && hw >= 2) {
                return None;
            }
            Some(Insn::MovWide { sf, opc, rd, imm16: bits(word, 20, 5) as u16, shift: hw * 16 })
        }
        0b110 => {
            let opc = bits(word, 30, 29) as u8;
            let n = bit(word, 22);
            let immr = bits(word, 21, 16) as u8;
            let imms = bits(word, 15, 10) as u8;
            if opc == 3 || n != sf || (!sf && (immr >= 32 || imms >= 32)) {
                return None;
            }
            Some(Insn::Bitfield { sf, opc, rd, rn, immr, imms })
        }
        _ => {
            let lsb = bits(word, 15, 10) as u8;
            if bits(word, 30, 29) != 0 || bit(word, 21) || bit(word, 22) != sf || (!sf && lsb >= 32) {
                return None;
            }
            Some(Insn::Extr { sf, rd, rn, rm: reg(word, 16), lsb })
        }
    }
}

/// The Arm ARM's DecodeBitMasks for logical immediates (the "wmask" half).
pub fn decode_bit_masks(n: bool, imms: u32, immr: u32, sf: bool) -> Option<u64> {
    let combined = ((n as u32) << 6) | (!imms & 0x3f);
    if combined == 0 {
        return None;
    }
    let len = 31 - combined.leading_zeros();
    if len < 1 {
        return None;
    }
    let esize = 1u32 << len;
    let levels = esize - 1;
    let s = imms & levels;
    let r = immr & levels;
    if s == levels {
        return None;
    }
    let welem: u64 = (1u64 << (s + 1)) - 1;
    let emask = if esize == 64 { u64::MAX } else { (1u64 << esize) - 1 };
    let rotated = if r == 0 { welem } else { ((welem >> r) | (welem << (esize - r))) & emask };
    let mut out = 0u64;
    let mut pos = 0;
    while pos < 64 {
        out |= rotated << pos;
        pos += esize;
    }
    if !sf {
        out &= 0xffff_ffff;
    }
    Some(out)
}

fn decode_branch_sys(word: u32) -> Option<Insn> {
    let top6 = bits(word, 31, 26);
    if top6 == 0b000101 || top6 == 0b100101 {
        let offset = sign_extend(bits(word, 25, 0) as u64, 26) << 2;
        return Some(Insn::Branch { offset, link: top6 == 0b100101 });
    }
    if bits(word, 31, 25) == 0b0101010 {
        if bit(word, 24) {
            return None;
        }
        let offset = sign_extend(bits(word, 23, 5) as u64, 19) << 2;
        return Some(Insn::BranchCond { cond: bits(word, 3, 0) as u8, offset });
    }
    if bits(word, 30, 25) == 0b011010 {
        let offset = sign_extend(bits(word, 23, 5) as u64, 19) << 2;
        return Some(Insn::CompareBranch { sf: bit(word, 31), nonzero: bit(word, 24), rt: reg(word, 0), offset });
    }
    if bits(word, 30, 25) == 0b011011 {
        let offset = sign_extend(bits(word, 18, 5) as u64, 14) << 2;
        let bitno = ((bit(word, 31) as u8) << 5) | bits(word, 23, 19) as u8;
        return Some(Insn::TestBranch { nonzero: bit(word, 24), bit: bitno, rt: reg(word, 0), offset });
    }
    if bits(word, 31, 24) == 0b1101_0100 {
        let opc = bits(word, 23, 21);
        let imm = bits(word, 20, 5) as u16;
        let ll = bits(word, 1, 0);
        if bits(word, 4, 2) != 0 {
            return None;
        }
        return match (opc, ll) {
            (0b000, 0b01) => Some(Insn::Svc { imm }),
            (0b001, 0b00) => Some(Insn::Brk { imm }),
            _ => None,
        };
    }
    if bits(word, 31, 22) == 0b1101_0101_00 {
        return decode_system(word);
    }
    if bits(word, 31, 25) == 0b1101011 {
        let opc = bits(word, 24, 21);
        if bits(word, 20, 16) != 0b11111 {
            return None;
        }
        if bits(word, 15, 11) == 0b00001 {
            return decode_branch_reg_pac(word);
        }
        if bits(word, 15, 10) != 0 || bits(word, 4, 0) != 0 {
            return None;
        }
        let kind = match opc {
            0b0000 => BranchRegKind::Br,
            0b0001 => BranchRegKind::Blr,
            0b0010 => BranchRegKind::Ret,
            _ => return None,
        };
        return Some(Insn::BranchReg { kind, rn: reg(word, 5) });
    }
    None
}

/// The authenticated branches: op3 = 00001M selects key A or B, op4 the
/// modifier register (11111 in the Z forms and RETAA/RETAB).
fn decode_branch_reg_pac(word: u32) -> Option<Insn> {
    let key_b = bit(word, 10);
    let (rn, op4) = (reg(word, 5), reg(word, 0));
    let (kind, modifier) = match bits(word, 24, 21) {
        0b0000 if op4 == 31 => (BranchRegKind::Br, PacModifier::Zero),
        0b0001 if op4 == 31 => (BranchRegKind::Blr, PacModifier::Zero),
        0b0010 if rn == 31 && op4 == 31 => return Some(Insn::BranchRegPac { kind: BranchRegKind::Ret, rn: 30, key_b, modifier: PacModifier::Reg(31) }),
        0b1000 => (BranchRegKind::Br, PacModifier::Reg(op4)),
        0b1001 => (BranchRegKind::Blr, PacModifier::Reg(op4)),
        _ => return None,
    };
    Some(Insn::BranchRegPac { kind, rn, key_b, modifier })
}

/// The hint space (HINT #imm = CRm:op2): the pointer-authentication hints
/// act on X30 or X17; every other hint (NOP, YIELD, WFE, BTI, ...) does
/// nothing in user mode, and unallocated hints are NOPs by definition.
fn decode_hint(hint: u32) -> Insn {
    use PacKeyName::{IA, IB};
    // Without FEAT_PAuth the PAC hints are NOPs, as the hint space defines.
    if !super::pac_insns::implemented() {
        return Insn::Nop;
    }
    let (rd, modifier, op) = match hint {
        7 => (30, PacModifier::Zero, PacOp::Strip { data: false }),
        8 => (17, PacModifier::Reg(16), PacOp::Sign(IA)),
        10 => (17, PacModifier::Reg(16), PacOp::Sign(IB)),
        12 => (17, PacModifier::Reg(16), PacOp::Auth(IA)),
        14 => (17, PacModifier::Reg(16), PacOp::Auth(IB)),
        24..=31 => {
            let modifier = if hint & 1 == 0 { PacModifier::Zero } else { PacModifier::Reg(31) };
            let key = if hint & 2 == 0 { IA } else { IB };
            (30, modifier, if hint & 4 == 0 { PacOp::Sign(key) } else { PacOp::Auth(key) })
        }
        _ => return Insn::Nop,
    };
    Insn::Pac { op, rd, modifier }
}

fn decode_system(word: u32) -> Option<Insn> {
    let l = bit(word, 21);
    let op0 = bits(word, 20, 19);
    let op1 = bits(word, 18, 16);
    let crn = bits(word, 15, 12);
    let crm = bits(word, 11, 8);
    let op2 = bits(word, 7, 5);
    let rt = reg(word, 0);
    match (l, op0) {
        (false, 0) => match crn {
            // Hint space: NOP, YIELD, WFE, WFI, SEV, BTI, PACIASP/AUTIASP, ...
            // Unallocated hints behave as NOP by definition.
            0b0010 if rt == 31 => Some(decode_hint((crm << 3) | op2)),
            0b0011 if rt == 31 => match op2 {
                0b010 => Some(Insn::Clrex),
                // DSB and DMB: CRm<1:0> says what they order (01 loads,
                // 10 stores, 11 and the reserved 00 everything).
                0b100 | 0b101 => Some(Insn::Barrier { full: crm & 3 == 3 || crm & 3 == 0 }),
                // ISB: later instructions see earlier changes to code.
                0b110 => Some(Insn::Barrier { full: false }),
                0b111 => Some(Insn::Nop),
                _ => None,
            },
            // MSR (immediate) to PSTATE fields; at EL0 only a few are permitted
            // (op1 = 3: DIT, SSBS, TCO); Linux traps the rest.
            0b0100 if rt == 31 && op1 == 3 => Some(Insn::MsrImm { op2: op2 as u8, imm: crm as u8 }),
            // CFINV, XAFLAG, AXFLAG (FEAT_FlagM, FEAT_FlagM2).
            0b0100 if rt == 31 && op1 == 0 && crm == 0 => match op2 {
                0 => Some(Insn::Flags(FlagOp::Cfinv)),
                1 => Some(Insn::Flags(FlagOp::Xaflag)),
                2 => Some(Insn::Flags(FlagOp::Axflag)),
                _ => None,
            },
            _ => None,
        },
        (false, 1) => {
            if op1 != 3 || crn != 7 {
                return None;
            }
            let op = match (crm, op2) {
                (4, 1) => CacheOp::DcZva,
                (5, 1) => CacheOp::IcIvau,
                (10, 1) | (11, 1) | (12, 1) | (13, 1) | (14, 1) => CacheOp::DcClean,
                _ => return None,
            };
            Some(Insn::Cache { op, rt })
        }
        (_, 2) | (_, 3) => {
            let sysreg = bits(word, 20, 5) as u16;
            if l {
                Some(Insn::Mrs { rt, sysreg })
            } else {
                Some(Insn::Msr { rt, sysreg })
            }
        }
        _ => None,
    }
}

/// RMIF (64-bit, S = 1, bits 14:10 = 00001) and SETF8/SETF16 (32-bit,
/// S = 1, bits 13:10 = 0010), next to ADC/SBC.
fn decode_flag_moves(word: u32) -> Option<Insn> {
    let (sf, op, s) = (bit(word, 31), bit(word, 30), bit(word, 29));
    if op || !s {
        return None;
    }
    let rn = reg(word, 5);
    if sf && bits(word, 14, 10) == 0b00001 && !bit(word, 4) {
        let lsb = bits(word, 20, 15) as u8;
        return Some(Insn::Flags(FlagOp::Rmif { rn, lsb, mask: bits(word, 3, 0) as u8 }));
    }
    if !sf && bits(word, 13, 10) == 0b0010 && bits(word, 20, 15) == 0 && bits(word, 4, 0) == 0b01101 {
        return Some(Insn::Flags(FlagOp::Setf { rn, sixteen: bit(word, 14) }));
    }
    None
}

/// Data processing (1 source) with opcode2 = 00001: PAC*, AUT*, XPAC*.
fn decode_pac(word: u32) -> Option<Insn> {
    if !bit(word, 31) {
        return None;
    }
    let (opcode, rn, rd) = (bits(word, 15, 10), reg(word, 5), reg(word, 0));
    let key = pac_key(opcode);
    let op = if opcode & 4 == 0 { PacOp::Sign(key) } else { PacOp::Auth(key) };
    match opcode {
        0..=7 => Some(Insn::Pac { op, rd, modifier: PacModifier::Reg(rn) }),
        8..=15 if rn == 31 => Some(Insn::Pac { op, rd, modifier: PacModifier::Zero }),
        16 | 17 if rn == 31 => Some(Insn::Pac { op: PacOp::Strip { data: opcode == 17 }, rd, modifier: PacModifier::Zero }),
        _ => None,
    }
}

fn decode_dp_reg(word: u32) -> Option<Insn> {
    let sf = bit(word, 31);
    let rd = reg(word, 0);
    let rn = reg(word, 5);
    let rm = reg(word, 16);
    let op1 = bit(word, 28);
    let op2 = bits(word, 24, 21);
    if !op1 {
        let shift = [Shift::Lsl, Shift::Lsr, Shift::Asr, Shift::Ror][bits(word, 23, 22) as usize];
        let amount = bits(word, 15, 10) as u8;
        if op2 & 0b1000 == 0 {
            // Logical (shifted register).
            if !sf && amount >= 32 {
                return None;
            }
            let op = [LogicOp::And, LogicOp::Orr, LogicOp::Eor, LogicOp::Ands][bits(word, 30, 29) as usize];
            return Some(Insn::LogicShifted { sf, op, invert: bit(word, 21), rd, rn, rm, shift, amount });
        }
        let sub = bit(word, 30);
        let set_flags = bit(word, 29);
        if !bit(word, 21) {
            if shift == Shift::Ror || (!sf && amount >= 32) {
                return None;
            }
            return Some(Insn::AddSubShifted { sf, sub, set_flags, rd, rn, rm, shift, amount });
        }
        let amount = bits(word, 12, 10) as u8;
        if bits(word, 23, 22) != 0 || amount > 4 {
            return None;
        }
        let extend = Extend(bits(word, 15, 13) as u8);
        return Some(Insn::AddSubExt { sf, sub, set_flags, rd, rn, rm, extend, amount });
    }
    match op2 {
        0b0000 => {
            if bits(word, 15, 10) != 0 {
                return decode_flag_moves(word);
            }
            Some(Insn::AddSubCarry { sf, sub: bit(word, 30), set_flags: bit(word, 29), rd, rn, rm })
        }
        0b0010 => {
            if !bit(word, 29) || bit(word, 10) || bit(word, 4) {
                return None;
            }
            Some(Insn::CondCompare {
                sf,
                sub: bit(word, 30),
                rn,
                rm_or_imm: rm,
                is_imm: bit(word, 11),
                nzcv: bits(word, 3, 0) as u8,
                cond: bits(word, 15, 12) as u8,
            })
        }
        0b0100 => {
            let op2b = bits(word, 11, 10);
            if bit(word, 29) || op2b > 1 {
                return None;
            }
            Some(Insn::CondSelect {
                sf,
                invert: bit(word, 30),
                increment: op2b == 1,
                rd,
                rn,
                rm,
                cond: bits(word, 15, 12) as u8,
            })
        }
        0b0110 => {
            if bit(word, 29) {
                return None;
            }
            let opcode = bits(word, 15, 10);
            if bit(word, 30) {
                if bits(word, 20, 16) == 1 {
                    return decode_pac(word);
                }
                if bits(word, 20, 16) != 0 {
                    return None;
                }
                let op = match (opcode, sf) {
                    (0, _) => Dp1Op::Rbit,
                    (1, _) => Dp1Op::Rev16,
                    (2, false) => Dp1Op::Rev,
                    (2, true) => Dp1Op::Rev32,
                    (3, true) => Dp1Op::Rev,
                    (4, _) => Dp1Op::Clz,
                    (5, _) => Dp1Op::Cls,
                    (6, _) => Dp1Op::Ctz,
                    (7, _) => Dp1Op::Cnt,
                    (8, _) => Dp1Op::Abs,
                    _ => return None,
                };
                return Some(Insn::Dp1 { sf, op, rd, rn });
            }
            let op = match opcode {
                0b000010 => Dp2Op::Udiv,
                0b000011 => Dp2Op::Sdiv,
                0b001000 => Dp2Op::Lslv,
                0b001001 => Dp2Op::Lsrv,
                0b001010 => Dp2Op::Asrv,
                0b001011 => Dp2Op::Rorv,
                0b001100 if sf => Dp2Op::Pacga,
                0b011000..=0b011011 => Dp2Op::MinMax(MinMax::from_bits(opcode)),
                0b010000..=0b010111 => {
                    let size = (opcode & 3) as u8;
                    if (size == 3) != sf {
                        return None;
                    }
                    if opcode & 4 != 0 {
                        Dp2Op::Crc32c { size }
                    } else {
                        Dp2Op::Crc32 { size }
                    }
                }
                _ => return None,
            };
            Some(Insn::Dp2 { sf, op, rd, rn, rm })
        }
        0b1000..=0b1111 => {
            if bits(word, 30, 29) != 0 {
                return None;
            }
            let o0 = bit(word, 15);
            let ra = reg(word, 10);
            let op = match (bits(word, 23, 21), o0) {
                (0b000, false) => Dp3Op::Madd,
                (0b000, true) => Dp3Op::Msub,
                (0b001, false) if sf => Dp3Op::Smaddl,
                (0b001, true) if sf => Dp3Op::Smsubl,
                (0b010, false) if sf => Dp3Op::Smulh,
                (0b101, false) if sf => Dp3Op::Umaddl,
                (0b101, true) if sf => Dp3Op::Umsubl,
                (0b110, false) if sf => Dp3Op::Umulh,
                _ => return None,
            };
            Some(Insn::Dp3 { sf, op, rd, rn, rm, ra })
        }
        _ => None,
    }
}

/// Kind and size for a general-register load/store from the `size` and `opc` fields.
fn gpr_ldst_kind(size: u8, opc: u32) -> Option<LdStKind> {
    match (opc, size) {
        (0, _) => Some(LdStKind::Store),
        (1, _) => Some(LdStKind::Load),
        (2, 3) => Some(LdStKind::Prefetch),
        (2, _) => Some(LdStKind::LoadSigned64),
        (3, 0) | (3, 1) => Some(LdStKind::LoadSigned32),
        _ => None,
    }
}

/// Kind and log2 size for a SIMD&FP register load/store.
fn vec_ldst_kind(size: u8, opc: u32) -> Option<(LdStKind, u8)> {
    let kind = if opc & 1 == 1 { LdStKind::LoadVec } else { LdStKind::StoreVec };
    match (opc >> 1, size) {
        (0, s) => Some((kind, s)),
        (1, 0) => Some((kind, 4)),
        _ => None,
    }
}

fn decode_ldst(word: u32) -> Option<Insn> {
    let rt = reg(word, 0);
    let rn = reg(word, 5);
    let size = bits(word, 31, 30) as u8;
    let v = bit(word, 26);

    // AdvSIMD load/store structures: multiple (bits 29:24 = 001100) and
    // single (001101), with and without post-index.
    if !bit(word, 31) && bits(word, 29, 25) == 0b00110 && v {
        return Some(Insn::SimdFp(word));
    }
    if bits(word, 29, 24) == 0b001000 && !v {
        return decode_exclusive(word);
    }
    if bits(word, 29, 24) == 0b011001 && !v && !bit(word, 21) && bits(word, 11, 10) == 0 {
        // LDAPUR/STLUR: ordered unscaled accesses; x86-64 ordering covers them.
        let imm = sign_extend(bits(word, 20, 12) as u64, 9);
        let kind = gpr_ldst_kind(size, bits(word, 23, 22))?;
        if kind == LdStKind::Prefetch {
            return None;
        }
        return Some(Insn::LdSt { kind, size, rt, rn, mode: AddrMode::Offset(imm) });
    }
    if bits(word, 29, 27) == 0b011 && bits(word, 25, 24) == 0 {
        let offset = sign_extend(bits(word, 23, 5) as u64, 19) << 2;
        let (kind, size) = if v {
            match size {
                0 => (LdStKind::LoadVec, 2),
                1 => (LdStKind::LoadVec, 3),
                2 => (LdStKind::LoadVec, 4),
                _ => return None,
            }
        } else {
            match size {
                0 => (LdStKind::Load, 2),
                1 => (LdStKind::Load, 3),
                2 => (LdStKind::LoadSigned64, 2),
                _ => (LdStKind::Prefetch, 3),
            }
        };
        return Some(Insn::LdLiteral { kind, size, rt, offset });
    }
    if bits(word, 29, 27) == 0b101 {
        let load = bit(word, 22);
        let opc = size;
        let (kind, size) = if v {
            let k = if load { LdStKind::LoadVec } else { LdStKind::StoreVec };
            match opc {
                0 => (k, 2),
                1 => (k, 3),
                2 => (k, 4),
                _ => return None,
            }
        } else {
            match (opc, load) {
                (0, false) => (LdStKind::Store, 2),
                (0, true) => (LdStKind::Load, 2),
                (1, true) => (LdStKind::LoadSigned64, 2),
                (2, false) => (LdStKind::Store, 3),
                (2, true) => (LdStKind::Load, 3),
                _ => return None,
            }
        };
        let imm = sign_extend(bits(word, 21, 15) as u64, 7) << size;
        let mode = match bits(word, 25, 23) {
            0b000 | 0b010 => AddrMode::Offset(imm),
            0b001 => AddrMode::PostIndex(imm),
            0b011 => AddrMode::PreIndex(imm),
            _ => return None,
        };
        return Some(Insn::LdStPair { kind, size, rt, rt2: reg(word, 10), rn, mode });
    }
    if bits(word, 29, 27) != 0b111 {
        return None;
    }
    if !bit(word, 24) && bit(word, 21) && bits(word, 11, 10) == 0 {
        // LSE atomics: bits 23:22 are the acquire/release bits here, not opc.
        return if v { None } else { decode_atomic(word) };
    }
    if size == 3 && !v && !bit(word, 24) && bit(word, 21) && bit(word, 10) {
        // LDRAA/LDRAB: M selects the key, S:imm9 is a scaled offset.
        let offset = sign_extend(((bit(word, 22) as u64) << 9) | bits(word, 20, 12) as u64, 10) << 3;
        return Some(Insn::LoadPac { key_b: bit(word, 23), rt, rn, offset, writeback: bit(word, 11) });
    }
    let opc = bits(word, 23, 22);
    let (kind, size) = if v { vec_ldst_kind(size, opc)? } else { (gpr_ldst_kind(size, opc)?, size) };
    if bit(word, 24) {
        let imm = (bits(word, 21, 10) as i64) << size;
        return Some(Insn::LdSt { kind, size, rt, rn, mode: AddrMode::Offset(imm) });
    }
    if !bit(word, 21) {
        let imm = sign_extend(bits(word, 20, 12) as u64, 9);
        let mode = match bits(word, 11, 10) {
            0b00 | 0b10 => AddrMode::Offset(imm),
            0b01 => AddrMode::PostIndex(imm),
            _ => AddrMode::PreIndex(imm),
        };
        if v && bits(word, 11, 10) == 0b10 {
            return None;
        }
        return Some(Insn::LdSt { kind, size, rt, rn, mode });
    }
    match bits(word, 11, 10) {
        0b10 => {
            let option = bits(word, 15, 13) as u8;
            if option & 2 == 0 {
                return None;
            }
            let shift = if bit(word, 12) { size } else { 0 };
            let mode = AddrMode::Register { rm: reg(word, 16), extend: Extend(option), shift };
            Some(Insn::LdSt { kind, size, rt, rn, mode })
        }
        _ => None,
    }
}

fn decode_exclusive(word: u32) -> Option<Insn> {
    let size = bits(word, 31, 30) as u8;
    let o2 = bit(word, 23);
    let load = bit(word, 22);
    let o1 = bit(word, 21);
    let rs = reg(word, 16);
    let rt2 = reg(word, 10);
    let rn = reg(word, 5);
    let rt = reg(word, 0);
    match (o2, o1) {
        (false, false) => Some(if load {
            Insn::LoadExclusive { size, pair: false, rt, rt2: 31, rn }
        } else {
            Insn::StoreExclusive { size, pair: false, rs, rt, rt2: 31, rn }
        }),
        (false, true) => {
            if size < 2 {
                if rt2 != 31 {
                    return None;
                }
                return Some(Insn::Casp { size: size + 2, rs, rt, rn });
            }
            Some(if load {
                Insn::LoadExclusive { size, pair: true, rt, rt2, rn }
            } else {
                Insn::StoreExclusive { size, pair: true, rs, rt, rt2, rn }
            })
        }
        (true, false) => Some(if load {
            Insn::LoadAcquire { size, rt, rn }
        } else {
            Insn::StoreRelease { size, rt, rn }
        }),
        (true, true) => {
            if rt2 != 31 {
                return None;
            }
            Some(Insn::Cas { size, rs, rt, rn })
        }
    }
}

fn decode_atomic(word: u32) -> Option<Insn> {
    let size = bits(word, 31, 30) as u8;
    let o3 = bit(word, 15);
    let opc = bits(word, 14, 12);
    let rs = reg(word, 16);
    let rn = reg(word, 5);
    let rt = reg(word, 0);
    let op = match (o3, opc) {
        (false, 0) => AtomicOp::Add,
        (false, 1) => AtomicOp::Clr,
        (false, 2) => AtomicOp::Eor,
        (false, 3) => AtomicOp::Set,
        (false, 4) => AtomicOp::Smax,
        (false, 5) => AtomicOp::Smin,
        (false, 6) => AtomicOp::Umax,
        (false, 7) => AtomicOp::Umin,
        (true, 0) => AtomicOp::Swp,
        // LDAPR (RCpc load-acquire): A=1, R=0, Rs=11111.
        (true, 4) if bit(word, 23) && !bit(word, 22) && rs == 31 => {
            return Some(Insn::LoadAcquire { size, rt, rn });
        }
        _ => return None,
    };
    Some(Insn::Atomic { op, size, rs, rt, rn })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_immediates() {
        // (N, imms, immr, sf) -> value
        let rows: &[(bool, u32, u32, bool, Option<u64>)] = &[
            (false, 0b000111, 0, false, Some(0xff)),
            (true, 0b000000, 0, true, Some(1)),
            (false, 0b111100, 0, true, Some(0x5555_5555_5555_5555)),
            (false, 0b111000, 1, true, Some(0x8888_8888_8888_8888)),
            (true, 0b111111, 0, true, None),
            (false, 0b011110, 0, false, Some(0x7fff_ffff)),
            (false, 0b011111, 0, false, None),
        ];
        for &(n, imms, immr, sf, expected) in rows {
            let got = decode_bit_masks(n, imms, immr, sf);
            assert_eq!(got, expected, "N={n} imms={imms:#b} immr={immr}");
        }
    }

    #[test]
    fn decodes_common_words() {
        let rows: &[(u32, Insn)] = &[
            (0xd503201f, Insn::Nop),
            (0xd4000001, Insn::Svc { imm: 0 }),
            (0xd65f03c0, Insn::BranchReg { kind: BranchRegKind::Ret, rn: 30 }),
            (0x91000420, Insn::AddSubImm { sf: true, sub: false, set_flags: false, rd: 0, rn: 1, imm: 1 }),
            (0xf9400020, Insn::LdSt { kind: LdStKind::Load, size: 3, rt: 0, rn: 1, mode: AddrMode::Offset(0) }),
            (0xa9bf7bfd, Insn::LdStPair { kind: LdStKind::Store, size: 3, rt: 29, rt2: 30, rn: 31, mode: AddrMode::PreIndex(-16) }),
            (0xd53bd040, Insn::Mrs { rt: 0, sysreg: 0xde82 }),
            (0x00000000, Insn::Undefined(0)),
            (0xb8e10040, Insn::Atomic { op: AtomicOp::Add, size: 2, rs: 1, rt: 0, rn: 2 }),
        ];
        for &(word, expected) in rows {
            assert_eq!(decode(word), expected, "word {word:#010x}");
        }
    }

    #[test]
    fn system_space_and_unprivileged_loads_are_recognised() {
        assert!(is_unprivileged_load_store(0xf840_0800)); // ldtr x0, [x0]
        assert!(is_unprivileged_load_store(0x3800_0800)); // sttrb w0, [x0]
        assert!(is_unprivileged_load_store(0xb880_0841)); // ldtrsw x1, [x2]
        assert!(!is_unprivileged_load_store(0xf840_0c00)); // ldr x0, [x0, #0]!
        assert!(!is_unprivileged_load_store(0xf940_0000)); // ldr x0, [x0]
        for word in [0xd503_201f, 0xd400_0001, 0xd400_0002, ERET, 0xd538_4100, 0xd508_871f] {
            assert!(is_system_space(word), "{word:#x}");
        }
        assert!(!is_system_space(0x8b02_0020));
        assert!(!is_system_space(0xd65f_03c0)); // ret
    }
}
