/*
 * deparse.c — expressions back to SQL text (for EXPLAIN, view definitions
 * and default column names), and PostgreSQL's default column names.
 */
#include <string.h>

#include "parser_int.h"

static void quote_ident(const char *s, SlBuf *out)
{
    bool plain = s[0] && !(s[0] >= '0' && s[0] <= '9') && !ps_keyword_code(s, (int)strlen(s));
    for (const char *p = s; *p && plain; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
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

static const char *op_text(PsOp op)
{
    static const char *const t[] = {"+", "-", "*", "/", "%", "||", "=", "<>", "<", "<=", ">", ">=",
                                    "AND", "OR", "NOT", "-", "+"};
    return t[op];
}

static void deparse_list(const PsList *l, SlBuf *out)
{
    for (int i = 0; i < PS_LIST_LEN(l); i++) {
        if (i)
            sl_buf_puts(out, ", ");
        ps_expr_deparse(l->items[i], out);
    }
}

/* Operands that are not atoms get parentheses, so the text reparses to
 * the same tree whatever the precedence. */
static void operand(const PsExpr *e, SlBuf *out)
{
    bool atom = e->kind == PS_E_CONST || e->kind == PS_E_PARAM || e->kind == PS_E_COLUMN ||
                e->kind == PS_E_FUNC || e->kind == PS_E_CASE || e->kind == PS_E_STAR;
    if (e->kind == PS_E_CONST && !e->value.isnull && !e->unknown_literal) {
        /* negative numbers need parentheses after an operator */
        SlBuf tmp;
        sl_buf_init(&tmp);
        sl_value_out(&e->value, &tmp);
        if (tmp.len && tmp.data[0] == '-')
            atom = false;
        sl_buf_free(&tmp);
    }
    if (!atom)
        sl_buf_putc(out, '(');
    ps_expr_deparse(e, out);
    if (!atom)
        sl_buf_putc(out, ')');
}

void ps_expr_deparse(const PsExpr *e, SlBuf *out)
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
        if (e->qualifier) {
            quote_ident(e->qualifier, out);
            sl_buf_putc(out, '.');
        }
        quote_ident(e->name, out);
        break;
    case PS_E_STAR:
        if (e->qualifier) {
            quote_ident(e->qualifier, out);
            sl_buf_putc(out, '.');
        }
        sl_buf_putc(out, '*');
        break;
    case PS_E_UNARY:
        sl_buf_puts(out, op_text(e->op));
        if (e->op == PS_OP_NOT)
            sl_buf_putc(out, ' ');
        operand(e->left, out);
        break;
    case PS_E_BINARY:
        operand(e->left, out);
        sl_buf_printf(out, " %s ", op_text(e->op));
        operand(e->right, out);
        break;
    case PS_E_IS:
        operand(e->left, out);
        sl_buf_puts(out, e->negated ? " IS NOT " : " IS ");
        switch (e->is_kind) {
        case PS_IS_NULL: sl_buf_puts(out, "NULL"); break;
        case PS_IS_TRUE: sl_buf_puts(out, "TRUE"); break;
        case PS_IS_FALSE: sl_buf_puts(out, "FALSE"); break;
        case PS_IS_UNKNOWN: sl_buf_puts(out, "UNKNOWN"); break;
        case PS_IS_DISTINCT_FROM:
            sl_buf_puts(out, "DISTINCT FROM ");
            operand(e->right, out);
            break;
        }
        break;
    case PS_E_LIKE:
        operand(e->left, out);
        sl_buf_printf(out, "%s %s ", e->negated ? " NOT" : "", e->ilike ? "ILIKE" : "LIKE");
        operand(e->right, out);
        if (e->escape) {
            sl_buf_puts(out, " ESCAPE ");
            operand(e->escape, out);
        }
        break;
    case PS_E_IN:
        operand(e->left, out);
        sl_buf_puts(out, e->negated ? " NOT IN (" : " IN (");
        deparse_list(e->list, out);
        sl_buf_putc(out, ')');
        break;
    case PS_E_BETWEEN:
        operand(e->left, out);
        sl_buf_puts(out, e->negated ? " NOT BETWEEN " : " BETWEEN ");
        operand(e->low, out);
        sl_buf_puts(out, " AND ");
        operand(e->high, out);
        break;
    case PS_E_CASE:
        sl_buf_puts(out, "CASE");
        if (e->left) {
            sl_buf_putc(out, ' ');
            operand(e->left, out);
        }
        for (int i = 0; i < PS_LIST_LEN(e->list); i++) {
            const PsCaseWhen *w = e->list->items[i];
            sl_buf_puts(out, " WHEN ");
            ps_expr_deparse(w->when, out);
            sl_buf_puts(out, " THEN ");
            ps_expr_deparse(w->then, out);
        }
        if (e->else_expr) {
            sl_buf_puts(out, " ELSE ");
            ps_expr_deparse(e->else_expr, out);
        }
        sl_buf_puts(out, " END");
        break;
    case PS_E_CAST:
        if (e->interval_unit != PS_IU_NONE) {
            static const char *const u[] = {"", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};
            sl_buf_puts(out, "INTERVAL ");
            ps_expr_deparse(e->left, out);
            sl_buf_printf(out, " %s", u[e->interval_unit]);
            break;
        }
        sl_buf_puts(out, "CAST(");
        ps_expr_deparse(e->left, out);
        sl_buf_printf(out, " AS %s", e->cast_type->name);
        if (e->cast_type->typmod[0] >= 0) {
            sl_buf_printf(out, "(%d", e->cast_type->typmod[0]);
            if (e->cast_type->typmod[1] >= 0)
                sl_buf_printf(out, ",%d", e->cast_type->typmod[1]);
            sl_buf_putc(out, ')');
        }
        sl_buf_putc(out, ')');
        break;
    case PS_E_FUNC:
        sl_buf_puts(out, e->name);
        sl_buf_putc(out, '(');
        if (e->func_star)
            sl_buf_putc(out, '*');
        if (e->func_distinct)
            sl_buf_puts(out, "DISTINCT ");
        deparse_list(e->list, out);
        sl_buf_putc(out, ')');
        break;
    }
}

const char *ps_target_name(const PsTarget *t, SlArena *a)
{
    if (t->alias)
        return t->alias;
    const PsExpr *e = t->expr;
    for (;;) {
        switch (e->kind) {
        case PS_E_COLUMN:
            return e->name;
        case PS_E_FUNC:
            return e->name;
        case PS_E_CAST:
            /* PostgreSQL names a cast after its input when that has a
             * name, else after the type */
            if (e->left->kind == PS_E_COLUMN || e->left->kind == PS_E_FUNC || e->left->kind == PS_E_CAST ||
                e->left->kind == PS_E_CASE) {
                e = e->left;
                continue;
            }
            switch (e->cast_type->type) {
            case SL_T_INT4: return "int4";
            case SL_T_INT8: return "int8";
            case SL_T_FLOAT8: return "float8";
            case SL_T_BOOL: return "bool";
            case SL_T_NUMERIC: return "numeric";
            case SL_T_TEXT:
                return strstr(e->cast_type->name, "char") ? "varchar" : "text";
            case SL_T_TIMESTAMP: return "timestamp";
            case SL_T_TIMESTAMPTZ: return "timestamptz";
            case SL_T_INTERVAL: return "interval";
            default: return sl_strdup(a, e->cast_type->name);
            }
        case PS_E_CASE:
            return "case";
        default:
            return "?column?";
        }
    }
}
