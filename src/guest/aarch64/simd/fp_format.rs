//! Binary floating-point formats as bit patterns, the FPCR/FPSR bits that
//! govern them, Arm NaN handling, and exact software rounding of a
//! sign/mantissa/exponent triple into a format.
//!
//! Conversions, rounding to integral and fixed-point work are done here in
//! integer arithmetic, so they are exact and set flags the Arm way whatever
//! the host state; only the arithmetic operators go to the host FPU.

/// FPSR cumulative exception bits.
pub mod fpsr {
    /// Invalid operation.
    pub const IOC: u64 = 1 << 0;
    /// Division by zero.
    pub const DZC: u64 = 1 << 1;
    /// Overflow.
    pub const OFC: u64 = 1 << 2;
    /// Underflow.
    pub const UFC: u64 = 1 << 3;
    /// Inexact.
    pub const IXC: u64 = 1 << 4;
    /// Input denormal flushed to zero.
    pub const IDC: u64 = 1 << 7;
    /// Integer saturation (AdvSIMD).
    pub const QC: u64 = 1 << 27;
}

/// FPCR control bits.
pub mod fpcr {
    /// Flush-to-zero for half precision.
    pub const FZ16: u64 = 1 << 19;
    /// Flush-to-zero for single and double precision.
    pub const FZ: u64 = 1 << 24;
    /// Default NaN mode.
    pub const DN: u64 = 1 << 25;
    /// Alternative half-precision format (no infinities or NaNs) for the
    /// conversions to and from half precision.
    pub const AHP: u64 = 1 << 26;
    /// Shift of the two-bit rounding mode field.
    pub const RMODE_SHIFT: u32 = 22;
}

/// An IEEE binary interchange format.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fmt {
    H,
    S,
    D,
}

impl Fmt {
    /// Format for the `ftype` field of scalar FP encodings.
    pub fn from_ftype(ftype: u32) -> Option<Fmt> {
        match ftype {
            0 => Some(Fmt::S),
            1 => Some(Fmt::D),
            3 => Some(Fmt::H),
            _ => None,
        }
    }

    /// Format for an element size in bits.
    pub fn from_esize(esize: u32) -> Option<Fmt> {
        match esize {
            16 => Some(Fmt::H),
            32 => Some(Fmt::S),
            64 => Some(Fmt::D),
            _ => None,
        }
    }

    pub const fn width(self) -> u32 {
        match self {
            Fmt::H => 16,
            Fmt::S => 32,
            Fmt::D => 64,
        }
    }

    pub const fn ebits(self) -> u32 {
        match self {
            Fmt::H => 5,
            Fmt::S => 8,
            Fmt::D => 11,
        }
    }

    /// Stored fraction bits (precision minus one).
    pub const fn fbits(self) -> u32 {
        self.width() - self.ebits() - 1
    }

    pub const fn bias(self) -> i32 {
        (1 << (self.ebits() - 1)) - 1
    }

    pub const fn sign_bit(self) -> u64 {
        1 << (self.width() - 1)
    }

    pub const fn exp_mask(self) -> u64 {
        ((1 << self.ebits()) - 1) << self.fbits()
    }

    pub const fn frac_mask(self) -> u64 {
        (1 << self.fbits()) - 1
    }

    pub const fn quiet_bit(self) -> u64 {
        1 << (self.fbits() - 1)
    }

    pub const fn default_nan(self) -> u64 {
        self.exp_mask() | self.quiet_bit()
    }

    pub const fn infinity(self, negative: bool) -> u64 {
        self.exp_mask() | if negative { self.sign_bit() } else { 0 }
    }

    pub const fn zero(self, negative: bool) -> u64 {
        if negative {
            self.sign_bit()
        } else {
            0
        }
    }

    /// Largest finite magnitude with the given sign.
    pub const fn max_normal(self, negative: bool) -> u64 {
        (self.exp_mask() - (1 << self.fbits())) | self.frac_mask() | self.zero(negative)
    }

    pub fn is_nan(self, x: u64) -> bool {
        x & self.exp_mask() == self.exp_mask() && x & self.frac_mask() != 0
    }

    pub fn is_snan(self, x: u64) -> bool {
        self.is_nan(x) && x & self.quiet_bit() == 0
    }

    pub fn is_negative(self, x: u64) -> bool {
        x & self.sign_bit() != 0
    }

    pub fn abs(self, x: u64) -> u64 {
        x & !self.sign_bit()
    }

    pub fn neg(self, x: u64) -> u64 {
        x ^ self.sign_bit()
    }

