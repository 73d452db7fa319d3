/*
 * rt_job.c — streams, ingestion, jobs, materialization, change feed.
 *
 * Data path of a grouped view with parallelism N over a stream of P
 * partitions:
 *
 *   ingestion --batches--> partition p (bounded buffer, read by every job)
 *     source task s (partitions p with p mod N == s): filter, group keys,
 *       aggregate arguments, key hash; routes each row to the aggregate
 *       task owning its key group, in exchange batches
 *     N x N bounded SPSC rings (source s -> aggregate a)
 *     aggregate task a: per-key-group hash tables of accumulators; after
 *       each batch, the diffs of the groups it touched go to the view's
 *       change log with the next progress number
 *
 * A view without aggregates is N source tasks that filter, project and
 * append to their own part of the view (an append-only multiset).
 *
 * Locks (always taken in this order): rt->sublock, a task's state lock
 * (in task order), job->loglock, a partition's lock. State locks are held
 * for one batch at a time, so a snapshot never sees half a batch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rt_int.h"

#define RT_MAX_KEYS 64

/* ================================================================ types */

typedef struct RtReader {
    RtTask *task;
    struct RtPartition *part;
    int64_t next;             /* next batch sequence number to read */
    bool attached;
} RtReader;

typedef struct RtPartition {
    pthread_mutex_t lock;
    pthread_cond_t room;      /* ingestion waits here while full */
    RtBatch **buf;            /* retained batches [head, tail), by seq & mask */
    size_t mask;
    int64_t head, tail;
    RtReader **readers;
    int nreaders;
    int waiting;
} RtPartition;

struct RtStream {
    RtRuntime *rt;
    char *name;
    PlColumn *cols;
    int ncols;
    int nparts;
    RtPartition *parts;
    int buffer_batches;
    bool retain;
    atomic_ulong rr;
    atomic_llong rows;
    int njobs;                /* under rt->lock */
};

typedef struct RtChange {
    struct RtChange *next;
    int64_t progress;
    RtBatch *rows;
    int8_t *diffs;
} RtChange;

struct RtSub {
    RtRuntime *rt;
    RtJob *job;               /* NULL once the view is dropped (rt->sublock) */
    struct RtSub *next;
    void (*notify)(void *arg);
    void *arg;
    int64_t next_progress;    /* first change not delivered yet */
    int row_pos;              /* rows of that change already delivered */
    RtBatch *snap_head;       /* snapshot rows not delivered yet */
    int snap_pos;
    int64_t snap_progress;
};

typedef struct SourceTask {
    RtTask task;
    RtJob *job;
    int index;
    RtReader *readers;
    int nreaders, rr;
    /* the input batch being processed */
    RtBatch *cur;
    RtReader *cur_reader;
    int cur_row;
    int64_t routed;           /* rows routed from cur */
    /* grouped: one exchange batch per aggregate task; blocked_on >= 0
     * when the batch for that task waits for room in its ring */
    RtBatch **out;
    int blocked_on;
    SlValue *xrow;
    SlArena *scratch;
    /* not grouped: this task's part of the view */
    pthread_mutex_t lock;
    RtBatch *store_head, *store_tail;
    int64_t nstored;
    atomic_llong rows_in, rows_out;
} SourceTask;

typedef struct Touched {
    RtGroup *g;
    SlValue *old;             /* its output row before the batch, or NULL */
} Touched;

typedef struct AggTask {
    RtTask task;
    RtJob *job;
    int index, kg_lo, kg_hi;
    RtRing **in;              /* one ring from each source task */
    int rr;
    pthread_mutex_t lock;     /* the state */
    RtKgTable *tables;        /* kg_hi - kg_lo */
    int64_t ngroups, batch_no;
    Touched *touched;
    size_t ntouched, captouched;
    SlArena *scratch;
    atomic_llong rows_in, rows_out;
} AggTask;

struct RtJob {
    RtRuntime *rt;
    char *name;
    RtStream *src;
    const PlSelect *q;
    int N, K;
    bool grouped;
    int nkeys, naggs, xcols, ncols;
    SourceTask *sources;
    AggTask *aggs;
    RtRing *rings;            /* rings[s * N + a] */
    atomic_long active;       /* tasks queued or running */
    atomic_bool stopping;
    atomic_bool failed;
    pthread_mutex_t errlock;
    SlError error;
    atomic_llong inflight;    /* rows routed to aggregate tasks, not applied */
    atomic_llong rows_in;
    /* exchange batches for reuse */
    pthread_mutex_t poollock;
    RtBatch *free_batches;
    /* rt_job_sync */
    pthread_mutex_t synclock;
    pthread_cond_t synccond;
    atomic_int syncwaiters;
    /* the change log */
    pthread_mutex_t loglock;
    RtChange *log_head, *log_tail;
    int64_t progress;         /* of the newest change */
    int64_t trimmed_upto;     /* changes <= this are not retained */
    int64_t log_rows, log_limit;
    bool changes_always;
    atomic_int nsubs;
    RtSub *subs;
    uint64_t global_hash;     /* grouped without keys: the one group's hash */
};

struct RtRuntime {
    RtPool *pool;
    pthread_mutex_t lock;     /* the lists below */
    pthread_mutex_t sublock;  /* RtSub.job links */
    RtStream **streams;
    int nstreams;
    RtJob **jobs;
    int njobs;
};

/* ============================================================== runtime */

RtRuntime *rt_runtime_new(int workers)
{
    RtRuntime *rt = sl_calloc(1, sizeof *rt);
    rt->pool = rt_pool_new(workers);
    pthread_mutex_init(&rt->lock, NULL);
    pthread_mutex_init(&rt->sublock, NULL);
    return rt;
}

int rt_runtime_workers(const RtRuntime *rt)
{
    return rt_pool_workers(rt->pool);
}

void rt_runtime_free(RtRuntime *rt)
{
    if (!rt)
        return;
    while (rt->njobs)
        rt_job_drop(rt->jobs[rt->njobs - 1]);
    while (rt->nstreams)
        rt_stream_drop(rt->streams[rt->nstreams - 1], NULL);
    rt_pool_free(rt->pool);
    free(rt->jobs);
    free(rt->streams);
    pthread_mutex_destroy(&rt->lock);
    pthread_mutex_destroy(&rt->sublock);
    free(rt);
}

/* ======================================================= stream partitions */

/* Frees batches no reader needs (caller holds p->lock). */
static void part_trim(RtStream *s, RtPartition *p)
{
    if (s->retain)
        return;
    int64_t lim = p->tail;
    for (int i = 0; i < p->nreaders; i++)
        if (p->readers[i]->next < lim)
            lim = p->readers[i]->next;
    while (p->head < lim) {
        rt_batch_free(p->buf[p->head & p->mask]);
        p->buf[p->head & p->mask] = NULL;
        p->head++;
    }
}

