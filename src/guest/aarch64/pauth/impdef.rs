//! Kestrel's implementation-defined PAC function.
//!
//! The architecture lets an implementation replace QARMA5 with its own
//! algorithm (ID_AA64ISAR1_EL1.API and GPI instead of APA and GPA). Kestrel
//! uses that freedom for speed: QARMA5 in software is some thirty S-box,
//! shuffle and mix layers of nibble work per PAC, and a PAC is computed on
//! every signed function entry and return of code built with
//! `-mbranch-protection`. So `-cpu max` uses this function by default and
//! QARMA5 is the option, as qemu's `pauth-impdef` property does.
//!
//! Requirements: the PAC must depend on every bit of the data, the modifier
//! and the 128-bit key, and be well mixed, so that truncating it to a 7- to
//! 31-bit field still gives an even spread and guessing a PAC is no easier
//! than the field width allows. It is not meant to be a cryptographic MAC.
//!
//! Construction: the splitmix64 finaliser (two multiply-xorshift steps) is a
//! bijection of 64-bit words with full avalanche. The data and the modifier
//! are each whitened with one key half and mixed (two independent chains the
//! host runs in parallel), then combined with the other key half and mixed
//! twice more with the first half rotated. Because each step is a bijection
//! of the value it mixes, flipping any bits of the data alone, or of the
//! modifier alone, always changes the result; a key half enters at two
//! places, so a change there could cancel only with probability about 2^-64.
//!
//! Cost of one compute_pac, release build on the shared two-core x86-64 build
//! host (`pauth::tests::speed`, figures rough): this function 15 ns when each
//! result feeds the next input, 5 ns for independent calls; QARMA5 178 and
//! 165 ns.

use super::PacKey;

/// The splitmix64 finaliser: an invertible 64-bit mixer.
fn mix(x: u64) -> u64 {
    let x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Odd constants (golden ratio, sqrt(2)) that keep an all-zero key and input
/// away from the mixer's fixed point at zero.
const C_DATA: u64 = 0x9e37_79b9_7f4a_7c15;
const C_MOD: u64 = 0x6a09_e667_f3bc_c909;

/// The implementation-defined ComputePAC.
pub fn compute_pac(data: u64, modifier: u64, key: PacKey) -> u64 {
    let d = mix(data ^ key.lo ^ C_DATA);
    let m = mix(modifier ^ key.hi ^ C_MOD);
    let s = mix(d ^ m.rotate_left(23) ^ key.hi);
    mix(s ^ key.lo.rotate_left(32))
}
