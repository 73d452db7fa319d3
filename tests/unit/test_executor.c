/* test_executor.c — statements from SQL text through parser, binder and
 * evaluator: types, values, errors with SQLSTATE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_executor.h"
#include "unit.h"

static char result[2048];
static int last_pos; /* the error position of the last run() */

static int collect(void *ctx, const SlValue *v, int n, SlError *err)
{
    (void)err;
    SlBuf *b = ctx;
    for (int i = 0; i < n; i++) {
        if (i)
            sl_buf_putc(b, '|');
        if (v[i].isnull)
            sl_buf_puts(b, "NULL");
        else
            sl_value_out(&v[i], b);
    }
    sl_buf_putc(b, ';');
    return 0;
}

/* Runs sql with text params; returns "type,type:row;row;" or "ERROR code: message". */
static const char *run(const char *sql, int nparams, const char *const *params)
{
    SlArena *a = sl_arena_new(0);
    SlError err;
    PsList *stmts;
    int maxp = 0;
    SlSettings *set = sl_settings_new(NULL);
    ExContext ctx = {.database = "db1", .user = "alice", .settings = set, .backend_pid = 42};
    ExEngine *eng = ex_engine_new(NULL, &err);
    SlBuf b;
    sl_buf_init(&b);
    last_pos = 0;
    if (ps_parse(sql, strlen(sql), a, &stmts, &maxp, &err) < 0)
        goto fail;
    ExPlan *p;
    if (ex_prepare(eng, &ctx, stmts->items[0], nparams > maxp ? nparams : maxp, NULL, a, &p, &err) < 0)
        goto fail;
    int n;
    const ExColumn *cols = ex_plan_columns(p, &n);
    for (int i = 0; i < n; i++)
        sl_buf_printf(&b, "%s%s", i ? "," : "", sl_type_name(cols[i].type));
    sl_buf_putc(&b, ':');
    int np;
    const SlType *pt = ex_plan_params(p, &np);
    SlValue pv[8];
    for (int i = 0; i < np && i < 8; i++) {
        if (!params[i])
            pv[i] = sl_val_null(pt[i]);
        else if (sl_value_in(pt[i], params[i], strlen(params[i]), a, &pv[i], &err) < 0)
            goto fail;
    }
    ExSink sink = {&b, collect};
    char tag[64];
    if (ex_execute(eng, &ctx, p, pv, a, &sink, NULL, tag, &err) < 0)
        goto fail;
    snprintf(result, sizeof result, "%s", b.data);
    goto done;
fail:
    snprintf(result, sizeof result, "ERROR %s: %s", sl_errcode_sqlstate(err.code), err.message);
    last_pos = err.position;
done:
    sl_buf_free(&b);
    ex_engine_free(eng);
    sl_settings_free(set);
    sl_arena_free(a);
    return result;
}

#define R(sql) run(sql, 0, NULL)

static void test_select_expressions(void)
{
    CU_ASSERT_STRING_EQUAL(R("SELECT 1"), "integer:1;");
    CU_ASSERT_STRING_EQUAL(R("SELECT 1 + 2 * 3 AS x, 'a' || 'b', NULL IS NULL, CAST('5' AS INT)"),
                           "integer,text,boolean,integer:7|ab|t|5;");
    CU_ASSERT_STRING_EQUAL(R("SELECT 'x'"), "text:x;");
    CU_ASSERT_STRING_EQUAL(R("SELECT 2147483647::bigint + 1"), "bigint:2147483648;");
    CU_ASSERT_STRING_EQUAL(R("SELECT 7 / 2, 7 % 3, 7.0 / 2, 1.5 * 2"), "integer,integer,numeric,numeric:3|1|3.5000000000000000|3.0;");
    CU_ASSERT_STRING_EQUAL(R("SELECT 0.1::float8 + 0.2"), "double precision:0.30000000000000004;");
    CU_ASSERT_STRING_EQUAL(R("SELECT '5' + 1"), "integer:6;");
    CU_ASSERT_STRING_EQUAL(R("SELECT 1 = 1.0, 2 > 1 AND NULL, 2 < 1 AND NULL, NULL OR true"),
                           "boolean,boolean,boolean,boolean:t|NULL|f|t;");
    CU_ASSERT_STRING_EQUAL(R("SELECT CASE WHEN 1 > 2 THEN 'a' WHEN 2 > 1 THEN 'b' END, CASE 3 WHEN 1 THEN 'x' ELSE 'y' END"),
                           "text,text:b|y;");
    CU_ASSERT_STRING_EQUAL(R("SELECT 'abc' LIKE 'a%', 'abc' NOT LIKE '_b_', 'ABC' ILIKE 'a%c', 'a%' LIKE 'a!%' ESCAPE '!'"),
                           "boolean,boolean,boolean,boolean:t|f|t|t;");
    CU_ASSERT_STRING_EQUAL(R("SELECT 3 IN (1, 2, 3), 4 NOT IN (1, 2), 5 IN (1, NULL), 2 BETWEEN 1 AND 3"),
                           "boolean,boolean,boolean,boolean:t|t|NULL|t;");
    CU_ASSERT_STRING_EQUAL(R("SELECT NULL IS DISTINCT FROM 1, 1 IS NOT DISTINCT FROM 1, true IS TRUE, NULL::bool IS UNKNOWN"),
                           "boolean,boolean,boolean,boolean:t|t|t|t;");
    CU_ASSERT_STRING_EQUAL(R("SELECT TIMESTAMP '2024-01-02 00:00:00' - INTERVAL '4' SECOND"),
                           "timestamp without time zone:2024-01-01 23:59:56;");
    CU_ASSERT_STRING_EQUAL(R("SELECT INTERVAL '1 day' * 2, '2024-01-01'::timestamp + '1 hour'"),
                           "interval,timestamp without time zone:2 days|2024-01-01 01:00:00;");
    CU_ASSERT_STRING_EQUAL(R("SELECT 1 WHERE false"), "integer:");
    CU_ASSERT_STRING_EQUAL(R("SELECT 1 LIMIT 0"), "integer:");
    CU_ASSERT_STRING_EQUAL(R("SELECT -2147483648, - 5, +3"), "integer,integer,integer:-2147483648|-5|3;");
}

static void test_functions(void)
{
    CU_ASSERT_STRING_EQUAL(R("SELECT current_database(), current_user, pg_backend_pid()"),
                           "text,text,integer:db1|alice|42;");
    const char *v = R("SELECT version()");
    CU_ASSERT(strncmp(v, "text:PostgreSQL 15.0 (Sluice", 28) == 0);
    CU_ASSERT_STRING_EQUAL(R("SELECT current_setting('DateStyle'), current_setting('nope', true)"),
                           "text,text:ISO, MDY|NULL;");
    CU_ASSERT_STRING_EQUAL(R("SELECT abs(-5), round(2.5), round(2.345, 2), floor(-1.5), ceil(1.2), trunc(1.9)"),
                           "integer,numeric,numeric,numeric,numeric,numeric:5|3|2.35|-2|2|1;");
    CU_ASSERT_STRING_EQUAL(R("SELECT round(2.5::float8), sqrt(16), power(2, 10), mod(7, 3)"),
                           "double precision,double precision,double precision,integer:2|4|1024|1;");
    CU_ASSERT_STRING_EQUAL(R("SELECT coalesce(NULL, 2, 3), nullif(1, 1), greatest(1, 5, 3), least(2, NULL, 1)"),
                           "integer,integer,integer,integer:2|NULL|5|1;");
    CU_ASSERT_STRING_EQUAL(R("SELECT lower('AbC'), upper('abc'), length('héllo'), substr('hello', 2, 3), substring('hello' FROM 3)"),
                           "text,text,integer,text,text:abc|ABC|5|ell|llo;");
    CU_ASSERT_STRING_EQUAL(R("SELECT btrim('  x  '), ltrim('xxy', 'x'), replace('aXbX', 'X', '-'), concat('a', NULL, 1), concat_ws(',', 'a', NULL, 'b')"),
                           "text,text,text,text,text:x|y|a-b-|a1|a,b;");
    CU_ASSERT_STRING_EQUAL(R("SELECT left('hello', 2), right('hello', 3), repeat('ab', 3), strpos('hello', 'll'), md5('abc')"),
                           "text,text,text,integer,text:he|llo|ababab|3|900150983cd24fb0d6963f7d28e17f72;");
    CU_ASSERT_STRING_EQUAL(R("SELECT date_trunc('hour', TIMESTAMP '2024-03-04 05:06:07'), date_part('year', TIMESTAMP '2024-03-04 05:06:07'), EXTRACT(MONTH FROM TIMESTAMP '2024-03-04')"),
                           "timestamp without time zone,double precision,numeric:2024-03-04 05:00:00|2024|3;");
    CU_ASSERT_STRING_EQUAL(R("SELECT to_timestamp(0), pg_typeof(1::bigint)"),
                           "timestamp with time zone,text:1970-01-01 00:00:00+00|bigint;");
    v = R("SELECT now()");
    CU_ASSERT(strncmp(v, "timestamp with time zone:20", 27) == 0);
}

static void test_params(void)
{
    const char *p1[] = {"41"};
    CU_ASSERT_STRING_EQUAL(run("SELECT $1 + 1", 1, p1), "integer:42;");
    const char *p2[] = {"hello", "3"};
    CU_ASSERT_STRING_EQUAL(run("SELECT $1, length($1) + $2::int", 2, p2), "text,integer:hello|8;");
    const char *p3[] = {NULL};
    CU_ASSERT_STRING_EQUAL(run("SELECT $1::int IS NULL", 1, p3), "boolean:t;");
    /* nothing says what $1 is: PostgreSQL refuses it too */
    CU_ASSERT_STRING_EQUAL(run("SELECT $1 IS NULL", 1, p3), "ERROR 42P18: could not determine data type of parameter $1");
    CU_ASSERT_STRING_EQUAL(run("SELECT $2::int", 2, p3), "ERROR 42P18: could not determine data type of parameter $1");
    /* LIMIT and OFFSET take parameters (bigint); NULL means none */
    const char *l0[] = {"0"}, *l1[] = {"1"}, *lneg[] = {"-1"};
    CU_ASSERT_STRING_EQUAL(run("SELECT 1 LIMIT $1", 1, l0), "integer:");
    CU_ASSERT_STRING_EQUAL(run("SELECT 1 LIMIT $1", 1, l1), "integer:1;");
    CU_ASSERT_STRING_EQUAL(run("SELECT 1 LIMIT $1", 1, p3), "integer:1;");
    CU_ASSERT_STRING_EQUAL(run("SELECT 1 LIMIT $1", 1, lneg), "ERROR 2201W: LIMIT must not be negative");
    CU_ASSERT_STRING_EQUAL(run("SELECT 1 OFFSET $1", 1, l1), "integer:");
    CU_ASSERT_STRING_EQUAL(run("SELECT 1 OFFSET $1", 1, l0), "integer:1;");
    CU_ASSERT_STRING_EQUAL(run("SELECT 1 OFFSET $1", 1, lneg), "ERROR 2201X: OFFSET must not be negative");
    CU_ASSERT_STRING_EQUAL(R("SELECT 1 LIMIT -1"), "ERROR 2201W: LIMIT must not be negative");
    CU_ASSERT_STRING_EQUAL(R("SELECT 1 LIMIT 0.4"), "integer:");
    /* a timestamp plus a parameter: the parameter is an interval */
    const char *iv[] = {"1 day"};
    CU_ASSERT_STRING_EQUAL(run("SELECT TIMESTAMP '2024-01-01' + $1", 1, iv), "timestamp without time zone:2024-01-02 00:00:00;");
    const char *p4[] = {"2.5"};
    CU_ASSERT_STRING_EQUAL(run("SELECT $1 * 2.0", 1, p4), "numeric:5.00;");
}

static void test_errors(void)
{
    CU_ASSERT_STRING_EQUAL(R("SELECT 2147483647 + 1"), "ERROR 22003: integer out of range");
    CU_ASSERT_STRING_EQUAL(R("SELECT 1 / 0"), "ERROR 22012: division by zero");
    CU_ASSERT_STRING_EQUAL(R("SELECT 'abc'::int"), "ERROR 22P02: invalid input syntax for type integer: \"abc\"");
    CU_ASSERT_STRING_EQUAL(R("SELECT 1 + 'a'"), "ERROR 22P02: invalid input syntax for type integer: \"a\"");
    CU_ASSERT_STRING_EQUAL(R("SELECT x"), "ERROR 42703: column \"x\" does not exist");
    CU_ASSERT_STRING_EQUAL(R("SELECT nosuch(1)"), "ERROR 42883: function nosuch(integer) does not exist");
    CU_ASSERT_STRING_EQUAL(R("SELECT 1::blob"), "ERROR 42704: type \"blob\" does not exist");
    CU_ASSERT_STRING_EQUAL(R("SELECT true + 1"), "ERROR 42883: operator does not exist: boolean + integer");
    CU_ASSERT_STRING_EQUAL(R("SELECT 1 WHERE 1"), "ERROR 42804: argument of WHERE must be type boolean, not type integer");
    CU_ASSERT_STRING_EQUAL(R("SELECT * FROM pg_catalog.pg_class"), "ERROR 42P01: relation \"pg_catalog.pg_class\" does not exist");
    CU_ASSERT_STRING_EQUAL(R("SELECT sqrt(-1)"), "ERROR 2201F: cannot take square root of a negative number");
}

