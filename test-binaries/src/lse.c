/*
 * ARMv8.1 Large System Extension atomics (compiled with -march=armv8.1-a):
 * CAS/CASP, the LD<op> family, SWP and the ST<op> aliases, in every size and
 * every ordering variant.  Single-threaded: the point is the data-path
 * semantics (returned old value, stored new value, exact access size).
 *
 * Each operation runs on a word in the middle of a 32-byte area filled with
 * a marker byte, so that a store of the wrong size is caught too.
 */
#include <string.h>

#include "check.h"

typedef uint64_t u64;
typedef int64_t i64;

static uint8_t area[32] __attribute__((aligned(16)));
#define TARGET (area + 16)

static const char *size_names[4] = {"b", "h", "w", "x"};
static const int size_bits[4] = {8, 16, 32, 64};
static const char *ord_names[4] = {"", "a", "l", "al"};

static u64 trunc_to(u64 v, int bits) { return bits == 64 ? v : v & ((1ull << bits) - 1); }
static i64 sext(u64 v, int bits)
{
    if (bits == 64)
        return (i64)v;
    u64 sign = 1ull << (bits - 1);
    return (i64)((trunc_to(v, bits) ^ sign) - sign);
}

/* ------------------------------------------------------------------ */
/* LD<op> and SWP: one function per (op, ordering, size).  The W forms are
 * used for b/h/w; results of the narrow forms are zero-extended. */

#define LSE1(op, ord, tag, sfx, m)                                              \
    static u64 lse_##op##ord##_##tag(void *p, u64 v)                            \
    {                                                                           \
        u64 old;                                                                \
        asm volatile(#op #ord sfx " %" m "1, %" m "0, [%2]"                     \
                     : "=&r"(old) : "r"(v), "r"(p) : "memory");                 \
        return old;                                                             \
    }
#define LSE_SIZES(op, ord)                                                      \
    LSE1(op, ord, b, "b", "w") LSE1(op, ord, h, "h", "w")                       \
    LSE1(op, ord, w, "", "w") LSE1(op, ord, x, "", "x")
#define LSE_ORDS(op) LSE_SIZES(op, ) LSE_SIZES(op, a) LSE_SIZES(op, l) LSE_SIZES(op, al)

LSE_ORDS(ldadd)
LSE_ORDS(ldclr)
LSE_ORDS(ldeor)
LSE_ORDS(ldset)
LSE_ORDS(ldsmax)
LSE_ORDS(ldsmin)
LSE_ORDS(ldumax)
LSE_ORDS(ldumin)
LSE_ORDS(swp)

typedef u64 (*lse_fn)(void *, u64);
#define FNS_SIZES(op, ord) {lse_##op##ord##_b, lse_##op##ord##_h, lse_##op##ord##_w, lse_##op##ord##_x}
#define FNS(op) {FNS_SIZES(op, ), FNS_SIZES(op, a), FNS_SIZES(op, l), FNS_SIZES(op, al)}

enum { ADD, CLR, EOR, SET, SMAX, SMIN, UMAX, UMIN, SWP };
static const struct {
    const char *name;
    int kind;
    lse_fn fn[4][4]; /* [ordering][size] */
} ops[] = {
    {"ldadd", ADD, FNS(ldadd)},   {"ldclr", CLR, FNS(ldclr)},   {"ldeor", EOR, FNS(ldeor)},
    {"ldset", SET, FNS(ldset)},   {"ldsmax", SMAX, FNS(ldsmax)}, {"ldsmin", SMIN, FNS(ldsmin)},
    {"ldumax", UMAX, FNS(ldumax)}, {"ldumin", UMIN, FNS(ldumin)}, {"swp", SWP, FNS(swp)},
};

static u64 ref_op(int kind, u64 old, u64 v, int bits)
{
    u64 r;
    old = trunc_to(old, bits);
    v = trunc_to(v, bits);
    switch (kind) {
    case ADD: r = old + v; break;
    case CLR: r = old & ~v; break;
    case EOR: r = old ^ v; break;
    case SET: r = old | v; break;
    case SMAX: r = sext(old, bits) > sext(v, bits) ? old : v; break;
    case SMIN: r = sext(old, bits) < sext(v, bits) ? old : v; break;
    case UMAX: r = old > v ? old : v; break;
    case UMIN: r = old < v ? old : v; break;
    default: r = v; break;
    }
    return trunc_to(r, bits);
}

