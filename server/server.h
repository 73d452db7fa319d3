/*
 * server.h — internals of server/ (sluiced): the protocol codec, SCRAM,
 * sessions and the network layer. sluiced's main() is the only user.
 *
 * Layers, bottom up:
 *   proto.c    pgwire message encoding and bounds-checked decoding (pure)
 *   scram.c    SCRAM-SHA-256 server side and verifiers (pure, OpenSSL)
 *   session.c  one connection's protocol state machine: bytes of complete
 *              messages in, bytes of replies out (no sockets)
 *   net.c      libevent: listeners, I/O threads, TLS, cancel registry
 */
#ifndef SL_SERVER_H
#define SL_SERVER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sl_common.h"
#include "sl_executor.h"
#include "sl_parser.h"

/* ------------------------------------------------------------ proto.c */

#define PG_PROTO_V3 196608
#define PG_SSL_REQUEST 80877103
#define PG_GSSENC_REQUEST 80877104
#define PG_CANCEL_REQUEST 80877102

/* A read cursor over a message body; every get checks bounds. */
typedef struct PgReader {
    const char *p;
    size_t len;
    size_t pos;
    bool bad;          /* a read went past the end or a string lacked NUL */
} PgReader;

void pg_reader_init(PgReader *r, const char *p, size_t len);
uint8_t pg_get_u8(PgReader *r);
int16_t pg_get_i16(PgReader *r);
int32_t pg_get_i32(PgReader *r);
const char *pg_get_str(PgReader *r);             /* NUL-terminated in place */
const char *pg_get_bytes(PgReader *r, size_t n);
bool pg_reader_done(const PgReader *r);          /* all consumed, nothing bad */

/* Message writers: each appends one whole message to out. */
size_t pg_begin(SlBuf *out, char type);          /* returns where the length goes */
void pg_end(SlBuf *out, size_t at);
void pg_msg_auth(SlBuf *out, int32_t code, const void *data, size_t len);
void pg_msg_param_status(SlBuf *out, const char *name, const char *value);
void pg_msg_backend_key(SlBuf *out, int32_t pid, int32_t secret);
void pg_msg_ready(SlBuf *out, char status);
void pg_msg_command_complete(SlBuf *out, const char *tag);
void pg_msg_empty_query(SlBuf *out);
void pg_msg_simple(SlBuf *out, char type);       /* ParseComplete '1', BindComplete '2', ... */
void pg_msg_error(SlBuf *out, const char *severity, const SlError *e);
void pg_msg_notice(SlBuf *out, const char *severity, const char *sqlstate, const char *message);
void pg_msg_negotiate(SlBuf *out, int32_t minor, int n, const char *const *options);
void pg_msg_row_description(SlBuf *out, int n, const ExColumn *cols, const int16_t *formats);
void pg_msg_param_description(SlBuf *out, int n, const SlType *types);
void pg_msg_data_row(SlBuf *out, int n, const SlValue *vals, const int16_t *formats);
void pg_msg_notification(SlBuf *out, int32_t pid, const char *channel, const char *payload);

/* The startup packet's name/value pairs. */
typedef struct PgStartup {
    int32_t code;
    int nparams;
    const char *names[64];
    const char *values[64];
} PgStartup;
/* Parses body (after the length word); -1 with err on a malformed packet. */
int pg_parse_startup(const char *body, size_t len, PgStartup *st, SlError *err);

/* ------------------------------------------------------------ scram.c */

typedef struct ScramVerifier {
    int iterations;
    unsigned char salt[64];
    size_t salt_len;
    unsigned char stored_key[32];
    unsigned char server_key[32];
} ScramVerifier;

/* "SCRAM-SHA-256$<iter>:<salt b64>$<StoredKey b64>:<ServerKey b64>" */
int scram_parse_verifier(const char *text, ScramVerifier *v);
/* The verifier shown for a user that has none (or a malformed one): its
 * salt is derived from key and the user name, so every attempt for that
 * user sees the same salt and iteration count, as a real user's would, and
 * nothing tells an unknown user from a wrong password. */
void scram_mock_verifier(const unsigned char key[32], const char *user, ScramVerifier *v);
/* Makes a verifier for password with a random salt. */
int scram_make_verifier(const char *password, int iterations, SlBuf *out);

typedef struct ScramState {
    int step;                   /* 0 expect client-first, 1 expect client-final, 2 done */
    bool fake;                  /* unknown user: run the exchange, then fail */
    ScramVerifier v;
    char client_first_bare[512];
    char server_first[512];
    char nonce[256];            /* client nonce + server nonce */
    char gs2_header[64];
} ScramState;

