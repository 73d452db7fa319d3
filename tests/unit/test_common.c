/* test_common.c — common/: arenas, buffers, errors, values, settings. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "sl_common.h"
#include "unit.h"

/* ------------------------------------------------------------ helpers */

static char outbuf[1024];

/* text in, then text out, as PostgreSQL would print it */
static const char *roundtrip(SlType t, const char *in)
{
    SlArena *a = sl_arena_new(0);
    SlValue v;
    SlError err;
    sl_error_clear(&err);
    if (sl_value_in(t, in, strlen(in), a, &v, &err) < 0) {
        snprintf(outbuf, sizeof outbuf, "ERROR %s: %s", sl_errcode_sqlstate(err.code), err.message);
    } else {
        SlBuf b;
        sl_buf_init(&b);
        sl_value_out(&v, &b);
        snprintf(outbuf, sizeof outbuf, "%s", b.data ? b.data : "");
        sl_buf_free(&b);
    }
    sl_arena_free(a);
    return outbuf;
}

static const char *op(SlOp o, SlType ta, const char *a, SlType tb, const char *b)
{
    SlArena *ar = sl_arena_new(0);
    SlValue x, y, r;
    SlError err;
    sl_error_clear(&err);
    CU_ASSERT_FATAL(sl_value_in(ta, a, strlen(a), ar, &x, NULL) == 0);
    CU_ASSERT_FATAL(sl_value_in(tb, b, strlen(b), ar, &y, NULL) == 0);
    if (sl_value_op(o, &x, &y, ar, &r, &err) < 0) {
        snprintf(outbuf, sizeof outbuf, "ERROR %s: %s", sl_errcode_sqlstate(err.code), err.message);
    } else {
        SlBuf buf;
        sl_buf_init(&buf);
        sl_value_out(&r, &buf);
        snprintf(outbuf, sizeof outbuf, "%s:%s", sl_type_name((SlType)r.type), buf.data ? buf.data : "");
        sl_buf_free(&buf);
    }
    sl_arena_free(ar);
    return outbuf;
}

/* ------------------------------------------------------------- memory */

static void test_arena(void)
{
    SlArena *a = sl_arena_new(256);
    char *p[100];
    for (int i = 0; i < 100; i++) {
        p[i] = sl_alloc(a, (size_t)(i * 7 + 1));
        CU_ASSERT_EQUAL((uintptr_t)p[i] % 16, 0);
        memset(p[i], i, (size_t)(i * 7 + 1));
    }
    for (int i = 0; i < 100; i++)
        CU_ASSERT_EQUAL((unsigned char)p[i][i * 7], (unsigned char)i);
    char *big = sl_alloc(a, 100000);
    memset(big, 1, 100000);
    CU_ASSERT_STRING_EQUAL(sl_psprintf(a, "%s-%d", "x", 42), "x-42");
    CU_ASSERT_STRING_EQUAL(sl_strndup(a, "abcdef", 3), "abc");
    CU_ASSERT(sl_arena_used(a) > 100000);
    sl_arena_reset(a);
    CU_ASSERT_EQUAL(sl_arena_used(a), 0);
    char *z = sl_alloc0(a, 64);
    for (int i = 0; i < 64; i++)
        CU_ASSERT_EQUAL(z[i], 0);
    sl_arena_free(a);
}

static void test_buf(void)
{
    SlBuf b;
    sl_buf_init(&b);
    for (int i = 0; i < 1000; i++)
        sl_buf_printf(&b, "%d,", i);
    CU_ASSERT_EQUAL(strncmp(b.data, "0,1,2,", 6), 0);
    CU_ASSERT_EQUAL(b.data[b.len], '\0');
    sl_buf_reset(&b);
    sl_buf_put_i32(&b, 0x01020304);
    sl_buf_put_i16(&b, -2);
    sl_buf_put_i64(&b, 1);
    CU_ASSERT_EQUAL(b.len, 14);
    CU_ASSERT_EQUAL((unsigned char)b.data[0], 1);
    CU_ASSERT_EQUAL((unsigned char)b.data[3], 4);
    CU_ASSERT_EQUAL((unsigned char)b.data[4], 0xff);
    CU_ASSERT_EQUAL((unsigned char)b.data[5], 0xfe);
    CU_ASSERT_EQUAL((unsigned char)b.data[13], 1);
    sl_buf_set_i32(&b, 0, 7);
    CU_ASSERT_EQUAL((unsigned char)b.data[3], 7);
    sl_buf_free(&b);
}

