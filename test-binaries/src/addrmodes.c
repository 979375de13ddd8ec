/*
 * Load/store addressing modes, general-purpose and SIMD&FP.
 *
 * A buffer is filled with a fixed byte pattern containing both small and
 * >= 0x80 bytes (so sign extension matters).  Each access is one inline-asm
 * instruction; the reference values are assembled from the buffer bytes in
 * plain C, little-endian, and base-register write-back is checked as well.
 */
#include <string.h>

#include "check.h"

typedef uint64_t u64;

#define BUFSZ 8192
static uint8_t buf[BUFSZ] __attribute__((aligned(64)));
static uint8_t out[256] __attribute__((aligned(64)));

/* Little-endian value of n bytes at p, optionally sign-extended. */
static u64 le(const uint8_t *p, int n)
{
    u64 v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}
static u64 sle(const uint8_t *p, int n)
{
    u64 v = le(p, n), sign = 1ull << (8 * n - 1);
    return n == 8 ? v : (v ^ sign) - sign;
}

static void val(const char *label, u64 got, u64 want)
{
    printf("  %-40s %016llx\n", label, (unsigned long long)got);
    CHECK_EQ(label, got, want);
}

static void hexline(const char *label, const uint8_t *p, size_t n)
{
    printf("  %-40s ", label);
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    printf("\n");
}

static void mem(const char *label, const uint8_t *got, const uint8_t *want, size_t n)
{
    hexline(label, got, n);
    if (memcmp(got, want, n) != 0)
        check_fail("%s: memory differs", label);
}

#define B(off) (buf + (off))
#define LD(text, base, idx)                                                     \
    ({ u64 r_; asm volatile(text : "=r"(r_) : "r"(base), "r"((u64)(idx)) : "memory"); r_; })