/* Each query with the answer PostgreSQL 15 gives (types, rows; for errors
 * SQLSTATE, message and position), collected by running both. */
static const struct {
    const char *sql, *expect;
} pg_answers[] = {
    {"SELECT abs(-5), abs(-5.5), abs(-2::bigint), abs(-1.5::float8), abs(NULL::int)",
     "integer,numeric,bigint,double precision,integer:5|5.5|2|1.5|NULL;"},
    {"SELECT round(2.5), round(-2.5), round(2.4999), round(1234.5678, 2), round(1234.5678, -2), round(2.5::float8), round(-0.5::float8), round(5)",
     "numeric,numeric,numeric,numeric,numeric,double precision,double precision,double precision:3|-3|2|1234.57|1200|2|-0|5;"},
    {"SELECT floor(-1.5), floor(1.5::float8), floor(5), ceil(-1.5), ceiling(1.2), ceil(1.2::float8), ceil(5::bigint)",
     "numeric,double precision,double precision,numeric,numeric,double precision,double precision:-2|1|5|-1|2|2|5;"},
    {"SELECT trunc(1.99), trunc(-1.99), trunc(1.999, 2), trunc(1.9::float8), trunc(123.456, -1), trunc(7)",
     "numeric,numeric,numeric,double precision,numeric,double precision:1|-1|1.99|1|120|7;"},
    {"SELECT mod(7, 3), mod(-7, 3), mod(7.5, 2), mod(7::bigint, 2)",
     "integer,integer,numeric,bigint:1|-1|1.5|1;"},
    {"SELECT mod(7, 0)",
     "ERROR 22012: division by zero"},
    {"SELECT power(2, 10), pow(2, -1), power(2::float8, 0.5), sqrt(16), exp(0), ln(1)",
     "double precision,double precision,double precision,double precision,double precision,double precision:1024|0.5|1.4142135623730951|4|1|0;"},
    {"SELECT power(0, -1)",
     "ERROR 2201F: zero raised to a negative power is undefined"},
    {"SELECT power(-8, 0.5)",
     "ERROR 2201F: a negative number raised to a non-integer power yields a complex result"},
    {"SELECT power(10, 400)",
     "ERROR 22003: value out of range: overflow"},
    {"SELECT sqrt(-1)",
     "ERROR 2201F: cannot take square root of a negative number"},
    {"SELECT ln(0)",
     "ERROR 2201E: cannot take logarithm of zero"},
    {"SELECT ln(-1)",
     "ERROR 2201E: cannot take logarithm of a negative number"},
    {"SELECT exp(1000)",
     "ERROR 22003: value out of range: overflow"},
    {"SELECT sign(-5), sign(0), sign(3.2), sign(-2.5::float8), sign(7::bigint)",
     "double precision,double precision,numeric,double precision,double precision:-1|0|1|-1|1;"},
    {"SELECT greatest(1, 2), least(1.5, 2), greatest('a', 'b'), least(2, NULL, 1), greatest(NULL::int, NULL)",
     "integer,numeric,text,integer,integer:2|1.5|b|1|NULL;"},
    {"SELECT greatest(1, 'x')",
     "ERROR 22P02: invalid input syntax for type integer: \"x\" @20"},
    {"SELECT coalesce(NULL, 2, 3), coalesce(NULL, NULL), coalesce(1, 2.5), coalesce(NULL, 1::bigint, 2)",
     "integer,text,numeric,bigint:2|NULL|1|1;"},
    {"SELECT coalesce(1, true)",
     "ERROR 42804: COALESCE types integer and boolean cannot be matched @20"},
    {"SELECT nullif(1, 1), nullif(1, 2), nullif('a', 'b'), nullif(NULL, 1)",
     "integer,integer,text,integer:NULL|1|a|NULL;"},
    {"SELECT nullif(1, true)",
     "ERROR 42883: operator does not exist: integer = boolean @8"},
    {"SELECT lower('AbC'), upper('abc'), lower(NULL), length('héllo'), char_length('abc'), character_length('')",
     "text,text,text,integer,integer,integer:abc|ABC|NULL|5|3|0;"},
    {"SELECT upper(1)",
     "ERROR 42883: function upper(integer) does not exist @8"},
    {"SELECT substr('hello', 2), substr('hello', 0, 3), substr('hello', -1, 3), substr('hello', 2, 0), substr('héllo', 2, 2), substring('hello', 2, 3)",
     "text,text,text,text,text,text:ello|he|h||él|ell;"},
    {"SELECT substr('hello', 2, -1)",
     "ERROR 22011: negative substring length not allowed"},
    {"SELECT btrim('  x  '), btrim('xyaxy', 'xy'), ltrim('  a  '), rtrim('  a  '), rtrim('axyxy', 'xy'), ltrim('xxy', 'x'), trim('  y  ')",
     "text,text,text,text,text,text,text:x|a|a  |  a|a|y|y;"},
    {"SELECT replace('abcabc', 'b', 'XX'), replace('abc', '', 'x'), replace('abc', 'b', NULL), replace('aaa', 'aa', 'b')",
     "text,text,text,text:aXXcaXXc|abc|NULL|ba;"},
    {"SELECT concat('a', 1, NULL, 2.5, true), concat(NULL), concat_ws('-', 1, 2, NULL, 3), concat_ws(NULL, 'a'), concat_ws(',', 'a')",
     "text,text,text,text,text:a12.5t||1-2-3|NULL|a;"},
    {"SELECT left('héllo', 2), left('hello', -2), right('hello', -2), right('héllo', 4), left('abc', 10), right('abc', 0)",
     "text,text,text,text,text,text:hé|hel|llo|éllo|abc|;"},
    {"SELECT repeat('ab', 3), repeat('ab', 0), repeat('ab', -1), repeat('', 5), repeat('é', 2)",
     "text,text,text,text,text:ababab||||éé;"},
    {"SELECT strpos('hello', 'l'), strpos('héllo', 'l'), strpos('hello', 'z'), strpos('hello', '')",
     "integer,integer,integer,integer:3|3|0|1;"},
    {"SELECT split_part('a,b,c', ',', 2), split_part('a,b,c', ',', 5), split_part('a,b,c', ',', -1), split_part('a,b,c', ',', -3), split_part('a,b,c', ',', -4), split_part('', ',', 1), split_part('abc', '', 1), split_part('abc', '', 2), split_part('a::b', '::', 2), split_part('a,b', ',', 1)",
     "text,text,text,text,text,text,text,text,text,text:b||c|a|||abc||b|a;"},
    {"SELECT split_part('a,b', ',', 0)",
     "ERROR 22023: field position must not be zero"},
    {"SELECT md5(''), md5('hello'), md5(NULL)",
     "text,text,text:d41d8cd98f00b204e9800998ecf8427e|5d41402abc4b2a76b9719d911017c592|NULL;"},
    {"SELECT date_trunc('hour', TIMESTAMP '2024-03-04 05:06:07.89'), date_trunc('day', TIMESTAMP '2024-03-04 05:06:07'), date_trunc('month', TIMESTAMP '2024-03-04 05:06:07'), date_trunc('year', TIMESTAMP '2024-03-04 05:06:07')",
     "timestamp without time zone,timestamp without time zone,timestamp without time zone,timestamp without time zone:2024-03-04 05:00:00|2024-03-04 00:00:00|2024-03-01 00:00:00|2024-01-01 00:00:00;"},
    {"SELECT date_trunc('week', TIMESTAMP '2024-03-07 05:06:07'), date_trunc('quarter', TIMESTAMP '2024-08-04'), date_trunc('minute', TIMESTAMP '2024-03-04 05:06:07'), date_trunc('second', TIMESTAMP '2024-03-04 05:06:07.5')",
     "timestamp without time zone,timestamp without time zone,timestamp without time zone,timestamp without time zone:2024-03-04 00:00:00|2024-07-01 00:00:00|2024-03-04 05:06:00|2024-03-04 05:06:07;"},
    {"SELECT date_trunc('MONTH', TIMESTAMPTZ '2024-03-04 05:06:07+00'), date_trunc('decade', TIMESTAMP '2024-03-04'), date_trunc('century', TIMESTAMP '2000-03-04'), date_trunc('century', TIMESTAMP '2024-03-04'), date_trunc('millennium', TIMESTAMP '2024-03-04')",
     "timestamp with time zone,timestamp without time zone,timestamp without time zone,timestamp without time zone,timestamp without time zone:2024-03-01 00:00:00+00|2020-01-01 00:00:00|1901-01-01 00:00:00|2001-01-01 00:00:00|2001-01-01 00:00:00;"},
    {"SELECT date_trunc('millisecond', TIMESTAMP '2024-03-04 05:06:07.123456'), date_trunc('microseconds', TIMESTAMP '2024-03-04 05:06:07.123456'), date_trunc('hours', TIMESTAMP '2024-03-04 05:06:07'), date_trunc('mon', TIMESTAMP '2024-03-04 05:06:07')",
     "timestamp without time zone,timestamp without time zone,timestamp without time zone,timestamp without time zone:2024-03-04 05:06:07.123|2024-03-04 05:06:07.123456|2024-03-04 05:00:00|2024-03-01 00:00:00;"},
    {"SELECT date_trunc('day', TIMESTAMP '1999-12-31 23:00:00'), date_trunc('week', TIMESTAMP '1999-12-31 23:00:00'), date_trunc('month', TIMESTAMP '1960-05-17 23:00:00'), date_trunc('week', TIMESTAMP '1960-05-17 23:00:00'), date_trunc('year', TIMESTAMP '1900-02-28')",
     "timestamp without time zone,timestamp without time zone,timestamp without time zone,timestamp without time zone,timestamp without time zone:1999-12-31 00:00:00|1999-12-27 00:00:00|1960-05-01 00:00:00|1960-05-16 00:00:00|1900-01-01 00:00:00;"},
    {"SELECT date_trunc('fortnight', TIMESTAMP '2024-03-04')",
     "ERROR 22023: unit \"fortnight\" not recognized for type timestamp without time zone"},
    {"SELECT date_trunc('dow', TIMESTAMP '2024-03-04')",
     "ERROR 22023: unit \"dow\" not recognized for type timestamp without time zone"},
    {"SELECT date_trunc('hour', '2024-03-04 05:06:07')",
     "ERROR 42725: function date_trunc(unknown, unknown) is not unique @8"},
    {"SELECT date_part('year', TIMESTAMP '2024-03-04 05:06:07.5'), date_part('second', TIMESTAMP '2024-03-04 05:06:07.5'), date_part('epoch', TIMESTAMP '2024-03-04 05:06:07.5'), date_part('dow', TIMESTAMP '2024-03-04'), date_part('doy', TIMESTAMP '2024-03-04')",
     "double precision,double precision,double precision,double precision,double precision:2024|7.5|1709528767.5|1|64;"},
    {"SELECT date_part('isodow', TIMESTAMP '2024-03-03'), date_part('quarter', TIMESTAMP '2024-03-03'), date_part('milliseconds', TIMESTAMP '2024-03-03 00:00:01.5'), date_part('week', TIMESTAMP '2024-03-03'), date_part('isoyear', TIMESTAMP '2021-01-01'), date_part('week', TIMESTAMP '2021-01-01'), date_part('week', TIMESTAMP '2020-12-31')",
     "double precision,double precision,double precision,double precision,double precision,double precision,double precision:7|1|1500|9|2020|53|53;"},
    {"SELECT date_part('century', TIMESTAMP '2024-03-04'), date_part('decade', TIMESTAMP '2024-03-04'), date_part('millennium', TIMESTAMP '2024-03-04'), date_part('julian', TIMESTAMP '2024-03-04'), date_part('microseconds', TIMESTAMP '2024-03-04 00:00:01.5')",
     "double precision,double precision,double precision,double precision,double precision:21|202|3|2460374|1500000;"},
    {"SELECT date_part('year', TIMESTAMP '1960-03-04'), date_part('dow', TIMESTAMP '1960-03-04'), date_part('doy', TIMESTAMP '1960-03-04 12:00'), date_part('epoch', TIMESTAMP '1960-03-04'), date_part('hour', TIMESTAMP '1960-03-04 13:14')",
     "double precision,double precision,double precision,double precision,double precision:1960|5|64|-310176000|13;"},
    {"SELECT date_part('epoch', INTERVAL '1 day 2 hours'), date_part('minute', INTERVAL '1 day 2 hours 3 minutes'), date_part('epoch', INTERVAL '1 year 2 months'), date_part('hour', INTERVAL '30 hours'), date_part('month', INTERVAL '14 months'), date_part('year', INTERVAL '14 months')",
     "double precision,double precision,double precision,double precision,double precision,double precision:93600|3|36741600|30|2|1;"},
    {"SELECT date_part('timezone', TIMESTAMPTZ '2024-03-04 05:00+00')",
     "double precision:0;"},
    {"SELECT date_part('timezone', TIMESTAMP '2024-03-04 05:00')",
     "ERROR 0A000: unit \"timezone\" not supported for type timestamp without time zone"},
    {"SELECT date_part('nope', TIMESTAMP '2024-03-04')",
     "ERROR 22023: unit \"nope\" not recognized for type timestamp without time zone"},
    {"SELECT EXTRACT(YEAR FROM TIMESTAMP '2024-03-04'), EXTRACT(EPOCH FROM TIMESTAMP '2024-03-04'), EXTRACT(HOUR FROM INTERVAL '3 hours 5 minutes'), EXTRACT(DAY FROM TIMESTAMPTZ '2024-03-04 05:00+00')",
     "numeric,numeric,numeric,numeric:2024|1709510400.000000|3|4;"},
    {"SELECT extract(second from timestamp '2024-01-01 00:00:07.5'), extract(milliseconds from timestamp '2024-01-01 00:00:07.5'), extract(julian from timestamp '2024-01-01 12:00'), extract(epoch from timestamptz '2024-01-01 00:00:07.5+00'), extract(dow from timestamp '2024-01-01'), extract(epoch from interval '1 day 1.5 seconds'), extract(second from interval '1 min 1.5 seconds')",
     "numeric,numeric,numeric,numeric,numeric,numeric,numeric:7.500000|7500.000|2460311.50000000000000000000|1704067207.500000|1|86401.500000|1.500000;"},
    {"SELECT to_timestamp(0), to_timestamp(1700000000.5), to_timestamp(-1), to_timestamp(NULL)",
     "timestamp with time zone,timestamp with time zone,timestamp with time zone,timestamp with time zone:1970-01-01 00:00:00+00|2023-11-14 22:13:20.5+00|1969-12-31 23:59:59+00|NULL;"},
    {"SELECT to_timestamp('1e20'::float8)",
     "ERROR 22008: timestamp out of range: \"1e+20\""},
    {"SELECT current_setting('TimeZone'), current_setting('DateStyle'), current_setting('nope', true)",
     "text,text,text:UTC|ISO, MDY|NULL;"},
    {"SELECT current_setting('nope')",
     "ERROR 42704: unrecognized configuration parameter \"nope\""},
    {"SELECT now() = current_timestamp, now() = transaction_timestamp(), now() = statement_timestamp(), clock_timestamp() >= now(), localtimestamp = now()::timestamp",
     "boolean,boolean,boolean,boolean,boolean:t|t|t|t|t;"},
    {"SELECT nosuch(1)",
     "ERROR 42883: function nosuch(integer) does not exist @8"},
    {"SELECT abs(1, 2)",
     "ERROR 42883: function abs(integer, integer) does not exist @8"},
    {"SELECT abs('a'::text)",
     "ERROR 42883: function abs(text) does not exist @8"},
    {"SELECT sqrt('a'::text)",
     "ERROR 42883: function sqrt(text) does not exist @8"},
    {"SELECT length(1)",
     "ERROR 42883: function length(integer) does not exist @8"},
    {"SELECT substr(1, 2)",
     "ERROR 42883: function substr(integer, integer) does not exist @8"},
    {"SELECT date_trunc('hour', 1)",
     "ERROR 42883: function date_trunc(unknown, integer) does not exist @8"},
    {"SELECT date_part('hour', 'x'::text)",
     "ERROR 42883: function date_part(unknown, text) does not exist @8"},
    {"SELECT sum('a')",
     "ERROR 42725: function sum(unknown) is not unique @8"},
    {"SELECT - 'a'",
     "ERROR 42725: operator is not unique: - unknown @8"},
    {"SELECT CASE WHEN true THEN 1 ELSE true END",
     "ERROR 42804: CASE types boolean and integer cannot be matched @28"},
    {"SELECT CASE WHEN true THEN 1 WHEN false THEN 'a'::text END",
     "ERROR 42804: CASE types integer and text cannot be matched @46"},
    {"SELECT coalesce(1, 'x'::text, 2)",
     "ERROR 42804: COALESCE types integer and text cannot be matched @20"},
    {"SELECT greatest(now(), 1)",
     "ERROR 42804: GREATEST types timestamp with time zone and integer cannot be matched @24"},
    {"SELECT 1 WHERE count(*) > 0",
     "ERROR 42803: aggregate functions are not allowed in WHERE @16"},
    {"SELECT 1 GROUP BY count(*)",
     "ERROR 42803: aggregate functions are not allowed in GROUP BY @19"},
    {"SELECT 1 LIMIT count(*)",
     "ERROR 42803: aggregate functions are not allowed in LIMIT @16"},
    {"SELECT sum(sum(1))",
     "ERROR 42803: aggregate function calls cannot be nested @12"},
    {"SELECT count(*), count(1), sum(1), avg(1), min(1), max(1)",
     "bigint,bigint,bigint,numeric,integer,integer:1|1|1|1.00000000000000000000|1|1;"},
    {"SELECT sum(1.5), avg(1.5), sum(1::bigint), avg(1::bigint), sum(2.5::float8), avg(2.5::float8), min('a'), max('b')",
     "numeric,numeric,numeric,numeric,double precision,double precision,text,text:1.5|1.50000000000000000000|1|1.00000000000000000000|2.5|2.5|a|b;"},
    {"SELECT count(NULL), sum(NULL::int), avg(NULL::int), min(NULL::text), count(DISTINCT 1), sum(DISTINCT 2), avg(DISTINCT 3)",
     "bigint,bigint,numeric,text,bigint,bigint,numeric:0|NULL|NULL|NULL|1|2|3.0000000000000000;"},
    {"SELECT avg(INTERVAL '1 day'), sum(INTERVAL '1 day'), max(TIMESTAMP '2024-01-01'), min(true)",
     "ERROR 42883: function min(boolean) does not exist @83"},
    {"SELECT count(*) WHERE false",
     "bigint:0;"},
    {"SELECT sum(1), max('a') WHERE false",
     "bigint,text:NULL|NULL;"},
    {"SELECT 1 HAVING false",
     "integer:"},
    {"SELECT 1 HAVING true",
     "integer:1;"},
    {"SELECT count(*) + 1, max(2) * 2 HAVING count(*) > 0",
     "bigint,integer:2|4;"},
    {"SELECT 1 AS one GROUP BY 1",
     "integer:1;"},
    {"SELECT 1 AS one WHERE false GROUP BY 1",
     "integer:"},
    {"SELECT abs(count(*)), count(*) ORDER BY 1",
     "bigint,bigint:1|1;"},
    {"SELECT 'x' AS a, count(*) GROUP BY a",
     "text,bigint:x|1;"},
    {"SELECT 1 + 2 * 3 AS x, 'a' || 'b', NULL IS NULL, CAST('5' AS INT), 7 / 2, 7 % 3, 7.0 / 2, 1.5 * 2",
     "integer,text,boolean,integer,integer,integer,numeric,numeric:7|ab|t|5|3|1|3.5000000000000000|3.0;"},
    {"SELECT 1 AS a, 2 AS b ORDER BY b DESC LIMIT 1 OFFSET 0",
     "integer,integer:1|2;"},
    {"SELECT 1 OFFSET 1",
     "integer:"},
    {"SELECT 1 LIMIT NULL",
     "integer:1;"},
    {"SELECT 1 WHERE NULL",
     "integer:"},
    {"SELECT power(2, 2.0), power(2.0, 2), power(1.5, 2), power(2.000000000000000000, 2), power(10, -2.0), power(0.5, 3.0), power(2.5, 0.5), power(100.0, 0.5)",
     "numeric,numeric,numeric,numeric,numeric,numeric,numeric,numeric:4.0000000000000000|4.0000000000000000|2.2500000000000000|4.000000000000000000|0.0100000000000000|0.1250000000000000|1.5811388300841897|10.000000000000000;"},
    {"SELECT sqrt(2.0), sqrt(16.0), sqrt(0.0001), sqrt(123456789.0), sqrt(0.0), sqrt(1e-10), sqrt(99.9)",
     "numeric,numeric,numeric,numeric,numeric,numeric,numeric:1.414213562373095|4.000000000000000|0.01000000000000000|11111.11106055556|0.000000000000000|0.000010000000000000000|9.994998749374609;"},
    {"SELECT ln(2.0), ln(1.01), ln(100.0), ln(1e10), ln(0.5), ln(1.0), ln(0.001), ln(0.95), ln(1.000001)",
     "numeric,numeric,numeric,numeric,numeric,numeric,numeric,numeric,numeric:0.6931471805599453|0.009950330853168083|4.6051701859880914|23.025850929940457|-0.6931471805599453|0.0000000000000000|-6.9077552789821371|-0.051293294387550533|0.0000009999995000003333;"},
    {"SELECT exp(1.0), exp(0.0), exp(10.0), exp(-1.0), exp(-10.0), exp(2.5), exp(-0.5)",
     "numeric,numeric,numeric,numeric,numeric,numeric,numeric:2.7182818284590452|1.0000000000000000|22026.465794806717|0.3678794411714423|0.00004539992976248485|12.182493960703473|0.6065306597126334;"},
    {"SELECT power(-8.0, 1.0/3)",
     "ERROR 2201F: a negative number raised to a non-integer power yields a complex result"},
    {"SELECT power(0.0, -1)",
     "ERROR 2201F: zero raised to a negative power is undefined"},
    {"SELECT power(-2.0, 3), power(-2.0, -3), power(3.0, -2)",
     "numeric,numeric,numeric:-8.0000000000000000|-0.1250000000000000|0.1111111111111111;"},
    {"SELECT sqrt(-1.0)",
     "ERROR 2201F: cannot take square root of a negative number"},
    {"SELECT ln(0.0)",
     "ERROR 2201E: cannot take logarithm of zero"},
    {"SELECT ln(-1.0)",
     "ERROR 2201E: cannot take logarithm of a negative number"},
    {"SELECT power(2.0, 0.5::float8), sqrt(2), ln(2), exp(1), power(2, 0.5)",
     "double precision,double precision,double precision,double precision,numeric:1.4142135623730951|1.4142135623730951|0.6931471805599453|2.718281828459045|1.4142135623730950;"},
    {"SELECT exp(-2147483648)",
     "ERROR 22003: value out of range: underflow"},
    {"SELECT power(10::float8, -400)",
     "ERROR 22003: value out of range: underflow"},
    {"SELECT power('5', 2.5), sqrt('16'), ln('2.5')",
     "numeric,double precision,double precision:55.901699437494742|4|0.9162907318741551;"},
    {"SELECT to_timestamp('a')",
     "ERROR 22P02: invalid input syntax for type double precision: \"a\" @21"},
    {"SELECT sqrt('')",
     "ERROR 22P02: invalid input syntax for type double precision: \"\" @13"},
    {"SELECT 'abc' * true",
     "ERROR 42883: operator does not exist: unknown * boolean @14"},
    {"SELECT '5' % 'NaN'::float8",
     "ERROR 42883: operator does not exist: unknown % double precision @12"},
    {"SELECT NULL * false",
     "ERROR 42883: operator does not exist: unknown * boolean @13"},
    {"SELECT 'hello' LIKE 1",
     "ERROR 42883: operator does not exist: unknown ~~ integer @16"},
    {"SELECT 1 IN (2, '2024-03-04 05:06:07'::timestamp)",
     "ERROR 42883: operator does not exist: integer = timestamp without time zone @10"},
    {"SELECT true IN (NULL, 1.5)",
     "ERROR 42883: operator does not exist: boolean = numeric @13"},
    {"SELECT concat_ws(1, 'a')",
     "ERROR 42883: function concat_ws(integer, unknown) does not exist @8"},
    {"SELECT CASE WHEN (1 + 0) THEN 1 END",
     "ERROR 42804: argument of CASE/WHEN must be type boolean, not type integer @19"},
    {"SELECT CASE WHEN 1 THEN 1 END + (CASE WHEN (2.5 * 2) THEN 1 END)",
     "ERROR 42804: argument of CASE/WHEN must be type boolean, not type integer @18"},
    {"SELECT 1 WHERE (1 + 2)",
     "ERROR 42804: argument of WHERE must be type boolean, not type integer @17"},
    {"SELECT (-2147483648) / -1",
     "ERROR 22003: integer out of range"},
    {"SELECT (-2147483648) % -1, 7 % -1, -7 / 2, -7 % 2, 7 / -2",
     "integer,integer,integer,integer,integer:0|0|-3|-1|-3;"},
    {"SELECT (-9223372036854775808) / -1",
     "ERROR 22003: bigint out of range"},
    {"SELECT (-9223372036854775808) % -1, 9223372036854775807 * 2 > 0",
     "ERROR 22003: bigint out of range"},
    {"SELECT 2147483647 * 2",
     "ERROR 22003: integer out of range"},
    {"SELECT 1::bigint / 0",
     "ERROR 22012: division by zero"},
    {"SELECT 5 % 0",
     "ERROR 22012: division by zero"},
    {"SELECT 'a' = 'a', 'a' <> 'b', '' = '', 'ab' = 'a', TIMESTAMP '2024-01-01' < TIMESTAMP '2024-01-02', TIMESTAMP '2024-01-01' = TIMESTAMP '2024-01-01'",
     "boolean,boolean,boolean,boolean,boolean,boolean:t|t|t|f|t|t;"},
    {"SELECT 3 > 2.5, 2::bigint = 2, 2 = 2::bigint, 1 + 2::bigint, 3000000000 > 1, 1.5 + 1",
     "boolean,boolean,boolean,bigint,boolean,numeric:t|t|t|3|t|2.5;"},
    {"SELECT initcap('hello wORLD-foo bar_baz 1abc'), lpad('hi', 5), lpad('hi', 5, 'xy'), lpad('hello', 2), rpad('hi', 5, 'xy'), rpad('hello', 2), lpad('hi', -1), lpad('hi', 5, ''), lpad('héllo', 7, 'é')",
     "text,text,text,text,text,text,text,text,text:Hello World-Foo Bar_Baz 1abc|   hi|xyxhi|he|hixyx|he||hi|ééhéllo;"},
    {"SELECT reverse('héllo'), octet_length('héllo'), ascii('é'), ascii(''), chr(233), chr(65), starts_with('hello', 'he'), starts_with('hello', 'lo'), to_hex(255), to_hex(-1), to_hex(9223372036854775807)",
     "text,integer,integer,integer,text,text,boolean,boolean,text,text,text:olléh|6|233|0|é|A|t|f|ff|ffffffff|7fffffffffffffff;"},
    {"SELECT chr(0)",
     "ERROR 54000: null character not permitted"},
    {"SELECT chr(-1)",
     "ERROR 22023: character number must be positive"},
    {"SELECT chr(1114112)",
     "ERROR 54000: requested character too large for encoding: 1114112"},
    {"SELECT log(0.0)",
     "ERROR 2201E: cannot take logarithm of zero"},
    {"SELECT log(-1)",
     "ERROR 2201E: cannot take logarithm of a negative number"},
    {"SELECT log(1.0, 10.0)",
     "ERROR 22012: division by zero"},
    {"SELECT div(1, 0)",
     "ERROR 22012: division by zero"},
    {"SELECT log(0::float8), log(2, 1024), log(10::float8), ln(10.0), log(1.01), log(50.0, 0.25)",
     "ERROR 2201E: cannot take logarithm of zero"},
    {"SELECT initcap(''), reverse(''), lpad('', 3, 'ab'), rpad('abc', 5, 'é'), initcap('ÉCOLE élève'), ascii('A'), div(9, 3), div(10.5, 0.25), cbrt(0), degrees(1), radians(1)",
     "text,text,text,text,text,integer,numeric,numeric,double precision,double precision,double precision:||aba|abcéé|École Élève|65|3|42|0|57.29577951308232|0.017453292519943295;"},
    {"SELECT lpad('x', 4, NULL), rpad(NULL, 3), to_hex(NULL::int), chr(NULL), log(NULL::numeric)",
     "text,text,text,text,numeric:NULL|NULL|NULL|NULL|NULL;"},
    {"SELECT lower('ÀBC ÉÇ ß ΣΑΣ'), upper('àbc éç ß σας'), initcap('ÉCOLE élève ǆemal'), lower('ABC'), upper('İi')",
     "text,text,text,text,text:àbc éç ß σασ|ÀBC ÉÇ ß ΣΑΣ|École Élève Ǆemal|abc|İI;"},
    {"SELECT 'ÉCOLE' ILIKE 'école', 'ABC' ILIKE 'a%', 'abc' NOT ILIKE 'A_C', 'Σ' ILIKE 'σ', 'x' ILIKE NULL",
     "boolean,boolean,boolean,boolean,boolean:t|t|f|t|NULL;"},
};

