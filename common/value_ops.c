/*
 * value_ops.c — operators, comparison, hashing, casts and type coercion,
 * with PostgreSQL's promotion rules and errors.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common_int.h"

/* ------------------------------------------------------------ coercion */

static bool is_num(SlType t)
{
    return t == SL_T_INT4 || t == SL_T_INT8 || t == SL_T_NUMERIC || t == SL_T_FLOAT8;
}

static int num_rank(SlType t)
{
    switch (t) {
    case SL_T_INT4: return 1;
    case SL_T_INT8: return 2;
    case SL_T_NUMERIC: return 3;
    case SL_T_FLOAT8: return 4;
    default: return 0;
    }
}

bool sl_type_can_coerce(SlType from, SlType to)
{
    if (from == to || from == SL_T_UNKNOWN)
        return true;
    if (is_num(from) && is_num(to))
        return num_rank(from) <= num_rank(to);
    if (from == SL_T_TIMESTAMP && to == SL_T_TIMESTAMPTZ)
        return true;
    return false;
}

SlType sl_type_common(SlType a, SlType b)
{
    if (a == b)
        return a;
    if (a == SL_T_UNKNOWN)
        return b;
    if (b == SL_T_UNKNOWN)
        return a;
    if (is_num(a) && is_num(b))
        return num_rank(a) >= num_rank(b) ? a : b;
    if ((a == SL_T_TIMESTAMP && b == SL_T_TIMESTAMPTZ) || (b == SL_T_TIMESTAMP && a == SL_T_TIMESTAMPTZ))
        return SL_T_TIMESTAMPTZ;
    return SL_T_UNKNOWN;
}

/* An unknown literal takes the other side's type (an interval next to a
 * timestamp for + and -); two unknowns are text. */
static void resolve_unknowns(SlOp op, SlType *a, SlType *b)
{
    if (*a == SL_T_UNKNOWN && *b == SL_T_UNKNOWN) {
        *a = *b = SL_T_TEXT;
    } else if (*a == SL_T_UNKNOWN) {
        *a = (op == SL_OP_CONCAT) ? SL_T_TEXT : *b;
        if ((*b == SL_T_TIMESTAMP || *b == SL_T_TIMESTAMPTZ) && op == SL_OP_ADD)
            *a = SL_T_INTERVAL;
    } else if (*b == SL_T_UNKNOWN) {
        *b = (op == SL_OP_CONCAT) ? SL_T_TEXT : *a;
        if ((*a == SL_T_TIMESTAMP || *a == SL_T_TIMESTAMPTZ) && (op == SL_OP_ADD || op == SL_OP_SUB))
            *b = SL_T_INTERVAL;
    }
}

SlType sl_op_result_type(SlOp op, SlType a, SlType b)
{
    resolve_unknowns(op, &a, &b);
    switch (op) {
    case SL_OP_CONCAT:
        if (a == SL_T_TEXT || b == SL_T_TEXT)
            return SL_T_TEXT;
        return SL_T_UNKNOWN;
    case SL_OP_EQ: case SL_OP_NE: case SL_OP_LT: case SL_OP_LE: case SL_OP_GT: case SL_OP_GE:
        if (a == b || sl_type_common(a, b) != SL_T_UNKNOWN)
            return SL_T_BOOL;
        return SL_T_UNKNOWN;
    case SL_OP_ADD: case SL_OP_SUB: case SL_OP_MUL: case SL_OP_DIV: case SL_OP_MOD:
        if (is_num(a) && is_num(b)) {
            if (op == SL_OP_MOD && (a == SL_T_FLOAT8 || b == SL_T_FLOAT8))
                return SL_T_UNKNOWN;
            return sl_type_common(a, b);
        }
        if (op == SL_OP_SUB && (a == SL_T_TIMESTAMP || a == SL_T_TIMESTAMPTZ) && sl_type_common(a, b) == (a > b ? a : b) &&
            (b == SL_T_TIMESTAMP || b == SL_T_TIMESTAMPTZ))
            return SL_T_INTERVAL;
        if ((op == SL_OP_ADD || op == SL_OP_SUB) && (a == SL_T_TIMESTAMP || a == SL_T_TIMESTAMPTZ) && b == SL_T_INTERVAL)
            return a;
        if (op == SL_OP_ADD && a == SL_T_INTERVAL && (b == SL_T_TIMESTAMP || b == SL_T_TIMESTAMPTZ))
            return b;
        if ((op == SL_OP_ADD || op == SL_OP_SUB) && a == SL_T_INTERVAL && b == SL_T_INTERVAL)
            return SL_T_INTERVAL;
        if ((op == SL_OP_MUL || op == SL_OP_DIV) && a == SL_T_INTERVAL && is_num(b))
            return SL_T_INTERVAL;
        if (op == SL_OP_MUL && is_num(a) && b == SL_T_INTERVAL)
            return SL_T_INTERVAL;
        return SL_T_UNKNOWN;
    }
    return SL_T_UNKNOWN;
}

