/*
 * copy_format.c — COPY FROM STDIN text and CSV formats (see ex_copy.h).
 *
 * Bytes arrive in chunks of any size. Complete records (ending at a
 * newline outside CSV quotes, not escaped by a backslash in text format)
 * are read where they lie in the chunk; only the incomplete tail is kept
 * in `pending`, and completed from the next chunk up to its newline.
 *
 * The hot path is a record with nothing to unescape (no backslash in
 * text format, no quote in CSV), found with two memchr calls: its fields
 * are the slices between delimiters, text values borrow them, and plain
 * integers are read in place. Any other record goes through the general
 * scanner (split_text / split_csv), any other value through sl_value_in;
 * both paths give the same rows and errors (tests/unit/test_copy.c
 * compares them). Like PostgreSQL, a record's fields are split first
 * (too many is an error before any value is read), then converted in
 * column order.
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

/* Per-column conversion: text is borrowed from the record, integers of
 * plain digits are read in place; everything else (and every integer
 * that is not plain: spaces, '+', too many digits) goes to sl_value_in,
 * which gives the same value or PostgreSQL's error. */
enum { CONV_OTHER, CONV_TEXT, CONV_INT8, CONV_INT4 };

static void set_conversions(ExCopyParser *p)
{
    for (int i = 0; i < p->ncols; i++) {
        uint8_t c = CONV_OTHER;
        if (!p->general_only) {
            if (p->types[i] == SL_T_TEXT)
                c = CONV_TEXT;
            else if (p->types[i] == SL_T_INT8)
                c = CONV_INT8;
            else if (p->types[i] == SL_T_INT4)
                c = CONV_INT4;
        }
        p->conv[i] = c;
    }
}

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
    size_t nc = (size_t)(ncols > 0 ? ncols : 1);
    p->values = sl_calloc(nc, sizeof(SlValue));
    p->conv = sl_calloc(nc, 1);
    p->fields_cap = (int)nc + 1;
    p->fields = sl_calloc((size_t)p->fields_cap, sizeof(ExCopyField));
    p->null_len = strlen(fmt->null_str);
    p->line = 1;
    set_conversions(p);
}

void ex_copy_parser_general_only(ExCopyParser *p)
{
    p->general_only = true;
    set_conversions(p);
}

void ex_copy_parser_free(ExCopyParser *p)
{
    sl_buf_free(&p->pending);
    sl_buf_free(&p->field);
    if (p->row_arena)
        sl_arena_free(p->row_arena);
    free(p->values);
    free(p->conv);
    free(p->fields);
    p->row_arena = NULL;
    p->values = NULL;
    p->conv = NULL;
    p->fields = NULL;
}

/* How much of s[0..n) an error shows: at most 100 bytes, cut before a
 * UTF-8 character that would not fit (PostgreSQL's limit_printout_length). */
static int shown_len(const char *s, size_t n)
{
    if (n <= 100)
        return (int)n;
    size_t k = 100;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return (int)k;
}

/* "COPY rel, line n: "record"" for errors about a whole record (as
 * PostgreSQL, which shows the line), "COPY rel, line n" outside one. */
static void line_context(ExCopyParser *p, SlError *err)
{
    if (!err)
        return;
    if (p->rec) {
        int shown = shown_len(p->rec, p->rec_len);
        sl_error_context(err, "COPY %s, line %lld: \"%.*s%s\"", p->relname, (long long)p->line,
                         shown, p->rec, (size_t)shown < p->rec_len ? "..." : "");
    } else {
        sl_error_context(err, "COPY %s, line %lld", p->relname, (long long)p->line);
    }
}

/* "COPY rel, line n, column c: "value"" for a value that does not read. */
static void column_context(ExCopyParser *p, SlError *err, int col, const char *val, size_t vlen)
{
    if (!err)
        return;
    int shown = shown_len(val, vlen);
    sl_error_context(err, "COPY %s, line %lld, column %s: \"%.*s%s\"", p->relname,
                     (long long)p->line, p->colnames[col], shown, val,
                     (size_t)shown < vlen ? "..." : "");
}

static int extra_data(ExCopyParser *p, SlError *err)
{
    sl_error(err, SL_E_BAD_COPY_FILE_FORMAT, "extra data after last expected column");
    line_context(p, err);
    return -1;
}

