/*
 * ex_int.h — internals of executor/ shared by its files.
 */
#ifndef EX_INT_H
#define EX_INT_H

#include <string.h>

#include "sl_executor.h"
#include "sl_planner.h"

/* What an expression may read besides its input row. */
typedef struct ExEvalCtx {
    SlArena *arena;              /* text results go here */
    const SlValue *params;
    const ExContext *session;    /* may be NULL inside jobs */
    const volatile int *cancel;  /* may be NULL */
    int64_t stmt_time;           /* now() of the statement */
    const SlValue *aggs;         /* PL_AGG values of the current group, or NULL */
} ExEvalCtx;

/* Evaluate e over row (values of the input columns). Runtime errors are
 * SQL errors (22003, 22012, 22P02 ...), never a crash. */
int ex_eval(const PlExpr *e, const SlValue *row, ExEvalCtx *c, SlValue *out, SlError *err);
/* ex_eval with the commonest case, a column, inline (hot loops). */
static inline int ex_eval_fast(const PlExpr *e, const SlValue *row, ExEvalCtx *c, SlValue *out, SlError *err)
{
    if (e->kind == PL_COLUMN) {
        *out = row[e->index];
        return 0;
    }
    return ex_eval(e, row, c, out, err);
}
/* WHERE semantics: true passes; false and NULL do not. */
int ex_eval_bool(const PlExpr *e, const SlValue *row, ExEvalCtx *c, bool *pass, SlError *err);
/* eval_batch.c: e over nrows row-major rows of ncols values each, out[i]
 * for row i (text in c->arena); and WHERE over a batch: sel[0..*nsel)
 * gets the indexes of the rows that pass (true; not false or NULL), in
 * order. Results and errors are ex_eval's, row by row; column-constant
 * comparisons (alone or ANDed) skip the tree walk. */
int ex_eval_batch(const PlExpr *e, const SlValue *rows, int nrows, int ncols, ExEvalCtx *c, SlValue *out,
                  SlError *err);
int ex_filter_batch(const PlExpr *e, const SlValue *rows, int nrows, int ncols, ExEvalCtx *c, int *sel, int *nsel,
                    SlError *err);
/* func.c: a PL_FUNC node (its arguments are evaluated here). */
int ex_call_func(const PlExpr *e, const SlValue *row, ExEvalCtx *c, SlValue *out, SlError *err);
/* func.c: lower(text) into c->arena (ILIKE uses it). */
SlValue ex_text_lower(ExEvalCtx *c, const SlValue *v);

/* codec.c: rows and values as bytes (stream log, checkpoints) */
void ex_value_encode(SlBuf *out, const SlValue *v);
/* nvals values (a row's, or rows') as ex_rows_encode writes them, at p,
 * which has room for ex_row_bound(vals, nvals) bytes (at least the encoded
 * size); returns the byte after the last. */
size_t ex_row_bound(const SlValue *vals, int64_t nvals);
uint8_t *ex_row_put(uint8_t *p, const SlValue *vals, int64_t nvals);
/* Steps over one encoded row at *pp, noting where each of its ncols values
 * starts (at[c]) and where the row ends (at[ncols]); -1 (XX001) on corrupt
 * bytes. */
int ex_row_spans(const uint8_t **pp, const uint8_t *end, int ncols, const uint8_t **at, SlError *err);
/* The same encoding written in place by a producer that has no SlValue
 * (COPY writes its rows straight into it): each returns the byte after
 * the value. The caller has room: EX_ENC_MAX_FIXED bytes for a value
 * other than a text, 5 + n for a text of n bytes. */
#define EX_ENC_MAX_FIXED 19
/* Type byte flags: 0x80 NULL (no payload); 0x40 the short form: an 8-byte
 * value (int8, float8, timestamp(tz)) that fits in int32 stored in 4 bytes
 * (sign-extended back), a text shorter than 256 bytes with a 1-byte length.
 * Both forms are read; the short one is written where it fits (bids: 21 of
 * 184 bytes a row fewer to copy, checksum and fsync). */
