/*
 * copy_format.c — COPY FROM STDIN text and CSV formats (see ex_copy.h).
 *
 * Bytes arrive in chunks of any size. Complete records (ending at a
 * newline outside CSV quotes, not escaped by a backslash in text format)
 * are read where they lie in the chunk; only the incomplete tail is kept
 * in `pending`, and completed from the next chunk up to its newline.
 *
 * The hot path is a record with nothing to unescape (no backslash in
 * text format, no quote in CSV) that lies whole in the chunk: one pass
 * (scan_plain, 16 bytes at a time) finds its delimiters and newline, its
 * fields are the slices between delimiters, text values borrow them (or,
 * in batch mode, are copied once into the batch), plain integers are read
 * in place, and a plain timestamp on the date of the one before reads
 * only its time. Any other record goes through memchr (record_end) and,
 * when it needs unescaping, the general scanner (split_text / split_csv),
 * any other value through sl_value_in; all paths give the same rows and
 * errors (tests/unit/test_copy.c compares them). Like PostgreSQL, a record's fields are split first
 * (too many is an error before any value is read), then converted in
 * column order.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <strings.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
/* The word-at-a-time readers (swar_digits) take the first byte as the
 * lowest: little-endian only; elsewhere the byte loops do it all. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WORD_READS 1
#else
#define WORD_READS 0
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_SCAN 1
#else
#define HAVE_AVX2_SCAN 0
#endif

#include "ex_copy.h"
#include "ex_int.h"

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
enum { CONV_OTHER, CONV_TEXT, CONV_INT8, CONV_INT4, CONV_TS, CONV_TSTZ };

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
            else if (p->types[i] == SL_T_TIMESTAMP)
                c = CONV_TS;
            else if (p->types[i] == SL_T_TIMESTAMPTZ)
                c = CONV_TSTZ;
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
    p->ident = sl_calloc(nc, sizeof(int));
    for (int i = 0; i < ncols; i++)
        p->ident[i] = i;
    p->null_len = strlen(fmt->null_str);
    p->line = 1;
#if HAVE_AVX2_SCAN
    __builtin_cpu_init();
    p->avx2 = __builtin_cpu_supports("avx2");
#endif
    set_conversions(p);
}

void ex_copy_parser_no_avx2(ExCopyParser *p)
{
    p->avx2 = false;
}

void ex_copy_parser_set_batch(ExCopyParser *p, ExCopyBatch *b)
{
    p->batch = b;
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
    free(p->ident);
    p->ident = NULL;
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
    /* no exit inside the loop: one branch on the whole field */
    uint64_t v = 0;
    unsigned bad = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        bad |= d > 9;
        v = v * 10 + d;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return !bad;
}

/* 1..8 digits in the top nd bytes of v (little-endian: the first digit
 * at the lowest of them), zeros below: their value, or -1 if a byte is
 * not a digit. Eight digits at once (shifts and three multiplies). */
static inline int64_t swar_digits(uint64_t v, unsigned nd)
{
    const unsigned sh = 8 * (8 - nd);
    const uint64_t m30 = 0x3030303030303030ull << sh, mf0 = 0xF0F0F0F0F0F0F0F0ull << sh;
    const uint64_t m06 = 0x0606060606060606ull << sh;
    if ((v & mf0) != m30 || ((v + m06) & mf0) != m30)
        return -1; /* a high nibble other than 3, or 0x3A..0x3F */
    uint64_t x = v - m30;
    x = x * 10 + (x >> 8);                                    /* pairs */
    x = ((x & 0x00FF00FF00FF00FFull) * 6553601) >> 16;         /* fours */
    x = ((x & 0x0000FFFF0000FFFFull) * 42949672960001ull) >> 32; /* eight */
    return (int64_t)x;
}

/* plain_int, with up to 8 digits read at once when the 8 bytes from the
 * first digit lie before lim (the end of the chunk the record is in;
 * NULL: not known). */
