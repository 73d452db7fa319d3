/* test_planner.c — the binder: types, coercions, parameter inference, errors. */
#include <string.h>

#include "sl_planner.h"
#include "unit.h"

static const PlColumn cols[] = {{"auction", SL_T_INT8}, {"price", SL_T_INT8}, {"channel", SL_T_TEXT},
                                {"date_time", SL_T_TIMESTAMP}};
static const PlScope scope = {"bids", NULL, cols, 4};

static int bind(const char *sql, SlArena *a, PlSelect **q, PlBinder *b, SlError *err)
{
    PsList *stmts;
    if (ps_parse(sql, strlen(sql), a, &stmts, NULL, err) < 0)
        return -1;
    pl_binder_init(b, a, &scope, 0, NULL);
    return pl_bind_select(b, ((PsStmt *)stmts->items[0])->select, q, err);
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

static void test_grouping(void)
{
    SlArena *a = sl_arena_new(0);
    PlSelect *q;
    PlBinder b;
    SlError err;
    CU_ASSERT_EQUAL_FATAL(bind("SELECT auction, count(*), max(price), avg(price), sum(price), count(DISTINCT channel) "
                               "FROM bids GROUP BY auction HAVING count(*) > 1", a, &q, &b, &err), 0);
    CU_ASSERT(q->grouped);
    CU_ASSERT_EQUAL(q->ngroup, 1);
    CU_ASSERT_EQUAL(q->naggs, 6);
    CU_ASSERT_EQUAL(q->targets[0]->kind, PL_COLUMN);
    CU_ASSERT_EQUAL(q->targets[1]->type, SL_T_INT8);
    CU_ASSERT_EQUAL(q->targets[2]->type, SL_T_INT8);
    CU_ASSERT_EQUAL(q->targets[3]->type, SL_T_NUMERIC);
    CU_ASSERT_EQUAL(q->targets[4]->type, SL_T_NUMERIC);
    CU_ASSERT(q->aggs[4].distinct);
    CU_ASSERT_EQUAL(q->aggs[5].kind, PL_AGG_COUNT_STAR);
    CU_ASSERT_EQUAL(bind("SELECT auction, price FROM bids GROUP BY auction", a, &q, &b, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "42803");
    CU_ASSERT_STRING_EQUAL(err.message, "column \"price\" must appear in the GROUP BY clause or be used in an aggregate function");
    CU_ASSERT_EQUAL(bind("SELECT auction FROM bids WHERE count(*) > 1", a, &q, &b, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "42803");
    CU_ASSERT_EQUAL(bind("SELECT nope FROM bids", a, &q, &b, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "42703");
    CU_ASSERT_EQUAL(err.position, 8);
    sl_arena_free(a);
}

static const SlUnitTest planner_tests[] = {
    {"types, coercions and parameter inference", test_types_and_params},
    {"grouping and aggregates", test_grouping},
    {NULL, NULL}};
SL_UNIT_SUITE("planner", planner_tests)
