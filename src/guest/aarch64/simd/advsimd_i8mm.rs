//! Int8 matrix multiply (FEAT_I8MM): SMMLA, UMMLA, USMMLA and USDOT in the
//! "three same extra" class, USDOT and SUDOT by element. All are vector
//! only and accumulate into 32-bit lanes with wrapping adds; they differ in
//! which operand's bytes are signed, which is why the mixed-sign forms
//! exist at all (unsigned data times signed weights, in either order).

use super::super::cpu::CpuState;
use super::int_elem::widen;
use super::lanes::{bit, bits, build, datasize, get, reg, set_vreg, vreg};

/// Signedness of the two byte operands, `n` then `m`.
#[derive(Clone, Copy)]
struct Signs {
    n_unsigned: bool,
    m_unsigned: bool,
}

/// `acc` plus the products of the byte pairs (`n` byte `i`, `m` byte `i`)
/// for `i` in `0..len`, truncated to 32 bits.
fn byte_dot(acc: u64, n: u64, m: u64, len: u32, signs: Signs) -> u64 {
    let sum: i128 = (0..len)
        .map(|i| {
            let (x, y) = ((n >> (8 * i)) & 0xff, (m >> (8 * i)) & 0xff);
            widen(x, 8, signs.n_unsigned) * widen(y, 8, signs.m_unsigned)
        })
        .sum();
    (acc as i128 + sum) as u64 & 0xffff_ffff
}

/// SMMLA/UMMLA/USMMLA: `n` and `m` each hold a 2x8 byte matrix (row `r` in
/// bytes 8r..8r+7) and `acc` a 2x2 matrix of 32-bit words (row-major); the
/// result is acc + n * transpose(m).
fn matrix_multiply_add(acc: u128, n: u128, m: u128, signs: Signs) -> u128 {
    build(32, 4, |e| {
        let (row, col) = (e / 2, e % 2);
        byte_dot(get(acc, 32, e), get(n, 64, row), get(m, 64, col), 8, signs)
    })
}

/// USDOT/SUDOT: every 32-bit lane of `n` against `m_lane(i)`, four bytes
/// per lane.
fn dot(cpu: &mut CpuState, word: u32, signs: Signs, m_lane: impl Fn(usize) -> u64) {
    let (q, rd, rn) = (bit(word, 30), reg(word, 0), reg(word, 5));
    let (n, d) = (vreg(cpu, rn), vreg(cpu, rd));
    let lanes = (datasize(q) / 32) as usize;
    let r = build(32, lanes, |i| byte_dot(get(d, 32, i), get(n, 32, i), m_lane(i), 4, signs));
    set_vreg(cpu, rd, r, q);
}

/// Three same extra with size = 10: 0 Q U 01110 10 0 Rm 1 opcode(4) 1 Rn Rd,
/// opcode 0011 USDOT (U = 0), 0100 SMMLA (U = 0) / UMMLA (U = 1), 0101
/// USMMLA (U = 0). The matrix forms exist only with Q = 1.
pub fn three_same_extra(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    let (q, u, size, opcode) = (bit(word, 30), bit(word, 29), bits(word, 23, 22), bits(word, 14, 11));
    if scalar || size != 0b10 {
        return None;
    }
    let m = vreg(cpu, reg(word, 16));
    let signs = match (opcode, u) {
        (0b0011, false) => {
            dot(cpu, word, Signs { n_unsigned: true, m_unsigned: false }, |i| get(m, 32, i));
            return Some(());
        }
        (0b0100, _) => Signs { n_unsigned: u, m_unsigned: u },
        (0b0101, false) => Signs { n_unsigned: true, m_unsigned: false },
        _ => return None,
    };
    if !q {
        return None;
    }
    let (rd, rn) = (reg(word, 0), reg(word, 5));
    let r = matrix_multiply_add(vreg(cpu, rd), vreg(cpu, rn), m, signs);
    set_vreg(cpu, rd, r, true);
    Some(())
}

/// By element, opcode 1111 with U = 0: 0 Q 0 01111 size L M Rm 1111 H 0 Rn
/// Rd, size 00 SUDOT (signed `n`, unsigned element), size 10 USDOT
/// (unsigned `n`, signed element). The element is 32-bit word H:L of the
/// register M:Rm.
pub fn indexed(cpu: &mut CpuState, word: u32, scalar: bool) -> Option<()> {
    let (u, size, opcode) = (bit(word, 29), bits(word, 23, 22), bits(word, 15, 12));
    if scalar || u || opcode != 0b1111 {
        return None;
    }
    let signs = match size {
        0b00 => Signs { n_unsigned: false, m_unsigned: true },
        0b10 => Signs { n_unsigned: true, m_unsigned: false },
        _ => return None,
    };
    let index = ((bit(word, 11) as usize) << 1) | bit(word, 21) as usize;
    let m = get(vreg(cpu, reg(word, 16)), 32, index);
    dot(cpu, word, signs, |_| m);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_product_layout() {
        // n rows (1..8) and (-1 x8); m rows (1 x8) and (2 x8).
        let n = u128::from_le_bytes([1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        let m = u128::from_le_bytes([1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2]);
        let signed = Signs { n_unsigned: false, m_unsigned: false };
        let r = matrix_multiply_add(0, n, m, signed);
        assert_eq!(r, build(32, 4, |e| [36, 72, (-8i64) as u64, (-16i64) as u64][e]));
        let mixed = Signs { n_unsigned: true, m_unsigned: false };
        assert_eq!(get(matrix_multiply_add(1, n, m, mixed), 32, 2), 8 * 255);
    }
}
