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

static const SlUnitTest proto_tests[] = {
    {"reader bounds", test_reader_bounds},
    {"message encoders", test_encoders},
    {"startup packet", test_startup_parse},
    {"SCRAM RFC 7677 vector", test_scram_rfc7677},
    {"SCRAM server exchange", test_scram_server},
    {NULL, NULL}};
SL_UNIT_SUITE("protocol", proto_tests)

static const SlUnitTest session_tests[] = {
    {"startup and simple query", test_session_startup_and_query},
    {"random messages never crash a session", test_session_fuzz},
    {NULL, NULL}};

__attribute__((constructor)) static void register_session(void)
{
    sl_unit_add_suite("session", session_tests, session_setup, session_teardown);
}
