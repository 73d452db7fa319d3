/*
 * numeric.c — fixed-point NUMERIC: a signed 128-bit integer scaled by
 * 10^scale, at most 38 significant digits, scale 0..32.
 *
 * Text input and output follow PostgreSQL (the scale written is the scale
 * kept: 1.50 stays 1.50). Division picks its result scale as PostgreSQL's
 * numeric division does: enough for at least 16 significant digits, and
 * never less than either input's scale.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common_int.h"

static const __int128 ten38 = (__int128)10000000000000000000ULL * (__int128)10000000000000000000ULL;

__int128 sl_pow10_i128(int n)
{
    __int128 r = 1;
    while (n-- > 0)
        r *= 10;
    return r;
}

static unsigned __int128 uabs128(__int128 v)
{
    return v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
}

int sl_numeric_ndigits(__int128 v)
{
    unsigned __int128 u = uabs128(v);
    int n = 1;
    while (u >= 10) {
        u /= 10;
        n++;
    }
    return n;
}

bool sl_numeric_fits(__int128 v)
{
    return v < ten38 && v > -ten38;
}

int sl_numeric_overflow(SlError *err)
{
    sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow");
    sl_error_detail(err, "Sluice's numeric holds at most %d significant digits, %d after the "
                         "decimal point.", SL_NUMERIC_MAX_DIGITS, SL_NUMERIC_MAX_SCALE);
    return -1;
}

/* Divide v by 10^n, rounding half away from zero. */
__int128 sl_numeric_round_div(__int128 v, int n)
{
    if (n <= 0)
        return v;
    if (n > 38)
        return 0;
    __int128 d = sl_pow10_i128(n);
    __int128 q = v / d, r = v % d;
    if (r < 0)
        r = -r;
    if (r * 2 >= d)
        q += v < 0 ? -1 : 1;
    return q;
}

/* Rescale v from scale `from` to scale `to`. */
int sl_numeric_rescale(__int128 v, int from, int to, __int128 *out, SlError *err)
{
    if (to >= from) {
        __int128 m = sl_pow10_i128(to - from);
        __int128 r;
        if (to - from > 38 || __builtin_mul_overflow(v, m, &r) || !sl_numeric_fits(r))
            return v == 0 ? (*out = 0, 0) : sl_numeric_overflow(err);
        *out = r;
        return 0;
    }
    *out = sl_numeric_round_div(v, from - to);
    return 0;
}

int sl_numeric_from_int128(__int128 v, int scale, SlValue *out, SlError *err)
{
    if (scale > SL_NUMERIC_MAX_SCALE) {
        v = sl_numeric_round_div(v, scale - SL_NUMERIC_MAX_SCALE);
        scale = SL_NUMERIC_MAX_SCALE;
    }
    if (scale < 0) {
        if (sl_numeric_rescale(v, scale, 0, &v, err) < 0)
            return -1;
        scale = 0;
    }
    if (!sl_numeric_fits(v))
        return sl_numeric_overflow(err);
    *out = sl_val_numeric(v, scale);
    return 0;
}

/* Parse [ws][+-]digits[.digits][e[+-]digits][ws]. The written scale is
 * kept (1.50 stays 1.50); a scale above SL_NUMERIC_MAX_SCALE is rounded
 * half away from zero, once, from all the digits written. Returns -1 with
 * *bad for a syntax error, -1 without it for too many digits. */