static void test_errors(void)
{
    SlError e;
    sl_error_clear(&e);
    CU_ASSERT_EQUAL(sl_error_at(&e, SL_E_SYNTAX_ERROR, 10, "syntax error at or near \"%s\"", "FORM"), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(e.code), "42601");
    CU_ASSERT_EQUAL(e.position, 10);
    CU_ASSERT_STRING_EQUAL(e.message, "syntax error at or near \"FORM\"");
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(SL_E_DIVISION_BY_ZERO), "22012");
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(SL_E_DISK_FULL), "53100");
    CU_ASSERT_EQUAL(sl_error(NULL, SL_E_INTERNAL_ERROR, "x"), -1);
}

static void test_hash(void)
{
    CU_ASSERT_NOT_EQUAL(sl_hash_u64(1), sl_hash_u64(2));
    CU_ASSERT_EQUAL(sl_hash_bytes("abc", 3, 0), sl_hash_bytes("abc", 3, 0));
    CU_ASSERT_NOT_EQUAL(sl_hash_bytes("abc", 3, 0), sl_hash_bytes("abd", 3, 0));
    CU_ASSERT_NOT_EQUAL(sl_hash_bytes("abcdefghi", 9, 0), sl_hash_bytes("abcdefghj", 9, 0));
    /* spread: 64k sequential keys over 128 buckets are roughly even */
    int counts[128] = {0};
    for (uint64_t i = 0; i < 65536; i++)
        counts[sl_hash_u64(i) % 128]++;
    for (int i = 0; i < 128; i++)
        CU_ASSERT(counts[i] > 380 && counts[i] < 650);
}

/* -------------------------------------------------------------- types */

static void test_type_names(void)
{
    SlType t;
    CU_ASSERT(sl_type_from_name("BIGINT", &t) == 0 && t == SL_T_INT8);
    CU_ASSERT(sl_type_from_name("double   precision", &t) == 0 && t == SL_T_FLOAT8);
    CU_ASSERT(sl_type_from_name("timestamp with time zone", &t) == 0 && t == SL_T_TIMESTAMPTZ);
    CU_ASSERT(sl_type_from_name("character varying", &t) == 0 && t == SL_T_TEXT);
    CU_ASSERT(sl_type_from_name("blob", &t) == -1);
    CU_ASSERT_EQUAL(sl_type_oid(SL_T_INT8), 20);
    CU_ASSERT_EQUAL(sl_type_oid(SL_T_TIMESTAMPTZ), 1184);
    CU_ASSERT(sl_type_from_oid(21, &t) == 0 && t == SL_T_INT4);
    CU_ASSERT(sl_type_from_oid(1043, &t) == 0 && t == SL_T_TEXT);
    CU_ASSERT(sl_type_from_oid(0, &t) == 0 && t == SL_T_UNKNOWN);
    CU_ASSERT(sl_type_from_oid(600, &t) == -1);
}

static void test_int_io(void)
{
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INT4, " 42 "), "42");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INT4, "-2147483648"), "-2147483648");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INT4, "2147483648"),
                           "ERROR 22003: value \"2147483648\" is out of range for type integer");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INT4, "abc"),
                           "ERROR 22P02: invalid input syntax for type integer: \"abc\"");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INT4, "1.5"),
                           "ERROR 22P02: invalid input syntax for type integer: \"1.5\"");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INT8, "-9223372036854775808"), "-9223372036854775808");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INT8, "9223372036854775808"),
                           "ERROR 22003: value \"9223372036854775808\" is out of range for type bigint");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INT8, ""), "ERROR 22P02: invalid input syntax for type bigint: \"\"");
}

