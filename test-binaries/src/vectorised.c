/*
 * Auto-vectorised C and ACLE intrinsics (compiled with -O3
 * -march=armv8.2-a+crypto+dotprod+fp16): int8 dot products (SDOT/UDOT),
 * _Float16 arithmetic (FMLA/FMUL .8h), float/double element-wise loops,
 * integer reductions and conversions, AES and SHA-256 on the crypto
 * instructions, PMULL and CRC32/CRC32C.
 *
 * Each vectorised loop is checked against the same loop compiled without
 * vectorisation (REF functions), and every result is printed as a checksum
 * so that a difference from the reference output shows even if both sides
 * agree with each other.  Built with -ffp-contract=off so that both forms
 * round the same way; the fused multiply-adds are written as fma() calls.  The crypto groups use published known answers
 * (FIPS-197 C.1, FIPS-180 SHA-256 examples, CRC check values).
 */
#include <arm_acle.h>
#include <arm_neon.h>
#include <string.h>

#include "check.h"

#define REF __attribute__((noinline, optimize("O1", "no-tree-vectorize")))
#define VEC __attribute__((noinline))

#define N 1000

static uint32_t rng_state = 0x12345678;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static uint64_t fnv(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    while (n--)
        h = (h ^ *b++) * 0x100000001b3ull;
    return h;
}

/* ---- int8 dot products ---- */

static int8_t sa[N], sb[N];
static uint8_t ua[N], ub[N];

VEC static int32_t sdot_vec(const int8_t *a, const int8_t *b, int n)
{
    int32_t s = 0;
    for (int i = 0; i < n; i++)
        s += (int32_t)a[i] * (int32_t)b[i];
    return s;
}
REF static int32_t sdot_ref(const int8_t *a, const int8_t *b, int n)
{
    int32_t s = 0;
    for (int i = 0; i < n; i++)
        s += (int32_t)a[i] * (int32_t)b[i];
    return s;
}
VEC static uint32_t udot_vec(const uint8_t *a, const uint8_t *b, int n)
{
    uint32_t s = 0;
    for (int i = 0; i < n; i++)
        s += (uint32_t)a[i] * (uint32_t)b[i];
    return s;
}
REF static uint32_t udot_ref(const uint8_t *a, const uint8_t *b, int n)
{
    uint32_t s = 0;
    for (int i = 0; i < n; i++)
        s += (uint32_t)a[i] * (uint32_t)b[i];
    return s;
}

static void test_dot(void)
{
    group_begin("dotprod");
    for (int i = 0; i < N; i++) {
        sa[i] = (int8_t)rnd();
        sb[i] = (int8_t)rnd();
        ua[i] = (uint8_t)rnd();
        ub[i] = (uint8_t)rnd();
    }
    sa[0] = -128, sb[0] = -128, ua[1] = 255, ub[1] = 255;
    static const int lens[] = {1, 15, 16, 17, 64, 333, N};
    for (unsigned k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        int n = lens[k];
        int32_t s = sdot_vec(sa, sb, n), sr = sdot_ref(sa, sb, n);
        uint32_t u = udot_vec(ua, ub, n), ur = udot_ref(ua, ub, n);
        printf("  n=%d sdot=%d udot=%u\n", n, s, u);
        CHECK_EQ("sdot", (uint32_t)s, (uint32_t)sr);
        CHECK_EQ("udot", u, ur);
    }
    /* The intrinsic forms, lane by lane. */
    int32x4_t acc = vdupq_n_s32(1000);
    acc = vdotq_s32(acc, vld1q_s8(sa), vld1q_s8(sb));
    uint32x4_t uacc = vdotq_u32(vdupq_n_u32(7), vld1q_u8(ua), vld1q_u8(ub));
    for (int l = 0; l < 4; l++) {
        int32_t want = 1000;
        uint32_t uwant = 7;
        for (int j = 0; j < 4; j++) {
            want += sa[4 * l + j] * sb[4 * l + j];
            uwant += ua[4 * l + j] * ub[4 * l + j];
        }
        int32_t got[4];
        uint32_t ugot[4];
        vst1q_s32(got, acc);
        vst1q_u32(ugot, uacc);
        printf("  lane %d: sdot %d udot %u\n", l, got[l], ugot[l]);
        CHECK_EQ("vdotq_s32 lane", (uint32_t)got[l], (uint32_t)want);
        CHECK_EQ("vdotq_u32 lane", ugot[l], uwant);
    }
    group_end();
}

