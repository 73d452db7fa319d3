/*
 * value_io.c — text and binary input/output of values, as PostgreSQL's
 * type input/output and send/receive functions behave.
 */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common_int.h"

static int bad_syntax(SlError *err, SlType t, const char *s, size_t n)
{
    const char *tn = sl_type_name(t);
    SlErrCode code = (t == SL_T_TIMESTAMP || t == SL_T_TIMESTAMPTZ || t == SL_T_INTERVAL)
                         ? SL_E_INVALID_DATETIME_FORMAT
                         : SL_E_INVALID_TEXT_REPRESENTATION;
    if (t == SL_T_TIMESTAMP)
        tn = "timestamp";
    else if (t == SL_T_TIMESTAMPTZ)
        tn = "timestamp with time zone";
    int shown = n > 200 ? 200 : (int)n;
    return sl_error(err, code, "invalid input syntax for type %s: \"%.*s\"", tn, shown, s);
}

static size_t trim_ws(const char **s, size_t n)
{
    while (n && isspace((unsigned char)**s)) {
        (*s)++;
        n--;
    }
    while (n && isspace((unsigned char)(*s)[n - 1]))
        n--;
    return n;
}

static int out_of_range(SlError *err, SlType t, const char *s, size_t n)
{
    int shown = n > 200 ? 200 : (int)n;
    return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE,
                    "value \"%.*s\" is out of range for type %s", shown, s, sl_type_name(t));
}

/* Integer parse with PostgreSQL's rules: spaces around, sign, digits. */
static int parse_int64(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out,
                       bool *range)
{
    size_t i = 0;
    *range = false;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i >= n || !isdigit((unsigned char)s[i]))
        return -1;
    uint64_t acc = 0;
    bool over = false;
    while (i < n && isdigit((unsigned char)s[i])) {
        unsigned d = (unsigned)(s[i] - '0');
        if (acc > (UINT64_MAX - d) / 10)
            over = true;
        else
            acc = acc * 10 + d;
        i++;
    }
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i != n)
        return -1;
    if (over) {
        *range = true;
        return -1;
    }
    if (neg) {
        if (acc > (uint64_t)INT64_MAX + 1 || -(int64_t)(acc - 1) - 1 < lo) {
            *range = true;
            return -1;
        }
        *out = acc == 0 ? 0 : -(int64_t)(acc - 1) - 1;
    } else {
        if (acc > (uint64_t)hi) {
            *range = true;
            return -1;
        }
        *out = (int64_t)acc;
    }
    return 0;
}