static void test_float_io(void)
{
    /* PostgreSQL 15 output (extra_float_digits = 1: shortest exact) */
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "0.1"), "0.1");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "1e20"), "1e+20");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "1e15"), "1e+15");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "123456789012345"), "123456789012345");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "123456789012345678"), "1.2345678901234568e+17");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "0.0001"), "0.0001");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "0.00001"), "1e-05");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "-1.5"), "-1.5");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "100"), "100");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "infinity"), "Infinity");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "-Infinity"), "-Infinity");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "NaN"), "NaN");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "0.30000000000000004"), "0.30000000000000004");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "x1"),
                           "ERROR 22P02: invalid input syntax for type double precision: \"x1\"");
}

static void test_numeric_io(void)
{
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, "1.50"), "1.50");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, "-0.001"), "-0.001");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, "  12 "), "12");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, "1e3"), "1000");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, "1.5e-3"), "0.0015");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, ".5"), "0.5");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, "99999999999999999999999999999999999999"),
                           "99999999999999999999999999999999999999");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, "999999999999999999999999999999999999999"),
                           "ERROR 22003: numeric field overflow");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, "1.2.3"),
                           "ERROR 22P02: invalid input syntax for type numeric: \"1.2.3\"");
}

static void test_bool_text_io(void)
{
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_BOOL, "true"), "t");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_BOOL, " OFF "), "f");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_BOOL, "1"), "t");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_BOOL, "maybe"),
                           "ERROR 22P02: invalid input syntax for type boolean: \"maybe\"");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TEXT, "  spaced  "), "  spaced  ");
}

static void test_timestamp_io(void)
{
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "2024-01-02 03:04:05.123456"), "2024-01-02 03:04:05.123456");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "2024-01-02 03:04:05.120"), "2024-01-02 03:04:05.12");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "2024-02-29"), "2024-02-29 00:00:00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "2000-01-01T00:00:00"), "2000-01-01 00:00:00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "1999-12-31 23:59:59"), "1999-12-31 23:59:59");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "1970-01-01 00:00:00"), "1970-01-01 00:00:00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMPTZ, "2024-06-01 12:00:00+02"), "2024-06-01 10:00:00+00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMPTZ, "2024-06-01 12:00:00Z"), "2024-06-01 12:00:00+00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMPTZ, "2024-06-01 00:30:00-05:30"), "2024-06-01 06:00:00+00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "infinity"), "infinity");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "2023-02-29"),
                           "ERROR 22008: date/time field value out of range: \"2023-02-29\"");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "yesterday-ish"),
                           "ERROR 22007: invalid input syntax for type timestamp: \"yesterday-ish\"");
}

static void test_interval_io(void)
{
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "1 year 2 mons 3 days 04:05:06.5"),
                           "1 year 2 mons 3 days 04:05:06.5");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "4 seconds"), "00:00:04");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "10"), "00:00:10");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "2 days"), "2 days");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "1 day"), "1 day");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "-1 second"), "-00:00:01");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "0"), "00:00:00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "-1 day 2 hours"), "-1 days +02:00:00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "1.5 days"), "1 day 12:00:00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "P1Y2M3DT4H5M6S"), "1 year 2 mons 3 days 04:05:06");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "90 min"), "01:30:00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "3 fortnights"),
                           "ERROR 22007: invalid input syntax for type interval: \"3 fortnights\"");
}

/* ---------------------------------------------------------- operators */

static void test_int_ops(void)
{
    CU_ASSERT_STRING_EQUAL(op(SL_OP_ADD, SL_T_INT4, "1", SL_T_INT4, "2"), "integer:3");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_ADD, SL_T_INT4, "1", SL_T_INT8, "2"), "bigint:3");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_ADD, SL_T_INT4, "2147483647", SL_T_INT4, "1"),
                           "ERROR 22003: integer out of range");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_MUL, SL_T_INT8, "9223372036854775807", SL_T_INT4, "2"),
                           "ERROR 22003: bigint out of range");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_DIV, SL_T_INT4, "7", SL_T_INT4, "2"), "integer:3");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_DIV, SL_T_INT4, "-7", SL_T_INT4, "2"), "integer:-3");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_MOD, SL_T_INT4, "-7", SL_T_INT4, "2"), "integer:-1");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_DIV, SL_T_INT4, "1", SL_T_INT4, "0"), "ERROR 22012: division by zero");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_DIV, SL_T_INT4, "-2147483648", SL_T_INT4, "-1"),
                           "ERROR 22003: integer out of range");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_LT, SL_T_INT4, "1", SL_T_INT8, "2"), "boolean:t");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_EQ, SL_T_INT4, "1", SL_T_NUMERIC, "1.00"), "boolean:t");
}