static void test_as_postgresql_answers(void)
{
    for (size_t i = 0; i < sizeof pg_answers / sizeof pg_answers[0]; i++) {
        const char *got = R(pg_answers[i].sql);
        char full[2100];
        if (!strncmp(got, "ERROR", 5) && last_pos)
            snprintf(full, sizeof full, "%s @%d", got, last_pos);
        else
            snprintf(full, sizeof full, "%s", got);
        if (strcmp(full, pg_answers[i].expect))
            fprintf(stderr, "\n%s\n  got  %s\n  want %s\n", pg_answers[i].sql, full, pg_answers[i].expect);
        CU_ASSERT_STRING_EQUAL(full, pg_answers[i].expect);
    }
    /* pg_typeof names the argument's type (an untyped literal is unknown) */
    CU_ASSERT_STRING_EQUAL(R("SELECT pg_typeof(1), pg_typeof(1.5), pg_typeof('a'), pg_typeof(NULL), pg_typeof(localtimestamp)"),
                           "text,text,text,text,text:integer|numeric|unknown|unknown|timestamp without time zone;");
    CU_ASSERT_STRING_EQUAL(R("SELECT current_user, session_user, user, current_catalog, current_schema, current_schema()"),
                           "text,text,text,text,text,text:alice|alice|alice|db1|public|public;");
}

