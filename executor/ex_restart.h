/*
 * ex_restart.h — restart strategies of jobs, internal to executor/
 * (docs/restart.md).
 *
 * A pure decision module: no threads, no clock, no allocation. The caller
 * (the job supervisor) keeps one ExRestartPolicy (from the view's WITH
 * options or the server default) and one ExRestartState per job, and on
 * every failure asks ex_restart_decide(policy, state, now, ...) how long to
 * wait before restarting, or whether to give up and mark the job FAILED.
 * Times are milliseconds on any monotonic clock the caller chooses.
 *
 * Strategies, as Flink's:
 *  - none: never restart.
 *  - fixed-delay: restart after restart_delay, at most restart_attempts
 *    times over the job's life (until ex_restart_state_reset).
 *  - failure-rate: restart after restart_delay, unless this failure makes
 *    more than max_failures failures within failure_interval (a failure
 *    exactly failure_interval old still counts).
 *  - exponential-delay: the first delay is initial_delay, each further
 *    failure multiplies it by backoff_multiplier up to max_delay; a run
 *    that lasted at least reset_after starts over at initial_delay. The
 *    delay waited is spread uniformly within +-jitter * delay (so it may
 *    exceed max_delay by that much). Never gives up.
 */
#ifndef EX_RESTART_H
#define EX_RESTART_H

#include "sl_common.h"

typedef enum ExRestartKind {
    EX_RESTART_NONE = 0,
    EX_RESTART_FIXED_DELAY,
    EX_RESTART_FAILURE_RATE,
    EX_RESTART_EXPONENTIAL_DELAY
} ExRestartKind;

/* The largest max_failures: the failure-rate ring keeps that many times. */
#define EX_RESTART_MAX_FAILURES 1024

typedef struct ExRestartPolicy {
    ExRestartKind kind;
    int64_t restart_attempts;     /* fixed-delay; 0..INT32_MAX */
    int64_t restart_delay_ms;     /* fixed-delay, failure-rate */
    int64_t max_failures;         /* failure-rate; 1..EX_RESTART_MAX_FAILURES */
    int64_t failure_interval_ms;  /* failure-rate; > 0 */
    int64_t initial_delay_ms;     /* exponential-delay; > 0 */
    int64_t max_delay_ms;         /* exponential-delay; >= initial */
    double backoff_multiplier;    /* exponential-delay; 1..1000 */
    int64_t reset_after_ms;       /* exponential-delay; > 0 */
    double jitter;                /* exponential-delay; 0..1 */
    unsigned set_mask;            /* options given through _set (bit per
                                   * option), so _check can refuse an
                                   * option the strategy does not use */
} ExRestartPolicy;

/* exponential-delay, initial_delay 1 s, max_delay 1 min, multiplier 2,
 * reset_after 1 h, jitter 0.1; the other strategies' fields get their
 * defaults too (restart_attempts 3, restart_delay 1 s, max_failures 3,
 * failure_interval 1 min), so choosing a strategy alone is enough. */
void ex_restart_policy_default(ExRestartPolicy *p);

/* One WITH option. Option names: restart_strategy ('none' | 'fixed-delay'
 * | 'failure-rate' | 'exponential-delay'), restart_attempts, restart_delay,
 * max_failures, failure_interval, initial_delay, max_delay,
 * backoff_multiplier, reset_after, jitter; case-insensitive. Durations are
 * SQL interval strings ('1 s', '500 ms', '5 minutes', '00:01:00') without
 * months and with a unit (a bare number is refused: SQL would read it as
 * seconds, Sluice's settings as milliseconds). Returns 1 without touching
 * p or err when option is not a restart option, 0 when set, -1 with 22023
 * `invalid value for option "NAME": ...` when the value is bad. */
int ex_restart_policy_set(ExRestartPolicy *p, const char *option,
                          const char *value, SlError *err);

/* Cross-field validation once all options are set: initial_delay <=
 * max_delay, multiplier >= 1, fields within range, and no option given
 * that the chosen strategy does not use. 22023 naming the option. */
int ex_restart_policy_check(const ExRestartPolicy *p, SlError *err);

/* The canonical text, every option of the strategy in a fixed order:
 *   restart_strategy = 'fixed-delay', restart_attempts = 3, restart_delay = '1 s'
 * Each `name = value` pair, passed to _set (quotes stripped), gives back
 * the same policy. Appends to out. */
void ex_restart_policy_describe(const ExRestartPolicy *p, SlBuf *out);

/* Per-job memory of failures. All zeroes (ex_restart_state_reset) is the
 * state of a job that never failed. */
typedef struct ExRestartState {
    int64_t failures;            /* failures seen since the last reset */
    int64_t attempts;            /* restarts granted since the last reset */
    int64_t current_delay_ms;    /* exponential: last delay before jitter */
    int64_t last_run_started_ms; /* start of the run that failed last */
    int64_t last_failure_ms;
    int64_t last_delay_ms;       /* last answer of ex_restart_decide */
    int32_t ring_head;           /* failure-rate: oldest entry */
    int32_t ring_len;
    int64_t ring[EX_RESTART_MAX_FAILURES]; /* failure times, oldest first */
} ExRestartState;

void ex_restart_state_reset(ExRestartState *s);

/* A job failed at now_ms; its last run started at running_since_ms. Returns
 * the delay in ms to wait before restarting it, or -1: give up, the job is
 * FAILED. rng is the caller's random state for the jitter (any value; 0 is
 * replaced by a fixed seed); NULL means no jitter. */
int64_t ex_restart_decide(const ExRestartPolicy *p, ExRestartState *s,
                          int64_t now_ms, int64_t running_since_ms,
                          uint64_t *rng);

#endif /* EX_RESTART_H */
