/*
 * func.c — the scalar functions the binder resolves (PlFuncId): session
 * facts, math, strings, timestamps. Arguments arrive with the types the
 * binder coerced them to; most functions are strict (NULL in, NULL out).
 * Runtime errors carry PostgreSQL's SQLSTATE.
 */
#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <wctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ex_int.h"

static int eval_args(const PlExpr *e, const SlValue *row, ExEvalCtx *c, SlValue *vals, SlError *err)
{
    for (int i = 0; i < e->nlist; i++)
        if (ex_eval(e->list[i], row, c, &vals[i], err) < 0)
            return -1;
    return 0;
}

static SlValue text_val(ExEvalCtx *c, const char *s, size_t n)
{
    return sl_val_text(sl_strndup(c->arena, s, n), n);
}

static SlValue text_cstr(ExEvalCtx *c, const char *s)
{
    return text_val(c, s, strlen(s));
}

static int utf8_len(const char *s, size_t n)
{
    int c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

/* byte offset of the k-th (0-based) character */
static size_t utf8_offset(const char *s, size_t n, int64_t k)
{
    size_t i = 0;
    while (i < n && k > 0) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        k--;
    }
    return i;
}

/* ------------------------------------------------------------ letter case */

/* lower, upper and initcap follow Unicode through the C.UTF-8 locale, as
 * PostgreSQL does with a libc C.UTF-8 database; ASCII only if the system
 * lacks that locale. */
