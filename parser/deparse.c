/*
 * deparse.c — expressions back to SQL text (EXPLAIN, view definitions,
 * GROUP BY matching), and the default column names PostgreSQL gives to
 * select-list items.
 *
 * Deparse writes parentheses only where the grammar's precedence needs
 * them, so parse(deparse(e)) builds the same tree and the text reads like
 * what a person would write: `a + b * c`, `(a + b) * c`, `NOT a = b`.
 */
#include <string.h>

#include "parser_int.h"

/* ------------------------------------------------------------- quoting */

static void quote_ident(const char *s, SlBuf *out)
{
    bool plain = s[0] && !(s[0] >= '0' && s[0] <= '9') && s[0] != '$' &&
                 !ps_keyword_needs_quotes(s);
    for (const char *p = s; *p && plain; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '$'))
            plain = false;
    if (plain) {
        sl_buf_puts(out, s);
        return;
    }
    sl_buf_putc(out, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            sl_buf_putc(out, '"');
        sl_buf_putc(out, *p);
    }
    sl_buf_putc(out, '"');
}

static void quote_literal(const char *s, size_t n, SlBuf *out)
{
    sl_buf_putc(out, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            sl_buf_putc(out, '\'');
        sl_buf_putc(out, s[i]);
    }
    sl_buf_putc(out, '\'');
}

/* ---------------------------------------------------------- precedence */

/* Binding strength, loosest first, as declared in sql.y. */
enum {
    P_OR = 1, P_AND, P_NOT, P_IS, P_CMP, P_LIKE, P_CONCAT, P_ADD, P_MUL, P_UNARY, P_ATOM
};

static const char *op_text(PsOp op)
{
    static const char *const t[] = {"+", "-", "*", "/", "%", "||", "=", "<>", "<", "<=", ">", ">=",
                                    "AND", "OR", "NOT", "-", "+"};
    return (unsigned)op < sizeof t / sizeof t[0] ? t[op] : "?";
}

static int binary_prec(PsOp op)
{
    switch (op) {
    case PS_OP_OR: return P_OR;
    case PS_OP_AND: return P_AND;
    case PS_OP_EQ: case PS_OP_NE: case PS_OP_LT: case PS_OP_LE: case PS_OP_GT: case PS_OP_GE:
        return P_CMP;
    case PS_OP_CONCAT: return P_CONCAT;
    case PS_OP_ADD: case PS_OP_SUB: return P_ADD;
    default: return P_MUL;
    }
}

static bool negative_const(const PsExpr *e)
{
    if (e->kind != PS_E_CONST || e->value.isnull || e->unknown_literal)
        return false;
    switch (e->value.type) {
    case SL_T_INT4: return e->value.u.i4 < 0;
    case SL_T_INT8: return e->value.u.i8 < 0;
    case SL_T_NUMERIC: return e->value.u.num < 0;
    case SL_T_FLOAT8: return e->value.u.f8 < 0 || (e->value.u.f8 == 0 && __builtin_signbit(e->value.u.f8));
    default: return false;
    }
}

static int prec_of(const PsExpr *e)
{
    switch (e->kind) {
    case PS_E_BINARY: return binary_prec(e->op);
    case PS_E_UNARY: return e->op == PS_OP_NOT ? P_NOT : P_UNARY;
    case PS_E_IS: return P_IS;
    case PS_E_LIKE: case PS_E_IN: case PS_E_BETWEEN: return P_LIKE;
    case PS_E_CONST: return negative_const(e) ? P_UNARY : P_ATOM;
    default: return P_ATOM; /* columns, params, calls, CASE, CAST(...) */
    }
}

static void deparse(const PsExpr *e, SlBuf *out);

/* e, in parentheses unless it binds at least as tightly as `need`. */
static void sub(const PsExpr *e, int need, SlBuf *out)
{
    bool paren = prec_of(e) < need;
    if (paren)
        sl_buf_putc(out, '(');
    deparse(e, out);
    if (paren)
        sl_buf_putc(out, ')');
}

static void deparse_list(const PsList *l, SlBuf *out)
{
    for (int i = 0; i < PS_LIST_LEN(l); i++) {
        if (i)
            sl_buf_puts(out, ", ");
        deparse(l->items[i], out);
    }
}

static void type_text(const PsTypeName *t, SlBuf *out)
{
    const char *name = t->name ? t->name : "unknown";
    const char *tz = NULL;
    size_t base = strlen(name);
    /* the typmod goes before "with/without time zone" */
    const char *w = strstr(name, " with");
    if (w && !strncmp(name, "timestamp", 9)) {
        tz = w;
        base = (size_t)(w - name);
    }
    sl_buf_append(out, name, base);
    if (t->typmod[0] >= 0) {
        sl_buf_printf(out, "(%d", t->typmod[0]);
        if (t->typmod[1] >= 0)
            sl_buf_printf(out, ",%d", t->typmod[1]);
        sl_buf_putc(out, ')');
    }
    if (tz)
        sl_buf_puts(out, tz);
}

