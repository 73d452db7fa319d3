/*
 * sluice-bench — the Nexmark load generator and measuring tool of Sluice.
 *
 *   sluice-bench gen     --events N [--seed S] [--kind bid|person|auction|all] [--rate R]
 *   sluice-bench limits  --events N [--workload W,...]
 *   sluice-bench pg      --pg CONNINFO --events N [--batch 1000]
 *   sluice-bench ingest  [--sluice CONNINFO] --events N [--connections C] [--partitions P] [--pg ...]
 *   sluice-bench process [--sluice CONNINFO] --events N [--workload W,...] [--parallelism P] [--pg ...]
 *   sluice-bench e2e     [--sluice CONNINFO] --events N [--workload W,...] [--connections C] [--pg ...]
 *   sluice-bench latency [--sluice CONNINFO] --rate R --duration S [--workload W]
 *   sluice-bench check   [--sluice CONNINFO] --events N --workload W [--view NAME]
 *   sluice-bench checkpoint [--sluice ...] --events N [--interval '1 s'] [--repeat 3]
 *   sluice-bench checkpoint-size [--sluice ...] [--keys 1000,100000,1000000] [--touch 10]
 *   sluice-bench recovery --sluiced PATH --data DIR [--keys ...] [--touch 10]
 *   (ingest also takes --durability fsync,batch,none; any server mode --sluiced PATH --data DIR)
 *
 * See docs/benchmarks.md for what each number means.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

/* ======================================================================== */
/* Results                                                                  */
/* ======================================================================== */

#define MAX_RESULTS 64
static BenchResult results[MAX_RESULTS];
static int nresults;
BenchServer *bench_server;