    /// Whether `x` is subnormal (non-zero with a zero exponent field).
    pub fn is_subnormal(self, x: u64) -> bool {
        x & self.exp_mask() == 0 && x & self.frac_mask() != 0
    }
}

/// How a value that is not representable is rounded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Rounding {
    TiesEven,
    PosInf,
    NegInf,
    Zero,
    TiesAway,
    /// Round to odd (FCVTXN): truncate, and set the lowest bit if inexact.
    Odd,
}

impl Rounding {
    /// The mode encoded in FPCR.RMode (and in the rmode fields of encodings).
    pub fn from_rmode(rmode: u32) -> Rounding {
        match rmode & 3 {
            0 => Rounding::TiesEven,
            1 => Rounding::PosInf,
            2 => Rounding::NegInf,
            _ => Rounding::Zero,
        }
    }
}

/// The floating-point environment of one instruction: the FPCR it runs
/// under and the FPSR cumulative bits it raises (OR-ed into FPSR after).
pub struct FpCtx {
    pub fpcr: u64,
    pub flags: u64,
}

impl FpCtx {
    pub fn new(fpcr: u64) -> FpCtx {
        FpCtx { fpcr, flags: 0 }
    }

    pub fn raise(&mut self, bits: u64) {
        self.flags |= bits;
    }

    pub fn default_nan_mode(&self) -> bool {
        self.fpcr & fpcr::DN != 0
    }

    /// Whether subnormal inputs and outputs of `fmt` flush to zero.
    pub fn flush(&self, fmt: Fmt) -> bool {
        let bit = if fmt == Fmt::H { fpcr::FZ16 } else { fpcr::FZ };
        self.fpcr & bit != 0
    }

    /// Whether half-precision conversion operands use the alternative format.
    pub fn alt_half(&self) -> bool {
        self.fpcr & fpcr::AHP != 0
    }

    pub fn rounding(&self) -> Rounding {
        Rounding::from_rmode((self.fpcr >> fpcr::RMODE_SHIFT) as u32)
    }

    /// An input operand after flush-to-zero: subnormals become a zero of the
    /// same sign and raise IDC. Arm's FPUnpack raises no IDC when FZ16
    /// flushes a half-precision input.
    pub fn flush_input(&mut self, fmt: Fmt, x: u64) -> u64 {
        if self.flush(fmt) && fmt.is_subnormal(x) {
            if fmt != Fmt::H {
                self.raise(fpsr::IDC);
            }
            x & fmt.sign_bit()
        } else {
            x
        }
    }

    /// The result for a NaN operand: quieted (IOC if it was signalling), or
    /// the default NaN in DN mode.
    pub fn process_nan(&mut self, fmt: Fmt, x: u64) -> u64 {
        if fmt.is_snan(x) {
            self.raise(fpsr::IOC);
        }
        if self.default_nan_mode() {
            fmt.default_nan()
        } else {
            x | fmt.quiet_bit()
        }
    }

    /// Arm two-operand NaN selection: signalling NaNs first (in operand
    /// order), then quiet NaNs. `None` when neither operand is a NaN.
    pub fn process_nans(&mut self, fmt: Fmt, a: u64, b: u64) -> Option<u64> {
        self.process_nan_list(fmt, &[a, b])
    }

    /// As [`FpCtx::process_nans`] for any number of operands in priority order.
    pub fn process_nan_list(&mut self, fmt: Fmt, ops: &[u64]) -> Option<u64> {
        if let Some(&s) = ops.iter().find(|&&x| fmt.is_snan(x)) {
            return Some(self.process_nan(fmt, s));
        }
        ops.iter().find(|&&x| fmt.is_nan(x)).map(|&q| self.process_nan(fmt, q))
    }
}

/// A decoded operand. Finite values are `mant * 2^exp` with `mant` non-zero.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Value {
    Zero,
    Finite { mant: u64, exp: i32 },
    Inf,
    NaN,
}

/// Sign and magnitude class of `x` (after flush-to-zero via `ctx`).
pub fn unpack(ctx: &mut FpCtx, fmt: Fmt, x: u64) -> (bool, Value) {
    let x = ctx.flush_input(fmt, x);
    unpack_raw(fmt, x)
}

/// As [`unpack`] without flush-to-zero.
pub fn unpack_raw(fmt: Fmt, x: u64) -> (bool, Value) {
    unpack_fields(fmt, x, false)
}

/// A half-precision operand in the alternative format (FPCR.AHP), where the
/// all-ones exponent is an ordinary one: there are no infinities or NaNs.
pub fn unpack_alt_half(x: u64) -> (bool, Value) {
    unpack_fields(Fmt::H, x, true)
}

