/*
 * ast.c — AST constructors called from the grammar's actions. All nodes are
 * allocated in the parse arena.
 */
#include <stdlib.h>
#include <string.h>

#include "parser_int.h"

PsList *ps_list_new(SlArena *a)
{
    PsList *l = sl_alloc0(a, sizeof *l);
    return l;
}

void ps_list_push(SlArena *a, PsList *l, void *item)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 4;
        void **items = sl_alloc(a, sizeof(void *) * (size_t)cap);
        if (l->n)
            memcpy(items, l->items, sizeof(void *) * (size_t)l->n);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = item;
}

PsList *ps_list1(ParseState *ps, void *item)
{
    PsList *l = ps_list_new(ps->arena);
    ps_list_push(ps->arena, l, item);
    return l;
}

PsList *ps_list_add(ParseState *ps, PsList *l, void *item)
{
    if (!l)
        l = ps_list_new(ps->arena);
    ps_list_push(ps->arena, l, item);
    return l;
}

char *ps_tokstr(ParseState *ps, const Token *t)
{
    return sl_strndup(ps->arena, t->z, (size_t)t->n);
}

int ps_tokint(ParseState *ps, const Token *t)
{
    (void)ps;
    long v = strtol(t->z, NULL, 10);
    return v > 2147483647L ? 2147483647 : (int)v;
}

void ps_syntax_error(ParseState *ps, const Token *t)
{
    if (ps->failed)
        return;
    ps->failed = true;
    if (!t || t->rawlen == 0) {
        sl_error_at(ps->err, SL_E_SYNTAX_ERROR, ps_char_position(ps->sql, ps->len),
                    "syntax error at end of input");
        return;
    }
    int shown = t->rawlen > 60 ? 60 : t->rawlen;
    sl_error_at(ps->err, SL_E_SYNTAX_ERROR, ps_char_position(ps->sql, (size_t)t->pos),
                "syntax error at or near \"%.*s\"", shown, ps->sql + t->pos);
}

PsExpr *ps_expr_new(ParseState *ps, PsExprKind kind, int location)
{
    PsExpr *e = sl_alloc0(ps->arena, sizeof *e);
    e->kind = kind;
    e->location = location;
    e->value.isnull = 1;
    return e;
}

PsExpr *ps_const_int(ParseState *ps, const Token *t)
{
    PsExpr *e = ps_expr_new(ps, PS_E_CONST, t->pos);
    SlValue v;
    if (sl_value_in(SL_T_INT4, t->z, (size_t)t->n, NULL, &v, NULL) == 0 ||
        sl_value_in(SL_T_INT8, t->z, (size_t)t->n, NULL, &v, NULL) == 0 ||
        sl_value_in(SL_T_NUMERIC, t->z, (size_t)t->n, NULL, &v, NULL) == 0) {
        e->value = v;
    } else {
        if (!ps->failed) {
            ps->failed = true;
            sl_error_at(ps->err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, ps_char_position(ps->sql, (size_t)t->pos),
                        "numeric literal \"%s\" is out of range", t->z);
        }
        e->value = sl_val_int4(0);
    }
    return e;
}

PsExpr *ps_const_num(ParseState *ps, const Token *t)
{
    PsExpr *e = ps_expr_new(ps, PS_E_CONST, t->pos);
    SlValue v;
    if (sl_value_in(SL_T_NUMERIC, t->z, (size_t)t->n, NULL, &v, NULL) == 0) {
        e->value = v;
    } else {
        /* beyond NUMERIC's 38 digits: keep it as a float, as a fallback */
        if (sl_value_in(SL_T_FLOAT8, t->z, (size_t)t->n, NULL, &v, NULL) < 0 && !ps->failed) {
            ps->failed = true;
            sl_error_at(ps->err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, ps_char_position(ps->sql, (size_t)t->pos),
                        "numeric literal \"%s\" is out of range", t->z);
        }
        e->value = v;
    }
    return e;
}

PsExpr *ps_const_str(ParseState *ps, const Token *t)
{
    PsExpr *e = ps_expr_new(ps, PS_E_CONST, t->pos);
    e->value = sl_val_text(t->z, (size_t)t->n);
    e->unknown_literal = true;
    return e;
}