int sl_numeric_parse(const char *s, size_t n, __int128 *v, int *scale, bool *bad)
{
    size_t i = 0;
    bool neg = false;
    *bad = false;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    size_t nfrac_total, int_start = i;
    bool any;
    while (i < n && isdigit((unsigned char)s[i]))
        i++;
    size_t int_end = i, frac_start = i, frac_end = i;
    if (i < n && s[i] == '.') {
        i++;
        frac_start = i;
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
        frac_end = i;
    }
    any = int_end > int_start || frac_end > frac_start;
    if (!any) {
        *bad = true;
        return -1;
    }
    nfrac_total = frac_end - frac_start;
    long exp10 = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        bool edig = false;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        while (i < n && isdigit((unsigned char)s[i])) {
            edig = true;
            if (exp10 <= 100000)
                exp10 = exp10 * 10 + (s[i] - '0');
            i++;
        }
        if (!edig || exp10 > 1000) {
            *bad = true;
            return -1;
        }
        if (eneg)
            exp10 = -exp10;
    }
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i != n) {
        *bad = true;
        return -1;
    }
    /* value = D * 10^-sc where D is all the digits written */
    long sc = (long)nfrac_total - exp10;
    long target = sc < 0 ? 0 : sc > SL_NUMERIC_MAX_SCALE ? SL_NUMERIC_MAX_SCALE : sc;
    long drop = sc - target; /* > 0: digits to drop from the right */
    size_t total = (int_end - int_start) + nfrac_total;
    __int128 acc = 0;
    int sig = 0;
    int first_dropped = 0;
    for (size_t k = 0; k < total; k++) {
        char c = k < int_end - int_start ? s[int_start + k] : s[frac_start + k - (int_end - int_start)];
        int d = c - '0';
        if ((long)(total - k) <= drop) {
            if ((long)(total - k) == drop)
                first_dropped = d;
            continue;
        }
        if (acc == 0 && d == 0)
            continue;
        if (++sig > SL_NUMERIC_MAX_DIGITS)
            return -1;
        acc = acc * 10 + d;
    }
    if (first_dropped >= 5)
        acc += 1;
    if (drop < 0) {
        /* a positive exponent beyond the digits: append zeros */
        for (long k = 0; k < -drop; k++) {
            if (acc != 0 && ++sig > SL_NUMERIC_MAX_DIGITS)
                return -1;
            acc *= 10;
        }
    }
    if (!sl_numeric_fits(acc))
        return -1;
    *v = neg ? -acc : acc;
    *scale = (int)target;
    return 0;
}

