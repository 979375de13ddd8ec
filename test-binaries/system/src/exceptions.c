/*
 * exceptions: synchronous exceptions at EL1 and from EL0, the vector
 * table layout, ESR/ELR/SPSR contents, DAIF and SPSel.
 *
 *  - VBAR_EL1 write and read back
 *  - SVC #0x42 at EL1 (EC 0x15, ISS = imm16, ELR = next instruction,
 *    SPSR = PSTATE including NZCV), BRK #7 (EC 0x3c, ELR = the BRK),
 *    UDF #0 (EC 0x00), an SVC while SPSel = 0 (the SP_EL0 vector group)
 *  - DAIF on exception entry, DAIFSet/DAIFClr/MSR DAIF read back
 *  - SPSel: SP_EL0 and SP_EL1 are distinct stack pointers
 *  - EL0: ERET with SPSR_EL1 = 0, EL0 arithmetic on its own stack, MRS of
 *    SCTLR_EL1 (EC 0x00) and of DAIF with SCTLR_EL1.UMA = 0 (EC 0x18),
 *    SVC #1 from EL0 through the lower-EL vector group (offset 0x400)
 */
#include "lib.h"

struct record {
    u64 count;
    u64 kind, esr, elr, far, spsr;
    u64 daif, currentel, spsel;      /* inside the handler */
    u64 x0, x1, x2;
};

static struct record rec;
static int el0_undef_count;
static struct record el0_undef[2];

void handle_exception(u64 kind, u64 esr, u64 elr, u64 far, struct frame *f)
{
    u64 ec = ESR_EC(esr);
    struct record r = {
        .count = rec.count + 1, .kind = kind, .esr = esr, .elr = elr,
        .far = far, .spsr = f->spsr,
        .daif = read_sysreg(daif), .currentel = read_sysreg(CurrentEL),
        .spsel = read_sysreg(spsel), .x0 = f->x[0], .x1 = f->x[1], .x2 = f->x[2],
    };

    if (kind == EXC_SPX_SYNC || kind == EXC_SP0_SYNC) {
        rec = r;
        if (ec == 0x3c || ec == 0x00)
            f->elr += 4;            /* skip the BRK / UDF */
        else if (ec != 0x15)
            unexpected_exception(kind, esr, elr, far, f);
        return;
    }
    if (kind == EXC_LOW64_SYNC) {
        if (ec == 0x00 || ec == 0x18) {
            /* MRS at EL0: note it and skip the instruction */
            if (el0_undef_count < 2)
                el0_undef[el0_undef_count] = r;
            el0_undef_count++;
            f->elr += 4;
            return;
        }
        if (ec == 0x15) {
            /* the EL0 program is finished: back to EL1 (enter_el0) */
            rec = r;
            f->elr = (u64)el0_return;
            f->spsr = SPSR_EL1H_MASKED;
            return;
        }
    }
    unexpected_exception(kind, esr, elr, far, f);
}

static void print_rec(const char *name)
{
    kprintf("%s: vector=0x%lx esr=0x%lx ec=0x%lx il=%lu iss=0x%lx spsr=0x%lx\n",
            name, rec.kind * 0x80, rec.esr, ESR_EC(rec.esr), ESR_IL(rec.esr),
            ESR_ISS(rec.esr), rec.spsr);
}

/* EL0 code: no data outside its stack, ends with SVC #1.
   x0 = n on entry; returns x0 = 3 * (1 + ... + n) ^ 0xff0,
   x1 = its SP, x2 = what it read back from its stack plus the two MRS
   destinations (left at 0x77 each: the trapped MRS writes nothing). */
u64 el0_program(u64 n);
extern char el0_mrs_sctlr[], el0_mrs_daif[], el0_svc[];
asm(
    "   .text\n"
    "   .globl el0_program\n"
    "el0_program:\n"
    "   mov     x1, #0\n"
    "1: add     x1, x1, x0\n"
    "   subs    x0, x0, #1\n"
    "   b.ne    1b\n"
    "   add     x1, x1, x1, lsl #1\n"
    "   eor     x1, x1, #0xff0\n"
    "   mov     x2, #0x1234\n"
    "   stp     x1, x2, [sp, #-16]!\n"
    "   mov     x2, #0\n"
    "   ldp     x0, x2, [sp], #16\n"
    "   mov     x1, sp\n"
    "   mov     x4, #0x77\n"
    "   mov     x7, #0x77\n"
    "   .globl el0_mrs_sctlr\n"
    "el0_mrs_sctlr:\n"
    "   mrs     x4, sctlr_el1\n"
    "   .globl el0_mrs_daif\n"
    "el0_mrs_daif:\n"
    "   mrs     x7, daif\n"
    "   add     x2, x2, x4\n"
    "   add     x2, x2, x7\n"
    "   mov     x5, #0x90000000\n"
    "   msr     nzcv, x5\n"
    "   .globl el0_svc\n"
    "el0_svc:\n"
    "   svc     #1\n"
    "   b       .\n");