/* ---------------------------------------------------------- conversion */

static double to_double(const SlValue *v)
{
    switch (v->type) {
    case SL_T_INT4: return v->u.i4;
    case SL_T_INT8: return (double)v->u.i8;
    case SL_T_FLOAT8: return v->u.f8;
    case SL_T_NUMERIC: return sl_numeric_to_double(v->u.num, v->scale);
    default: return 0;
    }
}

static int64_t to_int64(const SlValue *v)
{
    return v->type == SL_T_INT4 ? v->u.i4 : v->u.i8;
}

static SlValue to_numeric(const SlValue *v)
{
    if (v->type == SL_T_NUMERIC)
        return *v;
    return sl_val_numeric((__int128)to_int64(v), 0);
}

static int int_overflow(SlError *err, SlType t)
{
    return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range",
                    t == SL_T_INT4 ? "integer" : "bigint");
}

static int div_zero(SlError *err)
{
    return sl_error(err, SL_E_DIVISION_BY_ZERO, "division by zero");
}

/* PostgreSQL's float8 checks: an infinite result from finite inputs is an
 * overflow; a zero result from non-zero inputs is an underflow. */
static int float_arith(SlOp op, double x, double y, SlValue *out, SlError *err)
{
    double r;
    bool over, under = false;
    switch (op) {
    case SL_OP_ADD:
    case SL_OP_SUB:
        r = op == SL_OP_ADD ? x + y : x - y;
        over = isinf(r) && !isinf(x) && !isinf(y);
        break;
    case SL_OP_MUL:
        r = x * y;
        over = isinf(r) && !isinf(x) && !isinf(y);
        under = r == 0.0 && x != 0.0 && y != 0.0;
        break;
    case SL_OP_DIV:
        if (y == 0.0 && !isnan(x))
            return sl_error(err, SL_E_DIVISION_BY_ZERO, "division by zero");
        r = x / y;
        over = isinf(r) && !isinf(x);
        under = r == 0.0 && x != 0.0 && !isinf(y);
        break;
    default:
        return sl_error(err, SL_E_INTERNAL_ERROR, "bad float operator");
    }
    if (over)
        return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
    if (under)
        return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow");
    *out = sl_val_float8(r);
    return 0;
}

static int numeric_arith(SlOp op, const SlValue *a, const SlValue *b, SlValue *out, SlError *err)
{
    SlValue x = to_numeric(a), y = to_numeric(b);
    __int128 p, q, r;
    int s;
    switch (op) {
    case SL_OP_ADD:
    case SL_OP_SUB:
        s = x.scale > y.scale ? x.scale : y.scale;
        if (sl_numeric_rescale(x.u.num, x.scale, s, &p, err) < 0 ||
            sl_numeric_rescale(y.u.num, y.scale, s, &q, err) < 0)
            return -1;
        if (op == SL_OP_ADD ? __builtin_add_overflow(p, q, &r) : __builtin_sub_overflow(p, q, &r))
            return sl_numeric_overflow(err);
        return sl_numeric_from_int128(r, s, out, err);
    case SL_OP_MUL:
        return sl_numeric_mul(&x, &y, out, err);
    case SL_OP_DIV:
        return sl_numeric_div(&x, &y, out, err);
    case SL_OP_MOD:
        return sl_numeric_mod(&x, &y, out, err);
    default:
        return sl_error(err, SL_E_INTERNAL_ERROR, "bad numeric operator");
    }
}

