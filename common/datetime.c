/*
 * datetime.c — TIMESTAMP, TIMESTAMPTZ and INTERVAL text forms, as
 * PostgreSQL reads and prints them with DateStyle ISO and TimeZone UTC.
 *
 * Timestamps are microseconds since 2000-01-01 00:00:00 (UTC for
 * TIMESTAMPTZ); 'infinity' and '-infinity' are INT64_MAX and INT64_MIN.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common_int.h"

/* Days since 2000-01-01 of a proleptic Gregorian date (civil-days
 * arithmetic over 400-year eras). */
int64_t sl_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 - 10957; /* 1970 epoch, then 2000 */
}

void sl_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t z = days + 10957 + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

bool sl_is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && sl_is_leap(y))
        return 29;
    return dm[m - 1];
}

static bool word_eq(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

static size_t trim(const char **s, size_t n)
{
    while (n && isspace((unsigned char)**s)) {
        (*s)++;
        n--;
    }
    while (n && isspace((unsigned char)(*s)[n - 1]))
        n--;
    return n;
}

/* Reads exactly-or-up-to `max` digits; returns digits read. */
static int read_int(const char *s, size_t n, size_t *i, int max, int64_t *out)
{
    int k = 0;
    int64_t v = 0;
    while (*i < n && k < max && isdigit((unsigned char)s[*i])) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    *out = v;
    return k;
}

int sl_timestamp_parse(const char *s, size_t n, bool with_tz, int64_t *out)
{
    n = trim(&s, n);
    if (word_eq(s, n, "infinity") || word_eq(s, n, "+infinity")) {
        *out = SL_TS_NOEND;
        return 0;
    }
    if (word_eq(s, n, "-infinity")) {
        *out = SL_TS_NOBEGIN;
        return 0;
    }
    if (word_eq(s, n, "epoch")) {
        *out = -10957LL * SL_USECS_PER_DAY;
        return 0;
    }
    if (word_eq(s, n, "now")) {
        *out = sl_now_usec();
        return 0;
    }
    int64_t now_days = sl_now_usec() / SL_USECS_PER_DAY;
    if (word_eq(s, n, "today") || word_eq(s, n, "tomorrow") || word_eq(s, n, "yesterday")) {
        int64_t d = now_days + (word_eq(s, n, "tomorrow") ? 1 : word_eq(s, n, "yesterday") ? -1 : 0);
        *out = d * SL_USECS_PER_DAY;
        return 0;
    }
    size_t i = 0;
    int64_t y, mo, d, h = 0, mi = 0, se = 0, us = 0;
    /* Y-M-D (ISO), or with DateStyle's MDY order M/D/Y and M-D-Y; a
     * first field of three or more digits is the year (2024/01/02) */
    int64_t f1, f2, f3;
    int k1 = read_int(s, n, &i, 9, &f1);
    if (k1 < 1 || i >= n || (s[i] != '-' && s[i] != '/'))
        return -1;
    char sep = s[i++];
    if (read_int(s, n, &i, 2, &f2) < 1 || i >= n || s[i] != sep)
        return -1;
    i++;
    int k3 = read_int(s, n, &i, 9, &f3);
    if (k3 < 1)
        return -1;
    if (k1 >= 3) {
        if (k3 > 2)
            return -1;
        y = f1, mo = f2, d = f3;
    } else {
        if (k1 > 2)
            return -1;
        mo = f1, d = f2, y = f3;
        if (k3 <= 2)
            y += y < 70 ? 2000 : 1900; /* two-digit years, as PostgreSQL reads them */
    }
    if (i < n && (s[i] == ' ' || s[i] == 'T' || s[i] == 't')) {
        size_t save = i;
        i++;
        while (i < n && s[i] == ' ')
            i++;
        if (i < n && isdigit((unsigned char)s[i])) {
            if (read_int(s, n, &i, 2, &h) < 1 || i >= n || s[i] != ':')
                return -1;
            i++;
            if (read_int(s, n, &i, 2, &mi) < 2 && 0)
                return -1;
            if (i < n && s[i] == ':') {
                i++;
                if (read_int(s, n, &i, 2, &se) < 1)
                    return -1;
                if (i < n && s[i] == '.') {
                    i++;
                    int k = 0;
                    while (i < n && isdigit((unsigned char)s[i])) {
                        if (k < 6) {
                            us = us * 10 + (s[i] - '0');
                        } else if (k == 6 && s[i] >= '5') {
                            us++; /* round to microseconds */
                        }
                        k++;
                        i++;
                    }
                    for (; k < 6; k++)
                        us *= 10;
                }
            }
        } else {
            i = save;
        }
    }
    /* zone: Z, UTC, GMT, +HH, +HH:MM, +HHMM; then an optional AD/BC */
    int64_t off = 0;
    bool bc = false;
    while (i < n && s[i] == ' ')
        i++;
    if (n - i >= 2 && (word_eq(s + n - 2, 2, "bc") || word_eq(s + n - 2, 2, "ad")) &&
        (n - i == 2 || s[n - 3] == ' ')) {
        bc = word_eq(s + n - 2, 2, "bc");
        n -= 2;
        while (n > i && s[n - 1] == ' ')
            n--;
    }
    if (i < n) {
        if ((n - i == 1 && (s[i] == 'Z' || s[i] == 'z')) || word_eq(s + i, n - i, "utc") ||
            word_eq(s + i, n - i, "gmt") || word_eq(s + i, n - i, "etc/utc")) {
            i = n;
        } else if (s[i] == '+' || s[i] == '-') {
            int sign = s[i] == '-' ? -1 : 1;
            int64_t oh = 0, om = 0;
            i++;
            int k = read_int(s, n, &i, 2, &oh);
            if (k < 1)
                return -1;
            if (i < n && s[i] == ':') {
                i++;
                if (read_int(s, n, &i, 2, &om) != 2)
                    return -1;
            } else if (k == 2 && i < n && isdigit((unsigned char)s[i])) {
                if (read_int(s, n, &i, 2, &om) != 2)
                    return -1;
            }
            if (oh > 15 || om > 59)
                return -2;
            off = sign * (oh * 3600 + om * 60);
        }
    }
    if (i != n)
        return -1;
    if (y == 0)
        return -2; /* there is no year 0 */
    if (bc)
        y = 1 - y;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (int)mo) || h > 24 || mi > 59 ||
        se > 60 || (h == 24 && (mi || se || us)))
        return -2;
    if (y < -4713 || y > 294276)
        return -3;
    int64_t days = sl_days_from_civil(y, (int)mo, (int)d);
    int64_t t = days * SL_USECS_PER_DAY + ((h * 60 + mi) * 60 + se) * 1000000LL + us;
    if (with_tz)
        t -= off * 1000000LL;
    if (!sl_timestamp_in_range(t))
        return -3;
    *out = t;
    return 0;
}

