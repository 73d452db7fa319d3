/*
 * stream.c — streams, materialized views and the worker pool.
 *
 * A stream keeps its rows (in memory for now; the durable log replaces
 * this) so that a view created later starts from the stream's beginning.
 * A view runs as `parallelism` tasks; each owns the key groups
 * [ceil(t*K/N), ceil((t+1)*K/N)) of K = max_parallelism, so a row goes to
 * task floor(kg(key) * N / K) with kg(key) = hash64(key) mod K. Ingestion
 * routes rows to the tasks' queues in batches and returns; the worker pool
 * (never more threads than `workers`, whatever the number of tasks) applies
 * each task's batches in order, one worker at a time per task, under the
 * task's lock, so a snapshot never sees half a batch. A snapshot first
 * waits until every batch enqueued before it has been applied
 * (read-your-writes).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ex_int.h"

/* ------------------------------------------------------------ key groups */

int ex_kg_of_hash(uint64_t h, int max_parallelism)
{
    return (int)(h % (uint64_t)max_parallelism);
}

int ex_task_of_kg(int kg, int parallelism, int max_parallelism)
{
    return (int)(((int64_t)kg * parallelism) / max_parallelism);
}

/* ----------------------------------------------------------- worker pool */

typedef struct ExTask ExTask;

typedef struct Pool {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    ExTask **queue;        /* tasks with work, FIFO ring */
    int qcap, qhead, qlen;
    pthread_t *threads;
    int nthreads;
    bool stop;
} Pool;

/* A batch of rows for one task: values copied into its own arena. */
typedef struct Batch {
    struct Batch *next;
    SlArena *arena;
    SlValue *rows;         /* nrows * ncols */
    int nrows, cap, ncols;
} Batch;

/* ------------------------------------------------------- aggregate state */

typedef struct DistinctSet {
    SlValue *vals;
    uint64_t *hashes;
    int64_t n, cap;
} DistinctSet;

typedef struct AggState {
    int64_t count;
    __int128 isum;         /* integer and numeric sums (at `scale`) */
    int scale;
    double fsum;
    SlValue best;          /* min/max */
    bool has;
    bool overflow;
    DistinctSet *set;
} AggState;

typedef struct Group {
    uint64_t hash;
    SlValue *keys;
    AggState *aggs;
    int64_t nrows;         /* rows applied to it */
    int64_t touched;       /* batch number that last touched it (changes) */
    SlValue *old_row;      /* its output row before that batch, or NULL */
} Group;

/* A batch of changes of a view: rows with their diff, one progress number. */
typedef struct ChangeBatch {
    struct ChangeBatch *next;
    int64_t progress;
    int nrows, cap, ncols;
    int8_t *diffs;
    SlValue *rows;
    SlArena *arena;
} ChangeBatch;

struct ExTask {
    struct ExView *view;
    int index;
    pthread_mutex_t qlock;     /* the batch queue */
    Batch *head, *tail;
    bool scheduled;
    pthread_mutex_t lock;      /* the state */
    SlArena *arena;
    /* grouped views */
    Group **slots;
    int64_t nslots, ngroups;
    /* views without aggregates: the output rows */
    SlValue *rows;
    int64_t nrows, caprows;
    int64_t rows_in, rows_out;
    SlError error;             /* a runtime error stops the task */
    bool failed;
    int64_t batch_no;
    Group **touched;           /* groups touched by the current batch */
    int64_t ntouched, captouched;
};

typedef struct ExView {
    char *name;
    char *sql;
    struct ExStream *src;
    SlArena *arena;
    PlSelect *q;
    int parallelism, max_parallelism;
    ExTask *tasks;
    ExColumn *cols;
    int ncols;
    pthread_mutex_t plock;
    pthread_cond_t pcond;
    int64_t enqueued, processed;   /* rows */
    int64_t route_counter;
    /* changes, kept while someone subscribes */
    pthread_mutex_t loglock;
    ChangeBatch *log_head, *log_tail;
    int64_t progress;              /* of the newest change batch */
    int64_t log_rows;
    ExSubscription *subs;
    int nsubs;
    bool tracking;                 /* changes are logged (once anyone subscribed) */
} ExView;

#define CHANGE_LOG_ROWS 1000000    /* retained change rows per view */
#define VIEW_QUEUE_ROWS 1000000    /* rows queued for a view before ingestion waits */

struct ExSubscription {
    ExSubscription *next;
    ExCatalog *cat;
    ExView *view;                  /* NULL once the view is dropped */
    int ncols;
    int64_t next_progress;         /* the first change batch not yet delivered */
    SlBuf snapshot;                /* the snapshot's lines, delivered first */
    size_t snap_pos;
    void (*notify)(void *arg);
    void *arg;
    bool json;                     /* LISTEN: one JSON object per line */
};

typedef struct ExStream {
    char *name;
    SlArena *arena;            /* columns and stored rows */
    PlColumn *cols;
    int ncols;
    int partitions;
    SlValue *rows;             /* stored rows, ncols each */
    int64_t nrows, caprows;
    ExView **views;
    int nviews;
    int64_t bytes;
} ExStream;

struct ExCatalog {
    pthread_rwlock_t lock;     /* readers: INSERT, SELECT; writers: DDL */
    pthread_mutex_t ingest;    /* one ingestion at a time keeps stream order */
    ExStream **streams;
    int nstreams;
    ExView **views;
    int nviews;
    Pool pool;
    int default_parallelism;
};

static Pool *the_pool;

static void task_run(ExTask *t);

static void *worker_main(void *arg)
{
    Pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (!p->stop && p->qlen == 0)
            pthread_cond_wait(&p->cond, &p->lock);
        if (p->stop && p->qlen == 0) {
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        ExTask *t = p->queue[p->qhead];
        p->qhead = (p->qhead + 1) % p->qcap;
        p->qlen--;
        pthread_mutex_unlock(&p->lock);
        task_run(t);
    }
}

static void pool_submit(Pool *p, ExTask *t)
{
    pthread_mutex_lock(&p->lock);
    if (p->qlen == p->qcap) {
        int ncap = p->qcap ? p->qcap * 2 : 64;
        ExTask **nq = sl_malloc(sizeof(ExTask *) * (size_t)ncap);
        for (int i = 0; i < p->qlen; i++)
            nq[i] = p->queue[(p->qhead + i) % p->qcap];
        free(p->queue);
        p->queue = nq;
        p->qcap = ncap;
        p->qhead = 0;
    }
    p->queue[(p->qhead + p->qlen) % p->qcap] = t;
    p->qlen++;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

/* ------------------------------------------------------------ the tasks */

static uint64_t hash_keys(const SlValue *k, int n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < n; i++)
        h = sl_hash_u64(h ^ sl_value_hash(&k[i])) + (uint64_t)i;
    return h;
}

static bool keys_equal(const SlValue *a, const SlValue *b, int n)
{
    for (int i = 0; i < n; i++) {
        if (a[i].isnull != b[i].isnull)
            return false;
        if (!a[i].isnull && sl_value_cmp(&a[i], &b[i]) != 0)
            return false;
    }
    return true;
}

static void distinct_add(SlArena *a, DistinctSet *s, const SlValue *v)
{
    uint64_t h = sl_value_hash(v);
    if (s->n * 2 >= s->cap) {
        int64_t ncap = s->cap ? s->cap * 2 : 16;
        SlValue *nv = sl_alloc0(a, sizeof(SlValue) * (size_t)ncap);
        uint64_t *nh = sl_alloc0(a, sizeof(uint64_t) * (size_t)ncap);
        bool *used = calloc((size_t)ncap, 1);
        for (int64_t i = 0; i < s->cap; i++) {
            if (!s->hashes[i] && s->vals[i].isnull)
                continue;
            int64_t j = (int64_t)(s->hashes[i] % (uint64_t)ncap);
            while (used[j])
                j = (j + 1) % ncap;
            used[j] = true;
            nv[j] = s->vals[i];
            nh[j] = s->hashes[i];
        }
        free(used);
        s->vals = nv;
        s->hashes = nh;
        s->cap = ncap;
        /* empty slots are marked by isnull with hash 0 */
        for (int64_t i = 0; i < ncap; i++)
            if (!nh[i] && nv[i].type == 0 && !nv[i].isnull)
                nv[i].isnull = 1;
    }
    int64_t j = (int64_t)(h % (uint64_t)s->cap);
    while (!(s->vals[j].isnull && s->hashes[j] == 0)) {
        if (s->hashes[j] == h && sl_value_cmp(&s->vals[j], v) == 0)
            return;
        j = (j + 1) % s->cap;
    }
    sl_value_copy(v, a, &s->vals[j]);
    s->hashes[j] = h ? h : 1;
    s->n++;
}

