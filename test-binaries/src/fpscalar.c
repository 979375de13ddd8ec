/*
 * Scalar floating point: arithmetic, fused multiply-add, min/max, rounding
 * to integral, conversions, comparisons, selects and moves.
 *
 * All values travel as bit patterns through general-purpose registers and
 * are moved into v16-v18 with fmov inside the asm, so C never rounds or
 * canonicalises anything.  Each case also checks the cumulative exception
 * flags in FPSR (cleared before the instruction):
 *   0x01 IOC invalid, 0x02 DZC divide by zero, 0x04 OFC overflow,
 *   0x08 UFC underflow, 0x10 IXC inexact, 0x80 IDC input denormal.
 *
 * Expected results are IEEE 754 round-to-nearest-even values; NaN results
 * follow the AArch64 rules: a signalling NaN operand wins over a quiet one
 * and is returned quietened, otherwise the first quiet NaN operand is
 * returned; NaNs created by invalid operations are the default NaN
 * (0x7ff8000000000000 / 0x7fc00000).
 */
#include <string.h>

#include "check.h"

typedef uint64_t u64;

static void fpsr_clear(void) { asm volatile("msr fpsr, xzr"); }
static unsigned fpsr_read(void)
{
    u64 v;
    asm volatile("mrs %0, fpsr" : "=r"(v));
    return (unsigned)v;
}
static void fpcr_write(u64 v) { asm volatile("msr fpcr, %0" : : "r"(v)); }

/* A handful of named bit patterns. */
#define D_ONE 0x3ff0000000000000ull
#define D_MONE 0xbff0000000000000ull
#define D_TWO 0x4000000000000000ull
#define D_INF 0x7ff0000000000000ull
#define D_NINF 0xfff0000000000000ull
#define D_NZERO 0x8000000000000000ull
#define D_DNAN 0x7ff8000000000000ull /* default NaN */
#define D_QNAN1 0x7ff8000000000123ull
#define D_QNAN2 0xfff8000000000456ull
#define D_SNAN 0x7ff0000000000789ull
#define D_SNANQ 0x7ff8000000000789ull /* D_SNAN quietened */
#define D_DMIN 0x0000000000000001ull
#define D_MINN 0x0010000000000000ull
#define D_HALF 0x3fe0000000000000ull
#define S_ONE 0x3f800000u
#define S_DNAN 0x7fc00000u

enum { FADD, FSUB, FMUL, FDIV, FSQRT, FMADD, FMSUB, FNMADD, FNMSUB, FNMUL,
       FABS, FNEG, FMIN, FMAX, FMINNM, FMAXNM };
static const char *op_names[] = {"fadd", "fsub", "fmul", "fdiv", "fsqrt", "fmadd", "fmsub", "fnmadd",
                                 "fnmsub", "fnmul", "fabs", "fneg", "fmin", "fmax", "fminnm", "fmaxnm"};

#define CLOB "v16", "v17", "v18"
#define D1(i) asm volatile("fmov d16, %1\n\t" i " d16, d16\n\tfmov %0, d16" : "=r"(r) : "r"(a) : CLOB)
#define D2(i) asm volatile("fmov d16, %1\n\tfmov d17, %2\n\t" i " d16, d16, d17\n\tfmov %0, d16" \
                           : "=r"(r) : "r"(a), "r"(b) : CLOB)
#define D3(i) asm volatile("fmov d16, %1\n\tfmov d17, %2\n\tfmov d18, %3\n\t" i " d16, d16, d17, d18\n\t" \
                           "fmov %0, d16" : "=r"(r) : "r"(a), "r"(b), "r"(c) : CLOB)
#define S1(i) asm volatile("fmov s16, %w1\n\t" i " s16, s16\n\tfmov %w0, s16" : "=r"(r) : "r"(a) : CLOB)
#define S2(i) asm volatile("fmov s16, %w1\n\tfmov s17, %w2\n\t" i " s16, s16, s17\n\tfmov %w0, s16" \
                           : "=r"(r) : "r"(a), "r"(b) : CLOB)
#define S3(i) asm volatile("fmov s16, %w1\n\tfmov s17, %w2\n\tfmov s18, %w3\n\t" i " s16, s16, s17, s18\n\t" \
                           "fmov %w0, s16" : "=r"(r) : "r"(a), "r"(b), "r"(c) : CLOB)

/* Run one operation; fmadd-style ops are "op d, n=a, m=b, addend=c". */
static u64 run_op(int op, int dbl, u64 a, u64 b, u64 c)
{
    u64 r = 0;
    switch (op) {
    case FADD: if (dbl) D2("fadd"); else S2("fadd"); break;
    case FSUB: if (dbl) D2("fsub"); else S2("fsub"); break;
    case FMUL: if (dbl) D2("fmul"); else S2("fmul"); break;
    case FDIV: if (dbl) D2("fdiv"); else S2("fdiv"); break;
    case FSQRT: if (dbl) D1("fsqrt"); else S1("fsqrt"); break;
    case FMADD: if (dbl) D3("fmadd"); else S3("fmadd"); break;
    case FMSUB: if (dbl) D3("fmsub"); else S3("fmsub"); break;
    case FNMADD: if (dbl) D3("fnmadd"); else S3("fnmadd"); break;
    case FNMSUB: if (dbl) D3("fnmsub"); else S3("fnmsub"); break;
    case FNMUL: if (dbl) D2("fnmul"); else S2("fnmul"); break;
    case FABS: if (dbl) D1("fabs"); else S1("fabs"); break;
    case FNEG: if (dbl) D1("fneg"); else S1("fneg"); break;
    case FMIN: if (dbl) D2("fmin"); else S2("fmin"); break;
    case FMAX: if (dbl) D2("fmax"); else S2("fmax"); break;
    case FMINNM: if (dbl) D2("fminnm"); else S2("fminnm"); break;
    case FMAXNM: if (dbl) D2("fmaxnm"); else S2("fmaxnm"); break;
    }
    return r;
}

struct arith { int op; u64 a, b, c, want; unsigned flags; };