/* Batches some reader has not consumed (caller holds p->lock). */
static int64_t part_backlog(const RtPartition *p)
{
    int64_t lim = p->tail;
    for (int i = 0; i < p->nreaders; i++)
        if (p->readers[i]->next < lim)
            lim = p->readers[i]->next;
    return p->tail - lim;
}

static void part_append(RtStream *s, RtPartition *p, RtBatch *b)
{
    pthread_mutex_lock(&p->lock);
    while (part_backlog(p) >= s->buffer_batches) {
        p->waiting++;
        pthread_cond_wait(&p->room, &p->lock);
        p->waiting--;
    }
    if ((size_t)(p->tail - p->head) >= p->mask + 1) {
        size_t ncap = (p->mask + 1) * 2;
        RtBatch **nb = sl_calloc(ncap, sizeof(RtBatch *));
        for (int64_t q = p->head; q < p->tail; q++)
            nb[(size_t)q & (ncap - 1)] = p->buf[(size_t)q & p->mask];
        free(p->buf);
        p->buf = nb;
        p->mask = ncap - 1;
    }
    b->seq = p->tail;
    p->buf[(size_t)p->tail & p->mask] = b;
    p->tail++;
    for (int i = 0; i < p->nreaders; i++)
        rt_task_schedule(p->readers[i]->task);
    part_trim(s, p);
    pthread_mutex_unlock(&p->lock);
}

/* The reader's next batch, or NULL; the batch stays valid until
 * part_advance. */
static RtBatch *part_peek(RtReader *r)
{
    RtPartition *p = r->part;
    pthread_mutex_lock(&p->lock);
    RtBatch *b = r->next < p->tail ? p->buf[(size_t)r->next & p->mask] : NULL;
    pthread_mutex_unlock(&p->lock);
    return b;
}

static void part_advance(RtStream *s, RtReader *r)
{
    RtPartition *p = r->part;
    pthread_mutex_lock(&p->lock);
    r->next++;
    part_trim(s, p);
    if (p->waiting)
        pthread_cond_broadcast(&p->room);
    pthread_mutex_unlock(&p->lock);
}

static void part_attach(RtStream *s, RtPartition *p, RtReader *r, bool from_beginning)
{
    pthread_mutex_lock(&p->lock);
    r->part = p;
    r->next = from_beginning ? p->head : p->tail;
    r->attached = true;
    p->readers = sl_realloc(p->readers, sizeof(RtReader *) * (size_t)(p->nreaders + 1));
    p->readers[p->nreaders++] = r;
    (void)s;
    pthread_mutex_unlock(&p->lock);
}

static void part_detach(RtStream *s, RtReader *r)
{
    RtPartition *p = r->part;
    if (!r->attached)
        return;
    pthread_mutex_lock(&p->lock);
    for (int i = 0; i < p->nreaders; i++)
        if (p->readers[i] == r) {
            p->readers[i] = p->readers[--p->nreaders];
            break;
        }
    r->attached = false;
    part_trim(s, p);
    pthread_cond_broadcast(&p->room);
    pthread_mutex_unlock(&p->lock);
}

/* ================================================================ streams */

RtStream *rt_stream_create(RtRuntime *rt, const char *name, const PlColumn *cols, int ncols,
                           const RtStreamConfig *cfg, SlError *err)
{
    RtStreamConfig c = cfg ? *cfg : (RtStreamConfig){0};
    if (c.partitions <= 0)
        c.partitions = 1;
    if (c.buffer_batches <= 0)
        c.buffer_batches = 64;
    if (c.partitions > 1024) {
        sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "a stream has at most 1024 partitions");
        return NULL;
    }
    if (ncols < 1 || ncols > 1000) {
        sl_error(err, SL_E_PROGRAM_LIMIT_EXCEEDED, "a stream has between 1 and 1000 columns");
        return NULL;
    }
    RtStream *s = sl_calloc(1, sizeof *s);
    s->rt = rt;
    s->name = sl_xstrdup(name);
    s->ncols = ncols;
    s->cols = sl_calloc((size_t)ncols, sizeof(PlColumn));
    for (int i = 0; i < ncols; i++) {
        s->cols[i].name = sl_xstrdup(cols[i].name);
        s->cols[i].type = cols[i].type;
    }
    s->nparts = c.partitions;
    s->buffer_batches = c.buffer_batches;
    s->retain = c.retain;
    atomic_init(&s->rr, 0);
    atomic_init(&s->rows, 0);
    s->parts = sl_calloc((size_t)s->nparts, sizeof(RtPartition));
    for (int i = 0; i < s->nparts; i++) {
        RtPartition *p = &s->parts[i];
        pthread_mutex_init(&p->lock, NULL);
        pthread_cond_init(&p->room, NULL);
        p->mask = 15;
        p->buf = sl_calloc(p->mask + 1, sizeof(RtBatch *));
    }
    pthread_mutex_lock(&rt->lock);
    rt->streams = sl_realloc(rt->streams, sizeof(RtStream *) * (size_t)(rt->nstreams + 1));
    rt->streams[rt->nstreams++] = s;
    pthread_mutex_unlock(&rt->lock);
    return s;
}

const char *rt_stream_name(const RtStream *s)
{
    return s->name;
}

int64_t rt_stream_rows(const RtStream *s)
{
    return atomic_load(&s->rows);
}

int rt_stream_drop(RtStream *s, SlError *err)
{
    RtRuntime *rt = s->rt;
    pthread_mutex_lock(&rt->lock);
    if (s->njobs > 0) {
        pthread_mutex_unlock(&rt->lock);
        return sl_error(err, SL_E_OBJECT_NOT_IN_PREREQUISITE_STATE, "stream \"%s\" is read by %d job(s)", s->name,
                        s->njobs);
    }
    for (int i = 0; i < rt->nstreams; i++)
        if (rt->streams[i] == s) {
            memmove(&rt->streams[i], &rt->streams[i + 1], sizeof(RtStream *) * (size_t)(rt->nstreams - i - 1));
            rt->nstreams--;
            break;
        }
    pthread_mutex_unlock(&rt->lock);
    for (int i = 0; i < s->nparts; i++) {
        RtPartition *p = &s->parts[i];
        for (int64_t q = p->head; q < p->tail; q++)
            rt_batch_free(p->buf[(size_t)q & p->mask]);
        free(p->buf);
        free(p->readers);
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->room);
    }
    for (int i = 0; i < s->ncols; i++)
        free((char *)s->cols[i].name);
    free(s->cols);
    free(s->parts);
    free(s->name);
    free(s);
    return 0;
}

