//! Half-precision across-lanes, scalar pairwise, FMOV (vector, immediate)
//! and scalar two-register-misc forms with expected values worked out by
//! hand from the Arm pseudocode (FPMaxNum/FPMinNum, Reduce, FPRound,
//! FPToFixed, FPRecipEstimate, VFPExpandImm), so they do not depend on any
//! emulator. The encodings are GNU as output for the assembly shown.
//!
//! Half-precision values used: 1.0 = 3c00, 2.0 = 4000, 3.0 = 4200,
//! 0.5 = 3800, -3.0 = c200, 65504 = 7bff, +inf = 7c00, default NaN = 7e00,
//! signalling NaN 7c01 (quietened: 7e01), smallest subnormal 0001.

use super::{check, check_undefined, R::*};

/// FPCR.FZ16, FPCR.DN and the RMode values.
const FZ16: u64 = 1 << 19;
const DN: u64 = 1 << 25;
const RP: u64 = 0b01 << 22;
const RZ: u64 = 0b11 << 22;
/// FPSR.IOC, OFC, IXC.
const IOC: u64 = 1;
const OFC: u64 = 1 << 2;
const IXC: u64 = 1 << 4;

/// Across lanes: Reduce() pairs lanes as a tree, ((0,1),(2,3)),((4,5),(6,7)),
/// which decides the NaN that comes out when several are present.
#[test]
fn fp16_across_lanes() {
    check(&[
        // 4H ignores the upper half (7bff there would win); the quiet NaN
        // loses to 1.0 under FPMaxNum without raising Invalid Operation.
        ("fmaxnmv h0, v1.4h", 0x0e30c820, &[V(0, !0), V(1, 0x7bff_7bff_7bff_7bff_4200_c000_7e00_3c00)], &[V(0, 0x4200), Fpsr(0)]),
        // minnm(1,-0) = -0, minnm(+0,inf) = +0, minnm(-0,+0) = -0 (the sign
        // of two zeros is the OR); minnm(2,3) = 2, minnm(NaN,0.5) = 0.5.
        ("fminnmv h0, v1.8h", 0x4eb0c820, &[V(1, 0x3800_7e00_4200_4000_7c00_0000_8000_3c00)], &[V(0, 0x8000), Fpsr(0)]),
        // max(1,qNaN) = 7e00; max(sNaN 7c05, 2) = 7e05 with IOC; then two
        // quiet NaNs give the first, 7e00. (In lane order it would be 7e05.)
        ("fmaxv h0, v1.4h", 0x0e30f820, &[V(1, 0x4000_7c05_7e00_3c00)], &[V(0, 0x7e00), Fpsr(IOC)]),
        ("fmaxv h0, v1.4h", 0x0e30f820, &[V(1, 0x7e00_4000_7c01_3c00)], &[V(0, 0x7e01), Fpsr(IOC)]),
        ("fmaxv h0, v1.4h", 0x0e30f820, &[V(1, 0x7e00_4000_7c01_3c00), Fpcr(DN)], &[V(0, 0x7e00), Fpsr(IOC)]),
        // Subnormals -2^-24 (8001), 2^-24 (0001), -2^-23 (8002): the minimum is
        // 8002, exact, so no Underflow. Under FZ16 they are flushed to zeros
        // (with no IDC for half precision) and the result is -0.
        ("fminv h0, v1.8h", 0x4eb0f820, &[V(1, 0x0000_4000_8002_7bff_0001_8001_3c00_4200)], &[V(0, 0x8002), Fpsr(0)]),
        ("fminv h0, v1.8h", 0x4eb0f820, &[V(1, 0x0000_4000_8002_7bff_0001_8001_3c00_4200), Fpcr(FZ16)], &[V(0, 0x8000), Fpsr(0)]),
    ]);
}

