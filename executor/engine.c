/*
 * engine.c — the engine's entry points: prepare (bind and plan) and
 * execute statements, dispatching on the statement kind.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ex_agg.h"
#include "ex_copy.h"
#include "ex_int.h"
#include "sl_storage.h"

struct ExEngine {
    const SlSettings *settings;
    ExCatalog *catalog;
    StStore *store;            /* the catalog in PostgreSQL, or NULL */
    pthread_mutex_t ddl;       /* one DDL at a time: memory and store agree */
    bool replaying;
};

struct ExPlan {
    PsStmtKind kind;
    const PsStmt *stmt;
    SlType *params;
    int nparams;
    ExColumn *cols;
    int ncols;
    PlSelect *select;          /* SELECT (over a view's columns, or none) */
    const char *relname;       /* SELECT FROM view, INSERT, COPY */
    /* INSERT: bound values per row and the stream column each targets */
    int nrows;
    PlExpr ***values;
    int *colmap;               /* value i goes to stream column colmap[i] */
    int nvalues;
    int stream_ncols;
    const PlColumn *stream_cols;
    ExCopyFormat copyfmt;
    int64_t as_of;             /* SUBSCRIBE ... AS OF n, or -1 */
    uint64_t gen;              /* generation of the stream or view it was planned against */
};

static int replay_object(void *ctx, const char *kind, const char *name, const char *sql)
{
    ExEngine *e = ctx;
    SlArena *a = sl_arena_new(0);
    PsList *stmts;
    SlError err;
    ExContext c = {.database = "sluice", .user = "sluiced"};
    ExPlan *plan;
    char tag[64];
    int rc = ps_parse(sql, strlen(sql), a, &stmts, NULL, &err);
    if (rc == 0)
        rc = ex_prepare(e, &c, stmts->items[0], 0, NULL, a, &plan, &err);
    if (rc == 0)
        rc = ex_execute(e, &c, plan, NULL, a, NULL, NULL, tag, &err);
    if (rc < 0)
        sl_warn("could not restore %s \"%s\" from the catalog: %s", kind, name, err.message);
    else
        sl_info("restored %s \"%s\"", kind, name);
    sl_arena_free(a);
    return 0; /* go on with the others */
}

ExEngine *ex_engine_new(const ExEngineConfig *cfg, SlError *err)
{
    ExEngine *e = sl_calloc(1, sizeof *e);
    e->settings = cfg ? cfg->settings : NULL;
    pthread_mutex_init(&e->ddl, NULL);
    ExCatalogConfig cc = {.checkpoints_retained = 3, .checkpoint_max_failures = 10, .durability = ST_DUR_BATCH};
    char *log_dir = NULL;
    if (e->settings) {
        const SlSettings *s = e->settings;
        cc.workers = (int)sl_settings_get_int(s, "workers");
        cc.default_parallelism = (int)sl_settings_get_int(s, "default_parallelism");
        cc.checkpoint_interval_ms = sl_settings_get_int(s, "checkpoint_interval");
        cc.checkpoints_retained = (int)sl_settings_get_int(s, "checkpoints_retained");
        cc.checkpoint_max_failures = (int)sl_settings_get_int(s, "checkpoint_max_failures");
        StDurability d;
        if (st_durability_parse(sl_settings_get(s, "durability"), &d) == 0)
            cc.durability = d;
        cc.log_segment_bytes = sl_settings_get_int(s, "log_segment_bytes");
        cc.log_recycle_bytes = sl_settings_get_int(s, "log_recycle_bytes");
        cc.no_columnar = !sl_settings_get_bool(s, "columnar");
        /* streams have logs when sluiced has a data directory */
        if (cfg->store_conninfo) {
            const char *ld = sl_settings_get(s, "log_dir");
            SlBuf b;
            sl_buf_init(&b);
            if (*ld)
                sl_buf_puts(&b, ld);
            else
                sl_buf_printf(&b, "%s/log", sl_settings_get(s, "data_dir"));
            log_dir = b.data;
            cc.log_dir = log_dir;
        }
    }
    if (cfg && cfg->store_conninfo)
        cc.store_conninfo = cfg->store_conninfo;
    e->catalog = ex_catalog_new(&cc, err);
    free(log_dir);
    if (!e->catalog) {
        free(e);
        return NULL;
    }
    if (cfg && cfg->store_conninfo) {
        e->store = st_store_open(cfg->store_conninfo, err);
        if (!e->store) {
            ex_engine_free(e);
            return NULL;
        }
        e->replaying = true;
        int rc = st_catalog_list(e->store, replay_object, e, err);
        e->replaying = false;
        if (rc < 0) {
            ex_engine_free(e);
            return NULL;
        }
        ex_catalog_start_checkpoints(e->catalog);
    }
    return e;
}

ExCatalog *ex_engine_catalog(ExEngine *eng)
{
    return eng->catalog;
}

void ex_engine_free(ExEngine *eng)
{
    if (!eng)
        return;
    ex_catalog_free(eng->catalog);
    st_store_close(eng->store);
    pthread_mutex_destroy(&eng->ddl);
    free(eng);
}

/* Creates in memory, then records in the store before acknowledging; if
 * the store refuses, the object is dropped again. */
static int persist_created(ExEngine *eng, const PsStmt *st, const char *kind, const char *name, SlBuf *canon,
                           SlError *err)
{
    if (!eng->store || eng->replaying || canon->len == 0)
        return 0;
    if (st_catalog_put(eng->store, kind, name, canon->data, err) == 0)
        return 0;
    PsStmt drop;
    memset(&drop, 0, sizeof drop);
    drop.kind = PS_S_DROP;
    drop.obj = st->kind == PS_S_CREATE_STREAM ? PS_OBJ_STREAM : PS_OBJ_VIEW;
    drop.name = (char *)name;
    char tag[64];
    ex_drop(eng->catalog, &drop, NULL, NULL, tag, NULL);
    return -1;
}

typedef struct DropCtx {
    ExEngine *eng;
    SlError *err;
    int rc;
} DropCtx;

static void on_dropped(void *ctx, const char *name)
{
    DropCtx *d = ctx;
    if (d->eng->store && d->rc == 0 && st_catalog_delete(d->eng->store, name, d->err) < 0)
        d->rc = -1;
}

static int persist_view(void *ctx, const char *name, const char *sql, SlError *err)
{
    ExEngine *eng = ctx;
    return st_catalog_put(eng->store, "view", name, sql, err);
}