static const SlUnitTest executor_tests[] = {
    {"functions, operators, aggregates and errors as PostgreSQL answers", test_as_postgresql_answers},
    {"SELECT of expressions", test_select_expressions},
    {"scalar functions", test_functions},
    {"parameters and their inferred types", test_params},
    {"errors carry their SQLSTATE", test_errors},
    {NULL, NULL}};
SL_UNIT_SUITE("executor", executor_tests)

/* ------------------------------------------------------------ key groups */
#include "ex_int.h"

static void test_key_groups(void)
{
    /* every key group is owned by exactly one task, the tasks' ranges are
     * contiguous and are [ceil(t*K/N), ceil((t+1)*K/N)), for every N <= K */
    const int Ks[] = {1, 7, 128, 1000};
    for (size_t ki = 0; ki < sizeof Ks / sizeof Ks[0]; ki++) {
        int K = Ks[ki];
        for (int N = 1; N <= K; N++) {
            int prev = -1;
            for (int kg = 0; kg < K; kg++) {
                int t = ex_task_of_kg(kg, N, K);
                CU_ASSERT_FATAL(t >= 0 && t < N);
                CU_ASSERT_FATAL(t == prev || t == prev + 1); /* contiguous, in order */
                int lo = (int)(((int64_t)t * K + N - 1) / N), hi = (int)(((int64_t)(t + 1) * K + N - 1) / N);
                CU_ASSERT_FATAL(kg >= lo && kg < hi);
                prev = t;
            }
            CU_ASSERT_FATAL(prev == N - 1 || K < N);
        }
    }
    /* the same key always reaches the same task; equal numbers of any type
     * are the same key */
    SlValue a = sl_val_int4(12345), b = sl_val_int8(12345), c = sl_val_numeric(1234500, 2);
    uint64_t ha = sl_value_hash(&a);
    CU_ASSERT_EQUAL(ha, sl_value_hash(&b));
    CU_ASSERT_EQUAL(ha, sl_value_hash(&c));
    for (int N = 1; N <= 128; N++)
        CU_ASSERT_EQUAL(ex_task_of_kg(ex_kg_of_hash(ha, 128), N, 128),
                        ex_task_of_kg(ex_kg_of_hash(sl_value_hash(&b), 128), N, 128));
    /* rescaling N -> M moves whole key groups: a key's task is a function of its key group */
    int counts[4] = {0};
    for (uint64_t k = 0; k < 100000; k++) {
        SlValue v = sl_val_int8((int64_t)k);
        counts[ex_task_of_kg(ex_kg_of_hash(sl_value_hash(&v), 128), 4, 128)]++;
    }
    for (int t = 0; t < 4; t++)
        CU_ASSERT(counts[t] > 23000 && counts[t] < 27000); /* balanced */
}

static const SlUnitTest keygroup_tests[] = {
    {"key groups: ownership, ranges, routing", test_key_groups},
    {NULL, NULL}};
SL_UNIT_SUITE("key groups", keygroup_tests)

/* ------------------------------------------- views: operators and aggregates */

static ExEngine *veng;

static const char *vrun(const char *sql)
{
    SlArena *a = sl_arena_new(0);
    SlError err;
    PsList *stmts;
    SlSettings *set = sl_settings_new(NULL);
    ExContext ctx = {.database = "db", .user = "u", .settings = set};
    SlBuf b;
    sl_buf_init(&b);
    if (ps_parse(sql, strlen(sql), a, &stmts, NULL, &err) < 0)
        goto fail;
    ExPlan *p;
    if (ex_prepare(veng, &ctx, stmts->items[0], 0, NULL, a, &p, &err) < 0)
        goto fail;
    ExSink sink = {&b, collect};
    char tag[64];
    if (ex_execute(veng, &ctx, p, NULL, a, &sink, NULL, tag, &err) < 0)
        goto fail;
    snprintf(result, sizeof result, "%s", b.data ? b.data : tag);
    goto done;
fail:
    snprintf(result, sizeof result, "ERROR %s: %s", sl_errcode_sqlstate(err.code), err.message);
done:
    sl_buf_free(&b);
    sl_settings_free(set);
    sl_arena_free(a);
    return result;
}

static void test_view_aggregates(void)
{
    veng = ex_engine_new(NULL, NULL);
    CU_ASSERT_STRING_EQUAL(vrun("CREATE STREAM s (k INT, i INT, b BIGINT, f DOUBLE PRECISION, n NUMERIC, t TEXT)"),
                           "CREATE STREAM");
    CU_ASSERT_STRING_EQUAL(vrun("CREATE MATERIALIZED VIEW a WITH (parallelism = 3) AS SELECT k, count(*) AS c, count(i) AS ci, "
                                "sum(i) AS si, sum(b) AS sb, avg(b) AS ab, sum(f) AS sf, avg(n) AS an, min(t) AS mi, "
                                "max(t) AS ma, count(DISTINCT t) AS dt FROM s GROUP BY k"),
                           "CREATE MATERIALIZED VIEW");
    CU_ASSERT_STRING_EQUAL(vrun("CREATE MATERIALIZED VIEW g AS SELECT count(*) AS c, sum(i) AS s FROM s WHERE k > 100"),
                           "CREATE MATERIALIZED VIEW");
    CU_ASSERT_STRING_EQUAL(vrun("INSERT INTO s VALUES (1, 2147483647, 9223372036854775807, 0.5, 1.25, 'b'), "
                                "(1, 2147483647, 9223372036854775807, 1.5, 2.5, 'a'), (1, NULL, NULL, NULL, NULL, 'a'), "
                                "(NULL, 1, 2, 3, 4, NULL)"),
                           "INSERT 0 4");
    /* sums of INT are BIGINT, of BIGINT NUMERIC (no overflow); NULLs skipped; NULL key is a group;
     * the same values PostgreSQL 15 returns for these rows */
    CU_ASSERT_STRING_EQUAL(vrun("SELECT * FROM a ORDER BY k"),
                           "1|3|2|4294967294|18446744073709551614|9223372036854775807|2|1.8750000000000000|a|b|2;"
                           "NULL|1|1|1|2|2.0000000000000000|3|4.0000000000000000|NULL|NULL|0;");
    /* a global aggregate has one row even over no input */
    CU_ASSERT_STRING_EQUAL(vrun("SELECT * FROM g"), "0|NULL;");
    /* a runtime error in a view's expression fails the view, with its SQLSTATE */
    CU_ASSERT_STRING_EQUAL(vrun("CREATE MATERIALIZED VIEW bad AS SELECT k, i + i AS twice FROM s"), "CREATE MATERIALIZED VIEW");
    CU_ASSERT_STRING_EQUAL(vrun("SELECT * FROM bad"), "ERROR 22003: integer out of range");
    /* aggregates over a view's snapshot: grouped, global, HAVING, ORDER BY */
    CU_ASSERT_STRING_EQUAL(vrun("SELECT count(*), sum(c), max(mi), count(DISTINCT ma) FROM a"), "2|4|a|1;");
    CU_ASSERT_STRING_EQUAL(vrun("SELECT k IS NULL AS nk, sum(si) AS s FROM a GROUP BY 1 ORDER BY s DESC"),
                           "f|4294967294;t|1;");
    CU_ASSERT_STRING_EQUAL(vrun("SELECT k, count(*) FROM a GROUP BY k HAVING sum(c) > 1"), "1|1;");
    CU_ASSERT_STRING_EQUAL(vrun("SELECT count(*) FROM a WHERE k > 5"), "0;");
    /* ORDER BY an aggregate that is not selected */
    CU_ASSERT_STRING_EQUAL(vrun("SELECT mi FROM a GROUP BY mi ORDER BY sum(c) DESC"), "a;NULL;");
    CU_ASSERT_STRING_EQUAL(vrun("SELECT mi FROM a GROUP BY mi ORDER BY sum(c)"), "NULL;a;");
    /* DISTINCT keeps one of equal rows (NULLs are equal) */
    CU_ASSERT_STRING_EQUAL(vrun("SELECT DISTINCT 1 AS one, NULL::int AS z FROM a"), "1|NULL;");
    CU_ASSERT_STRING_EQUAL(vrun("SELECT DISTINCT c > 0 AS pos, k IS NULL AS nk FROM a ORDER BY nk"), "t|f;t|t;");
    CU_ASSERT_STRING_EQUAL(vrun("SELECT DISTINCT k FROM a ORDER BY c"),
                           "ERROR 42P10: for SELECT DISTINCT, ORDER BY expressions must appear in select list");
    CU_ASSERT_STRING_EQUAL(vrun("SELECT k FROM a WHERE k > 5 GROUP BY k"), "SELECT 0");
    CU_ASSERT_STRING_EQUAL(vrun("SELECT k, c FROM a GROUP BY k"),
                           "ERROR 42803: column \"a.c\" must appear in the GROUP BY clause or be used in an aggregate function");
    CU_ASSERT_STRING_EQUAL(vrun("DROP STREAM s"), "ERROR 2BP01: cannot drop stream s because other objects depend on it");
    CU_ASSERT_STRING_EQUAL(vrun("DROP STREAM s CASCADE"), "DROP STREAM");
    ex_engine_free(veng);
}