/* An integer of 1..maxdig plain digits with an optional '-'; false for
 * anything else, which sl_value_in then reads (or rejects). */
static inline bool plain_int(const char *s, size_t n, size_t maxdig, int64_t *out)
{
    size_t i = 0;
    bool neg = n > 0 && s[0] == '-';
    i = neg;
    if (i == n || n - i > maxdig)
        return false;
    uint64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9)
            return false;
        v = v * 10 + d;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

static inline int convert_field(ExCopyParser *p, int col, const ExCopyField *f, SlError *err)
{
    SlValue *v = &p->values[col];
    int64_t x;
    if (f->isnull) {
        *v = sl_val_null(p->types[col]);
        return 0;
    }
    switch (p->conv[col]) {
    case CONV_TEXT:
        *v = sl_val_text(f->p, f->len);
        return 0;
    case CONV_INT8:
        if (plain_int(f->p, f->len, 18, &x)) {
            *v = sl_val_int8(x);
            return 0;
        }
        break;
    case CONV_INT4:
        if (plain_int(f->p, f->len, 9, &x)) {
            *v = sl_val_int4((int32_t)x);
            return 0;
        }
        break;
    default:
        break;
    }
    if (sl_value_in(p->types[col], f->p, f->len, p->row_arena, v, err) < 0) {
        column_context(p, err, col, f->p, f->len);
        return -1;
    }
    return 0;
}

/* Converts the nf fields of the current record (PostgreSQL's order: too
 * many fields is an error before any conversion, a missing one after the
 * columns before it were read) and hands the row over. */
static int convert_record(ExCopyParser *p, int nf, SlError *err)
{
    if (nf > p->ncols)
        return extra_data(p, err);
    for (int col = 0; col < p->ncols; col++) {
        if (col >= nf) {
            sl_error(err, SL_E_BAD_COPY_FILE_FORMAT, "missing data for column \"%s\"",
                     p->colnames[col]);
            line_context(p, err);
            return -1;
        }
        if (convert_field(p, col, &p->fields[col], err) < 0)
            return -1;
    }
    if (p->fn(p->ctx, p->values, p->ncols, err) < 0) {
        if (err && !err->context[0])
            line_context(p, err);
        return -1;
    }
    p->rows++;
    return 0;
}

static ExCopyField *next_field(ExCopyParser *p, int nf)
{
    if (nf == p->fields_cap) {
        p->fields_cap *= 2;
        p->fields = sl_realloc(p->fields, sizeof(ExCopyField) * (size_t)p->fields_cap);
    }
    return &p->fields[nf];
}

static inline bool is_null(const ExCopyParser *p, const char *raw, size_t n)
{
    return n == p->null_len && memcmp(raw, p->fmt.null_str, n) == 0;
}

/* A record with nothing to unescape (no backslash in text, no quote in
 * CSV): fields are the slices between delimiters. Stops at the first
 * field too many. */
