/*
 * What language runtimes (Node.js, Go, the JVM, Erlang) ask of threads,
 * fork, signals and memory, each in a group:
 *
 *   blocked      threads blocked in epoll_wait, read, futex, the open of a
 *                FIFO and F_OFD_SETLKW do not stop the others' system calls
 *   fork         fork (50 times) while four threads translate and run code
 *                and make system calls; every child runs new code and exits
 *   sigwait      sigwait in a second thread for a process-directed signal
 *   interrupt    a handler interrupts a thread blocked in read (EINTR), and
 *                with SA_RESTART the read resumes and gets its data; a
 *                signal storm fails no call; ppoll's mask lets a pending
 *                signal in; nanosleep is not restarted
 *   futex        FUTEX_WAIT_BITSET with an absolute timeout, CMP_REQUEUE
 *   robust       a thread dies holding a robust mutex: EOWNERDEAD
 *   altstack     SA_ONSTACK handlers run on each thread's own sigaltstack;
 *                a new thread does not inherit its creator's
 *   hints        mmap hints honoured where free, MAP_FIXED_NOREPLACE, big
 *                PROT_NONE/MAP_NORESERVE reservations, mremap
 *   dualmap      code written through an RW view of a memfd and run through
 *                an RX view, rewritten twice (cache maintenance through the
 *                RX view, then through the RW view)
 *   membarrier   MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE
 *
 * Every wait is bounded by alarm(): a hang kills the program (status 142).
 * `sleep` mode: block SIGTERM-able threads and sleep, for the termination
 * test; `sleep-handler` mode: the same with a SIGTERM handler that exits 3.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static long futex(atomic_int *addr, int op, int val, const struct timespec *ts, atomic_int *addr2, int val3)
{
    return syscall(SYS_futex, addr, op, val, ts, addr2, val3);
}

/* ---- blocked: one thread's wait must not stop the others ---- */

static int epfd, evfd, pipefd[2];
static atomic_int futex_word;

static void *wait_epoll(void *arg)
{
    struct epoll_event ev;
    (void)arg;
    long n = epoll_wait(epfd, &ev, 1, -1);
    return (void *)n;
}

static void *wait_read(void *arg)
{
    char c = 0;
    (void)arg;
    long n = read(pipefd[0], &c, 1);
    return (void *)(n == 1 ? (long)c : -1L);
}

