//! The crypto encodings with bits 31:24 = 1100 1110: SHA-512 (FEAT_SHA512:
//! SHA512H, SHA512H2, SHA512SU0, SHA512SU1) and the SHA-3 helpers
//! (FEAT_SHA3: EOR3, BCAX, RAX1, XAR), with their semantics here, and the
//! SM3 and SM4 instructions of the same space, decoded here with their
//! semantics in `crypto_sm3` and `crypto_sm4`.
//!
//! SHA-512 works on 64-bit elements; element 0 is the low half of a register.

use super::super::cpu::CpuState;
use super::lanes::{bit, bits, reg, set_vreg, vreg};
use super::{crypto_sm3, crypto_sm4};

fn lo(v: u128) -> u64 {
    v as u64
}

fn hi(v: u128) -> u64 {
    (v >> 64) as u64
}

fn pair(high: u64, low: u64) -> u128 {
    ((high as u128) << 64) | low as u128
}

fn big_sigma0(x: u64) -> u64 {
    x.rotate_right(28) ^ x.rotate_right(34) ^ x.rotate_right(39)
}

fn big_sigma1(x: u64) -> u64 {
    x.rotate_right(14) ^ x.rotate_right(18) ^ x.rotate_right(41)
}

/// SHA512H: the parts of two rounds that update e..h. `d` holds the
/// message-plus-constant words, `n` and `m` the state words.
fn sha512_h(d: u128, n: u128, m: u128) -> u128 {
    let (x, y, w) = (n, m, d);
    let ch = (hi(y) & lo(x)) ^ (!hi(y) & hi(x));
    let high = ch.wrapping_add(big_sigma1(hi(y))).wrapping_add(hi(w));
    let t = high.wrapping_add(lo(y));
    let ch = (t & hi(y)) ^ (!t & lo(x));
    let low = ch.wrapping_add(big_sigma1(t)).wrapping_add(lo(w));
    pair(high, low)
}

/// SHA512H2: the parts of two rounds that update a..d.
fn sha512_h2(d: u128, n: u128, m: u128) -> u128 {
    let (x, y, w) = (n, m, d);
    let maj = (lo(x) & hi(y)) ^ (lo(x) & lo(y)) ^ (hi(y) & lo(y));
    let high = maj.wrapping_add(big_sigma0(lo(y))).wrapping_add(hi(w));
    let maj = (high & lo(y)) ^ (high & hi(y)) ^ (hi(y) & lo(y));
    let low = maj.wrapping_add(big_sigma0(high)).wrapping_add(lo(w));
    pair(high, low)
}

fn small_sigma0(x: u64) -> u64 {
    x.rotate_right(1) ^ x.rotate_right(8) ^ (x >> 7)
}

fn small_sigma1(x: u64) -> u64 {
    x.rotate_right(19) ^ x.rotate_right(61) ^ (x >> 6)
}

fn sha512_su0(d: u128, n: u128) -> u128 {
    let low = lo(d).wrapping_add(small_sigma0(hi(d)));
    let high = hi(d).wrapping_add(small_sigma0(lo(n)));
    pair(high, low)
}

fn sha512_su1(d: u128, n: u128, m: u128) -> u128 {
    let high = hi(d).wrapping_add(small_sigma1(hi(n))).wrapping_add(hi(m));
    let low = lo(d).wrapping_add(small_sigma1(lo(n))).wrapping_add(lo(m));
    pair(high, low)
}

/// Applies `f` to both 64-bit elements.
fn per_element(a: u128, b: u128, f: impl Fn(u64, u64) -> u64) -> u128 {
    pair(f(hi(a), hi(b)), f(lo(a), lo(b)))
}

pub fn exec(cpu: &mut CpuState, word: u32) -> Option<()> {
    if bits(word, 31, 24) != 0xce {
        return None;
    }
    let (rd, rn, rm) = (reg(word, 0), reg(word, 5), reg(word, 16));
    let (d, n, m) = (vreg(cpu, rd), vreg(cpu, rn), vreg(cpu, rm));
    let result = match bits(word, 23, 21) {
        // Four-register: 0 op0(2) Rm 0 Ra Rn Rd.
        0b000 | 0b001 if !bit(word, 15) => {
            let a = vreg(cpu, reg(word, 10));
            if bit(word, 21) {
                n ^ (m & !a)
            } else {
                n ^ m ^ a
            }
        }
        // SM3SS1: 010 Rm 0 Ra Rn Rd.
        0b010 if !bit(word, 15) => crypto_sm3::ss1(n, m, vreg(cpu, reg(word, 10))),
        // SM3TT1A, SM3TT1B, SM3TT2A, SM3TT2B: 010 Rm 10 imm2 opcode(2) Rn Rd.
        0b010 if bits(word, 15, 14) == 0b10 => {
            let index = bits(word, 13, 12) as usize;
            match bits(word, 11, 10) {
                0b00 => crypto_sm3::tt1(d, n, m, index, false),
                0b01 => crypto_sm3::tt1(d, n, m, index, true),
                0b10 => crypto_sm3::tt2(d, n, m, index, false),
                _ => crypto_sm3::tt2(d, n, m, index, true),
            }
        }
        // XAR: 100 Rm imm6 Rn Rd.
        0b100 => {
            let amount = bits(word, 15, 10);
            per_element(n, m, |x, y| (x ^ y).rotate_right(amount))
        }
        // Three-register SHA512: 011 Rm 1 O(0) 00 opcode(2) Rn Rd.
        0b011 if bits(word, 15, 12) == 0b1000 => match bits(word, 11, 10) {
            0b00 => sha512_h(d, n, m),
            0b01 => sha512_h2(d, n, m),
            0b10 => sha512_su1(d, n, m),
            _ => per_element(n, m, |x, y| x ^ y.rotate_left(1)),
        },
        // The same with O = 1: SM3PARTW1, SM3PARTW2, SM4EKEY.
        0b011 if bits(word, 15, 12) == 0b1100 => match bits(word, 11, 10) {
            0b00 => crypto_sm3::partw1(d, n, m),
            0b01 => crypto_sm3::partw2(d, n, m),
            0b10 => crypto_sm4::expand_key(n, m),
            _ => return None,
        },
        // Two-register SHA512: 110 00000 1000 00 opcode(2) Rn Rd.
        0b110 if bits(word, 20, 12) == 0b00000_1000 && bits(word, 11, 10) == 0 => sha512_su0(d, n),
        // SM4E: the same with opcode 01.
        0b110 if bits(word, 20, 12) == 0b0_0000_1000 && bits(word, 11, 10) == 1 => crypto_sm4::encrypt(d, n),
        _ => return None,
    };
    set_vreg(cpu, rd, result, true);
    Some(())
}
