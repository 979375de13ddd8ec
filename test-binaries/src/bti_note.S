// A static program without libc whose GNU property note asks for branch
// target identification, so the loader itself maps its text guarded (as
// Linux does for a static executable, or for the interpreter of a dynamic
// one). A BLR onto BTI c returns normally; a BR onto an instruction that
// is no landing pad must raise SIGILL, which ends the process (status 132).
// Without the guarded mapping the program prints a failure and exits 1.

    .section .note.gnu.property, "a"
    .p2align 3
    .word 4                 // n_namesz
    .word 16                // n_descsz
    .word 5                 // NT_GNU_PROPERTY_TYPE_0
    .asciz "GNU"
    .word 0xc0000000        // GNU_PROPERTY_AARCH64_FEATURE_1_AND
    .word 4                 // pr_datasz
    .word 1                 // GNU_PROPERTY_AARCH64_FEATURE_1_BTI
    .word 0                 // padding to 8 bytes

    .text
    .globl _start
_start:
    bti     c
    adr     x1, entered
    mov     x2, #(entered_end - entered)
    bl      say
    adr     x9, landing_pad
    blr     x9
    adr     x1, returned
    mov     x2, #(returned_end - returned)
    bl      say
    adr     x9, no_landing_pad
    br      x9
    // Not reached when the page is guarded.
not_guarded:
    adr     x1, unguarded
    mov     x2, #(unguarded_end - unguarded)
    bl      say
    mov     x0, #1
    mov     x8, #93         // exit
    svc     #0

landing_pad:
    bti     c
    ret

no_landing_pad:
    add     x0, x0, #0      // any instruction but a landing pad
    b       not_guarded

// write(1, x1, x2)
say:
    mov     x0, #1
    mov     x8, #64
    svc     #0
    ret

    .section .rodata
entered:
    .ascii "entered, BTI note present\n"
entered_end:
returned:
    .ascii "blr onto bti c returned\n"
returned_end:
unguarded:
    .ascii "br onto a plain instruction ran: text not guarded\n"
unguarded_end:
