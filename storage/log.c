/*
 * log.c — the stream log: per stream partition, an append-only sequence
 * of segment files <first-offset>.seg holding checksummed batches.
 *
 * Record (all integers little-endian), HDR_SIZE = 24 bytes:
 *    0  u32 magic "SLB1"
 *    4  u32 CRC32C of bytes 8..23 and of the payload
 *    8  u32 payload length
 *   12  u32 row count (> 0)
 *   16  u64 base offset (first row's offset)
 *   24  payload
 *
 * Concurrency: `mu` guards the segment list, the end offset and each
 * segment's valid size. An append writes beyond the valid size, then
 * publishes the new size under mu; readers read sizes under mu and file
 * bytes without it, so they never see a batch that is still being
 * written. fsyncs run outside mu on a dup of the active segment's fd,
 * serialized by sync_mu (segments are fsynced when they are rolled, so
 * syncing the active one makes everything before it durable).
 *
 * Recycling (StLogOptions.recycle_dir): as PostgreSQL recycles WAL
 * segments, segment files no longer needed (DROP STREAM, retention) are
 * renamed into a pool directory instead of being deleted, and a new
 * segment is a pool file renamed into place and written over. Writing
 * over a file's cached pages costs a copy; a new file costs the kernel a
 * fresh page per 4 kB (on some virtual machines 5-50x the copy). Such a
 * file holds another log's old batches past what was written: each log
 * has a random epoch (file "epoch" in its directory) that seeds its
 * batches' CRCs, so an old batch of another log never passes as one of
 * this log, and within one log offsets only grow, so an old batch of its
 * own never has the offset that recovery expects. A sealed segment is cut
 * to its valid size when it is rolled, the active one when the log is
 * closed; after a crash recovery cuts the old bytes like a torn tail. A
 * segment goes to the pool only while no reader of its log is open (one
 * mapping it must not see it written over).
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "sl_storage.h"
#include "st_int.h"

#define LOG_MAGIC 0x31424C53u /* "SLB1" read as little-endian u32 */
#define HDR_SIZE 24
#define MAX_BATCH (256u << 20)
#define DEFAULT_SEGMENT (64ull << 20)
#define DEFAULT_GROUP_MS 2

typedef struct Seg {
    uint64_t base;   /* offset of its first row */
    uint64_t size;   /* bytes of complete batches */
} Seg;

struct StLog {
    char *dir;
    StLogOptions opt;
    int dirfd;
    char *pool;                  /* recycle directory, or NULL */
    uint32_t seed;               /* CRC seed from the epoch (0: a log from before epochs) */
    bool takes_recycled;         /* has an epoch: may write over pool files */

    pthread_mutex_t mu;          /* guards everything below */
    pthread_cond_t durable_cv;   /* durable advanced, or a sync failed */
    pthread_cond_t flush_cv;     /* work for the flusher */
    Seg *segs;                   /* ascending; the last is active */
    int nsegs, capsegs;
    int fd;                      /* the active segment */
    uint64_t end;                /* offset the next batch gets */
    uint64_t durable;
    bool need_truncate;          /* a failed write could not be cut yet */
    int sync_errno;              /* sticky: fsync failed, nothing is sure */
    bool stopping;
    int readers;                 /* open StLogReaders: no segment goes to the pool */

    pthread_mutex_t sync_mu;     /* one fsync at a time */
    pthread_t flusher;
    bool has_flusher;
};

struct StLogReader {
    StLog *log;
    int fd;
    uint64_t seg_base;
    uint64_t pos;
    uint64_t skip_below;
    uint64_t next_off;   /* offset after the last batch passed */
    SlBuf buf;           /* a batch read with pread (no mapping) */
    const unsigned char *map; /* the segment mapped read-only, maplen bytes */
    size_t maplen;
    bool nomap;          /* mmap failed: read with pread */
    uint64_t *claim;     /* shared with other readers: the next batch to hand out, or NULL */
    uint64_t want;       /* the batch this reader claimed, NO_CLAIM before it claims one */
    bool defer;          /* the caller checks the CRCs */
    uint64_t seen;       /* batches passed at or after skip_below */
};

/* ------------------------------------------------------------ helpers */
static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

int st_io_error(SlError *err, int errnum, const char *what, const char *path)
{
    if (errnum == ENOSPC || errnum == EDQUOT) {
        sl_error(err, SL_E_DISK_FULL, "could not extend stream log: no space left on device");
        sl_error_detail(err, "could not %s \"%s\"", what, path);
        sl_error_hint(err, "Free disk space, then retry.");
        return -1;
    }
    return sl_error(err, SL_E_IO_ERROR, "could not %s \"%s\": %s", what, path, strerror(errnum));
}

static void seg_path(const StLog *log, uint64_t base, char *out, size_t n)
{
    snprintf(out, n, "%s/%020llu.seg", log->dir, (unsigned long long)base);
}