bool sl_timestamp_in_range(int64_t ts)
{
    return ts >= SL_TS_MIN && ts < SL_TS_END;
}

void sl_timestamp_format(int64_t ts, bool with_tz, SlBuf *out)
{
    if (ts == SL_TS_NOEND) {
        sl_buf_puts(out, "infinity");
        return;
    }
    if (ts == SL_TS_NOBEGIN) {
        sl_buf_puts(out, "-infinity");
        return;
    }
    int64_t days = ts / SL_USECS_PER_DAY, t = ts % SL_USECS_PER_DAY;
    if (t < 0) {
        t += SL_USECS_PER_DAY;
        days--;
    }
    int64_t y;
    int m, d;
    sl_civil_from_days(days, &y, &m, &d);
    int64_t secs = t / 1000000, us = t % 1000000;
    char buf[64];
    bool bc = y <= 0;
    int len = snprintf(buf, sizeof buf, "%04lld-%02d-%02d %02d:%02d:%02d",
                       (long long)(bc ? 1 - y : y), m, d, (int)(secs / 3600),
                       (int)(secs / 60 % 60), (int)(secs % 60));
    sl_buf_append(out, buf, (size_t)len);
    if (us) {
        len = snprintf(buf, sizeof buf, ".%06d", (int)us);
        while (buf[len - 1] == '0')
            len--;
        sl_buf_append(out, buf, (size_t)len);
    }
    if (with_tz)
        sl_buf_puts(out, "+00");
    if (bc)
        sl_buf_puts(out, " BC");
}

/* ---------------------------------------------------------------- interval */

typedef enum { U_NONE, U_YEAR, U_MONTH, U_WEEK, U_DAY, U_HOUR, U_MIN, U_SEC, U_MS, U_US,
               U_DECADE, U_CENTURY, U_MILLENNIUM } Unit;

