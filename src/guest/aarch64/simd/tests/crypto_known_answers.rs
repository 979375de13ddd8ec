//! Known-answer tests: a whole AES-128 encryption and decryption, and the
//! SHA-1, SHA-256 and SHA-512 digests of "abc", each computed by running the
//! crypto instructions in the sequence a library routine uses and compared
//! with the published results (FIPS-197 appendix C.1; FIPS 180 examples).
//! Byte shuffles and loads a routine would do with LD1/REV/TBL are done in
//! Rust here; every arithmetic step is an executed instruction.

use super::super::super::cpu::CpuState;
use super::super::exec;

// Encodings with every register field zero (from the reference assembler).
const AESE: u32 = 0x4e28_4800;
const AESD: u32 = 0x4e28_5800;
const AESMC: u32 = 0x4e28_6800;
const AESIMC: u32 = 0x4e28_7800;
const EOR_16B: u32 = 0x6e20_1c00;
const ORR_16B: u32 = 0x4ea0_1c00;
const ADD_4S: u32 = 0x4ea0_8400;
const ADD_2D: u32 = 0x4ee0_8400;
const EXT_8: u32 = 0x6e00_4000;
const SHA1C: u32 = 0x5e00_0000;
const SHA1P: u32 = 0x5e00_1000;
const SHA1M: u32 = 0x5e00_2000;
const SHA1SU0: u32 = 0x5e00_3000;
const SHA1H: u32 = 0x5e28_0800;
const SHA1SU1: u32 = 0x5e28_1800;
const SHA256H: u32 = 0x5e00_4000;
const SHA256H2: u32 = 0x5e00_5000;
const SHA256SU1: u32 = 0x5e00_6000;
const SHA256SU0: u32 = 0x5e28_2800;
const SHA512H: u32 = 0xce60_8000;
const SHA512H2: u32 = 0xce60_8400;
const SHA512SU1: u32 = 0xce60_8800;
const SHA512SU0: u32 = 0xcec0_8000;

/// A CPU that runs encoded instructions (also used by the SM3/SM4
/// known-answer tests).
pub(super) struct Machine(CpuState);

impl Machine {
    pub(super) fn new() -> Machine {
        Machine(CpuState::default())
    }

    /// Runs `base` with Rd, Rn and Rm filled in.
    pub(super) fn run(&mut self, base: u32, d: u32, n: u32, m: u32) {
        let word = base | (m << 16) | (n << 5) | d;
        exec(&mut self.0, word).unwrap_or_else(|e| panic!("{word:#010x} raised {e:?}"));
    }

    /// Runs a two-register instruction (Rd, Rn).
    pub(super) fn run2(&mut self, base: u32, d: u32, n: u32) {
        self.run(base, d, n, 0);
    }

    /// Runs a four-register instruction (Rd, Rn, Rm, Ra).
    pub(super) fn run4(&mut self, base: u32, d: u32, n: u32, m: u32, a: u32) {
        self.run(base | (a << 10), d, n, m);
    }

    pub(super) fn mov(&mut self, d: u32, n: u32) {
        self.run(ORR_16B, d, n, n);
    }

    pub(super) fn v(&self, r: u32) -> u128 {
        self.0.v[r as usize]
    }

    pub(super) fn set(&mut self, r: u32, value: u128) {
        self.0.v[r as usize] = value;
    }
}

pub(super) fn words32(w: [u32; 4]) -> u128 {
    w.iter().rev().fold(0, |acc, &x| (acc << 32) | x as u128)
}

fn words64(lo: u64, hi: u64) -> u128 {
    ((hi as u128) << 64) | lo as u128
}

pub(super) fn lane32(v: u128, i: usize) -> u32 {
    (v >> (32 * i)) as u32
}

/// A register loaded from 16 message bytes as big-endian 32-bit words
/// (LD1 then REV32).
pub(super) fn be_words32(bytes: &[u8]) -> u128 {
    words32(std::array::from_fn(|i| u32::from_be_bytes(bytes[4 * i..4 * i + 4].try_into().unwrap())))
}

/// A register loaded from 16 message bytes as big-endian 64-bit words
/// (LD1 then REV64).
fn be_words64(bytes: &[u8]) -> u128 {
    let w = |i: usize| u64::from_be_bytes(bytes[8 * i..8 * i + 8].try_into().unwrap());
    words64(w(0), w(1))
}

pub(super) fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn block(bytes: &[u8]) -> u128 {
    u128::from_le_bytes(bytes.try_into().unwrap())
}

