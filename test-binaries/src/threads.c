/*
 * Guest threads: pthread mutex, condition variable, barrier and rwlock,
 * thread-local storage, 8 threads hammering atomic and exclusive-based
 * counters with no lost updates, and storms of thread creation and joining.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define THREADS 8
#define ITERS 200000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long locked_counter;
static atomic_long atomic_counter;
static long exclusive_counter;
static __thread long tls_value;
static pthread_barrier_t barrier;

/* An increment built from a load-exclusive/store-exclusive loop. */
static void exclusive_add(long *p, long v)
{
    long old, tmp;
    unsigned status;
    __asm__ volatile("1: ldxr %0, [%3]\n"
                     "   add %1, %0, %4\n"
                     "   stxr %w2, %1, [%3]\n"
                     "   cbnz %w2, 1b\n"
                     : "=&r"(old), "=&r"(tmp), "=&r"(status)
                     : "r"(p), "r"(v)
                     : "memory");
}

static void *hammer(void *arg)
{
    long id = (long)arg;
    tls_value = id * 1000;
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < ITERS; i++) {
        atomic_fetch_add_explicit(&atomic_counter, 1, memory_order_relaxed);
        exclusive_add(&exclusive_counter, 1);
        if (i % 64 == 0) {
            pthread_mutex_lock(&lock);
            locked_counter++;
            pthread_mutex_unlock(&lock);
        }
    }
    /* TLS must still hold this thread's value. */
    return (void *)(tls_value == id * 1000 ? 0L : 1L);
}

static pthread_mutex_t cv_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int queue[64], head, tail, done;

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 1; i <= 1000; i++) {
        pthread_mutex_lock(&cv_lock);
        while (tail - head == 64)
            pthread_cond_wait(&cv, &cv_lock);
        queue[tail++ % 64] = i;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&cv_lock);
    }
    pthread_mutex_lock(&cv_lock);
    done = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&cv_lock);
    return NULL;
}

static void *consumer(void *arg)
{
    long sum = 0;
    for (;;) {
        pthread_mutex_lock(&cv_lock);
        while (head == tail && !done)
            pthread_cond_wait(&cv, &cv_lock);
        if (head == tail && done) {
            pthread_mutex_unlock(&cv_lock);
            break;
        }
        sum += queue[head++ % 64];
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&cv_lock);
    }
    *(long *)arg = sum;
    return NULL;
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long shared_value;

static void *reader_writer(void *arg)
{
    long id = (long)arg;
    long seen = 0;
    for (int i = 0; i < 2000; i++) {
        if (i % 10 == id % 10) {
            pthread_rwlock_wrlock(&rw);
            shared_value++;
            pthread_rwlock_unlock(&rw);
        } else {
            pthread_rwlock_rdlock(&rw);
            seen += shared_value >= 0;
            pthread_rwlock_unlock(&rw);
        }
    }
    return (void *)seen;
}

static void *trivial(void *arg)
{
    return arg;
}

/* A pure spin-wait (a load and a branch, no calls): once compiled into one
 * loop it must still see the other thread's store. */
static volatile int spin_flag;
static volatile long spin_seen;

static void *spin_until_set(void *arg)
{
    (void)arg;
    while (!spin_flag)
        ;
    spin_seen = spin_flag;
    return NULL;
}

/* A wait whose first read comes before its loop, called often enough to be
 * compiled as one region: every iteration must read memory again. */
static volatile int tick, stop_ticking;

static void *ticker(void *arg)
{
    (void)arg;
    while (!stop_ticking) {
        tick++;
        usleep(50);
    }
    return NULL;
}

__attribute__((noinline)) static int wait_change(volatile int *p, int old)
{
    int v = *p;
    while (v == old)
        v = *p;
    return v;
}

/* pthread_kill: the handler must run on the thread the signal was sent to. */
static volatile pthread_t handled_by;
static volatile int usr1_seen;

static void on_usr1(int sig)
{
    (void)sig;
    handled_by = pthread_self();
    usr1_seen = 1;
}

static void *wait_for_usr1(void *arg)
{
    (void)arg;
    while (!usr1_seen)
        sched_yield();
    return NULL;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    pthread_t t[THREADS];
    pthread_barrier_init(&barrier, NULL, THREADS);
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, hammer, (void *)i);
    long tls_errors = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        tls_errors += (long)r;
    }
    printf("atomic counter: %ld (expected %d)\n", (long)atomic_counter, THREADS * ITERS);
    printf("exclusive counter: %ld (expected %d)\n", exclusive_counter, THREADS * ITERS);
    printf("mutex counter: %ld (expected %d)\n", locked_counter, THREADS * (ITERS / 64 + (ITERS % 64 != 0)));
    printf("tls errors: %ld\n", tls_errors);

    pthread_t p, c1, c2;
    long s1 = 0, s2 = 0;
    pthread_create(&c1, NULL, consumer, &s1);
    pthread_create(&c2, NULL, consumer, &s2);
    pthread_create(&p, NULL, producer, NULL);
    pthread_join(p, NULL);
    pthread_join(c1, NULL);
    pthread_join(c2, NULL);
    printf("condvar queue sum: %ld (expected %d)\n", s1 + s2, 1000 * 1001 / 2);

    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, reader_writer, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    printf("rwlock writes: %ld (expected %d)\n", shared_value, THREADS * 200);

    long joined = 0;
    for (int round = 0; round < 50; round++) {
        pthread_t storm[8];
        for (long i = 0; i < 8; i++)
            pthread_create(&storm[i], NULL, trivial, (void *)(i + 1));
        for (int i = 0; i < 8; i++) {
            void *r;
            pthread_join(storm[i], &r);
            joined += (long)r;
        }
    }
    printf("create/join storm: %ld (expected %d)\n", joined, 50 * 36);

    pthread_t spinner;
    pthread_create(&spinner, NULL, spin_until_set, NULL);
    usleep(200000); /* long enough for the loop to be compiled */
    spin_flag = 7;
    pthread_join(spinner, NULL);
    printf("spin-wait saw the store: %ld\n", spin_seen);

    pthread_t tick_thread;
    pthread_create(&tick_thread, NULL, ticker, NULL);
    int changes = 0;
    for (int i = 0; i < 300; i++)
        changes += wait_change(&tick, tick) != -1;
    stop_ticking = 1;
    pthread_join(tick_thread, NULL);
    printf("waits that saw a change: %d\n", changes);

    signal(SIGUSR1, on_usr1);
    pthread_t target;
    pthread_create(&target, NULL, wait_for_usr1, NULL);
    pthread_kill(target, SIGUSR1);
    pthread_join(target, NULL);
    printf("pthread_kill handled on the target thread: %d\n", pthread_equal(handled_by, target) != 0);
    return 0;
}
