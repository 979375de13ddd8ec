//! FEAT_FCMA (FCADD, FCMLA), FEAT_FHM (FMLAL, FMLSL and their 2 forms) and
//! FEAT_BF16 (BFDOT, BFMMLA, BFMLALB/T, BFCVT, BFCVTN/BFCVTN2) rows. The
//! encodings are GNU as output for the assembly shown; the expected
//! registers come from executing each word under qemu-aarch64 10 with
//! `-cpu max` (reference_runner.c), and the comments give the reasoning
//! from the Arm pseudocode for the cases that pin down a rule.
//!
//! Values used: single 1.0 = 3f800000, half 1.0 = 3c00, BFloat16 1.0 =
//! 3f80 (the upper half of the single), 2^-23 = 3400 and 2^-24 = 3380 as
//! BFloat16; FPCR.FZ16 = 0x80000, RMode at bit 22 (0x400000 towards +inf,
//! 0x800000 towards -inf, 0xc00000 towards zero), FZ = 0x1000000, DN =
//! 0x2000000; FPSR IOC = 1, OFC = 4, UFC = 8, IXC = 0x10, IDC = 0x80.

use super::{check, check_undefined, R::*};

#[test]
fn fcadd_table() {
    check(&[
        // (1 + 2i) + i(0.5 + 0.25i) = 0.75 + 2.5i; (3 + 4i) + i(-8 + 16i) = -13 - 4i.
        ("fcadd v0.4s, v1.4s, v2.4s, #90", 0x6e82e420, &[V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0x4080000040400000400000003f800000), V(2, 0x41800000c10000003e8000003f000000)], &[V(0, 0xc0800000c1500000402000003f400000), Fpsr(0x0)]),
        ("fcadd v0.4s, v1.4s, v2.4s, #270", 0x6e82f420, &[V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0x4080000040400000400000003f800000), V(2, 0x41800000c10000003e8000003f000000)], &[V(0, 0x41400000419800003fc000003fa00000), Fpsr(0x0)]),
        // 64-bit vectors clear the upper half of Rd.
        ("fcadd v3.2s, v4.2s, v5.2s, #90", 0x2e85e483, &[V(3, 0xffffffffffffffffffffffffffffffff), V(4, 0x40e0000040e00000c00000003fc00000), V(5, 0x40e0000040e00000404000003f800000)], &[V(3, 0xbf800000bfc00000), Fpsr(0x0)]),
        // FZ16 flushes the half-precision subnormals to zeros of the same sign,
        // without IDC; a signalling NaN is quietened with IOC.
        ("fcadd v0.8h, v1.8h, v2.8h, #270", 0x6e42f420, &[Fpcr(0x80000), V(1, 0x42007c013c007e0040007c0000013c00), V(2, 0x38003c007d003c007c003c0040008001)], &[V(0, 0x40007e0100007f003c007c0000004200), Fpsr(0x1)]),
        ("fcadd v0.8h, v1.8h, v2.8h, #270", 0x6e42f420, &[V(1, 0x42007c013c007e0040007c0000013c00), V(2, 0x38003c007d003c007c003c0040008001)], &[V(0, 0x40007e0100007f003c007c0000024200), Fpsr(0x1)]),
        // FPNeg flips the sign of the signalling NaN in Rm before the add, so
        // the quietened NaN is negative; inf + -inf is the default NaN.
        ("fcadd v0.2d, v1.2d, v2.2d, #90", 0x6ec2e420, &[V(1, 0x7ff00000000000003ff0000000000000), V(2, 0x7ff0000000000001fff0000000000000)], &[V(0, 0x7ff8000000000000fff8000000000001), Fpsr(0x1)]),
        ("fcadd v0.4s, v1.4s, v2.4s, #90", 0x6e82e420, &[Fpcr(0x2000000), V(1, 0x7f800001400000003f8000007fc12345), V(2, 0x408000007fc00001400000003f800000)], &[V(0, 0x7fc00000c0000000400000007fc00000), Fpsr(0x1)]),
        // Towards +inf: 1 + 2^-24 rounds up to 3c01; 65504 + 65504 overflows
        // to +inf, -65504 - 65504 to the largest negative finite value.
        ("fcadd v0.4h, v1.4h, v2.4h, #90", 0x2e42e420, &[V(0, 0xffffffffffffffffffffffffffffffff), Fpcr(0x400000), V(1, 0x7bfffbff3c003c00), V(2, 0x7bff7bff80010001)], &[V(0, 0x7c00fbff3c013c01), Fpsr(0x14)]),
        // FZ: single-precision subnormal inputs are flushed with IDC, a tiny
        // result is flushed with UFC only.
        ("fcadd v0.4s, v1.4s, v2.4s, #270", 0x6e82f420, &[Fpcr(0x1000000), V(1, 0x8000003f8000008080000000000001), V(2, 0x3f80000000ffffff3f80000000400000)], &[V(0, 0x8000000040000000808000003f800000), Fpsr(0x88)]),
    ]);
}