/* A word usable unquoted as EXTRACT's field (it is read back as a name). */
static bool plain_word(const char *s, size_t n)
{
    if (n == 0 || n > 30)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
            return false;
    return true;
}

static void deparse_func(const PsExpr *e, SlBuf *out)
{
    if (e->sql_name && PS_LIST_LEN(e->list) == 0 && strcmp(e->sql_name, "extract") != 0) {
        /* CURRENT_TIMESTAMP and friends take no parentheses */
        for (const char *p = e->sql_name; *p; p++)
            sl_buf_putc(out, (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p));
        return;
    }
    if (e->sql_name && !strcmp(e->sql_name, "extract") && PS_LIST_LEN(e->list) == 2) {
        const PsExpr *f = e->list->items[0];
        if (f->kind == PS_E_CONST && !f->value.isnull && f->value.type == SL_T_TEXT &&
            plain_word(f->value.u.s.p, f->value.u.s.len)) {
            sl_buf_puts(out, "EXTRACT(");
            sl_buf_append(out, f->value.u.s.p, f->value.u.s.len);
            sl_buf_puts(out, " FROM ");
            deparse(e->list->items[1], out);
            sl_buf_putc(out, ')');
            return;
        }
    }
    quote_ident(e->name, out);
    sl_buf_putc(out, '(');
    if (e->func_star)
        sl_buf_putc(out, '*');
    if (e->func_distinct)
        sl_buf_puts(out, "DISTINCT ");
    deparse_list(e->list, out);
    sl_buf_putc(out, ')');
}

static void deparse(const PsExpr *e, SlBuf *out)
{
    switch (e->kind) {
    case PS_E_CONST:
        if (e->value.isnull)
            sl_buf_puts(out, "NULL");
        else if (e->value.type == SL_T_BOOL)
            sl_buf_puts(out, e->value.u.b ? "true" : "false");
        else if (e->value.type == SL_T_TEXT)
            quote_literal(e->value.u.s.p, e->value.u.s.len, out);
        else
            sl_value_out(&e->value, out);
        break;
    case PS_E_PARAM:
        sl_buf_printf(out, "$%d", e->param_no);
        break;
    case PS_E_COLUMN:
    case PS_E_STAR:
        if (e->qualifier) {
            quote_ident(e->qualifier, out);
            sl_buf_putc(out, '.');
        }
        if (e->kind == PS_E_STAR)
            sl_buf_putc(out, '*');
        else
            quote_ident(e->name, out);
        break;
    case PS_E_UNARY:
        if (e->op == PS_OP_NOT) {
            sl_buf_puts(out, "NOT ");
            sub(e->left, P_NOT, out);
        } else {
            sl_buf_puts(out, op_text(e->op));
            /* "- -x" must not become the comment "--x" */
            if (prec_of(e->left) == P_UNARY)
                sl_buf_putc(out, '(');
            sub(e->left, P_UNARY, out);
            if (prec_of(e->left) == P_UNARY)
                sl_buf_putc(out, ')');
        }
        break;
    case PS_E_BINARY: {
        int p = binary_prec(e->op);
        bool nonassoc = p == P_CMP;
        sub(e->left, nonassoc ? p + 1 : p, out);
        sl_buf_printf(out, " %s ", op_text(e->op));
        sub(e->right, p + 1, out);
        break;
    }
    case PS_E_IS:
        sub(e->left, P_IS + 1, out);
        sl_buf_puts(out, e->negated ? " IS NOT " : " IS ");
        switch (e->is_kind) {
        case PS_IS_NULL: sl_buf_puts(out, "NULL"); break;
        case PS_IS_TRUE: sl_buf_puts(out, "TRUE"); break;
        case PS_IS_FALSE: sl_buf_puts(out, "FALSE"); break;
        case PS_IS_UNKNOWN: sl_buf_puts(out, "UNKNOWN"); break;
        case PS_IS_DISTINCT_FROM:
            sl_buf_puts(out, "DISTINCT FROM ");
            sub(e->right, P_IS + 1, out);
            break;
        }
        break;
    case PS_E_LIKE:
        sub(e->left, P_LIKE + 1, out);
        sl_buf_printf(out, "%s %s ", e->negated ? " NOT" : "", e->ilike ? "ILIKE" : "LIKE");
        sub(e->right, P_LIKE + 1, out);
        if (e->escape) {
            sl_buf_puts(out, " ESCAPE ");
            sub(e->escape, P_LIKE + 1, out);
        }
        break;
    case PS_E_IN:
        sub(e->left, P_LIKE + 1, out);
        sl_buf_puts(out, e->negated ? " NOT IN (" : " IN (");
        deparse_list(e->list, out);
        sl_buf_putc(out, ')');
        break;
    case PS_E_BETWEEN:
        sub(e->left, P_LIKE + 1, out);
        sl_buf_puts(out, e->negated ? " NOT BETWEEN " : " BETWEEN ");
        sub(e->low, P_LIKE + 1, out);
        sl_buf_puts(out, " AND ");
        sub(e->high, P_LIKE + 1, out);
        break;
    case PS_E_CASE:
        sl_buf_puts(out, "CASE");
        if (e->left) {
            sl_buf_putc(out, ' ');
            deparse(e->left, out);
        }
        for (int i = 0; i < PS_LIST_LEN(e->list); i++) {
            const PsCaseWhen *w = e->list->items[i];
            sl_buf_puts(out, " WHEN ");
            deparse(w->when, out);
            sl_buf_puts(out, " THEN ");
            deparse(w->then, out);
        }
        if (e->else_expr) {
            sl_buf_puts(out, " ELSE ");
            deparse(e->else_expr, out);
        }
        sl_buf_puts(out, " END");
        break;
    case PS_E_CAST:
        if (e->interval_unit != PS_IU_NONE && e->left->kind == PS_E_CONST &&
            e->left->unknown_literal) {
            static const char *const u[] = {"", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};
            sl_buf_puts(out, "INTERVAL ");
            deparse(e->left, out);
            sl_buf_printf(out, " %s", u[e->interval_unit]);
            break;
        }
        sl_buf_puts(out, "CAST(");
        deparse(e->left, out);
        sl_buf_puts(out, " AS ");
        type_text(e->cast_type, out);
        sl_buf_putc(out, ')');
        break;
    case PS_E_FUNC:
        deparse_func(e, out);
        break;
    }
}