int rt_stream_ingest(RtStream *s, const SlValue *rows, int64_t nrows, SlError *err)
{
    (void)err;
    int64_t done = 0;
    while (done < nrows) {
        int n = nrows - done > RT_BATCH_ROWS ? RT_BATCH_ROWS : (int)(nrows - done);
        RtBatch *b = rt_batch_new(s->ncols, n);
        for (int i = 0; i < n; i++)
            rt_batch_append(b, rows + (size_t)(done + i) * (size_t)s->ncols);
        unsigned long p = atomic_fetch_add(&s->rr, 1) % (unsigned long)s->nparts;
        part_append(s, &s->parts[p], b);
        done += n;
    }
    atomic_fetch_add(&s->rows, nrows);
    return 0;
}

/* ========================================================== job helpers */

static void job_fail(RtJob *j, const SlError *e)
{
    pthread_mutex_lock(&j->errlock);
    if (!atomic_load(&j->failed)) {
        j->error = *e;
        if (j->error.code == SL_E_OK)
            sl_error(&j->error, SL_E_INTERNAL_ERROR, "job failed");
        sl_error_context(&j->error, "materialized view \"%s\"", j->name);
        atomic_store(&j->failed, true);
        sl_warn("view \"%s\" failed: %s", j->name, e->message);
    }
    pthread_mutex_unlock(&j->errlock);
}

static void job_progressed(RtJob *j)
{
    if (atomic_load(&j->syncwaiters) > 0) {
        pthread_mutex_lock(&j->synclock);
        pthread_cond_broadcast(&j->synccond);
        pthread_mutex_unlock(&j->synclock);
    }
}

static RtBatch *xbatch_get(RtJob *j)
{
    pthread_mutex_lock(&j->poollock);
    RtBatch *b = j->free_batches;
    if (b)
        j->free_batches = b->next;
    pthread_mutex_unlock(&j->poollock);
    if (!b) {
        b = rt_batch_new(j->xcols, RT_BATCH_ROWS);
        b->hashes = sl_malloc(sizeof(uint64_t) * (size_t)b->cap);
    }
    b->next = NULL;
    return b;
}

static void xbatch_put(RtJob *j, RtBatch *b)
{
    rt_batch_reset(b);
    pthread_mutex_lock(&j->poollock);
    b->next = j->free_batches;
    j->free_batches = b;
    pthread_mutex_unlock(&j->poollock);
}

static inline int eval_fast(const PlExpr *e, const SlValue *row, ExEvalCtx *ec, SlValue *out, SlError *err)
{
    if (e->kind == PL_COLUMN) {
        *out = row[e->index];
        return 0;
    }
    if (e->kind == PL_CONST) {
        *out = e->value;
        return 0;
    }
    return ex_eval(e, row, ec, out, err);
}

/* Should diffs be computed? (read under the state lock) */
static bool job_tracking(RtJob *j)
{
    return j->changes_always || atomic_load(&j->nsubs) > 0;
}

/* Appends a change batch (NULL: the state changed without recorded diffs)
 * with the next progress number. Caller holds the state lock. */
static void log_append(RtJob *j, RtBatch *rows, int8_t *diffs)
{
    pthread_mutex_lock(&j->loglock);
    j->progress++;
    if (!rows) {
        j->trimmed_upto = j->progress;
    } else {
        RtChange *c = sl_malloc(sizeof *c);
        c->next = NULL;
        c->progress = j->progress;
        c->rows = rows;
        c->diffs = diffs;
        if (j->log_tail)
            j->log_tail->next = c;
        else
            j->log_head = c;
        j->log_tail = c;
        j->log_rows += rows->nrows;
        while (j->log_head != j->log_tail && j->log_rows > j->log_limit) {
            RtChange *old = j->log_head;
            j->log_head = old->next;
            j->log_rows -= old->rows->nrows;
            j->trimmed_upto = old->progress;
            rt_batch_free(old->rows);
            free(old->diffs);
            free(old);
        }
        for (RtSub *s = j->subs; s; s = s->next)
            s->notify(s->arg);
    }
    pthread_mutex_unlock(&j->loglock);
}

/* A change batch of up to cap rows of the view's columns. */
static RtBatch *change_new(RtJob *j, int cap, int8_t **diffs)
{
    RtBatch *b = rt_batch_new(j->ncols, cap > 0 ? cap : 1);
    *diffs = sl_malloc((size_t)b->cap);
    return b;
}

/* ========================================================== source tasks */

/* Pushes the exchange batch for aggregate task a; false when its ring is
 * full (the task is then woken when the aggregate task pops). */
static bool source_push(SourceTask *S, int a)
{
    RtJob *j = S->job;
    RtRing *r = &j->rings[S->index * j->N + a];
    RtBatch *b = S->out[a];
    if (rt_ring_try_push(r, b)) {
        S->out[a] = NULL;
        return true;
    }
    atomic_store(&r->producer_blocked, true);
    atomic_thread_fence(memory_order_seq_cst);
    if (rt_ring_try_push(r, b)) {
        S->out[a] = NULL;
        return true;
    }
    S->blocked_on = a;
    return false;
}

/* Pushes every non-empty exchange batch; false when one is blocked. */
static bool source_flush(SourceTask *S)
{
    for (int a = 0; a < S->job->N; a++)
        if (S->out[a] && S->out[a]->nrows > 0 && !source_push(S, a))
            return false;
    S->blocked_on = -1;
    return true;
}

/* Routes rows of S->cur from S->cur_row on; false when blocked. */
static bool source_route(SourceTask *S, ExEvalCtx *ec)
{
    RtJob *j = S->job;
    const PlSelect *q = j->q;
    RtBatch *in = S->cur;
    SlValue *x = S->xrow;
    SlError err;
    for (; S->cur_row < in->nrows; S->cur_row++) {
        const SlValue *row = rt_batch_row(in, S->cur_row);
        if ((S->cur_row & 255) == 255)
            sl_arena_reset(S->scratch);
        if (q->where) {
            bool pass;
            if (ex_eval_bool(q->where, row, ec, &pass, &err) < 0)
                goto fail;
            if (!pass)
                continue;
        }
        for (int k = 0; k < j->nkeys; k++)
            if (eval_fast(q->group[k], row, ec, &x[k], &err) < 0)
                goto fail;
        for (int a = 0; a < j->naggs; a++) {
            const PlExpr *arg = q->aggs[a].arg;
            if (!arg)
                x[j->nkeys + a] = sl_val_null(SL_T_INT8);
            else if (eval_fast(arg, row, ec, &x[j->nkeys + a], &err) < 0)
                goto fail;
        }
        uint64_t h = j->nkeys ? rt_hash_keys(x, j->nkeys) : j->global_hash;
        int t = rt_task_of_kg(rt_kg_of_hash(h, j->K), j->N, j->K);
        RtBatch *ob = S->out[t];
        if (!ob)
            ob = S->out[t] = xbatch_get(j);
        rt_batch_append(ob, x);
        ob->hashes[ob->nrows - 1] = h;
        S->routed++;
        if (rt_batch_full(ob) && !source_push(S, t)) {
            S->cur_row++;
            return false;
        }
    }
    return true;
fail:
    job_fail(j, &err);
    S->cur_row = in->nrows;
    return true;
}

