/*
 * main.c — sluice, the interactive client of Sluice (and of any server
 * speaking the PostgreSQL protocol), on libpq and libedit.
 *
 * Exit codes: 0 success; 1 an SQL error in -c/-f/stdin input (or a usage
 * or file error); 2 the connection could not be made or was lost; 3 an
 * error stopped a script run with -v ON_ERROR_STOP=1.
 *
 * Ctrl-C: a SIGINT handler sets a flag and, while a query runs, sends a
 * CancelRequest with PQcancel (async-signal-safe). At the prompt, our
 * libedit read function sees the interrupted read and clears the line.
 */
#include <errno.h>
#include <getopt.h>
#include <histedit.h>
#include <libpq-fe.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "config.h"
#include "sluice.h"

#define EXIT_SQL_ERROR 1
#define EXIT_CONNECTION 2
#define EXIT_SCRIPT_STOP 3

#define SLC_DEFAULT_HOST "127.0.0.1"
#define SLC_DEFAULT_PORT "6543"

/* ---- signals ------------------------------------------------------------ */

static volatile sig_atomic_t sigint_flag;
static volatile sig_atomic_t sigwinch_flag;
static volatile sig_atomic_t query_running;
static volatile sig_atomic_t cancel_quietly;
static PGcancel *volatile cancel_obj;

static void sig_write(const char *s)
{
    ssize_t r = write(STDERR_FILENO, s, strlen(s));
    (void)r;
}

static void on_sigint(int sig)
{
    int save = errno;
    (void)sig;
    sigint_flag = 1;
    if (query_running && cancel_obj) {
        char eb[256];
        if (PQcancel(cancel_obj, eb, sizeof eb)) {
            if (!cancel_quietly)
                sig_write("Cancel request sent\n");
        } else {
            sig_write("Could not send cancel request: ");
            sig_write(eb);
        }
    }
    errno = save;
}

static void on_sigwinch(int sig)
{
    (void)sig;
    sigwinch_flag = 1;
}

/* ---- the client --------------------------------------------------------- */

typedef struct Source {
    FILE *fp;         /* script input; NULL when interactive */
    const char *name; /* for "sluice:FILE:LINE:" error prefixes; NULL if none */
    int lineno;
    bool interactive;
} Source;

typedef struct Client {
    PGconn *conn;
    SlcPrintOpt popt;
    bool timing;
    bool quiet;
    bool on_error_stop;
    bool interactive;
    Source *src; /* the source being read, for COPY FROM STDIN data */
    EditLine *el;
    History *hist;
    char hist_path[PATH_MAX];
    char prompt[256];
} Client;

/* result of running one statement or meta-command */
enum { RUN_OK = 0, RUN_ERROR = 1, RUN_LOST = 2, RUN_QUIT = 4 };

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void set_cancel(Client *c)
{
    PGcancel *old = cancel_obj;
    cancel_obj = NULL;
    if (old)
        PQfreeCancel(old);
    cancel_obj = c->conn ? PQgetCancel(c->conn) : NULL;
}

/* ---- output -------------------------------------------------------------- */

static bool oid_is_numeric(Oid t)
{
    switch (t) {
    case 20: case 21: case 23: case 26: case 28: case 29: case 700: case 701:
    case 790: case 1700:
        return true;
    default:
        return false;
    }
}

/* The SQL name of a built-in type OID (the types Sluice has). */
static const char *type_name(Oid t)
{
    switch (t) {
    case 16: return "boolean";
    case 20: return "bigint";
    case 21: return "smallint";
    case 23: return "integer";
    case 25: return "text";
    case 700: return "real";
    case 701: return "double precision";
    case 1043: return "character varying";
    case 1082: return "date";
    case 1114: return "timestamp without time zone";
    case 1184: return "timestamp with time zone";
    case 1186: return "interval";
    case 1700: return "numeric";
    default: return "?";
    }
}

static void print_result_table(Client *c, const PGresult *res, const char *title,
                               bool no_footer, long max_rows)
{
    int nc = PQnfields(res);
    long nr = PQntuples(res);
    if (max_rows >= 0 && nr > max_rows)
        nr = max_rows;
    const char **names = calloc((size_t)(nc ? nc : 1), sizeof *names);
    bool *right = calloc((size_t)(nc ? nc : 1), sizeof *right);
    const char **cells = calloc((size_t)(nr * nc > 0 ? nr * nc : 1), sizeof *cells);
    for (int j = 0; j < nc; j++) {
        names[j] = PQfname(res, j);
        right[j] = oid_is_numeric(PQftype(res, j));
    }
    for (long i = 0; i < nr; i++)
        for (int j = 0; j < nc; j++)
            cells[i * nc + j] = PQgetisnull(res, (int)i, j) ? NULL : PQgetvalue(res, (int)i, j);
    SlcTable t = {.ncols = nc, .nrows = nr, .names = names, .right = right,
                  .cells = cells, .title = title};
    SlcPrintOpt o = c->popt;
    o.no_footer = no_footer;
    SlcStr out = {0};
    slc_format_table(&out, &t, &o);
    fwrite(slc_str_cstr(&out), 1, out.len, stdout);
    fflush(stdout);
    slc_str_free(&out);
    free(names);
    free(right);
    free(cells);
}

/* An error or notice result as psql shows it, with the SQLSTATE always
 * included, and LINE n plus a caret when it has a position. */
