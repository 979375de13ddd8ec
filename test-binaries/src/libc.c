/*
 * C library behaviour that leans on many instructions at once: setjmp and
 * longjmp, floating-point formatting and parsing, qsort, a malloc stress run
 * and the string/memory routines (glibc picks SIMD implementations of those
 * at start-up, so alignment and length edge cases matter).
 *
 * Random data comes from a fixed-seed LCG, so every run does the same work
 * and prints the same checksums.
 */
#define _GNU_SOURCE /* memrchr, strnlen */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

static uint64_t lcg_state;
static void lcg_seed(uint64_t s) { lcg_state = s; }
static uint32_t lcg(void)
{
    /* Knuth's MMIX constants; the high half has the better bits. */
    lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(lcg_state >> 33);
}

/* FNV-1a, for order-sensitive checksums of results. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}
#define FNV_INIT 0xcbf29ce484222325ull

/* ------------------------------------------------------------------ */
/* setjmp / longjmp */

static jmp_buf levels[8];
static int trail[64], ntrail;

static void note(int v) { trail[ntrail++] = v; }

/* Recurse to depth d; the deepest level jumps back to a level chosen by
 * `target`, which then jumps again to the outermost one. */
static void dive(int d, int target)
{
    volatile int local = d * 100; /* must survive a longjmp into this frame */
    int r = setjmp(levels[d]);
    if (r == 0) {
        note(d);
        if (d == 7)
            longjmp(levels[target], 0); /* 0 is delivered as 1 */
        dive(d + 1, target);
        note(-100); /* never reached */
    } else {
        note(1000 + d * 10 + r);
        note(local);
        if (d != 0)
            longjmp(levels[0], d + 5);
    }
}

static void test_setjmp(void)
{
    group_begin("setjmp");
    ntrail = 0;
    dive(0, 3);
    printf("  trail:");
    for (int i = 0; i < ntrail; i++)
        printf(" %d", trail[i]);
    printf("\n");
    static const int want[] = {0, 1, 2, 3, 4, 5, 6, 7, 1031, 300, 1008, 0};
    CHECK("trail length", ntrail == (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < ntrail && i < (int)(sizeof want / sizeof want[0]); i++)
        if (trail[i] != want[i])
            check_fail("trail[%d] = %d want %d", i, trail[i], want[i]);

    /* sigsetjmp saving the mask: the mask blocked after it is undone. */
    sigjmp_buf sj;
    sigset_t set, cur;
    sigemptyset(&set);
    sigprocmask(SIG_SETMASK, &set, NULL);
    if (sigsetjmp(sj, 1) == 0) {
        sigaddset(&set, SIGUSR1);
        sigprocmask(SIG_BLOCK, &set, NULL);
        siglongjmp(sj, 2);
    }
    sigprocmask(SIG_SETMASK, NULL, &cur);
    printf("  SIGUSR1 blocked after siglongjmp: %s\n", sigismember(&cur, SIGUSR1) ? "yes" : "no");
    CHECK("siglongjmp restored the signal mask", !sigismember(&cur, SIGUSR1));
    group_end();
}

/* ------------------------------------------------------------------ */
/* printf of floating point */

static void test_printf_fp(void)
{
    static const struct { const char *fmt; double v; const char *want; } t[] = {
        {"%f", 0.1, "0.100000"},
        {"%.20f", 0.1, "0.10000000000000000555"},
        {"%e", 12345.678, "1.234568e+04"},
        {"%g", 1e-5, "1e-05"},
        {"%g", 123456789.0, "1.23457e+08"},
        {"%g", 100000.0, "100000"},
        {"%g", 1e6, "1e+06"},
        {"%a", 1.0, "0x1p+0"},
        {"%a", 0.1, "0x1.999999999999ap-4"},
        {"%a", -0.0, "-0x0p+0"},
        {"%A", 255.5, "0X1.FFP+7"},
        {"%.2f", 2.675, "2.67"},
        {"%.0f", 0.5, "0"},
        {"%.0f", 1.5, "2"},
        {"%.0f", 2.5, "2"},
        {"%.0f", -0.5, "-0"},
        {"%.3e", 1.0005, "1.000e+00"},
        {"%f", INFINITY, "inf"},
        {"%F", INFINITY, "INF"},
        {"%f", -INFINITY, "-inf"},
        {"%e", NAN, "nan"},
        {"%g", -NAN, "-nan"},
        {"%5.1f", NAN, "  nan"},
        {"%f", -0.0, "-0.000000"},
        {"%+f", 0.0, "+0.000000"},
        {"% e", 1.0, " 1.000000e+00"},
        {"%.17g", 0.1, "0.10000000000000001"},
        {"%g", 5e-324, "4.94066e-324"},
        {"%.3g", 1.7976931348623157e308, "1.8e+308"},
        {"%010.3f", -3.14159, "-00003.142"},
        {"%-10.2e|", 1234.5, "1.23e+03  |"},
        {"%#.0f", 3.0, "3."},
        {"%#g", 1.0, "1.00000"},
        {"%.30f", 1e-10, "0.000000000100000000000000003643"},
        {"%.10f", (double)0.1f, "0.1000000015"},
        {"%.0e", 9.5, "1e+01"},
        {"%.1f", 0.05, "0.1"},
        {"%.1f", 0.25, "0.2"},
        {"%g", 0.0001, "0.0001"},
        {"%g", 0.00001234, "1.234e-05"},
        {"%.15g", 1e21, "1e+21"},
        {"%f", 1e21, "1000000000000000000000.000000"},
        {"%.3a", 1.0 / 3.0, "0x1.555p-2"},
    };
    char buf[128];
    group_begin("printf-fp");
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
        snprintf(buf, sizeof buf, t[i].fmt, t[i].v);
        printf("  %-10s -> [%s]\n", t[i].fmt, buf);
        if (strcmp(buf, t[i].want) != 0)
            check_fail("%s gave [%s] want [%s]", t[i].fmt, buf, t[i].want);
    }
    /* long double is IEEE binary128 on AArch64, done in software. */
    volatile long double one = 1.0L, three = 3.0L;
    snprintf(buf, sizeof buf, "%.30Lf", one / three);
    printf("  %%.30Lf 1/3 -> [%s]\n", buf);
    CHECK("long double 1/3", strcmp(buf, "0.333333333333333333333333333333") == 0);
    snprintf(buf, sizeof buf, "%Lg", (long double)1e300 * (long double)1e300);
    printf("  %%Lg 1e600 -> [%s]\n", buf);
    CHECK("long double 1e600", strcmp(buf, "1e+600") == 0);
    group_end();
}