/* Filter, project and append to this task's part of the view. */
static void source_materialize(SourceTask *S, ExEvalCtx *ec)
{
    RtJob *j = S->job;
    const PlSelect *q = j->q;
    RtBatch *in = S->cur;
    SlError err;
    pthread_mutex_lock(&S->lock);
    bool track = job_tracking(j);
    RtBatch *changes = NULL;
    int8_t *diffs = NULL;
    if (track)
        changes = change_new(j, in->nrows, &diffs);
    int64_t added = 0;
    for (int r = 0; r < in->nrows; r++) {
        const SlValue *row = rt_batch_row(in, r);
        if ((r & 255) == 255)
            sl_arena_reset(S->scratch);
        if (q->where) {
            bool pass;
            if (ex_eval_bool(q->where, row, ec, &pass, &err) < 0)
                goto fail;
            if (!pass)
                continue;
        }
        for (int c = 0; c < j->ncols; c++)
            if (eval_fast(q->targets[c], row, ec, &S->xrow[c], &err) < 0)
                goto fail;
        if (!S->store_tail || rt_batch_full(S->store_tail)) {
            RtBatch *nb = rt_batch_new(j->ncols, RT_BATCH_ROWS);
            if (S->store_tail)
                S->store_tail->next = nb;
            else
                S->store_head = nb;
            S->store_tail = nb;
        }
        const SlValue *stored = rt_batch_append(S->store_tail, S->xrow);
        S->nstored++;
        added++;
        if (changes) {
            diffs[changes->nrows] = 1;
            rt_batch_append(changes, stored);
        }
    }
    if (changes && changes->nrows > 0) {
        log_append(j, changes, diffs);
    } else {
        rt_batch_free(changes);
        free(diffs);
        if (added)
            log_append(j, NULL, NULL);
    }
    atomic_fetch_add(&S->rows_out, added);
    pthread_mutex_unlock(&S->lock);
    return;
fail:
    /* the rows of this batch applied so far stay; the job is failed */
    if (changes && changes->nrows > 0) {
        log_append(j, changes, diffs);
    } else {
        rt_batch_free(changes);
        free(diffs);
    }
    atomic_fetch_add(&S->rows_out, added);
    pthread_mutex_unlock(&S->lock);
    job_fail(j, &err);
}

/* The next input batch from this task's partitions, round-robin. */
static bool source_next(SourceTask *S)
{
    for (int i = 0; i < S->nreaders; i++) {
        RtReader *r = &S->readers[(S->rr + i) % S->nreaders];
        RtBatch *b = part_peek(r);
        if (b) {
            S->rr = (S->rr + i + 1) % S->nreaders;
            S->cur = b;
            S->cur_reader = r;
            S->cur_row = 0;
            S->routed = 0;
            return true;
        }
    }
    return false;
}

/* Done with S->cur: count it and let the partition move on. */
static void source_release(SourceTask *S)
{
    RtJob *j = S->job;
    if (S->routed)
        atomic_fetch_add(&j->inflight, S->routed);
    atomic_fetch_add(&S->rows_in, S->cur->nrows);
    atomic_fetch_add(&j->rows_in, S->cur->nrows);
    RtReader *r = S->cur_reader;
    S->cur = NULL;
    S->cur_reader = NULL;
    part_advance(j->src, r);
    job_progressed(j);
}

static int source_run(RtTask *t, int budget)
{
    SourceTask *S = t->ctx;
    RtJob *j = S->job;
    if (atomic_load(&j->stopping))
        return 0;
    ExEvalCtx ec = {.arena = S->scratch, .stmt_time = sl_now_usec()};
    if (S->blocked_on >= 0) {
        if (!source_push(S, S->blocked_on))
            return 0;
        S->blocked_on = -1;
    }
    for (int done = 0; done < budget; done++) {
        if (!S->cur && !source_next(S)) {
            /* input empty: hand partial exchange batches on */
            if (j->grouped)
                source_flush(S);
            sl_arena_reset(S->scratch);
            return 0;
        }
        if (atomic_load(&j->failed)) {
            S->cur_row = S->cur->nrows; /* drain: the job keeps no state */
        } else if (j->grouped) {
            if (!source_route(S, &ec))
                return 0;
        } else {
            source_materialize(S, &ec);
        }
        source_release(S);
        sl_arena_reset(S->scratch);
    }
    return 1;
}

/* ======================================================= aggregate tasks */

/* The output row of group g with accumulators acc; *present false when
 * HAVING rejects it. Values may point into the task's scratch arena. */
static int group_row(RtJob *j, AggTask *A, const RtGroup *g, const ExAggState *acc, SlValue *out, bool *present,
                     SlError *err)
{
    const PlSelect *q = j->q;
    SlValue aggv[j->naggs > 0 ? j->naggs : 1];
    for (int a = 0; a < j->naggs; a++)
        if (ex_agg_final(&q->aggs[a], &acc[a], A->scratch, &aggv[a], err) < 0)
            return -1;
    ExEvalCtx ec = {.arena = A->scratch, .stmt_time = sl_now_usec(), .aggs = aggv};
    *present = true;
    if (q->having && ex_eval_bool(q->having, g->keys, &ec, present, err) < 0)
        return -1;
    for (int c = 0; c < j->ncols && *present; c++)
        if (eval_fast(q->targets[c], g->keys, &ec, &out[c], err) < 0)
            return -1;
    return 0;
}