static void *wait_futex(void *arg)
{
    (void)arg;
    while (atomic_load(&futex_word) == 0)
        futex(&futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    return (void *)1L;
}

static char fifo_path[64], lock_path[64];

static void *wait_fifo_open(void *arg)
{
    (void)arg;
    int fd = open(fifo_path, O_RDONLY); /* waits for a writer */
    if (fd < 0)
        return (void *)-1L;
    close(fd);
    return (void *)1L;
}

static void *wait_record_lock(void *arg)
{
    (void)arg;
    int fd = open(lock_path, O_RDWR);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    long r = fd < 0 ? -1 : fcntl(fd, F_OFD_SETLKW, &fl); /* waits for the owner */
    if (fd >= 0)
        close(fd);
    return (void *)(r == 0 ? 1L : -1L);
}

static void group_blocked(void)
{
    group_begin("blocked");
    alarm(20);
    epfd = epoll_create1(0);
    evfd = eventfd(0, 0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7};
    epoll_ctl(epfd, EPOLL_CTL_ADD, evfd, &ev);
    if (pipe(pipefd) != 0)
        check_fail("pipe");
    snprintf(fifo_path, sizeof fifo_path, "/tmp/kestrel-runtime-fifo.%d", (int)getpid());
    snprintf(lock_path, sizeof lock_path, "/tmp/kestrel-runtime-lock.%d", (int)getpid());
    unlink(fifo_path);
    if (mkfifo(fifo_path, 0600) != 0)
        check_fail("mkfifo");
    int lock_fd = open(lock_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    CHECK_EQ("own the record lock", fcntl(lock_fd, F_OFD_SETLK, &fl), 0);
    pthread_t t[5];
    pthread_create(&t[0], NULL, wait_epoll, NULL);
    pthread_create(&t[1], NULL, wait_read, NULL);
    pthread_create(&t[2], NULL, wait_futex, NULL);
    pthread_create(&t[3], NULL, wait_fifo_open, NULL);
    pthread_create(&t[4], NULL, wait_record_lock, NULL);
    usleep(50000);
    /* System calls of every kind while the five threads sleep in the kernel. */
    long done = 0;
    for (int i = 0; i < 2000; i++) {
        void *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            break;
        ((char *)p)[0] = 1;
        munmap(p, 8192);
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        if (getpid() > 0)
            done++;
    }
    CHECK_EQ("calls while others block", done, 2000);
    uint64_t one = 1;
    CHECK_EQ("eventfd write", write(evfd, &one, 8), 8);
    CHECK_EQ("pipe write", write(pipefd[1], "x", 1), 1);
    atomic_store(&futex_word, 1);
    futex(&futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    void *r;
    pthread_join(t[0], &r);
    CHECK_EQ("epoll_wait result", (long)r, 1);
    pthread_join(t[1], &r);
    CHECK_EQ("read result", (long)r, 'x');
    pthread_join(t[2], &r);
    CHECK_EQ("futex waiter", (long)r, 1);
    int writer = open(fifo_path, O_WRONLY);
    pthread_join(t[3], &r);
    CHECK_EQ("FIFO opened once a writer came", (long)r, 1);
    close(writer);
    fl.l_type = F_UNLCK;
    fcntl(lock_fd, F_OFD_SETLK, &fl);
    pthread_join(t[4], &r);
    CHECK_EQ("record lock taken once released", (long)r, 1);
    close(lock_fd);
    unlink(fifo_path);
    unlink(lock_path);
    alarm(0);
    close(pipefd[0]);
    close(pipefd[1]);
    close(evfd);
    close(epfd);
    group_end();
}

/* ---- fork while other threads run ---- */

static atomic_int stop_workers;

/* Different functions, so the workers keep translating new code. */
#define WORK(n)                                                                 \
    static long __attribute__((noinline)) work##n(long x)                      \
    {                                                                           \
        for (int i = 0; i < 50; i++)                                            \
            x = x * (6364136223846793005L + n) + 1442695040888963407L;         \
        return x;                                                               \
    }
WORK(0) WORK(1) WORK(2) WORK(3) WORK(4) WORK(5) WORK(6) WORK(7)
static long (*const works[8])(long) = {work0, work1, work2, work3, work4, work5, work6, work7};

static void *worker(void *arg)
{
    long x = (long)arg;
    while (!atomic_load(&stop_workers)) {
        x = works[x & 7](x);
        void *p = malloc(100 + (x & 1023));
        free(p);
        getppid();
    }
    return NULL;
}

/* Only ever run in the children: code the parent never translated. */
static int __attribute__((noinline)) child_only(int i)
{
    char buf[64];
    int n = snprintf(buf, sizeof buf, "child %d", i);
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    memcpy(p, buf, n);
    free(malloc(1000));
    return memcmp(p, buf, n) != 0;
}

static void group_fork(void)
{
    group_begin("fork");
    pthread_t t[4];
    atomic_store(&stop_workers, 0);
    for (long i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    int ok = 0;
    for (int i = 0; i < 50; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            alarm(10);
            _exit(child_only(i));
        }
        int status = 0;
        if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
            ok++;
        else
            check_fail("child %d: status 0x%x", i, status);
    }
    atomic_store(&stop_workers, 1);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ("children that exited cleanly", ok, 50);
    group_end();
}

/* ---- sigwait in a second thread ---- */

static void *waiter(void *arg)
{
    sigset_t *set = arg;
    int sig = 0;
    if (sigwait(set, &sig) != 0)
        return (void *)-1L;
    return (void *)(long)sig;
}

static void group_sigwait(void)
{
    group_begin("sigwait");
    alarm(10);
    static sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_t t;
    pthread_create(&t, NULL, waiter, &set);
    usleep(50000);
    kill(getpid(), SIGUSR1);
    void *r;
    pthread_join(t, &r);
    CHECK_EQ("signal sigwait returned", (long)r, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    alarm(0);
    group_end();
}

/* ---- a handler interrupts a blocked read ---- */

static atomic_int handled;
static void on_usr2(int sig)
{
    (void)sig;
    atomic_fetch_add(&handled, 1);
}

static void *blocked_reader(void *arg)
{
    (void)arg;
    char c = 0;
    long n = read(pipefd[0], &c, 1);
    if (n < 0)
        return (void *)(long)-errno;
    return (void *)(long)c;
}

static long interrupt_reader(int flags)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_usr2;
    sa.sa_flags = flags;
    sigaction(SIGUSR2, &sa, NULL);
    if (pipe(pipefd) != 0)
        return -1000;
    pthread_t t;
    pthread_create(&t, NULL, blocked_reader, NULL);
    usleep(50000);
    pthread_kill(t, SIGUSR2);
    usleep(50000);
    if (write(pipefd[1], "r", 1) != 1)
        return -1001;
    void *r;
    pthread_join(t, &r);
    close(pipefd[0]);
    close(pipefd[1]);
    return (long)r;
}

/* A storm of handled signals must not make calls that were never
 * interrupted fail: each must run, before or after the handler. */
static atomic_int storm_done;
static void *storm_victim(void *arg)
{
    (void)arg;
    int devnull = open("/dev/null", O_WRONLY);
    long failures = 0;
    atomic_int word = 0;
    for (int i = 0; i < 20000; i++) {
        if (write(devnull, "x", 1) != 1)
            failures++;
        if (futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) < 0)
            failures++;
    }
    close(devnull);
    atomic_store(&storm_done, 1);
    return (void *)failures;
}

static atomic_int ppoll_handled;
static void on_usr1_count(int sig)
{
    (void)sig;
    atomic_fetch_add(&ppoll_handled, 1);
}

static void group_interrupt(void)
{
    group_begin("interrupt");
    alarm(10);
    atomic_store(&handled, 0);
    CHECK_EQ("read without SA_RESTART", interrupt_reader(0), -EINTR);
    CHECK_EQ("handler ran", atomic_load(&handled), 1);
    CHECK_EQ("read with SA_RESTART", interrupt_reader(SA_RESTART), 'r');
    CHECK_EQ("handler ran again", atomic_load(&handled), 2);

    /* The storm: SIGUSR2 without SA_RESTART at a victim making quick calls. */
    struct sigaction storm = {0};
    storm.sa_handler = on_usr2;
    sigaction(SIGUSR2, &storm, NULL);
    atomic_store(&storm_done, 0);
    pthread_t v;
    pthread_create(&v, NULL, storm_victim, NULL);
    while (!atomic_load(&storm_done)) {
        pthread_kill(v, SIGUSR2);
        usleep(100);
    }
    void *failures;
    pthread_join(v, &failures);
    CHECK_EQ("calls failed by a signal storm", (long)failures, 0);
    signal(SIGUSR2, SIG_DFL);

    /* ppoll's own mask lets a blocked, pending signal in: its handler runs
     * during the call (EINTR), and the old mask is back afterwards. */
    struct sigaction count = {0};
    count.sa_handler = on_usr1_count;
    sigaction(SIGUSR1, &count, NULL);
    sigset_t block, empty, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);
    pthread_sigmask(SIG_BLOCK, &block, NULL);
    raise(SIGUSR1);
    CHECK_EQ("blocked signal waits", atomic_load(&ppoll_handled), 0);
    struct timespec second = {1, 0};
    int r = ppoll(NULL, 0, &second, &empty);
    CHECK_EQ("ppoll interrupted", r == -1 ? errno : 0, EINTR);
    CHECK_EQ("handler ran under ppoll's mask", atomic_load(&ppoll_handled), 1);
    pthread_sigmask(SIG_SETMASK, NULL, &now);
    CHECK_EQ("mask restored after ppoll", sigismember(&now, SIGUSR1), 1);
    pthread_sigmask(SIG_UNBLOCK, &block, NULL);

    /* nanosleep is never restarted, SA_RESTART or not (signal(7)). */
    count.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &count, NULL);
    struct itimerval it = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &it, NULL);
    struct timespec sleep_for = {2, 0};
    r = nanosleep(&sleep_for, &sleep_for);
    CHECK_EQ("nanosleep with an SA_RESTART handler", r == -1 ? errno : 0, EINTR);
    signal(SIGALRM, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    alarm(0);
    group_end();
}

