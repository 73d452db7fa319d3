/*
 * test_common.c — common/: arenas, buffers, errors, logging, hashing,
 * values (text and binary forms, operators, casts, compare and hash) and
 * the settings table.
 *
 * The table pg_cases below was produced by running every case on
 * PostgreSQL 15 (DateStyle ISO, MDY; TimeZone UTC; IntervalStyle postgres;
 * C collation) and recording its answer, output text or SQLSTATE and
 * message. Cases where Sluice deliberately differs (NUMERIC's 38-digit,
 * scale-32 limit, numeric NaN/Infinity) are tested in test_numeric_limits
 * with Sluice's own answers.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "sl_common.h"
#include "unit.h"

/* ------------------------------------------------------------ helpers */

static char outbuf[4096];

static const char *errstr(const SlError *err)
{
    snprintf(outbuf, sizeof outbuf, "ERR %s %s", sl_errcode_sqlstate(err->code), err->message);
    return outbuf;
}

static const char *show(const SlValue *v)
{
    SlBuf b;
    sl_buf_init(&b);
    if (v->isnull)
        sl_buf_puts(&b, "NULL");
    else
        sl_value_out(v, &b);
    snprintf(outbuf, sizeof outbuf, "%s", b.data ? b.data : "");
    sl_buf_free(&b);
    return outbuf;
}

/* text in, then text out, as PostgreSQL would print it */
static const char *roundtrip(SlType t, const char *in)
{
    SlArena *a = sl_arena_new(0);
    SlValue v;
    SlError err;
    sl_error_clear(&err);
    const char *r = sl_value_in(t, in, strlen(in), a, &v, &err) < 0 ? errstr(&err) : show(&v);
    sl_arena_free(a);
    return r;
}

static SlType type_named(const char *name)
{
    SlType t = SL_T_UNKNOWN;
    CU_ASSERT_FATAL(sl_type_from_name(name, &t) == 0);
    return t;
}

static const char *const op_names[] = {"+", "-", "*", "/", "%", "=", "<>", "<", "<=", ">", ">=", "||"};

static SlOp op_named(const char *name)
{
    for (int i = 0; i < 12; i++)
        if (!strcmp(op_names[i], name))
            return (SlOp)i;
    CU_FAIL_FATAL("unknown operator");
    return SL_OP_ADD;
}

/* "type:value" of a op b, or "ERR code message"; "NULL" makes a NULL */
static const char *op_text(SlOp o, SlType ta, const char *a, SlType tb, const char *b)
{
    SlArena *ar = sl_arena_new(0);
    SlValue x, y, r;
    SlError err;
    sl_error_clear(&err);
    int rc = 0;
    if (!strcmp(a, "NULL"))
        x = sl_val_null(ta);
    else
        rc = sl_value_in(ta, a, strlen(a), ar, &x, &err);
    if (rc == 0) {
        if (!strcmp(b, "NULL"))
            y = sl_val_null(tb);
        else
            rc = sl_value_in(tb, b, strlen(b), ar, &y, &err);
    }
    if (rc == 0)
        rc = sl_value_op(o, &x, &y, ar, &r, &err);
    if (rc < 0) {
        errstr(&err);
    } else {
        char val[2048];
        snprintf(val, sizeof val, "%s", show(&r));
        snprintf(outbuf, sizeof outbuf, "%s:%s", sl_type_name((SlType)r.type), val);
    }
    sl_arena_free(ar);
    return outbuf;
}

static const char *op(SlOp o, SlType ta, const char *a, SlType tb, const char *b)
{
    return op_text(o, ta, a, tb, b);
}

static const char *cast_text(SlType from, const char *text, SlType to)
{
    SlArena *a = sl_arena_new(0);
    SlValue v, r;
    SlError err;
    sl_error_clear(&err);
    int rc = sl_value_in(from, text, strlen(text), a, &v, &err);
    if (rc == 0)
        rc = sl_value_cast(&v, to, a, &r, &err);
    const char *s = rc < 0 ? errstr(&err) : show(&r);
    sl_arena_free(a);
    return s;
}

/* "\x..." of the binary form, as PostgreSQL's typsend prints as bytea;
 * also checks that recv reads back an equal value */
static const char *send_hex(SlType t, const char *text)
{
    SlArena *a = sl_arena_new(0);
    SlValue v, back;
    SlError err;
    SlBuf b;
    sl_buf_init(&b);
    if (sl_value_in(t, text, strlen(text), a, &v, &err) < 0) {
        sl_arena_free(a);
        return errstr(&err);
    }
    sl_value_send(&v, &b);
    int k = snprintf(outbuf, sizeof outbuf, "\\x");
    for (size_t i = 0; i < b.len && k < (int)sizeof outbuf - 3; i++)
        k += snprintf(outbuf + k, sizeof outbuf - (size_t)k, "%02x", (unsigned char)b.data[i]);
    int rc = sl_value_recv(t, b.data ? b.data : "", b.len, a, &back, &err);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc == 0) {
        CU_ASSERT_EQUAL(sl_value_cmp(&v, &back), 0);
        CU_ASSERT_EQUAL(back.type, v.type);
        if (t == SL_T_NUMERIC)
            CU_ASSERT_EQUAL(back.scale, v.scale);
    }
    sl_buf_free(&b);
    sl_arena_free(a);
    return outbuf;
}

typedef struct PgCase {
    const char *kind, *t1, *a, *x, *y, *z, *expect;
} PgCase;

