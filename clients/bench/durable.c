/*
 * durable.c — what durability costs: checkpoints on versus off for the agg
 * workload (checkpoint), checkpoint duration and size against the number
 * of groups, full and incremental (checkpoint-size), and the time a
 * sluiced killed with SIGKILL takes to answer again with the right answer
 * (recovery). Ingestion per durability mode is the ingest mode with
 * --durability (modes.c).
 *
 * The state modes use a stream sb_kv (k bigint, v bigint) loaded with
 * exactly K rows, k = 0..K-1, and the view
 *   sb_kv_g: SELECT k, count(*) AS n, max(v) AS m FROM sb_kv GROUP BY k
 * so the view has exactly K groups; the answer checked is
 * count(*), sum(n), sum(m) of the view, computed here from the rows sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define KV_COPY_ROWS 100000
#define CKPT_WAIT_SECONDS 900.0

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    if (n <= 0)
        return -1;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double pg_cpu(void)
{
    if (!bench_server)
        return -1;
    pid_t pg = server_pg_pid(bench_server);
    return pg ? proc_tree_cpu_seconds(pg) : -1;
}

/* ======================================================================== */
/* Checkpoints of a view                                                    */
/* ======================================================================== */

typedef struct CkptRow {
    int64_t id;
    char status[32];
    double duration_ms;
    int64_t bytes;
    int key_groups;
    char error[256];
} CkptRow;

/* the oldest checkpoint of the view with an id above after_id: 1 found,
 * 0 none yet, -1 error */
static int ckpt_after(PGconn *c, const char *view, int64_t after_id, CkptRow *out)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT id, status, duration_ms, bytes, key_groups, coalesce(error, '') "
             "FROM sluice.checkpoints WHERE view = '%s' AND id > %lld ORDER BY id LIMIT 1",
             view, (long long)after_id);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "sluice-bench: reading sluice.checkpoints: %s", PQerrorMessage(c));
        PQclear(r);
        return -1;
    }
    int found = PQntuples(r) > 0;
    if (found) {
        memset(out, 0, sizeof *out);
        out->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        snprintf(out->status, sizeof out->status, "%s", PQgetvalue(r, 0, 1));
        out->duration_ms = PQgetisnull(r, 0, 2) ? -1 : strtod(PQgetvalue(r, 0, 2), NULL);
        out->bytes = PQgetisnull(r, 0, 3) ? -1 : strtoll(PQgetvalue(r, 0, 3), NULL, 10);
        out->key_groups = PQgetisnull(r, 0, 4) ? -1 : atoi(PQgetvalue(r, 0, 4));
        snprintf(out->error, sizeof out->error, "%s", PQgetvalue(r, 0, 5));
    }
    PQclear(r);
    return found;
}

/* waits for the first complete checkpoint after after_id; a failed one is
 * reported and skipped (the next one retries). false on error or timeout */
static bool ckpt_wait(PGconn *c, const char *view, int64_t after_id, CkptRow *out, double *waited)
{
    double t0 = bench_now();
    for (;;) {
        int f = ckpt_after(c, view, after_id, out);
        if (f < 0)
            return false;
        if (f && strcmp(out->status, "complete") == 0)
            break;
        if (f) {
            fprintf(stderr, "sluice-bench: checkpoint %lld of %s: %s (%s)\n", (long long)out->id, view,
                    out->status, out->error);
            after_id = out->id;
            continue;
        }
        if (bench_now() - t0 > CKPT_WAIT_SECONDS) {
            fprintf(stderr, "sluice-bench: no complete checkpoint of %s within %.0f s\n", view,
                    CKPT_WAIT_SECONDS);
            return false;
        }
        sleep_ms(5);
    }
    if (waited)
        *waited = bench_now() - t0;
    return true;
}

/* ======================================================================== */
/* checkpoint: the agg view with checkpoints every --interval vs none       */
/* ======================================================================== */

typedef struct CkptRun {
    double seconds, eps, cpu, pg_cpu;
    int checkpoints;
    bool ok;
} CkptRun;

/* One run: a fresh stream bid and view sb_ckpt, then every bid COPY'd
 * while the view runs (so barriers enter between the COPY statements and
 * checkpoints happen during the processing); timed until the view has
 * caught up. */
