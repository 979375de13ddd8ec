// A freestanding program: no C library, only raw Linux system calls.
//
// It is the first thing worth running on a new emulator: it needs nothing but
// the ELF loader, the initial stack layout, a handful of integer
// instructions, and the write/exit_group system calls.  It prints argc and
// each argument, checks a small loop computation, and exits with status 0
// when everything matched (1 otherwise).

#define SYS_write      64
#define SYS_exit_group 94

        .text
        .global _start
_start:
        // At entry sp points at argc, followed by the argv pointers.
        ldr     x19, [sp]               // x19 = argc
        add     x20, sp, #8             // x20 = &argv[0]
        mov     x21, #0                 // x21 = failure count

        adr     x0, msg_argc
        bl      put_str
        mov     x0, x19
        bl      put_dec
        bl      put_nl

        // Print argv[1..argc-1]; argv[0] depends on the caller's path.
        mov     x22, #1
1:      cmp     x22, x19
        b.ge    2f
        adr     x0, msg_arg
        bl      put_str
        ldr     x0, [x20, x22, lsl #3]
        bl      put_str
        bl      put_nl
        add     x22, x22, #1
        b       1b
2:
        // argv[argc] must be the NULL terminator.
        ldr     x0, [x20, x19, lsl #3]
        cbz     x0, 3f
        add     x21, x21, #1
3:
        // Sum 1..100 with a count-down loop: flags from subs drive b.ne.
        mov     x0, #0
        mov     x1, #100
4:      add     x0, x0, x1
        subs    x1, x1, #1
        b.ne    4b
        mov     x23, x0
        adr     x0, msg_sum
        bl      put_str
        mov     x0, x23
        bl      put_dec
        bl      put_nl
        mov     x1, #5050
        cmp     x23, x1
        cinc    x21, x21, ne

        // A call through a register and a conditional select or two.
        adr     x9, triple
        mov     x0, #14
        blr     x9                      // x0 = 42
        cmp     x0, #42
        cinc    x21, x21, ne

        adr     x0, msg_ok
        adr     x1, msg_fail
        cmp     x21, #0
        csel    x0, x0, x1, eq
        bl      put_str

        mov     x0, x21
        cmp     x0, #0
        cset    x0, ne                  // exit status: 0 ok, 1 failure
        mov     x8, #SYS_exit_group
        svc     #0

// x0 = x0 * 3, a leaf function reached by blr.
triple:
        add     x0, x0, x0, lsl #1
        ret

// put_str(x0 = NUL-terminated string).  Clobbers x0-x3, x8.
put_str:
        mov     x1, x0
        mov     x2, #0
5:      ldrb    w3, [x1, x2]
        cbz     w3, 6f
        add     x2, x2, #1
        b       5b
6:      mov     x0, #1                  // fd 1
        mov     x8, #SYS_write
        svc     #0
        ret

put_nl:
        adr     x0, msg_nl
        b       put_str

// put_dec(x0 = unsigned value): decimal digits, built backwards in a stack
// buffer.  Clobbers x0-x5, x8.
put_dec:
        sub     sp, sp, #32
        add     x4, sp, #31
        strb    wzr, [x4]               // terminator
        mov     x5, #10
7:      udiv    x2, x0, x5
        msub    x3, x2, x5, x0          // x3 = x0 % 10
        add     w3, w3, #'0'
        strb    w3, [x4, #-1]!
        mov     x0, x2
        cbnz    x0, 7b
        mov     x0, x4
        str     x30, [sp, #-16]!        // put_str is a call: keep our return address
        bl      put_str
        ldr     x30, [sp], #16
        add     sp, sp, #32
        ret

        .section .rodata
msg_argc:  .asciz "rawasm: argc="
msg_arg:   .asciz "arg: "
msg_sum:   .asciz "sum(1..100)="
msg_ok:    .asciz "rawasm: ok\n"
msg_fail:  .asciz "rawasm: FAIL\n"
msg_nl:    .asciz "\n"
