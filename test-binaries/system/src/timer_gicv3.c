/*
 * timer_gicv3: generic timer interrupts through a GICv3 (run with
 * -M virt,gic-version=3): distributor 0x08000000 with affinity routing,
 * redistributor of CPU 0 at 0x080a0000 (SGI/PPI frame at +0x10000),
 * CPU interface through the ICC_* system registers.
 *
 *  - GICD_TYPER ITLinesNumber, GICD/GICR PIDR2 architecture revision,
 *    GICR_TYPER (Last, processor number, affinity), GICR_WAKER wake-up
 *  - ICC_SRE_EL1.SRE, ICC_PMR_EL1, ICC_IGRPEN1_EL1
 *  - virtual timer (PPI 27) three times: TVAL with a masked WFI loop,
 *    CVAL with the interrupt seen pending (GICR_ISPENDR0, ICC_HPPIR1_EL1,
 *    CNTV_CTL.ISTATUS) before it is unmasked, TVAL while spinning with
 *    IRQs unmasked; EL1 physical timer (PPI 30) once
 *  - SGI 5 to this CPU through ICC_SGI1R_EL1
 *  - the handler checks ICC_IAR1_EL1, ICC_RPR_EL1, the timer's ISTATUS
 *    and that the compare value was reached, disables the timer and
 *    writes ICC_EOIR1_EL1; afterwards ICC_IAR1_EL1 reads 1023
 */
#include "lib.h"

#define GICD        0x08000000UL
#define GICR        0x080a0000UL
#define GICR_SGI    (GICR + 0x10000)
#define GICD_CTLR       0x0000
#define GICD_TYPER      0x0004
#define GICD_PIDR2      0xffe8
#define GICR_TYPER      0x0008
#define GICR_WAKER      0x0014
#define GICR_PIDR2      0xffe8
#define GICR_IGROUPR0   0x0080
#define GICR_ISENABLER0 0x0100
#define GICR_ISPENDR0   0x0200
#define GICR_IPRIORITYR 0x0400

#define CTLR_RWP        (1u << 31)
#define CTLR_ARE        (1u << 4)
#define CTLR_GRP1       (1u << 1)

#define INTID_SGI   5
#define INTID_VTIMER 27
#define INTID_PTIMER 30

static volatile struct {
    u64 count, iar, rpr, ctl, reached;
} rec;

void handle_exception(u64 kind, u64 esr, u64 elr, u64 far, struct frame *f)
{
    if (kind != EXC_SPX_IRQ)
        unexpected_exception(kind, esr, elr, far, f);
    u64 iar = read_sysreg(icc_iar1_el1);
    u64 id = iar & 0xffffff;
    rec.iar = iar;
    rec.rpr = read_sysreg(icc_rpr_el1);
    if (id == INTID_VTIMER) {
        rec.ctl = read_sysreg(cntv_ctl_el0);
        rec.reached = read_sysreg(cntvct_el0) >= read_sysreg(cntv_cval_el0);
        write_sysreg(cntv_ctl_el0, 0);
    } else if (id == INTID_PTIMER) {
        rec.ctl = read_sysreg(cntp_ctl_el0);
        rec.reached = read_sysreg(cntpct_el0) >= read_sysreg(cntp_cval_el0);
        write_sysreg(cntp_ctl_el0, 0);
    } else if (id >= 1020 && id <= 1023) {
        rec.count++;
        return;             /* spurious: no EOI */
    }
    isb();
    write_sysreg(icc_eoir1_el1, iar);
    isb();
    rec.count++;
}

static void wait_irq_masked(u64 count)
{
    while (rec.count == count) {
        asm volatile("wfi" ::: "memory");
        asm volatile("msr daifclr, #2\n\tisb\n\tmsr daifset, #2" ::: "memory");
    }
}