static const struct arith dcases[] = {
    /* ordinary rounding, overflow, signed zeros, subnormals */
    {FADD, D_ONE, D_TWO, 0, 0x4008000000000000ull, 0x00},
    {FADD, 0x3fb999999999999aull, 0x3fc999999999999aull, 0, 0x3fd3333333333334ull, 0x10}, /* 0.1+0.2 */
    {FADD, 0x7fefffffffffffffull, 0x7fefffffffffffffull, 0, D_INF, 0x14},
    {FADD, D_NZERO, 0, 0, 0, 0x00},
    {FADD, D_NZERO, D_NZERO, 0, D_NZERO, 0x00},
    {FADD, D_ONE, D_MONE, 0, 0, 0x00},
    {FADD, D_DMIN, D_DMIN, 0, 0x0000000000000002ull, 0x00},
    {FADD, D_ONE, 0x3ca0000000000000ull, 0, D_ONE, 0x10},                 /* tie: to even */
    {FADD, D_ONE, 0x3ca0000000000001ull, 0, 0x3ff0000000000001ull, 0x10}, /* just above tie */
    {FSUB, D_ONE, D_ONE, 0, 0, 0x00},
    {FSUB, 0x3fd3333333333333ull, 0x3fb999999999999aull, 0, 0x3fc9999999999999ull, 0x00},
    {FSUB, D_NZERO, 0, 0, D_NZERO, 0x00},
    {FSUB, D_NINF, D_INF, 0, D_NINF, 0x00},
    {FSUB, D_MINN, 0x000fffffffffffffull, 0, D_DMIN, 0x00},
    {FMUL, 0x3fb999999999999aull, 0x4008000000000000ull, 0, 0x3fd3333333333334ull, 0x10},
    {FMUL, 0xc000000000000000ull, 0, 0, D_NZERO, 0x00},
    {FMUL, 0x7fefffffffffffffull, D_TWO, 0, D_INF, 0x14},
    {FMUL, D_MINN, D_HALF, 0, 0x0008000000000000ull, 0x00},
    {FMUL, 0x01a56e1fc2f8f359ull, 0x01a56e1fc2f8f359ull, 0, 0, 0x18}, /* 1e-300 squared */
    {FMUL, D_NINF, D_MONE, 0, D_INF, 0x00},
    {FDIV, D_ONE, 0x4008000000000000ull, 0, 0x3fd5555555555555ull, 0x10},
    {FDIV, D_TWO, 0x4008000000000000ull, 0, 0x3fe5555555555555ull, 0x10},
    {FDIV, D_ONE, 0, 0, D_INF, 0x02},
    {FDIV, D_MONE, 0, 0, D_NINF, 0x02},
    {FDIV, D_ONE, D_NINF, 0, D_NZERO, 0x00},
    {FDIV, 0x4024000000000000ull, 0x3fb999999999999aull, 0, 0x4059000000000000ull, 0x10},
    {FDIV, 0x7fefffffffffffffull, D_HALF, 0, D_INF, 0x14},
    {FSQRT, D_TWO, 0, 0, 0x3ff6a09e667f3bcdull, 0x10},
    {FSQRT, 0x4010000000000000ull, 0, 0, D_TWO, 0x00},
    {FSQRT, D_NZERO, 0, 0, D_NZERO, 0x00},
    {FSQRT, D_INF, 0, 0, D_INF, 0x00},
    {FSQRT, D_DMIN, 0, 0, 0x1e60000000000000ull, 0x00},
    {FSQRT, 0x3fb999999999999aull, 0, 0, 0x3fd43d136248490full, 0x10},
    /* fused: a single rounding at the end */
    {FMADD, 0x3ff0000000000001ull, 0x3fefffffffffffffull, D_MONE, 0x3c9ffffffffffffeull, 0x00},
    {FMADD, 0x3fb999999999999aull, 0x4024000000000000ull, D_MONE, 0x3c90000000000000ull, 0x00},
    {FMADD, D_TWO, 0x4008000000000000ull, D_ONE, 0x401c000000000000ull, 0x00},
    {FMADD, 0x7fefffffffffffffull, D_TWO, 0xffefffffffffffffull, 0x7fefffffffffffffull, 0x00},
    {FMSUB, 0x3ff0000000000001ull, 0x3fefffffffffffffull, D_ONE, 0xbc9ffffffffffffeull, 0x00},
    {FMSUB, 0x3fb999999999999aull, 0x4024000000000000ull, D_ONE, 0xbc90000000000000ull, 0x00},
    {FNMADD, D_TWO, 0x4008000000000000ull, D_ONE, 0xc01c000000000000ull, 0x00},
    {FNMADD, 0x3fb999999999999aull, 0x4024000000000000ull, D_MONE, 0xbc90000000000000ull, 0x00},
    {FNMSUB, 0x3ff0000000000001ull, 0x3fefffffffffffffull, D_ONE, 0x3c9ffffffffffffeull, 0x00},
    {FNMSUB, 0x3fb999999999999aull, 0x4024000000000000ull, D_ONE, 0x3c90000000000000ull, 0x00},
    {FNMUL, 0x3fb999999999999aull, 0x4008000000000000ull, 0, 0xbfd3333333333334ull, 0x10},
    {FNMUL, D_TWO, 0, 0, D_NZERO, 0x00},
    /* invalid operations give the default NaN */
    {FADD, D_INF, D_NINF, 0, D_DNAN, 0x01},
    {FMUL, D_INF, 0, 0, D_DNAN, 0x01},
    {FDIV, 0, 0, 0, D_DNAN, 0x01},
    {FDIV, D_INF, D_NINF, 0, D_DNAN, 0x01},
    {FSQRT, D_MONE, 0, 0, D_DNAN, 0x01},
    /* NaN propagation */
    {FADD, D_QNAN1, D_ONE, 0, D_QNAN1, 0x00},
    {FADD, D_ONE, D_QNAN2, 0, D_QNAN2, 0x00},
    {FADD, D_SNAN, D_QNAN1, 0, D_SNANQ, 0x01},
    {FADD, D_QNAN1, D_SNAN, 0, D_SNANQ, 0x01},
    {FMUL, D_QNAN1, D_QNAN2, 0, D_QNAN1, 0x00},
    {FSQRT, D_SNAN, 0, 0, D_SNANQ, 0x01},
    {FMADD, D_QNAN1, D_ONE, D_QNAN2, D_QNAN2, 0x00}, /* the addend's NaN comes first */
    {FMADD, D_INF, 0, D_QNAN1, D_DNAN, 0x01},        /* inf*0 + qNaN is invalid */
    {FMADD, D_ONE, D_SNAN, D_QNAN1, D_SNANQ, 0x01},
    /* sign manipulation never touches the payload or raises anything */
    {FABS, D_NZERO, 0, 0, 0, 0x00},
    {FABS, D_QNAN2, 0, 0, 0x7ff8000000000456ull, 0x00},
    {FABS, 0xfff0000000000789ull, 0, 0, D_SNAN, 0x00},
    {FNEG, 0, 0, 0, D_NZERO, 0x00},
    {FNEG, D_SNAN, 0, 0, 0xfff0000000000789ull, 0x00},
    {FNEG, D_NINF, 0, 0, D_INF, 0x00},
    /* min/max: -0 < +0; fmin/fmax propagate NaNs, the NM forms prefer numbers */
    {FMAX, D_ONE, D_TWO, 0, D_TWO, 0x00},
    {FMIN, D_ONE, D_TWO, 0, D_ONE, 0x00},
    {FMAX, D_NZERO, 0, 0, 0, 0x00},
    {FMAX, 0, D_NZERO, 0, 0, 0x00},
    {FMIN, D_NZERO, 0, 0, D_NZERO, 0x00},
    {FMIN, 0, D_NZERO, 0, D_NZERO, 0x00},
    {FMAX, D_QNAN1, D_ONE, 0, D_QNAN1, 0x00},
    {FMIN, D_ONE, D_QNAN1, 0, D_QNAN1, 0x00},
    {FMAX, D_SNAN, D_QNAN1, 0, D_SNANQ, 0x01},
    {FMAX, D_NINF, D_ONE, 0, D_ONE, 0x00},
    {FMIN, D_NINF, D_ONE, 0, D_NINF, 0x00},
    {FMAXNM, D_QNAN1, D_ONE, 0, D_ONE, 0x00},
    {FMINNM, D_ONE, D_QNAN1, 0, D_ONE, 0x00},
    {FMAXNM, D_NINF, D_QNAN2, 0, D_NINF, 0x00},
    {FMAXNM, D_SNAN, D_ONE, 0, D_SNANQ, 0x01},
    {FMINNM, D_ONE, D_SNAN, 0, D_SNANQ, 0x01},
    {FMAXNM, D_QNAN1, D_QNAN2, 0, D_QNAN1, 0x00},
    {FMINNM, D_NZERO, 0, 0, D_NZERO, 0x00},
};