static void test_gpr_loads(void)
{
    uint8_t *b = buf + 1024; /* base with room on both sides */
    group_begin("ldr-offset");
    val("ldrb #5", LD("ldrb %w0, [%1, #5]", b, 0), le(b + 5, 1));
    val("ldrb #4095", LD("ldrb %w0, [%1, #4095]", b, 0), le(b + 4095, 1));
    val("ldrh #6", LD("ldrh %w0, [%1, #6]", b, 0), le(b + 6, 2));
    val("ldrh #8190", LD("ldrh %w0, [%1, #8190]", buf, 0), le(buf + 8190, 2));
    val("ldr w #12", LD("ldr %w0, [%1, #12]", b, 0), le(b + 12, 4));
    val("ldr w #16380", LD("ldr %w0, [%1, #16380]", (u64)buf - 8192, 0), le(buf + 8188, 4));
    val("ldr x #16", LD("ldr %x0, [%1, #16]", b, 0), le(b + 16, 8));
    val("ldr x #32760", LD("ldr %x0, [%1, #32760]", (u64)buf - 24576, 0), le(buf + 8184, 8));
    val("ldr x #0 (no offset)", LD("ldr %x0, [%1]", b, 0), le(b, 8));
    group_end();

    group_begin("ldur");
    val("ldurb #-256", LD("ldurb %w0, [%1, #-256]", b, 0), le(b - 256, 1));
    val("ldurh #255", LD("ldurh %w0, [%1, #255]", b, 0), le(b + 255, 2));
    val("ldur w #1", LD("ldur %w0, [%1, #1]", b, 0), le(b + 1, 4));
    val("ldur x #-3", LD("ldur %x0, [%1, #-3]", b, 0), le(b - 3, 8));
    val("ldursb w #-1", LD("ldursb %w0, [%1, #-1]", b, 0), (uint32_t)sle(b - 1, 1));
    val("ldursh x #3", LD("ldursh %x0, [%1, #3]", b, 0), sle(b + 3, 2));
    val("ldursw #-7", LD("ldursw %x0, [%1, #-7]", b, 0), sle(b - 7, 4));
    group_end();

    group_begin("ldr-signext");
    char l[64];
    /* Walk a few offsets so that both signs of each size are covered. */
    for (int off = 0; off < 8; off++) {
        const uint8_t *p = b + off * 3;
        snprintf(l, sizeof l, "ldrsb w [+%d]", off * 3);
        val(l, LD("ldrsb %w0, [%1, %2]", b, off * 3), (uint32_t)sle(p, 1));
        snprintf(l, sizeof l, "ldrsb x [+%d]", off * 3);
        val(l, LD("ldrsb %x0, [%1, %2]", b, off * 3), sle(p, 1));
        snprintf(l, sizeof l, "ldrsh w [+%d]", off * 3);
        val(l, LD("ldrsh %w0, [%1, %2]", b, off * 3), (uint32_t)sle(p, 2));
        snprintf(l, sizeof l, "ldrsh x [+%d]", off * 3);
        val(l, LD("ldrsh %x0, [%1, %2]", b, off * 3), sle(p, 2));
        snprintf(l, sizeof l, "ldrsw x [+%d]", off * 3);
        val(l, LD("ldrsw %x0, [%1, %2]", b, off * 3), sle(p, 4));
    }
    val("ldrsb x #7", LD("ldrsb %x0, [%1, #7]", b, 0), sle(b + 7, 1));
    val("ldrsh w #10", LD("ldrsh %w0, [%1, #10]", b, 0), (uint32_t)sle(b + 10, 2));
    val("ldrsw x #20", LD("ldrsw %x0, [%1, #20]", b, 0), sle(b + 20, 4));
    group_end();

    group_begin("ldr-regoffset");
    val("ldr x [x, lsl #3]", LD("ldr %x0, [%1, %2, lsl #3]", b, 5), le(b + 40, 8));
    val("ldr x [x] unaligned", LD("ldr %x0, [%1, %2]", b, 3), le(b + 3, 8));
    val("ldr w [w, uxtw #2]", LD("ldr %w0, [%1, %w2, uxtw #2]", b, 0xffffffff00000007ull), le(b + 28, 4));
    val("ldr w [w, uxtw]", LD("ldr %w0, [%1, %w2, uxtw]", b, 0x0000000100000009ull), le(b + 9, 4));
    val("ldr x [w, sxtw]", LD("ldr %x0, [%1, %w2, sxtw]", b, (uint32_t)-16), le(b - 16, 8));
    val("ldr x [w, sxtw #3]", LD("ldr %x0, [%1, %w2, sxtw #3]", b, (uint32_t)-2), le(b - 16, 8));
    val("ldr x [x, sxtx]", LD("ldr %x0, [%1, %x2, sxtx]", b, -5), le(b - 5, 8));
    val("ldr x [x, sxtx #3]", LD("ldr %x0, [%1, %x2, sxtx #3]", b, -3), le(b - 24, 8));
    val("ldrh [x, lsl #1]", LD("ldrh %w0, [%1, %x2, lsl #1]", b, 11), le(b + 22, 2));
    val("ldrsh x [w, sxtw #1]", LD("ldrsh %x0, [%1, %w2, sxtw #1]", b, (uint32_t)-9), sle(b - 18, 2));
    val("ldrb [x, lsl #0]", LD("ldrb %w0, [%1, %x2, lsl #0]", b, 77), le(b + 77, 1));
    val("ldrsw [x, lsl #2]", LD("ldrsw %x0, [%1, %x2, lsl #2]", b, 13), sle(b + 52, 4));
    val("ldr w [x, uxtw #2] big", LD("ldr %w0, [%1, %w2, uxtw #2]", buf, 2000), le(buf + 8000, 4));
    group_end();

    group_begin("ldr-writeback");
    u64 p, r;
    p = (u64)(b);
    asm volatile("ldr %x0, [%1, #8]!" : "=&r"(r), "+r"(p) : : "memory");
    val("pre ldr x #8! value", r, le(b + 8, 8));
    val("pre ldr x #8! base", p - (u64)b, 8);
    asm volatile("ldrh %w0, [%1, #-2]!" : "=&r"(r), "+r"(p) : : "memory");
    val("pre ldrh #-2! value", r, le(b + 6, 2));
    val("pre ldrh #-2! base", p - (u64)b, 6);
    asm volatile("ldr %w0, [%1], #-4" : "=&r"(r), "+r"(p) : : "memory");
    val("post ldr w #-4 value", r, le(b + 6, 4));
    val("post ldr w #-4 base", p - (u64)b, 2);
    asm volatile("ldrsb %x0, [%1], #255" : "=&r"(r), "+r"(p) : : "memory");
    val("post ldrsb x #255 value", r, sle(b + 2, 1));
    val("post ldrsb x #255 base", p - (u64)b, 257);
    asm volatile("ldrsw %x0, [%1, #-256]!" : "=&r"(r), "+r"(p) : : "memory");
    val("pre ldrsw #-256! value", r, sle(b + 1, 4));
    val("pre ldrsw #-256! base", p - (u64)b, 1);
    asm volatile("ldrb %w0, [%1], #1" : "=&r"(r), "+r"(p) : : "memory");
    val("post ldrb #1 value", r, le(b + 1, 1));
    val("post ldrb #1 base", p - (u64)b, 2);
    group_end();
}

