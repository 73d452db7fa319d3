/* test_planner.c — the binder: types, coercions, parameter inference, the
 * bound SELECT, and every binding error with its SQLSTATE and position
 * (the messages and positions PostgreSQL 15 gives for the same text). */
#include <stdio.h>
#include <string.h>

#include "sl_planner.h"
#include "unit.h"

static const PlColumn cols[] = {{"auction", SL_T_INT8}, {"price", SL_T_INT8}, {"channel", SL_T_TEXT},
                                {"date_time", SL_T_TIMESTAMP}, {"qty", SL_T_INT4}, {"ok", SL_T_BOOL},
                                {"f", SL_T_FLOAT8}, {"n", SL_T_NUMERIC}};
static const PlScope scope = {"bids", NULL, cols, 8};

static int bind_with(const char *sql, SlArena *a, const PlScope *sc, int nparams, const SlType *types, PlSelect **q,
                     PlBinder *b, SlError *err)
{
    PsList *stmts;
    int maxp = 0;
    if (ps_parse(sql, strlen(sql), a, &stmts, &maxp, err) < 0)
        return -1;
    pl_binder_init(b, a, sc, nparams > maxp ? nparams : maxp, types);
    return pl_bind_select(b, ((PsStmt *)stmts->items[0])->select, q, err);
}

static int bind(const char *sql, SlArena *a, PlSelect **q, PlBinder *b, SlError *err)
{
    return bind_with(sql, a, &scope, 0, NULL, q, b, err);
}

/* "SQLSTATE @position: message" of a failing bind, or "bound". Without
 * FROM there is no scope. */
static char errbuf[700];
static const char *bind_error(const char *sql)
{
    SlArena *a = sl_arena_new(0);
    PlSelect *q;
    PlBinder b;
    SlError err;
    if (bind_with(sql, a, strstr(sql, " FROM ") ? &scope : NULL, 0, NULL, &q, &b, &err) == 0)
        snprintf(errbuf, sizeof errbuf, "bound");
    else
        snprintf(errbuf, sizeof errbuf, "%s @%d: %s", sl_errcode_sqlstate(err.code), err.position, err.message);
    sl_arena_free(a);
    return errbuf;
}

/* The result types of the select list, comma separated. */
static char typebuf[700];
static const char *target_types(const char *sql)
{
    SlArena *a = sl_arena_new(0);
    PlSelect *q;
    PlBinder b;
    SlError err;
    typebuf[0] = '\0';
    if (bind(sql, a, &q, &b, &err) < 0) {
        snprintf(typebuf, sizeof typebuf, "ERROR %s: %s", sl_errcode_sqlstate(err.code), err.message);
    } else {
        size_t k = 0;
        for (int i = 0; i < q->nvisible; i++)
            k += (size_t)snprintf(typebuf + k, sizeof typebuf - k, "%s%s", i ? "," : "",
                                  sl_type_name(q->targets[i]->type));
    }
    sl_arena_free(a);
    return typebuf;
}

/* The inferred parameter types of sql, comma separated. */
static const char *param_types(const char *sql, int nparams, const SlType *declared)
{
    SlArena *a = sl_arena_new(0);
    PlSelect *q;
    PlBinder b;
    SlError err;
    if (bind_with(sql, a, &scope, nparams, declared, &q, &b, &err) < 0) {
        snprintf(typebuf, sizeof typebuf, "ERROR %s: %s", sl_errcode_sqlstate(err.code), err.message);
    } else {
        size_t k = 0;
        typebuf[0] = '\0';
        for (int i = 0; i < b.nparams; i++)
            k += (size_t)snprintf(typebuf + k, sizeof typebuf - k, "%s%s", i ? "," : "", sl_type_name(b.params[i]));
    }
    sl_arena_free(a);
    return typebuf;
}

