/*
 * mmu: stage 1 translation for the EL1&0 regime with a 4K granule.
 *
 * TTBR0: 39-bit VA (T0SZ 25, walks start at level 1), IPS 40 bits,
 * MAIR attr0 = Device-nGnRnE, attr1 = Normal write-back.
 *   0x08000000-0x0a000000  device, 2 MiB blocks (GIC, UART)
 *   0x40000000-0x50000000  normal, 2 MiB blocks, except the 2 MiB "arena"
 *                          (in this program's bss), mapped by a level-3
 *                          table of 4K pages with special pages below
 *   0x80000000             one 4K page, an alias of arena page 8
 * TTBR1: T1SZ 25; 0xffffff8000000000 maps the arena with a 2 MiB block.
 *
 * Arena pages: 1 read-only at EL1, 2 access flag clear, 3 invalid,
 * 4 EL0 read/write (AP 01), 5 EL1 only, 6 remapped to 7 by the TLB test,
 * 8 the alias target, 10 PXN code, 11 executable code, 12 UXN code.
 *
 * Checks: MMU on and running; alias and TTBR1 accesses; translation
 * faults at levels 1 and 3 and outside the VA range (ESR, DFSC, FAR,
 * WnR); permission fault on a store to a read-only page; access flag
 * fault, fixed by the handler and retried; PTE change + TLBI VAE1 /
 * VMALLE1; AT S1E1R/S1E1W/S1E0R and PAR_EL1; EL0 load from an EL1-only
 * page (EC 0x24); EL0 fetch from a UXN page (EC 0x20); EL1 fetch from a
 * PXN page (EC 0x21); LDTR from EL1; PAN (when ID_AA64MMFR1_EL1 has it);
 * MMU off again.
 */
#include "lib.h"

#define PAGE        4096UL
#define BLOCK       (2UL << 20)
#define HIGH_VA     0xffffff8000000000UL
#define ALIAS_VA    0x80000000UL

/* descriptor bits */
#define D_BLOCK     1UL
#define D_TABLE     3UL
#define D_PAGE      3UL
#define ATTR_DEV    (0UL << 2)
#define ATTR_NORMAL (1UL << 2)
#define AP_EL0_RW   (1UL << 6)
#define AP_RO       (2UL << 6)
#define SH_INNER    (3UL << 8)
#define AF          (1UL << 10)
#define PXN         (1UL << 53)
#define UXN         (1UL << 54)
#define NORMAL      (ATTR_NORMAL | SH_INNER | AF)

static u8 arena[BLOCK] __attribute__((aligned(BLOCK)));
static u64 l1_lo[512] __attribute__((aligned(PAGE)));
static u64 l2_dev[512] __attribute__((aligned(PAGE)));
static u64 l2_ram[512] __attribute__((aligned(PAGE)));
static u64 l3_arena[512] __attribute__((aligned(PAGE)));
static u64 l2_alias[512] __attribute__((aligned(PAGE)));
static u64 l3_alias[512] __attribute__((aligned(PAGE)));
static u64 l1_hi[512] __attribute__((aligned(PAGE)));
static u64 l2_hi[512] __attribute__((aligned(PAGE)));

static u64 page(int n) { return (u64)arena + n * PAGE; }

/* ---- exception handling ------------------------------------------- */

enum { FIX_NONE, FIX_SKIP, FIX_AF, FIX_RETURN_LR };

static int fix_mode = FIX_NONE;
static int pan_supported;
static struct {
    u64 count, kind, esr, elr, far, spsr, pan;
} rec;

void handle_exception(u64 kind, u64 esr, u64 elr, u64 far, struct frame *f)
{
    u64 ec = ESR_EC(esr);
    rec.count++;
    rec.kind = kind;
    rec.esr = esr;
    rec.elr = elr;
    rec.far = far;
    rec.spsr = f->spsr;
    rec.pan = pan_supported ? (read_sysreg(s3_0_c4_c2_3) >> 22) & 1 : 0;

    if (kind == EXC_SPX_SYNC) {
        if (ec == 0x15)
            return;
        if (ec == 0x25 && fix_mode == FIX_SKIP) {
            f->elr += 4;
            return;
        }
        if (ec == 0x25 && fix_mode == FIX_AF && (esr & 0x3c) == 0x08) {
            /* access flag fault: set AF and retry the access */
            l3_arena[(far - (u64)arena) / PAGE] |= AF;
            dsb_ish();
            return;
        }
        if (ec == 0x21 && fix_mode == FIX_RETURN_LR) {
            f->elr = f->x[30];
            return;
        }
    }
    if (kind == EXC_LOW64_SYNC) {
        if (ec == 0x24 || ec == 0x20)
            f->x[0] = 0xdead;
        if (ec == 0x24 || ec == 0x20 || ec == 0x15) {
            f->elr = (u64)el0_return;
            f->spsr = SPSR_EL1H_MASKED;
            return;
        }
    }
    unexpected_exception(kind, esr, elr, far, f);
}