#[test]
fn fp16_scalar_pairwise() {
    check(&[
        // A signalling NaN is not replaced by FPMinNum: it is quietened, IOC.
        ("fminnmp h0, v1.2h", 0x5eb0c820, &[V(1, 0x3c00_7c01)], &[V(0, 0x7e01), Fpsr(IOC)]),
        ("fminp h0, v1.2h", 0x5eb0f820, &[V(1, 0x8000_0000)], &[V(0, 0x8000), Fpsr(0)]),
        // FPMaxNum replaces the quiet NaN by -inf, so the other operand,
        // here -inf itself, comes out, without Invalid Operation.
        ("fmaxnmp h0, v1.2h", 0x5e30c820, &[V(1, 0xfc00_7e00)], &[V(0, 0xfc00), Fpsr(0)]),
        ("fmaxp h0, v1.2h", 0x5e30f820, &[V(0, !0), V(1, 0xc200_4000)], &[V(0, 0x4000), Fpsr(0)]),
        // 65504 + 65504 = 131008 overflows: +inf to nearest, the largest
        // normal toward zero; both with OFC and IXC.
        ("faddp h0, v1.2h", 0x5e30d820, &[V(1, 0x7bff_7bff)], &[V(0, 0x7c00), Fpsr(OFC | IXC)]),
        ("faddp h0, v1.2h", 0x5e30d820, &[V(1, 0x7bff_7bff), Fpcr(RZ)], &[V(0, 0x7bff), Fpsr(OFC | IXC)]),
        // 1 + 2^-24 is far below half an ulp of 1 (2^-11): 1.0 to nearest,
        // 1 + 2^-10 toward +inf; exact 1.0 when FZ16 flushes the subnormal.
        ("faddp h0, v1.2h", 0x5e30d820, &[V(1, 0x0001_3c00)], &[V(0, 0x3c00), Fpsr(IXC)]),
        ("faddp h0, v1.2h", 0x5e30d820, &[V(1, 0x0001_3c00), Fpcr(RP)], &[V(0, 0x3c01), Fpsr(IXC)]),
        ("faddp h0, v1.2h", 0x5e30d820, &[V(1, 0x0001_3c00), Fpcr(FZ16)], &[V(0, 0x3c00), Fpsr(0)]),
    ]);
}

/// VFPExpandImm for N = 16: sign a, exponent NOT(b):b:b:c:d, fraction
/// efgh:000000. imm8 00 is 2.0, 7f is 1.9375 (exponent 01111, fraction
/// 1111000000), 80 is -2.0.
#[test]
fn fp16_fmov_immediate() {
    check(&[
        ("fmov v0.4h, #2.0", 0x0f00fc00, &[V(0, !0)], &[V(0, 0x4000_4000_4000_4000), Fpsr(0)]),
        ("fmov v0.8h, #1.9375", 0x4f03ffe0, &[V(0, 0x1234)], &[V(0, 0x3fc0_3fc0_3fc0_3fc0_3fc0_3fc0_3fc0_3fc0), Fpsr(0)]),
        ("fmov v0.4h, #-2.0", 0x0f04fc00, &[V(0, !0)], &[V(0, 0xc000_c000_c000_c000), Fpsr(0)]),
    ]);
}