static int agg_apply(AggTask *A, RtBatch *b)
{
    RtJob *j = A->job;
    const PlSelect *q = j->q;
    SlError err;
    int rc = 0;
    pthread_mutex_lock(&A->lock);
    bool track = job_tracking(j);
    A->batch_no++;
    A->ntouched = 0;
    int64_t created_n = 0;
    for (int r = 0; r < b->nrows; r++) {
        const SlValue *x = rt_batch_row(b, r);
        uint64_t h = b->hashes[r];
        int kg = rt_kg_of_hash(h, j->K);
        RtKgTable *tbl = &A->tables[kg - A->kg_lo];
        bool created;
        RtGroup *g = rt_kgt_lookup(tbl, h, x, j->nkeys, q->aggs, j->naggs, &created);
        created_n += created;
        if (track && g->touched != A->batch_no) {
            g->touched = A->batch_no;
            if (A->ntouched == A->captouched) {
                A->captouched = A->captouched ? A->captouched * 2 : 256;
                A->touched = sl_realloc(A->touched, sizeof(Touched) * A->captouched);
            }
            Touched *tc = &A->touched[A->ntouched++];
            tc->g = g;
            tc->old = NULL;
            if (!created) {
                /* the row before this batch, deep-copied: accumulators
                 * may reuse their memory when they change */
                SlValue *o = sl_alloc(A->scratch, sizeof(SlValue) * (size_t)(j->ncols ? j->ncols : 1));
                bool present;
                if (group_row(j, A, g, g->acc, o, &present, &err) < 0) {
                    rc = -1;
                    break;
                }
                if (present) {
                    for (int c = 0; c < j->ncols; c++)
                        sl_value_copy(&o[c], A->scratch, &o[c]);
                    tc->old = o;
                }
            }
        }
        g->nrows++;
        for (int a = 0; a < j->naggs; a++)
            if (SL_UNLIKELY(ex_agg_update(&q->aggs[a], &g->acc[a], &x[j->nkeys + a], &err) < 0)) {
                rc = -1;
                break;
            }
        if (rc < 0)
            break;
    }
    A->ngroups += created_n;
    atomic_fetch_add(&A->rows_out, created_n);
    atomic_fetch_add(&A->rows_in, b->nrows);
    if (rc < 0 || b->nrows == 0) {
        /* nothing */
    } else if (!track) {
        log_append(j, NULL, NULL);
    } else {
        int8_t *diffs;
        RtBatch *changes = change_new(j, (int)A->ntouched * 2, &diffs);
        SlValue *newr = sl_alloc(A->scratch, sizeof(SlValue) * (size_t)(j->ncols ? j->ncols : 1));
        for (size_t i = 0; i < A->ntouched && rc == 0; i++) {
            Touched *tc = &A->touched[i];
            bool present = false;
            if (group_row(j, A, tc->g, tc->g->acc, newr, &present, &err) < 0) {
                rc = -1;
                break;
            }
            if (tc->old && present && rt_rows_equal(tc->old, newr, j->ncols))
                continue;
            if (tc->old) {
                diffs[changes->nrows] = -1;
                rt_batch_append(changes, tc->old);
            }
            if (present) {
                diffs[changes->nrows] = 1;
                rt_batch_append(changes, newr);
            }
        }
        if (changes->nrows > 0) {
            log_append(j, changes, diffs);
        } else {
            /* the view's rows did not change: no new progress number */
            rt_batch_free(changes);
            free(diffs);
        }
    }
    sl_arena_reset(A->scratch);
    pthread_mutex_unlock(&A->lock);
    if (rc < 0)
        job_fail(j, &err);
    return rc;
}

static int agg_run(RtTask *t, int budget)
{
    AggTask *A = t->ctx;
    RtJob *j = A->job;
    for (int done = 0; done < budget; done++) {
        if (atomic_load(&j->stopping))
            return 0;
        RtBatch *b = NULL;
        for (int i = 0; i < j->N && !b; i++) {
            int s = (A->rr + i) % j->N;
            b = rt_ring_try_pop(A->in[s]);
            if (b)
                A->rr = (s + 1) % j->N;
        }
        if (!b)
            return 0;
        int n = b->nrows;
        if (!atomic_load(&j->failed))
            agg_apply(A, b);
        xbatch_put(j, b);
        atomic_fetch_sub(&j->inflight, n);
        job_progressed(j);
    }
    return 1;
}

/* =================================================================== jobs */

static void job_free(RtJob *j)
{
    for (int s = 0; s < j->N; s++) {
        SourceTask *S = &j->sources[s];
        if (S->out) {
            for (int a = 0; a < j->N; a++)
                rt_batch_free(S->out[a]);
            free(S->out);
        }
        free(S->readers);
        free(S->xrow);
        sl_arena_free(S->scratch);
        for (RtBatch *b = S->store_head; b;) {
            RtBatch *nb = b->next;
            rt_batch_free(b);
            b = nb;
        }
        pthread_mutex_destroy(&S->lock);
    }
    if (j->aggs) {
        for (int a = 0; a < j->N; a++) {
            AggTask *A = &j->aggs[a];
            for (int k = 0; k < A->kg_hi - A->kg_lo; k++)
                rt_kgt_free(&A->tables[k], j->naggs);
            free(A->tables);
            free(A->touched);
            free(A->in);
            sl_arena_free(A->scratch);
            pthread_mutex_destroy(&A->lock);
        }
        for (int i = 0; i < j->N * j->N; i++) {
            RtBatch *b;
            while ((b = rt_ring_try_pop(&j->rings[i])))
                rt_batch_free(b);
            rt_ring_destroy(&j->rings[i]);
        }
    }
    while (j->free_batches) {
        RtBatch *b = j->free_batches;
        j->free_batches = b->next;
        rt_batch_free(b);
    }
    while (j->log_head) {
        RtChange *c = j->log_head;
        j->log_head = c->next;
        rt_batch_free(c->rows);
        free(c->diffs);
        free(c);
    }
    free(j->sources);
    free(j->aggs);
    free(j->rings);
    free(j->name);
    pthread_mutex_destroy(&j->errlock);
    pthread_mutex_destroy(&j->poollock);
    pthread_mutex_destroy(&j->synclock);
    pthread_cond_destroy(&j->synccond);
    pthread_mutex_destroy(&j->loglock);
    free(j);
}