static int cmp_num(const SlValue *a, const SlValue *b)
{
    if (a->type == SL_T_FLOAT8 || b->type == SL_T_FLOAT8) {
        double x = to_double(a), y = to_double(b);
        /* NaN sorts above everything, equal to itself (PostgreSQL) */
        if (isnan(x))
            return isnan(y) ? 0 : 1;
        if (isnan(y))
            return -1;
        return x < y ? -1 : x > y;
    }
    if (a->type == SL_T_NUMERIC || b->type == SL_T_NUMERIC) {
        SlValue x = to_numeric(a), y = to_numeric(b);
        int s = x.scale > y.scale ? x.scale : y.scale;
        __int128 p, q;
        /* rescaling up can overflow only beyond 38 digits: compare as double then */
        if (sl_numeric_rescale(x.u.num, x.scale, s, &p, NULL) < 0 ||
            sl_numeric_rescale(y.u.num, y.scale, s, &q, NULL) < 0) {
            double dx = to_double(&x), dy = to_double(&y);
            return dx < dy ? -1 : dx > dy;
        }
        return p < q ? -1 : p > q;
    }
    int64_t x = to_int64(a), y = to_int64(b);
    return x < y ? -1 : x > y;
}


int sl_value_cmp(const SlValue *a, const SlValue *b)
{
    if (a->isnull || b->isnull)
        return a->isnull ? (b->isnull ? 0 : 1) : -1;
    if (is_num(a->type) && is_num(b->type))
        return cmp_num(a, b);
    switch (a->type) {
    case SL_T_BOOL:
        return (int)a->u.b - (int)b->u.b;
    case SL_T_TEXT:
    case SL_T_UNKNOWN: {
        size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
        int c = n ? memcmp(a->u.s.p, b->u.s.p, n) : 0;
        if (c)
            return c < 0 ? -1 : 1;
        return a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
    }
    case SL_T_TIMESTAMP:
    case SL_T_TIMESTAMPTZ:
        return a->u.ts < b->u.ts ? -1 : a->u.ts > b->u.ts;
    case SL_T_INTERVAL: {
        /* PostgreSQL compares intervals as if a month were 30 days */
        __int128 x = sl_interval_key(&a->u.iv), y = sl_interval_key(&b->u.iv);
        return x < y ? -1 : x > y;
    }
    default:
        return 0;
    }
}

/* Numbers of every type hash alike when sl_value_cmp calls them equal:
 * integral values up to 2^53 hash as that integer; anything else hashes
 * as the double the comparison would use (NaNs all alike). Distinct
 * values far apart may collide, equal ones never differ. */
#define EXACT_INT_LIMIT 9007199254740992.0 /* 2^53 */

static uint64_t hash_double(double d)
{
    if (isnan(d))
        return sl_hash_u64(0x7ff8000000000000ULL ^ 0x666c74);
    if (d == 0)
        d = 0; /* -0 = 0 */
    if (fabs(d) <= EXACT_INT_LIMIT && d == (double)(int64_t)d)
        return sl_hash_u64((uint64_t)(int64_t)d);
    uint64_t u;
    memcpy(&u, &d, 8);
    return sl_hash_u64(u ^ 0x666c74);
}

static uint64_t hash_int(int64_t x)
{
    if (x > (int64_t)EXACT_INT_LIMIT || x < -(int64_t)EXACT_INT_LIMIT)
        return hash_double((double)x);
    return sl_hash_u64((uint64_t)x);
}

