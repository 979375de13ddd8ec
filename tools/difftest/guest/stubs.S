/* Entry point, system calls and the register load/store stubs of the harness.
 *
 * run_test(struct regs *r) loads every register from *r (SP, NZCV, FPCR, FPSR,
 * X0-X30, V0-V31) and jumps to r->code. A test slot ends with a branch to the
 * copy of exit_tmpl that harness.c places at CODE_ADDR (a B instruction only
 * reaches +-128 MiB, and the harness text is far from the slots; the slots
 * leave through an indirect branch anyway, see write_slot). exit_tmpl
 * stores every register back into *r and returns 0 from run_test; after a
 * fault the signal handler captures the state from the signal frame and
 * resumes at fault_resume, which returns 1.
 *
 * While the test runs, no register is the harness's: X0 is parked in
 * TPIDR_EL0 (saved and restored around the test) and the harness's SP and the
 * regs pointer live in `scratch`, reached through absolute literals.
 */


    .text
    .globl _start
_start:
    mov x29, #0
    mov x30, #0
    mov x0, sp
    bl main
    mov x8, #93 /* exit */
    svc #0

/* long sys6(long nr, long a, long b, long c, long d, long e, long f) */
    .globl sys6
sys6:
    mov x8, x0
    mov x0, x1
    mov x1, x2
    mov x2, x3
    mov x3, x4
    mov x4, x5
    mov x5, x6
    svc #0
    ret

/* sa_restorer for every handler: rt_sigreturn. */
    .globl sigreturn_tramp
sigreturn_tramp:
    mov x8, #139
    svc #0

/* int run_test(struct regs *r) */
    .globl run_test
run_test:
    sub sp, sp, #176
    stp x29, x30, [sp, #0]
    stp x19, x20, [sp, #16]
    stp x21, x22, [sp, #32]
    stp x23, x24, [sp, #48]
    stp x25, x26, [sp, #64]
    stp x27, x28, [sp, #80]
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    adrp x16, scratch
    add x16, x16, :lo12:scratch
    mov x17, sp
    str x17, [x16, #0]
    str x0, [x16, #8]
    mrs x17, tpidr_el0
    str x17, [x16, #16]
    /* No exclusive monitor may survive from the harness or an earlier test. */
    clrex
    ldr x1, [x0, #16]
    msr fpcr, x1
    ldr x1, [x0, #24]
    msr fpsr, x1
    ldr x1, [x0, #8]
    msr nzcv, x1
    ldr x1, [x0, #0]
    mov sp, x1
    mov x30, x0
    ldp q0, q1, [x30, #288]
    ldp q2, q3, [x30, #320]
    ldp q4, q5, [x30, #352]
    ldp q6, q7, [x30, #384]
    ldp q8, q9, [x30, #416]
    ldp q10, q11, [x30, #448]
    ldp q12, q13, [x30, #480]
    ldp q14, q15, [x30, #512]
    ldp q16, q17, [x30, #544]
    ldp q18, q19, [x30, #576]
    ldp q20, q21, [x30, #608]
    ldp q22, q23, [x30, #640]
    ldp q24, q25, [x30, #672]
    ldp q26, q27, [x30, #704]
    ldp q28, q29, [x30, #736]
    ldp q30, q31, [x30, #768]
    ldp x0, x1, [x30, #32]
    ldp x2, x3, [x30, #48]
    ldp x4, x5, [x30, #64]
    ldp x6, x7, [x30, #80]
    ldp x8, x9, [x30, #96]
    ldp x10, x11, [x30, #112]
    ldp x12, x13, [x30, #128]
    ldp x14, x15, [x30, #144]
    ldp x16, x17, [x30, #160]
    ldp x18, x19, [x30, #176]
    ldp x20, x21, [x30, #192]
    ldp x22, x23, [x30, #208]
    ldp x24, x25, [x30, #224]
    ldp x26, x27, [x30, #240]
    ldp x28, x29, [x30, #256]
    /* The slot's first instruction loads the test's X30 from its literal. */
    ldr x30, [x30, #280]
    br x30

/* Copied to CODE_ADDR; position independent apart from absolute literals. */
    .balign 16
    .globl exit_tmpl, exit_tmpl_saved, exit_tmpl_end
exit_tmpl:
    msr tpidr_el0, x0
exit_tmpl_saved: /* where the slots enter, X0 already parked */
    ldr x0, exit_lit_scratch
    ldr x0, [x0, #8]
    str x1, [x0, #40]
    stp x2, x3, [x0, #48]
    stp x4, x5, [x0, #64]
    stp x6, x7, [x0, #80]
    stp x8, x9, [x0, #96]
    stp x10, x11, [x0, #112]
    stp x12, x13, [x0, #128]
    stp x14, x15, [x0, #144]
    stp x16, x17, [x0, #160]
    stp x18, x19, [x0, #176]
    stp x20, x21, [x0, #192]
    stp x22, x23, [x0, #208]
    stp x24, x25, [x0, #224]
    stp x26, x27, [x0, #240]
    stp x28, x29, [x0, #256]
    str x30, [x0, #272]
    mrs x1, tpidr_el0
    str x1, [x0, #32]
    mov x1, sp
    str x1, [x0, #0]
    mrs x1, nzcv
    str x1, [x0, #8]
    mrs x1, fpcr
    str x1, [x0, #16]
    mrs x1, fpsr
    str x1, [x0, #24]
    stp q0, q1, [x0, #288]
    stp q2, q3, [x0, #320]
    stp q4, q5, [x0, #352]
    stp q6, q7, [x0, #384]
    stp q8, q9, [x0, #416]
    stp q10, q11, [x0, #448]
    stp q12, q13, [x0, #480]
    stp q14, q15, [x0, #512]
    stp q16, q17, [x0, #544]
    stp q18, q19, [x0, #576]
    stp q20, q21, [x0, #608]
    stp q22, q23, [x0, #640]
    stp q24, q25, [x0, #672]
    stp q26, q27, [x0, #704]
    stp q28, q29, [x0, #736]
    stp q30, q31, [x0, #768]
    mov x0, #0
    ldr x16, exit_lit_finish
    br x16
    .balign 8
exit_lit_scratch:
    .quad scratch
exit_lit_finish:
    .quad finish
exit_tmpl_end:

/* Back in the harness: its TPIDR_EL0, SP, FP environment and callee-saved
 * registers; x0 is run_test's return value. */
    .globl fault_resume
fault_resume:
    mov x0, #1
finish:
    adrp x16, scratch
    add x16, x16, :lo12:scratch
    ldr x17, [x16, #16]
    msr tpidr_el0, x17
    ldr x17, [x16, #0]
    mov sp, x17
    msr fpcr, xzr
    ldp x29, x30, [sp, #0]
    ldp x19, x20, [sp, #16]
    ldp x21, x22, [sp, #32]
    ldp x23, x24, [sp, #48]
    ldp x25, x26, [sp, #64]
    ldp x27, x28, [sp, #80]
    ldp d8, d9, [sp, #96]
    ldp d10, d11, [sp, #112]
    ldp d12, d13, [sp, #128]
    ldp d14, d15, [sp, #144]
    add sp, sp, #176
    ret

/* In .data rather than .bss: a writable segment with no file contents at
 * all (offset past the end of the file) is valid ELF, but some loaders
 * reject it. */
    .data
    .balign 16
    .globl scratch
scratch:
    .quad 0, 0, 0, 0 /* harness SP, regs pointer, harness TPIDR_EL0 */
