/*
 * bind.c — the binder: names and types of expressions and SELECTs.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sl_planner.h"

#define POS(e) ((e) && (e)->location >= 0 ? (e)->location + 1 : 0)

/* Positions in errors are 1-based byte offsets here; the server converts
 * nothing further, which matches ASCII text (docs/decisions.md). */

void pl_binder_init(PlBinder *b, SlArena *arena, const PlScope *scope, int nparams,
                    const SlType *param_types)
{
    memset(b, 0, sizeof *b);
    b->arena = arena;
    b->scope = scope;
    b->nparams = nparams;
    b->params = sl_alloc0(arena, sizeof(SlType) * (size_t)(nparams > 0 ? nparams : 1));
    for (int i = 0; i < nparams; i++)
        b->params[i] = param_types ? param_types[i] : SL_T_UNKNOWN;
}

static PlExpr *node(PlBinder *b, PlExprKind kind, SlType type, int location)
{
    PlExpr *e = sl_alloc0(b->arena, sizeof *e);
    e->kind = kind;
    e->type = type;
    e->location = location;
    return e;
}

static void grow_params(PlBinder *b, int n)
{
    if (n <= b->nparams)
        return;
    SlType *p = sl_alloc0(b->arena, sizeof(SlType) * (size_t)n);
    memcpy(p, b->params, sizeof(SlType) * (size_t)b->nparams);
    b->params = p;
    b->nparams = n;
}

/* Can `from` be cast to `to` explicitly? */
static bool castable(SlType from, SlType to)
{
    if (from == to || from == SL_T_UNKNOWN || from == SL_T_TEXT || to == SL_T_TEXT)
        return true;
    bool fn = from == SL_T_INT4 || from == SL_T_INT8 || from == SL_T_NUMERIC || from == SL_T_FLOAT8;
    bool tn = to == SL_T_INT4 || to == SL_T_INT8 || to == SL_T_NUMERIC || to == SL_T_FLOAT8;
    if (fn && tn)
        return true;
    if ((from == SL_T_BOOL && to == SL_T_INT4) || (from == SL_T_INT4 && to == SL_T_BOOL))
        return true;
    if ((from == SL_T_TIMESTAMP || from == SL_T_TIMESTAMPTZ) && (to == SL_T_TIMESTAMP || to == SL_T_TIMESTAMPTZ))
        return true;
    return false;
}

/* The leftmost source location in a bound expression (-1: none). */
static int leftmost(const PlExpr *e)
{
    if (!e)
        return -1;
    int m = e->location;
    const PlExpr *kids[4] = {e->args[0], e->args[1], e->args[2], e->else_expr};
    for (int i = 0; i < 4; i++) {
        int k = leftmost(kids[i]);
        if (k >= 0 && (m < 0 || k < m))
            m = k;
    }
    for (int i = 0; i < e->nlist; i++) {
        int k = leftmost(e->list[i]);
        if (k >= 0 && (m < 0 || k < m))
            m = k;
    }
    return m;
}

int pl_coerce(PlBinder *b, PlExpr **ep, SlType to, bool is_explicit, const char *what, SlError *err)
{
    PlExpr *e = *ep;
    if (e->type == to)
        return 0;
    if (e->kind == PL_PARAM && e->type == SL_T_UNKNOWN) {
        b->params[e->index] = to;
        e->type = to;
        return 0;
    }
    if (e->kind == PL_CONST && e->type == SL_T_UNKNOWN) {
        /* an untyped literal: read it as the wanted type now */
        if (e->value.isnull) {
            e->value = sl_val_null(to);
            e->type = to;
            return 0;
        }
        SlValue v;
        if (sl_value_in(to, e->value.u.s.p, e->value.u.s.len, b->arena, &v, err) < 0) {
            if (err)
                err->position = POS(e);
            return -1;
        }
        e->value = v;
        e->type = to;
        return 0;
    }
    if (!is_explicit && !sl_type_can_coerce(e->type, to)) {
        /* reported where the expression starts, as PostgreSQL does */
        int at = leftmost(e);
        if (what)
            return sl_error_at(err, SL_E_DATATYPE_MISMATCH, at >= 0 ? at + 1 : 0, "%s must be type %s, not type %s",
                               what, sl_type_name(to), sl_type_name(e->type));
        return sl_error_at(err, SL_E_DATATYPE_MISMATCH, at >= 0 ? at + 1 : 0, "cannot use type %s as %s",
                           sl_type_name(e->type), sl_type_name(to));
    }
    if (!castable(e->type, to))
        return sl_error_at(err, SL_E_CANNOT_COERCE, POS(e), "cannot cast type %s to %s",
                           sl_type_name(e->type), sl_type_name(to));
    if (e->kind == PL_CONST) {
        /* fold constant casts */
        SlValue v;
        if (sl_value_cast(&e->value, to, b->arena, &v, err) < 0) {
            if (err)
                err->position = POS(e);
            return -1;
        }
        e->value = v;
        e->type = to;
        return 0;
    }
    PlExpr *c = node(b, PL_CAST, to, e->location);
    c->args[0] = e;
    *ep = c;
    return 0;
}

static void finish_expr(PlExpr *e, PlBinder *b)
{
    if (!e)
        return;
    if (e->type == SL_T_UNKNOWN) {
        if (e->kind == PL_PARAM) {
            if (b->params[e->index] == SL_T_UNKNOWN)
                b->params[e->index] = SL_T_TEXT;
            e->type = b->params[e->index];
        } else if (e->kind == PL_CONST) {
            e->type = SL_T_TEXT;
            if (e->value.isnull)
                e->value.type = SL_T_TEXT;
            else
                e->value.type = SL_T_TEXT;
        } else if (e->kind == PL_CASE) {
            e->type = SL_T_TEXT;
        }
    }
    for (int i = 0; i < 3; i++)
        finish_expr(e->args[i], b);
    for (int i = 0; i < e->nlist; i++)
        finish_expr(e->list[i], b);
    finish_expr(e->else_expr, b);
}

void pl_finish_params(PlBinder *b)
{
    for (int i = 0; i < b->nparams; i++)
        if (b->params[i] == SL_T_UNKNOWN)
            b->params[i] = SL_T_TEXT;
}

/* --------------------------------------------------------------- columns */

static int bind_column(PlBinder *b, const PsExpr *e, PlExpr **out, SlError *err)
{
    const PlScope *s = b->scope;
    if (s && e->qualifier) {
        bool match = (s->alias && !strcmp(e->qualifier, s->alias)) ||
                     (!s->alias && s->relname && !strcmp(e->qualifier, s->relname));
        if (!match)
            return sl_error_at(err, SL_E_UNDEFINED_TABLE, POS(e),
                               "missing FROM-clause entry for table \"%s\"", e->qualifier);
    }
    if (s) {
        for (int i = 0; i < s->ncols; i++) {
            if (!strcmp(s->cols[i].name, e->name)) {
                PlExpr *c = node(b, PL_COLUMN, s->cols[i].type, e->location);
                c->index = i;
                *out = c;
                return 0;
            }
        }
    }
    if (e->qualifier)
        return sl_error_at(err, SL_E_UNDEFINED_COLUMN, POS(e), "column %s.%s does not exist", e->qualifier,
                           e->name);
    return sl_error_at(err, SL_E_UNDEFINED_COLUMN, POS(e), "column \"%s\" does not exist", e->name);
}

/* ------------------------------------------------------------- functions */

typedef struct FuncDef {
    const char *name;
    PlFuncId id;
    int minargs, maxargs;
} FuncDef;

