/*
 * store.c — the PostgreSQL store: one libpq connection, the schema
 * `sluice` (versioned, migrated forward on open), the catalog of streams
 * and views, and checkpoints written incrementally per key group.
 *
 * A handle is one connection. Catalog calls take the handle's lock, so
 * they may share a handle; a checkpoint is a transaction spanning several
 * calls, so each checkpoint writer opens its own handle. A call that
 * finds the connection broken (PostgreSQL restarted) reconnects once and
 * retries when the statement is safe to repeat.
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_storage.h"

#define SCHEMA_VERSION 3
#define MIGRATION_LOCK "7011"
#define COPY_CHUNK (1u << 20)

/* Microseconds since 2000-01-01 UTC of a timestamptz column. */
#define USEC2000(col) "((extract(epoch FROM " col ") - 946684800) * 1000000)::bigint"

struct StStore {
    PGconn *conn;
    char *conninfo;
    pthread_mutex_t lock;
    int version;
    bool lost;               /* reconnecting: logged once */
    PGresult *held;          /* keeps st_ckpt_latest's strings alive */

    /* the checkpoint in progress */
    bool in_ckpt, copying;
    char *ckpt_job;
    int64_t ckpt_id;
    int64_t ckpt_bytes;
    int32_t ckpt_kgs;
    SlBuf copybuf;
};

/* Migration v (1-based) brings the schema from v-1 to v. Never edit one
 * that has shipped: add the next. */
static const char *const migrations[] = {
    /* 1: the first catalog */
    "CREATE SCHEMA IF NOT EXISTS sluice;"
    "CREATE TABLE IF NOT EXISTS sluice.schema_version (version int NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sluice.catalog ("
    "  id bigserial PRIMARY KEY,"
    "  name text NOT NULL UNIQUE,"
    "  kind text NOT NULL CHECK (kind IN ('stream', 'view')),"
    "  sql text NOT NULL,"
    "  created_at timestamptz NOT NULL DEFAULT now());",
    /* 2: streams and views in their own tables (one sequence keeps the
     * creation order across both), checkpoints */
    "CREATE SEQUENCE sluice.object_seq;"
    "CREATE TABLE sluice.streams ("
    "  id bigint NOT NULL DEFAULT nextval('sluice.object_seq'),"
    "  name text PRIMARY KEY,"
    "  definition text NOT NULL,"
    "  columns jsonb,"
    "  options jsonb,"
    "  created_at timestamptz NOT NULL DEFAULT now());"
    "CREATE TABLE sluice.views ("
    "  id bigint NOT NULL DEFAULT nextval('sluice.object_seq'),"
    "  name text PRIMARY KEY,"
    "  definition text NOT NULL,"
    "  options jsonb,"
    "  status text NOT NULL DEFAULT 'running',"
    "  created_at timestamptz NOT NULL DEFAULT now(),"
    "  updated_at timestamptz NOT NULL DEFAULT now());"
    "INSERT INTO sluice.streams (id, name, definition, created_at)"
    "  SELECT id, name, sql, created_at FROM sluice.catalog WHERE kind = 'stream';"
    "INSERT INTO sluice.views (id, name, definition, created_at)"
    "  SELECT id, name, sql, created_at FROM sluice.catalog WHERE kind = 'view';"
    "SELECT setval('sluice.object_seq', coalesce((SELECT max(id) FROM sluice.catalog), 0) + 1, false);"
    "DROP TABLE sluice.catalog;"
    /* the version-1 shape stays readable for tools and scripts */
    "CREATE VIEW sluice.catalog AS"
    "  SELECT id, name, 'stream'::text AS kind, definition AS sql, created_at FROM sluice.streams"
    "  UNION ALL SELECT id, name, 'view'::text, definition, created_at FROM sluice.views;"
    "CREATE TABLE sluice.checkpoints ("
    "  job text NOT NULL,"
    "  id bigint NOT NULL,"
    "  status text NOT NULL CHECK (status IN ('complete', 'failed')),"
    "  offsets jsonb,"
    "  started_at timestamptz NOT NULL,"
    "  duration_us bigint NOT NULL DEFAULT 0,"
    "  bytes bigint NOT NULL DEFAULT 0,"
    "  key_groups int NOT NULL DEFAULT 0,"
    "  reason text,"
    "  PRIMARY KEY (job, id));"
    "CREATE TABLE sluice.checkpoint_state ("
    "  job text NOT NULL,"
    "  checkpoint_id bigint NOT NULL,"
    "  key_group int NOT NULL,"
    "  bytes bytea NOT NULL,"
    "  PRIMARY KEY (job, key_group, checkpoint_id));",
    /* 3: checkpoint state is stored uncompressed: pglz compressed it at
     * about 5 MB/s, which made a checkpoint of 1M groups take 20 s */
    "ALTER TABLE sluice.checkpoint_state ALTER COLUMN bytes SET STORAGE EXTERNAL;",
};