static const PgCase pg_cases[] = {
    {"in", "int4", "0", "", "", "", "0"},
    {"in", "int4", "-0", "", "", "", "0"},
    {"in", "int4", "+5", "", "", "", "5"},
    {"in", "int4", "  42  ", "", "", "", "42"},
    {"in", "int4", "2147483647", "", "", "", "2147483647"},
    {"in", "int4", "-2147483648", "", "", "", "-2147483648"},
    {"in", "int4", "2147483648", "", "", "", "ERR 22003 value \"2147483648\" is out of range for type integer"},
    {"in", "int4", "-2147483649", "", "", "", "ERR 22003 value \"-2147483649\" is out of range for type integer"},
    {"in", "int4", "abc", "", "", "", "ERR 22P02 invalid input syntax for type integer: \"abc\""},
    {"in", "int4", "", "", "", "", "ERR 22P02 invalid input syntax for type integer: \"\""},
    {"in", "int4", "1.5", "", "", "", "ERR 22P02 invalid input syntax for type integer: \"1.5\""},
    {"in", "int4", "1e3", "", "", "", "ERR 22P02 invalid input syntax for type integer: \"1e3\""},
    {"in", "int4", " ", "", "", "", "ERR 22P02 invalid input syntax for type integer: \" \""},
    {"in", "int4", "12 3", "", "", "", "ERR 22P02 invalid input syntax for type integer: \"12 3\""},
    {"in", "int4", "0x10", "", "", "", "ERR 22P02 invalid input syntax for type integer: \"0x10\""},
    {"in", "int4", "007", "", "", "", "7"},
    {"in", "int4", "1_000", "", "", "", "ERR 22P02 invalid input syntax for type integer: \"1_000\""},
    {"in", "int8", "9223372036854775807", "", "", "", "9223372036854775807"},
    {"in", "int8", "-9223372036854775808", "", "", "", "-9223372036854775808"},
    {"in", "int8", "9223372036854775808", "", "", "", "ERR 22003 value \"9223372036854775808\" is out of range for type bigint"},
    {"in", "int8", "-9223372036854775809", "", "", "", "ERR 22003 value \"-9223372036854775809\" is out of range for type bigint"},
    {"in", "int8", "99999999999999999999", "", "", "", "ERR 22003 value \"99999999999999999999\" is out of range for type bigint"},
    {"in", "int8", "  -17 ", "", "", "", "-17"},
    {"in", "float8", "0", "", "", "", "0"},
    {"in", "float8", "-0", "", "", "", "-0"},
    {"in", "float8", "1", "", "", "", "1"},
    {"in", "float8", "1.5", "", "", "", "1.5"},
    {"in", "float8", "0.1", "", "", "", "0.1"},
    {"in", "float8", "-0.1", "", "", "", "-0.1"},
    {"in", "float8", "1e15", "", "", "", "1e+15"},
    {"in", "float8", "1e16", "", "", "", "1e+16"},
    {"in", "float8", "123456789012345", "", "", "", "123456789012345"},
    {"in", "float8", "1234567890123456", "", "", "", "1.234567890123456e+15"},
    {"in", "float8", "1e-4", "", "", "", "0.0001"},
    {"in", "float8", "1e-5", "", "", "", "1e-05"},
    {"in", "float8", "0.0001", "", "", "", "0.0001"},
    {"in", "float8", "0.00012345", "", "", "", "0.00012345"},
    {"in", "float8", "1.7976931348623157e308", "", "", "", "1.7976931348623157e+308"},
    {"in", "float8", "5e-324", "", "", "", "5e-324"},
    {"in", "float8", "2.2250738585072014e-308", "", "", "", "2.2250738585072014e-308"},
    {"in", "float8", "1e308", "", "", "", "1e+308"},
    {"in", "float8", "1e309", "", "", "", "ERR 22003 \"1e309\" is out of range for type double precision"},
    {"in", "float8", "-1e309", "", "", "", "ERR 22003 \"-1e309\" is out of range for type double precision"},
    {"in", "float8", "1e-400", "", "", "", "ERR 22003 \"1e-400\" is out of range for type double precision"},
    {"in", "float8", "NaN", "", "", "", "NaN"},
    {"in", "float8", "nan", "", "", "", "NaN"},
    {"in", "float8", "Infinity", "", "", "", "Infinity"},
    {"in", "float8", "-Infinity", "", "", "", "-Infinity"},
    {"in", "float8", "inf", "", "", "", "Infinity"},
    {"in", "float8", "-inf", "", "", "", "-Infinity"},
    {"in", "float8", "+inf", "", "", "", "Infinity"},
    {"in", "float8", "infinity", "", "", "", "Infinity"},
    {"in", "float8", "  3.25  ", "", "", "", "3.25"},
    {"in", "float8", "abc", "", "", "", "ERR 22P02 invalid input syntax for type double precision: \"abc\""},
    {"in", "float8", "", "", "", "", "ERR 22P02 invalid input syntax for type double precision: \"\""},
    {"in", "float8", "1.5x", "", "", "", "ERR 22P02 invalid input syntax for type double precision: \"1.5x\""},
    {"in", "float8", "0x10", "", "", "", "16"},
    {"in", "float8", "100", "", "", "", "100"},
    {"in", "float8", "1e22", "", "", "", "1e+22"},
    {"in", "float8", "1e21", "", "", "", "1e+21"},
    {"in", "float8", "123.456", "", "", "", "123.456"},
    {"in", "float8", "3.141592653589793", "", "", "", "3.141592653589793"},
    {"in", "float8", "0.30000000000000004", "", "", "", "0.30000000000000004"},
    {"in", "float8", "12345678901234567890", "", "", "", "1.2345678901234567e+19"},
    {"in", "float8", "1e+3", "", "", "", "1000"},
    {"in", "float8", ".5", "", "", "", "0.5"},
    {"in", "float8", "5.", "", "", "", "5"},
    {"in", "float8", "-.5e-3", "", "", "", "-0.0005"},
    {"in", "float8", "1E5", "", "", "", "100000"},
    {"in", "float8", "1.0000000000000002", "", "", "", "1.0000000000000002"},
    {"in", "float8", "4.35", "", "", "", "4.35"},
    {"in", "float8", "2e-7", "", "", "", "2e-07"},
    {"in", "float8", "9007199254740993", "", "", "", "9.007199254740992e+15"},
    {"in", "numeric", "0", "", "", "", "0"},
    {"in", "numeric", "-0", "", "", "", "0"},
    {"in", "numeric", "0.00", "", "", "", "0.00"},
    {"in", "numeric", "-0.00", "", "", "", "0.00"},
    {"in", "numeric", "1.50", "", "", "", "1.50"},
    {"in", "numeric", "1.5", "", "", "", "1.5"},
    {"in", "numeric", "001.500", "", "", "", "1.500"},
    {"in", "numeric", ".5", "", "", "", "0.5"},
    {"in", "numeric", "5.", "", "", "", "5"},
    {"in", "numeric", "-.5", "", "", "", "-0.5"},
    {"in", "numeric", "123456789.123456789", "", "", "", "123456789.123456789"},
    {"in", "numeric", "1e3", "", "", "", "1000"},
    {"in", "numeric", "1.5e2", "", "", "", "150"},
    {"in", "numeric", "1.23e-2", "", "", "", "0.0123"},
    {"in", "numeric", "1e-3", "", "", "", "0.001"},
    {"in", "numeric", "1E+2", "", "", "", "100"},
    {"in", "numeric", "  7.0  ", "", "", "", "7.0"},
    {"in", "numeric", "abc", "", "", "", "ERR 22P02 invalid input syntax for type numeric: \"abc\""},
    {"in", "numeric", "", "", "", "", "ERR 22P02 invalid input syntax for type numeric: \"\""},
    {"in", "numeric", "1.2.3", "", "", "", "ERR 22P02 invalid input syntax for type numeric: \"1.2.3\""},
    {"in", "numeric", "99999999999999999999999999999999999999", "", "", "", "99999999999999999999999999999999999999"},
    {"in", "numeric", "-99999999999999999999999999999999999999", "", "", "", "-99999999999999999999999999999999999999"},
    {"in", "numeric", "0.12345678901234567890123456789012", "", "", "", "0.12345678901234567890123456789012"},
    {"in", "numeric", "1.5e", "", "", "", "ERR 22P02 invalid input syntax for type numeric: \"1.5e\""},
    {"in", "numeric", "e5", "", "", "", "ERR 22P02 invalid input syntax for type numeric: \"e5\""},
    {"in", "numeric", "+3", "", "", "", "3"},
    {"in", "numeric", "- 3", "", "", "", "ERR 22P02 invalid input syntax for type numeric: \"- 3\""},
    {"in", "numeric", "1 2", "", "", "", "ERR 22P02 invalid input syntax for type numeric: \"1 2\""},
    {"in", "bool", "t", "", "", "", "t"},
    {"in", "bool", "f", "", "", "", "f"},
    {"in", "bool", "true", "", "", "", "t"},
    {"in", "bool", "FALSE", "", "", "", "f"},
    {"in", "bool", "yes", "", "", "", "t"},
    {"in", "bool", "no", "", "", "", "f"},
    {"in", "bool", "on", "", "", "", "t"},
    {"in", "bool", "off", "", "", "", "f"},
    {"in", "bool", "1", "", "", "", "t"},
    {"in", "bool", "0", "", "", "", "f"},
    {"in", "bool", "  t  ", "", "", "", "t"},
    {"in", "bool", "y", "", "", "", "t"},
    {"in", "bool", "n", "", "", "", "f"},
    {"in", "bool", "tr", "", "", "", "t"},
    {"in", "bool", "of", "", "", "", "f"},
    {"in", "bool", "o", "", "", "", "ERR 22P02 invalid input syntax for type boolean: \"o\""},
    {"in", "bool", "maybe", "", "", "", "ERR 22P02 invalid input syntax for type boolean: \"maybe\""},
    {"in", "bool", "", "", "", "", "ERR 22P02 invalid input syntax for type boolean: \"\""},
    {"in", "timestamp", "2024-01-02 03:04:05", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05", "", "", "", "2024-01-02 03:04:05+00"},
    {"in", "timestamp", "2024-01-02 03:04:05.123456", "", "", "", "2024-01-02 03:04:05.123456"},
    {"in", "timestamptz", "2024-01-02 03:04:05.123456", "", "", "", "2024-01-02 03:04:05.123456+00"},
    {"in", "timestamp", "2024-01-02 03:04:05.1234567", "", "", "", "2024-01-02 03:04:05.123457"},
    {"in", "timestamptz", "2024-01-02 03:04:05.1234567", "", "", "", "2024-01-02 03:04:05.123457+00"},
    {"in", "timestamp", "2024-01-02 03:04:05.9999999", "", "", "", "2024-01-02 03:04:06"},
    {"in", "timestamptz", "2024-01-02 03:04:05.9999999", "", "", "", "2024-01-02 03:04:06+00"},
    {"in", "timestamp", "2024-01-02", "", "", "", "2024-01-02 00:00:00"},
    {"in", "timestamptz", "2024-01-02", "", "", "", "2024-01-02 00:00:00+00"},
    {"in", "timestamp", "2024-01-02T03:04:05", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02T03:04:05", "", "", "", "2024-01-02 03:04:05+00"},
    {"in", "timestamp", "2024-01-02 03:04", "", "", "", "2024-01-02 03:04:00"},
    {"in", "timestamptz", "2024-01-02 03:04", "", "", "", "2024-01-02 03:04:00+00"},
    {"in", "timestamp", "2024-02-29 00:00:00", "", "", "", "2024-02-29 00:00:00"},
    {"in", "timestamptz", "2024-02-29 00:00:00", "", "", "", "2024-02-29 00:00:00+00"},
    {"in", "timestamp", "2023-02-29 00:00:00", "", "", "", "ERR 22008 date/time field value out of range: \"2023-02-29 00:00:00\""},
    {"in", "timestamptz", "2023-02-29 00:00:00", "", "", "", "ERR 22008 date/time field value out of range: \"2023-02-29 00:00:00\""},
    {"in", "timestamp", "2024-13-01", "", "", "", "ERR 22008 date/time field value out of range: \"2024-13-01\""},
    {"in", "timestamptz", "2024-13-01", "", "", "", "ERR 22008 date/time field value out of range: \"2024-13-01\""},
    {"in", "timestamp", "2024-01-32", "", "", "", "ERR 22008 date/time field value out of range: \"2024-01-32\""},
    {"in", "timestamptz", "2024-01-32", "", "", "", "ERR 22008 date/time field value out of range: \"2024-01-32\""},
    {"in", "timestamp", "2024-01-02 24:00:00", "", "", "", "2024-01-03 00:00:00"},
    {"in", "timestamptz", "2024-01-02 24:00:00", "", "", "", "2024-01-03 00:00:00+00"},
    {"in", "timestamp", "2024-01-02 24:00:01", "", "", "", "ERR 22008 date/time field value out of range: \"2024-01-02 24:00:01\""},
    {"in", "timestamptz", "2024-01-02 24:00:01", "", "", "", "ERR 22008 date/time field value out of range: \"2024-01-02 24:00:01\""},
    {"in", "timestamp", "2024-01-02 23:59:60", "", "", "", "2024-01-03 00:00:00"},
    {"in", "timestamptz", "2024-01-02 23:59:60", "", "", "", "2024-01-03 00:00:00+00"},
    {"in", "timestamp", "2024-01-02 03:04:05+02", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05+02", "", "", "", "2024-01-02 01:04:05+00"},
    {"in", "timestamp", "2024-01-02 03:04:05Z", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05Z", "", "", "", "2024-01-02 03:04:05+00"},
    {"in", "timestamp", "2024-01-02 03:04:05 UTC", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05 UTC", "", "", "", "2024-01-02 03:04:05+00"},
    {"in", "timestamp", "infinity", "", "", "", "infinity"},
    {"in", "timestamptz", "infinity", "", "", "", "infinity"},
    {"in", "timestamp", "-infinity", "", "", "", "-infinity"},
    {"in", "timestamptz", "-infinity", "", "", "", "-infinity"},
    {"in", "timestamp", "epoch", "", "", "", "1970-01-01 00:00:00"},
    {"in", "timestamptz", "epoch", "", "", "", "1970-01-01 00:00:00+00"},
    {"in", "timestamp", "0001-01-01 00:00:00", "", "", "", "0001-01-01 00:00:00"},
    {"in", "timestamptz", "0001-01-01 00:00:00", "", "", "", "0001-01-01 00:00:00+00"},
    {"in", "timestamp", "1999-12-31 23:59:59.5", "", "", "", "1999-12-31 23:59:59.5"},
    {"in", "timestamptz", "1999-12-31 23:59:59.5", "", "", "", "1999-12-31 23:59:59.5+00"},
    {"in", "timestamp", "  2024-01-02 03:04:05  ", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "  2024-01-02 03:04:05  ", "", "", "", "2024-01-02 03:04:05+00"},
    {"in", "timestamp", "garbage", "", "", "", "ERR 22007 invalid input syntax for type timestamp: \"garbage\""},
    {"in", "timestamptz", "garbage", "", "", "", "ERR 22007 invalid input syntax for type timestamp with time zone: \"garbage\""},
    {"in", "timestamp", "2024-1-2 3:4:5", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-1-2 3:4:5", "", "", "", "2024-01-02 03:04:05+00"},
    {"in", "timestamp", "2024-01-02 03:04:05.5-03:30", "", "", "", "2024-01-02 03:04:05.5"},
    {"in", "timestamptz", "2024-01-02 03:04:05.5-03:30", "", "", "", "2024-01-02 06:34:05.5+00"},
    {"in", "timestamp", "10000-01-01 00:00:00", "", "", "", "10000-01-01 00:00:00"},
    {"in", "timestamptz", "10000-01-01 00:00:00", "", "", "", "10000-01-01 00:00:00+00"},
    {"in", "timestamp", "294276-12-31 23:59:59", "", "", "", "294276-12-31 23:59:59"},
    {"in", "timestamptz", "294276-12-31 23:59:59", "", "", "", "294276-12-31 23:59:59+00"},
    {"in", "timestamp", "294277-01-01 00:00:00", "", "", "", "ERR 22008 timestamp out of range: \"294277-01-01 00:00:00\""},
    {"in", "timestamptz", "294277-01-01 00:00:00", "", "", "", "ERR 22008 timestamp out of range: \"294277-01-01 00:00:00\""},
    {"in", "timestamp", "2024-01-02 03:04:05 BC", "", "", "", "2024-01-02 03:04:05 BC"},
    {"in", "timestamptz", "2024-01-02 03:04:05 BC", "", "", "", "2024-01-02 03:04:05+00 BC"},
    {"in", "timestamp", "1970-01-01 00:00:00.000001", "", "", "", "1970-01-01 00:00:00.000001"},
    {"in", "timestamptz", "1970-01-01 00:00:00.000001", "", "", "", "1970-01-01 00:00:00.000001+00"},
    {"in", "timestamp", "2024-01-02 03:04:05.000000", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05.000000", "", "", "", "2024-01-02 03:04:05+00"},
    {"in", "interval", "1 year 2 mons 3 days 04:05:06.5", "", "", "", "1 year 2 mons 3 days 04:05:06.5"},
    {"in", "interval", "1 year", "", "", "", "1 year"},
    {"in", "interval", "2 months", "", "", "", "2 mons"},
    {"in", "interval", "3 days", "", "", "", "3 days"},
    {"in", "interval", "04:05:06", "", "", "", "04:05:06"},
    {"in", "interval", "-00:00:01", "", "", "", "-00:00:01"},
    {"in", "interval", "0", "", "", "", "00:00:00"},
    {"in", "interval", "00:00:00", "", "", "", "00:00:00"},
    {"in", "interval", "1 day -00:00:01", "", "", "", "1 day -00:00:01"},
    {"in", "interval", "-1 day", "", "", "", "-1 days"},
    {"in", "interval", "-1 days +02:00:00", "", "", "", "-1 days +02:00:00"},
    {"in", "interval", "1.5 days", "", "", "", "1 day 12:00:00"},
    {"in", "interval", "1.5 months", "", "", "", "1 mon 15 days"},
    {"in", "interval", "1.5 years", "", "", "", "1 year 6 mons"},
    {"in", "interval", "1 week", "", "", "", "7 days"},
    {"in", "interval", "2 weeks 3 days", "", "", "", "17 days"},
    {"in", "interval", "1 hour", "", "", "", "01:00:00"},
    {"in", "interval", "90 minutes", "", "", "", "01:30:00"},
    {"in", "interval", "3600 seconds", "", "", "", "01:00:00"},
    {"in", "interval", "1.5 seconds", "", "", "", "00:00:01.5"},
    {"in", "interval", "100 ms", "", "", "", "00:00:00.1"},
    {"in", "interval", "10 microseconds", "", "", "", "00:00:00.00001"},
    {"in", "interval", "1 decade", "", "", "", "10 years"},
    {"in", "interval", "1 century", "", "", "", "100 years"},
    {"in", "interval", "1 millennium", "", "", "", "1000 years"},
    {"in", "interval", "@ 1 day ago", "", "", "", "-1 days"},
    {"in", "interval", "1 day ago", "", "", "", "-1 days"},
    {"in", "interval", "P1Y2M3DT4H5M6S", "", "", "", "1 year 2 mons 3 days 04:05:06"},
    {"in", "interval", "PT1.5S", "", "", "", "00:00:01.5"},
    {"in", "interval", "P1W", "", "", "", "7 days"},
    {"in", "interval", "1:30", "", "", "", "01:30:00"},
    {"in", "interval", "1:30:45.25", "", "", "", "01:30:45.25"},
    {"in", "interval", "-1:30", "", "", "", "-01:30:00"},
    {"in", "interval", "25:00:00", "", "", "", "25:00:00"},
    {"in", "interval", "1 mon -1 days", "", "", "", "1 mon -1 days"},
    {"in", "interval", "-1 year -2 mons +3 days -04:05:06", "", "", "", "-1 years -2 mons +3 days -04:05:06"},
    {"in", "interval", "garbage", "", "", "", "ERR 22007 invalid input syntax for type interval: \"garbage\""},
    {"in", "interval", "", "", "", "", "ERR 22007 invalid input syntax for type interval: \"\""},
    {"in", "interval", "1 fortnight", "", "", "", "ERR 22007 invalid input syntax for type interval: \"1 fortnight\""},
    {"in", "interval", "1 h", "", "", "", "01:00:00"},
    {"in", "interval", "5 min", "", "", "", "00:05:00"},
    {"in", "interval", "2 d", "", "", "", "2 days"},
    {"in", "interval", "1y 2mon", "", "", "", "1 year 2 mons"},
    {"in", "interval", "12 mons", "", "", "", "1 year"},
    {"in", "interval", "13 mons", "", "", "", "1 year 1 mon"},
    {"in", "interval", "100000 hours", "", "", "", "100000:00:00"},
    {"in", "interval", "-1.5 days", "", "", "", "-1 days -12:00:00"},
    {"in", "interval", "0.5 mons", "", "", "", "15 days"},
    {"in", "interval", "1 day 23:59:59.999999", "", "", "", "1 day 23:59:59.999999"},
    {"in", "interval", "1 year 1 mon", "", "", "", "1 year 1 mon"},
    {"in", "interval", "-1 mons", "", "", "", "-1 mons"},
    {"in", "interval", "1 day 1 day", "", "", "", "ERR 22007 invalid input syntax for type interval: \"1 day 1 day\""},
    {"in", "interval", "3 DAYS", "", "", "", "3 days"},
    {"in", "interval", "1.25 hours", "", "", "", "01:15:00"},
    {"in", "interval", "1 min 30 sec", "", "", "", "00:01:30"},
    {"in", "interval", "2 hours ago", "", "", "", "-02:00:00"},
    {"op", "int4", "7", "+", "int4", "2", "integer:9"},
    {"op", "int4", "-7", "+", "int4", "2", "integer:-5"},
    {"op", "int4", "7", "+", "int4", "0", "integer:7"},
    {"op", "int8", "7", "+", "int8", "-2", "bigint:5"},
    {"op", "int4", "7", "+", "int8", "2", "bigint:9"},
    {"op", "int4", "7", "+", "numeric", "2", "numeric:9"},
    {"op", "int8", "7", "+", "numeric", "2.5", "numeric:9.5"},
    {"op", "numeric", "7.5", "+", "numeric", "2", "numeric:9.5"},
    {"op", "numeric", "1.50", "+", "numeric", "0.25", "numeric:1.75"},
    {"op", "numeric", "-7.5", "+", "numeric", "2.00", "numeric:-5.50"},
    {"op", "numeric", "0", "+", "numeric", "0.000", "numeric:0.000"},
    {"op", "int4", "2147483647", "+", "int4", "1", "ERR 22003 integer out of range"},
    {"op", "int4", "-2147483648", "+", "int4", "-1", "ERR 22003 integer out of range"},
    {"op", "int8", "9223372036854775807", "+", "int8", "2", "ERR 22003 bigint out of range"},
    {"op", "int8", "-9223372036854775808", "+", "int8", "-1", "ERR 22003 bigint out of range"},
    {"op", "numeric", "7", "+", "numeric", "0", "numeric:7"},
    {"op", "int4", "NULL", "+", "int4", "1", "integer:NULL"},
    {"op", "numeric", "1.5", "+", "int4", "NULL", "numeric:NULL"},
    {"op", "int4", "7", "-", "int4", "2", "integer:5"},
    {"op", "int4", "-7", "-", "int4", "2", "integer:-9"},
    {"op", "int4", "7", "-", "int4", "0", "integer:7"},
    {"op", "int8", "7", "-", "int8", "-2", "bigint:9"},
    {"op", "int4", "7", "-", "int8", "2", "bigint:5"},
    {"op", "int4", "7", "-", "numeric", "2", "numeric:5"},
    {"op", "int8", "7", "-", "numeric", "2.5", "numeric:4.5"},
    {"op", "numeric", "7.5", "-", "numeric", "2", "numeric:5.5"},
    {"op", "numeric", "1.50", "-", "numeric", "0.25", "numeric:1.25"},
    {"op", "numeric", "-7.5", "-", "numeric", "2.00", "numeric:-9.50"},
    {"op", "numeric", "0", "-", "numeric", "0.000", "numeric:0.000"},
    {"op", "int4", "2147483647", "-", "int4", "1", "integer:2147483646"},
    {"op", "int4", "-2147483648", "-", "int4", "-1", "integer:-2147483647"},
    {"op", "int8", "9223372036854775807", "-", "int8", "2", "bigint:9223372036854775805"},
    {"op", "int8", "-9223372036854775808", "-", "int8", "-1", "bigint:-9223372036854775807"},
    {"op", "numeric", "7", "-", "numeric", "0", "numeric:7"},
    {"op", "int4", "NULL", "-", "int4", "1", "integer:NULL"},
    {"op", "numeric", "1.5", "-", "int4", "NULL", "numeric:NULL"},
    {"op", "int4", "7", "*", "int4", "2", "integer:14"},
    {"op", "int4", "-7", "*", "int4", "2", "integer:-14"},
    {"op", "int4", "7", "*", "int4", "0", "integer:0"},
    {"op", "int8", "7", "*", "int8", "-2", "bigint:-14"},
    {"op", "int4", "7", "*", "int8", "2", "bigint:14"},
    {"op", "int4", "7", "*", "numeric", "2", "numeric:14"},
    {"op", "int8", "7", "*", "numeric", "2.5", "numeric:17.5"},
    {"op", "numeric", "7.5", "*", "numeric", "2", "numeric:15.0"},
    {"op", "numeric", "1.50", "*", "numeric", "0.25", "numeric:0.3750"},
    {"op", "numeric", "-7.5", "*", "numeric", "2.00", "numeric:-15.000"},
    {"op", "numeric", "0", "*", "numeric", "0.000", "numeric:0.000"},
    {"op", "int4", "2147483647", "*", "int4", "1", "integer:2147483647"},
    {"op", "int4", "-2147483648", "*", "int4", "-1", "ERR 22003 integer out of range"},
    {"op", "int8", "9223372036854775807", "*", "int8", "2", "ERR 22003 bigint out of range"},
    {"op", "int8", "-9223372036854775808", "*", "int8", "-1", "ERR 22003 bigint out of range"},
    {"op", "numeric", "7", "*", "numeric", "0", "numeric:0"},
    {"op", "int4", "NULL", "*", "int4", "1", "integer:NULL"},
    {"op", "numeric", "1.5", "*", "int4", "NULL", "numeric:NULL"},
    {"op", "int4", "7", "/", "int4", "2", "integer:3"},
    {"op", "int4", "-7", "/", "int4", "2", "integer:-3"},
    {"op", "int4", "7", "/", "int4", "0", "ERR 22012 division by zero"},
    {"op", "int8", "7", "/", "int8", "-2", "bigint:-3"},
    {"op", "int4", "7", "/", "int8", "2", "bigint:3"},
    {"op", "int4", "7", "/", "numeric", "2", "numeric:3.5000000000000000"},
    {"op", "int8", "7", "/", "numeric", "2.5", "numeric:2.8000000000000000"},
    {"op", "numeric", "7.5", "/", "numeric", "2", "numeric:3.7500000000000000"},
    {"op", "numeric", "1.50", "/", "numeric", "0.25", "numeric:6.0000000000000000"},
    {"op", "numeric", "-7.5", "/", "numeric", "2.00", "numeric:-3.7500000000000000"},
    {"op", "numeric", "0", "/", "numeric", "0.000", "ERR 22012 division by zero"},
    {"op", "int4", "2147483647", "/", "int4", "1", "integer:2147483647"},
    {"op", "int4", "-2147483648", "/", "int4", "-1", "ERR 22003 integer out of range"},
    {"op", "int8", "9223372036854775807", "/", "int8", "2", "bigint:4611686018427387903"},
    {"op", "int8", "-9223372036854775808", "/", "int8", "-1", "ERR 22003 bigint out of range"},
    {"op", "numeric", "7", "/", "numeric", "0", "ERR 22012 division by zero"},
    {"op", "int4", "NULL", "/", "int4", "1", "integer:NULL"},
    {"op", "numeric", "1.5", "/", "int4", "NULL", "numeric:NULL"},
    {"op", "int4", "7", "%", "int4", "2", "integer:1"},
    {"op", "int4", "-7", "%", "int4", "2", "integer:-1"},
    {"op", "int4", "7", "%", "int4", "0", "ERR 22012 division by zero"},
    {"op", "int8", "7", "%", "int8", "-2", "bigint:1"},
    {"op", "int4", "7", "%", "int8", "2", "bigint:1"},
    {"op", "int4", "7", "%", "numeric", "2", "numeric:1"},
    {"op", "int8", "7", "%", "numeric", "2.5", "numeric:2.0"},
    {"op", "numeric", "7.5", "%", "numeric", "2", "numeric:1.5"},
    {"op", "numeric", "1.50", "%", "numeric", "0.25", "numeric:0.00"},
    {"op", "numeric", "-7.5", "%", "numeric", "2.00", "numeric:-1.50"},
    {"op", "numeric", "0", "%", "numeric", "0.000", "ERR 22012 division by zero"},
    {"op", "int4", "2147483647", "%", "int4", "1", "integer:0"},
    {"op", "int4", "-2147483648", "%", "int4", "-1", "integer:0"},
    {"op", "int8", "9223372036854775807", "%", "int8", "2", "bigint:1"},
    {"op", "int8", "-9223372036854775808", "%", "int8", "-1", "bigint:0"},
    {"op", "numeric", "7", "%", "numeric", "0", "ERR 22012 division by zero"},
    {"op", "int4", "NULL", "%", "int4", "1", "integer:NULL"},
    {"op", "numeric", "1.5", "%", "int4", "NULL", "numeric:NULL"},
    {"op", "float8", "1.5", "+", "float8", "2", "double precision:3.5"},
    {"op", "float8", "1e308", "+", "float8", "1e308", "ERR 22003 value out of range: overflow"},
    {"op", "float8", "0.1", "+", "float8", "0.2", "double precision:0.30000000000000004"},
    {"op", "float8", "1", "+", "float8", "0", "double precision:1"},
    {"op", "float8", "1e-300", "+", "float8", "1e300", "double precision:1e+300"},
    {"op", "float8", "Infinity", "+", "float8", "1", "double precision:Infinity"},
    {"op", "float8", "NaN", "+", "float8", "1", "double precision:NaN"},
    {"op", "int4", "3", "+", "float8", "0.5", "double precision:3.5"},
    {"op", "numeric", "1.1", "+", "float8", "2", "double precision:3.1"},
    {"op", "float8", "1e-200", "+", "float8", "1e-200", "double precision:2e-200"},
    {"op", "float8", "0", "+", "float8", "0", "double precision:0"},
    {"op", "float8", "Infinity", "+", "float8", "Infinity", "double precision:Infinity"},
    {"op", "float8", "1.5", "-", "float8", "2", "double precision:-0.5"},
    {"op", "float8", "1e308", "-", "float8", "1e308", "double precision:0"},
    {"op", "float8", "0.1", "-", "float8", "0.2", "double precision:-0.1"},
    {"op", "float8", "1", "-", "float8", "0", "double precision:1"},
    {"op", "float8", "1e-300", "-", "float8", "1e300", "double precision:-1e+300"},
    {"op", "float8", "Infinity", "-", "float8", "1", "double precision:Infinity"},
    {"op", "float8", "NaN", "-", "float8", "1", "double precision:NaN"},
    {"op", "int4", "3", "-", "float8", "0.5", "double precision:2.5"},
    {"op", "numeric", "1.1", "-", "float8", "2", "double precision:-0.8999999999999999"},
    {"op", "float8", "1e-200", "-", "float8", "1e-200", "double precision:0"},
    {"op", "float8", "0", "-", "float8", "0", "double precision:0"},
    {"op", "float8", "Infinity", "-", "float8", "Infinity", "double precision:NaN"},
    {"op", "float8", "1.5", "*", "float8", "2", "double precision:3"},
    {"op", "float8", "1e308", "*", "float8", "1e308", "ERR 22003 value out of range: overflow"},
    {"op", "float8", "0.1", "*", "float8", "0.2", "double precision:0.020000000000000004"},
    {"op", "float8", "1", "*", "float8", "0", "double precision:0"},
    {"op", "float8", "1e-300", "*", "float8", "1e300", "double precision:1"},
    {"op", "float8", "Infinity", "*", "float8", "1", "double precision:Infinity"},
    {"op", "float8", "NaN", "*", "float8", "1", "double precision:NaN"},
    {"op", "int4", "3", "*", "float8", "0.5", "double precision:1.5"},
    {"op", "numeric", "1.1", "*", "float8", "2", "double precision:2.2"},
    {"op", "float8", "1e-200", "*", "float8", "1e-200", "ERR 22003 value out of range: underflow"},
    {"op", "float8", "0", "*", "float8", "0", "double precision:0"},
    {"op", "float8", "Infinity", "*", "float8", "Infinity", "double precision:Infinity"},
    {"op", "float8", "1.5", "/", "float8", "2", "double precision:0.75"},
    {"op", "float8", "1e308", "/", "float8", "1e308", "double precision:1"},
    {"op", "float8", "0.1", "/", "float8", "0.2", "double precision:0.5"},
    {"op", "float8", "1", "/", "float8", "0", "ERR 22012 division by zero"},
    {"op", "float8", "1e-300", "/", "float8", "1e300", "ERR 22003 value out of range: underflow"},
    {"op", "float8", "Infinity", "/", "float8", "1", "double precision:Infinity"},
    {"op", "float8", "NaN", "/", "float8", "1", "double precision:NaN"},
    {"op", "int4", "3", "/", "float8", "0.5", "double precision:6"},
    {"op", "numeric", "1.1", "/", "float8", "2", "double precision:0.55"},
    {"op", "float8", "1e-200", "/", "float8", "1e-200", "double precision:1"},
    {"op", "float8", "0", "/", "float8", "0", "ERR 22012 division by zero"},
    {"op", "float8", "Infinity", "/", "float8", "Infinity", "double precision:NaN"},
    {"op", "float8", "NaN", "/", "float8", "0", "double precision:NaN"},
    {"op", "float8", "1", "/", "float8", "Infinity", "double precision:0"},
    {"op", "float8", "1", "%", "float8", "2", "ERR 42883 operator does not exist: double precision % double precision"},
    {"op", "numeric", "1", "/", "numeric", "3", "numeric:0.33333333333333333333"},
    {"op", "numeric", "2", "/", "numeric", "3", "numeric:0.66666666666666666667"},
    {"op", "numeric", "10", "/", "numeric", "3", "numeric:3.3333333333333333"},
    {"op", "numeric", "1", "/", "numeric", "7", "numeric:0.14285714285714285714"},
    {"op", "numeric", "22", "/", "numeric", "7", "numeric:3.1428571428571429"},
    {"op", "numeric", "1", "/", "numeric", "10000", "numeric:0.000100000000000000000000"},
    {"op", "numeric", "12345678", "/", "numeric", "3", "numeric:4115226.000000000000"},
    {"op", "numeric", "1.000", "/", "numeric", "3", "numeric:0.33333333333333333333"},
    {"op", "numeric", "1", "/", "numeric", "0.003", "numeric:333.3333333333333333"},
    {"op", "numeric", "100000000", "/", "numeric", "3", "numeric:33333333.333333333333"},
    {"op", "numeric", "1", "/", "numeric", "3.00000000000000000000", "numeric:0.33333333333333333333"},
    {"op", "numeric", "3", "/", "numeric", "2", "numeric:1.5000000000000000"},
    {"op", "numeric", "1.5", "/", "numeric", "2", "numeric:0.75000000000000000000"},
    {"op", "numeric", "123456789012345678901234567890", "/", "numeric", "7", "numeric:17636684144620811271604938270"},
    {"op", "numeric", "1", "/", "numeric", "123456789012", "numeric:0.0000000000081000000729226807"},
    {"op", "numeric", "0.00001", "/", "numeric", "3", "numeric:0.000003333333333333333333"},
    {"op", "numeric", "-1", "/", "numeric", "3", "numeric:-0.33333333333333333333"},
    {"op", "numeric", "2", "/", "numeric", "-3", "numeric:-0.66666666666666666667"},
    {"op", "numeric", "9999", "/", "numeric", "1", "numeric:9999.0000000000000000"},
    {"op", "numeric", "10000", "/", "numeric", "1", "numeric:10000.0000000000000000"},
    {"op", "numeric", "1", "/", "numeric", "9999", "numeric:0.00010001000100010001"},
    {"op", "numeric", "5", "/", "numeric", "0.5", "numeric:10.0000000000000000"},
    {"op", "numeric", "0.0000000000000001", "*", "numeric", "0.0000000000000001", "numeric:0.00000000000000000000000000000001"},
    {"op", "numeric", "1.5", "*", "numeric", "1.5", "numeric:2.25"},
    {"op", "numeric", "0.5", "+", "numeric", "0.25", "numeric:0.75"},
    {"op", "numeric", "1", "-", "numeric", "1.000", "numeric:0.000"},
    {"op", "int4", "1", "=", "numeric", "1.0", "boolean:t"},
    {"op", "int8", "2", "=", "float8", "1.5", "boolean:f"},
    {"op", "text", "abc", "=", "text", "abd", "boolean:f"},
    {"op", "text", "abc", "=", "text", "ab", "boolean:f"},
    {"op", "numeric", "1.00", "=", "numeric", "1", "boolean:t"},
    {"op", "timestamp", "2024-01-01", "=", "timestamptz", "2024-01-01 00:00:00+00", "boolean:t"},
    {"op", "interval", "1 mon", "=", "interval", "30 days", "boolean:t"},
    {"op", "bool", "t", "=", "bool", "f", "boolean:f"},
    {"op", "float8", "NaN", "=", "float8", "Infinity", "boolean:f"},
    {"op", "int4", "NULL", "=", "int4", "1", "boolean:NULL"},
    {"op", "interval", "1 day", "=", "interval", "24:00:00", "boolean:t"},
    {"op", "interval", "1 year", "=", "interval", "360 days", "boolean:t"},
    {"op", "int4", "1", "<>", "numeric", "1.0", "boolean:f"},
    {"op", "int8", "2", "<>", "float8", "1.5", "boolean:t"},
    {"op", "text", "abc", "<>", "text", "abd", "boolean:t"},
    {"op", "text", "abc", "<>", "text", "ab", "boolean:t"},
    {"op", "numeric", "1.00", "<>", "numeric", "1", "boolean:f"},
    {"op", "timestamp", "2024-01-01", "<>", "timestamptz", "2024-01-01 00:00:00+00", "boolean:f"},
    {"op", "interval", "1 mon", "<>", "interval", "30 days", "boolean:f"},
    {"op", "bool", "t", "<>", "bool", "f", "boolean:t"},
    {"op", "float8", "NaN", "<>", "float8", "Infinity", "boolean:t"},
    {"op", "int4", "NULL", "<>", "int4", "1", "boolean:NULL"},
    {"op", "interval", "1 day", "<>", "interval", "24:00:00", "boolean:f"},
    {"op", "interval", "1 year", "<>", "interval", "360 days", "boolean:f"},
    {"op", "int4", "1", "<", "numeric", "1.0", "boolean:f"},
    {"op", "int8", "2", "<", "float8", "1.5", "boolean:f"},
    {"op", "text", "abc", "<", "text", "abd", "boolean:t"},
    {"op", "text", "abc", "<", "text", "ab", "boolean:f"},
    {"op", "numeric", "1.00", "<", "numeric", "1", "boolean:f"},
    {"op", "timestamp", "2024-01-01", "<", "timestamptz", "2024-01-01 00:00:00+00", "boolean:f"},
    {"op", "interval", "1 mon", "<", "interval", "30 days", "boolean:f"},
    {"op", "bool", "t", "<", "bool", "f", "boolean:f"},
    {"op", "float8", "NaN", "<", "float8", "Infinity", "boolean:f"},
    {"op", "int4", "NULL", "<", "int4", "1", "boolean:NULL"},
    {"op", "interval", "1 day", "<", "interval", "24:00:00", "boolean:f"},
    {"op", "interval", "1 year", "<", "interval", "360 days", "boolean:f"},
    {"op", "int4", "1", "<=", "numeric", "1.0", "boolean:t"},
    {"op", "int8", "2", "<=", "float8", "1.5", "boolean:f"},
    {"op", "text", "abc", "<=", "text", "abd", "boolean:t"},
    {"op", "text", "abc", "<=", "text", "ab", "boolean:f"},
    {"op", "numeric", "1.00", "<=", "numeric", "1", "boolean:t"},
    {"op", "timestamp", "2024-01-01", "<=", "timestamptz", "2024-01-01 00:00:00+00", "boolean:t"},
    {"op", "interval", "1 mon", "<=", "interval", "30 days", "boolean:t"},
    {"op", "bool", "t", "<=", "bool", "f", "boolean:f"},
    {"op", "float8", "NaN", "<=", "float8", "Infinity", "boolean:f"},
    {"op", "int4", "NULL", "<=", "int4", "1", "boolean:NULL"},
    {"op", "interval", "1 day", "<=", "interval", "24:00:00", "boolean:t"},
    {"op", "interval", "1 year", "<=", "interval", "360 days", "boolean:t"},
    {"op", "int4", "1", ">", "numeric", "1.0", "boolean:f"},
    {"op", "int8", "2", ">", "float8", "1.5", "boolean:t"},
    {"op", "text", "abc", ">", "text", "abd", "boolean:f"},
    {"op", "text", "abc", ">", "text", "ab", "boolean:t"},
    {"op", "numeric", "1.00", ">", "numeric", "1", "boolean:f"},
    {"op", "timestamp", "2024-01-01", ">", "timestamptz", "2024-01-01 00:00:00+00", "boolean:f"},
    {"op", "interval", "1 mon", ">", "interval", "30 days", "boolean:f"},
    {"op", "bool", "t", ">", "bool", "f", "boolean:t"},
    {"op", "float8", "NaN", ">", "float8", "Infinity", "boolean:t"},
    {"op", "int4", "NULL", ">", "int4", "1", "boolean:NULL"},
    {"op", "interval", "1 day", ">", "interval", "24:00:00", "boolean:f"},
    {"op", "interval", "1 year", ">", "interval", "360 days", "boolean:f"},
    {"op", "int4", "1", ">=", "numeric", "1.0", "boolean:t"},
    {"op", "int8", "2", ">=", "float8", "1.5", "boolean:t"},
    {"op", "text", "abc", ">=", "text", "abd", "boolean:f"},
    {"op", "text", "abc", ">=", "text", "ab", "boolean:t"},
    {"op", "numeric", "1.00", ">=", "numeric", "1", "boolean:t"},
    {"op", "timestamp", "2024-01-01", ">=", "timestamptz", "2024-01-01 00:00:00+00", "boolean:t"},
    {"op", "interval", "1 mon", ">=", "interval", "30 days", "boolean:t"},
    {"op", "bool", "t", ">=", "bool", "f", "boolean:t"},
    {"op", "float8", "NaN", ">=", "float8", "Infinity", "boolean:t"},
    {"op", "int4", "NULL", ">=", "int4", "1", "boolean:NULL"},
    {"op", "interval", "1 day", ">=", "interval", "24:00:00", "boolean:t"},
    {"op", "interval", "1 year", ">=", "interval", "360 days", "boolean:t"},
    {"op", "text", "ab", "||", "text", "cd", "text:abcd"},
    {"op", "text", "ab", "||", "int4", "5", "text:ab5"},
    {"op", "int4", "5", "||", "text", "ab", "text:5ab"},
    {"op", "text", "ab", "||", "text", "NULL", "text:NULL"},
    {"op", "text", "x", "||", "numeric", "1.50", "text:x1.50"},
    {"op", "float8", "0.1", "||", "text", "", "text:0.1"},
    {"op", "timestamp", "2024-01-31 10:00", "+", "interval", "1 mon", "timestamp without time zone:2024-02-29 10:00:00"},
    {"op", "timestamptz", "2024-01-31 10:00", "-", "interval", "1 mon", "timestamp with time zone:2023-12-31 10:00:00+00"},
    {"op", "timestamp", "2024-01-31 10:00", "+", "interval", "1 mon 1 day", "timestamp without time zone:2024-03-01 10:00:00"},
    {"op", "timestamptz", "2024-01-31 10:00", "-", "interval", "1 mon 1 day", "timestamp with time zone:2023-12-30 10:00:00+00"},
    {"op", "timestamp", "2024-03-31", "+", "interval", "-1 mon", "timestamp without time zone:2024-02-29 00:00:00"},
    {"op", "timestamptz", "2024-03-31", "-", "interval", "-1 mon", "timestamp with time zone:2024-04-30 00:00:00+00"},
    {"op", "timestamp", "2024-01-01", "+", "interval", "1 year 2 mons 3 days 04:05:06.5", "timestamp without time zone:2025-03-04 04:05:06.5"},
    {"op", "timestamptz", "2024-01-01", "-", "interval", "1 year 2 mons 3 days 04:05:06.5", "timestamp with time zone:2022-10-28 19:54:53.5+00"},
    {"op", "timestamp", "2024-01-01", "+", "interval", "-00:00:01", "timestamp without time zone:2023-12-31 23:59:59"},
    {"op", "timestamptz", "2024-01-01", "-", "interval", "-00:00:01", "timestamp with time zone:2024-01-01 00:00:01+00"},
    {"op", "timestamp", "infinity", "+", "interval", "1 day", "timestamp without time zone:infinity"},
    {"op", "timestamptz", "infinity", "-", "interval", "1 day", "timestamp with time zone:infinity"},
    {"op", "timestamp", "2024-02-29", "+", "interval", "1 year", "timestamp without time zone:2025-02-28 00:00:00"},
    {"op", "timestamptz", "2024-02-29", "-", "interval", "1 year", "timestamp with time zone:2023-02-28 00:00:00+00"},
    {"op", "timestamp", "2000-01-01", "+", "interval", "-1 day", "timestamp without time zone:1999-12-31 00:00:00"},
    {"op", "timestamptz", "2000-01-01", "-", "interval", "-1 day", "timestamp with time zone:2000-01-02 00:00:00+00"},
    {"op", "interval", "1 day", "+", "timestamp", "2024-01-01", "timestamp without time zone:2024-01-02 00:00:00"},
    {"op", "timestamp", "2024-01-02 03:04:05", "-", "timestamp", "2024-01-01", "interval:1 day 03:04:05"},
    {"op", "timestamptz", "2024-01-02 03:04:05", "-", "timestamptz", "2024-01-01", "interval:1 day 03:04:05"},
    {"op", "timestamp", "2024-01-01", "-", "timestamp", "2024-01-02 03:04:05", "interval:-1 days -03:04:05"},
    {"op", "timestamptz", "2024-01-01", "-", "timestamptz", "2024-01-02 03:04:05", "interval:-1 days -03:04:05"},
    {"op", "timestamp", "2024-03-01", "-", "timestamp", "2023-03-01", "interval:366 days"},
    {"op", "timestamptz", "2024-03-01", "-", "timestamptz", "2023-03-01", "interval:366 days"},
    {"op", "timestamp", "2024-01-01 00:00:00.5", "-", "timestamp", "2024-01-01 00:00:01", "interval:-00:00:00.5"},
    {"op", "timestamptz", "2024-01-01 00:00:00.5", "-", "timestamptz", "2024-01-01 00:00:01", "interval:-00:00:00.5"},
    {"op", "interval", "1 day", "+", "interval", "02:00", "interval:1 day 02:00:00"},
    {"op", "interval", "1 day", "-", "interval", "02:00", "interval:1 day -02:00:00"},
    {"op", "interval", "1 mon", "+", "interval", "-1 day", "interval:1 mon -1 days"},
    {"op", "interval", "1 mon", "-", "interval", "-1 day", "interval:1 mon 1 day"},
    {"op", "interval", "1 year 2 mons", "+", "interval", "3 mons 04:00", "interval:1 year 5 mons 04:00:00"},
    {"op", "interval", "1 year 2 mons", "-", "interval", "3 mons 04:00", "interval:11 mons -04:00:00"},
    {"op", "interval", "-00:00:01", "+", "interval", "00:00:01", "interval:00:00:00"},
    {"op", "interval", "-00:00:01", "-", "interval", "00:00:01", "interval:-00:00:02"},
    {"op", "interval", "1 mon", "*", "float8", "1.5", "interval:1 mon 15 days"},
    {"op", "interval", "1 mon", "/", "float8", "1.5", "interval:20 days"},
    {"op", "interval", "1 day", "*", "float8", "1.5", "interval:1 day 12:00:00"},
    {"op", "interval", "1 day", "/", "float8", "1.5", "interval:16:00:00"},
    {"op", "interval", "1 year 2 mons 3 days 04:05:06", "*", "float8", "2", "interval:2 years 4 mons 6 days 08:10:12"},
    {"op", "interval", "1 year 2 mons 3 days 04:05:06", "/", "float8", "2", "interval:7 mons 1 day 14:02:33"},
    {"op", "interval", "1 mon", "*", "float8", "0.3", "interval:9 days"},
    {"op", "interval", "1 mon", "/", "float8", "0.3", "interval:3 mons 10 days"},
    {"op", "interval", "1 day", "*", "float8", "-0.5", "interval:-12:00:00"},
    {"op", "interval", "1 day", "/", "float8", "-0.5", "interval:-2 days"},
    {"op", "interval", "1 mon 1 day", "*", "float8", "1.1", "interval:1 mon 4 days 02:24:00"},
    {"op", "interval", "1 mon 1 day", "/", "float8", "1.1", "interval:28 days 04:21:49.067345"},
    {"op", "interval", "01:00:00", "*", "float8", "0.333333", "interval:00:19:59.9988"},
    {"op", "interval", "01:00:00", "/", "float8", "0.333333", "interval:03:00:00.0108"},
    {"op", "interval", "1 mon", "*", "float8", "3", "interval:3 mons"},
    {"op", "interval", "1 mon", "/", "float8", "3", "interval:10 days"},
    {"op", "interval", "1 day", "*", "int4", "3", "interval:3 days"},
    {"op", "int4", "3", "*", "interval", "1 day", "interval:3 days"},
    {"op", "interval", "1 day", "/", "int4", "0", "ERR 22012 division by zero"},
    {"op", "interval", "1 mon", "/", "numeric", "7", "interval:4 days 06:51:25.6896"},
    {"op", "numeric", "0", "/", "numeric", "5", "numeric:0.00000000000000000000"},
    {"op", "numeric", "10", "/", "numeric", "4", "numeric:2.5000000000000000"},
    {"op", "numeric", "100", "/", "numeric", "3", "numeric:33.3333333333333333"},
    {"op", "numeric", "1000000", "/", "numeric", "7", "numeric:142857.142857142857"},
    {"op", "numeric", "-7", "/", "numeric", "2", "numeric:-3.5000000000000000"},
    {"op", "numeric", "123456789012345678", "/", "numeric", "1000", "numeric:123456789012345.6780"},
    {"op", "numeric", "1", "/", "numeric", "1000000000000", "numeric:0.00000000000100000000000000000000"},
    {"op", "numeric", "99999999", "/", "numeric", "0.0001", "numeric:999999990000.00000000"},
    {"op", "numeric", "5.5", "/", "numeric", "2.2", "numeric:2.5000000000000000"},
    {"op", "numeric", "1.000000", "/", "numeric", "3", "numeric:0.33333333333333333333"},
    {"op", "numeric", "12345678901234567890123456", "/", "numeric", "3", "numeric:4115226300411522630041152"},
    {"op", "numeric", "1e-10", "/", "numeric", "3", "numeric:0.0000000000333333333333333333"},
    {"op", "numeric", "4", "/", "numeric", "0.25", "numeric:16.0000000000000000"},
    {"op", "numeric", "2", "/", "numeric", "0.0001", "numeric:20000.000000000000"},
    {"op", "numeric", "9999.9999", "/", "numeric", "1.0001", "numeric:9999.0000000000000000"},
    {"op", "numeric", "0.5", "/", "numeric", "-0.25", "numeric:-2.0000000000000000"},
    {"op", "numeric", "7", "%", "numeric", "-2", "numeric:1"},
    {"op", "numeric", "-7", "%", "numeric", "-2", "numeric:-1"},
    {"op", "numeric", "7.5", "%", "numeric", "-2", "numeric:1.5"},
    {"op", "numeric", "-7.5", "%", "numeric", "2.25", "numeric:-0.75"},
    {"op", "numeric", "0.001", "%", "numeric", "0.0003", "numeric:0.0001"},
    {"op", "numeric", "10", "%", "numeric", "3.3", "numeric:0.1"},
    {"op", "numeric", "123456789012345678901234567890", "%", "numeric", "7", "numeric:0"},
    {"op", "int8", "-9223372036854775808", "%", "int8", "-1", "bigint:0"},
    {"op", "int4", "-2147483648", "%", "int4", "-1", "integer:0"},
    {"op", "int4", "-7", "%", "int4", "3", "integer:-1"},
    {"op", "int4", "7", "%", "int4", "-3", "integer:1"},
    {"op", "int8", "9223372036854775807", "+", "int4", "1", "ERR 22003 bigint out of range"},
    {"op", "int4", "2147483647", "*", "int4", "2", "ERR 22003 integer out of range"},
    {"op", "int4", "-2147483648", "/", "int4", "-1", "ERR 22003 integer out of range"},
    {"op", "int8", "3037000500", "*", "int8", "3037000500", "ERR 22003 bigint out of range"},
    {"op", "int4", "5", "/", "int8", "0", "ERR 22012 division by zero"},
    {"op", "int4", "5", "%", "numeric", "0", "ERR 22012 division by zero"},
    {"op", "float8", "5", "/", "int4", "0", "ERR 22012 division by zero"},
    {"op", "int4", "1", "/", "int4", "3", "integer:0"},
    {"op", "int4", "-1", "/", "int4", "3", "integer:0"},
    {"op", "numeric", "1.5", "+", "float8", "1", "double precision:2.5"},
    {"op", "int8", "1", "*", "float8", "1.5", "double precision:1.5"},
    {"op", "numeric", "1.5", "=", "float8", "1.5", "boolean:t"},
    {"op", "numeric", "0.1", "=", "float8", "0.1", "boolean:t"},
    {"op", "interval", "2147483647 days", "+", "interval", "1 day", "ERR 22008 interval out of range"},
    {"op", "interval", "1 day", "*", "float8", "1e20", "ERR 22008 interval out of range"},
    {"op", "timestamp", "294276-12-31", "+", "interval", "1 day", "ERR 22008 timestamp out of range"},
    {"op", "timestamp", "infinity", "-", "timestamp", "2024-01-01", "ERR 22008 cannot subtract infinite timestamps"},
    {"op", "timestamptz", "2024-01-01", "-", "interval", "P1Y", "timestamp with time zone:2023-01-01 00:00:00+00"},
    {"op", "interval", "1 mon", "/", "int4", "3", "interval:10 days"},
    {"op", "interval", "1 day 02:00", "/", "float8", "2", "interval:13:00:00"},
    {"op", "interval", "-1 mon -1 day", "*", "float8", "0.5", "interval:-15 days -12:00:00"},
    {"op", "interval", "01:00:00.000001", "*", "float8", "3.3", "interval:03:18:00.000003"},
    {"op", "interval", "1 year", "/", "float8", "7", "interval:1 mon 21 days 10:17:08.5344"},
    {"op", "interval", "29 days 23:59:59", "*", "float8", "1.0000001", "interval:29 days 23:59:59.2592"},
    {"op", "text", "a", "<", "text", "B", "boolean:f"},
    {"op", "text", "Z", "<", "text", "a", "boolean:t"},
    {"op", "text", "é", ">", "text", "e", "boolean:t"},
    {"cast", "numeric", "1.5", "int4", "", "", "2"},
    {"cast", "numeric", "1.5", "int8", "", "", "2"},
    {"cast", "float8", "1.5", "int4", "", "", "2"},
    {"cast", "float8", "1.5", "int8", "", "", "2"},
    {"cast", "numeric", "2.5", "int4", "", "", "3"},
    {"cast", "numeric", "2.5", "int8", "", "", "3"},
    {"cast", "float8", "2.5", "int4", "", "", "2"},
    {"cast", "float8", "2.5", "int8", "", "", "2"},
    {"cast", "numeric", "-1.5", "int4", "", "", "-2"},
    {"cast", "numeric", "-1.5", "int8", "", "", "-2"},
    {"cast", "float8", "-1.5", "int4", "", "", "-2"},
    {"cast", "float8", "-1.5", "int8", "", "", "-2"},
    {"cast", "numeric", "-2.5", "int4", "", "", "-3"},
    {"cast", "numeric", "-2.5", "int8", "", "", "-3"},
    {"cast", "float8", "-2.5", "int4", "", "", "-2"},
    {"cast", "float8", "-2.5", "int8", "", "", "-2"},
    {"cast", "numeric", "0.5", "int4", "", "", "1"},
    {"cast", "numeric", "0.5", "int8", "", "", "1"},
    {"cast", "float8", "0.5", "int4", "", "", "0"},
    {"cast", "float8", "0.5", "int8", "", "", "0"},
    {"cast", "numeric", "2147483647.4", "int4", "", "", "2147483647"},
    {"cast", "numeric", "2147483647.4", "int8", "", "", "2147483647"},
    {"cast", "float8", "2147483647.4", "int4", "", "", "2147483647"},
    {"cast", "float8", "2147483647.4", "int8", "", "", "2147483647"},
    {"cast", "numeric", "2147483647.5", "int4", "", "", "ERR 22003 integer out of range"},
    {"cast", "numeric", "2147483647.5", "int8", "", "", "2147483648"},
    {"cast", "float8", "2147483647.5", "int4", "", "", "ERR 22003 integer out of range"},
    {"cast", "float8", "2147483647.5", "int8", "", "", "2147483648"},
    {"cast", "numeric", "-2147483648.5", "int4", "", "", "ERR 22003 integer out of range"},
    {"cast", "numeric", "-2147483648.5", "int8", "", "", "-2147483649"},
    {"cast", "float8", "-2147483648.5", "int4", "", "", "-2147483648"},
    {"cast", "float8", "-2147483648.5", "int8", "", "", "-2147483648"},
    {"cast", "numeric", "1e20", "int4", "", "", "ERR 22003 integer out of range"},
    {"cast", "numeric", "1e20", "int8", "", "", "ERR 22003 bigint out of range"},
    {"cast", "float8", "1e20", "int4", "", "", "ERR 22003 integer out of range"},
    {"cast", "float8", "1e20", "int8", "", "", "ERR 22003 bigint out of range"},
    {"cast", "numeric", "0.49999", "int4", "", "", "0"},
    {"cast", "numeric", "0.49999", "int8", "", "", "0"},
    {"cast", "float8", "0.49999", "int4", "", "", "0"},
    {"cast", "float8", "0.49999", "int8", "", "", "0"},
    {"cast", "numeric", "9223372036854775807", "int8", "", "", "9223372036854775807"},
    {"cast", "numeric", "9223372036854775808", "int8", "", "", "ERR 22003 bigint out of range"},
    {"cast", "numeric", "-9223372036854775808.4", "int8", "", "", "-9223372036854775808"},
    {"cast", "numeric", "-9223372036854775808.5", "int8", "", "", "ERR 22003 bigint out of range"},
    {"cast", "float8", "9.2233720368547758e18", "int8", "", "", "ERR 22003 bigint out of range"},
    {"cast", "float8", "9.2233720368547758e18", "int4", "", "", "ERR 22003 integer out of range"},
    {"cast", "float8", "-9.2233720368547758e18", "int8", "", "", "-9223372036854775808"},
    {"cast", "float8", "-9.2233720368547758e18", "int4", "", "", "ERR 22003 integer out of range"},
    {"cast", "float8", "NaN", "int8", "", "", "ERR 22003 bigint out of range"},
    {"cast", "float8", "NaN", "int4", "", "", "ERR 22003 integer out of range"},
    {"cast", "float8", "Infinity", "int8", "", "", "ERR 22003 bigint out of range"},
    {"cast", "float8", "Infinity", "int4", "", "", "ERR 22003 integer out of range"},
    {"cast", "float8", "0.1", "numeric", "", "", "0.1"},
    {"cast", "float8", "1.5", "numeric", "", "", "1.5"},
    {"cast", "float8", "123456789.123456789", "numeric", "", "", "123456789.123457"},
    {"cast", "float8", "1e20", "numeric", "", "", "100000000000000000000"},
    {"cast", "float8", "1e-20", "numeric", "", "", "0.00000000000000000001"},
    {"cast", "float8", "3.141592653589793", "numeric", "", "", "3.14159265358979"},
    {"cast", "float8", "100", "numeric", "", "", "100"},
    {"cast", "float8", "1.23456789012345678e-5", "numeric", "", "", "0.0000123456789012346"},
    {"cast", "numeric", "1.50", "float8", "", "", "1.5"},
    {"cast", "numeric", "1.50", "text", "", "", "1.50"},
    {"cast", "numeric", "0.1", "float8", "", "", "0.1"},
    {"cast", "numeric", "0.1", "text", "", "", "0.1"},
    {"cast", "numeric", "-0.000", "float8", "", "", "0"},
    {"cast", "numeric", "-0.000", "text", "", "", "0.000"},
    {"cast", "numeric", "12345678901234567890.123456789", "float8", "", "", "1.2345678901234567e+19"},
    {"cast", "numeric", "12345678901234567890.123456789", "text", "", "", "12345678901234567890.123456789"},
    {"cast", "numeric", "99999999999999999999999999999999999999", "float8", "", "", "1e+38"},
    {"cast", "numeric", "99999999999999999999999999999999999999", "text", "", "", "99999999999999999999999999999999999999"},
    {"cast", "int8", "2147483648", "int4", "", "", "ERR 22003 integer out of range"},
    {"cast", "int8", "2147483648", "numeric", "", "", "2147483648"},
    {"cast", "int8", "2147483648", "float8", "", "", "2147483648"},
    {"cast", "int8", "-5", "int4", "", "", "-5"},
    {"cast", "int8", "-5", "numeric", "", "", "-5"},
    {"cast", "int8", "-5", "float8", "", "", "-5"},
    {"cast", "int4", "5", "bool", "", "", "t"},
    {"cast", "int4", "0", "bool", "", "", "f"},
    {"cast", "bool", "t", "int4", "", "", "1"},
    {"cast", "bool", "f", "int4", "", "", "0"},
    {"cast", "bool", "t", "text", "", "", "true"},
    {"cast", "int8", "1", "bool", "", "", "ERR 42846 cannot cast type bigint to boolean"},
    {"cast", "bool", "t", "int8", "", "", "ERR 42846 cannot cast type boolean to bigint"},
    {"cast", "text", "abc", "int4", "", "", "ERR 22P02 invalid input syntax for type integer: \"abc\""},
    {"cast", "text", " 12 ", "int4", "", "", "12"},
    {"cast", "text", "1.5", "numeric", "", "", "1.5"},
    {"cast", "text", "yes", "bool", "", "", "t"},
    {"cast", "text", "2024-01-02 03:04:05+05", "timestamptz", "", "", "2024-01-01 22:04:05+00"},
    {"cast", "text", "1 day", "interval", "", "", "1 day"},
    {"cast", "timestamp", "2024-01-02 03:04:05", "timestamptz", "", "", "2024-01-02 03:04:05+00"},
    {"cast", "timestamptz", "2024-01-02 03:04:05+05", "timestamp", "", "", "2024-01-01 22:04:05"},
    {"cast", "timestamp", "2024-01-02 03:04:05", "text", "", "", "2024-01-02 03:04:05"},
    {"cast", "interval", "1 day", "text", "", "", "1 day"},
    {"cast", "timestamp", "2024-01-02", "int4", "", "", "ERR 42846 cannot cast type timestamp without time zone to integer"},
    {"cast", "interval", "1 day", "timestamp", "", "", "ERR 42846 cannot cast type interval to timestamp without time zone"},
    {"cast", "float8", "0.1", "text", "", "", "0.1"},
    {"cast", "float8", "1e100", "text", "", "", "1e+100"},
    {"cast", "bool", "t", "float8", "", "", "ERR 42846 cannot cast type boolean to double precision"},
    {"cast", "numeric", "1", "bool", "", "", "ERR 42846 cannot cast type numeric to boolean"},
    {"bin", "int4", "0", "", "", "", "\\x00000000"},
    {"bin", "int4", "1", "", "", "", "\\x00000001"},
    {"bin", "int4", "-1", "", "", "", "\\xffffffff"},
    {"bin", "int4", "2147483647", "", "", "", "\\x7fffffff"},
    {"bin", "int8", "0", "", "", "", "\\x0000000000000000"},
    {"bin", "int8", "-2", "", "", "", "\\xfffffffffffffffe"},
    {"bin", "int8", "9223372036854775807", "", "", "", "\\x7fffffffffffffff"},
    {"bin", "float8", "0", "", "", "", "\\x0000000000000000"},
    {"bin", "float8", "1.5", "", "", "", "\\x3ff8000000000000"},
    {"bin", "float8", "-0", "", "", "", "\\x8000000000000000"},
    {"bin", "float8", "NaN", "", "", "", "\\x7ff8000000000000"},
    {"bin", "float8", "Infinity", "", "", "", "\\x7ff0000000000000"},
    {"bin", "bool", "t", "", "", "", "\\x01"},
    {"bin", "bool", "f", "", "", "", "\\x00"},
    {"bin", "numeric", "0", "", "", "", "\\x0000000000000000"},
    {"bin", "numeric", "0.00", "", "", "", "\\x0000000000000002"},
    {"bin", "numeric", "1", "", "", "", "\\x00010000000000000001"},
    {"bin", "numeric", "-1", "", "", "", "\\x00010000400000000001"},
    {"bin", "numeric", "1.50", "", "", "", "\\x000200000000000200011388"},
    {"bin", "numeric", "10000", "", "", "", "\\x00010001000000000001"},
    {"bin", "numeric", "12345.6789", "", "", "", "\\x0003000100000004000109291a85"},
    {"bin", "numeric", "0.0001", "", "", "", "\\x0001ffff000000040001"},
    {"bin", "numeric", "0.00001", "", "", "", "\\x0001fffe0000000503e8"},
    {"bin", "numeric", "-123456789012345678.12345", "", "", "", "\\x0007000440000005000c0d801ed204d2162e04d21388"},
    {"bin", "numeric", "99999999999999999999999999999999999999", "", "", "", "\\x000a0009000000000063270f270f270f270f270f270f270f270f270f"},
    {"bin", "numeric", "1e20", "", "", "", "\\x00010005000000000001"},
    {"bin", "numeric", "0.12345678901234567890123456789012", "", "", "", "\\x0008ffff0000002004d2162e23340d801ed204d2162e2334"},
    {"bin", "numeric", "100000000", "", "", "", "\\x00010002000000000001"},
    {"bin", "numeric", "0.1", "", "", "", "\\x0001ffff0000000103e8"},
    {"bin", "numeric", "-0.5", "", "", "", "\\x0001ffff400000011388"},
    {"bin", "text", "abc", "", "", "", "\\x616263"},
    {"bin", "text", "", "", "", "", "\\x"},
    {"bin", "timestamp", "2024-01-02 03:04:05.123456", "", "", "", "\\x0002b0ec8517d580"},
    {"bin", "timestamp", "infinity", "", "", "", "\\x7fffffffffffffff"},
    {"bin", "timestamp", "1999-01-01", "", "", "", "\\xffffe35173ec2000"},
    {"bin", "timestamptz", "2024-01-02 03:04:05+02", "", "", "", "\\x0002b0ead7eeab40"},
    {"bin", "interval", "1 year 2 mons 3 days 04:05:06.5", "", "", "", "\\x000000036c9361a0000000030000000e"},
    {"bin", "interval", "-1 day", "", "", "", "\\x0000000000000000ffffffff00000000"},
    {"in", "numeric", "12e3", "", "", "", "12000"},
    {"in", "numeric", "1.23e1", "", "", "", "12.3"},
    {"in", "numeric", "00000000000000000000000000000000000000000001.5", "", "", "", "1.5"},
    {"in", "numeric", "1.e2", "", "", "", "100"},
    {"in", "timestamp", "01/02/2024", "", "", "", "2024-01-02 00:00:00"},
    {"in", "timestamptz", "01/02/2024", "", "", "", "2024-01-02 00:00:00+00"},
    {"in", "timestamp", "1/2/2024 03:04:05", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "1/2/2024 03:04:05", "", "", "", "2024-01-02 03:04:05+00"},
    {"in", "timestamp", "12/31/99", "", "", "", "1999-12-31 00:00:00"},
    {"in", "timestamptz", "12/31/99", "", "", "", "1999-12-31 00:00:00+00"},
    {"in", "timestamp", "01/02/24", "", "", "", "2024-01-02 00:00:00"},
    {"in", "timestamptz", "01/02/24", "", "", "", "2024-01-02 00:00:00+00"},
    {"in", "timestamp", "2024/01/02", "", "", "", "2024-01-02 00:00:00"},
    {"in", "timestamptz", "2024/01/02", "", "", "", "2024-01-02 00:00:00+00"},
    {"in", "timestamp", "01-02-2024", "", "", "", "2024-01-02 00:00:00"},
    {"in", "timestamptz", "01-02-2024", "", "", "", "2024-01-02 00:00:00+00"},
    {"in", "timestamp", "13/01/2024", "", "", "", "ERR 22008 date/time field value out of range: \"13/01/2024\""},
    {"in", "timestamptz", "13/01/2024", "", "", "", "ERR 22008 date/time field value out of range: \"13/01/2024\""},
    {"in", "timestamp", "01/32/2024", "", "", "", "ERR 22008 date/time field value out of range: \"01/32/2024\""},
    {"in", "timestamptz", "01/32/2024", "", "", "", "ERR 22008 date/time field value out of range: \"01/32/2024\""},
    {"in", "timestamp", "2024/1/2 10:00", "", "", "", "2024-01-02 10:00:00"},
    {"in", "timestamptz", "2024/1/2 10:00", "", "", "", "2024-01-02 10:00:00+00"},
    {"in", "timestamp", "1/2/3", "", "", "", "2003-01-02 00:00:00"},
    {"in", "timestamptz", "1/2/3", "", "", "", "2003-01-02 00:00:00+00"},
    {"in", "timestamp", "02/29/2023", "", "", "", "ERR 22008 date/time field value out of range: \"02/29/2023\""},
    {"in", "timestamptz", "02/29/2023", "", "", "", "ERR 22008 date/time field value out of range: \"02/29/2023\""},
    {"in", "timestamp", "24-01-02", "", "", "", "ERR 22008 date/time field value out of range: \"24-01-02\""},
    {"in", "timestamptz", "24-01-02", "", "", "", "ERR 22008 date/time field value out of range: \"24-01-02\""},
    {"in", "timestamp", "2024-1-2", "", "", "", "2024-01-02 00:00:00"},
    {"in", "timestamptz", "2024-1-2", "", "", "", "2024-01-02 00:00:00+00"},
    {"in", "timestamp", "99999-01-01", "", "", "", "99999-01-01 00:00:00"},
    {"in", "timestamptz", "99999-01-01", "", "", "", "99999-01-01 00:00:00+00"},
    {"in", "timestamp", "2024-01-02 03:04:05.123456789", "", "", "", "2024-01-02 03:04:05.123457"},
    {"in", "timestamptz", "2024-01-02 03:04:05.123456789", "", "", "", "2024-01-02 03:04:05.123457+00"},
    {"in", "timestamp", "2024-01-02T03:04:05.5Z", "", "", "", "2024-01-02 03:04:05.5"},
    {"in", "timestamptz", "2024-01-02T03:04:05.5Z", "", "", "", "2024-01-02 03:04:05.5+00"},
    {"in", "timestamp", "2024-01-02 03:04:05 +02:00", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05 +02:00", "", "", "", "2024-01-02 01:04:05+00"},
    {"in", "timestamp", "2024-01-02 03:04:05+0200", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05+0200", "", "", "", "2024-01-02 01:04:05+00"},
    {"in", "timestamp", "2024-01-02 03:04:05-08", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05-08", "", "", "", "2024-01-02 11:04:05+00"},
    {"in", "timestamp", "2024-01-02 3:04:05", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 3:04:05", "", "", "", "2024-01-02 03:04:05+00"},
    {"in", "timestamp", "2024-01-02 03:04:05.999999", "", "", "", "2024-01-02 03:04:05.999999"},
    {"in", "timestamptz", "2024-01-02 03:04:05.999999", "", "", "", "2024-01-02 03:04:05.999999+00"},
    {"in", "timestamp", "2024-01-02 03:04:05.9999995", "", "", "", "2024-01-02 03:04:06"},
    {"in", "timestamptz", "2024-01-02 03:04:05.9999995", "", "", "", "2024-01-02 03:04:06+00"},
    {"in", "timestamp", "Jan 2, 2024", "", "", "", "2024-01-02 00:00:00"},
    {"in", "timestamptz", "Jan 2, 2024", "", "", "", "2024-01-02 00:00:00+00"},
    {"in", "timestamp", "January 2 2024 10:00", "", "", "", "2024-01-02 10:00:00"},
    {"in", "timestamptz", "January 2 2024 10:00", "", "", "", "2024-01-02 10:00:00+00"},
    {"in", "timestamp", "2 Jan 2024", "", "", "", "2024-01-02 00:00:00"},
    {"in", "timestamptz", "2 Jan 2024", "", "", "", "2024-01-02 00:00:00+00"},
    {"in", "timestamp", "2024-Jan-02", "", "", "", "2024-01-02 00:00:00"},
    {"in", "timestamptz", "2024-Jan-02", "", "", "", "2024-01-02 00:00:00+00"},
    {"in", "timestamp", "20240102", "", "", "", "2024-01-02 00:00:00"},
    {"in", "timestamptz", "20240102", "", "", "", "2024-01-02 00:00:00+00"},
    {"in", "timestamp", "20240102 030405", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "20240102 030405", "", "", "", "2024-01-02 03:04:05+00"},
    {"in", "timestamp", "2024-01-02 03:04:05 z", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05 z", "", "", "", "2024-01-02 03:04:05+00"},
    {"in", "timestamp", "2024-01-02 03:04:05 Z", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05 Z", "", "", "", "2024-01-02 03:04:05+00"},
    {"in", "timestamp", "2024-01-02 03:04:05+15:59", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05+15:59", "", "", "", "2024-01-01 11:05:05+00"},
    {"in", "timestamp", "2024-01-02 03:04:05+16", "", "", "", "ERR 22009 time zone displacement out of range: \"2024-01-02 03:04:05+16\""},
    {"in", "timestamptz", "2024-01-02 03:04:05+16", "", "", "", "ERR 22009 time zone displacement out of range: \"2024-01-02 03:04:05+16\""},
    {"in", "timestamp", "2024-01-02 03:04:05.+02", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05.+02", "", "", "", "2024-01-02 01:04:05+00"},
    {"in", "timestamp", "2024-01-02 allballs", "", "", "", "2024-01-02 00:00:00"},
    {"in", "timestamptz", "2024-01-02 allballs", "", "", "", "2024-01-02 00:00:00+00"},
    {"in", "timestamp", "2024-01-02 03:04:05 GMT", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05 GMT", "", "", "", "2024-01-02 03:04:05+00"},
    {"in", "timestamp", "2024-01-02 03:04:05 utc", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05 utc", "", "", "", "2024-01-02 03:04:05+00"},
    {"in", "timestamp", "2024-01-02 03:04:05 -1", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05 -1", "", "", "", "2024-01-02 04:04:05+00"},
    {"in", "timestamp", "2024-01-02 03:04:05+02:30:15", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05+02:30:15", "", "", "", "2024-01-02 00:33:50+00"},
    {"in", "timestamp", "2024-01-02 03:04:05 AD", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02 03:04:05 AD", "", "", "", "2024-01-02 03:04:05+00"},
    {"in", "timestamp", "2024-01-02T03:04:05+02", "", "", "", "2024-01-02 03:04:05"},
    {"in", "timestamptz", "2024-01-02T03:04:05+02", "", "", "", "2024-01-02 01:04:05+00"},
    {"in", "timestamp", "1-01-01", "", "", "", "2001-01-01 00:00:00"},
    {"in", "timestamptz", "1-01-01", "", "", "", "2001-01-01 00:00:00+00"},
    {"in", "timestamp", "0001-01-01 BC", "", "", "", "0001-01-01 00:00:00 BC"},
    {"in", "timestamptz", "0001-01-01 BC", "", "", "", "0001-01-01 00:00:00+00 BC"},
    {"in", "timestamp", "2024-06-15 00:00:00 bc", "", "", "", "2024-06-15 00:00:00 BC"},
    {"in", "timestamptz", "2024-06-15 00:00:00 bc", "", "", "", "2024-06-15 00:00:00+00 BC"},
    {"in", "timestamp", "-infinity ", "", "", "", "-infinity"},
    {"in", "timestamptz", "-infinity ", "", "", "", "-infinity"},
    {"in", "timestamp", "Infinity", "", "", "", "infinity"},
    {"in", "timestamptz", "Infinity", "", "", "", "infinity"},
    {"in", "timestamp", "INFINITY", "", "", "", "infinity"},
    {"in", "timestamptz", "INFINITY", "", "", "", "infinity"},
    {"in", "timestamp", "+infinity", "", "", "", "ERR 22007 invalid input syntax for type timestamp: \"+infinity\""},
    {"in", "timestamptz", "+infinity", "", "", "", "ERR 22007 invalid input syntax for type timestamp with time zone: \"+infinity\""},
    {"in", "interval", "1 yr", "", "", "", "1 year"},
    {"in", "interval", "1 mon 2 d", "", "", "", "1 mon 2 days"},
    {"in", "interval", "-1 year +2 mons", "", "", "", "-10 mons"},
    {"in", "interval", "1 year -1 mons", "", "", "", "11 mons"},
    {"in", "interval", "PT0S", "", "", "", "00:00:00"},
    {"in", "interval", "P0D", "", "", "", "00:00:00"},
    {"in", "interval", "1 day 25:00:00", "", "", "", "1 day 25:00:00"},
    {"in", "interval", "00:00:00.000001", "", "", "", "00:00:00.000001"},
    {"in", "interval", "-0.5 seconds", "", "", "", "-00:00:00.5"},
    {"in", "interval", "1e3 seconds", "", "", "", "ERR 22007 invalid input syntax for type interval: \"1e3 seconds\""},
    {"in", "interval", "1 day -25:00:00", "", "", "", "1 day -25:00:00"},
    {"in", "interval", "+1 day", "", "", "", "1 day"},
    {"in", "interval", "  1 day  ", "", "", "", "1 day"},
    {"in", "interval", "1day", "", "", "", "1 day"},
    {"in", "interval", "1d2h", "", "", "", "1 day 02:00:00"},
    {"in", "interval", "1 mons 2 years", "", "", "", "2 years 1 mon"},
    {"in", "interval", "1 year 2 mons 3 days 4 hours 5 minutes 6 seconds", "", "", "", "1 year 2 mons 3 days 04:05:06"},
    {"in", "interval", "-1 year -2 mons -3 days -04:05:06", "", "", "", "-1 years -2 mons -3 days -04:05:06"},
    {"in", "interval", "1:2:3", "", "", "", "01:02:03"},
    {"in", "interval", "100:00:00", "", "", "", "100:00:00"},
    {"in", "interval", "-100:00:00.5", "", "", "", "-100:00:00.5"},
    {"in", "interval", "1 day 00:00:00.0000005", "", "", "", "1 day"},
    {"in", "interval", "0.0000005 seconds", "", "", "", "00:00:00"},
    {"in", "interval", "1.999999999 seconds", "", "", "", "00:00:02"},
    {"in", "interval", "P1.5Y", "", "", "", "1 year 6 mons"},
    {"in", "interval", "P1M1.5D", "", "", "", "1 mon 1 day 12:00:00"},
    {"in", "interval", "PT1H30M", "", "", "", "01:30:00"},
    {"in", "interval", "P1Y-2M", "", "", "", "10 mons"},
    {"in", "interval", "PT-1S", "", "", "", "-00:00:01"},
    {"in", "interval", "P", "", "", "", "ERR 22007 invalid input syntax for type interval: \"P\""},
    {"in", "interval", "PT", "", "", "", "00:00:00"},
    {"in", "interval", "1 week 2 weeks", "", "", "", "ERR 22007 invalid input syntax for type interval: \"1 week 2 weeks\""},
    {"in", "interval", "2 hours 30 minutes ago", "", "", "", "-02:30:00"},
    {"in", "interval", "1.5 weeks", "", "", "", "10 days 12:00:00"},
    {"in", "interval", "0.1 years", "", "", "", "1 mon"},
    {"in", "interval", "0.01 months", "", "", "", "07:12:00"},
    {"in", "interval", "1 millennium 1 century", "", "", "", "1100 years"},
    {"in", "interval", "5 mil", "", "", "", "5000 years"},
    {"in", "interval", "17 millisecond", "", "", "", "00:00:00.017"},
    {"in", "interval", "3 mons 4 mon", "", "", "", "ERR 22007 invalid input syntax for type interval: \"3 mons 4 mon\""},
    {"in", "float8", "1e-310", "", "", "", "1e-310"},
    {"in", "float8", "-1e-400", "", "", "", "ERR 22003 \"-1e-400\" is out of range for type double precision"},
    {"in", "float8", "  nan  ", "", "", "", "NaN"},
    {"in", "float8", "InFiNiTy", "", "", "", "Infinity"},
    {"in", "float8", "1.7976931348623159e308", "", "", "", "ERR 22003 \"1.7976931348623159e308\" is out of range for type double precision"},
    {"in", "float8", "-0.0", "", "", "", "-0"},
    {"in", "float8", "1e+308", "", "", "", "1e+308"},
    {"in", "float8", "+.5", "", "", "", "0.5"},
    {"in", "float8", "5e", "", "", "", "ERR 22P02 invalid input syntax for type double precision: \"5e\""},
    {"in", "float8", "e5", "", "", "", "ERR 22P02 invalid input syntax for type double precision: \"e5\""},
    {"in", "float8", "1.5e+", "", "", "", "ERR 22P02 invalid input syntax for type double precision: \"1.5e+\""},
    {"in", "float8", "0x1p3", "", "", "", "8"},
    {"in", "float8", "nan(123)", "", "", "", "NaN"},
    {"in", "float8", "1_000", "", "", "", "ERR 22P02 invalid input syntax for type double precision: \"1_000\""},
    {"in", "float8", "1,5", "", "", "", "ERR 22P02 invalid input syntax for type double precision: \"1,5\""},
    {"in", "float8", "−1", "", "", "", "ERR 22P02 invalid input syntax for type double precision: \"−1\""},
    {"in", "int4", "+", "", "", "", "ERR 22P02 invalid input syntax for type integer: \"+\""},
    {"in", "int4", "-", "", "", "", "ERR 22P02 invalid input syntax for type integer: \"-\""},
    {"in", "int4", "0000000000000000000000001", "", "", "", "1"},
    {"in", "int4", "-0000000002147483648", "", "", "", "-2147483648"},
    {"in", "int4", "2147483647 ", "", "", "", "2147483647"},
    {"in", "int4", "", "5", "", "", "ERR 22P02 invalid input syntax for type integer: \"\""},
    {"in", "int4", " - 5", "", "", "", "ERR 22P02 invalid input syntax for type integer: \" - 5\""},
    {"in", "int4", "5-", "", "", "", "ERR 22P02 invalid input syntax for type integer: \"5-\""},
    {"in", "int4", "1e2", "", "", "", "ERR 22P02 invalid input syntax for type integer: \"1e2\""},
    {"in", "bool", "TRUE ", "", "", "", "t"},
    {"in", "bool", "ye", "", "", "", "t"},
    {"in", "bool", "nO", "", "", "", "f"},
    {"in", "bool", "0n", "", "", "", "ERR 22P02 invalid input syntax for type boolean: \"0n\""},
    {"in", "bool", "on ", "", "", "", "t"},
    {"in", "bool", "   ", "", "", "", "ERR 22P02 invalid input syntax for type boolean: \"   \""},
    {"in", "bool", "yes!", "", "", "", "ERR 22P02 invalid input syntax for type boolean: \"yes!\""},
    {"in", "bool", "11", "", "", "", "ERR 22P02 invalid input syntax for type boolean: \"11\""},
    {"in", "bool", "00", "", "", "", "ERR 22P02 invalid input syntax for type boolean: \"00\""},
    {"in", "interval", "00:00:60", "", "", "", "00:01:00"},
    {"in", "interval", "00:60:00", "", "", "", "ERR 22015 interval field value out of range: \"00:60:00\""},
    {"in", "interval", "1:30.5", "", "", "", "00:01:30.5"},
    {"in", "interval", "-1:30.5", "", "", "", "-00:01:30.5"},
    {"in", "interval", "1:30:45.5555555", "", "", "", "01:30:45.555556"},
    {"in", "interval", "1:2", "", "", "", "01:02:00"},
    {"in", "interval", "10:20:30:40", "", "", "", "ERR 22007 invalid input syntax for type interval: \"10:20:30:40\""},
    {"in", "interval", "1:30 ago", "", "", "", "-01:30:00"},
    {"in", "interval", "1.5:30", "", "", "", "ERR 22007 invalid input syntax for type interval: \"1.5:30\""},
    {"in", "interval", "1:30.5 1 day", "", "", "", "1 day 00:01:30.5"},
    {"in", "interval", "1 day 1:30.5", "", "", "", "1 day 00:01:30.5"},
    {"in", "interval", "P1Y2M", "", "", "", "1 year 2 mons"},
    {"in", "interval", "P1.5Y", "", "", "", "1 year 6 mons"},
    {"in", "interval", "P0.5M", "", "", "", "15 days"},
    {"in", "interval", "PT0.5H", "", "", "", "00:30:00"},
    {"in", "interval", "P1DT", "", "", "", "1 day"},
    {"in", "interval", "PT1H2M3.5S", "", "", "", "01:02:03.5"},
    {"in", "interval", "P2W", "", "", "", "14 days"},
    {"in", "interval", "P1Y2M3W4DT5H6M7S", "", "", "", "1 year 2 mons 25 days 05:06:07"},
    {"in", "interval", "PT36H", "", "", "", "36:00:00"},
    {"in", "interval", "P-1D", "", "", "", "-1 days"},
    {"in", "interval", "P1D1D", "", "", "", "2 days"},
    {"in", "interval", "1 us 1 ms", "", "", "", "00:00:00.001001"},
    {"in", "interval", "9223372036854 seconds", "", "", "", "2562047788:00:54"},
    {"in", "interval", "9223372037 seconds", "", "", "", "2562047:47:17"},
    {"in", "interval", "2147483647 months", "", "", "", "178956970 years 7 mons"},
    {"in", "interval", "2147483648 months", "", "", "", "ERR 22015 interval field value out of range: \"2147483648 months\""},
    {"in", "interval", "2147483647 days 24:00:00", "", "", "", "2147483647 days 24:00:00"},
    {"in", "interval", "178956970 years", "", "", "", "178956970 years"},
    {"in", "interval", "1.5 centuries", "", "", "", "150 years"},
    {"in", "interval", "0.5 millennium", "", "", "", "500 years"},
    {"in", "interval", "1 mil 1 c", "", "", "", "1100 years"},
    {"in", "interval", "3 mons 1.5 weeks", "", "", "", "3 mons 10 days 12:00:00"},
    {"in", "interval", "0.000001 days", "", "", "", "00:00:00.0864"},
    {"in", "interval", "1e3 seconds", "", "", "", "ERR 22007 invalid input syntax for type interval: \"1e3 seconds\""},
    {"in", "interval", ".5 days", "", "", "", "12:00:00"},
    {"in", "interval", "1. days", "", "", "", "1 day"},
    {"op", "numeric", "-7.5", "%", "numeric", "2.25", "numeric:-0.75"},
    {"op", "timestamp", "2024-01-03 01:00", "-", "timestamp", "2024-01-01", "interval:2 days 01:00:00"},
    {"cast", "float8", "0.1", "numeric", "", "", "0.1"},
    {"op", "numeric", "123456789012345678", "/", "numeric", "1000", "numeric:123456789012345.6780"},
    {"op", "numeric", "99999999999999999999", "/", "numeric", "7", "numeric:14285714285714285714"},
    {"op", "numeric", "-7", "/", "numeric", "2", "numeric:-3.5000000000000000"},
    {"in", "float8", "1e23", "", "", "", "9.999999999999999e+22"},
    {"in", "float8", "254339587748566788", "", "", "", "2.5433958774856678e+17"},
    {"in", "float8", "9007199254740993", "", "", "", "9.007199254740992e+15"},
    {"in", "float8", "2.2250738585072011e-308", "", "", "", "2.225073858507201e-308"},
    {"in", "float8", "4.9406564584124654e-324", "", "", "", "5e-324"},
    {"in", "float8", "1.7976931348623157e308", "", "", "", "1.7976931348623157e+308"},
    {"cast", "numeric", "254339587748566788", "float8", "", "", "2.5433958774856678e+17"},
    {"cast", "numeric", "-53264811226942467.9", "float8", "", "", "-5.3264811226942464e+16"},
    {"cast", "numeric", "-97.648536", "float8", "", "", "-97.648536"},
    {"cast", "numeric", "0.1", "float8", "", "", "0.1"},
    {"in", "float8", "2.0951218323850843e-171", "", "", "", "2.0951218323850843e-171"},
    {"in", "float8", "-8.095896314512539e-11", "", "", "", "-8.095896314512539e-11"},
    {"in", "float8", "1.0271471865319853e-06", "", "", "", "1.0271471865319853e-06"},
    {"in", "float8", "1.3305406583752764e-136", "", "", "", "1.3305406583752764e-136"},
    {"in", "float8", "2.7416277501616697e-182", "", "", "", "2.7416277501616697e-182"},
    {"in", "float8", "-6.4576804899972755e-12", "", "", "", "-6.4576804899972755e-12"},
    {"in", "float8", "-9.936982866895821e-253", "", "", "", "-9.936982866895821e-253"},
    {"in", "float8", "-4.4342582195166703e-197", "", "", "", "-4.4342582195166703e-197"},
    {"in", "float8", "1.7897179706846397e-269", "", "", "", "1.7897179706846397e-269"},
    {"in", "float8", "3.8920410665109616e-193", "", "", "", "3.8920410665109616e-193"},
    {"in", "float8", "8.3815053749933375e-22", "", "", "", "8.3815053749933375e-22"},
    {"in", "float8", "-7.0366560133932934e-183", "", "", "", "-7.0366560133932934e-183"},
    {"in", "float8", "-3.74346981262903e-233", "", "", "", "-3.74346981262903e-233"},
    {"in", "float8", "-2.6063073077576445e-42", "", "", "", "-2.6063073077576445e-42"},
    {"in", "float8", "-2.025077774461046e-60", "", "", "", "-2.025077774461046e-60"},
    {"in", "float8", "2.2243541059934106e+209", "", "", "", "2.2243541059934106e+209"},
    {"in", "float8", "8.566174015121906e+245", "", "", "", "8.566174015121906e+245"},
    {"in", "float8", "1.2205071412701158e+35", "", "", "", "1.2205071412701158e+35"},
    {"in", "float8", "-2.6438463592029654e+147", "", "", "", "-2.6438463592029654e+147"},
    {"in", "float8", "-147741606739.80563", "", "", "", "-147741606739.80563"},
    {"in", "float8", "8.168892449408124e-112", "", "", "", "8.168892449408124e-112"},
    {"in", "float8", "1.3850822627547856e+213", "", "", "", "1.3850822627547856e+213"},
    {"in", "float8", "4.82268694405258e+34", "", "", "", "4.82268694405258e+34"},
    {"in", "float8", "3.4530976632468286e-43", "", "", "", "3.4530976632468286e-43"},
    {"in", "float8", "-9.165411812000722e+16", "", "", "", "-9.165411812000722e+16"},
    {"in", "float8", "1.245102053364068e-182", "", "", "", "1.245102053364068e-182"},
    {"in", "float8", "3.3242704709371837e+160", "", "", "", "3.3242704709371837e+160"},
    {"in", "float8", "5.013479291044358e+134", "", "", "", "5.013479291044358e+134"},
    {"in", "float8", "1.4520725756704513e+116", "", "", "", "1.4520725756704513e+116"},
    {"in", "float8", "1.7033882668101804e+18", "", "", "", "1.7033882668101804e+18"},
    {"in", "float8", "4.2048429468447037e-255", "", "", "", "4.2048429468447037e-255"},
    {"in", "float8", "3.467722627586937e+258", "", "", "", "3.467722627586937e+258"},
    {"in", "float8", "9.606020282432862e-155", "", "", "", "9.606020282432862e-155"},
    {"in", "float8", "-5.796532266416865e+212", "", "", "", "-5.796532266416865e+212"},
    {"in", "float8", "1.678285985249165e-211", "", "", "", "1.678285985249165e-211"},
    {"in", "float8", "3.559636223270555e+53", "", "", "", "3.559636223270555e+53"},
    {"in", "float8", "-4.6645554400601785e-150", "", "", "", "-4.6645554400601785e-150"},
    {"in", "float8", "-2.135058088242266e+167", "", "", "", "-2.135058088242266e+167"},
    {"in", "float8", "9.356124026369747e+137", "", "", "", "9.356124026369747e+137"},
    {"in", "float8", "1.4616374818865636e-71", "", "", "", "1.4616374818865636e-71"},
    {"in", "float8", "6.563083173032833e-223", "", "", "", "6.563083173032833e-223"},
    {"in", "float8", "-8.167670639936238e-110", "", "", "", "-8.167670639936238e-110"},
    {"in", "float8", "-5.894277366020282e+28", "", "", "", "-5.894277366020282e+28"},
    {"in", "float8", "-2.2879781783174108e+290", "", "", "", "-2.2879781783174108e+290"},
    {"in", "float8", "-1.5320485900097169e+130", "", "", "", "-1.5320485900097169e+130"},
    {"in", "float8", "-8.718367338387145e+143", "", "", "", "-8.718367338387145e+143"},
    {"in", "float8", "5.615294812803369e+160", "", "", "", "5.615294812803369e+160"},
    {"in", "float8", "1.3386940453763434e+251", "", "", "", "1.3386940453763434e+251"},
    {"in", "float8", "-1.0867783350916245e+104", "", "", "", "-1.0867783350916245e+104"},
    {"in", "float8", "4.193850584025333e-108", "", "", "", "4.193850584025333e-108"},
    {"in", "float8", "1.3184601271006646e+130", "", "", "", "1.3184601271006646e+130"},
    {"in", "float8", "-7.589510292596495e-99", "", "", "", "-7.589510292596495e-99"},
    {"in", "float8", "-8.244271582479788e-60", "", "", "", "-8.244271582479788e-60"},
    {"in", "float8", "-2.3868090177693467e-82", "", "", "", "-2.3868090177693467e-82"},
    {"in", "float8", "1.2966323984861066e-220", "", "", "", "1.2966323984861066e-220"},
    {"in", "float8", "-3.0687485613600386e-142", "", "", "", "-3.0687485613600386e-142"},
    {"in", "float8", "-1.4242108461895417e-266", "", "", "", "-1.4242108461895417e-266"},
    {"in", "float8", "8.323457810214681e-07", "", "", "", "8.323457810214681e-07"},
    {"in", "float8", "1.1161471541231893e+262", "", "", "", "1.1161471541231893e+262"},
    {"in", "float8", "8.251096635205119e+24", "", "", "", "8.251096635205119e+24"},
    {"in", "float8", "-3.8671756152934776e+216", "", "", "", "-3.8671756152934776e+216"},
    {"in", "float8", "-1.1823738097582057e-76", "", "", "", "-1.1823738097582057e-76"},
    {"in", "float8", "7.258620922929537e-38", "", "", "", "7.258620922929537e-38"},
    {"in", "float8", "8.226917945376994e+91", "", "", "", "8.226917945376994e+91"},
    {"in", "float8", "-7.649496141266471e+22", "", "", "", "-7.649496141266471e+22"},
    {"in", "float8", "1.07674805660699e-239", "", "", "", "1.07674805660699e-239"},
    {"in", "float8", "-7.024176083378e+88", "", "", "", "-7.024176083378e+88"},
    {"in", "float8", "-1.582660714409593e+68", "", "", "", "-1.582660714409593e+68"},
    {"in", "float8", "5.095054541992547e+186", "", "", "", "5.095054541992547e+186"},
    {"in", "float8", "4.679370861704191e-227", "", "", "", "4.679370861704191e-227"},
    {"in", "float8", "-2.952890315556057e+201", "", "", "", "-2.952890315556057e+201"},
    {"in", "float8", "-7.898799691876229e-226", "", "", "", "-7.898799691876229e-226"},
    {"in", "float8", "-5.792462950956992e-40", "", "", "", "-5.792462950956992e-40"},
    {"in", "float8", "1.6800859605326646e-46", "", "", "", "1.6800859605326646e-46"},
    {"in", "float8", "4.159959987622664e+307", "", "", "", "4.159959987622664e+307"},
    {"in", "float8", "-2.4503972203962515e+166", "", "", "", "-2.4503972203962515e+166"},
    {"in", "float8", "-1.5796829239534463e-132", "", "", "", "-1.5796829239534463e-132"},
    {"in", "float8", "1.6934683536267014e-132", "", "", "", "1.6934683536267014e-132"},
    {"in", "float8", "1.6559804592749677e-136", "", "", "", "1.6559804592749677e-136"},
    {"in", "float8", "-1.4065528799869823e-06", "", "", "", "-1.4065528799869823e-06"},
    {"in", "float8", "-1.3422246071941552e-260", "", "", "", "-1.3422246071941552e-260"},
    {"in", "float8", "-0.00043177750491108966", "", "", "", "-0.00043177750491108966"},
    {"in", "float8", "2.106642606929706e+220", "", "", "", "2.106642606929706e+220"},
    {"in", "float8", "-1.1470890870591953e-205", "", "", "", "-1.1470890870591953e-205"},
    {"in", "float8", "2.5863071086748713e+138", "", "", "", "2.5863071086748713e+138"},
    {"in", "float8", "-1.836947844852446e+305", "", "", "", "-1.836947844852446e+305"},
    {"in", "float8", "4.3177571040872257e-138", "", "", "", "4.3177571040872257e-138"},
    {"in", "float8", "3.8598070117921536e+300", "", "", "", "3.8598070117921536e+300"},
    {"in", "float8", "-28248225.454550594", "", "", "", "-28248225.454550594"},
    {"in", "float8", "-2.0049783163468672e+137", "", "", "", "-2.0049783163468672e+137"},
    {"in", "float8", "3.2159693904950114e-120", "", "", "", "3.2159693904950114e-120"},
    {"in", "float8", "2.1393860326607225e-111", "", "", "", "2.1393860326607225e-111"},
    {"in", "float8", "-4.024931344241379e-86", "", "", "", "-4.024931344241379e-86"},
    {"in", "float8", "-8.490197926236207e-190", "", "", "", "-8.490197926236207e-190"},
    {"in", "float8", "2.968757472477321e+166", "", "", "", "2.968757472477321e+166"},
    {"in", "float8", "-1.9739398412995776e-190", "", "", "", "-1.9739398412995776e-190"},
    {"in", "float8", "1.4955055043668465e+269", "", "", "", "1.4955055043668465e+269"},
    {"in", "float8", "114.70193659145174", "", "", "", "114.70193659145174"},
    {"in", "float8", "-4.748749207901759e-243", "", "", "", "-4.748749207901759e-243"},
    {"in", "float8", "-3.896695777943321e+237", "", "", "", "-3.896695777943321e+237"},
    {"in", "float8", "-2.3177410540259095e-86", "", "", "", "-2.3177410540259095e-86"},
    {"in", "float8", "2.041660407621346e-167", "", "", "", "2.041660407621346e-167"},
    {"in", "float8", "-3.2240950631056824e+166", "", "", "", "-3.2240950631056824e+166"},
    {"in", "float8", "-25.52759608414199", "", "", "", "-25.52759608414199"},
    {"in", "float8", "-1.7837587430587904e+23", "", "", "", "-1.7837587430587904e+23"},
    {"in", "float8", "3.2676659166754727e+111", "", "", "", "3.2676659166754727e+111"},
    {"in", "float8", "9.01506905481487e+53", "", "", "", "9.01506905481487e+53"},
    {"in", "float8", "1.1786821722610887e-113", "", "", "", "1.1786821722610887e-113"},
    {"in", "float8", "1.178254358525722e-304", "", "", "", "1.178254358525722e-304"},
    {"in", "float8", "-8.132597761024621e-35", "", "", "", "-8.132597761024621e-35"},
    {"in", "float8", "-8.520091409223985e-38", "", "", "", "-8.520091409223985e-38"},
    {"in", "float8", "-8.022198942692217e+273", "", "", "", "-8.022198942692217e+273"},
    {"in", "float8", "-1124309963951403.9", "", "", "", "-1.1243099639514039e+15"},
    {"in", "float8", "-3.4980529044740066e-299", "", "", "", "-3.4980529044740066e-299"},
    {"in", "float8", "1.8347594589229645e-177", "", "", "", "1.8347594589229645e-177"},
    {"in", "float8", "-3.668304105460948e-154", "", "", "", "-3.668304105460948e-154"},
    {"in", "float8", "-2.274315864675084e+113", "", "", "", "-2.274315864675084e+113"},
    {"in", "float8", "-3.314153628112636e-299", "", "", "", "-3.314153628112636e-299"},
    {"in", "float8", "2.1147037486459785e-63", "", "", "", "2.1147037486459785e-63"},
    {"in", "float8", "1.29982709049588e+153", "", "", "", "1.29982709049588e+153"},
    {"in", "float8", "1.814800752632115e-109", "", "", "", "1.814800752632115e-109"},
    {"in", "float8", "-1.758397432924142e+251", "", "", "", "-1.758397432924142e+251"},
    {"in", "float8", "-8.685425564246797e+212", "", "", "", "-8.685425564246797e+212"},
    {"in", "float8", "-1.1808400899256044e+208", "", "", "", "-1.1808400899256044e+208"},
    {"in", "float8", "-1.1739856912546713e-186", "", "", "", "-1.1739856912546713e-186"},
    {"in", "float8", "3.395124447940739e+294", "", "", "", "3.395124447940739e+294"},
    {"in", "float8", "1.0020968945400877e-170", "", "", "", "1.0020968945400877e-170"},
    {"in", "float8", "4.213751945477872e+139", "", "", "", "4.213751945477872e+139"},
    {"in", "float8", "-2.9257055870874145e+290", "", "", "", "-2.9257055870874145e+290"},
    {"in", "float8", "-2.1389951016766622e+70", "", "", "", "-2.1389951016766622e+70"},
    {"in", "float8", "2.0425927740811072e-13", "", "", "", "2.0425927740811072e-13"},
    {"in", "float8", "1.1714470074011626e-11", "", "", "", "1.1714470074011626e-11"},
    {"in", "float8", "-1.2792243052488218e-225", "", "", "", "-1.2792243052488218e-225"},
    {"in", "float8", "1.5102982090575673e-211", "", "", "", "1.5102982090575673e-211"},
    {"in", "float8", "-1.0024148094036532e-22", "", "", "", "-1.0024148094036532e-22"},
    {"in", "float8", "-5.430534951698718e+81", "", "", "", "-5.430534951698718e+81"},
    {"in", "float8", "-2.6494211576190984e+281", "", "", "", "-2.6494211576190984e+281"},
    {"in", "float8", "-2.3798281943055612e-268", "", "", "", "-2.3798281943055612e-268"},
    {"in", "float8", "1.3306482485468789e-153", "", "", "", "1.3306482485468789e-153"},
    {"in", "float8", "-1.1138615326711302e-111", "", "", "", "-1.1138615326711302e-111"},
    {"in", "float8", "-1.1028893228890274e+243", "", "", "", "-1.1028893228890274e+243"},
    {"in", "float8", "4.743937927530231e-105", "", "", "", "4.743937927530231e-105"},
    {"in", "float8", "-1.5617787941941707e-274", "", "", "", "-1.5617787941941707e-274"},
    {"in", "float8", "-3.175865585301795e-177", "", "", "", "-3.175865585301795e-177"},
    {"in", "float8", "-4.153326182625603e+264", "", "", "", "-4.153326182625603e+264"},
    {"in", "float8", "-8.267265580310654e+220", "", "", "", "-8.267265580310654e+220"},
    {"in", "float8", "-6569294.157184358", "", "", "", "-6569294.157184358"},
    {"in", "float8", "-1.5014761094862542e-74", "", "", "", "-1.5014761094862542e-74"},
    {"in", "float8", "-4.340483696373484e-46", "", "", "", "-4.340483696373484e-46"},
    {"in", "float8", "1.0813591471680046e+184", "", "", "", "1.0813591471680046e+184"},
    {"in", "float8", "88040e52", "", "", "", "8.804e+56"},
    {"in", "float8", "57423e199", "", "", "", "5.7423e+203"},
    {"in", "float8", "59178e-207", "", "", "", "5.9178e-203"},
    {"in", "float8", "32494e-100", "", "", "", "3.2494e-96"},
    {"in", "float8", "8393e16", "", "", "", "8.393e+19"},
    {"in", "float8", "2758e272", "", "", "", "2.758e+275"},
    {"in", "float8", "72604e-95", "", "", "", "7.2604e-91"},
    {"in", "float8", "77129e-105", "", "", "", "7.7129e-101"},
    {"in", "float8", "943e-258", "", "", "", "9.43e-256"},
    {"in", "float8", "92779e-270", "", "", "", "9.2779e-266"},
    {"in", "float8", "30008e-261", "", "", "", "3.0008e-257"},
    {"in", "float8", "4118e8", "", "", "", "411800000000"},
    {"in", "float8", "9288e196", "", "", "", "9.288e+199"},
    {"in", "float8", "31196e-45", "", "", "", "3.1196e-41"},
    {"in", "float8", "87685e167", "", "", "", "8.7685e+171"},
    {"in", "float8", "28081e222", "", "", "", "2.8081e+226"},
    {"in", "float8", "17343e254", "", "", "", "1.7343e+258"},
    {"in", "float8", "75526e154", "", "", "", "7.5526e+158"},
    {"in", "float8", "31851e154", "", "", "", "3.1851e+158"},
    {"in", "float8", "53355e-136", "", "", "", "5.3355e-132"},
    {"in", "float8", "12364e-231", "", "", "", "1.2364e-227"},
    {"in", "float8", "86375e111", "", "", "", "8.6375e+115"},
    {"in", "float8", "46439e103", "", "", "", "4.6439e+107"},
    {"in", "float8", "53884e148", "", "", "", "5.3884e+152"},
    {"in", "float8", "95562e-275", "", "", "", "9.5562e-271"},
    {"in", "float8", "88260e-230", "", "", "", "8.826e-226"},
    {"in", "float8", "7945e82", "", "", "", "7.945e+85"},
    {"in", "float8", "95449e17", "", "", "", "9.5449e+21"},
    {"in", "float8", "14323e-76", "", "", "", "1.4323e-72"},
    {"in", "float8", "25113e-136", "", "", "", "2.5113e-132"},
    {"in", "float8", "70293e129", "", "", "", "7.0293e+133"},
    {"in", "float8", "18374e102", "", "", "", "1.8374e+106"},
    {"in", "float8", "24051e-45", "", "", "", "2.4051e-41"},
    {"in", "float8", "60638e-75", "", "", "", "6.0638e-71"},
    {"in", "float8", "9881e123", "", "", "", "9.881e+126"},
    {"in", "float8", "72133e-230", "", "", "", "7.2133e-226"},
    {"in", "float8", "6631e223", "", "", "", "6.631e+226"},
    {"in", "float8", "1935e-235", "", "", "", "1.935e-232"},
    {"in", "float8", "98772e-88", "", "", "", "9.8772e-84"},
    {"in", "float8", "21799e86", "", "", "", "2.1799e+90"},
    {"in", "float8", "63654e162", "", "", "", "6.3654e+166"},
    {"in", "float8", "28017e80", "", "", "", "2.8017e+84"},
    {"in", "float8", "7686e-162", "", "", "", "7.686e-159"},
    {"in", "float8", "49673e-328", "", "", "", "5e-324"},
    {"in", "float8", "51174e-59", "", "", "", "5.1174e-55"},
    {"in", "float8", "59639e-38", "", "", "", "5.9639e-34"},
    {"in", "float8", "55445e239", "", "", "", "5.5445e+243"},
    {"in", "float8", "86753e168", "", "", "", "8.6753e+172"},
    {"in", "float8", "20290e-136", "", "", "", "2.029e-132"},
    {"in", "float8", "38891e-108", "", "", "", "3.8891e-104"},
};

static void test_pg_cases(void)
{
    int failures = 0;
    for (size_t i = 0; i < sizeof pg_cases / sizeof pg_cases[0]; i++) {
        const PgCase *c = &pg_cases[i];
        const char *got;
        if (!strcmp(c->kind, "in"))
            got = roundtrip(type_named(c->t1), c->a);
        else if (!strcmp(c->kind, "cast"))
            got = cast_text(type_named(c->t1), c->a, type_named(c->x));
        else if (!strcmp(c->kind, "op"))
            got = op_text(op_named(c->x), type_named(c->t1), c->a, type_named(c->y), c->z);
        else
            got = send_hex(type_named(c->t1), c->a);
        if (strcmp(got, c->expect) != 0) {
            failures++;
            fprintf(stderr, "\n  PostgreSQL case %s %s '%s' %s %s %s: got [%s], PostgreSQL [%s]", c->kind,
                    c->t1, c->a, c->x, c->y, c->z, got, c->expect);
        }
    }
    CU_ASSERT_EQUAL(failures, 0);
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
        for (int k = 0; k < i * 7 + 1; k++)
            if ((unsigned char)p[i][k] != (unsigned char)i) {
                CU_FAIL("arena allocations overlap");
                break;
            }
    char *big = sl_alloc(a, 100000);
    memset(big, 1, 100000);
    CU_ASSERT_STRING_EQUAL(sl_psprintf(a, "%s-%d", "x", 42), "x-42");
    CU_ASSERT_STRING_EQUAL(sl_strndup(a, "abcdef", 3), "abc");
    CU_ASSERT_STRING_EQUAL(sl_strdup(a, "hello"), "hello");
    CU_ASSERT(sl_arena_used(a) > 100000);
    sl_arena_reset(a);
    CU_ASSERT_EQUAL(sl_arena_used(a), 0);
    char *z = sl_alloc0(a, 64);
    for (int i = 0; i < 64; i++)
        CU_ASSERT_EQUAL(z[i], 0);
    /* a formatted string longer than a block */
    char *longs = sl_psprintf(a, "%0600d", 7);
    CU_ASSERT_EQUAL(strlen(longs), 600);
    CU_ASSERT_EQUAL(longs[599], '7');
    void *zero = sl_alloc(a, 0);
    CU_ASSERT_PTR_NOT_NULL(zero);
    CU_ASSERT_EQUAL((uintptr_t)zero % 16, 0);
    sl_arena_free(a);
    sl_arena_free(NULL);
}

static void test_arena_reuse(void)
{
    /* many rounds of fill and reset keep data intact and memory bounded */
    SlArena *a = sl_arena_new(0);
    for (int round = 0; round < 50; round++) {
        int64_t *v[500];
        for (int i = 0; i < 500; i++) {
            v[i] = sl_alloc(a, sizeof(int64_t) * 4);
            for (int k = 0; k < 4; k++)
                v[i][k] = (int64_t)round * 100000 + i * 4 + k;
        }
        int bad = 0;
        for (int i = 0; i < 500; i++)
            for (int k = 0; k < 4; k++)
                bad += v[i][k] != (int64_t)round * 100000 + i * 4 + k;
        CU_ASSERT_EQUAL(bad, 0);
        CU_ASSERT_EQUAL(sl_arena_used(a), 500 * 32);
        sl_arena_reset(a);
    }
    sl_arena_free(a);
}

static void test_heap_helpers(void)
{
    char *s = sl_xstrdup("sluice");
    CU_ASSERT_STRING_EQUAL(s, "sluice");
    free(s);
    int *z = sl_calloc(100, sizeof(int));
    int sum = 0;
    for (int i = 0; i < 100; i++)
        sum += z[i];
    CU_ASSERT_EQUAL(sum, 0);
    z[99] = 5;
    z = sl_realloc(z, 1000 * sizeof(int));
    CU_ASSERT_EQUAL(z[99], 5);
    free(z);
    void *m = sl_malloc(0);
    CU_ASSERT_PTR_NOT_NULL(m);
    free(m);
}

static void test_buf(void)
{
    SlBuf b;
    sl_buf_init(&b);
    CU_ASSERT_EQUAL(b.len, 0);
    for (int i = 0; i < 1000; i++)
        sl_buf_printf(&b, "%d,", i);
    CU_ASSERT_EQUAL(strncmp(b.data, "0,1,2,", 6), 0);
    CU_ASSERT_EQUAL(b.data[b.len], '\0');
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, ",998,999,"));
    sl_buf_reset(&b);
    CU_ASSERT_EQUAL(b.len, 0);
    CU_ASSERT_EQUAL(b.data[0], '\0');
    sl_buf_put_i32(&b, 0x01020304);
    sl_buf_put_i16(&b, -2);
    sl_buf_put_i64(&b, 1);
    sl_buf_put_u8(&b, 0xab);
    CU_ASSERT_EQUAL(b.len, 15);
    CU_ASSERT_EQUAL((unsigned char)b.data[0], 1);
    CU_ASSERT_EQUAL((unsigned char)b.data[3], 4);
    CU_ASSERT_EQUAL((unsigned char)b.data[4], 0xff);
    CU_ASSERT_EQUAL((unsigned char)b.data[5], 0xfe);
    CU_ASSERT_EQUAL((unsigned char)b.data[13], 1);
    CU_ASSERT_EQUAL((unsigned char)b.data[14], 0xab);
    sl_buf_set_i32(&b, 0, 7);
    CU_ASSERT_EQUAL((unsigned char)b.data[0], 0);
    CU_ASSERT_EQUAL((unsigned char)b.data[3], 7);
    sl_buf_put_i64(&b, INT64_MIN);
    CU_ASSERT_EQUAL((unsigned char)b.data[15], 0x80);
    CU_ASSERT_EQUAL((unsigned char)b.data[22], 0);
    sl_buf_reset(&b);
    /* binary data with NULs, then text: still NUL-terminated */
    sl_buf_append(&b, "a\0b", 3);
    sl_buf_putc(&b, 'c');
    sl_buf_puts(&b, "de");
    CU_ASSERT_EQUAL(b.len, 6);
    CU_ASSERT_EQUAL(memcmp(b.data, "a\0bcde", 7), 0);
    /* a long formatted string */
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sl_buf_printf(&b, "[%s]", big);
    CU_ASSERT_EQUAL(b.len, 6 + 5001);
    CU_ASSERT_EQUAL(b.data[b.len - 1], ']');
    sl_buf_reserve(&b, 100000);
    CU_ASSERT(b.cap >= b.len + 100001);
    sl_buf_free(&b);
    CU_ASSERT_PTR_NULL(b.data);
    CU_ASSERT_EQUAL(b.len, 0);
}

/* ------------------------------------------------------------- errors */

static void test_errors(void)
{
    SlError e;
    sl_error_clear(&e);
    CU_ASSERT_EQUAL(e.code, SL_E_OK);
    CU_ASSERT_EQUAL(sl_error_at(&e, SL_E_SYNTAX_ERROR, 10, "syntax error at or near \"%s\"", "FORM"), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(e.code), "42601");
    CU_ASSERT_EQUAL(e.position, 10);
    CU_ASSERT_STRING_EQUAL(e.message, "syntax error at or near \"FORM\"");
    sl_error_detail(&e, "detail %d", 1);
    sl_error_hint(&e, "hint %d", 2);
    sl_error_context(&e, "COPY bids, line %d", 3);
    CU_ASSERT_STRING_EQUAL(e.detail, "detail 1");
    CU_ASSERT_STRING_EQUAL(e.hint, "hint 2");
    CU_ASSERT_STRING_EQUAL(e.context, "COPY bids, line 3");
    /* a new error clears the old detail, hint and position */
    CU_ASSERT_EQUAL(sl_error(&e, SL_E_DIVISION_BY_ZERO, "division by zero"), -1);
    CU_ASSERT_EQUAL(e.position, 0);
    CU_ASSERT_STRING_EQUAL(e.detail, "");
    CU_ASSERT_STRING_EQUAL(e.hint, "");
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(SL_E_DIVISION_BY_ZERO), "22012");
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(SL_E_DISK_FULL), "53100");
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(SL_E_OK), "00000");
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(SL_E_INVALID_TEXT_REPRESENTATION), "22P02");
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(SL_E_CANT_CHANGE_RUNTIME_PARAM), "55P02");
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(SL_E__COUNT), "XX000");
    /* NULL error records are allowed everywhere */
    CU_ASSERT_EQUAL(sl_error(NULL, SL_E_INTERNAL_ERROR, "x"), -1);
    CU_ASSERT_EQUAL(sl_error_at(NULL, SL_E_INTERNAL_ERROR, 1, "x"), -1);
    sl_error_detail(NULL, "x");
    sl_error_hint(NULL, "x");
    sl_error_context(NULL, "x");
    sl_error_clear(NULL);
    /* a message longer than the record is cut, still terminated */
    char big[2000];
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sl_error(&e, SL_E_INTERNAL_ERROR, "%s", big);
    CU_ASSERT_EQUAL(strlen(e.message), sizeof e.message - 1);
}

static void test_sqlstate_table(void)
{
    /* every code: five characters of [0-9A-Z], all distinct */
    for (int i = 0; i < SL_E__COUNT; i++) {
        const char *s = sl_errcode_sqlstate((SlErrCode)i);
        CU_ASSERT_EQUAL(strlen(s), 5);
        for (int k = 0; k < 5; k++)
            CU_ASSERT((s[k] >= '0' && s[k] <= '9') || (s[k] >= 'A' && s[k] <= 'Z'));
        for (int j = 0; j < i; j++)
            CU_ASSERT_STRING_NOT_EQUAL(s, sl_errcode_sqlstate((SlErrCode)j));
    }
}

/* Runs fn with stderr sent to a file; returns what was written. */
static char *capture_stderr(void (*fn)(void))
{
    char path[] = "/tmp/sluice-log-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    fn();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    off_t n = lseek(fd, 0, SEEK_END);
    char *text = calloc(1, (size_t)n + 1);
    CU_ASSERT_FATAL(text != NULL);
    CU_ASSERT_EQUAL(pread(fd, text, (size_t)n, 0), n);
    close(fd);
    unlink(path);
    return text;
}

static void log_levels(void)
{
    sl_log_set_level(SL_LOG_WARNING);
    sl_debug("hidden debug");
    sl_info("hidden info");
    sl_warn("shown %s", "warning");
    sl_log(SL_LOG_ERROR, "shown error %d", 5);
    sl_log_set_level(SL_LOG_INFO);
}

static void *log_thread(void *arg)
{
    for (int i = 0; i < 200; i++)
        sl_info("thread %d line %d end", (int)(intptr_t)arg, i);
    return NULL;
}

static void log_threads(void)
{
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, log_thread, (void *)(intptr_t)i);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
}

static void test_log(void)
{
    SlLogLevel l;
    CU_ASSERT(sl_log_level_parse("DEBUG", &l) == 0 && l == SL_LOG_DEBUG);
    CU_ASSERT(sl_log_level_parse("warning", &l) == 0 && l == SL_LOG_WARNING);
    CU_ASSERT(sl_log_level_parse("error", &l) == 0 && l == SL_LOG_ERROR);
    CU_ASSERT(sl_log_level_parse("loud", &l) == -1);
    SlLogLevel before = sl_log_get_level();
    char *text = capture_stderr(log_levels);
    CU_ASSERT_PTR_NULL(strstr(text, "hidden"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "[warning] shown warning\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "[error] shown error 5\n"));
    /* 2024-01-02 03:04:05.678 UTC [warning] ... */
    int y, mo, d, h, mi, s, ms;
    CU_ASSERT_EQUAL(sscanf(text, "%4d-%2d-%2d %2d:%2d:%2d.%3d UTC [", &y, &mo, &d, &h, &mi, &s, &ms), 7);
    CU_ASSERT(y >= 2024);
    free(text);
    /* lines from several threads never interleave */
    text = capture_stderr(log_threads);
    int lines = 0, whole = 0;
    for (char *p = text, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
        lines++;
        *nl = '\0';
        char *t = strstr(p, "[info] thread ");
        if (t && !strcmp(nl - 4, " end") && strchr(p, '[') == t)
            whole++;
    }
    CU_ASSERT_EQUAL(lines, 800);
    CU_ASSERT_EQUAL(whole, 800);
    free(text);
    sl_log_set_level(before);
}

/* -------------------------------------------------------------- hash */

static int popcount64(uint64_t x)
{
    return __builtin_popcountll(x);
}

static void test_hash(void)
{
    CU_ASSERT_NOT_EQUAL(sl_hash_u64(1), sl_hash_u64(2));
    CU_ASSERT_EQUAL(sl_hash_bytes("abc", 3, 0), sl_hash_bytes("abc", 3, 0));
    CU_ASSERT_NOT_EQUAL(sl_hash_bytes("abc", 3, 0), sl_hash_bytes("abd", 3, 0));
    CU_ASSERT_NOT_EQUAL(sl_hash_bytes("abc", 3, 0), sl_hash_bytes("abc", 3, 1));
    CU_ASSERT_NOT_EQUAL(sl_hash_bytes("abcdefghi", 9, 0), sl_hash_bytes("abcdefghj", 9, 0));
    CU_ASSERT_NOT_EQUAL(sl_hash_bytes("", 0, 0), sl_hash_bytes("\0", 1, 0));
    CU_ASSERT_NOT_EQUAL(sl_hash_bytes("a\0", 2, 0), sl_hash_bytes("a", 1, 0));
    /* spread: 64k sequential keys over 128 buckets are roughly even */
    int counts[128] = {0};
    for (uint64_t i = 0; i < 65536; i++)
        counts[sl_hash_u64(i) % 128]++;
    for (int i = 0; i < 128; i++)
        CU_ASSERT(counts[i] > 380 && counts[i] < 650);
    /* avalanche: flipping one input bit flips about half the output */
    long flips = 0, trials = 0;
    for (uint64_t x = 1; x < 2000; x += 7)
        for (int bit = 0; bit < 64; bit++) {
            flips += popcount64(sl_hash_u64(x) ^ sl_hash_u64(x ^ (1ULL << bit)));
            trials++;
        }
    double avg = (double)flips / (double)trials;
    CU_ASSERT(avg > 30.0 && avg < 34.0);
    /* the same for byte strings of every length up to 40 */
    flips = trials = 0;
    unsigned char buf[40];
    for (int len = 1; len <= 40; len++)
        for (int bit = 0; bit < len * 8; bit += 3) {
            for (int k = 0; k < len; k++)
                buf[k] = (unsigned char)(k * 31 + len);
            uint64_t h1 = sl_hash_bytes(buf, (size_t)len, 42);
            buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
            flips += popcount64(h1 ^ sl_hash_bytes(buf, (size_t)len, 42));
            trials++;
        }
    avg = (double)flips / (double)trials;
    CU_ASSERT(avg > 30.0 && avg < 34.0);
    /* the hash does not depend on the address of the bytes */
    char al[32] = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    memcpy(al + 1, "sluice-hash!", 12);
    CU_ASSERT_EQUAL(sl_hash_bytes(al + 1, 12, 7), sl_hash_bytes("sluice-hash!", 12, 7));
}

/* -------------------------------------------------------------- types */

static void test_type_names(void)
{
    SlType t;
    static const struct {
        const char *name;
        SlType t;
    } names[] = {
        {"int", SL_T_INT4}, {"integer", SL_T_INT4}, {"int4", SL_T_INT4}, {"smallint", SL_T_INT4},
        {"int2", SL_T_INT4}, {"bigint", SL_T_INT8}, {"int8", SL_T_INT8},
        {"double precision", SL_T_FLOAT8}, {"float8", SL_T_FLOAT8}, {"float", SL_T_FLOAT8},
        {"real", SL_T_FLOAT8}, {"numeric", SL_T_NUMERIC}, {"decimal", SL_T_NUMERIC},
        {"text", SL_T_TEXT}, {"varchar", SL_T_TEXT}, {"character varying", SL_T_TEXT},
        {"boolean", SL_T_BOOL}, {"bool", SL_T_BOOL}, {"timestamp", SL_T_TIMESTAMP},
        {"timestamp without time zone", SL_T_TIMESTAMP}, {"timestamptz", SL_T_TIMESTAMPTZ},
        {"timestamp with time zone", SL_T_TIMESTAMPTZ}, {"interval", SL_T_INTERVAL},
        {"BIGINT", SL_T_INT8}, {"Double   Precision", SL_T_FLOAT8}, {" text ", SL_T_TEXT},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        t = SL_T_UNKNOWN;
        CU_ASSERT(sl_type_from_name(names[i].name, &t) == 0 && t == names[i].t);
    }
    CU_ASSERT(sl_type_from_name("blob", &t) == -1);
    CU_ASSERT(sl_type_from_name("", &t) == -1);
    static const struct {
        SlType t;
        uint32_t oid;
        int16_t len;
        const char *name;
    } info[] = {
        {SL_T_BOOL, 16, 1, "boolean"}, {SL_T_INT4, 23, 4, "integer"}, {SL_T_INT8, 20, 8, "bigint"},
        {SL_T_FLOAT8, 701, 8, "double precision"}, {SL_T_NUMERIC, 1700, -1, "numeric"},
        {SL_T_TEXT, 25, -1, "text"}, {SL_T_TIMESTAMP, 1114, 8, "timestamp without time zone"},
        {SL_T_TIMESTAMPTZ, 1184, 8, "timestamp with time zone"}, {SL_T_INTERVAL, 1186, 16, "interval"},
        {SL_T_UNKNOWN, 705, -2, "unknown"},
    };
    for (size_t i = 0; i < sizeof info / sizeof info[0]; i++) {
        CU_ASSERT_EQUAL(sl_type_oid(info[i].t), info[i].oid);
        CU_ASSERT_EQUAL(sl_type_len(info[i].t), info[i].len);
        CU_ASSERT_STRING_EQUAL(sl_type_name(info[i].t), info[i].name);
        CU_ASSERT(sl_type_from_oid(info[i].oid, &t) == 0 && t == info[i].t);
    }
    CU_ASSERT(sl_type_from_oid(21, &t) == 0 && t == SL_T_INT4);
    CU_ASSERT(sl_type_from_oid(1043, &t) == 0 && t == SL_T_TEXT);
    CU_ASSERT(sl_type_from_oid(0, &t) == 0 && t == SL_T_UNKNOWN);
    CU_ASSERT(sl_type_from_oid(600, &t) == -1);
    CU_ASSERT_EQUAL(sizeof(SlValue), 32);
}

static void test_constructors_now(void)
{
    SlValue v = sl_val_int8(-5);
    CU_ASSERT(v.type == SL_T_INT8 && !v.isnull && v.u.i8 == -5);
    v = sl_val_numeric(150, 2);
    CU_ASSERT(v.type == SL_T_NUMERIC && v.scale == 2 && v.u.num == 150);
    CU_ASSERT_STRING_EQUAL(show(&v), "1.50");
    v = sl_val_text("abc", 2);
    CU_ASSERT(v.type == SL_T_TEXT && v.u.s.len == 2);
    CU_ASSERT_STRING_EQUAL(show(&v), "ab");
    v = sl_val_interval(14, 3, 4000000);
    CU_ASSERT_STRING_EQUAL(show(&v), "1 year 2 mons 3 days 00:00:04");
    v = sl_val_timestamp(0);
    CU_ASSERT_STRING_EQUAL(show(&v), "2000-01-01 00:00:00");
    v = sl_val_timestamptz(86400000000LL);
    CU_ASSERT_STRING_EQUAL(show(&v), "2000-01-02 00:00:00+00");
    v = sl_val_null(SL_T_TEXT);
    CU_ASSERT(v.isnull && v.type == SL_T_TEXT);
    SlBuf b;
    sl_buf_init(&b);
    sl_value_out(&v, &b);
    CU_ASSERT_EQUAL(b.len, 0);
    sl_buf_free(&b);
    /* now: after 2024-01-01 and before 2100 */
    int64_t now = sl_now_usec();
    CU_ASSERT(now > 757382400000000LL);
    CU_ASSERT(now < 3155760000000000LL);
    int64_t later = sl_now_usec();
    CU_ASSERT(later >= now);
}

/* ------------------------------------------------- values: text forms */

static void test_int_io(void)
{
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INT4, " 42 "), "42");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INT4, "-2147483648"), "-2147483648");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INT4, "2147483648"),
                           "ERR 22003 value \"2147483648\" is out of range for type integer");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INT4, "abc"), "ERR 22P02 invalid input syntax for type integer: \"abc\"");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INT8, "-9223372036854775808"), "-9223372036854775808");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INT8, "99999999999999999999999"),
                           "ERR 22003 value \"99999999999999999999999\" is out of range for type bigint");
}

static void test_float_io(void)
{
    /* PostgreSQL 15 output (extra_float_digits = 1: shortest exact) */
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "123456789012345678"), "1.2345678901234568e+17");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "0.00001"), "1e-05");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_FLOAT8, "-0"), "-0");
    /* every double read back from its text is the same double */
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        x = sl_hash_u64(x + (uint64_t)i);
        double d;
        memcpy(&d, &x, 8);
        if (isnan(d))
            continue;
        SlValue v = sl_val_float8(d), w;
        SlBuf b;
        sl_buf_init(&b);
        sl_value_out(&v, &b);
        if (sl_value_in(SL_T_FLOAT8, b.data, b.len, NULL, &w, NULL) < 0 || memcmp(&w.u.f8, &d, 8) != 0)
            bad++;
        sl_buf_free(&b);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_timestamp_io(void)
{
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "2024-01-02 03:04:05.120"), "2024-01-02 03:04:05.12");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMPTZ, "2024-06-01 00:30:00-05:30"), "2024-06-01 06:00:00+00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "4714-11-24 00:00:00 BC"), "4714-11-24 00:00:00 BC");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "4714-11-23 23:59:59 BC"),
                           "ERR 22008 timestamp out of range: \"4714-11-23 23:59:59 BC\"");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "294276-12-31 23:59:59.999999"),
                           "294276-12-31 23:59:59.999999");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "999999999-01-01"),
                           "ERR 22008 timestamp out of range: \"999999999-01-01\"");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "0000-01-01"),
                           "ERR 22008 date/time field value out of range: \"0000-01-01\"");
    /* DateStyle MDY forms, as PostgreSQL 15 reads them */
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "01/02/2024"), "2024-01-02 00:00:00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "1/2/2024 03:04:05"), "2024-01-02 03:04:05");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "12/31/99"), "1999-12-31 00:00:00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "01/02/24"), "2024-01-02 00:00:00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "2024/1/2 10:00"), "2024-01-02 10:00:00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "01-02-2024"), "2024-01-02 00:00:00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMPTZ, "1/2/3"), "2003-01-02 00:00:00+00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_TIMESTAMP, "13/01/2024"),
                           "ERR 22008 date/time field value out of range: \"13/01/2024\"");
    /* every day of four centuries prints back as it was read */
    int bad = 0;
    for (int64_t day = -73049; day < 73049; day += 1) {
        SlValue v = sl_val_timestamp(day * 86400000000LL + 3723000001LL), w;
        SlBuf b;
        sl_buf_init(&b);
        sl_value_out(&v, &b);
        if (sl_value_in(SL_T_TIMESTAMP, b.data, b.len, NULL, &w, NULL) < 0 || w.u.ts != v.u.ts)
            bad++;
        sl_buf_free(&b);
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* 'now', 'today' and friends are read relative to the clock */
    SlValue v;
    int64_t before = sl_now_usec();
    CU_ASSERT_EQUAL(sl_value_in(SL_T_TIMESTAMPTZ, "now", 3, NULL, &v, NULL), 0);
    CU_ASSERT(v.u.ts >= before && v.u.ts <= sl_now_usec());
    CU_ASSERT_EQUAL(sl_value_in(SL_T_TIMESTAMP, "today", 5, NULL, &v, NULL), 0);
    CU_ASSERT_EQUAL(v.u.ts % 86400000000LL, 0);
    CU_ASSERT(before - v.u.ts < 86400000000LL && before >= v.u.ts);
}

