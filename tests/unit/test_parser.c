/* test_parser.c — tokenizer, grammar, AST, errors, deparse. */
#include <string.h>

#include "sl_parser.h"
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
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT_EQUAL_FATAL(l->n, 1);
    return l->items[0];
}

/* deparse of the first target of SELECT <expr> */
static const char *expr_text(const char *sql)
{
    PsStmt *s = parse1(sql);
    CU_ASSERT_EQUAL_FATAL(s->kind, PS_S_SELECT);
    SlBuf b;
    sl_buf_init(&b);
    ps_expr_deparse(((PsTarget *)s->select->targets->items[0])->expr, &b);
    char *r = sl_strdup(arena, b.data ? b.data : "");
    sl_buf_free(&b);
    return r;
}

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

static void test_literals(void)
{
    PsStmt *s = parse1("SELECT 1, 3000000000, 99999999999999999999, 1.50, 1e3, 'it''s', E'a\\nb', $$x'y$$, TRUE, NULL");
    PsList *t = s->select->targets;
    CU_ASSERT_EQUAL_FATAL(t->n, 10);
    PsExpr *e[10];
    for (int i = 0; i < 10; i++)
        e[i] = ((PsTarget *)t->items[i])->expr;
    CU_ASSERT(e[0]->kind == PS_E_CONST && e[0]->value.type == SL_T_INT4 && e[0]->value.u.i4 == 1);
    CU_ASSERT(e[1]->value.type == SL_T_INT8 && e[1]->value.u.i8 == 3000000000LL);
    CU_ASSERT(e[2]->value.type == SL_T_NUMERIC);
    CU_ASSERT(e[3]->value.type == SL_T_NUMERIC && e[3]->value.scale == 2 && e[3]->value.u.num == 150);
    CU_ASSERT(e[4]->value.type == SL_T_NUMERIC && e[4]->value.u.num == 1000);
    CU_ASSERT(e[5]->unknown_literal && e[5]->value.u.s.len == 4 && !memcmp(e[5]->value.u.s.p, "it's", 4));
    CU_ASSERT(e[6]->value.u.s.len == 3 && !memcmp(e[6]->value.u.s.p, "a\nb", 3));
    CU_ASSERT(e[7]->value.u.s.len == 3 && !memcmp(e[7]->value.u.s.p, "x'y", 3));
    CU_ASSERT(e[8]->value.type == SL_T_BOOL && e[8]->value.u.b);
    CU_ASSERT(e[9]->value.isnull);
    /* -2147483648 is an int4, as in PostgreSQL */
    s = parse1("SELECT -2147483648");
    PsExpr *m = ((PsTarget *)s->select->targets->items[0])->expr;
    CU_ASSERT(m->kind == PS_E_CONST && m->value.type == SL_T_INT4 && m->value.u.i4 == INT32_MIN);
}

static void test_precedence(void)
{
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT 1 + 2 * 3"), "1 + (2 * 3)");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT (1 + 2) * 3"), "(1 + 2) * 3");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT NOT a = b"), "NOT (a = b)");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT a OR b AND c"), "a OR (b AND c)");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT -x::int"), "-(CAST(x AS int))");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT 'a' || 'b' || 'c'"), "('a' || 'b') || 'c'");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT a + 1 > b * 2 AND c IS NOT NULL"),
                           "((a + 1) > (b * 2)) AND (c IS NOT NULL)");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT x BETWEEN 1 AND 2 AND y"), "(x BETWEEN 1 AND 2) AND y");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT x NOT IN (1, 2)"), "x NOT IN (1, 2)");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT name NOT LIKE 'a%' ESCAPE '!'"), "name NOT LIKE 'a%' ESCAPE '!'");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT CASE WHEN a > 1 THEN 'x' ELSE 'y' END"),
                           "CASE WHEN a > 1 THEN 'x' ELSE 'y' END");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT CASE a WHEN 1 THEN 2 END"), "CASE a WHEN 1 THEN 2 END");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT count(DISTINCT bidder)"), "count(DISTINCT bidder)");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT count(*)"), "count(*)");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT CAST('5' AS INT)"), "CAST('5' AS int)");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT x::double precision"), "CAST(x AS double precision)");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT date_time - INTERVAL '4' SECOND"),
                           "date_time - (INTERVAL '4' SECOND)");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT a IS DISTINCT FROM b"), "a IS DISTINCT FROM b");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT \"Mixed Case\".\"Col\""), "\"Mixed Case\".\"Col\"");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT pg_catalog.version()"), "version()");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT current_user"), "current_user()");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT EXTRACT(epoch FROM ts)"), "date_part('epoch', ts)");
    CU_ASSERT_STRING_EQUAL(expr_text("SELECT x ISNULL"), "x IS NULL");
}

