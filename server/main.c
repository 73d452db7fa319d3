/*
 * main.c — sluiced: settings from the command line and the config file,
 * the engine, then the network loop until SIGINT/SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <time.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server.h"
#include "sl_storage.h"

static int make_verifier(void)
{
    char line[1024];
    if (isatty(0))
        fprintf(stderr, "password: ");
    if (!fgets(line, sizeof line, stdin)) {
        fprintf(stderr, "sluiced: no password on standard input\n");
        return 1;
    }
    line[strcspn(line, "\r\n")] = '\0';
    if (!*line) {
        fprintf(stderr, "sluiced: empty password\n");
        return 1;
    }
    SlBuf b;
    sl_buf_init(&b);
    if (scram_make_verifier(line, 4096, &b) < 0) {
        fprintf(stderr, "sluiced: could not make a verifier\n");
        return 1;
    }
    printf("%s\n", b.data);
    sl_buf_free(&b);
    return 0;
}

/* Runs SQL through the engine, as a client would (the demo's setup). */
static int run_sql(ExEngine *eng, const char *sql, SlError *err)
{
    SlArena *a = sl_arena_new(0);
    PsList *stmts;
    int rc = ps_parse(sql, strlen(sql), a, &stmts, NULL, err);
    ExContext ctx = {.database = "sluice", .user = "sluiced"};
    for (int i = 0; rc == 0 && i < stmts->n; i++) {
        ExPlan *plan;
        char tag[64];
        rc = ex_prepare(eng, &ctx, stmts->items[i], 0, NULL, a, &plan, err);
        if (rc == 0)
            rc = ex_execute(eng, &ctx, plan, NULL, a, NULL, NULL, tag, err);
    }
    sl_arena_free(a);
    return rc;
}

/* The demo: the stream and its sample rows only the first time (the rows
 * are durable: a restart must not add them again), the view if missing. */
static const char demo_stream_sql[] =
    "CREATE STREAM bids (auction BIGINT, bidder BIGINT, price BIGINT, channel TEXT, "
    "  date_time TIMESTAMP) WITH (partitions = 4);";
static const char demo_view_sql[] =
    "CREATE MATERIALIZED VIEW IF NOT EXISTS top_auctions WITH (parallelism = 2) AS "
    "  SELECT auction, count(*) AS bids, max(price) AS top FROM bids WHERE price > 100 GROUP BY auction;";
static const char demo_rows_sql[] =
    "INSERT INTO bids VALUES (1, 10, 150, 'Google', '2026-11-24 12:00:00'), (1, 11, 300, 'Apple', '2026-11-24 12:00:01'),"
    "  (2, 12, 90, 'Baidu', '2026-11-24 12:00:02'), (2, 13, 120, 'Google', '2026-11-24 12:00:03');";

/* The private PostgreSQL must stay up: a thread of its own checks it
 * every two seconds and starts it again if it died. Not on the event
 * loop: a stalled PostgreSQL would stop sluiced accepting connections. */
typedef struct PgWatch {
    StPg *pg;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    pthread_t thread;
} PgWatch;

static void *pg_watch_main(void *arg)
{
    PgWatch *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 2;
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
        if (w->stop)
            break;
        pthread_mutex_unlock(&w->mu);
        SlError err;
        if (st_pg_ensure_running(w->pg, &err) < 0)
            sl_warn("%s", err.message);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* The key behind the mock SCRAM salts of unknown users. It is kept in the
 * data directory so an unknown user's salt stays the same across restarts,
 * as a real user's does. */
static void load_mock_key(const char *dir, unsigned char key[32])
{
    char path[4096];
    snprintf(path, sizeof path, "%s/scram_mock.key", dir);
    FILE *f = fopen(path, "rb");
    if (f) {
        size_t n = fread(key, 1, 32, f);
        fclose(f);
        if (n == 32)
            return;
    }
    if (RAND_bytes(key, 32) != 1)
        sl_warn("RAND_bytes failed for the SCRAM mock key");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, key, 32) != 32)
        sl_warn("could not write %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
}