/* ------------------------------------------------------------------ */
/* strtol / strtod / snprintf round trips and sscanf */

static void test_conversions(void)
{
    char buf[64], *end;
    group_begin("strtol");
    static const struct { const char *s; int base; long want; int endoff; int err; } t[] = {
        {"123", 10, 123, 3, 0},
        {"-0x1f", 0, -31, 5, 0},
        {"0777", 0, 511, 4, 0},
        {"zz", 36, 1295, 2, 0},
        {"  +42abc", 10, 42, 5, 0},
        {"9223372036854775807", 10, LONG_MAX, 19, 0},
        {"9223372036854775808", 10, LONG_MAX, 19, ERANGE},
        {"-9223372036854775809", 10, LONG_MIN, 20, ERANGE},
        {"", 10, 0, 0, 0},
        {"0x", 16, 0, 1, 0},
        {"1010", 2, 10, 4, 0},
        {"-", 10, 0, 0, 0},
    };
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++) {
        errno = 0;
        long v = strtol(t[i].s, &end, t[i].base);
        int e = errno;
        printf("  strtol(\"%s\", %d) = %ld end+%d errno %s\n", t[i].s, t[i].base, v, (int)(end - t[i].s),
               e == ERANGE ? "ERANGE" : e ? "other" : "0");
        if (v != t[i].want || end - t[i].s != t[i].endoff || e != t[i].err)
            check_fail("strtol(\"%s\")", t[i].s);
    }
    errno = 0;
    unsigned long u = strtoul("-1", &end, 10);
    printf("  strtoul(\"-1\") = %lu\n", u);
    CHECK("strtoul(-1)", u == ULONG_MAX && errno == 0);
    errno = 0;
    unsigned long long ull = strtoull("18446744073709551616", &end, 10);
    printf("  strtoull(2^64) = %llu errno %s\n", ull, errno == ERANGE ? "ERANGE" : "?");
    CHECK("strtoull overflow", ull == ULLONG_MAX && errno == ERANGE);
    group_end();

    group_begin("strtod");
    static const struct { const char *s; uint64_t bits; int endoff; int err; } d[] = {
        {"1e400", 0x7ff0000000000000ull, 5, ERANGE},
        {"-1e-400", 0x8000000000000000ull, 7, ERANGE},
        {"0x1.8p1", 0x4008000000000000ull, 7, 0},
        {"-inf", 0xfff0000000000000ull, 4, 0},
        {"  12.5e-1xyz", 0x3ff4000000000000ull, 9, 0},
        {"4.9406564584124654e-324", 0x0000000000000001ull, 23, ERANGE}, /* subnormal: glibc reports ERANGE */
        {"2.2250738585072011e-308", 0x000fffffffffffffull, 23, ERANGE},
        {"0.1", 0x3fb999999999999aull, 3, 0},
        {"1.7976931348623157e308", 0x7fefffffffffffffull, 22, 0},
        {"9007199254740993", 0x4340000000000000ull, 16, 0}, /* 2^53+1 ties to even */
        {"123456789012345678901234567890", 0x45f8ee90ff6c373eull, 30, 0},
        {".5", 0x3fe0000000000000ull, 2, 0},
    };
    for (unsigned i = 0; i < sizeof d / sizeof d[0]; i++) {
        errno = 0;
        double v = strtod(d[i].s, &end);
        int e = errno;
        uint64_t b;
        memcpy(&b, &v, 8);
        printf("  strtod(\"%s\") = %016llx end+%d errno %s\n", d[i].s, (unsigned long long)b,
               (int)(end - d[i].s), e == ERANGE ? "ERANGE" : e ? "other" : "0");
        if (b != d[i].bits || end - d[i].s != d[i].endoff || e != d[i].err)
            check_fail("strtod(\"%s\")", d[i].s);
    }
    double nv = strtod("nan", &end);
    CHECK("strtod(nan)", isnan(nv) && *end == 0);
    group_end();

    group_begin("fp-roundtrip");
    /* Random bit patterns -> "%.17g" / "%a" -> strtod must give the same
     * bits; floats via "%.9g" -> strtof. */
    lcg_seed(12345);
    uint64_t h = FNV_INIT;
    int bad = 0, n = 0;
    for (int i = 0; i < 3000; i++) {
        uint64_t b = (uint64_t)lcg() << 32 | lcg(), b2;
        double v;
        memcpy(&v, &b, 8);
        if (isnan(v) || isinf(v))
            continue;
        n++;
        int len = snprintf(buf, sizeof buf, "%.17g", v);
        h = fnv(h, buf, len);
        double back = strtod(buf, NULL);
        memcpy(&b2, &back, 8);
        bad += b2 != b;
        len = snprintf(buf, sizeof buf, "%a", v);
        h = fnv(h, buf, len);
        back = strtod(buf, NULL);
        memcpy(&b2, &back, 8);
        bad += b2 != b;
        uint32_t fb = lcg(), fb2;
        float f;
        memcpy(&f, &fb, 4);
        if (isnan(f) || isinf(f))
            continue;
        len = snprintf(buf, sizeof buf, "%.9g", f);
        h = fnv(h, buf, len);
        float fback = strtof(buf, NULL);
        memcpy(&fb2, &fback, 4);
        bad += fb2 != fb;
    }
    /* Integers through %d/%x/%o and back. */
    for (int i = 0; i < 2000; i++) {
        long v = (long)((uint64_t)lcg() << 32 | lcg());
        int len = snprintf(buf, sizeof buf, "%ld", v);
        h = fnv(h, buf, len);
        bad += strtol(buf, NULL, 10) != v;
        len = snprintf(buf, sizeof buf, "%#lx", (unsigned long)v);
        h = fnv(h, buf, len);
        bad += (long)strtoul(buf, NULL, 16) != v;
        len = snprintf(buf, sizeof buf, "%lo", (unsigned long)v);
        h = fnv(h, buf, len);
        bad += (long)strtoul(buf, NULL, 8) != v;
    }
    printf("  %d doubles, formatted text checksum %016llx, mismatches %d\n", n, (unsigned long long)h, bad);
    CHECK("all round trips exact", bad == 0);
    group_end();

    group_begin("sscanf");
    int i1 = 0, n1 = 0;
    unsigned x1 = 0;
    float f1 = 0;
    char s1[16] = "", s2[16] = "";
    int cnt = sscanf("42 hello 3.5 ff abcXYZ", "%d %15s %f %x %15[a-z]%n", &i1, s1, &f1, &x1, s2, &n1);
    printf("  count=%d d=%d s=%s f=%g x=%u set=%s n=%d\n", cnt, i1, s1, f1, x1, s2, n1);
    CHECK("sscanf mixed", cnt == 5 && i1 == 42 && !strcmp(s1, "hello") && f1 == 3.5f && x1 == 255 &&
                              !strcmp(s2, "abc") && n1 == 19);
    double dv = 0;
    long lv = 0;
    char c1 = 0, w5[8] = "";
    cnt = sscanf("-1.25e2,0x7fZabcdefgh", "%lf,%li%c%5s", &dv, &lv, &c1, w5);
    printf("  count=%d lf=%g li=%ld c=%c 5s=%s\n", cnt, dv, lv, c1, w5);
    CHECK("sscanf lf/li/c/width", cnt == 4 && dv == -125.0 && lv == 127 && c1 == 'Z' && !strcmp(w5, "abcde"));
    cnt = sscanf("", "%d", &i1);
    printf("  empty input -> %d\n", cnt);
    CHECK("sscanf EOF", cnt == EOF);
    cnt = sscanf("abc", "%d", &i1);
    printf("  no match -> %d\n", cnt);
    CHECK("sscanf no match", cnt == 0);
    group_end();
}