void ps_expr_deparse(const PsExpr *e, SlBuf *out)
{
    if (e)
        deparse(e, out);
}

/* ------------------------------------------------------- column names */

/* PostgreSQL's name for a type in a column heading (pg_type.typname). */
static const char *pg_type_name(const PsTypeName *t)
{
    static const struct {
        const char *written, *pg;
    } map[] = {
        {"int", "int4"}, {"integer", "int4"}, {"int4", "int4"}, {"smallint", "int2"},
        {"int2", "int2"}, {"bigint", "int8"}, {"int8", "int8"}, {"real", "float4"},
        {"float4", "float4"}, {"float", "float8"}, {"float8", "float8"},
        {"double precision", "float8"}, {"numeric", "numeric"}, {"decimal", "numeric"},
        {"dec", "numeric"}, {"text", "text"}, {"varchar", "varchar"},
        {"character varying", "varchar"}, {"char varying", "varchar"}, {"char", "bpchar"},
        {"character", "bpchar"}, {"bpchar", "bpchar"}, {"boolean", "bool"}, {"bool", "bool"},
        {"timestamp", "timestamp"}, {"timestamp without time zone", "timestamp"},
        {"timestamptz", "timestamptz"}, {"timestamp with time zone", "timestamptz"},
        {"interval", "interval"}, {"name", "name"},
    };
    const char *n = t->name ? t->name : "";
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(n, map[i].written))
            return map[i].pg;
    /* float(p): float4 up to 24 bits of precision */
    return n;
}

/* FigureColnameInternal: the name and its strength (2: a real name, 1: a
 * fallback such as a type name or "case", 0: none). */
static int figure_colname(const PsExpr *e, const char **name)
{
    switch (e->kind) {
    case PS_E_COLUMN:
        *name = e->name;
        return 2;
    case PS_E_STAR:
        if (e->qualifier) {
            *name = e->qualifier;
            return 2;
        }
        return 0;
    case PS_E_FUNC:
        *name = e->sql_name ? e->sql_name : e->name;
        return 2;
    case PS_E_CAST: {
        int strength = figure_colname(e->left, name);
        if (strength <= 1) {
            *name = pg_type_name(e->cast_type);
            if (e->cast_type->typmod[0] >= 0 && e->cast_type->typmod[0] <= 24 &&
                !strcmp(e->cast_type->name, "float"))
                *name = "float4";
            return 1;
        }
        return strength;
    }
    case PS_E_CASE: {
        int strength = e->else_expr ? figure_colname(e->else_expr, name) : 0;
        if (strength <= 1) {
            *name = "case";
            return 1;
        }
        return strength;
    }
    default:
        return 0;
    }
}

const char *ps_target_name(const PsTarget *t, SlArena *a)
{
    (void)a;
    if (t->alias)
        return t->alias;
    const char *name = "?column?";
    if (t->expr && figure_colname(t->expr, &name) == 0)
        name = "?column?";
    return name;
}
