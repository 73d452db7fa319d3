/*
 * failpoint.c — named places in the code where a test injects an error, a
 * delay or a crash (docs/failpoints.md).
 *
 * The names are a fixed registry below: a failpoint that the code does not
 * check cannot be armed, and a typo in a test is 42704 rather than a
 * silently ignored arm. The code calls sl_failpoint_hit("name", err) at
 * the place; when nothing is armed, which is always the case in
 * production, that is one relaxed atomic load of `armed_count` and a
 * predictable branch. Only when something is armed does a hit look the
 * name up and take the one mutex, so armed failpoints are a test-only
 * cost.
 *
 * Concurrency: `enabled` and `armed_count` are atomics; everything in the
 * registry entries is protected by `fp_lock`. armed_count is changed only
 * under fp_lock, so it always equals the number of armed entries once the
 * lock is released; a hit that races with an arm may see the old count
 * and skip the check, which is fine (arming is not a barrier for threads
 * already past the check).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sl_common.h"

/* ------------------------------------------------------------ registry */

typedef enum FpKind {
    FP_OFF = 0,
    FP_ERROR,        /* every hit */
    FP_ERROR_N,      /* the next `remaining` hits */
    FP_ERROR_PROB,   /* each hit with probability `prob` */
    FP_SLEEP,        /* every hit */
    FP_SLEEP_N,      /* the next `remaining` hits */
    FP_ABORT
} FpKind;

typedef struct FpSpec {
    FpKind kind;
    int64_t remaining;   /* FP_ERROR_N, FP_SLEEP_N */
    int64_t sleep_ms;    /* FP_SLEEP, FP_SLEEP_N */
    double prob;         /* FP_ERROR_PROB: 0 < prob <= 1 */
    double percent;      /* as written, for the canonical text */
} FpSpec;

typedef struct Failpoint {
    const char *name;
    FpSpec spec;
    int64_t hits;        /* times it took effect since last armed */
    uint64_t rng;        /* FP_ERROR_PROB draws */
} Failpoint;

/* Every failpoint the code checks. Keep docs/failpoints.md in step. */
static Failpoint registry[] = {
    {.name = "stream.source.read"},
    {.name = "executor.aggregate.update"},
    {.name = "executor.project.update"},
    {.name = "executor.exchange.send"},
    {.name = "executor.replay.drain"},
    {.name = "storage.checkpoint.write"},
    {.name = "storage.checkpoint.commit"},
    {.name = "executor.recovery.restore"},
    {.name = "storage.log.append"},
};
#define FP_COUNT ((int)(sizeof registry / sizeof registry[0]))

#define FP_MAX_SLEEP_MS 3600000   /* one hour */

static atomic_bool enabled;
static atomic_int armed_count;
static pthread_mutex_t fp_lock = PTHREAD_MUTEX_INITIALIZER;

static Failpoint *fp_find(const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0; i < FP_COUNT; i++)
        if (strcmp(registry[i].name, name) == 0)
            return &registry[i];
    return NULL;
}

/* Caller holds fp_lock. Keeps armed_count equal to the armed entries. */
static void fp_set(Failpoint *fp, const FpSpec *spec)
{
    bool was = fp->spec.kind != FP_OFF;
    bool now = spec->kind != FP_OFF;
    fp->spec = *spec;
    if (was && !now)
        atomic_fetch_sub_explicit(&armed_count, 1, memory_order_relaxed);
    else if (!was && now)
        atomic_fetch_add_explicit(&armed_count, 1, memory_order_relaxed);
}

/* ------------------------------------------------------------ enable */

void sl_failpoints_enable(bool on)
{
    pthread_mutex_lock(&fp_lock);
    atomic_store(&enabled, on);
    if (!on) {
        FpSpec off = {.kind = FP_OFF};
        for (int i = 0; i < FP_COUNT; i++)
            fp_set(&registry[i], &off);
    }
    pthread_mutex_unlock(&fp_lock);
}

bool sl_failpoints_enabled(void)
{
    return atomic_load(&enabled);
}

