/*
 * rt_core.c — the runtime's building blocks: key groups, batches, bounded
 * single-producer single-consumer rings and the worker pool.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rt_int.h"

/* ============================================================ key groups */

uint64_t rt_hash_keys(const SlValue *keys, int n)
{
    /* the same combination stream.c uses, so both agree on key groups */
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < n; i++)
        h = sl_hash_u64(h ^ sl_value_hash(&keys[i])) + (uint64_t)i;
    return h;
}

int rt_kg_of_hash(uint64_t h, int max_parallelism)
{
    return (int)(h % (uint64_t)max_parallelism);
}

int rt_kg_of_row(const SlValue *keys, int n, int max_parallelism)
{
    return rt_kg_of_hash(rt_hash_keys(keys, n), max_parallelism);
}

/* kg is in [ceil(t*K/N), ceil((t+1)*K/N)) exactly when t*K <= kg*N <
 * (t+1)*K, that is t = floor(kg*N/K). */
int rt_task_of_kg(int kg, int parallelism, int max_parallelism)
{
    return (int)(((int64_t)kg * parallelism) / max_parallelism);
}

void rt_kg_range(int task, int parallelism, int max_parallelism, int *lo, int *hi)
{
    int64_t K = max_parallelism, N = parallelism;
    *lo = (int)(((int64_t)task * K + N - 1) / N);
    *hi = (int)(((int64_t)(task + 1) * K + N - 1) / N);
}

/* =============================================================== batches */

RtBatch *rt_batch_new(int ncols, int cap)
{
    if (cap <= 0)
        cap = RT_BATCH_ROWS;
    RtBatch *b = sl_calloc(1, sizeof *b);
    b->ncols = ncols;
    b->cap = cap;
    b->vals = sl_malloc(sizeof(SlValue) * (size_t)cap * (size_t)(ncols ? ncols : 1));
    b->arena = sl_arena_new(16384);
    return b;
}

void rt_batch_free(RtBatch *b)
{
    if (!b)
        return;
    free(b->vals);
    free(b->hashes);
    sl_arena_free(b->arena);
    free(b);
}

void rt_batch_reset(RtBatch *b)
{
    b->nrows = 0;
    b->next = NULL;
    sl_arena_reset(b->arena);
}

static void copy_row(SlValue *dst, const SlValue *src, int ncols, SlArena *a)
{
    for (int c = 0; c < ncols; c++) {
        if (src[c].type == SL_T_TEXT && !src[c].isnull)
            sl_value_copy(&src[c], a, &dst[c]);
        else
            dst[c] = src[c];
    }
}

SlValue *rt_batch_append(RtBatch *b, const SlValue *row)
{
    SlValue *dst = rt_batch_row(b, b->nrows++);
    copy_row(dst, row, b->ncols, b->arena);
    return dst;
}

SlValue *rt_batch_copy_row(RtBatch *dst, const RtBatch *src, int i)
{
    SlValue *out = rt_batch_append(dst, rt_batch_row(src, i));
    if (src->hashes) {
        if (!dst->hashes)
            dst->hashes = sl_malloc(sizeof(uint64_t) * (size_t)dst->cap);
        dst->hashes[dst->nrows - 1] = src->hashes[i];
    }
    return out;
}

int rt_batch_move(RtBatch *dst, RtBatch *src)
{
    if (dst->nrows == 0 && dst->cap >= src->nrows) {
        RtBatch tmp = *dst;
        dst->vals = src->vals;
        dst->hashes = src->hashes;
        dst->arena = src->arena;
        dst->nrows = src->nrows;
        dst->cap = src->cap;
        src->vals = tmp.vals;
        src->hashes = tmp.hashes;
        src->arena = tmp.arena;
        src->cap = tmp.cap;
        int n = src->nrows;
        rt_batch_reset(src);
        return n;
    }
    int n = 0;
    while (n < src->nrows && !rt_batch_full(dst)) {
        rt_batch_copy_row(dst, src, n);
        n++;
    }
    if (n == src->nrows) {
        rt_batch_reset(src);
    } else {
        /* keep the rows that did not fit at the front of src (their text
         * stays in src's arena, which is not reset) */
        memmove(src->vals, rt_batch_row(src, n), sizeof(SlValue) * (size_t)(src->nrows - n) * (size_t)src->ncols);
        if (src->hashes)
            memmove(src->hashes, src->hashes + n, sizeof(uint64_t) * (size_t)(src->nrows - n));
        src->nrows -= n;
    }
    return n;
}

/* ================================================================= rings */

void rt_ring_init(RtRing *r, size_t capacity)
{
    size_t cap = 2;
    while (cap < capacity)
        cap <<= 1;
    memset(r, 0, sizeof *r);
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    atomic_init(&r->waiters, 0);
    atomic_init(&r->closed, false);
    atomic_init(&r->producer_blocked, false);
    r->mask = cap - 1;
    r->slots = sl_calloc(cap, sizeof(void *));
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
}

void rt_ring_destroy(RtRing *r)
{
    free(r->slots);
    r->slots = NULL;
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->cond);
}

size_t rt_ring_size(const RtRing *r)
{
    size_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
    size_t h = atomic_load_explicit(&r->head, memory_order_acquire);
    return t - h;
}

