#include <stdio.h>
#include "parts.h"
int main(void) {
    double v[1000];
    for (int i = 0; i < 1000; i++) v[i] = (i * 7919) % 1000 / 10.0;
    printf("mean %.3f stddev %.3f fnv %08x\n", mean(v, 1000), stddev(v, 1000), checksum("kestrel"));
    return 0;
}
