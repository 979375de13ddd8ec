/*
 * Prints pointer-authentication results computed by the emulated CPU, as
 * rows of Rust tuples for src/guest/aarch64/pauth/tests.rs.
 *
 * Runs at EL1 with the MMU off: AddPAC, Auth and Strip take the address
 * layout (TxSZ, TBIx, TBIDx) from TCR_EL1 whether or not translation is on,
 * so each layout below is simply written to TCR_EL1 before its rows.
 */
#include <stdint.h>

#define UART_DR ((volatile uint32_t *)0x09000000)

static void putc_(char c) { *UART_DR = (uint32_t)c; }

static void puts_(const char *s)
{
    while (*s)
        putc_(*s++);
}

static void put_hex(uint64_t v)
{
    puts_("0x");
    for (int i = 60; i >= 0; i -= 4)
        putc_("0123456789abcdef"[(v >> i) & 0xf]);
}

#define WRITE_SYSREG(name, v) __asm__ volatile("msr " name ", %0" ::"r"(v))
#define READ_SYSREG(name, v) __asm__ volatile("mrs %0, " name : "=r"(v))

/* The 128-bit keys, as (lo, hi). */
static const uint64_t KEY_IA[2] = {0x0123456789abcdefull, 0xfedcba9876543210ull};
static const uint64_t KEY_IB[2] = {0x1b2c3d4e5f607182ull, 0x93a4b5c6d7e8f901ull};
static const uint64_t KEY_DA[2] = {0xdeadbeefcafef00dull, 0x0badc0de8badf00dull};
static const uint64_t KEY_DB[2] = {0x5555aaaa3333ccccull, 0x0f0f0f0ff0f0f0f0ull};
static const uint64_t KEY_GA[2] = {0x243f6a8885a308d3ull, 0x13198a2e03707344ull};
/* The QARMA-64 paper's test key: k0 is the low half (key1), w0 the high
   half (key0). */
static const uint64_t KEY_PAPER[2] = {0xec2802d4e0a488e9ull, 0x84be85ce9804e94bull};

static void set_keys(void)
{
    WRITE_SYSREG("S3_0_C2_C1_0", KEY_IA[0]);
    WRITE_SYSREG("S3_0_C2_C1_1", KEY_IA[1]);
    WRITE_SYSREG("S3_0_C2_C1_2", KEY_IB[0]);
    WRITE_SYSREG("S3_0_C2_C1_3", KEY_IB[1]);
    WRITE_SYSREG("S3_0_C2_C2_0", KEY_DA[0]);
    WRITE_SYSREG("S3_0_C2_C2_1", KEY_DA[1]);
    WRITE_SYSREG("S3_0_C2_C2_2", KEY_DB[0]);
    WRITE_SYSREG("S3_0_C2_C2_3", KEY_DB[1]);
    WRITE_SYSREG("S3_0_C2_C3_0", KEY_GA[0]);
    WRITE_SYSREG("S3_0_C2_C3_1", KEY_GA[1]);
    __asm__ volatile("isb");
}

#define TCR_TBI0 (1ull << 37)
#define TCR_TBI1 (1ull << 38)
#define TCR_TBID0 (1ull << 51)
#define TCR_TBID1 (1ull << 52)
#define TCR_TG1_4K (2ull << 30)
#define TCR_SZ(t0, t1) ((uint64_t)(t0) | ((uint64_t)(t1) << 16))

/* The layouts, in the order of LAYOUTS in the Rust tests. */
static const uint64_t TCRS[] = {
    /* 0: Linux user: 48-bit VA, TBI0 only. */
    TCR_SZ(16, 16) | TCR_TG1_4K | TCR_TBI0,
    /* 1: 48-bit VA, no TBI. */
    TCR_SZ(16, 16) | TCR_TG1_4K,
    /* 2: 39-bit VA, TBI on both ranges for data only (TBID). */
    TCR_SZ(25, 25) | TCR_TG1_4K | TCR_TBI0 | TCR_TBI1 | TCR_TBID0 | TCR_TBID1,
    /* 3: 48-bit lower, 39-bit upper with TBI1 only. */
    TCR_SZ(16, 25) | TCR_TG1_4K | TCR_TBI1,
};