static void test_numeric_ops(void)
{
    CU_ASSERT_STRING_EQUAL(op(SL_OP_ADD, SL_T_NUMERIC, "1.5", SL_T_NUMERIC, "2.25"), "numeric:3.75");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_MUL, SL_T_NUMERIC, "1.5", SL_T_NUMERIC, "2.25"), "numeric:3.375");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_ADD, SL_T_INT8, "1", SL_T_NUMERIC, "0.10"), "numeric:1.10");
    /* PostgreSQL: SELECT 3::numeric / 2 -> 1.5000000000000000 */
    CU_ASSERT_STRING_EQUAL(op(SL_OP_DIV, SL_T_NUMERIC, "3", SL_T_NUMERIC, "2"), "numeric:1.5000000000000000");
    /* SELECT 1::numeric / 3 -> 0.33333333333333333333 */
    CU_ASSERT_STRING_EQUAL(op(SL_OP_DIV, SL_T_NUMERIC, "1", SL_T_NUMERIC, "3"), "numeric:0.33333333333333333333");
    /* SELECT 10::numeric / 4 -> 2.5000000000000000 */
    CU_ASSERT_STRING_EQUAL(op(SL_OP_DIV, SL_T_NUMERIC, "10", SL_T_NUMERIC, "4"), "numeric:2.5000000000000000");
    /* SELECT 100000::numeric / 3 -> 33333.333333333333 */
    CU_ASSERT_STRING_EQUAL(op(SL_OP_DIV, SL_T_NUMERIC, "100000", SL_T_NUMERIC, "3"), "numeric:33333.333333333333");
    /* SELECT 2::numeric / 3 -> 0.66666666666666666667 */
    CU_ASSERT_STRING_EQUAL(op(SL_OP_DIV, SL_T_NUMERIC, "2", SL_T_NUMERIC, "3"), "numeric:0.66666666666666666667");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_DIV, SL_T_NUMERIC, "1", SL_T_NUMERIC, "0"), "ERROR 22012: division by zero");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_MOD, SL_T_NUMERIC, "7.5", SL_T_NUMERIC, "2"), "numeric:1.5");
}

static void test_float_text_time_ops(void)
{
    CU_ASSERT_STRING_EQUAL(op(SL_OP_MUL, SL_T_FLOAT8, "0.908", SL_T_INT8, "100"), "double precision:90.8");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_DIV, SL_T_FLOAT8, "1", SL_T_FLOAT8, "0"), "ERROR 22012: division by zero");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_CONCAT, SL_T_TEXT, "a", SL_T_TEXT, "b"), "text:ab");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_CONCAT, SL_T_TEXT, "n=", SL_T_INT4, "5"), "text:n=5");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_LT, SL_T_TEXT, "abc", SL_T_TEXT, "abd"), "boolean:t");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_SUB, SL_T_TIMESTAMP, "2024-01-02 00:00:00", SL_T_INTERVAL, "4 seconds"),
                           "timestamp without time zone:2024-01-01 23:59:56");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_ADD, SL_T_TIMESTAMP, "2024-01-31", SL_T_INTERVAL, "1 mon"),
                           "timestamp without time zone:2024-02-29 00:00:00");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_SUB, SL_T_TIMESTAMP, "2024-01-03 01:00:00", SL_T_TIMESTAMP, "2024-01-01"),
                           "interval:2 days 01:00:00");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_ADD, SL_T_TEXT, "a", SL_T_INT4, "1"),
                           "ERROR 42883: operator does not exist: text + integer");
}

