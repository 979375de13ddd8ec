/*
 * System registers reachable from EL0 and the hint/barrier space.
 *
 * Values that legitimately differ between CPUs or emulators (cache geometry,
 * counter frequency, MIDR) are only checked for sanity and reported as
 * "ok"; everything that software can set is written and read back.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"

typedef uint64_t u64;

static void val(const char *label, u64 got, u64 want)
{
    printf("  %-36s %016llx\n", label, (unsigned long long)got);
    CHECK_EQ(label, got, want);
}

static void test_tpidr(void)
{
    static const u64 pats[] = {0, 1, 0x0123456789abcdefull, ~0ull, 0x8000000000000000ull};
    u64 saved, got[5];
    group_begin("tpidr_el0");
    /* glibc keeps the thread pointer here (errno lives behind it), so no
     * library call may run until it is restored. */
    asm volatile("mrs %0, tpidr_el0" : "=r"(saved));
    for (int i = 0; i < 5; i++)
        asm volatile("msr tpidr_el0, %1\n\tmrs %0, tpidr_el0" : "=r"(got[i]) : "r"(pats[i]));
    asm volatile("msr tpidr_el0, %0" : : "r"(saved));
    for (int i = 0; i < 5; i++)
        val("tpidr_el0 write/read", got[i], pats[i]);
    CHECK("thread pointer was set up by the loader", saved != 0);
    group_end();
}

static void test_nzcv(void)
{
    group_begin("nzcv");
    for (u64 f = 0; f < 16; f++) {
        u64 got;
        /* Only bits 31:28 exist; the rest must read as zero. */
        asm volatile("msr nzcv, %1\n\tmrs %0, nzcv" : "=r"(got) : "r"(f << 28 | 0x0fffffffull) : "cc");
        printf("  nzcv %llx -> %08llx\n", (unsigned long long)f, (unsigned long long)got);
        CHECK_EQ("nzcv round trip", got, f << 28);
    }
    group_end();
}

static void test_fpcr_fpsr(void)
{
    u64 saved, got;
    group_begin("fpcr");
    asm volatile("mrs %0, fpcr" : "=r"(saved));
    val("fpcr at start (all defaults)", saved, 0);
    /* Rounding mode (23:22), FZ (24), DN (25), AHP (26). */
    static const u64 vals[] = {1ull << 22, 2ull << 22, 3ull << 22, 1ull << 24, 1ull << 25, 1ull << 26,
                               0x7ull << 24 | 3ull << 22};
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        asm volatile("msr fpcr, %1\n\tmrs %0, fpcr\n\tmsr fpcr, %2" : "=&r"(got) : "r"(vals[i]), "r"(saved));
        val("fpcr write/read", got, vals[i]);
    }
    /* The rounding mode really takes effect: 1 + 2^-60 rounds up under RP. */
    {
        u64 one = 0x3ff0000000000000ull, tiny = 0x3c30000000000000ull, r;
        asm volatile("msr fpcr, %3\n\tfmov d16, %1\n\tfmov d17, %2\n\tfadd d16, d16, d17\n\t"
                     "fmov %0, d16\n\tmsr fpcr, xzr" : "=r"(r) : "r"(one), "r"(tiny), "r"(1ull << 22) : "v16", "v17");
        val("1 + 2^-60 under RP", r, 0x3ff0000000000001ull);
    }
    group_end();

    group_begin("fpsr");
    /* Cumulative flags IOC..IXC (4:0), IDC (7) and QC (27). */
    static const u64 fl[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x80, 1ull << 27, 0x0800009f};
    for (unsigned i = 0; i < sizeof fl / sizeof fl[0]; i++) {
        asm volatile("msr fpsr, %1\n\tmrs %0, fpsr" : "=r"(got) : "r"(fl[i]));
        val("fpsr write/read", got, fl[i]);
    }
    /* Division by zero sets DZC and leaves the other flags alone. */
    {
        u64 r;
        asm volatile("msr fpsr, xzr\n\tfmov d16, #1.0\n\tmovi d17, #0\n\tfdiv d16, d16, d17\n\t"
                     "mrs %0, fpsr\n\tmsr fpsr, xzr" : "=r"(r) : : "v16", "v17");
        val("fpsr after 1/0", r, 0x02);
    }
    group_end();
}

