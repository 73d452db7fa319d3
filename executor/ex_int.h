/*
 * ex_int.h — internals of executor/ shared by its files.
 */
#ifndef EX_INT_H
#define EX_INT_H

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
/* WHERE semantics: true passes; false and NULL do not. */
int ex_eval_bool(const PlExpr *e, const SlValue *row, ExEvalCtx *c, bool *pass, SlError *err);

#endif
