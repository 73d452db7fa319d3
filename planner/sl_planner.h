/*
 * sl_planner.h — the one public header of planner/: binding names and
 * types of an AST against a scope, into immutable bound expressions that
 * the executor evaluates.
 *
 * What goes in: a PsExpr / PsSelect from the parser, a scope of named,
 * typed input columns, and the parameter types known so far. What comes
 * out: PlExpr trees whose every node has its result type, with implicit
 * coercions applied as PostgreSQL does (an untyped 'literal' takes the
 * type its context wants; int4 meets int8 as int8), parameters' types
 * inferred from context, functions resolved to an id. Bound trees live in
 * the arena given and are never modified afterwards.
 */
#ifndef SL_PLANNER_H
#define SL_PLANNER_H

#include "sl_common.h"
#include "sl_parser.h"

/* Scalar functions the binder resolves; the executor implements each. */
typedef enum PlFuncId {
    PL_F_VERSION, PL_F_CURRENT_DATABASE, PL_F_CURRENT_USER, PL_F_CURRENT_SCHEMA,
    PL_F_CURRENT_SETTING, PL_F_BACKEND_PID, PL_F_NOW, PL_F_CLOCK_TIMESTAMP, PL_F_FAILPOINT,
    PL_F_LOCALTIMESTAMP, PL_F_ABS, PL_F_ROUND, PL_F_FLOOR, PL_F_CEIL, PL_F_TRUNC,
    PL_F_MOD, PL_F_POWER, PL_F_SQRT, PL_F_LN, PL_F_EXP, PL_F_SIGN, PL_F_GREATEST,
    PL_F_LEAST, PL_F_COALESCE, PL_F_NULLIF, PL_F_LOWER, PL_F_UPPER, PL_F_LENGTH,
    PL_F_SUBSTR, PL_F_BTRIM, PL_F_LTRIM, PL_F_RTRIM, PL_F_REPLACE, PL_F_CONCAT,
    PL_F_CONCAT_WS, PL_F_LEFT, PL_F_RIGHT, PL_F_REPEAT, PL_F_STRPOS, PL_F_MD5,
    PL_F_DATE_TRUNC, PL_F_DATE_PART, PL_F_TO_TIMESTAMP, PL_F_PG_TYPEOF,
    PL_F_PG_SLEEP, PL_F_RANDOM, PL_F_SPLIT_PART,
    PL_F_EXTRACT,             /* EXTRACT(f FROM x): like date_part, numeric */
    PL_F_LOG, PL_F_PI, PL_F_CBRT, PL_F_DEGREES, PL_F_RADIANS, PL_F_DIV, PL_F_INITCAP, PL_F_LPAD,
    PL_F_RPAD, PL_F_REVERSE, PL_F_OCTET_LENGTH, PL_F_ASCII, PL_F_CHR, PL_F_STARTS_WITH, PL_F_TO_HEX,
    PL_F__COUNT
} PlFuncId;

typedef enum PlAggKind {
    PL_AGG_COUNT_STAR, PL_AGG_COUNT, PL_AGG_SUM, PL_AGG_AVG, PL_AGG_MIN, PL_AGG_MAX
} PlAggKind;

typedef enum PlExprKind {
    PL_CONST,     /* value */
    PL_PARAM,     /* index: 0-based parameter number */
    PL_COLUMN,    /* index: input column */
    PL_OP,        /* op on args[0], args[1] */
    PL_NEG,       /* -args[0] */
    PL_AND,       /* list (three-valued) */
    PL_OR,        /* list (three-valued) */
    PL_NOT,       /* args[0] */
    PL_IS,        /* args[0] IS [NOT] is_kind [args[1]] */
    PL_LIKE,      /* args[0] [NOT] LIKE args[1] [ESCAPE args[2]] */
    PL_IN,        /* args[0] [NOT] IN list */
    PL_CASE,      /* list: when0, then0, when1, then1, ...; else_expr */
    PL_CAST,      /* args[0] to type */
    PL_FUNC,      /* func(list) */
    PL_AGG        /* index: the aggregate's slot in the select's aggregates */
} PlExprKind;