static int pread_full(int fd, void *buf, size_t n, uint64_t off)
{
    char *p = buf;
    while (n) {
        ssize_t r = pread(fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? -1 : 0;
        p += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 1;
}

static uint32_t header_crc(uint32_t seed, const unsigned char *hdr, const void *payload, size_t len)
{
    uint32_t c = st_crc32c(seed, hdr + 8, HDR_SIZE - 8);
    return st_crc32c(c, payload, len);
}

/* Parses a header; 0 if it is not plausible. */
static bool parse_header(const unsigned char *hdr, uint32_t *crc, uint32_t *len, uint32_t *nrows, uint64_t *base)
{
    if (get_u32(hdr) != LOG_MAGIC)
        return false;
    *crc = get_u32(hdr + 4);
    *len = get_u32(hdr + 8);
    *nrows = get_u32(hdr + 12);
    *base = get_u64(hdr + 16);
    return *nrows > 0 && *len <= MAX_BATCH;
}

static void fsync_dir(StLog *log)
{
    if (log->opt.durability != ST_DUR_NONE && fsync(log->dirfd) < 0)
        sl_warn("stream log %s: could not fsync the directory: %s", log->dir, strerror(errno));
}

static void segs_push(StLog *log, uint64_t base, uint64_t size)
{
    if (log->nsegs == log->capsegs) {
        log->capsegs = log->capsegs ? log->capsegs * 2 : 8;
        log->segs = sl_realloc(log->segs, (size_t)log->capsegs * sizeof *log->segs);
    }
    log->segs[log->nsegs].base = base;
    log->segs[log->nsegs].size = size;
    log->nsegs++;
}

/* ------------------------------------------------------------ recycling */
/* Every log's pool operations, serialized (taken after a log's mu, never
 * before it). A pool holds at most its cap's bytes of files "*.free". */
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;

static bool is_pool_file(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".free") == 0;
}

/* The bytes the pool's files hold; *largest (if not NULL) receives the
 * path of the biggest one ("" if none): it has the most pages to write
 * over. */
static uint64_t pool_scan(const char *pool, char *largest, size_t n)
{
    if (largest)
        largest[0] = '\0';
    DIR *d = opendir(pool);
    if (!d)
        return 0;
    uint64_t total = 0, best = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        struct stat st;
        if (!is_pool_file(de->d_name) || fstatat(dirfd(d), de->d_name, &st, 0) < 0)
            continue;
        total += (uint64_t)st.st_size;
        if (largest && (uint64_t)st.st_size > best) {
            best = (uint64_t)st.st_size;
            snprintf(largest, n, "%s/%s", pool, de->d_name);
        }
    }
    closedir(d);
    return total;
}

/* Puts the segment file at path into the pool (pool NULL: off), or
 * deletes it when the pool is off or full. */
static int recycle_put(const char *pool, uint64_t cap, const char *path)
{
    struct stat st;
    if (pool && cap && stat(path, &st) == 0 && st.st_size > 0) {
        static uint64_t seq;
        pthread_mutex_lock(&pool_mu);
        bool moved = false;
        if ((mkdir(pool, 0755) == 0 || errno == EEXIST) && pool_scan(pool, NULL, 0) + (uint64_t)st.st_size <= cap) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            char dst[4096];
            snprintf(dst, sizeof dst, "%s/%lld-%09ld-%d-%llu.free", pool, (long long)ts.tv_sec, ts.tv_nsec,
                     (int)getpid(), (unsigned long long)++seq);
            moved = rename(path, dst) == 0;
        }
        pthread_mutex_unlock(&pool_mu);
        if (moved)
            return 0;
    }
    return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* Deletes every pool file (the disk is full); the bytes freed. */
static uint64_t pool_release(const char *pool)
{
    uint64_t freed = 0;
    pthread_mutex_lock(&pool_mu);
    DIR *d = opendir(pool);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        struct stat st;
        if (is_pool_file(de->d_name) && fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
            unlinkat(dirfd(d), de->d_name, 0) == 0)
            freed += (uint64_t)st.st_size;
    }
    if (d)
        closedir(d);
    pthread_mutex_unlock(&pool_mu);
    if (freed)
        sl_log(SL_LOG_WARNING, "stream log: disk full: deleted %llu bytes of recycled segments in %s",
               (unsigned long long)freed, pool);
    return freed;
}

/* Renames a pool file to path; false if the pool has none. */
static bool recycle_take(const char *pool, const char *path)
{
    char from[4096];
    pthread_mutex_lock(&pool_mu);
    pool_scan(pool, from, sizeof from);
    bool taken = from[0] && rename(from, path) == 0;
    pthread_mutex_unlock(&pool_mu);
    return taken;
}

/* A new segment file at path: a pool file when the log may take one
 * (written over from byte 0; recovery and roll cut what lies past the
 * batches), else an empty file. */
static int segment_create(StLog *log, const char *path)
{
    if (log->pool && log->takes_recycled && recycle_take(log->pool, path)) {
        int fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd >= 0)
            return fd;
    }
    return open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

/* The log's epoch: read from DIR/epoch, or made for a log with no segment
 * yet (random, written and fsynced before any batch uses it). A log with
 * segments and no epoch file was written before epochs (seed 0): it keeps
 * working but never writes over pool files. */
