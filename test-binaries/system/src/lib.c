/* Shared helpers for the bare-metal system-mode test programs. */
#include "lib.h"

/* ---- PL011 UART ---------------------------------------------------- */

#define UART_DR     0x000
#define UART_FR     0x018
#define UART_LCR_H  0x02c
#define UART_CR     0x030
#define UART_IMSC   0x038
#define FR_TXFF     (1u << 5)

void lib_init(void)
{
    /* 8 data bits with FIFOs; UART, transmitter and receiver enabled;
       no interrupts. */
    mmio_write32(UART_BASE + UART_IMSC, 0);
    mmio_write32(UART_BASE + UART_LCR_H, 0x70);
    mmio_write32(UART_BASE + UART_CR, 0x301);
}

void uart_putc(char c)
{
    while (mmio_read32(UART_BASE + UART_FR) & FR_TXFF)
        ;
    mmio_write32(UART_BASE + UART_DR, (u8)c);
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

static void put_unsigned(u64 v, unsigned base, int width, char pad)
{
    char buf[24];
    int n = 0;
    do {
        unsigned d = v % base;
        buf[n++] = d < 10 ? '0' + d : 'a' + d - 10;
        v /= base;
    } while (v);
    while (n < width--)
        uart_putc(pad);
    while (n)
        uart_putc(buf[--n]);
}

/* %s %c %d %u %x with optional '0', width and 'l'/'ll' (all widths are
   64-bit for l); %% */
void kvprintf(const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            uart_putc(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, lng = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            lng = 1;
            fmt++;
        }
        switch (*fmt) {
        case 'd': {
            i64 v = lng ? va_arg(ap, i64) : va_arg(ap, int);
            if (v < 0) {
                uart_putc('-');
                put_unsigned(-(u64)v, 10, width ? width - 1 : 0, pad);
            } else {
                put_unsigned(v, 10, width, pad);
            }
            break;
        }
        case 'u':
            put_unsigned(lng ? va_arg(ap, u64) : va_arg(ap, unsigned), 10, width, pad);
            break;
        case 'x':
            put_unsigned(lng ? va_arg(ap, u64) : va_arg(ap, unsigned), 16, width, pad);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            uart_puts(s ? s : "(null)");
            break;
        }
        case 'c':
            uart_putc((char)va_arg(ap, int));
            break;
        case '%':
            uart_putc('%');
            break;
        default:
            uart_putc('%');
            uart_putc(*fmt);
            if (!*fmt)
                return;
        }
    }
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

/* ---- self-checks --------------------------------------------------- */

static unsigned checks_run, checks_failed;

int check(const char *what, u64 got, u64 want)
{
    checks_run++;
    if (got == want)
        return 1;
    checks_failed++;
    kprintf("FAIL: %s: got 0x%lx, want 0x%lx\n", what, got, want);
    return 0;
}

int check_true(const char *what, int cond)
{
    checks_run++;
    if (cond)
        return 1;
    checks_failed++;
    kprintf("FAIL: %s\n", what);
    return 0;
}

void finish(void)
{
    if (checks_failed)
        kprintf("summary: %u of %u checks FAILED\n", checks_failed, checks_run);
    else
        kprintf("summary: all %u checks passed\n", checks_run);
    kprintf("done\n");
    psci_system_off();
}

/* ---- exceptions ---------------------------------------------------- */

void unexpected_exception(u64 kind, u64 esr, u64 elr, u64 far, struct frame *f)
{
    (void)f;
    kprintf("FAIL: unexpected exception kind=%lu esr=0x%lx elr=0x%lx far=0x%lx\n",
            kind, esr, elr, far);
    kprintf("done\n");
    psci_system_off();
}

__attribute__((weak))
void handle_exception(u64 kind, u64 esr, u64 elr, u64 far, struct frame *f)
{
    unexpected_exception(kind, esr, elr, far, f);
}

__attribute__((weak))
void secondary_main(u64 context_id)
{
    kprintf("FAIL: secondary CPU started (context 0x%lx) without secondary_main\n",
            context_id);
}

/* ---- PSCI ---------------------------------------------------------- */

i64 psci_call(u64 fn, u64 a1, u64 a2, u64 a3)
{
    register u64 x0 asm("x0") = fn;
    register u64 x1 asm("x1") = a1;
    register u64 x2 asm("x2") = a2;
    register u64 x3 asm("x3") = a3;
    asm volatile("hvc #0"
                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                 :
                 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
                   "x13", "x14", "x15", "x16", "x17", "memory");
    return (i64)x0;
}

i64 psci_cpu_on(u64 mpidr, u64 entry, u64 context_id)
{
    return psci_call(PSCI_CPU_ON, mpidr, entry, context_id);
}

i64 psci_affinity_info(u64 mpidr, u64 level)
{
    return psci_call(PSCI_AFFINITY_INFO, mpidr, level, 0);
}

void psci_cpu_off(void)
{
    i64 r = psci_call(PSCI_CPU_OFF, 0, 0, 0);
    kprintf("FAIL: CPU_OFF returned %ld\n", r);
    for (;;)
        asm volatile("wfi");
}

void psci_system_off(void)
{
    psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
    uart_puts("FAIL: SYSTEM_OFF returned\n");
    for (;;)
        asm volatile("wfi");
}

/* ---- spinlock ------------------------------------------------------ */

void spin_lock(volatile u32 *lock)
{
    u32 tmp;
    asm volatile(
        "   sevl\n"
        "1: wfe\n"
        "2: ldaxr   %w0, [%1]\n"
        "   cbnz    %w0, 1b\n"
        "   stxr    %w0, %w2, [%1]\n"
        "   cbnz    %w0, 2b\n"
        : "=&r"(tmp)
        : "r"(lock), "r"(1)
        : "memory");
}

void spin_unlock(volatile u32 *lock)
{
    asm volatile("stlr wzr, [%0]\n\tsev" :: "r"(lock) : "memory");
}

/* ---- identity map -------------------------------------------------- */

static u64 id_l1[512] __attribute__((aligned(4096)));

void mmu_identity_build(void)
{
    /* 1 GiB blocks: AF | AttrIndx; device never executable. */
    id_l1[0] = 0x00000000UL | (1UL << 54) | (1UL << 53) | (1 << 10) | (0 << 2) | 1;
    id_l1[1] = 0x40000000UL | (1 << 10) | (3 << 8) | (1 << 2) | 1;
    dsb_sy();
}

void mmu_identity_enable(void)
{
    mmu_enable((u64)id_l1);
}

void mmu_enable(u64 ttbr0)
{
    write_sysreg(mair_el1, 0xff00);          /* attr0 device nGnRnE, attr1 WB */
    /* T0SZ 25, WB/WB inner shareable, 4K; TTBR1 walks disabled; IPS 40-bit */
    write_sysreg(tcr_el1, 25 | (1 << 8) | (1 << 10) | (3 << 12) | (1UL << 23) |
                          (2UL << 30) | (2UL << 32));
    write_sysreg(ttbr0_el1, ttbr0);
    isb();
    asm volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
    u64 sctlr = read_sysreg(sctlr_el1);
    sctlr |= (1 << 0) | (1 << 2) | (1 << 12);   /* M, C, I */
    write_sysreg(sctlr_el1, sctlr);
    isb();
}

/* ---- what the compiler may call ------------------------------------ */

void *memset(void *d, int c, unsigned long n)
{
    volatile u8 *p = d;
    while (n--)
        *p++ = (u8)c;
    return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
    volatile u8 *p = d;
    const u8 *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}
