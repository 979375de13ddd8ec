/* A position-independent static program for the persistent translation
 * cache: loaded at a different address each run (so cached translations
 * must be relocated), with enough distinct code (a jump table, function
 * pointers, recursion, string handling) that a warm run installs many
 * blocks. `magic` returns a constant the cache test patches in the file to
 * check that a changed binary never runs stale code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) int magic(void) { return 0x1234; }

static unsigned long collatz(unsigned long n) {
    unsigned long steps = 0;
    while (n != 1) {
        n = n & 1 ? 3 * n + 1 : n / 2;
        steps++;
    }
    return steps;
}

static int op(int kind, int a, int b) {
    switch (kind) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return b ? a / b : 0;
    case 4: return a ^ b;
    case 5: return a | b;
    case 6: return a & b;
    case 7: return a << (b & 7);
    default: return -1;
    }
}

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static int sq(int x) { return x * x; }
static int cube(int x) { return x * x * x; }
static int neg(int x) { return -x; }

int main(int argc, char **argv) {
    int (*fns[])(int) = {sq, cube, neg};
    unsigned long total = 0;
    for (unsigned long i = 1; i < 3000; i++)
        total += collatz(i);
    int acc = 0;
    for (int i = 0; i < 1000; i++)
        acc = op(i % 9, acc, i) & 0xffffff;
    int f = 0;
    for (int i = 0; i < 30; i++)
        f += fns[i % 3](i);
    char buf[256];
    snprintf(buf, sizeof buf, "%lu %d %d %d", total, acc, f, fib(20));
    size_t len = strlen(buf);
    qsort(buf, len, 1, (int (*)(const void *, const void *))strcmp);
    printf("collatz %lu ops %d fns %d fib %d sorted-len %zu magic %#x args %d\n", total, acc, f, fib(20), len, magic(),
           argc);
    (void)argv;
    return 0;
}