/* sl_timestamp_parse reads YYYY-MM-DD HH:MM:SS[.ffffff] without its
 * general scanner; a leading space sends the same text through the
 * general one, which must agree on the value and the error. */
static void ts_both_ways(const char *s)
{
    char spaced[64];
    snprintf(spaced, sizeof spaced, " %s", s);
    for (int tz = 0; tz < 2; tz++) {
        SlType ty = tz ? SL_T_TIMESTAMPTZ : SL_T_TIMESTAMP;
        SlValue a, b;
        SlError ea, eb;
        sl_error_clear(&ea);
        sl_error_clear(&eb);
        int ra = sl_value_in(ty, s, strlen(s), NULL, &a, &ea);
        int rb = sl_value_in(ty, spaced, strlen(spaced), NULL, &b, &eb);
        CU_ASSERT_EQUAL(ra, rb);
        CU_ASSERT_EQUAL(ea.code, eb.code);
        if (ra == 0 && rb == 0)
            CU_ASSERT_EQUAL(a.u.ts, b.u.ts);
        if (ra != rb || ea.code != eb.code || (ra == 0 && a.u.ts != b.u.ts))
            fprintf(stderr, "timestamp fast path differs on \"%s\": %d/%lld vs %d/%lld\n", s, ra,
                    (long long)a.u.ts, rb, (long long)b.u.ts);
    }
}