static const FuncDef funcs[] = {
    {"version", PL_F_VERSION, 0, 0}, {"current_database", PL_F_CURRENT_DATABASE, 0, 0},
    {"current_catalog", PL_F_CURRENT_DATABASE, 0, 0},
    {"current_user", PL_F_CURRENT_USER, 0, 0}, {"session_user", PL_F_CURRENT_USER, 0, 0},
    {"user", PL_F_CURRENT_USER, 0, 0}, {"current_schema", PL_F_CURRENT_SCHEMA, 0, 0},
    {"current_setting", PL_F_CURRENT_SETTING, 1, 2}, {"pg_backend_pid", PL_F_BACKEND_PID, 0, 0},
    {"sluice_failpoint", PL_F_FAILPOINT, 2, 2},
    {"now", PL_F_NOW, 0, 0}, {"transaction_timestamp", PL_F_NOW, 0, 0},
    {"statement_timestamp", PL_F_NOW, 0, 0}, {"clock_timestamp", PL_F_CLOCK_TIMESTAMP, 0, 0},
    {"localtimestamp", PL_F_LOCALTIMESTAMP, 0, 0},
    {"abs", PL_F_ABS, 1, 1}, {"round", PL_F_ROUND, 1, 2}, {"floor", PL_F_FLOOR, 1, 1},
    {"ceil", PL_F_CEIL, 1, 1}, {"ceiling", PL_F_CEIL, 1, 1}, {"trunc", PL_F_TRUNC, 1, 2},
    {"mod", PL_F_MOD, 2, 2}, {"power", PL_F_POWER, 2, 2}, {"pow", PL_F_POWER, 2, 2},
    {"sqrt", PL_F_SQRT, 1, 1}, {"ln", PL_F_LN, 1, 1}, {"exp", PL_F_EXP, 1, 1},
    {"sign", PL_F_SIGN, 1, 1}, {"greatest", PL_F_GREATEST, 1, 100}, {"least", PL_F_LEAST, 1, 100},
    {"coalesce", PL_F_COALESCE, 1, 100}, {"nullif", PL_F_NULLIF, 2, 2},
    {"lower", PL_F_LOWER, 1, 1}, {"upper", PL_F_UPPER, 1, 1}, {"length", PL_F_LENGTH, 1, 1},
    {"char_length", PL_F_LENGTH, 1, 1}, {"character_length", PL_F_LENGTH, 1, 1},
    {"substr", PL_F_SUBSTR, 2, 3}, {"substring", PL_F_SUBSTR, 2, 3}, {"btrim", PL_F_BTRIM, 1, 2},
    {"trim", PL_F_BTRIM, 1, 2}, {"ltrim", PL_F_LTRIM, 1, 2}, {"rtrim", PL_F_RTRIM, 1, 2},
    {"replace", PL_F_REPLACE, 3, 3}, {"concat", PL_F_CONCAT, 1, 100},
    {"concat_ws", PL_F_CONCAT_WS, 2, 100}, {"left", PL_F_LEFT, 2, 2}, {"right", PL_F_RIGHT, 2, 2},
    {"repeat", PL_F_REPEAT, 2, 2}, {"strpos", PL_F_STRPOS, 2, 2}, {"md5", PL_F_MD5, 1, 1},
    {"date_trunc", PL_F_DATE_TRUNC, 2, 2}, {"date_part", PL_F_DATE_PART, 2, 2},
    {"to_timestamp", PL_F_TO_TIMESTAMP, 1, 1}, {"pg_typeof", PL_F_PG_TYPEOF, 1, 1},
    {"pg_sleep", PL_F_PG_SLEEP, 1, 1}, {"random", PL_F_RANDOM, 0, 0},
    {"split_part", PL_F_SPLIT_PART, 3, 3}, {"extract", PL_F_EXTRACT, 2, 2},
    {"log", PL_F_LOG, 1, 2}, {"log10", PL_F_LOG, 1, 1}, {"pi", PL_F_PI, 0, 0}, {"cbrt", PL_F_CBRT, 1, 1},
    {"degrees", PL_F_DEGREES, 1, 1}, {"radians", PL_F_RADIANS, 1, 1}, {"div", PL_F_DIV, 2, 2},
    {"initcap", PL_F_INITCAP, 1, 1}, {"lpad", PL_F_LPAD, 2, 3}, {"rpad", PL_F_RPAD, 2, 3},
    {"reverse", PL_F_REVERSE, 1, 1}, {"octet_length", PL_F_OCTET_LENGTH, 1, 1}, {"ascii", PL_F_ASCII, 1, 1},
    {"chr", PL_F_CHR, 1, 1}, {"starts_with", PL_F_STARTS_WITH, 2, 2}, {"to_hex", PL_F_TO_HEX, 1, 1},
};

const char *pl_func_name(PlFuncId f)
{
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
        if (funcs[i].id == f)
            return funcs[i].name;
    return "?";
}

const char *pl_agg_name(PlAggKind k)
{
    static const char *const n[] = {"count", "count", "sum", "avg", "min", "max"};
    return n[k];
}

static bool is_numeric_type(SlType t)
{
    return t == SL_T_INT4 || t == SL_T_INT8 || t == SL_T_NUMERIC || t == SL_T_FLOAT8;
}

/* The argument types as PostgreSQL prints them in messages. */
static void signature(const SlType *types, int n, char *sig, size_t size)
{
    size_t k = 0;
    sig[0] = '\0';
    for (int i = 0; i < n && k + 40 < size; i++)
        k += (size_t)snprintf(sig + k, size - k, "%s%s", i ? ", " : "",
                              types[i] == SL_T_UNKNOWN ? "unknown" : sl_type_name(types[i]));
}

/* 42883 naming the types the call was written with (an untyped literal
 * is "unknown", even after an attempt to coerce it). */
static int no_func_types(const PsExpr *e, const SlType *types, int n, SlError *err)
{
    char sig[256];
    signature(types, n, sig, sizeof sig);
    sl_error_at(err, SL_E_UNDEFINED_FUNCTION, POS(e), "function %s(%s) does not exist", e->name, sig);
    sl_error_hint(err, "No function matches the given name and argument types. You might need to add explicit type casts.");
    return -1;
}

static int no_func(const PsExpr *e, PlExpr **args, int n, SlError *err)
{
    SlType types[100];
    for (int i = 0; i < n && i < 100; i++)
        types[i] = args[i]->type;
    return no_func_types(e, types, n < 100 ? n : 100, err);
}

/* An argument would not coerce to the function's type: a literal that
 * does not read as that type keeps its input error (22P02 ...), as
 * PostgreSQL reports it; a typed argument means no such function. */
static int coerce_failed(const PsExpr *e, const SlType *types, int n, SlError *err)
{
    if (err && err->code != SL_E_DATATYPE_MISMATCH && err->code != SL_E_CANNOT_COERCE)
        return -1;
    return no_func_types(e, types, n, err);
}

/* 42725: more than one function would do for an untyped argument. */
static int not_unique(const PsExpr *e, const SlType *types, int n, SlError *err)
{
    char sig[256];
    signature(types, n, sig, sizeof sig);
    sl_error_at(err, SL_E_AMBIGUOUS_FUNCTION, POS(e), "function %s(%s) is not unique", e->name, sig);
    sl_error_hint(err, "Could not choose a best candidate function. You might need to add explicit type casts.");
    return -1;
}

/* Coerces every argument to t. */
static int coerce_all(PlBinder *b, PlExpr **args, int n, SlType t, SlError *err)
{
    for (int i = 0; i < n; i++)
        if (pl_coerce(b, &args[i], t, false, NULL, err) < 0)
            return -1;
    return 0;
}

/* The common type of args, as PostgreSQL's select_common_type: untyped
 * arguments are skipped, the first typed one leads; on a conflict *bad is
 * the index of the argument that does not fit (and *have the type so
 * far). Untyped all along: text. */
static SlType common_type(PlExpr **args, int n, int *bad, SlType *have)
{
    SlType t = SL_T_UNKNOWN;
    for (int i = 0; i < n; i++) {
        SlType a = args[i]->type;
        if (a == SL_T_UNKNOWN)
            continue;
        if (t == SL_T_UNKNOWN) {
            t = a;
            continue;
        }
        SlType c = sl_type_common(t, a);
        if (c == SL_T_UNKNOWN) {
            *bad = i;
            *have = t;
            return (SlType)-1;
        }
        t = c;
    }
    return t == SL_T_UNKNOWN ? SL_T_TEXT : t;
}

static int types_mismatch(const char *what, PlExpr **args, int bad, SlType have, SlError *err)
{
    return sl_error_at(err, SL_E_DATATYPE_MISMATCH, POS(args[bad]), "%s types %s and %s cannot be matched", what,
                       sl_type_name(have), sl_type_name(args[bad]->type));
}

static SlType common_of(PlExpr **args, int n)
{
    SlType t = SL_T_UNKNOWN;
    for (int i = 0; i < n; i++) {
        SlType c = sl_type_common(t, args[i]->type);
        if (c == SL_T_UNKNOWN && t != SL_T_UNKNOWN && args[i]->type != SL_T_UNKNOWN)
            return (SlType)-1;
        t = c;
    }
    return t == SL_T_UNKNOWN ? SL_T_TEXT : t;
}