static int epoch_init(StLog *log, bool empty, SlError *err)
{
    char path[4096], tmp[4096];
    snprintf(path, sizeof path, "%s/epoch", log->dir);
    unsigned char e[8];
    FILE *f = fopen(path, "r");
    if (f) {
        unsigned long long v;
        int ok = fscanf(f, "%16llx", &v) == 1;
        fclose(f);
        if (!ok)
            return sl_error(err, SL_E_DATA_CORRUPTED, "stream log %s: unreadable epoch file", log->dir);
        put_u64(e, (uint64_t)v);
    } else if (errno != ENOENT) {
        return st_io_error(err, errno, "open", path);
    } else if (!empty) {
        log->seed = 0;
        log->takes_recycled = false;
        return 0;
    } else {
        uint64_t v = 0;
        if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            v = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 40;
        }
        put_u64(e, v);
        snprintf(tmp, sizeof tmp, "%s/epoch.tmp", log->dir);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        char text[32];
        int n = snprintf(text, sizeof text, "%016llx\n", (unsigned long long)v);
        if (fd < 0 || write(fd, text, (size_t)n) != n ||
            (log->opt.durability != ST_DUR_NONE && fsync(fd) < 0) || rename(tmp, path) < 0) {
            int x = errno;
            if (fd >= 0)
                close(fd);
            return st_io_error(err, x ? x : EIO, "write", path);
        }
        close(fd);
    }
    uint32_t seed = st_crc32c(0, e, sizeof e);
    log->seed = seed ? seed : 1; /* 0 is the seed of logs without an epoch */
    log->takes_recycled = true;
    return 0;
}

/* ------------------------------------------------------------ recovery */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Scans one segment from its start. Returns the length of its valid
 * prefix and sets *end_off to the offset after its last valid batch;
 * *bad is true if something follows the valid prefix. */
static int scan_segment(int fd, uint32_t seed, uint64_t base, uint64_t fsize, SlBuf *buf, uint64_t *valid,
                        uint64_t *end_off, bool *bad)
{
    uint64_t pos = 0, off = base;
    *bad = false;
    while (pos < fsize) {
        unsigned char hdr[HDR_SIZE];
        uint32_t crc, len, nrows;
        uint64_t b;
        if (fsize - pos < HDR_SIZE || pread_full(fd, hdr, HDR_SIZE, pos) <= 0 ||
            !parse_header(hdr, &crc, &len, &nrows, &b) || b != off || fsize - pos - HDR_SIZE < len) {
            *bad = true;
            break;
        }
        sl_buf_reset(buf);
        sl_buf_reserve(buf, len);
        if (len && pread_full(fd, buf->data, len, pos + HDR_SIZE) <= 0) {
            *bad = true;
            break;
        }
        if (header_crc(seed, hdr, buf->data, len) != crc) {
            *bad = true;
            break;
        }
        pos += HDR_SIZE + len;
        off += nrows;
    }
    *valid = pos;
    *end_off = off;
    return 0;
}

static int recover(StLog *log, SlError *err)
{
    DIR *d = opendir(log->dir);
    if (!d)
        return st_io_error(err, errno, "open stream log directory", log->dir);
    uint64_t *bases = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *s = de->d_name;
        if (strlen(s) != 24 || strcmp(s + 20, ".seg") != 0 || strspn(s, "0123456789") != 20)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            bases = sl_realloc(bases, cap * sizeof *bases);
        }
        bases[n++] = strtoull(s, NULL, 10);
    }
    closedir(d);
    if (n)
        qsort(bases, n, sizeof *bases, cmp_u64);
    int rc = epoch_init(log, n == 0, err);
    if (rc < 0) {
        free(bases);
        return rc;
    }

    SlBuf buf;
    sl_buf_init(&buf);
    char path[4096];
    uint64_t expect = n ? bases[0] : 0;
    size_t i = 0;
    for (; i < n; i++) {
        seg_path(log, bases[i], path, sizeof path);
        if (bases[i] != expect) {
            sl_warn("stream log %s: segment %s does not follow offset %llu: cutting the log there", log->dir,
                    path, (unsigned long long)expect);
            break;
        }
        int fd = open(path, O_RDWR | O_CLOEXEC);
        struct stat stt;
        if (fd < 0 || fstat(fd, &stt) < 0) {
            rc = st_io_error(err, errno, "open stream log segment", path);
            if (fd >= 0)
                close(fd);
            goto out;
        }
        uint64_t valid, end_off;
        bool bad;
        scan_segment(fd, log->seed, bases[i], (uint64_t)stt.st_size, &buf, &valid, &end_off, &bad);
        if (bad) {
            sl_warn("stream log %s: torn or corrupt batch at byte %llu of %s (offset %llu): cutting %llu bytes",
                    log->dir, (unsigned long long)valid, path, (unsigned long long)end_off,
                    (unsigned long long)((uint64_t)stt.st_size - valid));
            if (ftruncate(fd, (off_t)valid) < 0 || (log->opt.durability != ST_DUR_NONE && fsync(fd) < 0)) {
                rc = st_io_error(err, errno, "truncate stream log segment", path);
                close(fd);
                goto out;
            }
        }
        close(fd);
        segs_push(log, bases[i], valid);
        expect = end_off;
        if (bad) {
            i++;
            break;
        }
    }
    /* everything after a cut is not part of the log any more */
    for (; i < n; i++) {
        seg_path(log, bases[i], path, sizeof path);
        sl_warn("stream log %s: removing %s, which follows the cut", log->dir, path);
        if (unlink(path) < 0) {
            rc = st_io_error(err, errno, "remove stream log segment", path);
            goto out;
        }
    }
    log->end = expect;
    if (log->nsegs == 0) {
        seg_path(log, 0, path, sizeof path);
        int fd = segment_create(log, path);
        if (fd < 0) {
            rc = st_io_error(err, errno, "create stream log segment", path);
            goto out;
        }
        close(fd);
        segs_push(log, 0, 0);
        log->end = 0;
    }
    seg_path(log, log->segs[log->nsegs - 1].base, path, sizeof path);
    log->fd = open(path, O_RDWR | O_CLOEXEC);
    if (log->fd < 0) {
        rc = st_io_error(err, errno, "open stream log segment", path);
        goto out;
    }
    if (log->opt.durability != ST_DUR_NONE && fdatasync(log->fd) < 0) {
        rc = st_io_error(err, errno, "fsync stream log segment", path);
        goto out;
    }
    fsync_dir(log);
    log->durable = log->end;