/* ------------------------------------------------------------ spec text */

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* A non-negative decimal integer no larger than max. */
static bool parse_count(const char **pp, int64_t max, int64_t *out)
{
    const char *p = skip_ws(*pp);
    if (*p < '0' || *p > '9')
        return false;
    int64_t v = 0;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (*p - '0');
        if (v > max)
            return false;
        p++;
    }
    *out = v;
    *pp = skip_ws(p);
    return true;
}

/* keyword at p (case-insensitive), not followed by a letter */
static bool match_word(const char **pp, const char *word)
{
    size_t n = strlen(word);
    if (strncasecmp(*pp, word, n) != 0)
        return false;
    char c = (*pp)[n];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
        return false;
    *pp = skip_ws(*pp + n);
    return true;
}

static bool parse_spec(const char *text, FpSpec *out)
{
    memset(out, 0, sizeof *out);
    const char *p = skip_ws(text);
    if (match_word(&p, "off")) {
        out->kind = FP_OFF;
    } else if (match_word(&p, "abort")) {
        out->kind = FP_ABORT;
    } else if (match_word(&p, "error")) {
        out->kind = FP_ERROR;
        if (*p == '(') {
            p = skip_ws(p + 1);
            /* error(n) or error(p%): read the number, then look for % */
            const char *num = p;
            while ((*p >= '0' && *p <= '9') || *p == '.')
                p++;
            const char *after = skip_ws(p);
            if (*after == '%') {
                char buf[32];
                size_t n = (size_t)(p - num);
                if (n == 0 || n >= sizeof buf)
                    return false;
                memcpy(buf, num, n);
                buf[n] = '\0';
                char *end;
                double pct = strtod(buf, &end);
                if (*end != '\0' || !(pct > 0.0) || pct > 100.0)
                    return false;
                out->kind = FP_ERROR_PROB;
                out->percent = pct;
                out->prob = pct / 100.0;
                p = skip_ws(after + 1);
            } else {
                p = num;
                if (!parse_count(&p, INT32_MAX, &out->remaining) || out->remaining < 1)
                    return false;
                out->kind = FP_ERROR_N;
            }
            if (*p != ')')
                return false;
            p = skip_ws(p + 1);
        }
    } else if (match_word(&p, "sleep")) {
        if (*p != '(')
            return false;
        p++;
        if (!parse_count(&p, FP_MAX_SLEEP_MS, &out->sleep_ms))
            return false;
        out->kind = FP_SLEEP;
        if (*p == ',') {
            p++;
            if (!parse_count(&p, INT32_MAX, &out->remaining) || out->remaining < 1)
                return false;
            out->kind = FP_SLEEP_N;
        }
        if (*p != ')')
            return false;
        p = skip_ws(p + 1);
    } else {
        return false;
    }
    return *p == '\0';
}

/* Canonical text of a spec; parse_spec reads it back to the same spec. */
static void spec_text(const FpSpec *s, char *buf, size_t size)
{
    switch (s->kind) {
    case FP_OFF: snprintf(buf, size, "off"); break;
    case FP_ERROR: snprintf(buf, size, "error"); break;
    case FP_ERROR_N: snprintf(buf, size, "error(%lld)", (long long)s->remaining); break;
    case FP_ERROR_PROB: snprintf(buf, size, "error(%.15g%%)", s->percent); break;
    case FP_SLEEP: snprintf(buf, size, "sleep(%lld)", (long long)s->sleep_ms); break;
    case FP_SLEEP_N:
        snprintf(buf, size, "sleep(%lld,%lld)", (long long)s->sleep_ms, (long long)s->remaining);
        break;
    case FP_ABORT: snprintf(buf, size, "abort"); break;
    }
}

/* ------------------------------------------------------------ arm */

