/*
 * Integer data-processing instructions, driven through inline assembly so
 * that the exact instruction under test is executed (the compiler would
 * otherwise constant-fold or pick different instructions).
 *
 * Expected values come from small reference models written in plain C
 * (128-bit arithmetic for flags and high multiplies, bit loops for clz/rbit
 * and friends), so the checks do not depend on the emulator being right.
 */
#include <limits.h>
#include <string.h>

#include "check.h"

typedef uint64_t u64;
typedef int64_t i64;
typedef uint32_t u32;
typedef int32_t i32;

/* Garbage placed in the upper half of inputs to 32-bit instructions: they
 * must ignore it, and must zero the upper half of their destination. */
#define HI 0xdead000000000000ull

/* Print a computed value and compare it with the reference. */
static void val(const char *label, u64 got, u64 want)
{
    printf("  %-44s %016llx\n", label, (unsigned long long)got);
    CHECK_EQ(label, got, want);
}

/* ------------------------------------------------------------------ */
/* Reference model of NZCV. */

/* Flags of a + b + carry_in at 64 bits, as ADDS/ADCS compute them;
 * subtraction is a + ~b + 1, which is how the hardware does it too. */
static unsigned ref_add64(u64 a, u64 b, unsigned cin, u64 *res)
{
    unsigned __int128 s = (unsigned __int128)a + b + cin;
    u64 r = (u64)s;
    unsigned n = r >> 63, z = r == 0, c = (unsigned)(s >> 64);
    unsigned v = (unsigned)((~(a ^ b) & (a ^ r)) >> 63);
    *res = r;
    return n << 3 | z << 2 | c << 1 | v;
}

static unsigned ref_add32(u32 a, u32 b, unsigned cin, u64 *res)
{
    u64 s = (u64)a + b + cin;
    u32 r = (u32)s;
    unsigned n = r >> 31, z = r == 0, c = (unsigned)(s >> 32);
    unsigned v = (~(a ^ b) & (a ^ r)) >> 31;
    *res = r;
    return n << 3 | z << 2 | c << 1 | v;
}

/* Condition codes in encoding order (eq=0 ... nv=15). */
static const char *cond_names[16] = {"eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc",
                                     "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"};

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
    default: return 1; /* al, and nv which also means "always" */
    }
    return (cond & 1) ? !r : r;
}

/* ------------------------------------------------------------------ */
/* Division: no traps, x/0 == 0, INT_MIN/-1 == INT_MIN. */