/* ---- _Float16 ---- */

static _Float16 ha[N], hb[N], hc[N], hd[N];

VEC static void hfma_vec(_Float16 *restrict d, const _Float16 *a, const _Float16 *b,
                         const _Float16 *c, int n)
{
    for (int i = 0; i < n; i++)
        d[i] = a[i] * b[i] + c[i];
}
REF static void hfma_ref(_Float16 *restrict d, const _Float16 *a, const _Float16 *b,
                         const _Float16 *c, int n)
{
    for (int i = 0; i < n; i++)
        d[i] = a[i] * b[i] + c[i];
}
VEC static void hops_vec(_Float16 *restrict d, const _Float16 *a, const _Float16 *b, int n)
{
    for (int i = 0; i < n; i++) {
        _Float16 x = a[i] - b[i];
        d[i] = (x > a[i] ? x : a[i]) / (b[i] + (_Float16)4.0f);
    }
}
REF static void hops_ref(_Float16 *restrict d, const _Float16 *a, const _Float16 *b, int n)
{
    for (int i = 0; i < n; i++) {
        _Float16 x = a[i] - b[i];
        d[i] = (x > a[i] ? x : a[i]) / (b[i] + (_Float16)4.0f);
    }
}

static void test_fp16(void)
{
    static _Float16 ref[N];
    group_begin("fp16");
    for (int i = 0; i < N; i++) {
        ha[i] = (_Float16)((int)(rnd() % 2001) - 1000) / (_Float16)64.0f;
        hb[i] = (_Float16)(rnd() % 1000) / (_Float16)128.0f;
        hc[i] = (_Float16)((int)(rnd() % 4001) - 2000) / (_Float16)16.0f;
    }
    ha[3] = (_Float16)60000.0f, hb[3] = (_Float16)2.0f; /* overflows to inf */
    hfma_vec(hd, ha, hb, hc, N);
    hfma_ref(ref, ha, hb, hc, N);
    printf("  fma   %016llx\n", (unsigned long long)fnv(hd, sizeof hd));
    for (int i = 0; i < N; i++)
        if (memcmp(&hd[i], &ref[i], 2)) {
            check_fail("fma[%d] %g vs %g", i, (double)hd[i], (double)ref[i]);
            break;
        }
    hops_vec(hd, ha, hb, N);
    hops_ref(ref, ha, hb, N);
    printf("  ops   %016llx\n", (unsigned long long)fnv(hd, sizeof hd));
    for (int i = 0; i < N; i++)
        if (memcmp(&hd[i], &ref[i], 2)) {
            check_fail("ops[%d] %g vs %g", i, (double)hd[i], (double)ref[i]);
            break;
        }
    float16x8_t v = vmulq_f16(vld1q_f16((const float16_t *)ha + 8), vld1q_f16((const float16_t *)hb + 8));
    vst1q_f16((float16_t *)hd, v);
    for (int i = 0; i < 8; i++) {
        _Float16 w = ha[8 + i] * hb[8 + i];
        if (memcmp(&hd[i], &w, 2))
            check_fail("vmulq_f16[%d]", i);
    }
    printf("  sample %g %g %g\n", (double)hd[0], (double)hd[5], (double)ref[3]);
    group_end();
}

/* ---- float / double ---- */

static float fx[N], fy[N], fz[N];
static double dx[N], dy[N], dz[N];
static int32_t iv[N];