static inline bool plain_int_at(const char *s, size_t n, const char *lim, size_t maxdig, int64_t *out)
{
    size_t neg = n > 0 && s[0] == '-';
    size_t nd = n - neg;
    if (WORD_READS && lim && nd >= 1 && nd <= 8 && lim - (s + neg) >= 8) {
        uint64_t w;
        memcpy(&w, s + neg, 8);
        int64_t v = swar_digits(w << (8 * (8 - nd)), (unsigned)nd);
        if (v < 0)
            return false;
        *out = neg ? -v : v;
        return true;
    }
    return plain_int(s, n, maxdig, out);
}

/* ---------------------------------------------------------- batch mode */

/* Text of a batch lives in blocks of TEXT_BLOCK bytes (a longer value
 * gets a block of its own), kept across COPY statements. */
#define TEXT_BLOCK ((size_t)1 << 20)

struct ExCopyTextBlock {
    ExCopyTextBlock *next;
    size_t size;
    char data[];
};

static const char *keep_text_slow(ExCopyBatch *b, const char *s, size_t n)
{
    ExCopyTextBlock *blk;
    if (n > TEXT_BLOCK / 4) {
        /* its own block, behind the current one */
        blk = sl_malloc(sizeof *blk + n);
        blk->size = n;
        if (b->used) {
            blk->next = b->used->next;
            b->used->next = blk;
        } else {
            blk->next = NULL;
            b->used = blk;
        }
        memcpy(blk->data, s, n);
        return blk->data;
    }
    if (b->spare) {
        blk = b->spare;
        b->spare = blk->next;
    } else {
        blk = sl_malloc(sizeof *blk + TEXT_BLOCK);
        blk->size = TEXT_BLOCK;
    }
    blk->next = b->used;
    b->used = blk;
    b->text = blk->data + n;
    b->text_end = blk->data + blk->size;
    memcpy(blk->data, s, n);
    return blk->data;
}

/* The text of a value that goes into the batch (one copy, no NUL). */
static inline const char *keep_text(ExCopyBatch *b, const char *s, size_t n)
{
    if (n == 0)
        return "";
    if (SL_UNLIKELY((size_t)(b->text_end - b->text) < n))
        return keep_text_slow(b, s, n);
    char *d = b->text;
    memcpy(d, s, n);
    b->text += n;
    return d;
}

static void grow_rows(ExCopyBatch *b)
{
    int64_t cap = b->capvals / b->width;
    cap = cap < 1024 ? 1024 : cap * 2;
    b->rows = sl_realloc(b->rows, sizeof(SlValue) * (size_t)(cap * b->width));
    b->capvals = cap * b->width;
}

void ex_copy_batch_reset(ExCopyBatch *b, size_t keep_bytes)
{
    size_t kept = sizeof(SlValue) * (size_t)b->capvals;
    if (kept > keep_bytes) {
        free(b->rows);
        b->rows = NULL;
        b->capvals = 0;
        kept = 0;
    }
    for (ExCopyTextBlock *blk = b->spare; blk; blk = blk->next)
        kept += blk->size;
    ExCopyTextBlock *blk = b->used;
    while (blk) {
        ExCopyTextBlock *next = blk->next;
        if (blk->size == TEXT_BLOCK && kept + blk->size <= keep_bytes) {
            blk->next = b->spare;
            b->spare = blk;
            kept += blk->size;
        } else {
            free(blk);
        }
        blk = next;
    }
    b->used = NULL;
    b->text = b->text_end = NULL;
    if (b->enc.cap > keep_bytes - (kept < keep_bytes ? kept : keep_bytes))
        sl_buf_free(&b->enc);
    else
        sl_buf_reset(&b->enc);
    b->n = 0;
}

