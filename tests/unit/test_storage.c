/*
 * test_storage.c — the stream log and CRC32C, without PostgreSQL:
 * append/read back, offsets, segment roll and deletion, recovery from a
 * torn tail cut at every byte of the last batch and from checksum
 * mismatches, a reader running while appends go on, durability modes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sl_storage.h"
#include "st_int.h"
#include "unit.h"

/* ------------------------------------------------------------ helpers */
static char tmpdir[256];

static void mk_tmp(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sl-test-storage.XXXXXX");
    CU_ASSERT_FATAL(mkdtemp(tmpdir) != NULL);
}

static int rm_cb(const char *p, const struct stat *sb, int f, struct FTW *w)
{
    (void)sb;
    (void)f;
    (void)w;
    return remove(p);
}

static void rm_tmp(void)
{
    nftw(tmpdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* Payload of the batch at offset `base`: deterministic bytes whose length
 * depends on the offset, so content and size are both checked. */
static size_t make_payload(uint64_t base, char *buf, size_t cap)
{
    size_t n = 1 + (size_t)(base * 7919 % 97);
    if (n > cap)
        n = cap;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)((base * 31 + i * 17) & 0xff);
    return n;
}

static uint32_t rows_for(int i)
{
    return (uint32_t)(1 + i % 5);
}

/* Appends n batches; returns the end offset. */
static uint64_t append_n(StLog *log, int n, int first_index)
{
    char buf[128];
    SlError err;
    uint64_t end = st_log_end_offset(log);
    for (int i = 0; i < n; i++) {
        size_t len = make_payload(end, buf, sizeof buf);
        uint64_t first = 0, ticket = 0;
        uint32_t rows = rows_for(first_index + i);
        int rc = st_log_append(log, buf, len, rows, &first, &ticket, &err);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        CU_ASSERT_EQUAL(first, end);
        CU_ASSERT_EQUAL(ticket, end + rows);
        end += rows;
    }
    CU_ASSERT_EQUAL(st_log_end_offset(log), end);
    return end;
}

/* Reads every batch from `from` and checks contiguity and content;
 * returns the offset after the last batch read, and the count. */
static uint64_t read_check(StLog *log, uint64_t from, int *count)
{
    SlError err;
    StLogReader *r = st_log_reader_open(log, from, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    StLogBatch b;
    uint64_t expect = 0;
    bool first = true;
    int n = 0, rc;
    char buf[128];
    while ((rc = st_log_reader_next(r, &b, &err)) == 1) {
        if (first) {
            /* the batch containing `from`, or the first after it */
            CU_ASSERT(b.base_offset <= from || from < st_log_start_offset(log));
            CU_ASSERT(b.base_offset + b.nrows > from);
            first = false;
        } else {
            CU_ASSERT_EQUAL(b.base_offset, expect);
        }
        size_t len = make_payload(b.base_offset, buf, sizeof buf);
        CU_ASSERT_EQUAL(b.len, len);
        CU_ASSERT(b.len == len && memcmp(b.data, buf, len) == 0);
        expect = b.base_offset + b.nrows;
        n++;
    }
    CU_ASSERT_EQUAL(rc, 0);
    st_log_reader_close(r);
    if (count)
        *count = n;
    return first ? from : expect;
}

static char *seg_file(const char *dir, uint64_t base)
{
    static char p[1200];
    snprintf(p, sizeof p, "%s/%020llu.seg", dir, (unsigned long long)base);
    return p;
}

static long file_size(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

/* ------------------------------------------------------------- CRC32C */
static void test_crc32c_vectors(void)
{
    /* RFC 3720 B.4 and the classic check value */
    unsigned char b[32];
    CU_ASSERT_EQUAL(st_crc32c(0, "123456789", 9), 0xE3069283u);
    CU_ASSERT_EQUAL(st_crc32c_sw(0, "123456789", 9), 0xE3069283u);
    memset(b, 0, 32);
    CU_ASSERT_EQUAL(st_crc32c(0, b, 32), 0x8A9136AAu);
    memset(b, 0xff, 32);
    CU_ASSERT_EQUAL(st_crc32c(0, b, 32), 0x62A8AB43u);
    for (int i = 0; i < 32; i++)
        b[i] = (unsigned char)i;
    CU_ASSERT_EQUAL(st_crc32c(0, b, 32), 0x46DD794Eu);
    CU_ASSERT_EQUAL(st_crc32c_sw(0, b, 32), 0x46DD794Eu);
    for (int i = 0; i < 32; i++)
        b[i] = (unsigned char)(31 - i);
    CU_ASSERT_EQUAL(st_crc32c(0, b, 32), 0x113FDB5Cu);
    CU_ASSERT_EQUAL(st_crc32c(0, "", 0), 0u);
}

/* Inputs long enough for the three interleaved streams (blocks of 4 kB)
 * and their joins, at every alignment, against the table version. */
static void test_crc32c_long(void)
{
    size_t n = 3 * 4096 * 3 + 100;
    unsigned char *buf = malloc(n);
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)(i * 2654435761u >> 13);
    size_t lens[] = {3 * 4096 - 1, 3 * 4096, 3 * 4096 + 1, 3 * 4096 + 8, 6 * 4096 + 17, 3 * 4096 * 3, n - 9};
    for (size_t off = 0; off < 9; off++)
        for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
            CU_ASSERT_EQUAL(st_crc32c(0x1234u, buf + off, lens[k]), st_crc32c_sw(0x1234u, buf + off, lens[k]));
            CU_ASSERT_EQUAL(st_crc32c(0, buf + off, lens[k]), st_crc32c_sw(0, buf + off, lens[k]));
        }
    /* joining: crc(a b) from crc(a), crc(b) and |b| (log batches join
     * their header's CRC with the payload's this way) */
    for (size_t cut = 0; cut <= n; cut += cut < 40 ? 1 : 4093) {
        uint32_t a = st_crc32c(0, buf, cut), b = st_crc32c(0, buf + cut, n - cut);
        CU_ASSERT_EQUAL(st_crc32c_combine(a, b, n - cut), st_crc32c(0, buf, n));
    }
    /* one flipped bit anywhere in a long input changes it */
    uint32_t whole = st_crc32c(0, buf, n);
    for (size_t at = 0; at < n; at += 1499) {
        buf[at] ^= 0x10;
        CU_ASSERT_NOT_EQUAL(st_crc32c(0, buf, n), whole);
        buf[at] ^= 0x10;
    }
    free(buf);
}

static void test_crc32c_chain_and_alignment(void)
{
    unsigned char buf[1100];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 131 + 7);
    for (size_t off = 0; off < 9; off++)
        for (size_t len = 0; len + off <= sizeof buf; len += 37) {
            uint32_t hw = st_crc32c(0, buf + off, len);
            CU_ASSERT_EQUAL(hw, st_crc32c_sw(0, buf + off, len));
            size_t cut = len / 3;
            CU_ASSERT_EQUAL(st_crc32c(st_crc32c(0, buf + off, cut), buf + off + cut, len - cut), hw);
        }
}

