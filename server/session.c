/*
 * session.c — one connection's protocol state machine (PostgreSQL's
 * tcop/postgres.c in small): startup and authentication, the simple and
 * the extended query protocols, transaction status, session statements.
 * Complete messages come in; replies are appended to the output buffer.
 * Nothing here touches a socket.
 */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server.h"

typedef enum Phase { PH_STARTUP, PH_AUTH, PH_READY } Phase;

typedef struct Prepared {
    struct Prepared *next;
    char *name;
    SlArena *arena;
    const PsStmt *stmt;        /* NULL: empty query */
    ExPlan *plan;              /* engine statements */
    SlType *params;
    int nparams;
    const ExColumn *cols;
    int ncols;
} Prepared;

typedef struct Portal {
    struct Portal *next;
    char *name;
    SlArena *arena;
    Prepared *prep;
    SlValue *params;
    int16_t *formats;          /* per result column */
    bool executed;
    SlBuf rows;                /* encoded DataRow messages */
    size_t *offs;              /* start of each row in rows */
    int64_t nrows, cap, next_row;
    char tag[64];
} Portal;

struct Session {
    Server *srv;
    SessionConfig cfg;
    bool tls;
    Phase phase;
    SlBuf out;
    SlSettings *settings;
    char *user;
    char *database;
    int32_t pid, secret;
    volatile int cancel;
    char txn;                  /* 'I', 'T', 'E' */
    bool skip_to_sync;         /* extended protocol, after an error */
    bool counted;              /* counts toward max_connections */
    ScramState scram;
    Prepared *stmts;
    Portal *portals;
    SlArena *msg_arena;        /* reset for every message */
    ExContext ctx;
    ExCopyIn *copy;            /* in COPY FROM STDIN */
    ExSubscription *sub;       /* in COPY (SUBSCRIBE ...) TO STDOUT */
    struct Cursor {
        char *name;
        ExSubscription *sub;
        ExColumn *cols;        /* progress, diff, then the view's */
        int ncols;
        SlBuf pending;         /* lines polled but not fetched yet */
        size_t pos;
        bool hold;             /* WITH HOLD: survives the transaction */
    } *cursors;
    int ncursors;
    struct Listen {
        char *channel;
        ExSubscription *sub;   /* NULL: not a view, never notified */
    } *listens;
    int nlistens;
    bool copy_failed;          /* an error was sent; wait for CopyDone/Fail */
    bool copy_extended;        /* started by Execute: ReadyForQuery waits for Sync */
};

/* ----------------------------------------------------------- lifecycle */

Session *sess_new(Server *srv, const SessionConfig *cfg)
{
    Session *s = sl_calloc(1, sizeof *s);
    s->srv = srv;
    s->cfg = *cfg;
    s->cfg.peer = sl_xstrdup(cfg->peer ? cfg->peer : "?");
    s->phase = PH_STARTUP;
    sl_buf_init(&s->out);
    s->settings = sl_settings_new(srv->settings);
    s->txn = 'I';
    s->msg_arena = sl_arena_new(0);
    return s;
}

static void portal_free(Portal *p)
{
    sl_buf_free(&p->rows);
    free(p->offs);
    sl_arena_free(p->arena);
    free(p);
}

static void prepared_free(Prepared *p)
{
    sl_arena_free(p->arena);
    free(p);
}

static void drop_portals_of(Session *s, Prepared *prep)
{
    Portal **pp = &s->portals;
    while (*pp) {
        if (!prep || (*pp)->prep == prep) {
            Portal *dead = *pp;
            *pp = dead->next;
            portal_free(dead);
        } else {
            pp = &(*pp)->next;
        }
    }
}

static void drop_all_statements(Session *s)
{
    drop_portals_of(s, NULL);
    while (s->stmts) {
        Prepared *p = s->stmts;
        s->stmts = p->next;
        prepared_free(p);
    }
}

static void cursor_close(Session *s, int i)
{
    struct Cursor *c = &s->cursors[i];
    ex_unsubscribe(c->sub);
    for (int k = 0; k < c->ncols; k++)
        free((char *)c->cols[k].name);
    free(c->cols);
    free(c->name);
    sl_buf_free(&c->pending);
    s->cursors[i] = s->cursors[--s->ncursors];
}

void sess_free(Session *s)
{
    if (!s)
        return;
    if (s->pid)
        srv_cancel_unregister(s->srv, s->pid);
    if (s->counted)
        atomic_fetch_sub(&s->srv->nconnections, 1);
    drop_all_statements(s);
    ex_copy_abort(s->copy);
    ex_unsubscribe(s->sub);
    for (int i = 0; i < s->nlistens; i++) {
        ex_unsubscribe(s->listens[i].sub);
        free(s->listens[i].channel);
    }
    free(s->listens);
    while (s->ncursors)
        cursor_close(s, 0);
    free(s->cursors);
    sl_settings_free(s->settings);
    sl_buf_free(&s->out);
    sl_arena_free(s->msg_arena);
    free(s->user);
    free(s->database);
    free((char *)s->cfg.peer);
    free(s);
}

void sess_cancel(Session *s)
{
    s->cancel = 1;
}

void sess_set_tls(Session *s, bool on)
{
    s->tls = on;
}

SlBuf *sess_output(Session *s)
{
    return &s->out;
}

bool sess_in_startup(const Session *s)
{
    return s->phase == PH_STARTUP;
}

size_t sess_max_message(const Session *s)
{
    return (size_t)sl_settings_get_int(s->srv->settings, "max_message_size");
}

void sess_fatal(Session *s, SlErrCode code, const char *msg)
{
    SlError e;
    sl_error(&e, code, "%s", msg);
    pg_msg_error(&s->out, "FATAL", &e);
}

static SessAction fatal(Session *s, SlError *e)
{
    pg_msg_error(&s->out, "FATAL", e);
    return SESS_CLOSE;
}

static void send_error(Session *s, SlError *e)
{
    pg_msg_error(&s->out, "ERROR", e);
    if (s->txn == 'T')
        s->txn = 'E';
}

/* -------------------------------------------------------------- startup */

static void report_all(Session *s)
{
    int n;
    const SlSetting *tab = sl_settings_table(&n);
    for (int i = 0; i < n; i++)
        if (tab[i].flags & SL_SETF_REPORT)
            pg_msg_param_status(&s->out, tab[i].name, sl_settings_get(s->settings, tab[i].name));
}