/* ------------------------------------------------------------------ */
/* qsort */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
struct rec { int key; char name[12]; };
static int cmp_rec(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    if (x->key != y->key)
        return (x->key > y->key) - (x->key < y->key);
    return strcmp(x->name, y->name);
}

static void test_qsort(void)
{
    group_begin("qsort");
    enum { N = 20000, NS = 3000, NR = 4000 };
    int *a = malloc(N * sizeof *a);
    lcg_seed(777);
    for (int i = 0; i < N; i++)
        a[i] = (int)lcg() - (1 << 30);
    qsort(a, N, sizeof *a, cmp_int);
    int sorted = 1;
    for (int i = 1; i < N; i++)
        sorted &= a[i - 1] <= a[i];
    printf("  ints: sorted=%d min=%d max=%d hash=%016llx\n", sorted, a[0], a[N - 1],
           (unsigned long long)fnv(FNV_INIT, a, N * sizeof *a));
    CHECK("ints sorted", sorted);
    free(a);

    char **s = malloc(NS * sizeof *s);
    for (int i = 0; i < NS; i++) {
        int len = 1 + lcg() % 12;
        s[i] = malloc(len + 1);
        for (int j = 0; j < len; j++)
            s[i][j] = 'a' + lcg() % 6; /* small alphabet: many shared prefixes */
        s[i][len] = 0;
    }
    qsort(s, NS, sizeof *s, cmp_str);
    sorted = 1;
    uint64_t h = FNV_INIT;
    for (int i = 0; i < NS; i++) {
        if (i)
            sorted &= strcmp(s[i - 1], s[i]) <= 0;
        h = fnv(h, s[i], strlen(s[i]) + 1);
    }
    printf("  strings: sorted=%d first=%s last=%s hash=%016llx\n", sorted, s[0], s[NS - 1], (unsigned long long)h);
    CHECK("strings sorted", sorted);
    for (int i = 0; i < NS; i++)
        free(s[i]);
    free(s);

    struct rec *r = malloc(NR * sizeof *r);
    for (int i = 0; i < NR; i++) {
        r[i].key = lcg() % 100;
        snprintf(r[i].name, sizeof r[i].name, "n%u", lcg() % 100000);
    }
    qsort(r, NR, sizeof *r, cmp_rec);
    sorted = 1;
    for (int i = 1; i < NR; i++)
        sorted &= cmp_rec(&r[i - 1], &r[i]) <= 0;
    h = FNV_INIT;
    for (int i = 0; i < NR; i++) {
        h = fnv(h, &r[i].key, sizeof r[i].key);
        h = fnv(h, r[i].name, strlen(r[i].name));
    }
    printf("  structs: sorted=%d first=%d/%s last=%d/%s hash=%016llx\n", sorted, r[0].key, r[0].name,
           r[NR - 1].key, r[NR - 1].name, (unsigned long long)h);
    CHECK("structs sorted", sorted);
    free(r);
    group_end();
}

