/* Guest side of kestrel-difftest: runs instruction sequences on a given
 * register and memory state and reports the resulting state.
 *
 * Freestanding (no C library) so that the binary is small, the work per test
 * is only what is described here, and nothing else in the process touches
 * TPIDR_EL0, signals or the exclusive monitor.
 *
 * Per chunk of tests (up to the first one whose slot is already taken): write
 * each test's code into its slot, clean/invalidate the caches once, then for
 * each test fill the memory block, run it (stubs.S) and write its result.
 */
#include "protocol.h"

#define SLOT_BYTES 128
#define SLOT_WORDS (SLOT_BYTES / 4)
#define PAGE 4096UL
#define SLOTS_ADDR (CODE_ADDR + PAGE)
#define SLOTS_BYTES (CHUNK * SLOT_BYTES)
#define ALTSTACK_BYTES 65536

#define SYS_read 63
#define SYS_write 64
#define SYS_exit 93
#define SYS_sigaltstack 132
#define SYS_rt_sigaction 134
#define SYS_mmap 222
#define SYS_mprotect 226

#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGFPE 8
#define SIGSEGV 11

#define SA_SIGINFO 0x4u
#define SA_ONSTACK 0x08000000u
#define SA_RESTORER 0x04000000u

#define LDR_X30_LITERAL (0x58000000u | ((120 / 4) << 5) | 30) /* ldr x30, .+120 */
#define FPSIMD_MAGIC 0x46508001u

long sys6(long nr, long a, long b, long c, long d, long e, long f);
int run_test(struct regs *r);
void sigreturn_tramp(void);
void fault_resume(void);
extern char exit_tmpl[], exit_tmpl_saved[], exit_tmpl_end[];

/* Kernel structures (arch/arm64 uapi). */
struct kernel_sigaction {
    void (*handler)(int, void *, void *);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
};
struct stack_t {
    void *sp;
    int flags;
    unsigned long size;
};
struct sigcontext {
    uint64_t fault_address;
    uint64_t regs[31];
    uint64_t sp;
    uint64_t pc;
    uint64_t pstate;
    uint8_t reserved[4096] __attribute__((aligned(16)));
};
struct ucontext {
    unsigned long flags;
    struct ucontext *link;
    struct stack_t stack;
    unsigned long sigmask;
    uint8_t unused[128 - 8];
    struct sigcontext mcontext;
};
struct ctx_head {
    uint32_t magic;
    uint32_t size;
};
struct fpsimd_context {
    struct ctx_head head;
    uint32_t fpsr;
    uint32_t fpcr;
    unsigned __int128 vregs[32];
};
_Static_assert(__builtin_offsetof(struct ucontext, mcontext) == 176, "ucontext layout");
_Static_assert(__builtin_offsetof(struct sigcontext, reserved) == 288, "sigcontext layout");

static struct test_in tests[CHUNK + 1]; /* one read ahead */
static uint8_t explicit_mem[CHUNK + 1][MEM_SIZE];
static struct test_out out;
static struct regs running;
static uint8_t altstack[ALTSTACK_BYTES] __attribute__((aligned(16)));

/* Signal details of the current test; set by on_signal. */
static volatile int in_test;
static volatile uint64_t current_slot;
static uint32_t fault_signal;
static int32_t fault_index;
static uint64_t fault_addr;

static void write_all(const void *p, unsigned long n) {
    const char *c = p;
    while (n) {
        long r = sys6(SYS_write, 1, (long)c, (long)n, 0, 0, 0);
        if (r <= 0) sys6(SYS_exit, 3, 0, 0, 0, 0, 0);
        c += r;
        n -= (unsigned long)r;
    }
}

static void die(const char *msg) {
    unsigned long n = 0;
    while (msg[n]) n++;
    sys6(SYS_write, 2, (long)msg, (long)n, 0, 0, 0);
    sys6(SYS_exit, 2, 0, 0, 0, 0, 0);
}

/* Reads exactly n bytes; returns 0 at a clean end of input. */
static int read_exact(void *p, unsigned long n) {
    char *c = p;
    unsigned long got = 0;
    while (got < n) {
        long r = sys6(SYS_read, 0, (long)(c + got), (long)(n - got), 0, 0, 0);
        if (r < 0) die("harness: read failed\n");
        if (r == 0) {
            if (got == 0) return 0;
            die("harness: truncated record\n");
        }
        got += (unsigned long)r;
    }
    return 1;
}