RtJob *rt_job_create(RtRuntime *rt, const char *name, RtStream *src, const PlSelect *q, const RtJobConfig *cfg,
                     SlError *err)
{
    RtJobConfig c = cfg ? *cfg : (RtJobConfig){0};
    if (c.max_parallelism <= 0)
        c.max_parallelism = RT_DEFAULT_MAX_PARALLELISM;
    if (c.parallelism <= 0)
        c.parallelism = rt_runtime_workers(rt) < c.max_parallelism ? rt_runtime_workers(rt) : c.max_parallelism;
    if (c.change_rows <= 0)
        c.change_rows = 1000000;
    if (c.exchange_batches <= 0)
        c.exchange_batches = 16;
    if (c.max_parallelism > RT_MAX_PARALLELISM) {
        sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "max_parallelism must be between 1 and %d", RT_MAX_PARALLELISM);
        return NULL;
    }
    if (c.parallelism > c.max_parallelism) {
        sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "parallelism (%d) cannot exceed max_parallelism (%d)",
                 c.parallelism, c.max_parallelism);
        return NULL;
    }
    if (q->norder > 0 || q->limit >= 0 || q->offset > 0) {
        sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "ORDER BY, LIMIT and OFFSET are not supported in a materialized view");
        return NULL;
    }
    for (int i = 0; i < q->naggs; i++)
        if (q->aggs[i].distinct && q->aggs[i].kind != PL_AGG_COUNT) {
            sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "DISTINCT is supported in count() only");
            return NULL;
        }
    if (q->ngroup > RT_MAX_KEYS) {
        sl_error(err, SL_E_PROGRAM_LIMIT_EXCEEDED, "at most %d GROUP BY keys", RT_MAX_KEYS);
        return NULL;
    }
    RtJob *j = sl_calloc(1, sizeof *j);
    j->rt = rt;
    j->name = sl_xstrdup(name);
    j->src = src;
    j->q = q;
    j->N = c.parallelism;
    j->K = c.max_parallelism;
    j->grouped = q->grouped;
    j->nkeys = q->grouped ? q->ngroup : 0;
    j->naggs = q->grouped ? q->naggs : 0;
    j->xcols = j->nkeys + j->naggs;
    j->ncols = q->ntargets;
    j->log_limit = c.change_rows;
    j->changes_always = c.changes_always;
    j->global_hash = rt_hash_keys(NULL, 0);
    atomic_init(&j->active, 0);
    atomic_init(&j->stopping, false);
    atomic_init(&j->failed, false);
    atomic_init(&j->inflight, 0);
    atomic_init(&j->rows_in, 0);
    atomic_init(&j->syncwaiters, 0);
    atomic_init(&j->nsubs, 0);
    pthread_mutex_init(&j->errlock, NULL);
    pthread_mutex_init(&j->poollock, NULL);
    pthread_mutex_init(&j->synclock, NULL);
    pthread_cond_init(&j->synccond, NULL);
    pthread_mutex_init(&j->loglock, NULL);
    int N = j->N;

    j->sources = sl_calloc((size_t)N, sizeof(SourceTask));
    for (int s = 0; s < N; s++) {
        SourceTask *S = &j->sources[s];
        S->job = j;
        S->index = s;
        S->blocked_on = -1;
        S->scratch = sl_arena_new(0);
        int w = j->grouped ? j->xcols : j->ncols;
        S->xrow = sl_calloc((size_t)(w ? w : 1), sizeof(SlValue));
        pthread_mutex_init(&S->lock, NULL);
        atomic_init(&S->rows_in, 0);
        atomic_init(&S->rows_out, 0);
        if (j->grouped)
            S->out = sl_calloc((size_t)N, sizeof(RtBatch *));
        rt_task_init(&S->task, rt->pool, source_run, S, &j->active);
        for (int p = s; p < src->nparts; p += N)
            S->nreaders++;
        S->readers = sl_calloc((size_t)(S->nreaders ? S->nreaders : 1), sizeof(RtReader));
    }
    if (j->grouped) {
        j->aggs = sl_calloc((size_t)N, sizeof(AggTask));
        j->rings = sl_calloc((size_t)N * (size_t)N, sizeof(RtRing));
        for (int a = 0; a < N; a++) {
            AggTask *A = &j->aggs[a];
            A->job = j;
            A->index = a;
            rt_kg_range(a, N, j->K, &A->kg_lo, &A->kg_hi);
            A->tables = sl_calloc((size_t)(A->kg_hi - A->kg_lo), sizeof(RtKgTable));
            A->in = sl_calloc((size_t)N, sizeof(RtRing *));
            A->scratch = sl_arena_new(0);
            pthread_mutex_init(&A->lock, NULL);
            atomic_init(&A->rows_in, 0);
            atomic_init(&A->rows_out, 0);
            rt_task_init(&A->task, rt->pool, agg_run, A, &j->active);
        }
        for (int s = 0; s < N; s++)
            for (int a = 0; a < N; a++) {
                RtRing *r = &j->rings[s * N + a];
                rt_ring_init(r, (size_t)c.exchange_batches);
                r->producer = &j->sources[s].task;
                r->consumer = &j->aggs[a].task;
                j->aggs[a].in[s] = r;
            }
        if (j->nkeys == 0) {
            /* a global aggregate has its one row from the start */
            int kg = rt_kg_of_hash(j->global_hash, j->K);
            AggTask *A = &j->aggs[rt_task_of_kg(kg, N, j->K)];
            bool created;
            rt_kgt_lookup(&A->tables[kg - A->kg_lo], j->global_hash, NULL, 0, q->aggs, j->naggs, &created);
            A->ngroups = 1;
            atomic_store(&A->rows_out, 1);
        }
    }

    pthread_mutex_lock(&rt->lock);
    rt->jobs = sl_realloc(rt->jobs, sizeof(RtJob *) * (size_t)(rt->njobs + 1));
    rt->jobs[rt->njobs++] = j;
    src->njobs++;
    pthread_mutex_unlock(&rt->lock);
    /* attach last: from here on ingestion wakes the sources */
    for (int s = 0; s < N; s++) {
        SourceTask *S = &j->sources[s];
        int i = 0;
        for (int p = s; p < src->nparts; p += N) {
            S->readers[i].task = &S->task;
            part_attach(src, &src->parts[p], &S->readers[i], c.from_beginning);
            i++;
        }
        rt_task_schedule(&S->task);
    }
    return j;
}

const char *rt_job_name(const RtJob *j)
{
    return j->name;
}

void rt_job_drop(RtJob *j)
{
    RtRuntime *rt = j->rt;
    /* stop first: a source may be reading a partition's batch, which the
     * partition frees once the reader is detached */
    atomic_store(&j->stopping, true);
    while (atomic_load(&j->active) > 0)
        usleep(200);
    for (int s = 0; s < j->N; s++)
        for (int i = 0; i < j->sources[s].nreaders; i++)
            part_detach(j->src, &j->sources[s].readers[i]);
    /* ingestion may have woken a source just before; it returns at once */
    while (atomic_load(&j->active) > 0)
        usleep(200);
    pthread_mutex_lock(&rt->sublock);
    pthread_mutex_lock(&j->loglock);
    for (RtSub *s = j->subs; s; s = s->next) {
        s->job = NULL;
        s->notify(s->arg);
    }
    j->subs = NULL;
    pthread_mutex_unlock(&j->loglock);
    pthread_mutex_unlock(&rt->sublock);
    pthread_mutex_lock(&rt->lock);
    for (int i = 0; i < rt->njobs; i++)
        if (rt->jobs[i] == j) {
            memmove(&rt->jobs[i], &rt->jobs[i + 1], sizeof(RtJob *) * (size_t)(rt->njobs - i - 1));
            rt->njobs--;
            break;
        }
    j->src->njobs--;
    pthread_mutex_unlock(&rt->lock);
    /* a task woken after its last run returned may still be finishing its
     * bookkeeping in the pool: active reached 0 only after that */
    job_progressed(j);
    job_free(j);
}

