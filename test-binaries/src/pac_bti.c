/*
 * Pointer authentication (FEAT_PAuth) and branch target identification
 * (FEAT_BTI), built with -mbranch-protection=standard: every non-leaf
 * function signs its return address with PACIASP and checks it with
 * AUTIASP, every function starts with a landing pad (BTI c or PACIASP).
 *
 * Debian's static libc objects carry no BTI/PAC GNU property note, so the
 * linked program has none and its text is not guarded at load time
 * (-Wl,-z,force-bti would add the note, but then the unmarked libc code
 * faults on its first indirect call).  The BTI groups therefore guard code
 * themselves: a page of this program's own text (the .text.guarded section,
 * page aligned and padded) is mprotect()ed PROT_READ|PROT_EXEC|PROT_BTI, and
 * copies of the same code run from an mmap()ed page with PROT_BTI and from
 * one without it.
 *
 * Nothing printed depends on the PAC keys (which are random per process):
 * only properties of signed pointers, and how a child process dies when
 * authentication fails.  Faults happen in forked children whose SIGILL and
 * SIGSEGV handler prints the signal, the kind of si_code and (for BTI) the
 * faulting address as an offset into the page, then calls _exit.  Linux
 * reports a BTI fault with ILL_ILLOPC and an FPAC fault with ILL_ILLOPN;
 * qemu-user uses ILL_ILLOPN for both, so either prints as "illegal opcode".
 *
 * qemu-user 10.0 -cpu max implements FEAT_FPACCOMBINE (ID_AA64ISAR1_EL1.API
 * = 5), so a failed AUTIASP/AUTIA1716 itself raises SIGILL; qemu 7.2 has
 * FEAT_PAuth without FPAC (APA = 1): the authentication yields a
 * non-canonical pointer, AUTIA1716 returns it and the return through a
 * corrupted LR faults with SIGSEGV (SEGV_MAPERR) instead.  The expected
 * output is qemu 7.2's (FEAT_PAuth without FPAC, like Kestrel's CPU
 * models); the program itself only checks that the signal
 * agrees with what ID_AA64ISAR1_EL1 says.  Everything else prints the same
 * under both.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#ifndef PROT_BTI
#define PROT_BTI 0x10
#endif

typedef uint64_t u64;

#define NOINLINE __attribute__((noinline))

/* ------------------------------------------------------------------ */
/* Child processes and the signal report. */

static uintptr_t report_base; /* si_addr is printed relative to this */

static void report_handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    char buf[160];
    const char *name = sig == SIGILL ? "SIGILL" : sig == SIGSEGV ? "SIGSEGV" : "other";
    /* Linux reports a BTI fault as ILL_ILLOPC and a failed authentication
     * (FPAC) as ILL_ILLOPN; qemu-user says ILL_ILLOPN for both, so SIGILL
     * prints only that the code is one of these two. */
    char code[24];
    if (sig == SIGILL && (si->si_code == ILL_ILLOPC || si->si_code == ILL_ILLOPN))
        snprintf(code, sizeof code, "illegal opcode");
    else if (sig == SIGSEGV && si->si_code == SEGV_MAPERR)
        snprintf(code, sizeof code, "SEGV_MAPERR");
    else if (sig == SIGSEGV && si->si_code == SEGV_ACCERR)
        snprintf(code, sizeof code, "SEGV_ACCERR");
    else
        snprintf(code, sizeof code, "si_code %d", si->si_code);
    int n;
    if (report_base)
        n = snprintf(buf, sizeof buf, "%s (%s) at +0x%lx\n", name, code,
                     (unsigned long)((uintptr_t)si->si_addr - report_base));
    else
        n = snprintf(buf, sizeof buf, "%s (%s)\n", name, code);
    if (write(1, buf, n) < 0)
        _exit(9);
    _exit(sig == SIGILL ? 4 : 11);
}

/* Run fn(arg) in a child with the reporting handler; print "label: " and
 * then either the value returned or the signal.  Returns the exit status
 * (0 returned normally, 4 SIGILL, 11 SIGSEGV, -1 anything else). */
