/*
 * pq_extended.c — a libpq client that checks sluiced's extended query
 * protocol: PQexecParams with text and binary parameters and results,
 * PQprepare / PQdescribePrepared, errors and recovery, and PQcancel.
 * Usage: pq_extended CONNINFO; exit status 0 when every check passed.
 */
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

#define CHECK(cond, ...)                                        \
    do {                                                        \
        if (!(cond)) {                                          \
            failures++;                                         \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                       \
            fprintf(stderr, "\n");                              \
        }                                                       \
    } while (0)

static void text_params(PGconn *c)
{
    const char *vals[3] = {"41", "hello", NULL};
    PGresult *r = PQexecParams(c, "SELECT $1::int + 1, upper($2), $3::bigint IS NULL, 1.5::numeric, 'x'::text",
                               3, NULL, vals, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK, "text params: %s", PQresultErrorMessage(r));
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        CHECK(!strcmp(PQgetvalue(r, 0, 0), "42"), "got %s", PQgetvalue(r, 0, 0));
        CHECK(!strcmp(PQgetvalue(r, 0, 1), "HELLO"), "got %s", PQgetvalue(r, 0, 1));
        CHECK(!strcmp(PQgetvalue(r, 0, 2), "t"), "got %s", PQgetvalue(r, 0, 2));
        CHECK(PQftype(r, 0) == 23 && PQftype(r, 1) == 25 && PQftype(r, 2) == 16 && PQftype(r, 3) == 1700,
              "types %u %u %u %u", PQftype(r, 0), PQftype(r, 1), PQftype(r, 2), PQftype(r, 3));
        CHECK(!strcmp(PQfname(r, 1), "upper"), "column name %s", PQfname(r, 1));
    }
    PQclear(r);
}

static uint64_t be64(const char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | (unsigned char)p[i];
    return v;
}

static void binary_params_and_results(PGconn *c)
{
    /* int8 and float8 parameters in binary, as JDBC sends them */
    char i8[8], f8[8];
    uint64_t v = 1234567890123ULL;
    for (int i = 0; i < 8; i++)
        i8[i] = (char)(v >> (56 - 8 * i));
    double d = 2.5;
    uint64_t u;
    memcpy(&u, &d, 8);
    for (int i = 0; i < 8; i++)
        f8[i] = (char)(u >> (56 - 8 * i));
    Oid types[2] = {20, 701};
    const char *vals[2] = {i8, f8};
    int lens[2] = {8, 8};
    int fmts[2] = {1, 1};
    PGresult *r = PQexecParams(c, "SELECT $1 + 1, $2 * 2, true, TIMESTAMP '2000-01-02 00:00:00', 'abc'", 2, types,
                               vals, lens, fmts, 1);
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK, "binary: %s", PQresultErrorMessage(r));
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        CHECK(PQfformat(r, 0) == 1 && PQgetlength(r, 0, 0) == 8, "int8 binary result");
        CHECK(be64(PQgetvalue(r, 0, 0)) == 1234567890124ULL, "int8 value");
        uint64_t bits = be64(PQgetvalue(r, 0, 1));
        double got;
        memcpy(&got, &bits, 8);
        CHECK(got == 5.0, "float8 value %g", got);
        CHECK(PQgetlength(r, 0, 2) == 1 && PQgetvalue(r, 0, 2)[0] == 1, "bool binary");
        CHECK(be64(PQgetvalue(r, 0, 3)) == 86400000000ULL, "timestamp binary");
        CHECK(PQgetlength(r, 0, 4) == 3 && !memcmp(PQgetvalue(r, 0, 4), "abc", 3), "text binary");
    }
    PQclear(r);
}

static void prepared(PGconn *c)
{
    PGresult *r = PQprepare(c, "s1", "SELECT $1 * 2 AS doubled, $2 || '!'", 0, NULL);
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK, "prepare: %s", PQresultErrorMessage(r));
    PQclear(r);
    r = PQdescribePrepared(c, "s1");
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK, "describe: %s", PQresultErrorMessage(r));
    CHECK(PQnparams(r) == 2, "nparams %d", PQnparams(r));
    CHECK(PQparamtype(r, 0) == 23 && PQparamtype(r, 1) == 25, "param types %u %u", PQparamtype(r, 0), PQparamtype(r, 1));
    CHECK(PQnfields(r) == 2 && !strcmp(PQfname(r, 0), "doubled"), "fields");
    PQclear(r);
    for (int i = 0; i < 5; i++) {
        char buf[16];
        snprintf(buf, sizeof buf, "%d", i);
        const char *vals[2] = {buf, "hi"};
        r = PQexecPrepared(c, "s1", 2, vals, NULL, NULL, 0);
        CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && atoi(PQgetvalue(r, 0, 0)) == 2 * i &&
                  !strcmp(PQgetvalue(r, 0, 1), "hi!"),
              "exec prepared %d: %s", i, PQresultErrorMessage(r));
        PQclear(r);
    }
    r = PQprepare(c, "s1", "SELECT 1", 0, NULL);
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "42P05"),
          "duplicate prepare");
    PQclear(r);
    r = PQexec(c, "SELECT 1");
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK, "after an error the session goes on");
    PQclear(r);
}