/* ------------------------------------------------------------- errors */
static SlErrCode code_of(const char *sqlstate)
{
    if (!sqlstate)
        return SL_E_CONNECTION_FAILURE;
    for (int c = 0; c < SL_E__COUNT; c++)
        if (!strcmp(sl_errcode_sqlstate((SlErrCode)c), sqlstate))
            return (SlErrCode)c;
    if (!strncmp(sqlstate, "08", 2))
        return SL_E_CONNECTION_FAILURE;
    if (!strncmp(sqlstate, "53", 2))
        return SL_E_DISK_FULL;
    return SL_E_INTERNAL_ERROR;
}

/* Fills err from a failed result (r may be NULL) or the connection. */
static int pq_error(SlError *err, PGconn *c, const PGresult *r, const char *what)
{
    const char *msg = r ? PQresultErrorMessage(r) : "";
    if (!*msg)
        msg = c ? PQerrorMessage(c) : "no connection";
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    bool broken = !c || PQstatus(c) != CONNECTION_OK;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    SlErrCode code = broken ? SL_E_CONNECTION_FAILURE : code_of(state);
    return sl_error(err, code, "PostgreSQL store: %s: %.*s", what, (int)n, msg);
}

static int ensure_conn(StStore *st, SlError *err)
{
    if (st->conn && PQstatus(st->conn) == CONNECTION_OK)
        return 0;
    if (st->conn) {
        if (!st->lost)
            sl_warn("PostgreSQL store: the connection was lost; reconnecting");
        PQfinish(st->conn);
    }
    st->conn = PQconnectdb(st->conninfo);
    if (PQstatus(st->conn) != CONNECTION_OK) {
        st->lost = true;
        return pq_error(err, st->conn, NULL, "could not connect");
    }
    if (st->lost)
        sl_info("PostgreSQL store: connected again");
    st->lost = false;
    PQclear(PQexec(st->conn, "SET client_min_messages = warning"));
    return 0;
}

/* Runs one statement; NULL on failure (err set). With retry, a broken
 * connection is reopened and the statement sent again once. */
static PGresult *query(StStore *st, const char *sql, int n, const char *const *params, const int *lengths,
                       const int *formats, int result_format, bool retry, const char *what, SlError *err)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (ensure_conn(st, err) < 0)
            return NULL;
        /* PQexec for parameterless text queries: it allows several
         * statements in one string (the migrations) */
        PGresult *r = n == 0 && result_format == 0
                          ? PQexec(st->conn, sql)
                          : PQexecParams(st->conn, sql, n, NULL, params, lengths, formats, result_format);
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
            return r;
        bool broken = PQstatus(st->conn) != CONNECTION_OK;
        if (!broken || !retry || attempt == 1) {
            pq_error(err, st->conn, r, what);
            PQclear(r);
            return NULL;
        }
        PQclear(r);
    }
    return NULL;
}

static int exec_ok(StStore *st, const char *sql, int n, const char *const *params, const char *what, SlError *err)
{
    PGresult *r = query(st, sql, n, params, NULL, NULL, 0, true, what, err);
    if (!r)
        return -1;
    PQclear(r);
    return 0;
}