static int mkdir_p(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--make-verifier"))
        return make_verifier();

    /* Batches of rows are allocated and freed all the time, many of them
     * larger than glibc's default mmap threshold: each would then be fresh
     * zeroed pages from the kernel. Keep them in the heap, and keep freed
     * heap memory for the next ones (up to 256 MB above what is in use). */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);

    Server srv;
    memset(&srv, 0, sizeof srv);
    srv.settings = sl_settings_new(NULL);
    SlError err;
    sl_error_clear(&err);
    bool help, version;
    if (sl_settings_parse_args(srv.settings, argc, argv, &help, &version, &err) < 0) {
        fprintf(stderr, "sluiced: %s\nTry \"sluiced --help\" for more information.\n", err.message);
        sl_settings_free(srv.settings);
        return 2;
    }
    if (help) {
        SlBuf b;
        sl_buf_init(&b);
        sl_settings_usage("sluiced", &b);
        fputs(b.data, stdout);
        fputs("      --make-verifier                read a password on standard input and print its\n"
              "                                     SCRAM-SHA-256 verifier for the password file\n",
              stdout);
        sl_buf_free(&b);
        sl_settings_free(srv.settings);
        return 0;
    }
    if (version) {
        printf("sluiced (Sluice) %s\n", SL_VERSION_STRING);
        sl_settings_free(srv.settings);
        return 0;
    }
    SlLogLevel level;
    if (sl_log_level_parse(sl_settings_get(srv.settings, "log_level"), &level) == 0)
        sl_log_set_level(level);

    const char *dir = sl_settings_get(srv.settings, "data_dir");
    if (mkdir_p(dir) < 0) {
        fprintf(stderr, "sluiced: could not create data directory \"%s\": %s\n", dir, strerror(errno));
        sl_settings_free(srv.settings);
        return 1;
    }
    load_mock_key(dir, srv.mock_key);
    srv.auth_scram = !strcmp(sl_settings_get(srv.settings, "auth"), "scram");
    srv.password_file = sl_xstrdup(sl_settings_get(srv.settings, "password_file"));
    if (srv.auth_scram && !*srv.password_file) {
        fprintf(stderr, "sluiced: --auth scram needs --password-file\n");
        free(srv.password_file);
        sl_settings_free(srv.settings);
        return 2;
    }
    sl_failpoints_enable(sl_settings_get_bool(srv.settings, "enable_failpoints"));
    srv.max_connections = (int)sl_settings_get_int(srv.settings, "max_connections");
    atomic_init(&srv.nconnections, 0);
    atomic_init(&srv.next_pid, 1000 + (int)(getpid() % 1000) * 1000);

    /* The state: any PostgreSQL given with --state, else a private one
     * managed in the data directory. */
    StPg *pg = NULL;
    const char *state = sl_settings_get(srv.settings, "state");
    if (!*state) {
        pg = st_pg_start(dir, sl_settings_get(srv.settings, "pg_bindir"), &err);
        if (!pg) {
            fprintf(stderr, "sluiced: %s\n", err.message);
            free(srv.password_file);
            sl_settings_free(srv.settings);
            return 1;
        }
        state = st_pg_conninfo(pg);
    }
    ExEngineConfig ecfg = {.settings = srv.settings, .store_conninfo = state};
    srv.engine = ex_engine_new(&ecfg, &err);
    if (!srv.engine) {
        fprintf(stderr, "sluiced: %s\n", err.message);
        st_pg_stop(pg);
        free(srv.password_file);
        sl_settings_free(srv.settings);
        return 1;
    }
    PgWatch watch = {.pg = pg};
    pthread_mutex_init(&watch.mu, NULL);
    pthread_cond_init(&watch.cv, NULL);
    bool watching = pg && pthread_create(&watch.thread, NULL, pg_watch_main, &watch) == 0;
    if (sl_settings_get_bool(srv.settings, "demo")) {
        bool fresh = run_sql(srv.engine, demo_stream_sql, &err) == 0;
        if (!fresh && err.code != SL_E_DUPLICATE_TABLE)
            fprintf(stderr, "sluiced: demo setup failed: %s\n", err.message);
        else if (run_sql(srv.engine, demo_view_sql, &err) < 0 ||
                 (fresh && run_sql(srv.engine, demo_rows_sql, &err) < 0))
            fprintf(stderr, "sluiced: demo setup failed: %s\n", err.message);
        fprintf(stderr,
                "\nsluiced is starting with a demo stream \"bids\" and a standing query \"top_auctions\".\n"
                "Connect with:\n  psql -h 127.0.0.1 -p %s\nand try:\n"
                "  SELECT * FROM top_auctions ORDER BY top DESC;\n"
                "  INSERT INTO bids VALUES (3, 14, 999, 'Apple', now());\n"
                "  SELECT * FROM top_auctions ORDER BY top DESC;\n\n",
                sl_settings_get(srv.settings, "port"));
    }

    int rc = net_run(&srv, &err);
    if (rc < 0)
        fprintf(stderr, "sluiced: %s%s%s\n", err.message, err.detail[0] ? ": " : "", err.detail);
    ex_engine_free(srv.engine);
    if (watching) {
        pthread_mutex_lock(&watch.mu);
        watch.stop = true;
        pthread_cond_signal(&watch.cv);
        pthread_mutex_unlock(&watch.mu);
        pthread_join(watch.thread, NULL);
    }
    st_pg_stop(pg);
    free(srv.password_file);
    sl_settings_free(srv.settings);
    sl_info("sluiced stopped");
    return rc < 0 ? 1 : 0;
}
