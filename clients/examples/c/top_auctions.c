/*
 * top_auctions.c — an application on libpq that registers a standing
 * query in Sluice and keeps an exact local copy of it from its changes.
 *
 * It creates the stream and the view if they are missing, subscribes with
 * COPY (SUBSCRIBE c_top) TO STDOUT, and applies every line (progress, diff,
 * columns) to an in-memory table. When the connection breaks (the server
 * restarted), it reconnects and subscribes again; a new subscription starts
 * with a snapshot, so the local copy is rebuilt from it. After SECONDS it
 * prints the local copy, one "auction|bids|top" line each, sorted.
 *
 * Usage: top_auctions CONNINFO SECONDS
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#define MAXROWS 4096

static struct {
    char key[128];
    long count;
} rows[MAXROWS];
static int nrows;

static void apply(const char *row, int diff)
{
    for (int i = 0; i < nrows; i++) {
        if (!strcmp(rows[i].key, row)) {
            rows[i].count += diff;
            if (rows[i].count == 0)
                rows[i] = rows[--nrows];
            return;
        }
    }
    if (diff > 0 && nrows < MAXROWS) {
        snprintf(rows[nrows].key, sizeof rows[nrows].key, "%s", row);
        rows[nrows++].count = diff;
    }
}

static int cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static PGconn *connect_and_subscribe(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        return NULL;
    }
    const char *setup[] = {
        "CREATE STREAM IF NOT EXISTS c_bids (auction BIGINT, price BIGINT)",
        "CREATE MATERIALIZED VIEW IF NOT EXISTS c_top WITH (parallelism = 2) AS "
        "SELECT auction, count(*) AS bids, max(price) AS top FROM c_bids GROUP BY auction",
        "COPY (SUBSCRIBE c_top) TO STDOUT",
    };
    for (int i = 0; i < 3; i++) {
        PGresult *r = PQexec(c, setup[i]);
        ExecStatusType s = PQresultStatus(r);
        PQclear(r);
        if (s != PGRES_COMMAND_OK && s != PGRES_COPY_OUT) {
            PQfinish(c);
            return NULL;
        }
    }
    nrows = 0; /* a new subscription starts with a snapshot */
    fprintf(stderr, "top_auctions: subscribed\n");
    return c;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: top_auctions CONNINFO SECONDS\n");
        return 2;
    }
    double end = now() + atof(argv[2]);
    PGconn *c = NULL;
    int reconnects = 0;
    while (now() < end) {
        if (!c) {
            c = connect_and_subscribe(argv[1]);
            if (!c) {
                usleep(200 * 1000);
                continue;
            }
            reconnects++;
        }
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(PQsocket(c), &fds);
        struct timeval tv = {0, 100 * 1000};
        select(PQsocket(c) + 1, &fds, NULL, NULL, &tv);
        if (!PQconsumeInput(c)) {
            PQfinish(c);
            c = NULL;
            continue;
        }
        char *buf;
        int n;
        while ((n = PQgetCopyData(c, &buf, 1)) > 0) {
            /* progress \t diff \t auction \t bids \t top \n */
            char *p = strchr(buf, '\t');
            char *q = p ? strchr(p + 1, '\t') : NULL;
            if (q) {
                int diff = atoi(p + 1);
                char *row = q + 1;
                row[strcspn(row, "\n")] = '\0';
                for (char *t = row; *t; t++)
                    if (*t == '\t')
                        *t = '|';
                apply(row, diff);
            }
            PQfreemem(buf);
        }
        if (n == -1 || n == -2) { /* the subscription ended: the server went away */
            PQfinish(c);
            c = NULL;
        }
    }
    if (c)
        PQfinish(c);
    char (*keys)[128] = malloc(sizeof *keys * (size_t)(nrows ? nrows : 1));
    int k = 0;
    for (int i = 0; i < nrows; i++)
        for (long m = 0; m < rows[i].count; m++)
            if (k < nrows)
                memcpy(keys[k++], rows[i].key, sizeof keys[0]);
    qsort(keys, (size_t)k, sizeof keys[0], cmp);
    for (int i = 0; i < k; i++)
        printf("%s\n", keys[i]);
    free(keys);
    fprintf(stderr, "top_auctions: %d subscription(s)\n", reconnects);
    return 0;
}
