//! Integer element operations shared by the AdvSIMD classes: saturation,
//! register-controlled shifts and the doubling high-half multiplies. Values are
//! widened to i128 so intermediate results are exact.

use super::lanes::{mask64, sext};

/// Element value as an integer, sign- or zero-extended from `esize` bits.
#[inline(always)]
pub fn widen(x: u64, esize: u32, unsigned: bool) -> i128 {
    if unsigned {
        (x & mask64(esize)) as i128
    } else {
        sext(x, esize) as i128
    }
}

/// Clamps `v` to the `esize`-bit signed or unsigned range. Returns the
/// result bits and whether it saturated.
#[inline(always)]
pub fn saturate(v: i128, esize: u32, unsigned: bool) -> (u64, bool) {
    let (lo, hi) = if unsigned {
        (0i128, (1i128 << esize) - 1)
    } else {
        (-(1i128 << (esize - 1)), (1i128 << (esize - 1)) - 1)
    };
    if v < lo {
        (lo as u64 & mask64(esize), true)
    } else if v > hi {
        (hi as u64 & mask64(esize), true)
    } else {
        (v as u64 & mask64(esize), false)
    }
}

/// SSHL/USHL/SRSHL/URSHL/SQSHL/UQSHL/SQRSHL/UQRSHL: shifts `a` by the signed
/// low byte of `b` (negative shifts right). Returns bits and saturation.
pub fn shift_by_register(a: u64, b: u64, esize: u32, unsigned: bool, rounding: bool, saturating: bool) -> (u64, bool) {
    let element = widen(a, esize, unsigned);
    let shift = sext(b & 0xff, 8) as i32;
    let value = if shift >= 0 {
        if shift as u32 >= esize {
            // Every bit leaves the element; only zero survives unsaturated.
            if !saturating || element == 0 {
                return (0, false);
            }
            return saturate(if element < 0 { i128::MIN } else { i128::MAX }, esize, unsigned);
        }
        element << shift
    } else {
        // Beyond esize + 1 the result no longer changes, and the clamp keeps
        // the rounding constant within range.
        let n = (-shift).min(esize as i32 + 1) as u32;
        let round = if rounding { 1i128 << (n - 1) } else { 0 };
        (element + round) >> n
    };
    if saturating {
        saturate(value, esize, unsigned)
    } else {
        (value as u64 & mask64(esize), false)
    }
}

/// SQDMULH (`rounding` false) / SQRDMULH: high half of 2 * a * b, saturated.
pub fn doubling_mul_high(a: u64, b: u64, esize: u32, rounding: bool) -> (u64, bool) {
    let product = 2 * widen(a, esize, false) * widen(b, esize, false);
    let round = if rounding { 1i128 << (esize - 1) } else { 0 };
    saturate((product + round) >> esize, esize, false)
}

/// Count of leading sign bits (excluding the sign bit itself) of an `esize`-bit value.
pub fn count_leading_sign(x: u64, esize: u32) -> u64 {
    let v = x & mask64(esize);
    let flipped = (v ^ (v >> 1)) & mask64(esize - 1);
    count_leading_zeros(flipped, esize - 1)
}

/// Count of leading zeros of an `esize`-bit value.
pub fn count_leading_zeros(x: u64, esize: u32) -> u64 {
    let v = x & mask64(esize);
    (v.leading_zeros() - (64 - esize)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_and_saturation() {
        assert_eq!(shift_by_register(0x80, 0xff, 8, false, false, false), (0xc0, false));
        assert_eq!(shift_by_register(0x80, 0xff, 8, true, true, false), (0x40, false));
        assert_eq!(shift_by_register(0x40, 0x01, 8, false, false, true), (0x7f, true));
        assert_eq!(shift_by_register(0xff, 0x80, 8, true, true, false), (0x00, false));
        assert_eq!(shift_by_register(1, 64, 64, true, false, true), (u64::MAX, true));
        assert_eq!(shift_by_register(u64::MAX, 0xc0, 64, false, true, false), (0, false));
        assert_eq!(doubling_mul_high(0x8000, 0x8000, 16, false), (0x7fff, true));
        assert_eq!(count_leading_sign(0xf0, 8), 3);
        assert_eq!(count_leading_zeros(0x01, 16), 15);
    }
}