static void test_gpr_stores(void)
{
    uint8_t want[64];
    u64 p;
    const u64 v = 0x8877665544332211ull;
    uint8_t *o = out + 64;

#define RESET() (memset(out, 0xaa, sizeof out), memcpy(want, o - 16, 64))
#define PUT(off, n) memcpy(want + 16 + (off), &v, (n))
#define ST(text, base, idx)                                                     \
    asm volatile(text : : "r"(v), "r"(base), "r"((u64)(idx)) : "memory")

    group_begin("str");
    RESET(); ST("strb %w0, [%1, #3]", o, 0); PUT(3, 1); mem("strb #3", o - 16, want, 64);
    RESET(); ST("strh %w0, [%1, #6]", o, 0); PUT(6, 2); mem("strh #6", o - 16, want, 64);
    RESET(); ST("str %w0, [%1, #4]", o, 0); PUT(4, 4); mem("str w #4", o - 16, want, 64);
    RESET(); ST("str %x0, [%1, #8]", o, 0); PUT(8, 8); mem("str x #8", o - 16, want, 64);
    RESET(); ST("sturh %w0, [%1, #-3]", o, 0); PUT(-3, 2); mem("sturh #-3", o - 16, want, 64);
    RESET(); ST("stur %x0, [%1, #5]", o, 0); PUT(5, 8); mem("stur x #5", o - 16, want, 64);
    RESET(); ST("stur %w0, [%1, #-16]", o, 0); PUT(-16, 4); mem("stur w #-16", o - 16, want, 64);
    RESET(); ST("str %x0, [%1, %2, lsl #3]", o, 3); PUT(24, 8); mem("str x [x, lsl #3]", o - 16, want, 64);
    RESET(); ST("str %w0, [%1, %w2, sxtw #2]", o, (uint32_t)-2); PUT(-8, 4); mem("str w [w, sxtw #2]", o - 16, want, 64);
    RESET(); ST("strh %w0, [%1, %w2, uxtw]", o, 0xffffffff00000011ull); PUT(17, 2); mem("strh [w, uxtw]", o - 16, want, 64);
    RESET(); ST("strb %w0, [%1, %x2]", o, 47); PUT(47, 1); mem("strb [x]", o - 16, want, 64);
    RESET(); ST("str %x0, [%1, %x2, sxtx]", o, -11); PUT(-11, 8); mem("str x [x, sxtx]", o - 16, want, 64);
    group_end();

    group_begin("str-writeback");
    RESET(); p = (u64)o;
    asm volatile("str %x1, [%0, #16]!" : "+r"(p) : "r"(v) : "memory");
    PUT(16, 8); mem("pre str x #16!", o - 16, want, 64); val("pre str x #16! base", p - (u64)o, 16);
    asm volatile("strh %w1, [%0], #-20" : "+r"(p) : "r"(v) : "memory");
    PUT(16, 2); mem("post strh #-20", o - 16, want, 64); val("post strh #-20 base", p - (u64)o, (u64)-4);
    asm volatile("strb %w1, [%0, #-1]!" : "+r"(p) : "r"(v) : "memory");
    PUT(-5, 1); mem("pre strb #-1!", o - 16, want, 64); val("pre strb #-1! base", p - (u64)o, (u64)-5);
    asm volatile("str %w1, [%0], #9" : "+r"(p) : "r"(v) : "memory");
    PUT(-5, 4); mem("post str w #9", o - 16, want, 64); val("post str w #9 base", p - (u64)o, 4);
    group_end();
}

