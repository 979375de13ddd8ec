//! AdvSIMD structure loads and stores against a real buffer: interleaving,
//! lane and replicate forms, post-index by immediate and by register, SP base.

use super::super::super::cpu::CpuState;
use super::super::exec;

/// A 128-byte buffer holding 0, 1, 2, ... and a CPU whose X0 points at it.
struct Setup {
    buf: Box<[u8; 128]>,
    cpu: CpuState,
}

fn setup() -> Setup {
    let mut buf = Box::new([0u8; 128]);
    for (i, b) in buf.iter_mut().enumerate() {
        *b = i as u8;
    }
    let mut cpu = CpuState::default();
    cpu.x[0] = buf.as_ptr() as u64;
    Setup { buf, cpu }
}

impl Setup {
    fn base(&self) -> u64 {
        self.buf.as_ptr() as u64
    }

    fn run(&mut self, word: u32) {
        exec(&mut self.cpu, word).unwrap_or_else(|e| panic!("{word:#010x}: {e:?}"));
    }
}

#[test]
fn load_multiple() {
    // ld1 {v0.16b}, [x0]
    let mut s = setup();
    s.cpu.v[0] = u128::MAX;
    s.run(0x4c407000);
    assert_eq!(s.cpu.v[0], 0x0f0e0d0c0b0a09080706050403020100);
    assert_eq!(s.cpu.x[0], s.base());

    // ld1 {v0.8b, v1.8b}, [x0], #16: 64-bit loads clear the upper halves.
    let mut s = setup();
    s.cpu.v[1] = u128::MAX;
    s.run(0x0cdfa000);
    assert_eq!(s.cpu.v[0], 0x0706050403020100);
    assert_eq!(s.cpu.v[1], 0x0f0e0d0c0b0a0908);
    assert_eq!(s.cpu.x[0], s.base() + 16);

    // ld1 {v0.4s-v3.4s}, [x0], x1
    let mut s = setup();
    s.cpu.x[1] = 0xffff_ffff_ffff_fff0;
    s.run(0x4cc12800);
    assert_eq!(s.cpu.v[2], 0x2f2e2d2c2b2a29282726252423222120);
    assert_eq!(s.cpu.v[3], 0x3f3e3d3c3b3a39383736353433323130);
    assert_eq!(s.cpu.x[0], s.base() - 16);

    // ld2 {v0.8h, v1.8h}, [x0]
    let mut s = setup();
    s.run(0x4c408400);
    assert_eq!(s.cpu.v[0], 0x1d1c1918151411100d0c090805040100);
    assert_eq!(s.cpu.v[1], 0x1f1e1b1a171613120f0e0b0a07060302);

    // ld3 {v0.16b-v2.16b}, [x0], #48
    let mut s = setup();
    s.run(0x4cdf4000);
    assert_eq!(s.cpu.v[0], 0x2d2a2724211e1b1815120f0c09060300);
    assert_eq!(s.cpu.v[1], 0x2e2b2825221f1c191613100d0a070401);
    assert_eq!(s.cpu.v[2], 0x2f2c292623201d1a1714110e0b080502);
    assert_eq!(s.cpu.x[0], s.base() + 48);

    // ld4 {v0.4s-v3.4s}, [x0]
    let mut s = setup();
    s.run(0x4c400800);
    assert_eq!(s.cpu.v[0], 0x33323130232221201312111003020100);
    assert_eq!(s.cpu.v[3], 0x3f3e3d3c2f2e2d2c1f1e1d1c0f0e0d0c);

    // ld4 {v30.8b, v31.8b, v0.8b, v1.8b}, [x0]: the register list wraps.
    let mut s = setup();
    s.run(0x0c40001e);
    assert_eq!(s.cpu.v[30], 0x1c1814100c080400);
    assert_eq!(s.cpu.v[31], 0x1d1915110d090501);
    assert_eq!(s.cpu.v[0], 0x1e1a16120e0a0602);
    assert_eq!(s.cpu.v[1], 0x1f1b17130f0b0703);

    // ld1 {v0.1d}, [x0]
    let mut s = setup();
    s.cpu.v[0] = u128::MAX;
    s.run(0x0c407c00);
    assert_eq!(s.cpu.v[0], 0x0706050403020100);

    // ld1 {v0.16b}, [sp], #16
    let mut s = setup();
    s.cpu.x[31] = s.base() + 32;
    s.run(0x4cdf73e0);
    assert_eq!(s.cpu.v[0], 0x2f2e2d2c2b2a29282726252423222120);
    assert_eq!(s.cpu.x[31], s.base() + 48);
}