static void agg_update(ExTask *t, const PlAgg *ag, AggState *st, const SlValue *v)
{
    if (ag->kind == PL_AGG_COUNT_STAR) {
        st->count++;
        return;
    }
    if (v->isnull)
        return;
    if (ag->distinct) {
        if (!st->set)
            st->set = sl_alloc0(t->arena, sizeof(DistinctSet));
        distinct_add(t->arena, st->set, v);
        return;
    }
    st->count++;
    switch (ag->kind) {
    case PL_AGG_SUM:
    case PL_AGG_AVG:
        if (v->type == SL_T_FLOAT8) {
            st->fsum += v->u.f8;
        } else if (v->type == SL_T_NUMERIC) {
            __int128 x = v->u.num;
            if (v->scale > st->scale) {
                for (int i = st->scale; i < v->scale; i++)
                    st->isum *= 10;
                st->scale = v->scale;
            } else {
                for (int i = v->scale; i < st->scale; i++)
                    x *= 10;
            }
            if (__builtin_add_overflow(st->isum, x, &st->isum))
                st->overflow = true;
        } else {
            st->isum += v->type == SL_T_INT4 ? v->u.i4 : v->u.i8;
        }
        break;
    case PL_AGG_MIN:
    case PL_AGG_MAX:
        if (!st->has || (ag->kind == PL_AGG_MIN ? sl_value_cmp(v, &st->best) < 0 : sl_value_cmp(v, &st->best) > 0)) {
            sl_value_copy(v, t->arena, &st->best);
            st->has = true;
        }
        break;
    default:
        break;
    }
}

static int agg_final(const PlAgg *ag, const AggState *st, SlArena *a, SlValue *out, SlError *err)
{
    int64_t count = st->count;
    if (ag->distinct) {
        /* count(DISTINCT x) */
        count = st->set ? st->set->n : 0;
        if (ag->kind == PL_AGG_COUNT) {
            *out = sl_val_int8(count);
            return 0;
        }
    }
    switch (ag->kind) {
    case PL_AGG_COUNT_STAR:
    case PL_AGG_COUNT:
        *out = sl_val_int8(count);
        return 0;
    case PL_AGG_SUM:
    case PL_AGG_AVG: {
        if (count == 0) {
            *out = sl_val_null(ag->type);
            return 0;
        }
        if (st->overflow)
            return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow");
        SlType at = ag->arg->type;
        if (at == SL_T_FLOAT8) {
            *out = sl_val_float8(ag->kind == PL_AGG_SUM ? st->fsum : st->fsum / (double)count);
            return 0;
        }
        if (ag->kind == PL_AGG_SUM) {
            if (ag->type == SL_T_INT8) {
                if (st->isum > INT64_MAX || st->isum < INT64_MIN)
                    return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
                *out = sl_val_int8((int64_t)st->isum);
                return 0;
            }
            return sl_numeric_from_int128(st->isum, st->scale, out, err);
        }
        SlValue sum, cnt = sl_val_numeric(count, 0);
        if (sl_numeric_from_int128(st->isum, st->scale, &sum, err) < 0)
            return -1;
        return sl_numeric_div(&sum, &cnt, out, err);
    }
    case PL_AGG_MIN:
    case PL_AGG_MAX:
        if (!st->has)
            *out = sl_val_null(ag->type);
        else
            *out = st->best;
        (void)a;
        return 0;
    }
    return 0;
}

static Group *group_find(ExTask *t, const SlValue *keys, int nkeys, int naggs)
{
    uint64_t h = hash_keys(keys, nkeys);
    if ((t->ngroups + 1) * 10 >= t->nslots * 7) {
        int64_t ncap = t->nslots ? t->nslots * 2 : 64;
        Group **ns = sl_calloc((size_t)ncap, sizeof(Group *));
        for (int64_t i = 0; i < t->nslots; i++) {
            Group *g = t->slots[i];
            if (!g)
                continue;
            int64_t j = (int64_t)(g->hash % (uint64_t)ncap);
            while (ns[j])
                j = (j + 1) % ncap;
            ns[j] = g;
        }
        free(t->slots);
        t->slots = ns;
        t->nslots = ncap;
    }
    int64_t j = (int64_t)(h % (uint64_t)t->nslots);
    while (t->slots[j]) {
        Group *g = t->slots[j];
        if (g->hash == h && keys_equal(g->keys, keys, nkeys))
            return g;
        j = (j + 1) % t->nslots;
    }
    Group *g = sl_alloc0(t->arena, sizeof *g);
    g->hash = h;
    g->keys = sl_alloc(t->arena, sizeof(SlValue) * (size_t)(nkeys ? nkeys : 1));
    for (int i = 0; i < nkeys; i++)
        sl_value_copy(&keys[i], t->arena, &g->keys[i]);
    g->aggs = sl_alloc0(t->arena, sizeof(AggState) * (size_t)(naggs ? naggs : 1));
    t->slots[j] = g;
    t->ngroups++;
    return g;
}

/* The output row of a group (targets over keys and aggregate finals);
 * *present is false when HAVING filters it out. */
static int group_output(const PlSelect *q, const Group *g, SlArena *a, SlValue *out, bool *present, SlError *err)
{
    SlValue *aggv = sl_alloc(a, sizeof(SlValue) * (size_t)(q->naggs ? q->naggs : 1));
    for (int i = 0; i < q->naggs; i++)
        if (agg_final(&q->aggs[i], &g->aggs[i], a, &aggv[i], err) < 0)
            return -1;
    ExEvalCtx ec = {.arena = a, .stmt_time = sl_now_usec(), .aggs = aggv};
    *present = true;
    if (q->having && ex_eval_bool(q->having, g->keys, &ec, present, err) < 0)
        return -1;
    for (int k = 0; k < q->ntargets && *present; k++)
        if (ex_eval(q->targets[k], g->keys, &ec, &out[k], err) < 0)
            return -1;
    return 0;
}

static void change_add(ChangeBatch *cb, int8_t diff, const SlValue *row)
{
    if (cb->nrows == cb->cap) {
        cb->cap = cb->cap ? cb->cap * 2 : 64;
        int8_t *d = sl_alloc(cb->arena, (size_t)cb->cap);
        SlValue *r = sl_alloc(cb->arena, sizeof(SlValue) * (size_t)(cb->cap * cb->ncols));
        if (cb->nrows) {
            memcpy(d, cb->diffs, (size_t)cb->nrows);
            memcpy(r, cb->rows, sizeof(SlValue) * (size_t)(cb->nrows * cb->ncols));
        }
        cb->diffs = d;
        cb->rows = r;
    }
    cb->diffs[cb->nrows] = diff;
    for (int i = 0; i < cb->ncols; i++)
        sl_value_copy(&row[i], cb->arena, &cb->rows[(size_t)cb->nrows * (size_t)cb->ncols + (size_t)i]);
    cb->nrows++;
}

static bool rows_equal(const SlValue *a, const SlValue *b, int n)
{
    return keys_equal(a, b, n);
}

