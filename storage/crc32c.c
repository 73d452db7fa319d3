/*
 * crc32c.c — CRC32C for the stream log's batches: slicing-by-8 tables
 * built once, and the SSE4.2 crc32 instruction when the CPU has it.
 */
#include <pthread.h>
#include <string.h>

#include "st_int.h"

#define POLY 0x82F63B78u

static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ POLY : c >> 1;
        table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

uint32_t st_crc32c_sw(uint32_t crc, const void *p, size_t n)
{
    pthread_once(&table_once, table_init);
    const unsigned char *s = p;
    uint32_t c = ~crc;
    while (n && ((uintptr_t)s & 7)) {
        c = (c >> 8) ^ table[0][(c ^ *s++) & 0xff];
        n--;
    }
    while (n >= 8) {
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + 4, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        lo = __builtin_bswap32(lo);
        hi = __builtin_bswap32(hi);
#endif
        lo ^= c;
        c = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^ table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
            table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^ table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
        s += 8;
        n -= 8;
    }
    while (n--)
        c = (c >> 8) ^ table[0][(c ^ *s++) & 0xff];
    return ~c;
}

/* Joining two CRCs: crc(a b) = crc(a) * x^(8 |b|) mod P  xor  crc(b)
 * (the pre- and post-inversions cancel), with polynomials over GF(2) held
 * reflected, x^0 being the top bit. */
static uint32_t mul_mod(uint32_t a, uint32_t b)
{
    uint32_t prod = 0;
    for (uint32_t m = 1u << 31; m; m >>= 1) {
        if (a & m)
            prod ^= b;
        b = (b & 1) ? (b >> 1) ^ POLY : b >> 1;
    }
    return prod;
}

static uint32_t pow2_table[64]; /* x^(2^k) mod P */
static pthread_once_t pow2_once = PTHREAD_ONCE_INIT;

static void pow2_init(void)
{
    uint32_t p = 1u << 30; /* x^1 */
    for (int k = 0; k < 64; k++) {
        pow2_table[k] = p;
        p = mul_mod(p, p);
    }
}

uint32_t st_crc32c_combine(uint32_t crc_a, uint32_t crc_b, size_t len_b)
{
    pthread_once(&pow2_once, pow2_init);
    uint32_t f = 1u << 31; /* x^0 */
    uint64_t bits = (uint64_t)len_b * 8;
    for (int k = 0; bits; k++, bits >>= 1)
        if (bits & 1)
            f = mul_mod(pow2_table[k], f);
    return mul_mod(f, crc_a) ^ crc_b;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <nmmintrin.h>

/* The crc32 instruction takes 3 cycles but can start one a cycle: long
 * inputs run as three streams over blocks of STRIDE bytes each, joined by
 * the shift of a CRC register over STRIDE zero bytes (the register is
 * linear in the bytes: crc(c, A B) = zeros(crc(c, A), |B|) ^ crc(0, B)),
 * applied a byte of the register at a time from tables. */
#define STRIDE 4096
static uint32_t shift_table[4][256];
static pthread_once_t shift_once = PTHREAD_ONCE_INIT;

__attribute__((target("sse4.2"))) static uint32_t zeros_slow(uint32_t c)
{
    uint64_t r = c;
    for (int i = 0; i < STRIDE / 8; i++)
        r = _mm_crc32_u64(r, 0);
    return (uint32_t)r;
}

static void shift_init(void)
{
    uint32_t basis[32];
    for (int b = 0; b < 32; b++)
        basis[b] = zeros_slow(1u << b);
    for (int k = 0; k < 4; k++)
        for (uint32_t v = 0; v < 256; v++) {
            uint32_t r = 0;
            for (int b = 0; b < 8; b++)
                if (v & (1u << b))
                    r ^= basis[8 * k + b];
            shift_table[k][v] = r;
        }
}

static inline uint32_t zeros(uint32_t c)
{
    return shift_table[0][c & 0xff] ^ shift_table[1][(c >> 8) & 0xff] ^ shift_table[2][(c >> 16) & 0xff] ^
           shift_table[3][c >> 24];
}

__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t c = ~crc;
    while (n && ((uintptr_t)s & 7)) {
        c = _mm_crc32_u8((uint32_t)c, *s++);
        n--;
    }
    if (n >= 3 * STRIDE) {
        pthread_once(&shift_once, shift_init);
        do {
            uint64_t c1 = 0, c2 = 0;
            for (size_t i = 0; i < STRIDE; i += 8) {
                uint64_t w0, w1, w2;
                memcpy(&w0, s + i, 8);
                memcpy(&w1, s + STRIDE + i, 8);
                memcpy(&w2, s + 2 * STRIDE + i, 8);
                c = _mm_crc32_u64(c, w0);
                c1 = _mm_crc32_u64(c1, w1);
                c2 = _mm_crc32_u64(c2, w2);
            }
            c = zeros(zeros((uint32_t)c) ^ (uint32_t)c1) ^ (uint32_t)c2;
            s += 3 * STRIDE;
            n -= 3 * STRIDE;
        } while (n >= 3 * STRIDE);
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        c = _mm_crc32_u64(c, w);
        s += 8;
        n -= 8;
    }
    while (n--)
        c = _mm_crc32_u8((uint32_t)c, *s++);
    return ~(uint32_t)c;
}

static int have_hw = -1;

uint32_t st_crc32c(uint32_t crc, const void *p, size_t n)
{
    int hw = __atomic_load_n(&have_hw, __ATOMIC_RELAXED);
    if (hw < 0) {
        __builtin_cpu_init();
        hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
        __atomic_store_n(&have_hw, hw, __ATOMIC_RELAXED);
    }
    return hw ? crc32c_hw(crc, p, n) : st_crc32c_sw(crc, p, n);
}
#else
uint32_t st_crc32c(uint32_t crc, const void *p, size_t n)
{
    return st_crc32c_sw(crc, p, n);
}
#endif
