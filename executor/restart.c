/*
 * restart.c — restart strategies: options, validation, canonical text and
 * the decision taken at each failure (see ex_restart.h, docs/restart.md).
 *
 * One table drives the options: their names, value kinds, ranges, where
 * they live in ExRestartPolicy and which strategies use them. _set,
 * _check and _describe all walk it, so a new option is one row.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ex_restart.h"

/* ------------------------------------------------------------ options */

typedef enum OptKind { OPT_STRATEGY, OPT_INT, OPT_DURATION, OPT_DOUBLE } OptKind;

#define K(kind) (1u << (kind))
#define K_ALL (K(EX_RESTART_NONE) | K(EX_RESTART_FIXED_DELAY) | \
               K(EX_RESTART_FAILURE_RATE) | K(EX_RESTART_EXPONENTIAL_DELAY))

#define MS_PER_DAY INT64_C(86400000)
#define MAX_DURATION_MS (365 * MS_PER_DAY)

typedef struct RestartOpt {
    const char *name;
    OptKind kind;
    size_t offset;       /* of the int64_t or double in ExRestartPolicy */
    double min, max;     /* OPT_INT, OPT_DOUBLE; OPT_DURATION in ms */
    unsigned used_by;    /* K() of the strategies that read it */
} RestartOpt;

#define OFF(f) offsetof(ExRestartPolicy, f)

/* In the order _describe prints them. */
static const RestartOpt restart_opts[] = {
    {"restart_strategy", OPT_STRATEGY, OFF(kind), 0, 0, K_ALL},
    {"restart_attempts", OPT_INT, OFF(restart_attempts), 0, INT32_MAX, K(EX_RESTART_FIXED_DELAY)},
    {"max_failures", OPT_INT, OFF(max_failures), 1, EX_RESTART_MAX_FAILURES,
     K(EX_RESTART_FAILURE_RATE)},
    {"failure_interval", OPT_DURATION, OFF(failure_interval_ms), 1, (double)MAX_DURATION_MS,
     K(EX_RESTART_FAILURE_RATE)},
    {"restart_delay", OPT_DURATION, OFF(restart_delay_ms), 0, (double)MAX_DURATION_MS,
     K(EX_RESTART_FIXED_DELAY) | K(EX_RESTART_FAILURE_RATE)},
    {"initial_delay", OPT_DURATION, OFF(initial_delay_ms), 1, (double)MAX_DURATION_MS,
     K(EX_RESTART_EXPONENTIAL_DELAY)},
    {"max_delay", OPT_DURATION, OFF(max_delay_ms), 1, (double)MAX_DURATION_MS,
     K(EX_RESTART_EXPONENTIAL_DELAY)},
    {"backoff_multiplier", OPT_DOUBLE, OFF(backoff_multiplier), 1, 1000,
     K(EX_RESTART_EXPONENTIAL_DELAY)},
    {"reset_after", OPT_DURATION, OFF(reset_after_ms), 1, (double)MAX_DURATION_MS,
     K(EX_RESTART_EXPONENTIAL_DELAY)},
    {"jitter", OPT_DOUBLE, OFF(jitter), 0, 1, K(EX_RESTART_EXPONENTIAL_DELAY)},
};
#define N_OPTS ((int)(sizeof restart_opts / sizeof restart_opts[0]))

static const char *const strategy_names[] = {
    [EX_RESTART_NONE] = "none",
    [EX_RESTART_FIXED_DELAY] = "fixed-delay",
    [EX_RESTART_FAILURE_RATE] = "failure-rate",
    [EX_RESTART_EXPONENTIAL_DELAY] = "exponential-delay",
};

static int64_t *opt_i64(ExRestartPolicy *p, const RestartOpt *o)
{
    return (int64_t *)(void *)((char *)p + o->offset);
}
static double *opt_f8(ExRestartPolicy *p, const RestartOpt *o)
{
    return (double *)(void *)((char *)p + o->offset);
}
static int64_t opt_get_i64(const ExRestartPolicy *p, const RestartOpt *o)
{
    return *(const int64_t *)(const void *)((const char *)p + o->offset);
}
static double opt_get_f8(const ExRestartPolicy *p, const RestartOpt *o)
{
    return *(const double *)(const void *)((const char *)p + o->offset);
}

void ex_restart_policy_default(ExRestartPolicy *p)
{
    memset(p, 0, sizeof *p);
    p->kind = EX_RESTART_EXPONENTIAL_DELAY;
    p->restart_attempts = 3;
    p->restart_delay_ms = 1000;
    p->max_failures = 3;
    p->failure_interval_ms = 60 * 1000;
    p->initial_delay_ms = 1000;
    p->max_delay_ms = 60 * 1000;
    p->backoff_multiplier = 2.0;
    p->reset_after_ms = 3600 * 1000;
    p->jitter = 0.1;
    p->set_mask = 0;
}