void ex_copy_batch_free(ExCopyBatch *b)
{
    ex_copy_batch_reset(b, 0);
    while (b->spare) {
        ExCopyTextBlock *next = b->spare->next;
        free(b->spare);
        b->spare = next;
    }
}

size_t ex_copy_batch_bytes(const ExCopyBatch *b)
{
    size_t n = sizeof(SlValue) * (size_t)b->capvals;
    for (const ExCopyTextBlock *blk = b->used; blk; blk = blk->next)
        n += blk->size;
    for (const ExCopyTextBlock *blk = b->spare; blk; blk = blk->next)
        n += blk->size;
    return n + b->enc.cap;
}

/* ---------------------------------------------------------- conversion */

static inline bool digits2(const char *s, int *v)
{
    unsigned a = (unsigned)(unsigned char)s[0] - '0', b = (unsigned)(unsigned char)s[1] - '0';
    *v = (int)(a * 10 + b);
    return a <= 9 && b <= 9;
}

/* The time of day of a timestamp written YYYY-MM-DD HH:MM:SS[.f{1,6}]
 * (the form sl_timestamp_parse reads without its general scanner, also
 * with 'T'), when it is an ordinary one: hours up to 23, seconds up to 59
 * (24:00:00 and leap seconds go the general way). Only the time is read. */