static void print_error(Client *c, const PGresult *res, const char *query)
{
    fflush(stdout);
    SlcStr out = {0};
    if (c->src && c->src->name)
        slc_str_printf(&out, "sluice:%s:%d: ", c->src->name, c->src->lineno);
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (!msg) {
        /* a client-side error (lost connection): libpq's own text */
        const char *m = PQresultErrorMessage(res);
        if (!m || !*m)
            m = PQerrorMessage(c->conn);
        slc_str_puts(&out, m);
        if (out.len && out.data[out.len - 1] != '\n')
            slc_str_putc(&out, '\n');
    } else {
        slc_str_printf(&out, "%s:  ", sev ? sev : "ERROR");
        if (state)
            slc_str_printf(&out, "%s: ", state);
        slc_str_printf(&out, "%s\n", msg);
        const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
        if (pos && query)
            slc_error_position(&out, query, atoi(pos), 0);
        const char *f;
        if ((f = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL)))
            slc_str_printf(&out, "DETAIL:  %s\n", f);
        if ((f = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT)))
            slc_str_printf(&out, "HINT:  %s\n", f);
        if ((f = PQresultErrorField(res, PG_DIAG_CONTEXT)))
            slc_str_printf(&out, "CONTEXT:  %s\n", f);
    }
    fputs(slc_str_cstr(&out), stderr);
    fflush(stderr);
    slc_str_free(&out);
}

static void notice_receiver(void *arg, const PGresult *res)
{
    (void)arg;
    fflush(stdout);
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (msg)
        fprintf(stderr, "%s:  %s\n", sev ? sev : "NOTICE", msg);
    else
        fputs(PQresultErrorMessage(res), stderr);
    const char *f;
    if ((f = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL)))
        fprintf(stderr, "DETAIL:  %s\n", f);
    if ((f = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT)))
        fprintf(stderr, "HINT:  %s\n", f);
    fflush(stderr);
}

static void print_timing(Client *c, double ms)
{
    if (c->timing)
        printf("Time: %.3f ms\n", ms);
    fflush(stdout);
}

/* ---- COPY ------------------------------------------------------------------ */

static char *source_getline(Client *c, Source *src, const char *prompt, bool *interrupted);

/* Send COPY data: from a file, or from the input source up to "\." */
static bool copy_in(Client *c, FILE *from)
{
    bool ok = true;
    const char *abort_msg = NULL;
    if (from) {
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, from)) > 0) {
            if (sigint_flag) {
                abort_msg = "canceled by user";
                break;
            }
            if (PQputCopyData(c->conn, buf, (int)n) != 1) {
                ok = false;
                break;
            }
        }
        if (ferror(from))
            abort_msg = "could not read the input file";
    } else {
        Source stdin_src = {.fp = stdin, .name = NULL};
        Source *src = c->src ? c->src : &stdin_src;
        if (src->interactive)
            printf("Enter data to be copied followed by a newline.\n"
                   "End with a backslash and a period on a line by itself, or an EOF signal.\n");
        for (;;) {
            bool intr = false;
            char *line = source_getline(c, src, ">> ", &intr);
            if (intr) {
                abort_msg = "canceled by user";
                free(line);
                break;
            }
            if (!line)
                break;
            if (!strcmp(line, "\\.\n") || !strcmp(line, "\\.")) {
                free(line);
                break;
            }
            if (PQputCopyData(c->conn, line, (int)strlen(line)) != 1)
                ok = false;
            free(line);
            if (!ok)
                break;
        }
    }
    if (PQputCopyEnd(c->conn, abort_msg) != 1)
        ok = false;
    return ok;
}

static bool copy_out(Client *c, FILE *to)
{
    char *buf;
    int n;
    while ((n = PQgetCopyData(c->conn, &buf, 0)) > 0) {
        fwrite(buf, 1, (size_t)n, to);
        PQfreemem(buf);
    }
    fflush(to);
    return n == -1;
}

/* ---- running statements ------------------------------------------------------ */

/*
 * Send sql and show every result. copy_from / copy_to are \copy's local
 * files (NULL: the input source and stdout).
 */
static int run_query(Client *c, const char *sql, FILE *copy_from, FILE *copy_to)
{
    double t0 = now_ms();
    sigint_flag = 0;
    query_running = 1;
    if (!PQsendQuery(c->conn, sql)) {
        query_running = 0;
        fflush(stdout);
        fprintf(stderr, "%s", PQerrorMessage(c->conn));
        return PQstatus(c->conn) == CONNECTION_BAD ? RUN_LOST : RUN_ERROR;
    }
    int rc = RUN_OK;
    PGresult *res;
    while ((res = PQgetResult(c->conn))) {
        switch (PQresultStatus(res)) {
        case PGRES_TUPLES_OK:
            print_result_table(c, res, NULL, false, -1);
            break;
        case PGRES_COMMAND_OK:
            if (!c->quiet) {
                printf("%s\n", PQcmdStatus(res));
                fflush(stdout);
            }
            break;
        case PGRES_EMPTY_QUERY:
            break;
        case PGRES_COPY_IN:
            if (!copy_in(c, copy_from))
                rc = RUN_ERROR;
            break;
        case PGRES_COPY_OUT:
            if (!copy_out(c, copy_to ? copy_to : stdout))
                rc = RUN_ERROR;
            break;
        default:
            print_error(c, res, sql);
            rc = RUN_ERROR;
            break;
        }
        PQclear(res);
        if (PQstatus(c->conn) == CONNECTION_BAD)
            break;
    }
    query_running = 0;
    print_timing(c, now_ms() - t0);
    if (PQstatus(c->conn) == CONNECTION_BAD) {
        fflush(stdout);
        fprintf(stderr, "sluice: the connection to the server was lost\n");
        return RUN_LOST;
    }
    return rc;
}

