/* test_runtime.c — the streaming runtime: key groups, batches, rings,
 * the worker pool, streams, jobs, snapshots and subscriptions. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt_int.h"
#include "unit.h"

/* a small deterministic generator (xorshift64*) */
static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

/* ============================================================ key groups */

static void test_kg_same_key_same_task(void)
{
    /* equal keys of different numeric types and spellings reach the same
     * key group and task, for every parallelism */
    for (int i = 0; i < 2000; i++) {
        int64_t x = (int64_t)(rnd() % 100000) - 50000;
        SlValue a[2] = {sl_val_int8(x), sl_val_text("k", 1)};
        char buf[8] = "k";  /* equal bytes at another address */
        SlValue b[2] = {sl_val_numeric(x, 0), sl_val_text(buf, 1)};
        int kga = rt_kg_of_row(a, 2, 128), kgb = rt_kg_of_row(b, 2, 128);
        CU_ASSERT_EQUAL(kga, kgb);
        CU_ASSERT(kga >= 0 && kga < 128);
        if (x >= INT32_MIN && x <= INT32_MAX) {
            SlValue c[2] = {sl_val_int4((int32_t)x), sl_val_text("k", 1)};
            CU_ASSERT_EQUAL(rt_kg_of_row(c, 2, 128), kga);
        }
        for (int n = 1; n <= 8; n++)
            CU_ASSERT_EQUAL(rt_task_of_kg(kga, n, 128), rt_task_of_kg(kgb, n, 128));
    }
    /* NULL keys all go to one key group */
    SlValue n1 = sl_val_null(SL_T_INT8), n2 = sl_val_null(SL_T_TEXT);
    CU_ASSERT_EQUAL(rt_kg_of_row(&n1, 1, 128), rt_kg_of_row(&n2, 1, 128));
    /* keys spread over the key groups */
    int seen[128] = {0};
    for (int i = 0; i < 20000; i++) {
        SlValue v = sl_val_int8(i);
        seen[rt_kg_of_row(&v, 1, 128)]++;
    }
    for (int k = 0; k < 128; k++)
        CU_ASSERT(seen[k] > 80 && seen[k] < 240);
}

static void test_kg_ownership(void)
{
    const int Ks[] = {1, 7, 128, 300};
    for (size_t ki = 0; ki < sizeof Ks / sizeof Ks[0]; ki++) {
        int K = Ks[ki];
        for (int N = 1; N <= K; N++) {
            int *owner = malloc(sizeof(int) * (size_t)K);
            for (int k = 0; k < K; k++)
                owner[k] = -1;
            int expect_lo = 0;
            for (int t = 0; t < N; t++) {
                int lo, hi;
                rt_kg_range(t, N, K, &lo, &hi);
                /* ceil(t*K/N) computed independently */
                CU_ASSERT_EQUAL(lo, (t * K) / N + ((t * K) % N != 0));
                CU_ASSERT_EQUAL(lo, expect_lo); /* contiguous, no gap */
                CU_ASSERT(hi > lo);               /* N <= K: nobody is empty */
                expect_lo = hi;
                for (int k = lo; k < hi; k++) {
                    CU_ASSERT_EQUAL(owner[k], -1); /* owned once */
                    owner[k] = t;
                    CU_ASSERT_EQUAL(rt_task_of_kg(k, N, K), t);
                }
            }
            CU_ASSERT_EQUAL(expect_lo, K);
            for (int k = 0; k < K; k++)
                CU_ASSERT(owner[k] >= 0);
            free(owner);
        }
    }
}

static void test_kg_rescale(void)
{
    /* rescaling N -> M moves whole key groups: every key of a key group
     * lands on the same new task, and that task owns the key group */
    const int K = 128;
    int kg_task[9][128];
    for (int n = 1; n <= 8; n++)
        for (int k = 0; k < K; k++)
            kg_task[n][k] = rt_task_of_kg(k, n, K);
    for (int i = 0; i < 5000; i++) {
        SlValue v = sl_val_int8((int64_t)rnd());
        int kg = rt_kg_of_row(&v, 1, K);
        for (int n = 1; n <= 8; n++) {
            int t = rt_task_of_kg(kg, n, K);
            CU_ASSERT_EQUAL(t, kg_task[n][kg]);
            int lo, hi;
            rt_kg_range(t, n, K, &lo, &hi);
            CU_ASSERT(kg >= lo && kg < hi);
        }
    }
    /* going from 3 to 4 tasks, the state that moves is exactly the key
     * groups whose owner changed; their keys are untouched */
    int moved = 0;
    for (int k = 0; k < K; k++)
        moved += kg_task[3][k] != kg_task[4][k];
    CU_ASSERT(moved > 0 && moved < K);
}

/* =============================================================== batches */