/* ---------------------------------------------------------- open/close */
static int migrate(StStore *st, SlError *err)
{
    if (exec_ok(st, "SELECT pg_advisory_lock(" MIGRATION_LOCK ")", 0, NULL, "lock the schema", err) < 0)
        return -1;
    int rc = -1, version = 0;
    PGresult *r = query(st, "SELECT CASE WHEN to_regclass('sluice.schema_version') IS NULL THEN 0 "
                            "ELSE 1 END", 0, NULL, NULL, NULL, 0, false, "read the schema version", err);
    if (!r)
        goto out;
    bool exists = PQgetvalue(r, 0, 0)[0] == '1';
    PQclear(r);
    if (exists) {
        r = query(st, "SELECT coalesce(max(version), 0) FROM sluice.schema_version", 0, NULL, NULL, NULL, 0, false,
                  "read the schema version", err);
        if (!r)
            goto out;
        version = atoi(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    if (version > SCHEMA_VERSION) {
        sl_error(err, SL_E_OBJECT_NOT_IN_PREREQUISITE_STATE,
                 "the store's schema version %d is newer than this sluiced knows (%d)", version, SCHEMA_VERSION);
        goto out;
    }
    for (int v = version; v < SCHEMA_VERSION; v++) {
        char ins[128];
        snprintf(ins, sizeof ins, "INSERT INTO sluice.schema_version VALUES (%d)", v + 1);
        if (exec_ok(st, "BEGIN", 0, NULL, "migrate", err) < 0)
            goto out;
        if (exec_ok(st, migrations[v], 0, NULL, "migrate", err) < 0 || exec_ok(st, ins, 0, NULL, "migrate", err) < 0 ||
            exec_ok(st, "COMMIT", 0, NULL, "migrate", err) < 0) {
            PQclear(PQexec(st->conn, "ROLLBACK"));
            goto out;
        }
        sl_info("PostgreSQL store: schema upgraded to version %d", v + 1);
    }
    st->version = SCHEMA_VERSION;
    rc = 0;
out:
    if (st->conn && PQstatus(st->conn) == CONNECTION_OK)
        PQclear(PQexec(st->conn, "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")"));
    return rc;
}

StStore *st_store_open(const char *conninfo, SlError *err)
{
    StStore *st = sl_calloc(1, sizeof *st);
    st->conninfo = sl_xstrdup(conninfo);
    pthread_mutex_init(&st->lock, NULL);
    sl_buf_init(&st->copybuf);
    if (ensure_conn(st, err) < 0 || migrate(st, err) < 0) {
        st_store_close(st);
        return NULL;
    }
    return st;
}

void st_store_close(StStore *st)
{
    if (!st)
        return;
    if (st->in_ckpt)
        st_ckpt_abort(st, "store closed");
    if (st->conn)
        PQfinish(st->conn);
    PQclear(st->held);
    pthread_mutex_destroy(&st->lock);
    sl_buf_free(&st->copybuf);
    free(st->ckpt_job);
    free(st->conninfo);
    free(st);
}

int st_store_schema_version(StStore *st)
{
    return st->version;
}

int st_store_ping(StStore *st, SlError *err)
{
    pthread_mutex_lock(&st->lock);
    int rc = st->in_ckpt ? 0 : exec_ok(st, "SELECT 1", 0, NULL, "ping", err);
    pthread_mutex_unlock(&st->lock);
    return rc;
}

static int busy(StStore *st, SlError *err)
{
    if (!st->in_ckpt)
        return 0;
    return sl_error(err, SL_E_ACTIVE_TRANSACTION, "PostgreSQL store: a checkpoint is being written on this handle");
}

/* -------------------------------------------------------------- catalog */
int st_catalog_put_entry(StStore *st, const StCatalogEntry *e, SlError *err)
{
    bool stream = !strcmp(e->kind, "stream");
    if (!stream && strcmp(e->kind, "view") != 0)
        return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "unknown catalog kind \"%s\"", e->kind);
    pthread_mutex_lock(&st->lock);
    int rc = busy(st, err);
    if (rc == 0) {
        /* one statement, so replacing an object of the other kind is atomic */
        if (stream) {
            const char *p[4] = {e->name, e->sql, e->columns, e->options};
            rc = exec_ok(st,
                         "WITH gone AS (DELETE FROM sluice.views WHERE name = $1) "
                         "INSERT INTO sluice.streams (name, definition, columns, options) "
                         "VALUES ($1, $2, $3::jsonb, $4::jsonb) ON CONFLICT (name) DO UPDATE SET "
                         "id = nextval('sluice.object_seq'), definition = EXCLUDED.definition, "
                         "columns = EXCLUDED.columns, options = EXCLUDED.options, created_at = now()",
                         4, p, "record the stream", err);
        } else {
            const char *p[4] = {e->name, e->sql, e->options, e->status ? e->status : "running"};
            rc = exec_ok(st,
                         "WITH gone AS (DELETE FROM sluice.streams WHERE name = $1) "
                         "INSERT INTO sluice.views (name, definition, options, status) "
                         "VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT (name) DO UPDATE SET "
                         "id = nextval('sluice.object_seq'), definition = EXCLUDED.definition, "
                         "options = EXCLUDED.options, status = EXCLUDED.status, created_at = now(), "
                         "updated_at = now()",
                         4, p, "record the view", err);
        }
    }
    pthread_mutex_unlock(&st->lock);
    return rc;
}

int st_catalog_put(StStore *st, const char *kind, const char *name, const char *sql, SlError *err)
{
    StCatalogEntry e = {.kind = kind, .name = name, .sql = sql};
    return st_catalog_put_entry(st, &e, err);
}

int st_catalog_delete(StStore *st, const char *name, SlError *err)
{
    const char *p[1] = {name};
    pthread_mutex_lock(&st->lock);
    int rc = busy(st, err);
    if (rc == 0)
        rc = exec_ok(st, "WITH s AS (DELETE FROM sluice.streams WHERE name = $1) "
                         "DELETE FROM sluice.views WHERE name = $1", 1, p, "remove from the catalog", err);
    pthread_mutex_unlock(&st->lock);
    return rc;
}

int st_catalog_set_status(StStore *st, const char *name, const char *status, SlError *err)
{
    const char *p[2] = {name, status};
    pthread_mutex_lock(&st->lock);
    int rc = busy(st, err);
    if (rc == 0)
        rc = exec_ok(st, "UPDATE sluice.views SET status = $2, updated_at = now() WHERE name = $1", 2, p,
                     "record the view's status", err);
    pthread_mutex_unlock(&st->lock);
    return rc;
}

int st_catalog_list_entries(StStore *st, int (*fn)(void *ctx, const StCatalogEntry *e), void *ctx, SlError *err)
{
    pthread_mutex_lock(&st->lock);
    if (busy(st, err) < 0) {
        pthread_mutex_unlock(&st->lock);
        return -1;
    }
    PGresult *r = query(st,
                        "SELECT 'stream', name, definition, columns::text, options::text, NULL, "
                        USEC2000("created_at") ", id FROM sluice.streams "
                        "UNION ALL SELECT 'view', name, definition, NULL, options::text, status, "
                        USEC2000("created_at") ", id FROM sluice.views ORDER BY 7, 8",
                        0, NULL, NULL, NULL, 0, true, "read the catalog", err);
    pthread_mutex_unlock(&st->lock);
    if (!r)
        return -1;
    int rc = 0;
    for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
        StCatalogEntry e = {
            .kind = PQgetvalue(r, i, 0),
            .name = PQgetvalue(r, i, 1),
            .sql = PQgetvalue(r, i, 2),
            .columns = PQgetisnull(r, i, 3) ? NULL : PQgetvalue(r, i, 3),
            .options = PQgetisnull(r, i, 4) ? NULL : PQgetvalue(r, i, 4),
            .status = PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5),
            .created_at = strtoll(PQgetvalue(r, i, 6), NULL, 10),
        };
        rc = fn(ctx, &e);
    }
    PQclear(r);
    return rc;
}

