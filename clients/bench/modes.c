/*
 * modes.c — the measuring modes: the limit loops, the PostgreSQL baselines
 * (plain COPY; COPY in batches into a table whose statement-level trigger
 * upserts the aggregate from its transition table) and the modes against
 * sluiced (ingest, process, latency). Every server answer is checked
 * against the limit loop's answer for the same rows before a speed is
 * reported; a difference is a MISMATCH and a non-zero exit.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "bench.h"

/* rows per COPY statement for bulk loads (sluiced ingests a COPY when it ends) */
#define COPY_ROWS 100000
#define SEND_CHUNK (1 << 20)
/* the limit loops run this often; the fastest run is reported */
#define LIMIT_REPEAT 3

/* ======================================================================== */
/* libpq helpers                                                            */
/* ======================================================================== */

static void quiet_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

PGconn *db_connect(const char *conninfo, const char *what)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "sluice-bench: cannot connect to %s (%s): %s", what, conninfo,
                PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    return c;
}

bool db_exec(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "sluice-bench: %s\n  in: %s\n", PQerrorMessage(c), sql);
    PQclear(r);
    return ok;
}

/* the first column of the first row of a query, or NULL (caller frees) */
char *db_value(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    char *v = NULL;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        v = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

/* COPY ... FROM STDIN with data[0, len) */
bool db_copy(PGconn *c, const char *sql, const char *data, size_t len)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        fprintf(stderr, "sluice-bench: %s\n  in: %s\n", PQerrorMessage(c), sql);
        PQclear(r);
        return false;
    }
    PQclear(r);
    bool ok = true;
    for (size_t off = 0; off < len && ok; off += SEND_CHUNK) {
        size_t n = len - off < SEND_CHUNK ? len - off : SEND_CHUNK;
        ok = PQputCopyData(c, data + off, (int)n) == 1;
    }
    if (PQputCopyEnd(c, ok ? NULL : "sluice-bench: send failed") != 1)
        ok = false;
    while ((r = PQgetResult(c)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            if (ok)
                fprintf(stderr, "sluice-bench: COPY failed: %s", PQerrorMessage(c));
            ok = false;
        }
        PQclear(r);
    }
    return ok;
}

/* lines [from, to) of the data, as COPY statements of at most `per` rows */
static bool copy_lines(PGconn *c, const char *sql, const BenchData *d, uint64_t from,
                       uint64_t to, uint64_t per)
{
    for (uint64_t i = from; i < to; i += per) {
        uint64_t e = to - i < per ? to : i + per;
        if (!db_copy(c, sql, d->csv.p + d->line_off[i], d->line_off[e] - d->line_off[i]))
            return false;
    }
    return true;
}

/* appends "name":"value" of SHOW name to a JSON object being built */
void settings_add(char *json, size_t cap, PGconn *c, const char *name)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SHOW %s", name);
    char *v = db_value(c, sql);
    size_t len = strlen(json);
    if (v && len + strlen(name) + strlen(v) + 8 < cap) {
        for (char *p = v; *p; p++)
            if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
                *p = '_';
        snprintf(json + len - 1, cap - len + 1, "%s\"%s\":\"%s\"}", len > 2 ? "," : "", name, v);
    }
    free(v);
}

void settings_add_int(char *json, size_t cap, const char *name, long v)
{
    size_t len = strlen(json);
    if (len + strlen(name) + 32 < cap)
        snprintf(json + len - 1, cap - len + 1, "%s\"%s\":%ld}", len > 2 ? "," : "", name, v);
}

void settings_add_num(char *json, size_t cap, const char *name, double v)
{
    size_t len = strlen(json);
    if (len + strlen(name) + 40 < cap)
        snprintf(json + len - 1, cap - len + 1, "%s\"%s\":%.6g}", len > 2 ? "," : "", name, v);
}

void settings_add_str(char *json, size_t cap, const char *name, const char *v)
{
    size_t len = strlen(json);
    if (len + strlen(name) + strlen(v) + 8 < cap)
        snprintf(json + len - 1, cap - len + 1, "%s\"%s\":\"%s\"}", len > 2 ? "," : "", name, v);
}

/* ======================================================================== */
/* Checking a server's answer                                               */
/* ======================================================================== */

/* Runs sql in single-row mode and calls fn for every row; false on error. */
typedef bool (*RowFn)(void *arg, PGresult *row);

static bool db_each_row(PGconn *c, const char *sql, RowFn fn, void *arg)
{
    if (!PQsendQuery(c, sql) || !PQsetSingleRowMode(c)) {
        fprintf(stderr, "sluice-bench: %s", PQerrorMessage(c));
        return false;
    }
    bool ok = true;
    PGresult *r;
    while ((r = PQgetResult(c)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE) {
            if (ok && !fn(arg, r))
                ok = false;
        } else if (st != PGRES_TUPLES_OK) {
            fprintf(stderr, "sluice-bench: %s  in: %s\n", PQerrorMessage(c), sql);
            ok = false;
        }
        PQclear(r);
    }
    return ok;
}

typedef struct CheckState {
    const NxAnswer *want;
    uint64_t rows, checksum;
    bool sum_not_avg;        /* agg: the 4th column is sum(price) (PostgreSQL baseline) */
    long bad;                /* rows that differ */
    char first_bad[256];
} CheckState;

static void check_bad(CheckState *s, const char *fmt, const char *a, const char *b)
{
    if (s->bad++ == 0)
        snprintf(s->first_bad, sizeof s->first_bad, fmt, a, b);
}

static bool i64_at(PGresult *r, int col, int64_t *v)
{
    return !PQgetisnull(r, 0, col) &&
           nx_parse_i64(PQgetvalue(r, 0, col), (size_t)PQgetlength(r, 0, col), v);
}