static const SlUnitTest view_tests[] = {
    {"views: aggregates, NULLs, overflow-free sums, failures", test_view_aggregates},
    {NULL, NULL}};
SL_UNIT_SUITE("views", view_tests)

/* ------------------------------------------------- aggregate accumulators */
#include "ex_agg.h"

static char aggres[256];

/* Final of one aggregate over vals, accumulated in two partial states
 * split at `split` and merged; with via_bytes, both partial states go
 * through serialization first. "ERROR <sqlstate>" on failure. */
static const char *agg_run(PlAggKind kind, bool distinct, SlType at, SlType rt, const SlValue *vals, int n,
                           int split, bool via_bytes)
{
    PlExpr arg = {.kind = PL_COLUMN, .type = at};
    PlAgg ag = {.kind = kind, .distinct = distinct, .arg = kind == PL_AGG_COUNT_STAR ? NULL : &arg, .type = rt};
    ExAggState s[2];
    SlError err;
    int rc = 0;
    ex_agg_init(&ag, &s[0]);
    ex_agg_init(&ag, &s[1]);
    for (int i = 0; i < n && rc == 0; i++)
        rc = ex_agg_update(&ag, &s[i < split ? 0 : 1], &vals[i], &err);
    if (rc == 0 && via_bytes) {
        for (int k = 0; k < 2 && rc == 0; k++) {
            SlBuf b;
            sl_buf_init(&b);
            ex_agg_serialize(&ag, &s[k], &b);
            ex_agg_free(&s[k]);
            size_t used = 0;
            rc = ex_agg_deserialize(&ag, &s[k], b.data, b.len, &used, &err);
            CU_ASSERT_EQUAL(used, b.len);
            sl_buf_free(&b);
        }
    }
    if (rc == 0)
        rc = ex_agg_merge(&ag, &s[0], &s[1], &err);
    SlValue out;
    SlArena *a = sl_arena_new(0);
    if (rc == 0)
        rc = ex_agg_final(&ag, &s[0], a, &out, &err);
    ex_agg_free(&s[0]);
    ex_agg_free(&s[1]);
    if (rc < 0) {
        snprintf(aggres, sizeof aggres, "ERROR %s", sl_errcode_sqlstate(err.code));
    } else {
        SlBuf b;
        sl_buf_init(&b);
        if (out.isnull)
            sl_buf_puts(&b, "NULL");
        else
            sl_value_out(&out, &b);
        snprintf(aggres, sizeof aggres, "%s%s", out.type == rt ? "" : "WRONG TYPE ", b.data);
        sl_buf_free(&b);
    }
    sl_arena_free(a);
    return aggres;
}

/* Checks the result for every split point, merged directly and through bytes. */
static void agg_check(PlAggKind kind, bool distinct, SlType at, SlType rt, const SlValue *vals, int n,
                      const char *expect)
{
    for (int split = 0; split <= n; split++)
        for (int bytes = 0; bytes < 2; bytes++) {
            const char *got = agg_run(kind, distinct, at, rt, vals, n, split, bytes);
            if (strcmp(got, expect))
                fprintf(stderr, "\n%s%s split %d bytes %d: got %s, want %s\n", pl_agg_name(kind),
                        distinct ? " DISTINCT" : "", split, bytes, got, expect);
            CU_ASSERT_STRING_EQUAL(got, expect);
        }
}

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))

/* Expected values are what PostgreSQL 15 returns for the same rows, e.g.
 * SELECT avg(x) FROM (VALUES (1),(2),(NULL::int)) t(x). */
static void test_agg_accumulators(void)
{
    const SlValue i4[] = {sl_val_int4(1), sl_val_int4(2), sl_val_null(SL_T_INT4)};
    agg_check(PL_AGG_COUNT_STAR, false, SL_T_INT4, SL_T_INT8, i4, 3, "3");
    agg_check(PL_AGG_COUNT, false, SL_T_INT4, SL_T_INT8, i4, 3, "2");
    agg_check(PL_AGG_SUM, false, SL_T_INT4, SL_T_INT8, i4, 3, "3");
    agg_check(PL_AGG_AVG, false, SL_T_INT4, SL_T_NUMERIC, i4, 3, "1.5000000000000000");
    agg_check(PL_AGG_MIN, false, SL_T_INT4, SL_T_INT4, i4, 3, "1");
    agg_check(PL_AGG_MAX, false, SL_T_INT4, SL_T_INT4, i4, 3, "2");
    /* no rows, or only NULLs: count 0, the others NULL */
    const SlValue nulls[] = {sl_val_null(SL_T_INT4), sl_val_null(SL_T_INT4)};
    agg_check(PL_AGG_COUNT_STAR, false, SL_T_INT4, SL_T_INT8, nulls, 0, "0");
    agg_check(PL_AGG_COUNT_STAR, false, SL_T_INT4, SL_T_INT8, nulls, 2, "2");
    agg_check(PL_AGG_COUNT, false, SL_T_INT4, SL_T_INT8, nulls, 2, "0");
    agg_check(PL_AGG_COUNT, true, SL_T_INT4, SL_T_INT8, nulls, 2, "0");
    agg_check(PL_AGG_SUM, false, SL_T_INT4, SL_T_INT8, nulls, 2, "NULL");
    agg_check(PL_AGG_AVG, false, SL_T_INT4, SL_T_NUMERIC, nulls, 0, "NULL");
    agg_check(PL_AGG_MIN, false, SL_T_INT4, SL_T_INT4, nulls, 2, "NULL");
    agg_check(PL_AGG_MAX, true, SL_T_INT4, SL_T_INT4, nulls, 2, "NULL");
    /* sum(int4) is bigint; sum(int8) numeric and never overflows */
    const SlValue big4[] = {sl_val_int4(INT32_MAX), sl_val_int4(INT32_MAX), sl_val_int4(INT32_MAX)};
    agg_check(PL_AGG_SUM, false, SL_T_INT4, SL_T_INT8, big4, 3, "6442450941");
    agg_check(PL_AGG_AVG, false, SL_T_INT4, SL_T_NUMERIC, big4, 3, "2147483647.00000000");
    const SlValue big8[] = {sl_val_int8(INT64_MAX), sl_val_int8(INT64_MAX)};
    agg_check(PL_AGG_SUM, false, SL_T_INT8, SL_T_NUMERIC, big8, 2, "18446744073709551614");
    agg_check(PL_AGG_AVG, false, SL_T_INT8, SL_T_NUMERIC, big8, 2, "9223372036854775807");
    const SlValue min8[] = {sl_val_int8(INT64_MIN), sl_val_int8(INT64_MIN), sl_val_int8(5)};
    agg_check(PL_AGG_SUM, false, SL_T_INT8, SL_T_NUMERIC, min8, 3, "-18446744073709551611");
    /* numeric sums align scales */
    const SlValue num[] = {sl_val_numeric(15, 1), sl_val_numeric(225, 2), sl_val_null(SL_T_NUMERIC)};
    agg_check(PL_AGG_SUM, false, SL_T_NUMERIC, SL_T_NUMERIC, num, 3, "3.75");
    agg_check(PL_AGG_AVG, false, SL_T_NUMERIC, SL_T_NUMERIC, num, 3, "1.8750000000000000");
    agg_check(PL_AGG_MAX, false, SL_T_NUMERIC, SL_T_NUMERIC, num, 3, "2.25");
    /* float8 */
    const SlValue f8[] = {sl_val_float8(0.1), sl_val_float8(0.2)};
    agg_check(PL_AGG_SUM, false, SL_T_FLOAT8, SL_T_FLOAT8, f8, 2, "0.30000000000000004");
    agg_check(PL_AGG_AVG, false, SL_T_FLOAT8, SL_T_FLOAT8, f8, 2, "0.15000000000000002");
    /* intervals */
    const SlValue iv[] = {sl_val_interval(0, 1, 0), sl_val_interval(0, 2, 3600000000LL), sl_val_interval(1, 0, 0)};
    agg_check(PL_AGG_SUM, false, SL_T_INTERVAL, SL_T_INTERVAL, iv, 3, "1 mon 3 days 01:00:00");
    agg_check(PL_AGG_AVG, false, SL_T_INTERVAL, SL_T_INTERVAL, iv, 3, "11 days 00:20:00");
    /* text min/max keep their own copy of the bytes */
    char buf[4][8] = {"b", "abc", "zz", "zy"};
    SlValue tx[5] = {sl_val_text(buf[0], 1), sl_val_text(buf[1], 3), sl_val_null(SL_T_TEXT), sl_val_text(buf[2], 2),
                     sl_val_text(buf[3], 2)};
    agg_check(PL_AGG_MIN, false, SL_T_TEXT, SL_T_TEXT, tx, 5, "abc");
    agg_check(PL_AGG_MAX, false, SL_T_TEXT, SL_T_TEXT, tx, 5, "zz");
    agg_check(PL_AGG_COUNT, true, SL_T_TEXT, SL_T_INT8, tx, 5, "4");
    /* DISTINCT: 1.0 = 1 and 2 = 2.00; the first value seen is kept */
    const SlValue d[] = {sl_val_numeric(10, 1), sl_val_numeric(1, 0), sl_val_numeric(2, 0), sl_val_numeric(200, 2),
                         sl_val_null(SL_T_NUMERIC)};
    agg_check(PL_AGG_COUNT, true, SL_T_NUMERIC, SL_T_INT8, d, 3, "2");
    agg_check(PL_AGG_COUNT, true, SL_T_NUMERIC, SL_T_INT8, d, 5, "2");
    agg_check(PL_AGG_COUNT, false, SL_T_NUMERIC, SL_T_INT8, d, 5, "4");
    CU_ASSERT_STRING_EQUAL(agg_run(PL_AGG_SUM, true, SL_T_NUMERIC, SL_T_NUMERIC, d, 5, 5, true), "3.0");
    CU_ASSERT_STRING_EQUAL(agg_run(PL_AGG_AVG, true, SL_T_NUMERIC, SL_T_NUMERIC, d, 5, 5, false),
                           "1.5000000000000000");
    /* sum(int4) beyond bigint is an error at the end, as in PostgreSQL */
    enum { M = 5000 };
    static SlValue many[M];
    for (int i = 0; i < M; i++)
        many[i] = sl_val_int8(INT64_MAX);
    CU_ASSERT_STRING_EQUAL(agg_run(PL_AGG_SUM, false, SL_T_INT4, SL_T_INT8, many, M, M / 2, true), "ERROR 22003");
    CU_ASSERT_STRING_EQUAL(agg_run(PL_AGG_SUM, false, SL_T_INT8, SL_T_NUMERIC, many, M, M / 3, true),
                           "46116860184273879035000");
}

/* A DISTINCT set of many values survives merge and serialization. */
static void test_agg_distinct_many(void)
{
    enum { M = 20000 };
    static SlValue v[M];
    static char txt[M][12];
    for (int i = 0; i < M; i++) {
        int len = snprintf(txt[i], sizeof txt[i], "k%d", i % 7001);
        v[i] = sl_val_text(txt[i], (size_t)len);
    }
    CU_ASSERT_STRING_EQUAL(agg_run(PL_AGG_COUNT, true, SL_T_TEXT, SL_T_INT8, v, M, M / 2, false), "7001");
    CU_ASSERT_STRING_EQUAL(agg_run(PL_AGG_COUNT, true, SL_T_TEXT, SL_T_INT8, v, M, 1234, true), "7001");
    CU_ASSERT_STRING_EQUAL(agg_run(PL_AGG_MIN, true, SL_T_TEXT, SL_T_TEXT, v, M, 17, true), "k0");
    CU_ASSERT_STRING_EQUAL(agg_run(PL_AGG_MAX, false, SL_T_TEXT, SL_T_TEXT, v, M, 17, true), "k999");
}

