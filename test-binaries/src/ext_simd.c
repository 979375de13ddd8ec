/*
 * Armv8.x SIMD extensions through ACLE intrinsics (built with -O3
 * -march=armv8.6-a+bf16+i8mm+sm4+fp16fml+fp16; gcc's +sm4 enables SM3 too):
 *
 *   FEAT_FCMA  FCADD (rot 90/270) and FCMLA (rot 0/90/180/270, by element)
 *              on half, single and double precision
 *   FEAT_FHM   FMLAL/FMLAL2/FMLSL/FMLSL2, vector and by element
 *   FEAT_BF16  BFDOT, BFMMLA, BFMLALB/T (vector and by element), BFCVT,
 *              BFCVTN, BFCVTN2
 *   FEAT_I8MM  SMMLA, UMMLA, USMMLA, USDOT, SUDOT (vector and by element)
 *   FEAT_SM3   SM3SS1, SM3TT1A/B, SM3TT2A/B, SM3PARTW1/2
 *   FEAT_SM4   SM4E, SM4EKEY
 *
 * The inputs are arrays of pseudo-random values from a fixed LCG, with NaNs
 * (quiet and signalling, both signs, payloads), infinities, denormals and
 * zeros of both signs mixed in.  Every result vector goes into an FNV-1a
 * checksum, so a wrong lane or a wrong NaN anywhere changes the output; a
 * few results are printed in full, and FPSR's cumulative flags after each
 * floating-point group.  Where an exact model is easy the results are also
 * checked against plain C (fused multiply-adds as fmaf/fma): for a NaN
 * result only "is a NaN" is checked, the exact NaN is pinned by the
 * checksum.  BFDOT and BFMMLA round in their own way and are checked only on
 * small integers, where every step is exact.
 *
 * The SM3 and SM4 groups run the real algorithms the way the Linux arm64
 * crypto drivers use the instructions: the two GB/T 32905 SM3 examples
 * ("abc" and "abcd" x 16) and messages of 0..1000 bytes checked against a
 * plain C SM3; SM4 encryption of the GB/T 32907 test vector, once and
 * 1,000,000 times, decryption, and random keys and blocks checked against a
 * plain C SM4.
 *
 * qemu-user 7.2 and 10.0 (-cpu max) print the same output.
 */
#include <arm_bf16.h>
#include <arm_neon.h>
#include <math.h>
#include <string.h>

#include "check.h"

#define N 256

static uint64_t lcg_state = 0x2545f4914f6cdd1dull;
static uint32_t rnd32(void)
{
    lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(lcg_state >> 32);
}
static uint64_t rnd64(void)
{
    uint64_t hi = rnd32();
    return hi << 32 | rnd32();
}

static uint64_t fnv_h;
static void fnv_begin(void) { fnv_h = 0xcbf29ce484222325ull; }
static void fnv_bytes(const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n--)
        fnv_h = (fnv_h ^ *b++) * 0x100000001b3ull;
}
static uint64_t fnv_of(const void *p, size_t n)
{
    fnv_begin();
    fnv_bytes(p, n);
    return fnv_h;
}

static uint64_t get_fpsr(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, fpsr" : "=r"(v) : : "memory");
    return v;
}
static void clear_fpsr(void) { __asm__ volatile("msr fpsr, xzr" : : : "memory"); }

/* ---- pseudo-random floating-point bit patterns ---- */

/* Single precision: 1 in 4 special, otherwise normal numbers 2^-20..2^20. */
static uint32_t rnd_f32(void)
{
    uint32_t r = rnd32(), m = rnd32() & 0x7fffff, s = r & 0x80000000u;
    switch ((r >> 8) & 31) {
    case 0: return s | 0x7fc00000u | (m & 0x3fffff);        /* quiet NaN */
    case 1: return s | 0x7f800000u | (m & 0x3fffff) | 1;    /* signalling NaN */
    case 2: return s | 0x7f800000u;                         /* infinity */
    case 3: case 4: return s | m | 1;                       /* denormal */
    case 5: return s;                                       /* +-0 */
    case 6: return s | 0x3f800000u;                         /* +-1 */
    case 7: return s | 0x7f7fffffu;                         /* largest */
    default: return s | ((uint32_t)(127 - 20 + (r >> 16) % 41) << 23) | m;
    }
}
/* Half precision: same mix, normals 2^-8..2^8. */
static uint16_t rnd_f16(void)
{
    uint32_t r = rnd32(), m = rnd32() & 0x3ff, s = (r >> 16) & 0x8000;
    switch ((r >> 8) & 31) {
    case 0: return (uint16_t)(s | 0x7e00 | (m & 0x1ff));
    case 1: return (uint16_t)(s | 0x7c00 | (m & 0x1ff) | 1);
    case 2: return (uint16_t)(s | 0x7c00);
    case 3: case 4: return (uint16_t)(s | m | 1);
    case 5: return (uint16_t)s;
    case 6: return (uint16_t)(s | 0x3c00);
    case 7: return (uint16_t)(s | 0x7bff);
    default: return (uint16_t)(s | (uint32_t)(15 - 8 + (r >> 20) % 17) << 10 | m);
    }
}
/* bfloat16: the top half of such a float, keeping NaNs and denormals. */
static uint16_t rnd_bf16(void)
{
    uint32_t f = rnd_f32();
    uint16_t b = (uint16_t)(f >> 16);
    if ((f & 0x7fffffffu) > 0x7f800000u && (b & 0x7f) == 0)
        b |= 1; /* a NaN whose payload was all in the low half */
    if ((f & 0x7f800000u) == 0 && (f & 0x7fffff) && (b & 0x7f) == 0)
        b |= 1; /* a denormal */
    return b;
}
static uint64_t rnd_f64(void)
{
    uint32_t r = rnd32();
    uint64_t m = rnd64() & 0xfffffffffffffull, s = (uint64_t)(r & 0x80000000u) << 32;
    switch ((r >> 8) & 31) {
    case 0: return s | 0x7ff8000000000000ull | (m & 0x7ffffffffffffull);
    case 1: return s | 0x7ff0000000000000ull | (m & 0x7ffffffffffffull) | 1;
    case 2: return s | 0x7ff0000000000000ull;
    case 3: case 4: return s | m | 1;
    case 5: return s;
    case 6: return s | 0x3ff0000000000000ull;
    case 7: return s | 0x7fefffffffffffffull;
    default: return s | ((uint64_t)(1023 - 40 + (r >> 16) % 81) << 52) | m;
    }
}

static uint32_t A32[N * 4], B32[N * 4], C32[N * 4];
static uint16_t A16[N * 8], B16[N * 8], C16[N * 8];
static uint64_t A64[N * 2], B64[N * 2], C64[N * 2];
static uint16_t ABF[N * 8], BBF[N * 8];
static uint8_t A8[N * 16], B8[N * 16];
static uint32_t AU[N * 4], BU[N * 4], CU[N * 4];

static void make_inputs(void)
{
    for (int i = 0; i < N * 4; i++) {
        A32[i] = rnd_f32();
        B32[i] = rnd_f32();
        C32[i] = rnd_f32();
        AU[i] = rnd32();
        BU[i] = rnd32();
        CU[i] = rnd32();
    }
    for (int i = 0; i < N * 8; i++) {
        A16[i] = rnd_f16();
        B16[i] = rnd_f16();
        C16[i] = rnd_f16();
        ABF[i] = rnd_bf16();
        BBF[i] = rnd_bf16();
    }
    for (int i = 0; i < N * 2; i++) {
        A64[i] = rnd_f64();
        B64[i] = rnd_f64();
        C64[i] = rnd_f64();
    }
    for (int i = 0; i < N * 16; i++) {
        A8[i] = (uint8_t)rnd32();
        B8[i] = (uint8_t)(rnd32() >> 8);
    }
    /* Extremes for the integer products. */
    for (int i = 0; i < 16; i++) {
        A8[i] = 0x80;
        B8[i] = 0x80;
        A8[16 + i] = 0xff;
        B8[16 + i] = 0x7f;
        A8[32 + i] = 0xff;
        B8[32 + i] = 0x80;
    }
}