VEC static void saxpy_vec(float *restrict y, const float *x, float a, int n)
{
    for (int i = 0; i < n; i++)
        y[i] = __builtin_fmaf(a, x[i], y[i]);
}
REF static void saxpy_ref(float *restrict y, const float *x, float a, int n)
{
    for (int i = 0; i < n; i++)
        y[i] = __builtin_fmaf(a, x[i], y[i]);
}
/* Not fused: FMUL then FADD. */
VEC static void smuladd_vec(float *restrict z, const float *x, const float *y, int n)
{
    for (int i = 0; i < n; i++)
        z[i] = x[i] * 1.25f + y[i];
}
REF static void smuladd_ref(float *restrict z, const float *x, const float *y, int n)
{
    for (int i = 0; i < n; i++)
        z[i] = x[i] * 1.25f + y[i];
}
VEC static void dmix_vec(double *restrict z, const double *x, const double *y, int n)
{
    for (int i = 0; i < n; i++) {
        double m = x[i] < y[i] ? x[i] : y[i];
        z[i] = m * 3.0 - x[i] / (y[i] + 2.5);
    }
}
REF static void dmix_ref(double *restrict z, const double *x, const double *y, int n)
{
    for (int i = 0; i < n; i++) {
        double m = x[i] < y[i] ? x[i] : y[i];
        z[i] = m * 3.0 - x[i] / (y[i] + 2.5);
    }
}
VEC static void cvt_vec(int32_t *restrict o, float *restrict f, const float *x, const int32_t *in, int n)
{
    for (int i = 0; i < n; i++) {
        o[i] = (int32_t)(x[i] * 100.0f);
        f[i] = (float)in[i] * 0.5f;
    }
}
REF static void cvt_ref(int32_t *restrict o, float *restrict f, const float *x, const int32_t *in, int n)
{
    for (int i = 0; i < n; i++) {
        o[i] = (int32_t)(x[i] * 100.0f);
        f[i] = (float)in[i] * 0.5f;
    }
}
/* Integer reductions vectorise without -ffast-math. */
VEC static int64_t ired_vec(const int32_t *a, int n, int32_t *mx)
{
    int64_t s = 0;
    int32_t m = a[0];
    for (int i = 0; i < n; i++) {
        s += a[i];
        m = a[i] > m ? a[i] : m;
    }
    *mx = m;
    return s;
}
REF static int64_t ired_ref(const int32_t *a, int n, int32_t *mx)
{
    int64_t s = 0;
    int32_t m = a[0];
    for (int i = 0; i < n; i++) {
        s += a[i];
        m = a[i] > m ? a[i] : m;
    }
    *mx = m;
    return s;
}
/* In-order float sum: the compiler keeps it strict, the values must match. */
static double fsum(const float *a, int n)
{
    float s = 0;
    for (int i = 0; i < n; i++)
        s += a[i];
    return s;
}

