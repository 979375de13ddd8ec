/*
 * Load/store exclusive and load-acquire/store-release instructions, in a
 * single thread.  The retry loops are the ones real code uses for atomics;
 * only final values are printed (the number of retries may legitimately
 * differ between implementations).
 */
#include <string.h>

#include "check.h"

typedef uint64_t u64;

static u64 mem64[4] __attribute__((aligned(64)));
static uint32_t mem32[4] __attribute__((aligned(16)));
static uint16_t mem16[4] __attribute__((aligned(16)));
static uint8_t mem8[4] __attribute__((aligned(16)));
static u64 pair[2] __attribute__((aligned(16)));
static uint32_t wpair[2] __attribute__((aligned(8)));

static void val(const char *label, u64 got, u64 want)
{
    printf("  %-44s %016llx\n", label, (unsigned long long)got);
    CHECK_EQ(label, got, want);
}

/* Atomic fetch-and-add built from an exclusive pair: returns the old value. */
static u64 xadd64(u64 *p, u64 v)
{
    u64 old, tmp;
    uint32_t fail;
    asm volatile("1:\tldxr %0, [%3]\n\tadd %1, %0, %4\n\tstxr %w2, %1, [%3]\n\tcbnz %w2, 1b"
                 : "=&r"(old), "=&r"(tmp), "=&r"(fail) : "r"(p), "r"(v) : "memory");
    return old;
}

static uint32_t xadd32_acqrel(uint32_t *p, uint32_t v)
{
    uint32_t old, tmp, fail;
    asm volatile("1:\tldaxr %w0, [%3]\n\tadd %w1, %w0, %w4\n\tstlxr %w2, %w1, [%3]\n\tcbnz %w2, 1b"
                 : "=&r"(old), "=&r"(tmp), "=&r"(fail) : "r"(p), "r"(v) : "memory");
    return old;
}

/* Byte and halfword exclusives: the loaded value must be zero-extended. */
static u64 xswap8(uint8_t *p, u64 v)
{
    u64 old;
    uint32_t fail;
    asm volatile("1:\tldxrb %w0, [%2]\n\tstxrb %w1, %w3, [%2]\n\tcbnz %w1, 1b"
                 : "=&r"(old), "=&r"(fail) : "r"(p), "r"(v) : "memory");
    return old;
}

static u64 xswap16_acqrel(uint16_t *p, u64 v)
{
    u64 old;
    uint32_t fail;
    asm volatile("1:\tldaxrh %w0, [%2]\n\tstlxrh %w1, %w3, [%2]\n\tcbnz %w1, 1b"
                 : "=&r"(old), "=&r"(fail) : "r"(p), "r"(v) : "memory");
    return old;
}

/* Compare-and-swap from exclusives; returns the value seen in memory. */
static u64 xcas64(u64 *p, u64 expect, u64 desired)
{
    u64 old;
    uint32_t fail;
    asm volatile("1:\tldaxr %0, [%2]\n\tcmp %0, %3\n\tb.ne 2f\n\t"
                 "stlxr %w1, %4, [%2]\n\tcbnz %w1, 1b\n\tb 3f\n"
                 "2:\tclrex\n3:"
                 : "=&r"(old), "=&r"(fail) : "r"(p), "r"(expect), "r"(desired) : "memory", "cc");
    return old;
}

/* 128-bit swap using the pair exclusives. */
static void xswap_pair(u64 *p, u64 lo, u64 hi, u64 *olo, u64 *ohi, int acqrel)
{
    u64 a, b;
    uint32_t fail;
    if (acqrel)
        asm volatile("1:\tldaxp %0, %1, [%3]\n\tstlxp %w2, %4, %5, [%3]\n\tcbnz %w2, 1b"
                     : "=&r"(a), "=&r"(b), "=&r"(fail) : "r"(p), "r"(lo), "r"(hi) : "memory");
    else
        asm volatile("1:\tldxp %0, %1, [%3]\n\tstxp %w2, %4, %5, [%3]\n\tcbnz %w2, 1b"
                     : "=&r"(a), "=&r"(b), "=&r"(fail) : "r"(p), "r"(lo), "r"(hi) : "memory");
    *olo = a;
    *ohi = b;
}