static void test_nulls_cmp_hash(void)
{
    SlValue n = sl_val_null(SL_T_INT4), one = sl_val_int4(1), r;
    CU_ASSERT_EQUAL(sl_value_op(SL_OP_ADD, &n, &one, NULL, &r, NULL), 0);
    CU_ASSERT(r.isnull);
    CU_ASSERT_EQUAL(sl_value_op(SL_OP_EQ, &n, &one, NULL, &r, NULL), 0);
    CU_ASSERT(r.isnull && r.type == SL_T_BOOL);
    /* NULLs sort last */
    CU_ASSERT(sl_value_cmp(&n, &one) > 0);
    CU_ASSERT(sl_value_cmp(&one, &n) < 0);
    /* equal numbers hash alike whatever their type */
    SlValue a = sl_val_int4(7), b = sl_val_int8(7), c = sl_val_numeric(700, 2), d = sl_val_float8(7.0);
    CU_ASSERT_EQUAL(sl_value_hash(&a), sl_value_hash(&b));
    CU_ASSERT_EQUAL(sl_value_hash(&a), sl_value_hash(&c));
    CU_ASSERT_EQUAL(sl_value_hash(&a), sl_value_hash(&d));
    CU_ASSERT_EQUAL(sl_value_cmp(&a, &c), 0);
    SlValue t1 = sl_val_text("abc", 3), t2 = sl_val_text("abc", 3), t3 = sl_val_text("abd", 3);
    CU_ASSERT_EQUAL(sl_value_hash(&t1), sl_value_hash(&t2));
    CU_ASSERT_NOT_EQUAL(sl_value_hash(&t1), sl_value_hash(&t3));
}