static int ckpt_run(const BenchOpts *o, BenchData *d, double limit, const NxAnswer *answer, bool on,
                    CkptRun *out)
{
    memset(out, 0, sizeof *out);
    Sluice s;
    if (!sluice_open(o, &s))
        return 1;
    int rc = 1;
    char sql[1024];
    if (!sluice_create_stream(o, &s))
        goto out;
    int n = snprintf(sql, sizeof sql, "CREATE MATERIALIZED VIEW sb_ckpt WITH (checkpoint_interval = ");
    if (on)
        n += snprintf(sql + n, sizeof sql - (size_t)n, "'%s'", o->interval);
    else
        n += snprintf(sql + n, sizeof sql - (size_t)n, "0");
    if (o->parallelism > 0)
        n += snprintf(sql + n, sizeof sql - (size_t)n, ", parallelism = %d", o->parallelism);
    snprintf(sql + n, sizeof sql - (size_t)n, ") AS %s", nx_workload_sql(NX_AGG));
    if (!db_exec(s.c, sql))
        goto out;
    if (s.pid)
        proc_reset_peak_rss(s.pid);
    BenchResult r;
    bench_result_init(&r, on ? "ckpt-on" : "ckpt-off", "agg");
    double cpu0 = s.pid ? proc_cpu_seconds(s.pid) : -1, pg0 = pg_cpu();
    double copy_s, copy_cpu;
    if (!parallel_copy(o, &s, d, &copy_s, &copy_cpu))
        goto out;
    double t_copied = bench_now();
    if (!view_wait_caught_up(&s, "sb_ckpt"))
        goto out;
    r.seconds = copy_s + (bench_now() - t_copied);
    double pg1 = pg_cpu();
    result_speeds(&r, &s, d->n, cpu0, limit);
    result_check_view(&r, &s, "sb_ckpt", answer);

    /* the checkpoints that completed during the run */
    int nck = 0, nfailed = 0;
    int64_t bytes = 0;
    double max_ms = 0;
    PGresult *q = PQexec(s.c, "SELECT status, duration_ms, bytes FROM sluice.checkpoints "
                              "WHERE view = 'sb_ckpt'");
    if (PQresultStatus(q) == PGRES_TUPLES_OK) {
        for (int i = 0; i < PQntuples(q); i++) {
            if (strcmp(PQgetvalue(q, i, 0), "complete") != 0) {
                nfailed++;
                continue;
            }
            nck++;
            double ms = strtod(PQgetvalue(q, i, 1), NULL);
            if (ms > max_ms)
                max_ms = ms;
            bytes += strtoll(PQgetvalue(q, i, 2), NULL, 10);
        }
    }
    PQclear(q);
    /* dropping waits for a checkpoint being written: the time until the
     * background work of this run is over, outside the timed part */
    double t_drop = bench_now();
    db_exec(s.c, "DROP STREAM IF EXISTS bid CASCADE");
    double drain = bench_now() - t_drop;

    snprintf(r.settings, sizeof r.settings, "%s", s.settings);
    settings_add_str(r.settings, sizeof r.settings, "checkpoint_interval", on ? o->interval : "0");
    if (o->durability)
        settings_add_str(r.settings, sizeof r.settings, "durability", o->durability);
    settings_add_int(r.settings, sizeof r.settings, "copy_rows",
                     (long)(o->copy_rows ? o->copy_rows : 100000));
    settings_add_int(r.settings, sizeof r.settings, "checkpoints", nck);
    settings_add_int(r.settings, sizeof r.settings, "checkpoints_failed", nfailed);
    settings_add_int(r.settings, sizeof r.settings, "checkpoint_bytes", (long)bytes);
    settings_add_num(r.settings, sizeof r.settings, "checkpoint_max_ms", max_ms);
    if (pg0 >= 0 && pg1 >= pg0)
        settings_add_num(r.settings, sizeof r.settings, "pg_cpu_seconds", pg1 - pg0);
    settings_add_num(r.settings, sizeof r.settings, "drop_wait_seconds", drain);
    if (on)
        snprintf(r.note, sizeof r.note, "  %d checkpoints, %.1f MB, longest %.0f ms%s", nck,
                 (double)bytes / 1e6, max_ms, nfailed ? ", some FAILED" : "");
    else
        snprintf(r.note, sizeof r.note, "  no checkpoints");
    bench_report(o, &r);
    out->seconds = r.seconds;
    out->eps = r.events_per_sec;
    out->cpu = r.cpu_seconds;
    out->pg_cpu = pg0 >= 0 && pg1 >= pg0 ? pg1 - pg0 : -1;
    out->checkpoints = nck;
    out->ok = strcmp(r.check, "ok") == 0;
    rc = out->ok && nfailed == 0 ? 0 : 1;
out:
    PQfinish(s.c);
    return rc;
}

