/* The smallest useful guest program: a greeting plus its arguments. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    /* argv[0] depends on how the program was started, so print only its
     * last path component to keep the output the same from any directory. */
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];

    printf("Hello from AArch64!\n");
    printf("argv[0] = %s\n", base);
    for (int i = 1; i < argc; i++)
        printf("argv[%d] = %s\n", i, argv[i]);
    return 0;
}