static u64 sdiv_x(u64 a, u64 b) { u64 r; asm("sdiv %x0, %x1, %x2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static u64 udiv_x(u64 a, u64 b) { u64 r; asm("udiv %x0, %x1, %x2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static u64 sdiv_w(u64 a, u64 b) { u64 r; asm("sdiv %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static u64 udiv_w(u64 a, u64 b) { u64 r; asm("udiv %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(b)); return r; }

static void test_div(void)
{
    group_begin("div");
    val("sdiv32(7,2)", sdiv_w(7, 2), 3);
    val("sdiv32(-7,2)", sdiv_w(HI | (u32)-7, 2), (u32)-3);
    val("sdiv32(7,-2)", sdiv_w(7, HI | (u32)-2), (u32)-3);
    val("sdiv32(-7,-2)", sdiv_w((u32)-7, (u32)-2), 3);
    val("sdiv32(INT_MIN,-1)", sdiv_w(0x80000000u, 0xffffffffu), 0x80000000u);
    val("sdiv32(5,0)", sdiv_w(5, HI), 0);
    val("sdiv32(INT_MIN,0)", sdiv_w(0x80000000u, 0), 0);
    val("udiv32(0xffffffff,2)", udiv_w(HI | 0xffffffffu, 2), 0x7fffffff);
    val("udiv32(5,0)", udiv_w(5, 0), 0);
    val("udiv32(0x80000000,0xffffffff)", udiv_w(0x80000000u, 0xffffffffu), 0);
    val("sdiv64(LLONG_MIN,-1)", sdiv_x(0x8000000000000000ull, ~0ull), 0x8000000000000000ull);
    val("sdiv64(-9,4)", sdiv_x((u64)-9, 4), (u64)-2);
    val("sdiv64(1234,0)", sdiv_x(1234, 0), 0);
    val("sdiv64(LLONG_MIN,2)", sdiv_x(0x8000000000000000ull, 2), 0xc000000000000000ull);
    val("udiv64(~0,3)", udiv_x(~0ull, 3), 0x5555555555555555ull);
    val("udiv64(~0,0)", udiv_x(~0ull, 0), 0);
    val("udiv64(2^63,~0)", udiv_x(1ull << 63, ~0ull), 0);
    val("udiv64(x,1)", udiv_x(0x123456789abcdef0ull, 1), 0x123456789abcdef0ull);
    group_end();
}

/* ------------------------------------------------------------------ */
/* Variable shifts: the amount is taken modulo the register width. */

#define VSHIFT(name, insn, m)                                                   \
    static u64 name(u64 a, u64 s)                                               \
    {                                                                           \
        u64 r;                                                                  \
        asm(insn " %" m "0, %" m "1, %" m "2" : "=r"(r) : "r"(a), "r"(s));      \
        return r;                                                               \
    }
VSHIFT(lslv_x, "lsl", "x")
VSHIFT(lsrv_x, "lsr", "x")
VSHIFT(asrv_x, "asr", "x")
VSHIFT(rorv_x, "ror", "x")
VSHIFT(lslv_w, "lsl", "w")
VSHIFT(lsrv_w, "lsr", "w")
VSHIFT(asrv_w, "asr", "w")
VSHIFT(rorv_w, "ror", "w")

static u64 ref_shift(int op, int bits, u64 a, u64 s)
{
    unsigned n = s & (bits - 1);
    if (bits == 32) {
        u32 x = (u32)a;
        switch (op) {
        case 0: return (u32)(x << n);
        case 1: return x >> n;
        case 2: return (u32)((i32)x >> n);
        default: return n ? (u32)(x >> n | x << (32 - n)) : x;
        }
    }
    switch (op) {
    case 0: return a << n;
    case 1: return a >> n;
    case 2: return (u64)((i64)a >> n);
    default: return n ? (a >> n | a << (64 - n)) : a;
    }
}

static void test_shifts(void)
{
    static const u64 amounts[] = {0, 1, 7, 31, 32, 33, 63, 64, 65, 100, 127, 255, 256,
                                  ~0ull, 0x8000000000000020ull};
    static u64 (*const fx[4])(u64, u64) = {lslv_x, lsrv_x, asrv_x, rorv_x};
    static u64 (*const fw[4])(u64, u64) = {lslv_w, lsrv_w, asrv_w, rorv_w};
    static const char *names[4] = {"lslv", "lsrv", "asrv", "rorv"};
    const u64 a64 = 0x8123456789abcdefull, a32 = HI | 0x80f00f01u;
    char label[64];

    group_begin("shift");
    for (int op = 0; op < 4; op++)
        for (unsigned i = 0; i < sizeof amounts / sizeof amounts[0]; i++) {
            snprintf(label, sizeof label, "%s64 by %llx", names[op], (unsigned long long)amounts[i]);
            val(label, fx[op](a64, amounts[i]), ref_shift(op, 64, a64, amounts[i]));
            snprintf(label, sizeof label, "%s32 by %llx", names[op], (unsigned long long)amounts[i]);
            val(label, fw[op](a32, amounts[i]), ref_shift(op, 32, a32, amounts[i]));
        }
    group_end();
}

/* ------------------------------------------------------------------ */
/* Condition codes: cmp + cset for all 16 conditions.  cset cannot encode
 * al/nv, so those two use csel with a constant 1. */

#define CMPSET(c)                                                               \
    static u64 cmpx_##c(u64 a, u64 b)                                           \
    {                                                                           \
        u64 r;                                                                  \
        asm("cmp %x1, %x2\n\tcset %x0, " #c : "=r"(r) : "r"(a), "r"(b) : "cc"); \
        return r;                                                               \
    }                                                                           \
    static u64 cmpw_##c(u64 a, u64 b)                                           \
    {                                                                           \
        u64 r;                                                                  \
        asm("cmp %w1, %w2\n\tcset %w0, " #c : "=r"(r) : "r"(a), "r"(b) : "cc"); \
        return r;                                                               \
    }                                                                           \
    static u64 flag_##c(u64 nzcv)                                               \
    {                                                                           \
        u64 r;                                                                  \
        asm volatile("msr nzcv, %1\n\tcset %x0, " #c : "=r"(r) : "r"(nzcv << 28) : "cc"); \
        return r;                                                               \
    }
#define CMPSEL(c)                                                               \
    static u64 cmpx_##c(u64 a, u64 b)                                           \
    {                                                                           \
        u64 r;                                                                  \
        asm("cmp %x1, %x2\n\tcsel %x0, %x3, xzr, " #c                            \
            : "=r"(r) : "r"(a), "r"(b), "r"(1ull) : "cc");                      \
        return r;                                                               \
    }                                                                           \
    static u64 cmpw_##c(u64 a, u64 b)                                           \
    {                                                                           \
        u64 r;                                                                  \
        asm("cmp %w1, %w2\n\tcsel %w0, %w3, wzr, " #c                            \
            : "=r"(r) : "r"(a), "r"(b), "r"(1ull) : "cc");                      \
        return r;                                                               \
    }                                                                           \
    static u64 flag_##c(u64 nzcv)                                               \
    {                                                                           \
        u64 r;                                                                  \
        asm volatile("msr nzcv, %1\n\tcsel %x0, %x2, xzr, " #c                  \
                     : "=r"(r) : "r"(nzcv << 28), "r"(1ull) : "cc");            \
        return r;                                                               \
    }
CMPSET(eq) CMPSET(ne) CMPSET(cs) CMPSET(cc) CMPSET(mi) CMPSET(pl) CMPSET(vs) CMPSET(vc)
CMPSET(hi) CMPSET(ls) CMPSET(ge) CMPSET(lt) CMPSET(gt) CMPSET(le) CMPSEL(al) CMPSEL(nv)

#define ALLCONDS(p) {p##eq, p##ne, p##cs, p##cc, p##mi, p##pl, p##vs, p##vc,     \
                     p##hi, p##ls, p##ge, p##lt, p##gt, p##le, p##al, p##nv}
static u64 (*const cmpx[16])(u64, u64) = ALLCONDS(cmpx_);
static u64 (*const cmpw[16])(u64, u64) = ALLCONDS(cmpw_);
static u64 (*const flagc[16])(u64) = ALLCONDS(flag_);

static void test_conds(void)
{
    static const u64 p64[][2] = {
        {0, 0}, {0, 1}, {1, 0}, {1, ~0ull}, {~0ull, 1}, {~0ull, ~0ull},
        {0x8000000000000000ull, 1}, {0x7fffffffffffffffull, ~0ull},
        {0x8000000000000000ull, 0x7fffffffffffffffull},
        {0x7fffffffffffffffull, 0x8000000000000000ull},
        {0x8000000000000000ull, 0x8000000000000000ull}, {0, 0x8000000000000000ull},
        {5, 3}, {3, 5}, {0x100000000ull, 1},
    };
    static const u64 p32[][2] = {
        {0, 0}, {0, 1}, {1, 0}, {1, 0xffffffff}, {0xffffffff, 1}, {0xffffffff, 0xffffffff},
        {0x80000000, 1}, {0x7fffffff, 0xffffffff}, {0x80000000, 0x7fffffff},
        {0x7fffffff, 0x80000000}, {0x80000000, 0x80000000}, {0, 0x80000000},
        {HI | 5, 3}, {3, HI | 5}, {0x100000000ull, 1},
    };
    char bits[17], label[80];

    group_begin("cond-flags");
    /* Every condition against every NZCV value set directly with msr. */
    for (unsigned f = 0; f < 16; f++) {
        for (int c = 0; c < 16; c++) {
            u64 got = flagc[c](f);
            bits[c] = '0' + (int)got;
            if (got != (u64)ref_cond(c, f))
                check_fail("nzcv=%x cond %s gave %llu", f, cond_names[c], (unsigned long long)got);
        }
        bits[16] = 0;
        printf("  nzcv=%x  eq..nv: %s\n", f, bits);
    }
    group_end();

    group_begin("cond-cmp");
    for (unsigned i = 0; i < sizeof p64 / sizeof p64[0]; i++) {
        u64 res;
        unsigned f = ref_add64(p64[i][0], ~p64[i][1], 1, &res);
        for (int c = 0; c < 16; c++) {
            u64 got = cmpx[c](p64[i][0], p64[i][1]);
            bits[c] = '0' + (int)got;
            if (got != (u64)ref_cond(c, f))
                check_fail("cmp64 %llx,%llx cond %s", (unsigned long long)p64[i][0],
                           (unsigned long long)p64[i][1], cond_names[c]);
        }
        bits[16] = 0;
        snprintf(label, sizeof label, "cmp64 %llx, %llx", (unsigned long long)p64[i][0],
                 (unsigned long long)p64[i][1]);
        printf("  %-48s %s\n", label, bits);
    }
    for (unsigned i = 0; i < sizeof p32 / sizeof p32[0]; i++) {
        u64 res;
        unsigned f = ref_add32((u32)p32[i][0], ~(u32)p32[i][1], 1, &res);
        for (int c = 0; c < 16; c++) {
            u64 got = cmpw[c](p32[i][0], p32[i][1]);
            bits[c] = '0' + (int)got;
            if (got != (u64)ref_cond(c, f))
                check_fail("cmp32 %llx,%llx cond %s", (unsigned long long)p32[i][0],
                           (unsigned long long)p32[i][1], cond_names[c]);
        }
        bits[16] = 0;
        snprintf(label, sizeof label, "cmp32 %llx, %llx", (unsigned long long)p32[i][0],
                 (unsigned long long)p32[i][1]);
        printf("  %-48s %s\n", label, bits);
    }
    group_end();
}

/* ------------------------------------------------------------------ */
/* Flag-setting arithmetic, with the carry flag preset through msr nzcv. */

#define FLAGOP(name, text)                                                      \
    static u64 name(u64 a, u64 b, u64 nzcv_in, u64 *nzcv_out)                   \
    {                                                                           \
        u64 r, f;                                                               \
        asm volatile("msr nzcv, %3\n\t" text "\n\tmrs %1, nzcv"                 \
                     : "=&r"(r), "=&r"(f) : "r"(a), "r"(nzcv_in << 28), "r"(b)  \
                     : "cc");                                                   \
        *nzcv_out = f >> 28;                                                    \
        return r;                                                               \
    }
FLAGOP(adds_x, "adds %x0, %x2, %x4")
FLAGOP(adcs_x, "adcs %x0, %x2, %x4")
FLAGOP(subs_x, "subs %x0, %x2, %x4")
FLAGOP(sbcs_x, "sbcs %x0, %x2, %x4")
FLAGOP(ngcs_x, "ngcs %x0, %x4")
FLAGOP(adds_w, "adds %w0, %w2, %w4")
FLAGOP(adcs_w, "adcs %w0, %w2, %w4")
FLAGOP(subs_w, "subs %w0, %w2, %w4")
FLAGOP(sbcs_w, "sbcs %w0, %w2, %w4")
FLAGOP(ngcs_w, "ngcs %w0, %w4")
/* Non-flag-setting forms read C but must leave NZCV alone. */
FLAGOP(adc_x, "adc %x0, %x2, %x4")
FLAGOP(sbc_x, "sbc %x0, %x2, %x4")
FLAGOP(adc_w, "adc %w0, %w2, %w4")
FLAGOP(ngc_w, "ngc %w0, %w4")
FLAGOP(add_x, "add %x0, %x2, %x4")

static void test_flags(void)
{
    static const u64 pairs[][2] = {
        {0, 0}, {1, 1}, {~0ull, 1}, {1, ~0ull}, {0x7fffffffffffffffull, 1},
        {0x8000000000000000ull, ~0ull}, {0x8000000000000000ull, 0x8000000000000000ull},
        {0x7fffffff, 1}, {0xffffffff, 1}, {0x80000000, 0x80000000}, {HI | 3, HI | 5},
        {0x123456789abcdef0ull, 0x0fedcba987654321ull},
    };
    char label[96];

    group_begin("flags");
    for (unsigned i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        u64 a = pairs[i][0], b = pairs[i][1];
        for (unsigned cin = 0; cin < 2; cin++) {
            /* Preset NZCV: only C matters as input; set V too so that a
             * failure to overwrite V shows. */
            u64 fin = cin << 1 | 1, fo, r, wr;
            unsigned wf;
#define ONE(nm, fn, wantf_expr, wantr_expr)                                      \
    r = fn(a, b, fin, &fo);                                                      \
    wf = (wantf_expr);                                                           \
    snprintf(label, sizeof label, "%s(%llx,%llx,c=%u) nzcv", nm,                 \
             (unsigned long long)a, (unsigned long long)b, cin);                 \
    printf("  %-60s %016llx %x\n", label, (unsigned long long)r, (unsigned)fo);  \
    CHECK_EQ(label, fo, wf);                                                     \
    CHECK_EQ(label, r, (wantr_expr));
            ONE("adds64", adds_x, ref_add64(a, b, 0, &wr), wr)
            ONE("adcs64", adcs_x, ref_add64(a, b, cin, &wr), wr)
            ONE("subs64", subs_x, ref_add64(a, ~b, 1, &wr), wr)
            ONE("sbcs64", sbcs_x, ref_add64(a, ~b, cin, &wr), wr)
            ONE("ngcs64", ngcs_x, ref_add64(0, ~b, cin, &wr), wr)
            ONE("adds32", adds_w, ref_add32(a, b, 0, &wr), wr)
            ONE("adcs32", adcs_w, ref_add32(a, b, cin, &wr), wr)
            ONE("subs32", subs_w, ref_add32(a, ~(u32)b, 1, &wr), wr)
            ONE("sbcs32", sbcs_w, ref_add32(a, ~(u32)b, cin, &wr), wr)
            ONE("ngcs32", ngcs_w, ref_add32(0, ~(u32)b, cin, &wr), wr)
            ONE("adc64", adc_x, (ref_add64(a, b, cin, &wr), fin), wr)
            ONE("sbc64", sbc_x, (ref_add64(a, ~b, cin, &wr), fin), wr)
            ONE("adc32", adc_w, (ref_add32(a, b, cin, &wr), fin), wr)
            ONE("ngc32", ngc_w, (ref_add32(0, ~(u32)b, cin, &wr), fin), wr)
            ONE("add64", add_x, (ref_add64(a, b, 0, &wr), fin), wr)
#undef ONE
        }
    }
    group_end();
}

/* ------------------------------------------------------------------ */
/* ccmp / ccmn: compare if the condition holds, else load the immediate. */

#define CCOP(name, text)                                                        \
    static u64 name(u64 a, u64 b, u64 nzcv_in)                                  \
    {                                                                           \
        u64 f;                                                                  \
        asm volatile("msr nzcv, %1\n\t" text "\n\tmrs %0, nzcv"                 \
                     : "=&r"(f) : "r"(nzcv_in << 28), "r"(a), "r"(b) : "cc");    \
        return f >> 28;                                                         \
    }
CCOP(ccmp_eq_x, "ccmp %x2, %x3, #5, eq")
CCOP(ccmn_ne_x, "ccmn %x2, %x3, #10, ne")
CCOP(ccmp_hi_w, "ccmp %w2, %w3, #15, hi")
CCOP(ccmn_lt_w, "ccmn %w2, %w3, #0, lt")
CCOP(ccmp_ge_imm_x, "ccmp %x2, #17, #2, ge")
CCOP(ccmn_vs_imm_w, "ccmn %w2, #31, #8, vs")

static void test_ccmp(void)
{
    static const u64 pairs[][2] = {{5, 5}, {0, 1}, {~0ull, 1}, {0x80000000, 0x80000000},
                                   {17, 0}, {(u64)-31, 0}, {0x7fffffffffffffffull, ~0ull}};
    struct ccase {
        const char *name;
        u64 (*fn)(u64, u64, u64);
        int cond, neg, is32, use_imm;
        u64 imm_b;
        unsigned imm_nzcv;
    } cases[] = {
        {"ccmp64 eq #5", ccmp_eq_x, 0, 0, 0, 0, 0, 5},
        {"ccmn64 ne #10", ccmn_ne_x, 1, 1, 0, 0, 0, 10},
        {"ccmp32 hi #15", ccmp_hi_w, 8, 0, 1, 0, 0, 15},
        {"ccmn32 lt #0", ccmn_lt_w, 11, 1, 1, 0, 0, 0},
        {"ccmp64 #17 ge #2", ccmp_ge_imm_x, 10, 0, 0, 1, 17, 2},
        {"ccmn32 #31 vs #8", ccmn_vs_imm_w, 6, 1, 1, 1, 31, 8},
    };
    char out[17], label[80];

    group_begin("ccmp");
    for (unsigned k = 0; k < sizeof cases / sizeof cases[0]; k++)
        for (unsigned i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
            u64 a = pairs[i][0], b = cases[k].use_imm ? cases[k].imm_b : pairs[i][1];
            for (unsigned f = 0; f < 16; f++) {
                u64 got = cases[k].fn(a, b, f), r;
                unsigned want;
                if (!ref_cond(cases[k].cond, f))
                    want = cases[k].imm_nzcv;
                else if (cases[k].is32)
                    want = ref_add32(a, cases[k].neg ? (u32)b : ~(u32)b, !cases[k].neg, &r);
                else
                    want = ref_add64(a, cases[k].neg ? b : ~b, !cases[k].neg, &r);
                out[f] = "0123456789abcdef"[got & 15];
                if (got != want)
                    check_fail("%s a=%llx b=%llx nzcv_in=%x: got %llx want %x", cases[k].name,
                               (unsigned long long)a, (unsigned long long)b, f,
                               (unsigned long long)got, want);
            }
            out[16] = 0;
            snprintf(label, sizeof label, "%s a=%llx b=%llx", cases[k].name,
                     (unsigned long long)a, (unsigned long long)b);
            printf("  %-52s nzcv 0..f -> %s\n", label, out);
        }
    group_end();
}

/* ------------------------------------------------------------------ */
/* Conditional select family, condition "eq" preset through NZCV.Z. */

#define CSOP(name, text)                                                        \
    static u64 name(u64 a, u64 b, u64 z)                                        \
    {                                                                           \
        u64 r;                                                                  \
        asm("msr nzcv, %3\n\t" text : "=r"(r) : "r"(a), "r"(b), "r"(z << 30) : "cc"); \
        return r;                                                               \
    }
CSOP(csel_x, "csel %x0, %x1, %x2, eq")
CSOP(csinc_x, "csinc %x0, %x1, %x2, eq")
CSOP(csinv_x, "csinv %x0, %x1, %x2, eq")
CSOP(csneg_x, "csneg %x0, %x1, %x2, eq")
CSOP(csel_w, "csel %w0, %w1, %w2, eq")
CSOP(csinc_w, "csinc %w0, %w1, %w2, eq")
CSOP(csinv_w, "csinv %w0, %w1, %w2, eq")
CSOP(csneg_w, "csneg %w0, %w1, %w2, eq")
CSOP(cinc_x, "cinc %x0, %x1, ne")
CSOP(cneg_w, "cneg %w0, %w1, eq")
CSOP(csetm_x, "csetm %x0, eq")

static void test_csel(void)
{
    const u64 a = 0x1111222233334444ull, b = 0x8000000000000000ull | 0x80000000u;
    group_begin("csel");
    for (u64 z = 0; z < 2; z++) {
        char l[64];
#define CS(nm, fn, want) snprintf(l, sizeof l, "%s z=%llu", nm, (unsigned long long)z); val(l, fn(a, b, z), want)
        CS("csel64", csel_x, z ? a : b);
        CS("csinc64", csinc_x, z ? a : b + 1);
        CS("csinv64", csinv_x, z ? a : ~b);
        CS("csneg64", csneg_x, z ? a : -b);
        CS("csel32", csel_w, z ? (u32)a : (u32)b);
        CS("csinc32", csinc_w, z ? (u32)a : (u32)(b + 1));
        CS("csinv32", csinv_w, z ? (u32)a : (u32)~b);
        CS("csneg32(INT_MIN)", csneg_w, z ? (u32)a : 0x80000000u);
        CS("cinc64 ne", cinc_x, z ? a : a + 1);
        CS("cneg32 eq", cneg_w, z ? (u32)-(u32)a : (u32)a);
        CS("csetm64 eq", csetm_x, z ? ~0ull : 0);
#undef CS
    }
    group_end();
}

/* ------------------------------------------------------------------ */
/* Multiplies. */

#define MUL3(name, text)                                                        \
    static u64 name(u64 a, u64 b, u64 c)                                        \
    {                                                                           \
        u64 r;                                                                  \
        asm(text : "=r"(r) : "r"(a), "r"(b), "r"(c));                           \
        return r;                                                               \
    }
MUL3(madd_x, "madd %x0, %x1, %x2, %x3")
MUL3(msub_x, "msub %x0, %x1, %x2, %x3")
MUL3(madd_w, "madd %w0, %w1, %w2, %w3")
MUL3(msub_w, "msub %w0, %w1, %w2, %w3")
MUL3(smaddl, "smaddl %x0, %w1, %w2, %x3")
MUL3(umaddl, "umaddl %x0, %w1, %w2, %x3")
MUL3(smsubl, "smsubl %x0, %w1, %w2, %x3")
MUL3(umsubl, "umsubl %x0, %w1, %w2, %x3")
MUL3(smulh, "smulh %x0, %x1, %x2")
MUL3(umulh, "umulh %x0, %x1, %x2")
MUL3(mneg_x, "mneg %x0, %x1, %x2")
MUL3(smull, "smull %x0, %w1, %w2")

static void test_mul(void)
{
    static const u64 v[][3] = {
        {3, 5, 7}, {~0ull, ~0ull, 1}, {0x8000000000000000ull, 2, 0},
        {0x123456789abcdef0ull, 0xfedcba9876543210ull, 0x1111111111111111ull},
        {HI | 0x80000000u, HI | 0x80000000u, 0x8000000000000000ull},
        {0x7fffffff, 0xffffffff, 42}, {0xffffffffffffffffull, 2, 3},
    };
    char l[80];
    group_begin("mul");
    for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++) {
        u64 a = v[i][0], b = v[i][1], c = v[i][2];
        i64 sa = (i32)a, sb = (i32)b;
#define M(nm, fn, want) snprintf(l, sizeof l, "%s #%u", nm, i); val(l, fn(a, b, c), want)
        M("madd64", madd_x, a * b + c);
        M("msub64", msub_x, c - a * b);
        M("madd32", madd_w, (u32)((u32)a * (u32)b + (u32)c));
        M("msub32", msub_w, (u32)((u32)c - (u32)a * (u32)b));
        M("smaddl", smaddl, (u64)(sa * sb) + c);
        M("umaddl", umaddl, (u64)(u32)a * (u32)b + c);
        M("smsubl", smsubl, c - (u64)(sa * sb));
        M("umsubl", umsubl, c - (u64)(u32)a * (u32)b);
        M("smulh", smulh, (u64)((__int128)(i64)a * (i64)b >> 64));
        M("umulh", umulh, (u64)((unsigned __int128)a * b >> 64));
        M("mneg64", mneg_x, -(a * b));
        M("smull", smull, (u64)(sa * sb));
#undef M
    }
    group_end();
}

/* ------------------------------------------------------------------ */
/* Bit manipulation: clz/cls/rbit/rev*. */

#define UN(name, text) static u64 name(u64 a) { u64 r; asm(text : "=r"(r) : "r"(a)); return r; }
UN(clz_x, "clz %x0, %x1")
UN(clz_w, "clz %w0, %w1")
UN(cls_x, "cls %x0, %x1")
UN(cls_w, "cls %w0, %w1")
UN(rbit_x, "rbit %x0, %x1")
UN(rbit_w, "rbit %w0, %w1")
UN(rev_x, "rev %x0, %x1")
UN(rev_w, "rev %w0, %w1")
UN(rev16_x, "rev16 %x0, %x1")
UN(rev16_w, "rev16 %w0, %w1")
UN(rev32_x, "rev32 %x0, %x1")

static u64 ref_clz(u64 a, int bits)
{
    int n = 0;
    for (int i = bits - 1; i >= 0 && !(a >> i & 1); i--)
        n++;
    return n;
}

/* Leading bits equal to the sign bit, not counting the sign bit itself. */
static u64 ref_cls(u64 a, int bits)
{
    int s = a >> (bits - 1) & 1, n = 0;
    for (int i = bits - 2; i >= 0 && (int)(a >> i & 1) == s; i--)
        n++;
    return n;
}

static u64 ref_rbit(u64 a, int bits)
{
    u64 r = 0;
    for (int i = 0; i < bits; i++)
        if (a >> i & 1)
            r |= 1ull << (bits - 1 - i);
    return r;
}

/* Reverse the bytes inside each container of csize bytes. */
static u64 ref_rev(u64 a, int bits, int csize)
{
    u64 r = 0;
    for (int i = 0; i < bits / 8; i++) {
        int c = i / csize, j = i % csize;
        int dst = c * csize + (csize - 1 - j);
        r |= (a >> (8 * i) & 0xff) << (8 * dst);
    }
    return r;
}

static void test_bits(void)
{
    static const u64 v[] = {0, 1, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull,
                            0x00000000ffffffffull, 0x0000000080000000ull, 0x0123456789abcdefull,
                            0xfff0000000000000ull, HI | 0x0000ffffu, 0x00000000c0000000ull};
    char l[64];
    group_begin("bits");
    for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++) {
        u64 a = v[i];
#define B(nm, fn, want) snprintf(l, sizeof l, "%s(%llx)", nm, (unsigned long long)a); val(l, fn(a), want)
        B("clz64", clz_x, ref_clz(a, 64));
        B("clz32", clz_w, ref_clz((u32)a, 32));
        B("cls64", cls_x, ref_cls(a, 64));
        B("cls32", cls_w, ref_cls((u32)a, 32));
        B("rbit64", rbit_x, ref_rbit(a, 64));
        B("rbit32", rbit_w, ref_rbit((u32)a, 32));
        B("rev64", rev_x, ref_rev(a, 64, 8));
        B("rev32w", rev_w, ref_rev((u32)a, 32, 4));
        B("rev16x", rev16_x, ref_rev(a, 64, 2));
        B("rev16w", rev16_w, ref_rev((u32)a, 32, 2));
        B("rev32x", rev32_x, ref_rev(a, 64, 4));
#undef B
    }
    group_end();
}

/* ------------------------------------------------------------------ */
/* Bitfield moves and extracts (immediates must be in the instruction). */

static u64 mask(int w) { return w >= 64 ? ~0ull : (1ull << w) - 1; }
/* Sign-extend the low w bits: flip the sign bit, then subtract it back. */
static u64 sext(u64 x, int w)
{
    if (w >= 64)
        return x;
    u64 sign = 1ull << (w - 1);
    return ((x & mask(w)) ^ sign) - sign;
}

/* Results of 32-bit forms are zero-extended to 64 bits. */
static u64 trunc_to(u64 x, int bits) { return x & mask(bits); }

static u64 ref_ubfx(u64 x, int lsb, int w, int bits) { return trunc_to(x, bits) >> lsb & mask(w); }
static u64 ref_sbfx(u64 x, int lsb, int w, int bits) { return trunc_to(sext(x >> lsb, w), bits); }
static u64 ref_ubfiz(u64 x, int lsb, int w, int bits) { return trunc_to((x & mask(w)) << lsb, bits); }
static u64 ref_sbfiz(u64 x, int lsb, int w, int bits) { return trunc_to(sext(x, w) << lsb, bits); }
static u64 ref_bfi(u64 d, u64 s, int lsb, int w, int bits)
{
    u64 m = mask(w) << lsb;
    return trunc_to((d & ~m) | ((s << lsb) & m), bits);
}
static u64 ref_bfxil(u64 d, u64 s, int lsb, int w, int bits)
{
    return trunc_to((d & ~mask(w)) | (s >> lsb & mask(w)), bits);
}

#define BF1(text, in) ({ u64 r_; asm(text : "=r"(r_) : "r"((u64)(in))); r_; })
#define BF2(text, d, s) ({ u64 r_ = (d); asm(text : "+r"(r_) : "r"((u64)(s))); r_; })

#define T1(op, m, bits, l, w, x)                                                \
    val(#op #bits " #" #l ",#" #w, BF1(#op " %" #m "0, %" #m "1, #" #l ", #" #w, x), \
        ref_##op(x, l, w, bits))
#define T2(op, m, bits, l, w, d, s)                                             \
    val(#op #bits " #" #l ",#" #w, BF2(#op " %" #m "0, %" #m "1, #" #l ", #" #w, d, s), \
        ref_##op(d, s, l, w, bits))

static void test_bitfield(void)
{
    const u64 x = 0x89abcdef01234567ull, y = 0xf0e1d2c3b4a59687ull, d = 0x5555555555555555ull;
    group_begin("bitfield");
    T1(ubfx, x, 64, 0, 8, x);   T1(ubfx, x, 64, 4, 12, y);  T1(ubfx, x, 64, 60, 4, x);
    T1(ubfx, x, 64, 1, 63, y);  T1(ubfx, w, 32, 28, 4, y);  T1(ubfx, w, 32, 3, 17, HI | 0xfedcba98u);
    T1(sbfx, x, 64, 0, 8, y);   T1(sbfx, x, 64, 60, 4, x);  T1(sbfx, x, 64, 5, 1, x);
    T1(sbfx, x, 64, 0, 64, x);  T1(sbfx, w, 32, 16, 16, y); T1(sbfx, w, 32, 0, 7, y);
    T1(ubfiz, x, 64, 8, 8, y);  T1(ubfiz, x, 64, 63, 1, x); T1(ubfiz, w, 32, 20, 12, y);
    T1(sbfiz, x, 64, 4, 8, y);  T1(sbfiz, x, 64, 32, 16, y); T1(sbfiz, w, 32, 3, 9, x);
    T2(bfi, x, 64, 8, 16, d, y);  T2(bfi, x, 64, 0, 64, d, y); T2(bfi, x, 64, 63, 1, d, x);
    T2(bfi, w, 32, 12, 8, HI | 0x55555555u, y);
    T2(bfxil, x, 64, 4, 8, d, y); T2(bfxil, x, 64, 32, 32, d, y); T2(bfxil, w, 32, 24, 8, d, x);

    /* Extension aliases and immediate shifts (also UBFM/SBFM). */
    val("sxtb w", BF1("sxtb %w0, %w1", y), (u32)(i32)(int8_t)y);
    val("sxtb x", BF1("sxtb %x0, %w1", y), (u64)(int8_t)y);
    val("sxth w", BF1("sxth %w0, %w1", y), (u32)(i32)(int16_t)y);
    val("sxth x", BF1("sxth %x0, %w1", y), (u64)(int16_t)y);
    val("sxtw x", BF1("sxtw %x0, %w1", y), (u64)(i32)y);
    val("uxtb w", BF1("uxtb %w0, %w1", y), y & 0xff);
    val("uxth w", BF1("uxth %w0, %w1", y), y & 0xffff);
    val("lsl x #13", BF1("lsl %x0, %x1, #13", y), y << 13);
    val("lsr x #63", BF1("lsr %x0, %x1, #63", y), y >> 63);
    val("asr x #7", BF1("asr %x0, %x1, #7", y), (u64)((i64)y >> 7));
    val("lsl w #31", BF1("lsl %w0, %w1, #31", y), (u32)(y << 31));
    val("lsr w #9", BF1("lsr %w0, %w1, #9", y), (u32)y >> 9);
    val("asr w #31", BF1("asr %w0, %w1, #31", y), 0xffffffffu);
    val("ror x #12", BF1("ror %x0, %x1, #12", y), y >> 12 | y << 52);
    val("ror w #8", BF1("ror %w0, %w1, #8", y), (u32)((u32)y >> 8 | (u32)y << 24));

    /* extr takes the low bits of the first source as the high part. */
    u64 r;
    asm("extr %x0, %x1, %x2, #20" : "=r"(r) : "r"(x), "r"(y));
    val("extr x #20", r, y >> 20 | x << 44);
    asm("extr %x0, %x1, %x2, #0" : "=r"(r) : "r"(x), "r"(y));
    val("extr x #0", r, y);
    asm("extr %w0, %w1, %w2, #4" : "=r"(r) : "r"(x), "r"(y));
    val("extr w #4", r, (u32)((u32)y >> 4 | (u32)x << 28));
    group_end();
}

/* ------------------------------------------------------------------ */
/* Wide moves. */

static void test_movwide(void)
{
    u64 r;
    group_begin("movwide");
    asm("movz %x0, #0x1234, lsl #48" : "=r"(r)); val("movz x lsl48", r, 0x1234000000000000ull);
    asm("movz %x0, #0xffff" : "=r"(r)); val("movz x", r, 0xffff);
    asm("movz %w0, #0xffff, lsl #16" : "=r"(r)); val("movz w lsl16", r, 0xffff0000u);
    asm("movn %x0, #0x1234, lsl #16" : "=r"(r)); val("movn x lsl16", r, 0xffffffffedcbffffull);
    asm("movn %x0, #0" : "=r"(r)); val("movn x #0", r, ~0ull);
    asm("movn %w0, #0x1234" : "=r"(r)); val("movn w", r, 0xffffedcbu);
    r = ~0ull; asm("movk %x0, #0xabcd, lsl #16" : "+r"(r)); val("movk x lsl16", r, 0xffffffffabcdffffull);
    r = 0; asm("movk %x0, #0x8765, lsl #48" : "+r"(r)); val("movk x lsl48", r, 0x8765000000000000ull);
    r = ~0ull; asm("movk %w0, #0x5555" : "+r"(r)); val("movk w (zeroes top)", r, 0xffff5555u);
    asm("movz %x0, #0xdef0\n\tmovk %x0, #0x9abc, lsl #16\n\tmovk %x0, #0x5678, lsl #32\n\t"
        "movk %x0, #0x1234, lsl #48" : "=r"(r));
    val("movz+3 movk", r, 0x123456789abcdef0ull);
    group_end();
}

/* ------------------------------------------------------------------ */
/* Logical immediates: many element sizes, run lengths and rotations. */

#define LOGI(m, bits, imm)                                                      \
    do {                                                                        \
        u64 mv, av, ev, nv, f;                                                  \
        const u64 im = (u64)(imm), in = 0xc3a5f00f12345678ull;                  \
        asm("orr %" #m "0, " #m "zr, #" #imm : "=r"(mv));                        \
        asm("and %" #m "0, %" #m "1, #" #imm : "=r"(av) : "r"(in));             \
        asm("eor %" #m "0, %" #m "1, #" #imm : "=r"(ev) : "r"(in));             \
        asm volatile("ands %" #m "0, %" #m "2, #" #imm "\n\tmrs %1, nzcv"       \
                     : "=r"(nv), "=r"(f) : "r"(in) : "cc");                     \
        printf("  %-24s %016llx and %016llx eor %016llx nzcv %x\n", #bits " " #imm, \
               (unsigned long long)mv, (unsigned long long)av, (unsigned long long)ev, \
               (unsigned)(f >> 28));                                            \
        CHECK_EQ("orr " #imm, mv, trunc_to(im, bits));                          \
        CHECK_EQ("and " #imm, av, trunc_to(in & im, bits));                     \
        CHECK_EQ("eor " #imm, ev, trunc_to(in ^ im, bits));                     \
        u64 t = trunc_to(in & im, bits);                                        \
        CHECK_EQ("ands " #imm, f >> 28, (t >> (bits - 1) & 1) << 3 | (t == 0) << 2); \
        (void)nv;                                                               \
    } while (0)

static void test_logimm(void)
{
    group_begin("logical-imm");
    LOGI(x, 64, 0x5555555555555555); LOGI(x, 64, 0xaaaaaaaaaaaaaaaa);
    LOGI(x, 64, 0x3333333333333333); LOGI(x, 64, 0x6666666666666666);
    LOGI(x, 64, 0x1111111111111111); LOGI(x, 64, 0x0f0f0f0f0f0f0f0f);
    LOGI(x, 64, 0x8080808080808080); LOGI(x, 64, 0xfefefefefefefefe);
    LOGI(x, 64, 0x00ff00ff00ff00ff); LOGI(x, 64, 0x0001000100010001);
    LOGI(x, 64, 0x0000ffff0000ffff); LOGI(x, 64, 0xc0000003c0000003);
    LOGI(x, 64, 0x00000000ffffffff); LOGI(x, 64, 0x0000000000000001);
    LOGI(x, 64, 0x8000000000000000); LOGI(x, 64, 0x7fffffffffffffff);
    LOGI(x, 64, 0xfffffffffffffffe); LOGI(x, 64, 0x00000ffffffff000);
    LOGI(x, 64, 0xf00000000000000f); LOGI(x, 64, 0xffffffffffff0000);
    LOGI(w, 32, 0x0000ffff); LOGI(w, 32, 0xffff0000); LOGI(w, 32, 0x55555555);
    LOGI(w, 32, 0x0ff00ff0); LOGI(w, 32, 0x80000001); LOGI(w, 32, 0x7ffffffe);
    LOGI(w, 32, 0xfffffffe); LOGI(w, 32, 0x00000001); LOGI(w, 32, 0x3c3c3c3c);
    LOGI(w, 32, 0xe0000007); LOGI(w, 32, 0x80000000);
    group_end();
}

/* ------------------------------------------------------------------ */
/* Shifted-register logical/arithmetic ops and add/sub immediates. */

#define OP2(text, a, b) ({ u64 r_; asm(text : "=r"(r_) : "r"((u64)(a)), "r"((u64)(b))); r_; })

static void test_shiftedreg(void)
{
    const u64 a = 0x0123456789abcdefull, b = 0xf0f0f0f00ff00ff1ull;
    u64 r;
    group_begin("shifted-reg");
    val("and lsl #4", OP2("and %x0, %x1, %x2, lsl #4", a, b), a & (b << 4));
    val("orr lsr #60", OP2("orr %x0, %x1, %x2, lsr #60", a, b), a | (b >> 60));
    val("eor asr #3", OP2("eor %x0, %x1, %x2, asr #3", a, b), a ^ (u64)((i64)b >> 3));
    val("bic ror #8", OP2("bic %x0, %x1, %x2, ror #8", a, b), a & ~(b >> 8 | b << 56));
    val("orn", OP2("orn %x0, %x1, %x2", a, b), a | ~b);
    val("eon lsl #1", OP2("eon %x0, %x1, %x2, lsl #1", a, b), a ^ ~(b << 1));
    val("mvn w", OP2("mvn %w0, %w2", a, b), (u32)~b);
    val("and w ror #16", OP2("and %w0, %w1, %w2, ror #16", a, b),
        (u32)a & ((u32)b >> 16 | (u32)b << 16));
    val("add lsl #12", OP2("add %x0, %x1, %x2, lsl #12", a, b), a + (b << 12));
    val("sub asr #63", OP2("sub %x0, %x1, %x2, asr #63", a, b), a - (u64)((i64)b >> 63));
    val("add w lsr #31", OP2("add %w0, %w1, %w2, lsr #31", a, b), (u32)(a + ((u32)b >> 31)));
    val("neg", OP2("neg %x0, %x2", a, b), -b);
    val("neg w asr #4", OP2("neg %w0, %w2, asr #4", a, b), (u32)-(u32)((i32)b >> 4));
    asm("add %x0, %x1, #0xabc, lsl #12" : "=r"(r) : "r"(a)); val("add imm lsl12", r, a + 0xabc000);
    asm("sub %w0, %w1, #4095" : "=r"(r) : "r"(a)); val("sub w imm", r, (u32)(a - 4095));
    asm("sub %x0, %x1, #1" : "=r"(r) : "r"(0ull)); val("sub imm wrap", r, ~0ull);
    u64 f;
    asm volatile("tst %x1, %x2\n\tmrs %0, nzcv" : "=r"(f) : "r"(a), "r"(~a) : "cc");
    val("tst disjoint nzcv", f >> 28, 4);
    asm volatile("bics %x0, %x2, %x3\n\tmrs %1, nzcv" : "=&r"(r), "=r"(f) : "r"(b), "r"(a) : "cc");
    val("bics value", r, b & ~a);
    val("bics nzcv", f >> 28, 8);
    group_end();
}

/* ------------------------------------------------------------------ */
/* Add/sub with extended register. */

static u64 ref_ext(u64 v, int type)
{
    switch (type) {
    case 0: return (uint8_t)v;
    case 1: return (uint16_t)v;
    case 2: return (u32)v;
    case 3: return v;
    case 4: return (u64)(int8_t)v;
    case 5: return (u64)(int16_t)v;
    case 6: return (u64)(i32)v;
    default: return v;
    }
}

#define EXTX(ext, t, reg, sh)                                                   \
    val("add x, " #ext " #" #sh, OP2("add %x0, %x1, %" #reg "2, " #ext " #" #sh, a, b), \
        a + (ref_ext(b, t) << sh));                                             \
    val("sub x, " #ext " #" #sh, OP2("sub %x0, %x1, %" #reg "2, " #ext " #" #sh, a, b), \
        a - (ref_ext(b, t) << sh))
#define EXTW(ext, t, sh)                                                        \
    val("add w, " #ext " #" #sh, OP2("add %w0, %w1, %w2, " #ext " #" #sh, a, b), \
        (u32)(a + (ref_ext(b, t) << sh)))

static void test_extended(void)
{
    static const u64 bs[] = {0x89abcdef8a5c96f1ull, 0x0123456701234171ull};
    const u64 a = 0x1000000000000000ull;
    group_begin("extended-reg");
    for (int i = 0; i < 2; i++) {
        u64 b = bs[i];
        printf("  b = %016llx\n", (unsigned long long)b);
        EXTX(uxtb, 0, w, 0); EXTX(uxth, 1, w, 1); EXTX(uxtw, 2, w, 2); EXTX(uxtx, 3, x, 3);
        EXTX(sxtb, 4, w, 4); EXTX(sxth, 5, w, 0); EXTX(sxtw, 6, w, 3); EXTX(sxtx, 7, x, 1);
        EXTW(uxtb, 0, 2); EXTW(sxth, 5, 4); EXTW(sxtb, 4, 0); EXTW(uxtw, 2, 1);
    }
    /* SP as the first operand forces the extended-register encoding. */
    u64 d, sp;
    asm("mov %0, sp\n\tadd %1, sp, %2" : "=&r"(sp), "=r"(d) : "r"(0x40ull));
    val("add x, sp, x (offset)", d - sp, 0x40);
    u64 f, r;
    asm volatile("adds %x0, %x2, %w3, sxtw\n\tmrs %1, nzcv" : "=r"(r), "=r"(f)
                 : "r"(1ull), "r"(0xffffffffull) : "cc");
    val("adds x, sxtw(-1) value", r, 0);
    val("adds x, sxtw(-1) nzcv", f >> 28, 6);
    asm volatile("cmp %x1, %w2, uxtb\n\tmrs %0, nzcv" : "=r"(f) : "r"(0xffull), "r"(0x1ffull) : "cc");
    val("cmp x, uxtb nzcv", f >> 28, 6);
    group_end();
}

/* ------------------------------------------------------------------ */
/* PC-relative addressing. */

static int adr_target(void) { return 7; }
static u64 page_var[4] __attribute__((aligned(64))) = {1, 2, 3, 4};

static void test_adr(void)
{
    u64 r, p;
    group_begin("adr");
    asm("adr %0, adr_target" : "=r"(r));
    CHECK("adr reaches the function", r == (u64)(uintptr_t)adr_target);
    asm("adr %0, 1f\n1:\tadr %1, 1b" : "=r"(r), "=r"(p));
    CHECK("adr forward/backward label agree", r == p);
    asm("adrp %0, page_var" : "=r"(p));
    CHECK("adrp is page aligned", (p & 0xfff) == 0);
    CHECK("adrp is the page of the variable", p == ((u64)(uintptr_t)page_var & ~0xfffull));
    asm("adrp %0, page_var\n\tadd %0, %0, :lo12:page_var" : "=r"(r));
    CHECK("adrp + lo12 gives the address", r == (u64)(uintptr_t)page_var);
    asm("adrp %0, page_var\n\tldr %0, [%0, :lo12:page_var+16]" : "=r"(r));
    val("adrp + ldr lo12 reads page_var[2]", r, 3);
    printf("  adr/adrp compared against C addresses\n");
    group_end();
}

int main(void)
{
    test_div();
    test_shifts();
    test_conds();
    test_flags();
    test_ccmp();
    test_csel();
    test_mul();
    test_bits();
    test_bitfield();
    test_movwide();
    test_logimm();
    test_shiftedreg();
    test_extended();
    test_adr();
    return check_exit_status();
}
