/*
 * pq_extended.c — a libpq client that checks sluiced's extended query
 * protocol: PQexecParams with text and binary parameters and results,
 * PQprepare / PQdescribePrepared, every type in both formats both ways,
 * errors and recovery, failed transactions, and PQcancel.
 * Usage: pq_extended CONNINFO; exit status 0 when every check passed.
 */
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* Every type both ways: each value sent as text and as binary, each
 * result asked as text and as binary, all four combinations checked. */
typedef struct TypeCase {
    const char *name;
    Oid oid;
    const char *text;       /* the canonical text form */
    const char *bin;        /* the binary form */
    int binlen;
} TypeCase;

static const TypeCase cases[] = {
    {"int4", 23, "-123456", "\xff\xfe\x1d\xc0", 4},
    {"int8", 20, "9000000000123", "\x00\x00\x08\x2f\x79\xcd\x90\x7b", 8},
    {"float8", 701, "2.5", "\x40\x04\x00\x00\x00\x00\x00\x00", 8},
    {"text", 25, "h\xc3\xa9llo", "h\xc3\xa9llo", 6},
    {"bool", 16, "t", "\x01", 1},
    /* 12345.678: 3 digits, weight 1, positive, dscale 3: 1 2345 6780 */
    {"numeric", 1700, "12345.678", "\x00\x03\x00\x01\x00\x00\x00\x03\x00\x01\x09\x29\x1a\x7c", 14},
    /* 2000-01-02 03:04:05.5 = 97445500000 microseconds after 2000-01-01 */
    {"timestamp", 1114, "2000-01-02 03:04:05.5", "\x00\x00\x00\x16\xb0\x34\x54\x60", 8},
};

static void type_matrix(PGconn *c)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const TypeCase *tc = &cases[i];
        for (int pf = 0; pf < 2; pf++)
            for (int rf = 0; rf < 2; rf++) {
                const char *vals[1] = {pf ? tc->bin : tc->text};
                int lens[1] = {pf ? tc->binlen : (int)strlen(tc->text)};
                int fmts[1] = {pf};
                Oid types[1] = {tc->oid};
                PGresult *r = PQexecParams(c, "SELECT $1 AS v", 1, types, vals, lens, fmts, rf);
                if (PQresultStatus(r) != PGRES_TUPLES_OK) {
                    CHECK(0, "%s param %s result %s: %s", tc->name, pf ? "binary" : "text", rf ? "binary" : "text",
                          PQresultErrorMessage(r));
                    PQclear(r);
                    continue;
                }
                CHECK(PQftype(r, 0) == tc->oid, "%s: result type %u", tc->name, PQftype(r, 0));
                CHECK(PQfformat(r, 0) == rf, "%s: result format %d", tc->name, PQfformat(r, 0));
                const char *want = rf ? tc->bin : tc->text;
                int wantlen = rf ? tc->binlen : (int)strlen(tc->text);
                CHECK(PQgetlength(r, 0, 0) == wantlen && !memcmp(PQgetvalue(r, 0, 0), want, (size_t)wantlen),
                      "%s param %s result %s: got %d bytes [%s]", tc->name, pf ? "binary" : "text",
                      rf ? "binary" : "text", PQgetlength(r, 0, 0), rf ? "(binary)" : PQgetvalue(r, 0, 0));
                PQclear(r);
            }
        /* NULL of every type, both result formats */
        Oid types[1] = {tc->oid};
        const char *vals[1] = {NULL};
        PGresult *r = PQexecParams(c, "SELECT $1", 1, types, vals, NULL, NULL, 1);
        CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && PQgetisnull(r, 0, 0), "%s NULL", tc->name);
        PQclear(r);
    }
    /* int2 parameters (psycopg 3 sends small ints so) are widened */
    Oid t2[1] = {21};
    const char *v2[1] = {"\x00\x07"};
    int l2[1] = {2}, f2[1] = {1};
    PGresult *r = PQexecParams(c, "SELECT $1 + 1", 1, t2, v2, l2, f2, 0);
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(r, 0, 0), "8"), "int2 param: %s",
          PQresultErrorMessage(r));
    PQclear(r);
    /* oid 0: the type is inferred from the expression */
    Oid t0[1] = {0};
    const char *v0[1] = {"41"};
    r = PQexecParams(c, "SELECT $1 + 1", 1, t0, v0, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(r, 0, 0), "42") && PQftype(r, 0) == 23,
          "inferred param: %s", PQresultErrorMessage(r));
    PQclear(r);
    /* one format code applies to every parameter */
    char i4a[4] = {0, 0, 0, 5}, i4b[4] = {0, 0, 0, 6};
    Oid ti[2] = {23, 23};
    const char *vi[2] = {i4a, i4b};
    int li[2] = {4, 4};
    r = PQexecParams(c, "SELECT $1 * $2", 2, ti, vi, li, (const int[]){1, 1}, 0);
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(r, 0, 0), "30"), "binary int4 params: %s",
          PQresultErrorMessage(r));
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
    /* the same through the extended protocol, as JDBC and psycopg 3 do */
    r = PQexecParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
    PQclear(r);
    r = PQexecParams(c, "SELECT 1 / $1::int", 1, NULL, (const char *[]){"0"}, NULL, NULL, 0);
    PQclear(r);
    CHECK(PQtransactionStatus(c) == PQTRANS_INERROR, "failed transaction (extended)");
    r = PQexecParams(c, "SELECT $1::int", 1, NULL, (const char *[]){"1"}, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR && !strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "25P02"),
          "25P02 (extended)");
    PQclear(r);
    r = PQexecParams(c, "ROLLBACK", 0, NULL, NULL, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK, "ROLLBACK (extended): %s", PQresultErrorMessage(r));
    PQclear(r);
    CHECK(PQtransactionStatus(c) == PQTRANS_IDLE, "idle after rollback (extended)");
    /* SET through the extended protocol reports the new value */
    r = PQexecParams(c, "SET application_name = 'pqx'", 0, NULL, NULL, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK, "SET (extended): %s", PQresultErrorMessage(r));
    PQclear(r);
    CHECK(!strcmp(PQparameterStatus(c, "application_name"), "pqx"), "application_name reported");
}

