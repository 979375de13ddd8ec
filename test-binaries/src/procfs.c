/*
 * The process's own files under /proc, as a program sees them on
 * Linux/AArch64: /proc/self/exe, maps, auxv, cmdline and stat (also through
 * /proc/<pid>/), and /proc/cpuinfo.  Only properties that hold on every
 * correct system are printed: no addresses, pids or device numbers.
 *
 *   procfs [ARGS...]   exe, maps, auxv, cmdline, stat
 *   procfs strict      what qemu-user 7.2 does not emulate but Linux does:
 *                      stat of /proc/self/exe, procfs file modes, the code
 *                      range in stat, the [heap] line
 *   procfs cpuinfo     /proc/cpuinfo against AT_HWCAP and the CPU count
 *   procfs ids         real and effective user, AT_SECURE (for set-user-ID
 *                      runs in scripts/test-binfmt.sh)
 *
 * The first mode's output is recorded under qemu-aarch64; the other two are
 * checked by linux-user/tests/procfs.rs.
 */
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char buf[1 << 20];

static const char *basename_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Whole file into buf (NUL-terminated); returns its length or -1. */
static long slurp(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    long n = 0, r;
    while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
        n += r;
    close(fd);
    buf[n] = 0;
    return r < 0 ? -1 : n;
}

/* A parsed line of maps. */
struct map {
    unsigned long start, end, offset, inode;
    char perms[5];
    int path_col; /* column where the path starts, or -1 */
    const char *path;
};

static int parse_map(char *line, struct map *m)
{
    int n = 0;
    unsigned maj, min;
    if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &m->start, &m->end, m->perms, &m->offset,
               &maj, &min, &m->inode, &n) < 7)
        return 0;
    m->path = line + n;
    m->path_col = *m->path ? n : -1;
    return 1;
}

/* The line of /proc/self/maps covering addr, copied into *m. */
static int find_map(unsigned long addr, struct map *m, char *line_out, size_t line_size)
{
    static char text[1 << 20];
    int fd = open("/proc/self/maps", O_RDONLY);
    if (fd < 0)
        return 0;
    long n = 0, r;
    while ((r = read(fd, text + n, sizeof text - 1 - n)) > 0)
        n += r;
    close(fd);
    text[n] = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (parse_map(line, m) && m->start <= addr && addr < m->end) {
            snprintf(line_out, line_size, "%s", m->path);
            m->path = line_out;
            return 1;
        }
    }
    return 0;
}

static void check_exe(char *exe, size_t size, const char *argv0)
{
    group_begin("exe");
    char by_pid[64], other[PATH_MAX], real[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, size - 1);
    exe[n > 0 ? n : 0] = 0;
    snprintf(by_pid, sizeof by_pid, "/proc/%d/exe", (int)getpid());
    ssize_t m = readlink(by_pid, other, sizeof other - 1);
    other[m > 0 ? m : 0] = 0;
    CHECK("readlink /proc/self/exe", n > 0);
    CHECK("/proc/<pid>/exe is the same", strcmp(exe, other) == 0);
    CHECK("realpath(argv[0]) is exe", realpath(argv0, real) && strcmp(real, exe) == 0);
    printf("exe basename = %s, absolute: %s\n", basename_of(exe), exe[0] == '/' ? "yes" : "no");
    group_end();
}