/* Has every batch of the partitions up to tails[] been applied? */
static bool job_caught_up(RtJob *j, const int64_t *tails)
{
    int k = 0;
    for (int s = 0; s < j->N; s++)
        for (int i = 0; i < j->sources[s].nreaders; i++, k++) {
            RtReader *r = &j->sources[s].readers[i];
            pthread_mutex_lock(&r->part->lock);
            int64_t next = r->next;
            pthread_mutex_unlock(&r->part->lock);
            if (next < tails[k])
                return false;
        }
    return atomic_load(&j->inflight) == 0;
}

int rt_job_sync(RtJob *j, SlError *err)
{
    int nr = 0;
    for (int s = 0; s < j->N; s++)
        nr += j->sources[s].nreaders;
    int64_t *tails = sl_calloc((size_t)(nr ? nr : 1), sizeof(int64_t));
    int k = 0;
    for (int s = 0; s < j->N; s++)
        for (int i = 0; i < j->sources[s].nreaders; i++, k++) {
            RtPartition *p = j->sources[s].readers[i].part;
            pthread_mutex_lock(&p->lock);
            tails[k] = p->tail;
            pthread_mutex_unlock(&p->lock);
        }
    pthread_mutex_lock(&j->synclock);
    atomic_fetch_add(&j->syncwaiters, 1);
    while (!atomic_load(&j->failed) && !job_caught_up(j, tails)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 5 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&j->synccond, &j->synclock, &ts);
    }
    atomic_fetch_sub(&j->syncwaiters, 1);
    pthread_mutex_unlock(&j->synclock);
    free(tails);
    if (atomic_load(&j->failed)) {
        pthread_mutex_lock(&j->errlock);
        if (err)
            *err = j->error;
        pthread_mutex_unlock(&j->errlock);
        return -1;
    }
    return 0;
}

/* ============================================================ snapshots */

static void lock_state(RtJob *j)
{
    for (int i = 0; i < j->N; i++)
        pthread_mutex_lock(j->grouped ? &j->aggs[i].lock : &j->sources[i].lock);
}

static void unlock_state(RtJob *j)
{
    for (int i = j->N - 1; i >= 0; i--)
        pthread_mutex_unlock(j->grouped ? &j->aggs[i].lock : &j->sources[i].lock);
}

/* Every row of the view (state locked by the caller). */
static int scan_state(RtJob *j, int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx,
                      SlError *err)
{
    int rc = 0;
    SlValue *row = sl_calloc((size_t)(j->ncols ? j->ncols : 1), sizeof(SlValue));
    for (int t = 0; t < j->N && rc == 0; t++) {
        if (!j->grouped) {
            for (RtBatch *b = j->sources[t].store_head; b && rc == 0; b = b->next)
                for (int r = 0; r < b->nrows && rc == 0; r++)
                    rc = fn(ctx, rt_batch_row(b, r), j->ncols, err);
            continue;
        }
        AggTask *A = &j->aggs[t];
        for (int k = 0; k < A->kg_hi - A->kg_lo && rc == 0; k++) {
            RtKgTable *tbl = &A->tables[k];
            for (size_t i = 0; i < tbl->cap && rc == 0; i++) {
                RtGroup *g = tbl->slots[i];
                if (!g)
                    continue;
                bool present;
                rc = group_row(j, A, g, g->acc, row, &present, err);
                if (rc == 0 && present)
                    rc = fn(ctx, row, j->ncols, err);
                sl_arena_reset(A->scratch);
            }
        }
    }
    free(row);
    return rc;
}

static int job_error(RtJob *j, SlError *err)
{
    pthread_mutex_lock(&j->errlock);
    if (err)
        *err = j->error;
    pthread_mutex_unlock(&j->errlock);
    return -1;
}

int rt_job_snapshot(RtJob *j, bool sync, int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx,
                    int64_t *progress, SlError *err)
{
    if (sync && rt_job_sync(j, err) < 0)
        return -1;
    lock_state(j);
    if (atomic_load(&j->failed)) {
        unlock_state(j);
        return job_error(j, err);
    }
    pthread_mutex_lock(&j->loglock);
    int64_t at = j->progress;
    pthread_mutex_unlock(&j->loglock);
    int rc = scan_state(j, fn, ctx, err);
    unlock_state(j);
    if (progress)
        *progress = at;
    return rc;
}

/* ========================================================= subscriptions */

static int snap_collect(void *ctx, const SlValue *row, int n, SlError *err)
{
    (void)n;
    (void)err;
    RtSub *s = ctx;
    /* snap_head is used as a stack while collecting, reversed after */
    if (!s->snap_head || rt_batch_full(s->snap_head)) {
        RtBatch *b = rt_batch_new(n, RT_BATCH_ROWS);
        b->next = s->snap_head;
        s->snap_head = b;
    }
    rt_batch_append(s->snap_head, row);
    return 0;
}

int rt_job_subscribe(RtJob *j, int64_t from_progress, void (*notify)(void *arg), void *arg, RtSub **out,
                     SlError *err)
{
    RtRuntime *rt = j->rt;
    RtSub *s = sl_calloc(1, sizeof *s);
    s->rt = rt;
    s->job = j;
    s->notify = notify;
    s->arg = arg;
    int rc = 0;
    pthread_mutex_lock(&rt->sublock);
    lock_state(j);
    if (atomic_load(&j->failed)) {
        rc = job_error(j, err);
        goto out;
    }
    pthread_mutex_lock(&j->loglock);
    int64_t at = j->progress, trimmed = j->trimmed_upto;
    pthread_mutex_unlock(&j->loglock);
    if (from_progress == RT_SUB_CHANGES_ONLY) {
        s->next_progress = at + 1;
    } else if (from_progress >= 0) {
        if (from_progress > at) {
            rc = sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "progress %lld is ahead of the view (at %lld)",
                          (long long)from_progress, (long long)at);
            goto out;
        }
        if (from_progress < trimmed) {
            rc = sl_error(err, SL_E_OBJECT_NOT_IN_PREREQUISITE_STATE,
                          "the changes after progress %lld are no longer retained", (long long)from_progress);
            sl_error_hint(err, "Subscribe without a progress number to start from a new snapshot.");
            goto out;
        }
        s->next_progress = from_progress + 1;
    } else {
        rc = scan_state(j, snap_collect, s, err);
        if (rc < 0)
            goto out;
        RtBatch *rev = NULL;
        while (s->snap_head) {
            RtBatch *b = s->snap_head;
            s->snap_head = b->next;
            b->next = rev;
            rev = b;
        }
        s->snap_head = rev;
        s->snap_progress = at;
        s->next_progress = at + 1;
    }
    pthread_mutex_lock(&j->loglock);
    s->next = j->subs;
    j->subs = s;
    atomic_fetch_add(&j->nsubs, 1);
    pthread_mutex_unlock(&j->loglock);
