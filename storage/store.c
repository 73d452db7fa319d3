/*
 * store.c — the PostgreSQL store: one libpq connection, the schema
 * `sluice` with a version number, and the catalog of streams and views.
 * Reconnects once when the connection was lost (PostgreSQL restarted).
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_storage.h"

#define SCHEMA_VERSION 1

struct StStore {
    PGconn *conn;
    char *conninfo;
    pthread_mutex_t lock;
    int version;
};

static const char *const migrations[] = {
    /* version 1 */
    "CREATE SCHEMA IF NOT EXISTS sluice;"
    "CREATE TABLE IF NOT EXISTS sluice.schema_version (version int NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sluice.catalog ("
    "  id bigserial PRIMARY KEY,"
    "  name text NOT NULL UNIQUE,"
    "  kind text NOT NULL CHECK (kind IN ('stream', 'view')),"
    "  sql text NOT NULL,"
    "  created_at timestamptz NOT NULL DEFAULT now());",
};

static int pq_error(SlError *err, PGconn *c, const char *what)
{
    const char *msg = c ? PQerrorMessage(c) : "no connection";
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n'))
        n--;
    return sl_error(err, SL_E_CONNECTION_FAILURE, "PostgreSQL store: %s: %.*s", what, (int)n, msg);
}

static int ensure_conn(StStore *st, SlError *err)
{
    if (st->conn && PQstatus(st->conn) == CONNECTION_OK)
        return 0;
    if (st->conn)
        PQfinish(st->conn);
    st->conn = PQconnectdb(st->conninfo);
    if (PQstatus(st->conn) != CONNECTION_OK)
        return pq_error(err, st->conn, "connect");
    PGresult *r = PQexec(st->conn, "SET client_min_messages = warning");
    PQclear(r);
    return 0;
}

static int exec_ok(StStore *st, const char *sql, int n, const char *const *params, SlError *err)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (ensure_conn(st, err) < 0)
            return -1;
        PGresult *r = n == 0 ? PQexec(st->conn, sql) : PQexecParams(st->conn, sql, n, NULL, params, NULL, NULL, 0);
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
            PQclear(r);
            return 0;
        }
        PQclear(r);
        if (PQstatus(st->conn) == CONNECTION_OK)
            return pq_error(err, st->conn, "query");
        /* the connection broke: reconnect once */
    }
    return pq_error(err, st->conn, "query");
}

StStore *st_store_open(const char *conninfo, SlError *err)
{
    StStore *st = sl_calloc(1, sizeof *st);
    st->conninfo = sl_xstrdup(conninfo);
    pthread_mutex_init(&st->lock, NULL);
    if (ensure_conn(st, err) < 0)
        goto fail;
    if (exec_ok(st, "SELECT pg_advisory_lock(7011)", 0, NULL, err) < 0)
        goto fail;
    PGresult *r = PQexec(st->conn, "SELECT to_regclass('sluice.schema_version') IS NOT NULL");
    bool exists = PQresultStatus(r) == PGRES_TUPLES_OK && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    int version = 0;
    if (exists) {
        r = PQexec(st->conn, "SELECT max(version) FROM sluice.schema_version");
        if (PQresultStatus(r) == PGRES_TUPLES_OK && !PQgetisnull(r, 0, 0))
            version = atoi(PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    if (version > SCHEMA_VERSION) {
        sl_error(err, SL_E_OBJECT_NOT_IN_PREREQUISITE_STATE,
                 "the store's schema version %d is newer than this sluiced knows (%d)", version, SCHEMA_VERSION);
        goto fail;
    }
    for (int v = version; v < SCHEMA_VERSION; v++) {
        char ins[128];
        snprintf(ins, sizeof ins, "INSERT INTO sluice.schema_version VALUES (%d)", v + 1);
        if (exec_ok(st, "BEGIN", 0, NULL, err) < 0 || exec_ok(st, migrations[v], 0, NULL, err) < 0 ||
            exec_ok(st, ins, 0, NULL, err) < 0 || exec_ok(st, "COMMIT", 0, NULL, err) < 0)
            goto fail;
        sl_info("PostgreSQL store: schema upgraded to version %d", v + 1);
    }
    st->version = SCHEMA_VERSION;
    exec_ok(st, "SELECT pg_advisory_unlock(7011)", 0, NULL, NULL);
    return st;
fail:
    st_store_close(st);
    return NULL;
}

void st_store_close(StStore *st)
{
    if (!st)
        return;
    if (st->conn)
        PQfinish(st->conn);
    pthread_mutex_destroy(&st->lock);
    free(st->conninfo);
    free(st);
}

int st_store_schema_version(StStore *st)
{
    return st->version;
}

int st_catalog_put(StStore *st, const char *kind, const char *name, const char *sql, SlError *err)
{
    const char *p[3] = {name, kind, sql};
    pthread_mutex_lock(&st->lock);
    int rc = exec_ok(st, "INSERT INTO sluice.catalog (name, kind, sql) VALUES ($1, $2, $3) "
                         "ON CONFLICT (name) DO UPDATE SET kind = $2, sql = $3", 3, p, err);
    pthread_mutex_unlock(&st->lock);
    return rc;
}

int st_catalog_delete(StStore *st, const char *name, SlError *err)
{
    const char *p[1] = {name};
    pthread_mutex_lock(&st->lock);
    int rc = exec_ok(st, "DELETE FROM sluice.catalog WHERE name = $1", 1, p, err);
    pthread_mutex_unlock(&st->lock);
    return rc;
}

int st_catalog_list(StStore *st, int (*fn)(void *ctx, const char *kind, const char *name, const char *sql),
                    void *ctx, SlError *err)
{
    pthread_mutex_lock(&st->lock);
    if (ensure_conn(st, err) < 0) {
        pthread_mutex_unlock(&st->lock);
        return -1;
    }
    PGresult *r = PQexec(st->conn, "SELECT kind, name, sql FROM sluice.catalog ORDER BY id");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        int rc = pq_error(err, st->conn, "read the catalog");
        pthread_mutex_unlock(&st->lock);
        return rc;
    }
    int rc = 0;
    for (int i = 0; i < PQntuples(r) && rc == 0; i++)
        rc = fn(ctx, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
    PQclear(r);
    pthread_mutex_unlock(&st->lock);
    return rc;
}