static inline bool ts_time_of_day(const char *s, size_t n, int64_t *tod)
{
    if (n < 19 || n > 26 || n == 20 || (s[10] != ' ' && s[10] != 'T'))
        return false;
#if !WORD_READS
    int h, mi, se;
    if (s[13] != ':' || s[16] != ':' || !digits2(s + 11, &h) || !digits2(s + 14, &mi) || !digits2(s + 17, &se) ||
        h > 23 || mi > 59 || se > 59)
        return false;
    int64_t us = 0;
    if (n > 19) {
#else
    /* HH:MM:SS as one word: the colons, then six digits at once */
    uint64_t w;
    memcpy(&w, s + 11, 8);
    const uint64_t dmask = 0xFFFF00FFFF00FFFFull, m30 = 0x3030003030003030ull;
    const uint64_t mf0 = 0xF0F000F0F000F0F0ull, m06 = 0x0606000606000606ull;
    uint64_t dg = w & dmask;
    if ((w & ~dmask) != 0x00003A00003A0000ull || (dg & mf0) != m30 || ((dg + m06) & mf0) != m30)
        return false;
    uint64_t x = dg - m30;
    int h = (int)((x & 0xFF) * 10 + ((x >> 8) & 0xFF));
    int mi = (int)(((x >> 24) & 0xFF) * 10 + ((x >> 32) & 0xFF));
    int se = (int)(((x >> 48) & 0xFF) * 10 + (x >> 56));
    if (h > 23 || mi > 59 || se > 59)
        return false;
    int64_t us = 0;
    if (n == 26) {
        /* six digits of microseconds: the word ending the string, less
         * its first two bytes (the last of the seconds, the point) */
        uint64_t f;
        memcpy(&f, s + 18, 8);
        if (s[19] != '.' || (us = swar_digits(f & ~(uint64_t)0xFFFF, 6)) < 0)
            return false;
    } else if (n > 19) {
#endif
        if (s[19] != '.')
            return false;
        size_t k = 20;
        for (; k < n; k++) {
            unsigned c = (unsigned)(unsigned char)s[k] - '0';
            if (c > 9)
                return false;
            us = us * 10 + c;
        }
        for (; k < 26; k++)
            us *= 10;
    }
    *tod = ((int64_t)(h * 60 + mi) * 60 + se) * 1000000 + us;
    return true;
}

#define USECS_PER_DAY 86400000000LL

/* A timestamp on the date of the last one read (bids come in time order):
 * the date's day number is remembered, only the time is read. */
static inline bool ts_same_day(const ExCopyParser *p, const char *s, size_t n, int64_t *ts)
{
    int64_t tod;
    if (!p->ts_cached || n < 19 || memcmp(s, p->ts_date, 10) != 0 || !ts_time_of_day(s, n, &tod))
        return false;
    *ts = p->ts_days * USECS_PER_DAY + tod;
    return true;
}

/* After sl_value_in read s as ts: remember its date if s has the plain
 * form, whose value is then day * USECS_PER_DAY + time of day (a 4-digit
 * year: always in range, whatever the time). */
static void ts_remember(ExCopyParser *p, const char *s, size_t n, int64_t ts)
{
    int64_t tod;
    int y1, y2, mo, d;
    if (n < 19 || s[4] != '-' || s[7] != '-' || !digits2(s, &y1) || !digits2(s + 2, &y2) ||
        !digits2(s + 5, &mo) || !digits2(s + 8, &d) || !ts_time_of_day(s, n, &tod))
        return;
    if (y1 == 0 && y2 == 0)
        return; /* year 0: not the plain form for sl_timestamp_parse */
    if ((ts - tod) % USECS_PER_DAY != 0)
        return;
    memcpy(p->ts_date, s, 10);
    p->ts_days = (ts - tod) / USECS_PER_DAY;
    p->ts_cached = true;
}

/* Values are written in place, the way the sl_val_* constructors make
 * them (all bytes zero, then the fields): building one on the stack and
 * copying it costs a store-forwarding stall per value (loads of 16 bytes
 * from smaller stores). */
static inline void put_value(SlValue *v, SlType t)
{
    memset(v, 0, sizeof *v);
    v->type = (uint8_t)t;
}

/* Reads field f of column col into *v. */
static inline int convert_field(ExCopyParser *p, int col, const ExCopyField *f, SlValue *v, SlError *err)
{
    int64_t x;
    if (f->isnull) {
        put_value(v, p->types[col]);
        v->isnull = 1;
        return 0;
    }
    switch (p->conv[col]) {
    case CONV_TEXT:
        put_value(v, SL_T_TEXT);
        v->u.s.p = p->batch ? keep_text(p->batch, f->p, f->len) : f->p;
        v->u.s.len = (uint32_t)f->len;
        return 0;
    case CONV_INT8:
        if (plain_int(f->p, f->len, 18, &x)) {
            put_value(v, SL_T_INT8);
            v->u.i8 = x;
            return 0;
        }
        break;
    case CONV_INT4:
        if (plain_int(f->p, f->len, 9, &x)) {
            put_value(v, SL_T_INT4);
            v->u.i4 = (int32_t)x;
            return 0;
        }
        break;
    case CONV_TS:
    case CONV_TSTZ:
        if (ts_same_day(p, f->p, f->len, &x)) {
            put_value(v, p->conv[col] == CONV_TS ? SL_T_TIMESTAMP : SL_T_TIMESTAMPTZ);
            v->u.ts = x;
            return 0;
        }
        break;
    default:
        break;
    }
    p->row_arena_used = true;
    if (sl_value_in(p->types[col], f->p, f->len, p->row_arena, v, err) < 0) {
        column_context(p, err, col, f->p, f->len);
        return -1;
    }
    if (p->conv[col] == CONV_TS || p->conv[col] == CONV_TSTZ)
        ts_remember(p, f->p, f->len, v->u.ts);
    else if (p->batch && !v->isnull && (v->type == SL_T_TEXT || v->type == SL_T_UNKNOWN))
        v->u.s.p = keep_text(p->batch, v->u.s.p, v->u.s.len);
    return 0;
}

/* Encoded batch, a value the fast conversions do not read: sl_value_in's
 * value appended by ex_value_encode (which makes room itself). */
static int encode_slow(ExCopyParser *p, int col, const ExCopyField *f, SlBuf *o, SlError *err)
{
    SlValue v;
    p->row_arena_used = true;
    if (sl_value_in(p->types[col], f->p, f->len, p->row_arena, &v, err) < 0) {
        column_context(p, err, col, f->p, f->len);
        return -1;
    }
    if (p->conv[col] == CONV_TS || p->conv[col] == CONV_TSTZ)
        ts_remember(p, f->p, f->len, v.u.ts);
    ex_value_encode(o, &v);
    return 0;
}

/* convert_record for an encoded batch: the values are written at a cursor
 * held in a register (stores through uint8_t * may alias anything, so
 * o->len would be reloaded and stored around every value). The record's
 * values need at most its length (text, unescaped or not, is no longer
 * than the record) and EX_ENC_MAX_FIXED bytes a column. A record that
 * fails leaves nothing. */
static int encode_record(ExCopyParser *p, int nf, SlError *err)
{
    ExCopyBatch *b = p->batch;
    SlBuf *o = &b->enc;
    const size_t start = o->len;
    const size_t need = p->rec_len + (size_t)p->ncols * EX_ENC_MAX_FIXED;
    if (SL_UNLIKELY(o->cap - o->len <= need))
        sl_buf_reserve(o, need);
    const int upto = nf < p->ncols ? nf : p->ncols;
    const ExCopyField *fields = p->fields;
    const uint8_t *conv = p->conv;
    const SlType *types = p->types;
    const char *lim = p->chunk_end;
    uint8_t *w = (uint8_t *)o->data + start;
    for (int col = 0; col < upto; col++) {
        const ExCopyField *f = &fields[col];
        int64_t x;
        if (f->isnull) {
            w = ex_enc_null(w, types[col]);
            continue;
        }
        switch (conv[col]) {
        case CONV_TEXT:
            w = ex_enc_text(w, f->p, (uint32_t)f->len);
            continue;
        case CONV_INT8:
            if (plain_int_at(f->p, f->len, lim, 18, &x)) {
                w = ex_enc_i8(w, SL_T_INT8, x);
                continue;
            }
            break;
        case CONV_INT4:
            if (plain_int_at(f->p, f->len, lim, 9, &x)) {
                w = ex_enc_i4(w, (int32_t)x);
                continue;
            }
            break;
        case CONV_TS:
        case CONV_TSTZ:
            if (ts_same_day(p, f->p, f->len, &x)) {
                w = ex_enc_i8(w, conv[col] == CONV_TS ? SL_T_TIMESTAMP : SL_T_TIMESTAMPTZ, x);
                continue;
            }
            break;
        default:
            break;
        }
        o->len = (size_t)((char *)w - o->data);
        if (encode_slow(p, col, f, o, err) < 0) {
            o->len = start;
            return -1;
        }
        w = (uint8_t *)o->data + o->len;
    }
    if (nf < p->ncols) {
        o->len = start;
        sl_error(err, SL_E_BAD_COPY_FILE_FORMAT, "missing data for column \"%s\"", p->colnames[nf]);
        line_context(p, err);
        return -1;
    }
    o->len = (size_t)((char *)w - o->data);
    b->n++;
    p->rows++;
    return 0;
}

/* Converts the nf fields of the current record (PostgreSQL's order: too
 * many fields is an error before any conversion, a missing one after the
 * columns before it were read) and hands the row over: to fn, or into
 * the next row of the batch. */
static int convert_record(ExCopyParser *p, int nf, SlError *err)
{
    if (nf > p->ncols)
        return extra_data(p, err);
    ExCopyBatch *b = p->batch;
    if (b && b->encoded)
        return encode_record(p, nf, err);
    SlValue *dst;
    const int *map;
    if (b) {
        if (SL_UNLIKELY((b->n + 1) * b->width > b->capvals))
            grow_rows(b);
        dst = b->rows + (size_t)b->n * (size_t)b->width;
        if (b->blank)
            memcpy(dst, b->blank, sizeof(SlValue) * (size_t)b->width);
        map = b->map;
    } else {
        dst = p->values;
        map = p->ident;
    }
    int upto = nf < p->ncols ? nf : p->ncols;
    for (int col = 0; col < upto; col++)
        if (convert_field(p, col, &p->fields[col], &dst[map[col]], err) < 0)
            return -1;
    if (nf < p->ncols) {
        sl_error(err, SL_E_BAD_COPY_FILE_FORMAT, "missing data for column \"%s\"", p->colnames[nf]);
        line_context(p, err);
        return -1;
    }
    if (b) {
        b->n++;
    } else if (p->fn(p->ctx, p->values, p->ncols, err) < 0) {
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
        if (p->row_arena_used) {
            sl_arena_reset(p->row_arena);
            p->row_arena_used = false;
        }
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

/* The hot path's scanner: the record at s, when it is plain (no quote in
 * CSV, no backslash in text format), ends with a newline before `end`
 * and has at most ncols fields. Its fields go to p->fields; returns the
 * index of its newline and the number of fields in *nfp, or -1 when the
 * record is not such (the caller then takes the general way, which
 * reads it the same). One pass: 64 bytes at a time, the positions of
 * the delimiters and of the first newline or special byte as bit masks
 * (SSE2, or AVX2 where the CPU has it), then the rest byte by byte. */

/* The delimiters of a 64-byte block before its first newline or special
 * byte (the lowest bit of mo) become fields. 1: the record's newline is
 * in the block (*cp moved to it); -1: the record is not plain; 0: on. */
static inline __attribute__((always_inline)) int scan_block(ExCopyField *f, int last, const char **fsp, int *nfp,
                                                            const char **cp, uint64_t md, uint64_t mo)
{
    const char *c = *cp, *fs = *fsp;
    int nf = *nfp;
    if (mo)
        md &= (mo & -mo) - 1; /* the delimiters before it */
    while (md) {
        const char *at = c + __builtin_ctzll(md);
        md &= md - 1;
        if (nf >= last)
            return -1;
        f[nf].p = fs;
        f[nf].len = (size_t)(at - fs);
        nf++;
        fs = at + 1;
    }
    *fsp = fs;
    *nfp = nf;
    if (!mo)
        return 0;
    c += __builtin_ctzll(mo);
    if (*c != '\n')
        return -1;
    *cp = c;
    return 1;
}

/* The record's end: c is its newline, fs the start of its last field. */
static inline __attribute__((always_inline)) ssize_t scan_found(ExCopyField *f, const char *s, const char *c,
                                                                const char *fs, int nf, int *nfp)
{
    /* a '\r' before the newline is not data */
    const char *fe = c > s && c[-1] == '\r' ? c - 1 : c;
    if (fe - s == 2 && s[0] == '\\' && s[1] == '.')
        return -1; /* the end marker */
    f[nf].p = fs;
    f[nf].len = (size_t)(fe - fs);
    *nfp = nf + 1;
    return c - s;
}

/* Byte by byte from c (fewer than 64 bytes left, or no SIMD). */
static inline __attribute__((always_inline)) ssize_t scan_tail(const ExCopyParser *p, const char *s, const char *c,
                                                               const char *end, const char *fs, int nf, int *nfp)
{
    const char d = p->fmt.delim, sp = p->fmt.csv ? p->fmt.quote : '\\';
    const int last = p->ncols - 1;
    ExCopyField *f = p->fields;
    for (; c < end; c++) {
        char ch = *c;
        if (ch == d) {
            if (nf >= last)
                return -1;
            f[nf].p = fs;
            f[nf].len = (size_t)(c - fs);
            nf++;
            fs = c + 1;
        } else if (ch == '\n') {
            return scan_found(f, s, c, fs, nf, nfp);
        } else if (ch == sp) {
            return -1;
        }
    }
    return -1;
}

static inline ssize_t scan_plain(const ExCopyParser *p, const char *s, const char *end, int *nfp)
{
    const char *fs = s, *c = s;
    int nf = 0;
#if defined(__SSE2__)
    const char sp = p->fmt.csv ? p->fmt.quote : '\\';
    const __m128i vd = _mm_set1_epi8(p->fmt.delim), vn = _mm_set1_epi8('\n'), vs = _mm_set1_epi8(sp);
    for (; c + 64 <= end; c += 64) {
        uint64_t md = 0, mo = 0;
        for (int k = 0; k < 4; k++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(c + 16 * k));
            md |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vd)) << (16 * k);
            mo |= (uint64_t)(unsigned)_mm_movemask_epi8(
                      _mm_or_si128(_mm_cmpeq_epi8(x, vn), _mm_cmpeq_epi8(x, vs))) << (16 * k);
        }
        int r = scan_block(p->fields, p->ncols - 1, &fs, &nf, &c, md, mo);
        if (r < 0)
            return -1;
        if (r > 0)
            return scan_found(p->fields, s, c, fs, nf, nfp);
    }
#endif
    return scan_tail(p, s, c, end, fs, nf, nfp);
}