static void test_timestamp_fast_form(void)
{
    static const char *const fixed[] = {
        "2020-01-01 00:00:00", "2020-01-01 00:00:00.5", "2020-01-01 00:00:00.123456",
        "2020-01-01 00:00:00.000001", "2020-01-01 00:00:00.", "2020-01-01 00:00:00.1234567",
        "2020-01-01T10:11:12", "2020-01-01t10:11:12", "2020-01-01 24:00:00", "2020-01-01 24:00:01",
        "2020-01-01 23:59:60", "2020-01-01 23:60:00", "2020-02-29 00:00:00", "2021-02-29 00:00:00",
        "2000-02-29 12:00:00", "1900-02-29 12:00:00", "2020-04-31 00:00:00", "2020-00-10 00:00:00",
        "2020-13-10 00:00:00", "2020-01-00 00:00:00", "0000-01-01 00:00:00", "0001-01-01 00:00:00",
        "9999-12-31 23:59:59.999999", "2020-01-01 00:00:0a", "2020-01-01 00:00:00.12a",
        "2020/01/01 00:00:00", "2020-01-01  00:00:00", "2020-01-01 00:00:00Z",
        "2020-01-01 00:00:00+02", "2020-01-01 00:00:00.5+02:30", "2020-1-01 00:00:00",
        "+020-01-01 00:00:00", "2020-01-01 -1:00:00", "2020-01-01 00:00:00 ",
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        ts_both_ways(fixed[i]);
    /* random fields, valid and not, every fraction length */
    uint64_t r = 88172645463325252ULL;
    for (int i = 0; i < 20000; i++) {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        char s[64];
        int fl = (int)(r >> 60) % 8;
        int n = snprintf(s, sizeof s, "%04d-%02d-%02d %02d:%02d:%02d", (int)(r % 10000),
                         (int)((r >> 14) % 14), (int)((r >> 18) % 33), (int)((r >> 24) % 26),
                         (int)((r >> 30) % 61), (int)((r >> 36) % 62));
        if (fl > 0) {
            s[n++] = '.';
            for (int k = 1; k < fl; k++)
                s[n++] = (char)('0' + (r >> (40 + 3 * k)) % 10);
            s[n] = '\0';
        }
        ts_both_ways(s);
    }
}

static void test_interval_io(void)
{
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "4 seconds"), "00:00:04");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "-1 day 2 hours"), "-1 days +02:00:00");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "3 fortnights"),
                           "ERR 22007 invalid input syntax for type interval: \"3 fortnights\"");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "1 day 1 day"),
                           "ERR 22007 invalid input syntax for type interval: \"1 day 1 day\"");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "3000000000 days"),
                           "ERR 22015 interval field value out of range: \"3000000000 days\"");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "300000000 years"),
                           "ERR 22015 interval field value out of range: \"300000000 years\"");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_INTERVAL, "178000000 years"), "178000000 years");
}