static void check_maps(const char *exe)
{
    group_begin("maps");
    long len = slurp("/proc/self/maps");
    CHECK("read /proc/self/maps", len > 0);
    int lines = 0, bad = 0, misplaced = 0, disorder = 0, foreign = 0, text_found = 0;
    unsigned long prev_end = 0, code = (unsigned long)&check_maps;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        struct map m;
        lines++;
        if (!parse_map(line, &m) || m.start >= m.end || (m.start | m.end) & 0xfff) {
            bad++;
            continue;
        }
        disorder += m.start < prev_end;
        prev_end = m.end;
        /* The kernel pads the path to column 73 on 64-bit. */
        misplaced += m.path_col >= 0 && m.path_col != 73;
        /* By file name: the checkout's own directory may have any name. */
        foreign += strncmp(basename_of(m.path), "qemu", 4) == 0 ||
                   strcmp(basename_of(m.path), "kestrel-aarch64") == 0;
        if (m.start <= code && code < m.end && strcmp(m.perms, "r-xp") == 0 && strcmp(m.path, exe) == 0)
            text_found = 1;
    }
    CHECK("every line parses", bad == 0);
    CHECK("ascending, no overlaps", disorder == 0);
    CHECK("paths in column 73", misplaced == 0);
    CHECK("no emulator mappings", foreign == 0);
    CHECK("own code is r-xp with the program path", text_found);
    printf("lines > 3: %s\n", lines > 3 ? "yes" : "no");
    printf("text segment r-xp %s: %s\n", basename_of(exe), text_found ? "yes" : "no");

    int local = 0;
    struct map m;
    char path[PATH_MAX];
    int stack_ok = find_map((unsigned long)&local, &m, path, sizeof path);
    printf("local variable in [stack] rw-p: %s\n",
           stack_ok && strcmp(path, "[stack]") == 0 && strcmp(m.perms, "rw-p") == 0 ? "yes" : "no");

    /* The same text through /proc/<pid>/maps, and again after a seek. */
    char first[256], by_pid[64];
    slurp("/proc/self/maps");
    snprintf(first, sizeof first, "%.*s", (int)strcspn(buf, "\n"), buf);
    snprintf(by_pid, sizeof by_pid, "/proc/%d/maps", (int)getpid());
    slurp(by_pid);
    CHECK("/proc/<pid>/maps starts the same", strncmp(buf, first, strlen(first)) == 0);
    int fd = open("/proc/self/maps", O_RDONLY);
    char a[64] = {0}, b[64] = {0};
    CHECK("read, lseek 0, read again",
          read(fd, a, sizeof a - 1) > 0 && lseek(fd, 0, SEEK_SET) == 0 &&
              read(fd, b, sizeof b - 1) > 0 && strcmp(a, b) == 0);
    close(fd);
    group_end();
}

static void check_auxv(void)
{
    group_begin("auxv");
    long len = slurp("/proc/self/auxv");
    CHECK("a whole number of pairs", len > 0 && len % 16 == 0);
    const Elf64_auxv_t *v = (const Elf64_auxv_t *)buf;
    long pairs = len / 16, mismatches = 0, compared = 0;
    const unsigned long keys[] = {AT_PAGESZ, AT_PHDR, AT_PHNUM, AT_ENTRY, AT_HWCAP,
                                  AT_RANDOM, AT_EXECFN, AT_UID, AT_PLATFORM};
    for (long i = 0; i < pairs; i++)
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (v[i].a_type == keys[k]) {
                compared++;
                mismatches += v[i].a_un.a_val != getauxval(keys[k]);
            }
    CHECK("values match getauxval", mismatches == 0);
    CHECK("ends with AT_NULL", pairs > 0 && v[pairs - 1].a_type == AT_NULL);
    printf("entries compared with getauxval: %ld\n", compared);
    printf("AT_PAGESZ = %lu\n", getauxval(AT_PAGESZ));
    group_end();
}

static void check_cmdline(int argc, char **argv)
{
    group_begin("cmdline");
    long len = slurp("/proc/self/cmdline");
    long want = 0;
    int same = 1;
    for (int i = 0; i < argc; i++) {
        size_t n = strlen(argv[i]) + 1;
        same &= want + (long)n <= len && memcmp(buf + want, argv[i], n) == 0;
        want += n;
    }
    CHECK("argv, NUL-separated", same && len == want);
    int count = 0;
    for (long i = 0; i < len; i++)
        count += buf[i] == 0;
    printf("strings = %d (argc %d)\n", count, argc);
    for (long i = strlen(buf) + 1; i < len; i += strlen(buf + i) + 1)
        printf("arg \"%s\"\n", buf + i);
    group_end();
}

static void check_stat(const char *exe, int strict)
{
    group_begin("stat");
    CHECK("read /proc/self/stat", slurp("/proc/self/stat") > 0);
    char *open_paren = strchr(buf, '('), *close_paren = strrchr(buf, ')');
    CHECK("comm in parentheses", open_paren && close_paren && close_paren > open_paren);
    if (!open_paren || !close_paren) {
        group_end();
        return;
    }
    *close_paren = 0;
    printf("comm = %s\n", open_paren + 1);
    CHECK("comm is the program name", strncmp(open_paren + 1, basename_of(exe), 15) == 0);
    CHECK("pid", strtol(buf, NULL, 10) == getpid());
    /* Fields from 3 on; field N is f[N - 3]. */
    unsigned long f[60] = {0};
    int n = 0;
    char *p = close_paren + 2;
    f[n++] = *p; /* state */
    p++;
    while (n < 60 && *p) {
        char *end;
        f[n++] = strtoul(p, &end, 10);
        if (end == p)
            break;
        p = end;
    }
    CHECK("ppid", f[4 - 3] == (unsigned long)getppid());
    int local = 0;
    unsigned long code = (unsigned long)&check_maps, start_stack = f[28 - 3];
    struct map m;
    char path[PATH_MAX];
    CHECK("start_stack above the locals", start_stack > (unsigned long)&local);
    CHECK("start_stack in [stack]",
          find_map(start_stack, &m, path, sizeof path) && strcmp(path, "[stack]") == 0);
    if (strict)
        CHECK("code between start_code and end_code", f[26 - 3] <= code && code < f[27 - 3]);
    group_end();
}

