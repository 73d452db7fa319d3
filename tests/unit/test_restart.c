/*
 * test_restart.c — restart strategies (executor/restart.c: options,
 * validation, canonical text, decisions over sequences of failure times)
 * and failpoints (common/failpoint.c: arming, specs, hit counts,
 * probability, threads, abort).
 */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "sl_common.h"
#include "ex_restart.h"
#include "unit.h"

/* ------------------------------------------------------------ helpers */

static const char *sqlstate(const SlError *e)
{
    return sl_errcode_sqlstate(e->code);
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A policy from "name=value;name=value" on top of the defaults; asserts
 * every option is accepted and the result passes _check. */
static ExRestartPolicy policy(const char *opts)
{
    ExRestartPolicy p;
    ex_restart_policy_default(&p);
    char *copy = strdup(opts), *save = NULL;
    for (char *kv = strtok_r(copy, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(kv, '=');
        CU_ASSERT_FATAL(eq != NULL);
        *eq = '\0';
        SlError err;
        sl_error_clear(&err);
        int rc = ex_restart_policy_set(&p, kv, eq + 1, &err);
        if (rc != 0)
            fprintf(stderr, "\n%s=%s: %d %s %s\n", kv, eq + 1, rc, sqlstate(&err), err.message);
        CU_ASSERT_EQUAL(rc, 0);
    }
    free(copy);
    SlError err;
    sl_error_clear(&err);
    int rc = ex_restart_policy_check(&p, &err);
    if (rc != 0)
        fprintf(stderr, "\ncheck %s: %s\n", opts, err.message);
    CU_ASSERT_EQUAL(rc, 0);
    return p;
}

static char desc_buf[1024];
static const char *describe(const ExRestartPolicy *p)
{
    SlBuf b;
    sl_buf_init(&b);
    ex_restart_policy_describe(p, &b);
    snprintf(desc_buf, sizeof desc_buf, "%s", b.data ? b.data : "");
    sl_buf_free(&b);
    return desc_buf;
}

/* Sets one option expecting failure; returns the message (static). */
static char msg_buf[600];
static const char *set_error(const char *option, const char *value)
{
    ExRestartPolicy p;
    ex_restart_policy_default(&p);
    SlError err;
    sl_error_clear(&err);
    int rc = ex_restart_policy_set(&p, option, value, &err);
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_STRING_EQUAL(sqlstate(&err), "22023");
    snprintf(msg_buf, sizeof msg_buf, "%s", err.message);
    return msg_buf;
}

/* ------------------------------------------------------------ policies */

static void test_defaults(void)
{
    ExRestartPolicy p;
    ex_restart_policy_default(&p);
    CU_ASSERT_EQUAL(p.kind, EX_RESTART_EXPONENTIAL_DELAY);
    CU_ASSERT_EQUAL(p.initial_delay_ms, 1000);
    CU_ASSERT_EQUAL(p.max_delay_ms, 60000);
    CU_ASSERT_EQUAL(p.backoff_multiplier, 2.0);
    CU_ASSERT_EQUAL(p.reset_after_ms, 3600000);
    CU_ASSERT_EQUAL(p.jitter, 0.1);
    CU_ASSERT_EQUAL(ex_restart_policy_check(&p, NULL), 0);
    CU_ASSERT_STRING_EQUAL(describe(&p),
                           "restart_strategy = 'exponential-delay', initial_delay = '1 s', "
                           "max_delay = '1 min', backoff_multiplier = 2, reset_after = '1 h', "
                           "jitter = 0.1");
    /* choosing a strategy alone is enough: its fields have defaults */
    p = policy("restart_strategy=fixed-delay");
    CU_ASSERT_STRING_EQUAL(describe(&p),
                           "restart_strategy = 'fixed-delay', restart_attempts = 3, "
                           "restart_delay = '1 s'");
    p = policy("restart_strategy=failure-rate");
    CU_ASSERT_STRING_EQUAL(describe(&p),
                           "restart_strategy = 'failure-rate', max_failures = 3, "
                           "failure_interval = '1 min', restart_delay = '1 s'");
    p = policy("restart_strategy=none");
    CU_ASSERT_STRING_EQUAL(describe(&p), "restart_strategy = 'none'");
}

static void test_option_values(void)
{
    ExRestartPolicy p;
    p = policy("restart_strategy= Fixed-Delay ;RESTART_ATTEMPTS= 7 ;restart_delay=500 ms");
    CU_ASSERT_EQUAL(p.kind, EX_RESTART_FIXED_DELAY);
    CU_ASSERT_EQUAL(p.restart_attempts, 7);
    CU_ASSERT_EQUAL(p.restart_delay_ms, 500);

    static const struct { const char *text; int64_t ms; } durations[] = {
        {"1 s", 1000},        {"500 ms", 500},         {"5 minutes", 300000},
        {"00:01:00", 60000},  {"1 h", 3600000},        {"2 days", 172800000},
        {"1 week", 604800000}, {"1.5 ms", 2},          {"0 s", 0},
        {"1 hour 30 min", 5400000}, {"  10 seconds  ", 10000}, {"365 days", 31536000000},
    };
    for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++) {
        ex_restart_policy_default(&p);
        CU_ASSERT_EQUAL(ex_restart_policy_set(&p, "restart_delay", durations[i].text, NULL), 0);
        CU_ASSERT_EQUAL(p.restart_delay_ms, durations[i].ms);
    }
    p = policy("restart_strategy=failure-rate;max_failures=1024;failure_interval=5 minutes");
    CU_ASSERT_EQUAL(p.max_failures, 1024);
    CU_ASSERT_EQUAL(p.failure_interval_ms, 300000);
    p = policy("backoff_multiplier=1.5;jitter=0;initial_delay=100ms;max_delay=1 s;reset_after=1 d");
    CU_ASSERT_EQUAL(p.backoff_multiplier, 1.5);
    CU_ASSERT_EQUAL(p.jitter, 0.0);
    CU_ASSERT_EQUAL(p.initial_delay_ms, 100);
    CU_ASSERT_EQUAL(p.reset_after_ms, 86400000);

    /* not a restart option: 1, nothing touched */
    ExRestartPolicy before;
    ex_restart_policy_default(&p);
    before = p;
    SlError err;
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(ex_restart_policy_set(&p, "checkpoint_interval", "1 s", &err), 1);
    CU_ASSERT_EQUAL(ex_restart_policy_set(&p, "restart", "none", &err), 1);
    CU_ASSERT_EQUAL(err.code, SL_E_OK);
    CU_ASSERT_EQUAL(memcmp(&p, &before, sizeof p), 0);
}

static void test_option_errors(void)
{
    static const struct { const char *option, *value, *message; } cases[] = {
        {"restart_strategy", "sometimes",
         "invalid value for option \"restart_strategy\": \"sometimes\" is not a restart strategy"},
        {"restart_strategy", "", "invalid value for option \"restart_strategy\": \"\" is not a restart strategy"},
        {"restart_delay", "abc", "invalid value for option \"restart_delay\": \"abc\" is not an interval"},
        {"restart_delay", "", "invalid value for option \"restart_delay\": \"\" is not an interval"},
        {"restart_delay", "1000", "invalid value for option \"restart_delay\": \"1000\" has no unit"},
        {"restart_delay", "-1 s", "invalid value for option \"restart_delay\": \"-1 s\" is negative"},
        {"failure_interval", "1 mon",
         "invalid value for option \"failure_interval\": \"1 mon\" has months or years, whose length varies"},
        {"max_delay", "400 days",
         "invalid value for option \"max_delay\": \"400 days\" is outside the valid range 1 ms .. 365 days"},
        {"initial_delay", "0 s",
         "invalid value for option \"initial_delay\": \"0 s\" is outside the valid range 1 ms .. 365 days"},
        {"reset_after", "0.1 ms",
         "invalid value for option \"reset_after\": \"0.1 ms\" is outside the valid range 1 ms .. 365 days"},
        {"restart_attempts", "x", "invalid value for option \"restart_attempts\": \"x\" is not an integer"},
        {"restart_attempts", "3.5", "invalid value for option \"restart_attempts\": \"3.5\" is not an integer"},
        {"restart_attempts", "-1",
         "invalid value for option \"restart_attempts\": -1 is outside the valid range 0 .. 2147483647"},
        {"restart_attempts", "99999999999999999999999999",
         "invalid value for option \"restart_attempts\": 99999999999999999999999999 is outside the valid range 0 .. 2147483647"},
        {"max_failures", "0", "invalid value for option \"max_failures\": 0 is outside the valid range 1 .. 1024"},
        {"max_failures", "1025", "invalid value for option \"max_failures\": 1025 is outside the valid range 1 .. 1024"},
        {"backoff_multiplier", "0.5",
         "invalid value for option \"backoff_multiplier\": 0.5 is outside the valid range 1 .. 1000"},
        {"backoff_multiplier", "nan", "invalid value for option \"backoff_multiplier\": \"nan\" is not a number"},
        {"backoff_multiplier", "inf", "invalid value for option \"backoff_multiplier\": \"inf\" is not a number"},
        {"backoff_multiplier", "0x10", "invalid value for option \"backoff_multiplier\": \"0x10\" is not a number"},
        {"jitter", "1.5", "invalid value for option \"jitter\": 1.5 is outside the valid range 0 .. 1"},
        {"jitter", "-0.1", "invalid value for option \"jitter\": -0.1 is outside the valid range 0 .. 1"},
        {"jitter", "", "invalid value for option \"jitter\": \"\" is not a number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *m = set_error(cases[i].option, cases[i].value);
        if (strcmp(m, cases[i].message) != 0)
            fprintf(stderr, "\n%s = '%s': got   %s\n  want %s\n", cases[i].option,
                    cases[i].value, m, cases[i].message);
        CU_ASSERT_STRING_EQUAL(m, cases[i].message);
    }
    /* a failed set leaves the policy as it was */
    ExRestartPolicy p, before;
    ex_restart_policy_default(&p);
    before = p;
    CU_ASSERT_EQUAL(ex_restart_policy_set(&p, "jitter", "2", NULL), -1);
    CU_ASSERT_EQUAL(memcmp(&p, &before, sizeof p), 0);
}

static void check_error(const char *opts, const char *message)
{
    ExRestartPolicy p;
    ex_restart_policy_default(&p);
    char *copy = strdup(opts), *save = NULL;
    for (char *kv = strtok_r(copy, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(kv, '=');
        *eq = '\0';
        CU_ASSERT_EQUAL(ex_restart_policy_set(&p, kv, eq + 1, NULL), 0);
    }
    free(copy);
    SlError err;
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(ex_restart_policy_check(&p, &err), -1);
    CU_ASSERT_STRING_EQUAL(sqlstate(&err), "22023");
    if (strcmp(err.message, message) != 0)
        fprintf(stderr, "\n%s: got %s\n", opts, err.message);
    CU_ASSERT_STRING_EQUAL(err.message, message);
}

static void test_check(void)
{
    check_error("initial_delay=5 min;max_delay=1 min",
                "invalid value for option \"initial_delay\": '5 min' is greater than max_delay '1 min'");
    check_error("restart_attempts=3",
                "option \"restart_attempts\" does not apply to restart_strategy 'exponential-delay'");
    check_error("restart_strategy=fixed-delay;max_failures=3",
                "option \"max_failures\" does not apply to restart_strategy 'fixed-delay'");
    check_error("restart_strategy=none;restart_delay=1 s",
                "option \"restart_delay\" does not apply to restart_strategy 'none'");
    check_error("jitter=0.2;restart_strategy=failure-rate",
                "option \"jitter\" does not apply to restart_strategy 'failure-rate'");

    SlError err;
    sl_error_clear(&err);
    ExRestartPolicy p = policy("restart_attempts=1;restart_strategy=fixed-delay");
    CU_ASSERT_EQUAL(ex_restart_policy_check(&p, &err), 0);
    /* the hint names the strategy the option belongs to */
    ex_restart_policy_default(&p);
    ex_restart_policy_set(&p, "max_failures", "2", NULL);
    CU_ASSERT_EQUAL(ex_restart_policy_check(&p, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.hint, "It is an option of restart_strategy 'failure-rate'.");

    /* policies built in C get the same ranges */
    ex_restart_policy_default(&p);
    p.backoff_multiplier = 0.5;
    CU_ASSERT_EQUAL(ex_restart_policy_check(&p, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message,
                           "invalid value for option \"backoff_multiplier\": 0.5 is out of range");
    ex_restart_policy_default(&p);
    p.kind = EX_RESTART_FIXED_DELAY;
    p.restart_delay_ms = -5;
    CU_ASSERT_EQUAL(ex_restart_policy_check(&p, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message,
                           "invalid value for option \"restart_delay\": -5 ms is out of range");
    ex_restart_policy_default(&p);
    p.jitter = NAN;
    CU_ASSERT_EQUAL(ex_restart_policy_check(&p, &err), -1);
    CU_ASSERT(starts_with(err.message, "invalid value for option \"jitter\""));
}

/* describe, then feed every `name = value` back through _set */
static void roundtrip(const ExRestartPolicy *p)
{
    char text[1024];
    snprintf(text, sizeof text, "%s", describe(p));
    ExRestartPolicy q;
    ex_restart_policy_default(&q);
    char *save = NULL;
    for (char *kv = strtok_r(text, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        while (*kv == ' ')
            kv++;
        char *eq = strstr(kv, " = ");
        CU_ASSERT_FATAL(eq != NULL);
        *eq = '\0';
        char *value = eq + 3;
        size_t n = strlen(value);
        if (n >= 2 && value[0] == '\'' && value[n - 1] == '\'') {
            value[n - 1] = '\0';
            value++;
        }
        SlError err;
        sl_error_clear(&err);
        CU_ASSERT_EQUAL(ex_restart_policy_set(&q, kv, value, &err), 0);
    }
    CU_ASSERT_EQUAL(ex_restart_policy_check(&q, NULL), 0);
    char first[1024];
    snprintf(first, sizeof first, "%s", describe(p));
    CU_ASSERT_STRING_EQUAL(describe(&q), first);
}

static void test_describe_roundtrip(void)
{
    ExRestartPolicy p;
    ex_restart_policy_default(&p);
    roundtrip(&p);
    p = policy("restart_strategy=fixed-delay;restart_attempts=0;restart_delay=0 s");
    CU_ASSERT_STRING_EQUAL(describe(&p),
                           "restart_strategy = 'fixed-delay', restart_attempts = 0, restart_delay = '0 s'");
    roundtrip(&p);
    p = policy("restart_strategy=failure-rate;max_failures=5;failure_interval=5 minutes;"
               "restart_delay=1 s");
    CU_ASSERT_STRING_EQUAL(describe(&p), "restart_strategy = 'failure-rate', max_failures = 5, "
                                         "failure_interval = '5 min', restart_delay = '1 s'");
    roundtrip(&p);
    p = policy("initial_delay=1500 ms;max_delay=90 min;backoff_multiplier=1.25;"
               "reset_after=36 h;jitter=0.333");
    CU_ASSERT_STRING_EQUAL(describe(&p),
                           "restart_strategy = 'exponential-delay', initial_delay = '1500 ms', "
                           "max_delay = '90 min', backoff_multiplier = 1.25, "
                           "reset_after = '36 h', jitter = 0.333");
    roundtrip(&p);
    p = policy("initial_delay=00:00:01.001;max_delay=2 days;backoff_multiplier=1.1;jitter=1");
    roundtrip(&p);
    p = policy("restart_strategy=none");
    roundtrip(&p);
    /* awkward doubles still read back exactly */
    ex_restart_policy_default(&p);
    p.backoff_multiplier = 1.0 + 1e-15;
    p.jitter = 1.0 / 3.0;
    roundtrip(&p);
}

/* ------------------------------------------------------------ decisions */

static void test_decide_none(void)
{
    ExRestartPolicy p = policy("restart_strategy=none");
    ExRestartState s;
    ex_restart_state_reset(&s);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 1000, 0, NULL), -1);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 2000000, 1000, NULL), -1);
    CU_ASSERT_EQUAL(s.failures, 2);
    CU_ASSERT_EQUAL(s.attempts, 0);
}

static void test_decide_fixed_delay(void)
{
    ExRestartPolicy p = policy("restart_strategy=fixed-delay;restart_attempts=3;restart_delay=2 s");
    ExRestartState s;
    ex_restart_state_reset(&s);
    /* three restarts however far apart the failures are, then FAILED */
    int64_t times[] = {1000, 5000, 10000000, 20000000, 30000000};
    int64_t want[] = {2000, 2000, 2000, -1, -1};
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, times[i], times[i] - 500, NULL), want[i]);
    CU_ASSERT_EQUAL(s.attempts, 3);
    CU_ASSERT_EQUAL(s.failures, 5);
    CU_ASSERT_EQUAL(s.last_delay_ms, -1);
    /* a user RESUME starts over */
    ex_restart_state_reset(&s);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 40000000, 39000000, NULL), 2000);

    p = policy("restart_strategy=fixed-delay;restart_attempts=0");
    ex_restart_state_reset(&s);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 1, 0, NULL), -1);
}