/* Malformed state bytes are refused with XX001, whatever they hold. */
static void test_agg_corrupt_state(void)
{
    PlExpr arg = {.kind = PL_COLUMN, .type = SL_T_TEXT};
    PlAgg ag = {.kind = PL_AGG_MAX, .distinct = true, .arg = &arg, .type = SL_T_TEXT};
    ExAggState st;
    ex_agg_init(&ag, &st);
    char t1[] = "hello", t2[] = "world";
    SlValue a = sl_val_text(t1, 5), b = sl_val_text(t2, 5);
    CU_ASSERT_EQUAL(ex_agg_update(&ag, &st, &a, NULL), 0);
    CU_ASSERT_EQUAL(ex_agg_update(&ag, &st, &b, NULL), 0);
    SlBuf bytes;
    sl_buf_init(&bytes);
    ex_agg_serialize(&ag, &st, &bytes);
    ex_agg_free(&st);
    SlError err;
    /* every proper prefix is refused */
    for (size_t n = 0; n < bytes.len; n++) {
        CU_ASSERT_EQUAL(ex_agg_deserialize(&ag, &st, bytes.data, n, NULL, &err), -1);
        CU_ASSERT_EQUAL(err.code, SL_E_DATA_CORRUPTED);
    }
    /* another aggregate's state is refused */
    PlAgg other = ag;
    other.kind = PL_AGG_MIN;
    CU_ASSERT_EQUAL(ex_agg_deserialize(&other, &st, bytes.data, bytes.len, NULL, &err), -1);
    /* flipped bytes never crash: refused, or a state that finalizes */
    SlArena *ar = sl_arena_new(0);
    for (size_t i = 0; i < bytes.len; i++)
        for (int bit = 0; bit < 8; bit++) {
            bytes.data[i] ^= (char)(1 << bit);
            if (ex_agg_deserialize(&ag, &st, bytes.data, bytes.len, NULL, &err) == 0) {
                SlValue out;
                (void)ex_agg_final(&ag, &st, ar, &out, &err);
                ex_agg_free(&st);
            }
            bytes.data[i] ^= (char)(1 << bit);
        }
    sl_arena_free(ar);
    /* and the intact bytes still read back */
    CU_ASSERT_EQUAL(ex_agg_deserialize(&ag, &st, bytes.data, bytes.len, NULL, &err), 0);
    SlArena *a2 = sl_arena_new(0);
    SlValue out;
    CU_ASSERT_EQUAL(ex_agg_final(&ag, &st, a2, &out, &err), 0);
    CU_ASSERT(out.u.s.len == 5 && !memcmp(out.u.s.p, "world", 5));
    ex_agg_free(&st);
    sl_arena_free(a2);
    sl_buf_free(&bytes);
}

static const SlUnitTest agg_tests[] = {
    {"every accumulator: NULLs, types, merge, serialization", test_agg_accumulators},
    {"DISTINCT sets through merge and bytes", test_agg_distinct_many},
    {"corrupt states are refused", test_agg_corrupt_state},
    {NULL, NULL}};
SL_UNIT_SUITE("aggregates", agg_tests)

/* ------------------------------------------------------- batch evaluation */

/* ex_filter_batch and ex_eval_batch give what ex_eval gives row by row,
 * NULLs included, for shapes with and without the fast path. */
static void test_batch_matches_rows(void)
{
    static const PlColumn bcols[] = {{"a", SL_T_INT4}, {"b", SL_T_INT8}, {"t", SL_T_TEXT}, {"ts", SL_T_TIMESTAMP}};
    static const PlScope bscope = {"r", NULL, bcols, 4};
    const char *wheres[] = {"a > 10", "5 <= a", "b = 7 AND t = 'x'", "t <> 'y' AND a < 50 AND b >= 3",
                            "ts < TIMESTAMP '2000-01-01 00:00:10'", "a + 1 > 10 OR t IS NULL", "a IN (1, 2, 3)",
                            "NOT (a > 3)", "t LIKE 'x%'", "b > 4", "4 < b AND ts IS NOT NULL"};
    const char *exprs[] = {"a", "t", "42", "NULL::int", "a * 2 + b", "coalesce(t, 'none')"};
    enum { N = 500, NC = 4 };
    static SlValue rows[N * NC];
    static char txt[N][8];
    uint64_t seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t r = (uint32_t)(seed >> 33);
        SlValue *row = rows + i * NC;
        row[0] = r % 11 == 0 ? sl_val_null(SL_T_INT4) : sl_val_int4((int32_t)(r % 100));
        row[1] = r % 13 == 0 ? sl_val_null(SL_T_INT8) : sl_val_int8((int64_t)(r % 10));
        int len = snprintf(txt[i], sizeof txt[i], "%c%d", "xyz"[r % 3], (int)(r % 5));
        row[2] = r % 7 == 0 ? sl_val_null(SL_T_TEXT) : sl_val_text(txt[i], (size_t)(r % 2 ? 1 : len));
        row[3] = r % 17 == 0 ? sl_val_null(SL_T_TIMESTAMP) : sl_val_timestamp((int64_t)(r % 20) * 1000000);
    }
    for (size_t w = 0; w < sizeof wheres / sizeof wheres[0]; w++) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT 1 FROM r WHERE %s", wheres[w]);
        SlArena *a = sl_arena_new(0);
        PsList *st;
        SlError err;
        CU_ASSERT_EQUAL_FATAL(ps_parse(sql, strlen(sql), a, &st, NULL, &err), 0);
        PlBinder b;
        PlSelect *q;
        pl_binder_init(&b, a, &bscope, 0, NULL);
        CU_ASSERT_EQUAL_FATAL(pl_bind_select(&b, ((PsStmt *)st->items[0])->select, &q, &err), 0);
        ExEvalCtx ec = {.arena = a};
        static int sel[N];
        int nsel = -1;
        CU_ASSERT_EQUAL_FATAL(ex_filter_batch(q->where, rows, N, NC, &ec, sel, &nsel, &err), 0);
        int k = 0, mism = 0;
        for (int i = 0; i < N; i++) {
            bool pass;
            CU_ASSERT_EQUAL_FATAL(ex_eval_bool(q->where, rows + i * NC, &ec, &pass, &err), 0);
            if (pass) {
                if (k >= nsel || sel[k] != i)
                    mism++;
                k++;
            }
        }
        if (mism || k != nsel)
            fprintf(stderr, "\nbatch WHERE %s: %d rows pass row by row, %d in the batch, %d differ\n", wheres[w], k,
                    nsel, mism);
        CU_ASSERT_EQUAL(mism, 0);
        CU_ASSERT_EQUAL(k, nsel);
        CU_ASSERT(nsel > 0 && nsel < N); /* the data exercises both outcomes */
        sl_arena_free(a);
    }
    for (size_t x = 0; x < sizeof exprs / sizeof exprs[0]; x++) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT %s FROM r", exprs[x]);
        SlArena *a = sl_arena_new(0);
        PsList *st;
        SlError err;
        CU_ASSERT_EQUAL_FATAL(ps_parse(sql, strlen(sql), a, &st, NULL, &err), 0);
        PlBinder b;
        PlSelect *q;
        pl_binder_init(&b, a, &bscope, 0, NULL);
        CU_ASSERT_EQUAL_FATAL(pl_bind_select(&b, ((PsStmt *)st->items[0])->select, &q, &err), 0);
        ExEvalCtx ec = {.arena = a};
        static SlValue outv[N];
        CU_ASSERT_EQUAL_FATAL(ex_eval_batch(q->targets[0], rows, N, NC, &ec, outv, &err), 0);
        int mism = 0;
        for (int i = 0; i < N; i++) {
            SlValue v;
            CU_ASSERT_EQUAL_FATAL(ex_eval(q->targets[0], rows + i * NC, &ec, &v, &err), 0);
            if (v.isnull != outv[i].isnull || v.type != outv[i].type || (!v.isnull && sl_value_cmp(&v, &outv[i]) != 0))
                mism++;
        }
        CU_ASSERT_EQUAL(mism, 0);
        sl_arena_free(a);
    }
    /* an error in the batch is the row's error */
    SlArena *a = sl_arena_new(0);
    PsList *st;
    SlError err;
    const char *sql = "SELECT 1 FROM r WHERE 100 / (a - 42) > 0";
    CU_ASSERT_EQUAL_FATAL(ps_parse(sql, strlen(sql), a, &st, NULL, &err), 0);
    PlBinder b;
    PlSelect *q;
    pl_binder_init(&b, a, &bscope, 0, NULL);
    CU_ASSERT_EQUAL_FATAL(pl_bind_select(&b, ((PsStmt *)st->items[0])->select, &q, &err), 0);
    SlValue zrow[NC] = {sl_val_int4(42), sl_val_int8(0), sl_val_text("x", 1), sl_val_timestamp(0)};
    ExEvalCtx ec = {.arena = a};
    int sel[1], nsel;
    CU_ASSERT_EQUAL(ex_filter_batch(q->where, zrow, 1, NC, &ec, sel, &nsel, &err), -1);
    CU_ASSERT_EQUAL(err.code, SL_E_DIVISION_BY_ZERO);
    sl_arena_free(a);
}

static const SlUnitTest batch_tests[] = {
    {"batch filter and evaluation equal row by row", test_batch_matches_rows},
    {NULL, NULL}};
SL_UNIT_SUITE("batch evaluation", batch_tests)

/* ------------------------------------------- view state: checkpoint parts */

/* Two engines with the same stream and views: the state of every view in
 * the first, written as checkpoint parts and loaded into the second, must
 * answer the same, and go on the same with more rows (distinct sets,
 * min/max, sums at mixed scales, float sums, groups of NULL keys). */
static const char *erun(ExEngine *e, const char *sql)
{
    ExEngine *save = veng;
    veng = e;
    const char *r = vrun(sql);
    veng = save;
    return r;
}

typedef struct PartsCtx {
    ExCatalog *dst;
    const char *view;
    int n;
    size_t bytes;
} PartsCtx;

static int load_part(void *ctx, int32_t id, const void *data, size_t len)
{
    PartsCtx *pc = ctx;
    SlError err;
    pc->n++;
    pc->bytes += len;
    int rc = ex_view_state_load(pc->dst, pc->view, id, data, len, &err);
    CU_ASSERT_EQUAL(rc, 0);
    return rc;
}

static void random_rows(SlBuf *sql, unsigned *seed, int n, int keyspace)
{
    sl_buf_puts(sql, "INSERT INTO s VALUES ");
    for (int i = 0; i < n; i++) {
        int r = rand_r(seed);
        int k = r % keyspace;
        sl_buf_printf(sql, "%s(", i ? ", " : "");
        if (r % 17 == 0)
            sl_buf_puts(sql, "NULL");
        else
            sl_buf_printf(sql, "%d", k);
        sl_buf_printf(sql, ", %d, %lld, %s, %d.%02d, ", rand_r(seed) % 1000 - 500,
                      (long long)rand_r(seed) * 1000003LL, r % 11 == 0 ? "NULL" : "0.25",
                      rand_r(seed) % 100000, rand_r(seed) % 100);
        if (r % 13 == 0)
            sl_buf_puts(sql, "NULL, ");
        else
            sl_buf_printf(sql, "'t%d\\té%d', ", rand_r(seed) % 50, k);
        sl_buf_printf(sql, "'2026-01-%02d 10:00:%02d.5+00', '%d days %d ms')", 1 + rand_r(seed) % 28,
                      rand_r(seed) % 60, rand_r(seed) % 10, rand_r(seed) % 1000);
    }
}