static const struct arith scases[] = {
    {FADD, S_ONE, 0x40000000, 0, 0x40400000, 0x00},
    {FADD, 0x3dcccccd, 0x3e4ccccd, 0, 0x3e99999a, 0x10},
    {FADD, 0x7f7fffff, 0x7f7fffff, 0, 0x7f800000, 0x14},
    {FADD, 0x80000000, 0, 0, 0, 0x00},
    {FADD, S_ONE, 0x33800000, 0, S_ONE, 0x10},
    {FADD, S_ONE, 0x33800001, 0, 0x3f800001, 0x10},
    {FSUB, 0x3e4ccccd, 0x3dcccccd, 0, 0x3dcccccd, 0x00},
    {FMUL, 0x3dcccccd, 0x40400000, 0, 0x3e99999a, 0x10},
    {FMUL, 0x00800000, 0x3f000000, 0, 0x00400000, 0x00},
    {FMUL, 0x7f7fffff, 0x40000000, 0, 0x7f800000, 0x14},
    {FDIV, S_ONE, 0x40400000, 0, 0x3eaaaaab, 0x10},
    {FDIV, 0x40000000, 0x40400000, 0, 0x3f2aaaab, 0x10},
    {FDIV, 0xbf800000, 0, 0, 0xff800000, 0x02},
    {FDIV, 0, 0, 0, S_DNAN, 0x01},
    {FSQRT, 0x40000000, 0, 0, 0x3fb504f3, 0x10},
    {FSQRT, 0x80000000, 0, 0, 0x80000000, 0x00},
    {FSQRT, 0xbf800000, 0, 0, S_DNAN, 0x01},
    {FMADD, 0x3f800001, 0x3f7fffff, 0xbf800000, 0x337ffffe, 0x00},
    {FMADD, 0x3dcccccd, 0x41200000, 0xbf800000, 0x32800000, 0x00},
    {FMSUB, 0x3dcccccd, 0x41200000, S_ONE, 0xb2800000, 0x00},
    {FNMADD, 0x40000000, 0x40400000, S_ONE, 0xc0e00000, 0x00},
    {FNMSUB, 0x3dcccccd, 0x41200000, S_ONE, 0x32800000, 0x00},
    {FNMUL, 0x3dcccccd, 0x40400000, 0, 0xbe99999a, 0x10},
    {FADD, 0x7fc00123, S_ONE, 0, 0x7fc00123, 0x00},
    {FADD, 0x7f800789, S_ONE, 0, 0x7fc00789, 0x01},
    {FNEG, 0x7f800789, 0, 0, 0xff800789, 0x00},
    {FMIN, 0x80000000, 0, 0, 0x80000000, 0x00},
    {FMAXNM, 0x7fc00001, 0xc0000000, 0, 0xc0000000, 0x00},
};

static void run_arith(const char *group, const struct arith *t, unsigned n, int dbl)
{
    group_begin(group);
    for (unsigned i = 0; i < n; i++) {
        fpsr_clear();
        u64 r = run_op(t[i].op, dbl, t[i].a, t[i].b, t[i].c);
        unsigned f = fpsr_read();
        char l[96];
        if (dbl)
            snprintf(l, sizeof l, "%-6s %016llx %016llx %016llx", op_names[t[i].op],
                     (unsigned long long)t[i].a, (unsigned long long)t[i].b, (unsigned long long)t[i].c);
        else
            snprintf(l, sizeof l, "%-6s %08llx %08llx %08llx", op_names[t[i].op], (unsigned long long)t[i].a,
                     (unsigned long long)t[i].b, (unsigned long long)t[i].c);
        printf("  %s -> %0*llx fpsr %02x\n", l, dbl ? 16 : 8, (unsigned long long)r, f);
        if (r != t[i].want)
            check_fail("%s: got %llx want %llx", l, (unsigned long long)r, (unsigned long long)t[i].want);
        if (f != t[i].flags)
            check_fail("%s: fpsr %02x want %02x", l, f, t[i].flags);
    }
    group_end();
}

