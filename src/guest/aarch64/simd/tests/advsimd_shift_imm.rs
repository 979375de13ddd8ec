//! AdvSIMD modified immediates and shifts by immediate (plain, accumulating, inserting, rounding, saturating, narrowing, widening, fixed-point).
//! Expected values were taken from a reference execution of each word.

use super::{check, R::*};

#[test]
fn immediate_table() {
    check(&[
        ("movi v0.16b, #0x41", 0x4f02e420, &[], &[V(0, 0x41414141414141414141414141414141), Fpsr(0x0)]),
        ("movi v0.8b, #0xff", 0x0f07e7e0, &[V(0, 0xffffffffffffffffffffffffffffffff)], &[V(0, 0xffffffffffffffff), Fpsr(0x0)]),
        ("movi v0.4s, #0x12, lsl #8", 0x4f002640, &[], &[V(0, 0x1200000012000000120000001200), Fpsr(0x0)]),
        ("movi v0.2s, #0x12, lsl #24", 0x0f006640, &[], &[V(0, 0x1200000012000000), Fpsr(0x0)]),
        ("movi v0.8h, #0x34, lsl #8", 0x4f01a680, &[], &[V(0, 0x34003400340034003400340034003400), Fpsr(0x0)]),
        ("movi v0.4h, #0x34", 0x0f018680, &[], &[V(0, 0x34003400340034), Fpsr(0x0)]),
        ("movi v0.4s, #0x56, msl #8", 0x4f02c6c0, &[], &[V(0, 0x56ff000056ff000056ff000056ff), Fpsr(0x0)]),
        ("movi v0.4s, #0x56, msl #16", 0x4f02d6c0, &[], &[V(0, 0x56ffff0056ffff0056ffff0056ffff), Fpsr(0x0)]),
        ("movi d0, #0xff00ff0000ffff00", 0x2f05e4c0, &[V(0, 0xffffffffffffffffffffffffffffffff)], &[V(0, 0xff00ff0000ffff00), Fpsr(0x0)]),
        ("movi v0.2d, #0x00ff00ff00ff00ff", 0x6f02e6a0, &[], &[V(0, 0xff00ff00ff00ff00ff00ff00ff00ff), Fpsr(0x0)]),
        ("mvni v0.4s, #0x12, lsl #16", 0x6f004640, &[], &[V(0, 0xffedffffffedffffffedffffffedffff), Fpsr(0x0)]),
        ("mvni v0.8h, #0x80", 0x6f048400, &[], &[V(0, 0xff7fff7fff7fff7fff7fff7fff7fff7f), Fpsr(0x0)]),
        ("mvni v0.2s, #0x1, msl #8", 0x2f00c420, &[], &[V(0, 0xfffffe00fffffe00), Fpsr(0x0)]),
        ("orr v0.4s, #0x1, lsl #8", 0x4f003420, &[V(0, 0x10000000100000001000000010000000)], &[V(0, 0x10000100100001001000010010000100), Fpsr(0x0)]),
        ("orr v0.8h, #0xf0", 0x4f079600, &[V(0, 0x10000000100000001000000010000000)], &[V(0, 0x10f000f010f000f010f000f010f000f0), Fpsr(0x0)]),
        ("bic v0.4s, #0xff", 0x6f0717e0, &[V(0, 0xffffffffffffffffffffffffffffffff)], &[V(0, 0xffffff00ffffff00ffffff00ffffff00), Fpsr(0x0)]),
        ("bic v0.4h, #0xff, lsl #8", 0x2f07b7e0, &[V(0, 0xffffffffffffffffffffffffffffffff)], &[V(0, 0xff00ff00ff00ff), Fpsr(0x0)]),
        ("fmov v0.4s, #1.0", 0x4f03f600, &[], &[V(0, 0x3f8000003f8000003f8000003f800000), Fpsr(0x0)]),
        ("fmov v0.2s, #-0.125", 0x0f06f400, &[], &[V(0, 0xbe000000be000000), Fpsr(0x0)]),
        ("fmov v0.2d, #31.0", 0x6f01f7e0, &[], &[V(0, 0x403f000000000000403f000000000000), Fpsr(0x0)]),
    ]);
}