/* The compiler may emit calls to these for structure copies. */
void *memcpy(void *dst, const void *src, unsigned long n) {
    char *d = dst;
    const char *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, unsigned long n) {
    char *d = dst;
    while (n--) *d++ = (char)c;
    return dst;
}

static void copy(void *dst, const void *src, unsigned long n) { memcpy(dst, src, n); }

/* The memory block's initial contents: splitmix64 from the seed (the Rust
 * side computes the same sequence). */
static void fill_memory(uint64_t seed) {
    uint64_t *m = (uint64_t *)MEM_ADDR;
    for (unsigned i = 0; i < MEM_SIZE / 8; i++) {
        seed += 0x9e3779b97f4a7c15ull;
        uint64_t z = seed;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        m[i] = z ^ (z >> 31);
    }
}

static uint64_t hash_memory(void) {
    const uint64_t *m = (const uint64_t *)MEM_ADDR;
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned i = 0; i < MEM_SIZE / 8; i++) {
        h = (h ^ m[i]) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    return h;
}

static void sync_code(uint64_t start, uint64_t len) {
    for (uint64_t a = start & ~63ull; a < start + len; a += 64) __asm__ volatile("dc cvau, %0" ::"r"(a) : "memory");
    __asm__ volatile("dsb ish" ::: "memory");
    for (uint64_t a = start & ~63ull; a < start + len; a += 64) __asm__ volatile("ic ivau, %0" ::"r"(a) : "memory");
    __asm__ volatile("dsb ish\n isb" ::: "memory");
}

/* Captures the state at a fault inside a test and resumes the harness. A
 * fault anywhere else is the harness's own and ends the process. */
static void on_signal(int sig, void *info, void *ctx) {
    struct ucontext *uc = ctx;
    struct sigcontext *mc = &uc->mcontext;
    if (!in_test) die("harness: unexpected signal in the harness\n");
    fault_signal = (uint32_t)sig;
    fault_addr = *(uint64_t *)((char *)info + 16);
    fault_index = -1;
    if (mc->pc >= current_slot + 4 && mc->pc < current_slot + 4 + 4 * MAX_INSNS) fault_index = (int32_t)((mc->pc - current_slot - 4) / 4);
    for (int i = 0; i < 31; i++) running.x[i] = mc->regs[i];
    running.sp = mc->sp;
    running.nzcv = mc->pstate & 0xf0000000ull;
    /* The FP/SIMD record is the first one in the reserved area on Linux. */
    struct ctx_head *h = (struct ctx_head *)mc->reserved;
    while (h->magic != 0 && h->magic != FPSIMD_MAGIC && h->size != 0 && (char *)h < (char *)mc->reserved + 4096 - 16)
        h = (struct ctx_head *)((char *)h + h->size);
    if (h->magic == FPSIMD_MAGIC) {
        struct fpsimd_context *f = (struct fpsimd_context *)h;
        running.fpsr = f->fpsr;
        running.fpcr = f->fpcr;
        for (int i = 0; i < 32; i++) running.v[i] = f->vregs[i];
    }
    mc->pc = (uint64_t)fault_resume;
}

static void setup(void) {
    long code = sys6(SYS_mmap, (long)CODE_ADDR, (long)(PAGE + SLOTS_BYTES), 7, 0x32 /* PRIVATE|ANON|FIXED */, -1, 0);
    if (code != (long)CODE_ADDR) die("harness: cannot map the code region\n");
    /* The block with an inaccessible page on each side, so a stray access
     * faults the same way under every emulator. */
    long mem = sys6(SYS_mmap, (long)(MEM_ADDR - PAGE), (long)(MEM_SIZE + 2 * PAGE), 0, 0x32, -1, 0);
    if (mem != (long)(MEM_ADDR - PAGE)) die("harness: cannot map the memory block\n");
    if (sys6(SYS_mprotect, (long)MEM_ADDR, MEM_SIZE, 3, 0, 0, 0) != 0) die("harness: mprotect failed\n");
    copy((void *)CODE_ADDR, exit_tmpl, (unsigned long)(exit_tmpl_end - exit_tmpl));
    sync_code(CODE_ADDR, PAGE);

    struct stack_t ss = {altstack, 0, sizeof altstack};
    if (sys6(SYS_sigaltstack, (long)&ss, 0, 0, 0, 0, 0) != 0) die("harness: sigaltstack failed\n");
    struct kernel_sigaction sa = {on_signal, SA_SIGINFO | SA_ONSTACK | SA_RESTORER, sigreturn_tramp, 0};
    int sigs[] = {SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sys6(SYS_rt_sigaction, sigs[i], (long)&sa, 0, 8, 0, 0) != 0) die("harness: sigaction failed\n");
}

