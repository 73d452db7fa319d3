/*
 * bench.h — sluice-bench's modes, options and results (internal to
 * clients/bench). nexmark.h holds the generator and the baseline loops.
 */
#ifndef SL_BENCH_BENCH_H
#define SL_BENCH_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "nexmark.h"

typedef struct BenchOpts {
    const char *mode;
    uint64_t events;         /* rows of the requested kind (bids for the server modes) */
    uint64_t seed;
    int64_t rate;            /* date_time spacing; the send rate in latency mode */
    const char *kind;        /* gen: bid, person, auction, all */
    bool workload_set[NX_WORKLOADS];
    const char *pg;          /* PostgreSQL conninfo, NULL: no PostgreSQL baselines */
    const char *sluice;      /* sluiced conninfo */
    int connections;
    int partitions;          /* CREATE STREAM ... WITH (partitions = n); 0: server default */
    int parallelism;         /* CREATE MATERIALIZED VIEW ... WITH (parallelism = n); 0: default */
    pid_t server_pid;        /* 0: found through the port */
    double duration;         /* latency mode: seconds of sending */
    int batch;               /* PostgreSQL trigger baseline: rows per COPY */
    const char *view;        /* check: the view to read */
    char *command;           /* the exact command line, for the RESULT lines */
} BenchOpts;

/* One measured number; printed in the table and as a RESULT line. */
typedef struct BenchResult {
    char mode[32];
    char workload[16];
    uint64_t events;
    double seconds;
    double events_per_sec;
    double cpu_seconds;      /* < 0: not measured */
    double per_core;         /* events / cpu_seconds; < 0: not measured */
    double ratio_vs_limit;   /* < 0: none */
    double ratio_vs_pg;      /* < 0: none */
    double mb_per_sec;       /* < 0: none */
    long peak_rss_kb;        /* < 0: not measured */
    double p50_ms, p99_ms, max_ms; /* latency; < 0: none */
    const char *check;       /* "ok", "MISMATCH", "-" (no answer to check) */
    char settings[512];      /* a JSON object */
} BenchResult;

void bench_result_init(BenchResult *r, const char *mode, const char *workload);
/* records a result (copied); printed as RESULT at once and in the table at the end */
void bench_report(const BenchOpts *o, const BenchResult *r);
void bench_print_table(void);

/* the bids of the run: generated once and shared by every mode */
typedef struct BenchData {
    NxOut csv;               /* the CSV lines */
    size_t *line_off;        /* n + 1 offsets of the lines in csv */
    NxBid *rows;             /* parsed back (ingestion limit), pointing into parsed_buf */
    char *parsed_buf;
    uint64_t n;
    double gen_seconds, parse_seconds;
} BenchData;

void bench_data_generate(BenchData *d, const BenchOpts *o);
void bench_data_parse(BenchData *d);
void bench_data_free(BenchData *d);

double bench_now(void);      /* monotonic seconds */

/* /proc: CPU seconds (user + system, all threads), peak RSS (VmHWM, kB) */
double proc_cpu_seconds(pid_t pid);            /* < 0 on error */
long proc_peak_rss_kb(pid_t pid);              /* < 0 on error */
long proc_rss_kb(pid_t pid);
bool proc_reset_peak_rss(pid_t pid);           /* writes 5 to clear_refs */
pid_t proc_pid_listening_on(int port);         /* 0 if not found */

/* the modes; each returns 0, or non-zero on an error or a MISMATCH */
int mode_gen(const BenchOpts *o);
int mode_limits(const BenchOpts *o, BenchData *d, double *ingest_limit,
                double limit[NX_WORKLOADS], NxAnswer answers[NX_WORKLOADS]);
int mode_pg(const BenchOpts *o, BenchData *d, double *copy_rate, double *trigger_rate,
            const NxAnswer *agg_answer, double ingest_limit, double agg_limit);
int mode_ingest(const BenchOpts *o, BenchData *d, double limit, double pg_rate);
int mode_process(const BenchOpts *o, BenchData *d, NxWorkload w, double limit,
                 double pg_rate, const NxAnswer *answer);
int mode_latency(const BenchOpts *o, NxWorkload w);
int mode_check(const BenchOpts *o, NxWorkload w, const NxAnswer *answer);

#endif