/* Frees every retained change batch (caller holds loglock). */
static void log_clear(ExView *v)
{
    while (v->log_head) {
        ChangeBatch *cb = v->log_head;
        v->log_head = cb->next;
        sl_arena_free(cb->arena);
        free(cb);
    }
    v->log_tail = NULL;
    v->log_rows = 0;
}

/* Appends a change batch to the view's log (caller holds the task lock,
 * so a snapshot never sees a state without its changes). */
static void log_append(ExView *v, ChangeBatch *cb)
{
    pthread_mutex_lock(&v->loglock);
    cb->progress = ++v->progress;
    if (v->log_tail)
        v->log_tail->next = cb;
    else
        v->log_head = cb;
    v->log_tail = cb;
    v->log_rows += cb->nrows;
    while (v->log_head && v->log_head != v->log_tail && v->log_rows > CHANGE_LOG_ROWS) {
        ChangeBatch *old = v->log_head;
        v->log_head = old->next;
        v->log_rows -= old->nrows;
        sl_arena_free(old->arena);
        free(old);
    }
    for (ExSubscription *sub = v->subs; sub; sub = sub->next)
        sub->notify(sub->arg);
    pthread_mutex_unlock(&v->loglock);
}

/* Applies one batch to the task's state. */
static int task_apply(ExTask *t, Batch *b, SlArena *scratch)
{
    ExView *v = t->view;
    const PlSelect *q = v->q;
    ExEvalCtx ec = {.arena = scratch, .stmt_time = sl_now_usec()};
    SlValue keys[64];
    pthread_mutex_lock(&v->loglock);
    bool track = v->tracking;
    pthread_mutex_unlock(&v->loglock);
    ChangeBatch *cb = NULL;
    if (track) {
        cb = sl_calloc(1, sizeof *cb);
        cb->arena = sl_arena_new(0);
        cb->ncols = q->ntargets;
    }
    t->batch_no++;
    t->ntouched = 0;
    for (int r = 0; r < b->nrows; r++) {
        const SlValue *row = b->rows + (size_t)r * (size_t)b->ncols;
        bool pass = true;
        t->rows_in++;
        if (q->where && ex_eval_bool(q->where, row, &ec, &pass, &t->error) < 0)
            return -1;
        if (!pass)
            continue;
        if (q->grouped) {
            for (int k = 0; k < q->ngroup; k++)
                if (ex_eval(q->group[k], row, &ec, &keys[k], &t->error) < 0)
                    return -1;
            Group *g = group_find(t, keys, q->ngroup, q->naggs);
            if (track && g->touched != t->batch_no) {
                /* remember the group's row before this batch */
                g->touched = t->batch_no;
                bool present = false;
                bool had = g->nrows > 0;
                g->old_row = NULL;
                if (had) {
                    SlValue *old = sl_alloc(cb->arena, sizeof(SlValue) * (size_t)(q->ntargets ? q->ntargets : 1));
                    if (group_output(q, g, cb->arena, old, &present, &t->error) < 0)
                        return -1;
                    if (present)
                        g->old_row = old;
                }
                if (t->ntouched == t->captouched) {
                    t->captouched = t->captouched ? t->captouched * 2 : 64;
                    t->touched = sl_realloc(t->touched, sizeof(Group *) * (size_t)t->captouched);
                }
                t->touched[t->ntouched++] = g;
            }
            g->nrows++;
            for (int a = 0; a < q->naggs; a++) {
                SlValue val = sl_val_null(SL_T_UNKNOWN);
                if (q->aggs[a].arg && ex_eval(q->aggs[a].arg, row, &ec, &val, &t->error) < 0)
                    return -1;
                agg_update(t, &q->aggs[a], &g->aggs[a], &val);
            }
        } else {
            if (t->nrows == t->caprows) {
                t->caprows = t->caprows ? t->caprows * 2 : 256;
                t->rows = sl_realloc(t->rows, sizeof(SlValue) * (size_t)(t->caprows * q->ntargets));
            }
            SlValue *out = t->rows + (size_t)t->nrows * (size_t)q->ntargets;
            for (int c = 0; c < q->ntargets; c++) {
                SlValue val;
                if (ex_eval(q->targets[c], row, &ec, &val, &t->error) < 0)
                    return -1;
                sl_value_copy(&val, t->arena, &out[c]);
            }
            if (cb)
                change_add(cb, 1, out);
            t->nrows++;
            t->rows_out++;
        }
        if ((r & 255) == 255)
            sl_arena_reset(scratch);
    }
    if (cb) {
        SlValue *now = sl_alloc(cb->arena, sizeof(SlValue) * (size_t)(q->ntargets ? q->ntargets : 1));
        for (int64_t i = 0; i < t->ntouched; i++) {
            Group *g = t->touched[i];
            bool present;
            if (group_output(q, g, cb->arena, now, &present, &t->error) < 0)
                return -1;
            if (g->old_row && present && rows_equal(g->old_row, now, q->ntargets))
                continue;
            if (g->old_row)
                change_add(cb, -1, g->old_row);
            if (present)
                change_add(cb, 1, now);
        }
        if (cb->nrows) {
            log_append(v, cb);
        } else {
            sl_arena_free(cb->arena);
            free(cb);
        }
    }
    return 0;
}

static void task_run(ExTask *t)
{
    ExView *v = t->view;
    SlArena *scratch = sl_arena_new(0);
    for (;;) {
        pthread_mutex_lock(&t->qlock);
        Batch *b = t->head;
        if (!b) {
            t->scheduled = false;
            pthread_mutex_unlock(&t->qlock);
            break;
        }
        t->head = b->next;
        if (!t->head)
            t->tail = NULL;
        pthread_mutex_unlock(&t->qlock);

        pthread_mutex_lock(&t->lock);
        if (!t->failed && task_apply(t, b, scratch) < 0) {
            t->failed = true;
            sl_warn("view \"%s\" task %d failed: %s", v->name, t->index, t->error.message);
        }
        pthread_mutex_unlock(&t->lock);
        sl_arena_reset(scratch);

        pthread_mutex_lock(&v->plock);
        v->processed += b->nrows;
        pthread_cond_broadcast(&v->pcond);
        pthread_mutex_unlock(&v->plock);
        sl_arena_free(b->arena);
        free(b->rows);
        free(b);
    }
    sl_arena_free(scratch);
}

static void task_push(ExTask *t, Batch *b)
{
    pthread_mutex_lock(&t->qlock);
    if (t->tail)
        t->tail->next = b;
    else
        t->head = b;
    t->tail = b;
    bool schedule = !t->scheduled;
    t->scheduled = true;
    pthread_mutex_unlock(&t->qlock);
    if (schedule)
        pool_submit(the_pool, t);
}

static Batch *batch_new(int ncols)
{
    Batch *b = sl_calloc(1, sizeof *b);
    b->arena = sl_arena_new(0);
    b->ncols = ncols;
    return b;
}

static void batch_add(Batch *b, const SlValue *row)
{
    if (b->nrows == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->rows = sl_realloc(b->rows, sizeof(SlValue) * (size_t)(b->cap * b->ncols));
    }
    SlValue *dst = b->rows + (size_t)b->nrows * (size_t)b->ncols;
    for (int c = 0; c < b->ncols; c++)
        sl_value_copy(&row[c], b->arena, &dst[c]);
    b->nrows++;
}