static int run_ddl(ExEngine *eng, const ExPlan *p, char tag[64], SlError *err)
{
    pthread_mutex_lock(&eng->ddl);
    SlBuf canon;
    sl_buf_init(&canon);
    int rc;
    const PsStmt *st = p->stmt;
    if (st->kind == PS_S_CREATE_STREAM) {
        rc = ex_create_stream(eng->catalog, st, &canon, tag, eng->replaying, err);
        if (rc == 0)
            rc = persist_created(eng, st, "stream", st->name, &canon, err);
    } else if (st->kind == PS_S_CREATE_VIEW) {
        rc = ex_create_view(eng->catalog, st, &canon, tag, eng->replaying, err);
        if (rc == 0)
            rc = persist_created(eng, st, "view", st->name, &canon, err);
    } else if (st->kind == PS_S_ALTER_VIEW) {
        rc = ex_alter_view(eng->catalog, st, eng->store ? persist_view : NULL, eng, tag, err);
    } else {
        DropCtx d = {eng, err, 0};
        rc = ex_drop(eng->catalog, st, on_dropped, &d, tag, err);
        if (rc == 0)
            rc = d.rc;
    }
    sl_buf_free(&canon);
    pthread_mutex_unlock(&eng->ddl);
    return rc;
}

const SlType *ex_plan_params(const ExPlan *p, int *n)
{
    *n = p->nparams;
    return p->params;
}

const ExColumn *ex_plan_columns(const ExPlan *p, int *n)
{
    *n = p->ncols;
    return p->cols;
}

bool ex_plan_is_copy_in(const ExPlan *p)
{
    return p->kind == PS_S_COPY_FROM;
}

int ex_as_of(const PsExpr *e, int64_t *out, SlError *err)
{
    *out = -1;
    if (!e)
        return 0;
    if (e->kind != PS_E_CONST || e->value.isnull || (e->value.type != SL_T_INT4 && e->value.type != SL_T_INT8))
        return sl_error_at(err, SL_E_INVALID_PARAMETER_VALUE, e->location + 1, "AS OF needs a progress number");
    *out = e->value.type == SL_T_INT4 ? e->value.u.i4 : e->value.u.i8;
    if (*out < 0)
        return sl_error_at(err, SL_E_INVALID_PARAMETER_VALUE, e->location + 1, "AS OF needs a progress number");
    return 0;
}

bool ex_plan_is_subscribe(const ExPlan *p)
{
    return p->kind == PS_S_COPY_TO || p->kind == PS_S_SUBSCRIBE;
}

int ex_subscribe(ExEngine *eng, const ExPlan *p, void (*notify)(void *arg), void *arg, ExSubscription **out,
                 int *ncols, SlError *err)
{
    const ExColumn *cols;
    int n;
    if (ex_view_subscribe(eng->catalog, p->relname, false, p->as_of, notify, arg, out, &cols, &n, err) < 0)
        return -1;
    *ncols = n + 2;
    return 0;
}

int ex_subscribe_view(ExEngine *eng, const char *view, void (*notify)(void *arg), void *arg, ExSubscription **out,
                      const ExColumn **cols, int *ncols, SlError *err)
{
    return ex_view_subscribe(eng->catalog, view, false, -1, notify, arg, out, cols, ncols, err);
}

int ex_listen(ExEngine *eng, const char *view, void (*notify)(void *arg), void *arg, ExSubscription **out,
              SlError *err)
{
    const ExColumn *cols;
    int n;
    return ex_view_subscribe(eng->catalog, view, true, -1, notify, arg, out, &cols, &n, err);
}

static void set_columns(ExPlan *p, const PlSelect *q, SlArena *arena)
{
    p->ncols = q->nvisible;
    p->cols = sl_alloc0(arena, sizeof(ExColumn) * (size_t)(p->ncols ? p->ncols : 1));
    for (int i = 0; i < p->ncols; i++) {
        p->cols[i].name = q->names[i];
        p->cols[i].type = q->targets[i]->type;
    }
}

/* System views, readable with SELECT: sluice.streams, sluice.views, sluice.tasks. */
static const PlColumn sys_streams[] = {{"name", SL_T_TEXT},      {"columns", SL_T_TEXT},    {"partitions", SL_T_INT4},
                                       {"rows", SL_T_INT8},      {"bytes", SL_T_INT8},      {"log_bytes", SL_T_INT8},
                                       {"log_segments", SL_T_INT4}, {"durability", SL_T_TEXT}};
static const PlColumn sys_views[] = {{"name", SL_T_TEXT},       {"stream", SL_T_TEXT}, {"parallelism", SL_T_INT4},
                                     {"state", SL_T_TEXT},      {"lag", SL_T_INT8},    {"definition", SL_T_TEXT},
                                     {"checkpoint", SL_T_INT8}, {"log_lag", SL_T_INT8}, {"state_since", SL_T_TIMESTAMPTZ},
                                     {"restarts", SL_T_INT8},   {"skipped_rows", SL_T_INT8},
                                     {"last_sqlstate", SL_T_TEXT}, {"last_error", SL_T_TEXT}};
static const PlColumn sys_failures[] = {{"view", SL_T_TEXT},     {"failed_at", SL_T_TIMESTAMPTZ},
                                        {"sqlstate", SL_T_TEXT}, {"message", SL_T_TEXT},
                                        {"action", SL_T_TEXT},   {"restart_delay_ms", SL_T_INT8},
                                        {"attempt", SL_T_INT8},  {"restarted_at", SL_T_TIMESTAMPTZ}};
static const PlColumn sys_failpoints[] = {{"name", SL_T_TEXT}, {"spec", SL_T_TEXT}, {"hits", SL_T_INT8}};
static const PlColumn sys_checkpoints[] = {{"view", SL_T_TEXT},        {"id", SL_T_INT8},
                                           {"started_at", SL_T_TIMESTAMPTZ}, {"duration_ms", SL_T_FLOAT8},
                                           {"bytes", SL_T_INT8},       {"key_groups", SL_T_INT4},
                                           {"status", SL_T_TEXT},      {"error", SL_T_TEXT}};
static const PlColumn sys_tasks[] = {{"view", SL_T_TEXT},       {"task", SL_T_INT4},         {"first_key_group", SL_T_INT4},
                                     {"last_key_group", SL_T_INT4}, {"rows_in", SL_T_INT8},  {"rows_out", SL_T_INT8},
                                     {"queued", SL_T_INT8},     {"state_bytes", SL_T_INT8}, {"state", SL_T_TEXT}};

