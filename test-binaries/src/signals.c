/*
 * Signal delivery into guest handlers: siginfo fields, masks while a handler
 * runs, SA_RESETHAND, SA_NODEFER, sigaltstack/SA_ONSTACK, blocked and later
 * unblocked signals, timers interrupting pause(), SA_RESTART versus EINTR on a
 * blocking read, sigsuspend, and a handler raising another signal.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t hits, last_sig, last_code, pid_ok, usr1_blocked_inside, on_alt, nested;
static char altstack[64 * 1024];

static void info_handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    hits++;
    last_sig = sig;
    last_code = si->si_code;
    pid_ok = si->si_pid == getpid();
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    usr1_blocked_inside = sigismember(&now, SIGUSR1);
    char here;
    on_alt = &here >= altstack && &here < altstack + sizeof altstack;
}

static void plain_handler(int sig)
{
    (void)sig;
    hits++;
}

static void raising_handler(int sig)
{
    (void)sig;
    raise(SIGUSR2); /* delivered after this handler returns or nested */
    nested++;
}

static void install(int sig, void (*h)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);

    /* 1. SA_SIGINFO: signal number, SI_USER, sender pid, mask inside. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = info_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    kill(getpid(), SIGUSR1);
    printf("siginfo: hits=%d sig=%d code=%d pid_ok=%d blocked_inside=%d\n", hits, last_sig, last_code, pid_ok,
           usr1_blocked_inside);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("after return: usr1 blocked=%d\n", sigismember(&now, SIGUSR1));

    /* 2. SA_NODEFER: the signal stays unblocked inside its handler. */
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGUSR1, &sa, NULL);
    kill(getpid(), SIGUSR1);
    printf("nodefer: blocked_inside=%d\n", usr1_blocked_inside);

    /* 3. sigaltstack + SA_ONSTACK. */
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    sigaltstack(&ss, NULL);
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    kill(getpid(), SIGUSR1);
    printf("altstack: on_alt=%d\n", on_alt);
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    kill(getpid(), SIGUSR1);
    printf("no SA_ONSTACK: on_alt=%d\n", on_alt);

    /* 4. SA_RESETHAND: the handler is reset to SIG_DFL after one delivery. */
    hits = 0;
    install(SIGUSR2, plain_handler, SA_RESETHAND);
    raise(SIGUSR2);
    struct sigaction cur;
    sigaction(SIGUSR2, NULL, &cur);
    printf("resethand: hits=%d reset_to_default=%d\n", hits, cur.sa_handler == SIG_DFL);

    /* 5. Blocked, then unblocked. */
    hits = 0;
    install(SIGUSR2, plain_handler, 0);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, NULL);
    raise(SIGUSR2);
    sigset_t pend;
    sigpending(&pend);
    printf("blocked: hits=%d pending=%d\n", hits, sigismember(&pend, SIGUSR2));
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    printf("unblocked: hits=%d\n", hits);

    /* 6. A handler raising another signal. */
    hits = 0;
    install(SIGHUP, raising_handler, 0);
    raise(SIGHUP);
    printf("nested: handler_done=%d usr2_hits=%d\n", nested, hits);

    /* 7. A timer interrupting pause(). */
    hits = 0;
    install(SIGALRM, plain_handler, 0);
    struct itimerval it = { .it_value = { 0, 50000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    int r = pause();
    printf("pause: returned %d errno=%s hits=%d\n", r, errno == EINTR ? "EINTR" : "other", hits);

    /* 8. A blocking read interrupted by a timer, with and without SA_RESTART. */
    for (int restart = 0; restart < 2; restart++) {
        int fds[2];
        if (pipe(fds) != 0)
            return 1;
        pid_t child = fork();
        if (child == 0) {
            usleep(300000);
            if (write(fds[1], "x", 1) != 1)
                _exit(1);
            _exit(0);
        }
        hits = 0;
        install(SIGALRM, plain_handler, restart ? SA_RESTART : 0);
        setitimer(ITIMER_REAL, &it, NULL);
        char c = 0;
        errno = 0;
        ssize_t n = read(fds[0], &c, 1);
        printf("read with%s SA_RESTART: n=%zd errno=%s hits=%d\n", restart ? "" : "out", n,
               n < 0 && errno == EINTR ? "EINTR" : "none", hits);
        int status;
        waitpid(child, &status, 0);
        close(fds[0]);
        close(fds[1]);
    }

    /* 9. sigsuspend: wait with SIGUSR1 unblocked only while suspended. */
    hits = 0;
    install(SIGUSR1, plain_handler, 0);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        usleep(100000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    sigset_t empty;
    sigemptyset(&empty);
    r = sigsuspend(&empty);
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("sigsuspend: returned %d errno=%s hits=%d usr1 blocked again=%d\n", r, errno == EINTR ? "EINTR" : "other",
           hits, sigismember(&now, SIGUSR1));
    waitpid(child, NULL, 0);

    /* 10. A tight loop (no system calls) interrupted by a timer: the handler
     * runs and the loop sees the flag it sets. */
    hits = 0;
    install(SIGALRM, plain_handler, 0);
    setitimer(ITIMER_REAL, &it, NULL);
    unsigned long spins = 0;
    while (!hits)
        spins++;
    printf("tight loop interrupted: hits=%d spun=%d\n", hits, spins > 0);

    /* 11. Default action after all: a child killed by SIGTERM. */
    child = fork();
    if (child == 0) {
        raise(SIGTERM);
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    printf("child: signaled=%d sig=%d\n", WIFSIGNALED(status), WTERMSIG(status));
    return 0;
}