PsExpr *ps_const_bool(ParseState *ps, bool b, const Token *t)
{
    PsExpr *e = ps_expr_new(ps, PS_E_CONST, t->pos);
    e->value = sl_val_bool(b);
    return e;
}

PsExpr *ps_const_null(ParseState *ps, const Token *t)
{
    PsExpr *e = ps_expr_new(ps, PS_E_CONST, t->pos);
    e->value = sl_val_null(SL_T_UNKNOWN);
    return e;
}

PsExpr *ps_param(ParseState *ps, const Token *t)
{
    PsExpr *e = ps_expr_new(ps, PS_E_PARAM, t->pos);
    e->param_no = atoi(t->z + 1);
    if (e->param_no < 1 || e->param_no > 65535) {
        if (!ps->failed) {
            ps->failed = true;
            sl_error_at(ps->err, SL_E_UNDEFINED_PARAMETER, ps_char_position(ps->sql, (size_t)t->pos),
                        "there is no parameter %s", t->z);
        }
    }
    if (e->param_no > ps->max_param)
        ps->max_param = e->param_no;
    return e;
}

PsExpr *ps_column(ParseState *ps, const Token *qual, const Token *name)
{
    PsExpr *e = ps_expr_new(ps, PS_E_COLUMN, qual ? qual->pos : name->pos);
    e->qualifier = qual ? ps_tokstr(ps, qual) : NULL;
    e->name = ps_tokstr(ps, name);
    return e;
}

PsExpr *ps_star(ParseState *ps, const Token *qual, const Token *at)
{
    PsExpr *e = ps_expr_new(ps, PS_E_STAR, qual ? qual->pos : at->pos);
    e->qualifier = qual ? ps_tokstr(ps, qual) : NULL;
    return e;
}

PsExpr *ps_unary(ParseState *ps, PsOp op, PsExpr *x, const Token *at)
{
    /* fold -literal so that -2147483648 is an int4, as PostgreSQL does */
    if (op == PS_OP_NEG && x->kind == PS_E_CONST && !x->value.isnull) {
        SlValue v;
        if (x->value.type == SL_T_INT8 && x->value.u.i8 == 2147483648LL) {
            x->value = sl_val_int4(INT32_MIN);
            x->location = at->pos;
            return x;
        }
        if (x->value.type == SL_T_NUMERIC && x->value.scale == 0 &&
            x->value.u.num == (__int128)INT64_MAX + 1) {
            x->value = sl_val_int8(INT64_MIN);
            x->location = at->pos;
            return x;
        }
        if ((x->value.type == SL_T_INT4 || x->value.type == SL_T_INT8 || x->value.type == SL_T_NUMERIC ||
             x->value.type == SL_T_FLOAT8) &&
            sl_value_neg(&x->value, &v, NULL) == 0) {
            x->value = v;
            x->location = at->pos;
            return x;
        }
    }
    PsExpr *e = ps_expr_new(ps, PS_E_UNARY, at->pos);
    e->op = op;
    e->left = x;
    return e;
}

PsExpr *ps_binary(ParseState *ps, PsOp op, PsExpr *l, PsExpr *r, const Token *at)
{
    PsExpr *e = ps_expr_new(ps, PS_E_BINARY, at->pos);
    e->op = op;
    e->left = l;
    e->right = r;
    return e;
}

PsExpr *ps_is(ParseState *ps, PsExpr *l, PsIsKind k, bool negated, PsExpr *r, const Token *at)
{
    PsExpr *e = ps_expr_new(ps, PS_E_IS, at->pos);
    e->left = l;
    e->is_kind = k;
    e->negated = negated;
    e->right = r;
    return e;
}

PsExpr *ps_like(ParseState *ps, PsExpr *l, PsExpr *r, PsExpr *esc, bool negated, bool ilike,
                const Token *at)
{
    PsExpr *e = ps_expr_new(ps, PS_E_LIKE, at->pos);
    e->left = l;
    e->right = r;
    e->escape = esc;
    e->negated = negated;
    e->ilike = ilike;
    return e;
}

PsExpr *ps_in(ParseState *ps, PsExpr *l, PsList *list, bool negated, const Token *at)
{
    PsExpr *e = ps_expr_new(ps, PS_E_IN, at->pos);
    e->left = l;
    e->list = list;
    e->negated = negated;
    return e;
}