static void test_pairs(void)
{
    uint8_t *b = buf + 2048;
    u64 r0, r1, p;
    const u64 v0 = 0x0f0e0d0c0b0a0908ull, v1 = 0xf7f6f5f4f3f2f1f0ull;
    uint8_t want[64];
    uint8_t *o = out + 64;

    group_begin("ldp-stp");
    asm volatile("ldp %x0, %x1, [%2, #16]" : "=&r"(r0), "=&r"(r1) : "r"(b) : "memory");
    val("ldp x #16 [0]", r0, le(b + 16, 8)); val("ldp x #16 [1]", r1, le(b + 24, 8));
    asm volatile("ldp %w0, %w1, [%2, #-8]" : "=&r"(r0), "=&r"(r1) : "r"(b) : "memory");
    val("ldp w #-8 [0]", r0, le(b - 8, 4)); val("ldp w #-8 [1]", r1, le(b - 4, 4));
    asm volatile("ldpsw %x0, %x1, [%2, #8]" : "=&r"(r0), "=&r"(r1) : "r"(b + 1) : "memory");
    val("ldpsw #8 [0]", r0, sle(b + 9, 4)); val("ldpsw #8 [1]", r1, sle(b + 13, 4));
    p = (u64)b;
    asm volatile("ldp %x0, %x1, [%2, #-16]!" : "=&r"(r0), "=&r"(r1), "+r"(p) : : "memory");
    val("ldp x #-16! [0]", r0, le(b - 16, 8)); val("ldp x #-16! [1]", r1, le(b - 8, 8));
    val("ldp x #-16! base", p - (u64)b, (u64)-16);
    asm volatile("ldp %x0, %x1, [%2], #504" : "=&r"(r0), "=&r"(r1), "+r"(p) : : "memory");
    val("ldp x post #504 [0]", r0, le(b - 16, 8)); val("ldp x post #504 [1]", r1, le(b - 8, 8));
    val("ldp x post #504 base", p - (u64)b, 488);
    asm volatile("ldp %w0, %w1, [%2], #-256" : "=&r"(r0), "=&r"(r1), "+r"(p) : : "memory");
    val("ldp w post #-256 [0]", r0, le(b + 488, 4)); val("ldp w post #-256 [1]", r1, le(b + 492, 4));
    val("ldp w post #-256 base", p - (u64)b, 232);
    asm volatile("ldpsw %x0, %x1, [%2, #-4]!" : "=&r"(r0), "=&r"(r1), "+r"(p) : : "memory");
    val("ldpsw #-4! [0]", r0, sle(b + 228, 4)); val("ldpsw #-4! [1]", r1, sle(b + 232, 4));

    memset(out, 0xaa, sizeof out); memcpy(want, o - 16, 64);
    asm volatile("stp %x0, %x1, [%2, #8]" : : "r"(v0), "r"(v1), "r"(o) : "memory");
    memcpy(want + 24, &v0, 8); memcpy(want + 32, &v1, 8);
    mem("stp x #8", o - 16, want, 64);
    p = (u64)o;
    asm volatile("stp %w1, %w2, [%0, #-12]!" : "+r"(p) : "r"(v0), "r"(v1) : "memory");
    memcpy(want + 4, &v0, 4); memcpy(want + 8, &v1, 4);
    mem("stp w #-12!", o - 16, want, 64); val("stp w #-12! base", p - (u64)o, (u64)-12);
    asm volatile("stp %x1, %x2, [%0], #48" : "+r"(p) : "r"(v1), "r"(v0) : "memory");
    memcpy(want + 4, &v1, 8); memcpy(want + 12, &v0, 8);
    mem("stp x post #48", o - 16, want, 64); val("stp x post #48 base", p - (u64)o, 36);

    /* The usual prologue/epilogue idiom with sp as the base. */
    asm volatile("stp %2, %3, [sp, #-16]!\n\tldp %0, %1, [sp], #16"
                 : "=&r"(r0), "=&r"(r1) : "r"(v0), "r"(v1) : "memory");
    val("stp/ldp via sp [0]", r0, v0); val("stp/ldp via sp [1]", r1, v1);
    group_end();
}