/* ------------------------------------------------------------ value text */

static int bad_value(SlError *err, const RestartOpt *o, const char *fmt, ...)
    SL_PRINTF(3, 4);
static int bad_value(SlError *err, const RestartOpt *o, const char *fmt, ...)
{
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "invalid value for option \"%s\": %s",
                    o->name, why);
}

static const char *trim(const char *s, size_t *len)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    *len = n;
    return s;
}

/* Only digits, at most one '.', optional sign: SQL reads that as seconds. */
static bool is_bare_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    bool digit = false;
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digit = true;
        else if (s[i] != '.')
            return false;
    }
    return digit;
}

static int parse_duration(const RestartOpt *o, const char *value, int64_t *ms, SlError *err)
{
    size_t n;
    const char *s = trim(value, &n);
    if (is_bare_number(s, n)) {
        bad_value(err, o, "\"%s\" has no unit", value);
        sl_error_hint(err, "Write a duration such as '1 s', '500 ms' or '5 minutes'.");
        return -1;
    }
    SlValue v;
    SlError ierr;
    sl_error_clear(&ierr);
    if (n == 0 || sl_value_in(SL_T_INTERVAL, s, n, NULL, &v, &ierr) < 0) {
        bad_value(err, o, "\"%s\" is not an interval", value);
        sl_error_hint(err, "Write a duration such as '1 s', '500 ms' or '5 minutes'.");
        return -1;
    }
    if (v.u.iv.months != 0)
        return bad_value(err, o, "\"%s\" has months or years, whose length varies", value);
    /* days are 24 hours here; |days| < 2^31 and usec fit with room */
    __int128 us = (__int128)v.u.iv.days * MS_PER_DAY * 1000 + v.u.iv.usec;
    if (us < 0)
        return bad_value(err, o, "\"%s\" is negative", value);
    __int128 r = (us + 500) / 1000; /* to the nearest millisecond */
    if (r < (__int128)o->min || r > (__int128)o->max) {
        if (o->min > 0)
            return bad_value(err, o, "\"%s\" is outside the valid range 1 ms .. 365 days", value);
        return bad_value(err, o, "\"%s\" is outside the valid range 0 .. 365 days", value);
    }
    *ms = (int64_t)r;
    return 0;
}

static int parse_int(const RestartOpt *o, const char *value, int64_t *out, SlError *err)
{
    size_t n;
    const char *s = trim(value, &n);
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i == n)
        return bad_value(err, o, "\"%s\" is not an integer", value);
    __int128 v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return bad_value(err, o, "\"%s\" is not an integer", value);
        if (v < ((__int128)1 << 80))
            v = v * 10 + (s[i] - '0');
    }
    if (neg)
        v = -v;
    if (v < (__int128)o->min || v > (__int128)o->max)
        return bad_value(err, o, "%s is outside the valid range %.0f .. %.0f", value, o->min,
                         o->max);
    *out = (int64_t)v;
    return 0;
}

static int parse_double(const RestartOpt *o, const char *value, double *out, SlError *err)
{
    size_t n;
    const char *s = trim(value, &n);
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return bad_value(err, o, "\"%s\" is not a number", value);
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    double v = strtod(buf, &end);
    /* strtod reads "inf", "nan" and hex: refuse what is not decimal */
    if (*end != '\0' || !isfinite(v) || strpbrk(buf, "xXnNiI"))
        return bad_value(err, o, "\"%s\" is not a number", value);
    if (v < o->min || v > o->max)
        return bad_value(err, o, "%s is outside the valid range %g .. %g", value, o->min, o->max);
    *out = v;
    return 0;
}

int ex_restart_policy_set(ExRestartPolicy *p, const char *option, const char *value,
                          SlError *err)
{
    int idx = -1;
    for (int i = 0; i < N_OPTS && option; i++)
        if (strcasecmp(restart_opts[i].name, option) == 0)
            idx = i;
    if (idx < 0)
        return 1;
    const RestartOpt *o = &restart_opts[idx];
    if (!value)
        return bad_value(err, o, "a value is required");

    switch (o->kind) {
    case OPT_STRATEGY: {
        size_t n;
        const char *s = trim(value, &n);
        int kind = -1;
        for (int k = 0; k < (int)(sizeof strategy_names / sizeof strategy_names[0]); k++)
            if (strlen(strategy_names[k]) == n && strncasecmp(strategy_names[k], s, n) == 0)
                kind = k;
        if (kind < 0) {
            bad_value(err, o, "\"%s\" is not a restart strategy", value);
            sl_error_hint(err, "Use 'none', 'fixed-delay', 'failure-rate' or "
                               "'exponential-delay'.");
            return -1;
        }
        p->kind = (ExRestartKind)kind;
        break;
    }
    case OPT_INT: {
        int64_t v = 0;
        if (parse_int(o, value, &v, err) < 0)
            return -1;
        *opt_i64(p, o) = v;
        break;
    }
    case OPT_DURATION: {
        int64_t v = 0;
        if (parse_duration(o, value, &v, err) < 0)
            return -1;
        *opt_i64(p, o) = v;
        break;
    }
    case OPT_DOUBLE: {
        double v = 0;
        if (parse_double(o, value, &v, err) < 0)
            return -1;
        *opt_f8(p, o) = v;
        break;
    }
    }
    p->set_mask |= 1u << idx;
    return 0;
}