typedef struct ListAdapter {
    int (*fn)(void *ctx, const char *kind, const char *name, const char *sql);
    void *ctx;
} ListAdapter;

static int list_adapter(void *ctx, const StCatalogEntry *e)
{
    ListAdapter *a = ctx;
    return a->fn(a->ctx, e->kind, e->name, e->sql);
}

int st_catalog_list(StStore *st, int (*fn)(void *ctx, const char *kind, const char *name, const char *sql),
                    void *ctx, SlError *err)
{
    ListAdapter a = {fn, ctx};
    return st_catalog_list_entries(st, list_adapter, &a, err);
}

/* ---------------------------------------------------------- checkpoints */
static void put_be16(SlBuf *b, int16_t v)
{
    sl_buf_put_i16(b, v);
}

static int copy_flush(StStore *st, bool final, SlError *err)
{
    if (final)
        put_be16(&st->copybuf, -1); /* file trailer */
    if (st->copybuf.len && PQputCopyData(st->conn, st->copybuf.data, (int)st->copybuf.len) != 1)
        return pq_error(err, st->conn, NULL, "write checkpoint state");
    sl_buf_reset(&st->copybuf);
    return 0;
}

int st_ckpt_begin(StStore *st, const char *job, int64_t id, SlError *err)
{
    if (st->in_ckpt)
        return sl_error(err, SL_E_ACTIVE_TRANSACTION, "a checkpoint is already being written on this handle");
    if (exec_ok(st, "BEGIN", 0, NULL, "begin a checkpoint", err) < 0)
        return -1;
    st->in_ckpt = true;
    st->copying = false;
    free(st->ckpt_job);
    st->ckpt_job = sl_xstrdup(job);
    st->ckpt_id = id;
    st->ckpt_bytes = 0;
    st->ckpt_kgs = 0;
    sl_buf_reset(&st->copybuf);
    /* the record first: a duplicate id fails here, not at commit */
    char ids[32];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    const char *p[2] = {job, ids};
    PGresult *r = query(st, "INSERT INTO sluice.checkpoints (job, id, status, started_at) "
                            "VALUES ($1, $2, 'complete', clock_timestamp())",
                        2, p, NULL, NULL, 0, false, "begin a checkpoint", err);
    if (!r) {
        st_ckpt_abort(st, NULL);
        return -1;
    }
    PQclear(r);
    return 0;
}

