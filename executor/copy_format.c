/*
 * copy_format.c — COPY FROM STDIN text and CSV formats (see ex_copy.h).
 *
 * Bytes arrive in chunks of any size. They are appended to `pending`; the
 * scanner finds complete records (a newline outside CSV quotes, not
 * escaped by a backslash in text format), converts each record's fields
 * with sl_value_in, and keeps the incomplete tail for the next chunk. The
 * scan position survives between chunks, so a long record that arrives
 * in many pieces is scanned once.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <strings.h>

#include "ex_copy.h"

/* ------------------------------------------------------------- options */

static int opt_string(const PsOption *o, SlArena *arena, char **out,
                      SlError *err)
{
    const PsExpr *v = o->value;
    if (!v)
        return sl_error_at(err, SL_E_SYNTAX_ERROR, o->location + 1,
                           "COPY option \"%s\" needs a value", o->name);
    if (v->kind == PS_E_CONST && !v->value.isnull && v->value.type == SL_T_TEXT) {
        *out = sl_strndup(arena, v->value.u.s.p, v->value.u.s.len);
        return 0;
    }
    if (v->kind == PS_E_COLUMN && v->name && !v->qualifier) {
        *out = sl_strdup(arena, v->name);
        return 0;
    }
    return sl_error_at(err, SL_E_INVALID_PARAMETER_VALUE, o->location + 1,
                       "COPY option \"%s\" requires a string value", o->name);
}

static int opt_char(const PsOption *o, SlArena *arena, char *out, SlError *err)
{
    char *s;
    if (opt_string(o, arena, &s, err) < 0)
        return -1;
    if (strlen(s) != 1)
        return sl_error_at(err, SL_E_FEATURE_NOT_SUPPORTED, o->location + 1,
                           "COPY %s must be a single one-byte character", o->name);
    *out = s[0];
    return 0;
}

static int opt_bool(const PsOption *o, bool *out, SlError *err)
{
    const PsExpr *v = o->value;
    if (!v) {
        *out = true;
        return 0;
    }
    if (v->kind == PS_E_CONST && !v->value.isnull) {
        if (v->value.type == SL_T_BOOL) {
            *out = v->value.u.b;
            return 0;
        }
        if (v->value.type == SL_T_INT4 && (v->value.u.i4 == 0 || v->value.u.i4 == 1)) {
            *out = v->value.u.i4 == 1;
            return 0;
        }
        if (v->value.type == SL_T_TEXT) {
            SlValue b;
            if (sl_value_in(SL_T_BOOL, v->value.u.s.p, v->value.u.s.len, NULL, &b, NULL) == 0) {
                *out = b.u.b;
                return 0;
            }
        }
    }
    if (v->kind == PS_E_COLUMN && v->name) {
        SlValue b;
        if (sl_value_in(SL_T_BOOL, v->name, strlen(v->name), NULL, &b, NULL) == 0) {
            *out = b.u.b;
            return 0;
        }
    }
    return sl_error_at(err, SL_E_INVALID_PARAMETER_VALUE, o->location + 1,
                       "%s requires a Boolean value", o->name);
}