static int split_plain(ExCopyParser *p, const char *rec, size_t n)
{
    const char *s = rec, *end = rec + n;
    const char d = p->fmt.delim;
    int nf = 0;
    for (;;) {
        const char *e = memchr(s, d, (size_t)(end - s));
        const char *fe = e ? e : end;
        ExCopyField *f = &p->fields[nf++];
        f->p = s;
        f->len = (size_t)(fe - s);
        f->isnull = is_null(p, s, f->len);
        if (!e || nf > p->ncols)
            break;
        s = e + 1;
    }
    return nf;
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

/* Field values that were unescaped live in p->field; the buffer is sized
 * for the whole record first (unescaping never lengthens), so the
 * pointers stay valid until the next record. */
static char *field_space(ExCopyParser *p, size_t n)
{
    sl_buf_reset(&p->field);
    sl_buf_reserve(&p->field, n);
    return p->field.data;
}

/* One text-format record: rec[0..n), without its newline. */
static int split_text(ExCopyParser *p, const char *rec, size_t n)
{
    int nf = 0;
    size_t i = 0;
    char *out = field_space(p, n);
    size_t o = 0;

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
        ExCopyField *f = next_field(p, nf++);
        f->isnull = is_null(p, raw, raw_len);
        if (f->isnull || !escaped) {
            f->p = raw;
            f->len = raw_len;
        } else {
            f->p = out + o;
            for (size_t k = 0; k < raw_len; k++) {
                char c = raw[k];
                if (c != '\\' || k + 1 >= raw_len) {
                    out[o++] = c;
                    continue;
                }
                c = raw[++k];
                switch (c) {
                case 'b': out[o++] = '\b'; break;
                case 'f': out[o++] = '\f'; break;
                case 'n': out[o++] = '\n'; break;
                case 'r': out[o++] = '\r'; break;
                case 't': out[o++] = '\t'; break;
                case 'v': out[o++] = '\v'; break;
                case 'x':
                    if (k + 1 < raw_len && hexval(raw[k + 1]) >= 0) {
                        int v = hexval(raw[++k]);
                        if (k + 1 < raw_len && hexval(raw[k + 1]) >= 0)
                            v = v * 16 + hexval(raw[++k]);
                        out[o++] = (char)v;
                    } else {
                        out[o++] = 'x';
                    }
                    break;
                case '0': case '1': case '2': case '3':
                case '4': case '5': case '6': case '7': {
                    int v = c - '0';
                    for (int d = 0; d < 2 && k + 1 < raw_len && raw[k + 1] >= '0' && raw[k + 1] <= '7'; d++)
                        v = v * 8 + (raw[++k] - '0');
                    out[o++] = (char)(v & 0xff);
                    break;
                }
                default:
                    out[o++] = c;
                }
            }
            f->len = (size_t)(out + o - f->p);
        }
        if (i >= n)
            break;
        i++; /* the delimiter */
    }
    return nf;
}

/* One CSV record: rec[0..n), without its final newline. */
static int split_csv(ExCopyParser *p, const char *rec, size_t n, SlError *err)
{
    int nf = 0;
    size_t i = 0;
    const char q = p->fmt.quote, e = p->fmt.escape, d = p->fmt.delim;
    char *out = field_space(p, n);
    size_t o = 0;

    for (;;) {
        bool quoted = false;
        size_t start = i, ostart = o;
        /* A field is a sequence of unquoted and quoted parts. */
        while (i < n && rec[i] != d) {
            if (rec[i] == q) {
                quoted = true;
                i++;
                for (;;) {
                    if (i >= n) {
                        sl_error(err, SL_E_BAD_COPY_FILE_FORMAT, "unterminated CSV quoted field");
                        line_context(p, err);
                        return -1;
                    }
                    if (rec[i] == e && e != q && i + 1 < n && (rec[i + 1] == q || rec[i + 1] == e)) {
                        out[o++] = rec[i + 1];
                        i += 2;
                    } else if (rec[i] == q) {
                        if (e == q && i + 1 < n && rec[i + 1] == q) {
                            out[o++] = q;
                            i += 2;
                        } else {
                            i++;
                            break;
                        }
                    } else {
                        out[o++] = rec[i++];
                    }
                }
            } else {
                out[o++] = rec[i++];
            }
        }
        ExCopyField *f = next_field(p, nf++);
        f->p = out + ostart;
        f->len = o - ostart;
        /* NULL: the unquoted field equal to the NULL string */
        f->isnull = !quoted && is_null(p, rec + start, i - start);
        if (i >= n)
            break;
        i++; /* the delimiter */
    }
    return nf;
}

/* Finds the end of the record that starts at b[0] with the general
 * scanner: the index of its terminating '\n', or -1 if incomplete. */