int st_ckpt_write(StStore *st, int32_t key_group, const void *data, size_t len, SlError *err)
{
    if (!st->in_ckpt)
        return sl_error(err, SL_E_NO_ACTIVE_TRANSACTION, "no checkpoint is being written on this handle");
    if (len > 0x3fffffff)
        return sl_error(err, SL_E_PROGRAM_LIMIT_EXCEEDED, "key group %d's state is larger than 1 GB", key_group);
    if (!st->copying) {
        PGresult *r = PQexec(st->conn, "COPY sluice.checkpoint_state (job, checkpoint_id, key_group, bytes) "
                                       "FROM STDIN (FORMAT binary)");
        if (PQresultStatus(r) != PGRES_COPY_IN) {
            pq_error(err, st->conn, r, "write checkpoint state");
            PQclear(r);
            return -1;
        }
        PQclear(r);
        st->copying = true;
        /* binary COPY header: signature, flags, extension length */
        sl_buf_append(&st->copybuf, "PGCOPY\n\377\r\n\0", 11);
        sl_buf_put_i32(&st->copybuf, 0);
        sl_buf_put_i32(&st->copybuf, 0);
    }
    SlBuf *b = &st->copybuf;
    size_t jl = strlen(st->ckpt_job);
    put_be16(b, 4);
    sl_buf_put_i32(b, (int32_t)jl);
    sl_buf_append(b, st->ckpt_job, jl);
    sl_buf_put_i32(b, 8);
    sl_buf_put_i64(b, st->ckpt_id);
    sl_buf_put_i32(b, 4);
    sl_buf_put_i32(b, key_group);
    sl_buf_put_i32(b, (int32_t)len);
    sl_buf_append(b, data, len);
    st->ckpt_bytes += (int64_t)len;
    st->ckpt_kgs++;
    if (b->len >= COPY_CHUNK)
        return copy_flush(st, false, err);
    return 0;
}

int st_ckpt_commit(StStore *st, const char *offsets, SlError *err)
{
    if (!st->in_ckpt)
        return sl_error(err, SL_E_NO_ACTIVE_TRANSACTION, "no checkpoint is being written on this handle");
    if (st->copying) {
        st->copying = false;
        if (copy_flush(st, true, err) < 0 || PQputCopyEnd(st->conn, NULL) != 1) {
            if (err && err->code == SL_E_OK)
                pq_error(err, st->conn, NULL, "write checkpoint state");
            st_ckpt_abort(st, err ? err->message : NULL);
            return -1;
        }
        PGresult *r;
        int rc = 0;
        while ((r = PQgetResult(st->conn))) {
            if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0)
                rc = pq_error(err, st->conn, r, "write checkpoint state");
            PQclear(r);
        }
        if (rc < 0) {
            st_ckpt_abort(st, err ? err->message : NULL);
            return -1;
        }
    }
    char ids[32], bytes[32], kgs[16];
    snprintf(ids, sizeof ids, "%lld", (long long)st->ckpt_id);
    snprintf(bytes, sizeof bytes, "%lld", (long long)st->ckpt_bytes);
    snprintf(kgs, sizeof kgs, "%d", st->ckpt_kgs);
    const char *p[5] = {st->ckpt_job, ids, offsets && *offsets ? offsets : NULL, bytes, kgs};
    PGresult *r = query(st,
                        "UPDATE sluice.checkpoints SET offsets = $3::jsonb, bytes = $4, key_groups = $5, "
                        "duration_us = " USEC2000("clock_timestamp()") " - " USEC2000("started_at")
                        " WHERE job = $1 AND id = $2",
                        5, p, NULL, NULL, 0, false, "complete the checkpoint", err);
    if (!r) {
        st_ckpt_abort(st, err ? err->message : NULL);
        return -1;
    }
    PQclear(r);
    r = query(st, "COMMIT", 0, NULL, NULL, NULL, 0, false, "commit the checkpoint", err);
    st->in_ckpt = false;
    if (!r)
        return -1;
    PQclear(r);
    sl_debug("checkpoint %lld of \"%s\": %d key groups, %lld bytes", (long long)st->ckpt_id, st->ckpt_job,
             st->ckpt_kgs, (long long)st->ckpt_bytes);
    return 0;
}