static void test_float(void)
{
    static float fref[N], fref2[N];
    static double dref[N];
    static int32_t iref[N], io[N];
    group_begin("float");
    for (int i = 0; i < N; i++) {
        fx[i] = (float)(int32_t)rnd() / 65536.0f;
        fy[i] = (float)(rnd() % 100000) / 7.0f;
        dx[i] = (double)(int32_t)rnd() / 1024.0;
        dy[i] = (double)(rnd() % 1000000) / 3.0;
        iv[i] = (int32_t)rnd() >> 4;
    }
    memcpy(fref, fy, sizeof fy);
    saxpy_vec(fy, fx, 1.75f, N);
    saxpy_ref(fref, fx, 1.75f, N);
    printf("  saxpy %016llx sum %.9g\n", (unsigned long long)fnv(fy, sizeof fy), fsum(fy, N));
    CHECK("saxpy", !memcmp(fy, fref, sizeof fy));
    smuladd_vec(fz, fx, fy, N);
    smuladd_ref(fref2, fx, fy, N);
    printf("  smuladd %016llx\n", (unsigned long long)fnv(fz, sizeof fz));
    CHECK("smuladd", !memcmp(fz, fref2, sizeof fz));
    dmix_vec(dz, dx, dy, N);
    dmix_ref(dref, dx, dy, N);
    printf("  dmix  %016llx\n", (unsigned long long)fnv(dz, sizeof dz));
    CHECK("dmix", !memcmp(dz, dref, sizeof dz));
    cvt_vec(io, fz, fx, iv, N);
    cvt_ref(iref, fref2, fx, iv, N);
    printf("  cvt   %016llx %016llx\n", (unsigned long long)fnv(io, sizeof io),
           (unsigned long long)fnv(fz, sizeof fz));
    CHECK("cvt f->i", !memcmp(io, iref, sizeof io));
    CHECK("cvt i->f", !memcmp(fz, fref2, sizeof fz));
    int32_t m1, m2;
    int64_t s1 = ired_vec(iv, N, &m1), s2 = ired_ref(iv, N, &m2);
    printf("  ired  sum %lld max %d\n", (long long)s1, m1);
    CHECK_EQ("ired sum", s1, s2);
    CHECK_EQ("ired max", (uint32_t)m1, (uint32_t)m2);
    group_end();
}

/* ---- AES (FIPS-197 appendix C.1) ---- */

static uint32_t sub_word(uint32_t w)
{
    /* AESE with a zero key on four equal columns: ShiftRows moves bytes
       between identical columns, so lane 0 is SubWord(w). */
    uint8x16_t s = vaeseq_u8(vreinterpretq_u8_u32(vdupq_n_u32(w)), vdupq_n_u8(0));
    return vgetq_lane_u32(vreinterpretq_u32_u8(s), 0);
}

static void aes128_expand(const uint8_t key[16], uint8x16_t rk[11])
{
    uint32_t w[44];
    static const uint8_t rcon[10] = {1, 2, 4, 8, 16, 32, 64, 128, 0x1b, 0x36};
    memcpy(w, key, 16);
    for (int i = 4; i < 44; i++) {
        uint32_t t = w[i - 1];
        if (i % 4 == 0)
            t = sub_word((t >> 8) | (t << 24)) ^ rcon[i / 4 - 1];
        w[i] = w[i - 4] ^ t;
    }
    for (int r = 0; r < 11; r++)
        rk[r] = vld1q_u8((const uint8_t *)&w[4 * r]);
}

static void hex(const char *label, const uint8_t *p, int n)
{
    printf("  %s ", label);
    for (int i = 0; i < n; i++)
        printf("%02x", p[i]);
    printf("\n");
}