/* ---- futex: bitset timeouts and requeue ---- */

static atomic_int fa, fb, woken;

static void *requeue_waiter(void *arg)
{
    (void)arg;
    while (atomic_load(&fa) == 0)
        futex(&fa, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    atomic_fetch_add(&woken, 1);
    return NULL;
}

static void group_futex(void)
{
    group_begin("futex");
    alarm(10);
    atomic_int word = 5;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_nsec += 20 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    long r = futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &deadline, NULL, FUTEX_BITSET_MATCH_ANY);
    CHECK_EQ("wait_bitset timeout errno", r == -1 ? errno : 0, ETIMEDOUT);
    r = futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 6, &deadline, NULL, FUTEX_BITSET_MATCH_ANY);
    CHECK_EQ("wait_bitset value mismatch errno", r == -1 ? errno : 0, EAGAIN);

    /* Two waiters on fa, moved to fb without waking, then woken on fb. */
    pthread_t t[2];
    atomic_store(&woken, 0);
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, requeue_waiter, NULL);
    usleep(100000);
    long moved = futex(&fa, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)(long)2, &fb, 0);
    CHECK_EQ("requeued", moved, 2);
    atomic_store(&fa, 1);
    long wake = futex(&fb, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0);
    CHECK_EQ("woken from the second word", wake, 2);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ("waiters done", atomic_load(&woken), 2);
    alarm(0);
    group_end();
}