/* ---- scalar helpers for the C models ---- */

static float f32(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
static uint32_t bits32(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }
static double f64(uint64_t b) { double f; memcpy(&f, &b, 8); return f; }
static uint64_t bits64(double f) { uint64_t b; memcpy(&b, &f, 8); return b; }
static _Float16 f16(uint16_t b) { _Float16 f; memcpy(&f, &b, 2); return f; }
static uint16_t bits16(_Float16 f) { uint16_t b; memcpy(&b, &f, 2); return b; }
static float bf2f(uint16_t b) { return f32((uint32_t)b << 16); }

static int nan32(uint32_t b) { return (b & 0x7fffffffu) > 0x7f800000u; }
static int nan16(uint16_t b) { return (b & 0x7fff) > 0x7c00; }
static int nan64(uint64_t b) { return (b & 0x7fffffffffffffffull) > 0x7ff0000000000000ull; }

/* Same value, or both NaN. */
static void same32(const char *what, int i, uint32_t got, uint32_t want)
{
    if (got != want && !(nan32(got) && nan32(want)))
        check_fail("%s #%d: got %08x want %08x", what, i, got, want);
}
static void same16(const char *what, int i, uint16_t got, uint16_t want)
{
    if (got != want && !(nan16(got) && nan16(want)))
        check_fail("%s #%d: got %04x want %04x", what, i, got, want);
}
static void same64(const char *what, int i, uint64_t got, uint64_t want)
{
    if (got != want && !(nan64(got) && nan64(want)))
        check_fail("%s #%d: got %016llx want %016llx", what, i, (unsigned long long)got,
                   (unsigned long long)want);
}

/* Half-precision fused multiply-add: the product of two halves is exact in
 * double and the sum nearly always is, so one rounding to half remains. */
static uint16_t fma16(uint16_t a, uint16_t b, uint16_t c)
{
    double r = (double)f16(a) * (double)f16(b) + (double)f16(c);
    return bits16((_Float16)r);
}

static void print4(const char *label, const uint32_t *v)
{
    printf("  %-26s %08x %08x %08x %08x\n", label, v[0], v[1], v[2], v[3]);
}
static void print8h(const char *label, const uint16_t *v)
{
    printf("  %-26s %04x %04x %04x %04x %04x %04x %04x %04x\n", label, v[0], v[1], v[2], v[3],
           v[4], v[5], v[6], v[7]);
}
static void print2d(const char *label, const uint64_t *v)
{
    printf("  %-26s %016llx %016llx\n", label, (unsigned long long)v[0],
           (unsigned long long)v[1]);
}

#define LD32(p) vreinterpretq_f32_u32(vld1q_u32(p))
#define ST32(p, v) vst1q_u32((p), vreinterpretq_u32_f32(v))
#define LD16(p) vreinterpretq_f16_u16(vld1q_u16(p))
#define ST16(p, v) vst1q_u16((p), vreinterpretq_u16_f16(v))
#define LD64(p) vreinterpretq_f64_u64(vld1q_u64(p))
#define ST64(p, v) vst1q_u64((p), vreinterpretq_u64_f64(v))
#define LDBF(p) vreinterpretq_bf16_u16(vld1q_u16(p))

/* ------------------------------------------------------------------ */
/* FEAT_FCMA: FCADD */

static uint32_t R32[8][N * 4];
static uint16_t R16[8][N * 8];
static uint64_t R64[8][N * 2];

/* Complex add with b rotated by 90 (re - b.im, im + b.re) or 270 degrees;
 * the rotation negates an element of b, then adds. */
static void test_fcadd(void)
{
    group_begin("fcadd");
    clear_fpsr();
    for (int i = 0; i < N; i++) {
        float32x4_t a = LD32(A32 + 4 * i), b = LD32(B32 + 4 * i);
        ST32(R32[0] + 4 * i, vcaddq_rot90_f32(a, b));
        ST32(R32[1] + 4 * i, vcaddq_rot270_f32(a, b));
        float16x8_t ah = LD16(A16 + 8 * i), bh = LD16(B16 + 8 * i);
        ST16(R16[0] + 8 * i, vcaddq_rot90_f16(ah, bh));
        ST16(R16[1] + 8 * i, vcaddq_rot270_f16(ah, bh));
        float64x2_t ad = LD64(A64 + 2 * i), bd = LD64(B64 + 2 * i);
        ST64(R64[0] + 2 * i, vcaddq_rot90_f64(ad, bd));
        ST64(R64[1] + 2 * i, vcaddq_rot270_f64(ad, bd));
    }
    uint64_t fpsr = get_fpsr();
    for (int i = 0; i < N * 4; i += 2) {
        float are = f32(A32[i]), aim = f32(A32[i + 1]), bre = f32(B32[i]), bim = f32(B32[i + 1]);
        same32("fcadd90.s re", i, R32[0][i], bits32(are - bim));
        same32("fcadd90.s im", i, R32[0][i + 1], bits32(aim + bre));
        same32("fcadd270.s re", i, R32[1][i], bits32(are + bim));
        same32("fcadd270.s im", i, R32[1][i + 1], bits32(aim - bre));
    }
    for (int i = 0; i < N * 8; i += 2) {
        _Float16 are = f16(A16[i]), aim = f16(A16[i + 1]), bre = f16(B16[i]), bim = f16(B16[i + 1]);
        same16("fcadd90.h re", i, R16[0][i], bits16(are - bim));
        same16("fcadd90.h im", i, R16[0][i + 1], bits16(aim + bre));
        same16("fcadd270.h re", i, R16[1][i], bits16(are + bim));
        same16("fcadd270.h im", i, R16[1][i + 1], bits16(aim - bre));
    }
    for (int i = 0; i < N * 2; i += 2) {
        double are = f64(A64[i]), aim = f64(A64[i + 1]), bre = f64(B64[i]), bim = f64(B64[i + 1]);
        same64("fcadd90.d re", i, R64[0][i], bits64(are - bim));
        same64("fcadd90.d im", i, R64[0][i + 1], bits64(aim + bre));
        same64("fcadd270.d re", i, R64[1][i], bits64(are + bim));
        same64("fcadd270.d im", i, R64[1][i + 1], bits64(aim - bre));
    }
    printf("  fcadd .4s rot90  %016llx rot270 %016llx\n",
           (unsigned long long)fnv_of(R32[0], sizeof R32[0]),
           (unsigned long long)fnv_of(R32[1], sizeof R32[1]));
    printf("  fcadd .8h rot90  %016llx rot270 %016llx\n",
           (unsigned long long)fnv_of(R16[0], sizeof R16[0]),
           (unsigned long long)fnv_of(R16[1], sizeof R16[1]));
    printf("  fcadd .2d rot90  %016llx rot270 %016llx\n",
           (unsigned long long)fnv_of(R64[0], sizeof R64[0]),
           (unsigned long long)fnv_of(R64[1], sizeof R64[1]));
    print4("fcadd .4s rot90 [0]", R32[0]);
    print4("fcadd .4s rot270 [5]", R32[1] + 20);
    print8h("fcadd .8h rot90 [1]", R16[0] + 8);
    print2d("fcadd .2d rot270 [3]", R64[1] + 6);
    printf("  fpsr %08llx\n", (unsigned long long)fpsr);
    group_end();
}

/* ------------------------------------------------------------------ */
/* FEAT_FCMA: FCMLA */

/* One FCMLA pair: acc (re, im) += rotated product of a and the pair b. */
static void cmla32(const uint32_t *acc, const uint32_t *a, const uint32_t *b, int rot,
                   uint32_t *out)
{
    float are = f32(a[0]), aim = f32(a[1]), bre = f32(b[0]), bim = f32(b[1]);
    float cre = f32(acc[0]), cim = f32(acc[1]);
    switch (rot) {
    case 0: out[0] = bits32(fmaf(are, bre, cre)); out[1] = bits32(fmaf(are, bim, cim)); break;
    case 90: out[0] = bits32(fmaf(aim, -bim, cre)); out[1] = bits32(fmaf(aim, bre, cim)); break;
    case 180: out[0] = bits32(fmaf(are, -bre, cre)); out[1] = bits32(fmaf(are, -bim, cim)); break;
    default: out[0] = bits32(fmaf(aim, bim, cre)); out[1] = bits32(fmaf(aim, -bre, cim)); break;
    }
}
static void cmla16(const uint16_t *acc, const uint16_t *a, const uint16_t *b, int rot,
                   uint16_t *out)
{
    uint16_t nbre = b[0] ^ 0x8000, nbim = b[1] ^ 0x8000;
    switch (rot) {
    case 0: out[0] = fma16(a[0], b[0], acc[0]); out[1] = fma16(a[0], b[1], acc[1]); break;
    case 90: out[0] = fma16(a[1], nbim, acc[0]); out[1] = fma16(a[1], b[0], acc[1]); break;
    case 180: out[0] = fma16(a[0], nbre, acc[0]); out[1] = fma16(a[0], nbim, acc[1]); break;
    default: out[0] = fma16(a[1], b[1], acc[0]); out[1] = fma16(a[1], nbre, acc[1]); break;
    }
}
static void cmla64(const uint64_t *acc, const uint64_t *a, const uint64_t *b, int rot,
                   uint64_t *out)
{
    double are = f64(a[0]), aim = f64(a[1]), bre = f64(b[0]), bim = f64(b[1]);
    double cre = f64(acc[0]), cim = f64(acc[1]);
    switch (rot) {
    case 0: out[0] = bits64(fma(are, bre, cre)); out[1] = bits64(fma(are, bim, cim)); break;
    case 90: out[0] = bits64(fma(aim, -bim, cre)); out[1] = bits64(fma(aim, bre, cim)); break;
    case 180: out[0] = bits64(fma(are, -bre, cre)); out[1] = bits64(fma(are, -bim, cim)); break;
    default: out[0] = bits64(fma(aim, bim, cre)); out[1] = bits64(fma(aim, -bre, cim)); break;
    }
}

static const struct {
    const char *name;
    int rot, lane; /* lane < 0: vector form; else index of the pair of b */
} fcmla32_ops[8] = {
    {"fcmla .4s #0", 0, -1},          {"fcmla .4s #90", 90, -1},
    {"fcmla .4s #180", 180, -1},      {"fcmla .4s #270", 270, -1},
    {"fcmla .4s lane[0] #0", 0, 0},   {"fcmla .4s laneq[1] #0", 0, 1},
    {"fcmla .4s laneq[0] #90", 90, 0}, {"fcmla .4s laneq[1] #180", 180, 1},
};
static const struct {
    const char *name;
    int rot, lane;
} fcmla16_ops[8] = {
    {"fcmla .8h #0", 0, -1},          {"fcmla .8h #90", 90, -1},
    {"fcmla .8h #180", 180, -1},      {"fcmla .8h #270", 270, -1},
    {"fcmla .8h laneq[2] #0", 0, 2},  {"fcmla .8h laneq[3] #90", 90, 3},
    {"fcmla .8h lane[1] #180", 180, 1}, {"fcmla .8h laneq[0] #270", 270, 0},
};

static void test_fcmla(void)
{
    group_begin("fcmla");
    clear_fpsr();
    for (int i = 0; i < N; i++) {
        float32x4_t a = LD32(A32 + 4 * i), b = LD32(B32 + 4 * i), c = LD32(C32 + 4 * i);
        ST32(R32[0] + 4 * i, vcmlaq_f32(c, a, b));
        ST32(R32[1] + 4 * i, vcmlaq_rot90_f32(c, a, b));
        ST32(R32[2] + 4 * i, vcmlaq_rot180_f32(c, a, b));
        ST32(R32[3] + 4 * i, vcmlaq_rot270_f32(c, a, b));
        ST32(R32[4] + 4 * i, vcmlaq_lane_f32(c, a, vget_low_f32(b), 0));
        ST32(R32[5] + 4 * i, vcmlaq_laneq_f32(c, a, b, 1));
        ST32(R32[6] + 4 * i, vcmlaq_rot90_laneq_f32(c, a, b, 0));
        ST32(R32[7] + 4 * i, vcmlaq_rot180_laneq_f32(c, a, b, 1));
        float16x8_t ah = LD16(A16 + 8 * i), bh = LD16(B16 + 8 * i), ch = LD16(C16 + 8 * i);
        ST16(R16[0] + 8 * i, vcmlaq_f16(ch, ah, bh));
        ST16(R16[1] + 8 * i, vcmlaq_rot90_f16(ch, ah, bh));
        ST16(R16[2] + 8 * i, vcmlaq_rot180_f16(ch, ah, bh));
        ST16(R16[3] + 8 * i, vcmlaq_rot270_f16(ch, ah, bh));
        ST16(R16[4] + 8 * i, vcmlaq_laneq_f16(ch, ah, bh, 2));
        ST16(R16[5] + 8 * i, vcmlaq_rot90_laneq_f16(ch, ah, bh, 3));
        ST16(R16[6] + 8 * i, vcmlaq_rot180_lane_f16(ch, ah, vget_low_f16(bh), 1));
        ST16(R16[7] + 8 * i, vcmlaq_rot270_laneq_f16(ch, ah, bh, 0));
        float64x2_t ad = LD64(A64 + 2 * i), bd = LD64(B64 + 2 * i), cd = LD64(C64 + 2 * i);
        ST64(R64[0] + 2 * i, vcmlaq_f64(cd, ad, bd));
        ST64(R64[1] + 2 * i, vcmlaq_rot90_f64(cd, ad, bd));
        ST64(R64[2] + 2 * i, vcmlaq_rot180_f64(cd, ad, bd));
        ST64(R64[3] + 2 * i, vcmlaq_rot270_f64(cd, ad, bd));
    }
    uint64_t fpsr = get_fpsr();

    for (int k = 0; k < 8; k++) {
        for (int i = 0; i < N * 4; i += 2) {
            uint32_t want[2];
            const uint32_t *b = fcmla32_ops[k].lane < 0 ? B32 + i
                                                         : B32 + (i & ~3) + 2 * fcmla32_ops[k].lane;
            cmla32(C32 + i, A32 + i, b, fcmla32_ops[k].rot, want);
            same32(fcmla32_ops[k].name, i, R32[k][i], want[0]);
            same32(fcmla32_ops[k].name, i + 1, R32[k][i + 1], want[1]);
        }
        printf("  %-26s %016llx\n", fcmla32_ops[k].name,
               (unsigned long long)fnv_of(R32[k], sizeof R32[k]));
    }
    for (int k = 0; k < 8; k++) {
        for (int i = 0; i < N * 8; i += 2) {
            uint16_t want[2];
            /* By element, the pair comes from the same 128-bit segment of b. */
            const uint16_t *b = fcmla16_ops[k].lane < 0 ? B16 + i
                                                         : B16 + (i & ~7) + 2 * fcmla16_ops[k].lane;
            cmla16(C16 + i, A16 + i, b, fcmla16_ops[k].rot, want);
            same16(fcmla16_ops[k].name, i, R16[k][i], want[0]);
            same16(fcmla16_ops[k].name, i + 1, R16[k][i + 1], want[1]);
        }
        printf("  %-26s %016llx\n", fcmla16_ops[k].name,
               (unsigned long long)fnv_of(R16[k], sizeof R16[k]));
    }
    static const int rots[4] = {0, 90, 180, 270};
    for (int k = 0; k < 4; k++) {
        char name[32];
        snprintf(name, sizeof name, "fcmla .2d #%d", rots[k]);
        for (int i = 0; i < N * 2; i += 2) {
            uint64_t want[2];
            cmla64(C64 + i, A64 + i, B64 + i, rots[k], want);
            same64(name, i, R64[k][i], want[0]);
            same64(name, i + 1, R64[k][i + 1], want[1]);
        }
        printf("  %-26s %016llx\n", name, (unsigned long long)fnv_of(R64[k], sizeof R64[k]));
    }
    print4("fcmla .4s #90 [2]", R32[1] + 8);
    print4("fcmla .4s laneq[1] #180 [7]", R32[7] + 28);
    print8h("fcmla .8h laneq[3] #90 [4]", R16[5] + 32);
    print2d("fcmla .2d #270 [9]", R64[3] + 18);

    /* The usual complex multiply: #0 then #90 accumulates a*b; #180 then
     * #270 subtracts it again. */
    float32x4_t acc = vdupq_n_f32(0);
    float32x4_t x = {1.5f, -2.0f, 0.25f, 3.0f}, y = {4.0f, 0.5f, -1.0f, 2.0f};
    acc = vcmlaq_rot90_f32(vcmlaq_f32(acc, x, y), x, y);
    uint32_t prod[4];
    ST32(prod, acc);
    printf("  (1.5-2i)(4+0.5i) = %g%+gi, (0.25+3i)(-1+2i) = %g%+gi\n", f32(prod[0]),
           f32(prod[1]), f32(prod[2]), f32(prod[3]));
    CHECK("complex product", f32(prod[0]) == 7.0f && f32(prod[1]) == -7.25f &&
                                 f32(prod[2]) == -6.25f && f32(prod[3]) == -2.5f);
    acc = vcmlaq_rot270_f32(vcmlaq_rot180_f32(acc, x, y), x, y);
    ST32(prod, acc);
    CHECK("complex product undone", prod[0] == 0 && prod[1] == 0 && prod[2] == 0 && prod[3] == 0);
    printf("  fpsr %08llx\n", (unsigned long long)fpsr);
    group_end();
}

/* ------------------------------------------------------------------ */
/* FEAT_FHM: FMLAL, FMLSL */

static void test_fhm(void)
{
    static const char *names[8] = {
        "fmlal .4s", "fmlal2 .4s", "fmlsl .4s", "fmlsl2 .4s",
        "fmlal .4s laneq[5]", "fmlal2 .4s lane[3]", "fmlsl2 .4s laneq[7]", "fmlsl .4s lane[0] (hi)",
    };
    group_begin("fhm");
    clear_fpsr();
    for (int i = 0; i < N; i++) {
        float32x4_t c = LD32(C32 + 4 * i);
        float16x8_t a = LD16(A16 + 8 * i), b = LD16(B16 + 8 * i);
        ST32(R32[0] + 4 * i, vfmlalq_low_f16(c, a, b));
        ST32(R32[1] + 4 * i, vfmlalq_high_f16(c, a, b));
        ST32(R32[2] + 4 * i, vfmlslq_low_f16(c, a, b));
        ST32(R32[3] + 4 * i, vfmlslq_high_f16(c, a, b));
        ST32(R32[4] + 4 * i, vfmlalq_laneq_low_f16(c, a, b, 5));
        ST32(R32[5] + 4 * i, vfmlalq_lane_high_f16(c, a, vget_low_f16(b), 3));
        ST32(R32[6] + 4 * i, vfmlslq_laneq_high_f16(c, a, b, 7));
        ST32(R32[7] + 4 * i, vfmlslq_lane_low_f16(c, a, vget_high_f16(b), 0));
    }
    uint64_t fpsr = get_fpsr();
    for (int i = 0; i < N; i++) {
        for (int e = 0; e < 4; e++) {
            const uint16_t *a = A16 + 8 * i, *b = B16 + 8 * i;
            float c = f32(C32[4 * i + e]);
            float alo = (float)f16(a[e]), ahi = (float)f16(a[e + 4]);
            float want[8] = {
                fmaf(alo, (float)f16(b[e]), c),      fmaf(ahi, (float)f16(b[e + 4]), c),
                fmaf(-alo, (float)f16(b[e]), c),     fmaf(-ahi, (float)f16(b[e + 4]), c),
                fmaf(alo, (float)f16(b[5]), c),      fmaf(ahi, (float)f16(b[3]), c),
                fmaf(-ahi, (float)f16(b[7]), c),     fmaf(-alo, (float)f16(b[4]), c),
            };
            for (int k = 0; k < 8; k++)
                same32(names[k], 4 * i + e, R32[k][4 * i + e], bits32(want[k]));
        }
    }
    for (int k = 0; k < 8; k++)
        printf("  %-26s %016llx\n", names[k], (unsigned long long)fnv_of(R32[k], sizeof R32[k]));
    print4("fmlal .4s [3]", R32[0] + 12);
    print4("fmlsl2 .4s [6]", R32[3] + 24);
    print4("fmlal2 .4s lane[3] [11]", R32[5] + 44);
    printf("  fpsr %08llx\n", (unsigned long long)fpsr);
    group_end();
}

/* ------------------------------------------------------------------ */
/* FEAT_BF16 */

static uint16_t bfcvt_model(uint32_t b)
{
    if (nan32(b))
        return (uint16_t)((b >> 16) | 0x40);
    return (uint16_t)((b + 0x7fff + ((b >> 16) & 1)) >> 16);
}

static void test_bf16(void)
{
    static const char *names[8] = {
        "bfdot .4s",        "bfdot .4s laneq[3]", "bfdot .4s lane[1]",  "bfmmla .4s",
        "bfmlalb .4s",      "bfmlalt .4s",        "bfmlalb laneq[6]",   "bfmlalt lane[3]",
    };
    group_begin("bf16");
    clear_fpsr();
    for (int i = 0; i < N; i++) {
        float32x4_t c = LD32(C32 + 4 * i);
        bfloat16x8_t a = LDBF(ABF + 8 * i), b = LDBF(BBF + 8 * i);
        ST32(R32[0] + 4 * i, vbfdotq_f32(c, a, b));
        ST32(R32[1] + 4 * i, vbfdotq_laneq_f32(c, a, b, 3));
        ST32(R32[2] + 4 * i, vbfdotq_lane_f32(c, a, vget_low_bf16(b), 1));
        ST32(R32[3] + 4 * i, vbfmmlaq_f32(c, a, b));
        ST32(R32[4] + 4 * i, vbfmlalbq_f32(c, a, b));
        ST32(R32[5] + 4 * i, vbfmlaltq_f32(c, a, b));
        ST32(R32[6] + 4 * i, vbfmlalbq_laneq_f32(c, a, b, 6));
        ST32(R32[7] + 4 * i, vbfmlaltq_lane_f32(c, a, vget_low_bf16(b), 3));
    }
    uint64_t fpsr_dot = get_fpsr();
    /* BFMLALB/T are IEEE fused multiply-adds of the widened elements. */
    for (int i = 0; i < N; i++) {
        const uint16_t *a = ABF + 8 * i, *b = BBF + 8 * i;
        for (int e = 0; e < 4; e++) {
            float c = f32(C32[4 * i + e]);
            same32(names[4], 4 * i + e, R32[4][4 * i + e],
                   bits32(fmaf(bf2f(a[2 * e]), bf2f(b[2 * e]), c)));
            same32(names[5], 4 * i + e, R32[5][4 * i + e],
                   bits32(fmaf(bf2f(a[2 * e + 1]), bf2f(b[2 * e + 1]), c)));
            same32(names[6], 4 * i + e, R32[6][4 * i + e],
                   bits32(fmaf(bf2f(a[2 * e]), bf2f(b[6]), c)));
            same32(names[7], 4 * i + e, R32[7][4 * i + e],
                   bits32(fmaf(bf2f(a[2 * e + 1]), bf2f(b[3]), c)));
        }
    }
    for (int k = 0; k < 8; k++)
        printf("  %-26s %016llx\n", names[k], (unsigned long long)fnv_of(R32[k], sizeof R32[k]));
    print4("bfdot .4s [0]", R32[0]);
    print4("bfdot .4s [13]", R32[0] + 52);
    print4("bfmmla .4s [1]", R32[3] + 4);
    print4("bfmmla .4s [22]", R32[3] + 88);
    print4("bfmlalt .4s [8]", R32[5] + 32);
    printf("  fpsr dot/mmla/mlal %08llx\n", (unsigned long long)fpsr_dot);

    /* Small integers: every product and sum is exact. */
    {
        float av[8], bv[8], cv[4];
        uint16_t ab[8], bb[8];
        int ok = 1;
        for (int t = 0; t < 64; t++) {
            for (int e = 0; e < 8; e++) {
                av[e] = (float)((int)(rnd32() % 33) - 16);
                bv[e] = (float)((int)(rnd32() % 33) - 16);
                ab[e] = (uint16_t)(bits32(av[e]) >> 16);
                bb[e] = (uint16_t)(bits32(bv[e]) >> 16);
            }
            for (int e = 0; e < 4; e++)
                cv[e] = (float)((int)(rnd32() % 2001) - 1000);
            float32x4_t c = vld1q_f32(cv);
            bfloat16x8_t a = LDBF(ab), b = LDBF(bb);
            float d[4], m[4];
            vst1q_f32(d, vbfdotq_f32(c, a, b));
            vst1q_f32(m, vbfmmlaq_f32(c, a, b));
            for (int e = 0; e < 4; e++) {
                float wd = cv[e] + av[2 * e] * bv[2 * e] + av[2 * e + 1] * bv[2 * e + 1];
                float wm = cv[e];
                int r = e >> 1, col = e & 1;
                for (int k = 0; k < 4; k++)
                    wm += av[4 * r + k] * bv[4 * col + k];
                if (d[e] != wd || m[e] != wm)
                    ok = 0;
                if (d[e] != wd)
                    check_fail("bfdot exact t%d e%d: got %g want %g", t, e, d[e], wd);
                if (m[e] != wm)
                    check_fail("bfmmla exact t%d e%d: got %g want %g", t, e, m[e], wm);
            }
        }
        printf("  bfdot/bfmmla on small integers: %s\n", ok ? "exact" : "wrong");
    }

    /* Conversions: BFCVT (scalar), BFCVTN, BFCVTN2. */
    clear_fpsr();
    static uint16_t cvt_s[N * 4], cvt_v[N * 8];
    for (int i = 0; i < N * 4; i++) {
        bfloat16_t h = vcvth_bf16_f32(f32(A32[i]));
        memcpy(&cvt_s[i], &h, 2);
    }
    for (int i = 0; i < N; i += 2) {
        bfloat16x8_t lo = vcvtq_low_bf16_f32(LD32(A32 + 4 * i));
        bfloat16x8_t both = vcvtq_high_bf16_f32(lo, LD32(A32 + 4 * i + 4));
        vst1q_u16(cvt_v + 8 * i, vreinterpretq_u16_bf16(lo));
        vst1q_u16(cvt_v + 8 * i + 8, vreinterpretq_u16_bf16(both));
    }
    uint64_t fpsr_cvt = get_fpsr();
    for (int i = 0; i < N * 4; i++)
        if (cvt_s[i] != bfcvt_model(A32[i]))
            check_fail("bfcvt %08x: got %04x want %04x", A32[i], cvt_s[i], bfcvt_model(A32[i]));
    for (int i = 0; i < N; i += 2)
        for (int e = 0; e < 4; e++) {
            uint16_t w0 = bfcvt_model(A32[4 * i + e]), w1 = bfcvt_model(A32[4 * i + 4 + e]);
            if (cvt_v[8 * i + e] != w0 || cvt_v[8 * i + 4 + e] != 0)
                check_fail("bfcvtn #%d.%d: got %04x %04x", i, e, cvt_v[8 * i + e],
                           cvt_v[8 * i + 4 + e]);
            if (cvt_v[8 * i + 8 + e] != w0 || cvt_v[8 * i + 12 + e] != w1)
                check_fail("bfcvtn2 #%d.%d: got %04x %04x", i, e, cvt_v[8 * i + 8 + e],
                           cvt_v[8 * i + 12 + e]);
        }
    printf("  bfcvt %016llx bfcvtn/bfcvtn2 %016llx\n",
           (unsigned long long)fnv_of(cvt_s, sizeof cvt_s),
           (unsigned long long)fnv_of(cvt_v, sizeof cvt_v));
    print8h("bfcvtn2 [0]", cvt_v + 8);
    static const uint32_t edge[] = {0x3f808000, 0x3f818000, 0x3f80ffff, 0x7f7fffff, 0x00000001,
                                    0x80010000, 0x7f800001, 0xffc12345, 0x80000000};
    printf("  bfcvt");
    for (unsigned i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        bfloat16_t h = vcvth_bf16_f32(f32(edge[i]));
        uint16_t hb;
        memcpy(&hb, &h, 2);
        printf(" %08x:%04x", edge[i], hb);
        if (hb != bfcvt_model(edge[i]))
            check_fail("bfcvt %08x: got %04x", edge[i], hb);
    }
    printf("\n  fpsr cvt %08llx\n", (unsigned long long)fpsr_cvt);
    group_end();
}

/* ------------------------------------------------------------------ */
/* FEAT_I8MM */

static void test_i8mm(void)
{
    static const char *names[8] = {
        "smmla",           "ummla",           "usmmla",          "usdot",
        "usdot laneq[2]",  "usdot lane[1]",   "sudot laneq[3]",  "sudot lane[0]",
    };
    group_begin("i8mm");
    for (int i = 0; i < N; i++) {
        int32x4_t c = vreinterpretq_s32_u32(vld1q_u32(CU + 4 * i));
        uint8x16_t ua = vld1q_u8(A8 + 16 * i), ub = vld1q_u8(B8 + 16 * i);
        int8x16_t sa = vreinterpretq_s8_u8(ua), sb = vreinterpretq_s8_u8(ub);
        vst1q_s32((int32_t *)R32[0] + 4 * i, vmmlaq_s32(c, sa, sb));
        vst1q_u32(R32[1] + 4 * i, vmmlaq_u32(vreinterpretq_u32_s32(c), ua, ub));
        vst1q_s32((int32_t *)R32[2] + 4 * i, vusmmlaq_s32(c, ua, sb));
        vst1q_s32((int32_t *)R32[3] + 4 * i, vusdotq_s32(c, ua, sb));
        vst1q_s32((int32_t *)R32[4] + 4 * i, vusdotq_laneq_s32(c, ua, sb, 2));
        vst1q_s32((int32_t *)R32[5] + 4 * i, vusdotq_lane_s32(c, ua, vget_low_s8(sb), 1));
        vst1q_s32((int32_t *)R32[6] + 4 * i, vsudotq_laneq_s32(c, sa, ub, 3));
        vst1q_s32((int32_t *)R32[7] + 4 * i, vsudotq_lane_s32(c, sa, vget_high_u8(ub), 0));
    }
    for (int i = 0; i < N; i++) {
        const uint8_t *a = A8 + 16 * i, *b = B8 + 16 * i;
        for (int e = 0; e < 4; e++) {
            uint32_t c = CU[4 * i + e];
            uint32_t w[8] = {c, c, c, c, c, c, c, c};
            int r = e >> 1, col = e & 1;
            for (int k = 0; k < 8; k++) {
                w[0] += (uint32_t)((int8_t)a[8 * r + k] * (int8_t)b[8 * col + k]);
                w[1] += (uint32_t)(a[8 * r + k] * b[8 * col + k]);
                w[2] += (uint32_t)(a[8 * r + k] * (int8_t)b[8 * col + k]);
            }
            for (int k = 0; k < 4; k++) {
                w[3] += (uint32_t)(a[4 * e + k] * (int8_t)b[4 * e + k]);
                w[4] += (uint32_t)(a[4 * e + k] * (int8_t)b[8 + k]);
                w[5] += (uint32_t)(a[4 * e + k] * (int8_t)b[4 + k]);
                w[6] += (uint32_t)((int8_t)a[4 * e + k] * b[12 + k]);
                w[7] += (uint32_t)((int8_t)a[4 * e + k] * b[8 + k]);
            }
            for (int k = 0; k < 8; k++)
                if (R32[k][4 * i + e] != w[k])
                    check_fail("%s #%d.%d: got %08x want %08x", names[k], i, e,
                               R32[k][4 * i + e], w[k]);
        }
    }
    for (int k = 0; k < 8; k++)
        printf("  %-26s %016llx\n", names[k], (unsigned long long)fnv_of(R32[k], sizeof R32[k]));
    print4("smmla [0] (all -128)", R32[0]);
    print4("ummla [1] (255 x 127)", R32[1] + 4);
    print4("usmmla [2] (255 x -128)", R32[2] + 8);
    print4("usdot [40]", R32[3] + 160);
    print4("sudot lane[0] [77]", R32[7] + 308);
    group_end();
}

/* ------------------------------------------------------------------ */
/* SM3 */

static uint32_t rol32(uint32_t x, int n) { return n ? x << n | x >> (32 - n) : x; }

/* Plain C SM3 compression (GB/T 32905). */
static void sm3_block_c(uint32_t st[8], const uint8_t *p)
{
    uint32_t w[68], w1[64];
    for (int j = 0; j < 16; j++)
        w[j] = (uint32_t)p[4 * j] << 24 | p[4 * j + 1] << 16 | p[4 * j + 2] << 8 | p[4 * j + 3];
    for (int j = 16; j < 68; j++) {
        uint32_t x = w[j - 16] ^ w[j - 9] ^ rol32(w[j - 3], 15);
        w[j] = (x ^ rol32(x, 15) ^ rol32(x, 23)) ^ rol32(w[j - 13], 7) ^ w[j - 6];
    }
    for (int j = 0; j < 64; j++)
        w1[j] = w[j] ^ w[j + 4];
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
    for (int j = 0; j < 64; j++) {
        uint32_t t = j < 16 ? 0x79cc4519 : 0x7a879d8a;
        uint32_t ss1 = rol32(rol32(a, 12) + e + rol32(t, j % 32), 7);
        uint32_t ss2 = ss1 ^ rol32(a, 12);
        uint32_t ff = j < 16 ? a ^ b ^ c : (a & b) | (a & c) | (b & c);
        uint32_t gg = j < 16 ? e ^ f ^ g : (e & f) | (~e & g);
        uint32_t tt1 = ff + d + ss2 + w1[j], tt2 = gg + h + ss1 + w[j];
        d = c;
        c = rol32(b, 9);
        b = a;
        a = tt1;
        h = g;
        g = rol32(f, 19);
        f = e;
        e = tt2 ^ rol32(tt2, 9) ^ rol32(tt2, 17);
    }
    st[0] ^= a; st[1] ^= b; st[2] ^= c; st[3] ^= d;
    st[4] ^= e; st[5] ^= f; st[6] ^= g; st[7] ^= h;
}

/* The same with the SM3 instructions, arranged as in Linux's sm3-ce-core.S.
 * abcd holds {D, C, B, A}, efgh {H, G, F, E}; T_j sits in lane 3 of t. */
#define SM3_ROUND(ab, s0, i)                                                    \
    do {                                                                        \
        uint32x4_t ss1 = vsm3ss1q_u32(abcd, t, efgh);                           \
        t = vorrq_u32(vshlq_n_u32(t, 1), vshrq_n_u32(t, 31));                   \
        abcd = vsm3tt1##ab##q_u32(abcd, ss1, w10, i);                           \
        efgh = vsm3tt2##ab##q_u32(efgh, ss1, s0, i);                            \
    } while (0)

#define SM3_QROUND(ab, s0, s1, s2, s3, s4, expand)                              \
    do {                                                                        \
        uint32x4_t v6 = s0, v7 = s0;                                            \
        if (expand) {                                                           \
            s4 = vextq_u32(s1, s2, 3);                                          \
            v6 = vextq_u32(s0, s1, 3);                                          \
            v7 = vextq_u32(s2, s3, 2);                                          \
            s4 = vsm3partw1q_u32(s4, s0, s3);                                   \
        }                                                                       \
        uint32x4_t w10 = veorq_u32(s0, s1);                                     \
        SM3_ROUND(ab, s0, 0);                                                   \
        SM3_ROUND(ab, s0, 1);                                                   \
        SM3_ROUND(ab, s0, 2);                                                   \
        SM3_ROUND(ab, s0, 3);                                                   \
        if (expand)                                                             \
            s4 = vsm3partw2q_u32(s4, v7, v6);                                   \
    } while (0)

static void sm3_block_ce(uint32_t st[8], const uint8_t *p)
{
    uint32_t tmp[4] = {st[3], st[2], st[1], st[0]};
    uint32x4_t abcd = vld1q_u32(tmp);
    tmp[0] = st[7], tmp[1] = st[6], tmp[2] = st[5], tmp[3] = st[4];
    uint32x4_t efgh = vld1q_u32(tmp);
    uint32x4_t abcd0 = abcd, efgh0 = efgh;
    uint32x4_t v0 = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p)));
    uint32x4_t v1 = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16)));
    uint32x4_t v2 = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 32)));
    uint32x4_t v3 = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 48)));
    uint32x4_t v4 = vdupq_n_u32(0);
    uint32x4_t t = vsetq_lane_u32(0x79cc4519, vdupq_n_u32(0), 3);

    SM3_QROUND(a, v0, v1, v2, v3, v4, 1);
    SM3_QROUND(a, v1, v2, v3, v4, v0, 1);
    SM3_QROUND(a, v2, v3, v4, v0, v1, 1);
    SM3_QROUND(a, v3, v4, v0, v1, v2, 1);

    t = vsetq_lane_u32(0x9d8a7a87, vdupq_n_u32(0), 3);

    SM3_QROUND(b, v4, v0, v1, v2, v3, 1);
    SM3_QROUND(b, v0, v1, v2, v3, v4, 1);
    SM3_QROUND(b, v1, v2, v3, v4, v0, 1);
    SM3_QROUND(b, v2, v3, v4, v0, v1, 1);
    SM3_QROUND(b, v3, v4, v0, v1, v2, 1);
    SM3_QROUND(b, v4, v0, v1, v2, v3, 1);
    SM3_QROUND(b, v0, v1, v2, v3, v4, 1);
    SM3_QROUND(b, v1, v2, v3, v4, v0, 1);
    SM3_QROUND(b, v2, v3, v4, v0, v1, 1);
    SM3_QROUND(b, v3, v4, v0, v1, v2, 0);
    SM3_QROUND(b, v4, v0, v1, v2, v3, 0);
    SM3_QROUND(b, v0, v1, v2, v3, v4, 0);

    abcd = veorq_u32(abcd, abcd0);
    efgh = veorq_u32(efgh, efgh0);
    vst1q_u32(tmp, abcd);
    st[0] = tmp[3], st[1] = tmp[2], st[2] = tmp[1], st[3] = tmp[0];
    vst1q_u32(tmp, efgh);
    st[4] = tmp[3], st[5] = tmp[2], st[6] = tmp[1], st[7] = tmp[0];
}

