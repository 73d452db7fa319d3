/*
 * engine.c — the engine's entry points: prepare (bind and plan) and
 * execute statements, dispatching on the statement kind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ex_int.h"

struct ExEngine {
    const SlSettings *settings;
};

struct ExPlan {
    PsStmtKind kind;
    const PsStmt *stmt;
    SlType *params;
    int nparams;
    ExColumn *cols;
    int ncols;
    PlSelect *select;        /* SELECT without FROM */
};

ExEngine *ex_engine_new(const ExEngineConfig *cfg, SlError *err)
{
    (void)err;
    ExEngine *e = sl_calloc(1, sizeof *e);
    e->settings = cfg ? cfg->settings : NULL;
    return e;
}

void ex_engine_free(ExEngine *eng)
{
    free(eng);
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

static int prepare_select(ExPlan *p, const PsStmt *stmt, int nparams, const SlType *param_types,
                          SlArena *arena, SlError *err)
{
    const PsSelect *s = stmt->select;
    if (s->from) {
        const PsFrom *f = s->from->items[0];
        if (f->schema)
            return sl_error_at(err, SL_E_UNDEFINED_TABLE, f->location + 1, "relation \"%s.%s\" does not exist",
                               f->schema, f->name);
        return sl_error_at(err, SL_E_UNDEFINED_TABLE, f->location + 1, "relation \"%s\" does not exist", f->name);
    }
    PlBinder b;
    pl_binder_init(&b, arena, NULL, nparams, param_types);
    if (pl_bind_select(&b, s, &p->select, err) < 0)
        return -1;
    if (p->select->grouped)
        return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "aggregates without FROM are not supported");
    p->nparams = b.nparams;
    p->params = b.params;
    p->ncols = p->select->ntargets;
    p->cols = sl_alloc0(arena, sizeof(ExColumn) * (size_t)(p->ncols ? p->ncols : 1));
    for (int i = 0; i < p->ncols; i++) {
        p->cols[i].name = p->select->names[i];
        p->cols[i].type = p->select->targets[i]->type;
    }
    return 0;
}

int ex_prepare(ExEngine *eng, const ExContext *ctx, const PsStmt *stmt, int nparams,
               const SlType *param_types, SlArena *arena, ExPlan **out, SlError *err)
{
    (void)eng;
    (void)ctx;
    ExPlan *p = sl_alloc0(arena, sizeof *p);
    p->kind = stmt->kind;
    p->stmt = stmt;
    int rc;
    switch (stmt->kind) {
    case PS_S_SELECT:
        rc = prepare_select(p, stmt, nparams, param_types, arena, err);
        break;
    default:
        rc = sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "%s is not supported yet",
                      ps_stmt_kind_name(stmt->kind));
        break;
    }
    if (rc < 0)
        return -1;
    *out = p;
    return 0;
}

static int execute_select(const ExContext *ctx, const ExPlan *p, const SlValue *params, SlArena *arena,
                          ExSink *sink, const volatile int *cancel, char tag[64], SlError *err)
{
    const PlSelect *q = p->select;
    ExEvalCtx ec = {.arena = arena, .params = params, .session = ctx, .cancel = cancel,
                    .stmt_time = sl_now_usec()};
    int64_t rows = 0;
    bool pass = true;
    if (q->where && ex_eval_bool(q->where, NULL, &ec, &pass, err) < 0)
        return -1;
    if (pass && q->offset == 0 && q->limit != 0) {
        SlValue *vals = sl_alloc(arena, sizeof(SlValue) * (size_t)(q->ntargets ? q->ntargets : 1));
        for (int i = 0; i < q->ntargets; i++)
            if (ex_eval(q->targets[i], NULL, &ec, &vals[i], err) < 0)
                return -1;
        if (sink && sink->row(sink->ctx, vals, q->ntargets, err) < 0)
            return -1;
        rows = 1;
    }
    snprintf(tag, 64, "SELECT %lld", (long long)rows);
    return 0;
}

int ex_execute(ExEngine *eng, const ExContext *ctx, const ExPlan *p, const SlValue *params,
               SlArena *arena, ExSink *sink, const volatile int *cancel, char tag[64], SlError *err)
{
    (void)eng;
    switch (p->kind) {
    case PS_S_SELECT:
        return execute_select(ctx, p, params, arena, sink, cancel, tag, err);
    default:
        return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "%s is not supported yet", ps_stmt_kind_name(p->kind));
    }
}
