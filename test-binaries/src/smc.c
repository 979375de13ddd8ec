/*
 * Self-modifying and reloaded code: the translator must notice that code it
 * has already translated (and, called in a loop, compiled) has changed.
 *
 *   1. write "mov w0, #1; ret" into an RWX page, call it many times;
 *   2. overwrite it with "mov w0, #2; ret", clean/invalidate the caches as the
 *      architecture requires (dc cvau, dsb, ic ivau, dsb, isb), call again;
 *   3. munmap the page, map a new one at the same address holding
 *      "mov w0, #3; ret" (no cache maintenance: a new mapping is new code).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef int (*fn_t)(void);

static void sync_icache(void *p, size_t len)
{
    for (uintptr_t a = (uintptr_t)p; a < (uintptr_t)p + len; a += 4) {
        __asm__ volatile("dc cvau, %0" ::"r"(a) : "memory");
    }
    __asm__ volatile("dsb ish" ::: "memory");
    for (uintptr_t a = (uintptr_t)p; a < (uintptr_t)p + len; a += 4) {
        __asm__ volatile("ic ivau, %0" ::"r"(a) : "memory");
    }
    __asm__ volatile("dsb ish\n\tisb" ::: "memory");
}

static void put_return(uint32_t *code, int value)
{
    code[0] = 0x52800000u | ((uint32_t)value << 5); /* mov w0, #value */
    code[1] = 0xd65f03c0u;                          /* ret */
}

static int call_many(fn_t f, int times)
{
    int sum = 0;
    for (int i = 0; i < times; i++)
        sum += f();
    return sum;
}

int main(void)
{
    const int prot = PROT_READ | PROT_WRITE | PROT_EXEC;
    uint32_t *code = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    put_return(code, 1);
    sync_icache(code, 8);
    printf("first version, 1000 calls: %d\n", call_many((fn_t)code, 1000));

    put_return(code, 2);
    sync_icache(code, 8);
    printf("rewritten in place, 1000 calls: %d\n", call_many((fn_t)code, 1000));

    munmap(code, 4096);
    uint32_t *again = mmap(code, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (again != code) {
        printf("could not map the same address again\n");
        return 1;
    }
    put_return(again, 3);
    printf("new mapping, 1000 calls: %d\n", call_many((fn_t)again, 1000));
    return 0;
}