static void test_casts(void)
{
    SlArena *a = sl_arena_new(0);
    SlValue v, r;
    SlError err;
    SlBuf b;
    sl_buf_init(&b);
    v = sl_val_numeric(25, 1); /* 2.5 -> 3 (half away from zero) */
    CU_ASSERT(sl_value_cast(&v, SL_T_INT4, a, &r, &err) == 0 && r.u.i4 == 3);
    v = sl_val_numeric(-25, 1);
    CU_ASSERT(sl_value_cast(&v, SL_T_INT4, a, &r, &err) == 0 && r.u.i4 == -3);
    v = sl_val_float8(2.5); /* float: round half to even, like rint */
    CU_ASSERT(sl_value_cast(&v, SL_T_INT4, a, &r, &err) == 0 && r.u.i4 == 2);
    v = sl_val_int8(3000000000LL);
    CU_ASSERT(sl_value_cast(&v, SL_T_INT4, a, &r, &err) == -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22003");
    v = sl_val_text("5", 1);
    CU_ASSERT(sl_value_cast(&v, SL_T_INT4, a, &r, &err) == 0 && r.type == SL_T_INT4 && r.u.i4 == 5);
    v = sl_val_float8(0.1);
    CU_ASSERT(sl_value_cast(&v, SL_T_NUMERIC, a, &r, &err) == 0);
    sl_value_out(&r, &b);
    CU_ASSERT_STRING_EQUAL(b.data, "0.1");
    sl_buf_reset(&b);
    v = sl_val_int8(42);
    CU_ASSERT(sl_value_cast(&v, SL_T_TEXT, a, &r, &err) == 0 && r.type == SL_T_TEXT);
    CU_ASSERT_EQUAL(r.u.s.len, 2);
    v = sl_val_bool(true);
    CU_ASSERT(sl_value_cast(&v, SL_T_TIMESTAMP, a, &r, &err) == -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "42846");
    CU_ASSERT(sl_type_can_coerce(SL_T_INT4, SL_T_INT8));
    CU_ASSERT(!sl_type_can_coerce(SL_T_INT8, SL_T_INT4));
    CU_ASSERT_EQUAL(sl_type_common(SL_T_INT4, SL_T_NUMERIC), SL_T_NUMERIC);
    CU_ASSERT_EQUAL(sl_type_common(SL_T_TEXT, SL_T_INT4), SL_T_UNKNOWN);
    sl_buf_free(&b);
    sl_arena_free(a);
}

static void test_binary(void)
{
    const char *cases[][2] = {
        {"numeric", "1234.5678"}, {"numeric", "-0.001"}, {"numeric", "100000000"}, {"numeric", "0"},
        {"numeric", "12345678901234567890.123"}, {"bigint", "-9223372036854775808"},
        {"integer", "-5"}, {"double precision", "1.25"}, {"boolean", "t"},
        {"timestamp", "2024-01-02 03:04:05.5"}, {"interval", "1 year 2 days 00:00:03"}, {"text", "héllo"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        SlType t;
        CU_ASSERT_FATAL(sl_type_from_name(cases[i][0], &t) == 0);
        SlArena *a = sl_arena_new(0);
        SlValue v, w;
        SlError err;
        CU_ASSERT_FATAL(sl_value_in(t, cases[i][1], strlen(cases[i][1]), a, &v, &err) == 0);
        SlBuf bin, txt;
        sl_buf_init(&bin);
        sl_buf_init(&txt);
        sl_value_send(&v, &bin);
        CU_ASSERT_EQUAL(sl_value_recv(t, bin.data, bin.len, a, &w, &err), 0);
        sl_value_out(&w, &txt);
        CU_ASSERT_STRING_EQUAL(txt.data, roundtrip(t, cases[i][1]));
        sl_buf_free(&bin);
        sl_buf_free(&txt);
        sl_arena_free(a);
    }
    /* 1234.5678 in PostgreSQL's binary numeric: ndigits 2, weight 0, sign 0, dscale 4, 1234 5678 */
    SlBuf b;
    sl_buf_init(&b);
    SlValue v = sl_val_numeric(12345678, 4);
    sl_value_send(&v, &b);
    const unsigned char expect[] = {0, 2, 0, 0, 0, 0, 0, 4, 0x04, 0xd2, 0x16, 0x2e};
    CU_ASSERT_EQUAL(b.len, sizeof expect);
    CU_ASSERT_EQUAL(memcmp(b.data, expect, sizeof expect), 0);
    sl_buf_free(&b);
}

/* ----------------------------------------------------------- settings */

static void test_settings_set_show(void)
{
    SlSettings *server = sl_settings_new(NULL);
    SlSettings *session = sl_settings_new(server);
    SlError err;
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "port"), "6543");
    CU_ASSERT_EQUAL(sl_settings_get_int(session, "port"), 6543);
    CU_ASSERT_EQUAL(sl_settings_set(server, "port", "7000", SL_CTX_STARTUP, &err), 0);
    CU_ASSERT_EQUAL(sl_settings_get_int(session, "port"), 7000);
    CU_ASSERT_EQUAL(sl_settings_set(session, "port", "7001", SL_CTX_SESSION, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "55P02");
    CU_ASSERT_EQUAL(sl_settings_set(session, "server_version", "16", SL_CTX_SESSION, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "parameter \"server_version\" cannot be changed");
    CU_ASSERT_EQUAL(sl_settings_set(session, "no_such", "1", SL_CTX_SESSION, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "42704");
    CU_ASSERT_EQUAL(sl_settings_set(session, "extra_float_digits", "4", SL_CTX_SESSION, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22023");
    CU_ASSERT_EQUAL(sl_settings_set(session, "EXTRA_FLOAT_DIGITS", "3", SL_CTX_SESSION, &err), 0);
    CU_ASSERT_EQUAL(sl_settings_get_int(session, "extra_float_digits"), 3);
    CU_ASSERT_EQUAL(sl_settings_set(session, "datestyle", "ISO", SL_CTX_SESSION, &err), 0);
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "DateStyle"), "ISO");
    CU_ASSERT_STRING_EQUAL(sl_setting_find("datestyle")->name, "DateStyle");
    CU_ASSERT_EQUAL(sl_settings_set(session, "client_encoding", "utf-8", SL_CTX_SESSION, &err), 0);
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "client_encoding"), "UTF8");
    CU_ASSERT_EQUAL(sl_settings_set(session, "client_min_messages", "WARNING", SL_CTX_SESSION, &err), 0);
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "client_min_messages"), "warning");
    CU_ASSERT_EQUAL(sl_settings_reset(session, "all", &err), 0);
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "DateStyle"), "ISO, MDY");
    CU_ASSERT_EQUAL(sl_settings_get_int(session, "checkpoint_interval"), 10000);
    sl_settings_free(session);
    sl_settings_free(server);
}

