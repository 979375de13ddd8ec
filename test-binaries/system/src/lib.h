/* Shared helpers for the bare-metal system-mode test programs. */
#ifndef LIB_H
#define LIB_H

#include <stdarg.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long i64;

#define UART_BASE   0x09000000UL

/* Saved by the vector code (start.S); field offsets are fixed there. */
struct frame {
    u64 x[31];
    u64 elr;
    u64 spsr;
    u64 esr;
};

/* Vector table entry numbers, as passed to handle_exception. */
enum {
    EXC_SP0_SYNC = 0, EXC_SP0_IRQ, EXC_SP0_FIQ, EXC_SP0_SERROR,
    EXC_SPX_SYNC = 4, EXC_SPX_IRQ, EXC_SPX_FIQ, EXC_SPX_SERROR,
    EXC_LOW64_SYNC = 8, EXC_LOW64_IRQ, EXC_LOW64_FIQ, EXC_LOW64_SERROR,
    EXC_LOW32_SYNC = 12, EXC_LOW32_IRQ, EXC_LOW32_FIQ, EXC_LOW32_SERROR,
};

#define ESR_EC(esr)     (((esr) >> 26) & 0x3f)
#define ESR_IL(esr)     (((esr) >> 25) & 1)
#define ESR_ISS(esr)    ((esr) & 0x1ffffff)

/* SPSR value for returning to EL1h with DAIF masked. */
#define SPSR_EL1H_MASKED 0x3c5UL

#define read_sysreg(r) ({ u64 __v; asm volatile("mrs %0, " #r : "=r"(__v) :: "memory"); __v; })
#define write_sysreg(r, v) asm volatile("msr " #r ", %0" :: "r"((u64)(v)) : "memory")

static inline void isb(void) { asm volatile("isb" ::: "memory"); }
static inline void dsb_sy(void) { asm volatile("dsb sy" ::: "memory"); }
static inline void dsb_ish(void) { asm volatile("dsb ish" ::: "memory"); }

static inline u32 mmio_read32(u64 addr) { return *(volatile u32 *)addr; }
static inline void mmio_write32(u64 addr, u32 v) { *(volatile u32 *)addr = v; }
static inline u64 mmio_read64(u64 addr) { return *(volatile u64 *)addr; }

/* start.S */
extern u64 boot_regs[4];
extern char vectors[];
extern char _start[];
extern char secondary_entry[];
extern char el0_return[];
u64 enter_el0(u64 (*fn)(u64), u64 sp_el0, u64 arg);

/* Programs define main(); SMP programs also define secondary_main(). */
int main(u64 dtb);
void secondary_main(u64 context_id);
/* A program may define its own handler; the library's one reports the
   exception and powers off. */
void handle_exception(u64 kind, u64 esr, u64 elr, u64 far, struct frame *f);
void unexpected_exception(u64 kind, u64 esr, u64 elr, u64 far, struct frame *f);

/* UART output */
void uart_putc(char c);
void uart_puts(const char *s);
void kprintf(const char *fmt, ...);
void kvprintf(const char *fmt, va_list ap);

/* Self-checks: a failure prints "FAIL: what: got G, want W". */
int check(const char *what, u64 got, u64 want);
int check_true(const char *what, int cond);
/* Prints the summary line and "done", then powers the machine off. */
void finish(void) __attribute__((noreturn));

/* PSCI through HVC #0 (SMC calling convention) */
#define PSCI_VERSION            0x84000000UL
#define PSCI_CPU_OFF            0x84000002UL
#define PSCI_CPU_ON             0xC4000003UL
#define PSCI_AFFINITY_INFO      0xC4000004UL
#define PSCI_MIGRATE_INFO_TYPE  0x84000006UL
#define PSCI_SYSTEM_OFF         0x84000008UL
#define PSCI_SYSTEM_RESET       0x84000009UL
#define PSCI_FEATURES           0x8400000AUL

#define PSCI_SUCCESS            0
#define PSCI_NOT_SUPPORTED      (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED             (-3)
#define PSCI_ALREADY_ON         (-4)

i64 psci_call(u64 fn, u64 a1, u64 a2, u64 a3);
i64 psci_cpu_on(u64 mpidr, u64 entry, u64 context_id);
i64 psci_affinity_info(u64 mpidr, u64 level);
void psci_cpu_off(void) __attribute__((noreturn));
void psci_system_off(void) __attribute__((noreturn));

/* Spinlock on LDAXR/STXR, released with STLR (+SEV). */
void spin_lock(volatile u32 *lock);
void spin_unlock(volatile u32 *lock);

/* Identity map of the low 2 GiB (1 GiB blocks: device below RAM, normal
   write-back from 0x40000000), for programs that want caches on. */
void mmu_identity_build(void);
void mmu_identity_enable(void);
/* The same settings (39-bit VA, MAIR attr0 device, attr1 normal write-back)
   with the caller's level 1 table; caches on. */
void mmu_enable(u64 ttbr0);

void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);

#endif