static void sm3_hash(const uint8_t *msg, size_t len, int use_ce, uint8_t out[32])
{
    uint32_t st[8] = {0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600,
                      0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e};
    uint8_t blk[64];
    size_t done = 0;
    void (*block)(uint32_t *, const uint8_t *) = use_ce ? sm3_block_ce : sm3_block_c;
    for (; len - done >= 64; done += 64)
        block(st, msg + done);
    size_t rest = len - done;
    memset(blk, 0, 64);
    memcpy(blk, msg + done, rest);
    blk[rest] = 0x80;
    if (rest >= 56) {
        block(st, blk);
        memset(blk, 0, 64);
    }
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        blk[63 - i] = (uint8_t)(bits >> (8 * i));
    block(st, blk);
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (uint8_t)(st[i] >> (24 - 8 * j));
}

static void hex(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

static void test_sm3(void)
{
    group_begin("sm3");
    /* Each instruction over random operands, every immediate. */
    for (int i = 0; i < N; i++) {
        uint32x4_t a = vld1q_u32(AU + 4 * i), b = vld1q_u32(BU + 4 * i), c = vld1q_u32(CU + 4 * i);
        vst1q_u32(R32[0] + 4 * i, vsm3ss1q_u32(a, b, c));
        uint32x4_t x = vsm3tt1aq_u32(a, b, c, 0);
        x = vsm3tt1aq_u32(x, b, c, 1);
        x = vsm3tt1aq_u32(x, c, a, 2);
        x = vsm3tt1aq_u32(x, a, b, 3);
        vst1q_u32(R32[1] + 4 * i, x);
        x = vsm3tt1bq_u32(b, c, a, 0);
        x = vsm3tt1bq_u32(x, a, b, 1);
        x = vsm3tt1bq_u32(x, c, b, 2);
        x = vsm3tt1bq_u32(x, a, c, 3);
        vst1q_u32(R32[2] + 4 * i, x);
        x = vsm3tt2aq_u32(c, a, b, 0);
        x = vsm3tt2aq_u32(x, a, b, 1);
        x = vsm3tt2aq_u32(x, b, c, 2);
        x = vsm3tt2aq_u32(x, c, a, 3);
        vst1q_u32(R32[3] + 4 * i, x);
        x = vsm3tt2bq_u32(a, c, b, 0);
        x = vsm3tt2bq_u32(x, b, a, 1);
        x = vsm3tt2bq_u32(x, c, c, 2);
        x = vsm3tt2bq_u32(x, b, b, 3);
        vst1q_u32(R32[4] + 4 * i, x);
        vst1q_u32(R32[5] + 4 * i, vsm3partw1q_u32(a, b, c));
        vst1q_u32(R32[6] + 4 * i, vsm3partw2q_u32(a, b, c));
    }
    static const char *names[7] = {"sm3ss1", "sm3tt1a #0-3", "sm3tt1b #0-3", "sm3tt2a #0-3",
                                   "sm3tt2b #0-3", "sm3partw1", "sm3partw2"};
    for (int k = 0; k < 7; k++)
        printf("  %-26s %016llx\n", names[k], (unsigned long long)fnv_of(R32[k], sizeof R32[k]));
    print4("sm3ss1 [0]", R32[0]);
    print4("sm3tt1a [1]", R32[1] + 4);
    print4("sm3tt2b [2]", R32[4] + 8);
    print4("sm3partw1 [3]", R32[5] + 12);
    print4("sm3partw2 [4]", R32[6] + 16);

    uint8_t dg[32], dc[32];
    char hx[65];
    sm3_hash((const uint8_t *)"abc", 3, 1, dg);
    hex(hx, dg, 32);
    printf("  sm3(\"abc\")  %s\n", hx);
    CHECK("sm3 abc", strcmp(hx, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0") == 0);
    static const char abcd16[] = "abcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcd";
    sm3_hash((const uint8_t *)abcd16, 64, 1, dg);
    hex(hx, dg, 32);
    printf("  sm3(abcd*16) %s\n", hx);
    CHECK("sm3 abcd*16", strcmp(hx, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732") == 0);
    static uint8_t msg[1000];
    for (int i = 0; i < 1000; i++)
        msg[i] = (uint8_t)(rnd32() >> 24);
    for (size_t len = 0; len <= 1000; len += 37) {
        sm3_hash(msg, len, 1, dg);
        sm3_hash(msg, len, 0, dc);
        if (memcmp(dg, dc, 32) != 0)
            check_fail("sm3 of %zu bytes differs from the C model", len);
    }
    sm3_hash(msg, 1000, 1, dg);
    hex(hx, dg, 32);
    printf("  sm3(1000 random bytes) %s\n", hx);
    group_end();
}

/* ------------------------------------------------------------------ */
/* SM4 */

static const uint8_t sm4_sbox[256] = {
    0xd6, 0x90, 0xe9, 0xfe, 0xcc, 0xe1, 0x3d, 0xb7, 0x16, 0xb6, 0x14, 0xc2, 0x28, 0xfb, 0x2c, 0x05,
    0x2b, 0x67, 0x9a, 0x76, 0x2a, 0xbe, 0x04, 0xc3, 0xaa, 0x44, 0x13, 0x26, 0x49, 0x86, 0x06, 0x99,
    0x9c, 0x42, 0x50, 0xf4, 0x91, 0xef, 0x98, 0x7a, 0x33, 0x54, 0x0b, 0x43, 0xed, 0xcf, 0xac, 0x62,
    0xe4, 0xb3, 0x1c, 0xa9, 0xc9, 0x08, 0xe8, 0x95, 0x80, 0xdf, 0x94, 0xfa, 0x75, 0x8f, 0x3f, 0xa6,
    0x47, 0x07, 0xa7, 0xfc, 0xf3, 0x73, 0x17, 0xba, 0x83, 0x59, 0x3c, 0x19, 0xe6, 0x85, 0x4f, 0xa8,
    0x68, 0x6b, 0x81, 0xb2, 0x71, 0x64, 0xda, 0x8b, 0xf8, 0xeb, 0x0f, 0x4b, 0x70, 0x56, 0x9d, 0x35,
    0x1e, 0x24, 0x0e, 0x5e, 0x63, 0x58, 0xd1, 0xa2, 0x25, 0x22, 0x7c, 0x3b, 0x01, 0x21, 0x78, 0x87,
    0xd4, 0x00, 0x46, 0x57, 0x9f, 0xd3, 0x27, 0x52, 0x4c, 0x36, 0x02, 0xe7, 0xa0, 0xc4, 0xc8, 0x9e,
    0xea, 0xbf, 0x8a, 0xd2, 0x40, 0xc7, 0x38, 0xb5, 0xa3, 0xf7, 0xf2, 0xce, 0xf9, 0x61, 0x15, 0xa1,
    0xe0, 0xae, 0x5d, 0xa4, 0x9b, 0x34, 0x1a, 0x55, 0xad, 0x93, 0x32, 0x30, 0xf5, 0x8c, 0xb1, 0xe3,
    0x1d, 0xf6, 0xe2, 0x2e, 0x82, 0x66, 0xca, 0x60, 0xc0, 0x29, 0x23, 0xab, 0x0d, 0x53, 0x4e, 0x6f,
    0xd5, 0xdb, 0x37, 0x45, 0xde, 0xfd, 0x8e, 0x2f, 0x03, 0xff, 0x6a, 0x72, 0x6d, 0x6c, 0x5b, 0x51,
    0x8d, 0x1b, 0xaf, 0x92, 0xbb, 0xdd, 0xbc, 0x7f, 0x11, 0xd9, 0x5c, 0x41, 0x1f, 0x10, 0x5a, 0xd8,
    0x0a, 0xc1, 0x31, 0x88, 0xa5, 0xcd, 0x7b, 0xbd, 0x2d, 0x74, 0xd0, 0x12, 0xb8, 0xe5, 0xb4, 0xb0,
    0x89, 0x69, 0x97, 0x4a, 0x0c, 0x96, 0x77, 0x7e, 0x65, 0xb9, 0xf1, 0x09, 0xc5, 0x6e, 0xc6, 0x84,
    0x18, 0xf0, 0x7d, 0xec, 0x3a, 0xdc, 0x4d, 0x20, 0x79, 0xee, 0x5f, 0x3e, 0xd7, 0xcb, 0x39, 0x48};

static const uint32_t sm4_fk[4] = {0xa3b1bac6, 0x56aa3350, 0x677d9197, 0xb27022dc};

static uint32_t sm4_ck(int i)
{
    uint32_t v = 0;
    for (int j = 0; j < 4; j++)
        v = v << 8 | (uint8_t)((4 * i + j) * 7);
    return v;
}
static uint32_t sm4_tau(uint32_t x)
{
    return (uint32_t)sm4_sbox[x >> 24] << 24 | (uint32_t)sm4_sbox[(x >> 16) & 0xff] << 16 |
           (uint32_t)sm4_sbox[(x >> 8) & 0xff] << 8 | sm4_sbox[x & 0xff];
}
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}
static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* Plain C SM4 (GB/T 32907). */
static void sm4_keys_c(const uint8_t key[16], uint32_t rk[32])
{
    uint32_t k[36];
    for (int i = 0; i < 4; i++)
        k[i] = be32(key + 4 * i) ^ sm4_fk[i];
    for (int i = 0; i < 32; i++) {
        uint32_t t = sm4_tau(k[i + 1] ^ k[i + 2] ^ k[i + 3] ^ sm4_ck(i));
        k[i + 4] = k[i] ^ t ^ rol32(t, 13) ^ rol32(t, 23);
        rk[i] = k[i + 4];
    }
}
static void sm4_crypt_c(const uint32_t rk[32], const uint8_t in[16], uint8_t out[16])
{
    uint32_t x[36];
    for (int i = 0; i < 4; i++)
        x[i] = be32(in + 4 * i);
    for (int i = 0; i < 32; i++) {
        uint32_t t = sm4_tau(x[i + 1] ^ x[i + 2] ^ x[i + 3] ^ rk[i]);
        x[i + 4] = x[i] ^ t ^ rol32(t, 2) ^ rol32(t, 10) ^ rol32(t, 18) ^ rol32(t, 24);
    }
    for (int i = 0; i < 4; i++)
        put_be32(out + 4 * i, x[35 - i]);
}

/* With SM4EKEY/SM4E, as Linux's sm4-ce-core.S does. */
static void sm4_keys_ce(const uint8_t key[16], uint32x4_t rk[8])
{
    uint32x4_t k = veorq_u32(vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(key))), vld1q_u32(sm4_fk));
    for (int i = 0; i < 8; i++) {
        uint32_t ck[4] = {sm4_ck(4 * i), sm4_ck(4 * i + 1), sm4_ck(4 * i + 2), sm4_ck(4 * i + 3)};
        k = vsm4ekeyq_u32(k, vld1q_u32(ck));
        rk[i] = k;
    }
}
static uint8x16_t sm4_crypt_ce(const uint32x4_t rk[8], uint8x16_t blk)
{
    uint32x4_t x = vreinterpretq_u32_u8(vrev32q_u8(blk));
    for (int i = 0; i < 8; i++)
        x = vsm4eq_u32(x, rk[i]);
    x = vrev64q_u32(x);
    x = vextq_u32(x, x, 2);
    return vrev32q_u8(vreinterpretq_u8_u32(x));
}

static void test_sm4(void)
{
    group_begin("sm4");
    /* The instructions on random operands. */
    for (int i = 0; i < N; i++) {
        uint32x4_t a = vld1q_u32(AU + 4 * i), b = vld1q_u32(BU + 4 * i);
        vst1q_u32(R32[0] + 4 * i, vsm4eq_u32(a, b));
        vst1q_u32(R32[1] + 4 * i, vsm4ekeyq_u32(a, b));
    }
    printf("  sm4e    %016llx\n", (unsigned long long)fnv_of(R32[0], sizeof R32[0]));
    printf("  sm4ekey %016llx\n", (unsigned long long)fnv_of(R32[1], sizeof R32[1]));
    print4("sm4e [0]", R32[0]);
    print4("sm4ekey [1]", R32[1] + 4);

    static const uint8_t key[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                    0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
    uint32x4_t rk[8], drk[8];
    uint32_t rkc[32];
    uint8_t out[16], outc[16];
    char hx[33];
    sm4_keys_ce(key, rk);
    sm4_keys_c(key, rkc);
    uint32_t rkv[32];
    for (int i = 0; i < 8; i++)
        vst1q_u32(rkv + 4 * i, rk[i]);
    CHECK("sm4 round keys", memcmp(rkv, rkc, sizeof rkc) == 0);
    printf("  rk0..3  %08x %08x %08x %08x  rk31 %08x\n", rkv[0], rkv[1], rkv[2], rkv[3], rkv[31]);
    /* Decryption: the same rounds with the keys in reverse order. */
    for (int i = 0; i < 8; i++)
        drk[i] = vextq_u32(vrev64q_u32(rk[7 - i]), vrev64q_u32(rk[7 - i]), 2);

    uint8x16_t blk = vld1q_u8(key);
    vst1q_u8(out, sm4_crypt_ce(rk, blk));
    hex(hx, out, 16);
    printf("  sm4 enc  %s\n", hx);
    CHECK("sm4 GB/T 32907 example 1", strcmp(hx, "681edf34d206965e86b3e94f536e4246") == 0);
    vst1q_u8(out, sm4_crypt_ce(drk, vld1q_u8(out)));
    hex(hx, out, 16);
    printf("  sm4 dec  %s\n", hx);
    CHECK("sm4 decrypt", memcmp(out, key, 16) == 0);

    for (int i = 0; i < 1000000; i++)
        blk = sm4_crypt_ce(rk, blk);
    vst1q_u8(out, blk);
    hex(hx, out, 16);
    printf("  sm4 enc x1000000 %s\n", hx);
    CHECK("sm4 GB/T 32907 example 2", strcmp(hx, "595298c7c6fd271f0402f804c33d3f66") == 0);

    /* Random keys and blocks against the C model. */
    fnv_begin();
    for (int t = 0; t < 64; t++) {
        uint8_t k2[16], p[16];
        for (int i = 0; i < 16; i++)
            k2[i] = (uint8_t)rnd32(), p[i] = (uint8_t)(rnd32() >> 16);
        sm4_keys_ce(k2, rk);
        sm4_keys_c(k2, rkc);
        vst1q_u8(out, sm4_crypt_ce(rk, vld1q_u8(p)));
        sm4_crypt_c(rkc, p, outc);
        fnv_bytes(out, 16);
        if (memcmp(out, outc, 16) != 0)
            check_fail("sm4 random block %d differs from the C model", t);
    }
    printf("  sm4 64 random keys/blocks %016llx\n", (unsigned long long)fnv_h);
    group_end();
}

int main(void)
{
    make_inputs();
    test_fcadd();
    test_fcmla();
    test_fhm();
    test_bf16();
    test_i8mm();
    test_sm3();
    test_sm4();
    return check_exit_status();
}
