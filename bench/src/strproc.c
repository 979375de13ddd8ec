/*
 * String processing: generate text from a vocabulary, split it into words,
 * count word frequencies in a hash table (chaining, FNV hash), and scan for
 * substrings with strstr.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_SIZE (6u << 20)
#define TABLE_BITS 12
#define PASSES 6
#define SEARCH_REPS 30

static const char *vocab[] = {
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "emulator", "register",
    "instruction", "memory", "branch", "cache", "kernel", "syscall", "thread", "signal", "page",
    "fault", "translate", "block", "guest", "host", "decode", "execute", "flag", "carry",
    "overflow", "vector", "load", "store", "atomic", "barrier", "exception", "interrupt",
};
#define NVOCAB (sizeof vocab / sizeof vocab[0])

static uint32_t lcg_state = 99;
static uint32_t lcg(void)
{
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return lcg_state >> 8;
}

struct entry { const char *word; size_t len; long count; struct entry *next; };
static struct entry *table[1 << TABLE_BITS];

static uint32_t hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static void count_word(const char *w, size_t n)
{
    uint32_t h = hash(w, n) & ((1 << TABLE_BITS) - 1);
    for (struct entry *e = table[h]; e; e = e->next)
        if (e->len == n && memcmp(e->word, w, n) == 0) {
            e->count++;
            return;
        }
    struct entry *e = malloc(sizeof *e);
    *e = (struct entry){w, n, 1, table[h]};
    table[h] = e;
}

int main(void)
{
    char *text = malloc(TEXT_SIZE + 64);
    size_t pos = 0;
    /* Words joined by single spaces, with punctuation and the odd compound
     * word ("kernel-thread") so that tokenising has to look at every byte. */
    while (pos < TEXT_SIZE) {
        const char *w = vocab[lcg() % NVOCAB];
        size_t n = strlen(w);
        memcpy(text + pos, w, n);
        pos += n;
        uint32_t r = lcg() % 100;
        text[pos++] = r < 5 ? '-' : r < 10 ? ',' : r < 12 ? '.' : ' ';
        if (r < 10 && r >= 5)
            text[pos++] = ' ';
    }
    text[pos] = 0;

    /* Tokenise: letters and '-' form words.  Several passes over the same
     * text, so the counting dominates the generation. */
    long words = 0;
    for (int pass = 0; pass < PASSES; pass++)
    for (size_t i = 0; i < pos;) {
        while (i < pos && !((text[i] >= 'a' && text[i] <= 'z') || text[i] == '-'))
            i++;
        size_t start = i;
        while (i < pos && ((text[i] >= 'a' && text[i] <= 'z') || text[i] == '-'))
            i++;
        if (i > start) {
            count_word(text + start, i - start);
            words++;
        }
    }

    long distinct = 0, maxc = 0;
    uint64_t mix = 0;
    const char *top = "";
    size_t toplen = 0;
    for (int b = 0; b < (1 << TABLE_BITS); b++)
        for (struct entry *e = table[b]; e; e = e->next) {
            distinct++;
            mix += (uint64_t)e->count * hash(e->word, e->len);
            if (e->count > maxc) {
                maxc = e->count;
                top = e->word;
                toplen = e->len;
            }
        }

    /* Substring search over the whole text, several times. */
    static const char *needles[] = {"lazy dog", "kernel-thread", "cache fault", "atomic barrier.",
                                    "guest host guest"};
    long hits = 0;
    for (int rep = 0; rep < SEARCH_REPS; rep++)
        for (unsigned k = 0; k < sizeof needles / sizeof needles[0]; k++)
            for (const char *p = text; (p = strstr(p, needles[k])) != NULL; p++)
                hits++;

    printf("checksum: %016llx words %ld distinct %ld top %.*s=%ld hits %ld\n", (unsigned long long)mix, words,
           distinct, (int)toplen, top, maxc, hits);
    return 0;
}
