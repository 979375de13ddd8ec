#!/usr/bin/env python3
"""Writes random (input, reference output) record pairs for differential.rs.

Usage: make_records.py CLASS[,CLASS...] COUNT OUT [SEED]
Classes are the keys of CLASSES; the ldst_* classes write memory records
(use KESTREL_SIMD_MEM_RECORDS for those). TINY=1 biases FP operands towards
the subnormal boundary. RUNNER names the reference_runner binary (built as
described in reference_runner.c); it runs under qemu-aarch64."""
import random, struct, subprocess, sys, os

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.environ.get('RUNNER', os.path.join(HERE, 'reference_runner'))

# (mask, value) of the fixed bits of each encoding class.
CLASSES = {
    'same':       (0x9f200400, 0x0e200400),
    'diff':       (0x9f200c00, 0x0e200000),
    'misc':       (0x9f3e0c00, 0x0e200800),
    'across':     (0x9f3e0c00, 0x0e300800),
    'copy':       (0x9fe08400, 0x0e000400),
    'permute':    (0xbf208c00, 0x0e000800),
    'ext':        (0xbf208400, 0x2e000000),
    'tbl':        (0xbf208c00, 0x0e000000),
    'modimm':     (0x9ff80400, 0x0f000400),
    'shift':      (0x9f800400, 0x0f000400),
    'indexed':    (0x9f000400, 0x0f000000),
    's_same':     (0xdf200400, 0x5e200400),
    's_diff':     (0xdf200c00, 0x5e200000),
    's_misc':     (0xdf3e0c00, 0x5e200800),
    's_pair':     (0xdf3e0c00, 0x5e300800),
    's_copy':     (0xdfe08400, 0x5e000400),
    's_shift':    (0xdf800400, 0x5f000400),
    's_indexed':  (0xdf000400, 0x5f000000),
    'fp':         (0x5f200000, 0x1e200000),
    'fp3':        (0xff000000, 0x1f000000),
    'fpfixed':    (0x7f200000, 0x1e000000),
    'est':        (0x9fbfec00, 0xea1c800),
    's_est':      (0xdfbfec00, 0x5ea1c800),
    # Half precision (FEAT_FP16) three same and two-register misc.
    'h_same':     (0x9f60c400, 0x0e400400),
    's_h_same':   (0xdf60c400, 0x5e400400),
    'h_misc':     (0x9f7e0c00, 0x0e780800),
    's_h_misc':   (0xdf7e0c00, 0x5e780800),
    # Three same extra (SDOT/UDOT, SQRDMLAH/SQRDMLSH, ...).
    'extra':      (0x9f208400, 0x0e008400),
    's_extra':    (0xdf208400, 0x5e008400),
    # Crypto: AES, SHA three-register, SHA two-register, the 1100 1110 space.
    'aes':        (0xff3e0c00, 0x4e280800),
    'sha3reg':    (0xff208c00, 0x5e000000),
    'sha2reg':    (0xff3e0c00, 0x5e280800),
    'crypto_ce':  (0xff000000, 0xce000000),
    'fjcvtzs':    (0xfffffc00, 0x1e7e0000),
    # Structure loads/stores; these records carry a memory window.
    'ldst_m':     (0xbfbf0000, 0x0c000000),
    'ldst_mp':    (0xbfa00000, 0x0c800000),
    'ldst_s':     (0xbf9f0000, 0x0d000000),
    'ldst_sp':    (0xbf800000, 0x0d800000),
}
# Unallocated words that crash qemu-aarch64 7.2 instead of raising SIGILL
# (half-precision FRECPX vector, FABS and FSQRT AdvSIMD scalar); never drawn.
REFERENCE_CRASHES = [(0xbffffc00, 0x0ef9f800), (0xfffffc00, 0x5ef8f800), (0xfffffc00, 0x7ef9f800)]
MEM_BASE = 0x7e000000
MEM_SIZE = 256

SPECIAL32 = [0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xffa00005, 0x00000001, 0x807fffff,
             0x3f800000, 0xbf800000, 0x7f7fffff, 0x00800000, 0x3f000000, 0x4f000000, 0xcf000000, 0x5f800000, 0x3fc00000]
SPECIAL16 = [0, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x7c01, 0xfe05, 0x0001, 0x83ff, 0x0400, 0x3c00, 0xbc00, 0x7bff,
             0x3555, 0x4000, 0x3800, 0x5640, 0x0200, 0x7a00, 0xc500, 0x3bff]
SPECIAL64 = [0, 1 << 63, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0x7ff0000000000001,
             0x0000000000000001, 0x3ff0000000000000, 0xbff0000000000000, 0x7fefffffffffffff, 0x0010000000000000,
             0x3fe0000000000000, 0x41e0000000000000, 0xc3e0000000000000, 0x43f0000000000000, 0x3ff8000000000000]