int sl_value_in(SlType type, const char *text, size_t len, SlArena *arena,
                SlValue *out, SlError *err)
{
    bool range;
    int64_t v;
    switch (type) {
    case SL_T_UNKNOWN:
    case SL_T_TEXT:
        *out = sl_val_text(arena ? sl_strndup(arena, text, len) : text, len);
        if (type == SL_T_UNKNOWN)
            out->type = SL_T_TEXT;
        return 0;
    case SL_T_INT4:
        if (parse_int64(text, len, INT32_MIN, INT32_MAX, &v, &range) < 0)
            return range ? out_of_range(err, type, text, len) : bad_syntax(err, type, text, len);
        *out = sl_val_int4((int32_t)v);
        return 0;
    case SL_T_INT8:
        if (parse_int64(text, len, INT64_MIN, INT64_MAX, &v, &range) < 0)
            return range ? out_of_range(err, type, text, len) : bad_syntax(err, type, text, len);
        *out = sl_val_int8(v);
        return 0;
    case SL_T_FLOAT8: {
        char buf[128];
        const char *s = text;
        size_t n = len;
        while (n && isspace((unsigned char)*s)) {
            s++;
            n--;
        }
        while (n && isspace((unsigned char)s[n - 1]))
            n--;
        if (n == 0 || n >= sizeof buf)
            return bad_syntax(err, type, text, len);
        memcpy(buf, s, n);
        buf[n] = '\0';
        double d;
        if (!strcasecmp(buf, "nan"))
            d = NAN;
        else if (!strcasecmp(buf, "infinity") || !strcasecmp(buf, "+infinity") || !strcasecmp(buf, "inf") || !strcasecmp(buf, "+inf"))
            d = INFINITY;
        else if (!strcasecmp(buf, "-infinity") || !strcasecmp(buf, "-inf"))
            d = -INFINITY;
        else {
            /* PostgreSQL takes what the C library's strtod takes (hex too) */
            char *end;
            errno = 0;
            d = strtod(buf, &end);
            if (end == buf || *end)
                return bad_syntax(err, type, text, len);
            if (errno == ERANGE && (d >= HUGE_VAL || d <= -HUGE_VAL || d == 0.0)) {
                int shown = (int)n;
                return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE,
                                "\"%.*s\" is out of range for type double precision", shown, buf);
            }
        }
        *out = sl_val_float8(d);
        return 0;
    }
    case SL_T_NUMERIC: {
        __int128 nv;
        int scale;
        bool bad;
        if (sl_numeric_parse(text, len, &nv, &scale, &bad) < 0) {
            if (bad) {
                const char *s = text;
                size_t n = trim_ws(&s, len);
                static const char *const special[] = {"nan", "infinity", "+infinity", "-infinity",
                                                      "inf", "+inf", "-inf"};
                for (size_t k = 0; k < sizeof special / sizeof special[0]; k++)
                    if (n == strlen(special[k]) && !strncasecmp(s, special[k], n))
                        return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED,
                                        "numeric NaN and infinity are not supported");
                return bad_syntax(err, type, text, len);
            }
            return sl_numeric_overflow(err);
        }
        *out = sl_val_numeric(nv, scale);
        return 0;
    }
    case SL_T_BOOL: {
        const char *s = text;
        size_t n = len;
        while (n && isspace((unsigned char)*s)) {
            s++;
            n--;
        }
        while (n && isspace((unsigned char)s[n - 1]))
            n--;
        static const char *const yes[] = {"t", "tr", "tru", "true", "y", "ye", "yes", "on", "1"};
        static const char *const no[] = {"f", "fa", "fal", "fals", "false", "n", "no", "of", "off", "0"};
        for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
            if (n == strlen(yes[i]) && !strncasecmp(s, yes[i], n)) {
                *out = sl_val_bool(true);
                return 0;
            }
        for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
            if (n == strlen(no[i]) && !strncasecmp(s, no[i], n)) {
                *out = sl_val_bool(false);
                return 0;
            }
        return bad_syntax(err, type, text, len);
    }
    case SL_T_TIMESTAMP:
    case SL_T_TIMESTAMPTZ: {
        int64_t ts;
        int rc = sl_timestamp_parse(text, len, type == SL_T_TIMESTAMPTZ, &ts);
        if (rc == -4) {
            int shown = len > 200 ? 200 : (int)len;
            return sl_error(err, SL_E_INVALID_TIME_ZONE_DISPLACEMENT_VALUE,
                            "time zone displacement out of range: \"%.*s\"", shown, text);
        }
        if (rc == -3) {
            int shown = len > 200 ? 200 : (int)len;
            return sl_error(err, SL_E_DATETIME_FIELD_OVERFLOW,
                            "timestamp out of range: \"%.*s\"", shown, text);
        }
        if (rc == -2) {
            int shown = len > 200 ? 200 : (int)len;
            return sl_error(err, SL_E_DATETIME_FIELD_OVERFLOW,
                            "date/time field value out of range: \"%.*s\"", shown, text);
        }
        if (rc < 0)
            return bad_syntax(err, type, text, len);
        *out = type == SL_T_TIMESTAMP ? sl_val_timestamp(ts) : sl_val_timestamptz(ts);
        return 0;
    }
    case SL_T_INTERVAL: {
        SlInterval iv;
        int rc = sl_interval_parse(text, len, &iv);
        if (rc == -2) {
            int shown = len > 200 ? 200 : (int)len;
            return sl_error(err, SL_E_INTERVAL_FIELD_OVERFLOW,
                            "interval field value out of range: \"%.*s\"", shown, text);
        }
        if (rc < 0)
            return bad_syntax(err, type, text, len);
        *out = sl_val_interval(iv.months, iv.days, iv.usec);
        return 0;
    }
    default:
        return sl_error(err, SL_E_INTERNAL_ERROR, "unknown type %d", (int)type);
    }
}

/* Is the decimal text exactly halfway between d and a neighbouring
 * double? strtod reads such a text back as d when d's mantissa is even,
 * but PostgreSQL's shortest-output algorithm does not choose it, so
 * neither do we. The halfway point needs one bit more than a double and
 * is exact in long double; the text is compared with its exact decimal
 * expansion. */
