/*
 * check_fill.c — the stream log on a full disk, run by
 * tests/integration/test_storage_diskfull.sh on a small tmpfs:
 *
 *   check_fill fill DIR FILLER   append until ENOSPC: the error is 53100,
 *                                the files end at a batch boundary, the log
 *                                reopens consistent; after FILLER is
 *                                removed, appends succeed again
 *   check_fill verify DIR        reopen and read every batch back
 *   check_fill pool DIR POOL     a log with a pool of recycled segments
 *                                (POOL/spare.free, 512 kB) on a full disk:
 *                                the append that finds no space deletes the
 *                                pool's files and succeeds; the next failure
 *                                is 53100 as before
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sl_storage.h"

#define PAYLOAD 3001

static int failures;
#define CHECK(cond, ...)                                                    \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                   \
            fputc('\n', stderr);                                            \
            failures++;                                                     \
        }                                                                   \
    } while (0)

static void payload(uint64_t off, char *buf)
{
    for (int i = 0; i < PAYLOAD; i++)
        buf[i] = (char)((off * 13 + (uint64_t)i) & 0xff);
}

static uint64_t files_size(const char *dir)
{
    DIR *d = opendir(dir);
    uint64_t total = 0;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        char p[4096];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (strstr(de->d_name, ".seg") && stat(p, &st) == 0)
            total += (uint64_t)st.st_size;
    }
    if (d)
        closedir(d);
    return total;
}

/* Reads every batch; returns the number read, checking each. */
static int verify(StLog *log)
{
    SlError err;
    StLogReader *r = st_log_reader_open(log, 0, &err);
    StLogBatch b;
    char want[PAYLOAD];
    uint64_t expect = 0;
    int n = 0, rc;
    while ((rc = st_log_reader_next(r, &b, &err)) == 1) {
        payload(b.base_offset, want);
        CHECK(b.base_offset == expect && b.len == PAYLOAD && memcmp(b.data, want, PAYLOAD) == 0, "batch %llu",
              (unsigned long long)b.base_offset);
        expect = b.base_offset + b.nrows;
        n++;
    }
    CHECK(rc == 0, "reader: %s", err.message);
    CHECK(expect == st_log_end_offset(log), "read to %llu, end %llu", (unsigned long long)expect,
          (unsigned long long)st_log_end_offset(log));
    st_log_reader_close(r);
    return n;
}

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static int pool_mode(const char *dir, const char *pool)
{
    /* segments bigger than the disk: no roll takes the pool's file */
    StLogOptions o = {.durability = ST_DUR_FSYNC, .segment_bytes = 8 << 20, .recycle_dir = pool,
                      .recycle_bytes = 1 << 20};
    SlError err;
    char buf[PAYLOAD], spare[4096];
    StLog *log = st_log_open(dir, &o, &err);
    if (!log) {
        fprintf(stderr, "FAIL: open: %s\n", err.message);
        return 1;
    }
    /* a spare segment in the pool, made after the open took none */
    snprintf(spare, sizeof spare, "%s/spare.free", pool);
    FILE *f = fopen(spare, "wb");
    CHECK(f != NULL, "create %s", spare);
    if (!f)
        return 1;
    memset(buf, 7, sizeof buf);
    for (int i = 0; i < 512 * 1024 / PAYLOAD; i++)
        CHECK(fwrite(buf, 1, PAYLOAD, f) == PAYLOAD, "write %s", spare);
    CHECK(fclose(f) == 0, "close %s", spare);
    int appended = 0, released_at = -1, rc = 0;
    for (int i = 0; i < 100000; i++) {
        payload(st_log_end_offset(log), buf);
        rc = st_log_append(log, buf, PAYLOAD, 1, NULL, NULL, &err);
        if (rc < 0)
            break;
        appended++;
        if (released_at < 0 && !exists(spare))
            released_at = appended;
    }
    CHECK(released_at > 0, "the pool's file was never given back (appended %d)", appended);
    CHECK(appended > released_at, "no append after the pool's file was given back (%d, %d)", appended, released_at);
    CHECK(rc == -1 && err.code == SL_E_DISK_FULL, "then the disk is full: %s", err.message);
    printf("pool given back at batch %d; full after %d batches: %s\n", released_at, appended, err.message);
    CHECK(st_log_end_offset(log) == (uint64_t)appended, "end %llu", (unsigned long long)st_log_end_offset(log));
    CHECK(verify(log) == appended, "batches");
    st_log_close(log);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: check_fill fill DIR FILLER | verify DIR | pool DIR POOL\n");
        return 2;
    }
    if (!strcmp(argv[1], "pool"))
        return argc == 4 ? pool_mode(argv[2], argv[3]) : 2;
    const char *dir = argv[2];
    StLogOptions o = {.durability = ST_DUR_FSYNC, .segment_bytes = 300 * 1024};
    SlError err;
    char buf[PAYLOAD];
    StLog *log = st_log_open(dir, &o, &err);
    if (!log) {
        fprintf(stderr, "FAIL: open: %s\n", err.message);
        return 1;
    }
    if (!strcmp(argv[1], "verify")) {
        int n = verify(log);
        printf("verify: %d batches, end %llu\n", n, (unsigned long long)st_log_end_offset(log));
        st_log_close(log);
        return failures ? 1 : 0;
    }
    if (argc != 4)
        return 2;
    /* fill */
    int appended = 0, rc = 0;
    for (int i = 0; i < 100000; i++) {
        uint64_t end = st_log_end_offset(log);
        payload(end, buf);
        rc = st_log_append(log, buf, PAYLOAD, 1, NULL, NULL, &err);
        if (rc < 0)
            break;
        appended++;
    }
    CHECK(rc == -1, "the disk never filled");
    CHECK(!strcmp(sl_errcode_sqlstate(err.code), "53100"), "sqlstate %s: %s", sl_errcode_sqlstate(err.code),
          err.message);
    CHECK(!strcmp(err.message, "could not extend stream log: no space left on device"), "message: %s", err.message);
    printf("full after %d batches: %s (%s)\n", appended, err.message, err.detail);
    uint64_t end = st_log_end_offset(log);
    CHECK(end == (uint64_t)appended, "end %llu", (unsigned long long)end);
    /* the partial write was cut: the files hold exactly the batches */
    CHECK(files_size(dir) == st_log_size_bytes(log), "files %llu bytes, log %llu",
          (unsigned long long)files_size(dir), (unsigned long long)st_log_size_bytes(log));
    /* still full: the same error, nothing changes */
    payload(end, buf);
    CHECK(st_log_append(log, buf, PAYLOAD, 1, NULL, NULL, &err) == -1 && err.code == SL_E_DISK_FULL, "second append");
    CHECK(st_log_end_offset(log) == end && files_size(dir) == st_log_size_bytes(log), "after the second failure");
    st_log_close(log);

    /* reopening finds a consistent log, nothing cut */
    log = st_log_open(dir, &o, &err);
    CHECK(log != NULL, "reopen: %s", err.message);
    if (!log)
        return 1;
    CHECK(st_log_end_offset(log) == end, "reopened end %llu", (unsigned long long)st_log_end_offset(log));
    CHECK(verify(log) == appended, "batches after reopen");

    /* space comes back: appends succeed again, at the next offset */
    CHECK(unlink(argv[3]) == 0, "remove the filler");
    for (int i = 0; i < 20; i++) {
        uint64_t first = 0;
        payload(end + (uint64_t)i, buf);
        CHECK(st_log_append(log, buf, PAYLOAD, 1, &first, NULL, &err) == 0, "append after freeing: %s", err.message);
        CHECK(first == end + (uint64_t)i, "offset %llu", (unsigned long long)first);
    }
    CHECK(verify(log) == appended + 20, "batches after freeing");
    printf("after freeing space: end %llu\n", (unsigned long long)st_log_end_offset(log));
    st_log_close(log);
    return failures ? 1 : 0;
}
