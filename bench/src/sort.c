/*
 * Sorting: a hand-written quicksort (median of three, insertion sort for
 * small ranges) and a top-down mergesort, each over a few million
 * pseudo-random 32-bit integers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 2000000

static uint32_t lcg_state = 12345;
static uint32_t lcg(void)
{
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return lcg_state;
}

static void insertion(int32_t *a, long lo, long hi)
{
    for (long i = lo + 1; i <= hi; i++) {
        int32_t v = a[i];
        long j = i - 1;
        while (j >= lo && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void quicksort(int32_t *a, long lo, long hi)
{
    while (hi - lo > 16) {
        long mid = lo + (hi - lo) / 2;
        /* median of three as pivot keeps sorted runs from going quadratic */
        if (a[mid] < a[lo]) { int32_t t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
        if (a[hi] < a[lo]) { int32_t t = a[hi]; a[hi] = a[lo]; a[lo] = t; }
        if (a[hi] < a[mid]) { int32_t t = a[hi]; a[hi] = a[mid]; a[mid] = t; }
        int32_t p = a[mid];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i <= j) {
                int32_t t = a[i]; a[i] = a[j]; a[j] = t;
                i++;
                j--;
            }
        }
        /* recurse into the smaller half, loop on the larger */
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
    insertion(a, lo, hi);
}

static void mergesort_rec(int32_t *a, int32_t *tmp, long lo, long hi)
{
    if (hi - lo < 24) {
        insertion(a, lo, hi);
        return;
    }
    long mid = lo + (hi - lo) / 2;
    mergesort_rec(a, tmp, lo, mid);
    mergesort_rec(a, tmp, mid + 1, hi);
    long i = lo, j = mid + 1, k = lo;
    while (i <= mid && j <= hi)
        tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
    while (i <= mid)
        tmp[k++] = a[i++];
    while (j <= hi)
        tmp[k++] = a[j++];
    memcpy(a + lo, tmp + lo, (hi - lo + 1) * sizeof *a);
}

static uint64_t digest(const int32_t *a, long n)
{
    uint64_t h = 0;
    for (long i = 0; i < n; i++)
        h = h * 31 + (uint32_t)a[i];
    return h;
}

int main(void)
{
    int32_t *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b), *tmp = malloc(N * sizeof *tmp);
    for (long i = 0; i < N; i++)
        a[i] = (int32_t)lcg();
    memcpy(b, a, N * sizeof *a);

    quicksort(a, 0, N - 1);
    mergesort_rec(b, tmp, 0, N - 1);

    int ok = memcmp(a, b, N * sizeof *a) == 0;
    for (long i = 1; i < N; i++)
        ok &= a[i - 1] <= a[i];
    printf("sorted: %s\n", ok ? "yes" : "no");
    printf("checksum: %016llx min %d max %d median %d\n", (unsigned long long)digest(a, N), a[0], a[N - 1],
           a[N / 2]);
    free(a);
    free(b);
    free(tmp);
    return ok ? 0 : 1;
}