fn unpack_fields(fmt: Fmt, x: u64, alt_half: bool) -> (bool, Value) {
    let sign = fmt.is_negative(x);
    let field = ((x & fmt.exp_mask()) >> fmt.fbits()) as i32;
    let frac = x & fmt.frac_mask();
    let value = if field == (1 << fmt.ebits()) - 1 && !alt_half {
        if frac == 0 {
            Value::Inf
        } else {
            Value::NaN
        }
    } else if field == 0 {
        if frac == 0 {
            Value::Zero
        } else {
            Value::Finite { mant: frac, exp: 1 - fmt.bias() - fmt.fbits() as i32 }
        }
    } else {
        Value::Finite {
            mant: frac | (1 << fmt.fbits()),
            exp: field - fmt.bias() - fmt.fbits() as i32,
        }
    };
    (sign, value)
}

/// Whether a value discarded below the kept bits requires rounding the kept
/// magnitude up. `half` and `sticky` describe the discarded part: exactly the
/// top discarded bit, and whether anything below it is non-zero.
pub fn round_up(mode: Rounding, negative: bool, kept_odd: bool, half: bool, sticky: bool) -> bool {
    let inexact = half || sticky;
    match mode {
        Rounding::TiesEven => half && (sticky || kept_odd),
        Rounding::TiesAway => half,
        Rounding::PosInf => inexact && !negative,
        Rounding::NegInf => inexact && negative,
        Rounding::Zero | Rounding::Odd => false,
    }
}

/// Shifts `mant` right by `shift` and rounds the result to an integer with
/// `mode`. Returns the rounded magnitude and whether it is inexact.
pub fn shift_round(mant: u128, shift: u32, mode: Rounding, negative: bool) -> (u128, bool) {
    if shift == 0 {
        return (mant, false);
    }
    let (kept, half, sticky) = if shift > 128 {
        (0, false, mant != 0)
    } else if shift == 128 {
        (0, mant >> 127 != 0, mant & (u128::MAX >> 1) != 0)
    } else {
        let below = mant & ((1u128 << shift) - 1);
        let half_bit = 1u128 << (shift - 1);
        (mant >> shift, below & half_bit != 0, below & (half_bit - 1) != 0)
    };
    let inexact = half || sticky;
    let mut out = kept;
    if round_up(mode, negative, kept & 1 != 0, half, sticky) {
        out += 1;
    }
    if mode == Rounding::Odd && inexact {
        out |= 1;
    }
    (out, inexact)
}

/// Rounds `±mant * 2^exp` into `fmt` with `mode`, raising OFC/UFC/IXC, and
/// flushing tiny results to zero when `flush` (Arm: tininess before rounding).
pub fn round_pack(
    ctx: &mut FpCtx,
    fmt: Fmt,
    negative: bool,
    mant: u128,
    exp: i32,
    mode: Rounding,
    flush: bool,
) -> u64 {
    round_pack_in(ctx, fmt, negative, mant, exp, mode, flush, false)
}

/// As [`round_pack`] into the alternative half-precision format (FPCR.AHP):
/// the all-ones exponent holds normal values, and since there is no
/// infinity a result beyond 0x7fff saturates and raises IOC (Arm FPRoundCV
/// reports it as invalid, not as overflow or inexact). Never flushes: FZ16
/// does not apply to these conversions.
pub fn round_pack_alt_half(ctx: &mut FpCtx, negative: bool, mant: u128, exp: i32, mode: Rounding) -> u64 {
    round_pack_in(ctx, Fmt::H, negative, mant, exp, mode, false, true)
}

/// The largest alternative half-precision magnitude with the given sign,
/// raising IOC: the result for infinities and values too large.
pub fn alt_half_saturate(ctx: &mut FpCtx, negative: bool) -> u64 {
    ctx.raise(fpsr::IOC);
    0x7fff | Fmt::H.zero(negative)
}

