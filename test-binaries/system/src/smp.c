/*
 * smp: PSCI and two CPUs (run with -smp 2).
 *
 *  - PSCI_VERSION, MIGRATE_INFO_TYPE, PSCI_FEATURES of several functions
 *  - CPU_ON of MPIDR 1 at secondary_entry with a context id; the secondary
 *    enters at EL1 with the MMU off and DAIF masked, gets its own stack
 *    and x0 = the context id; once it has checked in, CPU_ON of an
 *    already-on CPU (the secondary, and the caller itself) returns
 *    ALREADY_ON, of a nonexistent MPIDR INVALID_PARAMETERS;
 *    AFFINITY_INFO before, during and after
 *  - both CPUs (MMU on, normal memory) increment a shared counter with
 *    LDXR/STXR 100000 times each (total 200000) and a plain counter under
 *    a LDAXR/STXR + STLR spinlock 20000 times each (total 40000)
 *  - the secondary calls CPU_OFF; the primary polls AFFINITY_INFO until it
 *    reports OFF, then starts the secondary a second time
 * The two CPUs never print at the same time: every line's turn is handed
 * over through flags, so the output is deterministic.
 */
#include "lib.h"

#define CTX1    0x0123456789abcdefUL
#define CTX2    0x00000000c0ffee02UL
#define N_ATOMIC 100000
#define N_LOCKED 20000

static volatile u32 print_lock, data_lock;
static volatile u32 atomic_counter;
static volatile u32 locked_counter;
static volatile u32 alive, go_print, printed, start, done;

static void atomic_inc(volatile u32 *p)
{
    u32 tmp, fail;
    asm volatile("1: ldxr   %w0, [%2]\n"
                 "   add    %w0, %w0, #1\n"
                 "   stxr   %w1, %w0, [%2]\n"
                 "   cbnz   %w1, 1b"
                 : "=&r"(tmp), "=&r"(fail)
                 : "r"(p)
                 : "memory");
}

static volatile u64 primary_sp;

/* start.S gives each CPU a 16 KiB stack: the two stack pointers in use
   are about 16 KiB apart */
static int own_stack(u64 sp)
{
    u64 d = sp > primary_sp ? sp - primary_sp : primary_sp - sp;
    return d > 8192 && d < 3 * 16384;
}