int mode_checkpoint(const BenchOpts *o, BenchData *d, double limit, const NxAnswer *answer)
{
    int reps = o->repeat > 0 ? o->repeat : 3;
    double eps_on[64], eps_off[64], cpu_on[64], cpu_off[64], all_on[64], all_off[64];
    int non = 0, noff = 0, ncpu_on = 0, ncpu_off = 0, nall_on = 0, nall_off = 0, ckpts = 0;
    int rc = 0;
    for (int rep = 0; rep < reps && rep < 64 && rc == 0; rep++) {
        /* alternate the order, so neither side always runs on a warmer server */
        for (int k = 0; k < 2 && rc == 0; k++) {
            bool on = (rep % 2 == 0) ? k == 1 : k == 0;
            CkptRun run;
            rc = ckpt_run(o, d, limit, answer, on, &run);
            if (rc)
                break;
            if (on) {
                eps_on[non++] = run.eps;
                ckpts += run.checkpoints;
                if (run.cpu > 0)
                    cpu_on[ncpu_on++] = run.cpu;
                if (run.cpu > 0 && run.pg_cpu >= 0)
                    all_on[nall_on++] = run.cpu + run.pg_cpu;
            } else {
                eps_off[noff++] = run.eps;
                if (run.cpu > 0)
                    cpu_off[ncpu_off++] = run.cpu;
                if (run.cpu > 0 && run.pg_cpu >= 0)
                    all_off[nall_off++] = run.cpu + run.pg_cpu;
            }
        }
    }
    if (rc || non == 0 || noff == 0)
        return rc ? rc : 1;
    double m_on = median(eps_on, non), m_off = median(eps_off, noff);
    BenchResult r;
    bench_result_init(&r, "ckpt-ratio", "agg");
    r.events = d->n;
    r.events_per_sec = m_on;
    r.seconds = (double)d->n / m_on;
    r.check = "ok";   /* every run above was checked */
    snprintf(r.settings, sizeof r.settings, "{}");
    settings_add_str(r.settings, sizeof r.settings, "checkpoint_interval", o->interval);
    settings_add_int(r.settings, sizeof r.settings, "pairs", non);
    settings_add_num(r.settings, sizeof r.settings, "median_eps_off", m_off);
    settings_add_num(r.settings, sizeof r.settings, "median_eps_on", m_on);
    settings_add_num(r.settings, sizeof r.settings, "ratio_on_off", m_on / m_off);
    settings_add_num(r.settings, sizeof r.settings, "checkpoints_per_run", (double)ckpts / non);
    double c_on = median(cpu_on, ncpu_on), c_off = median(cpu_off, ncpu_off);
    if (c_on > 0 && c_off > 0)
        settings_add_num(r.settings, sizeof r.settings, "sluiced_cpu_ratio_on_off", c_on / c_off);
    double a_on = median(all_on, nall_on), a_off = median(all_off, nall_off);
    if (a_on > 0 && a_off > 0)
        settings_add_num(r.settings, sizeof r.settings, "cpu_with_pg_ratio_on_off", a_on / a_off);
    snprintf(r.note, sizeof r.note, "  on/off throughput %.3f (medians of %d pairs: %.0f / %.0f ev/s)",
             m_on / m_off, non, m_on, m_off);
    bench_report(o, &r);
    return 0;
}

/* ======================================================================== */
/* The K-keys state                                                         */
/* ======================================================================== */