#[allow(clippy::too_many_arguments)]
fn round_pack_in(
    ctx: &mut FpCtx,
    fmt: Fmt,
    negative: bool,
    mant: u128,
    exp: i32,
    mode: Rounding,
    flush: bool,
    alt_half: bool,
) -> u64 {
    if mant == 0 {
        return fmt.zero(negative);
    }
    let fbits = fmt.fbits() as i32;
    let emin = 1 - fmt.bias();
    // Unbiased exponent of the leading bit before rounding.
    let top = (127 - mant.leading_zeros()) as i32 + exp;
    let tiny = top < emin;
    if tiny && flush {
        ctx.raise(fpsr::UFC);
        return fmt.zero(negative);
    }
    // The alternative format's all-ones exponent adds one binade.
    let emax = fmt.bias() + alt_half as i32;
    if top > emax {
        if alt_half {
            return alt_half_saturate(ctx, negative);
        }
        return overflow(ctx, fmt, negative, mode);
    }
    let lsb = top.max(emin) - fbits;
    let shift = lsb - exp;
    let (m, inexact) = if shift <= 0 {
        (mant << (-shift) as u32, false)
    } else {
        shift_round(mant, shift as u32, mode, negative)
    };
    // Exponent field below the implicit bit; adding `m` (which carries the
    // implicit bit for normals) produces the right field, including the
    // carry when rounding reaches the next binade.
    let field_base = (top.max(emin) + fmt.bias() - 1) as u64;
    let bits = (field_base << fbits) + m as u64;
    if alt_half && bits > fmt.exp_mask() | fmt.frac_mask() {
        return alt_half_saturate(ctx, negative);
    }
    if !alt_half && bits >= fmt.exp_mask() {
        return overflow(ctx, fmt, negative, mode);
    }
    if inexact {
        ctx.raise(fpsr::IXC);
        if tiny {
            ctx.raise(fpsr::UFC);
        }
    }
    bits | fmt.zero(negative)
}

/// The result of a value too large for `fmt`: infinity or the largest
/// finite value, depending on the direction of rounding.
fn overflow(ctx: &mut FpCtx, fmt: Fmt, negative: bool, mode: Rounding) -> u64 {
    ctx.raise(fpsr::OFC | fpsr::IXC);
    let to_inf = match mode {
        Rounding::TiesEven | Rounding::TiesAway => true,
        Rounding::PosInf => !negative,
        Rounding::NegInf => negative,
        Rounding::Zero | Rounding::Odd => false,
    };
    if to_inf {
        fmt.infinity(negative)
    } else {
        fmt.max_normal(negative)
    }
}

/// 8-bit FMOV immediate expanded to `fmt` (VFPExpandImm).
pub fn expand_imm8(fmt: Fmt, imm8: u32) -> u64 {
    let sign = ((imm8 >> 7) & 1) as u64;
    let b6 = ((imm8 >> 6) & 1) as u64;
    let e = fmt.ebits();
    // exponent = NOT(b6) : Replicate(b6, e-3) : imm8<5:4>
    let rep = if b6 == 1 { (1u64 << (e - 3)) - 1 } else { 0 };
    let exp = ((b6 ^ 1) << (e - 1)) | (rep << 2) | ((imm8 as u64 >> 4) & 3);
    let frac = ((imm8 & 0xf) as u64) << (fmt.fbits() - 4);
    (sign << (fmt.width() - 1)) | (exp << fmt.fbits()) | frac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_imm8_values() {
        assert_eq!(expand_imm8(Fmt::D, 0x70), 1.0f64.to_bits());
        assert_eq!(expand_imm8(Fmt::S, 0x00), 2.0f32.to_bits() as u64);
        assert_eq!(expand_imm8(Fmt::S, 0xf0), (-1.0f32).to_bits() as u64);
        assert_eq!(expand_imm8(Fmt::D, 0x60), 0.5f64.to_bits());
        assert_eq!(expand_imm8(Fmt::H, 0x70), 0x3c00);
    }

    #[test]
    fn round_pack_cases() {
        let mut ctx = FpCtx::new(0);
        // 2^53 + 1 is not a double: ties to even drops the 1.
        let r = round_pack(&mut ctx, Fmt::D, false, (1u128 << 53) + 1, 0, Rounding::TiesEven, false);
        assert_eq!(f64::from_bits(r), 9007199254740992.0);
        assert_eq!(ctx.flags, fpsr::IXC);
        let mut ctx = FpCtx::new(0);
        let r = round_pack(&mut ctx, Fmt::S, true, 1, -149, Rounding::TiesEven, false);
        assert_eq!(r, 0x8000_0001);
        assert_eq!(ctx.flags, 0);
        let r = round_pack(&mut ctx, Fmt::S, false, 3, -151, Rounding::TiesEven, false);
        assert_eq!(r, 1);
        assert_eq!(ctx.flags, fpsr::IXC | fpsr::UFC);
        let mut ctx = FpCtx::new(0);
        let r = round_pack(&mut ctx, Fmt::S, false, 1, 128, Rounding::Zero, false);
        assert_eq!(r, Fmt::S.max_normal(false));
        assert_eq!(ctx.flags, fpsr::IXC | fpsr::OFC);
    }
}