static u32 load_acquire(volatile u32 *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_release(volatile u32 *p, u32 v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void wait_for(volatile u32 *p, u32 v)
{
    while (load_acquire(p) != v)
        ;
}

static void work(void)
{
    for (int i = 0; i < N_ATOMIC; i++)
        atomic_inc(&atomic_counter);
    for (int i = 0; i < N_LOCKED; i++) {
        spin_lock(&data_lock);
        locked_counter = locked_counter + 1;
        spin_unlock(&data_lock);
    }
}

/* CPU 1; x0 on entry is the context id given to CPU_ON */
void secondary_main(u64 ctx)
{
    u64 sctlr = read_sysreg(sctlr_el1);
    u64 daif = read_sysreg(daif);
    u64 el = (read_sysreg(CurrentEL) >> 2) & 3;
    mmu_identity_enable();
    u64 mpidr = read_sysreg(mpidr_el1);
    u64 sp;
    asm volatile("mov %0, sp" : "=r"(sp));

    store_release(&alive, 1);
    wait_for(&go_print, 1);
    spin_lock(&print_lock);
    kprintf("secondary: mpidr=0x%lx aff0=%lu aff1=%lu context=0x%lx EL%lu mmu_at_entry=%lu daif=0x%lx own_stack=%d\n",
            mpidr, mpidr & 0xff, (mpidr >> 8) & 0xff, ctx, el, sctlr & 1, daif,
            own_stack(sp));
    check("secondary MPIDR", mpidr, 0x80000001);
    check("secondary EL", el, 1);
    check("secondary MMU off at entry", sctlr & 1, 0);
    check("secondary DAIF at entry", daif, 0x3c0);
    check_true("secondary on its own stack", own_stack(sp));
    spin_unlock(&print_lock);
    store_release(&printed, 1);

    if (ctx == CTX1) {
        wait_for(&start, 1);
        work();
    }
    store_release(&done, 1);
    /* returning to start.S calls CPU_OFF */
}

static const char *psci_ret(i64 r)
{
    switch (r) {
    case 0: return "SUCCESS";
    case -1: return "NOT_SUPPORTED";
    case -2: return "INVALID_PARAMETERS";
    case -3: return "DENIED";
    case -4: return "ALREADY_ON";
    case -5: return "ON_PENDING";
    case -6: return "INTERNAL_FAILURE";
    default: return "?";
    }
}

static void wait_off(u64 mpidr)
{
    i64 r;
    while ((r = psci_affinity_info(mpidr, 0)) == 0 || r == 2)
        ;
    kprintf("primary: AFFINITY_INFO(1) after CPU_OFF = %ld\n", r);
    check("AFFINITY_INFO OFF", r, 1);
}

int main(u64 dtb)
{
    (void)dtb;
    mmu_identity_build();
    mmu_identity_enable();
    kprintf("smp test\n");
    u64 sp;
    asm volatile("mov %0, sp" : "=r"(sp));
    primary_sp = sp;

    i64 v = psci_call(PSCI_VERSION, 0, 0, 0);
    kprintf("psci: version %ld.%ld\n", v >> 16, v & 0xffff);
    check_true("PSCI version >= 0.2", v >= 2);
    i64 r = psci_call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0);
    kprintf("psci: MIGRATE_INFO_TYPE = %ld\n", r);
    check("MIGRATE_INFO_TYPE (no trusted OS)", r, 2);
    static const struct { const char *name; u64 fn; } feats[] = {
        { "CPU_ON", PSCI_CPU_ON }, { "CPU_OFF", PSCI_CPU_OFF },
        { "AFFINITY_INFO", PSCI_AFFINITY_INFO }, { "SYSTEM_OFF", PSCI_SYSTEM_OFF },
        { "SYSTEM_RESET", PSCI_SYSTEM_RESET }, { "PSCI_FEATURES", PSCI_FEATURES },
        { "CPU_SUSPEND", 0xC4000001UL }, { "SYSTEM_SUSPEND", 0xC400000EUL },
        { "0x8400001f", 0x8400001FUL },
    };
    for (unsigned i = 0; i < sizeof feats / sizeof feats[0]; i++) {
        r = psci_call(PSCI_FEATURES, feats[i].fn, 0, 0);
        kprintf("psci: PSCI_FEATURES(%s) = %ld\n", feats[i].name, r);
    }
    r = psci_call(PSCI_FEATURES, PSCI_CPU_ON, 0, 0);
    check("PSCI_FEATURES(CPU_ON)", r, 0);
    r = psci_call(0x8400001FUL, 0, 0, 0);
    kprintf("psci: unknown function 0x8400001f = %ld %s\n", r, psci_ret(r));
    check("unknown PSCI function", r, (u64)PSCI_NOT_SUPPORTED);

    r = psci_affinity_info(1, 0);
    kprintf("primary: AFFINITY_INFO(1) before CPU_ON = %ld\n", r);
    check("AFFINITY_INFO before", r, 1);
    r = psci_affinity_info(0, 0);
    kprintf("primary: AFFINITY_INFO(0) (self) = %ld\n", r);
    check("AFFINITY_INFO self", r, 0);

    /* start CPU 1 */
    r = psci_cpu_on(1, (u64)secondary_entry, CTX1);
    kprintf("primary: CPU_ON(1) = %ld %s\n", r, psci_ret(r));
    check("CPU_ON", r, 0);
    /* qemu powers the CPU on asynchronously: until it runs, AFFINITY_INFO
       may still say OFF and another CPU_ON may succeed.  Once it has
       checked in it is on, and waits for go_print. */
    wait_for(&alive, 1);
    r = psci_cpu_on(1, (u64)secondary_entry, CTX1);
    kprintf("primary: CPU_ON(1) again = %ld %s\n", r, psci_ret(r));
    check("CPU_ON of a running CPU", r, (u64)PSCI_ALREADY_ON);
    r = psci_cpu_on(0, (u64)secondary_entry, CTX1);
    kprintf("primary: CPU_ON(0) (self) = %ld %s\n", r, psci_ret(r));
    check("CPU_ON of the caller", r, (u64)PSCI_ALREADY_ON);
    r = psci_cpu_on(7, (u64)secondary_entry, CTX1);
    kprintf("primary: CPU_ON(7) = %ld %s\n", r, psci_ret(r));
    check("CPU_ON of MPIDR 7", r, (u64)PSCI_INVALID_PARAMETERS);
    r = psci_cpu_on(0x100, (u64)secondary_entry, CTX1);
    kprintf("primary: CPU_ON(0x100) = %ld %s\n", r, psci_ret(r));
    check("CPU_ON of MPIDR 0x100", r, (u64)PSCI_INVALID_PARAMETERS);
    r = psci_affinity_info(1, 0);
    kprintf("primary: AFFINITY_INFO(1) while running = %ld\n", r);
    check("AFFINITY_INFO running", r, 0);
    r = psci_affinity_info(7, 0);
    kprintf("primary: AFFINITY_INFO(7) = %ld %s\n", r, psci_ret(r));
    check("AFFINITY_INFO of MPIDR 7", r, (u64)PSCI_INVALID_PARAMETERS);

    /* the secondary's line */
    store_release(&go_print, 1);
    wait_for(&printed, 1);

    /* both CPUs increment */
    store_release(&start, 1);
    work();
    wait_for(&done, 1);
    u32 a = load_acquire(&atomic_counter);
    spin_lock(&data_lock);
    u32 l = locked_counter;
    spin_unlock(&data_lock);
    kprintf("primary: exclusive counter = %u (want %u), locked counter = %u (want %u)\n",
            a, 2 * N_ATOMIC, l, 2 * N_LOCKED);
    check("exclusive counter", a, 2 * N_ATOMIC);
    check("locked counter", l, 2 * N_LOCKED);
    wait_off(1);

    /* a second start of the same CPU */
    alive = go_print = printed = done = 0;
    r = psci_cpu_on(1, (u64)secondary_entry, CTX2);
    kprintf("primary: CPU_ON(1) after CPU_OFF = %ld %s\n", r, psci_ret(r));
    check("second CPU_ON", r, 0);
    wait_for(&alive, 1);
    store_release(&go_print, 1);
    wait_for(&printed, 1);
    wait_for(&done, 1);
    wait_off(1);

    finish();
}