static void test_decide_failure_rate(void)
{
    ExRestartPolicy p = policy("restart_strategy=failure-rate;max_failures=2;"
                               "failure_interval=60 s;restart_delay=500 ms");
    ExRestartState s;
    /* a third failure within a minute gives up */
    ex_restart_state_reset(&s);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 0, 0, NULL), 500);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 10000, 0, NULL), 500);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 20000, 0, NULL), -1);

    /* failures spread out never give up */
    ex_restart_state_reset(&s);
    for (int i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, (int64_t)i * 30001, 0, NULL), 500);

    /* the window slides: 0, 10 s, 70 s are fine (0 is 70 s old), then
     * 75 s (oldest kept 10 s, 65 s old) is fine, 80 s is the third of
     * 70, 75, 80 within a minute */
    ex_restart_state_reset(&s);
    int64_t times[] = {0, 10000, 70000, 75000, 80000};
    int64_t want[] = {500, 500, 500, 500, -1};
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, times[i], 0, NULL), want[i]);

    /* a failure exactly failure_interval old still counts */
    ex_restart_state_reset(&s);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 0, 0, NULL), 500);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 1, 0, NULL), 500);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 60000, 0, NULL), -1);
    ex_restart_state_reset(&s);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 0, 0, NULL), 500);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 1, 0, NULL), 500);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 60001, 0, NULL), 500);

    /* max_failures = 1: one restart per interval */
    p = policy("restart_strategy=failure-rate;max_failures=1;failure_interval=10 s;restart_delay=0 s");
    ex_restart_state_reset(&s);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 0, 0, NULL), 0);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 10001, 0, NULL), 0);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 15000, 0, NULL), -1);

    /* the largest ring: 1024 failures in a burst pass, the 1025th fails;
     * and the ring wraps correctly over many more spread-out failures */
    p = policy("restart_strategy=failure-rate;max_failures=1024;failure_interval=1 s");
    ex_restart_state_reset(&s);
    for (int i = 0; i < 1024; i++)
        CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 100000 + i / 2, 0, NULL), 1000);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 100000 + 512, 0, NULL), -1);
    ex_restart_state_reset(&s);
    int gave_up = 0;
    for (int i = 0; i < 5000; i++) /* 1000 a second: never more than 1024 in one */
        gave_up += ex_restart_decide(&p, &s, (int64_t)i, 0, NULL) < 0;
    CU_ASSERT_EQUAL(gave_up, 0);

    /* lowering max_failures afterwards keeps the newest failures */
    p = policy("restart_strategy=failure-rate;max_failures=5;failure_interval=1 min");
    ex_restart_state_reset(&s);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, i * 1000, 0, NULL), 1000);
    p.max_failures = 2;
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 5000, 0, NULL), -1);
}