static void test_literal(void)
{
    u64 r;
    group_begin("ldr-literal");
    asm("ldr %x0, 1f\n\tb 2f\n\t.balign 8\n1:\t.quad 0x0123456789abcdef\n2:" : "=r"(r));
    val("ldr x literal", r, 0x0123456789abcdefull);
    asm("ldr %w0, 1f\n\tb 2f\n\t.balign 4\n1:\t.word 0x89abcdef\n2:" : "=r"(r));
    val("ldr w literal", r, 0x89abcdefull);
    asm("ldrsw %x0, 1f\n\tb 2f\n\t.balign 4\n1:\t.word 0x80000001\n2:" : "=r"(r));
    val("ldrsw literal", r, 0xffffffff80000001ull);
    asm("b 2f\n\t.balign 8\n1:\t.quad 0x4045000000000000\n2:\tldr d16, 1b\n\tfmov %x0, d16"
        : "=r"(r) : : "v16");
    val("ldr d literal (backwards)", r, 0x4045000000000000ull);
    asm("ldr s16, 1f\n\tb 2f\n\t.balign 4\n1:\t.word 0x3fc00000\n2:\tfmov %w0, s16"
        : "=r"(r) : : "v16");
    val("ldr s literal", r, 0x3fc00000);
    asm volatile("ldr q16, 1f\n\tb 2f\n\t.balign 16\n1:\t.quad 0x1111111111111111, 0x2222222222222222\n"
                 "2:\tstr q16, [%0]" : : "r"(out) : "v16", "memory");
    val("ldr q literal lo", le(out, 8), 0x1111111111111111ull);
    val("ldr q literal hi", le(out + 8, 8), 0x2222222222222222ull);
    group_end();
}

/* SIMD&FP loads go to v16 (first set to all ones, so that the zeroing of
 * the rest of the register by scalar loads is visible), then v16 is stored
 * whole with a plain "str q16". */
#define VLD(text, base, idx)                                                    \
    asm volatile("movi v16.16b, #0xff\n\t" text "\n\tstr q16, [%1]"             \
                 : : "r"(base), "r"(out), "r"((u64)(idx)) : "v16", "memory")

static void vexpect(const char *label, const uint8_t *src, int n)
{
    uint8_t want[16] = {0};
    memcpy(want, src, n);
    mem(label, out, want, 16);
}

