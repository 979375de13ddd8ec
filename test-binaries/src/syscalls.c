/*
 * Linux system calls as a guest sees them.
 *
 *   syscalls              files, directories, stat, mmap, brk, time, identity
 *   syscalls process      fork, wait4, pipes between processes, kill
 *   syscalls exec PATH    execve of another test program (PATH, e.g. the
 *                         hello binary), plus execve failures
 *
 * Everything printed is deterministic: the scratch directory is made with
 * mkdtemp under /tmp but its name is never printed, and only properties
 * (not values) of times, pids and limits are shown.  Expected failures are
 * printed as errno names.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENOTTY: return "ENOTTY";
    case ESPIPE: return "ESPIPE";
    case EPIPE: return "EPIPE";
    case ERANGE: return "ERANGE";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case ENOEXEC: return "ENOEXEC";
    case ENOMEM: return "ENOMEM";
    default: return "other";
    }
}

/* Report a call that is expected to fail with a particular errno. */
static void expect_err(const char *what, long ret, int want)
{
    int e = errno;
    printf("  %-40s -> %s\n", what, ret == -1 ? errname(e) : "success");
    if (ret != -1 || e != want)
        check_fail("%s: ret %ld errno %s, want %s", what, ret, errname(e), errname(want));
}

/* Report a call that must succeed. */
static long must(const char *what, long ret)
{
    if (ret == -1)
        check_fail("%s failed: %s", what, errname(errno));
    return ret;
}

static void val(const char *label, long long got, long long want)
{
    printf("  %-40s %lld\n", label, got);
    if (got != want)
        check_fail("%s: got %lld want %lld", label, got, want);
}

static char tmpdir[64];

/* ------------------------------------------------------------------ */

