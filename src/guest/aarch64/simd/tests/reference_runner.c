/* Reference runner for differential tests of the FP/AdvSIMD semantics.
 *
 * Reads fixed-size records (struct state) from stdin; for each, runs the one
 * instruction word in `word` with all V registers, X0-X30, NZCV, FPCR and
 * FPSR loaded from the record, then writes the record back with the
 * resulting registers. `status` is 0 on success, 1 if the word raised SIGILL.
 *
 * With the environment variable RUNNER_MEM set, each record is followed by
 * MEM_SIZE bytes that are loaded at MEM_BASE before the word runs and written
 * back after it, for the structure load/store instructions.
 *
 * Build: aarch64-linux-gnu-gcc -O1 -static -o reference_runner reference_runner.c
 * Run:   qemu-aarch64 ./reference_runner < in > out  (or natively on AArch64)
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

struct state {
    uint64_t x[31];          /* 0 */
    uint64_t nzcv;           /* 248 */
    uint64_t fpcr;           /* 256 */
    uint64_t fpsr;           /* 264 */
    uint32_t word;           /* 272 */
    uint32_t status;         /* 276 */
    uint64_t pad;            /* 280 */
    unsigned __int128 v[32]; /* 288 */
};
_Static_assert(sizeof(struct state) == 800, "layout");

/* Loads the state, runs the nop at tmpl_insn (patched), stores the state. */
extern char tmpl_start[], tmpl_insn[], tmpl_end[];
__asm__(
    ".text\n.balign 16\n.globl tmpl_start, tmpl_insn, tmpl_end\n"
    "tmpl_start:\n"
    "sub sp, sp, #176\n"
    "stp x19, x20, [sp, #0]\n stp x21, x22, [sp, #16]\n stp x23, x24, [sp, #32]\n"
    "stp x25, x26, [sp, #48]\n stp x27, x28, [sp, #64]\n stp x29, x30, [sp, #80]\n"
    "stp d8, d9, [sp, #96]\n stp d10, d11, [sp, #112]\n stp d12, d13, [sp, #128]\n stp d14, d15, [sp, #144]\n"
    "adr x16, tmpl_slot\n str x0, [x16]\n"
    "ldr x1, [x0, #256]\n msr fpcr, x1\n"
    "ldr x1, [x0, #264]\n msr fpsr, x1\n"
    "ldr x1, [x0, #248]\n msr nzcv, x1\n"
    "ldp q0, q1, [x0, #288]\n ldp q2, q3, [x0, #320]\n ldp q4, q5, [x0, #352]\n ldp q6, q7, [x0, #384]\n"
    "ldp q8, q9, [x0, #416]\n ldp q10, q11, [x0, #448]\n ldp q12, q13, [x0, #480]\n ldp q14, q15, [x0, #512]\n"
    "ldp q16, q17, [x0, #544]\n ldp q18, q19, [x0, #576]\n ldp q20, q21, [x0, #608]\n ldp q22, q23, [x0, #640]\n"
    "ldp q24, q25, [x0, #672]\n ldp q26, q27, [x0, #704]\n ldp q28, q29, [x0, #736]\n ldp q30, q31, [x0, #768]\n"
    "ldp x2, x3, [x0, #16]\n ldp x4, x5, [x0, #32]\n ldp x6, x7, [x0, #48]\n ldp x8, x9, [x0, #64]\n"
    "ldp x10, x11, [x0, #80]\n ldp x12, x13, [x0, #96]\n ldp x14, x15, [x0, #112]\n ldp x16, x17, [x0, #128]\n"
    "ldp x18, x19, [x0, #144]\n ldp x20, x21, [x0, #160]\n ldp x22, x23, [x0, #176]\n ldp x24, x25, [x0, #192]\n"
    "ldp x26, x27, [x0, #208]\n ldp x28, x29, [x0, #224]\n ldr x30, [x0, #240]\n"
    "ldp x0, x1, [x0, #0]\n"
    "tmpl_insn:\n nop\n"
    "str x0, [sp, #160]\n"
    "adr x0, tmpl_slot\n ldr x0, [x0]\n"
    "str x1, [x0, #8]\n ldr x1, [sp, #160]\n str x1, [x0, #0]\n"
    "stp x2, x3, [x0, #16]\n stp x4, x5, [x0, #32]\n stp x6, x7, [x0, #48]\n stp x8, x9, [x0, #64]\n"
    "stp x10, x11, [x0, #80]\n stp x12, x13, [x0, #96]\n stp x14, x15, [x0, #112]\n stp x16, x17, [x0, #128]\n"
    "stp x18, x19, [x0, #144]\n stp x20, x21, [x0, #160]\n stp x22, x23, [x0, #176]\n stp x24, x25, [x0, #192]\n"
    "stp x26, x27, [x0, #208]\n stp x28, x29, [x0, #224]\n str x30, [x0, #240]\n"
    "mrs x1, nzcv\n str x1, [x0, #248]\n mrs x1, fpcr\n str x1, [x0, #256]\n mrs x1, fpsr\n str x1, [x0, #264]\n"
    "stp q0, q1, [x0, #288]\n stp q2, q3, [x0, #320]\n stp q4, q5, [x0, #352]\n stp q6, q7, [x0, #384]\n"
    "stp q8, q9, [x0, #416]\n stp q10, q11, [x0, #448]\n stp q12, q13, [x0, #480]\n stp q14, q15, [x0, #512]\n"
    "stp q16, q17, [x0, #544]\n stp q18, q19, [x0, #576]\n stp q20, q21, [x0, #608]\n stp q22, q23, [x0, #640]\n"
    "stp q24, q25, [x0, #672]\n stp q26, q27, [x0, #704]\n stp q28, q29, [x0, #736]\n stp q30, q31, [x0, #768]\n"
    "ldp x19, x20, [sp, #0]\n ldp x21, x22, [sp, #16]\n ldp x23, x24, [sp, #32]\n"
    "ldp x25, x26, [sp, #48]\n ldp x27, x28, [sp, #64]\n ldp x29, x30, [sp, #80]\n"
    "ldp d8, d9, [sp, #96]\n ldp d10, d11, [sp, #112]\n ldp d12, d13, [sp, #128]\n ldp d14, d15, [sp, #144]\n"
    "add sp, sp, #176\n ret\n"
    ".balign 8\n tmpl_slot: .quad 0\n"
    "tmpl_end:\n");