static const PlColumn sys_columns[] = {{"relation", SL_T_TEXT}, {"kind", SL_T_TEXT}, {"position", SL_T_INT4},
                                       {"name", SL_T_TEXT}, {"type", SL_T_TEXT}};

static int system_view(const char *name, const PlColumn **cols, int *n)
{
    if (!strcmp(name, "columns")) {
        *cols = sys_columns;
        *n = 5;
        return 4;
    }
    if (!strcmp(name, "streams")) {
        *cols = sys_streams;
        *n = 8;
        return 1;
    }
    if (!strcmp(name, "views")) {
        *cols = sys_views;
        *n = 13;
        return 2;
    }
    if (!strcmp(name, "failpoints")) {
        *cols = sys_failpoints;
        *n = 3;
        return 7;
    }
    if (!strcmp(name, "failures")) {
        *cols = sys_failures;
        *n = 8;
        return 6;
    }
    if (!strcmp(name, "checkpoints")) {
        *cols = sys_checkpoints;
        *n = 8;
        return 5;
    }
    if (!strcmp(name, "tasks")) {
        *cols = sys_tasks;
        *n = 9;
        return 3;
    }
    return 0;
}

typedef struct FailpointRows {
    int (*fn)(void *ctx, const SlValue *row, int n, SlError *err);
    void *ctx;
    SlError *err;
} FailpointRows;

static int failpoint_row(void *ctx, const char *name, const char *spec, int64_t hits)
{
    FailpointRows *f = ctx;
    SlValue row[3] = {sl_val_text(name, strlen(name)), sl_val_text(spec, strlen(spec)), sl_val_int8(hits)};
    return f->fn(f->ctx, row, 3, f->err);
}

/* sluice.failpoints: every failpoint, its spec and its hits. */
static int list_failpoints(int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx, SlError *err)
{
    FailpointRows f = {fn, ctx, err};
    return sl_failpoint_list(failpoint_row, &f) != 0 ? -1 : 0;
}

static int prepare_select(ExEngine *eng, ExPlan *p, const PsStmt *stmt, int nparams, const SlType *param_types,
                          SlArena *arena, SlError *err)
{
    const PsSelect *s = stmt->select;
    PlScope scope;
    const PlScope *sp = NULL;
    if (s->from) {
        const PsFrom *f = s->from->items[0];
        if (s->from->n > 1)
            return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "joins are not supported yet");
        const ExColumn *vcols;
        int nv;
        const PlColumn *scols;
        int sysv = f->schema && !strcmp(f->schema, "sluice") && f->kind == PS_FROM_NAME ? system_view(f->name, &scols, &nv) : 0;
        if (sysv) {
            scope = (PlScope){sl_strdup(arena, f->name), f->alias, scols, nv};
            sp = &scope;
            p->relname = sl_psprintf(arena, "sluice.%s", f->name);
        } else if (f->schema || f->kind != PS_FROM_NAME || ex_view_columns(eng->catalog, f->name, arena, &vcols, &nv, &p->gen) < 0) {
            const PlColumn *sc;
            int ns;
            if (!f->schema && f->kind == PS_FROM_NAME && ex_stream_columns(eng->catalog, f->name, arena, &sc, &ns, NULL, NULL) == 0) {
                sl_error_at(err, SL_E_WRONG_OBJECT_TYPE, f->location + 1,
                            "\"%s\" is a stream: its rows are read through a materialized view", f->name);
                sl_error_hint(err, "CREATE MATERIALIZED VIEW v AS SELECT ... FROM %s, then SELECT from v.", f->name);
                return -1;
            }
            if (f->schema)
                return sl_error_at(err, SL_E_UNDEFINED_TABLE, f->location + 1, "relation \"%s.%s\" does not exist",
                                   f->schema, f->name);
            return sl_error_at(err, SL_E_UNDEFINED_TABLE, f->location + 1, "relation \"%s\" does not exist", f->name);
        }
        if (!sysv) {
            PlColumn *cols = sl_alloc0(arena, sizeof(PlColumn) * (size_t)(nv ? nv : 1));
            for (int i = 0; i < nv; i++) {
                cols[i].name = sl_strdup(arena, vcols[i].name);
                cols[i].type = vcols[i].type;
            }
            scope = (PlScope){sl_strdup(arena, f->name), f->alias, cols, nv};
            sp = &scope;
            p->relname = scope.relname;
        }
    }
    PlBinder b;
    pl_binder_init(&b, arena, sp, nparams, param_types);
    if (pl_bind_select(&b, s, &p->select, err) < 0)
        return -1;
    p->nparams = b.nparams;
    p->params = b.params;
    set_columns(p, p->select, arena);
    return 0;
}

/* The target stream of INSERT or COPY and which of its columns each value
 * fills (all columns in order when no list is given). */
static int map_columns(ExEngine *eng, ExPlan *p, const PsStmt *st, SlArena *arena, SlError *err)
{
    const PlColumn *cols;
    int ncols;
    if (ex_stream_columns(eng->catalog, st->name, arena, &cols, &ncols, &p->gen, err) < 0)
        return -1;
    p->relname = sl_strdup(arena, st->name);
    p->stream_cols = cols;
    p->stream_ncols = ncols;
    int nv = st->insert_columns ? st->insert_columns->n : ncols;
    p->nvalues = nv;
    p->colmap = sl_alloc0(arena, sizeof(int) * (size_t)(nv ? nv : 1));
    for (int i = 0; i < nv; i++) {
        if (!st->insert_columns) {
            p->colmap[i] = i;
            continue;
        }
        const char *name = st->insert_columns->items[i];
        int found = -1;
        for (int k = 0; k < ncols; k++)
            if (!strcmp(cols[k].name, name))
                found = k;
        if (found < 0)
            return sl_error(err, SL_E_UNDEFINED_COLUMN, "column \"%s\" of stream \"%s\" does not exist", name, st->name);
        for (int j = 0; j < i; j++)
            if (p->colmap[j] == found)
                return sl_error(err, SL_E_DUPLICATE_COLUMN, "column \"%s\" specified more than once", name);
        p->colmap[i] = found;
    }
    return 0;
}