static void test_aes(void)
{
    static const uint8_t key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    static const uint8_t pt[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                   0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    static const uint8_t ct[16] = {0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
                                   0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a};
    uint8x16_t rk[11], dk[11];
    uint8_t out[16];
    group_begin("aes");
    aes128_expand(key, rk);
    vst1q_u8(out, rk[10]);
    hex("rk10", out, 16);
    uint8x16_t s = vld1q_u8(pt);
    for (int r = 0; r < 9; r++)
        s = vaesmcq_u8(vaeseq_u8(s, rk[r]));
    s = veorq_u8(vaeseq_u8(s, rk[9]), rk[10]);
    vst1q_u8(out, s);
    hex("enc ", out, 16);
    CHECK("AES-128 encrypt (FIPS-197 C.1)", !memcmp(out, ct, 16));

    /* Equivalent inverse cipher. */
    dk[0] = rk[10];
    for (int i = 1; i < 10; i++)
        dk[i] = vaesimcq_u8(rk[10 - i]);
    dk[10] = rk[0];
    s = vld1q_u8(ct);
    for (int r = 0; r < 9; r++)
        s = vaesimcq_u8(vaesdq_u8(s, dk[r]));
    s = veorq_u8(vaesdq_u8(s, dk[9]), dk[10]);
    vst1q_u8(out, s);
    hex("dec ", out, 16);
    CHECK("AES-128 decrypt", !memcmp(out, pt, 16));
    group_end();
}

/* ---- SHA-256 ---- */

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static void sha256_block(uint32_t st[8], const uint8_t *blk)
{
    uint32x4_t abcd = vld1q_u32(st), efgh = vld1q_u32(st + 4);
    uint32x4_t abcd0 = abcd, efgh0 = efgh;
    uint32x4_t m[4];
    for (int i = 0; i < 4; i++)
        m[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(blk + 16 * i)));
    for (int j = 0; j < 16; j++) {
        uint32x4_t t = vaddq_u32(m[j % 4], vld1q_u32(K256 + 4 * j));
        uint32x4_t a = abcd;
        abcd = vsha256hq_u32(abcd, efgh, t);
        efgh = vsha256h2q_u32(efgh, a, t);
        if (j < 12)
            m[j % 4] = vsha256su1q_u32(vsha256su0q_u32(m[j % 4], m[(j + 1) % 4]),
                                       m[(j + 2) % 4], m[(j + 3) % 4]);
    }
    vst1q_u32(st, vaddq_u32(abcd, abcd0));
    vst1q_u32(st + 4, vaddq_u32(efgh, efgh0));
}

static void sha256(const void *msg, size_t len, uint8_t out[32])
{
    uint32_t st[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const uint8_t *p = msg;
    size_t left = len;
    uint8_t blk[128];
    for (; left >= 64; left -= 64, p += 64)
        sha256_block(st, p);
    memset(blk, 0, sizeof blk);
    memcpy(blk, p, left);
    blk[left] = 0x80;
    size_t tail = left + 9 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        blk[tail - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t o = 0; o < tail; o += 64)
        sha256_block(st, blk + o);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(st[i] >> 24);
        out[4 * i + 1] = (uint8_t)(st[i] >> 16);
        out[4 * i + 2] = (uint8_t)(st[i] >> 8);
        out[4 * i + 3] = (uint8_t)st[i];
    }
}

static void test_sha256(void)
{
    static const uint8_t abc[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    static const uint8_t two[32] = {
        0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26, 0x93, 0x0c, 0x3e, 0x60, 0x39,
        0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff, 0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb, 0x06, 0xc1};
    static const uint8_t empty[32] = {
        0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
        0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
    uint8_t d[32];
    group_begin("sha256");
    sha256("abc", 3, d);
    hex("abc  ", d, 32);
    CHECK("SHA-256(abc)", !memcmp(d, abc, 32));
    sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
    hex("2blk ", d, 32);
    CHECK("SHA-256(448-bit message)", !memcmp(d, two, 32));
    sha256("", 0, d);
    hex("empty", d, 32);
    CHECK("SHA-256(empty)", !memcmp(d, empty, 32));
    static uint8_t big[N];
    for (int i = 0; i < N; i++)
        big[i] = (uint8_t)(i * 7 + 3);
    sha256(big, N, d);
    hex("1000 ", d, 32);
    group_end();
}

/* ---- PMULL ---- */

static void clmul_ref(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    uint64_t l = 0, h = 0;
    for (int i = 0; i < 64; i++)
        if (b >> i & 1) {
            l ^= a << i;
            h ^= i ? a >> (64 - i) : 0;
        }
    *lo = l, *hi = h;
}

static void test_pmull(void)
{
    group_begin("pmull");
    uint64_t acc = 0;
    for (int k = 0; k < 64; k++) {
        uint64_t a = ((uint64_t)rnd() << 32) | rnd(), b = ((uint64_t)rnd() << 32) | rnd();
        uint64_t c = ((uint64_t)rnd() << 32) | rnd(), d = ((uint64_t)rnd() << 32) | rnd();
        if (k == 0)
            a = b = ~0ull;
        poly64x2_t va = vcombine_p64(vcreate_p64(a), vcreate_p64(c));
        poly64x2_t vb = vcombine_p64(vcreate_p64(b), vcreate_p64(d));
        uint64x2_t lo = vreinterpretq_u64_p128(vmull_p64(a, b));
        uint64x2_t hi = vreinterpretq_u64_p128(vmull_high_p64(va, vb));
        uint64_t rl, rh;
        clmul_ref(a, b, &rl, &rh);
        CHECK_EQ("pmull lo", vgetq_lane_u64(lo, 0), rl);
        CHECK_EQ("pmull hi", vgetq_lane_u64(lo, 1), rh);
        clmul_ref(c, d, &rl, &rh);
        CHECK_EQ("pmull2 lo", vgetq_lane_u64(hi, 0), rl);
        CHECK_EQ("pmull2 hi", vgetq_lane_u64(hi, 1), rh);
        acc = acc * 31 + (vgetq_lane_u64(lo, 0) ^ vgetq_lane_u64(hi, 1));
    }
    /* 8-bit polynomial multiply. */
    poly8x8_t p = vmul_p8(vcreate_p8(0x0102040810204080ull), vcreate_p8(0xff03ff03ff03ff03ull));
    printf("  pmull checksum %016llx pmul.8b %016llx\n", (unsigned long long)acc,
           (unsigned long long)vget_lane_u64(vreinterpret_u64_p8(p), 0));
    group_end();
}

/* ---- CRC32 / CRC32C ---- */

static uint32_t crc_ref(uint32_t crc, const uint8_t *p, size_t n, uint32_t poly)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = crc & 1 ? (crc >> 1) ^ poly : crc >> 1;
    }
    return ~crc;
}