out:
    sl_buf_free(&buf);
    free(bases);
    return rc;
}

/* ------------------------------------------------------------- syncing */
/* Makes everything appended so far durable. */
static int sync_all(StLog *log, SlError *err)
{
    pthread_mutex_lock(&log->sync_mu);
    pthread_mutex_lock(&log->mu);
    if (log->sync_errno) {
        int e = log->sync_errno;
        pthread_mutex_unlock(&log->mu);
        pthread_mutex_unlock(&log->sync_mu);
        return st_io_error(err, e, "fsync stream log in", log->dir);
    }
    uint64_t target = log->end;
    if (log->durable >= target) {
        pthread_mutex_unlock(&log->mu);
        pthread_mutex_unlock(&log->sync_mu);
        return 0;
    }
    int fd = dup(log->fd);
    pthread_mutex_unlock(&log->mu);
    int rc = fd < 0 ? -1 : fdatasync(fd);
    int e = errno;
    if (fd >= 0)
        close(fd);
    pthread_mutex_lock(&log->mu);
    if (rc == 0) {
        if (target > log->durable)
            log->durable = target;
    } else {
        /* after a failed fsync the kernel may have dropped dirty pages:
         * nothing written since the last good fsync can be trusted */
        log->sync_errno = e;
        sl_log(SL_LOG_ERROR, "stream log %s: fsync failed: %s; the log refuses appends", log->dir, strerror(e));
    }
    pthread_cond_broadcast(&log->durable_cv);
    pthread_mutex_unlock(&log->mu);
    pthread_mutex_unlock(&log->sync_mu);
    if (rc < 0)
        return st_io_error(err, e, "fsync stream log in", log->dir);
    return 0;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Group commit: at most one fsync every group_commit_ms. */
static void *flusher_main(void *arg)
{
    StLog *log = arg;
    uint64_t last = 0;
    pthread_mutex_lock(&log->mu);
    while (!log->stopping) {
        if (log->durable >= log->end || log->sync_errno) {
            pthread_cond_wait(&log->flush_cv, &log->mu);
            continue;
        }
        uint64_t now = mono_ms(), next = last + (uint64_t)log->opt.group_commit_ms;
        if (now < next) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            uint64_t ns = (uint64_t)ts.tv_nsec + (next - now) * 1000000;
            ts.tv_sec += (time_t)(ns / 1000000000);
            ts.tv_nsec = (long)(ns % 1000000000);
            pthread_cond_timedwait(&log->flush_cv, &log->mu, &ts);
            continue;
        }
        pthread_mutex_unlock(&log->mu);
        last = mono_ms();
        sync_all(log, NULL);
        pthread_mutex_lock(&log->mu);
    }
    pthread_mutex_unlock(&log->mu);
    return NULL;
}

/* --------------------------------------------------------------- open */
int st_durability_parse(const char *name, StDurability *out)
{
    static const char *names[] = {"none", "batch", "fsync"};
    for (int i = 0; i < 3; i++)
        if (!strcasecmp(name, names[i])) {
            *out = (StDurability)i;
            return 0;
        }
    return -1;
}

const char *st_durability_name(StDurability d)
{
    return d == ST_DUR_FSYNC ? "fsync" : d == ST_DUR_BATCH ? "batch" : "none";
}

StLog *st_log_open(const char *dir, const StLogOptions *opt, SlError *err)
{
    StLog *log = sl_calloc(1, sizeof *log);
    log->dir = sl_xstrdup(dir);
    log->fd = -1;
    log->dirfd = -1;
    if (opt)
        log->opt = *opt;
    if (!log->opt.segment_bytes)
        log->opt.segment_bytes = DEFAULT_SEGMENT;
    if (log->opt.recycle_dir && log->opt.recycle_bytes)
        log->pool = sl_xstrdup(log->opt.recycle_dir);
    log->opt.recycle_dir = NULL; /* the caller's string: log->pool is the copy */
    if (log->opt.group_commit_ms <= 0)
        log->opt.group_commit_ms = DEFAULT_GROUP_MS;
    pthread_mutex_init(&log->mu, NULL);
    pthread_mutex_init(&log->sync_mu, NULL);
    pthread_cond_init(&log->durable_cv, NULL);
    pthread_cond_init(&log->flush_cv, NULL);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        st_io_error(err, errno, "create stream log directory", dir);
        goto fail;
    }
    log->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (log->dirfd < 0) {
        st_io_error(err, errno, "open stream log directory", dir);
        goto fail;
    }
    if (recover(log, err) < 0)
        goto fail;
    if (log->opt.durability == ST_DUR_BATCH) {
        if (pthread_create(&log->flusher, NULL, flusher_main, log) != 0) {
            sl_error(err, SL_E_INTERNAL_ERROR, "could not start the stream log's flusher thread");
            goto fail;
        }
        log->has_flusher = true;
    }
    sl_debug("stream log %s: offsets %llu..%llu in %d segment(s), durability %s", dir,
             (unsigned long long)log->segs[0].base, (unsigned long long)log->end, log->nsegs,
             st_durability_name(log->opt.durability));
    return log;