int ex_copy_format_parse(const PsList *options, SlArena *arena,
                         ExCopyFormat *fmt, SlError *err)
{
    bool have_null = false, have_escape = false, have_delim = false;
    bool have_quote = false;

    memset(fmt, 0, sizeof *fmt);
    fmt->delim = '\t';
    fmt->quote = '"';
    for (int i = 0; i < PS_LIST_LEN(options); i++) {
        const PsOption *o = PS_LIST_AT(options, i);
        if (!strcmp(o->name, "format")) {
            char *f;
            if (opt_string(o, arena, &f, err) < 0)
                return -1;
            if (!strcasecmp(f, "csv"))
                fmt->csv = true;
            else if (!strcasecmp(f, "text"))
                fmt->csv = false;
            else if (!strcasecmp(f, "binary"))
                return sl_error_at(err, SL_E_FEATURE_NOT_SUPPORTED, o->location + 1,
                                   "COPY format \"binary\" is not supported");
            else
                return sl_error_at(err, SL_E_INVALID_PARAMETER_VALUE, o->location + 1,
                                   "COPY format \"%s\" not recognized", f);
        } else if (!strcmp(o->name, "csv")) {
            fmt->csv = true;
        } else if (!strcmp(o->name, "header")) {
            if (opt_bool(o, &fmt->header, err) < 0)
                return -1;
        } else if (!strcmp(o->name, "delimiter")) {
            if (opt_char(o, arena, &fmt->delim, err) < 0)
                return -1;
            have_delim = true;
        } else if (!strcmp(o->name, "null")) {
            if (opt_string(o, arena, &fmt->null_str, err) < 0)
                return -1;
            have_null = true;
        } else if (!strcmp(o->name, "quote")) {
            if (opt_char(o, arena, &fmt->quote, err) < 0)
                return -1;
            have_quote = true;
        } else if (!strcmp(o->name, "escape")) {
            if (opt_char(o, arena, &fmt->escape, err) < 0)
                return -1;
            have_escape = true;
        } else if (!strcmp(o->name, "encoding")) {
            char *e;
            if (opt_string(o, arena, &e, err) < 0)
                return -1;
            if (strcasecmp(e, "utf8") && strcasecmp(e, "utf-8"))
                return sl_error_at(err, SL_E_FEATURE_NOT_SUPPORTED, o->location + 1,
                                   "COPY encoding \"%s\" is not supported: data must be UTF8", e);
        } else {
            return sl_error_at(err, SL_E_SYNTAX_ERROR, o->location + 1,
                               "option \"%s\" not recognized", o->name);
        }
    }
    if (fmt->csv && !have_delim)
        fmt->delim = ',';
    if (!fmt->csv && (have_quote || have_escape))
        return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED,
                        "COPY %s available only in CSV mode", have_quote ? "quote" : "escape");
    if (!fmt->csv && fmt->header)
        return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED,
                        "COPY HEADER available only in CSV mode");
    if (!have_escape)
        fmt->escape = fmt->quote;
    if (!have_null)
        fmt->null_str = sl_strdup(arena, fmt->csv ? "" : "\\N");
    if (fmt->delim == '\n' || fmt->delim == '\r' || (!fmt->csv && fmt->delim == '\\'))
        return sl_error(err, SL_E_INVALID_PARAMETER_VALUE,
                        "COPY delimiter cannot be newline, carriage return or backslash");
    if (fmt->csv && fmt->delim == fmt->quote)
        return sl_error(err, SL_E_INVALID_PARAMETER_VALUE,
                        "COPY delimiter and quote must be different");
    return 0;
}

/* -------------------------------------------------------------- parser */

void ex_copy_parser_init(ExCopyParser *p, const ExCopyFormat *fmt, int ncols,
                         const SlType *types, const char *const *colnames,
                         const char *relname, ExCopyRowFn fn, void *ctx)
{
    memset(p, 0, sizeof *p);
    p->fmt = *fmt;
    p->ncols = ncols;
    p->types = types;
    p->colnames = colnames;
    p->relname = relname;
    p->fn = fn;
    p->ctx = ctx;
    sl_buf_init(&p->pending);
    sl_buf_init(&p->field);
    p->row_arena = sl_arena_new(0);
    p->values = sl_calloc((size_t)(ncols > 0 ? ncols : 1), sizeof(SlValue));
    p->line = 1;
}

void ex_copy_parser_free(ExCopyParser *p)
{
    sl_buf_free(&p->pending);
    sl_buf_free(&p->field);
    if (p->row_arena)
        sl_arena_free(p->row_arena);
    free(p->values);
    p->row_arena = NULL;
    p->values = NULL;
}

/* Adds "COPY rel, line n[, column c: "value"]" to an error. */
static void copy_context(ExCopyParser *p, SlError *err, int col,
                         const char *val, size_t vlen)
{
    if (!err)
        return;
    if (col >= 0 && col < p->ncols && val) {
        int shown = vlen > 100 ? 100 : (int)vlen;
        sl_error_context(err, "COPY %s, line %lld, column %s: \"%.*s%s\"",
                         p->relname, (long long)p->line, p->colnames[col],
                         shown, val, vlen > 100 ? "..." : "");
    } else {
        sl_error_context(err, "COPY %s, line %lld", p->relname, (long long)p->line);
    }
}

/* Converts one field (raw bytes already unescaped) into values[col]. */
static int take_field(ExCopyParser *p, int col, const char *s, size_t n,
                      bool isnull, SlError *err)
{
    if (col >= p->ncols) {
        sl_error(err, SL_E_BAD_COPY_FILE_FORMAT, "extra data after last expected column");
        copy_context(p, err, -1, NULL, 0);
        return -1;
    }
    if (isnull) {
        p->values[col] = sl_val_null(p->types[col]);
        return 0;
    }
    if (sl_value_in(p->types[col], s, n, p->row_arena, &p->values[col], err) < 0) {
        copy_context(p, err, col, s, n);
        return -1;
    }
    return 0;
}

