/*
 * Tiny self-check helpers shared by the test programs.
 *
 * Every program groups its checks; each group ends with exactly one summary
 * line, "NAME: ok" or "NAME: FAIL <first failing detail> (N failures)".  The
 * individual values are printed as well, so a wrong result shows up in a diff
 * against the reference output even if the self-check itself is mistaken.
 * main() returns check_exit_status(), which is non-zero if any group failed.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

static const char *chk_group_name;
static int chk_group_failures;
static int chk_failed_groups;
static char chk_first_detail[200];

static void group_begin(const char *name)
{
    chk_group_name = name;
    chk_group_failures = 0;
    chk_first_detail[0] = 0;
}

/* Record one failed check; the detail of the first one goes in the summary. */
static void __attribute__((format(printf, 1, 2))) check_fail(const char *fmt, ...)
{
    va_list ap;
    char buf[200];
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    printf("  ! %s\n", buf);
    if (chk_group_failures++ == 0)
        snprintf(chk_first_detail, sizeof chk_first_detail, "%s", buf);
}

static void group_end(void)
{
    if (chk_group_failures == 0) {
        printf("%s: ok\n", chk_group_name);
    } else {
        printf("%s: FAIL %s (%d failures)\n", chk_group_name, chk_first_detail,
               chk_group_failures);
        chk_failed_groups++;
    }
    /* Keep output ordered with anything a child process or a crash might add. */
    fflush(stdout);
}

/* Compare two 64-bit values; the label says what was computed. */
#define CHECK_EQ(label, got, want)                                              \
    do {                                                                        \
        uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                   \
        if (g_ != w_)                                                           \
            check_fail("%s: got 0x%llx want 0x%llx", (label),                   \
                       (unsigned long long)g_, (unsigned long long)w_);         \
    } while (0)

/* A plain boolean condition. */
#define CHECK(label, cond)                                                      \
    do {                                                                        \
        if (!(cond))                                                            \
            check_fail("%s", (label));                                          \
    } while (0)

static int check_exit_status(void)
{
    fflush(stdout);
    return chk_failed_groups ? 1 : 0;
}

#endif