/// AES-128 round keys. SubWord(RotWord(w3)) comes from AESE with a zero
/// round key on a register holding the rotated word in all four columns:
/// ShiftRows then moves nothing and SubBytes does the rest.
fn aes128_round_keys(m: &mut Machine, key: u128) -> [u128; 11] {
    let mut keys = [key; 11];
    let mut rcon = 1u32;
    for i in 1..11 {
        let prev = keys[i - 1];
        let rotated = lane32(prev, 3).rotate_right(8);
        m.set(1, words32([rotated; 4]));
        m.set(2, 0);
        m.run2(AESE, 1, 2);
        let t = lane32(m.v(1), 0) ^ rcon;
        let mut w = [0u32; 4];
        w[0] = lane32(prev, 0) ^ t;
        for j in 1..4 {
            w[j] = lane32(prev, j) ^ w[j - 1];
        }
        keys[i] = words32(w);
        rcon = if rcon & 0x80 != 0 { ((rcon << 1) ^ 0x11b) & 0xff } else { rcon << 1 };
    }
    keys
}

#[test]
fn aes128_encrypt_and_decrypt_fips197_c1() {
    let key = block(&hex("000102030405060708090a0b0c0d0e0f"));
    let plaintext = block(&hex("00112233445566778899aabbccddeeff"));
    let ciphertext = block(&hex("69c4e0d86a7b0430d8cdb78070b4c55a"));
    let mut m = Machine::new();
    let keys = aes128_round_keys(&mut m, key);
    // FIPS-197 appendix C.1 lists the round keys; the last one is this.
    assert_eq!(keys[10], block(&hex("13111d7fe3944a17f307a78b4d2b30c5")));

    // Encryption: AESE + AESMC for rounds 1-9, AESE, then EOR the last key.
    m.set(0, plaintext);
    for k in &keys[..9] {
        m.set(1, *k);
        m.run2(AESE, 0, 1);
        m.run2(AESMC, 0, 0);
    }
    m.set(1, keys[9]);
    m.run2(AESE, 0, 1);
    m.set(1, keys[10]);
    m.run(EOR_16B, 0, 0, 1);
    assert_eq!(m.v(0), ciphertext, "{:#x}", m.v(0));

    // Decryption, equivalent inverse cipher: AESD with the round keys in
    // reverse order, the middle ones passed through AESIMC first.
    m.set(0, ciphertext);
    for (i, k) in keys[1..].iter().enumerate().rev() {
        m.set(1, *k);
        if i != 9 {
            m.run2(AESIMC, 1, 1);
        }
        m.run2(AESD, 0, 1);
        if i != 0 {
            m.run2(AESIMC, 0, 0);
        }
    }
    m.set(1, keys[0]);
    m.run(EOR_16B, 0, 0, 1);
    assert_eq!(m.v(0), plaintext, "{:#x}", m.v(0));
}

/// One 64-byte message block "abc" padded as SHA-1, SHA-256 and SM3 pad it.
pub(super) fn padded_abc_64() -> [u8; 64] {
    let mut b = [0u8; 64];
    b[..3].copy_from_slice(b"abc");
    b[3] = 0x80;
    b[63] = 24; // message length in bits, big-endian
    b
}

#[test]
fn sha1_of_abc() {
    const K: [u32; 4] = [0x5a82_7999, 0x6ed9_eba1, 0x8f1b_bcdc, 0xca62_c1d6];
    let initial = [0x6745_2301u32, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476, 0xc3d2_e1f0];
    let mut m = Machine::new();
    let msg = padded_abc_64();
    // v0 = abcd, e in v1 (alternating with v2), message in v16-v19.
    m.set(0, words32([initial[0], initial[1], initial[2], initial[3]]));
    m.set(1, initial[4] as u128);
    for i in 0..4 {
        m.set(16 + i, be_words32(&msg[16 * i as usize..]));
    }
    let mut e = 1;
    for g in 0..20u32 {
        let w = 16 + g % 4;
        m.set(4, words32([K[g as usize / 5]; 4]));
        m.run(ADD_4S, 5, w, 4);
        // The next group's e is this group's a rotated (SHA1H).
        m.run2(SHA1H, 3 - e, 0);
        let rounds = match g / 5 {
            0 => SHA1C,
            2 => SHA1M,
            _ => SHA1P,
        };
        m.run(rounds, 0, e, 5);
        e = 3 - e;
        if g < 16 {
            m.run(SHA1SU0, w, 16 + (g + 1) % 4, 16 + (g + 2) % 4);
            m.run2(SHA1SU1, w, 16 + (g + 3) % 4);
        }
    }
    let abcd = m.v(0);
    let digest: Vec<u32> = (0..4)
        .map(|i| lane32(abcd, i).wrapping_add(initial[i]))
        .chain([lane32(m.v(e), 0).wrapping_add(initial[4])])
        .collect();
    assert_eq!(digest, [0xa999_3e36, 0x4706_816a, 0xba3e_2571, 0x7850_c26c, 0x9cd0_d89d]);
}

/// SHA-256 round constants (fractional parts of the cube roots of the
/// first 64 primes).
#[rustfmt::skip]
const K256: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

