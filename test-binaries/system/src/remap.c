/*
 * remap: code whose mapping changes under it (run with -smp 2).
 *
 * TTBR0, 4K granule, 39-bit VA: 0-1 GiB device, 1-2 GiB RAM (identity,
 * 1 GiB blocks), and at 0x80000000 a level 2 table with one level 3 table
 * of 4K pages:
 *   0x80000000  CALL(skip): "cbnz x0, 1f; b NEXT; 1: ret", a direct branch
 *               into the next page unless skip
 *   0x80001000  NEXT: "movz x0, #tag; ret", from one of the pages of
 *               `code`, each with its own tag
 * CALL runs several times before each remap, so that an emulator that
 * chains translated blocks has chained CALL's branch to the code of the
 * page NEXT maps to then. Each step points NEXT at another page, makes
 * one kind of TLB invalidation, and calls CALL: it must return the new
 * page's tag.
 *   1. TLBI VMALLE1
 *   2. TLBI ASIDE1 of the ASID in use (0)
 *   3. TLBI VAE1 of NEXT
 *   4. TLBI VMALLE1IS while the second CPU calls CALL in a loop (its own
 *      branch chained): the second CPU then returns the new tag too
 *   5. TLBI VMALLE1, then CALL(skip) two million times, so that an
 *      emulator with an optimising tier compiles CALL with what it knows
 *      of NEXT, then CALL(0)
 */
#include "lib.h"

#define PAGE    4096UL
#define WINDOW  0x80000000UL
#define PAGES   6

#define NORMAL  ((1UL << 10) | (3UL << 8) | (1UL << 2))   /* AF, inner shareable, attr 1 */
#define MOVZ_X0(imm)    (0xd2800000U | ((u32)(imm) << 5))
#define RET             0xd65f03c0U
#define CBNZ_X0_8       0xb5000040U                          /* cbnz x0, .+8 */
#define B_NEXT          (0x14000000U | (u32)(PAGE / 4 - 1))  /* b .+4092, at +4 */

static u32 code[PAGES][PAGE / 4] __attribute__((aligned(PAGE)));
static u64 l1[512] __attribute__((aligned(PAGE)));
static u64 l2[512] __attribute__((aligned(PAGE)));
static u64 l3[512] __attribute__((aligned(PAGE)));

static volatile u32 alive, step, seen_step;
static volatile u64 seen;

static u64 tag(int page) { return 0x100 + page; }

typedef u64 (*fn_t)(u64);

static u64 call(void) { return ((fn_t)WINDOW)(0); }
static u64 call_skipping(void) { return ((fn_t)WINDOW)(1); }

/* Calls CALL a few times: the last result. */
static u64 call_often(void)
{
    u64 r = 0;
    for (int i = 0; i < 8; i++)
        r = call();
    return r;
}

static void map_next(int page)
{
    l3[1] = (u64)code[page] | NORMAL | 3;
    dsb_ish();
}

static u32 load_acquire(volatile u32 *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static void store_release(volatile u32 *p, u32 v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

/* CPU 1: at each step, call CALL until told to stop, then once more and
   report that result (the call starts after the first CPU's invalidation
   has completed). */
void secondary_main(u64 ctx)
{
    (void)ctx;
    mmu_enable((u64)l1);
    store_release(&alive, 1);
    for (u32 s = 1; s <= 2; s++) {
        while (load_acquire(&step) < s)
            ;
        while (load_acquire(&step) == s)
            call();
        asm volatile("isb" ::: "memory");
        seen = call();
        store_release(&seen_step, s);
    }
}

int main(u64 dtb)
{
    (void)dtb;
    code[0][0] = CBNZ_X0_8;
    code[0][1] = B_NEXT;
    code[0][2] = RET;
    for (int p = 1; p < PAGES; p++) {
        code[p][0] = MOVZ_X0(tag(p));
        code[p][1] = RET;
    }
    asm volatile("dsb ish\n\tic iallu\n\tdsb ish\n\tisb" ::: "memory");

    l1[0] = 0x00000000UL | (1UL << 54) | (1UL << 53) | (1 << 10) | 1;
    l1[1] = 0x40000000UL | NORMAL | 1;
    l1[2] = (u64)l2 | 3;
    l2[0] = (u64)l3 | 3;
    l3[0] = (u64)code[0] | NORMAL | 3;
    l3[1] = (u64)code[1] | NORMAL | 3;
    dsb_sy();
    mmu_enable((u64)l1);
    kprintf("remap: code whose page changes under a chained branch\n");

    u64 before = call_often();
    map_next(2);
    asm volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
    u64 after = call_often();
    kprintf("tlbi vmalle1: before 0x%lx, after 0x%lx\n", before, after);
    check("first page", before, tag(1));
    check("after tlbi vmalle1", after, tag(2));

    map_next(3);
    asm volatile("tlbi aside1, %0\n\tdsb nsh\n\tisb" :: "r"(0UL << 48) : "memory");
    after = call_often();
    kprintf("tlbi aside1: 0x%lx\n", after);
    check("after tlbi aside1", after, tag(3));

    map_next(4);
    asm volatile("tlbi vae1, %0\n\tdsb nsh\n\tisb" :: "r"((WINDOW + PAGE) >> 12) : "memory");
    after = call_often();
    kprintf("tlbi vae1: 0x%lx\n", after);
    check("after tlbi vae1", after, tag(4));

    /* 4: the other CPU. */
    check("CPU_ON", psci_cpu_on(1, (u64)secondary_entry, 0), 0);
    while (!load_acquire(&alive))
        ;
    store_release(&step, 1);
    for (volatile int i = 0; i < 200000; i++)
        ;
    store_release(&step, 2);
    while (load_acquire(&seen_step) != 1)
        ;
    u64 other_before = seen;
    map_next(5);
    asm volatile("tlbi vmalle1is\n\tdsb ish\n\tisb" ::: "memory");
    for (volatile int i = 0; i < 200000; i++)
        ;
    store_release(&step, 3);
    while (load_acquire(&seen_step) != 2)
        ;
    kprintf("other CPU, tlbi vmalle1is: before 0x%lx, after 0x%lx\n", other_before, seen);
    check("other CPU before", other_before, tag(4));
    check("other CPU after tlbi vmalle1is", seen, tag(5));
    while (psci_affinity_info(1, 0) != 1)
        ;

    /* 5: CALL made hot after a remap, without taking its branch. */
    before = call_often();
    map_next(1);
    asm volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
    u64 skipped = 0;
    for (int i = 0; i < 2000000; i++)
        skipped += call_skipping();
    after = call();
    kprintf("hot after tlbi vmalle1: before 0x%lx, skipped %lu times, after 0x%lx\n", before, skipped, after);
    check("hot after tlbi vmalle1", after, tag(1));
    finish();
}
