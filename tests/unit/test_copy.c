/* test_copy.c — COPY FROM STDIN text and CSV formats (executor/copy_format.c). */
#include <stdlib.h>
#include <string.h>

#include "ex_copy.h"
#include "ex_int.h"
#include "unit.h"

#define MAXROWS 16

typedef struct Collected {
    int nrows;
    SlBuf rows[MAXROWS];   /* each row rendered as v1|v2|... with NULL as <null> */
} Collected;

static int collect(void *ctx, const SlValue *v, int n, SlError *err)
{
    Collected *c = ctx;
    (void)err;
    CU_ASSERT_FATAL(c->nrows < MAXROWS);
    SlBuf *b = &c->rows[c->nrows++];
    sl_buf_init(b);
    for (int i = 0; i < n; i++) {
        if (i)
            sl_buf_putc(b, '|');
        if (v[i].isnull)
            sl_buf_puts(b, "<null>");
        else
            sl_value_out(&v[i], b);
    }
    return 0;
}

static void collected_free(Collected *c)
{
    for (int i = 0; i < c->nrows; i++)
        sl_buf_free(&c->rows[i]);
    c->nrows = 0;
}

static const SlType types3[] = {SL_T_INT8, SL_T_TEXT, SL_T_INT4};
static const char *const names3[] = {"id", "name", "n"};

/* Feeds `data` in chunks of `chunk` bytes (0 = all at once). */
static int run(const ExCopyFormat *fmt, const char *data, size_t chunk,
               Collected *c, SlError *err)
{
    ExCopyParser p;
    ex_copy_parser_init(&p, fmt, 3, types3, names3, "t", collect, c);
    size_t len = strlen(data);
    int rc = 0;
    if (chunk == 0)
        chunk = len ? len : 1;
    for (size_t off = 0; off < len && rc == 0; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        rc = ex_copy_parser_feed(&p, data + off, n, err);
    }
    if (rc == 0)
        rc = ex_copy_parser_finish(&p, err);
    ex_copy_parser_free(&p);
    return rc;
}

static ExCopyFormat text_fmt(void)
{
    ExCopyFormat f = {.csv = false, .delim = '\t', .quote = '"', .escape = '"', .null_str = "\\N"};
    return f;
}

static ExCopyFormat csv_fmt(void)
{
    ExCopyFormat f = {.csv = true, .delim = ',', .quote = '"', .escape = '"', .null_str = ""};
    return f;
}

static void test_text_basic(void)
{
    ExCopyFormat f = text_fmt();
    const char *data = "1\talice\t10\n2\t\\N\t20\n3\ta\\tb\\\\c\\nd\t\\N\n";
    for (size_t chunk = 0; chunk < 9; chunk++) {
        Collected c = {0};
        SlError err;
        sl_error_clear(&err);
        CU_ASSERT_EQUAL_FATAL(run(&f, data, chunk, &c, &err), 0);
        CU_ASSERT_EQUAL_FATAL(c.nrows, 3);
        CU_ASSERT_STRING_EQUAL(c.rows[0].data, "1|alice|10");
        CU_ASSERT_STRING_EQUAL(c.rows[1].data, "2|<null>|20");
        CU_ASSERT_STRING_EQUAL(c.rows[2].data, "3|a\tb\\c\nd|<null>");
        collected_free(&c);
    }
}

static void test_text_end_marker_crlf_octal(void)
{
    ExCopyFormat f = text_fmt();
    Collected c = {0};
    SlError err;
    CU_ASSERT_EQUAL(run(&f, "1\t\\101\\x42\t1\r\n\\.\n9\tignored\t9\n", 0, &c, &err), 0);
    CU_ASSERT_EQUAL_FATAL(c.nrows, 1);
    CU_ASSERT_STRING_EQUAL(c.rows[0].data, "1|AB|1");
    collected_free(&c);
}

static void test_text_no_final_newline(void)
{
    ExCopyFormat f = text_fmt();
    Collected c = {0};
    SlError err;
    CU_ASSERT_EQUAL(run(&f, "1\tx\t2\n2\ty\t3", 3, &c, &err), 0);
    CU_ASSERT_EQUAL_FATAL(c.nrows, 2);
    CU_ASSERT_STRING_EQUAL(c.rows[1].data, "2|y|3");
    collected_free(&c);
}