static void errors(PGconn *c)
{
    const char *vals[1] = {"abc"};
    Oid t[1] = {23};
    PGresult *r = PQexecParams(c, "SELECT $1 + 1", 1, t, vals, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "22P02"),
          "bad int param: %s", PQresultErrorMessage(r));
    PQclear(r);
    r = PQexecParams(c, "SELECT 1 / $1::int", 1, NULL, (const char *[]){"0"}, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "22012"),
          "division by zero");
    PQclear(r);
    r = PQexecParams(c, "SELEC 1", 0, NULL, NULL, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "42601") &&
              !strcmp(PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION), "1"),
          "syntax error with position");
    PQclear(r);
    r = PQexecParams(c, "SELECT $1 + 1", 1, NULL, (const char *[]){"7"}, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(r, 0, 0), "8"), "recovered after errors");
    PQclear(r);
}

static void transactions(PGconn *c)
{
    PGresult *r = PQexec(c, "BEGIN");
    CHECK(PQtransactionStatus(c) == PQTRANS_INTRANS, "in transaction");
    PQclear(r);
    r = PQexec(c, "SELECT 1/0");
    PQclear(r);
    CHECK(PQtransactionStatus(c) == PQTRANS_INERROR, "failed transaction");
    r = PQexec(c, "SELECT 1");
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "25P02"),
          "25P02 in failed transaction");
    PQclear(r);
    r = PQexec(c, "ROLLBACK");
    PQclear(r);
    CHECK(PQtransactionStatus(c) == PQTRANS_IDLE, "idle after rollback");
}

static void *send_cancel(void *arg)
{
    PGconn *c = arg;
    usleep(300 * 1000);
    char errbuf[256];
    PGcancel *cn = PQgetCancel(c);
    if (!PQcancel(cn, errbuf, sizeof errbuf))
        fprintf(stderr, "PQcancel: %s\n", errbuf);
    PQfreeCancel(cn);
    return NULL;
}

static void cancel(PGconn *c)
{
    pthread_t th;
    pthread_create(&th, NULL, send_cancel, c);
    PGresult *r = PQexec(c, "SELECT pg_sleep(30)");
    pthread_join(th, NULL);
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "57014"),
          "cancel: %s", PQresultErrorMessage(r));
    PQclear(r);
    r = PQexec(c, "SELECT 2");
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(r, 0, 0), "2"), "works after cancel");
    PQclear(r);
}

/* COPY FROM STDIN through the extended protocol (PQexecParams), as
 * drivers that use it for everything do. */
static void copy_extended(PGconn *c)
{
    PGresult *r = PQexec(c, "CREATE STREAM pqcopy (a INT, b TEXT)");
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK, "create stream: %s", PQresultErrorMessage(r));
    PQclear(r);
    r = PQexec(c, "CREATE MATERIALIZED VIEW pqcopy_v AS SELECT count(*) AS n, sum(a) AS s FROM pqcopy");
    PQclear(r);
    r = PQexecParams(c, "COPY pqcopy FROM STDIN WITH (FORMAT csv)", 0, NULL, NULL, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_COPY_IN, "copy in: %s", PQresultErrorMessage(r));
    PQclear(r);
    const char *data = "1,x\n2,y\n3,\"z,z\"\n";
    CHECK(PQputCopyData(c, data, (int)strlen(data)) == 1, "put copy data");
    CHECK(PQputCopyEnd(c, NULL) == 1, "put copy end");
    r = PQgetResult(c);
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(r), "COPY 3"), "copy result: %s %s",
          PQresStatus(PQresultStatus(r)), PQresultErrorMessage(r));
    PQclear(r);
    while ((r = PQgetResult(c)))
        PQclear(r);
    /* a bad row through the same path: rejected, the session goes on */
    r = PQexecParams(c, "COPY pqcopy FROM STDIN WITH (FORMAT csv)", 0, NULL, NULL, NULL, NULL, 0);
    PQclear(r);
    PQputCopyData(c, "4,ok\nbad,row\n", 14);
    PQputCopyEnd(c, NULL);
    r = PQgetResult(c);
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "22P02"),
          "bad copy row: %s", PQresultErrorMessage(r));
    PQclear(r);
    while ((r = PQgetResult(c)))
        PQclear(r);
    r = PQexec(c, "SELECT n, s FROM pqcopy_v");
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(r, 0, 0), "3") && !strcmp(PQgetvalue(r, 0, 1), "6"),
          "view after copies: %s", PQresultErrorMessage(r));
    PQclear(r);
}

int main(int argc, char **argv)
{
    PGconn *c = PQconnectdb(argc > 1 ? argv[1] : "");
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "connect: %s", PQerrorMessage(c));
        return 1;
    }
    CHECK(!strcmp(PQparameterStatus(c, "server_version"), "15.0"), "server_version");
    CHECK(!strcmp(PQparameterStatus(c, "client_encoding"), "UTF8"), "client_encoding");
    CHECK(!strcmp(PQparameterStatus(c, "integer_datetimes"), "on"), "integer_datetimes");
    text_params(c);
    binary_params_and_results(c);
    prepared(c);
    errors(c);
    transactions(c);
    cancel(c);
    copy_extended(c);
    PQfinish(c);
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("pq_extended: all checks passed\n");
    return 0;
}
