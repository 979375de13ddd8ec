/*
 * LSE atomics under contention and at misaligned addresses (compiled with
 * -march=armv8.1-a):
 *
 * - four threads add to one counter with LDADDAL, increment another with a
 *   CASAL retry loop, and guard a plain counter with a SWPA/SWPL spin lock;
 *   any lost update (an operation that is not one atomic step) shows up in
 *   the totals;
 * - LDADD, SWP and CAS at an address that is not aligned to their size
 *   raise SIGBUS with BUS_ADRALN, and leave memory untouched.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "check.h"

#define THREADS 4
#define ROUNDS 50000

static uint64_t added __attribute__((aligned(64)));
static uint32_t cas_counted __attribute__((aligned(64)));
static uint32_t lock_word __attribute__((aligned(64)));
static uint64_t guarded __attribute__((aligned(64)));
static uint16_t half_counted __attribute__((aligned(64)));

static void *worker(void *arg)
{
    uint64_t id = (uint64_t)arg;
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t old;
        asm volatile("ldaddal %1, %0, [%2]" : "=&r"(old) : "r"(id + 1), "r"(&added) : "memory");
        uint32_t seen = __atomic_load_n(&cas_counted, __ATOMIC_RELAXED);
        for (;;) {
            uint32_t expected = seen;
            asm volatile("casal %w0, %w2, [%1]" : "+r"(expected) : "r"(&cas_counted), "r"(seen + 1) : "memory");
            if (expected == seen)
                break;
            seen = expected;
        }
        uint16_t h;
        asm volatile("ldaddalh %w1, %w0, [%2]" : "=&r"(h) : "r"(1), "r"(&half_counted) : "memory");
        uint32_t was;
        do
            asm volatile("swpa %w1, %w0, [%2]" : "=&r"(was) : "r"(1), "r"(&lock_word) : "memory");
        while (was != 0);
        guarded = guarded + 1;
        asm volatile("swpl %w1, %w0, [%2]" : "=&r"(was) : "r"(0), "r"(&lock_word) : "memory");
    }
    return 0;
}

static sigjmp_buf recover;
static volatile int last_signal, last_code;

static void on_bus(int sig, siginfo_t *info, void *ctx)
{
    (void)ctx;
    last_signal = sig;
    last_code = info->si_code;
    siglongjmp(recover, 1);
}

static uint8_t area[32] __attribute__((aligned(16)));

static void misaligned(const char *name, int which)
{
    memset(area, 0x5a, sizeof area);
    last_signal = last_code = 0;
    uint64_t out = 0;
    if (sigsetjmp(recover, 1) == 0) {
        void *p = area + 9;
        switch (which) {
        case 0: asm volatile("ldadd %1, %0, [%2]" : "=&r"(out) : "r"((uint64_t)1), "r"(p) : "memory"); break;
        case 1: asm volatile("swp %w1, %w0, [%2]" : "=&r"(out) : "r"(1), "r"(p) : "memory"); break;
        case 2: asm volatile("cas %0, %2, [%1]" : "+r"(out) : "r"(p), "r"((uint64_t)7) : "memory"); break;
        default: asm volatile("ldaddh %w1, %w0, [%2]" : "=&r"(out) : "r"(1), "r"(p) : "memory"); break;
        }
    }
    int untouched = 1;
    for (unsigned i = 0; i < sizeof area; i++)
        untouched &= area[i] == 0x5a;
    printf("%s misaligned: signal %d code %d, memory %s\n", name, last_signal, last_code, untouched ? "untouched" : "CHANGED");
    CHECK_EQ(name, last_signal, SIGBUS);
    CHECK_EQ(name, last_code, BUS_ADRALN);
    CHECK(name, untouched);
}

int main(void)
{
    group_begin("contention");
    pthread_t t[THREADS];
    for (uint64_t i = 0; i < THREADS; i++)
        pthread_create(&t[i], 0, worker, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], 0);
    uint64_t want_added = (uint64_t)ROUNDS * (1 + 2 + 3 + 4);
    printf("ldadd total %llu (want %llu)\n", (unsigned long long)added, (unsigned long long)want_added);
    printf("cas total %u, ldaddh total %u, swp-locked total %llu (want %u, %u, %u)\n", cas_counted, half_counted,
           (unsigned long long)guarded, THREADS * ROUNDS, (THREADS * ROUNDS) & 0xffff, THREADS * ROUNDS);
    CHECK_EQ("ldaddal", added, want_added);
    CHECK_EQ("casal", cas_counted, THREADS * ROUNDS);
    CHECK_EQ("ldaddalh", half_counted, (THREADS * ROUNDS) & 0xffff);
    CHECK_EQ("swp lock", guarded, THREADS * ROUNDS);
    group_end();

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, 0);
    group_begin("misaligned");
    misaligned("ldadd", 0);
    misaligned("swp", 1);
    misaligned("cas", 2);
    misaligned("ldaddh", 3);
    group_end();
    return check_exit_status();
}