fail:
    st_log_close(log);
    return NULL;
}

/* Stream names may hold any character: keep [A-Za-z0-9_-], escape the
 * rest as %XX so the name is one safe path component. */
static void stream_dir(const char *log_dir, const char *stream, SlBuf *out)
{
    sl_buf_printf(out, "%s/", log_dir);
    for (const unsigned char *s = (const unsigned char *)stream; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
            *s == '-')
            sl_buf_putc(out, (char)*s);
        else
            sl_buf_printf(out, "%%%02X", *s);
    }
}

/* The pool of a partition log under log_dir: the options' recycle_dir,
 * or LOG_DIR/.free ('.' is escaped in stream names); "" when off. */
static void partition_pool(const char *log_dir, const StLogOptions *opt, char *out, size_t n)
{
    if (!opt || !opt->recycle_bytes)
        out[0] = '\0';
    else if (opt->recycle_dir)
        snprintf(out, n, "%s", opt->recycle_dir);
    else
        snprintf(out, n, "%s/.free", log_dir);
}

StLog *st_log_open_partition(const char *log_dir, const char *stream, int partition, const StLogOptions *opt,
                             SlError *err)
{
    SlBuf p;
    sl_buf_init(&p);
    sl_buf_puts(&p, log_dir);
    if (mkdir(p.data, 0755) < 0 && errno != EEXIST) {
        st_io_error(err, errno, "create directory", p.data);
        sl_buf_free(&p);
        return NULL;
    }
    sl_buf_reset(&p);
    stream_dir(log_dir, stream, &p);
    if (mkdir(p.data, 0755) < 0 && errno != EEXIST) {
        st_io_error(err, errno, "create directory", p.data);
        sl_buf_free(&p);
        return NULL;
    }
    sl_buf_printf(&p, "/%d", partition);
    char pool[4096];
    partition_pool(log_dir, opt, pool, sizeof pool);
    StLogOptions o = {0};
    if (opt)
        o = *opt;
    o.recycle_dir = pool[0] ? pool : NULL;
    StLog *log = st_log_open(p.data, &o, err);
    sl_buf_free(&p);
    return log;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* The segment files of each partition directory under dir into the pool. */
static void recycle_stream(const char *dir, const char *pool, uint64_t cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    char part[4096], path[4096];
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || strspn(de->d_name, "0123456789") != strlen(de->d_name))
            continue;
        if (snprintf(part, sizeof part, "%s/%s", dir, de->d_name) >= (int)sizeof part)
            continue;
        DIR *pd = opendir(part);
        if (!pd)
            continue;
        struct dirent *se;
        while ((se = readdir(pd))) {
            size_t n = strlen(se->d_name);
            if (n > 4 && strcmp(se->d_name + n - 4, ".seg") == 0 &&
                snprintf(path, sizeof path, "%s/%s", part, se->d_name) < (int)sizeof path)
                (void)recycle_put(pool, cap, path);
        }
        closedir(pd);
    }
    closedir(d);
}