#[test]
fn fcmla_table() {
    check(&[
        // rot 0: re += n.re * m.re, im += n.re * m.im; rot 90: re -= n.im * m.im,
        // im += n.im * m.re; rot 180 and 270 negate those products.
        ("fcmla v0.4s, v1.4s, v2.4s, #0", 0x6e82c420, &[V(0, 0xbf80000042c800003e8000003f000000), V(1, 0x4080000040400000400000003f800000), V(2, 0x4100000040e0000040c0000040a00000)], &[V(0, 0x41b8000042f2000040c8000040b00000), Fpsr(0x0)]),
        ("fcmla v0.4s, v1.4s, v2.4s, #90", 0x6e82cc20, &[V(0, 0xbf80000042c800003e8000003f000000), V(1, 0x4080000040400000400000003f800000), V(2, 0x4100000040e0000040c0000040a00000)], &[V(0, 0x41d800004288000041240000c1380000), Fpsr(0x0)]),
        ("fcmla v0.4s, v1.4s, v2.4s, #180", 0x6e82d420, &[V(0, 0xbf80000042c800003e8000003f000000), V(1, 0x4080000040400000400000003f800000), V(2, 0x4100000040e0000040c0000040a00000)], &[V(0, 0xc1c80000429e0000c0b80000c0900000), Fpsr(0x0)]),
        ("fcmla v0.4s, v1.4s, v2.4s, #270", 0x6e82dc20, &[V(0, 0xbf80000042c800003e8000003f000000), V(1, 0x4080000040400000400000003f800000), V(2, 0x4100000040e0000040c0000040a00000)], &[V(0, 0xc1e8000043040000c11c000041480000), Fpsr(0x0)]),
        ("fcmla v0.2d, v1.2d, v2.2d, #90", 0x6ec2cc20, &[V(0, 0x3fb999999999999a3ff0000000000000), V(1, 0x3fd55555555555553fd3333333333333), V(2, 0x7e37e43c8800759c3fe6666666666666)], &[V(0, 0x3fd5555555555555fe1fdafb60009cd0), Fpsr(0x10)]),
        ("fcmla v0.2d, v1.2d, v2.2d, #180", 0x6ec2d420, &[Fpcr(0xc00000), V(0, 0x81a56e1fc2f8f3593ff0000000000000), V(1, 0x3fd55555555555553ddb7cdfd9d7bdbb), V(2, 0x3fc249249249249201a56e1fc2f8f359)], &[V(0, 0xbdaf6a2466ad6b1e3fefffffffffffff), Fpsr(0x10)]),
        ("fcmla v0.8h, v1.8h, v2.8h, #180", 0x6e42d420, &[Fpcr(0x80000), V(0, 0x80003c003c003800400000013c00), V(1, 0x13c0045003c002e664200400003ff), V(2, 0x800080007bff00013400380040003c00)], &[V(0, 0xfbff3c00b400380000003c00), Fpsr(0x10)]),
        ("fcmla v0.8h, v1.8h, v2.8h, #180", 0x6e42d420, &[V(0, 0x80003c003c003800400000013c00), V(1, 0x13c0045003c002e664200400003ff), V(2, 0x800080007bff00013400380040003c00)], &[V(0, 0xfbff3c00b400380087fd3c00), Fpsr(0x10)]),
        ("fcmla v0.4h, v1.4h, v2.4h, #270", 0x2e42dc20, &[V(0, 0xffffffffffffffff4400420040003c00), V(1, 0x7bff7bff40004880), V(2, 0x7bff7bff44004200)], &[V(0, 0xfc007c00c4004880), Fpsr(0x14)]),
        // FPMulAdd NaN priority: addend, Rn element, Rm element, signalling
        // before quiet; inf * 0 with a quiet NaN addend is the default NaN.
        ("fcmla v0.4s, v1.4s, v2.4s, #0", 0x6e82c420, &[V(0, 0x3f8000007fc000037fc000027fc00001), V(1, 0x7f8000007f8000007f8000007f800005), V(2, 0xff8000007f800007000000003f800000)], &[V(0, 0xff8000007fc000077fc000057fc00005), Fpsr(0x1)]),
        ("fcmla v0.4s, v1.4s, v2.4s, #90", 0x6e82cc20, &[Fpcr(0x2000000), V(0, 0x3f8000007f8000033f8000007fc00001), V(1, 0x400000003f8000007f80000000000000), V(2, 0x7fc000093f800000000000003f800000)], &[V(0, 0x404000007fc000007f8000007fc00000), Fpsr(0x1)]),
        ("fcmla v0.4s, v1.4s, v2.4s, #0", 0x6e82c420, &[Fpcr(0x1000000), V(0, 0x3f80000000800000807fffff00000001), V(1, 0x3f80000020000000004000003f800000), V(2, 0x19f8000003f80000000000003)], &[V(0, 0x3f800000000000003f80000000000000), Fpsr(0x88)]),
        ("fcmla v0.4s, v1.4s, v2.4s, #0", 0x6e82c420, &[Fpcr(0x800000), V(0, 0x8000000000000000bf8000003f800000), V(1, 0x3f800000000000003f8000003f800000), V(2, 0x800000001e3ce5081e3ce508)], &[V(0, 0x8000000080000000bf8000003f800000), Fpsr(0x10)]),
        // By element: the same complex number of Rm (any of V0-V31) for every
        // pair; half precision indexes H:L (only L in a 64-bit vector).
        ("fcmla v0.4s, v1.4s, v2.s[1], #90", 0x6f823820, &[V(0, 0x4080000040400000400000003f800000), V(1, 0x4100000040e0000040c0000040a00000), V(2, 0x41400000413000004120000041100000)], &[V(0, 0x42b80000c2ba000042880000c28e0000), Fpsr(0x0)]),
        ("fcmla v0.4s, v1.4s, v2.s[0], #270", 0x6f827020, &[V(0, 0x4080000040400000400000003f800000), V(1, 0x4100000040e0000040c0000040a00000), V(2, 0x41400000413000004120000041100000)], &[V(0, 0xc288000042a60000c250000042740000), Fpsr(0x0)]),
        ("fcmla v0.8h, v1.8h, v2.h[3], #180", 0x6f625820, &[V(0, 0x48004700460045004400420040003c00), V(1, 0x30004900c000bc00430041003e003800), V(2, 0x48004700460045004400420040003c00)], &[V(0, 0xd480d3e04b004a00cc00cb40c000c100), Fpsr(0x0)]),
        ("fcmla v0.4h, v1.4h, v31.h[1], #0", 0x2f7f1020, &[V(0, 0xffffffffffffffff4c00480034003800), V(1, 0x3c003c003c003c004500440042004000), V(31, 0x48004700460045004400420040003c00)], &[V(0, 0x50004d0048204680), Fpsr(0x0)]),
        ("fcmla v0.8h, v1.8h, v16.h[2], #270", 0x6f507820, &[V(0, 0x48004700460045004400420040003c00), V(1, 0x30004900c000bc00430041003e003800), V(16, 0x38003a00460045004400420040003c00)], &[V(0, 0x476047c04c00c700cac04e00c5804900), Fpsr(0x0)]),
        ("fcmla v0.8h, v1.8h, v2.h[0], #90", 0x6f423020, &[V(0, 0x48004700460045004400420040003c00), V(1, 0x30004900c000bc00430041003e003800), V(2, 0x38003a00460045004400420038003400)], &[V(0, 0x480446f04580460044e03d0040c03400), Fpsr(0x0)]),
    ]);
}