/* Opens the log in dir again and checks what it holds: end offset, bytes,
 * and every batch from 0 read back (batches of them). */
static StLog *reopen_expect(const char *dir, const StLogOptions *o, uint64_t end, uint64_t size, int batches)
{
    SlError err;
    StLog *log = st_log_open(dir, o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_EQUAL(st_log_end_offset(log), end);
    CU_ASSERT_EQUAL(st_log_size_bytes(log), size);
    int n;
    CU_ASSERT_EQUAL(read_check(log, 0, &n), end);
    CU_ASSERT_EQUAL(n, batches);
    return log;
}

/* ---------------------------------------------------------- basic log */
static void test_append_read_reopen(void)
{
    mk_tmp();
    SlError err;
    StLogOptions o = {.durability = ST_DUR_NONE};
    StLog *log = st_log_open(tmpdir, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_EQUAL(st_log_end_offset(log), 0);
    CU_ASSERT_EQUAL(st_log_start_offset(log), 0);
    /* empty log: a reader is caught up at once */
    int n = -1;
    read_check(log, 0, &n);
    CU_ASSERT_EQUAL(n, 0);

    uint64_t end = append_n(log, 200, 0);
    CU_ASSERT(end > 200);
    CU_ASSERT(st_log_size_bytes(log) > 200 * 24);
    CU_ASSERT_EQUAL(read_check(log, 0, &n), end);
    CU_ASSERT_EQUAL(n, 200);
    /* from the middle of a batch: that batch first */
    uint64_t mid = read_check(log, 101, &n);
    CU_ASSERT_EQUAL(mid, end);
    CU_ASSERT(n < 200 && n > 50);
    /* zero rows and oversized batches are refused */
    CU_ASSERT_EQUAL(st_log_append(log, "x", 1, 0, NULL, NULL, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22023");
    uint64_t size = st_log_size_bytes(log);
    st_log_close(log);

    log = reopen_expect(tmpdir, &o, end, size, 200);
    uint64_t end2 = append_n(log, 10, 200);
    CU_ASSERT_EQUAL(read_check(log, 0, &n), end2);
    CU_ASSERT_EQUAL(n, 210);
    st_log_close(log);
    rm_tmp();
}

static void test_roll_and_delete(void)
{
    mk_tmp();
    SlError err;
    StLogOptions o = {.durability = ST_DUR_NONE, .segment_bytes = 1000};
    StLog *log = st_log_open(tmpdir, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    uint64_t end = append_n(log, 300, 0);
    int segs = st_log_segment_count(log);
    CU_ASSERT(segs > 10);
    /* each segment is named by its first offset and at most 1000 bytes */
    DIR *d = opendir(tmpdir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct dirent *de;
    int files = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "epoch") == 0)
            continue;
        char p[600];
        snprintf(p, sizeof p, "%s/%s", tmpdir, de->d_name);
        CU_ASSERT(file_size(p) <= 1000);
        files++;
    }
    closedir(d);
    CU_ASSERT_EQUAL(files, segs);
    CU_ASSERT_NOT_EQUAL(file_size(seg_file(tmpdir, 0)), -1);
    int n;
    CU_ASSERT_EQUAL(read_check(log, 0, &n), end);
    CU_ASSERT_EQUAL(n, 300);

    /* delete below the middle: only whole segments below it go */
    uint64_t cut = end / 2;
    int del = st_log_delete_before(log, cut, &err);
    CU_ASSERT(del > 0);
    CU_ASSERT_EQUAL(st_log_segment_count(log), segs - del);
    uint64_t start = st_log_start_offset(log);
    CU_ASSERT(start <= cut && start > 0);
    CU_ASSERT_EQUAL(file_size(seg_file(tmpdir, 0)), -1);
    CU_ASSERT_NOT_EQUAL(file_size(seg_file(tmpdir, start)), -1);
    /* the kept part reads from its start; reading from 0 clamps */
    CU_ASSERT_EQUAL(read_check(log, cut, NULL), end);
    StLogReader *r = st_log_reader_open(log, 0, &err);
    StLogBatch b;
    CU_ASSERT_EQUAL(st_log_reader_next(r, &b, &err), 1);
    CU_ASSERT_EQUAL(b.base_offset, start);
    st_log_reader_close(r);
    /* a reader whose unread segments are deleted under it finishes the
     * segment it has open, then reports the gap instead of skipping it */
    r = st_log_reader_open(log, start, &err);
    CU_ASSERT_EQUAL(st_log_reader_next(r, &b, &err), 1);
    CU_ASSERT_EQUAL(b.base_offset, start);
    uint64_t seg2 = start + 1, seg3;
    while (file_size(seg_file(tmpdir, seg2)) < 0 && seg2 < end)
        seg2++;
    seg3 = seg2 + 1;
    while (file_size(seg_file(tmpdir, seg3)) < 0 && seg3 < end)
        seg3++;
    CU_ASSERT_FATAL(seg3 < end);
    CU_ASSERT_EQUAL(st_log_delete_before(log, seg3, &err), 2);
    int rc, got = 0;
    while ((rc = st_log_reader_next(r, &b, &err)) == 1)
        got++;
    CU_ASSERT(got > 0);
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "55000");
    st_log_reader_close(r);
    /* the active segment is never deleted */
    del = st_log_delete_before(log, UINT64_MAX, &err);
    CU_ASSERT(del >= 0);
    CU_ASSERT_EQUAL(st_log_segment_count(log), 1);
    CU_ASSERT_EQUAL(st_log_end_offset(log), end);
    start = st_log_start_offset(log);
    st_log_close(log);

    /* reopening keeps the offsets */
    log = st_log_open(tmpdir, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_EQUAL(st_log_start_offset(log), start);
    CU_ASSERT_EQUAL(st_log_end_offset(log), end);
    uint64_t end2 = append_n(log, 50, 300);
    CU_ASSERT_EQUAL(read_check(log, start, NULL), end2);
    st_log_close(log);
    rm_tmp();
}

/* ------------------------------------------------------------ recovery */
static char *read_file(const char *p, long *len)
{
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)*len + 1);
    if (fread(b, 1, (size_t)*len, f) != (size_t)*len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

static void write_file(const char *p, const char *b, long len)
{
    FILE *f = fopen(p, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fwrite(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
}

static void test_torn_tail_every_byte(void)
{
    mk_tmp();
    SlError err;
    StLogOptions o = {.durability = ST_DUR_NONE};
    StLog *log = st_log_open(tmpdir, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    uint64_t before_last = append_n(log, 20, 0);
    long len_before = file_size(seg_file(tmpdir, 0));
    /* the last batch: a bigger payload, so the cut covers header and body */
    char big[300];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 3);
    CU_ASSERT_EQUAL(st_log_append(log, big, sizeof big, 3, NULL, NULL, &err), 0);
    st_log_close(log);
    long full_len = 0;
    char *full = read_file(seg_file(tmpdir, 0), &full_len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(full);
    CU_ASSERT_EQUAL(full_len, len_before + 24 + (long)sizeof big);

    int failures = 0;
    for (long cut = len_before; cut <= full_len; cut++) {
        write_file(seg_file(tmpdir, 0), full, cut);
        log = st_log_open(tmpdir, &o, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(log);
        uint64_t expect = cut == full_len ? before_last + 3 : before_last;
        int n;
        uint64_t got_end = st_log_end_offset(log);
        uint64_t read_end = cut == full_len ? 0 : read_check(log, 0, &n);
        long fsz = file_size(seg_file(tmpdir, 0));
        if (got_end != expect || (cut < full_len && (read_end != before_last || n != 20)) ||
            fsz != (cut == full_len ? full_len : len_before))
            failures++;
        /* the log takes appends again at the right offset */
        uint64_t first;
        CU_ASSERT_EQUAL(st_log_append(log, "again", 5, 1, &first, NULL, &err), 0);
        if (first != expect)
            failures++;
        st_log_close(log);
    }
    CU_ASSERT_EQUAL(failures, 0);
    free(full);
    rm_tmp();
}

static void test_checksum_mismatch(void)
{
    mk_tmp();
    SlError err;
    StLogOptions o = {.durability = ST_DUR_NONE};
    StLog *log = st_log_open(tmpdir, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    uint64_t before_last = append_n(log, 30, 0);
    long len_before = file_size(seg_file(tmpdir, 0));
    char big[200];
    memset(big, 'q', sizeof big);
    CU_ASSERT_EQUAL(st_log_append(log, big, sizeof big, 2, NULL, NULL, &err), 0);
    st_log_close(log);

    /* flip one byte in the middle of the last batch's payload */
    int fd = open(seg_file(tmpdir, 0), O_RDWR);
    CU_ASSERT_FATAL(fd >= 0);
    char c = 'X';
    CU_ASSERT_EQUAL(pwrite(fd, &c, 1, len_before + 24 + 100), 1);
    close(fd);
    log = st_log_open(tmpdir, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_EQUAL(st_log_end_offset(log), before_last);
    CU_ASSERT_EQUAL(file_size(seg_file(tmpdir, 0)), len_before);
    int n;
    CU_ASSERT_EQUAL(read_check(log, 0, &n), before_last);
    CU_ASSERT_EQUAL(n, 30);
    st_log_close(log);
    rm_tmp();

    /* a corrupt batch in an early segment cuts the log there; later
     * segments are removed, earlier batches stay */
    mk_tmp();
    StLogOptions small = {.durability = ST_DUR_NONE, .segment_bytes = 600};
    log = st_log_open(tmpdir, &small, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    append_n(log, 100, 0);
    CU_ASSERT(st_log_segment_count(log) > 3);
    StLogReader *r = st_log_reader_open(log, 0, &err);
    StLogBatch b;
    uint64_t second_seg = 0;
    while (st_log_reader_next(r, &b, &err) == 1) {
        if (file_size(seg_file(tmpdir, b.base_offset)) >= 0 && b.base_offset > 0) {
            second_seg = b.base_offset;
            break;
        }
    }
    st_log_reader_close(r);
    CU_ASSERT_FATAL(second_seg > 0);
    st_log_close(log);
    fd = open(seg_file(tmpdir, second_seg), O_RDWR);
    CU_ASSERT_FATAL(fd >= 0);
    char hdr[24];
    CU_ASSERT_EQUAL(pread(fd, hdr, 24, 0), 24);
    hdr[4] ^= 0x55; /* the first batch's CRC */
    CU_ASSERT_EQUAL(pwrite(fd, hdr, 24, 0), 24);
    close(fd);
    log = st_log_open(tmpdir, &small, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_EQUAL(st_log_end_offset(log), second_seg);
    CU_ASSERT_EQUAL(read_check(log, 0, &n), second_seg);
    CU_ASSERT_EQUAL(st_log_segment_count(log), 2); /* the first, and the emptied second */
    CU_ASSERT_EQUAL(append_n(log, 1, 0), second_seg + 1);
    st_log_close(log);
    rm_tmp();
}

/* -------------------------------------------------- concurrent reading */
#define CONC_BATCHES 20000

typedef struct Conc {
    StLog *log;
    uint64_t final_end;
    volatile int writer_done;
} Conc;

static void *conc_writer(void *arg)
{
    Conc *c = arg;
    c->final_end = append_n(c->log, CONC_BATCHES, 0);
    __atomic_store_n(&c->writer_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void test_concurrent_reader(void)
{
    mk_tmp();
    SlError err;
    StLogOptions o = {.durability = ST_DUR_NONE, .segment_bytes = 8192};
    Conc c = {0};
    c.log = st_log_open(tmpdir, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c.log);
    StLogReader *r = st_log_reader_open(c.log, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    pthread_t th;
    pthread_create(&th, NULL, conc_writer, &c);
    uint64_t expect = 0;
    int batches = 0, bad = 0, idle = 0, rc;
    char buf[128];
    StLogBatch b;
    for (;;) {
        rc = st_log_reader_next(r, &b, &err);
        if (rc < 0) {
            bad++;
            break;
        }
        if (rc == 0) {
            if (__atomic_load_n(&c.writer_done, __ATOMIC_ACQUIRE) && expect == st_log_end_offset(c.log))
                break;
            idle++;
            continue;
        }
        size_t len = make_payload(b.base_offset, buf, sizeof buf);
        if (b.base_offset != expect || b.len != len || memcmp(b.data, buf, len) != 0)
            bad++;
        expect = b.base_offset + b.nrows;
        batches++;
    }
    pthread_join(th, NULL);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(batches, CONC_BATCHES);
    CU_ASSERT_EQUAL(expect, c.final_end);
    CU_ASSERT(st_log_segment_count(c.log) > 10);
    st_log_reader_close(r);
    st_log_close(c.log);
    rm_tmp();
}

/* ---------------------------------------------------------- durability */
/* Readers sharing a claim counter (st_log_reader_share) read each batch
 * once between them, whichever reads faster, across segments and from an
 * offset inside a batch; a reader that stops asking leaves the rest to
 * the others. */
typedef struct ShareArg {
    StLog *log;
    uint64_t from, *claim;
    uint8_t *seen;          /* per batch base offset: times read */
    int got, rc;
    bool slow;
} ShareArg;

static void *share_reader(void *p)
{
    ShareArg *a = p;
    SlError err;
    StLogReader *r = st_log_reader_open(a->log, a->from, &err);
    if (!r) {
        a->rc = -1;
        return NULL;
    }
    st_log_reader_share(r, a->claim);
    StLogBatch b;
    char buf[128];
    while ((a->rc = st_log_reader_next(r, &b, &err)) == 1) {
        size_t len = make_payload(b.base_offset, buf, sizeof buf);
        if (b.len != len || memcmp(b.data, buf, len) != 0)
            a->rc = -2;
        __atomic_add_fetch(&a->seen[b.base_offset], 1, __ATOMIC_RELAXED);
        a->got++;
        if (a->slow) {
            struct timespec ts = {0, 200000};
            nanosleep(&ts, NULL);
        }
    }
    st_log_reader_close(r);
    return NULL;
}

static void test_shared_readers(void)
{
    mk_tmp();
    SlError err;
    StLogOptions o = {.durability = ST_DUR_NONE, .segment_bytes = 1000};
    StLog *log = st_log_open(tmpdir, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    uint64_t end = append_n(log, 400, 0);
    CU_ASSERT(st_log_segment_count(log) > 10);

    /* the same thread, alternating: batches go to whoever asks */
    uint64_t claim = 0;
    StLogReader *r1 = st_log_reader_open(log, 0, &err), *r2 = st_log_reader_open(log, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r2);
    st_log_reader_share(r1, &claim);
    st_log_reader_share(r2, &claim);
    StLogBatch b;
    uint64_t expect = 0;
    for (int i = 0; i < 30; i++) {
        /* r1 takes two for each of r2's: still in log order overall */
        StLogReader *r = i % 3 == 2 ? r2 : r1;
        CU_ASSERT_EQUAL_FATAL(st_log_reader_next(r, &b, &err), 1);
        CU_ASSERT_EQUAL(b.base_offset, expect);
        expect = b.base_offset + b.nrows;
    }
    st_log_reader_close(r1);
    st_log_reader_close(r2);

    /* two threads from offset 7, inside the batch of rows 6..9, one of
     * them slow: each batch from there on is read exactly once */
    uint64_t from = 7;
    uint8_t *seen = sl_calloc((size_t)end + 1, 1);
    claim = 0;
    ShareArg a[2] = {{.log = log, .from = from, .claim = &claim, .seen = seen},
                     {.log = log, .from = from, .claim = &claim, .seen = seen, .slow = true}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, share_reader, &a[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    CU_ASSERT_EQUAL(a[0].rc, 0);
    CU_ASSERT_EQUAL(a[1].rc, 0);
    int batches = 0, wrong = 0;
    uint64_t off = 0;
    for (int i = 0; off < end; i++) {
        uint32_t rows = rows_for(i);
        bool wanted = off + rows > from;
        if (seen[off] != (wanted ? 1 : 0))
            wrong++;
        batches += wanted;
        off += rows;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(a[0].got + a[1].got, batches);
    CU_ASSERT(a[0].got > a[1].got); /* the slow reader read fewer */
    free(seen);
    st_log_close(log);
    rm_tmp();
}

static void test_durability_fsync_and_none(void)
{
    mk_tmp();
    SlError err;
    StDurability d;
    CU_ASSERT_EQUAL(st_durability_parse("FSYNC", &d), 0);
    CU_ASSERT_EQUAL(d, ST_DUR_FSYNC);
    CU_ASSERT_EQUAL(st_durability_parse("batch", &d), 0);
    CU_ASSERT_EQUAL(d, ST_DUR_BATCH);
    CU_ASSERT_EQUAL(st_durability_parse("none", &d), 0);
    CU_ASSERT_EQUAL(d, ST_DUR_NONE);
    CU_ASSERT_EQUAL(st_durability_parse("sometimes", &d), -1);
    CU_ASSERT_STRING_EQUAL(st_durability_name(ST_DUR_BATCH), "batch");

    StLogOptions o = {.durability = ST_DUR_FSYNC, .segment_bytes = 600};
    StLog *log = st_log_open(tmpdir, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    for (int i = 0; i < 50; i++) {
        uint64_t ticket;
        CU_ASSERT_EQUAL(st_log_append(log, "abcdef", 6, 2, NULL, &ticket, &err), 0);
        /* fsync: durable when append returns */
        CU_ASSERT_EQUAL(st_log_durable_offset(log), ticket);
        CU_ASSERT_EQUAL(st_log_wait(log, ticket, &err), 0);
    }
    CU_ASSERT(st_log_segment_count(log) > 1);
    /* a ticket beyond the end is an error, not a hang */
    CU_ASSERT_EQUAL(st_log_wait(log, 1000000, &err), -1);
    st_log_close(log);
    rm_tmp();

    mk_tmp();
    o.durability = ST_DUR_NONE;
    log = st_log_open(tmpdir, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    uint64_t ticket;
    CU_ASSERT_EQUAL(st_log_append(log, "abc", 3, 1, NULL, &ticket, &err), 0);
    CU_ASSERT_EQUAL(st_log_wait(log, ticket, &err), 0);
    CU_ASSERT_EQUAL(st_log_sync(log, &err), 0);
    st_log_close(log);
    rm_tmp();
}

typedef struct BatchCtx {
    StLog *log;
    int failures;
} BatchCtx;

static void *batch_appender(void *arg)
{
    BatchCtx *c = arg;
    SlError err;
    for (int i = 0; i < 200; i++) {
        uint64_t ticket;
        if (st_log_append(c->log, "0123456789", 10, 1, NULL, &ticket, &err) < 0 ||
            st_log_wait(c->log, ticket, &err) < 0 || st_log_durable_offset(c->log) < ticket)
            __atomic_add_fetch(&c->failures, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void test_durability_batch(void)
{
    mk_tmp();
    SlError err;
    StLogOptions o = {.durability = ST_DUR_BATCH, .group_commit_ms = 3};
    StLog *log = st_log_open(tmpdir, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    /* the flusher makes appends durable without anyone waiting */
    uint64_t ticket;
    CU_ASSERT_EQUAL(st_log_append(log, "x", 1, 1, NULL, &ticket, &err), 0);
    for (int i = 0; i < 200 && st_log_durable_offset(log) < ticket; i++)
        usleep(5000);
    CU_ASSERT_EQUAL(st_log_durable_offset(log), ticket);
    /* four writers waiting on their tickets: group commit */
    BatchCtx c = {log, 0};
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, batch_appender, &c);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    CU_ASSERT_EQUAL(c.failures, 0);
    CU_ASSERT_EQUAL(st_log_end_offset(log), 801);
    CU_ASSERT_EQUAL(st_log_durable_offset(log), 801);
    st_log_close(log);
    log = st_log_open(tmpdir, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_EQUAL(st_log_end_offset(log), 801);
    st_log_close(log);
    rm_tmp();
}

/* ---------------------------------------------------------- partitions */
static void test_partition_dirs(void)
{
    mk_tmp();
    SlError err;
    StLogOptions o = {.durability = ST_DUR_NONE};
    char logdir[600];
    snprintf(logdir, sizeof logdir, "%s/log", tmpdir);
    StLog *log = st_log_open_partition(logdir, "we/ird name", 3, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_EQUAL(st_log_append(log, "abc", 3, 1, NULL, NULL, &err), 0);
    st_log_close(log);
    char p[600];
    snprintf(p, sizeof p, "%s/log/we%%2Fird%%20name/3/%020d.seg", tmpdir, 0);
    CU_ASSERT_EQUAL(file_size(p), 24 + 3);
    CU_ASSERT_EQUAL(st_log_drop_stream(logdir, "we/ird name", NULL, &err), 0);
    snprintf(p, sizeof p, "%s/log/we%%2Fird%%20name", tmpdir);
    CU_ASSERT_EQUAL(access(p, F_OK), -1);
    /* absent is fine */
    CU_ASSERT_EQUAL(st_log_drop_stream(logdir, "nothing", NULL, &err), 0);
    rm_tmp();
}

/* A write that fails half way (here: the file size limit, EFBIG) is cut
 * back to the last batch boundary; appends work again once the cause is
 * gone. (ENOSPC itself: tests/integration/test_storage_diskfull.sh.) */
static void test_failed_write_is_cut(void)
{
    mk_tmp();
    SlError err;
    StLogOptions o = {.durability = ST_DUR_NONE};
    StLog *log = st_log_open(tmpdir, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    char big[1000];
    memset(big, 'z', sizeof big);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = 10000;
    CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int ok = 0, rc;
    while ((rc = st_log_append(log, big, sizeof big, 1, NULL, NULL, &err)) == 0 && ok < 100)
        ok++;
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_EQUAL(ok, 9); /* 9 * 1024 bytes fit under 10000, the 10th is cut */
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "58030");
    CU_ASSERT_EQUAL(st_log_end_offset(log), (uint64_t)ok);
    CU_ASSERT_EQUAL(file_size(seg_file(tmpdir, 0)), (long)st_log_size_bytes(log));
    CU_ASSERT_EQUAL(file_size(seg_file(tmpdir, 0)), 9 * 1024);
    uint64_t first;
    CU_ASSERT_EQUAL(st_log_append(log, big, sizeof big, 1, &first, NULL, &err), 0);
    CU_ASSERT_EQUAL(first, 9);
    st_log_close(log);
    log = st_log_open(tmpdir, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_EQUAL(st_log_end_offset(log), 10);
    st_log_close(log);
    rm_tmp();
}

/* ----------------------------------------------------------- recycling */
/* Files in dir whose names end with suffix; their bytes in *bytes. */
static int count_files(const char *dir, const char *suffix, long *bytes)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (bytes)
        *bytes = 0;
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name), sl = strlen(suffix);
        if (l <= sl || strcmp(de->d_name + l - sl, suffix) != 0)
            continue;
        char p[1200];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (bytes)
            *bytes += file_size(p);
        n++;
    }
    closedir(d);
    return n;
}

/* The base of the n-th segment (0-based) of the log in dir. */
static uint64_t nth_base(const char *dir, int n)
{
    uint64_t bases[4096];
    int k = 0;
    DIR *d = opendir(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct dirent *de;
    while ((de = readdir(d)) && k < 4096)
        if (strlen(de->d_name) == 24 && strcmp(de->d_name + 20, ".seg") == 0)
            bases[k++] = strtoull(de->d_name, NULL, 10);
    closedir(d);
    for (int i = 1; i < k; i++)
        for (int j = i; j > 0 && bases[j - 1] > bases[j]; j--) {
            uint64_t t = bases[j];
            bases[j] = bases[j - 1];
            bases[j - 1] = t;
        }
    CU_ASSERT_FATAL(n < k);
    return bases[n];
}

/* Copies every file of dir `from` into a new directory `to`: what a crash
 * leaves on disk while a log is open. */
static void copy_dir(const char *from, const char *to)
{
    CU_ASSERT_EQUAL_FATAL(mkdir(to, 0755), 0);
    DIR *d = opendir(from);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char a[1200], b[1200];
        long len;
        snprintf(a, sizeof a, "%s/%s", from, de->d_name);
        snprintf(b, sizeof b, "%s/%s", to, de->d_name);
        char *data = read_file(a, &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(data);
        write_file(b, data, len);
        free(data);
    }
    closedir(d);
}

/* A segment given up by retention goes to the pool (unless a reader is
 * open) and becomes another log's new segment, written over. That log's
 * batches here are byte for byte the old log's (the same payloads at the
 * same offsets): only the epoch in the CRC tells the old ones apart, and a
 * crash (the files copied while the log is open, the old bytes still past
 * its end) must not bring them back. */
static void test_recycle_written_over(void)
{
    mk_tmp();
    SlError err;
    char pool[600], a[600], b[600], c[600];
    snprintf(pool, sizeof pool, "%s/pool", tmpdir);
    snprintf(a, sizeof a, "%s/a", tmpdir);
    snprintf(b, sizeof b, "%s/b", tmpdir);
    snprintf(c, sizeof c, "%s/c", tmpdir);
    StLogOptions o = {.durability = ST_DUR_NONE, .segment_bytes = 1000, .recycle_dir = pool, .recycle_bytes = 1 << 20};
    StLog *la = st_log_open(a, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(la);
    uint64_t end_a = append_n(la, 300, 0);
    long seg0 = file_size(seg_file(a, 0));
    /* retention: segment 0 goes to the pool, not away */
    CU_ASSERT_EQUAL(st_log_delete_before(la, nth_base(a, 1), &err), 1);
    CU_ASSERT_EQUAL(file_size(seg_file(a, 0)), -1);
    long bytes;
    CU_ASSERT_EQUAL(count_files(pool, ".free", &bytes), 1);
    CU_ASSERT_EQUAL(bytes, seg0);
    /* while a reader is open a segment is deleted: the reader may have it mapped */
    StLogReader *r = st_log_reader_open(la, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(st_log_delete_before(la, nth_base(a, 1), &err), 1);
    CU_ASSERT_EQUAL(count_files(pool, ".free", NULL), 1);
    st_log_reader_close(r);
    CU_ASSERT_EQUAL(read_check(la, 0, NULL), end_a);
    st_log_close(la);

    /* a new log's first segment is the pool's file: A's segment 0 */
    StLog *lb = st_log_open(b, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(lb);
    CU_ASSERT_EQUAL(count_files(pool, ".free", NULL), 0);
    uint64_t end_b = append_n(lb, 2, 0);
    CU_ASSERT_EQUAL(file_size(seg_file(b, 0)), seg0); /* written over, A's later batches past B's end */
    CU_ASSERT((uint64_t)seg0 > st_log_size_bytes(lb));
    int n;
    CU_ASSERT_EQUAL(read_check(lb, 0, &n), end_b);
    CU_ASSERT_EQUAL(n, 2);
    copy_dir(b, c);
    uint64_t size_b = st_log_size_bytes(lb);
    st_log_close(lb);
    /* a clean close cuts A's bytes */
    CU_ASSERT_EQUAL(file_size(seg_file(b, 0)), (long)size_b);

    /* after the crash: recovery ends the log at B's last batch */
    StLog *lc = reopen_expect(c, &o, end_b, size_b, 2);
    uint64_t end_c = append_n(lc, 50, 2);
    CU_ASSERT_EQUAL(read_check(lc, 0, &n), end_c);
    CU_ASSERT_EQUAL(n, 52);
    st_log_close(lc);
    rm_tmp();
}

/* DROP STREAM puts the stream's segments in the pool (LOG_DIR/.free) up to
 * its cap; a new stream's rolls take them, cut each sealed segment to its
 * batches, and reopen cleanly. */
static void test_recycle_drop_and_roll(void)
{
    mk_tmp();
    SlError err;
    char logdir[600], pool[700], p0[700];
    snprintf(logdir, sizeof logdir, "%s/log", tmpdir);
    snprintf(pool, sizeof pool, "%s/.free", logdir);
    StLogOptions o = {.durability = ST_DUR_BATCH, .segment_bytes = 1000, .recycle_bytes = 1 << 20};
    StLog *log = st_log_open_partition(logdir, "s", 0, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    append_n(log, 300, 0);
    int segs = st_log_segment_count(log);
    uint64_t size = st_log_size_bytes(log);
    st_log_close(log);
    CU_ASSERT_EQUAL(st_log_drop_stream(logdir, "s", &o, &err), 0);
    snprintf(p0, sizeof p0, "%s/s", logdir);
    CU_ASSERT_EQUAL(access(p0, F_OK), -1);
    long bytes;
    CU_ASSERT_EQUAL(count_files(pool, ".free", &bytes), segs);
    CU_ASSERT_EQUAL((uint64_t)bytes, size);

    /* another stream writes over them: its payloads differ (other offsets
     * first), so any old byte read back would show */
    log = st_log_open_partition(logdir, "t", 0, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    char buf[100];
    memset(buf, 'q', sizeof buf);
    CU_ASSERT_EQUAL(st_log_append(log, buf, 7, 1, NULL, NULL, &err), 0); /* shifts every offset by one */
    uint64_t end = append_n(log, 200, 0);
    CU_ASSERT(count_files(pool, ".free", NULL) < segs - 5);
    StLogReader *r = st_log_reader_open(log, 1, &err);
    StLogBatch bt;
    uint64_t expect = 1;
    int rc, got = 0;
    while ((rc = st_log_reader_next(r, &bt, &err)) == 1) {
        char want[128];
        if (bt.base_offset == 0)
            continue;
        CU_ASSERT_EQUAL(bt.base_offset, expect);
        size_t len = make_payload(bt.base_offset, want, sizeof want);
        CU_ASSERT(bt.len == len && memcmp(bt.data, want, len) == 0);
        expect = bt.base_offset + bt.nrows;
        got++;
    }
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(got, 200);
    CU_ASSERT_EQUAL(expect, end);
    st_log_reader_close(r);
    uint64_t tsize = st_log_size_bytes(log);
    st_log_close(log);
    /* every segment file ends at its last batch: sealed ones cut at the
     * roll, the active one at close */
    snprintf(p0, sizeof p0, "%s/t/0", logdir);
    CU_ASSERT(count_files(p0, ".seg", &bytes) > 5);
    CU_ASSERT_EQUAL((uint64_t)bytes, tsize);
    log = st_log_open_partition(logdir, "t", 0, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_EQUAL(st_log_end_offset(log), end);
    CU_ASSERT_EQUAL(st_log_size_bytes(log), tsize);
    st_log_close(log);

    /* the cap: a pool that is full deletes */
    StLogOptions small = o;
    small.recycle_bytes = 2500;
    log = st_log_open_partition(logdir, "u", 0, &small, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    append_n(log, 300, 0);
    st_log_close(log);
    CU_ASSERT_EQUAL(st_log_drop_stream(logdir, "t", &small, &err), 0);
    CU_ASSERT_EQUAL(st_log_drop_stream(logdir, "u", &small, &err), 0);
    count_files(pool, ".free", &bytes);
    CU_ASSERT(bytes <= 2500 && bytes > 0);
    rm_tmp();
}

/* A log written before epochs (no epoch file, CRCs from seed 0) still
 * opens and reads, and never takes a pool file. */
static void test_log_without_epoch(void)
{
    mk_tmp();
    SlError err;
    char dir[600], pool[600], p[700];
    snprintf(dir, sizeof dir, "%s/old", tmpdir);
    snprintf(pool, sizeof pool, "%s/pool", tmpdir);
    CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
    CU_ASSERT_EQUAL_FATAL(mkdir(pool, 0755), 0);
    snprintf(p, sizeof p, "%s/x.free", pool);
    write_file(p, "stale bytes of another log", 26);
    unsigned char rec[24 + 5];
    memcpy(rec + 24, "hello", 5);
    const uint32_t hdr[4] = {0x31424C53u, 0, 5, 3}; /* "SLB1", crc, len, rows (little-endian host) */
    memcpy(rec, hdr, 16);
    memset(rec + 16, 0, 8); /* base offset 0 */
    uint32_t crc = st_crc32c(st_crc32c(0, rec + 8, 16), rec + 24, 5);
    memcpy(rec + 4, &crc, 4);
    write_file(seg_file(dir, 0), (const char *)rec, sizeof rec);
    StLogOptions o = {.durability = ST_DUR_NONE, .segment_bytes = 40, .recycle_dir = pool, .recycle_bytes = 1 << 20};
    StLog *log = st_log_open(dir, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_EQUAL(st_log_end_offset(log), 3);
    StLogReader *r = st_log_reader_open(log, 0, &err);
    StLogBatch b;
    CU_ASSERT_EQUAL(st_log_reader_next(r, &b, &err), 1);
    CU_ASSERT(b.len == 5 && memcmp(b.data, "hello", 5) == 0);
    st_log_reader_close(r);
    CU_ASSERT_EQUAL(st_log_append(log, "world", 5, 2, NULL, NULL, &err), 0); /* rolls: 29 + 29 > 40 */
    CU_ASSERT_EQUAL(st_log_segment_count(log), 2);
    CU_ASSERT_EQUAL(count_files(pool, ".free", NULL), 1);
    st_log_close(log);
    log = st_log_open(dir, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    CU_ASSERT_EQUAL(st_log_end_offset(log), 5);
    st_log_close(log);
    rm_tmp();
}

static const SlUnitTest storage_tests[] = {
    {"crc32c test vectors", test_crc32c_vectors},
    {"crc32c hardware equals table, chaining", test_crc32c_chain_and_alignment},
    {"crc32c: long inputs (three streams) equal the table version", test_crc32c_long},
    {"append, read back, reopen", test_append_read_reopen},
    {"segment roll and deletion", test_roll_and_delete},
    {"torn tail cut at every byte of the last batch", test_torn_tail_every_byte},
    {"checksum mismatch cuts the log there", test_checksum_mismatch},
    {"reader concurrent with appends", test_concurrent_reader},
    {"readers sharing a claim counter read each batch once", test_shared_readers},
    {"durability fsync and none", test_durability_fsync_and_none},
    {"durability batch (group commit)", test_durability_batch},
    {"partition directories and drop", test_partition_dirs},
    {"a write failing half way is cut back", test_failed_write_is_cut},
    {"recycled segments: written over, old batches never come back", test_recycle_written_over},
    {"recycled segments: drop, roll, cut, cap", test_recycle_drop_and_roll},
    {"a log from before epochs opens and takes no pool file", test_log_without_epoch},
    {NULL, NULL},
};
SL_UNIT_SUITE("storage log", storage_tests)