/* Operand pairs chosen so that signed and unsigned orderings disagree at
 * every width, and so that additions carry out of each width. */
static const u64 pairs[][2] = {
    {0x7f7f7f7f7f7f7f7full, 0x8080808080808080ull},
    {0xfefefefefefefefeull, 0x0303030303030303ull},
    {0x0123456789abcdefull, 0x8a5a3c0ff0c3a5a8ull},
    {0xffffffffffffffffull, 0x0000000000000001ull},
};
#define NPAIRS (sizeof pairs / sizeof pairs[0])

/* Fill the area with a marker byte and put `init` at TARGET. */
static void area_reset(u64 init)
{
    memset(area, 0xc5, sizeof area);
    memcpy(TARGET, &init, 8);
}

static void test_ldop(void)
{
    for (unsigned o = 0; o < sizeof ops / sizeof ops[0]; o++) {
        char gname[32];
        snprintf(gname, sizeof gname, "%s", ops[o].name);
        group_begin(gname);
        for (int s = 0; s < 4; s++) {
            int bits = size_bits[s];
            printf("  %s.%s", ops[o].name, size_names[s]);
            for (unsigned i = 0; i < NPAIRS; i++) {
                u64 init = pairs[i][0], v = pairs[i][1];
                u64 want_old = trunc_to(init, bits), want_new = ref_op(ops[o].kind, init, v, bits);
                for (int ord = 0; ord < 4; ord++) {
                    area_reset(init);
                    u64 got = ops[o].fn[ord][s](TARGET, v);
                    u64 now = 0;
                    memcpy(&now, TARGET, bits / 8);
                    if (got != want_old)
                        check_fail("%s%s.%s pair %u: returned %llx want %llx", ops[o].name,
                                   ord_names[ord], size_names[s], i, (unsigned long long)got,
                                   (unsigned long long)want_old);
                    if (now != want_new)
                        check_fail("%s%s.%s pair %u: memory %llx want %llx", ops[o].name,
                                   ord_names[ord], size_names[s], i, (unsigned long long)now,
                                   (unsigned long long)want_new);
                    /* The rest of the 8-byte word and the surroundings. */
                    uint8_t expect[32];
                    memset(expect, 0xc5, sizeof expect);
                    memcpy(expect + 16, &init, 8);
                    memcpy(expect + 16, &want_new, bits / 8);
                    if (memcmp(area, expect, sizeof area) != 0)
                        check_fail("%s%s.%s pair %u: bytes outside the access changed", ops[o].name,
                                   ord_names[ord], size_names[s], i);
                    if (ord == 0)
                        printf(" %llx>%llx", (unsigned long long)got, (unsigned long long)now);
                }
            }
            printf("\n");
        }
        group_end();
    }
}

/* ------------------------------------------------------------------ */
/* CAS: Rs holds the expected value in, and the old memory value out. */

#define CAS1(ord, tag, sfx, m)                                                  \
    static u64 cas##ord##_##tag(void *p, u64 expect, u64 desired)               \
    {                                                                           \
        asm volatile("cas" #ord sfx " %" m "0, %" m "1, [%2]"                   \
                     : "+r"(expect) : "r"(desired), "r"(p) : "memory");         \
        return expect;                                                          \
    }
#define CAS_SIZES(ord) CAS1(ord, b, "b", "w") CAS1(ord, h, "h", "w") CAS1(ord, w, "", "w") CAS1(ord, x, "", "x")
CAS_SIZES() CAS_SIZES(a) CAS_SIZES(l) CAS_SIZES(al)

typedef u64 (*cas_fn)(void *, u64, u64);
#define CAS_FNS(ord) {cas##ord##_b, cas##ord##_h, cas##ord##_w, cas##ord##_x}
static const cas_fn cas_fns[4][4] = {CAS_FNS(), CAS_FNS(a), CAS_FNS(l), CAS_FNS(al)};

