/*
 * bench.h — sluice-bench's modes, options and results (internal to
 * clients/bench). nexmark.h holds the generator and the baseline loops.
 */
#ifndef SL_BENCH_BENCH_H
#define SL_BENCH_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <libpq-fe.h>

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
    int parallelisms[16];    /* process: --parallelism 1,2,...: each workload at each, in order */
    int nparallelisms;
    pid_t server_pid;        /* 0: found through the port */
    double duration;         /* latency mode: seconds of sending */
    int batch;               /* PostgreSQL trigger baseline: rows per COPY */
    const char *view;        /* check: the view to read */
    const char *durability;  /* CREATE STREAM ... WITH (durability = '...'); NULL: default */
    const char *durability_list; /* ingest: comma-separated modes, one run each */
    const char *keys;        /* checkpoint-size, recovery: comma-separated distinct keys */
    int touch;               /* checkpoint-size, recovery: keys changed after the full checkpoint */
    int repeat;              /* checkpoint: off/on pairs; ingest: runs per durability */
    uint64_t copy_rows;      /* rows per COPY statement */
    const char *interval;    /* checkpoint_interval of the views that checkpoint */
    const char *sluiced;     /* --sluiced PATH: sluice-bench starts the server itself */
    const char *data_dir;    /* its data directory */
    const char *sluiced_args;/* extra arguments for it, space-separated */
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
    char note[128];          /* printed after the check in the table */
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

/* CPU seconds of a process and its direct children (a postmaster and its backends) */
double proc_tree_cpu_seconds(pid_t pid);

/* A sluiced started by sluice-bench (--sluiced PATH --data DIR). */
typedef struct BenchServer {
    const char *path, *data, *extra;
    int port;
    pid_t pid;               /* 0: not running */
    char conninfo[128];
    char log_path[1100];     /* DATA/sluiced-bench.log: the server's output */
    long log_offset;         /* where the current start's lines begin */
} BenchServer;

bool server_init(BenchServer *s, const char *path, const char *data, const char *extra_args);
/* fork/exec, then poll until SELECT 1 answers; *ready_seconds from just
 * before the fork */
bool server_start(BenchServer *s, double timeout, double *ready_seconds);
bool server_kill9(BenchServer *s);
bool server_stop(BenchServer *s, double timeout);   /* SIGTERM (final checkpoint) and wait */
char *server_log_since_start(const BenchServer *s); /* caller frees */
pid_t server_pg_pid(const BenchServer *s);          /* the private PostgreSQL's postmaster */
extern BenchServer *bench_server;                   /* NULL: the server is --sluice's */

/* libpq helpers of modes.c, shared with durable.c */
PGconn *db_connect(const char *conninfo, const char *what);
bool db_exec(PGconn *c, const char *sql);
char *db_value(PGconn *c, const char *sql);          /* first column of the first row; caller frees */
bool db_copy(PGconn *c, const char *sql, const char *data, size_t len);
/* "ok" or "MISMATCH" (reason on stderr); NULL on a query error */
const char *check_answer(PGconn *c, const char *sql, const NxAnswer *want, bool sum_not_avg);
void settings_add(char *json, size_t cap, PGconn *c, const char *name);
void settings_add_int(char *json, size_t cap, const char *name, long v);
void settings_add_num(char *json, size_t cap, const char *name, double v);
void settings_add_str(char *json, size_t cap, const char *name, const char *v);

typedef struct Sluice {
    PGconn *c;
    pid_t pid;               /* 0: unknown (no CPU time, no RSS) */
    char settings[512];
} Sluice;

bool sluice_open(const BenchOpts *o, Sluice *s);
void result_speeds(BenchResult *r, const Sluice *s, uint64_t events, double cpu0, double limit);
void result_check_view(BenchResult *r, const Sluice *s, const char *view, const NxAnswer *answer);
bool sluice_create_stream(const BenchOpts *o, Sluice *s);
int64_t stream_rows(Sluice *s);
bool parallel_copy(const BenchOpts *o, Sluice *s, const BenchData *d, double *seconds, double *cpu);
bool view_progress(Sluice *s, const char *view, int64_t *lag, char *state, size_t cap);
/* lag 0, then a snapshot read (which waits for every ingested row); false if the view failed */
bool view_wait_caught_up(Sluice *s, const char *view);

/* the modes; each returns 0, or non-zero on an error or a MISMATCH */
int mode_gen(const BenchOpts *o);
int mode_limits(const BenchOpts *o, BenchData *d, double *ingest_limit,
                double limit[NX_WORKLOADS], NxAnswer answers[NX_WORKLOADS]);
int mode_pg(const BenchOpts *o, BenchData *d, double *copy_rate, double *trigger_rate,
            const NxAnswer *agg_answer, double ingest_limit, double agg_limit);
int mode_ingest(const BenchOpts *o, BenchData *d, double limit, double pg_rate);
/* the view first, then the rows COPY'd in: ingestion and the view together */
int mode_e2e(const BenchOpts *o, BenchData *d, NxWorkload w, double limit, double pg_rate, const NxAnswer *answer);
int mode_process(const BenchOpts *o, BenchData *d, NxWorkload w, double limit,
                 double pg_rate, const NxAnswer *answer, double *events_per_sec);
int mode_latency(const BenchOpts *o, NxWorkload w);
int mode_check(const BenchOpts *o, NxWorkload w, const NxAnswer *answer);
int mode_checkpoint(const BenchOpts *o, BenchData *d, double limit, const NxAnswer *answer);
int mode_checkpoint_size(const BenchOpts *o);
int mode_recovery(const BenchOpts *o);

#endif