int st_log_drop_stream(const char *log_dir, const char *stream, const StLogOptions *opt, SlError *err)
{
    SlBuf p;
    sl_buf_init(&p);
    stream_dir(log_dir, stream, &p);
    int rc = 0;
    char pool[4096];
    partition_pool(log_dir, opt, pool, sizeof pool);
    if (access(p.data, F_OK) == 0) {
        if (pool[0])
            recycle_stream(p.data, pool, opt->recycle_bytes);
        if (nftw(p.data, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
            rc = st_io_error(err, errno, "remove stream log directory", p.data);
    }
    sl_buf_free(&p);
    return rc;
}

void st_log_close(StLog *log)
{
    if (!log)
        return;
    if (log->has_flusher) {
        pthread_mutex_lock(&log->mu);
        log->stopping = true;
        pthread_cond_broadcast(&log->flush_cv);
        pthread_mutex_unlock(&log->mu);
        pthread_join(log->flusher, NULL);
    }
    if (log->fd >= 0 && log->opt.durability != ST_DUR_NONE)
        sync_all(log, NULL);
    /* a recycled active segment: its old bytes cut, so that the next open
     * finds no torn tail */
    struct stat st;
    if (log->fd >= 0 && log->nsegs && !log->sync_errno && fstat(log->fd, &st) == 0 &&
        (uint64_t)st.st_size > log->segs[log->nsegs - 1].size &&
        ftruncate(log->fd, (off_t)log->segs[log->nsegs - 1].size) == 0 && log->opt.durability != ST_DUR_NONE)
        (void)fdatasync(log->fd);
    pthread_mutex_lock(&log->mu);
    log->stopping = true;
    pthread_cond_broadcast(&log->durable_cv);
    pthread_mutex_unlock(&log->mu);
    if (log->fd >= 0)
        close(log->fd);
    if (log->dirfd >= 0)
        close(log->dirfd);
    pthread_cond_destroy(&log->durable_cv);
    pthread_cond_destroy(&log->flush_cv);
    pthread_mutex_destroy(&log->sync_mu);
    pthread_mutex_destroy(&log->mu);
    free(log->segs);
    free(log->pool);
    free(log->dir);
    free(log);
}

/* ------------------------------------------------------------- append */
/* Starts a new segment at log->end; called with mu held. */
static int roll(StLog *log, SlError *err)
{
    char path[4096];
    /* a recycled file ends at its last batch before it is sealed: recovery
     * reads every sealed segment to its end */
    const Seg *old = &log->segs[log->nsegs - 1];
    struct stat st;
    if ((fstat(log->fd, &st) == 0 && (uint64_t)st.st_size > old->size && ftruncate(log->fd, (off_t)old->size) < 0) ||
        (log->opt.durability != ST_DUR_NONE && fdatasync(log->fd) < 0)) {
        seg_path(log, old->base, path, sizeof path);
        return st_io_error(err, errno, "seal stream log segment", path);
    }
    seg_path(log, log->end, path, sizeof path);
    int fd = segment_create(log, path);
    if (fd < 0)
        return st_io_error(err, errno, "create stream log segment", path);
    fsync_dir(log);
    close(log->fd);
    log->fd = fd;
    segs_push(log, log->end, 0);
    if (log->opt.durability != ST_DUR_NONE)
        log->durable = log->end; /* the old segment was just fsynced */
    return 0;
}

int st_log_append(StLog *log, const void *payload, size_t len, uint32_t nrows, uint64_t *first_offset,
                  uint64_t *ticket, SlError *err)
{
    return st_log_append_crc(log, payload, len, st_crc32c(0, payload, len), nrows, first_offset, ticket, err);
}

int st_log_append_crc(StLog *log, const void *payload, size_t len, uint32_t payload_crc, uint32_t nrows,
                      uint64_t *first_offset, uint64_t *ticket, SlError *err)
{
    if (nrows == 0 || len > MAX_BATCH)
        return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "a stream log batch needs 1 or more rows and at most "
                                                           "%u bytes", MAX_BATCH);
    char path[4096];
    pthread_mutex_lock(&log->mu);
    if (log->sync_errno) {
        int e = log->sync_errno;
        pthread_mutex_unlock(&log->mu);
        return st_io_error(err, e, "fsync stream log in", log->dir);
    }
    Seg *seg = &log->segs[log->nsegs - 1];
    if (log->need_truncate) {
        if (ftruncate(log->fd, (off_t)seg->size) < 0) {
            int e = errno;
            pthread_mutex_unlock(&log->mu);
            seg_path(log, seg->base, path, sizeof path);
            return st_io_error(err, e, "truncate stream log segment", path);
        }
        log->need_truncate = false;
    }
    if (seg->size > 0 && seg->size + HDR_SIZE + len > log->opt.segment_bytes) {
        if (roll(log, err) < 0) {
            pthread_mutex_unlock(&log->mu);
            return -1;
        }
        seg = &log->segs[log->nsegs - 1];
    }
    unsigned char hdr[HDR_SIZE];
    uint64_t base = log->end;
    put_u32(hdr, LOG_MAGIC);
    put_u32(hdr + 8, (uint32_t)len);
    put_u32(hdr + 12, nrows);
    put_u64(hdr + 16, base);
    /* header_crc's value, from the payload's CRC */
    put_u32(hdr + 4, st_crc32c_combine(st_crc32c(log->seed, hdr + 8, HDR_SIZE - 8), payload_crc, len));

    struct iovec iov[2] = {{hdr, HDR_SIZE}, {(void *)payload, len}};
    int niov = len ? 2 : 1;
    size_t total = HDR_SIZE + len, done = 0;
    bool released = false;
    while (done < total) {
        /* skip what was written already */
        struct iovec v[2];
        int nv = 0;
        size_t skip = done;
        for (int i = 0; i < niov; i++) {
            if (skip >= iov[i].iov_len) {
                skip -= iov[i].iov_len;
                continue;
            }
            v[nv].iov_base = (char *)iov[i].iov_base + skip;
            v[nv].iov_len = iov[i].iov_len - skip;
            skip = 0;
            nv++;
        }
        ssize_t w = pwritev(log->fd, v, nv, (off_t)(seg->size + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : ENOSPC;
            /* cut the partial batch so the file ends at a batch boundary */
            if (ftruncate(log->fd, (off_t)seg->size) < 0)
                log->need_truncate = true;
            /* the disk is full: the pool's files are only there to be
             * written over, give their space back and write again */
            if ((e == ENOSPC || e == EDQUOT) && !log->need_truncate && log->pool && !released &&
                pool_release(log->pool) > 0) {
                released = true;
                done = 0;
                continue;
            }
            pthread_mutex_unlock(&log->mu);
            seg_path(log, seg->base, path, sizeof path);
            return st_io_error(err, e, "write to stream log segment", path);
        }
        done += (size_t)w;
    }
    seg->size += total;
    log->end += nrows;
    uint64_t t = log->end;
    if (log->opt.durability == ST_DUR_BATCH)
        pthread_cond_signal(&log->flush_cv);
    pthread_mutex_unlock(&log->mu);
    if (first_offset)
        *first_offset = base;
    if (ticket)
        *ticket = t;
    if (log->opt.durability == ST_DUR_FSYNC)
        return sync_all(log, err);
    return 0;
}

int st_log_wait(StLog *log, uint64_t ticket, SlError *err)
{
    if (log->opt.durability == ST_DUR_NONE)
        return 0;
    pthread_mutex_lock(&log->mu);
    if (ticket > log->end) {
        pthread_mutex_unlock(&log->mu);
        return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "stream log ticket %llu is beyond the log's end",
                        (unsigned long long)ticket);
    }
    while (log->durable < ticket && !log->sync_errno && !log->stopping)
        pthread_cond_wait(&log->durable_cv, &log->mu);
    int e = log->durable >= ticket ? 0 : log->sync_errno ? log->sync_errno : EIO;
    pthread_mutex_unlock(&log->mu);
    if (e)
        return st_io_error(err, e, "fsync stream log in", log->dir);
    return 0;
}

int st_log_sync(StLog *log, SlError *err)
{
    return sync_all(log, err);
}

uint64_t st_log_start_offset(StLog *log)
{
    pthread_mutex_lock(&log->mu);
    uint64_t v = log->segs[0].base;
    pthread_mutex_unlock(&log->mu);
    return v;
}

uint64_t st_log_end_offset(StLog *log)
{
    pthread_mutex_lock(&log->mu);
    uint64_t v = log->end;
    pthread_mutex_unlock(&log->mu);
    return v;
}

uint64_t st_log_durable_offset(StLog *log)
{
    pthread_mutex_lock(&log->mu);
    uint64_t v = log->opt.durability == ST_DUR_NONE ? log->end : log->durable;
    pthread_mutex_unlock(&log->mu);
    return v;
}

uint64_t st_log_size_bytes(StLog *log)
{
    pthread_mutex_lock(&log->mu);
    uint64_t v = 0;
    for (int i = 0; i < log->nsegs; i++)
        v += log->segs[i].size;
    pthread_mutex_unlock(&log->mu);
    return v;
}

int st_log_segment_count(StLog *log)
{
    pthread_mutex_lock(&log->mu);
    int n = log->nsegs;
    pthread_mutex_unlock(&log->mu);
    return n;
}

int st_log_delete_before(StLog *log, uint64_t offset, SlError *err)
{
    char path[4096];
    pthread_mutex_lock(&log->mu);
    int k = 0;
    while (k < log->nsegs - 1 && log->segs[k + 1].base <= offset)
        k++;
    int done = 0;
    for (; done < k; done++) {
        seg_path(log, log->segs[done].base, path, sizeof path);
        /* into the pool only while no reader may have it open */
        if (recycle_put(log->readers ? NULL : log->pool, log->opt.recycle_bytes, path) < 0)
            break;
    }
    int e = errno;
    memmove(log->segs, log->segs + done, (size_t)(log->nsegs - done) * sizeof *log->segs);
    log->nsegs -= done;
    if (done)
        fsync_dir(log);
    pthread_mutex_unlock(&log->mu);
    if (done < k)
        return st_io_error(err, e, "remove stream log segment", path);
    if (done)
        sl_debug("stream log %s: deleted %d segment(s) below offset %llu", log->dir, done,
                 (unsigned long long)offset);
    return done;
}

/* ------------------------------------------------------------- readers
 *
 * A reader maps its segment read-only and hands out batches in place:
 * replaying a log that is in the page cache copies nothing. The mapping
 * only ever covers bytes below the segment's valid size, which are never
 * rewritten or cut while the log is open (a failed append cuts only what
 * is beyond it), and a segment deleted under the reader stays mapped until
 * it moves on. Where mmap fails the reader falls back to pread.
 */
#define NO_CLAIM UINT64_MAX

static void reader_unmap(StLogReader *r)
{
    if (r->map)
        munmap((void *)r->map, r->maplen);
    r->map = NULL;
    r->maplen = 0;
}

/* Makes the mapping cover the segment's first `need` bytes, mapping all
 * `limit` valid bytes when it must map again (false: use pread). A reader
 * following appends maps again only when it reaches the end of what it
 * mapped, not whenever the segment grew. */
/* Maps the pages of a mapped range in one call (a hint: kernels before
 * 5.14 fault them in as they are read). */
static void populate_range(const void *p, size_t len)
{
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), a = (uintptr_t)p & ~(page - 1);
    (void)madvise((void *)a, len + ((uintptr_t)p - a), MADV_POPULATE_READ);
}

