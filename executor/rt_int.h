/*
 * rt_int.h — the streaming runtime of executor/ (internal to the module):
 * key groups, batches, bounded exchanges, the worker pool, streams and
 * their partitions, and jobs that run one materialized view's plan as
 * parallel tasks, with the view's materialization and change feed.
 *
 * Files: rt_core.c (key groups, batches, rings, pool), rt_agg.c (grouped
 * state: accumulators and per-key-group hash tables), rt_job.c (streams,
 * ingestion, jobs, snapshots, subscriptions, statistics).
 *
 * How the engine wires SQL to it (see executor/README.md, "Runtime"):
 *   server start            rt_runtime_new(workers)
 *   CREATE STREAM           rt_stream_create(rt, name, cols, ncols, &cfg)
 *   INSERT / COPY           rt_stream_ingest(stream, rows, nrows)
 *   CREATE MATERIALIZED VIEW rt_job_create(rt, name, stream, plselect, &cfg)
 *   SELECT ... FROM view    rt_job_snapshot(job, fn, ctx, &progress)
 *   SUBSCRIBE / LISTEN      rt_job_subscribe(job, from_progress, notify)
 *                           + rt_sub_poll, rt_sub_close
 *   DROP                    rt_job_drop(job), rt_stream_drop(stream)
 *   sluice.tasks / views    rt_job_stats, rt_job_task_stats
 *
 * Threads: every rt_ call of this header may come from any thread, except
 * where a contract says otherwise (a batch and a ring end belong to one
 * thread at a time). Worker threads never block on a full or empty
 * exchange: a task that cannot go on yields and is scheduled again when
 * its input arrives or its output has room.
 */
#ifndef RT_INT_H
#define RT_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "ex_agg.h"

/* ======================================================================
 * Key groups (ARCHITECTURE.md section 4)
 *   kg(x) = hash64(x) mod K, K = max_parallelism (default 128);
 *   task t of N owns [ceil(t*K/N), ceil((t+1)*K/N)), i.e. key group kg
 *   belongs to task floor(kg*N/K). State lives per key group, so a new N
 *   only reassigns whole key groups.
 * ====================================================================== */
#define RT_DEFAULT_MAX_PARALLELISM 128
#define RT_MAX_PARALLELISM 32768

/* The hash of a row's key values (equal keys hash equal, whatever their
 * numeric type; NULL keys hash alike). n == 0 (a global aggregate) gives
 * one fixed hash. */
uint64_t rt_hash_keys(const SlValue *keys, int n);
int rt_kg_of_hash(uint64_t h, int max_parallelism);
int rt_kg_of_row(const SlValue *keys, int n, int max_parallelism);
/* 1 <= parallelism <= max_parallelism; 0 <= kg < max_parallelism. */
int rt_task_of_kg(int kg, int parallelism, int max_parallelism);
/* The key groups task t owns: [*lo, *hi). */
void rt_kg_range(int task, int parallelism, int max_parallelism, int *lo, int *hi);

/* ======================================================================
 * Batches: up to `cap` rows of ncols SlValues, row-major, whose text lives
 * in the batch's own arena (no malloc per row). A batch belongs to one
 * thread at a time; it moves between tasks by pointer.
 * ====================================================================== */
#define RT_BATCH_ROWS 1024

typedef struct RtBatch {
    struct RtBatch *next;   /* free lists, partitions, stores */
    int ncols, nrows, cap;
    SlValue *vals;          /* row r is vals[r*ncols .. r*ncols+ncols) */
    uint64_t *hashes;       /* exchange batches: the key hash of each row */
    SlArena *arena;         /* text of vals */
    int64_t seq;            /* stream batches: sequence number in the partition */
} RtBatch;

RtBatch *rt_batch_new(int ncols, int cap);      /* cap <= 0: RT_BATCH_ROWS */
void rt_batch_free(RtBatch *b);                 /* NULL is fine */
void rt_batch_reset(RtBatch *b);                /* no rows; keeps memory */
static inline bool rt_batch_full(const RtBatch *b) { return b->nrows >= b->cap; }
static inline SlValue *rt_batch_row(const RtBatch *b, int r) { return b->vals + (size_t)r * (size_t)b->ncols; }
/* Appends a row (deep-copying text into b's arena); b must not be full.
 * Returns the stored row. */