static void print_abort(const char *name, u64 va)
{
    kprintf("%s: esr=0x%lx ec=0x%lx fsc=0x%lx wnr=%lu far_ok=%d\n",
            name, rec.esr, ESR_EC(rec.esr), rec.esr & 0x3f, (rec.esr >> 6) & 1,
            rec.far == va);
}

/* ---- helpers ------------------------------------------------------- */

static u64 load(u64 va)
{
    u64 v = 0x5555;     /* left alone when the load faults and is skipped */
    asm volatile("ldr %0, [%1]" : "+r"(v) : "r"(va) : "memory");
    return v;
}

static void store(u64 va, u64 v)
{
    asm volatile("str %0, [%1]" :: "r"(v), "r"(va) : "memory");
}

static u64 ldtr(u64 va)
{
    u64 v = 0x5555;
    asm volatile("ldtr %0, [%1]" : "+r"(v) : "r"(va) : "memory");
    return v;
}

static u64 at(u64 va, int op)
{
    if (op == 0)
        asm volatile("at s1e1r, %0" :: "r"(va));
    else if (op == 1)
        asm volatile("at s1e1w, %0" :: "r"(va));
    else
        asm volatile("at s1e0r, %0" :: "r"(va));
    isb();
    return read_sysreg(par_el1);
}

static void tlbi_va(u64 va)
{
    asm volatile("dsb ishst\n\ttlbi vae1, %0\n\tdsb ish\n\tisb" :: "r"(va >> 12) : "memory");
}

static void tlbi_all(void)
{
    asm volatile("dsb ishst\n\ttlbi vmalle1\n\tdsb ish\n\tisb" ::: "memory");
}

static void sync_icache(u64 va)
{
    asm volatile("dc cvau, %0\n\tdsb ish\n\tic ivau, %0\n\tdsb ish\n\tisb"
                 :: "r"(va) : "memory");
}

/* EL0 code: loads from x0, returns the value with SVC #0 */
u64 el0_load(u64 va);
asm("   .text\n"
    "   .globl el0_load\n"
    "el0_load:\n"
    "   ldr     x0, [x0]\n"
    "   svc     #0\n"
    "   b       .\n");

static void build_tables(void)
{
    /* TTBR0 level 1: [0] 0-1 GiB, [1] 1-2 GiB, [2] 2-3 GiB */
    l1_lo[0] = (u64)l2_dev | D_TABLE;
    l1_lo[1] = (u64)l2_ram | D_TABLE;
    l1_lo[2] = (u64)l2_alias | D_TABLE;
    for (u64 pa = 0x08000000; pa < 0x0a000000; pa += BLOCK)
        l2_dev[pa / BLOCK] = pa | ATTR_DEV | AF | PXN | UXN | D_BLOCK;
    for (u64 pa = 0x40000000; pa < 0x50000000; pa += BLOCK)
        l2_ram[(pa - 0x40000000) / BLOCK] = pa | NORMAL | D_BLOCK;
    l2_ram[((u64)arena - 0x40000000) / BLOCK] = (u64)l3_arena | D_TABLE;
    for (int i = 0; i < 512; i++)
        l3_arena[i] = page(i) | NORMAL | D_PAGE;
    l3_arena[1] |= AP_RO;
    l3_arena[2] &= ~AF;
    l3_arena[3] = 0;
    l3_arena[4] |= AP_EL0_RW;
    l3_arena[10] |= PXN;
    l3_arena[12] |= UXN;
    l2_alias[0] = (u64)l3_alias | D_TABLE;
    l3_alias[0] = page(8) | NORMAL | D_PAGE;

    /* TTBR1: 0xffffff8000000000 -> the arena, one 2 MiB block */
    l1_hi[0] = (u64)l2_hi | D_TABLE;
    l2_hi[0] = (u64)arena | NORMAL | D_BLOCK;
    dsb_sy();
}