#[test]
fn sha256_of_abc() {
    let initial =
        [0x6a09_e667u32, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19];
    let mut m = Machine::new();
    let msg = padded_abc_64();
    // v0 = abcd, v1 = efgh, copies in v20/v21; message in v16-v19.
    m.set(0, words32([initial[0], initial[1], initial[2], initial[3]]));
    m.set(1, words32([initial[4], initial[5], initial[6], initial[7]]));
    m.mov(20, 0);
    m.mov(21, 1);
    for i in 0..4 {
        m.set(16 + i, be_words32(&msg[16 * i as usize..]));
    }
    for g in 0..16u32 {
        let w = 16 + g % 4;
        let k = 4 * g as usize;
        m.set(4, words32([K256[k], K256[k + 1], K256[k + 2], K256[k + 3]]));
        m.run(ADD_4S, 5, w, 4);
        // SHA256H2 needs abcd as it was before SHA256H.
        m.mov(2, 0);
        m.run(SHA256H, 0, 1, 5);
        m.run(SHA256H2, 1, 2, 5);
        if g < 12 {
            m.run2(SHA256SU0, w, 16 + (g + 1) % 4);
            m.run(SHA256SU1, w, 16 + (g + 2) % 4, 16 + (g + 3) % 4);
        }
    }
    m.run(ADD_4S, 0, 0, 20);
    m.run(ADD_4S, 1, 1, 21);
    let digest: Vec<u32> = (0..8).map(|i| lane32(m.v(i / 4), i as usize % 4)).collect();
    assert_eq!(
        digest,
        [0xba78_16bf, 0x8f01_cfea, 0x4141_40de, 0x5dae_2223, 0xb003_61a3, 0x9617_7a9c, 0xb410_ff61, 0xf200_15ad]
    );
}

/// SHA-512 round constants (fractional parts of the cube roots of the
/// first 80 primes).
#[rustfmt::skip]
const K512: [u64; 80] = [
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
    0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
    0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
    0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
    0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
    0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
    0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
    0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
    0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
    0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
    0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
];

#[test]
fn sha512_of_abc() {
    let initial: [u64; 8] = [
        0x6a09_e667_f3bc_c908,
        0xbb67_ae85_84ca_a73b,
        0x3c6e_f372_fe94_f82b,
        0xa54f_f53a_5f1d_36f1,
        0x510e_527f_ade6_82d1,
        0x9b05_688c_2b3e_6c1f,
        0x1f83_d9ab_fb41_bd6b,
        0x5be0_cd19_137e_2179,
    ];
    let mut msg = [0u8; 128];
    msg[..3].copy_from_slice(b"abc");
    msg[3] = 0x80;
    msg[127] = 24;
    let mut m = Machine::new();
    // State pairs (low element first): v0 = (a, b), v1 = (c, d),
    // v2 = (e, f), v3 = (g, h); copies in v24-v27; message in v16-v23.
    for i in 0..4u32 {
        m.set(i, words64(initial[2 * i as usize], initial[2 * i as usize + 1]));
        m.mov(24 + i, i);
    }
    for i in 0..8 {
        m.set(16 + i, be_words64(&msg[16 * i as usize..]));
    }
    for i in 0..40u32 {
        let w = 16 + i % 8;
        let t = 2 * i as usize;
        m.set(4, words64(K512[t], K512[t + 1]));
        m.run(ADD_2D, 5, w, 4); // (K+W for round t, for round t+1)
        if i < 32 {
            // W[t+16], W[t+17] from W[t..t+1], W[t+2], W[t+9..t+10], W[t+14..t+15].
            m.run2(SHA512SU0, w, 16 + (i + 1) % 8);
            m.run(EXT_8, 6, 16 + (i + 4) % 8, 16 + (i + 5) % 8);
            m.run(SHA512SU1, w, 16 + (i + 7) % 8, 6);
        }
        // SHA512H wants (g + KW[t+1], h + KW[t]), (f, g) and (d, e).
        m.run(EXT_8, 6, 5, 5);
        m.run(ADD_2D, 7, 3, 6);
        m.run(EXT_8, 8, 2, 3);
        m.run(EXT_8, 9, 1, 2);
        m.run(SHA512H, 7, 8, 9); // (T1[t+1], T1[t])
        m.run(ADD_2D, 10, 1, 7); // new (e, f) = (c + T1[t+1], d + T1[t])
        m.run(SHA512H2, 7, 1, 0); // new (a, b)
        m.mov(3, 2);
        m.mov(2, 10);
        m.mov(1, 0);
        m.mov(0, 7);
    }
    for i in 0..4u32 {
        m.run(ADD_2D, i, i, 24 + i);
    }
    let digest: Vec<u64> = (0..8u32).map(|i| (m.v(i / 2) >> (64 * (i % 2))) as u64).collect();
    assert_eq!(
        digest,
        [
            0xddaf_35a1_9361_7aba,
            0xcc41_7349_ae20_4131,
            0x12e6_fa4e_89a9_7ea2,
            0x0a9e_eee6_4b55_d39a,
            0x2192_992a_274f_c1a8,
            0x36ba_3c23_a3fe_ebbd,
            0x454d_4423_643c_e80e,
            0x2a9a_c94f_a54c_a49f,
        ]
    );
}