static uint32_t crc_hw(uint32_t crc, const uint8_t *p, size_t n, int castagnoli)
{
    crc = ~crc;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        crc = castagnoli ? __crc32cd(crc, v) : __crc32d(crc, v);
    }
    if (n >= 4) {
        uint32_t v;
        memcpy(&v, p, 4);
        crc = castagnoli ? __crc32cw(crc, v) : __crc32w(crc, v);
        p += 4, n -= 4;
    }
    if (n >= 2) {
        uint16_t v;
        memcpy(&v, p, 2);
        crc = castagnoli ? __crc32ch(crc, v) : __crc32h(crc, v);
        p += 2, n -= 2;
    }
    if (n)
        crc = castagnoli ? __crc32cb(crc, *p) : __crc32b(crc, *p);
    return ~crc;
}

static void test_crc(void)
{
    static uint8_t buf[N];
    group_begin("crc32");
    uint32_t c = crc_hw(0, (const uint8_t *)"123456789", 9, 1);
    uint32_t z = crc_hw(0, (const uint8_t *)"123456789", 9, 0);
    printf("  crc32c(123456789) %08x crc32 %08x\n", c, z);
    CHECK_EQ("crc32c check value", c, 0xe3069283);
    CHECK_EQ("crc32 check value", z, 0xcbf43926);
    for (int i = 0; i < N; i++)
        buf[i] = (uint8_t)rnd();
    for (int n = 0; n < 24; n++) {
        CHECK_EQ("crc32c", crc_hw(n, buf + n, N - 3 * n, 1), crc_ref(n, buf + n, N - 3 * n, 0x82f63b78));
        CHECK_EQ("crc32", crc_hw(n, buf + n, N - 3 * n, 0), crc_ref(n, buf + n, N - 3 * n, 0xedb88320));
    }
    printf("  crc32c(buf) %08x crc32(buf) %08x\n", crc_hw(0, buf, N, 1), crc_hw(0, buf, N, 0));
    group_end();
}

int main(void)
{
    test_dot();
    test_fp16();
    test_float();
    test_aes();
    test_sha256();
    test_pmull();
    test_crc();
    return check_exit_status();
}
