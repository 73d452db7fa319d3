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

/* 1..12 for an English month name or its three-letter abbreviation. */
static int month_of(const char *w, size_t n)
{
    static const char *const names[] = {"january", "february", "march", "april", "may", "june",
                                        "july", "august", "september", "october", "november",
                                        "december"};
    for (int m = 0; m < 12; m++)
        if ((n == 3 && !strncasecmp(w, names[m], 3)) || word_eq(w, n, names[m]))
            return m + 1;
    return word_eq(w, n, "sept") ? 9 : 0;
}

/* The checks every form of a timestamp goes through, then the value. */
static int ts_compose(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t se,
                      int64_t us, int64_t off, bool with_tz, int64_t *out)
{
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

static inline int digit2(const char *s, int64_t *v)
{
    unsigned a = (unsigned)(unsigned char)s[0] - '0', b = (unsigned)(unsigned char)s[1] - '0';
    if (a > 9 || b > 9)
        return -1;
    *v = a * 10 + b;
    return 0;
}

/* YYYY-MM-DD HH:MM:SS[.f{1,6}] exactly (COPY data and our own output): read
 * without the general scanner, checked by ts_compose like every form.
 * 1 when s is not in this form. */
static int ts_parse_iso(const char *s, size_t n, bool with_tz, int64_t *out)
{
    int64_t y, yl, mo, d, h, mi, se, us = 0;
    if (n < 19 || n > 26 || n == 20 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') ||
        s[13] != ':' || s[16] != ':' || (n > 19 && s[19] != '.'))
        return 1;
    if (digit2(s, &y) < 0 || digit2(s + 2, &yl) < 0 || digit2(s + 5, &mo) < 0 || digit2(s + 8, &d) < 0 ||
        digit2(s + 11, &h) < 0 || digit2(s + 14, &mi) < 0 || digit2(s + 17, &se) < 0)
        return 1;
    y = y * 100 + yl;
    if (y == 0)
        return 1;
    size_t k = 20;
    for (; k < n; k++) {
        unsigned c = (unsigned)(unsigned char)s[k] - '0';
        if (c > 9)
            return 1;
        us = us * 10 + c;
    }
    for (; k < 26; k++)
        us *= 10;
    return ts_compose(y, mo, d, h, mi, se, us, 0, with_tz, out);
}

int sl_timestamp_parse(const char *s, size_t n, bool with_tz, int64_t *out)
{
    int rc = ts_parse_iso(s, n, with_tz, out);
    if (rc <= 0)
        return rc;
    n = trim(&s, n);
    if (word_eq(s, n, "infinity")) {
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
    if (word_eq(s, n, "today") || word_eq(s, n, "tomorrow") || word_eq(s, n, "yesterday")) {
        int64_t now_days = sl_now_usec() / SL_USECS_PER_DAY;
        int64_t d = now_days + (word_eq(s, n, "tomorrow") ? 1 : word_eq(s, n, "yesterday") ? -1 : 0);
        *out = d * SL_USECS_PER_DAY;
        return 0;
    }
    size_t i = 0;
    int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, us = 0;
    int yk; /* digits written for the year: two-digit years are 19xx/20xx */
    /* The date: Y-M-D (ISO); with DateStyle's MDY order M/D/Y and M-D-Y (a
     * first field of three or more digits is the year: 2024/01/02);
     * YYYYMMDD; and with a month name: Jan 2, 2024 / 2 Jan 2024 /
     * 2024-Jan-02 / 02-Jan-2024. */
    if (i < n && isalpha((unsigned char)s[i])) {
        size_t w0 = i;
        while (i < n && isalpha((unsigned char)s[i]))
            i++;
        if (!(mo = month_of(s + w0, i - w0)))
            return -1;
        while (i < n && (s[i] == ' ' || s[i] == '-' || s[i] == '/' || s[i] == '.'))
            i++;
        if (read_int(s, n, &i, 2, &d) < 1)
            return -1;
        while (i < n && (s[i] == ' ' || s[i] == ',' || s[i] == '-' || s[i] == '/'))
            i++;
        if ((yk = read_int(s, n, &i, 9, &y)) < 1)
            return -1;
    } else {
        int64_t f1, f2, f3;
        int k1 = read_int(s, n, &i, 9, &f1);
        if (k1 < 1)
            return -1;
        if (k1 == 8 && (i == n || s[i] == ' ' || s[i] == 'T' || s[i] == 't')) {
            y = f1 / 10000, mo = f1 / 100 % 100, d = f1 % 100, yk = 4;
        } else if (i < n && (s[i] == '-' || s[i] == '/' || s[i] == ' ' || s[i] == '.')) {
            char sep = s[i++];
            if (i < n && isalpha((unsigned char)s[i])) {
                size_t w0 = i;
                while (i < n && isalpha((unsigned char)s[i]))
                    i++;
                if (!(mo = month_of(s + w0, i - w0)) || i >= n || s[i] != sep)
                    return -1;
                i++;
                int k3 = read_int(s, n, &i, 9, &f3);
                if (k3 < 1 || k1 > 9)
                    return -1;
                if (k1 >= 3) {
                    if (k3 > 2)
                        return -1;
                    y = f1, yk = k1, d = f3;
                } else {
                    d = f1, y = f3, yk = k3;
                }
            } else {
                if (sep != '-' && sep != '/')
                    return -1;
                if (read_int(s, n, &i, 2, &f2) < 1 || i >= n || s[i] != sep)
                    return -1;
                i++;
                int k3 = read_int(s, n, &i, 9, &f3);
                if (k3 < 1)
                    return -1;
                if (k1 >= 3) {
                    if (k3 > 2)
                        return -1;
                    y = f1, mo = f2, d = f3, yk = k1;
                } else {
                    mo = f1, d = f2, y = f3, yk = k3;
                }
            }
        } else {
            return -1;
        }
    }
    if (yk <= 2)
        y += y < 70 ? 2000 : 1900; /* two-digit years, as PostgreSQL reads them */
    /* The time: HH:MM[:SS[.frac]], HHMMSS or HHMM, or allballs. */
    if (i < n && (s[i] == ' ' || s[i] == 'T' || s[i] == 't')) {
        size_t save = i;
        i++;
        while (i < n && s[i] == ' ')
            i++;
        size_t run = 0;
        while (i + run < n && isdigit((unsigned char)s[i + run]))
            run++;
        if (n - i >= 8 && word_eq(s + i, 8, "allballs") && (n - i == 8 || !isalpha((unsigned char)s[i + 8]))) {
            i += 8;
        } else if ((run == 4 || run == 6) && (i + run == n || s[i + run] != ':')) {
            read_int(s, n, &i, 2, &h);
            read_int(s, n, &i, 2, &mi);
            if (run == 6)
                read_int(s, n, &i, 2, &se);
        } else if (run > 0) {
            if (read_int(s, n, &i, 2, &h) < 1 || i >= n || s[i] != ':')
                return -1;
            i++;
            read_int(s, n, &i, 2, &mi);
            if (i < n && s[i] == ':') {
                i++;
                if (read_int(s, n, &i, 2, &se) < 1)
                    return -1;
            }
        } else {
            i = save;
        }
        if (i != save && i < n && s[i] == '.') {
            i++;
            int k = 0;
            while (i < n && isdigit((unsigned char)s[i])) {
                if (k < 6)
                    us = us * 10 + (s[i] - '0');
                else if (k == 6 && s[i] >= '5')
                    us++; /* round to microseconds */
                k++;
                i++;
            }
            for (; k < 6; k++)
                us *= 10;
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
            int64_t oh = 0, om = 0, os = 0;
            i++;
            int k = read_int(s, n, &i, 2, &oh);
            if (k < 1)
                return -1;
            if (i < n && s[i] == ':') {
                i++;
                if (read_int(s, n, &i, 2, &om) != 2)
                    return -1;
                if (i < n && s[i] == ':') {
                    i++;
                    if (read_int(s, n, &i, 2, &os) != 2)
                        return -1;
                }
            } else if (k == 2 && i < n && isdigit((unsigned char)s[i])) {
                if (read_int(s, n, &i, 2, &om) != 2)
                    return -1;
            }
            if (oh > 15 || om > 59)
                return -4;
            if (os > 59)
                return -4;
            off = sign * (oh * 3600 + om * 60 + os);
        }
    }
    if (i != n)
        return -1;
    if (y == 0)
        return -2; /* there is no year 0 */
    if (bc)
        y = 1 - y;
    return ts_compose(y, mo, d, h, mi, se, us, off, with_tz, out);
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
        {"ms", U_MS}, {"msec", U_MS}, {"msecs", U_MS}, {"msecond", U_MS}, {"mseconds", U_MS},
        {"millisecon", U_MS}, {"millisecond", U_MS}, {"milliseconds", U_MS},
        {"us", U_US}, {"usec", U_US}, {"usecs", U_US}, {"usecond", U_US}, {"useconds", U_US},
        {"microsecon", U_US}, {"microsecond", U_US}, {"microseconds", U_US},
        {"dec", U_DECADE}, {"decs", U_DECADE}, {"decade", U_DECADE}, {"decades", U_DECADE},
        {"c", U_CENTURY}, {"cent", U_CENTURY}, {"century", U_CENTURY}, {"centuries", U_CENTURY},
        {"mil", U_MILLENNIUM}, {"mils", U_MILLENNIUM}, {"millennium", U_MILLENNIUM},
        {"millennia", U_MILLENNIUM},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (word_eq(w, n, units[i].name))
            return units[i].u;
    return U_NONE;
}

/* Interval fields while parsing, wide enough that overflow is found at
 * the end rather than wrapping. */
typedef struct IvAcc {
    __int128 months, days, usec;
} IvAcc;

/* A number as PostgreSQL splits it: the integer part, and the fraction
 * (with the same sign) read as a double. At least one digit. Returns the
 * characters used, 0 if none, -2 if the integer part is too large. */
static int split_number(const char *s, size_t n, int64_t *whole, double *frac)
{
    size_t i = 0;
    int sign = 1;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        sign = s[i++] == '-' ? -1 : 1;
    int64_t w = 0;
    size_t d0 = i;
    bool big = false;
    while (i < n && isdigit((unsigned char)s[i])) {
        if (w > 99999999999999999LL)
            big = true;
        else
            w = w * 10 + (s[i] - '0');
        i++;
    }
    size_t ndig = i - d0;
    double f = 0;
    if (i < n && s[i] == '.') {
        char buf[40];
        size_t k = 0;
        buf[k++] = '0';
        buf[k++] = '.';
        i++;
        while (i < n && isdigit((unsigned char)s[i])) {
            if (k < sizeof buf - 1)
                buf[k++] = s[i];
            i++;
            ndig++;
        }
        buf[k] = '\0';
        f = strtod(buf, NULL);
    }
    if (ndig == 0)
        return 0;
    if (big)
        return -2;
    *whole = sign * w;
    *frac = sign * f;
    return (int)i;
}

/* A fraction of `scale` seconds: whole seconds, then microseconds rounded
 * as PostgreSQL's rint does. */
static void frac_seconds(IvAcc *a, double frac, double scale)
{
    if (frac == 0)
        return;
    frac *= scale;
    int64_t sec = (int64_t)frac;
    a->usec += (__int128)sec * 1000000;
    a->usec += (__int128)rint((frac - (double)sec) * 1000000.0);
}

/* A fraction of `scale` days: whole days, the rest as seconds. */
static void frac_days(IvAcc *a, double frac, double scale)
{
    if (frac == 0)
        return;
    frac *= scale;
    int64_t d = (int64_t)frac;
    a->days += d;
    frac_seconds(a, frac - (double)d, 86400.0);
}

/* value (whole + frac) of a unit, cascading fractions as PostgreSQL 15:
 * fractional years become whole months (rounded), fractional months and
 * weeks become days, fractional days and smaller become time. */
static void add_unit(IvAcc *a, Unit u, int64_t whole, double frac)
{
    int k = 12;
    switch (u) {
    case U_MILLENNIUM: k = 12000; goto years;
    case U_CENTURY: k = 1200; goto years;
    case U_DECADE: k = 120; goto years;
    case U_YEAR:
    years:
        a->months += (__int128)whole * k + (__int128)rint(frac * k);
        break;
    case U_MONTH:
        a->months += whole;
        frac_days(a, frac, 30.0);
        break;
    case U_WEEK:
        a->days += (__int128)whole * 7;
        frac_days(a, frac, 7.0);
        break;
    case U_DAY:
        a->days += whole;
        frac_seconds(a, frac, 86400.0);
        break;
    case U_HOUR:
        a->usec += (__int128)whole * 3600000000LL;
        frac_seconds(a, frac, 3600.0);
        break;
    case U_MIN:
        a->usec += (__int128)whole * 60000000LL;
        frac_seconds(a, frac, 60.0);
        break;
    case U_SEC:
        a->usec += (__int128)whole * 1000000 + (__int128)rint(frac * 1000000.0);
        break;
    case U_MS:
        a->usec += (__int128)whole * 1000 + (__int128)rint(frac * 1000.0);
        break;
    case U_US:
        a->usec += (__int128)whole + (__int128)rint(frac);
        break;
    default:
        break;
    }
}

static int acc_finish(const IvAcc *a, bool negate, SlInterval *out)
{
    __int128 m = negate ? -a->months : a->months, d = negate ? -a->days : a->days,
             u = negate ? -a->usec : a->usec;
    if (m > INT32_MAX || m < INT32_MIN || d > INT32_MAX || d < INT32_MIN || u > INT64_MAX || u < INT64_MIN)
        return -2;
    out->months = (int32_t)m;
    out->days = (int32_t)d;
    out->usec = (int64_t)u;
    return 0;
}

/* ISO 8601: P[nY][nM][nW][nD][T[nH][nM][nS]] */
static int iso_interval(const char *s, size_t n, SlInterval *iv)
{
    size_t i = 1;
    bool time = false;
    IvAcc a = {0, 0, 0};
    if (n < 2)
        return -1;
    while (i < n) {
        if (s[i] == 'T' || s[i] == 't') {
            if (time)
                return -1;
            time = true;
            i++;
            continue;
        }
        int64_t whole;
        double frac;
        int used = split_number(s + i, n - i, &whole, &frac);
        if (used < 0)
            return used;
        if (used == 0 || i + (size_t)used >= n)
            return -1;
        i += (size_t)used;
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
        if (time != (u == U_HOUR || u == U_MIN || u == U_SEC))
            return -1;
        i++;
        add_unit(&a, u, whole, frac);
    }
    return acc_finish(&a, false, iv);
}

/* [sign]h:mm[:ss[.f]] or mm:ss.f at s[0..n); returns characters used,
 * -1 for bad syntax, -2 for a field out of range. */
static int time_field(const char *s, size_t n, IvAcc *a)
{
    size_t i = 0;
    int sign = 1;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        sign = s[i++] == '-' ? -1 : 1;
    int64_t f[3] = {0, 0, 0};
    int nf = 0;
    double frac = 0;
    for (;;) {
        size_t d0 = i;
        int64_t v = 0;
        while (i < n && isdigit((unsigned char)s[i])) {
            if (v > 999999999999LL)
                return -2;
            v = v * 10 + (s[i] - '0');
            i++;
        }
        if (i == d0)
            return -1;
        f[nf++] = v;
        if (i < n && s[i] == ':' && nf < 3) {
            i++;
            continue;
        }
        break;
    }
    if (nf < 2)
        return -1;
    if (i < n && s[i] == '.') {
        /* a fraction belongs to the seconds: h:m:s.f, or m:s.f */
        char buf[40];
        size_t k = 0;
        buf[k++] = '0';
        buf[k++] = '.';
        i++;
        while (i < n && isdigit((unsigned char)s[i])) {
            if (k < sizeof buf - 1)
                buf[k++] = s[i];
            i++;
        }
        buf[k] = '\0';
        frac = strtod(buf, NULL);
        if (nf == 2) {
            f[2] = f[1];
            f[1] = f[0];
            f[0] = 0;
            nf = 3;
        }
    }
    int64_t h = f[0], m = f[1], sec = f[2];
    if (m > 59 || sec > 60)
        return -2;
    __int128 us = ((__int128)h * 3600 + m * 60 + sec) * 1000000 + (__int128)rint(frac * 1000000.0);
    a->usec += sign * us;
    return (int)i;
}

int sl_interval_parse(const char *s, size_t n, SlInterval *out)
{
    n = trim(&s, n);
    if (n == 0)
        return -1;
    if (s[0] == 'P' || s[0] == 'p')
        return iso_interval(s, n, out);
    IvAcc a = {0, 0, 0};
    size_t i = 0;
    bool any = false, ago = false;
    unsigned seen = 0; /* each unit may appear once, as in PostgreSQL */
    if (s[0] == '@')
        i++;
    while (i < n) {
        while (i < n && isspace((unsigned char)s[i]))
            i++;
        if (i >= n)
            break;
        size_t start = i;
        if (isalpha((unsigned char)s[i])) {
            while (i < n && isalpha((unsigned char)s[i]))
                i++;
            if (word_eq(s + start, i - start, "ago") && !ago) {
                ago = true;
                continue;
            }
            return -1;
        }
        /* a time h:mm[:ss], or a number with an optional unit */
        size_t j = i;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        while (j < n && isdigit((unsigned char)s[j]))
            j++;
        if (j < n && s[j] == ':') {
            unsigned bits = (1u << U_HOUR) | (1u << U_MIN) | (1u << U_SEC);
            if (seen & bits)
                return -1;
            seen |= bits;
            int used = time_field(s + i, n - i, &a);
            if (used < 0)
                return used;
            i += (size_t)used;
            if (i < n && !isspace((unsigned char)s[i]))
                return -1;
            any = true;
            continue;
        }
        int64_t whole;
        double frac;
        int used = split_number(s + i, n - i, &whole, &frac);
        if (used < 0)
            return used;
        if (used == 0)
            return -1;
        i += (size_t)used;
        while (i < n && isspace((unsigned char)s[i]))
            i++;
        size_t ws = i;
        while (i < n && isalpha((unsigned char)s[i]))
            i++;
        Unit u = U_SEC;
        if (i > ws) {
            if (word_eq(s + ws, i - ws, "ago")) {
                i = ws; /* '5 ago': a bare number of seconds, then ago */
            } else {
                u = unit_of(s + ws, i - ws);
                if (u == U_NONE)
                    return -1;
            }
        }
        if (seen & (1u << u))
            return -1;
        seen |= 1u << u;
        add_unit(&a, u, whole, frac);
        any = true;
    }
    if (!any)
        return -1;
    return acc_finish(&a, ago, out);
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