uint64_t sl_value_hash(const SlValue *v)
{
    if (v->isnull)
        return 0x5bd1e9955bd1e995ULL;
    switch (v->type) {
    case SL_T_INT4:
        return hash_int(v->u.i4);
    case SL_T_INT8:
        return hash_int(v->u.i8);
    case SL_T_NUMERIC: {
        /* strip trailing zeros so 1.0 hashes like 1 */
        __int128 x = v->u.num;
        int s = v->scale;
        while (s > 0 && x % 10 == 0) {
            x /= 10;
            s--;
        }
        if (s == 0 && x >= INT64_MIN && x <= INT64_MAX)
            return hash_int((int64_t)x);
        return hash_double(sl_numeric_to_double(x, s));
    }
    case SL_T_FLOAT8:
        return hash_double(v->u.f8);
    case SL_T_BOOL:
        return sl_hash_u64(v->u.b ? 0xb001 : 0xb000);
    case SL_T_TEXT:
    case SL_T_UNKNOWN:
        return sl_hash_bytes(v->u.s.p, v->u.s.len, 0x74657874);
    case SL_T_TIMESTAMP:
    case SL_T_TIMESTAMPTZ:
        return sl_hash_u64((uint64_t)v->u.ts ^ 0x7473);
    case SL_T_INTERVAL:
    {
        __int128 k = sl_interval_key(&v->u.iv);
        return sl_hash_u64(((uint64_t)k ^ 0x6976) + sl_hash_u64((uint64_t)(k >> 64)));
    }
    default:
        return 0;
    }
}

void sl_value_copy(const SlValue *in, SlArena *arena, SlValue *out)
{
    *out = *in;
    if (!in->isnull && (in->type == SL_T_TEXT || in->type == SL_T_UNKNOWN))
        out->u.s.p = sl_strndup(arena, in->u.s.p, in->u.s.len);
}

/* ----------------------------------------------------------- operators */

static int ts_add_interval(int64_t ts, const SlInterval *iv, int sign, int64_t *out, SlError *err)
{
    if (ts == SL_TS_NOBEGIN || ts == SL_TS_NOEND) {
        *out = ts;
        return 0;
    }
    if (iv->months) {
        int64_t days = ts / SL_USECS_PER_DAY, t = ts % SL_USECS_PER_DAY;
        if (t < 0) {
            t += SL_USECS_PER_DAY;
            days--;
        }
        int64_t y;
        int m, d;
        sl_civil_from_days(days, &y, &m, &d);
        int64_t mm = y * 12 + (m - 1) + sign * (int64_t)iv->months;
        y = mm >= 0 ? mm / 12 : -((-mm + 11) / 12);
        m = (int)(mm - y * 12) + 1;
        static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        if (y < -4713 || y > 294276)
            return sl_error(err, SL_E_DATETIME_FIELD_OVERFLOW, "timestamp out of range");
        int maxd = dm[m - 1] + (m == 2 && sl_is_leap(y));
        if (d > maxd)
            d = maxd;
        ts = sl_days_from_civil(y, m, d) * SL_USECS_PER_DAY + t;
    }
    int64_t delta;
    if (__builtin_mul_overflow((int64_t)iv->days, SL_USECS_PER_DAY, &delta) ||
        __builtin_add_overflow(delta, iv->usec, &delta) ||
        (sign > 0 ? __builtin_add_overflow(ts, delta, out) : __builtin_sub_overflow(ts, delta, out)) ||
        !sl_timestamp_in_range(*out))
        return sl_error(err, SL_E_DATETIME_FIELD_OVERFLOW, "timestamp out of range");
    return 0;
}

static int text_concat(const SlValue *a, const SlValue *b, SlArena *arena, SlValue *out)
{
    SlBuf tmp;
    sl_buf_init(&tmp);
    const SlValue *vs[2] = {a, b};
    size_t total = 0;
    for (int i = 0; i < 2; i++) {
        if (vs[i]->type == SL_T_TEXT || vs[i]->type == SL_T_UNKNOWN)
            total += vs[i]->u.s.len;
    }
    char *p = NULL;
    size_t len = 0;
    if (a->type == SL_T_TEXT && b->type == SL_T_TEXT) {
        p = sl_alloc(arena, total + 1);
        memcpy(p, a->u.s.p, a->u.s.len);
        memcpy(p + a->u.s.len, b->u.s.p, b->u.s.len);
        len = total;
        p[len] = '\0';
    } else {
        for (int i = 0; i < 2; i++)
            sl_value_out(vs[i], &tmp);
        p = sl_strndup(arena, tmp.data ? tmp.data : "", tmp.len);
        len = tmp.len;
    }
    sl_buf_free(&tmp);
    *out = sl_val_text(p, len);
    return 0;
}

