//! ComputePAC with QARMA5: the architecture's PAC algorithm, a variant of the
//! QARMA-64 tweakable block cipher (Avanzi, 2016) with the sigma-2 S-box and
//! five rounds either side of the reflector. The data is the plaintext, the
//! modifier the tweak; key bits 127:64 are the whitening key w0 and bits
//! 63:0 the core key k0.
//!
//! The state is sixteen 4-bit cells, cell `i` being bits `4i+3:4i` (QARMA's
//! paper numbers them from the other end). Each step below is the Arm ARM
//! function of the same name; the cell permutations are given as tables (out
//! cell `i` takes in cell `TABLE[i]`) and expanded at compile time into
//! per-byte lookups, and PACMult works on all cells at once.

use super::PacKey;

/// Round constants: the fractional digits of pi, as in the cipher.
const RC: [u64; 5] = [
    0x0000_0000_0000_0000,
    0x1319_8A2E_0370_7344,
    0xA409_3822_299F_31D0,
    0x082E_FA98_EC4E_6C89,
    0x4528_21E6_38D0_1377,
];

/// The reflection constant that distinguishes the backward rounds' keys.
const ALPHA: u64 = 0xC0AC_29B7_C97C_50DD;

/// PACSub's S-box (QARMA's sigma-2).
const SBOX: [u8; 16] = [0xb, 0x6, 0x8, 0xf, 0xc, 0x0, 0x9, 0xe, 0x3, 0x7, 0x4, 0x5, 0xd, 0x2, 0x1, 0xa];

/// PACCellShuffle: out cell `i` is in cell `CELL_SHUFFLE[i]`.
const CELL_SHUFFLE: [u8; 16] = [13, 6, 11, 0, 7, 12, 1, 10, 8, 3, 14, 5, 2, 9, 4, 15];

/// TweakShuffle's permutation of the tweak cells.
const TWEAK_SHUFFLE: [u8; 16] = [4, 5, 6, 7, 11, 2, 3, 8, 12, 13, 14, 15, 0, 1, 10, 9];

/// The output cells of TweakShuffle that also go through TweakCellRot (the
/// cipher's tweak LFSR), as a mask of cell numbers.
const TWEAK_ROT_CELLS: u16 = (1 << 2) | (1 << 4) | (1 << 7) | (1 << 11) | (1 << 12) | (1 << 14) | (1 << 15);

const fn invert_nibbles(table: [u8; 16]) -> [u8; 16] {
    let mut inv = [0u8; 16];
    let mut i = 0;
    while i < 16 {
        inv[table[i] as usize] = i as u8;
        i += 1;
    }
    inv
}

/// TweakCellRot as a table: one step of the tweak cells' LFSR,
/// (b3, b2, b1, b0) -> (b0 ^ b1, b3, b2, b1).
const fn tweak_cell_rot() -> [u8; 16] {
    let mut t = [0u8; 16];
    let mut c = 0;
    while c < 16 {
        t[c] = ((c >> 1) | (((c ^ (c >> 1)) & 1) << 3)) as u8;
        c += 1;
    }
    t
}

const IDENTITY: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
const TWEAK_ROT: [u8; 16] = tweak_cell_rot();
const TWEAK_INV_ROT: [u8; 16] = invert_nibbles(TWEAK_ROT);

/// A cell permutation with a per-cell map, out cell `i` =
/// `map(in cell from[i])` for the cells in `mapped` and `in cell from[i]`
/// for the others, precomputed as each input byte's contribution to the
/// output. Applying it then costs eight lookups instead of a loop over
/// sixteen cells; that is most of QARMA5's time in software.
type ByteTables = [[u64; 256]; 8];

const fn cell_permutation(from: [u8; 16], mapped: u16, map: [u8; 16]) -> ByteTables {
    let mut t = [[0u64; 256]; 8];
    let mut out = 0;
    while out < 16 {
        let src = from[out] as usize;
        let mut byte = 0;
        while byte < 256 {
            let c = (byte >> (4 * (src % 2))) & 0xf;
            let v = if mapped & (1 << out) != 0 { map[c] } else { c as u8 };
            t[src / 2][byte] |= (v as u64) << (4 * out);
            byte += 1;
        }
        out += 1;
    }
    t
}

/// The output cells of the inverse tweak shuffle whose source cell went
/// through the LFSR in the forward one.
const fn inverse_mapped(from_inv: [u8; 16], mapped: u16) -> u16 {
    let mut m = 0u16;
    let mut i = 0;
    while i < 16 {
        if mapped & (1 << from_inv[i]) != 0 {
            m |= 1 << i;
        }
        i += 1;
    }
    m
}

/// The S-box applied to both nibbles of a byte, so PACSub takes eight
/// lookups instead of sixteen.
const fn byte_sbox(sbox: [u8; 16]) -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (sbox[b >> 4] << 4) | sbox[b & 0xf];
        b += 1;
    }
    t
}