static void test_simd_scalar(void)
{
    uint8_t *b = buf + 4096;
    group_begin("simd-ldr");
    VLD("ldr b16, [%0, #3]", b, 0); vexpect("ldr b #3", b + 3, 1);
    VLD("ldr h16, [%0, #6]", b, 0); vexpect("ldr h #6", b + 6, 2);
    VLD("ldr s16, [%0, #8]", b, 0); vexpect("ldr s #8", b + 8, 4);
    VLD("ldr d16, [%0, #32760]", (u64)b - 32760, 0); vexpect("ldr d #32760", b, 8);
    VLD("ldr q16, [%0, #32]", b, 0); vexpect("ldr q #32", b + 32, 16);
    VLD("ldr q16, [%0, #65520]", (u64)b - 65520, 0); vexpect("ldr q #65520", b, 16);
    VLD("ldur s16, [%0, #-5]", b, 0); vexpect("ldur s #-5", b - 5, 4);
    VLD("ldur q16, [%0, #-7]", b, 0); vexpect("ldur q #-7", b - 7, 16);
    VLD("ldur h16, [%0, #255]", b, 0); vexpect("ldur h #255", b + 255, 2);
    VLD("ldr d16, [%0, %2, lsl #3]", b, 7); vexpect("ldr d [x, lsl #3]", b + 56, 8);
    VLD("ldr q16, [%0, %w2, sxtw #4]", b, (uint32_t)-3); vexpect("ldr q [w, sxtw #4]", b - 48, 16);
    VLD("ldr b16, [%0, %2]", b, 99); vexpect("ldr b [x]", b + 99, 1);
    VLD("ldr h16, [%0, %w2, uxtw #1]", b, 5); vexpect("ldr h [w, uxtw #1]", b + 10, 2);
    VLD("ldr s16, [%0, %2, lsl #2]", b, 3); vexpect("ldr s [x, lsl #2]", b + 12, 4);

    u64 p = (u64)b;
    asm volatile("ldr q16, [%0, #16]!\n\tstr q16, [%1]" : "+r"(p) : "r"(out) : "v16", "memory");
    vexpect("ldr q #16!", b + 16, 16); val("ldr q #16! base", p - (u64)b, 16);
    asm volatile("ldr d16, [%0], #-24\n\tstr q16, [%1]" : "+r"(p) : "r"(out) : "v16", "memory");
    vexpect("ldr d post #-24", b + 16, 8); val("ldr d post #-24 base", p - (u64)b, (u64)-8);
    asm volatile("ldr s16, [%0, #-4]!\n\tstr q16, [%1]" : "+r"(p) : "r"(out) : "v16", "memory");
    vexpect("ldr s #-4!", b - 12, 4); val("ldr s #-4! base", p - (u64)b, (u64)-12);
    group_end();

    group_begin("simd-str");
    const uint8_t *src = buf + 4352;
    uint8_t want[64];
    uint8_t *o = out + 64;
#define VST(text, base, idx)                                                    \
    asm volatile("ldr q16, [%1]\n\t" text : : "r"(base), "r"(src), "r"((u64)(idx)) : "v16", "memory")
#undef RESET
#define RESET() (memset(out, 0x55, sizeof out), memcpy(want, o - 16, 64))
    RESET(); VST("str b16, [%0, #1]", o, 0); memcpy(want + 17, src, 1); mem("str b #1", o - 16, want, 64);
    RESET(); VST("str h16, [%0, #2]", o, 0); memcpy(want + 18, src, 2); mem("str h #2", o - 16, want, 64);
    RESET(); VST("str s16, [%0, %2, lsl #2]", o, 3); memcpy(want + 28, src, 4); mem("str s [x, lsl #2]", o - 16, want, 64);
    RESET(); VST("str d16, [%0, #-8]", o, 0); memcpy(want + 8, src, 8); mem("str d #-8", o - 16, want, 64);
    RESET(); VST("str q16, [%0, #16]", o, 0); memcpy(want + 32, src, 16); mem("str q #16", o - 16, want, 64);
    RESET(); VST("stur q16, [%0, #-9]", o, 0); memcpy(want + 7, src, 16); mem("stur q #-9", o - 16, want, 64);
    RESET(); VST("str q16, [%0, %w2, sxtw]", o, (uint32_t)-3); memcpy(want + 13, src, 16); mem("str q [w, sxtw]", o - 16, want, 64);
    RESET(); p = (u64)o;
    asm volatile("ldr q16, [%1]\n\tstr q16, [%0], #-16" : "+r"(p) : "r"(src) : "v16", "memory");
    memcpy(want + 16, src, 16); mem("str q post #-16", o - 16, want, 64); val("str q post base", p - (u64)o, (u64)-16);
    asm volatile("ldr q16, [%1]\n\tstr d16, [%0, #40]!" : "+r"(p) : "r"(src) : "v16", "memory");
    memcpy(want + 40, src, 8); mem("str d #40!", o - 16, want, 64); val("str d #40! base", p - (u64)o, 24);
    group_end();
}

