/*
 * smc: code that is rewritten after it ran.  The emulator must run the
 * new instructions even when the program does no cache maintenance (as
 * qemu-system-aarch64 does), whatever virtual address the store used.
 *
 *  1. MMU off: a function in a RAM buffer returns 1; after 200 calls one
 *     store rewrites its MOVZ and the next call returns 2.
 *  2. A store to the middle of a longer function (the third instruction
 *     of a block that has run many times).
 *  3. MMU on, RAM also mapped at +1 GiB: a function runs through both
 *     addresses, is rewritten through the alias, and both addresses run
 *     the new code; then rewritten through the first address.
 *  4. Code and data in one page: a function that increments a counter
 *     in its own page, 1000 times, then rewritten to add 5 instead.
 *  5. The architectural sequence (DC CVAU, DSB, IC IVAU, DSB, ISB).
 */
#include "lib.h"

#define PAGE        4096UL
#define ALIAS       0x40000000UL   /* RAM at PA 0x40000000 also at VA 0x80000000 */

#define RET             0xd65f03c0U
#define MOVZ_W0(imm)    (0x52800000U | ((u32)(imm) << 5))
#define ADD_W0_W0(imm)  (0x11000000U | ((u32)(imm) << 10))
#define ADD_W1_W1(imm)  (0x11000021U | ((u32)(imm) << 10))
#define LDR_W1_X0       0xb9400001U
#define STR_W1_X0       0xb9000001U
#define MOV_W0_W1       0x2a0103e0U

typedef u64 (*fn_t)(u64);

static u32 code[4][PAGE / 4] __attribute__((aligned(PAGE)));
static u64 l1[512] __attribute__((aligned(PAGE)));

static void put(u32 *at, u32 insn)
{
    *(volatile u32 *)at = insn;
}

static u64 call(u32 *at, u64 arg)
{
    return ((fn_t)(u64)at)(arg);
}

/* Runs the function `times` times; returns the last result. */
static u64 run(u32 *at, u64 arg, int times)
{
    u64 r = 0;
    for (int i = 0; i < times; i++)
        r = call(at, arg);
    return r;
}

static void sync_icache(u32 *at)
{
    asm volatile("dc cvau, %0\n\tdsb ish\n\tic ivau, %0\n\tdsb ish\n\tisb"
                 :: "r"(at) : "memory");
}

static void mmu_on_with_alias(void)
{
    /* 1 GiB blocks: device, RAM, RAM again (the alias). */
    l1[0] = 0x00000000UL | (1UL << 54) | (1UL << 53) | (1 << 10) | (0 << 2) | 1;
    l1[1] = 0x40000000UL | (1 << 10) | (3 << 8) | (1 << 2) | 1;
    l1[2] = 0x40000000UL | (1 << 10) | (3 << 8) | (1 << 2) | 1;
    dsb_sy();
    mmu_enable((u64)l1);
}

int main(u64 dtb)
{
    (void)dtb;
    kprintf("smc: rewriting code that ran\n");

    /* 1: MMU off, one instruction rewritten. */
    u32 *f = code[0];
    put(&f[0], MOVZ_W0(1));
    put(&f[1], RET);
    check("first version", run(f, 0, 200), 1);
    put(&f[0], MOVZ_W0(2));
    u64 r = call(f, 0);
    kprintf("mmu off: after the store the function returns %lu\n", r);
    check("rewritten with the MMU off", r, 2);

    /* 2: the middle of a block. */
    u32 *g = code[1];
    put(&g[0], MOVZ_W0(0));
    put(&g[1], ADD_W0_W0(1));
    put(&g[2], ADD_W0_W0(1));
    put(&g[3], ADD_W0_W0(1));
    put(&g[4], RET);
    check("three adds", run(g, 0, 200), 3);
    put(&g[2], ADD_W0_W0(10));
    r = call(g, 0);
    kprintf("middle of a block: %lu\n", r);
    check("rewritten in the middle", r, 12);

    /* 3: MMU on, two virtual addresses for one page. */
    mmu_on_with_alias();
    u32 *h = code[2];
    u32 *h_alias = (u32 *)((u64)h + ALIAS);
    put(&h[0], MOVZ_W0(7));
    put(&h[1], RET);
    check("through the first address", run(h, 0, 200), 7);
    check("through the alias", run(h_alias, 0, 200), 7);
    put(&h_alias[0], MOVZ_W0(8));
    u64 r1 = call(h, 0), r2 = call(h_alias, 0);
    kprintf("alias: written through the alias: %lu %lu\n", r1, r2);
    check("first address sees the alias's store", r1, 8);
    check("alias sees its own store", r2, 8);
    run(h, 0, 100);
    run(h_alias, 0, 100);
    put(&h[0], MOVZ_W0(9));
    r1 = call(h, 0);
    r2 = call(h_alias, 0);
    kprintf("alias: written through the first address: %lu %lu\n", r1, r2);
    check("first address sees its own store", r1, 9);
    check("alias sees the first address's store", r2, 9);

    /* 4: a counter in the code's own page. */
    u32 *k = code[3];
    u32 *counter = &k[PAGE / 4 - 1];
    put(counter, 0);
    put(&k[0], LDR_W1_X0);
    put(&k[1], ADD_W1_W1(1));
    put(&k[2], STR_W1_X0);
    put(&k[3], MOV_W0_W1);
    put(&k[4], RET);
    r = run(k, (u64)counter, 1000);
    kprintf("code and data in one page: counter %lu\n", r);
    check("counter", r, 1000);
    put(&k[1], ADD_W1_W1(5));
    r = run(k, (u64)counter, 10);
    check("counter after the rewrite", r, 1050);

    /* 5: with cache maintenance, as real programs do. */
    put(&f[0], MOVZ_W0(3));
    sync_icache(f);
    check("after the maintenance sequence", call(f, 0), 3);
    run(f, 0, 100);
    put(&f[0], MOVZ_W0(4));
    sync_icache(f);
    r = call(f, 0);
    kprintf("with maintenance: %lu\n", r);
    check("rewritten with maintenance", r, 4);

    finish();
}