/* Sluice's NUMERIC: 38 significant digits, scale at most 32 (docs/types.md). */
static void test_numeric_limits(void)
{
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, "99999999999999999999999999999999999999"),
                           "99999999999999999999999999999999999999");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, "-0.00000000000000000000000000000001"),
                           "-0.00000000000000000000000000000001");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, "100000000000000000000000000000000000000"),
                           "ERR 22003 numeric field overflow");
    SlError err;
    CU_ASSERT_EQUAL(sl_value_in(SL_T_NUMERIC, "1e38", 4, NULL, &(SlValue){0}, &err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.detail, "38"));
    /* a longer scale is rounded half away from zero, once */
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, "0.123456789012345678901234567890125"),
                           "0.12345678901234567890123456789013");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, "0.1234567890123456789012345678901249999999995"),
                           "0.12345678901234567890123456789012");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, "-0.000000000000000000000000000000005"),
                           "-0.00000000000000000000000000000001");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, "1.5e-40"), "0.00000000000000000000000000000000");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, "NaN"), "ERR 0A000 numeric NaN and infinity are not supported");
    CU_ASSERT_STRING_EQUAL(roundtrip(SL_T_NUMERIC, " -Infinity "),
                           "ERR 0A000 numeric NaN and infinity are not supported");
    /* products keep the sum of the scales up to 32, then round */
    CU_ASSERT_STRING_EQUAL(op(SL_OP_MUL, SL_T_NUMERIC, "1.0000000000000000001", SL_T_NUMERIC, "1.0000000000000000001"),
                           "numeric:1.00000000000000000020000000000000");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_MUL, SL_T_NUMERIC, "0.00000000000000001", SL_T_NUMERIC, "0.00000000000000005"),
                           "numeric:0.00000000000000000000000000000000");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_MUL, SL_T_NUMERIC, "0.0000000000000001", SL_T_NUMERIC, "0.0000000000000005"),
                           "numeric:0.00000000000000000000000000000005");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_MUL, SL_T_NUMERIC, "-0.000000000000000015", SL_T_NUMERIC, "0.0000000000000001"),
                           "numeric:0.00000000000000000000000000000000");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_MUL, SL_T_NUMERIC, "-0.00000000000000005", SL_T_NUMERIC, "0.0000000000000001"),
                           "numeric:-0.00000000000000000000000000000001");
    /* exact through 128-bit overflow of the raw product */
    CU_ASSERT_STRING_EQUAL(op(SL_OP_MUL, SL_T_NUMERIC, "1234567890123456789.0123456789", SL_T_NUMERIC, "0.0000000001"),
                           "numeric:123456789.01234567890123456789");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_MUL, SL_T_NUMERIC, "9999999999999999999", SL_T_NUMERIC, "9999999999999999999"),
                           "numeric:99999999999999999980000000000000000001");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_MUL, SL_T_NUMERIC, "99999999999999999999", SL_T_NUMERIC, "99999999999999999999"),
                           "ERR 22003 numeric field overflow");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_ADD, SL_T_NUMERIC, "99999999999999999999999999999999999999", SL_T_NUMERIC, "1"),
                           "ERR 22003 numeric field overflow");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_SUB, SL_T_NUMERIC, "-99999999999999999999999999999999999999", SL_T_NUMERIC, "1"),
                           "ERR 22003 numeric field overflow");
    CU_ASSERT_STRING_EQUAL(cast_text(SL_T_FLOAT8, "1e38", SL_T_NUMERIC), "ERR 22003 numeric field overflow");
    CU_ASSERT_STRING_EQUAL(cast_text(SL_T_FLOAT8, "NaN", SL_T_NUMERIC), "ERR 0A000 cannot convert NaN to numeric");
    CU_ASSERT_STRING_EQUAL(cast_text(SL_T_FLOAT8, "1e37", SL_T_NUMERIC), "10000000000000000000000000000000000000");
}