SlValue *rt_batch_append(RtBatch *b, const SlValue *row);
/* Appends row i of src to dst (same ncols), text copied into dst. */
SlValue *rt_batch_copy_row(RtBatch *dst, const RtBatch *src, int i);
/* Moves every row of src to dst (same ncols) and leaves src empty: when
 * dst is empty the storage is swapped (no copy); otherwise the rows are
 * copied while dst has room. Returns the number of rows moved (less than
 * src's when dst filled up; the rest stay in src). */
int rt_batch_move(RtBatch *dst, RtBatch *src);

/* ======================================================================
 * Bounded single-producer single-consumer ring of pointers (lock-free,
 * C11 atomics, capacity a power of two). try_ calls never block; the
 * blocking calls wait on a condition variable only when full / empty.
 * Exactly one producer thread and one consumer thread at a time.
 * ====================================================================== */
typedef struct RtTask RtTask;

typedef struct RtRing {
    _Alignas(64) atomic_size_t head;    /* next slot to pop (consumer) */
    _Alignas(64) atomic_size_t tail;    /* next slot to push (producer) */
    _Alignas(64) size_t mask;
    void **slots;
    atomic_int waiters;                 /* threads in a blocking wait */
    atomic_bool closed;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    /* tasks at the ends (either may be NULL): a push schedules the
     * consumer; a pop schedules the producer when it found the ring full */
    RtTask *producer, *consumer;
    atomic_bool producer_blocked;
} RtRing;

/* capacity is rounded up to a power of two (at least 2). */
void rt_ring_init(RtRing *r, size_t capacity);
void rt_ring_destroy(RtRing *r);
size_t rt_ring_size(const RtRing *r);   /* approximate from other threads */
bool rt_ring_try_push(RtRing *r, void *item);
void *rt_ring_try_pop(RtRing *r);       /* NULL when empty */
/* Wait while full / empty. push returns false and pop NULL once the
 * ring is closed (pop still drains what is left first). */
bool rt_ring_push(RtRing *r, void *item);
void *rt_ring_pop(RtRing *r);
void rt_ring_close(RtRing *r);          /* wakes every waiter */

/* ======================================================================
 * Worker pool: `workers` threads run tasks cooperatively. A task is a
 * state machine whose run(t, budget) processes input until its input is
 * empty, its output is full, or `budget` units (batches) are spent:
 *   return 1: budget spent, more to do (the pool requeues it);
 *   return 0: nothing to do until someone calls rt_task_schedule().
 * A task runs on one worker at a time; rt_task_schedule while it runs
 * makes it run once more afterwards, so no wake-up is lost. Never more
 * threads than workers, whatever the number of tasks.
 * ====================================================================== */
typedef struct RtPool RtPool;

#define RT_TASK_BUDGET 16

struct RtTask {
    int (*run)(RtTask *t, int budget);
    void *ctx;
    RtPool *pool;
    atomic_int sched;          /* idle, queued, running, running + again */
    atomic_long *active;       /* if set: +1 while queued or running */
    RtTask *qnext;             /* run queue link */
};

RtPool *rt_pool_new(int workers);  /* <= 0: the number of cores */
/* Stops the threads; every task must be idle (jobs dropped) first. */
void rt_pool_free(RtPool *p);
int rt_pool_workers(const RtPool *p);
void rt_task_init(RtTask *t, RtPool *p, int (*run)(RtTask *, int), void *ctx, atomic_long *active);
void rt_task_schedule(RtTask *t);

/* ======================================================================
 * Streams. A stream has P partitions; each keeps a bounded buffer of
 * immutable batches that every job reading the stream consumes (later
 * the durable log of storage/ stands behind it). Ingestion waits while a
 * partition holds more than buffer_batches batches some reader has not
 * consumed yet: backpressure, never lost rows, never unbounded memory.
 * ====================================================================== */