static void test_keywords_as_names(void)
{
    /* non-reserved keywords stay usable as names */
    PsStmt *s = parse1("SELECT stream, view, second, format FROM streams");
    CU_ASSERT_EQUAL(s->select->targets->n, 4);
    CU_ASSERT_STRING_EQUAL(((PsFrom *)s->select->from->items[0])->name, "streams");
    s = parse1("CREATE STREAM events (session TEXT, header INT, \"select\" BIGINT)");
    CU_ASSERT_EQUAL(s->columns->n, 3);
    CU_ASSERT_STRING_EQUAL(((PsColumnDef *)s->columns->items[0])->name, "session");
    CU_ASSERT_STRING_EQUAL(((PsColumnDef *)s->columns->items[2])->name, "select");
    s = parse1("SELECT 1 AS one, 2 two");
    CU_ASSERT_STRING_EQUAL(ps_target_name(s->select->targets->items[0], arena), "one");
    CU_ASSERT_STRING_EQUAL(ps_target_name(s->select->targets->items[1], arena), "two");
}

static void test_select_clauses(void)
{
    PsStmt *s = parse1("SELECT DISTINCT a, b FROM sluice.views v WHERE a > 1 GROUP BY a, b HAVING count(*) > 2 "
                       "ORDER BY a DESC NULLS LAST, b LIMIT 5 OFFSET 10");
    PsSelect *q = s->select;
    CU_ASSERT(q->distinct);
    PsFrom *f = q->from->items[0];
    CU_ASSERT_STRING_EQUAL(f->schema, "sluice");
    CU_ASSERT_STRING_EQUAL(f->name, "views");
    CU_ASSERT_STRING_EQUAL(f->alias, "v");
    CU_ASSERT_EQUAL(q->group_by->n, 2);
    CU_ASSERT_PTR_NOT_NULL(q->having);
    CU_ASSERT_EQUAL(q->order_by->n, 2);
    PsOrderItem *o = q->order_by->items[0];
    CU_ASSERT(o->desc && o->nulls == 2);
    CU_ASSERT(q->limit && q->offset);
    s = parse1("SELECT window_start, count(*) FROM TUMBLE(bids, date_time, INTERVAL '10' SECOND) GROUP BY window_start");
    f = s->select->from->items[0];
    CU_ASSERT_EQUAL(f->kind, PS_FROM_TUMBLE);
    CU_ASSERT_STRING_EQUAL(f->name, "bids");
    CU_ASSERT_EQUAL(f->args->n, 2);
    s = parse1("SELECT * FROM HOP(bids, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)");
    CU_ASSERT_EQUAL(((PsFrom *)s->select->from->items[0])->kind, PS_FROM_HOP);
    s = parse1("SELECT * FROM SESSION(bids, date_time, INTERVAL '5' SECOND)");
    CU_ASSERT_EQUAL(((PsFrom *)s->select->from->items[0])->kind, PS_FROM_SESSION);
}

static void test_session_statements(void)
{
    PsStmt *s = parse1("SET extra_float_digits = 3");
    CU_ASSERT_EQUAL(s->kind, PS_S_SET);
    CU_ASSERT_STRING_EQUAL(s->name, "extra_float_digits");
    CU_ASSERT_EQUAL(s->values->n, 1);
    s = parse1("SET application_name TO 'psql'");
    CU_ASSERT_STRING_EQUAL(s->name, "application_name");
    s = parse1("SET DateStyle = ISO, MDY");
    CU_ASSERT_STRING_EQUAL(s->name, "datestyle");
    CU_ASSERT_EQUAL(s->values->n, 2);
    s = parse1("SET TIME ZONE 'UTC'");
    CU_ASSERT_STRING_EQUAL(s->name, "timezone");
    s = parse1("SET x TO DEFAULT");
    CU_ASSERT(s->set_default);
    s = parse1("SHOW server_version");
    CU_ASSERT(s->kind == PS_S_SHOW && !strcmp(s->name, "server_version"));
    s = parse1("SHOW ALL");
    CU_ASSERT(s->kind == PS_S_SHOW && s->all);
    s = parse1("SHOW TRANSACTION ISOLATION LEVEL");
    CU_ASSERT_STRING_EQUAL(s->name, "transaction_isolation");
    CU_ASSERT_EQUAL(parse1("SHOW STREAMS")->obj, PS_OBJ_STREAM);
    CU_ASSERT_EQUAL(parse1("SHOW MATERIALIZED VIEWS")->obj, PS_OBJ_VIEW);
    CU_ASSERT_EQUAL(parse1("RESET ALL")->kind, PS_S_RESET);
    CU_ASSERT_EQUAL(parse1("BEGIN")->kind, PS_S_BEGIN);
    CU_ASSERT_EQUAL(parse1("BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE")->kind, PS_S_BEGIN);
    CU_ASSERT_EQUAL(parse1("START TRANSACTION")->kind, PS_S_BEGIN);
    CU_ASSERT_EQUAL(parse1("COMMIT")->kind, PS_S_COMMIT);
    CU_ASSERT_EQUAL(parse1("END")->kind, PS_S_COMMIT);
    CU_ASSERT_EQUAL(parse1("ROLLBACK WORK")->kind, PS_S_ROLLBACK);
    CU_ASSERT_EQUAL(parse1("DISCARD ALL")->kind, PS_S_DISCARD);
    CU_ASSERT_EQUAL(parse1("LISTEN top")->kind, PS_S_LISTEN);
    CU_ASSERT(parse1("UNLISTEN *")->all);
}