void bench_result_init(BenchResult *r, const char *mode, const char *workload)
{
    memset(r, 0, sizeof *r);
    snprintf(r->mode, sizeof r->mode, "%s", mode);
    snprintf(r->workload, sizeof r->workload, "%s", workload);
    r->cpu_seconds = r->per_core = r->ratio_vs_limit = r->ratio_vs_pg = r->mb_per_sec = -1;
    r->p50_ms = r->p99_ms = r->max_ms = -1;
    r->peak_rss_kb = -1;
    r->check = "-";
    snprintf(r->settings, sizeof r->settings, "{}");
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void json_num(FILE *f, const char *key, double v, const char *fmt)
{
    fprintf(f, ",\"%s\":", key);
    if (v < 0)
        fputs("null", f);
    else
        fprintf(f, fmt, v);
}

void bench_report(const BenchOpts *o, const BenchResult *r)
{
    if (nresults < MAX_RESULTS)
        results[nresults++] = *r;
    FILE *f = stdout;
    fprintf(f, "RESULT {\"mode\":");
    json_str(f, r->mode);
    fprintf(f, ",\"workload\":");
    json_str(f, r->workload);
    fprintf(f, ",\"events\":%llu", (unsigned long long)r->events);
    json_num(f, "seconds", r->seconds, "%.6f");
    json_num(f, "events_per_sec", r->events_per_sec, "%.0f");
    json_num(f, "cpu_seconds", r->cpu_seconds, "%.3f");
    json_num(f, "per_core", r->per_core, "%.0f");
    json_num(f, "ratio_vs_limit", r->ratio_vs_limit, "%.4f");
    json_num(f, "ratio_vs_pg", r->ratio_vs_pg, "%.4f");
    json_num(f, "mb_per_sec", r->mb_per_sec, "%.1f");
    json_num(f, "peak_rss_kb", (double)r->peak_rss_kb, "%.0f");
    json_num(f, "p50_ms", r->p50_ms, "%.3f");
    json_num(f, "p99_ms", r->p99_ms, "%.3f");
    json_num(f, "max_ms", r->max_ms, "%.3f");
    fprintf(f, ",\"check\":");
    json_str(f, r->check);
    fprintf(f, ",\"command\":");
    json_str(f, o->command);
    fprintf(f, ",\"settings\":%s,\"nproc\":%ld}\n", r->settings, sysconf(_SC_NPROCESSORS_ONLN));
    fflush(f);
}

static void fmt_num(char *dst, size_t n, double v, const char *fmt)
{
    if (v < 0)
        snprintf(dst, n, "-");
    else
        snprintf(dst, n, fmt, v);
}

void bench_print_table(void)
{
    if (nresults == 0)
        return;
    printf("\n%-14s %-9s %10s %9s %12s %12s %9s %8s %9s %s\n", "mode", "workload", "events",
           "seconds", "events/s", "per core", "vs limit", "vs pg", "peak MB", "check / latency");
    for (int i = 0; i < nresults; i++) {
        const BenchResult *r = &results[i];
        char eps[32], pc[32], vl[32], vp[32], rss[32], sec[32];
        fmt_num(sec, sizeof sec, r->seconds, "%.3f");
        fmt_num(eps, sizeof eps, r->events_per_sec, "%.0f");
        fmt_num(pc, sizeof pc, r->per_core, "%.0f");
        fmt_num(vl, sizeof vl, r->ratio_vs_limit, "%.3f");
        fmt_num(vp, sizeof vp, r->ratio_vs_pg, "%.2f");
        fmt_num(rss, sizeof rss, r->peak_rss_kb < 0 ? -1 : (double)r->peak_rss_kb / 1024.0, "%.0f");
        printf("%-14s %-9s %10llu %9s %12s %12s %9s %8s %9s %s", r->mode, r->workload,
               (unsigned long long)r->events, sec, eps, pc, vl, vp, rss, r->check);
        if (r->p50_ms >= 0)
            printf("  p50 %.2f ms  p99 %.2f ms  max %.2f ms", r->p50_ms, r->p99_ms, r->max_ms);
        printf("%s\n", r->note);
    }
}

/* A --parallelism list alternating two values (1,2,1,2 ...) measures the
 * speedup of the higher over the lower in pairs of adjacent runs, each
 * pair as close in time as runs get: the pairs and their median are
 * printed after the table (the machine's speed drifts by tens of percent
 * between runs a few seconds apart). */
static char scaling_note[1024];

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void note_scaling(const char *workload, const int *par, const double *eps, int n)
{
    if (n < 2 || !par)
        return;
    int lo = par[0], hi = par[1];
    if (lo == hi)
        return;
    for (int k = 0; k < n; k++)
        if (par[k] != (k % 2 ? hi : lo))
            return;
    if (lo > hi) {
        int x = lo;
        lo = hi;
        hi = x;
    }
    double r[64];
    int nr = 0;
    for (int k = 1; k < n && nr < 64; k += 2)
        if (eps[k - 1] > 0 && eps[k] > 0)
            r[nr++] = par[k] == hi ? eps[k] / eps[k - 1] : eps[k - 1] / eps[k];
    if (nr == 0)
        return;
    size_t len = strlen(scaling_note);
    len += (size_t)snprintf(scaling_note + len, sizeof scaling_note - len, "%s: parallelism %d vs %d, pairs", workload,
                            hi, lo);
    for (int i = 0; i < nr && len < sizeof scaling_note; i++)
        len += (size_t)snprintf(scaling_note + len, sizeof scaling_note - len, " %.2f", r[i]);
    qsort(r, (size_t)nr, sizeof r[0], cmp_double);
    double med = nr % 2 ? r[nr / 2] : (r[nr / 2 - 1] + r[nr / 2]) / 2;
    if (len < sizeof scaling_note)
        snprintf(scaling_note + len, sizeof scaling_note - len, "; median %.2fx\n", med);
}

/* ======================================================================== */
/* The bids of a run                                                        */
/* ======================================================================== */

void bench_data_generate(BenchData *d, const BenchOpts *o)
{
    memset(d, 0, sizeof *d);
    nx_out_init(&d->csv);
    d->line_off = malloc((o->events + 1) * sizeof *d->line_off);
    if (!d->line_off) {
        fprintf(stderr, "sluice-bench: out of memory\n");
        exit(2);
    }
    nx_out_reserve(&d->csv, o->events * 200 + 1);
    memset(d->csv.p, 0, d->csv.cap);   /* fault the pages in before timing */
    NxGen *g = nx_gen_new(o->seed, o->rate, NX_DEFAULT_BASE_USEC);
    double t0 = bench_now();
    NxEvent ev;
    uint64_t n = 0;
    while (n < o->events) {
        nx_gen_next(g, &ev);
        if (ev.kind != NX_BID)
            continue;
        d->line_off[n++] = d->csv.len;
        nx_csv_bid(&d->csv, &ev.u.bid);
    }
    d->line_off[n] = d->csv.len;
    d->gen_seconds = bench_now() - t0;
    d->n = n;
    nx_gen_free(g);
}

void bench_data_parse(BenchData *d)
{
    if (d->rows)
        return;
    d->parsed_buf = malloc(d->csv.len + 1);
    d->rows = malloc((d->n + 1) * sizeof *d->rows);
    if (!d->parsed_buf || !d->rows) {
        fprintf(stderr, "sluice-bench: out of memory\n");
        exit(2);
    }
    memcpy(d->parsed_buf, d->csv.p, d->csv.len);
    memset(d->rows, 0, (d->n + 1) * sizeof *d->rows);   /* fault the pages in before timing */
    size_t used;
    long bad = 0;
    double t0 = bench_now();
    long n = nx_parse_bids(d->parsed_buf, d->csv.len, d->rows, d->n, &used, &bad);
    d->parse_seconds = bench_now() - t0;
    if (n < 0 || (uint64_t)n != d->n) {
        fprintf(stderr, "sluice-bench: the ingestion-limit parser failed (line %ld)\n", bad);
        exit(2);
    }
}

void bench_data_free(BenchData *d)
{
    nx_out_free(&d->csv);
    free(d->line_off);
    free(d->rows);
    free(d->parsed_buf);
    memset(d, 0, sizeof *d);
}

/* ======================================================================== */
/* gen                                                                      */
/* ======================================================================== */

int mode_gen(const BenchOpts *o)
{
    int want; /* -1: all */
    if (strcmp(o->kind, "all") == 0)
        want = -1;
    else if (strcmp(o->kind, "bid") == 0)
        want = NX_BID;
    else if (strcmp(o->kind, "person") == 0)
        want = NX_PERSON;
    else if (strcmp(o->kind, "auction") == 0)
        want = NX_AUCTION;
    else {
        fprintf(stderr, "sluice-bench: --kind must be bid, person, auction or all\n");
        return 2;
    }
    static const char *const tags[] = {"person,", "auction,", "bid,"};
    NxGen *g = nx_gen_new(o->seed, o->rate, NX_DEFAULT_BASE_USEC);
    NxOut out;
    nx_out_init(&out);
    nx_out_reserve(&out, 1 << 20);
    NxEvent ev;
    uint64_t n = 0;
    while (n < o->events) {
        nx_gen_next(g, &ev);
        if (want >= 0 && (int)ev.kind != want)
            continue;
        n++;
        if (want < 0) {
            size_t tl = strlen(tags[ev.kind]);
            nx_out_reserve(&out, tl);
            memcpy(out.p + out.len, tags[ev.kind], tl);
            out.len += tl;
        }
        switch (ev.kind) {
        case NX_PERSON:
            nx_csv_person(&out, &ev.u.person);
            break;
        case NX_AUCTION:
            nx_csv_auction(&out, &ev.u.auction);
            break;
        case NX_BID:
            nx_csv_bid(&out, &ev.u.bid);
            break;
        }
        if (out.len >= (1 << 20)) {
            if (fwrite(out.p, 1, out.len, stdout) != out.len) {
                perror("sluice-bench: write");
                return 1;
            }
            out.len = 0;
        }
    }
    int rc = 0;
    if (out.len && fwrite(out.p, 1, out.len, stdout) != out.len) {
        perror("sluice-bench: write");
        rc = 1;
    }
    if (fflush(stdout) != 0)
        rc = 1;
    nx_out_free(&out);
    nx_gen_free(g);
    return rc;
}

/* ======================================================================== */
/* The command line                                                         */
/* ======================================================================== */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sluice-bench MODE [options]\n"
            "modes:\n"
            "  gen       write generated Nexmark rows as CSV to stdout\n"
            "  limits    generator speed, ingestion limit (CSV parse), processing limits\n"
            "  pg        PostgreSQL COPY and the trigger (transition table) baseline\n"
            "  ingest    COPY the bids into a sluiced stream over C connections\n"
            "  process   load the bids, then create each view and time its catch-up\n"
            "  e2e       create each view, then COPY the bids in: time until it caught up\n"
            "  latency   send at a fixed rate, subscribe to the view, event-to-change latency\n"
            "  check     compare an existing view (--view, default sb_<workload>) with the\n"
            "            baseline answer for --events bids of --seed\n"
            "  checkpoint       the agg view while the bids are COPY'd: checkpoints every\n"
            "                   --interval versus none, --repeat pairs, and the ratio\n"
            "  checkpoint-size  duration and bytes of the first (full) checkpoint of a view\n"
            "                   of K groups, then of one after --touch keys changed\n"
            "  recovery         K groups, a complete checkpoint, kill -9, restart: time\n"
            "                   until the view answers right (needs --sluiced and --data)\n"
            "options:\n"
            "  --events N        rows of the kind (bids for the server modes); default 1000000\n"
            "  --seed S          generator seed; default 1\n"
            "  --kind K          gen: bid, person, auction or all (tagged lines); default bid\n"
            "  --rate R          events/s: date_time spacing; latency: the send rate\n"
            "  --workload W,...  q0, q1, q2, agg, distinct or all; default all (latency: q0)\n"
            "  --pg CONNINFO     PostgreSQL for the baselines (pg mode; ratios in the others)\n"
            "  --sluice CONNINFO sluiced; default host=127.0.0.1 port=6543 user=bench dbname=sluice\n"
            "  --connections C   COPY connections for ingest/process; default 1\n"
            "  --partitions P    CREATE STREAM ... WITH (partitions = P)\n"
            "  --parallelism P   CREATE MATERIALIZED VIEW ... WITH (parallelism = P); process takes\n"
            "                    a list (1,2,1,2): each workload at each, in that order\n"
            "  --server-pid PID  sluiced's pid (CPU time, peak RSS); default: who listens on the port\n"
            "  --duration S      latency: seconds of sending; default 5\n"
            "  --batch N         pg: rows per COPY in the trigger baseline; default 1000\n"
            "  --view NAME       check: the view to compare\n"
            "  --durability D,.. CREATE STREAM ... WITH (durability = D); ingest: one run each\n"
            "  --keys K,...      checkpoint-size, recovery: distinct keys (1000,100000,1000000)\n"
            "  --touch N         keys changed after the full checkpoint; default 10\n"
            "  --interval I      checkpoint_interval of the views that checkpoint; default '1 s'\n"
            "  --repeat N        checkpoint: off/on pairs (default 3); ingest: runs per durability;\n"
            "                    e2e: runs per workload\n"
            "  --copy-rows N     rows per COPY statement; default 100000\n"
            "  --sluiced PATH    start this sluiced (free port, --data DIR) instead of --sluice;\n"
            "                    it is stopped with SIGTERM at the end\n"
            "  --data DIR        its data directory (created if missing; first start: initdb)\n"
            "  --sluiced-args S  more arguments for it, space-separated (\"--workers 2\")\n");
}