static void test_decide_exponential(void)
{
    ExRestartPolicy p = policy("initial_delay=1 s;max_delay=10 s;backoff_multiplier=2;"
                               "reset_after=1 h;jitter=0");
    ExRestartState s;
    ex_restart_state_reset(&s);
    /* runs of a few seconds: grows and caps */
    int64_t want[] = {1000, 2000, 4000, 8000, 10000, 10000, 10000};
    int64_t t = 0;
    for (int i = 0; i < 7; i++) {
        t += 5000;
        CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, t, t - 3000, NULL), want[i]);
    }
    /* a run of at least reset_after starts over */
    t += 3600000;
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, t, t - 3600000, NULL), 1000);
    t += 5000;
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, t, t - 1000, NULL), 2000);
    /* one just short of it does not */
    t += 3600000;
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, t, t - 3599999, NULL), 4000);
    /* never gives up */
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, t, t, NULL), 8000);
    for (int i = 1; i < 10000; i++)
        CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, t + i, t + i, NULL), 10000);

    /* a fractional multiplier, rounded each step */
    p = policy("initial_delay=1 s;max_delay=1 h;backoff_multiplier=1.5;jitter=0");
    ex_restart_state_reset(&s);
    int64_t want15[] = {1000, 1500, 2250, 3375, 5063, 7595};
    for (int i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 10 + i, 10 + i, NULL), want15[i]);

    /* a huge multiplier cannot overflow past the cap */
    p = policy("initial_delay=1 s;max_delay=365 days;backoff_multiplier=1000;jitter=0");
    ex_restart_state_reset(&s);
    int64_t last = 0;
    for (int i = 0; i < 50; i++)
        last = ex_restart_decide(&p, &s, i, i, NULL);
    CU_ASSERT_EQUAL(last, 365 * INT64_C(86400000));

    /* RESUME starts over */
    ex_restart_state_reset(&s);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 1, 1, NULL), 1000);
}