/* Server side. Each returns 0 and fills reply (the next server message
 * payload) or -1 on failure (wrong proof, malformed message). */
int scram_server_first(ScramState *s, const char *client_first, size_t len, SlBuf *reply);
int scram_server_final(ScramState *s, const char *client_final, size_t len, SlBuf *reply);
/* For tests: base64 both ways. */
void scram_b64_encode(const unsigned char *p, size_t n, SlBuf *out);
int scram_b64_decode(const char *s, size_t n, unsigned char *out, size_t cap, size_t *outlen);
/* Client-side proof computation, for tests. */
void scram_client_proof(const char *password, const unsigned char *salt, size_t salt_len, int iterations,
                        const char *auth_message, unsigned char proof[32], unsigned char server_sig[32]);

/* ---------------------------------------------------------- session.c */

typedef struct Server Server;
typedef struct Session Session;

/* What the network layer should do after a message was handled. */
typedef enum SessAction {
    SESS_CONTINUE = 0,
    SESS_CLOSE,           /* flush the output, then close */
    SESS_START_TLS        /* flush the 'S', then start the TLS handshake */
} SessAction;

typedef struct SessionConfig {
    bool is_unix;         /* arrived on the Unix socket */
    bool tls_available;   /* a certificate is configured */
    const char *peer;     /* for logs */
    /* wakes the connection's I/O thread (from any thread); the network
     * layer then calls sess_wake. NULL in tests without a network. */
    void (*wake)(void *arg);
    void *wake_arg;
} SessionConfig;

Session *sess_new(Server *srv, const SessionConfig *cfg);
/* net.c: the I/O thread a new connection goes to, given each thread's
 * connections: the fewest, ties broken from `start` on (the turn after
 * the last pick). Plain round robin let connections that come and go (a
 * client's COPY connections beside its long-lived one) land together on
 * one thread, parsing on one core while another thread idled. */
int net_pick_io(const int *nconns, int n, int start);

void sess_free(Session *s);
/* Asks the running statement to end (57014); any thread. */
void sess_cancel(Session *s);
/* Called when TLS is established on this connection. */
void sess_set_tls(Session *s, bool on);
/* Bytes to send; the network layer drains and resets it. */
SlBuf *sess_output(Session *s);
/* true while the session expects a startup-phase packet (no type byte). */
bool sess_in_startup(const Session *s);
/* Startup-phase packet: body after the length word. */
SessAction sess_startup_packet(Session *s, const char *body, size_t len);
/* A regular message. */
SessAction sess_message(Session *s, char type, const char *body, size_t len);
/* true while a COPY FROM STDIN is open: the network layer may then hand
 * a CopyData message's body over in pieces, as they arrive, with
 * sess_copy_data (the COPY parser takes bytes in chunks of any size),
 * instead of gathering the whole message first. */
bool sess_copy_in(const Session *s);
void sess_copy_data(Session *s, const char *data, size_t len);
/* The largest message body this session accepts. */
size_t sess_max_message(const Session *s);
/* A FATAL error the network layer detected (bad length, ...). */
void sess_fatal(Session *s, SlErrCode code, const char *msg);
/* Called on the I/O thread after a wake: delivers subscription changes,
 * notices a cancel. Returns true when more output is ready to be produced
 * (call again once the output has drained). */
bool sess_wake(Session *s, size_t budget);
/* true while the session streams a subscription (COPY OUT). */
bool sess_subscribing(const Session *s);

/* ------------------------------------------------------------- net.c */

struct Server {
    SlSettings *settings;        /* server-level settings */
    ExEngine *engine;
    /* authentication */
    bool auth_scram;
    char *password_file;
    unsigned char mock_key[32];  /* see scram_mock_verifier */
    /* limits */
    int max_connections;
    atomic_int nconnections;
    /* cancel registry */
    atomic_int next_pid;
    /* called on the main thread every two seconds (health checks) */
    void (*tick)(void *arg);
    void *tick_arg;
};

/* Registers a session for CancelRequest; flag is set to 1 to cancel. */
void srv_cancel_register(Server *srv, int32_t pid, int32_t secret, volatile int *flag,
                         void (*wake)(void *arg), void *wake_arg);
void srv_cancel_unregister(Server *srv, int32_t pid);
/* Looks up pid and secret; cancels when both match. */
void srv_cancel(Server *srv, int32_t pid, int32_t secret);
/* Finds user's verifier in the password file; -1 when absent. */
int srv_lookup_verifier(Server *srv, const char *user, ScramVerifier *v);

/* Runs the server until SIGINT/SIGTERM. */
int net_run(Server *srv, SlError *err);

#endif