PsExpr *ps_between(ParseState *ps, PsExpr *x, PsExpr *lo, PsExpr *hi, bool negated, const Token *at)
{
    PsExpr *e = ps_expr_new(ps, PS_E_BETWEEN, at->pos);
    e->left = x;
    e->low = lo;
    e->high = hi;
    e->negated = negated;
    return e;
}

PsExpr *ps_case(ParseState *ps, PsExpr *arg, PsList *whens, PsExpr *els, const Token *at)
{
    PsExpr *e = ps_expr_new(ps, PS_E_CASE, at->pos);
    e->left = arg;
    e->list = whens;
    e->else_expr = els;
    return e;
}

PsCaseWhen *ps_when(ParseState *ps, PsExpr *w, PsExpr *t)
{
    PsCaseWhen *cw = sl_alloc0(ps->arena, sizeof *cw);
    cw->when = w;
    cw->then = t;
    return cw;
}

PsExpr *ps_cast(ParseState *ps, PsExpr *x, PsTypeName *t, const Token *at)
{
    PsExpr *e = ps_expr_new(ps, PS_E_CAST, at->pos);
    e->left = x;
    e->cast_type = t;
    return e;
}

PsExpr *ps_typed_literal(ParseState *ps, const Token *type, const Token *str, PsIntervalUnit unit)
{
    PsTypeName *tn = ps_typename(ps, type, NULL, -1, -1);
    PsExpr *e = ps_cast(ps, ps_const_str(ps, str), tn, type);
    e->interval_unit = unit;
    return e;
}

PsExpr *ps_func(ParseState *ps, const Token *name, PsList *args, bool distinct, bool star)
{
    PsExpr *e = ps_expr_new(ps, PS_E_FUNC, name->pos);
    e->name = ps_tokstr(ps, name);
    e->list = args;
    e->func_distinct = distinct;
    e->func_star = star;
    return e;
}

PsExpr *ps_func_named(ParseState *ps, const char *name, PsList *args, const Token *at)
{
    PsExpr *e = ps_expr_new(ps, PS_E_FUNC, at->pos);
    e->name = sl_strdup(ps->arena, name);
    e->list = args;
    return e;
}

PsExpr *ps_func_sql(ParseState *ps, const char *name, const char *sql_name, PsList *args,
                    const Token *at)
{
    PsExpr *e = ps_func_named(ps, name, args, at);
    e->sql_name = sql_name; /* a static string */
    return e;
}

char *ps_dotted(ParseState *ps, const Token *a, const Token *b)
{
    if (!b)
        return ps_tokstr(ps, a);
    return sl_psprintf(ps->arena, "%.*s.%.*s", a->n, a->z, b->n, b->z);
}

PsTypeName *ps_typename_str(ParseState *ps, const char *name, int m1, int m2, int location)
{
    PsTypeName *t = sl_alloc0(ps->arena, sizeof *t);
    t->name = sl_strdup(ps->arena, name);
    t->typmod[0] = m1;
    t->typmod[1] = m2;
    t->location = location;
    if (sl_type_from_name(t->name, &t->type) < 0)
        t->type = SL_T_UNKNOWN;
    return t;
}

PsTypeName *ps_typename(ParseState *ps, const Token *w1, const Token *w2, int m1, int m2)
{
    char *name = w2 ? sl_psprintf(ps->arena, "%.*s %.*s", w1->n, w1->z, w2->n, w2->z)
                    : ps_tokstr(ps, w1);
    return ps_typename_str(ps, name, m1, m2, w1->pos);
}

PsStmt *ps_stmt_new(ParseState *ps, PsStmtKind kind)
{
    PsStmt *s = sl_alloc0(ps->arena, sizeof *s);
    s->kind = kind;
    s->location = -1;
    s->body_location = -1;
    s->fetch_count = 1;
    return s;
}

/* Where a statement nested in `s` begins: the first token at or after
 * byte offset `from`. */
static int first_token_at(ParseState *ps, int from)
{
    ParseState scratch = *ps;
    SlError e;
    scratch.err = &e;
    scratch.failed = false;
    size_t pos = (size_t)from;
    Token t;
    if (ps_next_token(&scratch, &pos, &t) <= 0)
        return from;
    return t.pos;
}