static int bind_agg(PlBinder *b, const PsExpr *e, PlExpr **out, SlError *err)
{
    PlAggKind kind;
    if (!strcmp(e->name, "count"))
        kind = e->func_star ? PL_AGG_COUNT_STAR : PL_AGG_COUNT;
    else if (!strcmp(e->name, "sum"))
        kind = PL_AGG_SUM;
    else if (!strcmp(e->name, "avg"))
        kind = PL_AGG_AVG;
    else if (!strcmp(e->name, "min"))
        kind = PL_AGG_MIN;
    else
        kind = PL_AGG_MAX;
    if (!b->allow_aggs) {
        if (b->agg_context)
            return sl_error_at(err, SL_E_GROUPING_ERROR, POS(e), "aggregate functions are not allowed in %s",
                               b->agg_context);
        return sl_error_at(err, SL_E_GROUPING_ERROR, POS(e), "aggregate functions are not allowed here");
    }
    if (b->in_agg)
        return sl_error_at(err, SL_E_GROUPING_ERROR, POS(e), "aggregate function calls cannot be nested");
    if (e->func_star && kind != PL_AGG_COUNT_STAR)
        return sl_error_at(err, SL_E_SYNTAX_ERROR, POS(e), "%s(*) must be used to call a parameterless aggregate function", e->name);
    PlExpr *arg = NULL;
    SlType rt = SL_T_INT8;
    if (kind != PL_AGG_COUNT_STAR) {
        if (PS_LIST_LEN(e->list) != 1)
            return sl_error_at(err, SL_E_UNDEFINED_FUNCTION, POS(e), "function %s does not take %d arguments",
                               e->name, PS_LIST_LEN(e->list));
        b->in_agg = true;
        const PsList *save_group = b->group_by;
        b->group_by = NULL;
        int rc = pl_bind_expr(b, e->list->items[0], &arg, err);
        b->group_by = save_group;
        b->in_agg = false;
        if (rc < 0)
            return -1;
        SlType at = arg->type;
        switch (kind) {
        case PL_AGG_COUNT:
            /* count('a') counts text; count($1) leaves $1 undetermined (42P18) */
            if (at == SL_T_UNKNOWN && arg->kind == PL_CONST && pl_coerce(b, &arg, SL_T_TEXT, false, NULL, err) < 0)
                return -1;
            rt = SL_T_INT8;
            break;
        case PL_AGG_SUM:
        case PL_AGG_AVG:
            if (at == SL_T_UNKNOWN)
                return not_unique(e, &at, 1, err);
            if (!is_numeric_type(at) && !(at == SL_T_INTERVAL)) {
                PlExpr *args[1] = {arg};
                return no_func(e, args, 1, err);
            }
            if (kind == PL_AGG_SUM)
                rt = at == SL_T_INT4 ? SL_T_INT8 : at == SL_T_INT8 ? SL_T_NUMERIC : at;
            else
                rt = (at == SL_T_FLOAT8 || at == SL_T_INTERVAL) ? at : SL_T_NUMERIC;
            break;
        default:
            if (at == SL_T_UNKNOWN) {
                if (pl_coerce(b, &arg, SL_T_TEXT, false, NULL, err) < 0)
                    return -1;
                at = SL_T_TEXT;
            }
            if (at == SL_T_BOOL) { /* PostgreSQL has bool_and/bool_or instead */
                PlExpr *args[1] = {arg};
                return no_func(e, args, 1, err);
            }
            rt = at;
            break;
        }
    }
    if (e->func_distinct && kind != PL_AGG_COUNT && kind != PL_AGG_SUM && kind != PL_AGG_AVG &&
        kind != PL_AGG_MIN && kind != PL_AGG_MAX)
        return sl_error_at(err, SL_E_FEATURE_NOT_SUPPORTED, POS(e), "DISTINCT is not supported here");
    if (b->naggs == b->capaggs) {
        int cap = b->capaggs ? b->capaggs * 2 : 4;
        PlAgg *n = sl_alloc0(b->arena, sizeof(PlAgg) * (size_t)cap);
        if (b->naggs)
            memcpy(n, b->aggs, sizeof(PlAgg) * (size_t)b->naggs);
        b->aggs = n;
        b->capaggs = cap;
    }
    PlAgg *a = &b->aggs[b->naggs];
    a->kind = kind;
    a->distinct = e->func_distinct;
    a->arg = arg;
    a->type = rt;
    PlExpr *r = node(b, PL_AGG, rt, e->location);
    r->index = b->naggs++;
    *out = r;
    return 0;
}