/* Routes rows of the view's source to its tasks. Caller holds the ingest lock. */
static int view_route(ExView *v, const SlValue *rows, int64_t nrows, SlError *err)
{
    int ncols = v->src->ncols;
    Batch **batches = sl_calloc((size_t)v->parallelism, sizeof(Batch *));
    SlArena *scratch = sl_arena_new(0);
    ExEvalCtx ec = {.arena = scratch, .stmt_time = sl_now_usec()};
    SlValue keys[64];
    int rc = 0;
    for (int64_t r = 0; r < nrows; r++) {
        const SlValue *row = rows + (size_t)r * (size_t)ncols;
        int task;
        if (v->q->grouped && v->q->ngroup > 0) {
            for (int k = 0; k < v->q->ngroup; k++) {
                if (ex_eval(v->q->group[k], row, &ec, &keys[k], err) < 0) {
                    /* the task reports runtime errors; route by NULL */
                    keys[k] = sl_val_null(SL_T_UNKNOWN);
                }
            }
            int kg = ex_kg_of_hash(hash_keys(keys, v->q->ngroup), v->max_parallelism);
            task = ex_task_of_kg(kg, v->parallelism, v->max_parallelism);
        } else if (v->q->grouped) {
            task = 0; /* a global aggregate: one group */
        } else {
            task = (int)(v->route_counter++ % v->parallelism);
        }
        if (!batches[task])
            batches[task] = batch_new(ncols);
        batch_add(batches[task], row);
        if ((r & 255) == 255)
            sl_arena_reset(scratch);
    }
    /* backpressure: a view more than VIEW_QUEUE_ROWS behind slows the
     * acknowledgement of ingestion; rows are never dropped */
    pthread_mutex_lock(&v->plock);
    while (v->enqueued - v->processed > VIEW_QUEUE_ROWS)
        pthread_cond_wait(&v->pcond, &v->plock);
    v->enqueued += nrows;
    pthread_mutex_unlock(&v->plock);
    for (int t = 0; t < v->parallelism; t++)
        if (batches[t])
            task_push(&v->tasks[t], batches[t]);
    sl_arena_free(scratch);
    free(batches);
    return rc;
}

/* --------------------------------------------------------------- catalog */

ExCatalog *ex_catalog_new(int workers, int default_parallelism)
{
    ExCatalog *c = sl_calloc(1, sizeof *c);
    pthread_rwlock_init(&c->lock, NULL);
    pthread_mutex_init(&c->ingest, NULL);
    if (workers <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        workers = n > 0 ? (int)n : 2;
    }
    c->default_parallelism = default_parallelism > 0 ? default_parallelism : workers;
    Pool *p = &c->pool;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    p->nthreads = workers;
    p->threads = sl_calloc((size_t)workers, sizeof(pthread_t));
    the_pool = p;
    for (int i = 0; i < workers; i++)
        pthread_create(&p->threads[i], NULL, worker_main, p);
    return c;
}

static void view_wait_idle(ExView *v)
{
    pthread_mutex_lock(&v->plock);
    while (v->processed < v->enqueued)
        pthread_cond_wait(&v->pcond, &v->plock);
    pthread_mutex_unlock(&v->plock);
}

static void view_free(ExView *v)
{
    view_wait_idle(v);
    /* a worker may still be leaving task_run after its last batch: wait
     * until no task is scheduled before freeing them */
    for (int t = 0; t < v->parallelism; t++) {
        ExTask *task = &v->tasks[t];
        pthread_mutex_lock(&task->qlock);
        while (task->scheduled) {
            pthread_mutex_unlock(&task->qlock);
            usleep(200);
            pthread_mutex_lock(&task->qlock);
        }
        pthread_mutex_unlock(&task->qlock);
    }
    pthread_mutex_lock(&v->loglock);
    for (ExSubscription *sub = v->subs; sub; sub = sub->next) {
        sub->view = NULL;
        sub->notify(sub->arg);
    }
    v->subs = NULL;
    log_clear(v);
    pthread_mutex_unlock(&v->loglock);
    pthread_mutex_destroy(&v->loglock);
    for (int t = 0; t < v->parallelism; t++) {
        ExTask *task = &v->tasks[t];
        free(task->slots);
        free(task->rows);
        free(task->touched);
        sl_arena_free(task->arena);
        pthread_mutex_destroy(&task->lock);
        pthread_mutex_destroy(&task->qlock);
    }
    free(v->tasks);
    pthread_mutex_destroy(&v->plock);
    pthread_cond_destroy(&v->pcond);
    sl_arena_free(v->arena);
    free(v);
}

static void stream_free(ExStream *s)
{
    free(s->rows);
    free(s->views);
    sl_arena_free(s->arena);
    free(s);
}

void ex_catalog_free(ExCatalog *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->nviews; i++)
        view_free(c->views[i]);
    for (int i = 0; i < c->nstreams; i++)
        stream_free(c->streams[i]);
    free(c->views);
    free(c->streams);
    Pool *p = &c->pool;
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    free(p->threads);
    free(p->queue);
    if (the_pool == p)
        the_pool = NULL;
    pthread_rwlock_destroy(&c->lock);
    pthread_mutex_destroy(&c->ingest);
    free(c);
}

static ExStream *find_stream(ExCatalog *c, const char *name)
{
    for (int i = 0; i < c->nstreams; i++)
        if (!strcmp(c->streams[i]->name, name))
            return c->streams[i];
    return NULL;
}

static ExView *find_view(ExCatalog *c, const char *name)
{
    for (int i = 0; i < c->nviews; i++)
        if (!strcmp(c->views[i]->name, name))
            return c->views[i];
    return NULL;
}

static int int_option(const PsOption *o, int lo, int hi, int *out, SlError *err)
{
    const PsExpr *v = o->value;
    if (!v || v->kind != PS_E_CONST || v->value.isnull || v->value.type != SL_T_INT4)
        return sl_error_at(err, SL_E_INVALID_PARAMETER_VALUE, o->location + 1, "option \"%s\" needs an integer",
                           o->name);
    if (v->value.u.i4 < lo || v->value.u.i4 > hi)
        return sl_error_at(err, SL_E_INVALID_PARAMETER_VALUE, o->location + 1,
                           "option \"%s\" must be between %d and %d", o->name, lo, hi);
    *out = v->value.u.i4;
    return 0;
}

int ex_create_stream(ExCatalog *c, const PsStmt *st, SlBuf *canonical, char tag[64], SlError *err)
{
    int partitions = 1;
    for (int i = 0; i < PS_LIST_LEN(st->options); i++) {
        const PsOption *o = st->options->items[i];
        if (!strcmp(o->name, "partitions")) {
            if (int_option(o, 1, 1024, &partitions, err) < 0)
                return -1;
        } else if (!strcmp(o->name, "durability")) {
            /* accepted; the durable log arrives with the checkpoint work */
        } else {
            return sl_error_at(err, SL_E_INVALID_PARAMETER_VALUE, o->location + 1,
                               "unrecognized stream option \"%s\"", o->name);
        }
    }
    for (int i = 0; i < st->columns->n; i++) {
        const PsColumnDef *cd = st->columns->items[i];
        if (cd->type->type == SL_T_UNKNOWN)
            return sl_error_at(err, SL_E_UNDEFINED_OBJECT, cd->type->location + 1, "type \"%s\" does not exist",
                               cd->type->name);
        for (int j = 0; j < i; j++)
            if (!strcmp(((PsColumnDef *)st->columns->items[j])->name, cd->name))
                return sl_error_at(err, SL_E_DUPLICATE_COLUMN, cd->location + 1,
                                   "column \"%s\" specified more than once", cd->name);
    }
    if (st->columns->n > 64)
        return sl_error(err, SL_E_PROGRAM_LIMIT_EXCEEDED, "a stream has at most 64 columns");
    pthread_rwlock_wrlock(&c->lock);
    if (find_stream(c, st->name) || find_view(c, st->name)) {
        pthread_rwlock_unlock(&c->lock);
        if (st->if_not_exists) {
            snprintf(tag, 64, "CREATE STREAM");
            return 0;
        }
        return sl_error(err, SL_E_DUPLICATE_TABLE, "relation \"%s\" already exists", st->name);
    }
    ExStream *s = sl_calloc(1, sizeof *s);
    s->arena = sl_arena_new(0);
    s->name = sl_strdup(s->arena, st->name);
    s->ncols = st->columns->n;
    s->partitions = partitions;
    s->cols = sl_alloc0(s->arena, sizeof(PlColumn) * (size_t)s->ncols);
    for (int i = 0; i < s->ncols; i++) {
        const PsColumnDef *cd = st->columns->items[i];
        s->cols[i].name = sl_strdup(s->arena, cd->name);
        s->cols[i].type = cd->type->type;
    }
    c->streams = sl_realloc(c->streams, sizeof(ExStream *) * (size_t)(c->nstreams + 1));
    c->streams[c->nstreams++] = s;
    if (canonical) {
        sl_buf_printf(canonical, "CREATE STREAM \"%s\" (", s->name);
        for (int i = 0; i < s->ncols; i++)
            sl_buf_printf(canonical, "%s\"%s\" %s", i ? ", " : "", s->cols[i].name, sl_type_name(s->cols[i].type));
        sl_buf_printf(canonical, ") WITH (partitions = %d)", s->partitions);
    }
    pthread_rwlock_unlock(&c->lock);
    snprintf(tag, 64, "CREATE STREAM");
    return 0;
}

