//! Known answers worked out from the Arm pseudocode of each instruction.

use super::*;
use crate::guest::aarch64::cpu::CpuState;

fn run(op: FlagOp, nzcv: u64, x1: u64) -> u64 {
    let mut cpu = CpuState::default();
    cpu.x[1] = x1;
    cpu.set_nzcv(nzcv << 28);
    flags(&mut cpu, op);
    cpu.nzcv() >> 28
}

#[test]
fn cfinv_inverts_carry_only() {
    for f in 0..16 {
        assert_eq!(run(FlagOp::Cfinv, f, 0), f ^ 0b0010);
    }
}

/// The four FCMP outcomes in both formats: (Arm NZCV, alternative NZCV).
const FCMP_OUTCOMES: [(u64, u64); 4] = [
    (0b0110, 0b0110), // equal
    (0b1000, 0b0000), // less than
    (0b0010, 0b0010), // greater than
    (0b0011, 0b0100), // unordered
];

#[test]
fn axflag_and_xaflag_convert_fcmp_outcomes() {
    for (arm, alternative) in FCMP_OUTCOMES {
        assert_eq!(run(FlagOp::Axflag, arm, 0), alternative, "AXFLAG of {arm:04b}");
        assert_eq!(run(FlagOp::Xaflag, alternative, 0), arm, "XAFLAG of {alternative:04b}");
    }
    // AXFLAG clears N and V whatever they were.
    assert_eq!(run(FlagOp::Axflag, 0b1001, 0), 0b0100);
}

#[test]
fn rmif_moves_masked_bits() {
    // X1 rotated right by 4: bits 3..0 = 0b1010; only N and C are taken.
    assert_eq!(run(FlagOp::Rmif { rn: 1, lsb: 4, mask: 0b1010 }, 0b0101, 0xa0), 0b1111);
    assert_eq!(run(FlagOp::Rmif { rn: 1, lsb: 4, mask: 0b1010 }, 0b0000, 0x00), 0b0000);
    // Rotation wraps: bit 0 comes from bit 63.
    assert_eq!(run(FlagOp::Rmif { rn: 1, lsb: 63, mask: 0b1111 }, 0, 1 << 2), 0b1000);
    assert_eq!(run(FlagOp::Rmif { rn: 1, lsb: 63, mask: 0b0001 }, 0b1110, 1 << 63), 0b1111);
    assert_eq!(run(FlagOp::Rmif { rn: 1, lsb: 1, mask: 0b0001 }, 0b0000, 0b10), 0b0001);
}

#[test]
fn setf_sets_n_z_v_and_keeps_c() {
    let setf8 = FlagOp::Setf { rn: 1, sixteen: false };
    let setf16 = FlagOp::Setf { rn: 1, sixteen: true };
    assert_eq!(run(setf8, 0b0010, 0x100), 0b0111); // low byte zero, bit 8 set: Z, V; C kept
    assert_eq!(run(setf8, 0b0000, 0x80), 0b1001); // N, and bit 8 differs from bit 7: V
    assert_eq!(run(setf8, 0b1111, 0x17f), 0b0011); // V from bit 8 != bit 7
    assert_eq!(run(setf8, 0b0000, 0x180), 0b1000);
    assert_eq!(run(setf16, 0b0000, 0xffff_8000), 0b1000);
    assert_eq!(run(setf16, 0b0000, 0x0001_0000), 0b0101);
}

#[test]
fn cssc_integer_operations() {
    assert_eq!(abs(true, (-5i64) as u64), 5);
    assert_eq!(abs(true, i64::MIN as u64), i64::MIN as u64);
    assert_eq!(abs(false, 0xffff_fffb), 5);
    assert_eq!(abs(false, 0x1234_5678_8000_0000), 0x8000_0000);
    assert_eq!(cnt(true, u64::MAX), 64);
    assert_eq!(cnt(false, u64::MAX), 32);
    assert_eq!(ctz(true, 0), 64);
    assert_eq!(ctz(false, 0xffff_0000_0000_0000), 32);
    assert_eq!(ctz(true, 0x8000_0000_0000_0000), 63);
    assert_eq!(min_max(true, MinMax::Smax, (-1i64) as u64, 1), 1);
    assert_eq!(min_max(true, MinMax::Umax, (-1i64) as u64, 1), u64::MAX);
    assert_eq!(min_max(false, MinMax::Smin, 0xffff_ffff, 1), 0xffff_ffff);
    assert_eq!(min_max(false, MinMax::Umin, 0x1_0000_0005, 7), 5);
    assert_eq!(min_max(false, MinMax::Smax, 0xdead_0000_8000_0000, 0x7fff_ffff), 0x7fff_ffff);
}