#define EX_ENC_NULL 0x80
#define EX_ENC_SHORT 0x40
#define EX_ENC_TYPE 0x3f
static inline uint8_t *ex_enc_null(uint8_t *p, SlType t)
{
    *p = (uint8_t)(t | EX_ENC_NULL);
    return p + 1;
}
static inline uint8_t *ex_enc_i8(uint8_t *p, SlType t, int64_t v) /* int8, float8's bits, timestamp(tz) */
{
    if (v == (int64_t)(int32_t)v) {
        int32_t x = (int32_t)v;
        *p = (uint8_t)(t | EX_ENC_SHORT);
        memcpy(p + 1, &x, 4);
        return p + 5;
    }
    *p = (uint8_t)t;
    memcpy(p + 1, &v, 8);
    return p + 9;
}
static inline uint8_t *ex_enc_i4(uint8_t *p, int32_t v)
{
    *p = SL_T_INT4;
    memcpy(p + 1, &v, 4);
    return p + 5;
}
/* memcpy for the short texts of typical rows, without a call: fixed-size
 * moves that overlap at the end, never outside [s, s + n). */
static inline void ex_copy_short(uint8_t *d, const char *s, size_t n)
{
    if (n > 128) {
        memcpy(d, s, n);
    } else if (n > 16) {
        for (size_t i = 0; i + 16 < n; i += 16)
            __builtin_memcpy(d + i, s + i, 16);
        __builtin_memcpy(d + n - 16, s + n - 16, 16);
    } else if (n >= 8) {
        __builtin_memcpy(d, s, 8);
        __builtin_memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4) {
        __builtin_memcpy(d, s, 4);
        __builtin_memcpy(d + n - 4, s + n - 4, 4);
    } else if (n > 0) {
        d[0] = (uint8_t)s[0];
        d[n / 2] = (uint8_t)s[n / 2];
        d[n - 1] = (uint8_t)s[n - 1];
    }
}
static inline uint8_t *ex_enc_text(uint8_t *p, const char *s, uint32_t n)
{
    if (n < 256) {
        p[0] = SL_T_TEXT | EX_ENC_SHORT;
        p[1] = (uint8_t)n;
        ex_copy_short(p + 2, s, n);
        return p + 2 + n;
    }
    *p = SL_T_TEXT;
    memcpy(p + 1, &n, 4);
    ex_copy_short(p + 5, s, n);
    return p + 5 + n;
}
/* copy_text false: text points into the buffer */
int ex_value_decode(const uint8_t **p, const uint8_t *end, SlArena *arena, bool copy_text, SlValue *v,
                    SlError *err);
void ex_rows_encode(SlBuf *out, const SlValue *rows, int64_t nrows, int ncols);
int ex_rows_decode(const void *data, size_t len, int ncols, SlArena *arena, bool copy_text, SlValue *rows,
                   int64_t nrows, SlError *err);
/* The same, decoding only the columns with want[c] (the others are left
 * as they are: callers read only the wanted ones); text points into data. */
int ex_rows_decode_some(const void *data, size_t len, int ncols, const bool *want, SlValue *rows, int64_t nrows,
                        SlError *err);
/* nrows rows from *pp on (want NULL: every column), leaving *pp after
 * them; text points into the bytes. */
int ex_rows_decode_next(const uint8_t **pp, const uint8_t *end, int ncols, const bool *want, SlValue *rows,
                        int64_t nrows, SlError *err);
/* Steps *pp over nrows rows. */
int ex_rows_skip(const uint8_t **pp, const uint8_t *end, int ncols, int64_t nrows, SlError *err);
/* Columns of integer, timestamp types straight into arrays (the columnar
 * fast path): 1 when a value is not of its expected type, -1 corrupt. */
int ex_rows_decode_cols(const void *data, size_t len, int ncols, const int *slot_of_col, const SlType *types,
                        int64_t *const *vals, uint8_t *const *nulls, int64_t nrows, SlError *err);
/* The same for rows r0 .. r0 + nrows - 1 from *pp on, leaving *pp after them. */
int ex_rows_decode_cols_next(const uint8_t **pp, const uint8_t *end, int ncols, const int *slot_of_col,
                             const SlType *types, int64_t *const *vals, uint8_t *const *nulls, int64_t r0,
                             int64_t nrows, SlError *err);