int ex_create_view(ExCatalog *c, const PsStmt *st, SlBuf *canonical, char tag[64], SlError *err)
{
    const PsSelect *sel = st->select;
    if (PS_LIST_LEN(sel->from) != 1)
        return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "a materialized view reads exactly one stream");
    const PsFrom *f = sel->from->items[0];
    if (f->kind != PS_FROM_NAME)
        return sl_error_at(err, SL_E_FEATURE_NOT_SUPPORTED, f->location + 1, "window functions in FROM are not supported yet");
    if (sel->order_by || sel->limit || sel->offset || sel->distinct)
        return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED,
                        "ORDER BY, LIMIT, OFFSET and DISTINCT are not supported in a materialized view; use them when reading it");
    int parallelism = c->default_parallelism, maxp = 128;
    for (int i = 0; i < PS_LIST_LEN(st->options); i++) {
        const PsOption *o = st->options->items[i];
        if (!strcmp(o->name, "parallelism")) {
            if (int_option(o, 1, 1024, &parallelism, err) < 0)
                return -1;
        } else if (!strcmp(o->name, "max_parallelism")) {
            if (int_option(o, 1, 32768, &maxp, err) < 0)
                return -1;
        } else {
            return sl_error_at(err, SL_E_INVALID_PARAMETER_VALUE, o->location + 1,
                               "unrecognized materialized view option \"%s\"", o->name);
        }
    }
    if (parallelism > maxp)
        return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "parallelism (%d) cannot exceed max_parallelism (%d)",
                        parallelism, maxp);
    pthread_rwlock_wrlock(&c->lock);
    pthread_mutex_lock(&c->ingest);
    int rc = -1;
    ExView *v = NULL;
    ExStream *s = find_stream(c, f->name);
    if (find_stream(c, st->name) || find_view(c, st->name)) {
        if (st->if_not_exists) {
            snprintf(tag, 64, "CREATE MATERIALIZED VIEW");
            rc = 0;
        } else {
            sl_error(err, SL_E_DUPLICATE_TABLE, "relation \"%s\" already exists", st->name);
        }
        goto out;
    }
    if (!s) {
        sl_error_at(err, SL_E_UNDEFINED_TABLE, f->location + 1, "stream \"%s\" does not exist", f->name);
        goto out;
    }
    v = sl_calloc(1, sizeof *v);
    v->arena = sl_arena_new(0);
    v->name = sl_strdup(v->arena, st->name);
    v->sql = sl_strdup(v->arena, st->query_text ? st->query_text : "");
    v->src = s;
    v->parallelism = parallelism;
    v->max_parallelism = maxp;
    /* the bound plan must own everything it points to: bind a fresh
     * parse of the view's text, made in the view's own arena */
    PsList *own;
    if (ps_parse(v->sql, strlen(v->sql), v->arena, &own, NULL, err) < 0 || own->n != 1 ||
        ((PsStmt *)own->items[0])->kind != PS_S_SELECT) {
        if (err && err->code == SL_E_OK)
            sl_error(err, SL_E_INTERNAL_ERROR, "could not re-read the view's definition");
        goto out;
    }
    sel = ((PsStmt *)own->items[0])->select;
    f = sel->from->items[0];
    PlScope scope = {s->name, f->alias ? f->alias : NULL, s->cols, s->ncols};
    PlBinder b;
    pl_binder_init(&b, v->arena, &scope, 0, NULL);
    if (pl_bind_select(&b, sel, &v->q, err) < 0) {
        if (err && err->position > 0)
            err->position += st->body_location; /* back to the CREATE statement's text */
        goto out;
    }
    if (b.nparams > 0) {
        sl_error(err, SL_E_UNDEFINED_PARAMETER, "there is no parameter $1");
        goto out;
    }
    for (int i = 0; i < v->q->naggs; i++)
        if (v->q->aggs[i].distinct && v->q->aggs[i].kind != PL_AGG_COUNT) {
            sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "DISTINCT is supported in count() only");
            goto out;
        }
    if (v->q->ngroup > 64) {
        sl_error(err, SL_E_PROGRAM_LIMIT_EXCEEDED, "at most 64 GROUP BY keys");
        goto out;
    }
    v->ncols = v->q->ntargets;
    v->cols = sl_alloc0(v->arena, sizeof(ExColumn) * (size_t)(v->ncols ? v->ncols : 1));
    for (int i = 0; i < v->ncols; i++) {
        v->cols[i].name = v->q->names[i];
        v->cols[i].type = v->q->targets[i]->type;
        for (int j = 0; j < i; j++)
            if (!strcmp(v->cols[j].name, v->cols[i].name)) {
                sl_error(err, SL_E_DUPLICATE_COLUMN, "column \"%s\" specified more than once", v->cols[i].name);
                sl_error_hint(err, "Give the columns of the view distinct names with AS.");
                goto out;
            }
    }
    pthread_mutex_init(&v->plock, NULL);
    pthread_cond_init(&v->pcond, NULL);
    pthread_mutex_init(&v->loglock, NULL);
    v->tasks = sl_calloc((size_t)parallelism, sizeof(ExTask));
    for (int t = 0; t < parallelism; t++) {
        ExTask *task = &v->tasks[t];
        task->view = v;
        task->index = t;
        task->arena = sl_arena_new(64 * 1024);
        pthread_mutex_init(&task->lock, NULL);
        pthread_mutex_init(&task->qlock, NULL);
    }
    /* start from the stream's beginning */
    if (s->nrows)
        view_route(v, s->rows, s->nrows, err);
    s->views = sl_realloc(s->views, sizeof(ExView *) * (size_t)(s->nviews + 1));
    s->views[s->nviews++] = v;
    c->views = sl_realloc(c->views, sizeof(ExView *) * (size_t)(c->nviews + 1));
    c->views[c->nviews++] = v;
    if (canonical)
        sl_buf_printf(canonical, "CREATE MATERIALIZED VIEW \"%s\" WITH (parallelism = %d, max_parallelism = %d) AS %s",
                      v->name, v->parallelism, v->max_parallelism, v->sql);
    v = NULL;
    snprintf(tag, 64, "CREATE MATERIALIZED VIEW");
    rc = 0;
out:
    pthread_mutex_unlock(&c->ingest);
    pthread_rwlock_unlock(&c->lock);
    if (v) {
        if (v->tasks) {
            view_free(v);
        } else {
            sl_arena_free(v->arena);
            free(v);
        }
    }
    return rc;
}

/* Unlinks a view from its stream and the catalog, reports it, frees it.
 * Caller holds the catalog's write lock. */
static void drop_view_locked(ExCatalog *c, ExView *v, void (*dropped)(void *ctx, const char *name), void *ctx)
{
    ExStream *s = v->src;
    for (int i = 0; i < s->nviews; i++)
        if (s->views[i] == v) {
            memmove(&s->views[i], &s->views[i + 1], sizeof(ExView *) * (size_t)(s->nviews - i - 1));
            s->nviews--;
            break;
        }
    for (int i = 0; i < c->nviews; i++)
        if (c->views[i] == v) {
            memmove(&c->views[i], &c->views[i + 1], sizeof(ExView *) * (size_t)(c->nviews - i - 1));
            c->nviews--;
            break;
        }
    if (dropped)
        dropped(ctx, v->name);
    view_free(v);
}