static int prepare_insert(ExEngine *eng, ExPlan *p, const PsStmt *st, int nparams, const SlType *param_types,
                          SlArena *arena, SlError *err)
{
    if (map_columns(eng, p, st, arena, err) < 0)
        return -1;
    const PlColumn *cols = p->stream_cols;
    int nv = p->nvalues;
    PlBinder b;
    pl_binder_init(&b, arena, NULL, nparams, param_types);
    p->nrows = st->rows->n;
    p->values = sl_alloc0(arena, sizeof(PlExpr **) * (size_t)p->nrows);
    for (int r = 0; r < p->nrows; r++) {
        const PsList *row = st->rows->items[r];
        if (row->n != nv) {
            const PsExpr *at = row->n > nv ? row->items[nv] : row->items[row->n - 1];
            return sl_error_at(err, SL_E_SYNTAX_ERROR, at->location + 1, "INSERT has %s expressions than target columns",
                               row->n > nv ? "more" : "fewer");
        }
        p->values[r] = sl_alloc0(arena, sizeof(PlExpr *) * (size_t)(nv ? nv : 1));
        for (int i = 0; i < nv; i++) {
            if (pl_bind_expr(&b, row->items[i], &p->values[r][i], err) < 0)
                return -1;
            char what[128];
            snprintf(what, sizeof what, "column \"%s\"", cols[p->colmap[i]].name);
            /* assignment casts, as PostgreSQL's: numbers and timestamps convert,
             * text needs an explicit cast */
            SlType want = cols[p->colmap[i]].type, have = p->values[r][i]->type;
            bool assign = have != SL_T_TEXT && have != SL_T_BOOL && want != SL_T_TEXT && want != SL_T_BOOL;
            if (pl_coerce(&b, &p->values[r][i], want, assign, NULL, err) < 0) {
                if (err && err->code == SL_E_DATATYPE_MISMATCH) {
                    sl_error_at(err, SL_E_DATATYPE_MISMATCH, ((PsExpr *)row->items[i])->location + 1,
                                "%s is of type %s but expression is of type %s", what,
                                sl_type_name(cols[p->colmap[i]].type), sl_type_name(p->values[r][i]->type));
                    sl_error_hint(err, "You will need to rewrite or cast the expression.");
                }
                return -1;
            }
        }
    }
    pl_finish_params(&b);
    p->nparams = b.nparams;
    p->params = b.params;
    return 0;
}

/* EXPLAIN CREATE MATERIALIZED VIEW: the partitioned physical plan. */
static const ExColumn explain_cols[] = {{"QUERY PLAN", SL_T_TEXT}};

static int prepare_explain(ExEngine *eng, ExPlan *p, const PsStmt *stmt, SlArena *arena, SlError *err)
{
    const PsStmt *in = stmt->inner;
    if (in->kind != PS_S_CREATE_VIEW)
        return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "EXPLAIN shows CREATE MATERIALIZED VIEW plans only");
    const PsSelect *sel = in->select;
    if (PS_LIST_LEN(sel->from) != 1)
        return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "a materialized view reads exactly one stream");
    const PsFrom *f = sel->from->items[0];
    const PlColumn *cols;
    int ncols;
    if (ex_stream_columns(eng->catalog, f->name, arena, &cols, &ncols, NULL, err) < 0)
        return -1;
    int parallelism = eng->settings ? (int)sl_settings_get_int(eng->settings, "default_parallelism") : 0;
    if (parallelism <= 0)
        parallelism = eng->settings && sl_settings_get_int(eng->settings, "workers") > 0
                          ? (int)sl_settings_get_int(eng->settings, "workers")
                          : (int)sysconf(_SC_NPROCESSORS_ONLN);
    int maxp = 128;
    for (int i = 0; i < PS_LIST_LEN(in->options); i++) {
        const PsOption *o = in->options->items[i];
        if (o->value && o->value->kind == PS_E_CONST && o->value->value.type == SL_T_INT4) {
            if (!strcmp(o->name, "parallelism"))
                parallelism = o->value->value.u.i4;
            else if (!strcmp(o->name, "max_parallelism"))
                maxp = o->value->value.u.i4;
        }
    }
    PlScope scope = {f->name, f->alias, cols, ncols};
    PlBinder b;
    pl_binder_init(&b, arena, &scope, 0, NULL);
    PlSelect *q;
    if (pl_bind_select(&b, sel, &q, err) < 0)
        return -1;
    SlBuf t;
    sl_buf_init(&t);
    /* group-row scope for targets: keys then aggregates */
    PlColumn *gcols = sl_alloc0(arena, sizeof(PlColumn) * (size_t)(q->ngroup + 1));
    for (int i = 0; i < q->ngroup; i++) {
        SlBuf k;
        sl_buf_init(&k);
        pl_expr_explain(q->group[i], &scope, &k);
        gcols[i].name = sl_strdup(arena, k.data ? k.data : "");
        sl_buf_free(&k);
    }
    PlScope gscope = {NULL, NULL, gcols, q->ngroup};
    sl_buf_printf(&t, "Materialize %s  (columns: ", in->name);
    for (int i = 0; i < q->ntargets; i++)
        sl_buf_printf(&t, "%s%s %s", i ? ", " : "", q->names[i], sl_type_name(q->targets[i]->type));
    sl_buf_printf(&t, ")\n");
    int depth = 1;
    if (q->grouped) {
        sl_buf_printf(&t, "%*s-> HashAggregate  (%d tasks, key groups 0..%d)\n", depth * 2, "", parallelism, maxp - 1);
        depth += 2;
        if (q->ngroup) {
            sl_buf_printf(&t, "%*sGroup key: ", depth * 2, "");
            for (int i = 0; i < q->ngroup; i++)
                sl_buf_printf(&t, "%s%s", i ? ", " : "", gcols[i].name);
            sl_buf_putc(&t, '\n');
        }
        sl_buf_printf(&t, "%*sAggregates: ", depth * 2, "");
        for (int i = 0; i < q->naggs; i++) {
            sl_buf_printf(&t, "%s%s(%s", i ? ", " : "", pl_agg_name(q->aggs[i].kind),
                          q->aggs[i].distinct ? "DISTINCT " : "");
            if (q->aggs[i].arg)
                pl_expr_explain(q->aggs[i].arg, &scope, &t);
            else
                sl_buf_putc(&t, '*');
            sl_buf_putc(&t, ')');
        }
        sl_buf_putc(&t, '\n');
        if (q->having) {
            sl_buf_printf(&t, "%*sHaving: ", depth * 2, "");
            pl_expr_explain(q->having, &gscope, &t);
            sl_buf_putc(&t, '\n');
        }
        if (q->ngroup)
            sl_buf_printf(&t, "%*s-> Exchange  hash(%s) mod %d -> task owning the key group  (%d bounded queues)\n",
                          depth * 2 - 2, "", gcols[0].name, maxp, parallelism);
        else
            sl_buf_printf(&t, "%*s-> Exchange  single task (no GROUP BY)\n", depth * 2 - 2, "");
    } else {
        sl_buf_printf(&t, "%*s-> Round-robin  (%d tasks)\n", depth * 2, "", parallelism);
        depth += 2;
    }
    sl_buf_printf(&t, "%*s-> Filter + Project (fused, per batch)\n", depth * 2, "");
    if (q->where) {
        sl_buf_printf(&t, "%*sFilter: ", depth * 2 + 4, "");
        pl_expr_explain(q->where, &scope, &t);
        sl_buf_putc(&t, '\n');
    }
    sl_buf_printf(&t, "%*s-> Source  stream %s\n", depth * 2 + 2, "", f->name);
    /* one row per line */
    int n = 0;
    for (size_t i = 0; i < t.len; i++)
        n += t.data[i] == '\n';
    p->nrows = n;
    p->values = sl_alloc0(arena, sizeof(PlExpr **) * (size_t)(n ? n : 1));
    char *line = t.data;
    for (int i = 0; i < n; i++) {
        char *nl = strchr(line, '\n');
        PlExpr *c = sl_alloc0(arena, sizeof *c);
        c->kind = PL_CONST;
        c->type = SL_T_TEXT;
        c->value = sl_val_text(sl_strndup(arena, line, (size_t)(nl - line)), (size_t)(nl - line));
        p->values[i] = sl_alloc(arena, sizeof(PlExpr *));
        p->values[i][0] = c;
        line = nl + 1;
    }
    sl_buf_free(&t);
    p->cols = (ExColumn *)explain_cols;
    p->ncols = 1;
    return 0;
}