typedef struct RtRuntime RtRuntime;
typedef struct RtStream RtStream;
typedef struct RtJob RtJob;

RtRuntime *rt_runtime_new(int workers);        /* <= 0: the number of cores */
/* Drops every job and stream left, then stops the workers. */
void rt_runtime_free(RtRuntime *rt);
int rt_runtime_workers(const RtRuntime *rt);

typedef struct RtStreamConfig {
    int partitions;          /* >= 1; 0: 1 */
    int buffer_batches;      /* per partition, unconsumed batches before
                              * ingestion waits; 0: 64 */
    bool retain;             /* keep every batch in memory so that a job
                              * created later can start from the stream's
                              * beginning (the stand-in for the log until
                              * storage's log backs partitions) */
} RtStreamConfig;

/* cols are copied. Errors: 22023 bad configuration. */
RtStream *rt_stream_create(RtRuntime *rt, const char *name, const PlColumn *cols, int ncols,
                           const RtStreamConfig *cfg, SlError *err);
/* 55000 while a job reads the stream (drop the jobs first). Must not run
 * concurrently with rt_stream_ingest on the same stream. */
int rt_stream_drop(RtStream *s, SlError *err);
const char *rt_stream_name(const RtStream *s);
/* nrows rows of ncols values each, typed as the stream's columns
 * (the engine coerced them). Rows are copied, cut into batches and
 * spread round-robin over the partitions, then visible to every job
 * reading the stream. Waits while buffers are full. Row order within one
 * call is kept per partition. Thread-safe. */
int rt_stream_ingest(RtStream *s, const SlValue *rows, int64_t nrows, SlError *err);
int64_t rt_stream_rows(const RtStream *s);     /* rows ingested so far */

/* ======================================================================
 * Jobs: one materialized view's tasks, started and stopped as a unit.
 *
 * The plan (a bound PlSelect over the stream's columns) is immutable; each
 * task builds its own state from it. A non-grouped view runs N tasks of
 * source -> fused filter+project -> materialization (an append-only
 * multiset, +1 diffs). A grouped view runs N source tasks (filter, group
 * keys and aggregate arguments, hash exchange by key group) and N
 * aggregate tasks, each owning a key-group range with a hash table per
 * key group, its part of the view's contents and its diffs.
 * ====================================================================== */
typedef struct RtJobConfig {
    int parallelism;         /* 0: the number of workers */
    int max_parallelism;     /* K; 0: 128 */
    bool from_beginning;     /* start from the oldest retained stream batch
                              * (else from the rows ingested after now) */
    bool changes_always;     /* record diffs even while nobody subscribes
                              * (so resuming from a progress number works);
                              * else diffs are computed only with subscribers */
    int64_t change_rows;     /* retained change rows; 0: 1000000 */
    int exchange_batches;    /* capacity of each exchange ring; 0: 16 */
} RtJobConfig;

/* q must stay valid and unchanged until rt_job_drop (the view's arena).
 * Errors: 0A000 for what the runtime does not run (DISTINCT other than
 * in count, ORDER BY / LIMIT), 22023 bad parallelism, 54000 too many keys. */
RtJob *rt_job_create(RtRuntime *rt, const char *name, RtStream *src, const PlSelect *q, const RtJobConfig *cfg,
                     SlError *err);
/* Stops the tasks, detaches from the stream, ends subscriptions (their
 * next poll fails with 42P01) and frees everything. */
void rt_job_drop(RtJob *j);
const char *rt_job_name(const RtJob *j);
/* Waits until every row ingested into the source stream before the call
 * has been applied to the view (read-your-writes). -1 with the job's
 * error when it failed. */
int rt_job_sync(RtJob *j, SlError *err);

/* A consistent snapshot of the view's contents: every row once, never
 * half a batch, at the progress number reported in *progress (every diff
 * with a progress <= it is included, none after). Rows are valid during
 * fn only. sync: rt_job_sync first. A failed job returns its error.
 * fn runs while the view's tasks are held: copy the rows and return (do
 * not wait on a client from inside fn), or processing stalls. */