/* ---- robust mutexes ---- */

static pthread_mutex_t robust;

static void *die_holding(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&robust);
    return NULL; /* the thread ends with the mutex locked */
}

static void group_robust(void)
{
    group_begin("robust");
    alarm(10);
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &attr);
    pthread_t t;
    pthread_create(&t, NULL, die_holding, NULL);
    pthread_join(t, NULL);
    int r = pthread_mutex_lock(&robust);
    CHECK_EQ("lock after owner died", r, EOWNERDEAD);
    CHECK_EQ("consistent", pthread_mutex_consistent(&robust), 0);
    CHECK_EQ("unlock", pthread_mutex_unlock(&robust), 0);
    alarm(0);
    group_end();
}

/* ---- sigaltstack per thread ---- */

static __thread char *alt_base;
static __thread size_t alt_size;
static __thread int on_alt;

static void on_alt_signal(int sig)
{
    char here;
    (void)sig;
    on_alt = &here >= alt_base && &here < alt_base + alt_size;
}

static void *alt_thread(void *arg)
{
    (void)arg;
    /* A new thread starts without an alternate stack, even if its creator
     * had one (Go adopts an inherited one and would share it). */
    stack_t inherited;
    if (sigaltstack(NULL, &inherited) != 0 || !(inherited.ss_flags & SS_DISABLE))
        return (void *)-2L;
    alt_size = 64 * 1024;
    alt_base = malloc(alt_size);
    stack_t ss = {.ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0)
        return (void *)-1L;
    raise(SIGUSR1);
    return (void *)(long)on_alt;
}

static void group_altstack(void)
{
    group_begin("altstack");
    alarm(10);
    struct sigaction sa = {0};
    sa.sa_handler = on_alt_signal;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    /* The creating thread has one of its own. */
    static char main_alt[64 * 1024];
    stack_t ss = {.ss_sp = main_alt, .ss_size = sizeof main_alt, .ss_flags = 0};
    CHECK_EQ("main thread sigaltstack", sigaltstack(&ss, NULL), 0);
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, alt_thread, NULL);
    for (int i = 0; i < 3; i++) {
        void *r;
        pthread_join(t[i], &r);
        CHECK_EQ("handler on the thread's alternate stack", (long)r, 1);
    }
    signal(SIGUSR1, SIG_DFL);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    alarm(0);
    group_end();
}

/* ---- mmap hints and reservations ---- */

static int maps_has_range(uintptr_t start, uintptr_t end, const char *perms)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int found = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long s, e;
        char p[8];
        if (sscanf(line, "%lx-%lx %7s", &s, &e, p) == 3 && s == start && e == end && strcmp(p, perms) == 0)
            found = 1;
    }
    fclose(f);
    return found;
}

static void group_hints(void)
{
    group_begin("hints");
    const int anon = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
    /* The JVM's compressed class space and Go's arena hints. */
    const uintptr_t hints[] = {0x800000000UL, 0x5000000000UL, 0xc000000000UL};
    for (int i = 0; i < 3; i++) {
        void *p = mmap((void *)hints[i], 1UL << 30, PROT_NONE, anon, -1, 0);
        CHECK_EQ("hint honoured", (uintptr_t)p, hints[i]);
        if (p == MAP_FAILED)
            continue;
        CHECK_EQ("listed in maps", maps_has_range(hints[i], hints[i] + (1UL << 30), "---p"), 1);
        void *q = mmap((void *)hints[i], 4096, PROT_READ, anon | MAP_FIXED_NOREPLACE, -1, 0);
        CHECK_EQ("MAP_FIXED_NOREPLACE on it fails", q == MAP_FAILED ? errno : 0, EEXIST);
        /* Commit a piece, as a heap grows into its reservation. */
        CHECK_EQ("mprotect part", mprotect(p, 1 << 20, PROT_READ | PROT_WRITE), 0);
        memset(p, 0x5a, 1 << 20);
        CHECK_EQ("readback", ((unsigned char *)p)[12345], 0x5a);
        /* The same hint again is taken: Linux then picks another address. */
        void *again = mmap((void *)hints[i], 4096, PROT_READ, anon, -1, 0);
        CHECK_EQ("busy hint moved elsewhere", again != MAP_FAILED && again != p, 1);
        munmap(again, 4096);
        munmap(p, 1UL << 30);
        CHECK_EQ("gone from maps", maps_has_range(hints[i], hints[i] + (1UL << 30), "---p"), 0);
    }
    /* A V8-style 4 GiB cage and a 64 GiB Go-style reservation. */
    void *cage = mmap(NULL, 4UL << 30, PROT_NONE, anon, -1, 0);
    CHECK_EQ("4 GiB reservation", cage != MAP_FAILED, 1);
    void *big = mmap(NULL, 64UL << 30, PROT_NONE, anon, -1, 0);
    CHECK_EQ("64 GiB reservation", big != MAP_FAILED, 1);
    if (cage != MAP_FAILED)
        munmap(cage, 4UL << 30);
    if (big != MAP_FAILED)
        munmap(big, 64UL << 30);
    /* mremap grows a mapping, moving it and keeping the contents. */
    char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(m, "moved");
    char *n = mremap(m, 4096, 1 << 20, MREMAP_MAYMOVE);
    CHECK_EQ("mremap", n != MAP_FAILED && strcmp(n, "moved") == 0, 1);
    if (n != MAP_FAILED)
        munmap(n, 1 << 20);
    group_end();
}

