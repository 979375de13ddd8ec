/* Opens files the way newer GNU tar extracts archives: openat2 with
 * RESOLVE_BENEATH relative to the extraction directory, so "../" and
 * absolute names (and symlinks leading out) cannot escape it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *try_open(int dir, const char *path, int flags)
{
    struct open_how how = {.flags = flags, .mode = flags & O_CREAT ? 0644 : 0, .resolve = RESOLVE_BENEATH};
    long fd = syscall(SYS_openat2, dir, path, &how, sizeof how);
    if (fd < 0)
        return strerror(errno);
    close(fd);
    return "ok";
}

int main(void)
{
    char dir[] = "/tmp/openat2-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    int d = open(dir, O_DIRECTORY | O_RDONLY);
    mkdirat(d, "sub", 0755);
    symlinkat("/etc/passwd", d, "escape");
    printf("create sub/file: %s\n", try_open(d, "sub/file", O_CREAT | O_WRONLY));
    printf("read sub/../sub/file: %s\n", try_open(d, "sub/../sub/file", O_RDONLY));
    printf("../etc/passwd: %s\n", try_open(d, "../etc/passwd", O_RDONLY));
    printf("/etc/passwd: %s\n", try_open(d, "/etc/passwd", O_RDONLY));
    printf("symlink out: %s\n", try_open(d, "escape", O_RDONLY));
    printf("O_DIRECTORY on a file: %s\n", try_open(d, "sub/file", O_RDONLY | O_DIRECTORY));
    unlinkat(d, "escape", 0);
    unlinkat(d, "sub/file", 0);
    unlinkat(d, "sub", AT_REMOVEDIR);
    rmdir(dir);
    return 0;
}