static locale_t utf8_loc;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_loc_init(void)
{
    utf8_loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

typedef enum CaseMap { CASE_LOWER, CASE_UPPER, CASE_INITCAP } CaseMap;

/* Decodes one UTF-8 character at p (n bytes left); *len its length.
 * Malformed bytes are taken one at a time, unchanged. */
static uint32_t utf8_decode(const unsigned char *p, size_t n, size_t *len)
{
    int k = p[0] < 0x80 ? 0 : (p[0] & 0xE0) == 0xC0 ? 1 : (p[0] & 0xF0) == 0xE0 ? 2 : (p[0] & 0xF8) == 0xF0 ? 3 : -1;
    if (k < 0 || (size_t)k >= n) {
        *len = 1;
        return 0xFFFFFFFF;
    }
    uint32_t cp = k == 0 ? p[0] : (uint32_t)(p[0] & (0x3F >> k));
    for (int i = 1; i <= k; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *len = 1;
            return 0xFFFFFFFF;
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    *len = (size_t)k + 1;
    return cp;
}

static size_t utf8_encode(uint32_t cp, char *u)
{
    if (cp < 0x80) {
        u[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    u[0] = (char)(0xF0 | (cp >> 18));
    u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static SlValue map_case(ExEvalCtx *c, const SlValue *v, CaseMap how)
{
    pthread_once(&utf8_once, utf8_loc_init);
    const unsigned char *p = (const unsigned char *)v->u.s.p;
    size_t n = v->u.s.len;
    char *out = sl_alloc(c->arena, n * 2 + 1); /* a mapped character at most doubles in bytes */
    size_t o = 0;
    bool in_word = false;
    for (size_t i = 0; i < n;) {
        size_t len;
        uint32_t cp = utf8_decode(p + i, n - i, &len);
        if (cp == 0xFFFFFFFF) {
            out[o++] = (char)p[i];
            i += 1;
            in_word = false;
            continue;
        }
        bool lower = how == CASE_LOWER || (how == CASE_INITCAP && in_word);
        uint32_t m;
        if (utf8_loc)
            m = (uint32_t)(lower ? towlower_l((wint_t)cp, utf8_loc) : towupper_l((wint_t)cp, utf8_loc));
        else
            m = cp < 0x80 ? (uint32_t)(lower ? tolower((int)cp) : toupper((int)cp)) : cp;
        if (how == CASE_INITCAP)
            in_word = utf8_loc ? iswalnum_l((wint_t)cp, utf8_loc) != 0 : (cp < 0x80 ? isalnum((int)cp) != 0 : true);
        o += utf8_encode(m, out + o);
        i += len;
    }
    out[o] = '\0';
    return sl_val_text(out, o);
}

SlValue ex_text_lower(ExEvalCtx *c, const SlValue *v)
{
    /* ASCII text needs no locale */
    bool ascii = true;
    for (uint32_t i = 0; i < v->u.s.len && ascii; i++)
        ascii = (unsigned char)v->u.s.p[i] < 0x80;
    if (!ascii)
        return map_case(c, v, CASE_LOWER);
    char *p = sl_alloc(c->arena, v->u.s.len + 1);
    for (uint32_t i = 0; i < v->u.s.len; i++)
        p[i] = (char)tolower((unsigned char)v->u.s.p[i]);
    p[v->u.s.len] = '\0';
    return sl_val_text(p, v->u.s.len);
}

/* ------------------------------------------------------------ datetimes */

#define USEC_PER_DAY 86400000000LL
#define UNIX_DAYS_2000 10957          /* days from 1970-01-01 to 2000-01-01 */
#define JULIAN_2000 2451545           /* Julian day number of 2000-01-01 */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Proleptic Gregorian calendar: days since 2000-01-01 <-> year, month, day
 * (eras of 400 years, March-based years so the leap day comes last). */
static void civil_from_days(int64_t days, int *y, int *m, int *d)
{
    int64_t z = days + UNIX_DAYS_2000 + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;                                  /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);             /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                  /* March = 0 */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = floor_div(yy, 400);
    int64_t yoe = yy - era * 400;
    int64_t mp = m > 2 ? m - 3 : m + 9;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 - UNIX_DAYS_2000;
}

/* ISO 8601 week-numbering year and week of a day. */
static void iso_week(int64_t days, int *isoyear, int *week)
{
    int64_t monday0 = floor_div(days + 5, 7) * 7 - 5;   /* 2000-01-03 was a Monday */
    int64_t thursday = monday0 + 3;
    int y, m, d;
    civil_from_days(thursday, &y, &m, &d);
    *isoyear = y;
    *week = (int)((thursday - days_from_civil(y, 1, 1)) / 7 + 1);
}

/* The units date_trunc, date_part and EXTRACT know, with PostgreSQL's
 * spellings and abbreviations. */
typedef enum Unit {
    U_NONE, U_MICROSECONDS, U_MILLISECONDS, U_SECOND, U_MINUTE, U_HOUR, U_DAY, U_WEEK, U_MONTH, U_QUARTER,
    U_YEAR, U_DECADE, U_CENTURY, U_MILLENNIUM, U_EPOCH, U_DOW, U_ISODOW, U_DOY, U_ISOYEAR, U_JULIAN,
    U_TIMEZONE, U_TIMEZONE_HOUR, U_TIMEZONE_MINUTE
} Unit;

static Unit parse_unit(const SlValue *v, char name[32])
{
    static const struct {
        const char *name;
        Unit u;
    } units[] = {
        {"microsecond", U_MICROSECONDS}, {"microseconds", U_MICROSECONDS}, {"us", U_MICROSECONDS},
        {"usec", U_MICROSECONDS}, {"usecs", U_MICROSECONDS}, {"useconds", U_MICROSECONDS},
        {"millisecond", U_MILLISECONDS}, {"milliseconds", U_MILLISECONDS}, {"ms", U_MILLISECONDS},
        {"msec", U_MILLISECONDS}, {"msecs", U_MILLISECONDS}, {"mseconds", U_MILLISECONDS},
        {"second", U_SECOND}, {"seconds", U_SECOND}, {"s", U_SECOND}, {"sec", U_SECOND}, {"secs", U_SECOND},
        {"minute", U_MINUTE}, {"minutes", U_MINUTE}, {"m", U_MINUTE}, {"min", U_MINUTE}, {"mins", U_MINUTE},
        {"hour", U_HOUR}, {"hours", U_HOUR}, {"h", U_HOUR}, {"hr", U_HOUR}, {"hrs", U_HOUR},
        {"day", U_DAY}, {"days", U_DAY}, {"d", U_DAY}, {"week", U_WEEK}, {"weeks", U_WEEK}, {"w", U_WEEK},
        {"month", U_MONTH}, {"months", U_MONTH}, {"mon", U_MONTH}, {"mons", U_MONTH},
        {"quarter", U_QUARTER}, {"qtr", U_QUARTER}, {"year", U_YEAR}, {"years", U_YEAR}, {"y", U_YEAR},
        {"yr", U_YEAR}, {"yrs", U_YEAR}, {"decade", U_DECADE}, {"decades", U_DECADE}, {"dec", U_DECADE},
        {"century", U_CENTURY}, {"centuries", U_CENTURY}, {"c", U_CENTURY}, {"cent", U_CENTURY},
        {"millennium", U_MILLENNIUM}, {"millennia", U_MILLENNIUM}, {"mil", U_MILLENNIUM}, {"mils", U_MILLENNIUM},
        {"millenniums", U_MILLENNIUM}, {"epoch", U_EPOCH}, {"dow", U_DOW}, {"isodow", U_ISODOW},
        {"doy", U_DOY}, {"isoyear", U_ISOYEAR}, {"julian", U_JULIAN}, {"j", U_JULIAN},
        {"timezone", U_TIMEZONE}, {"timezone_h", U_TIMEZONE_HOUR}, {"timezone_hour", U_TIMEZONE_HOUR},
        {"timezone_m", U_TIMEZONE_MINUTE}, {"timezone_minute", U_TIMEZONE_MINUTE},
    };
    size_t n = v->u.s.len < 31 ? v->u.s.len : 31;
    for (size_t i = 0; i < n; i++)
        name[i] = (char)tolower((unsigned char)v->u.s.p[i]);
    name[n] = '\0';
    if (v->u.s.len > 31)
        return U_NONE;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(units[i].name, name))
            return units[i].u;
    return U_NONE;
}

static const char *type_long_name(SlType t)
{
    return t == SL_T_TIMESTAMP ? "timestamp without time zone"
           : t == SL_T_TIMESTAMPTZ ? "timestamp with time zone" : sl_type_name(t);
}

static int unit_error(const char *name, Unit u, SlType t, SlError *err)
{
    if (u == U_NONE)
        return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "unit \"%s\" not recognized for type %s", name,
                        type_long_name(t));
    return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "unit \"%s\" not supported for type %s", name,
                    type_long_name(t));
}

static int trunc_ts(int64_t ts, Unit u, int64_t *out)
{
    int64_t days = floor_div(ts, USEC_PER_DAY), t = ts - days * USEC_PER_DAY;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    switch (u) {
    case U_MICROSECONDS: *out = ts; return 0;
    case U_MILLISECONDS: *out = days * USEC_PER_DAY + t / 1000 * 1000; return 0;
    case U_SECOND: *out = days * USEC_PER_DAY + t / 1000000 * 1000000; return 0;
    case U_MINUTE: *out = days * USEC_PER_DAY + t / 60000000 * 60000000; return 0;
    case U_HOUR: *out = days * USEC_PER_DAY + t / 3600000000LL * 3600000000LL; return 0;
    case U_DAY: *out = days * USEC_PER_DAY; return 0;
    case U_WEEK: *out = (floor_div(days + 5, 7) * 7 - 5) * USEC_PER_DAY; return 0;
    case U_MONTH: d = 1; break;
    case U_QUARTER: m = (m - 1) / 3 * 3 + 1; d = 1; break;
    case U_YEAR: m = 1; d = 1; break;
    case U_DECADE: y = (int)(floor_div(y, 10) * 10); m = 1; d = 1; break;
    case U_CENTURY: y = y > 0 ? (y + 99) / 100 * 100 - 99 : -((99 - (y - 1)) / 100) * 100 + 1; m = 1; d = 1; break;
    case U_MILLENNIUM: y = y > 0 ? (y + 999) / 1000 * 1000 - 999 : -((999 - (y - 1)) / 1000) * 1000 + 1; m = 1; d = 1; break;
    default: return -1;
    }
    *out = days_from_civil(y, m, d) * USEC_PER_DAY;
    return 0;
}

/* A field of a timestamp or interval as an exact decimal: *v * 10^-*scale. */
static int ts_field(Unit u, const SlValue *x, __int128 *v, int *scale)
{
    *scale = 0;
    if (x->type == SL_T_INTERVAL) {
        const SlInterval *iv = &x->u.iv;
        switch (u) {
        case U_MICROSECONDS: *v = iv->usec % 60000000LL; return 0;
        case U_MILLISECONDS: *v = iv->usec % 60000000LL; *scale = 3; return 0;
        case U_SECOND: *v = iv->usec % 60000000LL; *scale = 6; return 0;
        case U_MINUTE: *v = iv->usec / 60000000LL % 60; return 0;
        case U_HOUR: *v = iv->usec / 3600000000LL; return 0;
        case U_DAY: *v = iv->days; return 0;
        case U_MONTH: *v = iv->months % 12; return 0;
        case U_QUARTER: *v = iv->months % 12 / 3 + 1; return 0;
        case U_YEAR: *v = iv->months / 12; return 0;
        case U_DECADE: *v = iv->months / 120; return 0;
        case U_CENTURY: *v = iv->months / 1200; return 0;
        case U_MILLENNIUM: *v = iv->months / 12000; return 0;
        case U_EPOCH:
            /* a year is 365.25 days, a month 30 days, as PostgreSQL counts */
            *v = (__int128)(iv->months / 12) * 31557600000000LL + (__int128)(iv->months % 12) * 2592000000000LL +
                 (__int128)iv->days * USEC_PER_DAY + iv->usec;
            *scale = 6;
            return 0;
        default: return -1;
        }
    }
    int64_t ts = x->u.ts;
    int64_t days = floor_div(ts, USEC_PER_DAY), t = ts - days * USEC_PER_DAY;
    int y, m, d, isoyear, week;
    civil_from_days(days, &y, &m, &d);
    switch (u) {
    case U_MICROSECONDS: *v = t % 60000000LL; return 0;
    case U_MILLISECONDS: *v = t % 60000000LL; *scale = 3; return 0;
    case U_SECOND: *v = t % 60000000LL; *scale = 6; return 0;
    case U_MINUTE: *v = t / 60000000LL % 60; return 0;
    case U_HOUR: *v = t / 3600000000LL; return 0;
    case U_DAY: *v = d; return 0;
    case U_MONTH: *v = m; return 0;
    case U_QUARTER: *v = (m - 1) / 3 + 1; return 0;
    case U_YEAR: *v = y > 0 ? y : y - 1; return 0;
    case U_DECADE: *v = y >= 0 ? y / 10 : -((8 - (y - 1)) / 10); return 0;
    case U_CENTURY: *v = y > 0 ? (y + 99) / 100 : -((99 - (y - 1)) / 100); return 0;
    case U_MILLENNIUM: *v = y > 0 ? (y + 999) / 1000 : -((999 - (y - 1)) / 1000); return 0;
    case U_DOW: *v = floor_div(days + 6, 7) * -7 + days + 6; return 0;
    case U_ISODOW: { int64_t w = days + 6 - floor_div(days + 6, 7) * 7; *v = w == 0 ? 7 : w; return 0; }
    case U_DOY: *v = days - days_from_civil(y, 1, 1) + 1; return 0;
    case U_WEEK: iso_week(days, &isoyear, &week); *v = week; return 0;
    case U_ISOYEAR: iso_week(days, &isoyear, &week); *v = isoyear; return 0;
    case U_EPOCH: *v = (__int128)ts + (__int128)UNIX_DAYS_2000 * USEC_PER_DAY; *scale = 6; return 0;
    case U_TIMEZONE: case U_TIMEZONE_HOUR: case U_TIMEZONE_MINUTE:
        if (x->type != SL_T_TIMESTAMPTZ)
            return -1;
        *v = 0; /* the server's TimeZone is UTC */
        return 0;
    default: return -1;
    }
}

static double num_to_double(__int128 v, int scale)
{
    double p = 1;
    for (int i = 0; i < scale; i++)
        p *= 10;
    return (double)v / p;
}

/* ------------------------------------------------------- numeric math */

#define NUMERIC_MIN_SIG_DIGITS 16
/* long double carries about 19 digits: results keep at most this many
 * significant digits (PostgreSQL may print more for very precise input) */
#define LD_SIG_DIGITS 18

static long double num_ld(const SlValue *v)
{
    long double p = 1;
    for (int i = 0; i < v->scale; i++)
        p *= 10;
    return (long double)v->u.num / p;
}

/* PostgreSQL's weight: the position of the first base-10000 digit. */
static int num_weight(const SlValue *v)
{
    __int128 x = v->u.num < 0 ? -v->u.num : v->u.num;
    if (x == 0)
        return 0;
    int digits = 0; /* decimal digits left of the point, or minus leading zeros after it */
    __int128 t = x;
    int n = 0;
    while (t) {
        t /= 10;
        n++;
    }
    digits = n - v->scale; /* 123.45 -> 3; 0.0012 -> -2 */
    /* the base-10000 digit holding the first significant decimal digit */
    return digits > 0 ? (digits - 1) / 4 : -((-digits) / 4) - 1;
}

static int clamp_scale(int r)
{
    return r < 0 ? 0 : r > SL_NUMERIC_MAX_SCALE ? SL_NUMERIC_MAX_SCALE : r;
}

static int ld_to_numeric(long double r, int rscale, SlValue *out, SlError *err)
{
    if (!isfinite(r))
        return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
    int intdigits = r == 0 ? 1 : (int)floorl(log10l(fabsl(r))) + 1;
    if (intdigits + rscale > LD_SIG_DIGITS)
        rscale = LD_SIG_DIGITS - intdigits;
    rscale = clamp_scale(rscale);
    long double scaled = r * powl(10, rscale);
    if (fabsl(scaled) >= 1e38L)
        return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
    return sl_numeric_from_int128((__int128)roundl(scaled), rscale, out, err);
}

/* Drops trailing zero digits after the point: 2.000 -> 2. */
static void num_strip(__int128 *v, int *scale)
{
    while (*scale > 0 && *v % 10 == 0) {
        *v /= 10;
        (*scale)--;
    }
}

/* ln(v) and the decimal weight of the result PostgreSQL estimates for
 * choosing the result scale. */
static int numeric_ln(const SlValue *v, long double *r, int *dweight, SlError *err)
{
    if (v->u.num == 0)
        return sl_error(err, SL_E_INVALID_ARGUMENT_FOR_LOG, "cannot take logarithm of zero");
    if (v->u.num < 0)
        return sl_error(err, SL_E_INVALID_ARGUMENT_FOR_LOG, "cannot take logarithm of a negative number");
    long double x = num_ld(v);
    if (x >= 0.9L && x <= 1.1L) {
        /* near 1: from x - 1, exactly, for the weight and the digits */
        __int128 one = 1;
        for (int i = 0; i < v->scale; i++)
            one *= 10;
        __int128 d = v->u.num - one, ad = d < 0 ? -d : d;
        int nd = 0;
        for (__int128 t = ad; t; t /= 10)
            nd++;
        *dweight = d == 0 ? 0 : nd - v->scale - 1;
        *r = log1pl((long double)d / (long double)one);
    } else {
        *r = logl(x);
        *dweight = (int)log10l(fabsl(*r));
    }
    return 0;
}

/* sqrt, ln, log, exp and power of numeric, with PostgreSQL's result scales. */
static int numeric_math(PlFuncId f, const SlValue *a, int e_nargs, SlValue *out, SlError *err)
{
    long double x = num_ld(&a[0]);
    int dscale = a[0].scale;
    switch (f) {
    case PL_F_SQRT: {
        if (a[0].u.num < 0)
            return sl_error(err, SL_E_INVALID_ARGUMENT_FOR_POWER, "cannot take square root of a negative number");
        int sweight = (num_weight(&a[0]) + 1) * 4 / 2 - 1;
        int rscale = NUMERIC_MIN_SIG_DIGITS - sweight;
        return ld_to_numeric(sqrtl(x), rscale > dscale ? rscale : dscale, out, err);
    }
    case PL_F_LN: {
        long double r;
        int dw;
        if (numeric_ln(&a[0], &r, &dw, err) < 0)
            return -1;
        int rscale = NUMERIC_MIN_SIG_DIGITS - dw;
        return ld_to_numeric(r, rscale > dscale ? rscale : dscale, out, err);
    }
    case PL_F_LOG: {
        /* log(x) is base 10; log(b, x) = ln(x) / ln(b) */
        const SlValue *base = e_nargs == 2 ? &a[0] : NULL, *num = e_nargs == 2 ? &a[1] : &a[0];
        long double lx, lb = 2.302585092994045684017991454684364208L;
        int dx, db = 0;
        if (numeric_ln(num, &lx, &dx, err) < 0 || (base && numeric_ln(base, &lb, &db, err) < 0))
            return -1;
        if (lb == 0)
            return sl_error(err, SL_E_DIVISION_BY_ZERO, "division by zero");
        int rscale = NUMERIC_MIN_SIG_DIGITS - (dx - db);
        if (num->scale > rscale)
            rscale = num->scale;
        if (base && base->scale > rscale)
            rscale = base->scale;
        return ld_to_numeric(lx / lb, rscale, out, err);
    }
    case PL_F_EXP: {
        long double val = x * 0.434294481903252L;
        if (val > 1000)
            return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
        int rscale = NUMERIC_MIN_SIG_DIGITS - (int)(val < -1000 ? -1000 : val);
        return ld_to_numeric(expl(x), rscale > dscale ? rscale : dscale, out, err);
    }
    case PL_F_POWER: {
        long double y = num_ld(&a[1]);
        __int128 ev = a[1].u.num;
        int es = a[1].scale;
        num_strip(&ev, &es);
        bool integral = es == 0;
        if (a[0].u.num == 0 && a[1].u.num < 0)
            return sl_error(err, SL_E_INVALID_ARGUMENT_FOR_POWER, "zero raised to a negative power is undefined");
        if (a[0].u.num < 0 && !integral)
            return sl_error(err, SL_E_INVALID_ARGUMENT_FOR_POWER,
                            "a negative number raised to a non-integer power yields a complex result");
        if (integral) {
            int rscale = NUMERIC_MIN_SIG_DIGITS > dscale ? NUMERIC_MIN_SIG_DIGITS : dscale;
            rscale = clamp_scale(rscale);
            /* exactly, while it fits: base^k at scale s*k, then rescaled */
            __int128 bv = a[0].u.num;
            int bs = a[0].scale;
            num_strip(&bv, &bs);
            if (ev >= 0 && ev <= 128) {
                __int128 r = 1;
                bool ok = true;
                for (int i = 0; i < (int)ev && ok; i++)
                    ok = !__builtin_mul_overflow(r, bv, &r);
                int rs = bs * (int)ev;
                for (; ok && rs < rscale; rs++)
                    ok = !__builtin_mul_overflow(r, (__int128)10, &r);
                if (ok && rs == rscale)
                    return sl_numeric_from_int128(r, rscale, out, err);
            }
            return ld_to_numeric(powl(x, y), rscale, out, err);
        }
        long double val = y * log10l(fabsl(x));
        if (val > 1000)
            return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
        int rscale = NUMERIC_MIN_SIG_DIGITS - (int)(val < -1000 ? -1000 : val);
        if (dscale > rscale)
            rscale = dscale;
        if (a[1].scale > rscale)
            rscale = a[1].scale;
        return ld_to_numeric(powl(x, y), rscale, out, err);
    }
    default:
        return sl_error(err, SL_E_INTERNAL_ERROR, "not a numeric function");
    }
}

int ex_call_func(const PlExpr *e, const SlValue *row, ExEvalCtx *c, SlValue *out, SlError *err)
{
    SlValue av[8];
    SlValue *a = e->nlist <= 8 ? av : sl_alloc(c->arena, sizeof(SlValue) * (size_t)e->nlist);
    /* COALESCE evaluates lazily */
    if (e->func == PL_F_COALESCE) {
        for (int i = 0; i < e->nlist; i++) {
            if (ex_eval(e->list[i], row, c, out, err) < 0)
                return -1;
            if (!out->isnull)
                return 0;
        }
        *out = sl_val_null(e->type);
        return 0;
    }
    if (eval_args(e, row, c, a, err) < 0)
        return -1;
    const ExContext *s = c->session;
    /* functions that answer NULL on any NULL argument (strict) */
    switch (e->func) {
    case PL_F_GREATEST: case PL_F_LEAST: case PL_F_CONCAT: case PL_F_CONCAT_WS: case PL_F_NULLIF:
    case PL_F_PG_TYPEOF: case PL_F_CURRENT_SETTING:
        break;
    default:
        for (int i = 0; i < e->nlist; i++)
            if (a[i].isnull) {
                *out = sl_val_null(e->type);
                return 0;
            }
    }
    switch (e->func) {
    case PL_F_VERSION:
        *out = text_cstr(c, "PostgreSQL " SL_PG_VERSION " (Sluice " SL_VERSION_STRING
                            ") on x86_64-pc-linux-gnu, a continuous-query server, 64-bit");
        return 0;
    case PL_F_CURRENT_DATABASE:
        *out = text_cstr(c, s && s->database ? s->database : "sluice");
        return 0;
    case PL_F_CURRENT_USER:
        *out = text_cstr(c, s && s->user ? s->user : "sluice");
        return 0;
    case PL_F_CURRENT_SCHEMA:
        *out = text_cstr(c, "public");
        return 0;
    case PL_F_FAILPOINT: {
        /* sluice_failpoint(name, spec): arms (or with 'off' disarms) a
         * failpoint; only when sluiced runs with --enable-failpoints */
        char *name = sl_strndup(c->arena, a[0].u.s.p, a[0].u.s.len);
        char *spec = sl_strndup(c->arena, a[1].u.s.p, a[1].u.s.len);
        if (sl_failpoint_arm(name, spec, err) < 0)
            return -1;
        *out = text_cstr(c, spec);
        return 0;
    }
    case PL_F_CURRENT_SETTING: {
        if (a[0].isnull) {
            *out = sl_val_null(SL_T_TEXT);
            return 0;
        }
        char *name = sl_strndup(c->arena, a[0].u.s.p, a[0].u.s.len);
        const char *v = s ? sl_settings_get(s->settings, name) : NULL;
        const SlSetting *st = sl_setting_find(name);
        if (!v || (st && (st->flags & SL_SETF_SECRET))) {
            if (e->nlist == 2 && !a[1].isnull && a[1].u.b) {
                *out = sl_val_null(SL_T_TEXT);
                return 0;
            }
            return sl_error(err, SL_E_UNDEFINED_OBJECT, "unrecognized configuration parameter \"%s\"", name);
        }
        *out = text_cstr(c, v);
        return 0;
    }
    case PL_F_BACKEND_PID:
        *out = sl_val_int4(s ? s->backend_pid : 0);
        return 0;
    case PL_F_NOW:
        *out = sl_val_timestamptz(c->stmt_time);
        return 0;
    case PL_F_CLOCK_TIMESTAMP:
        *out = sl_val_timestamptz(sl_now_usec());
        return 0;
    case PL_F_LOCALTIMESTAMP:
        *out = sl_val_timestamp(c->stmt_time);
        return 0;
    case PL_F_ABS:
        if ((a[0].type == SL_T_INT4 && a[0].u.i4 < 0) || (a[0].type == SL_T_INT8 && a[0].u.i8 < 0) ||
            (a[0].type == SL_T_NUMERIC && a[0].u.num < 0) || (a[0].type == SL_T_FLOAT8 && a[0].u.f8 < 0))
            return sl_value_neg(&a[0], out, err);
        *out = a[0];
        return 0;
    case PL_F_SIGN: {
        SlValue z = sl_val_int4(0);
        int cmp = sl_value_cmp(&a[0], &z);
        SlValue r = sl_val_int4(cmp < 0 ? -1 : cmp > 0);
        return sl_value_cast(&r, e->type, c->arena, out, err);
    }
    case PL_F_ROUND: case PL_F_TRUNC: case PL_F_FLOOR: case PL_F_CEIL: {
        if (a[0].type == SL_T_FLOAT8) {
            double x = a[0].u.f8;
            double r = e->func == PL_F_ROUND ? round(x) : e->func == PL_F_TRUNC ? trunc(x)
                       : e->func == PL_F_FLOOR ? floor(x) : ceil(x);
            if (e->func == PL_F_ROUND)
                r = rint(x); /* PostgreSQL's float round is round-half-even */
            *out = sl_val_float8(r);
            return 0;
        }
        int digits = e->nlist == 2 ? a[1].u.i4 : 0;
        __int128 v = a[0].u.num;
        int sc = a[0].scale;
        if (digits >= sc) {
            *out = a[0];
            if (e->nlist == 2 && digits > sc && digits <= SL_NUMERIC_MAX_SCALE) {
                __int128 m = 1;
                for (int i = sc; i < digits; i++)
                    m *= 10;
                *out = sl_val_numeric(v * m, digits);
            }
            return 0;
        }
        /* digits < 0 rounds left of the point: round(1234.5, -2) = 1200 */
        int drop = sc - digits;
        if (drop > 38) {
            *out = sl_val_numeric(0, digits < 0 ? 0 : digits);
            return 0;
        }
        __int128 d = 1;
        for (int i = 0; i < drop; i++)
            d *= 10;
        __int128 q = v / d, r = v % d;
        if (e->func == PL_F_ROUND) {
            __int128 ar = r < 0 ? -r : r;
            if (ar * 2 >= d)
                q += v < 0 ? -1 : 1;
        } else if (e->func == PL_F_FLOOR) {
            if (r < 0)
                q -= 1;
        } else if (e->func == PL_F_CEIL) {
            if (r > 0)
                q += 1;
        }
        for (int i = digits; i < 0; i++)
            if (__builtin_mul_overflow(q, (__int128)10, &q))
                return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format");
        return sl_numeric_from_int128(q, digits < 0 ? 0 : digits, out, err);
    }
    case PL_F_MOD: {
        SlValue x = a[0], y = a[1];
        return sl_value_op(SL_OP_MOD, &x, &y, c->arena, out, err);
    }
    case PL_F_POWER: case PL_F_SQRT: case PL_F_LN: case PL_F_EXP: case PL_F_LOG:
        if (e->type == SL_T_NUMERIC)
            return numeric_math(e->func, a, e->nlist, out, err);
        break;
    default:
        break;
    }
    switch (e->func) {
    case PL_F_POWER: {
        double r = pow(a[0].u.f8, a[1].u.f8);
        if (isnan(r) && !isnan(a[0].u.f8) && !isnan(a[1].u.f8))
            return sl_error(err, SL_E_INVALID_ARGUMENT_FOR_POWER,
                            "a negative number raised to a non-integer power yields a complex result");
        if (isinf(r) && !isinf(a[0].u.f8) && !isinf(a[1].u.f8)) {
            if (a[0].u.f8 == 0)
                return sl_error(err, SL_E_INVALID_ARGUMENT_FOR_POWER, "zero raised to a negative power is undefined");
            return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
        }
        if (r == 0 && a[0].u.f8 != 0)
            return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow");
        *out = sl_val_float8(r);
        return 0;
    }
    case PL_F_SQRT:
        if (a[0].u.f8 < 0)
            return sl_error(err, SL_E_INVALID_ARGUMENT_FOR_POWER, "cannot take square root of a negative number");
        *out = sl_val_float8(sqrt(a[0].u.f8));
        return 0;
    case PL_F_LN:
        if (a[0].u.f8 == 0)
            return sl_error(err, SL_E_INVALID_ARGUMENT_FOR_LOG, "cannot take logarithm of zero");
        if (a[0].u.f8 < 0)
            return sl_error(err, SL_E_INVALID_ARGUMENT_FOR_LOG, "cannot take logarithm of a negative number");
        *out = sl_val_float8(log(a[0].u.f8));
        return 0;
    case PL_F_LOG:
        if (a[0].u.f8 == 0)
            return sl_error(err, SL_E_INVALID_ARGUMENT_FOR_LOG, "cannot take logarithm of zero");
        if (a[0].u.f8 < 0)
            return sl_error(err, SL_E_INVALID_ARGUMENT_FOR_LOG, "cannot take logarithm of a negative number");
        *out = sl_val_float8(log10(a[0].u.f8));
        return 0;
    case PL_F_PI:
        *out = sl_val_float8(3.14159265358979323846);
        return 0;
    case PL_F_CBRT:
        *out = sl_val_float8(cbrt(a[0].u.f8));
        return 0;
    case PL_F_DEGREES:
        *out = sl_val_float8(a[0].u.f8 / (3.14159265358979323846 / 180.0));
        return 0;
    case PL_F_RADIANS:
        *out = sl_val_float8(a[0].u.f8 * (3.14159265358979323846 / 180.0));
        return 0;
    case PL_F_DIV: {
        /* the integer quotient, truncated toward zero */
        SlValue q;
        if (a[1].u.num == 0)
            return sl_error(err, SL_E_DIVISION_BY_ZERO, "division by zero");
        if (sl_numeric_div(&a[0], &a[1], &q, err) < 0)
            return -1;
        __int128 v = q.u.num;
        for (int i = 0; i < q.scale; i++)
            v /= 10;
        *out = sl_val_numeric(v, 0);
        return 0;
    }
    case PL_F_INITCAP:
        *out = map_case(c, &a[0], CASE_INITCAP);
        return 0;
    case PL_F_LPAD: case PL_F_RPAD: {
        const char *p = a[0].u.s.p, *fill = e->nlist == 3 ? a[2].u.s.p : " ";
        size_t n = a[0].u.s.len, fn = e->nlist == 3 ? a[2].u.s.len : 1;
        int64_t want = a[1].u.i4, have = utf8_len(p, n);
        if (want <= 0) {
            *out = text_val(c, "", 0);
            return 0;
        }
        if (have >= want || fn == 0) {
            *out = text_val(c, p, utf8_offset(p, n, want < have ? want : have));
            return 0;
        }
        if ((uint64_t)want * 4 > 100000000)
            return sl_error(err, SL_E_PROGRAM_LIMIT_EXCEEDED, "requested length too large");
        SlBuf b;
        sl_buf_init(&b);
        if (e->func == PL_F_RPAD)
            sl_buf_append(&b, p, n);
        int fchars = utf8_len(fill, fn);
        for (int64_t k = 0, fi = 0; k < want - have; k++, fi = (fi + 1) % fchars) {
            size_t s0 = utf8_offset(fill, fn, fi), s1 = utf8_offset(fill, fn, fi + 1);
            sl_buf_append(&b, fill + s0, s1 - s0);
        }
        if (e->func == PL_F_LPAD)
            sl_buf_append(&b, p, n);
        *out = text_val(c, b.data, b.len);
        sl_buf_free(&b);
        return 0;
    }
    case PL_F_REVERSE: {
        const char *p = a[0].u.s.p;
        size_t n = a[0].u.s.len;
        char *r = sl_alloc(c->arena, n + 1);
        for (size_t i = 0; i < n;) {
            size_t k = 1;
            while (i + k < n && ((unsigned char)p[i + k] & 0xC0) == 0x80)
                k++;
            memcpy(r + n - i - k, p + i, k);
            i += k;
        }
        r[n] = '\0';
        *out = sl_val_text(r, n);
        return 0;
    }
    case PL_F_OCTET_LENGTH:
        *out = sl_val_int4((int32_t)a[0].u.s.len);
        return 0;
    case PL_F_ASCII: {
        /* the first character's code point */
        const unsigned char *p = (const unsigned char *)a[0].u.s.p;
        size_t n = a[0].u.s.len;
        int32_t cp = 0;
        if (n) {
            int k = p[0] < 0x80 ? 0 : p[0] >= 0xF0 ? 3 : p[0] >= 0xE0 ? 2 : 1;
            cp = k == 0 ? p[0] : p[0] & (0x3F >> k);
            for (int i = 1; i <= k && (size_t)i < n; i++)
                cp = (cp << 6) | (p[i] & 0x3F);
        }
        *out = sl_val_int4(cp);
        return 0;
    }
    case PL_F_CHR: {
        int32_t cp = a[0].u.i4;
        if (cp == 0)
            return sl_error(err, SL_E_PROGRAM_LIMIT_EXCEEDED, "null character not permitted");
        if (cp < 0)
            return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "character number must be positive");
        if (cp > 0x10FFFF)
            return sl_error(err, SL_E_PROGRAM_LIMIT_EXCEEDED, "requested character too large for encoding: %d", cp);
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return sl_error(err, SL_E_PROGRAM_LIMIT_EXCEEDED, "requested character not valid for encoding: %d", cp);
        char u[4];
        size_t k;
        if (cp < 0x80) {
            u[0] = (char)cp;
            k = 1;
        } else if (cp < 0x800) {
            u[0] = (char)(0xC0 | (cp >> 6));
            u[1] = (char)(0x80 | (cp & 0x3F));
            k = 2;
        } else if (cp < 0x10000) {
            u[0] = (char)(0xE0 | (cp >> 12));
            u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[2] = (char)(0x80 | (cp & 0x3F));
            k = 3;
        } else {
            u[0] = (char)(0xF0 | (cp >> 18));
            u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[3] = (char)(0x80 | (cp & 0x3F));
            k = 4;
        }
        *out = text_val(c, u, k);
        return 0;
    }
    case PL_F_STARTS_WITH:
        *out = sl_val_bool(a[0].u.s.len >= a[1].u.s.len &&
                           (a[1].u.s.len == 0 || !memcmp(a[0].u.s.p, a[1].u.s.p, a[1].u.s.len)));
        return 0;
    case PL_F_TO_HEX: {
        char hex[24];
        uint64_t v = a[0].type == SL_T_INT4 ? (uint64_t)(uint32_t)a[0].u.i4 : (uint64_t)a[0].u.i8;
        int len = snprintf(hex, sizeof hex, "%llx", (unsigned long long)v);
        *out = text_val(c, hex, (size_t)len);
        return 0;
    }
    case PL_F_EXP: {
        double r = exp(a[0].u.f8);
        if (isinf(r) && !isinf(a[0].u.f8))
            return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
        if (r == 0 && !isinf(a[0].u.f8))
            return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow");
        *out = sl_val_float8(r);
        return 0;
    }
    case PL_F_GREATEST: case PL_F_LEAST: {
        int best = -1;
        for (int i = 0; i < e->nlist; i++) {
            if (a[i].isnull)
                continue;
            if (best < 0) {
                best = i;
                continue;
            }
            int cmp = sl_value_cmp(&a[i], &a[best]);
            if ((e->func == PL_F_GREATEST && cmp > 0) || (e->func == PL_F_LEAST && cmp < 0))
                best = i;
        }
        *out = best < 0 ? sl_val_null(e->type) : a[best];
        return 0;
    }
    case PL_F_NULLIF:
        if (!a[0].isnull && !a[1].isnull && sl_value_cmp(&a[0], &a[1]) == 0)
            *out = sl_val_null(e->type);
        else
            *out = a[0];
        return 0;
    case PL_F_LOWER: case PL_F_UPPER:
        *out = map_case(c, &a[0], e->func == PL_F_LOWER ? CASE_LOWER : CASE_UPPER);
        return 0;
    case PL_F_LENGTH:
        *out = sl_val_int4(utf8_len(a[0].u.s.p, a[0].u.s.len));
        return 0;
    case PL_F_SUBSTR: {
        const char *p = a[0].u.s.p;
        size_t n = a[0].u.s.len;
        int64_t from = a[1].u.i4, len = e->nlist == 3 ? a[2].u.i4 : INT32_MAX;
        if (e->nlist == 3 && len < 0)
            return sl_error(err, SL_E_SUBSTRING_ERROR, "negative substring length not allowed");
        int64_t start = from - 1, end = e->nlist == 3 ? start + len : INT64_MAX / 2;
        if (start < 0)
            start = 0;
        if (end <= start) {
            *out = text_val(c, "", 0);
            return 0;
        }
        size_t bs = utf8_offset(p, n, start), be = utf8_offset(p, n, end);
        *out = text_val(c, p + bs, be - bs);
        return 0;
    }
    case PL_F_BTRIM: case PL_F_LTRIM: case PL_F_RTRIM: {
        const char *p = a[0].u.s.p;
        size_t n = a[0].u.s.len, i = 0, j = n;
        const char *set = e->nlist == 2 ? a[1].u.s.p : " ";
        size_t setn = e->nlist == 2 ? a[1].u.s.len : 1;
        if (e->func != PL_F_RTRIM)
            while (i < j && memchr(set, p[i], setn))
                i++;
        if (e->func != PL_F_LTRIM)
            while (j > i && memchr(set, p[j - 1], setn))
                j--;
        *out = text_val(c, p + i, j - i);
        return 0;
    }
    case PL_F_REPLACE: {
        SlBuf b;
        sl_buf_init(&b);
        const char *p = a[0].u.s.p, *from = a[1].u.s.p, *to = a[2].u.s.p;
        size_t n = a[0].u.s.len, fn = a[1].u.s.len, tn = a[2].u.s.len;
        for (size_t i = 0; i < n;) {
            if (fn && i + fn <= n && !memcmp(p + i, from, fn)) {
                sl_buf_append(&b, to, tn);
                i += fn;
            } else {
                sl_buf_putc(&b, p[i++]);
            }
        }
        *out = text_val(c, b.data ? b.data : "", b.len);
        sl_buf_free(&b);
        return 0;
    }
    case PL_F_CONCAT: case PL_F_CONCAT_WS: {
        SlBuf b;
        sl_buf_init(&b);
        int first = e->func == PL_F_CONCAT_WS ? 1 : 0;
        if (e->func == PL_F_CONCAT_WS && a[0].isnull) {
            *out = sl_val_null(SL_T_TEXT);
            return 0;
        }
        bool any = false;
        for (int i = first; i < e->nlist; i++) {
            if (a[i].isnull)
                continue;
            if (any && first)
                sl_value_out(&a[0], &b);
            sl_value_out(&a[i], &b);
            any = true;
        }
        *out = text_val(c, b.data ? b.data : "", b.len);
        sl_buf_free(&b);
        return 0;
    }
    case PL_F_LEFT: case PL_F_RIGHT: {
        const char *p = a[0].u.s.p;
        size_t n = a[0].u.s.len;
        int64_t chars = utf8_len(p, n), k = a[1].u.i4;
        if (k < 0)
            k = chars + k < 0 ? 0 : chars + k;
        if (k > chars)
            k = chars;
        if (e->func == PL_F_LEFT) {
            *out = text_val(c, p, utf8_offset(p, n, k));
        } else {
            size_t off = utf8_offset(p, n, chars - k);
            *out = text_val(c, p + off, n - off);
        }
        return 0;
    }
    case PL_F_REPEAT: {
        int64_t k = a[1].u.i4 < 0 ? 0 : a[1].u.i4;
        if ((uint64_t)k * a[0].u.s.len > 100000000)
            return sl_error(err, SL_E_PROGRAM_LIMIT_EXCEEDED, "requested length too large");
        size_t n = (size_t)k * a[0].u.s.len;
        char *p = sl_alloc(c->arena, n + 1);
        for (int64_t i = 0; i < k; i++)
            memcpy(p + (size_t)i * a[0].u.s.len, a[0].u.s.p, a[0].u.s.len);
        p[n] = '\0';
        *out = sl_val_text(p, n);
        return 0;
    }
    case PL_F_STRPOS: {
        const char *p = a[0].u.s.p, *q = a[1].u.s.p;
        size_t n = a[0].u.s.len, qn = a[1].u.s.len;
        int r = 0;
        if (qn == 0) {
            r = 1;
        } else {
            for (size_t i = 0; i + qn <= n; i++)
                if (!memcmp(p + i, q, qn)) {
                    r = utf8_len(p, i) + 1;
                    break;
                }
        }
        *out = sl_val_int4(r);
        return 0;
    }
    case PL_F_MD5: {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        EVP_Digest(a[0].u.s.p, a[0].u.s.len, md, &mdlen, EVP_md5(), NULL);
        char hex[33];
        for (unsigned i = 0; i < mdlen && i < 16; i++)
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
        *out = text_val(c, hex, 32);
        return 0;
    }
    case PL_F_DATE_TRUNC: {
        char name[32];
        Unit u = parse_unit(&a[0], name);
        int64_t r;
        if (u == U_NONE || trunc_ts(a[1].u.ts, u, &r) < 0)
            return unit_error(name, U_NONE, (SlType)a[1].type, err);
        *out = a[1];
        out->u.ts = r;
        return 0;
    }
    case PL_F_DATE_PART:
    case PL_F_EXTRACT: {
        /* date_part is double precision; EXTRACT is numeric, exact */
        char name[32];
        Unit u = parse_unit(&a[0], name);
        __int128 v;
        int scale;
        if (u == U_JULIAN && a[1].type != SL_T_INTERVAL) {
            int64_t days = floor_div(a[1].u.ts, USEC_PER_DAY);
            __int128 usec = (__int128)(JULIAN_2000 + days) * USEC_PER_DAY + (a[1].u.ts - days * USEC_PER_DAY);
            if (e->func == PL_F_DATE_PART) {
                *out = sl_val_float8((double)usec / (double)USEC_PER_DAY);
                return 0;
            }
            /* EXTRACT(julian ...) has 20 decimals, as PostgreSQL prints it */
            __int128 scaled = usec, p20 = 1;
            for (int i = 0; i < 20; i++)
                p20 *= 10;
            if (!__builtin_mul_overflow(usec, p20, &scaled)) {
                __int128 q = scaled / USEC_PER_DAY, r = scaled % USEC_PER_DAY;
                if (2 * (r < 0 ? -r : r) >= USEC_PER_DAY)
                    q += scaled < 0 ? -1 : 1;
                if (sl_numeric_from_int128(q, 20, out, NULL) == 0)
                    return 0;
            }
            SlValue n = sl_val_numeric(usec, 0), dd = sl_val_numeric(USEC_PER_DAY, 0);
            return sl_numeric_div(&n, &dd, out, err);
        }
        if (u == U_NONE || ts_field(u, &a[1], &v, &scale) < 0)
            return unit_error(name, u, (SlType)a[1].type, err);
        if (e->func == PL_F_DATE_PART) {
            *out = sl_val_float8(num_to_double(v, scale));
            return 0;
        }
        return sl_numeric_from_int128(v, scale, out, err);
    }
    case PL_F_TO_TIMESTAMP: {
        double x = a[0].u.f8;
        if (isnan(x))
            return sl_error(err, SL_E_DATETIME_FIELD_OVERFLOW, "timestamp cannot be NaN");
        if (fabs(x) > 9.2e12)
            return sl_error(err, SL_E_DATETIME_FIELD_OVERFLOW, "timestamp out of range: \"%g\"", x);
        *out = sl_val_timestamptz((int64_t)llround((x - 946684800.0) * 1e6));
        return 0;
    }
    case PL_F_PG_TYPEOF:
        /* the binder wrote the argument's type name (before literals
         * became text) into the node */
        *out = e->value;
        return 0;
    case PL_F_SPLIT_PART: {
        const char *p = a[0].u.s.p, *dl = a[1].u.s.p;
        size_t n = a[0].u.s.len, dn = a[1].u.s.len;
        int32_t k = a[2].u.i4;
        if (k == 0)
            return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "field position must not be zero");
        /* the fields' [start, end) byte ranges, counted from either end */
        size_t fields = 1;
        for (size_t i = 0; dn && i + dn <= n;) {
            if (!memcmp(p + i, dl, dn)) {
                fields++;
                i += dn;
            } else {
                i++;
            }
        }
        if (n == 0 || (k > 0 && (size_t)k > fields) || (k < 0 && (size_t)(-(int64_t)k) > fields)) {
            *out = text_val(c, "", 0);
            return 0;
        }
        size_t want = k > 0 ? (size_t)k - 1 : fields - (size_t)(-(int64_t)k), f = 0, start = 0;
        for (size_t i = 0; dn && i + dn <= n;) {
            if (!memcmp(p + i, dl, dn)) {
                if (f == want) {
                    *out = text_val(c, p + start, i - start);
                    return 0;
                }
                f++;
                i += dn;
                start = i;
            } else {
                i++;
            }
        }
        *out = text_val(c, p + start, n - start);
        return 0;
    }
    case PL_F_PG_SLEEP: {
        double secs = a[0].u.f8;
        int64_t until = sl_now_usec() + (int64_t)(secs * 1e6);
        while (sl_now_usec() < until) {
            if (c->cancel && *c->cancel)
                return sl_error(err, SL_E_QUERY_CANCELED, "canceling statement due to user request");
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        *out = text_val(c, "", 0);
        return 0;
    }
    case PL_F_RANDOM: {
        static __thread uint64_t state;
        if (!state)
            state = (uint64_t)sl_now_usec() | 1;
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *out = sl_val_float8((double)(state >> 11) / 9007199254740992.0);
        return 0;
    }
    default:
        break;
    }
    return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "function %s is not implemented", pl_func_name(e->func));
}
