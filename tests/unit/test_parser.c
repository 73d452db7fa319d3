/* test_parser.c — tokenizer, grammar, AST, errors, deparse, column names.
 *
 * Precedence is checked on the tree itself (tree() prints an S-expression
 * of an expression), so a deparse that hides the shape cannot make a
 * precedence test pass. Expected error texts and positions were checked
 * against PostgreSQL 15. */
#include <string.h>
#include <time.h>

#include "parser_int.h"
#include "unit.h"

static SlArena *arena;
static SlError err;

static PsList *parse(const char *sql)
{
    PsList *stmts = NULL;
    sl_error_clear(&err);
    if (ps_parse(sql, strlen(sql), arena, &stmts, NULL, &err) < 0)
        return NULL;
    return stmts;
}

static PsStmt *parse1(const char *sql)
{
    PsList *l = parse(sql);
    if (!l)
        fprintf(stderr, "\nparse failed: %s: %s\n", sql, err.message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT_EQUAL_FATAL(l->n, 1);
    return l->items[0];
}

static PsExpr *target(PsStmt *s, int i)
{
    CU_ASSERT_FATAL(s->kind == PS_S_SELECT && i < s->select->targets->n);
    return ((PsTarget *)s->select->targets->items[i])->expr;
}

/* ------------------------------------------------------------ tree dump */

static void dump(const PsExpr *e, SlBuf *b);

static void dump_list(const PsList *l, SlBuf *b)
{
    for (int i = 0; i < PS_LIST_LEN(l); i++) {
        sl_buf_putc(b, ' ');
        dump(l->items[i], b);
    }
}

static void dump(const PsExpr *e, SlBuf *b)
{
    static const char *const ops[] = {"+", "-", "*", "/", "%", "||", "=", "<>", "<", "<=", ">", ">=",
                                      "AND", "OR", "NOT", "neg", "pos"};
    static const char *const is[] = {"NULL", "TRUE", "FALSE", "UNKNOWN", "DISTINCT"};
    if (!e) {
        sl_buf_puts(b, "nil");
        return;
    }
    switch (e->kind) {
    case PS_E_CONST:
        if (e->value.isnull)
            sl_buf_puts(b, "null");
        else if (e->unknown_literal)
            sl_buf_printf(b, "'%.*s'", (int)e->value.u.s.len, e->value.u.s.p);
        else
            sl_value_out(&e->value, b);
        break;
    case PS_E_PARAM: sl_buf_printf(b, "$%d", e->param_no); break;
    case PS_E_COLUMN:
        if (e->qualifier)
            sl_buf_printf(b, "%s.", e->qualifier);
        sl_buf_puts(b, e->name);
        break;
    case PS_E_STAR: sl_buf_printf(b, "%s%s*", e->qualifier ? e->qualifier : "", e->qualifier ? "." : ""); break;
    case PS_E_UNARY:
        sl_buf_printf(b, "(%s ", ops[e->op]);
        dump(e->left, b);
        sl_buf_putc(b, ')');
        break;
    case PS_E_BINARY:
        sl_buf_printf(b, "(%s ", ops[e->op]);
        dump(e->left, b);
        sl_buf_putc(b, ' ');
        dump(e->right, b);
        sl_buf_putc(b, ')');
        break;
    case PS_E_IS:
        sl_buf_printf(b, "(IS%s %s ", e->negated ? "NOT" : "", is[e->is_kind]);
        dump(e->left, b);
        if (e->right) {
            sl_buf_putc(b, ' ');
            dump(e->right, b);
        }
        sl_buf_putc(b, ')');
        break;
    case PS_E_LIKE:
        sl_buf_printf(b, "(%s%s ", e->negated ? "NOT" : "", e->ilike ? "ILIKE" : "LIKE");
        dump(e->left, b);
        sl_buf_putc(b, ' ');
        dump(e->right, b);
        if (e->escape) {
            sl_buf_puts(b, " ESC ");
            dump(e->escape, b);
        }
        sl_buf_putc(b, ')');
        break;
    case PS_E_IN:
        sl_buf_printf(b, "(%sIN ", e->negated ? "NOT" : "");
        dump(e->left, b);
        dump_list(e->list, b);
        sl_buf_putc(b, ')');
        break;
    case PS_E_BETWEEN:
        sl_buf_printf(b, "(%sBETWEEN ", e->negated ? "NOT" : "");
        dump(e->left, b);
        sl_buf_putc(b, ' ');
        dump(e->low, b);
        sl_buf_putc(b, ' ');
        dump(e->high, b);
        sl_buf_putc(b, ')');
        break;
    case PS_E_CASE:
        sl_buf_puts(b, "(CASE ");
        dump(e->left, b);
        for (int i = 0; i < PS_LIST_LEN(e->list); i++) {
            PsCaseWhen *w = e->list->items[i];
            sl_buf_puts(b, " [");
            dump(w->when, b);
            sl_buf_putc(b, ' ');
            dump(w->then, b);
            sl_buf_putc(b, ']');
        }
        sl_buf_putc(b, ' ');
        dump(e->else_expr, b);
        sl_buf_putc(b, ')');
        break;
    case PS_E_CAST:
        sl_buf_puts(b, "(:: ");
        dump(e->left, b);
        sl_buf_printf(b, " %s", e->cast_type->name);
        if (e->cast_type->typmod[0] >= 0)
            sl_buf_printf(b, "(%d,%d)", e->cast_type->typmod[0], e->cast_type->typmod[1]);
        if (e->interval_unit)
            sl_buf_printf(b, " unit%d", e->interval_unit);
        sl_buf_putc(b, ')');
        break;
    case PS_E_FUNC:
        sl_buf_printf(b, "(%s%s%s", e->name, e->func_distinct ? " DISTINCT" : "", e->func_star ? " *" : "");
        dump_list(e->list, b);
        sl_buf_putc(b, ')');
        break;
    }
}

static const char *tree_of(const PsExpr *e)
{
    SlBuf b;
    sl_buf_init(&b);
    dump(e, &b);
    char *r = sl_strndup(arena, b.data ? b.data : "", b.len);
    sl_buf_free(&b);
    return r;
}

/* tree of the first select-list item of "SELECT <expr>" */
static const char *tree(const char *expr)
{
    return tree_of(target(parse1(sl_psprintf(arena, "SELECT %s", expr)), 0));
}

static const char *deparse_of(const PsExpr *e)
{
    SlBuf b;
    sl_buf_init(&b);
    ps_expr_deparse(e, &b);
    char *r = sl_strndup(arena, b.data ? b.data : "", b.len);
    sl_buf_free(&b);
    return r;
}

static const char *deparse(const char *expr)
{
    return deparse_of(target(parse1(sl_psprintf(arena, "SELECT %s", expr)), 0));
}

#define TREE(expr, want) CU_ASSERT_STRING_EQUAL(tree(expr), want)

static int setup(void)
{
    arena = sl_arena_new(0);
    return 0;
}

static int teardown(void)
{
    sl_arena_free(arena);
    return 0;
}

/* ------------------------------------------------------------ literals */

static void test_literals(void)
{
    PsStmt *s = parse1("SELECT 1, 2147483647, 2147483648, 9223372036854775807, 9223372036854775808, "
                       "1.50, 1e3, .5, 1., 1.5E-2, TRUE, FALSE, NULL");
    SlType want[] = {SL_T_INT4, SL_T_INT4, SL_T_INT8, SL_T_INT8, SL_T_NUMERIC, SL_T_NUMERIC,
                     SL_T_NUMERIC, SL_T_NUMERIC, SL_T_NUMERIC, SL_T_NUMERIC, SL_T_BOOL, SL_T_BOOL,
                     SL_T_UNKNOWN};
    CU_ASSERT_EQUAL_FATAL(s->select->targets->n, 13);
    for (int i = 0; i < 13; i++) {
        PsExpr *e = target(s, i);
        CU_ASSERT_EQUAL(e->kind, PS_E_CONST);
        CU_ASSERT_EQUAL(e->value.type, want[i]);
        CU_ASSERT(!e->unknown_literal);
    }
    CU_ASSERT_EQUAL(target(s, 0)->value.u.i4, 1);
    CU_ASSERT_EQUAL(target(s, 2)->value.u.i8, 2147483648LL);
    CU_ASSERT_EQUAL(target(s, 3)->value.u.i8, INT64_MAX);
    CU_ASSERT(target(s, 4)->value.u.num == (__int128)INT64_MAX + 1 && target(s, 4)->value.scale == 0);
    /* NUMERIC literals are exact: digits and scale as written */
    CU_ASSERT(target(s, 5)->value.u.num == 150 && target(s, 5)->value.scale == 2);
    CU_ASSERT_STRING_EQUAL(tree_of(target(s, 6)), "1000");
    CU_ASSERT_STRING_EQUAL(tree_of(target(s, 7)), "0.5");
    CU_ASSERT_STRING_EQUAL(tree_of(target(s, 9)), "0.015");
    CU_ASSERT(target(s, 10)->value.u.b && !target(s, 11)->value.u.b);
    CU_ASSERT(target(s, 12)->value.isnull);
    /* more digits than int8: NUMERIC, exactly */
    PsExpr *big = target(parse1("SELECT 123456789012345678901234567890"), 0);
    CU_ASSERT_EQUAL(big->value.type, SL_T_NUMERIC);
    CU_ASSERT_STRING_EQUAL(tree_of(big), "123456789012345678901234567890");
    /* -2147483648 is an int4 and -9223372036854775808 an int8, as in PG */
    PsExpr *m = target(parse1("SELECT -2147483648"), 0);
    CU_ASSERT(m->kind == PS_E_CONST && m->value.type == SL_T_INT4 && m->value.u.i4 == INT32_MIN);
    m = target(parse1("SELECT -9223372036854775808"), 0);
    CU_ASSERT(m->kind == PS_E_CONST && m->value.type == SL_T_INT8 && m->value.u.i8 == INT64_MIN);
    /* parameters */
    int maxp = 0;
    PsList *l = NULL;
    CU_ASSERT_EQUAL(ps_parse("SELECT $2 + $10", 15, arena, &l, &maxp, &err), 0);
    CU_ASSERT_EQUAL(maxp, 10);
    CU_ASSERT_STRING_EQUAL(tree_of(target(l->items[0], 0)), "(+ $2 $10)");
}

static const char *str_of(const char *sql)
{
    PsExpr *e = target(parse1(sql), 0);
    CU_ASSERT_FATAL(e->kind == PS_E_CONST && e->unknown_literal && e->value.type == SL_T_TEXT);
    return sl_strndup(arena, e->value.u.s.p, e->value.u.s.len);
}

static void test_strings(void)
{
    CU_ASSERT_STRING_EQUAL(str_of("SELECT 'it''s'"), "it's");
    CU_ASSERT_STRING_EQUAL(str_of("SELECT ''"), "");
    CU_ASSERT_STRING_EQUAL(str_of("SELECT 'a\\nb'"), "a\\nb"); /* standard strings: \ is plain */
    CU_ASSERT_STRING_EQUAL(str_of("SELECT E'a\\nb\\tc\\\\d\\'e'"), "a\nb\tc\\d'e");
    CU_ASSERT_STRING_EQUAL(str_of("SELECT E'\\x41\\101\\u0042\\U00000043'"), "AABC");
    CU_ASSERT_STRING_EQUAL(str_of("SELECT e'\\u00e9'"), "\xc3\xa9");
    CU_ASSERT_STRING_EQUAL(str_of("SELECT E'it''s'"), "it's");
    CU_ASSERT_STRING_EQUAL(str_of("SELECT $$x'y$$"), "x'y");
    CU_ASSERT_STRING_EQUAL(str_of("SELECT $tag$a$$b$ta$tag$"), "a$$b$ta");
    CU_ASSERT_STRING_EQUAL(str_of("SELECT U&'d\\0061t\\+000061'"), "data");
    CU_ASSERT_STRING_EQUAL(str_of("SELECT U&'\\\\'"), "\\");
    /* a literal continues after whitespace holding a newline */
    CU_ASSERT_STRING_EQUAL(str_of("SELECT 'ab'\n  'cd'"), "abcd");
    CU_ASSERT_STRING_EQUAL(str_of("SELECT 'naïve'"), "naïve");
    /* typed literals are casts of a string */
    PsExpr *e = target(parse1("SELECT INTERVAL '4' SECOND"), 0);
    CU_ASSERT(e->kind == PS_E_CAST && e->cast_type->type == SL_T_INTERVAL && e->interval_unit == PS_IU_SECOND);
    CU_ASSERT(e->left->unknown_literal && !strcmp(e->left->value.u.s.p, "4"));
    CU_ASSERT_EQUAL(target(parse1("SELECT interval '1 day'"), 0)->interval_unit, PS_IU_NONE);
    e = target(parse1("SELECT TIMESTAMP '2024-01-01 00:00:00'"), 0);
    CU_ASSERT(e->kind == PS_E_CAST && e->cast_type->type == SL_T_TIMESTAMP);
    CU_ASSERT_STRING_EQUAL(e->left->value.u.s.p, "2024-01-01 00:00:00");
    CU_ASSERT_EQUAL(target(parse1("SELECT timestamptz '2024-01-01'"), 0)->cast_type->type, SL_T_TIMESTAMPTZ);
    TREE("INTERVAL '2' MINUTE", "(:: '2' interval unit5)");
}

static void test_identifiers_and_comments(void)
{
    PsExpr *e = target(parse1("SELECT \"Mixed Case\".\"Col\"\"x\", MiXeD"), 0);
    CU_ASSERT_STRING_EQUAL(e->qualifier, "Mixed Case");
    CU_ASSERT_STRING_EQUAL(e->name, "Col\"x");
    CU_ASSERT_STRING_EQUAL(target(parse1("SELECT MiXeD"), 0)->name, "mixed");
    CU_ASSERT_STRING_EQUAL(target(parse1("SELECT a$b"), 0)->name, "a$b");
    CU_ASSERT_STRING_EQUAL(target(parse1("SELECT \"select\""), 0)->name, "select");
    CU_ASSERT_STRING_EQUAL(target(parse1("SELECT ünï"), 0)->name, "ünï");
    /* comments */
    TREE("1 -- a comment\n + 2", "(+ 1 2)");
    TREE("1 /* a /* nested */ comment */ + 2", "(+ 1 2)");
    TREE("1/**/-/**/2", "(- 1 2)");
    TREE("1--2", "1");
    TREE("a.b", "a.b");
    TREE("t.*", "t.*");
}

/* ---------------------------------------------------------- expressions */

static void test_precedence(void)
{
    TREE("1 + 2 * 3", "(+ 1 (* 2 3))");
    TREE("(1 + 2) * 3", "(* (+ 1 2) 3)");
    TREE("1 - 2 - 3", "(- (- 1 2) 3)");
    TREE("8 / 4 % 3 * 2", "(* (% (/ 8 4) 3) 2)");
    TREE("NOT a = b", "(NOT (= a b))");
    TREE("NOT a AND b", "(AND (NOT a) b)");
    TREE("a OR b AND c", "(OR a (AND b c))");
    TREE("a AND b OR c AND d", "(OR (AND a b) (AND c d))");
    TREE("-x::int", "(neg (:: x int))");
    TREE("-x * y", "(* (neg x) y)");
    TREE("- 5", "-5");
    TREE("-5::int", "(neg (:: 5 int))");
    TREE("+x", "(pos x)");
    TREE("a = b IS NULL", "(IS NULL (= a b))");
    TREE("a IS NOT NULL AND b ISNULL OR c NOTNULL", "(OR (AND (ISNOT NULL a) (IS NULL b)) (ISNOT NULL c))");
    TREE("a IS TRUE", "(IS TRUE a)");
    TREE("a IS NOT FALSE", "(ISNOT FALSE a)");
    TREE("a IS UNKNOWN", "(IS UNKNOWN a)");
    TREE("a IS DISTINCT FROM b + 1", "(IS DISTINCT a (+ b 1))");
    TREE("a IS NOT DISTINCT FROM b", "(ISNOT DISTINCT a b)");
    TREE("a < b + 1", "(< a (+ b 1))");
    TREE("a <> b", "(<> a b)");
    TREE("a != b", "(<> a b)");
    TREE("a <= b", "(<= a b)");
    TREE("a >= b", "(>= a b)");
    /* || is PostgreSQL's generic operator level: below + and above comparisons */
    TREE("a || b + c", "(|| a (+ b c))");
    TREE("'a' || 'b' || 'c'", "(|| (|| 'a' 'b') 'c')");
    TREE("a < b || c", "(< a (|| b c))");
    TREE("a LIKE b || c", "(LIKE a (|| b c))");
    TREE("a NOT LIKE 'x%' ESCAPE '!'", "(NOTLIKE a 'x%' ESC '!')");
    TREE("a ILIKE 'x' AND b NOT ILIKE 'y'", "(AND (ILIKE a 'x') (NOTILIKE b 'y'))");
    TREE("x + 1 BETWEEN a AND b + 1", "(BETWEEN (+ x 1) a (+ b 1))");
    TREE("x BETWEEN 1 AND 2 AND y", "(AND (BETWEEN x 1 2) y)");
    TREE("x NOT BETWEEN 1 AND 2", "(NOTBETWEEN x 1 2)");
    TREE("x IN (1, 2 + 3) OR y NOT IN ('a')", "(OR (IN x 1 (+ 2 3)) (NOTIN y 'a'))");
    TREE("a = 1 OR NOT b IN (1)", "(OR (= a 1) (NOT (IN b 1)))");
    TREE("x::numeric(10,2)", "(:: x numeric(10,2))");
    TREE("CAST(x AS varchar(5))", "(:: x varchar(5,-1))");
    TREE("x::int::text", "(:: (:: x int) text)");
    TREE("t.x::text || 'a'", "(|| (:: t.x text) 'a')");
    TREE("CASE WHEN a > 1 THEN 'x' WHEN a > 0 THEN 'y' ELSE 'z' END", "(CASE nil [(> a 1) 'x'] [(> a 0) 'y'] 'z')");
    TREE("CASE a WHEN 1 THEN 2 END", "(CASE a [1 2] nil)");
    TREE("count(*)", "(count *)");
    TREE("count(DISTINCT x)", "(count DISTINCT x)");
    TREE("sum(ALL x)", "(sum x)");
    TREE("coalesce(a, b, 1)", "(coalesce a b 1)");
    TREE("pg_catalog.version()", "(version)");
    TREE("now()", "(now)");
    TREE("((((1))))", "1");
    TREE("EXTRACT(epoch FROM ts)", "(date_part 'epoch' ts)");
    TREE("extract(YEAR FROM ts)", "(date_part 'year' ts)");
    TREE("SUBSTRING(s FROM 2 FOR 3)", "(substring s 2 3)");
    TREE("substring(s, 2)", "(substring s 2)");
}

static void test_special_functions(void)
{
    const char *kw[] = {"current_timestamp", "current_date", "localtimestamp", "current_user",
                        "session_user", "user", "current_schema", "current_catalog"};
    const char *fn[] = {"now", "current_date", "localtimestamp", "current_user",
                        "session_user", "current_user", "current_schema", "current_database"};
    for (int i = 0; i < 8; i++) {
        PsStmt *s = parse1(sl_psprintf(arena, "SELECT %s", kw[i]));
        PsExpr *e = target(s, 0);
        CU_ASSERT_EQUAL(e->kind, PS_E_FUNC);
        CU_ASSERT_STRING_EQUAL(e->name, fn[i]);
        CU_ASSERT_EQUAL(PS_LIST_LEN(e->list), 0);
        CU_ASSERT_STRING_EQUAL(ps_target_name(s->select->targets->items[0], arena), kw[i]);
    }
    CU_ASSERT_STRING_EQUAL(deparse("CURRENT_TIMESTAMP"), "CURRENT_TIMESTAMP");
    CU_ASSERT_STRING_EQUAL(deparse("current_user"), "CURRENT_USER");
    CU_ASSERT_STRING_EQUAL(deparse("current_schema()"), "current_schema()");
}

static void test_keywords_as_names(void)
{
    CU_ASSERT(ps_keyword_table_sorted());
    CU_ASSERT(ps_keyword_code("select", 6) != 0 && ps_keyword_code("selec", 5) == 0);
    CU_ASSERT(ps_keyword_code("selects", 7) == 0 && ps_keyword_code("a", 1) == 0);
    const char *words[] = {"stream", "streams", "view", "views", "materialized", "subscribe", "watermark",
                           "tumble", "hop", "session", "format", "header", "csv", "delimiter", "quote",
                           "second", "minute", "hour", "day", "month", "year", "time", "zone", "names",
                           "level", "isolation", "values", "queries", "checkpoints", "interval", "extract",
                           "substring", "text", "timestamp", "int", "first", "last", "nulls", "next",
                           "cursor", "hold", "work", "transaction", "resume", "explain", "copy", "stdin",
                           "escape", "unknown", "precision", "binary", "exists", "show", "set"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        const char *w = words[i];
        /* column in a select list, WHERE, ORDER BY; a stream name; a column definition */
        PsStmt *s = parse(sl_psprintf(arena, "SELECT %s, t.%s FROM %s t WHERE %s > 1 ORDER BY %s", w, w, w, w, w))
                        ? parse1(sl_psprintf(arena, "SELECT %s, t.%s FROM %s t WHERE %s > 1 ORDER BY %s", w, w,
                                             w, w, w))
                        : NULL;
        if (!s) {
            fprintf(stderr, "\nkeyword %s is not usable as a name: %s\n", w, err.message);
            CU_FAIL("keyword not usable as a name");
            continue;
        }
        CU_ASSERT_STRING_EQUAL(target(s, 0)->name, w);
        CU_ASSERT_STRING_EQUAL(((PsFrom *)s->select->from->items[0])->name, w);
        s = parse1(sl_psprintf(arena, "CREATE STREAM %s (%s int, x text)", w, w));
        CU_ASSERT_STRING_EQUAL(s->name, w);
        CU_ASSERT_STRING_EQUAL(((PsColumnDef *)s->columns->items[0])->name, w);
        s = parse1(sl_psprintf(arena, "INSERT INTO %s (%s) VALUES (1)", w, w));
        CU_ASSERT_STRING_EQUAL(s->insert_columns->items[0], w);
        /* and deparse does not quote it */
        CU_ASSERT_STRING_EQUAL(deparse(w), w);
    }
    /* reserved words are names only when quoted; deparse quotes them */
    CU_ASSERT_PTR_NULL(parse("SELECT select FROM t"));
    CU_ASSERT_STRING_EQUAL(deparse("\"select\" + \"from\""), "\"select\" + \"from\"");
    CU_ASSERT_STRING_EQUAL(deparse("\"Upper\""), "\"Upper\"");
    /* aliases: any word after AS, plain names without */
    PsStmt *s = parse1("SELECT 1 AS one, 2 two, 3 AS from, 4 AS select, 5 stream");
    const char *names[] = {"one", "two", "from", "select", "stream"};
    for (int i = 0; i < 5; i++)
        CU_ASSERT_STRING_EQUAL(ps_target_name(s->select->targets->items[i], arena), names[i]);
    /* a SESSION window stays distinct from a stream named session */
    s = parse1("SELECT * FROM SESSION(session, ts, INTERVAL '5' SECOND) AS s");
    CU_ASSERT_EQUAL(((PsFrom *)s->select->from->items[0])->kind, PS_FROM_SESSION);
    CU_ASSERT_STRING_EQUAL(((PsFrom *)s->select->from->items[0])->name, "session");
    /* interval is a type in a cast and a column elsewhere */
    TREE("interval + 1", "(+ interval 1)");
    TREE("x::interval", "(:: x interval)");
    TREE("CAST(x AS interval)", "(:: x interval)");
}

static void test_type_names(void)
{
    struct {
        const char *written;
        SlType type;
        const char *name;
        int m0, m1;
    } cases[] = {
        {"int", SL_T_INT4, "int", -1, -1},
        {"INTEGER", SL_T_INT4, "integer", -1, -1},
        {"int4", SL_T_INT4, "int4", -1, -1},
        {"smallint", SL_T_INT4, "smallint", -1, -1},
        {"int2", SL_T_INT4, "int2", -1, -1},
        {"bigint", SL_T_INT8, "bigint", -1, -1},
        {"int8", SL_T_INT8, "int8", -1, -1},
        {"real", SL_T_FLOAT8, "real", -1, -1},
        {"float", SL_T_FLOAT8, "float", -1, -1},
        {"float8", SL_T_FLOAT8, "float8", -1, -1},
        {"DOUBLE  PRECISION", SL_T_FLOAT8, "double precision", -1, -1},
        {"numeric", SL_T_NUMERIC, "numeric", -1, -1},
        {"numeric(10)", SL_T_NUMERIC, "numeric", 10, -1},
        {"NUMERIC(10, 2)", SL_T_NUMERIC, "numeric", 10, 2},
        {"decimal(5,1)", SL_T_NUMERIC, "decimal", 5, 1},
        {"text", SL_T_TEXT, "text", -1, -1},
        {"varchar", SL_T_TEXT, "varchar", -1, -1},
        {"varchar(20)", SL_T_TEXT, "varchar", 20, -1},
        {"character varying(20)", SL_T_TEXT, "character varying", 20, -1},
        {"char", SL_T_TEXT, "char", -1, -1},
        {"boolean", SL_T_BOOL, "boolean", -1, -1},
        {"bool", SL_T_BOOL, "bool", -1, -1},
        {"timestamp", SL_T_TIMESTAMP, "timestamp", -1, -1},
        {"timestamp(3)", SL_T_TIMESTAMP, "timestamp", 3, -1},
        {"timestamp without time zone", SL_T_TIMESTAMP, "timestamp", -1, -1},
        {"timestamp(6) with time zone", SL_T_TIMESTAMPTZ, "timestamp with time zone", 6, -1},
        {"timestamptz", SL_T_TIMESTAMPTZ, "timestamptz", -1, -1},
        {"interval", SL_T_INTERVAL, "interval", -1, -1},
        {"geometry", SL_T_UNKNOWN, "geometry", -1, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        PsStmt *s = parse1(sl_psprintf(arena, "CREATE STREAM s (c %s NOT NULL)", cases[i].written));
        PsColumnDef *c = s->columns->items[0];
        CU_ASSERT(c->not_null);
        CU_ASSERT_EQUAL(c->type->type, cases[i].type);
        CU_ASSERT_STRING_EQUAL(c->type->name, cases[i].name);
        CU_ASSERT_EQUAL(c->type->typmod[0], cases[i].m0);
        CU_ASSERT_EQUAL(c->type->typmod[1], cases[i].m1);
        /* the same type in a cast */
        PsExpr *e = target(parse1(sl_psprintf(arena, "SELECT x::%s", cases[i].written)), 0);
        CU_ASSERT(e->kind == PS_E_CAST && e->cast_type->type == cases[i].type);
    }
}

/* ------------------------------------------------------------- SELECT */

static void test_select_clauses(void)
{
    PsStmt *s = parse1("SELECT DISTINCT a, b AS bee FROM sluice.views v, s AS s2 WHERE a > 1 GROUP BY a, b "
                       "HAVING count(*) > 2 ORDER BY a DESC NULLS LAST, b ASC NULLS FIRST, 1 LIMIT 5 OFFSET 10");
    PsSelect *q = s->select;
    CU_ASSERT_EQUAL(q->location, 0);
    CU_ASSERT(q->distinct);
    CU_ASSERT_STRING_EQUAL(((PsTarget *)q->targets->items[1])->alias, "bee");
    CU_ASSERT_EQUAL_FATAL(q->from->n, 2);
    PsFrom *f = q->from->items[0];
    CU_ASSERT(f->kind == PS_FROM_NAME && !strcmp(f->schema, "sluice") && !strcmp(f->name, "views") &&
              !strcmp(f->alias, "v"));
    f = q->from->items[1];
    CU_ASSERT(!f->schema && !strcmp(f->name, "s") && !strcmp(f->alias, "s2"));
    CU_ASSERT_STRING_EQUAL(tree_of(q->where), "(> a 1)");
    CU_ASSERT_EQUAL(q->group_by->n, 2);
    CU_ASSERT_STRING_EQUAL(tree_of(q->having), "(> (count *) 2)");
    CU_ASSERT_EQUAL_FATAL(q->order_by->n, 3);
    PsOrderItem *o = q->order_by->items[0];
    CU_ASSERT(o->desc && o->nulls == 2);
    o = q->order_by->items[1];
    CU_ASSERT(!o->desc && o->nulls == 1);
    o = q->order_by->items[2];
    CU_ASSERT(!o->desc && o->nulls == 0);
    CU_ASSERT_STRING_EQUAL(tree_of(q->limit), "5");
    CU_ASSERT_STRING_EQUAL(tree_of(q->offset), "10");
    s = parse1("SELECT a FROM t LIMIT ALL");
    CU_ASSERT(!s->select->limit && !s->select->offset);
    s = parse1("SELECT a FROM t OFFSET 3 LIMIT $1");
    CU_ASSERT(s->select->limit->kind == PS_E_PARAM && s->select->offset);
    s = parse1("SELECT ALL 1");
    CU_ASSERT(!s->select->distinct && !s->select->from && !s->select->where);
    s = parse1("SELECT *, t.* FROM t");
    CU_ASSERT(target(s, 0)->kind == PS_E_STAR && !target(s, 0)->qualifier);
    CU_ASSERT(target(s, 1)->kind == PS_E_STAR && !strcmp(target(s, 1)->qualifier, "t"));

    s = parse1("SELECT window_start, count(*) FROM TUMBLE(bids, date_time, INTERVAL '10' SECOND) GROUP BY window_start");
    f = s->select->from->items[0];
    CU_ASSERT_EQUAL(f->kind, PS_FROM_TUMBLE);
    CU_ASSERT_STRING_EQUAL(f->name, "bids");
    CU_ASSERT_EQUAL_FATAL(f->args->n, 2);
    CU_ASSERT_STRING_EQUAL(tree_of(f->args->items[0]), "date_time");
    s = parse1("SELECT * FROM hop(bids, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) h");
    f = s->select->from->items[0];
    CU_ASSERT(f->kind == PS_FROM_HOP && f->args->n == 3 && !strcmp(f->alias, "h"));
    s = parse1("SELECT * FROM SESSION(bids, date_time, INTERVAL '5' SECOND)");
    CU_ASSERT_EQUAL(((PsFrom *)s->select->from->items[0])->kind, PS_FROM_SESSION);
    /* an unknown table function is an error with a position, not a crash */
    CU_ASSERT_PTR_NULL(parse("SELECT * FROM slide(bids, ts, 1)"));
    CU_ASSERT_EQUAL(err.code, SL_E_UNDEFINED_FUNCTION);
    CU_ASSERT_EQUAL(err.position, 15);
}

/* ---------------------------------------------------------- statements */

static void test_session_statements(void)
{
    PsStmt *s = parse1("SET extra_float_digits = 3");
    CU_ASSERT(s->kind == PS_S_SET && !strcmp(s->name, "extra_float_digits") && !s->is_local);
    CU_ASSERT_STRING_EQUAL(tree_of(s->values->items[0]), "3");
    s = parse1("SET SESSION application_name TO 'psql'");
    CU_ASSERT(s->kind == PS_S_SET && !strcmp(s->name, "application_name") && !s->is_local);
    CU_ASSERT_STRING_EQUAL(tree_of(s->values->items[0]), "'psql'");
    s = parse1("SET LOCAL statement_timeout = -5");
    CU_ASSERT(s->is_local);
    CU_ASSERT_STRING_EQUAL(tree_of(s->values->items[0]), "-5");
    s = parse1("SET DateStyle = ISO, MDY");
    CU_ASSERT_STRING_EQUAL(s->name, "datestyle");
    CU_ASSERT_EQUAL(s->values->n, 2);
    CU_ASSERT_EQUAL(((PsExpr *)s->values->items[0])->kind, PS_E_COLUMN);
    CU_ASSERT_STRING_EQUAL(tree_of(s->values->items[1]), "mdy");
    s = parse1("SET search_path TO public, \"$user\"");
    CU_ASSERT_STRING_EQUAL(tree_of(s->values->items[1]), "$user");
    s = parse1("SET standard_conforming_strings = on");
    CU_ASSERT_STRING_EQUAL(tree_of(s->values->items[0]), "on");
    s = parse1("SET x = true");
    CU_ASSERT_EQUAL(((PsExpr *)s->values->items[0])->value.type, SL_T_BOOL);
    s = parse1("SET sluice.parallelism = 2.5");
    CU_ASSERT_STRING_EQUAL(s->name, "sluice.parallelism");
    s = parse1("SET TIME ZONE 'UTC'");
    CU_ASSERT(s->kind == PS_S_SET && !strcmp(s->name, "timezone") && s->values->n == 1);
    s = parse1("SET TIME ZONE LOCAL");
    CU_ASSERT(!strcmp(s->name, "timezone") && s->set_default);
    s = parse1("SET NAMES 'UTF8'");
    CU_ASSERT_STRING_EQUAL(s->name, "client_encoding");
    s = parse1("SET x TO DEFAULT");
    CU_ASSERT(s->set_default && !s->values);
    s = parse1("SHOW server_version");
    CU_ASSERT(s->kind == PS_S_SHOW && !strcmp(s->name, "server_version"));
    s = parse1("SHOW ALL");
    CU_ASSERT(s->kind == PS_S_SHOW && s->all);
    CU_ASSERT_STRING_EQUAL(parse1("SHOW TRANSACTION ISOLATION LEVEL")->name, "transaction_isolation");
    CU_ASSERT_STRING_EQUAL(parse1("SHOW TIME ZONE")->name, "timezone");
    CU_ASSERT_STRING_EQUAL(parse1("SHOW SESSION AUTHORIZATION")->name, "session_authorization");
    CU_ASSERT_STRING_EQUAL(parse1("show \"DateStyle\"")->name, "DateStyle");
    s = parse1("SHOW STREAMS");
    CU_ASSERT(s->kind == PS_S_SHOW_OBJECTS && s->obj == PS_OBJ_STREAM);
    CU_ASSERT_EQUAL(parse1("SHOW MATERIALIZED VIEWS")->obj, PS_OBJ_VIEW);
    CU_ASSERT_EQUAL(parse1("SHOW QUERIES")->obj, PS_OBJ_QUERY);
    CU_ASSERT_EQUAL(parse1("SHOW CHECKPOINTS")->obj, PS_OBJ_CHECKPOINT);
    s = parse1("RESET ALL");
    CU_ASSERT(s->kind == PS_S_RESET && s->all);
    s = parse1("RESET work_mem");
    CU_ASSERT(s->kind == PS_S_RESET && !strcmp(s->name, "work_mem"));
    const char *begins[] = {"BEGIN", "BEGIN WORK", "BEGIN TRANSACTION", "BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE",
                            "BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE READ ONLY", "START TRANSACTION",
                            "START TRANSACTION ISOLATION LEVEL REPEATABLE READ"};
    for (size_t i = 0; i < sizeof begins / sizeof begins[0]; i++)
        CU_ASSERT_EQUAL(parse1(begins[i])->kind, PS_S_BEGIN);
    const char *commits[] = {"COMMIT", "COMMIT WORK", "END", "END TRANSACTION"};
    for (size_t i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(parse1(commits[i])->kind, PS_S_COMMIT);
    const char *rollbacks[] = {"ROLLBACK", "ROLLBACK WORK", "ABORT", "ABORT TRANSACTION"};
    for (size_t i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(parse1(rollbacks[i])->kind, PS_S_ROLLBACK);
    CU_ASSERT_EQUAL(parse1("DISCARD ALL")->kind, PS_S_DISCARD);
    s = parse1("LISTEN top");
    CU_ASSERT(s->kind == PS_S_LISTEN && !strcmp(s->name, "top"));
    s = parse1("UNLISTEN top");
    CU_ASSERT(s->kind == PS_S_UNLISTEN && !strcmp(s->name, "top") && !s->all);
    CU_ASSERT(parse1("UNLISTEN *")->all);
}

static void test_stream_statements(void)
{
    PsStmt *s = parse1("CREATE STREAM IF NOT EXISTS bids (auction BIGINT, price BIGINT NOT NULL, channel TEXT NULL, "
                       "date_time TIMESTAMP, WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND) "
                       "WITH (partitions = 4, durability = 'fsync', ratio = -1.5, flag, mode = fast)");
    CU_ASSERT_EQUAL(s->kind, PS_S_CREATE_STREAM);
    CU_ASSERT(s->if_not_exists);
    CU_ASSERT_STRING_EQUAL(s->name, "bids");
    CU_ASSERT_EQUAL_FATAL(s->columns->n, 4);
    PsColumnDef *c = s->columns->items[1];
    CU_ASSERT(c->not_null && c->type->type == SL_T_INT8 && !strcmp(c->name, "price"));
    CU_ASSERT(!((PsColumnDef *)s->columns->items[2])->not_null);
    CU_ASSERT_STRING_EQUAL(s->watermark_column, "date_time");
    CU_ASSERT_STRING_EQUAL(tree_of(s->watermark_expr), "(- date_time (:: '4' interval unit6))");
    CU_ASSERT_EQUAL_FATAL(s->options->n, 5);
    const char *onames[] = {"partitions", "durability", "ratio", "flag", "mode"};
    const char *ovals[] = {"4", "'fsync'", "-1.5", "nil", "fast"};
    for (int i = 0; i < 5; i++) {
        PsOption *o = s->options->items[i];
        CU_ASSERT_STRING_EQUAL(o->name, onames[i]);
        CU_ASSERT_STRING_EQUAL(tree_of(o->value), ovals[i]);
    }
    CU_ASSERT_EQUAL(((PsOption *)s->options->items[4])->value->kind, PS_E_COLUMN);
    CU_ASSERT(!parse1("CREATE STREAM s (a int)")->if_not_exists);

    const char *sql = "CREATE MATERIALIZED VIEW IF NOT EXISTS top WITH (parallelism = 4) AS\n"
                      "  SELECT auction, count(*) FROM bids GROUP BY auction -- trailing\n";
    s = parse1(sql);
    CU_ASSERT(s->kind == PS_S_CREATE_VIEW && s->if_not_exists && !strcmp(s->name, "top"));
    CU_ASSERT_EQUAL(s->options->n, 1);
    CU_ASSERT_STRING_EQUAL(s->query_text, "SELECT auction, count(*) FROM bids GROUP BY auction");
    CU_ASSERT_EQUAL(s->body_location, (int)(strstr(sql, "SELECT") - sql));
    CU_ASSERT_EQUAL(s->select->group_by->n, 1);

    s = parse1("DROP STREAM IF EXISTS bids CASCADE");
    CU_ASSERT(s->kind == PS_S_DROP && s->obj == PS_OBJ_STREAM && s->if_exists && s->cascade);
    s = parse1("DROP MATERIALIZED VIEW top RESTRICT");
    CU_ASSERT(s->kind == PS_S_DROP && s->obj == PS_OBJ_VIEW && !s->if_exists && !s->cascade &&
              !strcmp(s->name, "top"));
    s = parse1("ALTER MATERIALIZED VIEW top SET (parallelism = 8, restart_strategy = 'none')");
    CU_ASSERT(s->kind == PS_S_ALTER_VIEW && s->options->n == 2 && !s->resume && !strcmp(s->name, "top"));
    s = parse1("ALTER MATERIALIZED VIEW top RESUME");
    CU_ASSERT(s->kind == PS_S_ALTER_VIEW && s->resume);

    s = parse1("INSERT INTO bids (auction, price) VALUES (1, 2), ($1, -$2), (DEFAULT_X, 'a' || 'b')");
    CU_ASSERT(s->kind == PS_S_INSERT && !strcmp(s->name, "bids"));
    CU_ASSERT_EQUAL(s->insert_columns->n, 2);
    CU_ASSERT_STRING_EQUAL(s->insert_columns->items[1], "price");
    CU_ASSERT_EQUAL_FATAL(s->rows->n, 3);
    PsList *row = s->rows->items[1];
    CU_ASSERT_STRING_EQUAL(tree_of(row->items[1]), "(neg $2)");
    CU_ASSERT_PTR_NULL(parse1("INSERT INTO t VALUES (1)")->insert_columns);
}

static PsOption *opt(PsStmt *s, int i)
{
    CU_ASSERT_FATAL(s->options && i < s->options->n);
    return s->options->items[i];
}

static void test_copy_and_subscribe(void)
{
    PsStmt *s = parse1("COPY bids FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';', NULL '', QUOTE '\"', "
                       "ESCAPE '\\')");
    CU_ASSERT(s->kind == PS_S_COPY_FROM && !strcmp(s->name, "bids") && !s->insert_columns);
    CU_ASSERT_EQUAL_FATAL(s->options->n, 6);
    const char *n[] = {"format", "header", "delimiter", "null", "quote", "escape"};
    const char *v[] = {"csv", "t", "';'", "''", "'\"'", "'\\'"};
    for (int i = 0; i < 6; i++) {
        CU_ASSERT_STRING_EQUAL(opt(s, i)->name, n[i]);
        if (strcmp(tree_of(opt(s, i)->value), v[i]))
            fprintf(stderr, "\noption %d: %s\n", i, tree_of(opt(s, i)->value));
        CU_ASSERT_STRING_EQUAL(tree_of(opt(s, i)->value), v[i]);
    }
    s = parse1("COPY bids (auction, price) FROM stdin (format text)");
    CU_ASSERT(s->kind == PS_S_COPY_FROM && s->insert_columns->n == 2 && s->options->n == 1);
    s = parse1("COPY bids FROM STDIN");
    CU_ASSERT(s->kind == PS_S_COPY_FROM && !s->options);
    /* the pre-9.0 option syntax */
    s = parse1("COPY bids FROM STDIN WITH CSV HEADER DELIMITER AS ',' NULL AS 'x'");
    CU_ASSERT_EQUAL_FATAL(s->options->n, 4);
    CU_ASSERT(!strcmp(opt(s, 0)->name, "format") && !strcmp(tree_of(opt(s, 0)->value), "csv"));
    CU_ASSERT(!strcmp(opt(s, 1)->name, "header") && !opt(s, 1)->value);
    CU_ASSERT(!strcmp(opt(s, 2)->name, "delimiter") && !strcmp(tree_of(opt(s, 2)->value), "','"));
    CU_ASSERT(!strcmp(opt(s, 3)->name, "null") && !strcmp(tree_of(opt(s, 3)->value), "'x'"));
    s = parse1("COPY bids FROM STDIN DELIMITER '|'");
    CU_ASSERT(s->options->n == 1 && !strcmp(opt(s, 0)->name, "delimiter"));

    s = parse1("COPY (SUBSCRIBE top) TO STDOUT");
    CU_ASSERT(s->kind == PS_S_COPY_TO && s->inner->kind == PS_S_SUBSCRIBE && !strcmp(s->inner->name, "top"));
    s = parse1("COPY (SUBSCRIBE TO top AS OF 10 WITH (snapshot = false)) TO STDOUT WITH (FORMAT csv)");
    CU_ASSERT(s->kind == PS_S_COPY_TO && s->options->n == 1);
    CU_ASSERT(s->inner->as_of && s->inner->options->n == 1);
    s = parse1("COPY (SELECT a FROM v WHERE a > 1) TO STDOUT CSV HEADER");
    CU_ASSERT(s->kind == PS_S_COPY_TO && s->inner->kind == PS_S_SELECT && s->inner->select->where);
    CU_ASSERT_EQUAL(s->options->n, 2);

    s = parse1("SUBSCRIBE top");
    CU_ASSERT(s->kind == PS_S_SUBSCRIBE && !strcmp(s->name, "top") && !s->as_of && !s->options);
    s = parse1("SUBSCRIBE TO top AS OF 42 WITH (snapshot = false)");
    CU_ASSERT(s->kind == PS_S_SUBSCRIBE && s->options->n == 1);
    CU_ASSERT_STRING_EQUAL(tree_of(s->as_of), "42");

    s = parse1("DECLARE c CURSOR FOR SUBSCRIBE top");
    CU_ASSERT(s->kind == PS_S_DECLARE && !strcmp(s->name, "c") && s->inner->kind == PS_S_SUBSCRIBE && !s->with_hold);
    s = parse1("DECLARE c BINARY CURSOR WITH HOLD FOR SELECT * FROM top");
    CU_ASSERT(s->kind == PS_S_DECLARE && s->with_hold && s->inner->kind == PS_S_SELECT);
    CU_ASSERT(!parse1("DECLARE c CURSOR WITHOUT HOLD FOR SUBSCRIBE top")->with_hold);

    struct {
        const char *sql;
        int64_t count;
        bool all;
    } fetches[] = {
        {"FETCH ALL c", -1, true},          {"FETCH ALL FROM c", -1, true}, {"FETCH FORWARD ALL IN c", -1, true},
        {"FETCH 10 FROM c", 10, false},     {"FETCH FORWARD 5 c", 5, false}, {"FETCH NEXT FROM c", 1, false},
        {"FETCH c", 1, false},              {"FETCH FORWARD c", 1, false},   {"FETCH IN c", 1, false},
    };
    for (size_t i = 0; i < sizeof fetches / sizeof fetches[0]; i++) {
        s = parse1(fetches[i].sql);
        CU_ASSERT(s->kind == PS_S_FETCH && !strcmp(s->name, "c"));
        CU_ASSERT_EQUAL(s->fetch_count, fetches[i].count);
        CU_ASSERT_EQUAL(s->all, fetches[i].all);
    }
    s = parse1("FETCH ALL c WITH (timeout = '1s')");
    CU_ASSERT(s->all && s->options->n == 1 && !strcmp(opt(s, 0)->name, "timeout"));
    s = parse1("CLOSE c");
    CU_ASSERT(s->kind == PS_S_CLOSE && !strcmp(s->name, "c") && !s->all);
    CU_ASSERT(parse1("CLOSE ALL")->all);

    const char *sql = "EXPLAIN CREATE MATERIALIZED VIEW v AS SELECT a FROM s";
    s = parse1(sql);
    CU_ASSERT(s->kind == PS_S_EXPLAIN && s->inner->kind == PS_S_CREATE_VIEW);
    CU_ASSERT_STRING_EQUAL(s->inner->query_text, "SELECT a FROM s");
    CU_ASSERT_EQUAL(s->inner->location, 8);
    CU_ASSERT_EQUAL(s->inner->length, (int)strlen(sql) - 8);
    s = parse1("EXPLAIN SELECT 1");
    CU_ASSERT(s->kind == PS_S_EXPLAIN && s->inner->kind == PS_S_SELECT);
}

static void test_kind_names(void)
{
    CU_ASSERT_STRING_EQUAL(ps_stmt_kind_name(PS_S_SELECT), "SELECT");
    CU_ASSERT_STRING_EQUAL(ps_stmt_kind_name(PS_S_CREATE_STREAM), "CREATE STREAM");
    CU_ASSERT_STRING_EQUAL(ps_stmt_kind_name(PS_S_CREATE_VIEW), "CREATE MATERIALIZED VIEW");
    CU_ASSERT_STRING_EQUAL(ps_stmt_kind_name(PS_S_COPY_FROM), "COPY");
    CU_ASSERT_STRING_EQUAL(ps_stmt_kind_name((PsStmtKind)999), "UNKNOWN");
    for (int k = PS_S_EMPTY; k <= PS_S_FAILPOINT; k++)
        CU_ASSERT(strcmp(ps_stmt_kind_name((PsStmtKind)k), "UNKNOWN") != 0);
}

/* ------------------------------------------------ several statements */

static void test_multi_statements(void)
{
    const char *sql = "SELECT 1; ; SET a = 1 ;SELECT 'x;y' -- c;\n";
    PsList *l = parse(sql);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT_EQUAL_FATAL(l->n, 3);
    PsStmt *s0 = l->items[0], *s1 = l->items[1], *s2 = l->items[2];
    CU_ASSERT_EQUAL(s0->location, 0);
    CU_ASSERT_EQUAL(s0->length, 8);
    CU_ASSERT_EQUAL(s1->kind, PS_S_SET);
    CU_ASSERT_EQUAL(s1->location, 12);
    CU_ASSERT_EQUAL(s1->length, 9);
    CU_ASSERT_EQUAL(s2->kind, PS_S_SELECT);
    CU_ASSERT_EQUAL(s2->location, 23);
    CU_ASSERT_EQUAL(s2->length, 12); /* the comment is not part of it */
    CU_ASSERT_STRING_EQUAL(tree_of(target(s2, 0)), "'x;y'");

    /* blank texts: one EMPTY statement */
    const char *blanks[] = {"", "   ", "  /* only a comment */ ", "-- c", ";", " ; ;; "};
    for (size_t i = 0; i < sizeof blanks / sizeof blanks[0]; i++) {
        l = parse(blanks[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(l);
        CU_ASSERT_EQUAL(l->n, 1);
        CU_ASSERT_EQUAL(((PsStmt *)l->items[0])->kind, PS_S_EMPTY);
    }
    /* each statement's view text comes from its own statement */
    sql = "CREATE MATERIALIZED VIEW a AS SELECT 1;\nCREATE MATERIALIZED VIEW b AS SELECT x FROM s;";
    l = parse(sql);
    CU_ASSERT_EQUAL_FATAL(l->n, 2);
    CU_ASSERT_STRING_EQUAL(((PsStmt *)l->items[0])->query_text, "SELECT 1");
    CU_ASSERT_STRING_EQUAL(((PsStmt *)l->items[1])->query_text, "SELECT x FROM s");
    CU_ASSERT_EQUAL(((PsStmt *)l->items[1])->location, 40);
    /* BEGIN; ...; COMMIT */
    l = parse("BEGIN; DECLARE c CURSOR FOR SUBSCRIBE v; FETCH ALL c; COMMIT;");
    CU_ASSERT_EQUAL_FATAL(l->n, 4);
    CU_ASSERT_EQUAL(((PsStmt *)l->items[3])->kind, PS_S_COMMIT);
}

/* ---------------------------------------------------------------- errors */

static void expect_error_code(const char *sql, const char *sqlstate, const char *msg, int position)
{
    PsList *l = parse(sql);
    CU_ASSERT_PTR_NULL(l);
    if (strcmp(err.message, msg) != 0 || err.position != position)
        fprintf(stderr, "\n%s: got \"%s\" at %d\n", sql, err.message, err.position);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), sqlstate);
    CU_ASSERT_STRING_EQUAL(err.message, msg);
    CU_ASSERT_EQUAL(err.position, position);
}

static void expect_error(const char *sql, const char *msg, int position)
{
    expect_error_code(sql, "42601", msg, position);
}

static void test_errors(void)
{
    expect_error("SELECT * FORM t", "syntax error at or near \"FORM\"", 10);
    /* as in PostgreSQL, FORM here is read as the alias of 1 */
    expect_error("SELECT 1 FORM t", "syntax error at or near \"t\"", 15);
    expect_error("SELEC 1", "syntax error at or near \"SELEC\"", 1);
    expect_error("SELECT 'abc", "unterminated quoted string at or near \"'abc\"", 8);
    expect_error("SELECT E'abc\\'", "unterminated quoted string at or near \"E'abc\\'\"", 8);
    expect_error("SELECT \"abc", "unterminated quoted identifier at or near \"\"abc\"", 8);
    expect_error("SELECT \"\"", "zero-length delimited identifier at or near \"\"\"\"", 8);
    expect_error("SELECT $a$x", "unterminated dollar-quoted string at or near \"$a$x\"", 8);
    expect_error("SELECT (1", "syntax error at end of input", 10);
    expect_error("SELECT (1   ", "syntax error at end of input", 13);
    expect_error("SELECT 1 +", "syntax error at end of input", 11);
    expect_error("SELECT x FROM t ORDER BY", "syntax error at end of input", 25);
    expect_error("SELECT 123abc", "trailing junk after numeric literal at or near \"123abc\"", 8);
    expect_error("SELECT 1.5e", "trailing junk after numeric literal at or near \"1.5e\"", 8);
    expect_error("SELECT 0x1F", "trailing junk after numeric literal at or near \"0x1F\"", 8);
    expect_error("SELECT $1abc", "trailing junk after parameter at or near \"$1abc\"", 8);
    expect_error("SELECT 1 /* open", "unterminated /* comment at or near \"/* open\"", 10);
    expect_error("SELECT 1 /* a /* b */", "unterminated /* comment at or near \"/* a /* b */\"", 10);
    expect_error("SELECT 'a' 'b'", "syntax error at or near \"'b'\"", 12);
    expect_error("SELECT 1 ~ 2", "syntax error at or near \"~\"", 10);
    expect_error("SELECT a = b = c", "syntax error at or near \"=\"", 14);
    expect_error("CREATE STREAM s (a int", "syntax error at end of input", 23);
    expect_error("INSERT INTO t VALUES (1,)", "syntax error at or near \")\"", 25);
    /* an error in a later statement points into the whole text */
    expect_error("SELECT 1; SELECT * FORM t", "syntax error at or near \"FORM\"", 20);
    expect_error("SELECT 1;\nSELECT 'x", "unterminated quoted string at or near \"'x\"", 18);
    /* positions count characters, not bytes */
    expect_error("SELECT 'é', * FORM t", "syntax error at or near \"FORM\"", 15);
    expect_error("SELECT '日本語' FORM t", "syntax error at or near \"t\"", 19);
    /* escapes */
    expect_error_code("SELECT E'\\u00'", "22025", "invalid Unicode escape", 8);
    expect_error("SELECT E'\\u0000'", "invalid Unicode escape value at or near \"\\u0000\"", 10);
    expect_error("SELECT U&'\\00zz'", "invalid Unicode escape", 8);
    expect_error_code("SELECT $0", "42P02", "there is no parameter $0", 8);
    /* a deeply nested expression is an error, not a crash */
    SlBuf b;
    sl_buf_init(&b);
    sl_buf_puts(&b, "SELECT ");
    for (int i = 0; i < 100000; i++)
        sl_buf_putc(&b, '(');
    sl_buf_putc(&b, '1');
    sl_buf_putc(&b, '\0');
    CU_ASSERT_PTR_NULL(parse(b.data));
    CU_ASSERT_EQUAL(err.code, SL_E_PROGRAM_LIMIT_EXCEEDED);
    sl_buf_free(&b);
    /* moderately nested expressions parse */
    TREE("((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))", "1");
    TREE("NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT a", "(NOT (NOT (NOT (NOT (NOT (NOT (NOT (NOT (NOT (NOT a))))))))))");
    /* a NUL byte inside the text is a syntax error, not the end */
    PsList *l = NULL;
    CU_ASSERT_EQUAL(ps_parse("SELECT 1\0 2", 11, arena, &l, NULL, &err), -1);
    CU_ASSERT_EQUAL(err.code, SL_E_SYNTAX_ERROR);
}

/* ------------------------------------------------ deparse and names */

static void test_deparse(void)
{
    struct {
        const char *in, *out;
    } cases[] = {
        {"1 + 2 * 3", "1 + 2 * 3"},
        {"(1 + 2) * 3", "(1 + 2) * 3"},
        {"1 - (2 - 3)", "1 - (2 - 3)"},
        {"(1 - 2) - 3", "1 - 2 - 3"},
        {"NOT a = b", "NOT a = b"},
        {"(NOT a) = b", "(NOT a) = b"},
        {"a OR b AND c", "a OR b AND c"},
        {"(a OR b) AND c", "(a OR b) AND c"},
        {"-x::int", "-CAST(x AS int)"},
        {"(-x)::int", "CAST(-x AS int)"},
        {"- (-x)", "-(-x)"},
        {"a - -3", "a - -3"},
        {"a * (b + -3) / 2 % 5", "a * (b + -3) / 2 % 5"},
        {"(a = b) IS NULL", "a = b IS NULL"},
        {"a = (b IS NULL)", "a = (b IS NULL)"},
        {"(a = b) = c", "(a = b) = c"},
        {"x IS NOT DISTINCT FROM y OR NOT z", "x IS NOT DISTINCT FROM y OR NOT z"},
        {"x ISNULL", "x IS NULL"},
        {"a || b + c", "a || b + c"},
        {"(a || b) + c", "(a || b) + c"},
        {"a LIKE 'x' || 'y' ESCAPE '!'", "a LIKE 'x' || 'y' ESCAPE '!'"},
        {"(a LIKE b) = true", "a LIKE b = true"},
        {"a LIKE (b = true)", "a LIKE (b = true)"},
        {"x NOT IN (1, 2)", "x NOT IN (1, 2)"},
        {"x BETWEEN 1 AND 2 AND y", "x BETWEEN 1 AND 2 AND y"},
        {"x BETWEEN (a AND b) AND c", "x BETWEEN (a AND b) AND c"},
        {"CASE WHEN p LIKE 'a''%' THEN 1.5 ELSE NULL END", "CASE WHEN p LIKE 'a''%' THEN 1.5 ELSE NULL END"},
        {"CASE a WHEN 1 THEN 2 END", "CASE a WHEN 1 THEN 2 END"},
        {"count(DISTINCT bidder)", "count(DISTINCT bidder)"},
        {"count(*)", "count(*)"},
        {"CAST('5' AS INT)", "CAST('5' AS int)"},
        {"x::double precision", "CAST(x AS double precision)"},
        {"x::timestamp(3) with time zone", "CAST(x AS timestamp(3) with time zone)"},
        {"x::numeric(10,2)", "CAST(x AS numeric(10,2))"},
        {"date_time - INTERVAL '4' SECOND", "date_time - INTERVAL '4' SECOND"},
        {"TIMESTAMP '2024-01-01'", "CAST('2024-01-01' AS timestamp)"},
        {"\"Mixed Case\".\"Col\"", "\"Mixed Case\".\"Col\""},
        {"pg_catalog.version()", "version()"},
        {"EXTRACT(epoch FROM ts)", "EXTRACT(epoch FROM ts)"},
        {"E'a\\nb'", "'a\nb'"},
        {"$2 * 1e2", "$2 * 100"},
        {"true AND NOT false", "true AND NOT false"},
        {"NULL IS NULL", "NULL IS NULL"},
        {"interval", "interval"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = deparse(cases[i].in);
        if (strcmp(got, cases[i].out) != 0)
            fprintf(stderr, "\ndeparse(%s) = %s, want %s\n", cases[i].in, got, cases[i].out);
        CU_ASSERT_STRING_EQUAL(got, cases[i].out);
    }
}

static void test_deparse_roundtrip(void)
{
    const char *exprs[] = {
        "a * (b + -3) / 2 % 5", "x IS NOT DISTINCT FROM y OR NOT z", "CASE WHEN p LIKE 'a''%' THEN 1.5 ELSE NULL END",
        "coalesce(a, b, 'c''d') || x::text", "price * 0.908 BETWEEN 1000000 AND 50000000",
        "-x::int", "(-x)::int", "- (- x)", "- - 5", "NOT (a OR b) AND c", "(a AND b) OR (c AND d)",
        "a = (b = c)", "(a < b) IS TRUE", "a IN (1, 2) IS FALSE", "(x BETWEEN 1 AND 2) BETWEEN a AND b",
        "x NOT BETWEEN a + 1 AND (b OR c)", "a LIKE (b LIKE c)", "(a || b) || (c || d)", "a - (b + c)",
        "a / (b * c)", "CASE (a = 1) WHEN true THEN (b OR c) END", "count(DISTINCT a + b)",
        "current_timestamp - INTERVAL '1' HOUR", "EXTRACT(year FROM ts) + 1", "x::varchar(10)::text",
        "\"select\" + \"Col\" - t.\"from\"", "$1 IS UNKNOWN", "1.50 * 2147483648 + 9223372036854775808",
        "-2147483648", "- 2147483648", "+a", "'it''s' ILIKE 'x' ESCAPE '\\'", "substring(s FROM 2 FOR 3)",
        "NOT NOT a", "a IS NULL IS NULL = false",
    };
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        PsList *l = parse(sl_psprintf(arena, "SELECT %s", exprs[i]));
        if (!l) {
            /* some inputs are not valid SQL by design of PG (a IS NULL IS NULL) */
            continue;
        }
        PsExpr *e1 = target(l->items[0], 0);
        const char *once = deparse_of(e1);
        PsList *l2 = parse(sl_psprintf(arena, "SELECT %s", once));
        if (!l2)
            fprintf(stderr, "\ndeparse of %s does not parse: %s (%s)\n", exprs[i], once, err.message);
        CU_ASSERT_PTR_NOT_NULL_FATAL(l2);
        PsExpr *e2 = target(l2->items[0], 0);
        /* the same tree, and the same text again */
        CU_ASSERT_STRING_EQUAL(tree_of(e2), tree_of(e1));
        CU_ASSERT_STRING_EQUAL(deparse_of(e2), once);
    }
}

static void test_target_names(void)
{
    /* each checked against PostgreSQL 15's column names */
    PsStmt *s = parse1(
        "SELECT x, t.a, count(*), '5'::int, CAST(x AS bigint), 1 + 2, 'lit', now(), "
        "CASE WHEN true THEN 1 END, CASE WHEN true THEN 1 ELSE x END, current_timestamp, current_date, "
        "EXTRACT(epoch FROM ts), substring(b FROM 1 FOR 2), '1'::smallint, 1::real, 1::float, "
        "1::double precision, 1::numeric(5,2), 1::decimal, 'x'::varchar(3), 'x'::character varying, 'x'::char, "
        "'x'::text, true::boolean, ts::timestamp with time zone, '1 s'::interval, (1 + 2)::int, "
        "(CASE WHEN true THEN 1 END)::int, x::int::text, -x, NOT true, x IS NULL, coalesce(x, 1), "
        "nullif(x, 1), INTERVAL '4' SECOND, TIMESTAMP '2024-01-01', $$a$$, 1 AS \"Named\", "
        "'1'::timestamptz, 1::int8, 1::bool, '1'::float(10)");
    const char *expect[] = {
        "x", "a", "count", "int4", "x", "?column?", "?column?", "now", "case", "x", "current_timestamp",
        "current_date", "extract", "substring", "int2", "float4", "float8", "float8", "numeric", "numeric",
        "varchar", "varchar", "bpchar", "text", "bool", "ts", "interval", "int4", "int4", "x", "?column?",
        "?column?", "?column?", "coalesce", "nullif", "interval", "timestamp", "?column?", "Named",
        "timestamptz", "int8", "bool", "float4"};
    size_t n = sizeof expect / sizeof expect[0];
    CU_ASSERT_EQUAL_FATAL(s->select->targets->n, (int)n);
    for (size_t i = 0; i < n; i++) {
        const char *got = ps_target_name(s->select->targets->items[i], arena);
        if (strcmp(got, expect[i]) != 0)
            fprintf(stderr, "\ncolumn %zu: %s, want %s\n", i + 1, got, expect[i]);
        CU_ASSERT_STRING_EQUAL(got, expect[i]);
    }
}

/* ------------------------------------------------------- robustness */

static int utf8_chars(const char *s, size_t n)
{
    int c = 0;
    for (size_t i = 0; i < n && s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

static void test_mutations(void)
{
    /* valid statements, cut and garbled at random (a fixed seed): the
     * parser either succeeds or fails with 42601 & co. and a position
     * inside the text (or just past its end) — never a crash */
    const char *seeds[] = {
        "SELECT a, count(DISTINCT b) AS n FROM TUMBLE(s, ts, INTERVAL '1' SECOND) WHERE x NOT LIKE 'a%' GROUP BY a "
        "HAVING sum(c) > 1.5 ORDER BY n DESC NULLS LAST LIMIT 10 OFFSET 2",
        "CREATE STREAM IF NOT EXISTS s (a int NOT NULL, b varchar(10), t timestamp(3) with time zone, "
        "WATERMARK FOR t AS t - INTERVAL '4' SECOND) WITH (partitions = 4, durability = 'fsync')",
        "INSERT INTO s (a, b) VALUES (1, E'x\\n'), ($1, $$y$$), (-2, U&'\\0061')",
        "COPY (SUBSCRIBE TO v AS OF 3 WITH (snapshot = false)) TO STDOUT WITH CSV HEADER; FETCH FORWARD 5 FROM c",
        "SELECT CASE WHEN a IS NOT DISTINCT FROM b THEN \"Q\".x::numeric(5,2) ELSE -1e3 END /* c /* d */ */ -- e",
    };
    uint64_t rng = 0x9E3779B97F4A7C15ULL;
    const char junk[] = "'\"$();,.:*-/+<>=!|E&U\\ \n0123456789abcXYZ\xc3\xa9";
    char buf[512];
    SlArena *a = sl_arena_new(0);
    int failures = 0, ok = 0;
    for (int iter = 0; iter < 20000; iter++) {
        const char *seed = seeds[iter % 5];
        size_t n = strlen(seed);
        memcpy(buf, seed, n + 1);
        int edits = 1 + (int)((rng >> 33) % 4);
        for (int k = 0; k < edits; k++) {
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            size_t at = (size_t)(rng >> 33) % (n ? n : 1);
            switch ((rng >> 20) % 4) {
            case 0: /* truncate */
                n = at;
                buf[n] = '\0';
                break;
            case 1: /* replace a byte */
                if (n)
                    buf[at] = junk[(rng >> 40) % (sizeof junk - 1)];
                break;
            case 2: /* insert a byte */
                if (n + 1 < sizeof buf) {
                    memmove(buf + at + 1, buf + at, n - at + 1);
                    buf[at] = junk[(rng >> 40) % (sizeof junk - 1)];
                    n++;
                }
                break;
            default: /* delete a byte */
                if (n) {
                    memmove(buf + at, buf + at + 1, n - at);
                    n--;
                }
            }
        }
        PsList *l = NULL;
        SlError e;
        sl_arena_reset(a);
        if (ps_parse(buf, n, a, &l, NULL, &e) == 0) {
            ok++;
            CU_ASSERT(l && l->n >= 1);
            for (int i = 0; l && i < l->n; i++) {
                PsStmt *st = l->items[i];
                CU_ASSERT(st->location >= 0 && st->length >= 0 && (size_t)(st->location + st->length) <= n);
            }
        } else {
            bool good = e.code != SL_E_OK && e.message[0] && e.position >= 1 &&
                        e.position <= utf8_chars(buf, n) + 1;
            if (!good && failures++ < 5)
                fprintf(stderr, "\nbad error for [%s]: %s at %d\n", buf, e.message, e.position);
            CU_ASSERT(good);
        }
    }
    CU_ASSERT(ok > 100); /* some mutations stay valid SQL */
    sl_arena_free(a);
}

/* ------------------------------------------------------------ speed */

static void test_insert_speed(void)
{
    /* ingestion parses INSERT ... VALUES: 1,000 rows of 7 values */
    SlBuf b;
    sl_buf_init(&b);
    sl_buf_puts(&b, "INSERT INTO bids (auction, bidder, price, channel, url, date_time, extra) VALUES ");
    for (int i = 0; i < 1000; i++)
        sl_buf_printf(&b, "(%d, %d, %d, 'channel-%d', 'https://example.com/a/%d', '2024-01-01 00:00:%02d', "
                          "E'x\\ty'), ",
                      1000 + i, i * 7, i * 13 % 10007, i % 5, i, i % 60);
    b.len -= 2; /* drop the last ", " */
    sl_buf_putc(&b, '\0');
    SlArena *a = sl_arena_new(0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int reps = 20;
    PsList *l = NULL;
    for (int r = 0; r < reps; r++) {
        sl_arena_reset(a);
        CU_ASSERT_EQUAL_FATAL(ps_parse(b.data, b.len - 1, a, &l, NULL, &err), 0);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) / reps;
    PsStmt *s = l->items[0];
    CU_ASSERT_EQUAL_FATAL(s->rows->n, 1000);
    PsList *row = s->rows->items[999];
    CU_ASSERT_EQUAL(row->n, 7);
    CU_ASSERT_EQUAL(((PsExpr *)row->items[0])->value.u.i4, 1999);
    CU_ASSERT_STRING_EQUAL(((PsExpr *)row->items[6])->value.u.s.p, "x\ty");
    /* generous even under sanitizers; typically well under 2 ms */
    fprintf(stderr, "\n    1000-row INSERT: %.3f ms per parse, %zu KiB of arena\n", ms,
            sl_arena_used(a) / 1024);
    CU_ASSERT(ms < 100.0);
    sl_arena_free(a);
    sl_buf_free(&b);
}

static const SlUnitTest parser_tests[] = {
    {"literals and their types", test_literals},
    {"string literals and escapes", test_strings},
    {"identifiers and comments", test_identifiers_and_comments},
    {"operator precedence", test_precedence},
    {"special SQL functions", test_special_functions},
    {"keywords as names", test_keywords_as_names},
    {"type names", test_type_names},
    {"SELECT clauses and window functions", test_select_clauses},
    {"session statements", test_session_statements},
    {"stream and view statements", test_stream_statements},
    {"COPY, SUBSCRIBE, cursors, EXPLAIN", test_copy_and_subscribe},
    {"statement kind names", test_kind_names},
    {"several statements per text", test_multi_statements},
    {"syntax errors with position", test_errors},
    {"deparse", test_deparse},
    {"deparse round trips", test_deparse_roundtrip},
    {"default column names", test_target_names},
    {"garbled input: errors, never crashes", test_mutations},
    {"1000-row INSERT speed", test_insert_speed},
    {NULL, NULL}};

__attribute__((constructor)) static void register_parser(void)
{
    sl_unit_add_suite("parser", parser_tests, setup, teardown);
}