static int bind_func(PlBinder *b, const PsExpr *e, PlExpr **out, SlError *err)
{
    const char *name = e->name;
    if (!strcmp(name, "count") || !strcmp(name, "sum") || !strcmp(name, "avg") || !strcmp(name, "min") ||
        !strcmp(name, "max"))
        return bind_agg(b, e, out, err);
    int n = PS_LIST_LEN(e->list);
    PlExpr **args = sl_alloc0(b->arena, sizeof(PlExpr *) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        if (pl_bind_expr(b, e->list->items[i], &args[i], err) < 0)
            return -1;
    if (e->func_star || e->func_distinct)
        return sl_error_at(err, SL_E_WRONG_OBJECT_TYPE, POS(e),
                           "%s is not an aggregate function", name);
    const FuncDef *fd = NULL;
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
        if (!strcmp(funcs[i].name, name) && n >= funcs[i].minargs && n <= funcs[i].maxargs) {
            fd = &funcs[i];
            break;
        }
    if (!fd)
        return no_func(e, args, n, err);
    /* the types as written, for messages */
    SlType *orig = sl_alloc(b->arena, sizeof(SlType) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        orig[i] = args[i]->type;
    PlFuncId id = fd->id;
    if (id == PL_F_DATE_PART && e->sql_name && !strcmp(e->sql_name, "extract"))
        id = PL_F_EXTRACT;
    SlType rt = SL_T_TEXT;
    SlType t0 = n ? args[0]->type : SL_T_UNKNOWN;
    SlValue typname = sl_val_null(SL_T_TEXT);
    switch (id) {
    case PL_F_VERSION: case PL_F_CURRENT_DATABASE: case PL_F_CURRENT_USER: case PL_F_CURRENT_SCHEMA:
        rt = SL_T_TEXT;
        break;
    case PL_F_CURRENT_SETTING:
        if (coerce_all(b, args, 1, SL_T_TEXT, err) < 0)
            return -1;
        if (n == 2 && pl_coerce(b, &args[1], SL_T_BOOL, false, NULL, err) < 0)
            return -1;
        break;
    case PL_F_FAILPOINT:
        if (coerce_all(b, args, 2, SL_T_TEXT, err) < 0)
            return -1;
        break;
    case PL_F_BACKEND_PID: rt = SL_T_INT4; break;
    case PL_F_NOW: case PL_F_CLOCK_TIMESTAMP: rt = SL_T_TIMESTAMPTZ; break;
    case PL_F_LOCALTIMESTAMP: rt = SL_T_TIMESTAMP; break;
    case PL_F_ABS: case PL_F_SIGN:
        if (t0 == SL_T_UNKNOWN && pl_coerce(b, &args[0], SL_T_FLOAT8, false, NULL, err) < 0)
            return -1;
        if (!is_numeric_type(args[0]->type))
            return no_func_types(e, orig, n, err);
        /* sign has only numeric and double precision versions */
        if (id == PL_F_SIGN && (t0 == SL_T_INT4 || t0 == SL_T_INT8) &&
            pl_coerce(b, &args[0], SL_T_FLOAT8, false, NULL, err) < 0)
            return -1;
        rt = args[0]->type;
        break;
    case PL_F_ROUND: case PL_F_TRUNC: case PL_F_FLOOR: case PL_F_CEIL:
        /* PostgreSQL also has trunc(macaddr): an untyped trunc('x') is ambiguous */
        if (id == PL_F_TRUNC && n == 1 && t0 == SL_T_UNKNOWN)
            return not_unique(e, orig, n, err);
        /* integers go to the double precision versions (float8 is the
         * preferred numeric type), as in PostgreSQL: floor(5) is 5::float8 */
        if (n == 1 && (t0 == SL_T_UNKNOWN || t0 == SL_T_INT4 || t0 == SL_T_INT8) &&
            pl_coerce(b, &args[0], SL_T_FLOAT8, false, NULL, err) < 0)
            return -1;
        if (n == 2 && t0 == SL_T_UNKNOWN && pl_coerce(b, &args[0], SL_T_NUMERIC, false, NULL, err) < 0)
            return -1;
        if (!is_numeric_type(args[0]->type))
            return no_func_types(e, orig, n, err);
        if (n == 2) {
            if (pl_coerce(b, &args[0], SL_T_NUMERIC, false, NULL, err) < 0 ||
                pl_coerce(b, &args[1], SL_T_INT4, false, NULL, err) < 0)
                return coerce_failed(e, orig, n, err);
            rt = SL_T_NUMERIC;
        } else {
            rt = args[0]->type == SL_T_FLOAT8 ? SL_T_FLOAT8 : SL_T_NUMERIC;
            if (args[0]->type != SL_T_FLOAT8 && pl_coerce(b, &args[0], SL_T_NUMERIC, false, NULL, err) < 0)
                return -1;
        }
        break;
    case PL_F_MOD: {
        /* int4, int8 and numeric versions, none preferred */
        if (args[0]->type == SL_T_UNKNOWN && args[1]->type == SL_T_UNKNOWN)
            return not_unique(e, orig, n, err);
        SlType t = common_of(args, n);
        if (t == (SlType)-1 || !is_numeric_type(t) || t == SL_T_FLOAT8)
            return no_func_types(e, orig, n, err);
        if (coerce_all(b, args, n, t, err) < 0)
            return -1;
        rt = t;
        break;
    }
    case PL_F_POWER: case PL_F_SQRT: case PL_F_LN: case PL_F_EXP: case PL_F_LOG: {
        /* numeric versions when an argument is numeric (and none is
         * double precision), as PostgreSQL picks them; log(b, x) exists
         * only for numeric */
        bool num = id == PL_F_LOG && n == 2, flt = false;
        for (int i = 0; i < n; i++) {
            num |= args[i]->type == SL_T_NUMERIC;
            flt |= args[i]->type == SL_T_FLOAT8;
        }
        rt = num && !flt ? SL_T_NUMERIC : SL_T_FLOAT8;
        if (id == PL_F_LOG && n == 2)
            rt = SL_T_NUMERIC;
        if (coerce_all(b, args, n, rt, err) < 0)
            return coerce_failed(e, orig, n, err);
        break;
    }
    case PL_F_GREATEST: case PL_F_LEAST: case PL_F_COALESCE: case PL_F_NULLIF: {
        int bad = 0;
        SlType have = SL_T_UNKNOWN;
        SlType t = common_type(args, n, &bad, &have);
        if (t == (SlType)-1) {
            if (id == PL_F_NULLIF) {
                sl_error_at(err, SL_E_UNDEFINED_FUNCTION, POS(e), "operator does not exist: %s = %s",
                            sl_type_name(args[0]->type), sl_type_name(args[1]->type));
                sl_error_hint(err, "No operator matches the given name and argument types. You might need to add explicit type casts.");
                return -1;
            }
            return types_mismatch(id == PL_F_COALESCE ? "COALESCE" : id == PL_F_GREATEST ? "GREATEST" : "LEAST",
                                  args, bad, have, err);
        }
        if (coerce_all(b, args, n, t, err) < 0)
            return -1;
        rt = t;
        break;
    }
    case PL_F_LOWER: case PL_F_UPPER: case PL_F_MD5:
        if (coerce_all(b, args, n, SL_T_TEXT, err) < 0)
            return coerce_failed(e, orig, n, err);
        break;
    case PL_F_LENGTH:
        if (coerce_all(b, args, n, SL_T_TEXT, err) < 0)
            return coerce_failed(e, orig, n, err);
        rt = SL_T_INT4;
        break;
    case PL_F_SUBSTR: case PL_F_LEFT: case PL_F_RIGHT: case PL_F_REPEAT:
        if (pl_coerce(b, &args[0], SL_T_TEXT, false, NULL, err) < 0 ||
            coerce_all(b, args + 1, n - 1, SL_T_INT4, err) < 0)
            return coerce_failed(e, orig, n, err);
        break;
    case PL_F_BTRIM: case PL_F_LTRIM: case PL_F_RTRIM: case PL_F_REPLACE:
        if (coerce_all(b, args, n, SL_T_TEXT, err) < 0)
            return coerce_failed(e, orig, n, err);
        break;
    case PL_F_STRPOS:
        if (coerce_all(b, args, n, SL_T_TEXT, err) < 0)
            return coerce_failed(e, orig, n, err);
        rt = SL_T_INT4;
        break;
    case PL_F_CONCAT: case PL_F_CONCAT_WS:
        if (id == PL_F_CONCAT_WS && t0 != SL_T_UNKNOWN && t0 != SL_T_TEXT)
            return no_func_types(e, orig, n, err);
        /* "any" arguments: literals are text, parameters stay undetermined */
        for (int i = 0; i < n; i++)
            if (args[i]->type == SL_T_UNKNOWN && (args[i]->kind == PL_CONST || (id == PL_F_CONCAT_WS && i == 0)) &&
                pl_coerce(b, &args[i], SL_T_TEXT, false, NULL, err) < 0)
                return -1;
        break;
    case PL_F_DATE_TRUNC: case PL_F_DATE_PART: case PL_F_EXTRACT:
        /* an untyped second argument could be a timestamp, a timestamptz
         * or an interval */
        if (args[1]->type == SL_T_UNKNOWN)
            return not_unique(e, orig, n, err);
        if (args[1]->type == SL_T_UNKNOWN && pl_coerce(b, &args[1], SL_T_TIMESTAMPTZ, false, NULL, err) < 0)
            return -1;
        if (args[1]->type != SL_T_TIMESTAMP && args[1]->type != SL_T_TIMESTAMPTZ &&
            !(id != PL_F_DATE_TRUNC && args[1]->type == SL_T_INTERVAL))
            return no_func_types(e, orig, n, err);
        if (pl_coerce(b, &args[0], SL_T_TEXT, false, NULL, err) < 0)
            return coerce_failed(e, orig, n, err);
        rt = id == PL_F_DATE_TRUNC ? args[1]->type : id == PL_F_EXTRACT ? SL_T_NUMERIC : SL_T_FLOAT8;
        break;
    case PL_F_PI:
        rt = SL_T_FLOAT8;
        break;
    case PL_F_CBRT: case PL_F_DEGREES: case PL_F_RADIANS:
        if (coerce_all(b, args, n, SL_T_FLOAT8, err) < 0)
            return coerce_failed(e, orig, n, err);
        rt = SL_T_FLOAT8;
        break;
    case PL_F_DIV:
        if (coerce_all(b, args, n, SL_T_NUMERIC, err) < 0)
            return coerce_failed(e, orig, n, err);
        rt = SL_T_NUMERIC;
        break;
    case PL_F_INITCAP: case PL_F_REVERSE: case PL_F_OCTET_LENGTH: case PL_F_ASCII: case PL_F_STARTS_WITH:
        if (coerce_all(b, args, n, SL_T_TEXT, err) < 0)
            return coerce_failed(e, orig, n, err);
        rt = id == PL_F_OCTET_LENGTH || id == PL_F_ASCII ? SL_T_INT4 : id == PL_F_STARTS_WITH ? SL_T_BOOL : SL_T_TEXT;
        break;
    case PL_F_LPAD: case PL_F_RPAD:
        if (pl_coerce(b, &args[0], SL_T_TEXT, false, NULL, err) < 0 ||
            pl_coerce(b, &args[1], SL_T_INT4, false, NULL, err) < 0 ||
            (n == 3 && pl_coerce(b, &args[2], SL_T_TEXT, false, NULL, err) < 0))
            return coerce_failed(e, orig, n, err);
        break;
    case PL_F_CHR:
        if (coerce_all(b, args, n, SL_T_INT4, err) < 0)
            return coerce_failed(e, orig, n, err);
        break;
    case PL_F_TO_HEX:
        if (t0 == SL_T_UNKNOWN) /* integer and bigint versions */
            return not_unique(e, orig, n, err);
        if (args[0]->type != SL_T_INT4 && args[0]->type != SL_T_INT8)
            return no_func_types(e, orig, n, err);
        break;
    case PL_F_SPLIT_PART:
        if (coerce_all(b, args, 2, SL_T_TEXT, err) < 0 || pl_coerce(b, &args[2], SL_T_INT4, false, NULL, err) < 0)
            return coerce_failed(e, orig, n, err);
        break;
    case PL_F_TO_TIMESTAMP:
        if (coerce_all(b, args, n, SL_T_FLOAT8, err) < 0)
            return coerce_failed(e, orig, n, err);
        rt = SL_T_TIMESTAMPTZ;
        break;
    case PL_F_PG_TYPEOF: {
        static const char *const names[] = {"unknown", "boolean", "integer", "bigint", "double precision",
                                            "numeric", "text", "timestamp without time zone",
                                            "timestamp with time zone", "interval"};
        const char *nm = t0 < SL_T__COUNT ? names[t0] : "unknown";
        typname = sl_val_text(nm, strlen(nm));
        rt = SL_T_TEXT;
        break;
    }
    case PL_F_PG_SLEEP:
        if (coerce_all(b, args, n, SL_T_FLOAT8, err) < 0)
            return coerce_failed(e, orig, n, err);
        rt = SL_T_TEXT; /* PostgreSQL's void prints as an empty string */
        break;
    case PL_F_RANDOM:
        rt = SL_T_FLOAT8;
        break;
    default:
        break;
    }
    PlExpr *f = node(b, PL_FUNC, rt, e->location);
    f->func = id;
    f->value = typname;
    f->list = args;
    f->nlist = n;
    *out = f;
    return 0;
}

/* ------------------------------------------------------------ operators */

static SlOp ps_to_sl_op(PsOp op)
{
    switch (op) {
    case PS_OP_ADD: return SL_OP_ADD;
    case PS_OP_SUB: return SL_OP_SUB;
    case PS_OP_MUL: return SL_OP_MUL;
    case PS_OP_DIV: return SL_OP_DIV;
    case PS_OP_MOD: return SL_OP_MOD;
    case PS_OP_CONCAT: return SL_OP_CONCAT;
    case PS_OP_EQ: return SL_OP_EQ;
    case PS_OP_NE: return SL_OP_NE;
    case PS_OP_LT: return SL_OP_LT;
    case PS_OP_LE: return SL_OP_LE;
    case PS_OP_GT: return SL_OP_GT;
    default: return SL_OP_GE;
    }
}

static const char *op_sym(SlOp op)
{
    static const char *const s[] = {"+", "-", "*", "/", "%", "=", "<>", "<", "<=", ">", ">=", "||"};
    return s[op];
}

static int no_operator(SlOp op, SlType l, SlType r, int location, SlError *err)
{
    sl_error_at(err, SL_E_UNDEFINED_FUNCTION, location + 1, "operator does not exist: %s %s %s",
                l == SL_T_UNKNOWN ? "unknown" : sl_type_name(l), op_sym(op),
                r == SL_T_UNKNOWN ? "unknown" : sl_type_name(r));
    sl_error_hint(err, "No operator matches the given name and argument types. You might need to add explicit type casts.");
    return -1;
}

/* Binds l op r with unknown sides taking the other side's type. */
static int bind_op(PlBinder *b, SlOp op, PlExpr *l, PlExpr *r, int location, PlExpr **out, SlError *err)
{
    if (l->type == SL_T_UNKNOWN && r->type == SL_T_UNKNOWN) {
        if (op <= SL_OP_MOD) {
            /* '1' + '2': every numeric type (and more) would do */
            sl_error_at(err, SL_E_AMBIGUOUS_FUNCTION, location + 1, "operator is not unique: unknown %s unknown",
                        op_sym(op));
            sl_error_hint(err, "Could not choose a best candidate operator. You might need to add explicit type casts.");
            return -1;
        }
        if (pl_coerce(b, &l, SL_T_TEXT, false, NULL, err) < 0 || pl_coerce(b, &r, SL_T_TEXT, false, NULL, err) < 0)
            return -1;
    } else if (l->type == SL_T_UNKNOWN) {
        SlType t = op == SL_OP_CONCAT ? SL_T_TEXT : r->type;
        if (op == SL_OP_ADD && (r->type == SL_T_TIMESTAMP || r->type == SL_T_TIMESTAMPTZ))
            t = SL_T_INTERVAL;
        else if (op == SL_OP_MUL && r->type == SL_T_INTERVAL)
            t = SL_T_FLOAT8;
        if (sl_op_result_type(op, t, r->type) == SL_T_UNKNOWN)
            return no_operator(op, SL_T_UNKNOWN, r->type, location, err);
        if (pl_coerce(b, &l, t, false, NULL, err) < 0)
            return -1;
    } else if (r->type == SL_T_UNKNOWN) {
        SlType t = op == SL_OP_CONCAT ? SL_T_TEXT : l->type;
        if (op == SL_OP_ADD && (l->type == SL_T_TIMESTAMP || l->type == SL_T_TIMESTAMPTZ) && r->kind == PL_PARAM) {
            t = SL_T_INTERVAL;
        } else if ((op == SL_OP_ADD || op == SL_OP_SUB) && (l->type == SL_T_TIMESTAMP || l->type == SL_T_TIMESTAMPTZ) &&
            r->kind == PL_CONST) {
            /* '1 hour' after a timestamp: an interval, unless it reads as a timestamp */
            SlValue probe;
            t = (op == SL_OP_SUB && sl_value_in(l->type, r->value.u.s.p, r->value.u.s.len, NULL, &probe, NULL) == 0)
                    ? l->type
                    : SL_T_INTERVAL;
        } else if ((op == SL_OP_MUL || op == SL_OP_DIV) && l->type == SL_T_INTERVAL) {
            t = SL_T_FLOAT8;
        }
        /* no operator for the pair: say so before reading the literal */
        if (sl_op_result_type(op, l->type, t) == SL_T_UNKNOWN)
            return no_operator(op, l->type, SL_T_UNKNOWN, location, err);
        if (pl_coerce(b, &r, t, false, NULL, err) < 0)
            return -1;
    }
    SlType rt = sl_op_result_type(op, l->type, r->type);
    if (rt == SL_T_UNKNOWN)
        return no_operator(op, l->type, r->type, location, err);
    /* a constant of a narrower type is widened now (price > 100 compares
     * bigints), which is what evaluation would do row by row */
    if (l->type != r->type && r->kind == PL_CONST && sl_type_can_coerce(r->type, l->type) &&
        sl_op_result_type(op, l->type, l->type) == rt && pl_coerce(b, &r, l->type, false, NULL, err) < 0)
        return -1;
    if (l->type != r->type && l->kind == PL_CONST && sl_type_can_coerce(l->type, r->type) &&
        sl_op_result_type(op, r->type, r->type) == rt && pl_coerce(b, &l, r->type, false, NULL, err) < 0)
        return -1;
    PlExpr *o = node(b, PL_OP, rt, location);
    o->op = op;
    o->args[0] = l;
    o->args[1] = r;
    *out = o;
    return 0;
}

static int bind_bool(PlBinder *b, const PsExpr *e, const char *what, PlExpr **out, SlError *err)
{
    if (pl_bind_expr(b, e, out, err) < 0)
        return -1;
    return pl_coerce(b, out, SL_T_BOOL, false, what, err);
}

static int bind_logic(PlBinder *b, PlExprKind kind, const PsExpr *e, PlExpr **out, SlError *err)
{
    PlExpr *l, *r;
    const char *what = kind == PL_AND ? "argument of AND" : "argument of OR";
    if (bind_bool(b, e->left, what, &l, err) < 0 || bind_bool(b, e->right, what, &r, err) < 0)
        return -1;
    int n = (l->kind == kind ? l->nlist : 1) + (r->kind == kind ? r->nlist : 1);
    PlExpr *x = node(b, kind, SL_T_BOOL, e->location);
    x->list = sl_alloc(b->arena, sizeof(PlExpr *) * (size_t)n);
    PlExpr *parts[2] = {l, r};
    for (int p = 0; p < 2; p++) {
        if (parts[p]->kind == kind)
            for (int i = 0; i < parts[p]->nlist; i++)
                x->list[x->nlist++] = parts[p]->list[i];
        else
            x->list[x->nlist++] = parts[p];
    }
    *out = x;
    return 0;
}

/* 42803 naming the column as PostgreSQL does: "rel.col". */
static int grouping_error(PlBinder *b, const char *col, int pos, SlError *err)
{
    const char *rel = b->scope ? (b->scope->alias ? b->scope->alias : b->scope->relname) : NULL;
    return sl_error_at(err, SL_E_GROUPING_ERROR, pos,
                       "column \"%s%s%s\" must appear in the GROUP BY clause or be used in an aggregate function",
                       rel ? rel : "", rel ? "." : "", col);
}

/* In a grouped select, an expression equal to a GROUP BY key refers to it. */
static int match_group_key(PlBinder *b, const PsExpr *e, PlExpr **out, SlError *err)
{
    if (!b->group_by || b->in_agg)
        return 0;
    SlBuf me, other;
    sl_buf_init(&me);
    sl_buf_init(&other);
    ps_expr_deparse(e, &me);
    int found = -1;
    for (int i = 0; i < b->group_by->n && found < 0; i++) {
        sl_buf_reset(&other);
        ps_expr_deparse(b->group_by->items[i], &other);
        if (!strcmp(me.data, other.data))
            found = i;
        else if (e->kind == PS_E_COLUMN && ((PsExpr *)b->group_by->items[i])->kind == PS_E_COLUMN &&
                 !strcmp(e->name, ((PsExpr *)b->group_by->items[i])->name))
            found = i;
    }
    sl_buf_free(&me);
    sl_buf_free(&other);
    if (found < 0)
        return 0;
    /* bind the key itself against the input scope to learn its type */
    const PsList *save = b->group_by;
    b->group_by = NULL;
    PlExpr *k;
    int rc = pl_bind_expr(b, save->items[found], &k, err);
    b->group_by = save;
    if (rc < 0)
        return -1;
    /* keys are finished before the targets: an untyped literal key is text */
    PlExpr *c = node(b, PL_COLUMN, k->type == SL_T_UNKNOWN ? SL_T_TEXT : k->type, e->location);
    c->index = found;
    *out = c;
    return 1;
}

int pl_bind_expr(PlBinder *b, const PsExpr *e, PlExpr **out, SlError *err)
{
    int m = match_group_key(b, e, out, err);
    if (m != 0)
        return m < 0 ? -1 : 0;
    PlExpr *x, *l, *r;
    switch (e->kind) {
    case PS_E_CONST:
        x = node(b, PL_CONST, e->unknown_literal || e->value.isnull ? SL_T_UNKNOWN : (SlType)e->value.type,
                 e->location);
        x->value = e->value;
        if (e->value.isnull)
            x->value.type = SL_T_UNKNOWN;
        *out = x;
        return 0;
    case PS_E_PARAM:
        grow_params(b, e->param_no);
        x = node(b, PL_PARAM, b->params[e->param_no - 1], e->location);
        x->index = e->param_no - 1;
        *out = x;
        return 0;
    case PS_E_COLUMN:
        if (b->group_by && !b->in_agg && b->scope) {
            /* a column that is not a key, outside an aggregate */
            PlExpr *probe;
            if (bind_column(b, e, &probe, err) < 0)
                return -1;
            return grouping_error(b, e->name, POS(e), err);
        }
        return bind_column(b, e, out, err);
    case PS_E_STAR:
        return sl_error_at(err, SL_E_SYNTAX_ERROR, POS(e), "* is not allowed here");
    case PS_E_UNARY:
        if (e->op == PS_OP_NOT) {
            if (bind_bool(b, e->left, "argument of NOT", &l, err) < 0)
                return -1;
            x = node(b, PL_NOT, SL_T_BOOL, e->location);
            x->args[0] = l;
            *out = x;
            return 0;
        }
        if (pl_bind_expr(b, e->left, &l, err) < 0)
            return -1;
        if (l->type == SL_T_UNKNOWN) {
            /* - 'x': numeric, integer, interval ... all would do */
            sl_error_at(err, SL_E_AMBIGUOUS_FUNCTION, POS(e), "operator is not unique: %s unknown",
                        e->op == PS_OP_NEG ? "-" : "+");
            sl_error_hint(err, "Could not choose a best candidate operator. You might need to add explicit type casts.");
            return -1;
        }
        if (l->type == SL_T_UNKNOWN && pl_coerce(b, &l, SL_T_NUMERIC, false, NULL, err) < 0)
            return -1;
        if (!is_numeric_type(l->type) && l->type != SL_T_INTERVAL)
            return sl_error_at(err, SL_E_UNDEFINED_FUNCTION, POS(e), "operator does not exist: %s %s",
                               e->op == PS_OP_NEG ? "-" : "+", sl_type_name(l->type));
        if (e->op == PS_OP_PLUS) {
            *out = l;
            return 0;
        }
        x = node(b, PL_NEG, l->type, e->location);
        x->args[0] = l;
        *out = x;
        return 0;
    case PS_E_BINARY:
        if (e->op == PS_OP_AND)
            return bind_logic(b, PL_AND, e, out, err);
        if (e->op == PS_OP_OR)
            return bind_logic(b, PL_OR, e, out, err);
        if (pl_bind_expr(b, e->left, &l, err) < 0 || pl_bind_expr(b, e->right, &r, err) < 0)
            return -1;
        return bind_op(b, ps_to_sl_op(e->op), l, r, e->location, out, err);
    case PS_E_IS:
        if (pl_bind_expr(b, e->left, &l, err) < 0)
            return -1;
        x = node(b, PL_IS, SL_T_BOOL, e->location);
        x->is_kind = e->is_kind;
        x->negated = e->negated;
        if (e->is_kind == PS_IS_TRUE || e->is_kind == PS_IS_FALSE || e->is_kind == PS_IS_UNKNOWN) {
            if (pl_coerce(b, &l, SL_T_BOOL, false, "argument of IS TRUE", err) < 0)
                return -1;
        } else if (e->is_kind == PS_IS_DISTINCT_FROM) {
            PlExpr *cmp;
            if (pl_bind_expr(b, e->right, &r, err) < 0 || bind_op(b, SL_OP_EQ, l, r, e->location, &cmp, err) < 0)
                return -1;
            l = cmp->args[0];
            x->args[1] = cmp->args[1];
        }
        x->args[0] = l;
        *out = x;
        return 0;
    case PS_E_LIKE:
        if (pl_bind_expr(b, e->left, &l, err) < 0 || pl_bind_expr(b, e->right, &r, err) < 0)
            return -1;
        if ((l->type != SL_T_UNKNOWN && l->type != SL_T_TEXT) || (r->type != SL_T_UNKNOWN && r->type != SL_T_TEXT)) {
            sl_error_at(err, SL_E_UNDEFINED_FUNCTION, POS(e), "operator does not exist: %s %s %s",
                        l->type == SL_T_UNKNOWN ? "unknown" : sl_type_name(l->type), e->ilike ? "~~*" : "~~",
                        r->type == SL_T_UNKNOWN ? "unknown" : sl_type_name(r->type));
            sl_error_hint(err, "No operator matches the given name and argument types. You might need to add explicit type casts.");
            return -1;
        }
        if (pl_coerce(b, &l, SL_T_TEXT, false, NULL, err) < 0 || pl_coerce(b, &r, SL_T_TEXT, false, NULL, err) < 0)
            return -1;
        x = node(b, PL_LIKE, SL_T_BOOL, e->location);
        x->args[0] = l;
        x->args[1] = r;
        x->negated = e->negated;
        x->ilike = e->ilike;
        if (e->escape) {
            if (pl_bind_expr(b, e->escape, &x->args[2], err) < 0 ||
                pl_coerce(b, &x->args[2], SL_T_TEXT, false, NULL, err) < 0)
                return -1;
        }
        *out = x;
        return 0;
    case PS_E_IN: {
        if (pl_bind_expr(b, e->left, &l, err) < 0)
            return -1;
        int n = PS_LIST_LEN(e->list);
        PlExpr **items = sl_alloc(b->arena, sizeof(PlExpr *) * (size_t)(n + 1));
        items[0] = l;
        for (int i = 0; i < n; i++)
            if (pl_bind_expr(b, e->list->items[i], &items[i + 1], err) < 0)
                return -1;
        int bad = 0;
        SlType have = SL_T_UNKNOWN;
        SlType t = common_type(items, n + 1, &bad, &have);
        if (t == (SlType)-1) {
            /* PostgreSQL then compares one by one: left = item */
            SlType lt = items[0]->type, it = items[bad]->type;
            if (lt == SL_T_UNKNOWN)
                lt = have;
            else if (bad == 0)
                it = have;
            return no_operator(SL_OP_EQ, lt, it, e->location, err);
        }
        if (coerce_all(b, items, n + 1, t, err) < 0)
            return -1;
        x = node(b, PL_IN, SL_T_BOOL, e->location);
        x->args[0] = items[0];
        x->list = items + 1;
        x->nlist = n;
        x->negated = e->negated;
        *out = x;
        return 0;
    }
    case PS_E_BETWEEN: {
        PlExpr *v1, *v2, *lo, *hi, *ge, *le;
        if (pl_bind_expr(b, e->left, &v1, err) < 0 || pl_bind_expr(b, e->left, &v2, err) < 0 ||
            pl_bind_expr(b, e->low, &lo, err) < 0 || pl_bind_expr(b, e->high, &hi, err) < 0)
            return -1;
        if (bind_op(b, SL_OP_GE, v1, lo, e->location, &ge, err) < 0 ||
            bind_op(b, SL_OP_LE, v2, hi, e->location, &le, err) < 0)
            return -1;
        x = node(b, PL_AND, SL_T_BOOL, e->location);
        x->list = sl_alloc(b->arena, sizeof(PlExpr *) * 2);
        x->list[0] = ge;
        x->list[1] = le;
        x->nlist = 2;
        if (e->negated) {
            PlExpr *n = node(b, PL_NOT, SL_T_BOOL, e->location);
            n->args[0] = x;
            x = n;
        }
        *out = x;
        return 0;
    }
    case PS_E_CASE: {
        int n = PS_LIST_LEN(e->list);
        PlExpr **parts = sl_alloc0(b->arena, sizeof(PlExpr *) * (size_t)(2 * n));
        PlExpr **thens = sl_alloc0(b->arena, sizeof(PlExpr *) * (size_t)(n + 1));
        for (int i = 0; i < n; i++) {
            const PsCaseWhen *w = e->list->items[i];
            if (e->left) {
                PlExpr *a, *wv;
                if (pl_bind_expr(b, e->left, &a, err) < 0 || pl_bind_expr(b, w->when, &wv, err) < 0 ||
                    bind_op(b, SL_OP_EQ, a, wv, w->when->location, &parts[2 * i], err) < 0)
                    return -1;
            } else if (bind_bool(b, w->when, "argument of CASE/WHEN", &parts[2 * i], err) < 0) {
                return -1;
            }
            if (pl_bind_expr(b, w->then, &parts[2 * i + 1], err) < 0)
                return -1;
            thens[i] = parts[2 * i + 1];
        }
        PlExpr *els = NULL;
        int nt = n;
        if (e->else_expr) {
            if (pl_bind_expr(b, e->else_expr, &els, err) < 0)
                return -1;
            /* PostgreSQL resolves the ELSE first, then the THENs */
            memmove(thens + 1, thens, sizeof(PlExpr *) * (size_t)n);
            thens[0] = els;
            nt++;
        }
        int bad = 0;
        SlType have = SL_T_UNKNOWN;
        SlType t = common_type(thens, nt, &bad, &have);
        if (t == (SlType)-1)
            return types_mismatch("CASE", thens, bad, have, err);
        for (int i = 0; i < n; i++)
            if (pl_coerce(b, &parts[2 * i + 1], t, false, NULL, err) < 0)
                return -1;
        if (els && pl_coerce(b, &els, t, false, NULL, err) < 0)
            return -1;
        x = node(b, PL_CASE, t, e->location);
        x->list = parts;
        x->nlist = 2 * n;
        x->else_expr = els;
        *out = x;
        return 0;
    }
    case PS_E_CAST: {
        if (e->cast_type->type == SL_T_UNKNOWN)
            return sl_error_at(err, SL_E_UNDEFINED_OBJECT, e->cast_type->location + 1, "type \"%s\" does not exist",
                               e->cast_type->name);
        if (pl_bind_expr(b, e->left, &l, err) < 0)
            return -1;
        if (e->interval_unit != PS_IU_NONE && l->kind == PL_CONST && l->type == SL_T_UNKNOWN &&
            !l->value.isnull) {
            /* INTERVAL '4' SECOND: a bare number takes the unit */
            static const char *const unit[] = {"", "years", "months", "days", "hours", "minutes", "seconds"};
            const char *s = l->value.u.s.p;
            size_t len = l->value.u.s.len;
            bool bare = len > 0;
            for (size_t i = 0; i < len; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-' || s[i] == '+' || s[i] == ' '))
                    bare = false;
            if (bare) {
                char *t = sl_psprintf(b->arena, "%.*s %s", (int)len, s, unit[e->interval_unit]);
                l->value = sl_val_text(t, strlen(t));
            }
        }
        if (pl_coerce(b, &l, e->cast_type->type, true, NULL, err) < 0) {
            /* a cast that cannot be is reported at the cast, a bad
             * literal at the literal */
            if (err && (err->position == 0 || err->code == SL_E_CANNOT_COERCE))
                err->position = POS(e);
            return -1;
        }
        *out = l;
        return 0;
    }
    case PS_E_FUNC:
        return bind_func(b, e, out, err);
    }
    return sl_error(err, SL_E_INTERNAL_ERROR, "unknown expression kind");
}

/* ----------------------------------------------------------------- SELECT */

static bool refers_to_columns(const PlExpr *e)
{
    if (!e)
        return false;
    if (e->kind == PL_COLUMN)
        return true;
    for (int i = 0; i < 3; i++)
        if (refers_to_columns(e->args[i]))
            return true;
    for (int i = 0; i < e->nlist; i++)
        if (refers_to_columns(e->list[i]))
            return true;
    return refers_to_columns(e->else_expr);
}

/* LIMIT / OFFSET: a bigint constant (numbers are cast as an assignment
 * would: LIMIT 2.5 is 3) or a parameter, evaluated when the statement runs. */
static int const_int64(PlBinder *b, const PsExpr *e, const char *what, int64_t *out, PlExpr **param, SlError *err)
{
    PlExpr *x;
    bool limit = !strcmp(what, "LIMIT");
    char ctx[32];
    snprintf(ctx, sizeof ctx, "argument of %s", what);
    if (pl_bind_expr(b, e, &x, err) < 0)
        return -1;
    if (refers_to_columns(x))
        return sl_error_at(err, SL_E_INVALID_COLUMN_REFERENCE, POS(e), "argument of %s must not contain variables",
                           what);
    bool number = x->type == SL_T_NUMERIC || x->type == SL_T_FLOAT8;
    if (pl_coerce(b, &x, SL_T_INT8, number, ctx, err) < 0)
        return -1;
    if (x->kind == PL_PARAM || (x->kind == PL_CAST && x->args[0]->kind == PL_PARAM)) {
        *param = x;
        return 0;
    }
    if (x->kind != PL_CONST)
        return sl_error_at(err, SL_E_FEATURE_NOT_SUPPORTED, POS(e), "argument of %s must be a constant or a parameter",
                           what);
    if (x->value.isnull) {
        *out = limit ? -1 : 0;
        return 0;
    }
    if (x->value.u.i8 < 0)
        return sl_error(err, limit ? SL_E_INVALID_ROW_COUNT_IN_LIMIT : SL_E_INVALID_ROW_COUNT_IN_OFFSET,
                        "%s must not be negative", what);
    *out = x->value.u.i8;
    return 0;
}

static bool has_agg(const PsExpr *e)
{
    if (!e)
        return false;
    if (e->kind == PS_E_FUNC && (!strcmp(e->name, "count") || !strcmp(e->name, "sum") || !strcmp(e->name, "avg") ||
                                 !strcmp(e->name, "min") || !strcmp(e->name, "max")))
        return true;
    if (has_agg(e->left) || has_agg(e->right) || has_agg(e->escape) || has_agg(e->low) || has_agg(e->high) ||
        has_agg(e->else_expr))
        return true;
    for (int i = 0; i < PS_LIST_LEN(e->list); i++) {
        if (e->kind == PS_E_CASE) {
            const PsCaseWhen *w = e->list->items[i];
            if (has_agg(w->when) || has_agg(w->then))
                return true;
        } else if (has_agg(e->list->items[i])) {
            return true;
        }
    }
    return false;
}

static bool scope_has(const PlScope *scope, const char *name)
{
    for (int i = 0; scope && i < scope->ncols; i++)
        if (!strcmp(scope->cols[i].name, name))
            return true;
    return false;
}

int pl_bind_select(PlBinder *b, const PsSelect *s, PlSelect **out, SlError *err)
{
    PlSelect *q = sl_alloc0(b->arena, sizeof *q);
    q->limit = -1;
    const PlScope *scope = b->scope;

    /* expand * */
    int n = 0;
    for (int i = 0; i < s->targets->n; i++) {
        const PsTarget *t = s->targets->items[i];
        if (t->expr->kind == PS_E_STAR) {
            if (!scope)
                return sl_error_at(err, SL_E_SYNTAX_ERROR, POS(t->expr), "SELECT * with no tables specified is not valid");
            n += scope->ncols;
        } else {
            n++;
        }
    }
    q->targets = sl_alloc0(b->arena, sizeof(PlExpr *) * (size_t)(n ? n : 1));
    q->names = sl_alloc0(b->arena, sizeof(char *) * (size_t)(n ? n : 1));

    bool grouped = PS_LIST_LEN(s->group_by) > 0 || (s->having != NULL);
    for (int i = 0; i < s->targets->n && !grouped; i++)
        grouped = has_agg(((PsTarget *)s->targets->items[i])->expr);
    for (int i = 0; i < PS_LIST_LEN(s->order_by) && !grouped; i++)
        grouped = has_agg(((PsOrderItem *)s->order_by->items[i])->expr);
    q->grouped = grouped;
    if (grouped) {
        q->ngroup = PS_LIST_LEN(s->group_by);
        q->group = sl_alloc0(b->arena, sizeof(PlExpr *) * (size_t)(q->ngroup ? q->ngroup : 1));
        b->allow_aggs = false;
        b->agg_context = "GROUP BY";
        for (int i = 0; i < q->ngroup; i++) {
            const PsExpr *g = s->group_by->items[i];
            /* GROUP BY 1: a select-list position */
            if (g->kind == PS_E_CONST && g->value.type == SL_T_INT4 && !g->value.isnull) {
                int k = g->value.u.i4;
                if (k < 1 || k > s->targets->n)
                    return sl_error_at(err, SL_E_INVALID_COLUMN_REFERENCE, POS(g), "GROUP BY position %d is not in select list", k);
                g = ((PsTarget *)s->targets->items[k - 1])->expr;
                ((PsList *)s->group_by)->items[i] = (void *)g;
            } else if (g->kind == PS_E_COLUMN && !g->qualifier && !scope_has(scope, g->name)) {
                /* GROUP BY an output column's name, when no input column has it */
                for (int t = 0; t < s->targets->n; t++) {
                    const PsTarget *tg = s->targets->items[t];
                    if (tg->alias && !strcmp(tg->alias, g->name)) {
                        g = tg->expr;
                        ((PsList *)s->group_by)->items[i] = (void *)g;
                        break;
                    }
                }
            }
            if (pl_bind_expr(b, g, &q->group[i], err) < 0)
                return -1;
            finish_expr(q->group[i], b);
        }
        b->group_by = s->group_by ? s->group_by : ps_list_new(b->arena);
        b->allow_aggs = true;
    } else {
        b->allow_aggs = false;
    }
    int k = 0;
    for (int i = 0; i < s->targets->n; i++) {
        const PsTarget *t = s->targets->items[i];
        if (t->expr->kind == PS_E_STAR) {
            for (int c = 0; c < scope->ncols; c++) {
                PlExpr *col = node(b, PL_COLUMN, scope->cols[c].type, t->location);
                col->index = c;
                if (grouped) {
                    /* each column must be a key: it then reads the key */
                    int key = -1;
                    for (int g = 0; g < q->ngroup && key < 0; g++) {
                        const PsExpr *ge = s->group_by->items[g];
                        if (ge->kind == PS_E_COLUMN && !strcmp(ge->name, scope->cols[c].name))
                            key = g;
                    }
                    if (key < 0)
                        return grouping_error(b, scope->cols[c].name, POS(t->expr), err);
                    col->index = key;
                }
                q->targets[k] = col;
                q->names[k++] = scope->cols[c].name;
            }
            continue;
        }
        if (pl_bind_expr(b, t->expr, &q->targets[k], err) < 0)
            return -1;
        q->names[k++] = ps_target_name(t, b->arena);
    }
    q->ntargets = k;
    q->nvisible = k;
    /* WHERE, after the select list as PostgreSQL binds them: over input
     * columns, no aggregates */
    if (s->where) {
        const PsList *save_group = b->group_by;
        bool save_allow = b->allow_aggs;
        b->group_by = NULL;
        b->allow_aggs = false;
        b->agg_context = "WHERE";
        int rc = bind_bool(b, s->where, "argument of WHERE", &q->where, err);
        b->group_by = save_group;
        b->allow_aggs = save_allow;
        b->agg_context = NULL;
        if (rc < 0)
            return -1;
    }
    if (s->having) {
        if (bind_bool(b, s->having, "argument of HAVING", &q->having, err) < 0)
            return -1;
    }
    const PsList *grouping = b->group_by;
    b->group_by = NULL;
    b->allow_aggs = false;

    /* ORDER BY: output column names or positions, or expressions over the output */
    q->norder = PS_LIST_LEN(s->order_by);
    if (q->norder) {
        q->order = sl_alloc0(b->arena, sizeof(PlExpr *) * (size_t)q->norder);
        q->order_desc = sl_alloc0(b->arena, sizeof(bool) * (size_t)q->norder);
        q->order_nulls = sl_alloc0(b->arena, sizeof(int) * (size_t)q->norder);
        PlColumn *ocols = sl_alloc0(b->arena, sizeof(PlColumn) * (size_t)(q->ntargets ? q->ntargets : 1));
        for (int i = 0; i < q->ntargets; i++) {
            ocols[i].name = q->names[i];
            ocols[i].type = q->targets[i]->type;
        }
        PlScope oscope = {NULL, NULL, ocols, q->ntargets};
        const PlScope *save = b->scope;
        b->scope = &oscope;
        for (int i = 0; i < q->norder; i++) {
            const PsOrderItem *o = s->order_by->items[i];
            q->order_desc[i] = o->desc;
            q->order_nulls[i] = o->nulls;
            if (o->expr->kind == PS_E_CONST && o->expr->value.type == SL_T_INT4 && !o->expr->value.isnull) {
                int pos = o->expr->value.u.i4;
                if (pos < 1 || pos > q->ntargets) {
                    b->scope = save;
                    return sl_error_at(err, SL_E_INVALID_COLUMN_REFERENCE, POS(o->expr),
                                       "ORDER BY position %d is not in select list", pos);
                }
                PlExpr *c = node(b, PL_COLUMN, q->targets[pos - 1]->type, o->expr->location);
                c->index = pos - 1;
                q->order[i] = c;
                continue;
            }
            SlError first;
            if (pl_bind_expr(b, o->expr, &q->order[i], &first) < 0) {
                /* not an output column: sort by an expression over the
                 * input, carried as a hidden output column */
                PlExpr *hidden;
                b->scope = save;
                /* grouped: over the group row, aggregates allowed
                 * (ORDER BY count(*) DESC) */
                bool retry = first.code == SL_E_UNDEFINED_COLUMN ||
                             (q->grouped && first.code == SL_E_GROUPING_ERROR);
                b->group_by = q->grouped ? grouping : NULL;
                b->allow_aggs = q->grouped;
                int rc = retry && (save || q->grouped) ? pl_bind_expr(b, o->expr, &hidden, err) : -1;
                b->group_by = NULL;
                b->allow_aggs = false;
                if (rc < 0) {
                    if (err && (!retry || err->code == SL_E_OK))
                        *err = first;
                    return -1;
                }
                PlExpr **nt = sl_alloc0(b->arena, sizeof(PlExpr *) * (size_t)(q->ntargets + 1));
                const char **nn = sl_alloc0(b->arena, sizeof(char *) * (size_t)(q->ntargets + 1));
                memcpy(nt, q->targets, sizeof(PlExpr *) * (size_t)q->ntargets);
                memcpy(nn, q->names, sizeof(char *) * (size_t)q->ntargets);
                nt[q->ntargets] = hidden;
                nn[q->ntargets] = "?sort?";
                q->targets = nt;
                q->names = nn;
                PlExpr *c = node(b, PL_COLUMN, hidden->type, o->expr->location);
                c->index = q->ntargets++;
                q->order[i] = c;
                b->scope = &oscope;
            }
        }
        b->scope = save;
    }
    q->naggs = b->naggs;
    q->aggs = b->aggs;
    b->agg_context = "LIMIT";
    q->distinct = s->distinct;
    for (int i = 0; q->distinct && i < q->norder; i++)
        if (q->order[i]->index >= q->nvisible)
            return sl_error_at(err, SL_E_INVALID_COLUMN_REFERENCE,
                               POS(((const PsOrderItem *)s->order_by->items[i])->expr),
                               "for SELECT DISTINCT, ORDER BY expressions must appear in select list");
    if (s->limit && const_int64(b, s->limit, "LIMIT", &q->limit, &q->limit_param, err) < 0)
        return -1;
    b->agg_context = "OFFSET";
    if (s->offset && const_int64(b, s->offset, "OFFSET", &q->offset, &q->offset_param, err) < 0)
        return -1;
    b->agg_context = NULL;
    if (q->offset < 0)
        q->offset = 0;

    /* an untyped parameter standing alone in the select list is text, as
     * PostgreSQL resolves unknown output columns; any other parameter whose
     * type nothing determined is an error */
    for (int i = 0; i < q->ntargets; i++)
        if (q->targets[i]->kind == PL_PARAM && q->targets[i]->type == SL_T_UNKNOWN &&
            pl_coerce(b, &q->targets[i], SL_T_TEXT, false, NULL, err) < 0)
            return -1;
    for (int i = 0; i < b->nparams; i++)
        if (b->params[i] == SL_T_UNKNOWN)
            return sl_error(err, SL_E_INDETERMINATE_DATATYPE, "could not determine data type of parameter $%d", i + 1);
    pl_finish_params(b);
    for (int i = 0; i < q->ntargets; i++)
        finish_expr(q->targets[i], b);
    finish_expr(q->where, b);
    finish_expr(q->having, b);
    for (int i = 0; i < q->naggs; i++)
        finish_expr(q->aggs[i].arg, b);
    for (int i = 0; i < q->norder; i++)
        finish_expr(q->order[i], b);
    *out = q;
    return 0;
}

/* --------------------------------------------------------------- explain */

void pl_expr_explain(const PlExpr *e, const PlScope *scope, SlBuf *out)
{
    switch (e->kind) {
    case PL_CONST:
        if (e->value.isnull) {
            sl_buf_puts(out, "NULL");
        } else if (e->type == SL_T_TEXT) {
            sl_buf_putc(out, '\'');
            sl_value_out(&e->value, out);
            sl_buf_putc(out, '\'');
        } else {
            sl_value_out(&e->value, out);
        }
        break;
    case PL_PARAM:
        sl_buf_printf(out, "$%d", e->index + 1);
        break;
    case PL_COLUMN:
        if (scope && e->index < scope->ncols)
            sl_buf_puts(out, scope->cols[e->index].name);
        else
            sl_buf_printf(out, "#%d", e->index);
        break;
    case PL_OP:
        sl_buf_putc(out, '(');
        pl_expr_explain(e->args[0], scope, out);
        sl_buf_printf(out, " %s ", op_sym(e->op));
        pl_expr_explain(e->args[1], scope, out);
        sl_buf_putc(out, ')');
        break;
    case PL_NEG:
        sl_buf_putc(out, '-');
        pl_expr_explain(e->args[0], scope, out);
        break;
    case PL_AND:
    case PL_OR:
        sl_buf_putc(out, '(');
        for (int i = 0; i < e->nlist; i++) {
            if (i)
                sl_buf_puts(out, e->kind == PL_AND ? " AND " : " OR ");
            pl_expr_explain(e->list[i], scope, out);
        }
        sl_buf_putc(out, ')');
        break;
    case PL_NOT:
        sl_buf_puts(out, "NOT ");
        pl_expr_explain(e->args[0], scope, out);
        break;
    case PL_IS:
        pl_expr_explain(e->args[0], scope, out);
        sl_buf_puts(out, e->negated ? " IS NOT " : " IS ");
        sl_buf_puts(out, e->is_kind == PS_IS_NULL ? "NULL" : e->is_kind == PS_IS_TRUE ? "TRUE"
                         : e->is_kind == PS_IS_FALSE ? "FALSE" : e->is_kind == PS_IS_UNKNOWN ? "UNKNOWN"
                         : "DISTINCT FROM ");
        if (e->is_kind == PS_IS_DISTINCT_FROM)
            pl_expr_explain(e->args[1], scope, out);
        break;
    case PL_LIKE:
        pl_expr_explain(e->args[0], scope, out);
        sl_buf_printf(out, "%s %s ", e->negated ? " NOT" : "", e->ilike ? "ILIKE" : "LIKE");
        pl_expr_explain(e->args[1], scope, out);
        break;
    case PL_IN:
        pl_expr_explain(e->args[0], scope, out);
        sl_buf_puts(out, e->negated ? " NOT IN (" : " IN (");
        for (int i = 0; i < e->nlist; i++) {
            if (i)
                sl_buf_puts(out, ", ");
            pl_expr_explain(e->list[i], scope, out);
        }
        sl_buf_putc(out, ')');
        break;
    case PL_CASE:
        sl_buf_puts(out, "CASE");
        for (int i = 0; i + 1 < e->nlist; i += 2) {
            sl_buf_puts(out, " WHEN ");
            pl_expr_explain(e->list[i], scope, out);
            sl_buf_puts(out, " THEN ");
            pl_expr_explain(e->list[i + 1], scope, out);
        }
        if (e->else_expr) {
            sl_buf_puts(out, " ELSE ");
            pl_expr_explain(e->else_expr, scope, out);
        }
        sl_buf_puts(out, " END");
        break;
    case PL_CAST:
        pl_expr_explain(e->args[0], scope, out);
        sl_buf_printf(out, "::%s", sl_type_name(e->type));
        break;
    case PL_FUNC:
        sl_buf_printf(out, "%s(", pl_func_name(e->func));
        for (int i = 0; i < e->nlist; i++) {
            if (i)
                sl_buf_puts(out, ", ");
            pl_expr_explain(e->list[i], scope, out);
        }
        sl_buf_putc(out, ')');
        break;
    case PL_AGG:
        sl_buf_printf(out, "agg#%d", e->index);
        break;
    }
}
