/* test_server.c — the protocol codec, SCRAM (RFC 7677's vector), and the
 * session state machine driven without sockets, fuzzed with random input. */
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "unit.h"

static void test_reader_bounds(void)
{
    const char msg[] = {0, 0, 0, 5, 'a', 'b', 0, 'c'};
    PgReader r;
    pg_reader_init(&r, msg, sizeof msg);
    CU_ASSERT_EQUAL(pg_get_i32(&r), 5);
    CU_ASSERT_STRING_EQUAL(pg_get_str(&r), "ab");
    CU_ASSERT(!r.bad);
    pg_get_str(&r); /* 'c' without NUL */
    CU_ASSERT(r.bad);
    pg_reader_init(&r, msg, 2);
    pg_get_i32(&r);
    CU_ASSERT(r.bad);
    pg_reader_init(&r, msg, sizeof msg);
    CU_ASSERT_PTR_NULL(pg_get_bytes(&r, 100));
    CU_ASSERT(r.bad);
}

static void test_encoders(void)
{
    SlBuf b;
    sl_buf_init(&b);
    pg_msg_ready(&b, 'I');
    CU_ASSERT_EQUAL(b.len, 6);
    CU_ASSERT_EQUAL(memcmp(b.data, "Z\0\0\0\5I", 6), 0);
    sl_buf_reset(&b);
    pg_msg_command_complete(&b, "SELECT 1");
    CU_ASSERT_EQUAL(b.len, 1 + 4 + 9);
    CU_ASSERT_EQUAL(b.data[4], 13);
    sl_buf_reset(&b);
    ExColumn cols[2] = {{"a", SL_T_INT8}, {"b", SL_T_TEXT}};
    pg_msg_row_description(&b, 2, cols, NULL);
    PgReader r;
    pg_reader_init(&r, b.data + 5, b.len - 5);
    CU_ASSERT_EQUAL(pg_get_i16(&r), 2);
    CU_ASSERT_STRING_EQUAL(pg_get_str(&r), "a");
    pg_get_i32(&r);
    pg_get_i16(&r);
    CU_ASSERT_EQUAL(pg_get_i32(&r), 20);
    CU_ASSERT_EQUAL(pg_get_i16(&r), 8);
    sl_buf_reset(&b);
    SlValue vals[3] = {sl_val_int8(42), sl_val_null(SL_T_TEXT), sl_val_text("hi", 2)};
    pg_msg_data_row(&b, 3, vals, NULL);
    const char expect[] = {'D', 0, 0, 0, 22, 0, 3, 0, 0, 0, 2, '4', '2', -1, -1, -1, -1, 0, 0, 0, 2, 'h', 'i'};
    CU_ASSERT_EQUAL(b.len, sizeof expect);
    CU_ASSERT_EQUAL(memcmp(b.data, expect, sizeof expect), 0);
    sl_buf_reset(&b);
    SlError e;
    sl_error_at(&e, SL_E_SYNTAX_ERROR, 10, "syntax error at or near \"t\"");
    pg_msg_error(&b, "ERROR", &e);
    CU_ASSERT_PTR_NOT_NULL(memmem(b.data, b.len, "C42601", 7));
    CU_ASSERT_PTR_NOT_NULL(memmem(b.data, b.len, "P10", 4));
    CU_ASSERT_PTR_NOT_NULL(memmem(b.data, b.len, "SERROR", 7));
    sl_buf_free(&b);
}

static void test_startup_parse(void)
{
    const char body[] = "\0\3\0\0user\0bob\0database\0db\0\0";
    PgStartup st;
    SlError e;
    CU_ASSERT_EQUAL(pg_parse_startup(body, sizeof body - 1, &st, &e), 0);
    CU_ASSERT_EQUAL(st.code, PG_PROTO_V3);
    CU_ASSERT_EQUAL(st.nparams, 2);
    CU_ASSERT_STRING_EQUAL(st.values[0], "bob");
    const char bad[] = "\0\3\0\0user\0bob";
    CU_ASSERT_EQUAL(pg_parse_startup(bad, sizeof bad - 1, &st, &e), -1);
    CU_ASSERT_EQUAL(e.code, SL_E_PROTOCOL_VIOLATION);
    const char v2[] = "\0\2\0\0\0";
    CU_ASSERT_EQUAL(pg_parse_startup(v2, sizeof v2 - 1, &st, &e), -1);
    CU_ASSERT_EQUAL(e.code, SL_E_FEATURE_NOT_SUPPORTED);
}