static const ExColumn stream_list_cols[] = {{"name", SL_T_TEXT},         {"columns", SL_T_TEXT},
                                            {"partitions", SL_T_INT4},   {"rows", SL_T_INT8},
                                            {"bytes", SL_T_INT8},        {"log_bytes", SL_T_INT8},
                                            {"log_segments", SL_T_INT4}, {"durability", SL_T_TEXT}};
static const ExColumn view_list_cols[] = {{"name", SL_T_TEXT},        {"stream", SL_T_TEXT},
                                          {"parallelism", SL_T_INT4}, {"state", SL_T_TEXT},
                                          {"lag", SL_T_INT8},         {"definition", SL_T_TEXT},
                                          {"checkpoint", SL_T_INT8},  {"log_lag", SL_T_INT8},
                                          {"state_since", SL_T_TIMESTAMPTZ}, {"restarts", SL_T_INT8},
                                          {"skipped_rows", SL_T_INT8}, {"last_sqlstate", SL_T_TEXT},
                                          {"last_error", SL_T_TEXT}};
static const ExColumn query_list_cols[] = {{"name", SL_T_TEXT},         {"state", SL_T_TEXT},
                                           {"state_since", SL_T_TIMESTAMPTZ}, {"restarts", SL_T_INT8},
                                           {"skipped_rows", SL_T_INT8}, {"last_sqlstate", SL_T_TEXT},
                                           {"last_error", SL_T_TEXT}};
static const ExColumn checkpoint_list_cols[] = {{"view", SL_T_TEXT},   {"id", SL_T_INT8},
                                                {"started_at", SL_T_TIMESTAMPTZ}, {"duration_ms", SL_T_FLOAT8},
                                                {"bytes", SL_T_INT8},  {"key_groups", SL_T_INT4},
                                                {"status", SL_T_TEXT}, {"error", SL_T_TEXT}};

int ex_prepare(ExEngine *eng, const ExContext *ctx, const PsStmt *stmt, int nparams, const SlType *param_types,
               SlArena *arena, ExPlan **out, SlError *err)
{
    (void)ctx;
    ExPlan *p = sl_alloc0(arena, sizeof *p);
    p->kind = stmt->kind;
    p->stmt = stmt;
    p->as_of = -1;
    int rc = 0;
    switch (stmt->kind) {
    case PS_S_SELECT:
        rc = prepare_select(eng, p, stmt, nparams, param_types, arena, err);
        break;
    case PS_S_INSERT:
        rc = prepare_insert(eng, p, stmt, nparams, param_types, arena, err);
        break;
    case PS_S_CREATE_STREAM:
    case PS_S_CREATE_VIEW:
    case PS_S_ALTER_VIEW:
    case PS_S_DROP:
        break;
    case PS_S_EXPLAIN:
        rc = prepare_explain(eng, p, stmt, arena, err);
        break;
    case PS_S_SHOW_OBJECTS:
        if (stmt->obj == PS_OBJ_STREAM) {
            p->cols = (ExColumn *)stream_list_cols;
            p->ncols = 8;
        } else if (stmt->obj == PS_OBJ_VIEW) {
            p->cols = (ExColumn *)view_list_cols;
            p->ncols = 13;
        } else if (stmt->obj == PS_OBJ_CHECKPOINT) {
            p->cols = (ExColumn *)checkpoint_list_cols;
            p->ncols = 8;
        } else {
            p->cols = (ExColumn *)query_list_cols;
            p->ncols = 7;
        }
        break;
    case PS_S_COPY_TO:
    case PS_S_SUBSCRIBE: {
        const PsStmt *sub = stmt->kind == PS_S_COPY_TO ? stmt->inner : stmt;
        if (sub->kind != PS_S_SUBSCRIBE)
            return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "COPY (SELECT ...) TO STDOUT is not supported yet");
        if (stmt->kind == PS_S_SUBSCRIBE)
            return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED,
                            "SUBSCRIBE is read with COPY (SUBSCRIBE %s) TO STDOUT", sub->name);
        if (PS_LIST_LEN(sub->options) || PS_LIST_LEN(stmt->options))
            return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "SUBSCRIBE options are not supported yet");
        if (ex_as_of(sub->as_of, &p->as_of, err) < 0)
            return -1;
        const ExColumn *vc;
        int nv;
        if (ex_view_columns(eng->catalog, sub->name, arena, &vc, &nv, NULL) < 0)
            return sl_error(err, SL_E_UNDEFINED_TABLE, "materialized view \"%s\" does not exist", sub->name);
        p->relname = sl_strdup(arena, sub->name);
        break;
    }
    case PS_S_COPY_FROM:
        if (map_columns(eng, p, stmt, arena, err) < 0 || ex_copy_format_parse(stmt->options, arena, &p->copyfmt, err) < 0)
            return -1;
        break;
    default:
        rc = sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "%s is not supported yet", ps_stmt_kind_name(stmt->kind));
        break;
    }
    if (rc < 0)
        return -1;
    *out = p;
    return 0;
}