#[test]
fn fmlal_fmlsl_table() {
    check(&[
        // The 2 forms take the upper half of the half-precision operands.
        ("fmlal v0.2s, v1.2h, v2.2h", 0x0e22ec20, &[V(0, 0xffffffffffffffff3f8000003f800000), V(1, 0x4880488040003c00), V(2, 0x4880488038004200)], &[V(0, 0x4000000040800000), Fpsr(0x0)]),
        ("fmlal2 v0.2s, v1.2h, v2.2h", 0x2e22cc20, &[V(0, 0xffffffffffffffff3f8000003f800000), V(1, 0x4900488040003c00), V(2, 0xbc00340038004200)], &[V(0, 0xc110000040500000), Fpsr(0x0)]),
        ("fmlal v0.4s, v1.4h, v2.4h", 0x4e22ec20, &[V(0, 0x4080000040400000400000003f800000), V(1, 0x47004700470047007bff2e66c0003e00), V(2, 0x47004700470047007bff2e6642004000)], &[V(0, 0x4f7fc0044040a3c3c080000040800000), Fpsr(0x10)]),
        ("fmlal2 v0.4s, v1.4h, v2.4h", 0x6e22cc20, &[V(0, 0x4080000040400000400000003f800000), V(1, 0x7bff2e66c0003e004700470047004700), V(2, 0x7bff2e66420040004700470047004700)], &[V(0, 0x4f7fc0044040a3c3c080000040800000), Fpsr(0x10)]),
        // FMLSL negates the Rn element, NaNs included: -sNaN 7c01 widens to
        // ff802000 and is quietened to ffc02000.
        ("fmlsl v0.4s, v1.4h, v2.4h", 0x4ea2ec20, &[V(0, 0x4080000040400000400000003f800000), V(1, 0x7c012e66c0003e00), V(2, 0x3c002e6642004000)], &[V(0, 0xffc02000403f5c3d41000000c0000000), Fpsr(0x11)]),
        ("fmlsl2 v0.2s, v1.2h, v2.2h", 0x2ea2cc20, &[V(0, 0x4080000040400000400000003f800000), V(1, 0x40007e053c003c00), V(2, 0xfd003c003c003c00)], &[V(0, 0xffe00000ffc0a000), Fpsr(0x1)]),
        // Half-precision subnormals are exact normals in single precision;
        // FZ16 flushes them (no IDC), FZ flushes only the addend (IDC).
        ("fmlal v0.4s, v1.4h, v2.4h", 0x4e22ec20, &[V(0, 0x804000003f8000000000000000000001), V(1, 0x3c00820003ff0001), V(2, 0x1001040000001)], &[V(0, 0x338000003f80000038ffc00027800000), Fpsr(0x10)]),
        ("fmlal v0.4s, v1.4h, v2.4h", 0x4e22ec20, &[Fpcr(0x80000), V(0, 0x804000003f8000000000000000000001), V(1, 0x3c00820003ff0001), V(2, 0x1001040000001)], &[V(0, 0x804000003f8000000000000000000001), Fpsr(0x0)]),
        ("fmlal v0.4s, v1.4h, v2.4h", 0x4e22ec20, &[Fpcr(0x1000000), V(0, 0x804000003f8000000000000000000001), V(1, 0x3c00820003ff0001), V(2, 0x1001040000001)], &[V(0, 0x338000003f80000038ffc00027800000), Fpsr(0x90)]),
        // NaN priority: addend, Rn, Rm, signalling first, payloads widened;
        // inf * 0 with a quiet NaN addend is the default NaN with IOC.
        ("fmlal v0.4s, v1.4h, v2.4h", 0x4e22ec20, &[V(0, 0x7fc000043f8000007fc000027fc00001), V(1, 0x7c007e047e037c02), V(2, 0x7c067c053c00)], &[V(0, 0x7fc000007fc0c0007fc0a0007fc04000), Fpsr(0x1)]),
        ("fmlal v0.4s, v1.4h, v2.4h", 0x4e22ec20, &[Fpcr(0x2000000), V(0, 0x7fc000043f8000007f8000027fc00001), V(1, 0x7c007e047e037c02), V(2, 0x7c067c053c00)], &[V(0, 0x7fc000007fc000007fc000007fc00000), Fpsr(0x1)]),
        ("fmlal v0.4s, v1.4h, v2.4h", 0x4e22ec20, &[V(0, 0x7f7fffff3f800000ff800000), V(1, 0x80007bfffc007c00), V(2, 0x3c007bff00003c00)], &[V(0, 0x7f7fffff7fc000007fc00000), Fpsr(0x11)]),
        // One rounding of the fused sum, in the FPCR mode: 1 + 2^-48 is
        // 3f800001 towards +inf; FLT_MAX + 65504^2 overflows to +inf.
        ("fmlal v0.4s, v1.4h, v2.4h", 0x4e22ec20, &[Fpcr(0x400000), V(0, 0x7f7fffffbf8000003f800000), V(1, 0x3c007bff00010001), V(2, 0xbc007bff00010001)], &[V(0, 0xbf8000007f800000bf7fffff3f800001), Fpsr(0x14)]),
        ("fmlal v0.4s, v1.4h, v2.4h", 0x4e22ec20, &[Fpcr(0x800000), V(0, 0x7f7fffffbf8000003f800000), V(1, 0x3c007bff00010001), V(2, 0x7bff00010001)], &[V(0, 0x7f7fffffbf8000003f800000), Fpsr(0x10)]),
        // By element: H:L:M selects a half of V0-V15.
        ("fmlal v0.4s, v1.4h, v2.h[7]", 0x4fb20820, &[V(0, 0x4080000040400000400000003f800000), V(1, 0x48804880488048804400420040003c00), V(2, 0x38004880488048804880488048804880)], &[V(0, 0x40c0000040900000404000003fc00000), Fpsr(0x0)]),
        ("fmlsl v0.2s, v1.2h, v15.h[5]", 0x0f9f4820, &[V(0, 0xffffffffffffffff400000003f800000), V(1, 0x4400420040003c00), V(15, 0x48804880340048804880488048804880)], &[V(0, 0x3fc000003f400000), Fpsr(0x0)]),
        ("fmlal2 v0.4s, v1.4h, v3.h[0]", 0x6f838020, &[V(0, 0x4080000040400000400000003f800000), V(1, 0x7c01420040003c004880488048804880), V(3, 0x488048804880c000)], &[V(0, 0x7fc02000c0400000c0000000bf800000), Fpsr(0x1)]),
        ("fmlsl2 v0.2s, v1.2h, v4.h[6]", 0x2fa4c820, &[V(0, 0xffffffffffffffff400000003f800000), V(1, 0x488048804880488000012e6648804880), V(4, 0x488034cd488048804880488048804880)], &[V(0, 0x400000003f785214), Fpsr(0x10)]),
        ("fmlal v0.4s, v1.4h, v8.h[2]", 0x4fa80020, &[Fpcr(0x80000), V(0, 0x4080000040400000000000103f800000), V(1, 0x4400801040000001), V(8, 0x4880020048804880)], &[V(0, 0x4080000040400000000000103f800000), Fpsr(0x0)]),
    ]);
}

