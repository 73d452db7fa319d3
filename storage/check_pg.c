/*
 * check_pg.c — integration check of the private PostgreSQL and the store
 * against a real cluster, run by tests/integration/test_storage_pg.sh:
 *
 *   check_pg full DIR   start a cluster in DIR (as root: as user sluice),
 *                       catalog and checkpoints (incremental key groups,
 *                       abort, retention), stop + start + read again,
 *                       SIGKILL the postmaster and check it is restarted
 *   check_pg short DIR  start, one catalog round trip, stop (DIR is long:
 *                       the socket falls back to /tmp)
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sl_storage.h"

static int failures;

#define CHECK(cond, ...)                                                 \
    do {                                                                 \
        if (!(cond)) {                                                   \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                \
            fputc('\n', stderr);                                         \
            failures++;                                                  \
        }                                                                \
    } while (0)

#define REQUIRE(cond, ...)                                               \
    do {                                                                 \
        CHECK(cond, __VA_ARGS__);                                        \
        if (!(cond))                                                     \
            exit(1);                                                     \
    } while (0)

/* ------------------------------------------------------------ catalog */
typedef struct Listing {
    char text[4096];
    int n;
} Listing;

static int collect(void *ctx, const StCatalogEntry *e)
{
    Listing *l = ctx;
    size_t at = strlen(l->text);
    snprintf(l->text + at, sizeof l->text - at, "%s%s:%s:%s:%s:%s", l->n ? "|" : "", e->kind, e->name,
             e->columns ? e->columns : "-", e->options ? e->options : "-", e->status ? e->status : "-");
    CHECK(e->created_at > 0, "created_at %lld", (long long)e->created_at);
    CHECK(strncmp(e->sql, "CREATE", 6) == 0, "sql %s", e->sql);
    l->n++;
    return 0;
}

static const char *listing(StStore *st)
{
    static Listing l;
    memset(&l, 0, sizeof l);
    SlError err;
    int rc = st_catalog_list_entries(st, collect, &l, &err);
    CHECK(rc == 0, "list: %s", err.message);
    return l.text;
}

static int count_short(void *ctx, const char *kind, const char *name, const char *sql)
{
    (void)kind;
    (void)name;
    (void)sql;
    (*(int *)ctx)++;
    return 0;
}

static void check_catalog(StStore *st)
{
    SlError err;
    StCatalogEntry s1 = {.kind = "stream", .name = "bids", .sql = "CREATE STREAM bids (a bigint)",
                         .columns = "[{\"name\": \"a\", \"type\": \"bigint\"}]", .options = "{\"partitions\": 4}"};
    StCatalogEntry v1 = {.kind = "view", .name = "top", .sql = "CREATE MATERIALIZED VIEW top AS SELECT 1",
                         .options = "{\"parallelism\": 2}"};
    StCatalogEntry s2 = {.kind = "stream", .name = "people", .sql = "CREATE STREAM people (b text)"};
    CHECK(st_catalog_put_entry(st, &s1, &err) == 0, "%s", err.message);
    CHECK(st_catalog_put_entry(st, &v1, &err) == 0, "%s", err.message);
    CHECK(st_catalog_put_entry(st, &s2, &err) == 0, "%s", err.message);
    const char *want = "stream:bids:[{\"name\": \"a\", \"type\": \"bigint\"}]:{\"partitions\": 4}:-"
                       "|view:top:-:{\"parallelism\": 2}:running|stream:people:-:-:-";
    CHECK(!strcmp(listing(st), want), "got %s", listing(st));
    CHECK(st_catalog_set_status(st, "top", "failed", &err) == 0, "%s", err.message);
    CHECK(st_catalog_delete(st, "people", &err) == 0, "%s", err.message);
    CHECK(st_catalog_delete(st, "nothing", &err) == 0, "%s", err.message);
    want = "stream:bids:[{\"name\": \"a\", \"type\": \"bigint\"}]:{\"partitions\": 4}:-"
           "|view:top:-:{\"parallelism\": 2}:failed";
    CHECK(!strcmp(listing(st), want), "got %s", listing(st));
    /* the short form, as the engine uses it */
    CHECK(st_catalog_put(st, "stream", "clicks", "CREATE STREAM clicks (u text)", &err) == 0, "%s", err.message);
    int n = 0;
    CHECK(st_catalog_list(st, count_short, &n, &err) == 0 && n == 3, "n=%d", n);
    /* bad JSON is PostgreSQL's 22P02, and nothing is recorded */
    StCatalogEntry bad = {.kind = "stream", .name = "bad", .sql = "CREATE STREAM bad (x int)", .columns = "[oops"};
    CHECK(st_catalog_put_entry(st, &bad, &err) == -1, "bad JSON accepted");
    CHECK(!strcmp(sl_errcode_sqlstate(err.code), "22P02"), "sqlstate %s (%s)", sl_errcode_sqlstate(err.code),
          err.message);
    n = 0;
    st_catalog_list(st, count_short, &n, &err);
    CHECK(n == 3, "n=%d", n);
    CHECK(st_catalog_delete(st, "clicks", &err) == 0, "%s", err.message);
    printf("ok: catalog\n");
}

