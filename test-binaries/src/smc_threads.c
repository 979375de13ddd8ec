/*
 * Code rewritten by one thread while others run it: the translator must
 * drop its translations while other threads execute them, and never run
 * stale code once the rewrite is published.
 *
 * A writer thread owns a page of code "mov w0, #v; ret" and rewrites it
 * with v = 1, 2, 3, ... For each version it cleans the caches the way the
 * architecture requires (dc cvau, dsb, ic ivau, dsb), then publishes v with
 * a release store. Reader threads loop: read the published version with an
 * acquire load, execute an isb, call the code. The value they get must be
 * at least the version they read before the call (newer is fine: the writer
 * may have moved on), and never go backwards within a reader.
 *
 * The readers' loop runs long enough to be optimised: invalidation must
 * reach optimised code and chained baseline code alike. Readers stop once
 * they have seen the last version.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"

#define READERS 3
#define VERSIONS 400
#define MAX_FAILS 5

typedef int (*fn_t)(void);

static uint32_t *code;
static atomic_int published;
static atomic_int done;
static atomic_int readers_running;

static void sync_icache(void *p, size_t len)
{
    for (uintptr_t a = (uintptr_t)p; a < (uintptr_t)p + len; a += 4)
        __asm__ volatile("dc cvau, %0" ::"r"(a) : "memory");
    __asm__ volatile("dsb ish" ::: "memory");
    for (uintptr_t a = (uintptr_t)p; a < (uintptr_t)p + len; a += 4)
        __asm__ volatile("ic ivau, %0" ::"r"(a) : "memory");
    __asm__ volatile("dsb ish" ::: "memory");
}

struct reader_result {
    long calls;
    int stale;      /* calls that returned less than the version read before */
    int backwards;  /* calls that returned less than an earlier call */
    int last;
    char detail[120];
};

static void *reader(void *arg)
{
    struct reader_result *r = arg;
    int previous = 0;
    long after_done = 0;
    atomic_fetch_add(&readers_running, 1);
    /* Until the last version has been seen (bounded, so that stale code
     * that never goes away fails the test instead of hanging it). */
    while (previous != VERSIONS && after_done < 10000000) {
        if (atomic_load_explicit(&done, memory_order_acquire))
            after_done++;
        int seen = atomic_load_explicit(&published, memory_order_acquire);
        __asm__ volatile("isb" ::: "memory");
        int got = ((fn_t)code)();
        r->calls++;
        if (got < seen && r->stale++ == 0)
            snprintf(r->detail, sizeof r->detail, "call returned %d after version %d was published", got, seen);
        if (got < previous && r->backwards++ == 0 && !r->detail[0])
            snprintf(r->detail, sizeof r->detail, "call returned %d after an earlier call returned %d", got, previous);
        previous = got;
    }
    r->last = previous;
    return NULL;
}

int main(void)
{
    code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    code[0] = 0x52800000u | (1u << 5); /* mov w0, #1 */
    code[1] = 0xd65f03c0u;             /* ret */
    sync_icache(code, 8);
    atomic_store_explicit(&published, 1, memory_order_release);

    group_begin("rewrite-while-running");
    pthread_t t[READERS];
    struct reader_result res[READERS];
    memset(res, 0, sizeof res);
    for (int i = 0; i < READERS; i++)
        pthread_create(&t[i], NULL, reader, &res[i]);
    while (atomic_load(&readers_running) < READERS)
        ;
    for (int v = 2; v <= VERSIONS; v++) {
        /* Let the readers run the current version a while (and get it
         * translated, chained and optimised) before it changes. */
        for (volatile int spin = 0; spin < 20000; spin++)
            ;
        code[0] = 0x52800000u | ((uint32_t)v << 5);
        sync_icache(code, 8);
        atomic_store_explicit(&published, v, memory_order_release);
    }
    for (volatile int spin = 0; spin < 200000; spin++)
        ;
    atomic_store_explicit(&done, 1, memory_order_release);
    long calls = 0;
    for (int i = 0; i < READERS; i++) {
        pthread_join(t[i], NULL);
        calls += res[i].calls;
        if (res[i].stale || res[i].backwards)
            check_fail("reader %d: %d stale, %d backwards: %s", i, res[i].stale, res[i].backwards, res[i].detail);
        if (res[i].last != VERSIONS)
            check_fail("reader %d ended on version %d, not %d", i, res[i].last, VERSIONS);
    }
    for (int i = 0; i < READERS; i++)
        CHECK("every reader ran", res[i].calls > 0);
    printf("  %d versions, %d readers, every call current\n", VERSIONS, READERS);
    group_end();
    return check_exit_status();
}
