/*
 * Integer hashing: FNV-1a (byte at a time, multiply-bound) and a 64-bit
 * multiply/rotate block hash in the style of xxHash (four independent
 * lanes, 32 bytes per step) over a buffer of generated data.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_SIZE (4u << 20)
#define ROUNDS 150

static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t fnv1a(const uint8_t *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static const uint64_t P1 = 0x9e3779b185ebca87ull, P2 = 0xc2b2ae3d27d4eb4full,
                      P3 = 0x165667b19e3779f9ull, P4 = 0x85ebca77c2b2ae63ull;

static uint64_t lane(uint64_t acc, uint64_t in)
{
    acc += in * P2;
    acc = rotl(acc, 31);
    return acc * P1;
}

static uint64_t read64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8); /* unaligned-safe, little-endian on both targets */
    return v;
}

static uint64_t block_hash(const uint8_t *p, size_t n, uint64_t seed)
{
    uint64_t a = seed + P1 + P2, b = seed + P2, c = seed, d = seed - P1;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        a = lane(a, read64(p + i));
        b = lane(b, read64(p + i + 8));
        c = lane(c, read64(p + i + 16));
        d = lane(d, read64(p + i + 24));
    }
    uint64_t h = rotl(a, 1) + rotl(b, 7) + rotl(c, 12) + rotl(d, 18);
    for (; i < n; i++)
        h = rotl(h ^ (p[i] * P3), 11) * P1;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    return h ^ (h >> 32) ^ P4;
}

int main(void)
{
    uint8_t *buf = malloc(BUF_SIZE);
    uint64_t s = 88172645463325252ull;
    /* xorshift64 fills the buffer with reproducible bytes */
    for (size_t i = 0; i < BUF_SIZE; i += 8) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        memcpy(buf + i, &s, 8);
    }
    uint64_t h1 = 0xcbf29ce484222325ull, h2 = 0;
    for (int r = 0; r < ROUNDS; r++) {
        h1 = fnv1a(buf, BUF_SIZE / 4, h1);
        /* many short messages too, as in a hash table workload */
        for (size_t off = 0; off + 64 <= BUF_SIZE; off += 64)
            h2 += block_hash(buf + off, 13 + (off >> 6) % 51, h1 + r);
        h2 ^= block_hash(buf, BUF_SIZE, h2);
    }
    printf("checksum: %016llx %016llx\n", (unsigned long long)h1, (unsigned long long)h2);
    free(buf);
    return 0;
}