#[test]
fn fp16_scalar_two_reg_misc() {
    check(&[
        // Compares with zero: GT/GE/LT/LE signal on any NaN, EQ only on a
        // signalling one. FZ16 makes 2^-24 a zero, and 0 > 0 is false.
        ("fcmgt h0, h1, #0.0", 0x5ef8c820, &[V(0, !0), V(1, 0x0001)], &[V(0, 0xffff), Fpsr(0)]),
        ("fcmgt h0, h1, #0.0", 0x5ef8c820, &[V(0, !0), V(1, 0x0001), Fpcr(FZ16)], &[V(0, 0), Fpsr(0)]),
        ("fcmeq h0, h1, #0.0", 0x5ef8d820, &[V(1, 0x8000)], &[V(0, 0xffff), Fpsr(0)]),
        ("fcmeq h0, h1, #0.0", 0x5ef8d820, &[V(0, !0), V(1, 0x7e00)], &[V(0, 0), Fpsr(0)]),
        ("fcmeq h0, h1, #0.0", 0x5ef8d820, &[V(0, !0), V(1, 0x7c01)], &[V(0, 0), Fpsr(IOC)]),
        ("fcmlt h0, h1, #0.0", 0x5ef8e820, &[V(0, !0), V(1, 0x7e00)], &[V(0, 0), Fpsr(IOC)]),
        ("fcmlt h0, h1, #0.0", 0x5ef8e820, &[V(1, 0x8001)], &[V(0, 0xffff), Fpsr(0)]),
        ("fcmge h0, h1, #0.0", 0x7ef8c820, &[V(1, 0x8000)], &[V(0, 0xffff), Fpsr(0)]),
        ("fcmle h0, h1, #0.0", 0x7ef8d820, &[V(1, 0xbc00)], &[V(0, 0xffff), Fpsr(0)]),
        ("fcmle h0, h1, #0.0", 0x7ef8d820, &[V(0, !0), V(1, 0x0001)], &[V(0, 0), Fpsr(0)]),
        // FPToFixed to 16 bits: c700 = -7.0 exactly; 3e00 = 1.5 truncates
        // to 1 (IXC), rounds to even 2, and 4100 = 2.5 also to 2; away from
        // zero 2.5 gives 3. -1.5 rounds to -2, which saturates unsigned to
        // 0 with IOC alone (Invalid Operation replaces Inexact).
        ("fcvtzs h0, h1", 0x5ef9b820, &[V(1, 0xc700)], &[V(0, 0xfff9), Fpsr(0)]),
        ("fcvtzs h0, h1", 0x5ef9b820, &[V(1, 0x3e00)], &[V(0, 1), Fpsr(IXC)]),
        ("fcvtns h0, h1", 0x5e79a820, &[V(1, 0x3e00)], &[V(0, 2), Fpsr(IXC)]),
        ("fcvtns h0, h1", 0x5e79a820, &[V(1, 0x4100)], &[V(0, 2), Fpsr(IXC)]),
        ("fcvtau h0, h1", 0x7e79c820, &[V(1, 0x4100)], &[V(0, 3), Fpsr(IXC)]),
        ("fcvtau h0, h1", 0x7e79c820, &[V(0, !0), V(1, 0xbe00)], &[V(0, 0), Fpsr(IOC)]),
        // 2049 lies halfway between 2048 and 2050 (the ulp at 2^11 is 2):
        // ties to even gives 2048 = 6800. 65535 is above 65520, halfway
        // between 65504 and 2^16, so to nearest it rounds up to 2^16 and
        // overflows; toward zero it rounds to 65504, which is finite, so
        // FPRound sees no overflow and only Inexact is raised.
        ("scvtf h0, h1", 0x5e79d820, &[V(1, 0x0801)], &[V(0, 0x6800), Fpsr(IXC)]),
        ("scvtf h0, h1", 0x5e79d820, &[V(1, 0xffff)], &[V(0, 0xbc00), Fpsr(0)]),
        ("ucvtf h0, h1", 0x7e79d820, &[V(1, 0xffff)], &[V(0, 0x7c00), Fpsr(OFC | IXC)]),
        ("ucvtf h0, h1", 0x7e79d820, &[V(1, 0xffff), Fpcr(RZ)], &[V(0, 0x7bff), Fpsr(IXC)]),
        // FRECPX: exponent inverted, fraction cleared; a zero exponent
        // gives the largest finite exponent 11110.
        ("frecpx h0, h1", 0x5ef9f820, &[V(1, 0x4200)], &[V(0, 0x3c00), Fpsr(0)]),
        ("frecpx h0, h1", 0x5ef9f820, &[V(1, 0x0001)], &[V(0, 0x7800), Fpsr(0)]),
        // FRECPE 2.0: scaled = 256, RecipEstimate gives (2^19 DIV 513 + 1)
        // DIV 2 = 511, result exponent 29 - 16 = 13, fraction 0xff:00.
        ("frecpe h0, h1", 0x5ef9d820, &[V(1, 0x4000)], &[V(0, 0x37fc), Fpsr(0)]),
    ]);
}

/// Encodings next to the half-precision forms that the architecture leaves
/// unallocated (GNU objdump and LLVM agree) but that Debian's qemu 7.2
/// executes, because its decoder ignores a bit there: sz (bit 22) of the
/// FP16 across-lanes and scalar pairwise forms, op (bit 29) of FMOV
/// (vector, immediate) with o2 = 1, and the scalar FNEG opcode of the
/// FP16 two-register-misc group. They must stay undefined.
#[test]
fn fp16_neighbours_unallocated() {
    check_undefined(&[
        0x0e70c820, // fmaxnmv h0, v1.4h with sz = 1
        0x4ef0f820, // fminv h0, v1.8h with sz = 1
        0x5e70d820, // faddp h0, v1.2h with sz = 1
        0x5ef0c820, // fminnmp h0, v1.2h with sz = 1
        0x5e70f820, // fmaxp h0, v1.2h with sz = 1
        0x2f00fc00, // fmov v0.4h, #imm with op = 1
        0x6f03fe00, // fmov v0.8h, #imm with op = 1
        0x7ef8f820, // scalar fneg h0, h1 (no such AdvSIMD scalar form)
    ]);
}