#if HAVE_AVX2_SCAN
/* The same with 32-byte compares: half the instructions per block. */
__attribute__((target("avx2"))) static ssize_t scan_plain_avx2(const ExCopyParser *p, const char *s, const char *end,
                                                               int *nfp)
{
    const char *fs = s, *c = s;
    int nf = 0;
    const char sp = p->fmt.csv ? p->fmt.quote : '\\';
    const __m256i vd = _mm256_set1_epi8(p->fmt.delim), vn = _mm256_set1_epi8('\n'), vs = _mm256_set1_epi8(sp);
    for (; c + 64 <= end; c += 64) {
        __m256i x0 = _mm256_loadu_si256((const __m256i *)(const void *)c);
        __m256i x1 = _mm256_loadu_si256((const __m256i *)(const void *)(c + 32));
        uint64_t md = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x0, vd)) |
                      (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x1, vd)) << 32;
        uint64_t mo =
            (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(x0, vn),
                                                                     _mm256_cmpeq_epi8(x0, vs))) |
            (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(x1, vn),
                                                                     _mm256_cmpeq_epi8(x1, vs))) << 32;
        int r = scan_block(p->fields, p->ncols - 1, &fs, &nf, &c, md, mo);
        if (r < 0)
            return -1;
        if (r > 0)
            return scan_found(p->fields, s, c, fs, nf, nfp);
    }
    return scan_tail(p, s, c, end, fs, nf, nfp);
}
#endif