void st_ckpt_abort(StStore *st, const char *reason)
{
    if (!st->in_ckpt)
        return;
    st->in_ckpt = false;
    if (!st->conn || PQstatus(st->conn) != CONNECTION_OK)
        return;
    if (st->copying) {
        st->copying = false;
        PQputCopyEnd(st->conn, "checkpoint aborted");
        PGresult *r;
        while ((r = PQgetResult(st->conn)))
            PQclear(r);
    }
    sl_buf_reset(&st->copybuf);
    PQclear(PQexec(st->conn, "ROLLBACK"));
    /* record the failed attempt, outside the rolled-back transaction */
    char ids[32];
    snprintf(ids, sizeof ids, "%lld", (long long)st->ckpt_id);
    const char *p[3] = {st->ckpt_job, ids, reason};
    PGresult *r = query(st, "INSERT INTO sluice.checkpoints (job, id, status, started_at, reason) "
                            "VALUES ($1, $2, 'failed', now(), $3) ON CONFLICT (job, id) DO NOTHING",
                        3, p, NULL, NULL, 0, false, "record a failed checkpoint", NULL);
    PQclear(r);
}

#define CKPT_COLS "id, status, coalesce(offsets::text, ''), " USEC2000("started_at") ", duration_us, bytes, key_groups"

static void fill_info(PGresult *r, int i, StCkptInfo *c)
{
    c->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
    c->status = PQgetvalue(r, i, 1);
    c->offsets = PQgetvalue(r, i, 2);
    c->started_at = strtoll(PQgetvalue(r, i, 3), NULL, 10);
    c->duration_us = strtoll(PQgetvalue(r, i, 4), NULL, 10);
    c->bytes = strtoll(PQgetvalue(r, i, 5), NULL, 10);
    c->key_groups = (int32_t)strtol(PQgetvalue(r, i, 6), NULL, 10);
}

int st_ckpt_latest(StStore *st, const char *job, StCkptInfo *info, SlError *err)
{
    if (busy(st, err) < 0)
        return -1;
    const char *p[1] = {job};
    PGresult *r = query(st, "SELECT " CKPT_COLS " FROM sluice.checkpoints WHERE job = $1 AND status = 'complete' "
                            "ORDER BY id DESC LIMIT 1",
                        1, p, NULL, NULL, 0, true, "read checkpoints", err);
    if (!r)
        return -1;
    PQclear(st->held);
    st->held = r;
    if (PQntuples(r) == 0)
        return 0;
    fill_info(r, 0, info);
    return 1;
}

int st_ckpt_list(StStore *st, const char *job, int (*fn)(void *ctx, const StCkptInfo *c), void *ctx, SlError *err)
{
    if (busy(st, err) < 0)
        return -1;
    const char *p[1] = {job};
    PGresult *r = query(st, "SELECT " CKPT_COLS " FROM sluice.checkpoints WHERE job = $1 ORDER BY id DESC", 1, p,
                        NULL, NULL, 0, true, "read checkpoints", err);
    if (!r)
        return -1;
    int rc = 0;
    for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
        StCkptInfo c;
        fill_info(r, i, &c);
        rc = fn(ctx, &c);
    }
    PQclear(r);
    return rc;
}

static int64_t be64(const char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | (unsigned char)p[i];
    return (int64_t)v;
}

