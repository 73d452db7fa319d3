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
#include "ex_restart.h"
#include "sl_storage.h"

/* Each stream and view gets a new generation when created: a plan
 * prepared against one refuses to run against a later object of the same
 * name (DROP and CREATE in between). */
static uint64_t next_gen = 1;

static uint64_t new_gen(void)
{
    return __atomic_fetch_add(&next_gen, 1, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------ key groups */

int ex_kg_of_hash(uint64_t h, int max_parallelism)
{
    uint64_t m = (uint64_t)max_parallelism;
    /* the same value; a mask for a power of two (the default 128) */
    return (int)((m & (m - 1)) == 0 ? h & (m - 1) : h % m);
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
typedef struct Ckpt Ckpt;

typedef struct Batch {
    struct Batch *next;
    Ckpt *barrier;         /* a checkpoint barrier (no rows), or NULL */
    SlArena *arena;
    SlValue *rows;         /* nrows * ncols */
    uint64_t *hashes;      /* per row: hash_keys of its group key (grouped views) */
    int nrows, cap, ncols;
    /* columnar (views with a ColPlan): instead of rows, column c of row r
     * at cv[c * nrows + r], NULL flags alike */
    int64_t *cv;
    uint8_t *cnull;
    /* or (rows a replaying task routes to another, see ColShare): rows
     * sel[0 .. nrows) of the columns another task decoded */
    struct ColShare *share;
    int *sel;
    bool filtered;         /* the router applied the WHERE clause already */
    /* encoded (views without aggregates, replaying the log): instead of
     * rows, a copy of nrows rows' log bytes that the task decodes */
    uint8_t *enc;
    size_t enclen;
    bool enc_borrowed;     /* enc points into the log's mapping (applied at once, not freed) */
    struct Replay *replay; /* read a share of the log (see view_replay), or NULL */
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

/* A group: this header, then its keys and its aggregates' states packed
 * at the view's offsets (GroupLayout): a key or a min/max value takes only
 * its payload (8 bytes for the fixed-width types), NULLs and "has a value"
 * are bits. One allocation per group, in the task's arena. */
typedef struct Group {
    uint64_t hash;
    int64_t nrows;         /* rows applied to it */
    uint64_t bits;         /* key k NULL: bit k; aggregate a has a value: bit nkeys + a; GROUP_TOUCHED */
} Group;

#define GROUP_TOUCHED (1ULL << 63)  /* touched by the batch being applied (changes) */
#define GROUP_DIRTY (1ULL << 62)    /* changed since its key group was last snapshotted */
#define GROUP_DATA(g) ((uint8_t *)((g) + 1))

typedef struct GroupLayout {
    int nkeys, naggs;
    SlType *key_type;
    int *key_off;
    SlType *agg_type;      /* min/max: the argument's type */
    int *agg_off;
    size_t size;           /* header and data */
} GroupLayout;

/* The output rows of a view without aggregates, as the stream log encodes
 * rows (codec.c: a type byte, and the short forms), one after another in
 * chunks of the task's arena; every ROW_MARK-th row's place is noted, so a
 * reader can start at any row. Q0's rows of a bid take ~94 bytes so,
 * against 145 as fixed 8-byte slots and text copies aligned apart: the
 * first view after a start, whose state is memory the process never had,
 * writes a third less of it. */
typedef struct RowLayout {
    int ncols;
    SlType *type;
    /* the view's rows are some of its stream's columns as they are (no
     * WHERE, every target a column of its own type): the stream column of
     * each target, and rows are copied from the log's bytes without being
     * decoded (task_apply_encoded); else NULL */
    int *copy_src;
} RowLayout;

#define ROW_CHUNK ((size_t)16 << 10) /* at most a quarter of the arena's first block: from its blocks */
#define ROW_MARK 1024
#define ROW_COPY_MAX 64    /* stream columns of a view whose rows are copied (RowLayout) */

typedef struct RowChunk {
    uint8_t *p;
    size_t used, cap;
} RowChunk;

typedef struct RowPos {
    int64_t chunk;
    size_t off;
} RowPos;

/* A group touched by the batch being applied, with its row before it. */
typedef struct Touched {
    Group *g;
    SlValue *old_row;      /* NULL: it had no row (new, or filtered by HAVING) */
} Touched;

/* A batch of changes of a view: rows with their diff, one progress number. */
typedef struct ChangeBatch {
    struct ChangeBatch *next, *prev;
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
    /* views without aggregates: the output rows (RowLayout) */
    RowChunk *chunks;
    int64_t nchunks, capchunks;
    RowPos *marks;             /* where rows 0, ROW_MARK, 2 ROW_MARK ... start */
    int64_t capmarks;
    int64_t nrows;
    int64_t rows_in, rows_out;
    SlError error;             /* a runtime error stops the task */
    bool failed;
    int64_t batch_no;
    Touched *touched;          /* groups touched by the current batch */
    int64_t ntouched, captouched;
    /* checkpoints */
    SlValue *argv;             /* a row's aggregate arguments */
    int capargs;
    int64_t skipped;           /* rows skipped by on_error = 'skip' */
    uint8_t *dirty;            /* grouped: key groups changed since the last snapshot
                                * (1: some groups, 2: write the key group whole) */
    int32_t **deltas;          /* grouped, per key group: the delta parts written since
                                * its last whole part (ids) */
    int *ndeltas, *capdeltas;
    int64_t ckpt_rows;         /* not grouped: rows[0, ckpt_rows) are in a snapshot */
    SlValue *dec_rows;         /* encoded batches are decoded here, ENC_CHUNK rows at a time */
};

/* One part of a checkpoint: the state of a key group (grouped views), or
 * a chunk of output rows (views without aggregates; id >= K). */
typedef struct CkptPart {
    int32_t id;
    int32_t kg;                /* grouped views: the key group (whole or delta); else -1 */
    int task;
    int64_t row_start;         /* chunks: the task's rows this chunk starts at */
    SlBuf data;
} CkptPart;

/* A checkpoint in flight: barriers travel through the tasks' queues; each
 * task adds its parts when it reaches its barrier. */
struct Ckpt {
    struct ExView *view;
    int64_t id;
    int64_t started_us;
    char *offsets;             /* JSON {"partition": offset, ...} */
    uint64_t *offs;
    pthread_mutex_t lock;
    int pending;               /* tasks that have not snapshotted yet */
    CkptPart *parts;
    int nparts, capparts;
    bool failed;               /* a task was failed: the checkpoint fails */
    SlError error;
};

/* What the system view sluice.checkpoints shows. */
typedef struct CkptRecord {
    int64_t id;
    int64_t started_us;
    int64_t duration_us;
    int64_t bytes;
    int32_t key_groups;
    bool complete;
    char error[160];
} CkptRecord;

#define CKPT_HISTORY 32
#define MAX_DELTAS 8                   /* delta parts of a key group before it is written whole */

/* A job's life: RUNNING; on a failure RESTARTING (after its strategy's
 * delay it is rebuilt from its last checkpoint and the log) or FAILED
 * (its strategy gave up; readable as of its last checkpoint until
 * ALTER MATERIALIZED VIEW ... RESUME). */
enum { JOB_RUNNING = 0, JOB_RESTARTING, JOB_FAILED };
static const char *const job_state_names[] = {"RUNNING", "RESTARTING", "FAILED"};

typedef struct FailRecord {
    int64_t at_us;
    char sqlstate[6];
    char message[200];
    int64_t delay_ms;              /* restart after; -1: gave up */
    int64_t attempt;
    int64_t restarted_us;          /* when the restart it led to was running (0: not yet) */
} FailRecord;

#define FAIL_HISTORY 32

typedef struct ExView {
    uint64_t gen;
    struct ExCatalog *cat;
    char *name;
    char *sql;
    struct ExStream *src;
    SlArena *arena;
    PlSelect *q;
    int parallelism, max_parallelism;
    ExTask *tasks;
    ExColumn *cols;
    int ncols;
    GroupLayout layout;            /* grouped: how a group's state is packed */
    RowLayout rlayout;             /* not grouped: how an output row is packed */
    struct ColPlan *cplan;         /* grouped over integer columns: the columnar path, or NULL */
    uint16_t *kg_task;             /* the task of each key group (ex_task_of_kg) */
    int *used;                     /* the stream's columns the view reads */
    bool *want;                    /* the same as flags */
    int nused;
    pthread_mutex_t plock;
    pthread_cond_t pcond;
    int64_t enqueued, processed;   /* rows */
    int64_t pwake;                 /* the least `processed` a waiter on pcond needs (INT64_MAX: none) */
    int replay_pending;            /* tasks still reading their share of the log */
    int64_t replay_left;           /* rows of the replay not read yet */
    int64_t replay_rows, replay_started_us;
    pthread_mutex_t share_lock;
    struct ColShare *share_free;   /* ColShares kept for the next log batch a replay decodes */
    int share_nfree;
    bool replay_cancel;            /* the view is being dropped or rebuilt */
    int64_t route_counter;
    /* changes, kept while someone subscribes */
    pthread_mutex_t loglock;
    ChangeBatch *log_head, *log_tail;
    int64_t progress;              /* of the newest change batch */
    int64_t log_rows;
    ExSubscription *subs;
    int nsubs;
    bool tracking;                 /* changes are logged (once anyone subscribed) */
    /* durability: where this view is in its stream's log */
    uint64_t *off;                 /* per partition: end of the rows routed to it */
    /* checkpoints (see "checkpoints" below) */
    int64_t ckpt_interval_ms;      /* 0: none */
    int64_t ckpt_interval_cfg;     /* as given (kept when there is no store) */
    int ckpt_retained;
    int ckpt_max_failures;         /* consecutive failures that fail the job; 0: never */
    int64_t ckpt_next_id;
    int64_t ckpt_last_us;          /* when the last one started */
    int64_t ckpt_complete_id;      /* last complete, 0 if none */
    uint64_t *ckpt_complete_offs;  /* its offsets */
    uint64_t **ret_offs;           /* offsets of the retained complete checkpoints, oldest first */
    int nret;
    int ckpt_failures;             /* consecutive */
    int32_t next_chunk;
    Ckpt *inflight;
    CkptRecord hist[CKPT_HISTORY]; /* ring, newest at hist_n - 1 */
    int64_t hist_n;
    bool job_failed;               /* too many checkpoint failures: the job fails */
    SlError job_error;
    /* the job's life (see "jobs" below) */
    bool skip_errors;              /* on_error = 'skip' */
    int64_t state_memory_limit;    /* bytes; 0 = none */
    ExRestartPolicy policy;
    ExRestartState *rstate;
    uint64_t rng;
    int state;                     /* JOB_* */
    int64_t state_since_us, running_since_us, restart_at_us;
    int64_t restarts;
    SlError last_error;
    bool has_error;
    bool settle;                   /* FAILED: bring back the last checkpoint for reads */
    bool seeded;                   /* checkpoint history and ids read from the store */
    FailRecord fails[FAIL_HISTORY];
    int64_t fails_n;
} ExView;

#define CHANGE_LOG_ROWS 1000000    /* retained change rows per view */
#define VIEW_QUEUE_ROWS 262144     /* rows queued for a view before ingestion waits */
/* the same on the columnar path, whose queued rows are a few int64s each
 * (~24 bytes for count/max/avg by a key): a deeper queue lets the view's
 * tasks apply while the ingesting connections wait for their fsyncs
 * instead of holding an ingestion back (e2e by hand, A/B on fresh
 * servers: 0-12 % faster) */
#define VIEW_QUEUE_ROWS_COLUMNAR 1048576

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
    bool restarted;                /* the view was restarted: subscribe again */
};

typedef struct ExStream {
    uint64_t gen;
    char *name;
    SlArena *arena;            /* columns and stored rows */
    PlColumn *cols;
    int ncols;
    int partitions;
    /* with a log directory: one log per partition; rows are not kept */
    StLog **logs;
    StDurability durability;
    bool retain_all;           /* retention = 'all': never trim the log */
    uint64_t *ends;            /* per partition: the log's end offset */
    uint64_t next_part;
    /* without one (unit tests, no data directory): rows kept in memory */
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
    ExCatalogConfig cfg;
    char *log_dir;
    char *conninfo;
    /* the checkpoint coordinator and writer */
    pthread_t ckpt_thread;
    bool ckpt_running;
    pthread_mutex_t ck_lock;
    pthread_cond_t ck_cond;
    bool ck_stop;
    StStore *ck_store;         /* the writer's own connection */
    pthread_mutex_t aux_lock;
    StStore *aux_store;        /* restore and drop */
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
    /* 0 marks an empty slot: a value hashing to 0 is stored (and looked
     * for) as 1, or the same value would be added again */
    uint64_t h = sl_value_hash(v);
    if (h == 0)
        h = 1;
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

/* ----------------------------------------------------- packed values */

static int cv_size(SlType t)
{
    switch (t) {
    case SL_T_BOOL:
    case SL_T_INT4:
    case SL_T_INT8:
    case SL_T_FLOAT8:
    case SL_T_TIMESTAMP:
    case SL_T_TIMESTAMPTZ: return 8;
    case SL_T_NUMERIC: return 24;
    case SL_T_TEXT: return 16;
    case SL_T_INTERVAL: return 16;
    default: return 0;
    }
}

/* Stores a non-NULL value of type t (text copied into a). */
static void cv_put(uint8_t *p, SlType t, const SlValue *v, SlArena *a)
{
    switch (t) {
    case SL_T_BOOL: p[0] = v->u.b; break;
    case SL_T_INT4: memcpy(p, &v->u.i4, 4); break;
    case SL_T_INT8:
    case SL_T_FLOAT8:
    case SL_T_TIMESTAMP:
    case SL_T_TIMESTAMPTZ: memcpy(p, &v->u.i8, 8); break;
    case SL_T_NUMERIC:
        memcpy(p, &v->u.num, 16);
        memcpy(p + 16, &v->scale, 2);
        break;
    case SL_T_TEXT: {
        const char *s = sl_strndup(a, v->u.s.p, v->u.s.len);
        memcpy(p, &s, sizeof s);
        memcpy(p + 8, &v->u.s.len, 4);
        break;
    }
    case SL_T_INTERVAL:
        memcpy(p, &v->u.iv.months, 4);
        memcpy(p + 4, &v->u.iv.days, 4);
        memcpy(p + 8, &v->u.iv.usec, 8);
        break;
    default: break;
    }
}

static SlValue cv_get(const uint8_t *p, SlType t, bool isnull)
{
    SlValue v;
    memset(&v, 0, sizeof v);
    v.type = (uint8_t)t;
    if (isnull || cv_size(t) == 0) {
        v.isnull = 1;
        return v;
    }
    switch (t) {
    case SL_T_BOOL: v.u.b = p[0] != 0; break;
    case SL_T_INT4: memcpy(&v.u.i4, p, 4); break;
    case SL_T_NUMERIC:
        memcpy(&v.u.num, p, 16);
        memcpy(&v.scale, p + 16, 2);
        break;
    case SL_T_TEXT:
        memcpy(&v.u.s.p, p, sizeof v.u.s.p);
        memcpy(&v.u.s.len, p + 8, 4);
        break;
    case SL_T_INTERVAL:
        memcpy(&v.u.iv.months, p, 4);
        memcpy(&v.u.iv.days, p + 4, 4);
        memcpy(&v.u.iv.usec, p + 8, 8);
        break;
    default: memcpy(&v.u.i8, p, 8); break;
    }
    return v;
}

static void row_layout_init(RowLayout *l, const PlSelect *q, const ExStream *s, SlArena *a)
{
    l->ncols = q->ntargets;
    l->type = sl_alloc(a, sizeof(SlType) * (size_t)(q->ntargets + 1));
    for (int k = 0; k < q->ntargets; k++)
        l->type[k] = q->targets[k]->type;
    l->copy_src = NULL;
    if (q->grouped || q->where || !s || s->ncols > ROW_COPY_MAX)
        return;
    int *src = sl_alloc(a, sizeof(int) * (size_t)(q->ntargets + 1));
    for (int k = 0; k < q->ntargets; k++) {
        const PlExpr *e = q->targets[k];
        if (e->kind != PL_COLUMN || e->index < 0 || e->index >= s->ncols || s->cols[e->index].type != e->type ||
            cv_size(e->type) == 0)
            return;
        src[k] = e->index;
    }
    l->copy_src = src;
}

/* Room for a row of at most need bytes after the rows before it (in the
 * last chunk if it fits), its place noted when it starts a run of
 * ROW_MARK; row_commit then says where it ended. */
static uint8_t *row_reserve(ExTask *t, size_t need)
{
    RowChunk *c = t->nchunks ? &t->chunks[t->nchunks - 1] : NULL;
    if (!c || c->cap - c->used < need) {
        if (t->nchunks == t->capchunks) {
            t->capchunks = t->capchunks ? t->capchunks * 2 : 16;
            t->chunks = sl_realloc(t->chunks, sizeof(RowChunk) * (size_t)t->capchunks);
        }
        c = &t->chunks[t->nchunks++];
        c->cap = need > ROW_CHUNK ? need : ROW_CHUNK;
        /* in the task's arena (its blocks grow to 4 MB): no allocation of its own */
        c->p = sl_alloc(t->arena, c->cap);
        c->used = 0;
    }
    if (t->nrows % ROW_MARK == 0) {
        int64_t m = t->nrows / ROW_MARK;
        if (m == t->capmarks) {
            t->capmarks = t->capmarks ? t->capmarks * 2 : 64;
            t->marks = sl_realloc(t->marks, sizeof(RowPos) * (size_t)t->capmarks);
        }
        t->marks[m] = (RowPos){t->nchunks - 1, c->used};
    }
    return c->p + c->used;
}

static inline void row_commit(ExTask *t, const uint8_t *end)
{
    RowChunk *c = &t->chunks[t->nchunks - 1];
    c->used = (size_t)(end - c->p);
    t->nrows++;
}

/* Appends an output row: its values encoded (codec.c). */
static void row_append(ExTask *t, const RowLayout *l, const SlValue *vals)
{
    SlValue cv[64];
    for (int k = 0; k < l->ncols; k++) {
        cv[k] = vals[k];
        SlError e;
        if (vals[k].isnull || cv_size(l->type[k]) == 0)
            cv[k] = sl_val_null(l->type[k]);
        /* the planner types every target; should a value differ, it is
         * cast to the column's type rather than lost */
        else if (vals[k].type != l->type[k] && sl_value_cast(&vals[k], l->type[k], t->arena, &cv[k], &e) < 0)
            cv[k] = sl_val_null(l->type[k]);
    }
    uint8_t *p = row_reserve(t, ex_row_bound(cv, l->ncols));
    row_commit(t, ex_row_put(p, cv, l->ncols));
}

/* The row at the cursor (text points into the chunk), and the cursor on
 * to the next one. */
static void row_next(const ExTask *t, const RowLayout *l, RowPos *at, SlValue *out)
{
    const RowChunk *c = &t->chunks[at->chunk];
    if (at->off == c->used)
        c = &t->chunks[++at->chunk], at->off = 0;
    const uint8_t *p = c->p + at->off, *end = c->p + c->used;
    SlError e;
    for (int k = 0; k < l->ncols; k++)
        if (ex_value_decode(&p, end, NULL, false, &out[k], &e) < 0)
            out[k] = sl_val_null(l->type[k]); /* the task's own bytes: never; not a read past them */
    at->off = (size_t)(p - c->p);
}

/* A cursor at row i (i < t->nrows): from the mark before it. */
static RowPos row_seek(const ExTask *t, const RowLayout *l, int64_t i)
{
    RowPos at = t->marks[i / ROW_MARK];
    SlValue skip[64];
    for (int64_t k = i - i % ROW_MARK; k < i; k++)
        row_next(t, l, &at, skip);
    return at;
}

/* The chunks themselves are in the task's arena, freed with it. */
static void rows_free(ExTask *t)
{
    free(t->chunks);
    free(t->marks);
    t->chunks = NULL;
    t->marks = NULL;
    t->nchunks = t->capchunks = t->capmarks = 0;
    t->nrows = 0;
}

/* The packed state of one aggregate: count (8); count(DISTINCT): the set
 * (8); sum/avg of float8: count, sum (16); of integers and numeric: count,
 * sum (16), scale, overflow (32); min/max: the value (cv_size). */
static int agg_state_size(const PlAgg *ag)
{
    if (ag->distinct)
        return 8;
    switch (ag->kind) {
    case PL_AGG_COUNT_STAR:
    case PL_AGG_COUNT: return 8;
    case PL_AGG_SUM:
    case PL_AGG_AVG: return ag->arg && ag->arg->type == SL_T_FLOAT8 ? 16 : 32;
    case PL_AGG_MIN:
    case PL_AGG_MAX: return cv_size(ag->arg->type);
    }
    return 8;
}

static void layout_init(GroupLayout *l, const PlSelect *q, SlArena *a)
{
    l->nkeys = q->ngroup;
    l->naggs = q->naggs;
    l->key_type = sl_alloc(a, sizeof(SlType) * (size_t)(q->ngroup + 1));
    l->key_off = sl_alloc(a, sizeof(int) * (size_t)(q->ngroup + 1));
    l->agg_type = sl_alloc(a, sizeof(SlType) * (size_t)(q->naggs + 1));
    l->agg_off = sl_alloc(a, sizeof(int) * (size_t)(q->naggs + 1));
    int off = 0;
    for (int k = 0; k < q->ngroup; k++) {
        l->key_type[k] = q->group[k]->type;
        l->key_off[k] = off;
        off += cv_size(l->key_type[k]);
    }
    for (int i = 0; i < q->naggs; i++) {
        l->agg_type[i] = q->aggs[i].arg ? q->aggs[i].arg->type : SL_T_INT8;
        l->agg_off[i] = off;
        off += agg_state_size(&q->aggs[i]);
    }
    l->size = sizeof(Group) + (size_t)off;
}

/* The group's keys as values (text points into the group). */
static void group_keys(const GroupLayout *l, const Group *g, SlValue *out)
{
    for (int k = 0; k < l->nkeys; k++)
        out[k] = cv_get(GROUP_DATA(g) + l->key_off[k], l->key_type[k], (g->bits >> k) & 1);
}

/* Aggregate a's state as the final functions read it. */
static void agg_load(const GroupLayout *l, const PlAgg *ag, const Group *g, int a, AggState *st)
{
    memset(st, 0, sizeof *st);
    const uint8_t *p = GROUP_DATA(g) + l->agg_off[a];
    if (ag->distinct) {
        memcpy(&st->set, p, sizeof st->set);
        return;
    }
    switch (ag->kind) {
    case PL_AGG_COUNT_STAR:
    case PL_AGG_COUNT: memcpy(&st->count, p, 8); break;
    case PL_AGG_SUM:
    case PL_AGG_AVG:
        memcpy(&st->count, p, 8);
        if (l->agg_type[a] == SL_T_FLOAT8) {
            memcpy(&st->fsum, p + 8, 8);
        } else {
            int32_t sc, of;
            memcpy(&st->isum, p + 8, 16);
            memcpy(&sc, p + 24, 4);
            memcpy(&of, p + 28, 4);
            st->scale = sc;
            st->overflow = of != 0;
        }
        break;
    case PL_AGG_MIN:
    case PL_AGG_MAX:
        st->has = (g->bits >> (l->nkeys + a)) & 1;
        st->best = cv_get(p, l->agg_type[a], !st->has);
        break;
    }
}

/* Applies one value to aggregate a of g (the hot path). */
static void agg_update_packed(ExTask *t, const GroupLayout *l, const PlAgg *ag, Group *g, int a, const SlValue *v)
{
    uint8_t *p = GROUP_DATA(g) + l->agg_off[a];
    int64_t *count = (int64_t *)(void *)p; /* offsets are multiples of 8 */
    if (ag->kind == PL_AGG_COUNT_STAR) {
        (*count)++;
        return;
    }
    if (v->isnull)
        return;
    if (ag->distinct) {
        DistinctSet *set;
        memcpy(&set, p, sizeof set);
        if (!set) {
            set = sl_alloc0(t->arena, sizeof(DistinctSet));
            memcpy(p, &set, sizeof set);
        }
        distinct_add(t->arena, set, v);
        return;
    }
    switch (ag->kind) {
    case PL_AGG_COUNT:
        (*count)++;
        break;
    case PL_AGG_SUM:
    case PL_AGG_AVG:
        (*count)++;
        if (l->agg_type[a] == SL_T_FLOAT8) {
            double f;
            memcpy(&f, p + 8, 8);
            f += v->u.f8;
            memcpy(p + 8, &f, 8);
        } else {
            __int128 isum;
            memcpy(&isum, p + 8, 16);
            if (v->type == SL_T_NUMERIC) {
                int32_t sc, of;
                memcpy(&sc, p + 24, 4);
                memcpy(&of, p + 28, 4);
                __int128 x = v->u.num;
                if (v->scale > sc) {
                    for (int i = sc; i < v->scale; i++)
                        if (__builtin_mul_overflow(isum, 10, &isum))
                            of = 1;
                    sc = v->scale;
                } else {
                    for (int i = v->scale; i < sc; i++)
                        if (__builtin_mul_overflow(x, 10, &x))
                            of = 1;
                }
                if (__builtin_add_overflow(isum, x, &isum))
                    of = 1;
                memcpy(p + 24, &sc, 4);
                memcpy(p + 28, &of, 4);
            } else {
                isum += v->type == SL_T_INT4 ? v->u.i4 : v->u.i8;
            }
            memcpy(p + 8, &isum, 16);
        }
        break;
    case PL_AGG_MIN:
    case PL_AGG_MAX: {
        uint64_t bit = 1ULL << (l->nkeys + a);
        SlType ty = l->agg_type[a];
        bool better;
        if (!(g->bits & bit)) {
            better = true;
        } else if (ty == SL_T_INT8 || ty == SL_T_TIMESTAMP || ty == SL_T_TIMESTAMPTZ) {
            int64_t cur;
            memcpy(&cur, p, 8);
            better = ag->kind == PL_AGG_MIN ? v->u.i8 < cur : v->u.i8 > cur;
        } else if (ty == SL_T_INT4) {
            int32_t cur;
            memcpy(&cur, p, 4);
            better = ag->kind == PL_AGG_MIN ? v->u.i4 < cur : v->u.i4 > cur;
        } else {
            SlValue cur = cv_get(p, ty, false);
            int c = sl_value_cmp(v, &cur);
            better = ag->kind == PL_AGG_MIN ? c < 0 : c > 0;
        }
        if (better && cv_size(ty) > 0) {
            cv_put(p, ty, v, t->arena);
            g->bits |= bit;
        }
        break;
    }
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

static Group *group_find_h(ExTask *t, const SlValue *keys, uint64_t h);
static inline void slots_reserve(ExTask *t);

static Group *group_find(ExTask *t, const SlValue *keys)
{
    return group_find_h(t, keys, hash_keys(keys, t->view->layout.nkeys));
}

/* A slot from the hash's high bits (Fibonacci hashing): the low bits
 * pick the key group, and a table filled one key group at a time (a
 * restore) must not cluster. n is a power of two. */
static inline int64_t slot_of(uint64_t h, int64_t n)
{
    int bits = __builtin_ctzll((unsigned long long)n);
    return bits == 0 ? 0 : (int64_t)((h * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
}

static bool group_keys_equal(const GroupLayout *l, const Group *g, const SlValue *keys)
{
    for (int k = 0; k < l->nkeys; k++) {
        bool gnull = (g->bits >> k) & 1;
        if (gnull != (keys[k].isnull != 0))
            return false;
        if (gnull)
            continue;
        const uint8_t *p = GROUP_DATA(g) + l->key_off[k];
        SlType ty = l->key_type[k];
        if (ty == keys[k].type && (ty == SL_T_INT8 || ty == SL_T_TIMESTAMP || ty == SL_T_TIMESTAMPTZ)) {
            int64_t x;
            memcpy(&x, p, 8);
            if (x != keys[k].u.i8)
                return false;
        } else if (ty == keys[k].type && ty == SL_T_INT4) {
            int32_t x;
            memcpy(&x, p, 4);
            if (x != keys[k].u.i4)
                return false;
        } else {
            SlValue v = cv_get(p, ty, false);
            if (sl_value_cmp(&v, &keys[k]) != 0)
                return false;
        }
    }
    return true;
}

/* The group of keys (whose hash_keys is h), created if new. */
static Group *group_find_h(ExTask *t, const SlValue *keys, uint64_t h)
{
    const GroupLayout *l = &t->view->layout;
    slots_reserve(t);
    int64_t mask = t->nslots - 1;
    int64_t j = slot_of(h, t->nslots);
    while (t->slots[j]) {
        Group *g = t->slots[j];
        if (g->hash == h && group_keys_equal(l, g, keys))
            return g;
        j = (j + 1) & mask;
    }
    Group *g = sl_alloc0(t->arena, l->size);
    g->hash = h;
    for (int k = 0; k < l->nkeys; k++) {
        if (keys[k].isnull || cv_size(l->key_type[k]) == 0)
            g->bits |= 1ULL << k;
        else
            cv_put(GROUP_DATA(g) + l->key_off[k], l->key_type[k], &keys[k], t->arena);
    }
    t->slots[j] = g;
    t->ngroups++;
    return g;
}

/* The output row of a group (targets over keys and aggregate finals);
 * *present is false when HAVING filters it out. */
static int group_output(const ExView *v, const Group *g, SlArena *a, SlValue *out, bool *present, SlError *err)
{
    const PlSelect *q = v->q;
    SlValue aggbuf[16];
    SlValue *aggv = q->naggs <= 16 ? aggbuf : sl_alloc(a, sizeof(SlValue) * (size_t)q->naggs);
    SlValue keys[64];
    group_keys(&v->layout, g, keys);
    for (int i = 0; i < q->naggs; i++) {
        AggState st;
        agg_load(&v->layout, &q->aggs[i], g, i, &st);
        if (agg_final(&q->aggs[i], &st, a, &aggv[i], err) < 0)
            return -1;
    }
    ExEvalCtx ec = {.arena = a, .stmt_time = sl_now_usec(), .aggs = aggv};
    *present = true;
    if (q->having && ex_eval_bool(q->having, keys, &ec, present, err) < 0)
        return -1;
    for (int k = 0; k < q->ntargets && *present; k++)
        if (ex_eval(q->targets[k], keys, &ec, &out[k], err) < 0)
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
    cb->prev = v->log_tail;
    if (v->log_tail)
        v->log_tail->next = cb;
    else
        v->log_head = cb;
    v->log_tail = cb;
    v->log_rows += cb->nrows;
    while (v->log_head && v->log_head != v->log_tail && v->log_rows > CHANGE_LOG_ROWS) {
        ChangeBatch *old = v->log_head;
        v->log_head = old->next;
        v->log_head->prev = NULL;
        v->log_rows -= old->nrows;
        sl_arena_free(old->arena);
        free(old);
    }
    for (ExSubscription *sub = v->subs; sub; sub = sub->next)
        sub->notify(sub->arg);
    pthread_mutex_unlock(&v->loglock);
}

/* state_memory_limit: the task fails when its view's state would pass it
 * (estimated as this task's times the parallelism). */
static int task_memory_check(ExTask *t)
{
    ExView *v = t->view;
    if (v->state_memory_limit <= 0)
        return 0;
    int64_t used = (int64_t)sl_arena_used(t->arena) + t->nslots * (int64_t)sizeof(Group *);
    if (used * v->parallelism <= v->state_memory_limit)
        return 0;
    sl_error(&t->error, SL_E_OUT_OF_MEMORY,
             "materialized view \"%s\" needs more state memory than its state_memory_limit (%lld bytes)", v->name,
             (long long)v->state_memory_limit);
    sl_error_hint(&t->error, "Raise it with ALTER MATERIALIZED VIEW %s SET (state_memory_limit = ...).", v->name);
    return -1;
}

/* Applies one batch to the task's state. A runtime error in a row's
 * expressions fails the task, or with on_error = 'skip' skips the row
 * (counted); everything of a row is evaluated before any state changes,
 * so a skipped row leaves no trace. */
static int task_apply(ExTask *t, Batch *b, SlArena *scratch)
{
    ExView *v = t->view;
    const PlSelect *q = v->q;
    ExEvalCtx ec = {.arena = scratch, .stmt_time = sl_now_usec()};
    SlValue keys[64];
    if (sl_failpoint_hit(q->grouped ? "executor.aggregate.update" : "executor.project.update", &t->error) < 0)
        return -1;
    pthread_mutex_lock(&v->loglock);
    bool track = v->tracking;
    pthread_mutex_unlock(&v->loglock);
    ChangeBatch *cb = NULL;
    if (track) {
        cb = sl_calloc(1, sizeof *cb);
        cb->arena = sl_arena_new(0);
        cb->ncols = q->ntargets;
    }
    if (q->naggs > t->capargs) {
        t->capargs = q->naggs;
        t->argv = sl_realloc(t->argv, sizeof(SlValue) * (size_t)t->capargs);
    }
    t->batch_no++;
    t->ntouched = 0;
    for (int r = 0; r < b->nrows; r++) {
        const SlValue *row = b->rows + (size_t)r * (size_t)b->ncols;
        bool pass = true;
        t->rows_in++;
        if ((r & 255) == 255)
            sl_arena_reset(scratch);
        if (q->where && !b->filtered && ex_eval_bool(q->where, row, &ec, &pass, &t->error) < 0)
            goto row_error;
        if (!pass)
            continue;
        if (q->grouped) {
            for (int k = 0; k < q->ngroup; k++)
                if (ex_eval_fast(q->group[k], row, &ec, &keys[k], &t->error) < 0)
                    goto row_error;
            for (int a = 0; a < q->naggs; a++) {
                t->argv[a] = sl_val_null(SL_T_UNKNOWN);
                if (q->aggs[a].arg && ex_eval_fast(q->aggs[a].arg, row, &ec, &t->argv[a], &t->error) < 0)
                    goto row_error;
            }
            Group *g = group_find_h(t, keys, b->hashes[r]);
            if (!(g->bits & GROUP_DIRTY)) {
                g->bits |= GROUP_DIRTY;
                uint8_t *d = &t->dirty[g->hash % (uint64_t)v->max_parallelism];
                if (!*d)
                    *d = 1;
            }
            if (track && !(g->bits & GROUP_TOUCHED)) {
                /* remember the group's row before this batch */
                g->bits |= GROUP_TOUCHED;
                bool present = false;
                SlValue *old_row = NULL;
                if (g->nrows > 0) {
                    SlValue *old = sl_alloc(cb->arena, sizeof(SlValue) * (size_t)(q->ntargets ? q->ntargets : 1));
                    if (group_output(v, g, cb->arena, old, &present, &t->error) < 0)
                        goto fail;
                    if (present)
                        old_row = old;
                }
                if (t->ntouched == t->captouched) {
                    t->captouched = t->captouched ? t->captouched * 2 : 64;
                    t->touched = sl_realloc(t->touched, sizeof(Touched) * (size_t)t->captouched);
                }
                t->touched[t->ntouched++] = (Touched){g, old_row};
            }
            g->nrows++;
            for (int a = 0; a < q->naggs; a++)
                agg_update_packed(t, &v->layout, &q->aggs[a], g, a, &t->argv[a]);
        } else {
            SlValue out[64];
            for (int c = 0; c < q->ntargets; c++)
                if (ex_eval_fast(q->targets[c], row, &ec, &out[c], &t->error) < 0)
                    goto row_error;
            row_append(t, &v->rlayout, out);
            if (cb)
                change_add(cb, 1, out);
            t->rows_out++;
        }
        continue;
    row_error:
        if (!v->skip_errors)
            goto fail;
        t->skipped++;
        sl_error_clear(&t->error);
    }
    if (cb) {
        SlValue *now = sl_alloc(cb->arena, sizeof(SlValue) * (size_t)(q->ntargets ? q->ntargets : 1));
        for (int64_t i = 0; i < t->ntouched; i++) {
            Group *g = t->touched[i].g;
            SlValue *old_row = t->touched[i].old_row;
            bool present;
            g->bits &= ~GROUP_TOUCHED;
            if (group_output(v, g, cb->arena, now, &present, &t->error) < 0)
                goto fail;
            if (old_row && present && rows_equal(old_row, now, q->ntargets))
                continue;
            if (old_row)
                change_add(cb, -1, old_row);
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
    return task_memory_check(t);
fail:
    for (int64_t i = 0; i < t->ntouched; i++)
        t->touched[i].g->bits &= ~GROUP_TOUCHED;
    t->ntouched = 0;
    if (cb) {
        sl_arena_free(cb->arena);
        free(cb);
    }
    return -1;
}

#define ROUTE_CHUNK 2048   /* rows routed before the tasks get them: batches stay in cache */

/* ------------------------------------------------------ the columnar path
 *
 * A grouped view whose GROUP BY keys and aggregate arguments are all plain
 * columns of integer or timestamp types (count(*), count, sum, avg, min,
 * max; not DISTINCT) runs on columns: the router hands its tasks int64
 * arrays of only the columns the view reads, each row's key hashed once,
 * and a task updates the packed group state with no expression evaluation
 * and no SlValue on the way. The state is the general path's packed state,
 * so checkpoints, snapshots and restores do not know which path built it.
 * Replaying the log decodes those columns straight from its bytes
 * (ex_rows_decode_cols). A batch that reaches a view whose changes are
 * tracked (someone subscribed) is turned back into rows for the general
 * path, which logs the changes.
 */
#define COL_MAX 16         /* columns a columnar view may read */

typedef enum ColOp { COP_COUNT_STAR, COP_COUNT, COP_SUM, COP_MIN8, COP_MAX8, COP_MIN4, COP_MAX4 } ColOp;

typedef struct ColPlan {
    int ncols;                 /* carried columns */
    int src[COL_MAX];          /* the stream column of each */
    SlType type[COL_MAX];
    int nkeys;
    int key[8];                /* the carried column of key k */
    int naggs;
    ColOp op[64];
    int arg[64];               /* the carried column of aggregate a, or -1 */
    int *slot_of_col;          /* per stream column: its carried column, or -1 */
} ColPlan;

static int col_carry(ColPlan *cp, const ExStream *s, const PlExpr *e)
{
    if (!e || e->kind != PL_COLUMN || e->index < 0 || e->index >= s->ncols || s->cols[e->index].type != e->type)
        return -1;
    if (e->type != SL_T_INT4 && e->type != SL_T_INT8 && e->type != SL_T_TIMESTAMP && e->type != SL_T_TIMESTAMPTZ)
        return -1;
    for (int i = 0; i < cp->ncols; i++)
        if (cp->src[i] == e->index)
            return i;
    if (cp->ncols == COL_MAX)
        return -1;
    cp->src[cp->ncols] = e->index;
    cp->type[cp->ncols] = e->type;
    return cp->ncols++;
}

/* The view's columnar plan, or NULL when it needs the general path. */
static ColPlan *col_plan(const ExView *v, const ExStream *s, bool disabled)
{
    const PlSelect *q = v->q;
    if (disabled || !q->grouped || q->ngroup == 0 || q->ngroup > 8 || q->naggs > 64)
        return NULL;
    ColPlan cp;
    memset(&cp, 0, sizeof cp);
    cp.nkeys = q->ngroup;
    for (int k = 0; k < q->ngroup; k++)
        if ((cp.key[k] = col_carry(&cp, s, q->group[k])) < 0)
            return NULL;
    cp.naggs = q->naggs;
    for (int a = 0; a < q->naggs; a++) {
        const PlAgg *ag = &q->aggs[a];
        if (ag->distinct)
            return NULL;
        cp.arg[a] = -1;
        if (ag->kind == PL_AGG_COUNT_STAR) {
            cp.op[a] = COP_COUNT_STAR;
            continue;
        }
        int c = col_carry(&cp, s, ag->arg);
        if (c < 0)
            return NULL;
        cp.arg[a] = c;
        bool i4 = cp.type[c] == SL_T_INT4, ts = !i4 && cp.type[c] != SL_T_INT8;
        switch (ag->kind) {
        case PL_AGG_COUNT: cp.op[a] = COP_COUNT; break;
        case PL_AGG_SUM:
        case PL_AGG_AVG:
            if (ts)
                return NULL;
            cp.op[a] = COP_SUM;
            break;
        case PL_AGG_MIN: cp.op[a] = i4 ? COP_MIN4 : COP_MIN8; break;
        case PL_AGG_MAX: cp.op[a] = i4 ? COP_MAX4 : COP_MAX8; break;
        default: return NULL;
        }
    }
    ColPlan *out = sl_alloc(v->arena, sizeof *out);
    *out = cp;
    out->slot_of_col = sl_alloc(v->arena, sizeof(int) * (size_t)(s->ncols + 1));
    for (int c = 0; c < s->ncols; c++)
        out->slot_of_col[c] = -1;
    for (int i = 0; i < cp.ncols; i++)
        out->slot_of_col[cp.src[i]] = i;
    return out;
}

static inline SlValue col_value(SlType t, int64_t x, bool isnull)
{
    SlValue v;
    memset(&v, 0, sizeof v);
    v.type = (uint8_t)t;
    v.isnull = isnull;
    if (t == SL_T_INT4)
        v.u.i4 = (int32_t)x;
    else
        v.u.i8 = x;
    return v;
}

/* hash_keys of row r of columns given as arrays (the same hash the
 * general path computes, so both find the same groups and key groups). */
static inline uint64_t col_hash(const ColPlan *cp, int64_t *const *vals, uint8_t *const *nulls, int64_t r)
{
    /* hash_keys, one key at a time (sl_value_hash reads only the type,
     * the NULL flag and the integer) */
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < cp->nkeys; i++) {
        int c = cp->key[i];
        SlValue k;
        k.type = (uint8_t)cp->type[c];
        k.isnull = nulls[c][r] != 0;
        k.scale = 0;
        if (cp->type[c] == SL_T_INT4)
            k.u.i4 = (int32_t)vals[c][r];
        else
            k.u.i8 = vals[c][r];
        h = sl_hash_u64(h ^ sl_value_hash(&k)) + (uint64_t)i;
    }
    return h;
}

/* Rows as carried columns, where the columnar path applies them from: a
 * columnar batch's arrays, or (a replaying task's own rows) the arrays the
 * log was decoded into. */
typedef struct ColRows {
    const int64_t *v[COL_MAX];
    const uint8_t *null[COL_MAX];
    const uint64_t *hash;
} ColRows;

/* The columns a replaying task decoded from a log batch, and their rows'
 * hashes, when the view has several tasks: the rows it routes to another
 * task are handed over as their indexes into these arrays (Batch.sel)
 * instead of a copy of their values; whoever drops the last reference
 * frees them. A replaying task decodes its next log batch into new arrays
 * while another still holds these (task_replay). */
typedef struct ColShare {
    int refs;
    int64_t cap;
    ExView *v;                     /* whose spare ones it joins when unused */
    struct ColShare *next;         /* in v->share_free */
    int64_t *vals[COL_MAX];
    uint8_t *nulls[COL_MAX];
    uint64_t *hash;
} ColShare;

#define SHARES_KEPT_PER_TASK 4     /* spare ColShares a view keeps: new memory is slow to fill */

static void share_destroy(ColShare *sh)
{
    for (int c = 0; c < COL_MAX; c++) {
        free(sh->vals[c]);
        free(sh->nulls[c]);
    }
    free(sh->hash);
    free(sh);
}

/* Arrays for cap rows of the view's carried columns: a spare one, else new. */
static ColShare *share_get(ExView *v, int ncols, int64_t cap)
{
    pthread_mutex_lock(&v->share_lock);
    ColShare *sh = v->share_free;
    if (sh) {
        v->share_free = sh->next;
        v->share_nfree--;
    }
    pthread_mutex_unlock(&v->share_lock);
    if (sh && sh->cap >= cap) {
        sh->refs = 1;
        return sh;
    }
    if (sh)
        share_destroy(sh);
    sh = sl_calloc(1, sizeof *sh);
    sh->refs = 1;
    sh->cap = cap;
    sh->v = v;
    for (int c = 0; c < ncols; c++) {
        sh->vals[c] = sl_malloc(sizeof(int64_t) * (size_t)cap);
        sh->nulls[c] = sl_malloc((size_t)cap);
    }
    sh->hash = sl_malloc(sizeof(uint64_t) * (size_t)cap);
    return sh;
}

static void share_release(ColShare *sh)
{
    if (!sh || __atomic_sub_fetch(&sh->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    ExView *v = sh->v;
    pthread_mutex_lock(&v->share_lock);
    if (v->share_nfree < SHARES_KEPT_PER_TASK * v->parallelism) {
        sh->next = v->share_free;
        v->share_free = sh;
        v->share_nfree++;
        sh = NULL;
    }
    pthread_mutex_unlock(&v->share_lock);
    if (sh)
        share_destroy(sh);
}

static void route_push(ExView *v, Batch **batches, int64_t routed);
static int task_apply_col_rows(ExTask *t, const ColRows *cr, const int *sel, int n);

/* Set while a task replays its share of the log (task_replay): it routes
 * as ingestion does, but applies its own rows itself, at once (see
 * "replay"), and routing neither waits for the view (the replaying task is
 * what drains it) nor counts rows as enqueued (view_replay counted them
 * all). */
typedef struct ReplayCtx {
    int task;
    int64_t routed;      /* rows handed to tasks (counted as processed when applied) */
    SlArena *scratch;
} ReplayCtx;
static __thread ReplayCtx *replaying;

/* The columnar rows of a replaying task can be applied straight from the
 * arrays they were decoded into unless the view logs its changes (then
 * they go through the general path, task_one). */
static bool cols_in_place(ExView *v)
{
    pthread_mutex_lock(&v->loglock);
    bool track = v->tracking;
    pthread_mutex_unlock(&v->loglock);
    return !track;
}

/* Routes n rows given as carried columns (vals[c][off ..]) to the tasks,
 * n <= ROUTE_CHUNK. share: the ColShare vals and nulls are the arrays of
 * (a replaying task's, with several tasks), or NULL. */
static void route_cols(ExView *v, int64_t *const *vals, uint8_t *const *nulls, int64_t off, int n, ColShare *share)
{
    const ColPlan *cp = v->cplan;
    int P = v->parallelism, nc = cp->ncols;
    uint64_t hbuf[ROUTE_CHUNK], *h = share ? share->hash + off : hbuf;
    int task[ROUTE_CHUNK];
    int counts[128];
    int *count = P <= 64 ? counts : sl_malloc(sizeof(int) * (size_t)P * 2), *pos = count + P;
    memset(count, 0, sizeof(int) * (size_t)P * 2);
    int64_t *cv[COL_MAX];
    uint8_t *cn[COL_MAX];
    for (int c = 0; c < nc; c++) {
        cv[c] = vals[c] + off;
        cn[c] = nulls[c] + off;
    }
    for (int r = 0; r < n; r++) {
        h[r] = col_hash(cp, cv, cn, r);
        task[r] = P == 1 ? 0 : v->kg_task[ex_kg_of_hash(h[r], v->max_parallelism)];
        count[task[r]]++;
    }
    /* a replaying task's own rows: applied from these arrays, not copied.
     * Decided under the task's lock, held until they are applied: a
     * subscriber arriving meanwhile (it copies the state under every
     * task's lock and turns tracking on) sees none of them or all. */
    int own = -1;
    ExTask *ot = NULL;
    if (replaying) {
        ot = &v->tasks[replaying->task];
        pthread_mutex_lock(&ot->lock);
        if (cols_in_place(v)) {
            own = replaying->task;
        } else {
            pthread_mutex_unlock(&ot->lock);
            ot = NULL;
        }
    }
    /* the others' rows by index into the shared columns, with the
     * replaying task's own applied in place (else all are copied) */
    if (!ot)
        share = NULL;
    Batch **batches = sl_calloc((size_t)P, sizeof(Batch *));
    for (int t = 0; t < P; t++) {
        if (!count[t] || t == own)
            continue;
        Batch *b = sl_calloc(1, sizeof *b);
        if (share) {
            b->ncols = nc;
            b->nrows = b->cap = count[t];
            b->share = share;
            __atomic_add_fetch(&share->refs, 1, __ATOMIC_ACQ_REL);
            b->sel = sl_malloc(sizeof(int) * (size_t)count[t]);
            b->filtered = true;
            batches[t] = b;
            continue;
        }
        b->ncols = nc;
        b->nrows = b->cap = count[t];
        b->cv = sl_malloc(sizeof(int64_t) * (size_t)nc * (size_t)count[t]);
        b->cnull = sl_malloc((size_t)nc * (size_t)count[t]);
        b->hashes = sl_malloc(sizeof(uint64_t) * (size_t)count[t]);
        b->filtered = true;
        batches[t] = b;
    }
    int sel[ROUTE_CHUNK], nsel = 0;
    if (P == 1) {
        Batch *b = batches[0];
        if (!b)
            goto apply_own;
        memcpy(b->hashes, h, sizeof(uint64_t) * (size_t)n);
        for (int c = 0; c < nc; c++) {
            memcpy(b->cv + (size_t)c * (size_t)n, cv[c], sizeof(int64_t) * (size_t)n);
            memcpy(b->cnull + (size_t)c * (size_t)n, cn[c], (size_t)n);
        }
    } else {
        /* each row's place in its task's batch, then one column at a time;
         * the replaying task's own rows are only listed */
        int at[ROUTE_CHUNK], xs[ROUTE_CHUNK], nx = 0;
        for (int r = 0; r < n; r++) {
            /* without branches: whether a row is the task's own is a coin
             * toss the branch predictor loses half the time */
            int t = task[r], mine = t == own;
            sel[nsel] = r;
            xs[nx] = r;
            nsel += mine;
            nx += !mine;
            at[r] = pos[t]++;
        }
        if (share) {
            /* the shared arrays' indexes of the others' rows */
            for (int i = 0; i < nx; i++) {
                int r = xs[i];
                batches[task[r]]->sel[at[r]] = (int)off + r;
            }
            goto apply_own;
        }
        for (int i = 0; i < nx; i++) {
            int r = xs[i];
            batches[task[r]]->hashes[at[r]] = h[r];
        }
        int64_t *dv[64];
        uint8_t *dn[64];
        for (int c = 0; c < nc; c++) {
            for (int t = 0; t < P && t < 64; t++)
                if (batches[t]) {
                    dv[t] = batches[t]->cv + (size_t)c * (size_t)batches[t]->nrows;
                    dn[t] = batches[t]->cnull + (size_t)c * (size_t)batches[t]->nrows;
                }
            if (P <= 64) {
                for (int i = 0; i < nx; i++) {
                    int r = xs[i];
                    dv[task[r]][at[r]] = cv[c][r];
                    dn[task[r]][at[r]] = cn[c][r];
                }
            } else {
                for (int i = 0; i < nx; i++) {
                    int r = xs[i];
                    Batch *b = batches[task[r]];
                    b->cv[(size_t)c * (size_t)b->nrows + (size_t)at[r]] = cv[c][r];
                    b->cnull[(size_t)c * (size_t)b->nrows + (size_t)at[r]] = cn[c][r];
                }
            }
        }
    }
apply_own:;
    int64_t mine = own >= 0 ? count[own] : 0;
    if (count != counts)
        free(count);
    if (ot) {
        SlError fe;
        if (mine > 0 && sl_failpoint_hit("executor.exchange.send", &fe) < 0) {
            /* as route_push does for rows handed over */
            if (!ot->failed) {
                ot->failed = true;
                ot->error = fe;
            }
        } else if (mine > 0 && !ot->failed) {
            ColRows cr;
            for (int c = 0; c < nc; c++) {
                cr.v[c] = cv[c];
                cr.null[c] = cn[c];
            }
            cr.hash = h;
            if (task_apply_col_rows(ot, &cr, P == 1 ? NULL : sel, (int)mine) < 0) {
                ot->failed = true;
                sl_warn("view \"%s\" task %d failed: %s", v->name, ot->index, ot->error.message);
            }
        }
        pthread_mutex_unlock(&ot->lock);
    }
    /* rows applied here count as processed with the rest of the log batch */
    route_push(v, batches, n - mine);
}

/* Routes rows (SlValue, the stream's columns) on the columnar path: the
 * selected rows' carried columns are copied out. false, having routed
 * nothing, when a value is not of its column's type. */
static bool route_rows_as_cols(ExView *v, const SlValue *rows, const int *sel, int nsel, int ncols)
{
    const ColPlan *cp = v->cplan;
    int nc = cp->ncols;
    int64_t *buf = sl_malloc((sizeof(int64_t) + 1) * (size_t)nc * (size_t)(nsel ? nsel : 1));
    int64_t *vals[COL_MAX];
    uint8_t *nulls[COL_MAX];
    for (int c = 0; c < nc; c++) {
        vals[c] = buf + (size_t)c * (size_t)nsel;
        nulls[c] = (uint8_t *)(buf + (size_t)nc * (size_t)nsel) + (size_t)c * (size_t)nsel;
    }
    for (int i = 0; i < nsel; i++) {
        const SlValue *row = rows + (size_t)(sel ? sel[i] : i) * (size_t)ncols;
        for (int c = 0; c < nc; c++) {
            const SlValue *x = &row[cp->src[c]];
            if (x->isnull) {
                nulls[c][i] = 1;
                vals[c][i] = 0;
            } else if (x->type != cp->type[c]) {
                free(buf);
                return false;
            } else {
                nulls[c][i] = 0;
                vals[c][i] = x->type == SL_T_INT4 ? x->u.i4 : x->u.i8;
            }
        }
    }
    if (nsel > 0)
        route_cols(v, vals, nulls, 0, nsel, NULL);
    free(buf);
    return true;
}

/* Copies a batch's rows out of the shared columns: then it is a columnar
 * batch like the others. */
static void batch_unshare(const ExView *v, Batch *b)
{
    const ColShare *sh = b->share;
    int nc = v->cplan->ncols, n = b->nrows;
    b->cv = sl_malloc(sizeof(int64_t) * (size_t)nc * (size_t)(n ? n : 1));
    b->cnull = sl_malloc((size_t)nc * (size_t)(n ? n : 1));
    b->hashes = sl_malloc(sizeof(uint64_t) * (size_t)(n ? n : 1));
    for (int r = 0; r < n; r++)
        b->hashes[r] = sh->hash[b->sel[r]];
    for (int c = 0; c < nc; c++)
        for (int r = 0; r < n; r++) {
            b->cv[(size_t)c * (size_t)n + (size_t)r] = sh->vals[c][b->sel[r]];
            b->cnull[(size_t)c * (size_t)n + (size_t)r] = sh->nulls[c][b->sel[r]];
        }
    share_release(b->share);
    b->share = NULL;
    free(b->sel);
    b->sel = NULL;
}

/* Turns a columnar batch into rows of the stream's columns (those the view
 * does not read are NULL), for the general path. */
static void batch_cols_to_rows(const ExView *v, Batch *b)
{
    const ColPlan *cp = v->cplan;
    int ncols = v->src->ncols, n = b->nrows;
    b->rows = sl_malloc(sizeof(SlValue) * (size_t)ncols * (size_t)(n ? n : 1));
    for (int r = 0; r < n; r++) {
        SlValue *row = b->rows + (size_t)r * (size_t)ncols;
        for (int c = 0; c < ncols; c++)
            row[c] = sl_val_null(SL_T_UNKNOWN);
        for (int c = 0; c < cp->ncols; c++)
            row[cp->src[c]] = col_value(cp->type[c], b->cv[(size_t)c * (size_t)n + (size_t)r],
                                        b->cnull[(size_t)c * (size_t)n + (size_t)r] != 0);
    }
    b->ncols = ncols;
    free(b->cv);
    free(b->cnull);
    b->cv = NULL;
    b->cnull = NULL;
}

/* Grows the group table before an insertion would fill it past 70 %. */
static void slots_grow(ExTask *t)
{
    int64_t ncap = t->nslots ? t->nslots * 2 : 64;
    Group **ns = sl_calloc((size_t)ncap, sizeof(Group *));
    for (int64_t i = 0; i < t->nslots; i++) {
        Group *g = t->slots[i];
        if (!g)
            continue;
        int64_t j = slot_of(g->hash, ncap);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = g;
    }
    free(t->slots);
    t->slots = ns;
    t->nslots = ncap;
}

static inline void slots_reserve(ExTask *t)
{
    if (SL_UNLIKELY((t->ngroups + 1) * 10 >= t->nslots * 7))
        slots_grow(t);
}

/* The group of row r of a columnar batch (hash h), created if new. */
static void col_rows_of_batch(ColRows *cr, const ColPlan *cp, const Batch *b)
{
    for (int c = 0; c < cp->ncols; c++) {
        cr->v[c] = b->cv + (size_t)c * (size_t)b->nrows;
        cr->null[c] = b->cnull + (size_t)c * (size_t)b->nrows;
    }
    cr->hash = b->hashes;
}

static Group *col_group(ExTask *t, const ColPlan *cp, const ColRows *cr, int r, uint64_t h)
{
    const GroupLayout *l = &t->view->layout;
    slots_reserve(t);
    int64_t mask = t->nslots - 1;
    int64_t j = slot_of(h, t->nslots);
    for (Group *g; (g = t->slots[j]) != NULL; j = (j + 1) & mask) {
        if (g->hash != h)
            continue;
        bool eq = true;
        for (int k = 0; k < cp->nkeys && eq; k++) {
            int c = cp->key[k];
            bool isnull = cr->null[c][r] != 0;
            if (((g->bits >> k) & 1) != isnull) {
                eq = false;
            } else if (!isnull) {
                int64_t x = cr->v[c][r];
                const uint8_t *p = GROUP_DATA(g) + l->key_off[k];
                if (cp->type[c] == SL_T_INT4) {
                    int32_t y;
                    memcpy(&y, p, 4);
                    eq = y == (int32_t)x;
                } else {
                    int64_t y;
                    memcpy(&y, p, 8);
                    eq = y == x;
                }
            }
        }
        if (eq)
            return g;
    }
    Group *g = sl_alloc0(t->arena, l->size);
    g->hash = h;
    for (int k = 0; k < cp->nkeys; k++) {
        int c = cp->key[k];
        uint8_t *p = GROUP_DATA(g) + l->key_off[k];
        int64_t x = cr->v[c][r];
        if (cr->null[c][r]) {
            g->bits |= 1ULL << k;
        } else if (cp->type[c] == SL_T_INT4) {
            int32_t y = (int32_t)x;
            memcpy(p, &y, 4);
        } else {
            memcpy(p, &x, 8);
        }
    }
    t->slots[j] = g;
    t->ngroups++;
    return g;
}

/* Applies rows given as carried columns, rows sel[0 .. n) (all of the
 * first n when sel is NULL): the general path's task_apply for the
 * aggregates a ColPlan allows, which cannot fail on a row. Caller holds
 * t->lock. */
static int task_apply_col_rows(ExTask *t, const ColRows *cr, const int *sel, int n)
{
    ExView *v = t->view;
    const ColPlan *cp = v->cplan;
    const GroupLayout *l = &v->layout;
    if (sl_failpoint_hit("executor.aggregate.update", &t->error) < 0)
        return -1;
    t->batch_no++;
    /* the group table and the groups are mostly cache misses: ask for the
     * slot of the row PF ahead, and the group in the slot of the row PF/2
     * ahead (hints only: a stale slot after a resize costs nothing) */
    enum { PF = 16 };
    for (int i = 0; i < n; i++) {
        int r = sel ? sel[i] : i;
        if (i + PF < n && t->nslots)
            __builtin_prefetch(&t->slots[slot_of(cr->hash[sel ? sel[i + PF] : i + PF], t->nslots)]);
        if (i + PF / 2 < n && t->nslots) {
            Group *ahead = t->slots[slot_of(cr->hash[sel ? sel[i + PF / 2] : i + PF / 2], t->nslots)];
            if (ahead)
                __builtin_prefetch(ahead);
        }
        Group *g = col_group(t, cp, cr, r, cr->hash[r]);
        if (!(g->bits & GROUP_DIRTY)) {
            g->bits |= GROUP_DIRTY;
            t->dirty[g->hash % (uint64_t)v->max_parallelism] |= 1;
        }
        g->nrows++;
        uint8_t *d = GROUP_DATA(g);
        for (int a = 0; a < cp->naggs; a++) {
            uint8_t *p = d + l->agg_off[a];
            int c = cp->arg[a];
            if (cp->op[a] == COP_COUNT_STAR) {
                (*(int64_t *)(void *)p)++;
                continue;
            }
            if (cr->null[c][r])
                continue;
            int64_t x = cr->v[c][r];
            uint64_t bit = 1ULL << (l->nkeys + a);
            switch (cp->op[a]) {
            case COP_COUNT: (*(int64_t *)(void *)p)++; break;
            case COP_SUM: {
                (*(int64_t *)(void *)p)++;
                __int128 s;
                memcpy(&s, p + 8, 16);
                s += x;
                memcpy(p + 8, &s, 16);
                break;
            }
            case COP_MIN8:
            case COP_MAX8: {
                int64_t cur;
                memcpy(&cur, p, 8);
                if (!(g->bits & bit) || (cp->op[a] == COP_MIN8 ? x < cur : x > cur)) {
                    memcpy(p, &x, 8);
                    g->bits |= bit;
                }
                break;
            }
            case COP_MIN4:
            case COP_MAX4: {
                int32_t cur, y = (int32_t)x;
                memcpy(&cur, p, 4);
                if (!(g->bits & bit) || (cp->op[a] == COP_MIN4 ? y < cur : y > cur)) {
                    memcpy(p, &y, 4);
                    g->bits |= bit;
                }
                break;
            }
            default: break;
            }
        }
    }
    t->rows_in += n;
    return task_memory_check(t);
}

static int task_apply_cols(ExTask *t, Batch *b)
{
    ColRows cr;
    if (b->share) {
        for (int c = 0; c < t->view->cplan->ncols; c++) {
            cr.v[c] = b->share->vals[c];
            cr.null[c] = b->share->nulls[c];
        }
        cr.hash = b->share->hash;
        return task_apply_col_rows(t, &cr, b->sel, b->nrows);
    }
    col_rows_of_batch(&cr, t->view->cplan, b);
    return task_apply_col_rows(t, &cr, NULL, b->nrows);
}

/* --------------------------------------------------------- encoded batches
 *
 * Views without aggregates replay the log as its bytes: the router copies
 * each task a contiguous share of a log batch's rows without decoding
 * them, and the task decodes them (text stays in those bytes until it is
 * copied once, into the view's rows), applies the WHERE clause a chunk at
 * a time, and appends. Decoding moves off the single router thread.
 */
#define ENC_CHUNK 1024

/* A view whose rows are some of its stream's columns as they are
 * (RowLayout.copy_src): each row's values are copied from the log's bytes
 * into its rows, never decoded. A value of another type than its column's
 * takes the general way (decoded, then cast by row_append). */
static int task_copy_encoded(ExTask *t, Batch *b)
{
    const RowLayout *l = &t->view->rlayout;
    if (sl_failpoint_hit("executor.project.update", &t->error) < 0)
        return -1;
    t->batch_no++;
    const uint8_t *p = b->enc, *end = p + b->enclen;
    const uint8_t *at[ROW_COPY_MAX + 1];
    for (int64_t r = 0; r < b->nrows; r++) {
        if (ex_row_spans(&p, end, b->ncols, at, &t->error) < 0)
            return -1;
        t->rows_in++;
        size_t need = 0;
        bool same = true;
        for (int k = 0; k < l->ncols; k++) {
            int c = l->copy_src[k];
            need += (size_t)(at[c + 1] - at[c]);
            same &= (at[c][0] & EX_ENC_TYPE) == l->type[k];
        }
        if (same) {
            uint8_t *o = row_reserve(t, need);
            for (int k = 0; k < l->ncols; k++) {
                int c = l->copy_src[k];
                memcpy(o, at[c], (size_t)(at[c + 1] - at[c]));
                o += at[c + 1] - at[c];
            }
            row_commit(t, o);
        } else {
            SlValue out[64];
            for (int k = 0; k < l->ncols; k++) {
                const uint8_t *q = at[l->copy_src[k]];
                if (ex_value_decode(&q, at[l->copy_src[k] + 1], NULL, false, &out[k], &t->error) < 0)
                    return -1;
            }
            row_append(t, l, out);
        }
        t->rows_out++;
    }
    if (p != end)
        return sl_error(&t->error, SL_E_DATA_CORRUPTED, "could not decode a stored value: the bytes are corrupt");
    return task_memory_check(t);
}

static int task_apply_encoded(ExTask *t, Batch *b, SlArena *scratch)
{
    ExView *v = t->view;
    int ncols = b->ncols;
    /* the changes of a view someone subscribed to are rows (task_apply) */
    if (v->rlayout.copy_src && ncols <= ROW_COPY_MAX && cols_in_place(v))
        return task_copy_encoded(t, b);
    const uint8_t *p = b->enc, *end = p + b->enclen;
    if (!t->dec_rows) /* the stream's columns, ENC_CHUNK rows: kept by the task */
        t->dec_rows = sl_malloc(sizeof(SlValue) * (size_t)ncols * ENC_CHUNK);
    SlValue *rows = t->dec_rows;
    int sel[ENC_CHUNK];
    int rc = 0;
    for (int64_t done = 0; done < b->nrows && rc == 0;) {
        int n = b->nrows - done < ENC_CHUNK ? (int)(b->nrows - done) : ENC_CHUNK;
        if (ex_rows_decode_next(&p, end, ncols, v->want, rows, n, &t->error) < 0) {
            rc = -1;
            break;
        }
        Batch part = {.rows = rows, .nrows = n, .ncols = ncols};
        if (v->q->where) {
            ExEvalCtx ec = {.arena = scratch, .stmt_time = sl_now_usec()};
            SlError lerr;
            int nsel;
            if (ex_filter_batch(v->q->where, rows, n, ncols, &ec, sel, &nsel, &lerr) == 0) {
                for (int i = 0; i < nsel; i++)
                    if (sel[i] != i)
                        memcpy(rows + (size_t)i * (size_t)ncols, rows + (size_t)sel[i] * (size_t)ncols,
                               sizeof(SlValue) * (size_t)ncols);
                part.nrows = nsel;
                part.filtered = true;
            }
            sl_arena_reset(scratch);
        }
        rc = task_apply(t, &part, scratch);
        sl_arena_reset(scratch);
        done += n;
    }
    if (rc == 0 && p != end)
        rc = sl_error(&t->error, SL_E_DATA_CORRUPTED, "could not decode a stored value: the bytes are corrupt");
    return rc;
}

static void task_snapshot(ExTask *t, Ckpt *ck);
static void view_wait_idle(ExView *v);
static ExView *find_view(ExCatalog *c, const char *name);

static void task_replay(ExTask *t, struct Replay *rp, SlArena *scratch);

/* Rows processed, counted under plock. Waiters on pcond (ingestion's
 * backpressure, snapshots, quiescing) wait for `processed` to reach a
 * value and say which in pwake: a count that reaches none of them wakes
 * nobody (a replay finishes thousands of chunks a second, and a snapshot
 * reader woken for each would take a core from it). */
static void view_processed_add(ExView *v, int64_t n)
{
    v->processed += n;
    if (v->processed >= v->pwake) {
        v->pwake = INT64_MAX;
        pthread_cond_broadcast(&v->pcond);
    }
}

/* Waits until `processed` reaches need; caller holds plock. */
static void view_wait_processed(ExView *v, int64_t need)
{
    while (v->processed < need) {
        if (need < v->pwake)
            v->pwake = need;
        pthread_cond_wait(&v->pcond, &v->plock);
    }
}

/* The task fails with e, unless it failed already (the first error is
 * the one reported). */
static void task_fail(ExTask *t, const SlError *e)
{
    pthread_mutex_lock(&t->lock);
    if (!t->failed) {
        t->failed = true;
        t->error = *e;
    }
    pthread_mutex_unlock(&t->lock);
}

/* Handles one batch of the task's queue: a barrier, or rows. */
static void task_one(ExTask *t, Batch *b, SlArena *scratch)
{
    ExView *v = t->view;
    if (b->barrier) {
        pthread_mutex_lock(&t->lock);
        task_snapshot(t, b->barrier);
        pthread_mutex_unlock(&t->lock);
        free(b);
        return;
    }
    pthread_mutex_lock(&t->lock);
    if (b->cv || b->share) {
        pthread_mutex_lock(&v->loglock);
        bool track = v->tracking;
        pthread_mutex_unlock(&v->loglock);
        if (track) {
            if (b->share)
                batch_unshare(v, b);
            batch_cols_to_rows(v, b);
        }
    }
    int rc = 0;
    if (!t->failed)
        rc = b->cv || b->share ? task_apply_cols(t, b)
             : b->enc          ? task_apply_encoded(t, b, scratch)
                               : task_apply(t, b, scratch);
    if (rc < 0) {
        t->failed = true;
        sl_warn("view \"%s\" task %d failed: %s", v->name, t->index, t->error.message);
    }
    pthread_mutex_unlock(&t->lock);
    sl_arena_reset(scratch);

    pthread_mutex_lock(&v->plock);
    view_processed_add(v, b->nrows);
    pthread_mutex_unlock(&v->plock);
    sl_arena_free(b->arena);
    free(b->rows);
    free(b->hashes);
    free(b->cv);
    free(b->cnull);
    share_release(b->share);
    free(b->sel);
    if (!b->enc_borrowed)
        free(b->enc);
    free(b);
}

/* The next batch of the task's queue, or NULL; with `last`, an empty
 * queue also ends the task's turn on a worker. */
static Batch *task_pop(ExTask *t, bool last)
{
    pthread_mutex_lock(&t->qlock);
    Batch *b = t->head;
    if (b) {
        t->head = b->next;
        if (!t->head)
            t->tail = NULL;
    } else if (last) {
        t->scheduled = false;
    }
    pthread_mutex_unlock(&t->qlock);
    return b;
}

static void task_run(ExTask *t)
{
    SlArena *scratch = sl_arena_new(0);
    Batch *b;
    while ((b = task_pop(t, true)) != NULL) {
        if (b->replay) {
            task_replay(t, b->replay, scratch);
            free(b);
        } else {
            task_one(t, b, scratch);
        }
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

/* Adds a row to a task's batch: only the columns the view reads are
 * copied (the others are NULL), with the row's key hash when grouped. */
static void batch_add(Batch *b, const SlValue *row, const ExView *v, uint64_t hash)
{
    if (b->nrows == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->rows = sl_realloc(b->rows, sizeof(SlValue) * (size_t)(b->cap * b->ncols));
        b->hashes = sl_realloc(b->hashes, sizeof(uint64_t) * (size_t)b->cap);
    }
    SlValue *dst = b->rows + (size_t)b->nrows * (size_t)b->ncols;
    if (v->nused == b->ncols) {
        for (int c = 0; c < b->ncols; c++)
            sl_value_copy(&row[c], b->arena, &dst[c]);
    } else {
        for (int c = 0; c < b->ncols; c++)
            dst[c].isnull = 1;
        for (int i = 0; i < v->nused; i++) {
            int c = v->used[i];
            sl_value_copy(&row[c], b->arena, &dst[c]);
        }
    }
    b->hashes[b->nrows] = hash;
    b->nrows++;
}


/* Routes up to ROUTE_CHUNK rows to the tasks' queues. */
static int route_chunk(ExView *v, const SlValue *rows, int64_t nrows, SlError *err)
{
    int ncols = v->src->ncols;
    Batch **batches = sl_calloc((size_t)v->parallelism, sizeof(Batch *));
    SlArena *scratch = sl_arena_new(0);
    ExEvalCtx ec = {.arena = scratch, .stmt_time = sl_now_usec()};
    SlValue keys[64];
    SlError lerr;
    int rc = 0;
    (void)err;
    /* rows the WHERE clause drops are not sent at all; when it fails on a
     * row, every row is sent and the task reports (or skips) the error */
    int sel[ROUTE_CHUNK], nsel = (int)nrows;
    bool filtered = v->q->where &&
                    ex_filter_batch(v->q->where, rows, (int)nrows, ncols, &ec, sel, &nsel, &lerr) == 0;
    if (!filtered)
        nsel = (int)nrows;
    sl_arena_reset(scratch);
    if (v->cplan && (filtered || !v->q->where) && route_rows_as_cols(v, rows, filtered ? sel : NULL, nsel, ncols)) {
        sl_arena_free(scratch);
        free(batches);
        return 0;
    }
    int64_t routed = nsel;
    for (int i = 0; i < nsel; i++) {
        int64_t r = filtered ? sel[i] : i;
        const SlValue *row = rows + (size_t)r * (size_t)ncols;
        int task;
        uint64_t h = 0;
        if ((i & 255) == 255)
            sl_arena_reset(scratch);
        if (v->q->grouped && v->q->ngroup > 0) {
            for (int k = 0; k < v->q->ngroup; k++) {
                if (ex_eval_fast(v->q->group[k], row, &ec, &keys[k], &lerr) < 0) {
                    /* the task reports runtime errors; route by NULL */
                    keys[k] = sl_val_null(SL_T_UNKNOWN);
                }
            }
            h = hash_keys(keys, v->q->ngroup);
            task = v->kg_task[ex_kg_of_hash(h, v->max_parallelism)];
        } else if (v->q->grouped) {
            task = 0; /* a global aggregate: one group */
            h = hash_keys(keys, 0);
        } else {
            task = (int)(v->route_counter++ % v->parallelism);
        }
        if (!batches[task]) {
            batches[task] = batch_new(ncols);
            batches[task]->filtered = filtered;
        }
        batch_add(batches[task], row, v, h);
    }
    sl_arena_free(scratch);
    route_push(v, batches, routed);
    return rc;
}

/* The failpoint of the exchange of rows to task t: when it fires, the
 * task fails, and with it the job (ingestion itself succeeded, the rows
 * are in the log). */
static void exchange_failpoint(ExView *v, int t)
{
    SlError fe;
    if (sl_failpoint_hit("executor.exchange.send", &fe) >= 0)
        return;
    task_fail(&v->tasks[t], &fe);
}

/* Hands a chunk's batches (one per task, or NULL) to the tasks: frees
 * the array. */
static void route_push(ExView *v, Batch **batches, int64_t routed)
{
    if (replaying) {
        replaying->routed += routed;
    } else {
        /* backpressure: a view more than VIEW_QUEUE_ROWS behind slows the
         * acknowledgement of ingestion; rows are never dropped */
        const int64_t limit = v->cplan ? VIEW_QUEUE_ROWS_COLUMNAR : VIEW_QUEUE_ROWS;
        pthread_mutex_lock(&v->plock);
        while (v->enqueued - v->processed > limit)
            view_wait_processed(v, v->enqueued - limit);
        v->enqueued += routed;
        pthread_mutex_unlock(&v->plock);
    }
    for (int t = 0; t < v->parallelism; t++) {
        if (!batches[t])
            continue;
        exchange_failpoint(v, t);
        if (replaying && t == replaying->task)
            task_one(&v->tasks[t], batches[t], replaying->scratch); /* its own rows: applied now, while hot */
        else
            task_push(&v->tasks[t], batches[t]);
    }
    free(batches);
}

/* Routes a log batch's rows from `skip` on, as bytes, to the tasks of a
 * view without aggregates (see "encoded batches"): each task a contiguous
 * share, the first share to a different task each time. */
static int route_encoded(ExView *v, const uint8_t *data, size_t len, int64_t nrows, int64_t skip, SlError *err)
{
    int ncols = v->src->ncols, P = v->parallelism;
    const uint8_t *p = data, *end = data + len;
    if (skip > 0 && ex_rows_skip(&p, end, ncols, skip, err) < 0)
        return -1;
    nrows -= skip;
    Batch **batches = sl_calloc((size_t)P, sizeof(Batch *));
    int64_t done = 0;
    if (replaying)
        P = 1; /* all of it to the task that read it */
    for (int k = 0; k < P && done < nrows; k++) {
        int64_t n = (nrows - done + (P - k) - 1) / (P - k);
        const uint8_t *q = p;
        if (done + n == nrows)
            q = end;
        else if (ex_rows_skip(&q, end, ncols, n, err) < 0) {
            for (int t = 0; t < v->parallelism; t++)
                if (batches[t]) {
                    if (!batches[t]->enc_borrowed)
                        free(batches[t]->enc);
                    free(batches[t]);
                }
            free(batches);
            return -1;
        }
        Batch *b = sl_calloc(1, sizeof *b);
        b->ncols = ncols;
        b->nrows = b->cap = (int)n;
        b->enclen = (size_t)(q - p);
        if (replaying) {
            /* the replaying task applies it before it reads on (route_push):
             * the log's bytes stay valid until then, no copy */
            b->enc = (uint8_t *)p;
            b->enc_borrowed = true;
        } else {
            b->enc = sl_malloc(b->enclen ? b->enclen : 1);
            memcpy(b->enc, p, b->enclen);
        }
        batches[replaying ? replaying->task : (int)((k + v->route_counter) % P)] = b;
        p = q;
        done += n;
    }
    if (!replaying)
        v->route_counter++;
    route_push(v, batches, nrows);
    return 0;
}


/* Routes rows of the view's source to its tasks. Caller holds the ingest lock. */
static int view_route(ExView *v, const SlValue *rows, int64_t nrows, SlError *err)
{
    int ncols = v->src->ncols;
    for (int64_t off = 0; off < nrows; off += ROUTE_CHUNK) {
        int64_t n = nrows - off < ROUTE_CHUNK ? nrows - off : ROUTE_CHUNK;
        if (route_chunk(v, rows + (size_t)off * (size_t)ncols, n, err) < 0)
            return -1;
    }
    return 0;
}

/* ----------------------------------------------------------- checkpoints
 *
 * Every checkpoint_interval the coordinator (one thread per catalog)
 * takes the ingestion lock, notes each view's position in its stream's
 * log (per partition), and puts barrier n at the end of every task's
 * queue. A task reaching its barrier has applied exactly the rows before
 * that position; it serializes the key groups it changed since its last
 * snapshot (views without aggregates: the output rows added since) and
 * hands them over. When every task has, the writer (the same thread, with
 * its own PostgreSQL connection) writes them in one transaction with the
 * offsets: the checkpoint is complete when that commits. A key group's
 * state in checkpoint n is its newest version written at or before n, so
 * unchanged key groups cost nothing (storage/README.md). Each task has a
 * single input (the stream), so barriers need no alignment.
 */

/* Raw bytes in host order (checkpoints are read back by the same build). */
static void put_raw(SlBuf *b, const void *p, size_t n)
{
    sl_buf_append(b, p, n);
}

static int get_raw(const uint8_t **p, const uint8_t *end, void *out, size_t n, SlError *err)
{
    if ((size_t)(end - *p) < n)
        return sl_error(err, SL_E_DATA_CORRUPTED, "checkpoint state is truncated");
    memcpy(out, *p, n);
    *p += n;
    return 0;
}

/* A group: its keys, rows applied, its bits, then per aggregate its
 * packed state (min/max: the value; count(DISTINCT): the set's values). */
static void group_encode(SlBuf *o, const ExView *v, const Group *g)
{
    const GroupLayout *l = &v->layout;
    const PlSelect *q = v->q;
    SlValue keys[64];
    group_keys(l, g, keys);
    for (int k = 0; k < l->nkeys; k++)
        ex_value_encode(o, &keys[k]);
    put_raw(o, &g->nrows, 8);
    uint64_t bits = g->bits & ~(GROUP_TOUCHED | GROUP_DIRTY);
    put_raw(o, &bits, 8);
    for (int a = 0; a < l->naggs; a++) {
        const PlAgg *ag = &q->aggs[a];
        const uint8_t *p = GROUP_DATA(g) + l->agg_off[a];
        if (ag->distinct) {
            DistinctSet *set;
            memcpy(&set, p, sizeof set);
            int64_t n = set ? set->n : 0;
            put_raw(o, &n, 8);
            for (int64_t i = 0; set && i < set->cap; i++)
                if (!(set->vals[i].isnull && set->hashes[i] == 0))
                    ex_value_encode(o, &set->vals[i]);
        } else if (ag->kind == PL_AGG_MIN || ag->kind == PL_AGG_MAX) {
            SlValue best = cv_get(p, l->agg_type[a], !((g->bits >> (l->nkeys + a)) & 1));
            ex_value_encode(o, &best);
        } else {
            put_raw(o, p, (size_t)agg_state_size(ag));
        }
    }
}

static int group_decode(ExTask *t, const uint8_t **p, const uint8_t *end, SlError *err)
{
    const ExView *v = t->view;
    const GroupLayout *l = &v->layout;
    const PlSelect *q = v->q;
    SlValue keys[64];
    for (int k = 0; k < l->nkeys; k++)
        if (ex_value_decode(p, end, NULL, false, &keys[k], err) < 0)
            return -1;
    Group *g = group_find(t, keys);
    uint64_t bits = 0;
    if (get_raw(p, end, &g->nrows, 8, err) < 0 || get_raw(p, end, &bits, 8, err) < 0)
        return -1;
    for (int a = 0; a < l->naggs; a++) {
        const PlAgg *ag = &q->aggs[a];
        uint8_t *dst = GROUP_DATA(g) + l->agg_off[a];
        if (ag->distinct) {
            int64_t n = 0;
            if (get_raw(p, end, &n, 8, err) < 0)
                return -1;
            DistinctSet *set = sl_alloc0(t->arena, sizeof(DistinctSet));
            memcpy(dst, &set, sizeof set);
            for (int64_t i = 0; i < n; i++) {
                SlValue x;
                if (ex_value_decode(p, end, NULL, false, &x, err) < 0)
                    return -1;
                distinct_add(t->arena, set, &x);
            }
        } else if (ag->kind == PL_AGG_MIN || ag->kind == PL_AGG_MAX) {
            SlValue best;
            if (ex_value_decode(p, end, NULL, false, &best, err) < 0)
                return -1;
            if (!best.isnull && best.type != l->agg_type[a])
                return sl_error(err, SL_E_DATA_CORRUPTED, "checkpoint state of \"%s\" has a value of another type",
                                v->name);
            if (!best.isnull && cv_size(l->agg_type[a]) > 0) {
                cv_put(dst, l->agg_type[a], &best, t->arena);
                g->bits |= 1ULL << (l->nkeys + a);
            }
        } else if (get_raw(p, end, dst, (size_t)agg_state_size(ag), err) < 0) {
            return -1;
        }
    }
    return 0;
}

static void ckpt_add_part(Ckpt *ck, int32_t id, int32_t kg, int task, int64_t row_start, SlBuf *data)
{
    if (ck->nparts == ck->capparts) {
        ck->capparts = ck->capparts ? ck->capparts * 2 : 64;
        ck->parts = sl_realloc(ck->parts, sizeof(CkptPart) * (size_t)ck->capparts);
    }
    CkptPart *pt = &ck->parts[ck->nparts++];
    pt->id = id;
    pt->kg = kg;
    pt->task = task;
    pt->row_start = row_start;
    pt->data = *data;
}

static void ckpt_wake(ExCatalog *c);

/* At the barrier: the task's changes since its last snapshot (caller
 * holds the task's lock). */
static void task_snapshot(ExTask *t, Ckpt *ck)
{
    ExView *v = t->view;
    const PlSelect *q = v->q;
    int K = v->max_parallelism;
    if (t->failed) {
        pthread_mutex_lock(&ck->lock);
        ck->failed = true;
        ck->error = t->error;
    } else if (q->grouped) {
        /* A dirty key group is written whole, or, when few of its groups
         * changed and it has few deltas yet, as a delta part (id >= K)
         * holding only the changed groups; a whole part retires the
         * key group's deltas (empty parts). Loading applies a key group's
         * whole part, then its deltas in the order they were written. */
        int ndirty = 0;
        for (int kg = 0; kg < K; kg++)
            ndirty += t->dirty[kg] != 0;
        SlBuf *bufs = NULL;
        uint8_t *mode = NULL;   /* 0: nothing, 1: delta, 2: whole */
        if (ndirty) {
            int64_t *ng = sl_calloc((size_t)K * 2, sizeof(int64_t)), *nd = ng + K;
            for (int64_t i = 0; i < t->nslots; i++) {
                Group *g = t->slots[i];
                if (!g)
                    continue;
                int kg = (int)(g->hash % (uint64_t)K);
                ng[kg]++;
                nd[kg] += (g->bits & GROUP_DIRTY) != 0;
            }
            mode = sl_calloc((size_t)K, 1);
            bufs = sl_calloc((size_t)K, sizeof(SlBuf));
            for (int kg = 0; kg < K; kg++) {
                if (!t->dirty[kg])
                    continue;
                bool delta = t->dirty[kg] == 1 && t->ndeltas[kg] < MAX_DELTAS && nd[kg] * 4 <= ng[kg];
                mode[kg] = delta ? 1 : 2;
                if (delta)
                    put_raw(&bufs[kg], &kg, 4);
            }
            for (int64_t i = 0; i < t->nslots; i++) {
                Group *g = t->slots[i];
                if (!g)
                    continue;
                int kg = (int)(g->hash % (uint64_t)K);
                if (mode[kg] == 2 || (mode[kg] == 1 && (g->bits & GROUP_DIRTY)))
                    group_encode(&bufs[kg], v, g);
                if (mode[kg])
                    g->bits &= ~GROUP_DIRTY;
            }
            free(ng);
        }
        pthread_mutex_lock(&ck->lock);
        for (int kg = 0; kg < K && ndirty; kg++) {
            if (!mode[kg])
                continue;
            if (mode[kg] == 1) {
                int32_t id = K + v->next_chunk++;
                ckpt_add_part(ck, id, kg, t->index, 0, &bufs[kg]);
                if (t->ndeltas[kg] == t->capdeltas[kg]) {
                    t->capdeltas[kg] = t->capdeltas[kg] ? t->capdeltas[kg] * 2 : 4;
                    t->deltas[kg] = sl_realloc(t->deltas[kg], sizeof(int32_t) * (size_t)t->capdeltas[kg]);
                }
                t->deltas[kg][t->ndeltas[kg]++] = id;
            } else {
                ckpt_add_part(ck, kg, kg, t->index, 0, &bufs[kg]);
                for (int d = 0; d < t->ndeltas[kg]; d++) {
                    SlBuf empty;
                    sl_buf_init(&empty);
                    ckpt_add_part(ck, t->deltas[kg][d], kg, t->index, 0, &empty);
                }
                t->ndeltas[kg] = 0;
            }
            t->dirty[kg] = 0;
        }
        free(bufs);
        free(mode);
    } else {
        pthread_mutex_lock(&ck->lock);
        if (t->nrows > t->ckpt_rows) {
            SlBuf b;
            sl_buf_init(&b);
            int64_t n = t->nrows - t->ckpt_rows;
            put_raw(&b, &n, 8);
            /* the rows are kept in the encoding a chunk holds: copied */
            RowPos at = row_seek(t, &v->rlayout, t->ckpt_rows);
            for (int64_t c = at.chunk; c < t->nchunks; c++) {
                put_raw(&b, t->chunks[c].p + at.off, t->chunks[c].used - at.off);
                at.off = 0;
            }
            ckpt_add_part(ck, K + v->next_chunk++, -1, t->index, t->ckpt_rows, &b);
            t->ckpt_rows = t->nrows;
        }
    }
    bool last = --ck->pending == 0;
    pthread_mutex_unlock(&ck->lock);
    if (last)
        ckpt_wake(v->cat);
}

/* A checkpoint that failed: its parts were not stored, so what they held
 * goes into the next one. */
static void ckpt_redirty(ExView *v, Ckpt *ck)
{
    for (int i = 0; i < ck->nparts; i++) {
        CkptPart *pt = &ck->parts[i];
        ExTask *t = &v->tasks[pt->task];
        pthread_mutex_lock(&t->lock);
        if (pt->kg >= 0)
            t->dirty[pt->kg] = 2; /* whole next time: it retires every delta, stored or not */
        else if (pt->row_start < t->ckpt_rows)
            t->ckpt_rows = pt->row_start;
        pthread_mutex_unlock(&t->lock);
    }
}

static void subs_end(ExView *v, bool restarted);

static void ckpt_free(Ckpt *ck)
{
    if (!ck)
        return;
    for (int i = 0; i < ck->nparts; i++)
        sl_buf_free(&ck->parts[i].data);
    free(ck->parts);
    free(ck->offsets);
    free(ck->offs);
    pthread_mutex_destroy(&ck->lock);
    free(ck);
}

static void offsets_json(SlBuf *b, const uint64_t *offs, int n)
{
    sl_buf_putc(b, '{');
    for (int p = 0; p < n; p++)
        sl_buf_printf(b, "%s\"%d\": %llu", p ? ", " : "", p, (unsigned long long)offs[p]);
    sl_buf_putc(b, '}');
}

/* Reads {"0": 12, "1": 40} (any spacing, as jsonb prints it). */
static int offsets_parse(const char *s, uint64_t *offs, int n, SlError *err)
{
    for (int p = 0; p < n; p++)
        offs[p] = 0;
    const char *q = s ? s : "";
    while ((q = strchr(q, '"')) != NULL) {
        char *e;
        long part = strtol(q + 1, &e, 10);
        if (*e != '"')
            return sl_error(err, SL_E_DATA_CORRUPTED, "bad checkpoint offsets \"%s\"", s);
        q = e + 1;
        while (*q == ' ' || *q == ':')
            q++;
        unsigned long long off = strtoull(q, &e, 10);
        if (e == q)
            return sl_error(err, SL_E_DATA_CORRUPTED, "bad checkpoint offsets \"%s\"", s);
        q = e;
        if (part >= 0 && part < n)
            offs[part] = off;
    }
    return 0;
}

static void hist_add(ExView *v, const CkptRecord *r)
{
    v->hist[v->hist_n % CKPT_HISTORY] = *r;
    v->hist_n++;
}

/* Puts barrier n behind everything routed so far. Caller holds the
 * catalog lock (read); takes the ingestion lock. Returns false when the
 * view has not moved since its last complete checkpoint. */
static bool ckpt_trigger(ExCatalog *c, ExView *v)
{
    ExStream *s = v->src;
    pthread_mutex_lock(&c->ingest);
    pthread_mutex_lock(&v->plock);
    bool replaying_now = v->replay_pending > 0;
    pthread_mutex_unlock(&v->plock);
    if (replaying_now) {
        /* its tasks are catching up with the log out of order */
        pthread_mutex_unlock(&c->ingest);
        return false;
    }
    bool moved = false;
    for (int p = 0; p < s->partitions; p++)
        moved |= v->off[p] != v->ckpt_complete_offs[p];
    if (!moved) {
        pthread_mutex_unlock(&c->ingest);
        return false;
    }
    Ckpt *ck = sl_calloc(1, sizeof *ck);
    ck->view = v;
    ck->id = v->ckpt_next_id++;
    ck->started_us = sl_now_usec();
    ck->offs = sl_malloc(sizeof(uint64_t) * (size_t)s->partitions);
    memcpy(ck->offs, v->off, sizeof(uint64_t) * (size_t)s->partitions);
    SlBuf j;
    sl_buf_init(&j);
    offsets_json(&j, ck->offs, s->partitions);
    ck->offsets = j.data;
    pthread_mutex_init(&ck->lock, NULL);
    ck->pending = v->parallelism;
    v->inflight = ck;
    for (int t = 0; t < v->parallelism; t++) {
        Batch *b = sl_calloc(1, sizeof *b);
        b->barrier = ck;
        task_push(&v->tasks[t], b);
    }
    pthread_mutex_unlock(&c->ingest);
    return true;
}

static bool ckpt_ready(Ckpt *ck)
{
    pthread_mutex_lock(&ck->lock);
    bool ready = ck->pending == 0;
    pthread_mutex_unlock(&ck->lock);
    return ready;
}

/* Segments every retained checkpoint of every view of s has passed. */
static void stream_trim_log(ExStream *s)
{
    if (!s->logs || s->nviews == 0 || s->retain_all)
        return;
    for (int p = 0; p < s->partitions; p++) {
        uint64_t min = UINT64_MAX;
        for (int i = 0; i < s->nviews; i++) {
            ExView *w = s->views[i];
            uint64_t o = w->nret > 0 ? w->ret_offs[0][p] : 0;
            if (o < min)
                min = o;
        }
        if (min == 0 || min == UINT64_MAX)
            continue;
        SlError err;
        int n = st_log_delete_before(s->logs[p], min, &err);
        if (n < 0)
            sl_warn("could not delete old segments of stream \"%s\": %s", s->name, err.message);
        else if (n > 0)
            sl_debug("stream \"%s\" partition %d: deleted %d segments below offset %llu", s->name, p, n,
                     (unsigned long long)min);
    }
}

/* Writes a checkpoint whose tasks have all snapshotted, in one
 * transaction. Caller holds the catalog lock (read). */
static void ckpt_finish(ExCatalog *c, ExView *v)
{
    Ckpt *ck = v->inflight;
    ExStream *s = v->src;
    SlError err;
    sl_error_clear(&err);
    int rc = 0;
    int64_t bytes = 0;
    if (ck->failed) {
        err = ck->error;
        rc = -1;
    }
    /* the log must hold everything the state includes, even after a
     * machine crash, before the checkpoint names those offsets */
    for (int p = 0; p < s->partitions && rc == 0 && s->logs; p++)
        if (st_log_durable_offset(s->logs[p]) < ck->offs[p])
            rc = st_log_sync(s->logs[p], &err);
    if (rc == 0 && sl_failpoint_hit("storage.checkpoint.write", &err) < 0)
        rc = -1;
    if (rc == 0 && !c->ck_store) {
        c->ck_store = st_store_open(c->conninfo, &err);
        if (!c->ck_store)
            rc = -1;
    }
    bool begun = false;
    if (rc == 0) {
        rc = st_ckpt_begin(c->ck_store, v->name, ck->id, &err);
        begun = rc == 0;
    }
    for (int i = 0; i < ck->nparts && rc == 0; i++) {
        rc = st_ckpt_write(c->ck_store, ck->parts[i].id, ck->parts[i].data.data, ck->parts[i].data.len, &err);
        bytes += (int64_t)ck->parts[i].data.len;
    }
    if (rc == 0 && sl_failpoint_hit("storage.checkpoint.commit", &err) < 0)
        rc = -1;
    if (rc == 0) {
        rc = st_ckpt_commit(c->ck_store, ck->offsets, &err);
        begun = false;
        if (rc < 0 && err.code == SL_E_CONNECTION_FAILURE) {
            /* the connection broke around COMMIT: it may have committed */
            StCkptInfo info;
            SlError e2;
            if (st_ckpt_latest(c->ck_store, v->name, &info, &e2) == 1 && info.id == ck->id) {
                sl_info("checkpoint %lld of \"%s\" was committed although the connection broke", (long long)ck->id,
                        v->name);
                rc = 0;
            }
        }
    }
    if (rc < 0 && begun)
        st_ckpt_abort(c->ck_store, err.message);
    CkptRecord r = {.id = ck->id,
                    .started_us = ck->started_us,
                    .duration_us = sl_now_usec() - ck->started_us,
                    .bytes = bytes,
                    .key_groups = ck->nparts,
                    .complete = rc == 0};
    if (rc == 0) {
        v->ckpt_complete_id = ck->id;
        memcpy(v->ckpt_complete_offs, ck->offs, sizeof(uint64_t) * (size_t)s->partitions);
        v->ckpt_failures = 0;
        /* the offsets of the retained ones, oldest first */
        /* (ALTER may have lowered checkpoints_retained below nret) */
        while (v->nret > 0 && v->nret >= v->ckpt_retained) {
            free(v->ret_offs[0]);
            memmove(&v->ret_offs[0], &v->ret_offs[1], sizeof(uint64_t *) * (size_t)(v->nret - 1));
            v->nret--;
        }
        v->ret_offs[v->nret++] = ck->offs;
        ck->offs = NULL;
        SlError e2;
        if (st_ckpt_retain(c->ck_store, v->name, v->ckpt_retained, &e2) < 0)
            sl_warn("could not delete old checkpoints of \"%s\": %s", v->name, e2.message);
        stream_trim_log(s);
        sl_debug("checkpoint %lld of \"%s\" complete: %d parts, %lld bytes", (long long)ck->id, v->name, ck->nparts,
                 (long long)bytes);
    } else {
        snprintf(r.error, sizeof r.error, "%.159s", err.message);
        ckpt_redirty(v, ck);
        v->ckpt_failures++;
        sl_warn("checkpoint %lld of \"%s\" failed (%d in a row): %s", (long long)ck->id, v->name, v->ckpt_failures,
                err.message);
        if (v->ckpt_max_failures > 0 && v->ckpt_failures >= v->ckpt_max_failures && !v->job_failed) {
            v->job_failed = true;
            sl_error(&v->job_error, SL_E_OBJECT_NOT_IN_PREREQUISITE_STATE,
                     "%d consecutive checkpoints failed; the last: %s", v->ckpt_failures, err.message);
            sl_warn("view \"%s\" failed: %s", v->name, v->job_error.message);
        }
    }
    hist_add(v, &r);
    v->inflight = NULL;
    ckpt_free(ck);
}

static void ckpt_wake(ExCatalog *c)
{
    pthread_mutex_lock(&c->ck_lock);
    pthread_cond_signal(&c->ck_cond);
    pthread_mutex_unlock(&c->ck_lock);
}

static bool job_check(ExView *v, int64_t now_us);
static void jobs_restart_due(ExCatalog *c);

static void *ckpt_main(void *arg)
{
    ExCatalog *c = arg;
    pthread_mutex_lock(&c->ck_lock);
    while (!c->ck_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&c->ck_cond, &c->ck_lock, &ts);
        if (c->ck_stop)
            break;
        pthread_mutex_unlock(&c->ck_lock);
        pthread_rwlock_rdlock(&c->lock);
        int64_t now = sl_now_usec();
        bool due = false;
        for (int i = 0; i < c->nviews; i++) {
            ExView *v = c->views[i];
            if (v->inflight) {
                if (ckpt_ready(v->inflight))
                    ckpt_finish(c, v);
            } else if (v->ckpt_interval_ms > 0 && v->state == JOB_RUNNING && !v->job_failed &&
                       now - v->ckpt_last_us >= v->ckpt_interval_ms * 1000) {
                v->ckpt_last_us = now;
                ckpt_trigger(c, v);
            }
            due |= job_check(v, now);
        }
        pthread_rwlock_unlock(&c->lock);
        if (due)
            jobs_restart_due(c);
        pthread_mutex_lock(&c->ck_lock);
    }
    pthread_mutex_unlock(&c->ck_lock);
    return NULL;
}

/* Clean shutdown: the checkpoint in flight, then a last one of every
 * view that moved since, so that a restart replays nothing. */
static void ckpt_final(ExCatalog *c)
{
    if (!c->conninfo)
        return;
    pthread_rwlock_rdlock(&c->lock);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < c->nviews; i++) {
            ExView *v = c->views[i];
            if (!v->inflight && (pass == 0 || v->ckpt_interval_ms == 0 || v->job_failed || v->state != JOB_RUNNING))
                continue;
            if (!v->inflight && !ckpt_trigger(c, v))
                continue;
            while (!ckpt_ready(v->inflight))
                usleep(1000);
            ckpt_finish(c, v);
            if (pass == 1)
                sl_info("final checkpoint of \"%s\": %s", v->name,
                        v->hist[(v->hist_n - 1) % CKPT_HISTORY].complete ? "complete" : "failed");
        }
    }
    pthread_rwlock_unlock(&c->lock);
}

void ex_catalog_start_checkpoints(ExCatalog *c)
{
    if (!c->conninfo || c->ckpt_running)
        return;
    c->ckpt_running = pthread_create(&c->ckpt_thread, NULL, ckpt_main, c) == 0;
}

static void ckpt_stop_thread(ExCatalog *c)
{
    if (!c->ckpt_running)
        return;
    pthread_mutex_lock(&c->ck_lock);
    c->ck_stop = true;
    pthread_cond_signal(&c->ck_cond);
    pthread_mutex_unlock(&c->ck_lock);
    pthread_join(c->ckpt_thread, NULL);
    c->ckpt_running = false;
}

/* Tests: the whole state of a view as checkpoint parts (every key group
 * that has state, every output row), and loading such a part. */
int ex_view_state_parts(ExCatalog *c, const char *name, int (*fn)(void *ctx, int32_t id, const void *data, size_t len),
                        void *ctx, SlError *err)
{
    pthread_rwlock_rdlock(&c->lock);
    ExView *v = find_view(c, name);
    if (!v) {
        pthread_rwlock_unlock(&c->lock);
        return sl_error(err, SL_E_UNDEFINED_TABLE, "materialized view \"%s\" does not exist", name);
    }
    view_wait_idle(v);
    Ckpt *ck = sl_calloc(1, sizeof *ck);
    pthread_mutex_init(&ck->lock, NULL);
    for (int t = 0; t < v->parallelism; t++) {
        ExTask *task = &v->tasks[t];
        pthread_mutex_lock(&task->lock);
        if (task->dirty)
            memset(task->dirty, 2, (size_t)v->max_parallelism);
        task->ckpt_rows = 0;
        ck->pending = 1;
        task_snapshot(task, ck);
        pthread_mutex_unlock(&task->lock);
    }
    int rc = ck->failed ? (*err = ck->error, -1) : 0;
    for (int i = 0; i < ck->nparts && rc == 0; i++)
        rc = fn(ctx, ck->parts[i].id, ck->parts[i].data.data, ck->parts[i].data.len);
    ckpt_free(ck);
    pthread_rwlock_unlock(&c->lock);
    return rc;
}

typedef struct RestoreCtx {
    ExView *v;
    SlError *err;
} RestoreCtx;

static int restore_part(void *ctx, int32_t id, int64_t written_by, const void *data, size_t len);

int ex_view_state_load(ExCatalog *c, const char *name, int32_t id, const void *data, size_t len, SlError *err)
{
    pthread_rwlock_wrlock(&c->lock);
    ExView *v = find_view(c, name);
    int rc;
    if (!v) {
        rc = sl_error(err, SL_E_UNDEFINED_TABLE, "materialized view \"%s\" does not exist", name);
    } else {
        view_wait_idle(v);
        RestoreCtx rctx = {v, err};
        rc = restore_part(&rctx, id, 0, data, len);
    }
    pthread_rwlock_unlock(&c->lock);
    return rc;
}

/* ---------------------------------------------------- restore and replay */

static int restore_part(void *ctx, int32_t id, int64_t written_by, const void *data, size_t len)
{
    RestoreCtx *rc = ctx;
    ExView *v = rc->v;
    const PlSelect *q = v->q;
    int K = v->max_parallelism;
    (void)written_by;
    const uint8_t *p = data, *end = p + len;
    if (id < K) {
        if (!q->grouped)
            return sl_error(rc->err, SL_E_DATA_CORRUPTED, "checkpoint of \"%s\" holds key groups of another kind",
                            v->name);
        ExTask *t = &v->tasks[q->ngroup == 0 ? 0 : ex_task_of_kg(id, v->parallelism, K)];
        while (p < end)
            if (group_decode(t, &p, end, rc->err) < 0)
                return -1;
        return 0;
    }
    if (q->grouped) {
        /* a delta: its key group, then the groups that changed */
        int32_t kg = -1;
        if (get_raw(&p, end, &kg, 4, rc->err) < 0)
            return -1;
        if (kg < 0 || kg >= K)
            return sl_error(rc->err, SL_E_DATA_CORRUPTED, "checkpoint of \"%s\" has a bad key group", v->name);
        ExTask *t = &v->tasks[q->ngroup == 0 ? 0 : ex_task_of_kg(kg, v->parallelism, K)];
        while (p < end)
            if (group_decode(t, &p, end, rc->err) < 0)
                return -1;
        if (t->ndeltas[kg] == t->capdeltas[kg]) {
            t->capdeltas[kg] = t->capdeltas[kg] ? t->capdeltas[kg] * 2 : 4;
            t->deltas[kg] = sl_realloc(t->deltas[kg], sizeof(int32_t) * (size_t)t->capdeltas[kg]);
        }
        t->deltas[kg][t->ndeltas[kg]++] = id;
        if (id - K + 1 > v->next_chunk)
            v->next_chunk = id - K + 1;
        return 0;
    }
    ExTask *t = &v->tasks[(id - K) % v->parallelism];
    int64_t n = 0;
    if (get_raw(&p, end, &n, 8, rc->err) < 0)
        return -1;
    if (n < 0 || n > (int64_t)len)
        return sl_error(rc->err, SL_E_DATA_CORRUPTED, "checkpoint state of \"%s\" is corrupt", v->name);
    SlValue row[64];
    for (int64_t i = 0; i < n; i++) {
        for (int k = 0; k < q->ntargets; k++)
            if (ex_value_decode(&p, end, NULL, false, &row[k], rc->err) < 0)
                return -1;
        row_append(t, &v->rlayout, row);
    }
    if (p != end)
        return sl_error(rc->err, SL_E_DATA_CORRUPTED, "checkpoint state of \"%s\" is corrupt", v->name);
    t->rows_out += n;
    t->ckpt_rows = t->nrows;
    if (id - K + 1 > v->next_chunk)
        v->next_chunk = id - K + 1;
    return 0;
}

typedef struct ListCtx {
    ExView *v;
    int64_t max_id;
    CkptRecord recs[CKPT_HISTORY];
    int nrecs;
    char *complete_offsets[64];
    int ncomplete;
} ListCtx;

static int list_ckpt(void *ctx, const StCkptInfo *ci)
{
    ListCtx *l = ctx;
    if (ci->id > l->max_id)
        l->max_id = ci->id;
    if (l->nrecs < CKPT_HISTORY) {
        CkptRecord *r = &l->recs[l->nrecs++];
        memset(r, 0, sizeof *r);
        r->id = ci->id;
        r->started_us = ci->started_at;
        r->duration_us = ci->duration_us;
        r->bytes = ci->bytes;
        r->key_groups = ci->key_groups;
        r->complete = !strcmp(ci->status, "complete");
    }
    if (!strcmp(ci->status, "complete") && l->ncomplete < l->v->ckpt_retained && l->ncomplete < 64)
        l->complete_offsets[l->ncomplete++] = sl_xstrdup(ci->offsets ? ci->offsets : "");
    return 0;
}

/* The view's latest complete checkpoint into its tasks, and its offsets
 * into v->off. Caller holds the catalog's write lock. */
static int view_restore(ExCatalog *c, ExView *v, bool seed, SlError *err)
{
    seed = seed || !v->seeded;
    if (!c->conninfo)
        return 0;
    int rc = 0;
    pthread_mutex_lock(&c->aux_lock);
    if (!c->aux_store)
        c->aux_store = st_store_open(c->conninfo, err);
    if (!c->aux_store) {
        pthread_mutex_unlock(&c->aux_lock);
        return -1;
    }
    ListCtx *l = sl_calloc(1, sizeof *l);
    l->v = v;
    rc = st_ckpt_list(c->aux_store, v->name, list_ckpt, l, err);
    StCkptInfo info;
    int found = rc < 0 ? -1 : st_ckpt_latest(c->aux_store, v->name, &info, err);
    if (found < 0)
        rc = -1;
    if (rc == 0 && sl_failpoint_hit("executor.recovery.restore", err) < 0)
        rc = -1;
    if (rc == 0 && found == 1) {
        int64_t t0 = sl_now_usec();
        rc = offsets_parse(info.offsets, v->off, v->src->partitions, err);
        int64_t id = info.id;
        RestoreCtx rctx = {v, err};
        if (rc == 0)
            rc = st_ckpt_load(c->aux_store, v->name, id, 0, INT32_MAX, restore_part, &rctx, err);
        if (rc == 0) {
            v->ckpt_complete_id = id;
            memcpy(v->ckpt_complete_offs, v->off, sizeof(uint64_t) * (size_t)v->src->partitions);
            int64_t groups = 0, rows = 0;
            for (int t = 0; t < v->parallelism; t++) {
                groups += v->tasks[t].ngroups;
                rows += v->tasks[t].nrows;
            }
            sl_info("view \"%s\": restored checkpoint %lld (%lld groups, %lld rows) in %.1f ms", v->name,
                    (long long)id, (long long)groups, (long long)rows, (double)(sl_now_usec() - t0) / 1000.0);
        }
    }
    if (rc == 0 && seed) {
        v->seeded = true;
        v->ckpt_next_id = l->max_id + 1;
        for (int i = l->nrecs - 1; i >= 0; i--)
            hist_add(v, &l->recs[i]);
        /* retained offsets, oldest first */
        for (int i = l->ncomplete - 1; i >= 0 && v->nret < v->ckpt_retained; i--) {
            uint64_t *o = sl_malloc(sizeof(uint64_t) * (size_t)v->src->partitions);
            if (offsets_parse(l->complete_offsets[i], o, v->src->partitions, NULL) == 0)
                v->ret_offs[v->nret++] = o;
            else
                free(o);
        }
    }
    for (int i = 0; i < l->ncomplete; i++)
        free(l->complete_offsets[i]);
    free(l);
    pthread_mutex_unlock(&c->aux_lock);
    return rc;
}

/* ---------------------------------------------------------------- replay
 *
 * A view catching up with its stream's log (a new view, or one restored
 * from a checkpoint) does not read it on one thread: each of its tasks
 * reads a share of the log's batches (st_log_reader_share: each takes the
 * next batch nobody has taken when it is ready for one, so a task slowed
 * down for a while reads fewer), decodes and routes those rows exactly like
 * ingestion does, and between two batches applies what the others routed
 * to it. With parallelism 1 the one task reads, decodes and applies on its
 * own, with no hand-over between threads; with P tasks the reading,
 * checksums and decoding run on P threads too. Rows of one key may then
 * be applied out of log order, which aggregates and the rows of a view
 * without aggregates do not see; no checkpoint is taken until the replay
 * is over (ckpt_trigger), so a checkpoint never holds part of it. Every
 * row of the replay counts as enqueued at once, so a snapshot read waits
 * for all of it, as it waits for rows already ingested.
 */
typedef struct ReplayShared {
    int refs;                  /* tasks still holding it */
    uint64_t claim[];          /* per partition: the next batch to hand out (st_log_reader_share) */
} ReplayShared;

typedef struct Replay {
    uint64_t *from, *to;       /* per partition */
    ReplayShared *shared;      /* the same for the view's P tasks */
} Replay;

/* Applies whatever is queued for the task now (rows other tasks routed to
 * it, rows ingested meanwhile). */
static void task_drain(ExTask *t, SlArena *scratch)
{
    SlError fe;
    if (sl_failpoint_hit("executor.replay.drain", &fe) < 0)
        task_fail(t, &fe);
    Batch *b;
    while ((b = task_pop(t, false)) != NULL) {
        if (b->replay) {
            /* another replay (a restart's) waits its turn: back in front */
            pthread_mutex_lock(&t->qlock);
            b->next = t->head;
            t->head = b;
            if (!t->tail)
                t->tail = b;
            pthread_mutex_unlock(&t->qlock);
            break;
        }
        task_one(t, b, scratch);
    }
}

/* Buffers a router reuses to decode log batches. */
typedef struct DecodeBufs {
    int64_t *cvals[COL_MAX];
    uint8_t *cnulls[COL_MAX];
    int64_t ccap[COL_MAX];         /* per column: one buffer serves views of different plans */
    SlValue *rows;
    int64_t cap;
    bool shared;                   /* a replay with several tasks: columns decoded into `share` */
    ColShare *share;
} DecodeBufs;

static void decode_bufs_free(DecodeBufs *d)
{
    for (int c = 0; c < COL_MAX && !d->shared; c++) {
        free(d->cvals[c]);
        free(d->cnulls[c]);
    }
    free(d->rows);
    share_release(d->share);
    memset(d, 0, sizeof *d);
}

/* Routes the rows of one log batch (its encoded bytes) from `skip` on to
 * the view's tasks, each kind of view in its own way: columnar views get
 * their columns decoded straight from the bytes, views without
 * aggregates the bytes themselves, the others decoded rows. */
static int checksum_mismatch(ExView *v, const StLogBatch *chk, SlError *err)
{
    return sl_error(err, SL_E_DATA_CORRUPTED, "stream log of \"%s\": checksum mismatch in the batch at offset %llu",
                    v->src->name, (unsigned long long)chk->base_offset);
}

#define CHECK_CHUNK 256    /* rows decoded before their bytes are checksummed (in cache) */

/* chk: the batch as read from the log when its checksum is still to be
 * checked (st_log_reader_defer_checks), else NULL. Nothing of a batch is
 * routed before its checksum is right. */
static int route_logged(ExView *v, const void *data, size_t len, int64_t nrows, int64_t skip,
                        const StLogBatch *chk, DecodeBufs *d, SlError *err)
{
    ExStream *s = v->src;
    const ColPlan *cp = v->q->where ? NULL : v->cplan;
    bool checked = !chk || !chk->unchecked;
    if (cp) {
        if (d->shared) {
            /* new arrays unless nobody else holds the last ones */
            ColShare *sh = d->share;
            if (!sh || sh->cap < nrows || __atomic_load_n(&sh->refs, __ATOMIC_ACQUIRE) > 1) {
                share_release(sh);
                sh = d->share = share_get(v, cp->ncols, nrows);
            }
            for (int c = 0; c < cp->ncols; c++) {
                d->cvals[c] = sh->vals[c];
                d->cnulls[c] = sh->nulls[c];
            }
        } else {
            for (int c = 0; c < cp->ncols; c++)
                if (nrows > d->ccap[c]) {
                    d->ccap[c] = nrows;
                    d->cvals[c] = sl_realloc(d->cvals[c], sizeof(int64_t) * (size_t)nrows);
                    d->cnulls[c] = sl_realloc(d->cnulls[c], (size_t)nrows);
                }
        }
        /* decode a few rows, then checksum the bytes just read while they
         * are in cache: the batch is read from memory once */
        const uint8_t *p = data, *end = p + len;
        uint32_t crc = checked ? 0 : chk->crc_seed;
        int dc = 0;
        for (int64_t r = 0; r < nrows && dc == 0; r += CHECK_CHUNK) {
            const uint8_t *from = p;
            int64_t k = nrows - r < CHECK_CHUNK ? nrows - r : CHECK_CHUNK;
            dc = ex_rows_decode_cols_next(&p, end, s->ncols, cp->slot_of_col, cp->type, d->cvals, d->cnulls, r, k,
                                          err);
            if (!checked && dc == 0)
                crc = st_crc32c(crc, from, (size_t)(p - from));
        }
        if (dc < 0) {
            /* corrupt bytes: say so as a checksum mismatch when it is one */
            if (!checked && st_crc32c(chk->crc_seed, data, len) != chk->crc_want)
                return checksum_mismatch(v, chk, err);
            return -1;
        }
        if (dc == 0 && p != end)
            return sl_error(err, SL_E_DATA_CORRUPTED, "could not decode a stored value: the bytes are corrupt");
        if (dc == 0 && !checked && crc != chk->crc_want)
            return checksum_mismatch(v, chk, err);
        if (dc == 0) {
            for (int64_t off = skip; off < nrows; off += ROUTE_CHUNK) {
                int64_t k = nrows - off < ROUTE_CHUNK ? nrows - off : ROUTE_CHUNK;
                route_cols(v, d->cvals, d->cnulls, off, (int)k, d->shared ? d->share : NULL);
            }
            return 0;
        }
        /* a value of another type than its column's: the row path */
    }
    if (!checked && st_crc32c(chk->crc_seed, data, len) != chk->crc_want)
        return checksum_mismatch(v, chk, err);
    if (!v->q->grouped)
        return route_encoded(v, data, len, nrows, skip, err);
    if (nrows > d->cap) {
        d->cap = nrows;
        d->rows = sl_realloc(d->rows, sizeof(SlValue) * (size_t)(d->cap * s->ncols));
    }
    if (ex_rows_decode_some(data, len, s->ncols, v->want, d->rows, nrows, err) < 0)
        return -1;
    return view_route(v, d->rows + (size_t)skip * (size_t)s->ncols, nrows - skip, err);
}

/* An ingesting thread's buffers, kept for its next ingestion (no page
 * faults for fresh ones): the rows encoded for the log, and what routing
 * them to the views decodes (route_logged). */
typedef struct ThreadBufs {
    SlBuf enc;
    DecodeBufs dec;
} ThreadBufs;

static pthread_key_t tbufs_key;
static pthread_once_t tbufs_once = PTHREAD_ONCE_INIT;

static void tbufs_free(void *p)
{
    ThreadBufs *b = p;
    sl_buf_free(&b->enc);
    decode_bufs_free(&b->dec);
    free(b);
}

static void tbufs_key_init(void)
{
    pthread_key_create(&tbufs_key, tbufs_free);
}

static ThreadBufs *thread_bufs(void)
{
    pthread_once(&tbufs_once, tbufs_key_init);
    ThreadBufs *b = pthread_getspecific(tbufs_key);
    if (!b) {
        b = sl_calloc(1, sizeof *b);
        pthread_setspecific(tbufs_key, b);
    }
    return b;
}

static void task_replay(ExTask *t, Replay *rp, SlArena *scratch)
{
    ExView *v = t->view;
    ExStream *s = v->src;
    SlError err;
    sl_error_clear(&err);
    int rc = 0;
    DecodeBufs bufs;
    memset(&bufs, 0, sizeof bufs);
    bufs.shared = v->cplan && v->parallelism > 1;
    ReplayCtx ctx = {.task = t->index, .scratch = scratch};
    for (int p = 0; p < s->partitions && rc == 0; p++) {
        if (rp->from[p] >= rp->to[p])
            continue;
        StLogReader *r = st_log_reader_open(s->logs[p], rp->from[p], &err);
        if (!r) {
            rc = -1;
            break;
        }
        if (rp->shared)
            st_log_reader_share(r, &rp->shared->claim[p]);
        st_log_reader_defer_checks(r);
        StLogBatch b;
        while (rc == 0 && (rc = st_log_reader_next(r, &b, &err)) == 1) {
            rc = 0;
            if (b.base_offset >= rp->to[p])
                break;
            if (__atomic_load_n(&v->replay_cancel, __ATOMIC_ACQUIRE))
                break;
            uint64_t skip = rp->from[p] > b.base_offset ? rp->from[p] - b.base_offset : 0;
            int64_t n = (int64_t)(b.nrows - skip);
            ctx.routed = 0;
            replaying = &ctx;
            rc = route_logged(v, b.data, b.len, b.nrows, (int64_t)skip, &b, &bufs, &err);
            replaying = NULL;
            /* rows read but not routed (WHERE) are done now */
            pthread_mutex_lock(&v->plock);
            v->replay_left -= n;
            view_processed_add(v, n - ctx.routed);
            pthread_mutex_unlock(&v->plock);
            task_drain(t, scratch);
            if (rc == 0 && __atomic_load_n(&t->failed, __ATOMIC_ACQUIRE))
                break;
        }
        st_log_reader_close(r);
    }
    decode_bufs_free(&bufs);
    if (rc < 0) {
        /* the log could not be read: the task fails, and with it the job */
        SlError ce = err;
        sl_error_context(&ce, "replaying stream \"%s\" into materialized view \"%s\"", s->name, v->name);
        task_fail(t, &ce);
        sl_warn("view \"%s\" task %d failed: %s", v->name, t->index, err.message);
    }
    /* the last task done accounts for rows nobody read (a cancelled or
     * failed replay), so that waiting for the view ends */
    pthread_mutex_lock(&v->plock);
    if (--v->replay_pending == 0) {
        int64_t rest = v->replay_left;
        v->replay_left = 0;
        view_processed_add(v, rest);
        sl_info("view \"%s\": replayed %lld rows of \"%s\" from its log in %.1f ms", v->name,
                (long long)v->replay_rows, s->name, (double)(sl_now_usec() - v->replay_started_us) / 1000.0);
    }
    pthread_cond_broadcast(&v->pcond);
    pthread_mutex_unlock(&v->plock);
    free(rp->from);
    free(rp->to);
    if (rp->shared && __atomic_sub_fetch(&rp->shared->refs, 1, __ATOMIC_ACQ_REL) == 0)
        free(rp->shared);
    free(rp);
}

/* Starts the view's catch-up with the stream's log from v->off on (see
 * "replay"): afterwards v->off is the log's end, and new rows are routed
 * as they are ingested. Caller holds the ingestion lock. */
static int view_replay(ExView *v, SlError *err)
{
    ExStream *s = v->src;
    int P = v->parallelism;
    uint64_t *to = sl_malloc(sizeof(uint64_t) * (size_t)s->partitions);
    int64_t total = 0;
    for (int p = 0; p < s->partitions; p++) {
        if (v->off[p] < st_log_start_offset(s->logs[p])) {
            /* a view restored from a checkpoint must find every row after
             * it; a new one starts from the oldest row kept */
            if (v->ckpt_complete_id > 0) {
                free(to);
                return sl_error(err, SL_E_OBJECT_NOT_IN_PREREQUISITE_STATE,
                                "the log of stream \"%s\" partition %d starts at offset %llu, after offset %llu of "
                                "checkpoint %lld",
                                s->name, p, (unsigned long long)st_log_start_offset(s->logs[p]),
                                (unsigned long long)v->off[p], (long long)v->ckpt_complete_id);
            }
            v->off[p] = st_log_start_offset(s->logs[p]);
        }
        to[p] = st_log_end_offset(s->logs[p]);
        if (to[p] > v->off[p])
            total += (int64_t)(to[p] - v->off[p]);
    }
    if (total == 0) {
        free(to);
        return 0;
    }
    pthread_mutex_lock(&v->plock);
    v->enqueued += total;
    v->replay_left += total;
    v->replay_pending += P;
    v->replay_rows = total;
    v->replay_started_us = sl_now_usec();
    pthread_mutex_unlock(&v->plock);
    __atomic_store_n(&v->replay_cancel, false, __ATOMIC_RELEASE);
    ReplayShared *shared = NULL;
    if (P > 1) {
        shared = sl_calloc(1, sizeof *shared + sizeof(uint64_t) * (size_t)s->partitions);
        shared->refs = P;
    }
    for (int t = 0; t < P; t++) {
        Replay *rp = sl_calloc(1, sizeof *rp);
        rp->from = sl_malloc(sizeof(uint64_t) * (size_t)s->partitions);
        rp->to = sl_malloc(sizeof(uint64_t) * (size_t)s->partitions);
        memcpy(rp->from, v->off, sizeof(uint64_t) * (size_t)s->partitions);
        memcpy(rp->to, to, sizeof(uint64_t) * (size_t)s->partitions);
        rp->shared = shared;
        Batch *b = sl_calloc(1, sizeof *b);
        b->replay = rp;
        task_push(&v->tasks[t], b);
    }
    memcpy(v->off, to, sizeof(uint64_t) * (size_t)s->partitions);
    free(to);
    return 0;
}


/* ------------------------------------------------------------------ jobs
 *
 * The checkpoint thread also watches the jobs: a failed task (a runtime
 * error, the state memory limit, a failpoint) or too many failed
 * checkpoints is a failure of the whole job. Its restart strategy answers
 * with a delay or gives up. A restart rebuilds the job from its latest
 * complete checkpoint and replays the log after it, so results stay
 * exactly-once; subscriptions to it end with 55000 (their client
 * subscribes again for a new snapshot). Nothing else is touched.
 */

static void job_set_state(ExView *v, int state)
{
    __atomic_store_n(&v->state, state, __ATOMIC_RELEASE);
    v->state_since_us = sl_now_usec();
}

/* A failure of v: ask its strategy. Caller holds the catalog lock. */
static void job_fail(ExView *v, const SlError *e, int64_t now_us)
{
    v->last_error = *e;
    v->has_error = true;
    int64_t delay = ex_restart_decide(&v->policy, v->rstate, now_us / 1000, v->running_since_us / 1000, &v->rng);
    FailRecord *r = &v->fails[v->fails_n % FAIL_HISTORY];
    memset(r, 0, sizeof *r);
    r->at_us = now_us;
    snprintf(r->sqlstate, sizeof r->sqlstate, "%s", sl_errcode_sqlstate(e->code));
    snprintf(r->message, sizeof r->message, "%.199s", e->message);
    r->delay_ms = delay;
    r->attempt = v->rstate->attempts;
    v->fails_n++;
    if (delay < 0) {
        job_set_state(v, JOB_FAILED);
        v->settle = true;
        sl_warn("view \"%s\" failed (%s: %s); its restart strategy gave up", v->name, r->sqlstate, e->message);
    } else {
        job_set_state(v, JOB_RESTARTING);
        v->restart_at_us = now_us + delay * 1000;
        sl_warn("view \"%s\" failed (%s: %s); restarting in %lld ms", v->name, r->sqlstate, e->message,
                (long long)delay);
    }
}

/* Checks a running job; true when v is due for a restart (or, FAILED,
 * for bringing back its last checkpoint). Caller holds the catalog lock. */
static bool job_check(ExView *v, int64_t now_us)
{
    if (v->state == JOB_RUNNING) {
        SlError e;
        bool failed = false;
        for (int t = 0; t < v->parallelism && !failed; t++) {
            ExTask *task = &v->tasks[t];
            pthread_mutex_lock(&task->lock);
            if (task->failed) {
                e = task->error;
                failed = true;
            }
            pthread_mutex_unlock(&task->lock);
        }
        if (!failed && v->job_failed) {
            e = v->job_error;
            failed = true;
        }
        if (failed)
            job_fail(v, &e, now_us);
    }
    if (v->state == JOB_RESTARTING)
        return now_us >= v->restart_at_us;
    return v->state == JOB_FAILED && v->settle;
}

/* Ends every subscription of v (caller holds loglock). */
static void subs_end(ExView *v, bool restarted)
{
    for (ExSubscription *sub = v->subs; sub; sub = sub->next) {
        sub->view = NULL;
        sub->restarted = restarted;
        sub->notify(sub->arg);
    }
    v->subs = NULL;
    v->nsubs = 0;
}

/* Empties every task: the state, the failure, the counters of changes. */
static void tasks_reset(ExView *v)
{
    for (int t = 0; t < v->parallelism; t++) {
        ExTask *task = &v->tasks[t];
        pthread_mutex_lock(&task->lock);
        free(task->slots);
        task->slots = NULL;
        task->nslots = task->ngroups = 0;
        rows_free(task);
        task->rows_in = task->rows_out = 0;
        task->ntouched = 0;
        task->ckpt_rows = 0;
        if (task->dirty) {
            memset(task->dirty, 0, (size_t)v->max_parallelism);
            memset(task->ndeltas, 0, sizeof(int) * (size_t)v->max_parallelism);
        }
        sl_arena_free(task->arena);
        task->arena = sl_arena_new(64 * 1024);
        sl_arena_grow(task->arena, (size_t)4 << 20);
        task->failed = false;
        sl_error_clear(&task->error);
        pthread_mutex_unlock(&task->lock);
    }
}

static void view_quiesce(ExView *v);

/* Rebuilds v from its latest complete checkpoint; with replay, then
 * replays the log after it and runs again. Caller holds the catalog's
 * write lock. */
static int job_rebuild(ExCatalog *c, ExView *v, bool replay, SlError *err)
{
    pthread_mutex_lock(&c->ingest);
    view_quiesce(v);
    if (v->inflight) {
        CkptRecord r = {.id = v->inflight->id, .started_us = v->inflight->started_us,
                        .duration_us = sl_now_usec() - v->inflight->started_us};
        snprintf(r.error, sizeof r.error, "the view failed before the checkpoint completed");
        hist_add(v, &r);
        ckpt_free(v->inflight);
        v->inflight = NULL;
    }
    pthread_mutex_lock(&v->loglock);
    subs_end(v, true);
    log_clear(v);
    v->tracking = false;
    pthread_mutex_unlock(&v->loglock);
    tasks_reset(v);
    memset(v->off, 0, sizeof(uint64_t) * (size_t)v->src->partitions);
    int rc = view_restore(c, v, false, err);
    if (rc == 0 && replay) {
        if (sl_failpoint_hit("stream.source.read", err) < 0)
            rc = -1;
        else if (v->src->logs)
            rc = view_replay(v, err);
        else if (v->src->nrows)
            view_route(v, v->src->rows, v->src->nrows, err);
    }
    if (rc == 0 && replay) {
        /* running again before the ingestion lock is released: the next
         * ingestion routes to it */
        v->restarts++;
        v->job_failed = false;
        v->ckpt_failures = 0;
        v->settle = false;
        v->running_since_us = sl_now_usec();
        job_set_state(v, JOB_RUNNING);
        if (v->fails_n > 0)
            v->fails[(v->fails_n - 1) % FAIL_HISTORY].restarted_us = v->running_since_us;
    }
    if (rc < 0) {
        /* half rebuilt: reads must get the error, not a partial state */
        view_quiesce(v);
        for (int t = 0; t < v->parallelism; t++) {
            ExTask *task = &v->tasks[t];
            pthread_mutex_lock(&task->lock);
            task->failed = true;
            task->error = *err;
            pthread_mutex_unlock(&task->lock);
        }
    }
    pthread_mutex_unlock(&c->ingest);
    return rc;
}

/* Restarts (or settles) the jobs that are due. Takes the catalog's write
 * lock. */
static void jobs_restart_due(ExCatalog *c)
{
    pthread_rwlock_wrlock(&c->lock);
    int64_t now = sl_now_usec();
    for (int i = 0; i < c->nviews; i++) {
        ExView *v = c->views[i];
        SlError err;
        sl_error_clear(&err);
        if (v->state == JOB_FAILED && v->settle) {
            v->settle = false;
            /* readable as of its last checkpoint (without one: as it was) */
            if (v->ckpt_complete_id > 0 && job_rebuild(c, v, false, &err) < 0)
                sl_warn("view \"%s\": could not bring back its last checkpoint: %s", v->name, err.message);
            continue;
        }
        if (v->state != JOB_RESTARTING || now < v->restart_at_us)
            continue;
        int64_t t0 = sl_now_usec();
        if (job_rebuild(c, v, true, &err) < 0) {
            job_fail(v, &err, sl_now_usec());
            continue;
        }
        sl_info("view \"%s\" restarted (restart %lld) from checkpoint %lld in %.1f ms", v->name,
                (long long)v->restarts, (long long)v->ckpt_complete_id, (double)(sl_now_usec() - t0) / 1000.0);
    }
    pthread_rwlock_unlock(&c->lock);
}

/* ALTER MATERIALIZED VIEW v RESUME: a FAILED (or restarting) job runs
 * again now, from its last checkpoint, with its strategy's memory of
 * failures cleared. */
static int job_resume(ExCatalog *c, ExView *v, SlError *err)
{
    if (v->state == JOB_RUNNING)
        return 0;
    ex_restart_state_reset(v->rstate);
    if (job_rebuild(c, v, true, err) < 0) {
        job_fail(v, err, sl_now_usec());
        return -1;
    }
    sl_info("view \"%s\" resumed from checkpoint %lld", v->name, (long long)v->ckpt_complete_id);
    return 0;
}

/* --------------------------------------------------------------- catalog */

ExCatalog *ex_catalog_new(const ExCatalogConfig *cfg, SlError *err)
{
    ExCatalog *c = sl_calloc(1, sizeof *c);
    if (cfg)
        c->cfg = *cfg;
    if (c->cfg.log_dir && *c->cfg.log_dir) {
        c->log_dir = sl_xstrdup(c->cfg.log_dir);
    }
    (void)err;
    if (c->cfg.store_conninfo)
        c->conninfo = sl_xstrdup(c->cfg.store_conninfo);
    if (c->cfg.checkpoints_retained <= 0)
        c->cfg.checkpoints_retained = 3;
    pthread_rwlock_init(&c->lock, NULL);
    pthread_mutex_init(&c->ingest, NULL);
    pthread_mutex_init(&c->ck_lock, NULL);
    pthread_cond_init(&c->ck_cond, NULL);
    pthread_mutex_init(&c->aux_lock, NULL);
    int workers = c->cfg.workers;
    if (workers <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        workers = n > 0 ? (int)n : 2;
    }
    c->default_parallelism = c->cfg.default_parallelism > 0 ? c->cfg.default_parallelism : workers;
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
        view_wait_processed(v, v->enqueued);
    pthread_mutex_unlock(&v->plock);
}

/* Waits until no batch is queued and no worker is inside v's tasks. */
static void view_quiesce(ExView *v)
{
    /* a replay still reading stops (the view is dropped or rebuilt) */
    __atomic_store_n(&v->replay_cancel, true, __ATOMIC_RELEASE);
    view_wait_idle(v);
    /* a worker may still be leaving task_run after its last batch (or a
     * barrier): wait until no task is scheduled */
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
}

static void view_free(ExView *v)
{
    view_quiesce(v);
    pthread_mutex_lock(&v->loglock);
    subs_end(v, false);
    log_clear(v);
    pthread_mutex_unlock(&v->loglock);
    pthread_mutex_destroy(&v->loglock);
    ckpt_free(v->inflight);
    v->inflight = NULL;
    for (int i = 0; i < v->nret; i++)
        free(v->ret_offs[i]);
    free(v->ret_offs);
    free(v->off);
    free(v->ckpt_complete_offs);
    free(v->rstate);
    for (int t = 0; t < v->parallelism; t++) {
        ExTask *task = &v->tasks[t];
        free(task->dirty);
        for (int kg = 0; task->deltas && kg < v->max_parallelism; kg++)
            free(task->deltas[kg]);
        free(task->deltas);
        free(task->ndeltas);
        free(task->argv);
        free(task->slots);
        rows_free(task);
        free(task->touched);
        free(task->dec_rows);
        sl_arena_free(task->arena);
        pthread_mutex_destroy(&task->lock);
        pthread_mutex_destroy(&task->qlock);
    }
    free(v->tasks);
    /* quiesced: every ColShare is spare again */
    while (v->share_free) {
        ColShare *sh = v->share_free;
        v->share_free = sh->next;
        share_destroy(sh);
    }
    pthread_mutex_destroy(&v->share_lock);
    pthread_mutex_destroy(&v->plock);
    pthread_cond_destroy(&v->pcond);
    sl_arena_free(v->arena);
    free(v);
}

static void stream_free(ExStream *s)
{
    for (int p = 0; s->logs && p < s->partitions; p++)
        st_log_close(s->logs[p]);
    free(s->logs);
    free(s->ends);
    free(s->rows);
    free(s->views);
    sl_arena_free(s->arena);
    free(s);
}

void ex_catalog_free(ExCatalog *c)
{
    if (!c)
        return;
    ckpt_stop_thread(c);
    ckpt_final(c);
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
    pthread_mutex_destroy(&c->ck_lock);
    pthread_cond_destroy(&c->ck_cond);
    pthread_mutex_destroy(&c->aux_lock);
    st_store_close(c->ck_store);
    st_store_close(c->aux_store);
    free(c->log_dir);
    free(c->conninfo);
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

static int string_option(const PsOption *o, const char **out, SlError *err)
{
    const PsExpr *v = o->value;
    if (!v || v->kind != PS_E_CONST || v->value.isnull || v->value.type != SL_T_TEXT)
        return sl_error_at(err, SL_E_INVALID_PARAMETER_VALUE, o->location + 1, "option \"%s\" needs a string",
                           o->name);
    *out = v->value.u.s.p;
    return 0;
}

/* A duration: an interval string ('1 s', '500ms', '2 minutes') or an
 * integer of milliseconds. */
static int duration_option(const PsOption *o, SlArena *a, int64_t *ms, SlError *err)
{
    const PsExpr *v = o->value;
    if (v && v->kind == PS_E_CONST && !v->value.isnull && v->value.type == SL_T_INT4 && v->value.u.i4 >= 0) {
        *ms = v->value.u.i4;
        return 0;
    }
    const char *text = NULL;
    if (string_option(o, &text, err) < 0)
        return -1;
    char *z = sl_strndup(a, text, v->value.u.s.len);
    SlError e2;
    if (sl_parse_duration_ms(z, ms, &e2) < 0 || *ms < 0)
        return sl_error_at(err, SL_E_INVALID_PARAMETER_VALUE, o->location + 1,
                           "invalid value for option \"%s\": \"%s\"", o->name, z);
    return 0;
}

int ex_create_stream(ExCatalog *c, const PsStmt *st, SlBuf *canonical, char tag[64], bool restore, SlError *err)
{
    int partitions = 1;
    bool retain_all = false;
    StDurability durability = (StDurability)c->cfg.durability;
    for (int i = 0; i < PS_LIST_LEN(st->options); i++) {
        const PsOption *o = st->options->items[i];
        if (!strcmp(o->name, "partitions")) {
            if (int_option(o, 1, 1024, &partitions, err) < 0)
                return -1;
        } else if (!strcmp(o->name, "durability")) {
            const char *d = NULL;
            char name[16];
            if (string_option(o, &d, err) < 0)
                return -1;
            snprintf(name, sizeof name, "%.*s", (int)o->value->value.u.s.len, d);
            if (st_durability_parse(name, &durability) < 0)
                return sl_error_at(err, SL_E_INVALID_PARAMETER_VALUE, o->location + 1,
                                   "invalid value for option \"durability\": \"%s\"", name);
        } else if (!strcmp(o->name, "retention")) {
            const char *d = NULL;
            if (string_option(o, &d, err) < 0)
                return -1;
            size_t n = o->value->value.u.s.len;
            if (n == 3 && !strncasecmp(d, "all", 3))
                retain_all = true;
            else if (n == 12 && !strncasecmp(d, "checkpointed", 12))
                retain_all = false;
            else
                return sl_error_at(err, SL_E_INVALID_PARAMETER_VALUE, o->location + 1,
                                   "invalid value for option \"retention\": \"%.*s\" (all or checkpointed)",
                                   (int)n, d);
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
    s->gen = new_gen();
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
    s->durability = durability;
    s->retain_all = retain_all;
    s->ends = sl_calloc((size_t)partitions, sizeof(uint64_t));
    if (c->log_dir) {
        /* a new stream starts with an empty log (a dropped stream of the
         * same name may have left one); a restored one reopens its own,
         * cutting a torn tail */
        StLogOptions lo = {.durability = durability,
                           .segment_bytes = (uint64_t)c->cfg.log_segment_bytes,
                           .recycle_bytes = (uint64_t)c->cfg.log_recycle_bytes};
        if (!restore && st_log_drop_stream(c->log_dir, s->name, &lo, err) < 0) {
            pthread_rwlock_unlock(&c->lock);
            stream_free(s);
            return -1;
        }
        s->logs = sl_calloc((size_t)partitions, sizeof(StLog *));
        for (int p = 0; p < partitions; p++) {
            s->logs[p] = st_log_open_partition(c->log_dir, s->name, p, &lo, err);
            if (!s->logs[p]) {
                pthread_rwlock_unlock(&c->lock);
                stream_free(s);
                return -1;
            }
            s->ends[p] = st_log_end_offset(s->logs[p]);
        }
    }
    c->streams = sl_realloc(c->streams, sizeof(ExStream *) * (size_t)(c->nstreams + 1));
    c->streams[c->nstreams++] = s;
    if (canonical) {
        sl_buf_printf(canonical, "CREATE STREAM \"%s\" (", s->name);
        for (int i = 0; i < s->ncols; i++)
            sl_buf_printf(canonical, "%s\"%s\" %s", i ? ", " : "", s->cols[i].name, sl_type_name(s->cols[i].type));
        sl_buf_printf(canonical, ") WITH (partitions = %d, durability = '%s', retention = '%s')", s->partitions,
                      st_durability_name(s->durability), s->retain_all ? "all" : "checkpointed");
    }
    pthread_rwlock_unlock(&c->lock);
    snprintf(tag, 64, "CREATE STREAM");
    return 0;
}

/* Whether e calls a function whose value changes between calls (the
 * router and the task evaluate a group key each: it must agree). */
static bool volatile_expr(const PlExpr *e)
{
    if (!e)
        return false;
    if (e->kind == PL_FUNC && (e->func == PL_F_NOW || e->func == PL_F_CLOCK_TIMESTAMP ||
                               e->func == PL_F_LOCALTIMESTAMP || e->func == PL_F_RANDOM || e->func == PL_F_FAILPOINT))
        return true;
    for (int i = 0; i < 3; i++)
        if (volatile_expr(e->args[i]))
            return true;
    for (int i = 0; i < e->nlist; i++)
        if (volatile_expr(e->list[i]))
            return true;
    return volatile_expr(e->else_expr);
}

static void mark_columns(const PlExpr *e, bool *mark, int ncols)
{
    if (!e)
        return;
    if (e->kind == PL_COLUMN && e->index >= 0 && e->index < ncols)
        mark[e->index] = true;
    for (int i = 0; i < 3; i++)
        mark_columns(e->args[i], mark, ncols);
    for (int i = 0; i < e->nlist; i++)
        mark_columns(e->list[i], mark, ncols);
    mark_columns(e->else_expr, mark, ncols);
}

/* A view's WITH options: CREATE takes them all, ALTER ... SET those that
 * can change while it runs. */
typedef struct ViewOpts {
    int parallelism, maxp;
    int64_t interval_ms;
    int retained, max_failures;
    bool skip_errors;
    int64_t mem_limit;
    ExRestartPolicy policy;
} ViewOpts;

static void view_opts_default(ExCatalog *c, ViewOpts *vo)
{
    memset(vo, 0, sizeof *vo);
    vo->parallelism = c->default_parallelism;
    vo->maxp = 128;
    vo->interval_ms = c->cfg.checkpoint_interval_ms;
    vo->retained = c->cfg.checkpoints_retained;
    vo->max_failures = c->cfg.checkpoint_max_failures;
    ex_restart_policy_default(&vo->policy);
}

static void view_opts_of(const ExView *v, ViewOpts *vo)
{
    memset(vo, 0, sizeof *vo);
    vo->parallelism = v->parallelism;
    vo->maxp = v->max_parallelism;
    vo->interval_ms = v->ckpt_interval_cfg;
    vo->retained = v->ckpt_retained;
    vo->max_failures = v->ckpt_max_failures;
    vo->skip_errors = v->skip_errors;
    vo->mem_limit = v->state_memory_limit;
    vo->policy = v->policy;
}

static void view_opts_apply(ExCatalog *c, ExView *v, const ViewOpts *vo)
{
    v->ckpt_interval_cfg = vo->interval_ms;
    v->ckpt_interval_ms = c->conninfo ? vo->interval_ms : 0;
    v->ckpt_retained = vo->retained;
    v->ckpt_max_failures = vo->max_failures;
    v->skip_errors = vo->skip_errors;
    v->state_memory_limit = vo->mem_limit;
    v->policy = vo->policy;
}

/* An option's value as text: strings as they are, numbers printed. */
static const char *option_text(const PsOption *o, SlArena *a)
{
    const PsExpr *v = o->value;
    if (!v || v->kind != PS_E_CONST || v->value.isnull)
        return NULL;
    if (v->value.type == SL_T_TEXT)
        return sl_strndup(a, v->value.u.s.p, v->value.u.s.len);
    SlBuf b;
    sl_buf_init(&b);
    sl_value_out(&v->value, &b);
    char *t = sl_strndup(a, b.data ? b.data : "", b.len);
    sl_buf_free(&b);
    return t;
}

/* '100MB', '1 GB', '512kB' or a number of bytes. */
static int size_option(const PsOption *o, SlArena *a, int64_t *bytes, SlError *err)
{
    const char *t = option_text(o, a);
    char *end = NULL;
    double n = t ? strtod(t, &end) : -1;
    if (!t || end == t || n < 0)
        goto bad;
    while (*end == ' ')
        end++;
    double mult = 1;
    if (!strcasecmp(end, "kb") || !strcasecmp(end, "k"))
        mult = 1024;
    else if (!strcasecmp(end, "mb") || !strcasecmp(end, "m"))
        mult = 1024.0 * 1024;
    else if (!strcasecmp(end, "gb") || !strcasecmp(end, "g"))
        mult = 1024.0 * 1024 * 1024;
    else if (*end && strcasecmp(end, "b") && strcasecmp(end, "bytes"))
        goto bad;
    *bytes = (int64_t)(n * mult);
    return 0;
bad:
    sl_error_at(err, SL_E_INVALID_PARAMETER_VALUE, o->location + 1, "invalid value for option \"%s\": \"%s\"",
                o->name, t ? t : "NULL");
    sl_error_hint(err, "A size is a number of bytes, or a number with kB, MB or GB.");
    return -1;
}

static int view_opts_parse(ViewOpts *vo, const PsList *options, bool alter, SlError *err)
{
    SlArena *oa = sl_arena_new(0);
    int rc = 0;
    bool restart_set = false;
    for (int i = 0; i < PS_LIST_LEN(options) && rc == 0; i++) {
        const PsOption *o = options->items[i];
        if (!strcmp(o->name, "parallelism") || !strcmp(o->name, "max_parallelism")) {
            if (alter)
                rc = sl_error_at(err, SL_E_FEATURE_NOT_SUPPORTED, o->location + 1,
                                 "option \"%s\" cannot be changed after CREATE", o->name);
            else if (!strcmp(o->name, "parallelism"))
                rc = int_option(o, 1, 1024, &vo->parallelism, err);
            else
                rc = int_option(o, 1, 32768, &vo->maxp, err);
        } else if (!strcmp(o->name, "checkpoint_interval")) {
            rc = duration_option(o, oa, &vo->interval_ms, err);
        } else if (!strcmp(o->name, "checkpoints_retained")) {
            rc = int_option(o, 1, 100, &vo->retained, err);
        } else if (!strcmp(o->name, "checkpoint_max_failures")) {
            rc = int_option(o, 0, 1000000, &vo->max_failures, err);
        } else if (!strcmp(o->name, "on_error")) {
            const char *t = option_text(o, oa);
            if (t && !strcasecmp(t, "fail"))
                vo->skip_errors = false;
            else if (t && !strcasecmp(t, "skip"))
                vo->skip_errors = true;
            else
                rc = sl_error_at(err, SL_E_INVALID_PARAMETER_VALUE, o->location + 1,
                                 "invalid value for option \"on_error\": \"%s\" (fail or skip)", t ? t : "NULL");
        } else if (!strcmp(o->name, "state_memory_limit")) {
            rc = size_option(o, oa, &vo->mem_limit, err);
        } else {
            const char *t = option_text(o, oa);
            if (!strcmp(o->name, "restart_strategy") && !restart_set) {
                /* a new strategy starts from its own defaults */
                ex_restart_policy_default(&vo->policy);
            }
            int r = ex_restart_policy_set(&vo->policy, o->name, t ? t : "", err);
            if (r == 1)
                rc = sl_error_at(err, SL_E_INVALID_PARAMETER_VALUE, o->location + 1,
                                 "unrecognized materialized view option \"%s\"", o->name);
            else if (r < 0)
                rc = -1;
            else
                restart_set = true;
            if (rc < 0 && err && err->position == 0)
                err->position = o->location + 1;
        }
    }
    if (rc == 0 && restart_set)
        rc = ex_restart_policy_check(&vo->policy, err);
    sl_arena_free(oa);
    if (rc == 0 && vo->parallelism > vo->maxp)
        rc = sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "parallelism (%d) cannot exceed max_parallelism (%d)",
                      vo->parallelism, vo->maxp);
    return rc;
}

/* The CREATE statement the catalog keeps: every option spelled out. */
static void view_canonical(const ExView *v, SlBuf *out)
{
    sl_buf_printf(out,
                  "CREATE MATERIALIZED VIEW \"%s\" WITH (parallelism = %d, max_parallelism = %d, "
                  "checkpoint_interval = '%lld ms', checkpoints_retained = %d, checkpoint_max_failures = %d, "
                  "on_error = '%s', state_memory_limit = %lld, ",
                  v->name, v->parallelism, v->max_parallelism, (long long)v->ckpt_interval_cfg, v->ckpt_retained,
                  v->ckpt_max_failures, v->skip_errors ? "skip" : "fail", (long long)v->state_memory_limit);
    ex_restart_policy_describe(&v->policy, out);
    sl_buf_printf(out, ") AS %s", v->sql);
}

int ex_create_view(ExCatalog *c, const PsStmt *st, SlBuf *canonical, char tag[64], bool restore, SlError *err)
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
    ViewOpts vo;
    view_opts_default(c, &vo);
    if (view_opts_parse(&vo, st->options, false, err) < 0)
        return -1;
    int parallelism = vo.parallelism, maxp = vo.maxp;
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
    v->gen = new_gen();
    v->cat = c;
    view_opts_apply(c, v, &vo);
    v->rstate = sl_calloc(1, sizeof(ExRestartState));
    v->rng = (uint64_t)sl_now_usec() ^ (uint64_t)(uintptr_t)v;
    v->running_since_us = v->state_since_us = sl_now_usec();
    v->state = JOB_RUNNING;
    v->seeded = !restore;          /* a new view's name has no checkpoints (dropped below) */
    v->ckpt_next_id = 1;
    v->ckpt_last_us = sl_now_usec();
    v->off = sl_calloc((size_t)s->partitions, sizeof(uint64_t));
    v->ckpt_complete_offs = sl_calloc((size_t)s->partitions, sizeof(uint64_t));
    v->ret_offs = sl_calloc(101, sizeof(uint64_t *));
    v->arena = sl_arena_new(0);
    v->name = sl_strdup(v->arena, st->name);
    v->sql = sl_strdup(v->arena, st->query_text ? st->query_text : "");
    v->src = s;
    v->parallelism = parallelism;
    v->max_parallelism = maxp;
    v->kg_task = sl_alloc(v->arena, sizeof(uint16_t) * (size_t)maxp);
    for (int kg = 0; kg < maxp; kg++)
        v->kg_task[kg] = (uint16_t)ex_task_of_kg(kg, parallelism, maxp);
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
    for (int k = 0; k < v->q->ngroup; k++)
        if (volatile_expr(v->q->group[k])) {
            sl_error(err, SL_E_FEATURE_NOT_SUPPORTED,
                     "a materialized view cannot group by a volatile function (now(), random(), ...)");
            sl_error_hint(err, "Group by a column of the stream, such as its event time.");
            goto out;
        }
    for (int i = 0; i < v->q->naggs; i++) {
        const PlAgg *ag = &v->q->aggs[i];
        if ((ag->kind == PL_AGG_SUM || ag->kind == PL_AGG_AVG) && ag->arg &&
            ag->arg->type != SL_T_INT4 && ag->arg->type != SL_T_INT8 && ag->arg->type != SL_T_NUMERIC &&
            ag->arg->type != SL_T_FLOAT8) {
            sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "%s(%s) is not supported in a materialized view yet",
                     ag->kind == PL_AGG_SUM ? "sum" : "avg", sl_type_name(ag->arg->type));
            goto out;
        }
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
    /* the stream's columns the view reads: rows are routed with only those */
    {
        bool *mark = sl_alloc0(v->arena, (size_t)s->ncols + 1);
        const PlSelect *q = v->q;
        mark_columns(q->where, mark, s->ncols);
        if (q->grouped) {
            for (int k = 0; k < q->ngroup; k++)
                mark_columns(q->group[k], mark, s->ncols);
            for (int a = 0; a < q->naggs; a++)
                mark_columns(q->aggs[a].arg, mark, s->ncols);
        } else {
            for (int k = 0; k < q->ntargets; k++)
                mark_columns(q->targets[k], mark, s->ncols);
        }
        v->want = mark;
        v->used = sl_alloc(v->arena, sizeof(int) * (size_t)(s->ncols + 1));
        for (int i = 0; i < s->ncols; i++)
            if (mark[i])
                v->used[v->nused++] = i;
        v->cplan = col_plan(v, s, c->cfg.no_columnar);
    }
    if (v->q->ngroup + v->q->naggs > 62) {
        sl_error(err, SL_E_PROGRAM_LIMIT_EXCEEDED, "a materialized view has at most 62 GROUP BY keys and aggregates together");
        goto out;
    }
    if (!v->q->grouped && v->q->ntargets > 64) {
        sl_error(err, SL_E_PROGRAM_LIMIT_EXCEEDED, "a materialized view without aggregates has at most 64 columns");
        goto out;
    }
    layout_init(&v->layout, v->q, v->arena);
    row_layout_init(&v->rlayout, v->q, v->src, v->arena);
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
    pthread_mutex_init(&v->share_lock, NULL);
    pthread_cond_init(&v->pcond, NULL);
    v->pwake = INT64_MAX;
    pthread_mutex_init(&v->loglock, NULL);
    v->tasks = sl_calloc((size_t)parallelism, sizeof(ExTask));
    for (int t = 0; t < parallelism; t++) {
        ExTask *task = &v->tasks[t];
        task->view = v;
        task->index = t;
        task->arena = sl_arena_new(64 * 1024);
        sl_arena_grow(task->arena, (size_t)4 << 20);
        pthread_mutex_init(&task->lock, NULL);
        pthread_mutex_init(&task->qlock, NULL);
        if (v->q->grouped) {
            task->dirty = sl_calloc((size_t)maxp, 1);
            task->deltas = sl_calloc((size_t)maxp, sizeof(int32_t *));
            task->ndeltas = sl_calloc((size_t)maxp * 2, sizeof(int));
            task->capdeltas = task->ndeltas + maxp;
        }
    }
    if (s->logs) {
        /* a restored view continues from its latest checkpoint; a new one
         * (or one without a checkpoint) starts from the stream's oldest
         * retained row. A new view's name may have left checkpoints. */
        bool restored = true;
        if (restore) {
            SlError rerr;
            sl_error_clear(&rerr);
            if (view_restore(c, v, true, &rerr) < 0) {
                /* keep the view: it fails, and its restart strategy tries
                 * the restore again; nothing is routed to it meanwhile */
                sl_error_context(&rerr, "restoring materialized view \"%s\"", v->name);
                sl_warn("%s", rerr.message);
                for (int t = 0; t < parallelism; t++) {
                    v->tasks[t].failed = true;
                    v->tasks[t].error = rerr;
                }
                job_fail(v, &rerr, sl_now_usec());
                restored = false;
            }
        } else if (c->conninfo) {
            pthread_mutex_lock(&c->aux_lock);
            if (!c->aux_store)
                c->aux_store = st_store_open(c->conninfo, err);
            int drc = c->aux_store ? st_ckpt_drop_job(c->aux_store, v->name, err) : -1;
            pthread_mutex_unlock(&c->aux_lock);
            if (drc < 0)
                goto out;
        }
        if (restored && view_replay(v, err) < 0) {
            sl_error_context(err, "replaying stream \"%s\" into materialized view \"%s\"", s->name, v->name);
            goto out;
        }
    } else if (s->nrows) {
        /* start from the stream's beginning */
        view_route(v, s->rows, s->nrows, err);
    }
    s->views = sl_realloc(s->views, sizeof(ExView *) * (size_t)(s->nviews + 1));
    s->views[s->nviews++] = v;
    c->views = sl_realloc(c->views, sizeof(ExView *) * (size_t)(c->nviews + 1));
    c->views[c->nviews++] = v;
    if (canonical)
        view_canonical(v, canonical);
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
            free(v->off);
            free(v->ckpt_complete_offs);
            free(v->ret_offs);
            free(v->rstate);
            sl_arena_free(v->arena);
            free(v);
        }
    }
    return rc;
}

/* ALTER MATERIALIZED VIEW name SET (options) | RESUME. canonical gets the
 * definition to persist. */
int ex_alter_view(ExCatalog *c, const PsStmt *st, int (*persist)(void *ctx, const char *name, const char *sql, SlError *err),
                  void *ctx, char tag[64], SlError *err)
{
    snprintf(tag, 64, "ALTER MATERIALIZED VIEW");
    pthread_rwlock_wrlock(&c->lock);
    ExView *v = find_view(c, st->name);
    int rc = 0;
    if (!v) {
        rc = sl_error(err, find_stream(c, st->name) ? SL_E_WRONG_OBJECT_TYPE : SL_E_UNDEFINED_TABLE,
                      "materialized view \"%s\" does not exist", st->name);
    } else if (st->resume) {
        rc = job_resume(c, v, err);
    } else {
        ViewOpts vo, old;
        view_opts_of(v, &vo);
        old = vo;
        rc = view_opts_parse(&vo, st->options, true, err);
        if (rc == 0) {
            /* recorded in the catalog first; without that it does not
             * take effect */
            view_opts_apply(c, v, &vo);
            SlBuf canon;
            sl_buf_init(&canon);
            view_canonical(v, &canon);
            if (persist && persist(ctx, v->name, canon.data, err) < 0) {
                view_opts_apply(c, v, &old);
                rc = -1;
            }
            sl_buf_free(&canon);
        }
    }
    pthread_rwlock_unlock(&c->lock);
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
    ExCatalog *cat = v->cat;
    char *name = sl_xstrdup(v->name);
    view_free(v);
    if (cat->conninfo) {
        SlError err;
        pthread_mutex_lock(&cat->aux_lock);
        if (!cat->aux_store)
            cat->aux_store = st_store_open(cat->conninfo, &err);
        if (!cat->aux_store || st_ckpt_drop_job(cat->aux_store, name, &err) < 0)
            sl_warn("could not delete the checkpoints of \"%s\": %s", name, err.message);
        pthread_mutex_unlock(&cat->aux_lock);
    }
    free(name);
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
            char *name = sl_xstrdup(s->name);
            bool logged = s->logs != NULL;
            stream_free(s);
            SlError e2;
            StLogOptions lo = {.recycle_bytes = (uint64_t)c->cfg.log_recycle_bytes};
            if (logged && st_log_drop_stream(c->log_dir, name, &lo, &e2) < 0)
                sl_warn("could not delete the log of stream \"%s\": %s", name, e2.message);
            free(name);
        }
        snprintf(tag, 64, "DROP STREAM");
    }
    pthread_rwlock_unlock(&c->lock);
    return rc;
}

/* -------------------------------------------------------------- ingestion */

static int plan_changed(SlError *err)
{
    return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "cached plan must not change result type");
}

int ex_stream_columns(ExCatalog *c, const char *name, SlArena *a, const PlColumn **cols, int *ncols, uint64_t *gen,
                      SlError *err)
{
    pthread_rwlock_rdlock(&c->lock);
    ExStream *s = find_stream(c, name);
    bool view = !s && find_view(c, name);
    if (s) {
        PlColumn *cp = sl_alloc0(a, sizeof(PlColumn) * (size_t)(s->ncols + 1));
        for (int i = 0; i < s->ncols; i++) {
            cp[i].name = sl_strdup(a, s->cols[i].name);
            cp[i].type = s->cols[i].type;
        }
        *cols = cp;
        *ncols = s->ncols;
        if (gen)
            *gen = s->gen;
    }
    pthread_rwlock_unlock(&c->lock);
    if (!s) {
        if (view)
            return sl_error(err, SL_E_WRONG_OBJECT_TYPE, "cannot insert into materialized view \"%s\"", name);
        return sl_error(err, SL_E_UNDEFINED_TABLE, "stream \"%s\" does not exist", name);
    }
    return 0;
}

#define LOG_BATCH_BYTES (255u << 20)  /* an ingestion is one log batch: at most this size */

/* The rows of one ingestion encoded for the log: one log batch, so a crash
 * keeps all of an ingestion or none of it. Encoded before the ingestion
 * lock is taken, so connections encode in parallel, into the thread's
 * buffer (ThreadBufs). Also where a stream without a log decodes COPY's
 * encoded rows back. */
static SlBuf *thread_buf(void)
{
    SlBuf *b = &thread_bufs()->enc;
    sl_buf_reset(b);
    return b;
}

static SlBuf *encode_rows(const ExStream *s, const SlValue *rows, int64_t nrows)
{
    SlBuf *b = thread_buf();
    ex_rows_encode(b, rows, nrows, s->ncols);
    return b;
}

/* Encoded rows as SlValues (text points into enc), in the thread's buffer. */
static const SlValue *decode_rows(const ExStream *s, const void *enc, size_t len, int64_t nrows, SlError *err)
{
    SlBuf *b = thread_buf();
    sl_buf_reserve(b, sizeof(SlValue) * (size_t)(nrows * s->ncols));
    SlValue *rows = (SlValue *)(void *)b->data; /* malloc's alignment */
    if (ex_rows_decode(enc, len, s->ncols, NULL, false, rows, nrows, err) < 0)
        return NULL;
    return rows;
}

/* After an ingestion: very large buffers are not kept. */
static void encoded_done(void)
{
    ThreadBufs *b = thread_bufs();
    if (b->enc.cap > ((size_t)64 << 20))
        sl_buf_free(&b->enc);
    bool big = b->dec.cap > (1 << 20);
    for (int c = 0; c < COL_MAX; c++)
        big |= b->dec.ccap[c] > (1 << 20);
    if (big)
        decode_bufs_free(&b->dec);
}

/* Appends the encoded rows to the stream's next partition and routes them
 * (the same bytes) to the running views. Caller holds the ingestion lock. */
static int ingest_logged(ExStream *s, const void *enc, size_t len, uint32_t crc, int64_t nrows, int *part,
                         uint64_t *ticket, SlError *err)
{
    int p = (int)(s->next_part++ % (uint64_t)s->partitions);
    *part = p;
    uint64_t first;
    if (sl_failpoint_hit("storage.log.append", err) < 0 ||
        st_log_append_crc(s->logs[p], enc, len, crc, (uint32_t)nrows, &first, ticket, err) < 0)
        return -1;
    s->ends[p] = first + (uint64_t)nrows;
    for (int k = 0; k < s->nviews; k++) {
        ExView *v = s->views[k];
        /* a view that is restarting or FAILED gets these rows when it is
         * rebuilt (its checkpoint, then the log after it) */
        if (__atomic_load_n(&v->state, __ATOMIC_ACQUIRE) != JOB_RUNNING)
            continue;
        /* the log's bytes, as a replay would read them: each kind of view
         * takes them its own way (route_logged) */
        SlError rerr;
        if (route_logged(v, enc, len, nrows, 0, NULL, &thread_bufs()->dec, &rerr) < 0) {
            /* the rows are in the log: the view fails, and its restart
             * replays them from its checkpoint (none is lost) */
            task_fail(&v->tasks[0], &rerr);
            sl_warn("view \"%s\": could not route an ingestion: %s", v->name, rerr.message);
        }
        v->off[p] = s->ends[p];
    }
    return 0;
}

/* ex_ingest and ex_ingest_encoded: the rows come as SlValues (rows) or
 * already encoded for the log (enc, len, and their CRC32C crc). */
static int ingest(ExCatalog *c, const char *name, uint64_t gen, const SlValue *rows, const void *enc, size_t len,
                  uint32_t crc, int64_t nrows, SlError *err)
{
    pthread_rwlock_rdlock(&c->lock);
    ExStream *s = find_stream(c, name);
    if (!s) {
        pthread_rwlock_unlock(&c->lock);
        return sl_error(err, SL_E_UNDEFINED_TABLE, "stream \"%s\" does not exist", name);
    }
    if (gen && s->gen != gen) {
        pthread_rwlock_unlock(&c->lock);
        return plan_changed(err);
    }
    if (nrows == 0) {
        pthread_rwlock_unlock(&c->lock);
        return 0;
    }
    if (s->logs) {
        int part;
        uint64_t ticket = 0;
        if (!enc) {
            SlBuf *e = encode_rows(s, rows, nrows);
            enc = e->data;
            len = e->len;
            crc = st_crc32c(0, enc, len); /* outside the ingestion lock */
        }
        if (len > LOG_BATCH_BYTES || nrows > UINT32_MAX) {
            /* all or nothing: one log batch, so one ingestion can not be
             * half in the log after a failure */
            encoded_done();
            pthread_rwlock_unlock(&c->lock);
            sl_error(err, SL_E_PROGRAM_LIMIT_EXCEEDED, "one ingestion into stream \"%s\" may hold at most %u MB", name,
                     LOG_BATCH_BYTES >> 20);
            sl_error_hint(err, "Split the COPY into several.");
            return -1;
        }
        pthread_mutex_lock(&c->ingest);
        int rc = ingest_logged(s, enc, len, crc, nrows, &part, &ticket, err);
        pthread_mutex_unlock(&c->ingest);
        encoded_done();
        /* acknowledged once durable by the stream's durability */
        if (rc == 0)
            rc = st_log_wait(s->logs[part], ticket, err);
        pthread_rwlock_unlock(&c->lock);
        return rc;
    }
    if (!rows && !(rows = decode_rows(s, enc, len, nrows, err))) {
        encoded_done();
        pthread_rwlock_unlock(&c->lock);
        return -1;
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
    if (enc)
        encoded_done();
    pthread_rwlock_unlock(&c->lock);
    return 0;
}

int ex_ingest(ExCatalog *c, const char *name, uint64_t gen, const SlValue *rows, int64_t nrows, SlError *err)
{
    return ingest(c, name, gen, rows, NULL, 0, 0, nrows, err);
}

int ex_ingest_encoded(ExCatalog *c, const char *name, uint64_t gen, const void *enc, size_t len, uint32_t crc,
                      int64_t nrows, SlError *err)
{
    return ingest(c, name, gen, NULL, enc, len, crc, nrows, err);
}

/* --------------------------------------------------------------- reading */

int ex_view_columns(ExCatalog *c, const char *name, SlArena *a, const ExColumn **cols, int *ncols, uint64_t *gen)
{
    pthread_rwlock_rdlock(&c->lock);
    ExView *v = find_view(c, name);
    if (v) {
        ExColumn *cp = sl_alloc0(a, sizeof(ExColumn) * (size_t)(v->ncols + 1));
        for (int i = 0; i < v->ncols; i++) {
            cp[i].name = sl_strdup(a, v->cols[i].name);
            cp[i].type = v->cols[i].type;
        }
        *cols = cp;
        *ncols = v->ncols;
        if (gen)
            *gen = v->gen;
    }
    pthread_rwlock_unlock(&c->lock);
    return v ? 0 : -1;
}

/* Calls fn for every row of the view's current contents, a consistent
 * snapshot taken once every row ingested before the call was applied. */
int ex_view_snapshot(ExCatalog *c, const char *name, uint64_t gen, SlArena *arena,
                     int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx, SlError *err)
{
    pthread_rwlock_rdlock(&c->lock);
    ExView *v = find_view(c, name);
    if (!v) {
        pthread_rwlock_unlock(&c->lock);
        return sl_error(err, SL_E_UNDEFINED_TABLE, "materialized view \"%s\" does not exist", name);
    }
    if (gen && v->gen != gen) {
        pthread_rwlock_unlock(&c->lock);
        return plan_changed(err);
    }
    pthread_mutex_lock(&v->plock);
    view_wait_processed(v, v->enqueued);
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
                bool pass = true;
                rc = group_output(v, g, arena, out, &pass, err);
                if (rc == 0 && pass)
                    rc = fn(ctx, out, q->ntargets, err);
                if (q->ngroup == 0)
                    global_done = true;
            }
        } else {
            SlValue row[64];
            RowPos at = {0, 0};
            for (int64_t i = 0; i < task->nrows && rc == 0; i++) {
                row_next(task, &v->rlayout, &at, row);
                rc = fn(ctx, row, q->ntargets, err);
            }
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
    return rc < 0 ? -1 : 0; /* fn returning 1 stopped it early */
}

bool ex_view_columnar(ExCatalog *c, const char *name)
{
    pthread_rwlock_rdlock(&c->lock);
    ExView *v = find_view(c, name);
    bool yes = v && v->cplan;
    pthread_rwlock_unlock(&c->lock);
    return yes;
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
            int64_t rows = s->nrows, bytes = s->bytes;
            int segments = 0;
            SlValue logb = sl_val_null(SL_T_INT8), logs = sl_val_null(SL_T_INT4);
            if (s->logs) {
                rows = 0;
                bytes = 0;
                for (int p = 0; p < s->partitions; p++) {
                    rows += (int64_t)(st_log_end_offset(s->logs[p]) - st_log_start_offset(s->logs[p]));
                    bytes += (int64_t)st_log_size_bytes(s->logs[p]);
                    segments += st_log_segment_count(s->logs[p]);
                }
                logb = sl_val_int8(bytes);
                logs = sl_val_int4(segments);
            }
            const char *dur = s->logs ? st_durability_name(s->durability) : "memory";
            SlValue row[8] = {sl_val_text(s->name, strlen(s->name)),
                              sl_val_text(sl_strndup(a, b.data ? b.data : "", b.len), b.len),
                              sl_val_int4(s->partitions), sl_val_int8(rows), sl_val_int8(bytes), logb, logs,
                              sl_val_text(dur, strlen(dur))};
            rc = fn(ctx, row, 8, err);
            sl_buf_free(&b);
        }
    } else {
        for (int i = 0; i < c->nviews && rc == 0; i++) {
            ExView *v = c->views[i];
            pthread_mutex_lock(&v->plock);
            int64_t lag = v->enqueued - v->processed;
            pthread_mutex_unlock(&v->plock);
            bool failed = false;
            int64_t skipped = 0;
            for (int t = 0; t < v->parallelism; t++) {
                failed |= v->tasks[t].failed;
                skipped += v->tasks[t].skipped;
            }
            /* without a supervisor (no store) a failed task is a failed job */
            const char *state = job_state_names[v->state];
            if (v->state == JOB_RUNNING && failed && !c->ckpt_running)
                state = "FAILED";
            SlValue since = sl_val_timestamptz(v->state_since_us);
            SlValue lcode = v->has_error ? sl_val_text(sl_errcode_sqlstate(v->last_error.code), 5) : sl_val_null(SL_T_TEXT);
            SlValue lmsg = v->has_error ? sl_val_text(v->last_error.message, strlen(v->last_error.message))
                                        : sl_val_null(SL_T_TEXT);
            if (obj == PS_OBJ_QUERY) {
                SlValue row[7] = {sl_val_text(v->name, strlen(v->name)), sl_val_text(state, strlen(state)), since,
                                  sl_val_int8(v->restarts), sl_val_int8(skipped), lcode, lmsg};
                rc = fn(ctx, row, 7, err);
                continue;
            }
            /* rows of the log not yet in the view's state */
            int64_t log_lag = lag;
            for (int p = 0; v->src->logs && p < v->src->partitions; p++)
                log_lag += (int64_t)(st_log_end_offset(v->src->logs[p]) - v->off[p]);
            SlValue ck = v->ckpt_complete_id ? sl_val_int8(v->ckpt_complete_id) : sl_val_null(SL_T_INT8);
            SlValue row[13] = {sl_val_text(v->name, strlen(v->name)), sl_val_text(v->src->name, strlen(v->src->name)),
                               sl_val_int4(v->parallelism), sl_val_text(state, strlen(state)), sl_val_int8(lag),
                               sl_val_text(v->sql, strlen(v->sql)), ck, sl_val_int8(log_lag), since,
                               sl_val_int8(v->restarts), sl_val_int8(skipped), lcode, lmsg};
            rc = fn(ctx, row, 13, err);
        }
    }
    pthread_rwlock_unlock(&c->lock);
    return rc;
}

/* sluice.failures: every view's recent failures, newest first, with what
 * its restart strategy decided. */
int ex_list_failures(ExCatalog *c, int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx,
                     SlError *err)
{
    pthread_rwlock_rdlock(&c->lock);
    int rc = 0;
    for (int i = 0; i < c->nviews && rc == 0; i++) {
        ExView *v = c->views[i];
        int64_t lo = v->fails_n > FAIL_HISTORY ? v->fails_n - FAIL_HISTORY : 0;
        for (int64_t k = v->fails_n - 1; k >= lo && rc == 0; k--) {
            const FailRecord *r = &v->fails[k % FAIL_HISTORY];
            const char *action = r->delay_ms < 0 ? "failed" : "restart";
            SlValue row[8] = {sl_val_text(v->name, strlen(v->name)),
                              sl_val_timestamptz(r->at_us),
                              sl_val_text(r->sqlstate, strlen(r->sqlstate)),
                              sl_val_text(r->message, strlen(r->message)),
                              sl_val_text(action, strlen(action)),
                              r->delay_ms < 0 ? sl_val_null(SL_T_INT8) : sl_val_int8(r->delay_ms),
                              sl_val_int8(r->attempt),
                              r->restarted_us ? sl_val_timestamptz(r->restarted_us) : sl_val_null(SL_T_TIMESTAMPTZ)};
            rc = fn(ctx, row, 8, err);
        }
    }
    pthread_rwlock_unlock(&c->lock);
    return rc;
}

/* sluice.checkpoints and SHOW CHECKPOINTS: the recent checkpoints of
 * every view, newest first (kept in memory, so they show while the
 * PostgreSQL holding them is down). */
int ex_list_checkpoints(ExCatalog *c, int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx,
                        SlError *err)
{
    pthread_rwlock_rdlock(&c->lock);
    int rc = 0;
    for (int i = 0; i < c->nviews && rc == 0; i++) {
        ExView *v = c->views[i];
        int64_t lo = v->hist_n > CKPT_HISTORY ? v->hist_n - CKPT_HISTORY : 0;
        for (int64_t k = v->hist_n - 1; k >= lo && rc == 0; k--) {
            const CkptRecord *r = &v->hist[k % CKPT_HISTORY];
            const char *status = r->complete ? "complete" : "failed";
            SlValue row[8] = {sl_val_text(v->name, strlen(v->name)),
                              sl_val_int8(r->id),
                              sl_val_timestamptz(r->started_us),
                              sl_val_float8((double)r->duration_us / 1000.0),
                              sl_val_int8(r->bytes),
                              sl_val_int4(r->key_groups),
                              sl_val_text(status, strlen(status)),
                              r->error[0] ? sl_val_text(r->error, strlen(r->error)) : sl_val_null(SL_T_TEXT)};
            rc = fn(ctx, row, 8, err);
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
                rc = group_output(v, g, a, row, &present, err);
                if (rc == 0 && present)
                    change_line(&sub->snapshot, at, 1, row, q->ntargets);
                sl_arena_reset(a);
                row = sl_alloc(a, sizeof(SlValue) * (size_t)(q->ntargets ? q->ntargets : 1));
            }
        } else {
            SlValue prow[64];
            RowPos pos = {0, 0};
            for (int64_t i = 0; i < task->nrows; i++) {
                row_next(task, &v->rlayout, &pos, prow);
                change_line(&sub->snapshot, at, 1, prow, q->ntargets);
            }
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
        if (sub->restarted) {
            sl_error(err, SL_E_OBJECT_NOT_IN_PREREQUISITE_STATE,
                     "the subscribed materialized view was restarted after a failure");
            sl_error_hint(err, "Subscribe again to start from a new snapshot.");
            return -1;
        }
        return sl_error(err, SL_E_UNDEFINED_TABLE, "the subscribed materialized view was dropped");
    }
    pthread_mutex_lock(&v->loglock);
    if (v->log_head && v->log_head->progress > sub->next_progress) {
        rc = sl_error(err, SL_E_OBJECT_NOT_IN_PREREQUISITE_STATE,
                      "the subscription fell behind the changes the view retains");
        sl_error_hint(err, "Read the subscription faster, or subscribe again to start from a new snapshot.");
    }
    /* the first batch not yet delivered, found from the newest end: a
     * subscriber is usually close behind, and the log may hold many
     * small batches */
    ChangeBatch *first = v->log_tail;
    if (first && first->progress < sub->next_progress)
        first = NULL;
    while (first && first->prev && first->prev->progress >= sub->next_progress)
        first = first->prev;
    for (ChangeBatch *cb = rc == 0 ? first : NULL; cb && rc == 0 && out->len < max_bytes; cb = cb->next) {
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
            size_t mem = sl_arena_used(task->arena) + (size_t)task->nslots * sizeof(Group *);
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