/* ---------------------------------------------------------------- SELECT */

typedef struct Collect {
    const PlSelect *q;
    ExEvalCtx *ec;
    SlArena *arena;
    SlValue *rows;      /* collected output rows */
    int64_t n, cap;
    const SlValue *in;  /* the input row being projected */
    int64_t enough;     /* rows after which the source may stop (LIMIT), or -1 */
} Collect;

/* Appends one output row (ntargets values), copying text into the arena. */
static int append_row(Collect *c, const SlValue *vals, SlError *err)
{
    const PlSelect *q = c->q;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->rows = sl_realloc(c->rows, sizeof(SlValue) * (size_t)(c->cap * (q->ntargets ? q->ntargets : 1)));
    }
    SlValue *out = c->rows + (size_t)c->n * (size_t)q->ntargets;
    for (int i = 0; i < q->ntargets; i++) {
        SlValue v;
        if (vals)
            v = vals[i];
        else if (ex_eval(q->targets[i], c->in, c->ec, &v, err) < 0)
            return -1;
        sl_value_copy(&v, c->arena, &out[i]);
    }
    c->n++;
    return 0;
}

static int collect_row(void *ctx, const SlValue *row, int ncols, SlError *err)
{
    Collect *c = ctx;
    const PlSelect *q = c->q;
    (void)ncols;
    bool pass = true;
    if (q->where && ex_eval_bool(q->where, row, c->ec, &pass, err) < 0)
        return -1;
    if (!pass)
        return 0;
    c->in = row;
    if (append_row(c, NULL, err) < 0)
        return -1;
    return c->enough >= 0 && c->n >= c->enough ? 1 : 0; /* 1: stop reading */
}

/* A grouped SELECT: rows go into the grouping, its output rows into c. */
static int grouping_row(void *ctx, const SlValue *row, int ncols, SlError *err)
{
    (void)ncols;
    return ex_grouping_add(ctx, row, err);
}

static int grouped_out(void *ctx, const SlValue *row, int ncols, SlError *err)
{
    (void)ncols;
    return append_row(ctx, row, err);
}

/* SELECT DISTINCT: keeps the first of equal rows (NULLs equal), in order;
 * returns the new count. */
static int64_t distinct_rows(SlValue *rows, int64_t n, int ncols)
{
    int64_t cap = 16;
    while (cap < n * 2)
        cap *= 2;
    int64_t *slots = sl_malloc(sizeof(int64_t) * (size_t)cap);
    for (int64_t i = 0; i < cap; i++)
        slots[i] = -1;
    int64_t kept = 0;
    for (int64_t r = 0; r < n; r++) {
        const SlValue *row = rows + (size_t)r * (size_t)ncols;
        uint64_t h = 0x9e37;
        for (int c = 0; c < ncols; c++)
            h = sl_hash_u64(h ^ sl_value_hash(&row[c]));
        int64_t j = (int64_t)(h & (uint64_t)(cap - 1));
        bool dup = false;
        while (slots[j] >= 0 && !dup) {
            const SlValue *o = rows + (size_t)slots[j] * (size_t)ncols;
            dup = true;
            for (int c = 0; c < ncols && dup; c++)
                dup = (o[c].isnull || row[c].isnull) ? o[c].isnull == row[c].isnull : sl_value_cmp(&o[c], &row[c]) == 0;
            if (!dup)
                j = (j + 1) & (cap - 1);
        }
        if (dup)
            continue;
        if (kept != r)
            memcpy(rows + (size_t)kept * (size_t)ncols, row, sizeof(SlValue) * (size_t)ncols);
        slots[j] = kept++;
    }
    free(slots);
    return kept;
}

static const PlSelect *sort_q;
static ExEvalCtx *sort_ec;

static int cmp_rows(const void *a, const void *b)
{
    const SlValue *x = a, *y = b;
    for (int i = 0; i < sort_q->norder; i++) {
        SlValue vx, vy;
        ex_eval(sort_q->order[i], x, sort_ec, &vx, NULL);
        ex_eval(sort_q->order[i], y, sort_ec, &vy, NULL);
        int c;
        bool nulls_first = sort_q->order_nulls[i] == 1 || (sort_q->order_nulls[i] == 0 && sort_q->order_desc[i]);
        if (vx.isnull || vy.isnull)
            c = vx.isnull == vy.isnull ? 0 : (vx.isnull ? (nulls_first ? -1 : 1) : (nulls_first ? 1 : -1));
        else {
            c = sl_value_cmp(&vx, &vy);
            if (sort_q->order_desc[i])
                c = -c;
        }
        if (c)
            return c;
    }
    return 0;
}

static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;