static void test_cas(void)
{
    const u64 init = 0x8899aabbccddeeffull, desired = 0x0102030405060708ull;
    group_begin("cas");
    for (int s = 0; s < 4; s++) {
        int bits = size_bits[s];
        for (int ord = 0; ord < 4; ord++) {
            u64 got, now = 0, want_new;
            uint8_t expect[32];
            /* Success.  For b/h only the low bits of Rs take part in the
             * comparison, so garbage above them must not matter. */
            area_reset(init);
            u64 cmpval = bits < 32 ? (init | 0xabcd000000000000ull | (0xffull << 24)) : init;
            got = cas_fns[ord][s](TARGET, cmpval, desired);
            memcpy(&now, TARGET, bits / 8);
            want_new = trunc_to(desired, bits);
            if (got != trunc_to(init, bits) || now != want_new)
                check_fail("cas%s.%s hit: old %llx mem %llx", ord_names[ord], size_names[s],
                           (unsigned long long)got, (unsigned long long)now);
            memset(expect, 0xc5, sizeof expect);
            memcpy(expect + 16, &init, 8);
            memcpy(expect + 16, &desired, bits / 8);
            if (memcmp(area, expect, sizeof area) != 0)
                check_fail("cas%s.%s hit: bytes outside the access changed", ord_names[ord], size_names[s]);
            if (ord == 0)
                printf("  cas.%s hit:  old %llx mem %llx\n", size_names[s], (unsigned long long)got,
                       (unsigned long long)now);

            /* Failure: memory unchanged, Rs receives the current value. */
            area_reset(init);
            got = cas_fns[ord][s](TARGET, init + 1, desired);
            now = 0;
            memcpy(&now, TARGET, bits / 8);
            if (got != trunc_to(init, bits) || now != trunc_to(init, bits))
                check_fail("cas%s.%s miss: old %llx mem %llx", ord_names[ord], size_names[s],
                           (unsigned long long)got, (unsigned long long)now);
            if (ord == 0)
                printf("  cas.%s miss: old %llx mem %llx\n", size_names[s], (unsigned long long)got,
                       (unsigned long long)now);
        }
    }
    group_end();
}

/* CASP needs consecutive even/odd register pairs, hence the fixed registers. */
#define CASPX(ord)                                                              \
    static void caspx##ord(void *p, u64 *lo, u64 *hi, u64 nlo, u64 nhi)         \
    {                                                                           \
        register u64 s0 asm("x4") = *lo, s1 asm("x5") = *hi;                    \
        register u64 t0 asm("x6") = nlo, t1 asm("x7") = nhi;                    \
        asm volatile("casp" #ord " x4, x5, x6, x7, [%4]"                        \
                     : "+r"(s0), "+r"(s1) : "r"(t0), "r"(t1), "r"(p) : "memory"); \
        *lo = s0;                                                               \
        *hi = s1;                                                               \
    }                                                                           \
    static void caspw##ord(void *p, u64 *lo, u64 *hi, u64 nlo, u64 nhi)         \
    {                                                                           \
        register u64 s0 asm("x4") = *lo, s1 asm("x5") = *hi;                    \
        register u64 t0 asm("x6") = nlo, t1 asm("x7") = nhi;                    \
        asm volatile("casp" #ord " w4, w5, w6, w7, [%4]"                        \
                     : "+r"(s0), "+r"(s1) : "r"(t0), "r"(t1), "r"(p) : "memory"); \
        *lo = s0;                                                               \
        *hi = s1;                                                               \
    }
CASPX() CASPX(a) CASPX(l) CASPX(al)