static char *join_argv(int argc, char **argv)
{
    size_t n = 1;
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) * 4 + 3;
    char *s = malloc(n), *p = s;
    for (int i = 0; i < argc; i++) {
        if (i)
            *p++ = ' ';
        bool plain = argv[i][0] != '\0';
        for (const char *c = argv[i]; *c; c++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./,:@", *c))
                plain = false;
        if (plain) {
            p += sprintf(p, "%s", argv[i]);
            continue;
        }
        *p++ = '\'';
        for (const char *c = argv[i]; *c; c++) {
            if (*c == '\'') {
                memcpy(p, "'\\''", 4);
                p += 4;
            } else {
                *p++ = *c;
            }
        }
        *p++ = '\'';
    }
    *p = '\0';
    return s;
}

static int parse_workloads(const char *s, bool set[NX_WORKLOADS])
{
    memset(set, 0, NX_WORKLOADS * sizeof set[0]);
    char *copy = strdup(s), *save = NULL;
    int rc = 0;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        NxWorkload w;
        if (strcmp(t, "all") == 0) {
            for (int i = 0; i < NX_WORKLOADS; i++)
                set[i] = true;
        } else if (nx_workload_parse(t, &w) == 0) {
            set[w] = true;
        } else {
            fprintf(stderr, "sluice-bench: unknown workload \"%s\" (q0, q1, q2, agg, distinct, all)\n", t);
            rc = -1;
        }
    }
    free(copy);
    return rc;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    double v = strtod(s, &end);   /* accepts 1e6 */
    if (end == s || *end || v < 0 || v > 1e15)
        return false;
    *out = (uint64_t)v;
    return true;
}