/* Run a query quietly and return its result (NULL with the error shown
 * unless quiet_error). */
static PGresult *exec_params(Client *c, const char *sql, const char *param)
{
    const char *vals[1] = {param};
    return PQexecParams(c->conn, sql, param ? 1 : 0, NULL, vals, NULL, NULL, 0);
}

static const char *res_error(const PGresult *res)
{
    const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    return m ? m : PQresultErrorMessage(res);
}

/* ---- meta-commands ------------------------------------------------------------ */

static void print_help(void)
{
    puts("General\n"
         "  \\q                     quit sluice\n"
         "  \\?                     show this help\n"
         "  \\g                     send the statement typed so far (without ;)\n"
         "  \\r                     clear the statement typed so far\n"
         "\n"
         "Output\n"
         "  \\x [on|off]            expanded output: one block per row\n"
         "  \\timing [on|off]       show how long each statement took\n"
         "\n"
         "Connection\n"
         "  \\conninfo              host, port, user, database and TLS of this connection\n"
         "\n"
         "Sluice\n"
         "  \\d                     list streams and materialized views\n"
         "  \\d NAME                columns, options and status of a stream or view\n"
         "  \\subscribe VIEW        live table of a view, redrawn as it changes (Ctrl-C ends)\n"
         "  \\copy NAME [(cols)] from FILE [with (format csv, header)]\n"
         "                         stream a local file into a stream (COPY FROM STDIN)\n"
         "  \\copy NAME|(query) to FILE [with (...)]\n"
         "                         write COPY TO STDOUT output to a local file\n");
}

static void print_conninfo(Client *c)
{
    const char *host = PQhost(c->conn);
    const char *db = PQdb(c->conn), *user = PQuser(c->conn), *port = PQport(c->conn);
    if (host && host[0] == '/')
        printf("You are connected to database \"%s\" as user \"%s\" via socket in \"%s\" at port \"%s\".\n",
               db, user, host, port);
    else
        printf("You are connected to database \"%s\" as user \"%s\" on host \"%s\" at port \"%s\".\n",
               db, user, host ? host : "", port);
    if (PQsslInUse(c->conn)) {
        const char *proto = PQsslAttribute(c->conn, "protocol");
        const char *cipher = PQsslAttribute(c->conn, "cipher");
        const char *bits = PQsslAttribute(c->conn, "key_bits");
        printf("TLS connection (protocol: %s, cipher: %s, bits: %s)\n",
               proto ? proto : "?", cipher ? cipher : "?", bits ? bits : "?");
    } else {
        printf("No TLS.\n");
    }
    const char *sv = PQparameterStatus(c->conn, "server_version");
    if (sv)
        printf("Server version %s.\n", sv);
    fflush(stdout);
}

static int describe_all(Client *c)
{
    PGresult *s = PQexec(c->conn, "SHOW STREAMS");
    if (PQresultStatus(s) != PGRES_TUPLES_OK) {
        fflush(stdout);
        fprintf(stderr, "\\d: this server does not list streams (SHOW STREAMS failed: %s)\n"
                        "\\d needs a Sluice server; use SQL to inspect other servers.\n",
                res_error(s));
        PQclear(s);
        return PQstatus(c->conn) == CONNECTION_BAD ? RUN_LOST : RUN_ERROR;
    }
    print_result_table(c, s, "List of streams", false, -1);
    PQclear(s);
    PGresult *v = PQexec(c->conn, "SHOW MATERIALIZED VIEWS");
    if (PQresultStatus(v) != PGRES_TUPLES_OK) {
        fflush(stdout);
        fprintf(stderr, "\\d: this server does not list views (SHOW MATERIALIZED VIEWS failed: %s)\n",
                res_error(v));
        PQclear(v);
        return RUN_ERROR;
    }
    print_result_table(c, v, "List of materialized views", false, -1);
    PQclear(v);
    return RUN_OK;
}

/* \d NAME: sluice.streams or sluice.views for the object, sluice.columns
 * for its columns (queries documented in docs/client.md). */
