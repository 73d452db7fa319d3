/*
 * eval.c — evaluation of bound expressions (PlExpr): constants,
 * parameters, columns, operators, three-valued logic, IS, LIKE, IN, CASE,
 * casts; function calls go to func.c.
 */
#include <ctype.h>
#include <string.h>

#include "ex_int.h"

/* Results written in place: the sl_val_* constructors build the value on
 * the stack and copy it, which costs a store-forwarding stall per row on
 * the hot path. Only the fields a value of the type uses are set. */
static inline void set_bool(SlValue *out, bool b)
{
    out->type = SL_T_BOOL;
    out->isnull = 0;
    out->scale = 0;
    out->u.i8 = 0;
    out->u.b = b;
}

static inline void set_int(SlValue *out, SlType t, int64_t v)
{
    out->type = (uint8_t)t;
    out->isnull = 0;
    out->scale = 0;
    out->u.i8 = 0;
    if (t == SL_T_INT4)
        out->u.i4 = (int32_t)v;
    else
        out->u.i8 = v;
}

static inline void set_null(SlValue *out, SlType t)
{
    out->type = (uint8_t)t;
    out->isnull = 1;
    out->scale = 0;
}

/* LIKE with % and _, an escape character (default backslash), byte-wise
 * with UTF-8 continuation bytes kept together for _. */
static bool like_match(const char *s, size_t sn, const char *p, size_t pn, char esc, bool icase)
{
    size_t si = 0, pi = 0, star_p = (size_t)-1, star_s = 0;
    while (si < sn) {
        if (pi < pn) {
            char pc = p[pi];
            if (pc == '%') {
                star_p = ++pi;
                star_s = si;
                continue;
            }
            if (pc == '_') {
                pi++;
                si++;
                while (si < sn && ((unsigned char)s[si] & 0xC0) == 0x80)
                    si++;
                continue;
            }
            if (pc == esc && esc && pi + 1 < pn)
                pc = p[++pi];
            char a = s[si], b = pc;
            if (icase) {
                a = (char)tolower((unsigned char)a);
                b = (char)tolower((unsigned char)b);
            }
            if (a == b) {
                pi++;
                si++;
                continue;
            }
        }
        if (star_p == (size_t)-1)
            return false;
        pi = star_p;
        si = ++star_s;
    }
    while (pi < pn && p[pi] == '%')
        pi++;
    return pi == pn;
}

/* The common cases of an operator on two non-NULL values of the same type,
 * without the generic promotion in sl_value_op: integer arithmetic and
 * comparisons, text equality, timestamp comparisons. Returns 0 (done),
 * -1 (error) or 1 (not handled here). Results and errors are exactly
 * sl_value_op's. */
static int fast_op(const PlExpr *e, const SlValue *l, const SlValue *r, SlValue *out, SlError *err)
{
    int64_t x, y;
    switch (l->type) {
    case SL_T_INT4: x = l->u.i4; y = r->u.i4; break;
    case SL_T_INT8: x = l->u.i8; y = r->u.i8; break;
    case SL_T_TIMESTAMP:
    case SL_T_TIMESTAMPTZ:
        if (e->op < SL_OP_EQ || e->op > SL_OP_GE)
            return 1;
        x = l->u.ts;
        y = r->u.ts;
        break;
    case SL_T_TEXT:
        if (e->op != SL_OP_EQ && e->op != SL_OP_NE)
            return 1;
        set_bool(out, (l->u.s.len == r->u.s.len && (l->u.s.len == 0 || !memcmp(l->u.s.p, r->u.s.p, l->u.s.len))) ==
                           (e->op == SL_OP_EQ));
        return 0;
    default:
        return 1;
    }
    int64_t res = 0;
    bool over = false;
    switch (e->op) {
    case SL_OP_EQ: set_bool(out, x == y); return 0;
    case SL_OP_NE: set_bool(out, x != y); return 0;
    case SL_OP_LT: set_bool(out, x < y); return 0;
    case SL_OP_LE: set_bool(out, x <= y); return 0;
    case SL_OP_GT: set_bool(out, x > y); return 0;
    case SL_OP_GE: set_bool(out, x >= y); return 0;
    case SL_OP_ADD: over = __builtin_add_overflow(x, y, &res); break;
    case SL_OP_SUB: over = __builtin_sub_overflow(x, y, &res); break;
    case SL_OP_MUL: over = __builtin_mul_overflow(x, y, &res); break;
    case SL_OP_DIV:
    case SL_OP_MOD:
        if (y == 0)
            return sl_error(err, SL_E_DIVISION_BY_ZERO, "division by zero");
        if (y == -1) {
            if (e->op == SL_OP_MOD) {
                res = 0;
                break;
            }
            over = __builtin_sub_overflow((int64_t)0, x, &res);
            break;
        }
        res = e->op == SL_OP_DIV ? x / y : x % y;
        break;
    default:
        return 1;
    }
    if (l->type == SL_T_INT4) {
        if (over || res < INT32_MIN || res > INT32_MAX)
            return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range");
        set_int(out, SL_T_INT4, res);
    } else {
        if (over)
            return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
        set_int(out, SL_T_INT8, res);
    }
    return 0;
}