int main(u64 dtb)
{
    (void)dtb;
    kprintf("mmu test\n");

    /* contents known before the MMU goes on */
    for (int i = 0; i < 16; i++)
        *(volatile u64 *)page(i) = 0x1000 + i;

    build_tables();
    write_sysreg(mair_el1, 0xff00);
    u64 tcr = 25 | (1UL << 8) | (1UL << 10) | (3UL << 12) | (0UL << 14)     /* TTBR0 */
            | (25UL << 16) | (1UL << 24) | (1UL << 26) | (3UL << 28)
            | (2UL << 30)                                               /* TTBR1 */
            | (2UL << 32);                                              /* IPS 40 */
    write_sysreg(tcr_el1, tcr);
    write_sysreg(ttbr0_el1, (u64)l1_lo);
    write_sysreg(ttbr1_el1, (u64)l1_hi);
    isb();
    tlbi_all();
    u64 sctlr = read_sysreg(sctlr_el1);
    sctlr &= ~((1UL << 1) | (1UL << 19));                  /* A, WXN */
    sctlr |= (1UL << 0) | (1UL << 2) | (1UL << 12) | (1UL << 23);  /* M C I SPAN */
    write_sysreg(sctlr_el1, sctlr);
    isb();
    sctlr = read_sysreg(sctlr_el1);
    kprintf("mmu: on m=%lu c=%lu i=%lu\n", sctlr & 1, (sctlr >> 2) & 1, (sctlr >> 12) & 1);
    check("SCTLR_EL1.M", sctlr & 1, 1);
    check("TCR_EL1 readback", read_sysreg(tcr_el1), tcr);
    check("MAIR_EL1 readback", read_sysreg(mair_el1), 0xff00);
    kprintf("mmu: identity read of arena page 0 = 0x%lx\n", load(page(0)));
    check("identity read", load(page(0)), 0x1000);

    /* alias: VA 0x80000000 and the identity VA of arena page 8 */
    store(ALIAS_VA + 0x40, 0xa11a5);
    u64 via_identity = load(page(8) + 0x40);
    store(page(8) + 0x48, 0xbeef);
    u64 via_alias = load(ALIAS_VA + 0x48);
    kprintf("alias: wrote via alias, read via identity 0x%lx; wrote via identity, read via alias 0x%lx; old 0x%lx\n",
            via_identity, via_alias, load(ALIAS_VA));
    check("alias -> identity", via_identity, 0xa11a5);
    check("identity -> alias", via_alias, 0xbeef);
    check("alias old contents", load(ALIAS_VA), 0x1008);

    /* TTBR1 */
    store(HIGH_VA + 9 * PAGE + 8, 0x417);
    u64 high_rb = load(page(9) + 8);
    kprintf("ttbr1: high va store seen at identity: 0x%lx; high read of page 9 = 0x%lx\n",
            high_rb, load(HIGH_VA + 9 * PAGE));
    check("TTBR1 store", high_rb, 0x417);
    check("TTBR1 load", load(HIGH_VA + 9 * PAGE), 0x1009);

    /* translation faults */
    fix_mode = FIX_SKIP;
    u64 va = page(3) + 0x10;
    u64 v = load(va);
    print_abort("translation fault l3 (read)", va);
    check("l3 translation fault ESR", rec.esr, 0x96000007);
    check("l3 translation fault FAR", rec.far, va);
    check("faulting load skipped", v, 0x5555);
    va = 0x100000000UL + 0x238;
    load(va);
    print_abort("translation fault l1 (read)", va);
    check("l1 translation fault ESR", rec.esr, 0x96000005);
    check("l1 translation fault FAR", rec.far, va);
    va = 0x0000008000000000UL + 0x18;
    store(va, 1);
    print_abort("out of TTBR0 range (write)", va);
    check("out of range fault ESR", rec.esr, 0x96000044);
    check("out of range fault FAR", rec.far, va);

    /* permission fault: store to a read-only page */
    va = page(1) + 0x20;
    store(va, 0xbad);
    print_abort("permission fault (write to RO)", va);
    kprintf("permission fault: page still reads 0x%lx\n", load(page(1) + 0x20));
    check("RO permission fault ESR", rec.esr, 0x9600004f);
    check("RO permission fault FAR", rec.far, va);
    check("RO page unchanged", load(page(1) + 0x20), 0);
    check("RO page readable", load(page(1)), 0x1001);

    /* access flag fault: the handler sets AF and the load is retried */
    fix_mode = FIX_AF;
    u64 before = rec.count;
    va = page(2) + 0x30;
    v = load(page(2));
    kprintf("access flag: faults=%lu value=0x%lx esr=0x%lx fsc=0x%lx far_ok=%d af_now=%lu\n",
            rec.count - before, v, rec.esr, rec.esr & 0x3f, rec.far == page(2),
            (l3_arena[2] >> 10) & 1);
    check("AF fault count", rec.count - before, 1);
    check("AF fault ESR", rec.esr, 0x9600000b);
    check("AF retried load", v, 0x1002);
    before = rec.count;
    v = load(va);
    check("no second AF fault", rec.count - before, 0);
    fix_mode = FIX_SKIP;

    /* change a PTE: page 6 -> PA of page 7, then back */
    u64 old6 = load(page(6));
    l3_arena[6] = page(7) | NORMAL | D_PAGE;
    tlbi_va(page(6));
    u64 new6 = load(page(6));
    l3_arena[6] = page(6) | NORMAL | D_PAGE;
    tlbi_all();
    u64 back6 = load(page(6));
    kprintf("remap: before 0x%lx, after tlbi vae1 0x%lx, after restore + tlbi vmalle1 0x%lx\n",
            old6, new6, back6);
    check("remap before", old6, 0x1006);
    check("remap after tlbi vae1", new6, 0x1007);
    check("remap after tlbi vmalle1", back6, 0x1006);

    /* address translation instructions */
    u64 par = at(ALIAS_VA + 0x123, 0);
    kprintf("at s1e1r alias: f=%lu pa_ok=%d attr=0x%lx low12=0x%lx\n",
            par & 1, (par & 0xfffffffff000UL) == page(8), par >> 56, par & 0xfff);
    check("AT mapped F", par & 1, 0);
    check("AT mapped PA", par & 0xfffffffff000UL, page(8));
    check("AT mapped attributes", par >> 56, 0xff);
    par = at(page(3), 0);
    kprintf("at s1e1r unmapped: f=%lu fst=0x%lx low12=0x%lx\n", par & 1, (par >> 1) & 0x3f, par & 0xfff);
    check("AT unmapped F", par & 1, 1);
    check("AT unmapped FST", (par >> 1) & 0x3f, 0x07);
    par = at(page(1), 1);
    kprintf("at s1e1w read-only: f=%lu fst=0x%lx\n", par & 1, (par >> 1) & 0x3f);
    check("AT S1E1W read-only FST", (par >> 1) & 0x3f, 0x0f);
    par = at(page(5), 2);
    kprintf("at s1e0r el1-only: f=%lu fst=0x%lx\n", par & 1, (par >> 1) & 0x3f);
    check("AT S1E0R EL1-only FST", (par >> 1) & 0x3f, 0x0f);
    par = at(page(4), 2);
    kprintf("at s1e0r el0 page: f=%lu pa_ok=%d\n", par & 1, (par & 0xfffffffff000UL) == page(4));
    check("AT S1E0R EL0 page", par & 0xfffffffff001UL, page(4));

    /* EL0: a load from an EL0 page works, from an EL1-only page faults */
    u64 el0_sp = page(4) + PAGE;
    store(page(4) + 0x100, 0xe10);
    before = rec.count;
    v = enter_el0(el0_load, el0_sp, page(4) + 0x100);
    kprintf("el0 load of el0 page: value=0x%lx ec=0x%lx\n", v, ESR_EC(rec.esr));
    check("EL0 load of EL0 page", v, 0xe10);
    check("EL0 load then SVC", rec.esr, 0x56000000);
    va = page(5) + 0x8;
    v = enter_el0(el0_load, el0_sp, va);
    kprintf("el0 load of el1-only page: vector=0x%lx ", rec.kind * 0x80);
    print_abort("el0 read", va);
    check("EL0 permission fault", v, 0xdead);
    check("EL0 permission fault ESR", rec.esr, 0x9200000f);
    check("EL0 permission fault FAR", rec.far, va);
    check("EL0 permission fault vector", rec.kind, EXC_LOW64_SYNC);

    /* instruction fetch permissions: code written at run time */
    for (int p = 10; p <= 12; p++) {
        volatile u32 *code = (volatile u32 *)page(p);
        code[0] = 0x91000400;       /* add x0, x0, #1 */
        code[1] = 0xd65f03c0;       /* ret */
        code[2] = 0xd4000001;       /* svc #0 (for EL0) */
        sync_icache(page(p));
    }
    u64 (*fn)(u64) = (u64 (*)(u64))page(11);
    v = fn(5);
    kprintf("exec: executable page returns %lu\n", v);
    check("executable page", v, 6);
    fix_mode = FIX_RETURN_LR;
    fn = (u64 (*)(u64))page(10);
    before = rec.count;
    v = fn(5);
    kprintf("exec: pxn page: esr=0x%lx ec=0x%lx fsc=0x%lx far_ok=%d elr_ok=%d value=%lu\n",
            rec.esr, ESR_EC(rec.esr), rec.esr & 0x3f, rec.far == page(10), rec.elr == page(10), v);
    check("PXN fault count", rec.count - before, 1);
    check("PXN fault ESR", rec.esr, 0x8600000f);
    check("PXN fault FAR", rec.far, page(10));
    check("PXN not executed", v, 5);
    fix_mode = FIX_SKIP;
    v = enter_el0((u64 (*)(u64))page(12), el0_sp, 5);
    kprintf("exec: el0 on uxn page: vector=0x%lx esr=0x%lx ec=0x%lx fsc=0x%lx far_ok=%d\n",
            rec.kind * 0x80, rec.esr, ESR_EC(rec.esr), rec.esr & 0x3f, rec.far == page(12));
    check("UXN fault ESR", rec.esr, 0x8200000f);
    check("UXN fault", v, 0xdead);

    /* LDTR: an EL1 load with EL0 permissions */
    v = ldtr(page(4) + 0x100);
    kprintf("ldtr el0 page: value=0x%lx\n", v);
    check("LDTR EL0 page", v, 0xe10);
    va = page(5) + 0x10;
    v = ldtr(va);
    print_abort("ldtr el1-only page", va);
    check("LDTR EL1-only page ESR", rec.esr, 0x9600000f);
    check("LDTR EL1-only page FAR", rec.far, va);
    check("LDTR faulted", v, 0x5555);

    /* PAN */
    u64 mmfr1 = read_sysreg(id_aa64mmfr1_el1);
    pan_supported = ((mmfr1 >> 20) & 0xf) != 0;
    if (!pan_supported) {
        kprintf("pan: not implemented\n");
    } else {
        asm volatile(".inst 0xd500419f" ::: "memory");      /* msr pan, #1 */
        u64 pan = (read_sysreg(s3_0_c4_c2_3) >> 22) & 1;
        va = page(4) + 0x100;
        before = rec.count;
        v = load(va);
        kprintf("pan: set=%lu; ", pan);
        print_abort("el1 read of el0 page", va);
        check("PAN set", pan, 1);
        check("PAN fault count", rec.count - before, 1);
        check("PAN fault ESR", rec.esr, 0x9600000f);
        check("PAN in SPSR", (rec.spsr >> 22) & 1, 1);
        check("PAN load skipped", v, 0x5555);
        v = ldtr(va);
        kprintf("pan: ldtr of el0 page: value=0x%lx\n", v);
        check("LDTR ignores PAN", v, 0xe10);
        v = load(page(5));
        check("PAN leaves EL1 pages alone", v, 0x1005);
        write_sysreg(s3_0_c4_c2_3, 0);                      /* msr pan, xzr */
        pan = (read_sysreg(s3_0_c4_c2_3) >> 22) & 1;
        v = load(va);
        kprintf("pan: cleared=%d; el1 read of el0 page: value=0x%lx\n", pan == 0, v);
        check("PAN clear", pan, 0);
        check("load with PAN clear", v, 0xe10);
        /* SCTLR_EL1.SPAN = 0: exception entry sets PAN, ERET restores it */
        write_sysreg(sctlr_el1, sctlr & ~(1UL << 23));
        isb();
        asm volatile("svc #0x1" ::: "memory");
        pan = (read_sysreg(s3_0_c4_c2_3) >> 22) & 1;
        kprintf("pan: span=0: in handler %lu, after eret %lu\n", rec.pan, pan);
        check("PAN set on exception entry", rec.pan, 1);
        check("PAN restored on return", pan, 0);
        write_sysreg(sctlr_el1, sctlr);
        isb();
    }

    /* MMU off */
    write_sysreg(sctlr_el1, sctlr & ~((1UL << 0) | (1UL << 2) | (1UL << 12)));
    isb();
    sctlr = read_sysreg(sctlr_el1);
    v = load(page(8) + 0x40);
    kprintf("mmu: off m=%lu; physical read of the alias page: 0x%lx\n", sctlr & 1, v);
    check("MMU off", sctlr & 1, 0);
    check("physical read", v, 0xa11a5);

    finish();
}