out:
    unlock_state(j);
    pthread_mutex_unlock(&rt->sublock);
    if (rc < 0) {
        for (RtBatch *b = s->snap_head; b;) {
            RtBatch *nb = b->next;
            rt_batch_free(b);
            b = nb;
        }
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

int rt_sub_poll(RtSub *s, int max_rows,
                int (*fn)(void *ctx, int64_t progress, int diff, const SlValue *row, int n, SlError *err),
                void *ctx, SlError *err)
{
    int delivered = 0;
    while (s->snap_head && delivered < max_rows) {
        RtBatch *b = s->snap_head;
        while (s->snap_pos < b->nrows && delivered < max_rows) {
            if (fn(ctx, s->snap_progress, 1, rt_batch_row(b, s->snap_pos), b->ncols, err) < 0)
                return -1;
            s->snap_pos++;
            delivered++;
        }
        if (s->snap_pos == b->nrows) {
            s->snap_head = b->next;
            s->snap_pos = 0;
            rt_batch_free(b);
        }
    }
    if (delivered >= max_rows)
        return delivered;
    RtRuntime *rt = s->rt;
    pthread_mutex_lock(&rt->sublock);
    RtJob *j = s->job;
    if (!j) {
        pthread_mutex_unlock(&rt->sublock);
        return sl_error(err, SL_E_UNDEFINED_TABLE, "the subscribed materialized view was dropped");
    }
    int rc = 0;
    pthread_mutex_lock(&j->loglock);
    if (s->next_progress <= j->trimmed_upto) {
        rc = sl_error(err, SL_E_OBJECT_NOT_IN_PREREQUISITE_STATE,
                      "the subscription fell behind the changes the view retains");
        sl_error_hint(err, "Read the subscription faster, or subscribe again to start from a new snapshot.");
    }
    for (RtChange *c = j->log_head; c && rc == 0 && delivered < max_rows; c = c->next) {
        if (c->progress < s->next_progress)
            continue;
        while (s->row_pos < c->rows->nrows && delivered < max_rows) {
            if (fn(ctx, c->progress, c->diffs[s->row_pos], rt_batch_row(c->rows, s->row_pos), c->rows->ncols,
                   err) < 0) {
                rc = -1;
                break;
            }
            s->row_pos++;
            delivered++;
        }
        if (rc == 0 && s->row_pos == c->rows->nrows) {
            s->next_progress = c->progress + 1;
            s->row_pos = 0;
        }
    }
    pthread_mutex_unlock(&j->loglock);
    pthread_mutex_unlock(&rt->sublock);
    return rc < 0 ? -1 : delivered;
}

void rt_sub_close(RtSub *s)
{
    if (!s)
        return;
    RtRuntime *rt = s->rt;
    pthread_mutex_lock(&rt->sublock);
    RtJob *j = s->job;
    if (j) {
        pthread_mutex_lock(&j->loglock);
        for (RtSub **pp = &j->subs; *pp; pp = &(*pp)->next)
            if (*pp == s) {
                *pp = s->next;
                break;
            }
        if (atomic_fetch_sub(&j->nsubs, 1) == 1 && !j->changes_always) {
            /* nobody reads the changes any more */
            while (j->log_head) {
                RtChange *c = j->log_head;
                j->log_head = c->next;
                rt_batch_free(c->rows);
                free(c->diffs);
                free(c);
            }
            j->log_tail = NULL;
            j->log_rows = 0;
            j->trimmed_upto = j->progress;
        }
        pthread_mutex_unlock(&j->loglock);
    }
    pthread_mutex_unlock(&rt->sublock);
    for (RtBatch *b = s->snap_head; b;) {
        RtBatch *nb = b->next;
        rt_batch_free(b);
        b = nb;
    }
    free(s);
}

/* ============================================================ statistics */

void rt_job_stats(RtJob *j, RtJobStats *out)
{
    memset(out, 0, sizeof *out);
    out->parallelism = j->N;
    out->max_parallelism = j->K;
    out->rows_in = atomic_load(&j->rows_in);
    for (int t = 0; t < j->N; t++)
        out->rows_out += j->grouped ? atomic_load(&j->aggs[t].rows_out) : atomic_load(&j->sources[t].rows_out);
    out->queued = atomic_load(&j->inflight);
    pthread_mutex_lock(&j->loglock);
    out->progress = j->progress;
    pthread_mutex_unlock(&j->loglock);
    out->failed = atomic_load(&j->failed);
    if (out->failed)
        job_error(j, &out->error);
}

int rt_job_task_stats(RtJob *j, RtTaskStats *out, int max)
{
    int n = 0;
    for (int s = 0; s < j->N; s++, n++) {
        if (n >= max)
            continue;
        SourceTask *S = &j->sources[s];
        int64_t queued = 0;
        for (int i = 0; i < S->nreaders; i++) {
            RtPartition *p = S->readers[i].part;
            pthread_mutex_lock(&p->lock);
            queued += p->tail - S->readers[i].next;
            pthread_mutex_unlock(&p->lock);
        }
        int64_t bytes = 0;
        if (!j->grouped) {
            pthread_mutex_lock(&S->lock);
            for (RtBatch *b = S->store_head; b; b = b->next)
                bytes += (int64_t)(sizeof(SlValue) * (size_t)b->cap * (size_t)b->ncols + sl_arena_used(b->arena));
            pthread_mutex_unlock(&S->lock);
        }
        out[n] = (RtTaskStats){.task = s, .kind = "source", .kg_lo = -1, .kg_hi = -1,
                               .rows_in = atomic_load(&S->rows_in), .rows_out = atomic_load(&S->rows_out),
                               .queued = queued, .state_bytes = bytes};
    }
    for (int a = 0; j->grouped && a < j->N; a++, n++) {
        if (n >= max)
            continue;
        AggTask *A = &j->aggs[a];
        int64_t queued = 0;
        for (int s = 0; s < j->N; s++)
            queued += (int64_t)rt_ring_size(A->in[s]);
        int64_t bytes = 0;
        pthread_mutex_lock(&A->lock);
        for (int k = 0; k < A->kg_hi - A->kg_lo; k++) {
            RtKgTable *t = &A->tables[k];
            bytes += (int64_t)(t->cap * (sizeof(RtGroup *) + sizeof(uint64_t)));
            if (t->arena)
                bytes += (int64_t)sl_arena_used(t->arena);
        }
        pthread_mutex_unlock(&A->lock);
        out[n] = (RtTaskStats){.task = a, .kind = "aggregate", .kg_lo = A->kg_lo, .kg_hi = A->kg_hi - 1,
                               .rows_in = atomic_load(&A->rows_in), .rows_out = atomic_load(&A->rows_out),
                               .queued = queued, .state_bytes = bytes};
    }
    return n;
}