#[test]
fn shift_table() {
    check(&[
        ("shl v0.16b, v1.16b, #3", 0x4f0b5420, &[V(1, 0xf0e0d0c0b0a09080706050403020181)], &[V(0, 0x78706860585048403830282018100808), Fpsr(0x0)]),
        ("shl v0.2d, v1.2d, #63", 0x4f7f5420, &[V(1, 0x30000000000000001)], &[V(0, 0x80000000000000008000000000000000), Fpsr(0x0)]),
        ("shl d0, d1, #4", 0x5f445420, &[V(1, 0xffffffffffffffff123456789abcdef0)], &[V(0, 0x23456789abcdef00), Fpsr(0x0)]),
        ("ushr v0.16b, v1.16b, #8", 0x6f080420, &[V(1, 0xff7f0f0301000102030405060708090a)], &[Fpsr(0x0)]),
        ("ushr v0.8h, v1.8h, #4", 0x6f1c0420, &[V(1, 0xff7f0f0301000102030405060708090a)], &[V(0, 0xff700f0001000100030005000700090), Fpsr(0x0)]),
        ("sshr v0.16b, v1.16b, #8", 0x4f080420, &[V(1, 0xff7f0f0301000102030405060708090a)], &[V(0, 0xff000000000000000000000000000000), Fpsr(0x0)]),
        ("sshr v0.4s, v1.4s, #1", 0x4f3f0420, &[V(1, 0x80000001ffffffff7fffffff00000003)], &[V(0, 0xc0000000ffffffff3fffffff00000001), Fpsr(0x0)]),
        ("sshr d0, d1, #64", 0x5f400420, &[V(1, 0x8000000000000000)], &[V(0, 0xffffffffffffffff), Fpsr(0x0)]),
        ("ushr d0, d1, #64", 0x7f400420, &[V(1, 0x8000000000000000)], &[Fpsr(0x0)]),
        ("usra v0.16b, v1.16b, #4", 0x6f0c1420, &[V(0, 0x1010101010101010101010101010101), V(1, 0xff7f0f0301000102030405060708090a)], &[V(0, 0x10080101010101010101010101010101), Fpsr(0x0)]),
        ("ssra v0.8h, v1.8h, #15", 0x4f111420, &[V(0, 0x10001000100010001000100010001), V(1, 0xff7f0f0301000102830405060708090a)], &[V(0, 0x1000100010000000100010001), Fpsr(0x0)]),
        ("urshr v0.16b, v1.16b, #1", 0x6f0f2420, &[V(1, 0xff7f0f0301000102030405060708090a)], &[V(0, 0x80400802010001010202030304040505), Fpsr(0x0)]),
        ("srshr v0.4s, v1.4s, #2", 0x4f3e2420, &[V(1, 0x80000001ffffffff7fffffff00000003)], &[V(0, 0xe0000000000000002000000000000001), Fpsr(0x0)]),
        ("ursra v0.2d, v1.2d, #64", 0x6f403420, &[V(0, 0x1), V(1, 0x8000000000000000ffffffffffffffff)], &[V(0, 0x10000000000000002), Fpsr(0x0)]),
        ("sri v0.16b, v1.16b, #4", 0x6f0c4420, &[V(0, 0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa), V(1, 0xff7f0f0301000102030405060708090a)], &[V(0, 0xafa7a0a0a0a0a0a0a0a0a0a0a0a0a0a0), Fpsr(0x0)]),
        ("sri v0.8h, v1.8h, #16", 0x6f104420, &[V(0, 0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa), V(1, 0xff7f0f0301000102030405060708090a)], &[Fpsr(0x0)]),
        ("sli v0.16b, v1.16b, #4", 0x6f0c5420, &[V(0, 0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa), V(1, 0xff7f0f0301000102030405060708090a)], &[V(0, 0xfafafa3a1a0a1a2a3a4a5a6a7a8a9aaa), Fpsr(0x0)]),
        ("sli d0, d1, #8", 0x7f485420, &[V(0, 0xaaaaaaaaaaaaaaaa), V(1, 0x123456789abcdef)], &[V(0, 0x23456789abcdefaa), Fpsr(0x0)]),
        ("shrn v0.8b, v1.8h, #4", 0x0f0c8420, &[V(0, 0xffffffffffffffffffffffffffffffff), V(1, 0xff7f0f0301000102030405060708090a)], &[V(0, 0xf7f0101030507090), Fpsr(0x0)]),
        ("shrn2 v0.16b, v1.8h, #4", 0x4f0c8420, &[V(0, 0xffffffffffffffffaaaaaaaaaaaaaaaa), V(1, 0xff7f0f0301000102030405060708090a)], &[V(0, 0xf7f0101030507090aaaaaaaaaaaaaaaa), Fpsr(0x0)]),
        ("rshrn v0.4h, v1.4s, #16", 0x0f108c20, &[V(1, 0x18000000080000000ffff7fff7fff)], &[V(0, 0x2000100017fff), Fpsr(0x0)]),
        ("sqshrn v0.8b, v1.8h, #1", 0x0f0f9420, &[V(1, 0x8000ffff7fff00ff0100fe00f0000002)], &[V(0, 0x80ff7f7f7f808001), Fpsr(0x8000000)]),
        ("uqshrn v0.4h, v1.4s, #8", 0x2f189420, &[V(1, 0xffffffff000100000000ffff00000100)], &[V(0, 0xffff010000ff0001), Fpsr(0x8000000)]),
        ("sqshrun v0.8b, v1.8h, #1", 0x2f0f8420, &[V(1, 0x8000ffff7fff00ff0100fe00f0000002)], &[V(0, 0xff7f80000001), Fpsr(0x8000000)]),
        ("sqrshrn h0, s1, #16", 0x5f109c20, &[V(1, 0x7fff8000)], &[V(0, 0x7fff), Fpsr(0x8000000)]),
        ("sqrshrun2 v0.8h, v1.4s, #4", 0x6f1c8c20, &[V(0, 0x1234), V(1, 0x80000000000fffff0000fff800000008)], &[V(0, 0xffff100000010000000000001234), Fpsr(0x8000000)]),
        ("ushll v0.8h, v1.8b, #0", 0x2f08a420, &[V(1, 0xff7f0f0301000102030405060708090a)], &[V(0, 0x3000400050006000700080009000a), Fpsr(0x0)]),
        ("uxtl2 v0.8h, v1.16b", 0x6f08a420, &[V(1, 0xff7f0f0301000102030405060708090a)], &[V(0, 0xff007f000f00030001000000010002), Fpsr(0x0)]),
        ("sxtl v0.4s, v1.4h", 0x0f10a420, &[V(1, 0xff7f0f0301000102030405060708800a)], &[V(0, 0x3040000050600000708ffff800a), Fpsr(0x0)]),
        ("sshll2 v0.2d, v1.4s, #31", 0x4f3fa420, &[V(1, 0x80000000000000010000000000000000)], &[V(0, 0xc0000000000000000000000080000000), Fpsr(0x0)]),
        ("sqshl v0.16b, v1.16b, #2", 0x4f0a7420, &[V(1, 0x80c0e0f0f8fcfe000102040810204080)], &[V(0, 0x808080c0e0f0f80004081020407f7f80), Fpsr(0x8000000)]),
        ("uqshl v0.8h, v1.8h, #4", 0x6f147420, &[V(1, 0xfff1000ffff00010000000000000000)], &[V(0, 0xfff0ffffffff00100000000000000000), Fpsr(0x8000000)]),
        ("sqshlu v0.16b, v1.16b, #1", 0x6f096420, &[V(1, 0x80c0e0f0f8fcfe000102040810204080)], &[V(0, 0x204081020408000), Fpsr(0x8000000)]),
        ("sqshl s0, s1, #1", 0x5f217420, &[V(1, 0x40000000)], &[V(0, 0x7fffffff), Fpsr(0x8000000)]),
        ("uqshl b0, b1, #7", 0x7f0f7420, &[V(1, 0x2)], &[V(0, 0xff), Fpsr(0x8000000)]),
        ("scvtf v0.4s, v1.4s, #16", 0x4f30e420, &[V(1, 0x18000ffff0000000100000000ffff)], &[V(0, 0x3fc00000bf8000003f8000003f7fff00), Fpsr(0x0)]),
        ("ucvtf v0.2d, v1.2d, #1", 0x6f7fe420, &[V(1, 0xffffffffffffffff0000000000000003)], &[V(0, 0x43e00000000000003ff8000000000000), Fpsr(0x10)]),
        ("fcvtzs v0.4s, v1.4s, #8", 0x4f38fc20, &[V(1, 0x3f800000bf8000004f0000007fc00000)], &[V(0, 0x100ffffff007fffffff00000000), Fpsr(0x1)]),
        ("fcvtzu v0.2s, v1.2s, #1", 0x2f3ffc20, &[V(1, 0x3f400000bf800000)], &[V(0, 0x100000000), Fpsr(0x11)]),
        ("scvtf d0, d1, #64", 0x5f40e420, &[V(1, 0x8000000000000000)], &[V(0, 0xbfe0000000000000), Fpsr(0x0)]),
        ("fcvtzs s0, s1, #2", 0x5f3efc20, &[V(1, 0x3fa00000)], &[V(0, 0x5), Fpsr(0x0)]),
    ]);
}