int ex_drop(ExCatalog *c, const PsStmt *st, void (*dropped)(void *ctx, const char *name), void *ctx, char tag[64],
            SlError *err)
{
    pthread_rwlock_wrlock(&c->lock);
    int rc = 0;
    if (st->obj == PS_OBJ_VIEW) {
        ExView *v = find_view(c, st->name);
        if (!v) {
            if (!st->if_exists)
                rc = sl_error(err, SL_E_UNDEFINED_TABLE, "materialized view \"%s\" does not exist", st->name);
        } else {
            drop_view_locked(c, v, dropped, ctx);
        }
        snprintf(tag, 64, "DROP MATERIALIZED VIEW");
    } else {
        ExStream *s = find_stream(c, st->name);
        if (!s) {
            if (!st->if_exists)
                rc = sl_error(err, SL_E_UNDEFINED_TABLE, "stream \"%s\" does not exist", st->name);
        } else if (s->nviews && !st->cascade) {
            rc = sl_error(err, SL_E_DEPENDENT_OBJECTS_STILL_EXIST,
                          "cannot drop stream %s because other objects depend on it", st->name);
            sl_error_detail(err, "materialized view %s depends on stream %s", s->views[0]->name, st->name);
            sl_error_hint(err, "Use DROP ... CASCADE to drop the dependent objects too.");
        } else {
            while (s->nviews)
                drop_view_locked(c, s->views[s->nviews - 1], dropped, ctx);
            for (int i = 0; i < c->nstreams; i++)
                if (c->streams[i] == s) {
                    memmove(&c->streams[i], &c->streams[i + 1], sizeof(ExStream *) * (size_t)(c->nstreams - i - 1));
                    c->nstreams--;
                    break;
                }
            if (dropped)
                dropped(ctx, s->name);
            stream_free(s);
        }
        snprintf(tag, 64, "DROP STREAM");
    }
    pthread_rwlock_unlock(&c->lock);
    return rc;
}

/* -------------------------------------------------------------- ingestion */

int ex_stream_columns(ExCatalog *c, const char *name, const PlColumn **cols, int *ncols, SlError *err)
{
    pthread_rwlock_rdlock(&c->lock);
    ExStream *s = find_stream(c, name);
    if (s) {
        *cols = s->cols;
        *ncols = s->ncols;
    }
    pthread_rwlock_unlock(&c->lock);
    if (!s) {
        if (find_view(c, name))
            return sl_error(err, SL_E_WRONG_OBJECT_TYPE, "cannot insert into materialized view \"%s\"", name);
        return sl_error(err, SL_E_UNDEFINED_TABLE, "stream \"%s\" does not exist", name);
    }
    return 0;
}

int ex_ingest(ExCatalog *c, const char *name, const SlValue *rows, int64_t nrows, SlError *err)
{
    pthread_rwlock_rdlock(&c->lock);
    ExStream *s = find_stream(c, name);
    if (!s) {
        pthread_rwlock_unlock(&c->lock);
        return sl_error(err, SL_E_UNDEFINED_TABLE, "stream \"%s\" does not exist", name);
    }
    pthread_mutex_lock(&c->ingest);
    /* keep the rows for views created later */
    if (s->nrows + nrows > s->caprows) {
        int64_t cap = s->caprows ? s->caprows : 1024;
        while (cap < s->nrows + nrows)
            cap *= 2;
        s->rows = sl_realloc(s->rows, sizeof(SlValue) * (size_t)(cap * s->ncols));
        s->caprows = cap;
    }
    SlValue *dst = s->rows + (size_t)s->nrows * (size_t)s->ncols;
    size_t before = sl_arena_used(s->arena);
    for (int64_t i = 0; i < nrows * s->ncols; i++)
        sl_value_copy(&rows[i], s->arena, &dst[i]);
    s->bytes += (int64_t)(sl_arena_used(s->arena) - before) + nrows * s->ncols * (int64_t)sizeof(SlValue);
    s->nrows += nrows;
    for (int i = 0; i < s->nviews; i++)
        view_route(s->views[i], dst, nrows, err);
    pthread_mutex_unlock(&c->ingest);
    pthread_rwlock_unlock(&c->lock);
    return 0;
}

/* --------------------------------------------------------------- reading */

int ex_view_columns(ExCatalog *c, const char *name, const ExColumn **cols, int *ncols)
{
    pthread_rwlock_rdlock(&c->lock);
    ExView *v = find_view(c, name);
    if (v) {
        *cols = v->cols;
        *ncols = v->ncols;
    }
    pthread_rwlock_unlock(&c->lock);
    return v ? 0 : -1;
}

/* Calls fn for every row of the view's current contents, a consistent
 * snapshot taken once every row ingested before the call was applied. */
int ex_view_snapshot(ExCatalog *c, const char *name, SlArena *arena,
                     int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx, SlError *err)
{
    pthread_rwlock_rdlock(&c->lock);
    ExView *v = find_view(c, name);
    if (!v) {
        pthread_rwlock_unlock(&c->lock);
        return sl_error(err, SL_E_UNDEFINED_TABLE, "materialized view \"%s\" does not exist", name);
    }
    pthread_mutex_lock(&v->plock);
    int64_t target = v->enqueued;
    while (v->processed < target)
        pthread_cond_wait(&v->pcond, &v->plock);
    pthread_mutex_unlock(&v->plock);
    const PlSelect *q = v->q;
    int rc = 0;
    ExEvalCtx ec = {.arena = arena, .stmt_time = sl_now_usec()};
    SlValue *out = sl_alloc(arena, sizeof(SlValue) * (size_t)(q->ntargets ? q->ntargets : 1));
    SlValue *aggv = sl_alloc(arena, sizeof(SlValue) * (size_t)(q->naggs ? q->naggs : 1));
    bool global_done = false;
    for (int t = 0; t < v->parallelism && rc == 0; t++) {
        ExTask *task = &v->tasks[t];
        pthread_mutex_lock(&task->lock);
        if (task->failed) {
            *err = task->error;
            sl_error_context(err, "materialized view \"%s\"", v->name);
            rc = -1;
        } else if (q->grouped) {
            for (int64_t i = 0; i < task->nslots && rc == 0; i++) {
                Group *g = task->slots ? task->slots[i] : NULL;
                if (!g)
                    continue;
                for (int a = 0; a < q->naggs && rc == 0; a++)
                    rc = agg_final(&q->aggs[a], &g->aggs[a], arena, &aggv[a], err);
                ec.aggs = aggv;
                bool pass = true;
                if (rc == 0 && q->having)
                    rc = ex_eval_bool(q->having, g->keys, &ec, &pass, err);
                for (int k = 0; k < q->ntargets && rc == 0 && pass; k++)
                    rc = ex_eval(q->targets[k], g->keys, &ec, &out[k], err);
                if (rc == 0 && pass)
                    rc = fn(ctx, out, q->ntargets, err);
                if (q->ngroup == 0)
                    global_done = true;
            }
        } else {
            for (int64_t i = 0; i < task->nrows && rc == 0; i++)
                rc = fn(ctx, task->rows + (size_t)i * (size_t)q->ntargets, q->ntargets, err);
        }
        pthread_mutex_unlock(&task->lock);
    }
    /* an aggregate without GROUP BY has one row even over no input */
    if (rc == 0 && q->grouped && q->ngroup == 0 && !global_done) {
        AggState *empty = sl_alloc0(arena, sizeof(AggState) * (size_t)(q->naggs ? q->naggs : 1));
        for (int a = 0; a < q->naggs && rc == 0; a++)
            rc = agg_final(&q->aggs[a], &empty[a], arena, &aggv[a], err);
        ec.aggs = aggv;
        bool pass = true;
        if (rc == 0 && q->having)
            rc = ex_eval_bool(q->having, NULL, &ec, &pass, err);
        for (int k = 0; k < q->ntargets && rc == 0 && pass; k++)
            rc = ex_eval(q->targets[k], NULL, &ec, &out[k], err);
        if (rc == 0 && pass)
            rc = fn(ctx, out, q->ntargets, err);
    }
    pthread_rwlock_unlock(&c->lock);
    return rc;
}

