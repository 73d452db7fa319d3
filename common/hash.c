/*
 * hash.c — 64-bit hashing: a multiply-xorshift mix for integers and a
 * word-at-a-time hash for byte strings built on the same mix.
 */
#include <string.h>

#include "sl_common.h"

uint64_t sl_hash_u64(uint64_t x)
{
    /* the finalizer of splitmix64: full avalanche */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

uint64_t sl_hash_bytes(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = seed ^ (0x9e3779b97f4a7c15ULL * (n + 1));
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = sl_hash_u64(h ^ w) + 0x9e3779b97f4a7c15ULL;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    if (n)
        memcpy(&w, s, n);
    return sl_hash_u64(h ^ w ^ ((uint64_t)n << 56));
}