/* FPCR controls: rounding mode (bits 23:22), flush-to-zero (24), default NaN (25). */
static void test_fpcr_modes(void)
{
    static const char *mode_names[4] = {"RN", "RP", "RM", "RZ"};
    /* 1/3, 2/3, -1/3 in double, 1/3 and -2/3 in single, 1 + (2^-53 + tiny) */
    static const u64 want[4][6] = {
        {0x3fd5555555555555ull, 0x3fe5555555555555ull, 0xbfd5555555555555ull, 0x3eaaaaab, 0xbf2aaaab, 0x3ff0000000000001ull},
        {0x3fd5555555555556ull, 0x3fe5555555555556ull, 0xbfd5555555555555ull, 0x3eaaaaab, 0xbf2aaaaa, 0x3ff0000000000001ull},
        {0x3fd5555555555555ull, 0x3fe5555555555555ull, 0xbfd5555555555556ull, 0x3eaaaaaa, 0xbf2aaaab, 0x3ff0000000000000ull},
        {0x3fd5555555555555ull, 0x3fe5555555555555ull, 0xbfd5555555555555ull, 0x3eaaaaaa, 0xbf2aaaaa, 0x3ff0000000000000ull},
    };
    const u64 d3 = 0x4008000000000000ull, s3 = 0x40400000;
    group_begin("fpcr-rounding");
    for (int m = 0; m < 4; m++) {
        u64 got[6];
        fpcr_write((u64)m << 22);
        got[0] = run_op(FDIV, 1, D_ONE, d3, 0);
        got[1] = run_op(FDIV, 1, D_TWO, d3, 0);
        got[2] = run_op(FDIV, 1, D_MONE, d3, 0);
        got[3] = run_op(FDIV, 0, S_ONE, s3, 0);
        got[4] = run_op(FDIV, 0, 0xc0000000, s3, 0);
        got[5] = run_op(FADD, 1, D_ONE, 0x3ca0000000000001ull, 0);
        fpcr_write(0);
        printf("  %s:", mode_names[m]);
        for (int i = 0; i < 6; i++) {
            printf(" %llx", (unsigned long long)got[i]);
            if (got[i] != want[m][i])
                check_fail("mode %s result %d: got %llx want %llx", mode_names[m], i,
                           (unsigned long long)got[i], (unsigned long long)want[m][i]);
        }
        printf("\n");
    }
    group_end();

    group_begin("fpcr-fz-dn");
    u64 r;
    unsigned f;
    /* Flush-to-zero: a subnormal result becomes +0 and raises UFC only;
     * subnormal inputs are treated as zero and raise IDC. */
    fpcr_write(1ull << 24);
    fpsr_clear();
    r = run_op(FMUL, 1, D_MINN, D_HALF, 0);
    f = fpsr_read();
    printf("  FZ: minnormal*0.5 -> %016llx fpsr %02x\n", (unsigned long long)r, f);
    CHECK_EQ("FZ output flushed", r, 0);
    CHECK_EQ("FZ output flags", f, 0x08);
    fpsr_clear();
    r = run_op(FADD, 1, D_DMIN, D_DMIN, 0);
    f = fpsr_read();
    printf("  FZ: dmin+dmin -> %016llx fpsr %02x\n", (unsigned long long)r, f);
    CHECK_EQ("FZ input flushed", r, 0);
    CHECK_EQ("FZ input flags", f, 0x80);
    /* Default NaN: propagated NaNs are replaced by the default NaN. */
    fpcr_write(1ull << 25);
    fpsr_clear();
    r = run_op(FADD, 1, D_QNAN1, D_ONE, 0);
    f = fpsr_read();
    printf("  DN: qnan+1 -> %016llx fpsr %02x\n", (unsigned long long)r, f);
    CHECK_EQ("DN result", r, D_DNAN);
    r = run_op(FADD, 0, 0x7f800789, S_ONE, 0);
    printf("  DN: snan+1 (single) -> %08llx\n", (unsigned long long)r);
    CHECK_EQ("DN single result", r, S_DNAN);
    fpcr_write(0);
    group_end();
}

/* ------------------------------------------------------------------ */
/* Round to integral in every mode. */

static u64 bits_of(double d) { u64 u; memcpy(&u, &d, 8); return u; }

#define FRINT(i) asm volatile("fmov d16, %1\n\t" i " d16, d16\n\tfmov %0, d16" : "=r"(r) : "r"(a) : CLOB)
static u64 frint(int mode, u64 a)
{
    u64 r = 0;
    switch (mode) {
    case 0: FRINT("frintn"); break;
    case 1: FRINT("frinta"); break;
    case 2: FRINT("frintp"); break;
    case 3: FRINT("frintm"); break;
    case 4: FRINT("frintz"); break;
    case 5: FRINT("frinti"); break;
    case 6: FRINT("frintx"); break;
    }
    return r;
}

static void test_frint(void)
{
    static const char *names[7] = {"frintn", "frinta", "frintp", "frintm", "frintz", "frinti", "frintx"};
    /* input, then results for n (ties to even), a (ties away), p, m, z */
    static const double t[][6] = {
        {0.5, 0.0, 1.0, 1.0, 0.0, 0.0},
        {1.5, 2.0, 2.0, 2.0, 1.0, 1.0},
        {2.5, 2.0, 3.0, 3.0, 2.0, 2.0},
        {-0.5, -0.0, -1.0, -0.0, -1.0, -0.0},
        {-1.5, -2.0, -2.0, -1.0, -2.0, -1.0},
        {-2.5, -2.0, -3.0, -2.0, -3.0, -2.0},
        {2.7, 3.0, 3.0, 3.0, 2.0, 2.0},
        {-2.7, -3.0, -3.0, -2.0, -3.0, -2.0},
        {0.49999999999999994, 0.0, 0.0, 1.0, 0.0, 0.0},
        {1e300, 1e300, 1e300, 1e300, 1e300, 1e300},
        {4503599627370497.0, 4503599627370497.0, 4503599627370497.0, 4503599627370497.0,
         4503599627370497.0, 4503599627370497.0},
        {-0.0, -0.0, -0.0, -0.0, -0.0, -0.0},
        {__builtin_inf(), __builtin_inf(), __builtin_inf(), __builtin_inf(), __builtin_inf(), __builtin_inf()},
    };
    group_begin("frint");
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
        u64 in = bits_of(t[i][0]);
        printf("  %-24.17g", t[i][0]);
        for (int m = 0; m < 7; m++) {
            /* frinti/frintx use FPCR's mode, which is round-to-nearest here */
            u64 want = bits_of(t[i][1 + (m >= 5 ? 0 : m)]);
            unsigned wantf = (m == 6 && want != in) ? 0x10 : 0;
            fpsr_clear();
            u64 r = frint(m, in);
            unsigned f = fpsr_read();
            printf(" %016llx", (unsigned long long)r);
            if (r != want || f != wantf)
                check_fail("%s(%.17g): got %llx fpsr %02x want %llx fpsr %02x", names[m], t[i][0],
                           (unsigned long long)r, f, (unsigned long long)want, wantf);
        }
        printf("\n");
    }
    /* NaNs: quiet ones pass through, signalling ones are quietened (IOC). */
    for (int m = 0; m < 7; m++) {
        fpsr_clear();
        u64 r = frint(m, D_SNAN);
        unsigned f = fpsr_read();
        if (r != D_SNANQ || f != 0x01)
            check_fail("%s(sNaN): got %llx fpsr %02x", names[m], (unsigned long long)r, f);
        r = frint(m, D_QNAN2);
        if (r != D_QNAN2)
            check_fail("%s(qNaN): got %llx", names[m], (unsigned long long)r);
    }
    printf("  NaN inputs checked for all 7 modes\n");
    /* frinti under the directed modes of FPCR. */
    static const double dir[3][3] = {{2.5, -2.5, 0.1}, {3.0, -2.0, 1.0}, {2.0, -3.0, 0.0}};
    for (int m = 1; m <= 3; m++) {
        for (int k = 0; k < 3; k++) {
            /* Only the frinti runs in the directed mode: glibc's printf
             * honours the rounding mode too. */
            fpcr_write((u64)m << 22);
            u64 r = frint(5, bits_of(dir[0][k]));
            fpcr_write(0);
            double w = m == 1 ? dir[1][k] : m == 2 ? dir[2][k] : (k == 0 ? 2.0 : k == 1 ? -2.0 : 0.0);
            printf("  frinti mode %d (%g) -> %016llx\n", m, dir[0][k], (unsigned long long)r);
            CHECK_EQ("frinti directed", r, bits_of(w));
        }
    }
    /* Single precision spot checks. */
    {
        u64 r, a = 0x40200000; /* 2.5f */
        asm volatile("fmov s16, %w1\n\tfrinta s16, s16\n\tfmov %w0, s16" : "=r"(r) : "r"(a) : CLOB);
        printf("  frinta s 2.5 -> %08llx\n", (unsigned long long)r);
        CHECK_EQ("frinta s", r, 0x40400000);
        a = 0xbf000000; /* -0.5f */
        asm volatile("fmov s16, %w1\n\tfrintm s16, s16\n\tfmov %w0, s16" : "=r"(r) : "r"(a) : CLOB);
        printf("  frintm s -0.5 -> %08llx\n", (unsigned long long)r);
        CHECK_EQ("frintm s", r, 0xbf800000);
    }
    group_end();
}

