/*
 * sl_storage.h — the one public header of storage/:
 *
 *   1. the private PostgreSQL that sluiced manages in its data directory,
 *   2. the PostgreSQL store: catalog (streams, views) and checkpoints,
 *   3. the stream log: per stream partition, segment files of checksummed
 *      batches with row offsets.
 *
 * Only storage/ includes libpq-fe.h; every handle here is opaque.
 * See storage/README.md for the on-disk layout, the record format, the
 * catalog schema and how checkpoints are assembled.
 *
 * Errors are SlError values: 08006 when PostgreSQL is unreachable, 58030
 * for I/O errors, 53100 when a disk is full, XX001 for corrupt data, and
 * PostgreSQL's own SQLSTATE when it refuses a statement.
 */
#ifndef SL_STORAGE_H
#define SL_STORAGE_H

#include <stdint.h>

#include "sl_common.h"

/* ======================================================================
 * 1. The private PostgreSQL
 * Threads: StPg is used by one thread at a time (the server's main
 * thread); st_pg_conninfo's string may be read from any thread.
 * ====================================================================== */
typedef struct StPg StPg;

/* Starts (after initdb on first use) a PostgreSQL cluster in DIR/pg,
 * listening only on a Unix socket (in DIR/pg, or in a short directory
 * under /tmp when DIR's path is too long for sun_path). A stale
 * postmaster.pid left by a crash is removed. As root, the cluster runs as
 * the unprivileged user `sluice` (else `postgres`, else `nobody`).
 * bindir NULL or "": configure's SL_PG_BINDIR. Returns once it accepts
 * connections. */
StPg *st_pg_start(const char *data_dir, const char *bindir, SlError *err);
/* libpq connection string for the running cluster. */
const char *st_pg_conninfo(const StPg *pg);
/* Health check: 0 if the cluster answers (or is recovering by itself);
 * if its postmaster is gone (a crash, a kill), starts it again and
 * returns 0 once it answers, -1 with err if it could not. */
int st_pg_ensure_running(StPg *pg, SlError *err);
/* The postmaster's pid, 0 if not running (for tests and metrics). */
int st_pg_postmaster_pid(const StPg *pg);
/* Stops it (fast shutdown, waits) and frees pg. NULL is a no-op. */
void st_pg_stop(StPg *pg);

/* ======================================================================
 * 2. The PostgreSQL store
 * One StStore is one libpq connection. A handle is thread-confined: the
 * catalog calls lock the handle, so one handle may be shared for catalog
 * use, but each checkpoint writer opens its own handle (a checkpoint is a
 * transaction that spans calls). After PostgreSQL restarts, the next call
 * reconnects (once per call).
 * ====================================================================== */
typedef struct StStore StStore;

/* Connects and creates or upgrades the schema `sluice` (versioned; see
 * README). Errors: 08006 unreachable, 55000 schema newer than this build. */
StStore *st_store_open(const char *conninfo, SlError *err);
void st_store_close(StStore *st);
int st_store_schema_version(StStore *st);
/* 0 if the connection works (reconnecting if needed), else -1 (08006). */
int st_store_ping(StStore *st, SlError *err);

/* --- catalog: written before the statement is acknowledged ----------- */
typedef struct StCatalogEntry {
    const char *kind;     /* "stream" or "view" */
    const char *name;
    const char *sql;      /* the (canonical) CREATE statement's text */
    const char *columns;  /* streams: JSON array of columns, or NULL */
    const char *options;  /* JSON object of WITH options, or NULL */
    const char *status;   /* views: "running", "failed", ...; NULL = "running" */
    int64_t created_at;   /* list only: microseconds since 2000-01-01 UTC */
} StCatalogEntry;

/* Inserts or replaces the object named e->name (a name is one object:
 * putting a stream removes a view of that name and vice versa). */
int st_catalog_put_entry(StStore *st, const StCatalogEntry *e, SlError *err);
/* Short form: columns, options and status NULL. */
int st_catalog_put(StStore *st, const char *kind, const char *name, const char *sql, SlError *err);
/* Removes the stream or view named name (absent is not an error). */
int st_catalog_delete(StStore *st, const char *name, SlError *err);
/* Views only: the job's status ("running", "failed", ...). */
int st_catalog_set_status(StStore *st, const char *name, const char *status, SlError *err);
/* Calls fn for every object in creation order (streams and views
 * interleaved as created); fn returning non-zero stops the walk and is
 * returned. The entry's strings are valid during the call only. */
int st_catalog_list_entries(StStore *st, int (*fn)(void *ctx, const StCatalogEntry *e), void *ctx,
                            SlError *err);
int st_catalog_list(StStore *st, int (*fn)(void *ctx, const char *kind, const char *name, const char *sql),
                    void *ctx, SlError *err);