/* v of the initial row of key k: positive, below 2^31, deterministic */
static int64_t kv_value(uint64_t seed, uint64_t k)
{
    return (int64_t)(nx_mix64(k * 0x9E3779B97F4A7C15ULL ^ seed) % 1000000000ULL);
}

typedef struct KvState {
    uint64_t keys;
    int64_t rows;            /* sum(n) */
    __int128 sum_max;        /* sum(m) */
} KvState;

static bool copy_csv(PGconn *c, const char *table, NxOut *buf)
{
    char sql[256];
    snprintf(sql, sizeof sql, "COPY %s FROM STDIN WITH (FORMAT csv)", table);
    bool ok = db_copy(c, sql, buf->p, buf->len);
    buf->len = 0;
    return ok;
}

static void out_printf(NxOut *o, const char *fmt, long long a, long long b)
{
    nx_out_reserve(o, 64);
    o->len += (size_t)snprintf(o->p + o->len, 64, fmt, a, b);
}

/* a fresh sb_kv with one row for each of keys keys, in COPY statements of
 * copy_rows rows */
static bool kv_load(const BenchOpts *o, PGconn *c, uint64_t keys, KvState *st)
{
    char sql[256];
    if (!db_exec(c, "DROP STREAM IF EXISTS sb_kv CASCADE"))
        return false;
    int n = snprintf(sql, sizeof sql, "CREATE STREAM sb_kv (k bigint, v bigint)");
    if (o->durability)
        snprintf(sql + n, sizeof sql - (size_t)n, " WITH (durability = '%s')", o->durability);
    if (!db_exec(c, sql))
        return false;
    uint64_t per = o->copy_rows ? o->copy_rows : KV_COPY_ROWS;
    NxOut buf;
    nx_out_init(&buf);
    memset(st, 0, sizeof *st);
    bool ok = true;
    for (uint64_t k = 0; k < keys && ok; k++) {
        int64_t v = kv_value(o->seed, k);
        out_printf(&buf, "%lld,%lld\n", (long long)k, (long long)v);
        st->rows++;
        st->sum_max += v;
        if ((k + 1) % per == 0)
            ok = copy_csv(c, "sb_kv", &buf);
    }
    if (ok && buf.len)
        ok = copy_csv(c, "sb_kv", &buf);
    st->keys = keys;
    nx_out_free(&buf);
    return ok;
}

/* Keys changed after the load: each one's latest value (its max). */
typedef struct KvTouches {
    uint64_t *keys;
    int64_t *vals;
    int n, cap;
} KvTouches;

static void touches_set(KvTouches *t, uint64_t k, int64_t v)
{
    int i;
    for (i = 0; i < t->n; i++)
        if (t->keys[i] == k)
            break;
    if (i == t->n) {
        if (t->n == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 64;
            t->keys = realloc(t->keys, sizeof *t->keys * (size_t)t->cap);
            t->vals = realloc(t->vals, sizeof *t->vals * (size_t)t->cap);
        }
        t->keys[t->n++] = k;
    }
    t->vals[i] = v;
}

/* one more row for each of `touch` keys spread over the key range, with a
 * v above every earlier v (so each touched key's max changes) */
static bool kv_touch(PGconn *c, int touch, KvState *st, KvTouches *t)
{
    NxOut buf;
    nx_out_init(&buf);
    uint64_t prev = UINT64_MAX;
    for (int j = 0; j < touch; j++) {
        uint64_t k = (uint64_t)j * st->keys / (uint64_t)touch;
        if (k == prev)
            continue;   /* fewer keys than touches */
        prev = k;
        int64_t v = 2000000000LL + st->rows;   /* rows only grow: above every earlier v */
        out_printf(&buf, "%lld,%lld\n", (long long)k, (long long)v);
        st->rows++;
        touches_set(t, k, v);
    }
    bool ok = buf.len == 0 || copy_csv(c, "sb_kv", &buf);
    nx_out_free(&buf);
    return ok;
}

static __int128 kv_expected_sum_max(const BenchOpts *o, const KvState *st, const KvTouches *t)
{
    __int128 s = st->sum_max;
    for (int i = 0; i < t->n; i++)
        s += t->vals[i] - kv_value(o->seed, t->keys[i]);
    return s;
}