/* ---- code through two views of one memfd ---- */

typedef int (*fn_t)(void);

static void put_return(uint32_t *code, int value)
{
    code[0] = 0x52800000u | ((uint32_t)value << 5); /* mov w0, #value */
    code[1] = 0xd65f03c0u;                          /* ret */
}

static int call_many(fn_t f)
{
    int sum = 0;
    for (int i = 0; i < 200; i++)
        sum += f();
    return sum / 200;
}

static void group_dualmap(void)
{
    group_begin("dualmap");
    int fd = memfd_create("jit-code", 0);
    if (fd < 0 || ftruncate(fd, 4096) != 0) {
        check_fail("memfd");
        group_end();
        return;
    }
    uint32_t *rw = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    uint32_t *rx = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    if (rw == MAP_FAILED || rx == MAP_FAILED) {
        check_fail("mmap views");
        group_end();
        return;
    }
    fn_t f = (fn_t)(void *)rx;
    put_return(rw, 1);
    __builtin___clear_cache((char *)rx, (char *)(rx + 2));
    CHECK_EQ("first code", call_many(f), 1);
    put_return(rw, 2);
    __builtin___clear_cache((char *)rx, (char *)(rx + 2));
    CHECK_EQ("rewritten, caches cleaned through the RX view", call_many(f), 2);
    put_return(rw, 3);
    /* Cache maintenance by the writer's address also reaches the other view
     * (the caches are indexed by physical address). */
    __builtin___clear_cache((char *)rw, (char *)(rw + 2));
    CHECK_EQ("rewritten, caches cleaned through the RW view", call_many(f), 3);
    munmap(rw, 4096);
    munmap(rx, 4096);
    close(fd);
    group_end();
}

/* ---- membarrier ---- */

static void group_membarrier(void)
{
    group_begin("membarrier");
    long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    CHECK_EQ("query offers SYNC_CORE", (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE) != 0, 1);
    CHECK_EQ("register", syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0), 0);
    CHECK_EQ("sync core", syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0), 0);
    CHECK_EQ("register expedited", syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0), 0);
    CHECK_EQ("expedited", syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0), 0);
    group_end();
}

/* ---- sleep modes, for the termination tests ---- */

static void on_term(int sig)
{
    (void)sig;
    static const char msg[] = "terminated\n";
    if (write(1, msg, sizeof msg - 1) < 0)
        _exit(4);
    _exit(3);
}

static int sleep_mode(int with_handler)
{
    if (with_handler)
        signal(SIGTERM, on_term);
    epfd = epoll_create1(0);
    evfd = eventfd(0, 0);
    struct epoll_event ev = {.events = EPOLLIN};
    epoll_ctl(epfd, EPOLL_CTL_ADD, evfd, &ev);
    if (pipe(pipefd) != 0)
        return 1;
    pthread_t t[3];
    pthread_create(&t[0], NULL, wait_epoll, NULL);
    pthread_create(&t[1], NULL, wait_read, NULL);
    pthread_create(&t[2], NULL, wait_futex, NULL);
    printf("sleeping\n");
    fflush(stdout);
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "sleep") == 0)
        return sleep_mode(0);
    if (argc > 1 && strcmp(argv[1], "sleep-handler") == 0)
        return sleep_mode(1);
    setvbuf(stdout, NULL, _IOLBF, 0);
    group_blocked();
    group_fork();
    group_sigwait();
    group_interrupt();
    group_futex();
    group_robust();
    group_altstack();
    group_hints();
    group_dualmap();
    group_membarrier();
    return check_exit_status();
}