static void test_text_errors(void)
{
    ExCopyFormat f = text_fmt();
    Collected c = {0};
    SlError err;

    sl_error_clear(&err);
    CU_ASSERT_EQUAL(run(&f, "1\tx\t2\n2\ty\n", 0, &c, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22P04");
    CU_ASSERT_STRING_EQUAL(err.message, "missing data for column \"n\"");
    /* PostgreSQL shows the line for errors about the whole record */
    CU_ASSERT_STRING_EQUAL(err.context, "COPY t, line 2: \"2\ty\"");
    collected_free(&c);

    sl_error_clear(&err);
    CU_ASSERT_EQUAL(run(&f, "1\tx\t2\t7\n", 0, &c, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22P04");
    CU_ASSERT_STRING_EQUAL(err.message, "extra data after last expected column");
    CU_ASSERT_STRING_EQUAL(err.context, "COPY t, line 1: \"1\tx\t2\t7\"");
    collected_free(&c);

    /* too many fields is found before a bad value is read (PostgreSQL) */
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(run(&f, "abc\tx\t2\t7\n", 0, &c, &err), -1);
    CU_ASSERT_STRING_EQUAL(err.message, "extra data after last expected column");
    CU_ASSERT_STRING_EQUAL(err.context, "COPY t, line 1: \"abc\tx\t2\t7\"");
    collected_free(&c);

    sl_error_clear(&err);
    CU_ASSERT_EQUAL(run(&f, "1\tx\t2\n2\ty\t3\nabc\tz\t4\n", 2, &c, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22P02");
    CU_ASSERT_STRING_EQUAL(err.context, "COPY t, line 3, column id: \"abc\"");
    collected_free(&c);

    sl_error_clear(&err);
    CU_ASSERT_EQUAL(run(&f, "1\tx\t99999999999\n", 0, &c, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22003");
    CU_ASSERT_STRING_EQUAL(err.context, "COPY t, line 1, column n: \"99999999999\"");
    collected_free(&c);
}

static void test_csv_basic(void)
{
    ExCopyFormat f = csv_fmt();
    const char *data =
        "1,plain,1\n"
        "2,\"with, comma\",2\n"
        "3,\"multi\nline \"\"quoted\"\"\",\n"
        "4,\"\",4\n"
        "5,,5\n";
    for (size_t chunk = 0; chunk < 7; chunk++) {
        Collected c = {0};
        SlError err;
        sl_error_clear(&err);
        CU_ASSERT_EQUAL_FATAL(run(&f, data, chunk, &c, &err), 0);
        CU_ASSERT_EQUAL_FATAL(c.nrows, 5);
        CU_ASSERT_STRING_EQUAL(c.rows[0].data, "1|plain|1");
        CU_ASSERT_STRING_EQUAL(c.rows[1].data, "2|with, comma|2");
        CU_ASSERT_STRING_EQUAL(c.rows[2].data, "3|multi\nline \"quoted\"|<null>");
        CU_ASSERT_STRING_EQUAL(c.rows[3].data, "4||4");      /* quoted empty: '' */
        CU_ASSERT_STRING_EQUAL(c.rows[4].data, "5|<null>|5"); /* unquoted empty: NULL */
        collected_free(&c);
    }
}

static void test_csv_header_and_line_numbers(void)
{
    ExCopyFormat f = csv_fmt();
    f.header = true;
    Collected c = {0};
    SlError err;
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(run(&f, "id,name,n\r\n1,\"a\nb\",1\r\n2,b,x\r\n", 0, &c, &err), -1);
    CU_ASSERT_EQUAL(c.nrows, 1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22P02");
    /* header is line 1, the quoted newline makes record 2 span lines 2-3 */
    CU_ASSERT_STRING_EQUAL(err.context, "COPY t, line 4, column n: \"x\"");
    collected_free(&c);
}

static void test_csv_unterminated(void)
{
    ExCopyFormat f = csv_fmt();
    Collected c = {0};
    SlError err;
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(run(&f, "1,\"open,1\n", 0, &c, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22P04");
    CU_ASSERT_STRING_EQUAL(err.message, "unterminated CSV quoted field");
    CU_ASSERT_STRING_EQUAL(err.context, "COPY t, line 1: \"1,\"open,1\n\"");
    CU_ASSERT_EQUAL(c.nrows, 0);
    collected_free(&c);
}

static void test_csv_escape_option(void)
{
    ExCopyFormat f = csv_fmt();
    f.escape = '\\';
    f.delim = ';';
    Collected c = {0};
    SlError err;
    CU_ASSERT_EQUAL(run(&f, "1;\"a\\\"b;c\";2\n", 0, &c, &err), 0);
    CU_ASSERT_EQUAL_FATAL(c.nrows, 1);
    CU_ASSERT_STRING_EQUAL(c.rows[0].data, "1|a\"b;c|2");
    collected_free(&c);
}

/* ---------------------------------------------- fast path vs general */

static const SlType types6[] = {SL_T_INT8, SL_T_INT4, SL_T_TEXT, SL_T_TIMESTAMP,
                                SL_T_TIMESTAMPTZ, SL_T_NUMERIC};
static const char *const names6[] = {"a", "b", "c", "d", "e", "f"};

/* Batch mode (what COPY uses): the 6 values of a record go to columns
 * map6 of rows 8 wide, the 2 others NULL. */
static const int map6[] = {3, 0, 7, 5, 1, 6};

/* One row's six values (column map[i], or i when map is NULL) as text
 * "a|b|...\n", each of its expected type. */
static void row6_text(const SlValue *row, const int *map, SlBuf *out)
{
    for (int i = 0; i < 6; i++) {
        const SlValue *v = &row[map ? map[i] : i];
        CU_ASSERT_EQUAL(v->type, types6[i]);
        if (i)
            sl_buf_putc(out, '|');
        if (v->isnull)
            sl_buf_puts(out, "<null>");
        else
            sl_value_out(v, out);
    }
    sl_buf_putc(out, '\n');
}

/* Appends the rows of the batch, in the order of the record's values,
 * and empties it (keeping some memory: the next rows reuse it). */
static void drain_batch(ExCopyBatch *b, SlBuf *out)
{
    for (int64_t r = 0; r < b->n; r++) {
        const SlValue *row = b->rows + r * b->width;
        CU_ASSERT(row[2].isnull && row[2].type == SL_T_INT4);
        CU_ASSERT(row[4].isnull && row[4].type == SL_T_TEXT);
        row6_text(row, map6, out);
    }
    ex_copy_batch_reset(b, 2u << 20);
}

/* An encoded batch (the identity map, 6 wide): the same text as
 * drain_batch, from the rows decoded back; then empties it. */
static void drain_encoded(ExCopyBatch *b, SlBuf *out)
{
    SlValue *rows = sl_calloc((size_t)(b->n * 6 + 1), sizeof(SlValue));
    SlError err;
    sl_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(ex_rows_decode(b->enc.data, b->enc.len, 6, NULL, false, rows, b->n, &err), 0);
    for (int64_t r = 0; r < b->n; r++) {
        row6_text(&rows[r * 6], NULL, out);
    }
    free(rows);
    ex_copy_batch_reset(b, 2u << 20);
}

static void run_mode_enc(const ExCopyFormat *fmt, const char *data, size_t len, size_t chunk,
                         bool general, bool batch, bool encoded, SlBuf *out);

/* The fast scanner in its SSE2 form (mode 6 of same_both_ways). */
static bool use_sse2;

/* Every row as text, then the error (SQLSTATE, message, context). */
static void run_mode_as(const ExCopyFormat *fmt, const char *data, size_t len, size_t chunk,
                        bool general, bool batch, SlBuf *out)
{
    run_mode_enc(fmt, data, len, chunk, general, batch, false, out);
}

/* ... and with encoded: batch mode writing the log's encoding. */
static void run_mode_enc(const ExCopyFormat *fmt, const char *data, size_t len, size_t chunk,
                         bool general, bool batch, bool encoded, SlBuf *out)
{
    ExCopyParser p;
    SlBuf rows;
    sl_buf_init(&rows);
    ex_copy_parser_init(&p, fmt, 6, types6, names6, "t", NULL, NULL);
    if (general)
        ex_copy_parser_general_only(&p);
    if (use_sse2)
        ex_copy_parser_no_avx2(&p);
    SlValue blank[8];
    static const SlType blank_types[] = {SL_T_INT8, SL_T_TIMESTAMP, SL_T_INT4, SL_T_INT8,
                                         SL_T_TEXT, SL_T_TIMESTAMPTZ, SL_T_NUMERIC, SL_T_INT4};
    for (int k = 0; k < 8; k++)
        blank[k] = sl_val_null(blank_types[k]);
    static const int ident6[] = {0, 1, 2, 3, 4, 5};
    ExCopyBatch b = {.width = 8, .map = map6, .blank = blank};
    if (encoded)
        b = (ExCopyBatch){.width = 6, .map = ident6, .encoded = true};
    void (*drain)(ExCopyBatch *, SlBuf *) = encoded ? drain_encoded : drain_batch;
    if (batch || encoded)
        ex_copy_parser_set_batch(&p, &b);
    SlError err;
    sl_error_clear(&err);
    int rc = 0;
    if (chunk == 0)
        chunk = len ? len : 1;
    Collected c = {0};
    /* collect into one buffer: rows may be many */
    p.fn = collect;
    p.ctx = &c;
    for (size_t off = 0; off < len && rc == 0; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        rc = ex_copy_parser_feed(&p, data + off, n, &err);
        drain(&b, out);
        for (int i = 0; i < c.nrows; i++) {
            sl_buf_append(out, c.rows[i].data, c.rows[i].len);
            sl_buf_putc(out, '\n');
        }
        collected_free(&c);
    }
    if (rc == 0)
        rc = ex_copy_parser_finish(&p, &err);
    drain(&b, out);
    ex_copy_batch_free(&b);
    for (int i = 0; i < c.nrows; i++) {
        sl_buf_append(out, c.rows[i].data, c.rows[i].len);
        sl_buf_putc(out, '\n');
    }
    collected_free(&c);
    sl_buf_printf(out, "rc=%d rows=%lld line=%lld", rc, (long long)p.rows, (long long)p.line);
    if (rc < 0)
        sl_buf_printf(out, " ERR %s %s | %s", sl_errcode_sqlstate(err.code), err.message, err.context);
    ex_copy_parser_free(&p);
    sl_buf_free(&rows);
}

static void run_mode(const ExCopyFormat *fmt, const char *data, size_t len, size_t chunk,
                     bool general, SlBuf *out)
{
    run_mode_as(fmt, data, len, chunk, general, false, out);
}

/* The fast paths and the general one give the same rows and errors, fed
 * at once and in chunks of 1..7 bytes. Returns the fast path's answer. */
static void same_both_ways(const ExCopyFormat *fmt, const char *data, SlBuf *answer)
{
    size_t len = strlen(data);
    SlBuf ref;
    sl_buf_init(&ref);
    run_mode(fmt, data, len, 0, true, &ref);
    for (size_t chunk = 0; chunk < 8; chunk++) {
        for (int mode = 0; mode < 7; mode++) {
            bool general = mode & 1, batch = mode & 2, encoded = mode & 4;
            SlBuf got;
            sl_buf_init(&got);
            use_sse2 = mode == 6;
            run_mode_enc(fmt, data, len, chunk, general, batch, encoded, &got);
            use_sse2 = false;
            CU_ASSERT_STRING_EQUAL(got.data, ref.data);
            if (strcmp(got.data, ref.data))
                fprintf(stderr, "\ninput [%s] chunk %zu general %d batch %d encoded %d:\n got [%s]\nwant [%s]\n",
                        data, chunk, general, batch, encoded, got.data, ref.data);
            sl_buf_free(&got);
        }
    }
    if (answer)
        sl_buf_append(answer, ref.data, ref.len);
    sl_buf_free(&ref);
}

static const char *const tricky_csv[] = {
    "1,2,abc,2020-01-01 00:00:00,2020-01-01 00:00:00.5,1.5\n",
    " 12,3,a,2020-01-01 00:00:00,2020-01-01 00:00:00+02,0\n",
    "12 ,3 , a ,2020-01-01 00:00:00 , 2020-01-01 00:00:00,0\n",
    "+5,-0,x,2020-01-01T10:00:00,2020-01-01 10:00:00+05:30,-0.0\n",
    "-9223372036854775808,-2147483648,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "9223372036854775807,2147483647,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "9223372036854775808,1,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "-9223372036854775809,1,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "1,2147483648,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "1,-2147483649,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "123456789012345678,123456789,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "1234567890123456789,1234567890,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "-999999999999999999,-999999999,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "99999999999999999999,1,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "000000000000000000000001,0000000001,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "-,1,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "1,--1,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "1x,1,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "0x10,1,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "\"\",1,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "\"12\",\"-3\",\"x\",\"2020-01-01 00:00:00\",\"2020-01-01 00:00:00\",\"1\"\n",
    ",,,,,\n",
    "1,2,\"\",,,\n",
    "1,2,\"a,b\",2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "1,2,\"say \"\"hi\"\"\",2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "1,2,\"two\nlines\",2020-01-01 00:00:00,2020-01-01 00:00:00,1\n2,x,y,,,\n",
    "1,2,a\"b\"c,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "1,2,\\N,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "1,2,x,2020-01-01 00:00:00.123456,2020-01-01 00:00:00.1234567,1\n",
    "1,2,x,2020-01-01 00:00:00.,2020-01-01 24:00:00,1\n",
    "1,2,x,2020-01-01 24:00:01,2020-01-01 00:00:00,1\n",
    "1,2,x,2021-02-29 00:00:00,2020-01-01 00:00:00,1\n",
    "1,2,x,0000-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "1,2,x,2020-01-01 00:00:60,2020-01-01 00:00:00,1\n",
    "1,2,x,294277-01-01 00:00:00,2020-01-01 00:00:00,1\n",
    "1,2,x,2020-01-01 00:00:00,2020-01-01 00:00:00+16,1\n",
    "1,2,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\r\n2,3,y,,,\r\n",
    "1,2,x,,,\n\\.\n9,9,ignored,,,\n",
    "1,2,x,,,\n2,3\n",
    "1,2,x,,,,\n",
    "abc,2,x,,,,\n",
    "1,2,x,,,\n2,3,y,,,",
    "1,2,\"open,,,\n",
    "1,2,\"ok\",,,\n3,4,\"open,,,",
    "1,2,\xc3\xa9t\xc3\xa9,,,\n",
    "\n",
    "1,2,x,,,\n\n",
    /* timestamps on the day of the one before read only their time */
    "1,2,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n1,2,x,2020-01-01 23:59:59.999999,2020-01-01T23:59:59.5,1\n"
    "1,2,x,2020-01-01 24:00:00,2020-01-01 00:00:00.1234567,1\n1,2,x,2020-01-01 00:00:00.,2020-01-01 12:00,1\n",
    "1,2,x,2020-01-01 00:00:00,2020-01-01 12:60:00,1\n",
    "1,2,x,2020-01-01 00:00:00,2020-01-01 00:00:60,1\n",
    "1,2,x,2020-01-01 00:00:00,2020-01-01 1:00:00,1\n",
    "1,2,x,1999-12-31 23:59:59.5,1999-12-31 00:00:00.25,1\n1,2,x,2000-01-01 00:00:00,1999-12-31 10:00:00,1\n",
    "1,2,x,0001-01-01 00:00:01,0001-01-01 23:00:00,1\n1,2,x,9999-12-31 23:59:59,9999-12-31 00:00:00,1\n",
    "1,2,x,2020-01-01 00:00:00,2020-01-01 00:00:00,1\n1,2,x,2020-01-01 00:00:00+01,2020-01-01 00:00:00 ,1\n",
    "1,2,x,2020-02-29 00:00:00,2020-02-29 00:00:00,1\n1,2,x,2020-02-29 00:00:00,2020-02-29 x0:00:00,1\n",
};

static void test_fast_vs_general_csv(void)
{
    ExCopyFormat f = csv_fmt();
    for (size_t i = 0; i < sizeof tricky_csv / sizeof tricky_csv[0]; i++)
        same_both_ways(&f, tricky_csv[i], NULL);
    /* a different NULL string, delimiter and escape */
    f.null_str = "NA";
    f.delim = '|';
    f.escape = '\\';
    same_both_ways(&f, "1|2|NA|NA|NA|NA\n1|2|\"NA\"|||\n", NULL);
    same_both_ways(&f, "1|2|\"a\\\"b\\\\c|d\"|||\n1|2|\"x\\y\"|||\n", NULL);
    /* all of them in one stream (the error stops it where it stops) */
    SlBuf all;
    sl_buf_init(&all);
    for (size_t i = 0; i < 6; i++)
        sl_buf_puts(&all, tricky_csv[i]);
    f = csv_fmt();
    same_both_ways(&f, all.data, NULL);
    sl_buf_free(&all);
}

/* Times of day with six fraction digits, read as words of 8 bytes on a
 * date already seen: edge values and a wrong byte at each position. */
static void test_fast_vs_general_time_words(void)
{
    static const char *const times[] = {
        "00:00:00.000000", "23:59:59.999999", "12:34:56.789012", "24:00:00.000000", "23:60:00.000000",
        "23:59:60.000000", "19:59:59.099999", "09:09:09.090909", "00:00:00.00000", "00:00:00.0000000",
        "00:00:00,000000", "00:00:00.00000/", "00:00:00.00000:", "00:00:00.0000 0", "0:00:00.0000000",
        "00-00-00.000000", "00:00:00 000000", "+0:00:00.000000", "00:00:0\x80" "000000", "00:00:00.\xff" "00000",
        "00:00:00.12", "00:00:00.123", "00:00:00"};
    ExCopyFormat f = csv_fmt();
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        for (int sep = 0; sep < 2; sep++) {
            char in[512];
            snprintf(in, sizeof in,
                     "1,1,a,2020-03-04 05:06:07.000001,2020-03-04 05:06:07.000001,1\n"
                     "2,2,b,2020-03-04%c%s,2020-03-04 %s,2\n",
                     sep ? 'T' : ' ', times[i], times[i]);
            same_both_ways(&f, in, NULL);
        }
        /* each character of the time replaced by a byte that is no digit */
        for (size_t k = 0; k < strlen(times[i]); k++) {
            char t[32], in[512];
            snprintf(t, sizeof t, "%s", times[i]);
            t[k] = (char)(t[k] == ':' || t[k] == '.' ? '5' : ':');
            snprintf(in, sizeof in,
                     "1,1,a,2020-03-04 05:06:07.000001,2020-03-04 05:06:07.000001,1\n"
                     "2,2,b,2020-03-04 %s,2020-03-04 %s,2\n", t, t);
            same_both_ways(&f, in, NULL);
        }
    }
}

static void test_fast_vs_general_text(void)
{
    static const char *const tricky_text[] = {
        "1\t2\tabc\t2020-01-01 00:00:00\t2020-01-01 00:00:00.5\t1.5\n",
        " 12\t 3 \t a \t2020-01-01 00:00:00\t2020-01-01 00:00:00+02\t0\n",
        "9223372036854775808\t1\tx\t\\N\t\\N\t\\N\n",
        "1\t2147483648\tx\t\\N\t\\N\t\\N\n",
        "\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n",
        "\t\t\t\t\t\n",
        "1\t2\t\\\\N\t\\N\t\\N\t\\N\n",
        "1\t2\ta\\tb\\\\c\\nd\\101\\x42\\q\t\\N\t\\N\t\\N\n",
        "1\t2\tline\\\nbreak\t\\N\t\\N\t\\N\n2\t3\tx\t\\N\t\\N\t\\N\n",
        "1\\2\t2\tx\t\\N\t\\N\t\\N\n",
        "1\t2\tx\t\\N\t\\N\t\\N\r\n\\.\r\n3\n",
        "1\t2\tx\t\\N\t\\N\n",
        "1\t2\tx\t\\N\t\\N\t\\N\t\n",
        "x\t2\tx\t\\N\t\\N\t\\N\t7\n",
        "1\t2\tend\\\t\\N\t\\N\t\\N",
        "1\t2\t\"quoted\"\t\\N\t\\N\t\\N\n",
        "1,2\t2\tx\t2020-01-01 24:00:00\t2020-02-30 00:00:00\t1\n",
    };
    ExCopyFormat f = text_fmt();
    for (size_t i = 0; i < sizeof tricky_text / sizeof tricky_text[0]; i++)
        same_both_ways(&f, tricky_text[i], NULL);
    f.null_str = "NULL";
    same_both_ways(&f, "1\t2\tNULL\tNULL\tNULL\tNULL\n1\t2\t\\N\tNULL\tNULL\tNULL\n", NULL);
    f.null_str = "";
    same_both_ways(&f, "1\t2\t\t\t\t\n", NULL);
}

/* What the fast path answers for a few inputs, as PostgreSQL 15 does. */
static void test_fast_path_answers(void)
{
    ExCopyFormat f = csv_fmt();
    SlBuf a;
    sl_buf_init(&a);
    same_both_ways(&f, " 12 ,-0,x,2020-01-01 00:00:00.5,2020-01-01 00:00:00+02,1.50\n", &a);
    CU_ASSERT_STRING_EQUAL(a.data, "12|0|x|2020-01-01 00:00:00.5|2019-12-31 22:00:00+00|1.50\n"
                                   "rc=0 rows=1 line=2");
    sl_buf_reset(&a);
    same_both_ways(&f, "1,2147483648,x,,,\n", &a);
    CU_ASSERT_STRING_EQUAL(a.data, "rc=-1 rows=0 line=2 ERR 22003 value \"2147483648\" is out of "
                                   "range for type integer | COPY t, line 1, column b: \"2147483648\"");
    sl_buf_reset(&a);
    same_both_ways(&f, "\"\",1,x,,,\n", &a);
    CU_ASSERT_STRING_EQUAL(a.data, "rc=-1 rows=0 line=2 ERR 22P02 invalid input syntax for type "
                                   "bigint: \"\" | COPY t, line 1, column a: \"\"");
    sl_buf_reset(&a);
    same_both_ways(&f, "1,2,x,2021-02-29 00:00:00,,\n", &a);
    CU_ASSERT_STRING_EQUAL(a.data, "rc=-1 rows=0 line=2 ERR 22008 date/time field value out of "
                                   "range: \"2021-02-29 00:00:00\" | COPY t, line 1, column d: "
                                   "\"2021-02-29 00:00:00\"");
    sl_buf_free(&a);
}

/* Random records built from field pieces (plain, spaced, quoted, escaped,
 * NULL, bad), every format, random chunk sizes. */
static void test_fast_vs_general_random(void)
{
    static const char *const ints[] = {"0", "-1", "42", " 7", "8 ", "+9", "123456789012345678",
                                       "9223372036854775807", "9223372036854775808", "2147483648",
                                       "x", "", "-"};
    static const char *const texts[] = {"a", "", " b ", "c,d", "e\"f", "\\N", "g\\th", "NA", "\xc3\xa9"};
    static const char *const stamps[] = {"2020-01-01 00:00:00", "2020-01-01 00:00:00.000001",
                                         "2020-02-30 00:00:00", "2020-01-01 00:00:00+01", "now-ish",
                                         ""};
    uint64_t r = 0x9E3779B97F4A7C15ULL;
#define NEXT() (r ^= r << 13, r ^= r >> 7, r ^= r << 17, r)
    for (int iter = 0; iter < 300; iter++) {
        bool csv = iter % 2;
        ExCopyFormat f = csv ? csv_fmt() : text_fmt();
        SlBuf d;
        sl_buf_init(&d);
        int nrec = 1 + (int)(NEXT() % 5);
        for (int k = 0; k < nrec; k++) {
            int nf = NEXT() % 10 == 0 ? 5 + (int)(NEXT() % 3) : 6;
            for (int c = 0; c < nf; c++) {
                if (c)
                    sl_buf_putc(&d, f.delim);
                const char *v;
                if (c < 2)
                    v = ints[NEXT() % (sizeof ints / sizeof ints[0])];
                else if (c == 2 || c == 5)
                    v = texts[NEXT() % (sizeof texts / sizeof texts[0])];
                else
                    v = stamps[NEXT() % (sizeof stamps / sizeof stamps[0])];
                if (c == 5 && strpbrk(v, "abcdefgh\\\" ,NA\xc3"))
                    v = "1";
                bool quote = csv && (NEXT() % 4 == 0 || strpbrk(v, ",\""));
                if (quote) {
                    sl_buf_putc(&d, '"');
                    for (const char *s = v; *s; s++) {
                        if (*s == '"')
                            sl_buf_putc(&d, '"');
                        sl_buf_putc(&d, *s);
                    }
                    sl_buf_putc(&d, '"');
                } else {
                    sl_buf_puts(&d, v);
                }
            }
            sl_buf_puts(&d, NEXT() % 5 == 0 ? "\r\n" : "\n");
        }
        size_t len = d.len;
        SlBuf ref, got;
        sl_buf_init(&ref);
        sl_buf_init(&got);
        run_mode(&f, d.data, len, 0, true, &ref);
        run_mode_as(&f, d.data, len, 1 + NEXT() % 64, false, iter % 4 >= 2, &got);
        CU_ASSERT_STRING_EQUAL(got.data, ref.data);
        if (strcmp(got.data, ref.data))
            fprintf(stderr, "\nrandom input [%s]:\n got [%s]\nwant [%s]\n", d.data, got.data, ref.data);
        sl_buf_free(&ref);
        sl_buf_free(&got);
        sl_buf_free(&d);
    }
#undef NEXT
}

/* Records around the fast scanner's 64-byte blocks: the newline, a
 * delimiter, a quote or backslash, a '\r' or a field too many at every
 * position of the first blocks. */
static void test_fast_vs_general_block_edges(void)
{
    for (int csv = 0; csv < 2; csv++) {
        ExCopyFormat f = csv ? csv_fmt() : text_fmt();
        char d = f.delim;
        for (int len = 1; len < 140; len++) {
            for (int variant = 0; variant < 5; variant++) {
                SlBuf in;
                sl_buf_init(&in);
                sl_buf_printf(&in, "1%c2%c", d, d);
                for (int i = 0; i < len; i++)
                    sl_buf_putc(&in, (char)('a' + i % 26));
                if (variant == 1)
                    sl_buf_puts(&in, csv ? "\"q\"" : "\\t");
                sl_buf_printf(&in, "%c2020-01-01 00:00:%02d%c%c1%s", d, len % 60, d, d,
                              variant == 2 ? "\r\n" : variant == 3 ? "\n" : "");
                if (variant == 3) /* a field too many, after a long one */
                    sl_buf_printf(&in, "3%c4%cx%c%c%c1%c", d, d, d, d, d, d);
                if (variant == 4) /* a short record right after */
                    sl_buf_printf(&in, "\n5%c6%cy%c%c%c", d, d, d, d, d);
                sl_buf_puts(&in, "\n");
                same_both_ways(&f, in.data, NULL);
                sl_buf_free(&in);
            }
        }
    }
}

/* Integers of 1..10 digits: every digit count, a sign, and a byte just
 * outside '0'..'9' at every position. */
static void test_fast_vs_general_integers(void)
{
    static const char bad[] = {'/', ':', ' ', 'a', '\xff', '\x80', '0' - 16, '9' + 16};
    ExCopyFormat f = csv_fmt();
    SlBuf in;
    sl_buf_init(&in);
    for (int n = 1; n <= 10; n++) {
        for (int pos = -1; pos < n; pos++) {
            for (size_t b = 0; b < (pos < 0 ? 1 : sizeof bad); b++) {
                char num[16];
                for (int i = 0; i < n; i++)
                    num[i] = (char)('1' + (i * 3 + n) % 9);
                num[n] = '\0';
                if (pos >= 0)
                    num[pos] = bad[b];
                for (int neg = 0; neg < 2; neg++) {
                    sl_buf_reset(&in);
                    sl_buf_printf(&in, "%s%s,%s%s,x,,,\n", neg ? "-" : "", num, neg ? "-" : "", num);
                    same_both_ways(&f, in.data, NULL);
                    /* and as the last bytes of the data */
                    sl_buf_reset(&in);
                    sl_buf_printf(&in, "1,%s%s\n", neg ? "-" : "", num);
                    same_both_ways(&f, in.data, NULL);
                }
            }
        }
    }
    sl_buf_free(&in);
}

/* Batch mode over many rows: text across the batch's blocks (1 MB), a
 * value longer than a quarter block (a block of its own), a reused batch. */
static void test_batch_many_rows(void)
{
    ExCopyFormat f = csv_fmt();
    SlBuf d;
    sl_buf_init(&d);
    for (int k = 0; k < 30000; k++) {
        sl_buf_printf(&d, "%d,%d,text %d %s,2020-01-0%d 00:00:%02d.%d,,%d\n", k, -k, k,
                      "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", 1 + k / 5000, k % 60, k % 7, k);
        if (k == 12345 || k == 12346) {
            sl_buf_puts(&d, "1,2,");
            for (int i = 0; i < 300000; i++)
                sl_buf_putc(&d, (char)('a' + (i * 7 + k) % 26));
            sl_buf_puts(&d, ",,,\n");
        }
    }
    SlBuf ref, got;
    sl_buf_init(&ref);
    sl_buf_init(&got);
    run_mode_as(&f, d.data, d.len, 1000, true, false, &ref); /* a callback takes few rows a chunk */
    CU_ASSERT(strstr(ref.data, "rc=0 rows=30002 ") != NULL);
    size_t chunks[] = {0, 4093, 65536};
    for (size_t i = 0; i < 3; i++) {
        sl_buf_reset(&got);
        run_mode_as(&f, d.data, d.len, chunks[i], false, true, &got);
        CU_ASSERT_STRING_EQUAL(got.data, ref.data);
        sl_buf_reset(&got);
        run_mode_as(&f, d.data, d.len, chunks[i], true, true, &got);
        CU_ASSERT_STRING_EQUAL(got.data, ref.data);
        sl_buf_reset(&got);
        run_mode_enc(&f, d.data, d.len, chunks[i], false, false, true, &got);
        CU_ASSERT_STRING_EQUAL(got.data, ref.data);
    }
    sl_buf_free(&ref);
    sl_buf_free(&got);
    sl_buf_free(&d);
}

static const SlUnitTest copy_tests[] = {
    {"text basic, every chunk size", test_text_basic},
    {"text end marker, CRLF, octal and hex escapes", test_text_end_marker_crlf_octal},
    {"text without final newline", test_text_no_final_newline},
    {"text errors carry SQLSTATE and line/column", test_text_errors},
    {"csv quoting, NULL vs empty, every chunk size", test_csv_basic},
    {"csv header and line numbers across quoted newlines", test_csv_header_and_line_numbers},
    {"csv unterminated quote", test_csv_unterminated},
    {"csv escape and delimiter options", test_csv_escape_option},
    {"fast path = general path: csv, tricky inputs", test_fast_vs_general_csv},
    {"fast path = general path: text, tricky inputs", test_fast_vs_general_text},
    {"fast path answers as PostgreSQL", test_fast_path_answers},
    {"fast path = general path: random records and chunks", test_fast_vs_general_random},
    {"fast path = general path: records around 64-byte blocks", test_fast_vs_general_block_edges},
    {"fast path = general path: integers of 1..10 digits", test_fast_vs_general_integers},
    {"fast path = general path: times of day read as words", test_fast_vs_general_time_words},
    {"batch mode: many rows, long text, reused memory", test_batch_many_rows},
    {NULL, NULL}};
SL_UNIT_SUITE("copy formats", copy_tests)