/* A record scan_plain found in a chunk ending at end: its fields' NULLs,
 * then the values. */
static inline int plain_record(ExCopyParser *p, const char *rec, size_t n, const char *end, int nf, SlError *err)
{
    for (int i = 0; i < nf; i++)
        p->fields[i].isnull = is_null(p, p->fields[i].p, p->fields[i].len);
    if (SL_UNLIKELY(p->row_arena_used)) {
        sl_arena_reset(p->row_arena);
        p->row_arena_used = false;
    }
    p->rec = rec;
    p->rec_len = n > 0 && rec[n - 1] == '\r' ? n - 1 : n;
    p->chunk_end = end;
    int rc = convert_record(p, nf, err);
    p->chunk_end = NULL;
    p->rec = NULL;
    p->line++;
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
        int nf;
        bool fast = !p->general_only && (!p->fmt.header || p->header_done);
        ssize_t e = -1;
        if (fast) {
#if HAVE_AVX2_SCAN
            if (p->avx2)
                e = scan_plain_avx2(p, cur, end, &nf);
            else
#endif
                e = scan_plain(p, cur, end, &nf);
        }
        if (e >= 0) {
            if (plain_record(p, cur, (size_t)e, end, nf, err) < 0)
                return -1;
            cur += e + 1;
            continue;
        }
        e = record_end(p, cur, (size_t)(end - cur), &simple);
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