static void test_id_regs(void)
{
    u64 ctr, dczid, frq, midr;
    group_begin("ctr_el0");
    asm volatile("mrs %0, ctr_el0" : "=r"(ctr));
    /* IminLine (3:0) and DminLine (19:16) are log2 of the line size in
     * 4-byte words; real lines are 16..2048 bytes. */
    unsigned imin = ctr & 0xf, dmin = ctr >> 16 & 0xf;
    CHECK("IminLine plausible", imin >= 2 && imin <= 9);
    CHECK("DminLine plausible", dmin >= 2 && dmin <= 9);
    printf("  line sizes plausible\n");
    group_end();

    group_begin("dczid_el0");
    asm volatile("mrs %0, dczid_el0" : "=r"(dczid));
    unsigned bs = 4u << (dczid & 0xf);
    printf("  dc zva permitted: %s\n", dczid & 0x10 ? "no" : "yes");
    CHECK("DC ZVA permitted", !(dczid & 0x10));
    CHECK("block size plausible", bs >= 16 && bs <= 2048);
    group_end();

    group_begin("dc-zva");
    if (!(dczid & 0x10)) {
        /* Three blocks of 0xaa; zeroing with an address in the middle of the
         * second block must clear exactly that (aligned) block. */
        uint8_t *raw = malloc(4 * bs), *p = (uint8_t *)(((uintptr_t)raw + bs - 1) & ~(uintptr_t)(bs - 1));
        memset(p, 0xaa, 3 * bs);
        asm volatile("dc zva, %0" : : "r"(p + bs + bs / 2 + 3) : "memory");
        int bad = 0;
        for (unsigned i = 0; i < 3 * bs; i++) {
            uint8_t want = (i >= bs && i < 2 * bs) ? 0 : 0xaa;
            if (p[i] != want)
                bad++;
        }
        printf("  one block zeroed, neighbours intact: %s\n", bad ? "no" : "yes");
        CHECK("dc zva zeroes exactly one aligned block", bad == 0);
        free(raw);
    }
    group_end();

    group_begin("cntfrq_el0");
    asm volatile("mrs %0, cntfrq_el0" : "=r"(frq));
    printf("  cntfrq_el0 non-zero: %s\n", frq ? "yes" : "no");
    CHECK("cntfrq_el0 non-zero", frq != 0);
    group_end();

    group_begin("cntvct_el0");
    {
        u64 prev, cur;
        int back = 0;
        asm volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(prev));
        for (int i = 0; i < 1000; i++) {
            asm volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(cur));
            if (cur < prev)
                back++;
            prev = cur;
        }
        /* Burn a little time, then the counter must have advanced. */
        volatile u64 sink = 0;
        for (int i = 0; i < 2000000; i++)
            sink += i;
        asm volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(cur));
        CHECK("cntvct_el0 never goes backwards", back == 0);
        CHECK("cntvct_el0 advances", cur > prev);
        printf("  monotonic and advancing\n");
    }
    group_end();

    group_begin("midr_el1");
    /* Linux emulates MIDR_EL1 reads from EL0; the value is CPU-specific. */
    asm volatile("mrs %0, midr_el1" : "=r"(midr));
    printf("  read completed\n");
    (void)midr;
    group_end();
}

static void test_hints(void)
{
    group_begin("hints");
    u64 lr_before, lr_after, x = 5;
    asm volatile("nop\n\tyield\n\thint #0\n\thint #1\n\thint #127" ::: "memory");
    /* BTI c; then PACIASP/AUTIASP.  Whether or not pointer authentication
     * is active, signing and then authenticating with the same SP gives
     * the original LR back. */
    asm volatile("mov %0, x30\n\t"
                 "hint #34\n\t"
                 "hint #25\n\t"
                 "hint #29\n\t"
                 "mov %1, x30"
                 : "=&r"(lr_before), "=&r"(lr_after) : : "x30");
    CHECK("paciasp/autiasp round trip keeps LR", lr_before == lr_after);
    /* XPACLRI strips a (here absent) signature: also a no-op on a plain LR. */
    asm volatile("mov %0, x30\n\thint #7\n\tmov %1, x30" : "=&r"(lr_before), "=&r"(lr_after) : : "x30");
    CHECK("xpaclri keeps a plain LR", lr_before == lr_after);
    asm volatile("dmb ish\n\tdmb ishld\n\tdmb ishst\n\tdmb sy\n\tdsb sy\n\tdsb ish\n\tisb\n\t"
                 "add %0, %0, #1" : "+r"(x) : : "memory");
    val("barriers executed, register intact", x, 6);
    group_end();
}

int main(void)
{
    test_tpidr();
    test_nzcv();
    test_fpcr_fpsr();
    test_id_regs();
    test_hints();
    return check_exit_status();
}