/* A slot: word 0 loads the test's X30 from the literal in words 30-31, then
 * the test's instructions, then the way out: X0 parked in TPIDR_EL0 and an
 * indirect branch to the exit stub (through the literal in words 28-29). The
 * exit is indirect so that Kestrel's compiler, which pulls blocks reached by
 * direct branches into one region, does not recompile the large exit stub
 * with every test. Any later word branches back to the way out, so a forward
 * branch past a shortened test still leaves through it. */
static uint64_t slot_addr(unsigned i) { return SLOTS_ADDR + (uint64_t)tests[i].slot * SLOT_BYTES; }

static void write_slot(unsigned i) {
    uint32_t *slot = (uint32_t *)slot_addr(i);
    const struct test_in *t = &tests[i];
    unsigned n = t->n_insns;
    unsigned out = 1 + n;
    slot[0] = LDR_X30_LITERAL;
    for (unsigned k = 0; k < n; k++) slot[1 + k] = t->insns[k];
    slot[out] = 0xd51bd040u;                                      /* msr tpidr_el0, x0 */
    slot[out + 1] = 0x58000000u | ((28 - (out + 1)) << 5);        /* ldr x0, exit literal */
    slot[out + 2] = 0xd61f0000u;                                  /* br x0 */
    for (unsigned k = out + 3; k < 28; k++) slot[k] = 0x14000000u | ((uint32_t)((int32_t)out - (int32_t)k) & 0x03ffffffu);
    *(uint64_t *)&slot[28] = CODE_ADDR + (uint64_t)(exit_tmpl_saved - exit_tmpl);
    *(uint64_t *)&slot[30] = t->regs.x[30];
}

static void run_one(unsigned i) {
    const struct test_in *t = &tests[i];
    int use_mem = !(t->flags & TEST_NO_MEM);
    if (t->flags & TEST_EXPLICIT_MEM)
        copy((void *)MEM_ADDR, explicit_mem[i], MEM_SIZE);
    else if (use_mem)
        fill_memory(t->mem_seed);
    running = t->regs;
    running.sp += MEM_ADDR;
    running.x[28] += MEM_ADDR;
    current_slot = slot_addr(i);
    running.code = current_slot;
    fault_signal = 0;
    fault_index = -1;
    fault_addr = 0;
    in_test = 1;
    run_test(&running);
    in_test = 0;
    out.magic = OUT_MAGIC;
    out.signal = fault_signal;
    out.fault_index = fault_index;
    out.reserved = 0;
    out.fault_addr = fault_addr;
    out.mem_hash = use_mem || (t->flags & TEST_EXPLICIT_MEM) ? hash_memory() : 0;
    out.regs = running;
    out.regs.sp -= MEM_ADDR;
    out.regs.x[28] -= MEM_ADDR;
    out.regs.code = 0;
    write_all(&out, sizeof out);
    if (t->flags & TEST_DUMP_MEM) write_all((void *)MEM_ADDR, MEM_SIZE);
}

static void run_chunk(unsigned n) {
    for (unsigned i = 0; i < n; i++) write_slot(i);
    sync_code(SLOTS_ADDR, SLOTS_BYTES);
    for (unsigned i = 0; i < n; i++) run_one(i);
}

static int read_test(unsigned i) {
    if (!read_exact(&tests[i], sizeof tests[i])) return 0;
    if (tests[i].magic != IN_MAGIC || tests[i].n_insns > MAX_INSNS || tests[i].slot >= CHUNK) die("harness: bad record\n");
    if (tests[i].flags & TEST_EXPLICIT_MEM)
        if (!read_exact(explicit_mem[i], MEM_SIZE)) die("harness: missing memory block\n");
    return 1;
}

int main(void) {
    static uint8_t taken[CHUNK];
    setup();
    unsigned n = 0;
    for (;;) {
        /* tests[n] is read ahead; it starts the next chunk if its slot is taken. */
        int more = read_test(n);
        if (!more || taken[tests[n].slot]) {
            run_chunk(n);
            for (unsigned i = 0; i < n; i++) taken[tests[i].slot] = 0;
            if (!more) return 0;
            tests[0] = tests[n];
            if (tests[0].flags & TEST_EXPLICIT_MEM) copy(explicit_mem[0], explicit_mem[n], MEM_SIZE);
            n = 0;
        }
        taken[tests[n].slot] = 1;
        n++;
    }
}
