/*
 * Start-up state of a process: argc/argv/envp layout and the auxiliary
 * vector.  Only values that are the same on every correct Linux/AArch64
 * loader are printed (no addresses, no random bytes).
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "check.h"

extern char **environ;

static const char *basename_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int main(int argc, char **argv, char **envp)
{
    group_begin("args");
    printf("argc = %d\n", argc);
    printf("argv[0] basename = %s\n", basename_of(argv[0]));
    for (int i = 1; i < argc; i++)
        printf("argv[%d] = \"%s\" (len %zu)\n", i, argv[i], strlen(argv[i]));
    CHECK("argv[argc] is NULL", argv[argc] == NULL);
    group_end();

    group_begin("envp");
    /* The kernel lays envp out right after argv's terminating NULL. */
    CHECK("envp follows argv", envp == argv + argc + 1);
    CHECK("environ == envp", environ == envp);
    int n = 0, bad = 0;
    for (char **e = envp; *e; e++, n++)
        if (!strchr(*e, '='))
            bad++;
    CHECK("every env entry has '='", bad == 0);
    /* A variable a test harness may set on purpose; unset is also fine. */
    const char *g = getenv("TB_GREETING");
    printf("TB_GREETING = %s\n", g ? g : "(unset)");
    group_end();

    group_begin("auxv");
    printf("AT_PAGESZ = %lu\n", getauxval(AT_PAGESZ));
    printf("AT_PHENT = %lu\n", getauxval(AT_PHENT));
    CHECK_EQ("AT_PAGESZ matches sysconf", getauxval(AT_PAGESZ), sysconf(_SC_PAGESIZE));
    CHECK_EQ("AT_PHENT is sizeof(Elf64_Phdr)", getauxval(AT_PHENT), sizeof(Elf64_Phdr));
    CHECK("AT_PHNUM > 0", getauxval(AT_PHNUM) > 0);
    CHECK("AT_PHDR set", getauxval(AT_PHDR) != 0);
    CHECK("AT_ENTRY set", getauxval(AT_ENTRY) != 0);
    /* Static executables have no interpreter, so no interpreter base. */
    printf("AT_BASE == 0: %s\n", getauxval(AT_BASE) == 0 ? "yes" : "no");

    const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
    printf("AT_RANDOM present: %s\n", rnd ? "yes" : "no");
    CHECK("AT_RANDOM present", rnd != NULL);
    if (rnd) {
        /* 16 bytes must be readable; all-zero would mean nobody filled them. */
        int nz = 0;
        for (int i = 0; i < 16; i++)
            nz |= rnd[i];
        CHECK("AT_RANDOM bytes not all zero", nz != 0);
    }

    printf("AT_HWCAP present: %s\n", getauxval(AT_HWCAP) ? "yes" : "no");
    CHECK("AT_HWCAP has FP and ASIMD", (getauxval(AT_HWCAP) & 3) == 3);

    const char *execfn = (const char *)getauxval(AT_EXECFN);
    printf("AT_EXECFN present: %s\n", execfn ? "yes" : "no");
    CHECK("AT_EXECFN present", execfn != NULL);
    if (execfn)
        printf("AT_EXECFN basename = %s\n", basename_of(execfn));

    const char *plat = (const char *)getauxval(AT_PLATFORM);
    printf("AT_PLATFORM = %s\n", plat ? plat : "(absent)");
    CHECK("AT_PLATFORM is aarch64", plat && strcmp(plat, "aarch64") == 0);

    printf("AT_SECURE = %lu\n", getauxval(AT_SECURE));
    CHECK("AT_UID == getuid()", getauxval(AT_UID) == getuid());
    CHECK("AT_EUID == geteuid()", getauxval(AT_EUID) == geteuid());
    CHECK("AT_GID == getgid()", getauxval(AT_GID) == getgid());
    group_end();

    return check_exit_status();
}