static void test_decide_jitter(void)
{
    /* multiplier 1 keeps the un-jittered delay at 1000 */
    ExRestartPolicy p = policy("initial_delay=1 s;max_delay=1 s;backoff_multiplier=1;jitter=0.1");
    ExRestartState s;
    ex_restart_state_reset(&s);
    uint64_t rng = 12345;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    double sum = 0;
    int n = 20000, low_half = 0;
    for (int i = 0; i < n; i++) {
        int64_t d = ex_restart_decide(&p, &s, i, i, &rng);
        CU_ASSERT(d >= 900 && d <= 1100);
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
        sum += (double)d;
        low_half += d < 1000;
    }
    CU_ASSERT(lo <= 905); /* it really spreads over the whole range */
    CU_ASSERT(hi >= 1095);
    CU_ASSERT(fabs(sum / n - 1000.0) < 3.0);
    CU_ASSERT(low_half > n * 0.45 && low_half < n * 0.55);
    CU_ASSERT_EQUAL(s.current_delay_ms, 1000);

    /* jitter does not feed back into the growth: the un-jittered
     * sequence is 1, 2, 4, 8 s whatever was drawn */
    p = policy("initial_delay=1 s;max_delay=1 min;backoff_multiplier=2;jitter=0.5");
    for (uint64_t seed = 0; seed < 200; seed++) {
        rng = seed; /* 0 included: replaced by a fixed seed */
        ex_restart_state_reset(&s);
        for (int i = 0; i < 4; i++) {
            int64_t d = ex_restart_decide(&p, &s, i, i, &rng);
            int64_t base = INT64_C(1000) << i;
            CU_ASSERT(d >= base / 2 && d <= base + base / 2);
            CU_ASSERT_EQUAL(s.current_delay_ms, base);
        }
    }
    /* jitter 1 may reach 0 but never goes below */
    p = policy("initial_delay=10 ms;max_delay=10 ms;jitter=1");
    ex_restart_state_reset(&s);
    rng = 99;
    for (int i = 0; i < 5000; i++) {
        int64_t d = ex_restart_decide(&p, &s, i, i, &rng);
        CU_ASSERT(d >= 0 && d <= 20);
    }
    /* no rng, no jitter */
    ex_restart_state_reset(&s);
    CU_ASSERT_EQUAL(ex_restart_decide(&p, &s, 1, 1, NULL), 10);
}