/* Called when a whole statement has been reduced: it spans the tokens
 * from ps->stmt_start to ps->stmt_end (the ';' and trailing comments are
 * not part of it). A view's query text is copied from its AS SELECT to
 * the statement's end, also when the CREATE is inside EXPLAIN. */
void ps_stmt_add(ParseState *ps, PsStmt *s)
{
    s->location = ps->stmt_start;
    s->length = ps->stmt_end - ps->stmt_start;
    PsStmt *cur = s;
    while (cur) {
        if (cur->kind == PS_S_EXPLAIN && cur->inner) {
            cur->inner->location = first_token_at(ps, cur->body_location);
            cur->inner->length = ps->stmt_end - cur->inner->location;
        }
        if (cur->kind == PS_S_CREATE_VIEW && cur->body_location >= 0 &&
            cur->body_location <= ps->stmt_end)
            cur->query_text = sl_strndup(ps->arena, ps->sql + cur->body_location,
                                         (size_t)(ps->stmt_end - cur->body_location));
        cur = cur->kind == PS_S_EXPLAIN ? cur->inner : NULL;
    }
    ps_list_push(ps->arena, ps->stmts, s);
}

PsTarget *ps_target(ParseState *ps, PsExpr *e, const Token *alias)
{
    PsTarget *t = sl_alloc0(ps->arena, sizeof *t);
    t->expr = e;
    t->alias = alias ? ps_tokstr(ps, alias) : NULL;
    t->location = e->location;
    return t;
}

PsOrderItem *ps_order(ParseState *ps, PsExpr *e, bool desc, int nulls)
{
    PsOrderItem *o = sl_alloc0(ps->arena, sizeof *o);
    o->expr = e;
    o->desc = desc;
    o->nulls = nulls;
    return o;
}

PsFrom *ps_from(ParseState *ps, const Token *schema, const Token *name, const Token *alias)
{
    PsFrom *f = sl_alloc0(ps->arena, sizeof *f);
    f->kind = PS_FROM_NAME;
    f->schema = schema ? ps_tokstr(ps, schema) : NULL;
    f->name = ps_tokstr(ps, name);
    f->alias = alias ? ps_tokstr(ps, alias) : NULL;
    f->location = schema ? schema->pos : name->pos;
    return f;
}

PsFrom *ps_from_window(ParseState *ps, const Token *fn, const Token *name, PsList *args,
                       const Token *alias)
{
    PsFrom *f = sl_alloc0(ps->arena, sizeof *f);
    char *fname = ps_tokstr(ps, fn);
    if (!strcmp(fname, "tumble"))
        f->kind = PS_FROM_TUMBLE;
    else if (!strcmp(fname, "hop"))
        f->kind = PS_FROM_HOP;
    else if (!strcmp(fname, "session"))
        f->kind = PS_FROM_SESSION;
    else if (!ps->failed) {
        ps->failed = true;
        sl_error_at(ps->err, SL_E_UNDEFINED_FUNCTION, ps_char_position(ps->sql, (size_t)fn->pos),
                    "table function \"%s\" does not exist", fname);
        sl_error_hint(ps->err, "Window functions in FROM are TUMBLE, HOP and SESSION.");
    }
    f->name = ps_tokstr(ps, name);
    f->args = args;
    f->alias = alias ? ps_tokstr(ps, alias) : NULL;
    f->location = fn->pos;
    return f;
}

PsSelect *ps_select_new(ParseState *ps)
{
    return sl_alloc0(ps->arena, sizeof(PsSelect));
}

PsColumnDef *ps_coldef(ParseState *ps, const Token *name, PsTypeName *type, bool not_null)
{
    PsColumnDef *c = sl_alloc0(ps->arena, sizeof *c);
    c->name = name ? ps_tokstr(ps, name) : NULL;
    c->type = type;
    c->not_null = not_null;
    c->location = name ? name->pos : -1;
    return c;
}

PsOption *ps_option_str(ParseState *ps, const char *name, PsExpr *value, int location)
{
    PsOption *o = sl_alloc0(ps->arena, sizeof *o);
    o->name = sl_strdup(ps->arena, name);
    for (char *p = o->name; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    o->value = value;
    o->location = location;
    return o;
}

PsOption *ps_option(ParseState *ps, const Token *name, PsExpr *value)
{
    return ps_option_str(ps, ps_tokstr(ps, name), value, name->pos);
}