static SessAction finish_startup(Session *s)
{
    pg_msg_auth(&s->out, 0, NULL, 0);
    report_all(s);
    s->pid = atomic_fetch_add(&s->srv->next_pid, 1);
    int32_t secret = 0;
    RAND_bytes((unsigned char *)&secret, sizeof secret);
    s->secret = secret;
    srv_cancel_register(s->srv, s->pid, s->secret, &s->cancel, s->cfg.wake, s->cfg.wake_arg);
    pg_msg_backend_key(&s->out, s->pid, s->secret);
    pg_msg_ready(&s->out, 'I');
    s->phase = PH_READY;
    s->ctx.database = s->database;
    s->ctx.user = s->user;
    s->ctx.settings = s->settings;
    s->ctx.backend_pid = s->pid;
    sl_debug("session %d: %s@%s from %s%s", s->pid, s->user, s->database, s->cfg.peer, s->tls ? " (TLS)" : "");
    return SESS_CONTINUE;
}

/* -c name=value and --name=value in the startup packet's options */
static void apply_options(Session *s, const char *opts)
{
    char *copy = sl_xstrdup(opts);
    char *save = NULL;
    bool want_value = false;
    for (char *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        if (!strcmp(tok, "-c")) {
            want_value = true;
            continue;
        }
        char *kv = tok;
        if (!strncmp(kv, "--", 2))
            kv += 2;
        else if (!strncmp(kv, "-c", 2))
            kv += 2;
        else if (!want_value)
            continue;
        want_value = false;
        char *eq = strchr(kv, '=');
        if (!eq)
            continue;
        *eq = '\0';
        for (char *p = kv; *p; p++)
            if (*p == '-')
                *p = '_';
        sl_settings_set(s->settings, kv, eq + 1, SL_CTX_SESSION, NULL);
    }
    free(copy);
}

SessAction sess_startup_packet(Session *s, const char *body, size_t len)
{
    PgStartup st;
    SlError e;
    if (pg_parse_startup(body, len, &st, &e) < 0)
        return fatal(s, &e);
    if (st.code == PG_SSL_REQUEST) {
        if (s->tls || s->cfg.is_unix || !s->cfg.tls_available) {
            sl_buf_putc(&s->out, 'N');
            return SESS_CONTINUE;
        }
        sl_buf_putc(&s->out, 'S');
        return SESS_START_TLS;
    }
    if (st.code == PG_GSSENC_REQUEST) {
        sl_buf_putc(&s->out, 'N');
        return SESS_CONTINUE;
    }
    if (st.code == PG_CANCEL_REQUEST) {
        PgReader r;
        pg_reader_init(&r, body, len);
        pg_get_i32(&r);
        int32_t pid = pg_get_i32(&r), secret = pg_get_i32(&r);
        if (pg_reader_done(&r))
            srv_cancel(s->srv, pid, secret);
        return SESS_CLOSE;
    }
    /* StartupMessage */
    const char *unsupported[64];
    int nunsup = 0;
    const char *user = NULL, *database = NULL;
    for (int i = 0; i < st.nparams; i++) {
        const char *n = st.names[i], *v = st.values[i];
        if (!strcmp(n, "user"))
            user = v;
        else if (!strcmp(n, "database"))
            database = v;
        else if (!strncmp(n, "_pq_.", 5))
            unsupported[nunsup++] = n;
        else if (!strcmp(n, "options"))
            apply_options(s, v);
        else if (!strcmp(n, "replication"))
            continue;
        else
            sl_settings_set(s->settings, n, v, SL_CTX_SESSION, NULL); /* unknown ones are ignored */
    }
    if (!user || !*user) {
        sl_error(&e, SL_E_INVALID_AUTHORIZATION, "no PostgreSQL user name specified in startup packet");
        return fatal(s, &e);
    }
    s->user = sl_xstrdup(user);
    s->database = sl_xstrdup(database && *database ? database : user);
    if ((st.code & 0xffff) > 0 || nunsup > 0)
        pg_msg_negotiate(&s->out, 0, nunsup, unsupported);
    if (!s->cfg.is_unix && !s->tls && sl_settings_get_bool(s->srv->settings, "tls_required")) {
        sl_error(&e, SL_E_INVALID_AUTHORIZATION,
                 "connection refused for host \"%s\", user \"%s\", database \"%s\", no encryption: this server "
                 "requires TLS (tls_required)",
                 s->cfg.peer, s->user, s->database);
        sl_error_hint(&e, "Connect with sslmode=require.");
        return fatal(s, &e);
    }
    int now = atomic_fetch_add(&s->srv->nconnections, 1) + 1;
    s->counted = true;
    if (now > s->srv->max_connections) {
        sl_error(&e, SL_E_TOO_MANY_CONNECTIONS, "sorry, too many clients already");
        return fatal(s, &e);
    }
    if (!s->cfg.is_unix && s->srv->auth_scram) {
        memset(&s->scram, 0, sizeof s->scram);
        if (srv_lookup_verifier(s->srv, s->user, &s->scram.v) < 0) {
            scram_mock_verifier(s->srv->mock_key, s->user, &s->scram.v);
            s->scram.fake = true;
        }
        static const char mech[] = "SCRAM-SHA-256\0";
        pg_msg_auth(&s->out, 10, mech, sizeof mech);
        s->phase = PH_AUTH;
        return SESS_CONTINUE;
    }
    return finish_startup(s);
}

static SessAction auth_failed(Session *s)
{
    SlError e;
    sl_error(&e, SL_E_INVALID_PASSWORD, "password authentication failed for user \"%s\"", s->user);
    sl_log(SL_LOG_INFO, "password authentication failed for user \"%s\" from %s", s->user, s->cfg.peer);
    return fatal(s, &e);
}

static SessAction auth_message(Session *s, char type, const char *body, size_t len)
{
    SlError e;
    if (type != 'p') {
        sl_error(&e, SL_E_PROTOCOL_VIOLATION, "expected SASL response, got message type %d", type);
        return fatal(s, &e);
    }
    PgReader r;
    pg_reader_init(&r, body, len);
    SlBuf reply;
    sl_buf_init(&reply);
    SessAction act = SESS_CONTINUE;
    if (s->scram.step == 0) {
        const char *mech = pg_get_str(&r);
        int32_t n = pg_get_i32(&r);
        const char *data = n >= 0 ? pg_get_bytes(&r, (size_t)n) : NULL;
        if (r.bad || !data) {
            sl_error(&e, SL_E_PROTOCOL_VIOLATION, "malformed SASLInitialResponse message");
            act = fatal(s, &e);
        } else if (strcmp(mech, "SCRAM-SHA-256") != 0) {
            sl_error(&e, SL_E_PROTOCOL_VIOLATION, "client selected an invalid SASL authentication mechanism");
            act = fatal(s, &e);
        } else if (scram_server_first(&s->scram, data, (size_t)n, &reply) < 0) {
            act = auth_failed(s);
        } else {
            pg_msg_auth(&s->out, 11, reply.data, reply.len);
        }
    } else {
        if (scram_server_final(&s->scram, body, len, &reply) < 0) {
            act = auth_failed(s);
        } else {
            pg_msg_auth(&s->out, 12, reply.data, reply.len);
            act = finish_startup(s);
        }
    }
    sl_buf_free(&reply);
    return act;
}