static int describe_one(Client *c, const char *name)
{
    static const char *const kinds[2][2] = {
        {"SELECT * FROM sluice.streams WHERE name = $1", "Stream"},
        {"SELECT * FROM sluice.views WHERE name = $1", "Materialized view"},
    };
    PGresult *obj = NULL;
    const char *kind = NULL;
    for (int k = 0; k < 2 && !kind; k++) {
        PGresult *r = exec_params(c, kinds[k][0], name);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            fflush(stdout);
            fprintf(stderr, "\\d: this server has no usable %s system view (%s)\n",
                    k ? "sluice.views" : "sluice.streams", res_error(r));
            PQclear(r);
            return PQstatus(c->conn) == CONNECTION_BAD ? RUN_LOST : RUN_ERROR;
        }
        if (PQntuples(r) > 0) {
            obj = r;
            kind = kinds[k][1];
        } else {
            PQclear(r);
        }
    }
    if (!obj) {
        fflush(stdout);
        fprintf(stderr, "Did not find any stream or view named \"%s\".\n", name);
        return RUN_ERROR;
    }
    PGresult *cols = exec_params(c,
        "SELECT name AS \"Column\", type AS \"Type\" FROM sluice.columns "
        "WHERE relation = $1 ORDER BY position", name);
    char title[512];
    snprintf(title, sizeof title, "%s \"%s\"", kind, name);
    if (PQresultStatus(cols) == PGRES_TUPLES_OK) {
        print_result_table(c, cols, title, true, -1);
    } else if (!strcmp(kind, "Stream")) {
        /* no sluice.columns: the stream's row lists its columns below */
        printf("%s\n", title);
    } else {
        /* no sluice.columns: the view's shape from a zero-row SELECT */
        PQclear(cols);
        SlcStr q = {0};
        slc_str_printf(&q, "SELECT * FROM %s LIMIT 0", name);
        cols = PQexec(c->conn, q.data);
        slc_str_free(&q);
        if (PQresultStatus(cols) == PGRES_TUPLES_OK) {
            int nc = PQnfields(cols);
            const char **cells = calloc((size_t)(nc ? nc : 1) * 2, sizeof *cells);
            for (int j = 0; j < nc; j++) {
                cells[2 * j] = PQfname(cols, j);
                cells[2 * j + 1] = type_name(PQftype(cols, j));
            }
            static const char *const hdr[] = {"Column", "Type"};
            SlcTable t = {.ncols = 2, .nrows = nc, .names = hdr, .cells = cells, .title = title};
            SlcPrintOpt o = c->popt;
            o.no_footer = true;
            SlcStr out = {0};
            slc_format_table(&out, &t, &o);
            fputs(slc_str_cstr(&out), stdout);
            slc_str_free(&out);
            free(cells);
        } else {
            printf("%s\n", title);
        }
    }
    PQclear(cols);
    /* options and status: every other column of the object's row */
    for (int j = 0; j < PQnfields(obj); j++) {
        if (!strcmp(PQfname(obj, j), "name"))
            continue;
        printf("%s: %s\n", PQfname(obj, j), PQgetisnull(obj, 0, j) ? "" : PQgetvalue(obj, 0, j));
    }
    printf("\n");
    fflush(stdout);
    PQclear(obj);
    return RUN_OK;
}

static void terminal_size(int *rows, int *cols)
{
    struct winsize ws;
    *rows = 24;
    *cols = 80;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) {
        *rows = ws.ws_row;
        *cols = ws.ws_col;
    }
}

static void draw_view(Client *c, const SlcView *v, const char *name, char *const *names,
                      const bool *right, bool tty, const char *status)
{
    const char **cells;
    long nr = slc_view_snapshot(v, right, &cells);
    int trows, tcols;
    terminal_size(&trows, &tcols);
    long show = nr;
    long room = trows - 7;
    if (tty && room < 1)
        room = 1;
    if (tty && show > room)
        show = room;
    SlcTable t = {.ncols = slc_view_ncols(v), .nrows = show,
                  .names = (const char *const *)names, .right = right, .cells = cells};
    SlcPrintOpt o = c->popt;
    o.tuples_only = false;
    o.no_footer = true;
    SlcStr out = {0};
    if (tty)
        slc_str_puts(&out, "\x1b[H\x1b[2J");
    slc_str_printf(&out, "%s: progress %lld, %ld row%s%s\n\n", name,
                   (long long)slc_view_progress(v), nr, nr == 1 ? "" : "s", status);
    slc_format_table(&out, &t, &o);
    if (show < nr)
        slc_str_printf(&out, "... %ld more row%s\n", nr - show, nr - show == 1 ? "" : "s");
    fwrite(slc_str_cstr(&out), 1, out.len, stdout);
    fflush(stdout);
    slc_str_free(&out);
    free(cells);
}

/*
 * \subscribe VIEW: column names from SELECT * FROM view LIMIT 0, then
 * COPY (SUBSCRIBE view) TO STDOUT, applying each row to a local copy and
 * redrawing at most every 100 ms, until Ctrl-C cancels the COPY.
 */
static int subscribe(Client *c, const char *view)
{
    SlcStr sql = {0};
    slc_str_printf(&sql, "SELECT * FROM %s LIMIT 0", view);
    PGresult *shape = PQexec(c->conn, sql.data);
    if (PQresultStatus(shape) != PGRES_TUPLES_OK) {
        print_error(c, shape, NULL);
        PQclear(shape);
        slc_str_free(&sql);
        return PQstatus(c->conn) == CONNECTION_BAD ? RUN_LOST : RUN_ERROR;
    }
    int nc = PQnfields(shape);
    char **names = calloc((size_t)(nc ? nc : 1), sizeof *names);
    bool *right = calloc((size_t)(nc ? nc : 1), sizeof *right);
    for (int j = 0; j < nc; j++) {
        names[j] = strdup(PQfname(shape, j));
        right[j] = oid_is_numeric(PQftype(shape, j));
    }
    PQclear(shape);

    slc_str_reset(&sql);
    slc_str_printf(&sql, "COPY (SUBSCRIBE %s) TO STDOUT", view);
    bool tty = isatty(STDOUT_FILENO);
    SlcView *v = slc_view_new(nc);
    int rc = RUN_OK;
    sigint_flag = 0;
    cancel_quietly = 1;
    query_running = 1;
    if (!PQsendQuery(c->conn, sql.data)) {
        fprintf(stderr, "%s", PQerrorMessage(c->conn));
        rc = RUN_ERROR;
        goto out;
    }
    PGresult *res = PQgetResult(c->conn);
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        print_error(c, res, sql.data);
        PQclear(res);
        while ((res = PQgetResult(c->conn)))
            PQclear(res);
        rc = RUN_ERROR;
        goto out;
    }
    PQclear(res);

    bool dirty = true, bad = false;
    double last_draw = 0;
    int sock = PQsocket(c->conn);
    for (;;) {
        char *buf;
        int n;
        while ((n = PQgetCopyData(c->conn, &buf, 1)) > 0) {
            char err[200];
            if (!slc_view_apply_line(v, buf, (size_t)n, err, sizeof err) && !bad) {
                fprintf(stderr, "\\subscribe: %s\n", err);
                bad = true;
            }
            dirty = true;
            PQfreemem(buf);
        }
        if (n < 0)
            break; /* -1: the COPY ended; -2: an error */
        double now = now_ms();
        if (dirty && now - last_draw >= 100) {
            draw_view(c, v, view, names, right, tty, "  (Ctrl-C to stop)");
            dirty = false;
            last_draw = now;
        }
        struct pollfd pfd = {.fd = sock, .events = POLLIN};
        int wait = dirty ? (int)(100 - (now - last_draw)) + 1 : 1000;
        if (poll(&pfd, 1, wait < 1 ? 1 : wait) < 0 && errno != EINTR)
            break;
        if (!PQconsumeInput(c->conn))
            break;
    }
    /* the final state, then the COPY's end: 57014 after Ctrl-C is expected */
    draw_view(c, v, view, names, right, tty, "");
    while ((res = PQgetResult(c->conn))) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_FATAL_ERROR) {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            if (!(sigint_flag && state && !strcmp(state, "57014"))) {
                print_error(c, res, sql.data);
                rc = RUN_ERROR;
            }
        }
        PQclear(res);
    }
    if (PQstatus(c->conn) == CONNECTION_BAD) {
        fprintf(stderr, "sluice: the connection to the server was lost\n");
        rc = RUN_LOST;
    }