static void test_types_and_params(void)
{
    SlArena *a = sl_arena_new(0);
    PlSelect *q;
    PlBinder b;
    SlError err;
    CU_ASSERT_EQUAL_FATAL(bind("SELECT auction, price * 0.908, channel || 'x', $1 + price, date_time - INTERVAL '4' SECOND "
                               "FROM bids WHERE price > $2 AND channel = $3", a, &q, &b, &err), 0);
    CU_ASSERT_EQUAL(q->ntargets, 5);
    CU_ASSERT_EQUAL(q->targets[0]->type, SL_T_INT8);
    CU_ASSERT_EQUAL(q->targets[1]->type, SL_T_NUMERIC);
    CU_ASSERT_EQUAL(q->targets[2]->type, SL_T_TEXT);
    CU_ASSERT_EQUAL(q->targets[3]->type, SL_T_INT8);
    CU_ASSERT_EQUAL(q->targets[4]->type, SL_T_TIMESTAMP);
    CU_ASSERT_EQUAL(b.nparams, 3);
    CU_ASSERT_EQUAL(b.params[0], SL_T_INT8);
    CU_ASSERT_EQUAL(b.params[1], SL_T_INT8);
    CU_ASSERT_EQUAL(b.params[2], SL_T_TEXT);
    CU_ASSERT_STRING_EQUAL(q->names[0], "auction");
    CU_ASSERT_STRING_EQUAL(q->names[1], "?column?");
    sl_arena_free(a);
}

/* Implicit coercions as PostgreSQL applies them. */
static void test_coercions(void)
{
    /* an untyped literal takes the other side's type and is folded */
    SlArena *a = sl_arena_new(0);
    PlSelect *q;
    PlBinder b;
    SlError err;
    CU_ASSERT_EQUAL_FATAL(bind("SELECT '5' + 1, qty + '7', 1 = '1', channel = 'x', '2024-01-01' < date_time FROM bids",
                               a, &q, &b, &err), 0);
    const PlExpr *t0 = q->targets[0];
    CU_ASSERT_EQUAL(t0->type, SL_T_INT4);
    CU_ASSERT_EQUAL(t0->kind, PL_OP);
    CU_ASSERT_EQUAL(t0->args[0]->kind, PL_CONST);
    CU_ASSERT_EQUAL(t0->args[0]->type, SL_T_INT4);
    CU_ASSERT_EQUAL(t0->args[0]->value.u.i4, 5);
    CU_ASSERT_EQUAL(q->targets[1]->args[1]->value.u.i4, 7);
    CU_ASSERT_EQUAL(q->targets[4]->args[0]->type, SL_T_TIMESTAMP);
    sl_arena_free(a);
    /* int4 meets int8 as int8, numbers widen to numeric and float8 */
    CU_ASSERT_STRING_EQUAL(target_types("SELECT qty + price, qty * 1.5, price / f, n + qty, qty = price, qty || 'x' FROM bids"),
                           "bigint,numeric,double precision,numeric,boolean,text");
    /* untyped literals alone are text; NULL alone is text */
    CU_ASSERT_STRING_EQUAL(target_types("SELECT 'a', NULL, 'a' || 'b', 1, 2147483648, 1.5, true"),
                           "text,text,text,integer,bigint,numeric,boolean");
    /* CASE and COALESCE find the common type; untyped branches follow it */
    CU_ASSERT_STRING_EQUAL(target_types("SELECT CASE WHEN ok THEN qty ELSE price END, CASE WHEN ok THEN 'a' END, "
                                        "coalesce(qty, 2.5), coalesce(NULL, f), greatest(qty, '3'), nullif(channel, 'x') FROM bids"),
                           "bigint,text,numeric,double precision,integer,text");
    /* explicit casts, IN lists, BETWEEN, aggregates' result types */
    CU_ASSERT_STRING_EQUAL(target_types("SELECT CAST(qty AS text), f::int, '1 day'::interval, qty IN (1, 2.5), "
                                        "price BETWEEN 1 AND '10' FROM bids"),
                           "text,integer,interval,boolean,boolean");
    CU_ASSERT_STRING_EQUAL(target_types("SELECT count(*), count(qty), sum(qty), sum(price), sum(n), sum(f), avg(qty), "
                                        "avg(price), avg(f), min(channel), max(date_time) FROM bids"),
                           "bigint,bigint,bigint,numeric,numeric,double precision,numeric,numeric,double precision,"
                           "text,timestamp without time zone");
    /* functions: integers go to the double precision versions where PostgreSQL does */
    CU_ASSERT_STRING_EQUAL(target_types("SELECT floor(qty), round(n), round(qty, 1), abs(qty), sign(price), "
                                        "EXTRACT(year FROM date_time), date_part('year', date_time), "
                                        "date_trunc('day', date_time), split_part(channel, ',', 1) FROM bids"),
                           "double precision,numeric,numeric,integer,double precision,numeric,double precision,"
                           "timestamp without time zone,text");
}

