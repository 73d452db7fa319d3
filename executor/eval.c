/*
 * eval.c — evaluation of bound expressions (PlExpr) and the scalar
 * functions the binder resolves.
 */
#include <ctype.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ex_int.h"

#define EPOS(e) ((e)->location >= 0 ? (e)->location + 1 : 0)

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

/* LIKE with % and _, an escape character (default backslash), byte-wise
 * with UTF-8 continuation bytes kept together for _. */
static bool like_match(const char *s, size_t sn, const char *p, size_t pn, char esc, bool icase)
{
    size_t si = 0, pi = 0, star_p = (size_t)-1, star_s = 0;
    while (si < sn) {
        if (pi < pn) {
            char pc = p[pi];
            if (pc == '%') {
                star_p = ++pi;
                star_s = si;
                continue;
            }
            if (pc == '_') {
                pi++;
                si++;
                while (si < sn && ((unsigned char)s[si] & 0xC0) == 0x80)
                    si++;
                continue;
            }
            if (pc == esc && esc && pi + 1 < pn)
                pc = p[++pi];
            char a = s[si], b = pc;
            if (icase) {
                a = (char)tolower((unsigned char)a);
                b = (char)tolower((unsigned char)b);
            }
            if (a == b) {
                pi++;
                si++;
                continue;
            }
        }
        if (star_p == (size_t)-1)
            return false;
        pi = star_p;
        si = ++star_s;
    }
    while (pi < pn && p[pi] == '%')
        pi++;
    return pi == pn;
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

static int64_t trunc_ts(int64_t ts, const char *unit, bool *ok)
{
    *ok = true;
    int64_t day = 86400000000LL;
    int64_t days = ts / day, t = ts % day;
    if (t < 0) {
        t += day;
        days--;
    }
    if (!strcmp(unit, "microseconds"))
        return ts;
    if (!strcmp(unit, "milliseconds"))
        return ts - (((ts % 1000) + 1000) % 1000);
    if (!strcmp(unit, "second"))
        return days * day + t / 1000000 * 1000000;
    if (!strcmp(unit, "minute"))
        return days * day + t / 60000000 * 60000000;
    if (!strcmp(unit, "hour"))
        return days * day + t / 3600000000LL * 3600000000LL;
    if (!strcmp(unit, "day"))
        return days * day;
    /* week, month, quarter, year: through civil dates */
    SlValue v = sl_val_timestamp(days * day), out;
    SlBuf b;
    sl_buf_init(&b);
    sl_value_out(&v, &b);
    int y = 0, m = 0, d = 0;
    sscanf(b.data, "%d-%d-%d", &y, &m, &d);
    sl_buf_free(&b);
    char buf[32];
    if (!strcmp(unit, "month"))
        snprintf(buf, sizeof buf, "%04d-%02d-01", y, m);
    else if (!strcmp(unit, "quarter"))
        snprintf(buf, sizeof buf, "%04d-%02d-01", y, (m - 1) / 3 * 3 + 1);
    else if (!strcmp(unit, "year"))
        snprintf(buf, sizeof buf, "%04d-01-01", y);
    else if (!strcmp(unit, "week")) {
        /* ISO weeks start on Monday; 2000-01-01 was a Saturday */
        int64_t dow = ((days % 7) + 7 + 5) % 7; /* 0 = Monday */
        return (days - dow) * day;
    } else {
        *ok = false;
        return ts;
    }
    sl_value_in(SL_T_TIMESTAMP, buf, strlen(buf), NULL, &out, NULL);
    return out.u.ts;
}

static int date_part(const char *unit, const SlValue *v, double *out)
{
    if (v->type == SL_T_INTERVAL) {
        const SlInterval *iv = &v->u.iv;
        if (!strcmp(unit, "epoch"))
            *out = iv->usec / 1e6 + iv->days * 86400.0 + iv->months * 30.0 * 86400.0;
        else if (!strcmp(unit, "day") || !strcmp(unit, "days"))
            *out = iv->days;
        else if (!strcmp(unit, "hour"))
            *out = (double)(iv->usec / 3600000000LL);
        else if (!strcmp(unit, "minute"))
            *out = (double)(iv->usec / 60000000LL % 60);
        else if (!strcmp(unit, "second"))
            *out = (double)(iv->usec % 60000000LL) / 1e6;
        else if (!strcmp(unit, "month"))
            *out = iv->months % 12;
        else if (!strcmp(unit, "year"))
            *out = iv->months / 12;
        else
            return -1;
        return 0;
    }
    int64_t ts = v->u.ts;
    if (!strcmp(unit, "epoch")) {
        *out = ts / 1e6 + 946684800.0;
        return 0;
    }
    SlBuf b;
    sl_buf_init(&b);
    SlValue plain = sl_val_timestamp(ts);
    sl_value_out(&plain, &b);
    int y = 0, m = 0, d = 0, hh = 0, mi = 0;
    double ss = 0;
    sscanf(b.data, "%d-%d-%d %d:%d:%lf", &y, &m, &d, &hh, &mi, &ss);
    sl_buf_free(&b);
    int64_t days = ts >= 0 ? ts / 86400000000LL : -((-ts + 86400000000LL - 1) / 86400000000LL);
    if (!strcmp(unit, "year")) *out = y;
    else if (!strcmp(unit, "month")) *out = m;
    else if (!strcmp(unit, "day")) *out = d;
    else if (!strcmp(unit, "hour")) *out = hh;
    else if (!strcmp(unit, "minute")) *out = mi;
    else if (!strcmp(unit, "second")) *out = ss;
    else if (!strcmp(unit, "milliseconds")) *out = ss * 1000;
    else if (!strcmp(unit, "microseconds")) *out = ss * 1000000;
    else if (!strcmp(unit, "dow")) *out = (double)((((days % 7) + 7) + 6) % 7);
    else if (!strcmp(unit, "isodow")) { int w = (int)((((days % 7) + 7) + 6) % 7); *out = w == 0 ? 7 : w; }
    else if (!strcmp(unit, "quarter")) *out = (m - 1) / 3 + 1;
    else if (!strcmp(unit, "doy")) {
        char buf[16];
        snprintf(buf, sizeof buf, "%04d-01-01", y);
        SlValue jan;
        sl_value_in(SL_T_TIMESTAMP, buf, strlen(buf), NULL, &jan, NULL);
        *out = (double)((ts - jan.u.ts) / 86400000000LL + 1);
    } else
        return -1;
    return 0;
}

static int call_func(const PlExpr *e, const SlValue *row, ExEvalCtx *c, SlValue *out, SlError *err)
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
        int drop = sc - (digits < 0 ? 0 : digits);
        __int128 d = 1;
        for (int i = 0; i < drop && i < 38; i++)
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
        return sl_numeric_from_int128(q, digits < 0 ? 0 : digits, out, err);
    }
    case PL_F_MOD: {
        SlValue x = a[0], y = a[1];
        return sl_value_op(SL_OP_MOD, &x, &y, c->arena, out, err);
    }
    case PL_F_POWER: {
        double r = pow(a[0].u.f8, a[1].u.f8);
        if (isnan(r) && !isnan(a[0].u.f8) && !isnan(a[1].u.f8))
            return sl_error(err, SL_E_INVALID_PARAMETER_VALUE,
                            "a negative number raised to a non-integer power yields a complex result");
        if (isinf(r) && !isinf(a[0].u.f8) && !isinf(a[1].u.f8)) {
            if (a[0].u.f8 == 0)
                return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "zero raised to a negative power is undefined");
            return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
        }
        *out = sl_val_float8(r);
        return 0;
    }
    case PL_F_SQRT:
        if (a[0].u.f8 < 0)
            return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "cannot take square root of a negative number");
        *out = sl_val_float8(sqrt(a[0].u.f8));
        return 0;
    case PL_F_LN:
        if (a[0].u.f8 == 0)
            return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "cannot take logarithm of zero");
        if (a[0].u.f8 < 0)
            return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "cannot take logarithm of a negative number");
        *out = sl_val_float8(log(a[0].u.f8));
        return 0;
    case PL_F_EXP: {
        double r = exp(a[0].u.f8);
        if (isinf(r) && !isinf(a[0].u.f8))
            return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow");
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
    case PL_F_LOWER: case PL_F_UPPER: {
        char *p = sl_strndup(c->arena, a[0].u.s.p, a[0].u.s.len);
        for (uint32_t i = 0; i < a[0].u.s.len; i++)
            p[i] = (char)(e->func == PL_F_LOWER ? tolower((unsigned char)p[i]) : toupper((unsigned char)p[i]));
        *out = sl_val_text(p, a[0].u.s.len);
        return 0;
    }
    case PL_F_LENGTH:
        *out = sl_val_int4(utf8_len(a[0].u.s.p, a[0].u.s.len));
        return 0;
    case PL_F_SUBSTR: {
        const char *p = a[0].u.s.p;
        size_t n = a[0].u.s.len;
        int64_t from = a[1].u.i4, len = e->nlist == 3 ? a[2].u.i4 : INT32_MAX;
        if (e->nlist == 3 && len < 0)
            return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "negative substring length not allowed");
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
        char unit[32];
        snprintf(unit, sizeof unit, "%.*s", (int)a[0].u.s.len, a[0].u.s.p);
        for (char *p = unit; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        bool ok;
        int64_t r = trunc_ts(a[1].u.ts, unit, &ok);
        if (!ok)
            return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "unit \"%s\" not recognized for type %s", unit,
                            a[1].type == SL_T_TIMESTAMP ? "timestamp without time zone" : "timestamp with time zone");
        *out = a[1];
        out->u.ts = r;
        return 0;
    }
    case PL_F_DATE_PART: {
        char unit[32];
        snprintf(unit, sizeof unit, "%.*s", (int)a[0].u.s.len, a[0].u.s.p);
        for (char *p = unit; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        double r;
        if (date_part(unit, &a[1], &r) < 0)
            return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "unit \"%s\" not recognized for type %s", unit,
                            sl_type_name((SlType)a[1].type));
        *out = sl_val_float8(r);
        return 0;
    }
    case PL_F_TO_TIMESTAMP: {
        double x = a[0].u.f8;
        if (isnan(x) || fabs(x) > 9.2e12)
            return sl_error(err, SL_E_DATETIME_FIELD_OVERFLOW, "timestamp out of range");
        *out = sl_val_timestamptz((int64_t)llround((x - 946684800.0) * 1e6));
        return 0;
    }
    case PL_F_PG_TYPEOF: {
        static const char *const names[] = {"unknown", "boolean", "integer", "bigint", "double precision",
                                            "numeric", "text", "timestamp without time zone",
                                            "timestamp with time zone", "interval"};
        *out = text_cstr(c, names[e->list[0]->type]);
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

int ex_eval(const PlExpr *e, const SlValue *row, ExEvalCtx *c, SlValue *out, SlError *err)
{
    SlValue l, r;
    switch (e->kind) {
    case PL_CONST:
        *out = e->value;
        if (out->isnull)
            out->type = (uint8_t)e->type;
        return 0;
    case PL_PARAM:
        *out = c->params[e->index];
        return 0;
    case PL_COLUMN:
        *out = row[e->index];
        return 0;
    case PL_AGG:
        *out = c->aggs[e->index];
        return 0;
    case PL_OP:
        if (ex_eval(e->args[0], row, c, &l, err) < 0 || ex_eval(e->args[1], row, c, &r, err) < 0)
            return -1;
        if (sl_value_op(e->op, &l, &r, c->arena, out, err) < 0) {
            if (err && !err->position)
                err->position = 0;
            return -1;
        }
        return 0;
    case PL_NEG:
        if (ex_eval(e->args[0], row, c, &l, err) < 0)
            return -1;
        return sl_value_neg(&l, out, err);
    case PL_AND:
    case PL_OR: {
        /* three-valued: AND is false if any false, else NULL if any NULL */
        bool any_null = false;
        bool stop = e->kind == PL_OR;
        for (int i = 0; i < e->nlist; i++) {
            if (ex_eval(e->list[i], row, c, &l, err) < 0)
                return -1;
            if (l.isnull) {
                any_null = true;
                continue;
            }
            if (l.u.b == stop) {
                *out = sl_val_bool(stop);
                return 0;
            }
        }
        *out = any_null ? sl_val_null(SL_T_BOOL) : sl_val_bool(!stop);
        return 0;
    }
    case PL_NOT:
        if (ex_eval(e->args[0], row, c, &l, err) < 0)
            return -1;
        *out = l.isnull ? l : sl_val_bool(!l.u.b);
        return 0;
    case PL_IS: {
        if (ex_eval(e->args[0], row, c, &l, err) < 0)
            return -1;
        bool res = false;
        switch (e->is_kind) {
        case PS_IS_NULL: res = l.isnull; break;
        case PS_IS_TRUE: res = !l.isnull && l.u.b; break;
        case PS_IS_FALSE: res = !l.isnull && !l.u.b; break;
        case PS_IS_UNKNOWN: res = l.isnull; break;
        case PS_IS_DISTINCT_FROM:
            if (ex_eval(e->args[1], row, c, &r, err) < 0)
                return -1;
            if (l.isnull || r.isnull)
                res = l.isnull != r.isnull;
            else
                res = sl_value_cmp(&l, &r) != 0;
            break;
        }
        *out = sl_val_bool(e->negated ? !res : res);
        return 0;
    }
    case PL_LIKE: {
        SlValue esc;
        if (ex_eval(e->args[0], row, c, &l, err) < 0 || ex_eval(e->args[1], row, c, &r, err) < 0)
            return -1;
        char escape = '\\';
        if (e->args[2]) {
            if (ex_eval(e->args[2], row, c, &esc, err) < 0)
                return -1;
            if (esc.isnull) {
                *out = sl_val_null(SL_T_BOOL);
                return 0;
            }
            if (esc.u.s.len > 1)
                return sl_error(err, SL_E_INVALID_ESCAPE_SEQUENCE, "invalid escape string");
            escape = esc.u.s.len ? esc.u.s.p[0] : 0;
        }
        if (l.isnull || r.isnull) {
            *out = sl_val_null(SL_T_BOOL);
            return 0;
        }
        bool m = like_match(l.u.s.p, l.u.s.len, r.u.s.p, r.u.s.len, escape, e->ilike);
        *out = sl_val_bool(e->negated ? !m : m);
        return 0;
    }
    case PL_IN: {
        if (ex_eval(e->args[0], row, c, &l, err) < 0)
            return -1;
        if (l.isnull) {
            *out = sl_val_null(SL_T_BOOL);
            return 0;
        }
        bool any_null = false;
        for (int i = 0; i < e->nlist; i++) {
            if (ex_eval(e->list[i], row, c, &r, err) < 0)
                return -1;
            if (r.isnull) {
                any_null = true;
                continue;
            }
            if (sl_value_cmp(&l, &r) == 0) {
                *out = sl_val_bool(!e->negated);
                return 0;
            }
        }
        *out = any_null ? sl_val_null(SL_T_BOOL) : sl_val_bool(e->negated);
        return 0;
    }
    case PL_CASE:
        for (int i = 0; i + 1 < e->nlist; i += 2) {
            if (ex_eval(e->list[i], row, c, &l, err) < 0)
                return -1;
            if (!l.isnull && l.u.b)
                return ex_eval(e->list[i + 1], row, c, out, err);
        }
        if (e->else_expr)
            return ex_eval(e->else_expr, row, c, out, err);
        *out = sl_val_null(e->type);
        return 0;
    case PL_CAST:
        if (ex_eval(e->args[0], row, c, &l, err) < 0)
            return -1;
        return sl_value_cast(&l, e->type, c->arena, out, err);
    case PL_FUNC:
        return call_func(e, row, c, out, err);
    }
    return sl_error(err, SL_E_INTERNAL_ERROR, "unknown bound expression");
}

int ex_eval_bool(const PlExpr *e, const SlValue *row, ExEvalCtx *c, bool *pass, SlError *err)
{
    SlValue v;
    if (ex_eval(e, row, c, &v, err) < 0)
        return -1;
    *pass = !v.isnull && v.u.b;
    return 0;
}