/* ------------------------------------------------------------ failpoints */

typedef struct FpRow {
    char name[64];
    char spec[64];
    int64_t hits;
} FpRow;

typedef struct FpRows {
    FpRow rows[32];
    int n;
    int stop_after;   /* 0: never */
} FpRows;

static int collect(void *ctx, const char *name, const char *spec, int64_t hits)
{
    FpRows *r = ctx;
    if (r->n < 32) {
        snprintf(r->rows[r->n].name, sizeof r->rows[r->n].name, "%s", name);
        snprintf(r->rows[r->n].spec, sizeof r->rows[r->n].spec, "%s", spec);
        r->rows[r->n].hits = hits;
        r->n++;
    }
    return r->stop_after && r->n >= r->stop_after ? 42 : 0;
}

/* the current row of one failpoint */
static FpRow fp_row(const char *name)
{
    FpRows r = {.n = 0};
    sl_failpoint_list(collect, &r);
    for (int i = 0; i < r.n; i++)
        if (strcmp(r.rows[i].name, name) == 0)
            return r.rows[i];
    FpRow none = {.hits = -1};
    return none;
}

static void arm_ok(const char *name, const char *spec)
{
    SlError err;
    sl_error_clear(&err);
    int rc = sl_failpoint_arm(name, spec, &err);
    if (rc != 0)
        fprintf(stderr, "\narm %s %s: %s\n", name, spec, err.message);
    CU_ASSERT_EQUAL(rc, 0);
}