static void test_scram_rfc7677(void)
{
    /* RFC 7677 section 3 */
    const char *cfb = "n=user,r=rOprNGfwEbeRWgbNEkqO";
    const char *sf = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    const char *cfwp = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    unsigned char salt[32];
    size_t sl;
    CU_ASSERT_EQUAL_FATAL(scram_b64_decode("W22ZaJ0SNY7soEsUEjb6gQ==", 24, salt, sizeof salt, &sl), 0);
    CU_ASSERT_EQUAL(sl, 16);
    char am[512];
    snprintf(am, sizeof am, "%s,%s,%s", cfb, sf, cfwp);
    unsigned char proof[32], sig[32];
    scram_client_proof("pencil", salt, sl, 4096, am, proof, sig);
    SlBuf b;
    sl_buf_init(&b);
    scram_b64_encode(proof, 32, &b);
    CU_ASSERT_STRING_EQUAL(b.data, "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    sl_buf_reset(&b);
    scram_b64_encode(sig, 32, &b);
    CU_ASSERT_STRING_EQUAL(b.data, "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    sl_buf_free(&b);
}

/* A whole exchange against the server side with a verifier we made. */
static int exchange(const char *verifier_pw, const char *client_pw, bool fake)
{
    SlBuf v, reply;
    sl_buf_init(&v);
    sl_buf_init(&reply);
    scram_make_verifier(verifier_pw, 4096, &v);
    ScramState s;
    memset(&s, 0, sizeof s);
    CU_ASSERT_EQUAL_FATAL(scram_parse_verifier(v.data, &s.v), 0);
    s.fake = fake;
    const char *cf = "n,,n=,r=clientnonce123";
    CU_ASSERT_EQUAL_FATAL(scram_server_first(&s, cf, strlen(cf), &reply), 0);
    char sfirst[512];
    snprintf(sfirst, sizeof sfirst, "%s", reply.data);
    const char *r = strstr(sfirst, "r=") + 2;
    size_t rn = strcspn(r, ",");
    char cfwp[600];
    snprintf(cfwp, sizeof cfwp, "c=biws,r=%.*s", (int)rn, r);
    char am[1400];
    snprintf(am, sizeof am, "%s,%s,%s", "n=,r=clientnonce123", sfirst, cfwp);
    unsigned char proof[32], sig[32];
    scram_client_proof(client_pw, s.v.salt, s.v.salt_len, s.v.iterations, am, proof, sig);
    SlBuf final;
    sl_buf_init(&final);
    sl_buf_printf(&final, "%s,p=", cfwp);
    scram_b64_encode(proof, 32, &final);
    sl_buf_reset(&reply);
    int rc = scram_server_final(&s, final.data, final.len, &reply);
    if (rc == 0) {
        SlBuf expect;
        sl_buf_init(&expect);
        sl_buf_puts(&expect, "v=");
        scram_b64_encode(sig, 32, &expect);
        CU_ASSERT_STRING_EQUAL(reply.data, expect.data);
        sl_buf_free(&expect);
    }
    sl_buf_free(&final);
    sl_buf_free(&v);
    sl_buf_free(&reply);
    return rc;
}

static void test_scram_server(void)
{
    CU_ASSERT_EQUAL(exchange("right", "right", false), 0);
    CU_ASSERT_EQUAL(exchange("right", "wrong", false), -1);
    CU_ASSERT_EQUAL(exchange("right", "right", true), -1); /* unknown user never succeeds */
    ScramVerifier v;
    CU_ASSERT_EQUAL(scram_parse_verifier("SCRAM-SHA-256$abc", &v), -1);
    CU_ASSERT_EQUAL(scram_parse_verifier("md5abcdef", &v), -1);
}

/* ------------------------------------------------------------ session */

static Server srv;

static int session_setup(void)
{
    memset(&srv, 0, sizeof srv);
    srv.settings = sl_settings_new(NULL);
    srv.engine = ex_engine_new(NULL, NULL);
    srv.max_connections = 100;
    atomic_init(&srv.next_pid, 100);
    return 0;
}

static int session_teardown(void)
{
    ex_engine_free(srv.engine);
    sl_settings_free(srv.settings);
    return 0;
}

static Session *started(void)
{
    SessionConfig cfg = {.is_unix = false, .tls_available = false, .peer = "test"};
    Session *s = sess_new(&srv, &cfg);
    const char body[] = "\0\3\0\0user\0bob\0database\0db\0application_name\0unit\0\0";
    CU_ASSERT_EQUAL(sess_startup_packet(s, body, sizeof body - 1), SESS_CONTINUE);
    return s;
}

static void test_session_startup_and_query(void)
{
    Session *s = started();
    SlBuf *out = sess_output(s);
    CU_ASSERT_EQUAL(memcmp(out->data, "R\0\0\0\10\0\0\0\0", 9), 0); /* AuthenticationOk */
    CU_ASSERT_PTR_NOT_NULL(memmem(out->data, out->len, "server_version\0" "15.0\0", 20));
    CU_ASSERT_PTR_NOT_NULL(memmem(out->data, out->len, "application_name\0unit\0", 22));
    CU_ASSERT_EQUAL(memcmp(out->data + out->len - 6, "Z\0\0\0\5I", 6), 0);
    sl_buf_reset(out);
    const char q[] = "SELECT 1; SELECT 'x' AS y";
    CU_ASSERT_EQUAL(sess_message(s, 'Q', q, sizeof q), SESS_CONTINUE);
    /* T D C T D C Z */
    const char *p = out->data;
    char types[16];
    int n = 0;
    while (p < out->data + out->len && n < 15) {
        types[n++] = p[0];
        uint32_t len = ((uint32_t)(unsigned char)p[1] << 24) | ((uint32_t)(unsigned char)p[2] << 16) |
                       ((uint32_t)(unsigned char)p[3] << 8) | (unsigned char)p[4];
        p += 1 + len;
    }
    types[n] = '\0';
    CU_ASSERT_STRING_EQUAL(types, "TDCTDCZ");
    sl_buf_reset(out);
    const char bad[] = "SELECT 1/0";
    sess_message(s, 'Q', bad, sizeof bad);
    CU_ASSERT_PTR_NOT_NULL(memmem(out->data, out->len, "SERROR", 7));
    CU_ASSERT_PTR_NOT_NULL(memmem(out->data, out->len, "C22012", 7));
    sl_buf_reset(out);
    CU_ASSERT_EQUAL(sess_message(s, 'X', "", 0), SESS_CLOSE);
    sess_free(s);
}

static void test_session_fuzz(void)
{
    srand(12345);
    const char types[] = "QPBDESCHdcfpXzv\x01";
    for (int round = 0; round < 2000; round++) {
        Session *s = started();
        for (int k = 0; k < 5; k++) {
            char body[64];
            size_t len = (size_t)(rand() % (int)sizeof body);
            for (size_t i = 0; i < len; i++)
                body[i] = (char)(rand() % 3 == 0 ? 0 : rand());
            char t = types[rand() % (int)(sizeof types - 1)];
            if (sess_message(s, t, body, len) == SESS_CLOSE)
                break;
        }
        sess_free(s);
    }
    /* random startup packets */
    for (int round = 0; round < 2000; round++) {
        SessionConfig cfg = {.peer = "fuzz"};
        Session *s = sess_new(&srv, &cfg);
        char body[64];
        size_t len = (size_t)(rand() % (int)sizeof body);
        for (size_t i = 0; i < len; i++)
            body[i] = (char)rand();
        if (len >= 4 && rand() % 2) {
            body[0] = 0;
            body[1] = 3;
            body[2] = 0;
            body[3] = 0;
        }
        sess_startup_packet(s, body, len);
        sess_free(s);
    }
    CU_ASSERT_EQUAL(atomic_load(&srv.nconnections), 0);
}

/* ------------------------------------------------- session, extended */

/* The message types in out, e.g. "12tTD" (one letter each). */
static void types_of(const SlBuf *out, char *types, size_t cap)
{
    const char *p = out->data, *end = out->data + out->len;
    size_t n = 0;
    while (p && p + 5 <= end && n + 1 < cap) {
        types[n++] = p[0];
        uint32_t len = ((uint32_t)(unsigned char)p[1] << 24) | ((uint32_t)(unsigned char)p[2] << 16) |
                       ((uint32_t)(unsigned char)p[3] << 8) | (unsigned char)p[4];
        p += 1 + len;
    }
    types[n] = '\0';
}

/* Finds field code f ('C', 'M', ...) of the first 'E' or 'N' message. */
static const char *field_of(const SlBuf *out, char type, char f)
{
    const char *p = out->data, *end = out->data + out->len;
    while (p && p + 5 <= end) {
        uint32_t len = ((uint32_t)(unsigned char)p[1] << 24) | ((uint32_t)(unsigned char)p[2] << 16) |
                       ((uint32_t)(unsigned char)p[3] << 8) | (unsigned char)p[4];
        if (p[0] == type) {
            for (const char *q = p + 5; q < p + 1 + len && *q; q += strlen(q) + 1)
                if (*q == f)
                    return q + 1;
        }
        p += 1 + len;
    }
    return "";
}

static void msg(Session *s, char type, const void *body, size_t len, SessAction want)
{
    CU_ASSERT_EQUAL(sess_message(s, type, body, len), want);
}

/* Parse name/query with no declared types. */
static void parse(Session *s, const char *name, const char *sql)
{
    SlBuf b;
    sl_buf_init(&b);
    sl_buf_append(&b, name, strlen(name) + 1);
    sl_buf_append(&b, sql, strlen(sql) + 1);
    sl_buf_put_i16(&b, 0);
    msg(s, 'P', b.data, b.len, SESS_CONTINUE);
    sl_buf_free(&b);
}

/* Bind portal to stmt with text parameters (NULL: SQL NULL) and one
 * result format code for every column. */
static void bind(Session *s, const char *portal, const char *stmt, int n, const char *const *vals, int16_t rfmt)
{
    SlBuf b;
    sl_buf_init(&b);
    sl_buf_append(&b, portal, strlen(portal) + 1);
    sl_buf_append(&b, stmt, strlen(stmt) + 1);
    sl_buf_put_i16(&b, 0);
    sl_buf_put_i16(&b, (int16_t)n);
    for (int i = 0; i < n; i++) {
        if (!vals[i]) {
            sl_buf_put_i32(&b, -1);
            continue;
        }
        sl_buf_put_i32(&b, (int32_t)strlen(vals[i]));
        sl_buf_puts(&b, vals[i]);
    }
    sl_buf_put_i16(&b, 1);
    sl_buf_put_i16(&b, rfmt);
    msg(s, 'B', b.data, b.len, SESS_CONTINUE);
    sl_buf_free(&b);
}

static void execute(Session *s, const char *portal, int32_t maxrows)
{
    SlBuf b;
    sl_buf_init(&b);
    sl_buf_append(&b, portal, strlen(portal) + 1);
    sl_buf_put_i32(&b, maxrows);
    msg(s, 'E', b.data, b.len, SESS_CONTINUE);
    sl_buf_free(&b);
}

static void sync_(Session *s)
{
    msg(s, 'S', "", 0, SESS_CONTINUE);
}

static void query(Session *s, const char *sql)
{
    msg(s, 'Q', sql, strlen(sql) + 1, SESS_CONTINUE);
}

static void test_extended_basic(void)
{
    Session *s = started();
    SlBuf *out = sess_output(s);
    char t[256];
    sl_buf_reset(out);
    parse(s, "s1", "SELECT $1::int + 1 AS n, $2 || 'x'");
    msg(s, 'D', "Ss1", 4, SESS_CONTINUE);
    sync_(s);
    types_of(out, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "1tTZ");
    /* ParameterDescription: 2 params, int4 and text */
    const char *pd = memchr(out->data, 't', out->len);
    CU_ASSERT_EQUAL_FATAL(memcmp(pd, "t\0\0\0\16\0\2\0\0\0\27\0\0\0\31", 15), 0);
    sl_buf_reset(out);

    const char *v1[2] = {"41", "a"};
    bind(s, "", "s1", 2, v1, 0);
    execute(s, "", 0);
    sync_(s);
    types_of(out, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "2DCZ");
    CU_ASSERT_PTR_NOT_NULL(memmem(out->data, out->len, "\0\0\0\2" "42\0\0\0\2ax", 12));
    CU_ASSERT_PTR_NOT_NULL(memmem(out->data, out->len, "SELECT 1", 9));
    sl_buf_reset(out);

    /* binary results: int4 as 4 bytes; Describe P carries the format */
    const char *v2[2] = {"1", NULL};
    bind(s, "p", "s1", 2, v2, 1);
    msg(s, 'D', "Pp", 3, SESS_CONTINUE);
    execute(s, "p", 0);
    sync_(s);
    types_of(out, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "2TDCZ");
    CU_ASSERT_PTR_NOT_NULL(memmem(out->data, out->len, "\0\2\0\0\0\4\0\0\0\2\377\377\377\377", 14));
    sl_buf_reset(out);

    /* duplicate names: 42P05, then everything up to Sync is skipped */
    parse(s, "s1", "SELECT 1");
    bind(s, "", "s1", 2, v1, 0);
    execute(s, "", 0);
    sync_(s);
    types_of(out, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "EZ");
    CU_ASSERT_STRING_EQUAL(field_of(out, 'E', 'C'), "42P05");
    sl_buf_reset(out);

    /* a wrong parameter count is an ERROR, not a FATAL */
    bind(s, "", "s1", 1, v1, 0);
    sync_(s);
    types_of(out, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "EZ");
    CU_ASSERT_STRING_EQUAL(field_of(out, 'E', 'S'), "ERROR");
    CU_ASSERT_STRING_EQUAL(field_of(out, 'E', 'C'), "08P01");
    sl_buf_reset(out);

    /* the unnamed statement is replaced by the next Parse; an empty query
     * gets EmptyQueryResponse; Describe of a statement without rows NoData */
    parse(s, "", "");
    bind(s, "", "", 0, NULL, 0);
    msg(s, 'D', "S", 2, SESS_CONTINUE);
    execute(s, "", 0);
    msg(s, 'C', "Ss1", 4, SESS_CONTINUE);
    msg(s, 'C', "Ss1", 4, SESS_CONTINUE); /* closing what is gone is fine */
    sync_(s);
    types_of(out, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "12tnI33Z");
    sl_buf_reset(out);
    bind(s, "", "s1", 2, v1, 0);
    sync_(s);
    CU_ASSERT_STRING_EQUAL(field_of(out, 'E', 'C'), "26000");
    sl_buf_reset(out);

    /* a truncated body is FATAL */
    msg(s, 'B', "p\0s", 3, SESS_CLOSE);
    CU_ASSERT_STRING_EQUAL(field_of(out, 'E', 'S'), "FATAL");
    CU_ASSERT_STRING_EQUAL(field_of(out, 'E', 'C'), "08P01");
    sess_free(s);
}

static void test_extended_suspend(void)
{
    Session *s = started();
    SlBuf *out = sess_output(s);
    char t[4096];
    int n;
    sl_settings_table(&n);
    sl_buf_reset(out);
    parse(s, "", "SHOW ALL");
    bind(s, "", "", 0, NULL, 0);
    execute(s, "", 2);
    execute(s, "", 2);
    execute(s, "", 0);
    execute(s, "", 0);
    sync_(s);
    types_of(out, t, sizeof t);
    /* 2 rows, suspended, 2 more, suspended, the rest, complete; then the
     * finished portal gives its completion again */
    char want[4096];
    size_t k = 0;
    want[k++] = '1';
    want[k++] = '2';
    want[k++] = 'D';
    want[k++] = 'D';
    want[k++] = 's';
    want[k++] = 'D';
    want[k++] = 'D';
    want[k++] = 's';
    for (int i = 4; i < n; i++)
        want[k++] = 'D';
    want[k++] = 'C';
    want[k++] = 'C';
    want[k++] = 'Z';
    want[k] = '\0';
    CU_ASSERT_STRING_EQUAL(t, want);
    sess_free(s);
}

/* JDBC and psycopg 3 end a failed transaction through Parse/Bind/Execute. */
static void test_failed_transaction_extended(void)
{
    Session *s = started();
    SlBuf *out = sess_output(s);
    char t[256];
    query(s, "BEGIN; SELECT 1/0");
    CU_ASSERT_EQUAL(out->data[out->len - 1], 'E');
    sl_buf_reset(out);
    parse(s, "", "SELECT 1");
    sync_(s);
    CU_ASSERT_STRING_EQUAL(field_of(out, 'E', 'C'), "25P02");
    CU_ASSERT_EQUAL(out->data[out->len - 1], 'E');
    sl_buf_reset(out);
    parse(s, "", "ROLLBACK");
    bind(s, "", "", 0, NULL, 0);
    execute(s, "", 0);
    sync_(s);
    types_of(out, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "12CZ");
    CU_ASSERT_EQUAL(out->data[out->len - 1], 'I');
    sl_buf_reset(out);
    /* BEGIN twice: a WARNING; COMMIT outside: a WARNING; both go on */
    query(s, "BEGIN; BEGIN; COMMIT; COMMIT");
    types_of(out, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "CNCCNCZ");
    CU_ASSERT_STRING_EQUAL(field_of(out, 'N', 'C'), "25001");
    sess_free(s);
}

static void test_session_statements(void)
{
    Session *s = started();
    SlBuf *out = sess_output(s);
    char t[256];
    sl_buf_reset(out);
    /* SHOW names its column as PostgreSQL does */
    query(s, "SHOW datestyle");
    CU_ASSERT_PTR_NOT_NULL(memmem(out->data, out->len, "DateStyle\0", 10));
    CU_ASSERT_PTR_NOT_NULL(memmem(out->data, out->len, "ISO, MDY", 8));
    sl_buf_reset(out);
    /* SET of a reported setting reports it again; of another does not */
    query(s, "SET application_name = 'other'");
    types_of(out, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "SCZ");
    CU_ASSERT_PTR_NOT_NULL(memmem(out->data, out->len, "application_name\0other\0", 23));
    sl_buf_reset(out);
    query(s, "SET extra_float_digits = 3");
    types_of(out, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "CZ");
    sl_buf_reset(out);
    query(s, "SHOW nonsense");
    CU_ASSERT_STRING_EQUAL(field_of(out, 'E', 'C'), "42704");
    sl_buf_reset(out);
    /* an empty query, and an error stops the rest of the message */
    query(s, "");
    types_of(out, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "IZ");
    sl_buf_reset(out);
    query(s, "SELECT 1; SELEC 2; SELECT 3");
    types_of(out, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "EZ"); /* a syntax error: nothing runs */
    CU_ASSERT_STRING_EQUAL(field_of(out, 'E', 'P'), "11");
    sl_buf_reset(out);
    query(s, "SELECT 1; SELECT 1/0; SELECT 3");
    types_of(out, t, sizeof t);
    CU_ASSERT_STRING_EQUAL(t, "TDCTEZ");
    sl_buf_reset(out);
    query(s, "SELECT current_database()");
    CU_ASSERT_PTR_NOT_NULL(memmem(out->data, out->len, "\0\0\0\2" "db", 6));
    sess_free(s);
}

static Session *startup_with(const char *body, size_t len, SessAction want)
{
    SessionConfig cfg = {.peer = "test"};
    Session *s = sess_new(&srv, &cfg);
    CU_ASSERT_EQUAL(sess_startup_packet(s, body, len), want);
    return s;
}

static void test_startup_variants(void)
{
    char t[64];
    /* no user: FATAL 28000 */
    const char nouser[] = "\0\3\0\0database\0db\0\0";
    Session *s = startup_with(nouser, sizeof nouser - 1, SESS_CLOSE);
    CU_ASSERT_STRING_EQUAL(field_of(sess_output(s), 'E', 'C'), "28000");
    sess_free(s);
    /* 3.2 and a _pq_ option: NegotiateProtocolVersion (3.0, the option),
     * then the normal startup; database defaults to the user */
    const char newer[] = "\0\3\0\2user\0carol\0_pq_.foo\0bar\0\0";
    s = startup_with(newer, sizeof newer - 1, SESS_CONTINUE);
    SlBuf *out = sess_output(s);
    CU_ASSERT_EQUAL(out->data[0], 'v');
    CU_ASSERT_EQUAL(memcmp(out->data + 5, "\0\0\0\0\0\0\0\1_pq_.foo\0", 17), 0);
    CU_ASSERT_EQUAL(out->data[out->len - 1], 'I');
    sl_buf_reset(out);
    query(s, "SELECT current_database()");
    CU_ASSERT_PTR_NOT_NULL(memmem(out->data, out->len, "\0\0\0\5" "carol", 9));
    sess_free(s);
    /* startup options: settings, -c in options, unknown ones ignored */
    const char opts[] = "\0\3\0\0user\0u\0DateStyle\0iso\0options\0-c extra_float_digits=2 "
                        "--application-name=viaopt\0nosuch\0x\0\0";
    s = startup_with(opts, sizeof opts - 1, SESS_CONTINUE);
    out = sess_output(s);
    /* Sluice reads dates month first: DateStyle is canonicalized to ISO, MDY */
    CU_ASSERT_PTR_NOT_NULL(memmem(out->data, out->len, "DateStyle\0ISO, MDY\0", 19));
    CU_ASSERT_PTR_NOT_NULL(memmem(out->data, out->len, "application_name\0viaopt\0", 24));
    types_of(out, t, sizeof t);
    CU_ASSERT_EQUAL(t[0], 'R');
    CU_ASSERT_EQUAL(t[strlen(t) - 2], 'K'); /* BackendKeyData, ReadyForQuery */
    CU_ASSERT_EQUAL(t[strlen(t) - 1], 'Z');
    sl_buf_reset(out);
    query(s, "SHOW extra_float_digits");
    CU_ASSERT_PTR_NOT_NULL(memmem(out->data, out->len, "\0\0\0\1" "2", 5));
    sess_free(s);
    /* SSLRequest without a certificate: N; with one: S and START_TLS;
     * GSSENCRequest: N */
    const char ssl[] = "\x04\xd2\x16\x2f";
    s = startup_with(ssl, 4, SESS_CONTINUE);
    CU_ASSERT_EQUAL(sess_output(s)->len, 1);
    CU_ASSERT_EQUAL(sess_output(s)->data[0], 'N');
    CU_ASSERT(sess_in_startup(s));
    sess_free(s);
    SessionConfig tls = {.peer = "test", .tls_available = true};
    s = sess_new(&srv, &tls);
    CU_ASSERT_EQUAL(sess_startup_packet(s, ssl, 4), SESS_START_TLS);
    CU_ASSERT_EQUAL(sess_output(s)->data[0], 'S');
    sess_free(s);
    const char gss[] = "\x04\xd2\x16\x30";
    s = startup_with(gss, 4, SESS_CONTINUE);
    CU_ASSERT_EQUAL(sess_output(s)->data[0], 'N');
    sess_free(s);
    /* too many connections */
    int saved = srv.max_connections;
    srv.max_connections = 1;
    Session *a = started();
    const char body[] = "\0\3\0\0user\0bob\0\0";
    s = startup_with(body, sizeof body - 1, SESS_CLOSE);
    CU_ASSERT_STRING_EQUAL(field_of(sess_output(s), 'E', 'C'), "53300");
    sess_free(s);
    sess_free(a);
    srv.max_connections = saved;
    CU_ASSERT_EQUAL(atomic_load(&srv.nconnections), 0);
}

static void test_scram_checks(void)
{
    SlBuf v, reply;
    sl_buf_init(&v);
    sl_buf_init(&reply);
    scram_make_verifier("pw", 4096, &v);
    ScramState s;
    memset(&s, 0, sizeof s);
    CU_ASSERT_EQUAL_FATAL(scram_parse_verifier(v.data, &s.v), 0);
    CU_ASSERT_EQUAL(s.v.iterations, 4096);
    CU_ASSERT_EQUAL(s.v.salt_len, 16);
    /* 'p' (channel binding required) is refused: we offer no -PLUS */
    const char *p = "p=tls-server-end-point,,n=,r=abc";
    CU_ASSERT_EQUAL(scram_server_first(&s, p, strlen(p), &reply), -1);
    /* 'y' is accepted (libpq over TLS when -PLUS is not offered) */
    const char *y = "y,,n=,r=abc";
    CU_ASSERT_EQUAL(scram_server_first(&s, y, strlen(y), &reply), 0);
    CU_ASSERT_EQUAL(strncmp(reply.data, "r=abc", 5), 0);
    /* a final message with another nonce is refused */
    const char *fin = "c=eSws,r=abcWRONG,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    sl_buf_reset(&reply);
    CU_ASSERT_EQUAL(scram_server_final(&s, fin, strlen(fin), &reply), -1);
    CU_ASSERT_EQUAL(reply.len, 0);
    /* malformed client-first messages */
    const char *bad[] = {"", "n", "n,", "x,,n=,r=abc", "n,,r=abc", "n,,n=,x=1", "n,,n=,r="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ScramState t;
        memset(&t, 0, sizeof t);
        t.v = s.v;
        CU_ASSERT_EQUAL(scram_server_first(&t, bad[i], strlen(bad[i]), &reply), -1);
    }
    sl_buf_free(&v);
    sl_buf_free(&reply);
}

static void test_scram_mock(void)
{
    unsigned char key[32];
    memset(key, 7, sizeof key);
    ScramVerifier a, b, c;
    scram_mock_verifier(key, "mallory", &a);
    scram_mock_verifier(key, "mallory", &b);
    scram_mock_verifier(key, "eve", &c);
    CU_ASSERT_EQUAL(a.salt_len, 16);
    CU_ASSERT_EQUAL(a.iterations, 4096);
    CU_ASSERT_EQUAL(memcmp(a.salt, b.salt, 16), 0); /* the same every time */
    CU_ASSERT_NOT_EQUAL(memcmp(a.salt, c.salt, 16), 0);
    /* the server-first message an unknown user sees repeats its salt */
    ScramState s1, s2;
    memset(&s1, 0, sizeof s1);
    memset(&s2, 0, sizeof s2);
    s1.v = a;
    s1.fake = true;
    s2.v = a;
    s2.fake = true;
    SlBuf r1, r2;
    sl_buf_init(&r1);
    sl_buf_init(&r2);
    const char *cf = "n,,n=,r=xyz";
    CU_ASSERT_EQUAL(scram_server_first(&s1, cf, strlen(cf), &r1), 0);
    CU_ASSERT_EQUAL(scram_server_first(&s2, cf, strlen(cf), &r2), 0);
    CU_ASSERT_STRING_EQUAL(strstr(r1.data, ",s="), strstr(r2.data, ",s="));
    sl_buf_free(&r1);
    sl_buf_free(&r2);
}

/* New connections go to the I/O thread with the fewest: a long-lived
 * connection X, a short one A that closes, then two COPY connections B, C
 * must not share a thread (round robin put B next to X and left one
 * thread for C). */
static void test_pick_io(void)
{
    int n[2] = {0, 0}, next = 0;
#define CONNECT(t)                            \
    do {                                      \
        t = net_pick_io(n, 2, next);          \
        n[t]++;                               \
        next = (t + 1) % 2;                   \
    } while (0)
    int x, a, b, c;
    CONNECT(x);
    CONNECT(a);
    CU_ASSERT_NOT_EQUAL(x, a);
    n[a]--; /* A closes */
    CONNECT(b);
    CU_ASSERT_NOT_EQUAL(b, x);
    CONNECT(c);
    CU_ASSERT_NOT_EQUAL(c, b);
    CU_ASSERT_EQUAL(n[0] + n[1], 3);
#undef CONNECT
    /* ties go in turn from start; the fewest wins wherever it is */
    int t3[3] = {1, 1, 1};
    CU_ASSERT_EQUAL(net_pick_io(t3, 3, 2), 2);
    CU_ASSERT_EQUAL(net_pick_io(t3, 3, 0), 0);
    int u3[3] = {2, 5, 1};
    CU_ASSERT_EQUAL(net_pick_io(u3, 3, 0), 2);
    int one[1] = {7};
    CU_ASSERT_EQUAL(net_pick_io(one, 1, 0), 0);
}

static const SlUnitTest proto_tests[] = {
    {"reader bounds", test_reader_bounds},
    {"message encoders", test_encoders},
    {"startup packet", test_startup_parse},
    {"SCRAM RFC 7677 vector", test_scram_rfc7677},
    {"SCRAM server exchange", test_scram_server},
    {"SCRAM flag, nonce and message checks", test_scram_checks},
    {"SCRAM mock salt for unknown users", test_scram_mock},
    {"connections go to the I/O thread with the fewest", test_pick_io},
    {NULL, NULL}};
SL_UNIT_SUITE("protocol", proto_tests)

static const SlUnitTest session_tests[] = {
    {"startup and simple query", test_session_startup_and_query},
    {"extended protocol", test_extended_basic},
    {"Execute with max rows suspends the portal", test_extended_suspend},
    {"failed transaction ended through the extended protocol", test_failed_transaction_extended},
    {"SET, SHOW, empty and failing queries", test_session_statements},
    {"startup packet variants", test_startup_variants},
    {"random messages never crash a session", test_session_fuzz},
    {NULL, NULL}};

__attribute__((constructor)) static void register_session(void)
{
    sl_unit_add_suite("session", session_tests, session_setup, session_teardown);
}