/* A waiter registers (seq_cst) before re-checking; the other side
 * publishes its index (seq_cst) before looking for waiters. One of them
 * sees the other, so no wake-up is lost. */
static void ring_wake(RtRing *r)
{
    if (atomic_load(&r->waiters) > 0) {
        pthread_mutex_lock(&r->lock);
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);
    }
}

bool rt_ring_try_push(RtRing *r, void *item)
{
    size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t h = atomic_load_explicit(&r->head, memory_order_acquire);
    if (t - h > r->mask)
        return false;
    r->slots[t & r->mask] = item;
    atomic_store(&r->tail, t + 1);
    ring_wake(r);
    if (r->consumer)
        rt_task_schedule(r->consumer);
    return true;
}

void *rt_ring_try_pop(RtRing *r)
{
    size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (h == t)
        return NULL;
    void *item = r->slots[h & r->mask];
    atomic_store(&r->head, h + 1);
    ring_wake(r);
    if (r->producer && atomic_load(&r->producer_blocked) && atomic_exchange(&r->producer_blocked, false))
        rt_task_schedule(r->producer);
    return item;
}

bool rt_ring_push(RtRing *r, void *item)
{
    for (;;) {
        if (atomic_load(&r->closed))
            return false;
        if (rt_ring_try_push(r, item))
            return true;
        pthread_mutex_lock(&r->lock);
        atomic_fetch_add(&r->waiters, 1);
        while (!atomic_load(&r->closed) &&
               atomic_load(&r->tail) - atomic_load(&r->head) > r->mask)
            pthread_cond_wait(&r->cond, &r->lock);
        atomic_fetch_sub(&r->waiters, 1);
        pthread_mutex_unlock(&r->lock);
    }
}

void *rt_ring_pop(RtRing *r)
{
    for (;;) {
        void *item = rt_ring_try_pop(r);
        if (item)
            return item;
        if (atomic_load(&r->closed))
            return rt_ring_try_pop(r);
        pthread_mutex_lock(&r->lock);
        atomic_fetch_add(&r->waiters, 1);
        while (!atomic_load(&r->closed) && atomic_load(&r->tail) == atomic_load(&r->head))
            pthread_cond_wait(&r->cond, &r->lock);
        atomic_fetch_sub(&r->waiters, 1);
        pthread_mutex_unlock(&r->lock);
    }
}

void rt_ring_close(RtRing *r)
{
    pthread_mutex_lock(&r->lock);
    atomic_store(&r->closed, true);
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

/* ========================================================== worker pool */

enum { T_IDLE, T_QUEUED, T_RUNNING, T_AGAIN };

struct RtPool {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    RtTask *head, *tail;       /* run queue, FIFO */
    bool stop;
    pthread_t *threads;
    int nthreads;
};

static void pool_enqueue(RtPool *p, RtTask *t)
{
    t->qnext = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->tail)
        p->tail->qnext = t;
    else
        p->head = t;
    p->tail = t;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

static void *pool_worker(void *arg)
{
    RtPool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (!p->stop && !p->head)
            pthread_cond_wait(&p->cond, &p->lock);
        RtTask *t = p->head;
        if (!t) {
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        p->head = t->qnext;
        if (!p->head)
            p->tail = NULL;
        pthread_mutex_unlock(&p->lock);

        atomic_store(&t->sched, T_RUNNING);
        int more = t->run(t, RT_TASK_BUDGET);
        int s = T_RUNNING;
        if (!more && atomic_compare_exchange_strong(&t->sched, &s, T_IDLE)) {
            /* t may be freed by its owner from here on */
            if (t->active)
                atomic_fetch_sub(t->active, 1);
            continue;
        }
        atomic_store(&t->sched, T_QUEUED);
        pool_enqueue(p, t);
    }
}

RtPool *rt_pool_new(int workers)
{
    if (workers <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        workers = n > 0 ? (int)n : 2;
    }
    RtPool *p = sl_calloc(1, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    p->threads = sl_calloc((size_t)workers, sizeof(pthread_t));
    for (int i = 0; i < workers; i++)
        if (pthread_create(&p->threads[i], NULL, pool_worker, p) == 0)
            p->nthreads++;
    return p;
}

void rt_pool_free(RtPool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    free(p->threads);
    free(p);
}

int rt_pool_workers(const RtPool *p)
{
    return p->nthreads;
}

void rt_task_init(RtTask *t, RtPool *p, int (*run)(RtTask *, int), void *ctx, atomic_long *active)
{
    t->run = run;
    t->ctx = ctx;
    t->pool = p;
    atomic_init(&t->sched, T_IDLE);
    t->active = active;
    t->qnext = NULL;
}

void rt_task_schedule(RtTask *t)
{
    int s = atomic_load(&t->sched);
    for (;;) {
        if (s == T_IDLE) {
            if (atomic_compare_exchange_weak(&t->sched, &s, T_QUEUED)) {
                if (t->active)
                    atomic_fetch_add(t->active, 1);
                pool_enqueue(t->pool, t);
                return;
            }
        } else if (s == T_RUNNING) {
            if (atomic_compare_exchange_weak(&t->sched, &s, T_AGAIN))
                return;
        } else {
            return; /* queued, or will run again */
        }
    }
}