static Unit unit_of(const char *w, size_t n)
{
    static const struct {
        const char *name;
        Unit u;
    } units[] = {
        {"y", U_YEAR}, {"yr", U_YEAR}, {"yrs", U_YEAR}, {"year", U_YEAR}, {"years", U_YEAR},
        {"mon", U_MONTH}, {"mons", U_MONTH}, {"month", U_MONTH}, {"months", U_MONTH},
        {"w", U_WEEK}, {"week", U_WEEK}, {"weeks", U_WEEK},
        {"d", U_DAY}, {"day", U_DAY}, {"days", U_DAY},
        {"h", U_HOUR}, {"hr", U_HOUR}, {"hrs", U_HOUR}, {"hour", U_HOUR}, {"hours", U_HOUR},
        {"m", U_MIN}, {"min", U_MIN}, {"mins", U_MIN}, {"minute", U_MIN}, {"minutes", U_MIN},
        {"s", U_SEC}, {"sec", U_SEC}, {"secs", U_SEC}, {"second", U_SEC}, {"seconds", U_SEC},
        {"ms", U_MS}, {"msec", U_MS}, {"msecs", U_MS}, {"millisecond", U_MS}, {"milliseconds", U_MS},
        {"us", U_US}, {"usec", U_US}, {"usecs", U_US}, {"microsecond", U_US}, {"microseconds", U_US},
        {"decade", U_DECADE}, {"decades", U_DECADE}, {"century", U_CENTURY}, {"centuries", U_CENTURY},
        {"millennium", U_MILLENNIUM}, {"millennia", U_MILLENNIUM},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (word_eq(w, n, units[i].name))
            return units[i].u;
    return U_NONE;
}

static int add_i32(int32_t *field, long double v)
{
    long double r = (long double)*field + v;
    if (r > INT32_MAX || r < INT32_MIN)
        return -2;
    *field = (int32_t)r;
    return 0;
}

static int add_usec(int64_t *field, long double v)
{
    long double r = (long double)*field + v;
    if (r >= 9.2e18L || r <= -9.2e18L)
        return -2;
    *field = (int64_t)r;
    return 0;
}

/* Adds value (possibly fractional) of a unit; fractions cascade down as
 * PostgreSQL does (1.5 days = 1 day 12:00:00). -2 on overflow. */
static int add_unit(SlInterval *iv, Unit u, long double v)
{
    long double frac, whole;
    switch (u) {
    case U_MILLENNIUM: v *= 1000; u = U_YEAR; break;
    case U_CENTURY: v *= 100; u = U_YEAR; break;
    case U_DECADE: v *= 10; u = U_YEAR; break;
    case U_WEEK: v *= 7; u = U_DAY; break;
    default: break;
    }
    switch (u) {
    case U_YEAR:
        v *= 12;
        /* fall through */
    case U_MONTH:
        if (v > 1e12L || v < -1e12L)
            return -2;
        whole = (long double)(long long)v;
        frac = v - whole;
        if (add_i32(&iv->months, whole) < 0)
            return -2;
        v = frac * 30;
        /* fall through */
    case U_DAY:
        if (v > 1e12L || v < -1e12L)
            return -2;
        whole = (long double)(long long)v;
        frac = v - whole;
        if (add_i32(&iv->days, whole) < 0)
            return -2;
        return add_usec(&iv->usec, roundl(frac * SL_USECS_PER_DAY));
    case U_HOUR:
        return add_usec(&iv->usec, roundl(v * 3600000000.0L));
    case U_MIN:
        return add_usec(&iv->usec, roundl(v * 60000000.0L));
    case U_SEC:
        return add_usec(&iv->usec, roundl(v * 1000000.0L));
    case U_MS:
        return add_usec(&iv->usec, roundl(v * 1000.0L));
    case U_US:
        return add_usec(&iv->usec, roundl(v));
    default:
        return -1;
    }
}

/* ISO 8601: P[nY][nM][nW][nD][T[nH][nM][nS]] */
static int iso_interval(const char *s, size_t n, SlInterval *iv)
{
    size_t i = 1;
    bool time = false;
    if (n < 2)
        return -1;
    while (i < n) {
        if (s[i] == 'T' || s[i] == 't') {
            time = true;
            i++;
            continue;
        }
        char *end;
        char num[64];
        size_t k = 0;
        while (i < n && k < sizeof num - 1 && (isdigit((unsigned char)s[i]) || s[i] == '.' || s[i] == '-' || s[i] == '+'))
            num[k++] = s[i++];
        num[k] = '\0';
        if (!k || i >= n)
            return -1;
        long double v = strtold(num, &end);
        if (*end)
            return -1;
        Unit u;
        switch (toupper((unsigned char)s[i])) {
        case 'Y': u = U_YEAR; break;
        case 'M': u = time ? U_MIN : U_MONTH; break;
        case 'W': u = U_WEEK; break;
        case 'D': u = U_DAY; break;
        case 'H': u = U_HOUR; break;
        case 'S': u = U_SEC; break;
        default: return -1;
        }
        i++;
        int rc = add_unit(iv, u, v);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int sl_interval_parse(const char *s, size_t n, SlInterval *out)
{
    SlInterval iv = {0, 0, 0};
    n = trim(&s, n);
    if (n == 0)
        return -1;
    if (s[0] == 'P' || s[0] == 'p') {
        int rc = iso_interval(s, n, &iv);
        if (rc < 0)
            return rc;
        *out = iv;
        return 0;
    }
    size_t i = 0;
    bool any = false, ago = false;
    unsigned seen = 0; /* each unit may appear once, as in PostgreSQL */
    if (s[0] == '@') {
        i++;
    }
    while (i < n) {
        while (i < n && isspace((unsigned char)s[i]))
            i++;
        if (i >= n)
            break;
        size_t start = i;
        if (isalpha((unsigned char)s[i])) {
            while (i < n && isalpha((unsigned char)s[i]))
                i++;
            if (word_eq(s + start, i - start, "ago")) {
                ago = true;
                continue;
            }
            return -1;
        }
        /* a number, or a time hh:mm[:ss[.f]] */
        int sign = 1;
        if (s[i] == '+' || s[i] == '-') {
            sign = s[i] == '-' ? -1 : 1;
            i++;
        }
        size_t numstart = i;
        while (i < n && (isdigit((unsigned char)s[i]) || s[i] == '.'))
            i++;
        if (i == numstart)
            return -1;
        if (i < n && s[i] == ':') {
            /* time part */
            int64_t hh = 0, mm = 0;
            long double ss = 0;
            char buf[64];
            size_t k = i - numstart;
            if (k >= sizeof buf)
                return -1;
            memcpy(buf, s + numstart, k);
            buf[k] = '\0';
            hh = strtoll(buf, NULL, 10);
            i++;
            size_t ms = i;
            while (i < n && isdigit((unsigned char)s[i]))
                i++;
            if (i == ms)
                return -1;
            mm = strtoll(s + ms, NULL, 10);
            if (i < n && s[i] == ':') {
                i++;
                size_t ss0 = i;
                while (i < n && (isdigit((unsigned char)s[i]) || s[i] == '.'))
                    i++;
                k = i - ss0;
                if (k == 0 || k >= sizeof buf)
                    return -1;
                memcpy(buf, s + ss0, k);
                buf[k] = '\0';
                ss = strtold(buf, NULL);
            }
            if (mm > 59 || ss >= 60)
                return -2;
            unsigned bits = (1u << U_HOUR) | (1u << U_MIN) | (1u << U_SEC);
            if (seen & bits)
                return -1;
            seen |= bits;
            if (hh > 2562047788LL)
                return -2;
            long double total = (long double)(hh * 3600 + mm * 60) + ss;
            if (add_usec(&iv.usec, sign * roundl(total * 1000000.0L)) < 0)
                return -2;
            any = true;
            continue;
        }
        char buf[64];
        size_t k = i - numstart;
        if (k >= sizeof buf)
            return -1;
        memcpy(buf, s + numstart, k);
        buf[k] = '\0';
        char *end;
        long double v = strtold(buf, &end);
        if (*end)
            return -1;
        v *= sign;
        while (i < n && isspace((unsigned char)s[i]))
            i++;
        size_t ws = i;
        while (i < n && isalpha((unsigned char)s[i]))
            i++;
        Unit u = U_SEC;
        if (i > ws) {
            u = unit_of(s + ws, i - ws);
            if (u == U_NONE)
                return -1;
        }
        if (seen & (1u << u))
            return -1;
        seen |= 1u << u;
        int rc = add_unit(&iv, u, v);
        if (rc < 0)
            return rc;
        any = true;
    }
    if (!any)
        return -1;
    if (ago) {
        if (iv.months == INT32_MIN || iv.days == INT32_MIN || iv.usec == INT64_MIN)
            return -2;
        iv.months = -iv.months;
        iv.days = -iv.days;
        iv.usec = -iv.usec;
    }
    *out = iv;
    return 0;
}

static void add_part(SlBuf *out, int64_t v, const char *unit, bool *is_before, bool *is_zero)
{
    if (v == 0)
        return;
    sl_buf_printf(out, "%s%s%lld %s%s", *is_zero ? "" : " ",
                  (*is_before && v > 0) ? "+" : "", (long long)v, unit, v != 1 ? "s" : "");
    *is_before = v < 0;
    *is_zero = false;
}

void sl_interval_format(const SlInterval *iv, SlBuf *out)
{
    bool is_before = false, is_zero = true;
    int64_t years = iv->months / 12, mons = iv->months % 12;
    add_part(out, years, "year", &is_before, &is_zero);
    add_part(out, mons, "mon", &is_before, &is_zero);
    add_part(out, iv->days, "day", &is_before, &is_zero);
    if (iv->usec != 0 || is_zero) {
        bool neg = iv->usec < 0;
        uint64_t u = neg ? (uint64_t)0 - (uint64_t)iv->usec : (uint64_t)iv->usec;
        uint64_t secs = u / 1000000, frac = u % 1000000;
        sl_buf_printf(out, "%s%s%02llu:%02llu:%02llu", is_zero ? "" : " ",
                      neg ? "-" : (is_before ? "+" : ""), (unsigned long long)(secs / 3600),
                      (unsigned long long)(secs / 60 % 60), (unsigned long long)(secs % 60));
        if (frac) {
            char buf[16];
            int len = snprintf(buf, sizeof buf, ".%06llu", (unsigned long long)frac);
            while (buf[len - 1] == '0')
                len--;
            sl_buf_append(out, buf, (size_t)len);
        }
    }
}

__int128 sl_interval_key(const SlInterval *iv)
{
    return (__int128)iv->usec + ((__int128)iv->days + (__int128)iv->months * 30) * SL_USECS_PER_DAY;
}

/* Round to microsecond precision, as PostgreSQL's TSROUND does. */
static double ts_round(double x)
{
    return rint(x * 1000000.0) / 1000000.0;
}

int sl_interval_mul(const SlInterval *iv, double factor, bool divide, SlInterval *out,
                    SlError *err)
{
    if (divide && factor == 0.0)
        return sl_error(err, SL_E_DIVISION_BY_ZERO, "division by zero");
    double m = divide ? iv->months / factor : iv->months * factor;
    double d = divide ? iv->days / factor : iv->days * factor;
    if (isnan(m) || m > INT32_MAX || m < INT32_MIN || isnan(d) || d > INT32_MAX || d < INT32_MIN)
        return sl_error(err, SL_E_DATETIME_FIELD_OVERFLOW, "interval out of range");
    SlInterval r;
    r.months = (int32_t)m;
    r.days = (int32_t)d;
    /* the fraction of a month becomes days (30 to a month), the fraction
     * of a day becomes seconds */
    double month_days = ts_round((m - r.months) * 30.0);
    double secs = ts_round((d - r.days + month_days - (int)month_days) * 86400.0);
    int64_t days = r.days;
    if (fabs(secs) >= 86400.0) {
        int whole = (int)(secs / 86400.0);
        days += whole;
        secs -= whole * 86400.0;
    }
    days += (int32_t)month_days;
    if (days > INT32_MAX || days < INT32_MIN)
        return sl_error(err, SL_E_DATETIME_FIELD_OVERFLOW, "interval out of range");
    r.days = (int32_t)days;
    double t = rint((divide ? (double)iv->usec / factor : (double)iv->usec * factor) +
                    secs * 1000000.0);
    if (isnan(t) || t >= 9.223372036854775807e18 || t < -9.223372036854775808e18)
        return sl_error(err, SL_E_DATETIME_FIELD_OVERFLOW, "interval out of range");
    r.usec = (int64_t)t;
    *out = r;
    return 0;
}