static void test_fp_disabled(void)
{
    sl_failpoints_enable(false);
    CU_ASSERT_FALSE(sl_failpoints_enabled());
    SlError err;
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(sl_failpoint_arm("storage.log.append", "error", &err), -1);
    CU_ASSERT_STRING_EQUAL(sqlstate(&err), "42501");
    CU_ASSERT_STRING_EQUAL(err.message, "failpoints are not enabled");
    CU_ASSERT_STRING_EQUAL(err.hint, "Start sluiced with --enable-failpoints.");
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(sl_failpoint_disarm("storage.log.append", &err), -1);
    CU_ASSERT_STRING_EQUAL(sqlstate(&err), "42501");
    /* even an unknown name: whether failpoints exist is not revealed */
    CU_ASSERT_EQUAL(sl_failpoint_arm("no.such", "error", &err), -1);
    CU_ASSERT_STRING_EQUAL(sqlstate(&err), "42501");
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(sl_failpoint_hit("storage.log.append", &err), 0);
    CU_ASSERT_EQUAL(err.code, SL_E_OK);

    /* turning them off disarms everything */
    sl_failpoints_enable(true);
    CU_ASSERT_TRUE(sl_failpoints_enabled());
    arm_ok("storage.log.append", "error");
    arm_ok("stream.source.read", "sleep(1)");
    CU_ASSERT_EQUAL(sl_failpoint_hit("storage.log.append", NULL), -1);
    sl_failpoints_enable(false);
    CU_ASSERT_EQUAL(sl_failpoint_hit("storage.log.append", NULL), 0);
    CU_ASSERT_STRING_EQUAL(fp_row("storage.log.append").spec, "off");
    CU_ASSERT_STRING_EQUAL(fp_row("stream.source.read").spec, "off");
}