typedef struct PlExpr {
    PlExprKind kind;
    SlType type;              /* result type */
    int location;             /* for runtime errors */
    SlValue value;            /* CONST */
    int index;                /* PARAM, COLUMN, AGG */
    SlOp op;                  /* OP */
    PsIsKind is_kind;         /* IS */
    bool negated;             /* IS NOT, NOT LIKE, NOT IN */
    bool ilike;
    struct PlExpr *args[3];
    struct PlExpr **list;
    int nlist;
    struct PlExpr *else_expr;
    PlFuncId func;            /* FUNC (pg_typeof: value holds the type's name) */
} PlExpr;

/* An aggregate call found in a select list or HAVING. */
typedef struct PlAgg {
    PlAggKind kind;
    bool distinct;
    PlExpr *arg;              /* NULL for count(*) */
    SlType type;              /* result type (count: int8, sum(int8): numeric ...) */
} PlAgg;

/* The columns an expression may name. */
typedef struct PlColumn {
    const char *name;
    SlType type;
} PlColumn;

typedef struct PlScope {
    const char *relname;      /* for qualified names and messages; may be NULL */
    const char *alias;
    const PlColumn *cols;
    int ncols;
} PlScope;

/* Binding state for one statement: the parameters' types (grown and
 * inferred as $n are met) and, when aggregates are allowed, the list they
 * are collected into. */
typedef struct PlBinder {
    SlArena *arena;
    const PlScope *scope;     /* may be NULL: no columns */
    SlType *params;           /* params[0..nparams) */
    int nparams;
    bool allow_aggs;
    const char *agg_context;  /* the clause aggregates are refused in
                               * ("WHERE", "GROUP BY" ...) for messages */
    PlAgg *aggs;              /* collected aggregates */
    int naggs, capaggs;
    /* grouping: when set, column references outside aggregates must be
     * group keys (42803 otherwise); the bound key expressions */
    const PsList *group_by;
    bool in_agg;
} PlBinder;

void pl_binder_init(PlBinder *b, SlArena *arena, const PlScope *scope, int nparams,
                    const SlType *param_types);

/* Bind an expression. Its type may stay SL_T_UNKNOWN for an untyped
 * literal or parameter; pl_coerce then fixes it. */
int pl_bind_expr(PlBinder *b, const PsExpr *e, PlExpr **out, SlError *err);
/* Make e of type `to` (implicit coercion, or an explicit cast when
 * `explicit`); an unknown parameter takes the type. 42804 when impossible. */
int pl_coerce(PlBinder *b, PlExpr **e, SlType to, bool is_explicit, const char *what, SlError *err);
/* Give still-unknown parameters and literals their final type (text). */
void pl_finish_params(PlBinder *b);

/* A bound SELECT: output columns, filter, grouping, aggregates. */
typedef struct PlSelect {
    int ntargets;             /* output columns, hidden sort keys included */
    int nvisible;             /* the columns the client sees (the first ones) */
    PlExpr **targets;
    const char **names;       /* output column names */
    PlExpr *where;            /* over the input columns, or NULL */
    int ngroup;
    PlExpr **group;           /* group keys, over the input columns */
    int naggs;
    PlAgg *aggs;
    PlExpr *having;           /* over group keys (PL_COLUMN index = key number) and aggregates */
    /* targets and having of a grouped select are bound over the "group
     * row": columns 0..ngroup-1 are the keys, then PL_AGG slots */
    bool grouped;
    bool distinct;            /* SELECT DISTINCT: equal output rows once */
    int norder;
    PlExpr **order;           /* over the output columns */
    bool *order_desc;
    int *order_nulls;         /* 0 default, 1 first, 2 last */
    int64_t limit;            /* -1: none */
    int64_t offset;
    /* LIMIT $n / OFFSET $n: the bigint parameter, evaluated when the
     * statement runs (limit and offset then say -1 and 0) */
    PlExpr *limit_param, *offset_param;
} PlSelect;

/* Bind a SELECT's clauses against scope (NULL scope: no FROM). */
int pl_bind_select(PlBinder *b, const PsSelect *s, PlSelect **out, SlError *err);

/* Name and result type of a function for messages and EXPLAIN. */
const char *pl_func_name(PlFuncId f);
const char *pl_agg_name(PlAggKind k);
/* Deparse a bound expression (for EXPLAIN); column names from scope. */
void pl_expr_explain(const PlExpr *e, const PlScope *scope, SlBuf *out);

#endif
