/*
 * timer_gicv2: generic timer interrupts through a GICv2
 * (distributor 0x08000000, CPU interface 0x08010000).
 *
 *  - GICD_TYPER ITLinesNumber / CPUNumber, ITARGETSR0 of the PPIs
 *  - virtual timer (PPI 27) three times: TVAL with a masked WFI loop,
 *    CVAL with the interrupt seen pending (GICD_ISPENDR0, GICC_HPPIR,
 *    CNTV_CTL.ISTATUS) before it is unmasked, TVAL while spinning with
 *    IRQs unmasked
 *  - EL1 physical timer (PPI 30) once
 *  - SGI 5 to this CPU through GICD_SGIR (IAR source CPU field)
 *  - the handler checks GICC_IAR, GICC_RPR, the timer's ISTATUS and that
 *    the compare value was reached; it disables the timer and writes
 *    GICC_EOIR; afterwards GICC_IAR reads 1023
 */
#include "lib.h"

#define GICD        0x08000000UL
#define GICC        0x08010000UL
#define GICD_CTLR       0x000
#define GICD_TYPER      0x004
#define GICD_ISENABLER  0x100
#define GICD_ISPENDR    0x200
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_SGIR       0xf00
#define GICC_CTLR       0x00
#define GICC_PMR        0x04
#define GICC_IAR        0x0c
#define GICC_EOIR       0x10
#define GICC_RPR        0x14
#define GICC_HPPIR      0x18

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
    u32 iar = mmio_read32(GICC + GICC_IAR);
    u32 id = iar & 0x3ff;
    rec.iar = iar;
    rec.rpr = mmio_read32(GICC + GICC_RPR);
    if (id == INTID_VTIMER) {
        rec.ctl = read_sysreg(cntv_ctl_el0);
        rec.reached = read_sysreg(cntvct_el0) >= read_sysreg(cntv_cval_el0);
        write_sysreg(cntv_ctl_el0, 0);
    } else if (id == INTID_PTIMER) {
        rec.ctl = read_sysreg(cntp_ctl_el0);
        rec.reached = read_sysreg(cntpct_el0) >= read_sysreg(cntp_cval_el0);
        write_sysreg(cntp_ctl_el0, 0);
    } else if (id == 1023) {
        rec.count++;
        return;             /* spurious: no EOI */
    }
    isb();
    mmio_write32(GICC + GICC_EOIR, iar);
    rec.count++;
}

static void set_priority(unsigned id, u8 prio)
{
    u64 reg = GICD + GICD_IPRIORITYR + (id & ~3u);
    u32 v = mmio_read32(reg);
    unsigned sh = (id & 3) * 8;
    mmio_write32(reg, (v & ~(0xffu << sh)) | ((u32)prio << sh));
}

/* IRQs stay masked; WFI wakes on the pending interrupt, which is then
   taken in a short unmasked window. */
static void wait_irq_masked(u64 count)
{
    while (rec.count == count) {
        asm volatile("wfi" ::: "memory");
        asm volatile("msr daifclr, #2\n\tisb\n\tmsr daifset, #2" ::: "memory");
    }
}

static void report(const char *name, unsigned want_id, int is_timer)
{
    kprintf("%s: intid=%lu rpr=0x%lx", name, rec.iar & 0x3ff, rec.rpr);
    if (is_timer)
        kprintf(" ctl_in_handler=0x%lx cval_reached=%lu", rec.ctl, rec.reached);
    else
        kprintf(" source_cpu=%lu", (rec.iar >> 10) & 7);
    kprintf("\n");
    check("INTID", rec.iar & 0x3ff, want_id);
    check("running priority", rec.rpr, 0x80);
    if (is_timer) {
        check("timer CTL in handler (ENABLE|ISTATUS)", rec.ctl, 5);
        check("compare value reached", rec.reached, 1);
    }
}

int main(u64 dtb)
{
    (void)dtb;
    kprintf("timer + GICv2 test\n");

    u32 typer = mmio_read32(GICD + GICD_TYPER);
    kprintf("gicd: typer.itlines=%u (%u interrupts) cpus=%u itargetsr0=0x%x\n",
            typer & 0x1f, 32 * ((typer & 0x1f) + 1), ((typer >> 5) & 7) + 1,
            mmio_read32(GICD + GICD_ITARGETSR));
    check("ITLinesNumber", typer & 0x1f, 8);

    /* distributor and CPU interface */
    mmio_write32(GICD + GICD_CTLR, 0);
    set_priority(INTID_SGI, 0x80);
    set_priority(INTID_VTIMER, 0x80);
    set_priority(INTID_PTIMER, 0x80);
    mmio_write32(GICD + GICD_ISENABLER,
                 (1u << INTID_SGI) | (1u << INTID_VTIMER) | (1u << INTID_PTIMER));
    mmio_write32(GICD + GICD_CTLR, 1);
    mmio_write32(GICC + GICC_PMR, 0xf0);
    mmio_write32(GICC + GICC_CTLR, 1);
    u32 en = mmio_read32(GICD + GICD_ISENABLER);
    kprintf("gicd: ctlr=0x%x isenabler0 has 5/27/30: %u%u%u; gicc: ctlr=0x%x pmr=0x%x\n",
            mmio_read32(GICD + GICD_CTLR), (en >> 5) & 1, (en >> 27) & 1, (en >> 30) & 1,
            mmio_read32(GICC + GICC_CTLR), mmio_read32(GICC + GICC_PMR));
    check("GICD_CTLR", mmio_read32(GICD + GICD_CTLR), 1);
    check("GICC_PMR", mmio_read32(GICC + GICC_PMR), 0xf0);
    check("GICD_ISENABLER0 timer bits", en & ((1u << 27) | (1u << 30)), (1u << 27) | (1u << 30));
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
    while (!(mmio_read32(GICD + GICD_ISPENDR) & (1u << INTID_VTIMER)))
        ;
    u64 ctl = read_sysreg(cntv_ctl_el0);
    u32 hppir = mmio_read32(GICC + GICC_HPPIR);
    kprintf("vtimer 2: pending before unmask: ctl=0x%lx hppir=%u taken=%d\n",
            ctl, hppir & 0x3ff, rec.count != n);
    check("ISTATUS before unmask", ctl, 5);
    check("HPPIR", hppir & 0x3ff, INTID_VTIMER);
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

    /* SGI to this CPU (TargetListFilter 0b10) */
    n = rec.count;
    mmio_write32(GICD + GICD_SGIR, (2u << 24) | INTID_SGI);
    wait_irq_masked(n);
    report("sgi to self", INTID_SGI, 0);
    check("one interrupt", rec.count, n + 1);
    check("SGI source CPU", (rec.iar >> 10) & 7, 0);

    /* nothing left */
    u32 iar = mmio_read32(GICC + GICC_IAR);
    kprintf("idle: iar=%u timers ctl v=0x%lx p=0x%lx\n", iar & 0x3ff,
            read_sysreg(cntv_ctl_el0), read_sysreg(cntp_ctl_el0));
    check("spurious IAR", iar & 0x3ff, 1023);
    check("interrupt count", rec.count, 5);

    finish();
}
