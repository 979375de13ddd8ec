/*
 * Integer and flag extensions, driven through inline assembly (built with
 * -march=armv8.5-a+rng):
 *
 *   FEAT_FlagM   CFINV, RMIF, SETF8, SETF16
 *   FEAT_FlagM2  AXFLAG, XAFLAG
 *   FEAT_RNG     RNDR, RNDRRS (only properties are printed, never values)
 *   HWCAP        which of the new features AT_HWCAP/AT_HWCAP2 advertise
 *
 * The flag instructions run from each of the 16 NZCV states (set with MSR
 * NZCV) over many operands; the results are compared with reference models
 * written in plain C and printed as hexadecimal digit strings (one NZCV
 * nibble per input state) and FNV checksums.
 *
 * "ext_int cssc" runs FEAT_CSSC instead (ABS, CNT, CTZ, SMAX/SMIN/UMAX/UMIN
 * with registers and immediates, 32 and 64 bits).  Neither qemu-user 7.2 nor
 * 10.0 implements CSSC (both raise SIGILL and do not set HWCAP2_CSSC), so the
 * expected output of that case comes from "ext_int cssc-model", which prints
 * the same lines computed by the C models instead of the instructions, and
 * claims HWCAP2_CSSC as a CSSC-capable Linux would (see README.md).
 *
 * qemu-user 7.2 and 10.0 (-cpu max) print the same output for the default
 * mode.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "check.h"

typedef uint64_t u64;
typedef int64_t i64;
typedef uint32_t u32;
typedef int32_t i32;

#ifndef HWCAP2_CSSC
#define HWCAP2_CSSC (1UL << 34) /* Linux 6.2 uapi */
#endif

static u64 rng_state = 0x0123456789abcdefull;
/* Fixed 64-bit LCG (Knuth's MMIX constants); the top half is the output. */
static u64 lcg(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return rng_state;
}
static u64 rnd64(void)
{
    u64 hi = lcg() >> 32;
    return hi << 32 | lcg() >> 32;
}

static u64 fnv_state;
static void fnv_begin(void) { fnv_state = 0xcbf29ce484222325ull; }
static void fnv_add(u64 v)
{
    for (int i = 0; i < 8; i++)
        fnv_state = (fnv_state ^ ((v >> (8 * i)) & 0xff)) * 0x100000001b3ull;
}

/* Interesting operands: edges of 8/16/32/64-bit ranges plus random ones. */
static u64 operands[96];
static int n_operands;
static void make_operands(void)
{
    static const u64 edge[] = {0,
                               1,
                               2,
                               0x7f,
                               0x80,
                               0xff,
                               0x100,
                               0x17f,
                               0x180,
                               0x7fff,
                               0x8000,
                               0xffff,
                               0x10000,
                               0x18000,
                               0x7fffffff,
                               0x80000000,
                               0xffffffff,
                               0x100000000ull,
                               0x7fffffffffffffffull,
                               0x8000000000000000ull,
                               0xffffffffffffffffull,
                               0xffffffff00000000ull,
                               0x00000000ffff0000ull,
                               0xdead0000beef0080ull};
    n_operands = 0;
    for (unsigned i = 0; i < sizeof edge / sizeof edge[0]; i++)
        operands[n_operands++] = edge[i];
    while (n_operands < 96) {
        u64 r = rnd64();
        /* Sparse values too, so CTZ and the small fields see zeros. */
        if (n_operands % 3 == 0)
            r &= r << 7 & r >> 3;
        if (n_operands % 5 == 0)
            r >>= (r & 63);
        operands[n_operands++] = r;
    }
}

static const char hexd[] = "0123456789abcdef";

/* ------------------------------------------------------------------ */
/* FlagM / FlagM2 */

#define NZCV_OP(name, insn)                                                     \
    static unsigned name(unsigned flags_in)                                     \
    {                                                                           \
        u64 f;                                                                  \
        __asm__ volatile("msr nzcv, %1\n\t" insn "\n\tmrs %0, nzcv"             \
                         : "=r"(f)                                              \
                         : "r"((u64)flags_in << 28)                            \
                         : "cc");                                               \
        return (unsigned)(f >> 28);                                             \
    }

NZCV_OP(do_cfinv, "cfinv")
NZCV_OP(do_axflag, "axflag")
NZCV_OP(do_xaflag, "xaflag")

