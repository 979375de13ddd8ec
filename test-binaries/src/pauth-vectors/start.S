// Entry point for the bare-metal pointer-authentication vector generator.
// qemu's virt board enters here at EL1 with the MMU and caches off.

    .section .text.start, "ax"
    .global _start
_start:
    ldr     x0, =stack_top
    mov     sp, x0
    bl      main
    // PSCI SYSTEM_OFF through HVC (qemu's virt board implements PSCI itself
    // when the guest starts at EL1).
    ldr     x0, =0x84000008
    hvc     #0
1:  wfi
    b       1b