static int execute_select(ExEngine *eng, const ExContext *ctx, const ExPlan *p, const SlValue *params,
                          SlArena *arena, ExSink *sink, const volatile int *cancel, char tag[64], SlError *err)
{
    const PlSelect *q = p->select;
    ExEvalCtx ec = {.arena = arena, .params = params, .session = ctx, .cancel = cancel,
                    .stmt_time = sl_now_usec()};
    int64_t rows = 0;
    int64_t limit = q->limit, offset = q->offset;
    SlValue lv;
    if (q->limit_param) { /* LIMIT $n: NULL is no limit */
        if (ex_eval(q->limit_param, NULL, &ec, &lv, err) < 0)
            return -1;
        if (!lv.isnull && lv.u.i8 < 0)
            return sl_error(err, SL_E_INVALID_ROW_COUNT_IN_LIMIT, "LIMIT must not be negative");
        limit = lv.isnull ? -1 : lv.u.i8;
    }
    if (q->offset_param) {
        if (ex_eval(q->offset_param, NULL, &ec, &lv, err) < 0)
            return -1;
        if (!lv.isnull && lv.u.i8 < 0)
            return sl_error(err, SL_E_INVALID_ROW_COUNT_IN_OFFSET, "OFFSET must not be negative");
        offset = lv.isnull ? 0 : lv.u.i8;
    }
    static const SlValue no_columns[1];
    Collect c = {.q = q, .ec = &ec, .arena = arena, .enough = -1};
    ExGrouping *g = q->grouped ? ex_grouping_new(q, &ec) : NULL;
    int (*fn)(void *, const SlValue *, int, SlError *) = g ? grouping_row : collect_row;
    void *fctx = g ? (void *)g : (void *)&c;
    int src;
    if (!p->relname)
        src = fn(fctx, no_columns, 0, err); /* no FROM: one row of no columns */
    else if (!strcmp(p->relname, "sluice.streams"))
        src = ex_list_objects(eng->catalog, PS_OBJ_STREAM, arena, fn, fctx, err);
    else if (!strcmp(p->relname, "sluice.views"))
        src = ex_list_objects(eng->catalog, PS_OBJ_VIEW, arena, fn, fctx, err);
    else if (!strcmp(p->relname, "sluice.tasks"))
        src = ex_list_tasks(eng->catalog, fn, fctx, err);
    else if (!strcmp(p->relname, "sluice.columns"))
        src = ex_list_columns(eng->catalog, fn, fctx, err);
    else if (!strcmp(p->relname, "sluice.checkpoints"))
        src = ex_list_checkpoints(eng->catalog, fn, fctx, err);
    else if (!strcmp(p->relname, "sluice.failures"))
        src = ex_list_failures(eng->catalog, fn, fctx, err);
    else if (!strcmp(p->relname, "sluice.failpoints"))
        src = list_failpoints(fn, fctx, err);
    else {
        /* LIMIT without ORDER BY, DISTINCT or grouping: the snapshot stops
         * once it has produced enough rows */
        if (!g && !q->distinct && q->norder == 0 && limit >= 0)
            c.enough = offset + limit;
        src = ex_view_snapshot(eng->catalog, p->relname, p->gen, arena, fn, fctx, err);
    }
    if (src == 0 && g)
        src = ex_grouping_finish(g, grouped_out, &c, err);
    ex_grouping_free(g);
    if (src < 0) {
        free(c.rows);
        return -1;
    }
    if (q->distinct && c.n > 1)
        c.n = distinct_rows(c.rows, c.n, q->ntargets);
    if (q->norder > 0 && c.n > 1) {
        /* order expressions are over the output row */
        pthread_mutex_lock(&sort_lock);
        sort_q = q;
        sort_ec = &ec;
        qsort(c.rows, (size_t)c.n, sizeof(SlValue) * (size_t)q->ntargets, cmp_rows);
        pthread_mutex_unlock(&sort_lock);
    }
    int64_t start = offset < c.n ? offset : c.n;
    int64_t end = limit >= 0 && limit < c.n - start ? start + limit : c.n;
    int rc = 0;
    for (int64_t i = start; i < end && rc == 0; i++) {
        if (cancel && *cancel) {
            rc = sl_error(err, SL_E_QUERY_CANCELED, "canceling statement due to user request");
            break;
        }
        rc = sink ? sink->row(sink->ctx, c.rows + (size_t)i * (size_t)q->ntargets, q->nvisible, err) : 0;
        rows++;
    }
    free(c.rows);
    if (rc < 0)
        return -1;
    snprintf(tag, 64, "SELECT %lld", (long long)rows);
    return 0;
}

/* ---------------------------------------------------------------- INSERT */

static int execute_insert(ExEngine *eng, const ExContext *ctx, const ExPlan *p, const SlValue *params,
                          SlArena *arena, char tag[64], SlError *err)
{
    ExEvalCtx ec = {.arena = arena, .params = params, .session = ctx, .stmt_time = sl_now_usec()};
    int nc = p->stream_ncols;
    SlValue *rows = sl_alloc(arena, sizeof(SlValue) * (size_t)(p->nrows * nc + 1));
    for (int r = 0; r < p->nrows; r++) {
        SlValue *row = rows + (size_t)r * (size_t)nc;
        for (int k = 0; k < nc; k++)
            row[k] = sl_val_null(p->stream_cols[k].type);
        for (int i = 0; i < p->nvalues; i++) {
            SlValue v;
            if (ex_eval(p->values[r][i], NULL, &ec, &v, err) < 0)
                return -1;
            row[p->colmap[i]] = v;
        }
    }
    if (ex_ingest(eng->catalog, p->relname, p->gen, rows, p->nrows, err) < 0)
        return -1;
    snprintf(tag, 64, "INSERT 0 %d", p->nrows);
    return 0;
}

/* ------------------------------------------------------------------ COPY */

/* A COPY's rows are written by the parser straight into a batch (rows of
 * the stream's width and their text, see ex_copy.h) and handed to
 * ex_ingest at the end: all of them or, on the first error, none. */
struct ExCopyIn {
    ExEngine *eng;
    ExPlan *plan;             /* a copy in ci->arena: the caller's plan may go away */
    ExCopyParser parser;
    SlType *types;
    const char **names;
    ExCopyBatch batch;        /* the rows so far */
    SlArena *arena;           /* the plan's copy, the column map, the blank row */
    uint32_t crc;             /* encoded batch: CRC32C of its first crc_len bytes, */
    size_t crc_len;           /* taken after each chunk while they are in cache */
};

/* An encoded batch's CRC brought up to its end. */
static void copy_crc(ExCopyIn *ci)
{
    const SlBuf *e = &ci->batch.enc;
    if (!ci->batch.encoded)
        return;
    if (ci->crc_len > e->len) { /* never: a failed record leaves no bytes behind the last chunk */
        ci->crc = 0;
        ci->crc_len = 0;
    }
    ci->crc = st_crc32c(ci->crc, e->data + ci->crc_len, e->len - ci->crc_len);
    ci->crc_len = e->len;
}

/* The batches of finished COPYs, kept for the next ones: a 100k-row COPY
 * of bids needs ~37 MB (rows and text), and fresh memory costs a page
 * fault per 4 kB. At most COPY_KEEP_BYTES each. */
#define COPY_CACHE 4
#define COPY_KEEP_BYTES ((size_t)64 << 20)
static pthread_mutex_t copy_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    ExCopyBatch batch;
    SlArena *arena;
} copy_cache[COPY_CACHE];
static int copy_cached;