static unsigned ref_cfinv(unsigned f) { return f ^ 2; }
static unsigned ref_axflag(unsigned f)
{
    unsigned z = f >> 2 & 1, c = f >> 1 & 1, v = f & 1;
    return (z | v) << 2 | (c & !v) << 1;
}
static unsigned ref_xaflag(unsigned f)
{
    unsigned z = f >> 2 & 1, c = f >> 1 & 1;
    unsigned n2 = (!c) & (!z), z2 = z & c, c2 = c | z, v2 = (!c) & z;
    return n2 << 3 | z2 << 2 | c2 << 1 | v2;
}

static unsigned do_setf8(unsigned flags_in, u64 x)
{
    u64 f;
    __asm__ volatile("msr nzcv, %1\n\tsetf8 %w2\n\tmrs %0, nzcv"
                     : "=r"(f)
                     : "r"((u64)flags_in << 28), "r"(x)
                     : "cc");
    return (unsigned)(f >> 28);
}
static unsigned do_setf16(unsigned flags_in, u64 x)
{
    u64 f;
    __asm__ volatile("msr nzcv, %1\n\tsetf16 %w2\n\tmrs %0, nzcv"
                     : "=r"(f)
                     : "r"((u64)flags_in << 28), "r"(x)
                     : "cc");
    return (unsigned)(f >> 28);
}
/* SETF8/SETF16: N = top bit of the field, Z = field is zero, V = the bit
 * above XOR the top bit, C unchanged. */
static unsigned ref_setf(unsigned f, u64 x, int bits)
{
    unsigned n = x >> (bits - 1) & 1;
    unsigned z = (x & ((1ull << bits) - 1)) == 0;
    unsigned v = (unsigned)((x >> bits) & 1) ^ n;
    return n << 3 | z << 2 | (f & 2) | v;
}

/* RMIF needs its shift and mask as immediates: one function per shift,
 * selected through a table; the mask is passed to a switch below. */
#define RMIF_MASK_CASE(s, m)                                                    \
    case m:                                                                     \
        __asm__ volatile("msr nzcv, %1\n\trmif %2, #" #s ", #" #m "\n\tmrs %0, nzcv" \
                         : "=r"(f)                                              \
                         : "r"((u64)flags_in << 28), "r"(x)                    \
                         : "cc");                                               \
        break;
#define RMIF_FN(s)                                                              \
    static unsigned rmif_##s(unsigned flags_in, u64 x, unsigned mask)           \
    {                                                                           \
        u64 f = 0;                                                              \
        switch (mask) {                                                         \
            RMIF_MASK_CASE(s, 0) RMIF_MASK_CASE(s, 1) RMIF_MASK_CASE(s, 2)      \
            RMIF_MASK_CASE(s, 3) RMIF_MASK_CASE(s, 4) RMIF_MASK_CASE(s, 5)      \
            RMIF_MASK_CASE(s, 6) RMIF_MASK_CASE(s, 7) RMIF_MASK_CASE(s, 8)      \
            RMIF_MASK_CASE(s, 9) RMIF_MASK_CASE(s, 10) RMIF_MASK_CASE(s, 11)    \
            RMIF_MASK_CASE(s, 12) RMIF_MASK_CASE(s, 13) RMIF_MASK_CASE(s, 14)   \
            RMIF_MASK_CASE(s, 15)                                               \
        }                                                                       \
        return (unsigned)(f >> 28);                                             \
    }
