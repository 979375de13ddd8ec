//! Table test of instruction semantics: (encoding, input state) -> expected
//! state, each row run on both execution tiers.
//!
//! Expected values follow the Arm Architecture Reference Manual's pseudocode;
//! the rows concentrate on edge cases (carries, overflow, division by zero,
//! shifts past the width, sign extension, 32-bit results clearing the top half).

use kestrel::guest::aarch64::cpu::CpuState;
use kestrel::jit::{invalidate_range, Engine, EngineConfig, ExitReason};

/// (word, text, inputs (reg, value) with 31 = SP, NZCV in, expected (reg, value), NZCV out or None if unchanged).
type Row = (u32, &'static str, &'static [(usize, u64)], u64, &'static [(usize, u64)], Option<u64>);

const MAX: u64 = u64::MAX;
const ROWS: &[Row] = &[
    (0xab020020, "adds x0, x1, x2", &[(1, 0x7fff_ffff_ffff_ffff), (2, 1)], 0, &[(0, 0x8000_0000_0000_0000)], Some(0x9)),
    (0x2b020020, "adds w0, w1, w2", &[(0, MAX), (1, 0xffff_ffff), (2, 1)], 0, &[(0, 0)], Some(0x6)),
    (0xeb020020, "subs x0, x1, x2", &[(1, 1), (2, 2)], 0, &[(0, MAX)], Some(0x8)),
    (0x6b020020, "subs w0, w1, w2", &[(1, 0x8000_0000), (2, 1)], 0, &[(0, 0x7fff_ffff)], Some(0x3)),
    (0xba020020, "adcs x0, x1, x2", &[(1, MAX), (2, 0)], 0x2, &[(0, 0)], Some(0x6)),
    (0x7a020020, "sbcs w0, w1, w2", &[(1, 5), (2, 5)], 0x0, &[(0, 0xffff_ffff)], Some(0x8)),
    (0xfa0203e0, "ngcs x0, x2", &[(2, 0)], 0x2, &[(0, 0)], Some(0x6)),
    (0x9ac20c20, "sdiv x0, x1, x2", &[(1, 0x8000_0000_0000_0000), (2, MAX)], 0, &[(0, 0x8000_0000_0000_0000)], None),
    (0x1ac20820, "udiv w0, w1, w2", &[(0, 9), (1, 7), (2, 0)], 0, &[(0, 0)], None),
    (0x1ac20c20, "sdiv w0, w1, w2", &[(1, 0xffff_fff9), (2, 2)], 0, &[(0, 0xffff_fffd)], None),
    (0x9ac22020, "lsl x0, x1, x2", &[(1, 1), (2, 65)], 0, &[(0, 2)], None),
    (0x1ac22820, "asr w0, w1, w2", &[(1, 0x8000_0000), (2, 33)], 0, &[(0, 0xc000_0000)], None),
    (0x9ac22c20, "ror x0, x1, x2", &[(1, 1), (2, 1)], 0, &[(0, 0x8000_0000_0000_0000)], None),
    (0x9b427c20, "smulh x0, x1, x2", &[(1, 0x8000_0000_0000_0000), (2, 2)], 0, &[(0, MAX)], None),
    (0x9bc27c20, "umulh x0, x1, x2", &[(1, MAX), (2, MAX)], 0, &[(0, 0xffff_ffff_ffff_fffe)], None),
    (0x9b220c20, "smaddl x0, w1, w2, x3", &[(1, 0xffff_fffe), (2, 3), (3, 10)], 0, &[(0, 4)], None),
    (0x9ba28c20, "umsubl x0, w1, w2, x3", &[(1, 0xffff_ffff_0000_0002), (2, 3), (3, 5)], 0, &[(0, MAX)], None),
    (0x1b020c20, "madd w0, w1, w2, w3", &[(1, 0x10000), (2, 0x10000), (3, 1)], 0, &[(0, 1)], None),
    (0x5ac01020, "clz w0, w1", &[(1, 0xffff_ffff_0000_0000)], 0, &[(0, 32)], None),
    (0xdac01420, "cls x0, x1", &[(1, 0)], 0, &[(0, 63)], None),
    (0x5ac01420, "cls w0, w1", &[(1, 0xffff_0000)], 0, &[(0, 15)], None),
    (0x5ac00020, "rbit w0, w1", &[(1, 1)], 0, &[(0, 0x8000_0000)], None),
    (0xdac00420, "rev16 x0, x1", &[(1, 0x0102_0304_0506_0708)], 0, &[(0, 0x0201_0403_0605_0807)], None),
    (0xdac00820, "rev32 x0, x1", &[(1, 0x0102_0304_0506_0708)], 0, &[(0, 0x0403_0201_0807_0605)], None),
    (0x5ac00820, "rev w0, w1", &[(1, 0xaabb_ccdd_1122_3344)], 0, &[(0, 0x4433_2211)], None),
    (0x93442c20, "sbfx x0, x1, #4, #8", &[(1, 0xf80)], 0, &[(0, 0xffff_ffff_ffff_fff8)], None),
    (0x531c7c20, "lsr w0, w1, #28", &[(1, 0xf000_0000)], 0, &[(0, 0xf)], None),
    (0xb3783c20, "bfi x0, x1, #8, #16", &[(0, MAX), (1, 0x1234)], 0, &[(0, 0xffff_ffff_ff12_34ff)], None),
    (0x33042c20, "bfxil w0, w1, #4, #8", &[(0, MAX), (1, 0xabc0)], 0, &[(0, 0xffff_ffbc)], None),
    (0x93407c20, "sxtw x0, w1", &[(1, 0x8000_0000)], 0, &[(0, 0xffff_ffff_8000_0000)], None),
    (0x131f7c20, "asr w0, w1, #31", &[(1, 0x8000_0000)], 0, &[(0, 0xffff_ffff)], None),
    (0x93c23020, "extr x0, x1, x2, #12", &[(1, 0xabc), (2, 0x123)], 0, &[(0, 0xabc0_0000_0000_0000)], None),
    (0x13827c20, "extr w0, w1, w2, #31", &[(1, 1), (2, 0x8000_0000)], 0, &[(0, 3)], None),
    (0xfa420025, "ccmp x1, x2, #5, eq (taken)", &[(1, 3), (2, 3)], 0x4, &[], Some(0x6)),
    (0xfa420025, "ccmp x1, x2, #5, eq (not taken)", &[(1, 3), (2, 3)], 0x0, &[], Some(0x5)),
    (0x3a431822, "ccmn w1, #3, #2, ne", &[(1, 0xffff_fffd)], 0x0, &[], Some(0x6)),
    (0xda82b420, "csneg x0, x1, x2, lt", &[(1, 7), (2, 5)], 0x0, &[(0, 0xffff_ffff_ffff_fffb)], None),
    (0x1a828420, "csinc w0, w1, w2, hi", &[(1, 0x77), (2, 9)], 0x2, &[(0, 0x77)], None),
    (0xf2e24680, "movk x0, #0x1234, lsl #48", &[(0, MAX)], 0, &[(0, 0x1234_ffff_ffff_ffff)], None),
    (0x128000a0, "movn w0, #5", &[(0, MAX)], 0, &[(0, 0xffff_fffa)], None),
    (0x8b21cbe0, "add x0, sp, w1, sxtw #2", &[(31, 0x1000), (1, 0xffff_ffff)], 0, &[(0, 0xffc)], None),
    (0xeb220420, "subs x0, x1, w2, uxtb #1", &[(1, 0x200), (2, 0x1ff)], 0, &[(0, 2)], Some(0x2)),
    (0x12010420, "and w0, w1, #0x80000001", &[(1, MAX)], 0, &[(0, 0x8000_0001)], None),
    (0xd200f020, "eor x0, x1, #0x5555555555555555", &[(1, MAX)], 0, &[(0, 0xaaaa_aaaa_aaaa_aaaa)], None),
    (0xeae21020, "bics x0, x1, x2, ror #4", &[(1, MAX), (2, 0xf)], 0xf, &[(0, 0x0fff_ffff_ffff_ffff)], Some(0)),
    (0x1ac24020, "crc32b w0, w1, w2", &[(1, 0xffff_ffff), (2, 0x61)], 0, &[(0, 0x1748_41bc)], None),
    (0x1ac25020, "crc32cb w0, w1, w2", &[(1, 0xffff_ffff), (2, 0x61)], 0, &[(0, 0x3e2f_bccf)], None),
    (0x9ac24c20, "crc32x w0, w1, x2", &[(1, 0xffff_ffff), (2, 0x0807_0605_0403_0201)], 0, &[(0, 0xc035_773a)], None),
    (0x2a627c20, "orn w0, w1, w2, lsr #31", &[(1, 0), (2, 0x8000_0000)], 0, &[(0, 0xffff_fffe)], None),
];

fn code_page() -> u64 {
    // SAFETY: anonymous private mapping, checked for failure; leaked for the test.
    let p = unsafe {
        libc::mmap(std::ptr::null_mut(), 4096, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0)
    };
    assert_ne!(p, libc::MAP_FAILED);
    p as u64
}

/// Runs `words` (then `svc #0`, which ends the run) at `page` from the state
/// `init` sets up, and returns the final state.
fn run_code(engine: &mut Engine, page: u64, words: &[u32], name: &str, init: impl FnOnce(&mut CpuState)) -> CpuState {
    // SAFETY: `page` is our own writable mapping, large enough for the test code.
    unsafe {
        for (i, w) in words.iter().chain(std::iter::once(&0xd400_0001u32)).enumerate() {
            std::ptr::write((page + 4 * i as u64) as *mut u32, *w);
        }
    }
    invalidate_range(page, 4096);
    let mut cpu = CpuState::default();
    cpu.pc = page;
    init(&mut cpu);
    loop {
        match engine.run(&mut cpu) {
            ExitReason::ExitRequest => continue,
            ExitReason::Syscall => break,
            other => panic!("{name}: unexpected exit {other:?}"),
        }
    }
    cpu
}

fn run_row(engine: &mut Engine, page: u64, row: &Row) -> CpuState {
    let (word, name, inputs, nzcv, _, _) = *row;
    run_code(engine, page, &[word], name, |cpu| {
        cpu.set_nzcv(nzcv << 28);
        for &(r, v) in inputs {
            cpu.x[r] = v;
        }
    })
}

#[test]
fn semantics_table_on_every_tier() {
    let page = code_page();
    let mut failures = Vec::new();
    for (tier, config) in [
        ("interpreter", EngineConfig { interpret_only: true, ..Default::default() }),
        ("cranelift", EngineConfig { jit_threshold: 1, ..Default::default() }),
        ("baseline", EngineConfig { optimizing: false, ..Default::default() }),
    ] {
        let mut engine = Engine::new(config);
        for row in ROWS {
            let cpu = run_row(&mut engine, page, row);
            let (_, text, inputs, nzcv_in, expected, nzcv_out) = *row;
            for &(r, v) in expected {
                if cpu.x[r] != v {
                    failures.push(format!("{tier}: {text}: x{r} = {:#x}, expected {v:#x}", cpu.x[r]));
                }
            }
            // Registers not named as outputs keep their inputs.
            for &(r, v) in inputs {
                if !expected.iter().any(|&(e, _)| e == r) && cpu.x[r] != v {
                    failures.push(format!("{tier}: {text}: input x{r} clobbered"));
                }
            }
            let want = nzcv_out.unwrap_or(nzcv_in);
            if cpu.nzcv() >> 28 != want {
                failures.push(format!("{tier}: {text}: nzcv = {:#x}, expected {want:#x}", cpu.nzcv() >> 28));
            }
        }
        if tier == "cranelift" {
            assert!(engine.stats().blocks_compiled >= ROWS.len() as u64, "rows did not run compiled");
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

/// One FP/SIMD scenario: code words (run as one block), vector inputs
/// (register, low 64 bits, high 64 bits), FPCR, then checks on the result.
struct FpCase {
    name: &'static str,
    words: &'static [u32],
    v_in: &'static [(usize, u64, u64)],
    fpcr: u64,
    x_out: &'static [(usize, u64)],
    v_out: &'static [(usize, u64, u64)],
}

const D_ONE: u64 = 0x3ff0_0000_0000_0000;
const D_THREE: u64 = 0x4008_0000_0000_0000;
const D_THIRD: u64 = 0x3fd5_5555_5555_5555;
const D_SNAN: u64 = 0x7ff0_0000_0000_0001;
const D_QNAN_OF_SNAN: u64 = 0x7ff8_0000_0000_0001;
const D_DEFAULT_NAN: u64 = 0x7ff8_0000_0000_0000;
const D_INF: u64 = 0x7ff0_0000_0000_0000;

/// `msr fpsr, xzr; fdiv d0, d1, d2; mrs x0, fpsr`.
const FDIV_THEN_READ_FPSR: &[u32] = &[0xd51b443f, 0x1e621820, 0xd53b4420];

const FP_CASES: &[FpCase] = &[
    FpCase {
        name: "fdiv inexact sets FPSR.IXC",
        words: FDIV_THEN_READ_FPSR,
        v_in: &[(1, D_ONE, 0), (2, D_THREE, 0)],
        fpcr: 0,
        x_out: &[(0, 0x10)],
        v_out: &[(0, D_THIRD, 0)],
    },
    FpCase {
        name: "fdiv of a signalling NaN quiets it and sets IOC",
        words: FDIV_THEN_READ_FPSR,
        v_in: &[(1, D_SNAN, 0), (2, D_THREE, 0)],
        fpcr: 0,
        x_out: &[(0, 0x1)],
        v_out: &[(0, D_QNAN_OF_SNAN, 0)],
    },
    FpCase {
        name: "inf / inf gives the Arm default NaN (positive), IOC",
        words: FDIV_THEN_READ_FPSR,
        v_in: &[(1, D_INF, 0), (2, D_INF, 0)],
        fpcr: 0,
        x_out: &[(0, 0x1)],
        v_out: &[(0, D_DEFAULT_NAN, 0)],
    },
    FpCase {
        name: "fdiv rounding toward zero (FPCR.RMode = 3)",
        words: FDIV_THEN_READ_FPSR,
        v_in: &[(1, 0x4000_0000_0000_0000, 0), (2, D_THREE, 0)],
        fpcr: 3 << 22,
        x_out: &[(0, 0x10)],
        v_out: &[(0, 0x3fe5_5555_5555_5555, 0)],
    },
    FpCase {
        name: "fmla v3.2d accumulates per lane",
        words: &[0x4e65cc83],
        v_in: &[(3, D_ONE, D_THREE), (4, D_THREE, D_ONE), (5, D_THREE, D_THREE)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(3, 0x4024_0000_0000_0000, 0x4018_0000_0000_0000)],
    },
    FpCase {
        name: "scalar fadd s6 zeroes the rest of the register",
        words: &[0x1e2828e6],
        v_in: &[(6, u64::MAX, u64::MAX), (7, 0x3f80_0000, 0), (8, 0x4000_0000, 0)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(6, 0x4040_0000, 0)],
    },
    FpCase {
        name: "strlen idiom: cmeq #0, umaxp, fmov",
        words: &[0x4e209949, 0x6e29a52b, 0x9e660161],
        v_in: &[(10, 0x4142_4344_4546_0048, 0x4141_4141_4141_4141)],
        fpcr: 0,
        x_out: &[(1, 0xff)],
        v_out: &[(9, 0x0000_0000_0000_ff00, 0)],
    },
    // The AdvSIMD forms XXH3 (apt's cache hash) runs hot, lowered on the
    // 8-byte halves of the registers.
    FpCase {
        name: "ext v1.16b, v0.16b, v2.16b, #8",
        words: &[0x6e024001],
        v_in: &[(0, 0x1111, 0x2222), (2, 0x3333, 0x4444)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(1, 0x2222, 0x3333)],
    },
    FpCase {
        name: "ext v1.16b, v0.16b, v2.16b, #3",
        words: &[0x6e021801],
        v_in: &[(0, 0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908), (2, 0x1716_1514_1312_1110, 0x1f1e_1d1c_1b1a_1918)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(1, 0x0a09_0807_0605_0403, 0x1211_100f_0e0d_0c0b)],
    },
    FpCase {
        name: "ext v1.8b, v0.8b, v2.8b, #5 clears the high half",
        words: &[0x2e022801],
        v_in: &[(0, 0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908), (1, u64::MAX, u64::MAX), (2, 0x1716_1514_1312_1110, 0x1f1e_1d1c_1b1a_1918)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(1, 0x1413_1211_1007_0605, 0)],
    },
    FpCase {
        name: "xtn v2.2s, v0.2d",
        words: &[0x0ea12802],
        v_in: &[(0, 0x1111_2222_3333_4444, 0x5555_6666_7777_8888), (2, u64::MAX, u64::MAX)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(2, 0x7777_8888_3333_4444, 0)],
    },
    FpCase {
        name: "xtn2 v2.4s, v0.2d keeps the low half",
        words: &[0x4ea12802],
        v_in: &[(0, 0x1111_2222_3333_4444, 0x5555_6666_7777_8888), (2, 0x9999, u64::MAX)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(2, 0x9999, 0x7777_8888_3333_4444)],
    },
    FpCase {
        name: "xtn v3.4h, v0.4s",
        words: &[0x0e612803],
        v_in: &[(0, 0x1111_2222_3333_4444, 0x5555_6666_7777_8888)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(3, 0x6666_8888_2222_4444, 0)],
    },
    FpCase {
        name: "umull v1.2d, v1.2s, v4.2s",
        words: &[0x2ea4c021],
        v_in: &[(1, 0xffff_ffff_0000_0002, 0x1234), (4, 0xffff_ffff_0000_0003, 0x5678)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(1, 6, 0xffff_fffe_0000_0001)],
    },
    FpCase {
        name: "smull v1.2d, v1.2s, v4.2s",
        words: &[0x0ea4c021],
        v_in: &[(1, 0xffff_ffff_0000_0002, 0x1234), (4, 0xffff_ffff_0000_0003, 0x5678)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(1, 6, 1)],
    },
    FpCase {
        name: "umlal v1.2d, v2.2s, v0.2s",
        words: &[0x2ea08041],
        v_in: &[(0, 0x0000_0003_0000_0002, 0xdead), (1, 10, 20), (2, 0x0000_0007_0000_0005, 0xbeef)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(1, 20, 41)],
    },
    FpCase {
        name: "umlal2 v1.2d, v2.4s, v0.4s takes the high halves",
        words: &[0x6ea08041],
        v_in: &[(0, 0xdead, 0x0000_0003_0000_0002), (1, 10, 20), (2, 0xbeef, 0x0000_0007_0000_0005)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(1, 20, 41)],
    },
    FpCase {
        name: "smlsl v1.2d, v2.2s, v0.2s",
        words: &[0x0ea0a041],
        v_in: &[(0, 0x0000_0003_0000_0002, 0), (1, 10, 20), (2, 0x0000_0007_0000_0005, 0)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(1, 0, u64::MAX)],
    },
    FpCase {
        name: "ushr v0.2d, v1.2d, #47",
        words: &[0x6f510420],
        v_in: &[(1, u64::MAX, 0x8000_0000_0000_0000)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(0, 0x1ffff, 0x10000)],
    },
    FpCase {
        name: "shl v1.2d, v1.2d, #32",
        words: &[0x4f605421],
        v_in: &[(1, 0x1_0000_0001, 0x8000_0000_ffff_ffff)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(1, 0x1_0000_0000, 0xffff_ffff_0000_0000)],
    },
    FpCase {
        name: "sshr v0.2d, v1.2d, #64 fills with the sign",
        words: &[0x4f400420],
        v_in: &[(1, 0x8000_0000_0000_0000, 0x7fff_ffff_ffff_ffff)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(0, u64::MAX, 0)],
    },
    FpCase {
        name: "ushr v0.4s, v1.4s, #4 stays within each lane",
        words: &[0x6f3c0420],
        v_in: &[(1, 0xffff_ffff_8000_0000, 0x1234_5678_0000_00f0)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(0, 0x0fff_ffff_0800_0000, 0x0123_4567_0000_000f)],
    },
    FpCase {
        name: "shl v0.8b, v1.8b, #3 drops what leaves each byte",
        words: &[0x0f0b5420],
        v_in: &[(0, u64::MAX, u64::MAX), (1, 0x0102_0408_1020_4080, 0xffff)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(0, 0x0810_2040_8000_0000, 0)],
    },
    FpCase {
        name: "usra v0.2d, v1.2d, #1",
        words: &[0x6f7f1420],
        v_in: &[(0, 5, 6), (1, 4, u64::MAX)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(0, 7, 0x8000_0000_0000_0005)],
    },
    FpCase {
        name: "mov v0.s[1], v1.s[0]",
        words: &[0x6e0c0420],
        v_in: &[(0, 0x1111_1111_2222_2222, 0x3333), (1, 0xaaaa_aaaa_bbbb_bbbb, 0xcccc)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(0, 0xbbbb_bbbb_2222_2222, 0x3333)],
    },
    FpCase {
        name: "mov v2.b[13], v3.b[6]",
        words: &[0x6e1b3462],
        v_in: &[(2, 0x5555, u64::MAX), (3, 0x0011_2233_4455_6677, 0)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(2, 0x5555, 0xffff_11ff_ffff_ffff)],
    },
    FpCase {
        name: "mov v4.d[1], v5.d[0]",
        words: &[0x6e1804a4],
        v_in: &[(4, 1, 2), (5, 3, 4)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(4, 1, 3)],
    },
    FpCase {
        name: "movz x7, #0xdef0; mov v6.h[2], w7",
        words: &[0xd29bde07, 0x4e0a1ce6],
        v_in: &[(6, u64::MAX, 7)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(6, 0xffff_def0_ffff_ffff, 7)],
    },
    FpCase {
        name: "rev32 v0.16b, v0.16b",
        words: &[0x6e200800],
        v_in: &[(0, 0x0001_0203_0405_0607, 0x0809_0a0b_0c0d_0e0f)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(0, 0x0302_0100_0706_0504, 0x0b0a_0908_0f0e_0d0c)],
    },
    FpCase {
        name: "rev64 v1.8h, v2.8h",
        words: &[0x4e600841],
        v_in: &[(2, 0x0001_0002_0003_0004, 0x0005_0006_0007_0008)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(1, 0x0004_0003_0002_0001, 0x0008_0007_0006_0005)],
    },
    FpCase {
        name: "rev16 v3.8b, v4.8b clears the high half",
        words: &[0x0e201883],
        v_in: &[(3, u64::MAX, u64::MAX), (4, 0x0011_2233_4455_6677, 0x99)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(3, 0x1100_3322_5544_7766, 0)],
    },
    FpCase {
        name: "rev64 v5.2s, v6.2s",
        words: &[0x0ea008c5],
        v_in: &[(6, 0x1111_1111_2222_2222, 0x99)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(5, 0x2222_2222_1111_1111, 0)],
    },
    FpCase {
        name: "rev32 v7.4h, v8.4h",
        words: &[0x2e600907],
        v_in: &[(8, 0x0001_0002_0003_0004, 0)],
        fpcr: 0,
        x_out: &[],
        v_out: &[(7, 0x0002_0001_0004_0003, 0)],
    },
];

#[test]
fn fp_and_simd_cases_on_every_tier() {
    let page = code_page();
    let mut failures = Vec::new();
    for (tier, config) in [
        ("interpreter", EngineConfig { interpret_only: true, ..Default::default() }),
        ("cranelift", EngineConfig { jit_threshold: 1, ..Default::default() }),
        ("baseline", EngineConfig { optimizing: false, ..Default::default() }),
    ] {
        let mut engine = Engine::new(config);
        for case in FP_CASES {
            let cpu = run_code(&mut engine, page, case.words, case.name, |cpu| {
                cpu.fpcr = case.fpcr;
                for &(r, lo, hi) in case.v_in {
                    cpu.v[r] = ((hi as u128) << 64) | lo as u128;
                }
            });
            for &(r, v) in case.x_out {
                if cpu.x[r] != v {
                    failures.push(format!("{tier}: {}: x{r} = {:#x}, expected {v:#x}", case.name, cpu.x[r]));
                }
            }
            for &(r, lo, hi) in case.v_out {
                let want = ((hi as u128) << 64) | lo as u128;
                if cpu.v[r] != want {
                    failures.push(format!("{tier}: {}: v{r} = {:#034x}, expected {want:#034x}", case.name, cpu.v[r]));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}