int rt_job_snapshot(RtJob *j, bool sync, int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx,
                    int64_t *progress, SlError *err);

/* Subscriptions. from_progress RT_SUB_SNAPSHOT: deliver the snapshot
 * first (diff +1 at the snapshot's progress), then every change after it.
 * RT_SUB_CHANGES_ONLY (LISTEN): the changes after the current state only.
 * from_progress >= 0 (resume): only the changes with progress >
 * from_progress, which must still be retained (55000 otherwise; 22023
 * when from_progress is ahead of the view). notify(arg) is called from worker threads
 * with internal locks held whenever changes may be read: it must only wake
 * the reader (write an eventfd, activate an event). */
typedef struct RtSub RtSub;
#define RT_SUB_SNAPSHOT (-1)
#define RT_SUB_CHANGES_ONLY (-2)
int rt_job_subscribe(RtJob *j, int64_t from_progress, void (*notify)(void *arg), void *arg, RtSub **out,
                     SlError *err);
/* Delivers up to max_rows rows, in progress order, to fn (row valid during
 * the call, made with the view's change log locked: format or copy the
 * row, never wait; returning -1 stops with fn's error). Returns the number of
 * rows delivered (0: nothing new), -1 when the subscription cannot go on:
 * 55000 fell behind the retained changes, 42P01 the view was dropped. */
int rt_sub_poll(RtSub *s, int max_rows,
                int (*fn)(void *ctx, int64_t progress, int diff, const SlValue *row, int n, SlError *err),
                void *ctx, SlError *err);
void rt_sub_close(RtSub *s);

/* Statistics for the system views. */
typedef struct RtJobStats {
    int parallelism, max_parallelism;
    int64_t rows_in;         /* stream rows read */
    int64_t rows_out;        /* rows in the view (groups, or stored rows) */
    int64_t progress;        /* of the newest change */
    int64_t queued;          /* rows read but not applied yet */
    bool failed;
    SlError error;           /* when failed */
} RtJobStats;

typedef struct RtTaskStats {
    int task;                /* 0..N-1 */
    const char *kind;        /* "source" or "aggregate" */
    int kg_lo, kg_hi;        /* owned key groups [lo, hi]; -1 for sources */
    int64_t rows_in, rows_out;
    int64_t queued;          /* batches waiting for it */
    int64_t state_bytes;
} RtTaskStats;

void rt_job_stats(RtJob *j, RtJobStats *out);
/* Fills up to max entries (2N for grouped views, N otherwise); returns
 * the number of tasks. */
int rt_job_task_stats(RtJob *j, RtTaskStats *out, int max);

/* ======================================================================
 * Grouped state (rt_agg.c): per-key-group tables of groups whose
 * accumulators are agg.c's (ex_agg.h: init/update/merge/final and the
 * byte form for checkpoints).
 * ====================================================================== */
typedef struct RtGroup {
    uint64_t hash;
    int64_t nrows;           /* rows applied */
    int64_t touched;         /* batch number that last touched it */
    SlValue *keys;
    ExAggState acc[];        /* naggs */
} RtGroup;

/* One key group's table: open addressing on the key hash. */
typedef struct RtKgTable {
    RtGroup **slots;
    uint64_t *hashes;
    size_t cap, n;
    SlArena *arena;          /* the groups and their keys */
} RtKgTable;

/* Frees the table and its groups' accumulators. */
void rt_kgt_free(RtKgTable *t, int naggs);
/* The group of keys in t (hash h), created with initialized accumulators
 * if new (*created set). */
RtGroup *rt_kgt_lookup(RtKgTable *t, uint64_t h, const SlValue *keys, int nkeys, const PlAgg *aggs, int naggs,
                       bool *created);
/* Same values, NULLs equal, a changed type or numeric scale differs. */
bool rt_rows_equal(const SlValue *a, const SlValue *b, int n);

#endif /* RT_INT_H */