/* Feature names of AT_HWCAP bits 0..31, in the kernel's order. */
static const char *const hwcap_names[32] = {
    "fp",      "asimd", "evtstrm", "aes",   "pmull",  "sha1",    "sha2",  "crc32",
    "atomics", "fphp",  "asimdhp", "cpuid", "asimdrdm", "jscvt", "fcma",  "lrcpc",
    "dcpop",   "sha3",  "sm3",     "sm4",   "asimddp", "sha512", "sve",   "asimdfhm",
    "dit",     "uscat", "ilrcpc",  "flagm", "ssbs",   "sb",      "paca",  "pacg",
};

static void check_cpuinfo(void)
{
    group_begin("cpuinfo");
    CHECK("read /proc/cpuinfo", slurp("/proc/cpuinfo") > 0);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int blocks = 0, arch8 = 0, sequential = 1, features_ok = 1;
    char first[5][128] = {{0}};
    const char *labels[5] = {"CPU implementer", "CPU variant", "CPU part", "CPU revision", "Features"};
    unsigned long hwcap = getauxval(AT_HWCAP);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        int n;
        if (sscanf(line, "processor\t: %d", &n) == 1) {
            sequential &= n == blocks;
            blocks++;
        } else if (strcmp(line, "CPU architecture: 8") == 0) {
            arch8++;
        }
        for (int i = 0; i < 5; i++)
            if (blocks == 1 && strncmp(line, labels[i], strlen(labels[i])) == 0)
                snprintf(first[i], sizeof first[i], "%s", line);
        if (strncmp(line, "Features\t:", 10) == 0) {
            unsigned long seen = 0;
            for (char *w = line + 10; *w;) {
                size_t len = strcspn(w + 1, " ");
                for (int b = 0; b < 32; b++)
                    if (strlen(hwcap_names[b]) == len && strncmp(w + 1, hwcap_names[b], len) == 0)
                        seen |= 1ul << b;
                w += len + 1;
            }
            features_ok &= seen == (hwcap & 0xffffffff);
        }
    }
    CHECK("one block per online CPU", blocks == cpus);
    CHECK("numbered from 0", sequential);
    CHECK("CPU architecture: 8 in every block", arch8 == blocks);
    CHECK("Features match AT_HWCAP", features_ok);
    for (int i = 0; i < 5; i++)
        printf("%s\n", first[i]);
    group_end();
}

/* What qemu-user 7.2 gets wrong. */
static void check_strict(const char *exe, const char *argv0)
{
    group_begin("strict");
    struct stat a, b;
    CHECK("stat /proc/self/exe is the program",
          stat("/proc/self/exe", &a) == 0 && stat(argv0, &b) == 0 && a.st_ino == b.st_ino);
    int fd = open("/proc/self/maps", O_RDONLY);
    CHECK("fstat: a read-only regular file",
          fstat(fd, &a) == 0 && S_ISREG(a.st_mode) && (a.st_mode & 0222) == 0);
    close(fd);
    group_end();
    check_stat(exe, 1);

    group_begin("heap");
    /* Small allocations come from brk in glibc's main arena. */
    void *p = malloc(64);
    struct map m;
    char path[PATH_MAX];
    CHECK("malloc'd block in [heap] rw-p",
          find_map((unsigned long)p, &m, path, sizeof path) && strcmp(path, "[heap]") == 0 &&
              strcmp(m.perms, "rw-p") == 0);
    CHECK("sbrk(0) at the end of [heap]", (unsigned long)sbrk(0) <= m.end);
    free(p);
    group_end();
}

int main(int argc, char **argv)
{
    static char exe[PATH_MAX];
    if (argc > 1 && strcmp(argv[1], "ids") == 0) {
        printf("uid %d euid %d secure %lu\n", (int)getuid(), (int)geteuid(), getauxval(AT_SECURE));
    } else if (argc > 1 && strcmp(argv[1], "cpuinfo") == 0) {
        check_cpuinfo();
    } else if (argc > 1 && strcmp(argv[1], "strict") == 0) {
        check_exe(exe, sizeof exe, argv[0]);
        check_strict(exe, argv[0]);
    } else {
        check_exe(exe, sizeof exe, argv[0]);
        check_maps(exe);
        check_auxv();
        check_cmdline(argc, argv);
        check_stat(exe, 0);
    }
    return check_exit_status();
}