/* --- checkpoints -------------------------------------------------------
 * A checkpoint of job J with id N (ids increase per job) is written in one
 * transaction: st_ckpt_begin, any number of st_ckpt_write (only the key
 * groups that changed since the previous checkpoint: incremental), then
 * st_ckpt_commit with the source offsets, or st_ckpt_abort. Writes are
 * buffered and sent with COPY ... FROM STDIN (binary). The state of key
 * group g in checkpoint N is its newest version written at or before N.
 * A zero-length write records that the key group is empty; a key group
 * is written at most once per checkpoint. After an error from
 * st_ckpt_write, call st_ckpt_abort (st_ckpt_commit aborts by itself). */
typedef struct StCkptInfo {
    int64_t id;
    const char *status;   /* "complete" or "failed" */
    const char *offsets;  /* JSON the coordinator gave at commit (may be "") */
    int64_t started_at;   /* microseconds since 2000-01-01 UTC */
    int64_t duration_us;
    int64_t bytes;        /* state bytes written by this checkpoint */
    int32_t key_groups;   /* key groups written by this checkpoint */
} StCkptInfo;

int st_ckpt_begin(StStore *st, const char *job, int64_t id, SlError *err);
int st_ckpt_write(StStore *st, int32_t key_group, const void *data, size_t len, SlError *err);
/* offsets: JSON text (e.g. {"bids/0": 1200}); stored with the record. */
int st_ckpt_commit(StStore *st, const char *offsets, SlError *err);
/* Rolls back; records the attempt as "failed" with reason (may be NULL). */
void st_ckpt_abort(StStore *st, const char *reason);

/* Latest complete checkpoint of job: 1 and *info filled (strings valid
 * until the next call on st), 0 if none, -1 on error. */
int st_ckpt_latest(StStore *st, const char *job, StCkptInfo *info, SlError *err);
/* Every checkpoint of job, newest first (complete and failed). */
int st_ckpt_list(StStore *st, const char *job, int (*fn)(void *ctx, const StCkptInfo *c), void *ctx,
                 SlError *err);
/* Assembles checkpoint id of job for key groups [kg_lo, kg_hi): fn is
 * called once per key group that has state (non-empty newest version at
 * or before id), in key-group order, with the checkpoint that wrote it.
 * data is valid during the call only. */
int st_ckpt_load(StStore *st, const char *job, int64_t id, int32_t kg_lo, int32_t kg_hi,
                 int (*fn)(void *ctx, int32_t key_group, int64_t written_by, const void *data, size_t len),
                 void *ctx, SlError *err);
/* Keeps the newest `retain` complete checkpoints of job (and every state
 * version they still need); deletes older ones and failed records. */
int st_ckpt_retain(StStore *st, const char *job, int retain, SlError *err);
/* Deletes every checkpoint of job (DROP MATERIALIZED VIEW). */
int st_ckpt_drop_job(StStore *st, const char *job, SlError *err);

/* ======================================================================
 * 3. The stream log
 * One StLog is one stream partition: LOG_DIR/<stream>/<partition>/ holds
 * segment files <first-offset>.seg (20 digits), rolled at segment_bytes.
 * Offsets count rows: a batch of n rows appended at offset b covers
 * [b, b+n). Payloads are opaque bytes (the engine serializes rows).
 *
 * Threads: appends may come from any thread (serialized inside);
 * readers (StLogReader, one per thread) run concurrently with appends
 * and never see a partially written batch. In batch durability a flusher
 * thread fsyncs at most every group_commit_ms.
 * ====================================================================== */
typedef enum StDurability {
    ST_DUR_NONE = 0,    /* written to the OS, never fsynced by the log */
    ST_DUR_BATCH,       /* group commit: st_log_wait(ticket) until fsynced */
    ST_DUR_FSYNC        /* fsynced before st_log_append returns */
} StDurability;

/* "none", "batch", "fsync" (case-insensitive); -1 if unknown. */
int st_durability_parse(const char *name, StDurability *out);
const char *st_durability_name(StDurability d);

typedef struct StLogOptions {
    StDurability durability;
    uint64_t segment_bytes;   /* roll size; 0 = 64 MiB */
    int group_commit_ms;      /* batch mode's flush interval; 0 = 2 ms */
    /* Segment recycling (as PostgreSQL recycles WAL): segments no longer
     * needed go to the pool directory recycle_dir while it holds at most
     * recycle_bytes (0: off, they are deleted), and new segments are pool
     * files written over: the kernel's cached pages are reused instead of
     * new ones. Partition logs: recycle_dir NULL means LOG_DIR/.free. */
    const char *recycle_dir;
    uint64_t recycle_bytes;
} StLogOptions;

typedef struct StLog StLog;

/* Opens (creating) the log in directory dir. Recovery: every segment is
 * scanned and its checksums verified; the log is cut at the first torn or
 * corrupt batch (logged as a warning), nothing before it is lost. */
StLog *st_log_open(const char *dir, const StLogOptions *opt, SlError *err);
/* Same for LOG_DIR/<stream>/<partition> (the name escaped for the file
 * system; LOG_DIR is sluiced's log_dir, by default DATA/log), creating
 * the directories (LOG_DIR's parent must exist). */