int sl_value_op(SlOp op, const SlValue *a, const SlValue *b, SlArena *arena,
                SlValue *out, SlError *err)
{
    SlType ta = a->type, tb = b->type;
    resolve_unknowns(op, &ta, &tb);
    SlType rt = sl_op_result_type(op, ta, tb);
    if (rt == SL_T_UNKNOWN)
        return sl_error(err, SL_E_UNDEFINED_FUNCTION, "operator does not exist: %s %s %s",
                        sl_type_name(ta),
                        (const char *[]){"+", "-", "*", "/", "%", "=", "<>", "<", "<=", ">", ">=", "||"}[op],
                        sl_type_name(tb));
    if (a->isnull || b->isnull) {
        *out = sl_val_null(rt);
        return 0;
    }
    /* an untyped literal ('1' + 1) is read as the type it resolved to */
    SlValue ca, cb;
    if (a->type == SL_T_UNKNOWN && ta != SL_T_UNKNOWN) {
        if (sl_value_in(ta, a->u.s.p, a->u.s.len, arena, &ca, err) < 0)
            return -1;
        a = &ca;
    }
    if (b->type == SL_T_UNKNOWN && tb != SL_T_UNKNOWN) {
        if (sl_value_in(tb, b->u.s.p, b->u.s.len, arena, &cb, err) < 0)
            return -1;
        b = &cb;
    }
    if (rt == SL_T_BOOL) {
        int c = sl_value_cmp(a, b);
        bool r = false;
        switch (op) {
        case SL_OP_EQ: r = c == 0; break;
        case SL_OP_NE: r = c != 0; break;
        case SL_OP_LT: r = c < 0; break;
        case SL_OP_LE: r = c <= 0; break;
        case SL_OP_GT: r = c > 0; break;
        case SL_OP_GE: r = c >= 0; break;
        default: break;
        }
        *out = sl_val_bool(r);
        return 0;
    }
    if (op == SL_OP_CONCAT)
        return text_concat(a, b, arena, out);

    if (is_num(ta) && is_num(tb)) {
        if (rt == SL_T_FLOAT8)
            return float_arith(op, to_double(a), to_double(b), out, err);
        if (rt == SL_T_NUMERIC)
            return numeric_arith(op, a, b, out, err);
        int64_t x = to_int64(a), y = to_int64(b), r = 0;
        bool over = false;
        switch (op) {
        case SL_OP_ADD: over = __builtin_add_overflow(x, y, &r); break;
        case SL_OP_SUB: over = __builtin_sub_overflow(x, y, &r); break;
        case SL_OP_MUL: over = __builtin_mul_overflow(x, y, &r); break;
        case SL_OP_DIV:
            if (y == 0)
                return div_zero(err);
            if (y == -1) {
                over = __builtin_sub_overflow((int64_t)0, x, &r);
                if (rt == SL_T_INT8 && x == INT64_MIN)
                    over = true;
            } else {
                r = x / y;
            }
            break;
        case SL_OP_MOD:
            if (y == 0)
                return div_zero(err);
            r = y == -1 ? 0 : x % y;
            break;
        default: break;
        }
        if (rt == SL_T_INT4) {
            if (over || r < INT32_MIN || r > INT32_MAX)
                return int_overflow(err, rt);
            *out = sl_val_int4((int32_t)r);
        } else {
            if (over)
                return int_overflow(err, rt);
            *out = sl_val_int8(r);
        }
        return 0;
    }
    /* date/time arithmetic */
    if ((ta == SL_T_TIMESTAMP || ta == SL_T_TIMESTAMPTZ) && (tb == SL_T_TIMESTAMP || tb == SL_T_TIMESTAMPTZ)) {
        int64_t d;
        if (a->u.ts == SL_TS_NOBEGIN || a->u.ts == SL_TS_NOEND || b->u.ts == SL_TS_NOBEGIN ||
            b->u.ts == SL_TS_NOEND)
            return sl_error(err, SL_E_DATETIME_FIELD_OVERFLOW, "cannot subtract infinite timestamps");
        if (__builtin_sub_overflow(a->u.ts, b->u.ts, &d))
            return sl_error(err, SL_E_DATETIME_FIELD_OVERFLOW, "interval out of range");
        *out = sl_val_interval(0, (int32_t)(d / SL_USECS_PER_DAY), d % SL_USECS_PER_DAY);
        return 0;
    }
    if ((ta == SL_T_TIMESTAMP || ta == SL_T_TIMESTAMPTZ) && tb == SL_T_INTERVAL) {
        int64_t r = 0;
        if (ts_add_interval(a->u.ts, &b->u.iv, op == SL_OP_SUB ? -1 : 1, &r, err) < 0)
            return -1;
        *out = ta == SL_T_TIMESTAMP ? sl_val_timestamp(r) : sl_val_timestamptz(r);
        return 0;
    }
    if (ta == SL_T_INTERVAL && (tb == SL_T_TIMESTAMP || tb == SL_T_TIMESTAMPTZ))
        return sl_value_op(op, b, a, arena, out, err);
    if (ta == SL_T_INTERVAL && tb == SL_T_INTERVAL) {
        int32_t m, d;
        int64_t u;
        bool over = op == SL_OP_SUB
                        ? (__builtin_sub_overflow(a->u.iv.months, b->u.iv.months, &m) ||
                           __builtin_sub_overflow(a->u.iv.days, b->u.iv.days, &d) ||
                           __builtin_sub_overflow(a->u.iv.usec, b->u.iv.usec, &u))
                        : (__builtin_add_overflow(a->u.iv.months, b->u.iv.months, &m) ||
                           __builtin_add_overflow(a->u.iv.days, b->u.iv.days, &d) ||
                           __builtin_add_overflow(a->u.iv.usec, b->u.iv.usec, &u));
        if (over)
            return sl_error(err, SL_E_DATETIME_FIELD_OVERFLOW, "interval out of range");
        *out = sl_val_interval(m, d, u);
        return 0;
    }
    if ((ta == SL_T_INTERVAL && is_num(tb)) || (is_num(ta) && tb == SL_T_INTERVAL)) {
        const SlInterval *iv = ta == SL_T_INTERVAL ? &a->u.iv : &b->u.iv;
        double f = ta == SL_T_INTERVAL ? to_double(b) : to_double(a);
        SlInterval r;
        if (sl_interval_mul(iv, f, op == SL_OP_DIV, &r, err) < 0)
            return -1;
        *out = sl_val_interval(r.months, r.days, r.usec);
        return 0;
    }
    return sl_error(err, SL_E_UNDEFINED_FUNCTION, "operator does not exist: %s and %s",
                    sl_type_name(ta), sl_type_name(tb));
}