static ssize_t find_record_end(const ExCopyParser *p, const char *b, size_t n)
{
    if (!p->fmt.csv) {
        for (size_t i = 0; i < n; i++) {
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
    bool in = false;
    char q = p->fmt.quote, e = p->fmt.escape;
    for (size_t i = 0; i < n; i++) {
        char c = b[i];
        if (in) {
            if (c == e && e != q && i + 1 < n) {
                i++;
            } else if (c == q) {
                in = false;
            } else if (e == q) {
                /* skip to the next quote */
                const char *nq = memchr(b + i, q, n - i);
                if (!nq)
                    return -1;
                i = (size_t)(nq - b);
                in = false;
            }
        } else if (c == q) {
            in = true;
        } else if (c == '\n') {
            return (ssize_t)i;
        }
    }
    return -1;
}

/* True when a CSV record that starts at b[0] and is cut at n is inside a
 * quoted field there. */
static bool csv_open_quote(const ExCopyParser *p, const char *b, size_t n)
{
    bool in = false;
    char q = p->fmt.quote, e = p->fmt.escape;
    for (size_t i = 0; i < n; i++) {
        char c = b[i];
        if (in) {
            if (c == e && e != q && i + 1 < n)
                i++;
            else if (c == q)
                in = false;
        } else if (c == q) {
            in = true;
        }
    }
    return in;
}

/* The end of the record at b[0] (index of its '\n', or -1). *simple: it
 * holds no byte that needs unescaping (backslash in text, quote in CSV),
 * so its fields are plain slices and it spans one line. */
static inline ssize_t record_end(const ExCopyParser *p, const char *b, size_t n, bool *simple)
{
    const char *nl = memchr(b, '\n', n);
    *simple = false;
    if (!nl)
        return -1;
    if (!memchr(b, p->fmt.csv ? p->fmt.quote : '\\', (size_t)(nl - b))) {
        *simple = true;
        return nl - b;
    }
    return find_record_end(p, b, n);
}

static int count_newlines(const char *s, size_t n)
{
    int c = 0;
    const char *end = s + n;
    while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
        c++;
        s++;
    }
    return c;
}

static int process_record(ExCopyParser *p, const char *rec, size_t n, bool simple, SlError *err)
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
        if (sl_arena_used(p->row_arena))
            sl_arena_reset(p->row_arena);
        p->rec = rec;
        p->rec_len = len;
        int nf;
        if (simple && !p->general_only)
            nf = split_plain(p, rec, len);
        else if (p->fmt.csv)
            nf = split_csv(p, rec, len, err);
        else
            nf = split_text(p, rec, len);
        rc = nf < 0 ? -1 : convert_record(p, nf, err);
        p->rec = NULL;
    }
    p->line += simple ? 1 : 1 + count_newlines(rec, n);
    return rc;
}

int ex_copy_parser_feed(ExCopyParser *p, const char *data, size_t len, SlError *err)
{
    const char *cur = data, *end = data + len;
    bool simple;

    /* A record begun in an earlier chunk: add the bytes up to each
     * newline until it is complete (it can end only at a newline). */
    while (!p->ended && p->pending.len > 0 && cur < end) {
        const char *nl = memchr(cur, '\n', (size_t)(end - cur));
        const char *upto = nl ? nl + 1 : end;
        sl_buf_append(&p->pending, cur, (size_t)(upto - cur));
        cur = upto;
        if (!nl)
            return 0;
        ssize_t e = record_end(p, p->pending.data, p->pending.len, &simple);
        if (e < 0)
            continue;
        int rc = process_record(p, p->pending.data, (size_t)e, simple, err);
        sl_buf_reset(&p->pending);
        if (rc < 0)
            return -1;
    }
    /* Then records straight from the chunk; an incomplete tail waits. */
    while (!p->ended && cur < end) {
        ssize_t e = record_end(p, cur, (size_t)(end - cur), &simple);
        if (e < 0) {
            sl_buf_append(&p->pending, cur, (size_t)(end - cur));
            break;
        }
        if (process_record(p, cur, (size_t)e, simple, err) < 0)
            return -1;
        cur += e + 1;
    }
    return 0;
}

int ex_copy_parser_finish(ExCopyParser *p, SlError *err)
{
    if (p->ended || p->pending.len == 0)
        return 0;
    const char *b = p->pending.data;
    size_t n = p->pending.len;
    if (p->fmt.csv && csv_open_quote(p, b, n)) {
        sl_error(err, SL_E_BAD_COPY_FILE_FORMAT, "unterminated CSV quoted field");
        p->rec = b;
        p->rec_len = n;
        line_context(p, err);
        p->rec = NULL;
        return -1;
    }
    bool simple = !memchr(b, p->fmt.csv ? p->fmt.quote : '\\', n);
    int rc = process_record(p, b, n, simple, err);
    sl_buf_reset(&p->pending);
    return rc;
}