/* SHOW STREAMS / SHOW MATERIALIZED VIEWS rows. */
int ex_list_objects(ExCatalog *c, int obj, SlArena *a,
                    int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx, SlError *err)
{
    pthread_rwlock_rdlock(&c->lock);
    int rc = 0;
    if (obj == PS_OBJ_STREAM) {
        for (int i = 0; i < c->nstreams && rc == 0; i++) {
            ExStream *s = c->streams[i];
            SlBuf b;
            sl_buf_init(&b);
            for (int k = 0; k < s->ncols; k++)
                sl_buf_printf(&b, "%s%s %s", k ? ", " : "", s->cols[k].name, sl_type_name(s->cols[k].type));
            SlValue row[5] = {sl_val_text(s->name, strlen(s->name)),
                              sl_val_text(sl_strndup(a, b.data ? b.data : "", b.len), b.len),
                              sl_val_int4(s->partitions), sl_val_int8(s->nrows), sl_val_int8(s->bytes)};
            rc = fn(ctx, row, 5, err);
            sl_buf_free(&b);
        }
    } else {
        for (int i = 0; i < c->nviews && rc == 0; i++) {
            ExView *v = c->views[i];
            pthread_mutex_lock(&v->plock);
            int64_t lag = v->enqueued - v->processed;
            pthread_mutex_unlock(&v->plock);
            bool failed = false;
            for (int t = 0; t < v->parallelism; t++)
                failed |= v->tasks[t].failed;
            const char *state = failed ? "FAILED" : "RUNNING";
            SlValue row[6] = {sl_val_text(v->name, strlen(v->name)), sl_val_text(v->src->name, strlen(v->src->name)),
                              sl_val_int4(v->parallelism), sl_val_text(state, strlen(state)), sl_val_int8(lag),
                              sl_val_text(v->sql, strlen(v->sql))};
            rc = fn(ctx, row, 6, err);
        }
    }
    pthread_rwlock_unlock(&c->lock);
    return rc;
}

/* ---------------------------------------------------------- subscriptions */

/* One line of COPY text format: progress, diff, the row's columns. */
static void change_line(SlBuf *out, int64_t progress, int diff, const SlValue *row, int n)
{
    sl_buf_printf(out, "%lld\t%d", (long long)progress, diff);
    SlBuf tmp;
    sl_buf_init(&tmp);
    for (int i = 0; i < n; i++) {
        sl_buf_putc(out, '\t');
        if (row[i].isnull) {
            sl_buf_puts(out, "\\N");
            continue;
        }
        sl_buf_reset(&tmp);
        sl_value_out(&row[i], &tmp);
        for (size_t k = 0; k < tmp.len; k++) {
            char c = tmp.data[k];
            switch (c) {
            case '\\': sl_buf_puts(out, "\\\\"); break;
            case '\t': sl_buf_puts(out, "\\t"); break;
            case '\n': sl_buf_puts(out, "\\n"); break;
            case '\r': sl_buf_puts(out, "\\r"); break;
            default: sl_buf_putc(out, c);
            }
        }
    }
    sl_buf_putc(out, '\n');
    sl_buf_free(&tmp);
}

static void json_string(SlBuf *out, const char *p, size_t n)
{
    sl_buf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '"' || c == '\\') {
            sl_buf_putc(out, '\\');
            sl_buf_putc(out, (char)c);
        } else if (c < 0x20) {
            sl_buf_printf(out, "\\u%04x", c);
        } else {
            sl_buf_putc(out, (char)c);
        }
    }
    sl_buf_putc(out, '"');
}

/* {"progress":n,"diff":d,"row":{"col":value,...}} and a newline. */
static void change_json(SlBuf *out, const ExView *v, int64_t progress, int diff, const SlValue *row)
{
    sl_buf_printf(out, "{\"progress\":%lld,\"diff\":%d,\"row\":{", (long long)progress, diff);
    SlBuf tmp;
    sl_buf_init(&tmp);
    for (int i = 0; i < v->ncols; i++) {
        if (i)
            sl_buf_putc(out, ',');
        json_string(out, v->cols[i].name, strlen(v->cols[i].name));
        sl_buf_putc(out, ':');
        if (row[i].isnull) {
            sl_buf_puts(out, "null");
            continue;
        }
        sl_buf_reset(&tmp);
        sl_value_out(&row[i], &tmp);
        SlType t = (SlType)row[i].type;
        bool number = t == SL_T_INT4 || t == SL_T_INT8 || t == SL_T_NUMERIC ||
                      (t == SL_T_FLOAT8 && tmp.len && tmp.data[0] != 'N' && tmp.data[tmp.len - 1] != 'y');
        if (t == SL_T_BOOL)
            sl_buf_puts(out, row[i].u.b ? "true" : "false");
        else if (number)
            sl_buf_append(out, tmp.data, tmp.len);
        else
            json_string(out, tmp.data ? tmp.data : "", tmp.len);
    }
    sl_buf_puts(out, "}}\n");
    sl_buf_free(&tmp);
}

typedef struct SnapCtx {
    SlBuf *out;
    int64_t progress;
} SnapCtx;

int ex_view_subscribe(ExCatalog *c, const char *name, bool json, int64_t as_of, void (*notify)(void *), void *arg,
                      ExSubscription **out, const ExColumn **cols, int *ncols, SlError *err)
{
    pthread_rwlock_rdlock(&c->lock);
    ExView *v = find_view(c, name);
    if (!v) {
        pthread_rwlock_unlock(&c->lock);
        return sl_error(err, SL_E_UNDEFINED_TABLE, "materialized view \"%s\" does not exist", name);
    }
    ExSubscription *sub = sl_calloc(1, sizeof *sub);
    sub->cat = c;
    sub->view = v;
    sub->ncols = v->ncols;
    sub->notify = notify;
    sub->arg = arg;
    sub->json = json;
    sl_buf_init(&sub->snapshot);
    /* a consistent cut: every task's lock, then the log's */
    for (int t = 0; t < v->parallelism; t++)
        pthread_mutex_lock(&v->tasks[t].lock);
    pthread_mutex_lock(&v->loglock);
    int64_t at = v->progress;
    SlArena *a = sl_arena_new(0);
    if (as_of >= 0) {
        /* resume: the changes after as_of, no snapshot */
        int64_t oldest = v->log_head ? v->log_head->progress : at + 1;
        int rc2 = 0;
        if (as_of > at)
            rc2 = sl_error(err, SL_E_INVALID_PARAMETER_VALUE,
                           "AS OF %lld is ahead of the view (its progress is %lld)", (long long)as_of, (long long)at);
        else if (as_of + 1 < oldest || !v->tracking) {
            rc2 = sl_error(err, SL_E_OBJECT_NOT_IN_PREREQUISITE_STATE,
                           "AS OF %lld is older than the changes the view retains", (long long)as_of);
            sl_error_hint(err, "Subscribe without AS OF to start from a new snapshot.");
        }
        if (rc2 == 0) {
            sub->next_progress = as_of + 1;
            sub->next = v->subs;
            v->subs = sub;
            v->nsubs++;
        }
        pthread_mutex_unlock(&v->loglock);
        for (int t = v->parallelism - 1; t >= 0; t--)
            pthread_mutex_unlock(&v->tasks[t].lock);
        sl_arena_free(a);
        if (rc2 == 0) {
            *cols = v->cols;
            *ncols = v->ncols;
            *out = sub;
        } else {
            sl_buf_free(&sub->snapshot);
            free(sub);
        }
        pthread_rwlock_unlock(&c->lock);
        return rc2;
    }
    const PlSelect *q = v->q;
    SlValue *row = sl_alloc(a, sizeof(SlValue) * (size_t)(q->ntargets ? q->ntargets : 1));
    int rc = 0;
    for (int t = 0; t < v->parallelism && rc == 0; t++) {
        ExTask *task = &v->tasks[t];
        if (task->failed) {
            *err = task->error;
            rc = -1;
            break;
        }
        if (json)
            continue; /* LISTEN: changes only */
        if (q->grouped) {
            for (int64_t i = 0; i < task->nslots && rc == 0; i++) {
                Group *g = task->slots ? task->slots[i] : NULL;
                bool present;
                if (!g || g->nrows == 0)
                    continue;
                rc = group_output(q, g, a, row, &present, err);
                if (rc == 0 && present)
                    change_line(&sub->snapshot, at, 1, row, q->ntargets);
                sl_arena_reset(a);
                row = sl_alloc(a, sizeof(SlValue) * (size_t)(q->ntargets ? q->ntargets : 1));
            }
        } else {
            for (int64_t i = 0; i < task->nrows; i++)
                change_line(&sub->snapshot, at, 1, task->rows + (size_t)i * (size_t)q->ntargets, q->ntargets);
        }
    }
    if (rc == 0) {
        sub->next_progress = at + 1;
        sub->next = v->subs;
        v->subs = sub;
        v->nsubs++;
        v->tracking = true;
    }
    pthread_mutex_unlock(&v->loglock);
    for (int t = v->parallelism - 1; t >= 0; t--)
        pthread_mutex_unlock(&v->tasks[t].lock);
    sl_arena_free(a);
    if (rc == 0) {
        *cols = v->cols;
        *ncols = v->ncols;
        *out = sub;
    } else {
        sl_buf_free(&sub->snapshot);
        free(sub);
    }
    pthread_rwlock_unlock(&c->lock);
    return rc;
}