/* avg() and sum() of integers use numeric: their results print as
 * PostgreSQL's do */
static void test_numeric_avg(void)
{
    static const struct {
        const char *sum, *count, *avg;
    } cases[] = {
        /* SELECT avg(x) FROM (VALUES (1),(2)) v(x) -> 1.5000000000000000 */
        {"3", "2", "1.5000000000000000"},
        {"10", "4", "2.5000000000000000"},
        {"1", "3", "0.33333333333333333333"},
        {"0", "5", "0.00000000000000000000"},
        {"-7", "2", "-3.5000000000000000"},
        {"100000", "3", "33333.333333333333"},
        {"123456789012345678", "1000", "123456789012345.6780"},
        {"99999999999999999999", "7", "14285714285714285714"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        SlValue s, c, r;
        CU_ASSERT_FATAL(sl_value_in(SL_T_NUMERIC, cases[i].sum, strlen(cases[i].sum), NULL, &s, NULL) == 0);
        CU_ASSERT_FATAL(sl_value_in(SL_T_NUMERIC, cases[i].count, strlen(cases[i].count), NULL, &c, NULL) == 0);
        CU_ASSERT_EQUAL(sl_numeric_div(&s, &c, &r, NULL), 0);
        CU_ASSERT_STRING_EQUAL(show(&r), cases[i].avg);
    }
    SlValue s = sl_val_numeric(1, 0), z = sl_val_numeric(0, 3), r;
    SlError err;
    CU_ASSERT_EQUAL(sl_numeric_div(&s, &z, &r, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22012");
    /* from_int128: scale above 32 rounds, too many digits overflow */
    CU_ASSERT_EQUAL(sl_numeric_from_int128(15, 33, &r, NULL), 0);
    CU_ASSERT_STRING_EQUAL(show(&r), "0.00000000000000000000000000000002");
    CU_ASSERT_EQUAL(sl_numeric_from_int128((((__int128)1 << 126) - 1) * 2 + 1, 0, &r, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22003");
}

/* Random and mutated text for every type: input either fails with an
 * error record or gives a value whose output reads back as an equal value
 * that prints the same; nothing crashes (run under the sanitizers too). */
static void test_input_fuzz(void)
{
    static const char *const seeds[] = {
        "2024-01-02 03:04:05.123456+02", "1 year 2 mons 3 days 04:05:06.5", "-12345.678e-3", "1e308",
        "P1Y2M3DT4H5M6S", "01/02/2024 10:00", "  true ", "-9223372036854775808", "0.0000001", "infinity",
        "4714-11-24 BC", "@ 1 day ago", "12:34:56.789", "NaN", "9999999999999999999999999999999999999.9",
    };
    static const char alphabet[] = "0123456789+-.:/ eEPTYMDWHSdayhourminsecbcBC@agoZ\t";
    SlArena *a = sl_arena_new(0);
    uint64_t x = 2024;
    int bad = 0;
    for (int iter = 0; iter < 40000; iter++) {
        x = sl_hash_u64(x + (uint64_t)iter);
        char text[64];
        size_t n;
        if (iter % 2) {
            const char *seed = seeds[x % (sizeof seeds / sizeof seeds[0])];
            n = strlen(seed);
            memcpy(text, seed, n);
            for (int m = 0; m < 1 + (int)(x >> 60); m++) {
                uint64_t r = sl_hash_u64(x + (uint64_t)m);
                size_t at = (size_t)(r % (n + 1));
                char c = alphabet[(r >> 20) % (sizeof alphabet - 1)];
                if ((r >> 40) % 3 == 0 && n < sizeof text - 1) {
                    memmove(text + at + 1, text + at, n - at);
                    text[at] = c;
                    n++;
                } else if ((r >> 40) % 3 == 1 && at < n) {
                    memmove(text + at, text + at + 1, n - at - 1);
                    n--;
                } else if (at < n) {
                    text[at] = c;
                }
            }
        } else {
            n = (size_t)(x % 24);
            for (size_t k = 0; k < n; k++)
                text[k] = alphabet[sl_hash_u64(x + k) % (sizeof alphabet - 1)];
        }
        for (int t = SL_T_BOOL; t < SL_T__COUNT; t++) {
            SlValue v, w;
            SlError err;
            sl_error_clear(&err);
            if (sl_value_in((SlType)t, text, n, a, &v, &err) < 0) {
                if (err.code == SL_E_OK || !err.message[0])
                    bad++;
                continue;
            }
            if (t == SL_T_FLOAT8 && isnan(v.u.f8))
                continue;
            if ((t == SL_T_TIMESTAMP || t == SL_T_TIMESTAMPTZ) && n >= 3 &&
                (strstr(text, "now") || strstr(text, "today")))
                continue;
            SlBuf b1, b2;
            sl_buf_init(&b1);
            sl_buf_init(&b2);
            sl_value_out(&v, &b1);
            if (sl_value_in((SlType)t, b1.data ? b1.data : "", b1.len, a, &w, &err) < 0 || sl_value_cmp(&v, &w) != 0) {
                bad++;
                fprintf(stderr, "\n  %s: '%.*s' printed '%s' does not read back", sl_type_name((SlType)t), (int)n,
                        text, b1.data ? b1.data : "");
            } else {
                sl_value_out(&w, &b2);
                if (b1.len != b2.len || (b1.len && memcmp(b1.data, b2.data, b1.len))) {
                    bad++;
                    fprintf(stderr, "\n  %s: '%s' prints '%s' the second time", sl_type_name((SlType)t), b1.data,
                            b2.data ? b2.data : "");
                }
            }
            /* and the binary form reads back too */
            sl_buf_reset(&b2);
            sl_value_send(&v, &b2);
            if (sl_value_recv((SlType)t, b2.data ? b2.data : "", b2.len, a, &w, &err) < 0 || sl_value_cmp(&v, &w) != 0)
                bad++;
            sl_buf_free(&b1);
            sl_buf_free(&b2);
        }
        /* random bytes as binary input never crash */
        for (int t = SL_T_BOOL; t < SL_T__COUNT; t++) {
            SlValue v;
            SlError err;
            char bin[40];
            size_t bn = (size_t)(x % 40);
            for (size_t k = 0; k < bn; k++)
                bin[k] = (char)(sl_hash_u64(x ^ (k * 7919)) & 0xff);
            if (t == SL_T_NUMERIC && bn >= 8 && (iter & 3) == 0) {
                /* a plausible header: ndigits that matches the length */
                bin[0] = 0;
                bin[1] = (char)((bn - 8) / 2);
            }
            (void)sl_value_recv((SlType)t, bin, bn, a, &v, &err);
        }
        sl_arena_reset(a);
    }
    CU_ASSERT_EQUAL(bad, 0);
    sl_arena_free(a);
}

/* --------------------------------------------------------- binary forms */

static void test_binary(void)
{
    /* 1234.5678 in PostgreSQL's binary numeric: ndigits 2, weight 0, sign 0, dscale 4, 1234 5678 */
    CU_ASSERT_STRING_EQUAL(send_hex(SL_T_NUMERIC, "1234.5678"), "\\x000200000000000404d2162e");
    SlArena *a = sl_arena_new(0);
    SlValue v;
    SlError err;
    /* malformed input is 22P03, never a crash */
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_INT4, "\0\0\0", 3, a, &v, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22P03");
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_INT8, "\0\0\0\0\0\0\0", 7, a, &v, &err), -1);
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_BOOL, "", 0, a, &v, &err), -1);
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_FLOAT8, "\0\0", 2, a, &v, &err), -1);
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_INTERVAL, "\0\0\0\0\0\0\0\0", 8, a, &v, &err), -1);
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_NUMERIC, "\0\1\0\0", 4, a, &v, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22P03");
    /* ndigits says 2, one digit follows */
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_NUMERIC, "\0\2\0\0\0\0\0\0\0\1", 10, a, &v, &err), -1);
    /* a digit of 10000 */
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_NUMERIC, "\0\1\0\0\0\0\0\0\x27\x10", 10, a, &v, &err), -1);
    /* NaN (sign 0xC000) */
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_NUMERIC, "\0\0\0\0\xc0\0\0\0", 8, a, &v, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "0A000");
    /* 10000^10: more than 38 digits */
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_NUMERIC, "\0\1\0\x0a\0\0\0\0\0\1", 10, a, &v, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22003");
    /* a timestamp beyond PostgreSQL's range */
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_TIMESTAMP, "\x7f\xff\xff\xff\0\0\0\0", 8, a, &v, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22008");
    /* int2 and float4 parameters are widened */
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_INT4, "\xff\xfe", 2, a, &v, &err), 0);
    CU_ASSERT(v.type == SL_T_INT4 && v.u.i4 == -2);
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_FLOAT8, "\x3f\xc0\0\0", 4, a, &v, &err), 0);
    CU_ASSERT(v.type == SL_T_FLOAT8 && v.u.f8 == 1.5);
    /* numeric with a weight below the first digit: 0.0001234 */
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_NUMERIC, "\0\2\xff\xff\0\0\0\7\0\1\x09\x28", 12, a, &v, &err), 0);
    CU_ASSERT_STRING_EQUAL(show(&v), "0.0001234");
    /* digits beyond dscale are truncated, as PostgreSQL's numeric_recv does */
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_NUMERIC, "\0\2\0\0\0\0\0\2\0\1\x16\x2e", 12, a, &v, &err), 0);
    CU_ASSERT_STRING_EQUAL(show(&v), "1.56");
    /* a scale beyond 32 is rounded to 32: 1e-33 * 5, dscale 33 */
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_NUMERIC, "\0\1\xff\xf7\0\0\0\x21\x13\x88", 10, a, &v, &err), 0);
    CU_ASSERT_STRING_EQUAL(show(&v), "0.00000000000000000000000000000001");
    /* a negative value */
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_NUMERIC, "\0\1\0\0\x40\0\0\0\0\x07", 10, a, &v, &err), 0);
    CU_ASSERT_STRING_EQUAL(show(&v), "-7");
    /* text is copied into the arena */
    char src[4] = "abc";
    CU_ASSERT_EQUAL(sl_value_recv(SL_T_TEXT, src, 3, a, &v, &err), 0);
    src[0] = 'X';
    CU_ASSERT_STRING_EQUAL(show(&v), "abc");
    /* random numerics survive send and recv */
    uint64_t x = 12345;
    int bad = 0;
    for (int i = 0; i < 5000; i++) {
        x = sl_hash_u64(x + 1);
        __int128 n = ((__int128)(x >> 1) * (__int128)sl_hash_u64(x)) % ((__int128)1 << 120);
        int scale = (int)(x % 33);
        SlValue w = sl_val_numeric((i & 1) ? -n : n, scale), back;
        if (!(w.u.num < (__int128)1e38 && w.u.num > -(__int128)1e38))
            continue;
        SlBuf b;
        sl_buf_init(&b);
        sl_value_send(&w, &b);
        if (sl_value_recv(SL_T_NUMERIC, b.data, b.len, a, &back, &err) < 0 || back.u.num != w.u.num ||
            back.scale != w.scale)
            bad++;
        sl_buf_free(&b);
    }
    CU_ASSERT_EQUAL(bad, 0);
    sl_arena_free(a);
}

/* ------------------------------------------------------------ operators */