int main(void)
{
    u64 r, lo, hi;

    group_begin("ldxr-stxr");
    mem64[1] = 0x7777777777777777ull;
    mem64[0] = 100;
    for (int i = 1; i <= 1000; i++)
        xadd64(&mem64[0], i);
    val("sum via ldxr/stxr loop", mem64[0], 100 + 500500);
    val("ldxr/stxr returns old", xadd64(&mem64[0], 0x100000000ull), 500600);
    val("after +2^32", mem64[0], 500600 + 0x100000000ull);
    val("neighbour untouched", mem64[1], 0x7777777777777777ull);

    mem32[0] = 0xfffffff0u;
    mem32[1] = 0x12345678u;
    val("ldaxr/stlxr w old", xadd32_acqrel(&mem32[0], 0x20), 0xfffffff0u);
    val("ldaxr/stlxr w wraps", mem32[0], 0x10);
    val("w neighbour untouched", mem32[1], 0x12345678u);

    mem8[0] = 0xf1; mem8[1] = 0x22;
    val("ldxrb zero-extends", xswap8(mem8, 0x1ab), 0xf1);
    val("stxrb stored low byte", mem8[0], 0xab);
    val("byte neighbour untouched", mem8[1], 0x22);
    mem16[0] = 0x8001; mem16[1] = 0x3333;
    val("ldaxrh zero-extends", xswap16_acqrel(mem16, 0xfedc9876), 0x8001);
    val("stlxrh stored low half", mem16[0], 0x9876);
    val("half neighbour untouched", mem16[1], 0x3333);
    group_end();

    group_begin("cas-by-exclusives");
    mem64[2] = 5;
    val("cas hit returns old", xcas64(&mem64[2], 5, 9), 5);
    val("cas hit stored", mem64[2], 9);
    val("cas miss returns current", xcas64(&mem64[2], 5, 11), 9);
    val("cas miss left memory", mem64[2], 9);
    group_end();

    group_begin("ldxp-stxp");
    pair[0] = 0x1111111111111111ull; pair[1] = 0x2222222222222222ull;
    xswap_pair(pair, 0xaaaaaaaaaaaaaaaaull, 0xbbbbbbbbbbbbbbbbull, &lo, &hi, 0);
    val("ldxp old lo", lo, 0x1111111111111111ull); val("ldxp old hi", hi, 0x2222222222222222ull);
    val("stxp new lo", pair[0], 0xaaaaaaaaaaaaaaaaull); val("stxp new hi", pair[1], 0xbbbbbbbbbbbbbbbbull);
    xswap_pair(pair, 1, 2, &lo, &hi, 1);
    val("ldaxp old lo", lo, 0xaaaaaaaaaaaaaaaaull); val("ldaxp old hi", hi, 0xbbbbbbbbbbbbbbbbull);
    val("stlxp new lo", pair[0], 1); val("stlxp new hi", pair[1], 2);
    {
        /* 32-bit pair: two words, each zero-extended into its register. */
        u64 a, b;
        uint32_t fail;
        wpair[0] = 0x80000001u; wpair[1] = 0xfffffffeu;
        asm volatile("1:\tldxp %w0, %w1, [%3]\n\tstxp %w2, %w1, %w0, [%3]\n\tcbnz %w2, 1b"
                     : "=&r"(a), "=&r"(b), "=&r"(fail) : "r"(wpair) : "memory");
        val("ldxp w [0]", a, 0x80000001u); val("ldxp w [1]", b, 0xfffffffeu);
        val("stxp w swapped [0]", wpair[0], 0xfffffffeu); val("stxp w swapped [1]", wpair[1], 0x80000001u);
    }
    group_end();

    group_begin("clrex");
    {
        /* After clrex the monitor is open, so the store-exclusive must fail
         * (status 1) and memory must keep its value. */
        uint32_t st;
        mem64[3] = 42;
        asm volatile("ldxr %1, [%2]\n\tclrex\n\tstxr %w0, %3, [%2]"
                     : "=&r"(st), "=&r"(r) : "r"(&mem64[3]), "r"(43ull) : "memory");
        val("stxr after clrex status", st, 1);
        val("stxr after clrex memory", mem64[3], 42);
        val("ldxr value before clrex", r, 42);
        /* A store-exclusive with no preceding load-exclusive also fails. */
        asm volatile("clrex\n\tstxr %w0, %2, [%1]" : "=&r"(st) : "r"(&mem64[3]), "r"(44ull) : "memory");
        val("stxr without ldxr status", st, 1);
        val("stxr without ldxr memory", mem64[3], 42);
        /* And the normal case right after: succeeds, status 0. */
        asm volatile("ldxr %1, [%2]\n\tstxr %w0, %3, [%2]"
                     : "=&r"(st), "=&r"(r) : "r"(&mem64[3]), "r"(45ull) : "memory");
        printf("  plain ldxr/stxr pair %s\n", st == 0 || mem64[3] == 45 ? "completed" : "did not complete");
        CHECK("ldxr/stxr consistency", (st == 0 && mem64[3] == 45) || (st == 1 && mem64[3] == 42));
    }
    group_end();

    group_begin("ldar-stlr");
    memset(mem64, 0, sizeof mem64);
    asm volatile("stlr %1, [%0]" : : "r"(&mem64[0]), "r"(0x0102030405060708ull) : "memory");
    asm volatile("stlr %w1, [%0]" : : "r"(&mem64[1]), "r"(0xaaaaaaaa89abcdefull) : "memory");
    asm volatile("stlrh %w1, [%0]" : : "r"(&mem64[2]), "r"(0xffffbeefull) : "memory");
    asm volatile("stlrb %w1, [%0]" : : "r"(&mem64[3]), "r"(0xfffff0ull) : "memory");
    val("stlr x", mem64[0], 0x0102030405060708ull);
    val("stlr w", mem64[1], 0x89abcdefull);
    val("stlrh", mem64[2], 0xbeef);
    val("stlrb", mem64[3], 0xf0);
    asm volatile("ldar %0, [%1]" : "=r"(r) : "r"(&mem64[0]) : "memory");
    val("ldar x", r, 0x0102030405060708ull);
    asm volatile("ldar %w0, [%1]" : "=r"(r) : "r"(&mem64[0]) : "memory");
    val("ldar w", r, 0x05060708);
    asm volatile("ldarh %w0, [%1]" : "=r"(r) : "r"(&mem64[2]) : "memory");
    val("ldarh", r, 0xbeef);
    asm volatile("ldarb %w0, [%1]" : "=r"(r) : "r"(&mem64[3]) : "memory");
    val("ldarb", r, 0xf0);
    group_end();

    return check_exit_status();
}