#[test]
fn store_multiple() {
    // st1 {v0.16b}, [x0], x1
    let mut s = setup();
    s.cpu.v[0] = 0xffeeddccbbaa99887766554433221100;
    s.cpu.x[1] = 3;
    s.run(0x4c817000);
    assert_eq!(&s.buf[..17], &[0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 16]);
    assert_eq!(s.cpu.x[0], s.base() + 3);

    // st2 {v0.4s, v1.4s}, [x0]
    let mut s = setup();
    s.cpu.v[0] = 0x00000003_00000002_00000001_00000000;
    s.cpu.v[1] = 0x00000013_00000012_00000011_00000010;
    s.run(0x4c008800);
    let words: Vec<u32> = s.buf[..32].chunks(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
    assert_eq!(words, [0, 0x10, 1, 0x11, 2, 0x12, 3, 0x13]);

    // st4 {v0.8b-v3.8b}, [x0], #32
    let mut s = setup();
    for r in 0..4 {
        s.cpu.v[r] = u128::from_le_bytes([(0x10 * r as u8) | 0x0f; 16]);
    }
    s.run(0x0c9f0000);
    assert_eq!(&s.buf[..8], &[0x0f, 0x1f, 0x2f, 0x3f, 0x0f, 0x1f, 0x2f, 0x3f]);
    assert_eq!(s.buf[32], 32);
    assert_eq!(s.cpu.x[0], s.base() + 32);
}

#[test]
fn single_structure() {
    // ld1 {v0.s}[1], [x0]: other lanes are kept.
    let mut s = setup();
    s.cpu.v[0] = u128::MAX;
    s.run(0x0d409000);
    assert_eq!(s.cpu.v[0], 0xffffffff_ffffffff_03020100_ffffffff);

    // ld1r {v0.8h}, [x0], #2
    let mut s = setup();
    s.run(0x4ddfc400);
    assert_eq!(s.cpu.v[0], 0x01000100010001000100010001000100);
    assert_eq!(s.cpu.x[0], s.base() + 2);

    // ld4r {v0.2s-v3.2s}, [x0]: 64-bit replicate clears the upper half.
    let mut s = setup();
    s.cpu.v[3] = u128::MAX;
    s.run(0x0d60e800);
    assert_eq!(s.cpu.v[0], 0x0302010003020100);
    assert_eq!(s.cpu.v[3], 0x0f0e0d0c0f0e0d0c);

    // st1 {v0.d}[1], [x0], #8
    let mut s = setup();
    s.cpu.v[0] = 0x8877665544332211_0000000000000000;
    s.run(0x4d9f8400);
    assert_eq!(&s.buf[..9], &[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 8]);
    assert_eq!(s.cpu.x[0], s.base() + 8);

    // ld2 {v0.b, v1.b}[15], [x0], x1
    let mut s = setup();
    s.cpu.x[1] = 100;
    s.run(0x4de11c00);
    assert_eq!(s.cpu.v[0], 0x00 << 120);
    assert_eq!(s.cpu.v[1], 0x01 << 120);
    assert_eq!(s.cpu.x[0], s.base() + 100);

    // st3 {v0.h-v2.h}[5], [x0]
    let mut s = setup();
    s.cpu.v[0] = 0xaaaa << 80;
    s.cpu.v[1] = 0xbbbb << 80;
    s.cpu.v[2] = 0xcccc << 80;
    s.run(0x4d006800);
    assert_eq!(&s.buf[..7], &[0xaa, 0xaa, 0xbb, 0xbb, 0xcc, 0xcc, 6]);
}

#[test]
fn unallocated_structure_forms() {
    super::check_undefined(&[
        0x0c40c000, // ld4 with opcode 1100
        0x0c400c00, // ld4 {.1d}: 64-bit elements need Q for LD2-LD4
        0x0d40f000, // ld1r with S = 1
        0x0d00c000, // st1r does not exist
        0x0d404400, // ld1 {v0.h}[..] with size<0> = 1
        0x0d408c00, // ld1 {v0.d}[..] with S = 1
        0x0c410000, // no-offset form with Rm != 0
    ]);
}