int sl_value_neg(const SlValue *a, SlValue *out, SlError *err)
{
    if (a->isnull) {
        *out = *a;
        return 0;
    }
    switch (a->type) {
    case SL_T_INT4:
        if (a->u.i4 == INT32_MIN)
            return int_overflow(err, SL_T_INT4);
        *out = sl_val_int4(-a->u.i4);
        return 0;
    case SL_T_INT8:
        if (a->u.i8 == INT64_MIN)
            return int_overflow(err, SL_T_INT8);
        *out = sl_val_int8(-a->u.i8);
        return 0;
    case SL_T_FLOAT8:
        *out = sl_val_float8(-a->u.f8);
        return 0;
    case SL_T_NUMERIC:
        *out = sl_val_numeric(-a->u.num, a->scale);
        return 0;
    case SL_T_INTERVAL:
        if (a->u.iv.months == INT32_MIN || a->u.iv.days == INT32_MIN || a->u.iv.usec == INT64_MIN)
            return sl_error(err, SL_E_DATETIME_FIELD_OVERFLOW, "interval out of range");
        *out = sl_val_interval(-a->u.iv.months, -a->u.iv.days, -a->u.iv.usec);
        return 0;
    default:
        return sl_error(err, SL_E_UNDEFINED_FUNCTION, "operator does not exist: - %s",
                        sl_type_name((SlType)a->type));
    }
}

