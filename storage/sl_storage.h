/*
 * sl_storage.h — the one public header of storage/: the private PostgreSQL
 * that sluiced manages, and the PostgreSQL store that holds the catalog.
 * Only storage/ includes libpq-fe.h; handles here are opaque.
 *
 * Threads: an StStore is one libpq connection, used by one thread at a
 * time (the caller serializes); StPg is used by the main thread only.
 */
#ifndef SL_STORAGE_H
#define SL_STORAGE_H

#include "sl_common.h"

/* ---------------------------------------------------- private PostgreSQL */
typedef struct StPg StPg;

/* Starts (after initdb on first use) a PostgreSQL cluster in DIR/pg,
 * listening only on a Unix socket inside it. As root, the cluster runs as
 * the unprivileged user `sluice` (else `postgres`, else `nobody`). */
StPg *st_pg_start(const char *data_dir, const char *bindir, SlError *err);
/* libpq connection string for the running cluster. */
const char *st_pg_conninfo(const StPg *pg);
/* Restarts the cluster if it is not running (a crash, a kill). */
int st_pg_ensure_running(StPg *pg, SlError *err);
/* Stops it (fast shutdown) and frees pg. */
void st_pg_stop(StPg *pg);

/* ------------------------------------------------------------ the store */
typedef struct StStore StStore;

/* Connects and creates or upgrades the schema `sluice` (versioned). */
StStore *st_store_open(const char *conninfo, SlError *err);
void st_store_close(StStore *st);
int st_store_schema_version(StStore *st);

/* Catalog objects: kind "stream" or "view", the CREATE statement's text.
 * Written before the statement is acknowledged; errors are 08006 when
 * PostgreSQL is unreachable. */
int st_catalog_put(StStore *st, const char *kind, const char *name, const char *sql, SlError *err);
int st_catalog_delete(StStore *st, const char *name, SlError *err);
/* Calls fn for every object in creation order. */
int st_catalog_list(StStore *st, int (*fn)(void *ctx, const char *kind, const char *name, const char *sql),
                    void *ctx, SlError *err);

#endif