static void test_fp_names_and_specs(void)
{
    sl_failpoints_enable(true);
    SlError err;
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(sl_failpoint_arm("storage.log.appendx", "error", &err), -1);
    CU_ASSERT_STRING_EQUAL(sqlstate(&err), "42704");
    CU_ASSERT_STRING_EQUAL(err.message, "failpoint \"storage.log.appendx\" does not exist");
    CU_ASSERT_EQUAL(sl_failpoint_disarm("", &err), -1);
    CU_ASSERT_STRING_EQUAL(sqlstate(&err), "42704");
    CU_ASSERT_EQUAL(sl_failpoint_arm(NULL, "error", &err), -1);
    CU_ASSERT_STRING_EQUAL(sqlstate(&err), "42704");

    static const char *const bad[] = {
        "", "   ", "err", "errors", "error(", "error()", "error(0)", "error(-1)", "error(x)",
        "error(1", "error)", "error(1) x", "error(0%)", "error(101%)", "error(%)",
        "error(1.2.3%)", "error(25 %", "error 3", "sleep", "sleep()", "sleep(10,0)",
        "sleep(3600001)", "sleep(-1)", "sleep(1,2,3)", "sleep(,2)", "abort(1)", "aborts",
        "off now", "error(99999999999)", "on",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sl_error_clear(&err);
        int rc = sl_failpoint_arm("executor.exchange.send", bad[i], &err);
        if (rc != -1 || strcmp(sqlstate(&err), "22023") != 0)
            fprintf(stderr, "\nspec \"%s\" was accepted\n", bad[i]);
        CU_ASSERT_EQUAL(rc, -1);
        CU_ASSERT_STRING_EQUAL(sqlstate(&err), "22023");
    }
    CU_ASSERT_EQUAL(sl_failpoint_arm("executor.exchange.send", "nope", &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "invalid failpoint spec \"nope\"");
    CU_ASSERT(strstr(err.hint, "error(p%)") != NULL);
    CU_ASSERT_EQUAL(sl_failpoint_arm("executor.exchange.send", NULL, &err), -1);
    CU_ASSERT_STRING_EQUAL(sqlstate(&err), "22023");
    CU_ASSERT_STRING_EQUAL(fp_row("executor.exchange.send").spec, "off");

    /* accepted specs, listed in canonical form */
    static const struct { const char *spec, *canon; } good[] = {
        {"off", "off"},           {" ERROR ", "error"},         {"error ( 3 )", "error(3)"},
        {"error(25%)", "error(25%)"}, {"Error(12.5 %)", "error(12.5%)"}, {"error(100%)", "error(100%)"},
        {"sleep(0)", "sleep(0)"}, {"sleep( 250 , 2 )", "sleep(250,2)"}, {"abort", "abort"},
        {"error(2147483647)", "error(2147483647)"}, {"sleep(3600000)", "sleep(3600000)"},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        arm_ok("executor.exchange.send", good[i].spec);
        CU_ASSERT_STRING_EQUAL(fp_row("executor.exchange.send").spec, good[i].canon);
        /* the canonical form is itself accepted */
        arm_ok("executor.exchange.send", good[i].canon);
        CU_ASSERT_STRING_EQUAL(fp_row("executor.exchange.send").spec, good[i].canon);
    }
    arm_ok("executor.exchange.send", "off");

    /* the whole registry, in order; a non-zero callback stops the walk */
    static const char *const names[] = {
        "stream.source.read",       "executor.aggregate.update", "executor.project.update",
        "executor.exchange.send",   "executor.replay.drain",     "storage.checkpoint.write",
        "storage.checkpoint.commit", "executor.recovery.restore", "storage.log.append"};
    const int nnames = (int)(sizeof names / sizeof names[0]);
    FpRows r = {.n = 0};
    CU_ASSERT_EQUAL(sl_failpoint_list(collect, &r), 0);
    CU_ASSERT_EQUAL(r.n, nnames);
    for (int i = 0; i < nnames && i < r.n; i++) {
        CU_ASSERT_STRING_EQUAL(r.rows[i].name, names[i]);
        CU_ASSERT_STRING_EQUAL(r.rows[i].spec, "off");
    }
    FpRows r3 = {.n = 0, .stop_after = 3};
    CU_ASSERT_EQUAL(sl_failpoint_list(collect, &r3), 42);
    CU_ASSERT_EQUAL(r3.n, 3);
    sl_failpoints_enable(false);
}

static void test_fp_error_counts(void)
{
    sl_failpoints_enable(true);
    SlError err;

    /* nothing armed: 0, err untouched, for any name */
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(sl_failpoint_hit("executor.aggregate.update", &err), 0);
    CU_ASSERT_EQUAL(sl_failpoint_hit("not.a.failpoint", &err), 0);
    CU_ASSERT_EQUAL(err.code, SL_E_OK);

    /* error: every hit */
    arm_ok("executor.aggregate.update", "error");
    for (int i = 0; i < 5; i++) {
        sl_error_clear(&err);
        CU_ASSERT_EQUAL(sl_failpoint_hit("executor.aggregate.update", &err), -1);
        CU_ASSERT_STRING_EQUAL(sqlstate(&err), "58000");
        CU_ASSERT_STRING_EQUAL(err.message, "failpoint \"executor.aggregate.update\" triggered");
    }
    CU_ASSERT_EQUAL(sl_failpoint_hit("executor.aggregate.update", NULL), -1);
    /* others stay quiet, also unknown names while something is armed */
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(sl_failpoint_hit("executor.project.update", &err), 0);
    CU_ASSERT_EQUAL(sl_failpoint_hit("not.a.failpoint", &err), 0);
    CU_ASSERT_EQUAL(err.code, SL_E_OK);
    FpRow row = fp_row("executor.aggregate.update");
    CU_ASSERT_STRING_EQUAL(row.spec, "error");
    CU_ASSERT_EQUAL(row.hits, 6);
    CU_ASSERT_EQUAL(sl_failpoint_disarm("executor.aggregate.update", NULL), 0);
    CU_ASSERT_EQUAL(sl_failpoint_hit("executor.aggregate.update", NULL), 0);
    /* disarming keeps the count; arming again zeroes it */
    CU_ASSERT_EQUAL(fp_row("executor.aggregate.update").hits, 6);

    /* error(3): the next three hits, then off, the count stays */
    arm_ok("executor.aggregate.update", "error(3)");
    CU_ASSERT_EQUAL(fp_row("executor.aggregate.update").hits, 0);
    CU_ASSERT_EQUAL(sl_failpoint_hit("executor.aggregate.update", NULL), -1);
    CU_ASSERT_STRING_EQUAL(fp_row("executor.aggregate.update").spec, "error(2)");
    CU_ASSERT_EQUAL(sl_failpoint_hit("executor.aggregate.update", NULL), -1);
    CU_ASSERT_EQUAL(sl_failpoint_hit("executor.aggregate.update", NULL), -1);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(sl_failpoint_hit("executor.aggregate.update", NULL), 0);
    row = fp_row("executor.aggregate.update");
    CU_ASSERT_STRING_EQUAL(row.spec, "off");
    CU_ASSERT_EQUAL(row.hits, 3);

    /* re-arming replaces the spec */
    arm_ok("storage.checkpoint.write", "error(100)");
    arm_ok("storage.checkpoint.write", "error(1)");
    CU_ASSERT_EQUAL(sl_failpoint_hit("storage.checkpoint.write", NULL), -1);
    CU_ASSERT_EQUAL(sl_failpoint_hit("storage.checkpoint.write", NULL), 0);
    sl_failpoints_enable(false);
}

static void test_fp_probability(void)
{
    sl_failpoints_enable(true);
    arm_ok("stream.source.read", "error(25%)");
    int n = 20000, fired = 0;
    for (int i = 0; i < n; i++)
        fired += sl_failpoint_hit("stream.source.read", NULL) < 0;
    /* mean 5000, sd 61: far outside this only when broken */
    CU_ASSERT(fired > 4600 && fired < 5400);
    FpRow row = fp_row("stream.source.read");
    CU_ASSERT_EQUAL(row.hits, fired);
    CU_ASSERT_STRING_EQUAL(row.spec, "error(25%)");

    arm_ok("stream.source.read", "error(100%)");
    for (int i = 0; i < 100; i++)
        CU_ASSERT_EQUAL(sl_failpoint_hit("stream.source.read", NULL), -1);
    arm_ok("stream.source.read", "error(0.5%)");
    fired = 0;
    for (int i = 0; i < n; i++)
        fired += sl_failpoint_hit("stream.source.read", NULL) < 0;
    CU_ASSERT(fired > 40 && fired < 180); /* mean 100, sd 10 */
    sl_failpoints_enable(false);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_fp_sleep(void)
{
    sl_failpoints_enable(true);
    SlError err;
    sl_error_clear(&err);
    arm_ok("storage.checkpoint.commit", "sleep(30)");
    int64_t t0 = mono_ms();
    CU_ASSERT_EQUAL(sl_failpoint_hit("storage.checkpoint.commit", &err), 0);
    CU_ASSERT(mono_ms() - t0 >= 29);
    CU_ASSERT_EQUAL(err.code, SL_E_OK);
    CU_ASSERT_EQUAL(fp_row("storage.checkpoint.commit").hits, 1);

    arm_ok("storage.checkpoint.commit", "sleep(20,2)");
    t0 = mono_ms();
    CU_ASSERT_EQUAL(sl_failpoint_hit("storage.checkpoint.commit", NULL), 0);
    CU_ASSERT_EQUAL(sl_failpoint_hit("storage.checkpoint.commit", NULL), 0);
    CU_ASSERT(mono_ms() - t0 >= 39);
    CU_ASSERT_STRING_EQUAL(fp_row("storage.checkpoint.commit").spec, "off");
    t0 = mono_ms();
    for (int i = 0; i < 10; i++)
        CU_ASSERT_EQUAL(sl_failpoint_hit("storage.checkpoint.commit", NULL), 0);
    CU_ASSERT(mono_ms() - t0 < 15);
    CU_ASSERT_EQUAL(fp_row("storage.checkpoint.commit").hits, 2);
    sl_failpoints_enable(false);
}

enum { FP_THREADS = 8, FP_HITS_PER_THREAD = 2000 };

typedef struct FpThread {
    pthread_t tid;
    int fired;
} FpThread;

static void *hit_thread(void *arg)
{
    FpThread *t = arg;
    for (int i = 0; i < FP_HITS_PER_THREAD; i++) {
        SlError err;
        sl_error_clear(&err);
        if (sl_failpoint_hit("executor.exchange.send", &err) < 0) {
            t->fired++;
            if (err.code != SL_E_SYSTEM_ERROR)
                t->fired = -1000000; /* shows in the total */
        }
        /* a neighbour that stays unarmed */
        if (sl_failpoint_hit("executor.project.update", NULL) != 0)
            t->fired = -1000000;
    }
    return NULL;
}

static int run_hit_threads(void)
{
    FpThread th[FP_THREADS];
    memset(th, 0, sizeof th);
    for (int i = 0; i < FP_THREADS; i++)
        CU_ASSERT_FATAL(pthread_create(&th[i].tid, NULL, hit_thread, &th[i]) == 0);
    int total = 0;
    for (int i = 0; i < FP_THREADS; i++) {
        pthread_join(th[i].tid, NULL);
        total += th[i].fired;
    }
    return total;
}

static void *arm_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 500; i++) {
        sl_failpoint_arm("executor.exchange.send", (i & 1) ? "error(50%)" : "off", NULL);
        sl_failpoint_arm("storage.log.append", (i & 1) ? "error" : "off", NULL);
    }
    return NULL;
}