/* -------------------------------------------------------- checkpoints */
#define KGS 10
#define BIG (3u << 20)

typedef struct Loaded {
    char got[KGS][64];
    int64_t by[KGS];
    size_t len[KGS];
    int calls;
    int32_t last_kg;
} Loaded;

static int on_kg(void *ctx, int32_t kg, int64_t by, const void *data, size_t len)
{
    Loaded *l = ctx;
    CHECK(kg > l->last_kg, "key groups out of order: %d after %d", kg, l->last_kg);
    l->last_kg = kg;
    if (kg < 0 || kg >= KGS)
        return 0;
    l->by[kg] = by;
    l->len[kg] = len;
    if (len == BIG) {
        bool ok = true;
        for (size_t i = 0; i < len; i++)
            ok = ok && ((const unsigned char *)data)[i] == (unsigned char)(i * 7);
        snprintf(l->got[kg], sizeof l->got[kg], ok ? "big" : "big-corrupt");
    } else {
        snprintf(l->got[kg], sizeof l->got[kg], "%.*s", (int)len, (const char *)data);
    }
    l->calls++;
    return 0;
}

static void load(StStore *st, int64_t id, int32_t lo, int32_t hi, Loaded *l, int want_rc)
{
    memset(l, 0, sizeof *l);
    l->last_kg = -1;
    SlError err;
    int rc = st_ckpt_load(st, "job1", id, lo, hi, on_kg, l, &err);
    CHECK(rc == want_rc, "load %lld: rc %d: %s", (long long)id, rc, err.message);
}

static void write_ckpt(StStore *st, int64_t id, const int *kgs, int n, const char *prefix, const char *offsets)
{
    SlError err;
    CHECK(st_ckpt_begin(st, "job1", id, &err) == 0, "begin %lld: %s", (long long)id, err.message);
    for (int i = 0; i < n; i++) {
        char buf[64];
        int len = snprintf(buf, sizeof buf, "%s-kg%d", prefix, kgs[i]);
        CHECK(st_ckpt_write(st, kgs[i], buf, (size_t)len, &err) == 0, "%s", err.message);
    }
    if (offsets)
        CHECK(st_ckpt_commit(st, offsets, &err) == 0, "commit %lld: %s", (long long)id, err.message);
}

typedef struct CkList {
    char text[512];
} CkList;

static int on_ck(void *ctx, const StCkptInfo *c)
{
    CkList *l = ctx;
    size_t at = strlen(l->text);
    snprintf(l->text + at, sizeof l->text - at, "%lld:%s:%d ", (long long)c->id, c->status, c->key_groups);
    return 0;
}

/* The expected state after checkpoints 1, 2 (and 4) below. */
static void check_ckpt4(StStore *st)
{
    Loaded l;
    load(st, 4, 0, KGS, &l, 0);
    const char *want[KGS] = {"c1-kg0", "c1-kg1", "c2-kg2", "big", "c1-kg4", "c2-kg5", "c1-kg6", "", "c1-kg8",
                             "c1-kg9"};
    const int64_t by[KGS] = {1, 1, 2, 4, 1, 2, 1, 0, 1, 1};
    for (int k = 0; k < KGS; k++) {
        CHECK(!strcmp(l.got[k], want[k]), "ckpt 4 kg %d: got [%s] want [%s]", k, l.got[k], want[k]);
        CHECK(l.by[k] == by[k], "ckpt 4 kg %d written by %lld", k, (long long)l.by[k]);
    }
    CHECK(l.calls == 9, "calls %d (the emptied key group 7 is skipped)", l.calls);
}