StLog *st_log_open_partition(const char *log_dir, const char *stream, int partition, const StLogOptions *opt,
                             SlError *err);
/* Removes LOG_DIR/<stream> and everything under it (DROP STREAM), its
 * segment files going to the pool of opt (may be NULL: none); the
 * stream's logs must be closed. Absent is not an error. */
int st_log_drop_stream(const char *log_dir, const char *stream, const StLogOptions *opt, SlError *err);
/* Syncs (unless durability none) and closes; stops the flusher. */
void st_log_close(StLog *log);

/* Appends one batch of nrows rows. *first_offset (may be NULL) receives
 * the batch's base offset. *ticket (may be NULL) receives the offset
 * after the batch: st_log_wait(ticket) returns once it is durable.
 * Errors: 53100 "could not extend stream log: no space left on device",
 * 58030 other I/O; the log stays consistent (a partial write is cut) and
 * later appends succeed once the cause is gone. */
int st_log_append(StLog *log, const void *payload, size_t len, uint32_t nrows, uint64_t *first_offset,
                  uint64_t *ticket, SlError *err);
/* The same, for a caller that computed the payload's CRC32C itself
 * (st_crc32c(0, payload, len)), piece by piece while it made the payload
 * and the bytes were in cache: the log then does not read them again. */
int st_log_append_crc(StLog *log, const void *payload, size_t len, uint32_t payload_crc, uint32_t nrows,
                      uint64_t *first_offset, uint64_t *ticket, SlError *err);
/* CRC32C (Castagnoli, reflected polynomial 0x82F63B78), chainable:
 * st_crc32c(st_crc32c(0, a, n), b, m) == CRC of a followed by b.
 * Uses SSE4.2's crc32 instruction when the CPU has it. */
uint32_t st_crc32c(uint32_t crc, const void *p, size_t n);
/* The CRC of a followed by b from st_crc32c(0, a, ...), st_crc32c(0, b,
 * ...) and b's length. */
uint32_t st_crc32c_combine(uint32_t crc_a, uint32_t crc_b, size_t len_b);
/* Waits until every batch up to ticket is durable per the log's mode
 * (immediately for none and fsync). */
int st_log_wait(StLog *log, uint64_t ticket, SlError *err);
/* fsyncs everything appended so far (any mode). */
int st_log_sync(StLog *log, SlError *err);

uint64_t st_log_start_offset(StLog *log);   /* first offset still kept */
uint64_t st_log_end_offset(StLog *log);     /* offset the next batch gets */
uint64_t st_log_durable_offset(StLog *log); /* end of what is known fsynced */
uint64_t st_log_size_bytes(StLog *log);     /* bytes in all segments */
int st_log_segment_count(StLog *log);
/* Deletes segments whose batches all lie below offset (never the one
 * being appended to), into the pool when no reader is open. Returns the
 * number of segments deleted, -1 error. */
int st_log_delete_before(StLog *log, uint64_t offset, SlError *err);

/* One batch as read back. */
typedef struct StLogBatch {
    uint64_t base_offset;
    uint32_t nrows;
    const void *data;     /* valid until the reader's next call */
    size_t len;
    /* with st_log_reader_defer_checks: not checked yet; the CRC32C of the
     * payload continued from crc_seed (st_crc32c(crc_seed, data, len),
     * piece by piece as the caller goes) must equal crc_want */
    bool unchecked;
    uint32_t crc_seed, crc_want;
} StLogBatch;

typedef struct StLogReader StLogReader;

/* A reader from offset `from` (clamped to the start offset): the first
 * batch returned is the one containing `from` (callers skip rows below
 * it), or the first batch after it. */
StLogReader *st_log_reader_open(StLog *log, uint64_t from, SlError *err);
/* 1: *out is the next batch; 0: caught up with the appends (call again
 * later); -1: error (XX001 if a checksum fails; 55000 if segments the
 * reader had not read yet were deleted under it: never a silent gap). */
int st_log_reader_next(StLogReader *r, StLogBatch *out, SlError *err);
/* From now on the reader shares the batches at or after `from` with
 * other readers opened at the same `from` and given the same counter
 * (initially 0): each batch goes to the one reader that claims it, and a
 * reader claims its next batch only when it asks for one, so a reader
 * that is slower for a while (its rows cost more, it lost its CPU) reads
 * fewer of them. The readers together read each batch once. */
void st_log_reader_share(StLogReader *r, uint64_t *claim);
/* From now on batches are returned unchecked (StLogBatch.unchecked): the
 * caller checks each while it reads it, when the bytes are in cache, and
 * must use nothing of a batch whose check fails (XX001, as the reader
 * would say). */
void st_log_reader_defer_checks(StLogReader *r);
void st_log_reader_close(StLogReader *r);

#endif /* SL_STORAGE_H */