static int32_t be32(const char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 8 | (unsigned char)p[i];
    return (int32_t)v;
}

int st_ckpt_load(StStore *st, const char *job, int64_t id, int32_t kg_lo, int32_t kg_hi,
                 int (*fn)(void *ctx, int32_t key_group, int64_t written_by, const void *data, size_t len),
                 void *ctx, SlError *err)
{
    if (busy(st, err) < 0)
        return -1;
    char ids[32], lo[16], hi[16];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    snprintf(lo, sizeof lo, "%d", kg_lo);
    snprintf(hi, sizeof hi, "%d", kg_hi);
    const char *p[4] = {job, ids, lo, hi};
    PGresult *r = query(st, "SELECT 1 FROM sluice.checkpoints WHERE job = $1 AND id = $2 AND status = 'complete'",
                        2, p, NULL, NULL, 0, true, "read checkpoints", err);
    if (!r)
        return -1;
    bool ok = PQntuples(r) == 1;
    PQclear(r);
    if (!ok)
        return sl_error(err, SL_E_OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "checkpoint %lld of job \"%s\" does not exist or is not complete", (long long)id, job);
    /* the newest version of each key group at or before the checkpoint,
     * streamed one row at a time (state can be large) */
    if (!PQsendQueryParams(st->conn,
                           "SELECT DISTINCT ON (key_group) key_group, checkpoint_id, bytes "
                           "FROM sluice.checkpoint_state WHERE job = $1 AND checkpoint_id <= $2 "
                           "AND key_group >= $3 AND key_group < $4 ORDER BY key_group, checkpoint_id DESC",
                           4, NULL, p, NULL, NULL, 1))
        return pq_error(err, st->conn, NULL, "read checkpoint state");
    PQsetSingleRowMode(st->conn);
    int rc = 0;
    while ((r = PQgetResult(st->conn))) {
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_SINGLE_TUPLE && rc == 0) {
            int32_t kg = be32(PQgetvalue(r, 0, 0));
            int64_t by = be64(PQgetvalue(r, 0, 1));
            int len = PQgetlength(r, 0, 2);
            if (len > 0)
                rc = fn(ctx, kg, by, PQgetvalue(r, 0, 2), (size_t)len);
        } else if (s != PGRES_SINGLE_TUPLE && s != PGRES_TUPLES_OK && rc == 0) {
            rc = pq_error(err, st->conn, r, "read checkpoint state");
        }
        PQclear(r);
    }
    return rc;
}

int st_ckpt_retain(StStore *st, const char *job, int retain, SlError *err)
{
    if (busy(st, err) < 0)
        return -1;
    if (retain < 1)
        retain = 1;
    char off[16];
    snprintf(off, sizeof off, "%d", retain - 1);
    const char *p[2] = {job, off};
    PGresult *r = query(st, "SELECT id FROM sluice.checkpoints WHERE job = $1 AND status = 'complete' "
                            "ORDER BY id DESC OFFSET $2 LIMIT 1",
                        2, p, NULL, NULL, 0, true, "read checkpoints", err);
    if (!r)
        return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return 0;
    }
    char oldest[32];
    snprintf(oldest, sizeof oldest, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    const char *q[2] = {job, oldest};
    /* a state version below the oldest kept checkpoint is still needed if
     * it is its key group's newest at or before that checkpoint */
    r = query(st,
              "WITH s AS (DELETE FROM sluice.checkpoint_state s WHERE s.job = $1 AND s.checkpoint_id < $2 "
              "  AND EXISTS (SELECT 1 FROM sluice.checkpoint_state n WHERE n.job = $1 "
              "    AND n.key_group = s.key_group AND n.checkpoint_id > s.checkpoint_id AND n.checkpoint_id <= $2)) "
              "DELETE FROM sluice.checkpoints WHERE job = $1 AND id < $2",
              2, q, NULL, NULL, 0, true, "delete old checkpoints", err);
    if (!r)
        return -1;
    PQclear(r);
    return 0;
}

int st_ckpt_drop_job(StStore *st, const char *job, SlError *err)
{
    if (busy(st, err) < 0)
        return -1;
    const char *p[1] = {job};
    return exec_ok(st, "WITH s AS (DELETE FROM sluice.checkpoint_state WHERE job = $1) "
                       "DELETE FROM sluice.checkpoints WHERE job = $1", 1, p, "delete checkpoints", err);
}