static void test_batch_append_copy_move(void)
{
    RtBatch *a = rt_batch_new(2, 8), *b = rt_batch_new(2, 8);
    char text[32];
    for (int i = 0; i < 8; i++) {
        snprintf(text, sizeof text, "row-%d", i);
        SlValue row[2] = {sl_val_int8(i), sl_val_text(text, strlen(text))};
        rt_batch_append(a, row);
        memset(text, 'X', sizeof text); /* the batch holds its own copy */
    }
    CU_ASSERT(rt_batch_full(a));
    SlValue *r5 = rt_batch_row(a, 5);
    CU_ASSERT_EQUAL(r5[0].u.i8, 5);
    CU_ASSERT(r5[1].u.s.len == 5 && !memcmp(r5[1].u.s.p, "row-5", 5));
    /* copy deep-copies into the target's arena */
    rt_batch_copy_row(b, a, 5);
    CU_ASSERT_EQUAL(b->nrows, 1);
    CU_ASSERT(rt_batch_row(b, 0)[1].u.s.p != r5[1].u.s.p);
    rt_batch_reset(a);
    CU_ASSERT_EQUAL(a->nrows, 0);
    SlValue *c = rt_batch_row(b, 0);
    CU_ASSERT(!memcmp(c[1].u.s.p, "row-5", 5));
    /* move into an empty batch swaps storage */
    RtBatch *e = rt_batch_new(2, 8);
    const SlValue *before = b->vals;
    CU_ASSERT_EQUAL(rt_batch_move(e, b), 1);
    CU_ASSERT_EQUAL(b->nrows, 0);
    CU_ASSERT_EQUAL(e->nrows, 1);
    CU_ASSERT_PTR_EQUAL(e->vals, before);
    CU_ASSERT(!memcmp(rt_batch_row(e, 0)[1].u.s.p, "row-5", 5));
    /* move into a non-empty batch copies while there is room */
    for (int i = 0; i < 8; i++) {
        SlValue row[2] = {sl_val_int8(100 + i), sl_val_text("t", 1)};
        rt_batch_append(a, row);
    }
    CU_ASSERT_EQUAL(rt_batch_move(e, a), 7);
    CU_ASSERT(rt_batch_full(e));
    CU_ASSERT_EQUAL(a->nrows, 1);
    CU_ASSERT_EQUAL(rt_batch_row(a, 0)[0].u.i8, 107);
    CU_ASSERT_EQUAL(rt_batch_row(e, 7)[0].u.i8, 106);
    rt_batch_free(a);
    rt_batch_free(b);
    rt_batch_free(e);
}

/* ================================================================= rings */

typedef struct RingArg {
    RtRing *ring;
    uintptr_t n;
    bool blocking;
    uintptr_t bad;
} RingArg;

static void *ring_producer(void *p)
{
    RingArg *a = p;
    for (uintptr_t i = 1; i <= a->n; i++) {
        if (a->blocking) {
            rt_ring_push(a->ring, (void *)i);
        } else {
            while (!rt_ring_try_push(a->ring, (void *)i))
                ;
        }
    }
    return NULL;
}

static void *ring_consumer(void *p)
{
    RingArg *a = p;
    for (uintptr_t i = 1; i <= a->n; i++) {
        uintptr_t v;
        if (a->blocking) {
            v = (uintptr_t)rt_ring_pop(a->ring);
        } else {
            void *x;
            while (!(x = rt_ring_try_pop(a->ring)))
                ;
            v = (uintptr_t)x;
        }
        if (v != i)
            a->bad++;
    }
    return NULL;
}

static void ring_run(size_t cap, uintptr_t n, bool blocking)
{
    RtRing r;
    rt_ring_init(&r, cap);
    RingArg a = {&r, n, blocking, 0};
    pthread_t p, c;
    pthread_create(&c, NULL, ring_consumer, &a);
    pthread_create(&p, NULL, ring_producer, &a);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    CU_ASSERT_EQUAL(a.bad, 0);
    CU_ASSERT_EQUAL(rt_ring_size(&r), 0);
    rt_ring_destroy(&r);
}

static void test_ring_basic(void)
{
    RtRing r;
    rt_ring_init(&r, 3); /* rounded up to 4 */
    CU_ASSERT_EQUAL(r.mask, 3);
    CU_ASSERT_PTR_NULL(rt_ring_try_pop(&r));
    for (uintptr_t i = 1; i <= 4; i++)
        CU_ASSERT(rt_ring_try_push(&r, (void *)i));
    CU_ASSERT(!rt_ring_try_push(&r, (void *)5)); /* full: backpressure */
    CU_ASSERT_EQUAL(rt_ring_size(&r), 4);
    CU_ASSERT_EQUAL((uintptr_t)rt_ring_try_pop(&r), 1);
    CU_ASSERT(rt_ring_try_push(&r, (void *)5));
    for (uintptr_t i = 2; i <= 5; i++)
        CU_ASSERT_EQUAL((uintptr_t)rt_ring_try_pop(&r), i);
    rt_ring_close(&r);
    CU_ASSERT(!rt_ring_push(&r, (void *)6));
    CU_ASSERT_PTR_NULL(rt_ring_pop(&r));
    rt_ring_destroy(&r);
}

