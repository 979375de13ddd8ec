//! Scalar FP: arithmetic, NaN propagation, rounding modes, flush-to-zero,
//! conversions, compares, selects and moves. Expected values were taken
//! from a reference execution of each word.

use super::{check, check_undefined, R::*};

/// FPCR values used below.
#[allow(dead_code)]
mod fpcr {
    pub const RP: u64 = 0x40_0000;
    pub const RM: u64 = 0x80_0000;
    pub const RZ: u64 = 0xc0_0000;
    pub const FZ: u64 = 0x100_0000;
    pub const DN: u64 = 0x200_0000;
}

#[test]
fn scalar_fp_table() {
    check(&[
    ("fadd d0, d1, d2", 0x1e622820, &[V(0, 0xffff), V(1, 0x3ff0000000000000), V(2, 0x4000000000000000)], &[V(0, 0x4008000000000000), Fpsr(0x0)]),
    ("fadd s0, s1, s2", 0x1e222820, &[V(0, 0xffffffffffffffffffff), V(1, 0x3f800000), V(2, 0x33800000)], &[V(0, 0x3f800000), Fpsr(0x10)]),
    ("fadd s0, s1, s2", 0x1e222820, &[V(1, 0x3f800000), V(2, 0x33800001)], &[V(0, 0x3f800001), Fpsr(0x10)]),
    ("fadd s0, s1, s2", 0x1e222820, &[V(1, 0x3f800000), V(2, 0x33800000), Fpcr(0x400000)], &[V(0, 0x3f800001), Fpsr(0x10)]),
    ("fadd d3, d4, d5", 0x1e652883, &[V(4, 0x7ff0000000000000), V(5, 0xfff0000000000000)], &[V(3, 0x7ff8000000000000), Fpsr(0x1)]),
    ("fadd d3, d4, d5", 0x1e652883, &[V(4, 0x7ff8000000000002), V(5, 0x7ff0000000000001)], &[V(3, 0x7ff8000000000001), Fpsr(0x1)]),
    ("fadd d3, d4, d5", 0x1e652883, &[V(4, 0x7ff8000000000002), V(5, 0x7ff8000000000003)], &[V(3, 0x7ff8000000000002), Fpsr(0x0)]),
    ("fadd d3, d4, d5", 0x1e652883, &[V(4, 0x3ff0000000000000), V(5, 0x7ff0000000000001), Fpcr(0x2000000)], &[V(3, 0x7ff8000000000000), Fpsr(0x1)]),
    ("fadd d3, d4, d5", 0x1e652883, &[V(4, 0x7fefffffffffffff), V(5, 0x7fefffffffffffff)], &[V(3, 0x7ff0000000000000), Fpsr(0x14)]),
    ("fadd d3, d4, d5", 0x1e652883, &[V(4, 0x7fefffffffffffff), V(5, 0x7fefffffffffffff), Fpcr(0xc00000)], &[V(3, 0x7fefffffffffffff), Fpsr(0x14)]),
    ("fadd d3, d4, d5", 0x1e652883, &[V(4, 0x1), V(5, 0x1), Fpcr(0x1000000)], &[Fpsr(0x80)]),
    ("fadd d3, d4, d5", 0x1e652883, &[V(4, 0x10000000000001), V(5, 0x8010000000000000), Fpcr(0x1000000)], &[Fpsr(0x8)]),
    ("fsub s0, s1, s2", 0x1e223820, &[V(1, 0x3f800000), V(2, 0x3f800000), Fpcr(0x800000)], &[V(0, 0x80000000), Fpsr(0x0)]),
    ("fsub s0, s1, s2", 0x1e223820, &[V(1, 0x3f800000), V(2, 0x3f800000)], &[Fpsr(0x0)]),
    ("fmul d0, d1, d2", 0x1e620820, &[V(1, 0x10000000000000), V(2, 0x3fe0000000000001)], &[V(0, 0x8000000000000), Fpsr(0x18)]),
    ("fmul d0, d1, d2", 0x1e620820, &[V(1, 0x7ff0000000000000), V(2, 0x8000000000000000)], &[V(0, 0x7ff8000000000000), Fpsr(0x1)]),
    ("fmul s0, s1, s2", 0x1e220820, &[V(1, 0x7f7fffff), V(2, 0x40000000), Fpcr(0x800000)], &[V(0, 0x7f7fffff), Fpsr(0x14)]),
    ("fdiv d0, d1, d2", 0x1e621820, &[V(1, 0x3ff0000000000000), V(2, 0x4008000000000000)], &[V(0, 0x3fd5555555555555), Fpsr(0x10)]),
    ("fdiv d0, d1, d2", 0x1e621820, &[V(1, 0x3ff0000000000000), V(2, 0x4008000000000000), Fpcr(0x400000)], &[V(0, 0x3fd5555555555556), Fpsr(0x10)]),
    ("fdiv d0, d1, d2", 0x1e621820, &[V(1, 0x3ff0000000000000), V(2, 0x8000000000000000)], &[V(0, 0xfff0000000000000), Fpsr(0x2)]),
    ("fdiv s0, s1, s2", 0x1e221820, &[V(1, 0x0), V(2, 0x0)], &[V(0, 0x7fc00000), Fpsr(0x1)]),
    ("fnmul d0, d1, d2", 0x1e628820, &[V(1, 0x3ff0000000000000), V(2, 0x4008000000000000)], &[V(0, 0xc008000000000000), Fpsr(0x0)]),
    ("fnmul s0, s1, s2", 0x1e228820, &[V(1, 0x7f800000), V(2, 0x0)], &[V(0, 0xffc00000), Fpsr(0x1)]),
    ("fnmul d0, d1, d2", 0x1e628820, &[V(1, 0x7ff0000000000005), V(2, 0x4000000000000000)], &[V(0, 0xfff8000000000005), Fpsr(0x1)]),
    ("fmadd d0, d1, d2, d3", 0x1f420c20, &[V(1, 0x3ff0000000000001), V(2, 0x3ff0000000000001), V(3, 0xbff0000000000000)], &[V(0, 0x3cc0000000000000), Fpsr(0x10)]),
    ("fmsub d0, d1, d2, d3", 0x1f428c20, &[V(1, 0x3ff0000000000001), V(2, 0x3ff0000000000001), V(3, 0x3ff0000000000000)], &[V(0, 0xbcc0000000000000), Fpsr(0x10)]),
    ("fnmadd s0, s1, s2, s3", 0x1f220c20, &[V(1, 0x3fc00000), V(2, 0x40000000), V(3, 0x3f800000)], &[V(0, 0xc0800000), Fpsr(0x0)]),
    ("fnmsub s0, s1, s2, s3", 0x1f228c20, &[V(1, 0x3fc00000), V(2, 0x40000000), V(3, 0x3f800000)], &[V(0, 0x40000000), Fpsr(0x0)]),
    ("fmadd d0, d1, d2, d3", 0x1f420c20, &[V(1, 0x7ff0000000000000), V(2, 0x0), V(3, 0x7ff8000000000000)], &[V(0, 0x7ff8000000000000), Fpsr(0x1)]),
    ("fmadd d0, d1, d2, d3", 0x1f420c20, &[V(1, 0x7ff8000000000001), V(2, 0x7ff0000000000002), V(3, 0x7ff8000000000003)], &[V(0, 0x7ff8000000000002), Fpsr(0x1)]),
    ("fmadd d0, d1, d2, d3", 0x1f420c20, &[V(1, 0x7ff8000000000001), V(2, 0x7ff0000000000002), V(3, 0x3ff0000000000000)], &[V(0, 0x7ff8000000000002), Fpsr(0x1)]),
    ("fnmadd d0, d1, d2, d3", 0x1f620c20, &[V(1, 0x7ff8000000000001), V(2, 0x0), V(3, 0x7ff8000000000003)], &[V(0, 0xfff8000000000003), Fpsr(0x0)]),
    ("fnmsub d0, d1, d2, d3", 0x1f628c20, &[V(1, 0x7ff8000000000001), V(2, 0x0), V(3, 0x7ff8000000000003)], &[V(0, 0xfff8000000000003), Fpsr(0x0)]),
    ("fmadd s0, s1, s2, s3", 0x1f020c20, &[V(1, 0x3f800001), V(2, 0x3f800001), V(3, 0xbf800000), Fpcr(0xc00000)], &[V(0, 0x34800000), Fpsr(0x10)]),
    ("fsqrt d0, d1", 0x1e61c020, &[V(1, 0x4000000000000000)], &[V(0, 0x3ff6a09e667f3bcd), Fpsr(0x10)]),
    ("fsqrt s0, s1", 0x1e21c020, &[V(1, 0xbf800000)], &[V(0, 0x7fc00000), Fpsr(0x1)]),
    ("fsqrt d0, d1", 0x1e61c020, &[V(1, 0x8000000000000000)], &[V(0, 0x8000000000000000), Fpsr(0x0)]),
    ("fsqrt d0, d1", 0x1e61c020, &[V(1, 0x7ff0000000000001)], &[V(0, 0x7ff8000000000001), Fpsr(0x1)]),
    ("fabs d0, d1", 0x1e60c020, &[V(1, 0xfff0000000000001)], &[V(0, 0x7ff0000000000001), Fpsr(0x0)]),
    ("fneg s0, s1", 0x1e214020, &[V(0, 0xffffffffffffffffffffffffff), V(1, 0x7fc00001)], &[V(0, 0xffc00001), Fpsr(0x0)]),
    ("fneg h0, h1", 0x1ee14020, &[V(1, 0x3c00)], &[V(0, 0xbc00), Fpsr(0x0)]),
    ("fmov s0, s1", 0x1e204020, &[V(0, 0x1234567812345678), V(1, 0xaaaaaaaabbbbbbbb)], &[V(0, 0xbbbbbbbb), Fpsr(0x0)]),
    ("fmov d0, d1", 0x1e604020, &[V(1, 0xaaaaaaaabbbbbbbbcccccccccccccccc)], &[V(0, 0xcccccccccccccccc), Fpsr(0x0)]),
    ("fmov h0, h1", 0x1ee04020, &[V(1, 0xffffffffffffffff)], &[V(0, 0xffff), Fpsr(0x0)]),
    ("fmax d0, d1, d2", 0x1e624820, &[V(1, 0x3ff0000000000000), V(2, 0x4000000000000000)], &[V(0, 0x4000000000000000), Fpsr(0x0)]),
    ("fmax d0, d1, d2", 0x1e624820, &[V(1, 0x0), V(2, 0x8000000000000000)], &[Fpsr(0x0)]),
    ("fmin d0, d1, d2", 0x1e625820, &[V(1, 0x0), V(2, 0x8000000000000000)], &[V(0, 0x8000000000000000), Fpsr(0x0)]),
    ("fmin s0, s1, s2", 0x1e225820, &[V(1, 0x7fc00000), V(2, 0x3f800000)], &[V(0, 0x7fc00000), Fpsr(0x0)]),
    ("fmaxnm s0, s1, s2", 0x1e226820, &[V(1, 0x7fc00000), V(2, 0x3f800000)], &[V(0, 0x3f800000), Fpsr(0x0)]),
    ("fminnm d0, d1, d2", 0x1e627820, &[V(1, 0x3ff0000000000000), V(2, 0x7ff8000000000000)], &[V(0, 0x3ff0000000000000), Fpsr(0x0)]),
    ("fminnm d0, d1, d2", 0x1e627820, &[V(1, 0x3ff0000000000000), V(2, 0x7ff0000000000001)], &[V(0, 0x7ff8000000000001), Fpsr(0x1)]),
    ("fmaxnm d0, d1, d2", 0x1e626820, &[V(1, 0x7ff8000000000001), V(2, 0x7ff8000000000002)], &[V(0, 0x7ff8000000000001), Fpsr(0x0)]),
    ("fmax s0, s1, s2", 0x1e224820, &[V(1, 0x1), V(2, 0x80000000), Fpcr(0x1000000)], &[Fpsr(0x80)]),
    ("fmin d0, d1, d2", 0x1e625820, &[V(1, 0xfff0000000000000), V(2, 0x4000000000000000)], &[V(0, 0xfff0000000000000), Fpsr(0x0)]),
    ("fmov d0, #1.0", 0x1e6e1000, &[V(0, 0xffffffffffffffffffffffffffffffff)], &[V(0, 0x3ff0000000000000), Fpsr(0x0)]),
    ("fmov s5, #-0.5", 0x1e3c1005, &[], &[V(5, 0xbf000000), Fpsr(0x0)]),
    ("fmov d7, #31.0", 0x1e67f007, &[], &[V(7, 0x403f000000000000), Fpsr(0x0)]),
    ("fmov s3, #0.125", 0x1e281003, &[], &[V(3, 0x3e000000), Fpsr(0x0)]),
    ("fmov h2, #1.5", 0x1eef1002, &[], &[V(2, 0x3e00), Fpsr(0x0)]),
    ("fcvt d0, s1", 0x1e22c020, &[V(1, 0x3f800001)], &[V(0, 0x3ff0000020000000), Fpsr(0x0)]),
    ("fcvt d0, s1", 0x1e22c020, &[V(1, 0x7f800001)], &[V(0, 0x7ff8000020000000), Fpsr(0x1)]),
    ("fcvt d0, s1", 0x1e22c020, &[V(1, 0xffc00123)], &[V(0, 0xfff8002460000000), Fpsr(0x0)]),
    ("fcvt s0, d1", 0x1e624020, &[V(1, 0x3ff0000000000001)], &[V(0, 0x3f800000), Fpsr(0x10)]),
    ("fcvt s0, d1", 0x1e624020, &[V(1, 0x3ff0000000000001), Fpcr(0x400000)], &[V(0, 0x3f800001), Fpsr(0x10)]),
    ("fcvt s0, d1", 0x1e624020, &[V(1, 0x47f0000000000000)], &[V(0, 0x7f800000), Fpsr(0x14)]),
    ("fcvt s0, d1", 0x1e624020, &[V(1, 0x47f0000000000000), Fpcr(0xc00000)], &[V(0, 0x7f7fffff), Fpsr(0x14)]),
    ("fcvt s0, d1", 0x1e624020, &[V(1, 0x3690000000000000)], &[Fpsr(0x18)]),
    ("fcvt s0, d1", 0x1e624020, &[V(1, 0x3690000000000000), Fpcr(0x1000000)], &[Fpsr(0x8)]),
    ("fcvt s0, d1", 0x1e624020, &[V(1, 0x7ff0000000000001)], &[V(0, 0x7fc00000), Fpsr(0x1)]),
    ("fcvt s0, d1", 0x1e624020, &[V(1, 0x7ff0000000000001), Fpcr(0x2000000)], &[V(0, 0x7fc00000), Fpsr(0x1)]),
    ("fcvt s0, d1", 0x1e624020, &[V(1, 0x1), Fpcr(0x1000000)], &[Fpsr(0x80)]),
    ("fcvt h0, s1", 0x1e23c020, &[V(1, 0x3f800000)], &[V(0, 0x3c00), Fpsr(0x0)]),
    ("fcvt h0, s1", 0x1e23c020, &[V(1, 0x477fe000)], &[V(0, 0x7bff), Fpsr(0x0)]),
    ("fcvt h0, s1", 0x1e23c020, &[V(1, 0x47800000)], &[V(0, 0x7c00), Fpsr(0x14)]),
    ("fcvt h0, d1", 0x1e63c020, &[V(1, 0x3e70000000000000)], &[V(0, 0x1), Fpsr(0x0)]),
    ("fcvt s0, h1", 0x1ee24020, &[V(1, 0x3555)], &[V(0, 0x3eaaa000), Fpsr(0x0)]),
    ("fcvt d0, h1", 0x1ee2c020, &[V(1, 0x1)], &[V(0, 0x3e70000000000000), Fpsr(0x0)]),
    ("fcvt s0, h1", 0x1ee24020, &[V(1, 0x7c01)], &[V(0, 0x7fc02000), Fpsr(0x1)]),
    // FPCR.AHP: the alternative half-precision format, without infinities or
    // NaNs (0x7fff = 131008 is the largest magnitude), in FCVT only.
    ("fcvt h0, s1", 0x1e23c020, &[V(1, 0x7f800000), Fpcr(0x4000000)], &[V(0, 0x7fff), Fpsr(0x1)]),
    ("fcvt s0, h1", 0x1ee24020, &[V(1, 0x7c00), Fpcr(0x4000000)], &[V(0, 0x47800000), Fpsr(0x0)]),
    ("fcvt h0, s1", 0x1e23c020, &[V(1, 0xffc00000), Fpcr(0x4000000)], &[V(0, 0x8000), Fpsr(0x1)]),
    ("fcvt h0, s1", 0x1e23c020, &[V(1, 0x48000000), Fpcr(0x4000000)], &[V(0, 0x7fff), Fpsr(0x1)]),
    ("fcvt h0, s1", 0x1e23c020, &[V(1, 0xc7fff000), Fpcr(0x4000000)], &[V(0, 0xffff), Fpsr(0x1)]),
    ("fcvt h0, s1", 0x1e23c020, &[V(1, 0x33000001), Fpcr(0x4080000)], &[V(0, 0x1), Fpsr(0x18)]),
    ("fcvt h0, s1", 0x1e23c020, &[V(1, 0x7f800000), Fpcr(0x0)], &[V(0, 0x7c00), Fpsr(0x0)]),
    ("fcvt h0, d1", 0x1e63c020, &[V(1, 0x40fffc0000000000), Fpcr(0x4000000)], &[V(0, 0x7fff), Fpsr(0x0)]),
    ("fcvt h0, d1", 0x1e63c020, &[V(1, 0x40f0000000000000), Fpcr(0x4000000)], &[V(0, 0x7c00), Fpsr(0x0)]),
    ("fcvt h0, d1", 0x1e63c020, &[V(1, 0xc0fffe0000000000), Fpcr(0x4000000)], &[V(0, 0xffff), Fpsr(0x1)]),
    ("fcvt h0, d1", 0x1e63c020, &[V(1, 0x40fffe0000000000), Fpcr(0x4c00000)], &[V(0, 0x7fff), Fpsr(0x10)]),
    ("fcvt h0, d1", 0x1e63c020, &[V(1, 0x40fffdffffffffff), Fpcr(0x4000000)], &[V(0, 0x7fff), Fpsr(0x10)]),
    ("fcvt h0, d1", 0x1e63c020, &[V(0, 0xffff), V(1, 0x7ff0000000000001), Fpcr(0x6000000)], &[V(0, 0x0), Fpsr(0x1)]),
    ("fcvt h0, d1", 0x1e63c020, &[V(1, 0xfff0000000000000), Fpcr(0x4400000)], &[V(0, 0xffff), Fpsr(0x1)]),
    ("fcvt d0, h1", 0x1ee2c020, &[V(1, 0xfeff), Fpcr(0x4000000)], &[V(0, 0xc0fbfc0000000000), Fpsr(0x0)]),
    ("fcvt d0, h1", 0x1ee2c020, &[V(1, 0x7fff), Fpcr(0x4000000)], &[V(0, 0x40fffc0000000000), Fpsr(0x0)]),
    ("fcvt s0, h1", 0x1ee24020, &[V(1, 0x1), Fpcr(0x4080000)], &[V(0, 0x33800000), Fpsr(0x0)]),
    // Half-precision arithmetic and integer conversion keep the IEEE format.
    ("fadd h0, h1, h2", 0x1ee22820, &[V(1, 0x7c00), V(2, 0x3c00), Fpcr(0x4000000)], &[V(0, 0x7c00), Fpsr(0x0)]),
    ("fcvtzs w0, h1", 0x1ef80020, &[V(1, 0x7c00), Fpcr(0x4000000)], &[X(0, 0x7fffffff), Fpsr(0x1)]),
    ("frintn d0, d1", 0x1e644020, &[V(1, 0x4004000000000000)], &[V(0, 0x4000000000000000), Fpsr(0x0)]),
    ("frintn d0, d1", 0x1e644020, &[V(1, 0x400c000000000000)], &[V(0, 0x4010000000000000), Fpsr(0x0)]),
    ("frinta d0, d1", 0x1e664020, &[V(1, 0x4004000000000000)], &[V(0, 0x4008000000000000), Fpsr(0x0)]),
    ("frintp s0, s1", 0x1e24c020, &[V(1, 0xbf000000)], &[V(0, 0x80000000), Fpsr(0x0)]),
    ("frintm s0, s1", 0x1e254020, &[V(1, 0xbf000000)], &[V(0, 0xbf800000), Fpsr(0x0)]),
    ("frintz d0, d1", 0x1e65c020, &[V(1, 0xc00c000000000000)], &[V(0, 0xc008000000000000), Fpsr(0x0)]),
    ("frintx d0, d1", 0x1e674020, &[V(1, 0x3fe0000000000000)], &[Fpsr(0x10)]),
    ("frintx d0, d1", 0x1e674020, &[V(1, 0x4000000000000000)], &[V(0, 0x4000000000000000), Fpsr(0x0)]),
    ("frinti d0, d1", 0x1e67c020, &[V(1, 0x3ff8000000000000), Fpcr(0x800000)], &[V(0, 0x3ff0000000000000), Fpsr(0x0)]),
    ("frinti s0, s1", 0x1e27c020, &[V(1, 0x3fc00000), Fpcr(0x400000)], &[V(0, 0x40000000), Fpsr(0x0)]),
    ("frintx s0, s1", 0x1e274020, &[V(1, 0x7f800001)], &[V(0, 0x7fc00001), Fpsr(0x1)]),
    ("frinta s0, s1", 0x1e264020, &[V(1, 0x4b7fffff)], &[V(0, 0x4b7fffff), Fpsr(0x0)]),
    ("frintn d0, d1", 0x1e644020, &[V(1, 0x8000000000000001), Fpcr(0x1000000)], &[V(0, 0x8000000000000000), Fpsr(0x80)]),
    ("fcmp d0, d1", 0x1e612000, &[V(0, 0x3ff0000000000000), V(1, 0x3ff0000000000000), Nzcv(0xf0000000)], &[Nzcv(0x60000000), Fpsr(0x0)]),
    ("fcmp d0, d1", 0x1e612000, &[V(0, 0x3ff0000000000000), V(1, 0x4000000000000000)], &[Nzcv(0x80000000), Fpsr(0x0)]),
    ("fcmp s0, s1", 0x1e212000, &[V(0, 0x40000000), V(1, 0x3f800000)], &[Nzcv(0x20000000), Fpsr(0x0)]),
    ("fcmp s0, s1", 0x1e212000, &[V(0, 0x7fc00000), V(1, 0x3f800000)], &[Nzcv(0x30000000), Fpsr(0x0)]),
    ("fcmp s0, s1", 0x1e212000, &[V(0, 0x7f800001), V(1, 0x3f800000)], &[Nzcv(0x30000000), Fpsr(0x1)]),
    ("fcmpe s0, s1", 0x1e212010, &[V(0, 0x7fc00000), V(1, 0x3f800000)], &[Nzcv(0x30000000), Fpsr(0x1)]),
    ("fcmp d0, #0.0", 0x1e602008, &[V(0, 0x8000000000000000)], &[Nzcv(0x60000000), Fpsr(0x0)]),
    ("fcmpe d2, #0.0", 0x1e602058, &[V(2, 0xbff0000000000000)], &[Nzcv(0x80000000), Fpsr(0x0)]),
    ("fcmp h0, h1", 0x1ee12000, &[V(0, 0x3c00), V(1, 0x4000)], &[Nzcv(0x80000000), Fpsr(0x0)]),
    ("fccmp d0, d1, #0x4, eq", 0x1e610404, &[V(0, 0x3ff0000000000000), V(1, 0x4000000000000000), Nzcv(0x40000000)], &[Nzcv(0x80000000), Fpsr(0x0)]),
    ("fccmp d0, d1, #0x4, ne", 0x1e611404, &[V(0, 0x3ff0000000000000), V(1, 0x4000000000000000), Nzcv(0x40000000)], &[Fpsr(0x0)]),
    ("fccmpe s0, s1, #0x0, al", 0x1e21e410, &[V(0, 0x7fc00000), V(1, 0x3f800000)], &[Nzcv(0x30000000), Fpsr(0x1)]),
    ("fccmp s0, s1, #0x0, al", 0x1e21e400, &[V(0, 0x7fc00000), V(1, 0x3f800000)], &[Nzcv(0x30000000), Fpsr(0x0)]),
    ("fcsel d0, d1, d2, eq", 0x1e620c20, &[V(1, 0x1111), V(2, 0x2222), Nzcv(0x40000000)], &[V(0, 0x1111), Fpsr(0x0)]),
    ("fcsel s0, s1, s2, eq", 0x1e220c20, &[V(1, 0x111100001111), V(2, 0x2222), Nzcv(0x0)], &[V(0, 0x2222), Fpsr(0x0)]),
    ("fcsel d0, d1, d2, lt", 0x1e62bc20, &[V(1, 0x1111), V(2, 0x2222), Nzcv(0x80000000)], &[V(0, 0x1111), Fpsr(0x0)]),
    ("fmov w0, s1", 0x1e260020, &[X(0, 0xffffffffffffffff), V(1, 0x123456789abcdef0)], &[X(0, 0x9abcdef0), Fpsr(0x0)]),
    ("fmov x0, d1", 0x9e660020, &[V(1, 0x11223344556677889abcdef012345678)], &[X(0, 0x9abcdef012345678), Fpsr(0x0)]),
    ("fmov s2, w1", 0x1e270022, &[X(1, 0xffffffff87654321), V(2, 0xffffffffffffffffffffffffffffffff)], &[V(2, 0x87654321), Fpsr(0x0)]),
    ("fmov d2, x1", 0x9e670022, &[X(1, 0xffffffff87654321), V(2, 0xffffffffffffffffffffffffffffffff)], &[V(2, 0xffffffff87654321), Fpsr(0x0)]),
    ("fmov x3, v4.d[1]", 0x9eae0083, &[V(4, 0x11223344556677889abcdef012345678)], &[X(3, 0x1122334455667788), Fpsr(0x0)]),
    ("fmov v4.d[1], x3", 0x9eaf0064, &[X(3, 0xcafe), V(4, 0x11223344556677889abcdef012345678)], &[V(4, 0xcafe9abcdef012345678), Fpsr(0x0)]),
    ("fmov w5, h6", 0x1ee600c5, &[V(6, 0x12345678), X(5, 0xffffffffffffffff)], &[X(5, 0x5678), Fpsr(0x0)]),
    ("fmov h6, w5", 0x1ee700a6, &[X(5, 0xfedcba98), V(6, 0xffffffffffffffffffffffffffffffff)], &[V(6, 0xba98), Fpsr(0x0)]),
    ("fmov d0, xzr", 0x9e6703e0, &[V(0, 0xffffffffffffffffffffffffffffffff)], &[V(0, 0x0), Fpsr(0x0)]),
    ("scvtf d0, x1", 0x9e620020, &[X(1, 0xffffffffffffffff)], &[V(0, 0xbff0000000000000), Fpsr(0x0)]),
    ("scvtf s0, x1", 0x9e220020, &[X(1, 0x7fffffffffffffff)], &[V(0, 0x5f000000), Fpsr(0x10)]),
    ("scvtf s0, x1", 0x9e220020, &[X(1, 0x7fffffffffffffff), Fpcr(0xc00000)], &[V(0, 0x5effffff), Fpsr(0x10)]),
    ("ucvtf d0, x1", 0x9e630020, &[X(1, 0xffffffffffffffff)], &[V(0, 0x43f0000000000000), Fpsr(0x10)]),
    ("ucvtf s0, w1", 0x1e230020, &[X(1, 0xffffffff)], &[V(0, 0x4f800000), Fpsr(0x10)]),
    ("scvtf s0, w1", 0x1e220020, &[X(1, 0x80000000)], &[V(0, 0xcf000000), Fpsr(0x0)]),
    ("scvtf d0, w1", 0x1e620020, &[X(1, 0x1234567880000000)], &[V(0, 0xc1e0000000000000), Fpsr(0x0)]),
    ("ucvtf h0, w1", 0x1ee30020, &[X(1, 0x10001)], &[V(0, 0x7c00), Fpsr(0x14)]),
    ("scvtf d0, x1, #4", 0x9e42f020, &[X(1, 0x18)], &[V(0, 0x3ff8000000000000), Fpsr(0x0)]),
    ("ucvtf s0, w1, #32", 0x1e038020, &[X(1, 0x80000000)], &[V(0, 0x3f000000), Fpsr(0x0)]),
    ("scvtf d0, w1, #1", 0x1e42fc20, &[X(1, 0xffffffff)], &[V(0, 0xbfe0000000000000), Fpsr(0x0)]),
    ("fcvtzs w0, d1", 0x1e780020, &[V(1, 0xc00c000000000000)], &[X(0, 0xfffffffd), Fpsr(0x10)]),
    ("fcvtzs w0, d1", 0x1e780020, &[V(1, 0x41e0000000000000)], &[X(0, 0x7fffffff), Fpsr(0x1)]),
    ("fcvtzs x0, d1", 0x9e780020, &[V(1, 0x41e0000000000000)], &[X(0, 0x80000000), Fpsr(0x0)]),
    ("fcvtzs w0, s1", 0x1e380020, &[V(1, 0x7fc00000)], &[Fpsr(0x1)]),
    ("fcvtzs x0, d1", 0x9e780020, &[V(1, 0xc3e0000000000000)], &[X(0, 0x8000000000000000), Fpsr(0x0)]),
    ("fcvtzs x0, d1", 0x9e780020, &[V(1, 0xc3e0000000000001)], &[X(0, 0x8000000000000000), Fpsr(0x1)]),
    ("fcvtzu w0, d1", 0x1e790020, &[V(1, 0xbfe0000000000000)], &[Fpsr(0x10)]),
    ("fcvtzu w0, d1", 0x1e790020, &[V(1, 0xbff0000000000000)], &[Fpsr(0x1)]),
    ("fcvtzu x0, s1", 0x9e390020, &[V(1, 0x5f800000)], &[X(0, 0xffffffffffffffff), Fpsr(0x1)]),
    ("fcvtzu x0, s1", 0x9e390020, &[V(1, 0x5f7fffff)], &[X(0, 0xffffff0000000000), Fpsr(0x0)]),
    ("fcvtzs w0, d1, #4", 0x1e58f020, &[V(1, 0x3ff8000000000000)], &[X(0, 0x18), Fpsr(0x0)]),
    ("fcvtzu x0, d1, #64", 0x9e590020, &[V(1, 0x3fe0000000000000)], &[X(0, 0x8000000000000000), Fpsr(0x0)]),
    ("fcvtzs w0, s1, #1", 0x1e18fc20, &[V(1, 0x4f000000)], &[X(0, 0x7fffffff), Fpsr(0x1)]),
    ("fcvtns w0, d1", 0x1e600020, &[V(1, 0x4004000000000000)], &[X(0, 0x2), Fpsr(0x10)]),
    ("fcvtns w0, d1", 0x1e600020, &[V(1, 0x400c000000000000)], &[X(0, 0x4), Fpsr(0x10)]),
    ("fcvtnu x0, d1", 0x9e610020, &[V(1, 0x3fe8000000000000)], &[X(0, 0x1), Fpsr(0x10)]),
    ("fcvtas w0, d1", 0x1e640020, &[V(1, 0xc004000000000000)], &[X(0, 0xfffffffd), Fpsr(0x10)]),
    ("fcvtau w0, s1", 0x1e250020, &[V(1, 0x3f000000)], &[X(0, 0x1), Fpsr(0x10)]),
    ("fcvtps x0, d1", 0x9e680020, &[V(1, 0x3ff0000000000001)], &[X(0, 0x2), Fpsr(0x10)]),
    ("fcvtpu w0, s1", 0x1e290020, &[V(1, 0xbf000000)], &[Fpsr(0x10)]),
    ("fcvtms w0, s1", 0x1e300020, &[V(1, 0xbf000000)], &[X(0, 0xffffffff), Fpsr(0x10)]),
    ("fcvtmu x0, d1", 0x9e710020, &[V(1, 0x4004000000000000)], &[X(0, 0x2), Fpsr(0x10)]),
    ("fcvtzs w0, h1", 0x1ef80020, &[V(1, 0xc500)], &[X(0, 0xfffffffb), Fpsr(0x0)]),
    ("fcvtzs x0, d1", 0x9e780020, &[V(1, 0x1), Fpcr(0x1000000)], &[Fpsr(0x80)]),
    ("fcvtzs x0, d1", 0x9e780020, &[V(1, 0x1)], &[Fpsr(0x10)]),
    ("fcvtzs x0, d1", 0x9e780020, &[V(1, 0xfff0000000000000)], &[X(0, 0x8000000000000000), Fpsr(0x1)]),
    ]);
}