int ex_subscription_poll(ExSubscription *sub, SlBuf *out, size_t max_bytes, SlError *err)
{
    int rc = 0;
    if (sub->snap_pos < sub->snapshot.len) {
        size_t n = sub->snapshot.len - sub->snap_pos;
        if (n > max_bytes) {
            /* whole lines only */
            const char *end = sub->snapshot.data + sub->snap_pos + max_bytes;
            while (end > sub->snapshot.data + sub->snap_pos && end[-1] != '\n')
                end--;
            n = (size_t)(end - (sub->snapshot.data + sub->snap_pos));
            if (n == 0)
                n = sub->snapshot.len - sub->snap_pos;
        }
        sl_buf_append(out, sub->snapshot.data + sub->snap_pos, n);
        sub->snap_pos += n;
        if (sub->snap_pos == sub->snapshot.len)
            sl_buf_free(&sub->snapshot);
        return 0;
    }
    pthread_rwlock_rdlock(&sub->cat->lock);
    ExView *v = sub->view;
    if (!v) {
        pthread_rwlock_unlock(&sub->cat->lock);
        return sl_error(err, SL_E_UNDEFINED_TABLE, "the subscribed materialized view was dropped");
    }
    pthread_mutex_lock(&v->loglock);
    if (v->log_head && v->log_head->progress > sub->next_progress) {
        rc = sl_error(err, SL_E_OBJECT_NOT_IN_PREREQUISITE_STATE,
                      "the subscription fell behind the changes the view retains");
        sl_error_hint(err, "Read the subscription faster, or subscribe again to start from a new snapshot.");
    }
    for (ChangeBatch *cb = v->log_head; cb && rc == 0 && out->len < max_bytes; cb = cb->next) {
        if (cb->progress < sub->next_progress)
            continue;
        for (int i = 0; i < cb->nrows; i++) {
            if (sub->json)
                change_json(out, v, cb->progress, cb->diffs[i], cb->rows + (size_t)i * (size_t)cb->ncols);
            else
                change_line(out, cb->progress, cb->diffs[i], cb->rows + (size_t)i * (size_t)cb->ncols, cb->ncols);
        }
        sub->next_progress = cb->progress + 1;
    }
    pthread_mutex_unlock(&v->loglock);
    pthread_rwlock_unlock(&sub->cat->lock);
    return rc;
}

void ex_unsubscribe(ExSubscription *sub)
{
    if (!sub)
        return;
    pthread_rwlock_rdlock(&sub->cat->lock);
    ExView *v = sub->view;
    if (v) {
        pthread_mutex_lock(&v->loglock);
        for (ExSubscription **pp = &v->subs; *pp; pp = &(*pp)->next)
            if (*pp == sub) {
                *pp = sub->next;
                v->nsubs--;
                break;
            }
        /* the log is kept (bounded) after the last subscriber leaves, so a
         * client can resume AS OF the last progress it saw */
        pthread_mutex_unlock(&v->loglock);
    }
    pthread_rwlock_unlock(&sub->cat->lock);
    sl_buf_free(&sub->snapshot);
    free(sub);
}

/* ------------------------------------------------------------ system views */

int ex_list_tasks(ExCatalog *c, int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx,
                  SlError *err)
{
    pthread_rwlock_rdlock(&c->lock);
    int rc = 0;
    for (int i = 0; i < c->nviews && rc == 0; i++) {
        ExView *v = c->views[i];
        for (int t = 0; t < v->parallelism && rc == 0; t++) {
            ExTask *task = &v->tasks[t];
            int64_t queued = 0;
            pthread_mutex_lock(&task->qlock);
            for (Batch *b = task->head; b; b = b->next)
                queued += b->nrows;
            pthread_mutex_unlock(&task->qlock);
            pthread_mutex_lock(&task->lock);
            int64_t in = task->rows_in, out = v->q->grouped ? task->ngroups : task->rows_out;
            bool failed = task->failed;
            size_t mem = sl_arena_used(task->arena);
            pthread_mutex_unlock(&task->lock);
            int lo = (int)(((int64_t)t * v->max_parallelism + v->parallelism - 1) / v->parallelism);
            int hi = (int)(((int64_t)(t + 1) * v->max_parallelism + v->parallelism - 1) / v->parallelism) - 1;
            const char *state = failed ? "FAILED" : "RUNNING";
            SlValue row[9] = {sl_val_text(v->name, strlen(v->name)), sl_val_int4(t), sl_val_int4(lo), sl_val_int4(hi),
                              sl_val_int8(in), sl_val_int8(out), sl_val_int8(queued), sl_val_int8((int64_t)mem),
                              sl_val_text(state, strlen(state))};
            rc = fn(ctx, row, 9, err);
        }
    }
    pthread_rwlock_unlock(&c->lock);
    return rc;
}

int ex_list_columns(ExCatalog *c, int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx,
                    SlError *err)
{
    pthread_rwlock_rdlock(&c->lock);
    int rc = 0;
    for (int i = 0; i < c->nstreams && rc == 0; i++) {
        ExStream *s = c->streams[i];
        for (int k = 0; k < s->ncols && rc == 0; k++) {
            const char *tn = sl_type_name(s->cols[k].type);
            SlValue row[5] = {sl_val_text(s->name, strlen(s->name)), sl_val_text("stream", 6), sl_val_int4(k + 1),
                              sl_val_text(s->cols[k].name, strlen(s->cols[k].name)), sl_val_text(tn, strlen(tn))};
            rc = fn(ctx, row, 5, err);
        }
    }
    for (int i = 0; i < c->nviews && rc == 0; i++) {
        ExView *v = c->views[i];
        for (int k = 0; k < v->ncols && rc == 0; k++) {
            const char *tn = sl_type_name(v->cols[k].type);
            SlValue row[5] = {sl_val_text(v->name, strlen(v->name)), sl_val_text("view", 4), sl_val_int4(k + 1),
                              sl_val_text(v->cols[k].name, strlen(v->cols[k].name)), sl_val_text(tn, strlen(tn))};
            rc = fn(ctx, row, 5, err);
        }
    }
    pthread_rwlock_unlock(&c->lock);
    return rc;
}
