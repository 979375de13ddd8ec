/*
 * tlbi: TLB invalidation by address (run with -smp 2).
 *
 * TTBR0, 4K granule, 39-bit VA: 0-1 GiB device, 1-2 GiB RAM (identity,
 * 1 GiB blocks), and at 0x80000000 a level 2 table:
 *   0x80000000  one 2 MiB block, first onto blk[0], then onto blk[1]
 *   0x80200000  a level 3 table of 4K pages onto pages of blk[1]
 * Each 4K page of the two 2 MiB arrays holds its own tag in its first word.
 *
 *  1. TLBI VAE1 of one page inside a block that is remapped: the whole
 *     block's translation goes, so another page of it reads the new block.
 *  2. TLBI VAE1 of a remapped page: the new page; its neighbour unchanged.
 *  3. The second CPU reads a page, the first remaps it and broadcasts
 *     TLBI VAE1IS, VAALE1IS, VMALLE1IS in turn: each time the second CPU
 *     reads the new page without any TLBI of its own.
 */
#include "lib.h"

#define PAGE    4096UL
#define BLOCK   (2UL << 20)
#define WINDOW  0x80000000UL

#define NORMAL  ((1UL << 10) | (3UL << 8) | (1UL << 2))   /* AF, inner shareable, attr 1 */

static u8 blk[2][BLOCK] __attribute__((aligned(BLOCK)));
static u64 l1[512] __attribute__((aligned(PAGE)));
static u64 l2[512] __attribute__((aligned(PAGE)));
static u64 l3[512] __attribute__((aligned(PAGE)));

static volatile u32 step, seen_step;
static volatile u64 seen;

static u64 tag(int b, int page) { return 0x1000UL * (b + 1) + page; }

static u64 read_va(u64 va) { return *(volatile u64 *)va; }

static void set_desc(volatile u64 *d, u64 v)
{
    *d = v;
    dsb_ish();
}

static u32 load_acquire(volatile u32 *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static void store_release(volatile u32 *p, u32 v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

/* CPU 1: each step, read the watched page and report what it saw. */
void secondary_main(u64 ctx)
{
    (void)ctx;
    mmu_enable((u64)l1);
    for (u32 s = 1; s <= 6; s++) {
        while (load_acquire(&step) != s)
            ;
        seen = read_va(WINDOW + BLOCK + 5 * PAGE);
        store_release(&seen_step, s);
    }
}

/* Has CPU 1 read the watched page at step s; what did it see. */
static u64 secondary_reads(u32 s)
{
    store_release(&step, s);
    while (load_acquire(&seen_step) != s)
        ;
    return seen;
}

int main(u64 dtb)
{
    (void)dtb;
    for (int b = 0; b < 2; b++)
        for (int p = 0; p < 512; p++)
            *(volatile u64 *)&blk[b][p * PAGE] = tag(b, p);

    l1[0] = 0x00000000UL | (1UL << 54) | (1UL << 53) | (1 << 10) | 1;
    l1[1] = 0x40000000UL | NORMAL | 1;
    l1[2] = (u64)l2 | 3;
    l2[0] = (u64)blk[0] | NORMAL | 1;
    l2[1] = (u64)l3 | 3;
    for (int i = 0; i < 512; i++)
        l3[i] = (u64)&blk[1][i * PAGE] | NORMAL | 3;
    dsb_sy();
    mmu_enable((u64)l1);
    kprintf("tlbi: invalidation by address\n");

    /* 1: a block. */
    u64 a1 = read_va(WINDOW + PAGE), a5 = read_va(WINDOW + 5 * PAGE);
    set_desc(&l2[0], (u64)blk[1] | NORMAL | 1);
    asm volatile("tlbi vae1, %0\n\tdsb ish\n\tisb" :: "r"((WINDOW + PAGE) >> 12) : "memory");
    u64 b5 = read_va(WINDOW + 5 * PAGE);
    kprintf("block: before 0x%lx 0x%lx, after tlbi of page 1: page 5 0x%lx\n", a1, a5, b5);
    check("block before", a5, tag(0, 5));
    check("block remapped, other page of it", b5, tag(1, 5));

    /* 2: a page. */
    u64 p3 = read_va(WINDOW + BLOCK + 3 * PAGE), p4 = read_va(WINDOW + BLOCK + 4 * PAGE);
    set_desc(&l3[3], (u64)&blk[1][100 * PAGE] | NORMAL | 3);
    asm volatile("tlbi vae1, %0\n\tdsb ish\n\tisb" :: "r"((WINDOW + BLOCK + 3 * PAGE) >> 12) : "memory");
    u64 n3 = read_va(WINDOW + BLOCK + 3 * PAGE), n4 = read_va(WINDOW + BLOCK + 4 * PAGE);
    kprintf("page: before 0x%lx 0x%lx, after 0x%lx 0x%lx\n", p3, p4, n3, n4);
    check("page remapped", n3, tag(1, 100));
    check("neighbour unchanged", n4, tag(1, 4));

    /* 3: another CPU's TLB. */
    check("CPU_ON", psci_cpu_on(1, (u64)secondary_entry, 0), 0);
    const char *forms[3] = { "vae1is", "vaale1is", "vmalle1is" };
    for (u32 f = 0; f < 3; f++) {
        u64 before = secondary_reads(2 * f + 1);
        u64 target = 200 + 10 * f;
        set_desc(&l3[5], (u64)&blk[1][target * PAGE] | NORMAL | 3);
        u64 page = (WINDOW + BLOCK + 5 * PAGE) >> 12;
        if (f == 0)
            asm volatile("tlbi vae1is, %0\n\tdsb ish\n\tisb" :: "r"(page) : "memory");
        else if (f == 1)
            asm volatile("tlbi vaale1is, %0\n\tdsb ish\n\tisb" :: "r"(page) : "memory");
        else
            asm volatile("tlbi vmalle1is\n\tdsb ish\n\tisb" ::: "memory");
        u64 after = secondary_reads(2 * f + 2);
        kprintf("other CPU, tlbi %s: before 0x%lx, after 0x%lx\n", forms[f], before, after);
        check("other CPU sees the new page", after, tag(1, target));
    }
    while (psci_affinity_info(1, 0) != 1)
        ;
    finish();
}