static void i128_str(char *dst, size_t n, __int128 v)
{
    char tmp[64];
    int i = 0;
    bool neg = v < 0;
    if (neg)
        v = -v;
    do {
        tmp[i++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    size_t o = 0;
    if (neg && o + 1 < n)
        dst[o++] = '-';
    while (i > 0 && o + 1 < n)
        dst[o++] = tmp[--i];
    dst[o] = '\0';
}

/* "ok" or "MISMATCH": count(*), sum(n), sum(m) of the view */
static const char *kv_check(const BenchOpts *o, PGconn *c, const KvState *st, const KvTouches *t)
{
    char want[128], sm[64];
    i128_str(sm, sizeof sm, kv_expected_sum_max(o, st, t));
    snprintf(want, sizeof want, "%llu|%lld|%s", (unsigned long long)st->keys, (long long)st->rows, sm);
    PGresult *r = PQexec(c, "SELECT count(*), sum(n), sum(m) FROM sb_kv_g");
    char got[256] = "(error)";
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        snprintf(got, sizeof got, "%s|%s|%s", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1),
                 PQgetvalue(r, 0, 2));
    else
        fprintf(stderr, "sluice-bench: %s", PQerrorMessage(c));
    PQclear(r);
    if (strcmp(got, want) == 0)
        return "ok";
    fprintf(stderr, "sluice-bench: MISMATCH: sb_kv_g has count, sum(n), sum(m) = %s; expected %s\n",
            got, want);
    return "MISMATCH";
}

static bool kv_create_view(const BenchOpts *o, PGconn *c)
{
    char sql[512];
    int n = snprintf(sql, sizeof sql, "CREATE MATERIALIZED VIEW sb_kv_g WITH (checkpoint_interval = '%s'",
                     o->interval);
    if (o->parallelism > 0)
        n += snprintf(sql + n, sizeof sql - (size_t)n, ", parallelism = %d", o->parallelism);
    snprintf(sql + n, sizeof sql - (size_t)n,
             ") AS SELECT k, count(*) AS n, max(v) AS m FROM sb_kv GROUP BY k");
    return db_exec(c, sql);
}

/* parses "1000,100000,1M" */
static int parse_keys(const char *s, uint64_t *out, int max)
{
    int n = 0;
    char *copy = strdup(s), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t && n < max; t = strtok_r(NULL, ",", &save)) {
        char *end;
        double v = strtod(t, &end);
        if (*end == 'k' || *end == 'K')
            v *= 1e3, end++;
        else if (*end == 'm' || *end == 'M')
            v *= 1e6, end++;
        if (end == t || *end || v < 1 || v > 1e9) {
            fprintf(stderr, "sluice-bench: bad --keys value \"%s\"\n", t);
            free(copy);
            return -1;
        }
        out[n++] = (uint64_t)v;
    }
    free(copy);
    return n;
}

static void keys_label(char *dst, size_t n, uint64_t k)
{
    if (k >= 1000000 && k % 1000000 == 0)
        snprintf(dst, n, "%lluM keys", (unsigned long long)(k / 1000000));
    else if (k >= 1000 && k % 1000 == 0)
        snprintf(dst, n, "%lluk keys", (unsigned long long)(k / 1000));
    else
        snprintf(dst, n, "%llu keys", (unsigned long long)k);
}

/* ======================================================================== */
/* checkpoint-size: full and incremental checkpoints against state size     */
/* ======================================================================== */