static void test_ring_threads(void)
{
    ring_run(1024, 4000000, false);  /* lock-free, spinning */
    ring_run(8, 500000, true);       /* tiny ring: constant full/empty waits */
    ring_run(2, 100000, true);
}

/* =========================================================== worker pool */

/* A chain of tasks: each takes numbers from its input ring, checks the
 * order, and passes them on; the last counts. More tasks than workers. */
typedef struct Stage {
    RtTask task;
    RtRing *in, *out;
    uintptr_t next_expected;
    uintptr_t held;          /* popped but not yet pushed on */
    atomic_long done;
    atomic_int concurrent;   /* > 1 would mean two workers run it at once */
    int bad;
} Stage;

static atomic_int running_now, running_max;

static int stage_run(RtTask *t, int budget)
{
    Stage *s = t->ctx;
    if (atomic_fetch_add(&s->concurrent, 1) != 0)
        s->bad++;
    int now = atomic_fetch_add(&running_now, 1) + 1;
    int m = atomic_load(&running_max);
    while (now > m && !atomic_compare_exchange_weak(&running_max, &m, now))
        ;
    int rc = 0;
    for (int i = 0; i < budget * 64; i++) {
        if (!s->held) {
            void *x = rt_ring_try_pop(s->in);
            if (!x)
                goto out;
            s->held = (uintptr_t)x;
            if (s->held != s->next_expected)
                s->bad++;
            s->next_expected = s->held + 1;
        }
        if (s->out) {
            if (!rt_ring_try_push(s->out, (void *)s->held)) {
                atomic_store(&s->out->producer_blocked, true);
                atomic_thread_fence(memory_order_seq_cst);
                if (!rt_ring_try_push(s->out, (void *)s->held))
                    goto out; /* woken when the consumer pops */
            }
        }
        s->held = 0;
        atomic_fetch_add(&s->done, 1);
    }
    rc = 1;
out:
    atomic_fetch_sub(&running_now, 1);
    atomic_fetch_sub(&s->concurrent, 1);
    return rc;
}

static void test_pool_chain(void)
{
    enum { STAGES = 6, N = 100000 };
    RtPool *pool = rt_pool_new(2);
    CU_ASSERT_EQUAL(rt_pool_workers(pool), 2);
    RtRing rings[STAGES];
    Stage st[STAGES];
    atomic_long active;
    atomic_init(&active, 0);
    atomic_init(&running_now, 0);
    atomic_init(&running_max, 0);
    memset(st, 0, sizeof st);
    for (int i = 0; i < STAGES; i++)
        rt_ring_init(&rings[i], 16);
    for (int i = 0; i < STAGES; i++) {
        st[i].in = &rings[i];
        st[i].out = i + 1 < STAGES ? &rings[i + 1] : NULL;
        st[i].next_expected = 1;
        atomic_init(&st[i].done, 0);
        atomic_init(&st[i].concurrent, 0);
        rt_task_init(&st[i].task, pool, stage_run, &st[i], &active);
        rings[i].consumer = &st[i].task;
        if (i > 0)
            rings[i].producer = &st[i - 1].task;
    }
    /* the test thread feeds the first ring with blocking pushes */
    for (uintptr_t v = 1; v <= N; v++)
        CU_ASSERT_FATAL(rt_ring_push(&rings[0], (void *)v));
    for (int spins = 0; atomic_load(&st[STAGES - 1].done) < N && spins < 20000; spins++)
        usleep(1000);
    while (atomic_load(&active) > 0)
        usleep(100);
    for (int i = 0; i < STAGES; i++) {
        CU_ASSERT_EQUAL(atomic_load(&st[i].done), N);
        CU_ASSERT_EQUAL(st[i].bad, 0);
    }
    CU_ASSERT(atomic_load(&running_max) <= 2); /* never more than the workers */
    rt_pool_free(pool);
    for (int i = 0; i < STAGES; i++)
        rt_ring_destroy(&rings[i]);
}

static const SlUnitTest core_tests[] = {
    {"same key, same task", test_kg_same_key_same_task},
    {"key-group ownership for every N", test_kg_ownership},
    {"rescaling moves whole key groups", test_kg_rescale},
    {"batch append, copy, move", test_batch_append_copy_move},
    {"ring basics", test_ring_basic},
    {"ring with two threads", test_ring_threads},
    {"pool runs a task chain on 2 workers", test_pool_chain},
    {NULL, NULL},
};
SL_UNIT_SUITE("runtime core", core_tests)
