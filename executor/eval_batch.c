/*
 * eval_batch.c — evaluation over a batch of rows (row-major SlValue
 * arrays, as the runtime's batches hold them). The result is always what
 * ex_eval gives row by row; common shapes skip the per-row tree walk:
 * a column, a constant, and column <op> constant comparisons on integers,
 * timestamps and text equality, alone or under AND.
 */
#include <string.h>

#include "ex_int.h"

/* column <cmp> constant, or constant <cmp> column (flipped) */
typedef struct ColCmp {
    int col;
    SlOp op;
    SlValue k;
} ColCmp;

static SlOp flip(SlOp op)
{
    switch (op) {
    case SL_OP_LT: return SL_OP_GT;
    case SL_OP_LE: return SL_OP_GE;
    case SL_OP_GT: return SL_OP_LT;
    case SL_OP_GE: return SL_OP_LE;
    default: return op;
    }
}

static bool as_colcmp(const PlExpr *e, ColCmp *cc)
{
    if (e->kind != PL_OP || e->op < SL_OP_EQ || e->op > SL_OP_GE)
        return false;
    const PlExpr *a = e->args[0], *b = e->args[1];
    SlOp op = e->op;
    if (a->kind == PL_CONST && b->kind == PL_COLUMN) {
        const PlExpr *t = a;
        a = b;
        b = t;
        op = flip(op);
    }
    if (a->kind != PL_COLUMN || b->kind != PL_CONST || a->type != b->type || b->value.isnull)
        return false;
    switch (a->type) {
    case SL_T_INT4: case SL_T_INT8: case SL_T_TIMESTAMP: case SL_T_TIMESTAMPTZ:
        break;
    case SL_T_TEXT:
        if (op != SL_OP_EQ && op != SL_OP_NE)
            return false;
        break;
    default:
        return false;
    }
    cc->col = a->index;
    cc->op = op;
    cc->k = b->value;
    return true;
}

/* 1 true, 0 false, -1 NULL (the column is NULL) */
static inline int colcmp_row(const ColCmp *cc, const SlValue *row)
{
    const SlValue *v = &row[cc->col];
    if (v->isnull)
        return -1;
    if (v->type != cc->k.type)
        return -2; /* a row of another type than bound: the slow path decides */
    int64_t x, y;
    switch (v->type) {
    case SL_T_INT4: x = v->u.i4; y = cc->k.u.i4; break;
    case SL_T_INT8: x = v->u.i8; y = cc->k.u.i8; break;
    case SL_T_TEXT: {
        bool eq = v->u.s.len == cc->k.u.s.len && (v->u.s.len == 0 || !memcmp(v->u.s.p, cc->k.u.s.p, v->u.s.len));
        return cc->op == SL_OP_EQ ? eq : !eq;
    }
    default: x = v->u.ts; y = cc->k.u.ts; break;
    }
    switch (cc->op) {
    case SL_OP_EQ: return x == y;
    case SL_OP_NE: return x != y;
    case SL_OP_LT: return x < y;
    case SL_OP_LE: return x <= y;
    case SL_OP_GT: return x > y;
    default: return x >= y;
    }
}

int ex_eval_batch(const PlExpr *e, const SlValue *rows, int nrows, int ncols, ExEvalCtx *c, SlValue *out,
                  SlError *err)
{
    if (e->kind == PL_COLUMN) {
        for (int i = 0; i < nrows; i++)
            out[i] = rows[(size_t)i * (size_t)ncols + (size_t)e->index];
        return 0;
    }
    if (e->kind == PL_CONST) {
        SlValue v = e->value;
        if (v.isnull)
            v.type = (uint8_t)e->type;
        for (int i = 0; i < nrows; i++)
            out[i] = v;
        return 0;
    }
    for (int i = 0; i < nrows; i++)
        if (ex_eval(e, rows + (size_t)i * (size_t)ncols, c, &out[i], err) < 0)
            return -1;
    return 0;
}

int ex_filter_batch(const PlExpr *e, const SlValue *rows, int nrows, int ncols, ExEvalCtx *c, int *sel, int *nsel,
                    SlError *err)
{
    int n = 0;
    if (!e) {
        for (int i = 0; i < nrows; i++)
            sel[n++] = i;
        *nsel = n;
        return 0;
    }
    /* a conjunction of column-constant comparisons: no tree walk */
    ColCmp cc[8];
    int ncc = 0;
    bool simple = false;
    if (as_colcmp(e, &cc[0])) {
        ncc = 1;
        simple = true;
    } else if (e->kind == PL_AND && e->nlist <= 8) {
        simple = true;
        for (int i = 0; i < e->nlist && simple; i++)
            simple = as_colcmp(e->list[i], &cc[ncc++]);
    }
    for (int i = 0; i < nrows; i++) {
        const SlValue *row = rows + (size_t)i * (size_t)ncols;
        bool pass = true;
        bool slow = !simple;
        for (int k = 0; k < ncc && pass && !slow; k++) {
            int r = colcmp_row(&cc[k], row);
            if (r == -2)
                slow = true;
            else
                pass = r == 1; /* false or NULL: the row does not pass */
        }
        if (slow && ex_eval_bool(e, row, c, &pass, err) < 0)
            return -1;
        if (pass)
            sel[n++] = i;
    }
    *nsel = n;
    return 0;
}