static void test_stream_statements(void)
{
    PsStmt *s = parse1("CREATE STREAM IF NOT EXISTS bids (auction BIGINT, price BIGINT NOT NULL, channel TEXT, "
                       "date_time TIMESTAMP, WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND) "
                       "WITH (partitions = 4, durability = 'fsync')");
    CU_ASSERT_EQUAL(s->kind, PS_S_CREATE_STREAM);
    CU_ASSERT(s->if_not_exists);
    CU_ASSERT_EQUAL(s->columns->n, 4);
    PsColumnDef *c = s->columns->items[1];
    CU_ASSERT(c->not_null && c->type->type == SL_T_INT8);
    CU_ASSERT_STRING_EQUAL(s->watermark_column, "date_time");
    CU_ASSERT_PTR_NOT_NULL(s->watermark_expr);
    CU_ASSERT_EQUAL(s->options->n, 2);
    PsOption *o = s->options->items[0];
    CU_ASSERT_STRING_EQUAL(o->name, "partitions");
    CU_ASSERT(o->value->value.type == SL_T_INT4 && o->value->value.u.i4 == 4);

    const char *sql = "CREATE MATERIALIZED VIEW top WITH (parallelism = 4) AS SELECT auction, count(*) FROM bids GROUP BY auction";
    s = parse1(sql);
    CU_ASSERT_EQUAL(s->kind, PS_S_CREATE_VIEW);
    CU_ASSERT_STRING_EQUAL(s->query_text, "SELECT auction, count(*) FROM bids GROUP BY auction");
    CU_ASSERT_EQUAL(s->select->group_by->n, 1);

    s = parse1("DROP STREAM IF EXISTS bids CASCADE");
    CU_ASSERT(s->kind == PS_S_DROP && s->obj == PS_OBJ_STREAM && s->if_exists && s->cascade);
    s = parse1("DROP MATERIALIZED VIEW top");
    CU_ASSERT(s->kind == PS_S_DROP && s->obj == PS_OBJ_VIEW && !s->if_exists);
    s = parse1("ALTER MATERIALIZED VIEW top SET (parallelism = 8)");
    CU_ASSERT(s->kind == PS_S_ALTER_VIEW && s->options->n == 1);
    CU_ASSERT(parse1("ALTER MATERIALIZED VIEW top RESUME")->resume);

    s = parse1("INSERT INTO bids (auction, price) VALUES (1, 2), ($1, $2)");
    CU_ASSERT_EQUAL(s->kind, PS_S_INSERT);
    CU_ASSERT_EQUAL(s->insert_columns->n, 2);
    CU_ASSERT_EQUAL(s->rows->n, 2);
    int maxp = 0;
    PsList *l;
    CU_ASSERT_EQUAL(ps_parse("INSERT INTO t VALUES ($3, $1)", 29, arena, &l, &maxp, &err), 0);
    CU_ASSERT_EQUAL(maxp, 3);

    s = parse1("COPY bids FROM STDIN WITH (FORMAT csv, HEADER, DELIMITER ';')");
    CU_ASSERT(s->kind == PS_S_COPY_FROM && s->options->n == 3);
    s = parse1("COPY bids (auction, price) FROM STDIN CSV HEADER");
    CU_ASSERT(s->kind == PS_S_COPY_FROM && s->options->n == 2 && s->insert_columns->n == 2);
    s = parse1("COPY (SUBSCRIBE top) TO STDOUT");
    CU_ASSERT(s->kind == PS_S_COPY_TO && s->inner->kind == PS_S_SUBSCRIBE);
    CU_ASSERT_STRING_EQUAL(s->inner->name, "top");
    s = parse1("SUBSCRIBE TO top AS OF 42 WITH (snapshot = false)");
    CU_ASSERT(s->kind == PS_S_SUBSCRIBE && s->as_of && s->options->n == 1);
    s = parse1("DECLARE c CURSOR FOR SUBSCRIBE top");
    CU_ASSERT(s->kind == PS_S_DECLARE && s->inner->kind == PS_S_SUBSCRIBE);
    s = parse1("FETCH ALL c WITH (timeout = '1s')");
    CU_ASSERT(s->kind == PS_S_FETCH && s->all && !strcmp(s->name, "c") && s->options->n == 1);
    s = parse1("FETCH 10 FROM c");
    CU_ASSERT(s->kind == PS_S_FETCH && s->fetch_count == 10);
    CU_ASSERT_EQUAL(parse1("CLOSE c")->kind, PS_S_CLOSE);
    s = parse1("EXPLAIN CREATE MATERIALIZED VIEW v AS SELECT a FROM s");
    CU_ASSERT(s->kind == PS_S_EXPLAIN && s->inner->kind == PS_S_CREATE_VIEW);
}

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
    CU_ASSERT_EQUAL(strncmp(sql + s1->location, "SET a = 1", (size_t)s1->length), 0);
    CU_ASSERT_EQUAL(s1->length, 9);
    CU_ASSERT_EQUAL(s2->kind, PS_S_SELECT);
    l = parse("  /* only a comment */ ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT_EQUAL(l->n, 1);
    CU_ASSERT_EQUAL(((PsStmt *)l->items[0])->kind, PS_S_EMPTY);
    l = parse("SELECT /* a /* nested */ comment */ 1");
    CU_ASSERT_PTR_NOT_NULL(l);
}