#[test]
fn scalar_fp_unallocated() {
    check_undefined(&[
        0x1ea22820, // fadd with ftype 10
        0x1ee84020, // frint32z with ftype 11 (single and double only)
        0x9e622820, // M bit set
        0x1e229820, // 2-source opcode 1001
        0x1e224020, // fcvt s0, s1 (same format)
        0x1e26c020, // frint opcode 001101
        0x1e206020, // fcmp with op 01
        0x1e2e3020, // fmov immediate with imm5 != 0
        0x1e027c20, // scvtf w-form with scale < 32
        0x9ea60020, // fmov top half with rmode 00
    ]);
}

/// Results that round up to the smallest normal: Arm detects tininess
/// before rounding, so these underflow (or flush to zero under FZ).
#[test]
fn underflow_before_rounding() {
    check(&[
        ("fmul d0, d1, d2", 0x1e620820, &[V(1, 0x3fefffffffffffff), V(2, 0x10000000000000)], &[V(0, 0x10000000000000), Fpsr(0x18)]),
        ("fmul d0, d1, d2", 0x1e620820, &[V(0, 0xffff), V(1, 0x3fefffffffffffff), V(2, 0x10000000000000), Fpcr(0x1000000)], &[V(0, 0), Fpsr(0x8)]),
        ("fmul s0, s1, s2", 0x1e220820, &[V(1, 0x3f7fffff), V(2, 0x800000), Fpcr(0x400000)], &[V(0, 0x800000), Fpsr(0x18)]),
    ]);
}
