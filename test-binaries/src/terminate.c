/*
 * Ways for a process to end.  argv[1] picks one:
 *   exit42  exit(42) after flushing stdio
 *   ret3    return 3 from main
 *   brk     "brk #0", which Linux reports as SIGTRAP
 *   udf     "udf #0", a permanently undefined instruction: SIGILL
 *   segv    a store through a NULL pointer: SIGSEGV
 * Each prints a line first so the output written before death is checked too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";

    printf("terminate: mode=%s\n", mode);
    /* stdout is a pipe or file under test, i.e. fully buffered; a fatal
     * signal would throw the buffer away. */
    fflush(stdout);

    if (strcmp(mode, "exit42") == 0) {
        printf("calling exit(42)\n");
        exit(42); /* exit() flushes this line itself */
    } else if (strcmp(mode, "ret3") == 0) {
        printf("returning 3 from main\n");
        return 3;
    } else if (strcmp(mode, "brk") == 0) {
        asm volatile("brk #0");
    } else if (strcmp(mode, "udf") == 0) {
        asm volatile("udf #0");
    } else if (strcmp(mode, "segv") == 0) {
        /* volatile so the compiler keeps the store instead of trapping early */
        *(volatile int *)0 = 1;
    } else {
        printf("unknown mode\n");
        return 2;
    }
    printf("still alive after %s (should not happen)\n", mode);
    return 1;
}