static u64 el0_stack[256] __attribute__((aligned(16)));
static u64 sp0_stack[64] __attribute__((aligned(16)));

int main(u64 dtb)
{
    (void)dtb;
    kprintf("exceptions test\n");

    /* VBAR */
    write_sysreg(vbar_el1, (u64)vectors);
    isb();
    u64 vbar = read_sysreg(vbar_el1);
    kprintf("vbar: readback_ok=%d aligned=%d\n", vbar == (u64)vectors, (vbar & 0x7ff) == 0);
    check("VBAR_EL1", vbar, (u64)vectors);

    /* SVC #0x42 from EL1 with NZCV = 0b0110 */
    u64 after, nzcv_after;
    asm volatile("msr nzcv, %2\n\t"
                 "adr %0, 1f\n\t"
                 "svc #0x42\n"
                 "1:\tmrs %1, nzcv"
                 : "=&r"(after), "=&r"(nzcv_after)
                 : "r"(0x60000000UL)
                 : "memory", "cc");
    print_rec("svc");
    kprintf("svc: elr_ok=%d handler: daif=0x%lx el=%lu spsel=%lu; nzcv after eret=0x%lx\n",
            rec.elr == after, rec.daif, rec.currentel >> 2, rec.spsel, nzcv_after);
    check("svc count", rec.count, 1);
    check("svc vector", rec.kind, EXC_SPX_SYNC);
    check("svc ESR", rec.esr, 0x56000042);
    check("svc ELR", rec.elr, after);
    check("svc SPSR", rec.spsr, 0x600003c5);
    check("DAIF in handler", rec.daif, 0x3c0);
    check("CurrentEL in handler", rec.currentel, 4);
    check("SPSel in handler", rec.spsel, 1);
    check("NZCV restored by ERET", nzcv_after, 0x60000000);
    check("ELR_EL1 register", read_sysreg(elr_el1), after);
    check("ESR_EL1 register", read_sysreg(esr_el1), 0x56000042);

    /* BRK #7: ELR is the BRK itself; the handler skips it */
    u64 brk_at;
    asm volatile("msr nzcv, xzr\n\t"
                 "adr %0, 1f\n"
                 "1:\tbrk #7"
                 : "=&r"(brk_at) :: "memory", "cc");
    print_rec("brk");
    kprintf("brk: elr_ok=%d\n", rec.elr == brk_at);
    check("brk count", rec.count, 2);
    check("brk ESR", rec.esr, 0xf2000007);
    check("brk ELR", rec.elr, brk_at);
    check("brk SPSR", rec.spsr, 0x3c5);

    /* UDF #0 */
    u64 udf_at;
    asm volatile("msr nzcv, xzr\n\t"
                 "adr %0, 1f\n"
                 "1:\tudf #0"
                 : "=&r"(udf_at) :: "memory", "cc");
    print_rec("udf");
    kprintf("udf: elr_ok=%d\n", rec.elr == udf_at);
    check("udf count", rec.count, 3);
    check("udf ESR", rec.esr, 0x02000000);
    check("udf ELR", rec.elr, udf_at);

    /* ELR_EL1 / SPSR_EL1 are plain read/write registers at EL1 */
    write_sysreg(elr_el1, 0x0000123456789abcUL);
    write_sysreg(spsr_el1, 0x600003c5UL);
    u64 elr_rb = read_sysreg(elr_el1), spsr_rb = read_sysreg(spsr_el1);
    kprintf("elr/spsr: elr=0x%lx spsr=0x%lx\n", elr_rb, spsr_rb);
    check("ELR_EL1 readback", elr_rb, 0x0000123456789abcUL);
    check("SPSR_EL1 readback", spsr_rb, 0x600003c5UL);

    /* DAIF */
    u64 d[8];
    asm volatile("msr daifclr, #0xf\n\tmrs %0, daif\n\t"
                 "msr daifset, #1\n\tmrs %1, daif\n\t"
                 "msr daifset, #4\n\tmrs %2, daif\n\t"
                 "msr daifset, #2\n\tmrs %3, daif\n\t"
                 "msr daifset, #8\n\tmrs %4, daif\n\t"
                 "msr daifclr, #6\n\tmrs %5, daif\n\t"
                 "msr daif, %8\n\tmrs %6, daif\n\t"
                 "msr daifset, #0xf\n\tmrs %7, daif"
                 : "=&r"(d[0]), "=&r"(d[1]), "=&r"(d[2]), "=&r"(d[3]),
                   "=&r"(d[4]), "=&r"(d[5]), "=&r"(d[6]), "=&r"(d[7])
                 : "r"(0x140UL) : "memory");
    static const u64 want_daif[8] = { 0, 0x40, 0x140, 0x1c0, 0x3c0, 0x240, 0x140, 0x3c0 };
    kprintf("daif:");
    for (int i = 0; i < 8; i++)
        kprintf(" 0x%lx", d[i]);
    kprintf("\n");
    for (int i = 0; i < 8; i++)
        check("DAIF sequence", d[i], want_daif[i]);

    /* SPSel: SP_EL0 vs SP_EL1, and an SVC taken through the SP_EL0 group */
    u64 sp0_top = (u64)&sp0_stack[64];
    write_sysreg(sp_el0, sp0_top);
    u64 sp1_before, sp_sel0, sp1_after, spsel_0, spsel_1, sp0_readback;
    asm volatile("mov %0, sp\n\t"
                 "msr spsel, #0\n\t"
                 "mrs %3, spsel\n\t"
                 "mov %1, sp\n\t"
                 "msr nzcv, xzr\n\t"
                 "svc #0x43\n\t"
                 "msr spsel, #1\n\t"
                 "mrs %4, spsel\n\t"
                 "mov %2, sp\n\t"
                 "mrs %5, sp_el0"
                 : "=&r"(sp1_before), "=&r"(sp_sel0), "=&r"(sp1_after),
                   "=&r"(spsel_0), "=&r"(spsel_1), "=&r"(sp0_readback)
                 :: "memory", "cc");
    print_rec("svc on SP_EL0");
    kprintf("spsel: spsel=%lu then %lu; sp is SP_EL0=%d; SP_EL1 kept=%d; SP_EL0 kept=%d; handler spsel=%lu\n",
            spsel_0, spsel_1, sp_sel0 == sp0_top, sp1_after == sp1_before,
            sp0_readback == sp0_top, rec.spsel);
    check("svc on SP_EL0 count", rec.count, 4);
    check("svc on SP_EL0 vector", rec.kind, EXC_SP0_SYNC);
    check("svc on SP_EL0 ESR", rec.esr, 0x56000043);
    check("svc on SP_EL0 SPSR (EL1t)", rec.spsr, 0x3c4);
    check("SPSel = 0", spsel_0, 0);
    check("SPSel = 1", spsel_1, 1);
    check("sp with SPSel 0", sp_sel0, sp0_top);
    check("SP_EL1 preserved", sp1_after, sp1_before);
    check("SP_EL0 preserved", sp0_readback, sp0_top);

    /* EL0 */
    u64 el0_sp = (u64)&el0_stack[256];
    u64 n = 100;
    u64 want = (3 * (n * (n + 1) / 2)) ^ 0xff0;
    u64 ret = enter_el0(el0_program, el0_sp, n);
    u64 el = read_sysreg(CurrentEL) >> 2;
    print_rec("el0 svc");
    kprintf("el0: result=%lu (want %lu) sp_ok=%d x2=0x%lx elr_ok=%d; back at EL%lu\n",
            ret, want, rec.x1 == el0_sp, rec.x2, rec.elr == (u64)el0_svc + 4, el);
    check("el0 svc count", rec.count, 5);
    check("el0 svc vector", rec.kind, EXC_LOW64_SYNC);
    check("el0 svc ESR", rec.esr, 0x56000001);
    check("el0 svc ELR", rec.elr, (u64)el0_svc + 4);
    check("el0 svc SPSR", rec.spsr, 0x90000000);
    check("el0 result", ret, want);
    check("el0 SP", rec.x1, el0_sp);
    check("el0 stack and untouched MRS destinations", rec.x2, 0x1234 + 0x77 + 0x77);
    check("back at EL1", el, 1);
    check("el0 MRS traps", el0_undef_count, 2);

    struct record *u = &el0_undef[0];
    kprintf("el0 mrs sctlr_el1: vector=0x%lx esr=0x%lx ec=0x%lx elr_ok=%d spsr=0x%lx\n",
            u->kind * 0x80, u->esr, ESR_EC(u->esr), u->elr == (u64)el0_mrs_sctlr, u->spsr);
    check("el0 mrs sctlr vector", u->kind, EXC_LOW64_SYNC);
    check("el0 mrs sctlr ESR", u->esr, 0x02000000);
    check("el0 mrs sctlr ELR", u->elr, (u64)el0_mrs_sctlr);
    check("el0 mrs sctlr SPSR", u->spsr & 0x3ff, 0);
    u = &el0_undef[1];
    kprintf("el0 mrs daif (UMA=0): vector=0x%lx esr=0x%lx ec=0x%lx elr_ok=%d\n",
            u->kind * 0x80, u->esr, ESR_EC(u->esr), u->elr == (u64)el0_mrs_daif);
    check("el0 mrs daif EC", ESR_EC(u->esr), 0x18);
    check("el0 mrs daif ELR", u->elr, (u64)el0_mrs_daif);

    finish();
}
