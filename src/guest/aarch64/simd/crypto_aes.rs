//! The AdvSIMD crypto AES group (FEAT_AES): AESE, AESD, AESMC, AESIMC.
//!
//! The 128-bit register is the AES state in the byte order FIPS-197 uses
//! for its input block: byte `i` of the register (lane 0 least significant)
//! is state row `i % 4`, column `i / 4`.
//!
//! The S-box is built at compile time from its definition (multiplicative
//! inverse in GF(2^8) followed by the affine map), so the table cannot carry
//! a transcription error; the tests check it against published entries.

use super::super::cpu::CpuState;
use super::lanes::{bits, reg, set_vreg, vreg};

/// Multiplication in GF(2^8) modulo the AES polynomial x^8 + x^4 + x^3 + x + 1.
const fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        let carry = a & 0x80 != 0;
        a <<= 1;
        if carry {
            a ^= 0x1b;
        }
        b >>= 1;
    }
    product
}

/// Multiplicative inverse in GF(2^8) (0 maps to 0): a^254, since a^255 = 1.
const fn gf_inverse(a: u8) -> u8 {
    let mut result = 1u8;
    let mut i = 0;
    while i < 254 {
        result = gf_mul(result, a);
        i += 1;
    }
    if a == 0 {
        0
    } else {
        result
    }
}

/// SubBytes: the inverse followed by the affine transformation
/// b ^ rotl(b,1) ^ rotl(b,2) ^ rotl(b,3) ^ rotl(b,4) ^ 0x63.
const fn build_sbox() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = gf_inverse(i as u8);
        table[i] = b ^ b.rotate_left(1) ^ b.rotate_left(2) ^ b.rotate_left(3) ^ b.rotate_left(4) ^ 0x63;
        i += 1;
    }
    table
}

const fn invert(table: &[u8; 256]) -> [u8; 256] {
    let mut inverse = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        inverse[table[i] as usize] = i as u8;
        i += 1;
    }
    inverse
}

/// The AES S-box.
pub const SBOX: [u8; 256] = build_sbox();
/// The inverse S-box.
pub const INV_SBOX: [u8; 256] = invert(&SBOX);

fn to_bytes(v: u128) -> [u8; 16] {
    v.to_le_bytes()
}

fn from_bytes(b: [u8; 16]) -> u128 {
    u128::from_le_bytes(b)
}

/// ShiftRows then SubBytes (the order does not matter; both act bytewise).
/// Row `r` rotates left by `r` columns.
pub fn shift_rows_sub_bytes(state: u128) -> u128 {
    let s = to_bytes(state);
    let mut out = [0u8; 16];
    for c in 0..4 {
        for r in 0..4 {
            out[r + 4 * c] = SBOX[s[r + 4 * ((c + r) % 4)] as usize];
        }
    }
    from_bytes(out)
}

/// InvShiftRows then InvSubBytes: row `r` rotates right by `r` columns.
pub fn inv_shift_rows_sub_bytes(state: u128) -> u128 {
    let s = to_bytes(state);
    let mut out = [0u8; 16];
    for c in 0..4 {
        for r in 0..4 {
            out[r + 4 * c] = INV_SBOX[s[r + 4 * ((c + 4 - r) % 4)] as usize];
        }
    }
    from_bytes(out)
}

/// Multiplies each column by the circulant matrix with first row `k`
/// (MixColumns: 2 3 1 1; InvMixColumns: 14 11 13 9).
fn mix(state: u128, k: [u8; 4]) -> u128 {
    let s = to_bytes(state);
    let mut out = [0u8; 16];
    for c in 0..4 {
        let col = &s[4 * c..4 * c + 4];
        for r in 0..4 {
            let mut acc = 0u8;
            for (j, &byte) in col.iter().enumerate() {
                acc ^= gf_mul(k[(j + 4 - r) % 4], byte);
            }
            out[4 * c + r] = acc;
        }
    }
    from_bytes(out)
}

pub fn mix_columns(state: u128) -> u128 {
    mix(state, [2, 3, 1, 1])
}

pub fn inv_mix_columns(state: u128) -> u128 {
    mix(state, [14, 11, 13, 9])
}

/// Crypto AES: 0100 1110 size(00) 10100 opcode(5) 10 Rn Rd.
pub fn exec(cpu: &mut CpuState, word: u32) -> Option<()> {
    if bits(word, 31, 24) != 0x4e || bits(word, 23, 22) != 0 {
        return None;
    }
    let (rd, rn) = (reg(word, 0), reg(word, 5));
    let (d, n) = (vreg(cpu, rd), vreg(cpu, rn));
    let result = match bits(word, 16, 12) {
        0b00100 => shift_rows_sub_bytes(d ^ n),
        0b00101 => inv_shift_rows_sub_bytes(d ^ n),
        0b00110 => mix_columns(n),
        0b00111 => inv_mix_columns(n),
        _ => return None,
    };
    set_vreg(cpu, rd, result, true);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sbox_entries_match_fips_197() {
        assert_eq!(SBOX[0x00], 0x63);
        assert_eq!(SBOX[0x01], 0x7c);
        assert_eq!(SBOX[0x53], 0xed);
        assert_eq!(SBOX[0xff], 0x16);
        assert_eq!(INV_SBOX[0x63], 0x00);
        assert_eq!(INV_SBOX[0x00], 0x52);
        assert_eq!(gf_mul(0x57, 0x83), 0xc1);
    }

    #[test]
    fn mix_columns_round_trips() {
        // FIPS-197 appendix B, round 1: after ShiftRows / after MixColumns,
        // column 0 (d4 bf 5d 30 -> 04 66 81 e5).
        let col = u32::from_le_bytes([0xd4, 0xbf, 0x5d, 0x30]) as u128;
        assert_eq!(mix_columns(col) as u32, u32::from_le_bytes([0x04, 0x66, 0x81, 0xe5]));
        let x = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210u128;
        assert_eq!(inv_mix_columns(mix_columns(x)), x);
        assert_eq!(inv_shift_rows_sub_bytes(shift_rows_sub_bytes(x)), x);
    }
}