static int in_child(const char *label, u64 (*fn)(u64), u64 arg, uintptr_t base)
{
    printf("  %-40s ", label);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = report_handler;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGILL, &sa, NULL);
        sigaction(SIGSEGV, &sa, NULL);
        report_base = base;
        u64 r = fn(arg);
        printf("returned %llu\n", (unsigned long long)r);
        fflush(stdout);
        _exit(0);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid) {
        printf("waitpid failed\n");
        return -1;
    }
    if (WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 4 || WEXITSTATUS(st) == 11))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        printf("killed by signal %d\n", WTERMSIG(st));
    else
        printf("exit status %d\n", WEXITSTATUS(st));
    return -1;
}

/* ------------------------------------------------------------------ */
/* (a) Ordinary calls: function pointers and a deep call chain, every
 * non-leaf frame signing and authenticating its return address. */

typedef u64 (*op_fn)(u64, u64);
NOINLINE static u64 op_add(u64 a, u64 b) { return a + b; }
NOINLINE static u64 op_mul(u64 a, u64 b) { return a * b + 1; }
NOINLINE static u64 op_xor(u64 a, u64 b) { return (a ^ b) * 0x9e3779b97f4a7c15ull; }
NOINLINE static u64 op_rot(u64 a, u64 b) { return a << (b & 63) | a >> (64 - (b & 63)) | (b == 0); }
static op_fn volatile ops[4] = {op_add, op_mul, op_xor, op_rot};

/* Mutually recursive through a table of pointers, depth `depth`. */
static u64 chain_a(u64 x, int depth);
static u64 chain_b(u64 x, int depth);
static u64 (*volatile chain[2])(u64, int) = {chain_a, chain_b};
NOINLINE static u64 chain_a(u64 x, int depth)
{
    if (depth == 0)
        return x;
    u64 r = chain[depth & 1](ops[depth & 3](x, (u64)depth), depth - 1);
    return r ^ (u64)depth;
}
NOINLINE static u64 chain_b(u64 x, int depth)
{
    if (depth == 0)
        return x + 7;
    u64 r = chain[(depth >> 1) & 1](x * 3 + 1, depth - 1);
    return r + (u64)depth * 5;
}
static u64 chain_ref(u64 x, int depth, int which)
{
    if (depth == 0)
        return which ? x + 7 : x;
    if (which == 0) {
        u64 y;
        switch (depth & 3) {
        case 0: y = x + (u64)depth; break;
        case 1: y = x * (u64)depth + 1; break;
        case 2: y = (x ^ (u64)depth) * 0x9e3779b97f4a7c15ull; break;
        default: {
            u64 b = (u64)depth;
            y = x << (b & 63) | x >> (64 - (b & 63)) | (b == 0);
        }
        }
        return chain_ref(y, depth - 1, depth & 1) ^ (u64)depth;
    }
    return chain_ref(x * 3 + 1, depth - 1, (depth >> 1) & 1) + (u64)depth * 5;
}

static jmp_buf jb;
NOINLINE static void deep_longjmp(int n)
{
    if (n < 0)
        return;
    if (n == 0)
        longjmp(jb, 42);
    ops[n & 3](n, n);
    deep_longjmp(n - 1);
    ops[0](0, 0);
}

static void test_calls(void)
{
    group_begin("calls");
    u64 acc = 1;
    for (int i = 0; i < 1000; i++)
        acc = ops[i & 3](acc, (u64)i);
    printf("  function pointers: %016llx\n", (unsigned long long)acc);
    u64 want = 1;
    for (int i = 0; i < 1000; i++) {
        u64 b = (u64)i;
        switch (i & 3) {
        case 0: want = want + b; break;
        case 1: want = want * b + 1; break;
        case 2: want = (want ^ b) * 0x9e3779b97f4a7c15ull; break;
        default: want = want << (b & 63) | want >> (64 - (b & 63)) | (b == 0);
        }
    }
    CHECK_EQ("function pointers", acc, want);
    static const int depths[] = {1, 2, 10, 100, 1000, 5000};
    for (unsigned i = 0; i < sizeof depths / sizeof depths[0]; i++) {
        u64 r = chain_a(12345, depths[i]);
        printf("  chain depth %-5d %016llx\n", depths[i], (unsigned long long)r);
        CHECK_EQ("chain", r, chain_ref(12345, depths[i], 0));
    }
    int v = setjmp(jb);
    if (v == 0)
        deep_longjmp(300);
    printf("  longjmp out of 300 frames: %d\n", v);
    CHECK_EQ("longjmp", v, 42);
    group_end();
}