/* ------------------------------------------------------------------ */
/* malloc stress */

struct blk { uint8_t *p; size_t n; uint32_t tag; };

static void fill(struct blk *b)
{
    for (size_t i = 0; i < b->n; i++)
        b->p[i] = (uint8_t)(b->tag + i * 31);
}

static int verify(const struct blk *b, size_t n, uint64_t *sum)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        bad |= b->p[i] != (uint8_t)(b->tag + i * 31);
        *sum += b->p[i];
    }
    return bad;
}

static size_t pick_size(void)
{
    uint32_t r = lcg() % 1000;
    if (r < 700)
        return 1 + lcg() % 128;     /* small: fast bins */
    if (r < 950)
        return 129 + lcg() % 8000;  /* medium */
    if (r < 995)
        return 8192 + lcg() % 200000; /* large */
    return 300000 + lcg() % 3000000; /* above the mmap threshold */
}

static void test_malloc(void)
{
    enum { SLOTS = 512, OPS = 30000 };
    static struct blk slot[SLOTS];
    uint64_t sum = 0;
    int bad = 0, allocs = 0, reallocs = 0, frees = 0;
    group_begin("malloc");
    lcg_seed(4242);
    for (int op = 0; op < OPS; op++) {
        struct blk *b = &slot[lcg() % SLOTS];
        uint32_t what = lcg() % 10;
        if (!b->p) {
            b->n = pick_size();
            b->tag = lcg();
            b->p = malloc(b->n);
            if (!b->p) { bad++; continue; }
            bad += ((uintptr_t)b->p & 15) != 0; /* malloc alignment is 16 on AArch64 */
            fill(b);
            allocs++;
        } else if (what < 4) {
            /* realloc keeps the common prefix */
            size_t nn = pick_size(), keep = nn < b->n ? nn : b->n;
            uint8_t *np = realloc(b->p, nn);
            if (!np) { bad++; continue; }
            b->p = np;
            bad += verify(b, keep, &sum);
            b->n = nn;
            fill(b);
            reallocs++;
        } else {
            bad += verify(b, b->n, &sum);
            free(b->p);
            b->p = NULL;
            frees++;
        }
    }
    for (int i = 0; i < SLOTS; i++)
        if (slot[i].p) {
            bad += verify(&slot[i], slot[i].n, &sum);
            free(slot[i].p);
            slot[i].p = NULL;
        }
    printf("  allocs=%d reallocs=%d frees=%d verified-byte-sum=%llu\n", allocs, reallocs, frees,
           (unsigned long long)sum);
    CHECK("block contents intact", bad == 0);

    /* calloc zeroes, even when recycling dirty memory */
    uint8_t *d = malloc(100000);
    memset(d, 0xff, 100000);
    free(d);
    uint8_t *z = calloc(1000, 100);
    int nz = 0;
    for (int i = 0; i < 100000; i++)
        nz |= z[i];
    free(z);
    CHECK("calloc returns zeroed memory", nz == 0);
    errno = 0;
    volatile size_t hugecount = (size_t)1 << 62; /* volatile: keep the compiler from warning */
    void *huge = calloc(hugecount, 8);
    CHECK("calloc overflow fails with ENOMEM", huge == NULL && errno == ENOMEM);

    /* aligned allocations */
    int misaligned = 0;
    for (size_t al = 16; al <= 65536; al *= 2) {
        void *p = NULL;
        if (posix_memalign(&p, al, al * 3 + 5) != 0 || ((uintptr_t)p & (al - 1)))
            misaligned++;
        free(p);
        p = aligned_alloc(al, al * 2);
        if (!p || ((uintptr_t)p & (al - 1)))
            misaligned++;
        free(p);
    }
    CHECK("posix_memalign/aligned_alloc alignment", misaligned == 0);
    void *u = malloc(1000);
    CHECK("malloc_usable_size >= request", malloc_usable_size(u) >= 1000);
    free(u);
    printf("  calloc, aligned and usable-size checks done\n");
    group_end();
}