/// BFDOT and BFMMLA follow BFDotAdd with FPCR.EBF = 0: products and sums
/// rounded to odd, subnormals flushed, NaNs default, no flags, FPCR ignored.
#[test]
fn bfdot_bfmmla_table() {
    check(&[
        ("bfdot v0.2s, v1.4h, v2.4h", 0x2e42fc20, &[V(0, 0xffffffffffffffff400000003f800000), V(1, 0x4080404040003f80), V(2, 0x410040e040c040a0)], &[V(0, 0x425c000041900000), Fpsr(0x0)]),
        // Lane 0: 1 + 1 * 2^-24 is inexact, rounded to odd: 3f800001, with
        // FPSR untouched. Lane 1: 1 - 1 = +0, and -0 + +0 = +0. Lane 2: a
        // signalling NaN gives the default NaN without IOC. Lane 3: the
        // subnormal addend and input are zeros, 2^-126 * 0.5 flushes to zero.
        // FPCR (rounding mode, FZ, DN) changes none of it.
        ("bfdot v0.4s, v1.8h, v2.8h", 0x6e42fc20, &[Fpcr(0x0), V(0, 0x4000003f800000800000003f800000), V(1, 0x100803f807f81bf803f8000003f80), V(2, 0x71803f003f803f803f803f8000003380)], &[V(0, 0x7fc00000000000003f800001), Fpsr(0x0)]),
        ("bfdot v0.4s, v1.8h, v2.8h", 0x6e42fc20, &[Fpcr(0xc00000), V(0, 0x4000003f800000800000003f800000), V(1, 0x100803f807f81bf803f8000003f80), V(2, 0x71803f003f803f803f803f8000003380)], &[V(0, 0x7fc00000000000003f800001), Fpsr(0x0)]),
        ("bfdot v0.4s, v1.8h, v2.8h", 0x6e42fc20, &[Fpcr(0x3400000), V(0, 0x4000003f800000800000003f800000), V(1, 0x100803f807f81bf803f8000003f80), V(2, 0x71803f003f803f803f803f8000003380)], &[V(0, 0x7fc00000000000003f800001), Fpsr(0x0)]),
        // Overflow gives infinity, inf * 0 and inf - inf the default NaN;
        // FPSR keeps its old bits and gains none.
        ("bfdot v0.4s, v1.8h, v2.8h", 0x6e42fc20, &[Fpsr(0x8000000), V(0, 0x7f7fffff400000003f8000003f800000), V(1, 0x7f7f7f807f803f807f8000007f7f), V(2, 0x3f80bf803f803f80000000007f7f)], &[V(0, 0x7f8000007fc000007fc000007f800000), Fpsr(0x8000000)]),
        // Lane 0: 1 + (2^-23 + 2^-24) rounded to odd is 3f800001 where ties
        // to even would give 3f800002.
        ("bfdot v0.4s, v1.8h, v2.8h", 0x6e42fc20, &[V(0, 0x80000040400000bf8000003f800000), V(1, 0x808001003f813f803380340033803400), V(2, 0x3f803f003f813f80bf803f803f803f80)], &[V(0, 0x80000040a08080bf7fffff3f800001), Fpsr(0x0)]),
        // Terms far apart: 1 + 2^-100 is 3f800001 and 1 - 2^-100 is 3f7fffff
        // (rounded to odd), 2^127 - 2^-126 is 7effffff, 2^-126 + 2^120 is 7b800001.
        ("bfdot v0.4s, v1.8h, v2.8h", 0x6e42fc20, &[V(0, 0x8000003f8000007f0000003f800000), V(1, 0x71800000a6800000a00000002680), V(2, 0x4980000026800000200000002680)], &[V(0, 0x7b8000013f7fffff7effffff3f800001), Fpsr(0x0)]),
        // By element: a pair of BFloat16 values of any of V0-V31.
        ("bfdot v0.4s, v1.8h, v2.2h[3]", 0x4f62f820, &[V(0, 0x4080000040400000400000003f800000), V(1, 0x410040e040c040a04080404040003f80), V(2, 0x3e803f00411041104110411041104110)], &[V(0, 0x4118000040e000004090000040000000), Fpsr(0x0)]),
        ("bfdot v0.2s, v1.4h, v31.2h[1]", 0x0f7ff020, &[V(0, 0xffffffffffffffff400000003f800000), V(1, 0x4080404040003f80), V(31, 0x41104110411041103b803f8141104110)], &[V(0, 0x40a1400040010000), Fpsr(0x0)]),
        // BFMMLA: d[2i+j] += n row i . m row j, each row two BFDotAdd steps.
        ("bfmmla v0.4s, v1.8h, v2.8h", 0x6e42ec20, &[V(0, 0x4080000040400000400000003f800000), V(1, 0x410040e040c040a04080404040003f80), V(2, 0x3f803e00bf0040404000bf803e803f00)], &[V(0, 0x41c70000418000004106000040e00000), Fpsr(0x0)]),
        ("bfmmla v0.4s, v1.8h, v2.8h", 0x6e42ec20, &[Fpcr(0x800000), V(0, 0x3f8000007f7fffff3f800000), V(1, 0x7f813f807f7f3380338033803400), V(2, 0x3f803f803f807f7f3f803f803f803f80)], &[V(0, 0x7fc000007fc000007f8000003f800002), Fpsr(0x0)]),
    ]);
}