int ex_copy_begin(ExEngine *eng, const ExPlan *p, ExCopyIn **out, int *ncols, SlError *err)
{
    (void)err;
    ExCopyIn *ci = sl_calloc(1, sizeof *ci);
    ci->eng = eng;
    pthread_mutex_lock(&copy_cache_lock);
    if (copy_cached > 0) {
        copy_cached--;
        ci->batch = copy_cache[copy_cached].batch;
        ci->arena = copy_cache[copy_cached].arena;
    }
    pthread_mutex_unlock(&copy_cache_lock);
    if (!ci->arena)
        ci->arena = sl_arena_new(8192);
    ExPlan *cp = sl_alloc0(ci->arena, sizeof *cp);
    *cp = *p;
    cp->stmt = NULL;
    cp->relname = sl_strdup(ci->arena, p->relname);
    cp->colmap = sl_alloc(ci->arena, sizeof(int) * (size_t)(p->nvalues + 1));
    memcpy(cp->colmap, p->colmap, sizeof(int) * (size_t)p->nvalues);
    PlColumn *cols = sl_alloc(ci->arena, sizeof(PlColumn) * (size_t)(p->stream_ncols + 1));
    for (int i = 0; i < p->stream_ncols; i++) {
        cols[i].name = sl_strdup(ci->arena, p->stream_cols[i].name);
        cols[i].type = p->stream_cols[i].type;
    }
    cp->stream_cols = cols;
    cp->copyfmt.null_str = sl_strdup(ci->arena, p->copyfmt.null_str);
    ci->plan = cp;
    p = cp;
    ci->types = sl_alloc(ci->arena, sizeof(SlType) * (size_t)(p->nvalues + 1));
    ci->names = sl_alloc(ci->arena, sizeof(char *) * (size_t)(p->nvalues + 1));
    for (int i = 0; i < p->nvalues; i++) {
        ci->types[i] = p->stream_cols[p->colmap[i]].type;
        ci->names[i] = p->stream_cols[p->colmap[i]].name;
    }
    /* the rows: the stream's width, the given columns where colmap says,
     * the others NULL (a column list names each column at most once) */
    ExCopyBatch *b = &ci->batch;
    b->width = p->stream_ncols > 0 ? p->stream_ncols : 1;
    b->map = p->colmap;
    b->blank = NULL;
    /* every column in stream order (the usual COPY): the rows are written
     * straight in the log's encoding, which is all ingestion needs unless
     * the stream has views */
    b->encoded = p->nvalues == p->stream_ncols && p->stream_ncols > 0;
    for (int k = 0; b->encoded && k < p->nvalues; k++)
        b->encoded = p->colmap[k] == k;
    if (p->nvalues < b->width) {
        SlValue *blank = sl_alloc(ci->arena, sizeof(SlValue) * (size_t)b->width);
        for (int k = 0; k < b->width; k++)
            blank[k] = sl_val_null(k < p->stream_ncols ? p->stream_cols[k].type : SL_T_UNKNOWN);
        b->blank = blank;
    }
    ex_copy_parser_init(&ci->parser, &p->copyfmt, p->nvalues, ci->types, ci->names, p->relname, NULL, ci);
    ex_copy_parser_set_batch(&ci->parser, b);
    *ncols = p->nvalues;
    *out = ci;
    return 0;
}

int ex_copy_data(ExCopyIn *ci, const char *data, size_t len, SlError *err)
{
    int rc = ex_copy_parser_feed(&ci->parser, data, len, err);
    copy_crc(ci);
    return rc;
}

void ex_copy_abort(ExCopyIn *ci)
{
    if (!ci)
        return;
    ex_copy_parser_free(&ci->parser);
    /* the copied plan lives in the arena: nothing of this COPY survives a reset */
    ex_copy_batch_reset(&ci->batch, COPY_KEEP_BYTES);
    sl_arena_reset(ci->arena);
    bool kept = false;
    pthread_mutex_lock(&copy_cache_lock);
    if (copy_cached < COPY_CACHE) {
        copy_cache[copy_cached].batch = ci->batch;
        copy_cache[copy_cached].arena = ci->arena;
        copy_cached++;
        kept = true;
    }
    pthread_mutex_unlock(&copy_cache_lock);
    if (!kept) {
        ex_copy_batch_free(&ci->batch);
        sl_arena_free(ci->arena);
    }
    free(ci);
}

int ex_copy_end(ExCopyIn *ci, char tag[64], SlError *err)
{
    int rc = ex_copy_parser_finish(&ci->parser, err);
    copy_crc(ci);
    if (rc == 0 && ci->batch.encoded)
        rc = ex_ingest_encoded(ci->eng->catalog, ci->plan->relname, ci->plan->gen, ci->batch.enc.data,
                               ci->batch.enc.len, ci->crc, ci->batch.n, err);
    else if (rc == 0)
        rc = ex_ingest(ci->eng->catalog, ci->plan->relname, ci->plan->gen, ci->batch.rows, ci->batch.n, err);
    if (rc == 0)
        snprintf(tag, 64, "COPY %lld", (long long)ci->batch.n);
    ex_copy_abort(ci);
    return rc;
}

/* --------------------------------------------------------------- dispatch */

typedef struct SinkAdapter {
    ExSink *sink;
} SinkAdapter;

static int list_row(void *ctx, const SlValue *row, int n, SlError *err)
{
    ExSink *sink = ctx;
    return sink ? sink->row(sink->ctx, row, n, err) : 0;
}

int ex_execute(ExEngine *eng, const ExContext *ctx, const ExPlan *p, const SlValue *params, SlArena *arena,
               ExSink *sink, const volatile int *cancel, char tag[64], SlError *err)
{
    switch (p->kind) {
    case PS_S_SELECT:
        return execute_select(eng, ctx, p, params, arena, sink, cancel, tag, err);
    case PS_S_INSERT:
        return execute_insert(eng, ctx, p, params, arena, tag, err);
    case PS_S_CREATE_STREAM:
    case PS_S_CREATE_VIEW:
    case PS_S_ALTER_VIEW:
    case PS_S_DROP:
        return run_ddl(eng, p, tag, err);
    case PS_S_EXPLAIN:
        for (int i = 0; i < p->nrows; i++)
            if (sink && sink->row(sink->ctx, &p->values[i][0]->value, 1, err) < 0)
                return -1;
        snprintf(tag, 64, "EXPLAIN");
        return 0;
    case PS_S_SHOW_OBJECTS:
        snprintf(tag, 64, "SHOW");
        if (p->stmt->obj == PS_OBJ_CHECKPOINT)
            return ex_list_checkpoints(eng->catalog, list_row, sink, err);
        return ex_list_objects(eng->catalog, p->stmt->obj, arena, list_row, sink, err);
    case PS_S_COPY_FROM:
        return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "COPY FROM STDIN needs the COPY protocol");
    default:
        return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "%s is not supported yet", ps_stmt_kind_name(p->kind));
    }
}
