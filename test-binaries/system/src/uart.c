/*
 * uart: boot protocol, PL011 identification and basic CPU identity.
 *
 *  - the Image was entered at EL1, loaded at 0x40200000, x0 = device tree
 *    (its magic is checked), x1..x3 = 0, DAIF all masked, MMU off
 *  - the PL011's peripheral and PrimeCell ID registers (0xfe0..0xffc),
 *    the control registers written by lib_init
 *  - CurrentEL, MIDR_EL1 fields, MPIDR_EL1, CNTFRQ_EL0
 */
#include "lib.h"

extern char __image_size[];

static u32 be32(u32 v)
{
    return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

int main(u64 dtb)
{
    u64 daif = read_sysreg(daif);
    u64 sctlr = read_sysreg(sctlr_el1);

    kprintf("hello from bare-metal AArch64\n");

    /* boot protocol */
    u32 magic = be32(*(volatile u32 *)dtb);
    kprintf("boot: dtb magic=0x%x x1=0x%lx x2=0x%lx x3=0x%lx\n",
            magic, boot_regs[1], boot_regs[2], boot_regs[3]);
    check("dtb magic", magic, 0xd00dfeed);
    check("x0 = main's argument", boot_regs[0], dtb);
    check("x1", boot_regs[1], 0);
    check("x2", boot_regs[2], 0);
    check("x3", boot_regs[3], 0);
    u64 load = (u64)_start;
    kprintf("boot: loaded at 0x%lx\n", load);
    check("load address", load, 0x40200000);
    volatile u32 *hdr = (volatile u32 *)_start;
    u64 image_size = ((u64)hdr[5] << 32) | hdr[4];
    kprintf("boot: header magic=0x%x flags=0x%x text_offset=0x%x image_size_ok=%d\n",
            hdr[14], hdr[6], hdr[2], image_size == (u64)__image_size);
    check("header magic", hdr[14], 0x644d5241);
    check("header image_size", image_size, (u64)__image_size);
    kprintf("boot: daif=0x%lx mmu=%lu\n", daif, sctlr & 1);
    check("daif at entry", daif, 0x3c0);
    check("SCTLR_EL1.M at entry", sctlr & 1, 0);

    /* exception level and identification */
    u64 el = (read_sysreg(CurrentEL) >> 2) & 3;
    kprintf("cpu: CurrentEL=EL%lu\n", el);
    check("CurrentEL", el, 1);
    u64 midr = read_sysreg(midr_el1);
    kprintf("cpu: midr implementer=0x%lx variant=0x%lx architecture=0x%lx partnum=0x%lx revision=0x%lx\n",
            midr >> 24, (midr >> 20) & 0xf, (midr >> 16) & 0xf, (midr >> 4) & 0xfff, midr & 0xf);
    check("MIDR implementer (Arm)", midr >> 24, 0x41);
    check("MIDR partnum (Cortex-A57)", (midr >> 4) & 0xfff, 0xd07);
    u64 mpidr = read_sysreg(mpidr_el1);
    kprintf("cpu: mpidr=0x%lx\n", mpidr);
    check("MPIDR_EL1", mpidr, 0x80000000);
    u64 frq = read_sysreg(cntfrq_el0);
    kprintf("timer: cntfrq=%lu\n", frq);
    check("CNTFRQ_EL0", frq, 62500000);
    u64 c1 = read_sysreg(cntvct_el0);
    for (volatile int i = 0; i < 1000; i++)
        ;
    u64 c2 = read_sysreg(cntvct_el0);
    kprintf("timer: cntvct monotonic=%d\n", c2 >= c1);
    check_true("CNTVCT_EL0 goes forwards", c2 >= c1);

    /* PL011 identification: periph ID 0x11 0x10 0x14 0x00 (r1p4),
       PrimeCell ID 0x0d 0xf0 0x05 0xb1 */
    static const u8 want_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
    kprintf("pl011: id");
    u32 ids[8];
    for (int i = 0; i < 8; i++) {
        ids[i] = mmio_read32(UART_BASE + 0xfe0 + 4 * i);
        kprintf(" %02x", ids[i]);
    }
    kprintf("\n");
    for (int i = 0; i < 8; i++)
        check("PL011 ID register", ids[i], want_id[i]);
    u32 cr = mmio_read32(UART_BASE + 0x30);
    u32 lcr = mmio_read32(UART_BASE + 0x2c);
    u32 fr = mmio_read32(UART_BASE + 0x18);
    kprintf("pl011: cr=0x%x lcr_h=0x%x fr.rxfe=%u fr.txff=%u\n",
            cr, lcr, (fr >> 4) & 1, (fr >> 5) & 1);
    check("UARTCR", cr, 0x301);
    check("UARTLCR_H", lcr, 0x70);

    /* a long line, to go through the transmit FIFO polling */
    for (int i = 0; i < 4; i++)
        kprintf("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    kprintf("\n");
    kprintf("decimal: %d %d %u %lu\n", 0, -12345, 4000000000u, 18446744073709551615UL);

    finish();
}