int ex_eval(const PlExpr *e, const SlValue *row, ExEvalCtx *c, SlValue *out, SlError *err)
{
    SlValue l, r;
    switch (e->kind) {
    case PL_CONST:
        *out = e->value;
        if (out->isnull)
            out->type = (uint8_t)e->type;
        return 0;
    case PL_PARAM:
        *out = c->params[e->index];
        return 0;
    case PL_COLUMN:
        *out = row[e->index];
        return 0;
    case PL_AGG:
        *out = c->aggs[e->index];
        return 0;
    case PL_OP:
        if (ex_eval(e->args[0], row, c, &l, err) < 0 || ex_eval(e->args[1], row, c, &r, err) < 0)
            return -1;
        if (l.type == r.type && !l.isnull && !r.isnull) {
            int fast = fast_op(e, &l, &r, out, err);
            if (fast <= 0)
                return fast;
        }
        if (e->op == SL_OP_MUL && !l.isnull && !r.isnull && (l.type == SL_T_NUMERIC) != (r.type == SL_T_NUMERIC)) {
            /* numeric times an integer (a price times a rate), both within
             * 64 bits: the product is exact in 128 bits, at the numeric's
             * scale, as sl_numeric_mul would make it */
            const SlValue *n = l.type == SL_T_NUMERIC ? &l : &r, *i = n == &l ? &r : &l;
            if ((i->type == SL_T_INT8 || i->type == SL_T_INT4) && n->u.num >= INT64_MIN && n->u.num <= INT64_MAX) {
                int64_t iv = i->type == SL_T_INT8 ? i->u.i8 : i->u.i4;
                *out = sl_val_numeric((__int128)(int64_t)n->u.num * (__int128)iv, n->scale);
                return 0;
            }
        }
        return sl_value_op(e->op, &l, &r, c->arena, out, err);
    case PL_NEG:
        if (ex_eval(e->args[0], row, c, &l, err) < 0)
            return -1;
        return sl_value_neg(&l, out, err);
    case PL_AND:
    case PL_OR: {
        /* three-valued: AND is false if any false, else NULL if any NULL */
        bool any_null = false;
        bool stop = e->kind == PL_OR;
        for (int i = 0; i < e->nlist; i++) {
            if (ex_eval(e->list[i], row, c, &l, err) < 0)
                return -1;
            if (l.isnull) {
                any_null = true;
                continue;
            }
            if (l.u.b == stop) {
                set_bool(out, stop);
                return 0;
            }
        }
        if (any_null)
            set_null(out, SL_T_BOOL);
        else
            set_bool(out, !stop);
        return 0;
    }
    case PL_NOT:
        if (ex_eval(e->args[0], row, c, &l, err) < 0)
            return -1;
        if (l.isnull)
            *out = l;
        else
            set_bool(out, !l.u.b);
        return 0;
    case PL_IS: {
        if (ex_eval(e->args[0], row, c, &l, err) < 0)
            return -1;
        bool res = false;
        switch (e->is_kind) {
        case PS_IS_NULL: res = l.isnull; break;
        case PS_IS_TRUE: res = !l.isnull && l.u.b; break;
        case PS_IS_FALSE: res = !l.isnull && !l.u.b; break;
        case PS_IS_UNKNOWN: res = l.isnull; break;
        case PS_IS_DISTINCT_FROM:
            if (ex_eval(e->args[1], row, c, &r, err) < 0)
                return -1;
            if (l.isnull || r.isnull)
                res = l.isnull != r.isnull;
            else
                res = sl_value_cmp(&l, &r) != 0;
            break;
        }
        set_bool(out, e->negated ? !res : res);
        return 0;
    }
    case PL_LIKE: {
        SlValue esc;
        if (ex_eval(e->args[0], row, c, &l, err) < 0 || ex_eval(e->args[1], row, c, &r, err) < 0)
            return -1;
        char escape = '\\';
        if (e->args[2]) {
            if (ex_eval(e->args[2], row, c, &esc, err) < 0)
                return -1;
            if (esc.isnull) {
                set_null(out, SL_T_BOOL);
                return 0;
            }
            if (esc.u.s.len > 1)
                return sl_error(err, SL_E_INVALID_ESCAPE_SEQUENCE, "invalid escape string");
            escape = esc.u.s.len ? esc.u.s.p[0] : 0;
        }
        if (l.isnull || r.isnull) {
            set_null(out, SL_T_BOOL);
            return 0;
        }
        if (e->ilike) {
            /* ILIKE: both sides lower-cased as lower() does (Unicode) */
            l = ex_text_lower(c, &l);
            r = ex_text_lower(c, &r);
        }
        bool m = like_match(l.u.s.p, l.u.s.len, r.u.s.p, r.u.s.len, escape, false);
        set_bool(out, e->negated ? !m : m);
        return 0;
    }
    case PL_IN: {
        if (ex_eval(e->args[0], row, c, &l, err) < 0)
            return -1;
        if (l.isnull) {
            set_null(out, SL_T_BOOL);
            return 0;
        }
        bool any_null = false;
        for (int i = 0; i < e->nlist; i++) {
            if (ex_eval(e->list[i], row, c, &r, err) < 0)
                return -1;
            if (r.isnull) {
                any_null = true;
                continue;
            }
            if (sl_value_cmp(&l, &r) == 0) {
                set_bool(out, !e->negated);
                return 0;
            }
        }
        if (any_null)
            set_null(out, SL_T_BOOL);
        else
            set_bool(out, e->negated);
        return 0;
    }
    case PL_CASE:
        for (int i = 0; i + 1 < e->nlist; i += 2) {
            if (ex_eval(e->list[i], row, c, &l, err) < 0)
                return -1;
            if (!l.isnull && l.u.b)
                return ex_eval(e->list[i + 1], row, c, out, err);
        }
        if (e->else_expr)
            return ex_eval(e->else_expr, row, c, out, err);
        *out = sl_val_null(e->type);
        return 0;
    case PL_CAST:
        if (ex_eval(e->args[0], row, c, &l, err) < 0)
            return -1;
        return sl_value_cast(&l, e->type, c->arena, out, err);
    case PL_FUNC:
        return ex_call_func(e, row, c, out, err);
    }
    return sl_error(err, SL_E_INTERNAL_ERROR, "unknown bound expression");
}

int ex_eval_bool(const PlExpr *e, const SlValue *row, ExEvalCtx *c, bool *pass, SlError *err)
{
    SlValue v;
    if (ex_eval(e, row, c, &v, err) < 0)
        return -1;
    *pass = !v.isnull && v.u.b;
    return 0;
}
