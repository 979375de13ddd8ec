//! The SHA-1 and SHA-256 instructions (FEAT_SHA1, FEAT_SHA256): the crypto
//! three-register SHA group (SHA1C/P/M, SHA1SU0, SHA256H/H2, SHA256SU1) and
//! the two-register SHA group (SHA1H, SHA1SU1, SHA256SU0).
//!
//! Each hash instruction runs four rounds of the compression function on a
//! state held in vector registers, with the message words (already added to
//! the round constants by the program) in a third register. Word `i` below
//! means 32-bit element `i` of a register.

use super::super::cpu::CpuState;
use super::lanes::{bits, get, reg, set_scalar, set_vreg, vreg};

fn word(v: u128, i: usize) -> u32 {
    get(v, 32, i) as u32
}

fn from_words(w: [u32; 4]) -> u128 {
    w.iter().rev().fold(0u128, |acc, &x| (acc << 32) | x as u128)
}

fn choose(x: u32, y: u32, z: u32) -> u32 {
    ((y ^ z) & x) ^ z
}

fn parity(x: u32, y: u32, z: u32) -> u32 {
    x ^ y ^ z
}

fn majority(x: u32, y: u32, z: u32) -> u32 {
    (x & y) | ((x | y) & z)
}

/// Four SHA-1 rounds. `abcd` holds a (word 0) to d (word 3), `e` the fifth
/// state word, `wk` the four message-plus-constant words.
fn sha1_rounds(abcd: u128, e: u32, wk: u128, f: fn(u32, u32, u32) -> u32) -> u128 {
    let mut x = [word(abcd, 0), word(abcd, 1), word(abcd, 2), word(abcd, 3)];
    let mut y = e;
    for i in 0..4 {
        let t = f(x[1], x[2], x[3]);
        y = y.wrapping_add(x[0].rotate_left(5)).wrapping_add(t).wrapping_add(word(wk, i));
        x[1] = x[1].rotate_left(30);
        // The 160-bit state y:x rotates by one word: the new sum becomes a.
        let top = x[3];
        x = [y, x[0], x[1], x[2]];
        y = top;
    }
    from_words(x)
}

fn big_sigma0(x: u32) -> u32 {
    x.rotate_right(2) ^ x.rotate_right(13) ^ x.rotate_right(22)
}

fn big_sigma1(x: u32) -> u32 {
    x.rotate_right(6) ^ x.rotate_right(11) ^ x.rotate_right(25)
}

/// Four SHA-256 rounds on the state halves `x` = a..d and `y` = e..h
/// (word 0 first). Returns the new (x, y).
fn sha256_rounds(x: u128, y: u128, wk: u128) -> (u128, u128) {
    let mut x = [word(x, 0), word(x, 1), word(x, 2), word(x, 3)];
    let mut y = [word(y, 0), word(y, 1), word(y, 2), word(y, 3)];
    for i in 0..4 {
        let ch = choose(y[0], y[1], y[2]);
        let maj = majority(x[0], x[1], x[2]);
        let t = y[3].wrapping_add(big_sigma1(y[0])).wrapping_add(ch).wrapping_add(word(wk, i));
        x[3] = t.wrapping_add(x[3]);
        y[3] = t.wrapping_add(big_sigma0(x[0])).wrapping_add(maj);
        // The 256-bit state y:x rotates by one word.
        let (x_top, y_top) = (x[3], y[3]);
        x = [y_top, x[0], x[1], x[2]];
        y = [x_top, y[0], y[1], y[2]];
    }
    (from_words(x), from_words(y))
}

fn sha1_schedule_0(d: u128, n: u128, m: u128) -> u128 {
    // n<63:0> : d<127:64>, then EOR d EOR m.
    ((n << 64) | (d >> 64)) ^ d ^ m
}

fn sha1_schedule_1(d: u128, n: u128) -> u128 {
    let t = d ^ (n >> 32);
    let w = [word(t, 0), word(t, 1), word(t, 2), word(t, 3)];
    from_words([
        w[0].rotate_left(1),
        w[1].rotate_left(1),
        w[2].rotate_left(1),
        w[3].rotate_left(1) ^ w[0].rotate_left(2),
    ])
}

fn small_sigma0(x: u32) -> u32 {
    x.rotate_right(7) ^ x.rotate_right(18) ^ (x >> 3)
}

fn small_sigma1(x: u32) -> u32 {
    x.rotate_right(17) ^ x.rotate_right(19) ^ (x >> 10)
}

fn sha256_schedule_0(d: u128, n: u128) -> u128 {
    // T = n<31:0> : d<127:32>.
    let t = (d >> 32) | ((word(n, 0) as u128) << 96);
    from_words(std::array::from_fn(|i| small_sigma0(word(t, i)).wrapping_add(word(d, i))))
}

fn sha256_schedule_1(d: u128, n: u128, m: u128) -> u128 {
    // T0 = m<31:0> : n<127:32>; the sigma1 inputs are m<127:64>, then the
    // two results just computed.
    let t0 = (n >> 32) | ((word(m, 0) as u128) << 96);
    let mut out = [0u32; 4];
    for i in 0..4 {
        let src = if i < 2 { word(m, i + 2) } else { out[i - 2] };
        out[i] = small_sigma1(src).wrapping_add(word(d, i)).wrapping_add(word(t0, i));
    }
    from_words(out)
}

/// Crypto three-register SHA: 0101 1110 size(00) 0 Rm 0 opcode(3) 00 Rn Rd.
pub fn three_reg(cpu: &mut CpuState, word: u32) -> Option<()> {
    if bits(word, 31, 24) != 0x5e || bits(word, 23, 21) != 0 || bits(word, 15, 15) != 0 || bits(word, 11, 10) != 0 {
        return None;
    }
    let (rd, rn, rm) = (reg(word, 0), reg(word, 5), reg(word, 16));
    let (d, n, m) = (vreg(cpu, rd), vreg(cpu, rn), vreg(cpu, rm));
    let result = match bits(word, 14, 12) {
        0b000 => sha1_rounds(d, n as u32, m, choose),
        0b001 => sha1_rounds(d, n as u32, m, parity),
        0b010 => sha1_rounds(d, n as u32, m, majority),
        0b011 => sha1_schedule_0(d, n, m),
        0b100 => sha256_rounds(d, n, m).0,
        0b101 => sha256_rounds(n, d, m).1,
        0b110 => sha256_schedule_1(d, n, m),
        _ => return None,
    };
    set_vreg(cpu, rd, result, true);
    Some(())
}

/// Crypto two-register SHA: 0101 1110 size(00) 10100 opcode(5) 10 Rn Rd.
pub fn two_reg(cpu: &mut CpuState, word: u32) -> Option<()> {
    if bits(word, 31, 24) != 0x5e || bits(word, 23, 22) != 0 {
        return None;
    }
    let (rd, rn) = (reg(word, 0), reg(word, 5));
    let (d, n) = (vreg(cpu, rd), vreg(cpu, rn));
    match bits(word, 16, 12) {
        0b00000 => set_scalar(cpu, rd, (n as u32).rotate_left(30) as u64, 32),
        0b00001 => set_vreg(cpu, rd, sha1_schedule_1(d, n), true),
        0b00010 => set_vreg(cpu, rd, sha256_schedule_0(d, n), true),
        _ => return None,
    }
    Some(())
}