static void *send_cancel(void *arg)
{
    PGconn *c = arg;
    usleep(1500 * 1000); /* after other_client had its answer */
    char errbuf[256];
    PGcancel *cn = PQgetCancel(c);
    if (!PQcancel(cn, errbuf, sizeof errbuf))
        fprintf(stderr, "PQcancel: %s\n", errbuf);
    PQfreeCancel(cn);
    return NULL;
}

/* While one connection sleeps, another is served at once (statements do
 * not run on the I/O threads); run with --io-threads 1 to make it count. */
static void *other_client(void *arg)
{
    const char *conninfo = arg;
    struct timespec t0, t1;
    usleep(100 * 1000);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    PGconn *o = PQconnectdb(conninfo);
    PGresult *r = PQexec(o, "SELECT 7");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(r, 0, 0), "7") && secs < 1.0,
          "another client during a long statement: %.2f s, %s", secs, PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(o);
    return NULL;
}

static void cancel(PGconn *c, const char *conninfo)
{
    pthread_t th, other;
    pthread_create(&th, NULL, send_cancel, c);
    pthread_create(&other, NULL, other_client, (void *)conninfo);
    PGresult *r = PQexec(c, "SELECT pg_sleep(30)");
    pthread_join(th, NULL);
    pthread_join(other, NULL);
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

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
          PQresultErrorMessage(r));
    PQclear(r);
}

/* A statement prepared against a stream or view that was dropped and
 * created again (other columns) is refused with 0A000, as PostgreSQL's
 * "cached plan must not change result type"; prepared again, it works. */
static void replanned(PGconn *c)
{
    exec_ok(c, "CREATE STREAM rp (a INT)");
    exec_ok(c, "CREATE MATERIALIZED VIEW rpv AS SELECT a, count(*) AS n FROM rp GROUP BY a");
    PGresult *r = PQprepare(c, "rp_ins", "INSERT INTO rp VALUES (1)", 0, NULL);
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK, "prepare insert: %s", PQresultErrorMessage(r));
    PQclear(r);
    r = PQprepare(c, "rp_sel", "SELECT * FROM rpv", 0, NULL);
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK, "prepare select: %s", PQresultErrorMessage(r));
    PQclear(r);
    exec_ok(c, "DROP STREAM rp CASCADE");
    exec_ok(c, "CREATE STREAM rp (a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT, g TEXT, h TEXT)");
    exec_ok(c, "CREATE MATERIALIZED VIEW rpv AS SELECT a, b, c, count(*) AS n FROM rp GROUP BY a, b, c");
    r = PQexecPrepared(c, "rp_ins", 0, NULL, NULL, NULL, 0);
    const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR && st && !strcmp(st, "0A000"), "stale insert: %s %s",
          PQresStatus(PQresultStatus(r)), PQresultErrorMessage(r));
    PQclear(r);
    r = PQexecPrepared(c, "rp_sel", 0, NULL, NULL, NULL, 0);
    st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR && st && !strcmp(st, "0A000"), "stale select: %s %s",
          PQresStatus(PQresultStatus(r)), PQresultErrorMessage(r));
    PQclear(r);
    r = PQexec(c, "SELECT count(*) FROM rpv");
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(r, 0, 0), "0"), "the new view is empty: %s",
          PQresultErrorMessage(r));
    PQclear(r);
    exec_ok(c, "DROP STREAM rp CASCADE");
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
    type_matrix(c);
    prepared(c);
    errors(c);
    transactions(c);
    cancel(c, argc > 1 ? argv[1] : "");
    copy_extended(c);
    replanned(c);
    PQfinish(c);
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("pq_extended: all checks passed\n");
    return 0;
}