const SBOX_BYTES: [u8; 256] = byte_sbox(SBOX);
const INV_SBOX_BYTES: [u8; 256] = byte_sbox(invert_nibbles(SBOX));
static CELL_SHUFFLE_BYTES: ByteTables = cell_permutation(CELL_SHUFFLE, 0, IDENTITY);
static CELL_INV_SHUFFLE_BYTES: ByteTables = cell_permutation(invert_nibbles(CELL_SHUFFLE), 0, IDENTITY);
static TWEAK_SHUFFLE_BYTES: ByteTables = cell_permutation(TWEAK_SHUFFLE, TWEAK_ROT_CELLS, TWEAK_ROT);
static TWEAK_INV_SHUFFLE_BYTES: ByteTables = cell_permutation(
    invert_nibbles(TWEAK_SHUFFLE),
    inverse_mapped(invert_nibbles(TWEAK_SHUFFLE), TWEAK_ROT_CELLS),
    TWEAK_INV_ROT,
);

fn permute(x: u64, tables: &ByteTables) -> u64 {
    let bytes = x.to_le_bytes();
    (0..8).fold(0, |out, i| out | tables[i][bytes[i] as usize])
}

fn substitute(x: u64, table: &[u8; 256]) -> u64 {
    u64::from_le_bytes(x.to_le_bytes().map(|b| table[b as usize]))
}

/// PACSub: the S-box on every cell.
pub(super) fn pac_sub(x: u64) -> u64 {
    substitute(x, &SBOX_BYTES)
}

/// PACInvSub.
pub(super) fn pac_inv_sub(x: u64) -> u64 {
    substitute(x, &INV_SBOX_BYTES)
}

/// PACCellShuffle: QARMA's cell permutation tau.
pub(super) fn pac_cell_shuffle(x: u64) -> u64 {
    permute(x, &CELL_SHUFFLE_BYTES)
}

/// PACCellInvShuffle.
pub(super) fn pac_cell_inv_shuffle(x: u64) -> u64 {
    permute(x, &CELL_INV_SHUFFLE_BYTES)
}

/// Every cell rotated left by `n` bits within itself (RotCell).
fn rot_cells(x: u64, n: u32) -> u64 {
    const ONES: u64 = 0x1111_1111_1111_1111;
    let keep_low = ONES * ((1 << (4 - n)) - 1);
    ((x & keep_low) << n) | ((x >> (4 - n)) & (ONES * ((1 << n) - 1)))
}

/// PACMult: the MixColumns step, multiplying each column (cells `i`, `i+4`,
/// `i+8`, `i+12`) by the involutory matrix circ(0, rho, rho^2, rho), rho
/// being a one-bit cell rotation. With the 16-bit rows of cells as the
/// matrix's rows, output row `k` is rho(row k+1) ^ rho(row k-1) ^
/// rho^2(row k+2): whole-word rotations by 16 bits line the rows up.
pub(super) fn pac_mult(x: u64) -> u64 {
    let r1 = rot_cells(x, 1);
    let r2 = rot_cells(x, 2);
    r1.rotate_right(16) ^ r1.rotate_left(16) ^ r2.rotate_left(32)
}

/// TweakShuffle: the tweak schedule of one forward round (QARMA's tweak
/// permutation h, then the LFSR on seven cells).
pub(super) fn tweak_shuffle(t: u64) -> u64 {
    permute(t, &TWEAK_SHUFFLE_BYTES)
}

/// TweakInvShuffle: undoes [`tweak_shuffle`] for the backward rounds.
pub(super) fn tweak_inv_shuffle(t: u64) -> u64 {
    permute(t, &TWEAK_INV_SHUFFLE_BYTES)
}

/// The second whitening key, w1 = (w0 >>> 1) ^ (w0 >> 63).
fn modk0(key0: u64) -> u64 {
    key0.rotate_right(1) ^ (key0 >> 63)
}

/// ComputePAC with QARMA5.
pub fn compute_pac(data: u64, modifier: u64, key: PacKey) -> u64 {
    let (key0, key1) = (key.hi, key.lo);
    let modk0 = modk0(key0);
    let mut tweak = modifier;
    let mut s = data ^ key0;

    for (i, rc) in RC.iter().enumerate() {
        s ^= key1 ^ tweak ^ rc;
        if i > 0 {
            s = pac_mult(pac_cell_shuffle(s));
        }
        s = pac_sub(s);
        tweak = tweak_shuffle(tweak);
    }

    // The reflector: a forward round keyed by w1, a keyed middle step with
    // k0 and the matching backward round keyed by w0.
    s ^= modk0 ^ tweak;
    s = pac_sub(pac_mult(pac_cell_shuffle(s)));
    s = pac_mult(pac_cell_shuffle(s));
    s ^= key1;
    s = pac_inv_sub(pac_cell_inv_shuffle(s));
    s = pac_cell_inv_shuffle(pac_mult(s));
    s ^= key0 ^ tweak;

    for (i, rc) in RC.iter().rev().enumerate() {
        s = pac_inv_sub(s);
        if i < 4 {
            s = pac_cell_inv_shuffle(pac_mult(s));
        }
        tweak = tweak_inv_shuffle(tweak);
        s ^= rc ^ key1 ^ tweak ^ ALPHA;
    }
    s ^ modk0
}