/* ------------------------------------------------------------------ */
/* PAC instructions on data pointers (hint-space PACIA1716/AUTIA1716/
 * XPACLRI, and PACGA). */

static u64 pacia1716(u64 ptr, u64 mod)
{
    register u64 x17 __asm__("x17") = ptr;
    register u64 x16 __asm__("x16") = mod;
    __asm__ volatile("hint 8 // pacia1716" : "+r"(x17) : "r"(x16));
    return x17;
}
static u64 autia1716(u64 ptr, u64 mod)
{
    register u64 x17 __asm__("x17") = ptr;
    register u64 x16 __asm__("x16") = mod;
    __asm__ volatile("hint 12 // autia1716" : "+r"(x17) : "r"(x16));
    return x17;
}
static u64 xpaclri(u64 ptr)
{
    register u64 x30 __asm__("x30") = ptr;
    __asm__ volatile("hint 7 // xpaclri" : "+r"(x30));
    return x30;
}
static u64 pacga(u64 a, u64 b)
{
    u64 r;
    __asm__ volatile(".arch_extension pauth\n\tpacga %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

static int id_says_fpac(void)
{
    u64 isar1;
    __asm__ volatile("mrs %0, id_aa64isar1_el1" : "=r"(isar1));
    unsigned apa = (isar1 >> 4) & 15, api = (isar1 >> 8) & 15;
    return apa >= 4 || api >= 4;
}

/* Authenticates a pointer signed with modifier 1 using 16 other modifiers.
 * The PAC field has 7 bits, so a wrong modifier authenticates by chance
 * once in 128 tries: at least 12 of the 16 must fail (failing that by
 * chance is about one in ten million), which keeps the output independent
 * of the keys. */
static u64 auth_wrong_modifier(u64 p)
{
    u64 s = pacia1716(p, 1);
    int rejected = 0;
    for (u64 mod = 2; mod < 18; mod++) {
        u64 r = autia1716(s, mod);
        /* Without FPAC: r is p with an error code in the PAC field. */
        rejected += r != p && (r >> 48 & 0x7f) != (p >> 48 & 0x7f);
    }
    printf("%s, ", rejected >= 12 ? "not the original pointer" : "authenticated anyway");
    return rejected >= 12 ? 1 : 0;
}

static void test_pac_insns(void)
{
    group_begin("pac");
    u64 h1 = getauxval(AT_HWCAP);
    printf("  hwcap paca %d pacg %d\n", !!(h1 & HWCAP_PACA), !!(h1 & HWCAP_PACG));
    CHECK("hwcap paca", h1 & HWCAP_PACA);
    CHECK("hwcap pacg", h1 & HWCAP_PACG);

    static int objects[32];
    int round_trip = 1, stripped = 1, changed = 0, same_mod = 1;
    for (int i = 0; i < 32; i++) {
        u64 p = (u64)(uintptr_t)&objects[i];
        u64 mod = 0x1000ull * (u64)i + 0xabc;
        u64 s = pacia1716(p, mod);
        if (s != p)
            changed++;
        if (autia1716(s, mod) != p)
            round_trip = 0;
        if (xpaclri(s) != p)
            stripped = 0;
        if (pacia1716(p, mod) != s)
            same_mod = 0;
    }
    printf("  pacia1716: %s; autia1716 %s; xpaclri %s; %s\n",
           changed ? "signing sets the PAC field" : "signing changed nothing",
           round_trip ? "round-trips" : "does not round-trip",
           stripped ? "strips the PAC" : "leaves bits behind",
           same_mod ? "deterministic" : "not deterministic");
    CHECK("pacia1716 changes pointers", changed > 0);
    CHECK("autia1716 round trip", round_trip);
    CHECK("xpaclri", stripped);
    CHECK("pacia1716 deterministic", same_mod);

    u64 g[32];
    int low_zero = 1, distinct = 0, repeat = 1;
    for (int i = 0; i < 32; i++) {
        g[i] = pacga(0x123456789abcdef0ull, (u64)i);
        if ((uint32_t)g[i] != 0)
            low_zero = 0;
        if (pacga(0x123456789abcdef0ull, (u64)i) != g[i])
            repeat = 0;
        int dup = 0;
        for (int j = 0; j < i; j++)
            dup |= g[j] == g[i];
        distinct += !dup;
    }
    printf("  pacga: low half %s, %s, %s\n", low_zero ? "zero" : "nonzero",
           repeat ? "deterministic" : "not deterministic",
           distinct >= 30 ? "differs with the modifier" : "ignores the modifier");
    CHECK("pacga low half", low_zero);
    CHECK("pacga repeat", repeat);
    CHECK("pacga modifier", distinct >= 30);

    /* Failed authentication of a data pointer. */
    int fpac = id_says_fpac();
    int st = in_child("autia1716 with the wrong modifier:", auth_wrong_modifier,
                      (u64)(uintptr_t)&objects[0], 0);
    CHECK("wrong modifier", fpac ? st == 4 : st == 0);
    group_end();
}

/* ------------------------------------------------------------------ */
/* (b) A corrupted return address. */

static volatile u64 sink;
static void (*volatile callee)(void);
static void nothing(void) { sink++; }

/* Non-leaf, so gcc signs the return address (PACIASP) and saves it in the
 * frame record; one bit of its PAC field is flipped before AUTIASP. */
NOINLINE static u64 victim(u64 bit)
{
    callee();
    u64 *frame = __builtin_frame_address(0);
    frame[1] ^= 1ull << bit;
    callee();
    return 77;
}
/* Control: the same with the saved value left alone. */
NOINLINE static u64 honest(u64 unused)
{
    callee();
    u64 *frame = __builtin_frame_address(0);
    sink = frame[1];
    callee();
    return 78 + unused;
}
/* The saved return addresses of 32 frames at different depths: at least
 * one must carry a PAC (each could be 0 only by chance). */
static int signed_frames;
NOINLINE static u64 nest(u64 n)
{
    callee();
    u64 lr = ((u64 *)__builtin_frame_address(0))[1];
    if (xpaclri(lr) != lr)
        signed_frames++;
    u64 r = n ? nest(n - 1) + 1 : 0;
    callee();
    return r;
}

static void test_pac_return(void)
{
    group_begin("pac-ret");
    callee = nothing;
    signed_frames = 0;
    nest(31);
    printf("  saved return addresses carry a PAC: %s\n", signed_frames ? "yes" : "no");
    CHECK("paciasp signs", signed_frames > 0);
    int fpac = id_says_fpac();
    printf("  ID_AA64ISAR1_EL1: %s\n", fpac ? "FPAC" : "no FPAC");
    int st = in_child("untouched return address:", honest, 0, 0);
    CHECK("honest frame returns", st == 0);
    st = in_child("return address PAC bit 51 flipped:", victim, 51, 0);
    CHECK("flipped PAC bit faults as the ID register says", st == (fpac ? 4 : 11));
    st = in_child("return address PAC bit 54 flipped:", victim, 54, 0);
    CHECK("flipped PAC bit faults as the ID register says", st == (fpac ? 4 : 11));
    group_end();
}

/* ------------------------------------------------------------------ */
/* (c), (d) Branch target identification. */

/* A page of code: landing pads of each kind, code without one, and
 * trampolines that branch from inside the page.  Position independent, so
 * it can be copied.  Offsets are fixed by .org. */
__asm__(".pushsection .text.guarded, \"ax\", %progbits\n"
        ".balign 4096\n"
        ".globl guarded_page\n"
        "guarded_page:\n"
        /* +0x00: BTI c */
        "    hint 34\n"
        "    mov x0, #1\n"
        "    ret\n"
        ".org guarded_page + 0x20\n"
        /* +0x20: BTI j */
        "    hint 36\n"
        "    mov x0, #2\n"
        "    ret\n"
        ".org guarded_page + 0x40\n"
        /* +0x40: BTI jc */
        "    hint 38\n"
        "    mov x0, #3\n"
        "    ret\n"
        ".org guarded_page + 0x60\n"
        /* +0x60: a function whose body at +0x64 is no landing pad */
        "    hint 34\n"
        "    mov x0, #4\n"
        "    add x0, x0, #1\n"
        "    ret\n"
        ".org guarded_page + 0x80\n"
        /* +0x80: PACIASP as the landing pad */
        "    hint 25\n"
        "    mov x0, #6\n"
        "    hint 29\n"
        "    ret\n"
        ".org guarded_page + 0xa0\n"
        /* +0xa0: tramp_br_x9(target): BR via x9 (BTYPE 11 when guarded) */
        "    hint 34\n"
        "    mov x9, x0\n"
        "    br x9\n"
        ".org guarded_page + 0xc0\n"
        /* +0xc0: tramp_br_x16(target): BR via x16 (BTYPE 01) */
        "    hint 34\n"
        "    mov x16, x0\n"
        "    br x16\n"
        ".org guarded_page + 0xe0\n"
        /* +0xe0: tramp_blr(target): BLR (BTYPE 10) */
        "    hint 34\n"
        "    stp x29, x30, [sp, #-16]!\n"
        "    blr x0\n"
        "    ldp x29, x30, [sp], #16\n"
        "    ret\n"
        ".org guarded_page + 0x100\n"
        ".globl guarded_page_end\n"
        "guarded_page_end:\n"
        ".balign 4096\n"
        ".popsection\n");
extern const char guarded_page[], guarded_page_end[];

enum { T_C = 0x00, T_J = 0x20, T_JC = 0x40, T_FN = 0x60, T_MID = 0x64, T_PAC = 0x80,
       TR_BR9 = 0xa0, TR_BR16 = 0xc0, TR_BLR = 0xe0 };

static uintptr_t cur_page;
static u64 cur_target;

typedef u64 (*code_fn)(u64);

/* BLR from this (unguarded) code: BTYPE 10. */
/* (The empty asm keeps the calls from becoming tail calls, which would be
 * BR instead of BLR.) */
NOINLINE static u64 do_blr(u64 off)
{
    u64 r = ((code_fn)(cur_page + off))(0);
    __asm__ volatile("" : "+r"(r));
    return r;
}
/* Through a trampoline in the page; the target offset is cur_target. */
NOINLINE static u64 do_tramp(u64 tramp)
{
    u64 r = ((code_fn)(cur_page + tramp))(cur_page + cur_target);
    __asm__ volatile("" : "+r"(r));
    return r;
}
/* BR via x9 from this unguarded page: BTYPE 01 whatever the register. */
static u64 do_br_unguarded(u64 off)
{
    register u64 x0 __asm__("x0");
    register u64 x9 __asm__("x9") = cur_page + off;
    __asm__ volatile("adr x30, 1f\n\tbr x9\n1:"
                     : "=r"(x0)
                     : "r"(x9)
                     : "x30", "x1", "x16", "x17", "memory");
    return x0;
}

static const struct {
    const char *what;
    int kind; /* 0 BLR, 1 via trampoline, 2 BR from unguarded code */
    int off, target;
    int faults; /* in a guarded page */
} bti_cases[] = {
    {"blr -> bti c", 0, T_C, 0, 0},
    {"blr -> bti j", 0, T_J, 0, 1},
    {"blr -> bti jc", 0, T_JC, 0, 0},
    {"blr -> function entry (bti c)", 0, T_FN, 0, 0},
    {"blr -> middle of function", 0, T_MID, 0, 1},
    {"blr -> paciasp", 0, T_PAC, 0, 0},
    {"br x9 -> bti c", 1, TR_BR9, T_C, 1},
    {"br x9 -> bti j", 1, TR_BR9, T_J, 0},
    {"br x9 -> bti jc", 1, TR_BR9, T_JC, 0},
    {"br x9 -> middle of function", 1, TR_BR9, T_MID, 1},
    {"br x16 -> bti c", 1, TR_BR16, T_C, 0},
    {"br x16 -> bti j", 1, TR_BR16, T_J, 0},
    {"br x16 -> middle of function", 1, TR_BR16, T_MID, 1},
    {"blr (in page) -> bti c", 1, TR_BLR, T_C, 0},
    {"blr (in page) -> bti j", 1, TR_BLR, T_J, 1},
    {"blr (in page) -> middle of function", 1, TR_BLR, T_MID, 1},
    {"br x9 from unguarded code -> bti c", 2, T_C, 0, 0},
    {"br x9 from unguarded code -> middle", 2, T_MID, 0, 1},
};

static void run_bti_cases(uintptr_t page, int guarded)
{
    cur_page = page;
    for (unsigned i = 0; i < sizeof bti_cases / sizeof bti_cases[0]; i++) {
        char label[64];
        snprintf(label, sizeof label, "%s:", bti_cases[i].what);
        int st;
        cur_target = (u64)bti_cases[i].target;
        if (bti_cases[i].kind == 0)
            st = in_child(label, do_blr, (u64)bti_cases[i].off, page);
        else if (bti_cases[i].kind == 1)
            st = in_child(label, do_tramp, (u64)bti_cases[i].off, page);
        else
            st = in_child(label, do_br_unguarded, (u64)bti_cases[i].off, page);
        int want = guarded && bti_cases[i].faults ? 4 : 0;
        if (st != want)
            check_fail("%s: child status %d, want %d", bti_cases[i].what, st, want);
    }
}

static void test_bti(void)
{
    long pagesz = sysconf(_SC_PAGESIZE);
    size_t len = (size_t)(guarded_page_end - guarded_page);
    group_begin("bti");
    printf("  hwcap2 bti %d\n", !!(getauxval(AT_HWCAP2) & HWCAP2_BTI));
    CHECK("hwcap2 bti", getauxval(AT_HWCAP2) & HWCAP2_BTI);

    /* Unguarded first: every branch lands. */
    printf(" the program's own page, not guarded:\n");
    run_bti_cases((uintptr_t)guarded_page, 0);

    /* The same page of the program's text, now guarded. */
    int r = mprotect((void *)guarded_page, (size_t)pagesz, PROT_READ | PROT_EXEC | PROT_BTI);
    printf(" the program's own page, mprotect PROT_BTI: %s\n", r == 0 ? "ok" : "failed");
    CHECK("mprotect PROT_BTI", r == 0);
    if (r == 0)
        run_bti_cases((uintptr_t)guarded_page, 1);

    /* Copies in anonymous memory, with and without PROT_BTI. */
    for (int g = 1; g >= 0; g--) {
        char *p = mmap(NULL, (size_t)pagesz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
        if (p == MAP_FAILED) {
            check_fail("mmap");
            continue;
        }
        memcpy(p, guarded_page, len);
        __builtin___clear_cache(p, p + len);
        r = mprotect(p, (size_t)pagesz, PROT_READ | PROT_EXEC | (g ? PROT_BTI : 0));
        printf(" a copy in an mmap()ed page, PROT_READ|PROT_EXEC%s: %s\n", g ? "|PROT_BTI" : "",
               r == 0 ? "ok" : "failed");
        CHECK("mprotect copy", r == 0);
        if (r == 0)
            run_bti_cases((uintptr_t)p, g);
        munmap(p, (size_t)pagesz);
    }

    /* mmap() can ask for PROT_BTI directly, too. */
    char *p = mmap(NULL, (size_t)pagesz, PROT_READ | PROT_EXEC | PROT_BTI,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf(" mmap PROT_READ|PROT_EXEC|PROT_BTI: %s\n", p != MAP_FAILED ? "ok" : "failed");
    CHECK("mmap PROT_BTI", p != MAP_FAILED);
    if (p != MAP_FAILED) {
        /* Fresh zero-filled memory: 0 is UDF, but the first thing a BLR
         * meets is the missing landing pad. */
        cur_page = (uintptr_t)p;
        int st = in_child("blr -> zero page:", do_blr, 0, (uintptr_t)p);
        CHECK("blr to a zero page", st == 4);
        munmap(p, (size_t)pagesz);
    }
    group_end();
}

int main(void)
{
    test_calls();
    test_pac_insns();
    test_pac_return();
    test_bti();
    return check_exit_status();
}