static void test_fp_threads(void)
{
    sl_failpoints_enable(true);
    /* error(n) across threads: exactly n fire */
    arm_ok("executor.exchange.send", "error(5000)");
    CU_ASSERT_EQUAL(run_hit_threads(), 5000);
    FpRow row = fp_row("executor.exchange.send");
    CU_ASSERT_EQUAL(row.hits, 5000);
    CU_ASSERT_STRING_EQUAL(row.spec, "off");

    /* every hit of every thread is counted */
    arm_ok("executor.exchange.send", "error");
    CU_ASSERT_EQUAL(run_hit_threads(), FP_THREADS * FP_HITS_PER_THREAD);
    CU_ASSERT_EQUAL(fp_row("executor.exchange.send").hits, FP_THREADS * FP_HITS_PER_THREAD);

    /* arming and disarming while others hit (for the sanitizers) */
    pthread_t armer;
    CU_ASSERT_FATAL(pthread_create(&armer, NULL, arm_thread, NULL) == 0);
    int total = run_hit_threads();
    pthread_join(armer, NULL);
    CU_ASSERT(total >= 0 && total <= FP_THREADS * FP_HITS_PER_THREAD);
    sl_failpoints_enable(false);
    CU_ASSERT_EQUAL(run_hit_threads(), 0);
}

static void test_fp_abort(void)
{
    fflush(NULL);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, 2); /* the FATAL log line */
        sl_failpoints_enable(true);
        if (sl_failpoint_arm("executor.recovery.restore", "abort", NULL) != 0)
            _exit(3);
        if (sl_failpoint_hit("executor.project.update", NULL) != 0)
            _exit(4);
        sl_failpoint_hit("executor.recovery.restore", NULL);
        _exit(5); /* not reached */
    }
    int status = 0;
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT(WIFSIGNALED(status));
    if (WIFSIGNALED(status)) {
        CU_ASSERT_EQUAL(WTERMSIG(status), SIGABRT);
    } else {
        fprintf(stderr, "\nchild exited with %d\n", WEXITSTATUS(status));
    }
}

/* ------------------------------------------------------------ suites */

static const SlUnitTest restart_policy_tests[] = {
    {"defaults", test_defaults},
    {"option values", test_option_values},
    {"option errors name the option", test_option_errors},
    {"cross-field check", test_check},
    {"describe round-trips through set", test_describe_roundtrip},
    {NULL, NULL}};
SL_UNIT_SUITE("restart: policies", restart_policy_tests)

static const SlUnitTest restart_decide_tests[] = {
    {"none", test_decide_none},
    {"fixed-delay", test_decide_fixed_delay},
    {"failure-rate", test_decide_failure_rate},
    {"exponential-delay", test_decide_exponential},
    {"jitter bounds", test_decide_jitter},
    {NULL, NULL}};
SL_UNIT_SUITE("restart: decisions", restart_decide_tests)

static const SlUnitTest failpoint_tests[] = {
    {"disabled", test_fp_disabled},
    {"names and specs", test_fp_names_and_specs},
    {"error counts", test_fp_error_counts},
    {"probability", test_fp_probability},
    {"sleep", test_fp_sleep},
    {"threads", test_fp_threads},
    {"abort", test_fp_abort},
    {NULL, NULL}};
SL_UNIT_SUITE("failpoints", failpoint_tests)
