/*
 * arena.c — memory arenas: bump allocation in blocks; reset or free the
 * whole arena at once. Large requests get a block of their own.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sl_common.h"

typedef struct Block {
    struct Block *next;
    size_t size;       /* usable bytes after the header */
    size_t used;
    /* data follows, 16-aligned */
} Block;

#define HDR ((sizeof(Block) + 15) & ~(size_t)15)

struct SlArena {
    Block *head;       /* current block (first in list) */
    Block *first;      /* the block kept across resets */
    size_t block_size;
    size_t max_block;  /* > block_size: each new block doubles, up to this */
    size_t used_total;
};


static void oom(size_t n)
{
    fprintf(stderr, "FATAL: out of memory allocating %zu bytes\n", n);
    abort();
}

void *sl_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *sl_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *sl_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *sl_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = sl_malloc(n);
    memcpy(p, s, n);
    return p;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#define POPULATE_MIN (1u << 20)

void sl_mem_populate(void *p, size_t n)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t from = ((uintptr_t)p + page - 1) & ~(page - 1), to = ((uintptr_t)p + n) & ~(page - 1);
    if (to > from)
        (void)madvise((void *)from, to - from, MADV_POPULATE_WRITE);
}

/*
 * Freed blocks of the largest size growing arenas make are kept, up to
 * POOL_MAX bytes, for the next arena that grows (a view dropped, another
 * created; a view restarted): memory the process has written is many
 * times cheaper to write again than new memory on a virtual machine whose
 * host takes freed memory back, and glibc hands whole per-thread heaps
 * back as soon as they are free. Not under AddressSanitizer, which should
 * see every block freed.
 */
#define POOL_BLOCK ((size_t)4 << 20)
#define POOL_MAX ((size_t)256 << 20)
#if defined(__SANITIZE_ADDRESS__)
#define POOL_ON 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ON 0
#endif
#endif
#ifndef POOL_ON
#define POOL_ON 1
#endif

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static Block *pool;
static size_t pool_bytes;

size_t sl_arena_pooled(void)
{
    pthread_mutex_lock(&pool_mu);
    size_t n = pool_bytes;
    pthread_mutex_unlock(&pool_mu);
    return n;
}

static Block *pool_take(size_t size)
{
    if (!POOL_ON || HDR + size != POOL_BLOCK)
        return NULL;
    pthread_mutex_lock(&pool_mu);
    Block *b = pool;
    if (b) {
        pool = b->next;
        pool_bytes -= POOL_BLOCK;
    }
    pthread_mutex_unlock(&pool_mu);
    return b;
}

static void block_free(Block *b)
{
    if (POOL_ON && HDR + b->size == POOL_BLOCK) {
        pthread_mutex_lock(&pool_mu);
        bool keep = pool_bytes + POOL_BLOCK <= POOL_MAX;
        if (keep) {
            b->next = pool;
            pool = b;
            pool_bytes += POOL_BLOCK;
        }
        pthread_mutex_unlock(&pool_mu);
        if (keep)
            return;
    }
    free(b);
}

static Block *block_new(size_t size)
{
    Block *b = pool_take(size);
    if (b) {
        b->next = NULL;
        b->size = size;
        b->used = 0;
        return b;
    }
    b = sl_malloc(HDR + size);
    /* a big block is filled soon after it is made (blocks of growing
     * arenas hold a view's rows and groups) */
    if (size >= POPULATE_MIN)
        sl_mem_populate(b, HDR + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

SlArena *sl_arena_new(size_t block_size)
{
    SlArena *a = sl_malloc(sizeof *a);
    a->block_size = block_size ? block_size : 8192;
    a->max_block = 0;
    a->first = a->head = block_new(a->block_size);
    a->used_total = 0;
    return a;
}

void *sl_alloc(SlArena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    Block *b = a->head;
    if (SL_UNLIKELY(b->used + n > b->size)) {
        if (n > a->block_size / 4) {
            /* a big request: its own block, behind the current one */
            Block *big = block_new(n);
            big->used = n;
            big->next = b->next;
            b->next = big;
            a->used_total += n;
            return (char *)big + HDR;
        }
        if (a->max_block > a->block_size) {
            /* growing: blocks double, up to max_block */
            size_t total = 8192;
            while (total <= a->block_size + HDR)
                total *= 2;
            a->block_size = (total > a->max_block ? a->max_block : total) - HDR;
        }
        Block *nb = block_new(a->block_size);
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    void *p = (char *)b + HDR + b->used;
    b->used += n;
    a->used_total += n;
    return p;
}

void *sl_alloc0(SlArena *a, size_t n)
{
    void *p = sl_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *sl_strndup(SlArena *a, const char *s, size_t n)
{
    char *p = sl_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *sl_strdup(SlArena *a, const char *s)
{
    return sl_strndup(a, s, strlen(s));
}

char *sl_psprintf(SlArena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = sl_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void sl_arena_reset(SlArena *a)
{
    Block *b = a->head;
    while (b) {
        Block *next = b->next;
        if (b != a->first)
            block_free(b);
        b = next;
    }
    a->first->next = NULL;
    a->first->used = 0;
    a->head = a->first;
    a->used_total = 0;
}

void sl_arena_free(SlArena *a)
{
    if (!a)
        return;
    Block *b = a->head;
    while (b) {
        Block *next = b->next;
        block_free(b);
        b = next;
    }
    free(a);
}

void sl_arena_grow(SlArena *a, size_t max_block)
{
    a->max_block = max_block;
}

size_t sl_arena_used(const SlArena *a)
{
    return a->used_total;
}