static void check_checkpoints(StStore *st)
{
    SlError err;
    StCkptInfo info;
    CHECK(st_ckpt_latest(st, "job1", &info, &err) == 0, "a checkpoint before any was written");
    int all[KGS];
    for (int k = 0; k < KGS; k++)
        all[k] = k;
    write_ckpt(st, 1, all, KGS, "c1", "{\"bids/0\": 100}");
    /* incremental: only key groups 2 and 5 changed; 7 became empty */
    int changed[] = {2, 5};
    write_ckpt(st, 2, changed, 2, "c2", NULL);
    CHECK(st_ckpt_write(st, 7, "", 0, &err) == 0, "%s", err.message);
    CHECK(st_ckpt_commit(st, "{\"bids/0\": 250}", &err) == 0, "%s", err.message);
    /* 3 is aborted: its writes never count */
    int one[] = {1};
    write_ckpt(st, 3, one, 1, "c3", NULL);
    st_ckpt_abort(st, "test abort");
    /* 4: one big key group, sent in several COPY chunks */
    CHECK(st_ckpt_begin(st, "job1", 4, &err) == 0, "%s", err.message);
    unsigned char *big = malloc(BIG);
    for (size_t i = 0; i < BIG; i++)
        big[i] = (unsigned char)(i * 7);
    CHECK(st_ckpt_write(st, 3, big, BIG, &err) == 0, "%s", err.message);
    free(big);
    CHECK(st_ckpt_commit(st, "{\"bids/0\": 400}", &err) == 0, "%s", err.message);
    /* the same id twice is refused */
    CHECK(st_ckpt_begin(st, "job1", 4, &err) == -1, "duplicate checkpoint id accepted");

    CHECK(st_ckpt_latest(st, "job1", &info, &err) == 1, "%s", err.message);
    CHECK(info.id == 4 && !strcmp(info.status, "complete") && strstr(info.offsets, "400") && info.bytes == BIG &&
              info.key_groups == 1 && info.started_at > 0,
          "latest: id %lld status %s offsets %s bytes %lld", (long long)info.id, info.status, info.offsets,
          (long long)info.bytes);
    check_ckpt4(st);
    Loaded l;
    load(st, 2, 0, KGS, &l, 0);
    CHECK(!strcmp(l.got[3], "c1-kg3") && !strcmp(l.got[2], "c2-kg2") && l.calls == 9, "ckpt 2 kg3 %s", l.got[3]);
    load(st, 1, 0, KGS, &l, 0);
    CHECK(!strcmp(l.got[7], "c1-kg7") && !strcmp(l.got[2], "c1-kg2") && l.calls == 10, "ckpt 1");
    load(st, 3, 0, KGS, &l, -1); /* failed: not loadable */
    /* a key-group range, as a rescaled task asks */
    load(st, 4, 2, 6, &l, 0);
    CHECK(l.calls == 4 && !strcmp(l.got[2], "c2-kg2") && !strcmp(l.got[5], "c2-kg5") && !l.got[6][0] &&
              !l.got[1][0],
          "range: %d calls", l.calls);
    CkList cl = {{0}};
    CHECK(st_ckpt_list(st, "job1", on_ck, &cl, &err) == 0, "%s", err.message);
    CHECK(!strcmp(cl.text, "4:complete:1 3:failed:0 2:complete:3 1:complete:10 "), "list %s", cl.text);

    /* retention: keep 2 and 4; key groups still only in 1 stay */
    CHECK(st_ckpt_retain(st, "job1", 2, &err) == 0, "%s", err.message);
    memset(&cl, 0, sizeof cl);
    st_ckpt_list(st, "job1", on_ck, &cl, &err);
    CHECK(!strcmp(cl.text, "4:complete:1 3:failed:0 2:complete:3 "), "list after retain %s", cl.text);
    check_ckpt4(st);
    load(st, 2, 0, KGS, &l, 0);
    CHECK(l.calls == 9 && !strcmp(l.got[0], "c1-kg0") && !strcmp(l.got[3], "c1-kg3"), "ckpt 2 after retain");
    load(st, 1, 0, KGS, &l, -1);
    printf("ok: checkpoints\n");
}