out:
    query_running = 0;
    cancel_quietly = 0;
    slc_view_free(v);
    for (int j = 0; j < nc; j++)
        free(names[j]);
    free(names);
    free(right);
    slc_str_free(&sql);
    return rc;
}

static int run_copy_meta(Client *c, const SlcMeta *m)
{
    FILE *f = NULL;
    if (m->copy_file) {
        f = fopen(m->copy_file, m->copy_from ? "r" : "w");
        if (!f) {
            fprintf(stderr, "\\copy: %s: %s\n", m->copy_file, strerror(errno));
            return RUN_ERROR;
        }
    }
    int rc = run_query(c, m->copy_sql, m->copy_from ? (f ? f : stdin) : NULL,
                       m->copy_from ? NULL : f);
    if (f)
        fclose(f);
    return rc;
}

static int run_meta(Client *c, const char *line, SlcSplitter *sp)
{
    SlcMeta m;
    int rc = RUN_OK;
    if (!slc_meta_parse(line, &m)) {
        fflush(stdout);
        fprintf(stderr, "%s\n", m.error ? m.error : "invalid command");
        slc_meta_free(&m);
        return RUN_ERROR;
    }
    switch (m.kind) {
    case SLC_META_QUIT:
        rc = RUN_QUIT;
        break;
    case SLC_META_HELP:
        print_help();
        break;
    case SLC_META_EXPANDED:
        c->popt.expanded = m.toggle < 0 ? !c->popt.expanded : m.toggle;
        printf("Expanded display is %s.\n", c->popt.expanded ? "on" : "off");
        break;
    case SLC_META_TIMING:
        c->timing = m.toggle < 0 ? !c->timing : m.toggle;
        printf("Timing is %s.\n", c->timing ? "on" : "off");
        break;
    case SLC_META_CONNINFO:
        print_conninfo(c);
        break;
    case SLC_META_COPY:
        rc = run_copy_meta(c, &m);
        break;
    case SLC_META_DESCRIBE:
        rc = m.arg ? describe_one(c, m.arg) : describe_all(c);
        break;
    case SLC_META_SUBSCRIBE:
        rc = subscribe(c, m.arg);
        break;
    case SLC_META_GO: {
        char *stmt = slc_split_rest(sp);
        if (stmt) {
            rc = run_query(c, stmt, NULL, NULL);
            free(stmt);
        }
        break;
    }
    case SLC_META_RESET:
        slc_split_reset(sp);
        if (c->interactive)
            printf("Query buffer reset (cleared).\n");
        break;
    default:
        rc = RUN_ERROR;
    }
    fflush(stdout);
    slc_meta_free(&m);
    return rc;
}

/* ---- line input ------------------------------------------------------------ */

static bool el_interrupted;

static const char *el_prompt_text = "";

static char *prompt_fn(EditLine *el)
{
    (void)el;
    return (char *)el_prompt_text;
}

/* Read one character for libedit; an interrupted read (Ctrl-C) comes back
 * as ^C, bound to sl-interrupt, which ends the line. */
static int slc_el_getc(EditLine *el, wchar_t *wc)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    char bytes[MB_LEN_MAX];
    size_t nb = 0;
    for (;;) {
        unsigned char ch;
        ssize_t r = read(STDIN_FILENO, &ch, 1);
        if (r < 0 && errno == EINTR) {
            if (sigwinch_flag) {
                sigwinch_flag = 0;
                el_resize(el);
            }
            if (sigint_flag) {
                sigint_flag = 0;
                *wc = 3;
                return 1;
            }
            continue;
        }
        if (r <= 0)
            return r == 0 ? 0 : -1;
        bytes[nb++] = (char)ch;
        wchar_t w;
        size_t k = mbrtowc(&w, bytes, nb, &st);
        if (k == (size_t)-2 && nb < sizeof bytes)
            continue;
        if (k == (size_t)-1 || k == (size_t)-2) {
            memset(&st, 0, sizeof st);
            *wc = (wchar_t)(unsigned char)bytes[0];
            return 1;
        }
        *wc = w;
        return 1;
    }
}