static void test_op_result_types(void)
{
    static const struct {
        SlOp op;
        SlType a, b, r;
    } cases[] = {
        {SL_OP_ADD, SL_T_INT4, SL_T_INT4, SL_T_INT4},
        {SL_OP_ADD, SL_T_INT4, SL_T_INT8, SL_T_INT8},
        {SL_OP_MUL, SL_T_INT8, SL_T_NUMERIC, SL_T_NUMERIC},
        {SL_OP_DIV, SL_T_NUMERIC, SL_T_FLOAT8, SL_T_FLOAT8},
        {SL_OP_MOD, SL_T_INT4, SL_T_INT4, SL_T_INT4},
        {SL_OP_MOD, SL_T_NUMERIC, SL_T_INT4, SL_T_NUMERIC},
        {SL_OP_MOD, SL_T_FLOAT8, SL_T_FLOAT8, SL_T_UNKNOWN},
        {SL_OP_SUB, SL_T_TIMESTAMP, SL_T_TIMESTAMP, SL_T_INTERVAL},
        {SL_OP_SUB, SL_T_TIMESTAMPTZ, SL_T_TIMESTAMPTZ, SL_T_INTERVAL},
        {SL_OP_ADD, SL_T_TIMESTAMP, SL_T_TIMESTAMP, SL_T_UNKNOWN},
        {SL_OP_ADD, SL_T_TIMESTAMP, SL_T_INTERVAL, SL_T_TIMESTAMP},
        {SL_OP_SUB, SL_T_TIMESTAMPTZ, SL_T_INTERVAL, SL_T_TIMESTAMPTZ},
        {SL_OP_ADD, SL_T_INTERVAL, SL_T_TIMESTAMP, SL_T_TIMESTAMP},
        {SL_OP_ADD, SL_T_INTERVAL, SL_T_INTERVAL, SL_T_INTERVAL},
        {SL_OP_MUL, SL_T_INTERVAL, SL_T_FLOAT8, SL_T_INTERVAL},
        {SL_OP_MUL, SL_T_INT4, SL_T_INTERVAL, SL_T_INTERVAL},
        {SL_OP_DIV, SL_T_INTERVAL, SL_T_INT8, SL_T_INTERVAL},
        {SL_OP_DIV, SL_T_INT8, SL_T_INTERVAL, SL_T_UNKNOWN},
        {SL_OP_LT, SL_T_INT4, SL_T_FLOAT8, SL_T_BOOL},
        {SL_OP_EQ, SL_T_TEXT, SL_T_TEXT, SL_T_BOOL},
        {SL_OP_EQ, SL_T_TEXT, SL_T_INT4, SL_T_UNKNOWN},
        {SL_OP_EQ, SL_T_TIMESTAMP, SL_T_TIMESTAMPTZ, SL_T_BOOL},
        {SL_OP_CONCAT, SL_T_TEXT, SL_T_INT4, SL_T_TEXT},
        {SL_OP_CONCAT, SL_T_INT4, SL_T_INT4, SL_T_UNKNOWN},
        {SL_OP_ADD, SL_T_BOOL, SL_T_BOOL, SL_T_UNKNOWN},
        {SL_OP_ADD, SL_T_TEXT, SL_T_INT4, SL_T_UNKNOWN},
        {SL_OP_ADD, SL_T_UNKNOWN, SL_T_INT4, SL_T_INT4},
        {SL_OP_ADD, SL_T_TIMESTAMP, SL_T_UNKNOWN, SL_T_TIMESTAMP},
        {SL_OP_SUB, SL_T_UNKNOWN, SL_T_TIMESTAMP, SL_T_INTERVAL},
        {SL_OP_EQ, SL_T_UNKNOWN, SL_T_UNKNOWN, SL_T_BOOL},
        {SL_OP_CONCAT, SL_T_UNKNOWN, SL_T_INT4, SL_T_TEXT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        SlType r = sl_op_result_type(cases[i].op, cases[i].a, cases[i].b);
        if (r != cases[i].r)
            fprintf(stderr, "\n  result type case %zu: got %s", i, sl_type_name(r));
        CU_ASSERT_EQUAL(r, cases[i].r);
    }
}

static void test_int_ops(void)
{
    CU_ASSERT_STRING_EQUAL(op(SL_OP_ADD, SL_T_INT4, "2147483647", SL_T_INT4, "1"), "ERR 22003 integer out of range");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_MUL, SL_T_INT8, "9223372036854775807", SL_T_INT4, "2"),
                           "ERR 22003 bigint out of range");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_SUB, SL_T_INT8, "-9223372036854775808", SL_T_INT4, "1"),
                           "ERR 22003 bigint out of range");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_DIV, SL_T_INT4, "1", SL_T_INT4, "0"), "ERR 22012 division by zero");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_MOD, SL_T_INT8, "1", SL_T_INT8, "0"), "ERR 22012 division by zero");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_DIV, SL_T_INT8, "-9223372036854775808", SL_T_INT8, "-1"),
                           "ERR 22003 bigint out of range");
    SlValue r;
    SlError err;
    SlValue m4 = sl_val_int4(INT32_MIN), m8 = sl_val_int8(INT64_MIN), n = sl_val_null(SL_T_INT4);
    CU_ASSERT_EQUAL(sl_value_neg(&m4, &r, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "integer out of range");
    CU_ASSERT_EQUAL(sl_value_neg(&m8, &r, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "bigint out of range");
    CU_ASSERT_EQUAL(sl_value_neg(&n, &r, &err), 0);
    CU_ASSERT(r.isnull);
    SlValue num = sl_val_numeric(-150, 2), iv = sl_val_interval(1, -2, 3), f = sl_val_float8(0.0);
    CU_ASSERT(sl_value_neg(&num, &r, &err) == 0 && r.u.num == 150 && r.scale == 2);
    CU_ASSERT(sl_value_neg(&iv, &r, &err) == 0 && r.u.iv.months == -1 && r.u.iv.days == 2 && r.u.iv.usec == -3);
    CU_ASSERT(sl_value_neg(&f, &r, &err) == 0);
    CU_ASSERT_STRING_EQUAL(show(&r), "-0");
    SlValue ivmin = sl_val_interval(INT32_MIN, 0, 0);
    CU_ASSERT_EQUAL(sl_value_neg(&ivmin, &r, &err), -1);
    CU_ASSERT_STRING_EQUAL(errstr(&err), "ERR 22008 interval out of range");
    /* timestamp minus the most negative interval: an error, not overflow */
    SlValue ts0 = sl_val_timestamp(0), ivneg = sl_val_interval(0, 0, INT64_MIN);
    CU_ASSERT_EQUAL(sl_value_op(SL_OP_SUB, &ts0, &ivneg, NULL, &r, &err), -1);
    CU_ASSERT_STRING_EQUAL(errstr(&err), "ERR 22008 timestamp out of range");
    SlValue t = sl_val_text("a", 1);
    CU_ASSERT_EQUAL(sl_value_neg(&t, &r, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "42883");
}

static void test_time_ops(void)
{
    CU_ASSERT_STRING_EQUAL(op(SL_OP_ADD, SL_T_TIMESTAMP, "294276-12-31", SL_T_INTERVAL, "1 day"),
                           "ERR 22008 timestamp out of range");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_SUB, SL_T_TIMESTAMP, "4714-11-24 BC", SL_T_INTERVAL, "1 mon"),
                           "ERR 22008 timestamp out of range");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_ADD, SL_T_INTERVAL, "2147483647 mons", SL_T_INTERVAL, "1 mon"),
                           "ERR 22008 interval out of range");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_MUL, SL_T_INTERVAL, "1 day", SL_T_FLOAT8, "1e20"),
                           "ERR 22008 interval out of range");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_DIV, SL_T_INTERVAL, "1 day", SL_T_FLOAT8, "0"), "ERR 22012 division by zero");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_SUB, SL_T_TIMESTAMP, "infinity", SL_T_TIMESTAMP, "2024-01-01"),
                           "ERR 22008 cannot subtract infinite timestamps");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_ADD, SL_T_TIMESTAMP, "infinity", SL_T_INTERVAL, "1 day"),
                           "timestamp without time zone:infinity");
    /* comparing 1 mon with 30 days, 1 day with 24 hours: equal, as in PostgreSQL */
    CU_ASSERT_STRING_EQUAL(op(SL_OP_EQ, SL_T_INTERVAL, "1 mon", SL_T_INTERVAL, "30 days"), "boolean:t");
    CU_ASSERT_STRING_EQUAL(op(SL_OP_LT, SL_T_INTERVAL, "178000000 years", SL_T_INTERVAL, "-1 day"), "boolean:f");
}

static SlValue untyped(const char *s)
{
    SlValue v = sl_val_text(s, strlen(s));
    v.type = SL_T_UNKNOWN;
    return v;
}

static void test_untyped_literals(void)
{
    SlArena *a = sl_arena_new(0);
    SlValue r, one = sl_val_int4(1), ts = sl_val_timestamp(0);
    SlError err;
    SlValue lit = untyped("41");
    CU_ASSERT_EQUAL(sl_value_op(SL_OP_ADD, &lit, &one, a, &r, &err), 0);
    CU_ASSERT(r.type == SL_T_INT4 && r.u.i4 == 42);
    lit = untyped("1 day");
    CU_ASSERT_EQUAL(sl_value_op(SL_OP_ADD, &ts, &lit, a, &r, &err), 0);
    CU_ASSERT_STRING_EQUAL(show(&r), "2000-01-02 00:00:00");
    CU_ASSERT_EQUAL(sl_value_op(SL_OP_ADD, &lit, &ts, a, &r, &err), 0);
    CU_ASSERT_STRING_EQUAL(show(&r), "2000-01-02 00:00:00");
    lit = untyped("abc");
    CU_ASSERT_EQUAL(sl_value_op(SL_OP_ADD, &lit, &one, a, &r, &err), -1);
    CU_ASSERT_STRING_EQUAL(errstr(&err), "ERR 22P02 invalid input syntax for type integer: \"abc\"");
    SlValue l2 = untyped("abd");
    CU_ASSERT_EQUAL(sl_value_op(SL_OP_LT, &lit, &l2, a, &r, &err), 0);
    CU_ASSERT(r.type == SL_T_BOOL && r.u.b);
    CU_ASSERT_EQUAL(sl_value_op(SL_OP_CONCAT, &lit, &one, a, &r, &err), 0);
    CU_ASSERT_STRING_EQUAL(show(&r), "abc1");
    SlValue unull = sl_val_null(SL_T_UNKNOWN);
    CU_ASSERT_EQUAL(sl_value_op(SL_OP_MUL, &unull, &one, a, &r, &err), 0);
    CU_ASSERT(r.isnull && r.type == SL_T_INT4);
    sl_arena_free(a);
}

static void test_nulls(void)
{
    SlArena *a = sl_arena_new(0);
    static const SlType types[] = {SL_T_INT4, SL_T_INT8, SL_T_NUMERIC, SL_T_FLOAT8};
    for (int op_i = 0; op_i <= SL_OP_GE; op_i++)
        for (size_t i = 0; i < 4; i++) {
            if (op_i == SL_OP_MOD && types[i] == SL_T_FLOAT8)
                continue; /* no float8 % operator */
            SlValue n = sl_val_null(types[i]), v = sl_val_int4(0), r;
            /* NULL with anything, even a zero divisor, is NULL */
            CU_ASSERT_EQUAL(sl_value_op((SlOp)op_i, &v, &n, a, &r, NULL), 0);
            CU_ASSERT(r.isnull);
            CU_ASSERT_EQUAL(r.type, sl_op_result_type((SlOp)op_i, SL_T_INT4, types[i]));
            CU_ASSERT_EQUAL(sl_value_op((SlOp)op_i, &n, &v, a, &r, NULL), 0);
            CU_ASSERT(r.isnull);
        }
    SlValue t = sl_val_text("x", 1), n = sl_val_null(SL_T_TEXT), r;
    CU_ASSERT_EQUAL(sl_value_op(SL_OP_CONCAT, &t, &n, a, &r, NULL), 0);
    CU_ASSERT(r.isnull && r.type == SL_T_TEXT);
    sl_arena_free(a);
}

/* ------------------------------------------------- compare and hash */

static void test_cmp_hash(void)
{
    /* equal numbers of every numeric type compare and hash alike */
    SlValue sevens[] = {sl_val_int4(7), sl_val_int8(7), sl_val_numeric(7, 0), sl_val_numeric(700, 2),
                        sl_val_numeric(7000000000000LL, 12), sl_val_float8(7.0)};
    size_t n7 = sizeof sevens / sizeof sevens[0];
    for (size_t i = 0; i < n7; i++)
        for (size_t j = 0; j < n7; j++) {
            CU_ASSERT_EQUAL(sl_value_cmp(&sevens[i], &sevens[j]), 0);
            CU_ASSERT_EQUAL(sl_value_hash(&sevens[i]), sl_value_hash(&sevens[j]));
        }
    SlValue a = sl_val_numeric(15, 1), b = sl_val_numeric(150, 2), c = sl_val_numeric(-15, 1);
    CU_ASSERT_EQUAL(sl_value_hash(&a), sl_value_hash(&b));
    CU_ASSERT_NOT_EQUAL(sl_value_hash(&a), sl_value_hash(&c));
    CU_ASSERT(sl_value_cmp(&c, &a) < 0);
    SlValue big = sl_val_int8(INT64_MAX), bign = sl_val_numeric((__int128)INT64_MAX, 0),
            bigger = sl_val_numeric((__int128)INT64_MAX * 10 + 1, 1);
    CU_ASSERT_EQUAL(sl_value_cmp(&big, &bign), 0);
    CU_ASSERT_EQUAL(sl_value_hash(&big), sl_value_hash(&bign));
    CU_ASSERT(sl_value_cmp(&big, &bigger) < 0);
    CU_ASSERT(sl_value_cmp(&bigger, &big) > 0);
    /* numeric beside a large scale: compared exactly */
    SlValue tiny = sl_val_numeric(1, 32), zero = sl_val_int8(0), huge = sl_val_numeric(((__int128)1e37), 0);
    CU_ASSERT(sl_value_cmp(&tiny, &zero) > 0);
    CU_ASSERT(sl_value_cmp(&huge, &tiny) > 0);
    CU_ASSERT(sl_value_cmp(&tiny, &huge) < 0);
    /* whatever compares equal hashes alike, across types and magnitudes */
    SlValue pairs[][2] = {
        {sl_val_numeric(5, 1), sl_val_float8(0.5)},
        {sl_val_numeric(-125, 2), sl_val_float8(-1.25)},
        {sl_val_numeric(1, 1), sl_val_float8(0.1)},
        {sl_val_int8(9007199254740993LL), sl_val_float8(9007199254740992.0)},
        {sl_val_int8(INT64_MAX), sl_val_float8(9223372036854775807.0)},
        {sl_val_numeric((__int128)100000000000000000LL * 1000, 0), sl_val_float8(1e20)},
        {sl_val_numeric((__int128)9007199254740993LL, 0), sl_val_int8(9007199254740993LL)},
        {sl_val_numeric((__int128)90071992547409930LL, 1), sl_val_float8(9007199254740992.0)},
        {sl_val_int4(-7), sl_val_float8(-7.0)},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        CU_ASSERT_EQUAL(sl_value_cmp(&pairs[i][0], &pairs[i][1]), 0);
        CU_ASSERT_EQUAL(sl_value_hash(&pairs[i][0]), sl_value_hash(&pairs[i][1]));
    }
    double nan1 = NAN, nan2;
    uint64_t bits;
    memcpy(&bits, &nan1, 8);
    bits ^= 1; /* another NaN payload */
    memcpy(&nan2, &bits, 8);
    SlValue na = sl_val_float8(nan1), nb = sl_val_float8(nan2);
    CU_ASSERT_EQUAL(sl_value_cmp(&na, &nb), 0);
    CU_ASSERT_EQUAL(sl_value_hash(&na), sl_value_hash(&nb));
    /* floats: -0 = 0, NaN above Infinity and equal to itself */
    SlValue pz = sl_val_float8(0.0), nz = sl_val_float8(-0.0), nan = sl_val_float8(NAN), inf = sl_val_float8(INFINITY);
    CU_ASSERT_EQUAL(sl_value_cmp(&pz, &nz), 0);
    CU_ASSERT_EQUAL(sl_value_hash(&pz), sl_value_hash(&nz));
    CU_ASSERT_EQUAL(sl_value_hash(&pz), sl_value_hash(&zero));
    CU_ASSERT(sl_value_cmp(&nan, &inf) > 0);
    CU_ASSERT_EQUAL(sl_value_cmp(&nan, &nan), 0);
    /* intervals: 1 mon = 30 days, 1 day = 24 hours, equal hashes */
    SlValue m = sl_val_interval(1, 0, 0), d30 = sl_val_interval(0, 30, 0), h720 = sl_val_interval(0, 0, 720LL * 3600000000LL);
    CU_ASSERT_EQUAL(sl_value_cmp(&m, &d30), 0);
    CU_ASSERT_EQUAL(sl_value_cmp(&m, &h720), 0);
    CU_ASSERT_EQUAL(sl_value_hash(&m), sl_value_hash(&d30));
    CU_ASSERT_EQUAL(sl_value_hash(&m), sl_value_hash(&h720));
    /* timestamp and timestamptz at the same instant (UTC) */
    SlValue ts = sl_val_timestamp(123456789), tz = sl_val_timestamptz(123456789);
    CU_ASSERT_EQUAL(sl_value_cmp(&ts, &tz), 0);
    /* text: byte order (C collation), prefix first */
    SlValue t1 = sl_val_text("abc", 3), t2 = sl_val_text("abc", 3), t3 = sl_val_text("abd", 3),
            t4 = sl_val_text("ab", 2), t5 = sl_val_text("B", 1), e = sl_val_text("", 0);
    CU_ASSERT_EQUAL(sl_value_hash(&t1), sl_value_hash(&t2));
    CU_ASSERT_NOT_EQUAL(sl_value_hash(&t1), sl_value_hash(&t3));
    CU_ASSERT(sl_value_cmp(&t1, &t3) < 0);
    CU_ASSERT(sl_value_cmp(&t4, &t1) < 0);
    CU_ASSERT(sl_value_cmp(&t5, &t1) < 0);
    CU_ASSERT(sl_value_cmp(&e, &t4) < 0);
    /* booleans: false < true */
    SlValue f = sl_val_bool(false), t = sl_val_bool(true);
    CU_ASSERT(sl_value_cmp(&f, &t) < 0);
    CU_ASSERT_NOT_EQUAL(sl_value_hash(&f), sl_value_hash(&t));
    /* NULLs sort last and hash alike */
    SlValue n1 = sl_val_null(SL_T_INT4), n2 = sl_val_null(SL_T_TEXT), one = sl_val_int4(1);
    CU_ASSERT(sl_value_cmp(&n1, &one) > 0);
    CU_ASSERT(sl_value_cmp(&one, &n1) < 0);
    CU_ASSERT_EQUAL(sl_value_cmp(&n1, &n2), 0);
    CU_ASSERT_EQUAL(sl_value_hash(&n1), sl_value_hash(&n2));
}

static int cmp_for_sort(const void *x, const void *y)
{
    return sl_value_cmp(x, y);
}