static int finish_record(ExCopyParser *p, int nfields, SlError *err)
{
    if (nfields < p->ncols) {
        sl_error(err, SL_E_BAD_COPY_FILE_FORMAT, "missing data for column \"%s\"",
                 p->colnames[nfields]);
        copy_context(p, err, -1, NULL, 0);
        return -1;
    }
    if (p->fn(p->ctx, p->values, p->ncols, err) < 0) {
        if (err && !err->context[0])
            copy_context(p, err, -1, NULL, 0);
        return -1;
    }
    p->rows++;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* One text-format record: rec[0..n), without its newline. */
static int text_record(ExCopyParser *p, const char *rec, size_t n, SlError *err)
{
    int col = 0;
    size_t i = 0;
    const char *nul = p->fmt.null_str;
    size_t nul_len = strlen(nul);

    for (;;) {
        size_t start = i;
        bool escaped = false;
        while (i < n && rec[i] != p->fmt.delim) {
            if (rec[i] == '\\' && i + 1 < n) {
                escaped = true;
                i += 2;
            } else {
                i++;
            }
        }
        const char *raw = rec + start;
        size_t raw_len = i - start;
        bool isnull = raw_len == nul_len && memcmp(raw, nul, nul_len) == 0;
        if (isnull || !escaped) {
            if (take_field(p, col, raw, raw_len, isnull, err) < 0)
                return -1;
        } else {
            sl_buf_reset(&p->field);
            for (size_t k = 0; k < raw_len; k++) {
                char c = raw[k];
                if (c != '\\' || k + 1 >= raw_len) {
                    sl_buf_putc(&p->field, c);
                    continue;
                }
                c = raw[++k];
                switch (c) {
                case 'b': sl_buf_putc(&p->field, '\b'); break;
                case 'f': sl_buf_putc(&p->field, '\f'); break;
                case 'n': sl_buf_putc(&p->field, '\n'); break;
                case 'r': sl_buf_putc(&p->field, '\r'); break;
                case 't': sl_buf_putc(&p->field, '\t'); break;
                case 'v': sl_buf_putc(&p->field, '\v'); break;
                case 'x':
                    if (k + 1 < raw_len && hexval(raw[k + 1]) >= 0) {
                        int v = hexval(raw[++k]);
                        if (k + 1 < raw_len && hexval(raw[k + 1]) >= 0)
                            v = v * 16 + hexval(raw[++k]);
                        sl_buf_putc(&p->field, (char)v);
                    } else {
                        sl_buf_putc(&p->field, 'x');
                    }
                    break;
                case '0': case '1': case '2': case '3':
                case '4': case '5': case '6': case '7': {
                    int v = c - '0';
                    for (int d = 0; d < 2 && k + 1 < raw_len && raw[k + 1] >= '0' && raw[k + 1] <= '7'; d++)
                        v = v * 8 + (raw[++k] - '0');
                    sl_buf_putc(&p->field, (char)(v & 0xff));
                    break;
                }
                default:
                    sl_buf_putc(&p->field, c);
                }
            }
            if (take_field(p, col, p->field.data, p->field.len, false, err) < 0)
                return -1;
        }
        col++;
        if (i >= n)
            break;
        i++; /* the delimiter */
    }
    return finish_record(p, col, err);
}

/* One CSV record: rec[0..n), without its final newline. */
static int csv_record(ExCopyParser *p, const char *rec, size_t n, SlError *err)
{
    int col = 0;
    size_t i = 0;
    const char *nul = p->fmt.null_str;
    size_t nul_len = strlen(nul);
    char q = p->fmt.quote, e = p->fmt.escape, d = p->fmt.delim;

    for (;;) {
        bool quoted = false;
        size_t start = i;
        sl_buf_reset(&p->field);
        /* A field is a sequence of unquoted and quoted parts. */
        while (i < n && rec[i] != d) {
            if (rec[i] == q) {
                quoted = true;
                i++;
                for (;;) {
                    if (i >= n) {
                        sl_error(err, SL_E_BAD_COPY_FILE_FORMAT, "unterminated CSV quoted field");
                        copy_context(p, err, -1, NULL, 0);
                        return -1;
                    }
                    if (rec[i] == e && e != q && i + 1 < n && (rec[i + 1] == q || rec[i + 1] == e)) {
                        sl_buf_putc(&p->field, rec[i + 1]);
                        i += 2;
                    } else if (rec[i] == q) {
                        if (e == q && i + 1 < n && rec[i + 1] == q) {
                            sl_buf_putc(&p->field, q);
                            i += 2;
                        } else {
                            i++;
                            break;
                        }
                    } else {
                        sl_buf_putc(&p->field, rec[i]);
                        i++;
                    }
                }
            } else {
                sl_buf_putc(&p->field, rec[i]);
                i++;
            }
        }
        /* NULL: the unquoted field equal to the NULL string. */
        bool isnull = !quoted && (i - start) == nul_len && memcmp(rec + start, nul, nul_len) == 0;
        if (take_field(p, col, p->field.data, p->field.len, isnull, err) < 0)
            return -1;
        col++;
        if (i >= n)
            break;
        i++; /* the delimiter */
    }
    return finish_record(p, col, err);
}

/* Finds the end of the record that starts at p->pending[0]: returns the
 * index of its terminating '\n', or -1 if the record is incomplete. */
static ssize_t find_record_end(const ExCopyParser *p, const char *b, size_t n,
                               size_t from, bool *inq)
{
    if (!p->fmt.csv) {
        for (size_t i = from; i < n; i++) {
            const char *nl = memchr(b + i, '\n', n - i);
            if (!nl)
                return -1;
            size_t at = (size_t)(nl - b);
            /* count the backslashes right before the newline */
            size_t k = at, bs = 0;
            while (k > 0 && b[k - 1] == '\\') {
                k--;
                bs++;
            }
            if (bs % 2 == 0)
                return (ssize_t)at;
            i = at; /* escaped newline: data, keep going */
        }
        return -1;
    }
    bool in = *inq;
    char q = p->fmt.quote, e = p->fmt.escape;
    for (size_t i = from; i < n; i++) {
        char c = b[i];
        if (in) {
            if (c == e && e != q && i + 1 < n) {
                i++;
            } else if (c == q) {
                in = false;
            }
        } else if (c == q) {
            in = true;
        } else if (c == '\n') {
            *inq = false;
            return (ssize_t)i;
        }
    }
    *inq = in;
    return -1;
}

static int count_newlines(const char *s, size_t n)
{
    int c = 0;
    for (size_t i = 0; i < n; i++)
        c += s[i] == '\n';
    return c;
}

static int process_record(ExCopyParser *p, const char *rec, size_t n, SlError *err)
{
    int rc = 0;
    size_t len = n;
    if (len > 0 && rec[len - 1] == '\r')
        len--;
    if (len == 2 && rec[0] == '\\' && rec[1] == '.') {
        p->ended = true;
        return 0;
    }
    if (p->fmt.header && !p->header_done) {
        p->header_done = true;
    } else {
        sl_arena_reset(p->row_arena);
        rc = p->fmt.csv ? csv_record(p, rec, len, err) : text_record(p, rec, len, err);
    }
    p->line += 1 + count_newlines(rec, n);
    return rc;
}

int ex_copy_parser_feed(ExCopyParser *p, const char *data, size_t len, SlError *err)
{
    if (p->ended)
        return 0;
    sl_buf_append(&p->pending, data, len);

    size_t start = 0;
    for (;;) {
        bool inq = false;
        ssize_t e = find_record_end(p, p->pending.data + start,
                                    p->pending.len - start, 0, &inq);
        if (e < 0)
            break;
        ssize_t end = (ssize_t)start + e;
        if (process_record(p, p->pending.data + start, (size_t)end - start, err) < 0)
            return -1;
        start = (size_t)end + 1;
        if (p->ended) {
            start = p->pending.len;
            break;
        }
    }
    if (start > 0) {
        memmove(p->pending.data, p->pending.data + start, p->pending.len - start);
        p->pending.len -= start;
        p->pending.data[p->pending.len] = '\0';
    }
    return 0;
}

int ex_copy_parser_finish(ExCopyParser *p, SlError *err)
{
    if (p->ended || p->pending.len == 0)
        return 0;
    if (p->fmt.csv) {
        bool inq = false;
        (void)find_record_end(p, p->pending.data, p->pending.len, 0, &inq);
        if (inq) {
            sl_error(err, SL_E_BAD_COPY_FILE_FORMAT, "unterminated CSV quoted field");
            copy_context(p, err, -1, NULL, 0);
            return -1;
        }
    }
    int rc = process_record(p, p->pending.data, p->pending.len, err);
    sl_buf_reset(&p->pending);
    return rc;
}