#define RMIF_FN10(a)                                                            \
    RMIF_FN(a##0) RMIF_FN(a##1) RMIF_FN(a##2) RMIF_FN(a##3) RMIF_FN(a##4)       \
    RMIF_FN(a##5) RMIF_FN(a##6) RMIF_FN(a##7) RMIF_FN(a##8) RMIF_FN(a##9)
RMIF_FN(0) RMIF_FN(1) RMIF_FN(2) RMIF_FN(3) RMIF_FN(4) RMIF_FN(5) RMIF_FN(6) RMIF_FN(7)
RMIF_FN(8) RMIF_FN(9) RMIF_FN10(1) RMIF_FN10(2) RMIF_FN10(3) RMIF_FN10(4) RMIF_FN10(5)
RMIF_FN(60) RMIF_FN(61) RMIF_FN(62) RMIF_FN(63)

typedef unsigned (*rmif_fn)(unsigned, u64, unsigned);
#define R10(a) rmif_##a##0, rmif_##a##1, rmif_##a##2, rmif_##a##3, rmif_##a##4, \
               rmif_##a##5, rmif_##a##6, rmif_##a##7, rmif_##a##8, rmif_##a##9
static const rmif_fn rmif_table[64] = {
    rmif_0, rmif_1, rmif_2, rmif_3, rmif_4, rmif_5, rmif_6, rmif_7, rmif_8, rmif_9,
    R10(1), R10(2), R10(3), R10(4), R10(5),
    rmif_60, rmif_61, rmif_62, rmif_63};

/* RMIF: rotate right by shift; for each mask bit (3=N .. 0=V) take that
 * flag from the same bit of the rotated value, keep the others. */
static unsigned ref_rmif(unsigned f, u64 x, unsigned shift, unsigned mask)
{
    u64 r = shift ? (x >> shift | x << (64 - shift)) : x;
    return (f & ~mask) | ((unsigned)r & mask);
}

/* Run op from all 16 flag states; return the 16 results as hex digits. */
static void flag_row(char *out, unsigned (*op)(unsigned), unsigned (*ref)(unsigned),
                     const char *what)
{
    for (unsigned f = 0; f < 16; f++) {
        unsigned got = op(f), want = ref(f);
        out[f] = hexd[got];
        if (got != want)
            check_fail("%s from nzcv %x: got %x want %x", what, f, got, want);
    }
    out[16] = 0;
}

static void test_flagm(void)
{
    char row[17];
    group_begin("flagm");

    flag_row(row, do_cfinv, ref_cfinv, "cfinv");
    printf("  cfinv   %s\n", row);

    /* SETF8/SETF16 from every flag state over all operands. */
    static const u64 show[] = {0, 0x7f, 0x80, 0xff, 0x100, 0x17f, 0x180, 0x1ff,
                               0x7fff, 0x8000, 0xffff, 0x10000, 0x18000, 0xdeadbeef00000080ull};
    for (unsigned i = 0; i < sizeof show / sizeof show[0]; i++) {
        char r8[17], r16[17];
        for (unsigned f = 0; f < 16; f++) {
            unsigned g8 = do_setf8(f, show[i]), g16 = do_setf16(f, show[i]);
            r8[f] = hexd[g8];
            r16[f] = hexd[g16];
            if (g8 != ref_setf(f, show[i], 8))
                check_fail("setf8 %llx nzcv %x: got %x", (unsigned long long)show[i], f, g8);
            if (g16 != ref_setf(f, show[i], 16))
                check_fail("setf16 %llx nzcv %x: got %x", (unsigned long long)show[i], f, g16);
        }
        r8[16] = r16[16] = 0;
        printf("  setf8/16 %016llx %s %s\n", (unsigned long long)show[i], r8, r16);
    }
    fnv_begin();
    for (int i = 0; i < n_operands; i++) {
        for (unsigned f = 0; f < 16; f++) {
            unsigned g8 = do_setf8(f, operands[i]), g16 = do_setf16(f, operands[i]);
            fnv_add(g8 << 4 | g16);
            if (g8 != ref_setf(f, operands[i], 8))
                check_fail("setf8 %llx nzcv %x: got %x", (unsigned long long)operands[i], f, g8);
            if (g16 != ref_setf(f, operands[i], 16))
                check_fail("setf16 %llx nzcv %x: got %x", (unsigned long long)operands[i], f, g16);
        }
    }
    printf("  setf sum %016llx\n", (unsigned long long)fnv_state);

    /* RMIF: every shift and mask over a few operands and flag states. */
    static const u64 rm_ops[] = {0x0123456789abcdefull, 0x8000000000000001ull,
                                 0xfedcba9876543210ull, 0x00000000000000a5ull};
    for (unsigned k = 0; k < 4; k++) {
        for (unsigned f = 0; f < 16; f += 5) {
            char line[65];
            fnv_begin();
            for (unsigned s = 0; s < 64; s++) {
                /* One digit per shift with the full mask; all masks summed. */
                line[s] = hexd[rmif_table[s](f, rm_ops[k], 15)];
                for (unsigned m = 0; m < 16; m++) {
                    unsigned got = rmif_table[s](f, rm_ops[k], m);
                    unsigned want = ref_rmif(f, rm_ops[k], s, m);
                    fnv_add(got);
                    if (got != want)
                        check_fail("rmif %llx #%u #%u nzcv %x: got %x want %x",
                                   (unsigned long long)rm_ops[k], s, m, f, got, want);
                }
            }
            line[64] = 0;
            printf("  rmif %016llx nzcv %x %s %016llx\n", (unsigned long long)rm_ops[k], f,
                   line, (unsigned long long)fnv_state);
        }
    }
    fnv_begin();
    for (int i = 0; i < n_operands; i++) {
        unsigned f = (unsigned)(lcg() >> 60);
        for (unsigned s = 0; s < 64; s += 3) {
            unsigned m = (unsigned)(lcg() >> 60);
            unsigned got = rmif_table[s](f, operands[i], m);
            fnv_add(got);
            if (got != ref_rmif(f, operands[i], s, m))
                check_fail("rmif %llx #%u #%u nzcv %x: got %x", (unsigned long long)operands[i], s,
                           m, f, got);
        }
    }
    printf("  rmif sum %016llx\n", (unsigned long long)fnv_state);
    group_end();
}

static void test_flagm2(void)
{
    char row[17];
    group_begin("flagm2");
    flag_row(row, do_axflag, ref_axflag, "axflag");
    printf("  axflag  %s\n", row);
    flag_row(row, do_xaflag, ref_xaflag, "xaflag");
    printf("  xaflag  %s\n", row);

    /* The intended use: FCMP, then XAFLAG turns the FP flags into ones the
     * integer conditions read as ordered/unordered comparisons; AXFLAG maps
     * back.  Compare 2.0 with 1.0, 2.0, 3.0 and NaN. */
    static const double rhs[] = {1.0, 2.0, 3.0, __builtin_nan("")};
    static const char *rhs_name[] = {"1.0", "2.0", "3.0", "nan"};
    for (int i = 0; i < 4; i++) {
        u64 f1, f2, f3;
        double a = 2.0, b = rhs[i];
        __asm__ volatile("fcmp %d3, %d4\n\tmrs %0, nzcv\n\t"
                         "xaflag\n\tmrs %1, nzcv\n\t"
                         "axflag\n\tmrs %2, nzcv"
                         : "=&r"(f1), "=&r"(f2), "=&r"(f3)
                         : "w"(a), "w"(b)
                         : "cc");
        unsigned a1 = f1 >> 28, a2 = f2 >> 28, a3 = f3 >> 28;
        printf("  fcmp 2.0,%s: %x xaflag %x axflag %x\n", rhs_name[i], a1, a2, a3);
        CHECK_EQ("xaflag after fcmp", a2, ref_xaflag(a1));
        CHECK_EQ("axflag after xaflag", a3, ref_axflag(a2));
    }
    group_end();
}

/* ------------------------------------------------------------------ */
/* RNDR / RNDRRS: the values are random, so only print properties. */

static unsigned read_rndr(u64 *v)
{
    u64 f;
    __asm__ volatile("mrs %0, s3_3_c2_c4_0\n\tmrs %1, nzcv" : "=r"(*v), "=r"(f) : : "cc");
    return (unsigned)(f >> 28);
}
static unsigned read_rndrrs(u64 *v)
{
    u64 f;
    __asm__ volatile("mrs %0, s3_3_c2_c4_1\n\tmrs %1, nzcv" : "=r"(*v), "=r"(f) : : "cc");
    return (unsigned)(f >> 28);
}

static void rng_props(const char *name, unsigned (*rd)(u64 *))
{
    enum { K = 64 }; /* a bit stuck by chance: 2^-63 */
    u64 v[K], ones = 0, zeros = 0;
    int ok = 0, dup = 0;
    /* The flags are set to garbage first: a successful read must clear them. */
    for (int i = 0; i < K; i++) {
        __asm__ volatile("msr nzcv, %0" : : "r"(0xfull << 28) : "cc");
        unsigned f = rd(&v[i]);
        if (f == 0)
            ok++;
        else if (f != 4)
            check_fail("%s: nzcv %x (must be 0 or 4)", name, f);
    }
    for (int i = 0; i < K; i++) {
        ones |= v[i];
        zeros |= ~v[i];
        for (int j = 0; j < i; j++)
            dup += v[i] == v[j];
    }
    /* A real RNG may occasionally fail (nzcv 4); all K failing is a bug. */
    printf("  %s: %s, %s, %s\n", name, ok > 0 ? "nzcv 0 on success" : "never succeeded",
           dup == 0 ? "64 reads all different" : "repeated values",
           ones == ~0ull && zeros == ~0ull ? "every bit seen as 0 and 1" : "stuck bits");
    CHECK(name, ok > 0 && dup == 0 && ones == ~0ull && zeros == ~0ull);
}

static void test_rng(void)
{
    group_begin("rng");
    rng_props("rndr", read_rndr);
    rng_props("rndrrs", read_rndrrs);
    group_end();
}

/* ------------------------------------------------------------------ */
/* AT_HWCAP / AT_HWCAP2 */

static void test_hwcap(void)
{
    static const struct {
        const char *name;
        int word;
        u64 bit;
    } feat[] = {
        {"fcma", 1, HWCAP_FCMA},     {"asimdfhm", 1, HWCAP_ASIMDFHM}, {"i8mm", 2, HWCAP2_I8MM},
        {"bf16", 2, HWCAP2_BF16},    {"sm3", 1, HWCAP_SM3},           {"sm4", 1, HWCAP_SM4},
        {"flagm", 1, HWCAP_FLAGM},   {"flagm2", 2, HWCAP2_FLAGM2},    {"rng", 2, HWCAP2_RNG},
        {"paca", 1, HWCAP_PACA},     {"pacg", 1, HWCAP_PACG},         {"bti", 2, HWCAP2_BTI},
    };
    u64 h1 = getauxval(AT_HWCAP), h2 = getauxval(AT_HWCAP2);
    group_begin("hwcap");
    printf("  advertised:");
    for (unsigned i = 0; i < sizeof feat / sizeof feat[0]; i++) {
        int has = ((feat[i].word == 1 ? h1 : h2) & feat[i].bit) != 0;
        if (has)
            printf(" %s", feat[i].name);
        else
            check_fail("%s not advertised", feat[i].name);
    }
    printf("\n");
    group_end();
}

/* ------------------------------------------------------------------ */
/* FEAT_CSSC ("cssc" mode). */

static int use_model;

static u64 m_abs64(u64 x) { return (i64)x < 0 ? -x : x; }
static u64 m_abs32(u64 x) { return (u32)((i32)x < 0 ? -(u32)x : (u32)x); }
static u64 m_cnt64(u64 x) { unsigned n = 0; for (; x; x &= x - 1) n++; return n; }
static u64 m_cnt32(u64 x) { return m_cnt64((u32)x); }
static u64 m_ctz64(u64 x) { unsigned n = 0; while (n < 64 && !(x >> n & 1)) n++; return n; }
static u64 m_ctz32(u64 x) { unsigned n = 0; while (n < 32 && !(x >> n & 1)) n++; return n; }
static u64 m_smax64(u64 a, u64 b) { return (i64)a > (i64)b ? a : b; }
static u64 m_smin64(u64 a, u64 b) { return (i64)a < (i64)b ? a : b; }
static u64 m_umax64(u64 a, u64 b) { return a > b ? a : b; }
static u64 m_umin64(u64 a, u64 b) { return a < b ? a : b; }
static u64 m_smax32(u64 a, u64 b) { return (u32)((i32)a > (i32)b ? a : b); }
static u64 m_smin32(u64 a, u64 b) { return (u32)((i32)a < (i32)b ? a : b); }
static u64 m_umax32(u64 a, u64 b) { return (u32)a > (u32)b ? (u32)a : (u32)b; }
static u64 m_umin32(u64 a, u64 b) { return (u32)a < (u32)b ? (u32)a : (u32)b; }

/* The assembler knows CSSC as an extension; the compiler's -march does not. */
#define CSSC_UN(name, insn)                                                     \
    static u64 i_##name(u64 x)                                                  \
    {                                                                           \
        u64 r;                                                                  \
        __asm__ volatile(".arch_extension cssc\n\t" insn : "=r"(r) : "r"(x));   \
        return r;                                                               \
    }
CSSC_UN(abs64, "abs %0, %1")
CSSC_UN(abs32, "abs %w0, %w1")
CSSC_UN(cnt64, "cnt %0, %1")
CSSC_UN(cnt32, "cnt %w0, %w1")
CSSC_UN(ctz64, "ctz %0, %1")
CSSC_UN(ctz32, "ctz %w0, %w1")

#define CSSC_BIN(name, insn)                                                    \
    static u64 i_##name(u64 a, u64 b)                                           \
    {                                                                           \
        u64 r;                                                                  \
        __asm__ volatile(".arch_extension cssc\n\t" insn : "=r"(r) : "r"(a), "r"(b)); \
        return r;                                                               \
    }
CSSC_BIN(smax64, "smax %0, %1, %2")
CSSC_BIN(smin64, "smin %0, %1, %2")
CSSC_BIN(umax64, "umax %0, %1, %2")
CSSC_BIN(umin64, "umin %0, %1, %2")
CSSC_BIN(smax32, "smax %w0, %w1, %w2")
CSSC_BIN(smin32, "smin %w0, %w1, %w2")
CSSC_BIN(umax32, "umax %w0, %w1, %w2")
CSSC_BIN(umin32, "umin %w0, %w1, %w2")

/* Immediate forms: signed imm8 for SMAX/SMIN, unsigned imm8 for UMAX/UMIN. */
#define CSSC_IMM(name, insn, imm)                                               \
    static u64 i_##name(u64 x)                                                  \
    {                                                                           \
        u64 r;                                                                  \
        __asm__ volatile(".arch_extension cssc\n\t" insn ", #" #imm : "=r"(r) : "r"(x)); \
        return r;                                                               \
    }
CSSC_IMM(smax64_m128, "smax %0, %1", -128)
CSSC_IMM(smax64_5, "smax %0, %1", 5)
CSSC_IMM(smin64_127, "smin %0, %1", 127)
CSSC_IMM(smin64_m1, "smin %0, %1", -1)
CSSC_IMM(umax64_200, "umax %0, %1", 200)
CSSC_IMM(umin64_255, "umin %0, %1", 255)
CSSC_IMM(umin64_0, "umin %0, %1", 0)
CSSC_IMM(smax32_m7, "smax %w0, %w1", -7)
CSSC_IMM(smin32_100, "smin %w0, %w1", 100)
CSSC_IMM(umax32_128, "umax %w0, %w1", 128)
CSSC_IMM(umin32_17, "umin %w0, %w1", 17)

static const struct {
    const char *name;
    u64 (*insn)(u64);
    u64 (*model)(u64);
} cssc_un[] = {
    {"abs x", i_abs64, m_abs64}, {"abs w", i_abs32, m_abs32}, {"cnt x", i_cnt64, m_cnt64},
    {"cnt w", i_cnt32, m_cnt32}, {"ctz x", i_ctz64, m_ctz64}, {"ctz w", i_ctz32, m_ctz32},
};

static const struct {
    const char *name;
    u64 (*insn)(u64, u64);
    u64 (*model)(u64, u64);
} cssc_bin[] = {
    {"smax x", i_smax64, m_smax64}, {"smin x", i_smin64, m_smin64},
    {"umax x", i_umax64, m_umax64}, {"umin x", i_umin64, m_umin64},
    {"smax w", i_smax32, m_smax32}, {"smin w", i_smin32, m_smin32},
    {"umax w", i_umax32, m_umax32}, {"umin w", i_umin32, m_umin32},
};

static const struct {
    const char *name;
    u64 (*insn)(u64);
    u64 (*model)(u64, u64);
    i64 imm;
} cssc_imm[] = {
    {"smax x #-128", i_smax64_m128, m_smax64, -128}, {"smax x #5", i_smax64_5, m_smax64, 5},
    {"smin x #127", i_smin64_127, m_smin64, 127},    {"smin x #-1", i_smin64_m1, m_smin64, -1},
    {"umax x #200", i_umax64_200, m_umax64, 200},    {"umin x #255", i_umin64_255, m_umin64, 255},
    {"umin x #0", i_umin64_0, m_umin64, 0},          {"smax w #-7", i_smax32_m7, m_smax32, -7},
    {"smin w #100", i_smin32_100, m_smin32, 100},    {"umax w #128", i_umax32_128, m_umax32, 128},
    {"umin w #17", i_umin32_17, m_umin32, 17},
};

/* The model's value of an immediate form: the immediate sign- or
 * zero-extended to the operation's width. */
static u64 imm_operand(const char *name, i64 imm)
{
    int is_signed = name[0] == 's', is32 = name[5] == 'w';
    u64 v = is_signed ? (u64)imm : (u64)(uint8_t)imm;
    return is32 ? (u32)v : v;
}

static void test_cssc(void)
{
    group_begin("cssc");
    /* Values of the 32-bit forms carry garbage in the upper half of the
     * source: it must be ignored and the result zero-extended. */
    for (unsigned k = 0; k < sizeof cssc_un / sizeof cssc_un[0]; k++) {
        fnv_begin();
        for (int i = 0; i < n_operands; i++) {
            u64 x = operands[i];
            u64 want = cssc_un[k].model(x);
            u64 got = use_model ? want : cssc_un[k].insn(x);
            fnv_add(got);
            if (got != want)
                check_fail("%s %llx: got %llx want %llx", cssc_un[k].name, (unsigned long long)x,
                           (unsigned long long)got, (unsigned long long)want);
        }
        u64 s0 = use_model ? cssc_un[k].model(0) : cssc_un[k].insn(0);
        u64 s1 = use_model ? cssc_un[k].model(0x8000000000000000ull)
                           : cssc_un[k].insn(0x8000000000000000ull);
        u64 s2 = use_model ? cssc_un[k].model(0xdead000080000000ull)
                           : cssc_un[k].insn(0xdead000080000000ull);
        printf("  %-14s 0:%llx 8000..0:%llx dead000080000000:%llx sum %016llx\n", cssc_un[k].name,
               (unsigned long long)s0, (unsigned long long)s1, (unsigned long long)s2,
               (unsigned long long)fnv_state);
    }
    for (unsigned k = 0; k < sizeof cssc_bin / sizeof cssc_bin[0]; k++) {
        fnv_begin();
        for (int i = 0; i < n_operands; i++)
            for (int j = 0; j < n_operands; j += 7) {
                u64 a = operands[i], b = operands[j];
                u64 want = cssc_bin[k].model(a, b);
                u64 got = use_model ? want : cssc_bin[k].insn(a, b);
                fnv_add(got);
                if (got != want)
                    check_fail("%s %llx %llx: got %llx want %llx", cssc_bin[k].name,
                               (unsigned long long)a, (unsigned long long)b,
                               (unsigned long long)got, (unsigned long long)want);
            }
        u64 a = 0xffffffff80000001ull, b = 0x000000007ffffffeull;
        u64 e = use_model ? cssc_bin[k].model(a, b) : cssc_bin[k].insn(a, b);
        printf("  %-14s ffffffff80000001,7ffffffe:%llx sum %016llx\n", cssc_bin[k].name,
               (unsigned long long)e, (unsigned long long)fnv_state);
    }
    for (unsigned k = 0; k < sizeof cssc_imm / sizeof cssc_imm[0]; k++) {
        u64 immv = imm_operand(cssc_imm[k].name, cssc_imm[k].imm);
        fnv_begin();
        for (int i = 0; i < n_operands; i++) {
            u64 x = operands[i];
            u64 want = cssc_imm[k].model(x, immv);
            u64 got = use_model ? want : cssc_imm[k].insn(x);
            fnv_add(got);
            if (got != want)
                check_fail("%s %llx: got %llx want %llx", cssc_imm[k].name, (unsigned long long)x,
                           (unsigned long long)got, (unsigned long long)want);
        }
        u64 e = use_model ? cssc_imm[k].model(0xfffffffffffffff0ull, immv)
                          : cssc_imm[k].insn(0xfffffffffffffff0ull);
        printf("  %-14s fffffffffffffff0:%llx sum %016llx\n", cssc_imm[k].name,
               (unsigned long long)e, (unsigned long long)fnv_state);
    }
    group_end();

    group_begin("cssc-hwcap");
    int has = use_model || (getauxval(AT_HWCAP2) & HWCAP2_CSSC) != 0;
    printf("  HWCAP2_CSSC %s\n", has ? "advertised" : "missing");
    CHECK("HWCAP2_CSSC", has);
    group_end();
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    make_operands();
    if (strcmp(mode, "cssc") == 0 || strcmp(mode, "cssc-model") == 0) {
        use_model = strcmp(mode, "cssc-model") == 0;
        test_cssc();
        return check_exit_status();
    }
    test_hwcap();
    test_flagm();
    test_flagm2();
    test_rng();
    return check_exit_status();
}