static unsigned char el_on_interrupt(EditLine *el, int ch)
{
    (void)el;
    (void)ch;
    el_interrupted = true;
    return CC_NEWLINE;
}

static void editline_init(Client *c, const char *argv0)
{
    c->el = el_init(argv0, stdin, stdout, stderr);
    c->hist = history_init();
    HistEvent ev;
    history(c->hist, &ev, H_SETSIZE, 1000);
    history(c->hist, &ev, H_SETUNIQUE, 1);
    const char *hp = getenv("SLUICE_HISTORY");
    const char *home = getenv("HOME");
    if (hp)
        snprintf(c->hist_path, sizeof c->hist_path, "%s", hp);
    else if (home)
        snprintf(c->hist_path, sizeof c->hist_path, "%s/.sluice_history", home);
    if (c->hist_path[0])
        history(c->hist, &ev, H_LOAD, c->hist_path);
    el_set(c->el, EL_EDITOR, "emacs");
    el_set(c->el, EL_PROMPT, prompt_fn);
    el_set(c->el, EL_HIST, history, c->hist);
    el_set(c->el, EL_SIGNAL, 0);
    el_set(c->el, EL_GETCFN, slc_el_getc);
    el_set(c->el, EL_ADDFN, "sl-interrupt", "clear the line", el_on_interrupt);
    el_set(c->el, EL_BIND, "^C", "sl-interrupt", NULL);
    el_source(c->el, NULL);
}

static void editline_end(Client *c)
{
    if (c->hist) {
        HistEvent ev;
        if (c->hist_path[0])
            history(c->hist, &ev, H_SAVE, c->hist_path);
        history_end(c->hist);
    }
    if (c->el)
        el_end(c->el);
}

/* One line with its newline (malloc'd), or NULL at end of input.
 * *interrupted is set when Ctrl-C was pressed at the prompt. */
static char *source_getline(Client *c, Source *src, const char *prompt, bool *interrupted)
{
    *interrupted = false;
    if (src->interactive && c->el) {
        el_prompt_text = prompt;
        el_interrupted = false;
        int count = 0;
        const char *l = el_gets(c->el, &count);
        if (el_interrupted) {
            /* the line is dropped; move below it, as psql does */
            fputs("\n", stdout);
            fflush(stdout);
            *interrupted = true;
            return NULL;
        }
        if (!l || count <= 0)
            return NULL;
        src->lineno++;
        size_t n = strlen(l);
        char *line = malloc(n + 2);
        memcpy(line, l, n + 1);
        if (!n || line[n - 1] != '\n') {
            line[n] = '\n';
            line[n + 1] = '\0';
        }
        if (n > 1 || (n == 1 && l[0] != '\n')) {
            HistEvent ev;
            char *h = strndup(line, strcspn(line, "\n"));
            if (h && *h)
                history(c->hist, &ev, H_ENTER, h);
            free(h);
        }
        return line;
    }
    char *line = NULL;
    size_t cap = 0;
    errno = 0;
    ssize_t n = getline(&line, &cap, src->fp);
    if (n < 0) {
        free(line);
        if (sigint_flag)
            *interrupted = true;
        return NULL;
    }
    src->lineno++;
    return line;
}

/* ---- reading a source ---------------------------------------------------- */

static bool is_meta_line(const SlcSplitter *sp, const char *line)
{
    if (sp->state != SLC_LEX_NORMAL && sp->state != SLC_LEX_LINE_COMMENT)
        return false;
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    return *p == '\\';
}

static void make_prompt(Client *c, const SlcSplitter *sp)
{
    const char *db = PQdb(c->conn);
    if (slc_split_pending(sp))
        snprintf(c->prompt, sizeof c->prompt, "%s%c> ", db, slc_split_prompt_char(sp));
    else
        snprintf(c->prompt, sizeof c->prompt, "%s=> ", db);
}

/* Handle a statement's outcome; returns an exit code to stop with, or -1
 * to go on. */
static int after_run(Client *c, int rc, bool *had_error)
{
    if (rc == RUN_QUIT)
        return 0;
    if (rc == RUN_LOST) {
        if (c->interactive) {
            fprintf(stderr, "The connection to the server was lost. Attempting reset: ");
            PQreset(c->conn);
            if (PQstatus(c->conn) == CONNECTION_OK) {
                fprintf(stderr, "Succeeded.\n");
                set_cancel(c);
                return -1;
            }
            fprintf(stderr, "Failed.\n");
        }
        return EXIT_CONNECTION;
    }
    if (rc == RUN_ERROR) {
        *had_error = true;
        if (c->on_error_stop && !c->interactive)
            return EXIT_SCRIPT_STOP;
    }
    return -1;
}

/* Run every statement and meta-command of a source. Returns an exit code
 * to stop with, or -1 when the source ended. */