static bool on_rounding_boundary(const char *text, double d)
{
    /* Below 2^52 a halfway point has more than 17 significant digits (its
     * binary fraction is too long), so no candidate text can equal it. */
    if (fabs(d) < 4503599627370496.0)
        return false;
    long double ld = strtold(text, NULL);
    if (ld == (long double)d)
        return false;
    double other = nextafter(d, ld > (long double)d ? INFINITY : -INFINITY);
    if (isinf(other))
        return false;
    long double mid = ((long double)d + (long double)other) / 2;
    if (ld != mid)
        return false;
    /* exact check: the digits of text, then zeros, are mid's expansion */
    char exact[1200];
    snprintf(exact, sizeof exact, "%.1100Le", mid);
    const char *a = text, *b = exact;
    if (*a == '-')
        a++;
    if (*b == '-')
        b++;
    const char *ea = strchr(a, 'e'), *eb = strchr(b, 'e');
    if (!ea || !eb || atoi(ea + 1) != atoi(eb + 1))
        return false;
    for (; a < ea; a++, b++) {
        if (*a == '.' && *b == '.')
            continue;
        if (*a == '.')
            a++;
        if (*b == '.')
            b++;
        if (*a != *b)
            return false;
    }
    for (; b < eb; b++)
        if (*b != '0' && *b != '.')
            return false;
    return true;
}

/* Shortest decimal that reads back as the same double, laid out as
 * PostgreSQL (12+) prints float8: fixed notation for decimal exponents
 * -4..14, else d.ddde+XX. */