/* -------------------------------------------------- session statements */

static bool is_session_stmt(PsStmtKind k)
{
    switch (k) {
    case PS_S_EMPTY: case PS_S_SET: case PS_S_SHOW: case PS_S_RESET: case PS_S_BEGIN: case PS_S_COMMIT:
    case PS_S_ROLLBACK: case PS_S_DISCARD: case PS_S_LISTEN: case PS_S_UNLISTEN:
    case PS_S_DECLARE: case PS_S_FETCH: case PS_S_CLOSE:
        return true;
    default:
        return false;
    }
}

static const ExColumn show_all_cols[] = {{"name", SL_T_TEXT}, {"setting", SL_T_TEXT}, {"description", SL_T_TEXT}};

/* Columns of a session statement (for Describe and RowDescription). */
static const ExColumn *session_columns(Session *s, const PsStmt *st, SlArena *a, int *n)
{
    *n = 0;
    if (st->kind == PS_S_FETCH) {
        for (int i = 0; i < s->ncursors; i++)
            if (!strcmp(s->cursors[i].name, st->name)) {
                *n = s->cursors[i].ncols;
                return s->cursors[i].cols;
            }
        return NULL;
    }
    if (st->kind != PS_S_SHOW)
        return NULL;
    if (st->all) {
        *n = 3;
        return show_all_cols;
    }
    ExColumn *c = sl_alloc0(a, sizeof *c);
    const SlSetting *set = sl_setting_find(st->name);
    /* named as PostgreSQL names it: SHOW datestyle gives a "DateStyle" column */
    c->name = sl_strdup(a, set ? set->name : st->name);
    c->type = SL_T_TEXT;
    (void)s;
    *n = 1;
    return c;
}

typedef struct RowTarget {
    SlBuf *buf;
    const int16_t *formats;
    Portal *portal;            /* record row offsets when set */
    int64_t rows;
} RowTarget;

static void emit_row(RowTarget *t, const SlValue *vals, int n)
{
    if (t->portal) {
        Portal *p = t->portal;
        if (p->nrows == p->cap) {
            p->cap = p->cap ? p->cap * 2 : 64;
            p->offs = sl_realloc(p->offs, sizeof(size_t) * (size_t)p->cap);
        }
        p->offs[p->nrows++] = t->buf->len;
    }
    pg_msg_data_row(t->buf, n, vals, t->formats);
    t->rows++;
}

static int sink_row(void *ctx, const SlValue *vals, int n, SlError *err)
{
    RowTarget *t = ctx;
    (void)err;
    emit_row(t, vals, n);
    return 0;
}

static void value_text(const PsExpr *v, SlBuf *out)
{
    if (v->kind == PS_E_COLUMN) {
        sl_buf_puts(out, v->name);
    } else if (v->kind == PS_E_UNARY && v->left) {
        sl_buf_putc(out, '-');
        value_text(v->left, out);
    } else if (v->kind == PS_E_CONST && v->value.type == SL_T_BOOL && !v->value.isnull) {
        sl_buf_puts(out, v->value.u.b ? "on" : "off");
    } else if (v->kind == PS_E_CONST) {
        sl_value_out(&v->value, out);
    }
}

/* The end of a transaction closes its cursors (not those WITH HOLD). */
static void close_transaction_cursors(Session *s)
{
    for (int i = 0; i < s->ncursors;) {
        if (!s->cursors[i].hold)
            cursor_close(s, i);
        else
            i++;
    }
}

/* Splits one COPY text line into DataRow fields (text format). */
static void line_to_row(const char *line, size_t n, RowTarget *t, int ncols, SlArena *a)
{
    SlValue *vals = sl_alloc(a, sizeof(SlValue) * (size_t)ncols);
    size_t i = 0;
    for (int col = 0; col < ncols; col++) {
        SlBuf f;
        sl_buf_init(&f);
        size_t start = i;
        while (i < n && line[i] != '\t') {
            if (line[i] == '\\' && i + 1 < n) {
                char c = line[++i];
                sl_buf_putc(&f, c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c);
            } else {
                sl_buf_putc(&f, line[i]);
            }
            i++;
        }
        if (i - start == 2 && line[start] == '\\' && line[start + 1] == 'N')
            vals[col] = sl_val_null(SL_T_TEXT);
        else
            vals[col] = sl_val_text(sl_strndup(a, f.data ? f.data : "", f.len), f.len);
        sl_buf_free(&f);
        if (i < n)
            i++;
    }
    emit_row(t, vals, ncols);
}