static void test_settings_args_file(void)
{
    char path[] = "/tmp/sluice-settings-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    const char *conf = "# a comment\nport = 7100\nlisten = '0.0.0.0'  # trailing\nworkers 3\n";
    CU_ASSERT_EQUAL(write(fd, conf, strlen(conf)), (ssize_t)strlen(conf));
    close(fd);

    SlSettings *s = sl_settings_new(NULL);
    SlError err;
    bool help, version;
    char *argv1[] = {"sluiced", "-D", "/tmp/x", "--config", path, "--port=7200", "--tls-required", "-p7300", NULL};
    CU_ASSERT_EQUAL(sl_settings_parse_args(s, 8, argv1, &help, &version, &err), 0);
    CU_ASSERT_STRING_EQUAL(sl_settings_get(s, "data_dir"), "/tmp/x");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(s, "listen"), "0.0.0.0");
    CU_ASSERT_EQUAL(sl_settings_get_int(s, "workers"), 3);
    CU_ASSERT_EQUAL(sl_settings_get_int(s, "port"), 7300);
    CU_ASSERT(sl_settings_get_bool(s, "tls_required"));
    CU_ASSERT(!help && !version);
    char *argv2[] = {"sluiced", "--port", "70000", NULL};
    CU_ASSERT_EQUAL(sl_settings_parse_args(s, 3, argv2, &help, &version, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "outside the valid range"));
    char *argv3[] = {"sluiced", "--bogus", NULL};
    CU_ASSERT_EQUAL(sl_settings_parse_args(s, 2, argv3, &help, &version, &err), -1);
    char *argv4[] = {"sluiced", "--help", NULL};
    CU_ASSERT_EQUAL(sl_settings_parse_args(s, 2, argv4, &help, &version, &err), 0);
    CU_ASSERT(help);

    fd = open(path, O_WRONLY | O_TRUNC);
    const char *bad = "port = 1\nnope = 2\n";
    CU_ASSERT_EQUAL(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
    close(fd);
    CU_ASSERT_EQUAL(sl_settings_load_file(s, path, &err), -1);
    char expect[256];
    snprintf(expect, sizeof expect, "%s:2: unrecognized configuration parameter \"nope\"", path);
    CU_ASSERT_STRING_EQUAL(err.message, expect);
    unlink(path);

    SlBuf u;
    sl_buf_init(&u);
    sl_settings_usage("sluiced", &u);
    CU_ASSERT_PTR_NOT_NULL(strstr(u.data, "-D, --data-dir"));
    CU_ASSERT_PTR_NOT_NULL(strstr(u.data, "--tls-cert"));
    sl_buf_free(&u);
    sl_settings_free(s);
}

static void test_durations(void)
{
    int64_t ms;
    CU_ASSERT(sl_parse_duration_ms("10s", &ms, NULL) == 0 && ms == 10000);
    CU_ASSERT(sl_parse_duration_ms("5 min", &ms, NULL) == 0 && ms == 300000);
    CU_ASSERT(sl_parse_duration_ms("250", &ms, NULL) == 0 && ms == 250);
    CU_ASSERT(sl_parse_duration_ms("1 second", &ms, NULL) == 0 && ms == 1000);
    CU_ASSERT(sl_parse_duration_ms("1.5h", &ms, NULL) == 0 && ms == 5400000);
    CU_ASSERT(sl_parse_duration_ms("2 fortnights", &ms, NULL) == -1);
    CU_ASSERT(sl_parse_duration_ms("-1s", &ms, NULL) == -1);
}

static const SlUnitTest common_tests[] = {
    {"arena", test_arena},
    {"buf", test_buf},
    {"errors", test_errors},
    {"hash", test_hash},
    {"type names and oids", test_type_names},
    {"integer input/output", test_int_io},
    {"float8 output like PostgreSQL", test_float_io},
    {"numeric input/output", test_numeric_io},
    {"bool and text", test_bool_text_io},
    {"timestamps", test_timestamp_io},
    {"intervals", test_interval_io},
    {"integer operators and overflow", test_int_ops},
    {"numeric operators and scales", test_numeric_ops},
    {"float, text and time operators", test_float_text_time_ops},
    {"NULLs, compare, hash", test_nulls_cmp_hash},
    {"casts and coercion", test_casts},
    {"binary send/recv", test_binary},
    {"settings SET/SHOW/RESET", test_settings_set_show},
    {"settings command line and file", test_settings_args_file},
    {"durations", test_durations},
    {NULL, NULL}};
SL_UNIT_SUITE("common", common_tests)