static void test_view_state_roundtrip(void)
{
    static const char *views[][2] = {
        {"a", "SELECT k, count(*) AS c, count(t) AS ct, sum(i) AS si, sum(b) AS sb, avg(b) AS ab, sum(f) AS sf, "
              "avg(n) AS an, sum(n) AS sn, min(t) AS mi, max(t) AS ma, count(DISTINCT t) AS dt, min(ts) AS mts, "
              "max(iv) AS miv FROM s GROUP BY k"},
        {"g", "SELECT count(*) AS c, max(n) AS m, count(DISTINCT k) AS dk FROM s"},
        {"h", "SELECT t, i % 7 AS m, count(*) AS c FROM s WHERE k > 3 GROUP BY t, i % 7 HAVING count(*) > 1"},
        {"p", "SELECT k, upper(t) AS u, n * 2 AS n2, ts FROM s WHERE i > 0"}};
    static const char *order[] = {"SELECT * FROM a ORDER BY k", "SELECT * FROM g",
                                  "SELECT * FROM h ORDER BY t, m", "SELECT * FROM p ORDER BY k, u, n2, ts"};
    const int nviews = 4;
    ExEngine *e1 = ex_engine_new(NULL, NULL), *e2 = ex_engine_new(NULL, NULL);
    ExEngine *es[2] = {e1, e2};
    for (int x = 0; x < 2; x++) {
        CU_ASSERT_STRING_EQUAL(erun(es[x], "CREATE STREAM s (k INT, i INT, b BIGINT, f DOUBLE PRECISION, n NUMERIC, "
                                           "t TEXT, ts TIMESTAMPTZ, iv INTERVAL)"),
                               "CREATE STREAM");
        for (int v = 0; v < nviews; v++) {
            char sql[1024];
            /* different parallelism on each side: parts are key groups, not tasks */
            snprintf(sql, sizeof sql, "CREATE MATERIALIZED VIEW %s WITH (parallelism = %d) AS %s", views[v][0],
                     x == 0 ? 3 : 2, views[v][1]);
            CU_ASSERT_STRING_EQUAL(erun(es[x], sql), "CREATE MATERIALIZED VIEW");
        }
    }
    unsigned seed = 7;
    SlBuf sql;
    sl_buf_init(&sql);
    random_rows(&sql, &seed, 400, 40);
    CU_ASSERT_STRING_EQUAL(erun(e1, sql.data), "INSERT 0 400");
    for (int v = 0; v < nviews; v++) {
        PartsCtx pc = {ex_engine_catalog(e2), views[v][0], 0, 0};
        SlError err;
        CU_ASSERT_EQUAL(ex_view_state_parts(ex_engine_catalog(e1), views[v][0], load_part, &pc, &err), 0);
        CU_ASSERT(pc.n > 0 && pc.bytes > 0);
    }
    for (int round = 0; round < 2; round++) {
        for (int v = 0; v < nviews; v++) {
            char *want = sl_xstrdup(erun(e1, order[v]));
            CU_ASSERT_STRING_EQUAL(erun(e2, order[v]), want);
            CU_ASSERT(strncmp(want, "ERROR", 5) != 0 && strlen(want) > 3);
            free(want);
        }
        /* more rows on both sides: the restored state goes on the same */
        sl_buf_reset(&sql);
        random_rows(&sql, &seed, 300, 60);
        CU_ASSERT_STRING_EQUAL(erun(e1, sql.data), "INSERT 0 300");
        CU_ASSERT_STRING_EQUAL(erun(e2, sql.data), "INSERT 0 300");
    }
    /* corrupt bytes are XX001, never a crash */
    SlError err;
    unsigned char junk[40];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(0xA5 ^ i);
    CU_ASSERT_EQUAL(ex_view_state_load(ex_engine_catalog(e2), "a", 3, junk, sizeof junk, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "XX001");
    sl_buf_free(&sql);
    ex_engine_free(e1);
    ex_engine_free(e2);
}

/* The short forms: 8-byte values that fit in int32 take 5 bytes, texts
 * under 256 bytes 2 + n; each bound exactly; the long forms (all that was
 * written before the short ones existed) still read back, through every
 * decoder, and every truncation of either is XX001. */
static void test_codec_short_forms(void)
{
    char t255[255], t256[256];
    memset(t255, 'x', sizeof t255);
    memset(t256, 'y', sizeof t256);
    struct {
        SlValue v;
        size_t size;
    } cases[] = {
        {sl_val_int8(0), 5},
        {sl_val_int8(INT32_MAX), 5},
        {sl_val_int8((int64_t)INT32_MAX + 1), 9},
        {sl_val_int8(INT32_MIN), 5},
        {sl_val_int8((int64_t)INT32_MIN - 1), 9},
        {sl_val_timestamp(-5), 5},
        {sl_val_timestamp(631152000000000LL), 9},
        {sl_val_float8(0.0), 5},
        {sl_val_float8(1.5), 9},
        {sl_val_text(t255, 255), 2 + 255},
        {sl_val_text(t256, 256), 5 + 256},
        {sl_val_text("", 0), 2},
        {sl_val_int4(-3), 5},
    };
    int n = (int)(sizeof cases / sizeof cases[0]);
    SlArena *a = sl_arena_new(0);
    SlError err;
    SlBuf all;
    sl_buf_init(&all);
    for (int i = 0; i < n; i++) {
        SlBuf b;
        sl_buf_init(&b);
        ex_value_encode(&b, &cases[i].v);
        CU_ASSERT_EQUAL(b.len, cases[i].size);
        const uint8_t *p = (const uint8_t *)b.data;
        SlValue out;
        CU_ASSERT_EQUAL_FATAL(ex_value_decode(&p, p + b.len, a, true, &out, &err), 0);
        CU_ASSERT_EQUAL(out.type, cases[i].v.type);
        CU_ASSERT_EQUAL(sl_value_cmp(&out, &cases[i].v), 0);
        CU_ASSERT(p == (const uint8_t *)b.data + b.len);
        for (size_t cut = 0; cut < b.len; cut++) {
            p = (const uint8_t *)b.data;
            CU_ASSERT_EQUAL(ex_value_decode(&p, p + cut, a, true, &out, &err), -1);
        }
        sl_buf_append(&all, b.data, b.len);
        sl_buf_free(&b);
    }
    /* all of them as one row: skipped over or decoded */
    SlValue row[16];
    bool want[16];
    for (int i = 0; i < n; i++)
        want[i] = i % 2 == 0;
    CU_ASSERT_EQUAL(ex_rows_decode_some(all.data, all.len, n, want, row, 1, &err), 0);
    for (int i = 0; i < n; i += 2)
        CU_ASSERT_EQUAL(sl_value_cmp(&row[i], &cases[i].v), 0);
    const uint8_t *p = (const uint8_t *)all.data;
    CU_ASSERT_EQUAL(ex_rows_skip(&p, p + all.len, n, 1, &err), 0);
    CU_ASSERT(p == (const uint8_t *)all.data + all.len);
    /* the columnar decoder: int8 short and long, timestamps, steps over texts */
    int slot_of_col[16];
    for (int i = 0; i < n; i++)
        slot_of_col[i] = i <= 6 ? i : -1;
    SlType types[7] = {SL_T_INT8, SL_T_INT8, SL_T_INT8, SL_T_INT8, SL_T_INT8, SL_T_TIMESTAMP, SL_T_TIMESTAMP};
    int64_t v[7][1];
    uint8_t nl[7][1];
    int64_t *vals[7];
    uint8_t *nulls[7];
    for (int i = 0; i < 7; i++) {
        vals[i] = v[i];
        nulls[i] = nl[i];
    }
    CU_ASSERT_EQUAL(ex_rows_decode_cols(all.data, all.len, n, slot_of_col, types, vals, nulls, 1, &err), 0);
    for (int i = 0; i < 7; i++) {
        CU_ASSERT_EQUAL(v[i][0], cases[i].v.u.i8);
        CU_ASSERT_EQUAL(nl[i][0], 0);
    }
    for (size_t cut = 0; cut < all.len; cut++)
        CU_ASSERT_EQUAL(ex_rows_decode_cols(all.data, cut, n, slot_of_col, types, vals, nulls, 1, &err), -1);
    /* the long forms of small values, as logs written before hold them */
    uint8_t old[9 + 9 + 5 + 3];
    int64_t seven = 7;
    uint32_t three = 3;
    old[0] = SL_T_INT8;
    memcpy(old + 1, &seven, 8);
    old[9] = SL_T_TIMESTAMP;
    memcpy(old + 10, &seven, 8);
    old[18] = SL_T_TEXT;
    memcpy(old + 19, &three, 4);
    memcpy(old + 23, "abc", 3);
    SlValue o3[3];
    CU_ASSERT_EQUAL_FATAL(ex_rows_decode(old, sizeof old, 3, a, true, o3, 1, &err), 0);
    CU_ASSERT_EQUAL(o3[0].u.i8, 7);
    CU_ASSERT_EQUAL(o3[1].u.ts, 7);
    CU_ASSERT(o3[2].u.s.len == 3 && memcmp(o3[2].u.s.p, "abc", 3) == 0);
    int oslot[3] = {0, 1, -1};
    SlType otypes[2] = {SL_T_INT8, SL_T_TIMESTAMP};
    CU_ASSERT_EQUAL(ex_rows_decode_cols(old, sizeof old, 3, oslot, otypes, vals, nulls, 1, &err), 0);
    CU_ASSERT(v[0][0] == 7 && v[1][0] == 7);
    /* a short NULL, or a short int4, is corrupt */
    uint8_t bad1[1] = {SL_T_INT8 | 0x80 | 0x40}, bad2[5] = {SL_T_INT4 | 0x40, 1, 0, 0, 0};
    p = bad1;
    SlValue x;
    CU_ASSERT_EQUAL(ex_value_decode(&p, bad1 + 1, a, true, &x, &err), -1);
    p = bad2;
    CU_ASSERT_EQUAL(ex_value_decode(&p, bad2 + 5, a, true, &x, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "XX001");
    sl_buf_free(&all);
    sl_arena_free(a);
}

/* Rows through the log codec come back equal, for every type and NULL. */
static void test_row_codec(void)
{
    SlValue row[9] = {sl_val_bool(true),         sl_val_int4(-7),
                      sl_val_int8(INT64_MIN),    sl_val_float8(-0.125),
                      sl_val_numeric(-12345, 3), sl_val_text("a\0b", 3),
                      sl_val_timestamptz(42),    sl_val_interval(1, 2, 3),
                      sl_val_null(SL_T_TEXT)};
    SlBuf b;
    sl_buf_init(&b);
    ex_rows_encode(&b, row, 1, 9);
    /* the batch encoder writes exactly what the value encoder writes */
    SlBuf one;
    sl_buf_init(&one);
    for (int i = 0; i < 9; i++)
        ex_value_encode(&one, &row[i]);
    CU_ASSERT_EQUAL_FATAL(one.len, b.len);
    CU_ASSERT(memcmp(one.data, b.data, b.len) == 0);
    sl_buf_free(&one);
    SlArena *a = sl_arena_new(0);
    SlValue out[9];
    SlError err;
    CU_ASSERT_EQUAL_FATAL(ex_rows_decode(b.data, b.len, 9, a, true, out, 1, &err), 0);
    for (int i = 0; i < 9; i++) {
        CU_ASSERT_EQUAL(out[i].type, row[i].type);
        CU_ASSERT_EQUAL(out[i].isnull, row[i].isnull);
        if (!row[i].isnull && row[i].type != SL_T_INTERVAL)
            CU_ASSERT_EQUAL(sl_value_cmp(&out[i], &row[i]), 0);
    }
    CU_ASSERT_EQUAL(out[7].u.iv.months, 1);
    CU_ASSERT_EQUAL(out[7].u.iv.days, 2);
    CU_ASSERT_EQUAL(out[7].u.iv.usec, 3);
    /* every truncation is an error, never a read past the end */
    for (size_t cut = 0; cut < b.len; cut++)
        CU_ASSERT_EQUAL(ex_rows_decode(b.data, cut, 9, a, true, out, 1, &err), -1);
    /* only some columns: the wanted ones equal, the rest stepped over */
    bool want[9] = {false, true, false, false, true, false, true, false, true};
    SlValue some[9];
    memset(some, 0, sizeof some);
    CU_ASSERT_EQUAL_FATAL(ex_rows_decode_some(b.data, b.len, 9, want, some, 1, &err), 0);
    for (int i = 0; i < 9; i++)
        if (want[i]) {
            CU_ASSERT_EQUAL(some[i].isnull, row[i].isnull);
            if (!row[i].isnull)
                CU_ASSERT_EQUAL(sl_value_cmp(&some[i], &row[i]), 0);
        }
    for (size_t cut = 0; cut < b.len; cut++)
        CU_ASSERT_EQUAL(ex_rows_decode_some(b.data, cut, 9, want, some, 1, &err), -1);
    /* trailing bytes too */
    sl_buf_putc(&b, 0);
    CU_ASSERT_EQUAL(ex_rows_decode(b.data, b.len, 9, a, true, out, 1, &err), -1);
    CU_ASSERT_EQUAL(ex_rows_decode_some(b.data, b.len, 9, want, some, 1, &err), -1);
    sl_buf_free(&b);
    sl_arena_free(a);
}

/* count(DISTINCT) of values whose hash is 0 (0 itself): once each */
static void test_distinct_zero(void)
{
    ExEngine *e = ex_engine_new(NULL, NULL);
    CU_ASSERT_STRING_EQUAL(erun(e, "CREATE STREAM z (k INT, v BIGINT)"), "CREATE STREAM");
    CU_ASSERT_STRING_EQUAL(erun(e, "CREATE MATERIALIZED VIEW zd AS SELECT k, count(DISTINCT v) AS d, "
                                   "count(DISTINCT v % 7) AS d7 FROM z GROUP BY k"),
                           "CREATE MATERIALIZED VIEW");
    CU_ASSERT_STRING_EQUAL(erun(e, "INSERT INTO z VALUES (1, 0), (1, 0), (1, 7), (1, 14), (2, 0), (2, 1), (2, 0)"),
                           "INSERT 0 7");
    CU_ASSERT_STRING_EQUAL(erun(e, "SELECT * FROM zd ORDER BY k"), "1|3|1;2|2|2;");
    ex_engine_free(e);
}

static const SlUnitTest state_tests[] = {
    {"count(DISTINCT) of values hashing to 0", test_distinct_zero},
    {"view state through checkpoint parts, every aggregate", test_view_state_roundtrip},
    {"row codec: every type, truncation", test_row_codec},
    {"row codec: short forms, their bounds, the long forms still read", test_codec_short_forms},
    {NULL, NULL}};
SL_UNIT_SUITE("view state", state_tests)

/* ------------------------------------------------------ the columnar path
 * A grouped view over plain integer/timestamp columns runs on columns
 * (stream.c, "the columnar path"); with columnar = off the same view runs
 * on rows. Both must answer alike over the same rows, with NULL keys and
 * arguments, several keys, int4 and int8, WHERE, at several parallelisms,
 * and their state must load into each other (one packed state format). */
static ExEngine *engine_columnar(bool on, SlSettings **set)
{
    *set = sl_settings_new(NULL);
    SlError err;
    CU_ASSERT_EQUAL(sl_settings_set(*set, "columnar", on ? "on" : "off", SL_CTX_STARTUP, &err), 0);
    ExEngineConfig cfg = {.settings = *set};
    return ex_engine_new(&cfg, NULL);
}

static void col_rows(SlBuf *sql, unsigned *seed, int n)
{
    sl_buf_puts(sql, "INSERT INTO s VALUES ");
    for (int i = 0; i < n; i++) {
        int r = rand_r(seed);
        sl_buf_printf(sql, "%s(", i ? ", " : "");
        if (r % 11 == 0)
            sl_buf_puts(sql, "NULL, ");
        else
            sl_buf_printf(sql, "%d, ", r % 37 - 5);
        if (r % 7 == 0)
            sl_buf_puts(sql, "NULL, ");
        else
            sl_buf_printf(sql, "%d, ", rand_r(seed) % 2001 - 1000);
        if (r % 5 == 0)
            sl_buf_puts(sql, "NULL, ");
        else
            sl_buf_printf(sql, "%lld, ", (long long)rand_r(seed) * 4000037LL - 3000000000000LL);
        sl_buf_printf(sql, "'x%d', ", r % 3);
        if (r % 13 == 0)
            sl_buf_puts(sql, "NULL)");
        else
            sl_buf_printf(sql, "'2026-03-%02d 12:%02d:00+00')", 1 + rand_r(seed) % 28, rand_r(seed) % 60);
    }
}

static void test_columnar_matches_rows(void)
{
    static const char *views[][3] = {
        {"a", "3", "SELECT k, count(*) AS c, count(i) AS ci, sum(i) AS si, avg(i) AS ai, sum(b) AS sb, avg(b) AS ab, "
                   "min(b) AS nb, max(b) AS xb, min(i) AS ni, max(i) AS xi, min(ts) AS nt, max(ts) AS xt, "
                   "count(ts) AS ct FROM s GROUP BY k"},
        {"m", "2", "SELECT k, i, count(*) AS c, max(b) AS xb FROM s GROUP BY k, i"},
        {"w", "1", "SELECT ts, count(*) AS c, sum(b) AS sb FROM s WHERE i > 0 AND t <> 'x1' GROUP BY ts"},
        {"h", "2", "SELECT b, k, count(*) AS c FROM s GROUP BY b, k HAVING count(*) > 1"}};
    static const char *order[] = {"SELECT * FROM a ORDER BY k", "SELECT * FROM m ORDER BY k, i",
                                  "SELECT * FROM w ORDER BY ts", "SELECT * FROM h ORDER BY b, k"};
    const int nviews = 4;
    SlSettings *s1, *s2, *s3;
    ExEngine *col = engine_columnar(true, &s1), *row = engine_columnar(false, &s2), *back = engine_columnar(false, &s3);
    ExEngine *es[3] = {col, row, back};
    for (int x = 0; x < 3; x++) {
        CU_ASSERT_STRING_EQUAL(erun(es[x], "CREATE STREAM s (k INT, i INT, b BIGINT, t TEXT, ts TIMESTAMPTZ)"),
                               "CREATE STREAM");
        for (int v = 0; v < nviews; v++) {
            char sql[1024];
            snprintf(sql, sizeof sql, "CREATE MATERIALIZED VIEW %s WITH (parallelism = %s) AS %s", views[v][0],
                     views[v][1], views[v][2]);
            CU_ASSERT_STRING_EQUAL(erun(es[x], sql), "CREATE MATERIALIZED VIEW");
            CU_ASSERT_EQUAL(ex_view_columnar(ex_engine_catalog(es[x]), views[v][0]), x == 0);
        }
    }
    /* not columnar: DISTINCT, an expression key, a text argument */
    CU_ASSERT_STRING_EQUAL(erun(col, "CREATE MATERIALIZED VIEW d AS SELECT k, count(DISTINCT i) FROM s GROUP BY k"),
                           "CREATE MATERIALIZED VIEW");
    CU_ASSERT_STRING_EQUAL(erun(col, "CREATE MATERIALIZED VIEW e AS SELECT k + 1 AS k1, count(*) FROM s GROUP BY k + 1"),
                           "CREATE MATERIALIZED VIEW");
    CU_ASSERT_STRING_EQUAL(erun(col, "CREATE MATERIALIZED VIEW x AS SELECT k, max(t) FROM s GROUP BY k"),
                           "CREATE MATERIALIZED VIEW");
    CU_ASSERT_FALSE(ex_view_columnar(ex_engine_catalog(col), "d"));
    CU_ASSERT_FALSE(ex_view_columnar(ex_engine_catalog(col), "e"));
    CU_ASSERT_FALSE(ex_view_columnar(ex_engine_catalog(col), "x"));
    unsigned seed = 11;
    SlBuf sql;
    sl_buf_init(&sql);
    for (int round = 0; round < 3; round++) {
        sl_buf_reset(&sql);
        col_rows(&sql, &seed, 500);
        CU_ASSERT_STRING_EQUAL(erun(col, sql.data), "INSERT 0 500");
        CU_ASSERT_STRING_EQUAL(erun(row, sql.data), "INSERT 0 500");
        for (int v = 0; v < nviews; v++) {
            char *want = sl_xstrdup(erun(row, order[v]));
            CU_ASSERT_STRING_EQUAL(erun(col, order[v]), want);
            CU_ASSERT(strncmp(want, "ERROR", 5) != 0 && strlen(want) > 10);
            free(want);
        }
    }
    /* the columnar view's state, loaded into a view on the row path */
    for (int v = 0; v < nviews; v++) {
        PartsCtx pc = {ex_engine_catalog(back), views[v][0], 0, 0};
        SlError err;
        CU_ASSERT_EQUAL(ex_view_state_parts(ex_engine_catalog(col), views[v][0], load_part, &pc, &err), 0);
        char *want = sl_xstrdup(erun(row, order[v]));
        CU_ASSERT_STRING_EQUAL(erun(back, order[v]), want);
        free(want);
    }
    /* LIMIT without ORDER BY (the snapshot stops early): the right number of rows */
    CU_ASSERT_STRING_EQUAL(erun(col, "SELECT count(*) FROM (SELECT 1 FROM a LIMIT 3) q"), erun(col, "SELECT 3"));
    sl_buf_free(&sql);
    for (int x = 0; x < 3; x++)
        ex_engine_free(es[x]);
    sl_settings_free(s1);
    sl_settings_free(s2);
    sl_settings_free(s3);
}

/* ex_rows_decode_cols against the row decoder over the same bytes */
static void test_decode_cols(void)
{
    SlValue rows[4][4];
    for (int r = 0; r < 4; r++) {
        rows[r][0] = r == 2 ? sl_val_null(SL_T_INT8) : sl_val_int8(1000000000000LL * r - 7);
        rows[r][1] = sl_val_text("pad", 3);
        rows[r][2] = r == 1 ? sl_val_null(SL_T_INT4) : sl_val_int4(-r * 3);
        rows[r][3] = sl_val_float8(r * 0.5);
    }
    SlBuf b;
    sl_buf_init(&b);
    ex_rows_encode(&b, &rows[0][0], 4, 4);
    int slot_of_col[4] = {1, -1, 0, -1};
    SlType types[2] = {SL_T_INT4, SL_T_INT8};
    int64_t v0[4], v1[4];
    uint8_t n0[4], n1[4];
    int64_t *vals[2] = {v0, v1};
    uint8_t *nulls[2] = {n0, n1};
    SlError err;
    CU_ASSERT_EQUAL(ex_rows_decode_cols(b.data, b.len, 4, slot_of_col, types, vals, nulls, 4, &err), 0);
    for (int r = 0; r < 4; r++) {
        CU_ASSERT_EQUAL(n1[r], r == 2);
        if (r != 2)
            CU_ASSERT_EQUAL(v1[r], 1000000000000LL * r - 7);
        CU_ASSERT_EQUAL(n0[r], r == 1);
        if (r != 1)
            CU_ASSERT_EQUAL(v0[r], -r * 3);
    }
    /* a column of another type than expected: the caller takes the row path */
    SlType wrong[2] = {SL_T_INT8, SL_T_INT8};
    CU_ASSERT_EQUAL(ex_rows_decode_cols(b.data, b.len, 4, slot_of_col, wrong, vals, nulls, 4, &err), 1);
    /* cut short anywhere, or one byte too many: XX001, never a read past the end */
    for (size_t cut = 0; cut < b.len; cut++) {
        int rc = ex_rows_decode_cols(b.data, cut, 4, slot_of_col, types, vals, nulls, 4, &err);
        CU_ASSERT(rc == -1);
        if (rc == -1)
            CU_ASSERT_EQUAL(err.code, SL_E_DATA_CORRUPTED);
    }
    sl_buf_putc(&b, 0);
    CU_ASSERT_EQUAL(ex_rows_decode_cols(b.data, b.len, 4, slot_of_col, types, vals, nulls, 4, &err), -1);
    sl_buf_free(&b);
}

/* Enough rows that ex_rows_decode_cols reads most of them on its fast
 * path (no length check per value while a row's worst case fits), with
 * every kind of value it steps over or reads: it must agree with the row
 * decoder, and still find a cut, a corrupt byte or a wrong type anywhere. */
static void test_decode_cols_many(void)
{
    enum { N = 3000, C = 6 };
    static SlValue rows[N][C];
    static char text[300];
    memset(text, 'x', sizeof text);
    for (int r = 0; r < N; r++) {
        rows[r][0] = r % 7 == 3 ? sl_val_null(SL_T_INT8) : sl_val_int8(r % 2 ? (int64_t)r : 10000000000LL + r);
        rows[r][1] = r % 11 == 5 ? sl_val_text(text, 300) : sl_val_text(text, (size_t)(r % 256));
        rows[r][2] = r % 5 == 1 ? sl_val_null(SL_T_INT4) : sl_val_int4(-r);
        rows[r][3] = r % 13 == 2 ? sl_val_null(SL_T_TIMESTAMP) : sl_val_timestamp(r % 3 ? r : 5000000000000LL * r);
        rows[r][4] = r % 3 ? sl_val_float8(r * 0.25) : sl_val_null(SL_T_FLOAT8);
        rows[r][5] = r % 4 ? sl_val_int8(r * 1000003LL) : sl_val_numeric((__int128)r * 17, 2);
    }
    SlBuf b;
    sl_buf_init(&b);
    ex_rows_encode(&b, &rows[0][0], N, C);
    int slot_of_col[C] = {0, -1, 1, 2, -1, -1};
    SlType types[3] = {SL_T_INT8, SL_T_INT4, SL_T_TIMESTAMP};
    static int64_t v0[N], v1[N], v2[N];
    static uint8_t n0[N], n1[N], n2[N];
    int64_t *vals[3] = {v0, v1, v2};
    uint8_t *nulls[3] = {n0, n1, n2};
    SlError err;
    CU_ASSERT_EQUAL_FATAL(ex_rows_decode_cols(b.data, b.len, C, slot_of_col, types, vals, nulls, N, &err), 0);
    int bad = 0;
    for (int r = 0; r < N; r++) {
        bad += n0[r] != rows[r][0].isnull || (!n0[r] && v0[r] != rows[r][0].u.i8);
        bad += n1[r] != rows[r][2].isnull || (!n1[r] && v1[r] != rows[r][2].u.i4);
        bad += n2[r] != rows[r][3].isnull || (!n2[r] && v2[r] != rows[r][3].u.ts);
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* in pieces, as replays decode (ex_rows_decode_cols_next) */
    const uint8_t *p = (const uint8_t *)b.data, *end = p + b.len;
    memset(v1, 0, sizeof v1);
    for (int r = 0; r < N; r += 256)
        CU_ASSERT_EQUAL(ex_rows_decode_cols_next(&p, end, C, slot_of_col, types, vals, nulls, r,
                                                 N - r < 256 ? N - r : 256, &err),
                        0);
    CU_ASSERT(p == end);
    CU_ASSERT_EQUAL(v1[N - 1], -(N - 1));
    /* cut short: near the end (the checked path) and far from it (rows
     * before the cut on the fast path) */
    int wrong = 0;
    for (size_t cut = 0; cut < b.len; cut += cut + 2000 < b.len ? 997 : 1) {
        int rc = ex_rows_decode_cols(b.data, cut, C, slot_of_col, types, vals, nulls, N, &err);
        wrong += rc != -1 || err.code != SL_E_DATA_CORRUPTED;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    /* a type byte made unknown in the middle of the rows: corrupt */
    uint8_t *bytes = (uint8_t *)b.data;
    p = bytes;
    CU_ASSERT_EQUAL_FATAL(ex_rows_skip(&p, end, C, N / 2, &err), 0);
    size_t mid = (size_t)(p - bytes);
    uint8_t keep = bytes[mid];
    CU_ASSERT_EQUAL_FATAL(keep, SL_T_INT8); /* row 1500's first value: 10000001500, the long form */
    /* the next value (a text, stepped over) */
    bytes[mid + 9] = 0x3e;
    CU_ASSERT_EQUAL(ex_rows_decode_cols(b.data, b.len, C, slot_of_col, types, vals, nulls, N, &err), -1);
    bytes[mid + 9] = SL_T_TEXT | EX_ENC_SHORT;
    /* the same value as a float8 (as long): the caller's row path */
    bytes[mid] = SL_T_FLOAT8;
    CU_ASSERT_EQUAL(ex_rows_decode_cols(b.data, b.len, C, slot_of_col, types, vals, nulls, N, &err), 1);
    bytes[mid] = keep;
    CU_ASSERT_EQUAL(ex_rows_decode_cols(b.data, b.len, C, slot_of_col, types, vals, nulls, N, &err), 0);
    sl_buf_free(&b);
}

static const SlUnitTest columnar_tests[] = {
    {"columnar path answers as the row path, and shares its state", test_columnar_matches_rows},
    {"columns decoded from the log's bytes", test_decode_cols},
    {"columns decoded from many rows' bytes (the fast path)", test_decode_cols_many},
    {NULL, NULL}};
SL_UNIT_SUITE("columnar", columnar_tests)