int main(int argc, char **argv)
{
    BenchOpts o = {
        .events = 1000000,
        .seed = 1,
        .rate = 0,
        .kind = "bid",
        .sluice = "host=127.0.0.1 port=6543 user=bench dbname=sluice",
        .connections = 1,
        .duration = 5,
        .batch = 1000,
        .keys = "1000,100000,1000000",
        .touch = 10,
        .interval = "1 s",
        .copy_rows = 100000,
    };
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    o.mode = argv[1];
    o.command = join_argv(argc, argv);
    const char *workloads = NULL;

    static const struct option longopts[] = {
        {"events", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"kind", required_argument, NULL, 'k'},
        {"rate", required_argument, NULL, 'r'},
        {"workload", required_argument, NULL, 'w'},
        {"pg", required_argument, NULL, 'g'},
        {"sluice", required_argument, NULL, 'S'},
        {"connections", required_argument, NULL, 'c'},
        {"partitions", required_argument, NULL, 'P'},
        {"parallelism", required_argument, NULL, 'p'},
        {"server-pid", required_argument, NULL, 'i'},
        {"duration", required_argument, NULL, 'd'},
        {"batch", required_argument, NULL, 'b'},
        {"view", required_argument, NULL, 'v'},
        {"durability", required_argument, NULL, 'D'},
        {"keys", required_argument, NULL, 'K'},
        {"touch", required_argument, NULL, 't'},
        {"interval", required_argument, NULL, 'I'},
        {"repeat", required_argument, NULL, 'R'},
        {"copy-rows", required_argument, NULL, 'C'},
        {"sluiced", required_argument, NULL, 'X'},
        {"data", required_argument, NULL, 'A'},
        {"sluiced-args", required_argument, NULL, 'x'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 2;
    int c;
    uint64_t u;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!parse_u64(optarg, &o.events) || o.events == 0)
                goto bad;
            break;
        case 's':
            if (!parse_u64(optarg, &o.seed))
                goto bad;
            break;
        case 'k':
            o.kind = optarg;
            break;
        case 'r':
            if (!parse_u64(optarg, &u) || u == 0)
                goto bad;
            o.rate = (int64_t)u;
            break;
        case 'w':
            workloads = optarg;
            break;
        case 'g':
            o.pg = optarg;
            break;
        case 'S':
            o.sluice = optarg;
            break;
        case 'c':
            if (!parse_u64(optarg, &u) || u == 0 || u > 64)
                goto bad;
            o.connections = (int)u;
            break;
        case 'P':
            if (!parse_u64(optarg, &u) || u > 1024)
                goto bad;
            o.partitions = (int)u;
            break;
        case 'p': {
            /* one number, or a list for process (each workload at each) */
            char *list = strdup(optarg), *save = NULL;
            o.nparallelisms = 0;
            bool okp = true;
            for (char *t = strtok_r(list, ",", &save); t && okp; t = strtok_r(NULL, ",", &save)) {
                okp = parse_u64(t, &u) && u <= 1024 && o.nparallelisms < 16;
                if (okp)
                    o.parallelisms[o.nparallelisms++] = (int)u;
            }
            free(list);
            if (!okp || o.nparallelisms == 0)
                goto bad;
            o.parallelism = o.parallelisms[0];
            break;
        }
        case 'i':
            if (!parse_u64(optarg, &u) || u == 0)
                goto bad;
            o.server_pid = (pid_t)u;
            break;
        case 'd':
            o.duration = strtod(optarg, NULL);
            if (o.duration <= 0)
                goto bad;
            break;
        case 'b':
            if (!parse_u64(optarg, &u) || u == 0)
                goto bad;
            o.batch = (int)u;
            break;
        case 'v':
            o.view = optarg;
            break;
        case 'D':
            for (const char *p = optarg; *p; p++)
                if (!strchr("abcdefghijklmnopqrstuvwxyz,", *p))
                    goto bad;
            o.durability_list = optarg;
            break;
        case 'K':
            o.keys = optarg;
            break;
        case 't':
            if (!parse_u64(optarg, &u) || u == 0 || u > 100000)
                goto bad;
            o.touch = (int)u;
            break;
        case 'I':
            for (const char *p = optarg; *p; p++)
                if (*p == '\'' || *p == '\\')
                    goto bad;
            o.interval = optarg;
            break;
        case 'R':
            if (!parse_u64(optarg, &u) || u == 0 || u > 64)
                goto bad;
            o.repeat = (int)u;
            break;
        case 'C':
            if (!parse_u64(optarg, &u) || u == 0)
                goto bad;
            o.copy_rows = u;
            break;
        case 'X':
            o.sluiced = optarg;
            break;
        case 'A':
            o.data_dir = optarg;
            break;
        case 'x':
            o.sluiced_args = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
        continue;
    bad:
        fprintf(stderr, "sluice-bench: bad value \"%s\"\n", optarg);
        return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "sluice-bench: unexpected argument \"%s\"\n", argv[optind]);
        return 2;
    }
    bool latency = strcmp(o.mode, "latency") == 0;
    bool ckpt = strcmp(o.mode, "checkpoint") == 0;
    if (parse_workloads(workloads ? workloads : latency ? "q0" : ckpt ? "agg" : "all",
                        o.workload_set) != 0)
        return 2;
    if (o.rate == 0)
        o.rate = latency ? 100000 : NX_DEFAULT_RATE;

    int rc = 0;
    if (strcmp(o.mode, "gen") == 0) {
        rc = mode_gen(&o);
        free(o.command);
        return rc;
    }
    bool limits = strcmp(o.mode, "limits") == 0, pg = strcmp(o.mode, "pg") == 0,
         ingest = strcmp(o.mode, "ingest") == 0, process = strcmp(o.mode, "process") == 0,
         check = strcmp(o.mode, "check") == 0, ckpt_size = strcmp(o.mode, "checkpoint-size") == 0,
         recovery = strcmp(o.mode, "recovery") == 0, e2e = strcmp(o.mode, "e2e") == 0;
    if (!limits && !pg && !ingest && !process && !check && !latency && !ckpt && !ckpt_size &&
        !recovery && !e2e) {
        fprintf(stderr, "sluice-bench: unknown mode \"%s\"\n", o.mode);
        usage(stderr);
        free(o.command);
        return 2;
    }
    if (pg && !o.pg) {
        fprintf(stderr, "sluice-bench: pg mode needs --pg CONNINFO\n");
        free(o.command);
        return 2;
    }
    if (recovery && !o.sluiced) {
        fprintf(stderr, "sluice-bench: recovery kills and restarts the server: give --sluiced PATH --data DIR\n");
        free(o.command);
        return 2;
    }
    if (ckpt)
        for (int w = 0; w < NX_WORKLOADS; w++)
            o.workload_set[w] = w == NX_AGG;
    if (o.durability_list && !ingest) {
        /* the other modes take one durability for the streams they create */
        if (strchr(o.durability_list, ',')) {
            fprintf(stderr, "sluice-bench: only ingest takes several --durability modes\n");
            free(o.command);
            return 2;
        }
        o.durability = o.durability_list;
    }

    /* a server of our own: started now, stopped (SIGTERM) at the end */
    BenchServer server;
    if (o.sluiced && !limits && !pg) {
        if (!o.data_dir) {
            fprintf(stderr, "sluice-bench: --sluiced needs --data DIR\n");
            free(o.command);
            return 2;
        }
        double ready;
        if (!server_init(&server, o.sluiced, o.data_dir, o.sluiced_args) ||
            !server_start(&server, 600, &ready)) {
            free(o.command);
            return 1;
        }
        bench_server = &server;
        o.sluice = server.conninfo;
        o.server_pid = server.pid;
        fprintf(stderr, "sluice-bench: started %s (pid %d) on port %d in %.2f s; its log: %s\n",
                o.sluiced, (int)server.pid, server.port, ready, server.log_path);
    }

    if (latency) {
        for (int w = 0; w < NX_WORKLOADS && rc == 0; w++)
            if (o.workload_set[w])
                rc = mode_latency(&o, (NxWorkload)w);
    } else if (ckpt_size) {
        rc = mode_checkpoint_size(&o);
    } else if (recovery) {
        rc = mode_recovery(&o);
    } else {
        BenchData d;
        bench_data_generate(&d, &o);
        double ingest_limit = 0, limit[NX_WORKLOADS] = {0};
        NxAnswer answers[NX_WORKLOADS];
        /* the limit loops run in every mode: they give the ratios and the answers */
        if (pg)
            for (int w = 0; w < NX_WORKLOADS; w++)
                o.workload_set[w] = w == NX_AGG;
        rc = mode_limits(&o, &d, &ingest_limit, limit, answers);
        double pg_copy = -1, pg_trigger = -1;
        if (rc == 0 && o.pg)
            rc = mode_pg(&o, &d, &pg_copy, &pg_trigger,
                         o.workload_set[NX_AGG] ? &answers[NX_AGG] : NULL, ingest_limit, limit[NX_AGG]);
        if (rc == 0 && ingest) {
            /* one run per durability mode (and per --repeat) */
            char *list = o.durability_list ? strdup(o.durability_list) : NULL, *save = NULL;
            char *dur = list ? strtok_r(list, ",", &save) : NULL;
            do {
                o.durability = dur;
                for (int k = 0; k < (o.repeat > 0 ? o.repeat : 1) && rc == 0; k++)
                    rc = mode_ingest(&o, &d, ingest_limit, pg_copy);
            } while (rc == 0 && dur && (dur = strtok_r(NULL, ",", &save)) != NULL);
            o.durability = NULL;
            free(list);
        }
        if (rc == 0 && e2e)
            for (int w = 0; w < NX_WORKLOADS && rc == 0; w++)
                for (int k = 0; o.workload_set[w] && k < (o.repeat > 0 ? o.repeat : 1) && rc == 0; k++)
                    rc = mode_e2e(&o, &d, (NxWorkload)w, limit[w], w == NX_AGG ? pg_trigger : -1, &answers[w]);
        if (rc == 0 && check)
            for (int w = 0; w < NX_WORKLOADS && rc == 0; w++)
                if (o.workload_set[w])
                    rc = mode_check(&o, (NxWorkload)w, &answers[w]);
        if (rc == 0 && process)
            for (int w = 0; w < NX_WORKLOADS && rc == 0; w++) {
                int np = o.nparallelisms ? o.nparallelisms : 1;
                double eps[16] = {0}; /* as many as o.parallelisms holds */
                for (int k = 0; o.workload_set[w] && k < np && rc == 0; k++) {
                    if (o.nparallelisms)
                        o.parallelism = o.parallelisms[k];
                    rc = mode_process(&o, &d, (NxWorkload)w, limit[w], w == NX_AGG ? pg_trigger : -1, &answers[w],
                                      &eps[k]);
                }
                if (rc == 0 && o.workload_set[w])
                    note_scaling(nx_workload_name((NxWorkload)w), o.parallelisms, eps, o.nparallelisms);
            }
        if (rc == 0 && ckpt)
            rc = mode_checkpoint(&o, &d, limit[NX_AGG], &answers[NX_AGG]);
        for (int w = 0; w < NX_WORKLOADS; w++)
            if (o.workload_set[w])
                nx_answer_free(&answers[w]);
        bench_data_free(&d);
    }
    bench_print_table();
    if (scaling_note[0])
        printf("%s", scaling_note);
    if (bench_server)
        server_stop(bench_server, 600);
    free(o.command);
    return rc;
}