void sl_numeric_format(__int128 v, int scale, SlBuf *out)
{
    char digits[64];
    int nd = 0;
    unsigned __int128 u = uabs128(v);
    do {
        digits[nd++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    while (nd <= scale)
        digits[nd++] = '0';
    char buf[80];
    int k = 0;
    if (v < 0)
        buf[k++] = '-';
    for (int i = nd - 1; i >= 0; i--) {
        buf[k++] = digits[i];
        if (i == scale && scale > 0)
            buf[k++] = '.';
    }
    sl_buf_append(out, buf, (size_t)k);
}

/* base-10000 weight and first digit of v/10^scale, as PostgreSQL's
 * numeric keeps them; zero has weight 0 and first digit 0. */
static void nbase_weight(__int128 v, int scale, int *weight, int *first)
{
    if (v == 0) {
        *weight = 0;
        *first = 0;
        return;
    }
    int d = sl_numeric_ndigits(v) - scale; /* decimal digits before the point */
    int w = d - 1 >= 0 ? (d - 1) / 4 : -((-(d - 1) + 3) / 4);
    int shift = scale + 4 * w; /* first = |v| / 10^shift */
    unsigned __int128 u = uabs128(v);
    if (shift >= 0) {
        for (int i = 0; i < shift; i++)
            u /= 10;
    } else {
        for (int i = 0; i < -shift; i++)
            u *= 10;
    }
    *weight = w;
    *first = (int)u;
}

int sl_numeric_div_scale(const SlValue *a, const SlValue *b)
{
    int w1, f1, w2, f2;
    nbase_weight(a->u.num, a->scale, &w1, &f1);
    nbase_weight(b->u.num, b->scale, &w2, &f2);
    int qweight = w1 - w2;
    if (f1 <= f2)
        qweight--;
    int rscale = 16 - qweight * 4;
    if (rscale < a->scale)
        rscale = a->scale;
    if (rscale < b->scale)
        rscale = b->scale;
    if (rscale < 0)
        rscale = 0;
    if (rscale > SL_NUMERIC_MAX_SCALE)
        rscale = SL_NUMERIC_MAX_SCALE;
    return rscale;
}

/* q = round(x / y * 10^k), x, y integers, y != 0, half away from zero. */
static int div_scaled(__int128 x, __int128 y, int k, __int128 *q, SlError *err)
{
    bool neg = (x < 0) != (y < 0);
    unsigned __int128 ux = uabs128(x), uy = uabs128(y);
    unsigned __int128 limit = (unsigned __int128)ten38;
    if (k < 0) {
        /* divide by y * 10^-k */
        for (int i = 0; i < -k; i++) {
            if (uy > limit * 10) {
                *q = 0;
                return 0;
            }
            uy *= 10;
        }
        k = 0;
    }
    unsigned __int128 qq = ux / uy, r = ux % uy;
    for (int i = 0; i < k; i++) {
        /* r < uy <= 10^38 < 2^127, so r * 10 may exceed 2^128 only when
         * uy > 3.4e37: do the step in two halves then */
        unsigned __int128 r10;
        unsigned __int128 digit;
        if (r <= ((unsigned __int128)-1) / 10) {
            r10 = r * 10;
            digit = r10 / uy;
            r = r10 % uy;
        } else {
            /* r*10 = r*8 + r*2; compute digit by repeated subtraction */
            digit = 0;
            unsigned __int128 acc = r;
            unsigned __int128 rem = 0;
            for (int j = 0; j < 10; j++) {
                /* rem += r, keeping rem < uy */
                if (rem >= uy - acc) {
                    rem = rem - (uy - acc);
                    digit++;
                } else {
                    rem += acc;
                }
            }
            r = rem;
        }
        if (qq > limit)
            return sl_numeric_overflow(err);
        qq = qq * 10 + digit;
    }
    /* rounding: compare 2r with uy without overflow */
    if (r >= uy - r)
        qq++;
    if (qq >= limit)
        return sl_numeric_overflow(err);
    *q = neg ? -(__int128)qq : (__int128)qq;
    return 0;
}

int sl_numeric_div(const SlValue *a, const SlValue *b, SlValue *out, SlError *err)
{
    if (b->u.num == 0)
        return sl_error(err, SL_E_DIVISION_BY_ZERO, "division by zero");
    int rscale = sl_numeric_div_scale(a, b);
    /* value = (a/10^sa) / (b/10^sb) = (a/b) * 10^(sb-sa); want * 10^rscale */
    __int128 q;
    if (div_scaled(a->u.num, b->u.num, rscale - a->scale + b->scale, &q, err) < 0)
        return -1;
    *out = sl_val_numeric(q, rscale);
    return 0;
}

/* Integer division helper used by mod: a - trunc(a/b)*b at max scale. */
int sl_numeric_mod(const SlValue *a, const SlValue *b, SlValue *out, SlError *err)
{
    if (b->u.num == 0)
        return sl_error(err, SL_E_DIVISION_BY_ZERO, "division by zero");
    int s = a->scale > b->scale ? a->scale : b->scale;
    __int128 x, y;
    if (sl_numeric_rescale(a->u.num, a->scale, s, &x, err) < 0 ||
        sl_numeric_rescale(b->u.num, b->scale, s, &y, err) < 0)
        return -1;
    *out = sl_val_numeric(x % y, s);
    return 0;
}

/* Binary (PostgreSQL's base-10000) form. */
void sl_numeric_send(__int128 v, int scale, SlBuf *out)
{
    /* integer part groups and fraction groups of 4 decimal digits */
    unsigned __int128 u = uabs128(v);
    int fracgroups = (scale + 3) / 4;
    /* scale the value so the fraction is a whole number of groups */
    int pad = fracgroups * 4 - scale;
    /* u * 10^pad may overflow 128 bits only beyond 38+3 digits: use two parts */
    unsigned __int128 ip = u, fp = 0;
    unsigned __int128 p10 = 1;
    for (int i = 0; i < scale; i++)
        p10 *= 10;
    ip = u / p10;
    fp = u % p10;
    for (int i = 0; i < pad; i++)
        fp *= 10;
    int16_t groups[24];
    int ng = 0;
    /* fraction groups, most significant first */
    int16_t fg[12];
    for (int i = fracgroups - 1; i >= 0; i--) {
        fg[i] = (int16_t)(fp % 10000);
        fp /= 10000;
    }
    int16_t ig[12];
    int nig = 0;
    while (ip) {
        ig[nig++] = (int16_t)(ip % 10000);
        ip /= 10000;
    }
    for (int i = nig - 1; i >= 0; i--)
        groups[ng++] = ig[i];
    for (int i = 0; i < fracgroups; i++)
        groups[ng++] = fg[i];
    int weight = nig - 1;
    /* strip leading zero groups (adjusting weight) and trailing zero groups */
    int start = 0;
    while (start < ng && groups[start] == 0) {
        start++;
        weight--;
    }
    int end = ng;
    while (end > start && groups[end - 1] == 0)
        end--;
    if (start == end)
        weight = 0;
    sl_buf_put_i16(out, (int16_t)(end - start));
    sl_buf_put_i16(out, (int16_t)weight);
    sl_buf_put_i16(out, (int16_t)(v < 0 ? 0x4000 : 0));
    sl_buf_put_i16(out, (int16_t)scale);
    for (int i = start; i < end; i++)
        sl_buf_put_i16(out, groups[i]);
}

static int16_t rd16(const unsigned char *p)
{
    return (int16_t)((p[0] << 8) | p[1]);
}

int sl_numeric_recv(const char *data, size_t len, SlValue *out, SlError *err)
{
    const unsigned char *p = (const unsigned char *)data;
    if (len < 8)
        return sl_error(err, SL_E_INVALID_BINARY_REPRESENTATION, "insufficient data left in message");
    int nd = rd16(p), weight = rd16(p + 2), sign = (uint16_t)rd16(p + 4), dscale = rd16(p + 6);
    if (nd < 0 || len != 8 + (size_t)nd * 2)
        return sl_error(err, SL_E_INVALID_BINARY_REPRESENTATION, "invalid length in external \"numeric\" value");
    if (sign == 0xC000 || sign == 0xD000 || sign == 0xF000)
        return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "numeric NaN and infinity are not supported");
    if (sign != 0 && sign != 0x4000)
        return sl_error(err, SL_E_INVALID_BINARY_REPRESENTATION, "invalid sign in external \"numeric\" value");
    if (dscale < 0 || dscale > 1000)
        return sl_error(err, SL_E_INVALID_BINARY_REPRESENTATION, "invalid scale in external \"numeric\" value");
    /* The digits written out in decimal, then value * 10^dscale as a
     * string of digits (digits beyond dscale are truncated, as
     * PostgreSQL's numeric_recv does); the text parser then applies
     * Sluice's limits (38 digits, scale 32 with rounding). */
    char digits[1100];
    size_t k = 0;
    bool nonzero = false;
    for (int i = 0; i < nd; i++) {
        int d = rd16(p + 8 + 2 * i);
        if (d < 0 || d > 9999)
            return sl_error(err, SL_E_INVALID_BINARY_REPRESENTATION,
                            "invalid digit in external \"numeric\" value");
        if (d)
            nonzero = true;
        if (!nonzero)
            continue; /* leading zero groups */
        if (k + 4 >= sizeof digits)
            return sl_numeric_overflow(err);
        digits[k++] = (char)('0' + d / 1000);
        digits[k++] = (char)('0' + d / 100 % 10);
        digits[k++] = (char)('0' + d / 10 % 10);
        digits[k++] = (char)('0' + d % 10);
    }
    int target = dscale > SL_NUMERIC_MAX_SCALE ? SL_NUMERIC_MAX_SCALE : dscale;
    if (!nonzero) {
        *out = sl_val_numeric(0, target);
        return 0;
    }
    /* the last group's power of 10: value = digits * 10^e10 */
    long e10 = 4L * (weight - nd + 1);
    long shift = e10 + dscale; /* digits * 10^shift = value * 10^dscale */
    if (shift >= 0) {
        if ((long)k + shift >= (long)sizeof digits - 1)
            return sl_numeric_overflow(err);
        for (long z = 0; z < shift; z++)
            digits[k++] = '0';
    } else {
        k = (long)k + shift > 0 ? (size_t)((long)k + shift) : 0;
    }
    if (k == 0) {
        *out = sl_val_numeric(0, target);
        return 0;
    }
    digits[k] = '\0';
    char text[1120];
    int n = snprintf(text, sizeof text, "%se-%d", digits, dscale);
    __int128 v;
    int scale;
    bool bad;
    if (n < 0 || (size_t)n >= sizeof text || sl_numeric_parse(text, (size_t)n, &v, &scale, &bad) < 0)
        return sl_numeric_overflow(err);
    *out = sl_val_numeric(sign == 0x4000 ? -v : v, scale);
    return 0;
}

double sl_numeric_to_double(__int128 v, int scale)
{
    /* exact fast path: both operands are exact doubles, and IEEE division
     * rounds correctly */
    static const double exact_pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                         1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (scale >= 0 && scale <= 22 && v <= ((__int128)1 << 53) && v >= -((__int128)1 << 53))
        return (double)(int64_t)v / exact_pow10[scale];
    /* through the decimal text, as PostgreSQL's numeric_float8 does, so the
     * result is the correctly rounded double */
    char buf[80];
    char digits[48];
    int nd = 0;
    unsigned __int128 u = uabs128(v);
    do {
        digits[nd++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    int k = 0;
    if (v < 0)
        buf[k++] = '-';
    while (nd > 0)
        buf[k++] = digits[--nd];
    k += snprintf(buf + k, sizeof buf - (size_t)k, "e-%d", scale);
    return strtod(buf, NULL);
}

/* ------------------------------------------------------ multiplication */

/* A 256-bit unsigned number as four 64-bit limbs, least significant first. */
typedef struct U256 {
    uint64_t w[4];
} U256;

static U256 u256_mul(unsigned __int128 a, unsigned __int128 b)
{
    uint64_t a0 = (uint64_t)a, a1 = (uint64_t)(a >> 64);
    uint64_t b0 = (uint64_t)b, b1 = (uint64_t)(b >> 64);
    unsigned __int128 p00 = (unsigned __int128)a0 * b0, p01 = (unsigned __int128)a0 * b1;
    unsigned __int128 p10 = (unsigned __int128)a1 * b0, p11 = (unsigned __int128)a1 * b1;
    U256 r;
    r.w[0] = (uint64_t)p00;
    unsigned __int128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
    r.w[1] = (uint64_t)mid;
    unsigned __int128 hi = (mid >> 64) + (p01 >> 64) + (p10 >> 64) + (uint64_t)p11;
    r.w[2] = (uint64_t)hi;
    r.w[3] = (uint64_t)((hi >> 64) + (p11 >> 64));
    return r;
}

/* x /= d; returns the remainder. */
static uint64_t u256_div_small(U256 *x, uint64_t d)
{
    unsigned __int128 rem = 0;
    for (int i = 3; i >= 0; i--) {
        unsigned __int128 cur = (rem << 64) | x->w[i];
        x->w[i] = (uint64_t)(cur / d);
        rem = cur % d;
    }
    return (uint64_t)rem;
}

static void u256_add_small(U256 *x, uint64_t v)
{
    for (int i = 0; i < 4 && v; i++) {
        uint64_t before = x->w[i];
        x->w[i] += v;
        v = x->w[i] < before ? 1 : 0;
    }
}

int sl_numeric_mul(const SlValue *a, const SlValue *b, SlValue *out, SlError *err)
{
    if (a->scale + b->scale <= SL_NUMERIC_MAX_SCALE && a->u.num >= INT64_MIN && a->u.num <= INT64_MAX &&
        b->u.num >= INT64_MIN && b->u.num <= INT64_MAX) {
        /* both fit 64 bits: the product is exact in 128 (|p| <= 2^126 <
         * 10^38), the common case (a price times a rate) */
        *out = sl_val_numeric((__int128)(int64_t)a->u.num * (__int128)(int64_t)b->u.num, a->scale + b->scale);
        return 0;
    }
    bool neg = (a->u.num < 0) != (b->u.num < 0);
    U256 p = u256_mul(uabs128(a->u.num), uabs128(b->u.num));
    int scale = a->scale + b->scale;
    if (scale > SL_NUMERIC_MAX_SCALE) {
        /* drop digits, rounding half away from zero on the last one */
        int drop = scale - SL_NUMERIC_MAX_SCALE;
        for (int i = 0; i < drop - 1; i++)
            u256_div_small(&p, 10);
        if (u256_div_small(&p, 10) >= 5)
            u256_add_small(&p, 1);
        scale = SL_NUMERIC_MAX_SCALE;
    }
    if (p.w[3] || p.w[2])
        return sl_numeric_overflow(err);
    unsigned __int128 u = ((unsigned __int128)p.w[1] << 64) | p.w[0];
    if (u >= (unsigned __int128)ten38)
        return sl_numeric_overflow(err);
    __int128 v = neg ? -(__int128)u : (__int128)u;
    *out = sl_val_numeric(v, scale);
    return 0;
}