static void report(const char *name, unsigned want_id, int is_timer)
{
    kprintf("%s: intid=%lu rpr=0x%lx", name, rec.iar & 0xffffff, rec.rpr);
    if (is_timer)
        kprintf(" ctl_in_handler=0x%lx cval_reached=%lu", rec.ctl, rec.reached);
    kprintf("\n");
    check("INTID", rec.iar & 0xffffff, want_id);
    check("running priority", rec.rpr, 0x80);
    if (is_timer) {
        check("timer CTL in handler (ENABLE|ISTATUS)", rec.ctl, 5);
        check("compare value reached", rec.reached, 1);
    }
}

static void gicd_wait_rwp(void)
{
    while (mmio_read32(GICD + GICD_CTLR) & CTLR_RWP)
        ;
}

int main(u64 dtb)
{
    (void)dtb;
    kprintf("timer + GICv3 test\n");

    u32 typer = mmio_read32(GICD + GICD_TYPER);
    u32 dpidr2 = mmio_read32(GICD + GICD_PIDR2);
    u32 rpidr2 = mmio_read32(GICR + GICR_PIDR2);
    u64 rtyper = mmio_read64(GICR + GICR_TYPER);
    kprintf("gicd: typer.itlines=%u archrev=%u; gicr: archrev=%u typer.last=%lu processor=%lu affinity=0x%lx\n",
            typer & 0x1f, (dpidr2 >> 4) & 0xf, (rpidr2 >> 4) & 0xf,
            (rtyper >> 4) & 1, (rtyper >> 8) & 0xffff, rtyper >> 32);
    /* qemu 7.2's GICv3 computes (interrupts - 32) / 32 - 1 = 7 for the
       virt board's 288 interrupts (its GICv2 says 8). */
    check("ITLinesNumber", typer & 0x1f, 7);
    check("GICD ArchRev", (dpidr2 >> 4) & 0xf, 3);
    check("GICR ArchRev", (rpidr2 >> 4) & 0xf, 3);
    check("GICR_TYPER.Last", (rtyper >> 4) & 1, 1);
    check("GICR_TYPER affinity", rtyper >> 32, 0);

    /* distributor: affinity routing, group 1 */
    mmio_write32(GICD + GICD_CTLR, 0);
    gicd_wait_rwp();
    mmio_write32(GICD + GICD_CTLR, CTLR_ARE);
    gicd_wait_rwp();
    mmio_write32(GICD + GICD_CTLR, CTLR_ARE | CTLR_GRP1);
    gicd_wait_rwp();
    u32 dctlr = mmio_read32(GICD + GICD_CTLR);
    kprintf("gicd: ctlr are=%u grp1=%u\n", (dctlr >> 4) & 1, (dctlr >> 1) & 1);
    check("GICD_CTLR.ARE", (dctlr >> 4) & 1, 1);
    check("GICD_CTLR.EnableGrp1", (dctlr >> 1) & 1, 1);

    /* redistributor: wake up, SGIs/PPIs in group 1, priorities, enables */
    u32 waker = mmio_read32(GICR + GICR_WAKER);
    mmio_write32(GICR + GICR_WAKER, waker & ~2u);
    while (mmio_read32(GICR + GICR_WAKER) & 4u)
        ;
    waker = mmio_read32(GICR + GICR_WAKER);
    kprintf("gicr: waker processor_sleep=%u children_asleep=%u\n", (waker >> 1) & 1, (waker >> 2) & 1);
    check("GICR_WAKER", waker & 6, 0);
    mmio_write32(GICR_SGI + GICR_IGROUPR0, 0xffffffff);
    for (unsigned id = 0; id < 32; id += 4)
        mmio_write32(GICR_SGI + GICR_IPRIORITYR + id, 0x80808080);
    mmio_write32(GICR_SGI + GICR_ISENABLER0,
                 (1u << INTID_SGI) | (1u << INTID_VTIMER) | (1u << INTID_PTIMER));
    u32 en = mmio_read32(GICR_SGI + GICR_ISENABLER0);
    check("GICR_ISENABLER0", en & ((1u << 5) | (1u << 27) | (1u << 30)),
          (1u << 5) | (1u << 27) | (1u << 30));
    check("GICR_IPRIORITYR", mmio_read32(GICR_SGI + GICR_IPRIORITYR + 24), 0x80808080);

    /* CPU interface */
    write_sysreg(icc_sre_el1, read_sysreg(icc_sre_el1) | 1);
    isb();
    write_sysreg(icc_pmr_el1, 0xf0);
    write_sysreg(icc_igrpen1_el1, 1);
    isb();
    u64 sre = read_sysreg(icc_sre_el1);
    u64 pmr = read_sysreg(icc_pmr_el1);
    u64 grpen = read_sysreg(icc_igrpen1_el1);
    kprintf("icc: sre=%lu pmr=0x%lx igrpen1=%lu\n", sre & 1, pmr, grpen);
    check("ICC_SRE_EL1.SRE", sre & 1, 1);
    check("ICC_PMR_EL1", pmr, 0xf0);
    check("ICC_IGRPEN1_EL1", grpen, 1);
    check("DAIF masked", read_sysreg(daif), 0x3c0);
    u64 tick = read_sysreg(cntfrq_el0) / 1000;       /* 1 ms */

    /* virtual timer 1: TVAL, masked WFI */
    u64 n = rec.count;
    write_sysreg(cntv_tval_el0, tick);
    write_sysreg(cntv_ctl_el0, 1);
    isb();
    wait_irq_masked(n);
    report("vtimer 1 (tval, wfi)", INTID_VTIMER, 1);
    check("one interrupt", rec.count, n + 1);

    /* virtual timer 2: CVAL; seen pending before it is unmasked */
    n = rec.count;
    write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0) + tick);
    write_sysreg(cntv_ctl_el0, 1);
    isb();
    while (!(mmio_read32(GICR_SGI + GICR_ISPENDR0) & (1u << INTID_VTIMER)))
        ;
    u64 ctl = read_sysreg(cntv_ctl_el0);
    u64 hppir = read_sysreg(icc_hppir1_el1);
    kprintf("vtimer 2: pending before unmask: ctl=0x%lx hppir1=%lu taken=%d\n",
            ctl, hppir & 0xffffff, rec.count != n);
    check("ISTATUS before unmask", ctl, 5);
    check("HPPIR1", hppir & 0xffffff, INTID_VTIMER);
    check("not taken while masked", rec.count, n);
    wait_irq_masked(n);
    report("vtimer 2 (cval)", INTID_VTIMER, 1);
    check("one interrupt", rec.count, n + 1);

    /* virtual timer 3: TVAL, spinning with IRQs unmasked */
    n = rec.count;
    write_sysreg(cntv_tval_el0, tick);
    write_sysreg(cntv_ctl_el0, 1);
    isb();
    asm volatile("msr daifclr, #2" ::: "memory");
    while (rec.count == n)
        ;
    asm volatile("msr daifset, #2" ::: "memory");
    report("vtimer 3 (tval, unmasked spin)", INTID_VTIMER, 1);
    check("one interrupt", rec.count, n + 1);

    /* EL1 physical timer */
    n = rec.count;
    write_sysreg(cntp_tval_el0, tick);
    write_sysreg(cntp_ctl_el0, 1);
    isb();
    wait_irq_masked(n);
    report("ptimer (tval, wfi)", INTID_PTIMER, 1);
    check("one interrupt", rec.count, n + 1);

    /* SGI 5 to Aff3.Aff2.Aff1 = 0.0.0, target list {0} */
    n = rec.count;
    write_sysreg(icc_sgi1r_el1, ((u64)INTID_SGI << 24) | 1);
    isb();
    wait_irq_masked(n);
    report("sgi to self", INTID_SGI, 0);
    check("one interrupt", rec.count, n + 1);

    u64 iar = read_sysreg(icc_iar1_el1);
    kprintf("idle: iar1=%lu timers ctl v=0x%lx p=0x%lx\n", iar & 0xffffff,
            read_sysreg(cntv_ctl_el0), read_sysreg(cntp_ctl_el0));
    check("spurious IAR1", iar & 0xffffff, 1023);
    check("interrupt count", rec.count, 5);

    finish();
}
