//! The SM3 hash instructions (FEAT_SM3): SM3SS1, SM3TT1A/B, SM3TT2A/B for
//! the compression rounds and SM3PARTW1/2 for the message expansion of
//! GB/T 32905-2016.
//!
//! A round keeps its state in two registers, element 3 holding the newest
//! word: (A, B, C, D) as elements (3, 2, 1, 0) of one and (E, F, G, H) of
//! the other. The "A" forms use the XOR boolean functions of rounds 0-15,
//! the "B" forms the majority and choose functions of rounds 16-63. Word
//! `i` below means 32-bit element `i` of a register.

fn word(v: u128, i: usize) -> u32 {
    (v >> (32 * i)) as u32
}

fn from_words(w: [u32; 4]) -> u128 {
    w.iter().rev().fold(0u128, |acc, &x| (acc << 32) | x as u128)
}

/// P0, the permutation applied to the new E.
fn p0(x: u32) -> u32 {
    x ^ x.rotate_left(9) ^ x.rotate_left(17)
}

/// P1, the permutation of the message expansion.
fn p1(x: u32) -> u32 {
    x ^ x.rotate_left(15) ^ x.rotate_left(23)
}

/// SM3SS1: SS1 = ((A <<< 12) + E + (Tj <<< j)) <<< 7 from the top words of
/// `n`, `m` and `a`, in word 3; the other words are zero.
pub fn ss1(n: u128, m: u128, a: u128) -> u128 {
    let sum = word(n, 3).rotate_left(12).wrapping_add(word(m, 3)).wrapping_add(word(a, 3));
    (sum.rotate_left(7) as u128) << 96
}

/// SM3TT1A (`majority` false) / SM3TT1B: one round's update of (A, B, C, D)
/// in `d`, with SS1 in word 3 of `n` and W'j in word `index` of `m`.
pub fn tt1(d: u128, n: u128, m: u128, index: usize, majority: bool) -> u128 {
    let (a, b, c, dd) = (word(d, 3), word(d, 2), word(d, 1), word(d, 0));
    let ss2 = word(n, 3) ^ a.rotate_left(12);
    let ff = if majority { (a & b) | (a & c) | (b & c) } else { a ^ b ^ c };
    let tt1 = ff.wrapping_add(dd).wrapping_add(ss2).wrapping_add(word(m, index));
    from_words([c, b.rotate_left(9), a, tt1])
}

/// SM3TT2A (`choose` false) / SM3TT2B: one round's update of (E, F, G, H)
/// in `d`, with SS1 in word 3 of `n` and Wj in word `index` of `m`.
pub fn tt2(d: u128, n: u128, m: u128, index: usize, choose: bool) -> u128 {
    let (e, f, g, h) = (word(d, 3), word(d, 2), word(d, 1), word(d, 0));
    let gg = if choose { (e & f) | (!e & g) } else { e ^ f ^ g };
    let tt2 = gg.wrapping_add(h).wrapping_add(word(n, 3)).wrapping_add(word(m, index));
    from_words([g, f.rotate_left(19), e, p0(tt2)])
}

/// SM3PARTW1: the P1 part of four new message words Wj..Wj+3, from
/// `d` = Wj-16.., `n` = Wj-9.. and `m` = Wj-4..Wj-1. Word 3 needs Wj, which
/// is not complete yet; it uses this result's word 0 instead, and SM3PARTW2
/// adds the difference (P1 is linear).
pub fn partw1(d: u128, n: u128, m: u128) -> u128 {
    let x = d ^ n;
    let part = |i: usize, w3: u32| p1(word(x, i) ^ w3.rotate_left(15));
    let w0 = part(0, word(m, 1));
    from_words([w0, part(1, word(m, 2)), part(2, word(m, 3)), part(3, w0)])
}

/// SM3PARTW2: completes Wj..Wj+3 from the SM3PARTW1 result in `d`, with
/// `n` = Wj-6.. and `m` = Wj-13..: adds (Wj-13 <<< 7) ^ Wj-6 to every word
/// and the missing part of word 3's P1 input.
pub fn partw2(d: u128, n: u128, m: u128) -> u128 {
    let t: [u32; 4] = std::array::from_fn(|i| word(n, i) ^ word(m, i).rotate_left(7));
    let mut r: [u32; 4] = std::array::from_fn(|i| word(d, i) ^ t[i]);
    r[3] ^= p1(t[0].rotate_left(15));
    from_words(r)
}
