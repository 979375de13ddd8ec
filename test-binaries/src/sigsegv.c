/*
 * Synchronous faults delivered precisely: SIGSEGV with si_addr and si_code
 * (ACCERR for a protected page, MAPERR for an unmapped one), the fault's ESR
 * in the signal frame, handlers that fix the cause and resume the faulting
 * instruction (also from a hot, compiled loop), and a handler that changes
 * registers and the pc through the ucontext.
 */
#define _GNU_SOURCE
#include <asm/sigcontext.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

static char *volatile page;
static volatile int faults, last_code, addr_ok, mode;
static volatile uint64_t last_esr;

static uint64_t find_esr(ucontext_t *uc)
{
    struct _aarch64_ctx *head = (struct _aarch64_ctx *)uc->uc_mcontext.__reserved;
    while (head->magic != 0) {
        if (head->magic == ESR_MAGIC)
            return ((struct esr_context *)head)->esr;
        head = (struct _aarch64_ctx *)((char *)head + head->size);
    }
    return 0;
}

static void handler(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    (void)sig;
    faults++;
    last_code = si->si_code;
    addr_ok = (char *)si->si_addr >= page && (char *)si->si_addr < page + 4096;
    last_esr = find_esr(uc);
    if (mode == 0) {
        mprotect(page, 4096, PROT_READ | PROT_WRITE); /* fix, then retry */
    } else if (mode == 1) {
        mmap(page, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    } else {
        uc->uc_mcontext.regs[0] = 42; /* skip the load, fake its result */
        uc->uc_mcontext.pc += 4;
    }
}

static volatile int ill_hits, trap_hits, ill_code, addr_is_pc;

static void skip_handler(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    if (sig == SIGILL) {
        ill_hits++;
        ill_code = si->si_code;
    } else {
        trap_hits++;
    }
    addr_is_pc = (uint64_t)si->si_addr == uc->uc_mcontext.pc;
    uc->uc_mcontext.pc += 4; /* step over the instruction */
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);

    page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    /* 1. Write to a PROT_NONE page: ACCERR, fixed by mprotect, resumed. */
    mode = 0;
    ((volatile char *)page)[100] = 7;
    uint64_t esr = last_esr;
    /* Linux reports the syndrome (data abort from EL0, write); qemu-user
     * leaves esr_context out, so accept its absence but not a wrong value. */
    int esr_ok = esr == 0 || ((esr >> 26) == 0x24 && ((esr >> 6) & 1) == 1);
    printf("accerr: faults=%d code=%d addr_ok=%d value=%d esr_ok=%d\n", faults, last_code, addr_ok, page[100], esr_ok);

    /* 2. Read from an unmapped page: MAPERR, fixed by mmap, resumed. */
    munmap(page, 4096);
    mode = 1;
    faults = 0;
    volatile char v = page[5];
    esr = last_esr;
    esr_ok = esr == 0 || ((esr >> 26) == 0x24 && ((esr >> 6) & 1) == 0);
    printf("maperr: faults=%d code=%d addr_ok=%d value=%d esr_ok=%d\n", faults, last_code, addr_ok, v, esr_ok);

    /* 3. A hot loop faulting again and again (compiled code faults too). */
    faults = 0;
    mode = 0;
    long sum = 0;
    for (int i = 0; i < 2000; i++) {
        if (i % 100 == 0)
            mprotect(page, 4096, PROT_NONE);
        ((volatile char *)page)[i % 4096] = (char)i;
        sum += page[i % 4096];
    }
    printf("hot loop: faults=%d sum=%ld\n", faults, sum);

    /* 4. The handler skips the faulting load and sets x0. */
    mode = 2;
    faults = 0;
    mprotect(page, 4096, PROT_NONE);
    uint64_t result;
    __asm__ volatile("mov x0, #1\n\t"
                     "ldr x0, [%1]\n\t"
                     "mov %0, x0\n\t"
                     : "=r"(result)
                     : "r"(page)
                     : "x0", "memory");
    printf("register edit: faults=%d x0=%llu\n", faults, (unsigned long long)result);

    /* 5. SIGILL and SIGTRAP handlers that step over udf and brk. */
    sa.sa_sigaction = skip_handler;
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
    __asm__ volatile("udf #0" ::: "memory");
    int ill_addr_ok = addr_is_pc;
    __asm__ volatile("brk #7" ::: "memory");
    /* Linux reports ILL_ILLOPC (1) for an undefined instruction; qemu-user
     * reports ILL_ILLOPN (2). Either is an illegal-opcode code. */
    printf("sigill: hits=%d code_ok=%d addr_is_pc=%d; sigtrap: hits=%d addr_is_pc=%d\n", ill_hits,
           ill_code == 1 || ill_code == 2, ill_addr_ok, trap_hits, addr_is_pc);
    return 0;
}