int sl_failpoint_arm(const char *name, const char *spec, SlError *err)
{
    if (!sl_failpoints_enabled()) {
        sl_error(err, SL_E_INSUFFICIENT_PRIVILEGE, "failpoints are not enabled");
        sl_error_hint(err, "Start sluiced with --enable-failpoints.");
        return -1;
    }
    Failpoint *fp = fp_find(name);
    if (!fp)
        return sl_error(err, SL_E_UNDEFINED_OBJECT, "failpoint \"%s\" does not exist",
                        name ? name : "");
    FpSpec s;
    if (!spec || !parse_spec(spec, &s)) {
        sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "invalid failpoint spec \"%s\"",
                 spec ? spec : "");
        sl_error_hint(err, "Use off, error, error(n), error(p%%), sleep(ms), sleep(ms,n) "
                           "or abort.");
        return -1;
    }
    pthread_mutex_lock(&fp_lock);
    /* enable(false) may have run since the check above: it wins */
    if (!atomic_load(&enabled)) {
        pthread_mutex_unlock(&fp_lock);
        return sl_error(err, SL_E_INSUFFICIENT_PRIVILEGE, "failpoints are not enabled");
    }
    if (s.kind != FP_OFF) {
        fp->hits = 0;
        /* seeded per arm, so each test run draws differently */
        fp->rng = sl_hash_u64((uint64_t)sl_now_usec() ^ (uint64_t)(uintptr_t)fp) | 1;
    }
    fp_set(fp, &s);
    pthread_mutex_unlock(&fp_lock);
    return 0;
}

int sl_failpoint_disarm(const char *name, SlError *err)
{
    return sl_failpoint_arm(name, "off", err);
}

/* ------------------------------------------------------------ hit */

static double fp_uniform(uint64_t *state)
{
    /* xorshift64* */
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53;
}

static void fp_sleep(int64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* The armed path, out of line so that sl_failpoint_hit itself stays a
 * load and a branch. */
static __attribute__((noinline)) int fp_hit_slow(const char *name, SlError *err)
{
    Failpoint *fp = fp_find(name);
    if (!fp)
        return 0;
    pthread_mutex_lock(&fp_lock);
    FpKind kind = fp->spec.kind;
    int64_t sleep_ms = fp->spec.sleep_ms;
    bool fire = false;
    switch (kind) {
    case FP_OFF:
        break;
    case FP_ERROR:
    case FP_SLEEP:
    case FP_ABORT:
        fire = true;
        break;
    case FP_ERROR_N:
    case FP_SLEEP_N:
        fire = true;
        if (--fp->spec.remaining <= 0) {
            FpSpec off = {.kind = FP_OFF};
            fp_set(fp, &off);
        }
        break;
    case FP_ERROR_PROB:
        fire = fp_uniform(&fp->rng) < fp->spec.prob;
        break;
    }
    if (fire)
        fp->hits++;
    pthread_mutex_unlock(&fp_lock);
    if (!fire)
        return 0;

    switch (kind) {
    case FP_SLEEP:
    case FP_SLEEP_N:
        fp_sleep(sleep_ms);
        return 0;
    case FP_ABORT:
        sl_log(SL_LOG_FATAL, "failpoint \"%s\" triggered: aborting", name);
        abort();
    default:
        return sl_error(err, SL_E_SYSTEM_ERROR, "failpoint \"%s\" triggered", name);
    }
}

int sl_failpoint_hit(const char *name, SlError *err)
{
    if (SL_LIKELY(atomic_load_explicit(&armed_count, memory_order_relaxed) == 0))
        return 0;
    return fp_hit_slow(name, err);
}

/* ------------------------------------------------------------ list */

int sl_failpoint_list(int (*fn)(void *ctx, const char *name, const char *spec,
                                int64_t hits),
                      void *ctx)
{
    char specs[FP_COUNT][48];
    int64_t hits[FP_COUNT];
    pthread_mutex_lock(&fp_lock);
    for (int i = 0; i < FP_COUNT; i++) {
        spec_text(&registry[i].spec, specs[i], sizeof specs[i]);
        hits[i] = registry[i].hits;
    }
    pthread_mutex_unlock(&fp_lock);
    for (int i = 0; i < FP_COUNT; i++) {
        int rc = fn(ctx, registry[i].name, specs[i], hits[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}