#[test]
fn bfmlal_table() {
    check(&[
        // BFMLALB takes the even BFloat16 elements, BFMLALT the odd ones;
        // a fused single-precision multiply-add under FPCR, with flags.
        ("bfmlalb v0.4s, v1.8h, v2.8h", 0x2ec2fc20, &[V(0, 0x4080000040400000400000003f800000), V(1, 0x4110000141107f8141103f8141103f80), V(2, 0x41107f0041103f8041103f8141104000)], &[V(0, 0x408080007fc100004041010040400000), Fpsr(0x1)]),
        ("bfmlalt v0.4s, v1.8h, v2.8h", 0x6ec2fc20, &[V(0, 0x4080000040400000400000003f800000), V(1, 0x141107f8141103f8141103f804110), V(2, 0x7f0041103f8041103f81411040004110)], &[V(0, 0x408080007fc100004041010040400000), Fpsr(0x1)]),
        // FZ flushes the subnormal inputs (IDC); towards +inf.
        ("bfmlalt v0.4s, v1.8h, v2.8h", 0x6ec2fc20, &[Fpcr(0x1400000), V(0, 0x4080000000000001400000003f800000), V(1, 0x141103f8041103f8141103f804110), V(2, 0x7f0041103f8041103f81411040004110)], &[V(0, 0x408000003f8000004041010040400000), Fpsr(0x80)]),
        // By element: H:L:M selects an element of V0-V15.
        ("bfmlalb v0.4s, v1.8h, v2.h[7]", 0x0ff2f820, &[V(0, 0x4080000040400000400000003f800000), V(1, 0x41107f80411040404110400041103f80), V(2, 0xbf004110411041104110411041104110)], &[V(0, 0xff8000003fc000003f8000003f000000), Fpsr(0x0)]),
        ("bfmlalt v0.4s, v1.8h, v15.h[0]", 0x4fcff020, &[Fpcr(0x2000000), V(0, 0x408000007fc00001400000003f800000), V(1, 0x7f80411040404110400041103f804110), V(15, 0x41104110411041104110411041100000)], &[V(0, 0x7fc000007fc00000400000003f800000), Fpsr(0x1)]),
    ]);
}