/* ---------------------------------------------------------------- casts */

static int cast_err(SlError *err, SlType from, SlType to)
{
    return sl_error(err, SL_E_CANNOT_COERCE, "cannot cast type %s to %s",
                    sl_type_name(from), sl_type_name(to));
}

int sl_value_cast(const SlValue *in, SlType to, SlArena *arena, SlValue *out, SlError *err)
{
    SlType from = in->type;
    if (in->isnull) {
        *out = sl_val_null(to);
        return 0;
    }
    if (from == to) {
        *out = *in;
        return 0;
    }
    if (from == SL_T_TEXT || from == SL_T_UNKNOWN)
        return sl_value_in(to, in->u.s.p, in->u.s.len, arena, out, err);
    if (to == SL_T_TEXT && from == SL_T_BOOL) {
        /* the cast says true/false; the output function says t/f */
        *out = in->u.b ? sl_val_text("true", 4) : sl_val_text("false", 5);
        return 0;
    }
    if (to == SL_T_TEXT) {
        SlBuf b;
        sl_buf_init(&b);
        sl_value_out(in, &b);
        *out = sl_val_text(sl_strndup(arena, b.data ? b.data : "", b.len), b.len);
        sl_buf_free(&b);
        return 0;
    }
    if (is_num(from) && is_num(to)) {
        switch (to) {
        case SL_T_FLOAT8:
            *out = sl_val_float8(to_double(in));
            return 0;
        case SL_T_NUMERIC:
            if (from == SL_T_FLOAT8) {
                double d = in->u.f8;
                if (isnan(d) || isinf(d))
                    return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED,
                                    "cannot convert %s to numeric", isnan(d) ? "NaN" : "infinity");
                /* PostgreSQL converts with 15 significant digits */
                char buf[64];
                int n = snprintf(buf, sizeof buf, "%.15g", d);
                return sl_value_in(SL_T_NUMERIC, buf, (size_t)n, arena, out, err);
            }
            *out = to_numeric(in);
            return 0;
        case SL_T_INT4:
        case SL_T_INT8: {
            int64_t r;
            if (from == SL_T_FLOAT8) {
                double d = rint(in->u.f8);
                if (isnan(d) || d < -9.223372036854775808e18 || d >= 9.223372036854775808e18)
                    return int_overflow(err, to);
                r = (int64_t)d;
            } else if (from == SL_T_NUMERIC) {
                __int128 x = sl_numeric_round_div(in->u.num, in->scale);
                if (x < INT64_MIN || x > INT64_MAX)
                    return int_overflow(err, to);
                r = (int64_t)x;
            } else {
                r = to_int64(in);
            }
            if (to == SL_T_INT4) {
                if (r < INT32_MIN || r > INT32_MAX)
                    return int_overflow(err, to);
                *out = sl_val_int4((int32_t)r);
            } else {
                *out = sl_val_int8(r);
            }
            return 0;
        }
        default:
            break;
        }
    }
    if (from == SL_T_BOOL && to == SL_T_INT4) {
        *out = sl_val_int4(in->u.b ? 1 : 0);
        return 0;
    }
    if (from == SL_T_INT4 && to == SL_T_BOOL) {
        *out = sl_val_bool(in->u.i4 != 0);
        return 0;
    }
    if ((from == SL_T_TIMESTAMP && to == SL_T_TIMESTAMPTZ) || (from == SL_T_TIMESTAMPTZ && to == SL_T_TIMESTAMP)) {
        *out = *in;
        out->type = (uint8_t)to;
        return 0;
    }
    return cast_err(err, from, to);
}
