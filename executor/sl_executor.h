/*
 * sl_executor.h — the one public header of executor/: what the server
 * calls to prepare and run statements.
 *
 * The server handles the session statements itself (SET, SHOW name, RESET,
 * BEGIN, COMMIT, ROLLBACK, LISTEN, DECLARE/FETCH/CLOSE, DISCARD) and hands
 * every other statement (SELECT, EXPLAIN, CREATE/DROP/ALTER, INSERT,
 * SHOW STREAMS ...) to the engine here. Nothing in this module knows about
 * sockets or pgwire: results leave through an ExSink.
 *
 * Threads: an ExEngine is shared by all I/O threads; ex_prepare and
 * ex_execute may be called concurrently from any thread.
 */
#ifndef SL_EXECUTOR_H
#define SL_EXECUTOR_H

#include "sl_common.h"
#include "sl_parser.h"

typedef struct ExEngine ExEngine;

typedef struct ExEngineConfig {
    const SlSettings *settings;   /* server-level settings (workers, ...) */
    const char *store_conninfo;   /* PostgreSQL holding the catalog; NULL: none
                                   * (definitions then live in memory only) */
} ExEngineConfig;

ExEngine *ex_engine_new(const ExEngineConfig *cfg, SlError *err);
void ex_engine_free(ExEngine *eng);

/* Per-session facts a statement may need (current_database(), version(),
 * current_setting(), pg_backend_pid()). Owned by the caller. */
typedef struct ExContext {
    const char *database;
    const char *user;
    const SlSettings *settings;   /* the session's settings */
    int32_t backend_pid;
} ExContext;

typedef struct ExColumn {
    const char *name;
    SlType type;
} ExColumn;

/* A bound, planned statement; immutable once prepared, lives in the
 * arena given to ex_prepare. */
typedef struct ExPlan ExPlan;

/* Bind and plan one statement. nparams is the number of parameters the
 * client declared or used (max of Parse's count and the highest $n);
 * param_types[i] is the declared type or SL_T_UNKNOWN (oid 0), and the
 * engine infers unknown ones from context (`$1 + 1` is int4, a value for
 * a bigint column is int8; a parameter with no context is text, as
 * PostgreSQL does for unknown). Errors carry their SQLSTATE and, where
 * PostgreSQL gives one, a 1-based position. */
int ex_prepare(ExEngine *eng, const ExContext *ctx, const PsStmt *stmt,
               int nparams, const SlType *param_types, SlArena *arena,
               ExPlan **out, SlError *err);

/* The final parameter types (length *n). */
const SlType *ex_plan_params(const ExPlan *p, int *n);
/* The result columns; *n == 0 means the statement returns no rows
 * (Describe answers NoData). */
const ExColumn *ex_plan_columns(const ExPlan *p, int *n);

/* Where rows go. row() is called once per result row with ncols values
 * (valid only during the call); returning -1 aborts execution with the
 * error the sink put in err (e.g. 57014 when the client cancelled). */
typedef struct ExSink {
    void *ctx;
    int (*row)(void *ctx, const SlValue *values, int ncols, SlError *err);
} ExSink;

/* Run a prepared statement with parameter values (NULLs allowed, types as
 * ex_plan_params says). On success fills tag with the CommandComplete tag
 * ("SELECT 3", "INSERT 0 2", "CREATE STREAM"). `cancel`, if not NULL, is
 * polled between batches; when it becomes non-zero the statement stops
 * with 57014. */
int ex_execute(ExEngine *eng, const ExContext *ctx, const ExPlan *p,
               const SlValue *params, SlArena *arena, ExSink *sink,
               const volatile int *cancel, char tag[64], SlError *err);

/* COPY name [(cols)] FROM STDIN. ex_prepare plans it; the server then
 * feeds the CopyData bytes. The whole COPY is checked row by row as it
 * arrives and ingested only at the end: one bad row rejects all of it,
 * with the line and column in the error's context. */
typedef struct ExCopyIn ExCopyIn;
bool ex_plan_is_copy_in(const ExPlan *p);
int ex_copy_begin(ExEngine *eng, const ExPlan *p, ExCopyIn **out, int *ncols, SlError *err);
int ex_copy_data(ExCopyIn *ci, const char *data, size_t len, SlError *err);
/* Ingests everything; frees ci whatever the outcome. */
int ex_copy_end(ExCopyIn *ci, char tag[64], SlError *err);
void ex_copy_abort(ExCopyIn *ci);

/* COPY (SUBSCRIBE view) TO STDOUT. The subscription starts with the view's
 * current contents as a snapshot, then delivers every change. Each line is
 * COPY text: progress, diff (+1/-1), the view's columns. notify(arg) is
 * called from worker threads (possibly with internal locks held: it must
 * only wake the caller's thread) when new changes may be read. */
typedef struct ExSubscription ExSubscription;
bool ex_plan_is_subscribe(const ExPlan *p);
int ex_subscribe(ExEngine *eng, const ExPlan *p, void (*notify)(void *arg), void *arg, ExSubscription **out,
                 int *ncols, SlError *err);
/* Appends whole lines, about max_bytes at most; -1 when the subscription
 * cannot go on (view dropped, fell behind the retained changes). */
int ex_subscription_poll(ExSubscription *sub, SlBuf *out, size_t max_bytes, SlError *err);
void ex_unsubscribe(ExSubscription *sub);
/* DECLARE c CURSOR FOR SUBSCRIBE view: the same subscription, with the
 * view's columns (the lines carry progress and diff before them). */
int ex_subscribe_view(ExEngine *eng, const char *view, void (*notify)(void *arg), void *arg, ExSubscription **out,
                      const ExColumn **cols, int *ncols, SlError *err);
/* SUBSCRIBE ... AS OF n: the progress number (or -1 when absent). */
int ex_as_of(const PsExpr *e, int64_t *out, SlError *err);
/* LISTEN view: changes only (no snapshot), each line a JSON object
 * {"progress":n,"diff":1,"row":{"col":value,...}}, read with
 * ex_subscription_poll. */
int ex_listen(ExEngine *eng, const char *view, void (*notify)(void *arg), void *arg, ExSubscription **out,
              SlError *err);

#endif /* SL_EXECUTOR_H */
