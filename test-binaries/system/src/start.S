/*
 * Entry code shared by every system-mode test program.
 *
 * The image starts with an arm64 Linux "Image" header, so a boot loader
 * (qemu's -kernel, Kestrel's -kernel) places it 2 MiB above the start of
 * RAM and enters it at EL1 with the MMU off, x0 = address of the device
 * tree and x1..x3 = 0.
 *
 * Secondary CPUs are started through PSCI CPU_ON at secondary_entry with
 * their context id in x0.
 */

#define STACK_SIZE  16384
#define MAX_CPUS    4
#define FRAME_SIZE  272     /* struct frame in lib.h */

    .section .text.head, "ax"
    .globl  _start
_start:
    b       primary_entry           /* code0 */
    .word   0                       /* code1 */
    .quad   0                       /* text_offset */
    .quad   __image_size            /* image_size, bss included */
    .quad   0xa                     /* flags: LE, 4K pages, anywhere */
    .quad   0                       /* res2 */
    .quad   0                       /* res3 */
    .quad   0                       /* res4 */
    .ascii  "ARM\x64"               /* magic */
    .word   0                       /* res5 */

/* sp = top of this CPU's stack (by MPIDR_EL1.Aff0); parks unknown CPUs */
.macro  set_stack
    mrs     x9, mpidr_el1
    and     x9, x9, #0xff
    cmp     x9, #MAX_CPUS
    b.hs    park
    add     x9, x9, #1
    adrp    x10, cpu_stacks
    add     x10, x10, :lo12:cpu_stacks
    mov     x11, #STACK_SIZE
    madd    x10, x9, x11, x10
    mov     sp, x10
    adrp    x10, vectors
    add     x10, x10, :lo12:vectors
    msr     vbar_el1, x10
    isb
.endm

primary_entry:
    /* keep the boot registers for the programs that check them */
    adrp    x9, boot_regs
    add     x9, x9, :lo12:boot_regs
    stp     x0, x1, [x9]
    stp     x2, x3, [x9, #16]
    mov     x19, x0
    set_stack
    /* zero bss (boot_regs lives in .data, not here) */
    adrp    x9, __bss_start
    add     x9, x9, :lo12:__bss_start
    adrp    x10, __bss_end
    add     x10, x10, :lo12:__bss_end
1:  cmp     x9, x10
    b.hs    2f
    stp     xzr, xzr, [x9], #16
    b       1b
2:  bl      lib_init
    mov     x0, x19
    bl      main
    bl      psci_system_off
    b       park

    .globl  secondary_entry
secondary_entry:
    mov     x19, x0
    set_stack
    mov     x0, x19
    bl      secondary_main
    bl      psci_cpu_off
park:
    wfi
    b       park

/*
 * u64 enter_el0(u64 (*fn)(u64), u64 sp_el0, u64 arg)
 *
 * Runs fn(arg) at EL0t with SP_EL0 = sp_el0 and SPSR_EL1 = 0 (all of DAIF
 * clear).  EL0 code cannot return by itself: the exception handler ends it
 * by pointing ELR_EL1 at el0_return with SPSR_EL1 = EL1h, and the value it
 * leaves in x0 becomes enter_el0's result.  Only one CPU may use it at a
 * time.
 */
    .text
    .globl  enter_el0
enter_el0:
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    mov     x9, sp
    adrp    x10, el0_saved_sp
    str     x9, [x10, :lo12:el0_saved_sp]
    msr     sp_el0, x1
    msr     elr_el1, x0
    msr     spsr_el1, xzr
    mov     x0, x2
    mov     x1, xzr
    mov     x2, xzr
    mov     x30, xzr
    isb
    eret

    .globl  el0_return
el0_return:
    adrp    x10, el0_saved_sp
    ldr     x9, [x10, :lo12:el0_saved_sp]
    mov     sp, x9
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret

/*
 * The vector table: 16 entries 0x80 apart.  Each pushes a struct frame
 * onto SP_EL1 and calls
 *     handle_exception(kind, esr, elr, far, frame)
 * with kind = entry number 0..15.  On return the (possibly modified)
 * frame is restored, ELR_EL1/SPSR_EL1 included, and the code ERETs.
 */
.macro  ventry kind
    .balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp]
    mov     x0, #\kind
    b       exc_common
.endm

    .balign 2048
    .globl  vectors
vectors:
    ventry  0       /* current EL, SP_EL0: sync */
    ventry  1       /*                     IRQ */
    ventry  2       /*                     FIQ */
    ventry  3       /*                     SError */
    ventry  4       /* current EL, SP_ELx: sync */
    ventry  5       /*                     IRQ */
    ventry  6       /*                     FIQ */
    ventry  7       /*                     SError */
    ventry  8       /* lower EL, AArch64:  sync */
    ventry  9       /*                     IRQ */
    ventry  10      /*                     FIQ */
    ventry  11      /*                     SError */
    ventry  12      /* lower EL, AArch32:  sync */
    ventry  13      /*                     IRQ */
    ventry  14      /*                     FIQ */
    ventry  15      /*                     SError */

exc_common:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x2, elr_el1
    stp     x30, x2, [sp, #240]
    mrs     x3, spsr_el1
    mrs     x1, esr_el1
    stp     x3, x1, [sp, #256]
    mrs     x3, far_el1
    mov     x4, sp
    bl      handle_exception
    ldp     x30, x2, [sp, #240]
    ldr     x3, [sp, #256]
    msr     elr_el1, x2
    msr     spsr_el1, x3
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldp     x0, x1, [sp]
    add     sp, sp, #FRAME_SIZE
    eret

    .data
    .balign 8
    .globl  boot_regs
boot_regs:
    .quad   0, 0, 0, 0
el0_saved_sp:
    .quad   0

    .bss
    .balign 16
cpu_stacks:
    .space  STACK_SIZE * MAX_CPUS