static uid_t proc_uid(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    uid_t uid = (uid_t)-1;
    if (!f)
        return uid;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "Uid:", 4))
            uid = (uid_t)strtoul(line + 4, NULL, 10);
    fclose(f);
    return uid;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: check_pg full|short DIR\n");
        return 2;
    }
    const char *dir = argv[2];
    SlError err;
    sl_error_clear(&err);
    StPg *pg = st_pg_start(dir, NULL, &err);
    REQUIRE(pg != NULL, "start: %s", err.message);
    int pid = st_pg_postmaster_pid(pg);
    REQUIRE(pid > 0, "no postmaster pid");
    if (geteuid() == 0) {
        struct passwd *pw = getpwnam("sluice");
        if (!pw)
            pw = getpwnam("postgres");
        REQUIRE(pw != NULL, "no unprivileged user");
        CHECK(proc_uid(pid) == pw->pw_uid, "postmaster runs as uid %d", (int)proc_uid(pid));
        char p[4096];
        struct stat st;
        snprintf(p, sizeof p, "%s/pg/data", dir);
        CHECK(stat(p, &st) == 0 && st.st_uid == pw->pw_uid, "%s not owned by the cluster's user", p);
        printf("ok: root runs the cluster as %s\n", pw->pw_name);
    }
    const char *ci = st_pg_conninfo(pg);
    printf("conninfo: %s\n", ci);
    StStore *st = st_store_open(ci, &err);
    REQUIRE(st != NULL, "open: %s", err.message);
    CHECK(st_store_schema_version(st) == 3, "version %d", st_store_schema_version(st));

    if (!strcmp(argv[1], "short")) {
        CHECK(strstr(ci, "host=/tmp/sluice-") != NULL, "long path should put the socket in /tmp: %s", ci);
        CHECK(st_catalog_put(st, "stream", "s", "CREATE STREAM s (a int)", &err) == 0, "%s", err.message);
        CHECK(!strcmp(listing(st), "stream:s:-:-:-"), "%s", listing(st));
        st_store_close(st);
        st_pg_stop(pg);
        printf(failures ? "FAILED\n" : "ok: long path\n");
        return failures ? 1 : 0;
    }

    check_catalog(st);
    check_checkpoints(st);
    /* a second open runs no migration again */
    StStore *st2 = st_store_open(ci, &err);
    CHECK(st2 && st_store_schema_version(st2) == 3, "reopen");
    st_store_close(st2);

    /* stopped: calls fail with 08006, then work again after a restart */
    st_pg_stop(pg);
    CHECK(st_catalog_put(st, "stream", "x", "CREATE STREAM x (a int)", &err) == -1, "put with PostgreSQL down");
    CHECK(!strcmp(sl_errcode_sqlstate(err.code), "08006"), "sqlstate %s", sl_errcode_sqlstate(err.code));
    CHECK(st_store_ping(st, &err) == -1, "ping with PostgreSQL down");
    pg = st_pg_start(dir, NULL, &err);
    REQUIRE(pg != NULL, "restart: %s", err.message);
    const char *want = "stream:bids:[{\"name\": \"a\", \"type\": \"bigint\"}]:{\"partitions\": 4}:-"
                       "|view:top:-:{\"parallelism\": 2}:failed";
    CHECK(!strcmp(listing(st), want), "after restart: %s", listing(st));
    check_ckpt4(st);
    printf("ok: stop and start keep the catalog and checkpoints\n");

    /* SIGKILL the postmaster: the manager notices and starts it again */
    pid = st_pg_postmaster_pid(pg);
    REQUIRE(pid > 0, "no pid");
    kill(pid, SIGKILL);
    for (int i = 0; i < 100 && st_pg_postmaster_pid(pg) == pid; i++)
        usleep(50000);
    CHECK(st_pg_postmaster_pid(pg) == 0, "postmaster still there after SIGKILL");
    CHECK(st_pg_ensure_running(pg, &err) == 0, "ensure_running: %s", err.message);
    int pid2 = st_pg_postmaster_pid(pg);
    CHECK(pid2 > 0 && pid2 != pid, "new postmaster %d (old %d)", pid2, pid);
    CHECK(st_store_ping(st, &err) == 0, "ping after restart: %s", err.message);
    CHECK(!strcmp(listing(st), want), "after kill: %s", listing(st));
    check_ckpt4(st);
    /* healthy: ensure_running changes nothing */
    CHECK(st_pg_ensure_running(pg, &err) == 0 && st_pg_postmaster_pid(pg) == pid2, "healthy check restarted it");
    printf("ok: a killed postmaster is started again\n");

    st_store_close(st);
    st_pg_stop(pg);
    printf(failures ? "FAILED: %d\n" : "ok: all\n", failures);
    return failures ? 1 : 0;
}