/* ------------------------------------------------------------ check */

/* "1 s", "500 ms", "5 min", "2 h", "1 d": the largest unit that divides. */
static void format_duration(int64_t ms, SlBuf *out)
{
    static const struct { int64_t ms; const char *unit; } units[] = {
        {MS_PER_DAY, "d"}, {3600000, "h"}, {60000, "min"}, {1000, "s"}, {1, "ms"}};
    if (ms == 0) {
        sl_buf_puts(out, "0 s");
        return;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (ms % units[i].ms == 0) {
            sl_buf_printf(out, "%lld %s", (long long)(ms / units[i].ms), units[i].unit);
            return;
        }
}

/* The shortest decimal that reads back as the same double. */
static void format_double(double v, SlBuf *out)
{
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    sl_buf_puts(out, buf);
}

int ex_restart_policy_check(const ExRestartPolicy *p, SlError *err)
{
    if ((int)p->kind < EX_RESTART_NONE || p->kind > EX_RESTART_EXPONENTIAL_DELAY)
        return sl_error(err, SL_E_INVALID_PARAMETER_VALUE,
                        "invalid value for option \"restart_strategy\": unknown strategy %d",
                        (int)p->kind);
    const char *strategy = strategy_names[p->kind];
    for (int i = 0; i < N_OPTS; i++) {
        const RestartOpt *o = &restart_opts[i];
        bool used = (o->used_by & K(p->kind)) != 0;
        if (!used) {
            if (p->set_mask & (1u << i)) {
                sl_error(err, SL_E_INVALID_PARAMETER_VALUE,
                         "option \"%s\" does not apply to restart_strategy '%s'", o->name,
                         strategy);
                for (int k = EX_RESTART_FIXED_DELAY; k <= EX_RESTART_EXPONENTIAL_DELAY; k++)
                    if (o->used_by & K(k)) {
                        sl_error_hint(err, "It is an option of restart_strategy '%s'.",
                                      strategy_names[k]);
                        break;
                    }
                return -1;
            }
            continue;
        }
        /* a policy built in C rather than through _set: same ranges */
        SlBuf b;
        sl_buf_init(&b);
        bool bad = false;
        if (o->kind == OPT_INT || o->kind == OPT_DURATION) {
            int64_t v = opt_get_i64(p, o);
            if ((double)v < o->min || (double)v > o->max) {
                bad = true;
                if (o->kind == OPT_DURATION) {
                    if (v < 0)
                        sl_buf_printf(&b, "%lld ms", (long long)v);
                    else
                        format_duration(v, &b);
                } else {
                    sl_buf_printf(&b, "%lld", (long long)v);
                }
            }
        } else if (o->kind == OPT_DOUBLE) {
            double v = opt_get_f8(p, o);
            if (!(v >= o->min && v <= o->max)) {
                bad = true;
                format_double(v, &b);
            }
        }
        if (bad) {
            sl_error(err, SL_E_INVALID_PARAMETER_VALUE,
                     "invalid value for option \"%s\": %s is out of range", o->name,
                     b.data ? b.data : "");
            sl_buf_free(&b);
            return -1;
        }
        sl_buf_free(&b);
    }
    if (p->kind == EX_RESTART_EXPONENTIAL_DELAY && p->initial_delay_ms > p->max_delay_ms) {
        SlBuf a, b;
        sl_buf_init(&a);
        sl_buf_init(&b);
        format_duration(p->initial_delay_ms, &a);
        format_duration(p->max_delay_ms, &b);
        sl_error(err, SL_E_INVALID_PARAMETER_VALUE,
                 "invalid value for option \"initial_delay\": '%s' is greater than "
                 "max_delay '%s'",
                 a.data, b.data);
        sl_buf_free(&a);
        sl_buf_free(&b);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ describe */

void ex_restart_policy_describe(const ExRestartPolicy *p, SlBuf *out)
{
    int kind = ((int)p->kind >= EX_RESTART_NONE && p->kind <= EX_RESTART_EXPONENTIAL_DELAY)
                   ? (int)p->kind
                   : EX_RESTART_NONE;
    bool first = true;
    for (int i = 0; i < N_OPTS; i++) {
        const RestartOpt *o = &restart_opts[i];
        if (!(o->used_by & K(kind)))
            continue;
        sl_buf_printf(out, "%s%s = ", first ? "" : ", ", o->name);
        first = false;
        switch (o->kind) {
        case OPT_STRATEGY:
            sl_buf_printf(out, "'%s'", strategy_names[kind]);
            break;
        case OPT_INT:
            sl_buf_printf(out, "%lld", (long long)opt_get_i64(p, o));
            break;
        case OPT_DURATION:
            sl_buf_putc(out, '\'');
            format_duration(opt_get_i64(p, o), out);
            sl_buf_putc(out, '\'');
            break;
        case OPT_DOUBLE:
            format_double(opt_get_f8(p, o), out);
            break;
        }
    }
}

/* ------------------------------------------------------------ decide */

void ex_restart_state_reset(ExRestartState *s)
{
    /* only the header: the ring's slots are read only below ring_len */
    memset(s, 0, offsetof(ExRestartState, ring));
}

static double uniform01(uint64_t *state)
{
    if (*state == 0)
        *state = UINT64_C(0x9E3779B97F4A7C15);
    uint64_t x = *state; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return (double)((x * UINT64_C(0x2545F4914F6CDD1D)) >> 11) * 0x1.0p-53;
}

/* a negative delay set in C (ex_restart_policy_check refuses it) must not
 * read as "give up" */
static int64_t delay_or_zero(int64_t ms)
{
    return ms > 0 ? ms : 0;
}

static int64_t decide_failure_rate(const ExRestartPolicy *p, ExRestartState *s, int64_t now)
{
    int32_t maxf = (int32_t)(p->max_failures < 1 ? 1
                             : p->max_failures > EX_RESTART_MAX_FAILURES
                                 ? EX_RESTART_MAX_FAILURES
                                 : p->max_failures);
    /* the policy may have been lowered since: keep the newest maxf */
    while (s->ring_len > maxf) {
        s->ring_head = (s->ring_head + 1) % EX_RESTART_MAX_FAILURES;
        s->ring_len--;
    }
    /* with maxf failures kept, this one is the (maxf+1)th: too many if
     * the oldest kept is still within the interval */
    if (s->ring_len == maxf && now - s->ring[s->ring_head] <= p->failure_interval_ms)
        return -1;
    if (s->ring_len == maxf) {
        s->ring_head = (s->ring_head + 1) % EX_RESTART_MAX_FAILURES;
        s->ring_len--;
    }
    s->ring[(s->ring_head + s->ring_len) % EX_RESTART_MAX_FAILURES] = now;
    s->ring_len++;
    return delay_or_zero(p->restart_delay_ms);
}

static int64_t decide_exponential(const ExRestartPolicy *p, ExRestartState *s, int64_t now,
                                  int64_t running_since, uint64_t *rng)
{
    int64_t initial = p->initial_delay_ms > 0 ? p->initial_delay_ms : 1;
    int64_t max = p->max_delay_ms > initial ? p->max_delay_ms : initial;
    int64_t cur;
    if (s->current_delay_ms <= 0 || now - running_since >= p->reset_after_ms) {
        cur = initial;
    } else {
        double mult = p->backoff_multiplier >= 1.0 ? p->backoff_multiplier : 1.0;
        double next = (double)s->current_delay_ms * mult;
        cur = next >= (double)max ? max : (int64_t)llround(next);
    }
    s->current_delay_ms = cur;

    double j = p->jitter > 0.0 ? (p->jitter < 1.0 ? p->jitter : 1.0) : 0.0;
    if (!rng || j == 0.0)
        return cur;
    double u = uniform01(rng) * 2.0 - 1.0; /* [-1, 1) */
    double d = (double)cur + u * j * (double)cur;
    return d <= 0.0 ? 0 : (int64_t)llround(d);
}

int64_t ex_restart_decide(const ExRestartPolicy *p, ExRestartState *s, int64_t now_ms,
                          int64_t running_since_ms, uint64_t *rng)
{
    int64_t delay = -1;
    s->failures++;
    s->last_failure_ms = now_ms;
    s->last_run_started_ms = running_since_ms;
    switch (p->kind) {
    case EX_RESTART_NONE:
        delay = -1;
        break;
    case EX_RESTART_FIXED_DELAY:
        delay = s->attempts < p->restart_attempts ? delay_or_zero(p->restart_delay_ms) : -1;
        break;
    case EX_RESTART_FAILURE_RATE:
        delay = decide_failure_rate(p, s, now_ms);
        break;
    case EX_RESTART_EXPONENTIAL_DELAY:
        delay = decide_exponential(p, s, now_ms, running_since_ms, rng);
        break;
    }
    if (delay >= 0)
        s->attempts++;
    s->last_delay_ms = delay;
    return delay;
}