static void test_file_io(void)
{
    char buf[64];
    group_begin("file-io");
    int fd = must("openat create", openat(AT_FDCWD, "a.txt", O_CREAT | O_RDWR | O_TRUNC, 0644));
    val("write", write(fd, "hello world\n", 12), 12);
    val("lseek SEEK_CUR", lseek(fd, 0, SEEK_CUR), 12);
    val("lseek SEEK_SET", lseek(fd, 0, SEEK_SET), 0);
    memset(buf, 0, sizeof buf);
    val("read", read(fd, buf, sizeof buf), 12);
    printf("  read back: %s", buf);
    CHECK("read content", strcmp(buf, "hello world\n") == 0);
    val("read at EOF", read(fd, buf, sizeof buf), 0);
    val("pwrite", pwrite(fd, "WORLD", 5, 6), 5);
    val("offset unchanged by pwrite", lseek(fd, 0, SEEK_CUR), 12);
    memset(buf, 0, sizeof buf);
    val("pread", pread(fd, buf, 11, 0), 11);
    printf("  pread: %s\n", buf);
    CHECK("pread content", strcmp(buf, "hello WORLD") == 0);
    val("lseek SEEK_END", lseek(fd, 0, SEEK_END), 12);
    /* A write past the end leaves a hole that reads as zeros. */
    val("lseek past end", lseek(fd, 100, SEEK_SET), 100);
    val("write after hole", write(fd, "!", 1), 1);
    memset(buf, 0x55, sizeof buf);
    val("pread hole", pread(fd, buf, 8, 50), 8);
    CHECK("hole reads as zeros", memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0);

    /* Vectored I/O: three pieces out, two pieces back. */
    struct iovec out[3] = {{"abc", 3}, {"", 0}, {"defgh", 5}};
    val("writev", pwritev(fd, out, 3, 200), 8);
    lseek(fd, 200, SEEK_SET);
    char p1[4] = {0}, p2[8] = {0};
    struct iovec in[2] = {{p1, 2}, {p2, 6}};
    val("readv", readv(fd, in, 2), 8);
    printf("  readv pieces: [%s] [%s]\n", p1, p2);
    CHECK("readv content", strcmp(p1, "ab") == 0 && strcmp(p2, "cdefgh") == 0);
    lseek(fd, 0, SEEK_END);
    struct iovec out2[2] = {{"xy", 2}, {"z\n", 2}};
    val("writev at end", writev(fd, out2, 2), 4);
    val("file size", lseek(fd, 0, SEEK_END), 212);
    must("close", close(fd));

    errno = 0;
    expect_err("open missing file", open("missing.txt", O_RDONLY), ENOENT);
    expect_err("O_CREAT|O_EXCL on existing", open("a.txt", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
    expect_err("read closed fd", read(fd, buf, 1), EBADF);
    fd = must("open read-only", open("a.txt", O_RDONLY));
    expect_err("write to O_RDONLY fd", write(fd, "x", 1), EBADF);
    expect_err("open dir for writing", open(".", O_WRONLY), EISDIR);
    expect_err("open file as directory", open("a.txt/x", O_RDONLY), ENOTDIR);
    expect_err("lseek negative", lseek(fd, -1, SEEK_SET), EINVAL);
    close(fd);
    group_end();
}

static void test_fd_ops(void)
{
    char buf[32];
    group_begin("fd-ops");
    int fd = must("open", open("a.txt", O_RDWR));
    int d = must("dup", dup(fd));
    /* Duplicates share the file offset. */
    lseek(fd, 6, SEEK_SET);
    val("dup shares offset", lseek(d, 0, SEEK_CUR), 6);
    val("dup3 to 100", dup3(fd, 100, O_CLOEXEC), 100);
    val("FD_CLOEXEC set by dup3", fcntl(100, F_GETFD), FD_CLOEXEC);
    val("FD_CLOEXEC clear on dup", fcntl(d, F_GETFD), 0);
    expect_err("dup3 onto itself", dup3(fd, fd, 0), EINVAL);
    val("F_DUPFD_CLOEXEC from 50", fcntl(fd, F_DUPFD_CLOEXEC, 50), 50);
    val("F_GETFL access mode", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
    must("F_SETFL O_APPEND", fcntl(fd, F_SETFL, O_APPEND));
    val("F_GETFL has O_APPEND", !!(fcntl(fd, F_GETFL) & O_APPEND), 1);
    /* With O_APPEND, writes go to the end whatever the offset. */
    lseek(fd, 0, SEEK_SET);
    write(fd, "++", 2);
    val("append wrote at end", lseek(fd, 0, SEEK_CUR), 214);
    close(d);
    close(100);
    close(50);
    close(fd);
    expect_err("fcntl on closed fd", fcntl(100, F_GETFD), EBADF);

    int p[2];
    must("pipe2", pipe2(p, O_CLOEXEC | O_NONBLOCK));
    val("pipe read end CLOEXEC", fcntl(p[0], F_GETFD), FD_CLOEXEC);
    expect_err("read empty non-blocking pipe", read(p[0], buf, sizeof buf), EAGAIN);
    val("write pipe", write(p[1], "ping", 4), 4);
    memset(buf, 0, sizeof buf);
    val("read pipe", read(p[0], buf, sizeof buf), 4);
    CHECK("pipe data", strcmp(buf, "ping") == 0);
    expect_err("lseek on pipe", lseek(p[0], 0, SEEK_SET), ESPIPE);
    close(p[1]);
    val("read after writer closed (EOF)", read(p[0], buf, sizeof buf), 0);
    close(p[0]);
    /* Writing with no reader gives EPIPE (SIGPIPE ignored for this). */
    signal(SIGPIPE, SIG_IGN);
    must("pipe2 (plain)", pipe2(p, 0));
    close(p[0]);
    expect_err("write to pipe without reader", write(p[1], "x", 1), EPIPE);
    close(p[1]);
    signal(SIGPIPE, SIG_DFL);

    int nul = must("open /dev/null", open("/dev/null", O_RDWR));
    struct winsize ws;
    expect_err("ioctl TIOCGWINSZ on /dev/null", ioctl(nul, TIOCGWINSZ, &ws), ENOTTY);
    val("isatty(/dev/null)", isatty(nul), 0);
    val("read /dev/null", read(nul, buf, sizeof buf), 0);
    val("write /dev/null", write(nul, buf, 10), 10);
    close(nul);
    group_end();
}

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static int cmp_names(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

static void test_dirs(void)
{
    group_begin("dirs");
    must("mkdir d", mkdir("d", 0755));
    expect_err("mkdir existing", mkdir("d", 0755), EEXIST);
    int dfd = must("open dir", open("d", O_RDONLY | O_DIRECTORY));
    /* Files made relative to the directory fd. */
    const char *names[] = {"c", "a", "b"};
    for (int i = 0; i < 3; i++) {
        int f = must("openat in dir", openat(dfd, names[i], O_CREAT | O_WRONLY, 0644));
        write(f, names[i], 1);
        close(f);
    }
    must("mkdirat sub", mkdirat(dfd, "sub", 0700));
    must("symlinkat", symlinkat("a", dfd, "lnk"));

    /* getdents64, raw; the order is filesystem-specific, so sort. */
    char ents[32][64], dbuf[1024];
    int n = 0;
    long got;
    while ((got = syscall(SYS_getdents64, dfd, dbuf, sizeof dbuf)) > 0) {
        for (long off = 0; off < got;) {
            struct linux_dirent64 *e = (struct linux_dirent64 *)(dbuf + off);
            char t = e->d_type == DT_DIR ? 'd' : e->d_type == DT_REG ? 'f' : e->d_type == DT_LNK ? 'l' : '?';
            if (n < 32)
                snprintf(ents[n++], 64, "%s:%c", e->d_name, t);
            off += e->d_reclen;
        }
    }
    CHECK("getdents64 end", got == 0);
    qsort(ents, n, sizeof ents[0], cmp_names);
    printf("  getdents64:");
    for (int i = 0; i < n; i++)
        printf(" %s", ents[i]);
    printf("\n");
    CHECK("7 entries including . and ..", n == 7);

    /* readdir (glibc over getdents64) agrees on the count. */
    DIR *dir = opendir("d");
    int cnt = 0;
    while (readdir(dir))
        cnt++;
    closedir(dir);
    val("readdir count", cnt, 7);

    expect_err("rmdir non-empty", rmdir("d"), ENOTEMPTY);
    expect_err("unlink a directory", unlink("d/sub"), EISDIR);
    must("rename a -> e", rename("d/a", "d/e"));
    expect_err("stat old name", access("d/a", F_OK), ENOENT);
    must("rename over existing", rename("d/e", "d/b"));
    char c = 0;
    int f = must("open renamed", open("d/b", O_RDONLY));
    read(f, &c, 1);
    close(f);
    printf("  d/b now holds: %c\n", c);
    CHECK("rename replaced target", c == 'a');
    expect_err("rename dir into itself", rename("d", "d/sub/x"), EINVAL);
    must("renameat", renameat(dfd, "c", dfd, "c2"));

    char cwd[256], want[256];
    must("chdir d", chdir("d"));
    CHECK("getcwd", getcwd(cwd, sizeof cwd) != NULL);
    snprintf(want, sizeof want, "%s/d", tmpdir);
    printf("  getcwd is <tmpdir>/d: %s\n", strcmp(cwd, want) == 0 ? "yes" : "no");
    CHECK("getcwd value", strcmp(cwd, want) == 0);
    errno = 0;
    expect_err("getcwd small buffer", getcwd(cwd, 4) ? 0 : -1, ERANGE);
    must("fchdir back", fchdir(dfd));
    must("chdir ..", chdir(".."));
    CHECK("back in tmpdir", getcwd(cwd, sizeof cwd) && strcmp(cwd, tmpdir) == 0);
    close(dfd);
    group_end();
}

static void show_mode(const char *what, mode_t m)
{
    const char *t = S_ISREG(m) ? "reg" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "lnk" : S_ISFIFO(m) ? "fifo" : "other";
    printf("  %-40s %s %04o\n", what, t, (unsigned)(m & 07777));
}

static void test_stat(void)
{
    struct stat st;
    group_begin("stat");
    umask(022);
    int fd = must("create s.txt", open("s.txt", O_CREAT | O_RDWR | O_TRUNC, 0666));
    write(fd, "0123456789", 10);
    must("fstat", fstat(fd, &st));
    val("fstat size", st.st_size, 10);
    show_mode("fstat mode (umask 022)", st.st_mode);
    CHECK("mode 0644", (st.st_mode & 07777) == 0644 && S_ISREG(st.st_mode));
    val("nlink", st.st_nlink, 1);
    must("link", link("s.txt", "s2.txt"));
    must("stat", stat("s2.txt", &st));
    val("nlink after link", st.st_nlink, 2);
    must("symlink", symlink("s.txt", "s.lnk"));
    must("lstat", lstat("s.lnk", &st));
    show_mode("lstat symlink", st.st_mode);
    val("lstat symlink size", st.st_size, 5);
    must("stat through symlink", stat("s.lnk", &st));
    val("stat through symlink size", st.st_size, 10);
    char lb[64];
    long l = must("readlink", readlink("s.lnk", lb, sizeof lb));
    lb[l > 0 ? l : 0] = 0;
    printf("  readlink -> %s (%ld)\n", lb, l);
    CHECK("readlink", l == 5 && strcmp(lb, "s.txt") == 0);
    expect_err("readlink on regular file", readlink("s.txt", lb, sizeof lb), EINVAL);
    must("symlink loop", symlink("loop", "loop"));
    expect_err("open symlink loop", open("loop", O_RDONLY), ELOOP);

    /* statx through the raw system call (glibc would fall back silently). */
    struct statx sx;
    memset(&sx, 0, sizeof sx);
    must("statx", syscall(SYS_statx, AT_FDCWD, "s.txt", 0, STATX_BASIC_STATS, &sx));
    val("statx size", (long long)sx.stx_size, 10);
    val("statx nlink", sx.stx_nlink, 2);
    show_mode("statx mode", sx.stx_mode);
    CHECK("statx mask has size", sx.stx_mask & STATX_SIZE);
    must("statx AT_SYMLINK_NOFOLLOW", syscall(SYS_statx, AT_FDCWD, "s.lnk", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx));
    show_mode("statx symlink mode", sx.stx_mode);
    CHECK("statx nofollow gives a link", S_ISLNK(sx.stx_mode));

    must("chmod 0600", chmod("s.txt", 0600));
    must("stat", stat("s.txt", &st));
    show_mode("after chmod", st.st_mode);
    must("fchmod 0640", fchmod(fd, 0640));
    must("fstat", fstat(fd, &st));
    show_mode("after fchmod", st.st_mode);
    must("access R_OK", access("s.txt", R_OK));
    /* No execute bit at all: refused even for root. */
    expect_err("access X_OK without x bits", access("s.txt", X_OK), EACCES);
    expect_err("access missing", access("nope", F_OK), ENOENT);

    /* Fixed timestamps in, same timestamps out. */
    struct timespec ts[2] = {{1000000000, 123456789}, {1234567890, 500000000}};
    must("utimensat", utimensat(AT_FDCWD, "s.txt", ts, 0));
    must("stat", stat("s.txt", &st));
    printf("  atime %lld.%09ld mtime %lld.%09ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    CHECK("utimensat atime", st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789);
    CHECK("utimensat mtime", st.st_mtim.tv_sec == 1234567890 && st.st_mtim.tv_nsec == 500000000);
    struct timespec ts2[2] = {{0, UTIME_OMIT}, {2000000000, 0}};
    must("utimensat UTIME_OMIT", utimensat(AT_FDCWD, "s.txt", ts2, 0));
    must("stat", stat("s.txt", &st));
    printf("  atime %lld.%09ld mtime %lld.%09ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    CHECK("UTIME_OMIT kept atime", st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 2000000000);

    must("truncate 100", truncate("s.txt", 100));
    must("stat", stat("s.txt", &st));
    val("size after truncate", st.st_size, 100);
    must("ftruncate 5", ftruncate(fd, 5));
    must("fstat", fstat(fd, &st));
    val("size after ftruncate", st.st_size, 5);
    close(fd);

    struct statfs sfs;
    must("statfs", statfs(".", &sfs));
    printf("  statfs f_bsize > 0: %s\n", sfs.f_bsize > 0 ? "yes" : "no");
    CHECK("statfs f_bsize", sfs.f_bsize > 0);

    /* umask: the previous value comes back, and new files obey it. */
    val("umask returns previous", umask(077), 022);
    fd = must("create under umask 077", open("u.txt", O_CREAT | O_WRONLY, 0666));
    fstat(fd, &st);
    show_mode("mode under umask 077", st.st_mode);
    CHECK("umask applied", (st.st_mode & 0777) == 0600);
    close(fd);
    umask(022);
    group_end();
}

static void test_mmap(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    group_begin("mmap");
    uint8_t *m = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK("anonymous mmap", m != MAP_FAILED);
    int zero = 1;
    for (long i = 0; i < 3 * pg; i++)
        zero &= m[i] == 0;
    CHECK("anonymous memory starts zeroed", zero);
    for (long i = 0; i < 3 * pg; i++)
        m[i] = (uint8_t)(i / 7);
    must("mprotect read-only", mprotect(m + pg, pg, PROT_READ));
    CHECK("read-only page still readable", m[pg + 10] == (uint8_t)((pg + 10) / 7));
    must("mprotect back to rw", mprotect(m + pg, pg, PROT_READ | PROT_WRITE));
    /* Punch a hole and map a fresh page into it at the same address. */
    must("munmap middle page", munmap(m + pg, pg));
    void *fix = mmap(m + pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK("MAP_FIXED lands at the address", fix == m + pg);
    CHECK("refilled page is zero", m[pg] == 0 && m[2 * pg - 1] == 0);
    CHECK("neighbours kept data", m[pg - 1] == (uint8_t)((pg - 1) / 7) && m[2 * pg] == (uint8_t)((2 * pg) / 7));
    /* Grow with mremap: contents move along. */
    uint8_t *g = mremap(m, 3 * pg, 10 * pg, MREMAP_MAYMOVE);
    CHECK("mremap grow", g != MAP_FAILED);
    if (g != MAP_FAILED) {
        CHECK("mremap kept contents", g[5] == 0 && g[pg - 1] == (uint8_t)((pg - 1) / 7) && g[2 * pg + 3] == (uint8_t)((2 * pg + 3) / 7));
        g[10 * pg - 1] = 1; /* the new tail is usable */
        CHECK("mremap tail zero-filled", g[9 * pg] == 0);
        /* MADV_DONTNEED on private anonymous memory drops the contents. */
        must("madvise DONTNEED", madvise(g, pg, MADV_DONTNEED));
        CHECK("page zero after MADV_DONTNEED", g[pg - 1] == 0);
        must("munmap", munmap(g, 10 * pg));
    }
    expect_err("munmap unaligned", munmap((char *)m + 1, pg), EINVAL);
    expect_err("mmap bad fd", (long)(mmap(NULL, pg, PROT_READ, MAP_SHARED, 999, 0) == MAP_FAILED ? -1 : 0), EBADF);

    /* File mappings: shared writes reach the file, private ones don't. */
    int fd = must("create map.bin", open("map.bin", O_CREAT | O_RDWR | O_TRUNC, 0644));
    uint8_t *data = malloc(2 * pg + 100);
    for (long i = 0; i < 2 * pg + 100; i++)
        data[i] = (uint8_t)(i * 3 + 1);
    write(fd, data, 2 * pg + 100);
    uint8_t *fm = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK("file mmap", fm != MAP_FAILED);
    if (fm != MAP_FAILED) {
        CHECK("file contents mapped", memcmp(fm, data, 2 * pg + 100) == 0);
        int tail_zero = 1;
        for (long i = 2 * pg + 100; i < 3 * pg; i++)
            tail_zero &= fm[i] == 0;
        CHECK("past EOF in the last page reads zero", tail_zero);
        fm[7] = 0xee;
        must("msync", msync(fm, pg, MS_SYNC));
        uint8_t b = 0;
        pread(fd, &b, 1, 7);
        printf("  shared mapping write visible via pread: %02x\n", b);
        CHECK("MAP_SHARED write reaches the file", b == 0xee);
        munmap(fm, 3 * pg);
    }
    uint8_t *pm = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, pg);
    CHECK("private file mmap at offset", pm != MAP_FAILED);
    if (pm != MAP_FAILED) {
        CHECK("offset mapping contents", pm[0] == data[pg] && pm[pg - 1] == data[2 * pg - 1]);
        pm[0] ^= 0xff;
        uint8_t b = 0;
        pread(fd, &b, 1, pg);
        CHECK("MAP_PRIVATE write stays private", b == data[pg]);
        munmap(pm, pg);
    }
    free(data);
    close(fd);
    printf("  anonymous, fixed, mremap, madvise, shared and private file mappings done\n");
    group_end();

    group_begin("brk");
    /* sbrk moves the program break with the brk system call. */
    void *b0 = sbrk(0);
    void *b1 = sbrk(1 << 20);
    CHECK("sbrk grow", b1 != (void *)-1 && b1 == b0);
    if (b1 != (void *)-1) {
        memset(b1, 0x5a, 1 << 20);
        CHECK("new heap writable", ((uint8_t *)b1)[(1 << 20) - 1] == 0x5a);
        CHECK("break moved", (char *)sbrk(0) == (char *)b0 + (1 << 20));
        sbrk(-(1 << 19));
        CHECK("break shrank", (char *)sbrk(0) == (char *)b0 + (1 << 19));
        long cur = syscall(SYS_brk, 0);
        CHECK("raw brk(0) reports the break", cur == (long)sbrk(0));
    }
    printf("  grow, write, shrink done\n");
    group_end();
}

static void test_time_identity(void)
{
    group_begin("time");
    struct timespec a, b, req = {0, 2000000};
    must("clock_gettime MONOTONIC", clock_gettime(CLOCK_MONOTONIC, &a));
    must("nanosleep", nanosleep(&req, NULL));
    must("clock_gettime MONOTONIC", clock_gettime(CLOCK_MONOTONIC, &b));
    long long dns = (b.tv_sec - a.tv_sec) * 1000000000ll + (b.tv_nsec - a.tv_nsec);
    CHECK("slept at least 2ms", dns >= 2000000);
    struct timespec rt;
    must("clock_gettime REALTIME", clock_gettime(CLOCK_REALTIME, &rt));
    CHECK("realtime after 2020", rt.tv_sec > 1577836800);
    struct timeval tv;
    must("gettimeofday", gettimeofday(&tv, NULL));
    CHECK("gettimeofday close to realtime", tv.tv_sec - rt.tv_sec < 100 && rt.tv_sec - tv.tv_sec < 100);
    struct timespec res;
    must("clock_getres", clock_getres(CLOCK_MONOTONIC, &res));
    CHECK("resolution at most 1ms", res.tv_sec == 0 && res.tv_nsec <= 1000000);
    struct timespec cpu;
    must("clock_gettime PROCESS_CPUTIME", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu));
    struct tms t;
    CHECK("times", times(&t) != (clock_t)-1);
    printf("  clocks, nanosleep and times ok\n");
    group_end();

    group_begin("identity");
    struct utsname u;
    must("uname", uname(&u));
    printf("  uname machine: %s\n", u.machine);
    printf("  uname sysname: %s\n", u.sysname);
    CHECK("machine is aarch64", strcmp(u.machine, "aarch64") == 0);
    uint8_t rnd[64];
    val("getrandom length", getrandom(rnd, sizeof rnd, 0), 64);
    val("getrandom GRND_NONBLOCK length", getrandom(rnd, 16, GRND_NONBLOCK), 16);
    val("kill(getpid(), 0)", kill(getpid(), 0), 0);
    CHECK("getpid > 0", getpid() > 0);
    CHECK("getppid > 0", getppid() > 0);
    val("gettid == getpid (one thread)", gettid() == getpid(), 1);
    val("getuid == geteuid", getuid() == geteuid(), 1);
    val("getgid == getegid", getgid() == getegid(), 1);
    struct rlimit rl;
    must("getrlimit STACK", getrlimit(RLIMIT_STACK, &rl));
    CHECK("stack soft <= hard", rl.rlim_max == RLIM_INFINITY || rl.rlim_cur <= rl.rlim_max);
    must("getrlimit NOFILE", getrlimit(RLIMIT_NOFILE, &rl));
    CHECK("nofile soft >= 64", rl.rlim_cur >= 64);
    struct sysinfo si;
    must("sysinfo", sysinfo(&si));
    CHECK("sysinfo totalram", si.totalram > 0);
    printf("  getrlimit: ok\n  sysinfo: ok\n");
    group_end();
}

/* ------------------------------------------------------------------ */

static void test_process(void)
{
    int st = 0;
    struct rusage ru;
    group_begin("fork-wait");
    fflush(stdout); /* the child must not inherit buffered output */
    pid_t c = fork();
    if (c == 0)
        _exit(7);
    CHECK("fork", c > 0);
    pid_t w = wait4(c, &st, 0, &ru);
    CHECK("wait4 returns the child", w == c);
    printf("  child exited: %s status %d\n", WIFEXITED(st) ? "yes" : "no", WEXITSTATUS(st));
    CHECK("exit status 7", WIFEXITED(st) && WEXITSTATUS(st) == 7);

    fflush(stdout);
    c = fork();
    if (c == 0) {
        struct timespec ts = {10, 0};
        nanosleep(&ts, NULL);
        _exit(0);
    }
    kill(c, SIGKILL);
    w = waitpid(c, &st, 0);
    printf("  killed child: signaled %s signal %d\n", WIFSIGNALED(st) ? "yes" : "no", WTERMSIG(st));
    CHECK("child killed by SIGKILL", w == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    expect_err("waitpid with no children", waitpid(-1, &st, WNOHANG), ECHILD);
    group_end();

    group_begin("pipe-parent-child");
    int up[2], down[2];
    must("pipe up", pipe(up));
    must("pipe down", pipe(down));
    fflush(stdout);
    c = fork();
    if (c == 0) {
        /* Child: read numbers from the parent, report their sum upwards and
         * in the exit status. */
        close(up[0]);
        close(down[1]);
        char buf[64];
        long sum = 0, n;
        while ((n = read(down[0], buf, sizeof buf - 1)) > 0) {
            buf[n] = 0;
            for (char *p = buf; *p; p++)
                if (*p >= '0' && *p <= '9')
                    sum += *p - '0';
        }
        char msg[64];
        int len = snprintf(msg, sizeof msg, "child saw digit sum %ld\n", sum);
        write(up[1], msg, len);
        _exit((int)(sum & 0xff));
    }
    close(up[1]);
    close(down[0]);
    write(down[1], "1 2 3 4", 7);
    write(down[1], " 5 6 7 8 9", 10);
    close(down[1]); /* EOF for the child */
    char rb[128];
    long total = 0, n;
    while ((n = read(up[0], rb + total, sizeof rb - 1 - total)) > 0)
        total += n;
    rb[total] = 0;
    close(up[0]);
    printf("  from child: %s", rb);
    CHECK("child message", strcmp(rb, "child saw digit sum 45\n") == 0);
    waitpid(c, &st, 0);
    val("child exit status", WEXITSTATUS(st), 45);
    group_end();
}

/* execve: qemu-user without binfmt_misc cannot run a foreign executable
 * that a guest execs, so reference outputs are made with TB_EXEC_WRAPPER
 * naming the emulator; the child then runs "WRAPPER -0 hello PATH ...".
 * The output is the same either way. */
static void test_exec(const char *path)
{
    int st = 0;
    group_begin("execve");
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        char *const args[] = {"hello", "from-exec", "two words", NULL};
        const char *wrap = getenv("TB_EXEC_WRAPPER");
        if (wrap && *wrap) {
            char *const wargs[] = {(char *)wrap, "-0", "hello", (char *)path, "from-exec", "two words", NULL};
            execv(wrap, wargs);
        } else {
            execv(path, args);
        }
        printf("  execve failed: %s\n", errname(errno));
        fflush(stdout);
        _exit(127);
    }
    waitpid(c, &st, 0);
    printf("  exec'd child exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    CHECK("exec'd program exited 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);

    char *const none[] = {"x", NULL};
    expect_err("execve missing file", execv("/nonexistent/prog", none), ENOENT);
    expect_err("execve a directory", execv("/tmp", none), EACCES);
    group_end();
}

static void rm_rf(const char *dir)
{
    /* The scratch tree is flat apart from d/sub. */
    const char *files[] = {"a.txt", "s.txt", "s2.txt", "s.lnk", "loop", "u.txt", "map.bin",
                           "d/b", "d/c2", "d/lnk", "d/sub"};
    char p[128];
    for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        if (unlink(p) != 0)
            rmdir(p);
    }
    snprintf(p, sizeof p, "%s/d", dir);
    rmdir(p);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "files";
    if (strcmp(mode, "process") == 0) {
        test_process();
    } else if (strcmp(mode, "exec") == 0) {
        if (argc < 3) {
            printf("usage: syscalls exec PATH-OF-HELLO\n");
            return 2;
        }
        test_exec(argv[2]);
    } else {
        strcpy(tmpdir, "/tmp/kestrel-sys-XXXXXX");
        if (!mkdtemp(tmpdir) || chdir(tmpdir) != 0) {
            printf("cannot make a scratch directory: %s\n", errname(errno));
            return 1;
        }
        test_file_io();
        test_fd_ops();
        test_dirs();
        test_stat();
        test_mmap();
        test_time_identity();
        chdir("/");
        rm_rf(tmpdir);
        printf("scratch directory removed: %s\n", access(tmpdir, F_OK) != 0 ? "yes" : "no");
    }
    return check_exit_status();
}