static bool reader_map(StLogReader *r, uint64_t need, uint64_t limit)
{
    if (r->nomap)
        return false;
    if (r->map && r->maplen >= need)
        return true;
    reader_unmap(r);
    /* a reader that reads every batch maps all of them at once; one that
     * reads a share of them (st_log_reader_share) asks for its batches' pages one
     * batch at a time (st_log_reader_next): P readers of one segment would
     * otherwise each map all of it */
    int populate = r->claim ? 0 : MAP_POPULATE;
    void *m = mmap(NULL, (size_t)limit, PROT_READ, MAP_SHARED | populate, r->fd, 0);
    if (m == MAP_FAILED) {
        r->nomap = true;
        return false;
    }
    madvise(m, (size_t)limit, MADV_SEQUENTIAL);
    r->map = m;
    r->maplen = (size_t)limit;
    return true;
}

static int reader_open_seg(StLogReader *r, uint64_t base, SlError *err)
{
    char path[4096];
    seg_path(r->log, base, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return st_io_error(err, errno, "open stream log segment", path);
    if (r->fd >= 0)
        close(r->fd);
    reader_unmap(r);
    r->fd = fd;
    r->seg_base = base;
    r->pos = 0;
    r->next_off = base;
    return 0;
}

StLogReader *st_log_reader_open(StLog *log, uint64_t from, SlError *err)
{
    StLogReader *r = sl_calloc(1, sizeof *r);
    r->log = log;
    r->fd = -1;
    sl_buf_init(&r->buf);
    pthread_mutex_lock(&log->mu);
    log->readers++;
    pthread_mutex_unlock(&log->mu);
    for (int attempt = 0; attempt < 3; attempt++) {
        pthread_mutex_lock(&log->mu);
        int i = 0;
        while (i + 1 < log->nsegs && log->segs[i + 1].base <= from)
            i++;
        uint64_t base = log->segs[i].base;
        pthread_mutex_unlock(&log->mu);
        r->skip_below = from;
        if (reader_open_seg(r, base, err) == 0)
            return r;
        /* the segment was deleted meanwhile: look again */
    }
    st_log_reader_close(r);
    return NULL;
}

int st_log_reader_next(StLogReader *r, StLogBatch *out, SlError *err)
{
    StLog *log = r->log;
    for (;;) {
        /* how far this segment is valid, and what follows it */
        pthread_mutex_lock(&log->mu);
        int i = 0;
        while (i < log->nsegs && log->segs[i].base < r->seg_base)
            i++;
        uint64_t limit, next_base = 0;
        bool has_next;
        if (i < log->nsegs && log->segs[i].base == r->seg_base) {
            limit = log->segs[i].size;
            has_next = i + 1 < log->nsegs;
            if (has_next)
                next_base = log->segs[i + 1].base;
        } else {
            /* deleted under us: it was sealed, all of it is valid */
            struct stat stt;
            limit = fstat(r->fd, &stt) == 0 ? (uint64_t)stt.st_size : 0;
            has_next = i < log->nsegs;
            if (has_next)
                next_base = log->segs[i].base;
        }
        pthread_mutex_unlock(&log->mu);

        if (r->pos + HDR_SIZE <= limit) {
            unsigned char hdrbuf[HDR_SIZE];
            const unsigned char *hdr = hdrbuf;
            uint32_t crc, len, nrows;
            uint64_t base;
            bool mapped = reader_map(r, r->pos + HDR_SIZE, limit);
            if (mapped)
                memcpy(hdrbuf, r->map + r->pos, HDR_SIZE);
            else if (pread_full(r->fd, hdrbuf, HDR_SIZE, r->pos) <= 0)
                hdr = NULL;
            if (!hdr || !parse_header(hdr, &crc, &len, &nrows, &base) || r->pos + HDR_SIZE + len > limit)
                return sl_error(err, SL_E_DATA_CORRUPTED, "stream log %s: bad batch header at byte %llu of "
                                "segment %llu", log->dir, (unsigned long long)r->pos,
                                (unsigned long long)r->seg_base);
            uint64_t at = r->pos;
            r->pos += HDR_SIZE + len;
            r->next_off = base + nrows;
            if (base + nrows <= r->skip_below)
                continue;
            if (r->claim) {
                if (r->want == NO_CLAIM)
                    r->want = __atomic_fetch_add(r->claim, 1, __ATOMIC_RELAXED);
                if (r->seen++ != r->want)
                    continue; /* another reader's batch: not even checked */
                r->want = NO_CLAIM;
            }
            const void *data;
            if (mapped)
                mapped = reader_map(r, at + HDR_SIZE + len, limit);
            if (mapped) {
                data = r->map + at + HDR_SIZE;
                if (r->claim)
                    populate_range(data, len);
            } else {
                sl_buf_reset(&r->buf);
                sl_buf_reserve(&r->buf, len);
                if (len && pread_full(r->fd, r->buf.data, len, at + HDR_SIZE) <= 0)
                    return st_io_error(err, errno ? errno : EIO, "read stream log in", log->dir);
                r->buf.len = len;
                data = r->buf.data;
            }
            out->unchecked = r->defer;
            out->crc_want = crc;
            out->crc_seed = st_crc32c(log->seed, hdr + 8, HDR_SIZE - 8);
            if (!r->defer && st_crc32c(out->crc_seed, data, len) != crc)
                return sl_error(err, SL_E_DATA_CORRUPTED, "stream log %s: checksum mismatch in the batch at "
                                "offset %llu", log->dir, (unsigned long long)base);
            out->base_offset = base;
            out->nrows = nrows;
            out->data = data;
            out->len = len;
            return 1;
        }
        if (!has_next)
            return 0;
        if (next_base != r->next_off)
            return sl_error(err, SL_E_OBJECT_NOT_IN_PREREQUISITE_STATE,
                            "stream log %s: offsets %llu to %llu were deleted before this reader read them",
                            log->dir, (unsigned long long)r->next_off, (unsigned long long)next_base - 1);
        if (reader_open_seg(r, next_base, err) < 0)
            return -1;
    }
}

void st_log_reader_defer_checks(StLogReader *r)
{
    r->defer = true;
}

void st_log_reader_share(StLogReader *r, uint64_t *claim)
{
    r->claim = claim;
    r->want = NO_CLAIM;
    r->seen = 0;
}

void st_log_reader_close(StLogReader *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->log->mu);
    r->log->readers--;
    pthread_mutex_unlock(&r->log->mu);
    if (r->fd >= 0)
        close(r->fd);
    reader_unmap(r);
    sl_buf_free(&r->buf);
    free(r);
}