static int run_source(Client *c, Source *src, bool *had_error)
{
    SlcSplitter sp;
    slc_split_init(&sp);
    Source *outer = c->src;
    c->src = src;
    int stop = -1;
    for (;;) {
        make_prompt(c, &sp);
        bool intr = false;
        char *line = source_getline(c, src, c->prompt, &intr);
        if (intr) {
            slc_split_reset(&sp);
            sigint_flag = 0;
            continue;
        }
        if (!line)
            break;
        if (is_meta_line(&sp, line)) {
            stop = after_run(c, run_meta(c, line, &sp), had_error);
            free(line);
            if (stop >= 0)
                break;
            continue;
        }
        slc_split_feed(&sp, line, strlen(line));
        free(line);
        char *stmt;
        while ((stmt = slc_split_next(&sp))) {
            int rc = slc_split_is_empty(stmt) ? RUN_OK : run_query(c, stmt, NULL, NULL);
            free(stmt);
            stop = after_run(c, rc, had_error);
            if (stop >= 0)
                break;
        }
        if (stop >= 0)
            break;
    }
    if (stop < 0 && !src->interactive) {
        /* a last statement without ; runs at the end of a script */
        char *rest = slc_split_rest(&sp);
        if (rest) {
            stop = after_run(c, run_query(c, rest, NULL, NULL), had_error);
            free(rest);
        }
    }
    if (src->interactive && stop < 0)
        printf("\n");
    c->src = outer;
    slc_split_free(&sp);
    return stop;
}

/* -c: a meta-command, or SQL split into statements. */
static int run_command(Client *c, const char *cmd, bool *had_error)
{
    const char *p = cmd;
    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    if (*p == '\\') {
        SlcSplitter sp;
        slc_split_init(&sp);
        int stop = after_run(c, run_meta(c, p, &sp), had_error);
        slc_split_free(&sp);
        return stop;
    }
    FILE *f = fmemopen((void *)cmd, strlen(cmd), "r");
    if (!f)
        return EXIT_SQL_ERROR;
    Source src = {.fp = f, .name = NULL};
    int stop = run_source(c, &src, had_error);
    fclose(f);
    return stop;
}

/* ---- connection ------------------------------------------------------------------ */

static bool looks_like_conninfo(const char *s)
{
    return strchr(s, '=') || !strncmp(s, "postgresql://", 13) || !strncmp(s, "postgres://", 11);
}

static char *read_password(void)
{
    static char buf[256];
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return NULL;
    fputs("Password: ", tty);
    fflush(tty);
    struct termios old, quiet;
    tcgetattr(fileno(tty), &old);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    char *r = fgets(buf, sizeof buf, tty);
    tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputs("\n", tty);
    fclose(tty);
    if (!r)
        return NULL;
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf;
}

static PGconn *connect_db(const char *host, const char *port, const char *user, const char *dbname,
                          const char *conninfo, bool force_password)
{
    const char *keys[16], *vals[16];
    int n = 0;
    /* our defaults first, so a conninfo string and the options override
     * them; only when no environment variable names a host or port */
    if (!getenv("PGHOST") && !getenv("PGHOSTADDR")) {
        keys[n] = "host";
        vals[n++] = SLC_DEFAULT_HOST;
    }
    if (!getenv("PGPORT")) {
        keys[n] = "port";
        vals[n++] = SLC_DEFAULT_PORT;
    }
    keys[n] = "fallback_application_name";
    vals[n++] = "sluice";
    int dbname_idx = -1;
    if (conninfo) {
        keys[n] = "dbname";
        dbname_idx = n;
        vals[n++] = conninfo;
    }
    if (host) {
        keys[n] = "host";
        vals[n++] = host;
    }
    if (port) {
        keys[n] = "port";
        vals[n++] = port;
    }
    if (user) {
        keys[n] = "user";
        vals[n++] = user;
    }
    if (dbname) {
        keys[n] = "dbname";
        vals[n++] = dbname;
    }
    int pw_idx = n;
    keys[n] = "password";
    vals[n++] = NULL;
    keys[n] = NULL;
    vals[n] = NULL;
    (void)dbname_idx;

    char *pw = NULL;
    if (force_password) {
        pw = read_password();
        vals[pw_idx] = pw;
    }
    if (!vals[pw_idx])
        keys[pw_idx] = NULL;
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(conn) == CONNECTION_BAD && PQconnectionNeedsPassword(conn) && !pw &&
        isatty(STDIN_FILENO)) {
        PQfinish(conn);
        pw = read_password();
        if (pw) {
            keys[pw_idx] = "password";
            vals[pw_idx] = pw;
            keys[pw_idx + 1] = NULL;
        }
        conn = PQconnectdbParams(keys, vals, 1);
    }
    return conn;
}