/* ------------------------------------------------------------------ */
/* String and memory functions against byte-at-a-time references.  The
 * references use volatile accesses so the compiler cannot turn them back
 * into library calls. */

static size_t ref_strlen(const char *s)
{
    const volatile char *p = s;
    size_t n = 0;
    while (p[n])
        n++;
    return n;
}

static int sgn(int x) { return (x > 0) - (x < 0); }

static void test_strings(void)
{
    enum { MAXLEN = 160 };
    static uint8_t src[512] __attribute__((aligned(64))), dst[512] __attribute__((aligned(64))),
        ref[512] __attribute__((aligned(64)));
    int bad = 0;
    long checks = 0;
    uint64_t h = FNV_INIT;
    static const size_t lens[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65,
                                  95, 96, 127, 128, 129, 130, 150, 159, 160};
    const int nl = sizeof lens / sizeof lens[0];

    group_begin("memcpy-memmove-memset");
    for (int li = 0; li < nl; li++)
        for (int sa = 0; sa < 16; sa++)
            for (int da = 0; da < 16; da++) {
                size_t n = lens[li];
                for (int i = 0; i < 512; i++) {
                    src[i] = (uint8_t)(i * 7 + sa);
                    dst[i] = ref[i] = (uint8_t)(0x5a ^ i);
                }
                memcpy(dst + 64 + da, src + 64 + sa, n);
                for (size_t i = 0; i < n; i++)
                    ((volatile uint8_t *)ref)[64 + da + i] = src[64 + sa + i];
                bad += memcmp(dst, ref, 512) != 0;
                /* memset over the same range with a value derived from it */
                memset(dst + 64 + da, sa * 16 + da, n);
                for (size_t i = 0; i < n; i++)
                    ((volatile uint8_t *)ref)[64 + da + i] = (uint8_t)(sa * 16 + da);
                bad += memcmp(dst, ref, 512) != 0;
                checks += 2;
            }
    /* Overlapping moves in both directions. */
    for (int li = 0; li < nl; li++)
        for (int shift = -33; shift <= 33; shift += 3) {
            size_t n = lens[li];
            uint8_t tmp[MAXLEN + 8];
            for (int i = 0; i < 512; i++)
                dst[i] = ref[i] = (uint8_t)(i * 13);
            for (size_t i = 0; i < n; i++)
                tmp[i] = ref[200 + i];
            for (size_t i = 0; i < n; i++)
                ((volatile uint8_t *)ref)[200 + shift + i] = tmp[i];
            memmove(dst + 200 + shift, dst + 200, n);
            bad += memcmp(dst, ref, 512) != 0;
            checks++;
        }
    printf("  %ld cases\n", checks);
    CHECK("memcpy/memset/memmove match the reference", bad == 0);
    group_end();

    group_begin("strlen-strchr-memchr");
    bad = 0;
    checks = 0;
    for (int al = 0; al < 16; al++)
        for (size_t n = 0; n <= MAXLEN; n++) {
            char *s = (char *)src + al;
            for (size_t i = 0; i < n; i++)
                s[i] = (char)('A' + (i * 7 + al) % 50);
            s[n] = 0;
            memset(s + n + 1, '#', 40); /* non-zero junk after the terminator */
            size_t l = strlen(s);
            bad += l != ref_strlen(s);
            h = fnv(h, &l, sizeof l);
            /* strchr for the last character, for a missing one and for NUL */
            if (n) {
                char c = s[n - 1];
                char *want = s;
                while (*want != c)
                    want++;
                bad += strchr(s, c) != want;
                bad += memchr(s, c, n) != want;
                bad += strrchr(s, s[0]) == NULL;
            }
            bad += strchr(s, '~') != NULL;
            bad += strchr(s, 0) != s + n;
            bad += memchr(s, '#', n) != NULL;
            bad += memchr(s, '#', n + 2) != s + n + 1;
            checks += 7;
        }
    printf("  %ld cases, length hash %016llx\n", checks, (unsigned long long)h);
    CHECK("strlen/strchr/memchr", bad == 0);
    group_end();

    group_begin("memcmp-strcmp");
    bad = 0;
    checks = 0;
    long signsum = 0;
    for (int li = 0; li < nl; li++)
        for (int al = 0; al < 16; al += 3) {
            size_t n = lens[li];
            uint8_t *a = src + al, *b = dst + 16 - al;
            for (size_t i = 0; i < n; i++)
                a[i] = b[i] = (uint8_t)(0x41 + (i * 11) % 60);
            a[n] = b[n] = 0;
            bad += memcmp(a, b, n) != 0 || strcmp((char *)a, (char *)b) != 0;
            /* a difference at every position, both signs, incl. bytes >= 0x80
             * (compared as unsigned char) */
            for (size_t p = 0; p < n; p++) {
                uint8_t save = b[p];
                b[p] = (p & 1) ? 0xf0 : 0x01;
                int want = a[p] < b[p] ? -1 : 1;
                int r1 = sgn(memcmp(a, b, n)), r2 = sgn(strcmp((char *)a, (char *)b));
                int r3 = sgn(strncmp((char *)a, (char *)b, p + 1)), r4 = sgn(strncmp((char *)a, (char *)b, p));
                bad += r1 != want || r2 != want || r3 != want || r4 != 0;
                signsum += r1 + r2;
                b[p] = save;
                checks += 4;
            }
        }
    printf("  %ld cases, sign sum %ld\n", checks, signsum);
    CHECK("memcmp/strcmp/strncmp", bad == 0);
    group_end();

    group_begin("strcpy-strncpy-strstr");
    bad = 0;
    for (size_t n = 0; n < 70; n++)
        for (int al = 0; al < 8; al++) {
            char *s = (char *)src + al;
            for (size_t i = 0; i < n; i++)
                s[i] = (char)('a' + i % 26);
            s[n] = 0;
            memset(dst, 'X', 200);
            char *r = strcpy((char *)dst + 3, s);
            bad += r != (char *)dst + 3 || strcmp((char *)dst + 3, s) != 0 || dst[3 + n + 1] != 'X';
            memset(dst, 'X', 200);
            volatile size_t lim = 40; /* not a constant, so no truncation warning */
            strncpy((char *)dst + 5, s, lim);
            /* strncpy pads with NULs up to 40 and never writes beyond */
            for (size_t i = 0; i < 40; i++)
                bad += dst[5 + i] != (i < n ? (uint8_t)s[i] : 0);
            bad += dst[45] != 'X';
            char *st = stpcpy((char *)dst, s);
            bad += st != (char *)dst + n;
        }
    const char *hay = "the quick brown fox jumps over the lazy dog; the quick brown cat";
    printf("  strstr: %ld %ld %s\n", (long)(strstr(hay, "quick brown c") - hay), (long)(strstr(hay, "the") - hay),
           strstr(hay, "cow") ? "found" : "null");
    bad += strstr(hay, "quick brown c") != hay + 49 || strstr(hay, "") != hay || strstr(hay, "cow") != NULL;
    CHECK("strcpy/strncpy/stpcpy/strstr", bad == 0);
    group_end();

    group_begin("page-boundary");
    /* Strings ending right before an inaccessible page: vectorised routines
     * read ahead in aligned chunks and must never touch the next page. */
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    bad = 0;
    if (m == MAP_FAILED || mprotect(m + pg, pg, PROT_NONE) != 0) {
        check_fail("mmap/mprotect failed");
    } else {
        for (int n = 0; n < 100; n++) {
            char *s = m + pg - 1 - n;
            memset(s, 'z', n);
            s[n] = 0;
            bad += strlen(s) != (size_t)n;
            bad += strchr(s, 'y') != NULL;
            bad += memchr(s, 'y', n + 1) != NULL;
            bad += strcmp(s, s) != 0;
            char *copy = (char *)dst;
            strcpy(copy, s);
            bad += memcmp(copy, s, n + 1) != 0;
            bad += (size_t)n != strnlen(s, 1000);
            bad += memrchr(s, 0, n + 1) != s + n;
        }
        munmap(m, 2 * pg);
    }
    printf("  100 strings ending at a page boundary\n");
    CHECK("no over-read faults and correct results", bad == 0);
    group_end();
}

int main(void)
{
    test_setjmp();
    test_printf_fp();
    test_conversions();
    test_qsort();
    test_malloc();
    test_strings();
    return check_exit_status();
}