static void ckpt_result(const BenchOpts *o, const Sluice *s, const char *mode, uint64_t keys,
                        const CkptRow *ck, double waited, double pg_cpu_s, const char *check)
{
    BenchResult r;
    char label[32];
    keys_label(label, sizeof label, keys);
    bench_result_init(&r, mode, label);
    r.events = keys;
    r.events_per_sec = -1;
    r.seconds = ck->duration_ms / 1000.0;
    r.mb_per_sec = ck->duration_ms > 0 ? (double)ck->bytes / 1e3 / ck->duration_ms : -1;
    r.check = check;
    snprintf(r.settings, sizeof r.settings, "%s", s->settings);
    settings_add_int(r.settings, sizeof r.settings, "keys", (long)keys);
    settings_add_str(r.settings, sizeof r.settings, "checkpoint_interval", o->interval);
    settings_add_int(r.settings, sizeof r.settings, "checkpoint_id", (long)ck->id);
    settings_add_num(r.settings, sizeof r.settings, "duration_ms", ck->duration_ms);
    settings_add_int(r.settings, sizeof r.settings, "bytes", (long)ck->bytes);
    settings_add_int(r.settings, sizeof r.settings, "key_groups", ck->key_groups);
    settings_add_num(r.settings, sizeof r.settings, "bytes_per_key", (double)ck->bytes / (double)keys);
    settings_add_num(r.settings, sizeof r.settings, "waited_seconds", waited);
    if (pg_cpu_s >= 0)
        settings_add_num(r.settings, sizeof r.settings, "pg_cpu_seconds", pg_cpu_s);
    snprintf(r.note, sizeof r.note, "  checkpoint %lld: %.0f ms, %.2f MB, %d key groups",
             (long long)ck->id, ck->duration_ms, (double)ck->bytes / 1e6, ck->key_groups);
    bench_report(o, &r);
}

int mode_checkpoint_size(const BenchOpts *o)
{
    uint64_t keys[16];
    int nk = parse_keys(o->keys, keys, 16);
    if (nk <= 0)
        return 2;
    Sluice s;
    if (!sluice_open(o, &s))
        return 1;
    int rc = 0;
    for (int i = 0; i < nk && rc == 0; i++) {
        KvState st;
        KvTouches tt = {0};
        rc = 1;
        /* the rows first, then the view: it reads them from the log while
         * being created, so its first checkpoint holds every group */
        if (!kv_load(o, s.c, keys[i], &st) || !kv_create_view(o, s.c) ||
            !view_wait_caught_up(&s, "sb_kv_g"))
            break;
        const char *check = kv_check(o, s.c, &st, &tt);
        double pg0 = pg_cpu(), waited;
        CkptRow full, incr;
        if (!ckpt_wait(s.c, "sb_kv_g", 0, &full, &waited))
            break;
        double pg1 = pg_cpu();
        ckpt_result(o, &s, "ckpt-full", keys[i], &full, waited, pg0 >= 0 ? pg1 - pg0 : -1, check);
        /* a few keys change: the next checkpoint writes only their key groups */
        if (!kv_touch(s.c, o->touch, &st, &tt) || !view_wait_caught_up(&s, "sb_kv_g"))
            break;
        const char *check2 = kv_check(o, s.c, &st, &tt);
        pg0 = pg_cpu();
        if (!ckpt_wait(s.c, "sb_kv_g", full.id, &incr, &waited))
            break;
        pg1 = pg_cpu();
        ckpt_result(o, &s, "ckpt-incr", keys[i], &incr, waited, pg0 >= 0 ? pg1 - pg0 : -1, check2);
        free(tt.keys);
        free(tt.vals);
        rc = strcmp(check, "ok") == 0 && strcmp(check2, "ok") == 0 ? 0 : 1;
    }
    db_exec(s.c, "DROP STREAM IF EXISTS sb_kv CASCADE");
    PQfinish(s.c);
    return rc;
}

/* ======================================================================== */
/* recovery: kill -9, restart, time until the view answers right            */
/* ======================================================================== */

/* the number after `key` on the first line of log holding both `what` and
 * `view` (e.g. "restored checkpoint" ... " in " 812.3 " ms") */
static double log_number(const char *log, const char *view, const char *what, const char *key)
{
    char vq[160];
    snprintf(vq, sizeof vq, "view \"%s\": %s", view, what);
    const char *p = log ? strstr(log, vq) : NULL;
    if (!p)
        return -1;
    const char *eol = strchr(p, '\n');
    const char *k = strstr(p, key);
    if (!k || (eol && k > eol))
        return -1;
    return strtod(k + strlen(key), NULL);
}

static void log_line(char *dst, size_t n, const char *log, const char *view, const char *what)
{
    char vq[160];
    snprintf(vq, sizeof vq, "view \"%s\": %s", view, what);
    const char *p = log ? strstr(log, vq) : NULL;
    dst[0] = '\0';
    if (!p)
        return;
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    if (len >= n)
        len = n - 1;
    memcpy(dst, p, len);
    dst[len] = '\0';
    for (char *c = dst; *c; c++)
        if (*c == '"' || *c == '\\')
            *c = '\'';
}