#[test]
fn bfcvt_table() {
    check(&[
        // Ties to even: 3f808000 -> 3f80, 3f818000 -> 3f82; above the tie rounds up.
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x0), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff000000003f808000)], &[V(0, 0x3f80), Fpsr(0x10)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x0), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff000000003f818000)], &[V(0, 0x3f82), Fpsr(0x10)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x0), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff000000003f808001)], &[V(0, 0x3f81), Fpsr(0x10)]),
        // Directed rounding: towards +inf, -inf and zero.
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x400000), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff000000003f800001)], &[V(0, 0x3f81), Fpsr(0x10)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x400000), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff00000000bf800001)], &[V(0, 0xbf80), Fpsr(0x10)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x800000), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff00000000bf800001)], &[V(0, 0xbf81), Fpsr(0x10)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0xc00000), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff000000003f81ffff)], &[V(0, 0x3f81), Fpsr(0x10)]),
        // FLT_MAX overflows to +inf (OFC, IXC), or to the largest BFloat16
        // towards zero.
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x0), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff000000007f7fffff)], &[V(0, 0x7f80), Fpsr(0x14)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0xc00000), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff000000007f7fffff)], &[V(0, 0x7f7f), Fpsr(0x10)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x400000), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff00000000ff7fffff)], &[V(0, 0xff7f), Fpsr(0x10)]),
        // Subnormal results keep the single-precision exponent range: tiny and
        // inexact raises UFC with IXC.
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x0), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff0000000000018000)], &[V(0, 0x2), Fpsr(0x18)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x0), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff0000000000008000)], &[V(0, 0x0), Fpsr(0x18)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x0), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff0000000000008001)], &[V(0, 0x1), Fpsr(0x18)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x0), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff00000000807fffff)], &[V(0, 0x8080), Fpsr(0x18)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x0), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff00000000007fffff)], &[V(0, 0x80), Fpsr(0x18)]),
        // FZ flushes a subnormal input with IDC, a tiny result with UFC only.
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x1000000), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff0000000000018000)], &[V(0, 0x0), Fpsr(0x80)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x1000000), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff0000000000808000)], &[V(0, 0x80), Fpsr(0x10)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x1400000), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff00000000007fffff)], &[V(0, 0x0), Fpsr(0x80)]),
        // NaNs: quietened (IOC for signalling), payload truncated; DN gives 7fc0.
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x0), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff000000007f800001)], &[V(0, 0x7fc0), Fpsr(0x1)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x0), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff000000007fc12345)], &[V(0, 0x7fc1), Fpsr(0x0)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x2000000), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff00000000ff812345)], &[V(0, 0x7fc0), Fpsr(0x1)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x0), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff0000000080000000)], &[V(0, 0x8000), Fpsr(0x0)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x0), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff00000000ff800000)], &[V(0, 0xff80), Fpsr(0x0)]),
        ("bfcvt h0, s1", 0x1e634020, &[Fpcr(0x0), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xffffffffffffffff000000007f7f8000)], &[V(0, 0x7f80), Fpsr(0x14)]),
        // BFCVTN writes the lower half and clears the upper; BFCVTN2 writes the
        // upper half and keeps the lower.
        ("bfcvtn v0.4h, v1.4s", 0x0ea16820, &[V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0x80017f8000013f8080003f800000)], &[V(0, 0x17fc03f803f80), Fpsr(0x19)]),
        ("bfcvtn2 v0.8h, v1.4s", 0x4ea16820, &[Fpcr(0x1c00000), V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xc04000007f7fffff004000003f81ffff)], &[V(0, 0xc0407f7f00003f81ffffffffffffffff), Fpsr(0x90)]),
        ("bfcvtn v2.4h, v3.4s", 0x0ea16862, &[Fpcr(0x400000), V(2, 0xffffffffffffffffffffffffffffffff), V(3, 0x17f7fffffbf8000013f800001)], &[V(2, 0x17f80bf803f81), Fpsr(0x1c)]),
    ]);
}