static void test_cmp_total_order(void)
{
    /* a mixed list of numbers sorts into an order consistent with every
     * pairwise comparison, and equal values hash alike */
    SlValue v[300];
    uint64_t x = 99;
    for (int i = 0; i < 300; i++) {
        x = sl_hash_u64(x + (uint64_t)i);
        int64_t base = (int64_t)(x % 2001) - 1000;
        switch (i % 4) {
        case 0: v[i] = sl_val_int4((int32_t)base); break;
        case 1: v[i] = sl_val_int8(base * 1000000000LL / 1000000000LL); break;
        case 2: v[i] = sl_val_numeric((__int128)base * 1000 + (int64_t)(x >> 40) % 3 * 500, 3); break;
        default: v[i] = sl_val_float8((double)base + 0.5 * (double)((x >> 50) % 2)); break;
        }
    }
    qsort(v, 300, sizeof v[0], cmp_for_sort);
    int bad = 0;
    for (int i = 0; i < 300; i++)
        for (int j = i + 1; j < 300; j++) {
            int c = sl_value_cmp(&v[i], &v[j]);
            if (c > 0 || sl_value_cmp(&v[j], &v[i]) != -c)
                bad++;
            if (c == 0 && sl_value_hash(&v[i]) != sl_value_hash(&v[j]))
                bad++;
        }
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_value_copy(void)
{
    SlArena *a = sl_arena_new(0);
    char src[] = "hello";
    SlValue t = sl_val_text(src, 5), c;
    sl_value_copy(&t, a, &c);
    src[0] = 'j';
    CU_ASSERT_STRING_EQUAL(show(&c), "hello");
    SlValue n = sl_val_numeric(12345, 3);
    sl_value_copy(&n, a, &c);
    CU_ASSERT(c.u.num == 12345 && c.scale == 3 && c.type == SL_T_NUMERIC);
    SlValue nul = sl_val_null(SL_T_TEXT);
    sl_value_copy(&nul, a, &c);
    CU_ASSERT(c.isnull);
    sl_arena_free(a);
}

/* -------------------------------------------------------------- casts */

static void test_casts(void)
{
    /* numeric to int rounds half away from zero; float to int half to even (rint) */
    CU_ASSERT_STRING_EQUAL(cast_text(SL_T_NUMERIC, "2.5", SL_T_INT4), "3");
    CU_ASSERT_STRING_EQUAL(cast_text(SL_T_NUMERIC, "-2.5", SL_T_INT8), "-3");
    CU_ASSERT_STRING_EQUAL(cast_text(SL_T_FLOAT8, "2.5", SL_T_INT4), "2");
    CU_ASSERT_STRING_EQUAL(cast_text(SL_T_FLOAT8, "3.5", SL_T_INT4), "4");
    CU_ASSERT_STRING_EQUAL(cast_text(SL_T_FLOAT8, "-2.5", SL_T_INT8), "-2");
    CU_ASSERT_STRING_EQUAL(cast_text(SL_T_INT8, "3000000000", SL_T_INT4), "ERR 22003 integer out of range");
    CU_ASSERT_STRING_EQUAL(cast_text(SL_T_TEXT, "abc", SL_T_INT4),
                           "ERR 22P02 invalid input syntax for type integer: \"abc\"");
    CU_ASSERT_STRING_EQUAL(cast_text(SL_T_BOOL, "t", SL_T_TIMESTAMP),
                           "ERR 42846 cannot cast type boolean to timestamp without time zone");
    CU_ASSERT_STRING_EQUAL(cast_text(SL_T_BOOL, "t", SL_T_TEXT), "true");
    CU_ASSERT_STRING_EQUAL(cast_text(SL_T_NUMERIC, "1.50", SL_T_TEXT), "1.50");
    SlValue n = sl_val_null(SL_T_INT4), r;
    CU_ASSERT_EQUAL(sl_value_cast(&n, SL_T_TEXT, NULL, &r, NULL), 0);
    CU_ASSERT(r.isnull && r.type == SL_T_TEXT);
    /* implicit coercions and common types */
    static const struct {
        SlType from, to;
        bool ok;
    } co[] = {
        {SL_T_INT4, SL_T_INT8, true}, {SL_T_INT4, SL_T_NUMERIC, true}, {SL_T_INT8, SL_T_FLOAT8, true},
        {SL_T_NUMERIC, SL_T_FLOAT8, true}, {SL_T_INT8, SL_T_INT4, false}, {SL_T_FLOAT8, SL_T_NUMERIC, false},
        {SL_T_TIMESTAMP, SL_T_TIMESTAMPTZ, true}, {SL_T_UNKNOWN, SL_T_INTERVAL, true},
        {SL_T_INT4, SL_T_TEXT, false}, {SL_T_TEXT, SL_T_INT4, false}, {SL_T_BOOL, SL_T_INT4, false},
        {SL_T_TEXT, SL_T_TEXT, true},
    };
    for (size_t i = 0; i < sizeof co / sizeof co[0]; i++)
        CU_ASSERT_EQUAL(sl_type_can_coerce(co[i].from, co[i].to), co[i].ok);
    CU_ASSERT_EQUAL(sl_type_common(SL_T_INT4, SL_T_NUMERIC), SL_T_NUMERIC);
    CU_ASSERT_EQUAL(sl_type_common(SL_T_FLOAT8, SL_T_INT8), SL_T_FLOAT8);
    CU_ASSERT_EQUAL(sl_type_common(SL_T_INT4, SL_T_INT8), SL_T_INT8);
    CU_ASSERT_EQUAL(sl_type_common(SL_T_TIMESTAMPTZ, SL_T_TIMESTAMP), SL_T_TIMESTAMPTZ);
    CU_ASSERT_EQUAL(sl_type_common(SL_T_UNKNOWN, SL_T_BOOL), SL_T_BOOL);
    CU_ASSERT_EQUAL(sl_type_common(SL_T_TEXT, SL_T_INT4), SL_T_UNKNOWN);
    CU_ASSERT_EQUAL(sl_type_common(SL_T_INTERVAL, SL_T_TIMESTAMP), SL_T_UNKNOWN);
}

/* ----------------------------------------------------------- settings */

static void test_settings_table(void)
{
    int n;
    const SlSetting *tab = sl_settings_table(&n);
    CU_ASSERT(n > 30);
    SlSettings *s = sl_settings_new(NULL);
    for (int i = 0; i < n; i++) {
        const SlSetting *e = &tab[i];
        CU_ASSERT_PTR_NOT_NULL(e->name);
        CU_ASSERT(e->help && *e->help);
        CU_ASSERT_PTR_NOT_NULL(e->def);
        CU_ASSERT(sl_setting_find(e->name) == e);
        /* names are unique whatever the case; short options too */
        for (int j = 0; j < i; j++) {
            CU_ASSERT(strcasecmp(e->name, tab[j].name) != 0);
            CU_ASSERT(!e->short_opt || e->short_opt != tab[j].short_opt);
        }
        /* the default is what SHOW prints before any SET */
        CU_ASSERT_STRING_EQUAL(sl_settings_get(s, e->name), e->def);
        if (e->type == SL_SET_INT) {
            CU_ASSERT(e->min <= e->max);
            CU_ASSERT(sl_settings_get_int(s, e->name) >= e->min && sl_settings_get_int(s, e->name) <= e->max);
            CU_ASSERT_EQUAL(sl_settings_get_int(s, e->name), strtoll(e->def, NULL, 10));
        }
        if (e->type == SL_SET_ENUM)
            CU_ASSERT_PTR_NOT_NULL(strstr(e->choices, e->def));
        if (e->type == SL_SET_BOOL)
            CU_ASSERT(!strcmp(e->def, "on") || !strcmp(e->def, "off"));
    }
    /* what the brief and the drivers need, with the contexts and flags */
    static const struct {
        const char *name;
        SlSettingType type;
        SlSettingContext ctx;
        int flags;
        const char *def;
    } want[] = {
        {"data_dir", SL_SET_STRING, SL_CTX_STARTUP, 0, "./data"},
        {"port", SL_SET_INT, SL_CTX_STARTUP, 0, "6543"},
        {"listen", SL_SET_STRING, SL_CTX_STARTUP, 0, "127.0.0.1"},
        {"tls_cert", SL_SET_STRING, SL_CTX_STARTUP, 0, ""},
        {"tls_key", SL_SET_STRING, SL_CTX_STARTUP, 0, ""},
        {"tls_required", SL_SET_BOOL, SL_CTX_STARTUP, 0, "off"},
        {"workers", SL_SET_INT, SL_CTX_STARTUP, 0, "0"},
        {"io_threads", SL_SET_INT, SL_CTX_STARTUP, 0, "2"},
        {"config", SL_SET_STRING, SL_CTX_STARTUP, SL_SETF_NOFILE, ""},
        {"state", SL_SET_STRING, SL_CTX_STARTUP, SL_SETF_SECRET, ""},
        {"auth", SL_SET_ENUM, SL_CTX_STARTUP, 0, "trust"},
        {"password_file", SL_SET_STRING, SL_CTX_STARTUP, 0, ""},
        {"max_connections", SL_SET_INT, SL_CTX_STARTUP, 0, "100"},
        {"max_message_size", SL_SET_INT, SL_CTX_STARTUP, 0, "67108864"},
        {"log_level", SL_SET_ENUM, SL_CTX_STARTUP, 0, "info"},
        {"demo", SL_SET_BOOL, SL_CTX_STARTUP, SL_SETF_NOFILE, "off"},
        {"enable_failpoints", SL_SET_BOOL, SL_CTX_STARTUP, 0, "off"},
        {"default_parallelism", SL_SET_INT, SL_CTX_STARTUP, 0, "0"},
        {"checkpoint_interval", SL_SET_DURATION, SL_CTX_STARTUP, 0, "10s"},
        {"metrics_port", SL_SET_INT, SL_CTX_STARTUP, 0, "0"},
        {"application_name", SL_SET_STRING, SL_CTX_SESSION, SL_SETF_REPORT, ""},
        {"client_encoding", SL_SET_STRING, SL_CTX_SESSION, SL_SETF_REPORT, "UTF8"},
        {"DateStyle", SL_SET_STRING, SL_CTX_SESSION, SL_SETF_REPORT, "ISO, MDY"},
        {"TimeZone", SL_SET_STRING, SL_CTX_SESSION, SL_SETF_REPORT, "UTC"},
        {"IntervalStyle", SL_SET_ENUM, SL_CTX_SESSION, SL_SETF_REPORT, "postgres"},
        {"extra_float_digits", SL_SET_INT, SL_CTX_SESSION, 0, "1"},
        {"statement_timeout", SL_SET_DURATION, SL_CTX_SESSION, 0, "0"},
        {"standard_conforming_strings", SL_SET_ENUM, SL_CTX_SESSION, SL_SETF_REPORT, "on"},
        {"server_version", SL_SET_STRING, SL_CTX_INTERNAL, SL_SETF_REPORT, "15.0"},
        {"server_encoding", SL_SET_STRING, SL_CTX_INTERNAL, SL_SETF_REPORT, "UTF8"},
        {"integer_datetimes", SL_SET_BOOL, SL_CTX_INTERNAL, SL_SETF_REPORT, "on"},
        {"is_superuser", SL_SET_BOOL, SL_CTX_INTERNAL, SL_SETF_REPORT, "on"},
        {"max_identifier_length", SL_SET_INT, SL_CTX_INTERNAL, 0, "63"},
        {"transaction_isolation", SL_SET_STRING, SL_CTX_INTERNAL, 0, "read committed"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const SlSetting *e = sl_setting_find(want[i].name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(e);
        CU_ASSERT_STRING_EQUAL(e->name, want[i].name);
        CU_ASSERT_EQUAL(e->type, want[i].type);
        CU_ASSERT_EQUAL(e->context, want[i].ctx);
        CU_ASSERT_EQUAL(e->flags & want[i].flags, want[i].flags);
        CU_ASSERT_STRING_EQUAL(e->def, want[i].def);
    }
    CU_ASSERT_EQUAL(sl_setting_find("data_dir")->short_opt, 'D');
    CU_ASSERT_EQUAL(sl_setting_find("port")->short_opt, 'p');
    CU_ASSERT_EQUAL(sl_setting_find("port")->min, 1);
    CU_ASSERT_EQUAL(sl_setting_find("port")->max, 65535);
    CU_ASSERT_EQUAL(sl_setting_find("max_message_size")->min, 1024);
    CU_ASSERT_EQUAL(sl_setting_find("workers")->max, 256);
    CU_ASSERT_EQUAL(sl_setting_find("io_threads")->max, 64);
    /* names: any case, '-' for '_'; canonical casing for SHOW's header */
    CU_ASSERT_STRING_EQUAL(sl_setting_find("datestyle")->name, "DateStyle");
    CU_ASSERT_STRING_EQUAL(sl_setting_find("TIMEZONE")->name, "TimeZone");
    CU_ASSERT_STRING_EQUAL(sl_setting_find("data-dir")->name, "data_dir");
    CU_ASSERT_PTR_NULL(sl_setting_find("nope"));
    CU_ASSERT_PTR_NULL(sl_setting_find("port_"));
    CU_ASSERT_PTR_NULL(sl_settings_get(s, "nope"));
    CU_ASSERT_EQUAL(sl_settings_get_int(s, "checkpoint_interval"), 10000);
    CU_ASSERT(sl_settings_get_bool(s, "integer_datetimes"));
    CU_ASSERT(!sl_settings_get_bool(s, "tls_required"));
    sl_settings_free(s);
    sl_settings_free(NULL);
}

static const char *set_err(SlSettings *s, const char *name, const char *value, SlSettingContext ctx)
{
    SlError err;
    sl_error_clear(&err);
    if (sl_settings_set(s, name, value, ctx, &err) == 0)
        return "ok";
    return errstr(&err);
}

static void test_settings_set_show(void)
{
    SlSettings *server = sl_settings_new(NULL);
    SlSettings *session = sl_settings_new(server), *other = sl_settings_new(server);
    SlError err;
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "port"), "6543");
    CU_ASSERT_EQUAL(sl_settings_get_int(session, "port"), 6543);
    CU_ASSERT_STRING_EQUAL(set_err(server, "port", "7000", SL_CTX_STARTUP), "ok");
    CU_ASSERT_EQUAL(sl_settings_get_int(session, "port"), 7000);
    CU_ASSERT_STRING_EQUAL(set_err(session, "port", "7001", SL_CTX_SESSION),
                           "ERR 55P02 parameter \"port\" cannot be changed without restarting the server");
    CU_ASSERT_STRING_EQUAL(set_err(session, "server_version", "16", SL_CTX_SESSION),
                           "ERR 55P02 parameter \"server_version\" cannot be changed");
    CU_ASSERT_STRING_EQUAL(set_err(server, "server_version", "16", SL_CTX_STARTUP),
                           "ERR 55P02 parameter \"server_version\" cannot be changed");
    CU_ASSERT_STRING_EQUAL(set_err(session, "no_such", "1", SL_CTX_SESSION),
                           "ERR 42704 unrecognized configuration parameter \"no_such\"");
    CU_ASSERT_STRING_EQUAL(set_err(session, "extra_float_digits", "4", SL_CTX_SESSION),
                           "ERR 22023 4 is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)");
    CU_ASSERT_STRING_EQUAL(set_err(session, "extra_float_digits", "two", SL_CTX_SESSION),
                           "ERR 22023 invalid value for parameter \"extra_float_digits\": \"two\"");
    CU_ASSERT_STRING_EQUAL(set_err(session, "EXTRA_FLOAT_DIGITS", "3", SL_CTX_SESSION), "ok");
    CU_ASSERT_EQUAL(sl_settings_get_int(session, "extra_float_digits"), 3);
    /* a session's SET is its own */
    CU_ASSERT_EQUAL(sl_settings_get_int(other, "extra_float_digits"), 1);
    CU_ASSERT_EQUAL(sl_settings_get_int(server, "extra_float_digits"), 1);
    /* DateStyle: psql's SET DateStyle = ISO shows "ISO, MDY" */
    CU_ASSERT_STRING_EQUAL(set_err(session, "datestyle", "ISO", SL_CTX_SESSION), "ok");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "DateStyle"), "ISO, MDY");
    CU_ASSERT_STRING_EQUAL(set_err(session, "DateStyle", "mdy,  iso", SL_CTX_SESSION), "ok");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "DATESTYLE"), "ISO, MDY");
    CU_ASSERT_STRING_EQUAL(set_err(session, "DateStyle", "US", SL_CTX_SESSION), "ok");
    CU_ASSERT_STRING_EQUAL(set_err(session, "DateStyle", "SQL, DMY", SL_CTX_SESSION),
                           "ERR 22023 invalid value for parameter \"DateStyle\": \"SQL, DMY\"");
    CU_ASSERT_STRING_EQUAL(set_err(session, "DateStyle", "ISO, DMY", SL_CTX_SESSION),
                           "ERR 22023 invalid value for parameter \"DateStyle\": \"ISO, DMY\"");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "DateStyle"), "ISO, MDY");
    /* TimeZone: UTC names only */
    CU_ASSERT_STRING_EQUAL(set_err(session, "timezone", "utc", SL_CTX_SESSION), "ok");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "TimeZone"), "UTC");
    CU_ASSERT_STRING_EQUAL(set_err(session, "TimeZone", "Etc/UTC", SL_CTX_SESSION), "ok");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "TimeZone"), "Etc/UTC");
    CU_ASSERT_STRING_EQUAL(set_err(session, "TimeZone", "Europe/Berlin", SL_CTX_SESSION),
                           "ERR 22023 invalid value for parameter \"TimeZone\": \"Europe/Berlin\"");
    CU_ASSERT_STRING_EQUAL(set_err(session, "IntervalStyle", "sql_standard", SL_CTX_SESSION),
                           "ERR 22023 invalid value for parameter \"IntervalStyle\": \"sql_standard\"");
    CU_ASSERT_STRING_EQUAL(set_err(session, "intervalstyle", "POSTGRES", SL_CTX_SESSION), "ok");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "IntervalStyle"), "postgres");
    /* encodings: PostgreSQL's names, any case and punctuation */
    static const char *const enc[][2] = {{"utf-8", "UTF8"},     {"Unicode", "UTF8"},   {"utf8", "UTF8"},
                                         {"sql_ascii", "SQL_ASCII"}, {"latin1", "LATIN1"}, {"ISO-8859-1", "LATIN1"},
                                         {"win1252", "WIN1252"}, {"euc_jp", "EUC_JP"}};
    for (size_t i = 0; i < sizeof enc / sizeof enc[0]; i++) {
        CU_ASSERT_STRING_EQUAL(set_err(session, "client_encoding", enc[i][0], SL_CTX_SESSION), "ok");
        CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "client_encoding"), enc[i][1]);
    }
    CU_ASSERT_STRING_EQUAL(set_err(session, "client_encoding", "klingon", SL_CTX_SESSION),
                           "ERR 22023 invalid value for parameter \"client_encoding\": \"klingon\"");
    /* enums print their canonical spelling; a bad one lists the choices */
    CU_ASSERT_STRING_EQUAL(set_err(session, "client_min_messages", "WARNING", SL_CTX_SESSION), "ok");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "client_min_messages"), "warning");
    CU_ASSERT_EQUAL(sl_settings_set(session, "client_min_messages", "loud", SL_CTX_SESSION, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.hint, "Available values: debug5, debug4, debug3, debug2, debug1, log, notice, warning, error.");
    CU_ASSERT_STRING_EQUAL(set_err(session, "default_transaction_isolation", "SERIALIZABLE", SL_CTX_SESSION), "ok");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "default_transaction_isolation"), "serializable");
    CU_ASSERT_STRING_EQUAL(set_err(session, "standard_conforming_strings", "off", SL_CTX_SESSION),
                           "ERR 22023 invalid value for parameter \"standard_conforming_strings\": \"off\"");
    CU_ASSERT_STRING_EQUAL(set_err(session, "standard_conforming_strings", "true", SL_CTX_SESSION), "ok");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "standard_conforming_strings"), "on");
    CU_ASSERT_STRING_EQUAL(set_err(session, "default_transaction_read_only", "false", SL_CTX_SESSION), "ok");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "default_transaction_read_only"), "off");
    CU_ASSERT_STRING_EQUAL(set_err(session, "default_transaction_read_only", "on", SL_CTX_SESSION),
                           "ERR 22023 invalid value for parameter \"default_transaction_read_only\": \"on\"");
    /* booleans */
    CU_ASSERT_STRING_EQUAL(set_err(server, "tls_required", "yes", SL_CTX_STARTUP), "ok");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(server, "tls_required"), "on");
    CU_ASSERT(sl_settings_get_bool(session, "tls_required"));
    CU_ASSERT_STRING_EQUAL(set_err(server, "tls_required", "maybe", SL_CTX_STARTUP),
                           "ERR 22023 parameter \"tls_required\" requires a Boolean value");
    /* application_name is cut at 63 bytes, as PostgreSQL does */
    char longname[100];
    memset(longname, 'a', 99);
    longname[99] = '\0';
    CU_ASSERT_STRING_EQUAL(set_err(session, "application_name", longname, SL_CTX_SESSION), "ok");
    CU_ASSERT_EQUAL(strlen(sl_settings_get(session, "application_name")), 63);
    /* durations keep the text given; get_int is milliseconds */
    CU_ASSERT_STRING_EQUAL(set_err(session, "statement_timeout", "10s", SL_CTX_SESSION), "ok");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "statement_timeout"), "10s");
    CU_ASSERT_EQUAL(sl_settings_get_int(session, "statement_timeout"), 10000);
    CU_ASSERT_STRING_EQUAL(set_err(session, "statement_timeout", "1 min 30 s", SL_CTX_SESSION), "ok");
    CU_ASSERT_EQUAL(sl_settings_get_int(session, "statement_timeout"), 90000);
    CU_ASSERT_STRING_EQUAL(set_err(session, "statement_timeout", "soon", SL_CTX_SESSION),
                           "ERR 22023 invalid value for parameter \"statement_timeout\": \"soon\"");
    CU_ASSERT_STRING_EQUAL(set_err(server, "checkpoint_interval", "2 days", SL_CTX_STARTUP),
                           "ERR 22023 172800000 ms is outside the valid range for parameter \"checkpoint_interval\" (0 .. 86400000 ms)");
    /* a value too long for a setting is refused, not cut */
    char huge[3000];
    memset(huge, 'p', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    CU_ASSERT_STRING_EQUAL(set_err(session, "search_path", huge, SL_CTX_SESSION),
                           "ERR 22023 value for parameter \"search_path\" is too long");
    /* the server's value falls through to sessions that did not SET it */
    CU_ASSERT_STRING_EQUAL(set_err(server, "application_name", "srv", SL_CTX_STARTUP), "ok");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(other, "application_name"), "srv");
    /* RESET */
    CU_ASSERT_EQUAL(sl_settings_reset(session, "extra_float_digits", &err), 0);
    CU_ASSERT_EQUAL(sl_settings_get_int(session, "extra_float_digits"), 1);
    CU_ASSERT_EQUAL(sl_settings_reset(session, "port", &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "55P02");
    CU_ASSERT_EQUAL(sl_settings_reset(session, "server_version", &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "parameter \"server_version\" cannot be changed");
    CU_ASSERT_EQUAL(sl_settings_reset(session, "bogus", &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "42704");
    CU_ASSERT_EQUAL(sl_settings_reset(session, "ALL", &err), 0);
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "DateStyle"), "ISO, MDY");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "TimeZone"), "UTC");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(session, "application_name"), "srv");
    CU_ASSERT_EQUAL(sl_settings_get_int(session, "port"), 7000);
    CU_ASSERT_EQUAL(sl_settings_get_int(session, "checkpoint_interval"), 10000);
    sl_settings_free(session);
    sl_settings_free(other);
    sl_settings_free(server);
}

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static const char *load_err(SlSettings *s, const char *path)
{
    SlError err;
    sl_error_clear(&err);
    if (sl_settings_load_file(s, path, &err) == 0)
        return "ok";
    return errstr(&err);
}

static void test_settings_args_file(void)
{
    char path[] = "/tmp/sluice-settings-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    write_file(path, "# a comment\n\nport = 7100\nlisten = '0.0.0.0'  # trailing\nworkers 3\n"
                     "  application_name = 'has # hash'\nDATESTYLE = 'iso'\nstatement_timeout = 5min\n");

    SlSettings *s = sl_settings_new(NULL);
    SlError err;
    bool help, version;
    char *argv1[] = {"sluiced", "-D", "/tmp/x", "--config", path, "--port=7200", "--tls-required", "-p7300", NULL};
    CU_ASSERT_EQUAL(sl_settings_parse_args(s, 8, argv1, &help, &version, &err), 0);
    CU_ASSERT_STRING_EQUAL(sl_settings_get(s, "data_dir"), "/tmp/x");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(s, "listen"), "0.0.0.0");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(s, "config"), path);
    CU_ASSERT_STRING_EQUAL(sl_settings_get(s, "application_name"), "has # hash");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(s, "DateStyle"), "ISO, MDY");
    CU_ASSERT_EQUAL(sl_settings_get_int(s, "statement_timeout"), 300000);
    CU_ASSERT_EQUAL(sl_settings_get_int(s, "workers"), 3);
    CU_ASSERT_EQUAL(sl_settings_get_int(s, "port"), 7300);
    CU_ASSERT(sl_settings_get_bool(s, "tls_required"));
    CU_ASSERT(!help && !version);
    /* the file is read where --config appears: flags after it win, flags before it lose */
    char *argv1b[] = {"sluiced", "--workers=9", "--config", path, "--io-threads", "4", NULL};
    CU_ASSERT_EQUAL(sl_settings_parse_args(s, 6, argv1b, &help, &version, &err), 0);
    CU_ASSERT_EQUAL(sl_settings_get_int(s, "workers"), 3);
    CU_ASSERT_EQUAL(sl_settings_get_int(s, "io_threads"), 4);
    /* booleans: bare, or followed by a boolean word */
    char *argv1c[] = {"sluiced", "--demo", "--enable-failpoints", "off", "-Dother", "--log-level", "DEBUG", NULL};
    CU_ASSERT_EQUAL(sl_settings_parse_args(s, 7, argv1c, &help, &version, &err), 0);
    CU_ASSERT(sl_settings_get_bool(s, "demo"));
    CU_ASSERT(!sl_settings_get_bool(s, "enable_failpoints"));
    CU_ASSERT_STRING_EQUAL(sl_settings_get(s, "data_dir"), "other");
    CU_ASSERT_STRING_EQUAL(sl_settings_get(s, "log_level"), "debug");
    char *argv2[] = {"sluiced", "--port", "70000", NULL};
    CU_ASSERT_EQUAL(sl_settings_parse_args(s, 3, argv2, &help, &version, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "--port: 70000 is outside the valid range for parameter \"port\" (1 .. 65535)");
    char *argv3[] = {"sluiced", "--bogus", NULL};
    CU_ASSERT_EQUAL(sl_settings_parse_args(s, 2, argv3, &help, &version, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "unknown option \"--bogus\"");
    char *argv3b[] = {"sluiced", "--server-version=16", NULL};
    CU_ASSERT_EQUAL(sl_settings_parse_args(s, 2, argv3b, &help, &version, &err), -1);
    char *argv3c[] = {"sluiced", "--port", NULL};
    CU_ASSERT_EQUAL(sl_settings_parse_args(s, 2, argv3c, &help, &version, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "option \"--port\" needs a value");
    char *argv3d[] = {"sluiced", "stray", NULL};
    CU_ASSERT_EQUAL(sl_settings_parse_args(s, 2, argv3d, &help, &version, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "unexpected argument \"stray\"");
    char *argv3e[] = {"sluiced", "-Z", "1", NULL};
    CU_ASSERT_EQUAL(sl_settings_parse_args(s, 3, argv3e, &help, &version, &err), -1);
    char *argv4[] = {"sluiced", "--help", NULL};
    CU_ASSERT_EQUAL(sl_settings_parse_args(s, 2, argv4, &help, &version, &err), 0);
    CU_ASSERT(help && !version);
    char *argv5[] = {"sluiced", "-V", NULL};
    CU_ASSERT_EQUAL(sl_settings_parse_args(s, 2, argv5, &help, &version, &err), 0);
    CU_ASSERT(!help && version);

    /* config file errors name the file and the line */
    char expect[512];
    write_file(path, "port = 1\n\n# x\nnope = 2\n");
    snprintf(expect, sizeof expect, "ERR 42704 %s:4: unrecognized configuration parameter \"nope\"", path);
    CU_ASSERT_STRING_EQUAL(load_err(s, path), expect);
    write_file(path, "port = 1\nport = 0\n");
    snprintf(expect, sizeof expect,
             "ERR 22023 %s:2: 0 is outside the valid range for parameter \"port\" (1 .. 65535)", path);
    CU_ASSERT_STRING_EQUAL(load_err(s, path), expect);
    write_file(path, "server_version = 16\n");
    snprintf(expect, sizeof expect, "ERR 55P02 %s:1: parameter \"server_version\" cannot be changed", path);
    CU_ASSERT_STRING_EQUAL(load_err(s, path), expect);
    write_file(path, "demo = on\n");
    snprintf(expect, sizeof expect, "ERR 55P02 %s:1: parameter \"demo\" can only be given on the command line",
             path);
    CU_ASSERT_STRING_EQUAL(load_err(s, path), expect);
    write_file(path, "auth = kerberos\n");
    snprintf(expect, sizeof expect, "ERR 22023 %s:1: invalid value for parameter \"auth\": \"kerberos\"", path);
    CU_ASSERT_STRING_EQUAL(load_err(s, path), expect);
    /* session settings in the file become the server's defaults */
    write_file(path, "extra_float_digits = 2\nauth = SCRAM\n");
    CU_ASSERT_STRING_EQUAL(load_err(s, path), "ok");
    CU_ASSERT_EQUAL(sl_settings_get_int(s, "extra_float_digits"), 2);
    CU_ASSERT_STRING_EQUAL(sl_settings_get(s, "auth"), "scram");
    unlink(path);
    snprintf(expect, sizeof expect, "could not open configuration file \"%s\"", path);
    CU_ASSERT_EQUAL(sl_settings_load_file(s, path, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "58030");
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, expect));
    char *argv6[] = {"sluiced", "--config", path, NULL};
    CU_ASSERT_EQUAL(sl_settings_parse_args(s, 3, argv6, &help, &version, &err), -1);
    sl_settings_free(s);
}

static void test_settings_usage(void)
{
    SlBuf u;
    sl_buf_init(&u);
    sl_settings_usage("sluiced", &u);
    CU_ASSERT_PTR_NOT_NULL(strstr(u.data, "Usage: sluiced"));
    CU_ASSERT_PTR_NOT_NULL(strstr(u.data, "-D, --data-dir"));
    CU_ASSERT_PTR_NOT_NULL(strstr(u.data, "-p, --port N"));
    CU_ASSERT_PTR_NOT_NULL(strstr(u.data, "--help"));
    CU_ASSERT_PTR_NOT_NULL(strstr(u.data, "(default: 6543)"));
    int n;
    const SlSetting *tab = sl_settings_table(&n);
    for (int i = 0; i < n; i++) {
        char opt[80];
        snprintf(opt, sizeof opt, "--%s", tab[i].name);
        for (char *c = opt; *c; c++)
            if (*c == '_')
                *c = '-';
        bool listed = strstr(u.data, opt) != NULL;
        /* every startup setting is listed with its help; session ones are SET */
        CU_ASSERT_EQUAL(listed, tab[i].context == SL_CTX_STARTUP);
        if (tab[i].context == SL_CTX_STARTUP)
            CU_ASSERT_PTR_NOT_NULL(strstr(u.data, tab[i].help));
    }
    sl_buf_free(&u);
}

static void test_durations(void)
{
    static const struct {
        const char *text;
        int64_t ms;
    } ok[] = {
        {"10s", 10000}, {"5 min", 300000}, {"250", 250}, {"1 second", 1000}, {"1.5h", 5400000},
        {"100ms", 100}, {"2 days", 172800000}, {"1d", 86400000}, {" 3 s ", 3000}, {"0", 0},
        {"1500us", 2}, {"1 minute", 60000}, {"2 hours", 7200000}, {"1 min 30 s", 90000},
        {"00:01:30", 90000}, {"1 day 02:00:00", 93600000}, {"10 milliseconds", 10},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t ms = -1;
        CU_ASSERT_EQUAL(sl_parse_duration_ms(ok[i].text, &ms, NULL), 0);
        if (ms != ok[i].ms)
            fprintf(stderr, "\n  duration '%s': %lld", ok[i].text, (long long)ms);
        CU_ASSERT_EQUAL(ms, ok[i].ms);
    }
    static const char *const bad[] = {"2 fortnights", "-1s", "", "abc", "1 mon", "5 x", "1e400 s", "nan"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms;
        SlError err;
        CU_ASSERT_EQUAL(sl_parse_duration_ms(bad[i], &ms, &err), -1);
        CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22023");
    }
}

/* Populating pages (big arena blocks, growing buffers) keeps what is
 * written there, at any alignment, and big blocks and buffers read back
 * exactly what was written into them. */
static void test_populate(void)
{
    size_t n = 3u << 20;
    unsigned char *m = sl_malloc(n + 100);
    for (size_t i = 0; i < n + 100; i++)
        m[i] = (unsigned char)(i * 7 + 3);
    sl_mem_populate(m + 1, n - 1);
    sl_mem_populate(m + 5000, 10); /* no whole page: nothing to do */
    sl_mem_populate(m, 0);
    size_t bad = 0;
    for (size_t i = 0; i < n + 100; i++)
        bad += m[i] != (unsigned char)(i * 7 + 3);
    CU_ASSERT_EQUAL(bad, 0);
    free(m);

    /* a buffer growing past 1 MB, and an arena with blocks of 4 MB */
    SlBuf b;
    sl_buf_init(&b);
    for (uint32_t i = 0; i < 1000000; i++)
        sl_buf_append(&b, &i, sizeof i);
    bad = 0;
    for (uint32_t i = 0; i < 1000000; i++) {
        uint32_t x;
        memcpy(&x, b.data + (size_t)i * 4, 4);
        bad += x != i;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(b.cap >= 4000001);
    sl_buf_free(&b);
    SlArena *a = sl_arena_new(0);
    sl_arena_grow(a, 4u << 20);
    uint64_t *first = NULL, *last = NULL;
    for (int i = 0; i < 4000; i++) {
        uint64_t *q = sl_alloc(a, 4096);
        for (int k = 0; k < 512; k++)
            q[k] = (uint64_t)i * 512 + (uint64_t)k;
        if (!first)
            first = q;
        last = q;
    }
    CU_ASSERT_EQUAL(first[511], 511);
    CU_ASSERT_EQUAL(last[0], 3999ull * 512);
    CU_ASSERT(sl_arena_used(a) >= 4000u * 4096);
    sl_arena_free(a);
}

/* Freed 4 MB blocks of growing arenas are kept for the next arena that
 * grows (not under AddressSanitizer, which must see every block freed). */
static void test_arena_pool(void)
{
#if defined(__SANITIZE_ADDRESS__)
    const bool on = false;
#else
    const bool on = true;
#endif
    SlArena *a = sl_arena_new(0);
    sl_arena_grow(a, 4u << 20);
    for (int i = 0; i < 20000; i++) /* 20 MB: blocks double up to 4 MB */
        memset(sl_alloc(a, 1024), 0x5a, 1024);
    size_t before = sl_arena_pooled();
    sl_arena_free(a);
    size_t kept = sl_arena_pooled();
    if (!on) {
        CU_ASSERT_EQUAL(kept, 0);
        return;
    }
    CU_ASSERT(kept >= before + (8u << 20)); /* at least two 4 MB blocks */
    CU_ASSERT(kept <= (256u << 20));
    /* the next arena growing to 4 MB blocks takes them, and they work */
    SlArena *b = sl_arena_new(0);
    sl_arena_grow(b, 4u << 20);
    uint32_t *last = NULL;
    for (uint32_t i = 0; i < 12000; i++) {
        last = sl_alloc0(b, 1024);
        last[0] = i;
    }
    CU_ASSERT_EQUAL(last[0], 11999);
    CU_ASSERT_EQUAL(last[1], 0);
    CU_ASSERT(sl_arena_pooled() < kept);
    /* a reset keeps the first block and pools the rest */
    size_t mid = sl_arena_pooled();
    sl_arena_reset(b);
    CU_ASSERT(sl_arena_pooled() > mid);
    sl_arena_free(b);
}

static const SlUnitTest memory_tests[] = {
    {"arena", test_arena},
    {"arena reuse across resets", test_arena_reuse},
    {"heap helpers", test_heap_helpers},
    {"buffers", test_buf},
    {"populated pages keep their bytes", test_populate},
    {"freed 4 MB blocks are kept for the next arena", test_arena_pool},
    {NULL, NULL}};
SL_UNIT_SUITE("common: memory", memory_tests)

static const SlUnitTest error_tests[] = {
    {"error records", test_errors},
    {"SQLSTATE table", test_sqlstate_table},
    {"logging", test_log},
    {"hashing", test_hash},
    {NULL, NULL}};
SL_UNIT_SUITE("common: errors, logging, hashing", error_tests)

static const SlUnitTest value_tests[] = {
    {"type names and oids", test_type_names},
    {"constructors and now", test_constructors_now},
    {"PostgreSQL 15's answers", test_pg_cases},
    {"integers", test_int_io},
    {"float8 output and round trips", test_float_io},
    {"timestamps", test_timestamp_io},
    {"timestamps: the fast form agrees with the general scanner", test_timestamp_fast_form},
    {"intervals", test_interval_io},
    {"numeric limits", test_numeric_limits},
    {"numeric avg scales", test_numeric_avg},
    {"binary send/recv", test_binary},
    {"random input reads back", test_input_fuzz},
    {NULL, NULL}};
SL_UNIT_SUITE("common: values", value_tests)

static const SlUnitTest op_tests[] = {
    {"result types", test_op_result_types},
    {"integer overflow and negation", test_int_ops},
    {"date and time arithmetic", test_time_ops},
    {"untyped literals", test_untyped_literals},
    {"NULLs", test_nulls},
    {"compare and hash", test_cmp_hash},
    {"a total order across numeric types", test_cmp_total_order},
    {"copy", test_value_copy},
    {"casts and coercion", test_casts},
    {NULL, NULL}};
SL_UNIT_SUITE("common: operators and casts", op_tests)

static const SlUnitTest settings_tests[] = {
    {"table", test_settings_table},
    {"SET, SHOW, RESET", test_settings_set_show},
    {"command line and config file", test_settings_args_file},
    {"usage", test_settings_usage},
    {"durations", test_durations},
    {NULL, NULL}};
SL_UNIT_SUITE("common: settings", settings_tests)