#define MEM_BASE 0x7e000000UL
#define MEM_SIZE 256

static sigjmp_buf on_sigill;

static void sigill(int sig) {
    (void)sig;
    siglongjmp(on_sigill, 1);
}

int main(void) {
    size_t len = (size_t)(tmpl_end - tmpl_start);
    size_t insn_off = (size_t)(tmpl_insn - tmpl_start);
    char *page = mmap(0, 65536, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) return 2;
    memcpy(page, tmpl_start, len);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sigill;
    sigaction(SIGILL, &sa, 0);
    int with_mem = getenv("RUNNER_MEM") != 0;
    char *mem = 0;
    if (with_mem) {
        mem = mmap((void *)MEM_BASE, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (mem == MAP_FAILED) return 3;
    }
    static struct state s;
    while (fread(&s, sizeof s, 1, stdin) == 1) {
        if (with_mem && fread(mem, MEM_SIZE, 1, stdin) != 1) return 4;
        memcpy(page + insn_off, &s.word, 4);
        __builtin___clear_cache(page, page + len);
        s.status = 0;
        if (sigsetjmp(on_sigill, 1) == 0) {
            ((void (*)(struct state *))page)(&s);
        } else {
            s.status = 1;
        }
        fwrite(&s, sizeof s, 1, stdout);
        if (with_mem) fwrite(mem, MEM_SIZE, 1, stdout);
    }
    return 0;
}