static bool check_row(void *arg, PGresult *r)
{
    CheckState *s = arg;
    s->rows++;
    int64_t a, b, price, dt;
    __int128 milli;
    switch (s->want->w) {
    case NX_Q0:
    case NX_Q1:
        if (PQnfields(r) != 5 || !i64_at(r, 0, &a) || !i64_at(r, 1, &b) ||
            !nx_parse_scaled(PQgetvalue(r, 0, 2), (size_t)PQgetlength(r, 0, 2), 3, &milli) ||
            !nx_parse_timestamp(PQgetvalue(r, 0, 3), (size_t)PQgetlength(r, 0, 3), &dt)) {
            check_bad(s, "unreadable row: %s ... %s", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 2));
            return true;
        }
        s->checksum += nx_row_hash_q0(a, b, (int64_t)milli, dt, PQgetvalue(r, 0, 4),
                                      (size_t)PQgetlength(r, 0, 4));
        return true;
    case NX_Q2:
        if (PQnfields(r) != 2 || !i64_at(r, 0, &a) || !i64_at(r, 1, &price)) {
            check_bad(s, "unreadable row: %s %s", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
            return true;
        }
        s->checksum += nx_row_hash_q2(a, price);
        return true;
    case NX_AGG: {
        int64_t cnt, mx;
        if (PQnfields(r) != 4 || !i64_at(r, 0, &a) || !i64_at(r, 1, &cnt) || !i64_at(r, 2, &mx)) {
            check_bad(s, "unreadable row: %s %s", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
            return true;
        }
        const NxAggSlot *g = nx_agg_find(&s->want->agg, a);
        if (!g || g->count != cnt || g->max != mx) {
            check_bad(s, "group auction=%s: count/max differ (server count %s)",
                      PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
            return true;
        }
        const char *v = PQgetvalue(r, 0, 3);
        size_t vl = (size_t)PQgetlength(r, 0, 3);
        const char *dot = memchr(v, '.', vl);
        int scale = dot ? (int)(vl - (size_t)(dot - v) - 1) : 0;
        if (scale > 20)
            scale = 20;
        __int128 got, want;
        if (s->sum_not_avg) {
            scale = 0;
            want = g->sum;
        } else {
            __int128 p10 = 1;
            for (int k = 0; k < scale; k++)
                p10 *= 10;
            __int128 num = g->sum * p10 * 2 + (g->sum >= 0 ? g->count : -g->count);
            want = num / (2 * (__int128)g->count);   /* round half away from zero */
        }
        if (!nx_parse_scaled(v, vl, scale, &got) || got != want)
            check_bad(s, "group auction=%s: avg/sum %s differs", PQgetvalue(r, 0, 0), v);
        return true;
    }
    case NX_DISTINCT: {
        int64_t cnt;
        if (PQnfields(r) != 2 || !i64_at(r, 1, &cnt)) {
            check_bad(s, "unreadable row: %s %s", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
            return true;
        }
        const NxChan *ch = nx_distinct_find(&s->want->distinct, PQgetvalue(r, 0, 0),
                                            (uint32_t)PQgetlength(r, 0, 0));
        if (!ch || (int64_t)ch->bidders.n != cnt)
            check_bad(s, "channel %s: count(DISTINCT bidder) %s differs", PQgetvalue(r, 0, 0),
                      PQgetvalue(r, 0, 1));
        return true;
    }
    case NX_WORKLOADS:
        break;
    }
    return false;
}

/* "ok" or "MISMATCH" (with the reason on stderr); NULL on a query error */
const char *check_answer(PGconn *c, const char *sql, const NxAnswer *want, bool sum_not_avg)
{
    CheckState s = {.want = want, .sum_not_avg = sum_not_avg};
    if (!db_each_row(c, sql, check_row, &s))
        return NULL;
    bool rows_only = want->w == NX_AGG || want->w == NX_DISTINCT;
    if (s.bad == 0 && s.rows != want->rows)
        fprintf(stderr, "sluice-bench: MISMATCH in %s: %llu rows, the baseline has %llu\n", sql,
                (unsigned long long)s.rows, (unsigned long long)want->rows);
    else if (s.bad == 0 && !rows_only && s.checksum != want->checksum)
        fprintf(stderr, "sluice-bench: MISMATCH in %s: same row count (%llu), different rows "
                "(checksum %016llx, baseline %016llx)\n", sql, (unsigned long long)s.rows,
                (unsigned long long)s.checksum, (unsigned long long)want->checksum);
    else if (s.bad)
        fprintf(stderr, "sluice-bench: MISMATCH in %s: %ld rows differ; first: %s\n", sql, s.bad,
                s.first_bad);
    else
        return "ok";
    return "MISMATCH";
}

/* ======================================================================== */
/* limits                                                                   */
/* ======================================================================== */

/* What memory costs on this machine (limits mode only): 256 MB written
 * into pages the process never touched, then written again. On a virtual
 * machine that hands freed memory back to its host the first is many
 * times slower (each page faults in the guest and in the host): a view
 * that keeps every row (q0, q1) writes that much new state per 2 M bids. */
static void memory_limit(const BenchOpts *o)
{
    size_t mb = 256, n = mb << 20;
    char *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return;
    double t0 = bench_now();
    memset(m, 1, n);
    double t1 = bench_now();
    memset(m, 2, n);
    double t2 = bench_now();
    const char *what[2] = {"first-write", "rewrite"};
    double secs[2] = {t1 - t0, t2 - t1};
    for (int k = 0; k < 2; k++) {
        BenchResult r;
        bench_result_init(&r, "memory", what[k]);
        r.events = mb;
        r.seconds = secs[k];
        r.events_per_sec = r.per_core = r.mb_per_sec = (double)mb / secs[k];
        snprintf(r.note, sizeof r.note, "  events are MB written");
        r.check = m[n - 1] == 2 ? "-" : "MISMATCH";
        bench_report(o, &r);
    }
    munmap(m, n);
}

int mode_limits(const BenchOpts *o, BenchData *d, double *ingest_limit,
                double limit[NX_WORKLOADS], NxAnswer answers[NX_WORKLOADS])
{
    BenchResult r;
    if (strcmp(o->mode, "limits") == 0)
        memory_limit(o);
    bench_result_init(&r, "generator", "bid");
    r.events = d->n;
    r.seconds = d->gen_seconds;
    r.events_per_sec = r.per_core = (double)d->n / d->gen_seconds;
    r.mb_per_sec = (double)d->csv.len / 1e6 / d->gen_seconds;
    bench_report(o, &r);

    /* the loops run LIMIT_REPEAT times; the fastest run counts */
    bench_data_parse(d);
    for (int k = 1; k < LIMIT_REPEAT; k++) {
        memcpy(d->parsed_buf, d->csv.p, d->csv.len);
        size_t used;
        long bad;
        double t0 = bench_now();
        long n = nx_parse_bids(d->parsed_buf, d->csv.len, d->rows, d->n, &used, &bad);
        double t = bench_now() - t0;
        if (n != (long)d->n)
            return 1;
        if (t < d->parse_seconds)
            d->parse_seconds = t;
    }
    bench_result_init(&r, "ingest-limit", "bid");
    r.events = d->n;
    r.seconds = d->parse_seconds;
    r.events_per_sec = r.per_core = (double)d->n / d->parse_seconds;
    r.mb_per_sec = (double)d->csv.len / 1e6 / d->parse_seconds;
    r.check = "ok";   /* every line parsed back (else bench_data_parse exits) */
    bench_report(o, &r);
    *ingest_limit = r.per_core;

    for (int w = 0; w < NX_WORKLOADS; w++) {
        if (!o->workload_set[w])
            continue;
        double t = -1;
        for (int k = 0; k < LIMIT_REPEAT; k++) {
            if (k > 0)
                nx_answer_free(&answers[w]);
            nx_answer_init(&answers[w], (NxWorkload)w);
            double t0 = bench_now();
            nx_answer_add(&answers[w], d->rows, d->n);
            double tk = bench_now() - t0;
            if (t < 0 || tk < t)
                t = tk;
        }
        bench_result_init(&r, "process-limit", nx_workload_name((NxWorkload)w));
        r.events = d->n;
        r.seconds = t;
        r.events_per_sec = r.per_core = (double)d->n / t;
        snprintf(r.settings, sizeof r.settings, "{\"answer_rows\":%llu}",
                 (unsigned long long)answers[w].rows);
        bench_report(o, &r);
        limit[w] = r.per_core;
    }
    return 0;
}

/* ======================================================================== */
/* PostgreSQL baselines                                                     */
/* ======================================================================== */

static const char pg_trigger_sql[] =
    "CREATE FUNCTION sb_summary_upsert() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  INSERT INTO sb_summary AS s (auction, bids, max_price, sum_price)\n"
    "    SELECT auction, count(*), max(price), sum(price) FROM sb_new GROUP BY auction\n"
    "  ON CONFLICT (auction) DO UPDATE\n"
    "    SET bids = s.bids + EXCLUDED.bids,\n"
    "        max_price = greatest(s.max_price, EXCLUDED.max_price),\n"
    "        sum_price = s.sum_price + EXCLUDED.sum_price;\n"
    "  RETURN NULL;\n"
    "END $$";

int mode_pg(const BenchOpts *o, BenchData *d, double *copy_rate, double *trigger_rate,
            const NxAnswer *agg_answer, double ingest_limit, double agg_limit)
{
    PGconn *c = db_connect(o->pg, "PostgreSQL");
    if (!c)
        return 1;
    char settings[512] = "{}";
    settings_add(settings, sizeof settings, c, "server_version");
    settings_add(settings, sizeof settings, c, "fsync");
    settings_add(settings, sizeof settings, c, "synchronous_commit");
    settings_add(settings, sizeof settings, c, "shared_buffers");
    settings_add(settings, sizeof settings, c, "wal_level");
    pid_t backend = (pid_t)PQbackendPID(c);
    char sql[512];
    int rc = 0;

    /* 1. plain COPY into a table */
    if (!db_exec(c, "DROP TABLE IF EXISTS sb_bid"))
        goto fail;
    snprintf(sql, sizeof sql, "CREATE TABLE sb_bid (%s)", nx_bid_columns_sql);
    if (!db_exec(c, sql))
        goto fail;
    BenchResult r;
    bench_result_init(&r, "pg-copy", "bid");
    double cpu0 = proc_cpu_seconds(backend), t0 = bench_now();
    if (!copy_lines(c, "COPY sb_bid FROM STDIN WITH (FORMAT csv)", d, 0, d->n, COPY_ROWS))
        goto fail;
    r.seconds = bench_now() - t0;
    double cpu1 = proc_cpu_seconds(backend);
    r.events = d->n;
    r.events_per_sec = (double)d->n / r.seconds;
    r.mb_per_sec = (double)d->csv.len / 1e6 / r.seconds;
    if (cpu0 >= 0 && cpu1 > cpu0) {
        r.cpu_seconds = cpu1 - cpu0;
        r.per_core = (double)d->n / r.cpu_seconds;
        r.ratio_vs_limit = ingest_limit > 0 ? r.per_core / ingest_limit : -1;
    }
    {
        __int128 sum = 0;
        for (uint64_t i = 0; i < d->n; i++)
            sum += d->rows[i].price;
        char want[96], *got = db_value(c, "SELECT count(*) || ',' || sum(price) FROM sb_bid");
        snprintf(want, sizeof want, "%llu,%lld", (unsigned long long)d->n, (long long)sum);
        r.check = got && strcmp(got, want) == 0 ? "ok" : "MISMATCH";
        if (strcmp(r.check, "ok") != 0)
            fprintf(stderr, "sluice-bench: MISMATCH: PostgreSQL has count,sum %s, the baseline %s\n",
                    got ? got : "(error)", want);
        free(got);
    }
    snprintf(r.settings, sizeof r.settings, "%s", settings);
    bench_report(o, &r);
    *copy_rate = r.events_per_sec;
    if (strcmp(r.check, "ok") != 0)
        rc = 1;
    db_exec(c, "DROP TABLE sb_bid");

    /* 2. the do-it-yourself continuous aggregate: batches of o->batch rows,
     * a statement-level AFTER INSERT trigger reading the transition table */
    if (!db_exec(c, "DROP TABLE IF EXISTS sb_bid_t") ||
        !db_exec(c, "DROP TABLE IF EXISTS sb_summary") ||
        !db_exec(c, "DROP FUNCTION IF EXISTS sb_summary_upsert()"))
        goto fail;
    snprintf(sql, sizeof sql, "CREATE TABLE sb_bid_t (%s)", nx_bid_columns_sql);
    if (!db_exec(c, sql) ||
        !db_exec(c, "CREATE TABLE sb_summary (auction BIGINT PRIMARY KEY, bids BIGINT NOT NULL, "
                    "max_price BIGINT NOT NULL, sum_price NUMERIC NOT NULL)") ||
        !db_exec(c, pg_trigger_sql) ||
        !db_exec(c, "CREATE TRIGGER sb_bid_t_summary AFTER INSERT ON sb_bid_t "
                    "REFERENCING NEW TABLE AS sb_new FOR EACH STATEMENT "
                    "EXECUTE FUNCTION sb_summary_upsert()"))
        goto fail;
    bench_result_init(&r, "pg-trigger", "agg");
    cpu0 = proc_cpu_seconds(backend);
    t0 = bench_now();
    if (!copy_lines(c, "COPY sb_bid_t FROM STDIN WITH (FORMAT csv)", d, 0, d->n, (uint64_t)o->batch))
        goto fail;
    r.seconds = bench_now() - t0;
    cpu1 = proc_cpu_seconds(backend);
    r.events = d->n;
    r.events_per_sec = (double)d->n / r.seconds;
    if (cpu0 >= 0 && cpu1 > cpu0) {
        r.cpu_seconds = cpu1 - cpu0;
        r.per_core = (double)d->n / r.cpu_seconds;
        r.ratio_vs_limit = agg_limit > 0 ? r.per_core / agg_limit : -1;
    }
    NxAnswer local;
    const NxAnswer *want = agg_answer;
    if (!want) {
        nx_answer_init(&local, NX_AGG);
        nx_answer_add(&local, d->rows, d->n);
        want = &local;
    }
    r.check = check_answer(c, "SELECT auction, bids, max_price, sum_price FROM sb_summary", want, true);
    if (!r.check)
        r.check = "MISMATCH";
    if (want == &local)
        nx_answer_free(&local);
    snprintf(r.settings, sizeof r.settings, "%s", settings);
    settings_add_int(r.settings, sizeof r.settings, "batch_rows", o->batch);
    bench_report(o, &r);
    *trigger_rate = r.events_per_sec;
    if (strcmp(r.check, "ok") != 0)
        rc = 1;
    db_exec(c, "DROP TABLE sb_bid_t");
    db_exec(c, "DROP TABLE sb_summary");
    db_exec(c, "DROP FUNCTION sb_summary_upsert()");
    /* what the baselines left to PostgreSQL (a checkpoint due after a
     * gigabyte of WAL, dirty pages) is done now, not while Sluice is
     * measured next on the same disk and cores; CHECKPOINT needs a
     * superuser (or pg_checkpoint): without one, sync() alone */
    PGresult *cr = PQexec(c, "CHECKPOINT");
    PQclear(cr);
    sync();
    PQfinish(c);
    return rc;
fail:
    PQfinish(c);
    return 1;
}

/* ======================================================================== */
/* sluiced                                                                  */
/* ======================================================================== */

bool sluice_open(const BenchOpts *o, Sluice *s)
{
    memset(s, 0, sizeof *s);
    s->c = db_connect(o->sluice, "sluiced");
    if (!s->c)
        return false;
    s->pid = bench_server ? bench_server->pid : o->server_pid;
    if (!s->pid) {
        const char *port = PQport(s->c);
        if (port && *port)
            s->pid = proc_pid_listening_on(atoi(port));
    }
    if (!s->pid)
        fprintf(stderr, "sluice-bench: sluiced's pid not found (use --server-pid): "
                "CPU time and peak RSS are not measured\n");
    snprintf(s->settings, sizeof s->settings, "{}");
    settings_add(s->settings, sizeof s->settings, s->c, "sluice_version");
    settings_add(s->settings, sizeof s->settings, s->c, "workers");
    settings_add(s->settings, sizeof s->settings, s->c, "io_threads");
    settings_add(s->settings, sizeof s->settings, s->c, "default_parallelism");
    settings_add_int(s->settings, sizeof s->settings, "partitions", o->partitions);
    settings_add_int(s->settings, sizeof s->settings, "parallelism", o->parallelism);
    settings_add_int(s->settings, sizeof s->settings, "connections", o->connections);
    return true;
}

bool sluice_create_stream(const BenchOpts *o, Sluice *s)
{
    char sql[512];
    if (!db_exec(s->c, "DROP STREAM IF EXISTS bid CASCADE"))
        return false;
    /* retention 'all': the workloads' views are created one after another
     * over the same preloaded rows, so checkpoints must not trim the log */
    int n = snprintf(sql, sizeof sql, "CREATE STREAM bid (%s) WITH (retention = 'all'", nx_bid_columns_sql);
    if (o->partitions > 0)
        n += snprintf(sql + n, sizeof sql - (size_t)n, ", partitions = %d", o->partitions);
    if (o->durability)
        n += snprintf(sql + n, sizeof sql - (size_t)n, ", durability = '%s'", o->durability);
    snprintf(sql + n, sizeof sql - (size_t)n, ")");
    return db_exec(s->c, sql);
}

int64_t stream_rows(Sluice *s)
{
    char *v = db_value(s->c, "SELECT rows FROM sluice.streams WHERE name = 'bid'");
    int64_t n = v ? strtoll(v, NULL, 10) : -1;
    free(v);
    return n;
}

/* ---- COPY over several connections ----------------------------------------- */

typedef struct CopyJob {
    const char *conninfo;
    const BenchData *d;
    uint64_t from, to, per;
    pthread_barrier_t *ready;
    bool ok;
} CopyJob;

static void *copy_thread(void *arg)
{
    CopyJob *j = arg;
    PGconn *c = db_connect(j->conninfo, "sluiced");
    pthread_barrier_wait(j->ready);   /* connected (or failed): start together */
    pthread_barrier_wait(j->ready);
    j->ok = c && copy_lines(c, "COPY bid FROM STDIN WITH (FORMAT csv)", j->d, j->from, j->to,
                            j->per);
    PQfinish(c);
    return NULL;
}

/* COPY every bid into the stream; *seconds from the start of sending to the
 * last acknowledgement; *cpu the server's CPU seconds in that time */
bool parallel_copy(const BenchOpts *o, Sluice *s, const BenchData *d, double *seconds,
                          double *cpu)
{
    int nc = o->connections;
    CopyJob jobs[64];
    pthread_t th[64];
    pthread_barrier_t ready;
    pthread_barrier_init(&ready, NULL, (unsigned)nc + 1);
    for (int k = 0; k < nc; k++) {
        jobs[k] = (CopyJob){o->sluice, d, d->n * (uint64_t)k / (uint64_t)nc,
                            d->n * (uint64_t)(k + 1) / (uint64_t)nc,
                            o->copy_rows ? o->copy_rows : COPY_ROWS, &ready, false};
        pthread_create(&th[k], NULL, copy_thread, &jobs[k]);
    }
    pthread_barrier_wait(&ready);
    double cpu0 = s->pid ? proc_cpu_seconds(s->pid) : -1, t0 = bench_now();
    pthread_barrier_wait(&ready);
    bool ok = true;
    for (int k = 0; k < nc; k++) {
        pthread_join(th[k], NULL);
        ok = ok && jobs[k].ok;
    }
    *seconds = bench_now() - t0;
    double cpu1 = s->pid ? proc_cpu_seconds(s->pid) : -1;
    *cpu = cpu0 >= 0 && cpu1 >= cpu0 ? cpu1 - cpu0 : -1;
    pthread_barrier_destroy(&ready);
    return ok;
}

/* A timed part's numbers (r->seconds set): events/s, the server's CPU
 * since cpu0 and per core against the limit loop, its peak RSS. */
void result_speeds(BenchResult *r, const Sluice *s, uint64_t events, double cpu0, double limit)
{
    double cpu1 = s->pid ? proc_cpu_seconds(s->pid) : -1;
    r->events = events;
    r->events_per_sec = (double)events / r->seconds;
    if (cpu0 >= 0 && cpu1 > cpu0) {
        r->cpu_seconds = cpu1 - cpu0;
        r->per_core = (double)events / r->cpu_seconds;
        r->ratio_vs_limit = limit > 0 ? r->per_core / limit : -1;
    }
    if (s->pid)
        r->peak_rss_kb = proc_peak_rss_kb(s->pid);
}

/* The view's rows against the limit loop's answer ("MISMATCH" if not). */
void result_check_view(BenchResult *r, const Sluice *s, const char *view, const NxAnswer *answer)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT * FROM %s", view);
    r->check = check_answer(s->c, sql, answer, false);
    if (!r->check)
        r->check = "MISMATCH";
}

int mode_ingest(const BenchOpts *o, BenchData *d, double limit, double pg_rate)
{
    Sluice s;
    if (!sluice_open(o, &s))
        return 1;
    int rc = 1;
    if (!sluice_create_stream(o, &s))
        goto out;
    if (s.pid)
        proc_reset_peak_rss(s.pid);
    BenchResult r;
    bench_result_init(&r, "ingest", "bid");
    double cpu;
    if (!parallel_copy(o, &s, d, &r.seconds, &cpu))
        goto out;
    r.events = d->n;
    r.events_per_sec = (double)d->n / r.seconds;
    r.mb_per_sec = (double)d->csv.len / 1e6 / r.seconds;
    if (cpu > 0) {
        r.cpu_seconds = cpu;
        r.per_core = (double)d->n / cpu;
        r.ratio_vs_limit = limit > 0 ? r.per_core / limit : -1;
    }
    r.ratio_vs_pg = pg_rate > 0 ? r.events_per_sec / pg_rate : -1;
    if (s.pid)
        r.peak_rss_kb = proc_peak_rss_kb(s.pid);
    int64_t rows = stream_rows(&s);
    r.check = rows == (int64_t)d->n ? "ok" : "MISMATCH";
    if (rows != (int64_t)d->n)
        fprintf(stderr, "sluice-bench: MISMATCH: sluice.streams says bid has %lld rows, sent %llu\n",
                (long long)rows, (unsigned long long)d->n);
    snprintf(r.settings, sizeof r.settings, "%s", s.settings);
    if (o->durability) {
        settings_add_str(r.settings, sizeof r.settings, "durability", o->durability);
        snprintf(r.note, sizeof r.note, "  durability %s", o->durability);
    }
    settings_add_int(r.settings, sizeof r.settings, "copy_rows",
                     (long)(o->copy_rows ? o->copy_rows : COPY_ROWS));
    bench_report(o, &r);
    rc = strcmp(r.check, "ok") == 0 ? 0 : 1;
out:
    PQfinish(s.c);
    return rc;
}

/* ---- process ---------------------------------------------------------------- */

/* the view's lag (rows of the stream it has not read) and state */
bool view_progress(Sluice *s, const char *view, int64_t *lag, char *state, size_t cap)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT lag, state FROM sluice.views WHERE name = '%s'", view);
    PGresult *r = PQexec(s->c, sql);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    if (ok) {
        *lag = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        snprintf(state, cap, "%s", PQgetvalue(r, 0, 1));
    } else {
        fprintf(stderr, "sluice-bench: reading sluice.views: %s", PQerrorMessage(s->c));
    }
    PQclear(r);
    return ok;
}

/* caught up: the view has read the whole stream (lag 0), and a snapshot
 * read, which waits until every ingested row is applied, has returned.
 * The snapshot read comes first: it blocks in the server until the rows
 * counted so far are applied, where polling sluice.views every few
 * milliseconds would take CPU from the view on a small machine. */
bool view_wait_caught_up(Sluice *s, const char *view)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT * FROM %s LIMIT 1", view);
    for (;;) {
        if (!db_exec(s->c, sql))
            return false;
        int64_t lag;
        char state[64];
        if (!view_progress(s, view, &lag, state, sizeof state))
            return false;
        if (strcasecmp(state, "failed") == 0) {
            fprintf(stderr, "sluice-bench: view %s FAILED\n", view);
            return false;
        }
        if (lag <= 0)
            return true;
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
}

/* CREATE MATERIALIZED VIEW view [WITH (parallelism = P)] AS <w's query> */
static void view_create_sql(const BenchOpts *o, const char *view, NxWorkload w, char *sql, size_t cap)
{
    int n = snprintf(sql, cap, "CREATE MATERIALIZED VIEW %s", view);
    if (o->parallelism > 0)
        n += snprintf(sql + n, cap - (size_t)n, " WITH (parallelism = %d)", o->parallelism);
    snprintf(sql + n, cap - (size_t)n, " AS %s", nx_workload_sql(w));
}

int mode_process(const BenchOpts *o, BenchData *d, NxWorkload w, double limit, double pg_rate,
                 const NxAnswer *answer, double *events_per_sec)
{
    static bool loaded;
    Sluice s;
    if (!sluice_open(o, &s))
        return 1;
    int rc = 1;
    char view[32], sql[1024];
    snprintf(view, sizeof view, "sb_%s", nx_workload_name(w));

    if (!loaded) {
        double secs, cpu;
        if (!sluice_create_stream(o, &s) || !parallel_copy(o, &s, d, &secs, &cpu))
            goto out;
        int64_t rows = stream_rows(&s);
        if (rows != (int64_t)d->n) {
            fprintf(stderr, "sluice-bench: MISMATCH: the stream has %lld rows, sent %llu\n",
                    (long long)rows, (unsigned long long)d->n);
            goto out;
        }
        loaded = true;
        if (o->nparallelisms > 1) {
            /* comparing parallelisms: one untimed run first, so that the
             * first timed one does not alone read a log just written and
             * fill memory the process never used (it took half as long
             * again as the runs after it, and favoured whatever ran second) */
            snprintf(sql, sizeof sql, "CREATE MATERIALIZED VIEW sb_warmup AS %s", nx_workload_sql(w));
            if (!db_exec(s.c, "DROP MATERIALIZED VIEW IF EXISTS sb_warmup") || !db_exec(s.c, sql) ||
                !view_wait_caught_up(&s, "sb_warmup") || !db_exec(s.c, "DROP MATERIALIZED VIEW sb_warmup"))
                goto out;
        }
    }
    snprintf(sql, sizeof sql, "DROP MATERIALIZED VIEW IF EXISTS %s", view);
    if (!db_exec(s.c, sql))
        goto out;
    view_create_sql(o, view, w, sql, sizeof sql);

    BenchResult r;
    bench_result_init(&r, "process", nx_workload_name(w));
    if (s.pid)
        proc_reset_peak_rss(s.pid);
    double cpu0 = s.pid ? proc_cpu_seconds(s.pid) : -1, t0 = bench_now();
    if (!db_exec(s.c, sql))
        goto out;
    if (!view_wait_caught_up(&s, view))
        goto out;
    r.seconds = bench_now() - t0;
    result_speeds(&r, &s, d->n, cpu0, limit);
    r.ratio_vs_pg = pg_rate > 0 ? r.events_per_sec / pg_rate : -1;
    result_check_view(&r, &s, view, answer);
    if (events_per_sec)
        *events_per_sec = r.events_per_sec;
    if (o->parallelism > 0)
        snprintf(r.note, sizeof r.note, "  parallelism %d", o->parallelism);
    snprintf(r.settings, sizeof r.settings, "%s", s.settings);
    bench_report(o, &r);
    rc = strcmp(r.check, "ok") == 0 ? 0 : 1;
    snprintf(sql, sizeof sql, "DROP MATERIALIZED VIEW IF EXISTS %s", view);
    db_exec(s.c, sql);
out:
    PQfinish(s.c);
    return rc;
}

/* e2e: the stream and the view exist first; the bids are COPY'd in over
 * --connections connections, and the time runs from the first row sent
 * until the view has caught up (lag 0 and a snapshot read returned): what
 * the trigger baseline measures for PostgreSQL (ratio vs pg) */
int mode_e2e(const BenchOpts *o, BenchData *d, NxWorkload w, double limit, double pg_rate, const NxAnswer *answer)
{
    Sluice s;
    if (!sluice_open(o, &s))
        return 1;
    int rc = 1;
    char view[32], sql[1024];
    snprintf(view, sizeof view, "sb_%s", nx_workload_name(w));
    if (!sluice_create_stream(o, &s))
        goto out;
    view_create_sql(o, view, w, sql, sizeof sql);
    if (!db_exec(s.c, sql))
        goto out;
    BenchResult r;
    bench_result_init(&r, "e2e", nx_workload_name(w));
    if (s.pid)
        proc_reset_peak_rss(s.pid);
    double copy_s, copy_cpu, cpu0 = s.pid ? proc_cpu_seconds(s.pid) : -1, t0 = bench_now();
    if (!parallel_copy(o, &s, d, &copy_s, &copy_cpu) || !view_wait_caught_up(&s, view))
        goto out;
    r.seconds = bench_now() - t0;
    result_speeds(&r, &s, d->n, cpu0, limit);
    r.ratio_vs_pg = pg_rate > 0 ? r.events_per_sec / pg_rate : -1;
    result_check_view(&r, &s, view, answer);
    snprintf(r.settings, sizeof r.settings, "%s", s.settings);
    settings_add_int(r.settings, sizeof r.settings, "copy_rows", (long)(o->copy_rows ? o->copy_rows : COPY_ROWS));
    bench_report(o, &r);
    rc = strcmp(r.check, "ok") == 0 ? 0 : 1;
    snprintf(sql, sizeof sql, "DROP MATERIALIZED VIEW IF EXISTS %s", view);
    db_exec(s.c, sql);
out:
    PQfinish(s.c);
    return rc;
}

/* check: an existing view against the baseline of the same rows */
int mode_check(const BenchOpts *o, NxWorkload w, const NxAnswer *answer)
{
    PGconn *c = db_connect(o->sluice, "sluiced");
    if (!c)
        return 1;
    char view[128], sql[256];
    if (o->view)
        snprintf(view, sizeof view, "%s", o->view);
    else
        snprintf(view, sizeof view, "sb_%s", nx_workload_name(w));
    snprintf(sql, sizeof sql, "SELECT * FROM %s", view);
    BenchResult r;
    bench_result_init(&r, "check", nx_workload_name(w));
    r.events = answer->rows;
    double t0 = bench_now();
    r.check = check_answer(c, sql, answer, false);
    r.seconds = bench_now() - t0;
    if (!r.check)
        r.check = "MISMATCH";
    bench_report(o, &r);
    PQfinish(c);
    return strcmp(r.check, "ok") == 0 ? 0 : 1;
}

/* ======================================================================== */
/* latency                                                                  */
/* ======================================================================== */

/* Each event that shows in the view is queued under a key the change row
 * carries: date_time (q0, q1: unique per event), (auction, price) (q2),
 * auction (agg: the n-th bid of an auction is delivered by the change
 * whose count reaches n). */
typedef struct LatKey {
    uint64_t key;
    int64_t head, tail;      /* queue of event indices, linked through next[] */
    int64_t delivered;       /* agg: the highest count seen */
    bool used;
} LatKey;

typedef struct Lat {
    NxWorkload w;
    LatKey *keys;
    size_t cap;
    int64_t *next;
    int64_t *send_ns;        /* written by the sender, read by the reader */
    double *lat_ms;          /* per event; < 0 not delivered */
    int64_t expected, received;
    double start;
    PGconn *sub;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int sub_state;           /* 0 starting, 1 streaming, 2 ended, 3 failed */
} Lat;

static LatKey *lat_slot(Lat *l, uint64_t key)
{
    size_t mask = l->cap - 1, i = (size_t)nx_mix64(key) & mask;
    while (l->keys[i].used && l->keys[i].key != key)
        i = (i + 1) & mask;
    return &l->keys[i];
}

static void lat_enqueue(Lat *l, uint64_t key, int64_t ev)
{
    LatKey *k = lat_slot(l, key);
    if (!k->used) {
        k->used = true;
        k->key = key;
        k->head = k->tail = -1;
    }
    l->next[ev] = -1;
    if (k->tail >= 0)
        l->next[k->tail] = ev;
    else
        k->head = ev;
    k->tail = ev;
    l->expected++;
}

static void lat_deliver(Lat *l, LatKey *k, double now)
{
    int64_t ev = k->head;
    if (ev < 0)
        return;
    k->head = l->next[ev];
    if (k->head < 0)
        k->tail = -1;
    int64_t sent = __atomic_load_n(&l->send_ns[ev], __ATOMIC_ACQUIRE);
    l->lat_ms[ev] = sent > 0 ? (now - l->start) * 1e3 - (double)sent / 1e6 : -1;
    l->received++;
}

/* one change row in COPY text format: progress \t diff \t columns... */
static void lat_row(Lat *l, char *line, int len, double now)
{
    char *f[8];
    int nf = 0;
    char *p = line, *end = line + len;
    if (len > 0 && end[-1] == '\n')
        end--;
    while (nf < 8) {
        f[nf++] = p;
        char *tab = memchr(p, '\t', (size_t)(end - p));
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    *end = '\0';
    if (nf < 4 || strcmp(f[1], "1") != 0)
        return;   /* retractions (-1) deliver nothing */
    int64_t a, b, dt;
    switch (l->w) {
    case NX_Q0:
    case NX_Q1:
        if (nf >= 6 && nx_parse_timestamp(f[5], strlen(f[5]), &dt)) {
            LatKey *k = lat_slot(l, (uint64_t)dt);
            if (k->used)
                lat_deliver(l, k, now);
        }
        break;
    case NX_Q2:
        if (nx_parse_i64(f[2], strlen(f[2]), &a) && nx_parse_i64(f[3], strlen(f[3]), &b)) {
            LatKey *k = lat_slot(l, nx_row_hash_q2(a, b));
            if (k->used)
                lat_deliver(l, k, now);
        }
        break;
    case NX_AGG:
        if (nx_parse_i64(f[2], strlen(f[2]), &a) && nx_parse_i64(f[3], strlen(f[3]), &b)) {
            LatKey *k = lat_slot(l, (uint64_t)a);
            while (k->used && k->delivered < b) {
                k->delivered++;
                lat_deliver(l, k, now);
            }
        }
        break;
    default:
        break;
    }
}

static void *lat_reader(void *arg)
{
    Lat *l = arg;
    PGresult *r = PQexec(l->sub, "COPY (SUBSCRIBE sb_lat) TO STDOUT");
    bool ok = PQresultStatus(r) == PGRES_COPY_OUT;
    if (!ok)
        fprintf(stderr, "sluice-bench: SUBSCRIBE: %s", PQerrorMessage(l->sub));
    PQclear(r);
    pthread_mutex_lock(&l->mu);
    l->sub_state = ok ? 1 : 3;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
    if (!ok)
        return NULL;
    for (;;) {
        char *buf;
        int n = PQgetCopyData(l->sub, &buf, 0);
        if (n < 0)
            break;
        double now = bench_now();
        pthread_mutex_lock(&l->mu);
        lat_row(l, buf, n, now);
        if (l->received >= l->expected)
            pthread_cond_broadcast(&l->cv);
        pthread_mutex_unlock(&l->mu);
        PQfreemem(buf);
    }
    while ((r = PQgetResult(l->sub)) != NULL)
        PQclear(r);
    pthread_mutex_lock(&l->mu);
    l->sub_state = 2;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int mode_latency(const BenchOpts *o, NxWorkload w)
{
    if (w == NX_DISTINCT) {
        fprintf(stderr, "sluice-bench: latency supports q0, q1, q2 and agg (a change of "
                        "count(DISTINCT) does not name the event that caused it)\n");
        return 2;
    }
    BenchOpts go = *o;
    go.events = (uint64_t)((double)o->rate * o->duration);
    if (go.events == 0)
        go.events = 1;
    BenchData d;
    bench_data_generate(&d, &go);   /* date_time spaced at the send rate */
    bench_data_parse(&d);
    NxAnswer answer;
    nx_answer_init(&answer, w);
    nx_answer_add(&answer, d.rows, d.n);

    Lat l = {.w = w};
    l.cap = 64;
    while (l.cap < d.n * 2)
        l.cap *= 2;
    l.keys = calloc(l.cap, sizeof *l.keys);
    l.next = calloc(d.n, sizeof *l.next);
    l.send_ns = calloc(d.n, sizeof *l.send_ns);
    l.lat_ms = malloc(d.n * sizeof *l.lat_ms);
    pthread_mutex_init(&l.mu, NULL);
    pthread_cond_init(&l.cv, NULL);
    for (uint64_t i = 0; i < d.n; i++) {
        const NxBid *b = &d.rows[i];
        l.lat_ms[i] = -1;
        if (w == NX_Q0 || w == NX_Q1)
            lat_enqueue(&l, (uint64_t)b->date_time, (int64_t)i);
        else if (w == NX_Q2 && b->auction % 123 == 0)
            lat_enqueue(&l, nx_row_hash_q2(b->auction, b->price), (int64_t)i);
        else if (w == NX_AGG)
            lat_enqueue(&l, (uint64_t)b->auction, (int64_t)i);
    }

    int rc = 1;
    Sluice s;
    bool reader = false;
    pthread_t th;
    PGcancel *cancel = NULL;
    if (!sluice_open(o, &s))
        goto out_free;
    char sql[1024];
    if (!sluice_create_stream(o, &s))
        goto out;
    int n = snprintf(sql, sizeof sql, "CREATE MATERIALIZED VIEW sb_lat");
    if (o->parallelism > 0)
        n += snprintf(sql + n, sizeof sql - (size_t)n, " WITH (parallelism = %d)", o->parallelism);
    snprintf(sql + n, sizeof sql - (size_t)n, " AS %s", nx_workload_sql(w));
    if (!db_exec(s.c, sql))
        goto out;
    l.sub = db_connect(o->sluice, "sluiced");
    PGconn *ins = db_connect(o->sluice, "sluiced");
    if (!l.sub || !ins) {
        PQfinish(ins);
        goto out;
    }
    if (s.pid)
        proc_reset_peak_rss(s.pid);
    cancel = PQgetCancel(l.sub);
    pthread_create(&th, NULL, lat_reader, &l);
    reader = true;
    pthread_mutex_lock(&l.mu);
    while (l.sub_state == 0)
        pthread_cond_wait(&l.cv, &l.mu);
    bool streaming = l.sub_state == 1;
    pthread_mutex_unlock(&l.mu);
    if (!streaming) {
        PQfinish(ins);
        goto out;
    }

    /* send: every event when it is due at the rate, in one COPY per round */
    l.start = bench_now();
    double cpu0 = s.pid ? proc_cpu_seconds(s.pid) : -1;
    uint64_t sent = 0, batches = 0;
    bool ok = true;
    while (sent < d.n && ok) {
        double el = bench_now() - l.start;
        uint64_t due = (uint64_t)(el * (double)o->rate) + 1;
        if (due > d.n)
            due = d.n;
        if (due <= sent) {
            double wait = (double)(sent) / (double)o->rate - el;
            struct timespec ts = {0, (long)(wait > 0 ? wait * 1e9 : 0) + 1000};
            if (ts.tv_nsec > 999999999)
                ts.tv_nsec = 999999999;
            nanosleep(&ts, NULL);
            continue;
        }
        int64_t ns = (int64_t)((bench_now() - l.start) * 1e9);
        for (uint64_t i = sent; i < due; i++)
            __atomic_store_n(&l.send_ns[i], ns > 0 ? ns : 1, __ATOMIC_RELEASE);
        ok = db_copy(ins, "COPY bid FROM STDIN WITH (FORMAT csv)", d.csv.p + d.line_off[sent],
                     d.line_off[due] - d.line_off[sent]);
        sent = due;
        batches++;
    }
    double send_secs = bench_now() - l.start;
    PQfinish(ins);
    if (!ok)
        goto out;
    /* wait for the last changes, at most 10 s */
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&l.mu);
    while (l.received < l.expected && l.sub_state == 1 &&
           pthread_cond_timedwait(&l.cv, &l.mu, &deadline) == 0)
        ;
    int64_t received = l.received;
    pthread_mutex_unlock(&l.mu);
    double cpu1 = s.pid ? proc_cpu_seconds(s.pid) : -1;

    BenchResult r;
    bench_result_init(&r, "latency", nx_workload_name(w));
    r.events = d.n;
    r.seconds = send_secs;
    r.events_per_sec = (double)d.n / send_secs;
    if (cpu0 >= 0 && cpu1 > cpu0) {
        r.cpu_seconds = cpu1 - cpu0;
        r.per_core = (double)d.n / r.cpu_seconds;
    }
    if (s.pid)
        r.peak_rss_kb = proc_peak_rss_kb(s.pid);
    double *v = malloc((size_t)(received > 0 ? received : 1) * sizeof *v);
    int64_t nv = 0;
    for (uint64_t i = 0; i < d.n; i++)
        if (l.lat_ms[i] >= 0 && nv < received)
            v[nv++] = l.lat_ms[i];
    if (nv > 0) {
        qsort(v, (size_t)nv, sizeof *v, cmp_double);
        r.p50_ms = v[(size_t)((double)(nv - 1) * 0.50)];
        r.p99_ms = v[(size_t)((double)(nv - 1) * 0.99)];
        r.max_ms = v[nv - 1];
    }
    free(v);
    if (received < l.expected) {
        fprintf(stderr, "sluice-bench: MISMATCH: %lld of %lld changes arrived within 10 s\n",
                (long long)received, (long long)l.expected);
        r.check = "MISMATCH";
    } else {
        r.check = check_answer(s.c, "SELECT * FROM sb_lat", &answer, false);
        if (!r.check)
            r.check = "MISMATCH";
    }
    snprintf(r.settings, sizeof r.settings, "%s", s.settings);
    settings_add_int(r.settings, sizeof r.settings, "rate", (long)o->rate);
    settings_add_int(r.settings, sizeof r.settings, "copy_batches", (long)batches);
    bench_report(o, &r);
    rc = strcmp(r.check, "ok") == 0 ? 0 : 1;

out:
    if (reader) {
        char err[256];
        if (cancel)
            PQcancel(cancel, err, sizeof err);
        pthread_join(th, NULL);
    }
    if (cancel)
        PQfreeCancel(cancel);
    PQfinish(l.sub);
    db_exec(s.c, "DROP MATERIALIZED VIEW IF EXISTS sb_lat");
    PQfinish(s.c);
out_free:
    nx_answer_free(&answer);
    free(l.keys);
    free(l.next);
    free(l.send_ns);
    free(l.lat_ms);
    pthread_mutex_destroy(&l.mu);
    pthread_cond_destroy(&l.cv);
    bench_data_free(&d);
    return rc;
}