/// Neighbouring encodings that are unallocated (qemu 10 with `-cpu max`
/// raises SIGILL for each).
#[test]
fn fcma_fhm_bf16_unallocated_neighbours() {
    check_undefined(&[
        // FCADD, FCMLA: size 00, double precision in a 64-bit vector, U = 0,
        // scalar.
        0x6e02e420, 0x2ec2e420, 0x6e02c420, 0x2ec2c420, 0x4e82e420, 0x7e82e420,
        // FCMLA by element: single with L = 1 or a 64-bit vector; half with
        // H = 1 in a 64-bit vector; size 11 and 00.
        0x6fa27820, 0x2f827820, 0x2f7f1820, 0x6fc27820, 0x6f027820,
        // FMLAL/FMLAL2 with sz = 1, scalar; by element with size 11, 01, scalar.
        0x4e62ec20, 0x6e62cc20, 0x5e22ec20, 0x4ff20820, 0x4f720820, 0x5fb20820,
        // BFMMLA with Q = 0 or scalar; BFDOT size 00/10 or scalar; BFDOT by
        // element scalar; BFMLAL with U = 0, scalar.
        0x2e42ec20, 0x7e42ec20, 0x6e02fc20, 0x6e82fc20, 0x7e42fc20, 0x5f62f820, 0x0ec2fc20, 0x5ec2fc20,
        // BFCVTN with U = 1 or scalar; BFCVT with ftype 11, 00 or 10.
        0x2ea16820, 0x5ea16820, 0x1ee34020, 0x1e234020, 0x1ea34020,
    ]);
}
