/*
 * Dense matrix multiply in double precision, 300x300, i-k-j loop order.
 *
 * The matrices hold small integers, so every product and partial sum is
 * exactly representable: the checksum is then the same whether or not the
 * compiler fuses multiply-adds (it does on AArch64, not on baseline
 * x86-64), and the comparison between targets stays exact.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIM 300
#define REPS 30

static uint32_t lcg_state = 2024;
static int small(void)
{
    lcg_state = lcg_state * 1103515245u + 12345u;
    return (int)(lcg_state >> 16) % 17 - 8; /* -8 .. 8 */
}

static void matmul(const double *a, const double *b, double *c)
{
    memset(c, 0, DIM * DIM * sizeof *c);
    for (int i = 0; i < DIM; i++)
        for (int k = 0; k < DIM; k++) {
            double aik = a[i * DIM + k];
            for (int j = 0; j < DIM; j++)
                c[i * DIM + j] += aik * b[k * DIM + j];
        }
}

int main(void)
{
    double *a = malloc(DIM * DIM * sizeof *a), *b = malloc(DIM * DIM * sizeof *b),
           *c = malloc(DIM * DIM * sizeof *c);
    uint64_t sum = 0;
    for (int r = 0; r < REPS; r++) {
        for (int i = 0; i < DIM * DIM; i++) {
            a[i] = small();
            b[i] = small();
        }
        matmul(a, b, c);
        /* fold the exact integer results into an order-sensitive checksum */
        for (int i = 0; i < DIM * DIM; i++)
            sum = sum * 1000003u + (uint64_t)(int64_t)c[i];
    }
    printf("checksum: %016llx c[0]=%.1f c[last]=%.1f\n", (unsigned long long)sum, c[0], c[DIM * DIM - 1]);
    free(a);
    free(b);
    free(c);
    return 0;
}
