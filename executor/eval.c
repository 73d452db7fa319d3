/*
 * eval.c — evaluation of bound expressions (PlExpr): constants,
 * parameters, columns, operators, three-valued logic, IS, LIKE, IN, CASE,
 * casts; function calls go to func.c.
 */
#include <ctype.h>
#include <string.h>

#include "ex_int.h"

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
        if (sl_value_op(e->op, &l, &r, c->arena, out, err) < 0) {
            if (err && !err->position)
                err->position = 0;
            return -1;
        }
        return 0;
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
                *out = sl_val_bool(stop);
                return 0;
            }
        }
        *out = any_null ? sl_val_null(SL_T_BOOL) : sl_val_bool(!stop);
        return 0;
    }
    case PL_NOT:
        if (ex_eval(e->args[0], row, c, &l, err) < 0)
            return -1;
        *out = l.isnull ? l : sl_val_bool(!l.u.b);
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
        *out = sl_val_bool(e->negated ? !res : res);
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
                *out = sl_val_null(SL_T_BOOL);
                return 0;
            }
            if (esc.u.s.len > 1)
                return sl_error(err, SL_E_INVALID_ESCAPE_SEQUENCE, "invalid escape string");
            escape = esc.u.s.len ? esc.u.s.p[0] : 0;
        }
        if (l.isnull || r.isnull) {
            *out = sl_val_null(SL_T_BOOL);
            return 0;
        }
        bool m = like_match(l.u.s.p, l.u.s.len, r.u.s.p, r.u.s.len, escape, e->ilike);
        *out = sl_val_bool(e->negated ? !m : m);
        return 0;
    }
    case PL_IN: {
        if (ex_eval(e->args[0], row, c, &l, err) < 0)
            return -1;
        if (l.isnull) {
            *out = sl_val_null(SL_T_BOOL);
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
                *out = sl_val_bool(!e->negated);
                return 0;
            }
        }
        *out = any_null ? sl_val_null(SL_T_BOOL) : sl_val_bool(e->negated);
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
