/*
 * Many threads running the same code: each of N threads (argv[1], default
 * 4) takes the same tour (argv[2] times, default 20; each followed by
 * argv[3] system calls, default 1) through a few hundred distinct functions
 * of libc
 * (formatted output and input, sorting, searching, string and wide-string
 * handling, time formatting) and folds the results into a checksum. The
 * output does not depend on N; the emulator's translation statistics show
 * whether it translated the tour once or once per thread.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

static uint64_t fold(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint64_t tour(int round)
{
    char buf[512];
    uint64_t h = 14695981039346656037ull;
    int n = snprintf(buf, sizeof buf, "%d %5.3f %-8s|%#x %o %e %g %a %lld %zu %c %%", round, round / 7.0, "tour",
                     round * 77, round, round * 1e-5, 1.0 / (round + 3), 0.1 * round, -12345678901ll * round,
                     sizeof buf, 'a' + round % 26);
    h = fold(h, buf, n);
    double values[64];
    for (int i = 0; i < 64; i++) {
        char num[64];
        snprintf(num, sizeof num, "%.17g", sin(i * 0.37 + round) * exp(i % 5) + sqrt(i + 1.0));
        values[i] = strtod(num, NULL);
    }
    qsort(values, 64, sizeof values[0], by_value);
    h = fold(h, values, sizeof values);
    char *names[] = {"delta", "alpha", "echo", "charlie", "bravo", "golf", "foxtrot", "hotel"};
    qsort(names, 8, sizeof names[0], by_name);
    const char *key = "echo";
    char **found = bsearch(&key, names, 8, sizeof names[0], by_name);
    h = fold(h, *found, strlen(*found));
    long parsed = strtol("  -0x7fff", NULL, 16) + strtoul("777", NULL, 8) + atoi("42");
    h = fold(h, &parsed, sizeof parsed);
    int a, b;
    char word[32];
    if (sscanf("17 and 25 words", "%d and %d %31s", &a, &b, word) == 3)
        h = fold(h, word, strlen(word)) + a * b;
    wchar_t wide[64];
    size_t wn = mbstowcs(wide, "wide characters", 64);
    h = fold(h, wide, wn * sizeof(wchar_t)) + wcslen(wide);
    struct tm tm = {.tm_year = 100 + round % 50, .tm_mon = round % 12, .tm_mday = 1 + round % 28};
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    n = strftime(buf, sizeof buf, "%Y-%m-%d %A %B %j", &tm);
    h = fold(h, buf, n);
    for (char *p = buf; *p; p++)
        *p = toupper((unsigned char)*p);
    h = fold(h, buf, strlen(buf));
    char *save;
    char *tok = strtok_r(strcpy(buf, "a,b;;c,dd;eee"), ",;", &save);
    while (tok) {
        h = fold(h, tok, strlen(tok));
        tok = strtok_r(NULL, ",;", &save);
    }
    const char *hay = "haystack with needle";
    h += strstr(hay, "needle") - hay;
    return h;
}

static int rounds = 20;
static int calls_per_round = 1;

static void *run(void *arg)
{
    uint64_t *out = arg;
    uint64_t h = 0;
    for (int round = 0; round < rounds; round++) {
        h ^= tour(round) + round;
        /* System calls: each return to the emulator's execution loop
           finds the code to go on with in its thread's own table. */
        for (int i = 0; i < calls_per_round; i++)
            sched_yield();
    }
    *out = h;
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 4;
    if (argc > 2)
        rounds = atoi(argv[2]);
    if (argc > 3)
        calls_per_round = atoi(argv[3]);
    if (threads < 1 || threads > 64 || rounds < 1 || calls_per_round < 0)
        return 2;
    pthread_t ids[64];
    uint64_t results[64];
    for (int i = 0; i < threads; i++)
        pthread_create(&ids[i], NULL, run, &results[i]);
    for (int i = 0; i < threads; i++)
        pthread_join(ids[i], NULL);
    for (int i = 1; i < threads; i++)
        if (results[i] != results[0]) {
            printf("thread %d disagrees\n", i);
            return 1;
        }
    printf("tour checksum %016" PRIx64 "\n", results[0]);
    return 0;
}