/* ---- main ---------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "sluice, the interactive client of Sluice.\n\n"
            "Usage:\n"
            "  sluice [OPTION]... [DBNAME | CONNINFO | URI] [USERNAME]\n\n"
            "Options:\n"
            "  -h, --host=HOST          server host or socket directory (default: 127.0.0.1)\n"
            "  -p, --port=PORT          server port (default: 6543)\n"
            "  -U, --username=USER      user name\n"
            "  -d, --dbname=DBNAME      database name\n"
            "  -c, --command=COMMAND    run one command (SQL or a meta-command); repeatable\n"
            "  -f, --file=FILE          run the commands of a file (- for stdin); repeatable\n"
            "  -v, --set=NAME=VALUE     ON_ERROR_STOP=1 stops a script at its first error\n"
            "  -A, --no-align           unaligned output\n"
            "  -t, --tuples-only        rows only: no header, no footer\n"
            "  -F, --field-separator=S  separator for unaligned output (default: |)\n"
            "  -x, --expanded           expanded output\n"
            "  -q, --quiet              no command tags, no banner\n"
            "  -W, --password           ask for a password before connecting\n"
            "  -X, --no-psqlrc          accepted for psql compatibility (sluice reads no rc file)\n"
            "      --help               show this help\n"
            "      --version            show the version\n\n"
            "Exit codes: 0 success, 1 an SQL error in -c/-f/stdin input (or bad usage),\n"
            "2 no connection (or lost), 3 a script stopped by ON_ERROR_STOP.\n");
}

typedef struct Action {
    char kind; /* 'c' or 'f' */
    const char *text;
} Action;

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    static const struct option longopts[] = {
        {"host", required_argument, NULL, 'h'},
        {"port", required_argument, NULL, 'p'},
        {"username", required_argument, NULL, 'U'},
        {"dbname", required_argument, NULL, 'd'},
        {"command", required_argument, NULL, 'c'},
        {"file", required_argument, NULL, 'f'},
        {"set", required_argument, NULL, 'v'},
        {"variable", required_argument, NULL, 'v'},
        {"no-align", no_argument, NULL, 'A'},
        {"tuples-only", no_argument, NULL, 't'},
        {"field-separator", required_argument, NULL, 'F'},
        {"expanded", no_argument, NULL, 'x'},
        {"quiet", no_argument, NULL, 'q'},
        {"password", no_argument, NULL, 'W'},
        {"no-psqlrc", no_argument, NULL, 'X'},
        {"help", no_argument, NULL, 1},
        {"version", no_argument, NULL, 2},
        {NULL, 0, NULL, 0},
    };
    Client c;
    memset(&c, 0, sizeof c);
    const char *host = NULL, *port = NULL, *user = NULL, *dbname = NULL;
    bool force_password = false;
    Action *actions = calloc((size_t)argc + 1, sizeof *actions);
    int nactions = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "h:p:U:d:c:f:v:AtF:xqWX", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h': host = optarg; break;
        case 'p': port = optarg; break;
        case 'U': user = optarg; break;
        case 'd': dbname = optarg; break;
        case 'c':
        case 'f':
            actions[nactions].kind = (char)opt;
            actions[nactions++].text = optarg;
            break;
        case 'v': {
            const char *eq = strchr(optarg, '=');
            if (eq && !strncasecmp(optarg, "ON_ERROR_STOP", (size_t)(eq - optarg)) &&
                eq - optarg == 13) {
                const char *val = eq + 1;
                c.on_error_stop = !strcasecmp(val, "1") || !strcasecmp(val, "on") ||
                                  !strcasecmp(val, "true") || !strcasecmp(val, "yes");
            } else if (!strcasecmp(optarg, "ON_ERROR_STOP")) {
                c.on_error_stop = true;
            }
            /* other variables are accepted and ignored */
            break;
        }
        case 'A': c.popt.unaligned = true; break;
        case 't': c.popt.tuples_only = true; break;
        case 'F': c.popt.fieldsep = optarg; break;
        case 'x': c.popt.expanded = true; break;
        case 'q': c.quiet = true; break;
        case 'W': force_password = true; break;
        case 'X': break;
        case 1: usage(stdout); free(actions); return 0;
        case 2: printf("sluice %s\n", PACKAGE_VERSION); free(actions); return 0;
        default:
            fprintf(stderr, "Try \"sluice --help\" for more information.\n");
            free(actions);
            return EXIT_SQL_ERROR;
        }
    }
    const char *conninfo = NULL;
    if (optind < argc) {
        const char *a = argv[optind++];
        if (looks_like_conninfo(a))
            conninfo = a;
        else if (!dbname)
            dbname = a;
    }
    if (optind < argc && !user)
        user = argv[optind++];
    if (optind < argc)
        fprintf(stderr, "sluice: warning: extra command-line argument \"%s\" ignored\n", argv[optind]);

    c.conn = connect_db(host, port, user, dbname, conninfo, force_password);
    if (PQstatus(c.conn) != CONNECTION_OK) {
        fprintf(stderr, "sluice: error: %s", PQerrorMessage(c.conn));
        PQfinish(c.conn);
        free(actions);
        return EXIT_CONNECTION;
    }
    PQsetNoticeReceiver(c.conn, notice_receiver, NULL);
    set_cancel(&c);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocked read returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_sigwinch;
    sigaction(SIGWINCH, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    bool had_error = false;
    int stop = -1;
    if (nactions > 0) {
        for (int i = 0; i < nactions && stop < 0; i++) {
            if (actions[i].kind == 'c') {
                stop = run_command(&c, actions[i].text, &had_error);
            } else {
                bool is_stdin = !strcmp(actions[i].text, "-");
                FILE *f = is_stdin ? stdin : fopen(actions[i].text, "r");
                if (!f) {
                    fprintf(stderr, "sluice: error: %s: %s\n", actions[i].text, strerror(errno));
                    stop = EXIT_SQL_ERROR;
                    break;
                }
                Source src = {.fp = f, .name = is_stdin ? "<stdin>" : actions[i].text};
                stop = run_source(&c, &src, &had_error);
                if (!is_stdin)
                    fclose(f);
            }
        }
    } else if (isatty(STDIN_FILENO)) {
        c.interactive = true;
        editline_init(&c, argv[0]);
        if (!c.quiet) {
            const char *sv = PQparameterStatus(c.conn, "server_version");
            printf("sluice (%s, server %s)\nType \"\\?\" for help.\n\n", PACKAGE_VERSION,
                   sv ? sv : "?");
        }
        Source src = {.fp = stdin, .interactive = true};
        stop = run_source(&c, &src, &had_error);
        editline_end(&c);
    } else {
        Source src = {.fp = stdin, .name = NULL};
        stop = run_source(&c, &src, &had_error);
    }

    PGcancel *cc = cancel_obj;
    cancel_obj = NULL;
    if (cc)
        PQfreeCancel(cc);
    PQfinish(c.conn);
    free(actions);
    if (stop >= 0)
        return stop;
    return had_error && !c.interactive ? EXIT_SQL_ERROR : 0;
}