static const uint64_t PTRS[] = {
    0x0000000000401234ull, 0x0000fffffffffff0ull, 0x00007ffff7a01238ull,
    0xab00000000401234ull, 0x00123456789abcd8ull, 0xfffffffffffffff0ull,
    0xffff800012345678ull, 0x00ff800012345678ull, 0xff7f000000401234ull,
    0x0000000000000000ull,
};

static const uint64_t MODS[] = {
    0x0000000000000000ull, 0x00007fffffffe000ull, 0xfedcba9876543210ull,
};

#define OP(insn, x, y) \
    ({ uint64_t r_ = (x); __asm__ volatile(insn " %0, %1" : "+r"(r_) : "r"(y)); r_; })
#define PACGA(n, m) \
    ({ uint64_t r_; __asm__ volatile("pacga %0, %1, %2" : "=r"(r_) : "r"(n), "r"(m)); r_; })
#define OP1(insn, x) \
    ({ uint64_t r_ = (x); __asm__ volatile(insn " %0" : "+r"(r_)); r_; })

static void address_row(unsigned layout, uint64_t p, uint64_t m)
{
    uint64_t ia = OP("pacia", p, m), ib = OP("pacib", p, m);
    uint64_t da = OP("pacda", p, m), db = OP("pacdb", p, m);
    uint64_t out[12] = {
        ia, ib, da, db,
        OP("autia", ia, m), OP("autdb", db, m),
        OP("autia", p, m), OP("autib", p, m), OP("autda", p, m), OP("autdb", p, m),
        OP1("xpaci", ia), OP1("xpacd", da),
    };
    puts_("    (");
    putc_('0' + layout);
    puts_(", ");
    put_hex(p);
    puts_(", ");
    put_hex(m);
    puts_(", [");
    for (int i = 0; i < 12; i++) {
        if (i)
            puts_(", ");
        put_hex(out[i]);
    }
    puts_("]),\n");
}

static void pacga_rows(void)
{
    for (unsigned i = 0; i < sizeof PTRS / sizeof PTRS[0]; i++)
        for (unsigned j = 0; j < sizeof MODS / sizeof MODS[0]; j++) {
            puts_("    (");
            put_hex(PTRS[i]);
            puts_(", ");
            put_hex(MODS[j]);
            puts_(", ");
            put_hex(PACGA(PTRS[i], MODS[j]));
            puts_("),\n");
        }
}

int main(void)
{
    uint64_t v;

    READ_SYSREG("S3_0_C0_C6_1", v); /* ID_AA64ISAR1_EL1 */
    puts_("// ID_AA64ISAR1_EL1 = ");
    put_hex(v);
    puts_("\n");

    READ_SYSREG("sctlr_el1", v);
    v |= (1ull << 31) | (1ull << 30) | (1ull << 27) | (1ull << 13); /* EnIA EnIB EnDA EnDB */
    WRITE_SYSREG("sctlr_el1", v);
    set_keys();

    puts_("// ADDRESS: (layout, ptr, modifier, [pacia, pacib, pacda, pacdb, "
          "autia(pacia), autdb(pacdb), autia, autib, autda, autdb, "
          "xpaci(pacia), xpacd(pacda)])\n");
    for (unsigned t = 0; t < sizeof TCRS / sizeof TCRS[0]; t++) {
        WRITE_SYSREG("tcr_el1", TCRS[t]);
        __asm__ volatile("isb");
        for (unsigned i = 0; i < sizeof PTRS / sizeof PTRS[0]; i++)
            for (unsigned j = 0; j < sizeof MODS / sizeof MODS[0]; j++)
                address_row(t, PTRS[i], MODS[j]);
    }

    puts_("// PACGA: (n, m, result)\n");
    pacga_rows();

    WRITE_SYSREG("S3_0_C2_C3_0", KEY_PAPER[0]);
    WRITE_SYSREG("S3_0_C2_C3_1", KEY_PAPER[1]);
    __asm__ volatile("isb");
    puts_("// PACGA with the QARMA-64 paper key: (n, m, result)\n    (");
    put_hex(0xfb623599da6e8127ull);
    puts_(", ");
    put_hex(0x477d469dec0b8762ull);
    puts_(", ");
    put_hex(PACGA(0xfb623599da6e8127ull, 0x477d469dec0b8762ull));
    puts_("),\n// END\n");
    return 0;
}