def tiny32(rng):
    e = rng.choice([0, 1, 2, rng.randrange(55, 72), rng.randrange(120, 135)])
    return (rng.getrandbits(1) << 31) | (e << 23) | rng.getrandbits(23)

def tiny64(rng):
    e = rng.choice([0, 1, 2, rng.randrange(480, 540), rng.randrange(1015, 1030)])
    return (rng.getrandbits(1) << 63) | (e << 52) | rng.getrandbits(52)

def tiny16(rng):
    e = rng.choice([0, 1, 2, rng.randrange(3, 8), rng.randrange(13, 18)])
    return (rng.getrandbits(1) << 15) | (e << 10) | rng.getrandbits(10)

def lane_value(rng):
    r = rng.random()
    if TINY and r < 0.3:
        return sum(tiny32(rng) << (32 * i) for i in range(4))
    if TINY and r < 0.6:
        return sum(tiny64(rng) << (64 * i) for i in range(2))
    if TINY and r < 0.9:
        return sum(tiny16(rng) << (16 * i) for i in range(8))
    if r < 0.3:
        return rng.getrandbits(128)
    if r < 0.45:  # float lanes
        return sum((rng.choice(SPECIAL32) if rng.random() < 0.6 else rng.getrandbits(32)) << (32 * i) for i in range(4))
    if r < 0.6:  # half-precision lanes
        return sum((rng.choice(SPECIAL16) if rng.random() < 0.6 else rng.getrandbits(16)) << (16 * i) for i in range(8))
    if r < 0.75:
        return sum((rng.choice(SPECIAL64) if rng.random() < 0.6 else rng.getrandbits(64)) << (64 * i) for i in range(2))
    if r < 0.9:  # byte patterns for saturation and compares
        return sum(rng.choice([0, 0xff, 0x80, 0x7f, 1, 0xfe, rng.getrandbits(8)]) << (8 * i) for i in range(16))
    return sum(rng.choice([0, 0xffff, 0x8000, 0x7fff, 1, rng.getrandbits(16)]) << (16 * i) for i in range(8))

TINY = bool(os.environ.get('TINY'))
FPCRS = [0, 0, 0, 0x400000, 0x800000, 0xc00000, 0x1000000, 0x2000000, 0x3c00000, 0x80000, 0x2c80000]
FMT = '<31QQQQIIQ' + '16s' * 32

def record(rng, word):
    x = [rng.choice([0, 1, 0xffffffff, 0x80000000, 1 << 63, rng.getrandbits(64), rng.getrandbits(32), rng.getrandbits(8)]) for _ in range(31)]
    v = [lane_value(rng).to_bytes(16, 'little') for _ in range(32)]
    nzcv = rng.getrandbits(4) << 28
    fpsr = rng.choice([0, 0, 0x1f, 1 << 27])
    return struct.pack(FMT, *x, nzcv, rng.choice(FPCRS), fpsr, word, 0, 0, *v)

def main():
    classes = sys.argv[1].split(',')
    count = int(sys.argv[2])
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    memory = classes[0].startswith('ldst')
    recs = []
    for i in range(count):
        mask, value = CLASSES[classes[i % len(classes)]]
        word = (rng.getrandbits(32) & ~mask) | value
        while any(word & m == v for m, v in REFERENCE_CRASHES):
            word = (rng.getrandbits(32) & ~mask) | value
        if memory:
            rn = rng.randrange(31)
            word = (word & ~(31 << 5)) | (rn << 5)
            rec = bytearray(record(rng, word))
            struct.pack_into('<Q', rec, 8 * rn, MEM_BASE + rng.randrange(64))
            rm = (word >> 16) & 31
            if rm != 31 and rm != rn and word & (1 << 23):
                struct.pack_into('<Q', rec, 8 * rm, rng.choice([0, 1, 16, 0xfffffffffffffff0, rng.getrandbits(64)]))
            recs.append(bytes(rec) + bytes(rng.getrandbits(8) for _ in range(MEM_SIZE)))
        else:
            recs.append(record(rng, word))
    data = b''.join(recs)
    env = dict(os.environ)
    if memory:
        env['RUNNER_MEM'] = '1'
    out = subprocess.run(['qemu-aarch64', RUNNER], input=data, capture_output=True, check=True, env=env).stdout
    assert len(out) == len(data)
    one = 800 + (MEM_SIZE if memory else 0)
    with open(sys.argv[3], 'wb') as f:
        for i in range(count):
            f.write(recs[i])
            f.write(out[one * i:one * (i + 1)])

main()