static int fetch_cursor(Session *s, const PsStmt *st, RowTarget *t, char tag[64], SlError *e)
{
    struct Cursor *c = NULL;
    for (int i = 0; i < s->ncursors; i++)
        if (!strcmp(s->cursors[i].name, st->name))
            c = &s->cursors[i];
    if (!c)
        return sl_error(e, SL_E_INVALID_CURSOR_NAME, "cursor \"%s\" does not exist", st->name);
    int64_t timeout_ms = -1; /* wait for the first row without limit */
    for (int i = 0; i < PS_LIST_LEN(st->options); i++) {
        const PsOption *o = st->options->items[i];
        if (strcmp(o->name, "timeout") || !o->value || o->value->kind != PS_E_CONST || o->value->value.isnull)
            return sl_error(e, SL_E_INVALID_PARAMETER_VALUE, "FETCH supports WITH (timeout = '1s') only");
        SlBuf v;
        sl_buf_init(&v);
        sl_value_out(&o->value->value, &v);
        int rc = sl_parse_duration_ms(v.data ? v.data : "", &timeout_ms, e);
        sl_buf_free(&v);
        if (rc < 0)
            return -1;
    }
    int64_t want = st->all || st->fetch_count < 0 ? INT64_MAX : st->fetch_count;
    int64_t deadline = sl_now_usec() + (timeout_ms < 0 ? INT64_MAX / 4 : timeout_ms * 1000);
    int64_t got = 0;
    for (;;) {
        if (c->pos >= c->pending.len) {
            sl_buf_reset(&c->pending);
            c->pos = 0;
            if (ex_subscription_poll(c->sub, &c->pending, 1 << 20, e) < 0)
                return -1;
        }
        while (c->pos < c->pending.len && got < want) {
            const char *line = c->pending.data + c->pos;
            const char *nl = memchr(line, '\n', c->pending.len - c->pos);
            size_t n = nl ? (size_t)(nl - line) : c->pending.len - c->pos;
            line_to_row(line, n, t, c->ncols, s->msg_arena);
            c->pos += n + 1;
            got++;
        }
        /* FETCH returns what is there; it waits only while there is nothing */
        if (got > 0 || got >= want || sl_now_usec() >= deadline)
            break;
        if (s->cancel)
            return sl_error(e, SL_E_QUERY_CANCELED, "canceling statement due to user request");
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    snprintf(tag, 64, "FETCH %lld", (long long)got);
    return 0;
}

/* Runs a session statement; rows go to t. */
static int run_session_stmt(Session *s, const PsStmt *st, RowTarget *t, char tag[64], SlError *e)
{
    switch (st->kind) {
    case PS_S_EMPTY:
        tag[0] = '\0';
        return 0;
    case PS_S_SET: {
        snprintf(tag, 64, "SET");
        if (!st->name)
            return 0; /* SET TRANSACTION ...: accepted */
        const char *name = st->name;
        if (!strcmp(name, "timezone"))
            name = "TimeZone";
        const SlSetting *def = sl_setting_find(name);
        char before[256] = "";
        if (def)
            snprintf(before, sizeof before, "%s", sl_settings_get(s->settings, def->name));
        int rc;
        if (st->set_default) {
            rc = sl_settings_reset(s->settings, name, e);
        } else {
            SlBuf v;
            sl_buf_init(&v);
            for (int i = 0; i < PS_LIST_LEN(st->values); i++) {
                if (i)
                    sl_buf_puts(&v, ", ");
                value_text(st->values->items[i], &v);
            }
            rc = sl_settings_set(s->settings, name, v.data ? v.data : "", SL_CTX_SESSION, e);
            sl_buf_free(&v);
        }
        if (rc < 0)
            return -1;
        if (def && (def->flags & SL_SETF_REPORT) && strcmp(before, sl_settings_get(s->settings, def->name)))
            pg_msg_param_status(t->buf, def->name, sl_settings_get(s->settings, def->name));
        return 0;
    }
    case PS_S_RESET:
        snprintf(tag, 64, "RESET");
        return sl_settings_reset(s->settings, st->all ? "all" : st->name, e);
    case PS_S_SHOW: {
        snprintf(tag, 64, "SHOW");
        if (st->all) {
            int n;
            const SlSetting *tab = sl_settings_table(&n);
            for (int i = 0; i < n; i++) {
                const char *v = (tab[i].flags & SL_SETF_SECRET) ? "********" : sl_settings_get(s->settings, tab[i].name);
                SlValue row[3] = {sl_val_text(tab[i].name, strlen(tab[i].name)), sl_val_text(v, strlen(v)),
                                  sl_val_text(tab[i].help, strlen(tab[i].help))};
                emit_row(t, row, 3);
            }
            return 0;
        }
        const char *name = !strcmp(st->name, "timezone") ? "TimeZone" : st->name;
        const char *v = sl_settings_get(s->settings, name);
        if (!v)
            return sl_error(e, SL_E_UNDEFINED_OBJECT, "unrecognized configuration parameter \"%s\"", st->name);
        const SlSetting *def = sl_setting_find(name);
        if (def->flags & SL_SETF_SECRET)
            v = "********";
        SlValue row = sl_val_text(v, strlen(v));
        emit_row(t, &row, 1);
        return 0;
    }
    case PS_S_BEGIN:
        snprintf(tag, 64, "BEGIN");
        if (s->txn != 'I')
            pg_msg_notice(t->buf, "WARNING", "25001", "there is already a transaction in progress");
        else
            s->txn = 'T';
        return 0;
    case PS_S_COMMIT:
        close_transaction_cursors(s);
        if (s->txn == 'I')
            pg_msg_notice(t->buf, "WARNING", "25P01", "there is no transaction in progress");
        snprintf(tag, 64, s->txn == 'E' ? "ROLLBACK" : "COMMIT");
        s->txn = 'I';
        return 0;
    case PS_S_ROLLBACK:
        close_transaction_cursors(s);
        if (s->txn == 'I')
            pg_msg_notice(t->buf, "WARNING", "25P01", "there is no transaction in progress");
        snprintf(tag, 64, "ROLLBACK");
        s->txn = 'I';
        return 0;
    case PS_S_DISCARD:
        if (s->txn != 'I')
            return sl_error(e, SL_E_ACTIVE_TRANSACTION, "DISCARD ALL cannot run inside a transaction block");
        snprintf(tag, 64, "DISCARD ALL");
        sl_settings_reset(s->settings, "all", NULL);
        for (int i = 0; i < s->nlistens; i++) {
            ex_unsubscribe(s->listens[i].sub);
            free(s->listens[i].channel);
        }
        s->nlistens = 0;
        return 0;
    case PS_S_DECLARE: {
        snprintf(tag, 64, "DECLARE CURSOR");
        if (!st->inner || st->inner->kind != PS_S_SUBSCRIBE)
            return sl_error(e, SL_E_FEATURE_NOT_SUPPORTED, "DECLARE supports SUBSCRIBE cursors only");
        if (st->inner->as_of || PS_LIST_LEN(st->inner->options))
            return sl_error(e, SL_E_FEATURE_NOT_SUPPORTED, "SUBSCRIBE options and AS OF are not supported yet");
        for (int i = 0; i < s->ncursors; i++)
            if (!strcmp(s->cursors[i].name, st->name))
                return sl_error(e, SL_E_DUPLICATE_CURSOR, "cursor \"%s\" already exists", st->name);
        if (!s->cfg.wake)
            return sl_error(e, SL_E_FEATURE_NOT_SUPPORTED, "subscriptions need a network connection");
        if (s->txn == 'I' && !st->with_hold)
            return sl_error(e, SL_E_NO_ACTIVE_TRANSACTION, "DECLARE CURSOR can only be used in transaction blocks");
        ExSubscription *sub;
        const ExColumn *vc;
        int nv;
        if (ex_subscribe_view(s->srv->engine, st->inner->name, s->cfg.wake, s->cfg.wake_arg, &sub, &vc, &nv, e) < 0)
            return -1;
        s->cursors = sl_realloc(s->cursors, sizeof *s->cursors * (size_t)(s->ncursors + 1));
        struct Cursor *c = &s->cursors[s->ncursors++];
        memset(c, 0, sizeof *c);
        c->name = sl_xstrdup(st->name);
        c->sub = sub;
        c->hold = st->with_hold;
        c->ncols = nv + 2;
        c->cols = sl_calloc((size_t)c->ncols, sizeof(ExColumn));
        c->cols[0] = (ExColumn){sl_xstrdup("progress"), SL_T_INT8};
        c->cols[1] = (ExColumn){sl_xstrdup("diff"), SL_T_INT8};
        for (int k = 0; k < nv; k++)
            c->cols[k + 2] = (ExColumn){sl_xstrdup(vc[k].name), vc[k].type};
        sl_buf_init(&c->pending);
        return 0;
    }
    case PS_S_FETCH:
        return fetch_cursor(s, st, t, tag, e);
    case PS_S_CLOSE:
        snprintf(tag, 64, "CLOSE CURSOR");
        if (st->all) {
            while (s->ncursors)
                cursor_close(s, 0);
            return 0;
        }
        for (int i = 0; i < s->ncursors; i++)
            if (!strcmp(s->cursors[i].name, st->name)) {
                cursor_close(s, i);
                return 0;
            }
        return sl_error(e, SL_E_INVALID_CURSOR_NAME, "cursor \"%s\" does not exist", st->name);
    case PS_S_LISTEN: {
        snprintf(tag, 64, "LISTEN");
        for (int i = 0; i < s->nlistens; i++)
            if (!strcmp(s->listens[i].channel, st->name))
                return 0;
        ExSubscription *sub = NULL;
        if (s->cfg.wake) {
            SlError ignore;
            /* a view's name: its changes arrive as notifications; any
             * other channel is accepted and stays silent */
            if (ex_listen(s->srv->engine, st->name, s->cfg.wake, s->cfg.wake_arg, &sub, &ignore) < 0)
                sub = NULL;
        }
        s->listens = sl_realloc(s->listens, sizeof *s->listens * (size_t)(s->nlistens + 1));
        s->listens[s->nlistens].channel = sl_xstrdup(st->name);
        s->listens[s->nlistens].sub = sub;
        s->nlistens++;
        return 0;
    }
    case PS_S_UNLISTEN:
        snprintf(tag, 64, "UNLISTEN");
        for (int i = 0; i < s->nlistens;) {
            if (st->all || !strcmp(s->listens[i].channel, st->name)) {
                ex_unsubscribe(s->listens[i].sub);
                free(s->listens[i].channel);
                s->listens[i] = s->listens[--s->nlistens];
            } else {
                i++;
            }
        }
        return 0;
    default:
        return sl_error(e, SL_E_INTERNAL_ERROR, "not a session statement");
    }
}

static bool aborted_ok(PsStmtKind k)
{
    return k == PS_S_COMMIT || k == PS_S_ROLLBACK;
}

static int in_failed_txn(SlError *e)
{
    return sl_error(e, SL_E_IN_FAILED_TRANSACTION,
                    "current transaction is aborted, commands ignored until end of transaction block");
}

/* ---------------------------------------------------------- simple query */

static void simple_query(Session *s, const char *sql, size_t len)
{
    SlArena *a = s->msg_arena;
    PsList *stmts;
    int maxp = 0;
    SlError e;
    if (ps_parse(sql, len, a, &stmts, &maxp, &e) < 0) {
        send_error(s, &e);
        return;
    }
    for (int i = 0; i < stmts->n; i++) {
        const PsStmt *st = stmts->items[i];
        char tag[64] = "";
        RowTarget t = {&s->out, NULL, NULL, 0};
        if (st->kind == PS_S_EMPTY) {
            if (stmts->n == 1)
                pg_msg_empty_query(&s->out);
            continue;
        }
        if (s->txn == 'E' && !aborted_ok(st->kind)) {
            in_failed_txn(&e);
            pg_msg_error(&s->out, "ERROR", &e);
            return;
        }
        s->cancel = 0;
        if (is_session_stmt(st->kind)) {
            int n;
            const ExColumn *cols = session_columns(s, st, a, &n);
            if (n)
                pg_msg_row_description(&s->out, n, cols, NULL);
            if (run_session_stmt(s, st, &t, tag, &e) < 0) {
                send_error(s, &e);
                return;
            }
        } else {
            if (maxp > 0) {
                sl_error(&e, SL_E_UNDEFINED_PARAMETER, "there is no parameter $%d", maxp);
                send_error(s, &e);
                return;
            }
            ExPlan *plan;
            if (ex_prepare(s->srv->engine, &s->ctx, st, 0, NULL, a, &plan, &e) < 0) {
                send_error(s, &e);
                return;
            }
            if (ex_plan_is_subscribe(plan)) {
                int ncols;
                if (!s->cfg.wake) {
                    sl_error(&e, SL_E_FEATURE_NOT_SUPPORTED, "subscriptions need a network connection");
                    send_error(s, &e);
                    return;
                }
                if (ex_subscribe(s->srv->engine, plan, s->cfg.wake, s->cfg.wake_arg, &s->sub, &ncols, &e) < 0) {
                    send_error(s, &e);
                    return;
                }
                size_t at = pg_begin(&s->out, 'H');
                sl_buf_put_u8(&s->out, 0);
                sl_buf_put_i16(&s->out, (int16_t)ncols);
                for (int k = 0; k < ncols; k++)
                    sl_buf_put_i16(&s->out, 0);
                pg_end(&s->out, at);
                s->cfg.wake(s->cfg.wake_arg); /* deliver the snapshot */
                return;
            }
            if (ex_plan_is_copy_in(plan)) {
                int ncols;
                if (ex_copy_begin(s->srv->engine, plan, &s->copy, &ncols, &e) < 0) {
                    send_error(s, &e);
                    return;
                }
                /* the plan lives in the message arena: the COPY keeps what it needs */
                size_t at = pg_begin(&s->out, 'G');
                sl_buf_put_u8(&s->out, 0);
                sl_buf_put_i16(&s->out, (int16_t)ncols);
                for (int k = 0; k < ncols; k++)
                    sl_buf_put_i16(&s->out, 0);
                pg_end(&s->out, at);
                s->copy_failed = false;
                s->copy_extended = false;
                return; /* statements after a COPY in the same message are not run */
            }
            int n;
            const ExColumn *cols = ex_plan_columns(plan, &n);
            if (n)
                pg_msg_row_description(&s->out, n, cols, NULL);
            ExSink sink = {&t, sink_row};
            if (ex_execute(s->srv->engine, &s->ctx, plan, NULL, a, &sink, &s->cancel, tag, &e) < 0) {
                send_error(s, &e);
                return;
            }
        }
        pg_msg_command_complete(&s->out, tag);
    }
}

/* ------------------------------------------------------- extended query */

static Prepared *find_stmt(Session *s, const char *name)
{
    for (Prepared *p = s->stmts; p; p = p->next)
        if (!strcmp(p->name, name))
            return p;
    return NULL;
}

static Portal *find_portal(Session *s, const char *name)
{
    for (Portal *p = s->portals; p; p = p->next)
        if (!strcmp(p->name, name))
            return p;
    return NULL;
}

static void close_stmt(Session *s, Prepared *p)
{
    drop_portals_of(s, p);
    for (Prepared **pp = &s->stmts; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    prepared_free(p);
}

static void close_portal(Session *s, Portal *p)
{
    for (Portal **pp = &s->portals; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    portal_free(p);
}

/* A message body that does not hold what its type says (a string without
 * its NUL, a count past the end): FATAL, the connection closes. Other
 * protocol errors (a wrong parameter count, ...) are plain ERRORs. */
#define MALFORMED (-2)
static int malformed(SlError *e, const char *what)
{
    sl_error(e, SL_E_PROTOCOL_VIOLATION, "malformed %s message", what);
    return MALFORMED;
}

static int msg_parse(Session *s, PgReader *r, SlError *e)
{
    const char *name = pg_get_str(r);
    const char *query = pg_get_str(r);
    int16_t n = pg_get_i16(r);
    if (r->bad || n < 0)
        return malformed(e, "Parse");
    SlType given[1024];
    if (n > 1024)
        return sl_error(e, SL_E_PROGRAM_LIMIT_EXCEEDED, "too many parameters");
    for (int i = 0; i < n; i++) {
        uint32_t oid = (uint32_t)pg_get_i32(r);
        if (sl_type_from_oid(oid, &given[i]) < 0)
            return sl_error(e, SL_E_FEATURE_NOT_SUPPORTED, "parameter $%d has unsupported type oid %u", i + 1, oid);
    }
    if (!pg_reader_done(r))
        return malformed(e, "Parse");
    if (*name && find_stmt(s, name))
        return sl_error(e, SL_E_DUPLICATE_PSTATEMENT, "prepared statement \"%s\" already exists", name);
    Prepared *p = sl_calloc(1, sizeof *p);
    p->arena = sl_arena_new(0);
    p->name = sl_strdup(p->arena, name);
    PsList *stmts;
    int maxp = 0;
    if (ps_parse(query, strlen(query), p->arena, &stmts, &maxp, e) < 0) {
        prepared_free(p);
        return -1;
    }
    int real = 0;
    for (int i = 0; i < stmts->n; i++)
        if (((PsStmt *)stmts->items[i])->kind != PS_S_EMPTY) {
            real++;
            p->stmt = stmts->items[i];
        }
    if (real > 1) {
        prepared_free(p);
        return sl_error(e, SL_E_SYNTAX_ERROR, "cannot insert multiple commands into a prepared statement");
    }
    /* in a failed transaction only COMMIT and ROLLBACK may be prepared
     * (JDBC and psycopg 3 end a failed transaction through Parse/Bind) */
    if (s->txn == 'E' && !(p->stmt && aborted_ok(p->stmt->kind))) {
        prepared_free(p);
        return in_failed_txn(e);
    }
    int np = n > maxp ? n : maxp;
    if (np > 1024) {
        prepared_free(p);
        return sl_error(e, SL_E_PROGRAM_LIMIT_EXCEEDED, "too many parameters");
    }
    for (int i = n; i < np; i++)
        given[i] = SL_T_UNKNOWN; /* not declared: inferred */
    if (p->stmt && !is_session_stmt(p->stmt->kind)) {
        if (ex_prepare(s->srv->engine, &s->ctx, p->stmt, np, given, p->arena, &p->plan, e) < 0) {
            prepared_free(p);
            return -1;
        }
        const SlType *pt = ex_plan_params(p->plan, &p->nparams);
        p->params = (SlType *)pt;
        p->cols = ex_plan_columns(p->plan, &p->ncols);
    } else {
        if (maxp > 0) {
            prepared_free(p);
            return sl_error(e, SL_E_UNDEFINED_PARAMETER, "there is no parameter $%d", maxp);
        }
        p->nparams = n;
        p->params = sl_alloc0(p->arena, sizeof(SlType) * (size_t)(n ? n : 1));
        for (int i = 0; i < n; i++)
            p->params[i] = given[i] == SL_T_UNKNOWN ? SL_T_TEXT : given[i];
        if (p->stmt)
            p->cols = session_columns(s, p->stmt, p->arena, &p->ncols);
    }
    if (!*name) {
        Prepared *old = find_stmt(s, "");
        if (old)
            close_stmt(s, old);
    }
    p->next = s->stmts;
    s->stmts = p;
    pg_msg_simple(&s->out, '1');
    return 0;
}

static int msg_bind(Session *s, PgReader *r, SlError *e)
{
    const char *pname = pg_get_str(r);
    const char *sname = pg_get_str(r);
    int16_t nf = pg_get_i16(r);
    if (r->bad || nf < 0)
        return malformed(e, "Bind");
    int16_t fmts[1024];
    if (nf > 1024)
        return malformed(e, "Bind");
    for (int i = 0; i < nf; i++)
        fmts[i] = pg_get_i16(r);
    int16_t np = pg_get_i16(r);
    if (r->bad || np < 0)
        return malformed(e, "Bind");
    Prepared *prep = find_stmt(s, sname);
    if (!prep)
        return sl_error(e, SL_E_INVALID_SQL_STATEMENT_NAME, "prepared statement \"%s\" does not exist", sname);
    if (s->txn == 'E' && !(prep->stmt && aborted_ok(prep->stmt->kind)))
        return in_failed_txn(e);
    if (np != prep->nparams)
        return sl_error(e, SL_E_PROTOCOL_VIOLATION,
                        "bind message supplies %d parameters, but prepared statement \"%s\" requires %d", np, sname,
                        prep->nparams);
    if (nf > 1 && nf != np)
        return sl_error(e, SL_E_PROTOCOL_VIOLATION, "bind message has %d parameter formats but %d parameters", nf, np);
    if (*pname && find_portal(s, pname))
        return sl_error(e, SL_E_DUPLICATE_CURSOR, "cursor \"%s\" already exists", pname);
    Portal *p = sl_calloc(1, sizeof *p);
    p->arena = sl_arena_new(0);
    p->name = sl_strdup(p->arena, pname);
    p->prep = prep;
    sl_buf_init(&p->rows);
    p->params = sl_alloc0(p->arena, sizeof(SlValue) * (size_t)(np ? np : 1));
    for (int i = 0; i < np; i++) {
        int32_t len = pg_get_i32(r);
        SlType t = prep->params[i] == SL_T_UNKNOWN ? SL_T_TEXT : prep->params[i];
        if (r->bad)
            break;
        if (len == -1) {
            p->params[i] = sl_val_null(t);
            continue;
        }
        const char *data = len >= 0 ? pg_get_bytes(r, (size_t)len) : NULL;
        if (!data) {
            r->bad = true;
            break;
        }
        int16_t f = nf == 0 ? 0 : nf == 1 ? fmts[0] : fmts[i];
        int rc = f == 1 ? sl_value_recv(t, data, (size_t)len, p->arena, &p->params[i], e)
                        : sl_value_in(t, data, (size_t)len, p->arena, &p->params[i], e);
        if (rc < 0) {
            if (e->code == SL_E_INVALID_BINARY_REPRESENTATION || f == 1)
                sl_error_context(e, "unnamed portal parameter $%d", i + 1);
            portal_free(p);
            return -1;
        }
    }
    int16_t nr = pg_get_i16(r);
    if (r->bad || nr < 0) {
        portal_free(p);
        return malformed(e, "Bind");
    }
    if (nr > 1 && nr != prep->ncols) {
        portal_free(p);
        return sl_error(e, SL_E_PROTOCOL_VIOLATION, "bind message has %d result formats but query has %d columns", nr,
                        prep->ncols);
    }
    p->formats = sl_alloc0(p->arena, sizeof(int16_t) * (size_t)(prep->ncols ? prep->ncols : 1));
    int16_t rf[1024];
    for (int i = 0; i < nr && i < 1024; i++)
        rf[i] = pg_get_i16(r);
    for (int i = 0; i < prep->ncols; i++)
        p->formats[i] = nr == 0 ? 0 : nr == 1 ? rf[0] : rf[i];
    if (!pg_reader_done(r)) {
        portal_free(p);
        return malformed(e, "Bind");
    }
    if (!*pname) {
        Portal *old = find_portal(s, "");
        if (old)
            close_portal(s, old);
    }
    p->next = s->portals;
    s->portals = p;
    pg_msg_simple(&s->out, '2');
    return 0;
}

static int msg_describe(Session *s, PgReader *r, SlError *e)
{
    char kind = (char)pg_get_u8(r);
    const char *name = pg_get_str(r);
    if (!pg_reader_done(r))
        return malformed(e, "Describe");
    if (kind == 'S') {
        Prepared *p = find_stmt(s, name);
        if (!p)
            return sl_error(e, SL_E_INVALID_SQL_STATEMENT_NAME, "prepared statement \"%s\" does not exist", name);
        pg_msg_param_description(&s->out, p->nparams, p->params);
        if (p->ncols)
            pg_msg_row_description(&s->out, p->ncols, p->cols, NULL);
        else
            pg_msg_simple(&s->out, 'n');
        return 0;
    }
    if (kind == 'P') {
        Portal *p = find_portal(s, name);
        if (!p)
            return sl_error(e, SL_E_INVALID_CURSOR_NAME, "portal \"%s\" does not exist", name);
        if (p->prep->ncols)
            pg_msg_row_description(&s->out, p->prep->ncols, p->prep->cols, p->formats);
        else
            pg_msg_simple(&s->out, 'n');
        return 0;
    }
    return sl_error(e, SL_E_PROTOCOL_VIOLATION, "invalid DESCRIBE message subtype %d", kind);
}

static int msg_execute(Session *s, PgReader *r, SlError *e)
{
    const char *name = pg_get_str(r);
    int32_t maxrows = pg_get_i32(r);
    if (!pg_reader_done(r))
        return malformed(e, "Execute");
    Portal *p = find_portal(s, name);
    if (!p)
        return sl_error(e, SL_E_INVALID_CURSOR_NAME, "portal \"%s\" does not exist", name);
    const PsStmt *st = p->prep->stmt;
    if (!st) {
        pg_msg_empty_query(&s->out);
        return 0;
    }
    if (s->txn == 'E' && !aborted_ok(st->kind))
        return in_failed_txn(e);
    if (!p->executed) {
        RowTarget t = {&p->rows, p->formats, p, 0};
        s->cancel = 0;
        p->executed = true;
        if (is_session_stmt(st->kind)) {
            /* notices and ParameterStatus go straight out; rows are buffered */
            RowTarget direct = {&s->out, p->formats, NULL, 0};
            if (st->kind == PS_S_SHOW) {
                if (run_session_stmt(s, st, &t, p->tag, e) < 0)
                    return -1;
            } else if (run_session_stmt(s, st, &direct, p->tag, e) < 0) {
                return -1;
            }
        } else if (ex_plan_is_copy_in(p->prep->plan)) {
            int ncols;
            if (ex_copy_begin(s->srv->engine, p->prep->plan, &s->copy, &ncols, e) < 0)
                return -1;
            size_t at = pg_begin(&s->out, 'G');
            sl_buf_put_u8(&s->out, 0);
            sl_buf_put_i16(&s->out, (int16_t)ncols);
            for (int k = 0; k < ncols; k++)
                sl_buf_put_i16(&s->out, 0);
            pg_end(&s->out, at);
            s->copy_failed = false;
            s->copy_extended = true;
            p->executed = false; /* a COPY runs once per Execute */
            return 0;
        } else {
            ExSink sink = {&t, sink_row};
            if (ex_execute(s->srv->engine, &s->ctx, p->prep->plan, p->params, p->arena, &sink, &s->cancel, p->tag,
                           e) < 0)
                return -1;
        }
    }
    int64_t end = p->nrows;
    if (maxrows > 0 && p->next_row + maxrows < p->nrows)
        end = p->next_row + maxrows;
    if (end > p->next_row) {
        size_t from = p->offs[p->next_row];
        size_t to = end < p->nrows ? p->offs[end] : p->rows.len;
        sl_buf_append(&s->out, p->rows.data + from, to - from);
        p->next_row = end;
    }
    if (p->next_row < p->nrows)
        pg_msg_simple(&s->out, 's');
    else if (p->tag[0])
        pg_msg_command_complete(&s->out, p->tag);
    else
        pg_msg_empty_query(&s->out);
    return 0;
}

static int msg_close(Session *s, PgReader *r, SlError *e)
{
    char kind = (char)pg_get_u8(r);
    const char *name = pg_get_str(r);
    if (!pg_reader_done(r))
        return malformed(e, "Close");
    if (kind == 'S') {
        Prepared *p = find_stmt(s, name);
        if (p)
            close_stmt(s, p);
    } else if (kind == 'P') {
        Portal *p = find_portal(s, name);
        if (p)
            close_portal(s, p);
    } else {
        return sl_error(e, SL_E_PROTOCOL_VIOLATION, "invalid CLOSE message subtype %d", kind);
    }
    pg_msg_simple(&s->out, '3');
    return 0;
}

/* ------------------------------------------------------- subscriptions */

bool sess_subscribing(const Session *s)
{
    return s->sub != NULL;
}

static void end_subscription(Session *s, SlError *e)
{
    ex_unsubscribe(s->sub);
    s->sub = NULL;
    send_error(s, e);
    pg_msg_ready(&s->out, s->txn);
}

/* Notifications for LISTEN on views: one per change row, JSON payload. */
static bool deliver_notifications(Session *s, size_t budget)
{
    bool more = false;
    for (int i = 0; i < s->nlistens; i++) {
        if (!s->listens[i].sub)
            continue;
        SlBuf lines;
        sl_buf_init(&lines);
        SlError e;
        if (ex_subscription_poll(s->listens[i].sub, &lines, budget, &e) < 0) {
            /* the view was dropped or we fell behind: say so once, stop */
            pg_msg_notice(&s->out, "WARNING", sl_errcode_sqlstate(e.code), e.message);
            ex_unsubscribe(s->listens[i].sub);
            s->listens[i].sub = NULL;
        }
        const char *p = lines.data, *end = lines.data + lines.len;
        while (p && p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            char *payload = sl_strndup(s->msg_arena, p, n);
            if (n > 7999)
                payload = "{\"error\":\"change too large for a notification (8000 bytes); use COPY (SUBSCRIBE ...) TO STDOUT\"}";
            pg_msg_notification(&s->out, s->pid, s->listens[i].channel, payload);
            p += n + 1;
        }
        more |= lines.len >= budget;
        sl_buf_free(&lines);
    }
    return more;
}

bool sess_wake(Session *s, size_t budget)
{
    if (!s->sub) {
        if (s->phase != PH_READY || s->copy)
            return false;
        sl_arena_reset(s->msg_arena);
        return deliver_notifications(s, budget);
    }
    SlError e;
    sl_error_clear(&e);
    if (s->cancel) {
        sl_error(&e, SL_E_QUERY_CANCELED, "canceling statement due to user request");
        end_subscription(s, &e);
        return false;
    }
    SlBuf lines;
    sl_buf_init(&lines);
    int rc = ex_subscription_poll(s->sub, &lines, budget, &e);
    /* each line is one CopyData message, as psql prints them as they come */
    const char *p = lines.data, *end = lines.data + lines.len;
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        size_t at = pg_begin(&s->out, 'd');
        sl_buf_append(&s->out, p, n);
        pg_end(&s->out, at);
        p += n;
    }
    bool more = lines.len >= budget;
    sl_buf_free(&lines);
    if (rc < 0) {
        end_subscription(s, &e);
        return false;
    }
    return more;
}

/* ----------------------------------------------------------------- COPY */

bool sess_copy_in(const Session *s)
{
    return s->copy != NULL;
}

void sess_copy_data(Session *s, const char *data, size_t len)
{
    SlError e;
    sl_error_clear(&e);
    if (!s->copy_failed && ex_copy_data(s->copy, data, len, &e) < 0) {
        send_error(s, &e);
        s->copy_failed = true;
    }
}

static SessAction copy_message(Session *s, char type, const char *body, size_t len)
{
    SlError e;
    sl_error_clear(&e);
    switch (type) {
    case 'd':
        sess_copy_data(s, body, len);
        return SESS_CONTINUE;
    case 'c': {
        char tag[64];
        if (!s->copy_failed) {
            if (ex_copy_end(s->copy, tag, &e) < 0)
                send_error(s, &e);
            else
                pg_msg_command_complete(&s->out, tag);
        } else {
            ex_copy_abort(s->copy);
        }
        s->copy = NULL;
        if (!s->copy_extended)
            pg_msg_ready(&s->out, s->txn);
        else if (s->copy_failed)
            s->skip_to_sync = true;
        return SESS_CONTINUE;
    }
    case 'f': {
        PgReader r;
        pg_reader_init(&r, body, len);
        const char *why = pg_get_str(&r);
        ex_copy_abort(s->copy);
        s->copy = NULL;
        if (!s->copy_failed) {
            sl_error(&e, SL_E_QUERY_CANCELED, "COPY from stdin failed: %s", r.bad ? "" : why);
            send_error(s, &e);
        }
        if (!s->copy_extended)
            pg_msg_ready(&s->out, s->txn);
        else
            s->skip_to_sync = true;
        return SESS_CONTINUE;
    }
    case 'H':
    case 'S':
        /* Sync and Flush during COPY are ignored, as PostgreSQL does */
        return SESS_CONTINUE;
    case 'X':
        return SESS_CLOSE;
    default:
        ex_copy_abort(s->copy);
        s->copy = NULL;
        sl_error(&e, SL_E_PROTOCOL_VIOLATION, "unexpected message type 0x%02X during COPY from stdin",
                 (unsigned char)type);
        return fatal(s, &e);
    }
}

/* ------------------------------------------------------------- dispatch */

SessAction sess_message(Session *s, char type, const char *body, size_t len)
{
    if (s->phase == PH_AUTH)
        return auth_message(s, type, body, len);
    sl_arena_reset(s->msg_arena);
    PgReader r;
    pg_reader_init(&r, body, len);
    SlError e;
    sl_error_clear(&e);
    int rc = 0;

    if (s->copy)
        return copy_message(s, type, body, len);
    if (s->sub) {
        /* while streaming a subscription a client sends nothing but Terminate */
        if (type == 'X')
            return SESS_CLOSE;
        if (type == 'S' || type == 'H')
            return SESS_CONTINUE;
        sl_error(&e, SL_E_PROTOCOL_VIOLATION, "unexpected message type 0x%02X during COPY to stdout",
                 (unsigned char)type);
        return fatal(s, &e);
    }

    /* after an error in the extended protocol, skip to Sync */
    if (s->skip_to_sync && type != 'S' && type != 'X')
        return SESS_CONTINUE;

    switch (type) {
    case 'Q': {
        const char *sql = pg_get_str(&r);
        if (!pg_reader_done(&r)) {
            sl_error(&e, SL_E_PROTOCOL_VIOLATION, "invalid string in message");
            return fatal(s, &e);
        }
        simple_query(s, sql, strlen(sql));
        if (!s->copy && !s->sub)
            pg_msg_ready(&s->out, s->txn);
        return SESS_CONTINUE;
    }
    case 'P':
        rc = msg_parse(s, &r, &e);
        break;
    case 'B':
        rc = msg_bind(s, &r, &e);
        break;
    case 'D':
        rc = msg_describe(s, &r, &e);
        break;
    case 'E':
        rc = msg_execute(s, &r, &e);
        break;
    case 'C':
        rc = msg_close(s, &r, &e);
        break;
    case 'H':
        return SESS_CONTINUE;
    case 'S':
        s->skip_to_sync = false;
        pg_msg_ready(&s->out, s->txn);
        return SESS_CONTINUE;
    case 'X':
        return SESS_CLOSE;
    case 'd': case 'c': case 'f':
        /* COPY messages outside COPY are ignored, as PostgreSQL does */
        return SESS_CONTINUE;
    default: {
        char msg[80];
        snprintf(msg, sizeof msg, "invalid frontend message type %d", (unsigned char)type);
        sl_error(&e, SL_E_PROTOCOL_VIOLATION, "%s", msg);
        return fatal(s, &e);
    }
    }
    if (rc < 0) {
        if (rc == MALFORMED)
            return fatal(s, &e);
        send_error(s, &e);
        s->skip_to_sync = true;
    }
    return SESS_CONTINUE;
}