/* stream.c: streams, views, the worker pool, checkpoints */
typedef struct ExCatalogConfig {
    int workers;                   /* 0: the number of cores */
    int default_parallelism;       /* 0: workers */
    const char *log_dir;           /* stream logs; NULL: rows kept in memory */
    const char *store_conninfo;    /* checkpoints; NULL: none */
    int64_t checkpoint_interval_ms;/* default of views; 0: none */
    int checkpoints_retained;
    int checkpoint_max_failures;
    int durability;                /* StDurability default of streams */
    int64_t log_segment_bytes;     /* 0: the log's default */
    int64_t log_recycle_bytes;     /* pool of old segments (LOG_DIR/.free); 0: deleted */
    bool no_columnar;              /* setting columnar = off: every view on the row path */
} ExCatalogConfig;
typedef struct ExCatalog ExCatalog;
ExCatalog *ex_catalog_new(const ExCatalogConfig *cfg, SlError *err);
/* Takes a final checkpoint of every view (clean shutdown), then frees. */
void ex_catalog_free(ExCatalog *c);
/* Starts the checkpoint coordinator (after the catalog was restored). */
void ex_catalog_start_checkpoints(ExCatalog *c);
int ex_kg_of_hash(uint64_t h, int max_parallelism);
/* Whether a view runs on the columnar path (false if there is no such view). */
bool ex_view_columnar(ExCatalog *c, const char *name);
int ex_task_of_kg(int kg, int parallelism, int max_parallelism);
/* canonical, if not NULL, gets the definition to persist (empty when the
 * object already existed under IF NOT EXISTS) */
int ex_create_stream(ExCatalog *c, const PsStmt *st, SlBuf *canonical, char tag[64], bool restore, SlError *err);
/* restore: the view existed before (catalog replay at start): restore its
 * latest checkpoint and replay the log from its offsets */
int ex_create_view(ExCatalog *c, const PsStmt *st, SlBuf *canonical, char tag[64], bool restore, SlError *err);
/* tests: a view's whole state as checkpoint parts, and loading one */
int ex_view_state_parts(ExCatalog *c, const char *name, int (*fn)(void *ctx, int32_t id, const void *data, size_t len),
                        void *ctx, SlError *err);
int ex_view_state_load(ExCatalog *c, const char *name, int32_t id, const void *data, size_t len, SlError *err);
/* engine.c: the engine's catalog (tests) */
ExCatalog *ex_engine_catalog(ExEngine *eng);
int ex_list_checkpoints(ExCatalog *c, int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx,
                        SlError *err);
/* ALTER MATERIALIZED VIEW name SET (options) | RESUME; SET calls persist
 * with the new definition before it takes effect (NULL: nothing to do) */
int ex_alter_view(ExCatalog *c, const PsStmt *st, int (*persist)(void *ctx, const char *name, const char *sql, SlError *err),
                  void *ctx, char tag[64], SlError *err);
int ex_list_failures(ExCatalog *c, int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx,
                     SlError *err);
/* dropped(ctx, name) is called for every object dropped (CASCADE too) */
int ex_drop(ExCatalog *c, const PsStmt *st, void (*dropped)(void *ctx, const char *name), void *ctx, char tag[64],
            SlError *err);
/* The columns copied into a, and the stream's generation (gen may be NULL) */
int ex_stream_columns(ExCatalog *c, const char *name, SlArena *a, const PlColumn **cols, int *ncols, uint64_t *gen,
                      SlError *err);
/* gen: the generation the caller's plan was made against (0: any); a
 * different one is 0A000 "cached plan must not change result type" */
int ex_ingest(ExCatalog *c, const char *name, uint64_t gen, const SlValue *rows, int64_t nrows, SlError *err);
/* The same for rows already in the log's encoding (ex_rows_encode's bytes
 * for nrows rows of the stream's columns), as COPY writes them; crc is
 * their CRC32C (st_crc32c(0, enc, len)). */
int ex_ingest_encoded(ExCatalog *c, const char *name, uint64_t gen, const void *enc, size_t len, uint32_t crc,
                      int64_t nrows, SlError *err);
int ex_view_columns(ExCatalog *c, const char *name, SlArena *a, const ExColumn **cols, int *ncols, uint64_t *gen);
/* Every row of the view as of every row ingested before the call; fn
 * returns -1 (error), 0 (more) or 1 (enough: the snapshot stops). */
int ex_view_snapshot(ExCatalog *c, const char *name, uint64_t gen, SlArena *arena,
                     int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx, SlError *err);
/* as_of < 0: a snapshot, then changes; else only the changes after as_of */
int ex_view_subscribe(ExCatalog *c, const char *name, bool json, int64_t as_of, void (*notify)(void *), void *arg,
                      ExSubscription **out, const ExColumn **cols, int *ncols, SlError *err);
int ex_list_tasks(ExCatalog *c, int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx,
                  SlError *err);
int ex_list_columns(ExCatalog *c, int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx,
                    SlError *err);
int ex_list_objects(ExCatalog *c, int obj, SlArena *a,
                    int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx, SlError *err);

#endif