static void expect_error(const char *sql, const char *msg, int position)
{
    PsList *l = parse(sql);
    CU_ASSERT_PTR_NULL(l);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "42601");
    CU_ASSERT_STRING_EQUAL(err.message, msg);
    CU_ASSERT_EQUAL(err.position, position);
}

static void test_errors(void)
{
    expect_error("SELECT 1 FORM t", "syntax error at or near \"t\"", 15);
    expect_error("SELEC 1", "syntax error at or near \"SELEC\"", 1);
    expect_error("SELECT 'abc", "unterminated quoted string at or near \"'abc\"", 8);
    expect_error("SELECT (1", "syntax error at end of input", 10);
    expect_error("SELECT 123abc", "trailing junk after numeric literal at or near \"123abc\"", 8);
    expect_error("SELECT 1 /* open", "unterminated /* comment at or near \"/* open\"", 10);
    expect_error("SELECT 1; SELECT FROM", "syntax error at or near \"FROM\"", 18);
    /* positions count characters, not bytes */
    expect_error("SELECT 'é' FORM t", "syntax error at or near \"t\"", 17);
}

static void test_target_names(void)
{
    PsStmt *s = parse1("SELECT a, t.b, count(*), '5'::int, CAST(x AS bigint), 1 + 2, 'lit', now(), CASE WHEN true THEN 1 END");
    const char *expect[] = {"a", "b", "count", "int4", "x", "?column?", "?column?", "now", "case"};
    for (int i = 0; i < 9; i++)
        CU_ASSERT_STRING_EQUAL(ps_target_name(s->select->targets->items[i], arena), expect[i]);
}

static void test_deparse_roundtrip(void)
{
    const char *exprs[] = {
        "SELECT a * (b + -3) / 2 % 5",
        "SELECT x IS NOT DISTINCT FROM y OR NOT z",
        "SELECT CASE WHEN p LIKE 'a''%' THEN 1.5 ELSE NULL END",
        "SELECT coalesce(a, b, 'c''d') || x::text",
        "SELECT price * 0.908 BETWEEN 1000000 AND 50000000",
    };
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        const char *once = expr_text(exprs[i]);
        char *sql = sl_psprintf(arena, "SELECT %s", once);
        CU_ASSERT_STRING_EQUAL(expr_text(sql), once);
    }
}

static const SlUnitTest parser_tests[] = {
    {"literals and their types", test_literals},
    {"operator precedence", test_precedence},
    {"keywords as names", test_keywords_as_names},
    {"SELECT clauses and window functions", test_select_clauses},
    {"session statements", test_session_statements},
    {"stream and view statements", test_stream_statements},
    {"several statements per text", test_multi_statements},
    {"syntax errors with position", test_errors},
    {"default column names", test_target_names},
    {"deparse round trips", test_deparse_roundtrip},
    {NULL, NULL}};

__attribute__((constructor)) static void register_parser(void)
{
    sl_unit_add_suite("parser", parser_tests, setup, teardown);
}