static void test_simd_pairs_multi(void)
{
    uint8_t *b = buf + 5120;
    u64 p;
    group_begin("simd-ldp-stp");
    asm volatile("movi v16.16b, #0xff\n\tmovi v17.16b, #0xff\n\tldp d16, d17, [%0, #8]\n\t"
                 "stp q16, q17, [%1]" : : "r"(b), "r"(out) : "v16", "v17", "memory");
    {
        uint8_t want[32] = {0};
        memcpy(want, b + 8, 8); memcpy(want + 16, b + 16, 8);
        mem("ldp d #8", out, want, 32);
    }
    asm volatile("ldp s16, s17, [%0, #-8]\n\tstp q16, q17, [%1]" : : "r"(b), "r"(out) : "v16", "v17", "memory");
    {
        uint8_t want[32] = {0};
        memcpy(want, b - 8, 4); memcpy(want + 16, b - 4, 4);
        mem("ldp s #-8", out, want, 32);
    }
    p = (u64)b;
    asm volatile("ldp q16, q17, [%0, #-32]!\n\tstp q16, q17, [%1]" : "+r"(p) : "r"(out) : "v16", "v17", "memory");
    mem("ldp q #-32!", out, b - 32, 32); val("ldp q #-32! base", p - (u64)b, (u64)-32);
    asm volatile("ldp q16, q17, [%0], #1008\n\tstp q16, q17, [%1]" : "+r"(p) : "r"(out) : "v16", "v17", "memory");
    mem("ldp q post #1008", out, b - 32, 32); val("ldp q post base", p - (u64)b, 976);

    memset(out, 0x33, sizeof out);
    asm volatile("ldp q16, q17, [%0]\n\tstp d16, d17, [%1, #8]" : : "r"(b), "r"(out) : "v16", "v17", "memory");
    {
        uint8_t want[40];
        memset(want, 0x33, sizeof want);
        memcpy(want + 8, b, 8); memcpy(want + 16, b + 16, 8);
        mem("stp d #8", out, want, 40);
    }
    memset(out, 0x33, sizeof out);
    p = (u64)out + 64;
    asm volatile("ldp q16, q17, [%1]\n\tstp q17, q16, [%0, #-32]!" : "+r"(p) : "r"(b) : "v16", "v17", "memory");
    {
        uint8_t want[64];
        memset(want, 0x33, sizeof want);
        memcpy(want + 32, b + 16, 16); memcpy(want + 48, b, 16);
        mem("stp q #-32!", out, want, 64); val("stp q #-32! base", p - (u64)out, 32);
    }
    group_end();

    group_begin("ld1-st1");
    /* ld1 with 1..4 registers, then st1 the same registers to out. */
#define LD1(regs, n, text)                                                      \
    do {                                                                        \
        memset(out, 0, sizeof out);                                             \
        asm volatile("ld1 " regs ", [%0]\n\tst1 " regs ", [%1]" : : "r"(b + 3), "r"(out) \
                     : "v16", "v17", "v18", "v19", "memory");                   \
        mem(text, out, b + 3, 16 * (n));                                        \
    } while (0)
    LD1("{v16.16b}", 1, "ld1/st1 1 reg");
    LD1("{v16.16b, v17.16b}", 2, "ld1/st1 2 regs");
    LD1("{v16.16b, v17.16b, v18.16b}", 3, "ld1/st1 3 regs");
    LD1("{v16.16b, v17.16b, v18.16b, v19.16b}", 4, "ld1/st1 4 regs");
    LD1("{v16.4s, v17.4s}", 2, "ld1/st1 .4s 2 regs");
    LD1("{v16.2d, v17.2d, v18.2d}", 3, "ld1/st1 .2d 3 regs");

    /* Register contents check: ld1 then a plain str of each register. */
    memset(out, 0, sizeof out);
    asm volatile("ld1 {v16.16b, v17.16b, v18.16b, v19.16b}, [%0]\n\t"
                 "str q19, [%1]\n\tstr q18, [%1, #16]\n\tstr q17, [%1, #32]\n\tstr q16, [%1, #48]"
                 : : "r"(b), "r"(out) : "v16", "v17", "v18", "v19", "memory");
    {
        uint8_t want[64];
        memcpy(want, b + 48, 16); memcpy(want + 16, b + 32, 16);
        memcpy(want + 32, b + 16, 16); memcpy(want + 48, b, 16);
        mem("ld1 4 regs order", out, want, 64);
    }
    /* 64-bit arrangement: the upper half of each register becomes zero. */
    memset(out, 0xee, sizeof out);
    asm volatile("movi v16.16b, #0xff\n\tld1 {v16.8b}, [%0]\n\tstr q16, [%1]"
                 : : "r"(b), "r"(out) : "v16", "memory");
    vexpect("ld1 .8b zeroes upper", b, 8);

    /* Post-index by immediate (the total size) and by register. */
    p = (u64)b;
    asm volatile("ld1 {v16.16b, v17.16b, v18.16b, v19.16b}, [%0], #64\n\t"
                 "ld1 {v16.16b}, [%0], #16\n\tstr q16, [%1]" : "+r"(p) : "r"(out)
                 : "v16", "v17", "v18", "v19", "memory");
    val("ld1 4 regs post #64 then #16 base", p - (u64)b, 80);
    vexpect("ld1 after post-index", b + 64, 16);
    asm volatile("ld1 {v16.16b, v17.16b}, [%0], %2\n\tstr q17, [%1]" : "+r"(p) : "r"(out), "r"(7ull)
                 : "v16", "v17", "memory");
    val("ld1 post by register base", p - (u64)b, 87);
    vexpect("ld1 2 regs (second)", b + 96, 16);
    memset(out, 0, sizeof out);
    p = (u64)out;
    asm volatile("ld1 {v16.16b, v17.16b, v18.16b}, [%1]\n\tst1 {v16.16b, v17.16b, v18.16b}, [%0], #48\n\t"
                 "st1 {v16.16b}, [%0], %2" : "+r"(p) : "r"(b), "r"(16ull) : "v16", "v17", "v18", "memory");
    val("st1 post #48 then reg base", p - (u64)out, 64);
    {
        uint8_t want[64];
        memcpy(want, b, 48); memcpy(want + 48, b, 16);
        mem("st1 post-index data", out, want, 64);
    }
    group_end();

    group_begin("misc-mem");
    /* Prefetches are hints: even a NULL address must not fault. */
    asm volatile("prfm pldl1keep, [%0]\n\tprfm pstl2strm, [%0, #64]\n\tprfm pldl1keep, [%1]"
                 : : "r"(0ull), "r"(b) : "memory");
    printf("  prfm on NULL did not fault\n");
    group_end();
}

int main(void)
{
    for (int i = 0; i < BUFSZ; i++)
        buf[i] = (uint8_t)(i * 37 + 11 + (i >> 8));
    test_gpr_loads();
    test_gpr_stores();
    test_pairs();
    test_literal();
    test_simd_scalar();
    test_simd_pairs_multi();
    return check_exit_status();
}