void sl_float8_format(double d, SlBuf *out)
{
    if (isnan(d)) {
        sl_buf_puts(out, "NaN");
        return;
    }
    if (isinf(d)) {
        sl_buf_puts(out, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (d == 0) {
        sl_buf_puts(out, signbit(d) ? "-0" : "0");
        return;
    }
    /* At most one decimal of 15 or fewer significant digits lies within
     * half an ulp of a normal double d, and rounding d to 15 digits finds
     * it: so try 15 digits (trailing zeros are dropped below), then 16,
     * then 17. Subnormals carry fewer bits: search from one digit up. */
    char buf[64];
    for (int prec = fabs(d) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
        if (prec == 17 || (strtod(buf, NULL) == d && !on_rounding_boundary(buf, d)))
            break;
    }
    /* buf: [-]d.ddde[+-]XX */
    char digits[32];
    int nd = 0;
    const char *p = buf;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    for (; *p && *p != 'e'; p++)
        if (isdigit((unsigned char)*p))
            digits[nd++] = *p;
    int exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    if (neg)
        sl_buf_putc(out, '-');
    if (exp10 >= -4 && exp10 < 15) {
        if (exp10 < 0) {
            sl_buf_puts(out, "0.");
            for (int i = -1; i > exp10; i--)
                sl_buf_putc(out, '0');
            sl_buf_append(out, digits, (size_t)nd);
        } else {
            for (int i = 0; i <= exp10; i++)
                sl_buf_putc(out, i < nd ? digits[i] : '0');
            if (nd > exp10 + 1) {
                sl_buf_putc(out, '.');
                sl_buf_append(out, digits + exp10 + 1, (size_t)(nd - exp10 - 1));
            }
        }
    } else {
        sl_buf_putc(out, digits[0]);
        if (nd > 1) {
            sl_buf_putc(out, '.');
            sl_buf_append(out, digits + 1, (size_t)(nd - 1));
        }
        sl_buf_printf(out, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    }
}

void sl_value_out(const SlValue *v, SlBuf *out)
{
    if (v->isnull)
        return;
    switch (v->type) {
    case SL_T_BOOL:
        sl_buf_putc(out, v->u.b ? 't' : 'f');
        break;
    case SL_T_INT4:
        sl_buf_printf(out, "%d", v->u.i4);
        break;
    case SL_T_INT8:
        sl_buf_printf(out, "%lld", (long long)v->u.i8);
        break;
    case SL_T_FLOAT8:
        sl_float8_format(v->u.f8, out);
        break;
    case SL_T_NUMERIC:
        sl_numeric_format(v->u.num, v->scale, out);
        break;
    case SL_T_TEXT:
    case SL_T_UNKNOWN:
        sl_buf_append(out, v->u.s.p, v->u.s.len);
        break;
    case SL_T_TIMESTAMP:
        sl_timestamp_format(v->u.ts, false, out);
        break;
    case SL_T_TIMESTAMPTZ:
        sl_timestamp_format(v->u.ts, true, out);
        break;
    case SL_T_INTERVAL:
        sl_interval_format(&v->u.iv, out);
        break;
    default:
        break;
    }
}

static uint64_t rd_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

static uint32_t rd_u32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int bad_len(SlError *err, SlType t)
{
    return sl_error(err, SL_E_INVALID_BINARY_REPRESENTATION,
                    "incorrect binary data format for type %s", sl_type_name(t));
}

int sl_value_recv(SlType type, const char *data, size_t len, SlArena *arena,
                  SlValue *out, SlError *err)
{
    const unsigned char *p = (const unsigned char *)data;
    switch (type) {
    case SL_T_BOOL:
        if (len != 1)
            return bad_len(err, type);
        *out = sl_val_bool(p[0] != 0);
        return 0;
    case SL_T_INT4:
        if (len == 2) { /* int2 widened */
            *out = sl_val_int4((int16_t)((p[0] << 8) | p[1]));
            return 0;
        }
        if (len != 4)
            return bad_len(err, type);
        *out = sl_val_int4((int32_t)rd_u32(p));
        return 0;
    case SL_T_INT8:
        if (len == 4) {
            *out = sl_val_int8((int32_t)rd_u32(p));
            return 0;
        }
        if (len != 8)
            return bad_len(err, type);
        *out = sl_val_int8((int64_t)rd_u64(p));
        return 0;
    case SL_T_FLOAT8: {
        if (len == 4) { /* float4 */
            uint32_t u = rd_u32(p);
            float f;
            memcpy(&f, &u, 4);
            *out = sl_val_float8(f);
            return 0;
        }
        if (len != 8)
            return bad_len(err, type);
        uint64_t u = rd_u64(p);
        double d;
        memcpy(&d, &u, 8);
        *out = sl_val_float8(d);
        return 0;
    }
    case SL_T_NUMERIC:
        return sl_numeric_recv(data, len, out, err);
    case SL_T_TEXT:
    case SL_T_UNKNOWN:
        *out = sl_val_text(arena ? sl_strndup(arena, data, len) : data, len);
        return 0;
    case SL_T_TIMESTAMP:
    case SL_T_TIMESTAMPTZ:
    {
        if (len != 8)
            return bad_len(err, type);
        int64_t ts = (int64_t)rd_u64(p);
        if (ts != SL_TS_NOBEGIN && ts != SL_TS_NOEND && !sl_timestamp_in_range(ts))
            return sl_error(err, SL_E_DATETIME_FIELD_OVERFLOW, "timestamp out of range");
        *out = type == SL_T_TIMESTAMP ? sl_val_timestamp(ts) : sl_val_timestamptz(ts);
        return 0;
    }
    case SL_T_INTERVAL:
        if (len != 16)
            return bad_len(err, type);
        *out = sl_val_interval((int32_t)rd_u32(p + 12), (int32_t)rd_u32(p + 8), (int64_t)rd_u64(p));
        return 0;
    default:
        return sl_error(err, SL_E_INTERNAL_ERROR, "unknown type %d", (int)type);
    }
}

void sl_value_send(const SlValue *v, SlBuf *out)
{
    if (v->isnull)
        return;
    switch (v->type) {
    case SL_T_BOOL:
        sl_buf_put_u8(out, v->u.b ? 1 : 0);
        break;
    case SL_T_INT4:
        sl_buf_put_i32(out, v->u.i4);
        break;
    case SL_T_INT8:
        sl_buf_put_i64(out, v->u.i8);
        break;
    case SL_T_FLOAT8: {
        int64_t u;
        memcpy(&u, &v->u.f8, 8);
        sl_buf_put_i64(out, u);
        break;
    }
    case SL_T_NUMERIC:
        sl_numeric_send(v->u.num, v->scale, out);
        break;
    case SL_T_TEXT:
    case SL_T_UNKNOWN:
        sl_buf_append(out, v->u.s.p, v->u.s.len);
        break;
    case SL_T_TIMESTAMP:
    case SL_T_TIMESTAMPTZ:
        sl_buf_put_i64(out, v->u.ts);
        break;
    case SL_T_INTERVAL:
        sl_buf_put_i64(out, v->u.iv.usec);
        sl_buf_put_i32(out, v->u.iv.days);
        sl_buf_put_i32(out, v->u.iv.months);
        break;
    default:
        break;
    }
}