int mode_recovery(const BenchOpts *o)
{
    if (!bench_server) {
        fprintf(stderr, "sluice-bench: recovery restarts the server: give --sluiced PATH --data DIR\n");
        return 2;
    }
    uint64_t keys[16];
    int nk = parse_keys(o->keys, keys, 16);
    if (nk <= 0)
        return 2;
    int rc = 0;
    for (int i = 0; i < nk && rc == 0; i++) {
        rc = 1;
        Sluice s;
        if (!sluice_open(o, &s))
            break;
        KvState st;
        KvTouches tt = {0};
        CkptRow full;
        double waited;
        bool ok = kv_load(o, s.c, keys[i], &st) && kv_create_view(o, s.c) &&
                  view_wait_caught_up(&s, "sb_kv_g") && ckpt_wait(s.c, "sb_kv_g", 0, &full, &waited);
        /* a few rows after the checkpoint: the restart must replay them
         * from the log (unless a checkpoint takes them first) */
        if (ok)
            ok = kv_touch(s.c, o->touch, &st, &tt);
        char settings[512];
        snprintf(settings, sizeof settings, "%s", s.settings);
        PQfinish(s.c);
        if (!ok)
            break;

        if (!server_kill9(bench_server))
            break;
        double ready;
        if (!server_start(bench_server, 600, &ready))
            break;
        double t_start = bench_now() - ready;   /* just before the fork */
        PGconn *c = db_connect(bench_server->conninfo, "sluiced");
        if (!c)
            break;
        const char *check = kv_check(o, c, &st, &tt);
        double answered = bench_now() - t_start;
        double cpu = proc_cpu_seconds(bench_server->pid);
        long rss = proc_peak_rss_kb(bench_server->pid);   /* since the exec */
        PQfinish(c);
        char *log = server_log_since_start(bench_server);
        double restore_ms = log_number(log, "sb_kv_g", "restored checkpoint", " in ");
        double replay_rows = log_number(log, "sb_kv_g", "replayed ", "replayed ");
        double replay_ms = log_number(log, "sb_kv_g", "replayed ", " in ");
        char line[200];
        log_line(line, sizeof line, log, "sb_kv_g", "restored checkpoint");
        free(log);

        BenchResult r;
        char label[32];
        keys_label(label, sizeof label, keys[i]);
        bench_result_init(&r, "recovery", label);
        r.events = keys[i];
        r.events_per_sec = -1;
        r.seconds = answered;
        r.cpu_seconds = cpu;
        r.peak_rss_kb = rss;
        r.check = check;
        snprintf(r.settings, sizeof r.settings, "%s", settings);
        settings_add_int(r.settings, sizeof r.settings, "keys", (long)keys[i]);
        settings_add_num(r.settings, sizeof r.settings, "ready_seconds", ready);
        settings_add_num(r.settings, sizeof r.settings, "answer_seconds", answered);
        settings_add_int(r.settings, sizeof r.settings, "checkpoint_bytes", (long)full.bytes);
        settings_add_num(r.settings, sizeof r.settings, "restore_ms", restore_ms);
        settings_add_num(r.settings, sizeof r.settings, "replayed_rows", replay_rows < 0 ? 0 : replay_rows);
        settings_add_num(r.settings, sizeof r.settings, "replay_ms", replay_ms < 0 ? 0 : replay_ms);
        settings_add_str(r.settings, sizeof r.settings, "log", line);
        snprintf(r.note, sizeof r.note, "  ready %.2f s; restore %.0f ms; replayed %.0f rows", ready,
                 restore_ms, replay_rows < 0 ? 0 : replay_rows);
        bench_report(o, &r);
        free(tt.keys);
        free(tt.vals);
        rc = strcmp(check, "ok") == 0 ? 0 : 1;
    }
    if (rc == 0) {
        PGconn *c = db_connect(bench_server->conninfo, "sluiced");
        if (c)
            db_exec(c, "DROP STREAM IF EXISTS sb_kv CASCADE");
        PQfinish(c);
    }
    return rc;
}