static void test_casp(void)
{
    void (*const fx[4])(void *, u64 *, u64 *, u64, u64) = {caspx, caspxa, caspxl, caspxal};
    void (*const fw[4])(void *, u64 *, u64 *, u64, u64) = {caspw, caspwa, caspwl, caspwal};
    const u64 a = 0x1111111111111111ull, b = 0x2222222222222222ull;
    const u64 c = 0x3333333333333333ull, d = 0x4444444444444444ull;
    u64 lo, hi, m[2];

    group_begin("casp");
    for (int ord = 0; ord < 4; ord++) {
        /* 64-bit pair, success then failure. */
        memset(area, 0xc5, sizeof area);
        memcpy(TARGET, &a, 8); memcpy(TARGET + 8, &b, 8);
        lo = a; hi = b;
        fx[ord](TARGET, &lo, &hi, c, d);
        memcpy(m, TARGET, 16);
        if (lo != a || hi != b || m[0] != c || m[1] != d)
            check_fail("casp%s x hit: %llx %llx mem %llx %llx", ord_names[ord], (unsigned long long)lo,
                       (unsigned long long)hi, (unsigned long long)m[0], (unsigned long long)m[1]);
        lo = c; hi = b; /* high half differs */
        fx[ord](TARGET, &lo, &hi, a, a);
        memcpy(m, TARGET, 16);
        if (lo != c || hi != d || m[0] != c || m[1] != d)
            check_fail("casp%s x miss: %llx %llx mem %llx %llx", ord_names[ord], (unsigned long long)lo,
                       (unsigned long long)hi, (unsigned long long)m[0], (unsigned long long)m[1]);
        if (ord == 0)
            printf("  casp x: miss returned %llx %llx\n", (unsigned long long)lo, (unsigned long long)hi);

        /* 32-bit pair: upper halves of the registers are ignored on input
         * and zero on output. */
        memset(area, 0xc5, sizeof area);
        uint32_t w[2] = {0x89abcdef, 0x01234567}, wm[2];
        memcpy(TARGET, w, 8);
        lo = 0xffffffff00000000ull | w[0]; hi = w[1];
        fw[ord](TARGET, &lo, &hi, 0xaaaaaaaa55555555ull, 0x66666666ull);
        memcpy(wm, TARGET, 8);
        if (lo != w[0] || hi != w[1] || wm[0] != 0x55555555u || wm[1] != 0x66666666u)
            check_fail("casp%s w hit: %llx %llx mem %x %x", ord_names[ord], (unsigned long long)lo,
                       (unsigned long long)hi, wm[0], wm[1]);
        if (area[24] != 0xc5)
            check_fail("casp%s w wrote past 8 bytes", ord_names[ord]);
        if (ord == 0)
            printf("  casp w: hit returned %llx %llx, memory %08x %08x\n", (unsigned long long)lo,
                   (unsigned long long)hi, wm[0], wm[1]);
    }
    group_end();
}

/* ST<op>: the LD<op> forms that discard the result. */
static void test_stop(void)
{
    u64 m;
    group_begin("st-aliases");
#define STOP(text, init, v, bits, want)                                         \
    do {                                                                        \
        area_reset(init);                                                       \
        asm volatile(text : : "r"(TARGET), "r"((u64)(v)) : "memory");           \
        m = 0;                                                                  \
        memcpy(&m, TARGET, 8);                                                  \
        printf("  %-28s %016llx\n", text, (unsigned long long)m);               \
        CHECK_EQ(text, m, want);                                                \
    } while (0)
    STOP("stadd %x1, [%0]", 5, 7, 64, 12);
    STOP("staddlb %w1, [%0]", 0x11111111111111ffull, 2, 8, 0x1111111111111101ull);
    STOP("stclrh %w1, [%0]", 0xffffffffffffffffull, 0x0ff0, 16, 0xfffffffffffff00full);
    STOP("steorl %w1, [%0]", 0x00000000ffffffffull, 0xffff0000ffffffffull, 32, 0);
    STOP("stset %w1, [%0]", 0x8000000000000000ull, 1, 32, 0x8000000000000001ull);
    STOP("stsmaxb %w1, [%0]", 0x7f, 0x80, 8, 0x7f);
    STOP("stsminl %x1, [%0]", 5, (u64)-5, 64, (u64)-5);
    STOP("stumaxh %w1, [%0]", 0x7fff, 0x8000, 16, 0x8000);
    STOP("stuminlb %w1, [%0]", 0x80, 0x7f, 8, 0x7f);
    group_end();
}

int main(void)
{
    test_ldop();
    test_cas();
    test_casp();
    test_stop();
    return check_exit_status();
}