static void test_param_inference(void)
{
    CU_ASSERT_STRING_EQUAL(param_types("SELECT $1", 0, NULL), "text");
    CU_ASSERT_STRING_EQUAL(param_types("SELECT $1 + 1", 0, NULL), "integer");
    CU_ASSERT_STRING_EQUAL(param_types("SELECT $1 + price FROM bids", 0, NULL), "bigint");
    CU_ASSERT_STRING_EQUAL(param_types("SELECT $1 + 1.5, $2 || 'x', $3::int8 + $4", 0, NULL),
                           "numeric,text,bigint,bigint");
    CU_ASSERT_STRING_EQUAL(param_types("SELECT 1 FROM bids WHERE $1 AND channel LIKE $2 AND qty IN ($3, 4)", 0, NULL),
                           "boolean,text,integer");
    CU_ASSERT_STRING_EQUAL(param_types("SELECT date_time + $1, date_trunc($2, date_time), $3 * INTERVAL '1 day' FROM bids",
                                       0, NULL),
                           "interval,text,double precision");
    CU_ASSERT_STRING_EQUAL(param_types("SELECT coalesce($1, qty), round($2, 2), substr($3, $4) FROM bids", 0, NULL),
                           "integer,numeric,text,integer");
    CU_ASSERT_STRING_EQUAL(param_types("SELECT 1 LIMIT $1 OFFSET $2", 0, NULL), "bigint,bigint");
    /* declared types are kept; what the client left open is inferred */
    const SlType decl[] = {SL_T_INT8, SL_T_UNKNOWN};
    CU_ASSERT_STRING_EQUAL(param_types("SELECT $1 + $2", 2, decl), "bigint,bigint");
    /* a parameter nothing types is 42P18, as in PostgreSQL */
    CU_ASSERT_STRING_EQUAL(param_types("SELECT $1 IS NULL", 0, NULL),
                           "ERROR 42P18: could not determine data type of parameter $1");
    CU_ASSERT_STRING_EQUAL(param_types("SELECT $2::int", 0, NULL),
                           "ERROR 42P18: could not determine data type of parameter $1");
    CU_ASSERT_STRING_EQUAL(param_types("SELECT 1", 1, NULL), "ERROR 42P18: could not determine data type of parameter $1");
    CU_ASSERT_STRING_EQUAL(param_types("SELECT count($1)", 0, NULL),
                           "ERROR 42P18: could not determine data type of parameter $1");
    /* LIMIT $1 is kept as an expression for the executor */
    SlArena *a = sl_arena_new(0);
    PlSelect *q;
    PlBinder b;
    SlError err;
    CU_ASSERT_EQUAL_FATAL(bind("SELECT 1 LIMIT $1 OFFSET 2", a, &q, &b, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(q->limit_param);
    CU_ASSERT_PTR_NULL(q->offset_param);
    CU_ASSERT_EQUAL(q->limit, -1);
    CU_ASSERT_EQUAL(q->offset, 2);
    sl_arena_free(a);
}

/* The bound ("logical") select: names, keys, aggregates, HAVING, ORDER BY. */
static void test_logical_select(void)
{
    SlArena *a = sl_arena_new(0);
    PlSelect *q;
    PlBinder b;
    SlError err;
    CU_ASSERT_EQUAL_FATAL(bind("SELECT auction, count(*), max(price), avg(price), sum(price), count(DISTINCT channel) "
                               "FROM bids GROUP BY auction HAVING count(*) > 1", a, &q, &b, &err), 0);
    CU_ASSERT(q->grouped);
    CU_ASSERT_EQUAL(q->ngroup, 1);
    CU_ASSERT_EQUAL(q->group[0]->kind, PL_COLUMN);
    CU_ASSERT_EQUAL(q->group[0]->index, 0);
    /* count(*) in HAVING is a second slot of its own */
    CU_ASSERT_EQUAL(q->naggs, 6);
    CU_ASSERT_EQUAL(q->targets[0]->kind, PL_COLUMN); /* the key, over the group row */
    CU_ASSERT_EQUAL(q->targets[0]->index, 0);
    CU_ASSERT_EQUAL(q->targets[1]->kind, PL_AGG);
    CU_ASSERT_EQUAL(q->targets[1]->type, SL_T_INT8);
    CU_ASSERT_EQUAL(q->targets[2]->type, SL_T_INT8);
    CU_ASSERT_EQUAL(q->targets[3]->type, SL_T_NUMERIC);
    CU_ASSERT_EQUAL(q->targets[4]->type, SL_T_NUMERIC);
    CU_ASSERT_EQUAL(q->aggs[0].kind, PL_AGG_COUNT_STAR);
    CU_ASSERT_PTR_NULL(q->aggs[0].arg);
    CU_ASSERT(q->aggs[4].distinct);
    CU_ASSERT_EQUAL(q->aggs[4].kind, PL_AGG_COUNT);
    CU_ASSERT_EQUAL(q->aggs[5].kind, PL_AGG_COUNT_STAR);
    CU_ASSERT_PTR_NOT_NULL(q->having);
    CU_ASSERT_EQUAL(q->having->type, SL_T_BOOL);
    CU_ASSERT_STRING_EQUAL(q->names[1], "count");
    CU_ASSERT_STRING_EQUAL(q->names[5], "count");

    /* GROUP BY a position, an expression, an output name */
    CU_ASSERT_EQUAL_FATAL(bind("SELECT qty % 10 AS bucket, channel, sum(price) FROM bids GROUP BY 1, channel", a, &q, &b,
                               &err), 0);
    CU_ASSERT_EQUAL(q->ngroup, 2);
    CU_ASSERT_EQUAL(q->targets[0]->kind, PL_COLUMN);
    CU_ASSERT_EQUAL(q->targets[0]->index, 0);
    CU_ASSERT_EQUAL(q->targets[1]->index, 1);
    CU_ASSERT_EQUAL_FATAL(bind("SELECT upper(channel) AS c, count(*) FROM bids GROUP BY c ORDER BY 2 DESC, c LIMIT 5",
                               a, &q, &b, &err), 0);
    CU_ASSERT_EQUAL(q->group[0]->kind, PL_FUNC);
    CU_ASSERT_EQUAL(q->norder, 2);
    CU_ASSERT(q->order_desc[0]);
    CU_ASSERT_EQUAL(q->order[0]->index, 1);
    CU_ASSERT_EQUAL(q->order[1]->index, 0);
    CU_ASSERT_EQUAL(q->limit, 5);

    /* ORDER BY an input column that is not selected: a hidden output column */
    CU_ASSERT_EQUAL_FATAL(bind("SELECT channel FROM bids ORDER BY price DESC", a, &q, &b, &err), 0);
    CU_ASSERT_EQUAL(q->nvisible, 1);
    CU_ASSERT_EQUAL(q->ntargets, 2);
    CU_ASSERT_EQUAL(q->order[0]->index, 1);

    /* grouped: ORDER BY an aggregate that is not selected is a hidden column over the group row */
    CU_ASSERT_EQUAL_FATAL(bind("SELECT channel FROM bids GROUP BY channel ORDER BY count(*) DESC", a, &q, &b, &err), 0);
    CU_ASSERT_EQUAL(q->nvisible, 1);
    CU_ASSERT_EQUAL(q->ntargets, 2);
    CU_ASSERT_EQUAL(q->naggs, 1);
    CU_ASSERT_EQUAL(q->targets[1]->kind, PL_AGG);
    CU_ASSERT_EQUAL(q->order[0]->index, 1);

    /* * expands to the scope's columns */
    CU_ASSERT_EQUAL_FATAL(bind("SELECT * FROM bids WHERE ok", a, &q, &b, &err), 0);
    CU_ASSERT_EQUAL(q->ntargets, 8);
    CU_ASSERT_STRING_EQUAL(q->names[7], "n");
    CU_ASSERT_EQUAL(q->where->kind, PL_COLUMN);

    /* aggregates without GROUP BY: a global group */
    CU_ASSERT_EQUAL_FATAL(bind("SELECT count(*) + 1 FROM bids", a, &q, &b, &err), 0);
    CU_ASSERT(q->grouped);
    CU_ASSERT_EQUAL(q->ngroup, 0);
    CU_ASSERT_EQUAL(q->targets[0]->kind, PL_OP);
    sl_arena_free(a);
}

/* Every binding error: SQLSTATE, 1-based position, message as PostgreSQL. */
static void test_errors(void)
{
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT nope FROM bids"), "42703 @8: column \"nope\" does not exist");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT b.price FROM bids"),
                           "42P01 @8: missing FROM-clause entry for table \"b\"");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT bids.nope FROM bids"), "42703 @8: column bids.nope does not exist");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT foo(qty) FROM bids"), "42883 @8: function foo(integer) does not exist");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT lower(qty, 'a') FROM bids"),
                           "42883 @8: function lower(integer, unknown) does not exist");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT 1 + length(qty) FROM bids"),
                           "42883 @12: function length(integer) does not exist");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT channel + qty FROM bids"),
                           "42883 @16: operator does not exist: text + integer");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT ok * 2 FROM bids"), "42883 @11: operator does not exist: boolean * integer");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT -channel FROM bids"), "42883 @8: operator does not exist: - text");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT '1' + '2'"), "42725 @12: operator is not unique: unknown + unknown");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT -'1'"), "42725 @8: operator is not unique: - unknown");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT sum('1')"), "42725 @8: function sum(unknown) is not unique");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT date_trunc('day', '2024-01-01')"),
                           "42725 @8: function date_trunc(unknown, unknown) is not unique");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT sum(channel) FROM bids"), "42883 @8: function sum(text) does not exist");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT max(ok) FROM bids"), "42883 @8: function max(boolean) does not exist");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT 1 FROM bids WHERE qty"),
                           "42804 @26: argument of WHERE must be type boolean, not type integer");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT 1 FROM bids WHERE ok AND channel"),
                           "42804 @33: argument of AND must be type boolean, not type text");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT NOT qty FROM bids"),
                           "42804 @12: argument of NOT must be type boolean, not type integer");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT CASE WHEN ok THEN qty ELSE channel END FROM bids"),
                           "42804 @26: CASE types text and integer cannot be matched");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT CASE WHEN qty THEN 1 END FROM bids"),
                           "42804 @18: argument of CASE/WHEN must be type boolean, not type integer");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT coalesce(qty, channel) FROM bids"),
                           "42804 @22: COALESCE types integer and text cannot be matched");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT 'x'::int"), "22P02 @8: invalid input syntax for type integer: \"x\"");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT qty + 'x' FROM bids"),
                           "22P02 @14: invalid input syntax for type integer: \"x\"");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT date_time::int FROM bids"),
                           "42846 @17: cannot cast type timestamp without time zone to integer");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT 1::blob"), "42704 @11: type \"blob\" does not exist");
    /* grouping */
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT auction, price FROM bids GROUP BY auction"),
                           "42803 @17: column \"bids.price\" must appear in the GROUP BY clause or be used in an aggregate function");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT price, count(*) FROM bids"),
                           "42803 @8: column \"bids.price\" must appear in the GROUP BY clause or be used in an aggregate function");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT auction FROM bids GROUP BY auction HAVING price > 1"),
                           "42803 @50: column \"bids.price\" must appear in the GROUP BY clause or be used in an aggregate function");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT auction FROM bids WHERE count(*) > 1"),
                           "42803 @32: aggregate functions are not allowed in WHERE");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT 1 FROM bids GROUP BY count(*)"),
                           "42803 @29: aggregate functions are not allowed in GROUP BY");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT sum(count(*)) FROM bids"),
                           "42803 @12: aggregate function calls cannot be nested");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT * FROM bids GROUP BY auction"),
                           "42803 @8: column \"bids.price\" must appear in the GROUP BY clause or be used in an aggregate function");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT auction FROM bids GROUP BY 3"),
                           "42P10 @35: GROUP BY position 3 is not in select list");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT auction FROM bids ORDER BY 2"),
                           "42P10 @35: ORDER BY position 2 is not in select list");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT *"), "42601 @8: SELECT * with no tables specified is not valid");
    /* LIMIT */
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT 1 LIMIT -1"), "2201W @0: LIMIT must not be negative");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT 1 OFFSET -1"), "2201X @0: OFFSET must not be negative");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT 1 LIMIT 'x'::text"),
                           "42804 @16: argument of LIMIT must be type bigint, not type text");
    CU_ASSERT_STRING_EQUAL(bind_error("SELECT 1 FROM bids LIMIT qty"), "42P10 @26: argument of LIMIT must not contain variables");
}

static const SlUnitTest planner_tests[] = {
    {"types, coercions and parameter inference", test_types_and_params},
    {"implicit coercions", test_coercions},
    {"parameter types from context", test_param_inference},
    {"the bound select: keys, aggregates, order, limit", test_logical_select},
    {"errors: SQLSTATE, position, message", test_errors},
    {NULL, NULL}};
SL_UNIT_SUITE("planner", planner_tests)