/* ------------------------------------------------------------------ */
/* Conversions between floating point and integers. */

struct cvt { const char *name; int id; u64 in, want; unsigned flags; };

static u64 run_cvt(int id, u64 a)
{
    u64 r = 0;
    switch (id) {
    /* float -> integer */
    case 0: asm volatile("fmov d16, %1\n\tfcvtzs %x0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    case 1: asm volatile("fmov d16, %1\n\tfcvtzs %w0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    case 2: asm volatile("fmov d16, %1\n\tfcvtzu %x0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    case 3: asm volatile("fmov d16, %1\n\tfcvtzu %w0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    case 4: asm volatile("fmov s16, %w1\n\tfcvtzs %w0, s16" : "=r"(r) : "r"(a) : CLOB); break;
    case 5: asm volatile("fmov s16, %w1\n\tfcvtzs %x0, s16" : "=r"(r) : "r"(a) : CLOB); break;
    case 6: asm volatile("fmov s16, %w1\n\tfcvtzu %w0, s16" : "=r"(r) : "r"(a) : CLOB); break;
    case 7: asm volatile("fmov d16, %1\n\tfcvtns %x0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    case 8: asm volatile("fmov d16, %1\n\tfcvtas %x0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    case 9: asm volatile("fmov d16, %1\n\tfcvtms %x0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    case 10: asm volatile("fmov d16, %1\n\tfcvtps %x0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    case 11: asm volatile("fmov d16, %1\n\tfcvtnu %w0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    case 12: asm volatile("fmov d16, %1\n\tfcvtzs %x0, d16, #8" : "=r"(r) : "r"(a) : CLOB); break;
    case 13: asm volatile("fmov d16, %1\n\tfcvtzs %w0, d16, #16" : "=r"(r) : "r"(a) : CLOB); break;
    case 14: asm volatile("fmov d16, %1\n\tfcvtau %x0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    /* integer -> float */
    case 20: asm volatile("scvtf d16, %x1\n\tfmov %0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    case 21: asm volatile("ucvtf d16, %x1\n\tfmov %0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    case 22: asm volatile("scvtf d16, %w1\n\tfmov %0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    case 23: asm volatile("ucvtf d16, %w1\n\tfmov %0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    case 24: asm volatile("scvtf s16, %w1\n\tfmov %w0, s16" : "=r"(r) : "r"(a) : CLOB); break;
    case 25: asm volatile("ucvtf s16, %x1\n\tfmov %w0, s16" : "=r"(r) : "r"(a) : CLOB); break;
    case 26: asm volatile("scvtf d16, %x1, #16\n\tfmov %0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    case 27: asm volatile("ucvtf s16, %w1, #1\n\tfmov %w0, s16" : "=r"(r) : "r"(a) : CLOB); break;
    case 28: asm volatile("scvtf s16, %x1\n\tfmov %w0, s16" : "=r"(r) : "r"(a) : CLOB); break;
    /* between float formats */
    case 40: asm volatile("fmov d16, %1\n\tfcvt s16, d16\n\tfmov %w0, s16" : "=r"(r) : "r"(a) : CLOB); break;
    case 41: asm volatile("fmov s16, %w1\n\tfcvt d16, s16\n\tfmov %0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    case 42: asm volatile("fmov d16, %1\n\tfcvt h16, d16\n\tumov %w0, v16.h[0]" : "=r"(r) : "r"(a) : CLOB); break;
    case 43: asm volatile("dup v16.8h, %w1\n\tfcvt d16, h16\n\tfmov %0, d16" : "=r"(r) : "r"(a) : CLOB); break;
    case 44: asm volatile("fmov s16, %w1\n\tfcvt h16, s16\n\tumov %w0, v16.h[0]" : "=r"(r) : "r"(a) : CLOB); break;
    case 45: asm volatile("dup v16.8h, %w1\n\tfcvt s16, h16\n\tfmov %w0, s16" : "=r"(r) : "r"(a) : CLOB); break;
    }
    return r;
}

static const struct cvt cvts[] = {
    {"fcvtzs x,d 1.5", 0, 0x3ff8000000000000ull, 1, 0x10},
    {"fcvtzs x,d -1.5", 0, 0xbff8000000000000ull, (u64)-1, 0x10},
    {"fcvtzs x,d 1e19", 0, 0x43e158e460913d00ull, 0x7fffffffffffffffull, 0x01},
    {"fcvtzs x,d -1e19", 0, 0xc3e158e460913d00ull, 0x8000000000000000ull, 0x01},
    {"fcvtzs x,d 2^63", 0, 0x43e0000000000000ull, 0x7fffffffffffffffull, 0x01},
    {"fcvtzs x,d -2^63", 0, 0xc3e0000000000000ull, 0x8000000000000000ull, 0x00},
    {"fcvtzs x,d nan", 0, D_QNAN1, 0, 0x01},
    {"fcvtzs x,d inf", 0, D_INF, 0x7fffffffffffffffull, 0x01},
    {"fcvtzs x,d -inf", 0, D_NINF, 0x8000000000000000ull, 0x01},
    {"fcvtzs x,d -0", 0, D_NZERO, 0, 0x00},
    {"fcvtzs x,d 0.5", 0, D_HALF, 0, 0x10},
    {"fcvtzs w,d 3e9", 1, 0x41e65a0bc0000000ull, 0x7fffffff, 0x01},
    {"fcvtzs w,d -3e9", 1, 0xc1e65a0bc0000000ull, 0x80000000, 0x01},
    {"fcvtzs w,d -2^31", 1, 0xc1e0000000000000ull, 0x80000000, 0x00},
    {"fcvtzs w,d 2147483647.5", 1, 0x41dfffffffe00000ull, 0x7fffffff, 0x10},
    {"fcvtzs w,d nan", 1, D_SNAN, 0, 0x01},
    {"fcvtzs w,d -1.5", 1, 0xbff8000000000000ull, 0xffffffff, 0x10},
    {"fcvtzu x,d -1", 2, D_MONE, 0, 0x01},
    {"fcvtzu x,d -0.5", 2, 0xbfe0000000000000ull, 0, 0x10},
    {"fcvtzu x,d 1.8e19", 2, 0x43ef399b1438a100ull, 18000000000000000000ull, 0x00},
    {"fcvtzu x,d 2e19", 2, 0x43f158e460913d00ull, ~0ull, 0x01},
    {"fcvtzu x,d nan", 2, D_QNAN2, 0, 0x01},
    {"fcvtzu w,d 4294967295", 3, 0x41efffffffe00000ull, 0xffffffff, 0x00},
    {"fcvtzu w,d 5e9", 3, 0x41f2a05f20000000ull, 0xffffffff, 0x01},
    {"fcvtzu w,d -1", 3, D_MONE, 0, 0x01},
    {"fcvtzs w,s 3e9", 4, 0x4f32d05e, 0x7fffffff, 0x01},
    {"fcvtzs w,s nan", 4, 0x7fc00000, 0, 0x01},
    {"fcvtzs w,s -7.75", 4, 0xc0f80000, 0xfffffff9, 0x10},
    {"fcvtzs x,s -2.5", 5, 0xc0200000, (u64)-2, 0x10},
    {"fcvtzu w,s -inf", 6, 0xff800000, 0, 0x01},
    {"fcvtns x,d 2.5", 7, 0x4004000000000000ull, 2, 0x10},
    {"fcvtns x,d 3.5", 7, 0x400c000000000000ull, 4, 0x10},
    {"fcvtns x,d -2.5", 7, 0xc004000000000000ull, (u64)-2, 0x10},
    {"fcvtas x,d 2.5", 8, 0x4004000000000000ull, 3, 0x10},
    {"fcvtas x,d -2.5", 8, 0xc004000000000000ull, (u64)-3, 0x10},
    {"fcvtms x,d -2.5", 9, 0xc004000000000000ull, (u64)-3, 0x10},
    {"fcvtms x,d 2.5", 9, 0x4004000000000000ull, 2, 0x10},
    {"fcvtps x,d 2.1", 10, 0x4000cccccccccccdull, 3, 0x10},
    {"fcvtps x,d -2.9", 10, 0xc007333333333333ull, (u64)-2, 0x10},
    {"fcvtnu w,d 2.5", 11, 0x4004000000000000ull, 2, 0x10},
    {"fcvtnu w,d -0.4", 11, 0xbfd999999999999aull, 0, 0x10},
    {"fcvtzs x,d,#8 1.5", 12, 0x3ff8000000000000ull, 384, 0x00},
    {"fcvtzs w,d,#16 -0.25", 13, 0xbfd0000000000000ull, 0xffffc000, 0x00},
    {"fcvtau x,d 2.5", 14, 0x4004000000000000ull, 3, 0x10},
    {"scvtf d,x INT64_MAX", 20, 0x7fffffffffffffffull, 0x43e0000000000000ull, 0x10},
    {"scvtf d,x -1", 20, ~0ull, D_MONE, 0x00},
    {"scvtf d,x INT64_MIN", 20, 0x8000000000000000ull, 0xc3e0000000000000ull, 0x00},
    {"ucvtf d,x UINT64_MAX", 21, ~0ull, 0x43f0000000000000ull, 0x10},
    {"ucvtf d,x 2^53+1", 21, 0x20000000000001ull, 0x4340000000000000ull, 0x10},
    {"scvtf d,w -1", 22, 0x12345678ffffffffull, D_MONE, 0x00},
    {"ucvtf d,w 0xffffffff", 23, 0xffffffffffffffffull, 0x41efffffffe00000ull, 0x00},
    {"scvtf s,w 16777217", 24, 16777217, 0x4b800000, 0x10},
    {"scvtf s,w 16777219", 24, 16777219, 0x4b800002, 0x10},
    {"ucvtf s,x UINT64_MAX", 25, ~0ull, 0x5f800000, 0x10},
    {"scvtf d,x,#16 0x18000", 26, 0x18000, 0x3ff8000000000000ull, 0x00},
    {"ucvtf s,w,#1 3", 27, 3, 0x3fc00000, 0x00},
    {"scvtf s,x -2^40-1", 28, (u64)-(1ll << 40) - 1, 0xd3800000, 0x10},
    {"fcvt s,d 0.1", 40, 0x3fb999999999999aull, 0x3dcccccd, 0x10},
    {"fcvt s,d 1e300", 40, 0x7e37e43c8800759cull, 0x7f800000, 0x14},
    {"fcvt s,d 1e-50", 40, 0x358dee7a4ad4b81full, 0, 0x18},
    {"fcvt s,d snan", 40, 0x7ff4000000000000ull, 0x7fe00000, 0x01},
    {"fcvt s,d -qnan", 40, D_QNAN2, 0xffc00000, 0x00},
    {"fcvt s,d -0", 40, D_NZERO, 0x80000000, 0x00},
    {"fcvt d,s 0.1f", 41, 0x3dcccccd, 0x3fb99999a0000000ull, 0x00},
    {"fcvt d,s snan", 41, 0x7f800001, 0x7ff8000020000000ull, 0x01},
    {"fcvt d,s subnormal", 41, 0x00000001, 0x36a0000000000000ull, 0x00},
    {"fcvt h,d 1.0", 42, D_ONE, 0x3c00, 0x00},
    {"fcvt h,d 65504", 42, 0x40effc0000000000ull, 0x7bff, 0x00},
    {"fcvt h,d 65520", 42, 0x40effe0000000000ull, 0x7c00, 0x14},
    {"fcvt h,d 0.1", 42, 0x3fb999999999999aull, 0x2e66, 0x10},
    {"fcvt d,h 1.0", 43, 0x3c00, D_ONE, 0x00},
    {"fcvt d,h subnormal", 43, 0x0001, 0x3e70000000000000ull, 0x00},
    {"fcvt d,h -qnan", 43, 0xfe00, 0xfff8000000000000ull, 0x00},
    {"fcvt h,s 1.0", 44, S_ONE, 0x3c00, 0x00},
    {"fcvt s,h 65504", 45, 0x7bff, 0x477fe000, 0x00},
};

static void test_cvt(void)
{
    group_begin("convert");
    for (unsigned i = 0; i < sizeof cvts / sizeof cvts[0]; i++) {
        fpsr_clear();
        u64 r = run_cvt(cvts[i].id, cvts[i].in);
        unsigned f = fpsr_read();
        printf("  %-28s %016llx -> %016llx fpsr %02x\n", cvts[i].name, (unsigned long long)cvts[i].in,
               (unsigned long long)r, f);
        if (r != cvts[i].want || f != cvts[i].flags)
            check_fail("%s: got %llx fpsr %02x want %llx fpsr %02x", cvts[i].name, (unsigned long long)r, f,
                       (unsigned long long)cvts[i].want, cvts[i].flags);
    }
    group_end();
}

/* ------------------------------------------------------------------ */
/* Comparisons. */

static int ref_cond(int cond, unsigned nzcv)
{
    int n = nzcv >> 3 & 1, z = nzcv >> 2 & 1, c = nzcv >> 1 & 1, v = nzcv & 1;
    int r;
    switch (cond >> 1) {
    case 0: r = z; break;
    case 1: r = c; break;
    case 2: r = n; break;
    case 3: r = v; break;
    case 4: r = c && !z; break;
    case 5: r = n == v; break;
    case 6: r = !z && n == v; break;
    default: return 1;
    }
    return (cond & 1) ? !r : r;
}

/* fcmp then cset for one condition; al/nv use csel since cset cannot. */
#define FCSET(c)                                                                \
    static u64 fc_##c(u64 a, u64 b)                                             \
    {                                                                           \
        u64 r;                                                                  \
        asm volatile("fmov d16, %1\n\tfmov d17, %2\n\tfcmp d16, d17\n\tcset %w0, " #c \
                     : "=r"(r) : "r"(a), "r"(b) : CLOB, "cc");                  \
        return r;                                                               \
    }
#define FCSEL(c)                                                                \
    static u64 fc_##c(u64 a, u64 b)                                             \
    {                                                                           \
        u64 r;                                                                  \
        asm volatile("fmov d16, %1\n\tfmov d17, %2\n\tfcmp d16, d17\n\tcsel %w0, %w3, wzr, " #c \
                     : "=r"(r) : "r"(a), "r"(b), "r"(1ull) : CLOB, "cc");       \
        return r;                                                               \
    }
FCSET(eq) FCSET(ne) FCSET(cs) FCSET(cc) FCSET(mi) FCSET(pl) FCSET(vs) FCSET(vc)
FCSET(hi) FCSET(ls) FCSET(ge) FCSET(lt) FCSET(gt) FCSET(le) FCSEL(al) FCSEL(nv)
static u64 (*const fc[16])(u64, u64) = {fc_eq, fc_ne, fc_cs, fc_cc, fc_mi, fc_pl, fc_vs, fc_vc,
                                        fc_hi, fc_ls, fc_ge, fc_lt, fc_gt, fc_le, fc_al, fc_nv};

static u64 fcmp_flags(u64 a, u64 b, int e)
{
    u64 f;
    if (e)
        asm volatile("fmov d16, %1\n\tfmov d17, %2\n\tfcmpe d16, d17\n\tmrs %0, nzcv"
                     : "=r"(f) : "r"(a), "r"(b) : CLOB, "cc");
    else
        asm volatile("fmov d16, %1\n\tfmov d17, %2\n\tfcmp d16, d17\n\tmrs %0, nzcv"
                     : "=r"(f) : "r"(a), "r"(b) : CLOB, "cc");
    return f >> 28;
}

static void test_fcmp(void)
{
    /* a, b, expected NZCV: less 8, equal 6, greater 2, unordered 3 */
    static const struct { u64 a, b; unsigned nzcv; unsigned qnan, snan; } t[] = {
        {D_ONE, D_TWO, 8, 0, 0},       {D_TWO, D_ONE, 2, 0, 0},      {D_ONE, D_ONE, 6, 0, 0},
        {D_QNAN1, D_ONE, 3, 1, 0},     {D_ONE, D_QNAN2, 3, 1, 0},    {D_NZERO, 0, 6, 0, 0},
        {D_INF, D_INF, 6, 0, 0},       {D_NINF, D_INF, 8, 0, 0},     {D_SNAN, D_ONE, 3, 0, 1},
        {D_DMIN, 0, 2, 0, 0},          {D_QNAN1, D_QNAN1, 3, 1, 0},  {D_MONE, D_NINF, 2, 0, 0},
    };
    char bits[17];
    group_begin("fcmp");
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
        for (int e = 0; e < 2; e++) {
            fpsr_clear();
            u64 f = fcmp_flags(t[i].a, t[i].b, e);
            unsigned s = fpsr_read();
            /* fcmp signals only for signalling NaNs, fcmpe for any NaN */
            unsigned wants = (t[i].snan || (e && t[i].qnan)) ? 0x01 : 0;
            printf("  %s %016llx %016llx nzcv %llx fpsr %02x\n", e ? "fcmpe" : "fcmp ",
                   (unsigned long long)t[i].a, (unsigned long long)t[i].b, (unsigned long long)f, s);
            if (f != t[i].nzcv || s != wants)
                check_fail("fcmp%s #%u: nzcv %llx fpsr %02x", e ? "e" : "", i, (unsigned long long)f, s);
        }
        for (int c = 0; c < 16; c++) {
            u64 g = fc[c](t[i].a, t[i].b);
            bits[c] = '0' + (int)g;
            if (g != (u64)ref_cond(c, t[i].nzcv))
                check_fail("fcmp #%u cset cond %d", i, c);
        }
        bits[16] = 0;
        printf("    conds eq..nv: %s\n", bits);
    }
    /* compare with #0.0, single precision, and fccmp */
    u64 f, a = D_NZERO;
    asm volatile("fmov d16, %1\n\tfcmp d16, #0.0\n\tmrs %0, nzcv" : "=r"(f) : "r"(a) : CLOB, "cc");
    printf("  fcmp -0, #0.0 nzcv %llx\n", (unsigned long long)(f >> 28));
    CHECK_EQ("fcmp -0 #0.0", f >> 28, 6);
    a = D_QNAN1;
    fpsr_clear();
    asm volatile("fmov d16, %1\n\tfcmpe d16, #0.0\n\tmrs %0, nzcv" : "=r"(f) : "r"(a) : CLOB, "cc");
    printf("  fcmpe qnan, #0.0 nzcv %llx fpsr %02x\n", (unsigned long long)(f >> 28), fpsr_read());
    CHECK_EQ("fcmpe qnan #0.0", f >> 28, 3);
    a = 0xbf800000;
    asm volatile("fmov s16, %w1\n\tfmov s17, %w2\n\tfcmp s16, s17\n\tmrs %0, nzcv"
                 : "=r"(f) : "r"(a), "r"(0x80000000ull) : CLOB, "cc");
    printf("  fcmp s -1, -0 nzcv %llx\n", (unsigned long long)(f >> 28));
    CHECK_EQ("fcmp s", f >> 28, 8);
    for (u64 z = 0; z < 2; z++) {
        /* if eq: flags of compare(1, nan) = 3, else the immediate 0xc */
        asm volatile("msr nzcv, %1\n\tfmov d16, %2\n\tfmov d17, %3\n\tfccmp d16, d17, #12, eq\n\t"
                     "mrs %0, nzcv" : "=r"(f) : "r"(z << 30), "r"(D_ONE), "r"(D_QNAN1) : CLOB, "cc");
        printf("  fccmp (Z=%llu) nzcv %llx\n", (unsigned long long)z, (unsigned long long)(f >> 28));
        CHECK_EQ("fccmp", f >> 28, z ? 3 : 12);
    }
    group_end();

    group_begin("fcsel");
    for (u64 z = 0; z < 2; z++) {
        u64 r;
        asm volatile("msr nzcv, %1\n\tfmov d16, %2\n\tfmov d17, %3\n\tfcsel d18, d16, d17, eq\n\t"
                     "fmov %0, d18" : "=r"(r) : "r"(z << 30), "r"(D_ONE), "r"(D_SNAN) : CLOB, "cc");
        printf("  fcsel d eq (Z=%llu) -> %016llx\n", (unsigned long long)z, (unsigned long long)r);
        CHECK_EQ("fcsel d", r, z ? D_ONE : D_SNAN);
        asm volatile("msr nzcv, %1\n\tfmov s16, %w2\n\tfmov s17, %w3\n\tfcsel s18, s16, s17, ne\n\t"
                     "fmov %w0, s18" : "=r"(r) : "r"(z << 30), "r"(S_ONE), "r"(0xc0000000ull) : CLOB, "cc");
        printf("  fcsel s ne (Z=%llu) -> %08llx\n", (unsigned long long)z, (unsigned long long)r);
        CHECK_EQ("fcsel s", r, z ? 0xc0000000 : S_ONE);
    }
    group_end();
}

/* ------------------------------------------------------------------ */
/* fmov immediates and moves between register files. */

#define FMOVI_D(imm, want)                                                      \
    do {                                                                        \
        u64 r_;                                                                 \
        asm volatile("fmov d16, #" #imm "\n\tfmov %0, d16" : "=r"(r_) : : CLOB); \
        printf("  fmov d, #%-8s %016llx\n", #imm, (unsigned long long)r_);      \
        CHECK_EQ("fmov d #" #imm, r_, want);                                    \
    } while (0)
#define FMOVI_S(imm, want)                                                      \
    do {                                                                        \
        u64 r_;                                                                 \
        asm volatile("fmov s16, #" #imm "\n\tfmov %w0, s16" : "=r"(r_) : : CLOB); \
        printf("  fmov s, #%-8s %08llx\n", #imm, (unsigned long long)r_);       \
        CHECK_EQ("fmov s #" #imm, r_, want);                                    \
    } while (0)

static void test_fmov(void)
{
    group_begin("fmov-imm");
    FMOVI_D(1.0, D_ONE);
    FMOVI_D(-2.5, 0xc004000000000000ull);
    FMOVI_D(0.125, 0x3fc0000000000000ull);
    FMOVI_D(31.0, 0x403f000000000000ull);
    FMOVI_D(0.1875, 0x3fc8000000000000ull);
    FMOVI_D(-1.9375, 0xbfff000000000000ull);
    FMOVI_D(16.0, 0x4030000000000000ull);
    FMOVI_S(1.0, S_ONE);
    FMOVI_S(-0.5, 0xbf000000);
    FMOVI_S(15.5, 0x41780000);
    FMOVI_S(0.125, 0x3e000000);
    group_end();

    group_begin("fmov-gpr");
    u64 r, hi;
    /* NaN patterns must pass through bit-exactly (no quietening). */
    asm volatile("fmov d16, %1\n\tfmov %0, d16" : "=r"(r) : "r"(D_SNAN) : CLOB);
    printf("  x->d->x sNaN %016llx\n", (unsigned long long)r);
    CHECK_EQ("fmov x<->d", r, D_SNAN);
    /* Writing s (or d) zeroes the rest of the vector register. */
    asm volatile("movi v16.16b, #0xff\n\tfmov s16, %w2\n\tfmov %0, d16\n\tmov %1, v16.d[1]"
                 : "=&r"(r), "=&r"(hi) : "r"(0xdeadbeef7f800001ull) : CLOB);
    printf("  w->s: d=%016llx high=%016llx\n", (unsigned long long)r, (unsigned long long)hi);
    CHECK_EQ("fmov s,w low", r, 0x7f800001);
    CHECK_EQ("fmov s,w high", hi, 0);
    asm volatile("fmov s16, %w1\n\tfmov %w0, s16" : "=r"(r) : "r"(0xffffffffull) : CLOB);
    CHECK_EQ("fmov w,s zero-extends", r, 0xffffffff);
    /* The top half of a vector register, alone. */
    asm volatile("fmov d16, %2\n\tfmov v16.d[1], %3\n\tfmov %0, d16\n\tfmov %1, v16.d[1]"
                 : "=&r"(r), "=&r"(hi) : "r"(0x1111111111111111ull), "r"(0x2222222222222222ull) : CLOB);
    printf("  d[1] insert: low=%016llx high=%016llx\n", (unsigned long long)r, (unsigned long long)hi);
    CHECK_EQ("fmov v.d[1] keeps low", r, 0x1111111111111111ull);
    CHECK_EQ("fmov v.d[1] high", hi, 0x2222222222222222ull);
    asm volatile("fmov d16, %1\n\tfmov d17, d16\n\tfneg d17, d17\n\tfmov %0, d17" : "=r"(r) : "r"(D_TWO) : CLOB);
    CHECK_EQ("fmov d,d + fneg", r, 0xc000000000000000ull);
    group_end();
}

int main(void)
{
    fpcr_write(0);
    run_arith("arith-double", dcases, sizeof dcases / sizeof dcases[0], 1);
    run_arith("arith-single", scases, sizeof scases / sizeof scases[0], 0);
    test_fpcr_modes();
    test_frint();
    test_cvt();
    test_fcmp();
    test_fmov();
    return check_exit_status();
}
